#!/usr/bin/env python3
"""The tokenization figure of austen_lstm.py on its own (for benchmarks/tokenize.sh).

Same functions (tokenize, build_vocab, numericalize), same protocol as austen_lstm.py's mb_per_s: read the training
texts, one first pass, --tokenize-passes untimed passes, then as many timed ones; the figure is their median. torch
is imported first, as in the full script. Prints one JSON line: {"side": "pytorch", "metric": "mb_per_s", ...}.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import austen_lstm as script  # noqa: E402  (imports torch)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tokenize-passes", type=int, default=5)
    ap.add_argument("--min-freq", type=int, default=2)
    ap.add_argument("--data-dir", default=script.DEFAULT_DATA)
    args = ap.parse_args()

    _, texts = script.read_tsv_gz(os.path.join(args.data_dir, "austen_train.tsv.gz"), None)
    text_bytes = sum(len(t.encode("utf-8")) for t in texts)

    def tokenize_and_map():
        tokens = [script.tokenize(t) for t in texts]
        vocab = script.build_vocab(tokens, args.min_freq)
        return vocab, script.numericalize(tokens, vocab[0])

    t0 = time.perf_counter()
    tokenize_and_map()
    first = time.perf_counter() - t0
    for _ in range(args.tokenize_passes):
        tokenize_and_map()
    times = []
    for _ in range(args.tokenize_passes):
        t1 = time.perf_counter()
        tokenize_and_map()
        times.append(time.perf_counter() - t1)
    median = statistics.median(times)
    print(json.dumps(dict(side="pytorch", task="tokenize", model="word", metric="mb_per_s", value=text_bytes / 1e6 / median,
                          detail=dict(bytes=text_bytes, per_pass_s=times, first_pass_s=first))), flush=True)


if __name__ == "__main__":
    main()

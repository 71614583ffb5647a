#!/usr/bin/env python3
"""Probe: LSTM forward+backward time on CPU, packed vs padded input, for growing sequence lengths.

Explains the PyTorch training figures in docs/benchmarks.md (docs/performance-notes.md, "Training never packs"). libtorch runs a packed-sequence LSTM with its native
per-time-step implementation, which slices every step out of the pre-computed input projection with
narrow(); the backward of each slice allocates and zero-fills a gradient as large as the
WHOLE packed input and adds it up, so the backward costs O(steps x total tokens). With glibc's default malloc
these multi-megabyte blocks are fresh mmap'd pages each time, so most of that time is page faults.
Compare:

    python3 benchmarks/pytorch/packed_backward_probe.py
    MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 python3 benchmarks/pytorch/packed_backward_probe.py

Prints one JSON line per (length, mode): {"T":..., "mode": "packed|padded", "fwd_bwd_s": ...} (best of 3).
"""

import argparse
import json
import os
import time

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lengths", default="50,100,200")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    emb, lstm = nn.Embedding(8601, 64), nn.LSTM(64, 128, batch_first=True)
    malloc = "tuned" if os.environ.get("MALLOC_MMAP_THRESHOLD_") else "glibc defaults"
    for T in (int(t) for t in args.lengths.split(",")):
        x = torch.randint(2, 8601, (args.batch, T))
        lengths = torch.randint(T // 4, T + 1, (args.batch,))
        lengths[0] = T  # the batch is as long as its longest row, like a padded DataLoader batch
        for mode in ("packed", "padded"):
            best = float("inf")
            for _ in range(args.reps):
                emb.zero_grad()
                lstm.zero_grad()
                t0 = time.perf_counter()
                e = emb(x)
                if mode == "packed":
                    e = pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
                _, (h, _) = lstm(e)
                h[-1].sum().backward()
                best = min(best, time.perf_counter() - t0)
            print(json.dumps(dict(T=T, tokens=int(lengths.sum()) if mode == "packed" else T * args.batch,
                                  mode=mode, fwd_bwd_s=round(best, 4), threads=args.threads, malloc=malloc,
                                  torch=torch.__version__)), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Austen 6-class paragraph classifier: the PyTorch script a PyTorch user would write.

This is the "theirs" side of the MLNet.Recurrent benchmarks (see benchmarks/README.md).
It deliberately uses the ordinary, idiomatic PyTorch toolkit -- plain-Python tokenization,
a Dataset, a DataLoader(shuffle=True) whose collate_fn pads each batch, and an nn.LSTM fed
with pack_padded_sequence(enforce_sorted=False) -- with no hand-tuning beyond that.

Pipeline:
  raw TSV.gz -> lowercase + split into runs of letters/digits (punctuation dropped)
  -> vocabulary (min frequency 2, <pad>=0, <unk>=1, frequency-descending then ordinal)
  -> Embedding(V, 64, padding_idx=0) -> LSTM(64->128) | 2-layer bidirectional LSTM(128)
  -> last hidden state(s) -> Linear -> 6 classes; Adam, batch 64.

Output: exactly ONE JSON line on stdout (everything else goes to stderr), in the "bundle" form
of the schema documented in benchmarks/README.md:
  {"side": "pytorch", "model": ..., "threads": ..., "run": ...,
   "measurements": [{"task": ..., "metric": ..., "value": ...}, ...], "env": {...}}

Requires only torch and the Python standard library (no torchtext, no numpy use of our own).
"""

import argparse
import time

# `import torch` is the slowest part of start-up; time it so it can be reported separately
# (the end-to-end clock below starts after it, like the C# side's clock starts after start-up).
_t_import = time.perf_counter()
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402

IMPORT_S = time.perf_counter() - _t_import

import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402

DEFAULT_DATA = os.environ.get("AUSTEN_DATA_DIR", "/work/shared/data/austen")

# ---------------------------------------------------------------------------------------------
# Data and tokenization
# ---------------------------------------------------------------------------------------------


def read_tsv_gz(path, max_rows=None):
    """Reads `Label<TAB>Text` rows (header line skipped).

    The file is NOT csv-quoted: paragraphs contain double quotes, so csv.reader would merge rows.
    Each line is split on the first tab only.

    max_rows (smoke mode) keeps N rows evenly spaced over the file, not the first N: the files are
    ordered by novel, so the first rows would all carry the same label.
    """
    labels, texts = [], []
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
        next(f)  # header: Label\tText
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            label, text = line.split("\t", 1)
            labels.append(label)
            texts.append(text)
    if max_rows is not None and max_rows < len(texts):
        keep = [i * len(texts) // max_rows for i in range(max_rows)]
        labels, texts = [labels[i] for i in keep], [texts[i] for i in keep]
    return labels, texts


# A token is a maximal run of letters/digits; everything else (whitespace, punctuation, '_')
# separates tokens and is dropped. Same rule as TokenizeToIds' Word mode with lowercasing and
# punctuation stripping (torchtext basic_english-like, minus punctuation tokens).
_TOKEN_RE = re.compile(r"[^\W_]+")


def tokenize(text):
    return _TOKEN_RE.findall(text.lower())


PAD, UNK = 0, 1


def build_vocab(token_lists, min_freq):
    """id 0 = <pad>, 1 = <unk>, then tokens with count >= min_freq, by count desc then ordinal."""
    counts = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    kept = [t for t, c in counts.items() if c >= min_freq]
    kept.sort(key=lambda t: (-counts[t], t))  # Python str order == code-point (ordinal) order
    itos = ["<pad>", "<unk>"] + kept
    return {t: i for i, t in enumerate(itos)}, itos


def numericalize(token_lists, stoi):
    get = stoi.get
    return [[get(t, UNK) for t in tokens] for tokens in token_lists]


# ---------------------------------------------------------------------------------------------
# Dataset / DataLoader
# ---------------------------------------------------------------------------------------------


class TextDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids = [torch.tensor(x, dtype=torch.long) for x in ids]
        self.labels = torch.tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return self.ids[i], self.labels[i]


def collate(batch):
    """Pads a batch to its longest row; returns (padded [B, T], lengths [B] on CPU, labels [B])."""
    seqs, labels = zip(*batch)
    # An empty paragraph would make pack_padded_sequence fail; give it a single <pad> step.
    lengths = torch.tensor([max(len(s), 1) for s in seqs], dtype=torch.long)
    padded = torch.full((len(seqs), int(lengths.max())), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    return padded, lengths, torch.stack(labels)


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------


class LstmClassifier(nn.Module):
    def __init__(self, vocab_size, num_classes, emb=64, hidden=128, layers=1, bidirectional=False):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb, padding_idx=PAD)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True)
        self.directions = 2 if bidirectional else 1
        self.fc = nn.Linear(hidden * self.directions, num_classes)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n: [layers * directions, B, hidden], in the original order
        if self.directions == 2:
            last = torch.cat([h_n[-2], h_n[-1]], dim=1)  # top layer, forward and backward
        else:
            last = h_n[-1]
        return self.fc(last)


MODELS = {
    "lstm1": dict(layers=1, bidirectional=False),
    "bilstm2": dict(layers=2, bidirectional=True),
}

# ---------------------------------------------------------------------------------------------
# Environment description (which BLAS and threads produced the figures)
# ---------------------------------------------------------------------------------------------


def loaded_blas_libraries():
    """The BLAS/LAPACK shared objects actually mapped into this process (after a matmul).

    torch.__config__.show() says what torch was BUILT against (Debian: the generic libblas.so.3
    interface); which implementation really runs is decided by update-alternatives, so look at
    the mapped files instead.
    """
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if re.search(r"blas|lapack|mkl|dnnl|mkldnn", name, re.I):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def blas_summary(libs):
    joined = " ".join(libs).lower()
    if "mkl" in joined:
        return "mkl"
    if "openblas" in joined:
        variant = "openmp" if "openmp" in joined else "pthread" if "pthread" in joined else "serial" if "serial" in joined else ""
        return "openblas" + (f"-{variant}" if variant else "")
    if "blis" in joined:
        return "blis"
    if "atlas" in joined:
        return "atlas"
    if "libblas" in joined:
        return "reference"
    return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def config_blas_info():
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    return m.group(1) if m else "unknown"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def percentile(sorted_values, p):
    """Nearest-rank percentile (p in 0..100) of an ascending list."""
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=sorted(MODELS), default="lstm1")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads(T)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--min-freq", type=int, default=2, help="vocabulary minimum token frequency")
    ap.add_argument("--max-rows", type=int, default=None, help="use N train and N test rows, evenly spaced (smoke mode)")
    ap.add_argument("--max-len", type=int, default=None, help="keep only the first N tokens of each paragraph (smoke mode)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--emb", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--infer-batch", type=int, default=256)
    ap.add_argument("--infer-passes", type=int, default=3,
                    help="timed batched-inference passes over the test set; infer/seq_per_s is their median")
    ap.add_argument("--latency-calls", type=int, default=500)
    ap.add_argument("--latency-warmup", type=int, default=20)
    ap.add_argument("--tokenize-passes", type=int, default=5,
                    help="timed tokenization passes (after as many warm-up passes) for the steady MB/s figure")
    ap.add_argument("--run", type=int, default=0, help="repetition index, copied into the JSON line")
    ap.add_argument("--data-dir", default=DEFAULT_DATA)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    # ---- end-to-end clock: raw TSV.gz -> trained model ----
    t_e2e = time.perf_counter()
    train_labels, train_texts = read_tsv_gz(os.path.join(args.data_dir, "austen_train.tsv.gz"), args.max_rows)
    t_read = time.perf_counter() - t_e2e

    # Tokenization + vocabulary + id mapping of the train set (the MB/s figure).
    text_bytes = sum(len(t.encode("utf-8")) for t in train_texts)
    def tokenize_and_map():
        tokens = [tokenize(t) for t in train_texts]
        vocab = build_vocab(tokens, args.min_freq)
        return vocab, numericalize(tokens, vocab[0])

    t0 = time.perf_counter()
    (stoi, itos), train_ids = tokenize_and_map()
    t_tok = time.perf_counter() - t0

    # Steady tokenization speed (same protocol on every side): --tokenize-passes untimed passes, then as many timed
    # ones; mb_per_s is their median, mb_per_s_first_pass the pass above. Run here, on the fresh heap (after training,
    # Python's tokenization measured up to 1.7x slower), and taken out of the end-to-end clock.
    t_extra = time.perf_counter()
    for _ in range(args.tokenize_passes):
        tokenize_and_map()
    tok_times = []
    for _ in range(args.tokenize_passes):
        t1 = time.perf_counter()
        tokenize_and_map()
        tok_times.append(time.perf_counter() - t1)
    t_tok_steady = statistics.median(tok_times)
    t_e2e += time.perf_counter() - t_extra  # the extra passes are not part of the end-to-end time
    if args.max_len:
        train_ids = [x[: args.max_len] for x in train_ids]

    classes = sorted(set(train_labels))
    label_to_id = {c: i for i, c in enumerate(classes)}
    train_ds = TextDataset(train_ids, [label_to_id[c] for c in train_labels])
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True, collate_fn=collate, generator=gen)

    model = LstmClassifier(len(itos), len(classes), args.emb, args.hidden, **MODELS[args.model])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    epoch_rates, epoch_losses = [], []
    for epoch in range(args.epochs):
        model.train()
        t_ep = time.perf_counter()
        total_loss, seen = 0.0, 0
        for x, lengths, y in train_dl:
            optimizer.zero_grad()
            loss = loss_fn(model(x, lengths), y)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            seen += len(y)
        dt = time.perf_counter() - t_ep
        epoch_rates.append(seen / dt)
        epoch_losses.append(total_loss / seen)
        log(f"[pytorch {args.model} T={args.threads}] epoch {epoch + 1}/{args.epochs} loss {total_loss / seen:.4f} "
            f"{seen / dt:.1f} samples/s ({dt:.1f} s)")
    e2e_s = time.perf_counter() - t_e2e
    # ---- end of the end-to-end clock ----

    # Test set (not part of e2e): same tokenizer and vocabulary; unseen labels cannot occur here.
    test_labels, test_texts = read_tsv_gz(os.path.join(args.data_dir, "austen_test.tsv.gz"), args.max_rows)
    test_ids = numericalize([tokenize(t) for t in test_texts], stoi)
    if args.max_len:
        test_ids = [x[: args.max_len] for x in test_ids]
    test_ds = TextDataset(test_ids, [label_to_id[c] for c in test_labels])
    test_dl = DataLoader(test_ds, batch_size=args.infer_batch, shuffle=False, collate_fn=collate)

    model.eval()
    with torch.no_grad():
        # Warm-up one batch, then time batched inference over the whole test set (collate included).
        x, lengths, _ = next(iter(test_dl))
        model(x, lengths)
        pass_s = []
        for _ in range(max(1, args.infer_passes)):
            preds = []
            t0 = time.perf_counter()
            for x, lengths, _ in test_dl:
                preds.append(model(x, lengths).argmax(dim=1))
            pass_s.append(time.perf_counter() - t0)
        infer_s = sorted(pass_s)[len(pass_s) // 2]
        preds = torch.cat(preds)

        # Single-row latency: model(x) on one pre-tokenized test paragraph at a time.
        singles = [(s.unsqueeze(0), torch.tensor([max(len(s), 1)])) for s in test_ds.ids]
        for i in range(args.latency_warmup):
            model(*singles[i % len(singles)])
        lat_ms = []
        for i in range(args.latency_calls):
            x, lengths = singles[i % len(singles)]
            t0 = time.perf_counter()
            model(x, lengths)
            lat_ms.append((time.perf_counter() - t0) * 1000.0)
    lat_ms.sort()

    gold = test_ds.labels
    correct = (preds == gold)
    accuracy = correct.float().mean().item()
    per_class = [correct[gold == c].float().mean().item() for c in range(len(classes)) if (gold == c).any()]
    macro = sum(per_class) / len(per_class)

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB

    blas_libs = loaded_blas_libraries()
    m = [
        # Tokenization does not depend on the model or torch's threads: filed under the tokenizer scheme
        # ("word") at 1 thread, where ML.NET's and our tokenizers' figures are filed too.
        dict(task="tokenize", model="word", threads=1, metric="mb_per_s", value=text_bytes / 1e6 / t_tok_steady,
             detail=dict(bytes=text_bytes, seconds=t_tok_steady, per_pass_s=tok_times, first_pass_s=t_tok,
                         rows=len(train_texts), vocab_size=len(itos))),
        dict(task="tokenize", model="word", threads=1, metric="mb_per_s_first_pass", value=text_bytes / 1e6 / t_tok,
             detail=dict(what="the pass inside the end-to-end clock (first of the process)")),
        dict(task="train", metric="samples_per_s", value=statistics.median(epoch_rates),
             detail=dict(per_epoch=epoch_rates, loss_per_epoch=epoch_losses)),
        dict(task="e2e", metric="wall_s", value=e2e_s,
             detail=dict(read_s=t_read, tokenize_s=t_tok, epochs=args.epochs)),
        dict(task="e2e", metric="startup_s", value=IMPORT_S, detail=dict(what="import torch")),
        dict(task="accuracy", metric="micro_accuracy", value=accuracy, detail=dict(rows=len(gold))),
        dict(task="accuracy", metric="macro_accuracy", value=macro),
        dict(task="infer", metric="seq_per_s", value=len(test_ds) / infer_s,
             detail=dict(batch=args.infer_batch, rows=len(test_ds), seconds=infer_s, per_pass_s=pass_s)),
        dict(task="infer", metric="latency_p50_ms", value=percentile(lat_ms, 50), detail=dict(calls=len(lat_ms))),
        dict(task="infer", metric="latency_p99_ms", value=percentile(lat_ms, 99), detail=dict(calls=len(lat_ms))),
        dict(task="rss", metric="peak_rss_mb", value=peak_rss_mb),
    ]
    env = dict(
        torch=torch.__version__,
        python=platform.python_version(),
        blas=blas_summary(blas_libs),
        blas_libs=blas_libs,
        blas_build=config_blas_info(),
        mkldnn=torch.backends.mkldnn.is_available(),
        torch_threads=torch.get_num_threads(),
        omp_num_threads=os.environ.get("OMP_NUM_THREADS"),
        cpu=cpu_model(),
        cores=os.cpu_count(),
        epochs=args.epochs, min_freq=args.min_freq, max_rows=args.max_rows, max_len=args.max_len, seed=args.seed,
        lr=args.lr, batch_size=args.batch_size,
    )
    line = dict(side="pytorch", model=args.model, threads=args.threads, run=args.run, measurements=m, env=env)
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()

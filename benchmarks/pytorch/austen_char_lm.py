#!/usr/bin/env python3
"""Austen character language model: the PyTorch script for the harness's `lm` row.

The same work as MLNet.Recurrent.Benchmarks' `--suite lm` (benchmarks/README.md): the Austen train paragraphs
(each + "\\n") concatenated into one stream of character ids (id 0 = <pad>, 1 = <unk>, then characters by
frequency), cut into 32 parallel streams and 64-character windows with the LSTM state carried (detached) between
consecutive windows; Embedding(V, 64) -> 2-layer LSTM(256) -> Linear(V); Adam lr 0.008 decaying linearly to 0 over
the time budget, gradient clipping at norm 1; trained for a fixed wall-clock budget (smoke 10 s, quick 60 s, full
300 s). Then bits per character on the test paragraphs (each scored from the zero state, predicting every character
after the first) and generation speed (one stream, 2,000 characters at temperature 0.8, state carried).

Output: one JSON line (bundle form) on stdout; logs on stderr.
"""

import argparse
import time

_t_import = time.perf_counter()
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

IMPORT_S = time.perf_counter() - _t_import

import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from austen_lstm import blas_summary, loaded_blas_libraries, read_tsv_gz  # noqa: E402

BUDGETS = {"smoke": 10.0, "quick": 60.0, "full": 300.0}


class CharLstm(nn.Module):
    def __init__(self, vocab, emb=64, hidden=256, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embedding(x), state)
        return self.decoder(out), state


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", nargs="?", default="quick", choices=sorted(BUDGETS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-rows", type=int, default=None)
    ap.add_argument("--budget", type=float, default=None, help="seconds of training (default: by mode)")
    ap.add_argument("--run", type=int, default=0)
    ap.add_argument("--data-dir", default=os.environ.get("AUSTEN_DATA_DIR", "/work/shared/data/austen"))
    args = ap.parse_args()
    budget = args.budget or BUDGETS[args.mode]
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    _, train_texts = read_tsv_gz(os.path.join(args.data_dir, "austen_train.tsv.gz"), args.max_rows)
    _, test_texts = read_tsv_gz(os.path.join(args.data_dir, "austen_test.tsv.gz"), args.max_rows)
    train_texts = [t + "\n" for t in train_texts]
    test_texts = [t + "\n" for t in test_texts]
    counts = Counter()
    for t in train_texts:
        counts.update(t)
    itos = ["<pad>", "<unk>"] + sorted(counts, key=lambda c: (-counts[c], c))
    stoi = {c: i for i, c in enumerate(itos)}
    V = len(itos)
    stream = torch.tensor([stoi[c] for t in train_texts for c in t], dtype=torch.long)

    B, T = 32, 64
    per_stream = (len(stream) - 1) // B
    xs = stream[: B * per_stream].view(B, per_stream)
    ys = stream[1 : B * per_stream + 1].view(B, per_stream)
    windows = per_stream // T

    model = CharLstm(V)
    # The same start as TrainLanguageModel: output bias = log of the add-one-smoothed training character frequencies.
    freq = torch.bincount(stream, minlength=V).double() + 1
    with torch.no_grad():
        model.decoder.bias.copy_((freq / freq.sum()).log())
    opt = torch.optim.Adam(model.parameters(), lr=0.008)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    t0 = time.perf_counter()
    chars, epoch, done = 0, 0, False
    epoch_rates = []
    while not done:
        epoch += 1
        state = None
        t_ep, ep_chars = time.perf_counter(), 0
        for w in range(windows):
            elapsed = time.perf_counter() - t0
            if elapsed >= budget:
                done = True
                break
            for g in opt.param_groups:
                g["lr"] = 0.008 * max(0.0, 1.0 - elapsed / budget)
            x, y = xs[:, w * T : (w + 1) * T], ys[:, w * T : (w + 1) * T]
            opt.zero_grad()
            logits, state = model(x, state)
            state = tuple(s.detach() for s in state)
            loss = loss_fn(logits.reshape(-1, V), y.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            ep_chars += B * T
        epoch_rates.append(ep_chars / (time.perf_counter() - t_ep))
        chars += ep_chars
        log(f"[pytorch char_lm] epoch {epoch}: loss {loss.item() / math.log(2):.3f} bits/char, {epoch_rates[-1]:,.0f} chars/s")
    train_s = time.perf_counter() - t0

    model.eval()
    total_nats, predicted, n_chars = 0.0, 0, 0
    with torch.no_grad():
        for i in range(0, len(test_texts), 32):
            batch = [[stoi.get(c, 1) for c in t] for t in test_texts[i : i + 32]]
            for ids in batch:
                n_chars += len(ids)
            L = max(len(b) for b in batch)
            x = torch.zeros(len(batch), L, dtype=torch.long)
            for j, b in enumerate(batch):
                x[j, : len(b)] = torch.tensor(b)
            logits, _ = model(x[:, :-1])
            logp = torch.log_softmax(logits, dim=-1).gather(2, x[:, 1:].unsqueeze(2)).squeeze(2)
            for j, b in enumerate(batch):
                total_nats -= logp[j, : len(b) - 1].sum().item()
                predicted += len(b) - 1
    bpc = total_nats / math.log(2) / predicted

    prompt = "It is a truth universally acknowledged, that "

    def generate(n, seed):
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            logits, state = model(torch.tensor([[stoi.get(c, 1) for c in prompt]]))
            out = []
            for _ in range(n):
                probs = torch.softmax(logits[0, -1] / 0.8, dim=-1)
                nxt = torch.multinomial(probs, 1, generator=g)
                out.append(itos[nxt.item()])
                logits, state = model(nxt.view(1, 1), state)
        return "".join(out)

    generate(50, 2)
    t_gen = time.perf_counter()
    generated = len(generate(2000, 2))
    gen_s = time.perf_counter() - t_gen

    blas_libs = loaded_blas_libraries()
    m = [
        dict(task="lm", metric="bits_per_char", value=bpc,
             detail=dict(predicted_chars=predicted, rows=len(test_texts), budget_s=budget, epochs=epoch)),
        dict(task="lm", metric="train_chars_per_s", value=sorted(epoch_rates)[len(epoch_rates) // 2], detail=dict(per_epoch=epoch_rates)),
        dict(task="lm", metric="train_s", value=train_s, detail=dict(budget_s=budget)),
        dict(task="lm", metric="generate_chars_per_s", value=generated / gen_s, detail=dict(chars=generated, seconds=gen_s)),
        dict(task="rss", metric="peak_rss_mb", value=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0),
    ]
    env = dict(torch=torch.__version__, python=platform.python_version(), blas=blas_summary(blas_libs), blas_libs=blas_libs,
               torch_threads=torch.get_num_threads(), import_s=IMPORT_S)
    print(json.dumps(dict(side="pytorch", model="char_lm", threads=args.threads, run=args.run, measurements=m, env=env)), flush=True)


if __name__ == "__main__":
    main()

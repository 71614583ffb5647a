#!/usr/bin/env python3
"""Turns the accuracy suite's JSON lines into benchmarks/accuracy.json and the generated part of docs/accuracy.md.

    python3 benchmarks/accuracy/report.py RAW.jsonl [RAW2.jsonl ...] [--results benchmarks/accuracy.json]
                                          [--doc docs/accuracy.md] [--note "..."]
    python3 benchmarks/accuracy/report.py RAW.jsonl --check --expect "ours-defaults sdca"

Standard library only. Input lines (benchmarks/accuracy/run.sh writes them all into raw.jsonl): "set" (a set's
meta.json), "recipe" (the effective options of each ours-* side), "result" / "error" (one run), "meta" (machine,
commands). Per (set, side) the report gives mean and spread (sample standard deviation) over the seeds that ran.
Runs with --label-fraction F < 1 (label_fraction in the line) are grouped apart, under the key "SIDE@F" (column
"..., F of the labels"); with ours-ulmfit results a section gives the gain of language-model pretraining per set
(ours-ulmfit minus ours-defaults at the same label fraction).
--check exits 1 unless every set has a result with finite metrics for every --expect side (at any label fraction)
and no run failed.
"""

import argparse
import re
import datetime
import json
import math
import os
import statistics
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = "<!-- BEGIN GENERATED: benchmarks/accuracy/report.py -->"
END = "<!-- END GENERATED: benchmarks/accuracy/report.py -->"
SET_ORDER = ("austen", "wordnet", "bible-book", "bible-testament", "brown", "spam", "sotu-year", "debian-section")
SIDES = ("ours-defaults", "ours-best", "sdca", "pytorch-defaults", "pytorch-best", "ours-ulmfit")
SIDE_TITLES = {
    "ours-defaults": "ours, defaults",
    "ours-best": "ours, best recipe",
    "sdca": "ML.NET FeaturizeText + SDCA",
    "pytorch-defaults": "PyTorch, our defaults' recipe",
    "pytorch-best": "PyTorch, best recipe",
    "ours-ulmfit": "ours, defaults + LM pretraining",
}
# metric -> (title, higher is better, format)
METRICS = {
    "micro_accuracy": ("Micro accuracy", True, "pct"),
    "macro_accuracy": ("Macro accuracy", True, "pct"),
    "log_loss": ("Log-loss", False, "f3"),
    "rmse": ("RMSE", False, "f2"),
    "r2": ("R²", True, "f3"),
    "mae": ("MAE", False, "f2"),
    "fit_s": ("Fit time (s)", False, "f1"),
}


def read_lines(paths):
    lines = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for raw in f:
                raw = raw.strip()
                if raw.startswith("{"):
                    try:
                        lines.append(json.loads(raw))
                    except json.JSONDecodeError:
                        pass
    return lines


def label_fraction(d):
    """A line's --label-fraction: None for all labels (also lines written before the option existed)."""
    f = d.get("label_fraction")
    return None if f is None or f >= 1 else f


def side_key(side, fraction):
    return side if fraction is None else f"{side}@{fraction:g}"


def split_key(key):
    """(side, label fraction or None) of a table key."""
    side, _, fraction = key.partition("@")
    return side, (float(fraction) if fraction else None)


def side_title(key):
    side, fraction = split_key(key)
    title = SIDE_TITLES.get(side, side)
    return title if fraction is None else f"{title}, {fraction:g} of the labels"


def side_order(keys):
    """The table's sides: SIDES order, each side's full-label column first, then its label fractions, largest first."""
    def rank(key):
        side, fraction = split_key(key)
        return (SIDES.index(side) if side in SIDES else len(SIDES), side, -(fraction if fraction is not None else 1.0))
    return sorted(keys, key=rank)


def summarize(values):
    values = [v for v in values if v is not None and isinstance(v, (int, float)) and math.isfinite(v)]
    if not values:
        return None
    return dict(mean=statistics.fmean(values), sd=statistics.stdev(values) if len(values) > 1 else 0.0,
                n=len(values), values=values)


def aggregate(lines):
    sets, recipes, results, errors, machines = {}, {}, {}, [], []
    for d in lines:
        kind = d.get("kind")
        if kind == "set":
            sets[d["name"]] = d
        elif kind == "recipe":
            recipes[(d["set"], d["side"])] = d
        elif kind == "result":
            results.setdefault((d["set"], side_key(d["side"], label_fraction(d))), []).append(d)
        elif kind == "error":
            errors.append(d)
        elif kind == "meta" and "machine" in d:
            machines.append(d["machine"])
    table = {}
    for (s, side), runs in sorted(results.items()):
        metrics = {}
        for m in sorted({k for r in runs for k in r["metrics"]}):
            metrics[m] = summarize([r["metrics"].get(m) for r in runs])
        metrics["fit_s"] = summarize([r.get("fit_s") for r in runs])
        entry = dict(seeds=[r["seed"] for r in runs], recipe=runs[0].get("recipe"), metrics=metrics,
                     epochs_run=sorted({r.get("epochs_run") for r in runs if r.get("epochs_run") is not None}))
        unmirrored = {k: v for r in runs for k, v in (r.get("unmirrored_options") or {}).items()}
        if unmirrored:
            entry["unmirrored_options"] = unmirrored
        if any(r.get("epochs_override") for r in runs):
            entry["epochs_override"] = runs[0].get("epochs_override")
        # Only for the new runs (other labels than all, or a language model), so existing entries stay as they were.
        base, fraction = split_key(side)
        if fraction is not None:
            entry["side"] = base
            entry["label_fraction"] = fraction
            entry["labelled_rows"] = sorted({r.get("labelled_rows") for r in runs if r.get("labelled_rows") is not None})
            unseen = [r.get("test_rows_unseen_label") for r in runs if r.get("test_rows_unseen_label")]
            if unseen:
                entry["test_rows_unseen_label"] = sorted(set(unseen))
        if any(r.get("lm_fit_s") is not None for r in runs):
            entry["lm_fit_s"] = summarize([r.get("lm_fit_s") for r in runs])
            entry["lm_minutes"] = sorted({(r.get("lm") or {}).get("minutes") for r in runs} - {None})
            entry["lm_epochs_seen"] = summarize([(r.get("lm") or {}).get("epochs_seen") for r in runs])
            entry["lm_final_train_perplexity"] = summarize([(r.get("lm") or {}).get("final_train_perplexity") for r in runs])
        table.setdefault(s, {})[side] = entry
    return sets, recipes, table, errors, machines


def fmt(summary, kind):
    if summary is None:
        return "n/a"
    mean, sd, n = summary["mean"], summary["sd"], summary["n"]
    if kind == "pct":
        text = f"{100 * mean:.1f}%" + (f" ± {100 * sd:.1f}" if n > 1 else "")
    else:
        digits = int(kind[1:])
        text = f"{mean:.{digits}f}" + (f" ± {sd:.{digits}f}" if n > 1 else "")
    return text


def metric_table(metric, set_names, table, sets, sides):
    title, higher, kind = METRICS[metric]
    head = "| set | " + " | ".join(side_title(s) for s in sides) + " |"
    rows = [head, "|---|" + "---|" * len(sides)]
    for name in set_names:
        cells = []
        means = {s: (table.get(name, {}).get(s, {}).get("metrics", {}).get(metric) or {}).get("mean") for s in sides}
        known = [v for v in means.values() if v is not None]
        best = (max(known) if higher else min(known)) if known and metric != "fit_s" else None
        for s in sides:
            summary = table.get(name, {}).get(s, {}).get("metrics", {}).get(metric)
            text = fmt(summary, kind)
            if best is not None and means[s] == best and len(known) > 1:
                text = f"**{text}**"
            cells.append(text)
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return rows


def verdict(name, task, table):
    """Does ours-defaults beat SDCA on this set: micro and macro accuracy (classification) or RMSE (regression)?"""
    ours, sdca = table.get(name, {}).get("ours-defaults"), table.get(name, {}).get("sdca")
    if not ours or not sdca:
        return "n/a"
    def mean(e, m):
        return (e["metrics"].get(m) or {}).get("mean")
    if task == "regression":
        a, b = mean(ours, "rmse"), mean(sdca, "rmse")
        if a is None or b is None:
            return "n/a"
        return ("yes" if a < b else "**no**") + f" (RMSE {a - b:+.2f})"
    parts, ok = [], True
    for m in ("micro_accuracy", "macro_accuracy"):
        a, b = mean(ours, m), mean(sdca, m)
        if a is None or b is None:
            return "n/a"
        ok &= a > b
        parts.append(f"{m.split('_')[0]} {100 * (a - b):+.1f}")
    return ("yes" if ok else "**no**") + " (" + ", ".join(parts) + " points)"


def render(sets, recipes, table, errors, machines, note):
    names = sorted(set(sets) | set(table), key=lambda n: (SET_ORDER.index(n) if n in SET_ORDER else len(SET_ORDER), n))
    classif = [n for n in names if sets.get(n, {}).get("task") != "regression"]
    regress = [n for n in names if sets.get(n, {}).get("task") == "regression"]
    sides = side_order({s for n in names for s in table.get(n, {})})
    seeds = sorted({seed for n in table for e in table[n].values() for seed in e["seeds"]})
    machine = machines[-1] if machines else {}
    runs = "; ".join(f"`{m.get('command', 'benchmarks/run.sh accuracy')}` (commit {m.get('commit', '?')}, "
                     f"{m.get('threads', '?')} thread(s) per run, load average at start {m.get('load_average_at_start', '?')})"
                     for m in machines) or "`benchmarks/run.sh accuracy`"
    out = [BEGIN, "",
           f"_Generated {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by "
           f"`benchmarks/accuracy/report.py` from {runs}; {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores; "
           f"seeds {', '.join(map(str, seeds))}. Each cell: mean ± sample standard deviation over the seeds "
           f"(no ± with one seed); bold: the best side of the row._", ""]
    if note:
        out += [f"> {note}", ""]

    out += ["### The sets", "",
            "| set | task | train / test rows | classes | words per row: mean (median, 90th pct) | largest / smallest class (train) | source |",
            "|---|---|---|---|---|---|---|"]
    for n in names:
        m = sets.get(n, {})
        w = m.get("words_per_row", {})
        classes = m.get("classes", "—") if m.get("task") != "regression" else \
            f"— (label {m.get('label', {}).get('min', '?'):.0f}–{m.get('label', {}).get('max', '?'):.0f}, sd {m.get('label', {}).get('std', '?')})"
        shares = f"{100 * m['largest_class_share']:.1f}% / {100 * m['smallest_class_share']:.2f}%" if "largest_class_share" in m else "—"
        out.append(f"| {n} | {m.get('task', '?')} | {m.get('train_rows', '?'):,} / {m.get('test_rows', '?'):,} | {classes} | "
                   f"{w.get('mean', '?')} ({w.get('median', '?')}, {w.get('p90', '?')}) | {shares} | {m.get('source', '?')} |")
    out.append("")

    if classif:
        out += ["### Classification", ""]
        for metric in ("micro_accuracy", "macro_accuracy", "log_loss", "fit_s"):
            out += [f"**{METRICS[metric][0]}**" + (" (multiclass: natural log; binary: base 2, as ML.NET reports it)" if metric == "log_loss" else ""), ""]
            out += metric_table(metric, classif, table, sets, sides) + [""]
    if regress:
        out += ["### Regression", ""]
        for metric in ("rmse", "r2", "fit_s"):
            out += [f"**{METRICS[metric][0]}**", ""]
            out += metric_table(metric, regress, table, sets, sides) + [""]

    out += ["### Do the defaults beat FeaturizeText + SDCA?", "",
            "`ours, defaults` against `ML.NET FeaturizeText + SDCA` on the mean over the seeds: micro **and** macro accuracy "
            "higher (classification), RMSE lower (regression).", "", "| set | defaults beat SDCA? |", "|---|---|"]
    for n in names:
        out.append(f"| {n} | {verdict(n, sets.get(n, {}).get('task'), table)} |")
    out.append("")

    out += pretraining_section(names, sets, table)

    out += ["### Recipes", ""]
    best_names = sorted({e.get("recipe") for n in table for s, e in table[n].items() if s == "ours-best"} - {None})
    per_set = {n: table[n].get("ours-best", {}).get("recipe") for n in names if "ours-best" in table.get(n, {})}
    if per_set:
        out += ["ours-best per set: " + "; ".join(f"{n} = `{r}`" for n, r in per_set.items()) + ".", ""]
    defaults = next((r for (n, s), r in recipes.items() if s == "ours-defaults"), None)
    if defaults:
        opts = defaults["options"]
        out += ["The defaults as the trainer received them (short overload) and the tokenizer's: "
                + "; ".join(f"{part} " + ", ".join(f"{k} {json.dumps(v)}" for k, v in opts[part].items()
                                                   if k not in ("LabelColumnName", "FeatureColumnName"))
                            for part in ("tokenizer", "trainer")) + ".", ""]
    for name in best_names:
        r = next((r for (n, s), r in recipes.items() if r.get("recipe") == name), None)
        if r:
            base = defaults["options"] if defaults else {"tokenizer": {}, "trainer": {}}
            diff = [f"{part}.{k} {json.dumps(v)}" for part in ("tokenizer", "trainer")
                    for k, v in r["options"][part].items() if base[part].get(k) != v]
            out.append(f"- `{name}`: differs from the defaults in " + (", ".join(diff) or "nothing") + ".")
    if best_names:
        out.append("")
    unm = {(n, s): e["unmirrored_options"] for n in table for s, e in table[n].items() if e.get("unmirrored_options")}
    if unm:
        out += ["**Not mirrored by the PyTorch script** (those runs differ from ours there): "
                + "; ".join(f"{n}/{s}: {json.dumps(v)}" for (n, s), v in unm.items()), ""]
    if errors:
        out += ["**Failed runs:** " + "; ".join(f"{e.get('set')}/{e.get('side')} seed {e.get('seed')}: {e.get('error')}" for e in errors), ""]
    out.append(END)
    return "\n".join(out) + "\n"


def pretraining_section(names, sets, table):
    """ours-ulmfit against ours-defaults at the same label fraction, per set: the gain of language-model pretraining."""
    fractions = sorted({split_key(k)[1] for n in names for k in table.get(n, {}) if split_key(k)[0] == "ours-ulmfit"},
                       key=lambda f: -(f if f is not None else 1.0))
    if not fractions:
        return []
    out = ["### Language-model pretraining (ULMFiT)", "",
           "`ours-ulmfit`: the defaults plus `PretrainedLanguageModel`, a language model trained first on every training text "
           "(the tokenizer too is fitted on every training text), against `ours-defaults` trained on the same labelled rows. "
           "Gain: ulmfit minus defaults, means over the seeds (accuracy in points, higher is better; RMSE: lower is better). "
           "The ulmfit fit time includes the language model's.", ""]
    def mean(e, m):
        return ((e or {}).get("metrics", {}).get(m) or {}).get("mean")
    for f in fractions:
        label = "all labels" if f is None else f"{f:g} of the labels"
        out += [f"**{label}**", "",
                "| set | labelled rows | LM minutes (epochs) | defaults | ulmfit | gain | fit s: defaults / ulmfit (LM) |",
                "|---|---|---|---|---|---|---|"]
        for n in names:
            ulm = table.get(n, {}).get(side_key("ours-ulmfit", f))
            if not ulm:
                continue
            dflt = table.get(n, {}).get(side_key("ours-defaults", f))
            rows = ", ".join(f"{r:,}" for r in ulm.get("labelled_rows", [])) or f"{sets.get(n, {}).get('train_rows', '?'):,}"
            epochs = (ulm.get("lm_epochs_seen") or {}).get("mean")
            lm = ", ".join(f"{m:g}" for m in ulm.get("lm_minutes", [])) + (f" ({epochs:.1f})" if epochs is not None else "")
            if sets.get(n, {}).get("task") == "regression":
                show = lambda e: fmt((e or {}).get("metrics", {}).get("rmse"), "f2") if e else "n/a"
                gain = "n/a" if mean(dflt, "rmse") is None or mean(ulm, "rmse") is None else f"RMSE {mean(ulm, 'rmse') - mean(dflt, 'rmse'):+.2f}"
            else:
                show = lambda e: (" / ".join(fmt(e["metrics"].get(m), "pct") for m in ("micro_accuracy", "macro_accuracy"))) if e else "n/a"
                parts = []
                for m in ("micro_accuracy", "macro_accuracy"):
                    a, b = mean(ulm, m), mean(dflt, m)
                    parts.append("n/a" if a is None or b is None else f"{m.split('_')[0]} {100 * (a - b):+.1f}")
                gain = ", ".join(parts)
            fit = f"{fmt((dflt or {}).get('metrics', {}).get('fit_s'), 'f1') if dflt else 'n/a'} / " \
                  f"{fmt(ulm['metrics'].get('fit_s'), 'f1')} ({fmt(ulm.get('lm_fit_s'), 'f1')})"
            out.append(f"| {n} | {rows} | {lm} | {show(dflt)} | {show(ulm)} | {gain} | {fit} |")
        out.append("")
    out += ["Classification cells: micro / macro accuracy.", ""]
    return out


def write_doc(path, section):
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + section
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def check(table, sets, errors, expect):
    problems = [f"{e.get('set')}/{e.get('side')}: {e.get('error')}" for e in errors]
    for n in sets:
        for side in expect:
            # The side at any label fraction.
            entries = [(k, e) for k, e in table.get(n, {}).items() if split_key(k)[0] == side]
            if not entries:
                problems.append(f"{n}/{side}: no result")
                continue
            wanted = ("rmse", "r2") if sets[n].get("task") == "regression" else ("micro_accuracy", "macro_accuracy", "log_loss")
            for key, entry in entries:
                for m in wanted:
                    if not entry["metrics"].get(m):
                        problems.append(f"{n}/{key}: {m} missing or not finite")
    for p in problems:
        print(f"[report] CHECK FAILED: {p}", file=sys.stderr)
    print(f"[report] check: {len(sets)} set(s) x {len(expect)} side(s): "
          + ("all results present and finite" if not problems else f"{len(problems)} problem(s)"), file=sys.stderr)
    return not problems


def carry_over(path, sides, sets, recipes, table, machines):
    """Adds the entries of `sides` from an earlier results file where `table` has none, with their sets' descriptions,
    recipes and the machine lines of the runs that made them (those whose command names the side and its label fraction)."""
    with open(path, encoding="utf-8") as f:
        old = json.load(f)
    carried = set()
    for name, entries in old.get("results", {}).items():
        for key in sides:
            if key in entries and key not in table.get(name, {}):
                table.setdefault(name, {})[key] = entries[key]
                carried.add(key)
                if name not in sets and name in old.get("sets", {}):
                    sets[name] = old["sets"][name]
    for key, recipe in old.get("recipes", {}).items():
        name, _, side = key.partition("/")
        if (name, side) not in recipes:
            recipes[(name, side)] = recipe
    def made(machine, key):
        side, fraction = split_key(key)
        command = machine.get("command", "")
        label = re.search(r"ACC_LABEL_FRACTION=(\S+)", command)
        return side in command and (float(label.group(1)) if label else None) == fraction

    for machine in old.get("machines", []):
        if any(made(machine, key) for key in carried) and machine not in machines:
            machines.append(machine)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", nargs="+")
    ap.add_argument("--results", default=os.path.join(REPO, "benchmarks", "accuracy.json"))
    ap.add_argument("--doc", default=os.path.join(REPO, "docs", "accuracy.md"))
    ap.add_argument("--note", default=None, help="a line printed above the tables (e.g. 'one seed, busy machine')")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--expect", default="ours-defaults ours-best sdca")
    ap.add_argument("--keep", default=None, metavar="ACCURACY_JSON",
                    help="an earlier results file whose entries for --keep-sides are carried over where the raw lines have none "
                         "(a partial re-run: e.g. the defaults and SDCA again, the PyTorch side as measured before)")
    ap.add_argument("--keep-sides", default="", help="table keys to carry over from --keep, e.g. 'pytorch-defaults ours-ulmfit@0.1'")
    args = ap.parse_args()
    sets, recipes, table, errors, machines = aggregate(read_lines(args.raw))
    if args.keep:
        carry_over(args.keep, args.keep_sides.split(), sets, recipes, table, machines)
    if args.check:
        sys.exit(0 if check(table, sets, errors, args.expect.split()) else 1)
    results = dict(generated=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                   machines=machines, note=args.note, sets=sets,
                   recipes={f"{n}/{s}": r for (n, s), r in recipes.items()}, results=table,
                   errors=errors)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    write_doc(args.doc, render(sets, recipes, table, errors, machines, args.note))
    print(f"[report] wrote {args.results} and the generated section of {args.doc}", file=sys.stderr)


if __name__ == "__main__":
    main()

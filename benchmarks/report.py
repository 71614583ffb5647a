#!/usr/bin/env python3
"""Turns the benchmark JSON lines into benchmarks/results.json and a generated section of docs/benchmarks.md.

    python3 benchmarks/report.py RAW.jsonl [--mode quick] [--command "benchmarks/run.sh quick"]
                                 [--results benchmarks/results.json] [--doc docs/benchmarks.md]
    python3 benchmarks/report.py --from-results [--results benchmarks/results.json] [--doc docs/benchmarks.md]

Standard library only. Input: the lines printed by every side (schema in benchmarks/README.md), plus the
"meta" lines run.sh writes (the command behind each measurement and machine information). Lines that are
not JSON objects are ignored, so raw logs can be fed in as they are.

Every row compares "ours" with "pytorch" and "mlnet" on the same (task, metric, model, threads); a side
that has no figure shows "n/a" -- nothing here depends on which sides actually ran. The doc gets one compact
table (median and range per cell); every value, its detail and the commands stay in results.json.
--from-results re-renders the doc's section from an existing results.json (e.g. after a format change).
"""

import argparse
import datetime
import json
import os
import re
import statistics
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- BEGIN GENERATED: benchmarks/report.py -->"
END = "<!-- END GENERATED: benchmarks/report.py -->"
SIDES = ("ours", "pytorch", "mlnet")

# (task, metric) -> (title, short label for the generated table, unit, higher_is_better).
# Unknown pairs still get rows (see direction()).
METRICS = {
    ("e2e", "startup_s"): ("Start-up before the end-to-end clock (import torch / runtime + native load)", "start-up", "s", False),
    ("e2e", "wall_s"): ("End-to-end: raw TSV.gz -> trained model", "end-to-end", "s", False),
    ("train", "fit_s"): ("Fit time (Fit call only, data in memory)", "fit", "s", False),
    ("train", "samples_per_s"): ("Training throughput (median over epochs)", "training", "samples/s", True),
    ("infer", "seq_per_s"): ("Batched inference over the test set", "batched inference", "seq/s", True),
    ("infer", "latency_p50_ms"): ("Single-row latency p50", "latency p50", "ms", False),
    ("infer", "latency_p99_ms"): ("Single-row latency p99", "latency p99", "ms", False),
    ("tokenize", "mb_per_s"): ("Tokenization + vocabulary mapping of the train texts (steady: median of the timed passes after warm-up passes)", "tokenization, steady", "MB/s", True),
    ("tokenize", "mb_per_s_first_pass"): ("Tokenization + vocabulary mapping: the first full pass of the process (.NET: partly unoptimized JIT code)", "tokenization, first pass", "MB/s", True),
    ("accuracy", "micro_accuracy"): ("Test micro-accuracy", "micro-accuracy", "", True),
    ("accuracy", "macro_accuracy"): ("Test macro-accuracy", "macro-accuracy", "", True),
    ("rss", "peak_rss_mb"): ("Peak RSS of the process", "peak RSS", "MiB", False),
    ("lm", "bits_per_char"): ("Character LM: held-out bits per character after the same training time budget", "char LM held-out", "bits/char", False),
    ("lm", "train_chars_per_s"): ("Character LM: training throughput (median over epochs)", "char LM training", "chars/s", True),
    ("lm", "generate_chars_per_s"): ("Character LM: generation, one stream, state carried", "char LM generation", "chars/s", True),
    ("lm", "train_s"): ("Character LM: training wall time (the budget, plus the batch that crosses it)", "char LM training time", "s", False),
}
TASK_ORDER = ["e2e", "train", "infer", "tokenize", "accuracy", "rss", "lm"]

# Cross-model baselines: for these (task, metric), an "ours" row whose model has no ML.NET twin is compared
# with ML.NET's FeaturizeText + SdcaMaximumEntropy (the number to beat in the trainers issue).
MLNET_CROSS_BASELINE = {
    ("accuracy", "micro_accuracy"): "featurize_sdca",
    ("accuracy", "macro_accuracy"): "featurize_sdca",
    ("e2e", "wall_s"): "featurize_sdca",
}


def direction(task, metric):
    """True when higher is better."""
    if (task, metric) in METRICS:
        return METRICS[(task, metric)][3]
    return not re.search(r"(_s|_ms|_mb|_bytes|loss|perplexity|bits_per_char|bpc)$", metric)


# ---------------------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------------------


def read_lines(paths):
    """Yields JSON objects from the given files (non-JSON lines skipped)."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    yield obj


def normalize(objs):
    """Splits input into (measurement rows, meta lines). Bundles are expanded into single measurements."""
    rows, metas = [], []
    for o in objs:
        if o.get("kind") == "meta":
            metas.append(o)
            continue
        items = o.get("measurements")
        if isinstance(items, list):  # bundle form: shared fields at the top level
            shared = {k: v for k, v in o.items() if k != "measurements"}
            items = [{**shared, **m} for m in items if isinstance(m, dict)]
        else:
            items = [o]
        for m in items:
            missing = [k for k in ("side", "task", "model", "threads", "metric", "value") if k not in m]
            if missing:
                print(f"report.py: skipping a line without {missing}: {json.dumps(m)[:200]}", file=sys.stderr)
                continue
            if not isinstance(m["value"], (int, float)) or m["value"] != m["value"]:  # NaN
                print(f"report.py: skipping a non-numeric value: {json.dumps(m)[:200]}", file=sys.stderr)
                continue
            m.setdefault("run", 0)
            rows.append(m)
    return rows, metas


# ---------------------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------------------


def summarize(rows):
    """{(task, metric, model, threads, side): {median, min, max, n, values}}"""
    groups = {}
    for r in rows:
        key = (r["task"], r["metric"], str(r["model"]), int(r["threads"]), r["side"])
        groups.setdefault(key, []).append(float(r["value"]))
    return {
        k: dict(median=statistics.median(v), min=min(v), max=max(v), n=len(v), values=v) for k, v in groups.items()
    }


def mlnet_baseline(summary, task, metric):
    model = MLNET_CROSS_BASELINE.get((task, metric))
    if model is None:
        return None
    cands = [v for (t, m, mo, th, s), v in summary.items() if (t, m, mo, s) == (task, metric, model, "mlnet")]
    return max(cands, key=lambda v: v["n"]) if cands else None


def compare(summary):
    """One row per (task, metric, model, threads) with every side's stats and the ours/theirs ratios."""
    order = list(METRICS)

    def sort_key(k):
        task, metric, model, threads = k
        return (TASK_ORDER.index(task) if task in TASK_ORDER else len(TASK_ORDER), task,
                order.index((task, metric)) if (task, metric) in order else len(order), metric, model, threads)

    keys = sorted({k[:4] for k in summary}, key=sort_key)
    out = []
    for task, metric, model, threads in keys:
        row = dict(task=task, metric=metric, model=model, threads=threads, higher_is_better=direction(task, metric))
        for side in SIDES:
            row[side] = summary.get((task, metric, model, threads, side))
        ours = row["ours"]
        row["ratio_pytorch"] = ours["median"] / row["pytorch"]["median"] if ours and row["pytorch"] and row["pytorch"]["median"] else None
        theirs, row["mlnet_reference"] = row["mlnet"], None
        if theirs is None and ours is not None:
            theirs = mlnet_baseline(summary, task, metric)
            if theirs is not None:
                row["mlnet_reference"] = MLNET_CROSS_BASELINE[(task, metric)]
        row["ratio_mlnet"] = ours["median"] / theirs["median"] if ours and theirs and theirs["median"] else None
        out.append(row)
    return out


# ---------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------


def fmt_num(x):
    if x is None:
        return "n/a"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def fmt_stats(s, unit, reps=None):
    """'median (min–max)'; n is added where it differs from the run's repetitions, the range dropped where empty."""
    if s is None:
        return "n/a"
    if unit == "" and 0 <= s["median"] <= 1:  # accuracies as percentages
        med, lo, hi = (f"{100 * s[k]:.1f}%" for k in ("median", "min", "max"))
    else:
        med, lo, hi = fmt_num(s["median"]), fmt_num(s["min"]), fmt_num(s["max"])
    text = med if lo == hi else f"{med} ({lo}–{hi})"
    return text if s["n"] == reps else f"{text}, n={s['n']}"


def fmt_ratio(r, higher_is_better):
    if r is None:
        return "n/a"
    better = r >= 1 if higher_is_better else r <= 1
    return f"{r:.2f}x {'✓' if better else '✗'}"


def machine_info(metas, rows):
    info = {}
    for m in metas:
        if isinstance(m.get("machine"), dict):
            info.update(m["machine"])
        elif "command" not in m:  # run.sh's closing line: elapsed time, load average at the end
            info.update({k: v for k, v in m.items() if k != "kind"})
    blas, versions = {}, {}
    for r in rows:
        env = r.get("env") or {}
        if env.get("blas"):
            blas.setdefault(r["side"], set()).add(str(env["blas"]))
        for key in ("torch", "libtorch", "torchsharp", "mlnet", "runtime", "python"):
            if env.get(key):
                versions.setdefault(f"{key} ({r['side']} side)", set()).add(str(env[key]).split("+")[0])
    info.update({k: ", ".join(sorted(v)) for k, v in sorted(versions.items())})
    info["blas_by_side"] = {k: sorted(v) for k, v in blas.items()}
    return info


def commands(metas):
    seen, out = set(), []
    for m in metas:
        cmd = m.get("command")
        if not cmd:
            continue
        cmd = re.sub(r" --run \d+", "", cmd)  # the repetition index is the only thing that varies
        if cmd not in seen:
            seen.add(cmd)
            out.append((m.get("side", "?"), cmd))
    return out


def repetitions(machine, comparisons):
    """The run's repetition count: from run.sh's meta line, else the most common n of the cells."""
    try:
        return int(machine.get("repetitions"))
    except (TypeError, ValueError):
        ns = [c[side]["n"] for c in comparisons for side in SIDES if c[side]]
        return max(set(ns), key=ns.count) if ns else None


def render_markdown(comparisons, machine, mode, command, generated):
    """One compact table: a row per (measurement, model, threads); per-repetition values stay in results.json."""
    reps = repetitions(machine, comparisons)
    lines = [BEGIN, "", f"_Generated by `benchmarks/report.py` on {generated} from `{command}` (mode `{mode}`). "
             "Do not edit by hand between the markers._", ""]
    lines.append("**Machine:** " + "; ".join(
        f"{k.replace('_', ' ')}: {v}" for k, v in machine.items() if k != "blas_by_side" and v not in (None, "")))
    blas = machine.get("blas_by_side") or {}
    lines.append("")
    lines.append("**BLAS:** " + ("; ".join(f"{side}: {', '.join(v)}" for side, v in sorted(blas.items()))
                                  if blas else "n/a (no side reported one)"))
    lines.append("")
    over = f"{reps} repetition{'' if reps == 1 else 's'}" if reps else "the repetitions"
    lines.append(f"Cells: median (min–max) over {over}; n = the number of values where it differs. "
                 "Ratios: ours / theirs of the medians; ✓ where ours is better (↑ higher is better, ↓ lower is better). "
                 "n/a: that side has no such figure. Every value, with its per-epoch or per-pass detail and the "
                 "command that produced it: `benchmarks/results.json`.")
    lines.append("")
    lines.append("| measurement | model | threads | ours | PyTorch | ML.NET | ours / PyTorch | ours / ML.NET |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    notes = set()
    for c in comparisons:
        task, metric = c["task"], c["metric"]
        _, label, unit, _ = METRICS.get((task, metric), (None, f"{task}/{metric}", "", None))
        arrow = "↑" if c["higher_is_better"] else "↓"
        label = f"{label} ({unit}) {arrow}" if unit else f"{label} {arrow}"
        ratio_ml = fmt_ratio(c["ratio_mlnet"], c["higher_is_better"])
        if c["mlnet_reference"] and c["ratio_mlnet"] is not None:
            ratio_ml += " †"
            notes.add(c["mlnet_reference"])
        lines.append(f"| {label} | {c['model']} | {c['threads']} | {fmt_stats(c['ours'], unit, reps)} | "
                     f"{fmt_stats(c['pytorch'], unit, reps)} | {fmt_stats(c['mlnet'], unit, reps)} | "
                     f"{fmt_ratio(c['ratio_pytorch'], c['higher_is_better'])} | {ratio_ml} |")
    for n in sorted(notes):
        lines.append("")
        lines.append(f"† against ML.NET's `{n}` row (a different model: the baseline to beat).")
    lines.append("")
    lines.append(END)
    return "\n".join(lines)


def update_doc(path, section):
    """Replaces the generated section of the doc (or appends one); everything else is left as written."""
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest results\n\n" + section + "\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", nargs="*", help="files of JSON lines")
    ap.add_argument("--mode", default="?")
    ap.add_argument("--command", default="benchmarks/run.sh")
    ap.add_argument("--results", default=os.path.join(REPO, "benchmarks", "results.json"))
    ap.add_argument("--doc", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--no-doc", action="store_true", help="write results.json only")
    ap.add_argument("--from-results", action="store_true",
                    help="re-render the doc's generated section from --results (no raw lines; results.json is not rewritten)")
    args = ap.parse_args()
    if args.from_results == bool(args.raw):
        ap.error("give raw JSON-lines files, or --from-results (not both)")

    if args.from_results:
        with open(args.results, encoding="utf-8") as f:
            stored = json.load(f)
        rows = stored["measurements"]
        comparisons = compare(summarize(rows))
        update_doc(args.doc, render_markdown(comparisons, stored["machine"], stored["mode"], stored["command"],
                                             stored["generated"]))
        print(f"report.py: {len(rows)} measurements from {args.results} -> {args.doc}", file=sys.stderr)
        return

    rows, metas = normalize(read_lines(args.raw))
    summary = summarize(rows)
    comparisons = compare(summary)
    machine = machine_info(metas, rows)
    cmds = commands(metas)
    generated = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    results = dict(
        generated=generated, mode=args.mode, command=args.command, machine=machine,
        commands=[dict(side=s, command=c) for s, c in cmds],
        comparisons=comparisons, measurements=rows,
    )
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    if not args.no_doc:
        update_doc(args.doc, render_markdown(comparisons, machine, args.mode, args.command, generated))
    print(f"report.py: {len(rows)} measurements, {len(comparisons)} comparison rows -> {args.results}"
          + ("" if args.no_doc else f", {args.doc}"), file=sys.stderr)


if __name__ == "__main__":
    main()

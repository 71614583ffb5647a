#!/usr/bin/env python3
"""Turns the language-model suite's JSON lines into benchmarks/lm.json and the generated part of docs/language-models.md.

    python3 benchmarks/lm/report.py RAW.jsonl [RAW2.jsonl ...] [--results benchmarks/lm.json] [--doc docs/language-models.md]
    python3 benchmarks/lm/report.py RAW.jsonl --check --expect "ours ppmd"

Standard library only. Input lines (benchmarks/lm/run.sh writes them into raw.jsonl): "text" (a text's meta.json),
"result" / "error" (one run of a side on a text), "meta" (machine, commands). Per (text, side) the report gives the mean
held-out bits per character and its spread (sample standard deviation) over the seeds that ran, and the margin of the
defaults over PPMd (PPMd's figure minus ours: positive when ours is better).
--check exits 1 unless every text has a finite result for every --expect side ("ours" matches ours-defaults too) and
no run failed.
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = "<!-- BEGIN GENERATED: benchmarks/lm/report.py -->"
END = "<!-- END GENERATED: benchmarks/lm/report.py -->"
TEXT_ORDER = ("austen", "bible", "brown", "sotu")
SIDE_ORDER = ("ours-defaults", "ours-defaults-dynamic", "ours", "ours-dynamic", "ppmd")
SIDE_TITLES = {"ours-defaults": "ours, defaults", "ours-defaults-dynamic": "ours, defaults, dynamic evaluation",
               "ours": "ours, options changed", "ours-dynamic": "ours, options changed, dynamic evaluation", "ppmd": "PPMd (7-Zip, order 10)"}

# The accuracy suite's report: its line reader and its mean / spread summary.
_spec = importlib.util.spec_from_file_location("accuracy_report", os.path.join(REPO, "benchmarks", "accuracy", "report.py"))
_accuracy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_accuracy)
read_lines, summarize = _accuracy.read_lines, _accuracy.summarize


def build(lines):
    texts = {l["name"]: l for l in lines if l.get("kind") == "text"}
    results = [l for l in lines if l.get("kind") == "result" and l.get("suite") == "lm"]
    errors = [l for l in lines if l.get("kind") == "error"]
    # One "meta" line per run.sh invocation (several raw files: several runs, e.g. seeds or PPMd apart).
    runs_meta = [l["machine"] for l in lines if l.get("kind") == "meta" and "machine" in l]
    machine = dict(runs_meta[0]) if runs_meta else {}
    machine["seeds"] = ", ".join(str(s) for s in sorted({r["seed"] for r in results if r.get("side", "").startswith("ours")})) \
        or machine.get("seeds")
    elapsed = next((l for l in lines if l.get("kind") == "meta" and "elapsed_s" in l), {})
    names = sorted({r["text"] for r in results} | set(texts), key=lambda t: (TEXT_ORDER.index(t) if t in TEXT_ORDER else 99, t))
    out = {}
    for name in names:
        entry = {"text": {k: texts.get(name, {}).get(k) for k in (
            "description", "source", "licence", "train_chars", "heldout_chars", "train_paragraphs", "heldout_paragraphs",
            "heldout_chars_unseen_in_train")}, "sides": {}}
        for side in sorted({r["side"] for r in results if r["text"] == name}, key=lambda s: SIDE_ORDER.index(s) if s in SIDE_ORDER else 99):
            runs = [r for r in results if r["text"] == name and r["side"] == side]
            s = {"bits_per_char": summarize([r.get("bits_per_char") for r in runs]), "seeds": sorted(r["seed"] for r in runs)}
            if side.startswith("ours"):
                for key in ("fit_s", "evaluate_s", "epochs_seen", "train_chars_per_s", "budget_minutes"):
                    s[key] = summarize([r.get(key) for r in runs])
                s["parameters"] = runs[0].get("parameters")
                s["options_changed"] = runs[0].get("options_changed")
                s["options"] = runs[0].get("options")
                s["evaluation_parts"] = runs[0].get("evaluation_parts")
                s["load_average"] = [r.get("load_average") for r in runs]
            else:
                s["heldout_alone_bits_per_char"] = runs[0].get("heldout_alone_bits_per_char")
                s["method"] = runs[0].get("method_train_and_heldout")
                s["command"] = runs[0].get("command")
                s["seven_zip"] = runs[0].get("seven_zip")
            entry["sides"][side] = s
            # The same model scored with EvaluateDynamic at DynamicEvaluationOptions' defaults, as a side of its own.
            dynamic = [next((d for d in r.get("dynamic") or [] if not d.get("options_changed")), None) for r in runs]
            dynamic = [d for d in dynamic if d]
            if side.startswith("ours") and dynamic:
                entry["sides"][side + "-dynamic"] = {
                    "bits_per_char": summarize([d.get("bits_per_char") for d in dynamic]),
                    "evaluate_s": summarize([d.get("evaluate_s") for d in dynamic]),
                    "options": dynamic[0].get("options"), "seeds": s["seeds"]}
            other = [d for r in runs for d in r.get("dynamic") or [] if d.get("options_changed")]
            if side.startswith("ours") and other:
                s["dynamic_other_settings"] = [{"options_changed": d["options_changed"], "bits_per_char": d.get("bits_per_char")} for d in other]
        entry["sides"] = dict(sorted(entry["sides"].items(), key=lambda kv: SIDE_ORDER.index(kv[0]) if kv[0] in SIDE_ORDER else 99))
        ppmd = (entry["sides"].get("ppmd") or {}).get("bits_per_char")
        for side in ("ours-defaults", "ours-defaults-dynamic", "ours", "ours-dynamic"):
            ours = (entry["sides"].get(side) or {}).get("bits_per_char")
            if ppmd and ours:
                entry["sides"][side]["margin_over_ppmd"] = ppmd["mean"] - ours["mean"]
        out[name] = entry
    return dict(generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                machine=machine, elapsed_s=elapsed.get("elapsed_s"), load_average_at_end=elapsed.get("load_average_at_end"),
                runs=runs_meta, texts=out, errors=[{k: e.get(k) for k in ("text", "side", "seed", "error")} for e in errors])


def fmt(summary, digits=3):
    if not summary:
        return "—"
    text = f"{summary['mean']:.{digits}f}"
    if summary.get("n", 1) > 1:
        text += f" ± {summary['sd']:.{digits}f}"
    return text


def render(report):
    m = report["machine"]
    sides = [s for s in SIDE_ORDER if any(s in t["sides"] for t in report["texts"].values())]
    ours_sides = [s for s in sides if s.startswith("ours")]
    out = [BEGIN, ""]
    minutes = m.get("minutes")
    budget = f"{minutes * 60:g} seconds" if minutes and minutes < 1 else f"{minutes:g} minutes"
    if ours_sides:
        out.append(f"Held-out bits per character (lower is better) after **{budget}** of training "
                   f"(seeds {m.get('seeds', '?')}; {m.get('threads', '?')} thread(s)), and PPMd's conditional compression of the same "
                   f"held-out text after the training text. Margin = PPMd − ours (positive: ours is better).")
    else:
        seven = next((t["sides"]["ppmd"].get("seven_zip") for t in report["texts"].values() if "ppmd" in t["sides"]), "?")
        out.append(f"PPMd's conditional compression of the held-out text after the training text, in bits per character "
                   f"(deterministic for a given 7-Zip version; here {seven}). This report holds no language-model run.")
    out.append("")
    header = ["text", "training / held-out characters"] + [SIDE_TITLES[s] for s in sides] + [f"margin ({SIDE_TITLES[s]})" for s in ours_sides] \
        + (["epochs seen", "training characters/s"] if ours_sides else [])
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
    for name, t in report["texts"].items():
        row = [name, f"{t['text'].get('train_chars') or 0:,} / {t['text'].get('heldout_chars') or 0:,}"]
        row += [fmt(t["sides"].get(s, {}).get("bits_per_char")) for s in sides]
        row += [f"{t['sides'][s]['margin_over_ppmd']:+.3f}" if "margin_over_ppmd" in t["sides"].get(s, {}) else "—" for s in ours_sides]
        if ours_sides:
            main = next((t["sides"][s] for s in ours_sides if s in t["sides"] and not s.endswith("-dynamic")), {})
            row.append(fmt(main.get("epochs_seen"), 2))
            cps = main.get("train_chars_per_s")
            row.append(f"{cps['mean']:,.0f}" if cps else "—")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    changed = {json.dumps(s.get("options_changed"), sort_keys=True) for t in report["texts"].values() for k, s in t["sides"].items() if k == "ours"}
    if changed:
        out.append(f"Options changed on the `ours` side: {', '.join(sorted(changed))}.")
    runs = report.get("runs") or [m]
    if len(runs) == 1:
        out.append(f"Command: `{m.get('command', '?')}` (commit {m.get('commit', '?')}, {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
                   f"load average {m.get('load_average_at_start', '?')} at the start and {report.get('load_average_at_end') or '?'} at the end, "
                   f"{report['generated']}).")
    else:
        out.append(f"Commands ({m.get('cpu', '?')}, {m.get('cores', '?')} cores; report {report['generated']}): "
                   + "; ".join(f"`{r.get('command', '?')}` (commit {r.get('commit', '?')}, load average {r.get('load_average_at_start', '?')} "
                               f"at the start)" for r in runs) + ".")
    if report["errors"]:
        out.append("")
        out.append("Failed runs: " + "; ".join(f"{e['text']} / {e['side']} (seed {e['seed']}): {e['error']}" for e in report["errors"]))
    out.append("")
    out.append(END)
    return "\n".join(out)


def write_doc(path, section):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + section + "\n" + (("\n" + tail) if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def check(report, expect):
    problems = []
    for name, t in report["texts"].items():
        for side in expect:
            found = [s for k, s in t["sides"].items() if k == side or k.startswith(side + "-")]
            values = [s["bits_per_char"]["mean"] for s in found if s.get("bits_per_char")]
            if not values or not all(math.isfinite(v) and v > 0 for v in values):
                problems.append(f"{name}: no finite result for {side}")
    problems += [f"{e['text']} / {e['side']}: {e['error']}" for e in report["errors"]]
    if not report["texts"]:
        problems.append("no text")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", nargs="+")
    ap.add_argument("--results", default=os.path.join(REPO, "benchmarks", "lm.json"))
    ap.add_argument("--doc", default=os.path.join(REPO, "docs", "language-models.md"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--expect", default="ours ppmd")
    args = ap.parse_args()
    report = build(read_lines(args.raw))
    if args.check:
        problems = check(report, args.expect.split())
        for p in problems:
            print(f"[report] {p}", file=sys.stderr)
        sys.exit(1 if problems else 0)
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    section = render(report)
    if not os.path.exists(args.doc):
        open(args.doc, "w", encoding="utf-8").close()
    write_doc(args.doc, section)
    print(section)


if __name__ == "__main__":
    main()

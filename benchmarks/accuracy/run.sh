#!/usr/bin/env bash
# The accuracy suite (docs/accuracy.md): MLNet.Recurrent with its defaults and with each set's best recipe, ML.NET's
# FeaturizeText + SDCA, and a plain PyTorch script training our recipe, on every suite set, over several seeds.
#
#   benchmarks/run.sh accuracy         (= benchmarks/accuracy/run.sh accuracy)
#   benchmarks/run.sh accuracy-smoke   (CI: the committed fixture slices, 1 seed, 1 epoch; installs nothing)
#
# accuracy        installs the sets' packages (apt/npm, root; benchmarks/accuracy/prepare.sh) and python3-torch when
#                 missing, builds the sets into benchmarks/accuracy/cache/sets, then runs every (seed, set, side) as
#                 its own process, interleaved: for each seed, for each set, every side in turn. The report
#                 (benchmarks/accuracy/report.py) writes benchmarks/accuracy.json and the generated part of docs/accuracy.md.
# accuracy-smoke  100/50-row slices of every set (benchmarks/accuracy/fixtures + the bundled Austen data), 1 epoch,
#                 1 seed, 1 thread; the PyTorch side only when torch is importable. Report to the out folder only.
#
# Environment: ACC_SEEDS ("1 2 3"), ACC_SETS (all: austen wordnet bible-book bible-testament brown spam sotu-year
#   debian-section), ACC_SIDES ("pytorch-defaults ours-defaults sdca pytorch-best ours-best"), ACC_BEST (one recipe
#   for ours-best on every set: a preset name, inline JSON or a .json file; default: presets.json "best"),
#   ACC_PRESETS (default benchmarks/accuracy/presets.json), ACC_THREADS (OMP/MKL threads per run; default: all
#   cores), ACC_NICE (nice level of every run; default 0), ACC_NO_INSTALL=1, ACC_SKIP_PYTORCH=1, ACC_REBUILD=1
#   (rebuild the sets), PYTHON (interpreter with torch; default /usr/bin/python3),
#   ACC_LABEL_FRACTION (in (0, 1], default 1: every .NET side trains its classifier on a random share of the training
#   rows, seeded by the run's seed; below 1 the PyTorch sides are skipped, as their script trains on every label),
#   ACC_LM_MINUTES (the language-model training time of ours-ulmfit, in minutes; default the runner's, 3).
# Sides: also ours-ulmfit (not in the default list): the defaults plus a language model trained first on every training
#   text (ULMFiT; docs in benchmarks/MLNet.Recurrent.Accuracy/Program.cs). The pretraining experiment:
#   ACC_SIDES="ours-defaults ours-ulmfit" ACC_LABEL_FRACTION=0.1 benchmarks/run.sh accuracy
# Raw lines: benchmarks/out/<mode>-<time>/raw.jsonl (one JSON line per run, plus "meta" lines), logs in stderr.log.
set -euo pipefail

MODE="${1:-accuracy}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
COMMAND="$({ env | grep -E '^(ACC_[A-Z_]+|PYTHON)=' || true; } | sort | tr '\n' ' ')benchmarks/run.sh $MODE"
ALL_SETS="austen wordnet bible-book bible-testament brown spam sotu-year debian-section"
case "$MODE" in
  accuracy)       SEEDS="1 2 3"; THREADS="$(nproc)"; EPOCHS="" ;;
  accuracy-smoke) SEEDS="1";     THREADS=1;          EPOCHS=1 ;;
  *) echo "usage: $0 accuracy|accuracy-smoke" >&2; exit 2 ;;
esac
SEEDS="${ACC_SEEDS:-$SEEDS}"
THREADS="${ACC_THREADS:-$THREADS}"
SETS="$(echo "${ACC_SETS:-$ALL_SETS}" | tr ',' ' ')"
SIDES="${ACC_SIDES:-pytorch-defaults ours-defaults sdca pytorch-best ours-best}"
PRESETS="${ACC_PRESETS:-$ROOT/benchmarks/accuracy/presets.json}"
NICE=(nice -n "${ACC_NICE:-0}")
PYTHON="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 )}"
LABEL_FRACTION="${ACC_LABEL_FRACTION:-1}"
awk -v f="$LABEL_FRACTION" 'BEGIN { exit !(f ~ /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/ && f + 0 > 0 && f + 0 <= 1) }' \
  || { echo "ACC_LABEL_FRACTION=$LABEL_FRACTION is not a number in (0, 1]" >&2; exit 2; }
PARTIAL_LABELS=0
awk -v f="$LABEL_FRACTION" 'BEGIN { exit !(f + 0 < 1) }' && PARTIAL_LABELS=1
LM_MINUTES="${ACC_LM_MINUTES:-}"

source "$ROOT/benchmarks/accuracy/suite.sh"
suite_start accuracy "${ACC_NO_INSTALL:-0}"

# ---- the sets ----------------------------------------------------------------------------------------------------
if [ "$MODE" = accuracy-smoke ]; then
  SET_DIR="$OUT/sets"
  python3 benchmarks/accuracy/build_sets.py --smoke --out "$SET_DIR" --sets "$(echo $SETS | tr ' ' ',')" 2>>"$LOG" \
    || { tail -5 "$LOG" >&2; say "building the smoke slices failed"; exit 1; }
else
  SET_DIR="$ROOT/benchmarks/accuracy/cache/sets"
  ACC_SETS="$SETS" benchmarks/accuracy/prepare.sh "$ROOT/benchmarks/accuracy/cache" || say "some sets could not be built (see above); running the others"
fi
AVAILABLE=()
for s in $SETS; do
  if [ -f "$SET_DIR/$s/meta.json" ]; then AVAILABLE+=("$s"); else say "set $s SKIPPED: not built (its package is missing)"; FAILED+=("set $s: not built"); fi
done
[ "${#AVAILABLE[@]}" -gt 0 ] || { say "no set available"; exit 1; }
for s in "${AVAILABLE[@]}"; do  # each set's description, for the report
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(json.dumps(dict(kind="set", **d)))' "$SET_DIR/$s/meta.json" >> "$RAW"
done

# ---- the PyTorch side --------------------------------------------------------------------------------------------
PYTORCH_OK=0
if { has_side pytorch-defaults || has_side pytorch-best; } && [ "$PARTIAL_LABELS" = 1 ]; then
  say "PyTorch sides SKIPPED: ACC_LABEL_FRACTION=$LABEL_FRACTION (< 1), and benchmarks/pytorch/accuracy_rnn.py trains on every label"
elif { has_side pytorch-defaults || has_side pytorch-best; } && [ "${ACC_SKIP_PYTORCH:-0}" != 1 ]; then
  if ! "$PYTHON" -c 'import torch' >/dev/null 2>&1 && [ "$MODE" = accuracy ] && can_install; then
    say "installing python3-torch and libopenblas0-openmp with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-openmp >&2 || true
  fi
  if "$PYTHON" -c 'import torch' >/dev/null 2>&1; then
    PYTORCH_OK=1
  elif [ "$MODE" = accuracy-smoke ]; then
    say "PyTorch side SKIPPED: '$PYTHON -c \"import torch\"' fails (smoke mode installs nothing)"
  else
    say "PyTorch side: '$PYTHON -c \"import torch\"' fails; install python3-torch or set ACC_SKIP_PYTORCH=1"; exit 1
  fi
fi

# ---- the .NET sides ----------------------------------------------------------------------------------------------
PROJECT=benchmarks/MLNet.Recurrent.Accuracy
say "building $PROJECT (Release)"
dotnet build "$PROJECT" -c Release -nologo -v q >>"$LOG" 2>&1 || { tail -30 "$LOG" >&2; say "build failed"; exit 1; }
RUNNER=(dotnet run --project "$PROJECT" -c Release --no-build --)
BEST_ARG=()
[ -n "${ACC_BEST:-}" ] && BEST_ARG=(--best "$ACC_BEST")
SET_ARGS=()
for s in "${AVAILABLE[@]}"; do SET_ARGS+=(--set "$SET_DIR/$s"); done
RECIPES="$OUT/recipes.jsonl"
"${RUNNER[@]}" "${SET_ARGS[@]}" --side ours-defaults ours-best --presets "$PRESETS" "${BEST_ARG[@]}" --describe > "$RECIPES" 2>>"$LOG" \
  || { tail -20 "$LOG" >&2; say "resolving the recipes failed"; exit 1; }
cat "$RECIPES" >> "$RAW"

python3 - "$MODE" "$SEEDS" "$THREADS" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+uncommitted changes')" \
  "$(dotnet --version 2>/dev/null || echo unknown)" "$COMMAND" >> "$RAW" <<'EOF'
import json, os, platform, sys
mode, seeds, threads, commit, dotnet, command = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
print(json.dumps({"kind": "meta", "machine": {
    "cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(), "mode": mode, "seeds": seeds, "threads": threads,
    "commit": commit, "dotnet_sdk": dotnet, "command": command,
    "load_average_at_start": " ".join(open("/proc/loadavg").read().split()[:3])}}))
EOF

# run SIDE CMD... : one measurement process with the thread count pinned; its JSON lines go to raw.jsonl.
run() {
  local side="$1"; shift
  meta side="$side" command="OMP_NUM_THREADS=$THREADS $*"
  say "$side: $*"
  local rc=0
  env OMP_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS" "${NICE[@]}" "$@" >>"$RAW" 2>>"$LOG" || rc=$?
  if [ "$rc" != 0 ]; then
    say "  FAILED (exit $rc); last lines of $LOG:"; tail -8 "$LOG" >&2
    FAILED+=("$side: $*")
  fi
}

EPOCH_ARG=()
[ -n "$EPOCHS" ] && EPOCH_ARG=(--epochs "$EPOCHS")
# Every .NET side gets --label-fraction (only when set, so the commands of full-label runs stay as they were).
DOTNET_ARGS=()
[ -n "${ACC_LABEL_FRACTION:-}" ] && DOTNET_ARGS+=(--label-fraction "$LABEL_FRACTION")
[ -n "$LM_MINUTES" ] && DOTNET_ARGS+=(--lm-minutes "$LM_MINUTES")
say "mode $MODE: seeds [$SEEDS], sets [${AVAILABLE[*]}], sides [$SIDES], $THREADS thread(s), label fraction $LABEL_FRACTION${LM_MINUTES:+, language model $LM_MINUTES min}"
if [ "$MODE" = accuracy-smoke ]; then
  # Plumbing only: one process per side family over all the slices, so start-up does not dominate.
  DOTNET_SIDES=()
  for s in ours-defaults ours-best sdca ours-ulmfit; do has_side "$s" && DOTNET_SIDES+=("$s"); done
  [ "${#DOTNET_SIDES[@]}" -gt 0 ] && run dotnet "${RUNNER[@]}" "${SET_ARGS[@]}" --side "${DOTNET_SIDES[@]}" --seed 1 --presets "$PRESETS" "${BEST_ARG[@]}" "${EPOCH_ARG[@]}" "${DOTNET_ARGS[@]}"
  if [ "$PYTORCH_OK" = 1 ]; then
    for s in defaults best; do
      has_side "pytorch-$s" && run "pytorch-$s" "$PYTHON" benchmarks/pytorch/accuracy_rnn.py "${SET_ARGS[@]}" --recipes "$RECIPES" --side "ours-$s" --seed 1 "${EPOCH_ARG[@]}"
    done
  fi
else
  i=0
  for seed in $SEEDS; do
    for s in "${AVAILABLE[@]}"; do
      say "---- seed $seed, set $s ----"
      for side in $SIDES; do
        case "$side" in
          ours-defaults|ours-best|sdca|ours-ulmfit)
            run "$side" "${RUNNER[@]}" --set "$SET_DIR/$s" --side "$side" --seed "$seed" --run "$i" --presets "$PRESETS" "${BEST_ARG[@]}" "${DOTNET_ARGS[@]}" ;;
          pytorch-defaults|pytorch-best)
            [ "$PYTORCH_OK" = 1 ] && run "$side" "$PYTHON" benchmarks/pytorch/accuracy_rnn.py --set "$SET_DIR/$s" --recipes "$RECIPES" \
              --side "ours-${side#pytorch-}" --seed "$seed" --run "$i" ;;
          *) say "unknown side $side (known: ours-defaults ours-best sdca ours-ulmfit pytorch-defaults pytorch-best)"; exit 2 ;;
        esac
      done
    done
    i=$((i + 1))
  done
fi
meta elapsed_s="$(( $(date +%s) - START ))" load_average_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report: smoke runs never touch the committed results ----------------------------------------------------------
if [ "$MODE" = accuracy-smoke ]; then
  python3 benchmarks/accuracy/report.py "$RAW" --results "$OUT/accuracy.json" --doc "$OUT/accuracy.md"
  EXPECT="${DOTNET_SIDES[*]}"
  [ "$PYTORCH_OK" = 1 ] && for s in pytorch-defaults pytorch-best; do has_side "$s" && EXPECT+=" $s"; done
  python3 benchmarks/accuracy/report.py "$RAW" --check --expect "$EXPECT" || FAILED+=("report --check")
else
  python3 benchmarks/accuracy/report.py "$RAW"
fi
say "raw lines: $RAW; logs: $LOG; took $(( $(date +%s) - START )) s"
if [ "${#FAILED[@]}" -gt 0 ]; then
  say "FAILED:"; printf '  %s\n' "${FAILED[@]}" >&2
  exit 1
fi

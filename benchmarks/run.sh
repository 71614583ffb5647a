#!/usr/bin/env bash
# Side-by-side benchmarks: MLNet.Recurrent ("ours") vs the idiomatic PyTorch script vs ML.NET's own text path.
#
#   benchmarks/run.sh [smoke|quick|full]          (default: quick; see benchmarks/README.md)
#   benchmarks/run.sh accuracy|accuracy-smoke     (the classification suite: benchmarks/accuracy/run.sh, docs/accuracy.md)
#   benchmarks/run.sh lm|lm-smoke                 (the language-model suite: benchmarks/lm/run.sh, docs/language-models.md)
#
#   smoke  1 repetition, 64 train/test rows cut to 48 tokens, 1 epoch, lstm1 + bilstm2 at 1 thread. For CI
#          (< 2 min); the PyTorch side is skipped (with a message) when torch is not importable; nothing is
#          installed; the report goes to the out folder only.
#   quick  3 repetitions, full data, 1 epoch, both models at 1 and 2 threads.
#   full   5 repetitions, full data, 3 epochs, both models at 1 and 2 threads.
#
# Environment overrides: BENCH_REPS, BENCH_EPOCHS, BENCH_MODELS ("lstm1 bilstm2"), BENCH_THREADS ("1 2"),
#   BENCH_MAX_ROWS, BENCH_MAX_LEN, BENCH_SIDES ("pytorch ours mlnet"), BENCH_SKIP_PYTORCH=1, BENCH_NO_INSTALL=1,
#   BENCH_PYTORCH_BLAS=reference (run the PyTorch side on Debian's reference BLAS, without touching the
#   system's alternatives), AUSTEN_DATA_DIR (folder of austen_{train,test}.tsv.gz), PYTHON (interpreter
#   that has torch; default /usr/bin/python3 when present), BENCH_SDCA_NOCACHE=0 (skip the uncached SDCA
#   run), BENCH_MALLOC_TUNED=1 (run EVERY side with glibc malloc told to keep freed memory: see
#   docs/performance-notes.md, "glibc malloc turns large temporary buffers into page faults").
#
# Every measurement is a separate process; repetitions are interleaved (pytorch, ours, pytorch, ours, ...) so
# slow drifts of the machine hit every side alike. Raw output: benchmarks/out/<mode>-<time>/; the report
# (benchmarks/report.py) writes benchmarks/results.json and the generated section of docs/benchmarks.md.
set -euo pipefail

MODE="${1:-quick}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$MODE" in
  accuracy|accuracy-smoke) exec "$ROOT/benchmarks/accuracy/run.sh" "$@" ;;
  lm|lm-smoke) exec "$ROOT/benchmarks/lm/run.sh" "$@" ;;
esac
cd "$ROOT"
# The command line as run, with the BENCH_* overrides that were set (for the report).
COMMAND="$({ env | grep -E '^(BENCH_[A-Z_]+|AUSTEN_DATA_DIR|PYTHON)=' || true; } | sort | tr '\n' ' ')benchmarks/run.sh $MODE"

case "$MODE" in
  smoke) REPS=1; EPOCHS=1; MAX_ROWS=64; MAX_LEN=48; MODELS="lstm1 bilstm2"; THREADS="1"; LATENCY_CALLS=50; TOK_PASSES=1; INFER_PASSES=1 ;;
  quick) REPS=3; EPOCHS=1; MAX_ROWS="";  MAX_LEN="";  MODELS="lstm1 bilstm2"; THREADS="1 2"; LATENCY_CALLS=500; TOK_PASSES=5; INFER_PASSES=3 ;;
  full)  REPS=5; EPOCHS=3; MAX_ROWS="";  MAX_LEN="";  MODELS="lstm1 bilstm2"; THREADS="1 2"; LATENCY_CALLS=500; TOK_PASSES=5; INFER_PASSES=3 ;;
  *) echo "usage: $0 [smoke|quick|full|accuracy|accuracy-smoke|lm|lm-smoke]" >&2; exit 2 ;;
esac
REPS="${BENCH_REPS:-$REPS}"
EPOCHS="${BENCH_EPOCHS:-$EPOCHS}"
MODELS="${BENCH_MODELS:-$MODELS}"
THREADS="${BENCH_THREADS:-$THREADS}"
MAX_ROWS="${BENCH_MAX_ROWS:-$MAX_ROWS}"
MAX_LEN="${BENCH_MAX_LEN:-$MAX_LEN}"
SIDES="${BENCH_SIDES:-pytorch ours mlnet}"
SEED=42
if [ "${BENCH_MALLOC_TUNED:-0}" = 1 ]; then
  # Large blocks from the heap instead of fresh mmap'd pages, and no trimming: avoids a page fault storm in
  # libtorch's packed-sequence LSTM backward. Applies to all sides alike and is recorded in the report.
  export MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296
fi

# Data: $AUSTEN_DATA_DIR, else a copy committed in the repository, else the shared folder of this machine.
if [ -z "${AUSTEN_DATA_DIR:-}" ]; then
  found="$(find "$ROOT" -name austen_train.tsv.gz -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/out/*' 2>/dev/null | sort | head -1)"
  AUSTEN_DATA_DIR="${found:+$(dirname "$found")}"
  AUSTEN_DATA_DIR="${AUSTEN_DATA_DIR:-/work/shared/data/austen}"
fi
export AUSTEN_DATA_DIR
for f in austen_train.tsv.gz austen_test.tsv.gz; do
  [ -f "$AUSTEN_DATA_DIR/$f" ] || { echo "[run.sh] $AUSTEN_DATA_DIR/$f not found (set AUSTEN_DATA_DIR)" >&2; exit 1; }
done

OUT="$ROOT/benchmarks/out/$MODE-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
RAW="$OUT/raw.jsonl"
: > "$RAW"
LOG="$OUT/stderr.log"
: > "$LOG"
FAILED=()

say() { echo "[run.sh] $*" >&2; }
has_side() { [[ " $SIDES " == *" $1 "* ]]; }

# report.py and the meta lines need only a stdlib python3.
REPORT_PY="$(command -v python3 || true)"
[ -n "$REPORT_PY" ] || { say "python3 is required for benchmarks/report.py"; exit 1; }

# ------------------------------------------------------------------------------------------------
# PyTorch side: Debian's python3-torch (+ OpenBLAS; with the reference BLAS it is ~5x slower).
# ------------------------------------------------------------------------------------------------
PYTHON="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 )}"
PYTORCH_OK=0
PYTORCH_ENV=()
torch_importable() { "$PYTHON" -c 'import torch' >/dev/null 2>&1; }
can_install() { [ "${BENCH_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

if has_side pytorch && [ "${BENCH_SKIP_PYTORCH:-0}" != 1 ]; then
  if ! torch_importable && [ "$MODE" != smoke ] && can_install; then
    say "installing python3-torch and libopenblas0-openmp with apt"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-openmp >&2 || true
  fi
  if torch_importable; then
    PYTORCH_OK=1
    # Debian's torch calls the generic libblas.so.3; update-alternatives decides which implementation that is.
    if [ "$MODE" != smoke ] && ! ls /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 >/dev/null 2>&1 && can_install; then
      say "installing libopenblas0-openmp (Debian's torch is ~5x slower on the reference BLAS)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-openmp >&2 || true
    fi
    CURRENT_BLAS="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
    say "libblas.so.3 -> $CURRENT_BLAS"
    if [ "${BENCH_PYTORCH_BLAS:-}" = reference ]; then
      # The dynamic loader finds libblas.so.3/liblapack.so.3 in these folders first: no system change needed.
      PYTORCH_ENV=(env "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas:/usr/lib/x86_64-linux-gnu/lapack${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
      say "PyTorch side forced onto the reference BLAS (BENCH_PYTORCH_BLAS=reference)"
    elif [[ "$CURRENT_BLAS" != *openblas* ]]; then
      say "WARNING: libblas.so.3 is not OpenBLAS; PyTorch figures will be for $CURRENT_BLAS" \
          "(fix: apt-get install libopenblas0-openmp, or update-alternatives --config libblas.so.3-x86_64-linux-gnu)"
    fi
  else
    msg="PyTorch side SKIPPED: '$PYTHON -c \"import torch\"' fails"
    [ "$MODE" = smoke ] && msg+=" (smoke mode installs nothing; run quick/full as root to install python3-torch)"
    say "$msg"
    if [ "$MODE" != smoke ] && [ "${BENCH_SKIP_PYTORCH:-0}" != 1 ]; then
      say "set BENCH_SKIP_PYTORCH=1 to run the other sides anyway"; exit 1
    fi
  fi
else
  say "PyTorch side skipped (BENCH_SKIP_PYTORCH / BENCH_SIDES)"
fi

# ------------------------------------------------------------------------------------------------
# .NET sides: build Release once, then run the built projects (--no-build) for every measurement.
# ------------------------------------------------------------------------------------------------
BASELINES=benchmarks/MLNet.Recurrent.Baselines
OURS=benchmarks/MLNet.Recurrent.Benchmarks
OURS_OK=0
if has_side mlnet; then
  say "building $BASELINES (Release)"
  dotnet build "$BASELINES" -c Release -nologo -v q >>"$LOG" 2>&1 || { tail -30 "$LOG" >&2; say "build failed"; exit 1; }
fi
if has_side ours; then
  if [ -f "$OURS/MLNet.Recurrent.Benchmarks.csproj" ]; then
    say "building $OURS (Release)"
    dotnet build "$OURS" -c Release -nologo -v q >>"$LOG" 2>&1 || { tail -30 "$LOG" >&2; say "build failed"; exit 1; }
    OURS_OK=1
  else
    say "'ours' side skipped: $OURS does not exist yet (its rows will read n/a)"
  fi
fi

# ------------------------------------------------------------------------------------------------
# Meta lines (read by report.py): machine description, then the command behind every measurement.
# ------------------------------------------------------------------------------------------------
meta() { # meta KEY=VALUE... -> one {"kind":"meta",...} line in raw.jsonl
  "$REPORT_PY" - "$@" >>"$RAW" <<'EOF'
import json, sys
d = {"kind": "meta"}
for kv in sys.argv[1:]:
    k, v = kv.split("=", 1)
    d[k] = v
print(json.dumps(d))
EOF
}
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD 2>/dev/null || COMMIT+="+uncommitted changes"
machine_meta() {
  "$REPORT_PY" - "$MODE" "$REPS" "$EPOCHS" "$THREADS" "$COMMIT" \
    "$(dotnet --version 2>/dev/null || echo unknown)" >>"$RAW" <<'EOF'
import json, os, platform, sys
mode, reps, epochs, threads, commit, dotnet = sys.argv[1:]
cpu = "unknown"
try:
    cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
except (OSError, StopIteration):
    pass
try:
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 1024 / 1024
except (OSError, StopIteration):
    mem = None
print(json.dumps({"kind": "meta", "machine": {
    "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1) if mem else None,
    "os": platform.platform(), "load_average_at_start": " ".join(open("/proc/loadavg").read().split()[:3]),
    "repetitions": int(reps), "epochs": int(epochs), "thread_settings": threads, "commit": commit, "dotnet_sdk": dotnet,
    "malloc": "tuned (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_)" if os.environ.get("MALLOC_MMAP_THRESHOLD_") else "glibc defaults"}}))
EOF
}
machine_meta

# run SIDE THREADS CMD... : runs one measurement with OMP/MKL threads pinned, JSON lines -> raw.jsonl.
# Exit code 3 means "this measurement is not available (yet)" and is skipped silently.
run() {
  local side="$1" threads="$2"; shift 2
  local cmd="OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads $*"
  meta side="$side" command="$cmd"
  say "$side: $cmd"
  local rc=0
  env OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" "$@" >>"$RAW" 2>>"$LOG" || rc=$?
  if [ "$rc" = 3 ]; then
    say "  (not available yet: skipped)"
  elif [ "$rc" != 0 ]; then
    say "  FAILED (exit $rc); last lines of $LOG:"; tail -15 "$LOG" >&2
    FAILED+=("$side: $*")
  fi
}

ROWS_ARG=()
[ -n "$MAX_ROWS" ] && ROWS_ARG=(--max-rows "$MAX_ROWS")
LEN_ARG=()
[ -n "$MAX_LEN" ] && LEN_ARG=(--max-len "$MAX_LEN")
DOTNET_RUN_BASELINES=(dotnet run --project "$BASELINES" -c Release --no-build --)
DOTNET_RUN_OURS=(dotnet run --project "$OURS" -c Release --no-build -- "$MODE")

say "mode $MODE: $REPS repetition(s), $EPOCHS epoch(s), models [$MODELS], threads [$THREADS]${MAX_ROWS:+, $MAX_ROWS rows}${MAX_LEN:+ of at most $MAX_LEN tokens}"
START=$(date +%s)
for ((rep = 0; rep < REPS; rep++)); do
  say "---- repetition $((rep + 1))/$REPS ----"
  for model in $MODELS; do
    for t in $THREADS; do
      if [ "$PYTORCH_OK" = 1 ]; then
        run pytorch "$t" "${PYTORCH_ENV[@]}" "$PYTHON" benchmarks/pytorch/austen_lstm.py --model "$model" \
          --threads "$t" --epochs "$EPOCHS" --seed "$SEED" --latency-calls "$LATENCY_CALLS" --tokenize-passes "$TOK_PASSES" --infer-passes "$INFER_PASSES" \
          "${ROWS_ARG[@]}" "${LEN_ARG[@]}" --run "$rep"
      fi
      if [ "$OURS_OK" = 1 ]; then
        run ours "$t" "${DOTNET_RUN_OURS[@]}" --suite classify --model "$model" --threads "$t" --epochs "$EPOCHS" \
          --seed "$SEED" --latency-calls "$LATENCY_CALLS" --tokenize-passes "$TOK_PASSES" --infer-passes "$INFER_PASSES" "${ROWS_ARG[@]}" "${LEN_ARG[@]}" --run "$rep"
      fi
    done
  done
  # Tokenization: ML.NET's pair and ours (the PyTorch figure comes from the training runs above).
  if has_side mlnet; then
    run mlnet 1 "${DOTNET_RUN_BASELINES[@]}" tokenize --passes "$TOK_PASSES" "${ROWS_ARG[@]}" --run "$rep"
  fi
  if [ "$OURS_OK" = 1 ]; then
    run ours 1 "${DOTNET_RUN_OURS[@]}" --suite tokenize --tokenize-passes "$TOK_PASSES" "${ROWS_ARG[@]}" --run "$rep"
    run ours 1 "${DOTNET_RUN_OURS[@]}" --suite lm "${ROWS_ARG[@]}" --run "$rep"
  fi
  # Character language model, the same work on the PyTorch side (fixed training time budget per mode).
  if [ "$PYTORCH_OK" = 1 ]; then
    run pytorch 1 "${PYTORCH_ENV[@]}" "$PYTHON" benchmarks/pytorch/austen_char_lm.py "$MODE" --threads 1 --seed "$SEED" \
      "${ROWS_ARG[@]}" --run "$rep"
  fi
  # ML.NET FeaturizeText + SdcaMaximumEntropy with its defaults (it picks its own thread count), with the
  # cache checkpoint ML.NET's samples add; and once per invocation without it (~5 min on the full data),
  # which reproduces the trainers issue's "78.5% in 283 s" figure.
  if has_side mlnet; then
    run mlnet "$(nproc)" "${DOTNET_RUN_BASELINES[@]}" sdca --latency-calls "$LATENCY_CALLS" "${ROWS_ARG[@]}" --run "$rep"
    if [ "$rep" = 0 ] && [ "${BENCH_SDCA_NOCACHE:-1}" = 1 ]; then
      run mlnet "$(nproc)" "${DOTNET_RUN_BASELINES[@]}" sdca --no-cache --latency-calls "$LATENCY_CALLS" "${ROWS_ARG[@]}" --run "$rep"
    fi
  fi
done
meta elapsed_s="$(( $(date +%s) - START ))" load_average_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------------------------------------
# Report. Smoke runs (tiny data) never overwrite the committed results: they go to the out folder only.
# ------------------------------------------------------------------------------------------------
if [ "$MODE" = smoke ]; then
  "$REPORT_PY" benchmarks/report.py "$RAW" --mode "$MODE" --command "$COMMAND" \
    --results "$OUT/results.json" --doc "$OUT/benchmarks.md"
else
  "$REPORT_PY" benchmarks/report.py "$RAW" --mode "$MODE" --command "$COMMAND"
fi
say "raw lines: $RAW; logs: $LOG; took $(( $(date +%s) - START )) s"
if [ "${#FAILED[@]}" -gt 0 ]; then
  say "FAILED measurements:"; printf '  %s\n' "${FAILED[@]}" >&2
  exit 1
fi

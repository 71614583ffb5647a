#!/usr/bin/env bash
# Tokenization only, interleaved: the PyTorch script's Python tokenization (benchmarks/pytorch/austen_tokenize.py, the
# same functions and protocol as austen_lstm.py's mb_per_s) and our TokenizeToIds Word mode (the harness's tokenize
# suite), one process each per round, alternating, ROUNDS times (default 5). Prints each round's MB/s and ratio, then
# the medians. A quicker check of the tokenization goal than a full `run.sh quick` (which measures the same figures
# inside its training runs). Usage: benchmarks/tokenize.sh [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
ROUNDS="${1:-5}"
PYTHON="${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3 )}"
if [ -z "${AUSTEN_DATA_DIR:-}" ]; then
  found="$(find "$ROOT" -name austen_train.tsv.gz -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/out/*' 2>/dev/null | sort | head -1)"
  AUSTEN_DATA_DIR="${found:+$(dirname "$found")}"
fi
"$PYTHON" -c "import torch" 2>/dev/null || { echo "[tokenize.sh] $PYTHON has no torch: see benchmarks/README.md" >&2; exit 1; }
dotnet build benchmarks/MLNet.Recurrent.Benchmarks -c Release -v q -nologo >&2

value() { "$PYTHON" -c 'import sys, json
for line in sys.stdin:
    m = json.loads(line)
    if m.get("model") == "word" and m.get("metric") == "mb_per_s": print("%.1f" % m["value"])'; }

ours_all=(); theirs_all=()
for ((r = 1; r <= ROUNDS; r++)); do
  theirs=$("$PYTHON" benchmarks/pytorch/austen_tokenize.py --data-dir "$AUSTEN_DATA_DIR" | value)
  ours=$(dotnet run --project benchmarks/MLNet.Recurrent.Benchmarks -c Release --no-build -- quick --suite tokenize \
    --tokenize-passes 5 --data-dir "$AUSTEN_DATA_DIR" --run "$r" | value)
  theirs_all+=("$theirs"); ours_all+=("$ours")
  echo "round $r: python $theirs MB/s, ours $ours MB/s, ratio $("$PYTHON" -c "print('%.2f' % ($ours / $theirs))")"
done
"$PYTHON" - "${theirs_all[*]}" "${ours_all[*]}" <<'PY'
import statistics, sys
theirs = [float(x) for x in sys.argv[1].split()]
ours = [float(x) for x in sys.argv[2].split()]
ratios = [o / t for o, t in zip(ours, theirs)]
print("median: python %.1f MB/s, ours %.1f MB/s, ratio of medians %.2f; per-round ratios %s" % (
    statistics.median(theirs), statistics.median(ours), statistics.median(ours) / statistics.median(theirs),
    " ".join("%.2f" % r for r in ratios)))
PY

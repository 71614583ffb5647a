# Shared by the suites' run scripts (benchmarks/accuracy/run.sh, benchmarks/lm/run.sh); sourced, not run.
# `suite_start TAG NO_INSTALL` creates the out folder benchmarks/out/$MODE-<time> with raw.jsonl and stderr.log
# ($OUT, $RAW, $LOG), empties $FAILED and starts the clock ($START). It needs $ROOT, $MODE and (for has_side) $SIDES.
suite_start() {
  SUITE_TAG="$1"
  SUITE_NO_INSTALL="$2"
  OUT="$ROOT/benchmarks/out/$MODE-$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$OUT"
  RAW="$OUT/raw.jsonl"; : > "$RAW"
  LOG="$OUT/stderr.log"; : > "$LOG"
  FAILED=()
  START=$(date +%s)
}
say() { echo "[$SUITE_TAG] $*" >&2; }
has_side() { [[ " $SIDES " == *" $1 "* ]]; }
can_install() { [ "${SUITE_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
meta() { python3 -c 'import json, sys; print(json.dumps(dict([("kind", "meta")] + [a.split("=", 1) for a in sys.argv[1:]])))' "$@" >> "$RAW"; }

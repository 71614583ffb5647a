#!/usr/bin/env bash
# Brings src/MLNet.Recurrent/PublicAPI.Unshipped.txt in line with the code after a deliberate public API change:
# symbols the analyzer reports as undeclared (RS0016) are added, declared symbols that are gone (RS0017) removed.
# Review the diff of the file: it is the public API change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
api="$root/src/MLNet.Recurrent/PublicAPI.Unshipped.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build "$root/src/MLNet.Recurrent" -c Release --no-incremental > "$log" 2>&1 || true
python3 - "$api" "$log" <<'PY'
import re, sys
api, log = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
added = set(re.findall(r"RS0016: Symbol '(.*?)' is not part of the declared public API", log))
removed = set(re.findall(r"RS0017: Symbol '(.*?)' is part of the declared API", log))
lines = open(api, encoding="utf-8").read().splitlines()
body = sorted({l for l in lines[1:] if l and l not in removed} | added)
open(api, "w", encoding="utf-8").write("\n".join([lines[0]] + body) + "\n")
print(f"{len(added)} added, {len(removed)} removed")
PY

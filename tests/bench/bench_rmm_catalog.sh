#!/bin/sh
# Matching a file tree against the merged RMM catalog must stay near-linear:
# 400 000 paths may cost at most 2.2 times 200 000 (hash lookups on lowered
# names and folder prefixes, never a scan of every tool). Uses LOLRMM's
# rmm_tools.json from ../shared when present (merged with the built-in
# catalog), the built-in catalog alone otherwise.
set -e
BIN=${1:-build/bench/bench_rmm_catalog}
CAT=modules/rmm/data/catalog.txt
LOL=../shared/data/lolrmm/rmm_tools.json
if [ -f "$LOL" ]; then set -- "$CAT" "$LOL"; else set -- "$CAT"; fi
small=$("$BIN" "$@" 200000)
large=$("$BIN" "$@" 400000)
echo "bench-rmm-catalog: $small"
echo "bench-rmm-catalog: $large"
s=$(echo "$small" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
l=$(echo "$large" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
ratio=$(awk -v s="$s" -v l="$l" 'BEGIN { printf "%.2f", l / s }')
echo "bench-rmm-catalog: 400000/200000 paths cost ${ratio}x (limit 2.2x)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 2.2) }' || { echo "bench-rmm-catalog: FAILED: not near-linear" >&2; exit 1; }

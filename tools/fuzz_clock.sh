#!/bin/sh
# Run one fuzz campaign and add its wall time to a per-target ledger, so the
# time each target has been fuzzed in total survives across runs.
#   fuzz_clock.sh LOG NAME COMMAND...
# LOG gets one line per campaign: NAME SECONDS EXIT UTC-DATE. The command's
# exit status is passed on (a crash still fails `make fuzz`).
log=$1 name=$2
shift 2
mkdir -p "$(dirname "$log")"
start=$(date +%s)
"$@"
rc=$?
end=$(date +%s)
printf '%s %s %s %s\n' "$name" $((end - start)) "$rc" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$log"
awk -v n="$name" '$1 == n { s += $2 } END { printf "fuzz-%s: %d s fuzzed in total (ledger %s)\n", n, s, ARGV[1] }' "$log" >&2
exit $rc

#!/bin/sh
# Fleet benchmark: `gleaner analyze` over N and then 2N small generated
# hosts' bundles (tests/fixtures/fleet/fleet_hosts.py, collected with the
# rmm module). Reports wall time and peak RSS of each; fails when the
# peak RSS of 2N reaches 256 MiB or 2N takes more than 2.6 times as long
# as N (time must grow linearly with the number of bundles).
#   sh tests/bench/bench_fleet.sh [N]      (make bench-fleet: N=500, so 2N = 1000)
set -eu
N=${1:-500}
GLEANER=${GLEANER_BIN:-./gleaner}
W=${BENCH_DIR:-build/bench/fleet}
rm -rf "$W"
mkdir -p "$W/b1" "$W/b2"
/usr/bin/python3 tests/fixtures/fleet/fleet_hosts.py "$W/hosts" $((2 * N))
printf 'module rmm\n' > "$W/rmm.profile"
i=0
for h in "$W"/hosts/FL*; do
    [ -d "$h" ] || continue
    "$GLEANER" collect -q --profile "$W/rmm.profile" --source "dir:$h" --output "$W/b2" --name "$(basename "$h")" >/dev/null
    if [ $i -lt "$N" ]; then ln "$W/b2/$(basename "$h").tar.zst" "$W/b2/$(basename "$h").tar.zst.sha256" "$W/b1/"; fi
    i=$((i + 1))
done
rm -rf "$W/hosts"

peak() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
set -- $(peak "$GLEANER" analyze -q --profile "$W/rmm.profile" -o "$W/a1" "$W"/b1/*.tar.zst)
s1=$1 kb1=$2
set -- $(peak "$GLEANER" analyze -q --profile "$W/rmm.profile" -o "$W/a2" "$W"/b2/*.tar.zst)
s2=$1 kb2=$2
rows=$(($(wc -l < "$W/a2/fleet.csv") - 1))
echo "analyze a fleet of small bundles:"
printf '  %5d bundles  %7.2f s  peak RSS %7d KiB\n' "$N" "$s1" "$kb1"
printf '  %5d bundles  %7.2f s  peak RSS %7d KiB  (fleet.csv: %d hosts)\n' $((2 * N)) "$s2" "$kb2" "$rows"
awk -v a="$s1" -v b="$s2" 'BEGIN { printf "  time ratio 2N/N = %.2f\n", b / a }'
[ "$rows" -eq $((2 * N)) ] || { echo "FAIL: fleet.csv has $rows hosts, expected $((2 * N))"; exit 1; }
[ "$kb2" -lt 262144 ] || { echo "FAIL: peak RSS ${kb2} KiB >= 256 MiB"; exit 1; }
awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(b <= 2.6 * a) }' || { echo "FAIL: 2N took more than 2.6 times N"; exit 1; }
echo "  peak RSS under 256 MiB and time linear: ok"
rm -rf "$W"

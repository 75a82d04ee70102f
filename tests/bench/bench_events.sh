#!/bin/sh
# Event-log helper benchmark: what does it cost when three modules read the
# same Security log, against one? The kit makes one filtered pass over the
# logs for all modules of a run and spools the matching events, so three
# readers should cost little more than one (goal: <= 1.3x).
# Uses the test build's kit_reader_{a,b,c} modules (tests/modules/kit_probe.c),
# which subscribe to the same five Security event IDs. Module time comes from
# run.json ("seconds" of each module), so bundle writing is left out; the
# whole collect's wall time is reported too. Rounds alternate, medians win.
#   sh tests/bench/bench_events.sh [ROUNDS]      (make bench-events)
set -eu
ROUNDS=${1:-7}
GLEANER=${GLEANER_TEST_BIN:-build/test/gleaner}
CORPUS=${GLEANER_CORPUS:-../shared/corpus}
W=build/bench/events
rm -rf "$W"
mkdir -p "$W/drive/Windows/System32/winevt/Logs" "$W/out"
big="$CORPUS/perf/DAM-StolenSzechuan-Srv2012R2__Security.evtx"
[ -f "$big" ] || { echo "skipped: $big not present"; exit 0; }
cp "$big" "$W/drive/Windows/System32/winevt/Logs/Security.evtx"
cp "$CORPUS/dev/evtx/accounts/DAM-RathbunVM-Win10__Security.evtx" \
   "$W/drive/Windows/System32/winevt/Logs/Archive-Security-2021-01-01-00-00-00-000.evtx"
# The readers only count their events (timeline_kind none): what is
# measured is the reading, not work each module would do anyway.
printf 'module kit_reader_a\nset kit_reader_a.timeline_kind none\n' > "$W/one.profile"
printf 'module kit_reader_%s\nset kit_reader_%s.timeline_kind none\n' a a b b c c > "$W/three.profile"

run() { # $1 profile -> "module-seconds wall-seconds"
    rm -f "$W"/out/*
    s=$(date +%s.%N)
    "$GLEANER" collect -q --source "dir:$W/drive" --profile "$W/$1.profile" --output "$W/out" --name b >/dev/null
    e=$(date +%s.%N)
    # module seconds summed, and that sum over the first module's (the one
    # that pays for the pass): within one run, so page-cache noise cancels
    m=$(tar --zstd -xOf "$W/out/b.tar.zst" run.json | /usr/bin/python3 -c \
        'import json,sys; s=[m["seconds"] for m in json.load(sys.stdin)["modules"]]; print(sum(s), sum(s) / s[0])')
    echo "$m $(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')"
}
: > "$W/one.txt"; : > "$W/three.txt"
i=0
while [ $i -lt "$ROUNDS" ]; do
    if [ $((i % 2)) -eq 0 ]; then run one >> "$W/one.txt"; run three >> "$W/three.txt"
    else run three >> "$W/three.txt"; run one >> "$W/one.txt"; fi
    i=$((i + 1))
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m1=$(cut -d' ' -f1 "$W/one.txt" | median); m3=$(cut -d' ' -f1 "$W/three.txt" | median)
inrun=$(cut -d' ' -f2 "$W/three.txt" | median)
w1=$(cut -d' ' -f3 "$W/one.txt" | median); w3=$(cut -d' ' -f3 "$W/three.txt" | median)
bytes=$(cat "$W"/drive/Windows/System32/winevt/Logs/*.evtx | wc -c)
echo "event-log helper: Security logs of $bytes bytes, $ROUNDS rounds, medians"
printf '  one reader:    modules %.3f s   collect %.3f s\n' "$m1" "$w1"
printf '  three readers: modules %.3f s   collect %.3f s\n' "$m3" "$w3"
awk -v a="$m1" -v b="$m3" -v c="$w1" -v d="$w3" -v r="$inrun" \
    'BEGIN { printf "  ratio three/one: %.2fx within one run (all three modules / the first), across runs: modules %.2fx, whole collect %.2fx (goal <= 1.3x)\n", r, b / a, d / c }'
rm -rf "$W"

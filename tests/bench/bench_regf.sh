#!/bin/sh
# Full-hive read speed: `gleaner reg dump HIVE` (every key and value as JSON
# Lines) side by side with hivexml (hivex) and regfexport (libregf, which
# prints every key and value by default), all writing to /dev/null, on the
# three largest corpus hives and a generated 15 MB hive. hyperfine runs the
# three in one session per hive (JSON in build/bench/); the summary gives
# mean times, the ratios gleaner vs hivexml and vs regfexport (targets:
# >= 3x and >= 10x) and gleaner's peak RSS from /usr/bin/time.
# Environment: GLEANER (binary, default ./gleaner), BENCH_RUNS (default 10);
# for floors also GLEANER_STATIC (default dist/gleaner-VERSION-linux-x64).
# `sh tests/bench/bench_regf.sh floors` (make bench-parsers): the floor
# only, see floors() below.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GLEANER=${GLEANER:-$ROOT/gleaner}
CORPUS=${GLEANER_CORPUS:-$ROOT/../shared/corpus}
RUNS=${BENCH_RUNS:-10}
OUT=${BENCH_OUT:-$ROOT/build/bench}
mkdir -p "$OUT"

DESC=$ROOT/tests/bench/large.hivedesc
LARGE=$OUT/large.hive
if [ ! -f "$LARGE" ] || [ "$DESC" -nt "$LARGE" ] || [ "$ROOT/tests/fixtures/mkhive.py" -nt "$LARGE" ]; then
    /usr/bin/python3 "$ROOT/tests/fixtures/mkhive.py" "$DESC" "$LARGE"
fi

# The floor, gleaner and hivexml side by side in one run
# (tests/bench/sidebyside.py: BENCH_RUNS rounds, order rotated each round,
# medians of wall and CPU time), all on one core: every corpus hive (dirty
# ones with the logs beside them, which gleaner replays) and the generated
# 15 MB hive, `gleaner reg dump HIVE` with deleted material recovered (the
# default) vs `hivexml HIVE`: >= 3x on every hive of 256 KB or more; the
# smaller ones are listed too (process start-up dominates them). Peak RSS
# of the gleaner the floor is judged on.
# Two gleaner binaries: s, the one responders run (the static release
# binary, dist/gleaner-VERSION-linux-x64 from `make release`, or
# GLEANER_STATIC), which the floor is judged on; g, the dev build
# (GLEANER, dynamically linked to glibc), reported beside it. Without a
# release binary the floor is judged on g.
# sidebyside.py itself runs under taskset, so every child inherits the one
# core: `taskset -c 0 CMD` would add taskset's own start-up (a dynamically
# linked program, about 0.5 ms) to both tools' times and flatten the ratio.
floors() {
    version=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")
    STATIC=${GLEANER_STATIC:-$ROOT/dist/gleaner-$version-linux-x64}
    [ -x "$STATIC" ] || STATIC=""
    hives=$( (find "$CORPUS"/dev/hives "$CORPUS"/dev/robustness/hives -type f ! -iname '*.log*' | sort; echo "$LARGE") | tr '\n' ' ')
    : > "$OUT/regf-floors.cmds"
    for h in $hives; do
        n=$(basename "$h")
        [ -z "$STATIC" ] || printf '%s\ts\t%s reg dump "%s"\n' "$n" "$STATIC" "$h"
        printf '%s\tg\t%s reg dump "%s"\n' "$n" "$GLEANER" "$h"
        printf '%s\th\thivexml "%s"\n' "$n" "$h"
    done >> "$OUT/regf-floors.cmds"
    taskset -c 0 /usr/bin/python3 "$ROOT/tests/bench/sidebyside.py" "$RUNS" < "$OUT/regf-floors.cmds" > "$OUT/regf-floors.tsv"
    # Peak RSS from /usr/bin/time, a small parent: sidebyside.py's rusage
    # never reports less than the Python process's own peak.
    for h in $hives; do
        rss=$(/usr/bin/time -f %M "${STATIC:-$GLEANER}" reg dump "$h" 2>&1 >/dev/null | tail -n 1)
        printf '%s\t%s\t%s\n' "$(basename "$h")" "$(wc -c < "$h")" "$rss"
    done > "$OUT/regf-floors.sizes"
    awk -F '\t' -v runs="$RUNS" -v static="$STATIC" -v dev="$GLEANER" '
    FNR == NR { size[$1] = $2; rss[$1] = $3; next }
    { w[$1, $2] = $3; c[$1, $2] = $4; x[$1, $2] = $6; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
    function r(a, b) { return b > 0 ? a / b : 0 }
    END {
        f = static != "" ? "s" : "g"
        printf "Hive -> JSON Lines floor: medians of %d rounds, order rotated each round, all on one core (taskset -c 0)\n", runs
        if (static != "")
            printf "s = %s reg dump HIVE (static release binary; the floor is judged on it)\n", static
        printf "g = %s reg dump HIVE (dev build)\nh = hivexml HIVE; deleted material on, logs replayed; times in ms\n\n", dev
        printf "%-44s %6s %7s %7s %7s %7s %7s %7s %6s %6s %6s %6s %6s %s\n", "hive", "KB", "s wall", "s cpu", "g wall",
            "g cpu", "h wall", "h cpu", "xs wal", "xs cpu", "xg wal", "xg cpu", "RSS MB", "note"
        for (i = 0; i < n; i++) {
            k = order[i]
            note = (x[k, "h"] ? "hivexml exit " x[k, "h"] : "") (x[k, "g"] > 1 ? " gleaner exit " x[k, "g"] : "")
            printf "%-44s %6.0f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %6.1f %6.1f %6.1f %6.1f %6.1f %s\n", substr(k, 1, 44),
                size[k] / 1024, w[k, "s"] * 1e3, c[k, "s"] * 1e3, w[k, "g"] * 1e3, c[k, "g"] * 1e3, w[k, "h"] * 1e3,
                c[k, "h"] * 1e3, r(w[k, "h"], w[k, "s"]), r(c[k, "h"], c[k, "s"]), r(w[k, "h"], w[k, "g"]),
                r(c[k, "h"], c[k, "g"]), rss[k] / 1024, note
            xw = r(w[k, "h"], w[k, f]); xc = r(c[k, "h"], c[k, f])
            if (size[k] >= 262144 && !x[k, "h"]) {
                big++
                if (xw < 3 && xc < 3) below = below " " k
                if (min == "" || xc < min) min = xc
            } else if (size[k] < 262144 && !x[k, "h"]) {
                sg += w[k, f]; sh += w[k, "h"]
            }
        }
        printf "\nfloor (%s): >= 3x hivexml on every hive of 256 KB or more that hivexml reads (%d): %s (lowest CPU ratio %.1fx)\n",
            f, big, (below == "" ? "met" : "NOT met:" below), min
        printf "       hives under 256 KB: %.1fx (wall, summed)\n", r(sh, sg)
    }' "$OUT/regf-floors.sizes" "$OUT/regf-floors.tsv" | tee "$OUT/regf-floors.txt"
}
if [ "${1:-}" = floors ]; then
    floors
    exit 0
fi

HIVES=""
if [ -d "$CORPUS/dev/hives" ]; then
    HIVES=$(ls -S "$CORPUS"/dev/hives/*/* | head -n 3)
fi
HIVES="$HIVES $LARGE"

JSONS=""
for hive in $HIVES; do
    name=$(basename "$hive")
    # A dump that fails would time an error path, not a parse. Exit 1 is a
    # complete dump of a hive with problems (a dirty hive without its logs,
    # deleted cells whose data was reused), so hyperfine must accept it.
    rc=0
    "$GLEANER" reg dump "$hive" >/dev/null 2>"$OUT/regf-$name.stderr" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "bench-regf: gleaner reg dump failed ($rc) on $hive:" >&2
        cat "$OUT/regf-$name.stderr" >&2
        exit 1
    fi
    hyperfine -N -i --warmup 2 --runs "$RUNS" --output null --style basic \
        --export-json "$OUT/regf-$name.json" \
        -n gleaner "$GLEANER reg dump $hive" \
        -n hivexml "hivexml $hive" \
        -n regfexport "regfexport $hive" >"$OUT/regf-$name.hyperfine.txt"
    rss=$(/usr/bin/time -f %M "$GLEANER" reg dump "$hive" 2>&1 >/dev/null | tail -n 1)
    JSONS="$JSONS $hive=$OUT/regf-$name.json=$rss"
done

/usr/bin/python3 - $JSONS <<'PY' | tee "$OUT/regf-summary.txt"
import json, os, sys
# Wall-clock means, and CPU (user + system) means: on a shared machine the
# CPU ratio is the steadier figure.
print("%-34s %6s %9s %9s %10s %7s %8s %7s %8s %7s" % (
    "hive", "MB", "gleaner", "hivexml", "regfexport", "x hivex", "x libregf", "cpu x hx", "cpu x lr", "RSS MB"))
for arg in sys.argv[1:]:
    hive, path, rss = arg.split("=")
    res = {r["command"]: r for r in json.load(open(path))["results"]}
    g, hx, rx = (res[n]["mean"] for n in ("gleaner", "hivexml", "regfexport"))
    gc, hc, rc = (res[n]["user"] + res[n]["system"] for n in ("gleaner", "hivexml", "regfexport"))
    print("%-34s %6.1f %7.1fms %7.1fms %8.1fms %6.1fx %8.1fx %7.1fx %7.1fx %7.1f" % (
        os.path.basename(hive)[:34], os.path.getsize(hive) / 1e6, g * 1e3, hx * 1e3, rx * 1e3,
        hx / g, rx / g, hc / gc, rc / gc, int(rss) / 1024))
PY

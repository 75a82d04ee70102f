#!/bin/sh
# Full-hive read speed: `gleaner reg dump HIVE` (every key and value as JSON
# Lines) side by side with hivexml (hivex) and regfexport (libregf, which
# prints every key and value by default), all writing to /dev/null, on the
# three largest corpus hives and a generated 15 MB hive. hyperfine runs the
# three in one session per hive (JSON in build/bench/); the summary gives
# mean times, the ratios gleaner vs hivexml and vs regfexport (targets:
# >= 3x and >= 10x) and gleaner's peak RSS from /usr/bin/time.
# Environment: GLEANER (binary, default ./gleaner), BENCH_RUNS (default 10).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GLEANER=${GLEANER:-$ROOT/gleaner}
CORPUS=${GLEANER_CORPUS:-$ROOT/../shared/corpus}
RUNS=${BENCH_RUNS:-10}
OUT=$ROOT/build/bench
mkdir -p "$OUT"

DESC=$ROOT/tests/bench/large.hivedesc
LARGE=$OUT/large.hive
if [ ! -f "$LARGE" ] || [ "$DESC" -nt "$LARGE" ] || [ "$ROOT/tests/fixtures/mkhive.py" -nt "$LARGE" ]; then
    /usr/bin/python3 "$ROOT/tests/fixtures/mkhive.py" "$DESC" "$LARGE"
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

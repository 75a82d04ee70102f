#!/bin/sh
# Event log read speed: `gleaner evtx dump FILE` (every record as JSON
# Lines) side by side with `evtxexport -f xml` (libevtx) and python-evtx
# (tests/bench/pyevtx_render.py renders every record to XML), all writing
# to /dev/null, on the perf/ logs and every dev/evtx log of the shared
# corpus. hyperfine runs gleaner and evtxexport (median of BENCH_RUNS, default 5, after one
# warm-up); python-evtx is run once per file, being slow. Prints records/s,
# MB/s and the ratios per file and in total, and gleaner's peak RSS.
#
#   sh tests/bench/bench_evtx.sh            (make bench-evtx)
#   GLEANER=build/test/gleaner BENCH_RUNS=5 sh tests/bench/bench_evtx.sh
#   BENCH_ROWS=FILE ...     only print the report for measurements kept in
#                           FILE (build/bench/evtx/rows.tsv of an earlier run)
#   PYEVTX_LIMIT=2000 ...   python-evtx renders only the first N records of
#                           each file (rates are then per record measured)
set -eu
GLEANER=${GLEANER:-./gleaner}
CORPUS=${GLEANER_CORPUS:-../shared/corpus}
RUNS=${BENCH_RUNS:-5}
PYEVTX_LIMIT=${PYEVTX_LIMIT:-}
OUT=build/bench/evtx
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -n "${BENCH_ROWS:-}" ]; then
    ROWS=$BENCH_ROWS
elif [ ! -d "$CORPUS/perf" ]; then
    echo "bench-evtx: $CORPUS/perf not found (set GLEANER_CORPUS)" >&2
    exit 1
else
rm -rf "$OUT"
mkdir -p "$OUT"
ROWS="$OUT/rows.tsv"
: > "$ROWS"

for f in "$CORPUS"/perf/*.evtx "$CORPUS"/dev/evtx/*/*.evtx; do
    name=$(basename "$f" .evtx)
    bytes=$(wc -c < "$f")
    # Rates use one record count for every tool: the live records gleaner
    # returns (recovered ones are extra work gleaner does on top).
    g_recs=$("$GLEANER" evtx dump --no-recover "$f" 2>/dev/null | grep -c '"EventRecordID"' || true)
    e_recs=$(evtxexport -f xml "$f" 2>/dev/null | grep -c '^<Event ' || true)
    /usr/bin/time -o "$OUT/rss" -f '%M' "$GLEANER" evtx dump "$f" > /dev/null 2>&1 || true
    rss_kb=$(tail -n 1 "$OUT/rss")
    hyperfine -N --style none --runs "$RUNS" --warmup 1 -i \
        --export-json "$OUT/$name.json" \
        -n gleaner "$GLEANER evtx dump $f" \
        -n evtxexport "evtxexport -f xml $f" > /dev/null 2>&1
    g_s=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["median"])' "$OUT/$name.json")
    e_s=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[1]["median"])' "$OUT/$name.json")
    # CPU time (user + system, mean): steadier than wall time on a shared machine
    cpu=$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["user"] + r[0]["system"], r[1]["user"] + r[1]["system"])' "$OUT/$name.json")
    start=$(date +%s.%N)
    p_recs=$(/usr/bin/python3 "$HERE/pyevtx_render.py" "$f" $PYEVTX_LIMIT 2>/dev/null || echo 0)
    end=$(date +%s.%N)
    p_s=$(echo "$start $end" | awk '{ printf "%.3f", $2 - $1 }')
    case "$f" in */perf/*) set=perf ;; *) set=dev ;; esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$bytes" "$g_recs" "$g_s" "$e_recs" "$e_s" \
        "$p_recs" "$p_s" "$rss_kb" "$set" ${cpu% *} ${cpu#* } >> "$ROWS"
    printf '.' >&2
done
echo >&2
# gleaner's own multi-file mode: one process for every file, as an analyst
# runs it over a log folder. evtxexport takes one file per process, so its
# total above is already its best; this shows what process start-up
# (19 shared libraries, ~3 ms) costs gleaner on the many tiny files.
hyperfine -N --style none --runs "$RUNS" --warmup 1 -i --export-json "$OUT/batch.json" \
    -n gleaner-batch "$GLEANER evtx dump $(ls "$CORPUS"/perf/*.evtx "$CORPUS"/dev/evtx/*/*.evtx | tr '\n' ' ')" > /dev/null 2>&1
/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$OUT/batch.json" > "$OUT/batch.s"
fi
BATCH_S=$(cat "$(dirname "$ROWS")/batch.s" 2>/dev/null || echo 0)

awk -F '\t' -v runs="$RUNS" -v limit="$PYEVTX_LIMIT" -v batch_s="$BATCH_S" '
function rate(n, s) { return s > 0 ? n / s : 0 }
BEGIN {
    printf "EVTX read speed, records/s (MB/s); ratio = gleaner rate / other rate\n"
    printf "records = live records (gleaner --no-recover); gleaner is timed with recovery on\n"
    printf "gleaner and evtxexport: median of %d runs (hyperfine); python-evtx: one run", runs
    if (limit != "") printf " on the first %s records of each file (subset)", limit
    printf "\n\n%-64s %7s %7s %20s %20s %9s %20s %9s %8s\n", "file", "MB", "records",
        "gleaner", "evtxexport", "x evtxexp", "python-evtx", "x pyevtx", "RSS MB"
}
{
    mb = $2 / 1e6
    g = rate($3, $4); e = rate($3, $6); p = rate($7, $8)
    printf "%-64s %7.2f %7d %11.0f (%6.1f) %11.0f (%6.1f) %9.1f %11.0f (%6.2f) %9.1f %8.1f\n",
        substr($1, 1, 64), mb, $3, g, rate(mb, $4), e, rate(mb, $6), (e > 0 ? g / e : 0),
        p, (p > 0 ? rate(mb * $7 / ($3 > 0 ? $3 : 1), $8) : 0), (p > 0 ? g / p : 0), $9 / 1024
    tb += mb; tg += $3; tgs += $4; te += $5; tes += $6; tp += $7; tps += $8
    if ($10 == "perf") { pb += mb; pg += $3; pgs += $4; pes += $6; pp += $7; pps += $8; pgc += $11; pec += $12 }
    tgc += $11; tec += $12
    if ($5 != $3) evtxexport_differs = evtxexport_differs " " $1 " (" $5 ")"
    if ($9 > maxrss) { maxrss = $9 }
    if ($2 > maxbytes) { maxbytes = $2; maxname = $1; maxfile_rss = $9 }
}
END {
    g = rate(pg, pgs); e = rate(pg, pes); p = rate(pp, pps)
    perf_e = e > 0 ? g / e : 0; perf_p = p > 0 ? g / p : 0
    printf "%-64s %7.2f %7d %11.0f (%6.1f) %11.0f (%6.1f) %9.1f %11.0f %8s %9.1f\n",
        "perf/ (4 large logs)", pb, pg, g, rate(pb, pgs), e, rate(pb, pes), (e > 0 ? g / e : 0), p, "", (p > 0 ? g / p : 0)
    g = rate(tg, tgs); e = rate(tg, tes); p = rate(tp, tps)
    printf "%-64s %7.2f %7d %11.0f (%6.1f) %11.0f (%6.1f) %9.1f %11.0f %8s %9.1f %8.1f\n",
        "TOTAL", tb, tg, g, rate(tb, tgs), e, rate(tb, tes), (e > 0 ? g / e : 0), p, "", (p > 0 ? g / p : 0), maxrss / 1024
    if (evtxexport_differs != "") printf "\nrecords evtxexport exported where it differs from gleaner:%s\n", evtxexport_differs
    printf "\ntotal time: gleaner %.2f s, evtxexport %.2f s, python-evtx %.1f s (%d records)\n", tgs, tes, tps, tp
    if (tgc > 0)
        printf "CPU time (user+system, mean of runs): gleaner %.2f s, evtxexport %.2f s: ratio %.1fx (perf/ %.1fx)\n",
            tgc, tec, tec / tgc, (pgc > 0 ? pec / pgc : 0)
    if (batch_s > 0)
        printf "all files in one gleaner process: %.3f s, %.0f records/s: %.1fx evtxexport (one process per file, its only mode), %.0fx python-evtx\n",
            batch_s, rate(tg, batch_s), rate(tg, batch_s) / (e > 0 ? e : 1), rate(tg, batch_s) / (p > 0 ? p : 1)
    printf "largest file %s: gleaner peak RSS %.1f MB\n", maxname, maxfile_rss / 1024
    all_e = e > 0 ? g / e : 0; all_p = p > 0 ? g / p : 0
    printf "targets, perf/ | all files: gleaner/evtxexport >= 20x: %.1fx %s | %.1fx %s; gleaner/python-evtx >= 100x: %.0fx %s | %.0fx %s; RSS < 64 MB: %s\n",
        perf_e, (perf_e >= 20 ? "met" : "NOT met"), all_e, (all_e >= 20 ? "met" : "NOT met"),
        perf_p, (perf_p >= 100 ? "met" : "NOT met"), all_p, (all_p >= 100 ? "met" : "NOT met"),
        (maxfile_rss < 65536 ? "met" : "NOT met")
}' "$ROWS"

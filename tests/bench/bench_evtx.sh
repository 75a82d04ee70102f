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
#   sh tests/bench/bench_evtx.sh floors     (make bench-parsers) the speed
#                           floors only: see floors() below
#   GLEANER_BASE=OLD-BINARY ... floors   also runs another build's 1-core
#                           dump and filter in the same rounds (b1, bid), to
#                           compare two builds side by side
set -eu
GLEANER=${GLEANER:-./gleaner}
CORPUS=${GLEANER_CORPUS:-../shared/corpus}
RUNS=${BENCH_RUNS:-5}
PYEVTX_LIMIT=${PYEVTX_LIMIT:-}
OUT=${BENCH_OUT:-build/bench}/evtx
HERE=$(cd "$(dirname "$0")" && pwd)

# The floors, gleaner and evtxexport side by side in one run
# (tests/bench/sidebyside.py: BENCH_RUNS rounds, order rotated each round,
# medians of wall and CPU time) over the corpus's large logs (perf/ and
# every dev/ log of 1 MB or more), each log and all together:
#   1 core:  taskset -c 0 gleaner evtx dump --jobs 1 F  vs  taskset -c 0 evtxexport -f xml F   (>= 35x)
#   2 cores: gleaner evtx dump --jobs 2 F  vs the 1-core gleaner                             (>= 1.8x)
#            (all logs in one process: vs the mean of the 1-core runs on core 0 and on
#            core 1, because this machine's two vCPUs are not always equally fast: a
#            memory-bound one-thread dump has run 1.5x slower on core 0 than on core 1
#            in the same rounds, which makes a ratio against one core alone read 2.2x
#            or 1.4x for the same two-thread run; printed beside it: the CPU time two
#            threads take over one, what two one-thread dumps at once take over each
#            alone, which is the machine's own loss, and how busy both cores were)
#   filter:  gleaner evtx dump --jobs 1 --id 5 IDs F  vs the full 1-core dump                  (>= 3x)
# and the 1- and 2-core gleaner over all the logs in one process (several
# files at once). Peak RSS of every gleaner run, to see it stay flat.
floors() {
    mkdir -p "$OUT"
    # what a triage of this threat asks first: new accounts, group changes,
    # new services, cleared logs
    ids=4720,4732,7045,1102,104
    logs=$( (ls "$CORPUS"/perf/*.evtx; find "$CORPUS"/dev/evtx -name '*.evtx' -size +1000k | sort) | tr '\n' ' ')
    : > "$OUT/floors.cmds"
    for f in $logs; do
        n=$(basename "$f" .evtx)
        printf '%s\tg1\ttaskset -c 0 %s evtx dump --jobs 1 "%s"\n' "$n" "$GLEANER" "$f"
        printf '%s\te1\ttaskset -c 0 evtxexport -f xml "%s"\n' "$n" "$f"
        printf '%s\tg2\t%s evtx dump --jobs 2 "%s"\n' "$n" "$GLEANER" "$f"
        printf '%s\tgid\ttaskset -c 0 %s evtx dump --jobs 1 --id %s "%s"\n' "$n" "$GLEANER" "$ids" "$f"
        if [ -n "${GLEANER_BASE:-}" ]; then
            printf '%s\tb1\ttaskset -c 0 %s evtx dump --jobs 1 "%s"\n' "$n" "$GLEANER_BASE" "$f"
            printf '%s\tbid\ttaskset -c 0 %s evtx dump --jobs 1 --id %s "%s"\n' "$n" "$GLEANER_BASE" "$ids" "$f"
        fi
    done >> "$OUT/floors.cmds"
    quoted=$(for f in $logs; do printf '"%s" ' "$f"; done)
    printf 'ALL\tg1\ttaskset -c 0 %s evtx dump --jobs 1 %s\n' "$GLEANER" "$quoted" >> "$OUT/floors.cmds"
    printf 'ALL\tg1c1\ttaskset -c 1 %s evtx dump --jobs 1 %s\n' "$GLEANER" "$quoted" >> "$OUT/floors.cmds"
    printf 'ALL\tg2\t%s evtx dump --jobs 2 %s\n' "$GLEANER" "$quoted" >> "$OUT/floors.cmds"
    printf 'ALL\tgid\ttaskset -c 0 %s evtx dump --jobs 1 --id %s %s\n' "$GLEANER" "$ids" "$quoted" >> "$OUT/floors.cmds"
    # What the machine itself loses when both cores work: two one-thread
    # dumps at once, one per core, against each alone (all three through
    # sh and taskset, so their start-up weighs the same on both sides).
    one="$GLEANER evtx dump --jobs 1 $quoted > /dev/null"
    printf 'ALL\tsolo0\tsh -c '"'"'taskset -c 0 %s'"'"'\n' "$one" >> "$OUT/floors.cmds"
    printf 'ALL\tsolo1\tsh -c '"'"'taskset -c 1 %s'"'"'\n' "$one" >> "$OUT/floors.cmds"
    printf 'ALL\tpair\tsh -c '"'"'taskset -c 0 %s & taskset -c 1 %s; wait'"'"'\n' "$one" "$one" >> "$OUT/floors.cmds"
    /usr/bin/python3 "$HERE/sidebyside.py" "$RUNS" < "$OUT/floors.cmds" > "$OUT/floors.tsv"
    for f in $logs; do printf '%s\t%s\n' "$(basename "$f" .evtx)" "$(wc -c < "$f")"; done > "$OUT/floors.sizes"
    awk -F '\t' -v runs="$RUNS" -v ids="$ids" '
    FNR == NR { size[$1] = $2; next }
    { w[$1, $2] = $3; c[$1, $2] = $4; if ($2 != "e1" && $5 > rss[$1]) rss[$1] = $5; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
    function r(a, b) { return b > 0 ? a / b : 0 }
    function row(name, mb, g1w, g1c, e1w, e1c, g2w, gidw, gidc, rs) {
        printf "%-58s %6.1f %7.3f %7.3f %8.2f %8.2f %6.1f %6.1f %6.2f %6.1f %6.1f %6.1f\n", substr(name, 1, 58), mb,
            g1w, g1c, e1w, e1c, r(e1w, g1w), r(e1c, g1c), r(g1w, g2w), r(g1w, gidw), r(g1c, gidc), rs / 1024
    }
    END {
        printf "EVTX -> JSON Lines floors: medians of %d rounds, order rotated each round (tests/bench/sidebyside.py)\n", runs
        printf "g1 = taskset -c 0 gleaner evtx dump --jobs 1; e1 = taskset -c 0 evtxexport -f xml; g2 = gleaner evtx dump --jobs 2;\n"
        printf "gid = taskset -c 0 gleaner evtx dump --jobs 1 --id %s (5 event IDs)\n\n", ids
        printf "%-58s %6s %7s %7s %8s %8s %6s %6s %6s %6s %6s %6s\n", "log", "MB", "g1 wall", "g1 cpu", "e1 wall", "e1 cpu",
            "x wall", "x cpu", "2core", "id wal", "id cpu", "RSS MB"
        for (i = 0; i < n; i++) {
            k = order[i]
            if (k == "ALL") continue
            row(k, size[k] / 1e6, w[k, "g1"], c[k, "g1"], w[k, "e1"], c[k, "e1"], w[k, "g2"], w[k, "gid"], c[k, "gid"], rss[k])
            mb += size[k] / 1e6; g1w += w[k, "g1"]; g1c += c[k, "g1"]; e1w += w[k, "e1"]; e1c += c[k, "e1"]
            g2w += w[k, "g2"]; gidw += w[k, "gid"]; gidc += c[k, "gid"]; if (rss[k] > maxrss) maxrss = rss[k]
            b1w += w[k, "b1"]; b1c += c[k, "b1"]; bidw += w[k, "bid"]; bidc += c[k, "bid"]
            lw = r(w[k, "e1"], w[k, "g1"]); lc = r(c[k, "e1"], c[k, "g1"])
            if (lw < 35 && lc < 35) below = below " " k
        }
        row("sum over the logs, one process each", mb, g1w, g1c, e1w, e1c, g2w, gidw, gidc, maxrss)
        row("all logs in one gleaner process (e1: sum)", mb, w["ALL", "g1"], c["ALL", "g1"], e1w, e1c, w["ALL", "g2"],
            w["ALL", "gid"], c["ALL", "gid"], rss["ALL"])
        x1w = r(e1w, g1w); x1c = r(e1c, g1c); xid = r(g1w, gidw)
        a0 = w["ALL", "g1"]; a1 = w["ALL", "g1c1"]; a2 = w["ALL", "g2"]
        x2 = r((a0 + a1) / 2, a2)
        # the two-thread run against both cores working at their one-thread speed at once
        eff = a0 > 0 && a1 > 0 ? r(1 / (1 / a0 + 1 / a1), a2) : 0
        printf "\nfloors: 1 core vs evtxexport >= 35x: wall %.1fx, CPU %.1fx %s (logs below in both:%s)\n", x1w, x1c,
            (x1w >= 35 || x1c >= 35 ? "met" : "NOT met"), (below == "" ? " none" : below)
        printf "        2 cores vs 1 core >= 1.8x (all logs, one process; 1 core = mean of core 0 %.3f s and core 1 %.3f s): %.2fx %s\n",
            a0, a1, x2, (x2 >= 1.8 ? "met" : "NOT met")
        printf "          vs core 0 alone %.2fx, vs core 1 alone %.2fx; %.0f%% of both cores at their one-thread speed; per-log sum (core 0) %.2fx\n",
            r(a0, a2), r(a1, a2), 100 * eff, r(g1w, g2w)
        # CPU time: the two-thread dump against one thread (mean of both
        # cores), and two one-thread dumps at once against each alone
        printf "          CPU: two threads %.1f%% more than one; two one-thread dumps at once %.1f%% more than apart (the machine); both cores %.0f%% busy\n",
            100 * (r(c["ALL", "g2"], (c["ALL", "g1"] + c["ALL", "g1c1"]) / 2) - 1),
            100 * (r(c["ALL", "pair"], c["ALL", "solo0"] + c["ALL", "solo1"]) - 1), 100 * r(c["ALL", "g2"], 2 * a2)
        printf "        5-ID filter vs full dump >= 3x: wall %.1fx, CPU %.1fx %s\n", xid, r(g1c, gidc), (xid >= 3 ? "met" : "NOT met")
        printf "        peak RSS of any gleaner run %.1f MB\n", maxrss / 1024
        if (b1w > 0)
            printf "base build (GLEANER_BASE), same rounds: 1 core vs evtxexport wall %.1fx, CPU %.1fx; filter wall %.1fx, CPU %.1fx; this build %.2fx its CPU\n",
                r(e1w, b1w), r(e1c, b1c), r(b1w, bidw), r(b1c, bidc), r(b1c, g1c)
    }' "$OUT/floors.sizes" "$OUT/floors.tsv" | tee "$OUT/floors.txt"
}
if [ "${1:-}" = floors ]; then
    floors
    exit 0
fi

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

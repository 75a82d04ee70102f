#!/bin/sh
# Every stage ratio the issues set, in one run, on one binary (the static
# release binary by default, on which the floors are judged): event logs
# vs evtxexport (one core, two cores, filter), hives vs hivexml, the YARA
# module vs `yara -r -p 2`, then the end-to-end run on the reference host
# with the bundle stage vs tar|zstd+openssl and bsdtar. Each part runs its
# rounds side by side, order rotated, medians (sidebyside.py).
# usage: tests/bench/bench_stages.sh   (GLEANER_BIN, GLEANER_FIXTURES,
#        BENCH_RUNS (parsers, YARA: 9), BENCH_ROUNDS (end to end: 3))
set -eu
G=${GLEANER_BIN:-$PWD/dist/gleaner-0.1.0-linux-x64}
[ -x "$G" ] || { echo "bench_stages: $G: no such binary (RELEASE_TARGETS=linux-x64 make release)"; exit 1; }
RUNS=${BENCH_RUNS:-9}
say() { echo "== $1 $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
say "event logs"
GLEANER=$G BENCH_RUNS=$RUNS sh tests/bench/bench_evtx.sh floors
say "hives"
GLEANER=$G BENCH_RUNS=$RUNS sh tests/bench/bench_regf.sh floors
say "yara"
GLEANER_BIN=$G BENCH_ROUNDS=$RUNS sh tests/bench/bench_yara.sh
say "end to end"
GLEANER_BIN=$G BENCH_ROUNDS=${BENCH_ROUNDS:-3} sh tests/bench/bench_e2e.sh
say "end"

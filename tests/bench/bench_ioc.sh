#!/bin/sh
# ioc: matching cost against the number of records. The yara module writes
# one record per scanned file (path, times, SHA-256), so a tree of N files
# and one of 2N give the ioc module N and 2N records to read; its own
# seconds come from run.json (best of 3). Indicators: the built-in list
# plus 10000 generated ones of every type, a few of which match.
# Twice the records must cost at most 2.2x the time (hash sets, not a scan
# of every indicator per token).
# usage: tests/bench/bench_ioc.sh [WORKDIR]   (N=50000 by default; GLEANER_BIN)
set -e
BIN=${GLEANER_BIN:-$PWD/gleaner}
W=${1:-build/bench/ioc}
N=${N:-50000}
# the trees take minutes to write: kept between runs of the same N
[ -f "$W/trees-$N" ] || rm -rf "$W"
mkdir -p "$W" && W=$(cd "$W" && pwd)
rm -rf "$W/out" "$W/small.txt" "$W/large.txt" && mkdir -p "$W/out"
[ -f "$W/trees-$N" ] || /usr/bin/python3 - "$W" "$N" <<'PY'
import os, random, sys
w, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
for tree, count in (("small", n), ("large", 2 * n)):
    for i in range(count):
        d = os.path.join(w, tree, "ProgramData", "app%03d" % (i % 500))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "file%06d.log" % i), "w") as f:
            f.write("connection from 10.%d.%d.%d to update.example.org\n" % (i % 250, i % 199, i % 97))
with open(os.path.join(w, "iocs.txt"), "w") as f:
    for i in range(2500):
        f.write("%d.%d.%d.%d\n" % (random.randrange(1, 224), random.randrange(256), random.randrange(256), random.randrange(256)))
        f.write("host%d.bad%d.example\n" % (i, i))
        f.write("%064x\n" % random.getrandbits(256))
        f.write("tool%d.exe\n" % i)
    f.write("file000042.log medium\n10.0.0.0/8 low\n")
with open(os.path.join(w, "none.yar"), "w") as f:
    f.write("rule never { condition: false }\n")
with open(os.path.join(w, "bench.profile"), "w") as f:
    f.write("description ioc bench\nmodule yara\nmodule ioc\nset yara.builtin false\n"
            "set yara.paths C:\\ProgramData\\**\\*\nset ioc.max_per_indicator 1000000000\n")
open(os.path.join(w, "trees-%d" % n), "w").close()
PY
seconds() { # tree run -> the ioc module's seconds
    rm -rf "$W/out/$1$2"*
    "$BIN" collect -q --source "dir:$W/$1" --output "$W/out" --name "$1$2" --profile "$W/bench.profile" \
        --yara "$W/none.yar" --ioc "$W/iocs.txt" >/dev/null
    # the module's CPU seconds (its log line), then its wall seconds from run.json
    cpu=$(tar --zstd -xOf "$W/out/$1$2.tar.zst" log.txt | sed -n 's/.* matches, \([0-9.]*\) s CPU$/\1/p')
    tar --zstd -xOf "$W/out/$1$2.tar.zst" run.json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
m = [m for m in r["modules"] if m["name"] == "ioc"][0]
print(sys.argv[1], m["seconds"], m["records"], m["findings"])' "$cpu"
}
# small and large runs interleaved, best of 5 each: other load on the
# machine hits both alike
for i in 1 2 3 4 5; do
    seconds small "$i" >> "$W/small.txt"
    seconds large "$i" >> "$W/large.txt"
done
S=$(sort -n "$W/small.txt" | head -1); L=$(sort -n "$W/large.txt" | head -1)
echo "ioc on $N records:       $S (CPU s, wall s, records, findings)"
echo "ioc on $((2 * N)) records:      $L"
/usr/bin/python3 -c "
s, l = float('$S'.split()[0]), float('$L'.split()[0])
r = l / s
print('ratio 2N/N: %.2f (limit 2.2)' % r)
raise SystemExit(0 if r <= 2.2 else 1)"

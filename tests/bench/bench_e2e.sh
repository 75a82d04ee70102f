#!/bin/sh
# End-to-end benchmark (make bench-e2e): gleaner on the reference host
# (tests/bench/mkrefhost.py, cached outside the work tree), side by side in
# one run with the order rotated between rounds, medians reported:
#  (a) collect --profile standard and --profile full: wall, CPU, peak RSS,
#      bundle size;
#  (c) the bundle stage alone (the standard profile's targets, files module
#      only) against `tar | zstd -3 -T2` followed by `openssl dgst -sha256`
#      of every file, and against `bsdtar --zstd`, over the same files;
#  and whether peak RSS stays flat when the files and event logs double
#  (two smaller reference hosts, scale S and 2S).
# Per-stage parser/YARA ratios have their own targets (bench-regf,
# bench-evtx/bench-parsers, bench-yara); `make bench` runs them all.
# Writes the table to stdout and into BENCHMARKS.md between its e2e markers.
# BENCH_ONLY=stage (make bench-bundle) runs (c) alone, with the peers'
# parts and CPU ratios beside the wall ratios, into the bundle-stage markers.
#   sh tests/bench/bench_e2e.sh   (GLEANER_BIN, GLEANER_FIXTURES, GLEANER_CORPUS,
#   BENCH_ROUNDS=3, BENCH_SCALE=1.0, BENCH_EVTX_GIB=1.0, GLEANER_BENCH_CACHE,
#   BENCH_ONLY=stage)
set -eu
BIN=${GLEANER_BIN:-$PWD/gleaner}
FIX=${GLEANER_FIXTURES:-$PWD/build/fixtures}
CORPUS=${GLEANER_CORPUS:-$PWD/../shared/corpus}
ROUNDS=${BENCH_ROUNDS:-3}
ONLY=${BENCH_ONLY:-}
SCALE=${BENCH_SCALE:-1.0}
EVTX=${BENCH_EVTX_GIB:-1.0}
CACHE=${GLEANER_BENCH_CACHE:-$HOME/.cache/gleaner-bench}
W=${BENCH_WORK:-$PWD/build/bench/e2e}
for t in bsdtar zstd openssl /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "bench_e2e: $t is not installed"; exit 1; }
done
GEN=tests/bench/mkrefhost.py
KEY=$(cat "$GEN" | sha256sum | cut -c1-12)

# refhost SCALE EVTX -> path of the cached tree (generated when missing)
refhost() {
    d="$CACHE/refhost-s1-x$1-e$2-$KEY"
    if [ ! -d "$d" ]; then
        mkdir -p "$CACHE"
        /usr/bin/python3 "$GEN" "$d" "$FIX/sample-host" "$CORPUS" --seed 1 --scale "$1" --evtx-gib "$2" >&2
    fi
    echo "$d"
}
REF=$(refhost "$SCALE" "$EVTX")
rm -rf "$W" && mkdir -p "$W/out"
# warm the page cache, as for every comparison here
find "$REF" -type f ! -name '*.mp4' ! -name '*.mkv' ! -name '*.vdi' ! -name '*.bak' ! -name '*.iso' \
    -exec cat {} + > /dev/null 2>&1 || true

# the bundle stage: standard's raw targets, no detection module
{ echo "description bundle stage of the standard profile"; echo "module files";
  echo "set files.max_file_size 4GiB"; grep -h '^target' profiles/quick.profile profiles/standard.profile; } \
    > "$W/bundle-stage.profile"

# one measurement: NAME CMD... -> appends "wall cpu rss_kib" to $W/NAME.txt
measure() {
    name=$1; shift
    /usr/bin/time -f '%e %U %S %M' -o "$W/t.$$" "$@" > /dev/null 2>&1 || { echo "bench_e2e: $name failed" >&2; exit 1; }
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/t.$$" >> "$W/$name.txt"
}
g_std() { rm -f "$W/out/std"*; measure standard "$BIN" collect -q --source "dir:$REF" --output "$W/out" --name std; }
g_full() { rm -f "$W/out/full"*; measure full "$BIN" collect -q --source "dir:$REF" --profile full --output "$W/out" --name full; }
g_stage() {
    rm -f "$W/out/stage"*
    measure stage "$BIN" collect -q --source "dir:$REF" --profile "$W/bundle-stage.profile" --output "$W/out" --name stage
}
# the peers read the files gleaner's bundle stage acquired
peer_tar() {
    measure tarzstd sh -c "tar -cf - -C '$REF' -T '$W/list' | zstd -3 -T2 -q -o '$W/out/peer.tar.zst' -f"
    measure dgst sh -c "cd '$REF' && tr '\\n' '\\0' < '$W/list' | xargs -0 openssl dgst -sha256 > /dev/null"
}
peer_bsdtar() { measure bsdtar bsdtar --zstd -cf "$W/out/peer-bsd.tar.zst" -C "$REF" -T "$W/list"; }

g_stage
tar --zstd -xOf "$W/out/stage.tar.zst" manifest.json | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
for e in m.get("members", m.get("files", [])):
    n = e.get("name") or e.get("path") or ""
    if n.startswith("artifacts/C/"):
        print(n[len("artifacts/C/"):])' > "$W/list"
: > "$W/stage.txt"
[ -s "$W/list" ] || { echo "bench_e2e: no artifacts listed in the bundle-stage manifest"; exit 1; }
if [ "$ONLY" = stage ]; then set -- g_stage peer_tar peer_bsdtar; else set -- g_std g_full g_stage peer_tar peer_bsdtar; fi
i=0
while [ $i -lt "$ROUNDS" ]; do
    for f in "$@"; do $f; done
    first=$1; shift; set -- "$@" "$first"   # rotate the order for the next round
    i=$((i + 1))
done

med() { sort -n -k"$2" "$W/$1.txt" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
files=$(find "$REF" -type f | wc -l); bytes=$(du -sb --apparent-size "$REF" | cut -f1)
nlist=$(wc -l < "$W/list"); lbytes=$(cd "$REF" && tr '\n' '\0' < "$W/list" | du -cb --files0-from=- | tail -1 | cut -f1)
size() { stat -c %s "$W/out/$1"; }
machine() {
    echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
}
# into BENCHMARKS.md between the markers NAME:begin/NAME:end (appended when missing)
put_block() {
    B=BENCHMARKS.md
    [ -f "$B" ] || printf '# gleaner benchmarks\n' > "$B"
    grep -q "<!-- $1:begin -->" "$B" || printf '\n<!-- %s:begin -->\n<!-- %s:end -->\n' "$1" "$1" >> "$B"
    /usr/bin/python3 - "$B" "$1" "$2" "$3" <<'EOF'
import sys
path, name, how, table = sys.argv[1:]
s = open(path).read()
a, b = s.index("<!-- %s:begin -->" % name), s.index("<!-- %s:end -->" % name)
s = s[:a] + "<!-- %s:begin -->\n" % name + "Measured by %s.\n\n" % how + table + "\n" + s[b:]
open(path, "w").write(s)
EOF
}

if [ "$ONLY" = stage ]; then
    table=$(/usr/bin/python3 - "$W" "$nlist" "$lbytes" "$(size stage.tar.zst)" "$(size peer.tar.zst)" "$(size peer-bsd.tar.zst)" \
        "$ROUNDS" "$(machine)" <<'EOF'
import statistics, sys
w, nlist, lbytes, s_stage, s_tar, s_bsd, rounds, machine = sys.argv[1:]
def load(n):
    rows = [l.split() for l in open("%s/%s.txt" % (w, n)) if l.strip()]
    return [statistics.median(float(r[k]) for r in rows) for k in range(3)]
stage, tar, dgst, bsd = (load(n) for n in ("stage", "tarzstd", "dgst", "bsdtar"))
peer = [tar[0] + dgst[0], tar[1] + dgst[1], max(tar[2], dgst[2])]
mb = lambda b: "%.0f MB" % (int(b) / 1e6)
print("Bundle stage over %s files (%s), %s rounds rotated, medians; %s" % (nlist, mb(lbytes), rounds, machine))
print()
print("| run | wall s | CPU s | peak RSS MiB | output | gleaner's speed relative to it (wall) | (CPU) |")
print("|---|---|---|---|---|---|---|")
def row(name, r, s):
    print("| %s | %.2f | %.2f | %.1f | %s | %.2f | %.2f |" % (name, r[0], r[1], r[2] / 1024, s, r[0] / stage[0], r[1] / stage[1]))
row("gleaner (files module: read, SHA-256, pax, zstd)", stage, mb(s_stage))
row("tar \\| zstd -3 -T2, then openssl dgst -sha256", peer, mb(s_tar))
row("&nbsp;&nbsp;of which tar \\| zstd -3 -T2", tar, mb(s_tar))
row("&nbsp;&nbsp;of which openssl dgst -sha256", dgst, "-")
row("bsdtar --zstd (no hashing)", bsd, mb(s_bsd))
print()
print("Goals: >= 1.2x the tar+zstd+openssl pipeline (%.2fx: %s) and >= 0.8x bsdtar (%.2fx: %s)."
      % (peer[0] / stage[0], "met" if peer[0] / stage[0] >= 1.2 else "NOT met",
         bsd[0] / stage[0], "met" if bsd[0] / stage[0] >= 0.8 else "NOT met"))
EOF
)
    echo "$table"
    put_block bundle-stage '`make bench-bundle` (BENCH_ONLY=stage sh tests/bench/bench_e2e.sh)' "$table"
    exit 0
fi

# flat memory: the standard profile on hosts of scale S/4 and S/2 (twice the
# files and twice the event logs)
small=$(/usr/bin/python3 -c "print(round($SCALE / 4, 3))"); big=$(/usr/bin/python3 -c "print(round($SCALE / 2, 3))")
es=$(/usr/bin/python3 -c "print(round($EVTX / 4, 3))"); eb=$(/usr/bin/python3 -c "print(round($EVTX / 2, 3))")
R1=$(refhost "$small" "$es"); R2=$(refhost "$big" "$eb")
rss_of() { rm -f "$W/out/flat"*; /usr/bin/time -f '%M' -o "$W/m.$$" "$BIN" collect -q --source "dir:$1" --output "$W/out" --name flat > /dev/null 2>&1 || true; cat "$W/m.$$"; }
m1=$(rss_of "$R1"); m2=$(rss_of "$R2")

machine=$(machine)
table=$(/usr/bin/python3 - "$W" "$files" "$bytes" "$nlist" "$lbytes" "$(size std.tar.zst)" "$(size full.tar.zst)" \
    "$(size stage.tar.zst)" "$(size peer.tar.zst)" "$(size peer-bsd.tar.zst)" "$m1" "$m2" "$ROUNDS" "$machine" <<'EOF'
import statistics, sys
w, files, nbytes, nlist, lbytes, s_std, s_full, s_stage, s_tar, s_bsd, m1, m2, rounds, machine = sys.argv[1:]
def load(n):
    rows = [l.split() for l in open("%s/%s.txt" % (w, n)) if l.strip()]
    return [statistics.median(float(r[k]) for r in rows) for k in range(3)]
std, full, stage, tar, dgst, bsd = (load(n) for n in ("standard", "full", "stage", "tarzstd", "dgst", "bsdtar"))
peer = [tar[0] + dgst[0], tar[1] + dgst[1], max(tar[2], dgst[2])]
mb = lambda b: "%.0f MB" % (int(b) / 1e6)
print("Reference host: %s files, %.2f GB (%s rounds, medians; %s)" % (files, int(nbytes) / 1e9, rounds, machine))
print()
print("| run | wall s | CPU s | peak RSS MiB | bundle |")
print("|---|---|---|---|---|")
for name, r, s in (("gleaner collect --profile standard", std, s_std), ("gleaner collect --profile full", full, s_full)):
    print("| %s | %.2f | %.2f | %.1f | %s |" % (name, r[0], r[1], r[2] / 1024, mb(s)))
print()
print("Bundle stage over the same %s files (%s):" % (nlist, mb(lbytes)))
print()
print("| run | wall s | CPU s | peak RSS MiB | output | gleaner's speed relative to it |")
print("|---|---|---|---|---|---|")
print("| gleaner (files module: read, SHA-256, pax, zstd) | %.2f | %.2f | %.1f | %s | 1.00 |" % (stage[0], stage[1], stage[2] / 1024, mb(s_stage)))
print("| tar \\| zstd -3 -T2, then openssl dgst -sha256 | %.2f | %.2f | %.1f | %s | %.2f |" % (peer[0], peer[1], peer[2] / 1024, mb(s_tar), peer[0] / stage[0]))
print("| bsdtar --zstd (no hashing) | %.2f | %.2f | %.1f | %s | %.2f |" % (bsd[0], bsd[1], bsd[2] / 1024, mb(s_bsd), bsd[0] / stage[0]))
print()
print("Goals: standard under 60 s wall and 256 MiB (%s); bundle stage >= 1.2x the tar+zstd+openssl pipeline (%.2fx) and >= 0.8x bsdtar (%.2fx)."
      % ("met" if std[0] < 60 and std[2] < 256 * 1024 else "NOT met", peer[0] / stage[0], bsd[0] / stage[0]))
print("Peak RSS of the standard profile on hosts of 1/4 and 1/2 the size (twice the files and logs): %.1f -> %.1f MiB."
      % (int(m1) / 1024, int(m2) / 1024))
EOF
)
echo "$table"
put_block e2e '`make bench-e2e` (tests/bench/bench_e2e.sh)' "$table"

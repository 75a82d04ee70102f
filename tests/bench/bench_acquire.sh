#!/bin/sh
# Acquisition benchmark: gleaner streams a 2 GiB file into a bundle
# (read + SHA-256 + pax + zstd) side by side with GNU tar + zstd over the
# same file in the same run, and reports wall-time ratio and peak RSS.
# Memory must stay flat: the bundle writer never holds more than 1 MiB of data.
#   sh tests/bench/bench_acquire.sh [SIZE]      (make bench-acquire)
set -eu
SIZE=${1:-2G}
GLEANER=${GLEANER_BIN:-./gleaner}
W=build/bench/acquire
rm -rf "$W"
mkdir -p "$W/drive/Windows/System32/winevt/Logs" "$W/out"
# Random data, so neither tool can skip work on zeros or sparse holes.
head -c 64M /dev/urandom > "$W/block"
: > "$W/drive/Windows/System32/winevt/Logs/Big.evtx"
n=$(( $(numfmt --from=iec "$SIZE") / 67108864 ))
i=0
while [ $i -lt $n ]; do cat "$W/block" >> "$W/drive/Windows/System32/winevt/Logs/Big.evtx"; i=$((i + 1)); done
rm -f "$W/block"
printf 'module files\nset files.max_file_size 64GiB\ntarget big "C:\\Windows\\System32\\winevt\\Logs\\*.evtx"\n' > "$W/big.profile"
cat "$W/drive/Windows/System32/winevt/Logs/Big.evtx" > /dev/null   # warm the page cache for both

peak() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
rm -f "$W"/out/*
set -- $(peak "$GLEANER" collect -q --source "dir:$W/drive" --profile "$W/big.profile" --output "$W/out" --name g)
g_s=$1 g_kb=$2
set -- $(peak tar --zstd -cf "$W/out/peer.tar.zst" -C "$W/drive" Windows/System32/winevt/Logs/Big.evtx)
t_s=$1 t_kb=$2
set -- $(peak sha256sum "$W/drive/Windows/System32/winevt/Logs/Big.evtx")
h_s=$1
bytes=$(stat -c %s "$W/drive/Windows/System32/winevt/Logs/Big.evtx")
echo "acquire $bytes bytes:"
printf '  gleaner collect        %6.2f s  peak RSS %6d KiB  (read+sha256+pax+zstd)\n' "$g_s" "$g_kb"
printf '  tar --zstd (peer)      %6.2f s  peak RSS %6d KiB  (read+pax+zstd, no hash)\n' "$t_s" "$t_kb"
printf '  sha256sum (peer)       %6.2f s\n' "$h_s"
awk -v g="$g_s" -v t="$t_s" -v h="$h_s" 'BEGIN { printf "  ratio gleaner/(tar+sha256sum) = %.2f\n", g / (t + h) }'
[ "$g_kb" -lt 65536 ] || { echo "FAIL: peak RSS ${g_kb} KiB >= 64 MiB"; exit 1; }
echo "  peak RSS under 64 MiB: ok"
rm -rf "$W"

#!/bin/sh
# Encrypted-bundle benchmark: a bundle over 2 GiB (random data, so zstd
# cannot shrink it) is collected with --encrypt-to, then decrypted by
# gleaner and by stock OpenSSL; both must give the same bytes, which
# gleaner verify accepts, and the .p7m's sidecar must match. Reports wall
# time and peak RSS of each step: gleaner decrypt and verify --key must
# stay flat (under 64 MiB) whatever the bundle's size. `openssl cms
# -decrypt` reads a DER structure whole and refuses one over about 1.5 GiB
# (BUF_MEM_grow_clean), so it is tried and its outcome reported, and the
# round trip through OpenSSL goes the way it streams: `gleaner decrypt
# --split` (structure only, no key) and `openssl cms -decrypt -content`.
#   sh tests/bench/bench_crypt.sh [SIZE] [WORKDIR]      (make bench-crypt)
set -eu
SIZE=${1:-2200M}
W=${2:-build/bench/crypt}
GLEANER=${GLEANER_BIN:-./gleaner}
rm -rf "$W"
mkdir -p "$W/drive/Windows/System32/winevt/Logs" "$W/out" "$W/keys" "$W/clear"
BIG="$W/drive/Windows/System32/winevt/Logs/Big.evtx"
head -c 64M /dev/urandom > "$W/block"
: > "$BIG"
n=$(( $(numfmt --from=iec "$SIZE") / 67108864 ))
i=0
while [ $i -lt $n ]; do cat "$W/block" >> "$BIG"; i=$((i + 1)); done
rm -f "$W/block"
printf 'module files\nset files.max_file_size 64GiB\ntarget big "C:\\Windows\\System32\\winevt\\Logs\\*.evtx"\n' > "$W/big.profile"
openssl req -x509 -newkey rsa:3072 -nodes -keyout "$W/keys/analyst.key" -out "$W/keys/analyst.pem" -days 2 \
    -subj /CN=analyst 2>/dev/null
cat "$BIG" > /dev/null   # warm the page cache

peak() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
fail() { echo "FAIL: $*"; exit 1; }

set -- $(peak "$GLEANER" collect -q --source "dir:$W/drive" --profile "$W/big.profile" --output "$W/out" --name plain)
p_s=$1 p_kb=$2
rm -f "$W/out/plain.tar.zst" "$W/out/plain.tar.zst.sha256"
set -- $(peak "$GLEANER" collect -q --source "dir:$W/drive" --profile "$W/big.profile" --output "$W/out" --name enc \
    --encrypt-to "$W/keys/analyst.pem")
e_s=$1 e_kb=$2
rm -f "$BIG"
P7M="$W/out/enc.tar.zst.p7m"
[ "$(ls -A "$W/out")" = "$(printf 'enc.tar.zst.p7m\nenc.tar.zst.p7m.sha256')" ] || fail "files beside the bundle: $(ls -A "$W/out")"
p7m_bytes=$(stat -c %s "$P7M")
[ "$p7m_bytes" -gt 2147483648 ] || fail "bundle of $p7m_bytes bytes is not over 2 GiB"
(cd "$W/out" && sha256sum -c --quiet enc.tar.zst.p7m.sha256) || fail "the sidecar does not match the .p7m"

set -- $(peak "$GLEANER" decrypt "$P7M" --key "$W/keys/analyst.key" --output "$W/clear/by-gleaner.tar.zst")
d_s=$1 d_kb=$2
set -- $(peak "$GLEANER" verify -q --key "$W/keys/analyst.key" "$P7M")
v_s=$1 v_kb=$2
g_hash=$(sha256sum < "$W/clear/by-gleaner.tar.zst" | cut -c1-64)
"$GLEANER" verify -q "$W/clear/by-gleaner.tar.zst" || fail "gleaner verify refuses gleaner's decryption"
rm -f "$W/clear/by-gleaner.tar.zst" "$W/clear/by-gleaner.tar.zst.sha256"
# Whole-file OpenSSL: its outcome is reported, not required.
if /usr/bin/time -f '%e %M' -o "$W/time.whole" openssl cms -decrypt -binary -inform DER -in "$P7M" \
    -inkey "$W/keys/analyst.key" -out "$W/clear/whole.tar.zst" 2> "$W/whole.err"; then
    whole="decrypted, sha256 $(sha256sum < "$W/clear/whole.tar.zst" | cut -c1-64)"
else
    whole="refused: $(grep -o 'BUF_MEM_grow_clean:[a-z ]*' "$W/whole.err" | head -1)"
fi
set -- $(tail -1 "$W/time.whole")
w_s=$1 w_kb=$2
rm -f "$W/clear/whole.tar.zst"
set -- $(peak "$GLEANER" decrypt "$P7M" --split "$W/clear/split")
s_s=$1 s_kb=$2
set -- $(peak openssl cms -decrypt -binary -inform DER -in "$W/clear/split.cms" -content "$W/clear/split.ciphertext" \
    -inkey "$W/keys/analyst.key" -out "$W/clear/by-openssl.tar.zst")
o_s=$1 o_kb=$2
[ -s "$W/clear/by-openssl.tar.zst" ] || fail "openssl cms -decrypt -content wrote nothing"
o_hash=$(sha256sum < "$W/clear/by-openssl.tar.zst" | cut -c1-64)
[ "$g_hash" = "$o_hash" ] || fail "gleaner and openssl decrypt to different bytes ($g_hash, $o_hash)"

echo "encrypted bundle of $p7m_bytes bytes (${SIZE} of random evidence):"
printf '  collect (plain)             %6.2f s  peak RSS %8d KiB\n' "$p_s" "$p_kb"
printf '  collect --encrypt-to        %6.2f s  peak RSS %8d KiB\n' "$e_s" "$e_kb"
printf '  gleaner decrypt             %6.2f s  peak RSS %8d KiB\n' "$d_s" "$d_kb"
printf '  gleaner verify --key        %6.2f s  peak RSS %8d KiB\n' "$v_s" "$v_kb"
printf '  openssl cms -decrypt (whole) %5.2f s  peak RSS %8d KiB  %s\n' "$w_s" "$w_kb" "$whole"
printf '  gleaner decrypt --split     %6.2f s  peak RSS %8d KiB\n' "$s_s" "$s_kb"
printf '  openssl cms -decrypt -content %4.2f s  peak RSS %8d KiB\n' "$o_s" "$o_kb"
echo "  gleaner and openssl (-content) decryptions: sha256 $g_hash"
awk -v e="$e_s" -v p="$p_s" 'BEGIN { printf "  encryption cost: collect --encrypt-to / plain collect = %.2f\n", e / p }'
[ "$d_kb" -lt 65536 ] || fail "gleaner decrypt peak RSS ${d_kb} KiB >= 64 MiB"
[ "$v_kb" -lt 65536 ] || fail "gleaner verify --key peak RSS ${v_kb} KiB >= 64 MiB"
[ "$e_kb" -lt 65536 ] || fail "collect --encrypt-to peak RSS ${e_kb} KiB >= 64 MiB"
echo "  gleaner peak RSS under 64 MiB: ok"
rm -rf "$W"

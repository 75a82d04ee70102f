#!/bin/sh
# yara: the module against `yara -r -p 2` (the YARA command-line tool, same
# libyara) with the same rules over the same files in the same run: the
# project's rules over a copy of this host's /usr/bin and shared libraries
# placed under ProgramData. Both run with 2 threads and a warm page cache;
# gleaner also hashes every file (SHA-256 in its records) and writes a
# bundle. Reported: best of 3 wall times, the module's own seconds from
# run.json, and the ratio (target: <= 1.0).
# usage: tests/bench/bench_yara.sh [WORKDIR]   (GLEANER_BIN; needs `yara`)
set -eu
BIN=${GLEANER_BIN:-$PWD/gleaner}
W=${1:-build/bench/yara}
command -v yara >/dev/null || { echo "bench_yara: the yara tool is not installed (apt-get install yara)"; exit 1; }
rm -rf "$W" && mkdir -p "$W/drive/ProgramData/bin" "$W/drive/ProgramData/lib" "$W/out"
W=$(cd "$W" && pwd)
find /usr/bin -maxdepth 1 -type f -size -64M -exec cp {} "$W/drive/ProgramData/bin/" \; 2>/dev/null || true
find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*' -size -64M -exec cp {} "$W/drive/ProgramData/lib/" \; 2>/dev/null || true
files=$(find "$W/drive" -type f | wc -l); bytes=$(du -sb "$W/drive" | cut -f1)
printf 'description yara bench\nmodule yara\nset yara.threads 2\nset yara.paths C:\\ProgramData\\**\\*\n' > "$W/bench.profile"
cat "$W"/drive/ProgramData/*/* > /dev/null   # warm the page cache for both
wall() { /usr/bin/time -f '%e' "$@" 2>&1 >/dev/null | tail -1; }
best() { sort -n | head -1; }
Y=$(for i in 1 2 3; do
    wall yara -r -p 2 -d filename= -d filepath= -d extension= -d filetype= -d owner= \
        yara/credential_access.yar yara/discovery.yar yara/exfil_remote.yar "$W/drive"
done | best)
G=$(for i in 1 2 3; do rm -rf "$W/out/g$i"*
    wall "$BIN" collect -q --source "dir:$W/drive" --profile "$W/bench.profile" --output "$W/out" --name "g$i"
done | best)
M=$(for i in 1 2 3; do tar --zstd -xOf "$W/out/g$i.tar.zst" run.json | /usr/bin/python3 -c '
import json, sys
print([m for m in json.load(sys.stdin)["modules"] if m["name"] == "yara"][0]["seconds"])'; done | best)
echo "files: $files ($bytes bytes), 2 threads, project rules"
echo "yara -r -p 2:         $Y s"
echo "gleaner collect:      $G s (yara module alone: $M s)"
/usr/bin/python3 -c "
y, g, m = float('$Y'), float('$G'), float('$M')
print('ratio collect/yara: %.2f, module/yara: %.2f (target <= 1.0)' % (g / y, m / y))"

#!/bin/sh
# wine-smoke.sh EXE LINUX_BIN SAMPLE_HOST: runs the Windows binary under
# wine in a fresh prefix: `version`, then `collect` from SAMPLE_HOST (a
# dir: source through wine's Z: drive) into a Z: folder; the Linux build
# verifies the bundle, and both builds' collections of the same folder
# must agree on the findings. Wine 8 has no real registry hive saving or
# event-log export (build-notes.md), so this checks the file-system path
# only; a live collection test needs planted evidence in the prefix.
set -eu
[ $# -eq 3 ] || { echo "usage: wine-smoke.sh EXE LINUX_BIN SAMPLE_HOST" >&2; exit 2; }
EXE=$1 LINUX_BIN=$2 SAMPLE=$(cd "$3" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/gleaner-wine.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export WINEPREFIX="$T/prefix" WINEDEBUG=-all WINEARCH=win64
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
fail() { echo "wine-smoke: $*" >&2; exit 1; }

wineboot -i >/dev/null 2>&1 || fail "wineboot failed"
wine "$EXE" version > "$T/version.txt" 2>&1 || fail "version: exit $?: $(cat "$T/version.txt")"
grep -q '^gleaner ' "$T/version.txt" || fail "version printed: $(cat "$T/version.txt")"
cat "$T/version.txt"

# Wine shows a host symbolic link as the directory it points to (Windows
# would show a junction, which gleaner reports and never enters), so both
# builds read a copy without the sample host's links.
mkdir "$T/win" "$T/linux" "$T/host"
cp -a "$SAMPLE/." "$T/host/"
find "$T/host" -type l -exec rm -f {} +
SAMPLE="$T/host"
# A name outside any ANSI code page and a path past MAX_PATH (260), both
# copies of a file the YARA rules match, so the collection acquires them.
dl="$SAMPLE/Users/jdoe/Downloads"
long="$dl/$(printf '%0100d' 0)/$(printf '%0100d' 1)/$(printf '%060d' 2)"
mkdir -p "$long"
cp "$dl/rsx.exe" "$dl/ünïcödé_日本.exe"
cp "$dl/rsx.exe" "$long/deep.exe"
set +e
wine "$EXE" collect --quiet --source "dir:$(winpath "$SAMPLE")" --output "$(winpath "$T/win")" > "$T/win.log" 2>&1
rc=$?
set -e
[ $rc -le 1 ] || fail "collect under wine: exit $rc: $(tail -5 "$T/win.log")"
bundle=$(ls "$T"/win/*.tar.zst 2>/dev/null | head -n 1)
[ -n "$bundle" ] || fail "collect under wine wrote no bundle: $(tail -5 "$T/win.log")"
"$LINUX_BIN" verify "$bundle" || fail "the Linux build does not verify the wine bundle"
for m in "Users/jdoe/Downloads/ünïcödé_日本.exe" "${long#$SAMPLE/}/deep.exe"; do
    tar --zstd -tf "$bundle" | grep -qxF "artifacts/C/$m" || fail "not in the bundle: $m"
    [ "$(tar --zstd -xOf "$bundle" "artifacts/C/$m" | sha256sum)" = "$(sha256sum < "$SAMPLE/$m")" ] ||
        fail "acquired bytes differ: $m"
done
echo "wine-smoke: non-ASCII name and a $(printf 'C:\\%s' "${long#$SAMPLE/}/deep.exe" | wc -c)-character path acquired intact"

"$LINUX_BIN" collect --quiet --source "dir:$SAMPLE" --output "$T/linux" >/dev/null 2>&1 || true
lbundle=$(ls "$T"/linux/*.tar.zst | head -n 1)
# The same findings (id, module, rule, severity) from both builds. Their
# evidence may differ where the platforms report files differently
# (creation times exist on Windows only): those lines are shown, not
# failed on.
findings() { tar --zstd -xOf "$1" findings.jsonl | sed -E 's/^(\{"id":"[^"]*","module":"[^"]*","rule":"[^"]*","severity":"[^"]*").*/\1}/' | sort; }
findings "$bundle" > "$T/win.findings"
findings "$lbundle" > "$T/linux.findings"
echo "wine-smoke: collect exit $rc; findings: windows $(wc -l < "$T/win.findings"), linux $(wc -l < "$T/linux.findings")"
if ! cmp -s "$T/win.findings" "$T/linux.findings"; then
    diff "$T/linux.findings" "$T/win.findings" | head -20 >&2
    fail "the two builds disagree on the findings"
fi
strip_times() { tar --zstd -xOf "$1" findings.jsonl | sed -E 's/"[a-z_]*time[a-z_]*":("[^"]*"|null),?//g' | sort; }
strip_times "$lbundle" > "$T/linux.full"
strip_times "$bundle" > "$T/win.full"
diff "$T/linux.full" "$T/win.full" | sed -n 's/^> /wine-smoke: evidence differs on Windows: /p' | cut -c1-300 >&2 || true
echo "wine-smoke: ok"

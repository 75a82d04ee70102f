#!/bin/sh
# The rmm module over real file trees of 100 000 and 200 000 files (empty
# files in Program Files, ProgramData and profile folders; built once
# under build/bench/rmm-tree) with LOLRMM's catalog merged when ../shared
# is present: the module's own seconds (run.json) for twice the files
# must stay within 2.2 times, and its memory flat.
#   sh tests/bench/bench_rmm_tree.sh [GLEANER]
set -e
BIN=${1:-./gleaner}
DIR=build/bench/rmm-tree
LOL=../shared/data/lolrmm/rmm_tools.json
mkdir -p "$DIR"
if [ ! -f "$DIR/.built" ]; then
    /usr/bin/python3 - "$DIR" <<'PY'
import os, random, sys
random.seed(7)
root = sys.argv[1]
for n, sub in ((100000, "t100k"), (200000, "t200k")):
    made = d = 0
    while made < n:
        top = random.choice(["Program Files", "Program Files (x86)", "ProgramData",
                             "Users/u%d/AppData/Local" % random.randint(0, 9),
                             "Users/u%d/Documents" % random.randint(0, 9)])
        path = os.path.join(root, sub, top, "app%d" % random.randint(0, 300), "sub%d" % random.randint(0, 30))
        os.makedirs(path, exist_ok=True)
        for i in range(50):
            open(os.path.join(path, "f%d_%d.dll" % (d, i)), "w").close()
        made += 50
        d += 1
PY
    touch "$DIR/.built"
fi
printf 'module rmm\n' > "$DIR/rmm.profile"
CAT=""
[ -f "$LOL" ] && CAT="--rmm-catalog $LOL"
seconds() {
    rm -rf "$DIR/out" && mkdir -p "$DIR/out"
    # shellcheck disable=SC2086
    "$BIN" collect --source "dir:$DIR/$1" --output "$DIR/out" --profile "$DIR/rmm.profile" $CAT --quiet >/dev/null
    bsdtar -xOf "$DIR"/out/*.tar.zst run.json |
        /usr/bin/python3 -c 'import json,sys; print([m["seconds"] for m in json.load(sys.stdin)["modules"] if m["name"]=="rmm"][0])'
}
best() { # best of three
    a=$(seconds "$1"); b=$(seconds "$1"); c=$(seconds "$1")
    printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -g | head -1
}
s=$(best t100k)
l=$(best t200k)
ratio=$(awk -v s="$s" -v l="$l" 'BEGIN { printf "%.2f", l / s }')
echo "bench-rmm-tree: rmm module over 100000 files: ${s} s, 200000 files: ${l} s: ${ratio}x (limit 2.2x)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 2.2) }' || { echo "bench-rmm-tree: FAILED: not near-linear" >&2; exit 1; }

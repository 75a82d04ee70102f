#!/bin/sh
# Demo: collect the generated sample host like a responder would, then show
# the bundle, its members and its findings.
#
#   sh tests/demo.sh SAMPLE_DIR OUTDIR     (make demo: build/fixtures/sample-host build/demo)
#
# Exits with gleaner's exit code (0 complete, otherwise see `gleaner --help`).
set -u
SAMPLE=${1:?usage: demo.sh SAMPLE_DIR OUTDIR}
OUT=${2:?usage: demo.sh SAMPLE_DIR OUTDIR}
GLEANER=${GLEANER_BIN:-./gleaner}

if [ ! -d "$SAMPLE" ]; then
    echo "demo.sh: $SAMPLE is not a directory (run: make fixtures)" >&2
    exit 2
fi
mkdir -p "$OUT" || exit 2

echo "== gleaner collect --source dir:$SAMPLE --output $OUT"
stdout=$("$GLEANER" collect --source "dir:$SAMPLE" --output "$OUT")
rc=$?
[ -n "$stdout" ] && printf '%s\n' "$stdout"

# stdout is one sha256sum-style line: "<sha256>  <bundle path>".
bundle=$(printf '%s\n' "$stdout" | awk 'NF >= 2 && $NF ~ /\.tar\.zst$/ { $1 = ""; sub(/^ +/, ""); print; exit }')
if [ -z "$bundle" ] || [ ! -f "$bundle" ]; then
    echo "demo.sh: gleaner exited $rc and reported no bundle" >&2
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
fi

echo
echo "== bundle"
echo "path:    $bundle"
echo "sha256:  $(printf '%s\n' "$stdout" | awk '{ print $1; exit }')"
echo "size:    $(wc -c < "$bundle") bytes"

echo
echo "== members (bsdtar -tf)"
bsdtar -tf "$bundle"

echo
echo "== records per module"
for rec in $(bsdtar -tf "$bundle" | grep '^records/.*\.jsonl$'); do
    printf '  %-32s %s records\n' "$rec" "$(bsdtar -xOf "$bundle" "$rec" | grep -c .)"
done

echo
echo "== findings (severity  rule  title)"
bsdtar -xOf "$bundle" findings.jsonl | /usr/bin/python3 -c '
import json, sys
order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
rows = []
for n, line in enumerate(sys.stdin, 1):
    line = line.strip()
    if not line:
        continue
    try:
        f = json.loads(line)
    except ValueError as e:
        print("  (line %d is not JSON: %s)" % (n, e))
        continue
    rows.append((str(f.get("severity", "?")), str(f.get("rule", f.get("rule_id", "?"))), str(f.get("title", ""))))
rows.sort(key=lambda r: (order.get(r[0].lower(), 9), r[1]))
for sev, rule, title in rows:
    print("  %-8s  %-36s  %s" % (sev, rule, title))
print("%d finding(s)" % len(rows))
'

echo
echo "== attack chain (module chain: steps in time order)"
bsdtar -xOf "$bundle" findings.jsonl | /usr/bin/python3 -c '
import json, sys
chains = [f for f in map(json.loads, filter(str.strip, sys.stdin)) if f.get("rule") == "chain.sequence"]
for f in chains:
    print("  %s  %s" % (f.get("severity"), f.get("title")))
    for s in f.get("details", {}).get("steps", []):
        print("    %-28s %-20s %-10s %-26s %s" % (s.get("time"), s.get("tactic_name"), s.get("technique"),
                                                 s.get("kind"), s.get("subject")))
if not chains:
    print("  none")
'
exit "$rc"

#!/bin/sh
# tests/wine/e2e.sh [EXE]: the Windows build collecting a live host, under
# wine; `make test` ends with it. Without EXE the checked-out commit's
# release .exe is built first (release/build.sh, Windows target only, into
# the scratch folder: static libraries cached outside the tree, objects
# reused, so a warm rebuild is quick).
#
# A fresh wine prefix under /tmp is planted with evidence: Defender
# exclusions, a firewall allow rule, the AnyDesk service and its
# Uninstall key (`wine reg add`, so they live in wine's registry, read
# through the live registry backend); scheduled-task XML, AnyDesk traces,
# event logs (tests/fixtures/mkevtx.py, through the sample host's
# generator) as files on C:; a staged 7z archive in C:\PerfLogs with a
# non-ASCII name, and one at a path longer than 260 characters; a cmd.exe
# left running with a marker (non-ASCII too) in its command line. Then
# `gleaner.exe collect --scan-processes` runs live (source `live` = C:\),
# and the Linux build checks the bundle (`verify`), reads it again
# (`analyze`), and the findings and members this evidence must give, and
# the marker process's command line in the process listing, are asserted.
#
# What wine cannot do (../shared/spec/build-notes.md, task 4) and what
# gleaner then does, asserted at the end: RegSaveKeyEx writes wine's text
# format, so no hive is preserved and run.json says why; EvtExportLog is
# a stub, so event logs come from the files only.
#
# Environment: GLEANER_LINUX (Linux build; default: `make gleaner` in
# B=$E2E_BUILD), KEEP=1 keeps the scratch folder.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
fail() { echo "wine-e2e: FAIL: $*" >&2; exit 1; }
say() { echo "wine-e2e: $*" >&2; }
command -v wine >/dev/null || fail "wine is not installed (sh tools/install-deps.sh --release)"
command -v bsdtar >/dev/null || fail "bsdtar is not installed (libarchive-tools)"

T=$(mktemp -d /tmp/gleaner-wine-e2e.XXXXXX)
cleanup() {
    exec 9>&- # the marker process reads its end of file and exits
    WINEPREFIX="$T/prefix" wineserver -k 2>/dev/null || true
    if [ "${KEEP:-0}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

EXE=${1:-}
if [ -z "$EXE" ]; then
    # Into the scratch folder: dist/ (and its SHA256SUMS) stays make release's.
    say "building the Windows release of this commit"
    tb=$(date +%s)
    RELEASE_TARGETS=windows-x64 sh "$ROOT/release/build.sh" "$T/dist" >&2
    say "release built in $(( $(date +%s) - tb )) s"
    VERSION=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")
    EXE=$T/dist/gleaner-$VERSION-windows-x64.exe
fi
[ -f "$EXE" ] || fail "$EXE: no such file"
EXE=$(cd "$(dirname "$EXE")" && pwd)/$(basename "$EXE")

LINUX=${GLEANER_LINUX:-}
if [ -z "$LINUX" ]; then
    B=${E2E_BUILD:-/tmp/gleaner-wine-e2e-build}
    make -C "$ROOT" -s -j2 B="$B" gleaner >&2
    LINUX=$ROOT/gleaner
fi

export WINEPREFIX="$T/prefix" WINEDEBUG=-all WINEARCH=win64
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
t0=$(date +%s)

# ---- the host ---------------------------------------------------------------
say "wineboot (fresh prefix)"
wineboot -i >/dev/null 2>&1 || fail "wineboot failed"
say "prefix made in $(( $(date +%s) - t0 )) s"
C="$WINEPREFIX/drive_c"
[ -d "$C/windows/system32" ] || fail "no drive_c/windows/system32 in the new prefix"

# Files: the sample host's tasks, AnyDesk traces and event logs (its
# generator writes the logs with mkevtx.py).
"$PY" "$ROOT/tests/fixtures/sample_host.py" "$T/sample" >/dev/null
S="$T/sample"
copy() { # copy SAMPLE_PATH C_PATH (wine keeps windows\system32 in lower case)
    mkdir -p "$C/$(dirname "$2")"
    cp -p "$S/$1" "$C/$2"
}
for t in WinUpdate MicrosoftEdgeUpdateTaskMachineCoreSvc; do
    copy "Windows/System32/Tasks/$t" "windows/system32/Tasks/$t"
done
for f in Users/Public/Libraries/edgeupd.cmd "Program Files (x86)/AnyDesk/AnyDesk.exe" \
    ProgramData/AnyDesk/ad_svc.trace ProgramData/AnyDesk/connection_trace.txt \
    ProgramData/AnyDesk/file_transfer_trace.txt ProgramData/AnyDesk/service.conf ProgramData/AnyDesk/system.conf; do
    copy "$f" "$f"
done
mkdir -p "$C/windows/system32/winevt/Logs"
cp -p "$S/Windows/System32/winevt/Logs/"*.evtx "$C/windows/system32/winevt/Logs/"

# Staging: 7z archives in C:\PerfLogs, one with a non-ASCII name, one at
# a path longer than MAX_PATH (260).
mkdir -p "$T/loot"
for i in 1 2 3; do printf 'quarterly figures %s\n' "$i" > "$T/loot/finance_$i.xlsx"; done
STAGED="données_日本.7z"
mkdir -p "$C/PerfLogs"
(cd "$T/loot" && bsdtar --format 7zip -cf "$C/PerfLogs/$STAGED" finance_1.xlsx finance_2.xlsx finance_3.xlsx)
LONG_DIR="PerfLogs/$(printf 'a%.0s' $(seq 1 120))/$(printf 'b%.0s' $(seq 1 120))"
mkdir -p "$C/$LONG_DIR"
(cd "$T/loot" && bsdtar --format 7zip -cf "$C/$LONG_DIR/deep_archive.7z" finance_1.xlsx finance_2.xlsx)
long_win="C:\\$(printf '%s' "$LONG_DIR" | tr / '\\')\\deep_archive.7z"
[ "$(printf '%s' "$long_win" | wc -c)" -gt 260 ] || fail "the long path is only $(printf '%s' "$long_win" | wc -c) characters"

# Registry, through wine's own reg.exe (64-bit view).
reg() { wine reg add "$@" /f >/dev/null 2>&1 || fail "wine reg add $*"; }
DEF='HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions'
reg "$DEF\\Paths" /v 'C:\PerfLogs' /t REG_DWORD /d 0
reg "$DEF\\Processes" /v 'C:\ProgramData\AnyDesk\AnyDesk.exe' /t REG_DWORD /d 0
SVC='HKLM\SYSTEM\CurrentControlSet\Services'
reg "$SVC\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules" /v '{7A3F1C2E-5B84-4E19-9D6A-2C8E0F4B7D31}' /t REG_SZ \
    /d 'v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=C:\Program Files (x86)\AnyDesk\AnyDesk.exe|Name=AnyDesk|Desc=AnyDesk|'
reg "$SVC\\AnyDesk" /v ImagePath /t REG_EXPAND_SZ /d '"C:\Program Files (x86)\AnyDesk\AnyDesk.exe" --service'
reg "$SVC\\AnyDesk" /v DisplayName /t REG_SZ /d 'AnyDesk Service'
reg "$SVC\\AnyDesk" /v Start /t REG_DWORD /d 2
reg "$SVC\\AnyDesk" /v Type /t REG_DWORD /d 16
reg "$SVC\\AnyDesk" /v ObjectName /t REG_SZ /d LocalSystem
UN='HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\AnyDesk'
reg "$UN" /v DisplayName /t REG_SZ /d AnyDesk
reg "$UN" /v Publisher /t REG_SZ /d 'AnyDesk Software GmbH'
reg "$UN" /v InstallLocation /t REG_SZ /d '"C:\Program Files (x86)\AnyDesk"'
reg "$UN" /v UninstallString /t REG_SZ /d '"C:\Program Files (x86)\AnyDesk\AnyDesk.exe" --uninstall'
say "host planted in $(( $(date +%s) - t0 )) s"

# A process of the prefix whose command line the process listing must
# read (non-ASCII included): cmd waits on a pipe kept open until cleanup.
MARKER="gleaner-e2e-marker-ünï"
mkfifo "$T/hold"
wine cmd.exe /k "rem $MARKER" < "$T/hold" > /dev/null 2>&1 &
exec 9> "$T/hold"

# ---- collect live under wine ------------------------------------------------
mkdir "$T/out"
t1=$(date +%s)
set +e
wine "$EXE" collect --quiet --scan-processes --output "$(winpath "$T/out")" > "$T/collect.log" 2>&1
rc=$?
set -e
say "collect: exit $rc in $(( $(date +%s) - t1 )) s"
# 0 complete, 1 partial (wine lacks some APIs), anything else failed.
[ $rc -le 1 ] || { tail -20 "$T/collect.log" >&2; fail "collect exited $rc"; }
BUNDLE=$(ls "$T"/out/*.tar.zst 2>/dev/null | head -n 1)
[ -n "$BUNDLE" ] || { tail -20 "$T/collect.log" >&2; fail "no bundle written"; }

# Nothing but the bundle and its sidecar is left in the output folder: no
# spool (clear text), no temporary hive or log copy.
left=$(cd "$T/out" && ls -A | grep -v '\.tar\.zst$' | grep -v '\.tar\.zst\.sha256$' || true)
[ -z "$left" ] || fail "left in the output folder: $left"

# ---- check with the Linux build --------------------------------------------
"$LINUX" verify "$BUNDLE" >"$T/verify.log" 2>&1 || { cat "$T/verify.log" >&2; fail "verify refused the bundle"; }
set +e
"$LINUX" analyze --output "$T/analysis" "$BUNDLE" >"$T/analyze.log" 2>&1
arc=$?
set -e
[ $arc -le 1 ] || { tail -20 "$T/analyze.log" >&2; fail "analyze exited $arc"; }

member() { tar --zstd -xOf "$BUNDLE" "$1"; }
member findings.jsonl > "$T/findings.jsonl"
member records/yara.jsonl > "$T/yara.jsonl"
member run.json > "$T/run.json"
member manifest.json > "$T/manifest.json"

# Findings the planted evidence must give, by rule and subject.
expect() { # RULE TEXT: a finding of RULE whose line holds TEXT
    grep "\"rule\":\"$1\"" "$T/findings.jsonl" | grep -qF -- "$2" ||
        fail "no $1 finding mentioning $2 (findings: $(grep -o '"rule":"[^"]*"' "$T/findings.jsonl" | sort | uniq -c | tr '\n' ' '))"
}
expect defender.exclusion.path 'C:\\PerfLogs'
expect defender.exclusion.process 'AnyDesk.exe'
expect firewall.rule_inbound_allow 'AnyDesk'
expect rmm.tool_present 'AnyDesk'
expect staging.archive "$STAGED"
expect staging.archive 'deep_archive.7z'
expect tasks.hidden_flag 'MicrosoftEdgeUpdateTaskMachineCoreSvc'
expect tasks.suspicious_action 'WinUpdate'
expect logs.security_cleared 'Security'
# Registry evidence names the live key it came from.
grep '"rule":"defender.exclusion.path"' "$T/findings.jsonl" | grep -qF 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths' ||
    fail "the Defender finding does not name its live key"

# The archives, under their names, in the bundle.
grep -qF "PerfLogs/$STAGED" "$T/manifest.json" || fail "the non-ASCII archive is not in the bundle"
grep -qF "/deep_archive.7z" "$T/manifest.json" || fail "the archive past MAX_PATH is not in the bundle"
grep -qF 'winevt/Logs/Security.evtx' "$T/manifest.json" || fail "Security.evtx is not in the bundle"

# run.json: a live Windows run, and how each hive and log was obtained.
"$PY" - "$T/run.json" <<'EOF' || fail "run.json: see above"
import json, sys
run = json.load(open(sys.argv[1]))
def need(cond, what):
    if not cond:
        sys.exit("run.json: %s; got %s" % (what, json.dumps(run)[:2000]))
need(run["source"]["kind"] == "live" and run["source"]["drive"] == "C", "source live, drive C")
need(run.get("gleaner_sha256") and len(run["gleaner_sha256"]) == 64, "the binary's own SHA-256")
live = run.get("live_host") or {}
need(live.get("host") and live.get("boot_utc") and live.get("os", {}).get("build"), "host, boot time, OS build")
need("key" in live.get("time_zone", {}), "time zone")
need(set(live.get("privileges", {})) >= {"SeBackupPrivilege", "SeSecurityPrivilege"}, "privileges")
need(live.get("priority"), "priority applied")
hives = {h["name"]: h for h in live.get("hives", [])}
need(set(hives) >= {"SYSTEM", "SOFTWARE", "SAM", "SECURITY", "Amcache"}, "every machine hive accounted for")
need(any(n.endswith(" NTUSER") for n in hives), "the loaded user's NTUSER.DAT accounted for")
# Wine 8 saves its own text format: gleaner must say so, not keep it.
for n in ("SYSTEM", "SOFTWARE"):
    h = hives[n]
    need(h["method"] in ("file", "RegSaveKeyEx") and h["member"] or
         (h["method"] == "none" and "no regf hive" in h.get("detail", "")),
         "%s obtained, or refused as not a regf hive" % n)
logs = {l["name"]: l for l in live.get("event_logs", [])}
need(logs.get("Security.evtx", {}).get("method") == "file" and logs["Security.evtx"]["member"],
     "Security.evtx read as a file")
EOF
# The process listing read command lines (wine 8 lacks
# ProcessCommandLineInformation: this is the PEB fallback): the marker
# cmd.exe's whole, and for every other process one or the reason why not.
"$PY" - "$T/yara.jsonl" "$MARKER" <<'EOF' || fail "process listing: see above"
import json, sys
procs = [r for r in map(json.loads, open(sys.argv[1], encoding="utf-8")) if "pid" in r]
shown = [(p["name"], p["cmdline"], p.get("cmdline_unread")) for p in procs]
want = '"C:\\windows\\system32\\cmd.exe" /k "rem %s"' % sys.argv[2]
if not any(p["name"].lower() == "cmd.exe" and p["cmdline"] == want for p in procs):
    sys.exit("no cmd.exe with the command line %s; processes: %s" % (want, shown))
if any(not p["cmdline"] and not p.get("cmdline_unread") for p in procs):
    sys.exit("a process without a command line nor a reason: %s" % shown)
EOF
# Limits stop a Windows run gracefully too: a valid partial bundle (exit
# 1) whose run.json says a limit was hit, and a log kept out by the limit
# is not exported instead.
mkdir "$T/limited"
set +e
wine "$EXE" collect --quiet --profile quick --max-file-size 1K --output "$(winpath "$T/limited")" > "$T/limited.log" 2>&1
rc=$?
set -e
[ $rc -eq 1 ] || { tail -5 "$T/limited.log" >&2; fail "collect over the limit exited $rc, not 1"; }
LIMITED=$(ls "$T"/limited/*.tar.zst 2>/dev/null | head -n 1)
[ -n "$LIMITED" ] || fail "no bundle from the limited run"
"$LINUX" verify "$LIMITED" >/dev/null 2>&1 || fail "verify refused the limited bundle"
tar --zstd -xOf "$LIMITED" run.json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
logs = {l["name"]: l for l in r["live_host"]["event_logs"]}
sec = logs.get("Security.evtx", {})
ok = (r["status"] == "partial" and r["reason"] == "limits" and sec.get("method") == "none"
      and "max-file-size" in sec.get("detail", "") and "EvtExportLog" not in sec.get("detail", ""))
sys.exit(0 if ok else "limited run.json: %s %s %s" % (r["status"], r["reason"], sec))
' || fail "the limited run did not end as a partial bundle for the limit"

# `reg dump` of a dirty hive named the Windows way (backslashes): its logs
# are found beside it and replayed, and the keys are those the Linux build
# gives for the same files.
mkdir "$T/reg"
for h in replay-before replay-after; do
    "$PY" "$ROOT/tests/fixtures/mkhive.py" "$ROOT/tests/fixtures/hives/$h.hivedesc" "$T/reg/$h.hive"
done
"$PY" "$ROOT/tests/fixtures/mklog.py" --format new --entries 3 "$T/reg/replay-before.hive" "$T/reg/replay-after.hive" \
    "$T/reg/dirty.hive" "$T/reg/dirty.hive.LOG1" "$T/reg/dirty.hive.LOG2"
set +e
wine "$EXE" reg dump "$(winpath "$T/reg/dirty.hive")" > "$T/reg/win.jsonl" 2> "$T/reg/win.err"
rc=$?
set -e
[ $rc -eq 0 ] || { cat "$T/reg/win.err" >&2; fail "reg dump exited $rc"; }
grep -q 'recovery applied from LOG1+LOG2' "$T/reg/win.err" || { cat "$T/reg/win.err" >&2; fail "reg dump did not replay the logs beside a backslash path"; }
"$LINUX" reg dump "$T/reg/dirty.hive" > "$T/reg/linux.jsonl" 2>/dev/null || fail "the Linux reg dump failed"
cmp -s "$T/reg/win.jsonl" "$T/reg/linux.jsonl" || fail "reg dump: the Windows and Linux builds give different keys"

say "ok: $(wc -l < "$T/findings.jsonl") findings, $(grep -c '^{"path":"artifacts/' "$T/manifest.json" || true) artifacts; total $(( $(date +%s) - t0 )) s"

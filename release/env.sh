# Shared settings for the release scripts (sourced, POSIX sh).
# RELEASE_DIR: this folder; ROOT: the work tree.
RELEASE_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$RELEASE_DIR/.." && pwd)
# Static libraries live outside the work tree so a clean clone (or CI)
# with a warm cache links in seconds.
CACHE=${GLEANER_RELEASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gleaner-release}
JOBS=${RELEASE_JOBS:-2}
# Every long step runs at the lowest CPU priority: other work shares the
# machine. RELEASE_NICE= (empty) runs them at the caller's priority.
NICE=${RELEASE_NICE-nice -n 19}
TARGETS=${RELEASE_TARGETS:-linux-x64 windows-x64}

die() { echo "release: $*" >&2; exit 1; }
say() { echo "release: $*" >&2; }

# target_env TARGET: the toolchain of one target.
target_env() {
    case $1 in
    linux-x64)
        TRIPLET=x86_64-linux-musl
        CC=musl-gcc AR=ar RANLIB=ranlib EXE=
        OS=Linux ;;
    windows-x64)
        TRIPLET=x86_64-w64-mingw32
        CC=x86_64-w64-mingw32-gcc AR=x86_64-w64-mingw32-ar
        RANLIB=x86_64-w64-mingw32-ranlib EXE=.exe
        OS=Windows ;;
    *) die "unknown target '$1' (one of: $TARGETS)" ;;
    esac
    command -v "$CC" >/dev/null || die "$CC not found (sh tools/install-deps.sh --release)"
}

# libs_key TARGET: names the cached libraries by everything that decides
# their bytes: pinned sources, patches, the library build script and the
# compiler's version.
libs_key() {
    target_env "$1"
    { cat "$RELEASE_DIR/sources.txt" "$RELEASE_DIR/libs.sh" "$RELEASE_DIR"/patches/*.patch
      $CC --version | head -n 1; } | sha256sum | cut -c1-16
}

# run_logged LOG CMD...: runs a step with its output in LOG; on failure
# shows the log's tail. The command runs in a subshell of its own, not
# inside an if or ||, so `set -e` holds inside the functions it calls
# (sh ignores it in a function called from a condition).
run_logged() {
    _log=$1; shift
    _t0=$(date +%s)
    set +e
    ( set -e; "$@"; times > "$_log.times" ) >"$_log" 2>&1
    _rc=$?
    set -e
    if [ $_rc -ne 0 ]; then
        tail -n 40 "$_log" >&2
        die "$* failed (exit $_rc); full log: $_log"
    fi
    # CPU seconds (user + system of the step's processes) say what a step
    # costs on a machine others share; wall seconds depend on their load.
    _cpu=$(tr 'ms' '  ' < "$_log.times" | awk '{ t += $1 * 60 + $2 + $3 * 60 + $4 } END { printf "%d", t }')
    rm -f "$_log.times"
    say "$* done in $(( $(date +%s) - _t0 )) s (CPU ${_cpu:-?} s)"
}

#!/bin/sh
# build.sh [OUTDIR]: the release binaries of the checked-out commit,
# static, for Linux x64 (musl) and Windows x64 (mingw-w64), with
# SHA256SUMS, in OUTDIR (default dist/). A release is a commit: the
# sources are that commit's (git archive), never uncommitted edits, and
# the same commit gives the same bytes: the build date is the commit's
# (SOURCE_DATE_EPOCH), no path of this machine is embedded, every input
# list is sorted, and the PE carries no link time.
set -eu
. "$(dirname "$0")/env.sh"
OUT=${1:-$ROOT/dist}
case $OUT in /*) ;; *) OUT="$PWD/$OUT" ;; esac
# Objects outside the tree, one folder per work tree and target.
OBJ=${RELEASE_OBJ_DIR:-$CACHE/obj/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)}
mkdir -p "$OUT" "$OBJ"

# RELEASE_COMMIT: another commit than the checked-out one (release-check
# pins one, since others may commit while it builds twice).
if COMMIT=$(git -C "$ROOT" rev-parse --verify -q "${RELEASE_COMMIT:-HEAD}^{commit}"); then
    SRC="$OBJ/src"
    if [ "$(cat "$SRC/.commit" 2>/dev/null)" != "$COMMIT" ]; then
        # Files that did not change keep their times, so make rebuilds
        # only what the new commit touched.
        rm -rf "$SRC.new"
        mkdir -p "$SRC.new" "$SRC"
        git -C "$ROOT" archive --format=tar "$COMMIT" | tar -xf - -C "$SRC.new"
        (cd "$SRC.new" && find . -type f) | while read -r f; do
            cmp -s "$SRC.new/$f" "$SRC/$f" || { mkdir -p "$SRC/${f%/*}" && cp -p "$SRC.new/$f" "$SRC/$f"; }
        done
        (cd "$SRC" && find . -type f ! -name .commit) | while read -r f; do
            [ -e "$SRC.new/$f" ] || rm -f "$SRC/$f"
        done
        rm -rf "$SRC.new"
        echo "$COMMIT" > "$SRC/.commit"
    fi
    : "${SOURCE_DATE_EPOCH:=$(git -C "$ROOT" log -1 --format=%ct "$COMMIT")}"
    if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
        say "building commit $(echo "$COMMIT" | cut -c1-12); uncommitted changes are not in it"
    fi
else
    # An unpacked source tarball: build it as it is.
    SRC=$ROOT
    [ -n "${SOURCE_DATE_EPOCH:-}" ] || die "not a git checkout: set SOURCE_DATE_EPOCH"
fi
export SOURCE_DATE_EPOCH
VERSION=$(sed -n 's/^VERSION *:= *//p' "$SRC/Makefile")
[ -n "$VERSION" ] || die "no VERSION in Makefile"

# release_flags TARGET P: the compile and link settings for one target.
release_flags() {
    target_env "$1"
    # Paths of this machine never reach the binary (__FILE__, debug info).
    R_CFLAGS="-O2 -ffunction-sections -fdata-sections -ffile-prefix-map=$SRC=. -ffile-prefix-map=$OBJ/$1=build"
    case $1 in
    linux-x64)
        # musl's memcpy starts `rep movs` for every length, and the parsers
        # copy many short runs: inline code for small copies, the library
        # call for large ones (a SYSTEM hive dump 55 -> 36 ms).
        R_CFLAGS="$R_CFLAGS -minline-stringops-dynamically"
        R_LDFLAGS="-static -s -Wl,--gc-sections"
        R_LIBS="-L$2/lib -lyara -lcjson -larchive -lzstd -lcrypto -lm -pthread" ;;
    windows-x64)
        # -municode: wmain (posix_win32.c) hands main UTF-8 arguments.
        # --no-insert-timestamp: the PE header's link time would differ
        # on every build.
        R_LDFLAGS="-static -s -municode -Wl,--gc-sections -Wl,--no-insert-timestamp"
        R_LIBS="-L$2/lib -lyara -lcjson -larchive -lzstd -lcrypto -lpthread -lntdll -lbcrypt -lws2_32 -lcrypt32 -lgdi32 -luser32 -ladvapi32 -lm" ;;
    esac
}

build_target() {
    _t=$1 _p=$2
    release_flags "$_t" "$_p"
    # make sees neither the compile flags nor the library set change:
    # objects built with other ones are removed, so a release never mixes
    # them (a flag added to R_CFLAGS used to reach only edited files).
    _flags="$CC $R_CFLAGS | $R_LDFLAGS | $R_LIBS | $_p"
    if [ "$(cat "$OBJ/$_t.flags" 2>/dev/null)" != "$_flags" ]; then
        rm -rf "$OBJ/$_t"
        printf '%s\n' "$_flags" > "$OBJ/$_t.flags"
    fi
    # Always linked again: make does not see the libraries change.
    rm -f "$OBJ/$_t/release/gleaner$EXE"
    $NICE make -C "$SRC" -j"$JOBS" --no-print-directory B="$OBJ/$_t" CC="$CC" HOST_CC=cc \
        CFLAGS="$R_CFLAGS" PKG_CFLAGS="-I$_p/include -I$_p/include/cjson" \
        RELEASE_LDFLAGS="$R_LDFLAGS" RELEASE_LIBS="$R_LIBS" "$OBJ/$_t/release/gleaner$EXE"
}

# check_binary TARGET FILE: static, and nothing of this machine inside.
check_binary() {
    case $1 in
    linux-x64)
        file -b "$2" | grep -q 'statically linked' || die "$2: not statically linked: $(file -b "$2")"
        if ldd "$2" >/dev/null 2>&1; then die "$2: ldd lists shared libraries"; fi ;;
    windows-x64)
        sh "$RELEASE_DIR/check-imports.sh" "$2" ;;
    esac
    for p in "$ROOT" "$SRC" "$CACHE" "$OBJ"; do
        if grep -aqF "$p" "$2"; then die "$2 embeds the build path $p"; fi
    done
}

for t in $TARGETS; do
    # One library build per target at a time (they share a work folder);
    # a second caller waits, then finds the set built.
    P=$(flock "$CACHE/.lock-$t" sh "$RELEASE_DIR/libs.sh" "$t" | tail -n 1)
    [ -f "$P/.done" ] || die "libs.sh $t gave no library set"
    run_logged "$OBJ/$t.log" build_target "$t" "$P"
    target_env "$t"
    name="gleaner-$VERSION-$t$EXE"
    cp "$OBJ/$t/release/gleaner$EXE" "$OUT/$name"
    check_binary "$t" "$OUT/$name"
    say "$OUT/$name: $(wc -c < "$OUT/$name") bytes"
done
(cd "$OUT" && LC_ALL=C ls gleaner-"$VERSION"-* | grep -v '\.partial$' | xargs sha256sum > SHA256SUMS.partial &&
    mv SHA256SUMS.partial SHA256SUMS)
cat "$OUT/SHA256SUMS"

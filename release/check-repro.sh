#!/bin/sh
# check-repro.sh: builds the release twice, each from its own export of
# the commit into its own folder (paths of different lengths), and
# compares the binaries byte for byte. The static libraries come from the
# cache both times; a cold check of them too:
#   GLEANER_RELEASE_CACHE=$(mktemp -d) make release-check
set -eu
. "$(dirname "$0")/env.sh"
RELEASE_COMMIT=$(git -C "$ROOT" rev-parse --verify HEAD)
export RELEASE_COMMIT
T=$(mktemp -d "${TMPDIR:-/tmp}/gleaner-repro.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
RELEASE_OBJ_DIR="$T/1/obj" sh "$RELEASE_DIR/build.sh" "$T/1/dist" >/dev/null
RELEASE_OBJ_DIR="$T/second-build/obj" sh "$RELEASE_DIR/build.sh" "$T/2/dist" >/dev/null
status=0
for f in $(cd "$T/1/dist" && LC_ALL=C ls); do
    if cmp -s "$T/1/dist/$f" "$T/2/dist/$f"; then
        say "reproducible: $f ($(wc -c < "$T/1/dist/$f") bytes)"
    else
        say "NOT reproducible: $f"
        status=1
    fi
done
cat "$T/1/dist/SHA256SUMS"
exit $status

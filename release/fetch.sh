#!/bin/sh
# Downloads the pinned Debian source packages (sources.txt) into the cache
# and checks each against its SHA-256; a mismatch is removed and fails.
set -eu
. "$(dirname "$0")/env.sh"
mkdir -p "$CACHE/src"
grep -v '^#' "$RELEASE_DIR/sources.txt" | while read -r lib ver kind sum url; do
    [ -n "$lib" ] || continue
    f="$CACHE/src/$(basename "$url" | sed 's/%2b/+/g; s/%7e/~/g')"
    if [ -f "$f" ] && echo "$sum  $f" | sha256sum -c --status; then
        continue
    fi
    say "fetching $lib $ver ($kind)"
    curl -fsSL --retry 3 -o "$f.part" "$url" || die "download failed: $url"
    if ! echo "$sum  $f.part" | sha256sum -c --status; then
        rm -f "$f.part"
        die "$url: SHA-256 is not the pinned $sum"
    fi
    mv "$f.part" "$f"
done

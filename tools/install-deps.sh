#!/bin/sh
# Installs what gleaner needs to build, test, fuzz and benchmark on Debian 12.
# Idempotent: does nothing when every package is already there.
set -eu
PKGS="build-essential pkg-config git ca-certificates
libarchive-dev libyara-dev libssl-dev libzstd-dev libcjson-dev libcriterion-dev
zlib1g-dev libbz2-dev liblzma-dev nettle-dev
zstd libarchive-tools tar python3
libregf-utils libhivex-bin python3-hivex python3-libregf libevtx-utils python3-evtx
python3-libscca libscca-utils
clang libclang-rt-14-dev hyperfine time yara
chromium fonts-dejavu-core"

# `--release`: also what `make release` needs (release/README.md): the
# mingw-w64 and musl toolchains, autotools for libyara, and wine for the
# Windows smoke test.
if [ "${1:-}" = "--release" ]; then
    PKGS="$PKGS gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 mingw-w64-x86-64-dev
musl-tools musl-dev autoconf automake libtool cmake ninja-build perl curl file wine64 wine"
fi

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing

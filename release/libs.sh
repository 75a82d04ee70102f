#!/bin/sh
# libs.sh TARGET: builds zstd, OpenSSL (libcrypto), libarchive, libyara and
# cJSON statically for TARGET (linux-x64: musl; windows-x64: mingw-w64)
# from the pinned Debian sources, into $CACHE/TARGET-<key>/{include,lib}.
# A finished set is never rebuilt: the key changes with any input.
# Build notes: ../shared/spec/build-notes.md (flags, pitfalls).
set -eu
. "$(dirname "$0")/env.sh"
[ $# -eq 1 ] || die "usage: libs.sh TARGET"
TARGET=$1
target_env "$TARGET"
P="$CACHE/$TARGET-$(libs_key "$TARGET")"
if [ -f "$P/.done" ]; then
    echo "$P"
    exit 0
fi
sh "$RELEASE_DIR/fetch.sh"

# Library builds stamp no time of their own: OpenSSL's "built on" string
# takes this (2025-01-01T00:00:00Z) instead of the clock.
SOURCE_DATE_EPOCH=1735689600
export SOURCE_DATE_EPOCH
# The cross builds must see only the sysroot's libraries and .pc files,
# never the host's (/usr/include/zstd.h, libzstd.so).
PKG_CONFIG_LIBDIR="$P/lib/pkgconfig"
PKG_CONFIG_PATH=
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH
W="$CACHE/work/$TARGET"
rm -rf "$W" "$P"
mkdir -p "$W" "$P/include" "$P/lib/pkgconfig"
# Maintainers' shortcut when only some libraries' inputs changed (a patch
# of one): RELEASE_SEED_FROM=<the previous set's folder> starts the new
# set as a copy of it and RELEASE_ONLY_LIBS="libarchive" rebuilds just
# those. A cold build gives the same set.
LIBS=${RELEASE_ONLY_LIBS:-zstd openssl libarchive yara cjson}
if [ -n "${RELEASE_SEED_FROM:-}" ]; then
    [ -f "$RELEASE_SEED_FROM/.done" ] || die "RELEASE_SEED_FROM: $RELEASE_SEED_FROM is not a finished set"
    cp -a "$RELEASE_SEED_FROM/." "$P/"
    rm -f "$P/.done"
fi
# Section-per-function so gleaner's --gc-sections drops what it never calls.
LIB_CFLAGS="-O2 -ffunction-sections -fdata-sections"

# unpack LIB: the orig tarball, then Debian's patch series (if any), then ours.
unpack() {
    _d="$W/$1"
    mkdir -p "$_d"
    grep -v '^#' "$RELEASE_DIR/sources.txt" | while read -r lib ver kind sum url; do
        [ "$lib" = "$1" ] || continue
        _f="$CACHE/src/$(basename "$url" | sed 's/%2b/+/g; s/%7e/~/g')"
        echo "$sum  $_f" | sha256sum -c --status || die "$_f: checksum changed"
        case $kind in
        orig) tar -xf "$_f" -C "$_d" --strip-components=1 ;;
        debian) tar -xf "$_f" -C "$_d" ;;
        esac
    done
    if [ -f "$_d/debian/patches/series" ]; then
        sed -e 's/#.*//' "$_d/debian/patches/series" | while read -r p opt; do
            [ -n "$p" ] || continue
            patch -d "$_d" ${opt:--p1} --no-backup-if-mismatch -s < "$_d/debian/patches/$p"
        done
    fi
    for p in "$RELEASE_DIR"/patches/"$1"-*.patch; do
        [ -f "$p" ] || continue
        patch -d "$_d" -p1 --no-backup-if-mismatch -s < "$p"
    done
}

build_zstd() {
    unpack zstd
    cd "$W/zstd"
    # CMake would need a C++ cross compiler (project() enables CXX): use lib/Makefile.
    # -mt: with worker threads (ZSTD_MULTITHREAD: pthreads, or Windows'
    # own threads on mingw), which the Makefile leaves out of a static
    # library by default; without them libarchive's zstd:threads (zstd's
    # ZSTD_c_nbWorkers) is refused and the bundle compresses on the
    # thread that reads and hashes.
    $NICE make -C lib -j"$JOBS" libzstd.a-mt CC="$CC" AR="$AR" CFLAGS="$LIB_CFLAGS" ZSTD_LEGACY_SUPPORT=0
    grep -qa -e pthread_create -e _beginthreadex lib/libzstd.a || die "zstd: built without worker threads"
    cp lib/libzstd.a "$P/lib/"
    cp lib/zstd.h lib/zdict.h lib/zstd_errors.h "$P/include/"
    printf 'prefix=%s\nName: libzstd\nDescription: zstd\nVersion: 1.5.4\nLibs: -L${prefix}/lib -lzstd\nCflags: -I${prefix}/include\n' \
        "$P" > "$P/lib/pkgconfig/libzstd.pc"
}

build_openssl() {
    unpack openssl
    cd "$W/openssl"
    # libcrypto only, with what gleaner and libyara call: CMS (RSA key
    # transport, ECDH key agreement, AES), SHA-1/2 and MD5, X.509, PKCS#7
    # and timestamps (yara's pe signatures), PEM. No TLS, no sockets, no
    # legacy or national ciphers: a quarter fewer objects and no libssl.
    # (3.0 has no no-apps or no-docs: the build targets below skip them.)
    # Fixed, non-existent install paths: OpenSSL embeds OPENSSLDIR and
    # MODULESDIR in the library, and they must not name this machine's
    # cache. no-autoload-config and no-module mean neither is ever read.
    _opts="no-shared no-tests no-module no-engine no-dso no-afalgeng no-autoload-config
           no-legacy no-ssl no-tls no-dtls no-sock no-srtp no-psk no-nextprotoneg no-srp
           no-aria no-bf no-blake2 no-camellia no-cast no-chacha no-poly1305 no-des no-idea
           no-md4 no-mdc2 no-rc2 no-rc4 no-rmd160 no-seed no-siphash no-siv no-ocb
           no-sm2 no-sm3 no-sm4 no-whirlpool no-scrypt no-gost no-ec2m no-dh
           no-cmp no-ct no-comp no-ocsp no-async
           --prefix=/gleaner-openssl --libdir=lib --openssldir=/gleaner-openssl/ssl"
    case $TARGET in
    windows-x64)
        env -u CC $NICE ./Configure mingw64 --cross-compile-prefix=x86_64-w64-mingw32- $_opts $LIB_CFLAGS ;;
    linux-x64)
        # musl-gcc has no Linux UAPI headers (crypto/mem_sec.c needs
        # linux/mman.h). Given through the environment, their path stays
        # out of the compiler flags OpenSSL embeds.
        mkdir -p "$W/kernel-include"
        cp -r /usr/include/linux /usr/include/asm-generic "$W/kernel-include/"
        cp -r /usr/include/x86_64-linux-gnu/asm "$W/kernel-include/"
        C_INCLUDE_PATH="$W/kernel-include" $NICE ./Configure linux-x86_64 CC=musl-gcc $_opts $LIB_CFLAGS ;;
    esac
    C_INCLUDE_PATH="$W/kernel-include" $NICE make -j"$JOBS" build_generated
    C_INCLUDE_PATH="$W/kernel-include" $NICE make -j"$JOBS" libcrypto.a
    # In-tree build: the public headers (configuration.h, opensslv.h and
    # the other generated ones included) are all in include/openssl.
    mkdir -p "$P/include/openssl"
    cp include/openssl/*.h "$P/include/openssl/"
    cp libcrypto.a "$P/lib/"
    case $TARGET in
    windows-x64) _priv="-lws2_32 -lgdi32 -lcrypt32 -lbcrypt -luser32 -ladvapi32" ;;
    linux-x64) _priv="-pthread" ;;
    esac
    printf 'prefix=%s\nName: libcrypto\nDescription: OpenSSL libcrypto\nVersion: 3.0.22\nLibs: -L${prefix}/lib -lcrypto\nLibs.private: %s\nCflags: -I${prefix}/include\n' \
        "$P" "$_priv" > "$P/lib/pkgconfig/libcrypto.pc"
}

build_libarchive() {
    unpack libarchive
    cd "$W/libarchive"
    cat > "$W/toolchain.cmake" <<TC
set(CMAKE_SYSTEM_NAME $OS)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER $CC)
set(CMAKE_FIND_ROOT_PATH $P)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
TC
    # Only tar (pax) + zstd: gleaner reads and writes nothing else.
    # POSIX_REGEX_LIB=NONE: mingw has no regex.h (else "libgcc not found").
    $NICE cmake -S . -B _b -G Ninja -DCMAKE_TOOLCHAIN_FILE="$W/toolchain.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="$LIB_CFLAGS -DNDEBUG -ffile-prefix-map=$W/libarchive=libarchive" \
        -DENABLE_ZSTD=ON -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_LIBB2=OFF \
        -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LZMA=OFF -DENABLE_ZLIB=OFF -DENABLE_BZip2=OFF \
        -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF -DENABLE_LIBGCC=OFF -DENABLE_CNG=OFF \
        -DPOSIX_REGEX_LIB=NONE -DENABLE_ACL=OFF -DENABLE_XATTR=OFF -DENABLE_ICONV=OFF \
        -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_TEST=OFF -DENABLE_WERROR=OFF
    grep -q '^HAVE_LIBZSTD:INTERNAL=1' _b/CMakeCache.txt || die "libarchive: zstd not found"
    grep -q '^HAVE_LIBZSTD_COMPRESSOR:INTERNAL=1' _b/CMakeCache.txt || die "libarchive: zstd compressor not found"
    $NICE cmake --build _b -j"$JOBS" --target archive_static
    cp libarchive/archive.h libarchive/archive_entry.h "$P/include/"
    # WIN32 names it libarchive_static.a.
    for a in _b/libarchive/libarchive_static.a _b/libarchive/libarchive.a; do
        [ -f "$a" ] && cp "$a" "$P/lib/libarchive.a" && break
    done
    [ -f "$P/lib/libarchive.a" ] || die "libarchive: no static library built"
}

build_yara() {
    unpack yara
    cd "$W/yara"
    $NICE autoreconf -fi
    case $TARGET in
    windows-x64) _libs="-lws2_32 -lgdi32 -lcrypt32 -lbcrypt -luser32 -ladvapi32" ;;
    linux-x64) _libs="-pthread" ;;
    esac
    # --with-crypto gives pe signatures and hash through OpenSSL; without
    # it (or without _libs on mingw) configure quietly drops authenticode.
    # The default modules (pe, elf, dotnet, hash, math, time, string,
    # console) serve the rule sets responders bring; macho and dex
    # (macOS and Android files) are left out.
    $NICE ./configure --host="$TRIPLET" --prefix="$P" --disable-shared --enable-static \
        --with-crypto CC="$CC" CFLAGS="$LIB_CFLAGS" \
        CPPFLAGS="-I$P/include" LDFLAGS="-L$P/lib" LIBS="$_libs"
    grep -qs 'HAVE_LIBCRYPTO' Makefile config.h || die "yara: built without OpenSSL"
    $NICE make -j"$JOBS" libyara.la
    make install-libLTLIBRARIES install-includeHEADERS install-yaraincludeHEADERS
}

build_cjson() {
    unpack cjson
    cd "$W/cjson"
    $NICE $CC $LIB_CFLAGS -std=c89 -c cJSON.c -o cJSON.o
    rm -f libcjson.a
    $AR rcD libcjson.a cJSON.o
    mkdir -p "$P/include/cjson"
    cp cJSON.h "$P/include/cjson/"
    cp libcjson.a "$P/lib/"
}

say "building static libraries for $TARGET into $P"
for lib in $LIBS; do
    run_logged "$W/$lib.log" "build_$lib"
done
rm -rf "$W"
: > "$P/.done"
echo "$P"

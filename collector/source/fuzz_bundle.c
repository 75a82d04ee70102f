/* libFuzzer target: reading bundles back. The input is a tar stream (the
 * fuzzer mutates tar headers and a manifest better than compressed bytes);
 * the harness zstd-compresses it to a file, then verifies it and unpacks
 * its artifacts as a bundle: source would, under small unpacking caps.
 * With a leading '#', the rest is fed to the streaming manifest reader
 * alone, in pieces whose sizes the input chooses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include "bundle_unpack.h"
#include "manifest_stream.h"

static int count_entry(void *ctx, const gl_manifest_entry *e)
{
    if (!e->path || !e->sha256)
        abort();
    ++*(size_t *)ctx;
    return 0;
}

static void manifest_only(const uint8_t *data, size_t size)
{
    size_t entries = 0, malformed = 0;
    gl_manifest_reader *r = gl_manifest_reader_new(count_entry, &entries);
    size_t step = size ? (size_t)data[0] % 17 + 1 : 1;
    for (size_t off = 1; off < size; off += step)
        gl_manifest_feed(r, data + off, size - off < step ? size - off : step);
    gl_err err = {0};
    if (gl_manifest_finish(r, &malformed, &err) != 0 && !err.msg[0])
        abort(); /* every failure says why */
    gl_manifest_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/gleaner-fuzz-bundle-XXXXXX";
    static int ready;
    if (size && data[0] == '#') {
        manifest_only(data, size);
        return 0;
    }
    if (!ready) {
        if (!mkdtemp(dir))
            abort();
        gl_unpack_limits l = {.ratio = 200, .max_total = 8u << 20, .max_member = 4u << 20, .max_members = 2000};
        gl_bundle_set_unpack_limits(&l);
        ready = 1;
    }
    size_t cap = ZSTD_compressBound(size);
    void *z = malloc(cap ? cap : 1);
    size_t zn = ZSTD_compress(z, cap, data, size, 1);
    if (ZSTD_isError(zn))
        abort();
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/b.tar.zst", dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(z, 1, zn, f) != zn || fclose(f) != 0)
        abort();
    free(z);
    gl_verify_result res;
    gl_buf report = {0};
    gl_bundle_verify(path, &res, &report);
    gl_buf_free(&report);
    char drive[16];
    gl_err err = {0};
    char *tree = gl_bundle_unpack_artifacts(path, dir, drive, sizeof drive, &err);
    if (tree) {
        gl_remove_tree(tree);
        free(tree);
    } else if (!err.msg[0]) {
        abort();
    }
    unlink(path);
    return 0;
}

/* The bundle's member hashes and contents when zstd compresses on a
 * worker thread of its own while gleaner reads and hashes (bundle.c
 * zstd_workers) and when it compresses on the reading thread: members on
 * either side of the read chunk are hashed and stored exactly (checked
 * against coreutils sha256sum and the bytes GNU tar extracts), and the
 * run's log says which way the bundle was written. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "buf.h"
#include "testutil.h"

/* Sizes around bundle.c's read chunk (1 MiB) and 4 MiB; 25 MB in all, so
 * zstd's worker gets several of its 8 MiB jobs. */
static const size_t member_sizes[] = {0, 1, 1048575, 1048576, 1048577, 4194303, 4194304, 4194305, 12582919};

/* Collect the sizes with zstd's worker thread forced on ("1") or off ("0"). */
static void collect_sizes(const char *thread)
{
    gl_buf tag = {0};
    gl_buf_printf(&tag, "bundle-hash-src-%s", thread);
    char *src = tu_tmpdir(tag.data);
    cr_assert_eq(tu_runf(NULL, NULL, "mkdir -p '%s/Windows/Temp'", src), 0);
    size_t n = sizeof member_sizes / sizeof member_sizes[0];
    for (size_t i = 0; i < n; i++) {
        /* deterministic, incompressible-looking content: a keyed stream */
        cr_assert_eq(tu_runf(NULL, NULL,
                             "openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv %032zx -nosalt "
                             "-in /dev/zero 2>/dev/null | head -c %zu > '%s/Windows/Temp/m%zu.bin'",
                             i, member_sizes[i], src, i),
                     0);
    }
    gl_buf_clear(&tag);
    gl_buf_printf(&tag, "bundle-hash-profile-%s", thread);
    char *dir = tu_tmpdir(tag.data);
    gl_buf prof = {0};
    gl_buf_printf(&prof, "%s/p.profile", dir);
    cr_assert_eq(tu_runf(NULL, NULL, "printf '%%s\\n' 'description bundle hashing sizes' 'module files' "
                                     "'target t C:\\Windows\\Temp\\*' > '%s'", prof.data),
                 0);
    gl_buf_clear(&tag);
    gl_buf_printf(&tag, "bundle-hash-out-%s", thread);
    char *out = tu_tmpdir(tag.data);
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "GLEANER_TEST_BUNDLE_THREAD=%s '%s' collect -q --source 'dir:%s' --output '%s' --name b --profile '%s'",
                         thread, tu_gleaner(), src, out, prof.data),
                 0, "%s", err.data ? err.data : "");
    gl_buf bundle = {0};
    gl_buf_printf(&bundle, "%s/b.tar.zst", out);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify '%s'", tu_gleaner(), bundle.data), 0);
    /* "1" gives the worker wherever this libzstd has threads (Debian's
     * shared one, which the test build links, has) */
    ZSTD_bounds workers = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers);
    bool threaded = !strcmp(thread, "1") && !ZSTD_isError(workers.error) && workers.upperBound >= 1;
    char *log = tu_bundle_member(bundle.data, "log.txt");
    cr_assert(strstr(log, threaded ? "bundle: zstd compresses on a worker thread while this one reads and hashes"
                                   : "bundle: zstd compresses on the thread that reads and hashes"),
              "%s", log);
    free(log);
    char *manifest = tu_bundle_member(bundle.data, "manifest.json");
    for (size_t i = 0; i < n; i++) {
        gl_buf sum = {0}, same = {0}, want = {0};
        cr_assert_eq(tu_runf(&sum, NULL, "sha256sum < '%s/Windows/Temp/m%zu.bin' | cut -c1-64", src, i), 0);
        gl_buf_cstr(&sum);
        sum.data[64] = '\0';
        gl_buf_printf(&want, "\"path\":\"artifacts/C/Windows/Temp/m%zu.bin\",\"size\":%zu,\"sha256\":\"%s\"", i,
                      member_sizes[i], sum.data);
        cr_assert(strstr(manifest, want.data), "size %zu: %s not in %s", member_sizes[i], want.data, manifest);
        cr_assert_eq(tu_runf(&same, NULL,
                             "tar --zstd -xOf '%s' artifacts/C/Windows/Temp/m%zu.bin | cmp - '%s/Windows/Temp/m%zu.bin' "
                             "&& echo same",
                             bundle.data, i, src, i),
                     0);
        gl_buf_cstr(&same);
        cr_assert_str_eq(same.data, "same\n", "size %zu", member_sizes[i]);
        gl_buf_free(&sum);
        gl_buf_free(&same);
        gl_buf_free(&want);
    }
    gl_buf_free(&tag);
    gl_buf_free(&prof);
    gl_buf_free(&err);
    gl_buf_free(&bundle);
}

Test(bundle_hash, members_compressed_on_a_zstd_worker_are_hashed_and_stored_exactly, .timeout = 120)
{
    collect_sizes("1");
}

Test(bundle_hash, members_compressed_on_the_reading_thread_are_hashed_and_stored_exactly, .timeout = 120)
{
    collect_sizes("0");
}

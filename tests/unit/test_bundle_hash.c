/* The bundle's member hashes when reading and hashing run on a second
 * thread (sha256.h gl_sha256_bg): the digests are the standard ones and
 * the chunks come in order whatever the buffer and ring sizes, and members on either side of the size from
 * which the thread is used are hashed and stored exactly (checked against
 * coreutils sha256sum and the bytes GNU tar extracts). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "sha256.h"
#include "testutil.h"

/* What the reading thread reads: bytes from memory, at most `piece` at a time. */
typedef struct mem_src {
    const unsigned char *data;
    size_t n, off, piece;
} mem_src;

static size_t mem_fill(void *ctx, unsigned char *buf, size_t cap)
{
    mem_src *m = ctx;
    size_t k = m->n - m->off;
    if (k > cap)
        k = cap;
    if (k > m->piece)
        k = m->piece;
    memcpy(buf, m->data + m->off, k);
    m->off += k;
    return k;
}

/* Hash data on the thread; the buffers taken must hold the data in order. */
static void bg_hash(gl_sha256_bg *bg, const unsigned char *data, size_t n, size_t piece, char hex[GL_SHA256_HEX])
{
    gl_sha256 h;
    gl_sha256_init(&h);
    mem_src m = {data, n, 0, piece};
    cr_assert_eq(gl_sha256_bg_start(bg, &h, mem_fill, &m), 0);
    size_t seen = 0, k;
    const unsigned char *buf;
    while ((buf = gl_sha256_bg_take(bg, &k))) {
        cr_assert(k > 0 && seen + k <= n);
        cr_assert_eq(memcmp(buf, data + seen, k), 0, "the chunk at %zu", seen);
        seen += k;
    }
    cr_assert_eq(seen, n);
    cr_assert_null(gl_sha256_bg_take(bg, &k), "the end stays the end");
    gl_sha256_bg_stop(bg);
    gl_sha256_final(&h, hex);
}

Test(bundle_hash, background_hasher_gives_the_standard_digests)
{
    /* FIPS 180-2 examples: "abc", one million 'a', and the empty input */
    size_t million = 1000000;
    unsigned char *a = malloc(million);
    cr_assert_not_null(a);
    memset(a, 'a', million);
    static const struct {
        unsigned slots;
        size_t cap, piece;
    } shapes[] = {{2, 4096, 4096}, {3, 4096, 4093}, {4, 65536, 1}, {8, 1 << 20, 1 << 20}, {2, 777, 500}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        gl_sha256_bg bg;
        gl_sha256_bg_init(&bg, shapes[s].slots, shapes[s].cap);
        size_t piece = shapes[s].piece;
        char hex[GL_SHA256_HEX];
        /* one byte at a time would take long for a million: those shapes hash "abc" only */
        if (piece > 1) {
            bg_hash(&bg, a, million, piece, hex);
            cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "shape %zu", s);
        }
        bg_hash(&bg, (const unsigned char *)"abc", 3, piece, hex);
        cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "shape %zu", s);
        bg_hash(&bg, a, 0, piece, hex);
        cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "shape %zu", s);
        gl_sha256_bg_free(&bg);
    }
    free(a);
}

Test(bundle_hash, the_thread_is_started_and_stopped_many_times)
{
    /* one thread per big member: a run makes hundreds; each must end */
    gl_sha256_bg bg;
    gl_sha256_bg_init(&bg, 3, 1024);
    unsigned char data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    gl_sha256 h;
    gl_sha256_init(&h);
    gl_sha256_update(&h, data, sizeof data);
    char inline_hex[GL_SHA256_HEX], hex[GL_SHA256_HEX];
    gl_sha256_final(&h, inline_hex);
    for (int round = 0; round < 300; round++) {
        bg_hash(&bg, data, sizeof data, 1000 + (size_t)round % 25, hex);
        cr_assert_str_eq(hex, inline_hex, "round %d", round);
    }
    /* stop without a start, and twice, is harmless */
    gl_sha256_bg_stop(&bg);
    gl_sha256_bg_free(&bg);
    gl_sha256_bg_free(&bg);
}

Test(bundle_hash, a_caller_that_fails_stops_the_thread_early)
{
    /* the compressor failed after the first chunk: the reader must not
     * wait for buffers nobody takes any more */
    gl_sha256_bg bg;
    gl_sha256_bg_init(&bg, 2, 100);
    static unsigned char data[100000];
    for (int round = 0; round < 50; round++) {
        gl_sha256 h;
        gl_sha256_init(&h);
        mem_src m = {data, sizeof data, 0, 100};
        cr_assert_eq(gl_sha256_bg_start(&bg, &h, mem_fill, &m), 0);
        size_t k;
        cr_assert_not_null(gl_sha256_bg_take(&bg, &k));
        cr_assert_eq(k, 100);
        gl_sha256_bg_stop(&bg);
        cr_assert(m.off < sizeof data, "round %d: the thread read on to %zu", round, m.off);
        char hex[GL_SHA256_HEX];
        gl_sha256_final(&h, hex);
    }
    gl_sha256_bg_free(&bg);
}

/* Sizes around the thread threshold (1 MiB) and the chunk (4 MiB) of bundle.c. */
static const size_t member_sizes[] = {0, 1, 1048575, 1048576, 1048577, 4194303, 4194304, 4194305, 12582919};

/* Collect the sizes with the reading thread forced on ("1") or off ("0"). */
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

Test(bundle_hash, members_read_on_the_second_thread_are_hashed_exactly, .timeout = 120)
{
    collect_sizes("1");
}

Test(bundle_hash, members_read_inline_are_hashed_exactly, .timeout = 120)
{
    collect_sizes("0");
}

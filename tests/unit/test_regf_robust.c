/* The regf parser on damaged, dirty and hostile hives from
 * ../shared/corpus/dev/robustness/hives: partial results and exact error
 * messages, never a crash or a hang. Where an independent reader can see
 * the right answer (libregf on a repaired copy or on our recovered image,
 * Windows 10's own recovered hive, yarp's recovered hive hash), the content
 * must match it exactly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regf.h"
#include "sha256.h"
#include "test_regf_util.h"
#include "testutil.h"
#include "text.h"

#define RB(name) tu_corpus("dev/robustness/hives/" name)

static void assert_error(regf_hive *h, size_t i, const char *path, const char *msg)
{
    char want[1024];
    snprintf(want, sizeof want, "%s: %s", path, msg);
    cr_assert(i < regf_error_count(h), "error %zu missing (have %zu)", i, regf_error_count(h));
    cr_assert_str_eq(regf_error(h, i), want);
}

/* The parsed image written out and read back by libregf must list exactly
 * what gleaner reads from it. */
static void assert_image_matches_libregf(regf_hive *h, const char *tag, size_t keys, size_t values)
{
    size_t k, v;
    char *mine = tr_listing(h, &k, &v);
    cr_assert_eq(k, keys, "%s: %zu keys, expected %zu", tag, k, keys);
    cr_assert_eq(v, values, "%s: %zu values, expected %zu", tag, v, values);
    char *img = tr_write_image(h, tag);
    char *ref = tr_reference(img, NULL, NULL);
    tr_assert_same(mine, ref, tag);
    free(img);
    free(mine);
    free(ref);
}

Test(regf_robust, not_a_hive_is_rejected)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("EZ-Registry__NotAHive");
    regf_hive *h = tr_open(p, NULL, NULL, NULL, &err);
    cr_assert_null(h);
    char want[1024];
    snprintf(want, sizeof want, "%s: file offset 0: base block: expected signature \"regf\", found \"MZ\\x90\\x00\"", p);
    cr_assert_str_eq(err.msg, want);
}

/* One hive bin has "gbin" for "hbin"; its offset and size fields are
 * intact, so the bin is used and the whole hive reads as the repaired copy
 * does in libregf (which itself stops at one key). */
Test(regf_robust, bad_hbin_signature_recovered, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("EZ-Registry__SAMBadHBinHeader");
    regf_hive *h = tr_open(p, NULL, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    size_t k, v;
    char *mine = tr_listing(h, &k, &v);
    cr_assert_eq(regf_error_count(h), 1);
    assert_error(h, 0, p, "file offset 0x2000: hive bin: expected signature \"hbin\", found \"gbin\"; offset and "
                          "size fields are consistent, bin used");
    cr_assert_eq(k, 68);
    cr_assert_eq(v, 73);
    gl_buf data = {0};
    cr_assert(tu_read_file(p, &data));
    memcpy(data.data + 0x2000, "hbin", 4);
    char *fixed = tu_tmpdir("regf_sam_fixed");
    char path[1024];
    snprintf(path, sizeof path, "%s/SAM", fixed);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(data.data, 1, data.len, f);
    fclose(f);
    char *ref = tr_reference(path, NULL, NULL);
    tr_assert_same(mine, ref, "SAMBadHBinHeader vs repaired copy");
    gl_buf_free(&data);
    free(mine);
    free(ref);
    regf_close(h);
}

/* regipy's dirty NTUSER.DAT (567/566) with new-format logs: entries 566..588
 * of LOG1 apply (LOG2 holds only the stale 562). The recovered file is
 * byte-identical to what yarp (by the author of the format specification)
 * recovers: SHA-256 0a7a7b2d... as recorded for these files in a public
 * regression test of yarp's output. */
Test(regf_robust, new_format_logs_ntuser, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    regf_hive *h = tr_open(RB("regipy__transactions_NTUSER.DAT"), RB("regipy__transactions_ntuser.dat.log1"),
                           RB("regipy__transactions_ntuser.dat.log2"), NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert(in->dirty);
    cr_assert_eq(in->seq_primary, 567);
    cr_assert_eq(in->seq_secondary, 566);
    cr_assert(in->recovery_applied);
    cr_assert_eq(in->log_format, REGF_LOG_NEW);
    cr_assert_str_eq(in->logs_used, "LOG1");
    cr_assert_eq(in->log_entries, 23);
    cr_assert_eq(in->log_pages, 132);
    cr_assert_eq(in->seq_recovered, 588);
    cr_assert_eq(in->hbins_size, 0xE2000);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    size_t len;
    const uint8_t *img = regf_image(h, &len);
    gl_sha256 s;
    char hex[GL_SHA256_HEX];
    gl_sha256_init(&s);
    gl_sha256_update(&s, img, len);
    gl_sha256_final(&s, hex);
    cr_assert_str_eq(hex, "0a7a7b2d1eb24ab63455f5a83e554601d88fe558d0ba1c1068a7e1102c79a092");
    assert_image_matches_libregf(h, "regf_transactions", 3105, 4695);
    regf_close(h);
}

/* Without the logs the same hive is read as it stands (libregf's walk of
 * the primary: 2590 keys, 4119 values). */
Test(regf_robust, new_format_logs_not_applied_when_disabled, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    regf_options o;
    regf_options_init(&o);
    o.logs = REGF_LOGS_NONE;
    regf_hive *h = tr_open(RB("regipy__transactions_NTUSER.DAT"), RB("regipy__transactions_ntuser.dat.log1"),
                           RB("regipy__transactions_ntuser.dat.log2"), &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_not(regf_get_info(h)->recovery_applied);
    size_t k, v;
    free(tr_listing(h, &k, &v));
    cr_assert_eq(k, 2590);
    cr_assert_eq(v, 4119);
    regf_close(h);
}

/* yarp's NewDirtyHive (3/2): LOG1 holds entry 2, LOG2 entries 3..5. The
 * result equals RecoveredHive_Windows10, written by Windows 10 from the
 * same files, byte for byte except the sequence numbers (Windows bumps them
 * to 6 when it writes; the XOR checksum is unchanged by that). */
Test(regf_robust, new_format_logs_match_windows, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    regf_hive *h = tr_open(RB("yarp__NewDirtyHive1__NewDirtyHive"), RB("yarp__NewDirtyHive1__NewDirtyHive.LOG1"),
                           RB("yarp__NewDirtyHive1__NewDirtyHive.LOG2"), NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert(in->recovery_applied);
    cr_assert_str_eq(in->logs_used, "LOG1+LOG2");
    cr_assert_eq(in->log_entries, 4);
    cr_assert_eq(in->log_pages, 4);
    cr_assert_eq(in->seq_recovered, 5);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));

    gl_buf win = {0};
    cr_assert(tu_read_file(RB("yarp__NewDirtyHive1__RecoveredHive_Windows10"), &win));
    size_t len;
    const uint8_t *img = regf_image(h, &len);
    cr_assert_eq(len, win.len);
    size_t diffs = 0;
    for (size_t i = 0; i < len; i++)
        if (img[i] != (uint8_t)win.data[i]) {
            cr_assert(i == 4 || i == 8, "recovered image differs from Windows' at offset 0x%zx", i);
            cr_assert_eq(img[i], 5);
            cr_assert_eq((uint8_t)win.data[i], 6);
            diffs++;
        }
    cr_assert_eq(diffs, 2);

    /* Key for key, value for value, against the Windows hive read by libregf. */
    size_t k, v;
    char *mine = tr_listing(h, &k, &v);
    char *ref = tr_reference(RB("yarp__NewDirtyHive1__RecoveredHive_Windows10"), NULL, NULL);
    tr_assert_same(mine, ref, "NewDirtyHive + logs vs RecoveredHive_Windows10");
    cr_assert_eq(k, 5);
    cr_assert_eq(v, 1);
    cr_assert_neq(regf_key_open(h, regf_root(h), "Key3\\Key3_1"), REGF_NONE);
    cr_assert_eq(regf_key_open(h, regf_root(h), "Key1"), REGF_NONE);
    free(mine);
    free(ref);
    gl_buf_free(&win);
    regf_close(h);
}

/* In place (as `reg dump` reads its mapping): a clean hive is read where it
 * lies, a dirty one is copied before its logs are replayed, so the
 * caller's bytes are never written and the result equals the copy mode's. */
Test(regf_robust, in_place_replay_leaves_the_primary_untouched, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_buf prim = {0}, log1 = {0}, log2 = {0}, pristine = {0};
    cr_assert(tu_read_file(RB("yarp__NewDirtyHive1__NewDirtyHive"), &prim));
    cr_assert(tu_read_file(RB("yarp__NewDirtyHive1__NewDirtyHive.LOG1"), &log1));
    cr_assert(tu_read_file(RB("yarp__NewDirtyHive1__NewDirtyHive.LOG2"), &log2));
    gl_buf_append(&pristine, prim.data, prim.len);
    gl_mem_reader m0, m1, m2;
    gl_reader r0 = gl_reader_memory(&m0, prim.data, prim.len, "dirty.hive");
    gl_reader r1 = gl_reader_memory(&m1, log1.data, log1.len, "dirty.hive.LOG1");
    gl_reader r2 = gl_reader_memory(&m2, log2.data, log2.len, "dirty.hive.LOG2");
    regf_options opt;
    regf_options_init(&opt);
    opt.in_place = true;
    gl_err err = {0};
    regf_hive *h = regf_open(&r0, &r1, &r2, &opt, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert(regf_get_info(h)->recovery_applied);
    cr_assert_eq(regf_get_info(h)->seq_recovered, 5);
    size_t len;
    cr_assert_neq(regf_image(h, &len), (const uint8_t *)prim.data, "replay must work on a copy");
    cr_assert_eq(prim.len, pristine.len);
    cr_assert_eq(memcmp(prim.data, pristine.data, prim.len), 0, "the primary's bytes were written");
    size_t k, v;
    char *in_place = tr_listing(h, &k, &v);
    regf_close(h);
    h = tr_open(RB("yarp__NewDirtyHive1__NewDirtyHive"), RB("yarp__NewDirtyHive1__NewDirtyHive.LOG1"),
                RB("yarp__NewDirtyHive1__NewDirtyHive.LOG2"), NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    char *copied = tr_listing(h, &k, &v);
    cr_assert_str_eq(in_place, copied);
    cr_assert_eq(k, 5);
    regf_close(h);

    /* A clean hive: no copy at all. */
    gl_buf clean = {0};
    cr_assert(tu_read_file(tu_corpus("dev/hives/sam/regipy__SAM"), &clean));
    r0 = gl_reader_memory(&m0, clean.data, clean.len, "SAM");
    h = regf_open(&r0, NULL, NULL, &opt, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_not(regf_get_info(h)->dirty);
    cr_assert_eq(regf_image(h, &len), (const uint8_t *)clean.data);
    cr_assert_eq(len, clean.len);
    regf_close(h);
    free(in_place);
    free(copied);
    gl_buf_free(&prim);
    gl_buf_free(&log1);
    gl_buf_free(&log2);
    gl_buf_free(&pristine);
    gl_buf_free(&clean);
}

/* Old-format log (DIRT bitmap) with a damaged primary base block: the base
 * block comes from the log and 64 dirty 512-byte pages are applied; LOG2
 * is empty. libregf refuses the original but reads our recovered image,
 * and agrees with it exactly. */
Test(regf_robust, old_format_log_bad_base_block, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    regf_hive *h = tr_open(RB("yarp__BadBaseBlockHive__BadBaseBlockHive"),
                           RB("yarp__BadBaseBlockHive__BadBaseBlockHive.LOG1"),
                           RB("yarp__BadBaseBlockHive__BadBaseBlockHive.LOG2"), NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert_not(in->checksum_ok);
    cr_assert(in->recovery_applied);
    cr_assert_eq(in->log_format, REGF_LOG_OLD);
    cr_assert_str_eq(in->logs_used, "LOG1");
    cr_assert_eq(in->log_pages, 64);
    cr_assert_eq(in->seq_recovered, 5);
    cr_assert_eq(in->minor, 3);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    assert_image_matches_libregf(h, "regf_badbaseblock", 5003, 1);
    /* What the log changed (yarp's OldDirtyHive expectations): subkey 1 is
     * gone and 4500 gained a REG_MULTI_SZ. */
    regf_key many = regf_key_open(h, regf_root(h), "key_with_many_subkeys");
    cr_assert_neq(many, REGF_NONE);
    cr_assert_eq(regf_key_open(h, many, "1"), REGF_NONE);
    regf_value mv = regf_value_find(h, regf_key_open(h, many, "4500"), "v");
    cr_assert_neq(mv, REGF_NONE);
    gl_buf ms = {0};
    cr_assert_eq(regf_value_multi_sz(h, mv, &ms), 3);
    cr_assert_eq(ms.len, 9);
    cr_assert(!memcmp(ms.data, "a\0bb\0ccc\0", 9));
    gl_buf_free(&ms);
    regf_close(h);
}

/* The same hive without its logs: the damaged base block is used as found
 * and reported. */
Test(regf_robust, bad_base_block_without_logs, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("yarp__BadBaseBlockHive__BadBaseBlockHive");
    regf_hive *h = tr_open(p, NULL, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_not(regf_get_info(h)->recovery_applied);
    assert_error(h, 0, p, "file offset 0x1FC: base block: checksum 0x4C564E49 does not match computed 0x0CCBAC9F (base "
                          "block damaged; fields used as found)");
    size_t k, v;
    free(tr_listing(h, &k, &v));
    cr_assert_eq(k, 5003);
    cr_assert_eq(v, 0);
    regf_key many = regf_key_open(h, regf_root(h), "key_with_many_subkeys");
    cr_assert_neq(regf_key_open(h, many, "1"), REGF_NONE);
    regf_close(h);
}

/* Key 3's subkey list points at key 2's subkey: libregf and hivex show the
 * subkey under both parents and so does gleaner, reporting the sharing and
 * that the subkey's parent field names key 2. */
Test(regf_robust, shared_subkey_list, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("yarp__BadListHive");
    regf_hive *h = tr_open(p, NULL, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    size_t k, v;
    char *mine = tr_listing(h, &k, &v);
    char *ref = tr_reference(p, NULL, NULL);
    tr_assert_same(mine, ref, "BadListHive");
    cr_assert_eq(k, 7);
    cr_assert_eq(regf_error_count(h), 2);
    assert_error(h, 0, p,
                 "file offset 0x1470: key listed in the subkey list of the key at file offset 0x12E8 names 0x1380 as "
                 "its parent");
    assert_error(h, 1, p, "file offset 0x1470: key listed under more than one parent (shared subkey list)");
    free(mine);
    free(ref);
    regf_close(h);
}

/* yarp's BadListHive, deleted material recovered. */
static regf_hive *open_badlist_deleted(void)
{
    gl_err err = {0};
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    regf_hive *h = tr_open(RB("yarp__BadListHive"), NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    return h;
}

/* A deleted key of BadListHive ("New key #1" in Russian, UTF-16 name) is
 * found in a free cell; its parent link resolves to key 2. Key 2's own
 * subkey, which key 3's list replaced, is allocated but unreferenced. */
Test(regf_robust, deleted_key_recovered, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    regf_hive *h = open_badlist_deleted();
    cr_assert_eq(regf_deleted_key_count(h), 2);
    cr_assert_eq(regf_get_info(h)->deleted_keys, 1);
    cr_assert_eq(regf_get_info(h)->unreferenced_keys, 1);
    regf_key k = regf_deleted_key(h, 0), u = regf_deleted_key(h, 1);
    if (regf_key_unreferenced(h, k)) {
        regf_key t = k;
        k = u;
        u = t;
    }
    cr_assert(regf_key_deleted(h, k));
    cr_assert_not(regf_key_unreferenced(h, k));
    cr_assert(regf_key_unreferenced(h, u));
    gl_buf path = {0};
    regf_deleted_key_path(h, u, &path);
    cr_assert_str_eq(gl_buf_cstr(&path), "2\\subkey");
    path.len = 0;
    regf_deleted_key_path(h, k, &path);
    cr_assert_str_eq(gl_buf_cstr(&path), "2\\\xD0\x9D\xD0\xBE\xD0\xB2\xD1\x8B\xD0\xB9 \xD1\x80\xD0\xB0\xD0\xB7\xD0\xB4"
                                         "\xD0\xB5\xD0\xBB #1");
    cr_assert_eq(regf_key_last_write(h, k), 131335347561958007ull); /* 2017-03-09T12:05:56.1958007Z */
    gl_buf_free(&path);
    regf_close(h);
}

/* Valid signature, garbage everywhere else: the root key and the checksum
 * error, nothing more. */
Test(regf_robust, garbage_hive, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("yarp__GarbageHive");
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    regf_hive *h = tr_open(p, NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    size_t k, v;
    free(tr_listing(h, &k, &v));
    cr_assert_eq(k, 1);
    cr_assert_eq(v, 0);
    gl_buf name = {0};
    cr_assert(regf_key_name(h, regf_root(h), &name));
    cr_assert_str_eq(gl_buf_cstr(&name), "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}");
    cr_assert_eq(regf_error_count(h), 1);
    assert_error(h, 0, p, "file offset 0x1FC: base block: checksum 0x4C564E49 does not match computed 0x94D865B7 (base "
                          "block damaged; fields used as found)");
    gl_buf_free(&name);
    regf_close(h);
}

/* Cut after 12 KiB: the keys inside the remaining bins, and an error for
 * every list that lies beyond the end. */
Test(regf_robust, truncated_hive, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("yarp__TruncatedHive");
    regf_hive *h = tr_open(p, NULL, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    size_t k, v;
    char *mine = tr_listing(h, &k, &v);
    cr_assert_str_eq(mine, "K\t\t2017-03-04T14:50:13.0833872Z\t\n"
                           "K\tkey_with_many_subkeys\t2017-03-04T14:50:13.1506016Z\t\n");
    assert_error(h, 0, p, "base block: hive bins data size 0x77000 but the file holds only 0x2000 bytes after the "
                          "base block (truncated)");
    assert_error(h, 1, p, "subkey list at offset 0xC020: beyond the hive bins data (0x2000 bytes)");
    assert_error(h, 10, p, "file offset 0x1140: nk cell: 5000 subkeys recorded, 0 readable");
    cr_assert_eq(regf_error_count(h), 11);
    free(mine);
    regf_close(h);
}

/* Every robustness file, alone and with every other file as its log, with
 * deleted recovery on: opens or is refused cleanly, walks to the end. The
 * sanitizer build turns any out-of-bounds access into a failure. */
Test(regf_robust, every_file_every_log, .timeout = 240)
{
    TU_REQUIRE_CORPUS();
    char **paths;
    size_t n = tu_list_dir(tu_corpus("dev/robustness/hives"), NULL, &paths);
    cr_assert_eq(n, 15);
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    size_t opened = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= n; j++) {
            gl_err err = {0};
            regf_hive *h = tr_open(paths[i], j < n ? paths[j] : NULL, NULL, &o, &err);
            if (!h) {
                cr_assert(err.msg[0], "%s refused without a message", paths[i]);
                continue;
            }
            size_t k, v;
            free(tr_listing(h, &k, &v));
            for (size_t d = 0; d < regf_deleted_key_count(h); d++) {
                gl_buf b = {0};
                regf_deleted_key_path(h, regf_deleted_key(h, d), &b);
                gl_buf_free(&b);
            }
            opened++;
            regf_close(h);
        }
    /* NotAHive and the empty LOG2 are refused, whatever the log. */
    cr_assert_eq(opened, (n - 2) * (n + 1));
}

/* NewDirtyHive with LOG1 and a copy of its LOG2 (entries 3, 4 and 5 at
 * 0x200, 0x2000 and 0x8000) written to a temporary folder as tmp, with the
 * byte at flip (0: none) flipped and, when size5 is not 0, entry 5's size
 * field set to it. Asserts the entries applied, the sequence reached and
 * the one error: "HIVE: LOG2: " then what. */
static void check_log2_variant(const char *tmp, size_t flip, uint32_t size5, uint32_t entries, uint32_t seq,
                               const char *what)
{
    gl_buf log2 = {0};
    cr_assert(tu_read_file(RB("yarp__NewDirtyHive1__NewDirtyHive.LOG2"), &log2));
    cr_assert_gt(log2.len, 0x8008);
    if (flip)
        log2.data[flip] ^= 0x01;
    if (size5)
        for (int i = 0; i < 4; i++)
            log2.data[0x8000 + 4 + i] = (char)(size5 >> (8 * i));
    char path[1024], want[1400];
    snprintf(path, sizeof path, "%s/NewDirtyHive.LOG2", tu_tmpdir(tmp));
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(log2.data, 1, log2.len, f);
    fclose(f);
    gl_buf_free(&log2);
    gl_err err = {0};
    regf_hive *h =
        tr_open(RB("yarp__NewDirtyHive1__NewDirtyHive"), RB("yarp__NewDirtyHive1__NewDirtyHive.LOG1"), path, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert(in->recovery_applied);
    cr_assert_eq(in->log_entries, entries);
    cr_assert_eq(in->seq_recovered, seq);
    snprintf(want, sizeof want, "%s: %s: %s", RB("yarp__NewDirtyHive1__NewDirtyHive"), path, what);
    cr_assert_eq(regf_error_count(h), 1);
    cr_assert_str_eq(regf_error(h, 0), want);
    regf_close(h);
}

/* A flipped byte in the page data of LOG2's second entry (sequence 4) fails
 * its Marvin32 hash: replay keeps entries 2 and 3 and stops there. */
Test(regf_robust, log_entry_hash_checked, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    check_log2_variant("regf_badhash", 0x2000 + 0x1000, 0, 2, 3,
                       "file offset 0x2000: log entry 4: hash mismatch; replay of this log stops");
}

/* The entries' frames are read before their hashes are checked (the hashes
 * of several entries are computed together), yet what is reported is what
 * reading them in order finds first: a bad size in entry 5 alone stops
 * replay after entry 4, but behind entry 4's bad hash it is never
 * reached. */
Test(regf_robust, log_entry_first_fault_reported, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    check_log2_variant("regf_badsize", 0, 0x2001, 3, 4,
                       "file offset 0x8000: log entry size 0x2001 invalid; replay of this log stops");
    check_log2_variant("regf_badhash_badsize", 0x2000 + 0x1000, 0x2001, 2, 3,
                       "file offset 0x2000: log entry 4: hash mismatch; replay of this log stops");
}

/* Replaying NewDirtyHive's logs deletes Key2\Key2_1 and Key2\Key2_2; their
 * records survive in free cells. The recovered deleted keys carry exactly the
 * names and last-written times libregf reads for those live keys in the
 * stale primary. (Their paths follow the parent offset, whose cell now
 * belongs to Key3\Key3_3: a documented limit.) */
Test(regf_robust, deleted_keys_match_stale_primary, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    regf_hive *h = tr_open(RB("yarp__NewDirtyHive1__NewDirtyHive"), RB("yarp__NewDirtyHive1__NewDirtyHive.LOG1"),
                           RB("yarp__NewDirtyHive1__NewDirtyHive.LOG2"), &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    char *stale = tr_reference(RB("yarp__NewDirtyHive1__NewDirtyHive"), "--libregf", NULL);
    /* and 8 allocated, unreferenced keys: old nks of renamed keys */
    cr_assert_eq(regf_deleted_key_count(h), 10);
    cr_assert_eq(regf_get_info(h)->deleted_keys, 2);
    cr_assert_eq(regf_get_info(h)->unreferenced_keys, 8);
    regf_key freed[2];
    size_t nf = 0;
    for (size_t i = 0; i < regf_deleted_key_count(h); i++)
        if (!regf_key_unreferenced(h, regf_deleted_key(h, i)) && nf < 2)
            freed[nf++] = regf_deleted_key(h, i);
    cr_assert_eq(nf, 2);
    static const char *const names[] = {"Key2_1", "Key2_2"};
    for (size_t i = 0; i < 2; i++) {
        regf_key k = freed[i];
        gl_buf name = {0};
        cr_assert(regf_key_name(h, k, &name));
        cr_assert_str_eq(gl_buf_cstr(&name), names[i]);
        char ts[GL_TIME_STRLEN], want[128];
        cr_assert(gl_filetime_iso(regf_key_last_write(h, k), 7, ts));
        snprintf(want, sizeof want, "K\tKey2\\%s\t%s\t\n", names[i], ts);
        cr_assert(strstr(stale, want), "libregf's stale primary has no line %s in:\n%s", want, stale);
        gl_buf_free(&name);
    }
    free(stale);
    regf_close(h);
}

/* An old-format log from another hive (its last-written time differs) is
 * refused with a message, and the hive is read as it stands. */
Test(regf_robust, old_log_of_another_hive_refused, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    gl_err err = {0};
    char *p = RB("yarp__NewDirtyHive1__NewDirtyHive");
    char *log = RB("yarp__BadBaseBlockHive__BadBaseBlockHive.LOG1");
    regf_hive *h = tr_open(p, log, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_not(regf_get_info(h)->recovery_applied);
    cr_assert_eq(regf_error_count(h), 1);
    char want[2048];
    snprintf(want, sizeof want,
             "%s: log base block: last written time does not match the hive; log belongs to another state, not used",
             log);
    assert_error(h, 0, p, want);
    size_t k, v;
    free(tr_listing(h, &k, &v));
    cr_assert_eq(k, 5); /* the stale state, as libregf reads it (MANIFEST: 5 keys, 2 values) */
    cr_assert_eq(v, 2);
    regf_close(h);
}

/* A truncated file: every key cell that can still be read is reported,
 * not only those reachable before the cut (83 below
 * key_with_many_subkeys, whose lists lie past the end); Windows' own
 * hives keep the old nk of renamed keys ("Новый раздел #1") allocated. */
Test(regf_robust, unreferenced_key_cells, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    o.logs = REGF_LOGS_NONE;
    gl_err err = {0};
    regf_hive *h = tr_open(RB("yarp__TruncatedHive"), NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(regf_get_info(h)->unreferenced_keys, 83);
    gl_buf p = {0};
    regf_deleted_key_path(h, regf_deleted_key(h, 0), &p);
    cr_assert_str_eq(gl_buf_cstr(&p), "key_with_many_subkeys\\1");
    regf_close(h);
    h = tr_open(RB("yarp__NewDirtyHive1__RecoveredHive_Windows10"), NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(regf_get_info(h)->unreferenced_keys, 8);
    size_t renamed = 0;
    for (size_t i = 0; i < regf_deleted_key_count(h); i++) {
        regf_key k = regf_deleted_key(h, i);
        gl_buf n = {0};
        regf_key_name(h, k, &n);
        renamed += regf_key_unreferenced(h, k) && !strcmp(gl_buf_cstr(&n), "\xD0\x9D\xD0\xBE\xD0\xB2\xD1\x8B\xD0\xB9 "
                                                                       "\xD1\x80\xD0\xB0\xD0\xB7\xD0\xB4\xD0\xB5\xD0\xBB #1");
        gl_buf_free(&n);
    }
    cr_assert_eq(renamed, 8);
    gl_buf_free(&p);
    regf_close(h);
}

/* libFuzzer (fuzz-regf): a value offset that is a deleted key's cell, in a
 * hive with deleted keys but no deleted values, made the deleted-value
 * lookup call bsearch on a NULL array (UBSan: nonnull argument), even
 * for zero elements. */
Test(regf_robust, deleted_key_cell_asked_as_value, .timeout = 30)
{
    TU_REQUIRE_CORPUS();
    regf_hive *h = open_badlist_deleted();
    cr_assert_eq(regf_get_info(h)->deleted_values, 0);
    cr_assert_eq(regf_deleted_key_count(h), 2);
    for (size_t i = 0; i < 2; i++) {
        regf_key k = regf_deleted_key(h, i);
        cr_assert(regf_key_deleted(h, k));
        /* a cell in free space reads as deleted whatever it held; the
         * unreferenced key's cell is still allocated */
        cr_assert_eq(regf_value_deleted(h, (regf_value)k), !regf_key_unreferenced(h, k), "key cell %zu", i);
    }
    regf_close(h);
}

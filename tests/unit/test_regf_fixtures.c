/* Generated hives (tests/fixtures/hives/NAME.hivedesc, written by mkhive.py)
 * read back by two independent readers, hivex (hivexml) and libregf
 * (pyregf, regfexport), and by gleaner. tests/tools/check_hive.py compares
 * each reader with the description and prints every difference; here we
 * require none and the exact key/value counts the reader returned. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "test_regf_util.h"

static const char *root_dir(void)
{
    const char *r = getenv("GLEANER_ROOT");
    return r ? r : ".";
}

/* Last line of the checker's output ("keys=N values=M"). */
static const char *last_line(gl_buf *out)
{
    const char *s = gl_buf_cstr(out);
    size_t n = out->len;
    while (n > 0 && s[n - 1] == '\n')
        n--;
    out->data[n] = '\0';
    const char *nl = strrchr(s, '\n');
    return nl ? nl + 1 : s;
}

/* Run check_hive.py on hives/<hive>.hive against <desc>.hivedesc with the
 * given reader (and extra options); require agreement and the counts. */
static void check_path(const char *desc, const char *path, const char *reader, const char *extra,
                       const char *want_counts)
{
    gl_buf out = {0}, err = {0};
    int rc = tu_runf(&out, &err,
                     "/usr/bin/python3 '%s/tests/tools/check_hive.py' --reader %s %s "
                     "'%s/tests/fixtures/hives/%s.hivedesc' '%s'",
                     root_dir(), reader, extra, root_dir(), desc, path);
    cr_assert_eq(rc, 0, "%s read by %s differs from %s.hivedesc:\n%s%s", path, reader, desc,
                 gl_buf_cstr(&out), gl_buf_cstr(&err));
    cr_assert_str_eq(last_line(&out), want_counts, "%s via %s", path, reader);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

static void check(const char *desc, const char *hive, const char *reader, const char *extra,
                  const char *want_counts)
{
    char rel[256];
    snprintf(rel, sizeof rel, "hives/%s.hive", hive);
    char *path = tu_fixture(rel);
    check_path(desc, path, reader, extra, want_counts);
    free(path);
}

/* The same hive through every independent reader. */
static void check_refs(const char *name, const char *want_counts)
{
    check(name, name, "hivexml", "", want_counts);
    check(name, name, "pyregf", "", want_counts);
    check(name, name, "regfexport", "", want_counts);
}

#define DELETED_EDITS "--edits \"$GLEANER_ROOT/tests/fixtures/hives/deleted.hivedel\""

Test(regf_fixtures, types_refs) { check_refs("types", "keys=10 values=34"); }
Test(regf_fixtures, deep_refs) { check_refs("deep", "keys=42 values=40"); }
Test(regf_fixtures, many_refs) { check_refs("many", "keys=2506 values=2500"); }
Test(regf_fixtures, lists_v13_refs) { check_refs("lists-v13", "keys=123 values=2"); }
Test(regf_fixtures, lists_li_refs) { check_refs("lists-li", "keys=102 values=100"); }
Test(regf_fixtures, wide_refs) { check_refs("wide", "keys=5 values=3004"); }
Test(regf_fixtures, deleted_base_refs) { check_refs("deleted-base", "keys=6 values=7"); }

/* hivex's deletion left exactly the description minus the edits live. */
Test(regf_fixtures, deleted_live_refs)
{
    check("deleted-base", "deleted", "hivexml", DELETED_EDITS, "keys=4 values=2");
    check("deleted-base", "deleted", "pyregf", DELETED_EDITS, "keys=4 values=2");
    check("deleted-base", "deleted", "regfexport", DELETED_EDITS, "keys=4 values=2");
}

/* gleaner's dump of the live tree equals the description: paths, times
 * to 100 ns, classes, owner SID, value names, types, rendered data and the
 * exact stored bytes (--raw). */
static void check_gleaner(const char *name, const char *want_counts)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check(name, name, "gleaner", extra, want_counts);
}

Test(regf_fixtures, types_gleaner) { check_gleaner("types", "keys=10 values=34"); }
Test(regf_fixtures, deep_gleaner) { check_gleaner("deep", "keys=42 values=40"); }
Test(regf_fixtures, many_gleaner) { check_gleaner("many", "keys=2506 values=2500"); }
Test(regf_fixtures, lists_v13_gleaner) { check_gleaner("lists-v13", "keys=123 values=2"); }
Test(regf_fixtures, lists_li_gleaner) { check_gleaner("lists-li", "keys=102 values=100"); }
Test(regf_fixtures, wide_gleaner) { check_gleaner("wide", "keys=5 values=3004"); }
Test(regf_fixtures, deleted_base_gleaner) { check_gleaner("deleted-base", "keys=6 values=7"); }

/* After hivex removed Software\Tool (with Sub) and two values of
 * Software\Keep: the live dump lacks exactly those, and --deleted only
 * gives back the two keys (deleted, with their last-written times) and the
 * six freed values (Gone1, Gone2, the old copy of Stay, Path, Count, Note)
 * flagged deleted, in the record of values without a key. */
Test(regf_fixtures, deleted_gleaner)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s' " DELETED_EDITS, tu_gleaner());
    check("deleted-base", "deleted", "gleaner", extra, "keys=4 values=2");
    check("deleted-base", "deleted", "gleaner-deleted", extra, "keys=3 values=6");
}

/* Deleted material as Windows leaves it (mkhive deleted_key/deleted_value):
 * the live readers see only the live tree; gleaner's --deleted only prints
 * the live key Software\Live with its two values from the list slack, the
 * freed keys Removed (class, 3 values), Removed\Child (a 20000-byte db
 * value) and Gone Top, all with their last-written times; no orphans. */
Test(regf_fixtures, deleted_win_refs) { check_refs("deleted-win", "keys=3 values=1"); }
Test(regf_fixtures, deleted_win_gleaner)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check("deleted-win", "deleted-win", "gleaner", extra, "keys=3 values=1");
    check("deleted-win", "deleted-win", "gleaner-deleted", extra, "keys=4 values=6");
}

/* Damaged subkey lists and a damaged data offset (damaged.hivedesc): exit
 * 1, every described key and value present, a key with a second parent
 * shown under both (D\B, D\B\C, D\B\A), cycles and bad offsets not
 * entered, the damaged value listed with null data. */
Test(regf_fixtures, damaged_gleaner)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check("damaged", "damaged", "gleaner", extra, "keys=8 values=9");
}

/* 24 levels each listing its subkey twice (shared.hivedesc): 2^24 visits
 * for an unbounded walk. gleaner must finish, report the damage (exit 1)
 * and print every one of the 26 keys at least once but not millions. */
Test(regf_fixtures, shared_lists_bounded)
{
    gl_buf out = {0};
    char *hive = tu_fixture("hives/shared.hive");
    int rc = tu_runf(&out, NULL, "timeout 60 '%s' reg dump --deleted exclude '%s' 2>/dev/null", tu_gleaner(), hive);
    cr_assert_eq(rc, 1);
    size_t lines = 0;
    for (size_t i = 0; i < out.len; i++)
        lines += out.data[i] == '\n';
    cr_assert(lines >= 26 && lines < 100000, "%zu lines", lines);
    for (int n = 0; n < 24; n++) {
        char needle[16];
        snprintf(needle, sizeof needle, "\\\\L%02d\"", n);
        cr_assert_not_null(strstr(gl_buf_cstr(&out), needle), "L%02d missing", n);
    }
    free(hive);
    gl_buf_free(&out);
}

/* KEYPATH (case-insensitive, leading '\\' ignored) limits the dump to that
 * subtree, paths stay relative to the root; deleted records follow it. */
Test(regf_fixtures, keypath_gleaner)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s' --keypath 'software\\vendor'", tu_gleaner());
    check("types", "types", "gleaner", extra, "keys=3 values=27");
    snprintf(extra, sizeof extra, "--gleaner '%s' --keypath '\\Software\\Café Crème'", tu_gleaner());
    check("types", "types", "gleaner", extra, "keys=1 values=4");
    snprintf(extra, sizeof extra, "--gleaner '%s' --keypath 'Software\\Live'", tu_gleaner());
    check("deleted-win", "deleted-win", "gleaner-deleted", extra, "keys=3 values=6");
}

/* Deleted keys whose parent cell another key took: hivex and libregf see
 * the live tree; gleaner prints "<orphan>\\PayloadConfig",
 * "<orphan>\\Dropper" and "<orphan>\\Dropper\\Stage2" (not paths under
 * Software\\Fresh, whose largest-subkey-name field rules them out) and
 * Software\\Fresh\\Gone under its real parent, with the value z that only
 * the slack of its value list still names. */
Test(regf_fixtures, deleted_reused_parent_refs) { check_refs("deleted-reused", "keys=5 values=1"); }
Test(regf_fixtures, deleted_reused_parent_orphans)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check("deleted-reused", "deleted-reused", "gleaner-deleted", extra, "keys=4 values=4");
    char *hive = tu_fixture("hives/deleted-reused.hive");
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    gl_err err = {0};
    regf_hive *h = tr_open(hive, NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert_eq(regf_deleted_key_count(h), 4);
    const char *want[] = {"Software\\Fresh\\Gone", "<orphan>\\PayloadConfig", "<orphan>\\Dropper",
                          "<orphan>\\Dropper\\Stage2"};
    for (size_t i = 0; i < 4; i++) {
        gl_buf p = {0};
        regf_deleted_key_path(h, regf_deleted_key(h, i), &p);
        cr_assert_str_eq(gl_buf_cstr(&p), want[i]);
        gl_buf_free(&p);
    }
    regf_close(h);
    free(hive);
}

/* A base block with a bad checksum is not trusted for the hive bins size:
 * the many fixture with its size field cut to one page (and the checksum
 * therefore wrong) is still read in full from its hbin chain, both sizes
 * reported; with the checksum right the field is believed. */
static regf_hive *open_cut(bool fix_checksum, gl_buf *img, gl_err *err)
{
    char *hive = tu_fixture("hives/many.hive");
    cr_assert(tu_read_file(hive, img));
    free(hive);
    uint8_t *b = (uint8_t *)img->data;
    b[40] = 0x00;
    b[41] = 0x10;
    b[42] = b[43] = 0;
    if (fix_checksum) {
        uint32_t ck = 0;
        for (size_t i = 0; i < 508; i += 4)
            ck ^= (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
        for (int i = 0; i < 4; i++)
            b[508 + i] = (uint8_t)(ck >> (8 * i));
    }
    gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, img->data, img->len, "many.hive");
    regf_options o;
    regf_options_init(&o);
    o.logs = REGF_LOGS_NONE;
    return regf_open(&r, NULL, NULL, &o, err);
}

Test(regf_fixtures, bad_checksum_base_block_size_from_bins)
{
    gl_buf img = {0};
    gl_err err = {0};
    regf_hive *h = open_cut(false, &img, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    uint32_t bins = (uint32_t)(img.len - 4096);
    cr_assert_not(in->checksum_ok);
    cr_assert_eq(in->hbins_size_field, 0x1000);
    cr_assert_eq(in->hbins_chain, bins);
    cr_assert_eq(in->hbins_size, bins);
    size_t k, v;
    free(tr_listing(h, &k, &v));
    cr_assert_eq(k, 2506);
    cr_assert_eq(v, 2500);
    cr_assert_eq(regf_error_count(h), 2);
    char want[200];
    snprintf(want, sizeof want,
             "many.hive: base block (checksum bad): hive bins data size field 0x1000, hive bins in the file reach "
             "0x%X; using 0x%X",
             bins, bins);
    cr_assert_str_eq(regf_error(h, 1), want);
    regf_close(h);
    gl_buf_free(&img);

    h = open_cut(true, &img, &err);
    cr_assert_not_null(h, "%s", err.msg);
    cr_assert(regf_get_info(h)->checksum_ok);
    cr_assert_eq(regf_get_info(h)->hbins_size, 0x1000);
    cr_assert_eq(regf_get_info(h)->hbins_chain, bins);
    regf_close(h);
    gl_buf_free(&img);
}

/* A layered (differencing) hive: libregf reads it as ordinary keys and
 * values (hivex refuses the tombstone value's data offset -1, which is how
 * Windows writes one); gleaner gives each key's layer semantics and
 * inherit-class flag and each value's tombstone flag. */
Test(regf_fixtures, layered_keys)
{
    check("layered", "layered", "pyregf", "", "keys=6 values=3");
    check("layered", "layered", "regfexport", "", "keys=6 values=3");
    char *hive = tu_fixture("hives/layered.hive");
    gl_err err = {0};
    regf_hive *h = tr_open(hive, NULL, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    static const struct {
        const char *path;
        unsigned layer;
        bool inherit;
    } want[] = {
        {"Software\\Base", REGF_LAYER_NONE, false},
        {"Software\\Hidden", REGF_LAYER_TOMBSTONE, false},
        {"Software\\Over", REGF_LAYER_SUPERSEDE_TREE, true},
        {"Software\\Local", REGF_LAYER_SUPERSEDE_LOCAL, false},
    };
    for (size_t i = 0; i < 4; i++) {
        regf_key k = regf_key_open(h, regf_root(h), want[i].path);
        cr_assert_neq(k, REGF_NONE, "%s", want[i].path);
        cr_assert_eq(regf_key_layer(h, k), want[i].layer, "%s", want[i].path);
        cr_assert_eq(regf_key_inherit_class(h, k), want[i].inherit, "%s", want[i].path);
    }
    cr_assert_str_eq(regf_layer_name(REGF_LAYER_TOMBSTONE), "tombstone");
    cr_assert_str_eq(regf_layer_name(REGF_LAYER_SUPERSEDE_TREE), "supersede_tree");
    cr_assert_null(regf_layer_name(REGF_LAYER_NONE));
    regf_key base = regf_key_open(h, regf_root(h), "Software\\Base");
    regf_value gone = regf_value_find(h, base, "Removed"), kept = regf_value_find(h, base, "Kept");
    cr_assert(regf_value_tombstone(h, gone));
    cr_assert_not(regf_value_tombstone(h, kept));
    cr_assert_eq(regf_value_type(h, gone), REGF_REG_NONE);
    cr_assert_eq(regf_value_data_size(h, gone), 0);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    regf_close(h);
    free(hive);
}

/* An allocated key (with its value) that no subkey list references, as a
 * renamed key's old nk stays: the tree readers do not see it, gleaner
 * lists it as deleted material marked unreferenced. */
Test(regf_fixtures, unreferenced_refs) { check_refs("unreferenced", "keys=4 values=1"); }
Test(regf_fixtures, unreferenced_cells)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check("unreferenced", "unreferenced", "gleaner-deleted", extra, "keys=1 values=1");
    char *hive = tu_fixture("hives/unreferenced.hive");
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    gl_err err = {0};
    regf_hive *h = tr_open(hive, NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert_eq(in->unreferenced_keys, 1);
    cr_assert_eq(in->unreferenced_values, 1);
    cr_assert_eq(in->deleted_keys, 0);
    cr_assert_eq(regf_deleted_key_count(h), 1);
    regf_key k = regf_deleted_key(h, 0);
    cr_assert(regf_key_deleted(h, k));
    cr_assert(regf_key_unreferenced(h, k));
    gl_buf p = {0}, vals = {0}, s = {0};
    regf_deleted_key_path(h, k, &p);
    cr_assert_str_eq(gl_buf_cstr(&p), "Software\\Tools\\OldName");
    cr_assert_eq(regf_key_values(h, k, &vals), 1);
    regf_value v;
    memcpy(&v, vals.data, sizeof v);
    cr_assert(regf_value_unreferenced(h, v));
    cr_assert(regf_value_string(h, v, &s));
    cr_assert_str_eq(gl_buf_cstr(&s), "C:\\Users\\Public\\rat.exe");
    cr_assert_eq(regf_deleted_orphan_value_count(h), 0);
    cr_assert_eq(regf_key_open(h, regf_root(h), "Software\\Tools\\OldName"), REGF_NONE);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    gl_buf_free(&p);
    gl_buf_free(&vals);
    gl_buf_free(&s);
    regf_close(h);
    free(hive);
}

/* Remnant data after the last hive bin: deleted-win's hive bins copied
 * once more after their end (the size field unchanged), as a hive that
 * shrank leaves its old bins. The copy's 6 key cells (3 live ones, 3
 * deleted ones) and 7 value cells are found there and marked as remnant;
 * inside the bins nothing changes. */
Test(regf_fixtures, remnant_after_last_bin)
{
    gl_buf img = {0};
    gl_mem_reader m;
    gl_reader r;
    size_t len;
    regf_hive *h = tr_open_remnant(&img, &m, &r, &len);
    const regf_info *in = regf_get_info(h);
    cr_assert_eq(in->hbins_size, len);
    cr_assert_eq(in->deleted_keys, 9);
    cr_assert_eq(in->remnant_keys, 6);
    cr_assert_eq(in->remnant_values, 7);
    static const char *const want[] = {
        "Software\\Live\\Removed", "Software\\Live\\Removed\\Child", "Software\\Gone Top",
        "(deleted)\\WinDelRoot", "Software", "Software\\Live", "Software\\Live\\Removed",
        "Software\\Live\\Removed\\Child", "Software\\Gone Top",
    };
    cr_assert_eq(regf_deleted_key_count(h), 9);
    for (size_t i = 0; i < 9; i++) {
        regf_key k = regf_deleted_key(h, i);
        gl_buf p = {0};
        regf_deleted_key_path(h, k, &p);
        cr_assert_str_eq(gl_buf_cstr(&p), want[i]);
        cr_assert_eq(regf_in_remnant(h, k), i >= 3, "%s", want[i]);
        cr_assert_eq(regf_in_remnant(h, k), k >= len);
        gl_buf_free(&p);
    }
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    /* the live tree is unchanged: nothing after the bins is live */
    size_t k, v;
    free(tr_listing(h, &k, &v));
    cr_assert_eq(k, 3);
    regf_close(h);
    gl_buf_free(&img);
}

/* Transaction logs made by mklog.py from replay-before/-after: the dirty
 * primary is the before state for every reader that ignores logs; gleaner
 * replaying the new-format logs (3 entries over LOG1 and LOG2) or the old
 * one (DIRT bitmap) shows exactly the after state, and without them the
 * before state. */
#define REPLAY_LOGS(f, l2) "--log1 \"$GLEANER_FIXTURES/hives/replay-" f ".hive.LOG1\" " l2
Test(regf_fixtures, replay_refs)
{
    check("replay-before", "replay-new", "hivexml", "", "keys=45 values=43");
    check("replay-before", "replay-new", "pyregf", "", "keys=45 values=43");
    check("replay-before", "replay-old", "regfexport", "", "keys=45 values=43");
}

static void check_replay(const char *fmt, const char *log_opts)
{
    char hive[64], extra[1024];
    snprintf(hive, sizeof hive, "replay-%s", fmt);
    snprintf(extra, sizeof extra, "--gleaner '%s' %s", tu_gleaner(), log_opts);
    check("replay-after", hive, "gleaner", extra, "keys=105 values=103");
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check("replay-before", hive, "gleaner", extra, "keys=45 values=43");
}

Test(regf_fixtures, replay_new_gleaner)
{
    check_replay("new", REPLAY_LOGS("new", "--log2 \"$GLEANER_FIXTURES/hives/replay-new.hive.LOG2\""));
}
Test(regf_fixtures, replay_old_gleaner) { check_replay("old", REPLAY_LOGS("old", "")); }

/* Primary base block checksum damaged as well (libregf refuses the file):
 * the base block comes from the log and replay still gives the after state. */
Test(regf_fixtures, replay_bad_base_block)
{
    char *hive = tu_fixture("hives/replay-badbase.hive");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "regfinfo '%s'", hive);
    cr_assert_neq(rc, 0);
    cr_assert_not_null(strstr(gl_buf_cstr(&err), "mismatch in file header checksum"), "%s", gl_buf_cstr(&err));
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s' --log1 '%s.LOG1'", tu_gleaner(), hive);
    check("replay-after", "replay-badbase", "gleaner", extra, "keys=105 values=103");
    free(hive);
    gl_buf_free(&err);
}

/* Only LOG2 (entries 8 and 9) of a hive whose secondary sequence number
 * is 7: by the partial-reconcile rule Windows applies them (it cannot tell
 * a lost LOG1 from one rotated away after a partial reconcile). Here the
 * primary never received entry 7's pages, so the bins they grow into are
 * missing and reported, while the pages entries 8 and 9 carry are read. */
Test(regf_fixtures, replay_only_later_log_follows_windows)
{
    char *hive = tu_fixture("hives/replay-new.hive");
    char log2[1024];
    snprintf(log2, sizeof log2, "%s.LOG2", hive);
    gl_err err = {0};
    regf_hive *h = tr_open(hive, NULL, log2, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert(in->recovery_applied);
    cr_assert(in->partial_reconcile);
    cr_assert_str_eq(in->logs_used, "LOG2");
    cr_assert_eq(in->log_first_seq, 8);
    cr_assert_eq(in->log_entries, 2);
    cr_assert_eq(in->seq_recovered, 9);
    cr_assert_eq(regf_error_count(h), 1);
    char want[1400];
    snprintf(want, sizeof want,
             "%s: file offset 0x3000..0x8FFF: hive bin: expected signature \"hbin\" with a size that is a multiple of "
             "4096; skipped",
             hive);
    cr_assert_str_eq(regf_error(h, 0), want);
    regf_close(h);
    free(hive);
}

/* Partial reconcile (mklog.py --partial): the primary holds replay-mid's
 * bins under the before state's base block (8/7), LOG2 holds entry 17
 * (entries 7..16 were overwritten) and LOG1 entries 18 and 19. Readers
 * that ignore logs see the mid state; replaying both logs in sequence
 * order gives the after state, whose run key value is reachable only
 * through LOG1. The replayed image is checked by hivex and libregf. */
Test(regf_fixtures, replay_partial_reconcile)
{
    check("replay-mid", "replay-partial", "hivexml", "", "keys=48 values=45");
    check("replay-mid", "replay-partial", "regfexport", "", "keys=48 values=45");
    char *hive = tu_fixture("hives/replay-partial.hive");
    char log1[1024], log2[1024], extra[3200];
    snprintf(log1, sizeof log1, "%s.LOG1", hive);
    snprintf(log2, sizeof log2, "%s.LOG2", hive);
    gl_err err = {0};
    regf_hive *h = tr_open(hive, log1, log2, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert(in->recovery_applied);
    cr_assert(in->partial_reconcile);
    cr_assert_eq(in->log_format, REGF_LOG_NEW);
    cr_assert_str_eq(in->logs_used, "LOG1+LOG2");
    cr_assert_eq(in->log_first_seq, 17);
    cr_assert_eq(in->log_entries, 3);
    cr_assert_eq(in->seq_recovered, 19);
    cr_assert_eq(in->hbins_size, 0x10000);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    gl_buf s = {0};
    regf_key k = regf_key_open(h, regf_root(h), "Software\\Persist");
    cr_assert(regf_value_string(h, regf_value_find(h, k, "Run"), &s));
    cr_assert_str_eq(gl_buf_cstr(&s), "C:\\Users\\Public\\implant.exe");
    char *img = tr_write_image(h, "regf-partial");
    check_path("replay-after", img, "hivexml", "", "keys=105 values=103");
    check_path("replay-after", img, "regfexport", "", "keys=105 values=103");
    snprintf(extra, sizeof extra, "--gleaner '%s' --log1 '%s' --log2 '%s'", tu_gleaner(), log1, log2);
    check("replay-after", "replay-partial", "gleaner", extra, "keys=105 values=103");
    regf_close(h);
    gl_buf_free(&s);
    free(img);
    free(hive);
}

/* Logs older than the hive stay refused: the same logs against a primary
 * whose secondary sequence number (20) is past all their entries. */
Test(regf_fixtures, replay_refuses_older_logs)
{
    char *hive = tu_fixture("hives/replay-partial.hive");
    char log1[1024], log2[1024];
    snprintf(log1, sizeof log1, "%s.LOG1", hive);
    snprintf(log2, sizeof log2, "%s.LOG2", hive);
    gl_buf prim = {0};
    cr_assert(tu_read_file(hive, &prim));
    uint8_t *b = (uint8_t *)prim.data;
    b[4] = 21;
    b[8] = 20;
    uint32_t ck = 0;
    for (size_t i = 0; i < 508; i += 4)
        ck ^= (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
    for (int i = 0; i < 4; i++)
        b[508 + i] = (uint8_t)(ck >> (8 * i));
    char *dir = tu_tmpdir("regf-older");
    char path[1200];
    snprintf(path, sizeof path, "%s/h", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(prim.data, 1, prim.len, f), prim.len);
    fclose(f);
    gl_err err = {0};
    regf_hive *h = tr_open(path, log1, log2, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    const regf_info *in = regf_get_info(h);
    cr_assert(in->dirty);
    cr_assert_not(in->recovery_applied);
    cr_assert_not(in->partial_reconcile);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    char extra[3200];
    snprintf(extra, sizeof extra, "--gleaner '%s' --log1 '%s' --log2 '%s'", tu_gleaner(), log1, log2);
    check_path("replay-mid", path, "gleaner", extra, "keys=48 values=45");
    regf_close(h);
    gl_buf_free(&prim);
    free(dir);
    free(hive);
}

/* A hive without deleted material gives no deleted output at all. */
Test(regf_fixtures, no_deleted_in_clean_hive)
{
    char extra[1024];
    snprintf(extra, sizeof extra, "--gleaner '%s'", tu_gleaner());
    check("types", "types", "gleaner-deleted", extra, "keys=0 values=0");
    check("many", "many", "gleaner-deleted", extra, "keys=0 values=0");
}

/* Real hives: gleaner's live dump against hivex (names, types, exact bytes)
 * and libregf (last-written times, class names); counts as in the corpus
 * MANIFEST (libregf walk). Dirty hives are read as they are (--logs none)
 * by all three. */
static void check_corpus(const char *rel, const char *want_counts)
{
    char *path = tu_corpus(rel); /* NULL when ../shared is absent */
    if (!path)
        cr_skip_test("skipped: ../shared not present");
    gl_buf out = {0}, err = {0};
    int rc = tu_runf(&out, &err, "/usr/bin/python3 '%s/tests/tools/check_hive.py' --reader reference --gleaner '%s' - '%s'",
                     root_dir(), tu_gleaner(), path);
    cr_assert_eq(rc, 0, "%s: gleaner differs from hivex/libregf:\n%s%s", rel, gl_buf_cstr(&out), gl_buf_cstr(&err));
    cr_assert_str_eq(last_line(&out), want_counts, "%s", rel);
    free(path);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

Test(regf_fixtures, corpus_system) { check_corpus("dev/hives/system/regipy__SYSTEM_2", "keys=20015 values=49779"); }
Test(regf_fixtures, corpus_amcache_dirty)
{
    check_corpus("dev/hives/amcache/DAM-RathbunVM-Win10__Amcache.hve", "keys=972 values=18956");
}
Test(regf_fixtures, corpus_amcache) { check_corpus("dev/hives/amcache/plaso__win10-Amcache.hve", "keys=207 values=4188"); }
Test(regf_fixtures, corpus_ntuser_win7) { check_corpus("dev/hives/ntuser/plaso__NTUSER-WIN7.DAT", "keys=2288 values=5470"); }
Test(regf_fixtures, corpus_ntuser) { check_corpus("dev/hives/ntuser/regipy__NTUSER.DAT", "keys=1812 values=4094"); }
Test(regf_fixtures, corpus_sam) { check_corpus("dev/hives/sam/regipy__SAM", "keys=65 values=70"); }
Test(regf_fixtures, corpus_security) { check_corpus("dev/hives/security/regipy__SECURITY", "keys=100 values=109"); }
/* Dirty primaries read as they are, and Windows 10's own recovery result. */
Test(regf_fixtures, corpus_dirty_primaries)
{
    check_corpus("dev/robustness/hives/regipy__transactions_NTUSER.DAT", "keys=2590 values=4119");
    check_corpus("dev/robustness/hives/yarp__NewDirtyHive1__NewDirtyHive", "keys=5 values=2");
    check_corpus("dev/robustness/hives/yarp__NewDirtyHive1__RecoveredHive_Windows10", "keys=5 values=1");
}

/* The checker must notice a disagreement: the types hive read against a
 * description that differs in one DWORD fails with that difference. */
Test(regf_fixtures, checker_detects_difference)
{
    char *dir = tu_tmpdir("regf-fixtures");
    cr_assert_not_null(dir);
    gl_buf out = {0};
    int rc = tu_runf(NULL, NULL,
                     "sed 's/value \"Dword\" REG_DWORD 0x12345678/value \"Dword\" REG_DWORD 0x12345679/' "
                     "'%s/tests/fixtures/hives/types.hivedesc' > '%s/mut.hivedesc'",
                     root_dir(), dir);
    cr_assert_eq(rc, 0);
    char *hive = tu_fixture("hives/types.hive");
    rc = tu_runf(&out, NULL, "/usr/bin/python3 '%s/tests/tools/check_hive.py' --reader pyregf '%s/mut.hivedesc' '%s'",
                 root_dir(), dir, hive);
    free(hive);
    free(dir);
    cr_assert_eq(rc, 1);
    cr_assert_str_eq(gl_buf_cstr(&out),
                     "Software\\Vendor\\App value 'Dword': data: want b'yV4\\x12', got b'xV4\\x12'\n"
                     "keys=10 values=34\n");
    gl_buf_free(&out);
}

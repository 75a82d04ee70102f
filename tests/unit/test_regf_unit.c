/* The tricky paths of the regf parser on small hives built in memory:
 * data kept in the vk's offset field, big data (db) segments, nested ri
 * lists, cycles, deleted-cell recovery, name folding, size limits. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regf.h"

#define BIN 65536u /* one hive bin, large enough for a big-data segment */
#define NONE 0xFFFFFFFFu

typedef struct hb {
    uint8_t d[4096 + BIN];
    uint32_t next; /* next free offset in the hive bins data */
} hb;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint8_t *at(hb *b, uint32_t off) { return b->d + 4096 + off + 4; } /* cell data */

static hb *hb_new(uint32_t minor)
{
    hb *b = calloc(1, sizeof *b);
    memcpy(b->d, "regf", 4);
    put32(b->d + 4, 1);
    put32(b->d + 8, 1);
    put32(b->d + 12, 0x01D2000000000000u & 0xFFFFFFFF);
    put32(b->d + 20, 1);
    put32(b->d + 24, minor);
    put32(b->d + 32, 1);
    put32(b->d + 40, BIN);
    memcpy(b->d + 4096, "hbin", 4);
    put32(b->d + 4096 + 8, BIN);
    b->next = 32;
    return b;
}

/* Append a cell (allocated unless free_cell) holding len bytes of data. */
static uint32_t cell(hb *b, const void *data, uint32_t len, bool free_cell)
{
    uint32_t size = (len + 4 + 7) & ~7u, off = b->next;
    cr_assert(off + size <= BIN);
    put32(b->d + 4096 + off, free_cell ? size : (uint32_t)-(int32_t)size);
    if (data)
        memcpy(at(b, off), data, len);
    b->next += size;
    return off;
}

static uint32_t nk(hb *b, const char *name, uint32_t parent, bool free_cell)
{
    uint8_t r[76 + 64] = {0};
    size_t n = strlen(name);
    memcpy(r, "nk", 2);
    put16(r + 2, 0x20);
    put32(r + 4, 0x12345678);
    put32(r + 8, 0x01D29500);
    put32(r + 16, parent);
    for (int f = 28; f <= 48; f += 4)
        put32(r + f, NONE);
    put32(r + 20, 0);
    put32(r + 36, 0);
    put16(r + 72, (uint16_t)n);
    memcpy(r + 76, name, n);
    return cell(b, r, (uint32_t)(76 + n), free_cell);
}

static void nk_subkeys(hb *b, uint32_t key, uint32_t count, uint32_t list)
{
    put32(at(b, key) + 20, count);
    put32(at(b, key) + 28, list);
}

static void nk_values(hb *b, uint32_t key, uint32_t count, uint32_t list)
{
    put32(at(b, key) + 36, count);
    put32(at(b, key) + 40, list);
}

static uint32_t vk(hb *b, const char *name, uint32_t type, uint32_t size, uint32_t data, bool free_cell)
{
    uint8_t r[20 + 64] = {0};
    size_t n = strlen(name);
    memcpy(r, "vk", 2);
    put16(r + 2, (uint16_t)n);
    put32(r + 4, size);
    put32(r + 8, data);
    put32(r + 12, type);
    put16(r + 16, 1);
    memcpy(r + 20, name, n);
    return cell(b, r, (uint32_t)(20 + n), free_cell);
}

/* A subkey list of the given signature ("lf", "lh", "li", "ri"); e holds
 * n entries of one word (li, ri) or two (lf, lh: offset, hint). */
static uint32_t list(hb *b, const char *sig, const uint32_t *e, uint16_t n)
{
    uint8_t r[4 + 8 * 16] = {0};
    size_t esz = sig[1] == 'f' || sig[1] == 'h' ? 8 : 4;
    memcpy(r, sig, 2);
    put16(r + 2, n);
    for (size_t i = 0; i < n * esz / 4; i++)
        put32(r + 4 + 4 * i, e[i]);
    return cell(b, r, (uint32_t)(4 + esz * n), false);
}

static uint32_t offsets(hb *b, const uint32_t *e, uint32_t n, uint32_t room)
{
    uint8_t r[4 * 16] = {0};
    for (uint32_t i = 0; i < n; i++)
        put32(r + 4 * i, e[i]);
    return cell(b, r, 4 * room, false);
}

/* Close the bin with one free cell, set the root, fix the checksum, open. */
static regf_hive *hb_open(hb *b, uint32_t root, const regf_options *opt, gl_err *err)
{
    if (b->next < BIN)
        put32(b->d + 4096 + b->next, BIN - b->next);
    put32(b->d + 36, root);
    uint32_t x = 0;
    for (int i = 0; i < 127; i++)
        x ^= (uint32_t)b->d[4 * i] | (uint32_t)b->d[4 * i + 1] << 8 | (uint32_t)b->d[4 * i + 2] << 16 |
             (uint32_t)b->d[4 * i + 3] << 24;
    put32(b->d + 508, x);
    static gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, b->d, sizeof b->d, "mem.hive");
    return regf_open(&r, NULL, NULL, opt, err);
}

static size_t values(regf_hive *h, regf_key k, regf_value *out, size_t max)
{
    gl_buf v = {0};
    size_t n = regf_key_values(h, k, &v);
    cr_assert(n <= max);
    memcpy(out, v.data, n * sizeof *out);
    gl_buf_free(&v);
    return n;
}

Test(regf_unit, data_in_offset_field)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t v1 = vk(b, "LangID", 3, 0x80000002u, 0x0409, false);
    uint32_t v2 = vk(b, "Dw", 4, 0x80000004u, 0xDEADBEEF, false);
    uint32_t v3 = vk(b, "Bad", 3, 0x80000007u, 0x04030201, false);
    uint32_t e[] = {v1, v2, v3};
    nk_values(b, root, 3, offsets(b, e, 3, 3));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    cr_assert_not_null(h);
    size_t n;
    const uint8_t *p = regf_value_data(h, v1, &n, NULL);
    cr_assert_eq(n, 2);
    cr_assert_eq(p[0], 0x09);
    cr_assert_eq(p[1], 0x04);
    uint32_t dw;
    cr_assert(regf_value_dword(h, v2, &dw));
    cr_assert_eq(dw, 0xDEADBEEF);
    cr_assert_eq(regf_value_data_size(h, v2), 4);
    p = regf_value_data(h, v3, &n, NULL);
    cr_assert_eq(n, 4);
    cr_assert_eq(regf_error_count(h), 1);
    char want[200];
    snprintf(want, sizeof want, "mem.hive: file offset 0x%X: vk cell: inline data size 7 exceeds 4; using 4",
             4096 + v3);
    cr_assert_str_eq(regf_error(h, 0), want);
    regf_close(h);
    free(b);
}

/* Big data: a db record listing two segments of 16344 and 3656 bytes. */
static hb *big_hive(uint32_t minor, uint32_t *root, uint32_t *val)
{
    hb *b = hb_new(minor);
    *root = nk(b, "ROOT", 0, false);
    static uint8_t seg[16344];
    for (size_t i = 0; i < sizeof seg; i++)
        seg[i] = (uint8_t)(i % 251);
    uint32_t s1 = cell(b, seg, 16344, false);
    for (size_t i = 0; i < sizeof seg; i++)
        seg[i] = (uint8_t)((16344 + i) % 251);
    uint32_t s2 = cell(b, seg, 3656, false);
    uint32_t segs[] = {s1, s2};
    uint32_t sl = offsets(b, segs, 2, 2);
    uint8_t db[8] = {'d', 'b', 2, 0};
    put32(db + 4, sl);
    uint32_t dbc = cell(b, db, 8, false);
    *val = vk(b, "Big", 3, 20000, dbc, false);
    nk_values(b, *root, 1, offsets(b, val, 1, 1));
    return b;
}

Test(regf_unit, big_data_segments)
{
    uint32_t root, v;
    hb *b = big_hive(5, &root, &v);
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    cr_assert_not_null(h);
    gl_buf scratch = {0};
    size_t n;
    const uint8_t *p = regf_value_data(h, v, &n, &scratch);
    cr_assert_eq(n, 20000);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(p[i], (uint8_t)(i % 251), "byte %zu", i);
    cr_assert_eq(regf_error_count(h), 0);
    gl_buf_free(&scratch);
    regf_close(h);
    free(b);
}

/* Before version 1.4 there is no big data: the same bytes are an 8-byte
 * cell too small for the declared size. */
Test(regf_unit, big_data_needs_version_1_4)
{
    uint32_t root, v;
    hb *b = big_hive(3, &root, &v);
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf scratch = {0};
    size_t n;
    const uint8_t *p = regf_value_data(h, v, &n, &scratch);
    cr_assert_eq(n, 12);
    cr_assert(!memcmp(p, "db", 2));
    cr_assert_eq(regf_error_count(h), 1);
    char want[200];
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: vk cell: data size 20000 exceeds its 12-byte data cell; truncated", 4096 + v);
    cr_assert_str_eq(regf_error(h, 0), want);
    gl_buf_free(&scratch);
    regf_close(h);
    free(b);
}

static int count_cb(void *ctx, regf_hive *h, regf_key k, const char *path, size_t len)
{
    (void)h, (void)k, (void)len;
    gl_buf *b = ctx;
    gl_buf_puts(b, path);
    gl_buf_putc(b, ';');
    return 0;
}

Test(regf_unit, ri_of_leaves)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t a = nk(b, "Alpha", root, false), c = nk(b, "Charlie", root, false), d = nk(b, "Delta", root, false);
    uint32_t lf_e[] = {a, 0x41, c, 0x43};
    uint32_t lf = list(b, "lf", lf_e, 2);
    uint32_t li = list(b, "li", &d, 1);
    uint32_t ri_e[] = {lf, li};
    nk_subkeys(b, root, 3, list(b, "ri", ri_e, 2));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf paths = {0};
    regf_walk(h, regf_root(h), count_cb, &paths);
    cr_assert_str_eq(gl_buf_cstr(&paths), ";Alpha;Charlie;Delta;");
    cr_assert_eq(regf_key_open(h, root, "\\DELTA"), d);
    cr_assert_eq(regf_key_open(h, root, "charlie"), c);
    cr_assert_eq(regf_key_open(h, root, "Bravo"), REGF_NONE);
    cr_assert_eq(regf_error_count(h), 0);
    gl_buf_free(&paths);
    regf_close(h);
    free(b);
}

Test(regf_unit, ri_pointing_at_itself)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t ri = b->next;
    list(b, "ri", &ri, 1);
    nk_subkeys(b, root, 1, ri);
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf kids = {0};
    cr_assert_eq(regf_key_subkeys(h, root, &kids), 0);
    cr_assert_eq(regf_error_count(h), 2);
    char want[200];
    snprintf(want, sizeof want, "mem.hive: file offset 0x%X: ri subkey list refers back to itself; not followed",
             4096 + ri);
    cr_assert_str_eq(regf_error(h, 0), want);
    snprintf(want, sizeof want, "mem.hive: file offset 0x%X: nk cell: 1 subkeys recorded, 0 readable", 4096 + root);
    cr_assert_str_eq(regf_error(h, 1), want);
    gl_buf_free(&kids);
    regf_close(h);
    free(b);
}

/* Windows keeps subkey lists sorted by upper-cased name without two keys
 * of one name: a list out of order and a repeated name are errors with the
 * offsets, and every key is still listed. */
Test(regf_unit, subkey_list_order_and_duplicates)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t kids[3] = {nk(b, "Beta", root, false), nk(b, "alpha", root, false), nk(b, "ALPHA", root, false)};
    nk_subkeys(b, root, 3, list(b, "li", kids, 3));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf paths = {0};
    regf_walk(h, regf_root(h), count_cb, &paths);
    cr_assert_str_eq(gl_buf_cstr(&paths), ";Beta;alpha;ALPHA;");
    cr_assert_eq(regf_error_count(h), 2);
    char want[300];
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: subkey list of the key at file offset 0x%X out of order: \"Beta\" (0x%X) "
             "listed before \"alpha\" (0x%X)",
             4096 + kids[1], 4096 + root, 4096 + kids[0], 4096 + kids[1]);
    cr_assert_str_eq(regf_error(h, 0), want);
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: subkey list of the key at file offset 0x%X holds two keys named \"ALPHA\" "
             "(file offsets 0x%X and 0x%X)",
             4096 + root, 4096 + root, 4096 + kids[1], 4096 + kids[2]);
    cr_assert_str_eq(regf_error(h, 1), want);
    gl_buf_free(&paths);
    regf_close(h);
    free(b);
}

/* A subkey list of a child that names the root again is a cycle. */
Test(regf_unit, cycle_back_to_ancestor, .timeout = 10)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t child = nk(b, "Child", root, false);
    nk_subkeys(b, root, 1, list(b, "li", &child, 1));
    nk_subkeys(b, child, 1, list(b, "li", &root, 1));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf paths = {0};
    regf_walk(h, regf_root(h), count_cb, &paths);
    cr_assert_str_eq(gl_buf_cstr(&paths), ";Child;");
    cr_assert_eq(regf_error_count(h), 2);
    char want[200];
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: key listed in the subkey list of the key at file offset 0x%X names 0x%X as "
             "its parent",
             4096 + root, 4096 + child, 4096);
    cr_assert_str_eq(regf_error(h, 0), want);
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: subkey list refers back to an ancestor key (cycle); not followed",
             4096 + root);
    cr_assert_str_eq(regf_error(h, 1), want);
    gl_buf_free(&paths);
    regf_close(h);
    free(b);
}

/* A deleted key in a free cell (parent: the root), a deleted value still in
 * the slack of the root's value list, and one whose key is lost. */
Test(regf_unit, deleted_cells_recovered)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t live = vk(b, "Live", 4, 0x80000004u, 1, false);
    uint32_t gone = vk(b, "Gone", 4, 0x80000004u, 2, true);
    uint32_t lost = vk(b, "Lost", 4, 0x80000004u, 3, true);
    uint32_t e[] = {live, gone};
    nk_values(b, root, 1, offsets(b, e, 2, 2));
    uint32_t dk = nk(b, "OldKey", root, true);
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    gl_err err;
    regf_hive *h = hb_open(b, root, &o, &err);
    cr_assert_not_null(h);
    regf_value vals[4];
    cr_assert_eq(values(h, root, vals, 4), 2);
    cr_assert_eq(vals[0], live);
    cr_assert_eq(vals[1], gone);
    cr_assert_not(regf_value_deleted(h, live));
    cr_assert(regf_value_deleted(h, gone));
    cr_assert_eq(regf_value_find(h, root, "gone"), REGF_NONE, "live lookups never return deleted values");
    cr_assert_eq(regf_deleted_key_count(h), 1);
    cr_assert_eq(regf_deleted_key(h, 0), dk);
    cr_assert(regf_key_deleted(h, dk));
    gl_buf path = {0};
    regf_deleted_key_path(h, dk, &path);
    cr_assert_str_eq(gl_buf_cstr(&path), "OldKey");
    cr_assert_eq(regf_deleted_orphan_value_count(h), 1);
    cr_assert_eq(regf_deleted_orphan_value(h, 0), lost);
    const regf_info *in = regf_get_info(h);
    cr_assert_eq(in->deleted_keys, 1);
    cr_assert_eq(in->deleted_values, 2);
    cr_assert_eq(regf_error_count(h), 0);
    gl_buf_free(&path);
    regf_close(h);

    /* Without recovery only the live value is listed. */
    h = hb_open(b, root, NULL, &err);
    cr_assert_eq(values(h, root, vals, 4), 1);
    cr_assert_eq(regf_deleted_key_count(h), 0);
    regf_close(h);
    free(b);
}

/* A deleted key whose parent cell is gone gets a placeholder path. */
Test(regf_unit, deleted_key_without_parent)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t dk = nk(b, "Orphan", 0x9000, true);
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    gl_err err;
    regf_hive *h = hb_open(b, root, &o, &err);
    gl_buf path = {0};
    regf_deleted_key_path(h, dk, &path);
    cr_assert_str_eq(gl_buf_cstr(&path), "(deleted)\\Orphan");
    gl_buf_free(&path);
    regf_close(h);
    free(b);
}

/* Compressed (Latin-1) names come back as UTF-8 and fold case beyond ASCII. */
Test(regf_unit, latin1_names_fold)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t k = nk(b, "\xC4pfel", root, false);
    nk_subkeys(b, root, 1, list(b, "li", &k, 1));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf name = {0};
    cr_assert(regf_key_name(h, k, &name));
    cr_assert_str_eq(gl_buf_cstr(&name), "\xC3\x84pfel");
    cr_assert_eq(regf_key_open(h, root, "\xC3\xA4PFEL"), k);
    gl_buf_free(&name);
    regf_close(h);
    free(b);
}

Test(regf_unit, multi_sz_and_strings)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    static const uint8_t ms[] = {'a', 0, 0, 0, 'b', 0, 'b', 0, 0, 0, 0, 0, 'x', 0};
    uint32_t d = cell(b, ms, sizeof ms, false);
    uint32_t v = vk(b, "M", 7, sizeof ms, d, false);
    uint32_t s = vk(b, "S", 1, 10, d + 0, false);
    uint32_t e[] = {v, s};
    nk_values(b, root, 2, offsets(b, e, 2, 2));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf out = {0};
    /* Empty strings inside the list are kept; only trailing NULs end it. */
    cr_assert_eq(regf_value_multi_sz(h, v, &out), 4);
    cr_assert_eq(out.len, 8);
    cr_assert(!memcmp(out.data, "a\0bb\0\0x\0", 8));
    out.len = 0;
    cr_assert(regf_value_string(h, s, &out));
    cr_assert_str_eq(gl_buf_cstr(&out), "a");
    cr_assert_eq(regf_value_find(h, root, "m"), v);
    char tb[32];
    cr_assert_str_eq(regf_type_name(regf_value_type(h, v), tb), "REG_MULTI_SZ");
    cr_assert_str_eq(regf_type_name(0x20000, tb), "REG_UNKNOWN_0x20000");
    gl_buf_free(&out);
    regf_close(h);
    free(b);
}

Test(regf_unit, size_cap_and_checksum)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    regf_options o;
    regf_options_init(&o);
    o.max_hive_size = 8192;
    gl_err err = {0};
    cr_assert_null(hb_open(b, root, &o, &err));
    cr_assert_str_eq(err.msg, "mem.hive: hive is 69632 bytes, over the 8192-byte limit (raise max hive size)");

    /* Damage one reserved base-block byte after the checksum is set. */
    regf_hive *h = hb_open(b, root, NULL, &err);
    regf_close(h);
    b->d[200] ^= 1;
    static gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, b->d, sizeof b->d, "mem.hive");
    h = regf_open(&r, NULL, NULL, NULL, &err);
    cr_assert_not_null(h);
    cr_assert(regf_get_info(h)->dirty);
    cr_assert_not(regf_get_info(h)->checksum_ok);
    cr_assert_eq(regf_error_count(h), 1);
    cr_assert(strstr(regf_error(h, 0), "base block: checksum"));
    cr_assert_neq(regf_root(h), REGF_NONE);
    regf_close(h);
    free(b);
}

/* Counts larger than the list cell are clipped to what is there. */
Test(regf_unit, value_count_bounded_by_cell)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t v = vk(b, "A", 4, 0x80000004u, 7, false);
    uint32_t l = offsets(b, &v, 1, 1);
    nk_values(b, root, 1000000, l);
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    regf_value vals[4];
    cr_assert_eq(values(h, root, vals, 4), 1);
    char want[200];
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: value list: 1000000 values recorded but its cell holds 1", 4096 + l);
    cr_assert_str_eq(regf_error(h, 0), want);
    regf_close(h);
    free(b);
}

static int values_cb(void *ctx, regf_hive *h, regf_key k, const char *path, size_t len)
{
    (void)path, (void)len;
    gl_buf v = {0};
    *(size_t *)ctx += regf_key_values(h, k, &v);
    gl_buf_free(&v);
    return 0;
}

/* 300 keys sharing one 4000-entry value list would make a walk read 1.2M
 * entries from a 64 KiB hive; the walk's budget (half the hive size in
 * entries) stops that and says so. */
Test(regf_unit, shared_value_list_bounded, .timeout = 10)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t v = vk(b, "V", 4, 0x80000004u, 1, false);
    uint8_t *raw = malloc(4000 * 4);
    for (int i = 0; i < 4000; i++)
        put32(raw + 4 * i, v);
    uint32_t vl = cell(b, raw, 4000 * 4, false);
    uint32_t kids[300];
    for (int i = 0; i < 300; i++) {
        char name[16];
        snprintf(name, sizeof name, "k%03d", i);
        kids[i] = nk(b, name, root, false);
        nk_values(b, kids[i], 4000, vl);
    }
    uint32_t li = cell(b, NULL, 4 + 4 * 300, false);
    memcpy(at(b, li), "li", 2);
    put16(at(b, li) + 2, 300);
    for (int i = 0; i < 300; i++)
        put32(at(b, li) + 4 + 4 * i, kids[i]);
    nk_subkeys(b, root, 300, li);
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    size_t total = 0;
    regf_walk(h, root, values_cb, &total);
    cr_assert_eq(total, 36000, "values read: %zu", total); /* (65536 / 2 + 4096) / 4000 lists of 4000 */
    cr_assert_eq(regf_error_count(h), 1);
    char want[200];
    snprintf(want, sizeof want,
             "mem.hive: file offset 0x%X: value list: more list entries read than the hive can hold (shared lists); "
             "skipped",
             4096 + vl);
    cr_assert_str_eq(regf_error(h, 0), want);
    free(raw);
    regf_close(h);
    free(b);
}

/* A base block whose root offset is wrong still opens at the key flagged
 * as the hive's entry. */
Test(regf_unit, root_found_by_hive_entry_flag)
{
    hb *b = hb_new(3);
    uint32_t other = nk(b, "NotRoot", 0, false);
    uint32_t root = nk(b, "ROOT", 0, false);
    put16(at(b, root) + 2, 0x2C); /* compressed name | no delete | hive entry */
    gl_err err;
    regf_hive *h = hb_open(b, other + 3, NULL, &err);
    cr_assert_not_null(h);
    cr_assert_eq(regf_root(h), root);
    char want[200];
    snprintf(want, sizeof want,
             "mem.hive: base block: root cell offset 0x%X is not a key; using the hive-entry key at file offset 0x%X",
             other + 3, 4096 + root);
    cr_assert_eq(regf_error_count(h), 1);
    cr_assert_str_eq(regf_error(h, 0), want);
    regf_close(h);
    free(b);
}

/* A big-data value claiming 2 GiB gets what its segments hold, without
 * allocating the claim (found by libFuzzer as an out-of-memory). */
Test(regf_unit, big_data_size_claim_bounded)
{
    uint32_t root, v;
    hb *b = big_hive(5, &root, &v);
    put32(at(b, v) + 4, 0x7FFFFFF0u);
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf scratch = {0};
    size_t n;
    const uint8_t *p = regf_value_data(h, v, &n, &scratch);
    cr_assert_not_null(p);
    cr_assert_eq(n, 16344 + 3660); /* the second segment's whole cell */
    cr_assert_lt(scratch.cap, 1u << 20, "reserved %zu bytes", scratch.cap);
    cr_assert_eq(regf_error_count(h), 2);
    cr_assert(strstr(regf_error(h, 0), "db cell: 2147483632 data bytes declared but 2 segments hold at most 32688"),
              "%s", regf_error(h, 0));
    gl_buf_free(&scratch);
    regf_close(h);
    free(b);
}

static int depth_cb(void *ctx, regf_hive *h, regf_key k, const char *path, size_t len)
{
    (void)k, (void)len;
    gl_buf_printf(ctx, "%u:%s;", regf_walk_depth(h), path);
    return 0;
}

/* regf_walk_depth names each key's level below the start, which reg dump
 * relies on to escape only the last name of a path. */
Test(regf_unit, walk_depth_names_each_level)
{
    hb *b = hb_new(3);
    uint32_t root = nk(b, "ROOT", 0, false);
    uint32_t a = nk(b, "A", root, false), c = nk(b, "C", root, false);
    uint32_t ab = nk(b, "B", a, false), abd = nk(b, "D", ab, false);
    uint32_t kids[] = {a, c};
    nk_subkeys(b, root, 2, list(b, "li", kids, 2));
    nk_subkeys(b, a, 1, list(b, "li", &ab, 1));
    nk_subkeys(b, ab, 1, list(b, "li", &abd, 1));
    gl_err err;
    regf_hive *h = hb_open(b, root, NULL, &err);
    gl_buf got = {0};
    regf_walk(h, regf_root(h), depth_cb, &got);
    cr_assert_str_eq(gl_buf_cstr(&got), "0:;1:A;2:A\\B;3:A\\B\\D;1:C;");
    got.len = 0;
    regf_walk(h, ab, depth_cb, &got);
    cr_assert_str_eq(gl_buf_cstr(&got), "0:A\\B;1:A\\B\\D;");
    cr_assert_eq(regf_error_count(h), 0);
    gl_buf_free(&got);
    regf_close(h);
    free(b);
}

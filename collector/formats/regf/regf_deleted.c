/* Recovery of deleted keys and values: Windows frees a cell by making its
 * size positive and merging it with free neighbours, leaving the old
 * record bytes in place until the space is reused. Every free cell is
 * scanned at 8-byte steps for nk/vk records whose own size field and
 * lengths are still consistent. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "regf_int.h"
#include "text.h"

#define SLACK_MAX 1024u /* stale value-list slots examined per key */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Every cell of the hive is asked about: the bitmap answers the common
 * "no" in constant time, the sorted array tells keys from values. */
static bool maybe_deleted(const regf_hive *h, uint32_t off)
{
    return h->del_map && off % 8 == 0 && off < h->rem_end && (h->del_map[off / 64] >> (off / 8 % 8) & 1);
}

static void mark_deleted(regf_hive *h, uint32_t off) { h->del_map[off / 64] |= (uint8_t)(1u << (off / 8 % 8)); }

static bool in_set(const uint32_t *a, size_t n, uint32_t v)
{
    return n && bsearch(&v, a, n, sizeof *a, cmp_u32) != NULL;
}

bool regf_is_deleted_key(const regf_hive *h, uint32_t off)
{
    return maybe_deleted(h, off) && in_set(h->del_keys, h->ndel_keys, off);
}

/* Index of off in del_values, or -1. */
static ptrdiff_t deleted_value_index(const regf_hive *h, uint32_t off)
{
    if (!maybe_deleted(h, off) || !h->ndel_values)
        return -1; /* bsearch's array may not be NULL, even for no elements */
    const uint32_t *hit = bsearch(&off, h->del_values, h->ndel_values, sizeof off, cmp_u32);
    return hit ? hit - h->del_values : -1;
}

bool regf_is_deleted_value(const regf_hive *h, uint32_t off) { return deleted_value_index(h, off) >= 0; }

/* A free-space nk that still reads as a key: name inside the record,
 * parent inside the hive, counts of a sane magnitude. */
static bool plausible_nk(regf_hive *h, uint32_t q, uint32_t region_end)
{
    regf_cell c;
    /* inside the bins only free cells; after them, whatever remains */
    if (!regf_nk_check(h, q, &c, true) || (c.allocated && q < h->data_len) || q + 4 + c.len > region_end)
        return false;
    uint32_t nlen = gl_le16(c.p + 72);
    return nlen > 0 && nlen <= c.len - REGF_NK_MIN && gl_le32(c.p + 16) < h->rem_end &&
           gl_le32(c.p + 20) < 0x100000 && gl_le32(c.p + 36) < 0x100000 && gl_le64(c.p + 4) != 0;
}

static bool plausible_vk(regf_hive *h, uint32_t q, uint32_t region_end)
{
    regf_cell c;
    if (!regf_vk_check(h, q, &c, true) || (c.allocated && q < h->data_len) || q + 4 + c.len > region_end)
        return false;
    uint32_t nlen = gl_le16(c.p + 2), size = gl_le32(c.p + 4), doff = gl_le32(c.p + 8);
    if (nlen > c.len - REGF_VK_MIN)
        return false;
    if (size & 0x80000000u)
        return (size & 0x7FFFFFFFu) <= 4;
    return size == 0 || doff < h->rem_end;
}

typedef struct u32vec {
    uint32_t *v;
    size_t n, cap;
} u32vec;

static void vec_push(u32vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = gl_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

static void scan_free(regf_hive *h, uint32_t off, uint32_t end, u32vec *keys, u32vec *vals)
{
    for (uint32_t q = off; q + 8 <= end; q += 8) {
        const uint8_t *s = h->img + REGF_BASE_SIZE + q + 4;
        if (s[0] == 'n' && s[1] == 'k' && plausible_nk(h, q, end))
            vec_push(keys, q);
        else if (s[0] == 'v' && s[1] == 'k' && plausible_vk(h, q, end))
            vec_push(vals, q);
    }
}

/* Walk one hive bin's cell chain; free cells are scanned, allocated nk
 * cells remembered (their value-list slack may reference deleted values),
 * allocated vk cells too (they may be unreferenced). */
static void scan_bin(regf_hive *h, uint32_t start, uint32_t end, u32vec *keys, u32vec *vals, u32vec *live,
                     u32vec *live_vals)
{
    uint32_t off = start + REGF_HBIN_HDR;
    while (off + 8 <= end) {
        int32_t raw = (int32_t)gl_le32(h->img + REGF_BASE_SIZE + off);
        uint32_t size = raw < 0 ? (uint32_t)0 - (uint32_t)raw : (uint32_t)raw;
        if (size < 8 || size > end - off) {
            regf_report(h, "file offset 0x%X: cell size %d breaks the cell chain of the hive bin at 0x%X; rest of "
                        "the bin not scanned for deleted data",
                        (unsigned)(off + REGF_BASE_SIZE), (int)raw, (unsigned)(start + REGF_BASE_SIZE));
            return;
        }
        if (raw > 0)
            scan_free(h, off, off + size, keys, vals);
        else if (size >= 8 && !memcmp(h->img + REGF_BASE_SIZE + off + 4, "nk", 2))
            vec_push(live, off);
        else if (size >= 8 && !memcmp(h->img + REGF_BASE_SIZE + off + 4, "vk", 2))
            vec_push(live_vals, off);
        off += size;
    }
}

static void mark_ref(regf_hive *h, uint32_t v, bool *ref)
{
    ptrdiff_t i = deleted_value_index(h, v);
    if (i >= 0)
        ref[i] = true;
}

/* Mark the deleted values reachable from a deleted key's value list (read
 * as a dump reads it: only entries still free count). */
static void mark_refs(regf_hive *h, uint32_t key, bool *ref)
{
    gl_buf vals = {0};
    size_t n = regf_key_values(h, key, &vals);
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, vals.data + i * sizeof v, sizeof v);
        mark_ref(h, v, ref);
    }
    gl_buf_free(&vals);
}

/* The same for a live key, straight from its list cell: the live entries
 * and the stale slots after them that regf_deleted_values_of examines.
 * Every deleted vk passed the checks a dump applies when it was found, so
 * the list's raw offsets are enough. *budget bounds the entries read in
 * all (crafted hives share one huge list between many keys). */
static void mark_live_refs(regf_hive *h, uint32_t key, bool *ref, uint64_t *budget)
{
    regf_cell k, l;
    if (!regf_nk_check(h, key, &k, true))
        return;
    uint32_t n = gl_le32(k.p + 36), list = gl_le32(k.p + 40);
    if (list == REGF_NONE || !regf_cell_get(h, list, "value list", &l))
        return;
    uint32_t end = l.len / 4;
    if (n > end)
        n = end;
    if (end - n > SLACK_MAX)
        end = n + SLACK_MAX;
    if (*budget < end)
        return;
    *budget -= end;
    for (uint32_t i = 0; i < end; i++)
        mark_ref(h, gl_le32(l.p + 4 * (size_t)i), ref);
}

/* Mark the deleted values a deleted key lists within its count: their
 * owner is known, so another deleted key's list slack naming them is stale. */
static void claim_listed(regf_hive *h, uint32_t key, uint64_t *budget)
{
    regf_cell k, l;
    if (!regf_nk_check(h, key, &k, true))
        return;
    uint32_t n = gl_le32(k.p + 36), list = gl_le32(k.p + 40);
    if (!n || list == REGF_NONE || !regf_cell_get(h, list, "value list", &l))
        return;
    if (n > l.len / 4)
        n = l.len / 4;
    if (*budget < n)
        return;
    *budget -= n;
    for (uint32_t i = 0; i < n; i++) {
        ptrdiff_t at = deleted_value_index(h, gl_le32(l.p + 4 * (size_t)i));
        if (at >= 0)
            h->del_claimed[at] = 1;
    }
}

/* Set bit off/8 of a one-bit-per-8-bytes map. */
static void bit_set(uint8_t *m, uint32_t off) { m[off / 64] |= (uint8_t)(1u << (off / 8 % 8)); }
static bool bit_get(const uint8_t *m, uint32_t off) { return m[off / 64] >> (off / 8 % 8) & 1; }

/* Mark every key reachable from the root through subkey lists, and every
 * value those keys list within their counts. Bounded like a walk. */
static void mark_reachable(regf_hive *h, uint8_t *keys, uint8_t *vals)
{
    uint32_t root = h->info.root_offset;
    regf_cell c, l;
    if (!regf_nk_check(h, root, &c, true))
        return;
    gl_buf stack = {0}, kids = {0};
    gl_buf_append(&stack, &root, sizeof root);
    bit_set(keys, root);
    uint64_t budget = (uint64_t)h->data_len / 8 + 16;
    bool was = h->walking;
    uint64_t was_pool = h->walk_pool;
    h->walking = true;
    h->walk_pool = (uint64_t)h->data_len / 2 + 4096;
    while (stack.len && budget--) {
        uint32_t k;
        stack.len -= sizeof k;
        memcpy(&k, stack.data + stack.len, sizeof k);
        if (!regf_nk_check(h, k, &c, true))
            continue;
        uint32_t nv = gl_le32(c.p + 36), list = gl_le32(c.p + 40);
        if (nv && list != REGF_NONE && regf_cell_get(h, list, "value list", &l)) {
            if (nv > l.len / 4)
                nv = l.len / 4;
            for (uint32_t i = 0; i < nv; i++) {
                uint32_t v = gl_le32(l.p + 4 * (size_t)i);
                if (v < h->data_len && v % 8 == 0)
                    bit_set(vals, v);
            }
        }
        kids.len = 0;
        size_t n = regf_key_subkeys(h, k, &kids);
        for (size_t i = 0; i < n; i++) {
            uint32_t s;
            memcpy(&s, kids.data + i * sizeof s, sizeof s);
            if (s < h->data_len && s % 8 == 0 && !bit_get(keys, s)) {
                bit_set(keys, s);
                gl_buf_append(&stack, &s, sizeof s);
            }
        }
    }
    h->walking = was;
    h->walk_pool = was_pool;
    gl_buf_free(&stack);
    gl_buf_free(&kids);
}

/* Allocated key and value cells that nothing reachable from the root
 * references (the old nk of a renamed key, cells left by healing after a
 * crash, keys cut off from the root in a truncated file) join the deleted
 * material, in offset order: unref/unref_vals are appended to keys/vals
 * and both re-sorted. */
static void add_unreferenced(regf_hive *h, const u32vec *live, const u32vec *live_vals, u32vec *keys, u32vec *vals)
{
    size_t bytes = (size_t)h->data_len / 64 + 1;
    uint8_t *rk = gl_xcalloc(bytes, 1), *rv = gl_xcalloc(bytes, 1);
    mark_reachable(h, rk, rv);
    h->unref_map = gl_xcalloc(bytes, 1);
    regf_cell c;
    for (size_t i = 0; i < live->n; i++) {
        uint32_t k = live->v[i];
        if (!bit_get(rk, k) && regf_nk_check(h, k, &c, true)) {
            vec_push(keys, k);
            bit_set(h->unref_map, k);
            h->info.unreferenced_keys++;
        }
    }
    for (size_t i = 0; i < live_vals->n; i++) {
        uint32_t v = live_vals->v[i];
        if (!bit_get(rv, v) && regf_vk_check(h, v, &c, true)) {
            vec_push(vals, v);
            bit_set(h->unref_map, v);
            h->info.unreferenced_values++;
        }
    }
    free(rk);
    free(rv);
    if (h->info.unreferenced_keys)
        qsort(keys->v, keys->n, sizeof *keys->v, cmp_u32);
    if (h->info.unreferenced_values)
        qsort(vals->v, vals->n, sizeof *vals->v, cmp_u32);
}

bool regf_is_unreferenced(const regf_hive *h, uint32_t off)
{
    return h->unref_map && off < h->data_len && off % 8 == 0 && bit_get(h->unref_map, off);
}

void regf_scan_deleted(regf_hive *h)
{
    u32vec keys = {0}, vals = {0}, live = {0}, live_vals = {0};
    uint32_t pages = h->data_len / REGF_PAGE;
    for (uint32_t p = 0; p < pages; p++)
        if (h->bin_end[p] && h->bin_start[p] == p * REGF_PAGE)
            scan_bin(h, h->bin_start[p], h->bin_end[p], &keys, &vals, &live, &live_vals);
    bool quiet = h->scanning;
    h->scanning = true;
    /* The bytes after the last hive bin: what a shrunk or dirty hive left
     * there, scanned like free space (cells at 8-byte steps). */
    if (h->rem_end > h->data_len) {
        size_t k0 = keys.n, v0 = vals.n;
        scan_free(h, h->data_len, h->rem_end, &keys, &vals);
        h->info.remnant_keys = (uint32_t)(keys.n - k0);
        h->info.remnant_values = (uint32_t)(vals.n - v0);
    }
    size_t free_keys = keys.n, free_vals = vals.n;
    add_unreferenced(h, &live, &live_vals, &keys, &vals);
    h->scanning = quiet;
    free(live_vals.v);
    h->del_keys = keys.v;
    h->ndel_keys = keys.n;
    h->del_values = vals.v;
    h->ndel_values = vals.n; /* both sorted: found in offset order, or re-sorted */
    h->del_map = gl_xcalloc((size_t)h->rem_end / 64 + 1, 1);
    for (size_t i = 0; i < keys.n; i++)
        mark_deleted(h, keys.v[i]);
    for (size_t i = 0; i < vals.n; i++)
        mark_deleted(h, vals.v[i]);
    h->del_stamp = gl_xcalloc(vals.n + 1, sizeof *h->del_stamp);
    bool *ref = gl_xcalloc(vals.n + 1, sizeof *ref);
    bool was = h->scanning;
    h->scanning = true; /* damage in live keys is reported when they are read */
    h->del_claimed = gl_xcalloc(vals.n + 1, 1);
    uint64_t claim_budget = (uint64_t)h->data_len / 2 + 4096;
    for (size_t i = 0; i < keys.n; i++)
        claim_listed(h, keys.v[i], &claim_budget);
    h->del_pool = (uint64_t)h->data_len / 2 + 4096;
    h->walking = true; /* bounds the live keys' list reads like a walk */
    h->walk_pool = (uint64_t)h->data_len / 2 + 4096;
    for (size_t i = 0; i < keys.n; i++)
        mark_refs(h, keys.v[i], ref);
    uint64_t budget = (uint64_t)h->data_len / 2 + 4096;
    for (size_t i = 0; i < live.n; i++)
        mark_live_refs(h, live.v[i], ref, &budget);
    h->scanning = was;
    h->walking = false;
    h->del_pool = (uint64_t)h->data_len / 2 + 4096; /* fresh for the caller's reads */
    for (size_t i = 0; i < vals.n; i++)
        if (!ref[i]) {
            h->orphans = gl_xrealloc(h->orphans, (h->norphans + 1) * sizeof *h->orphans);
            h->orphans[h->norphans++] = vals.v[i];
        }
    free(ref);
    free(live.v);
    h->info.deleted_keys = (uint32_t)free_keys;
    h->info.deleted_values = (uint32_t)free_vals;
}

size_t regf_deleted_values_of(regf_hive *h, uint32_t list_off, uint32_t live_count, bool listed_deleted, gl_buf *out)
{
    regf_cell l;
    bool was = h->scanning;
    h->scanning = true;
    bool ok = regf_cell_get(h, list_off, "value list", &l);
    h->scanning = was;
    if (!ok || !h->ndel_values)
        return 0;
    uint32_t end = l.len / 4;
    if (end - live_count > SLACK_MAX) /* real lists keep a few stale slots */
        end = live_count + SLACK_MAX;
    if (h->walking) {
        uint32_t take = end - live_count;
        if (h->walk_pool < take)
            return 0;
        h->walk_pool -= take;
    }
    /* Stamp each deleted value with this call's number to skip repeats in
     * constant time. */
    uint32_t call = ++h->slack_call;
    size_t count = 0;
    /* A deleted key's own entries were returned already: not again. */
    for (uint32_t i = 0; listed_deleted && i < live_count; i++) {
        ptrdiff_t at = deleted_value_index(h, gl_le32(l.p + 4 * (size_t)i));
        if (at >= 0)
            h->del_stamp[at] = call;
    }
    for (uint32_t i = live_count; i < end; i++) {
        uint32_t v = gl_le32(l.p + 4 * (size_t)i);
        ptrdiff_t at = deleted_value_index(h, v);
        if (at < 0 || h->del_stamp[at] == call || (listed_deleted && h->del_claimed[at]))
            continue;
        h->del_stamp[at] = call;
        gl_buf_append(out, &v, sizeof v);
        count++;
    }
    return count;
}

size_t regf_deleted_key_count(const regf_hive *h) { return h->ndel_keys; }
regf_key regf_deleted_key(const regf_hive *h, size_t i) { return i < h->ndel_keys ? h->del_keys[i] : REGF_NONE; }
size_t regf_deleted_orphan_value_count(const regf_hive *h) { return h->norphans; }
regf_value regf_deleted_orphan_value(const regf_hive *h, size_t i)
{
    return i < h->norphans ? h->orphans[i] : REGF_NONE;
}

/* Name length of an nk as Windows counts it for its parent's "largest
 * subkey name" field: bytes of the UTF-16LE name. */
static uint32_t nk_name_units(const regf_cell *c)
{
    uint32_t n = gl_le16(c->p + 72);
    return gl_le16(c->p + 2) & 0x20 ? 2 * n : n;
}

/* Can the live key at parent be the parent the deleted key child had? A
 * parent's "largest subkey name length" (low 16 bits of nk+52) only grows
 * while it has subkeys; Windows resets it to 0 with the last one. So a
 * parent that has subkeys, or a non-zero field, smaller than the child's
 * name cannot have held the child: its cell was freed and taken by another
 * key. A parent with neither is what Windows leaves after deleting the
 * last subkey, and stays accepted (it cannot be told from reuse). */
static bool parent_possible(regf_hive *h, uint32_t child, uint32_t parent)
{
    regf_cell c, p;
    if (!regf_nk_check(h, child, &c, true) || !regf_nk_check(h, parent, &p, true))
        return true; /* a broken chain is handled by regf_key_path */
    if (!p.allocated)
        return true;
    uint32_t largest = gl_le16(p.p + 52);
    if (gl_le32(p.p + 20) == 0 && largest == 0)
        return true;
    return largest >= nk_name_units(&c);
}

/* The deleted key at the top of key's chain of deleted ancestors (key
 * itself when its parent is live), bounded by REGF_MAX_DEPTH. */
static uint32_t top_deleted(regf_hive *h, uint32_t key)
{
    uint32_t k = key;
    regf_cell c;
    for (int i = 0; i < REGF_MAX_DEPTH && regf_nk_check(h, k, &c, true); i++) {
        uint32_t parent = gl_le32(c.p + 16);
        if (parent == k || !regf_is_deleted_key(h, parent))
            break;
        k = parent;
    }
    return k;
}

/* Names from top down to key, '\'-separated (the chain is deleted keys). */
static void names_below(regf_hive *h, uint32_t top, uint32_t key, gl_buf *out)
{
    uint32_t chain[REGF_MAX_DEPTH];
    size_t n = 0;
    regf_cell c;
    for (uint32_t k = key; n < REGF_MAX_DEPTH; k = gl_le32(c.p + 16)) {
        chain[n++] = k;
        if (k == top || !regf_nk_check(h, k, &c, true))
            break;
    }
    for (size_t i = n; i-- > 0;) {
        regf_key_name(h, chain[i], out);
        if (i)
            gl_buf_putc(out, '\\');
    }
}

void regf_deleted_key_path(regf_hive *h, regf_key key, gl_buf *out)
{
    bool was = h->scanning;
    h->scanning = true;
    uint32_t top = top_deleted(h, key);
    regf_cell c;
    if (regf_nk_check(h, top, &c, true) && !parent_possible(h, top, gl_le32(c.p + 16))) {
        gl_buf_puts(out, REGF_ORPHAN "\\");
        names_below(h, top, key, out);
        h->scanning = was;
        return;
    }
    gl_buf tmp = {0};
    bool whole = regf_key_path(h, key, &tmp);
    h->scanning = was;
    if (!whole)
        gl_buf_puts(out, tmp.len ? "(deleted)\\" : "(deleted)");
    if (tmp.len)
        gl_buf_append(out, tmp.data, tmp.len);
    gl_buf_free(&tmp);
}

/* Registry hive parser: base block, hive bins, cells, keys and values.
 * Log replay lives in regf_log.c, deleted-cell recovery in regf_deleted.c. */
#include "regf_int.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"
#include "prefault.h"
#include "text.h"

#define RI_MAX_DEPTH 8 /* ri may not nest per the format; allow a little slack */

void regf_options_init(regf_options *opt)
{
    opt->logs = REGF_LOGS_AUTO;
    opt->recover_deleted = false;
    opt->max_hive_size = REGF_DEFAULT_MAX;
    opt->in_place = false;
    opt->view_writable = false;
}

/* FNV-1a: repeated lookups through the same damaged cell (every path
 * lookup below a broken key, say) must not repeat its message. */
static uint64_t msg_hash(const char *s)
{
    uint64_t x = 1469598103934665603ull;
    for (; *s; s++)
        x = (x ^ (uint8_t)*s) * 1099511628211ull;
    return x;
}

void regf_report(regf_hive *h, const char *fmt, ...)
{
    if (h->scanning)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint64_t x = msg_hash(msg);
    for (size_t i = 0; i < h->nseen; i++)
        if (h->seen[i] == x)
            return;
    if (h->nseen < REGF_SEEN_MAX)
        h->seen[h->nseen++] = x;
    if (h->nerrors < REGF_MAX_ERRORS) {
        size_t n = strlen(h->name) + strlen(msg) + 3;
        char *e = gl_xmalloc(n);
        snprintf(e, n, "%s: %s", h->name, msg);
        h->errors[h->nerrors] = e;
    }
    h->nerrors++;
}

size_t regf_error_count(const regf_hive *h) { return h->nerrors; }

const char *regf_error(const regf_hive *h, size_t i)
{
    return i < h->nerrors && i < REGF_MAX_ERRORS ? h->errors[i] : NULL;
}

const regf_info *regf_get_info(const regf_hive *h) { return &h->info; }

const uint8_t *regf_image(const regf_hive *h, size_t *len)
{
    *len = h->img_len;
    return h->img;
}

uint8_t *regf_image_mut(regf_hive *h)
{
    if (!h->img_own && h->opt.view_writable) {
        /* the caller's copy (regf_options.view_writable): written in place */
        h->img_own = (uint8_t *)(uintptr_t)h->img;
        h->img_borrowed = true;
    } else if (!h->img_own) {
        h->img_own = gl_xbig_alloc(h->img_len);
        h->img_cap = h->img_len;
        memcpy(h->img_own, h->img, h->img_len);
        h->img = h->img_own;
    }
    return h->img_own;
}

void regf_image_grow(regf_hive *h, size_t n)
{
    if (n <= h->img_len)
        return;
    /* from the image as it is (view, borrowed or ours): one copy, not two */
    uint8_t *grown = gl_xbig_alloc(n);
    memcpy(grown, h->img, h->img_len);
    memset(grown + h->img_len, 0, n - h->img_len);
    if (h->img_own && !h->img_borrowed)
        gl_big_free(h->img_own, h->img_cap);
    h->img_borrowed = false;
    h->img = h->img_own = grown;
    h->img_cap = h->img_len = n;
}

uint32_t regf_checksum(const uint8_t *base)
{
    uint32_t x = 0;
    for (int i = 0; i < 127; i++)
        x ^= gl_le32(base + 4 * i);
    /* Windows never stores 0 or -1 as a checksum. */
    if (x == UINT32_MAX)
        x = UINT32_MAX - 1;
    else if (x == 0)
        x = 1;
    return x;
}

/* Printable rendering of a (2- or 4-byte) signature for messages. */
static void sig_text(const uint8_t *p, size_t n, size_t want, char out[20])
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < want && i < 4; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, 20 - o, "\\x%02x", p[i]);
    }
    out[o] = 0;
}

/* ---- hive bins ---- */

void regf_map_bins(regf_hive *h)
{
    uint32_t pages = h->data_len / REGF_PAGE;
    h->nk_last = h->vk_last = REGF_NONE;
    free(h->bin_end);
    free(h->bin_start);
    h->bin_end = gl_xcalloc(pages + 1, sizeof *h->bin_end);
    h->bin_start = gl_xcalloc(pages + 1, sizeof *h->bin_start);
    uint32_t off = 0, bad_from = UINT32_MAX;
    while ((uint64_t)off + REGF_HBIN_HDR <= h->data_len) {
        const uint8_t *b = h->img + REGF_BASE_SIZE + off;
        uint32_t size = gl_le32(b + 8);
        bool sig_ok = !memcmp(b, "hbin", 4);
        bool size_ok = size >= REGF_PAGE && size % REGF_PAGE == 0;
        /* A damaged signature alone does not make the cells unusable: a
         * header whose offset field names its own position is still used. */
        if (!sig_ok && size_ok && gl_le32(b + 4) == off) {
            char found[20];
            sig_text(b, 4, 4, found);
            regf_report(h, "file offset 0x%" PRIX32 ": hive bin: expected signature \"hbin\", found \"%s\"; offset "
                        "and size fields are consistent, bin used",
                        off + REGF_BASE_SIZE, found);
            sig_ok = true;
        }
        if (sig_ok && size_ok) {
            if (bad_from != UINT32_MAX) {
                regf_report(h, "file offset 0x%" PRIX32 "..0x%" PRIX32 ": hive bin: expected signature \"hbin\" "
                            "with a size that is a multiple of 4096; skipped",
                            bad_from + REGF_BASE_SIZE, off + REGF_BASE_SIZE - 1);
                bad_from = UINT32_MAX;
            }
            if (gl_le32(b + 4) != off)
                regf_report(h, "file offset 0x%" PRIX32 ": hive bin: offset field 0x%" PRIX32 " does not match its position",
                            off + REGF_BASE_SIZE, gl_le32(b + 4));
            uint32_t end = (uint64_t)off + size > h->data_len ? h->data_len : off + size;
            if (end != off + size)
                regf_report(h, "file offset 0x%" PRIX32 ": hive bin: size 0x%" PRIX32 " runs past the end of the hive "
                            "bins data (0x%" PRIX32 " bytes); clipped",
                            off + REGF_BASE_SIZE, size, h->data_len);
            for (uint32_t p = off / REGF_PAGE; p < end / REGF_PAGE; p++) {
                h->bin_start[p] = off;
                h->bin_end[p] = end;
            }
            off = end;
            continue;
        }
        if (bad_from == UINT32_MAX)
            bad_from = off;
        off += REGF_PAGE; /* resynchronise on the next page */
    }
    if (bad_from != UINT32_MAX)
        regf_report(h, "file offset 0x%" PRIX32 "..0x%" PRIX32 ": hive bin: expected signature \"hbin\" "
                    "with a size that is a multiple of 4096; skipped",
                    bad_from + REGF_BASE_SIZE, h->data_len + REGF_BASE_SIZE - 1);
}

/* A cell in the bytes after the last hive bin: only deleted material is
 * read there (h->scanning), bounded by the end of those bytes. */
static bool remnant_cell(regf_hive *h, uint32_t off, regf_cell *c)
{
    if (!h->scanning || off < h->data_len || (uint64_t)off + 8 > h->rem_end)
        return false;
    int32_t raw = (int32_t)gl_le32(h->img + REGF_BASE_SIZE + off);
    uint32_t size = raw < 0 ? (uint32_t)0 - (uint32_t)raw : (uint32_t)raw;
    if (size < 8 || size > h->rem_end - off)
        return false;
    c->p = h->img + REGF_BASE_SIZE + off + 4;
    c->len = size - 4;
    c->allocated = raw < 0;
    return true;
}

bool regf_cell_get(regf_hive *h, uint32_t off, const char *what, regf_cell *c)
{
    uint64_t fo = (uint64_t)off + REGF_BASE_SIZE;
    if (remnant_cell(h, off, c))
        return true;
    if ((uint64_t)off + 4 > h->data_len) {
        regf_report(h, "%s at offset 0x%" PRIX32 ": beyond the hive bins data (0x%" PRIX32 " bytes)", what, off,
                    h->data_len);
        return false;
    }
    uint32_t page = off / REGF_PAGE;
    uint32_t end = h->bin_end[page], start = h->bin_start[page];
    if (!end) {
        regf_report(h, "%s at file offset 0x%" PRIX64 ": not inside a valid hive bin", what, fo);
        return false;
    }
    if (off < start + REGF_HBIN_HDR) {
        regf_report(h, "%s at file offset 0x%" PRIX64 ": points into a hive bin header", what, fo);
        return false;
    }
    int32_t raw = (int32_t)gl_le32(h->img + fo);
    uint32_t size = raw < 0 ? (uint32_t)0 - (uint32_t)raw : (uint32_t)raw;
    if (size < 8 || size > end - off) {
        regf_report(h, "%s at file offset 0x%" PRIX64 ": cell size %" PRId32 " does not fit its hive bin (ends 0x%" PRIX64 ")",
                    what, fo, raw, (uint64_t)end + REGF_BASE_SIZE);
        return false;
    }
    c->p = h->img + fo + 4;
    c->len = size - 4;
    c->allocated = raw < 0;
    return true;
}

static bool sig_check(regf_hive *h, uint32_t off, const regf_cell *c, const char *sig, uint32_t min, bool quiet)
{
    char found[20];
    if (c->len < 2 || memcmp(c->p, sig, 2)) {
        if (!quiet) {
            sig_text(c->p, c->len, 2, found);
            regf_report(h, "file offset 0x%" PRIX64 ": %s cell: expected signature \"%s\", found \"%s\"",
                        (uint64_t)off + REGF_BASE_SIZE, sig, sig, found);
        }
        return false;
    }
    if (c->len < min) {
        if (!quiet)
            regf_report(h, "file offset 0x%" PRIX64 ": %s cell: %" PRIu32 " bytes, expected at least %" PRIu32,
                        (uint64_t)off + REGF_BASE_SIZE, sig, c->len, min);
        return false;
    }
    return true;
}

/* A cell inside the hive bins reads the same whether quiet or not, so
 * the last good one can stand in for a new read; one in the remnant is
 * readable only while scanning and is read afresh. */
static bool record_check(regf_hive *h, uint32_t off, regf_cell *c, bool quiet, const char *what, const char *sig,
                         uint32_t min, uint32_t *last, regf_cell *last_cell)
{
    if (off == *last && off != REGF_NONE) {
        *c = *last_cell;
        return true;
    }
    bool was = h->scanning;
    if (quiet)
        h->scanning = true;
    bool ok = regf_cell_get(h, off, what, c) && sig_check(h, off, c, sig, min, quiet);
    h->scanning = was;
    if (ok && off < h->data_len) {
        *last = off;
        *last_cell = *c;
    }
    return ok;
}

bool regf_nk_check(regf_hive *h, uint32_t off, regf_cell *c, bool quiet)
{
    return record_check(h, off, c, quiet, "nk cell", "nk", REGF_NK_MIN, &h->nk_last, &h->nk_last_cell);
}

bool regf_vk_check(regf_hive *h, uint32_t off, regf_cell *c, bool quiet)
{
    return record_check(h, off, c, quiet, "vk cell", "vk", REGF_VK_MIN, &h->vk_last, &h->vk_last_cell);
}

/* ---- open / close ---- */

static regf_hive *hive_new(const gl_reader *r, const regf_options *opt)
{
    regf_hive *h = gl_xcalloc(1, sizeof *h);
    h->name = gl_xstrdup(r->name ? r->name : "hive");
    if (opt)
        h->opt = *opt;
    else
        regf_options_init(&h->opt);
    if (!h->opt.max_hive_size)
        h->opt.max_hive_size = REGF_DEFAULT_MAX;
    h->info.logs_used = "";
    h->owner_sk = REGF_NONE;
    h->nk_last = h->vk_last = REGF_NONE;
    return h;
}

static void read_base_info(regf_hive *h)
{
    const uint8_t *b = h->img;
    h->info.seq_primary = gl_le32(b + 4);
    h->info.seq_secondary = gl_le32(b + 8);
    h->info.last_written = gl_le64(b + 12);
    h->info.major = gl_le32(b + 20);
    h->info.minor = gl_le32(b + 24);
    h->info.file_type = gl_le32(b + 28);
    h->info.root_offset = gl_le32(b + 36);
}

/* Where the chain of hive bins in the file ends: each bin must carry its
 * signature, its own offset and a size that is a non-zero multiple of 4096
 * inside the file. Bounded by the file: every step advances a page. */
static uint32_t hbin_chain_end(const regf_hive *h, uint64_t avail)
{
    uint64_t off = 0;
    while (off + REGF_HBIN_HDR <= avail) {
        const uint8_t *b = h->img + REGF_BASE_SIZE + off;
        uint32_t size = gl_le32(b + 8);
        if (memcmp(b, "hbin", 4) || gl_le32(b + 4) != off || !size || size % REGF_PAGE || size > avail - off)
            break;
        off += size;
    }
    return (uint32_t)off;
}

/* Decide how much of the image is hive bins data: the base block's size
 * when it fits the file, else what the file holds (reported). A base block
 * whose checksum is wrong is not trusted for it: the hbin chain in the file
 * decides, and a smaller size field never cuts what is read. */
static void set_data_len(regf_hive *h, uint64_t file_data)
{
    uint32_t declared = gl_le32(h->img + 40);
    uint64_t avail = file_data - file_data % REGF_PAGE;
    if (avail > 0xFFFFF000u) /* offsets are 32-bit: nothing beyond is addressable */
        avail = 0xFFFFF000u;
    h->info.hbins_size_field = declared;
    h->info.hbins_chain = hbin_chain_end(h, avail);
    if (!h->info.checksum_ok && !h->info.recovery_applied) {
        uint32_t use = h->info.hbins_chain;
        if (declared % REGF_PAGE == 0 && declared <= avail && declared > use)
            use = declared; /* pages past a damaged bin are still mapped one by one */
        if (!use)
            use = (uint32_t)avail; /* not even a first bin: let the page map judge */
        if (use != declared)
            regf_report(h, "base block (checksum bad): hive bins data size field 0x%" PRIX32 ", hive bins in the "
                        "file reach 0x%" PRIX32 "; using 0x%" PRIX32,
                        declared, h->info.hbins_chain, use);
        h->data_len = h->info.hbins_size = use;
        return;
    }
    if (declared % REGF_PAGE || declared == 0) {
        regf_report(h, "base block: hive bins data size 0x%" PRIX32 " is not a non-zero multiple of 4096; using the "
                    "file size",
                    declared);
        declared = (uint32_t)avail;
    } else if (declared > file_data) {
        regf_report(h, "base block: hive bins data size 0x%" PRIX32 " but the file holds only 0x%" PRIX64
                    " bytes after the base block (truncated)",
                    declared, file_data);
        declared = (uint32_t)avail;
    }
    h->data_len = declared;
    h->info.hbins_size = declared;
}

/* A root offset that does not lead to a key (damaged base block, no log)
 * need not lose the hive: the root nk carries the hive-entry flag (0x4),
 * so the first allocated nk with it stands in, and that is reported. */
static void find_root(regf_hive *h)
{
    regf_cell c;
    if (regf_nk_check(h, h->info.root_offset, &c, true))
        return;
    uint32_t pages = h->data_len / REGF_PAGE;
    for (uint32_t p = 0; p < pages; p++) {
        if (!h->bin_end[p] || h->bin_start[p] != p * REGF_PAGE)
            continue;
        uint32_t off = p * REGF_PAGE + REGF_HBIN_HDR, end = h->bin_end[p];
        while (off + 8 <= end) {
            int32_t raw = (int32_t)gl_le32(h->img + REGF_BASE_SIZE + off);
            uint32_t size = raw < 0 ? (uint32_t)0 - (uint32_t)raw : (uint32_t)raw;
            if (size < 8 || size > end - off)
                break;
            if (raw < 0 && regf_nk_check(h, off, &c, true) && (gl_le16(c.p + 2) & 0x4)) {
                regf_report(h, "base block: root cell offset 0x%" PRIX32 " is not a key; using the hive-entry key "
                            "at file offset 0x%" PRIX64,
                            h->info.root_offset, (uint64_t)off + REGF_BASE_SIZE);
                h->info.root_offset = off;
                return;
            }
            off += size;
        }
    }
    regf_report(h, "base block: root cell offset 0x%" PRIX32 " is not a key, and no hive-entry key was found",
                h->info.root_offset);
}

regf_hive *regf_open(const gl_reader *primary, const gl_reader *log1, const gl_reader *log2,
                     const regf_options *opt, gl_err *err)
{
    const char *name = primary->name ? primary->name : "hive";
    regf_hive *h = hive_new(primary, opt);
    if (primary->size > h->opt.max_hive_size || primary->size > SIZE_MAX / 2) {
        gl_err_set(err, "%s: hive is %" PRIu64 " bytes, over the %" PRIu64 "-byte limit (raise max hive size)", name,
                   primary->size, h->opt.max_hive_size);
        regf_close(h);
        return NULL;
    }
    if (primary->size < REGF_BASE_SIZE) {
        gl_err_set(err, "%s: file offset 0: base block: expected 4096 bytes, file has %" PRIu64, name, primary->size);
        regf_close(h);
        return NULL;
    }
    h->img_len = (size_t)primary->size;
    if (h->opt.in_place && primary->view) {
        h->img = primary->view;
    } else {
        h->img = h->img_own = gl_xbig_alloc(h->img_len);
        h->img_cap = h->img_len;
        if (gl_read_exact(primary, 0, h->img_own, h->img_len, err) < 0) {
            regf_close(h);
            return NULL;
        }
    }
    if (memcmp(h->img, "regf", 4)) {
        char found[20];
        sig_text(h->img, 4, 4, found);
        gl_err_set(err, "%s: file offset 0: base block: expected signature \"regf\", found \"%s\"", name, found);
        regf_close(h);
        return NULL;
    }
    read_base_info(h);
    uint32_t stored = gl_le32(h->img + 508);
    h->info.checksum_ok = regf_checksum(h->img) == stored;
    h->info.dirty = !h->info.checksum_ok || h->info.seq_primary != h->info.seq_secondary;
    if (h->info.file_type != 0)
        regf_report(h, "base block: file type %" PRIu32 ", expected 0 (primary hive file)", h->info.file_type);
    bool have_logs = (log1 && log1->size) || (log2 && log2->size);
    if (h->info.dirty && h->opt.logs == REGF_LOGS_AUTO && have_logs)
        regf_replay_logs(h, log1, log2);
    if (!h->info.recovery_applied && !h->info.checksum_ok)
        regf_report(h, "file offset 0x1FC: base block: checksum 0x%08" PRIX32 " does not match computed 0x%08" PRIX32
                    " (base block damaged; fields used as found)",
                    stored, regf_checksum(h->img));
    set_data_len(h, h->img_len - REGF_BASE_SIZE);
    uint64_t tail = (uint64_t)(h->img_len - REGF_BASE_SIZE) / 8 * 8;
    h->rem_end = tail > 0xFFFFFFF0u ? 0xFFFFFFF0u : (uint32_t)tail;
    if (h->rem_end < h->data_len)
        h->rem_end = h->data_len;
    regf_map_bins(h);
    h->del_pool = (uint64_t)h->data_len / 2 + 4096;
    find_root(h);
    if (h->opt.recover_deleted)
        regf_scan_deleted(h);
    return h;
}

void regf_close(regf_hive *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nerrors && i < REGF_MAX_ERRORS; i++)
        free(h->errors[i]);
    free(h->name);
    if (!h->img_borrowed)
        gl_big_free(h->img_own, h->img_cap);
    free(h->bin_end);
    free(h->bin_start);
    free(h->visited);
    free(h->del_keys);
    free(h->del_values);
    free(h->del_map);
    gl_buf_free(&h->owner_text);
    free(h->del_stamp);
    free(h->del_claimed);
    free(h->unref_map);
    free(h->orphans);
    free(h);
}

/* ---- keys ---- */

/* Keys and values found after the last hive bin (remnant) are read like
 * the others; elsewhere past the bins is an error. */
static bool nk_get(regf_hive *h, regf_key k, regf_cell *c)
{
    if (k == REGF_NONE)
        return false;
    return regf_nk_check(h, k, c, regf_in_remnant(h, k));
}

regf_key regf_root(regf_hive *h)
{
    regf_cell c;
    return nk_get(h, h->info.root_offset, &c) ? h->info.root_offset : REGF_NONE;
}

/* Append a name stored as Latin-1 (compressed) or UTF-16LE, clipped to the cell. */
static void name_append(regf_hive *h, uint32_t off, const regf_cell *c, uint32_t fixed, uint32_t nlen,
                        bool compressed, gl_buf *out)
{
    if (nlen > c->len - fixed) {
        regf_report(h, "file offset 0x%" PRIX64 ": %c%c cell: name length %" PRIu32 " runs past the cell (%" PRIu32
                    " bytes available)",
                    (uint64_t)off + REGF_BASE_SIZE, c->p[0], c->p[1], nlen, c->len - fixed);
        nlen = c->len - fixed;
    }
    if (compressed)
        gl_latin1_to_utf8(out, c->p + fixed, nlen, false);
    else
        gl_utf16le_to_utf8(out, c->p + fixed, nlen, false);
}

/* Everything of a deleted key lives in free space, where damage is the
 * norm: it is read quietly (see regf_value_data). Returns the previous
 * quiet state for the caller to restore. */
static bool hush_if_deleted(regf_hive *h, regf_key key)
{
    bool was = h->scanning;
    if (regf_key_deleted(h, key))
        h->scanning = true;
    return was;
}

static bool quiet_text(regf_hive *h, regf_key key, gl_buf *out, bool (*read)(regf_hive *, regf_key, gl_buf *))
{
    bool was = hush_if_deleted(h, key), ok = read(h, key, out);
    h->scanning = was;
    return ok;
}

static bool read_key_name(regf_hive *h, regf_key key, gl_buf *out)
{
    regf_cell c;
    if (!nk_get(h, key, &c))
        return false;
    name_append(h, key, &c, REGF_NK_MIN, gl_le16(c.p + 72), gl_le16(c.p + 2) & 0x20, out);
    return true;
}

bool regf_key_name(regf_hive *h, regf_key key, gl_buf *out) { return quiet_text(h, key, out, read_key_name); }

uint64_t regf_key_last_write(regf_hive *h, regf_key key)
{
    regf_cell c;
    return nk_get(h, key, &c) ? gl_le64(c.p + 4) : 0;
}

uint16_t regf_key_flags(regf_hive *h, regf_key key)
{
    regf_cell c;
    return nk_get(h, key, &c) ? gl_le16(c.p + 2) : 0;
}

regf_key regf_key_parent(regf_hive *h, regf_key key)
{
    regf_cell c;
    if (key == h->info.root_offset || !nk_get(h, key, &c))
        return REGF_NONE;
    return gl_le32(c.p + 16);
}

static bool read_key_class(regf_hive *h, regf_key key, gl_buf *out)
{
    regf_cell c, cc;
    if (!nk_get(h, key, &c))
        return false;
    uint32_t off = gl_le32(c.p + 48);
    uint32_t n = gl_le16(c.p + 74);
    if (off == REGF_NONE || n == 0)
        return true;
    if (!regf_cell_get(h, off, "class name", &cc))
        return false;
    if (n > cc.len) {
        regf_report(h, "file offset 0x%" PRIX64 ": class name: length %" PRIu32 " but the cell holds %" PRIu32,
                    (uint64_t)off + REGF_BASE_SIZE, n, cc.len);
        n = cc.len;
    }
    gl_utf16le_to_utf8(out, cc.p, n, false);
    return true;
}

bool regf_key_class(regf_hive *h, regf_key key, gl_buf *out) { return quiet_text(h, key, out, read_key_class); }

static bool read_key_owner_sid(regf_hive *h, regf_key key, gl_buf *out)
{
    regf_cell c, sk;
    if (!nk_get(h, key, &c))
        return false;
    uint32_t off = gl_le32(c.p + 44);
    if (off == REGF_NONE)
        return false;
    if (off == h->owner_sk) {
        gl_buf_append(out, h->owner_text.data, h->owner_text.len);
        return true;
    }
    if (!regf_cell_get(h, off, "sk cell", &sk) || !sig_check(h, off, &sk, "sk", 20, false))
        return false;
    /* sk: flink@4, blink@8, reference count@12, descriptor size@16, descriptor@20 */
    uint32_t dlen = gl_le32(sk.p + 16);
    if (dlen > sk.len - 20)
        dlen = sk.len - 20;
    const uint8_t *d = sk.p + 20;
    if (dlen < 20)
        return false;
    uint32_t owner = gl_le32(d + 4);
    if (owner == 0 || owner >= dlen)
        return false;
    h->owner_text.len = 0;
    if (!gl_sid_format(&h->owner_text, d + owner, dlen - owner)) {
        h->owner_sk = REGF_NONE;
        regf_report(h, "file offset 0x%" PRIX64 ": sk cell: owner SID at descriptor offset 0x%" PRIX32 " is malformed",
                    (uint64_t)off + REGF_BASE_SIZE, owner);
        return false;
    }
    h->owner_sk = off;
    gl_buf_append(out, h->owner_text.data, h->owner_text.len);
    return true;
}

bool regf_key_owner_sid(regf_hive *h, regf_key key, gl_buf *out) { return quiet_text(h, key, out, read_key_owner_sid); }

bool regf_key_unreferenced(regf_hive *h, regf_key key) { return regf_is_unreferenced(h, key); }
bool regf_in_remnant(const regf_hive *h, uint32_t off) { return off >= h->data_len && off < h->rem_end; }
bool regf_value_unreferenced(regf_hive *h, regf_value v) { return regf_is_unreferenced(h, v); }

const char *regf_recovered_from(const regf_hive *h, uint32_t off)
{
    if (regf_in_remnant(h, off))
        return "remnant";
    return regf_is_unreferenced(h, off) ? "unreferenced" : "free_cell";
}

bool regf_key_deleted(regf_hive *h, regf_key key)
{
    if (regf_is_deleted_key(h, key))
        return true;
    if (key == h->nk_last && key != REGF_NONE)
        return !h->nk_last_cell.allocated;
    regf_cell c;
    bool was = h->scanning;
    h->scanning = true;
    bool ok = regf_cell_get(h, key, "nk cell", &c);
    h->scanning = was;
    return ok && !c.allocated;
}

/* Subkey list traversal. ancestors holds the ri cells above the current
 * one so a list pointing back at itself is caught; budget bounds the total
 * number of entries looked at (a real hive has fewer than data_len / 4). */
typedef struct list_walk {
    uint32_t ancestors[RI_MAX_DEPTH];
    uint64_t budget;
    size_t count;
} list_walk;

static void collect_list(regf_hive *h, uint32_t off, int depth, list_walk *w, gl_buf *out)
{
    regf_cell c;
    if (!regf_cell_get(h, off, "subkey list", &c))
        return;
    uint64_t fo = (uint64_t)off + REGF_BASE_SIZE;
    if (c.len < 4) {
        regf_report(h, "file offset 0x%" PRIX64 ": subkey list: %" PRIu32 " bytes, expected at least 4", fo, c.len);
        return;
    }
    bool ri = !memcmp(c.p, "ri", 2);
    uint32_t esz;
    if (!memcmp(c.p, "lf", 2) || !memcmp(c.p, "lh", 2))
        esz = 8;
    else if (!memcmp(c.p, "li", 2) || ri)
        esz = 4;
    else {
        char found[20];
        sig_text(c.p, c.len, 2, found);
        regf_report(h, "file offset 0x%" PRIX64 ": subkey list: expected signature \"lf\", \"lh\", \"li\" or \"ri\", "
                    "found \"%s\"",
                    fo, found);
        return;
    }
    uint32_t n = gl_le16(c.p + 2);
    if (n > (c.len - 4) / esz) {
        regf_report(h, "file offset 0x%" PRIX64 ": subkey list: %" PRIu32 " entries do not fit its %" PRIu32
                    "-byte cell; reading %" PRIu32,
                    fo, n, c.len, (c.len - 4) / esz);
        n = (c.len - 4) / esz;
    }
    if (ri) {
        if (depth >= RI_MAX_DEPTH) {
            regf_report(h, "file offset 0x%" PRIX64 ": ri subkey list nested deeper than %d; not followed", fo,
                        RI_MAX_DEPTH);
            return;
        }
        for (int i = 0; i < depth; i++)
            if (w->ancestors[i] == off) {
                regf_report(h, "file offset 0x%" PRIX64 ": ri subkey list refers back to itself; not followed", fo);
                return;
            }
        w->ancestors[depth] = off;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!w->budget) {
            regf_report(h, "file offset 0x%" PRIX64 ": subkey lists hold more entries than the hive can; stopped", fo);
            return;
        }
        w->budget--;
        uint32_t t = gl_le32(c.p + 4 + (size_t)i * esz);
        if (ri) {
            collect_list(h, t, depth + 1, w, out);
            continue;
        }
        regf_cell k;
        if (!nk_get(h, t, &k))
            continue;
        gl_buf_append(out, &t, sizeof t);
        w->count++;
    }
}

static size_t quiet_if_deleted(regf_hive *h, regf_key key, gl_buf *out,
                               size_t (*read)(regf_hive *, regf_key, gl_buf *))
{
    bool was = hush_if_deleted(h, key);
    size_t n = read(h, key, out);
    h->scanning = was;
    return n;
}

static size_t key_subkeys(regf_hive *h, regf_key key, gl_buf *out)
{
    regf_cell c;
    if (!nk_get(h, key, &c))
        return 0;
    uint32_t n = gl_le32(c.p + 20), list = gl_le32(c.p + 28);
    if (n == 0 || list == REGF_NONE)
        return 0;
    uint64_t budget = (uint64_t)h->data_len / 4 + 16;
    if (h->walking && h->walk_pool < budget)
        budget = h->walk_pool;
    list_walk w = {.budget = budget};
    collect_list(h, list, 0, &w, out);
    if (h->walking)
        h->walk_pool -= budget - w.budget;
    if (w.count != n)
        regf_report(h, "file offset 0x%" PRIX64 ": nk cell: %" PRIu32 " subkeys recorded, %" PRIu64 " readable",
                    (uint64_t)key + REGF_BASE_SIZE, n, (uint64_t)w.count);
    return w.count;
}

size_t regf_key_subkeys(regf_hive *h, regf_key key, gl_buf *out)
{
    return quiet_if_deleted(h, key, out, key_subkeys);
}

static size_t key_values(regf_hive *h, regf_key key, gl_buf *out)
{
    regf_cell c, l;
    if (!nk_get(h, key, &c))
        return 0;
    uint32_t n = gl_le32(c.p + 36), list = gl_le32(c.p + 40);
    if (list == REGF_NONE || (n == 0 && !h->opt.recover_deleted))
        return 0;
    if (n == 0) { /* only slack to look at: a stale offset is no error */
        bool was = h->scanning;
        h->scanning = true;
        bool ok = regf_cell_get(h, list, "value list", &l);
        h->scanning = was;
        return ok ? regf_deleted_values_of(h, list, 0, regf_key_deleted(h, key), out) : 0;
    }
    if (!regf_cell_get(h, list, "value list", &l))
        return 0;
    uint32_t fit = l.len / 4;
    if (n > fit) {
        regf_report(h, "file offset 0x%" PRIX64 ": value list: %" PRIu32 " values recorded but its cell holds %" PRIu32,
                    (uint64_t)list + REGF_BASE_SIZE, n, fit);
        n = fit;
    }
    bool deleted_key = regf_key_deleted(h, key);
    /* Bulk reads (a walk, deleted keys, which may all share one crafted
     * list) draw on a budget a real hive never exhausts. */
    uint64_t *pool = deleted_key ? &h->del_pool : h->walking ? &h->walk_pool : NULL;
    if (pool) {
        if (*pool < n) {
            regf_report(h, "file offset 0x%" PRIX64 ": value list: more list entries read than the hive can hold "
                        "(shared lists); skipped",
                        (uint64_t)list + REGF_BASE_SIZE);
            *pool = 0;
            return 0;
        }
        *pool -= n;
    }
    size_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = gl_le32(l.p + 4 * (size_t)i);
        regf_cell vc;
        if (deleted_key) {
            /* A deleted key's values are trusted only while still free
             * (an allocated cell now belongs to someone else), or, for an
             * unreferenced key, while nothing else references them. */
            if (!regf_vk_check(h, v, &vc, true) ||
                (vc.allocated && !regf_is_unreferenced(h, v) && !regf_in_remnant(h, v)))
                continue;
        } else if (!regf_vk_check(h, v, &vc, false))
            continue;
        gl_buf_append(out, &v, sizeof v);
        count++;
    }
    /* Values removed from a list stay in its slack, beyond the count: a
     * deleted key's as well as a live key's. */
    if (h->opt.recover_deleted)
        count += regf_deleted_values_of(h, list, n, deleted_key, out);
    return count;
}

size_t regf_key_values(regf_hive *h, regf_key key, gl_buf *out)
{
    return quiet_if_deleted(h, key, out, key_values);
}

regf_key regf_key_open(regf_hive *h, regf_key key, const char *path)
{
    gl_buf kids = {0}, name = {0};
    regf_key cur = key;
    const char *p = path;
    while (cur != REGF_NONE && *p) {
        if (*p == '\\') {
            p++;
            continue;
        }
        const char *seg = p;
        while (*p && *p != '\\')
            p++;
        size_t seglen = (size_t)(p - seg);
        kids.len = 0;
        size_t n = regf_key_subkeys(h, cur, &kids);
        regf_key found = REGF_NONE;
        for (size_t i = 0; i < n && found == REGF_NONE; i++) {
            uint32_t k;
            memcpy(&k, kids.data + i * sizeof k, sizeof k);
            name.len = 0;
            if (regf_key_name(h, k, &name) && !gl_name_casecmp(name.data ? name.data : "", name.len, seg, seglen))
                found = k;
        }
        cur = found;
    }
    gl_buf_free(&kids);
    gl_buf_free(&name);
    if (cur != REGF_NONE) {
        regf_cell c;
        if (!nk_get(h, cur, &c))
            cur = REGF_NONE;
    }
    return cur;
}

/* ---- layered keys ---- */

unsigned regf_key_layer(regf_hive *h, regf_key key)
{
    regf_cell c;
    return nk_get(h, key, &c) ? c.p[13] & 0x3u : REGF_LAYER_NONE;
}

bool regf_key_inherit_class(regf_hive *h, regf_key key)
{
    regf_cell c;
    return nk_get(h, key, &c) && (c.p[13] & 0x80);
}

const char *regf_layer_name(unsigned layer)
{
    static const char *const names[] = {NULL, "tombstone", "supersede_local", "supersede_tree"};
    return layer < 4 ? names[layer] : NULL;
}

/* ---- values ---- */

static bool vk_get(regf_hive *h, regf_value v, regf_cell *c)
{
    if (v == REGF_NONE)
        return false;
    return regf_vk_check(h, v, c, regf_in_remnant(h, v));
}

bool regf_value_name(regf_hive *h, regf_value v, gl_buf *out)
{
    regf_cell c;
    if (!vk_get(h, v, &c))
        return false;
    name_append(h, v, &c, REGF_VK_MIN, gl_le16(c.p + 2), gl_le16(c.p + 16) & 1, out);
    return true;
}

uint32_t regf_value_data_size(regf_hive *h, regf_value v)
{
    regf_cell c;
    if (!vk_get(h, v, &c))
        return 0;
    uint32_t raw = gl_le32(c.p + 4);
    return raw & 0x80000000u ? (raw & 0x7FFFFFFFu) : raw;
}

bool regf_value_tombstone(regf_hive *h, regf_value v)
{
    regf_cell c;
    return vk_get(h, v, &c) && (gl_le16(c.p + 16) & 0x2);
}

uint32_t regf_value_type(regf_hive *h, regf_value v)
{
    regf_cell c;
    return vk_get(h, v, &c) ? gl_le32(c.p + 12) : 0;
}

bool regf_value_deleted(regf_hive *h, regf_value v)
{
    if (regf_is_deleted_value(h, v))
        return true;
    if (v == h->vk_last && v != REGF_NONE)
        return !h->vk_last_cell.allocated;
    regf_cell c;
    bool was = h->scanning;
    h->scanning = true;
    bool ok = regf_cell_get(h, v, "vk cell", &c);
    h->scanning = was;
    return ok && !c.allocated;
}

regf_value regf_value_find(regf_hive *h, regf_key key, const char *name)
{
    gl_buf vals = {0}, nb = {0};
    regf_value found = REGF_NONE;
    size_t n = regf_key_values(h, key, &vals);
    for (size_t i = 0; i < n && found == REGF_NONE; i++) {
        uint32_t v;
        memcpy(&v, vals.data + i * sizeof v, sizeof v);
        nb.len = 0;
        if (regf_value_deleted(h, v) && !regf_key_deleted(h, key))
            continue;
        if (regf_value_name(h, v, &nb) && !gl_name_casecmp(nb.data ? nb.data : "", nb.len, name, strlen(name)))
            found = v;
    }
    gl_buf_free(&vals);
    gl_buf_free(&nb);
    return found;
}

/* Assemble big data ("db": a list of segment cells) into scratch. */
static const uint8_t *big_data(regf_hive *h, uint32_t doff, const regf_cell *db, uint32_t size, size_t *len,
                               gl_buf *scratch)
{
    regf_cell l;
    uint64_t fo = (uint64_t)doff + REGF_BASE_SIZE;
    uint32_t nseg = gl_le16(db->p + 2), list = gl_le32(db->p + 4);
    if (!regf_cell_get(h, list, "big data segment list", &l))
        return NULL;
    if (nseg > l.len / 4) {
        regf_report(h, "file offset 0x%" PRIX64 ": db cell: %" PRIu32 " segments but the list holds %" PRIu32, fo,
                    nseg, l.len / 4);
        nseg = l.len / 4;
    }
    /* The declared size is only a claim: what can be assembled is bounded
     * by the segments listed and by the hive itself. */
    uint64_t most = (uint64_t)nseg * REGF_DB_SEGMENT;
    if (most > h->data_len)
        most = h->data_len;
    if (size > most) {
        regf_report(h, "file offset 0x%" PRIX64 ": db cell: %" PRIu32 " data bytes declared but %" PRIu32
                    " segments hold at most %" PRIu64,
                    fo, size, nseg, most);
        size = (uint32_t)most;
    }
    gl_buf_reserve(scratch, size);
    for (uint32_t i = 0; i < nseg && scratch->len < size; i++) {
        regf_cell s;
        if (!regf_cell_get(h, gl_le32(l.p + 4 * (size_t)i), "big data segment", &s))
            break;
        uint32_t take = size - (uint32_t)scratch->len;
        if (take > REGF_DB_SEGMENT)
            take = REGF_DB_SEGMENT;
        if (take > s.len)
            take = s.len;
        gl_buf_append(scratch, s.p, take);
    }
    if (scratch->len < size)
        regf_report(h, "file offset 0x%" PRIX64 ": db cell: only %" PRIu64 " of %" PRIu32 " data bytes readable", fo,
                    (uint64_t)scratch->len, size);
    *len = scratch->len;
    return scratch->len ? (const uint8_t *)scratch->data : NULL;
}

static const uint8_t *value_data(regf_hive *h, regf_value v, size_t *len, gl_buf *scratch);

/* Deleted material lives in free space where damage is the norm: reading
 * it reports nothing (it is not an error in the hive). */
const uint8_t *regf_value_data(regf_hive *h, regf_value v, size_t *len, gl_buf *scratch)
{
    bool was = h->scanning;
    if (regf_value_deleted(h, v))
        h->scanning = true;
    const uint8_t *p = value_data(h, v, len, scratch);
    h->scanning = was;
    return p;
}

static const uint8_t *value_data(regf_hive *h, regf_value v, size_t *len, gl_buf *scratch)
{
    regf_cell c, d;
    *len = 0;
    if (scratch)
        scratch->len = 0;
    if (!vk_get(h, v, &c))
        return NULL;
    uint32_t raw = gl_le32(c.p + 4), doff = gl_le32(c.p + 8);
    uint64_t fo = (uint64_t)v + REGF_BASE_SIZE;
    if (raw & 0x80000000u) {
        /* Up to 4 bytes live in the data-offset field itself. */
        uint32_t n = raw & 0x7FFFFFFFu;
        if (n > 4) {
            regf_report(h, "file offset 0x%" PRIX64 ": vk cell: inline data size %" PRIu32 " exceeds 4; using 4", fo, n);
            n = 4;
        }
        *len = n;
        return n ? c.p + 8 : NULL;
    }
    if (raw == 0)
        return NULL;
    if (doff == REGF_NONE) {
        regf_report(h, "file offset 0x%" PRIX64 ": vk cell: %" PRIu32 " data bytes but no data cell", fo, raw);
        return NULL;
    }
    if (!regf_cell_get(h, doff, "value data", &d))
        return NULL;
    /* A deleted value's data cell that is allocated again now holds someone
     * else's bytes: the data is lost, not this. */
    if (d.allocated && regf_value_deleted(h, v) && !regf_is_unreferenced(h, v) && !regf_in_remnant(h, doff))
        return NULL;
    if (raw > REGF_DB_SEGMENT && h->info.minor >= 4 && d.len >= 8 && !memcmp(d.p, "db", 2)) {
        gl_buf local = {0};
        gl_buf *sb = scratch ? scratch : &local;
        const uint8_t *r = big_data(h, doff, &d, raw, len, sb);
        if (!scratch) { /* callers without scratch cannot keep assembled data */
            gl_buf_free(&local);
            *len = 0;
            return NULL;
        }
        return r;
    }
    if (raw > d.len && h->scanning)
        return NULL; /* deleted value whose data cell was reused: lost */
    if (raw > d.len) {
        regf_report(h, "file offset 0x%" PRIX64 ": vk cell: data size %" PRIu32 " exceeds its %" PRIu32
                    "-byte data cell; truncated",
                    fo, raw, d.len);
        raw = d.len;
    }
    *len = raw;
    return d.p;
}

bool regf_value_string(regf_hive *h, regf_value v, gl_buf *out)
{
    gl_buf scratch = {0};
    size_t n;
    regf_cell c;
    if (!vk_get(h, v, &c))
        return false;
    const uint8_t *p = regf_value_data(h, v, &n, &scratch);
    if (p)
        gl_utf16le_to_utf8(out, p, n, true);
    gl_buf_free(&scratch);
    return true;
}

long regf_data_multi_sz(const uint8_t *p, size_t n, gl_buf *out)
{
    long count = 0;
    size_t units = p ? n / 2 : 0, start = 0;
    /* Empty strings inside the list carry meaning (PendingFileRenameOperations
     * uses them for "delete"); only one followed by nothing but NULs ends it. */
    size_t text_end = units;
    while (text_end > 0 && gl_le16(p + 2 * (text_end - 1)) == 0)
        text_end--;
    for (size_t i = 0; i <= units; i++) {
        bool end = i == units;
        if (!end && gl_le16(p + 2 * i) != 0)
            continue;
        if (i == start && i >= text_end)
            break;
        gl_utf16le_to_utf8(out, p + 2 * start, 2 * (i - start), false);
        gl_buf_putc(out, '\0');
        count++;
        start = i + 1;
    }
    return count;
}

long regf_value_multi_sz(regf_hive *h, regf_value v, gl_buf *out)
{
    gl_buf scratch = {0};
    size_t n = 0;
    regf_cell c;
    if (!vk_get(h, v, &c))
        return -1;
    const uint8_t *p = regf_value_data(h, v, &n, &scratch);
    long count = regf_data_multi_sz(p, n, out);
    gl_buf_free(&scratch);
    return count;
}

bool regf_value_dword(regf_hive *h, regf_value v, uint32_t *out)
{
    size_t n;
    const uint8_t *p = regf_value_data(h, v, &n, NULL);
    if (!p || n < 4)
        return false;
    *out = regf_value_type(h, v) == REGF_REG_DWORD_BIG_ENDIAN ? gl_be32(p) : gl_le32(p);
    return true;
}

bool regf_value_qword(regf_hive *h, regf_value v, uint64_t *out)
{
    size_t n;
    const uint8_t *p = regf_value_data(h, v, &n, NULL);
    if (!p || n < 8)
        return false;
    *out = gl_le64(p);
    return true;
}

const char *regf_type_name(uint32_t type, char buf[32])
{
    static const char *const names[] = {
        "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN", "REG_LINK",
        "REG_MULTI_SZ", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST",
        "REG_QWORD",
    };
    if (type < sizeof names / sizeof names[0])
        return names[type];
    snprintf(buf, 32, "REG_UNKNOWN_0x%" PRIX32, type);
    return buf;
}

/* ---- walk ---- */

/* Windows keeps a subkey list sorted by upper-cased name, without two keys
 * of one name, and every key in it names the list's owner as its parent.
 * Anything else was crafted or damaged: each is reported with the offsets
 * (the keys are still listed). a and b are scratch buffers. */
/* A key's name as stored when it is compressed (one byte a character),
 * fits its cell and is ASCII without NULs: such a name is its own UTF-8,
 * and gl_name_casecmp folds ASCII to upper case, so two of them compare
 * as ascii_casecmp says without being converted. NULL otherwise. */
static const uint8_t *ascii_name(const regf_cell *c, size_t *n)
{
    size_t len = gl_le16(c->p + 72);
    if (!(gl_le16(c->p + 2) & 0x20) || len > c->len - REGF_NK_MIN)
        return NULL;
    const uint8_t *p = c->p + REGF_NK_MIN;
    for (size_t i = 0; i < len; i++)
        if (p[i] == 0 || p[i] >= 0x80)
            return NULL;
    *n = len;
    return p;
}

static int ascii_casecmp(const uint8_t *a, size_t n1, const uint8_t *b, size_t n2)
{
    for (size_t i = 0; i < n1 && i < n2; i++) {
        int x = a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i];
        int y = b[i] >= 'a' && b[i] <= 'z' ? b[i] - 32 : b[i];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return n1 < n2 ? -1 : n1 > n2;
}

/* Subkeys must name their list's key as parent, and be listed in order
 * without two of one name. Names are converted (into a, the previous
 * key's, and b) only when one is not plain ASCII or a pair is not in
 * order, which in a sound hive is never. */
static void check_subkey_list(regf_hive *h, uint32_t owner, const gl_buf *kids, size_t n, gl_buf *a, gl_buf *b)
{
    uint64_t ofo = (uint64_t)owner + REGF_BASE_SIZE;
    uint32_t prev = REGF_NONE;
    const uint8_t *prev_ascii = NULL;
    size_t prev_n = 0;
    bool a_is_prev = false; /* a holds prev's converted name */
    for (size_t i = 0; i < n; i++) {
        uint32_t k;
        memcpy(&k, kids->data + i * sizeof k, sizeof k);
        regf_cell c;
        if (!regf_nk_check(h, k, &c, true))
            continue;
        uint64_t fo = (uint64_t)k + REGF_BASE_SIZE;
        uint32_t parent = gl_le32(c.p + 16);
        if (parent != owner)
            regf_report(h, "file offset 0x%" PRIX64 ": key listed in the subkey list of the key at file offset 0x%" PRIX64
                        " names 0x%" PRIX64 " as its parent",
                        fo, ofo, (uint64_t)parent + REGF_BASE_SIZE);
        size_t an = 0;
        const uint8_t *asc = ascii_name(&c, &an);
        if (asc && (prev == REGF_NONE || (prev_ascii && ascii_casecmp(prev_ascii, prev_n, asc, an) < 0))) {
            prev = k;
            prev_ascii = asc;
            prev_n = an;
            a_is_prev = false;
            continue;
        }
        if (prev != REGF_NONE && !a_is_prev) {
            a->len = 0;
            regf_key_name(h, prev, a);
        }
        b->len = 0;
        if (!regf_key_name(h, k, b))
            continue;
        if (prev != REGF_NONE) {
            int cmp = gl_name_casecmp(a->data ? a->data : "", a->len, b->data ? b->data : "", b->len);
            if (cmp == 0 && prev != k)
                regf_report(h, "file offset 0x%" PRIX64 ": subkey list of the key at file offset 0x%" PRIX64
                            " holds two keys named \"%.*s\" (file offsets 0x%" PRIX64 " and 0x%" PRIX64 ")",
                            ofo, ofo, (int)(b->len > 200 ? 200 : b->len), b->data, (uint64_t)prev + REGF_BASE_SIZE, fo);
            else if (cmp > 0)
                regf_report(h, "file offset 0x%" PRIX64 ": subkey list of the key at file offset 0x%" PRIX64
                            " out of order: \"%.*s\" (0x%" PRIX64 ") listed before \"%.*s\" (0x%" PRIX64 ")",
                            fo, ofo, (int)(a->len > 200 ? 200 : a->len), a->data, (uint64_t)prev + REGF_BASE_SIZE,
                            (int)(b->len > 200 ? 200 : b->len), b->data, fo);
        }
        gl_buf t = *a;
        *a = *b;
        *b = t;
        prev = k;
        prev_ascii = asc;
        prev_n = an;
        a_is_prev = true;
    }
}

typedef struct walk_frame {
    uint32_t key;
    uint32_t depth;
    size_t parent_len; /* path length of the parent when pushed */
} walk_frame;

/* A key reached through two parents (a shared subkey list) is shown under
 * both, as libregf and hivex do, and reported; a key that is its own
 * ancestor is a cycle and not entered. Total visits are bounded so that
 * crafted sharing cannot make the walk exponential. */
int regf_walk(regf_hive *h, regf_key start, regf_walk_cb cb, void *ctx)
{
    regf_cell c;
    if (!nk_get(h, start, &c))
        return 0;
    /* keys in the remnant past the hive bins data are walked too: cover it */
    uint64_t span = h->rem_end > h->data_len ? h->rem_end : h->data_len;
    size_t bytes = (size_t)(span / 64) + 1;
    if (!h->visited)
        h->visited = gl_xmalloc(bytes);
    memset(h->visited, 0, bytes);
    uint64_t budget = (uint64_t)h->data_len / 8 + 16;
    /* Lists read during the walk are bounded as a whole: a real hive's
     * lists hold fewer than data_len / 4 entries in total. */
    bool was_walking = h->walking;
    uint64_t was_pool = h->walk_pool;
    h->walking = true;
    h->walk_pool = (uint64_t)h->data_len / 2 + 4096;
    uint32_t *anc = gl_xmalloc(REGF_MAX_DEPTH * sizeof *anc);
    gl_buf stack = {0}, path = {0}, kids = {0}, na = {0}, nb = {0};
    walk_frame f0 = {start, 0, 0};
    gl_buf_append(&stack, &f0, sizeof f0);
    int rc = 0;
    bool first = true;
    while (stack.len && !rc) {
        walk_frame f;
        stack.len -= sizeof f;
        memcpy(&f, stack.data + stack.len, sizeof f);
        uint64_t fo = (uint64_t)f.key + REGF_BASE_SIZE;
        bool cycle = false;
        for (uint32_t i = 0; i < f.depth && !cycle; i++)
            cycle = anc[i] == f.key;
        if (cycle) {
            regf_report(h, "file offset 0x%" PRIX64 ": subkey list refers back to an ancestor key (cycle); not "
                        "followed",
                        fo);
            continue;
        }
        if (!budget--) {
            regf_report(h, "file offset 0x%" PRIX64 ": more key visits than the hive can hold keys (shared subkey "
                        "lists); walk stopped",
                        fo);
            break;
        }
        uint32_t bit = f.key / 8;
        if (bit / 8 >= bytes) /* nk_get admits nothing past the span; never index past the map */
            continue;
        if (h->visited[bit / 8] & (1u << (bit % 8)))
            regf_report(h, "file offset 0x%" PRIX64 ": key listed under more than one parent (shared subkey list)",
                        fo);
        h->visited[bit / 8] |= (uint8_t)(1u << (bit % 8));
        anc[f.depth] = f.key;
        path.len = f.parent_len;
        if (first && f.key != h->info.root_offset)
            regf_key_path(h, f.key, &path);
        if (!first) {
            if (path.len)
                gl_buf_putc(&path, '\\');
            if (!regf_key_name(h, f.key, &path))
                continue;
        }
        first = false;
        h->walk_depth = f.depth;
        rc = cb(ctx, h, f.key, gl_buf_cstr(&path), path.len);
        if (rc)
            break;
        if (f.depth + 1 >= REGF_MAX_DEPTH) {
            regf_report(h, "file offset 0x%" PRIX64 ": keys nested deeper than %d; subkeys not followed", fo,
                        REGF_MAX_DEPTH);
            continue;
        }
        kids.len = 0;
        size_t n = regf_key_subkeys(h, f.key, &kids);
        check_subkey_list(h, f.key, &kids, n, &na, &nb);
        /* Push in reverse so the first subkey is visited first. */
        for (size_t i = n; i-- > 0;) {
            walk_frame nf = {0, f.depth + 1, path.len};
            memcpy(&nf.key, kids.data + i * sizeof nf.key, sizeof nf.key);
            gl_buf_append(&stack, &nf, sizeof nf);
        }
    }
    h->walking = was_walking;
    h->walk_pool = was_pool;
    free(anc);
    gl_buf_free(&stack);
    gl_buf_free(&path);
    gl_buf_free(&kids);
    gl_buf_free(&na);
    gl_buf_free(&nb);
    return rc;
}

unsigned regf_walk_depth(const regf_hive *h) { return h->walk_depth; }

bool regf_key_path(regf_hive *h, regf_key key, gl_buf *out)
{
    uint32_t chain[REGF_MAX_DEPTH];
    size_t n = 0;
    regf_key k = key;
    bool reached = false;
    regf_cell c;
    /* Brent's cycle check: linear in the chain, unlike comparing with every
     * earlier link (this runs for every deleted key). */
    uint32_t mark = REGF_NONE;
    size_t power = 1, lap = 0;
    while (n < REGF_MAX_DEPTH) {
        if (k == h->info.root_offset) {
            reached = true;
            break;
        }
        if (k == mark || !regf_nk_check(h, k, &c, true))
            break; /* parent links form a loop, or end in something not a key */
        chain[n++] = k;
        if (++lap == power) {
            mark = k;
            power *= 2;
            lap = 0;
        }
        k = gl_le32(c.p + 16);
    }
    for (size_t i = n; i-- > 0;) {
        if (i != n - 1)
            gl_buf_putc(out, '\\');
        regf_key_name(h, chain[i], out);
    }
    return reached;
}

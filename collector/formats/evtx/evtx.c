/* EVTX files: the file header, 64 KiB chunks (header and data CRC32,
 * string/template tables), event records, recovery of records from
 * damaged chunks and slack, EventRecordID gaps, filters and errors.
 * Layout: libyal "Windows XML Event Log (EVTX)" document, MS-EVEN6.
 *
 * Iteration has two phases. LIVE walks chunks in file order (as
 * python-evtx and libevtx do) and yields the records between offset 512
 * and the chunk's free-space offset; after a broken record it resyncs by
 * scanning for the next record signature; a chunk without its "ElfChnk"
 * signature is scanned whole. CARVE (unless no_recover) then revisits the
 * chunks whose slack holds a record signature and yields records that
 * validate and are not live duplicates. One chunk buffer is in memory. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx_int.h"
#include "text.h"

#define REC_HDR 24
#define REC_MIN (REC_HDR + 4 + 4) /* header, a fragment header, size copy */
#define MAX_CHUNKS (1u << 22)      /* 256 GiB of chunks: refuses absurd sizes */
#define MAX_RUNS (1u << 18)
#define MAX_GAPS 100000
#define CARVED_SET_MAX (1u << 20)
#define SCAN_BUDGET (4u * EVTX_CHUNK_SIZE)
#define TPL_INDEX_MAX (1u << 16) /* distinct templates remembered per file */

enum { PH_LIVE, PH_CARVE, PH_DONE };
enum { MODE_SEQ, MODE_SCAN };

/* Where the file defines a template (first chunk in file order). */
typedef struct tpl_where {
    uint32_t id, off; /* id + 1 (0 = empty slot), chunk offset */
    uint64_t chunk;
} tpl_where;

typedef struct id_run {
    uint64_t first, last;
    uint64_t chunk, off;
    uint64_t tmin, tmax; /* written times of its records */
} id_run;

struct evtx_file {
    gl_reader r;
    evtx_options opt;
    evtx_header_info hdr;
    uint64_t nchunks;
    uint64_t ci_end; /* the live phase stops before this chunk */
    bool part;       /* evtx_open_part: live phase of a chunk range only */
    bool file_sig;   /* the header's "ElfFile" was there */
    uint8_t head[128]; /* the header as read: evtx_part_range reads no file */
    const uint8_t *chunk; /* the loaded chunk: in the reader's view, or buf */
    uint8_t *buf;
    uint32_t chunk_len;
    int64_t loaded; /* chunk index in the buffer, -1 none */
    /* iteration */
    int phase;
    uint64_t ci;
    bool in_chunk;
    int mode;
    uint32_t pos, end, live_end;
    unsigned flags; /* EVTX_REC_* for records of the current region */
    uint8_t *carve; /* per chunk: slack holds a record signature */
    size_t carve_cap;
    uint64_t ci_first;   /* a part's range starts here (0 for a whole file) */
    uint64_t carve_base; /* carve[0] is chunk carve_base's flag (evtx_take_findings) */
    uint64_t scan_bytes; /* bytes of scan candidates parsed in this chunk */
    /* parse state */
    bx_ctx bx;
    evtx_model model;
    evtx_event ev;
    uint32_t root;
    bool have_event;
    /* filters */
    uint8_t *id_bits; /* 65536 bits, NULL = no id filter */
    char *channel;
    gl_buf tmp;
    gl_buf xml;
    /* reporting */
    char **errs;
    size_t nerrs, errs_total;
    id_run *runs;
    size_t nruns, cap_runs;
    bool runs_full;
    evtx_gap *gaps;
    size_t ngaps;
    char partial_reason[1024]; /* of the current partial event */
    uint64_t *carved; /* open-addressing set of carved record ids (+1) */
    size_t carved_cap, carved_n;
    /* Templates of every chunk's template table, so a carved record whose
     * template was overwritten in its chunk renders with a copy from
     * another chunk (alt: that chunk with the record after it). */
    tpl_where *tpls;
    size_t tpls_cap, tpls_n;
    uint8_t *alt;
    bool bx_alt; /* bx reads alt, not chunk */
    evtx_stats stats;
};

/* ---- errors ------------------------------------------------------------ */

static void add_error(evtx_file *f, const char *fmt, ...) GL_PRINTF(2, 3);
static void add_error(evtx_file *f, const char *fmt, ...)
{
    f->errs_total++;
    if (f->nerrs >= EVTX_MAX_ERRORS)
        return;
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t nl = strlen(f->r.name ? f->r.name : "evtx");
    char *s = gl_xmalloc(nl + 2 + strlen(msg) + 1);
    sprintf(s, "%s: %s", f->r.name ? f->r.name : "evtx", msg);
    f->errs = gl_xrealloc(f->errs, (f->nerrs + 1) * sizeof *f->errs);
    f->errs[f->nerrs++] = s;
}

static uint64_t chunk_file_off(uint64_t ci) { return EVTX_FILE_HEADER_SIZE + ci * (uint64_t)EVTX_CHUNK_SIZE; }

/* ---- template index ---------------------------------------------------- */

static size_t tpl_slot(const tpl_where *t, size_t cap, uint32_t id)
{
    size_t h = (size_t)((id * 0x9E3779B1u) >> 7) & (cap - 1);
    while (t[h].id && t[h].id != id + 1)
        h = (h + 1) & (cap - 1);
    return h;
}

/* Remember the first chunk that defines template id. */
static void tpl_note(evtx_file *f, uint32_t id, uint64_t ci, uint32_t off)
{
    if (f->tpls_n * 2 >= f->tpls_cap) {
        if (f->tpls_cap >= 2 * TPL_INDEX_MAX)
            return; /* full: later templates are not looked up elsewhere */
        size_t ncap = f->tpls_cap ? f->tpls_cap * 2 : 256;
        tpl_where *nt = gl_xzalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < f->tpls_cap; i++)
            if (f->tpls[i].id)
                nt[tpl_slot(nt, ncap, f->tpls[i].id - 1)] = f->tpls[i];
        free(f->tpls);
        f->tpls = nt;
        f->tpls_cap = ncap;
    }
    size_t h = tpl_slot(f->tpls, f->tpls_cap, id);
    if (f->tpls[h].id)
        return;
    f->tpls[h] = (tpl_where){id + 1, off, ci};
    f->tpls_n++;
}

static const tpl_where *tpl_lookup(const evtx_file *f, uint32_t id)
{
    if (!f->tpls_cap)
        return NULL;
    const tpl_where *w = &f->tpls[tpl_slot(f->tpls, f->tpls_cap, id)];
    return w->id ? w : NULL;
}

/* ---- open -------------------------------------------------------------- */

static void read_header(evtx_file *f, const uint8_t *h)
{
    evtx_header_info *hi = &f->hdr;
    hi->first_chunk = gl_le64(h + 8);
    hi->last_chunk = gl_le64(h + 16);
    hi->next_record_id = gl_le64(h + 24);
    hi->header_size = gl_le32(h + 32);
    hi->minor = gl_le16(h + 36);
    hi->major = gl_le16(h + 38);
    hi->header_block_size = gl_le16(h + 40);
    hi->chunk_count = gl_le16(h + 42);
    hi->flags = gl_le32(h + 120);
    hi->dirty = hi->flags & 1;
    hi->full = (hi->flags & 2) != 0;
    hi->checksum_stored = gl_le32(h + 124);
    hi->checksum_computed = evtx_crc32(0, h, 120);
    hi->checksum_ok = hi->checksum_stored == hi->checksum_computed;
}

/* Check that r looks like an EVTX file: h gets its first 128 bytes,
 * *file_sig whether they start with the file signature (else a chunk
 * follows where the header would be). -1 with err set when neither. */
static int check_file(const gl_reader *r, uint8_t h[128], bool *file_sig, gl_err *err)
{
    const char *name = r->name ? r->name : "evtx";
    if (r->size < EVTX_FILE_HEADER_SIZE + 512)
        return gl_err_set(err, "%s: %" PRIu64 " bytes: too short for an EVTX file (header 4096 + a chunk)", name,
                          r->size);
    if (gl_read_exact(r, 0, h, 128, err) < 0)
        return -1;
    *file_sig = !memcmp(h, "ElfFile", 8);
    if (!*file_sig) {
        uint8_t c[8];
        if (gl_read_exact(r, EVTX_FILE_HEADER_SIZE, c, 8, err) < 0)
            return -1;
        if (memcmp(c, "ElfChnk", 8))
            return gl_err_set(err,
                              "%s: offset 0: expected signature \"ElfFile\", and no \"ElfChnk\" at 0x1000: not an EVTX file",
                              name);
    }
    return 0;
}

/* Fill a zeroed f (whose buf, carve and bx may already be allocated) for r. */
static void init_file(evtx_file *f, const gl_reader *r, const evtx_options *opt, bool part, bool file_sig,
                      const uint8_t h[128])
{
    f->r = *r;
    if (opt)
        f->opt = *opt;
    f->part = part;
    f->file_sig = file_sig;
    memcpy(f->head, h, sizeof f->head);
    /* a part leaves what concerns the whole file to the whole file's reader */
    if (file_sig)
        read_header(f, h);
    else if (!part)
        add_error(f, "offset 0: expected file signature \"ElfFile\"; reading chunks anyway");
    f->nchunks = (r->size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE;
    if (f->nchunks > MAX_CHUNKS) {
        if (!part)
            add_error(f, "%" PRIu64 " chunks: reading only the first %u", f->nchunks, MAX_CHUNKS);
        f->nchunks = MAX_CHUNKS;
    }
    f->ci_end = f->nchunks;
    f->hdr.chunks_in_file = f->nchunks;
    if (!f->buf)
        f->buf = gl_xmalloc(EVTX_CHUNK_SIZE);
    f->chunk = f->buf;
    if (f->carve_cap < f->nchunks) {
        free(f->carve);
        f->carve_cap = (size_t)f->nchunks;
        f->carve = gl_xzalloc(f->carve_cap, 1);
    } else {
        memset(f->carve, 0, f->carve_cap);
    }
    f->loaded = -1;
    if (!f->bx.name_slots)
        bx_ctx_init(&f->bx);
}

static evtx_file *open_file(const gl_reader *r, const evtx_options *opt, bool part, gl_err *err)
{
    uint8_t h[128];
    bool file_sig;
    if (check_file(r, h, &file_sig, err) < 0)
        return NULL;
    evtx_file *f = gl_xcalloc(1, sizeof *f);
    init_file(f, r, opt, part, file_sig, h);
    return f;
}

static void set_range(evtx_file *f, uint64_t first, uint64_t end)
{
    f->ci_end = end < f->nchunks ? end : f->nchunks;
    f->ci = f->ci_first = first < f->ci_end ? first : f->ci_end;
}

evtx_file *evtx_open(const gl_reader *r, const evtx_options *opt, gl_err *err) { return open_file(r, opt, false, err); }

evtx_file *evtx_open_part(const gl_reader *r, const evtx_options *opt, uint64_t first, uint64_t end, gl_err *err)
{
    evtx_file *f = open_file(r, opt, true, err);
    if (f)
        set_range(f, first, end);
    return f;
}

/* Forget what a reader found; its memory stays for the next range or file. */
static void reset_findings(evtx_file *f)
{
    for (size_t i = 0; i < f->nerrs; i++)
        free(f->errs[i]);
    f->nerrs = 0;
    if (f->carved)
        memset(f->carved, 0, f->carved_cap * sizeof *f->carved);
    if (f->tpls)
        memset(f->tpls, 0, f->tpls_cap * sizeof *f->tpls);
}

/* f again, for r whose header h was checked: findings and position reset,
 * allocations and filters kept. */
static void reset_for(evtx_file *f, const gl_reader *r, const evtx_options *opt, bool part, bool file_sig,
                      const uint8_t h[128])
{
    reset_findings(f);
    const evtx_file keep = *f;
    memset(f, 0, sizeof *f);
    f->buf = keep.buf;
    f->alt = keep.alt;
    f->carve = keep.carve;
    f->carve_cap = keep.carve_cap;
    f->bx = keep.bx;
    f->model = keep.model;
    f->id_bits = keep.id_bits;
    f->channel = keep.channel;
    f->tmp = keep.tmp;
    f->xml = keep.xml;
    gl_buf_clear(&f->tmp);
    gl_buf_clear(&f->xml);
    f->errs = keep.errs;
    f->runs = keep.runs;
    f->cap_runs = keep.cap_runs;
    f->gaps = keep.gaps; /* grown 64 at a time from ngaps 0 */
    f->carved = keep.carved;
    f->carved_cap = keep.carved_cap;
    f->tpls = keep.tpls;
    f->tpls_cap = keep.tpls_cap;
    init_file(f, r, opt, part, file_sig, h);
}

/* f again, for r. NULL (f closed) when r is not an EVTX file. */
static evtx_file *reopen(evtx_file *f, const gl_reader *r, const evtx_options *opt, bool part, gl_err *err)
{
    uint8_t h[128];
    bool file_sig;
    if (check_file(r, h, &file_sig, err) < 0) {
        evtx_close(f);
        return NULL;
    }
    reset_for(f, r, opt, part, file_sig, h);
    return f;
}

evtx_file *evtx_reopen(evtx_file *f, const gl_reader *r, const evtx_options *opt, gl_err *err)
{
    return f ? reopen(f, r, opt, false, err) : evtx_open(r, opt, err);
}

evtx_file *evtx_reopen_part(evtx_file *f, const gl_reader *r, const evtx_options *opt, uint64_t first,
                            uint64_t end, gl_err *err)
{
    if (!f)
        return evtx_open_part(r, opt, first, end, err);
    if (reopen(f, r, opt, true, err))
        set_range(f, first, end);
    else
        f = NULL;
    return f;
}

void evtx_part_range(evtx_file *part, uint64_t first, uint64_t end)
{
    /* copies: reset_for zeroes the struct they live in */
    const gl_reader r = part->r;
    const evtx_options opt = part->opt;
    uint8_t h[128];
    memcpy(h, part->head, sizeof h);
    reset_for(part, &r, &opt, true, part->file_sig, h);
    set_range(part, first, end);
}

uint64_t evtx_chunk_count(const evtx_file *f) { return f->nchunks; }

void evtx_close(evtx_file *f)
{
    if (!f)
        return;
    reset_findings(f);
    free(f->errs);
    free(f->carve);
    free(f->id_bits);
    free(f->channel);
    free(f->runs);
    free(f->gaps);
    free(f->carved);
    free(f->tpls);
    free(f->buf);
    free(f->alt);
    gl_buf_free(&f->tmp);
    gl_buf_free(&f->xml);
    bx_ctx_free(&f->bx);
    evtx_model_free(&f->model);
    free(f);
}

const evtx_header_info *evtx_header(const evtx_file *f) { return &f->hdr; }
size_t evtx_error_count(const evtx_file *f) { return f->nerrs; }
const char *evtx_error(const evtx_file *f, size_t i) { return i < f->nerrs ? f->errs[i] : NULL; }
size_t evtx_error_total(const evtx_file *f) { return f->errs_total; }
const evtx_stats *evtx_get_stats(const evtx_file *f) { return &f->stats; }

const evtx_gap *evtx_gaps(const evtx_file *f, size_t *n)
{
    *n = f->ngaps;
    return f->gaps;
}

void evtx_filter_ids(evtx_file *f, const uint32_t *ids, size_t n)
{
    if (n == 0) {
        free(f->id_bits);
        f->id_bits = NULL;
        return;
    }
    if (f->id_bits)
        memset(f->id_bits, 0, 65536 / 8);
    else
        f->id_bits = gl_xzalloc(65536 / 8, 1);
    for (size_t i = 0; i < n; i++)
        if (ids[i] <= 0xffff)
            f->id_bits[ids[i] >> 3] |= (uint8_t)(1u << (ids[i] & 7));
}

void evtx_filter_channel(evtx_file *f, const char *channel)
{
    free(f->channel);
    f->channel = channel ? gl_xstrdup(channel) : NULL;
}

/* ---- chunks ------------------------------------------------------------ */

/* Offset of the next record signature in [from, to), or to. */
static uint32_t find_signature(const evtx_file *f, uint32_t from, uint32_t to)
{
    const uint8_t *c = f->chunk;
    for (uint32_t i = from; i + 4 <= to; i++) {
        const uint8_t *q = memchr(c + i, 0x2a, to - i);
        if (!q)
            return to;
        i = (uint32_t)(q - c);
        if (i + 4 <= to && q[1] == 0x2a && q[2] == 0 && q[3] == 0)
            return i;
    }
    return to;
}

static bool has_signature(const evtx_file *f, uint32_t from, uint32_t to) { return find_signature(f, from, to) < to; }

/* Read chunk ci into the buffer. -1 only on a reader error. */
static int load_chunk(evtx_file *f, uint64_t ci, gl_err *err)
{
    if (f->loaded == (int64_t)ci)
        return 0;
    uint64_t off = chunk_file_off(ci);
    if (f->r.view && off + EVTX_CHUNK_SIZE <= f->r.size) {
        f->chunk = f->r.view + off; /* in place: no copy */
        f->chunk_len = EVTX_CHUNK_SIZE;
    } else {
        int64_t n = f->r.read_at(f->r.ctx, off, f->buf, EVTX_CHUNK_SIZE, err);
        if (n < 0)
            return -1;
        if (n < EVTX_CHUNK_SIZE) /* a cut chunk reads as zeros after the cut */
            memset(f->buf + n, 0, EVTX_CHUNK_SIZE - (size_t)n);
        f->chunk = f->buf;
        f->chunk_len = (uint32_t)n;
    }
    f->loaded = (int64_t)ci;
    f->scan_bytes = 0;
    bx_ctx_chunk(&f->bx, f->chunk, f->chunk_len);
    f->bx_alt = false;
    return 0;
}

/* The chunk's common string table (64 buckets at 128) and template table
 * (32 at 384): chains of chunk offsets, each entry's first 4 bytes
 * pointing to the next. Names and templates are resolved through the
 * offsets the records carry, so the tables are only checked; the first
 * damaged entry is reported. */
static void check_tables(evtx_file *f, uint64_t ci, uint64_t foff)
{
    static const struct { const char *what; uint32_t base, buckets, min_size; } tables[] = {
        {"common string table", 128, 64, 10}, {"template table", 384, 32, 24}};
    const uint8_t *c = f->chunk;
    uint32_t steps = 0;
    for (size_t t = 0; t < 2; t++) {
        for (uint32_t i = 0; i < tables[t].buckets; i++) {
            uint32_t off = gl_le32(c + tables[t].base + 4 * i);
            while (off) {
                if (off < 512 || (uint64_t)off + tables[t].min_size > f->chunk_len) {
                    add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): %s bucket %" PRIu32
                                 ": entry offset 0x%" PRIx32 " outside the chunk's record area",
                              ci, foff, tables[t].what, i, off);
                    return;
                }
                if (++steps > 8192) { /* more entries than a chunk can hold: a cycle */
                    add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): %s bucket %" PRIu32 ": chain does not end (cycle)",
                              ci, foff, tables[t].what, i);
                    return;
                }
                if (t == 1)
                    tpl_note(f, gl_le32(c + off + 4), ci, off);
                off = gl_le32(c + off);
            }
        }
    }
}

/* Set up the LIVE region of the loaded chunk: check signature, header and
 * data CRCs, find where live records end. */
static void begin_live_chunk(evtx_file *f, uint64_t ci)
{
    const uint8_t *c = f->chunk;
    uint64_t foff = chunk_file_off(ci);
    /* A dirty header's chunk count is stale (Windows updates it lazily;
     * every dirty log in the corpus has live chunks past it), so only a
     * clean header's count marks later chunks as leftovers. */
    bool past = !f->hdr.dirty && f->hdr.chunk_count && ci >= f->hdr.chunk_count;
    f->flags = past ? EVTX_REC_PAST_COUNT : 0;
    f->mode = MODE_SEQ;
    f->pos = 512;
    f->stats.chunks_total++;
    if (f->chunk_len < 512) {
        add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): truncated to %" PRIu32 " bytes, no room for records", ci,
                  foff, f->chunk_len);
        f->end = f->live_end = 0;
        return;
    }
    if (f->chunk_len < EVTX_CHUNK_SIZE)
        add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): truncated to %" PRIu32 " of 65536 bytes", ci, foff,
                  f->chunk_len);
    bool all_zero = true;
    for (uint32_t i = 0; i < 512 && all_zero; i++)
        all_zero = c[i] == 0;
    if (all_zero && !has_signature(f, 512, f->chunk_len)) { /* never used: nothing to say */
        f->end = f->live_end = 512;
        return;
    }
    if (memcmp(c, "ElfChnk", 8)) {
        f->stats.chunks_bad_magic++;
        add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): expected signature \"ElfChnk\", found %02x %02x %02x %02x%s",
                  ci, foff, c[0], c[1], c[2], c[3], f->opt.no_recover ? "; skipped" : "; scanning it for records");
        /* Its records count like those of a chunk with a bad CRC: they are
         * in place in the chunk sequence. When the free-space offset still
         * makes sense, what lies after it is slack, carved later. */
        uint32_t free_off = gl_le32(c + 48);
        bool free_ok = free_off >= 512 && free_off <= f->chunk_len;
        f->mode = MODE_SCAN;
        f->flags |= EVTX_REC_BAD_CHUNK | EVTX_REC_BAD_MAGIC;
        f->end = f->opt.no_recover ? 512 : free_ok ? free_off : f->chunk_len;
        f->live_end = f->chunk_len;
        if (!f->opt.no_recover && free_ok && has_signature(f, free_off, f->chunk_len))
            f->carve[ci] = 1;
        return;
    }
    uint32_t stored = gl_le32(c + 124);
    uint32_t crc = evtx_crc32(evtx_crc32(0, c, 120), c + 128, 384);
    if (crc != stored) {
        f->stats.chunks_bad_header++;
        f->flags |= EVTX_REC_BAD_CHUNK;
        add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): header CRC32 mismatch (stored 0x%08" PRIx32
                     ", computed 0x%08" PRIx32 ")",
                  ci, foff, stored, crc);
    }
    uint32_t free_off = gl_le32(c + 48);
    if (free_off < 512 || free_off > f->chunk_len) {
        add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): free space offset 0x%" PRIx32
                     " outside 0x200..0x%" PRIx32 "; scanning the chunk for records",
                  ci, foff, free_off, f->chunk_len);
        f->flags |= EVTX_REC_BAD_CHUNK;
        f->mode = MODE_SCAN;
        f->end = f->live_end = f->chunk_len;
        return;
    }
    uint32_t dstored = gl_le32(c + 52);
    uint32_t dcrc = evtx_crc32(0, c + 512, free_off - 512);
    if (dcrc != dstored) {
        f->stats.chunks_bad_data_crc++;
        f->flags |= EVTX_REC_BAD_CHUNK;
        add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): event records CRC32 mismatch (stored 0x%08" PRIx32
                     ", computed 0x%08" PRIx32 ")",
                  ci, foff, dstored, dcrc);
    }
    check_tables(f, ci, foff);
    f->end = f->live_end = free_off;
    if (!f->opt.no_recover && has_signature(f, free_off, f->chunk_len))
        f->carve[ci] = 1;
}

/* ---- records ----------------------------------------------------------- */

/* Size of a plausible record at pos (signature, size, size copy), or 0. */
static uint32_t record_size_at(const evtx_file *f, uint32_t pos, uint32_t limit)
{
    const uint8_t *c = f->chunk;
    if ((uint64_t)pos + REC_HDR > limit || memcmp(c + pos, "\x2a\x2a\x00\x00", 4))
        return 0;
    uint32_t size = gl_le32(c + pos + 4);
    if (size < REC_MIN || size > limit - pos)
        return 0;
    if (gl_le32(c + pos + size - 4) != size)
        return 0;
    return size;
}

/* Is the record (id, written) a copy of a live one? Its number lies in a
 * live run and its written time within that run's: after a log is cleared
 * the numbers start again, and slack records from before the clear reuse
 * live numbers with older times. Only called once the runs are sorted. */
static bool run_contains(const evtx_file *f, uint64_t id, uint64_t written)
{
    size_t lo = 0, hi = f->nruns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->runs[mid].last < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->nruns && f->runs[lo].first <= id && written >= f->runs[lo].tmin && written <= f->runs[lo].tmax;
}

static void widen(id_run *r, uint64_t tmin, uint64_t tmax)
{
    if (tmin < r->tmin)
        r->tmin = tmin;
    if (tmax > r->tmax)
        r->tmax = tmax;
}

static void add_run(evtx_file *f, uint64_t id, uint64_t ci, uint64_t off, uint64_t written)
{
    if (f->nruns && f->runs[f->nruns - 1].last + 1 == id) {
        f->runs[f->nruns - 1].last = id;
        widen(&f->runs[f->nruns - 1], written, written);
        return;
    }
    if (f->nruns >= MAX_RUNS) {
        if (!f->runs_full)
            add_error(f, "more than %u separate EventRecordID runs: gap report incomplete", MAX_RUNS);
        f->runs_full = true;
        return;
    }
    if (f->nruns == f->cap_runs) {
        f->cap_runs = f->cap_runs ? f->cap_runs * 2 : 64;
        f->runs = gl_xrealloc(f->runs, f->cap_runs * sizeof *f->runs);
    }
    f->runs[f->nruns++] = (id_run){id, id, ci, off, written, written};
}

static int cmp_run(const void *a, const void *b)
{
    const id_run *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Sort and merge the live runs; the holes between them are the gaps. */
static void finish_runs(evtx_file *f)
{
    if (f->nruns == 0)
        return;
    qsort(f->runs, f->nruns, sizeof *f->runs, cmp_run);
    size_t w = 0;
    for (size_t i = 1; i < f->nruns; i++) {
        id_run *cur = &f->runs[w];
        const id_run *nx = &f->runs[i];
        if (nx->first <= cur->last + 1) {
            if (nx->last > cur->last)
                cur->last = nx->last;
            widen(cur, nx->tmin, nx->tmax);
            continue;
        }
        if (f->ngaps < MAX_GAPS) {
            if (f->ngaps % 64 == 0)
                f->gaps = gl_xrealloc(f->gaps, (f->ngaps + 64) * sizeof *f->gaps);
            f->gaps[f->ngaps++] = (evtx_gap){cur->last + 1, nx->first - 1, nx->chunk, nx->off};
        }
        f->runs[++w] = *nx;
    }
    f->nruns = w + 1;
}

/* Carved ids: open addressing, grows to CARVED_SET_MAX. Returns false if
 * id was already present. */
static bool carved_insert(evtx_file *f, uint64_t id)
{
    if (f->carved_n * 2 >= f->carved_cap) {
        if (f->carved_cap >= CARVED_SET_MAX)
            return true; /* full: stop deduplicating rather than grow */
        size_t ncap = f->carved_cap ? f->carved_cap * 2 : 1024;
        uint64_t *nt = gl_xzalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < f->carved_cap; i++) {
            uint64_t k = f->carved[i];
            if (!k)
                continue;
            size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (ncap - 1);
            while (nt[h])
                h = (h + 1) & (ncap - 1);
            nt[h] = k;
        }
        free(f->carved);
        f->carved = nt;
        f->carved_cap = ncap;
    }
    uint64_t k = id + 1; /* 0 marks an empty slot */
    size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (f->carved_cap - 1);
    while (f->carved[h]) {
        if (f->carved[h] == k)
            return false;
        h = (h + 1) & (f->carved_cap - 1);
    }
    f->carved[h] = k;
    f->carved_n++;
    return true;
}

/* ASCII case-insensitive equality (channel names are ASCII). */
static bool same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

/* Cheap filter on the template's EventID / Channel substitutions. Returns
 * 1 keep, 0 drop, -1 undecided (decide on the model). */
static int peek_filter(evtx_file *f)
{
    const evtx_value *vals;
    uint32_t nv;
    const bx_tpl_slot *t = bx_record_template(&f->bx, f->root, &vals, &nv);
    if (!t)
        return -1;
    if (f->id_bits) {
        uint64_t id = t->eventid_const;
        bool known = t->eventid_sub == -2 || (t->eventid_sub >= 0 && (uint32_t)t->eventid_sub < nv &&
                                             evtx_value_uint(&vals[t->eventid_sub], &id));
        if (!known)
            return -1;
        if (id > 0xffff || !(f->id_bits[id >> 3] & (1u << (id & 7))))
            return 0;
    }
    if (f->channel) {
        if (t->channel_sub < 0 || (uint32_t)t->channel_sub >= nv)
            return -1;
        gl_buf_clear(&f->tmp);
        evtx_format_value(&f->tmp, &vals[t->channel_sub]);
        if (!same_name(gl_buf_cstr(&f->tmp), f->channel))
            return 0;
    }
    return 1;
}

static bool model_filter(const evtx_file *f, const evtx_event *ev)
{
    if (f->id_bits && (!(ev->has & EVTX_HAS_EVENT_ID) || !(f->id_bits[ev->event_id >> 3] & (1u << (ev->event_id & 7)))))
        return false;
    if (f->channel && !same_name(ev->channel, f->channel))
        return false;
    return true;
}

/* The lowest and highest EventRecordID of live records, whatever the
 * filters: how far a log reaches back tells whether it was cleared. */
static void note_extent(evtx_stats *st, uint64_t id, uint64_t written)
{
    if (!st->first_live_id || id < st->first_live_id) {
        st->first_live_id = id;
        st->first_live_written = written;
    }
    if (id >= st->last_live_id) {
        st->last_live_id = id;
        st->last_live_written = written;
    }
}

/* A record header that can stand on its own when its body cannot be
 * rendered: 8-byte aligned in the chunk as Windows writes records, a
 * number, a written time between 1990 and 2100, and a body that starts as
 * every record's does (a binary XML fragment header, version 1.1). */
#define FT_1990 0x01B41E2A18D64000ull
#define FT_2100 0x022F716377640000ull
static bool header_plausible(const uint8_t *chunk, uint32_t pos)
{
    const uint8_t *rec = chunk + pos;
    uint64_t t = gl_le64(rec + 16);
    return pos % 8 == 0 && gl_le64(rec + 8) != 0 && t >= FT_1990 && t < FT_2100 && rec[REC_HDR] == 0x0f &&
           rec[REC_HDR + 1] == 0x01 && rec[REC_HDR + 2] == 0x01;
}

/* Which records count towards the EventRecordID runs (gaps) and the live
 * extent (first/last_live_*): those in place in the chunk sequence, damaged
 * chunks and resynchronised records included; not slack, nor chunks past a
 * clean header's chunk count (leftovers the log no longer counts). */
static bool counts_in_runs(unsigned flags) { return !(flags & (EVTX_REC_CARVED | EVTX_REC_PAST_COUNT)); }

/* Fill f->ev for a record whose header is all that can be read. */
static void partial_event(evtx_file *f, uint64_t id, uint64_t written, uint64_t foff, const char *why)
{
    evtx_event *ev = &f->ev;
    memset(ev, 0, sizeof *ev);
    ev->record_id = ev->event_record_id = id;
    ev->written_time = written;
    ev->file_offset = foff;
    ev->chunk_index = (uint64_t)f->loaded;
    ev->recovered = true;
    ev->recovered_why = f->flags;
    ev->recovered_from = evtx_recovered_from(f->flags);
    ev->partial = true;
    snprintf(f->partial_reason, sizeof f->partial_reason, "%s", why);
    ev->partial_reason = f->partial_reason;
    gl_filetime_iso(written, 7, ev->written_iso);
    ev->provider_name = ev->provider_guid = ev->event_source_name = "";
    ev->channel = ev->computer = ev->user_id = "";
    f->root = 0;
}

/* bx back on the loaded chunk after a record read against alt. */
static void bx_home(evtx_file *f)
{
    if (!f->bx_alt)
        return;
    bx_ctx_chunk(&f->bx, f->chunk, f->chunk_len);
    f->bx_alt = false;
}

/* A scan candidate whose template its chunk no longer holds, read against
 * the chunk that defines it (its template table found it there): that
 * chunk in alt with the record copied after it, so the record's own
 * offsets stay inside the buffer. 0 when the whole record parsed. */
static int parse_elsewhere(evtx_file *f, uint32_t pos, uint32_t size, uint32_t *root, gl_err *e)
{
    const tpl_where *w = tpl_lookup(f, f->bx.tpl_missing);
    if (!w || w->chunk == (uint64_t)f->loaded)
        return -1;
    if (!f->alt)
        f->alt = gl_xmalloc(2 * (size_t)EVTX_CHUNK_SIZE);
    gl_err rerr = {0};
    int64_t n = f->r.read_at(f->r.ctx, chunk_file_off(w->chunk), f->alt, EVTX_CHUNK_SIZE, &rerr);
    if (n < (int64_t)w->off + 24)
        return -1;
    memset(f->alt + n, 0, EVTX_CHUNK_SIZE - (size_t)n);
    memcpy(f->alt + EVTX_CHUNK_SIZE, f->chunk + pos, size);
    bx_ctx_chunk(&f->bx, f->alt, EVTX_CHUNK_SIZE + size);
    f->bx_alt = true;
    f->bx.tpl_find = bx_table_find;
    f->bx.tpl_missing_set = false;
    if (bx_parse_record(&f->bx, EVTX_CHUNK_SIZE + REC_HDR, EVTX_CHUNK_SIZE + size - 4, root, e) < 0)
        return -1;
    return bx_parse_nested(&f->bx, e);
}

/* Parse a scan candidate: against its own chunk, where a template whose
 * definition was overwritten may be defined again at another offset, then
 * (slack) against the chunk that defines it. On failure, why holds the
 * reason. */
static bool parse_scanned(evtx_file *f, uint32_t pos, uint32_t size, uint32_t *root, char *why, size_t why_len)
{
    gl_err e = {0};
    f->bx.tpl_find = bx_table_find;
    f->bx.tpl_missing_set = false;
    bool ok = bx_parse_record(&f->bx, pos + REC_HDR, pos + size - 4, root, &e) == 0 && bx_parse_nested(&f->bx, &e) == 0;
    f->bx.tpl_find = NULL;
    if (ok)
        return true;
    snprintf(why, why_len, "%s", e.msg);
    /* Other chunks only once every chunk's templates are known (the carve
     * phase), so what a record renders as never depends on the order
     * chunks were read in, nor on reading them in parts. */
    if (!f->bx.tpl_missing_set || f->phase != PH_CARVE)
        return false;
    if (!tpl_lookup(f, f->bx.tpl_missing)) {
        snprintf(why, why_len, "%s, nor does any other chunk of the file", e.msg);
        return false;
    }
    gl_err e2 = {0};
    ok = parse_elsewhere(f, pos, size, root, &e2) == 0;
    f->bx.tpl_find = NULL;
    if (!ok)
        bx_home(f);
    return ok;
}

/* Parse the record at pos (size bytes): an event (f->ev filled), skipped
 * (filtered or a duplicate) or, for scan candidates, unparsed. A scan
 * candidate whose header stands but whose body does not parse comes back
 * as a partial event. */
enum { TAKE_SKIPPED, TAKE_EVENT, TAKE_UNPARSED };
static int take_record(evtx_file *f, uint32_t pos, uint32_t size)
{
    const uint8_t *c = f->chunk;
    uint64_t id = gl_le64(c + pos + 8);
    uint64_t foff = chunk_file_off((uint64_t)f->loaded) + pos;
    bool carved = (f->flags & EVTX_REC_CARVED) != 0;
    bool scan = f->mode == MODE_SCAN;
    if (carved && run_contains(f, id, gl_le64(c + pos + 16)))
        return TAKE_SKIPPED;
    if (scan) {
        /* false candidates may overlap: bound the work to a few chunk sizes */
        f->scan_bytes += size;
        if (f->scan_bytes > SCAN_BUDGET) {
            add_error(f, "chunk %" PRIu64 " (offset 0x%" PRIx64 "): more than %u bytes of record candidates; scan stopped at 0x%" PRIx64,
                      (uint64_t)f->loaded, chunk_file_off((uint64_t)f->loaded), SCAN_BUDGET, foff);
            f->end = pos;
            return TAKE_SKIPPED;
        }
    }
    bx_home(f);
    gl_err e; /* read only after a failure set it: no 1 KiB clear per record */
    e.msg[0] = '\0';
    e.code = GL_ERR_OTHER;
    uint32_t root = 0;
    int prc = 0;
    /* A scan candidate is rendered only when it is entirely valid binary
     * XML, nested values included (stale slack records point at templates
     * that were overwritten, found again elsewhere in the chunk or the
     * file if at all); otherwise only its header is reported. */
    bool nested_done = false, partial = false;
    char why[sizeof f->partial_reason];
    if (scan) {
        nested_done = parse_scanned(f, pos, size, &root, why, sizeof why);
        if (!nested_done) {
            f->stats.records_bad++;
            if (!header_plausible(c, pos))
                return TAKE_UNPARSED;
            partial = true;
        }
    } else if ((prc = bx_parse_record(&f->bx, pos + REC_HDR, pos + size - 4, &root, &e)) < 0) {
        add_error(f, "chunk %" PRIu64 ": record %" PRIu64 " at offset 0x%" PRIx64 ": %s", (uint64_t)f->loaded, id, foff,
                  e.msg);
    }
    bool counts = counts_in_runs(f->flags);
    if (counts)
        add_run(f, id, (uint64_t)f->loaded, foff, gl_le64(c + pos + 16));
    f->root = root;
    if (carved && !carved_insert(f, id))
        return TAKE_SKIPPED;
    if (f->flags)
        f->stats.recovered_any++;
    if (counts)
        note_extent(&f->stats, id, gl_le64(c + pos + 16));
    if (partial) {
        if (f->id_bits || f->channel)
            return TAKE_SKIPPED; /* no EventID or Channel to match */
        partial_event(f, id, gl_le64(c + pos + 16), foff, why);
        f->stats.records_recovered++;
        return TAKE_EVENT;
    }
    if ((f->id_bits || f->channel) && peek_filter(f) == 0) {
        f->stats.records_filtered++;
        return TAKE_SKIPPED;
    }
    evtx_event *ev = &f->ev;
    memset(ev, 0, sizeof *ev);
    ev->record_id = id;
    ev->written_time = gl_le64(c + pos + 16);
    ev->file_offset = foff;
    ev->chunk_index = (uint64_t)f->loaded;
    ev->recovered = f->flags != 0;
    ev->recovered_why = f->flags;
    ev->recovered_from = evtx_recovered_from(f->flags);
    if (prc == 0 && !nested_done && bx_parse_nested(&f->bx, &e) < 0)
        add_error(f, "chunk %" PRIu64 ": record %" PRIu64 " at offset 0x%" PRIx64 ": nested BinXml: %s",
                  (uint64_t)f->loaded, id, foff, e.msg);
    if (evtx_model_build(&f->bx, root, &f->model, ev, &e) < 0)
        add_error(f, "chunk %" PRIu64 ": record %" PRIu64 " at offset 0x%" PRIx64 ": %s", (uint64_t)f->loaded, id, foff,
                  e.msg);
    if ((f->id_bits || f->channel) && !model_filter(f, ev)) {
        f->stats.records_filtered++;
        return TAKE_SKIPPED;
    }
    if (ev->recovered)
        f->stats.records_recovered++;
    else
        f->stats.records_live++;
    return TAKE_EVENT;
}

/* Next record of the current region. 1 = event, 0 = region exhausted. */
static int next_in_region(evtx_file *f)
{
    while (f->pos < f->end) {
        uint32_t size = record_size_at(f, f->pos, f->chunk_len);
        if (f->mode == MODE_SEQ && (!size || f->pos + size > f->live_end)) {
            f->stats.records_bad++;
            add_error(f, "chunk %" PRIu64 ": offset 0x%" PRIx64 ": expected an event record (signature 2a 2a 00 00, size and size copy within the chunk); resynchronising",
                      (uint64_t)f->loaded, chunk_file_off((uint64_t)f->loaded) + f->pos);
            f->mode = MODE_SCAN;
            f->flags |= EVTX_REC_AFTER_DAMAGE;
            f->pos = find_signature(f, f->pos + 1, f->end);
            continue;
        }
        if (f->mode == MODE_SCAN && !size) {
            f->pos = find_signature(f, f->pos + 1, f->end);
            continue;
        }
        uint32_t pos = f->pos;
        int rc = take_record(f, pos, size);
        if (rc == TAKE_UNPARSED) { /* a false signature: look further */
            f->pos = find_signature(f, pos + 1, f->end);
            continue;
        }
        f->pos = pos + size;
        if (rc == TAKE_EVENT)
            return 1;
    }
    return 0;
}

/* The CARVE region of a chunk: its slack, scanned for record signatures. */
static void begin_carve_chunk(evtx_file *f)
{
    uint32_t free_off = gl_le32(f->chunk + 48);
    f->mode = MODE_SCAN;
    f->flags = EVTX_REC_CARVED;
    f->pos = free_off;
    f->end = f->live_end = f->chunk_len;
}

/* Next record of the phase: chunks in file order (CARVE: only those with
 * signatures in their slack). 1 = event, 0 = phase done, -1 read error. */
static int advance(evtx_file *f, bool carve, gl_err *err)
{
    for (;;) {
        if (f->in_chunk && next_in_region(f))
            return 1;
        if (f->in_chunk)
            f->ci++;
        f->in_chunk = false;
        while (carve && f->ci < f->nchunks && !f->carve[f->ci])
            f->ci++;
        if (f->ci >= (carve ? f->nchunks : f->ci_end))
            return 0;
        if (load_chunk(f, f->ci, err) < 0)
            return -1;
        if (carve)
            begin_carve_chunk(f);
        else
            begin_live_chunk(f, f->ci);
        f->in_chunk = true;
    }
}

/* Live records done: runs closed, then the carve phase from chunk 0. The
 * chunk the live phase ended on is read again, with fresh per-chunk
 * caches, so a carved record says the same whether this reader or parts
 * read the live records (a damaged template it shares with a live record
 * is reported in full, not "reported before"). */
static void start_carving(evtx_file *f)
{
    finish_runs(f);
    f->phase = f->opt.no_recover ? PH_DONE : PH_CARVE;
    f->ci = 0;
    f->in_chunk = false;
    f->loaded = -1;
}

int evtx_next(evtx_file *f, const evtx_event **ev, gl_err *err)
{
    f->have_event = false;
    for (;;) {
        int rc = 0;
        if (f->phase == PH_LIVE) {
            rc = advance(f, false, err);
            if (rc == 0 && f->part) {
                f->phase = PH_DONE; /* the whole file's reader carves */
                continue;
            }
            if (rc == 0) {
                start_carving(f);
                continue;
            }
        } else if (f->phase == PH_CARVE) {
            rc = advance(f, true, err);
            if (rc == 0) {
                f->phase = PH_DONE;
                continue;
            }
        } else {
            return 0;
        }
        if (rc < 0)
            return -1;
        f->have_event = true;
        *ev = &f->ev;
        return 1;
    }
}

/* ---- reading with several threads ------------------------------------- */

static void absorb_errors(evtx_file *f, evtx_file *part)
{
    for (size_t i = 0; i < part->nerrs; i++) {
        if (f->nerrs >= EVTX_MAX_ERRORS) {
            free(part->errs[i]);
            continue;
        }
        f->errs = gl_xrealloc(f->errs, (f->nerrs + 1) * sizeof *f->errs);
        f->errs[f->nerrs++] = part->errs[i];
    }
    f->errs_total += part->errs_total;
    part->nerrs = 0;
}

/* Runs in chunk order, as add_run would have built them. */
static void absorb_runs(evtx_file *f, const evtx_file *part)
{
    for (size_t i = 0; i < part->nruns; i++) {
        const id_run *r = &part->runs[i];
        if (f->nruns && f->runs[f->nruns - 1].last + 1 == r->first) {
            f->runs[f->nruns - 1].last = r->last;
            widen(&f->runs[f->nruns - 1], r->tmin, r->tmax);
            continue;
        }
        size_t before = f->nruns;
        add_run(f, r->first, r->chunk, r->off, r->tmin);
        if (f->nruns == before)
            break; /* full, and said so */
        f->runs[f->nruns - 1].last = r->last;
        widen(&f->runs[f->nruns - 1], r->tmin, r->tmax);
    }
    if (part->runs_full && !f->runs_full) {
        add_error(f, "more than %u separate EventRecordID runs: gap report incomplete", MAX_RUNS);
        f->runs_full = true;
    }
}

static void absorb_stats(evtx_stats *st, const evtx_stats *p)
{
    st->chunks_total += p->chunks_total;
    st->chunks_bad_header += p->chunks_bad_header;
    st->chunks_bad_data_crc += p->chunks_bad_data_crc;
    st->chunks_bad_magic += p->chunks_bad_magic;
    st->records_live += p->records_live;
    st->records_recovered += p->records_recovered;
    st->records_filtered += p->records_filtered;
    st->records_bad += p->records_bad;
    st->recovered_any += p->recovered_any;
    /* first: the earliest of the lowest; last: the latest of the highest */
    if (p->first_live_id && (!st->first_live_id || p->first_live_id < st->first_live_id)) {
        st->first_live_id = p->first_live_id;
        st->first_live_written = p->first_live_written;
    }
    if (p->first_live_id && p->last_live_id >= st->last_live_id) {
        st->last_live_id = p->last_live_id;
        st->last_live_written = p->last_live_written;
    }
}

void evtx_absorb(evtx_file *f, evtx_file *part)
{
    absorb_errors(f, part);
    if (part->runs_full || part->nruns)
        absorb_runs(f, part);
    absorb_stats(&f->stats, &part->stats);
    for (uint64_t ci = part->ci_first; ci < part->ci_end && ci < f->nchunks; ci++)
        f->carve[ci] |= part->carve[ci - part->carve_base];
    /* chunk order: a template both define stays where f found it first */
    for (size_t i = 0; i < part->tpls_cap; i++)
        if (part->tpls[i].id)
            tpl_note(f, part->tpls[i].id - 1, part->tpls[i].chunk, part->tpls[i].off);
}

/* Exchange the values of a and b. */
#define SWAP(type, a, b)                                                                                               \
    do {                                                                                                               \
        type swap_tmp = (a);                                                                                           \
        (a) = (b);                                                                                                     \
        (b) = swap_tmp;                                                                                                \
    } while (0)

evtx_file *evtx_take_findings(evtx_file *part, evtx_file *found)
{
    if (!found)
        found = gl_xcalloc(1, sizeof *found);
    reset_findings(found);
    /* errors, runs and templates change hands whole: found takes part's
     * arrays and part gets found's emptied ones, which reopening part for
     * its next range resets anyway */
    SWAP(char **, found->errs, part->errs);
    found->nerrs = part->nerrs;
    found->errs_total = part->errs_total;
    part->nerrs = part->errs_total = 0;
    SWAP(id_run *, found->runs, part->runs);
    SWAP(size_t, found->cap_runs, part->cap_runs);
    found->nruns = part->nruns;
    found->runs_full = part->runs_full;
    part->nruns = 0;
    SWAP(tpl_where *, found->tpls, part->tpls);
    SWAP(size_t, found->tpls_cap, part->tpls_cap);
    found->tpls_n = part->tpls_n;
    part->tpls_n = 0;
    found->stats = part->stats;
    found->nchunks = part->nchunks;
    /* the slack flags of part's range only: part's array spans the file */
    found->ci_first = found->carve_base = part->ci_first;
    found->ci_end = part->ci_end;
    size_t span = (size_t)(part->ci_end - part->ci_first);
    if (found->carve_cap < span || !found->carve) {
        free(found->carve);
        found->carve_cap = span;
        found->carve = gl_xmalloc(span ? span : 1);
    }
    if (span)
        memcpy(found->carve, part->carve + part->ci_first - part->carve_base, span);
    return found;
}

void evtx_live_done(evtx_file *f)
{
    if (f->phase == PH_LIVE)
        start_carving(f);
}

const char *evtx_recovered_from(unsigned why)
{
    if (why & EVTX_REC_BAD_MAGIC)
        return "bad_magic_chunk";
    if (why & EVTX_REC_BAD_CHUNK)
        return "bad_crc_chunk";
    if (why & EVTX_REC_PAST_COUNT)
        return "chunk_past_header";
    if (why & EVTX_REC_AFTER_DAMAGE)
        return "resync";
    if (why & EVTX_REC_CARVED)
        return "slack";
    return NULL;
}

const char *evtx_event_value(const evtx_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->ndata; i++)
        if (!strcmp(ev->data[i].name, name))
            return ev->data[i].value;
    for (size_t i = 0; i < ev->nuser; i++)
        if (!ev->user[i].is_attr && !strcmp(ev->user[i].name, name))
            return ev->user[i].value;
    return NULL;
}

int evtx_event_xml(evtx_file *f, const evtx_event *ev, gl_buf *out)
{
    if (!f->have_event || ev != &f->ev || ev->partial)
        return -1;
    gl_err e;
    return evtx_xml_render(&f->bx, f->root, out, &e);
}

void evtx_event_json(evtx_file *f, const evtx_event *ev, gl_json *j, unsigned flags)
{
    const char *xml = NULL;
    size_t xml_len = 0;
    if ((flags & EVTX_JSON_XML) && f->have_event && ev == &f->ev && !ev->partial) {
        gl_buf_clear(&f->xml);
        gl_err e;
        evtx_xml_render(&f->bx, f->root, &f->xml, &e);
        xml = f->xml.data ? f->xml.data : "";
        xml_len = f->xml.len;
    }
    evtx_json_render(ev, j, xml, xml_len, ev == &f->ev ? &f->model.str : NULL);
}

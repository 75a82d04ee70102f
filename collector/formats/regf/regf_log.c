/* Transaction log replay for dirty hives, as Windows does it on load:
 *  - old format (file type 1/2): partial base block, "DIRT" bitmap of dirty
 *    512-byte pages, then those pages in bitmap order;
 *  - new format (file type 6): "HvLE" log entries, each with a sequence
 *    number, the hive bins size at that time, page references and the pages,
 *    protected by two Marvin32 hashes.
 * A base block with a bad checksum is replaced by the log's copy. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "regf_int.h"
#include "text.h"

#define LOG_SECTOR 512u
#define HVLE_HDR 40u
#define MAX_LOG_ENTRIES 100000u /* far above what a real log holds; bounds the index */

/* Seed Windows uses for the log entry hashes. */
#define MARVIN_SEED 0x82EF4D887A4E55C5ull

static uint32_t rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void marvin_mix(uint32_t *lo, uint32_t *hi)
{
    *hi ^= *lo;
    *lo = rotl32(*lo, 20);
    *lo += *hi;
    *hi = rotl32(*hi, 9);
    *hi ^= *lo;
    *lo = rotl32(*lo, 27);
    *lo += *hi;
    *hi = rotl32(*hi, 19);
}

/* One 32-bit step of the hash. */
static inline void marvin_word(uint32_t *lo, uint32_t *hi, const uint8_t *p)
{
    *lo += gl_le32(p);
    marvin_mix(lo, hi);
}

/* The hash of n bytes whose first n / 4 * 4 are already in lo, hi. */
static uint64_t marvin_finish(uint32_t lo, uint32_t hi, const uint8_t *p, size_t n)
{
    size_t i = n / 4 * 4;
    uint32_t fin = 0x80;
    for (size_t k = n - i; k-- > 0;)
        fin = (fin << 8) | p[i + k];
    lo += fin;
    marvin_mix(&lo, &hi);
    marvin_mix(&lo, &hi);
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t marvin32(const uint8_t *p, size_t n)
{
    uint32_t lo = (uint32_t)MARVIN_SEED, hi = (uint32_t)(MARVIN_SEED >> 32);
    for (size_t i = 0; n - i >= 4; i += 4)
        marvin_word(&lo, &hi, p + i);
    return marvin_finish(lo, hi, p, n);
}

/* Hashing the log entries is most of a replay's time, and each step waits
 * for the one before (about 5 cycles per 4 bytes). Hashes of different
 * entries do not depend on each other, so MARVIN_LANES of them run
 * interleaved, each lane taking the next entry when its own is done: the
 * processor overlaps their steps (0.48 -> 0.25 ms for a 1.1 MB log). */
#define MARVIN_LANES 3

typedef struct marvin_lane {
    const uint8_t *start, *p; /* the entry's data, and the next word */
    size_t n, words;          /* its length, and the words still to hash */
    uint32_t lo, hi;
    size_t job;
} marvin_lane;

/* Advance lanes l[0..nl) by k words each (every lane has at least k). */
static void marvin_lanes_step(marvin_lane *l, size_t nl, size_t k)
{
    if (nl == MARVIN_LANES) {
        uint32_t lo0 = l[0].lo, hi0 = l[0].hi, lo1 = l[1].lo, hi1 = l[1].hi, lo2 = l[2].lo, hi2 = l[2].hi;
        const uint8_t *p0 = l[0].p, *p1 = l[1].p, *p2 = l[2].p;
        for (size_t i = 0; i < 4 * k; i += 4) {
            marvin_word(&lo0, &hi0, p0 + i);
            marvin_word(&lo1, &hi1, p1 + i);
            marvin_word(&lo2, &hi2, p2 + i);
        }
        l[0].lo = lo0, l[0].hi = hi0, l[1].lo = lo1, l[1].hi = hi1, l[2].lo = lo2, l[2].hi = hi2;
    } else if (nl == 2) {
        uint32_t lo0 = l[0].lo, hi0 = l[0].hi, lo1 = l[1].lo, hi1 = l[1].hi;
        const uint8_t *p0 = l[0].p, *p1 = l[1].p;
        for (size_t i = 0; i < 4 * k; i += 4) {
            marvin_word(&lo0, &hi0, p0 + i);
            marvin_word(&lo1, &hi1, p1 + i);
        }
        l[0].lo = lo0, l[0].hi = hi0, l[1].lo = lo1, l[1].hi = hi1;
    } else {
        for (size_t i = 0; i < 4 * k; i += 4)
            marvin_word(&l[0].lo, &l[0].hi, l[0].p + i);
    }
    for (size_t i = 0; i < nl; i++) {
        l[i].p += 4 * k;
        l[i].words -= k;
    }
}

/* out[i] := marvin32(p[i], n[i]) for i < count. */
static void marvin32_many(const uint8_t *const *p, const size_t *n, uint64_t *out, size_t count)
{
    marvin_lane l[MARVIN_LANES];
    size_t nl = 0, next = 0;
    for (;;) {
        while (nl < MARVIN_LANES && next < count) {
            l[nl] = (marvin_lane){p[next], p[next], n[next], n[next] / 4, (uint32_t)MARVIN_SEED,
                                  (uint32_t)(MARVIN_SEED >> 32), next};
            nl++;
            next++;
        }
        if (!nl)
            return;
        size_t k = l[0].words;
        for (size_t i = 1; i < nl; i++)
            if (l[i].words < k)
                k = l[i].words;
        marvin_lanes_step(l, nl, k);
        for (size_t i = nl; i-- > 0;) {
            if (l[i].words)
                continue;
            out[l[i].job] = marvin_finish(l[i].lo, l[i].hi, l[i].start, l[i].n);
            l[i] = l[--nl];
        }
    }
}

typedef struct log_file {
    const char *label; /* "LOG1" / "LOG2" */
    const char *name;
    const uint8_t *data;
    uint8_t *own;      /* data when it is our copy (the reader has no view) */
    size_t len;
    bool valid;        /* base block usable */
    uint32_t type, seq1, seq2;
    bool used;
} log_file;

typedef struct log_entry {
    log_file *log;
    size_t off, size;
    uint32_t seq, hbins, npages;
} log_entry;

static void log_load(regf_hive *h, log_file *lf, const gl_reader *r, const char *label)
{
    memset(lf, 0, sizeof *lf);
    lf->label = label;
    if (!r || r->size == 0)
        return;
    lf->name = r->name ? r->name : label;
    if (r->size > h->opt.max_hive_size) {
        regf_report(h, "%s: log is %" PRIu64 " bytes, over the limit; not used", lf->name, r->size);
        return;
    }
    if (r->size < LOG_SECTOR) {
        regf_report(h, "%s: log is %" PRIu64 " bytes, expected at least a 512-byte base block; not used", lf->name,
                    r->size);
        return;
    }
    gl_err err;
    lf->len = (size_t)r->size;
    /* The log is only read during regf_open, while the reader is valid:
     * a memory-backed one (a mapping) is read in place, not copied. */
    if (r->view)
        lf->data = r->view;
    else {
        lf->data = lf->own = gl_xmalloc(lf->len);
        if (gl_read_exact(r, 0, lf->own, lf->len, &err) < 0) {
            regf_report(h, "%s", err.msg);
            return;
        }
    }
    const uint8_t *b = lf->data;
    lf->type = gl_le32(b + 28);
    lf->seq1 = gl_le32(b + 4);
    lf->seq2 = gl_le32(b + 8);
    if (memcmp(b, "regf", 4))
        regf_report(h, "%s: file offset 0: log base block: expected signature \"regf\"; not used", lf->name);
    else if (regf_checksum(b) != gl_le32(b + 508))
        regf_report(h, "%s: file offset 0x1FC: log base block: checksum mismatch; not used", lf->name);
    else if (lf->type != 1 && lf->type != 2 && lf->type != 6)
        regf_report(h, "%s: log base block: file type %" PRIu32 ", expected 1, 2 or 6; not used", lf->name, lf->type);
    else
        lf->valid = true;
}

/* Make the image hold hbins bytes of hive bins data (new bytes zeroed). */
static bool image_fit(regf_hive *h, uint32_t hbins)
{
    uint64_t need64 = (uint64_t)REGF_BASE_SIZE + hbins;
    if (need64 > h->opt.max_hive_size || need64 > SIZE_MAX) {
        regf_report(h, "log: hive bins size 0x%" PRIX32 " exceeds the size limit; not applied", hbins);
        return false;
    }
    size_t need = (size_t)need64;
    regf_image_grow(h, need);
    return true;
}

static void set_base_seq(regf_hive *h, uint32_t seq, uint32_t hbins)
{
    uint8_t *b = regf_image_mut(h);
    for (int i = 0; i < 4; i++) {
        b[4 + i] = b[8 + i] = (uint8_t)(seq >> (8 * i));
        b[40 + i] = (uint8_t)(hbins >> (8 * i));
    }
    uint32_t ck = regf_checksum(b);
    for (int i = 0; i < 4; i++)
        b[508 + i] = (uint8_t)(ck >> (8 * i));
    h->info.seq_recovered = seq;
    h->info.recovery_applied = true;
    h->info.root_offset = gl_le32(b + 36);
}

/* A primary base block with a bad checksum is replaced by the log's copy
 * (only its first sector is logged; the rest of ours is kept). */
static void recover_base_block(regf_hive *h, const log_file *lf)
{
    uint8_t *img = regf_image_mut(h);
    memcpy(img, lf->data, LOG_SECTOR);
    img[28] = img[29] = img[30] = img[31] = 0; /* file type: primary */
}

static const char *logs_label(const log_file *a, const log_file *b)
{
    if (a->used && b->used)
        return "LOG1+LOG2";
    return a->used ? "LOG1" : b->used ? "LOG2" : "";
}

/* Where the log body starts: the second sector. Sectors are 512 bytes
 * unless the disk's were larger (clustering factor at base block +44), in
 * which case the body starts at clustering factor * 512; the signature
 * tells which. */
static size_t body_start(const log_file *lf, const char *sig)
{
    uint32_t cf = gl_le32(lf->data + 44);
    if (lf->len >= LOG_SECTOR + 4 && !memcmp(lf->data + LOG_SECTOR, sig, 4))
        return LOG_SECTOR;
    if (cf > 1 && cf <= 8 && (size_t)cf * LOG_SECTOR + 4 <= lf->len && !memcmp(lf->data + cf * LOG_SECTOR, sig, 4))
        return (size_t)cf * LOG_SECTOR;
    return LOG_SECTOR;
}

/* ---- old format ---- */

static bool apply_old(regf_hive *h, log_file *lf)
{
    const uint8_t *b = lf->data;
    uint64_t ts = gl_le64(b + 12);
    /* The log must describe this hive's state: same last-written time as
     * the primary base block or, when that block is damaged, as the first
     * hive bin's copy. A damaged block is accepted on either, since the
     * corruption need not have touched the timestamp. */
    bool hbin_ok = h->img_len >= REGF_BASE_SIZE + 28 && !memcmp(h->img + REGF_BASE_SIZE, "hbin", 4);
    bool match = ts == h->info.last_written ||
                 (!h->info.checksum_ok && hbin_ok && ts == gl_le64(h->img + REGF_BASE_SIZE + 20));
    if (lf->seq1 != lf->seq2) {
        regf_report(h, "%s: log base block: sequence numbers %" PRIu32 "/%" PRIu32 " differ (log incomplete); not used",
                    lf->name, lf->seq1, lf->seq2);
        return false;
    }
    if (!match) {
        regf_report(h, "%s: log base block: last written time does not match the hive; log belongs to another state, "
                    "not used",
                    lf->name);
        return false;
    }
    size_t vec = body_start(lf, "DIRT");
    if (lf->len < vec + 4 || memcmp(lf->data + vec, "DIRT", 4)) {
        regf_report(h, "%s: file offset 0x%" PRIX64 ": dirty vector: expected signature \"DIRT\"; not used", lf->name,
                    (uint64_t)vec);
        return false;
    }
    uint32_t hbins = gl_le32(b + 40);
    if (hbins % REGF_PAGE || !hbins) {
        regf_report(h, "%s: log base block: hive bins size 0x%" PRIX32 " is not a multiple of 4096; not used",
                    lf->name, hbins);
        return false;
    }
    size_t bits = hbins / LOG_SECTOR, bytes = bits / 8;
    if (vec + 4 + bytes > lf->len) {
        regf_report(h, "%s: dirty vector: bitmap of %" PRIu64 " bytes runs past the end of the log; not used",
                    lf->name, (uint64_t)bytes);
        return false;
    }
    const uint8_t *bitmap = lf->data + vec + 4;
    /* Grow the image only as far as the logged pages reach: a size field
     * alone must not make us allocate (a grown hive logs its new bins). */
    size_t top = 0;
    for (size_t bit = 0; bit < bits; bit++)
        if (bitmap[bit / 8] & (1u << (bit % 8)))
            top = (bit + 1) * LOG_SECTOR;
    if (!h->info.checksum_ok)
        recover_base_block(h, lf);
    if (!image_fit(h, (uint32_t)((top + REGF_PAGE - 1) / REGF_PAGE * REGF_PAGE)))
        return false;
    size_t page_at = (vec + 4 + bytes + LOG_SECTOR - 1) / LOG_SECTOR * LOG_SECTOR;
    uint32_t applied = 0;
    for (size_t bit = 0; bit < bits; bit++) {
        if (!(bitmap[bit / 8] & (1u << (bit % 8))))
            continue;
        if (page_at + LOG_SECTOR > lf->len) {
            regf_report(h, "%s: file offset 0x%" PRIX64 ": dirty page for hive offset 0x%" PRIX64 " missing (log truncated); replay "
                        "stopped",
                        lf->name, (uint64_t)page_at, (uint64_t)(bit * LOG_SECTOR));
            break;
        }
        memcpy(regf_image_mut(h) + REGF_BASE_SIZE + bit * LOG_SECTOR, lf->data + page_at, LOG_SECTOR);
        page_at += LOG_SECTOR;
        applied++;
    }
    lf->used = true;
    h->info.log_format = REGF_LOG_OLD;
    h->info.log_pages = applied;
    set_base_seq(h, lf->seq1, hbins);
    return true;
}

/* ---- new format ---- */

/* Why index_entries stopped before the hashes were checked: reported
 * only when every entry before it is intact (a bad hash stops first). */
typedef struct log_stop {
    enum { STOP_NONE, STOP_SIZE, STOP_FIELDS } why;
    bool relevant;
    size_t off;
    uint32_t size, seq, hbins, np;
} log_stop;

/* The well-formed entries of one log appended to list[*n..], stopping at
 * the first that is not a well-formed entry following the previous one
 * (the rest is stale). Hashes are not checked yet. */
static log_stop frame_entries(log_file *lf, log_entry **list, size_t *n, size_t *cap, uint32_t start)
{
    size_t off = body_start(lf, "HvLE");
    uint32_t prev = 0;
    bool have_prev = false;
    while (off + HVLE_HDR <= lf->len && *n < MAX_LOG_ENTRIES) {
        const uint8_t *e = lf->data + off;
        if (memcmp(e, "HvLE", 4))
            break;
        uint32_t size = gl_le32(e + 4), seq = gl_le32(e + 12), hbins = gl_le32(e + 16), np = gl_le32(e + 20);
        log_stop stop = {STOP_NONE, seq >= start, off, size, seq, hbins, np};
        if (size < HVLE_HDR || size % LOG_SECTOR || size > lf->len - off) {
            stop.why = STOP_SIZE;
            return stop;
        }
        if (have_prev && seq != prev + 1)
            break; /* older entries left over from a previous cycle */
        if (hbins % REGF_PAGE || !hbins || np > (size - HVLE_HDR) / 8) {
            stop.why = STOP_FIELDS;
            return stop;
        }
        *list = gl_grow_array(*list, cap, *n, sizeof **list);
        (*list)[(*n)++] = (log_entry){lf, off, size, seq, hbins, np};
        prev = seq;
        have_prev = true;
        off += size;
    }
    return (log_stop){STOP_NONE, false, 0, 0, 0, 0, 0};
}

/* Index the valid entries of one log: the well-formed ones up to the
 * first whose hashes do not match. */
static void index_entries(regf_hive *h, log_file *lf, log_entry **list, size_t *n, size_t *cap, uint32_t start)
{
    size_t first = *n;
    log_stop stop = frame_entries(lf, list, n, cap, start);
    size_t count = *n - first;
    /* A log whose entries all precede the hive's sequence number (often
     * the one the kernel wrote before the last rotation) gives nothing to
     * apply or report: its hashes need not be computed. */
    if (count && (*list)[*n - 1].seq < start && !stop.relevant) {
        *n = first;
        return;
    }
    const uint8_t **bodies = gl_xmalloc((count ? count : 1) * sizeof *bodies);
    size_t *lens = gl_xmalloc((count ? count : 1) * sizeof *lens);
    uint64_t *hashes = gl_xmalloc((count ? count : 1) * sizeof *hashes);
    for (size_t i = 0; i < count; i++) {
        const log_entry *en = &(*list)[first + i];
        bodies[i] = lf->data + en->off + HVLE_HDR;
        lens[i] = en->size - HVLE_HDR;
    }
    marvin32_many(bodies, lens, hashes, count);
    for (size_t i = 0; i < count; i++) {
        const log_entry *en = &(*list)[first + i];
        const uint8_t *e = lf->data + en->off;
        if (hashes[i] != gl_le64(e + 24) || marvin32(e, 32) != gl_le64(e + 32)) {
            if (en->seq >= start)
                regf_report(h, "%s: file offset 0x%" PRIX64 ": log entry %" PRIu32 ": hash mismatch; replay of this log stops",
                            lf->name, (uint64_t)en->off, en->seq);
            *n = first + i;
            stop.why = STOP_NONE;
            break;
        }
    }
    free(bodies);
    free(lens);
    free(hashes);
    if (stop.relevant && stop.why == STOP_SIZE)
        regf_report(h, "%s: file offset 0x%" PRIX64 ": log entry size 0x%" PRIX32 " invalid; replay of this log stops",
                    lf->name, (uint64_t)stop.off, stop.size);
    else if (stop.relevant && stop.why == STOP_FIELDS)
        regf_report(h, "%s: file offset 0x%" PRIX64 ": log entry %" PRIu32 ": hive bins size 0x%" PRIX32
                    " or page count %" PRIu32 " invalid; replay of this log stops",
                    lf->name, (uint64_t)stop.off, stop.seq, stop.hbins, stop.np);
}

static bool apply_entry(regf_hive *h, const log_entry *en)
{
    const uint8_t *e = en->log->data + en->off;
    size_t data_at = HVLE_HDR + (size_t)en->npages * 8, at = data_at;
    uint64_t top = 0;
    /* Check every page reference first, and grow the image only as far as
     * the pages reach (not to a size field that nothing backs). */
    for (uint32_t i = 0; i < en->npages; i++) {
        uint32_t poff = gl_le32(e + HVLE_HDR + 8 * (size_t)i), psize = gl_le32(e + HVLE_HDR + 8 * (size_t)i + 4);
        if ((uint64_t)poff + psize > en->hbins || psize > en->size - at) {
            regf_report(h, "%s: file offset 0x%" PRIX64 ": log entry %" PRIu32 ": page %" PRIu32 " (offset 0x%" PRIX32
                        ", size 0x%" PRIX32 ") out of bounds; replay stops",
                        en->log->name, (uint64_t)en->off, en->seq, i, poff, psize);
            return false;
        }
        at += psize;
        if ((uint64_t)poff + psize > top)
            top = (uint64_t)poff + psize;
    }
    if (!image_fit(h, (uint32_t)((top + REGF_PAGE - 1) / REGF_PAGE * REGF_PAGE)))
        return false;
    for (uint32_t i = 0; i < en->npages; i++) {
        uint32_t poff = gl_le32(e + HVLE_HDR + 8 * (size_t)i), psize = gl_le32(e + HVLE_HDR + 8 * (size_t)i + 4);
        memcpy(regf_image_mut(h) + REGF_BASE_SIZE + poff, e + data_at, psize);
        data_at += psize;
        h->info.log_pages++;
    }
    return true;
}

static int entry_cmp(const void *a, const void *b)
{
    const log_entry *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void apply_new(regf_hive *h, log_file *l1, log_file *l2)
{
    if (!h->info.checksum_ok) {
        log_file *src = !l2->valid || (l1->valid && l1->seq1 >= l2->seq1) ? l1 : l2;
        recover_base_block(h, src);
    }
    /* Entries from the primary's secondary sequence number on: that is the
     * last write known to have completed, and replaying it again is
     * harmless (the same pages). yarp and regipy agree (23 entries for
     * regipy's transactions_NTUSER.DAT). */
    uint32_t start = gl_le32(h->img + 8);
    log_entry *list = NULL;
    size_t n = 0, cap = 0;
    if (l1->valid && l1->type == 6)
        index_entries(h, l1, &list, &n, &cap, start);
    if (l2->valid && l2->type == 6)
        index_entries(h, l2, &list, &n, &cap, start);
    if (n)
        qsort(list, n, sizeof *list, entry_cmp);
    uint32_t expect = 0, hbins = 0;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (list[i].seq < start || (any && list[i].seq < expect))
            continue; /* already in the primary, or a duplicate */
        if (any && list[i].seq != expect)
            break; /* gap: later entries cannot be trusted */
        if (!any && list[i].seq != start) {
            /* Partial reconcile (Suhanov, "Missing log entries for a dirty
             * primary file"): when the kernel rotated the logs twice before
             * reconciling in full, it wrote the unreconciled data to the
             * primary without touching the base block, so the entries from
             * the secondary number on were overwritten and the primary
             * already holds their pages. Windows applies what the logs
             * hold, in sequence order across both files. */
            h->info.partial_reconcile = true;
        }
        if (!any)
            h->info.log_first_seq = list[i].seq;
        if (!apply_entry(h, &list[i]))
            break;
        list[i].log->used = true;
        h->info.log_entries++;
        hbins = list[i].hbins;
        expect = list[i].seq + 1;
        any = true;
    }
    free(list);
    if (any) {
        /* The base block takes the last applied entry's number (yarp does
         * the same; Windows bumps it again when it next writes). */
        h->info.log_format = REGF_LOG_NEW;
        set_base_seq(h, expect - 1, hbins);
    } else if (!h->info.checksum_ok) {
        /* The base block came from the log even though no entry applied. */
        h->info.log_format = REGF_LOG_NEW;
        l1->used = l1->valid && l1->type == 6;
        l2->used = !l1->used && l2->valid;
        set_base_seq(h, gl_le32(h->img + 4), gl_le32(h->img + 40));
    }
}

void regf_replay_logs(regf_hive *h, const gl_reader *log1, const gl_reader *log2)
{
    log_file l1, l2;
    log_load(h, &l1, log1, "LOG1");
    log_load(h, &l2, log2, "LOG2");
    bool newfmt = (l1.valid && l1.type == 6) || (l2.valid && l2.type == 6);
    if (newfmt)
        apply_new(h, &l1, &l2);
    else if (!(l1.valid && apply_old(h, &l1)) && l2.valid)
        apply_old(h, &l2);
    h->info.logs_used = logs_label(&l1, &l2);
    if (h->info.recovery_applied) {
        h->info.root_offset = gl_le32(h->img + 36);
        h->info.major = gl_le32(h->img + 20);
        h->info.minor = gl_le32(h->img + 24);
    }
    free(l1.own);
    free(l2.own);
}

/* Zip: the first local header, the end-of-central-directory records (zip64
 * too) and a bounded walk of the central directory. Layout: PKWARE
 * APPNOTE.TXT 6.3 (sections 4.3.6-4.3.16, 8.5 for split/spanned sets). */
#include <stdio.h>
#include <string.h>
#include "archive_int.h"
#include "buf.h"
#include "text.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_SPAN 0x08074b50u   /* first bytes of a split/spanned set's first part */
#define SIG_SPAN00 0x30304b50u /* "PK00": a set that ended up in one part */

#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define EOCD_LEN 22
#define EOCD64_LEN 56
#define LOC64_LEN 20
#define MAX_COMMENT 65535

#define FLAG_ENCRYPTED 0x0001
#define FLAG_STRONG 0x0040
#define FLAG_CD_ENCRYPTED 0x2000
#define METHOD_AES 99

typedef struct zip_end {
    uint64_t pos;        /* where the end record is */
    uint32_t disk, cd_disk;
    uint64_t total, cd_size, cd_offset;
    uint64_t disks;      /* zip64 locator: number of disks (0 = not stated) */
} zip_end;

/* Document and program containers are zips too; say which, from the first
 * entry's name, so a caller can tell a .docx from a staged archive. */
static void zip_subtype(const uint8_t *name, size_t len, gl_arc_info *info)
{
    static const struct {
        const char *name, *type;
        bool prefix;
    } kinds[] = {
        {"[Content_Types].xml", "ooxml", false},
        {"mimetype", "odf", false},
        {"META-INF/", "jar", true},
        {"AndroidManifest.xml", "apk", false},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t k = strlen(kinds[i].name);
        if ((kinds[i].prefix ? len >= k : len == k) && !memcmp(name, kinds[i].name, k)) {
            snprintf(info->subtype, sizeof info->subtype, "%s", kinds[i].type);
            return;
        }
    }
}

static bool zip_encrypted(uint16_t flags, uint16_t method)
{
    return (flags & FLAG_ENCRYPTED) || method == METHOD_AES;
}

/* The zip64 end record named by the locator just before the end record. */
static int zip_end64(const gl_reader *r, uint64_t delta, zip_end *e, gl_err *err)
{
    uint8_t loc[LOC64_LEN], rec[EOCD64_LEN];
    size_t got;
    if (e->pos < LOC64_LEN || arc_read(r, e->pos - LOC64_LEN, loc, sizeof loc, &got, err) < 0)
        return e->pos < LOC64_LEN ? 0 : -1;
    if (got < sizeof loc || gl_le32(loc) != SIG_LOC64)
        return 0;
    e->disks = gl_le32(loc + 16);
    uint64_t at = gl_le64(loc + 8);
    if (at > UINT64_MAX - delta || arc_read(r, at + delta, rec, sizeof rec, &got, err) < 0)
        return at > UINT64_MAX - delta ? 0 : -1;
    if (got < sizeof rec || gl_le32(rec) != SIG_EOCD64)
        return 0;
    e->disk = gl_le32(rec + 16);
    e->cd_disk = gl_le32(rec + 20);
    e->total = gl_le64(rec + 32);
    e->cd_size = gl_le64(rec + 40);
    e->cd_offset = gl_le64(rec + 48);
    return 0;
}

/* Find the end record in the last 64 KiB + 22 bytes: the last signature
 * whose comment length reaches exactly the end of the file, else the last
 * one whose comment fits. 1 found, 0 not, -1 read error. */
static int zip_find_end(const gl_reader *r, zip_end *e, gl_err *err)
{
    uint64_t span = r->size < EOCD_LEN + MAX_COMMENT ? r->size : EOCD_LEN + MAX_COMMENT;
    if (span < EOCD_LEN)
        return 0;
    gl_buf tail = {0};
    gl_buf_reserve(&tail, (size_t)span);
    size_t got;
    int found = 0;
    if (arc_read(r, r->size - span, tail.data, (size_t)span, &got, err) < 0) {
        gl_buf_free(&tail);
        return -1;
    }
    const uint8_t *t = (const uint8_t *)tail.data;
    size_t best = SIZE_MAX;
    for (size_t i = got - EOCD_LEN + 1; i-- > 0;) {
        if (gl_le32(t + i) != SIG_EOCD)
            continue;
        size_t comment = gl_le16(t + i + 20);
        if (i + EOCD_LEN + comment == got) {
            best = i;
            break;
        }
        if (best == SIZE_MAX && i + EOCD_LEN + comment <= got)
            best = i;
    }
    if (best != SIZE_MAX) {
        const uint8_t *p = t + best;
        *e = (zip_end){.pos = r->size - span + best,
                       .disk = gl_le16(p + 4),
                       .cd_disk = gl_le16(p + 6),
                       .total = gl_le16(p + 10),
                       .cd_size = gl_le32(p + 12),
                       .cd_offset = gl_le32(p + 16)};
        found = 1;
    }
    gl_buf_free(&tail);
    return found;
}

/* Offsets in the directory are relative to the archive's start; an SFX
 * stub or other prefix shifts them by the difference between where the
 * directory ends and where the end record is. */
static uint64_t zip_delta(const zip_end *e)
{
    if (e->cd_offset > e->pos || e->cd_size > e->pos - e->cd_offset)
        return 0;
    return e->pos - (e->cd_offset + e->cd_size);
}

/* Walk the central directory (bounded) and count encrypted entries. 1
 * when its first entry has the central signature, 0 when not (encrypted
 * or elsewhere: info untouched), -1 read error. */
static int zip_walk_cd(const gl_reader *r, const zip_end *e, uint64_t delta, gl_arc_info *info, gl_err *err)
{
    uint64_t pos = e->cd_offset + delta, end = pos + e->cd_size;
    if (e->cd_offset > r->size || end > e->pos || pos > end)
        return 0;
    uint32_t walked = 0, encrypted = 0;
    bool cd_encrypted = false;
    for (; walked < GL_ARC_MAX_HEADERS && pos + CENTRAL_LEN <= end; walked++) {
        uint8_t h[CENTRAL_LEN];
        size_t got;
        if (arc_read(r, pos, h, sizeof h, &got, err) < 0)
            return -1;
        if (got < sizeof h || gl_le32(h) != SIG_CENTRAL)
            break;
        uint16_t flags = gl_le16(h + 8);
        encrypted += zip_encrypted(flags, gl_le16(h + 10));
        cd_encrypted |= (flags & FLAG_CD_ENCRYPTED) != 0;
        pos += CENTRAL_LEN + (uint64_t)gl_le16(h + 28) + gl_le16(h + 30) + gl_le16(h + 32);
    }
    if (walked == 0)
        return 0;
    info->encrypted_entries = encrypted;
    info->data_encrypted = encrypted > 0;
    info->headers_encrypted |= cd_encrypted;
    return 1;
}

/* Apply the end record: entry count, volume facts, the directory walk. */
static int zip_apply_end(const gl_reader *r, zip_end *e, gl_arc_info *info, gl_err *err)
{
    if ((e->disk == 0xFFFF || e->total == 0xFFFF || e->cd_offset == 0xFFFFFFFF) &&
        zip_end64(r, zip_delta(e), e, err) < 0)
        return -1;
    uint64_t delta = zip_delta(e);
    info->entries = e->total > UINT32_MAX ? UINT32_MAX : (uint32_t)e->total;
    if (e->disk != 0 || e->cd_disk != 0 || e->disks > 1) {
        /* the end record sits in the last part of a split/spanned set */
        info->volume = info->last_volume = true;
        info->volume_number = e->disk;
        return 0;
    }
    int walked = zip_walk_cd(r, e, delta, info, err);
    if (walked < 0)
        return -1;
    if (walked == 0 && e->total > 0 && !info->headers_encrypted)
        return arc_damaged(info, err, r, e->cd_offset + delta, "zip central directory not where the end record says");
    return 0;
}

int arc_sniff_zip(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    uint8_t h[4 + LOCAL_LEN + 64];
    size_t got, at = 0;
    if (arc_read(r, info->offset, h, sizeof h, &got, err) < 0)
        return -1;
    uint32_t sig = gl_le32(h);
    if (sig == SIG_SPAN || sig == SIG_SPAN00) {
        info->volume = info->first_volume = sig == SIG_SPAN;
        if (info->volume)
            info->volume_number = 0;
        at = 4;
    }
    if (got >= at + LOCAL_LEN && gl_le32(h + at) == SIG_LOCAL) {
        uint16_t flags = gl_le16(h + at + 6);
        if (zip_encrypted(flags, gl_le16(h + at + 8))) {
            info->encrypted_entries = 1;
            info->data_encrypted = true;
        }
        info->headers_encrypted = (flags & FLAG_CD_ENCRYPTED) != 0;
        size_t name_len = gl_le16(h + at + 26);
        if (!(flags & FLAG_CD_ENCRYPTED) && at + LOCAL_LEN + name_len <= got)
            zip_subtype(h + at + LOCAL_LEN, name_len, info);
    }
    zip_end e;
    int found = zip_find_end(r, &e, err);
    if (found < 0)
        return -1;
    if (!found) {
        /* no end record: a cut copy, or the first parts of a split set */
        info->truncated = true;
        return 0;
    }
    return zip_apply_end(r, &e, info, err);
}

int arc_sniff_zip_tail(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    zip_end e;
    int found = zip_find_end(r, &e, err);
    if (found <= 0)
        return found;
    /* Only a directory that checks out makes a stray "PK\5\6" a zip. */
    gl_arc_info probe = *info;
    int walked = zip_walk_cd(r, &e, zip_delta(&e), &probe, err);
    if (walked <= 0)
        return walked;
    probe.format = GL_ARC_ZIP;
    probe.offset = zip_delta(&e);
    if (zip_apply_end(r, &e, &probe, err) < 0 && !probe.damaged)
        return -1;
    *info = probe;
    return 1;
}

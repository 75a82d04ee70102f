/* RAR4 and RAR5 header walks (layouts and sources in archive_sniff.h).
 * Only block headers are read; packed data is stepped over by its stated
 * size, so a walk costs one small read per entry. */
#include <stdlib.h>
#include "archive_int.h"
#include "buf.h"
#include "text.h"

enum { R4_MAIN = 0x73, R4_FILE = 0x74, R4_ENDARC = 0x7B };
#define R4_SIG 7
#define R4_BASE 7 /* CRC16, type, flags, size */
#define R4_LONG_BLOCK 0x8000
#define R4_FILE_MIN 32

/* One RAR4 header (size bytes at pos) read whole, its CRC16 checked.
 * Returns 1 read, 0 when the file ends inside it (truncated), -1 damaged. */
static int rar4_header(const gl_reader *r, uint64_t pos, size_t size, gl_buf *hdr, gl_arc_info *info,
                       gl_err *err)
{
    size_t got;
    gl_buf_clear(hdr);
    gl_buf_reserve(hdr, size);
    if (arc_read(r, pos, hdr->data, size, &got, err) < 0)
        return -1;
    if (got < size) {
        info->truncated = true;
        return 0;
    }
    hdr->len = size;
    const uint8_t *h = (const uint8_t *)hdr->data;
    if ((arc_crc32(0, h + 2, size - 2) & 0xFFFF) != gl_le16(h))
        return arc_damaged(info, err, r, pos, "RAR4 header CRC mismatch");
    return 1;
}

/* The end-of-archive block: more volumes follow, and which one this is. */
static void rar4_endarc(const uint8_t *h, size_t size, uint16_t flags, gl_arc_info *info)
{
    if (flags & 0x0001)
        info->volume = true;
    else if (info->volume)
        info->last_volume = true;
    size_t num_at = R4_BASE + ((flags & 0x0002) ? 4 : 0);
    if ((flags & 0x0008) && size >= num_at + 2)
        info->volume_number = gl_le16(h + num_at);
}

static void rar4_file(uint16_t flags, gl_arc_info *info)
{
    info->entries++;
    if (flags & 0x0004) {
        info->encrypted_entries++;
        info->data_encrypted = true;
    }
    if (flags & 0x0003) /* split before/after: the file spans volumes */
        info->volume = true;
}

int arc_sniff_rar4(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    gl_buf hdr = {0};
    int rc = 0;
    uint64_t pos = info->offset + R4_SIG;
    for (unsigned n = 0; n < GL_ARC_MAX_HEADERS; n++) {
        uint8_t b[R4_BASE + 4];
        size_t got;
        if ((rc = arc_read(r, pos, b, sizeof b, &got, err)) < 0)
            break;
        if (got < R4_BASE) {
            /* RAR 2.x archives may end without an end block; a partial
             * header, or no main header at all, is a cut file. */
            info->truncated = got > 0 || n == 0;
            break;
        }
        unsigned type = b[2];
        uint16_t flags = gl_le16(b + 3);
        size_t size = gl_le16(b + 5);
        if (n == 0 && type != R4_MAIN) {
            rc = arc_damaged(info, err, r, pos, "expected the RAR4 main header (type 0x73)");
            break;
        }
        size_t min = type == R4_FILE ? R4_FILE_MIN : (flags & R4_LONG_BLOCK) ? R4_BASE + 4 : R4_BASE;
        if (size < min) {
            rc = arc_damaged(info, err, r, pos, "RAR4 header size below its minimum");
            break;
        }
        int got_hdr = rar4_header(r, pos, size, &hdr, info, err);
        if (got_hdr <= 0) {
            rc = got_hdr;
            break;
        }
        const uint8_t *h = (const uint8_t *)hdr.data;
        uint64_t data = (flags & R4_LONG_BLOCK) ? gl_le32(h + 7) : 0;
        if (type == R4_MAIN) {
            info->volume = flags & 0x0001;
            info->first_volume = info->volume && (flags & 0x0100);
            info->locked = flags & 0x0004;
            info->solid = flags & 0x0008;
            if (flags & 0x0080) { /* -hp: every later header is encrypted */
                info->headers_encrypted = info->data_encrypted = true;
                break;
            }
        } else if (type == R4_FILE) {
            rar4_file(flags, info);
            if ((flags & 0x0100) && size >= R4_FILE_MIN + 8) /* LHD_LARGE: high 32 bits of the packed size */
                data |= (uint64_t)gl_le32(h + R4_FILE_MIN) << 32;
        } else if (type == R4_ENDARC) {
            rar4_endarc(h, size, flags, info);
            break;
        }
        if (data > r->size || pos + size > r->size - data) {
            info->truncated = true;
            break;
        }
        pos += size + data;
    }
    gl_buf_free(&hdr);
    return rc;
}

/* ---- RAR5 ---- */

enum { R5_MAIN = 1, R5_FILE = 2, R5_SERVICE = 3, R5_CRYPT = 4, R5_END = 5 };
#define R5_SIG 8
#define R5_MAX_HEADER (2u << 20) /* the format's own limit */

/* Variable-length integer: 7 bits a byte, low first, high bit = more. */
static bool vint(const uint8_t *p, size_t end, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && *pos < end; shift += 7) {
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Walk a file header's extra area [p+at, p+end) for the file encryption
 * record (type 1). */
static bool rar5_extra_encrypted(const uint8_t *p, size_t at, size_t end)
{
    for (unsigned n = 0; at < end && n < 64; n++) {
        uint64_t rsize, rtype;
        if (!vint(p, end, &at, &rsize) || rsize == 0 || rsize > end - at)
            return false;
        size_t rec_end = at + (size_t)rsize;
        if (!vint(p, rec_end, &at, &rtype))
            return false;
        if (rtype == 1)
            return true;
        at = rec_end;
    }
    return false;
}

typedef struct r5_block {
    uint64_t type, flags, extra, data;
    size_t body, end; /* type-specific fields start at body; the block ends at end */
} r5_block;

static bool rar5_parse(const uint8_t *h, size_t end, size_t at, r5_block *b)
{
    b->extra = b->data = 0;
    if (!vint(h, end, &at, &b->type) || !vint(h, end, &at, &b->flags))
        return false;
    if ((b->flags & 0x1) && !vint(h, end, &at, &b->extra))
        return false;
    if ((b->flags & 0x2) && !vint(h, end, &at, &b->data))
        return false;
    b->body = at;
    b->end = end;
    return b->extra <= end - at;
}

/* Apply one checked block to info; false when the walk stops here. */
static bool rar5_apply(const uint8_t *h, const r5_block *b, gl_arc_info *info)
{
    size_t at = b->body;
    uint64_t v;
    if (b->flags & 0x18) /* data continues from / into another volume */
        info->volume = true;
    switch (b->type) {
    case R5_MAIN:
        if (!vint(h, b->end, &at, &v))
            return true;
        info->volume |= v & 0x1;
        info->solid = v & 0x4;
        info->locked = v & 0x10;
        if (v & 0x2) { /* volume number: present in every volume but the first */
            uint64_t num;
            if (vint(h, b->end, &at, &num))
                info->volume_number = (int64_t)(num & INT64_MAX);
        } else if (v & 0x1) {
            info->first_volume = true;
            info->volume_number = 0;
        }
        return true;
    case R5_FILE:
        info->entries++;
        if (b->extra && rar5_extra_encrypted(h, b->end - (size_t)b->extra, b->end)) {
            info->encrypted_entries++;
            info->data_encrypted = true;
        }
        return true;
    case R5_CRYPT: /* -hp: every later header is encrypted */
        info->headers_encrypted = info->data_encrypted = true;
        return false;
    case R5_END:
        if (vint(h, b->end, &at, &v) && (v & 0x1))
            info->volume = true;
        else if (info->volume)
            info->last_volume = true;
        return false;
    default:
        return true;
    }
}

int arc_sniff_rar5(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    gl_buf hdr = {0};
    int rc = 0;
    uint64_t pos = info->offset + R5_SIG;
    for (unsigned n = 0; n < GL_ARC_MAX_HEADERS; n++) {
        uint8_t head[4 + 3];
        size_t got, at = 0;
        uint64_t hsize;
        if ((rc = arc_read(r, pos, head, sizeof head, &got, err)) < 0)
            break;
        if (got < 5) { /* every RAR5 archive ends with an end block */
            info->truncated = true;
            break;
        }
        if (!vint(head + 4, got - 4, &at, &hsize) || hsize == 0 || hsize > R5_MAX_HEADER) {
            rc = arc_damaged(info, err, r, pos + 4, "RAR5 header size out of range");
            break;
        }
        size_t block = at + (size_t)hsize; /* size field + header */
        gl_buf_clear(&hdr);
        gl_buf_reserve(&hdr, block);
        if ((rc = arc_read(r, pos + 4, hdr.data, block, &got, err)) < 0)
            break;
        if (got < block) {
            info->truncated = true;
            break;
        }
        const uint8_t *h = (const uint8_t *)hdr.data;
        r5_block b;
        if (arc_crc32(0, h, block) != gl_le32(head)) {
            rc = arc_damaged(info, err, r, pos, "RAR5 header CRC mismatch");
            break;
        }
        if (!rar5_parse(h, block, at, &b)) {
            rc = arc_damaged(info, err, r, pos, "RAR5 header fields run past the header");
            break;
        }
        if (n == 0 && b.type != R5_MAIN && b.type != R5_CRYPT) {
            rc = arc_damaged(info, err, r, pos, "expected the RAR5 main or encryption header");
            break;
        }
        if (!rar5_apply(h, &b, info))
            break;
        uint64_t next = pos + 4 + block;
        if (next > r->size || b.data > r->size - next) {
            info->truncated = true;
            break;
        }
        pos = next + b.data;
    }
    gl_buf_free(&hdr);
    return rc;
}

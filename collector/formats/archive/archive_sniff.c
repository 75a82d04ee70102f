/* Archive recognition: magic bytes, the stream formats (gzip, bzip2, xz,
 * zstd), tar, PEA, self-extracting stubs and volume names. The container
 * formats with headers worth walking live in archive_rar.c, archive_7z.c
 * and archive_zip.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "archive_int.h"
#include "buf.h"
#include "text.h"

#define HEAD_LEN 1024
#define TAR_BLOCK 512

uint32_t arc_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

int arc_read(const gl_reader *r, uint64_t off, void *buf, size_t len, size_t *got, gl_err *err)
{
    *got = 0;
    if (off >= r->size || len == 0)
        return 0;
    int64_t n = r->read_at(r->ctx, off, buf, len, err);
    if (n < 0)
        return -1;
    *got = (size_t)n;
    return 0;
}

int arc_damaged(gl_arc_info *info, gl_err *err, const gl_reader *r, uint64_t off, const char *what)
{
    if (!info->damaged)
        gl_err_set(err, "%s: offset %" PRIu64 ": %s", r->name, off, what);
    info->damaged = true;
    return -1;
}

const char *gl_arc_format_name(gl_arc_format f)
{
    static const char *const names[] = {"none", "rar4", "rar5", "7z",   "zip", "gzip",
                                        "bzip2", "xz",  "zstd", "tar", "pea"};
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "none";
}

/* ---- stream formats ---- */

static void sniff_gzip(const gl_reader *r, const uint8_t *h, size_t n, gl_arc_info *info, gl_err *err)
{
    uint8_t flags = h[3];
    size_t at = 10;
    if ((flags & 0x04) && at + 2 <= n) /* FEXTRA */
        at += 2 + gl_le16(h + at);
    if (flags & 0x08) { /* FNAME: NUL-terminated, as stored (ISO 8859-1 by the RFC, UTF-8 in practice) */
        size_t k = 0;
        while (at < n && h[at] && k + 1 < sizeof info->inner_name)
            info->inner_name[k++] = (char)h[at++];
        info->inner_name[k] = '\0';
    }
    uint8_t tail[4];
    size_t got;
    if (r->size >= 18 && arc_read(r, r->size - 4, tail, sizeof tail, &got, err) == 0 && got == 4)
        info->inner_size = gl_le32(tail);
}

static bool is_bzip2(const uint8_t *h, size_t n)
{
    static const uint8_t block[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59}, end[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
    return n >= 10 && !memcmp(h, "BZh", 3) && h[3] >= '1' && h[3] <= '9' &&
           (!memcmp(h + 4, block, 6) || !memcmp(h + 4, end, 6));
}

static bool is_xz(const uint8_t *h, size_t n)
{
    static const uint8_t magic[6] = {0xFD, '7', 'z', 'X', 'Z', 0x00};
    return n >= 12 && !memcmp(h, magic, 6) && h[6] == 0 && (h[7] & 0xF0) == 0 &&
           arc_crc32(0, h + 6, 2) == gl_le32(h + 8);
}

#define ZSTD_MAGIC 0xFD2FB528u
static bool is_zstd_skippable(uint32_t m) { return (m & 0xFFFFFFF0u) == 0x184D2A50u; }

/* A zstd frame, or skippable frames followed by one. */
static int sniff_zstd(const gl_reader *r, const uint8_t *h, size_t n, bool *yes, gl_err *err)
{
    *yes = false;
    if (n < 5)
        return 0;
    uint32_t m = gl_le32(h);
    if (m == ZSTD_MAGIC) {
        *yes = (h[4] & 0x08) == 0; /* reserved bit of the frame header descriptor */
        return 0;
    }
    uint64_t pos = 0;
    for (int frames = 0; frames < 16 && is_zstd_skippable(m); frames++) {
        uint8_t b[8];
        size_t got;
        if (arc_read(r, pos, b, sizeof b, &got, err) < 0)
            return -1;
        if (got < 8)
            return 0;
        pos += 8 + (uint64_t)gl_le32(b + 4);
        if (arc_read(r, pos, b, 5, &got, err) < 0)
            return -1;
        if (got < 5)
            return 0;
        m = gl_le32(b);
        if (m == ZSTD_MAGIC) {
            *yes = (b[4] & 0x08) == 0;
            return 0;
        }
    }
    return 0;
}

/* ---- tar ---- */

/* Octal field (leading spaces, digits, then NUL/space); false if none. */
static bool tar_octal(const uint8_t *f, size_t len, uint64_t *out)
{
    size_t i = 0;
    while (i < len && f[i] == ' ')
        i++;
    uint64_t v = 0;
    size_t digits = 0;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++)
        v = v << 3 | (uint64_t)(f[i] - '0');
    if (!digits || digits > 21 || (i < len && f[i] != ' ' && f[i] != '\0'))
        return false;
    *out = v;
    return true;
}

/* Header checksum: the field counts as spaces; old tars summed signed bytes. */
static bool tar_checksum_ok(const uint8_t *h)
{
    uint64_t stored;
    if (!tar_octal(h + 148, 8, &stored))
        return false;
    uint64_t sum = 0;
    int64_t ssum = 0;
    for (size_t i = 0; i < TAR_BLOCK; i++) {
        uint8_t b = (i >= 148 && i < 156) ? ' ' : h[i];
        sum += b;
        ssum += (int8_t)b;
    }
    return stored == sum || (int64_t)stored == ssum;
}

/* Entry size: octal, or GNU base-256 (high bit set) for large files. */
static bool tar_size(const uint8_t *h, uint64_t *out)
{
    const uint8_t *f = h + 124;
    if (!(f[0] & 0x80))
        return tar_octal(f, 12, out);
    uint64_t v = f[0] & 0x7F;
    for (size_t i = 1; i < 12; i++) {
        if (v >> 56)
            return false;
        v = v << 8 | f[i];
    }
    *out = v;
    return true;
}

static const char *tar_kind(const uint8_t *h)
{
    if (!memcmp(h + 257, "ustar\0" "00", 8))
        return (h[156] == 'x' || h[156] == 'g') ? "pax" : "ustar";
    if (!memcmp(h + 257, "ustar  \0", 8))
        return "gnu";
    return h[0] ? "v7" : NULL;
}

/* Count entries (extension headers excluded) by stepping over the data. */
static int tar_walk(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    uint64_t pos = 0;
    uint8_t h[TAR_BLOCK];
    for (unsigned n = 0; n < GL_ARC_MAX_HEADERS; n++) {
        size_t got;
        if (arc_read(r, pos, h, sizeof h, &got, err) < 0)
            return -1;
        if (got < sizeof h) {
            info->truncated = true; /* a tar ends with zero blocks */
            return 0;
        }
        bool zero = true;
        for (size_t i = 0; i < sizeof h && zero; i++)
            zero = h[i] == 0;
        if (zero)
            return 0;
        uint64_t size;
        if (!tar_checksum_ok(h) || !tar_size(h, &size))
            return arc_damaged(info, err, r, pos, "tar header checksum or size field invalid");
        bool extension = h[156] && strchr("xgLKV", h[156]); /* pax/GNU long-name headers */
        if (!extension)
            info->entries++;
        uint64_t blocks = size / TAR_BLOCK + (size % TAR_BLOCK != 0);
        if (blocks > (r->size - pos) / TAR_BLOCK) {
            info->truncated = true;
            return 0;
        }
        pos += TAR_BLOCK * (1 + blocks);
    }
    return 0;
}

/* ---- PEA ---- */

static bool is_pea(const uint8_t *h, size_t n)
{
    static const uint8_t pod[6] = {0, 0, 'P', 'O', 'D', 0};
    return n >= 20 && h[0] == 0xEA && h[1] >= 1 && !memcmp(h + 10, pod, sizeof pod);
}

static void sniff_pea(const uint8_t *h, gl_arc_info *info)
{
    uint8_t stream_control = h[18];
    /* 0x30 is HMAC (a password authenticates, nothing is hidden); 0x31 and
     * up are the EAX ciphers and their cascades: names and data are
     * encrypted together in the one stream. */
    if (stream_control == 0x30)
        snprintf(info->subtype, sizeof info->subtype, "hmac");
    else if (stream_control > 0x30)
        info->headers_encrypted = info->data_encrypted = true;
}

/* ---- dispatch ---- */

static gl_arc_format container_at(const uint8_t *h, size_t n)
{
    static const uint8_t rar4[7] = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x00};
    static const uint8_t rar5[8] = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00};
    static const uint8_t sz[6] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C};
    if (n >= sizeof rar5 && !memcmp(h, rar5, sizeof rar5))
        return GL_ARC_RAR5;
    if (n >= sizeof rar4 && !memcmp(h, rar4, sizeof rar4))
        return GL_ARC_RAR4;
    if (n >= sizeof sz && !memcmp(h, sz, sizeof sz))
        return GL_ARC_7Z;
    return GL_ARC_NONE;
}

static int walk_container(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    switch (info->format) {
    case GL_ARC_RAR4:
        return arc_sniff_rar4(r, info, err);
    case GL_ARC_RAR5:
        return arc_sniff_rar5(r, info, err);
    case GL_ARC_7Z:
        return arc_sniff_7z(r, info, err);
    default:
        return 0;
    }
}

static bool is_zip_start(const uint8_t *h, size_t n)
{
    if (n < 4 || h[0] != 'P' || h[1] != 'K')
        return false;
    uint32_t sig = gl_le32(h);
    return sig == 0x04034b50u || sig == 0x08074b50u || sig == 0x06054b50u ||
           (sig == 0x30304b50u && n >= 8 && gl_le32(h + 4) == 0x04034b50u);
}

/* A RAR or 7z archive behind an executable stub: signatures in the first
 * GL_ARC_SFX_SCAN bytes whose header passes its CRC. 1 found, 0 not. */
static int sniff_sfx(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    enum { CHUNK = 65536, OVERLAP = 8 };
    uint8_t *buf = gl_xmalloc(CHUNK);
    int found = 0;
    uint64_t limit = r->size < GL_ARC_SFX_SCAN ? r->size : GL_ARC_SFX_SCAN;
    for (uint64_t base = 0; base < limit; base += CHUNK - OVERLAP) {
        size_t got;
        if (arc_read(r, base, buf, CHUNK, &got, err) < 0) {
            found = -1;
            break;
        }
        for (size_t i = base ? 0 : 2; i + OVERLAP <= got && !found; i++) {
            if (buf[i] != 'R' && buf[i] != '7')
                continue;
            gl_arc_format f = container_at(buf + i, got - i);
            if (f == GL_ARC_NONE)
                continue;
            gl_arc_info probe = {.format = f, .offset = base + i, .sfx = true, .volume_number = -1};
            gl_err perr = {0};
            int rc = walk_container(r, &probe, &perr);
            if (rc < 0 && !probe.damaged) {
                *err = perr;
                found = -1;
            } else if (!probe.damaged && !(f == GL_ARC_7Z && probe.truncated)) {
                *info = probe;
                found = 1;
            }
        }
        if (found || got < CHUNK)
            break;
    }
    free(buf);
    return found;
}

static int sniff_sfx_any(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    int found = sniff_sfx(r, info, err);
    if (found)
        return found < 0 ? -1 : 0;
    gl_arc_info probe = *info;
    found = arc_sniff_zip_tail(r, &probe, err);
    if (found < 0)
        return -1;
    if (found) {
        *info = probe;
        info->sfx = true;
    }
    return 0;
}

int gl_arc_sniff(const gl_reader *r, unsigned flags, gl_arc_info *info, gl_err *err)
{
    *info = (gl_arc_info){.volume_number = -1};
    uint8_t h[HEAD_LEN] = {0};
    size_t n;
    if (arc_read(r, 0, h, sizeof h, &n, err) < 0)
        return -1;
    info->format = container_at(h, n);
    if (info->format != GL_ARC_NONE)
        return walk_container(r, info, err);
    if (is_zip_start(h, n)) {
        info->format = GL_ARC_ZIP;
        return arc_sniff_zip(r, info, err);
    }
    if (n >= 18 && h[0] == 0x1F && h[1] == 0x8B && h[2] == 8 && !(h[3] & 0xE0)) {
        info->format = GL_ARC_GZIP;
        sniff_gzip(r, h, n, info, err);
        return 0;
    }
    if (is_bzip2(h, n))
        info->format = GL_ARC_BZIP2;
    else if (is_xz(h, n))
        info->format = GL_ARC_XZ;
    else if (is_pea(h, n)) {
        info->format = GL_ARC_PEA;
        sniff_pea(h, info);
    }
    if (info->format != GL_ARC_NONE)
        return 0;
    bool zstd;
    if (sniff_zstd(r, h, n, &zstd, err) < 0)
        return -1;
    if (zstd) {
        info->format = GL_ARC_ZSTD;
        return 0;
    }
    const char *kind;
    if (n >= TAR_BLOCK && tar_checksum_ok(h) && (kind = tar_kind(h))) {
        info->format = GL_ARC_TAR;
        snprintf(info->subtype, sizeof info->subtype, "%s", kind);
        return tar_walk(r, info, err);
    }
    if ((flags & GL_ARC_SNIFF_SFX) && n >= 2 && h[0] == 'M' && h[1] == 'Z')
        return sniff_sfx_any(r, info, err);
    return 0;
}

/* ---- volume names ---- */

static bool ends_with_ci(const char *s, size_t len, const char *suffix)
{
    size_t k = strlen(suffix);
    if (len < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        char c = s[len - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

/* Digits ending at s[end); their count (0..max) and value. */
static size_t digits_before(const char *s, size_t end, size_t max, unsigned *value)
{
    size_t k = 0;
    while (k < end && k < max && s[end - 1 - k] >= '0' && s[end - 1 - k] <= '9')
        k++;
    unsigned v = 0;
    for (size_t i = end - k; i < end; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    *value = v;
    return k;
}

gl_arc_volname gl_arc_volume_name(const char *name, unsigned *number, size_t *stem_len)
{
    size_t len = strlen(name), nd;
    unsigned num = 0, dummy;
    gl_arc_volname kind = GL_ARC_VOLNAME_NONE;
    size_t stem = 0;
    if (!number)
        number = &dummy;
    if (ends_with_ci(name, len, ".rar")) {
        nd = digits_before(name, len - 4, 6, &num);
        if (nd && ends_with_ci(name, len - 4 - nd, ".part")) {
            kind = GL_ARC_VOLNAME_PART_RAR;
            stem = len - 4 - nd;
        }
    } else if ((nd = digits_before(name, len, 6, &num)) >= 2) {
        size_t dot = len - nd; /* name[dot-1] must be '.', or the letter before it */
        if (nd == 2 && dot >= 2 && name[dot - 2] == '.' && strchr("rRsS", name[dot - 1])) {
            kind = GL_ARC_VOLNAME_RNN;
            stem = dot - 1;
            if (name[dot - 1] == 's' || name[dot - 1] == 'S')
                num += 100; /* .s00 follows .r99 */
        } else if (nd == 2 && dot >= 2 && name[dot - 2] == '.' && strchr("zZ", name[dot - 1])) {
            kind = GL_ARC_VOLNAME_ZNN;
            stem = dot - 1;
        } else if (nd >= 3 && dot >= 1 && name[dot - 1] == '.') {
            stem = dot;
            kind = ends_with_ci(name, dot, ".7z.")    ? GL_ARC_VOLNAME_7Z_NNN
                   : ends_with_ci(name, dot, ".zip.") ? GL_ARC_VOLNAME_ZIP_NNN
                                                      : GL_ARC_VOLNAME_NNN;
        }
    }
    if (kind == GL_ARC_VOLNAME_NONE)
        return kind;
    *number = num;
    if (stem_len)
        *stem_len = stem;
    return kind;
}

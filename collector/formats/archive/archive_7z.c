/* 7z: the signature header and enough of the next header to tell whether
 * the header is encrypted (an encoded header whose folder uses 7zAES),
 * whether entries' data is (a plain header whose main streams use 7zAES),
 * whether it is solid, and how many files it lists. Layout: 7-Zip
 * DOC/7zFormat.txt. Every count is bounded by the bytes it would need. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "archive_int.h"
#include "buf.h"
#include "text.h"

#define SZ_START 32
#define SZ_MAX_HEADER (1u << 20)
#define SZ_MAX_CODERS 64
#define SZ_MAX_FOLDERS (1u << 16)

enum {
    K_END = 0x00,
    K_HEADER = 0x01,
    K_ARCHIVE_PROPS = 0x02,
    K_ADD_STREAMS = 0x03,
    K_MAIN_STREAMS = 0x04,
    K_FILES = 0x05,
    K_PACK_INFO = 0x06,
    K_UNPACK_INFO = 0x07,
    K_SUBSTREAMS = 0x08,
    K_SIZE = 0x09,
    K_CRC = 0x0A,
    K_FOLDER = 0x0B,
    K_UNPACK_SIZE = 0x0C,
    K_NUM_UNPACK_STREAM = 0x0D,
    K_ENCODED_HEADER = 0x17,
};

static const uint8_t coder_aes[4] = {0x06, 0xF1, 0x07, 0x01};

typedef struct sz_cur {
    const uint8_t *p;
    size_t n, at;
    bool bad;
} sz_cur;

typedef struct sz_streams {
    bool aes;          /* some folder's coders include 7zAES */
    bool solid;        /* some folder holds more than one file */
    uint64_t folders;
    bool *folder_crc;  /* per folder: its CRC is given in the coders info */
    uint32_t *files;   /* per folder: how many files it holds (default 1) */
} sz_streams;

static void sz_streams_free(sz_streams *s)
{
    free(s->folder_crc);
    free(s->files);
}

static uint8_t sz_byte(sz_cur *c)
{
    if (c->at >= c->n) {
        c->bad = true;
        return 0;
    }
    return c->p[c->at++];
}

/* 7z NUMBER: the leading 1-bits of the first byte count the little-endian
 * bytes that follow; the first byte's remaining bits are the high part. */
static uint64_t sz_number(sz_cur *c)
{
    uint8_t first = sz_byte(c), mask = 0x80;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++, mask >>= 1) {
        if (!(first & mask))
            return v | (uint64_t)(first & (mask - 1)) << (8 * i);
        v |= (uint64_t)sz_byte(c) << (8 * i);
    }
    return v;
}

static void sz_skip(sz_cur *c, uint64_t n)
{
    if (n > c->n - c->at) {
        c->bad = true;
        c->at = c->n;
    } else {
        c->at += (size_t)n;
    }
}

/* n numbers, each at least one byte: stop early at the end of the data. */
static void sz_skip_numbers(sz_cur *c, uint64_t n)
{
    for (uint64_t i = 0; i < n && !c->bad; i++)
        sz_number(c);
}

/* Digests of n items: an all-defined byte or a bit vector (first item in
 * the high bit), then the CRCs of the defined ones. which[i] (when not
 * NULL) tells whether item i has one. */
static void sz_skip_digests(sz_cur *c, uint64_t n, bool *which)
{
    bool all = sz_byte(c) != 0;
    uint64_t defined = all && !which ? n : 0;
    uint8_t bits = 0;
    /* With a bit vector each 8 items cost a byte; with which, n is a folder
     * count (bounded). Either way the loop is bounded by the data. */
    for (uint64_t i = 0; i < n && !c->bad && (which || !all); i++) {
        if (!all && i % 8 == 0)
            bits = sz_byte(c);
        bool has = all || (bits & (0x80 >> (i % 8)));
        defined += has;
        if (which)
            which[i] = has;
    }
    if (defined > (c->n - c->at) / 4)
        c->bad = true;
    else
        sz_skip(c, 4 * defined);
}

static void sz_pack_info(sz_cur *c)
{
    sz_number(c); /* pack position */
    uint64_t streams = sz_number(c);
    for (int guard = 0; guard < 8 && !c->bad; guard++) {
        uint8_t id = sz_byte(c);
        if (id == K_END)
            return;
        if (id == K_SIZE)
            sz_skip_numbers(c, streams);
        else if (id == K_CRC)
            sz_skip_digests(c, streams, NULL);
        else
            c->bad = true;
    }
}

/* One folder: its coders (is one of them 7zAES?), bind pairs and packed
 * stream indexes. Returns its number of output streams (0 = bad). */
static uint64_t sz_folder(sz_cur *c, sz_streams *s)
{
    uint64_t coders = sz_number(c), ins = 0, outs = 0;
    if (coders == 0 || coders > SZ_MAX_CODERS) {
        c->bad = true;
        return 0;
    }
    for (uint64_t i = 0; i < coders && !c->bad; i++) {
        uint8_t flag = sz_byte(c);
        size_t id_len = flag & 0x0F;
        if (flag & 0x80) { /* alternative methods: never written by 7-Zip */
            c->bad = true;
            return 0;
        }
        if (id_len == sizeof coder_aes && c->n - c->at >= id_len && !memcmp(c->p + c->at, coder_aes, id_len))
            s->aes = true;
        sz_skip(c, id_len);
        uint64_t in = 1, out = 1;
        if (flag & 0x10) {
            in = sz_number(c);
            out = sz_number(c);
        }
        if (in > SZ_MAX_CODERS || out > SZ_MAX_CODERS) {
            c->bad = true;
            return 0;
        }
        ins += in;
        outs += out;
        if (flag & 0x20)
            sz_skip(c, sz_number(c));
    }
    if (outs == 0 || ins < outs - 1) {
        c->bad = true;
        return 0;
    }
    sz_skip_numbers(c, 2 * (outs - 1)); /* bind pairs */
    uint64_t packed = ins - (outs - 1);
    if (packed > 1)
        sz_skip_numbers(c, packed);
    return outs;
}

static void sz_unpack_info(sz_cur *c, sz_streams *s)
{
    if (sz_byte(c) != K_FOLDER) {
        c->bad = true;
        return;
    }
    s->folders = sz_number(c);
    if (s->folders > SZ_MAX_FOLDERS || sz_byte(c) != 0) { /* external folders: never written */
        c->bad = true;
        return;
    }
    sz_streams_free(s); /* a second coders info replaces the first */
    s->folder_crc = gl_xcalloc(s->folders ? s->folders : 1, sizeof *s->folder_crc);
    s->files = gl_xcalloc(s->folders ? s->folders : 1, sizeof *s->files);
    uint64_t outs = 0;
    for (uint64_t i = 0; i < s->folders && !c->bad; i++) {
        outs += sz_folder(c, s);
        s->files[i] = 1;
    }
    if (c->bad || sz_byte(c) != K_UNPACK_SIZE) {
        c->bad = true;
        return;
    }
    sz_skip_numbers(c, outs);
    for (int guard = 0; guard < 4 && !c->bad; guard++) {
        uint8_t id = sz_byte(c);
        if (id == K_END)
            return;
        if (id == K_CRC)
            sz_skip_digests(c, s->folders, s->folder_crc);
        else
            c->bad = true;
    }
}

/* SubStreamsInfo: files per folder (solid = more than one), then their
 * sizes and the CRCs not already given per folder. */
static void sz_substreams(sz_cur *c, sz_streams *s)
{
    if (!s->files) { /* no coders info before it */
        c->bad = true;
        return;
    }
    uint8_t id = sz_byte(c);
    if (id == K_NUM_UNPACK_STREAM) {
        for (uint64_t i = 0; i < s->folders && !c->bad; i++) {
            uint64_t n = sz_number(c);
            s->files[i] = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
            s->solid |= n > 1;
        }
        id = sz_byte(c);
    }
    if (id == K_SIZE) {
        for (uint64_t i = 0; i < s->folders && !c->bad; i++)
            if (s->files[i])
                sz_skip_numbers(c, s->files[i] - 1);
        id = sz_byte(c);
    }
    if (id == K_CRC) {
        uint64_t unknown = 0;
        for (uint64_t i = 0; i < s->folders; i++)
            unknown += (s->files[i] == 1 && s->folder_crc[i]) ? 0 : s->files[i];
        if (unknown / 8 > c->n) /* one bit each at least */
            c->bad = true;
        else
            sz_skip_digests(c, unknown, NULL);
        id = sz_byte(c);
    }
    if (id != K_END)
        c->bad = true;
}

static void sz_streams_info(sz_cur *c, sz_streams *s)
{
    for (int guard = 0; guard < 8 && !c->bad; guard++) {
        uint8_t id = sz_byte(c);
        if (id == K_END)
            return;
        if (id == K_PACK_INFO)
            sz_pack_info(c);
        else if (id == K_UNPACK_INFO)
            sz_unpack_info(c, s);
        else if (id == K_SUBSTREAMS)
            sz_substreams(c, s);
        else
            c->bad = true;
    }
}

/* A plain header: properties, streams, then the file count. */
static void sz_header(sz_cur *c, sz_streams *main, gl_arc_info *info)
{
    uint8_t id = sz_byte(c);
    if (id == K_ARCHIVE_PROPS) {
        for (int guard = 0; guard < 64 && !c->bad; guard++) {
            if (sz_byte(c) == K_END)
                break;
            sz_skip(c, sz_number(c));
        }
        id = sz_byte(c);
    }
    if (id == K_ADD_STREAMS) {
        sz_streams extra = {0};
        sz_streams_info(c, &extra);
        sz_streams_free(&extra);
        id = sz_byte(c);
    }
    if (id == K_MAIN_STREAMS) {
        sz_streams_info(c, main);
        id = sz_byte(c);
    }
    if (id == K_FILES && !c->bad) {
        uint64_t files = sz_number(c);
        if (!c->bad)
            info->entries = files > UINT32_MAX ? UINT32_MAX : (uint32_t)files;
    }
}

int arc_sniff_7z(const gl_reader *r, gl_arc_info *info, gl_err *err)
{
    uint8_t sh[SZ_START];
    size_t got;
    if (arc_read(r, info->offset, sh, sizeof sh, &got, err) < 0)
        return -1;
    if (got < sizeof sh) {
        info->truncated = true;
        return 0;
    }
    if (arc_crc32(0, sh + 12, 20) != gl_le32(sh + 8))
        return arc_damaged(info, err, r, info->offset + 8, "7z start header CRC mismatch");
    uint64_t next_off = gl_le64(sh + 12), next_size = gl_le64(sh + 20);
    uint64_t base = info->offset + SZ_START;
    if (next_size == 0)
        return 0; /* an empty archive */
    if (next_off > r->size || base > r->size - next_off || next_size > r->size - base - next_off) {
        /* the header lies beyond this file: a cut copy or the first part
         * of a split set (name.7z.001) */
        info->truncated = true;
        return 0;
    }
    size_t want = next_size > SZ_MAX_HEADER ? SZ_MAX_HEADER : (size_t)next_size;
    gl_buf buf = {0};
    gl_buf_reserve(&buf, want);
    int rc = arc_read(r, base + next_off, buf.data, want, &got, err);
    if (rc == 0 && got == want && want == next_size && arc_crc32(0, (uint8_t *)buf.data, want) != gl_le32(sh + 28))
        rc = arc_damaged(info, err, r, base + next_off, "7z header CRC mismatch");
    if (rc == 0) {
        sz_cur c = {.p = (const uint8_t *)buf.data, .n = got};
        sz_streams s = {0};
        uint8_t kind = sz_byte(&c);
        if (kind == K_ENCODED_HEADER) {
            snprintf(info->subtype, sizeof info->subtype, "encoded-header");
            sz_streams_info(&c, &s);
            info->headers_encrypted = info->data_encrypted = s.aes;
        } else if (kind == K_HEADER) {
            sz_header(&c, &s, info);
            info->data_encrypted = s.aes;
            info->solid = s.solid;
        } else {
            c.bad = true;
        }
        if (c.bad && want == next_size)
            rc = arc_damaged(info, err, r, base + next_off + c.at, "7z header does not parse");
        sz_streams_free(&s);
    }
    gl_buf_free(&buf);
    return rc;
}

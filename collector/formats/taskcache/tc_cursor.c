/* Bounded reader of tc_cursor.h. */
#include "tc_cursor.h"

#include <stdarg.h>
#include <stdio.h>

#include "buf.h"
#include "text.h"

int tc_fail(tc_cur *c, size_t at, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    c->failed = true;
    char what[800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return gl_err_setc(c->err, GL_ERR_DAMAGED, "%s: offset 0x%zx: %s", c->value, at, what);
}

int tc_need(tc_cur *c, size_t len, const char *what)
{
    if (c->failed)
        return -1;
    if (len > tc_left(c))
        return tc_fail(c, c->pos, "%s: expected %zu bytes, only %zu left", what, len, tc_left(c));
    return 0;
}

/* Little-endian unsigned of `size` bytes. */
static int read_le(tc_cur *c, const char *what, size_t size, uint64_t *v)
{
    if (tc_need(c, size, what) < 0)
        return -1;
    uint64_t x = 0;
    for (size_t i = size; i > 0; i--)
        x = x << 8 | c->p[c->pos + i - 1];
    c->pos += size;
    *v = x;
    return 0;
}

int tc_u8(tc_cur *c, const char *what, uint8_t *v)
{
    uint64_t x;
    return read_le(c, what, 1, &x) < 0 ? -1 : (*v = (uint8_t)x, 0);
}

int tc_u16(tc_cur *c, const char *what, uint16_t *v)
{
    uint64_t x;
    return read_le(c, what, 2, &x) < 0 ? -1 : (*v = (uint16_t)x, 0);
}

int tc_u32(tc_cur *c, const char *what, uint32_t *v)
{
    uint64_t x;
    return read_le(c, what, 4, &x) < 0 ? -1 : (*v = (uint32_t)x, 0);
}

int tc_u64(tc_cur *c, const char *what, uint64_t *v) { return read_le(c, what, 8, v); }

int tc_skip(tc_cur *c, size_t len, const char *what)
{
    if (tc_need(c, len, what) < 0)
        return -1;
    c->pos += len;
    return 0;
}

/* A u32 byte count, in a 4- or 8-byte slot, then that much UTF-16LE. */
static int counted_text(tc_cur *c, const char *what, size_t slot, char **out, uint32_t *len)
{
    size_t at = c->pos;
    if (tc_u32(c, what, len) < 0 || tc_skip(c, slot - 4, what) < 0)
        return -1;
    if (*len > tc_left(c))
        return tc_fail(c, at, "%s: string of %u bytes, only %zu left", what, (unsigned)*len, tc_left(c));
    gl_buf b = {0};
    gl_utf16le_to_utf8(&b, c->p + c->pos, *len, true);
    c->pos += *len;
    gl_buf_append(&b, "", 0); /* terminated even when empty */
    *out = b.data;
    return 0;
}

int tc_bstr(tc_cur *c, const char *what, char **out)
{
    uint32_t len;
    return counted_text(c, what, 4, out, &len);
}

int tc_aligned_u32(tc_cur *c, const char *what, uint32_t *v)
{
    return tc_u32(c, what, v) < 0 || tc_skip(c, 4, what) < 0 ? -1 : 0;
}

int tc_aligned_u8(tc_cur *c, const char *what, uint8_t *v)
{
    return tc_u8(c, what, v) < 0 || tc_skip(c, 7, what) < 0 ? -1 : 0;
}

int tc_aligned_bstr(tc_cur *c, const char *what, char **out)
{
    uint32_t len;
    if (counted_text(c, what, 8, out, &len) < 0)
        return -1;
    size_t pad = (8 - len % 8) % 8;
    return tc_skip(c, pad < tc_left(c) ? pad : tc_left(c), what); /* last padding may be cut */
}

#include "json.h"
#include "fold.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void gl_json_init(gl_json *j, gl_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

static void before_value(gl_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->need_comma[j->depth])
        gl_buf_putc(j->out, ',');
    j->need_comma[j->depth] = true;
}

static void open_scope(gl_json *j, char c)
{
    before_value(j);
    gl_buf_putc(j->out, c);
    if (j->depth < GL_JSON_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_scope(gl_json *j, char c)
{
    gl_buf_putc(j->out, c);
    if (j->depth > 0)
        j->depth--;
}

void gl_json_obj_begin(gl_json *j) { open_scope(j, '{'); }
void gl_json_obj_end(gl_json *j) { close_scope(j, '}'); }
void gl_json_arr_begin(gl_json *j) { open_scope(j, '['); }
void gl_json_arr_end(gl_json *j) { close_scope(j, ']'); }

/* How each byte goes into a JSON string: GL_JSON_CLEAN as it is,
 * GL_JSON_ESCAPE as an escape (controls, '"', '\\'), GL_JSON_UTF8 as part of
 * a UTF-8 sequence that gl_json_escape checks before copying. */
const unsigned char gl_json_byte_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Length of the run of GL_JSON_CLEAN bytes at s, eight bytes at a time.
 * For a byte b below 0x80, b + 0x60 has its top bit clear exactly when
 * b < 0x20, and (b ^ c) + 0x7F exactly when b == c, with no carry into the
 * next byte. A byte of 0x80 or more may carry into the bytes after it, but
 * never into those before, so the lowest flagged byte is exact. */
static size_t clean_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t control = ~(w + ones * 0x60);
        uint64_t quote = ~((w ^ (ones * '"')) + ones * 0x7F);
        uint64_t bslash = ~((w ^ (ones * '\\')) + ones * 0x7F);
        uint64_t special = (control | quote | bslash | w) & high;
        if (special)
            return i + (size_t)__builtin_ctzll(special) / 8;
    }
#endif
    while (i < n && gl_json_byte_class[s[i]] == GL_JSON_CLEAN)
        i++;
    return i;
}

void gl_json_escape(gl_buf *out, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    gl_buf_reserve(out, n + 2);
    gl_buf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        size_t run = i + clean_run(s + i, n - i);
        if (run > i) { /* the common case: copy a clean run at once */
            gl_buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t len = gl_utf8_decode((const char *)s + i, n - i, &cp);
            if (cp < GL_UTF8_INVALID) {
                gl_buf_append(out, s + i, len);
                i += len;
                continue;
            }
        }
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default: /* control characters and bytes that are not UTF-8 keep their value */
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        gl_buf_append(out, esc, elen);
        i++;
    }
    gl_buf_putc(out, '"');
}

void gl_json_key_n(gl_json *j, const char *key, size_t n)
{
    before_value(j);
    if (clean_run((const unsigned char *)key, n) == n) { /* keys are nearly always plain names */
        gl_buf_reserve(j->out, n + 3);
        char *o = j->out->data + j->out->len;
        o[0] = '"';
        memcpy(o + 1, key, n);
        o[n + 1] = '"';
        o[n + 2] = ':';
        j->out->len += n + 3;
        j->out->data[j->out->len] = '\0';
    } else {
        gl_json_escape(j->out, key, n);
        gl_buf_putc(j->out, ':');
    }
    j->after_key = true;
}

void gl_json_str(gl_json *j, const char *s)
{
    if (!s) {
        gl_json_null(j);
        return;
    }
    gl_json_strn(j, s, strlen(s));
}

void gl_json_strn(gl_json *j, const char *s, size_t n)
{
    before_value(j);
    gl_json_escape(j->out, s, n);
}

void gl_json_int(gl_json *j, int64_t v)
{
    before_value(j);
    if (v < 0)
        gl_buf_putc(j->out, '-');
    gl_buf_put_u64(j->out, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void gl_json_uint(gl_json *j, uint64_t v)
{
    before_value(j);
    gl_buf_put_u64(j->out, v);
}

void gl_json_double(gl_json *j, double v)
{
    before_value(j);
    if (!isfinite(v)) {
        gl_buf_puts(j->out, "null"); /* JSON has no NaN/Inf */
        return;
    }
    gl_buf_printf(j->out, "%.17g", v);
}

void gl_json_bool(gl_json *j, bool v)
{
    before_value(j);
    gl_buf_puts(j->out, v ? "true" : "false");
}

void gl_json_null(gl_json *j)
{
    before_value(j);
    gl_buf_puts(j->out, "null");
}

/* Byte b's two lowercase hex digits at hex_pairs[2 * b], spelled out by the
 * preprocessor so the table is constant (no lazy set-up to race on). */
#define HEX_PAIR(hi, lo) #hi #lo
#define HEX_ROW(hi)                                                                                              \
    HEX_PAIR(hi, 0) HEX_PAIR(hi, 1) HEX_PAIR(hi, 2) HEX_PAIR(hi, 3) HEX_PAIR(hi, 4) HEX_PAIR(hi, 5)              \
    HEX_PAIR(hi, 6) HEX_PAIR(hi, 7) HEX_PAIR(hi, 8) HEX_PAIR(hi, 9) HEX_PAIR(hi, a) HEX_PAIR(hi, b)              \
    HEX_PAIR(hi, c) HEX_PAIR(hi, d) HEX_PAIR(hi, e) HEX_PAIR(hi, f)
static const char hex_pairs[] = HEX_ROW(0) HEX_ROW(1) HEX_ROW(2) HEX_ROW(3) HEX_ROW(4) HEX_ROW(5) HEX_ROW(6)
    HEX_ROW(7) HEX_ROW(8) HEX_ROW(9) HEX_ROW(a) HEX_ROW(b) HEX_ROW(c) HEX_ROW(d) HEX_ROW(e) HEX_ROW(f);

void gl_json_put_hex(gl_buf *out, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (n > (SIZE_MAX - 3) / 2) /* cannot be represented; never from bounded evidence */
        n = 0;
    gl_buf_reserve(out, n * 2 + 2);
    char *o = out->data + out->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++, o += 2)
        memcpy(o, hex_pairs + 2 * p[i], 2);
    *o++ = '"';
    out->len += n * 2 + 2;
    out->data[out->len] = '\0';
}

void gl_json_hex(gl_json *j, const void *data, size_t n)
{
    before_value(j);
    gl_json_put_hex(j->out, data, n);
}

void gl_json_raw(gl_json *j, const char *json, size_t n)
{
    before_value(j);
    gl_buf_append(j->out, json, n);
}

void gl_json_kv_str(gl_json *j, const char *key, const char *s)
{
    gl_json_key(j, key);
    gl_json_str(j, s);
}

void gl_json_kv_int(gl_json *j, const char *key, int64_t v)
{
    gl_json_key(j, key);
    gl_json_int(j, v);
}

void gl_json_kv_uint(gl_json *j, const char *key, uint64_t v)
{
    gl_json_key(j, key);
    gl_json_uint(j, v);
}

void gl_json_kv_bool(gl_json *j, const char *key, bool v)
{
    gl_json_key(j, key);
    gl_json_bool(j, v);
}

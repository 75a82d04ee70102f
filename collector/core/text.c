#include "text.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void gl_utf8_put(gl_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    gl_buf_append(out, b, n);
}

/* Whether any of the four 16-bit (eight 8-bit) lanes of v is zero. */
static inline bool any_zero16(uint64_t v) { return ((v - 0x0001000100010001ull) & ~v & 0x8000800080008000ull) != 0; }
static inline bool any_zero8(uint64_t v) { return ((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull) != 0; }

bool gl_utf16le_to_utf8(gl_buf *out, const uint8_t *p, size_t nbytes, bool stop_at_nul)
{
    bool clean = true;
    size_t units = nbytes / 2;
    gl_buf_reserve(out, units);
    for (size_t i = 0; i < units; i++) {
        /* Registry and event strings are nearly all ASCII: four units at
         * a time while they are (and hold no NUL that ends the string). */
        while (i + 4 <= units) {
            uint64_t v = gl_le64(p + 2 * i);
            if ((v & 0xFF80FF80FF80FF80ull) || (stop_at_nul && any_zero16(v)))
                break;
            gl_buf_reserve(out, 4);
            char *d = out->data + out->len;
            d[0] = (char)v;
            d[1] = (char)(v >> 16);
            d[2] = (char)(v >> 32);
            d[3] = (char)(v >> 48);
            out->len += 4;
            out->data[out->len] = '\0';
            i += 4;
        }
        if (i >= units)
            break;
        uint32_t u = gl_le16(p + 2 * i);
        if (u == 0 && stop_at_nul)
            return clean;
        if (u < 0x80) { /* fast path for the common ASCII case */
            gl_buf_putc(out, (char)u);
            continue;
        }
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
            uint32_t lo = gl_le16(p + 2 * (i + 1));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                gl_utf8_put(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i++;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            gl_buf_printf(out, "\\u%04X", u);
            clean = false;
            continue;
        }
        gl_utf8_put(out, u);
    }
    if (nbytes & 1) {
        gl_buf_printf(out, "\\x%02X", p[nbytes - 1]);
        clean = false;
    }
    return clean;
}

void gl_latin1_to_utf8(gl_buf *out, const uint8_t *p, size_t n, bool stop_at_nul)
{
    gl_buf_reserve(out, n);
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* eight bytes at a time while they are ASCII without NUL */
        for (uint64_t w; run + 8 <= n; run += 8) {
            memcpy(&w, p + run, 8);
            if ((w & 0x8080808080808080ull) || any_zero8(w))
                break;
        }
        while (run < n && p[run] != 0 && p[run] < 0x80)
            run++;
        gl_buf_append(out, p + i, run - i); /* ASCII runs in one copy */
        i = run;
        if (i == n)
            return;
        if (p[i] == 0) {
            if (stop_at_nul)
                return;
            gl_buf_putc(out, '\0');
        } else {
            gl_utf8_put(out, p[i]);
        }
        i++;
    }
}

#define FILETIME_UNIX_EPOCH 116444736000000000ULL

int64_t gl_filetime_to_unix(uint64_t ft)
{
    return (int64_t)(ft / 10000000ULL) - (int64_t)(FILETIME_UNIX_EPOCH / 10000000ULL);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), so
 * dates outside time_t/gmtime's range on 32-bit Windows still format. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static char *put_digits(char *o, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + width;
}

/* Hand-formatted: timestamps are on every record gleaner writes. */
static void format_iso(int64_t sec, uint64_t frac, int frac_digits, char out[GL_TIME_STRLEN])
{
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    int64_t rem = sec - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) { /* outside what 4 digits hold: let printf do it */
        int n = snprintf(out, GL_TIME_STRLEN, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, m, d,
                         (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
        if (frac_digits > 0 && n > 0 && n < GL_TIME_STRLEN - 12)
            n += snprintf(out + n, (size_t)(GL_TIME_STRLEN - n), ".%0*" PRIu64, frac_digits, frac);
        if (n > 0 && n < GL_TIME_STRLEN - 1)
            snprintf(out + n, (size_t)(GL_TIME_STRLEN - n), "Z");
        return;
    }
    char *o = out;
    o = put_digits(o, (uint64_t)y, 4);
    *o++ = '-';
    o = put_digits(o, m, 2);
    *o++ = '-';
    o = put_digits(o, d, 2);
    *o++ = 'T';
    o = put_digits(o, (uint64_t)(rem / 3600), 2);
    *o++ = ':';
    o = put_digits(o, (uint64_t)(rem / 60 % 60), 2);
    *o++ = ':';
    o = put_digits(o, (uint64_t)(rem % 60), 2);
    if (frac_digits > 0) {
        *o++ = '.';
        o = put_digits(o, frac, frac_digits);
    }
    *o++ = 'Z';
    *o = '\0';
}

bool gl_filetime_iso(uint64_t ft, int precision, char out[GL_TIME_STRLEN])
{
    if (precision < 0)
        precision = 0;
    if (precision > 7)
        precision = 7;
    int64_t sec = (int64_t)(ft / 10000000ULL) - (int64_t)(FILETIME_UNIX_EPOCH / 10000000ULL);
    uint64_t ticks = ft % 10000000ULL;
    uint64_t frac = ticks;
    for (int i = 7; i > precision; i--)
        frac /= 10;
    format_iso(sec, frac, precision, out);
    return ft != 0;
}

void gl_unixtime_iso(int64_t sec, long nsec, int precision, char out[GL_TIME_STRLEN])
{
    if (precision < 0)
        precision = 0;
    if (precision > 9)
        precision = 9;
    uint64_t frac = (uint64_t)(nsec < 0 ? 0 : nsec);
    for (int i = 9; i > precision; i--)
        frac /= 10;
    format_iso(sec, frac, precision, out);
}

void gl_utc_compact(time_t t, char out[32])
{
    char iso[GL_TIME_STRLEN];
    gl_unixtime_iso((int64_t)t, 0, 0, iso);
    /* 2026-11-25T10:15:00Z -> 20261125T101500Z */
    size_t j = 0;
    for (size_t i = 0; iso[i] && j < 31; i++)
        if (iso[i] != '-' && iso[i] != ':')
            out[j++] = iso[i];
    out[j] = '\0';
}

bool gl_sid_format(gl_buf *out, const uint8_t *p, size_t n)
{
    if (n < 8)
        return false;
    unsigned revision = p[0];
    unsigned count = p[1];
    if (n < 8 + 4 * (size_t)count)
        return false;
    uint64_t authority = 0;
    for (int i = 2; i < 8; i++)
        authority = (authority << 8) | p[i];
    gl_buf_puts(out, "S-");
    gl_buf_put_u64(out, revision);
    gl_buf_putc(out, '-');
    gl_buf_put_u64(out, authority);
    for (unsigned i = 0; i < count; i++) {
        gl_buf_putc(out, '-');
        gl_buf_put_u64(out, gl_le32(p + 8 + 4 * i));
    }
    return true;
}

void gl_guid_format(char out[39], const uint8_t p[16])
{
    snprintf(out, 39, "{%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", gl_le32(p),
             gl_le16(p + 4), gl_le16(p + 6), p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
}

void gl_escape_controls(gl_buf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f) {
            gl_buf_putc(out, (char)*p);
            continue;
        }
        gl_buf_putc(out, '\\');
        switch (*p) {
        case '\n': gl_buf_putc(out, 'n'); break;
        case '\r': gl_buf_putc(out, 'r'); break;
        case '\t': gl_buf_putc(out, 't'); break;
        default:
            gl_buf_putc(out, 'x');
            gl_buf_putc(out, hex[*p >> 4]);
            gl_buf_putc(out, hex[*p & 15]);
        }
    }
}

/* Rendering of EVTX records: substitution values as text (formats in
 * docs/evtx.md), the event model (System fields, EventData pairs, UserData
 * nodes), XML and JSON. Buffers are reused from record to record so the
 * hot path does not allocate once warm. */
#include <float.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx_int.h"
#include "text.h"
#if defined(__SSE2__) /* every x86-64 has it */
#include <emmintrin.h>
#endif

/* ---- values ------------------------------------------------------------ */

/* UTF-16LE without its trailing NULs. ASCII goes four units at a time,
 * BMP and paired surrogates are encoded here; an unpaired surrogate (and
 * an odd byte) go through gl_utf16le_to_utf8 for its escaping rules. */
static void put_utf16(gl_buf *out, const uint8_t *p, size_t n)
{
    while (n >= 2 && p[n - 1] == 0 && p[n - 2] == 0)
        n -= 2;
    gl_buf_reserve(out, n / 2 * 3 + 8);
    char *d = out->data + out->len;
    size_t i = 0;
    while (i + 2 <= n) {
        uint64_t v;
#if defined(__SSE2__)
        if (i + 16 <= n) { /* eight ASCII units: pack them to bytes */
            __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i hi = _mm_and_si128(w, _mm_set1_epi16((short)0xFF80));
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(hi, _mm_setzero_si128())) == 0xFFFF) {
                _mm_storel_epi64((__m128i *)(void *)d, _mm_packus_epi16(w, w));
                d += 8;
                i += 16;
                continue;
            }
        }
#endif
        if (i + 8 <= n && !((v = gl_le64(p + i)) & 0xFF80FF80FF80FF80ull)) {
            d[0] = (char)v;
            d[1] = (char)(v >> 16);
            d[2] = (char)(v >> 32);
            d[3] = (char)(v >> 48);
            d += 4;
            i += 8;
            continue;
        }
        uint32_t u = gl_le16(p + i);
        if (u < 0x80) {
            *d++ = (char)u;
        } else if (u < 0x800) {
            *d++ = (char)(0xC0 | (u >> 6));
            *d++ = (char)(0x80 | (u & 0x3F));
        } else if (u < 0xD800 || u > 0xDFFF) {
            *d++ = (char)(0xE0 | (u >> 12));
            *d++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *d++ = (char)(0x80 | (u & 0x3F));
        } else {
            uint32_t lo = i + 4 <= n ? gl_le16(p + i + 2) : 0;
            if (u <= 0xDBFF && lo >= 0xDC00 && lo <= 0xDFFF) {
                uint32_t cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                *d++ = (char)(0xF0 | (cp >> 18));
                *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *d++ = (char)(0x80 | (cp & 0x3F));
                i += 2;
            } else {
                out->len = (size_t)(d - out->data);
                gl_utf16le_to_utf8(out, p + i, 2, false);
                gl_buf_reserve(out, (n - i) / 2 * 3 + 8);
                d = out->data + out->len;
            }
        }
        i += 2;
    }
    out->len = (size_t)(d - out->data);
    if (i < n) /* odd trailing byte */
        gl_utf16le_to_utf8(out, p + i, n - i, false);
}

static void put_latin1(gl_buf *out, const uint8_t *p, size_t n)
{
    while (n > 0 && p[n - 1] == 0)
        n--;
    gl_latin1_to_utf8(out, p, n, false);
}

static void put_hex_upper(gl_buf *out, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    gl_buf_reserve(out, 2 * n);
    char *d = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        *d++ = hx[p[i] >> 4];
        *d++ = hx[p[i] & 15];
    }
    out->len += 2 * n;
}

/* Two digits per division, written in place: numbers are in every field
 * of every record. */
static void put_u64(gl_buf *out, uint64_t v)
{
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                   "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                   "8081828384858687888990919293949596979899";
    unsigned n = 1;
    for (uint64_t p10 = 10; n < 20 && v >= p10; p10 *= 10)
        n++;
    gl_buf_reserve(out, n);
    char *end = out->data + out->len + n, *d = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        d -= 2;
        d[0] = pairs[2 * r];
        d[1] = pairs[2 * r + 1];
    }
    if (v >= 10) {
        d -= 2;
        d[0] = pairs[2 * v];
        d[1] = pairs[2 * v + 1];
    } else {
        *--d = (char)('0' + v);
    }
    out->len += n;
    *end = '\0';
}

static void put_i64(gl_buf *out, int64_t v)
{
    if (v < 0) {
        gl_buf_putc(out, '-');
        put_u64(out, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(out, (uint64_t)v);
    }
}

/* Shortest decimal that reads back to the same value. */
static void put_real(gl_buf *out, double d, bool single)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        double back = strtod(tmp, NULL);
        if (single ? (float)back == (float)d : back == d)
            break;
    }
    gl_buf_puts(out, tmp);
}

static void put_digits(char *d, unsigned v, int n)
{
    while (n-- > 0) {
        d[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* ISO 8601 with 7 fraction digits. printf-free: this runs for every
 * record; the date part is cached per day (records come in time order). */
static void put_filetime(gl_buf *out, uint64_t ft)
{
    static _Thread_local uint64_t cached_day = UINT64_MAX;
    static _Thread_local char date[16];
    static _Thread_local size_t date_len;
    uint64_t sec = ft / 10000000u, frac = ft % 10000000u;
    uint64_t day = sec / 86400u, sod = sec % 86400u;
    if (day != cached_day) {
        char iso[GL_TIME_STRLEN];
        gl_filetime_iso(day * 86400u * 10000000u, 0, iso);
        char *t = strchr(iso, 'T');
        size_t n = t ? (size_t)(t - iso) : 0;
        if (n == 0 || n >= sizeof date) { /* out of the cacheable range */
            gl_filetime_iso(ft, 7, iso);
            gl_buf_puts(out, iso);
            return;
        }
        memcpy(date, iso, n);
        date_len = n;
        cached_day = day;
    }
    gl_buf_append(out, date, date_len);
    char t[18] = "THH:MM:SS.fffffffZ";
    put_digits(t + 1, (unsigned)(sod / 3600), 2);
    put_digits(t + 4, (unsigned)(sod / 60 % 60), 2);
    put_digits(t + 7, (unsigned)(sod % 60), 2);
    put_digits(t + 10, (unsigned)frac, 7);
    gl_buf_append(out, t, sizeof t);
}

/* "0x..." lower case into the end of tmp; returns where it starts. */
static int fmt_hex(char tmp[18], uint64_t v)
{
    int i = 18;
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    return i;
}

static void put_hex_lower(gl_buf *out, uint64_t v)
{
    char tmp[18];
    int i = fmt_hex(tmp, v);
    gl_buf_append(out, tmp + i, (size_t)(18 - i));
}

static void put_guid(gl_buf *out, const uint8_t *p)
{
    static const char hx[] = "0123456789ABCDEF";
    /* Data1..3 little-endian, Data4 as stored */
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char g[38];
    int k = 0;
    g[k++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            g[k++] = '-';
        g[k++] = hx[p[order[i]] >> 4];
        g[k++] = hx[p[order[i]] & 15];
    }
    g[k++] = '}';
    gl_buf_append(out, g, (size_t)k);
}

static void put_systime(gl_buf *out, const uint8_t *p)
{
    gl_buf_printf(out, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", gl_le16(p), gl_le16(p + 2), gl_le16(p + 6),
                  gl_le16(p + 8), gl_le16(p + 10), gl_le16(p + 12), gl_le16(p + 14));
}

static size_t sid_size(const uint8_t *p, size_t n) { return n < 8 ? 0 : 8 + 4 * (size_t)p[1]; }

int evtx_type_size(uint8_t type)
{
    switch (type) {
    case EVTX_T_I8: case EVTX_T_U8: return 1;
    case EVTX_T_I16: case EVTX_T_U16: return 2;
    case EVTX_T_I32: case EVTX_T_U32: case EVTX_T_R32: case EVTX_T_BOOL: case EVTX_T_HEX32: return 4;
    case EVTX_T_I64: case EVTX_T_U64: case EVTX_T_R64: case EVTX_T_FILETIME: case EVTX_T_HEX64: return 8;
    case EVTX_T_GUID: case EVTX_T_SYSTIME: return 16;
    default: return 0;
    }
}

/* One item of a fixed-size type; p holds at least evtx_type_size(type). */
static void put_scalar(gl_buf *out, uint8_t type, const uint8_t *p)
{
    switch (type) {
    case EVTX_T_I8: put_i64(out, (int8_t)p[0]); break;
    case EVTX_T_U8: put_u64(out, p[0]); break;
    case EVTX_T_I16: put_i64(out, (int16_t)gl_le16(p)); break;
    case EVTX_T_U16: put_u64(out, gl_le16(p)); break;
    case EVTX_T_I32: put_i64(out, (int32_t)gl_le32(p)); break;
    case EVTX_T_U32: put_u64(out, gl_le32(p)); break;
    case EVTX_T_I64: put_i64(out, (int64_t)gl_le64(p)); break;
    case EVTX_T_U64: put_u64(out, gl_le64(p)); break;
    case EVTX_T_R32: {
        float f;
        uint32_t u = gl_le32(p);
        memcpy(&f, &u, 4);
        put_real(out, f, true);
        break;
    }
    case EVTX_T_R64: {
        double d;
        uint64_t u = gl_le64(p);
        memcpy(&d, &u, 8);
        put_real(out, d, false);
        break;
    }
    case EVTX_T_BOOL: gl_buf_puts(out, gl_le32(p) ? "true" : "false"); break;
    case EVTX_T_GUID: put_guid(out, p); break;
    case EVTX_T_FILETIME: put_filetime(out, gl_le64(p)); break;
    case EVTX_T_SYSTIME: put_systime(out, p); break;
    case EVTX_T_HEX32: put_hex_lower(out, gl_le32(p)); break;
    case EVTX_T_HEX64: put_hex_lower(out, gl_le64(p)); break;
    default: break;
    }
}

/* size_t and handles are 4 or 8 bytes depending on the writer. */
static void put_word_sized(gl_buf *out, const uint8_t *p, size_t n, bool hex)
{
    uint64_t v = n >= 8 ? gl_le64(p) : n >= 4 ? gl_le32(p) : 0;
    if (n != 4 && n != 8) {
        put_hex_upper(out, p, n);
        return;
    }
    if (hex)
        put_hex_lower(out, v);
    else
        put_u64(out, v);
}

/* S-revision-authority-sub... ; authority is 48-bit big-endian. */
static void put_sid(gl_buf *out, const uint8_t *p, size_t n)
{
    size_t sz = sid_size(p, n);
    if (sz == 0 || sz > n) {
        put_hex_upper(out, p, n);
        return;
    }
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++)
        auth = (auth << 8) | p[i];
    gl_buf_puts(out, "S-");
    put_u64(out, p[0]);
    gl_buf_putc(out, '-');
    put_u64(out, auth);
    for (unsigned i = 0; i < p[1]; i++) {
        gl_buf_putc(out, '-');
        put_u64(out, gl_le32(p + 8 + 4 * i));
    }
}

/* Arrays: items separated by '\n'. Strings are NUL-terminated items. */
static void put_array(gl_buf *out, uint8_t type, const uint8_t *p, size_t n)
{
    size_t items = 0;
    if (type == EVTX_T_STRING || type == EVTX_T_ANSI) {
        size_t unit = type == EVTX_T_STRING ? 2 : 1;
        size_t i = 0, start = 0;
        n -= n % unit;
        for (; i + unit <= n; i += unit) {
            bool nul = unit == 2 ? (p[i] == 0 && p[i + 1] == 0) : p[i] == 0;
            if (!nul)
                continue;
            if (items++)
                gl_buf_putc(out, '\n');
            if (unit == 2)
                put_utf16(out, p + start, i - start);
            else
                put_latin1(out, p + start, i - start);
            start = i + unit;
        }
        if (start < n) {
            if (items)
                gl_buf_putc(out, '\n');
            if (unit == 2)
                put_utf16(out, p + start, n - start);
            else
                put_latin1(out, p + start, n - start);
        }
        return;
    }
    if (type == EVTX_T_SID) {
        size_t i = 0;
        while (i < n) {
            size_t sz = sid_size(p + i, n - i);
            if (sz == 0 || sz > n - i) {
                if (items)
                    gl_buf_putc(out, '\n');
                put_hex_upper(out, p + i, n - i);
                return;
            }
            if (items++)
                gl_buf_putc(out, '\n');
            put_sid(out, p + i, sz);
            i += sz;
        }
        return;
    }
    int sz = evtx_type_size(type);
    if (sz == 0 || n % (size_t)sz) {
        put_hex_upper(out, p, n);
        return;
    }
    for (size_t i = 0; i < n; i += (size_t)sz) {
        if (items++)
            gl_buf_putc(out, '\n');
        put_scalar(out, type, p + i);
    }
}

void evtx_format_value(gl_buf *out, const evtx_value *v)
{
    uint8_t type = v->type;
    const uint8_t *p = v->p;
    size_t n = v->len;
    if (type & EVTX_T_ARRAY) {
        put_array(out, type & 0x7f, p, n);
        return;
    }
    switch (type) {
    case EVTX_T_NULL: return;
    case EVTX_T_STRING: case EVTX_T_EVTXML: put_utf16(out, p, n); return;
    case EVTX_T_ANSI: put_latin1(out, p, n); return;
    case EVTX_T_BINARY: put_hex_upper(out, p, n); return;
    case EVTX_T_SIZET: put_word_sized(out, p, n, false); return;
    case EVTX_T_HANDLE: put_word_sized(out, p, n, true); return;
    case EVTX_T_SID: put_sid(out, p, n); return;
    case EVTX_T_BINXML: return; /* rendered as markup by the walker */
    default: break;
    }
    int sz = evtx_type_size(type);
    if (sz == 0 || n < (size_t)sz) { /* unknown type or short value: keep the bytes */
        put_hex_upper(out, p, n);
        return;
    }
    put_scalar(out, type, p);
}

bool evtx_value_uint(const evtx_value *v, uint64_t *out)
{
    int sz = evtx_type_size(v->type);
    if (sz == 0 || sz > 8 || v->len < (uint32_t)sz || v->type == EVTX_T_R32 || v->type == EVTX_T_R64)
        return false;
    const uint8_t *p = v->p;
    switch (sz) {
    case 1: *out = p[0]; break;
    case 2: *out = gl_le16(p); break;
    case 4: *out = gl_le32(p); break;
    default: *out = gl_le64(p); break;
    }
    return true;
}

/* ---- event model ------------------------------------------------------- */

enum { SEC_NONE, SEC_SYSTEM, SEC_EVENT_DATA, SEC_USER_DATA };
enum { CAP_NONE, CAP_SYS, CAP_PAIR_NAME, CAP_PAIR_VALUE, CAP_UNODE };
#define NO_OFF UINT32_MAX
/* One substitution may be referenced thousands of times: the text of one
 * event (model or XML) is capped so memory stays bounded. */
#define MODEL_MAX (8u << 20)
#define XML_MAX (16u << 20)

/* A model program: what building the model of one record did, as a list
 * of effects (append text, begin or end a capture, add a pair or a
 * UserData node, format substitution k, set flags). Every record of the
 * same template whose values have the same shape (count, which are empty,
 * none holding BinXml) makes the same effects with its own values, so the
 * program is recorded from the first such record of a chunk and replayed
 * for the others, without walking the template's tree. */
enum { MOP_TEXT, MOP_CAP_BEGIN, MOP_CAP_END, MOP_PAIR, MOP_UNODE, MOP_VALUE, MOP_HAS, MOP_CAP_VALUE };
typedef struct mop {
    uint8_t op, what;
    uint32_t a, b;
} mop;
/* Stored in bx_ctx.prog, 4-byte aligned: the header, nnodes - 1
 * mprog_node, nvals mprog_val, nops mop, then the text MOP_TEXT appends. */
typedef struct mprog {
    uint32_t next; /* the template's program before this one (+1), 0 none */
    uint32_t root, nnodes, nvals, nops, text_len, visits;
} mprog;
#define MPROG_MAX_OPS 16384u
#define MPROG_MAX_CHUNK (4u << 20) /* program bytes per chunk */
#define MPROG_TRIES 8              /* recordings per template per chunk */

typedef struct mrec {
    const evtx_value *vals; /* the record's substitution values */
    uint32_t nvals;
    bool failed;
} mrec;

typedef struct msink {
    evtx_model *m;
    evtx_event *ev;
    int depth;            /* depth of the element last started (root = 0) */
    int section;
    int pending;          /* capture to begin at content() */
    uint32_t pending_arg;
    int cap;              /* capture in progress */
    uint32_t cap_arg;
    uint32_t cap_start;
    int cap_depth;        /* element whose content is captured */
    uint8_t sys_elem;     /* System child currently open */
    uint32_t sys_off[NM_COUNT];
    bool full;                  /* MODEL_MAX reached: captures dropped */
    uint64_t sys_num[NM_COUNT]; /* integer-typed System values, no text */
    uint32_t sys_num_set;       /* bit per NM_* id */
    mrec *rec;                  /* recording a model program, or NULL */
} msink;

static void push_u32(uint32_t **arr, size_t *n, size_t *cap, uint32_t v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *arr = gl_xrealloc(*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = v;
}

static void rec_op(msink *s, uint8_t op, uint8_t what, uint32_t a, uint32_t b)
{
    gl_buf *ops = &s->m->rec_ops;
    if (ops->len / sizeof(mop) >= MPROG_MAX_OPS) {
        s->rec->failed = true;
        return;
    }
    mop o = {.op = op, .what = what, .a = a, .b = b};
    gl_buf_append(ops, &o, sizeof o);
}

/* A capture of one value (most fields) becomes one op. */
static void rec_cap_end(msink *s)
{
    gl_buf *ops = &s->m->rec_ops;
    mop *o = (mop *)(void *)ops->data;
    size_t n = ops->len / sizeof(mop);
    if (n >= 2 && o[n - 2].op == MOP_CAP_BEGIN && o[n - 1].op == MOP_VALUE) {
        o[n - 2].op = MOP_CAP_VALUE;
        o[n - 2].b = o[n - 1].a;
        ops->len -= sizeof(mop);
        return;
    }
    rec_op(s, MOP_CAP_END, 0, 0, 0);
}

static void rec_text(msink *s, const char *p, size_t n)
{
    gl_buf *ops = &s->m->rec_ops, *text = &s->m->rec_text;
    if (text->len + n > MPROG_MAX_CHUNK) { /* could never be filed */
        s->rec->failed = true;
        return;
    }
    mop *last = ops->len ? (mop *)(void *)(ops->data + ops->len - sizeof(mop)) : NULL;
    if (last && last->op == MOP_TEXT) /* the op ends the text so far */
        last->b += (uint32_t)n;
    else
        rec_op(s, MOP_TEXT, 0, (uint32_t)text->len, (uint32_t)n);
    gl_buf_append(text, p, n);
}

/* Text appended to the model, recorded as constant text. */
static void m_put(msink *s, const char *p, size_t n)
{
    gl_buf_append(&s->m->str, p, n);
    if (s->rec)
        rec_text(s, p, n);
}

static uint32_t str_add(msink *s, const char *p, size_t n)
{
    uint32_t off = (uint32_t)s->m->str.len;
    m_put(s, p, n);
    m_put(s, "", 1);
    return off;
}

static inline void cap_set(msink *s, int what, uint32_t arg)
{
    s->cap = what;
    s->cap_arg = arg;
    s->cap_depth = s->depth;
    s->cap_start = (uint32_t)s->m->str.len;
}

/* NUL-terminate the capture and file the string where it belongs. */
static inline void cap_file(msink *s)
{
    evtx_model *m = s->m;
    uint32_t off = s->cap_start;
    gl_buf_putc(&m->str, '\0');
    switch (s->cap) {
    case CAP_SYS: s->sys_off[s->cap_arg] = off; break;
    case CAP_PAIR_NAME: m->pair_offs[2 * s->cap_arg] = off; break;
    case CAP_PAIR_VALUE: m->pair_offs[2 * s->cap_arg + 1] = off; break;
    case CAP_UNODE: m->unode_offs[3 * s->cap_arg + 1] = off; break;
    default: break;
    }
    s->cap = CAP_NONE;
}

static void cap_begin(msink *s, int what, uint32_t arg)
{
    if (s->rec)
        rec_op(s, MOP_CAP_BEGIN, (uint8_t)what, arg, 0);
    cap_set(s, what, arg);
}

/* Finish the capture, if one is in progress. */
static void cap_end(msink *s)
{
    if (s->cap == CAP_NONE)
        return;
    if (s->rec)
        rec_cap_end(s);
    cap_file(s);
}

static void m_has(msink *s, uint32_t bits)
{
    if (s->rec)
        rec_op(s, MOP_HAS, 0, bits, 0);
    s->ev->has |= bits;
}

static bool sys_text_field(uint8_t id)
{
    switch (id) {
    case NM_EVENT_ID: case NM_VERSION: case NM_LEVEL: case NM_TASK: case NM_OPCODE: case NM_KEYWORDS:
    case NM_EVENT_RECORD_ID: case NM_CHANNEL: case NM_COMPUTER: return true;
    default: return false;
    }
}

/* An EventData pair; its name (if any) follows as text. */
static uint32_t add_pair(msink *s, const char *name, uint32_t len, bool named)
{
    evtx_model *m = s->m;
    uint32_t pi = (uint32_t)(m->npairs / 2);
    if (s->rec)
        rec_op(s, MOP_PAIR, named, 0, 0);
    push_u32(&m->pair_offs, &m->npairs, &m->cap_pairs, named ? (uint32_t)m->str.len : NO_OFF);
    push_u32(&m->pair_offs, &m->npairs, &m->cap_pairs, NO_OFF);
    if (named)
        str_add(s, name, len);
    return pi;
}

static uint32_t add_unode(msink *s, const char *name, uint32_t len, int depth, bool attr)
{
    evtx_model *m = s->m;
    uint32_t idx = (uint32_t)(m->nunodes / 3), bits = (uint32_t)depth | (attr ? 0x10000u : 0);
    if (s->rec)
        rec_op(s, MOP_UNODE, 0, bits, 0);
    push_u32(&m->unode_offs, &m->nunodes, &m->cap_unodes, (uint32_t)m->str.len);
    push_u32(&m->unode_offs, &m->nunodes, &m->cap_unodes, NO_OFF);
    push_u32(&m->unode_offs, &m->nunodes, &m->cap_unodes, bits);
    str_add(s, name, len);
    return idx;
}

static void m_elem_start(void *ctx, const char *name, uint32_t len, uint8_t id)
{
    msink *s = ctx;
    if (s->cap == CAP_UNODE) /* a UserData element's text ends at its first child */
        cap_end(s);
    int d = ++s->depth;
    s->pending = CAP_NONE;
    if (d == 1) {
        s->section = id == NM_SYSTEM ? SEC_SYSTEM
                   : id == NM_EVENT_DATA ? SEC_EVENT_DATA
                   : id == NM_USER_DATA ? SEC_USER_DATA : SEC_NONE;
        if (id == NM_EVENT_DATA)
            m_has(s, EVTX_HAS_EVENT_DATA);
        if (id == NM_USER_DATA)
            m_has(s, EVTX_HAS_USER_DATA);
        return;
    }
    if (d < 2)
        return;
    switch (s->section) {
    case SEC_SYSTEM:
        if (d == 2) {
            s->sys_elem = id;
            if (sys_text_field(id)) {
                s->pending = CAP_SYS;
                s->pending_arg = id;
            }
        }
        break;
    case SEC_EVENT_DATA:
        if (d == 2) {
            s->pending = CAP_PAIR_VALUE;
            s->pending_arg = add_pair(s, name, len, id != NM_DATA);
        }
        break;
    case SEC_USER_DATA: {
        uint32_t u = add_unode(s, name, len, d - 2, false);
        s->pending = CAP_UNODE;
        s->pending_arg = u;
        break;
    }
    default: break;
    }
}

static void m_attr_start(void *ctx, const char *name, uint32_t len, uint8_t id)
{
    msink *s = ctx;
    int d = s->depth;
    /* System attributes the model keeps, with the element they belong to */
    static const uint8_t sys_attrs[][2] = {
        {NM_NAME, NM_PROVIDER},       {NM_GUID, NM_PROVIDER},      {NM_EVENT_SOURCE_NAME, NM_PROVIDER},
        {NM_QUALIFIERS, NM_EVENT_ID}, {NM_SYSTEM_TIME, NM_TIME_CREATED}, {NM_PROCESS_ID, NM_EXECUTION},
        {NM_THREAD_ID, NM_EXECUTION}, {NM_USER_ID, NM_SECURITY}};
    if (s->section == SEC_SYSTEM && d == 2) {
        for (size_t i = 0; i < sizeof sys_attrs / sizeof sys_attrs[0]; i++)
            if (sys_attrs[i][0] == id && sys_attrs[i][1] == s->sys_elem)
                cap_begin(s, CAP_SYS, id);
    } else if (s->section == SEC_EVENT_DATA && d == 2 && id == NM_NAME) {
        evtx_model *m = s->m;
        cap_begin(s, CAP_PAIR_NAME, (uint32_t)(m->npairs / 2 - 1));
    } else if (s->section == SEC_USER_DATA && d >= 2) {
        cap_begin(s, CAP_UNODE, add_unode(s, name, len, d - 2, true));
    }
}

static void m_attr_end(void *ctx) { cap_end(ctx); }

static void m_content(void *ctx)
{
    msink *s = ctx;
    if (s->pending != CAP_NONE) {
        cap_begin(s, s->pending, s->pending_arg);
        s->pending = CAP_NONE;
    }
}

/* Whether text may be added to the current capture. */
static bool m_room(msink *s)
{
    if (s->cap == CAP_NONE)
        return false;
    if (s->m->str.len > MODEL_MAX)
        s->full = true;
    return !s->full;
}

static void m_text(void *ctx, const char *t, uint32_t len, bool cdata)
{
    (void)cdata;
    msink *s = ctx;
    if (m_room(s))
        m_put(s, t, len);
}

/* Substitution value v: numbers of System kept as numbers, the rest as
 * text. */
static void model_value(msink *s, const evtx_value *v)
{
    if (s->cap == CAP_SYS && s->cap_arg == NM_SYSTEM_TIME && v->type == EVTX_T_FILETIME && v->len >= 8) {
        s->ev->time_created = gl_le64(v->p);
        s->ev->has |= EVTX_HAS_TIME_CREATED;
    }
    uint64_t u;
    if (s->cap == CAP_SYS && s->cap_arg != NM_SYSTEM_TIME && s->cap_arg != NM_USER_ID &&
        s->m->str.len == s->cap_start && evtx_value_uint(v, &u)) {
        s->sys_num[s->cap_arg] = u; /* skip text and strtoull for numbers */
        s->sys_num_set |= 1u << s->cap_arg;
        return;
    }
    evtx_format_value(&s->m->str, v);
}

static void m_value(void *ctx, const evtx_value *v)
{
    msink *s = ctx;
    if (!m_room(s))
        return;
    if (s->rec) {
        mrec *r = s->rec;
        if (v < r->vals || v >= r->vals + r->nvals) /* not one of the record's own */
            r->failed = true;
        else
            rec_op(s, MOP_VALUE, 0, (uint32_t)(v - r->vals), 0);
    }
    model_value(s, v);
}

static void m_charref(void *ctx, uint16_t code)
{
    msink *s = ctx;
    if (!m_room(s))
        return;
    size_t at = s->m->str.len;
    gl_utf8_put(&s->m->str, code);
    if (s->rec)
        rec_text(s, s->m->str.data + at, s->m->str.len - at);
}

static void m_entref(void *ctx, const char *name, uint32_t len)
{
    msink *s = ctx;
    if (!m_room(s))
        return;
    static const struct { const char *n; char c; } ents[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
        if (strlen(ents[i].n) == len && !memcmp(ents[i].n, name, len)) {
            m_put(s, &ents[i].c, 1);
            return;
        }
    m_put(s, "&", 1);
    m_put(s, name, len);
    m_put(s, ";", 1);
}

static void m_pi(void *ctx, const char *t, uint32_t tl, const char *d, uint32_t dl)
{
    (void)ctx, (void)t, (void)tl, (void)d, (void)dl;
}

static void m_elem_end(void *ctx, const char *name, uint32_t len, uint8_t id)
{
    (void)name, (void)len, (void)id;
    msink *s = ctx;
    int d = s->depth;
    if (s->cap != CAP_NONE && s->cap_depth == d)
        cap_end(s);
    s->pending = CAP_NONE;
    if (d == 2 && s->section == SEC_SYSTEM)
        s->sys_elem = NM_OTHER;
    if (d == 1)
        s->section = SEC_NONE;
    s->depth--;
}

static const char *off_str(const evtx_model *m, uint32_t off) { return off == NO_OFF ? "" : m->str.data + off; }

static bool parse_num(const evtx_model *m, uint32_t off, uint64_t *v)
{
    if (off == NO_OFF)
        return false;
    const char *s = m->str.data + off;
    if (!*s)
        return false;
    char *end;
    *v = strtoull(s, &end, 0);
    return *end == '\0';
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.f...]Z" (at most 100 ns kept) to a FILETIME. */
static bool parse_iso_filetime(const char *s, uint64_t *ft)
{
    unsigned v[6];
    const char seps[] = "--T::";
    static const int widths[6] = {4, 2, 2, 2, 2, 2};
    for (int k = 0; k < 6; k++) {
        v[k] = 0;
        for (int i = 0; i < widths[k]; i++, s++) {
            if (*s < '0' || *s > '9')
                return false;
            v[k] = v[k] * 10 + (unsigned)(*s - '0');
        }
        if (k < 5 && *s++ != seps[k])
            return false;
    }
    if (v[0] < 1601 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return false;
    uint64_t frac = 0;
    int digits = 0;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            if (digits < 7) {
                frac = frac * 10 + (uint64_t)(*s - '0');
                digits++;
            }
    if (*s != 'Z' || s[1])
        return false;
    for (; digits < 7; digits++)
        frac *= 10;
    int64_t secs = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
    *ft = (uint64_t)(secs + 11644473600ll) * 10000000u + frac;
    return true;
}

/* Numbers and strings of System from the captured text. */
static void finish_system(msink *s)
{
    evtx_event *ev = s->ev;
    const evtx_model *m = s->m;
    const uint32_t *o = s->sys_off;
    uint64_t v;
    static const struct { uint8_t id; uint32_t bit; } nums[] = {
        {NM_EVENT_ID, EVTX_HAS_EVENT_ID}, {NM_QUALIFIERS, EVTX_HAS_QUALIFIERS}, {NM_VERSION, EVTX_HAS_VERSION},
        {NM_LEVEL, EVTX_HAS_LEVEL}, {NM_TASK, EVTX_HAS_TASK}, {NM_OPCODE, EVTX_HAS_OPCODE},
        {NM_KEYWORDS, EVTX_HAS_KEYWORDS}, {NM_EVENT_RECORD_ID, EVTX_HAS_RECORD_ID},
        {NM_PROCESS_ID, EVTX_HAS_PROCESS_ID}, {NM_THREAD_ID, EVTX_HAS_THREAD_ID}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (s->sys_num_set & (1u << nums[i].id))
            v = s->sys_num[nums[i].id];
        else if (!parse_num(m, o[nums[i].id], &v))
            continue;
        ev->has |= nums[i].bit;
        switch (nums[i].id) {
        case NM_EVENT_ID: ev->event_id = (uint16_t)v; break;
        case NM_QUALIFIERS: ev->qualifiers = (uint16_t)v; break;
        case NM_VERSION: ev->version = (uint8_t)v; break;
        case NM_LEVEL: ev->level = (uint8_t)v; break;
        case NM_TASK: ev->task = (uint16_t)v; break;
        case NM_OPCODE: ev->opcode = (uint8_t)v; break;
        case NM_KEYWORDS: ev->keywords = v; break;
        case NM_EVENT_RECORD_ID: ev->event_record_id = v; break;
        case NM_PROCESS_ID: ev->process_id = (uint32_t)v; break;
        case NM_THREAD_ID: ev->thread_id = (uint32_t)v; break;
        default: break;
        }
    }
    if (!(ev->has & EVTX_HAS_RECORD_ID))
        ev->event_record_id = ev->record_id;
    ev->provider_name = off_str(m, o[NM_NAME]);
    ev->provider_guid = off_str(m, o[NM_GUID]);
    ev->event_source_name = off_str(m, o[NM_EVENT_SOURCE_NAME]);
    ev->channel = off_str(m, o[NM_CHANNEL]);
    ev->computer = off_str(m, o[NM_COMPUTER]);
    ev->user_id = off_str(m, o[NM_USER_ID]);
    const char *t = off_str(m, o[NM_SYSTEM_TIME]);
    size_t tl = strnlen(t, sizeof ev->time_created_iso - 1);
    gl_copy(ev->time_created_iso, t, tl); /* no printf per record */
    ev->time_created_iso[tl] = '\0';
    if (*t && !(ev->has & EVTX_HAS_TIME_CREATED)) {
        /* Text time (records saved with inline values): as a FILETIME too
         * when it parses, else the string as written. */
        ev->has |= EVTX_HAS_TIME_CREATED;
        if (parse_iso_filetime(t, &ev->time_created)) {
            gl_buf tb = {0};
            put_filetime(&tb, ev->time_created);
            snprintf(ev->time_created_iso, sizeof ev->time_created_iso, "%s", gl_buf_cstr(&tb));
            gl_buf_free(&tb);
        }
    }
}

/* Offsets become pointers once the string buffer stops growing. */
static void finish_lists(msink *s)
{
    evtx_model *m = s->m;
    evtx_event *ev = s->ev;
    size_t np = m->npairs / 2;
    if (np > m->cap_pairs_out) {
        m->cap_pairs_out = np * 2;
        m->pairs = gl_xrealloc(m->pairs, m->cap_pairs_out * sizeof *m->pairs);
    }
    for (size_t i = 0; i < np; i++) {
        uint32_t no = m->pair_offs[2 * i], vo = m->pair_offs[2 * i + 1];
        m->pairs[i].name = m->str.data + no;
        m->pairs[i].value = off_str(m, vo);
    }
    size_t nu = m->nunodes / 3;
    if (nu > m->cap_unodes_out) {
        m->cap_unodes_out = nu * 2;
        m->unodes = gl_xrealloc(m->unodes, m->cap_unodes_out * sizeof *m->unodes);
    }
    for (size_t i = 0; i < nu; i++) {
        m->unodes[i].name = m->str.data + m->unode_offs[3 * i];
        m->unodes[i].value = off_str(m, m->unode_offs[3 * i + 1]);
        m->unodes[i].depth = (uint16_t)(m->unode_offs[3 * i + 2] & 0xffff);
        m->unodes[i].is_attr = (m->unode_offs[3 * i + 2] >> 16) != 0;
    }
    ev->data = m->pairs;
    ev->ndata = np;
    ev->user = m->unodes;
    ev->nuser = nu;
}

/* Unnamed <Data> elements are keyed by their position among the
 * EventData children. */
static void name_positions(evtx_model *m)
{
    size_t np = m->npairs / 2;
    for (size_t i = 0; i < np; i++) {
        if (m->pair_offs[2 * i] != NO_OFF)
            continue;
        m->pair_offs[2 * i] = (uint32_t)m->str.len;
        put_u64(&m->str, i); /* no %zu: the mingw build's printf lacks it */
        gl_buf_putc(&m->str, '\0');
    }
}

static bool m_full(void *ctx) { return ((msink *)ctx)->full; }

static const bx_sink model_sink = {
    .elem_start = m_elem_start, .attr_start = m_attr_start, .attr_end = m_attr_end, .content = m_content,
    .text = m_text, .value = m_value, .charref = m_charref, .entref = m_entref, .pi = m_pi,
    .elem_end = m_elem_end, .full = m_full};

/* What a program keeps of the record it was recorded from: per template
 * instance node of the record arena, where its values are; per value, its
 * shape (1 empty, 0 not, 2 BinXml: then the node of its tree) and how many
 * MOP_VALUE ops name it. A record with the same arena layout and shapes
 * walks the same way. */
typedef struct mprog_node {
    uint32_t vals, nvals;
    uint32_t index;
} mprog_node;
typedef struct mprog_val {
    uint32_t tree;
    uint16_t refs;
    uint8_t shape;
    uint8_t pad;
} mprog_val;

/* Formatting a value of len bytes writes at most 8 * len + 64 bytes (hex
 * 2x, the widest array items 5x, fixed types at most 42 bytes). */
#define VALUE_TEXT_MAX(len) (8 * (uint64_t)(len) + 64)

static uint8_t value_shape(const evtx_value *v)
{
    return v->type == EVTX_T_BINXML ? 2 : v->type == EVTX_T_NULL || v->len == 0;
}

/* File the recorded program with the template, when it fits. */
static void prog_commit(bx_ctx *c, bx_tpl_slot *t, const evtx_model *m, uint32_t root, uint64_t visits)
{
    const bx_arena *ra = &c->rarena;
    size_t nops = m->rec_ops.len / sizeof(mop), ncapend = 0;
    size_t need = 3 + sizeof(mprog) + ra->n * sizeof(mprog_node) + ra->nv * sizeof(mprog_val) + m->rec_ops.len +
                  m->rec_text.len;
    if (c->prog.len + need > MPROG_MAX_CHUNK || visits > UINT32_MAX) {
        t->prog_state = 2;
        return;
    }
    while (c->prog.len % 4) /* read in place */
        gl_buf_putc(&c->prog, 0);
    uint32_t off = (uint32_t)c->prog.len;
    mprog h = {.next = t->prog, .root = root, .nnodes = ra->n, .nvals = ra->nv, .nops = (uint32_t)nops,
               .text_len = (uint32_t)m->rec_text.len, .visits = (uint32_t)visits};
    gl_buf_append(&c->prog, &h, sizeof h);
    for (uint32_t i = 1; i < ra->n; i++) {
        mprog_node pn = {.vals = ra->nodes[i].vals, .nvals = ra->nodes[i].nvals, .index = ra->nodes[i].index};
        gl_buf_append(&c->prog, &pn, sizeof pn);
    }
    size_t vat = c->prog.len;
    for (uint32_t k = 0; k < ra->nv; k++) {
        mprog_val pv = {.shape = value_shape(&ra->vals[k])};
        pv.tree = pv.shape == 2 ? ra->vals[k].tree : 0;
        gl_buf_append(&c->prog, &pv, sizeof pv);
    }
    gl_buf_append(&c->prog, m->rec_ops.data, m->rec_ops.len);
    gl_buf_append(&c->prog, m->rec_text.data, m->rec_text.len);
    mprog_val *pv = (mprog_val *)(void *)(c->prog.data + vat);
    const mop *ops = (const mop *)(const void *)m->rec_ops.data;
    for (size_t i = 0; i < nops; i++) {
        if (ops[i].op == MOP_VALUE)
            pv[ops[i].a].refs++;
        if (ops[i].op == MOP_CAP_VALUE)
            pv[ops[i].b].refs++;
        ncapend += ops[i].op == MOP_CAP_END || ops[i].op == MOP_CAP_VALUE;
    }
    h.text_len += (uint32_t)ncapend; /* the bound below counts their NULs as text */
    memcpy(c->prog.data + off, &h, sizeof h);
    t->prog = off + 1;
}

/* Whether the record (arena ra) has the layout and value shapes of the
 * program at base, within the model size limit. */
static bool prog_fits(const char *base, const mprog *h, const bx_arena *ra, uint32_t root, uint64_t len)
{
    if (h->root != root || h->nnodes != ra->n || h->nvals != ra->nv)
        return false;
    const mprog_node *pn = (const mprog_node *)(const void *)(base + sizeof *h);
    for (uint32_t i = 1; i < ra->n; i++, pn++) {
        const bx_node *nd = &ra->nodes[i];
        if (nd->vals != pn->vals || nd->nvals != pn->nvals || nd->index != pn->index)
            return false;
    }
    const mprog_val *pv = (const mprog_val *)(const void *)pn;
    uint64_t bound = len + h->text_len;
    for (uint32_t k = 0; k < ra->nv; k++) {
        const evtx_value *v = &ra->vals[k];
        uint8_t shape = value_shape(v);
        if (pv[k].shape != shape || (shape == 2 && v->tree != pv[k].tree))
            return false;
        bound += pv[k].refs * VALUE_TEXT_MAX(v->len);
    }
    return bound <= MODEL_MAX;
}

static void prog_run(const mop *ops, uint32_t nops, const char *text, const evtx_value *vals, msink *s)
{
    evtx_model *m = s->m;
    for (uint32_t i = 0; i < nops; i++) {
        const mop *o = &ops[i];
        switch (o->op) {
        case MOP_TEXT: gl_buf_append(&m->str, text + o->a, o->b); break;
        case MOP_CAP_BEGIN: cap_set(s, o->what, o->a); break;
        case MOP_CAP_END: cap_file(s); break;
        case MOP_PAIR:
            push_u32(&m->pair_offs, &m->npairs, &m->cap_pairs, o->what ? (uint32_t)m->str.len : NO_OFF);
            push_u32(&m->pair_offs, &m->npairs, &m->cap_pairs, NO_OFF);
            break;
        case MOP_UNODE:
            push_u32(&m->unode_offs, &m->nunodes, &m->cap_unodes, (uint32_t)m->str.len);
            push_u32(&m->unode_offs, &m->nunodes, &m->cap_unodes, NO_OFF);
            push_u32(&m->unode_offs, &m->nunodes, &m->cap_unodes, o->a);
            break;
        case MOP_VALUE: model_value(s, &vals[o->a]); break;
        case MOP_HAS: s->ev->has |= o->a; break;
        case MOP_CAP_VALUE:
            cap_set(s, o->what, o->a);
            model_value(s, &vals[o->b]);
            cap_file(s);
            break;
        default: break;
        }
    }
}

/* Replay a program of the template that fits the record; false (nothing
 * done) when none does, or when the walk it stands for would run out of
 * budget: the walk then does it, with its errors. */
static bool prog_replay(bx_ctx *c, const bx_tpl_slot *t, uint32_t root, msink *s)
{
    const bx_arena *ra = &c->rarena;
    for (uint32_t at = t->prog, i = 0; at && i < MPROG_TRIES; i++) {
        const char *base = c->prog.data + at - 1;
        mprog h;
        memcpy(&h, base, sizeof h);
        at = h.next;
        if (!prog_fits(base, &h, ra, root, s->m->str.len))
            continue;
        if (!bx_charge_walk(c, h.visits))
            return false;
        const mop *ops = (const mop *)(const void *)(base + sizeof h + (h.nnodes - 1) * sizeof(mprog_node) +
                                                     h.nvals * sizeof(mprog_val));
        prog_run(ops, h.nops, (const char *)(ops + h.nops), ra->vals, s);
        return true;
    }
    return false;
}

/* The walk, recording a program for the record's template on the way
 * when none of its programs fits the record yet. */
static int model_walk(bx_ctx *c, uint32_t root, msink *s, gl_err *err)
{
    bx_sink sink = model_sink;
    sink.ctx = s;
    bx_tpl_slot *t = bx_record_slot(c, root);
    if (t && t->prog && prog_replay(c, t, root, s))
        return 0;
    if (!t || t->prog_state == 2 || t->prog_tries >= MPROG_TRIES)
        return bx_walk_record(c, root, &sink, err);
    t->prog_tries++;
    mrec r = {.vals = c->rarena.vals, .nvals = c->rarena.nv};
    gl_buf_clear(&s->m->rec_ops);
    gl_buf_clear(&s->m->rec_text);
    s->rec = &r;
    uint64_t before = c->chunk_budget;
    int rc = bx_walk_record(c, root, &sink, err);
    s->rec = NULL;
    if (rc == 0 && !s->full && !r.failed)
        prog_commit(c, t, s->m, root, before - c->chunk_budget);
    return rc;
}

int evtx_model_build(bx_ctx *c, uint32_t root, evtx_model *m, evtx_event *ev, gl_err *err)
{
    gl_buf_clear(&m->str);
    gl_buf_putc(&m->str, '\0'); /* offset 0: the empty string */
    m->npairs = m->nunodes = 0;
    msink s = {.m = m, .ev = ev, .depth = -1};
    for (int i = 0; i < NM_COUNT; i++)
        s.sys_off[i] = NO_OFF;
    int rc = model_walk(c, root, &s, err);
    cap_end(&s);
    name_positions(m);
    gl_buf_reserve(&m->str, 32); /* room the JSON writer reads past a string (jcstr) */
    finish_system(&s);
    finish_lists(&s);
    return rc;
}

void evtx_model_free(evtx_model *m)
{
    gl_buf_free(&m->str);
    gl_buf_free(&m->rec_ops);
    gl_buf_free(&m->rec_text);
    free(m->pair_offs);
    free(m->unode_offs);
    free(m->pairs);
    free(m->unodes);
    memset(m, 0, sizeof *m);
}

/* ---- XML --------------------------------------------------------------- */

typedef struct xsink {
    gl_buf *out;
    size_t start; /* out->len when the event began */
    int depth;
} xsink;

static bool x_full(void *ctx)
{
    const xsink *x = ctx;
    return x->out->len - x->start > XML_MAX;
}

static void xml_escape(gl_buf *out, const char *s, size_t n, bool attr)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '&': rep = "&amp;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        default: break;
        }
        if (!rep)
            continue;
        gl_buf_append(out, s + run, i - run);
        gl_buf_puts(out, rep);
        run = i + 1;
    }
    gl_buf_append(out, s + run, n - run);
}

static void x_elem_start(void *ctx, const char *name, uint32_t len, uint8_t id)
{
    (void)id;
    xsink *x = ctx;
    gl_buf_putc(x->out, '<');
    gl_buf_append(x->out, name, len);
}

static void x_attr_start(void *ctx, const char *name, uint32_t len, uint8_t id)
{
    (void)id;
    xsink *x = ctx;
    gl_buf_putc(x->out, ' ');
    gl_buf_append(x->out, name, len);
    gl_buf_puts(x->out, "=\"");
    x->depth |= 0x10000; /* inside an attribute value */
}

static void x_attr_end(void *ctx)
{
    xsink *x = ctx;
    gl_buf_putc(x->out, '"');
    x->depth &= 0xffff;
}

static void x_content(void *ctx) { gl_buf_putc(((xsink *)ctx)->out, '>'); }

static void x_text(void *ctx, const char *t, uint32_t len, bool cdata)
{
    xsink *x = ctx;
    if (cdata && !(x->depth & 0x10000)) {
        gl_buf_puts(x->out, "<![CDATA[");
        gl_buf_append(x->out, t, len);
        gl_buf_puts(x->out, "]]>");
        return;
    }
    xml_escape(x->out, t, len, (x->depth & 0x10000) != 0);
}

static void x_value(void *ctx, const evtx_value *v)
{
    xsink *x = ctx;
    /* format into the tail of out, then escape in place via a copy */
    size_t start = x->out->len;
    evtx_format_value(x->out, v);
    size_t n = x->out->len - start;
    if (!memchr(x->out->data + start, '<', n) && !memchr(x->out->data + start, '>', n) &&
        !memchr(x->out->data + start, '&', n) && !memchr(x->out->data + start, '"', n))
        return;
    char *tmp = gl_xmalloc(n);
    memcpy(tmp, x->out->data + start, n);
    x->out->len = start;
    xml_escape(x->out, tmp, n, (x->depth & 0x10000) != 0);
    free(tmp);
}

static void x_charref(void *ctx, uint16_t code) { gl_buf_printf(((xsink *)ctx)->out, "&#%u;", code); }

static void x_entref(void *ctx, const char *name, uint32_t len)
{
    xsink *x = ctx;
    gl_buf_putc(x->out, '&');
    gl_buf_append(x->out, name, len);
    gl_buf_putc(x->out, ';');
}

static void x_pi(void *ctx, const char *t, uint32_t tl, const char *d, uint32_t dl)
{
    xsink *x = ctx;
    gl_buf_puts(x->out, "<?");
    gl_buf_append(x->out, t, tl);
    gl_buf_putc(x->out, ' ');
    gl_buf_append(x->out, d, dl);
    gl_buf_puts(x->out, "?>");
}

static void x_elem_end(void *ctx, const char *name, uint32_t len, uint8_t id)
{
    (void)id;
    xsink *x = ctx;
    gl_buf_puts(x->out, "</");
    gl_buf_append(x->out, name, len);
    gl_buf_putc(x->out, '>');
}

int evtx_xml_render(bx_ctx *c, uint32_t root, gl_buf *out, gl_err *err)
{
    xsink x = {.out = out, .start = out->len, .depth = 0};
    bx_sink sink = {.ctx = &x, .elem_start = x_elem_start, .attr_start = x_attr_start, .attr_end = x_attr_end,
                    .content = x_content, .text = x_text, .value = x_value, .charref = x_charref,
                    .entref = x_entref, .pi = x_pi, .elem_end = x_elem_end, .full = x_full};
    return bx_walk_record(c, root, &sink, err);
}

/* ---- JSON -------------------------------------------------------------- */

/* The event object is written straight into the output buffer: the key
 * layout is fixed, and gl_json's per-call bookkeeping dominated profiles.
 * Every model string is valid UTF-8 by construction (it comes from the
 * UTF-16 / Latin-1 decoders, the hex and number formatters), so only
 * quotes, backslashes and control characters need escaping. */

/* No byte of these 8 needs escaping: none < 0x20, none '"' or '\\'
 * (the classic "has a zero byte" bit trick, bytes >= 0x80 pass). */
static bool word_clean(const char *p)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t v = gl_le64((const uint8_t *)p);
    uint64_t ctl = (v - 0x20 * ones) & ~v & highs;
    uint64_t q = v ^ (0x22 * ones), bs = v ^ (0x5c * ones);
    uint64_t hq = (q - ones) & ~q & highs, hb = (bs - ones) & ~bs & highs;
    return !(ctl | hq | hb);
}

/* Copy s[i..n) to *d up to the first byte JSON escapes; returns its
 * index (n if none). Whole vectors are stored: *d has 16 bytes of room
 * past what it gets. */
static size_t clean_run(const char *s, size_t i, size_t n, char **dp)
{
    char *d = *dp;
#if defined(__SSE2__)
    const __m128i flip = _mm_set1_epi8((char)0x80), lim = _mm_set1_epi8((char)(0x20 ^ 0x80));
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(v, flip), lim); /* unsigned v < 0x20 */
        __m128i m = _mm_or_si128(ctl, _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
        _mm_storeu_si128((__m128i *)(void *)d, v);
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask) {
            unsigned k = (unsigned)__builtin_ctz(mask);
            *dp = d + k;
            return i + k;
        }
        d += 16;
        i += 16;
    }
#endif
    while (i + 8 <= n && word_clean(s + i)) {
        memcpy(d, s + i, 8);
        d += 8;
        i += 8;
    }
    while (i < n && gl_json_byte_class[(unsigned char)s[i]] != GL_JSON_ESCAPE)
        *d++ = s[i++];
    *dp = d;
    return i;
}

/* The escape of byte ch, which JSON does not take as it is. */
static char *jesc(char *d, unsigned char ch)
{
    static const char hx[] = "0123456789abcdef";
    *d++ = '\\';
    switch (ch) {
    case '"': *d++ = '"'; break;
    case '\\': *d++ = '\\'; break;
    case '\n': *d++ = 'n'; break;
    case '\r': *d++ = 'r'; break;
    case '\t': *d++ = 't'; break;
    default:
        memcpy(d, "u00", 3);
        d[3] = hx[ch >> 4];
        d[4] = hx[ch & 15];
        d += 5;
        break;
    }
    return d;
}

static void jstr(gl_buf *b, const char *s, size_t n)
{
    gl_buf_reserve(b, 6 * n + 2 + 16);
    char *d = b->data + b->len;
    *d++ = '"';
    size_t i = 0;
    while (i < n) {
        size_t run = clean_run(s, i, n, &d);
        if (run == n)
            break;
        d = jesc(d, (unsigned char)s[run]);
        i = run + 1;
    }
    *d++ = '"';
    b->len = (size_t)(d - b->data);
}

/* s (NUL-terminated) as a JSON string. When s lies in pool, a buffer with
 * more than 16 bytes of room past its content (the event model's strings),
 * it is read 16 bytes at a time, its end found with the escapes: NUL is a
 * control character. Elsewhere, strlen and jstr. */
static void jcstr(gl_buf *b, const char *s, const gl_buf *pool)
{
#if defined(__SSE2__)
    uintptr_t u = (uintptr_t)s, lo = pool && pool->data ? (uintptr_t)pool->data : 0;
    if (lo && u >= lo && u < lo + pool->len && pool->cap - pool->len > 16) {
        const __m128i flip = _mm_set1_epi8((char)0x80), lim = _mm_set1_epi8((char)(0x20 ^ 0x80));
        const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
        gl_buf_putc(b, '"');
        for (;;) {
            gl_buf_reserve(b, 16 + 6);
            char *d = b->data + b->len;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
            __m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(v, flip), lim);
            __m128i m = _mm_or_si128(ctl, _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
            _mm_storeu_si128((__m128i *)(void *)d, v);
            unsigned mask = (unsigned)_mm_movemask_epi8(m);
            if (!mask) {
                b->len += 16;
                s += 16;
                continue;
            }
            unsigned k = (unsigned)__builtin_ctz(mask);
            s += k;
            if (!*s) {
                b->len += k;
                break;
            }
            b->len = (size_t)(jesc(d + k, (unsigned char)*s++) - b->data);
        }
        gl_buf_putc(b, '"');
        return;
    }
#else
    (void)pool;
#endif
    jstr(b, s, strlen(s));
}

static void jlit(gl_buf *b, const char *lit) { gl_buf_append(b, lit, strlen(lit)); }


/* key (a literal with its quotes, colon and leading comma; its length is
 * known at compile time) + value or null */
static void jopt_uint_n(gl_buf *b, const char *key, size_t klen, bool has, uint64_t v)
{
    gl_buf_append(b, key, klen);
    if (has)
        put_u64(b, v);
    else
        gl_buf_append(b, "null", 4);
}
#define jopt_uint(b, key, has, v) jopt_uint_n(b, key, sizeof key - 1, has, v)

static void jopt_str_n(gl_buf *b, const char *key, size_t klen, const char *s, const gl_buf *pool)
{
    gl_buf_append(b, key, klen);
    if (*s)
        jcstr(b, s, pool);
    else
        gl_buf_append(b, "null", 4);
}
#define jopt_str(b, key, s, pool) jopt_str_n(b, key, sizeof key - 1, s, pool)

/* gl_json nests at most GL_JSON_MAX_DEPTH levels; deeper UserData (nested
 * BinXml can go deeper) keeps only the element's own text. */
#define UNODE_JSON_DEPTH 32

/* UserData nodes [i, end) at `depth` as object members; returns the index
 * after the last node consumed. */
static size_t json_unodes(gl_json *j, const evtx_unode *u, size_t i, size_t end, unsigned depth)
{
    while (i < end && u[i].depth >= depth) {
        if (u[i].depth > depth) { /* orphan deeper node: skip */
            i++;
            continue;
        }
        const evtx_unode *n = &u[i++];
        if (n->is_attr) /* attribute without its element: skip */
            continue;
        /* The element's attributes follow it at its own depth. */
        size_t attrs = i;
        while (i < end && u[i].is_attr && u[i].depth == depth)
            i++;
        gl_json_key(j, n->name);
        if (depth >= UNODE_JSON_DEPTH) {
            while (i < end && u[i].depth > depth)
                i++;
            gl_json_str(j, n->value);
        } else if (attrs < i || (i < end && u[i].depth > depth)) {
            gl_json_obj_begin(j);
            for (size_t a = attrs; a < i; a++) {
                char key[256];
                snprintf(key, sizeof key, "@%s", u[a].name);
                gl_json_kv_str(j, key, u[a].value);
            }
            i = json_unodes(j, u, i, end, depth + 1);
            if (*n->value)
                gl_json_kv_str(j, "#text", n->value);
            gl_json_obj_end(j);
        } else {
            gl_json_str(j, n->value);
        }
    }
    return i;
}

void evtx_json_render(const evtx_event *ev, gl_json *j, const char *xml, size_t xml_len, const gl_buf *pool)
{
    gl_json_raw(j, "", 0); /* let the writer place its comma, then append */
    gl_buf *b = j->out;
    jlit(b, "{\"Provider\":{");
    const char *sep = "";
    if (*ev->provider_name) {
        jlit(b, "\"Name\":");
        jcstr(b, ev->provider_name, pool);
        sep = ",";
    }
    if (*ev->provider_guid) {
        jlit(b, sep);
        jlit(b, "\"Guid\":");
        jcstr(b, ev->provider_guid, pool);
        sep = ",";
    }
    if (*ev->event_source_name) {
        jlit(b, sep);
        jlit(b, "\"EventSourceName\":");
        jcstr(b, ev->event_source_name, pool);
    }
    jlit(b, "}");
    jopt_uint(b, ",\"EventID\":", ev->has & EVTX_HAS_EVENT_ID, ev->event_id);
    jopt_uint(b, ",\"Qualifiers\":", ev->has & EVTX_HAS_QUALIFIERS, ev->qualifiers);
    jopt_uint(b, ",\"Version\":", ev->has & EVTX_HAS_VERSION, ev->version);
    jopt_uint(b, ",\"Level\":", ev->has & EVTX_HAS_LEVEL, ev->level);
    jopt_uint(b, ",\"Task\":", ev->has & EVTX_HAS_TASK, ev->task);
    jopt_uint(b, ",\"Opcode\":", ev->has & EVTX_HAS_OPCODE, ev->opcode);
    jlit(b, ",\"Keywords\":");
    if (ev->has & EVTX_HAS_KEYWORDS) {
        char hex[18];
        int at = fmt_hex(hex, ev->keywords);
        jstr(b, hex + at, (size_t)(18 - at));
    } else {
        jlit(b, "null");
    }
    jopt_str(b, ",\"TimeCreated\":", ev->time_created_iso, NULL);
    jopt_uint(b, ",\"EventRecordID\":", true, ev->event_record_id);
    jopt_uint(b, ",\"ProcessID\":", ev->has & EVTX_HAS_PROCESS_ID, ev->process_id);
    jopt_uint(b, ",\"ThreadID\":", ev->has & EVTX_HAS_THREAD_ID, ev->thread_id);
    jopt_str(b, ",\"Channel\":", ev->channel, pool);
    jopt_str(b, ",\"Computer\":", ev->computer, pool);
    jopt_str(b, ",\"UserID\":", ev->user_id, pool);
    jlit(b, ",\"EventData\":");
    if (ev->has & EVTX_HAS_EVENT_DATA) {
        gl_buf_putc(b, '{');
        for (size_t i = 0; i < ev->ndata; i++) {
            if (i)
                gl_buf_putc(b, ',');
            jcstr(b, ev->data[i].name, pool);
            gl_buf_putc(b, ':');
            jcstr(b, ev->data[i].value, pool);
        }
        gl_buf_putc(b, '}');
    } else {
        jlit(b, "null");
    }
    jlit(b, ",\"UserData\":");
    if (ev->has & EVTX_HAS_USER_DATA) {
        gl_json uj; /* a self-contained value: a fresh writer state */
        gl_json_init(&uj, b);
        gl_json_obj_begin(&uj);
        json_unodes(&uj, ev->user, 0, ev->nuser, 0);
        gl_json_obj_end(&uj);
    } else {
        jlit(b, "null");
    }
    jlit(b, ev->recovered ? ",\"recovered\":true" : ",\"recovered\":false");
    jopt_str(b, ",\"recovered_from\":", ev->recovered_from ? ev->recovered_from : "", NULL);
    if (ev->partial) {
        jlit(b, ",\"partial\":true,\"partial_reason\":");
        jcstr(b, ev->partial_reason, NULL);
        jlit(b, ",\"written\":");
        jcstr(b, ev->written_iso, NULL);
    }
    if (xml) {
        jlit(b, ",\"Xml\":");
        jstr(b, xml, xml_len);
    }
    gl_buf_putc(b, '}');
}

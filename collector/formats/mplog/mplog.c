/* See mplog.h. */
#include "mplog.h"
#include <string.h>
#include "buf.h"
#include "text.h"

#define TS_LEN 24 /* "2026-11-20T10:05:00.123Z" */

typedef struct state {
    const char *name;
    mpl_stats *st;
    gl_err *err;
    bool failed;
    uint64_t last_time;
    mpl_span last_time_text;
    bool in_rtp;
    mpl_excl_list list;
} state;

const char *mpl_kind_name(mpl_kind k)
{
    static const char *const names[] = {"impact", "exclusion", "detection", "rtp_exclusion"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *mpl_list_name(mpl_excl_list l)
{
    static const char *const names[] = {"", "process", "path", "extension"};
    return (size_t)l < sizeof names / sizeof names[0] ? names[l] : "?";
}

static void bad(state *s, uint64_t line, const char *what)
{
    s->st->bad_lines++;
    if (!s->failed)
        gl_err_set(s->err, "%s: line %llu: %s", s->name, (unsigned long long)line, what);
    s->failed = true;
}

/* First occurrence of needle in [p, p+n), or NULL. */
static const char *find(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (p[i] == needle[0] && !memcmp(p + i, needle, k))
            return p + i;
    return NULL;
}

/* Last occurrence, or NULL. */
static const char *find_last(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
        if (p[i] == needle[0] && !memcmp(p + i, needle, k))
            return p + i;
    return NULL;
}

static bool starts(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !memcmp(p, prefix, k);
}

static int num2(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* Days from 1601-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_since_1601(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = y / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days_since_0000_03_01 = era * 146097 + doe;
    return days_since_0000_03_01 - 584694; /* 1601-01-01 is day 584694 of that count */
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" at p (n >= TS_LEN) as a FILETIME, or 0. */
static uint64_t timestamp(const char *p, size_t n)
{
    if (n < TS_LEN || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != '.' ||
        p[23] != 'Z' || !all_digits(p, 4) || !all_digits(p + 5, 2) || !all_digits(p + 8, 2) ||
        !all_digits(p + 11, 2) || !all_digits(p + 14, 2) || !all_digits(p + 17, 2) || !all_digits(p + 20, 3))
        return 0;
    int y = num2(p) * 100 + num2(p + 2), mo = num2(p + 5), d = num2(p + 8);
    int h = num2(p + 11), mi = num2(p + 14), sec = num2(p + 17), ms = num2(p + 20) * 10 + (p[22] - '0');
    if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    int64_t secs = days_since_1601(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return (uint64_t)secs * 10000000u + (uint64_t)ms * 10000u;
}

/* A decimal value of at most 18 digits, or -2. */
static int64_t number(const char *p, size_t n)
{
    if (!n || n > 18 || !all_digits(p, n))
        return -2;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* The number after ", <key>: " up to the next ',' inside [p, end); -1 when
 * the key is absent, -2 when malformed. *after moves past it. */
static int64_t keyed_number(const char *p, const char *end, const char *key, const char **after)
{
    const char *k = find(p, (size_t)(end - p), key);
    if (!k)
        return -1;
    const char *v = k + strlen(key), *e = v;
    while (e < end && *e != ',')
        e++;
    *after = e;
    return number(v, (size_t)(e - v));
}

static const char *parse_impact(const char *p, size_t n, mpl_entry *e)
{
    const char *end = p + n, *img = p + strlen("ProcessImageName: ");
    const char *stop = find(img, (size_t)(end - img), ", Pid: ");
    const char *tt = find(img, (size_t)(end - img), ", TotalTime: ");
    if (!tt)
        return "impact line without TotalTime";
    if (!stop || stop > tt)
        stop = tt;
    e->process = (mpl_span){img, (size_t)(stop - img)};
    const char *cur = stop;
    e->pid = keyed_number(cur, tt + 1, ", Pid: ", &cur);
    e->total_time = keyed_number(tt, end, ", TotalTime: ", &cur);
    e->count = keyed_number(cur, end, ", Count: ", &cur);
    e->max_time = keyed_number(cur, end, ", MaxTime: ", &cur);
    const char *mf = find(cur, (size_t)(end - cur), ", MaxTimeFile: ");
    const char *ei = find_last(cur, (size_t)(end - cur), ", EstimatedImpact: ");
    if (!mf || !ei || ei < mf)
        return "impact line without MaxTimeFile and EstimatedImpact";
    mf += strlen(", MaxTimeFile: ");
    e->max_time_file = (mpl_span){mf, (size_t)(ei - mf)};
    const char *v = ei + strlen(", EstimatedImpact: ");
    size_t vn = (size_t)(end - v);
    if (vn && v[vn - 1] == '%')
        vn--;
    e->impact = number(v, vn);
    if (e->pid == -2 || e->total_time < 0 || e->count < 0 || e->max_time < 0 || e->impact < 0)
        return "impact line with a missing or malformed number";
    return NULL;
}

static const char *parse_exclusion(const char *p, size_t n, mpl_entry *e)
{
    const char *path = p + strlen("[Exclusion] "), *end = p + n;
    const char *arrow = find_last(path, (size_t)(end - path), " -> ");
    if (!arrow || arrow == path)
        return "exclusion line without \"<path> -> <device path>\"";
    e->path = (mpl_span){path, (size_t)(arrow - path)};
    e->device_path = (mpl_span){arrow + 4, (size_t)(end - arrow - 4)};
    return NULL;
}

/* The next blank-separated token of [*p, end). */
static mpl_span token(const char **p, const char *end)
{
    while (*p < end && **p == ' ')
        (*p)++;
    const char *s = *p;
    while (*p < end && **p != ' ')
        (*p)++;
    return (mpl_span){s, (size_t)(*p - s)};
}

static const char *parse_detection(const char *marker, const char *end, mpl_entry *e)
{
    const char *cur = marker;
    e->marker = token(&cur, end);
    if (starts(marker, (size_t)(end - marker), "DETECTIONEVENT")) {
        e->source = token(&cur, end);
        if (!starts(e->source.p, e->source.n, "MPSOURCE_"))
            return "DETECTIONEVENT without its MPSOURCE_ source";
    }
    e->threat = token(&cur, end);
    if (!e->threat.n)
        return "detection line without a threat name";
    while (cur < end && *cur == ' ')
        cur++;
    const char *colon = cur;
    while (colon < end && ((*colon >= 'a' && *colon <= 'z') || (*colon >= 'A' && *colon <= 'Z')))
        colon++;
    if (colon < end && *colon == ':' && colon > cur) {
        e->resource = (mpl_span){cur, (size_t)(colon - cur)};
        cur = colon + 1;
    }
    if (cur < end)
        e->target = (mpl_span){cur, (size_t)(end - cur)};
    return NULL;
}

static int emit(state *s, mpl_cb cb, void *ctx, const mpl_entry *e)
{
    s->st->entries++;
    return cb ? cb(ctx, e) : 0;
}

/* A line inside the RTP Perf Log block. */
static int rtp_line(state *s, const char *p, size_t n, uint64_t line, mpl_cb cb, void *ctx)
{
    static const struct {
        const char *head;
        mpl_excl_list list;
    } heads[] = {{"Process Exclusions:", MPL_LIST_PROCESS},
                 {"Path Exclusions:", MPL_LIST_PATH},
                 {"Ext Exclusions:", MPL_LIST_EXTENSION}};
    if (n && (p[0] == ' ' || p[0] == '\t')) {
        size_t i = 0;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (s->list == MPL_LIST_NONE || i == n)
            return 0;
        mpl_entry e = {.kind = MPL_RTP_EXCLUSION, .line = line, .filetime = s->last_time,
                       .time = s->last_time_text, .list = s->list, .path = {p + i, n - i},
                       .pid = -1, .total_time = -1, .count = -1, .max_time = -1, .impact = -1};
        return emit(s, cb, ctx, &e);
    }
    s->list = MPL_LIST_NONE;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        if (starts(p, n, heads[i].head))
            s->list = heads[i].list;
    return 0;
}

static int one_line(state *s, const char *p, size_t n, uint64_t line, mpl_cb cb, void *ctx)
{
    if (find(p, n, "END RTP Perf Log")) {
        s->in_rtp = false;
        s->list = MPL_LIST_NONE;
        return 0;
    }
    if (find(p, n, "**RTP Perf Log**") || find(p, n, "*RTP Perf Log*")) {
        s->in_rtp = true;
        s->list = MPL_LIST_NONE;
        return 0;
    }
    if (s->in_rtp)
        return rtp_line(s, p, n, line, cb, ctx);
    uint64_t ft = timestamp(p, n);
    if (!ft || n < TS_LEN + 1 || p[TS_LEN] != ' ')
        return 0;
    s->last_time = ft;
    s->last_time_text = (mpl_span){p, TS_LEN};
    const char *rest = p + TS_LEN + 1;
    size_t rn = n - TS_LEN - 1;
    mpl_entry e = {.line = line, .filetime = ft, .time = {p, TS_LEN}, .pid = -1, .total_time = -1, .count = -1,
                   .max_time = -1, .impact = -1};
    const char *why = NULL, *marker;
    if (starts(rest, rn, "ProcessImageName: ")) {
        e.kind = MPL_IMPACT;
        why = parse_impact(rest, rn, &e);
    } else if (starts(rest, rn, "[Exclusion] ")) {
        e.kind = MPL_EXCLUSION;
        why = parse_exclusion(rest, rn, &e);
    } else if ((marker = find(rest, rn, "DETECTION_ADD")) || (marker = find(rest, rn, "DETECTIONEVENT "))) {
        e.kind = MPL_DETECTION;
        why = parse_detection(marker, rest + rn, &e);
    } else {
        return 0;
    }
    if (why) {
        bad(s, line, why);
        return 0;
    }
    return emit(s, cb, ctx, &e);
}

/* The log as UTF-8: UTF-16LE when it has the BOM or NULs in odd places. */
static void to_utf8(const uint8_t *data, size_t n, gl_buf *out)
{
    bool bom16 = n >= 2 && data[0] == 0xFF && data[1] == 0xFE;
    bool looks16 = n >= 4 && data[1] == 0 && data[3] == 0 && data[0] != 0;
    if (bom16 || looks16) {
        size_t off = bom16 ? 2 : 0;
        gl_utf16le_to_utf8(out, data + off, (n - off) & ~(size_t)1, false);
    } else {
        size_t off = n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
        gl_buf_append(out, data + off, n - off);
    }
    gl_buf_append(out, "", 0);
}

int mplog_parse(const uint8_t *data, size_t n, const char *name, mpl_cb cb, void *ctx, mpl_stats *st, gl_err *err)
{
    mpl_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    gl_buf text = {0};
    to_utf8(data, n, &text);
    state s = {.name = name ? name : "MPLog", .st = st, .err = err};
    const char *t = text.data;
    size_t pos = 0, len = text.len;
    int rc = 0;
    while (pos < len && !rc) {
        const char *nl = memchr(t + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - t) : len, ln = end - pos;
        const char *p = t + pos;
        pos = nl ? end + 1 : len;
        if (ln && p[ln - 1] == '\r')
            ln--;
        rc = one_line(&s, p, ln, ++st->lines, cb, ctx);
    }
    gl_buf_free(&text);
    return rc ? rc : s.failed ? -1 : 0;
}

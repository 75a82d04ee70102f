/* See pfwlog.h. */
#include "pfwlog.h"
#include <string.h>
#include <strings.h>

enum col { C_DATE, C_TIME, C_ACTION, C_PROTOCOL, C_SRC_IP, C_DST_IP, C_SRC_PORT, C_DST_PORT, C_INFO, C_PATH, C_PID,
           C_OTHER };

static const char *const col_names[] = {"date",     "time",     "action", "protocol", "src-ip", "dst-ip",
                                        "src-port", "dst-port", "info",   "path",     "pid"};

typedef struct header {
    bool seen;
    size_t n;
    enum col cols[PFW_MAX_FIELDS];
    pfw_span time_format;
} header;

typedef struct state {
    const char *name;
    pfw_stats *st;
    gl_err *err;
    bool failed;
} state;

bool pfw_span_is(pfw_span s, const char *str)
{
    size_t n = strlen(str);
    return s.p && s.n == n && !strncasecmp(s.p, str, n);
}

static bool is_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* Split a line into blank-separated fields; false when there are more
 * than PFW_MAX_FIELDS. */
static bool split(const char *p, size_t n, pfw_span *out, size_t *count)
{
    size_t k = 0, i = 0;
    while (i < n) {
        while (i < n && is_blank(p[i]))
            i++;
        if (i == n)
            break;
        size_t start = i;
        while (i < n && !is_blank(p[i]))
            i++;
        if (k == PFW_MAX_FIELDS)
            return false;
        out[k++] = (pfw_span){p + start, i - start};
    }
    *count = k;
    return true;
}

static bool has_prefix(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && !strncasecmp(p, prefix, k);
}

static void bad(state *s, uint64_t line, const char *what)
{
    s->st->bad_lines++;
    if (!s->failed)
        gl_err_set(s->err, "%s: line %llu: %s", s->name, (unsigned long long)line, what);
    s->failed = true;
}

static void directive(state *s, header *h, const char *p, size_t n, uint64_t line)
{
    if (has_prefix(p, n, "#Fields:")) {
        pfw_span f[PFW_MAX_FIELDS];
        size_t k = 0;
        if (!split(p + 8, n - 8, f, &k) || k == 0) {
            h->seen = false;
            bad(s, line, k == 0 ? "#Fields header names no field" : "#Fields header names more than 32 fields");
            return;
        }
        h->seen = true;
        h->n = k;
        for (size_t i = 0; i < k; i++) {
            h->cols[i] = C_OTHER;
            for (size_t c = 0; c < sizeof col_names / sizeof col_names[0]; c++)
                if (pfw_span_is(f[i], col_names[c]))
                    h->cols[i] = (enum col)c;
        }
    } else if (has_prefix(p, n, "#Time Format:")) {
        pfw_span f[PFW_MAX_FIELDS];
        size_t k = 0;
        h->time_format = split(p + 13, n - 13, f, &k) && k ? f[0] : (pfw_span){0};
    }
}

static bool digits(pfw_span v, size_t from, size_t count)
{
    for (size_t i = from; i < from + count; i++)
        if (i >= v.n || v.p[i] < '0' || v.p[i] > '9')
            return false;
    return true;
}

/* YYYY-MM-DD */
static bool valid_date(pfw_span v)
{
    return v.n == 10 && digits(v, 0, 4) && v.p[4] == '-' && digits(v, 5, 2) && v.p[7] == '-' && digits(v, 8, 2);
}

/* HH:MM:SS */
static bool valid_time(pfw_span v)
{
    return v.n == 8 && digits(v, 0, 2) && v.p[2] == ':' && digits(v, 3, 2) && v.p[5] == ':' && digits(v, 6, 2);
}

/* A decimal number up to max, or -1 for "-"; -2 when malformed. */
static int64_t number(pfw_span v, int64_t max)
{
    if (!v.p)
        return -1;
    if (v.n == 0 || v.n > 10)
        return -2;
    int64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -2;
        x = x * 10 + (v.p[i] - '0');
    }
    return x <= max ? x : -2;
}

/* Fill e from the fields by the header's columns; NULL or a reason. */
static const char *entry_of(const header *h, pfw_span *f, pfw_entry *e)
{
    for (size_t i = 0; i < h->n; i++) {
        pfw_span v = f[i];
        if (v.n == 1 && v.p[0] == '-')
            v = (pfw_span){0};
        switch (h->cols[i]) {
        case C_DATE: e->date = v; break;
        case C_TIME: e->time = v; break;
        case C_ACTION: e->action = v; break;
        case C_PROTOCOL: e->protocol = v; break;
        case C_SRC_IP: e->src_ip = v; break;
        case C_DST_IP: e->dst_ip = v; break;
        case C_INFO: e->info = v; break;
        case C_PATH: e->path = v; break;
        case C_SRC_PORT: e->src_port = (int32_t)number(v, 65535); break;
        case C_DST_PORT: e->dst_port = (int32_t)number(v, 65535); break;
        case C_PID: e->pid = number(v, 0xffffffffLL); break;
        case C_OTHER: break;
        }
    }
    if (e->date.p && !valid_date(e->date))
        return "date is not YYYY-MM-DD";
    if (e->time.p && !valid_time(e->time))
        return "time is not HH:MM:SS";
    if (e->src_port < -1 || e->dst_port < -1)
        return "port is not a number from 0 to 65535";
    if (e->pid < -1)
        return "pid is not a number";
    return NULL;
}

int pfw_parse(const char *data, size_t n, const char *name, pfw_cb cb, void *ctx, pfw_stats *st, gl_err *err)
{
    pfw_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    state s = {name ? name : "pfirewall.log", st, err, false};
    header h = {0};
    size_t pos = 0;
    if (n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        pos = 3;
    while (pos < n) {
        const char *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - data) : n, len = end - pos;
        const char *p = data + pos;
        pos = nl ? end + 1 : n;
        if (len && p[len - 1] == '\r')
            len--;
        uint64_t line = ++st->lines;
        size_t lead = 0;
        while (lead < len && is_blank(p[lead]))
            lead++;
        if (lead == len)
            continue;
        if (p[lead] == '#') {
            directive(&s, &h, p + lead, len - lead, line);
            continue;
        }
        if (!h.seen) {
            bad(&s, line, "data line before any #Fields header");
            continue;
        }
        pfw_span f[PFW_MAX_FIELDS];
        size_t k = 0;
        if (!split(p, len, f, &k) || k != h.n) {
            bad(&s, line, "number of columns differs from the #Fields header");
            continue;
        }
        pfw_entry e = {.line = line, .src_port = -1, .dst_port = -1, .pid = -1, .time_format = h.time_format};
        const char *why = entry_of(&h, f, &e);
        if (why) {
            bad(&s, line, why);
            continue;
        }
        st->entries++;
        int rc = cb ? cb(ctx, &e) : 0;
        if (rc)
            return rc;
    }
    return s.failed ? -1 : 0;
}

/* The generic line scanner and the small text helpers every layout uses:
 * timestamps in the layouts RMM tools write, IPv4/IPv6 addresses with
 * ports, 9-10 digit remote IDs, file names. */
#include "rmmlog_int.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool dig(char c) { return c >= '0' && c <= '9'; }
static bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool hexd(char c) { return dig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void rmmlog_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n > cap - 1) {
        /* cut, but not inside a UTF-8 sequence (s[n] exists: n was larger) */
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) ? ' ' : s[i];
    dst[n] = '\0';
}

bool rmmlog_all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!dig(s[i]))
            return false;
    return true;
}

const char *rmmlog_find(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || k > n)
        return NULL;
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
            return s + i;
    return NULL;
}

size_t rmmlog_tokens(const char *s, size_t n, rmmlog_tok *t, size_t max)
{
    size_t k = 0, i = 0;
    while (i < n && k < max) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        size_t b = i;
        while (i < n && s[i] != ' ' && s[i] != '\t')
            i++;
        t[k++] = (rmmlog_tok){s + b, i - b};
    }
    return k;
}

/* ---- timestamps ----------------------------------------------------- */

/* Up to `max` digits at s[*i]; value in *v; false if fewer than `min`. */
static bool num(const char *s, size_t n, size_t *i, int min, int max, int *v)
{
    int k = 0, val = 0;
    while (*i < n && k < max && dig(s[*i])) {
        val = val * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *v = val;
    return k >= min && !(*i < n && dig(s[*i]));
}

/* A timestamp's fields as parsed; sec < 0 when the log has no seconds. */
typedef struct stamp {
    int y, mo, d, h, mi, sec;
    char frac[10];
    bool has_time, zoned;
    int off_min; /* east of UTC */
} stamp;

/* "HH:MM[:SS[.frac]][ AM|PM]" at s[*i]. */
static bool time_part(const char *s, size_t n, size_t *i, stamp *t)
{
    int h, m, sec = -1;
    size_t j = *i;
    if (!num(s, n, &j, 1, 2, &h) || j >= n || s[j] != ':')
        return false;
    j++;
    if (!num(s, n, &j, 2, 2, &m))
        return false;
    size_t f = 0;
    if (j + 1 < n && s[j] == ':' && dig(s[j + 1])) {
        j++;
        if (!num(s, n, &j, 2, 2, &sec))
            return false;
        if (j + 1 < n && (s[j] == '.' || s[j] == ',') && dig(s[j + 1]))
            for (j++; j < n && dig(s[j]); j++)
                if (f < 9)
                    t->frac[f++] = s[j];
    }
    t->frac[f] = '\0';
    size_t k = j < n && s[j] == ' ' ? j + 1 : j;
    if (k + 1 < n && (s[k] == 'A' || s[k] == 'P' || s[k] == 'a' || s[k] == 'p') && (s[k + 1] == 'M' || s[k + 1] == 'm') &&
        (k + 2 == n || !alpha(s[k + 2]))) {
        if (h < 1 || h > 12)
            return false;
        h = (h % 12) + ((s[k] == 'P' || s[k] == 'p') ? 12 : 0);
        j = k + 2;
    }
    if (h > 23 || m > 59 || sec > 60)
        return false;
    t->h = h, t->mi = m, t->sec = sec, t->has_time = true;
    *i = j;
    return true;
}

/* " Z", "Z", "+02:00", " -0500" after the time: the log says its zone. */
static void zone_part(const char *s, size_t n, size_t *i, stamp *t)
{
    size_t j = *i < n && s[*i] == ' ' ? *i + 1 : *i;
    int hh, mm = 0;
    if (j < n && s[j] == 'Z' && (j + 1 == n || !alpha(s[j + 1]))) {
        t->zoned = true;
        *i = j + 1;
        return;
    }
    if (j + 3 > n || (s[j] != '+' && s[j] != '-'))
        return;
    size_t k = j + 1, digits = 0;
    while (k + digits < n && dig(s[k + digits]))
        digits++;
    if (digits != 2 && digits != 4)
        return;
    hh = (s[k] - '0') * 10 + (s[k + 1] - '0');
    if (digits == 4)
        mm = (s[k + 2] - '0') * 10 + (s[k + 3] - '0');
    k += digits;
    /* "+02:00" */
    if (digits == 2 && k + 2 < n && s[k] == ':' && dig(s[k + 1]) && dig(s[k + 2]) && !(k + 3 < n && dig(s[k + 3]))) {
        mm = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
        k += 3;
    }
    if (hh > 14 || mm > 59)
        return;
    t->zoned = true;
    t->off_min = (s[j] == '-' ? -1 : 1) * (hh * 60 + mm);
    *i = k;
}

static size_t format_stamp(stamp *t, char out[32])
{
    if (t->zoned && t->off_min) {
        struct tm tm = {.tm_year = t->y - 1900, .tm_mon = t->mo - 1, .tm_mday = t->d, .tm_hour = t->h,
                        .tm_min = t->mi, .tm_sec = t->sec < 0 ? 0 : t->sec};
        time_t u = timegm(&tm) - (time_t)t->off_min * 60;
        struct tm g;
        gmtime_r(&u, &g);
        t->y = g.tm_year + 1900, t->mo = g.tm_mon + 1, t->d = g.tm_mday, t->h = g.tm_hour, t->mi = g.tm_min;
        if (t->sec >= 0)
            t->sec = g.tm_sec;
    }
    int o = snprintf(out, 32, "%04d-%02d-%02d", t->y, t->mo, t->d);
    if (t->has_time && t->sec < 0)
        o += snprintf(out + o, 32 - (size_t)o, "T%02d:%02d", t->h, t->mi);
    else if (t->has_time)
        o += snprintf(out + o, 32 - (size_t)o, "T%02d:%02d:%02d%s%s", t->h, t->mi, t->sec, t->frac[0] ? "." : "",
                      t->frac);
    if (t->zoned && t->has_time)
        snprintf(out + o, 32 - (size_t)o, "Z");
    return (size_t)o;
}

/* Date layouts: Y-M-D, Y/M/D, Y.M.D; D-M-Y and D.M.Y (TeamViewer, German
 * locales); M/D/Y unless the first field exceeds 12 (then D/M/Y). An
 * optional ',' and a blank or 'T' join the time; a zone after the time
 * ("Z", "+02:00") converts it to UTC, written with a final 'Z'. */
size_t rmmlog_time_at(const char *s, size_t n, char out[32])
{
    size_t i = 0;
    int a, b, c;
    stamp t = {0};
    if (!num(s, n, &i, 1, 4, &a) || i >= n)
        return 0;
    char sep = s[i];
    if (sep != '-' && sep != '/' && sep != '.')
        return 0;
    size_t alen = i;
    i++;
    if (!num(s, n, &i, 1, 2, &b) || i >= n || s[i] != sep)
        return 0;
    i++;
    if (alen == 4) {
        if (!num(s, n, &i, 1, 2, &c))
            return 0;
        t.y = a, t.mo = b, t.d = c;
    } else {
        if (alen > 2 || !num(s, n, &i, 4, 4, &c))
            return 0;
        bool us = sep == '/' && a <= 12;
        t.y = c, t.mo = us ? a : b, t.d = us ? b : a;
    }
    if (t.y < 1980 || t.y > 2100 || t.mo < 1 || t.mo > 12 || t.d < 1 || t.d > 31)
        return 0;
    size_t j = i;
    if (j < n && s[j] == ',')
        j++;
    if (j < n && (s[j] == ' ' || s[j] == 'T' || s[j] == '\t')) {
        j++;
        while (j < n && s[j] == ' ')
            j++;
        if (time_part(s, n, &j, &t)) {
            zone_part(s, n, &j, &t);
            i = j;
        }
    }
    format_stamp(&t, out);
    return i;
}

/* ---- addresses ------------------------------------------------------ */

/* Dotted quad at s[0..n); length consumed or 0. */
static size_t ipv4_at(const char *s, size_t n, char ip[46])
{
    size_t i = 0;
    int oct[4];
    for (int k = 0; k < 4; k++) {
        if (k && (i >= n || s[i++] != '.'))
            return 0;
        if (!num(s, n, &i, 1, 3, &oct[k]) || oct[k] > 255)
            return 0;
    }
    /* part of a longer dotted number (a version string) */
    if (i + 1 < n && s[i] == '.' && dig(s[i + 1]))
        return 0;
    snprintf(ip, 46, "%d.%d.%d.%d", oct[0], oct[1], oct[2], oct[3]);
    return i;
}

static size_t port_at(const char *s, size_t n, uint16_t *port)
{
    size_t i = 1;
    int v;
    if (n < 2 || s[0] != ':' || !num(s, n, &i, 1, 5, &v) || v < 1 || v > 65535)
        return 0;
    *port = (uint16_t)v;
    return i;
}

/* IPv6 text: hex digits, ':' and '.' (embedded IPv4), validated by
 * inet_pton; a run without "::" must have all eight groups, which keeps
 * times (12:39:26) and MAC addresses out. */
static size_t ipv6_at(const char *s, size_t n, char ip[46])
{
    size_t i = 0, colons = 0;
    while (i < n && i < 45 && (hexd(s[i]) || s[i] == ':' || s[i] == '.')) {
        colons += s[i] == ':';
        i++;
    }
    while (i > 0 && (s[i - 1] == '.' || (s[i - 1] == ':' && !(i >= 2 && s[i - 2] == ':'))))
        i--; /* trailing punctuation of the sentence */
    if (colons < 2 || i < 3 || (i < n && (alpha(s[i]) || dig(s[i]))))
        return 0;
    char tmp[46];
    memcpy(tmp, s, i);
    tmp[i] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET6, tmp, bin) != 1)
        return 0;
    static const unsigned char zero[16];
    if (memcmp(bin, zero, 16) == 0)
        return 0;
    inet_ntop(AF_INET6, bin, ip, 46);
    return i;
}

void rmmlog_addr_set(rmmlog_addr *a, const char *s, size_t n)
{
    memset(a, 0, sizeof *a);
    rmmlog_copy(a->text, sizeof a->text, s, n);
    size_t k;
    if (n && s[0] == '[') {
        if ((k = ipv6_at(s + 1, n - 1, a->ip)) && 1 + k < n && s[1 + k] == ']')
            port_at(s + 2 + k, n - 2 - k, &a->port);
        else
            a->ip[0] = '\0';
    } else if ((k = ipv4_at(s, n, a->ip))) {
        port_at(s + k, n - k, &a->port);
    } else if (!ipv6_at(s, n, a->ip)) {
        a->ip[0] = '\0';
    }
}

static bool is_version_context(const char *line, size_t at)
{
    if (at > 0 && (line[at - 1] == 'v' || line[at - 1] == 'V'))
        return true;
    size_t b = at > 10 ? at - 10 : 0;
    for (size_t i = b; i + 3 <= at; i++)
        if ((line[i] | 32) == 'v' && (line[i + 1] | 32) == 'e' && (line[i + 2] | 32) == 'r')
            return true;
    return false;
}

static void add_addr(rmmlog_rec *r, const char *ip, uint16_t port, const char *text, size_t tn)
{
    for (size_t i = 0; i < r->naddr; i++)
        if (strcmp(r->addr[i].ip, ip) == 0 && r->addr[i].port == port)
            return;
    if (r->naddr == RMMLOG_ITEMS)
        return;
    rmmlog_addr *a = &r->addr[r->naddr++];
    rmmlog_copy(a->text, sizeof a->text, text, tn);
    snprintf(a->ip, sizeof a->ip, "%s", ip);
    a->port = port;
}

void rmmlog_add_id(rmmlog_rec *r, const char *s, size_t n)
{
    if (n == 0)
        return;
    for (size_t i = 0; i < r->nid; i++)
        if (strlen(r->ids[i]) == n && memcmp(r->ids[i], s, n) == 0)
            return;
    if (r->nid < RMMLOG_ITEMS && n < sizeof r->ids[0])
        rmmlog_copy(r->ids[r->nid++], sizeof r->ids[0], s, n);
}

void rmmlog_add_file(rmmlog_rec *r, const char *s, size_t n)
{
    for (size_t i = 0; i < r->nfile; i++)
        if (strlen(r->files[i]) == n && memcmp(r->files[i], s, n) == 0)
            return;
    if (r->nfile < RMMLOG_ITEMS)
        rmmlog_copy(r->files[r->nfile++], sizeof r->files[0], s, n);
}

/* ---- file names ----------------------------------------------------- */

/* A quoted text names a file when it holds a path separator or ends in
 * a short extension ("report.xlsx"). */
static bool looks_like_file(const char *s, size_t n)
{
    if (n == 0 || n >= 260)
        return false;
    /* JSON, URLs and dotted numbers ("192.168.0.xx") are not file names:
     * the scan goes on inside them */
    if (memchr(s, '{', n) || memchr(s, '"', n) || rmmlog_find(s, n, "://"))
        return false;
    if (strspn(s, "0123456789.xX") == n)
        return false;
    if (memchr(s, '\\', n) || memchr(s, '/', n))
        return !memchr(s, '<', n) && !memchr(s, '>', n) && !memchr(s, '|', n);
    const char *dot = memrchr(s, '.', n);
    if (!dot || dot == s)
        return false;
    size_t ext = n - (size_t)(dot + 1 - s);
    if (ext < 1 || ext > 8)
        return false;
    bool letter = false;
    for (const char *p = dot + 1; p < s + n; p++) {
        if (!alpha(*p) && !dig(*p))
            return false;
        letter |= alpha(*p);
    }
    return letter;
}

/* Unquoted Windows path: "C:\...", "\\server\..." or "%VAR%\...", up to
 * the next blank. */
static size_t bare_path_at(const char *s, size_t n)
{
    bool start = (n >= 3 && alpha(s[0]) && s[1] == ':' && s[2] == '\\') ||
                 (n >= 3 && s[0] == '\\' && s[1] == '\\' && (alpha(s[2]) || dig(s[2]))) ||
                 (n >= 3 && s[0] == '%' && alpha(s[1]));
    if (!start)
        return 0;
    size_t i = 0;
    while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '"' && s[i] != '\'' && s[i] != ',' && s[i] != ';')
        i++;
    while (i > 0 && (s[i - 1] == '.' || s[i - 1] == ')'))
        i--;
    return memchr(s, '\\', i) ? i : 0;
}

/* ---- the scanner ---------------------------------------------------- */

bool rmmlog_scan_line(const char *s, size_t n, rmmlog_rec *r)
{
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        char prev = i ? s[i - 1] : ' ';
        size_t k;
        char ip[46], when[32];
        uint16_t port = 0;
        bool boundary = !dig(prev) && !alpha(prev) && prev != '.' && prev != ':' && prev != '_';
        if (dig(c) && boundary && (k = rmmlog_time_at(s + i, n - i, r->time[0] ? when : r->time))) {
            i += k; /* the first timestamp is the line's; others are skipped */
            continue;
        }
        if (dig(c) && boundary && prev != '-' && (k = ipv4_at(s + i, n - i, ip))) {
            size_t pk = port_at(s + i + k, n - i - k, &port);
            unsigned first = (unsigned)atoi(ip);
            const char *last = strrchr(ip, '.') + 1;
            if (!is_version_context(s, i) && first != 0 && strcmp(last, "0") != 0 && strcmp(last, "255") != 0)
                add_addr(r, ip, port, s + i, k + pk);
            i += k + pk;
            continue;
        }
        if ((hexd(c) || c == ':') && boundary && (k = ipv6_at(s + i, n - i, ip))) {
            size_t end = i + k;
            if (prev == '[' && end < n && s[end] == ']')
                end += 1 + port_at(s + end + 1, n - end - 1, &port);
            add_addr(r, ip, port, s + i - (prev == '['), end - i + (prev == '['));
            i = end;
            continue;
        }
        if (dig(c) && boundary && prev != '-') {
            size_t e = i;
            while (e < n && dig(s[e]))
                e++;
            /* a sentence may end right after the ID; a decimal or a time may not */
            bool tail_ok = e == n || (!alpha(s[e]) && s[e] != '_' &&
                                      !((s[e] == '.' || s[e] == ':' || s[e] == ',') && e + 1 < n && dig(s[e + 1])));
            if ((e - i == 9 || e - i == 10) && tail_ok)
                rmmlog_add_id(r, s + i, e - i);
            i = e;
            continue;
        }
        if ((c == '\'' || c == '"') && i + 1 < n) {
            const char *q = memchr(s + i + 1, c, n - i - 1);
            if (q && looks_like_file(s + i + 1, (size_t)(q - s - i - 1))) {
                rmmlog_add_file(r, s + i + 1, (size_t)(q - s - i - 1));
                i = (size_t)(q - s) + 1;
                continue;
            }
        }
        if (boundary && (k = bare_path_at(s + i, n - i))) {
            rmmlog_add_file(r, s + i, k);
            i += k;
            continue;
        }
        i++;
    }
    size_t tl = strlen(r->time);
    if (tl && r->time[tl - 1] == 'Z')
        r->tz = RMMLOG_TZ_UTC;
    return r->naddr || r->nid || r->nfile;
}

/* ScreenConnect (ConnectWise Control) client launch parameters. The
 * client service's command line (service ImagePath, 7045/4697 ImagePath,
 * 4688 CommandLine) carries the server it calls home to:
 *   "...\ScreenConnect.ClientService.exe" "?e=Access&y=Guest&h=relay.example&p=8041&s=<session>&k=<key>&..."
 * e: session type (Access = unattended, Support, Meeting), y: role,
 * h/p: relay host and port, s: session GUID; k (the server's public key)
 * is not repeated. Public detections parse the same fields (e.g. Elastic
 * "Newly Observed ScreenConnect Host Server"). */
#include "rmmlog_int.h"
#include <stdio.h>
#include <string.h>

/* Value of parameter `key` in the query s[0..n) (after '?', '&'-separated);
 * NULL when absent. */
static const char *param(const char *s, size_t n, const char *key, size_t *vn)
{
    size_t kn = strlen(key);
    for (size_t i = 0; i + kn + 1 < n; i++) { /* room for the separator, the key and '=' */
        if ((s[i] != '?' && s[i] != '&') || memcmp(s + i + 1, key, kn) != 0 || s[i + 1 + kn] != '=')
            continue;
        const char *v = s + i + 2 + kn;
        size_t e = 0;
        while (v + e < s + n && v[e] != '&' && v[e] != '"' && v[e] != ' ')
            e++;
        *vn = e;
        return v;
    }
    return NULL;
}

bool rmmlog_screenconnect_params(const char *s, size_t n, rmmlog_rec *r)
{
    size_t hn = 0, pn = 0, en = 0, sn = 0;
    const char *h = param(s, n, "h", &hn);
    if (!h || hn == 0)
        return false;
    const char *p = param(s, n, "p", &pn);
    const char *e = param(s, n, "e", &en);
    const char *sess = param(s, n, "s", &sn);
    memset(r, 0, sizeof *r);
    r->event = RMMLOG_EV_CONFIG;
    snprintf(r->key, sizeof r->key, "relay");
    rmmlog_copy(r->remote_name, sizeof r->remote_name, h, hn);
    char addr[sizeof r->addr[0].text];
    int an = snprintf(addr, sizeof addr, "%s%s%.*s", r->remote_name, pn ? ":" : "", (int)(pn < 6 ? pn : 6),
                      p ? p : "");
    rmmlog_addr_set(&r->addr[0], addr, (size_t)an < sizeof addr ? (size_t)an : sizeof addr - 1);
    r->naddr = 1;
    rmmlog_copy(r->value, sizeof r->value, addr, strlen(addr));
    char type[32] = "", id[64] = "";
    if (e)
        rmmlog_copy(type, sizeof type, e, en);
    if (sess)
        rmmlog_copy(id, sizeof id, sess, sn);
    snprintf(r->detail, sizeof r->detail, "session type %s%s%s", type[0] ? type : "unknown", id[0] ? ", session " : "",
             id);
    /* an Access session is the unattended kind: the client is always on */
    r->unattended = strcmp(type, "Access") == 0;
    r->dir = RMMLOG_DIR_OUTGOING;
    return true;
}

/* ---- Application-log session events --------------------------------------
 * Layout from public write-ups of the client's events (Hunt & Hackett,
 * "REvil: the usage of legitimate remote admin tooling", 2021; DFIRTNT,
 * "RMM - ScreenConnect: client-side evidence", 2023; the Sigma rules for
 * ScreenConnect file transfer and command execution; the EvtxECmd maps):
 * one message string, its first line the event ("Cloud Account
 * Administrator Connected"), then for transfers one file per line, then a
 * blank line and "Version: ..." / "Executable Path: ...". */

/* Next line of the message at *pos (\r\n or \n); false at the end. */
static bool next_line(const char *s, size_t n, size_t *pos, const char **line, size_t *ln)
{
    if (*pos >= n)
        return false;
    const char *b = s + *pos;
    const char *e = memchr(b, '\n', n - *pos);
    size_t len = e ? (size_t)(e - b) : n - *pos;
    *pos += len + (e ? 1 : 0);
    while (len && (b[len - 1] == '\r' || b[len - 1] == ' '))
        len--;
    *line = b;
    *ln = len;
    return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && memcmp(s + n - k, suffix, k) == 0;
}

static bool begins(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

/* "Transferred files with action 'Transfer':" then the names until the
 * blank line or the version trailer. */
static void sc_transfer(const char *s, size_t n, size_t pos, const char *first, size_t fn, rmmlog_rec *r)
{
    r->event = RMMLOG_EV_FILE_TRANSFER;
    r->dir = RMMLOG_DIR_INCOMING; /* the operator's console drives the transfer */
    char action[64] = "";
    const char *q = memchr(first, '\'', fn);
    const char *qe = q ? memchr(q + 1, '\'', fn - (size_t)(q + 1 - first)) : NULL;
    if (qe)
        rmmlog_copy(action, sizeof action, q + 1, (size_t)(qe - q - 1));
    /* names may also follow the colon on the first line */
    const char *colon = memchr(first, ':', fn);
    size_t count = 0;
    if (colon && (size_t)(colon + 1 - first) < fn) {
        const char *f = colon + 1;
        size_t k = fn - (size_t)(f - first);
        while (k && *f == ' ')
            f++, k--;
        if (k) {
            rmmlog_add_file(r, f, k);
            count++;
        }
    }
    const char *line;
    size_t ln;
    while (next_line(s, n, &pos, &line, &ln)) { /* each call consumes at least one byte */
        if (ln == 0 || begins(line, ln, "Version: ") || begins(line, ln, "Executable Path: "))
            break;
        rmmlog_add_file(r, line, ln);
        count++;
    }
    snprintf(r->detail, sizeof r->detail, "action %s, %zu file%s", action[0] ? action : "unknown", count,
             count == 1 ? "" : "s");
}

bool rmmlog_screenconnect_event(const char *s, size_t n, rmmlog_rec *r)
{
    memset(r, 0, sizeof *r);
    size_t pos = 0;
    const char *first;
    size_t fn;
    if (!next_line(s, n, &pos, &first, &fn) || fn == 0)
        return false;
    if (begins(first, fn, "Transferred files with action")) {
        sc_transfer(s, n, pos, first, fn, r);
    } else if (ends_with(first, fn, " Disconnected")) {
        r->event = RMMLOG_EV_SESSION_END;
        r->dir = RMMLOG_DIR_INCOMING;
        rmmlog_copy(r->user, sizeof r->user, first, fn - 13);
    } else if (ends_with(first, fn, " Connected")) {
        r->event = RMMLOG_EV_CONNECTION;
        r->dir = RMMLOG_DIR_INCOMING;
        rmmlog_copy(r->user, sizeof r->user, first, fn - 10);
        snprintf(r->detail, sizeof r->detail, "operator connected through the ScreenConnect relay");
    } else if (begins(first, fn, "Executed command of length")) {
        r->event = RMMLOG_EV_LINE;
        r->dir = RMMLOG_DIR_INCOMING;
        rmmlog_copy(r->detail, sizeof r->detail, first, fn);
    } else {
        return false;
    }
    return true;
}

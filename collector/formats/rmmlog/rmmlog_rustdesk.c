/* RustDesk logs and settings. RustDesk is open source; the layouts come
 * from reading its public code (github.com/rustdesk/rustdesk and its
 * hbb_common library):
 * - release builds log at debug level through flexi_logger's opt_format,
 *   "[%Y-%m-%d %H:%M:%S%.6f %:z] LEVEL [file:line] message", one file a
 *   day (RustDesk_rCURRENT.log, RustDesk_r<date>.log) under
 *   AppData\Roaming\RustDesk\log\ (the service's under log\server\);
 * - src/server/connection.rs: "#<conn> Connection opened from <ip:port>."
 *   when a peer connects in (debug), "#<conn> Connection closed: <reason>"
 *   (info);
 * - src/rendezvous_mediator.rs: "start rendezvous mediator of <host>", the
 *   ID server the host registers with;
 * - RustDesk.toml ("id", "password" = the permanent password, stored
 *   encrypted) and RustDesk2.toml ("rendezvous_server", and under
 *   [options] "custom-rendezvous-server", "relay-server", "api-server",
 *   "direct-server" = 'Y' for direct IP access on port 21118,
 *   "verification-method" = 'use-permanent-password', "approve-mode",
 *   "whitelist"), as RustDesk's config code and its documentation name them. */
#include "rmmlog_int.h"
#include <stdio.h>
#include <string.h>

static bool starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

/* "#12 " at m: the connection number (digits only), its length, and the
 * rest after the blank; false when the message does not start so. */
static bool conn_number(const char *m, size_t mn, char num[16], const char **rest, size_t *rn)
{
    size_t i = 1;
    if (mn < 3 || m[0] != '#')
        return false;
    while (i < mn && i < 12 && m[i] >= '0' && m[i] <= '9')
        i++;
    if (i == 1 || i >= mn || m[i] != ' ')
        return false;
    rmmlog_copy(num, 16, m + 1, i - 1);
    *rest = m + i + 1;
    *rn = mn - i - 1;
    return true;
}

/* Remember the address connection `num` came from, for its close line. */
static void remember_peer(rmmlog_p *p, const char *num, const rmmlog_addr *a)
{
    size_t slot = p->n_rd_conns < RMMLOG_RD_CONNS ? p->n_rd_conns++ : p->rd_next++ % RMMLOG_RD_CONNS;
    snprintf(p->rd_conns[slot].num, sizeof p->rd_conns[slot].num, "%s", num);
    p->rd_conns[slot].addr = *a;
}

static const rmmlog_addr *peer_of(const rmmlog_p *p, const char *num)
{
    for (size_t i = p->n_rd_conns; i-- > 0;)
        if (strcmp(p->rd_conns[i].num, num) == 0)
            return &p->rd_conns[i].addr;
    return NULL;
}

/* A record of this log's line: its time is UTC when the line wrote a zone
 * (rmmlog_time_at then converted it and ended it with 'Z'). */
static void rd_rec(const rmmlog_p *p, rmmlog_rec *r, rmmlog_event ev, const char *time)
{
    size_t tl = strlen(time);
    rmmlog_rec_init(p, r, ev, tl && time[tl - 1] == 'Z' ? RMMLOG_TZ_UTC : RMMLOG_TZ_UNKNOWN);
    snprintf(r->time, sizeof r->time, "%s", time);
}

static void rd_opened(rmmlog_p *p, const char *time, const char *num, const char *a, size_t an)
{
    rmmlog_rec r;
    rd_rec(p, &r, RMMLOG_EV_CONNECTION, time);
    r.dir = RMMLOG_DIR_INCOMING;
    while (an && (a[an - 1] == '.' || a[an - 1] == ' '))
        an--; /* the sentence's full stop */
    rmmlog_addr_set(&r.addr[0], a, an);
    r.naddr = 1;
    snprintf(r.detail, sizeof r.detail, "connection #%s", num);
    remember_peer(p, num, &r.addr[0]);
    rmmlog_emit(p, &r);
}

static void rd_closed(rmmlog_p *p, const char *time, const char *num, const char *why, size_t wn)
{
    rmmlog_rec r;
    rd_rec(p, &r, RMMLOG_EV_SESSION_END, time);
    r.dir = RMMLOG_DIR_INCOMING;
    const rmmlog_addr *a = peer_of(p, num);
    if (a) {
        r.addr[0] = *a;
        r.naddr = 1;
    }
    char reason[200];
    rmmlog_copy(reason, sizeof reason, why, wn);
    snprintf(r.detail, sizeof r.detail, "connection #%s closed: %s", num, reason);
    rmmlog_emit(p, &r);
}

static void rd_server(rmmlog_p *p, const char *time, const char *host, size_t hn)
{
    rmmlog_rec r;
    rd_rec(p, &r, RMMLOG_EV_CONFIG, time);
    snprintf(r.key, sizeof r.key, "rendezvous_server");
    rmmlog_copy(r.value, sizeof r.value, host, hn);
    rmmlog_copy(r.remote_name, sizeof r.remote_name, host, hn);
    snprintf(r.detail, sizeof r.detail, "ID server this host registers with");
    rmmlog_emit(p, &r);
}

/* "[2024-03-05 10:11:12.123456 +01:00] DEBUG [src\server\connection.rs:1042] #1 Connection opened from 1.2.3.4:5."
 * The zone is written, so times become UTC. */
void rmmlog_rustdesk_log(rmmlog_p *p, const char *s, size_t n)
{
    char time[32];
    size_t tl = n > 1 && s[0] == '[' ? rmmlog_time_at(s + 1, n - 1, time) : 0;
    const char *close = tl ? memchr(s + 1 + tl, ']', n - 1 - tl) : NULL;
    rmmlog_tok t[3];
    size_t k = close ? rmmlog_tokens(close + 1, n - (size_t)(close + 1 - s), t, 3) : 0;
    /* level, then "[file:line]" (no blanks inside), then the message */
    if (k < 3 || t[1].s[0] != '[' || t[1].s[t[1].n - 1] != ']') {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN);
        return;
    }
    const char *m = t[2].s, *rest;
    size_t mn = n - (size_t)(m - s), rn;
    char num[16];
    if (conn_number(m, mn, num, &rest, &rn) && starts(rest, rn, "Connection opened from "))
        rd_opened(p, time, num, rest + 23, rn - 23);
    else if (conn_number(m, mn, num, &rest, &rn) && starts(rest, rn, "Connection closed: "))
        rd_closed(p, time, num, rest + 19, rn - 19);
    else if (starts(m, mn, "start rendezvous mediator of "))
        rd_server(p, time, m + 29, mn - 29);
    else
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN);
}

/* ---- RustDesk.toml / RustDesk2.toml --------------------------------------- */

/* What a setting means for the investigation. */
typedef enum { RD_ID, RD_PASSWORD, RD_SERVER, RD_DIRECT, RD_VERIFY, RD_APPROVE, RD_WHITELIST } rd_key_kind;

static const struct {
    const char *key;
    rd_key_kind kind;
    const char *meaning;
} rd_keys[] = {
    {"id", RD_ID, "this host's RustDesk ID"},
    {"password", RD_PASSWORD, "permanent password set (stored encrypted)"},
    {"rendezvous_server", RD_SERVER, "ID server in use"},
    {"custom-rendezvous-server", RD_SERVER, "custom ID server"},
    {"relay-server", RD_SERVER, "custom relay server"},
    {"api-server", RD_SERVER, "custom API server"},
    {"direct-server", RD_DIRECT, "direct IP access enabled (TCP 21118)"},
    {"verification-method", RD_VERIFY, "which passwords are accepted"},
    {"approve-mode", RD_APPROVE, "how incoming sessions are approved"},
    {"whitelist", RD_WHITELIST, "addresses allowed to connect"},
};

/* "key = 'value'" or "key = \"value\""; false for anything else (tables,
 * arrays, numbers are not settings gleaner reads). */
static bool toml_pair(const char *s, size_t n, rmmlog_tok *key, rmmlog_tok *val)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t b = i;
    while (i < n && s[i] != ' ' && s[i] != '=' && s[i] != '\t')
        i++;
    *key = (rmmlog_tok){s + b, i - b};
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (key->n == 0 || i >= n || s[i] != '=')
        return false;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || (s[i] != '\'' && s[i] != '"'))
        return false;
    char q = s[i++];
    const char *e = memchr(s + i, q, n - i);
    if (!e)
        return false;
    *val = (rmmlog_tok){s + i, (size_t)(e - (s + i))};
    return true;
}

void rmmlog_rustdesk_conf(rmmlog_p *p, const char *s, size_t n)
{
    rmmlog_tok key, val;
    if (!toml_pair(s, n, &key, &val))
        return;
    for (size_t i = 0; i < sizeof rd_keys / sizeof rd_keys[0]; i++) {
        if (strlen(rd_keys[i].key) != key.n || memcmp(rd_keys[i].key, key.s, key.n) != 0)
            continue;
        rd_key_kind kind = rd_keys[i].kind;
        /* unset values say nothing; "direct-server" is on only when 'Y' */
        if (val.n == 0 || (kind == RD_DIRECT && !(val.n == 1 && val.s[0] == 'Y')))
            return;
        rmmlog_rec r;
        rmmlog_rec_init(p, &r, kind == RD_ID ? RMMLOG_EV_LOCAL_ID : RMMLOG_EV_CONFIG, RMMLOG_TZ_UNKNOWN);
        rmmlog_copy(r.key, sizeof r.key, key.s, key.n);
        snprintf(r.detail, sizeof r.detail, "%s", rd_keys[i].meaning);
        if (kind == RD_ID && rmmlog_all_digits(val.s, val.n))
            rmmlog_add_id(&r, val.s, val.n);
        if (kind == RD_PASSWORD)
            snprintf(r.value, sizeof r.value, "set"); /* the secret is not repeated */
        else
            rmmlog_copy(r.value, sizeof r.value, val.s, val.n);
        if (kind == RD_SERVER)
            rmmlog_copy(r.remote_name, sizeof r.remote_name, val.s, val.n);
        /* a permanent password, or a policy accepting only it, is what
         * lets someone connect with nobody at the keyboard */
        r.unattended = kind == RD_PASSWORD || (kind == RD_VERIFY && strcmp(r.value, "use-permanent-password") == 0);
        rmmlog_emit(p, &r);
        return;
    }
}

/* ---- config\peers\<peer>.toml ----------------------------------------------
 * One file per peer this host has connected to (RustDesk's PeerConfig):
 * the file's stem is the peer's ID (or address); the [info] table holds
 * the peer's "username", "hostname" and "platform" as it reported them;
 * the [transfer] table holds unfinished file-transfer jobs, "write_jobs"
 * and "read_jobs", each a JSON object (TransferJobMeta: "remote" path on
 * the peer, "to" path here, "is_remote", ...) in a TOML string. */

/* The peer named by the reader: the file name without folders and
 * ".toml". */
static void peer_of_name(const char *name, rmmlog_rec *r)
{
    if (!name)
        return;
    const char *b = name;
    for (const char *q = name; *q; q++)
        if (*q == '\\' || *q == '/')
            b = q + 1;
    size_t n = strlen(b);
    if (n > 5 && memcmp(b + n - 5, ".toml", 5) == 0)
        n -= 5;
    if (n == 0)
        return;
    if (rmmlog_all_digits(b, n)) {
        rmmlog_add_id(r, b, n);
    } else {
        rmmlog_addr_set(&r->addr[0], b, n);
        r->naddr = 1;
    }
}

void rmmlog_rustdesk_peer_end(rmmlog_p *p)
{
    if (!p->rd_info_seen)
        return;
    p->rd_info_seen = false;
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_CONNECTION, RMMLOG_TZ_UNKNOWN);
    r.line = p->rd_info_line;
    r.dir = RMMLOG_DIR_OUTGOING;
    peer_of_name(p->name, &r);
    snprintf(r.user, sizeof r.user, "%s", p->rd_user);
    snprintf(r.remote_name, sizeof r.remote_name, "%s", p->rd_host);
    snprintf(r.detail, sizeof r.detail, "peer this host connected to%s%s", p->rd_platform[0] ? ", platform " : "",
             p->rd_platform);
    rmmlog_emit(p, &r);
}

/* The JSON string value of "key" in s[0..n), unescaped into out; false
 * when absent or unterminated. */
static bool json_value(const char *s, size_t n, const char *key, char *out, size_t cap)
{
    char pat[32];
    int pn = snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *v = rmmlog_find(s, n, pat);
    if (!v)
        return false;
    size_t i = (size_t)(v - s) + (size_t)pn, o = 0;
    for (; i < n && s[i] != '"'; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++; /* \\ and \" stand for the character after the backslash */
        if (o + 1 < cap)
            out[o++] = s[i];
    }
    out[o] = '\0';
    return i < n;
}

static void peer_job(rmmlog_p *p, const char *s, size_t n)
{
    char remote[260], to[260];
    if (!json_value(s, n, "remote", remote, sizeof remote))
        return;
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_FILE_TRANSFER, RMMLOG_TZ_UNKNOWN);
    r.dir = RMMLOG_DIR_OUTGOING; /* a session this host opened */
    peer_of_name(p->name, &r);
    rmmlog_add_file(&r, remote, strlen(remote));
    if (json_value(s, n, "to", to, sizeof to) && to[0])
        rmmlog_add_file(&r, to, strlen(to));
    snprintf(r.detail, sizeof r.detail, "unfinished transfer job (%s on the peer)",
             rmmlog_find(s, n, "\"is_remote\":true") ? "source" : "destination");
    rmmlog_emit(p, &r);
}

void rmmlog_rustdesk_peer(rmmlog_p *p, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && s[i] == '[' && !(i + 1 < n && s[i + 1] == '[') && memchr(s + i, '=', n - i) == NULL) {
        /* a table header ends the previous table */
        if (p->rd_in_info)
            rmmlog_rustdesk_peer_end(p);
        p->rd_in_info = n - i >= 6 && memcmp(s + i, "[info]", 6) == 0;
        p->rd_in_transfer = n - i >= 10 && memcmp(s + i, "[transfer]", 10) == 0;
        if (p->rd_in_info) {
            p->rd_info_seen = true;
            p->rd_info_line = p->line;
            p->rd_user[0] = p->rd_host[0] = p->rd_platform[0] = '\0';
        }
        return;
    }
    if (p->rd_in_transfer) {
        /* each job is one JSON object; an inline array holds several */
        const char *o = memchr(s, '{', n);
        while (o) {
            size_t left = n - (size_t)(o - s);
            const char *next = memchr(o + 1, '{', left - 1);
            peer_job(p, o, next ? (size_t)(next - o) : left);
            o = next;
        }
        return;
    }
    rmmlog_tok key, val;
    if (!p->rd_in_info || !toml_pair(s, n, &key, &val))
        return;
    if (key.n == 8 && memcmp(key.s, "username", 8) == 0)
        rmmlog_copy(p->rd_user, sizeof p->rd_user, val.s, val.n);
    else if (key.n == 8 && memcmp(key.s, "hostname", 8) == 0)
        rmmlog_copy(p->rd_host, sizeof p->rd_host, val.s, val.n);
    else if (key.n == 8 && memcmp(key.s, "platform", 8) == 0)
        rmmlog_copy(p->rd_platform, sizeof p->rd_platform, val.s, val.n);
}

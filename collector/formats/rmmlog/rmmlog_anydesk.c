/* AnyDesk logs and settings (spec artifacts.md 1.2; LOLRMM anydesk.yaml
 * examples; AnyDesk KB 467186 for connection_trace.txt; KAPE AnyDesk
 * target for the UTC note on file_transfer_trace.txt). */
#include "rmmlog_int.h"
#include <stdio.h>
#include <string.h>

static bool starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

/* Trace lines: "<level> <date> <time> <ctx> <pid> <tid> [<n>] <component> - <message>".
 * Timestamps' zone is not documented: reported as written. */
typedef struct trace_line {
    char time[32];
    rmmlog_tok tid;
    rmmlog_tok component;
    const char *msg;
    size_t msgn;
} trace_line;

static bool split_trace(const char *s, size_t n, trace_line *t)
{
    rmmlog_tok tok[8];
    const char *dash = rmmlog_find(s, n, " - ");
    if (!dash)
        return false;
    size_t head = (size_t)(dash - s);
    size_t k = rmmlog_tokens(s, head, tok, 8);
    /* level date time ctx pid tid [n] component */
    if (k < 7 || !rmmlog_time_at(tok[1].s, (size_t)(s + head - tok[1].s), t->time))
        return false;
    t->tid = tok[5];
    t->component = tok[k - 1];
    t->msg = dash + 3;
    t->msgn = n - head - 3;
    return true;
}

/* "Authenticated by password", "... with permanent token", "... by local
 * user", "... with correct passphrase" (alexandruhera.com trace notes). */
static const char *auth_method(const char *m, size_t n)
{
    static const struct {
        const char *phrase, *method;
    } map[] = {
        {"token", "token"}, {"passphrase", "passphrase"}, {"password", "password"}, {"local user", "user"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (rmmlog_find(m, n, map[i].phrase))
            return map[i].method;
    return "other";
}

static void trace_logged_in(rmmlog_p *p, const trace_line *t, const char *a, size_t an)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_CONNECTION, RMMLOG_TZ_UNKNOWN);
    /* the session's peer logs in through a relay to this side */
    r.dir = RMMLOG_DIR_INCOMING;
    memcpy(r.time, t->time, sizeof r.time);
    size_t e = 0;
    while (e < an && a[e] != ' ')
        e++;
    size_t text = e;
    if (text && a[text - 1] == '.')
        text--;
    rmmlog_addr_set(&r.addr[0], a, text);
    r.naddr = 1;
    const char *relay = rmmlog_find(a + e, an - e, "on relay ");
    if (relay) {
        size_t rn = an - (size_t)(relay - a);
        while (rn && (relay[rn - 1] == '.' || relay[rn - 1] == ' '))
            rn--;
        rmmlog_copy(r.detail, sizeof r.detail, relay + 3, rn - 3);
    }
    if (p->pending_id[0] && t->tid.n < sizeof p->pending_tid && strlen(p->pending_tid) == t->tid.n &&
        memcmp(p->pending_tid, t->tid.s, t->tid.n) == 0)
        rmmlog_add_id(&r, p->pending_id, strlen(p->pending_id));
    p->pending_id[0] = '\0';
    rmmlog_emit(p, &r);
}

static void trace_simple(rmmlog_p *p, const trace_line *t, rmmlog_event ev, const char *v, size_t vn)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, ev, RMMLOG_TZ_UNKNOWN);
    memcpy(r.time, t->time, sizeof r.time);
    size_t e = 0;
    while (e < vn && v[e] != ' ')
        e++;
    while (e && (v[e - 1] == '.' || v[e - 1] == ','))
        e--;
    if (ev == RMMLOG_EV_LOCAL_ADDRESS) {
        rmmlog_addr_set(&r.addr[0], v, e);
        r.naddr = 1;
    } else {
        rmmlog_add_id(&r, v, e);
    }
    rmmlog_emit(p, &r);
}

static void trace_auth(rmmlog_p *p, const trace_line *t)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_AUTH, RMMLOG_TZ_UNKNOWN);
    memcpy(r.time, t->time, sizeof r.time);
    const char *m = auth_method(t->msg, t->msgn);
    snprintf(r.auth, sizeof r.auth, "%s", m);
    r.unattended = strcmp(m, "password") == 0 || strcmp(m, "token") == 0;
    rmmlog_copy(r.detail, sizeof r.detail, t->msg, t->msgn);
    rmmlog_emit(p, &r);
}

static void trace_files(rmmlog_p *p, const trace_line *t)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_FILE_TRANSFER, RMMLOG_TZ_UNKNOWN);
    rmmlog_scan_line(t->msg, t->msgn, &r);
    if (!r.nfile)
        return;
    r.naddr = 0;
    r.nid = 0;
    memcpy(r.time, t->time, sizeof r.time);
    rmmlog_copy(r.detail, sizeof r.detail, t->msg, t->msgn);
    rmmlog_emit(p, &r);
}

void rmmlog_anydesk_trace(rmmlog_p *p, const char *s, size_t n)
{
    trace_line t;
    if (!split_trace(s, n, &t)) {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN);
        return;
    }
    const char *m = t.msg;
    size_t mn = t.msgn;
    const char *id = rmmlog_find(m, mn, "Client-ID: ");
    if (starts(m, mn, "Logged in from ")) {
        trace_logged_in(p, &t, m + 15, mn - 15);
    } else if (starts(m, mn, "External address: ")) {
        trace_simple(p, &t, RMMLOG_EV_LOCAL_ADDRESS, m + 18, mn - 18);
    } else if (id && rmmlog_find(m, mn, "New user data")) {
        trace_simple(p, &t, RMMLOG_EV_LOCAL_ID, id + 11, mn - (size_t)(id + 11 - m));
    } else if (id == m) {
        /* the peer's ID; kept for the "Logged in from" line that follows */
        size_t e = 11;
        while (e < mn && m[e] >= '0' && m[e] <= '9')
            e++;
        rmmlog_copy(p->pending_id, sizeof p->pending_id, m + 11, e - 11);
        rmmlog_copy(p->pending_tid, sizeof p->pending_tid, t.tid.s, t.tid.n);
    } else if (starts(m, mn, "Authenticated ")) {
        trace_auth(p, &t);
    } else if (rmmlog_find(t.component.s, t.component.n, "file") || rmmlog_find(t.component.s, t.component.n, "prepare")) {
        trace_files(p, &t);
    } else {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN);
    }
}

/* "Incoming 2022-08-23, 10:23 Passwd 547911884 547911884": direction,
 * time, how the session was accepted, the peer's alias, the peer's ID. */
void rmmlog_anydesk_connections(rmmlog_p *p, const char *s, size_t n)
{
    rmmlog_tok t[RMMLOG_MAX_TOKS];
    size_t k = rmmlog_tokens(s, n, t, RMMLOG_MAX_TOKS);
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_CONNECTION, RMMLOG_TZ_UNKNOWN);
    bool in = k && t[0].n == 8 && memcmp(t[0].s, "Incoming", 8) == 0;
    bool out = k && t[0].n == 8 && memcmp(t[0].s, "Outgoing", 8) == 0;
    size_t tl = k >= 2 ? rmmlog_time_at(t[1].s, (size_t)(s + n - t[1].s), r.time) : 0;
    if ((!in && !out) || !tl) {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN);
        return;
    }
    r.dir = in ? RMMLOG_DIR_INCOMING : RMMLOG_DIR_OUTGOING;
    /* first token after the timestamp */
    size_t m = 1;
    while (m < k && t[m].s < t[1].s + tl)
        m++;
    if (m < k) {
        static const struct {
            const char *word, *auth;
        } methods[] = {{"User", "user"}, {"Passwd", "password"}, {"Token", "token"}, {"REJECTED", "rejected"}};
        const char *auth = NULL;
        for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
            if (strlen(methods[i].word) == t[m].n && memcmp(t[m].s, methods[i].word, t[m].n) == 0)
                auth = methods[i].auth;
        if (auth)
            snprintf(r.auth, sizeof r.auth, "%s", auth);
        else
            rmmlog_copy(r.auth, sizeof r.auth, t[m].s, t[m].n);
        r.unattended = auth && (strcmp(auth, "password") == 0 || strcmp(auth, "token") == 0);
        m++;
    }
    if (m < k) {
        rmmlog_tok last = t[k - 1];
        size_t an = (size_t)(last.s - t[m].s);
        while (an && (t[m].s[an - 1] == ' ' || t[m].s[an - 1] == '\t'))
            an--;
        if (k - 1 > m)
            rmmlog_copy(r.remote_name, sizeof r.remote_name, t[m].s, an);
        if (rmmlog_all_digits(last.s, last.n))
            rmmlog_add_id(&r, last.s, last.n);
        if (r.nid && strcmp(r.remote_name, r.ids[0]) == 0)
            r.remote_name[0] = '\0'; /* no alias: AnyDesk repeats the ID */
        else if (!r.remote_name[0])
            rmmlog_copy(r.remote_name, sizeof r.remote_name, last.s, last.n);
    }
    rmmlog_emit(p, &r);
}

/* Tab-separated: "File Manager\t2024-11-08, 16:30\tstart \tupload  \t'name' (~0 B out of 443.99 MiB)".
 * Upload sends a file to this host; download takes one from it. UTC. */
void rmmlog_anydesk_file_transfers(rmmlog_p *p, const char *s, size_t n)
{
    rmmlog_tok f[8];
    size_t k = 0, b = 0;
    for (size_t i = 0; i <= n && k < 8; i++)
        if (i == n || s[i] == '\t') {
            size_t e = i;
            size_t bb = b;
            while (bb < e && s[bb] == ' ')
                bb++;
            while (e > bb && s[e - 1] == ' ')
                e--;
            f[k++] = (rmmlog_tok){s + bb, e - bb};
            b = i + 1;
        }
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_FILE_TRANSFER, RMMLOG_TZ_UTC);
    if (k < 5 || !rmmlog_time_at(f[1].s, f[1].n, r.time)) {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UTC);
        return;
    }
    const char *name = f[4].s;
    size_t nn = f[4].n;
    const char *sz = "";
    size_t szn = 0;
    if (nn >= 2 && name[0] == '\'') {
        const char *q = memchr(name + 1, '\'', nn - 1);
        if (q) {
            sz = q + 1;
            szn = nn - (size_t)(q + 1 - name);
            nn = (size_t)(q - name - 1);
            name++;
        }
    }
    rmmlog_add_file(&r, name, nn);
    while (szn && *sz == ' ') {
        sz++;
        szn--;
    }
    char size[96];
    rmmlog_copy(size, sizeof size, sz, szn);
    char chan[48], status[32], dir[32];
    rmmlog_copy(chan, sizeof chan, f[0].s, f[0].n);
    rmmlog_copy(status, sizeof status, f[2].s, f[2].n);
    rmmlog_copy(dir, sizeof dir, f[3].s, f[3].n);
    snprintf(r.detail, sizeof r.detail, "%s: %s %s%s%s", chan, dir, status, size[0] ? " " : "", size);
    r.dir = strcmp(dir, "upload") == 0 ? RMMLOG_DIR_INCOMING
            : strcmp(dir, "download") == 0 ? RMMLOG_DIR_OUTGOING : RMMLOG_DIR_UNKNOWN;
    rmmlog_emit(p, &r);
}

/* "key=value" settings. Reported: the password hash/salt (an unattended
 * access password), permission profiles, interactive_access, own ID and
 * alias. Certificates and private keys are not repeated. */
void rmmlog_anydesk_conf(rmmlog_p *p, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return;
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    const char *v = eq + 1;
    while (kn && s[kn - 1] == ' ')
        kn--;
    static const char *const keep[] = {"ad.anynet.pwd_", "ad.security.", "ad.anynet.id", "ad.anynet.alias",
                                       "ad.anynet.token"};
    bool wanted = false;
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        wanted |= starts(s, kn, keep[i]);
    if (!wanted)
        return;
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_CONFIG, RMMLOG_TZ_UNKNOWN);
    rmmlog_copy(r.key, sizeof r.key, s, kn);
    rmmlog_copy(r.value, sizeof r.value, v, vn);
    bool pwd = (kn >= 8 && memcmp(s + kn - 8, "pwd_hash", 8) == 0) ||
               (kn >= 4 && memcmp(s + kn - 4, ".pwd", 4) == 0);
    if (pwd && vn > 0) {
        r.unattended = true;
        snprintf(r.detail, sizeof r.detail, "unattended access password set");
    } else if (strcmp(r.key, "ad.security.interactive_access") == 0 && strcmp(r.value, "2") == 0) {
        /* 2: incoming requests are never shown, so only unattended access works */
        r.unattended = true;
        snprintf(r.detail, sizeof r.detail, "incoming session requests never shown");
    }
    rmmlog_emit(p, &r);
}

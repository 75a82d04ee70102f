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

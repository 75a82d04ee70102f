/* TeamViewer connection lists and log file (spec artifacts.md 1.2;
 * Velociraptor Windows.Applications.TeamViewer.Incoming for the list
 * layout; Synacktiv "Legitimate RATs" (2022) for the log messages). */
#include "rmmlog_int.h"
#include <stdio.h>
#include <string.h>

/* "<ID>\t<name>\t<DD-MM-YYYY HH:MM:SS>\t<end>\t<user>\t<type>\t<{GUID}>".
 * Fields are found from the dates, so names and users with blanks and
 * either blanks or tabs as separators work. */
void rmmlog_teamviewer_connections(rmmlog_p *p, const char *s, size_t n)
{
    rmmlog_tok t[RMMLOG_MAX_TOKS];
    size_t k = rmmlog_tokens(s, n, t, RMMLOG_MAX_TOKS);
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_CONNECTION, RMMLOG_TZ_UNKNOWN);
    size_t d = 1;
    size_t tl = 0;
    while (d < k && !(tl = rmmlog_time_at(t[d].s, (size_t)(s + n - t[d].s), r.time)))
        d++;
    if (k < 2 || !rmmlog_all_digits(t[0].s, t[0].n) || d >= k) {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN);
        return;
    }
    r.dir = p->kind == RMMLOG_TEAMVIEWER_INCOMING ? RMMLOG_DIR_INCOMING : RMMLOG_DIR_OUTGOING;
    rmmlog_add_id(&r, t[0].s, t[0].n);
    if (d > 1)
        rmmlog_copy(r.remote_name, sizeof r.remote_name, t[1].s, (size_t)(t[d - 1].s + t[d - 1].n - t[1].s));
    /* skip the start time's tokens, then the end time */
    size_t m = d;
    while (m < k && t[m].s < t[d].s + tl)
        m++;
    size_t el = m < k ? rmmlog_time_at(t[m].s, (size_t)(s + n - t[m].s), r.time_end) : 0;
    if (el) {
        size_t e = m;
        while (m < k && t[m].s < t[e].s + el)
            m++;
    }
    /* user ... type {guid} */
    size_t last = k;
    if (last > m && t[last - 1].n && t[last - 1].s[0] == '{')
        last--;
    size_t type = last > m ? last - 1 : last;
    if (type < last) {
        char kind[64], guid[64] = "";
        rmmlog_copy(kind, sizeof kind, t[type].s, t[type].n);
        if (last < k)
            rmmlog_copy(guid, sizeof guid, t[last].s, t[last].n);
        snprintf(r.detail, sizeof r.detail, "%s%s%s", kind, guid[0] ? " " : "", guid);
    }
    if (type > m)
        rmmlog_copy(r.user, sizeof r.user, t[m].s, (size_t)(t[type - 1].s + t[type - 1].n - t[m].s));
    rmmlog_emit(p, &r);
}

/* "[<ID>,<session>] type=<N> name=<name>" after AddParticipant. Type 6 is
 * the participant who connected in, type 3 the one who shares its screen
 * (public analyses of the log; the log itself does not say). */
static void tv_participant(rmmlog_p *p, const char *time, const char *m, size_t mn, bool add)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, add ? RMMLOG_EV_CONNECTION : RMMLOG_EV_SESSION_END, RMMLOG_TZ_LOCAL);
    snprintf(r.time, sizeof r.time, "%s", time);
    const char *br = memchr(m, '[', mn);
    if (br) {
        size_t i = (size_t)(br + 1 - m), b = i;
        while (i < mn && m[i] >= '0' && m[i] <= '9')
            i++;
        rmmlog_add_id(&r, m + b, i - b);
    }
    const char *ty = rmmlog_find(m, mn, "type=");
    if (ty && (size_t)(ty + 5 - m) < mn) {
        char c = ty[5];
        r.dir = c == '6' ? RMMLOG_DIR_INCOMING : c == '3' ? RMMLOG_DIR_OUTGOING : RMMLOG_DIR_UNKNOWN;
        snprintf(r.detail, sizeof r.detail, "participant type %c", c);
    }
    const char *nm = rmmlog_find(m, mn, "name=");
    if (nm)
        rmmlog_copy(r.remote_name, sizeof r.remote_name, nm + 5, mn - (size_t)(nm + 5 - m));
    rmmlog_emit(p, &r);
}

static void tv_event(rmmlog_p *p, const char *time, rmmlog_event ev, rmmlog_dir dir, const char *m, size_t mn)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, ev, RMMLOG_TZ_LOCAL);
    snprintf(r.time, sizeof r.time, "%s", time);
    r.dir = dir;
    const char *id = rmmlog_find(m, mn, "DyngateID ");
    if (id) {
        size_t i = (size_t)(id + 10 - m), b = i;
        while (i < mn && m[i] >= '0' && m[i] <= '9')
            i++;
        rmmlog_add_id(&r, m + b, i - b);
    }
    rmmlog_copy(r.detail, sizeof r.detail, m, mn);
    rmmlog_emit(p, &r);
}

/* "2024/06/28 20:23:37.280  3160  3604 S0   <message>"; local time (the
 * log is written in the host's zone). */
void rmmlog_teamviewer_log(rmmlog_p *p, const char *s, size_t n)
{
    char time[32];
    size_t tl = rmmlog_time_at(s, n, time);
    rmmlog_tok t[4];
    size_t k = tl ? rmmlog_tokens(s + tl, n - tl, t, 4) : 0;
    if (k < 4) {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_LOCAL);
        return;
    }
    const char *m = t[3].s;
    size_t mn = n - (size_t)(m - s);
    if (rmmlog_find(m, mn, "AddParticipant: ["))
        tv_participant(p, time, m, mn, true);
    else if (rmmlog_find(m, mn, "RemoveParticipant: ["))
        tv_participant(p, time, m, mn, false);
    else if (rmmlog_find(m, mn, "CreatePassiveSession") || rmmlog_find(m, mn, "AuthenticationBlocker::Allocate"))
        tv_event(p, time, RMMLOG_EV_LOGIN_ATTEMPT, RMMLOG_DIR_INCOMING, m, mn);
    else if (rmmlog_find(m, mn, "SessionTerminate")) /* the side that was connected to */
        tv_event(p, time, RMMLOG_EV_SESSION_END, RMMLOG_DIR_INCOMING, m, mn);
    else if (rmmlog_find(m, mn, "TerminateSession")) /* the side that connected out */
        tv_event(p, time, RMMLOG_EV_SESSION_END, RMMLOG_DIR_OUTGOING, m, mn);
    else
        rmmlog_fallback(p, s, n, RMMLOG_TZ_LOCAL);
}

/* Zoho Assist's logs. Their line layout is not published and changes
 * between versions, so lines go through the generic scanner; what this
 * parser adds is what is known about the files themselves (artifacts.md
 * §1, KAPE ZohoAssist.tkape):
 * - every Zoho log is written in the host's local time, not UTC;
 * - logs under ...\ZohoMeeting\UnAttended\...\logs belong to the
 *   unattended agent, i.e. persistent access was installed;
 * - a SessionAuditReport_*.log is written for one remote session and
 *   holds the timeline of the windows brought to the foreground in it:
 *   its first and last timestamps bound the session, and each entry is
 *   what the technician looked at. */
#include <stdio.h>
#include <string.h>
#include "rmmlog_int.h"

void rmmlog_zoho_log(rmmlog_p *p, const char *s, size_t n)
{
    if (p->kind == RMMLOG_ZOHO_UNATTENDED && !p->zoho_flagged) {
        p->zoho_flagged = true;
        rmmlog_rec r;
        rmmlog_rec_init(p, &r, RMMLOG_EV_CONFIG, RMMLOG_TZ_LOCAL);
        snprintf(r.key, sizeof r.key, "unattended_agent");
        snprintf(r.value, sizeof r.value, "log written");
        snprintf(r.detail, sizeof r.detail, "Zoho Assist unattended agent log: persistent access installed");
        rmmlog_scan_line(s, n, &r); /* the first line's time dates it */
        r.nid = r.naddr = r.nfile = 0;
        r.unattended = true;
        rmmlog_emit(p, &r);
    }
    rmmlog_fallback(p, s, n, RMMLOG_TZ_LOCAL);
}

/* Skip the separators between a timestamp and the entry's text. */
static size_t skip_separators(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '|' || s[i] == '-' || s[i] == ':' || s[i] == ',' ||
                     s[i] == ']' || s[i] == ';'))
        i++;
    return i;
}

void rmmlog_zoho_session_audit(rmmlog_p *p, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '['))
        i++;
    char when[32];
    size_t k = rmmlog_time_at(s + i, n - i, when);
    if (!k) {
        rmmlog_fallback(p, s, n, RMMLOG_TZ_LOCAL);
        return;
    }
    if (!p->zoho_first[0]) {
        memcpy(p->zoho_first, when, sizeof when);
        p->zoho_first_line = p->line;
    }
    memcpy(p->zoho_last, when, sizeof when);
    p->zoho_entries++;
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_LINE, RMMLOG_TZ_LOCAL);
    memcpy(r.time, when, sizeof when);
    r.dir = RMMLOG_DIR_INCOMING;
    size_t t = skip_separators(s, n, i + k);
    int shown = snprintf(r.detail, sizeof r.detail, "foreground in the session: ");
    rmmlog_copy(r.detail + shown, sizeof r.detail - (size_t)shown, s + t, n - t);
    rmmlog_scan_line(s + t, n - t, &r);
    rmmlog_emit(p, &r);
}

void rmmlog_zoho_session_audit_end(rmmlog_p *p)
{
    if (!p->zoho_entries)
        return;
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_CONNECTION, RMMLOG_TZ_LOCAL);
    r.line = p->zoho_first_line;
    r.dir = RMMLOG_DIR_INCOMING;
    memcpy(r.time, p->zoho_first, sizeof r.time);
    memcpy(r.time_end, p->zoho_last, sizeof r.time_end);
    snprintf(r.detail, sizeof r.detail, "remote session (session audit report, %llu foreground window%s)",
             (unsigned long long)p->zoho_entries, p->zoho_entries == 1 ? "" : "s");
    rmmlog_emit(p, &r);
}

/* Splashtop Streamer's own event logs. What each event means is known from
 * public incident write-ups (artifacts.md §1: Status/Operational 200 =
 * the streamer joined a Splashtop team, 300 = a connection was initiated;
 * Remote Session/Operational 1000 = a session started, 1101 = a file was
 * transferred), but not their field names or wording, which also change
 * between streamer versions. So values are read by their shape, never by
 * their position: e-mail addresses are the Splashtop account, IPv4/IPv6
 * addresses the remote end, path-like values the files; a field whose
 * name says host/computer/device gives the technician's machine and one
 * whose name says session its ID. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "rmmlog_int.h"

static bool email_local(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool email_domain(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '-';
}

/* The first e-mail address in s: local@label.label with a TLD of two or
 * more letters. Returns its length and sets *at to its start, 0 if none. */
static size_t find_email(const char *s, size_t n, const char **at)
{
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] != '@')
            continue;
        size_t b = i, e = i + 1;
        while (b > 0 && email_local(s[b - 1]))
            b--;
        while (e < n && email_domain(s[e]))
            e++;
        while (e > i + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
            e--; /* a sentence's full stop is not part of the domain */
        const char *dot = NULL;
        for (size_t k = i + 1; k < e; k++)
            if (s[k] == '.')
                dot = s + k;
        size_t tld = dot ? (size_t)(s + e - dot - 1) : 0;
        bool tld_alpha = tld >= 2;
        for (size_t k = 0; tld_alpha && k < tld; k++)
            tld_alpha = isalpha((unsigned char)dot[1 + k]) != 0;
        if (b < i && dot && dot > s + i + 1 && tld_alpha) {
            *at = s + b;
            return e - b;
        }
    }
    return 0;
}

/* Case-insensitive: does the field name contain word? */
static bool has_word(const char *name, const char *word) { return strcasestr(name, word) != NULL; }

static bool looks_like_path(const char *v, size_t n)
{
    return n > 2 && ((isalpha((unsigned char)v[0]) && v[1] == ':' && (v[2] == '\\' || v[2] == '/')) ||
                     (v[0] == '\\' && v[1] == '\\') || v[0] == '/');
}

static void read_field(rmmlog_rec *r, const rmmlog_field *f, char *session, size_t session_cap)
{
    const char *v = f->value ? f->value : "";
    size_t n = strnlen(v, RMMLOG_LINE_MAX);
    const char *name = f->name ? f->name : "";
    const char *mail;
    size_t ml = find_email(v, n, &mail);
    if (ml && !r->user[0])
        rmmlog_copy(r->user, sizeof r->user, mail, ml);
    if (!r->remote_name[0] && n && !ml && (has_word(name, "host") || has_word(name, "computer") ||
                                           has_word(name, "device")))
        rmmlog_copy(r->remote_name, sizeof r->remote_name, v, n);
    if (!session[0] && n && has_word(name, "session"))
        rmmlog_copy(session, session_cap, v, n);
    if (r->event == RMMLOG_EV_FILE_TRANSFER && (looks_like_path(v, n) || has_word(name, "file")))
        rmmlog_add_file(r, v, n);
    rmmlog_scan_line(v, n, r);
}

bool rmmlog_splashtop_event(uint16_t event_id, const rmmlog_field *fields, size_t n, rmmlog_rec *r)
{
    memset(r, 0, sizeof *r);
    switch (event_id) {
    case 200: r->event = RMMLOG_EV_CONFIG; break;
    case 300: r->event = RMMLOG_EV_LOGIN_ATTEMPT; break;
    case 1000: r->event = RMMLOG_EV_CONNECTION; break;
    case 1101: r->event = RMMLOG_EV_FILE_TRANSFER; break;
    default: return false;
    }
    r->dir = RMMLOG_DIR_INCOMING;
    r->tz = RMMLOG_TZ_UTC; /* the event's own TimeCreated is UTC */
    char session[128] = "";
    for (size_t i = 0; i < n; i++)
        read_field(r, &fields[i], session, sizeof session);
    /* 9-10 digit runs are AnyDesk-style remote IDs elsewhere; here they
     * are counters and session numbers, so they are not reported as IDs */
    r->nid = 0;
    r->time[0] = '\0'; /* the event's TimeCreated is the time, not a value's */
    char in_session[160] = "";
    if (session[0])
        snprintf(in_session, sizeof in_session, ", session %s", session);
    switch (event_id) {
    case 200:
        /* a streamer in a team is reachable unattended by that team's account */
        snprintf(r->key, sizeof r->key, "splashtop_team_account");
        snprintf(r->value, sizeof r->value, "%s", r->user[0] ? r->user : "(account not in the event)");
        snprintf(r->detail, sizeof r->detail, "streamer added to the Splashtop team of %s", r->value);
        r->unattended = true;
        break;
    case 300: snprintf(r->detail, sizeof r->detail, "connection to the streamer initiated%s", in_session); break;
    case 1000: snprintf(r->detail, sizeof r->detail, "remote session started%s", in_session); break;
    default:
        snprintf(r->detail, sizeof r->detail, "file transferred in a remote session%s (%zu file name%s)", in_session,
                 r->nfile, r->nfile == 1 ? "" : "s");
        break;
    }
    return true;
}

/* accounts: reactivated accounts and privileged account changes
 * (artifacts.md §4). Muddled Libra re-enables dormant accounts rather than
 * creating new ones, gives them a password and privileges, and logs on
 * over RDP. This module reads the Security log's account management events
 * (4720 created, 4722 enabled, 4725 disabled, 4726 deleted, 4738 changed,
 * 4724/4723 password reset/change, 4767 unlocked, 4781 renamed,
 * 4728/4732/4756 group adds, 5136 userAccountControl writes on DCs), logons
 * (4624/4625) and the Terminal Services logs (LocalSessionManager 21/22/25,
 * RemoteConnectionManager 1149), and the local accounts of the SAM hive.
 *
 * Records (records/accounts.jsonl): {"type":"event", id, time, target,
 * target_sid, subject, subject_sid, group, group_sid, member_sid,
 * uac_set, uac_cleared, artifact, locator} for every account event;
 * {"type":"sam_user", rid, sid, name, full_name, comment, flags, enabled,
 * nt_hash_len, last_logon, password_last_set, last_failed_logon,
 * account_expires, logon_count, failed_logon_count, key_last_write,
 * artifact, locator} for every SAM user; {"type":"sam_alias", rid, name,
 * members} for the local groups.
 *
 * Reactivation: an account enabled (4722, a 4738/5136 clearing the disabled
 * bit, or a SAM account enabled long after its last use) that was not just
 * created (Windows logs 4720 then 4722 in the same second for every new
 * account). Medium; high when the account is built-in (Administrator,
 * Guest, DefaultAccount) or when within `accounts.window` it gets a password
 * reset, a privileged group, or a logon. Windows setup's own accounts
 * (created by SYSTEM within the first hour of the install or of a log that
 * starts at its first records) are records and low findings only. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "events.h"
#include "finding.h"
#include "module.h"
#include "sam.h"
#include "text.h"
#include "timeline.h"
#include "wordlist.h"

#define FT_SECOND UINT64_C(10000000)
#define FT_HOUR (3600 * FT_SECOND)
#define MAX_EVENTS 200000   /* account management events kept for correlation */
#define MAX_FOLLOW 32       /* follow-up evidence kept per reactivated account */
#define SETUP_LOG_START 100 /* a Security log whose first record id is this low starts at install */

static const gl_setting_decl accounts_settings[] = {
    {"window", GL_SETTING_DURATION, "7d", "after an enable, a reset, privileged group or logon this soon makes it high"},
    {"dormant", GL_SETTING_DURATION, "90d", "SAM: enabled account unused this long before its key changed = reactivated"},
    {0},
};

static const gl_rule_decl accounts_rules[] = {
    {"accounts.reactivated", GL_SEV_MEDIUM, "T1098 T1078.002 T1078.003", "Disabled or dormant account re-enabled"},
    {"accounts.created_privileged", GL_SEV_HIGH, "T1136.001 T1136.002 T1098.007",
     "Account created and added to a privileged group"},
    {"accounts.privileged_group_added", GL_SEV_MEDIUM, "T1098.007", "Member added to a privileged group"},
    {"accounts.privileged_password_reset", GL_SEV_MEDIUM, "T1098", "Password of a privileged account reset by another"},
    {"accounts.rdp_external", GL_SEV_MEDIUM, "T1021.001 T1078", "Remote Desktop logon from an external address"},
    {0},
};

static const gl_event_sub accounts_events[] = {
    {"Security", {4720, 4722, 4725, 4726, 4738, 4724, 4723, 4767, 4781, 4728, 4732, 4756, 5136, 4624, 4625}, 15},
    {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational", {21, 22, 25}, 3},
    {"Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational", {1149}, 1},
    {0},
};

typedef struct acct_ev {
    uint16_t id;
    uint64_t time;
    char *target, *target_sid, *subject, *subject_sid, *member_sid, *member_name, *artifact, *locator;
    gl_uac_change uac;
    bool enables, setup, reported;
} acct_ev;

typedef struct follow {
    uint64_t time;
    char *what, *artifact, *locator;
} follow;

typedef struct reactivated {
    char *sid, *name;
    size_t first;     /* index of the first enabling event in evs; SIZE_MAX: SAM only */
    size_t n_enables;
    bool builtin, consumed;
    follow f[MAX_FOLLOW];
    size_t n_follow, more_follow;
    char *why_high;   /* first follow-up that makes it high */
    /* SAM evidence */
    char *sam_artifact, *sam_locator, *sam_why;
    uint64_t sam_time;
} reactivated;

typedef struct acct_ctx {
    gl_run *run;
    gl_wordlist *priv;
    uint64_t window, dormant, setup_end;
    acct_ev *evs;
    size_t n, cap;
    uint64_t dropped;
    reactivated *r;
    size_t nr, cap_r;
    char *machine_sid;
    char **priv_members; /* SIDs in privileged local groups of the SAM */
    size_t n_priv, cap_priv;
} acct_ctx;

/* ---- small helpers ---- */

static char *dup(const char *s) { return gl_xstrdup(s ? s : ""); }

static const char *rid_of(const char *sid)
{
    const char *dash = strrchr(sid, '-');
    return dash ? dash + 1 : "";
}

static bool builtin_account(const char *sid)
{
    const char *rid = rid_of(sid);
    return !strncmp(sid, "S-1-5-21-", 9) && (!strcmp(rid, "500") || !strcmp(rid, "501") || !strcmp(rid, "503"));
}

/* Privileged groups are data (modules/accounts/data/privileged-groups.txt):
 * built-in group SIDs, "rid:NNN" for domain groups, "name:X" for groups
 * without a fixed RID (DnsAdmins). */
static bool privileged_group(const acct_ctx *c, const char *sid, const char *name)
{
    char key[300];
    if (gl_wordlist_has(c->priv, sid))
        return true;
    if (!strncmp(sid, "S-1-5-21-", 9)) {
        snprintf(key, sizeof key, "rid:%s", rid_of(sid));
        if (gl_wordlist_has(c->priv, key))
            return true;
    }
    const char *bare = strrchr(name, '\\');
    snprintf(key, sizeof key, "name:%s", bare ? bare + 1 : name);
    return gl_wordlist_has(c->priv, key);
}

/* "DOMAIN\name" from an event's Target/Subject fields. */
static char *qualified(const gl_event *ev, const char *dom_field, const char *name_field)
{
    const char *d = gl_event_text(ev, dom_field), *n = gl_event_text(ev, name_field);
    gl_buf b = {0};
    gl_buf_printf(&b, "%s%s%s", d, *d ? "\\" : "", n);
    char *s = dup(gl_buf_cstr(&b));
    gl_buf_free(&b);
    return s;
}

static bool is_external(const char *ip)
{
    if (!*ip || !strcmp(ip, "-") || !strcmp(ip, "::1") || !strncmp(ip, "127.", 4) || !strncmp(ip, "fe80:", 5) ||
        !strncmp(ip, "10.", 3) || !strncmp(ip, "192.168.", 8) || !strncmp(ip, "169.254.", 8) ||
        !strncmp(ip, "LOCAL", 5))
        return false;
    unsigned a, b;
    if (sscanf(ip, "%u.%u.", &a, &b) == 2 && a == 172 && b >= 16 && b <= 31)
        return false;
    if (!strncmp(ip, "::ffff:", 7))
        return is_external(ip + 7);
    return strchr(ip, '.') || strchr(ip, ':');
}

static void ev_free(acct_ev *e)
{
    char *strs[] = {e->target,     e->target_sid,  e->subject, e->subject_sid,
                    e->member_sid, e->member_name, e->artifact, e->locator};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
}

/* ---- pass 1: account management events ---- */

static const char *kind_of(uint16_t id, bool enables)
{
    switch (id) {
    case 4720: return "account.created";
    case 4722: return "account.enabled";
    case 4725: return "account.disabled";
    case 4726: return "account.deleted";
    case 4738: case 5136: return enables ? "account.enabled" : "account.changed";
    case 4724: return "account.password_reset";
    case 4723: return "account.password_changed";
    case 4767: return "account.unlocked";
    case 4781: return "account.renamed";
    default: return "account.group_added";
    }
}

static void event_record(acct_ctx *c, const acct_ev *e, const char *group)
{
    gl_buf line = {0};
    gl_json j;
    char iso[GL_TIME_STRLEN] = "";
    gl_filetime_iso(e->time, 7, iso);
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "event");
    gl_json_kv_uint(&j, "id", e->id);
    gl_json_kv_str(&j, "time", iso);
    gl_json_kv_str(&j, group ? "group" : "target", e->target);
    gl_json_kv_str(&j, group ? "group_sid" : "target_sid", e->target_sid);
    gl_json_kv_str(&j, "subject", e->subject);
    gl_json_kv_str(&j, "subject_sid", e->subject_sid);
    if (group) {
        gl_json_kv_str(&j, "member_sid", e->member_sid);
        gl_json_kv_str(&j, "member_name", e->member_name);
    }
    if (e->uac.set || e->uac.cleared) {
        gl_buf names = {0};
        gl_acb_names(&names, e->uac.set);
        gl_json_kv_str(&j, "uac_set", gl_buf_cstr(&names));
        gl_buf_clear(&names);
        gl_acb_names(&names, e->uac.cleared);
        gl_json_kv_str(&j, "uac_cleared", gl_buf_cstr(&names));
        gl_buf_free(&names);
    }
    gl_json_kv_bool(&j, "windows_setup", e->setup);
    gl_json_kv_str(&j, "artifact", e->artifact);
    gl_json_kv_str(&j, "locator", e->locator);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

static void event_timeline(acct_ctx *c, const acct_ev *e, bool group)
{
    gl_tl t;
    /* group adds are about the member; everything else about the target */
    gl_json *d = gl_tl_begin(&t, c->run, kind_of(e->id, e->enables), e->time, group ? e->member_sid : e->target,
                             e->artifact, e->locator);
    gl_json_kv_uint(d, "event_id", e->id);
    gl_json_kv_str(d, "sid", group ? e->member_sid : e->target_sid);
    gl_json_kv_str(d, "by", e->subject);
    if (group)
        gl_json_kv_str(d, "group", e->target);
    gl_tl_end(&t);
}

/* 4738 carries the flag changes twice: SAM-bit values and message ids. */
static gl_uac_change uac_of(const gl_event *ev)
{
    uint32_t o, n;
    if (gl_uac_parse_hex(gl_event_text(ev, "OldUacValue"), &o) && gl_uac_parse_hex(gl_event_text(ev, "NewUacValue"), &n))
        return gl_uac_diff(o, n);
    return gl_uac_parse_messages(gl_event_text(ev, "UserAccountControl"), NULL);
}

/* 5136 on a DC: userAccountControl is written as a delete of the old value
 * and an add of the new one (AD UF_* bits, decimal), both with the
 * operation's OpCorrelationID. */
typedef struct pass1 {
    acct_ctx *c;
    char *deleted_dn, *deleted_op; /* the last "value deleted" seen */
    uint32_t deleted_uac;
} pass1;

static bool uac_5136(const gl_event *ev, gl_uac_change *out, pass1 *p)
{
    if (strcasecmp(gl_event_text(ev, "AttributeLDAPDisplayName"), "userAccountControl"))
        return false;
    const char *dn = gl_event_text(ev, "ObjectDN"), *op = gl_event_text(ev, "OpCorrelationID");
    uint32_t v = gl_uac_from_ad((uint32_t)strtoul(gl_event_text(ev, "AttributeValue"), NULL, 10));
    if (!strcmp(gl_event_text(ev, "OperationType"), "%%14675")) {
        free(p->deleted_dn);
        free(p->deleted_op);
        p->deleted_dn = dup(dn);
        p->deleted_op = dup(op);
        p->deleted_uac = v;
        return false;
    }
    bool pair = p->deleted_dn && !strcasecmp(p->deleted_dn, dn) && !strcmp(p->deleted_op, op);
    *out = pair ? gl_uac_diff(p->deleted_uac, v) : (gl_uac_change){0};
    return true;
}

static int on_management(void *ctx, const gl_event *ev)
{
    pass1 *p = ctx;
    acct_ctx *c = p->c;
    uint16_t id = ev->event_id;
    if (id == 4624 || id == 4625)
        return 0;
    bool group = id == 4728 || id == 4732 || id == 4756;
    acct_ev e = {.id = id, .time = ev->time};
    if (id == 5136) {
        if (!uac_5136(ev, &e.uac, p))
            return 0;
        e.target = dup(gl_event_text(ev, "ObjectDN"));
        e.target_sid = dup("");
    } else {
        e.target = qualified(ev, "TargetDomainName", "TargetUserName");
        e.target_sid = dup(gl_event_text(ev, "TargetSid"));
        if (id == 4738)
            e.uac = uac_of(ev);
    }
    e.enables = id == 4722 || ((id == 4738 || id == 5136) && gl_uac_enabled(e.uac));
    e.subject = qualified(ev, "SubjectDomainName", "SubjectUserName");
    e.subject_sid = dup(gl_event_text(ev, "SubjectUserSid"));
    e.member_sid = dup(group ? gl_event_text(ev, "MemberSid") : "");
    e.member_name = dup(group ? gl_event_text(ev, "MemberName") : ""); /* a DN on DCs, "-" locally */
    e.artifact = dup(ev->artifact);
    e.locator = dup(ev->locator);
    e.setup = !strcmp(e.subject_sid, "S-1-5-18") && ev->time && ev->time <= c->setup_end;
    event_record(c, &e, group ? e.target : NULL);
    event_timeline(c, &e, group);
    if (c->n >= MAX_EVENTS) {
        c->dropped++;
        ev_free(&e);
        return 0;
    }
    c->evs = gl_grow_array(c->evs, &c->cap, c->n, sizeof *c->evs);
    c->evs[c->n++] = e;
    return 0;
}

/* ---- reactivations ---- */

/* Windows logs 4720 then 4722 (and a 4724) within the same second for
 * every new account: that enable is the creation, not a reactivation. */
static bool part_of_creation(const acct_ctx *c, const acct_ev *x)
{
    for (size_t k = 0; k < c->n; k++) {
        const acct_ev *e = &c->evs[k];
        if (e->id == 4720 && !strcmp(e->target_sid, x->target_sid) && e->time <= x->time &&
            x->time - e->time <= FT_SECOND)
            return true;
    }
    return false;
}

static reactivated *react_for(acct_ctx *c, const char *sid, const char *name)
{
    for (size_t i = 0; i < c->nr; i++)
        if (!strcmp(c->r[i].sid, sid))
            return &c->r[i];
    c->r = gl_grow_array(c->r, &c->cap_r, c->nr, sizeof *c->r);
    reactivated *r = &c->r[c->nr++];
    *r = (reactivated){.sid = dup(sid), .name = dup(name), .first = SIZE_MAX, .builtin = builtin_account(sid)};
    return r;
}

static void add_follow(reactivated *r, uint64_t time, const char *what, const char *artifact, const char *locator,
                       bool high)
{
    if (high && !r->why_high)
        r->why_high = dup(what);
    if (r->n_follow == MAX_FOLLOW) {
        r->more_follow++;
        return;
    }
    r->f[r->n_follow++] = (follow){time, dup(what), dup(artifact), dup(locator)};
}

static bool within(const acct_ctx *c, const reactivated *r, uint64_t t)
{
    uint64_t t0 = c->evs[r->first].time;
    return t >= t0 && t - t0 <= c->window;
}

static void find_reactivations(acct_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        acct_ev *e = &c->evs[i];
        if (!e->enables || part_of_creation(c, e))
            continue;
        /* 5136 names its object by DN only */
        reactivated *r = react_for(c, *e->target_sid ? e->target_sid : e->target, e->target);
        if (r->first == SIZE_MAX) { /* the event names it as DOMAIN\name; the SAM by name only */
            free(r->name);
            r->name = dup(e->target);
            r->first = i;
        }
        r->n_enables++;
    }
    /* what followed each one in the account events */
    for (size_t k = 0; k < c->nr; k++) {
        reactivated *r = &c->r[k];
        for (size_t i = 0; r->first != SIZE_MAX && i < c->n; i++) {
            const acct_ev *e = &c->evs[i];
            if (!within(c, r, e->time))
                continue;
            gl_buf what = {0};
            bool group = e->id == 4728 || e->id == 4732 || e->id == 4756;
            if (e->id == 4724 && !strcmp(e->target_sid, r->sid)) {
                gl_buf_printf(&what, "password reset by %s", e->subject);
                add_follow(r, e->time, gl_buf_cstr(&what), e->artifact, e->locator, true);
            } else if (group && !strcmp(e->member_sid, r->sid)) {
                bool priv = privileged_group(c, e->target_sid, e->target);
                gl_buf_printf(&what, "added to %s%s by %s", priv ? "privileged group " : "", e->target, e->subject);
                add_follow(r, e->time, gl_buf_cstr(&what), e->artifact, e->locator, priv);
            }
            gl_buf_free(&what);
        }
    }
}

/* ---- pass 2: logons ---- */

typedef struct rdp_ext {
    char *user, *ip, *artifact, *locator;
    uint64_t first;
    size_t count;
} rdp_ext;

typedef struct pass2 {
    acct_ctx *c;
    rdp_ext *ext;
    size_t n_ext, cap_ext;
} pass2;

#define MAX_EXTERNAL 1000

static void note_external(pass2 *p, const char *user, const char *ip, const gl_event *ev)
{
    for (size_t i = 0; i < p->n_ext; i++)
        if (!strcasecmp(p->ext[i].user, user) && !strcmp(p->ext[i].ip, ip)) {
            p->ext[i].count++;
            return;
        }
    if (p->n_ext >= MAX_EXTERNAL)
        return;
    p->ext = gl_grow_array(p->ext, &p->cap_ext, p->n_ext, sizeof *p->ext);
    p->ext[p->n_ext++] = (rdp_ext){dup(user), dup(ip), dup(ev->artifact), dup(ev->locator), ev->time, 1};
}

/* Logons by the reactivated accounts, by SID or (Terminal Services logs)
 * by name, within the window. */
static void logon_follow(acct_ctx *c, const char *sid, const char *user, const char *what, const gl_event *ev)
{
    for (size_t k = 0; k < c->nr; k++) {
        reactivated *r = &c->r[k];
        bool same = (*sid && !strcmp(sid, r->sid)) || (!*sid && *user && !strcasecmp(user, r->name));
        if (same && r->first != SIZE_MAX && within(c, r, ev->time))
            add_follow(r, ev->time, what, ev->artifact, ev->locator, true);
    }
}

/* Service, batch and system logons, machine accounts and the service
 * identities are not what a responder reads a timeline for. */
static bool routine_logon(const char *type, const char *sid, const char *user)
{
    size_t n = strlen(user);
    return !strcmp(type, "0") || !strcmp(type, "4") || !strcmp(type, "5") || (n && user[n - 1] == '$') ||
           !strcmp(sid, "S-1-5-18") || !strcmp(sid, "S-1-5-19") || !strcmp(sid, "S-1-5-20") ||
           !strcmp(sid, "S-1-5-7");
}

static int on_logon(void *ctx, const gl_event *ev)
{
    pass2 *p = ctx;
    if (ev->event_id != 4624 && ev->event_id != 4625)
        return 0;
    const char *type = gl_event_text(ev, "LogonType"), *sid = gl_event_text(ev, "TargetUserSid");
    const char *ip = gl_event_text(ev, "IpAddress");
    char *user = qualified(ev, "TargetDomainName", "TargetUserName");
    if (!routine_logon(type, sid, gl_event_text(ev, "TargetUserName"))) {
        gl_tl t;
        gl_json *d = gl_tl_begin(&t, p->c->run, ev->event_id == 4624 ? "logon" : "logon.failed", ev->time, user,
                                 ev->artifact, ev->locator);
        gl_json_kv_str(d, "sid", sid);
        gl_json_kv_str(d, "type", type);
        gl_json_kv_str(d, "source", ip);
        gl_json_kv_str(d, "workstation", gl_event_text(ev, "WorkstationName"));
        gl_json_kv_str(d, "logon_process", gl_event_text(ev, "LogonProcessName"));
        gl_tl_end(&t);
    }
    if (ev->event_id == 4624) {
        gl_buf what = {0};
        gl_buf_printf(&what, "logon type %s%s%s", type, *ip && strcmp(ip, "-") ? " from " : "", strcmp(ip, "-") ? ip : "");
        logon_follow(p->c, sid, "", gl_buf_cstr(&what), ev);
        gl_buf_free(&what);
        if (!strcmp(type, "10") && is_external(ip))
            note_external(p, user, ip, ev);
    }
    free(user);
    return 0;
}

/* LocalSessionManager 21/22/25 (User, Address) and RemoteConnectionManager
 * 1149 (Param1 user, Param2 domain, Param3 address). */
static int on_rdp(void *ctx, const gl_event *ev)
{
    pass2 *p = ctx;
    char *user;
    const char *ip;
    if (ev->event_id == 1149) {
        user = qualified(ev, "Param2", "Param1");
        ip = gl_event_text(ev, "Param3");
    } else {
        if (ev->event_id == 22) /* shell start: the 21 before it is the logon */
            return 0;
        user = dup(gl_event_text(ev, "User"));
        ip = gl_event_text(ev, "Address");
    }
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, p->c->run, "rdp.logon", ev->time, user, ev->artifact, ev->locator);
    gl_json_kv_uint(d, "event_id", ev->event_id);
    gl_json_kv_str(d, "source", ip);
    gl_json_kv_str(d, "stage", ev->event_id == 1149 ? "authenticated" : ev->event_id == 25 ? "reconnected" : "logon");
    gl_tl_end(&t);
    gl_buf what = {0};
    gl_buf_printf(&what, "Remote Desktop %s from %s", ev->event_id == 1149 ? "authentication" : "session", ip);
    logon_follow(p->c, "", user, gl_buf_cstr(&what), ev);
    gl_buf_free(&what);
    if (is_external(ip))
        note_external(p, user, ip, ev);
    free(user);
    return 0;
}

static void report_external(acct_ctx *c, pass2 *p)
{
    for (size_t i = 0; i < p->n_ext; i++) {
        rdp_ext *x = &p->ext[i];
        gl_fb fb;
        gl_fb_start(&fb, c->run, "accounts.rdp_external");
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "Remote Desktop from an address outside the private ranges: normal only for hosts published "
                       "to the internet or reached over a VPN that does not translate addresses");
        gl_fb_title(&fb, "Remote Desktop logon by %s from %s", x->user, x->ip);
        gl_fb_subject(&fb, "%s|%s", x->user, x->ip);
        gl_fb_time_filetime(&fb, x->first);
        gl_fb_evidence(&fb, x->artifact, "%s", x->locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "user", x->user);
        gl_json_kv_str(d, "source", x->ip);
        gl_json_kv_uint(d, "events", x->count);
        gl_fb_emit(&fb);
        free(x->user);
        free(x->ip);
        free(x->artifact);
        free(x->locator);
    }
    free(p->ext);
}

static void add_priv_member(acct_ctx *c, const char *sid)
{
    for (size_t i = 0; i < c->n_priv; i++)
        if (!strcmp(c->priv_members[i], sid))
            return;
    c->priv_members = gl_grow_array(c->priv_members, &c->cap_priv, c->n_priv, sizeof *c->priv_members);
    c->priv_members[c->n_priv++] = dup(sid);
}

/* Privileged at that time: the built-in Administrator, a member added to
 * a privileged group by an event before it, or a member of a privileged
 * local group in the SAM that no event shows being added (so it was
 * before the log starts). */
static bool priv_member(const acct_ctx *c, const char *sid, uint64_t time)
{
    if (!strncmp(sid, "S-1-5-21-", 9) && !strcmp(rid_of(sid), "500"))
        return true;
    bool added_later = false;
    for (size_t i = 0; i < c->n; i++) {
        const acct_ev *g = &c->evs[i];
        if ((g->id == 4728 || g->id == 4732 || g->id == 4756) && !strcmp(g->member_sid, sid) &&
            privileged_group(c, g->target_sid, g->target)) {
            if (g->time <= time)
                return true;
            added_later = true;
        }
    }
    for (size_t i = 0; i < c->n_priv && !added_later; i++)
        if (!strcmp(c->priv_members[i], sid))
            return true;
    return false;
}

/* ---- the SAM hive ---- */

#define SAM_ACCOUNT "HKLM\\SAM\\SAM\\Domains\\Account"
#define SAM_ALIASES "HKLM\\SAM\\SAM\\Domains\\Builtin\\Aliases"

/* Raw bytes of value name of k (into scratch); NULL with *n = 0 when absent. */
static const uint8_t *value_bytes(gl_regkey k, const char *name, size_t *n, gl_buf *scratch)
{
    gl_regval v = gl_regkey_value(k, name);
    *n = 0;
    return gl_regval_ok(v) ? gl_regval_binary(v, n, scratch) : NULL;
}

static void iso_kv(gl_json *j, const char *key, uint64_t ft)
{
    char iso[GL_TIME_STRLEN];
    if (ft && ft != GL_SAM_NEVER && gl_filetime_iso(ft, 7, iso))
        gl_json_kv_str(j, key, iso);
    else
        gl_json_kv_str(j, key, NULL);
}

static void sam_user_record(acct_ctx *c, gl_regkey k, const char *sid, const gl_sam_user_f *f,
                            const gl_sam_user_v *v)
{
    gl_buf line = {0}, flags = {0}, loc = {0};
    gl_json j;
    gl_acb_names(&flags, f->acb);
    gl_regkey_locator(k, &loc);
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "sam_user");
    gl_json_kv_uint(&j, "rid", f->rid);
    gl_json_kv_str(&j, "sid", strncmp(sid, "S-", 2) ? NULL : sid);
    gl_json_kv_str(&j, "name", v->name);
    gl_json_kv_str(&j, "full_name", v->full_name);
    gl_json_kv_str(&j, "comment", v->comment);
    gl_json_kv_str(&j, "flags", gl_buf_cstr(&flags));
    gl_json_kv_bool(&j, "enabled", !(f->acb & GL_ACB_DISABLED));
    gl_json_kv_uint(&j, "nt_hash_len", v->nt_hash_len); /* 4: none stored (RC4-era layout) */
    iso_kv(&j, "last_logon", f->last_logon);
    iso_kv(&j, "password_last_set", f->password_last_set);
    iso_kv(&j, "last_failed_logon", f->last_failed_logon);
    iso_kv(&j, "account_expires", f->account_expires);
    gl_json_kv_uint(&j, "logon_count", f->logon_count);
    gl_json_kv_uint(&j, "failed_logon_count", f->failed_logon_count);
    iso_kv(&j, "key_last_write", gl_regkey_last_write(k));
    gl_json_kv_str(&j, "artifact", gl_regkey_artifact(k));
    gl_json_kv_str(&j, "locator", gl_buf_cstr(&loc));
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
    gl_buf_free(&flags);
    gl_buf_free(&loc);
}

/* An enabled account that Windows keeps disabled (Guest, DefaultAccount),
 * or one whose key changed long after its last logon and password set. */
static void sam_reactivation(acct_ctx *c, gl_regkey k, const char *sid, const gl_sam_user_f *f, const char *name)
{
    if (f->acb & GL_ACB_DISABLED)
        return;
    uint64_t changed = gl_regkey_last_write(k), used = f->last_logon > f->password_last_set ? f->last_logon
                                                                                          : f->password_last_set;
    gl_buf why = {0};
    if (f->rid == GL_RID_GUEST || f->rid == GL_RID_DEFAULT_ACCOUNT)
        gl_buf_printf(&why, "the built-in %s account is enabled; Windows keeps it disabled",
                      f->rid == GL_RID_GUEST ? "Guest" : "DefaultAccount");
    else if (used && changed > used && changed - used >= c->dormant)
        gl_buf_printf(&why, "enabled, and its SAM entry changed %" PRIu64 " days after its last logon or password set",
                      (changed - used) / (86400 * FT_SECOND));
    if (why.len) {
        reactivated *r = react_for(c, sid, name);
        gl_buf loc = {0};
        gl_regkey_locator(k, &loc);
        r->sam_artifact = dup(gl_regkey_artifact(k));
        r->sam_locator = dup(gl_buf_cstr(&loc));
        r->sam_why = dup(gl_buf_cstr(&why));
        r->sam_time = changed;
        gl_buf_free(&loc);
    }
    gl_buf_free(&why);
}

static void sam_users(acct_ctx *c, gl_regview *rv)
{
    gl_regkey users;
    gl_err err = {0};
    gl_lookup found = gl_regview_find_key(rv, SAM_ACCOUNT "\\Users", &users, &err);
    if (found == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (found != GL_LOOKUP_FOUND)
        return;
    gl_regkeys subs = {0};
    gl_buf name = {0}, scratch = {0}, sid = {0};
    gl_regkey_subkeys(users, &subs);
    for (size_t i = 0; i < subs.n; i++) {
        uint32_t rid;
        gl_buf_clear(&name);
        gl_regkey_name(subs.v[i], &name);
        if (gl_regkey_deleted(subs.v[i]) || !gl_sam_rid_from_key(gl_buf_cstr(&name), &rid))
            continue;
        size_t fn, vn;
        gl_sam_user_f f;
        gl_sam_user_v v;
        const uint8_t *fp = value_bytes(subs.v[i], "F", &fn, &scratch);
        int frc = gl_sam_user_f_parse(fp, fn, gl_buf_cstr(&name), &f, &err);
        if (frc < 0)
            gl_run_error(c->run, "SAM user %s: %s", gl_buf_cstr(&name), err.msg);
        gl_buf vscratch = {0};
        const uint8_t *vp = value_bytes(subs.v[i], "V", &vn, &vscratch);
        if (gl_sam_user_v_parse(vp, vn, gl_buf_cstr(&name), &v, &err) < 0 && vp)
            gl_run_error(c->run, "SAM user %s: %s", gl_buf_cstr(&name), err.msg);
        /* without the domain V value the SID is unknown: the RID stands in */
        gl_buf_clear(&sid);
        if (c->machine_sid)
            gl_buf_printf(&sid, "%s-%" PRIu32, c->machine_sid, rid);
        else
            gl_buf_printf(&sid, "RID %" PRIu32, rid);
        f.rid = rid; /* the key name is the RID; F may be short */
        sam_user_record(c, subs.v[i], gl_buf_cstr(&sid), &f, &v);
        if (frc == 0)
            sam_reactivation(c, subs.v[i], gl_buf_cstr(&sid), &f, *v.name ? v.name : gl_buf_cstr(&name));
        gl_sam_user_v_free(&v);
        gl_buf_free(&vscratch);
    }
    gl_regkeys_free(&subs);
    gl_buf_free(&name);
    gl_buf_free(&scratch);
    gl_buf_free(&sid);
}

static void sam_aliases(acct_ctx *c, gl_regview *rv)
{
    gl_regkey aliases;
    gl_err err = {0};
    if (gl_regview_find_key(rv, SAM_ALIASES, &aliases, &err) != GL_LOOKUP_FOUND)
        return;
    gl_regkeys subs = {0};
    gl_buf name = {0}, scratch = {0}, line = {0};
    gl_regkey_subkeys(aliases, &subs);
    for (size_t i = 0; i < subs.n; i++) {
        uint32_t rid;
        gl_buf_clear(&name);
        gl_regkey_name(subs.v[i], &name);
        if (gl_regkey_deleted(subs.v[i]) || !gl_sam_rid_from_key(gl_buf_cstr(&name), &rid))
            continue;
        size_t n;
        const uint8_t *p = value_bytes(subs.v[i], "C", &n, &scratch);
        gl_sam_alias_c a;
        if (gl_sam_alias_c_parse(p, n, gl_buf_cstr(&name), &a, &err) < 0 && p)
            gl_run_error(c->run, "SAM alias %s: %s", gl_buf_cstr(&name), err.msg);
        gl_json j;
        gl_buf_clear(&line);
        gl_json_init(&j, &line);
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "type", "sam_alias");
        gl_json_kv_uint(&j, "rid", rid);
        gl_json_kv_str(&j, "name", a.name);
        gl_buf gsid = {0};
        gl_buf_printf(&gsid, "S-1-5-32-%" PRIu32, rid);
        if (privileged_group(c, gl_buf_cstr(&gsid), a.name))
            for (size_t m = 0; m < a.n_members; m++)
                add_priv_member(c, a.members[m]);
        gl_buf_free(&gsid);
        gl_json_key(&j, "members");
        gl_json_arr_begin(&j);
        for (size_t m = 0; m < a.n_members; m++)
            gl_json_str(&j, a.members[m]);
        gl_json_arr_end(&j);
        gl_json_kv_str(&j, "artifact", gl_regkey_artifact(subs.v[i]));
        gl_json_obj_end(&j);
        gl_run_record(c->run, line.data, line.len);
        gl_sam_alias_c_free(&a);
    }
    gl_regkeys_free(&subs);
    gl_buf_free(&name);
    gl_buf_free(&scratch);
    gl_buf_free(&line);
}

static void read_sam(acct_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    gl_regkey account;
    gl_err err = {0};
    gl_lookup found = gl_regview_find_key(rv, SAM_ACCOUNT, &account, &err);
    if (found == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (found != GL_LOOKUP_FOUND)
        return;
    size_t n;
    gl_buf scratch = {0}, sid = {0};
    const uint8_t *p = value_bytes(account, "V", &n, &scratch);
    if (p && gl_sam_domain_v_sid(p, n, SAM_ACCOUNT "\\V", &sid, &err) == 0)
        c->machine_sid = dup(gl_buf_cstr(&sid));
    else if (p)
        gl_run_error(c->run, "%s", err.msg);
    gl_buf_free(&scratch);
    gl_buf_free(&sid);
    sam_users(c, rv);
    sam_aliases(c, rv);
}

/* ---- findings ---- */

static bool is_group_add(uint16_t id) { return id == 4728 || id == 4732 || id == 4756; }

/* A name for a SID: the well-known service identities, else from the
 * events (4720 and friends name their target). */
static const char *name_of(const acct_ctx *c, const char *sid)
{
    static const char *const wellknown[][2] = {{"S-1-5-18", "NT AUTHORITY\\SYSTEM"},
                                               {"S-1-5-19", "NT AUTHORITY\\LOCAL SERVICE"},
                                               {"S-1-5-20", "NT AUTHORITY\\NETWORK SERVICE"}};
    for (size_t i = 0; i < sizeof wellknown / sizeof wellknown[0]; i++)
        if (!strcmp(sid, wellknown[i][0]))
            return wellknown[i][1];
    for (size_t i = 0; i < c->n; i++)
        if (!is_group_add(c->evs[i].id) && !strcmp(c->evs[i].target_sid, sid) && c->evs[i].target[0])
            return c->evs[i].target;
    for (size_t i = 0; i < c->nr; i++)
        if (!strcmp(c->r[i].sid, sid))
            return c->r[i].name;
    return sid;
}

static void report_reactivated(acct_ctx *c)
{
    for (size_t k = 0; k < c->nr; k++) {
        reactivated *r = &c->r[k];
        const acct_ev *first = r->first != SIZE_MAX ? &c->evs[r->first] : NULL;
        gl_fb fb;
        gl_fb_start(&fb, c->run, "accounts.reactivated");
        if (r->builtin)
            gl_fb_severity(&fb, GL_SEV_HIGH, "%s is a built-in account (RID %s) that Windows keeps disabled; enabling it "
                           "gives an attacker a known name without creating an account", r->name, rid_of(r->sid));
        else if (r->why_high)
            gl_fb_severity(&fb, GL_SEV_HIGH, "within %" PRIu64 " days of being enabled it was used: %s", c->window / (86400 * FT_SECOND),
                           r->why_high);
        else
            gl_fb_severity(&fb, GL_SEV_MEDIUM, "a disabled or dormant account enabled again: routine for a returning "
                           "employee, suspicious when nobody asked for it; no use of it followed within the window");
        if (first)
            gl_fb_title(&fb, "Account %s re-enabled by %s", r->name, first->subject);
        else
            gl_fb_title(&fb, "Account %s enabled in the SAM", r->name);
        gl_fb_subject(&fb, "%s", r->sid);
        gl_fb_time_filetime(&fb, first ? first->time : r->sam_time);
        if (first)
            gl_fb_evidence(&fb, first->artifact, "%s", first->locator);
        for (size_t i = 0; i < r->n_follow; i++)
            gl_fb_evidence(&fb, r->f[i].artifact, "%s", r->f[i].locator);
        if (r->sam_artifact)
            gl_fb_evidence(&fb, r->sam_artifact, "%s", r->sam_locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "account", r->name);
        gl_json_kv_str(d, "sid", r->sid);
        if (first) {
            gl_json_kv_str(d, "enabled_by", first->subject);
            gl_json_kv_uint(d, "enable_events", r->n_enables);
        }
        if (r->sam_why)
            gl_json_kv_str(d, "sam", r->sam_why);
        gl_json_key(d, "then");
        gl_json_arr_begin(d);
        for (size_t i = 0; i < r->n_follow; i++) {
            char iso[GL_TIME_STRLEN] = "";
            gl_filetime_iso(r->f[i].time, 7, iso);
            gl_json_obj_begin(d);
            gl_json_kv_str(d, "time", iso);
            gl_json_kv_str(d, "what", r->f[i].what);
            gl_json_obj_end(d);
        }
        gl_json_arr_end(d);
        if (r->more_follow)
            gl_json_kv_uint(d, "then_omitted", r->more_follow);
        gl_fb_emit(&fb);
    }
}

/* The first privileged group add of the account created by e. */
static acct_ev *privileged_add_after(acct_ctx *c, const acct_ev *e)
{
    for (size_t i = 0; i < c->n; i++) {
        acct_ev *g = &c->evs[i];
        if (is_group_add(g->id) && !strcmp(g->member_sid, e->target_sid) && g->time >= e->time &&
            privileged_group(c, g->target_sid, g->target))
            return g;
    }
    return NULL;
}

static void report_created_privileged(acct_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        acct_ev *e = &c->evs[i];
        acct_ev *g = e->id == 4720 ? privileged_add_after(c, e) : NULL;
        if (!g)
            continue;
        g->reported = true;
        gl_fb fb;
        gl_fb_start(&fb, c->run, "accounts.created_privileged");
        if (e->setup)
            gl_fb_severity(&fb, GL_SEV_LOW, "created by SYSTEM during Windows setup (within its first hour): the first "
                           "accounts of every install look like this");
        else
            gl_fb_severity(&fb, GL_SEV_HIGH, "a new account given %s by %s: a standard way to keep administrative "
                           "access; legitimate only as a documented administrator onboarding", g->target, g->subject);
        gl_fb_title(&fb, "Account %s created by %s and added to %s", e->target, e->subject, g->target);
        gl_fb_subject(&fb, "%s|%s", e->target_sid, g->target_sid);
        gl_fb_time_filetime(&fb, e->time);
        gl_fb_evidence(&fb, e->artifact, "%s", e->locator);
        gl_fb_evidence(&fb, g->artifact, "%s", g->locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "account", e->target);
        gl_json_kv_str(d, "sid", e->target_sid);
        gl_json_kv_str(d, "group", g->target);
        gl_json_kv_str(d, "created_by", e->subject);
        gl_json_kv_str(d, "added_by", g->subject);
        gl_json_kv_bool(d, "windows_setup", e->setup);
        gl_fb_emit(&fb);
    }
}

/* Members whose presence in a privileged group is never routine. */
static const char *alarming_member(const char *sid)
{
    if (!strcmp(sid, "S-1-5-18") || !strcmp(sid, "S-1-5-19") || !strcmp(sid, "S-1-5-20"))
        return "a service identity";
    if (!strncmp(sid, "S-1-5-21-", 9) && !strcmp(rid_of(sid), "501"))
        return "the Guest account";
    return NULL;
}

static bool domain_admin_group(const char *sid)
{
    const char *rid = rid_of(sid);
    return !strncmp(sid, "S-1-5-21-", 9) && (!strcmp(rid, "512") || !strcmp(rid, "518") || !strcmp(rid, "519"));
}

static void report_group_adds(acct_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        acct_ev *g = &c->evs[i];
        if (!is_group_add(g->id) || g->reported || !privileged_group(c, g->target_sid, g->target))
            continue;
        const char *member = name_of(c, g->member_sid), *alarm = alarming_member(g->member_sid);
        if (member == g->member_sid && *g->member_name)
            member = g->member_name;
        gl_fb fb;
        gl_fb_start(&fb, c->run, "accounts.privileged_group_added");
        if (g->setup)
            gl_fb_severity(&fb, GL_SEV_LOW, "done by SYSTEM during Windows setup (within its first hour)");
        else if (alarm)
            gl_fb_severity(&fb, GL_SEV_HIGH, "%s in %s is never a legitimate configuration", alarm, g->target);
        else if (domain_admin_group(g->target_sid))
            gl_fb_severity(&fb, GL_SEV_HIGH, "%s controls the whole domain; additions are rare and planned", g->target);
        else
            gl_fb_severity(&fb, GL_SEV_MEDIUM, "privileges granted by %s: routine when an administrator onboards "
                           "someone, suspicious from an unexpected account or at an odd time", g->subject);
        gl_fb_title(&fb, "%s added to %s by %s", member, g->target, g->subject);
        gl_fb_subject(&fb, "%s|%s|%s", g->member_sid, g->target_sid, g->locator);
        gl_fb_time_filetime(&fb, g->time);
        gl_fb_evidence(&fb, g->artifact, "%s", g->locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "member_sid", g->member_sid);
        gl_json_kv_str(d, "group", g->target);
        gl_json_kv_str(d, "group_sid", g->target_sid);
        gl_json_kv_str(d, "by", g->subject);
        gl_fb_emit(&fb);
    }
}

static void report_resets(acct_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const acct_ev *e = &c->evs[i];
        if (e->id != 4724 || e->setup || !strcmp(e->subject_sid, e->target_sid) || !priv_member(c, e->target_sid, e->time) ||
            part_of_creation(c, e))
            continue;
        gl_fb fb;
        gl_fb_start(&fb, c->run, "accounts.privileged_password_reset");
        gl_fb_severity(&fb, GL_SEV_MEDIUM, "the password of a privileged account set by someone else: help-desk "
                       "resets happen, but this is also how a taken-over admin account is claimed");
        gl_fb_title(&fb, "Password of %s reset by %s", e->target, e->subject);
        gl_fb_subject(&fb, "%s|%s", e->target_sid, e->locator);
        gl_fb_time_filetime(&fb, e->time);
        gl_fb_evidence(&fb, e->artifact, "%s", e->locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "account", e->target);
        gl_json_kv_str(d, "sid", e->target_sid);
        gl_json_kv_str(d, "by", e->subject);
        gl_fb_emit(&fb);
    }
}

/* ---- when Windows setup ran ---- */

/* The end of Windows setup's first hour: after the install date (SOFTWARE
 * InstallDate) and after the first record of a Security log that still
 * starts at its first records. 0 when neither is known. */
static uint64_t setup_end(acct_ctx *c)
{
    uint64_t end = 0;
    gl_err err = {0};
    const gl_evtx_file *files;
    size_t n = gl_events_files(c->run, &files, &err);
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(files[i].channel, "Security") && files[i].first_time &&
            files[i].first_record_id <= SETUP_LOG_START && files[i].first_time + FT_HOUR > end)
            end = files[i].first_time + FT_HOUR;
    gl_regview *rv = gl_run_regview(c->run);
    gl_regkey k;
    uint32_t install;
    if (rv && gl_regview_find_key(rv, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", &k, &err) ==
                  GL_LOOKUP_FOUND &&
        gl_regkey_get_dword(k, "InstallDate", &install, &err) == GL_LOOKUP_FOUND) {
        uint64_t ft = (uint64_t)install * FT_SECOND + UINT64_C(116444736000000000) + FT_HOUR;
        if (ft > end)
            end = ft;
    }
    return end;
}

/* ---- the module ---- */

static void free_ctx(acct_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        ev_free(&c->evs[i]);
    free(c->evs);
    for (size_t k = 0; k < c->nr; k++) {
        reactivated *r = &c->r[k];
        for (size_t i = 0; i < r->n_follow; i++) {
            free(r->f[i].what);
            free(r->f[i].artifact);
            free(r->f[i].locator);
        }
        free(r->sid);
        free(r->name);
        free(r->why_high);
        free(r->sam_artifact);
        free(r->sam_locator);
        free(r->sam_why);
    }
    free(c->r);
    for (size_t i = 0; i < c->n_priv; i++)
        free(c->priv_members[i]);
    free(c->priv_members);
    free(c->machine_sid);
}

static int accounts_run(gl_run *run, gl_err *err)
{
    acct_ctx c = {.run = run,
                  .priv = gl_run_state(run),
                  .window = (uint64_t)gl_run_setting_seconds(run, "window", 7 * 86400) * FT_SECOND,
                  .dormant = (uint64_t)gl_run_setting_seconds(run, "dormant", 90 * 86400) * FT_SECOND};
    c.setup_end = setup_end(&c);
    read_sam(&c);
    pass1 p1 = {.c = &c};
    int rc = gl_events_each(run, "Security", on_management, &p1, err);
    free(p1.deleted_dn);
    free(p1.deleted_op);
    if (rc != 0) {
        free_ctx(&c);
        return -1;
    }
    find_reactivations(&c);
    pass2 p2 = {.c = &c};
    if (gl_events_each(run, "Security", on_logon, &p2, err) != 0 ||
        gl_events_each(run, "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational", on_rdp, &p2, err) != 0 ||
        gl_events_each(run, "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational", on_rdp, &p2, err) != 0) {
        report_external(&c, &p2);
        free_ctx(&c);
        return -1;
    }
    report_reactivated(&c);
    report_created_privileged(&c);
    report_group_adds(&c);
    report_resets(&c);
    report_external(&c, &p2);
    if (c.dropped)
        gl_run_error(run, "more than %d account events: %" PRIu64 " not correlated", MAX_EVENTS, c.dropped);
    free_ctx(&c);
    return 0;
}

static int accounts_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    gl_wordlist *wl = gl_xcalloc(1, sizeof *wl);
    *state = wl;
    return gl_wordlist_embedded(wl, "accounts/privileged-groups.txt", err);
}

static void accounts_fini(void *state)
{
    if (!state)
        return;
    gl_wordlist_free(state);
    free(state);
}

const gl_module gl_module_accounts = {
    .name = "accounts",
    .description = "reactivated accounts, privileged group changes, password resets and RDP logons (Security log, SAM)",
    .needs = GL_NEEDS_EVTX | GL_NEEDS_REGISTRY,
    .settings = accounts_settings,
    .rules = accounts_rules,
    .events = accounts_events,
    .init = accounts_init,
    .fini = accounts_fini,
    .run = accounts_run,
};

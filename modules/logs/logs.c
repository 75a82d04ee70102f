/* logs: event-log tampering. Muddled Libra clears logs and stops logging
 * (artifacts.md §6.4). This module reads the clearing events (Security
 * 1102, System 104), the EventLog service's stops, starts and start-type
 * changes (Security 1100/4608, System 6005/6006/6009/7036/7040, Kernel-
 * General 12), audit policy changes (4719; 4907 object SACL changes are
 * routine and ignored), the channel configuration in the registry, and
 * what the EVTX parser saw of each log (EventRecordID gaps, records
 * recovered from damaged chunks or slack, a log that starts far above
 * record 1). Severity: a Security clear or a mass clear of channels is
 * high, a single channel clear medium, gaps and recovered records alone
 * low; a stop followed by a boot is an ordinary shutdown. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "events.h"
#include "finding.h"
#include "module.h"
#include "shared_checks.h"
#include "text.h"
#include "timeline.h"
#include "wordlist.h"

#define FT_SECOND 10000000ull
#define MAX_COLLECTED 200000   /* clears, stops, starts kept for correlation */
#define SHUTDOWN_CLUSTER 120   /* seconds: 1100, 6006 and 7036 of one shutdown */
#define BOOT_NEAR_START 300    /* seconds: a service start this close to a boot is the boot */
#define MAX_GAPS_LISTED 20
#define ONE_MIB (1024ull * 1024)

/* Audit policy change codes of 4719 AuditPolicyChanges (MSDOC event-4719). */
#define AUDIT_SUCCESS_REMOVED "%%8448"
#define AUDIT_FAILURE_REMOVED "%%8450"

static const gl_setting_decl logs_settings[] = {
    {"burst_min", GL_SETTING_UINT, "5", "channels cleared in one session that make a mass clear (high)"},
    {"burst_window", GL_SETTING_DURATION, "5m", "104 events closer than this belong to one clearing session"},
    {"min_log_size", GL_SETTING_SIZE, "1M", "a watched log configured smaller than this is a finding"},
    {0},
};

static const gl_rule_decl logs_rules[] = {
    {"logs.security_cleared", GL_SEV_HIGH, "T1070.001 T1685.005", "Security audit log cleared"},
    {"logs.channels_cleared", GL_SEV_MEDIUM, "T1070.001 T1685.005", "Event logs cleared"},
    {"logs.service_stopped", GL_SEV_MEDIUM, "T1562.002 T1685.001", "Event logging service stopped"},
    {"logs.service_disabled", GL_SEV_HIGH, "T1562.002 T1685.001", "Event logging service disabled"},
    {"logs.audit_policy_weakened", GL_SEV_MEDIUM, "T1562.002 T1685.001", "Audit policy weakened"},
    {"logs.channel_disabled", GL_SEV_MEDIUM, "T1562.002 T1562.006 T1685.001 T1685",
     "Event-log channel disabled in the registry"},
    {"logs.log_shrunk", GL_SEV_MEDIUM, "T1562.002 T1685.001", "Event log configured too small to keep evidence"},
    {"logs.record_gap", GL_SEV_LOW, "T1070.001 T1685.005", "EventRecordIDs missing inside a log"},
    {"logs.records_recovered", GL_SEV_LOW, "T1070.001 T1685.005", "Event records recovered from damaged chunks or slack"},
    {"logs.log_restarted", GL_SEV_LOW, "T1070.001 T1685.005", "Event log starts far above record 1"},
    {0},
};

static const gl_event_sub logs_events[] = {
    {"Security", {1102, 1100, 4608, 4719}, 4},
    {"System", {104, 6005, 6006, 6009, 7036, 7040, 12}, 7},
    {"*", {0}, 0}, /* every other log too: its extent, gaps and damage */
    {0},
};

typedef struct logs_state {
    gl_wordlist watched;
} logs_state;

/* One fact kept for correlation: when, what, and where it is. */
typedef enum fact_kind { FACT_STOP, FACT_START, FACT_BOOT } fact_kind;
typedef struct fact {
    uint64_t time;
    fact_kind kind;
    bool by_scm; /* a 7036: the service control manager logs no stops during shutdown */
    char *channel, *artifact, *locator, *what;
} fact;

typedef struct clear_ev {
    uint64_t time;
    char *channel, *user, *domain, *artifact, *locator;
} clear_ev;

typedef struct start_change {
    uint64_t time;
    bool disabled; /* new start type is "disabled" */
    char *from, *to, *artifact, *locator;
} start_change;

typedef struct logs_ctx {
    gl_run *run;
    logs_state *st;
    fact *facts;
    size_t n_facts, cap_facts;
    clear_ev *clears;
    size_t n_clears, cap_clears;
    start_change *changes;
    size_t n_changes, cap_changes;
    uint64_t dropped;
} logs_ctx;

static void add_fact(logs_ctx *c, const gl_event *ev, fact_kind kind, const char *what)
{
    if (c->n_facts >= MAX_COLLECTED || !ev->time) {
        c->dropped++;
        return;
    }
    c->facts = gl_grow_array(c->facts, &c->cap_facts, c->n_facts, sizeof *c->facts);
    c->facts[c->n_facts++] = (fact){ev->time,
                                     kind,
                                     ev->event_id == 7036,
                                     gl_xstrdup(ev->channel),
                                     gl_xstrdup(ev->artifact ? ev->artifact : ""),
                                     gl_xstrdup(ev->locator),
                                     gl_xstrdup(what)};
}

/* ---- records and timeline ------------------------------------------------------ */

static void event_record(logs_ctx *c, const gl_event *ev, const char *type, const char *subject, const char *detail)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", type);
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_str(&j, "channel", ev->channel);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    gl_json_kv_str(&j, "subject", subject);
    if (detail)
        gl_json_kv_str(&j, "detail", detail);
    gl_json_kv_str(&j, "user", gl_event_text(ev, "SubjectUserName"));
    gl_json_kv_str(&j, "domain", gl_event_text(ev, "SubjectDomainName"));
    gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

static void timeline(logs_ctx *c, const gl_event *ev, const char *kind, const char *subject)
{
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, kind, ev->time, subject, ev->artifact, ev->locator);
    gl_json_kv_uint(d, "event_id", ev->event_id);
    const char *user = gl_event_text(ev, "SubjectUserName");
    if (*user)
        gl_json_kv_str(d, "user", user);
    gl_tl_end(&t);
}

static void who(const gl_event *ev, char *out, size_t n)
{
    const char *user = gl_event_text(ev, "SubjectUserName"), *dom = gl_event_text(ev, "SubjectDomainName");
    if (!*user)
        snprintf(out, n, "an unknown account%s%s", *ev->user_sid ? " " : "", ev->user_sid);
    else if (*dom)
        snprintf(out, n, "%s\\%s", dom, user);
    else
        snprintf(out, n, "%s", user);
}

/* ---- Security ------------------------------------------------------------------ */

static void security_cleared(logs_ctx *c, const gl_event *ev)
{
    char by[300];
    who(ev, by, sizeof by);
    event_record(c, ev, "cleared", "Security", by);
    timeline(c, ev, "log.cleared", "Security");
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.security_cleared");
    gl_fb_severity(&fb, GL_SEV_HIGH,
                   "clearing the Security log destroys the audit trail; administrators rarely do it and the "
                   "actor does it to hide its logons and changes");
    gl_fb_title(&fb, "Security audit log cleared by %s", by);
    gl_fb_subject(&fb, "Security@%s", ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "user", gl_event_text(ev, "SubjectUserName"));
    gl_json_kv_str(d, "domain", gl_event_text(ev, "SubjectDomainName"));
    gl_json_kv_str(d, "user_sid", gl_event_text(ev, "SubjectUserSid"));
    gl_json_kv_str(d, "logon_id", gl_event_text(ev, "SubjectLogonId"));
    gl_json_kv_uint(d, "event_record_id", ev->record_id);
    gl_fb_emit(&fb);
}

static void audit_policy(logs_ctx *c, const gl_event *ev)
{
    const char *changes = gl_event_text(ev, "AuditPolicyChanges");
    const char *sub = gl_event_text(ev, "SubcategoryGuid");
    bool removed = strstr(changes, AUDIT_SUCCESS_REMOVED) || strstr(changes, AUDIT_FAILURE_REMOVED);
    event_record(c, ev, "audit_policy", sub, changes);
    timeline(c, ev, "log.audit_policy_changed", sub);
    if (!removed)
        return; /* auditing added: recorded, not a finding */
    char by[300];
    who(ev, by, sizeof by);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.audit_policy_weakened");
    gl_fb_severity(&fb, GL_SEV_MEDIUM,
                   "success or failure auditing was removed from a subcategory, so matching activity is no "
                   "longer logged; policy refreshes can also do this, so it is not high on its own");
    gl_fb_title(&fb, "Audit policy weakened by %s (subcategory %s)", by, sub);
    gl_fb_subject(&fb, "%s@%s", sub, ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "subcategory_guid", sub);
    gl_json_kv_str(d, "category_id", gl_event_text(ev, "CategoryId"));
    gl_json_kv_str(d, "subcategory_id", gl_event_text(ev, "SubcategoryId"));
    gl_json_kv_str(d, "changes", changes);
    gl_json_kv_str(d, "user", gl_event_text(ev, "SubjectUserName"));
    gl_fb_emit(&fb);
}

static int on_security(void *ctx, const gl_event *ev)
{
    logs_ctx *c = ctx;
    switch (ev->event_id) {
    case 1102: security_cleared(c, ev); break;
    case 1100:
        add_fact(c, ev, FACT_STOP, "Security 1100: the event logging service shut down");
        timeline(c, ev, "log.service_stopped", "Security");
        break;
    case 4608:
        add_fact(c, ev, FACT_BOOT, "Security 4608: Windows is starting up");
        timeline(c, ev, "system.boot", "Security");
        break;
    case 4719: audit_policy(c, ev); break;
    default: break;
    }
    return 0;
}

/* ---- System ----------------------------------------------------------------- */

/* 7036/7040 name the service by display name (localised) and, on newer
 * builds, carry its key name (gl_scm_event_is_service). */
static bool is_eventlog_service(const gl_event *ev)
{
    static const char *const names[] = {"Windows Event Log", "Event Log", NULL};
    return gl_scm_event_is_service(ev, "EventLog", names);
}

static void system_cleared(logs_ctx *c, const gl_event *ev)
{
    if (c->n_clears >= MAX_COLLECTED) {
        c->dropped++;
        return;
    }
    const char *channel = gl_event_text(ev, "Channel");
    event_record(c, ev, "cleared", channel, gl_event_text(ev, "SubjectUserName"));
    timeline(c, ev, "log.cleared", channel);
    c->clears = gl_grow_array(c->clears, &c->cap_clears, c->n_clears, sizeof *c->clears);
    c->clears[c->n_clears++] =
        (clear_ev){ev->time, gl_xstrdup(*channel ? channel : "(unnamed)"), gl_xstrdup(gl_event_text(ev, "SubjectUserName")),
                   gl_xstrdup(gl_event_text(ev, "SubjectDomainName")), gl_xstrdup(ev->artifact ? ev->artifact : ""),
                   gl_xstrdup(ev->locator)};
}

static void start_type_changed(logs_ctx *c, const gl_event *ev)
{
    if (!is_eventlog_service(ev) || c->n_changes >= MAX_COLLECTED)
        return;
    const char *from = gl_event_text(ev, "param2"), *to = gl_event_text(ev, "param3");
    char what[200];
    snprintf(what, sizeof what, "%s -> %s", from, to);
    event_record(c, ev, "start_type", "EventLog", what);
    bool disabled = !strcasecmp(to, "disabled");
    if (disabled)
        timeline(c, ev, "log.service_disabled", "EventLog");
    c->changes = gl_grow_array(c->changes, &c->cap_changes, c->n_changes, sizeof *c->changes);
    c->changes[c->n_changes++] = (start_change){ev->time, disabled, gl_xstrdup(from), gl_xstrdup(to),
                                                gl_xstrdup(ev->artifact ? ev->artifact : ""), gl_xstrdup(ev->locator)};
}

static int on_system(void *ctx, const gl_event *ev)
{
    logs_ctx *c = ctx;
    switch (ev->event_id) {
    case 104:
        if (!strcasecmp(ev->provider, "Microsoft-Windows-Eventlog"))
            system_cleared(c, ev);
        break;
    case 6005: add_fact(c, ev, FACT_START, "System 6005: the event log service was started"); break;
    case 6006:
        add_fact(c, ev, FACT_STOP, "System 6006: the event log service was stopped");
        timeline(c, ev, "log.service_stopped", "System");
        break;
    case 6009:
        add_fact(c, ev, FACT_BOOT, "System 6009: operating system version at boot");
        timeline(c, ev, "system.boot", "System");
        break;
    case 12:
        if (!strcasecmp(ev->provider, "Microsoft-Windows-Kernel-General")) {
            add_fact(c, ev, FACT_BOOT, "System 12: the operating system started");
            timeline(c, ev, "system.boot", "System");
        }
        break;
    case 7036:
        if (is_eventlog_service(ev)) {
            const char *state = gl_event_text(ev, "param2");
            if (!strcasecmp(state, "stopped")) {
                add_fact(c, ev, FACT_STOP, "System 7036: the Windows Event Log service entered the stopped state");
                timeline(c, ev, "log.service_stopped", "System");
            } else if (!strcasecmp(state, "running")) {
                add_fact(c, ev, FACT_START, "System 7036: the Windows Event Log service entered the running state");
            }
        }
        break;
    case 7040: start_type_changed(c, ev); break;
    default: break;
    }
    return 0;
}

/* ---- clearing sessions (104) ------------------------------------------------------ */

static int cmp_clear(const void *a, const void *b)
{
    const clear_ev *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time;
}

static bool listed(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(names[i], name))
            return true;
    return false;
}

static void clearing_session(logs_ctx *c, size_t from, size_t to, uint64_t burst_min)
{
    char **channels = gl_xmalloc((to - from) * sizeof *channels);
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        if (!listed(channels, n, c->clears[i].channel))
            channels[n++] = c->clears[i].channel;
    const clear_ev *first = &c->clears[from], *last = &c->clears[to - 1];
    uint64_t secs = (last->time - first->time + FT_SECOND / 2) / FT_SECOND;
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.channels_cleared");
    if (n >= burst_min)
        gl_fb_severity(&fb, GL_SEV_HIGH,
                       "%zu channels cleared within %" PRIu64 " s: a mass clear is a script wiping evidence, not "
                       "maintenance (threshold %" PRIu64 " channels, setting logs.burst_min)",
                       n, secs, burst_min);
    else
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "%zu channel%s cleared: clearing destroys evidence, but fewer than %" PRIu64
                       " channels at once can be an administrator's doing",
                       n, n == 1 ? "" : "s", burst_min);
    if (n == 1)
        gl_fb_title(&fb, "Event log %s cleared by %s%s%s", channels[0], *first->domain ? first->domain : "",
                    *first->domain ? "\\" : "", first->user);
    else
        gl_fb_title(&fb, "%zu event logs cleared by %s%s%s within %" PRIu64 " s", n,
                    *first->domain ? first->domain : "", *first->domain ? "\\" : "", first->user, secs);
    gl_fb_subject(&fb, "104@%" PRIu64, first->time);
    gl_fb_time_filetime(&fb, first->time);
    for (size_t i = from; i < to; i++)
        gl_fb_evidence(&fb, c->clears[i].artifact, "%s", c->clears[i].locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "user", first->user);
    gl_json_kv_str(d, "domain", first->domain);
    gl_json_kv_uint(d, "events", to - from);
    gl_json_kv_uint(d, "seconds", secs);
    gl_json_key(d, "channels");
    gl_json_arr_begin(d);
    for (size_t i = 0; i < n; i++)
        gl_json_str(d, channels[i]);
    gl_json_arr_end(d);
    char end[GL_TIME_STRLEN];
    if (gl_filetime_iso(last->time, 7, end))
        gl_json_kv_str(d, "last_time", end);
    gl_fb_emit(&fb);
    free(channels);
}

/* 104s of one account closer than the window make one session. */
static void report_clears(logs_ctx *c)
{
    uint64_t burst_min = gl_run_setting_uint(c->run, "burst_min", 5);
    uint64_t window = (uint64_t)gl_run_setting_seconds(c->run, "burst_window", 300) * FT_SECOND;
    if (c->n_clears)
        qsort(c->clears, c->n_clears, sizeof *c->clears, cmp_clear);
    size_t start = 0;
    for (size_t i = 1; i <= c->n_clears; i++) {
        bool split = i == c->n_clears || c->clears[i].time - c->clears[i - 1].time > window ||
                     strcasecmp(c->clears[i].user, c->clears[start].user);
        if (split) {
            clearing_session(c, start, i, burst_min);
            start = i;
        }
    }
}

/* ---- service stops ------------------------------------------------------------- */

static int cmp_fact(const void *a, const void *b)
{
    const fact *x = a, *y = b;
    return x->time < y->time ? -1 : x->time > y->time;
}

/* Is there a boot within BOOT_NEAR_START of t? */
static bool boot_near(const logs_ctx *c, uint64_t t)
{
    uint64_t w = BOOT_NEAR_START * FT_SECOND;
    for (size_t i = 0; i < c->n_facts; i++)
        if (c->facts[i].kind == FACT_BOOT && c->facts[i].time + w >= t && c->facts[i].time <= t + w)
            return true;
    return false;
}

typedef enum stop_kind { STOP_RESTARTED, STOP_DELIBERATE, STOP_LAST_SHUTDOWN } stop_kind;

static void stop_finding(logs_ctx *c, size_t from, size_t to, const fact *next, stop_kind kind)
{
    const fact *first = &c->facts[from];
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.service_stopped");
    char when[GL_TIME_STRLEN] = "";
    switch (kind) {
    case STOP_RESTARTED:
        gl_filetime_iso(next->time, 0, when);
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "the service was stopped and started again at %s with no boot in between: logging was "
                       "interrupted on purpose, not by a shutdown",
                       when);
        gl_fb_title(&fb, "Event logging stopped and restarted without a reboot");
        break;
    case STOP_DELIBERATE:
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "the service was stopped on its own (the service control manager logged it, which it does "
                       "not during a shutdown, or its start type had just been set to disabled) and no start or "
                       "boot follows: logging stayed off");
        gl_fb_title(&fb, "Event logging stopped and not restarted");
        break;
    case STOP_LAST_SHUTDOWN:
        gl_fb_severity(&fb, GL_SEV_LOW,
                       "a shutdown sequence with no start or boot after it in the logs read: usually the host's "
                       "last shutdown before an image was taken, but logging may also have stayed off");
        gl_fb_title(&fb, "Event logging stopped with no restart recorded");
        break;
    }
    gl_fb_subject(&fb, "stop@%" PRIu64, first->time);
    gl_fb_time_filetime(&fb, first->time);
    for (size_t i = from; i < to; i++)
        gl_fb_evidence(&fb, c->facts[i].artifact, "%s", c->facts[i].locator);
    if (next)
        gl_fb_evidence(&fb, next->artifact, "%s", next->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_key(d, "events");
    gl_json_arr_begin(d);
    for (size_t i = from; i < to; i++)
        gl_json_str(d, c->facts[i].what);
    if (next)
        gl_json_str(d, next->what);
    gl_json_arr_end(d);
    gl_fb_emit(&fb);
}

/* Was the EventLog service set to disabled shortly before t? */
static bool disabled_before(const logs_ctx *c, uint64_t t)
{
    for (size_t i = 0; i < c->n_changes; i++)
        if (c->changes[i].disabled && c->changes[i].time <= t &&
            t - c->changes[i].time <= SHUTDOWN_CLUSTER * 5 * FT_SECOND)
            return true;
    return false;
}

/* A stop (1100, 6006, 7036 stopped; those of one shutdown clustered) is
 * ordinary when a boot follows. Restarted without a boot, or stopped on
 * its own and never restarted, it is medium; a shutdown sequence that
 * nothing follows is the last shutdown before the evidence was taken. */
static void report_stops(logs_ctx *c)
{
    if (c->n_facts)
        qsort(c->facts, c->n_facts, sizeof *c->facts, cmp_fact);
    for (size_t i = 0; i < c->n_facts;) {
        if (c->facts[i].kind != FACT_STOP) {
            i++;
            continue;
        }
        size_t end = i + 1;
        bool by_scm = c->facts[i].by_scm;
        while (end < c->n_facts && c->facts[end].kind == FACT_STOP &&
               c->facts[end].time - c->facts[end - 1].time <= SHUTDOWN_CLUSTER * FT_SECOND)
            by_scm |= c->facts[end++].by_scm;
        const fact *next = NULL;
        for (size_t k = end; k < c->n_facts && !next; k++)
            if (c->facts[k].kind != FACT_STOP)
                next = &c->facts[k];
        if (next && next->kind == FACT_START && !boot_near(c, next->time))
            stop_finding(c, i, end, next, STOP_RESTARTED);
        else if (!next)
            stop_finding(c, i, end, NULL,
                         by_scm || disabled_before(c, c->facts[i].time) ? STOP_DELIBERATE : STOP_LAST_SHUTDOWN);
        i = end;
    }
}

/* ---- start type ------------------------------------------------------------------ */

static void report_start_changes(logs_ctx *c)
{
    for (size_t i = 0; i < c->n_changes; i++) {
        const start_change *ch = &c->changes[i];
        if (!ch->disabled)
            continue;
        const start_change *back = NULL;
        for (size_t k = i + 1; k < c->n_changes && !back; k++)
            if (!c->changes[k].disabled && c->changes[k].time >= ch->time)
                back = &c->changes[k];
        gl_fb fb;
        gl_fb_start(&fb, c->run, "logs.service_disabled");
        char when[GL_TIME_STRLEN] = "";
        if (back) {
            gl_filetime_iso(back->time, 0, when);
            gl_fb_severity(&fb, GL_SEV_MEDIUM,
                           "the EventLog service was set to disabled and set back to '%s' at %s: logging was "
                           "off for that window",
                           back->to, when);
        } else {
            gl_fb_severity(&fb, GL_SEV_HIGH,
                           "the EventLog service was set to disabled and no later change re-enabled it: no event "
                           "log is written after the next stop");
        }
        gl_fb_title(&fb, "Event logging service start type changed from %s to disabled", ch->from);
        gl_fb_subject(&fb, "EventLog start@%" PRIu64, ch->time);
        gl_fb_time_filetime(&fb, ch->time);
        gl_fb_evidence(&fb, ch->artifact, "%s", ch->locator);
        if (back)
            gl_fb_evidence(&fb, back->artifact, "%s", back->locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "from", ch->from);
        gl_json_kv_bool(d, "re_enabled", back != NULL);
        if (back)
            gl_json_kv_str(d, "re_enabled_at", when);
        gl_fb_emit(&fb);
    }
}

/* ---- registry: service and channel configuration ----------------------------------- */

static void config_record(logs_ctx *c, gl_regkey k, const char *channel, const char *what, uint64_t value)
{
    gl_buf loc = {0}, line = {0};
    gl_regkey_locator(k, &loc);
    char iso[GL_TIME_STRLEN] = "";
    gl_filetime_iso(gl_regkey_last_write(k), 7, iso);
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "channel_config");
    gl_json_kv_str(&j, "channel", channel);
    gl_json_kv_str(&j, "setting", what);
    gl_json_kv_uint(&j, "value", value);
    gl_json_kv_str(&j, "key", gl_buf_cstr(&loc));
    gl_json_kv_str(&j, "key_last_write", iso);
    gl_json_kv_str(&j, "artifact", gl_regkey_artifact(k));
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

static void config_finding(logs_ctx *c, gl_regkey k, const char *rule, const char *value_name, const char *channel,
                           const char *title, const char *why, uint64_t value)
{
    gl_buf loc = {0};
    gl_regkey_locator(k, &loc);
    gl_fb fb;
    gl_fb_start(&fb, c->run, rule);
    gl_fb_severity(&fb, GL_SEV_MEDIUM, "%s", why);
    gl_fb_title(&fb, "%s", title);
    gl_fb_subject(&fb, "%s:%s", channel, value_name);
    gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
    gl_fb_evidence(&fb, gl_regkey_artifact(k), "%s\\%s", gl_buf_cstr(&loc), value_name);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "channel", channel);
    gl_json_kv_str(d, "value", value_name);
    gl_json_kv_uint(d, "data", value);
    gl_json_kv_str(d, "time_is", "the key's last-written time: the change happened at or before it");
    gl_fb_emit(&fb);
    gl_buf_free(&loc);
}

static void check_size(logs_ctx *c, gl_regkey k, const char *channel, const char *value, uint64_t unit)
{
    gl_err err = {0};
    uint32_t v;
    gl_lookup r = gl_regkey_get_dword(k, value, &v, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND)
        return;
    uint64_t bytes = (uint64_t)v * unit;
    config_record(c, k, channel, value, bytes);
    uint64_t min = gl_run_setting_size(c->run, "min_log_size", ONE_MIB);
    if (bytes >= min)
        return;
    char title[512], why[512];
    snprintf(title, sizeof title, "Event log %s limited to %" PRIu64 " bytes", channel, bytes);
    snprintf(why, sizeof why,
             "a log this small (under %" PRIu64 " bytes, setting logs.min_log_size) overwrites its records within "
             "minutes, destroying evidence; Windows' own defaults are 1 MiB and more",
             min);
    config_finding(c, k, "logs.log_shrunk", value, channel, title, why, bytes);
}

static void check_channel(logs_ctx *c, gl_regview *rv, const char *channel)
{
    gl_buf path = {0};
    gl_buf_printf(&path, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Channels\\%s", channel);
    gl_err err = {0};
    gl_regkey k;
    gl_lookup r = gl_regview_find_key(rv, path.data, &k, &err);
    gl_buf_free(&path);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND)
        return;
    uint32_t enabled;
    r = gl_regkey_get_dword(k, "Enabled", &enabled, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r == GL_LOOKUP_FOUND) {
        config_record(c, k, channel, "Enabled", enabled);
        if (enabled == 0) {
            char title[512];
            snprintf(title, sizeof title, "Event-log channel %s disabled", channel);
            config_finding(c, k, "logs.channel_disabled", "Enabled", channel, title,
                           "Windows keeps this channel enabled by default and it records what an intruder does; "
                           "switching it off blinds the responders",
                           enabled);
        }
    }
    check_size(c, k, channel, "MaxSize", 1);
}

/* Classic logs (Security, System, Application, Windows PowerShell) keep
 * their size under the EventLog service key (bytes) and in policy (KiB). */
static void check_classic(logs_ctx *c, gl_regview *rv, const char *channel)
{
    static const struct {
        const char *fmt;
        uint64_t unit;
    } places[] = {
        {"HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\%s", 1},
        {"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\%s", 1024},
    };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        gl_buf path = {0};
        gl_buf_printf(&path, places[i].fmt, channel);
        gl_err err = {0};
        gl_regkey k;
        gl_lookup r = gl_regview_find_key(rv, path.data, &k, &err);
        gl_buf_free(&path);
        if (r == GL_LOOKUP_ERROR)
            gl_run_error(c->run, "%s", err.msg);
        if (r == GL_LOOKUP_FOUND)
            check_size(c, k, channel, "MaxSize", places[i].unit);
    }
}

static void check_service_start(logs_ctx *c, gl_regview *rv)
{
    gl_err err = {0};
    gl_regkey k;
    gl_lookup r = gl_regview_find_key(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog", &k, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND)
        return;
    uint32_t start;
    r = gl_regkey_get_dword(k, "Start", &start, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND || start != 4)
        return;
    gl_buf loc = {0};
    gl_regkey_locator(k, &loc);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.service_disabled");
    gl_fb_severity(&fb, GL_SEV_HIGH, "the registry sets the EventLog service to disabled (Start=4): Windows writes "
                                     "no event log at all from the next boot");
    gl_fb_title(&fb, "Event logging service disabled in the registry");
    gl_fb_subject(&fb, "EventLog Start");
    gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
    gl_fb_evidence(&fb, gl_regkey_artifact(k), "%s\\Start", gl_buf_cstr(&loc));
    gl_json_kv_uint(gl_fb_details(&fb), "start", start);
    gl_fb_emit(&fb);
    gl_buf_free(&loc);
}

static void check_registry(logs_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    check_service_start(c, rv);
    for (size_t i = 0; i < c->st->watched.n; i++) {
        const char *ch = c->st->watched.words[i];
        if (strchr(ch, '/'))
            check_channel(c, rv, ch);
        else
            check_classic(c, rv, ch);
    }
}

/* ---- what the parser saw of each log -------------------------------------------- */

static void file_record(logs_ctx *c, const gl_evtx_file *f)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "log_file");
    gl_json_kv_str(&j, "path", f->path);
    gl_json_kv_str(&j, "artifact", f->artifact);
    gl_json_kv_str(&j, "channel", f->channel);
    gl_json_kv_bool(&j, "parsed", f->opened);
    gl_json_kv_uint(&j, "first_record_id", f->first_record_id);
    gl_json_kv_uint(&j, "last_record_id", f->last_record_id);
    char iso[GL_TIME_STRLEN];
    gl_json_kv_str(&j, "first_time", gl_filetime_iso(f->first_time, 7, iso) ? iso : NULL);
    gl_json_kv_str(&j, "last_time", gl_filetime_iso(f->last_time, 7, iso) ? iso : NULL);
    gl_json_kv_uint(&j, "records_live", f->stats.records_live + f->stats.records_filtered);
    gl_json_kv_uint(&j, "records_recovered", f->stats.recovered_any);
    gl_json_kv_uint(&j, "gaps", f->n_gaps);
    gl_json_kv_uint(&j, "errors", f->n_errors);
    gl_json_kv_bool(&j, "header_dirty", f->header.dirty);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

static void gap_finding(logs_ctx *c, const gl_evtx_file *f)
{
    uint64_t missing = 0;
    for (size_t i = 0; i < f->n_gaps; i++)
        missing += f->gaps[i].last_missing - f->gaps[i].first_missing + 1;
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.record_gap");
    gl_fb_severity(&fb, GL_SEV_LOW,
                   "%" PRIu64 " EventRecordIDs are missing between surviving records; records can be removed by "
                   "tools that edit logs, but damage and crashes also leave gaps, so alone this is low",
                   missing);
    gl_fb_title(&fb, "%" PRIu64 " EventRecordIDs missing in %zu gap%s in %s", missing, f->n_gaps,
                f->n_gaps == 1 ? "" : "s", f->channel);
    gl_fb_subject(&fb, "%s", f->path);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_uint(d, "missing_records", missing);
    gl_json_key(d, "gaps");
    gl_json_arr_begin(d);
    for (size_t i = 0; i < f->n_gaps && i < MAX_GAPS_LISTED; i++) {
        gl_json_obj_begin(d);
        gl_json_kv_uint(d, "first_missing", f->gaps[i].first_missing);
        gl_json_kv_uint(d, "last_missing", f->gaps[i].last_missing);
        gl_json_kv_uint(d, "chunk", f->gaps[i].chunk_index);
        gl_json_obj_end(d);
        gl_fb_evidence(&fb, f->artifact, "EventRecordID=%" PRIu64 "-%" PRIu64 " missing (before offset 0x%" PRIx64 ")",
                       f->gaps[i].first_missing, f->gaps[i].last_missing, f->gaps[i].file_offset);
    }
    gl_json_arr_end(d);
    gl_fb_emit(&fb);
}

static void recovered_finding(logs_ctx *c, const gl_evtx_file *f)
{
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.records_recovered");
    gl_fb_severity(&fb, GL_SEV_LOW,
                   "records outside the log's live range survive in slack or damaged chunks: a sign of clearing "
                   "or tampering, but also of ordinary wrap-around and crashes");
    gl_fb_title(&fb, "%" PRIu64 " event records recovered from damaged chunks or slack in %s", f->stats.recovered_any,
                f->channel);
    gl_fb_subject(&fb, "%s", f->path);
    gl_fb_evidence(&fb, f->artifact, "%" PRIu64 " recovered records (evtx dump marks them \"recovered\": true)",
                   f->stats.recovered_any);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_uint(d, "recovered_records", f->stats.recovered_any);
    gl_json_kv_uint(d, "chunks_bad_header", f->stats.chunks_bad_header);
    gl_json_kv_uint(d, "chunks_bad_data_crc", f->stats.chunks_bad_data_crc);
    gl_fb_emit(&fb);
}

/* Was this channel cleared (104, or 1102 for Security) before the log's
 * first surviving record? Then the clear finding already explains it. */
static bool cleared_before(const logs_ctx *c, const gl_evtx_file *f, const uint64_t *security_clears, size_t n_sec)
{
    for (size_t i = 0; i < c->n_clears; i++)
        if (!strcasecmp(c->clears[i].channel, f->channel) && c->clears[i].time <= f->first_time + 60 * FT_SECOND)
            return true;
    if (!strcasecmp(f->channel, "Security"))
        for (size_t i = 0; i < n_sec; i++)
            if (security_clears[i] <= f->first_time + 60 * FT_SECOND)
                return true;
    return false;
}

/* A log that starts far above record 1 lost its beginning. Unless the log
 * filled its file (then the oldest chunks were overwritten, as designed)
 * or the first record is the clearing event itself (reported above). */
static void restart_check(logs_ctx *c, const gl_evtx_file *f, const uint64_t *security_clears, size_t n_sec)
{
    if (!f->opened || f->first_record_id <= 1)
        return;
    bool wrapped = f->header.chunks_in_file >= 16 && f->header.chunk_count >= f->header.chunks_in_file;
    if (wrapped || cleared_before(c, f, security_clears, n_sec))
        return;
    char iso[GL_TIME_STRLEN] = "";
    gl_filetime_iso(f->first_time, 7, iso);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "logs.log_restarted");
    gl_fb_severity(&fb, GL_SEV_LOW,
                   "the log begins at record %" PRIu64 " although it never filled its file, so the records "
                   "before were cleared or lost; no clearing event survives to say who",
                   f->first_record_id);
    gl_fb_title(&fb, "%s log starts at EventRecordID %" PRIu64 " (%s)", f->channel, f->first_record_id, iso);
    gl_fb_subject(&fb, "%s", f->path);
    gl_fb_time_filetime(&fb, f->first_time);
    gl_fb_evidence(&fb, f->artifact, "EventRecordID=%" PRIu64, f->first_record_id);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_uint(d, "first_record_id", f->first_record_id);
    gl_json_kv_str(d, "first_time", iso);
    gl_json_kv_uint(d, "chunks_in_file", f->header.chunks_in_file);
    gl_fb_emit(&fb);
}

static void timeline_file_start(logs_ctx *c, const gl_evtx_file *f)
{
    char loc[64];
    snprintf(loc, sizeof loc, "EventRecordID=%" PRIu64, f->first_record_id);
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, "log.started", f->first_time, f->channel, f->artifact, loc);
    gl_json_kv_uint(d, "first_record_id", f->first_record_id);
    gl_tl_end(&t);
}

typedef struct sec_clears {
    uint64_t *times;
    size_t n, cap;
} sec_clears;

static int collect_security_clear(void *ctx, const gl_event *ev)
{
    sec_clears *s = ctx;
    if (ev->event_id == 1102 && s->n < MAX_COLLECTED) {
        s->times = gl_grow_array(s->times, &s->cap, s->n, sizeof *s->times);
        s->times[s->n++] = ev->time;
    }
    return 0;
}

static void check_files(logs_ctx *c)
{
    gl_err err = {0};
    const gl_evtx_file *files;
    size_t n = gl_events_files(c->run, &files, &err);
    sec_clears sc = {0};
    if (gl_events_each(c->run, "Security", collect_security_clear, &sc, &err) != 0)
        gl_run_error(c->run, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        const gl_evtx_file *f = &files[i];
        file_record(c, f);
        if (f->first_time)
            timeline_file_start(c, f);
        if (f->n_gaps)
            gap_finding(c, f);
        if (f->stats.recovered_any)
            recovered_finding(c, f);
        restart_check(c, f, sc.times, sc.n);
    }
    free(sc.times);
}

/* ---- the module ----------------------------------------------------------------- */

static void free_ctx(logs_ctx *c)
{
    for (size_t i = 0; i < c->n_facts; i++) {
        free(c->facts[i].channel);
        free(c->facts[i].artifact);
        free(c->facts[i].locator);
        free(c->facts[i].what);
    }
    for (size_t i = 0; i < c->n_clears; i++) {
        free(c->clears[i].channel);
        free(c->clears[i].user);
        free(c->clears[i].domain);
        free(c->clears[i].artifact);
        free(c->clears[i].locator);
    }
    for (size_t i = 0; i < c->n_changes; i++) {
        free(c->changes[i].from);
        free(c->changes[i].to);
        free(c->changes[i].artifact);
        free(c->changes[i].locator);
    }
    free(c->facts);
    free(c->clears);
    free(c->changes);
}

static int logs_run(gl_run *run, gl_err *err)
{
    logs_ctx c = {.run = run, .st = gl_run_state(run)};
    if (gl_events_each(run, "Security", on_security, &c, err) != 0 ||
        gl_events_each(run, "System", on_system, &c, err) != 0) {
        free_ctx(&c);
        return -1;
    }
    report_clears(&c);
    report_stops(&c);
    report_start_changes(&c);
    check_files(&c);
    check_registry(&c);
    if (c.dropped)
        gl_run_error(run, "more than %d events of one kind: %" PRIu64 " not correlated", MAX_COLLECTED, c.dropped);
    free_ctx(&c);
    return 0;
}

static int logs_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    logs_state *st = gl_xcalloc(1, sizeof *st);
    *state = st;
    return gl_wordlist_embedded(&st->watched, "logs/watched-channels.txt", err);
}

static void logs_fini(void *state)
{
    logs_state *st = state;
    if (!st)
        return;
    gl_wordlist_free(&st->watched);
    free(st);
}

const gl_module gl_module_logs = {
    .name = "logs",
    .description = "event-log tampering: logs cleared, logging stopped or disabled, audit policy weakened, gaps",
    .needs = GL_NEEDS_EVTX | GL_NEEDS_REGISTRY,
    .settings = logs_settings,
    .rules = logs_rules,
    .events = logs_events,
    .init = logs_init,
    .fini = logs_fini,
    .run = logs_run,
};

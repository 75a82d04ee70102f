/* firewall: Windows Firewall changes (artifacts.md §3).
 *
 * Reads the rule stores of every control set (FirewallPolicy\FirewallRules
 * and the RestrictedServices/Mdm FirewallRules keys below it) and of Group
 * Policy (SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules), each
 * rule string parsed with fwrule.h; the profile settings, local and
 * policy; the MpsSvc/BFE start types; and the firewall's own log (2002-
 * 2006, 2032/2033 and their Windows 11 22H2 replacements 2052/2059/2060/
 * 2071/2073/2082/2083, 2097/2099) and Security 4946-4950.
 *
 * Findings: firewall off for a profile (registry, policy or event), default
 * inbound set to allow, all rules deleted or the policy reset, inbound
 * allow rules that open remote-access ports, let a remote-management tool
 * or a program in a user-writable folder in, or open every port to every
 * address; rules present in an older control set but gone from the current
 * one. Rules in Windows' own groups (data/default-groups.txt, Store app
 * package rules) and rules scoped to programs under Windows or Program
 * Files are at most low.
 *
 * The Logging settings of each profile and the packet log they name
 * (pfirewall.log: allowed inbound connections to remote-access ports, so
 * the ioc module matches their source addresses) are fw_logging.c's.
 *
 * A rule known only from the registry gets no timeline entry: a rule
 * string holds no time and the FirewallRules key's last write belongs to
 * whichever rule changed last; the events about a rule give its time.
 *
 * Records (records/firewall.jsonl), by "type" (and those of fw_logging.h):
 *   rule     store, control_set, rule_id, name, group, action, direction,
 *            active, protocol, local_ports, remote_addresses, app, service,
 *            profiles, parse_error, artifact, locator
 *   profile  store, control_set, profile, name, value, artifact, locator
 *   event    time, event_id, rule_id, name, app, direction, action,
 *            local_ports, modifying_app, user, setting, artifact, locator */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "events.h"
#include "finding.h"
#include "fw_logging.h"
#include "fwrule.h"
#include "module.h"
#include "rmmcatalog.h"
#include "shared_checks.h"
#include "text.h"
#include "timeline.h"
#include "winpath.h"
#include "wordlist.h"

#define CHANNEL "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"
#define POLICY_ROOT "HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall"
#define MAX_RULE_IDS 200000
#define MAX_PORTS 512

static const gl_rule_decl firewall_rules[] = {
    {"firewall.profile_disabled", GL_SEV_HIGH, "T1562.004 T1686.003", "Windows Firewall turned off for a profile"},
    {"firewall.default_inbound_allow", GL_SEV_HIGH, "T1562.004 T1686.003", "Firewall default inbound action set to allow"},
    {"firewall.notifications_off", GL_SEV_LOW, "T1562.004 T1686.003", "Firewall notifications switched off"},
    {"firewall.service_disabled", GL_SEV_HIGH, "T1562.004 T1686.003", "Firewall service disabled"},
    {"firewall.rules_reset", GL_SEV_HIGH, "T1562.004 T1686.003", "All firewall rules deleted or policy reset"},
    {"firewall.rule_inbound_allow", GL_SEV_MEDIUM, "T1562.004 T1686.003", "Inbound allow rule outside Windows' defaults"},
    {"firewall.rule_deleted", GL_SEV_MEDIUM, "T1562.004 T1686.003", "Firewall rule deleted"},
    {"firewall.rule_unreadable", GL_SEV_LOW, "T1562.004 T1686.003", "Firewall rule string that does not parse"},
    {"firewall.logging_changed", GL_SEV_LOW, "T1562.004 T1686.003", "Firewall packet logging off or moved"},
    {0},
};

static const gl_event_sub firewall_events[] = {
    {CHANNEL,
     {2002, 2003, 2004, 2005, 2006, 2032, 2033, 2052, 2059, 2060, 2071, 2073, 2082, 2083, 2097, 2099},
     16},
    {"Security", {4946, 4947, 4948, 4949, 4950}, 5},
    {0},
};

typedef struct firewall_state {
    gl_wordlist groups, tools;
    rmmcat *rmm;
    uint16_t ra_ports[MAX_PORTS]; /* remote-access ports: fixed ones and the RMM catalog's */
    size_t n_ra_ports;
} firewall_state;

/* Ports of remote desktop tools worth a high finding when opened inbound
 * (artifacts.md §3.4): RDP, VNC, TeamViewer, AnyDesk, RustDesk. */
static const uint16_t fixed_ra_ports[] = {3389, 5900, 5938, 7070, 21115, 21116, 21117, 21118, 21119};

typedef struct ctx {
    gl_run *run;
    firewall_state *st;
    const char *current_set; /* "ControlSet001" */
    char **cur_ids;          /* rule ids of the current control set */
    size_t n_cur, cap_cur;
    struct pending *pend;    /* inbound-allow findings, emitted after the events */
    size_t n_pend, cap_pend;
    fwlog log;               /* logging settings and the packet log (fw_logging.c) */
} ctx;

/* ---- judging a rule ------------------------------------------------------------ */

/* What a rule looks like, whether it came from the registry or an event. */
typedef struct rule_view {
    const char *id, *name, *group, *app, *svc;
    bool inbound, allow, active;
    const fw_port *lports;
    size_t n_lports;
    const fw_addr *raddrs;
    size_t n_raddrs;
    bool package; /* a Store app rule (PFN/package SID) */
} rule_view;

/* "@%SystemRoot%\system32\firewallapi.dll,-37302" -> "firewallapi.dll,-37302". */
static const char *group_key(const char *g, char *buf, size_t n)
{
    if (*g != '@')
        return g;
    const char *comma = strchr(g, ',');
    const char *start = g + 1;
    for (const char *p = g + 1; *p && (!comma || p < comma); p++)
        if (*p == '\\' || *p == '/')
            start = p + 1;
    snprintf(buf, n, "%s", start);
    return buf;
}

static bool default_group(ctx *c, const char *group)
{
    if (!group || !*group)
        return false;
    if (!strncmp(group, "@{", 2))
        return true; /* per-package resource string of a Store app */
    char buf[512];
    return gl_wordlist_has(&c->st->groups, group_key(group, buf, sizeof buf));
}

static bool any_address(const rule_view *r)
{
    for (size_t i = 0; i < r->n_raddrs; i++)
        if (r->raddrs[i].kind != FW_ADDR_ANY)
            return false;
    return true;
}

static bool any_port(const rule_view *r)
{
    if (!r->n_lports)
        return true;
    for (size_t i = 0; i < r->n_lports; i++)
        if (r->lports[i].kind == FW_PORT_ANY || (r->lports[i].lo == 0 && r->lports[i].hi == 65535))
            return true;
    return false;
}

/* First remote-access port the rule opens, or 0. */
static uint16_t ra_port(ctx *c, const rule_view *r)
{
    if (any_port(r))
        return 0;
    for (size_t i = 0; i < c->st->n_ra_ports; i++)
        if (fw_ports_cover(r->lports, r->n_lports, c->st->ra_ports[i]))
            return c->st->ra_ports[i];
    return 0;
}

static const char *rmm_tool(ctx *c, const char *app)
{
    if (!c->st->rmm || !app || !*app)
        return NULL;
    rmmcat_hits hits;
    if (rmmcat_match_path(c->st->rmm, app, strlen(app), &hits) ||
        rmmcat_match_exe(c->st->rmm, gl_winpath_basename(app), strlen(gl_winpath_basename(app)), &hits))
        return rmmcat_tool_at(c->st->rmm, hits.h[0].tool)->name;
    return NULL;
}

/* Severity of an inbound allow rule, or -1 when it is not a finding. */
static int judge(ctx *c, const rule_view *r, char *why, size_t n)
{
    if (!r->inbound || !r->allow || !r->active)
        return -1;
    bool has_app = r->app && *r->app && strcasecmp(r->app, "System") != 0;
    gl_path_class pc = has_app ? gl_winpath_class(r->app) : GL_PATH_NAME;
    bool admin_app = pc == GL_PATH_ADMIN_ONLY;
    if ((default_group(c, r->group) || r->package) && (!has_app || admin_app))
        return -1;
    const char *tool = rmm_tool(c, r->app);
    if (tool) {
        snprintf(why, n, "the rule lets %s, a remote-management tool, accept connections from the network", tool);
        return GL_SEV_HIGH;
    }
    if (has_app && (pc == GL_PATH_USER_WRITABLE || pc == GL_PATH_NETWORK)) {
        snprintf(why, n, "the program it lets in lives where ordinary users can write (%s), not where installed "
                         "software lives", r->app);
        return GL_SEV_HIGH;
    }
    uint16_t port = ra_port(c, r);
    if (admin_app) {
        snprintf(why, n, "the rule is scoped to a program installed under Windows or Program Files; such rules are "
                         "usually made by installers, so at most low%s",
                 port ? ", although it opens a remote-access port" : "");
        return GL_SEV_LOW;
    }
    if (port) {
        snprintf(why, n, "the rule opens port %u, used by remote desktop and remote-management tools, to the network",
                 port);
        return GL_SEV_HIGH;
    }
    if (!has_app && !(r->svc && *r->svc) && any_port(r) && any_address(r)) {
        snprintf(why, n, "the rule allows every inbound port from every address for any program: the firewall no "
                         "longer filters inbound traffic");
        return GL_SEV_HIGH;
    }
    snprintf(why, n, "an inbound allow rule that is not one of Windows' own; check who made it and why");
    return GL_SEV_MEDIUM;
}

/* An inbound-allow finding waits until the events are read, so the
 * registry rule and the events that added or changed it become ONE
 * finding (the event gives the time and who did it). */
#define PEND_EVIDENCE 16
typedef struct pending {
    const char *rule;
    char *id, *subject, *title, *why, *source, *by, *user, *profile, *details;
    gl_severity sev;
    uint64_t time;
    bool from_event_time;
    char *art[PEND_EVIDENCE], *loc[PEND_EVIDENCE];
    size_t n_ev;
} pending;

static void pend_evidence(pending *p, const char *artifact, const char *locator)
{
    if (p->n_ev >= PEND_EVIDENCE)
        return;
    p->art[p->n_ev] = gl_xstrdup(artifact ? artifact : "");
    p->loc[p->n_ev] = gl_xstrdup(locator ? locator : "");
    p->n_ev++;
}

static pending *pend_find(ctx *c, const char *id)
{
    for (size_t i = 0; i < c->n_pend; i++)
        if (!strcasecmp(c->pend[i].id, id))
            return &c->pend[i];
    return NULL;
}

static pending *pend_new(ctx *c, const char *rule, const char *id, const char *subject, const char *title,
                         gl_severity sev, const char *why, uint64_t time, const char *source)
{
    if (c->n_pend >= MAX_RULE_IDS)
        return NULL;
    if (c->n_pend == c->cap_pend) {
        c->cap_pend = c->cap_pend ? c->cap_pend * 2 : 32;
        c->pend = gl_xrealloc(c->pend, c->cap_pend * sizeof *c->pend);
    }
    pending *p = &c->pend[c->n_pend++];
    memset(p, 0, sizeof *p);
    p->rule = rule;
    p->id = gl_xstrdup(id);
    p->subject = gl_xstrdup(subject);
    p->title = gl_xstrdup(title);
    p->why = gl_xstrdup(why);
    p->source = gl_xstrdup(source);
    p->sev = sev;
    p->time = time;
    return p;
}

static void rule_finding(ctx *c, const rule_view *r, gl_severity sev, const char *why, uint64_t time,
                         const char *artifact, const char *locator, const char *source, const char *by,
                         const char *subject)
{
    gl_buf t = {0}, d = {0};
    const char *label = r->name && *r->name ? r->name : r->id;
    if (r->app && *r->app)
        gl_buf_printf(&t, "Inbound allow rule \"%s\" for %s", label, r->app);
    else
        gl_buf_printf(&t, "Inbound allow rule \"%s\"", label);
    pending *p = pend_new(c, "firewall.rule_inbound_allow", r->id, subject ? subject : r->id, t.data, sev, why, time,
                          source);
    gl_buf_free(&t);
    if (!p)
        return;
    gl_json j;
    gl_json_init(&j, &d);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "rule_id", r->id);
    gl_json_kv_str(&j, "name", r->name);
    gl_json_kv_str(&j, "group", r->group);
    gl_json_kv_str(&j, "app", r->app);
    gl_json_kv_str(&j, "service", r->svc);
    gl_json_key(&j, "local_ports");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < r->n_lports; i++)
        gl_json_strn(&j, r->lports[i].text.p, r->lports[i].text.n);
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    p->details = d.data;
    p->by = by ? gl_xstrdup(by) : NULL;
    p->from_event_time = by != NULL;
    pend_evidence(p, artifact, locator);
}

/* An event about a rule a registry finding already covers: its evidence,
 * its time (the first event), who made it. */
static bool pend_join(ctx *c, const char *id, const gl_event *ev, const char *by)
{
    pending *p = pend_find(c, id);
    if (!p)
        return false;
    const char *user = gl_event_text(ev, "ModifyingUser");
    if (*user && !p->user)
        p->user = gl_xstrdup(user);
    pend_evidence(p, ev->artifact, ev->locator);
    if (!p->from_event_time || ev->time < p->time) {
        p->time = ev->time;
        p->from_event_time = true;
    }
    if (*by && !p->by)
        p->by = gl_xstrdup(by);
    return true;
}

static void pend_emit(ctx *c)
{
    for (size_t i = 0; i < c->n_pend; i++) {
        pending *p = &c->pend[i];
        gl_fb fb;
        gl_fb_start(&fb, c->run, p->rule);
        gl_fb_severity(&fb, p->sev, "%s", p->why);
        gl_fb_title(&fb, "%s", p->title);
        gl_fb_subject(&fb, "%s", p->subject);
        gl_fb_time_filetime(&fb, p->time);
        for (size_t k = 0; k < p->n_ev; k++)
            gl_fb_evidence(&fb, p->art[k], "%s", p->loc[k]);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "source", p->source);
        if (p->profile)
            gl_json_kv_str(d, "profile", p->profile);
        if (p->by)
            gl_json_kv_str(d, "modifying_application", p->by);
        if (p->user)
            gl_json_kv_str(d, "modifying_user", p->user);
        if (p->details) {
            gl_json_key(d, "rule");
            gl_json_raw(d, p->details, strlen(p->details));
        }
        gl_fb_emit(&fb);
    }
}

static void pend_free(ctx *c)
{
    for (size_t i = 0; i < c->n_pend; i++) {
        pending *p = &c->pend[i];
        free(p->id);
        free(p->subject);
        free(p->title);
        free(p->why);
        free(p->source);
        free(p->by);
        free(p->user);
        free(p->profile);
        free(p->details);
        for (size_t k = 0; k < p->n_ev; k++) {
            free(p->art[k]);
            free(p->loc[k]);
        }
    }
    free(c->pend);
}

/* ---- registry rules --------------------------------------------------------------- */

static char *str_dup(fw_str s)
{
    char *o = gl_xmalloc(s.n + 1);
    if (s.n)
        memcpy(o, s.p, s.n);
    o[s.n] = '\0';
    return o;
}

static void ports_json(gl_json *j, const char *key, const fw_port *p, size_t n)
{
    gl_json_key(j, key);
    gl_json_arr_begin(j);
    for (size_t i = 0; i < n; i++)
        gl_json_strn(j, p[i].text.p, p[i].text.n);
    gl_json_arr_end(j);
}

static void rule_record(ctx *c, const char *store, const char *set, const char *id, const fw_rule *r,
                        const char *parse_error, const char *artifact, const char *locator)
{
    gl_buf line = {0};
    gl_json j;
    char prof[64];
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "rule");
    gl_json_kv_str(&j, "store", store);
    gl_json_kv_str(&j, "control_set", set);
    gl_json_kv_str(&j, "rule_id", id);
    gl_json_key(&j, "name");
    gl_json_strn(&j, r->name.p ? r->name.p : "", r->name.n);
    gl_json_key(&j, "group");
    gl_json_strn(&j, r->embed_ctxt.p ? r->embed_ctxt.p : "", r->embed_ctxt.n);
    gl_json_kv_str(&j, "action", r->action == FW_ACTION_ALLOW    ? "Allow"
                                 : r->action == FW_ACTION_BLOCK  ? "Block"
                                 : r->action == FW_ACTION_BYPASS ? "ByPass"
                                                                 : NULL);
    gl_json_kv_str(&j, "direction", r->dir == FW_DIR_IN ? "In" : r->dir == FW_DIR_OUT ? "Out" : NULL);
    gl_json_kv_bool(&j, "active", r->active != 0);
    if (r->protocol >= 0)
        gl_json_kv_int(&j, "protocol", r->protocol);
    ports_json(&j, "local_ports", r->lports, r->n_lports);
    ports_json(&j, "remote_ports", r->rports, r->n_rports);
    gl_json_key(&j, "remote_addresses");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < r->n_raddrs; i++)
        gl_json_strn(&j, r->raddrs[i].text.p, r->raddrs[i].text.n);
    gl_json_arr_end(&j);
    gl_json_key(&j, "app");
    gl_json_strn(&j, r->app.p ? r->app.p : "", r->app.n);
    gl_json_key(&j, "service");
    gl_json_strn(&j, r->svc.p ? r->svc.p : "", r->svc.n);
    gl_json_kv_str(&j, "profiles", r->profiles ? fw_profiles_text(r->profiles, prof) : "All");
    gl_json_kv_str(&j, "parse_error", parse_error);
    gl_json_kv_str(&j, "artifact", artifact);
    gl_json_kv_str(&j, "locator", locator);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

typedef struct rules_walk {
    ctx *c;
    const char *store, *set;
    bool current, judge;
    char **ids; /* rule ids seen (older sets: compared with the current one) */
    const char *artifact; /* hive of those rules */
    size_t n_ids, cap_ids;
} rules_walk;

static bool in_current(ctx *c, const char *id)
{
    for (size_t i = 0; i < c->n_cur; i++)
        if (!strcasecmp(c->cur_ids[i], id))
            return true;
    return false;
}

static void one_rule(rules_walk *w, gl_regkey k, gl_regval v)
{
    ctx *c = w->c;
    gl_buf id = {0}, text = {0}, loc = {0};
    gl_regval_name(v, &id);
    gl_regval_string(v, &text);
    gl_regval_locator(v, &loc);
    const char *artifact = gl_regval_artifact(v);
    fw_rule r;
    gl_err err = {0};
    int rc = fw_rule_parse(text.data ? text.data : "", text.len, &r, &err);
    rule_record(c, w->store, w->set, id.data ? id.data : "", &r, rc < 0 ? err.msg : NULL, artifact, loc.data);
    if (w->current && id.data && !gl_regval_deleted(v) && c->n_cur < MAX_RULE_IDS) {
        if (c->n_cur == c->cap_cur) {
            c->cap_cur = c->cap_cur ? c->cap_cur * 2 : 256;
            c->cur_ids = gl_xrealloc(c->cur_ids, c->cap_cur * sizeof *c->cur_ids);
        }
        c->cur_ids[c->n_cur++] = gl_xstrdup(id.data);
    }
    char *name = str_dup(r.name), *group = str_dup(r.embed_ctxt), *app = str_dup(r.app), *svc = str_dup(r.svc);
    /* Older sets keep the ids of rules that are not Windows' own: Windows
     * replaces its app and group rules on updates, so only others count. */
    bool own = default_group(c, group) || fw_rule_field(&r, "PFN") != NULL;
    if (!w->current && !own && id.data && !gl_regval_deleted(v) &&
        w->n_ids < MAX_RULE_IDS) {
        w->artifact = artifact;
        if (w->n_ids == w->cap_ids) {
            w->cap_ids = w->cap_ids ? w->cap_ids * 2 : 256;
            w->ids = gl_xrealloc(w->ids, w->cap_ids * sizeof *w->ids);
        }
        w->ids[w->n_ids++] = gl_xstrdup(id.data);
    }
    rule_view view = {.id = id.data ? id.data : "",
                      .name = name,
                      .group = group,
                      .app = app,
                      .svc = svc,
                      .inbound = r.dir == FW_DIR_IN,
                      .allow = r.action == FW_ACTION_ALLOW || r.action == FW_ACTION_BYPASS,
                      .active = r.active == 1,
                      .lports = r.lports,
                      .n_lports = r.n_lports,
                      .raddrs = r.raddrs,
                      .n_raddrs = r.n_raddrs,
                      .package = fw_rule_field(&r, "PFN") != NULL || fw_rule_field(&r, "LUOwn") != NULL};
    if (w->judge && rc < 0 && !gl_regval_deleted(v)) {
        gl_fb fb;
        gl_fb_start(&fb, c->run, "firewall.rule_unreadable");
        gl_fb_severity(&fb, GL_SEV_LOW, "the firewall writes well-formed rule strings; a malformed one was edited by "
                                        "hand or by a tool, and may not mean what the firewall console shows");
        gl_fb_title(&fb, "Firewall rule %s does not parse: %s", view.id, err.msg);
        gl_fb_subject(&fb, "%s:%s", w->store, view.id);
        gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
        gl_fb_evidence(&fb, artifact, "%s", loc.data);
        gl_fb_emit(&fb);
    }
    char why[600];
    int sev = w->judge && !gl_regval_deleted(v) ? judge(c, &view, why, sizeof why) : -1;
    if (sev >= 0)
        rule_finding(c, &view, (gl_severity)sev, why, gl_regkey_last_write(k), artifact, loc.data, w->store, NULL,
                     NULL);
    free(name);
    free(group);
    free(app);
    free(svc);
    fw_rule_free(&r);
    gl_buf_free(&id);
    gl_buf_free(&text);
    gl_buf_free(&loc);
}

static int rules_key_cb(void *vw, gl_regkey key, const char *rel)
{
    rules_walk *w = vw;
    const char *last = strrchr(rel, '\\');
    last = last ? last + 1 : rel;
    if (strcasecmp(last, "FirewallRules") != 0)
        return 0;
    gl_regvals vals = {0};
    gl_regkey_values(key, &vals);
    for (size_t i = 0; i < vals.n; i++)
        one_rule(w, key, vals.v[i]);
    gl_regvals_free(&vals);
    return 0;
}

/* ---- profiles ------------------------------------------------------------------------ */

static void profile_value(ctx *c, gl_regkey k, const char *store, const char *set, const char *profile,
                          const char *name, bool judge)
{
    gl_err err = {0};
    uint32_t v;
    gl_lookup r = gl_regkey_get_dword(k, name, &v, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND)
        return;
    gl_buf loc = {0}, line = {0};
    gl_regkey_locator(k, &loc);
    gl_buf_printf(&loc, "\\%s", name);
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "profile");
    gl_json_kv_str(&j, "store", store);
    gl_json_kv_str(&j, "control_set", set);
    gl_json_kv_str(&j, "profile", profile);
    gl_json_kv_str(&j, "name", name);
    gl_json_kv_uint(&j, "value", v);
    gl_json_kv_str(&j, "artifact", gl_regkey_artifact(k));
    gl_json_kv_str(&j, "locator", loc.data);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
    const char *rule = NULL, *title = NULL, *why = NULL;
    gl_severity sev = GL_SEV_HIGH;
    if (!strcmp(name, "EnableFirewall") && v == 0) {
        rule = "firewall.profile_disabled";
        title = "Windows Firewall turned off for the %s profile (%s)";
        why = "with the firewall off every port of the host is reachable from the network for this profile";
    } else if (!strcmp(name, "DefaultInboundAction") && v == 0) {
        rule = "firewall.default_inbound_allow";
        title = "Firewall lets all inbound traffic in by default for the %s profile (%s)";
        why = "inbound connections that no rule blocks are allowed: the firewall filters almost nothing";
    } else if (!strcmp(name, "DisableNotifications") && v == 1) {
        rule = "firewall.notifications_off";
        title = "Firewall notifications switched off for the %s profile (%s)";
        why = "users are no longer told when a program is blocked; administrators also set this, so low";
        sev = GL_SEV_LOW;
    }
    if (judge && rule && !strcmp(rule, "firewall.profile_disabled") && !strcmp(store, "local")) {
        /* Pending: the events that switched it off join this finding. */
        char key[64], subject[96], t[256];
        snprintf(key, sizeof key, "profile:%s", profile);
        snprintf(subject, sizeof subject, "%s:%s:%s", store, profile, name);
        snprintf(t, sizeof t, title, profile, store);
        pending *p = pend_new(c, rule, key, subject, t, sev, why, gl_regkey_last_write(k), store);
        if (p) {
            p->profile = gl_xstrdup(profile);
            pend_evidence(p, gl_regkey_artifact(k), loc.data);
        }
    } else if (judge && rule) {
        gl_fb fb;
        gl_fb_start(&fb, c->run, rule);
        gl_fb_severity(&fb, sev, "%s", why);
        gl_fb_title(&fb, title, profile, store);
        gl_fb_subject(&fb, "%s:%s:%s", store, profile, name);
        gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
        gl_fb_evidence(&fb, gl_regkey_artifact(k), "%s", loc.data);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "profile", profile);
        gl_json_kv_str(d, "store", store);
        gl_json_kv_uint(d, "value", v);
        gl_fb_emit(&fb);
    }
    gl_buf_free(&loc);
}

static void read_profiles(ctx *c, const char *base, const char *store, const char *set, bool judge)
{
    static const struct {
        const char *key, *name;
    } profiles[] = {{"DomainProfile", "Domain"},
                    {"StandardProfile", "Private"},
                    {"PrivateProfile", "Private"},
                    {"PublicProfile", "Public"}};
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s\\%s", base, profiles[i].key);
        gl_err err = {0};
        gl_regkey k;
        gl_lookup r = gl_regview_find_key(gl_run_regview(c->run), path, &k, &err);
        if (r == GL_LOOKUP_ERROR)
            gl_run_error(c->run, "%s", err.msg);
        if (r != GL_LOOKUP_FOUND)
            continue;
        profile_value(c, k, store, set, profiles[i].name, "EnableFirewall", judge);
        profile_value(c, k, store, set, profiles[i].name, "DefaultInboundAction", judge);
        profile_value(c, k, store, set, profiles[i].name, "DisableNotifications", judge);
        fwlog_profile(&c->log, path, store, set, profiles[i].name, judge);
    }
}

static void read_store(ctx *c, const char *base, const char *store, const char *set, rules_walk *w)
{
    gl_err err = {0};
    gl_regkey k;
    gl_lookup r = gl_regview_find_key(gl_run_regview(c->run), base, &k, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND)
        return;
    w->store = store;
    w->set = set;
    gl_regkey_walk(k, rules_key_cb, w);
    read_profiles(c, base, store, set, w->judge);
}

static void deleted_rules(ctx *c, rules_walk *old, const char *set)
{
    for (size_t i = 0; i < old->n_ids; i++) {
        if (in_current(c, old->ids[i]))
            continue;
        gl_fb fb;
        gl_fb_start(&fb, c->run, "firewall.rule_deleted");
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "the rule is still in %s but no longer in the current control set %s: it was deleted since "
                       "that copy was made (updates also replace rules, so check what it was)",
                       set, c->current_set);
        gl_fb_title(&fb, "Firewall rule %s exists in %s but not in the current %s", old->ids[i], set, c->current_set);
        gl_fb_subject(&fb, "%s", old->ids[i]);
        gl_fb_evidence(&fb, old->artifact, "HKLM\\SYSTEM\\%s\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules\\%s",
                       set, old->ids[i]);
        gl_json_kv_str(gl_fb_details(&fb), "control_set", set);
        gl_fb_emit(&fb);
    }
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static void read_registry(ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    const gl_regcontrolset *sets;
    size_t n = gl_regview_control_sets(rv, &sets);
    for (size_t i = 0; i < n; i++)
        if (sets[i].current)
            c->current_set = sets[i].name;
    /* The current set first: older sets are compared with it. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (sets[i].current != (pass == 0))
                continue;
            char base[256];
            snprintf(base, sizeof base,
                     "HKLM\\SYSTEM\\%s\\Services\\SharedAccess\\Parameters\\FirewallPolicy", sets[i].name);
            rules_walk w = {.c = c, .current = sets[i].current, .judge = sets[i].current};
            read_store(c, base, "local", sets[i].name, &w);
            if (!sets[i].current && c->current_set)
                deleted_rules(c, &w, sets[i].name);
            free_ids(w.ids, w.n_ids);
        }
    }
    rules_walk pw = {.c = c, .current = false, .judge = true};
    read_store(c, POLICY_ROOT, "policy", "", &pw);
    free_ids(pw.ids, pw.n_ids);
    gl_check_service_disabled(c->run, "MpsSvc", "firewall.service_disabled", "Firewall service",
                              "the Windows Firewall service is set to disabled (Start=4): nothing is filtered from the "
                              "next boot");
    gl_check_service_disabled(c->run, "BFE", "firewall.service_disabled", "Firewall service",
                              "the Base Filtering Engine is set to disabled (Start=4): the firewall cannot filter from "
                              "the next boot");
}

/* ---- events ---------------------------------------------------------------------------- */

/* Windows' own processes that rewrite firewall rules on updates and
 * Defender platform changes. */
static bool system_modifier(const char *app)
{
    static const char *const names[] = {"svchost.exe", "MsMpEng.exe", "TiWorker.exe", "TrustedInstaller.exe"};
    const char *base = gl_winpath_basename(app);
    gl_path_class pc = gl_winpath_class(app);
    bool defender = strcasestr(app, "\\Microsoft\\Windows Defender\\Platform\\") != NULL;
    if (pc != GL_PATH_ADMIN_ONLY && !defender)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(base, names[i]))
            return true;
    return false;
}

static void event_record(ctx *c, const gl_event *ev, const char *what)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "event");
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    gl_json_kv_str(&j, "what", what);
    static const char *const fields[] = {"RuleId",     "RuleName",      "ApplicationPath", "Direction",
                                         "Action",     "LocalPorts",    "RemoteAddresses", "Profiles",
                                         "SettingType", "SettingValueString", "ModifyingApplication", "ModifyingUser",
                                         "ProfileChanged", "SettingValue"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = gl_event_value(ev, fields[i]);
        if (v)
            gl_json_kv_str(&j, fields[i], v);
    }
    gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

static void timeline_ev(ctx *c, const gl_event *ev, const char *kind, const char *subject)
{
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, kind, ev->time, subject, ev->artifact, ev->locator);
    gl_json_kv_uint(d, "event_id", ev->event_id);
    const char *by = gl_event_text(ev, "ModifyingApplication");
    if (*by)
        gl_json_kv_str(d, "modifying_application", by);
    gl_tl_end(&t);
}

static void rule_event(ctx *c, const gl_event *ev, bool added)
{
    const char *id = gl_event_text(ev, "RuleId"), *name = gl_event_text(ev, "RuleName");
    event_record(c, ev, added ? "rule_added" : "rule_changed");
    timeline_ev(c, ev, added ? "firewall.rule.added" : "firewall.rule.changed", *name ? name : id);
    const char *ports = gl_event_text(ev, "LocalPorts"), *addrs = gl_event_text(ev, "RemoteAddresses");
    fw_port *lp = NULL;
    fw_addr *ra = NULL;
    size_t nlp = 0, nra = 0;
    gl_err err = {0};
    if (fw_port_list_parse(ports, strlen(ports), &lp, &nlp, &err) < 0)
        gl_run_log(c->run, "%s %s: LocalPorts: %s", ev->file, ev->locator, err.msg);
    if (fw_addr_list_parse(addrs, strlen(addrs), &ra, &nra, &err) < 0)
        gl_run_log(c->run, "%s %s: RemoteAddresses: %s", ev->file, ev->locator, err.msg);
    const char *action = gl_event_text(ev, "Action");
    rule_view view = {.id = id,
                      .name = name,
                      .group = gl_event_text(ev, "EmbeddedContext"),
                      .app = gl_event_text(ev, "ApplicationPath"),
                      .svc = gl_event_text(ev, "ServiceName"),
                      .inbound = !strcmp(gl_event_text(ev, "Direction"), "1"),
                      .allow = !strcmp(action, "3") || !strcmp(action, "1"),
                      .active = strcmp(gl_event_text(ev, "Active"), "0") != 0,
                      .lports = lp,
                      .n_lports = nlp,
                      .raddrs = ra,
                      .n_raddrs = nra};
    char why[600];
    int sev = judge(c, &view, why, sizeof why);
    const char *by = gl_event_text(ev, "ModifyingApplication");
    if (sev >= 0 && system_modifier(by) && sev > GL_SEV_LOW) {
        snprintf(why + strlen(why), sizeof why - strlen(why), "; made by Windows itself (%s), so at most low",
                 gl_winpath_basename(by));
        sev = GL_SEV_LOW;
    }
    if (!pend_join(c, id, ev, by) && sev >= 0) {
        char sid[600];
        snprintf(sid, sizeof sid, "%s@%s", id, ev->time_iso);
        rule_finding(c, &view, (gl_severity)sev, why, ev->time, ev->artifact, ev->locator, "event", by, sid);
    }
    free(lp);
    free(ra);
}

static void rule_deleted_event(ctx *c, const gl_event *ev)
{
    const char *id = gl_event_text(ev, "RuleId"), *name = gl_event_text(ev, "RuleName");
    const char *by = gl_event_text(ev, "ModifyingApplication");
    event_record(c, ev, "rule_deleted");
    timeline_ev(c, ev, "firewall.rule.deleted", *name ? name : id);
    /* Installers under Program Files and Windows' services manage their
     * own rules; a rule tool, or a program elsewhere, is someone's choice. */
    gl_path_class pc = gl_winpath_class(by);
    if (!*by || system_modifier(by) ||
        (pc == GL_PATH_ADMIN_ONLY && !gl_wordlist_has(&c->st->tools, gl_winpath_basename(by))))
        return;
    gl_fb fb;
    gl_fb_start(&fb, c->run, "firewall.rule_deleted");
    gl_fb_severity(&fb, GL_SEV_LOW, "a rule was deleted by %s, not by Windows; deleting block rules opens the host, "
                                    "but administrators and installers delete rules too", gl_winpath_basename(by));
    gl_fb_title(&fb, "Firewall rule \"%s\" deleted by %s", *name ? name : id, by);
    gl_fb_subject(&fb, "%s@%s", id, ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json_kv_str(gl_fb_details(&fb), "modifying_application", by);
    gl_fb_emit(&fb);
}

static void reset_event(ctx *c, const gl_event *ev, const char *what)
{
    const char *by = gl_event_text(ev, "ModifyingApplication");
    event_record(c, ev, what);
    timeline_ev(c, ev, "firewall.reset", what);
    bool system = *by && system_modifier(by);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "firewall.rules_reset");
    if (system)
        gl_fb_severity(&fb, GL_SEV_MEDIUM, "the firewall service itself (%s) did it, as Windows feature updates do "
                                           "when they rebuild the rule store; check that an update ran then",
                       gl_winpath_basename(by));
    else
        gl_fb_severity(&fb, GL_SEV_HIGH, "%s the firewall's rules: every block rule is gone until they are "
                                         "restored",
                       *by ? "a program other than Windows' firewall service changed" : "something changed");
    gl_fb_title(&fb, "Firewall %s%s%s", what, *by ? " by " : "", by);
    gl_fb_subject(&fb, "%s@%s", what, ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json_kv_str(gl_fb_details(&fb), "modifying_application", by);
    gl_fb_emit(&fb);
}

/* 2003/2082 (Profiles bitmask, SettingType 1 = firewall on/off) and
 * Security 4950 (ProfileChanged, SettingType text, SettingValue Yes/No). */
static void profile_off_one(ctx *c, const gl_event *ev, const char *profile)
{
    char key[64];
    snprintf(key, sizeof key, "profile:%s", profile);
    const char *by = gl_event_text(ev, "ModifyingApplication");
    if (pend_join(c, key, ev, by))
        return;
    char subject[128], title[256];
    snprintf(subject, sizeof subject, "event:%s", profile);
    snprintf(title, sizeof title, "Windows Firewall turned off for the %s profile (event %u)", profile, ev->event_id);
    pending *p = pend_new(c, "firewall.profile_disabled", key, subject, title, GL_SEV_HIGH,
                          "with the firewall off every port of the host is reachable from the network for this profile",
                          ev->time, "event");
    if (!p)
        return;
    p->profile = gl_xstrdup(profile);
    p->from_event_time = true;
    if (*by)
        p->by = gl_xstrdup(by);
    const char *user = gl_event_text(ev, "ModifyingUser");
    if (*user)
        p->user = gl_xstrdup(user);
    pend_evidence(p, ev->artifact, ev->locator);
}

/* One finding per profile: "Domain,Private" and "All" name several. */
static void profile_off_finding(ctx *c, const gl_event *ev, const char *profiles)
{
    static const char *const names[] = {"Domain", "Private", "Public"};
    bool all = !strcasecmp(profiles, "All");
    for (size_t i = 0; i < 3; i++)
        if (all || strcasestr(profiles, names[i]))
            profile_off_one(c, ev, names[i]);
}

static void setting_event(ctx *c, const gl_event *ev)
{
    char prof[64];
    event_record(c, ev, "profile_setting");
    uint32_t type = (uint32_t)strtoul(gl_event_text(ev, "SettingType"), NULL, 10);
    /* "Profiles" on current builds; some writers name it "ProfileChanged". */
    const char *profiles = gl_event_text(ev, "Profiles");
    uint32_t mask = (uint32_t)strtoul(*profiles ? profiles : gl_event_text(ev, "ProfileChanged"), NULL, 10);
    fw_profiles_text(mask, prof);
    const char *vs = gl_event_text(ev, "SettingValueString");
    const char *raw = gl_event_text(ev, "SettingValue");
    bool off = !strcasecmp(vs, "No") || (!*vs && !strcmp(raw, "00000000"));
    bool disabled = type == FW_PROFILE_CONFIG_ENABLE_FW && off;
    timeline_ev(c, ev, disabled ? "firewall.profile.disabled" : "firewall.profile.changed", prof);
    if (disabled)
        profile_off_finding(c, ev, prof);
}

static void security_4950(ctx *c, const gl_event *ev)
{
    const char *profile = gl_event_text(ev, "ProfileChanged");
    const char *type = gl_event_text(ev, "SettingType"), *value = gl_event_text(ev, "SettingValue");
    event_record(c, ev, "profile_setting");
    /* English text only: other languages are recorded, not judged. */
    bool disabled = strcasestr(type, "Enable") && strcasestr(type, "Firewall") && !strcasecmp(value, "No");
    timeline_ev(c, ev, disabled ? "firewall.profile.disabled" : "firewall.profile.changed", profile);
    if (disabled)
        profile_off_finding(c, ev, profile);
}

static int on_firewall(void *vc, const gl_event *ev)
{
    ctx *c = vc;
    switch (ev->event_id) {
    case 2004:
    case 2071:
    case 2097: rule_event(c, ev, true); break;
    case 2005:
    case 2073:
    case 2099: rule_event(c, ev, false); break;
    case 2006:
    case 2052: rule_deleted_event(c, ev); break;
    case 2033:
    case 2059: reset_event(c, ev, "all rules deleted"); break;
    case 2032:
    case 2060: reset_event(c, ev, "reset to default settings"); break;
    case 2003:
    case 2082: setting_event(c, ev); break;
    default: event_record(c, ev, "global_setting"); break;
    }
    return 0;
}

static int on_security(void *vc, const gl_event *ev)
{
    ctx *c = vc;
    const char *name = gl_event_text(ev, "RuleName");
    switch (ev->event_id) {
    case 4946: event_record(c, ev, "rule_added"); timeline_ev(c, ev, "firewall.rule.added", name); break;
    case 4947: event_record(c, ev, "rule_changed"); timeline_ev(c, ev, "firewall.rule.changed", name); break;
    case 4948: event_record(c, ev, "rule_deleted"); timeline_ev(c, ev, "firewall.rule.deleted", name); break;
    case 4949: event_record(c, ev, "restored_defaults"); timeline_ev(c, ev, "firewall.reset", "restored to defaults"); break;
    case 4950: security_4950(c, ev); break;
    }
    return 0;
}

/* ---- the module ------------------------------------------------------------------------ */

static int firewall_run(gl_run *run, gl_err *err)
{
    ctx c = {.run = run, .st = gl_run_state(run), .log = {.run = run}};
    read_registry(&c);
    fwlog_read_logs(&c.log, c.st->ra_ports, c.st->n_ra_ports);
    int rc = 0;
    if (gl_events_each(run, CHANNEL, on_firewall, &c, err) != 0 || gl_events_each(run, "Security", on_security, &c, err) != 0)
        rc = -1;
    pend_emit(&c);
    pend_free(&c);
    free_ids(c.cur_ids, c.n_cur);
    return rc;
}

static void add_port(firewall_state *st, uint16_t p)
{
    for (size_t i = 0; i < st->n_ra_ports; i++)
        if (st->ra_ports[i] == p)
            return;
    if (st->n_ra_ports < MAX_PORTS)
        st->ra_ports[st->n_ra_ports++] = p;
}

static int firewall_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    firewall_state *st = gl_xcalloc(1, sizeof *st);
    *state = st;
    if (gl_wordlist_embedded(&st->groups, "firewall/default-groups.txt", err) < 0 ||
        gl_wordlist_embedded(&st->tools, "firewall/rule-tools.txt", err) < 0)
        return -1;
    for (size_t i = 0; i < sizeof fixed_ra_ports / sizeof fixed_ra_ports[0]; i++)
        add_port(st, fixed_ra_ports[i]);
    if (gl_rmm_builtin(&st->rmm, err) < 0)
        return -1;
    if (st->rmm) {
        for (size_t t = 0; t < rmmcat_count(st->rmm); t++) {
            const rmmcat_tool *tool = rmmcat_tool_at(st->rmm, t);
            for (size_t k = 0; k < tool->nports; k++)
                if (tool->ports[k] != 80 && tool->ports[k] != 443)
                    add_port(st, tool->ports[k]);
        }
    }
    return 0;
}

static void firewall_fini(void *state)
{
    firewall_state *st = state;
    if (!st)
        return;
    gl_wordlist_free(&st->groups);
    gl_wordlist_free(&st->tools);
    if (st->rmm)
        rmmcat_free(st->rmm);
    free(st);
}

const gl_module gl_module_firewall = {
    .name = "firewall",
    .description = "Windows Firewall: profiles turned off, rules opening remote access, rules deleted or reset",
    .needs = GL_NEEDS_FILES | GL_NEEDS_EVTX | GL_NEEDS_REGISTRY, /* files: MPLog / the packet log */
    .rules = firewall_rules,
    .events = firewall_events,
    .init = firewall_init,
    .fini = firewall_fini,
    .run = firewall_run,
};

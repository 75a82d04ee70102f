/* See defender_svc_asr.h. */
#include "defender_svc_asr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "finding.h"
#include "shared_checks.h"
#include "text.h"
#include "timeline.h"

#define MAX_KEPT 100000 /* service events and ASR groups kept: bounded memory */

typedef struct svc_ev {
    uint64_t time;
    uint16_t id;
    bool stopped;  /* 7036: stopped (else running or another state) */
    bool running;  /* 7036: running */
    bool disabled; /* 7040: set to disabled */
    char *to, *artifact, *locator, *iso;
} svc_ev;

typedef struct asr_group {
    bool block; /* 1121, else 1122 audit */
    char *rule_id, *path, *process, *user;
    uint64_t first;
    size_t count;
    char **ev; /* artifact NUL locator, up to GL_FB_MAX_EVIDENCE */
    size_t n_ev;
} asr_group;

struct dsa {
    gl_run *run;
    svc_ev *svc;
    size_t n_svc, cap_svc;
    asr_group *asr;
    size_t n_asr, cap_asr;
    size_t dropped;
};

static const char *const windefend_names[] = {"Microsoft Defender Antivirus Service", "Windows Defender Antivirus Service",
                                              "Windows Defender Service", NULL};

dsa *dsa_new(gl_run *run)
{
    dsa *d = gl_xcalloc(1, sizeof *d);
    d->run = run;
    return d;
}

void defender_event_record(gl_run *run, const gl_event *ev, const char *type, const char *const *kv)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", type);
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    for (size_t i = 0; kv[i]; i += 2)
        gl_json_kv_str(&j, kv[i], kv[i + 1]);
    gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    gl_json_obj_end(&j);
    gl_run_record(run, line.data, line.len);
    gl_buf_free(&line);
}

/* ---- WinDefend in the System log ------------------------------------------------- */

int dsa_on_system(void *ctx, const gl_event *ev)
{
    dsa *d = ctx;
    if ((ev->event_id != 7036 && ev->event_id != 7040) || !gl_scm_event_is_service(ev, "WinDefend", windefend_names))
        return 0;
    const char *p2 = gl_event_text(ev, "param2"), *p3 = gl_event_text(ev, "param3");
    if (ev->event_id == 7036) {
        const char *kv[] = {"service", "WinDefend", "state", p2, NULL};
        defender_event_record(d->run, ev, "service", kv);
    } else {
        const char *kv[] = {"service", "WinDefend", "from", p2, "to", p3, NULL};
        defender_event_record(d->run, ev, "service", kv);
    }
    svc_ev s = {.time = ev->time, .id = ev->event_id};
    if (ev->event_id == 7036) {
        s.stopped = !strcasecmp(p2, "stopped");
        s.running = !strcasecmp(p2, "running");
    } else {
        s.disabled = !strcasecmp(p3, "disabled");
    }
    bool reenabled = ev->event_id == 7040 && !s.disabled && !strcasecmp(p2, "disabled");
    const char *kind = s.stopped || s.disabled    ? "defender.protection.disabled"
                       : s.running || reenabled ? "defender.protection.enabled"
                                                : NULL;
    if (kind) {
        gl_tl t;
        gl_json *j = gl_tl_begin(&t, d->run, kind, ev->time, "WinDefend service", ev->artifact, ev->locator);
        gl_json_kv_uint(j, "event_id", ev->event_id);
        gl_json_kv_str(j, ev->event_id == 7036 ? "state" : "start_type", ev->event_id == 7036 ? p2 : p3);
        gl_tl_end(&t);
    }
    if (d->n_svc >= MAX_KEPT) {
        d->dropped++;
        return 0;
    }
    s.to = gl_xstrdup(p3);
    s.artifact = gl_xstrdup(ev->artifact ? ev->artifact : "");
    s.locator = gl_xstrdup(ev->locator);
    s.iso = gl_xstrdup(ev->time_iso);
    d->svc = gl_grow_array(d->svc, &d->cap_svc, d->n_svc, sizeof *d->svc);
    d->svc[d->n_svc++] = s;
    return 0;
}

/* The first event of the same id after e whose flag says it was undone
 * (a start after a stop, another start type after disabled), or NULL. */
static const svc_ev *undone_after(const dsa *d, const svc_ev *e)
{
    const svc_ev *best = NULL;
    for (size_t i = 0; i < d->n_svc; i++) {
        const svc_ev *o = &d->svc[i];
        bool undoes = e->id == 7036 ? o->id == 7036 && o->running : o->id == 7040 && !o->disabled;
        if (undoes && o->time >= e->time && o != e && (!best || o->time < best->time))
            best = o;
    }
    return best;
}

static void report_service(dsa *d, const svc_ev *e)
{
    const svc_ev *back = undone_after(d, e);
    gl_fb fb;
    if (e->stopped) {
        if (back)
            return; /* restarted (platform updates do this): record and timeline only */
        gl_fb_start(&fb, d->run, "defender.service_stopped");
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "the Defender service stopped and no later start is logged; the service control manager does "
                       "not log stops during shutdown, so this was a stop while Windows ran (an update, or someone "
                       "with the rights to stop it)");
        gl_fb_title(&fb, "Defender service WinDefend stopped (no restart logged)");
    } else {
        gl_fb_start(&fb, d->run, "defender.service_disabled");
        if (back)
            gl_fb_severity(&fb, GL_SEV_MEDIUM,
                           "the Defender service was set to disabled and later to %s: Defender would not have started "
                           "at a boot in between",
                           back->to);
        else
            gl_fb_severity(&fb, GL_SEV_HIGH,
                           "the Defender service was set to disabled and no later change is logged: Defender does not "
                           "run from the next boot");
        if (back)
            gl_fb_title(&fb, "Defender service WinDefend set to disabled, back to %s %s", back->to, back->iso);
        else
            gl_fb_title(&fb, "Defender service WinDefend set to disabled (no later change logged)");
    }
    gl_fb_subject(&fb, "WinDefend %u@%s", (unsigned)e->id, e->iso);
    gl_fb_time_filetime(&fb, e->time);
    gl_fb_evidence(&fb, e->artifact, "%s", e->locator);
    if (back)
        gl_fb_evidence(&fb, back->artifact, "%s", back->locator);
    gl_json *j = gl_fb_details(&fb);
    gl_json_kv_str(j, "service", "WinDefend");
    gl_json_kv_str(j, "undone_at", back ? back->iso : NULL);
    gl_fb_emit(&fb);
}

/* ---- attack surface reduction rules firing ------------------------------------------ */

static asr_group *asr_get(dsa *d, bool block, const char *rule, const char *path, const char *process)
{
    for (size_t i = 0; i < d->n_asr; i++) {
        asr_group *g = &d->asr[i];
        if (g->block == block && !strcasecmp(g->rule_id, rule) && !strcasecmp(g->path, path) &&
            !strcasecmp(g->process, process))
            return g;
    }
    if (d->n_asr >= MAX_KEPT) {
        d->dropped++;
        return NULL;
    }
    d->asr = gl_grow_array(d->asr, &d->cap_asr, d->n_asr, sizeof *d->asr);
    asr_group *g = &d->asr[d->n_asr++];
    *g = (asr_group){.block = block,
                     .rule_id = gl_xstrdup(rule),
                     .path = gl_xstrdup(path),
                     .process = gl_xstrdup(process)};
    return g;
}

void dsa_on_asr(dsa *d, const gl_event *ev)
{
    bool block = ev->event_id == 1121;
    const char *rule = gl_event_text(ev, "ID"), *path = gl_event_text(ev, "Path");
    const char *process = gl_event_text(ev, "Process Name"), *user = gl_event_text(ev, "User");
    const char *kv[] = {"mode", block ? "block" : "audit", "rule_id", rule, "path", path, "process", process, "user", user,
                        "target_commandline", gl_event_text(ev, "Target Commandline"), "parent_commandline",
                        gl_event_text(ev, "Parent Commandline"), NULL};
    defender_event_record(d->run, ev, "asr", kv);
    gl_tl t;
    gl_json *j = gl_tl_begin(&t, d->run, "defender.detection", ev->time, rule, ev->artifact, ev->locator);
    gl_json_kv_uint(j, "event_id", ev->event_id);
    gl_json_kv_str(j, "asr_mode", block ? "block" : "audit");
    gl_json_kv_str(j, "path", path);
    gl_tl_end(&t);
    asr_group *g = asr_get(d, block, rule, path, process);
    if (!g)
        return;
    if (!g->count || ev->time < g->first) {
        g->first = ev->time;
        free(g->user);
        g->user = gl_xstrdup(user);
    }
    g->count++;
    if (g->n_ev < GL_FB_MAX_EVIDENCE) {
        g->ev = gl_xrealloc(g->ev, (g->n_ev + 1) * sizeof *g->ev);
        size_t na = strlen(ev->artifact ? ev->artifact : ""), nl = strlen(ev->locator);
        char *p = gl_xmalloc(na + nl + 2);
        memcpy(p, ev->artifact ? ev->artifact : "", na + 1);
        memcpy(p + na + 1, ev->locator, nl + 1);
        g->ev[g->n_ev++] = p;
    }
}

static void report_asr(dsa *d, const asr_group *g)
{
    gl_fb fb;
    gl_fb_start(&fb, d->run, g->block ? "defender.asr_block" : "defender.asr_audit");
    if (g->block) {
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "an attack surface reduction rule stopped %s: what these rules stop (Office starting "
                       "programs, reading LSASS, PsExec/WMI process creation, obfuscated scripts) is what "
                       "intrusions do, though a line-of-business program can trip them too",
                       *g->process ? g->process : "a program");
        gl_fb_title(&fb, "Attack surface reduction rule %s blocked %s (process %s)", g->rule_id, g->path, g->process);
    } else {
        gl_fb_severity(&fb, GL_SEV_LOW,
                       "the rule is in audit mode: it would have blocked this but let it run; worth a look, not "
                       "evidence of harm by itself");
        gl_fb_title(&fb, "Attack surface reduction rule %s would have blocked %s (audit, process %s)", g->rule_id,
                    g->path, g->process);
    }
    gl_fb_subject(&fb, "%s|%s|%s", g->rule_id, g->path, g->process);
    gl_fb_time_filetime(&fb, g->first);
    for (size_t i = 0; i < g->n_ev; i++)
        gl_fb_evidence(&fb, g->ev[i], "%s", g->ev[i] + strlen(g->ev[i]) + 1);
    gl_json *j = gl_fb_details(&fb);
    gl_json_kv_str(j, "rule_id", g->rule_id);
    gl_json_kv_str(j, "path", g->path);
    gl_json_kv_str(j, "process", g->process);
    gl_json_kv_str(j, "user", g->user);
    gl_json_kv_uint(j, "events", g->count);
    gl_fb_emit(&fb);
}

void dsa_report_free(dsa *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_svc; i++)
        if (d->svc[i].stopped || d->svc[i].disabled)
            report_service(d, &d->svc[i]);
    for (size_t i = 0; i < d->n_asr; i++)
        report_asr(d, &d->asr[i]);
    if (d->dropped)
        gl_run_error(d->run, "more than %d WinDefend service events or ASR groups: %zu not reported", MAX_KEPT,
                     d->dropped);
    for (size_t i = 0; i < d->n_svc; i++) {
        free(d->svc[i].to);
        free(d->svc[i].artifact);
        free(d->svc[i].locator);
        free(d->svc[i].iso);
    }
    for (size_t i = 0; i < d->n_asr; i++) {
        asr_group *g = &d->asr[i];
        free(g->rule_id);
        free(g->path);
        free(g->process);
        free(g->user);
        for (size_t k = 0; k < g->n_ev; k++)
            free(g->ev[k]);
        free(g->ev);
    }
    free(d->svc);
    free(d->asr);
    free(d);
}

/* defender: Microsoft Defender exclusions and tampering (artifacts.md §2).
 *
 * Reads the SOFTWARE hive's Defender keys (local preferences under
 * Microsoft\Windows Defender, Group Policy under Policies\Microsoft\Windows
 * Defender, legacy SCEP under Microsoft\Microsoft Antimalware), deleted
 * values included, the WinDefend service start type, and the Defender
 * Operational log: 5007 configuration changes (parsed by mpevent.h),
 * 5000/5001/5009-5012 protection switched on/off, 5013 tampering blocked,
 * 5004 real-time configuration, 1116-1119 and 1006-1008 detections, 1013
 * history deleted, 1121/1122 attack surface reduction rules firing; and the
 * System log's 7036/7040 for the WinDefend service (defender_svc_asr.c).
 *
 * Findings: ONE per exclusion, joining every piece of evidence for it
 * (registry value per store, deleted value, 5007 adding and removing it)
 * into a timeline; one per protection setting that was switched off
 * (saying whether it stayed off); one per detection (1116/1117/1118/1119
 * sharing a Detection ID); tampering attempts; history deletion.
 * Clearing of Defender's own log is the logs module's finding.
 *
 * Records (records/defender.jsonl), by "type":
 *   exclusion  kind, value, store, deleted, key_last_write, artifact, locator
 *   setting    store, key, name, value, key_last_write, artifact, locator
 *   change     time, event_id, change (added/removed/modified), area, kind,
 *              key, name, old, new, artifact, locator           (5007)
 *   state      time, event_id, protection, enabled, artifact, locator
 *   detection  time, event_id, detection_id, threat, severity, category,
 *              path, process, user, action_id, error_code, artifact, locator
 *   event      time, event_id, detail, artifact, locator           (5013, 5004, 1013)
 *   service, asr   see defender_svc_asr.h */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "events.h"
#include "finding.h"
#include "defender_svc_asr.h"
#include "module.h"
#include "mpevent.h"
#include "mplog.h"
#include "source.h"
#include "rmmcatalog.h"
#include "shared_checks.h"
#include "text.h"
#include "timeline.h"
#include "winpath.h"
#include "wordlist.h"

#define CHANNEL "Microsoft-Windows-Windows Defender/Operational"
#define MAX_ITEMS 100000 /* exclusions, settings, detections kept: bounded memory */
#define MAX_TRANSITIONS 64

static const gl_rule_decl defender_rules[] = {
    {"defender.exclusion.path", GL_SEV_MEDIUM, "T1562.001 T1564.012 T1685", "Defender path exclusion"},
    {"defender.exclusion.extension", GL_SEV_MEDIUM, "T1562.001 T1564.012 T1685", "Defender extension exclusion"},
    {"defender.exclusion.process", GL_SEV_MEDIUM, "T1562.001 T1564.012 T1685", "Defender process exclusion"},
    {"defender.exclusion.ip", GL_SEV_MEDIUM, "T1562.001 T1564.012 T1685", "Defender IP address exclusion"},
    {"defender.exclusion.asr", GL_SEV_MEDIUM, "T1562.001 T1564.012 T1685", "Defender attack surface reduction exclusion"},
    {"defender.exclusion.other", GL_SEV_MEDIUM, "T1562.001 T1564.012 T1685", "Defender exclusion of another kind"},
    {"defender.protection_disabled", GL_SEV_HIGH, "T1562.001 T1685", "Defender protection switched off"},
    {"defender.tamper_protection_off", GL_SEV_HIGH, "T1562.001 T1685", "Defender tamper protection switched off"},
    {"defender.cloud_protection_off", GL_SEV_LOW, "T1562.001 T1685", "Defender cloud protection or sample submission off"},
    {"defender.feature_disabled", GL_SEV_LOW, "T1562.001 T1685", "Defender scanning feature or notification off"},
    {"defender.threat_action_allow", GL_SEV_HIGH, "T1562.001 T1685", "Defender default threat action set to allow"},
    {"defender.asr_rule_disabled", GL_SEV_MEDIUM, "T1562.001 T1685", "Attack surface reduction rule off or audit-only"},
    {"defender.cfa_allowed_app", GL_SEV_MEDIUM, "T1562.001 T1685", "Program allowed through Controlled Folder Access"},
    {"defender.service_disabled", GL_SEV_HIGH, "T1562.001 T1685", "Defender service disabled"},
    {"defender.tamper_attempt", GL_SEV_MEDIUM, "T1562.001 T1685", "Change to Defender blocked by tamper protection"},
    {"defender.detection", GL_SEV_MEDIUM, "T1105", "Defender detection"},
    {"defender.history_deleted", GL_SEV_MEDIUM, "T1070 T1685.005", "Defender detection history deleted"},
    {"defender.quarantine_restored", GL_SEV_MEDIUM, "T1562.001 T1685", "Item restored from Defender quarantine"},
    {"defender.service_stopped", GL_SEV_MEDIUM, "T1562.001 T1685", "Defender service stopped and not restarted"},
    /* What an ASR rule stops varies by rule (Office child processes, LSASS
     * reads, PsExec/WMI...); what they share is a program being run that
     * should not be, so User Execution is the rule-level id. */
    {"defender.asr_block", GL_SEV_MEDIUM, "T1204", "Attack surface reduction rule blocked a program"},
    {"defender.asr_audit", GL_SEV_LOW, "T1204", "Attack surface reduction rule fired in audit mode"},
    {0},
};

static const gl_event_sub defender_events[] = {
    {CHANNEL,
     {5007, 5000, 5001, 5009, 5010, 5011, 5012, 5013, 5004, 1116, 1117, 1118, 1119, 1006, 1007, 1008, 1013, 1009,
      1121, 1122},
     20},
    {"System", {7036, 7040}, 2},
    {0},
};

typedef struct defender_state {
    gl_wordlist lolbins, archivers, transfer, extensions, high_threats;
    rmmcat *rmm;
} defender_state;

/* ---- evidence lists --------------------------------------------------------------- */

typedef struct ref {
    char *artifact, *locator;
} ref;

typedef struct refs {
    ref *v;
    size_t n, cap;
} refs;

static void refs_add(refs *r, const char *artifact, const char *locator)
{
    if (r->n >= GL_FB_MAX_EVIDENCE * 2)
        return;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4;
        r->v = gl_xrealloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = (ref){gl_xstrdup(artifact ? artifact : ""), gl_xstrdup(locator ? locator : "")};
}

static void refs_free(refs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].artifact);
        free(r->v[i].locator);
    }
    free(r->v);
}

static void refs_emit(gl_fb *fb, const refs *r)
{
    for (size_t i = 0; i < r->n; i++)
        gl_fb_evidence(fb, r->v[i].artifact, "%s", r->v[i].locator);
}

static void iso_of(uint64_t ft, char out[GL_TIME_STRLEN])
{
    if (!gl_filetime_iso(ft, 7, out))
        out[0] = '\0';
}

/* ---- exclusions -------------------------------------------------------------------- */

enum { STORE_LOCAL = 1, STORE_POLICY = 2, STORE_SCEP = 4 };

typedef struct transition {
    uint64_t time;
    bool added; /* else removed */
} transition;

typedef struct excl {
    mp_excl_kind kind;
    bool asr;   /* ASR-only exclusion */
    char *value;
    unsigned stores;        /* where a live registry value names it */
    unsigned deleted_in;    /* where only a deleted value survives */
    uint64_t key_time;      /* last write of a key holding it (latest) */
    transition tr[MAX_TRANSITIONS];
    size_t n_tr;
    uint64_t mplog_time; /* latest MPLog line showing it in force; 0 none */
    refs ev;
} excl;

/* Protection settings: what "off" means for each and how bad it is. */
typedef enum off_when { OFF_NONZERO, OFF_ZERO, OFF_TWO, OFF_TAMPER, OFF_ALLOW_ACTION, OFF_EVENTS_ONLY_ZERO } off_when;

typedef struct setting_def {
    const char *key;  /* below the Defender key */
    const char *name; /* value name; NULL: every value of the key */
    const char *label;
    const char *rule;
    gl_severity sev;
    off_when off;
} setting_def;

static const setting_def settings[] = {
    {"", "DisableAntiSpyware", "antimalware engine (DisableAntiSpyware)", "defender.protection_disabled",
     GL_SEV_HIGH, OFF_NONZERO},
    {"", "DisableAntiVirus", "antivirus (DisableAntiVirus)", "defender.protection_disabled", GL_SEV_HIGH,
     OFF_NONZERO},
    {"Real-Time Protection", "DisableRealtimeMonitoring", "real-time protection", "defender.protection_disabled",
     GL_SEV_HIGH, OFF_NONZERO},
    {"Real-Time Protection", "DisableBehaviorMonitoring", "behaviour monitoring", "defender.protection_disabled",
     GL_SEV_HIGH, OFF_NONZERO},
    {"Real-Time Protection", "DisableIOAVProtection", "scanning of downloads and attachments (IOAV)",
     "defender.protection_disabled", GL_SEV_HIGH, OFF_NONZERO},
    {"Real-Time Protection", "DisableScriptScanning", "script scanning", "defender.protection_disabled", GL_SEV_HIGH,
     OFF_NONZERO},
    {"Real-Time Protection", "DisableOnAccessProtection", "on-access protection", "defender.protection_disabled",
     GL_SEV_HIGH, OFF_NONZERO},
    {"Real-Time Protection", "DisableScanOnRealtimeEnable", "process scanning when real-time protection starts",
     "defender.feature_disabled", GL_SEV_LOW, OFF_NONZERO},
    {"Features", "TamperProtection", "tamper protection", "defender.tamper_protection_off", GL_SEV_HIGH, OFF_TAMPER},
    {"SpyNet", "SpynetReporting", "cloud-delivered protection (MAPS)", "defender.cloud_protection_off", GL_SEV_LOW,
     OFF_ZERO},
    {"SpyNet", "SubmitSamplesConsent", "automatic sample submission", "defender.cloud_protection_off", GL_SEV_LOW,
     OFF_TWO},
    {"SpyNet", "DisableBlockAtFirstSeen", "block at first sight", "defender.cloud_protection_off", GL_SEV_LOW,
     OFF_NONZERO},
    {"Scan", "DisableArchiveScanning", "archive scanning", "defender.feature_disabled", GL_SEV_MEDIUM, OFF_NONZERO},
    {"Scan", "DisableRemovableDriveScanning", "removable drive scanning", "defender.feature_disabled", GL_SEV_LOW,
     OFF_NONZERO},
    {"Scan", "DisableScanningNetworkFiles", "scanning of network files", "defender.feature_disabled", GL_SEV_LOW,
     OFF_NONZERO},
    {"UX Configuration", "UILockdown", "the Defender user interface", "defender.feature_disabled", GL_SEV_LOW,
     OFF_NONZERO},
    {"UX Configuration", "Notification_Suppress", "Defender notifications", "defender.feature_disabled", GL_SEV_LOW,
     OFF_NONZERO},
    {"Windows Defender Exploit Guard\\Controlled Folder Access", "EnableControlledFolderAccess",
     "Controlled Folder Access", "defender.feature_disabled", GL_SEV_MEDIUM, OFF_EVENTS_ONLY_ZERO},
    {"Threats\\ThreatSeverityDefaultAction", NULL, "the default action for a threat severity",
     "defender.threat_action_allow", GL_SEV_HIGH, OFF_ALLOW_ACTION},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

/* Tamper protection: 5 on / 4 off on current platforms, 1/0 on early
 * ones (the corpus Win10 log); the low bit says which. */
static bool is_off(const setting_def *d, uint64_t v)
{
    switch (d->off) {
    case OFF_NONZERO: return v != 0;
    case OFF_ZERO:
    case OFF_EVENTS_ONLY_ZERO: return v == 0;
    case OFF_TWO: return v == 2;
    case OFF_TAMPER: return (v & 1) == 0;
    case OFF_ALLOW_ACTION: return v == 6 || v == 9;
    }
    return false;
}

/* One setting as seen: registry now, and switches over time. */
typedef struct setting_seen {
    const setting_def *def;
    char *name; /* value name (ThreatSeverityDefaultAction has several) */
    bool reg_known;
    uint64_t reg_value, reg_time;
    unsigned reg_store;
    struct {
        uint64_t time;
        bool off;
    } tr[MAX_TRANSITIONS];
    size_t n_tr;
    refs ev;
} setting_seen;

typedef struct detection {
    char *id, *threat, *path, *process, *user, *category, *severity;
    uint64_t first_time;
    bool failed, allowed, acted;
    refs ev;
} detection;

typedef struct ctx {
    gl_run *run;
    defender_state *st;
    excl *ex;
    size_t n_ex, cap_ex;
    setting_seen *set;
    size_t n_set, cap_set;
    detection *det;
    size_t n_det, cap_det;
    uint64_t dropped;
    dsa *svc_asr; /* WinDefend service state, ASR rules firing */
    struct skipped *skipped; /* MPLog [Exclusion] lines, joined once every log is read */
    size_t n_skipped, cap_skipped;
} ctx;

static const char *store_name(unsigned s)
{
    return s & STORE_POLICY ? "policy" : s & STORE_SCEP ? "antimalware" : "local";
}

static excl *excl_get(ctx *c, mp_excl_kind kind, bool asr, const char *value, size_t n)
{
    for (size_t i = 0; i < c->n_ex; i++)
        if (c->ex[i].kind == kind && c->ex[i].asr == asr && strlen(c->ex[i].value) == n &&
            !strncasecmp(c->ex[i].value, value, n))
            return &c->ex[i];
    if (c->n_ex >= MAX_ITEMS) {
        c->dropped++;
        return NULL;
    }
    c->ex = gl_grow_array(c->ex, &c->cap_ex, c->n_ex, sizeof *c->ex);
    excl *e = &c->ex[c->n_ex++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->asr = asr;
    e->value = gl_xmalloc(n + 1);
    memcpy(e->value, value, n);
    e->value[n] = '\0';
    return e;
}

static setting_seen *setting_get(ctx *c, const setting_def *d, const char *name, size_t n)
{
    for (size_t i = 0; i < c->n_set; i++)
        if (c->set[i].def == d && strlen(c->set[i].name) == n && !strncasecmp(c->set[i].name, name, n))
            return &c->set[i];
    if (c->n_set >= MAX_ITEMS) {
        c->dropped++;
        return NULL;
    }
    c->set = gl_grow_array(c->set, &c->cap_set, c->n_set, sizeof *c->set);
    setting_seen *s = &c->set[c->n_set++];
    memset(s, 0, sizeof *s);
    s->def = d;
    s->name = gl_xmalloc(n + 1);
    memcpy(s->name, name, n);
    s->name[n] = '\0';
    return s;
}

/* The table entry for key\name below the Defender key, or NULL. */
static const setting_def *setting_find(const char *key, size_t kn, const char *name, size_t nn)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting_def *d = &settings[i];
        if (strlen(d->key) != kn || strncasecmp(d->key, key, kn))
            continue;
        if (!d->name || (strlen(d->name) == nn && !strncasecmp(d->name, name, nn)))
            return d;
    }
    return NULL;
}

/* ---- records ----------------------------------------------------------------------- */

static void emit_record(ctx *c, gl_buf *line)
{
    gl_run_record(c->run, line->data, line->len);
    gl_buf_free(line);
}

static void value_record(ctx *c, gl_regkey k, gl_regval v, const char *type, const char *store, const char *kind,
                         const char *name, const char *key_rel, uint64_t *number)
{
    gl_buf line = {0}, loc = {0};
    gl_json j;
    char iso[GL_TIME_STRLEN];
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", type);
    gl_json_kv_str(&j, "store", store);
    if (kind)
        gl_json_kv_str(&j, "kind", kind);
    if (key_rel)
        gl_json_kv_str(&j, "key", key_rel);
    gl_json_kv_str(&j, kind ? "value" : "name", name);
    if (number)
        gl_json_kv_uint(&j, "value", *number);
    gl_json_kv_bool(&j, "deleted", gl_regval_deleted(v));
    iso_of(gl_regkey_last_write(k), iso);
    gl_json_kv_str(&j, "key_last_write", *iso ? iso : NULL);
    gl_json_kv_str(&j, "artifact", gl_regval_artifact(v));
    gl_regval_locator(v, &loc);
    gl_json_kv_str(&j, "locator", loc.data);
    gl_json_obj_end(&j);
    gl_buf_free(&loc);
    emit_record(c, &line);
}

/* ---- registry ---------------------------------------------------------------------- */

static const struct {
    const char *path;
    unsigned store;
} roots[] = {
    {"HKLM\\SOFTWARE\\Microsoft\\Windows Defender", STORE_LOCAL},
    {"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender", STORE_POLICY},
    {"HKLM\\SOFTWARE\\Microsoft\\Microsoft Antimalware", STORE_SCEP},
    {"HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware", STORE_POLICY | STORE_SCEP},
};

static gl_lookup find_key(ctx *c, const char *path, gl_regkey *k)
{
    gl_err err = {0};
    gl_lookup r = gl_regview_find_key(gl_run_regview(c->run), path, k, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    return r;
}

/* Every value of one exclusion list key (live and deleted). */
static void read_exclusion_key(ctx *c, gl_regkey k, unsigned store, mp_excl_kind kind, bool asr, const char *kind_name)
{
    gl_regvals vals = {0};
    gl_regkey_values(k, &vals);
    for (size_t i = 0; i < vals.n; i++) {
        gl_buf name = {0}, loc = {0};
        gl_regval_name(vals.v[i], &name);
        value_record(c, k, vals.v[i], "exclusion", store_name(store), kind_name, name.data ? name.data : "", NULL,
                     NULL);
        excl *e = excl_get(c, kind, asr, name.data ? name.data : "", name.len);
        if (e) {
            if (gl_regval_deleted(vals.v[i]))
                e->deleted_in |= store;
            else
                e->stores |= store;
            uint64_t t = gl_regkey_last_write(k);
            if (t > e->key_time)
                e->key_time = t;
            gl_regval_locator(vals.v[i], &loc);
            refs_add(&e->ev, gl_regval_artifact(vals.v[i]), loc.data);
        }
        gl_buf_free(&name);
        gl_buf_free(&loc);
    }
    gl_regvals_free(&vals);
}

static mp_excl_kind kind_of(const char *name)
{
    static const struct {
        const char *name;
        mp_excl_kind kind;
    } kinds[] = {{"Paths", MP_EXCL_PATHS},
                 {"Extensions", MP_EXCL_EXTENSIONS},
                 {"Processes", MP_EXCL_PROCESSES},
                 {"IpAddresses", MP_EXCL_IPADDRESSES},
                 {"TemporaryPaths", MP_EXCL_TEMPORARYPATHS}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcasecmp(kinds[i].name, name))
            return kinds[i].kind;
    return MP_EXCL_OTHER;
}

static void read_exclusions(ctx *c, const char *root, unsigned store)
{
    char path[512];
    gl_regkey k;
    snprintf(path, sizeof path, "%s\\Exclusions", root);
    if (find_key(c, path, &k) == GL_LOOKUP_FOUND) {
        gl_regkeys subs = {0};
        gl_regkey_subkeys(k, &subs);
        for (size_t i = 0; i < subs.n; i++) {
            gl_buf name = {0};
            gl_regkey_name(subs.v[i], &name);
            if (name.data)
                read_exclusion_key(c, subs.v[i], store, kind_of(name.data), false, name.data);
            gl_buf_free(&name);
        }
        gl_regkeys_free(&subs);
    }
    snprintf(path, sizeof path, "%s\\Windows Defender Exploit Guard\\ASR\\ASROnlyExclusions", root);
    if (find_key(c, path, &k) == GL_LOOKUP_FOUND)
        read_exclusion_key(c, k, store, MP_EXCL_PATHS, true, "ASROnlyExclusions");
}

static void setting_from_registry(ctx *c, const setting_def *d, gl_regkey k, gl_regval v, unsigned store,
                                  const char *name)
{
    uint32_t dw;
    gl_buf text = {0};
    uint64_t val;
    if (gl_regval_dword(v, &dw))
        val = dw;
    else if (gl_regval_string(v, &text) && text.len && text.len < 20 && strspn(text.data, "0123456789") == text.len)
        val = strtoull(text.data, NULL, 10); /* policy templates write some as REG_SZ */
    else {
        gl_buf_free(&text);
        return;
    }
    gl_buf_free(&text);
    value_record(c, k, v, "setting", store_name(store), NULL, name, d->key, &val);
    if (gl_regval_deleted(v))
        return;
    setting_seen *s = setting_get(c, d, name, strlen(name));
    if (!s)
        return;
    /* Policy wins over local preference (artifacts.md §0.2). */
    if (s->reg_known && (s->reg_store & STORE_POLICY) && !(store & STORE_POLICY))
        return;
    s->reg_known = true;
    s->reg_value = val;
    s->reg_time = gl_regkey_last_write(k);
    s->reg_store = store;
    gl_buf loc = {0};
    gl_regval_locator(v, &loc);
    refs_add(&s->ev, gl_regval_artifact(v), loc.data);
    gl_buf_free(&loc);
}

static void read_settings(ctx *c, const char *root, unsigned store)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const setting_def *d = &settings[i];
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", root, *d->key ? "\\" : "", d->key);
        gl_regkey k;
        if (find_key(c, path, &k) != GL_LOOKUP_FOUND)
            continue;
        gl_regvals vals = {0};
        gl_regkey_values(k, &vals);
        for (size_t j = 0; j < vals.n; j++) {
            gl_buf name = {0};
            gl_regval_name(vals.v[j], &name);
            if (name.data && (!d->name || !strcasecmp(d->name, name.data)))
                setting_from_registry(c, d, k, vals.v[j], store, name.data);
            gl_buf_free(&name);
        }
        gl_regvals_free(&vals);
    }
}

/* ASR rules set to 0 (off) or 2 (audit) and programs allowed through
 * Controlled Folder Access: one finding per value. */
static void list_finding(ctx *c, const char *rule, gl_severity sev, const char *why, const char *title, gl_regkey k,
                         gl_regval v, const char *name, uint64_t number)
{
    gl_buf loc = {0};
    gl_regval_locator(v, &loc);
    gl_fb fb;
    gl_fb_start(&fb, c->run, rule);
    gl_fb_severity(&fb, sev, "%s", why);
    gl_fb_title(&fb, "%s", title);
    gl_fb_subject(&fb, "%s", name);
    gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
    gl_fb_evidence(&fb, gl_regval_artifact(v), "%s", loc.data);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "name", name);
    gl_json_kv_uint(d, "value", number);
    gl_json_kv_bool(d, "deleted", gl_regval_deleted(v));
    gl_fb_emit(&fb);
    gl_buf_free(&loc);
}

static void read_asr_and_cfa(ctx *c, const char *root, unsigned store)
{
    char path[512];
    gl_regkey k;
    snprintf(path, sizeof path, "%s\\Windows Defender Exploit Guard\\ASR\\Rules", root);
    if (find_key(c, path, &k) == GL_LOOKUP_FOUND) {
        gl_regvals vals = {0};
        gl_regkey_values(k, &vals);
        for (size_t i = 0; i < vals.n; i++) {
            gl_buf name = {0}, text = {0};
            uint32_t dw = 1;
            gl_regval_name(vals.v[i], &name);
            if (!gl_regval_dword(vals.v[i], &dw) && gl_regval_string(vals.v[i], &text) && text.data)
                dw = (uint32_t)strtoul(text.data, NULL, 10);
            uint64_t n64 = dw;
            value_record(c, k, vals.v[i], "setting", store_name(store), NULL, name.data ? name.data : "",
                         "Windows Defender Exploit Guard\\ASR\\Rules", &n64);
            if (dw == 0 || dw == 2) {
                char title[600];
                snprintf(title, sizeof title, "Attack surface reduction rule %s set to %s", name.data ? name.data : "",
                         dw == 0 ? "off" : "audit only");
                list_finding(c, "defender.asr_rule_disabled", GL_SEV_MEDIUM,
                             "an ASR rule that is configured but off or audit-only blocks nothing; administrators "
                             "do this for compatibility, intruders to run what the rule stops",
                             title, k, vals.v[i], name.data ? name.data : "", dw);
            }
            gl_buf_free(&name);
            gl_buf_free(&text);
        }
        gl_regvals_free(&vals);
    }
    snprintf(path, sizeof path, "%s\\Windows Defender Exploit Guard\\Controlled Folder Access\\AllowedApplications",
             root);
    if (find_key(c, path, &k) == GL_LOOKUP_FOUND) {
        gl_regvals vals = {0};
        gl_regkey_values(k, &vals);
        for (size_t i = 0; i < vals.n; i++) {
            gl_buf name = {0};
            gl_regval_name(vals.v[i], &name);
            const char *app = name.data ? name.data : "";
            value_record(c, k, vals.v[i], "setting", store_name(store), NULL, app,
                         "Windows Defender Exploit Guard\\Controlled Folder Access\\AllowedApplications", NULL);
            gl_path_class pc = gl_winpath_class(app);
            bool writable = pc == GL_PATH_USER_WRITABLE || pc == GL_PATH_NETWORK;
            char title[600];
            snprintf(title, sizeof title, "%s allowed through Controlled Folder Access", app);
            list_finding(c, "defender.cfa_allowed_app", writable ? GL_SEV_HIGH : GL_SEV_MEDIUM,
                         writable ? "the allowed program lives where ordinary users can write, so anyone can drop a "
                                    "program there that may then encrypt protected folders"
                                  : "an allowed program may write to the protected folders; check that it is one the "
                                    "organisation installed",
                         title, k, vals.v[i], app, 0);
            gl_buf_free(&name);
        }
        gl_regvals_free(&vals);
    }
}

static void read_registry(ctx *c)
{
    if (!gl_run_regview(c->run))
        return;
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        read_exclusions(c, roots[i].path, roots[i].store);
        read_settings(c, roots[i].path, roots[i].store);
        read_asr_and_cfa(c, roots[i].path, roots[i].store);
    }
    gl_check_service_disabled(c->run, "WinDefend", "defender.service_disabled", "Defender service",
                              "the WinDefend service is set to disabled (Start=4): Defender does not run from the "
                              "next boot");
}

/* ---- events ------------------------------------------------------------------------- */

static void timeline_ev(ctx *c, const char *kind, const gl_event *ev, const char *subject, const char *detail_key,
                        const char *detail)
{
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, kind, ev->time, subject, ev->artifact, ev->locator);
    gl_json_kv_uint(d, "event_id", ev->event_id);
    if (detail_key)
        gl_json_kv_str(d, detail_key, detail);
    gl_tl_end(&t);
}

static void event_record(ctx *c, const gl_event *ev, const char *type, const char *key, const char *val)
{
    const char *kv[] = {key, val, NULL};
    defender_event_record(c->run, ev, type, key ? kv : kv + 2);
}

static void json_strn(gl_json *j, const char *key, mp_str s)
{
    gl_json_key(j, key);
    gl_json_strn(j, s.p ? s.p : "", s.n);
}

static void change_record(ctx *c, const gl_event *ev, const mp_change *ch)
{
    const mp_value *s = ch->subject;
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "change");
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    gl_json_kv_str(&j, "change", mp_change_kind_name(ch->kind));
    gl_json_kv_str(&j, "area", mp_area_name(s->area));
    gl_json_kv_str(&j, "store", mp_store_name(s->store));
    if (s->area == MP_AREA_EXCLUSION)
        gl_json_kv_str(&j, "kind", mp_excl_kind_name(s->excl));
    json_strn(&j, "key", s->rel_key);
    json_strn(&j, "name", s->name);
    json_strn(&j, "old", ch->old_v.data);
    json_strn(&j, "new", ch->new_v.data);
    gl_json_kv_str(&j, "product", gl_event_text(ev, "Product Name"));
    gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    gl_json_obj_end(&j);
    emit_record(c, &line);
}

static void add_transition_excl(excl *e, const gl_event *ev, bool added)
{
    if (e->n_tr < MAX_TRANSITIONS)
        e->tr[e->n_tr++] = (transition){ev->time, added};
    refs_add(&e->ev, ev->artifact, ev->locator);
}

static void add_transition_setting(setting_seen *s, const gl_event *ev, bool off)
{
    if (!s)
        return;
    if (s->n_tr < MAX_TRANSITIONS) {
        s->tr[s->n_tr].time = ev->time;
        s->tr[s->n_tr].off = off;
        s->n_tr++;
    }
    refs_add(&s->ev, ev->artifact, ev->locator);
}

static void exclusion_change(ctx *c, const gl_event *ev, const mp_change *ch)
{
    const mp_value *s = ch->subject;
    mp_excl_kind kind = s->area == MP_AREA_ASR_EXCLUSION ? MP_EXCL_PATHS : s->excl;
    excl *e = excl_get(c, kind, s->area == MP_AREA_ASR_EXCLUSION, s->name.p, s->name.n);
    if (!e)
        return;
    bool added = ch->kind != MP_CHANGE_REMOVED;
    add_transition_excl(e, ev, added);
    timeline_ev(c, added ? "defender.exclusion.added" : "defender.exclusion.removed", ev, e->value, "exclusion_kind",
                s->area == MP_AREA_ASR_EXCLUSION ? "ASROnlyExclusions" : mp_excl_kind_name(kind));
}

/* An ASR rule switched from block/warn (1, 6) to off (0) or audit (2). */
static void asr_change(ctx *c, const gl_event *ev, const mp_change *ch)
{
    const mp_value *n = &ch->new_v, *o = &ch->old_v;
    if (!n->has_number || (n->number != 0 && n->number != 2) || (o->has_number && (o->number == 0 || o->number == 2)))
        return;
    gl_fb fb;
    gl_fb_start(&fb, c->run, "defender.asr_rule_disabled");
    gl_fb_severity(&fb, GL_SEV_MEDIUM, "an attack surface reduction rule stopped blocking (set to %s); administrators "
                                       "do this for compatibility, intruders to run what the rule stops",
                   n->number == 0 ? "off" : "audit");
    gl_fb_title(&fb, "Attack surface reduction rule %.*s set to %s", (int)n->name.n, n->name.p,
                n->number == 0 ? "off" : "audit only");
    gl_fb_subject(&fb, "%.*s@%s", (int)n->name.n, n->name.p, ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "store", mp_store_name(n->store));
    gl_json_kv_uint(d, "value", n->number);
    gl_fb_emit(&fb);
}

static void setting_change(ctx *c, const gl_event *ev, const mp_change *ch)
{
    const mp_value *s = ch->subject;
    char subject[600];
    snprintf(subject, sizeof subject, "%.*s%s%.*s", (int)s->rel_key.n, s->rel_key.p ? s->rel_key.p : "",
             s->rel_key.n ? "\\" : "", (int)s->name.n, s->name.p ? s->name.p : "");
    char detail[128];
    snprintf(detail, sizeof detail, "%.*s -> %.*s", (int)(ch->old_v.data.n > 40 ? 40 : ch->old_v.data.n),
             ch->old_v.data.p ? ch->old_v.data.p : "", (int)(ch->new_v.data.n > 40 ? 40 : ch->new_v.data.n),
             ch->new_v.data.p ? ch->new_v.data.p : "");
    timeline_ev(c, "defender.setting.changed", ev, subject, "change", detail);
    if (s->area == MP_AREA_ASR_RULE)
        asr_change(c, ev, ch);
    const setting_def *d = setting_find(s->rel_key.p, s->rel_key.n, s->name.p, s->name.n);
    if (!d)
        return;
    bool old_off = ch->old_v.has_number && is_off(d, ch->old_v.number);
    bool new_off = ch->new_v.has_number && is_off(d, ch->new_v.number);
    if (old_off == new_off)
        return;
    add_transition_setting(setting_get(c, d, s->name.p, s->name.n), ev, new_off);
    timeline_ev(c, new_off ? "defender.protection.disabled" : "defender.protection.enabled", ev, d->label, "setting",
                subject);
}

static void on_5007(ctx *c, const gl_event *ev)
{
    const char *o = gl_event_text(ev, "Old Value"), *n = gl_event_text(ev, "New Value");
    mp_change ch;
    gl_err err = {0};
    if (mp_5007_parse(o, strlen(o), n, strlen(n), &ch, &err) < 0)
        gl_run_log(c->run, "%s %s: 5007 value text not understood: %s", ev->artifact ? ev->artifact : ev->file,
                   ev->locator, err.msg);
    if (ch.kind == MP_CHANGE_NONE)
        return;
    change_record(c, ev, &ch);
    switch (ch.subject->area) {
    case MP_AREA_EXCLUSION:
    case MP_AREA_ASR_EXCLUSION: exclusion_change(c, ev, &ch); break;
    default: setting_change(c, ev, &ch); break;
    }
}

/* 5000/5001 real-time protection on/off, 5009/5010 antispyware scanning,
 * 5011/5012 antivirus scanning. */
static void on_state(ctx *c, const gl_event *ev)
{
    static const struct {
        uint16_t id;
        const char *name;
        bool off;
    } map[] = {{5000, "DisableRealtimeMonitoring", false}, {5001, "DisableRealtimeMonitoring", true},
               {5009, "DisableAntiSpyware", false},        {5010, "DisableAntiSpyware", true},
               {5011, "DisableAntiVirus", false},          {5012, "DisableAntiVirus", true}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (map[i].id != ev->event_id)
            continue;
        const setting_def *d = NULL;
        for (size_t k = 0; k < N_SETTINGS && !d; k++)
            if (settings[k].name && !strcmp(settings[k].name, map[i].name))
                d = &settings[k];
        if (!d)
            continue;
        gl_buf line = {0};
        gl_json j;
        gl_json_init(&j, &line);
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "type", "state");
        gl_json_kv_str(&j, "time", ev->time_iso);
        gl_json_kv_uint(&j, "event_id", ev->event_id);
        gl_json_kv_str(&j, "protection", d->label);
        gl_json_kv_bool(&j, "enabled", !map[i].off);
        gl_json_kv_str(&j, "artifact", ev->artifact);
        gl_json_kv_str(&j, "locator", ev->locator);
        gl_json_obj_end(&j);
        emit_record(c, &line);
        add_transition_setting(setting_get(c, d, d->name, strlen(d->name)), ev, map[i].off);
        timeline_ev(c, map[i].off ? "defender.protection.disabled" : "defender.protection.enabled", ev, d->label,
                    NULL, NULL);
    }
}

static void on_5013(ctx *c, const gl_event *ev)
{
    const char *value = gl_event_text(ev, "Value");
    const char *type = gl_event_text(ev, "Changed Type");
    event_record(c, ev, "event", "detail", value);
    mp_value v;
    gl_err err = {0};
    mp_value_parse(value, strlen(value), &v, &err);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "defender.tamper_attempt");
    gl_fb_severity(&fb, GL_SEV_MEDIUM,
                   "someone tried to change a protected Defender setting and tamper protection refused; the "
                   "attempt shows intent to weaken Defender even though it failed");
    gl_fb_title(&fb, "Blocked attempt to change Defender setting %.*s", (int)v.name.n, v.name.p ? v.name.p : value);
    gl_fb_subject(&fb, "%s@%s", value, ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "changed_type", type);
    gl_json_kv_str(d, "value", value);
    gl_fb_emit(&fb);
}

static void on_1013(ctx *c, const gl_event *ev)
{
    const char *stamp = gl_event_text(ev, "Timestamp");
    event_record(c, ev, "event", "detail", stamp);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "defender.history_deleted");
    gl_fb_severity(&fb, GL_SEV_MEDIUM,
                   "Defender's detection history was purged; Defender does this itself for old entries, but a "
                   "manual purge after detections hides what was found");
    gl_fb_title(&fb, "Defender detection history deleted (entries up to %s)", *stamp ? stamp : "an unknown time");
    gl_fb_subject(&fb, "history@%s", ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json_kv_str(gl_fb_details(&fb), "timestamp", stamp);
    gl_fb_emit(&fb);
}

/* A hacking or credential-theft tool by its threat name (data/high-threats.txt). */
static bool high_threat(ctx *c, const char *threat)
{
    for (size_t i = 0; i < c->st->high_threats.n; i++)
        if (strcasestr(threat, c->st->high_threats.words[i]))
            return true;
    return false;
}

/* 1009: something Defender had quarantined was put back. */
static void on_1009(ctx *c, const gl_event *ev)
{
    const char *threat = gl_event_text(ev, "Threat Name"), *path = gl_event_text(ev, "Path");
    event_record(c, ev, "event", "detail", threat);
    bool tool = high_threat(c, threat);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "defender.quarantine_restored");
    if (tool)
        gl_fb_severity(&fb, GL_SEV_HIGH, "%s, a hacking or credential-theft tool, was taken out of quarantine: "
                                         "someone wants to use it", threat);
    else
        gl_fb_severity(&fb, GL_SEV_MEDIUM, "a quarantined threat was restored; users do this for false positives, "
                                           "intruders to get their tools back");
    gl_fb_title(&fb, "Defender restored %s from quarantine", *threat ? threat : "an item");
    gl_fb_subject(&fb, "%s@%s", threat, ev->time_iso);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "threat", threat);
    gl_json_kv_str(d, "path", path);
    gl_json_kv_str(d, "user", gl_event_text(ev, "User"));
    gl_fb_emit(&fb);
}

/* The detection of key, created with these facts when new; NULL when the
 * limit is reached. */
static detection *detection_get(ctx *c, const char *key, const char *threat, const char *path, const char *process,
                                const char *user, const char *category, const char *severity, uint64_t time)
{
    for (size_t i = 0; i < c->n_det; i++)
        if (!strcmp(c->det[i].id, key))
            return &c->det[i];
    if (c->n_det >= MAX_ITEMS) {
        c->dropped++;
        return NULL;
    }
    c->det = gl_grow_array(c->det, &c->cap_det, c->n_det, sizeof *c->det);
    detection *d = &c->det[c->n_det++];
    memset(d, 0, sizeof *d);
    d->id = gl_xstrdup(key);
    d->threat = gl_xstrdup(threat);
    d->path = gl_xstrdup(path);
    d->process = gl_xstrdup(process);
    d->user = gl_xstrdup(user);
    d->category = gl_xstrdup(category);
    d->severity = gl_xstrdup(severity);
    d->first_time = time;
    return d;
}

/* 1116/1117/1118/1119 (and 1006/1007/1008 of older platforms): one
 * detection per Detection ID, else per threat and path. */
static void on_detection(ctx *c, const gl_event *ev)
{
    const char *id = gl_event_text(ev, "Detection ID");
    const char *threat = gl_event_text(ev, "Threat Name");
    const char *path = gl_event_text(ev, "Path");
    char key[1200];
    snprintf(key, sizeof key, "%s|%s|%s", id, *id ? "" : threat, *id ? "" : path);
    detection *d = detection_get(c, key, threat, path, gl_event_text(ev, "Process Name"),
                                 gl_event_text(ev, "Detection User"), gl_event_text(ev, "Category Name"),
                                 gl_event_text(ev, "Severity Name"), ev->time);
    if (!d)
        return;
    const char *code = gl_event_text(ev, "Error Code");
    const char *action = gl_event_text(ev, "Action ID");
    bool acting = ev->event_id == 1117 || ev->event_id == 1007;
    if (ev->event_id == 1118 || ev->event_id == 1119 || ev->event_id == 1008 ||
        (acting && *code && strcasecmp(code, "0x00000000") != 0))
        d->failed = true;
    if (acting && !strcmp(action, "6"))
        d->allowed = true;
    if (acting)
        d->acted = true;
    refs_add(&d->ev, ev->artifact, ev->locator);

    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "detection");
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    gl_json_kv_str(&j, "detection_id", id);
    gl_json_kv_str(&j, "threat", threat);
    gl_json_kv_str(&j, "severity", gl_event_text(ev, "Severity Name"));
    gl_json_kv_str(&j, "category", gl_event_text(ev, "Category Name"));
    gl_json_kv_str(&j, "path", path);
    gl_json_kv_str(&j, "process", gl_event_text(ev, "Process Name"));
    gl_json_kv_str(&j, "user", gl_event_text(ev, "Detection User"));
    gl_json_kv_str(&j, "action_id", action);
    gl_json_kv_str(&j, "error_code", code);
    gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    gl_json_obj_end(&j);
    emit_record(c, &line);
    timeline_ev(c, "defender.detection", ev, threat, "path", path);
}

static int on_event(void *vc, const gl_event *ev)
{
    ctx *c = vc;
    switch (ev->event_id) {
    case 5007: on_5007(c, ev); break;
    case 5000:
    case 5001:
    case 5009:
    case 5010:
    case 5011:
    case 5012: on_state(c, ev); break;
    case 5013: on_5013(c, ev); break;
    case 5004: event_record(c, ev, "event", "detail", gl_event_text(ev, "Feature Name")); break;
    case 1013: on_1013(c, ev); break;
    case 1009: on_1009(c, ev); break;
    case 1121:
    case 1122: dsa_on_asr(c->svc_asr, ev); break;
    default: on_detection(c, ev); break;
    }
    return 0;
}

/* ---- MPLog --------------------------------------------------------------------------- */

#define MPLOG_GLOB "\\ProgramData\\Microsoft\\Windows Defender\\Support\\MPLog-*.log"
#define MAX_MPLOG_BYTES (256u << 20) /* Defender rotates its logs far below this */

typedef struct mplog_ctx {
    ctx *c;
    const char *artifact;
} mplog_ctx;

static void kv_span(gl_json *j, const char *key, mpl_span v)
{
    if (!v.n)
        return;
    gl_json_key(j, key);
    gl_json_strn(j, v.p, v.n);
}

static void mplog_record(mplog_ctx *m, const mpl_entry *e, const char *locator)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "mplog");
    gl_json_kv_str(&j, "kind", mpl_kind_name(e->kind));
    kv_span(&j, "time", e->time);
    kv_span(&j, "process", e->process);
    if (e->pid >= 0)
        gl_json_kv_int(&j, "pid", e->pid);
    kv_span(&j, "max_time_file", e->max_time_file);
    if (e->impact >= 0)
        gl_json_kv_int(&j, "estimated_impact", e->impact);
    if (e->list != MPL_LIST_NONE)
        gl_json_kv_str(&j, "list", mpl_list_name(e->list));
    kv_span(&j, "path", e->path);
    kv_span(&j, "device_path", e->device_path);
    kv_span(&j, "threat", e->threat);
    kv_span(&j, "resource", e->resource);
    kv_span(&j, "target", e->target);
    kv_span(&j, "source", e->source);
    gl_json_kv_str(&j, "artifact", m->artifact);
    gl_json_kv_str(&j, "locator", locator);
    gl_json_obj_end(&j);
    emit_record(m->c, &line);
}

static void excl_seen(excl *e, uint64_t time, const char *artifact, const char *locator)
{
    if (time > e->mplog_time)
        e->mplog_time = time;
    refs_add(&e->ev, artifact, locator);
}

/* An MPLog [Exclusion] line: a file or folder Defender skipped. */
typedef struct skipped {
    char *path, *artifact, *locator;
    uint64_t time;
} skipped;

static void mplog_exclusion(mplog_ctx *m, const mpl_entry *e, const char *locator)
{
    ctx *c = m->c;
    if (c->n_skipped >= MAX_ITEMS) {
        c->dropped++;
        return;
    }
    c->skipped = gl_grow_array(c->skipped, &c->cap_skipped, c->n_skipped, sizeof *c->skipped);
    skipped *k = &c->skipped[c->n_skipped++];
    k->path = gl_xmalloc(e->path.n + 1);
    memcpy(k->path, e->path.p, e->path.n);
    k->path[e->path.n] = '\0';
    k->artifact = gl_xstrdup(m->artifact ? m->artifact : "");
    k->locator = gl_xstrdup(locator);
    k->time = e->filetime;
}

/* Each skipped file is evidence of the path exclusion that covers it (from
 * the registry, events or an RTP Perf Log list of any MPLog), else an
 * exclusion of its own. */
static void join_skipped(ctx *c)
{
    size_t n_known = c->n_ex;
    for (size_t s = 0; s < c->n_skipped; s++) {
        skipped *k = &c->skipped[s];
        size_t pn = strlen(k->path);
        excl *hit = NULL;
        size_t best = 0; /* the most specific exclusion covering it (C:\ covers everything) */
        for (size_t i = 0; i < n_known; i++) {
            excl *x = &c->ex[i];
            size_t n = strlen(x->value);
            if ((x->kind == MP_EXCL_PATHS || x->kind == MP_EXCL_TEMPORARYPATHS) && !x->asr && n > best && n <= pn &&
                !strncasecmp(x->value, k->path, n) && (n == pn || k->path[n] == '\\' || x->value[n - 1] == '\\')) {
                hit = x;
                best = n;
            }
        }
        if (!hit)
            hit = excl_get(c, MP_EXCL_PATHS, false, k->path, pn);
        if (hit)
            excl_seen(hit, k->time, k->artifact, k->locator);
        free(k->path);
        free(k->artifact);
        free(k->locator);
    }
    free(c->skipped);
    c->skipped = NULL;
    c->n_skipped = 0;
}

static void mplog_rtp_exclusion(mplog_ctx *m, const mpl_entry *e, const char *locator)
{
    mp_excl_kind kind = e->list == MPL_LIST_PROCESS ? MP_EXCL_PROCESSES
                        : e->list == MPL_LIST_EXTENSION ? MP_EXCL_EXTENSIONS
                                                        : MP_EXCL_PATHS;
    excl *x = excl_get(m->c, kind, false, e->path.p, e->path.n);
    if (x)
        excl_seen(x, e->filetime, m->artifact, locator);
}

/* A detection line joins the detection of the same threat and file (the
 * events' Path is "file:_<path>"), else starts one. */
static void mplog_detection(mplog_ctx *m, const mpl_entry *e, const char *locator)
{
    ctx *c = m->c;
    char threat[512], target[1024];
    snprintf(threat, sizeof threat, "%.*s", (int)e->threat.n, e->threat.p);
    snprintf(target, sizeof target, "%.*s", (int)e->target.n, e->target.p ? e->target.p : "");
    detection *d = NULL;
    for (size_t i = 0; i < c->n_det && !d; i++) {
        const char *p = c->det[i].path;
        if (!strncasecmp(p, "file:_", 6))
            p += 6;
        if (!strcasecmp(c->det[i].threat, threat) && !strcasecmp(p, target))
            d = &c->det[i];
    }
    if (!d) {
        char key[1600];
        snprintf(key, sizeof key, "mplog|%s|%s", threat, target);
        d = detection_get(c, key, threat, target, "", "", "", "", e->filetime);
    }
    if (!d)
        return;
    if (e->filetime && (!d->first_time || e->filetime < d->first_time))
        d->first_time = e->filetime;
    refs_add(&d->ev, m->artifact, locator);
    gl_tl t;
    gl_json *j = gl_tl_begin(&t, c->run, "defender.detection", e->filetime, threat, m->artifact, locator);
    gl_json_kv_str(j, "path", target);
    gl_json_kv_str(j, "time_source", "mplog");
    gl_tl_end(&t);
}

static int on_mplog_entry(void *vm, const mpl_entry *e)
{
    mplog_ctx *m = vm;
    char locator[40];
    snprintf(locator, sizeof locator, "line %llu", (unsigned long long)e->line);
    mplog_record(m, e, locator);
    switch (e->kind) {
    case MPL_IMPACT: break; /* execution evidence: the record is the fact */
    case MPL_EXCLUSION: mplog_exclusion(m, e, locator); break;
    case MPL_RTP_EXCLUSION: mplog_rtp_exclusion(m, e, locator); break;
    case MPL_DETECTION: mplog_detection(m, e, locator); break;
    }
    return 0;
}

static int on_mplog_file(void *vc, const gl_file_info *info)
{
    ctx *c = vc;
    if (info->is_dir)
        return 0;
    gl_err err = {0};
    gl_file *f = gl_source_open_file(gl_run_source(c->run), info->path, &err);
    if (!f) {
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
        return 0;
    }
    gl_reader r = gl_file_reader(f);
    size_t n = r.size > MAX_MPLOG_BYTES ? MAX_MPLOG_BYTES : (size_t)r.size;
    if (r.size > MAX_MPLOG_BYTES)
        gl_run_log(c->run, "%s: %" PRIu64 " bytes, only the first %u read", info->path, r.size, MAX_MPLOG_BYTES);
    uint8_t *data = gl_xmalloc(n ? n : 1);
    if (gl_read_exact(&r, 0, data, n, &err) < 0) {
        gl_run_error(c->run, "%s", err.msg);
    } else {
        mplog_ctx m = {c, gl_file_artifact(f)};
        mpl_stats st;
        gl_err perr = {0};
        if (mplog_parse(data, n, info->path, on_mplog_entry, &m, &st, &perr) < 0)
            gl_run_log(c->run, "%s (%llu incomplete lines)", perr.msg, (unsigned long long)st.bad_lines);
    }
    free(data);
    gl_file_close(f);
    return 0;
}

static void read_mplogs(ctx *c)
{
    gl_err err = {0};
    if (gl_source_glob(gl_run_source(c->run), MPLOG_GLOB, on_mplog_file, c, &err) < 0 && err.code != GL_ERR_ABSENT)
        gl_run_error(c->run, "%s: %s", MPLOG_GLOB, err.msg);
    join_skipped(c);
}

/* ---- exclusion findings -------------------------------------------------------------- */

static bool in_list(const gl_wordlist *wl, const char *word) { return word && *word && gl_wordlist_has(wl, word); }

/* Tool lists a file name belongs to ("LOLBin", "archiver", ...), or NULL. */
static const char *tool_class(ctx *c, const char *file)
{
    if (in_list(&c->st->lolbins, file))
        return "a Windows program that runs or loads arbitrary code (LOLBin) or a core process";
    if (in_list(&c->st->archivers, file))
        return "an archiver (data staging)";
    if (in_list(&c->st->transfer, file))
        return "a file transfer or tunnelling tool (exfiltration)";
    rmmcat_hits hits;
    if (c->st->rmm && rmmcat_match_exe(c->st->rmm, file, strlen(file), &hits))
        return "a remote-management tool";
    return NULL;
}

/* Severity of an exclusion and why, by what it excludes. */
static gl_severity excl_severity(ctx *c, const excl *e, char *why, size_t n)
{
    const char *v = e->value;
    if (e->kind == MP_EXCL_EXTENSIONS) {
        const char *x = v;
        while (*x == '*' || *x == '.')
            x++;
        if (in_list(&c->st->extensions, x)) {
            snprintf(why, n, "every .%s file is skipped by Defender: executables and scripts of that type run "
                             "unscanned wherever they are", x);
            return GL_SEV_HIGH;
        }
        snprintf(why, n, "files of this extension are not scanned anywhere on the host; every exclusion is at "
                         "least medium because it opens a blind spot");
        return GL_SEV_MEDIUM;
    }
    if (e->kind == MP_EXCL_IPADDRESSES) {
        snprintf(why, n, "network traffic with this address is not inspected; every exclusion is at least medium");
        return GL_SEV_MEDIUM;
    }
    const char *base = gl_winpath_basename(v);
    const char *tool = tool_class(c, base);
    if (tool) {
        snprintf(why, n, "%s is %s; %s", base, tool,
                 e->kind == MP_EXCL_PROCESSES ? "whatever it opens or writes is not scanned"
                                              : "Defender never scans it");
        return GL_SEV_HIGH;
    }
    gl_path_class pc = gl_winpath_class(v);
    switch (pc) {
    case GL_PATH_DRIVE_ROOT:
        snprintf(why, n, "a whole drive is excluded: nothing on it is scanned");
        return GL_SEV_HIGH;
    case GL_PATH_USER_WRITABLE:
        snprintf(why, n, "the excluded folder is one ordinary users (and the intruder's tools) can write to, outside "
                         "Program Files and Windows, so anything dropped there runs unscanned");
        return GL_SEV_HIGH;
    case GL_PATH_NETWORK:
        snprintf(why, n, "a network share is excluded: files run from it are not scanned");
        return GL_SEV_HIGH;
    case GL_PATH_ADMIN_ONLY:
        snprintf(why, n, "the excluded location is under Windows or Program Files, writable only by administrators; "
                         "vendors ask for such exclusions, but every exclusion is at least medium");
        return GL_SEV_MEDIUM;
    case GL_PATH_NAME:
        break;
    }
    snprintf(why, n, "every exclusion is at least medium: Defender does not look at what it names");
    return GL_SEV_MEDIUM;
}

static const char *excl_rule(const excl *e)
{
    if (e->asr)
        return "defender.exclusion.asr";
    switch (e->kind) {
    case MP_EXCL_PATHS:
    case MP_EXCL_TEMPORARYPATHS: return "defender.exclusion.path";
    case MP_EXCL_EXTENSIONS: return "defender.exclusion.extension";
    case MP_EXCL_PROCESSES: return "defender.exclusion.process";
    case MP_EXCL_IPADDRESSES: return "defender.exclusion.ip";
    default: return "defender.exclusion.other";
    }
}

static void times_array(gl_json *d, const char *key, const excl *e, bool added)
{
    gl_json_key(d, key);
    gl_json_arr_begin(d);
    for (size_t i = 0; i < e->n_tr; i++) {
        char iso[GL_TIME_STRLEN];
        iso_of(e->tr[i].time, iso);
        if (e->tr[i].added == added && *iso)
            gl_json_str(d, iso);
    }
    gl_json_arr_end(d);
}

/* "path", "extension", ... for titles and details. */
static const char *excl_label(const excl *e)
{
    static const char *const names[] = {"", "path", "extension", "process", "IP address", "temporary path", "other"};
    if (e->asr)
        return "ASR-only path";
    return (size_t)e->kind < sizeof names / sizeof names[0] ? names[e->kind] : "other";
}

static void report_exclusion(ctx *c, excl *e)
{
    uint64_t first_add = 0, last_remove = 0, last_add = 0;
    for (size_t i = 0; i < e->n_tr; i++) {
        if (e->tr[i].added && (!first_add || e->tr[i].time < first_add))
            first_add = e->tr[i].time;
        if (e->tr[i].added && e->tr[i].time > last_add)
            last_add = e->tr[i].time;
        if (!e->tr[i].added && e->tr[i].time > last_remove)
            last_remove = e->tr[i].time;
    }
    bool present = e->stores != 0 || (!e->deleted_in && last_add > last_remove);
    bool mplog_only = !e->stores && !e->deleted_in && !e->n_tr && e->mplog_time;
    char mplog_iso[GL_TIME_STRLEN] = "";
    iso_of(e->mplog_time, mplog_iso);
    const char *state = mplog_only ? "seen in MPLog" : present ? "still present" : "removed";
    char why[600], removed_iso[GL_TIME_STRLEN] = "";
    gl_severity sev = excl_severity(c, e, why, sizeof why);
    iso_of(last_remove, removed_iso);
    const char *kind = excl_label(e);
    char route[64] = "";
    unsigned all = e->stores | e->deleted_in;
    snprintf(route, sizeof route, "%s%s%s%s", all & STORE_POLICY ? "policy " : "",
             all & (STORE_LOCAL | STORE_SCEP) ? "local " : "", e->n_tr ? "event " : "", e->mplog_time ? "mplog" : "");
    if (*route && route[strlen(route) - 1] == ' ')
        route[strlen(route) - 1] = '\0';
    gl_fb fb;
    gl_fb_start(&fb, c->run, excl_rule(e));
    gl_fb_severity(&fb, sev, "%s", why);
    if (mplog_only)
        gl_fb_title(&fb, "Defender %s exclusion %s (seen in MPLog %s)", kind, e->value, mplog_iso);
    else if (!present && *removed_iso)
        gl_fb_title(&fb, "Defender %s exclusion %s (removed %s)", kind, e->value, removed_iso);
    else
        gl_fb_title(&fb, "Defender %s exclusion %s (%s)", kind, e->value, state);
    gl_fb_subject(&fb, "%s:%s", kind, e->value);
    gl_fb_time_filetime(&fb, first_add    ? first_add
                             : e->key_time ? e->key_time
                             : last_remove ? last_remove
                                           : e->mplog_time);
    refs_emit(&fb, &e->ev);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "kind", kind);
    gl_json_kv_str(d, "value", e->value);
    gl_json_kv_str(d, "state", state);
    gl_json_kv_str(d, "route", route);
    gl_json_kv_bool(d, "policy", (all & STORE_POLICY) != 0);
    gl_json_kv_bool(d, "deleted_value", e->deleted_in != 0);
    gl_json_kv_str(d, "path_class", gl_path_class_name(gl_winpath_class(e->value)));
    char iso[GL_TIME_STRLEN];
    iso_of(e->key_time, iso);
    gl_json_kv_str(d, "key_last_write", *iso ? iso : NULL);
    times_array(d, "added", e, true);
    times_array(d, "removed", e, false);
    gl_json_kv_str(d, "mplog_last_seen", *mplog_iso ? mplog_iso : NULL);
    gl_fb_emit(&fb);
    /* A registry-only exclusion still gets a place on the timeline: the
     * last write of its key is the latest it can have been added. */
    if (!e->n_tr && e->key_time && e->ev.n) {
        gl_tl t;
        gl_json *td = gl_tl_begin(&t, c->run, "defender.exclusion.added", e->key_time, e->value, e->ev.v[0].artifact,
                                  e->ev.v[0].locator);
        gl_json_kv_str(td, "exclusion_kind", kind);
        gl_json_kv_str(td, "time_source", "key_last_write");
        gl_tl_end(&t);
    }
}

/* ---- setting findings ---------------------------------------------------------------- */

static void report_setting(ctx *c, setting_seen *s)
{
    const setting_def *d = s->def;
    bool reg_off = s->reg_known && d->off != OFF_EVENTS_ONLY_ZERO && is_off(d, s->reg_value);
    bool reg_on = s->reg_known && !is_off(d, s->reg_value);
    uint64_t last_off = 0, on_after = 0;
    for (size_t i = 0; i < s->n_tr; i++)
        if (s->tr[i].off && s->tr[i].time >= last_off)
            last_off = s->tr[i].time;
    if (!last_off && !reg_off)
        return;
    for (size_t i = 0; i < s->n_tr; i++)
        if (!s->tr[i].off && s->tr[i].time >= last_off && (!on_after || s->tr[i].time < on_after))
            on_after = s->tr[i].time;
    bool back_on = on_after || (last_off && reg_on && !reg_off);
    char on_iso[GL_TIME_STRLEN] = "";
    iso_of(on_after, on_iso);
    gl_severity sev = d->sev;
    gl_fb fb;
    gl_fb_start(&fb, c->run, d->rule);
    if (back_on) {
        if (sev > GL_SEV_MEDIUM)
            sev = GL_SEV_MEDIUM;
        gl_fb_severity(&fb, sev,
                       "%s was switched off and later back on%s%s: a window in which Defender was weakened, but not "
                       "a lasting one",
                       d->label, *on_iso ? " at " : "", on_iso);
        gl_fb_title(&fb, "Defender %s switched off, back on %s", d->label, *on_iso ? on_iso : "later");
    } else if (d->off == OFF_ALLOW_ACTION) {
        gl_fb_severity(&fb, sev, "Defender is told to let threats of severity %s run (action %" PRIu64 ")", s->name,
                       s->reg_value);
        gl_fb_title(&fb, "Defender default action for severity %s threats set to %s", s->name,
                    !s->reg_known ? "allow or no action" : s->reg_value == 6 ? "allow" : "no action");
    } else {
        gl_fb_severity(&fb, sev, "%s is off and stays off%s", d->label,
                       d->sev >= GL_SEV_HIGH ? ": Defender no longer stops what it would have stopped" : "");
        gl_fb_title(&fb, "Defender %s switched off (still off)", d->label);
    }
    gl_fb_subject(&fb, "%s\\%s", d->key, s->name);
    gl_fb_time_filetime(&fb, last_off ? last_off : s->reg_time);
    refs_emit(&fb, &s->ev);
    gl_json *j = gl_fb_details(&fb);
    gl_json_kv_str(j, "setting", s->name);
    gl_json_kv_str(j, "key", d->key);
    gl_json_kv_bool(j, "still_off", !back_on);
    if (s->reg_known) {
        gl_json_kv_uint(j, "registry_value", s->reg_value);
        gl_json_kv_str(j, "registry_store", store_name(s->reg_store));
    }
    gl_json_kv_str(j, "back_on", *on_iso ? on_iso : NULL);
    gl_fb_emit(&fb);
    /* Off in the registry with no event saying when: the key's last write
     * is the latest it can have happened. */
    if (!last_off && s->reg_time && s->ev.n) {
        gl_tl t;
        gl_json *td = gl_tl_begin(&t, c->run, "defender.protection.disabled", s->reg_time, d->label,
                                  s->ev.v[0].artifact, s->ev.v[0].locator);
        gl_json_kv_str(td, "setting", s->name);
        gl_json_kv_str(td, "time_source", "key_last_write");
        gl_tl_end(&t);
    }
}

/* ---- detection findings ------------------------------------------------------------- */

static void report_detection(ctx *c, detection *d)
{
    const char *path = d->path;
    if (!strncasecmp(path, "file:_", 6))
        path += 6;
    gl_fb fb;
    gl_fb_start(&fb, c->run, "defender.detection");
    if (d->failed)
        gl_fb_severity(&fb, GL_SEV_HIGH, "Defender could not complete its action on %s: the threat may still be "
                                         "on the host", d->threat);
    else if (d->allowed)
        gl_fb_severity(&fb, GL_SEV_HIGH, "the threat %s was allowed to run (action: allow)", d->threat);
    else if (high_threat(c, d->threat))
        gl_fb_severity(&fb, GL_SEV_HIGH, "%s is a hacking or credential-theft tool: someone ran intruder tooling "
                                         "on the host", d->threat);
    else
        gl_fb_severity(&fb, GL_SEV_MEDIUM, "Defender detected %s%s", d->threat,
                       d->acted ? " and acted on it" : "; no action event survives");
    gl_fb_title(&fb, "Defender detected %s in %s", d->threat, path);
    gl_fb_subject(&fb, "%s", d->id);
    gl_fb_time_filetime(&fb, d->first_time);
    refs_emit(&fb, &d->ev);
    gl_json *j = gl_fb_details(&fb);
    gl_json_kv_str(j, "threat", d->threat);
    gl_json_kv_str(j, "path", path);
    gl_json_kv_str(j, "process", d->process);
    gl_json_kv_str(j, "user", d->user);
    gl_json_kv_str(j, "category", d->category);
    gl_json_kv_str(j, "severity", d->severity);
    gl_json_kv_bool(j, "action_failed", d->failed);
    gl_json_kv_bool(j, "allowed", d->allowed);
    gl_fb_emit(&fb);
}

/* ---- the module ---------------------------------------------------------------------- */

static void free_ctx(ctx *c)
{
    for (size_t i = 0; i < c->n_ex; i++) {
        free(c->ex[i].value);
        refs_free(&c->ex[i].ev);
    }
    for (size_t i = 0; i < c->n_set; i++) {
        free(c->set[i].name);
        refs_free(&c->set[i].ev);
    }
    for (size_t i = 0; i < c->n_det; i++) {
        detection *d = &c->det[i];
        free(d->id);
        free(d->threat);
        free(d->path);
        free(d->process);
        free(d->user);
        free(d->category);
        free(d->severity);
        refs_free(&d->ev);
    }
    free(c->ex);
    free(c->set);
    free(c->det);
}

static int defender_run(gl_run *run, gl_err *err)
{
    ctx c = {.run = run, .st = gl_run_state(run), .svc_asr = dsa_new(run)};
    read_registry(&c);
    if (gl_events_each(run, CHANNEL, on_event, &c, err) != 0 ||
        gl_events_each(run, "System", dsa_on_system, c.svc_asr, err) != 0) {
        dsa_report_free(c.svc_asr);
        free_ctx(&c);
        return -1;
    }
    dsa_report_free(c.svc_asr);
    read_mplogs(&c);
    for (size_t i = 0; i < c.n_ex; i++)
        report_exclusion(&c, &c.ex[i]);
    for (size_t i = 0; i < c.n_set; i++)
        report_setting(&c, &c.set[i]);
    for (size_t i = 0; i < c.n_det; i++)
        report_detection(&c, &c.det[i]);
    if (c.dropped)
        gl_run_error(run, "more than %d exclusions, settings or detections: %" PRIu64 " not reported", MAX_ITEMS,
                     c.dropped);
    free_ctx(&c);
    return 0;
}

static int defender_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    defender_state *st = gl_xcalloc(1, sizeof *st);
    *state = st;
    if (gl_wordlist_embedded(&st->lolbins, "defender/lolbins.txt", err) < 0 ||
        gl_wordlist_embedded(&st->archivers, "defender/archivers.txt", err) < 0 ||
        gl_wordlist_embedded(&st->transfer, "defender/transfer-tools.txt", err) < 0 ||
        gl_wordlist_embedded(&st->extensions, "defender/risky-extensions.txt", err) < 0 ||
        gl_wordlist_embedded(&st->high_threats, "defender/high-threats.txt", err) < 0)
        return -1;
    return gl_rmm_builtin(&st->rmm, err);
}

static void defender_fini(void *state)
{
    defender_state *st = state;
    if (!st)
        return;
    gl_wordlist_free(&st->lolbins);
    gl_wordlist_free(&st->archivers);
    gl_wordlist_free(&st->transfer);
    gl_wordlist_free(&st->extensions);
    gl_wordlist_free(&st->high_threats);
    if (st->rmm)
        rmmcat_free(st->rmm);
    free(st);
}

const gl_module gl_module_defender = {
    .name = "defender",
    .description = "Microsoft Defender: exclusions, protections switched off, tampering, detections",
    .needs = GL_NEEDS_FILES | GL_NEEDS_EVTX | GL_NEEDS_REGISTRY, /* files: MPLog / the packet log */
    .rules = defender_rules,
    .events = defender_events,
    .init = defender_init,
    .fini = defender_fini,
    .run = defender_run,
};

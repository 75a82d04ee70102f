/* ioc: indicators of compromise matched against every record the run's
 * other modules produced. Built-in indicators are Unit 42's Muddled Libra
 * addresses and the exfiltration and anonymiser services of the report
 * (data/muddled-libra.txt); `--ioc FILE` (ioc.files, one path per line)
 * adds more, typed from their shape (collector/formats/iocfile/). A
 * malformed line stops the run before anything is read.
 *
 * Every string of every record is scanned (ioc_match.h: hash sets, so the
 * cost is linear in the records). A finding per (record, indicator) points
 * at the record's own evidence (its artifact and locator fields) or, for a
 * record without them, at the record line itself.
 *
 * Records (one per match):
 *   {"indicator","type","origin","module","record_line","field","token",
 *    "artifact","locator"} */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "embedded.h"
#include "events.h"
#include "finding.h"
#include "iocfile.h"
#include "ioc_match.h"
#include "module.h"
#include "text.h"

#define BUILTIN "ioc/muddled-libra.txt"
#define MAX_IOC_FILE (64u << 20)
#define MAX_DEPTH 32        /* JSON nesting walked in a record */
#define MAX_HITS_PER_RECORD 64
#define EXCERPT 160

/* every evidence module of modules/module_list.h */
static const char *const ioc_reads[] = {"files", "logs",     "yara",     "defender", "firewall", "tasks",
                                        "rmm",   "services", "accounts", "staging",  NULL};

static const gl_setting_decl ioc_settings[] = {
    {"files", GL_SETTING_TEXT, "", "indicator files, one path per line (--ioc)"},
    {"builtin", GL_SETTING_BOOL, "true", "match the built-in Muddled Libra indicators"},
    {"max_per_indicator", GL_SETTING_UINT, "1000", "findings per indicator; further matches are counted in the log"},
    {0},
};

static const gl_rule_decl ioc_rules[] = {
    {"ioc.ip", GL_SEV_HIGH, "T1071 T1090", "Evidence mentions a known-bad IP address"},
    {"ioc.domain", GL_SEV_HIGH, "T1071.001 T1567.002", "Evidence mentions a known-bad domain"},
    {"ioc.hash", GL_SEV_HIGH, "T1588.002", "Evidence holds a known-bad file hash"},
    {"ioc.filename", GL_SEV_HIGH, "T1588.002", "Evidence names a known-bad file"},
    {0},
};

typedef struct ioc_state {
    ioc_set *set;
} ioc_state;

/* ---- init: load every indicator before anything is read ------------------------------------ */

typedef struct load_ctx {
    ioc_set *set;
    const char *name;
    bool builtin;
} load_ctx;

static int on_ioc(void *ctx, const gl_ioc *ioc)
{
    load_ctx *l = ctx;
    char origin[1200];
    snprintf(origin, sizeof origin, "%s%s:%zu", l->builtin ? "built-in " : "", l->name, ioc->line);
    ioc_set_add(l->set, ioc, origin, l->builtin);
    return 0;
}

static int load_file(ioc_set *set, const char *path, gl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_err_setc(err, GL_ERR_USAGE, "indicator file %s: cannot be read", path);
    gl_buf text = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= MAX_IOC_FILE)
        gl_buf_append(&text, chunk, got);
    bool failed = ferror(f) != 0;
    fclose(f);
    int rc;
    if (failed)
        rc = gl_err_setc(err, GL_ERR_USAGE, "indicator file %s: read error", path);
    else if (text.len > MAX_IOC_FILE)
        rc = gl_err_setc(err, GL_ERR_USAGE, "indicator file %s: larger than %u MiB", path, MAX_IOC_FILE >> 20);
    else
        rc = gl_iocfile_parse(text.data ? text.data : "", text.len, path, on_ioc,
                              &(load_ctx){set, path, false}, err);
    gl_buf_free(&text);
    return rc;
}

static int ioc_init(gl_run *run, void **state, gl_err *err)
{
    ioc_set *set = ioc_set_new();
    int rc = 0;
    if (gl_run_setting_bool(run, "builtin", true)) {
        size_t n;
        const char *text = gl_embedded_data(BUILTIN, &n);
        if (!text)
            rc = gl_err_set(err, "built-in indicators %s are missing from this build", BUILTIN);
        else
            rc = gl_iocfile_parse(text, n, BUILTIN + 4, on_ioc, &(load_ctx){set, BUILTIN + 4, true}, err);
    }
    char *files = gl_xstrdup(gl_run_setting(run, "files", "")), *save = NULL;
    for (char *p = strtok_r(files, "\n", &save); p && rc == 0; p = strtok_r(NULL, "\n", &save))
        rc = load_file(set, p, err);
    free(files);
    if (rc != 0) {
        ioc_set_free(set);
        return -1;
    }
    ioc_state *st = gl_xcalloc(1, sizeof *st);
    st->set = set;
    *state = st;
    return 0;
}

static void ioc_fini(void *state)
{
    ioc_state *st = state;
    if (!st)
        return;
    ioc_set_free(st->set);
    free(st);
}

/* ---- matching one record ------------------------------------------------------------------ */

/* One finding per indicator: every record that mentions it is evidence
 * (a responder wants "this address, in these 7 places", not 7 findings). */
typedef struct per_indicator {
    const ioc_entry *e;
    uint64_t findings, suppressed; /* records written, and past ioc.max_per_indicator */
    uint64_t hits;                 /* records that mention it */
    gl_fb *fb;                     /* the finding, built as records come */
    char first_time[GL_TIME_STRLEN];
    char modules[256];             /* modules whose records mention it, '+'-joined */
    char first_module[64];
} per_indicator;

typedef struct match_ctx {
    gl_run *run;
    const char *module;
    uint64_t line;
    uint64_t max_per;
    /* this record */
    const cJSON *rec;
    const char *field;
    const char *text;
    size_t text_len;
    const ioc_entry *seen[MAX_HITS_PER_RECORD];
    size_t n_seen;
    /* the run: findings per indicator (a few hundred indicators, linear scan is fine) */
    per_indicator *per;
    size_t n_per;
    uint64_t matches;
} match_ctx;

static const char *rec_str(const cJSON *rec, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *rule_of(gl_ioc_type t)
{
    switch (t) {
    case GL_IOC_IPV4:
    case GL_IOC_IPV6:
    case GL_IOC_CIDR4:
    case GL_IOC_CIDR6: return "ioc.ip";
    case GL_IOC_DOMAIN:
    case GL_IOC_WILDCARD: return "ioc.domain";
    case GL_IOC_FILENAME: return "ioc.filename";
    default: return "ioc.hash";
    }
}

static per_indicator *counter(match_ctx *m, const ioc_entry *e)
{
    for (size_t i = 0; i < m->n_per; i++)
        if (m->per[i].e == e)
            return &m->per[i];
    m->per = gl_xrealloc(m->per, (m->n_per + 1) * sizeof *m->per);
    memset(&m->per[m->n_per], 0, sizeof m->per[m->n_per]);
    m->per[m->n_per].e = e;
    return &m->per[m->n_per++];
}

/* Evidence of a record: its own artifact and locator when it has them. */
static void record_evidence(const match_ctx *m, const char **artifact, char *art_buf, char *locator, size_t cap)
{
    const char *a = rec_str(m->rec, "artifact"), *loc = rec_str(m->rec, "locator");
    if (a) {
        *artifact = a;
        snprintf(locator, cap, "%s", loc ? loc : rec_str(m->rec, "path") ? rec_str(m->rec, "path") : "");
        return;
    }
    /* no evidence of its own: the record line, a member of the bundle too */
    snprintf(art_buf, cap, "records/%s.jsonl", m->module);
    *artifact = art_buf;
    snprintf(locator, cap, "line %" PRIu64, m->line);
}

static void emit_record(match_ctx *m, const ioc_entry *e, const char *token, size_t tn, const char *artifact,
                        const char *locator)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "indicator", e->value);
    gl_json_kv_str(&j, "type", gl_ioc_type_name(e->type));
    gl_json_kv_str(&j, "origin", e->origin);
    gl_json_kv_str(&j, "module", m->module);
    gl_json_kv_uint(&j, "record_line", m->line);
    gl_json_kv_str(&j, "field", m->field);
    gl_json_key(&j, "token");
    gl_json_strn(&j, token, tn);
    gl_json_kv_str(&j, "artifact", artifact);
    gl_json_kv_str(&j, "locator", locator);
    gl_json_obj_end(&j);
    gl_run_record(m->run, line.data, line.len);
    gl_buf_free(&line);
}

/* Start the indicator's finding at its first record: severity, reason
 * and the first match's details. */
static gl_fb *start_finding(match_ctx *m, const ioc_entry *e, const char *token, size_t tn)
{
    gl_fb *fb = gl_xcalloc(1, sizeof *fb);
    gl_fb_start(fb, m->run, rule_of(e->type));
    gl_severity sev = e->severity == GL_IOC_SEV_NONE ? GL_SEV_HIGH : (gl_severity)e->severity;
    if (e->builtin)
        gl_fb_severity(fb, sev, "%s is a built-in indicator (%s)%s; benign only if the match is a lookup or "
                       "block-list entry rather than activity", e->value, e->note[0] ? e->note : e->origin,
                       sev < GL_SEV_HIGH ? ": a service employees may also use legitimately" : "");
    else
        gl_fb_severity(fb, sev, "%s is an indicator given with --ioc (%s), severity %s", e->value, e->origin,
                       e->severity == GL_IOC_SEV_NONE ? "high by default" : "as given on its line");
    gl_fb_subject(fb, "%s", e->value);
    gl_json *d = gl_fb_details(fb);
    gl_json_kv_str(d, "indicator", e->value);
    gl_json_kv_str(d, "type", gl_ioc_type_name(e->type));
    gl_json_kv_str(d, "origin", e->origin);
    gl_json_kv_str(d, "module", m->module);
    gl_json_kv_uint(d, "record_line", m->line);
    gl_json_kv_str(d, "field", m->field);
    gl_json_key(d, "token");
    gl_json_strn(d, token, tn);
    gl_json_key(d, "excerpt");
    gl_json_strn(d, m->text, m->text_len < EXCERPT ? m->text_len : EXCERPT);
    return fb;
}

static void add_to_finding(match_ctx *m, per_indicator *pc, const char *token, size_t tn, const char *artifact,
                           const char *locator)
{
    if (!pc->fb) {
        pc->fb = start_finding(m, pc->e, token, tn);
        snprintf(pc->first_module, sizeof pc->first_module, "%s", m->module);
    }
    pc->hits++;
    gl_fb_evidence(pc->fb, artifact, "%s", locator);
    const char *t = rec_str(m->rec, "time");
    if (t && t[0] && (!pc->first_time[0] || strcmp(t, pc->first_time) < 0)) /* ISO strings sort by time */
        snprintf(pc->first_time, sizeof pc->first_time, "%s", t);
    size_t ml = strlen(m->module);
    const char *at = strstr(pc->modules, m->module);
    bool listed = at && (at == pc->modules || at[-1] == '+') && (at[ml] == '+' || !at[ml]);
    if (!listed && strlen(pc->modules) + ml + 2 < sizeof pc->modules)
        snprintf(pc->modules + strlen(pc->modules), sizeof pc->modules - strlen(pc->modules), "%s%s",
                 pc->modules[0] ? "+" : "", m->module);
}

static void emit_finding(gl_run *run, per_indicator *pc)
{
    const ioc_entry *e = pc->e;
    if (pc->hits == 1)
        gl_fb_title(pc->fb, "%s record mentions %s %s%s%s", pc->first_module, gl_ioc_type_name(e->type), e->value,
                    e->note[0] ? ": " : "", e->note);
    else
        gl_fb_title(pc->fb, "%s records mention %s %s (%" PRIu64 " records)%s%s", pc->modules,
                    gl_ioc_type_name(e->type), e->value, pc->hits, e->note[0] ? ": " : "", e->note);
    gl_fb_time_iso(pc->fb, pc->first_time[0] ? pc->first_time : NULL);
    gl_json_kv_uint(gl_fb_details(pc->fb), "records", pc->hits);
    gl_json_kv_str(gl_fb_details(pc->fb), "modules", pc->modules);
    (void)run;
    gl_fb_emit(pc->fb);
    free(pc->fb);
    pc->fb = NULL;
}

static void on_hit(void *ctx, const ioc_entry *e, const char *token, size_t tn)
{
    match_ctx *m = ctx;
    for (size_t i = 0; i < m->n_seen; i++)
        if (m->seen[i] == e)
            return; /* one finding per indicator and record */
    if (m->n_seen == MAX_HITS_PER_RECORD)
        return;
    m->seen[m->n_seen++] = e;
    m->matches++;
    per_indicator *pc = counter(m, e);
    const char *artifact;
    char locator[1024], art_buf[1024];
    record_evidence(m, &artifact, art_buf, locator, sizeof locator);
    add_to_finding(m, pc, token, tn, artifact, locator);
    if (pc->findings == m->max_per) {
        pc->suppressed++;
        return;
    }
    pc->findings++;
    emit_record(m, e, token, tn, artifact, locator);
}

static void walk(match_ctx *m, const ioc_set *set, const cJSON *v, const char *key, int depth)
{
    if (depth > MAX_DEPTH)
        return;
    if (cJSON_IsString(v)) {
        m->field = key;
        m->text = v->valuestring;
        m->text_len = strlen(v->valuestring);
        ioc_set_scan(set, m->text, m->text_len, on_hit, m);
        return;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, v) walk(m, set, c, cJSON_IsObject(v) && c->string ? c->string : key, depth + 1);
}

static int on_record(void *ctx, const char *line, size_t n)
{
    match_ctx *m = ctx;
    m->line++;
    cJSON *rec = cJSON_ParseWithLength(line, n);
    if (!rec) {
        gl_run_error(m->run, "records/%s.jsonl line %" PRIu64 ": not JSON", m->module, m->line);
        return 0;
    }
    m->rec = rec;
    m->n_seen = 0;
    walk(m, ((ioc_state *)gl_run_state(m->run))->set, rec, "", 0);
    cJSON_Delete(rec);
    return 0;
}

/* Name resolutions are where exfiltration services show first: each DNS
 * Client 3008 becomes a small record-like object (its own evidence and
 * time) matched like any module's record. */
static int on_dns_event(void *ctx, const gl_event *ev)
{
    match_ctx *m = ctx;
    m->line++;
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "artifact", ev->artifact ? ev->artifact : "");
    cJSON_AddStringToObject(rec, "locator", ev->locator);
    cJSON_AddStringToObject(rec, "time", ev->time_iso);
    cJSON_AddStringToObject(rec, "QueryName", gl_event_text(ev, "QueryName"));
    cJSON_AddStringToObject(rec, "QueryResults", gl_event_text(ev, "QueryResults"));
    m->rec = rec;
    m->n_seen = 0;
    walk(m, ((ioc_state *)gl_run_state(m->run))->set, rec, "", 0);
    cJSON_Delete(rec);
    return 0;
}

static int ioc_run(gl_run *run, gl_err *err)
{
    ioc_state *st = gl_run_state(run);
    /* CPU time of the matching itself, logged: on a busy host wall time
     * mostly measures the neighbours (tests/bench/bench_ioc.sh reads it) */
    struct timespec cpu0, cpu1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    match_ctx m = {.run = run, .max_per = gl_run_setting_uint(run, "max_per_indicator", 1000)};
    uint64_t records = 0;
    for (const char *const *mod = ioc_reads; *mod; mod++) {
        m.module = *mod;
        m.line = 0;
        gl_err rerr = {0};
        if (gl_run_each_record(run, *mod, on_record, &m, &rerr) < 0)
            gl_run_error(run, "reading records of %s: %s", *mod, rerr.msg);
        records += m.line;
    }
    m.module = "dns";
    m.line = 0;
    if (gl_events_each(run, "Microsoft-Windows-DNS-Client/Operational", on_dns_event, &m, err) != 0) {
        for (size_t i = 0; i < m.n_per; i++)
            if (m.per[i].fb) {
                gl_fb_discard(m.per[i].fb);
                free(m.per[i].fb);
            }
        free(m.per);
        return -1;
    }
    records += m.line;
    for (size_t i = 0; i < m.n_per; i++)
        if (m.per[i].fb)
            emit_finding(run, &m.per[i]);
    for (size_t i = 0; i < m.n_per; i++)
        if (m.per[i].suppressed)
            gl_run_log(run, "%s: %" PRIu64 " more matching records past ioc.max_per_indicator, not written as records",
                       m.per[i].e->value, m.per[i].suppressed);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
    gl_run_log(run, "ioc: %zu indicators, %" PRIu64 " records read, %" PRIu64 " matches, %.3f s CPU",
               ioc_set_count(st->set), records, m.matches,
               (double)(cpu1.tv_sec - cpu0.tv_sec) + (double)(cpu1.tv_nsec - cpu0.tv_nsec) / 1e9);
    free(m.per);
    return 0;
}

static const gl_event_sub ioc_events[] = {
    {"Microsoft-Windows-DNS-Client/Operational", {3008}, 1}, /* query completed: QueryName, QueryResults */
    {0},
};

const gl_module gl_module_ioc = {
    .name = "ioc",
    .events = ioc_events,
    .description = "indicators (Muddled Libra built-ins + --ioc) matched in every module's records and DNS queries",
    .needs = GL_NEEDS_EVTX,
    .settings = ioc_settings,
    .rules = ioc_rules,
    .reads = ioc_reads,
    .init = ioc_init,
    .fini = ioc_fini,
    .run = ioc_run,
};

#include "collect.h"
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "bundle.h"
#include "bundle_crypt.h"
#include "buf.h"
#include "guard.h"
#include "hostinfo.h"
#include "livehost.h"
#include "outdir.h"
#include "json.h"
#include "spool.h"
#include "text.h"

#define MAX_ERRORS_LISTED 200 /* per module in run.json; all are in log.txt */
#define MAX_SHARED 16

typedef struct module_result {
    const gl_module *mod;
    const char *status; /* "complete", "partial", "failed" */
    char started[GL_TIME_STRLEN], ended[GL_TIME_STRLEN];
    double seconds;
    uint64_t records, findings, timeline, errors, artifacts_before, artifacts_after;
    char **error_list;
    size_t n_error_list;
    char *failure;
    const char *limit; /* a limit that stopped part of its work ("time_limit", ...) */
    void *state;       /* from init */
    bool initialised;
    gl_spool spool;    /* its records, kept until the end so later modules can read them */
} module_result;

typedef struct shared_obj {
    char *key;
    void *obj;
    void (*destroy)(void *obj);
} shared_obj;

struct gl_run {
    const gl_collect_opts *opts;
    gl_source *src;
    gl_bundle *bundle;
    gl_outdir *outdir; /* instead of the bundle when opts->emit_dir is set */
    gl_acquirer *acq; /* the bundle's, detached by gl_run_open_unacquired */
    gl_acquirer sink_acq; /* what acq hands admitted files to */
    gl_limiter *limiter;
    char host[256];
    char output_dir[4096];
    gl_spool findings;
    gl_spool timeline;
    gl_spool log;
    const gl_module **order; /* run order */
    module_result *mods;     /* parallel to order */
    size_t n_mods;
    module_result *cur;
    gl_regview *regview;
    bool regview_tried;
    gl_livehost *live; /* a live host: what it holds open, preserved, and its facts (livehost.h) */
    shared_obj shared[MAX_SHARED];
    size_t n_shared;
    uint64_t total_findings, total_timeline, total_errors;
    gl_summary summary;
    char **run_errors; /* errors outside any module */
    size_t n_run_errors;
    char product[256]; /* Windows product name of the evidence, read before acquisition starts */
    gl_err io_err; /* first spool write failure */
    bool io_failed;
};

/* Set from a signal handler (SIGINT, SIGTERM, console close): stop
 * acquiring, run no further module, and finish a valid partial bundle. */
static volatile sig_atomic_t stop_requested;
void gl_collect_request_stop(void) { stop_requested = 1; }

const char *gl_severity_name(gl_severity s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    return (unsigned)s < 5 ? names[s] : "info";
}

gl_source *gl_run_source(gl_run *run) { return run->src; }

/* The source acquires every file it opens while an acquirer is attached;
 * detaching it around one open is the whole trick. */
gl_file *gl_run_open_unacquired(gl_run *run, const char *path, gl_err *err)
{
    gl_source_set_acquirer(run->src, NULL);
    gl_file *f = gl_source_open_file(run->src, path, err);
    gl_source_set_acquirer(run->src, run->acq);
    return f;
}
const char *gl_run_host(const gl_run *run) { return run->host; }
void *gl_run_state(gl_run *run) { return run->cur ? run->cur->state : NULL; }
const char *gl_run_spool_dir(const gl_run *run) { return run->output_dir; }
const gl_module *gl_run_current(const gl_run *run) { return run->cur ? run->cur->mod : NULL; }

size_t gl_run_modules(const gl_run *run, const gl_module *const **mods)
{
    *mods = run->order;
    return run->n_mods;
}

const gl_module *gl_module_lookup(const gl_module *const *modules, const char *name)
{
    for (size_t i = 0; modules && modules[i]; i++)
        if (!strcmp(modules[i]->name, name))
            return modules[i];
    return NULL;
}

const gl_rule_decl *gl_module_rule(const gl_module *m, const char *id)
{
    for (const gl_rule_decl *r = m->rules; r && r->id; r++)
        if (!strcmp(r->id, id))
            return r;
    return NULL;
}

const gl_setting_decl *gl_module_setting(const gl_module *m, const char *key)
{
    for (const gl_setting_decl *d = m->settings; d && d->key; d++)
        if (!strcmp(d->key, key))
            return d;
    return NULL;
}

/* ---- where the run's output goes: the bundle, or a directory (emit_dir) ---- */

static int put_spool(gl_run *run, const char *member, gl_spool *sp, gl_err *err)
{
    return run->outdir ? gl_outdir_add_spool(run->outdir, member, sp, err)
                       : gl_bundle_add_spool(run->bundle, member, sp, err);
}

static int put_buffer(gl_run *run, const char *member, const void *data, size_t n, gl_err *err)
{
    return run->outdir ? gl_outdir_add_buffer(run->outdir, member, data, n, err)
                       : gl_bundle_add_buffer(run->bundle, member, data, n, err);
}

static gl_bundle_stats run_stats(const gl_run *run)
{
    if (!run->outdir)
        return gl_bundle_get_stats(run->bundle);
    gl_bundle_stats st = {.artifacts = gl_outdir_artifacts(run->outdir)};
    return st;
}

/* ---- settings ------------------------------------------------------------ */

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(v, yes[i]))
            return *out = true, 0;
        if (!strcasecmp(v, no[i]))
            return *out = false, 0;
    }
    return -1;
}

static int parse_uint(const char *v, uint64_t *out)
{
    if (!*v || *v == '-' || *v == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*end || errno || n > INT64_MAX)
        return -1;
    *out = n;
    return 0;
}

/* "0" too: a setting may turn a window off. */
static int parse_seconds(const char *v, int64_t *out)
{
    if (strspn(v, "0") == strlen(v) && *v)
        return *out = 0, 0;
    return gl_parse_duration(v, out);
}

int gl_setting_check(const gl_setting_decl *d, const char *module, const char *value, gl_err *err)
{
    uint64_t u;
    int64_t sec;
    bool b;
    struct stat st;
    switch (d->type) {
    case GL_SETTING_SIZE:
        if (gl_parse_size(value, &u) == 0)
            return 0;
        return gl_err_setc(err, GL_ERR_USAGE, "setting %s.%s: '%s' is not a size (e.g. 512, 64K, 2M, 4GiB)",
                           module, d->key, value);
    case GL_SETTING_UINT:
        if (parse_uint(value, &u) == 0)
            return 0;
        return gl_err_setc(err, GL_ERR_USAGE, "setting %s.%s: '%s' is not a whole number", module, d->key, value);
    case GL_SETTING_BOOL:
        if (parse_bool(value, &b) == 0)
            return 0;
        return gl_err_setc(err, GL_ERR_USAGE, "setting %s.%s: '%s' is not true or false", module, d->key, value);
    case GL_SETTING_DURATION:
        if (parse_seconds(value, &sec) == 0)
            return 0;
        return gl_err_setc(err, GL_ERR_USAGE, "setting %s.%s: '%s' is not a duration (e.g. 90s, 15m, 12h, 30d)",
                           module, d->key, value);
    case GL_SETTING_FILE:
        if (stat(value, &st) == 0 && S_ISREG(st.st_mode))
            return 0;
        return gl_err_setc(err, GL_ERR_USAGE, "setting %s.%s: '%s' is not a readable file", module, d->key, value);
    case GL_SETTING_TEXT: return 0;
    }
    return 0;
}

/* Unset: the declared default when there is one, else def. */
const char *gl_run_setting(const gl_run *run, const char *key, const char *def)
{
    gl_buf full = {0};
    gl_buf_printf(&full, "%s.%s", run->cur ? run->cur->mod->name : "", key);
    const char *v = gl_profile_setting(run->opts->profile, full.data);
    gl_buf_free(&full);
    if (v)
        return v;
    const gl_setting_decl *d = run->cur ? gl_module_setting(run->cur->mod, key) : NULL;
    return d && d->def ? d->def : def;
}

/* Values were checked against the declarations before the run; a module
 * asking for a key it did not declare gets the default and an error. */
static const char *typed_setting(gl_run *run, const char *key, gl_setting_type type)
{
    const gl_setting_decl *d = run->cur ? gl_module_setting(run->cur->mod, key) : NULL;
    if (!d || d->type != type) {
        gl_run_error(run, "setting %s.%s read but not declared with this type", run->cur ? run->cur->mod->name : "?",
                     key);
        return NULL;
    }
    return gl_run_setting(run, key, NULL);
}

uint64_t gl_run_setting_size(gl_run *run, const char *key, uint64_t def)
{
    const char *v = typed_setting(run, key, GL_SETTING_SIZE);
    uint64_t out;
    return v && gl_parse_size(v, &out) == 0 ? out : def;
}

uint64_t gl_run_setting_uint(gl_run *run, const char *key, uint64_t def)
{
    const char *v = typed_setting(run, key, GL_SETTING_UINT);
    uint64_t out;
    return v && parse_uint(v, &out) == 0 ? out : def;
}

bool gl_run_setting_bool(gl_run *run, const char *key, bool def)
{
    const char *v = typed_setting(run, key, GL_SETTING_BOOL);
    bool out;
    return v && parse_bool(v, &out) == 0 ? out : def;
}

int64_t gl_run_setting_seconds(gl_run *run, const char *key, int64_t def)
{
    const char *v = typed_setting(run, key, GL_SETTING_DURATION);
    int64_t out;
    return v && parse_seconds(v, &out) == 0 ? out : def;
}

size_t gl_run_targets(const gl_run *run, const gl_target **targets)
{
    *targets = run->opts->profile->targets;
    return run->opts->profile->n_targets;
}

static void now_iso(char out[GL_TIME_STRLEN])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    gl_unixtime_iso(ts.tv_sec, ts.tv_nsec, 3, out);
}

static void spool_or_note(gl_run *run, gl_spool *sp, const char *line, size_t n)
{
    if (run->io_failed)
        return;
    if (gl_spool_line(sp, line, n, &run->io_err) != 0)
        run->io_failed = true;
}

/* Everything goes to log.txt; only module progress and errors to the
 * console, so a deployment's captured stderr stays short. */
static void log_line(gl_run *run, const char *level, const char *msg)
{
    gl_guard_kit_enter();
    char ts[GL_TIME_STRLEN];
    now_iso(ts);
    gl_buf line = {0};
    gl_buf_printf(&line, "%s %s %s: ", ts, level, run->cur ? run->cur->mod->name : "gleaner");
    gl_escape_controls(&line, msg); /* evidence names must not forge log lines */
    spool_or_note(run, &run->log, line.data, line.len);
    if (run->opts->progress && strcmp(level, "DETAIL"))
        fprintf(run->opts->progress, "%s\n", line.data + strlen(ts) + 1);
    gl_buf_free(&line);
    gl_guard_kit_leave();
}

static void vlog(gl_run *run, const char *level, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    log_line(run, level, msg);
}

void gl_run_log(gl_run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(run, "DETAIL", fmt, ap);
    va_end(ap);
}

static void progress(gl_run *run, const char *fmt, ...) GL_PRINTF(2, 3);
static void progress(gl_run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(run, "INFO", fmt, ap);
    va_end(ap);
}

static void note_error(gl_run *run, const char *msg)
{
    gl_guard_kit_enter();
    run->total_errors++;
    module_result *m = run->cur;
    if (!m) { /* the run's own problems (interruption): listed at the top of run.json */
        if (run->n_run_errors < MAX_ERRORS_LISTED) {
            run->run_errors = gl_xrealloc(run->run_errors, (run->n_run_errors + 1) * sizeof *run->run_errors);
            run->run_errors[run->n_run_errors++] = gl_xstrdup(msg);
        }
        gl_guard_kit_leave();
        return;
    }
    m->errors++;
    if (m->n_error_list < MAX_ERRORS_LISTED) {
        m->error_list = gl_xrealloc(m->error_list, (m->n_error_list + 1) * sizeof *m->error_list);
        m->error_list[m->n_error_list++] = gl_xstrdup(msg);
    }
    gl_guard_kit_leave();
}

void gl_run_error(gl_run *run, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_line(run, "ERROR", msg);
    note_error(run, msg);
}

bool gl_run_expired(gl_run *run) { return run->limiter && gl_limiter_expired(run->limiter); }

void gl_run_record(gl_run *run, const char *json, size_t n)
{
    if (!run->cur)
        return;
    gl_guard_kit_enter();
    spool_or_note(run, &run->cur->spool, json, n);
    run->cur->records++;
    gl_guard_kit_leave();
}

/* A module over its time budget stops reading records: it ends with what
 * it read, and the engine marks it partial for the limit. */
typedef struct deadline_reader {
    gl_run *run;
    gl_record_cb cb;
    void *ctx;
    bool expired;
} deadline_reader;

static int records_until_deadline(void *ctx, const char *line, size_t n)
{
    deadline_reader *d = ctx;
    if (gl_run_expired(d->run))
        return d->expired = true, 1;
    return d->cb(d->ctx, line, n);
}

int gl_run_each_record(gl_run *run, const char *module, gl_record_cb cb, void *ctx, gl_err *err)
{
    bool declared = false;
    for (const char *const *r = run->cur ? run->cur->mod->reads : NULL; r && *r; r++)
        declared |= !strcmp(*r, module);
    if (!declared)
        return gl_err_set(err, "module %s reads records of %s without declaring it in `reads`",
                          run->cur ? run->cur->mod->name : "?", module);
    for (size_t i = 0; i < run->n_mods; i++) {
        module_result *m = &run->mods[i];
        if (strcmp(m->mod->name, module) || !m->spool.fp)
            continue;
        deadline_reader d = {run, cb, ctx, false};
        int rc = gl_spool_each_line(&m->spool, records_until_deadline, &d, err);
        return d.expired ? 0 : rc;
    }
    return 0; /* not part of this run: no records */
}

int gl_run_each_timeline(gl_run *run, gl_record_cb cb, void *ctx, gl_err *err)
{
    return gl_spool_each_line(&run->timeline, cb, ctx, err);
}

int gl_run_each_finding(gl_run *run, gl_record_cb cb, void *ctx, gl_err *err)
{
    return gl_spool_each_line(&run->findings, cb, ctx, err);
}

void gl_run_timeline_line(gl_run *run, const char *json, size_t n)
{
    gl_guard_kit_enter();
    spool_or_note(run, &run->timeline, json, n);
    gl_guard_kit_leave();
    run->total_timeline++;
    if (run->cur)
        run->cur->timeline++;
}

void *gl_run_shared(gl_run *run, const char *key, void *(*create)(gl_run *run, void *arg), void *arg,
                    void (*destroy)(void *obj))
{
    for (size_t i = 0; i < run->n_shared; i++)
        if (!strcmp(run->shared[i].key, key))
            return run->shared[i].obj;
    if (run->n_shared == MAX_SHARED) /* a handful of kit services use this; more is a build bug */
        abort();
    void *obj = create(run, arg);
    if (obj) {
        char *k = gl_xstrdup(key); /* before the count grows: an allocation failure leaves no half slot */
        run->shared[run->n_shared++] = (shared_obj){k, obj, destroy};
    }
    return obj;
}

/* Every file a module opens passes the run's limits before it is
 * acquired; one already in the bundle is not counted twice. */
static const char *admit_and_acquire(void *ctx, gl_file *f, const char *member, gl_err *err)
{
    gl_run *run = ctx;
    const char *stored = NULL;
    gl_guard_kit_enter();
    gl_bundle_stats st = run_stats(run);
    if ((run->bundle && gl_bundle_has(run->bundle, member)) ||
        gl_limiter_admit(run->limiter, gl_file_get_info(f), st.artifacts, st.artifact_bytes, st.bundle_bytes, err) == 0)
        stored = run->sink_acq.acquire(run->sink_acq.ctx, f, member, err);
    gl_guard_kit_leave();
    return stored;
}

/* What a walk could not read (an unreadable directory, a mount point not
 * crossed, a loop, the depth limit): one error each, in the module whose
 * walk met it. */
static void source_problem(void *ctx, const char *msg)
{
    gl_run_error(ctx, "%s", msg);
}

/* ---- the shared registry view ------------------------------------------------ */

/* Hive problems belong to the module whose lookup met them. An absent hive
 * is normal on a partial triage tree (logged); damage and read errors make
 * that module partial. */
static void regview_problem(void *ctx, gl_regview_level level, gl_err_code code, const char *msg)
{
    gl_run *run = ctx;
    if (level == GL_REGVIEW_ERROR && code != GL_ERR_ABSENT)
        gl_run_error(run, "registry: %s", msg);
    else
        gl_run_log(run, "registry: %s", msg);
}

gl_regview *gl_run_regview(gl_run *run)
{
    if (!run->regview_tried) {
        run->regview_tried = true;
        gl_regview_options opt = {.recover_deleted = true};
        if (run->live) /* live keys name the hive copies preserved before the modules */
            opt.preserved = gl_livehost_hive_member, opt.preserved_ctx = run->live;
        gl_err err = {0};
        run->regview = gl_regview_open_opts(run->src, &opt, &err);
        if (!run->regview)
            gl_run_error(run, "registry view: %s", err.msg);
        else
            gl_regview_set_problem_cb(run->regview, regview_problem, run);
    }
    return run->regview;
}

/* ---- findings ------------------------------------------------------------------ */

static void finding_id(gl_run *run, const gl_finding *f, char out[17])
{
    gl_sha256 h;
    gl_sha256_init(&h);
    const char *parts[] = {run->cur ? run->cur->mod->name : "gleaner", f->rule, run->host,
                           f->subject ? f->subject : (f->title ? f->title : "")};
    for (size_t i = 0; i < 4; i++)
        gl_sha256_update(&h, parts[i], strlen(parts[i]) + 1); /* NUL-separated: no ambiguity */
    char hex[GL_SHA256_HEX];
    gl_sha256_final(&h, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

static void json_attack(gl_json *j, const gl_finding *f, const gl_rule_decl *rule)
{
    gl_json_key(j, "attack");
    gl_json_arr_begin(j);
    if (f->n_attack) {
        for (size_t i = 0; i < f->n_attack; i++)
            gl_json_str(j, f->attack[i]);
    } else if (rule && rule->attack) {
        for (const char *p = rule->attack; *p;) {
            size_t n = strcspn(p, " ");
            if (n)
                gl_json_strn(j, p, n);
            p += n;
            p += strspn(p, " ");
        }
    }
    gl_json_arr_end(j);
}

void gl_run_finding(gl_run *run, const gl_finding *f)
{
    const gl_rule_decl *rule = run->cur ? gl_module_rule(run->cur->mod, f->rule) : NULL;
    if (!rule)
        gl_run_error(run, "finding with rule id '%s', which module %s did not declare", f->rule,
                     run->cur ? run->cur->mod->name : "?");
    if (!f->severity_reason || !f->severity_reason[0])
        gl_run_error(run, "finding %s does not say why its severity is %s", f->rule, gl_severity_name(f->severity));
    gl_guard_kit_enter();
    char id[17];
    finding_id(run, f, id);
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "id", id);
    gl_json_kv_str(&j, "module", run->cur ? run->cur->mod->name : "gleaner");
    gl_json_kv_str(&j, "rule", f->rule);
    gl_json_kv_str(&j, "severity", gl_severity_name(f->severity));
    gl_json_kv_str(&j, "severity_reason", f->severity_reason);
    gl_json_kv_str(&j, "title", f->title ? f->title : (rule ? rule->title : f->rule));
    json_attack(&j, f, rule);
    gl_json_kv_str(&j, "time", f->time); /* NULL renders as null */
    gl_json_kv_str(&j, "host", run->host);
    gl_json_kv_str(&j, "subject", f->subject);
    gl_json_key(&j, "evidence");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < f->n_evidence; i++) {
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "artifact", f->evidence[i].artifact);
        gl_json_kv_str(&j, "locator", f->evidence[i].locator);
        gl_json_obj_end(&j);
    }
    gl_json_arr_end(&j);
    gl_json_key(&j, "details");
    if (f->details_json)
        gl_json_raw(&j, f->details_json, strlen(f->details_json));
    else
        gl_json_raw(&j, "{}", 2);
    gl_json_obj_end(&j);
    spool_or_note(run, &run->findings, out.data, out.len);
    gl_buf_free(&out);
    gl_guard_kit_leave();
    run->total_findings++;
    gl_summary_add(&run->summary, (int)f->severity, f->title ? f->title : (rule ? rule->title : f->rule), NULL);
    if (run->cur)
        run->cur->findings++;
}

/* ---- naming ------------------------------------------------------------------ */

static void append_safe(gl_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        gl_buf_putc(b, ok ? (char)c : '_');
    }
}

void gl_expand_name(const char *tmpl, const char *host, time_t t, const char *profile,
                    const char *source_kind, char *out, size_t out_len)
{
    gl_buf b = {0};
    char utc[32];
    gl_utc_compact(t, utc);
    for (const char *p = tmpl; *p; p++) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                size_t n = (size_t)(close - p - 1);
                const char *val = NULL;
                char date[16];
                if (n == 4 && !strncmp(p + 1, "host", 4))
                    val = host;
                else if (n == 3 && !strncmp(p + 1, "utc", 3))
                    val = utc;
                else if (n == 4 && !strncmp(p + 1, "date", 4)) {
                    snprintf(date, sizeof date, "%.8s", utc);
                    val = date;
                } else if (n == 7 && !strncmp(p + 1, "profile", 7))
                    val = profile;
                else if (n == 6 && !strncmp(p + 1, "source", 6))
                    val = source_kind;
                if (val) {
                    append_safe(&b, val);
                    p = close;
                    continue;
                }
            }
        }
        char one[2] = {*p, 0};
        append_safe(&b, one);
    }
    if (b.len == 0 || !strcmp(b.data, ".") || !strcmp(b.data, ".."))
        append_safe(&b, "_bundle");
    snprintf(out, out_len, "%s", b.data);
    gl_buf_free(&b);
}

void gl_detect_host(gl_source *src, char *out, size_t out_len)
{
    if (!strcmp(gl_source_kind(src), "live")) {
        if (gethostname(out, out_len) != 0 || !out[0])
            snprintf(out, out_len, "unknown");
        out[out_len - 1] = '\0';
        return;
    }
    if (gl_hostinfo_computer_name(src, out, out_len) != 0)
        snprintf(out, out_len, "unknown");
}

/* ---- run report ------------------------------------------------------------ */

static void json_self_hash(gl_json *j)
{
    char hex[GL_SHA256_HEX];
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    gl_json_key(j, "gleaner_sha256");
    if (n > 0) {
        exe[n] = '\0';
        if (gl_sha256_file(exe, hex) == 0) {
            gl_json_str(j, hex);
            return;
        }
    }
    gl_json_null(j);
}

static void json_os(gl_json *j, gl_source *src, const char *product)
{
    gl_json_key(j, "os");
    gl_json_obj_begin(j);
    struct utsname u;
    if (!strcmp(gl_source_kind(src), "live") && uname(&u) == 0) {
        gl_json_kv_str(j, "system", u.sysname);
        gl_json_kv_str(j, "release", u.release);
        gl_json_kv_str(j, "version", u.version);
        gl_json_kv_str(j, "machine", u.machine);
    } else {
        gl_json_kv_str(j, "system", "Windows");
        if (product[0])
            gl_json_kv_str(j, "product", product);
    }
    gl_json_obj_end(j);
}

static void render_run_json(gl_run *run, const char *started, const char *ended, const char *status,
                            gl_buf *out)
{
    gl_json j;
    gl_json_init(&j, out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "format", "gleaner-run/1");
    gl_json_kv_str(&j, "status", status);
    gl_json_kv_str(&j, "reason", stop_requested                    ? "interrupted"
                                 : !strcmp(status, "complete")       ? NULL
                                 : gl_limiter_any_hit(run->limiter) ? "limits"
                                                                     : "errors");
    gl_json_kv_str(&j, "host", run->host);
    json_os(&j, run->src, run->product);
    gl_json_kv_str(&j, "gleaner_version", GLEANER_VERSION);
    json_self_hash(&j);
    if (run->live)
        gl_livehost_json(run->live, &j);
    gl_json_kv_str(&j, "command_line", run->opts->command_line);
    gl_json_key(&j, "profile");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "name", run->opts->profile->name);
    gl_json_kv_str(&j, "origin", run->opts->profile->origin);
    gl_json_obj_end(&j);
    gl_json_key(&j, "source");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "spec", gl_source_spec(run->src));
    gl_json_kv_str(&j, "kind", gl_source_kind(run->src));
    gl_json_kv_str(&j, "drive", gl_source_drive(run->src));
    gl_json_obj_end(&j);
    gl_json_kv_str(&j, "start_utc", started);
    gl_json_kv_str(&j, "end_utc", ended);
    gl_bundle_stats st = run_stats(run);
    gl_json_key(&j, "counts");
    gl_json_obj_begin(&j);
    gl_json_kv_uint(&j, "artifacts", st.artifacts);
    gl_json_kv_uint(&j, "artifact_bytes", st.artifact_bytes);
    gl_json_kv_uint(&j, "findings", run->total_findings);
    gl_json_kv_uint(&j, "timeline_events", run->total_timeline);
    gl_json_kv_uint(&j, "errors", run->total_errors);
    gl_json_obj_end(&j);
    gl_json_key(&j, "errors");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < run->n_run_errors; i++)
        gl_json_str(&j, run->run_errors[i]);
    gl_json_arr_end(&j);
    gl_limiter_json(run->limiter, &j);
    gl_json_key(&j, "modules");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < run->n_mods; i++) {
        module_result *m = &run->mods[i];
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "name", m->mod ? m->mod->name : "?");
        gl_json_kv_str(&j, "status", m->status);
        if (m->limit)
            gl_json_kv_str(&j, "limit", m->limit);
        gl_json_kv_str(&j, "start_utc", m->started);
        gl_json_kv_str(&j, "end_utc", m->ended);
        gl_json_key(&j, "seconds");
        gl_json_double(&j, m->seconds);
        gl_json_kv_uint(&j, "records", m->records);
        gl_json_kv_uint(&j, "findings", m->findings);
        gl_json_kv_uint(&j, "timeline_events", m->timeline);
        gl_json_kv_uint(&j, "artifacts_acquired", m->artifacts_after - m->artifacts_before);
        gl_json_kv_uint(&j, "error_count", m->errors);
        gl_json_key(&j, "errors");
        gl_json_arr_begin(&j);
        if (m->failure)
            gl_json_str(&j, m->failure);
        for (size_t e = 0; e < m->n_error_list; e++)
            gl_json_str(&j, m->error_list[e]);
        gl_json_arr_end(&j);
        gl_json_obj_end(&j);
    }
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    gl_buf_putc(out, '\n');
}

/* ---- the plan: checks before anything is read ------------------------------------ */

static int check_settings(const gl_collect_opts *opts, gl_err *err)
{
    const gl_profile *p = opts->profile;
    for (size_t i = 0; i < p->n_settings; i++) {
        const char *key = p->settings[i].key, *dot = strchr(key, '.');
        if (!dot || dot == key || !dot[1])
            return gl_err_setc(err, GL_ERR_USAGE, "setting '%s': expected <module>.<key>", key);
        char mod[128];
        snprintf(mod, sizeof mod, "%.*s", (int)(dot - key), key);
        const gl_module *m = gl_module_lookup(opts->modules, mod);
        if (!m)
            return gl_err_setc(err, GL_ERR_USAGE, "setting '%s': no module '%s' (see `gleaner list`)", key, mod);
        if (!strcmp(dot + 1, "time_limit")) { /* every module has a time budget (runlimits.h) */
            int64_t secs;
            if (gl_parse_duration(p->settings[i].value, &secs) != 0)
                return gl_err_setc(err, GL_ERR_USAGE, "setting %s: '%s' is not a duration of at least a second "
                                   "(e.g. 90s, 15m, 2h)", key, p->settings[i].value);
            continue;
        }
        const gl_setting_decl *d = gl_module_setting(m, dot + 1);
        if (!d) {
            gl_buf known = {0};
            for (const gl_setting_decl *k = m->settings; k && k->key; k++)
                gl_buf_printf(&known, "%s%s", known.len ? ", " : "", k->key);
            gl_err_setc(err, GL_ERR_USAGE, "setting '%s': module %s has no setting '%s' (it has: %s)", key, mod,
                        dot + 1, known.len ? known.data : "none");
            gl_buf_free(&known);
            return -1;
        }
        if (gl_setting_check(d, mod, p->settings[i].value, err) != 0)
            return -1;
    }
    return 0;
}

/* Depth-first topological order over `reads` (modules of the profile
 * only), keeping the profile's order where nothing constrains it. */
static int visit(const gl_collect_opts *opts, size_t i, unsigned char *mark, const gl_module **order, size_t *n,
                 gl_err *err)
{
    const gl_profile *p = opts->profile;
    if (mark[i] == 2)
        return 0;
    if (mark[i] == 1)
        return gl_err_setc(err, GL_ERR_USAGE, "modules read each other's records in a cycle (through %s)",
                           p->modules[i]);
    mark[i] = 1;
    const gl_module *m = gl_module_lookup(opts->modules, p->modules[i]);
    for (const char *const *r = m->reads; r && *r; r++)
        for (size_t k = 0; k < p->n_modules; k++) {
            if (strcmp(p->modules[k], *r))
                continue;
            if (!m->last && gl_module_lookup(opts->modules, *r)->last)
                return gl_err_setc(err, GL_ERR_USAGE, "module %s reads %s, which runs after every other module",
                                   m->name, *r);
            if (visit(opts, k, mark, order, n, err) != 0)
                return -1;
        }
    mark[i] = 2;
    order[(*n)++] = m;
    return 0;
}

int gl_collect_plan(const gl_collect_opts *opts, const gl_module **order, gl_err *err)
{
    const gl_profile *p = opts->profile;
    for (size_t i = 0; i < p->n_modules; i++)
        if (!gl_module_lookup(opts->modules, p->modules[i]))
            return gl_err_setc(err, GL_ERR_USAGE, "profile %s names unknown module '%s' (see `gleaner list`)",
                               p->origin, p->modules[i]);
    if (check_settings(opts, err) != 0)
        return -1;
    unsigned char *mark = gl_xcalloc(p->n_modules ? p->n_modules : 1, 1);
    size_t n = 0;
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) /* modules declared `last` in the second pass */
        for (size_t i = 0; i < p->n_modules && rc == 0; i++)
            if (gl_module_lookup(opts->modules, p->modules[i])->last == (pass == 1))
                rc = visit(opts, i, mark, order, &n, err);
    free(mark);
    return rc;
}

/* ---- the run ---------------------------------------------------------------- */

static double elapsed(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void fail_module(gl_run *run, module_result *m, const char *why)
{
    m->status = "failed";
    free(m->failure);
    m->failure = gl_xstrdup(why && why[0] ? why : "failed without a message");
    log_line(run, "ERROR", m->failure);
    run->total_errors++;
}

typedef struct module_call {
    gl_run *run;
    module_result *m;
    gl_err err;
} module_call;

static int call_module(void *arg)
{
    module_call *c = arg;
    return c->m->mod->run(c->run, &c->err);
}

/* `set <module>.time_limit` (checked by the plan); 0: only the run's. */
static int64_t module_time_limit(gl_run *run, const gl_module *mod)
{
    gl_buf key = {0};
    gl_buf_printf(&key, "%s.time_limit", mod->name);
    const char *v = gl_profile_setting(run->opts->profile, key.data);
    gl_buf_free(&key);
    int64_t secs = 0;
    return v && gl_parse_duration(v, &secs) == 0 ? secs : 0;
}

/* The module ran out of memory in its own code and was left (guard.h).
 * What it may have been updating is abandoned, never touched again: its
 * init state (no fini), the shared registry view and the shared objects
 * (later modules open fresh ones). Their memory is lost, which is the
 * price of going on with the other modules. */
static void abandon_module(gl_run *run, module_result *m, size_t bytes)
{
    char why[256];
    snprintf(why, sizeof why, "out of memory (an allocation of %zu bytes failed): module %s stopped; "
             "what it reported before is kept", bytes, m->mod->name);
    fail_module(run, m, why);
    m->initialised = false;
    run->regview = NULL;
    run->regview_tried = false;
    for (size_t i = 0; i < run->n_shared; i++)
        free(run->shared[i].key);
    run->n_shared = 0;
    /* the module may have been cut inside gl_run_open_unacquired */
    gl_source_set_acquirer(run->src, run->acq);
}

static void run_module(gl_run *run, module_result *m)
{
    run->cur = m;
    now_iso(m->started);
    gl_err err = {0};
    m->artifacts_before = run_stats(run).artifacts;
    if (gl_spool_open(&m->spool, run->output_dir, &err) != 0) {
        fail_module(run, m, err.msg);
        now_iso(m->ended);
        run->cur = NULL;
        return;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    progress(run, "start");
#ifdef GLEANER_TEST_BUILD
    /* Deterministic interruption for tests: a signal as this module starts. */
    const char *at = getenv("GLEANER_TEST_INTERRUPT_AT");
    if (at && !strcmp(at, m->mod->name))
        raise(SIGTERM);
#endif
    gl_limiter_module_begin(run->limiter, m->mod->name, module_time_limit(run, m->mod));
    module_call call = {.run = run, .m = m};
    int rc = 0;
    size_t oom_bytes = 0;
    if (gl_guard_run(m->mod->name, call_module, &call, &rc, &oom_bytes) != 0)
        abandon_module(run, m, oom_bytes);
    else if (rc != 0)
        fail_module(run, m, call.err.msg);
    else
        m->status = m->errors ? "partial" : "complete";
    m->seconds = elapsed(&t0);
    m->limit = gl_limiter_module_hit(run->limiter);
    if (m->limit && !strcmp(m->status, "complete"))
        m->status = "partial";
    gl_limiter_module_end(run->limiter);
    progress(run, "%s: %llu records, %llu findings, %llu timeline events, %llu errors, %.3f s", m->status,
             (unsigned long long)m->records, (unsigned long long)m->findings, (unsigned long long)m->timeline,
             (unsigned long long)m->errors, m->seconds);
    m->artifacts_after = run_stats(run).artifacts;
    now_iso(m->ended);
    run->cur = NULL;
}

/* Records stay in their spools until every module ran (later modules may
 * read them), then go into the bundle in run order. */
static int add_records(gl_run *run, gl_err *err)
{
    for (size_t i = 0; i < run->n_mods; i++) {
        module_result *m = &run->mods[i];
        if (!m->spool.fp)
            continue;
        gl_buf member = {0};
        gl_buf_printf(&member, "records/%s.jsonl", m->mod->name);
        int rc = put_spool(run, member.data, &m->spool, err);
        gl_buf_free(&member);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int init_modules(gl_run *run, gl_err *err)
{
    for (size_t i = 0; i < run->n_mods; i++) {
        module_result *m = &run->mods[i];
        if (!m->mod->init)
            continue;
        run->cur = m;
        int rc = m->mod->init(run, &m->state, err);
        run->cur = NULL;
        if (rc != 0) {
            gl_err_prefix(err, "module %s", m->mod->name);
            return -1;
        }
        m->initialised = true;
    }
    return 0;
}

static void end_run(gl_run *run)
{
    for (size_t i = run->n_shared; i-- > 0;) {
        if (run->shared[i].destroy)
            run->shared[i].destroy(run->shared[i].obj);
        free(run->shared[i].key);
    }
    run->n_shared = 0;
    if (run->regview)
        gl_regview_close(run->regview);
    run->regview = NULL;
    gl_livehost_free(run->live);
    run->live = NULL;
    for (size_t i = 0; i < run->n_mods; i++) {
        module_result *m = &run->mods[i];
        if (m->initialised && m->mod->fini)
            m->mod->fini(m->state);
        gl_spool_close(&m->spool);
        for (size_t e = 0; e < m->n_error_list; e++)
            free(m->error_list[e]);
        free(m->error_list);
        free(m->failure);
    }
    free(run->mods);
    free(run->order);
    gl_limiter_free(run->limiter);
    run->limiter = NULL;
    for (size_t i = 0; i < run->n_run_errors; i++)
        free(run->run_errors[i]);
    free(run->run_errors);
}

static int ensure_dir(const char *dir, gl_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : gl_err_set(err, "output %s is not a directory", dir);
    if (mkdir(dir, 0700) != 0)
        return gl_err_errno(err, "creating output directory %s", dir);
    return 0;
}

/* Plan and initialise the modules: everything that can refuse the run
 * before the source is touched. */
static int prepare(gl_run *run, const gl_collect_opts *opts, gl_err *err)
{
    size_t n = opts->profile->n_modules;
    run->order = gl_xcalloc(n ? n : 1, sizeof *run->order);
    run->mods = gl_xcalloc(n ? n : 1, sizeof *run->mods);
    if (gl_collect_plan(opts, run->order, err) != 0)
        return -1;
    run->n_mods = n;
    for (size_t i = 0; i < n; i++) {
        run->mods[i].mod = run->order[i];
        run->mods[i].status = "not run";
    }
    return init_modules(run, err);
}

static void log_limit(void *ctx, const char *text) { progress(ctx, "%s", text); }

static int write_tail(gl_run *run, const char *started, bool *partial, gl_err *err)
{
    gl_limiter_each_summary(run->limiter, log_limit, run);
    *partial = run->total_errors > 0 || run->io_failed || gl_limiter_any_hit(run->limiter);
    const char *status = *partial ? "partial" : "complete";
    char ended[GL_TIME_STRLEN];
    now_iso(ended);
    progress(run, "run %s: %llu findings, %llu timeline events, %llu errors", status,
             (unsigned long long)run->total_findings, (unsigned long long)run->total_timeline,
             (unsigned long long)run->total_errors);
    if (run->io_failed) {
        *err = run->io_err;
        return -1;
    }
    gl_buf report = {0};
    render_run_json(run, started, ended, status, &report);
    int rc = add_records(run, err);
    if (rc == 0)
        rc = put_spool(run, "findings.jsonl", &run->findings, err);
    if (rc == 0)
        rc = put_spool(run, "timeline.jsonl", &run->timeline, err);
    if (rc == 0)
        rc = put_buffer(run, "run.json", report.data, report.len, err);
    if (rc == 0)
        rc = put_spool(run, "log.txt", &run->log, err);
    gl_buf_free(&report);
    return rc;
}

/* The bundle, or with opts->emit_dir the directory its members go to. */
static int open_sink(gl_run *run, time_t t0, gl_collect_result *res, gl_err *err)
{
    const gl_collect_opts *opts = run->opts;
    if (opts->emit_dir) {
        snprintf(res->bundle_path, sizeof res->bundle_path, "%s", opts->emit_dir);
        run->outdir = gl_outdir_create(opts->emit_dir, err);
        return run->outdir ? 0 : -1;
    }
    char name[1024];
    gl_expand_name(opts->name_template, run->host, t0, opts->profile->name, gl_source_kind(run->src), name,
                   sizeof name);
    snprintf(res->bundle_path, sizeof res->bundle_path, "%s/%s.tar.zst%s", opts->output_dir, name,
             opts->recipients ? GL_ENCRYPTED_SUFFIX : "");
    run->bundle = gl_bundle_create_encrypted(res->bundle_path, t0, opts->recipients, err);
    return run->bundle ? 0 : -1;
}

static void abort_sink(gl_run *run)
{
    if (run->outdir)
        gl_outdir_close(run->outdir);
    else
        gl_bundle_abort(run->bundle);
}

int gl_collect(const gl_collect_opts *opts, gl_collect_result *res, gl_err *err)
{
    memset(res, 0, sizeof *res);
    gl_run run;
    memset(&run, 0, sizeof run);
    run.opts = opts;
    if (prepare(&run, opts, err) != 0) {
        end_run(&run);
        return -1;
    }
    if (ensure_dir(opts->output_dir, err) != 0 || !realpath(opts->output_dir, run.output_dir)) {
        if (!err->msg[0])
            gl_err_errno(err, "output directory %s", opts->output_dir);
        end_run(&run);
        return -1;
    }
    run.limiter = gl_limiter_new(&opts->limits, run.output_dir); /* the run's clock starts here */
    run.src = gl_source_open_scratch(opts->source_spec, run.output_dir, err);
    if (!run.src) {
        end_run(&run);
        return -1;
    }
    gl_source_exclude(run.src, run.output_dir);
    gl_source_cross_mounts(run.src, opts->cross_mounts);
    gl_source_set_problem_cb(run.src, source_problem, &run);
    gl_detect_host(run.src, run.host, sizeof run.host);
    if (strcmp(gl_source_kind(run.src), "live") &&
        gl_hostinfo_product_name(run.src, run.product, sizeof run.product) != 0)
        run.product[0] = '\0';
    time_t t0 = time(NULL);
    char started[GL_TIME_STRLEN];
    now_iso(started);
    if (open_sink(&run, t0, res, err) != 0) {
        gl_source_close(run.src);
        end_run(&run);
        return -1;
    }
    if (gl_spool_open(&run.findings, run.output_dir, err) != 0 ||
        gl_spool_open(&run.timeline, run.output_dir, err) != 0 ||
        gl_spool_open(&run.log, run.output_dir, err) != 0) {
        gl_spool_close(&run.findings);
        gl_spool_close(&run.timeline);
        abort_sink(&run);
        gl_source_close(run.src);
        end_run(&run);
        return -1;
    }
    run.sink_acq = run.outdir ? gl_outdir_acquirer(run.outdir) : gl_bundle_acquirer(run.bundle);
    gl_acquirer acq = {.ctx = &run, .acquire = admit_and_acquire};
    run.acq = &acq;
    gl_source_set_acquirer(run.src, &acq);
    if (run.bundle) {
        gl_bundle_set_stop_flag(run.bundle, &stop_requested);
        if (gl_bundle_note(run.bundle))
            progress(&run, "%s", gl_bundle_note(run.bundle));
        gl_run_log(&run, "bundle: zstd compresses %s", gl_bundle_get_stats(run.bundle).zstd_workers
                                                           ? "on a worker thread while this one reads and hashes"
                                                           : "on the thread that reads and hashes");
    }
    progress(&run, "gleaner %s: source %s, profile %s, host %s, bundle %s", GLEANER_VERSION,
             opts->source_spec, opts->profile->name, run.host, res->bundle_path);
    /* Before any module: hives and logs the running system holds open are
     * copied the way they can be, while the modules read the live ones. */
    if (!strcmp(gl_source_kind(run.src), "live"))
        run.live = gl_livehost_preserve(run.src, &acq, run.output_dir);

    for (size_t i = 0; i < run.n_mods && !run.io_failed; i++) {
        if (stop_requested) {
            gl_run_error(&run, "interrupted: module %s and the ones after it did not run", run.mods[i].mod->name);
            break;
        }
        if (gl_limiter_expired(run.limiter)) {
            progress(&run, "time limit reached: module %s and the ones after it did not run", run.mods[i].mod->name);
            for (size_t k = i; k < run.n_mods; k++)
                gl_limiter_module_skipped(run.limiter, run.mods[k].mod->name);
            break;
        }
        run_module(&run, &run.mods[i]);
    }

    if (run.regview) {
        const char *roots;
        size_t n = gl_regview_hives_parsed(run.regview, &roots);
        gl_run_log(&run, "registry view: %zu hive%s parsed, each once: %s", n, n == 1 ? "" : "s", roots);
    }
    bool partial = false;
    int rc = write_tail(&run, started, &partial, err);
    gl_spool_close(&run.findings);
    gl_spool_close(&run.timeline);
    gl_spool_close(&run.log);
    end_run(&run); /* closes the registry view and event cache before the source */
    gl_source_set_acquirer(run.src, NULL);
    gl_source_close(run.src);
    res->findings = run.total_findings;
    res->summary = run.summary;
    res->errors = run.total_errors;
    res->status = partial ? GL_RUN_PARTIAL : GL_RUN_COMPLETE;
    if (rc != 0) {
        abort_sink(&run);
        return -1;
    }
    if (run.outdir) {
        gl_outdir_close(run.outdir);
        return 0;
    }
    return gl_bundle_finish(run.bundle, res->sha256, err);
}

#include "collect.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "bundle.h"
#include "buf.h"
#include "hostinfo.h"
#include "json.h"
#include "module_registry.h"
#include "spool.h"
#include "text.h"

#define MAX_ERRORS_LISTED 200 /* per module in run.json; all are in log.txt */

typedef struct module_result {
    const gl_module *mod;
    const char *status; /* "complete", "partial", "failed", "unknown-module" */
    char started[GL_TIME_STRLEN], ended[GL_TIME_STRLEN];
    double seconds;
    uint64_t records, findings, errors, artifacts_before, artifacts_after;
    char **error_list;
    size_t n_error_list;
    char *failure;
} module_result;

struct gl_run {
    const gl_collect_opts *opts;
    gl_source *src;
    gl_bundle *bundle;
    char host[256];
    char output_dir[4096];
    gl_spool records;  /* current module's records */
    gl_spool findings;
    gl_spool log;
    module_result *cur;
    uint64_t total_findings, total_errors;
    gl_err io_err;  /* first spool write failure */
    bool io_failed;
};

const char *gl_severity_name(gl_severity s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    return (unsigned)s < 5 ? names[s] : "info";
}

gl_source *gl_run_source(gl_run *run) { return run->src; }
const char *gl_run_host(const gl_run *run) { return run->host; }

const char *gl_run_setting(const gl_run *run, const char *key, const char *def)
{
    gl_buf full = {0};
    gl_buf_printf(&full, "%s.%s", run->cur ? run->cur->mod->name : "", key);
    const char *v = gl_profile_setting(run->opts->profile, full.data);
    gl_buf_free(&full);
    return v ? v : def;
}

int gl_run_setting_size(gl_run *run, const char *key, uint64_t def, uint64_t *out)
{
    const char *v = gl_run_setting(run, key, NULL);
    if (!v) {
        *out = def;
        return 0;
    }
    if (gl_parse_size(v, out) != 0) {
        gl_run_error(run, "setting %s.%s: '%s' is not a size", run->cur->mod->name, key, v);
        *out = def;
        return -1;
    }
    return 0;
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
    char ts[GL_TIME_STRLEN];
    now_iso(ts);
    gl_buf line = {0};
    gl_buf_printf(&line, "%s %s %s: %s", ts, level, run->cur ? run->cur->mod->name : "gleaner", msg);
    spool_or_note(run, &run->log, line.data, line.len);
    if (run->opts->progress && strcmp(level, "DETAIL"))
        fprintf(run->opts->progress, "%s\n", line.data + strlen(ts) + 1);
    gl_buf_free(&line);
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
    run->total_errors++;
    module_result *m = run->cur;
    if (!m)
        return;
    m->errors++;
    if (m->n_error_list < MAX_ERRORS_LISTED) {
        m->error_list = gl_xrealloc(m->error_list, (m->n_error_list + 1) * sizeof *m->error_list);
        m->error_list[m->n_error_list++] = gl_xstrdup(msg);
    }
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

void gl_run_record(gl_run *run, const char *json, size_t n)
{
    spool_or_note(run, &run->records, json, n);
    if (run->cur)
        run->cur->records++;
}

void gl_run_finding(gl_run *run, const gl_finding *f)
{
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "module", run->cur ? run->cur->mod->name : "gleaner");
    gl_json_kv_str(&j, "rule", f->rule);
    gl_json_kv_str(&j, "severity", gl_severity_name(f->severity));
    gl_json_kv_str(&j, "title", f->title);
    gl_json_key(&j, "attack");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < f->n_attack; i++)
        gl_json_str(&j, f->attack[i]);
    gl_json_arr_end(&j);
    gl_json_kv_str(&j, "time", f->time); /* NULL renders as null */
    gl_json_kv_str(&j, "host", run->host);
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
    run->total_findings++;
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

static void json_os(gl_json *j, gl_source *src)
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
        char product[256];
        gl_json_kv_str(j, "system", "Windows");
        if (gl_hostinfo_product_name(src, product, sizeof product) == 0)
            gl_json_kv_str(j, "product", product);
    }
    gl_json_obj_end(j);
}

static void render_run_json(gl_run *run, module_result *mods, size_t n_mods, const char *started,
                            const char *ended, const char *status, gl_buf *out)
{
    gl_json j;
    gl_json_init(&j, out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "format", "gleaner-run/1");
    gl_json_kv_str(&j, "status", status);
    gl_json_kv_str(&j, "host", run->host);
    json_os(&j, run->src);
    gl_json_kv_str(&j, "gleaner_version", GLEANER_VERSION);
    json_self_hash(&j);
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
    gl_bundle_stats st = gl_bundle_get_stats(run->bundle);
    gl_json_key(&j, "counts");
    gl_json_obj_begin(&j);
    gl_json_kv_uint(&j, "artifacts", st.artifacts);
    gl_json_kv_uint(&j, "artifact_bytes", st.artifact_bytes);
    gl_json_kv_uint(&j, "findings", run->total_findings);
    gl_json_kv_uint(&j, "errors", run->total_errors);
    gl_json_obj_end(&j);
    gl_json_key(&j, "modules");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < n_mods; i++) {
        module_result *m = &mods[i];
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "name", m->mod ? m->mod->name : "?");
        gl_json_kv_str(&j, "status", m->status);
        gl_json_kv_str(&j, "start_utc", m->started);
        gl_json_kv_str(&j, "end_utc", m->ended);
        gl_json_key(&j, "seconds");
        gl_json_double(&j, m->seconds);
        gl_json_kv_uint(&j, "records", m->records);
        gl_json_kv_uint(&j, "findings", m->findings);
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

/* ---- the run ---------------------------------------------------------------- */

static double elapsed(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void run_module(gl_run *run, module_result *m, const char *name)
{
    now_iso(m->started);
    m->mod = gl_module_find(name);
    if (!m->mod) {
        static const gl_module unknown = {"?", "", 0, NULL};
        m->mod = &unknown;
        m->status = "failed";
        m->failure = gl_xstrdup("no such module in this build");
        run->total_errors++;
        now_iso(m->ended);
        return;
    }
    run->cur = m;
    gl_err err = {{0}};
    m->artifacts_before = gl_bundle_get_stats(run->bundle).artifacts;
    if (gl_spool_open(&run->records, run->output_dir, &err) != 0) {
        m->status = "failed";
        m->failure = gl_xstrdup(err.msg);
        run->total_errors++;
        run->cur = NULL;
        now_iso(m->ended);
        return;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    progress(run, "start");
    int rc = m->mod->run(run, &err);
    m->seconds = elapsed(&t0);
    if (rc != 0) {
        m->status = "failed";
        m->failure = gl_xstrdup(err.msg[0] ? err.msg : "failed without a message");
        log_line(run, "ERROR", m->failure);
        run->total_errors++;
    } else {
        m->status = m->errors ? "partial" : "complete";
    }
    progress(run, "%s: %llu records, %llu findings, %llu errors, %.3f s", m->status,
               (unsigned long long)m->records, (unsigned long long)m->findings,
               (unsigned long long)m->errors, m->seconds);
    gl_buf member = {0};
    gl_buf_printf(&member, "records/%s.jsonl", m->mod->name);
    if (gl_bundle_add_spool(run->bundle, member.data, &run->records, &err) != 0) {
        run->io_failed = true;
        run->io_err = err;
    }
    gl_buf_free(&member);
    gl_spool_close(&run->records);
    m->artifacts_after = gl_bundle_get_stats(run->bundle).artifacts;
    now_iso(m->ended);
    run->cur = NULL;
}

static void free_results(module_result *mods, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t e = 0; e < mods[i].n_error_list; e++)
            free(mods[i].error_list[e]);
        free(mods[i].error_list);
        free(mods[i].failure);
    }
    free(mods);
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

int gl_collect(const gl_collect_opts *opts, gl_collect_result *res, gl_err *err)
{
    memset(res, 0, sizeof *res);
    if (ensure_dir(opts->output_dir, err) != 0)
        return -1;
    gl_run run;
    memset(&run, 0, sizeof run);
    run.opts = opts;
    if (!realpath(opts->output_dir, run.output_dir))
        return gl_err_errno(err, "output directory %s", opts->output_dir);
    run.src = gl_source_open_scratch(opts->source_spec, run.output_dir, err);
    if (!run.src)
        return -1;
    gl_source_exclude(run.src, run.output_dir);
    gl_detect_host(run.src, run.host, sizeof run.host);
    time_t t0 = time(NULL);
    char started[GL_TIME_STRLEN];
    now_iso(started);
    char name[1024];
    gl_expand_name(opts->name_template, run.host, t0, opts->profile->name, gl_source_kind(run.src),
                   name, sizeof name);
    snprintf(res->bundle_path, sizeof res->bundle_path, "%s/%s.tar.zst", opts->output_dir, name);
    run.bundle = gl_bundle_create(res->bundle_path, t0, err);
    if (!run.bundle) {
        gl_source_close(run.src);
        return -1;
    }
    if (gl_spool_open(&run.findings, run.output_dir, err) != 0 ||
        gl_spool_open(&run.log, run.output_dir, err) != 0) {
        gl_spool_close(&run.findings);
        gl_bundle_abort(run.bundle);
        gl_source_close(run.src);
        return -1;
    }
    gl_acquirer acq = gl_bundle_acquirer(run.bundle);
    gl_source_set_acquirer(run.src, &acq);
    progress(&run, "gleaner %s: source %s, profile %s, host %s, bundle %s", GLEANER_VERSION,
               opts->source_spec, opts->profile->name, run.host, res->bundle_path);

    size_t n_mods = opts->profile->n_modules;
    module_result *mods = gl_xcalloc(n_mods ? n_mods : 1, sizeof *mods);
    for (size_t i = 0; i < n_mods && !run.io_failed; i++)
        run_module(&run, &mods[i], opts->profile->modules[i]);

    bool partial = run.total_errors > 0 || run.io_failed;
    const char *status = partial ? "partial" : "complete";
    char ended[GL_TIME_STRLEN];
    now_iso(ended);
    progress(&run, "run %s: %llu findings, %llu errors", status,
               (unsigned long long)run.total_findings, (unsigned long long)run.total_errors);
    gl_buf report = {0};
    render_run_json(&run, mods, n_mods, started, ended, status, &report);
    int rc = 0;
    if (run.io_failed) {
        *err = run.io_err;
        rc = -1;
    }
    if (rc == 0)
        rc = gl_bundle_add_spool(run.bundle, "findings.jsonl", &run.findings, err);
    if (rc == 0)
        rc = gl_bundle_add_buffer(run.bundle, "run.json", report.data, report.len, err);
    if (rc == 0)
        rc = gl_bundle_add_spool(run.bundle, "log.txt", &run.log, err);
    gl_buf_free(&report);
    gl_spool_close(&run.findings);
    gl_spool_close(&run.log);
    gl_source_set_acquirer(run.src, NULL);
    gl_source_close(run.src);
    res->findings = run.total_findings;
    res->errors = run.total_errors;
    res->status = partial ? GL_RUN_PARTIAL : GL_RUN_COMPLETE;
    free_results(mods, n_mods);
    if (rc != 0) {
        gl_bundle_abort(run.bundle);
        return -1;
    }
    return gl_bundle_finish(run.bundle, res->sha256, err);
}

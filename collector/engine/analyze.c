#include "analyze.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bundle_crypt.h"
#include "bundle_unpack.h"
#include "collect.h"
#include "export.h"
#include "extsort.h"
#include "fleet.h"
#include "json.h"
#include "jsonpick.h"
#include "report_html.h"
#include "sha256.h"

#define RUN_JSON_MAX (64u << 20)    /* a bundle's run.json larger than this is refused */
#define SORT_BUDGET (32u << 20)     /* timeline rows held in memory before they spill to disk */
#define LINE_MAX_BYTES (64u << 20)  /* a findings/timeline line longer than this is skipped */
#define ERRORS_SHOWN 20             /* per module, in analysis.json (all are in run.json) */

/* ---- small helpers ---------------------------------------------------------- */

static char *pathf(const char *fmt, ...) GL_PRINTF(1, 2);
static char *pathf(const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = gl_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    vsnprintf(out, n > 0 ? (size_t)n + 1 : 1, fmt, again);
    va_end(again);
    return out;
}

static int make_dir(const char *dir, gl_err *err)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return gl_err_errno(err, "creating %s", dir);
    return 0;
}

static int write_file(const char *path, const void *data, size_t n, gl_err *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return gl_err_errno(err, "creating %s", path);
    bool bad = n && fwrite(data, 1, n, fp) != n;
    if (fclose(fp) != 0 || bad)
        return gl_err_errno(err, "writing %s", path);
    return 0;
}

static cJSON *read_json_file(const char *path)
{
    gl_buf b = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0 && b.len < RUN_JSON_MAX)
        gl_buf_append(&b, chunk, got);
    fclose(fp);
    cJSON *j = b.data ? gl_jparse_object(b.data, b.len) : NULL;
    gl_buf_free(&b);
    return j;
}

/* Each line of a JSON Lines file, parsed; unparsable or huge lines are
 * counted, not fatal (the file is gleaner's own output of a re-run). */
typedef int (*line_cb)(void *ctx, const char *line, size_t n, cJSON *obj);
static int each_object(const char *path, line_cb cb, void *ctx, size_t *bad, gl_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return errno == ENOENT ? 0 : gl_err_errno(err, "reading %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        cJSON *obj = (size_t)len <= LINE_MAX_BYTES ? gl_jparse_object(line, (size_t)len) : NULL;
        if (!obj) {
            (*bad)++;
            continue;
        }
        rc = cb(ctx, line, (size_t)len, obj);
        cJSON_Delete(obj);
    }
    free(line);
    fclose(fp);
    return rc;
}

/* A member of a bundle (plain or encrypted), up to max bytes. */
static int read_member(const gl_analyze_opts *o, const char *bundle, const char *member, size_t max, gl_buf *out,
                       gl_err *err)
{
    struct archive *a = gl_bundle_open_archive(bundle, o->key_pem, o->cert_pem, err);
    if (!a)
        return -1;
    struct archive_entry *e;
    int rc = 1; /* not found yet */
    while (rc == 1 && archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(e), member))
            continue;
        char chunk[65536];
        la_ssize_t got;
        rc = 0;
        while ((got = archive_read_data(a, chunk, sizeof chunk)) > 0 && rc == 0) {
            if (out->len + (size_t)got > max)
                rc = gl_err_setc(err, GL_ERR_LIMIT, "%s: %s is larger than %zu bytes", bundle, member, max);
            else
                gl_buf_append(out, chunk, (size_t)got);
        }
        if (got < 0 && rc == 0)
            rc = gl_err_setc(err, GL_ERR_DAMAGED, "%s: %s: %s", bundle, member, archive_error_string(a));
    }
    if (rc == 1)
        rc = gl_err_setc(err, GL_ERR_ABSENT, "%s: no member %s", bundle, member);
    archive_read_free(a);
    return rc;
}

char **gl_analyze_stems(const char *const *bundles, size_t n)
{
    char **stems = gl_xcalloc(n ? n : 1, sizeof *stems);
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(bundles[i], '/');
        base = base ? base + 1 : bundles[i];
        gl_buf b = {0};
        for (const char *p = base; *p; p++) {
            unsigned char c = (unsigned char)*p;
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.';
            gl_buf_putc(&b, ok ? (char)c : '_');
        }
        static const char *const suffixes[] = {GL_ENCRYPTED_SUFFIX, ".tar.zst"};
        for (size_t s = 0; s < 2; s++) {
            size_t k = strlen(suffixes[s]);
            if (b.len > k && !strcmp(b.data + b.len - k, suffixes[s]))
                b.data[b.len -= k] = '\0';
        }
        if (!b.len || b.data[0] == '.')
            gl_buf_puts(&b, "_bundle");
        /* unique among the earlier ones */
        gl_buf name = {0};
        gl_buf_puts(&name, b.data);
        for (unsigned k = 2;; k++) {
            bool taken = false;
            for (size_t j = 0; j < i && !taken; j++)
                taken = !strcmp(stems[j], name.data);
            if (!taken)
                break;
            gl_buf_clear(&name);
            gl_buf_printf(&name, "%s-%u", b.data, k);
        }
        stems[i] = name.data;
        gl_buf_free(&b);
    }
    return stems;
}

/* ---- one host ------------------------------------------------------------------ */

typedef struct host_ctx {
    const gl_analyze_opts *o;
    const gl_fleet_rules *rules;
    gl_row_host rh;
    gl_sorter *rows;
    FILE *keys;
    FILE *marked; /* findings rewritten with "unverified": true */
    gl_fleet_columns *cols;
    gl_summary *summary;
    size_t seq;
    gl_buf row, key;
    int rc;
    gl_err *err;
} host_ctx;

static int add_row(host_ctx *h, gl_buf *row)
{
    return gl_sorter_add(h->rows, row->data, row->len, h->err);
}

static void put_keys(host_ctx *h)
{
    if (h->key.len)
        fwrite(h->key.data, 1, h->key.len, h->keys);
    gl_buf_clear(&h->key);
}

static int on_finding(void *ctx, const char *line, size_t n, cJSON *f)
{
    host_ctx *h = ctx;
    gl_summary_add(h->summary, gl_severity_rank(gl_jstr(f, "severity")), gl_jstr(f, "title"), h->rh.host);
    gl_fleet_columns_add(h->cols, f);
    gl_fleet_keys(h->rules, true, f, h->rh.stem, h->rh.host, &h->key);
    put_keys(h);
    if (h->marked) { /* the object's closing brace gets the mark before it */
        fwrite(line, 1, n - 1, h->marked);
        fputs(",\"unverified\":true}\n", h->marked);
    }
    gl_row_finding(&h->rh, h->seq++, f, &h->row);
    return add_row(h, &h->row);
}

static int on_fact(void *ctx, const char *line, size_t n, cJSON *t)
{
    (void)line;
    (void)n;
    host_ctx *h = ctx;
    gl_fleet_keys(h->rules, false, t, h->rh.stem, h->rh.host, &h->key);
    put_keys(h);
    gl_row_fact(&h->rh, h->seq++, t, &h->row);
    return add_row(h, &h->row);
}

/* Sorted rows to the host's timeline files. */
static int export_rows(const char *rows_path, const char *dir, bool ecs, gl_err *err)
{
    gl_export x;
    if (gl_export_open(&x, dir, ecs, err) != 0)
        return -1;
    FILE *fp = fopen(rows_path, "rb");
    int rc = fp ? 0 : gl_err_errno(err, "reading %s", rows_path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        rc = gl_export_row(&x, line, (size_t)len, err);
    }
    free(line);
    if (fp)
        fclose(fp);
    gl_err cerr;
    if (gl_export_close(&x, &cerr) != 0 && rc == 0) {
        *err = cerr;
        rc = -1;
    }
    return rc;
}

/* What analysis.json says about one host, gathered along the way. */
typedef struct host_report {
    const char *bundle, *stem;
    char sha256[GL_SHA256_HEX];
    bool verified, refused, failed;
    gl_buf problems;      /* verify's report, one problem per line */
    cJSON *run;           /* the collection's run.json */
    cJSON *rerun;         /* the re-run's run.json */
    char failure[1024];
    gl_fleet_columns *cols;
    gl_summary summary;
    size_t bad_lines;
} host_report;

static void json_lines_array(gl_json *j, const char *text)
{
    gl_json_arr_begin(j);
    for (const char *p = text; p && *p;) {
        size_t n = strcspn(p, "\n");
        if (n)
            gl_json_strn(j, p, n);
        p += n + (p[n] == '\n');
    }
    gl_json_arr_end(j);
}

/* Modules of a run.json: name, status, errors (the first few). */
static void json_modules(gl_json *j, const cJSON *run)
{
    gl_json_arr_begin(j);
    const cJSON *m;
    cJSON_ArrayForEach(m, gl_jpath(run, "modules"))
    {
        gl_json_obj_begin(j);
        gl_json_kv_str(j, "name", gl_jstr(m, "name"));
        gl_json_kv_str(j, "status", gl_jstr(m, "status"));
        const cJSON *errs = gl_jpath(m, "errors"), *e;
        gl_json_kv_uint(j, "error_count", (uint64_t)cJSON_GetArraySize(errs));
        gl_json_key(j, "errors");
        gl_json_arr_begin(j);
        int shown = 0;
        cJSON_ArrayForEach(e, errs) if (cJSON_IsString(e) && shown++ < ERRORS_SHOWN) gl_json_str(j, e->valuestring);
        gl_json_arr_end(j);
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
}

static void json_counts(gl_json *j, const gl_summary *s)
{
    gl_json_key(j, "counts");
    gl_json_obj_begin(j);
    uint64_t total = 0;
    for (int i = 4; i >= 0; i--) {
        gl_json_kv_uint(j, gl_severity_label(i), s->counts[i]);
        total += s->counts[i];
    }
    gl_json_kv_uint(j, "total", total);
    gl_json_obj_end(j);
    int max = -1;
    for (int i = 0; i < 5; i++)
        if (s->counts[i])
            max = i;
    gl_json_kv_str(j, "max_severity", max >= 0 ? gl_severity_label(max) : NULL);
    gl_json_key(j, "top_findings");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < s->n_top; i++) {
        gl_json_obj_begin(j);
        gl_json_kv_str(j, "severity", gl_severity_label(s->top[i].severity));
        gl_json_kv_str(j, "title", s->top[i].title);
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
}

static const char *host_state_name(const host_report *r)
{
    return r->failed ? "failed" : r->refused ? "refused" : r->verified ? "analysed" : "analysed unverified";
}

static int write_host_analysis(const char *dir, const host_report *r, gl_err *err)
{
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "format", "gleaner-analysis-host/1");
    gl_json_kv_str(&j, "stem", r->stem);
    gl_json_kv_str(&j, "bundle", r->bundle);
    gl_json_kv_str(&j, "bundle_sha256", r->sha256[0] ? r->sha256 : NULL);
    gl_json_kv_str(&j, "state", host_state_name(r));
    gl_json_kv_bool(&j, "verified", r->verified);
    if (!r->verified && !r->refused && !r->failed)
        gl_json_kv_bool(&j, "unverified", true);
    gl_json_key(&j, "verify_problems");
    json_lines_array(&j, r->problems.data);
    gl_json_kv_str(&j, "failure", r->failure[0] ? r->failure : NULL);
    gl_json_kv_str(&j, "host", gl_jstr(r->run, "host"));
    gl_jcopy(&j, "os", gl_jpath(r->run, "os"));
    gl_json_kv_str(&j, "collected", gl_jstr(r->run, "end_utc"));
    gl_json_key(&j, "collection");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "status", gl_jstr(r->run, "status"));
    gl_json_kv_str(&j, "reason", gl_jstr(r->run, "reason"));
    gl_json_kv_str(&j, "gleaner_version", gl_jstr(r->run, "gleaner_version"));
    gl_json_kv_str(&j, "profile", gl_jstr(r->run, "profile.name"));
    gl_jcopy(&j, "errors", gl_jpath(r->run, "errors"));
    gl_json_key(&j, "modules");
    json_modules(&j, r->run);
    gl_json_obj_end(&j);
    gl_json_key(&j, "rerun");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "status", gl_jstr(r->rerun, "status"));
    gl_json_kv_str(&j, "gleaner_version", GLEANER_VERSION);
    gl_json_key(&j, "modules");
    json_modules(&j, r->rerun);
    gl_json_kv_uint(&j, "unreadable_lines", r->bad_lines);
    gl_json_obj_end(&j);
    json_counts(&j, &r->summary);
    gl_json_key(&j, "fleet");
    if (r->cols)
        gl_fleet_columns_json(r->cols, &j);
    else
        gl_json_null(&j);
    gl_json_obj_end(&j);
    gl_buf_putc(&out, '\n');
    char *path = pathf("%s/analysis.json", dir);
    int rc = write_file(path, out.data, out.len, err);
    free(path);
    gl_buf_free(&out);
    return rc;
}

/* The collection's profile again when it is a built-in one. */
static gl_profile *rerun_profile(const cJSON *run, gl_err *err)
{
    const char *name = gl_jstr(run, "profile.name"), *origin = gl_jstr(run, "profile.origin");
    if (name && origin && !strncmp(origin, "built-in", 8)) {
        gl_profile *p = gl_profile_load(name, err);
        if (p)
            return p;
    }
    return gl_profile_load("standard", err);
}

static int rerun(const gl_analyze_opts *o, const char *bundle, const char *dir, host_report *r, gl_err *err)
{
    gl_profile *own = o->profile ? NULL : rerun_profile(r->run, err);
    const gl_profile *profile = o->profile ? o->profile : own;
    if (!profile)
        return -1;
    char *spec = pathf("bundle:%s", bundle);
    gl_collect_opts co = {.source_spec = spec, .profile = profile, .modules = o->modules, .output_dir = dir,
                          .name_template = "{host}", .command_line = o->command_line, .emit_dir = dir};
    gl_collect_result res;
    int rc = gl_collect(&co, &res, err);
    free(spec);
    gl_profile_free(own);
    if (rc != 0)
        return -1;
    char *run_path = pathf("%s/run.json", dir), *log = pathf("%s/log.txt", dir), *alog = pathf("%s/analysis.log", dir);
    r->rerun = read_json_file(run_path);
    rename(log, alog);
    free(run_path);
    free(log);
    free(alog);
    return 0;
}

/* Findings and timeline facts of the re-run: summary, fleet columns,
 * correlation keys, timeline rows; then the host's timeline files. */
static int digest(const gl_analyze_opts *o, const gl_fleet_rules *rules, const char *dir, const char *work,
                  const char *stem, host_report *r, gl_err *err)
{
    host_ctx h = {.o = o, .rules = rules, .summary = &r->summary, .err = err};
    h.rh = (gl_row_host){.host = gl_jstr(r->run, "host") ? gl_jstr(r->run, "host") : stem,
                         .stem = stem,
                         .collected = gl_jstr(r->run, "end_utc"),
                         .unverified = !r->verified};
    if (h.rh.host == stem && gl_jstr(r->rerun, "host"))
        h.rh.host = gl_jstr(r->rerun, "host");
    char *findings = pathf("%s/findings.jsonl", dir), *marked = pathf("%s/.findings.marked", dir);
    char *facts = pathf("%s/.timeline.facts", dir), *timeline = pathf("%s/timeline.jsonl", dir);
    char *keys = pathf("%s/%s.keys", work, stem), *rows = pathf("%s/%s.rows", work, stem);
    r->cols = gl_fleet_columns_new(rules);
    h.cols = r->cols;
    h.rows = gl_sorter_new(work, SORT_BUDGET);
    h.keys = fopen(keys, "wb");
    int rc = h.keys ? 0 : gl_err_errno(err, "creating %s", keys);
    if (rc == 0 && !r->verified) {
        h.marked = fopen(marked, "wb");
        rc = h.marked ? 0 : gl_err_errno(err, "creating %s", marked);
    }
    /* the re-run's facts make room for the Timesketch timeline of the same name */
    if (rc == 0 && rename(timeline, facts) != 0 && errno != ENOENT)
        rc = gl_err_errno(err, "moving %s", timeline);
    if (rc == 0)
        rc = each_object(findings, on_finding, &h, &r->bad_lines, err);
    if (rc == 0)
        rc = each_object(facts, on_fact, &h, &r->bad_lines, err);
    if (h.keys && fclose(h.keys) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", keys);
    if (h.marked && fclose(h.marked) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", marked);
    if (rc == 0 && h.marked && rename(marked, findings) != 0)
        rc = gl_err_errno(err, "replacing %s", findings);
    if (rc == 0)
        rc = gl_sorter_finish(h.rows, rows, err);
    else
        gl_sorter_free(h.rows);
    if (rc == 0)
        rc = export_rows(rows, dir, o->ecs, err);
    unlink(facts);
    unlink(marked);
    gl_buf_free(&h.row);
    gl_buf_free(&h.key);
    free(findings);
    free(marked);
    free(facts);
    free(timeline);
    free(keys);
    free(rows);
    return rc;
}

static int verify(const gl_analyze_opts *o, const char *bundle, host_report *r)
{
    gl_verify_result vres;
    r->verified = gl_bundle_verify_key(bundle, o->key_pem, o->cert_pem, &vres, &r->problems) == 0;
    if (!r->verified && !r->problems.len)
        gl_buf_puts(&r->problems, "bundle does not verify\n");
    return 0;
}

static int write_sink(void *ctx, const void *buf, size_t n) { return fwrite(buf, 1, n, ctx) == n ? 0 : -1; }

/* An encrypted bundle is decrypted (a stream) into the work directory for
 * the re-run, whose bundle: source unpacks plain bundles; on the analyst's
 * machine, as `gleaner decrypt` does. NULL with err when that fails. */
static char *plain_copy(const gl_analyze_opts *o, const char *bundle, const char *work, const char *stem,
                        gl_err *err)
{
    char *path = pathf("%s/%s.plain.tar.zst", work, stem);
    FILE *fp = fopen(path, "wb");
    int rc = fp ? gl_bundle_decrypt_stream(bundle, o->key_pem, o->cert_pem, write_sink, fp, err)
                : gl_err_errno(err, "creating %s", path);
    if (fp && fclose(fp) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", path);
    if (rc != 0) {
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

int gl_analyze_host(const gl_analyze_opts *o, const char *bundle, const char *stem, gl_host_result *res,
                    gl_err *err)
{
    memset(res, 0, sizeof *res);
    char *hosts = pathf("%s/hosts", o->out_dir), *dir = pathf("%s/hosts/%s", o->out_dir, stem);
    char *work = pathf("%s/.work", o->out_dir);
    int rc = make_dir(o->out_dir, err);
    if (rc == 0)
        rc = make_dir(hosts, err);
    if (rc == 0)
        rc = make_dir(work, err);
    if (rc == 0) {
        gl_remove_tree(dir); /* an earlier analysis of the same name */
        rc = make_dir(dir, err);
    }
    if (rc != 0) {
        free(hosts);
        free(dir);
        free(work);
        return -1;
    }
    host_report r = {.bundle = bundle, .stem = stem};
    if (gl_sha256_file(bundle, r.sha256) != 0)
        r.sha256[0] = '\0';
    verify(o, bundle, &r);
    gl_buf run_text = {0};
    gl_err herr = {0};
    gl_fleet_rules *rules = NULL; /* the host's fleet columns point into them */
    char *plain = NULL;           /* an encrypted bundle's clear copy */
    if (!r.verified && !o->allow_unverified) {
        r.refused = true;
    } else if (read_member(o, bundle, "run.json", RUN_JSON_MAX, &run_text, &herr) != 0) {
        r.failed = true;
        snprintf(r.failure, sizeof r.failure, "%s", herr.msg);
    } else if (!(r.run = gl_jparse_object(gl_buf_cstr(&run_text), run_text.len))) {
        r.failed = true;
        snprintf(r.failure, sizeof r.failure, "run.json is not a JSON object");
    } else if ((gl_bundle_is_encrypted(bundle) && !(plain = plain_copy(o, bundle, work, stem, &herr))) ||
               rerun(o, plain ? plain : bundle, dir, &r, &herr) != 0 || !(rules = gl_fleet_rules_builtin(&herr)) ||
               digest(o, rules, dir, work, stem, &r, &herr) != 0) {
        r.failed = true;
        snprintf(r.failure, sizeof r.failure, "%s", herr.msg);
    }
    /* the collection's own run.json, in place of the re-run's */
    char *run_path = pathf("%s/run.json", dir);
    if (run_text.len && write_file(run_path, run_text.data, run_text.len, &herr) != 0 && !r.failed) {
        r.failed = true;
        snprintf(r.failure, sizeof r.failure, "%s", herr.msg);
    }
    rc = write_host_analysis(dir, &r, err);
    if (rc == 0 && !r.refused && !r.failed && gl_report_host_html(dir, &herr) != 0)
        snprintf(r.failure, sizeof r.failure, "report.html: %s", herr.msg); /* the data is complete anyway */
    res->state = r.failed ? GL_HOST_FAILED : r.refused ? GL_HOST_REFUSED : r.verified ? GL_HOST_ANALYSED
                                                                                      : GL_HOST_UNVERIFIED;
    snprintf(res->host, sizeof res->host, "%s", gl_jstr(r.run, "host") ? gl_jstr(r.run, "host") : stem);
    memcpy(res->sha256, r.sha256, sizeof res->sha256);
    res->summary = r.summary;
    if (r.refused)
        snprintf(res->reason, sizeof res->reason, "%.*s", (int)strcspn(r.problems.data, "\n"), r.problems.data);
    if (r.failed) {
        snprintf(res->reason, sizeof res->reason, "%s", r.failure);
        gl_err_set(err, "%s: %s", bundle, r.failure);
    }
    if (plain)
        unlink(plain);
    free(plain);
    gl_fleet_columns_free(r.cols);
    gl_fleet_rules_free(rules);
    cJSON_Delete(r.run);
    cJSON_Delete(r.rerun);
    gl_buf_free(&r.problems);
    gl_buf_free(&run_text);
    free(run_path);
    free(hosts);
    free(dir);
    free(work);
    return rc;
}

/* ---- the fleet: every host together -------------------------------------------- */

typedef struct host_sum {
    char *stem, *host, *os, *collected, *status, *state, *sha256;
    bool verified, analysed;
    uint64_t counts[5];
    char **cols; /* one ';'-joined string per fleet column */
} host_sum;

static char *dup_or_empty(const char *s) { return gl_xstrdup(s ? s : ""); }

static void read_host_sum(const gl_fleet_rules *rules, const char *out_dir, const char *stem, host_sum *s,
                          gl_summary *total)
{
    char *path = pathf("%s/hosts/%s/analysis.json", out_dir, stem);
    cJSON *a = read_json_file(path);
    free(path);
    s->stem = gl_xstrdup(stem);
    s->host = dup_or_empty(gl_jstr(a, "host") ? gl_jstr(a, "host") : stem);
    s->os = dup_or_empty(gl_jstr(a, "os.product") ? gl_jstr(a, "os.product") : gl_jstr(a, "os.system"));
    s->collected = dup_or_empty(gl_jstr(a, "collected"));
    s->status = dup_or_empty(gl_jstr(a, "collection.status"));
    s->state = dup_or_empty(a ? gl_jstr(a, "state") : "failed");
    s->sha256 = dup_or_empty(gl_jstr(a, "bundle_sha256"));
    s->verified = cJSON_IsTrue(gl_jpath(a, "verified"));
    s->analysed = !strncmp(s->state, "analysed", 8);
    for (int i = 0; i < 5; i++) {
        const cJSON *c = gl_jpath(gl_jpath(a, "counts"), gl_severity_label(i));
        s->counts[i] = cJSON_IsNumber(c) && c->valuedouble > 0 ? (uint64_t)c->valuedouble : 0;
    }
    gl_summary host = {0};
    const cJSON *t;
    cJSON_ArrayForEach(t, gl_jpath(a, "top_findings"))
        gl_summary_add(&host, gl_severity_rank(gl_jstr(t, "severity")), gl_jstr(t, "title"), s->host);
    for (int i = 0; i < 5; i++)
        host.counts[i] = s->counts[i];
    gl_summary_merge(total, &host);
    size_t nc = gl_fleet_n_columns(rules);
    s->cols = gl_xcalloc(nc ? nc : 1, sizeof *s->cols);
    for (size_t c = 0; c < nc; c++) {
        gl_buf b = {0};
        const cJSON *v;
        cJSON_ArrayForEach(v, gl_jpath(gl_jpath(a, "fleet"), gl_fleet_column_name(rules, c)))
            if (cJSON_IsString(v))
                gl_buf_printf(&b, "%s%s", b.len ? ";" : "", v->valuestring);
        s->cols[c] = b.data ? b.data : gl_xstrdup("");
    }
    cJSON_Delete(a);
}

static void free_host_sum(host_sum *s, size_t nc)
{
    free(s->stem);
    free(s->host);
    free(s->os);
    free(s->collected);
    free(s->status);
    free(s->state);
    free(s->sha256);
    for (size_t c = 0; s->cols && c < nc; c++)
        free(s->cols[c]);
    free(s->cols);
}

/* Most severe first: critical count, then high, ...; then by name. */
static int cmp_rank(const void *pa, const void *pb)
{
    const host_sum *a = pa, *b = pb;
    for (int i = 4; i >= 0; i--)
        if (a->counts[i] != b->counts[i])
            return a->counts[i] > b->counts[i] ? -1 : 1;
    return strcmp(a->host, b->host);
}

static int write_fleet_csv(const char *out_dir, const gl_fleet_rules *rules, host_sum *sums, size_t n, gl_err *err)
{
    char *path = pathf("%s/fleet.csv", out_dir);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        gl_err_errno(err, "creating %s", path);
        free(path);
        return -1;
    }
    size_t nc = gl_fleet_n_columns(rules);
    fputs("rank,host,bundle,os,collected,status,verified,analysis,critical,high,medium,low,info", fp);
    for (size_t c = 0; c < nc; c++)
        fprintf(fp, ",%s", gl_fleet_column_name(rules, c));
    fputs("\r\n", fp);
    for (size_t i = 0; i < n; i++) {
        host_sum *s = &sums[i];
        char num[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        gl_csv_field(fp, num, false);
        gl_csv_field(fp, s->host, false);
        gl_csv_field(fp, s->stem, false);
        gl_csv_field(fp, s->os, false);
        gl_csv_field(fp, s->collected, false);
        gl_csv_field(fp, s->status, false);
        gl_csv_field(fp, s->verified ? "true" : "false", false);
        gl_csv_field(fp, s->state, false);
        for (int k = 4; k >= 0; k--) {
            snprintf(num, sizeof num, "%llu", (unsigned long long)s->counts[k]);
            gl_csv_field(fp, num, k == 0 && nc == 0);
        }
        for (size_t c = 0; c < nc; c++)
            gl_csv_field(fp, s->cols[c], c + 1 == nc);
    }
    bool bad = ferror(fp) != 0;
    int rc = (fclose(fp) != 0 || bad) ? gl_err_errno(err, "writing %s", path) : 0;
    free(path);
    return rc;
}

static int append_file(FILE *out, const char *path, gl_err *err)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return errno == ENOENT ? 0 : gl_err_errno(err, "reading %s", path);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
        fwrite(chunk, 1, got, out);
    int rc = ferror(in) ? gl_err_errno(err, "reading %s", path) : 0;
    fclose(in);
    return rc;
}

/* Every host's correlation keys, sorted on disk, grouped into findings. */
static int correlate(const char *work, const gl_fleet_rules *rules, host_sum *sums, size_t n, const char *fleet_path,
                     size_t *found, gl_err *err)
{
    gl_sorter *s = gl_sorter_new(work, SORT_BUDGET);
    int rc = 0;
    char *line = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = pathf("%s/%s.keys", work, sums[i].stem);
        FILE *fp = fopen(path, "rb");
        ssize_t len;
        while (fp && rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
            if (line[len - 1] == '\n')
                len--;
            rc = gl_sorter_add(s, line, (size_t)len, err);
        }
        if (fp)
            fclose(fp);
        free(path);
    }
    free(line);
    char *sorted = pathf("%s/keys.sorted", work);
    rc = rc == 0 ? gl_sorter_finish(s, sorted, err) : (gl_sorter_free(s), rc);
    FILE *out = rc == 0 ? fopen(fleet_path, "wb") : NULL;
    if (rc == 0 && !out)
        rc = gl_err_errno(err, "creating %s", fleet_path);
    if (rc == 0)
        rc = gl_fleet_correlate(rules, sorted, out, found, err);
    if (out && fclose(out) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", fleet_path);
    unlink(sorted);
    free(sorted);
    return rc;
}

static int on_fleet_finding(void *ctx, const char *line, size_t n, cJSON *f)
{
    (void)line;
    (void)n;
    gl_summary_add(ctx, gl_severity_rank(gl_jstr(f, "severity")), gl_jstr(f, "title"), "fleet");
    return 0;
}

static int combined_timeline(const gl_analyze_opts *o, const char *work, host_sum *sums, size_t n, gl_err *err)
{
    char **rows = gl_xcalloc(n ? n : 1, sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (sums[i].analysed)
            rows[k++] = pathf("%s/%s.rows", work, sums[i].stem);
    char *all = pathf("%s/all.rows", work);
    int rc = gl_merge_sorted((const char *const *)rows, k, work, all, err);
    if (rc == 0)
        rc = export_rows(all, o->out_dir, o->ecs, err);
    unlink(all);
    free(all);
    for (size_t i = 0; i < k; i++)
        free(rows[i]);
    free(rows);
    return rc;
}

static int write_fleet_analysis(const gl_analyze_opts *o, host_sum *sums, size_t n, const gl_fleet_result *res,
                                gl_err *err)
{
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "format", "gleaner-analysis/1");
    gl_json_kv_str(&j, "gleaner_version", GLEANER_VERSION);
    gl_json_kv_uint(&j, "host_count", res->hosts);
    gl_json_kv_uint(&j, "analysed", res->analysed);
    gl_json_kv_uint(&j, "unverified", res->unverified);
    gl_json_kv_uint(&j, "refused", res->refused);
    gl_json_kv_uint(&j, "failed", res->failed);
    gl_json_kv_uint(&j, "fleet_findings", res->fleet_findings);
    json_counts(&j, &res->summary);
    gl_json_key(&j, "hosts"); /* ranked as fleet.csv is */
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        gl_json_obj_begin(&j);
        gl_json_kv_uint(&j, "rank", i + 1);
        gl_json_kv_str(&j, "stem", sums[i].stem);
        char *dir = pathf("hosts/%s", sums[i].stem);
        gl_json_kv_str(&j, "dir", dir);
        free(dir);
        gl_json_kv_str(&j, "host", sums[i].host);
        gl_json_kv_str(&j, "os", sums[i].os);
        gl_json_kv_str(&j, "collected", sums[i].collected);
        gl_json_kv_str(&j, "status", sums[i].status);
        gl_json_kv_str(&j, "state", sums[i].state);
        gl_json_kv_bool(&j, "verified", sums[i].verified);
        gl_json_kv_str(&j, "bundle_sha256", sums[i].sha256);
        gl_json_key(&j, "counts");
        gl_json_obj_begin(&j);
        for (int k = 4; k >= 0; k--)
            gl_json_kv_uint(&j, gl_severity_label(k), sums[i].counts[k]);
        gl_json_obj_end(&j);
        gl_json_obj_end(&j);
    }
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    gl_buf_putc(&out, '\n');
    char *path = pathf("%s/analysis.json", o->out_dir);
    int rc = write_file(path, out.data, out.len, err);
    free(path);
    gl_buf_free(&out);
    return rc;
}

static void remove_work(const char *work, host_sum *sums, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        static const char *const ext[] = {"keys", "rows"};
        for (size_t e = 0; e < 2; e++) {
            char *p = pathf("%s/%s.%s", work, sums[i].stem, ext[e]);
            unlink(p);
            free(p);
        }
    }
    rmdir(work);
}

int gl_analyze_fleet(const gl_analyze_opts *o, const char *const *stems, size_t n, gl_fleet_result *res,
                     gl_err *err)
{
    memset(res, 0, sizeof *res);
    gl_fleet_rules *rules = gl_fleet_rules_builtin(err);
    if (!rules)
        return -1;
    char *work = pathf("%s/.work", o->out_dir);
    int rc = make_dir(o->out_dir, err) == 0 ? make_dir(work, err) : -1;
    size_t nc = gl_fleet_n_columns(rules);
    host_sum *sums = gl_xcalloc(n ? n : 1, sizeof *sums);
    for (size_t i = 0; i < n && rc == 0; i++) {
        read_host_sum(rules, o->out_dir, stems[i], &sums[i], &res->summary);
        res->hosts++;
        if (!strcmp(sums[i].state, "analysed"))
            res->analysed++;
        else if (!strcmp(sums[i].state, "analysed unverified"))
            res->unverified++;
        else if (!strcmp(sums[i].state, "refused"))
            res->refused++;
        else
            res->failed++;
    }
    char *findings = pathf("%s/findings.jsonl", o->out_dir), *fleet = pathf("%s/fleet.jsonl", work);
    FILE *out = rc == 0 ? fopen(findings, "wb") : NULL;
    if (rc == 0 && !out)
        rc = gl_err_errno(err, "creating %s", findings);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!sums[i].analysed)
            continue;
        char *path = pathf("%s/hosts/%s/findings.jsonl", o->out_dir, stems[i]);
        rc = append_file(out, path, err);
        free(path);
    }
    if (rc == 0)
        rc = correlate(work, rules, sums, n, fleet, &res->fleet_findings, err);
    size_t bad = 0;
    if (rc == 0)
        rc = each_object(fleet, on_fleet_finding, &res->summary, &bad, err);
    if (rc == 0)
        rc = append_file(out, fleet, err);
    if (out && fclose(out) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", findings);
    unlink(fleet);
    if (rc == 0)
        rc = combined_timeline(o, work, sums, n, err);
    qsort(sums, n, sizeof *sums, cmp_rank);
    if (rc == 0)
        rc = write_fleet_csv(o->out_dir, rules, sums, n, err);
    if (rc == 0)
        rc = write_fleet_analysis(o, sums, n, res, err);
    if (rc == 0)
        rc = gl_report_fleet_html(o->out_dir, err);
    remove_work(work, sums, n);
    for (size_t i = 0; i < n; i++)
        free_host_sum(&sums[i], nc);
    free(sums);
    free(findings);
    free(fleet);
    free(work);
    gl_fleet_rules_free(rules);
    return rc;
}

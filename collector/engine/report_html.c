/* HTML reports (report_html.h). The page is a template (embedded data,
 * "report/<file>") whose <!--@name--> markers are replaced by what this
 * file writes: the static summary (so counts and the verification banner
 * read without script and print as they are) and the JSON blocks the
 * page's script renders. Every input line is parsed and written again by
 * cJSON, so what reaches the page is valid JSON whatever the file held,
 * and '<', '>' and '&' become \u escapes so no evidence string can close
 * the <script> block or open a comment. */
#include "report_html.h"
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "buf.h"
#include "embedded.h"
#include "json.h"
#include "mapfile.h"
#include "sha256.h"

/* analyze may rate a correlated chain critical; findings of modules stop at high. */
enum { SEV_CRITICAL, SEV_HIGH, SEV_MEDIUM, SEV_LOW, SEV_INFO, SEV_OTHER, SEV_N };
static const char *const sev_names[SEV_N] = {"critical", "high", "medium", "low", "info", "other"};

/* run.json and analysis.json are small; anything bigger is not ours. */
#define SMALL_JSON_MAX (16u << 20)
#define CSV_FIELD_MAX 65536
#define CSV_FIELDS_MAX 1024
#define SUMMARY_ERRORS_MAX 20

static int sev_index(const cJSON *finding)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(finding, "severity");
    for (int i = 0; i < SEV_OTHER; i++)
        if (cJSON_IsString(s) && !strcmp(s->valuestring, sev_names[i]))
            return i;
    return SEV_OTHER;
}

static bool is_chain(const cJSON *finding)
{
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(finding, "details");
    return cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(details, "steps"));
}

static const char *str_item(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- output ------------------------------------------------------------------- */

static void put_html(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: putc(*s, f);
        }
    }
}

/* pre and post as they are (markup), text escaped between them; any may be NULL. */
static void put_around(FILE *f, const char *pre, const char *text, const char *post)
{
    if (pre)
        fputs(pre, f);
    put_html(f, text);
    if (post)
        fputs(post, f);
}

/* JSON text inside <script type="application/json">: the characters that
 * could end the element or start markup become \u escapes, which JSON
 * allows inside strings (the only place valid JSON has them). */
static void put_script_json(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': fputs("\\u003c", f); break;
        case '>': fputs("\\u003e", f); break;
        case '&': fputs("\\u0026", f); break;
        default: putc(s[i], f);
        }
    }
}

static void put_block(FILE *f, const char *id, const gl_buf *json)
{
    fprintf(f, "<script type=\"application/json\" id=\"%s\">", id);
    put_script_json(f, json->data ? json->data : "null", json->len ? json->len : 4);
    fputs("</script>\n", f);
}

/* ---- JSON Lines input ------------------------------------------------------------ */

typedef struct jl_stats {
    uint64_t lines; /* non-blank lines */
    uint64_t bad;   /* not a JSON object, or longer than GL_REPORT_LINE_MAX */
    bool absent;
} jl_stats;

/* 0 to go on, 1 to stop parsing (lines are still counted). */
typedef int (*jl_fn)(const cJSON *obj, void *ctx);

static bool read_line(FILE *in, gl_buf *line, bool *too_long)
{
    gl_buf_clear(line);
    *too_long = false;
    bool any = false;
    int c;
    while ((c = getc_unlocked(in)) != EOF) {
        any = true;
        if (c == '\n')
            return true;
        if (line->len < GL_REPORT_LINE_MAX)
            gl_buf_putc(line, (char)c);
        else
            *too_long = true;
    }
    return any;
}

static bool blank(const gl_buf *line)
{
    for (size_t i = 0; i < line->len; i++)
        if (!strchr(" \t\r", line->data[i]))
            return false;
    return true;
}

static int jl_each(const char *path, jl_fn fn, void *ctx, jl_stats *st, gl_err *err)
{
    memset(st, 0, sizeof *st);
    FILE *in = fopen(path, "rb");
    if (!in) {
        if (errno != ENOENT)
            return gl_err_errno(err, "opening %s", path);
        st->absent = true;
        return 0;
    }
    gl_buf line = {0};
    bool too_long, parsing = true;
    while (read_line(in, &line, &too_long)) {
        if (blank(&line))
            continue;
        st->lines++;
        if (!parsing)
            continue;
        cJSON *obj = too_long ? NULL : cJSON_ParseWithLength(line.data, line.len);
        if (!cJSON_IsObject(obj))
            st->bad++;
        else if (fn(obj, ctx))
            parsing = false;
        cJSON_Delete(obj);
    }
    int rc = ferror(in) ? gl_err_errno(err, "reading %s", path) : 0;
    fclose(in);
    gl_buf_free(&line);
    return rc;
}

/* Writes objects as the items of one JSON array, up to cap. */
typedef struct emitter {
    FILE *f;
    size_t cap, shown;
    int sev;            /* only findings of this severity; -1 for all */
    const char *module; /* only findings of this module; NULL for all */
} emitter;

static int emit_one(const cJSON *obj, void *ctx)
{
    emitter *e = ctx;
    if (e->shown >= e->cap)
        return 1;
    if (e->sev >= 0 && sev_index(obj) != e->sev)
        return 0;
    const char *module = str_item(obj, "module");
    if (e->module && (!module || strcmp(module, e->module)))
        return 0;
    char *s = cJSON_PrintUnformatted(obj);
    if (!s) /* allocation failure: as gl_xmalloc does */
        abort();
    if (e->shown++)
        putc(',', e->f);
    put_script_json(e->f, s, strlen(s));
    free(s);
    return e->shown >= e->cap;
}

static char *path_join(const char *dir, const char *name)
{
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/%s", dir, name);
    return b.data;
}

/* A small JSON file (run.json, analysis.json); NULL when absent, too big
 * or not a JSON object: the page then says what it does not know. */
static cJSON *load_json(const char *dir, const char *name)
{
    char *path = path_join(dir, name);
    gl_mapfile mf;
    cJSON *doc = NULL;
    if (gl_mapfile_open(&mf, path, SMALL_JSON_MAX, NULL) == 0 && mf.len)
        doc = cJSON_ParseWithLength((const char *)mf.data, mf.len);
    gl_mapfile_close(&mf);
    free(path);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* ---- findings --------------------------------------------------------------------- */

typedef struct finding_counts {
    uint64_t sev[SEV_N];
    uint64_t chains;
} finding_counts;

static int count_one(const cJSON *obj, void *ctx)
{
    finding_counts *c = ctx;
    c->sev[sev_index(obj)]++;
    c->chains += is_chain(obj);
    return 0;
}

static int count_findings(const char *dir, finding_counts *c, jl_stats *st, gl_err *err)
{
    memset(c, 0, sizeof *c);
    char *path = path_join(dir, "findings.jsonl");
    int rc = jl_each(path, count_one, c, st, err);
    free(path);
    return rc;
}

/* Findings by severity, high first, so the cap drops the least severe. */
static int put_findings(FILE *f, const char *dir, const finding_counts *c, size_t *shown, gl_err *err)
{
    char *path = path_join(dir, "findings.jsonl");
    emitter e = {f, GL_REPORT_FINDINGS_CAP, 0, 0, NULL};
    int rc = 0;
    fputs("<script type=\"application/json\" id=\"gl-findings\">[", f);
    for (int s = 0; s < SEV_N && rc == 0 && e.shown < e.cap; s++) {
        jl_stats st;
        e.sev = s;
        if (c->sev[s])
            rc = jl_each(path, emit_one, &e, &st, err);
    }
    fputs("]</script>\n", f);
    free(path);
    *shown = e.shown;
    return rc;
}

/* ---- the host page ------------------------------------------------------------------ */

typedef struct host_page {
    const char *dir;
    cJSON *run, *analysis;
    finding_counts counts;
    jl_stats findings_st;
} host_page;

/* What the collection said: run.json, else what analysis.json copied of
 * it ("collection"), else analysis.json itself (host, os). */
static const cJSON *run_item(const host_page *p, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->run, key);
    if (!v)
        v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p->analysis, "collection"), key);
    if (!v)
        v = cJSON_GetObjectItemCaseSensitive(p->analysis, key);
    return v;
}

static const char *run_str(const host_page *p, const char *key)
{
    const cJSON *v = run_item(p, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void put_value_text(FILE *f, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        put_html(f, v->valuestring);
        return;
    }
    const char *msg = str_item(v, "message");
    if (msg) {
        put_html(f, msg);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    put_html(f, s);
    free(s);
}

static void put_fact(FILE *f, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    fprintf(f, "<dt>%s</dt>", label);
    put_around(f, "<dd>", value, "</dd>\n");
}

/* "Windows 10 Pro (Windows)" from run.json's os object, or a string. */
static void put_os(FILE *f, const cJSON *os)
{
    const char *product = cJSON_IsString(os) ? os->valuestring : str_item(os, "product");
    const char *system = str_item(os, "system");
    if (!product && !system)
        return;
    put_around(f, "<dt>OS</dt><dd>", product ? product : system, NULL);
    if (product && system && !strstr(product, system))
        put_around(f, " (", system, ")");
    fputs("</dd>\n", f);
}

/* Problems are listed whatever their shape: strings or objects. */
static void put_list(FILE *f, const cJSON *arr, size_t max)
{
    size_t n = 0, total = (size_t)cJSON_GetArraySize(arr);
    if (!total)
        return;
    fputs("<ul>", f);
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (n++ == max)
            break;
        fputs("<li>", f);
        put_value_text(f, v);
        fputs("</li>", f);
    }
    if (total > max)
        fprintf(f, "<li>%zu more</li>", total - max);
    fputs("</ul>", f);
}

static void put_banner(FILE *f, const host_page *p)
{
    const cJSON *verified = cJSON_GetObjectItemCaseSensitive(p->analysis, "verified");
    const char *bundle = str_item(p->analysis, "bundle");
    if (cJSON_IsFalse(verified)) {
        fputs("<div class=\"banner unverified\" id=\"verify-banner\"><strong>UNVERIFIED bundle</strong>: its "
              "content does not match its manifest or hash; analysed on request, so nothing here is proven "
              "to be what was collected.",
              f);
        const cJSON *problems = cJSON_GetObjectItemCaseSensitive(p->analysis, "verify_problems");
        if (!cJSON_IsArray(problems))
            problems = cJSON_GetObjectItemCaseSensitive(p->analysis, "problems");
        put_list(f, problems, SUMMARY_ERRORS_MAX);
        fputs("</div>\n", f);
    } else if (cJSON_IsTrue(verified)) {
        fputs("<div class=\"banner verified\" id=\"verify-banner\">Bundle verified", f);
        if (bundle)
            put_around(f, ": ", bundle, NULL);
        fputs("</div>\n", f);
    } else {
        fputs("<div class=\"banner unknown\" id=\"verify-banner\">Verification not recorded "
              "(no analysis.json beside this report)</div>\n",
              f);
    }
}

static void put_counts(FILE *f, const uint64_t sev[SEV_N])
{
    fputs("<div class=\"counts\">", f);
    for (int s = 0; s < SEV_N; s++) {
        if ((s == SEV_OTHER || s == SEV_CRITICAL) && !sev[s])
            continue;
        fprintf(f,
                "<a class=\"count sev-%s\" href=\"#findings-%s\"><b id=\"count-%s\">%llu</b> %s</a>",
                sev_names[s], sev_names[s], sev_names[s], (unsigned long long)sev[s], sev_names[s]);
    }
    fputs("</div>\n", f);
}

static void put_modules_table(FILE *f, const cJSON *mods)
{
    if (!cJSON_GetArraySize(mods))
        return;
    bool trouble = false; /* a module that did not complete opens the table */
    const cJSON *m;
    cJSON_ArrayForEach(m, mods)
    {
        const char *st = str_item(m, "status");
        trouble |= !st || strcmp(st, "complete");
    }
    fprintf(f, "<details class=\"modules\"%s><summary>Modules</summary><table>", trouble ? " open" : "");
    fputs("<thead><tr><th>module</th><th>status</th>"
          "<th class=\"num\">records</th><th class=\"num\">findings</th><th class=\"num\">events</th>"
          "<th>errors</th></tr></thead><tbody>\n",
          f);
    cJSON_ArrayForEach(m, mods)
    {
        const char *status = str_item(m, "status");
        put_around(f, "<tr><td>", str_item(m, "name"), "</td><td class=\"st-");
        put_around(f, NULL, status, "\">");
        put_around(f, NULL, status, "</td>");
        static const char *const nums[] = {"records", "findings", "timeline_events"};
        for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, nums[i]);
            if (cJSON_IsNumber(v))
                fprintf(f, "<td class=\"num\">%.0f</td>", v->valuedouble);
            else
                fputs("<td></td>", f);
        }
        fputs("<td>", f);
        put_list(f, cJSON_GetObjectItemCaseSensitive(m, "errors"), 5);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></details>\n", f);
}

static void put_host_summary(FILE *f, const host_page *p)
{
    put_banner(f, p);
    fputs("<dl class=\"facts\">\n", f);
    put_fact(f, "Host", run_str(p, "host"));
    put_os(f, run_item(p, "os"));
    const char *start = run_str(p, "start_utc"), *end = run_str(p, "end_utc");
    if (!start)
        start = run_str(p, "collected");
    if (start) {
        put_around(f, "<dt>Collected</dt><dd>", start, NULL);
        if (end)
            put_around(f, " &rarr; ", end, NULL);
        fputs("</dd>\n", f);
    }
    const char *status = run_str(p, "status");
    if (status) {
        put_around(f, "<dt>Status</dt><dd><span class=\"status st-", status, "\" id=\"run-status\">");
        put_around(f, NULL, status, "</span>");
        const char *reason = run_str(p, "reason");
        if (reason)
            put_around(f, " (", reason, ")");
        put_list(f, run_item(p, "errors"), SUMMARY_ERRORS_MAX);
        fputs("</dd>\n", f);
    }
    /* analyze's own word on the bundle, when it is not the usual */
    const char *state = str_item(p->analysis, "state");
    if (state && strcmp(state, "analysed")) {
        put_around(f, "<dt>Analysis</dt><dd><span class=\"status st-failed\">", state, "</span> ");
        put_around(f, NULL, str_item(p->analysis, "failure"), "</dd>\n");
    }
    put_fact(f, "Re-analysis", str_item(cJSON_GetObjectItemCaseSensitive(p->analysis, "rerun"), "status"));
    put_fact(f, "Bundle", str_item(p->analysis, "bundle"));
    const char *sha = str_item(p->analysis, "bundle_sha256");
    put_fact(f, "SHA-256", sha ? sha : str_item(p->analysis, "sha256"));
    const cJSON *profile = run_item(p, "profile");
    put_fact(f, "Profile", cJSON_IsString(profile) ? profile->valuestring : str_item(profile, "name"));
    put_fact(f, "Collected by", run_str(p, "gleaner_version"));
    fputs("</dl>\n", f);
    put_counts(f, p->counts.sev);
    put_modules_table(f, run_item(p, "modules"));
}

static void json_stats(gl_json *j, const char *file, const jl_stats *st, size_t shown)
{
    gl_json_kv_str(j, "file", file);
    gl_json_kv_bool(j, "absent", st->absent);
    gl_json_kv_uint(j, "total", st->lines);
    gl_json_kv_uint(j, "shown", shown);
    gl_json_kv_uint(j, "bad", st->bad);
}

static void json_caps(gl_json *j)
{
    gl_json_key(j, "caps");
    gl_json_obj_begin(j);
    gl_json_kv_uint(j, "findings", GL_REPORT_FINDINGS_CAP);
    gl_json_kv_uint(j, "timeline", GL_REPORT_TIMELINE_CAP);
    gl_json_kv_uint(j, "records", GL_REPORT_RECORDS_CAP);
    gl_json_kv_uint(j, "modules", GL_REPORT_MODULES_CAP);
    gl_json_kv_uint(j, "line_bytes", GL_REPORT_LINE_MAX);
    gl_json_obj_end(j);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir ending in suffix, sorted, at most max; *dropped counts the rest. */
static size_t list_names(const char *dir, const char *suffix, size_t max, char ***names, size_t *dropped)
{
    *names = NULL;
    *dropped = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0, cap = 0, slen = strlen(suffix);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix))
            continue;
        if (n == max) {
            (*dropped)++;
            continue;
        }
        *names = gl_grow_array(*names, &cap, n, sizeof **names);
        (*names)[n++] = gl_xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(*names, n, sizeof **names, cmp_str);
    return n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* One block per records/<module>.jsonl; each one's numbers go into meta. */
static int put_records(FILE *f, const char *dir, gl_json *meta, gl_err *err)
{
    char *rdir = path_join(dir, "records");
    char **names;
    size_t dropped, n = list_names(rdir, ".jsonl", GL_REPORT_MODULES_CAP, &names, &dropped);
    int rc = 0;
    gl_json_key(meta, "records");
    gl_json_arr_begin(meta);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = path_join(rdir, names[i]);
        emitter e = {f, GL_REPORT_RECORDS_CAP, 0, -1, NULL};
        jl_stats st;
        fprintf(f, "<script type=\"application/json\" id=\"gl-rec-%zu\">[", i);
        rc = jl_each(path, emit_one, &e, &st, err);
        fputs("]</script>\n", f);
        free(path);
        gl_buf file = {0};
        gl_buf_printf(&file, "records/%s", names[i]);
        gl_json_obj_begin(meta);
        gl_json_kv_uint(meta, "block", i);
        gl_json_key(meta, "module");
        gl_json_strn(meta, names[i], strlen(names[i]) - strlen(".jsonl"));
        json_stats(meta, file.data, &st, e.shown);
        gl_json_obj_end(meta);
        gl_buf_free(&file);
    }
    gl_json_arr_end(meta);
    gl_json_kv_uint(meta, "record_files_not_shown", dropped);
    free_names(names, n);
    free(rdir);
    return rc;
}

static int put_host_data(FILE *f, host_page *p, gl_err *err)
{
    gl_buf meta_buf = {0};
    gl_json meta;
    gl_json_init(&meta, &meta_buf);
    gl_json_obj_begin(&meta);
    json_caps(&meta);
    gl_json_kv_str(&meta, "host", run_str(p, "host"));

    size_t shown = 0;
    if (put_findings(f, p->dir, &p->counts, &shown, err))
        goto fail;
    gl_json_key(&meta, "findings");
    gl_json_obj_begin(&meta);
    json_stats(&meta, "findings.jsonl", &p->findings_st, shown);
    gl_json_kv_uint(&meta, "chains", p->counts.chains);
    gl_json_obj_end(&meta);

    char *tl = path_join(p->dir, "timeline.jsonl");
    emitter e = {f, GL_REPORT_TIMELINE_CAP, 0, -1, NULL};
    jl_stats st;
    fputs("<script type=\"application/json\" id=\"gl-timeline\">[", f);
    int rc = jl_each(tl, emit_one, &e, &st, err);
    fputs("]</script>\n", f);
    free(tl);
    if (rc)
        goto fail;
    gl_json_key(&meta, "timeline");
    gl_json_obj_begin(&meta);
    json_stats(&meta, "timeline.jsonl", &st, e.shown);
    gl_json_obj_end(&meta);

    if (put_records(f, p->dir, &meta, err))
        goto fail;
    gl_json_obj_end(&meta);
    put_block(f, "gl-meta", &meta_buf);
    gl_buf_free(&meta_buf);
    return 0;
fail:
    gl_buf_free(&meta_buf);
    return -1;
}

/* ---- templates -------------------------------------------------------------------------- */

typedef int (*marker_fn)(FILE *f, const char *name, size_t n, void *ctx, gl_err *err);

static const char *embedded_part(const char *name, size_t n, size_t *len, gl_err *err)
{
    char key[128];
    snprintf(key, sizeof key, "report/%.*s", (int)n, name);
    const char *data = gl_embedded_data(key, len);
    if (!data)
        gl_err_set(err, "report: %s is not built in", key);
    return data;
}

/* 'sha256-<base64>' of a script, as Content-Security-Policy names it. */
static void put_script_hash(FILE *f, const char *data, size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    gl_sha256 sh;
    char hex[GL_SHA256_HEX];
    unsigned char d[33] = {0};
    gl_sha256_init(&sh);
    gl_sha256_update(&sh, data, len);
    gl_sha256_final(&sh, hex);
    for (int i = 0; i < 32; i++)
        sscanf(hex + 2 * i, "%2hhx", &d[i]);
    fputs(" 'sha256-", f);
    for (int i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        putc(b64[v >> 18 & 63], f);
        putc(b64[v >> 12 & 63], f);
        putc(i + 1 < 32 ? b64[v >> 6 & 63] : '=', f);
        putc(i + 2 < 32 ? b64[v & 63] : '=', f);
    }
    putc('\'', f);
}

/* The page may run only its own scripts (named by hash: no inline event
 * handler, nothing injected) and load nothing from anywhere. */
static int put_csp(FILE *f, const char *names, size_t n, gl_err *err)
{
    fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "img-src data:; script-src",
          f);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && names[j] != ' ')
            j++;
        size_t len;
        const char *data = j > i ? embedded_part(names + i, j - i, &len, err) : "";
        if (!data)
            return -1;
        if (j > i)
            put_script_hash(f, data, len);
        i = j + 1;
    }
    fputs("\">", f);
    return 0;
}

static bool marker_is(const char *name, size_t n, const char *want)
{
    return n == strlen(want) && !memcmp(name, want, n);
}

/* Copies the embedded template "report/<name>", replacing each <!--@x-->:
 * <!--@file:F--> by the embedded "report/F" (style and script),
 * <!--@csp:F G--> by the policy that lets scripts F and G run, any other
 * by what fn writes. */
static int put_template(FILE *f, const char *name, marker_fn fn, void *ctx, gl_err *err)
{
    char key[128];
    snprintf(key, sizeof key, "report/%s", name);
    size_t len;
    const char *t = gl_embedded_data(key, &len);
    if (!t)
        return gl_err_set(err, "report: template %s is not built in", key);
    const char *p = t, *end = t + len;
    while (p < end) {
        const char *m = strstr(p, "<!--@");
        if (!m) {
            fwrite(p, 1, (size_t)(end - p), f);
            break;
        }
        fwrite(p, 1, (size_t)(m - p), f);
        const char *mname = m + 5, *close = strstr(mname, "-->");
        if (!close)
            return gl_err_set(err, "report: %s: offset %zu: marker without -->", key, (size_t)(m - t));
        size_t n = (size_t)(close - mname);
        if (n > 5 && !memcmp(mname, "file:", 5)) {
            size_t ilen;
            const char *data = embedded_part(mname + 5, n - 5, &ilen, err);
            if (!data)
                return -1;
            fwrite(data, 1, ilen, f);
        } else if (n > 4 && !memcmp(mname, "csp:", 4)) {
            if (put_csp(f, mname + 4, n - 4, err))
                return -1;
        } else if (fn(f, mname, n, ctx, err)) {
            return -1;
        }
        p = close + 3;
    }
    return 0;
}

/* Writes dir/report.html through a temporary file, so a failed run never
 * leaves half a page under the final name. */
static int write_page(const char *dir, const char *tmpl, marker_fn fn, void *ctx, gl_err *err)
{
    char *path = path_join(dir, "report.html");
    char *tmp = path_join(dir, ".report.html.tmp");
    int rc = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rc = gl_err_errno(err, "creating %s", tmp);
        goto out;
    }
    rc = put_template(f, tmpl, fn, ctx, err);
    if (ferror(f) && rc == 0)
        rc = gl_err_errno(err, "writing %s", tmp);
    if (fclose(f) && rc == 0)
        rc = gl_err_errno(err, "writing %s", tmp);
    if (rc == 0 && rename(tmp, path))
        rc = gl_err_errno(err, "renaming %s to %s", tmp, path);
    if (rc)
        remove(tmp);
out:
    free(path);
    free(tmp);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static int host_marker(FILE *f, const char *name, size_t n, void *ctx, gl_err *err)
{
    host_page *p = ctx;
    if (marker_is(name, n, "title")) {
        const char *host = run_str(p, "host");
        put_html(f, host ? host : base_name(p->dir));
        return 0;
    }
    if (marker_is(name, n, "summary")) {
        put_host_summary(f, p);
        return 0;
    }
    if (marker_is(name, n, "data"))
        return put_host_data(f, p, err);
    return gl_err_set(err, "report: unknown marker <!--@%.*s-->", (int)n, name);
}

int gl_report_host_html(const char *host_dir, gl_err *err)
{
    host_page p = {.dir = host_dir};
    if (count_findings(host_dir, &p.counts, &p.findings_st, err))
        return gl_err_prefix(err, "report");
    p.run = load_json(host_dir, "run.json");
    p.analysis = load_json(host_dir, "analysis.json");
    int rc = write_page(host_dir, "host.html", host_marker, &p, err);
    cJSON_Delete(p.run);
    cJSON_Delete(p.analysis);
    return rc;
}

/* ---- the fleet page ---------------------------------------------------------------------- */

typedef struct fleet_host {
    char *dir, *name, *status, *os, *time, *state;
    int verified; /* 1, 0, or -1 when not recorded */
    finding_counts counts;
} fleet_host;

typedef struct fleet_page {
    const char *dir;
    fleet_host *hosts;
    size_t n, dropped;
    uint64_t csv_rows;
} fleet_page;

static char *dup_or_null(const char *s)
{
    return s ? gl_xstrdup(s) : NULL;
}

static int read_fleet_host(const char *out_dir, const char *name, fleet_host *h, gl_err *err)
{
    gl_buf dir = {0};
    gl_buf_printf(&dir, "%s/hosts/%s", out_dir, name);
    memset(h, 0, sizeof *h);
    h->dir = gl_xstrdup(name);
    jl_stats st;
    int rc = count_findings(dir.data, &h->counts, &st, err);
    host_page p = {.dir = dir.data};
    p.run = load_json(dir.data, "run.json");
    p.analysis = load_json(dir.data, "analysis.json");
    const char *host = run_str(&p, "host"), *time = run_str(&p, "start_utc");
    h->name = gl_xstrdup(host ? host : name);
    h->status = dup_or_null(run_str(&p, "status"));
    const cJSON *os = run_item(&p, "os");
    h->os = dup_or_null(cJSON_IsString(os) ? os->valuestring : str_item(os, "product"));
    h->time = dup_or_null(time ? time : run_str(&p, "collected"));
    h->state = dup_or_null(str_item(p.analysis, "state"));
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p.analysis, "verified");
    h->verified = cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
    cJSON_Delete(p.run);
    cJSON_Delete(p.analysis);
    gl_buf_free(&dir);
    return rc;
}

/* Most high findings first, then medium, low, info; then by name. */
static int cmp_hosts(const void *a, const void *b)
{
    const fleet_host *x = a, *y = b;
    for (int s = 0; s < SEV_N; s++)
        if (x->counts.sev[s] != y->counts.sev[s])
            return x->counts.sev[s] > y->counts.sev[s] ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->dir, y->dir);
}

static void free_fleet(fleet_page *p)
{
    for (size_t i = 0; i < p->n; i++) {
        fleet_host *h = &p->hosts[i];
        free(h->dir);
        free(h->name);
        free(h->status);
        free(h->os);
        free(h->time);
        free(h->state);
    }
    free(p->hosts);
}

static void json_host(gl_json *j, const fleet_host *h)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "dir", h->dir);
    gl_json_kv_str(j, "host", h->name);
    gl_json_kv_str(j, "status", h->status);
    gl_json_kv_str(j, "os", h->os);
    gl_json_kv_str(j, "time", h->time);
    gl_json_kv_str(j, "state", h->state);
    gl_json_key(j, "verified");
    if (h->verified < 0)
        gl_json_null(j);
    else
        gl_json_bool(j, h->verified);
    gl_json_key(j, "counts");
    gl_json_obj_begin(j);
    for (int s = 0; s < SEV_N; s++)
        gl_json_kv_uint(j, sev_names[s], h->counts.sev[s]);
    gl_json_obj_end(j);
    gl_json_kv_uint(j, "chains", h->counts.chains);
    gl_json_obj_end(j);
}

/* One CSV row as a JSON array of strings into the page. */
static void flush_csv_row(FILE *f, gl_buf *row, gl_json *j, uint64_t *rows)
{
    gl_json_arr_end(j);
    if ((*rows)++)
        putc(',', f);
    put_script_json(f, row->data, row->len);
    gl_buf_clear(row);
}

/* RFC 4180 fleet.csv (quoted fields may hold commas, quotes and line
 * breaks) into a JSON array of rows, header first; fields longer than
 * CSV_FIELD_MAX are cut, fields past CSV_FIELDS_MAX in a row dropped. */
static int put_fleet_csv(FILE *f, const char *out_dir, uint64_t *rows, gl_err *err)
{
    *rows = 0;
    char *path = path_join(out_dir, "fleet.csv");
    FILE *in = fopen(path, "rb");
    fputs("<script type=\"application/json\" id=\"gl-fleet\">[", f);
    if (!in) {
        fputs("]</script>\n", f);
        int rc = errno == ENOENT ? 0 : gl_err_errno(err, "opening %s", path);
        free(path);
        return rc;
    }
    gl_buf row = {0}, field = {0};
    gl_json j;
    bool quoted = false, in_row = false;
    size_t fields = 0;
    int c;
    while ((c = getc_unlocked(in)) != EOF && *rows < GL_REPORT_FLEET_ROWS_CAP) {
        if (!in_row) {
            if (c == '\n' || c == '\r')
                continue; /* blank lines */
            gl_json_init(&j, &row);
            gl_json_arr_begin(&j);
            in_row = true;
            fields = 0;
        }
        if (quoted) {
            if (c != '"') {
                if (field.len < CSV_FIELD_MAX)
                    gl_buf_putc(&field, (char)c);
                continue;
            }
            int next = getc_unlocked(in);
            if (next == '"') {
                gl_buf_putc(&field, '"');
                continue;
            }
            quoted = false;
            if (next == EOF)
                break;
            c = next;
        } else if (c == '"' && field.len == 0) {
            quoted = true;
            continue;
        }
        if (c == ',' || c == '\n') {
            if (fields++ < CSV_FIELDS_MAX)
                gl_json_strn(&j, field.data ? field.data : "", field.len);
            gl_buf_clear(&field);
            if (c == '\n') {
                flush_csv_row(f, &row, &j, rows);
                in_row = false;
            }
        } else if (c != '\r' && field.len < CSV_FIELD_MAX) {
            gl_buf_putc(&field, (char)c);
        }
    }
    if (in_row && *rows < GL_REPORT_FLEET_ROWS_CAP) {
        if (fields < CSV_FIELDS_MAX)
            gl_json_strn(&j, field.data ? field.data : "", field.len);
        flush_csv_row(f, &row, &j, rows);
    }
    fputs("]</script>\n", f);
    int rc = ferror(in) ? gl_err_errno(err, "reading %s", path) : 0;
    fclose(in);
    free(path);
    gl_buf_free(&row);
    gl_buf_free(&field);
    return rc;
}

static void put_fleet_summary(FILE *f, const fleet_page *p)
{
    uint64_t total[SEV_N] = {0}, with_high = 0, unverified = 0, partial = 0, chains = 0;
    for (size_t i = 0; i < p->n; i++) {
        const fleet_host *h = &p->hosts[i];
        for (int s = 0; s < SEV_N; s++)
            total[s] += h->counts.sev[s];
        with_high += h->counts.sev[SEV_CRITICAL] + h->counts.sev[SEV_HIGH] > 0;
        unverified += h->verified == 0;
        partial += h->status && strcmp(h->status, "complete");
        chains += h->counts.chains > 0;
    }
    if (unverified)
        fprintf(f,
                "<div class=\"banner unverified\" id=\"verify-banner\"><strong>%llu UNVERIFIED bundle%s</strong> "
                "analysed on request: see the hosts marked below.</div>\n",
                (unsigned long long)unverified, unverified == 1 ? "" : "s");
    fprintf(f,
            "<dl class=\"facts\"><dt>Hosts</dt><dd id=\"fleet-hosts\">%zu</dd>"
            "<dt>With critical or high findings</dt><dd id=\"fleet-high-hosts\">%llu</dd>"
            "<dt>With an attack chain</dt><dd id=\"fleet-chain-hosts\">%llu</dd>"
            "<dt>Not complete</dt><dd id=\"fleet-partial-hosts\">%llu</dd></dl>\n",
            p->n, (unsigned long long)with_high, (unsigned long long)chains, (unsigned long long)partial);
    if (p->dropped)
        fprintf(f, "<p class=\"note\">%zu more host folders are not on this page (limit %d).</p>\n", p->dropped,
                GL_REPORT_FLEET_HOSTS_CAP);
    put_counts(f, total);
}

static int put_fleet_data(FILE *f, fleet_page *p, gl_err *err)
{
    gl_buf b = {0};
    gl_json j;
    gl_json_init(&j, &b);
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < p->n; i++)
        json_host(&j, &p->hosts[i]);
    gl_json_arr_end(&j);
    put_block(f, "gl-hosts", &b);
    gl_buf_free(&b);
    if (put_fleet_csv(f, p->dir, &p->csv_rows, err))
        return -1;
    /* cross-host correlation: analyze's findings of module "fleet" */
    char *path = path_join(p->dir, "findings.jsonl");
    emitter e = {f, GL_REPORT_FLEET_CROSS_CAP, 0, -1, "fleet"};
    jl_stats st;
    fputs("<script type=\"application/json\" id=\"gl-cross\">[", f);
    int rc = jl_each(path, emit_one, &e, &st, err);
    fputs("]</script>\n", f);
    free(path);
    if (rc)
        return -1;
    gl_json_init(&j, &b);
    gl_json_obj_begin(&j);
    gl_json_kv_uint(&j, "hosts", p->n);
    gl_json_kv_uint(&j, "hosts_not_shown", p->dropped);
    gl_json_kv_uint(&j, "fleet_rows", p->csv_rows);
    gl_json_kv_uint(&j, "fleet_rows_cap", GL_REPORT_FLEET_ROWS_CAP);
    gl_json_kv_uint(&j, "cross_shown", e.shown);
    gl_json_kv_uint(&j, "cross_cap", GL_REPORT_FLEET_CROSS_CAP);
    gl_json_obj_end(&j);
    put_block(f, "gl-meta", &b);
    gl_buf_free(&b);
    return 0;
}

static int fleet_marker(FILE *f, const char *name, size_t n, void *ctx, gl_err *err)
{
    fleet_page *p = ctx;
    if (marker_is(name, n, "title")) {
        fprintf(f, "%zu host%s", p->n, p->n == 1 ? "" : "s");
        return 0;
    }
    if (marker_is(name, n, "summary")) {
        put_fleet_summary(f, p);
        return 0;
    }
    if (marker_is(name, n, "data"))
        return put_fleet_data(f, p, err);
    return gl_err_set(err, "report: unknown marker <!--@%.*s-->", (int)n, name);
}

static bool is_dir(const char *parent, const char *name)
{
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/%s", parent, name);
    struct stat sb;
    bool yes = stat(b.data, &sb) == 0 && S_ISDIR(sb.st_mode);
    gl_buf_free(&b);
    return yes;
}

int gl_report_fleet_html(const char *out_dir, gl_err *err)
{
    fleet_page p = {.dir = out_dir};
    char *hosts_dir = path_join(out_dir, "hosts");
    char **names;
    size_t n = list_names(hosts_dir, "", GL_REPORT_FLEET_HOSTS_CAP, &names, &p.dropped);
    p.hosts = gl_xcalloc(n ? n : 1, sizeof *p.hosts);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (is_dir(hosts_dir, names[i]))
            rc = read_fleet_host(out_dir, names[i], &p.hosts[p.n++], err);
    free_names(names, n);
    free(hosts_dir);
    if (rc == 0) {
        qsort(p.hosts, p.n, sizeof *p.hosts, cmp_hosts);
        rc = write_page(out_dir, "fleet.html", fleet_marker, &p, err);
    }
    free_fleet(&p);
    return rc ? gl_err_prefix(err, "fleet report") : 0;
}

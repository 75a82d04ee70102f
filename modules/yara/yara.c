/* yara: scan files for the actor's tools with YARA. Rules are the
 * project's own (the yara/ folder, embedded compressed, compiled at init) plus
 * the user's (`--yara PATH`, i.e. `yara.rules`); a broken rule stops the
 * run before anything is read. Targets are globs over the source
 * (`yara.paths`, ';'-separated); each file up to `yara.max_file_size` is
 * opened without acquisition, mapped (a file that another process
 * shrinks meanwhile reads as zeros past its new end and is an error, see
 * gl_file_map) or read where the source cannot map, hashed and scanned by
 * `yara.threads` workers; only files that match are acquired (up to `yara.acquire_max`).
 *
 * Records (one per file considered; sha256 of matches, of every scanned
 * file with yara.hash_all):
 *   {"path","size","mtime","btime","sha256","status":"scanned|skipped|error",
 *    "reason","artifact","matches":["<namespace>:<rule>",...]}
 * Findings: yara.match per (file, rule): rule, namespace, tags, meta,
 * SHA-256, size, times and the first matched strings (identifier, offset,
 * bounded excerpt). High unless the rule's meta `severity` says otherwise.
 *
 * With yara.processes (--scan-processes; live source only) the memory of
 * every process but gleaner's (or of yara.process_ids) is scanned first,
 * before the files: it is the most volatile evidence. The per-OS part is
 * procscan.h. Records: {"pid","name","exe","cmdline","cmdline_unread"
 * (why there is none, when it could not be read),
 * "status":"scanned|unreadable|error","reason","matches"}; findings:
 * yara.process_match per (process, rule), details as for files plus pid,
 * process, exe and cmdline, string offsets being addresses. A process
 * that cannot be read is counted and logged, not an error (see on_proc).
 * The external variables are filename (base of exe), filepath (exe),
 * extension/filetype/owner "" for a process; owner is the file's owner
 * from the source for files. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yara.h>
#include "finding.h"
#include "module.h"
#include "procscan.h"
#include "sha256.h"
#include "text.h"
#include "yararules.h"

#define BATCH 4096             /* files scanned and reported together: bounds memory */
#define MAX_FILES 20000000     /* files considered per run (16 bytes each in the seen set) */
#define MAX_STRINGS 8          /* matched strings kept per rule and file */
#define EXCERPT_MAX 64         /* bytes of each matched string shown */
#define MAX_RULES_PER_FILE 64  /* rules reported per file */
#define QUEUE_SLOTS 64
#define MAX_SETS 65 /* the sources' set and a compiled file per --yara path */
#define MEMORY_BUDGET (1ull << 30) /* file buffers of all workers together */
#define MAX_PIDS_LISTED 1024 /* yara.process_ids */

static const gl_setting_decl yara_settings[] = {
    {"rules", GL_SETTING_TEXT, "", "extra rule files or directories (.yar/.yara, recursive), one per line (--yara)"},
    {"builtin", GL_SETTING_BOOL, "true", "scan with the project's own rules"},
    {"paths", GL_SETTING_TEXT,
     "C:\\Users\\*\\Downloads\\**\\*;C:\\Users\\*\\Desktop\\**\\*;C:\\Users\\*\\AppData\\Local\\Temp\\**\\*;"
     "C:\\Users\\Public\\**\\*;C:\\ProgramData\\**\\*;C:\\PerfLogs\\**\\*;C:\\Windows\\Temp\\**\\*",
     "files to scan: globs separated by ';' ('**' is any depth)"},
    {"skip", GL_SETTING_TEXT, "pagefile.sys;hiberfil.sys;swapfile.sys;*.vhd;*.vhdx;*.vmdk",
     "file names never scanned: globs separated by ';'"},
    {"max_file_size", GL_SETTING_SIZE, "64M", "larger files are not scanned (recorded as skipped)"},
    {"acquire_max", GL_SETTING_SIZE, "64M", "matched files up to this size are acquired into the bundle"},
    {"hash_all", GL_SETTING_BOOL, "false", "SHA-256 of every scanned file in its record, not only of matches"},
    {"threads", GL_SETTING_UINT, "0", "scanning threads (0: one per core, at most 32)"},
    {"timeout", GL_SETTING_DURATION, "60s", "a file still scanning after this long is abandoned (an error)"},
    {"processes", GL_SETTING_BOOL, "false", "scan the memory of running processes (live source only; --scan-processes)"},
    {"process_ids", GL_SETTING_TEXT, "", "only these process ids (';'-separated); empty: every process but gleaner"},
    {0},
};

static const gl_rule_decl yara_rules[] = {
    {"yara.match", GL_SEV_HIGH, "T1588.002", "File matches a YARA rule"},
    {"yara.process_match", GL_SEV_HIGH, "T1588.002", "Process memory matches a YARA rule"},
    {0},
};

typedef struct yara_state {
    gl_yara_rules rules;
} yara_state;

/* yara.process_ids: ';'- or ','-separated decimal ids. */
static int parse_pids(const char *text, int *out, size_t *n, gl_err *err)
{
    *n = 0;
    for (const char *p = text; *p;) {
        if (*p == ';' || *p == ',' || *p == ' ') {
            p++;
            continue;
        }
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || v > 4194304 || (*end && *end != ';' && *end != ',' && *end != ' '))
            return gl_err_setc(err, GL_ERR_USAGE, "yara.process_ids: '%s' is not a list of process ids", text);
        if (*n == MAX_PIDS_LISTED)
            return gl_err_setc(err, GL_ERR_USAGE, "yara.process_ids: more than %d ids", MAX_PIDS_LISTED);
        out[(*n)++] = (int)v;
        p = end;
    }
    return 0;
}

/* ---- init: compile every rule before anything is read -------------------------------- */

static int yara_init(gl_run *run, void **state, gl_err *err)
{
    if (yr_initialize() != ERROR_SUCCESS)
        return gl_err_set(err, "libyara failed to initialise");
    char *paths = gl_xstrdup(gl_run_setting(run, "rules", ""));
    const char *list[64];
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(paths, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
        if (n == 64) {
            free(paths);
            yr_finalize();
            return gl_err_setc(err, GL_ERR_USAGE, "yara.rules: more than 64 rule paths");
        }
        list[n++] = p;
    }
    int pids[MAX_PIDS_LISTED];
    size_t n_pids;
    if (parse_pids(gl_run_setting(run, "process_ids", ""), pids, &n_pids, err) != 0) {
        free(paths);
        yr_finalize();
        return -1;
    }
    yara_state *st = gl_xcalloc(1, sizeof *st);
    int rc = gl_yara_load(gl_run_setting_bool(run, "builtin", true), list, n, &st->rules, err);
    free(paths);
    if (rc != 0) {
        free(st);
        yr_finalize();
        return -1;
    }
    *state = st;
    return 0;
}

static void yara_fini(void *state)
{
    yara_state *st = state;
    if (!st)
        return;
    gl_yara_rules_free(&st->rules);
    free(st);
    yr_finalize();
}

/* ---- what a scan found ------------------------------------------------------------------- */

typedef struct rule_hit {
    char *name;       /* "<namespace>:<rule>" */
    char *rule, *ns;
    char *json;       /* {"tags":[...],"meta":{...},"strings":[...],"strings_matched":N} */
    gl_severity sev;
    bool sev_from_meta;
    char *attack, *description;
} rule_hit;

typedef struct candidate {
    char *path;
    uint64_t size;
    gl_timespec mtime, btime;
    /* filled by a worker */
    bool scanned;
    char *error;
    char sha256[GL_SHA256_HEX];
    rule_hit *hits;
    size_t n_hits;
} candidate;

static bool parse_severity(const char *s, gl_severity *out)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (!strcasecmp(s, names[i])) {
            *out = (gl_severity)i;
            return true;
        }
    return false;
}

static void json_meta(gl_json *j, const YR_RULE *rule, rule_hit *h)
{
    const YR_META *meta;
    gl_json_key(j, "meta");
    gl_json_obj_begin(j);
    yr_rule_metas_foreach(rule, meta)
    {
        gl_json_key(j, meta->identifier);
        if (meta->type == META_TYPE_STRING)
            gl_json_str(j, meta->string);
        else if (meta->type == META_TYPE_BOOLEAN)
            gl_json_bool(j, meta->integer != 0);
        else
            gl_json_int(j, meta->integer);
        if (meta->type != META_TYPE_STRING)
            continue;
        if (!strcmp(meta->identifier, "severity") && parse_severity(meta->string, &h->sev))
            h->sev_from_meta = true;
        else if (!strcmp(meta->identifier, "attack") && !h->attack)
            h->attack = gl_xstrdup(meta->string);
        else if (!strcmp(meta->identifier, "description") && !h->description)
            h->description = gl_xstrdup(meta->string);
    }
    gl_json_obj_end(j);
}

/* One matched string: identifier, offset, length and a bounded excerpt. */
static void json_match(gl_json *j, const YR_STRING *s, const YR_MATCH *m)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "id", s->identifier);
    gl_json_kv_uint(j, "offset", (uint64_t)(m->base + m->offset));
    gl_json_kv_uint(j, "length", (uint64_t)m->match_length);
    gl_json_key(j, "excerpt");
    size_t n = m->data_length > 0 ? (size_t)m->data_length : 0;
    gl_json_strn(j, (const char *)m->data, n < EXCERPT_MAX ? n : EXCERPT_MAX);
    gl_json_obj_end(j);
}

static void json_strings(gl_json *j, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule)
{
    const YR_STRING *s;
    size_t shown = 0, total = 0;
    gl_json_key(j, "strings");
    gl_json_arr_begin(j);
    yr_rule_strings_foreach(rule, s)
    {
        /* libyara 4.2 hands out YR_MATCHes at unaligned addresses (its
         * notebook allocator packs them), so each is copied before use
         * rather than read through yr_string_matches_foreach. */
        const void *at = ctx->matches[s->idx].head;
        for (size_t guard = 0; at && guard < 1000000; guard++) {
            YR_MATCH m;
            memcpy(&m, at, sizeof m);
            at = m.next;
            if (m.is_private)
                continue;
            total++;
            if (shown < MAX_STRINGS) {
                shown++;
                json_match(j, s, &m);
            }
        }
    }
    gl_json_arr_end(j);
    gl_json_kv_uint(j, "strings_matched", total);
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    candidate *c = user;
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    if (c->n_hits == MAX_RULES_PER_FILE)
        return CALLBACK_CONTINUE;
    const YR_RULE *rule = data;
    c->hits = gl_xrealloc(c->hits, (c->n_hits + 1) * sizeof *c->hits);
    rule_hit *h = &c->hits[c->n_hits++];
    memset(h, 0, sizeof *h);
    h->sev = GL_SEV_HIGH;
    h->rule = gl_xstrdup(rule->identifier);
    h->ns = gl_xstrdup(rule->ns->name);
    gl_buf name = {0}, out = {0};
    gl_buf_printf(&name, "%s:%s", h->ns, h->rule);
    h->name = name.data;
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    const char *tag;
    gl_json_key(&j, "tags");
    gl_json_arr_begin(&j);
    yr_rule_tags_foreach(rule, tag) gl_json_str(&j, tag);
    gl_json_arr_end(&j);
    json_meta(&j, rule, h);
    json_strings(&j, ctx, rule);
    gl_json_obj_end(&j);
    h->json = gl_xstrdup(gl_buf_cstr(&out));
    gl_buf_free(&out);
    return CALLBACK_CONTINUE;
}

/* Loki's filetype values, from the first bytes (what rules test for). */
static const char *sniff_type(const uint8_t *d, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
        const char *type;
    } types[] = {
        {"MZ", 2, "EXE"},         {"\x7f" "ELF", 4, "ELF"},  {"PK\x03\x04", 4, "ZIP"},
        {"Rar!", 4, "RAR"},       {"7z\xbc\xaf", 4, "7Z"},   {"%PDF", 4, "PDF"},
        {"\x1f\x8b", 2, "GZIP"},  {"MSCF", 4, "CAB"},      {"ElfFile", 7, "EVTX"},
        {"regf", 4, "REGF"},      {"MDMP", 4, "DMP"},
    };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (n >= types[i].len && !memcmp(d, types[i].magic, types[i].len))
            return types[i].type;
    return "";
}

static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

/* ---- the worker pool: the main thread opens, workers read, hash and scan ------------------- */

typedef struct job {
    candidate *c;
    gl_file *f;
} job;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    job slots[QUEUE_SLOTS];
    size_t head, count;
    bool done;
    const gl_yara_rules *rules;
    int timeout;
    uint64_t max_size;
    bool hash_all;
} pool;

static bool pool_pop(pool *p, job *out)
{
    pthread_mutex_lock(&p->mu);
    while (!p->count && !p->done)
        pthread_cond_wait(&p->not_empty, &p->mu);
    bool got = p->count > 0;
    if (got) {
        *out = p->slots[p->head];
        p->head = (p->head + 1) % QUEUE_SLOTS;
        p->count--;
        pthread_cond_signal(&p->not_full);
    }
    pthread_mutex_unlock(&p->mu);
    return got;
}

static void pool_push(pool *p, job j)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == QUEUE_SLOTS)
        pthread_cond_wait(&p->not_full, &p->mu);
    p->slots[(p->head + p->count) % QUEUE_SLOTS] = j;
    p->count++;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
}

static char *errstr(const char *fmt, const char *a, long b)
{
    char msg[1200];
    snprintf(msg, sizeof msg, fmt, a, b);
    return gl_xstrdup(msg);
}

/* Read the whole file (it is at most max_size) into *buf. */
static int read_all(gl_file *f, gl_buf *buf, gl_err *err)
{
    gl_reader r = gl_file_reader(f);
    gl_buf_clear(buf);
    gl_buf_reserve(buf, (size_t)r.size + 1);
    uint64_t off = 0;
    while (off < r.size) {
        int64_t got = r.read_at(r.ctx, off, buf->data + off, (size_t)(r.size - off), err);
        if (got < 0)
            return -1;
        if (got == 0)
            break; /* shrank while read: scan what is there */
        off += (uint64_t)got;
    }
    buf->len = (size_t)off;
    return 0;
}

/* The file's bytes: mapped where the source can (libyara's own tool maps
 * too; reading copies every byte out of the page cache, 4 % of the
 * module's CPU), else read into buf. *mapped says which. */
static const uint8_t *file_bytes(gl_file *f, uint64_t max_size, gl_buf *buf, size_t *len, bool *mapped,
                                 gl_err *err)
{
    const gl_file_info *info = gl_file_get_info(f);
    if (info->size > max_size) {
        gl_err_set(err, "%s: grew to %" PRIu64 " bytes, past the scan cap", info->path, info->size);
        return NULL;
    }
    const uint8_t *bytes = gl_file_map(f, max_size, len);
    *mapped = bytes != NULL;
    if (bytes)
        return bytes;
    if (read_all(f, buf, err) != 0)
        return NULL;
    *len = buf->len;
    return (const uint8_t *)buf->data;
}

/* One rule set over the file. Compiled rule files may not declare every
 * external variable, so a variable a set lacks is not an error. */
static void scan_with(pool *p, YR_SCANNER *sc, candidate *c, const uint8_t *data, size_t len, const char *owner)
{
    const char *name = base_name(c->path), *dot = strrchr(name, '.');
    yr_scanner_define_string_variable(sc, "filename", name);
    yr_scanner_define_string_variable(sc, "filepath", c->path);
    yr_scanner_define_string_variable(sc, "extension", dot ? dot : "");
    yr_scanner_define_string_variable(sc, "filetype", sniff_type(data, len));
    yr_scanner_define_string_variable(sc, "owner", owner);
    yr_scanner_set_callback(sc, scan_cb, c);
    int rc = yr_scanner_scan_mem(sc, data, len);
    if (rc == ERROR_SCAN_TIMEOUT)
        c->error = errstr("%s: scan abandoned after %ld s", c->path, p->timeout);
    else if (rc == ERROR_COULD_NOT_MAP_FILE) /* libyara caught a read past the end of a shrunken file */
        c->error = errstr("%s: the file shrank while it was scanned (libyara error %ld)", c->path, rc);
    else if (rc != ERROR_SUCCESS)
        c->error = errstr("%s: libyara error %ld", c->path, rc);
}

static void scan_one(pool *p, YR_SCANNER **sc, size_t n_sc, job *jb, gl_buf *buf)
{
    candidate *c = jb->c;
    gl_err err = {0};
    size_t len = 0;
    bool mapped = false;
    const uint8_t *data = file_bytes(jb->f, p->max_size, buf, &len, &mapped, &err);
    if (!data) {
        c->error = gl_xstrdup(err.msg);
        return;
    }
    for (size_t i = 0; i < n_sc && !c->error; i++)
        scan_with(p, sc[i], c, data, len, gl_file_get_info(jb->f)->owner);
    c->scanned = true;
    /* hashing every byte costs a fifth of the scan: matches always, the
     * rest when yara.hash_all asks (so ioc can match their hashes) */
    if (c->n_hits || p->hash_all) {
        gl_sha256 h;
        gl_sha256_init(&h);
        gl_sha256_update(&h, data, len);
        gl_sha256_final(&h, c->sha256);
    }
    if (mapped && gl_file_map_check(jb->f, &err) != 0 && !c->error)
        c->error = gl_xstrdup(err.msg);
    if (c->error)
        c->sha256[0] = 0; /* not the hash of the file's bytes */
}

static void *worker(void *arg)
{
    pool *p = arg;
    YR_SCANNER *sc[MAX_SETS];
    size_t n_sc = 0;
    for (; n_sc < p->rules->n_sets && n_sc < MAX_SETS; n_sc++) {
        if (yr_scanner_create(p->rules->sets[n_sc], &sc[n_sc]) != ERROR_SUCCESS)
            break;
        yr_scanner_set_timeout(sc[n_sc], p->timeout);
    }
    bool ready = n_sc == p->rules->n_sets;
    gl_buf data = {0};
    job jb;
    while (pool_pop(p, &jb)) {
        if (ready)
            scan_one(p, sc, n_sc, &jb, &data);
        else
            jb.c->error = gl_xstrdup("libyara could not create a scanner (out of memory)");
        gl_file_close(jb.f);
    }
    gl_buf_free(&data);
    for (size_t i = 0; i < n_sc; i++)
        yr_scanner_destroy(sc[i]);
    return NULL;
}

/* ---- choosing files ------------------------------------------------------------------------ */

/* ---- reporting ------------------------------------------------------------------------------ */

static void json_time(gl_json *j, const char *key, gl_timespec t)
{
    gl_json_key(j, key);
    if (!t.valid) {
        gl_json_null(j);
        return;
    }
    char iso[GL_TIME_STRLEN];
    gl_unixtime_iso(t.sec, t.nsec, 9, iso);
    gl_json_str(j, iso);
}

/* A record's common tail (status, reason, matches), then the record. */
static void record_finish(gl_run *run, gl_json *j, gl_buf *line, const candidate *c, const char *status,
                          const char *reason)
{
    gl_json_kv_str(j, "status", status);
    if (reason)
        gl_json_kv_str(j, "reason", reason);
    gl_json_key(j, "matches");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < c->n_hits; i++)
        gl_json_str(j, c->hits[i].name);
    gl_json_arr_end(j);
    gl_json_obj_end(j);
    gl_run_record(run, line->data, line->len);
    gl_buf_free(line);
}

static void emit_record(gl_run *run, const candidate *c, const char *status, const char *reason,
                        const char *artifact)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "path", c->path);
    gl_json_kv_uint(&j, "size", c->size);
    json_time(&j, "mtime", c->mtime);
    json_time(&j, "btime", c->btime);
    gl_json_key(&j, "sha256");
    if (c->sha256[0])
        gl_json_str(&j, c->sha256);
    else
        gl_json_null(&j);
    if (artifact)
        gl_json_kv_str(&j, "artifact", artifact);
    record_finish(run, &j, &line, c, status, reason);
}

static void hit_severity(gl_fb *fb, const rule_hit *h)
{
    if (h->sev_from_meta)
        gl_fb_severity(fb, h->sev,
                       "the rule's meta gives severity %s: it names what the match means (a dual-use tool is "
                       "benign where the organisation uses it; an offensive tool is not)",
                       gl_severity_name(h->sev));
    else
        gl_fb_severity(fb, GL_SEV_HIGH,
                       "a YARA match is high unless the rule's meta gives another severity; benign only if it is "
                       "a known, sanctioned copy of the tool");
    if (h->attack)
        gl_fb_attack(fb, h->attack);
}

/* tags, meta and matched strings, as the scan callback wrote them */
static void hit_details(gl_json *d, const rule_hit *h)
{
    gl_json_kv_str(d, "rule", h->rule);
    gl_json_kv_str(d, "namespace", h->ns);
    size_t len = strlen(h->json);
    if (len > 2) {
        gl_json_key(d, "match");
        gl_json_raw(d, h->json, len);
    }
}

static void emit_finding(gl_run *run, const candidate *c, const rule_hit *h, const char *artifact)
{
    gl_fb fb;
    gl_fb_start(&fb, run, "yara.match");
    hit_severity(&fb, h);
    gl_fb_title(&fb, "%s matches YARA rule %s%s%s", base_name(c->path), h->rule, h->description ? ": " : "",
                h->description ? h->description : "");
    gl_fb_subject(&fb, "%s|%s", c->path, h->name);
    if (c->mtime.valid) {
        char iso[GL_TIME_STRLEN];
        gl_unixtime_iso(c->mtime.sec, c->mtime.nsec, 9, iso);
        gl_fb_time_iso(&fb, iso);
    }
    gl_fb_evidence(&fb, artifact, "%s", c->path);
    gl_json *d = gl_fb_details(&fb);
    hit_details(d, h);
    gl_json_kv_str(d, "path", c->path);
    gl_json_kv_str(d, "sha256", c->sha256);
    gl_json_kv_uint(d, "size", c->size);
    json_time(d, "mtime", c->mtime);
    json_time(d, "btime", c->btime);
    gl_fb_emit(&fb);
}

/* Acquire a matched file (a second open, this time through acquisition). */
static char *acquire(gl_run *run, const candidate *c, uint64_t cap, const char **why)
{
    if (c->size > cap) {
        *why = "larger than yara.acquire_max: not acquired";
        return NULL;
    }
    gl_err err = {0};
    gl_file *f = gl_source_open_file(gl_run_source(run), c->path, &err);
    if (!f) {
        gl_run_error(run, "yara: acquiring %s: %s", c->path, err.msg);
        *why = "acquisition failed";
        return NULL;
    }
    const char *a = gl_file_artifact(f);
    char *out = a ? gl_xstrdup(a) : NULL;
    gl_file_close(f);
    return out;
}

static void report(gl_run *run, candidate *c, uint64_t max_size, uint64_t acquire_max)
{
    if (c->size > max_size) {
        emit_record(run, c, "skipped", "larger than yara.max_file_size", NULL);
        return;
    }
    if (c->error || !c->scanned) {
        gl_run_error(run, "yara: %s", c->error ? c->error : c->path);
        emit_record(run, c, "error", c->error ? c->error : "not scanned", NULL);
        return;
    }
    const char *why = NULL;
    char *artifact = c->n_hits ? acquire(run, c, acquire_max, &why) : NULL;
    for (size_t i = 0; i < c->n_hits; i++)
        emit_finding(run, c, &c->hits[i], artifact);
    emit_record(run, c, "scanned", why, artifact);
    free(artifact);
}

static void free_candidate(candidate *c)
{
    for (size_t i = 0; i < c->n_hits; i++) {
        free(c->hits[i].name);
        free(c->hits[i].rule);
        free(c->hits[i].ns);
        free(c->hits[i].json);
        free(c->hits[i].attack);
        free(c->hits[i].description);
    }
    free(c->hits);
    free(c->error);
    free(c->path);
}

/* Each worker holds one whole file in memory, so the thread count also
 * keeps threads x max_file_size within MEMORY_BUDGET. */
static size_t thread_count(gl_run *run, uint64_t max_file_size)
{
    uint64_t t = gl_run_setting_uint(run, "threads", 0);
    if (!t) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        t = cores > 0 ? (uint64_t)cores : 1;
    }
    uint64_t by_memory = max_file_size ? MEMORY_BUDGET / max_file_size : t;
    if (t > by_memory)
        t = by_memory ? by_memory : 1;
    return t > YR_MAX_THREADS ? YR_MAX_THREADS : (size_t)t;
}

/* Largest first (qsort over pointers; ties in list order, so runs repeat). */
static int larger_first(const void *a, const void *b)
{
    const candidate *x = *(candidate *const *)a, *y = *(candidate *const *)b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return x < y ? -1 : x > y;
}

static void scan_all(gl_run *run, candidate *cands, size_t n, pool *p, size_t n_threads)
{
    pthread_t tids[YR_MAX_THREADS];
    size_t started = 0;
    p->done = false; /* the previous batch's workers are joined: no lock needed */
    for (; started < n_threads; started++)
        if (pthread_create(&tids[started], NULL, worker, p) != 0)
            break;
    if (!started)
        gl_run_error(run, "yara: no scanning thread could be started");
    /* Handed out largest first: a big file taken last would keep one
     * thread scanning while the others have nothing left (records are
     * still reported in list order). */
    candidate **order = gl_xcalloc(n ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = &cands[i];
    qsort(order, n, sizeof *order, larger_first);
    for (size_t i = 0; i < n && started; i++) {
        candidate *c = order[i];
        if (c->size > p->max_size)
            continue;
        gl_err err = {0};
        gl_file *f = gl_run_open_unacquired(run, c->path, &err);
        if (!f) {
            c->error = gl_xstrdup(err.msg);
            continue;
        }
        pool_push(p, (job){c, f});
    }
    free(order);
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_broadcast(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
}

/* ---- choosing files, in batches ------------------------------------------------------------ */

typedef struct scan_ctx {
    gl_run *run;
    pool *p;
    size_t n_threads;
    uint64_t acquire_max;
    candidate c[BATCH];
    size_t n;
    uint64_t *seen; /* hashes of the paths taken: globs overlap (Users\Public, Users\*\Downloads) */
    size_t seen_slots, n_seen;
    char **skip;
    size_t n_skip;
    bool truncated;
    size_t matched;
} scan_ctx;

static size_t split_list(char *s, char **out, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, ";", &save); t && n < max; t = strtok_r(NULL, ";", &save))
        if (*t)
            out[n++] = t;
    return n;
}

static uint64_t path_hash(const char *p)
{
    uint64_t h = 1469598103934665603ull;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h ? h : 1; /* 0 marks an empty slot */
}

/* Insert h; false when it was there already. */
static bool seen_add(scan_ctx *s, uint64_t h)
{
    if ((s->n_seen + 1) * 2 > s->seen_slots) {
        uint64_t *old = s->seen;
        size_t n_old = s->seen_slots;
        s->seen_slots = n_old ? n_old * 2 : 4096;
        s->seen = gl_xcalloc(s->seen_slots, sizeof *s->seen);
        s->n_seen = 0;
        for (size_t i = 0; i < n_old; i++)
            if (old[i])
                seen_add(s, old[i]);
        free(old);
    }
    size_t mask = s->seen_slots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (s->seen[i] == h)
            return false;
        if (!s->seen[i]) {
            s->seen[i] = h;
            s->n_seen++;
            return true;
        }
    }
}

static void flush(scan_ctx *s)
{
    if (!s->n)
        return;
    scan_all(s->run, s->c, s->n, s->p, s->n_threads);
    for (size_t i = 0; i < s->n; i++) {
        report(s->run, &s->c[i], s->p->max_size, s->acquire_max);
        s->matched += s->c[i].n_hits > 0;
        free_candidate(&s->c[i]);
    }
    s->n = 0;
}

static int on_file(void *ctx, const gl_file_info *info)
{
    scan_ctx *s = ctx;
    if (info->is_dir || info->is_link)
        return 0;
    const char *name = base_name(info->path);
    for (size_t i = 0; i < s->n_skip; i++)
        if (gl_glob_match(s->skip[i], name))
            return 0;
    if (s->n_seen >= MAX_FILES) {
        s->truncated = true;
        return 1;
    }
    if (!seen_add(s, path_hash(info->path)))
        return 0;
    candidate *c = &s->c[s->n++];
    memset(c, 0, sizeof *c);
    c->path = gl_xstrdup(info->path);
    c->size = info->size;
    c->mtime = info->mtime;
    c->btime = info->btime;
    if (s->n == BATCH)
        flush(s); /* the source allows opening files inside a glob walk (the files module does) */
    return 0;
}

static void scan_targets(scan_ctx *s)
{
    char *paths = gl_xstrdup(gl_run_setting(s->run, "paths", "")), *skip = gl_xstrdup(gl_run_setting(s->run, "skip", ""));
    char *globs[256], *skips[256];
    size_t n = split_list(paths, globs, 256);
    s->skip = skips;
    s->n_skip = split_list(skip, skips, 256);
    for (size_t i = 0; i < n && !s->truncated; i++) {
        gl_err err = {0};
        if (gl_source_glob(gl_run_source(s->run), globs[i], on_file, s, &err) < 0)
            gl_run_error(s->run, "yara target %s: %s", globs[i], err.msg);
    }
    flush(s);
    if (s->truncated)
        gl_run_error(s->run, "yara: more than %d files to scan; the rest were not scanned", MAX_FILES);
    s->skip = NULL;
    free(paths);
    free(skip);
}

/* ---- process memory (live hosts, --scan-processes) ------------------------------------------ */

typedef struct proc_ctx {
    gl_run *run;
    YR_SCANNER *sc[MAX_SETS];
    size_t n_sc;
    int timeout;
    int only[MAX_PIDS_LISTED]; /* yara.process_ids; none: every process */
    size_t n_only;
    size_t scanned, unreadable, matched;
} proc_ctx;

static bool pid_wanted(const proc_ctx *pc, int pid)
{
    for (size_t i = 0; i < pc->n_only; i++)
        if (pc->only[i] == pid)
            return true;
    return !pc->n_only;
}

static void emit_proc_record(gl_run *run, const gl_proc *p, const char *status, const char *reason,
                             const candidate *c)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_int(&j, "pid", p->pid);
    gl_json_kv_str(&j, "name", p->name);
    gl_json_kv_str(&j, "exe", p->exe);
    gl_json_kv_str(&j, "cmdline", p->cmdline);
    if (p->cmdline_why)
        gl_json_kv_str(&j, "cmdline_unread", p->cmdline_why);
    record_finish(run, &j, &line, c, status, reason);
}

static void emit_proc_finding(gl_run *run, const gl_proc *p, const rule_hit *h)
{
    gl_fb fb;
    gl_fb_start(&fb, run, "yara.process_match");
    hit_severity(&fb, h);
    gl_fb_title(&fb, "process %s (pid %d) matches YARA rule %s%s%s", p->name, p->pid, h->rule,
                h->description ? ": " : "", h->description ? h->description : "");
    gl_fb_subject(&fb, "pid %d|%s|%s", p->pid, p->name, h->name);
    /* memory has no bundle member: the locator names the process */
    gl_fb_evidence(&fb, NULL, "process %d (%s)", p->pid, p->name);
    gl_json *d = gl_fb_details(&fb);
    hit_details(d, h);
    gl_json_kv_int(d, "pid", p->pid);
    gl_json_kv_str(d, "process", p->name);
    gl_json_kv_str(d, "exe", p->exe);
    gl_json_kv_str(d, "cmdline", p->cmdline);
    gl_fb_emit(&fb);
}

/* One process through every rule set. A process that cannot be read
 * (exited since it was listed, a kernel thread without memory, one the OS
 * protects from this account) is counted and noted, not an error: on a
 * live host there are always some, and a run made partial by them every
 * time would hide the runs where evidence really was missed. A scan
 * abandoned at yara.timeout is an error, as for files. */
static int on_proc(void *ctx, const gl_proc *p)
{
    proc_ctx *pc = ctx;
    if (!pid_wanted(pc, p->pid))
        return 0;
    candidate c = {0};
    int rc = ERROR_SUCCESS;
    for (size_t i = 0; i < pc->n_sc && rc == ERROR_SUCCESS; i++) {
        YR_SCANNER *sc = pc->sc[i];
        yr_scanner_define_string_variable(sc, "filename", base_name(p->exe));
        yr_scanner_define_string_variable(sc, "filepath", p->exe);
        yr_scanner_define_string_variable(sc, "extension", "");
        yr_scanner_define_string_variable(sc, "filetype", "");
        yr_scanner_define_string_variable(sc, "owner", "");
        yr_scanner_set_callback(sc, scan_cb, &c);
        rc = gl_proc_scan(sc, p->pid);
    }
    char reason[128];
    if (rc == ERROR_COULD_NOT_ATTACH_TO_PROCESS)
        snprintf(reason, sizeof reason, "its memory could not be opened (exited, or protected from this account)");
    else
        snprintf(reason, sizeof reason, "libyara error %d", rc);
    if (rc == ERROR_SCAN_TIMEOUT) {
        gl_run_error(pc->run, "yara: process %d (%s): scan abandoned after %d s", p->pid, p->name, pc->timeout);
        emit_proc_record(pc->run, p, "error", "scan abandoned at yara.timeout", &c);
    } else if (rc != ERROR_SUCCESS) {
        pc->unreadable++;
        gl_run_log(pc->run, "yara: process %d (%s) not readable: %s", p->pid, p->name, reason);
        emit_proc_record(pc->run, p, "unreadable", reason, &c);
    } else {
        pc->scanned++;
        pc->matched += c.n_hits > 0;
        for (size_t i = 0; i < c.n_hits; i++)
            emit_proc_finding(pc->run, p, &c.hits[i]);
        emit_proc_record(pc->run, p, "scanned", NULL, &c);
    }
    free_candidate(&c);
    return 0;
}

static void scan_processes(gl_run *run, const gl_yara_rules *rules, int timeout)
{
    if (strcmp(gl_source_kind(gl_run_source(run)), "live")) {
        gl_run_log(run, "yara.processes: the source is not this host (%s): no process memory to scan",
                   gl_source_kind(gl_run_source(run)));
        return;
    }
    proc_ctx *pc = gl_xcalloc(1, sizeof *pc);
    pc->run = run;
    pc->timeout = timeout;
    gl_err err = {0};
    parse_pids(gl_run_setting(run, "process_ids", ""), pc->only, &pc->n_only, &err); /* checked at init */
    for (; pc->n_sc < rules->n_sets && pc->n_sc < MAX_SETS; pc->n_sc++) {
        if (yr_scanner_create(rules->sets[pc->n_sc], &pc->sc[pc->n_sc]) != ERROR_SUCCESS)
            break;
        yr_scanner_set_timeout(pc->sc[pc->n_sc], timeout);
    }
    if (pc->n_sc < rules->n_sets)
        gl_run_error(run, "yara: libyara could not create a scanner (out of memory): no process scanned");
    else if (gl_proc_each(on_proc, pc, &err) < 0)
        gl_run_error(run, "yara: listing processes: %s", err.msg);
    gl_run_log(run, "yara: %zu processes scanned, %zu matched, %zu not readable", pc->scanned, pc->matched,
               pc->unreadable);
    for (size_t i = 0; i < pc->n_sc; i++)
        yr_scanner_destroy(pc->sc[i]);
    free(pc);
}

static int yara_run(gl_run *run, gl_err *err)
{
    (void)err;
    yara_state *st = gl_run_state(run);
    pool p = {.rules = &st->rules, .max_size = gl_run_setting_size(run, "max_file_size", 64u << 20)};
    int64_t timeout = gl_run_setting_seconds(run, "timeout", 60);
    p.timeout = timeout > 0 && timeout < 86400 ? (int)timeout : 86400;
    p.hash_all = gl_run_setting_bool(run, "hash_all", false);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.not_empty, NULL);
    pthread_cond_init(&p.not_full, NULL);
    /* volatile evidence first: processes may exit while the disk is read */
    if (gl_run_setting_bool(run, "processes", false))
        scan_processes(run, &st->rules, p.timeout);
    scan_ctx *s = gl_xcalloc(1, sizeof *s);
    s->run = run;
    s->p = &p;
    s->n_threads = thread_count(run, p.max_size);
    s->acquire_max = gl_run_setting_size(run, "acquire_max", 64u << 20);
    scan_targets(s);
    gl_run_log(run, "yara: %zu rule files, %zu files considered, %zu matched, %zu threads", st->rules.n_files,
               s->n_seen, s->matched, s->n_threads);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.not_empty);
    pthread_cond_destroy(&p.not_full);
    free(s->seen);
    free(s);
    return 0;
}

const gl_module gl_module_yara = {
    .name = "yara",
    .description = "YARA scan for the actor's tools (project rules + --yara), matched files acquired",
    .needs = GL_NEEDS_FILES,
    .settings = yara_settings,
    .rules = yara_rules,
    .init = yara_init,
    .fini = yara_fini,
    .run = yara_run,
};

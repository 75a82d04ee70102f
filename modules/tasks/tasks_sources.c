/* The tasks module's file and registry sources: task XML files, legacy
 * .JOB files and the TaskCache. Each item becomes a record and feeds the
 * task's entry; damage is reported and the rest is still read. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "json.h"
#include "reader.h"
#include "taskcache.h"
#include "taskjob.h"
#include "tasks_int.h"
#include "taskxml.h"
#include "text.h"
#include "timeline.h"

#define MAX_TASK_FILE (4u << 20) /* sxml's input limit */

static const char *const TASK_DIRS[] = {"C:\\Windows\\System32\\Tasks", "C:\\Windows\\SysWOW64\\Tasks"};
static const char CACHE[] = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache";

/* ---- reading files --------------------------------------------------------- */

typedef struct opened {
    gl_buf bytes;
    char *artifact;
} opened;

/* Whole file (acquired by being opened); false after reporting why not. */
static bool read_whole(gl_run *run, const gl_file_info *info, opened *o)
{
    memset(o, 0, sizeof *o);
    if (info->size > MAX_TASK_FILE) {
        gl_run_error(run, "%s: %" PRIu64 " bytes, more than a task definition can be (%u); not parsed", info->path,
                     info->size, MAX_TASK_FILE);
        return false;
    }
    gl_err err = {0};
    gl_file *f = gl_source_open_file(gl_run_source(run), info->path, &err);
    if (!f) {
        gl_run_error(run, "%s", err.msg);
        return false;
    }
    gl_reader r = gl_file_reader(f);
    size_t n = (size_t)r.size;
    gl_buf_reserve(&o->bytes, n);
    if (n && gl_read_exact(&r, 0, o->bytes.data, n, &err) < 0) {
        gl_run_error(run, "%s", err.msg);
        gl_file_close(f);
        gl_buf_free(&o->bytes);
        return false;
    }
    o->bytes.len = n;
    const char *artifact = gl_file_artifact(f);
    o->artifact = artifact ? gl_xstrdup(artifact) : NULL;
    gl_file_close(f);
    return true;
}

static void opened_free(opened *o)
{
    gl_buf_free(&o->bytes);
    free(o->artifact);
}

static void begin_record(gl_json *j, gl_buf *line, const char *source)
{
    gl_buf_clear(line);
    gl_json_init(j, line);
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "source", source);
}

static void end_record(gl_run *run, gl_json *j, gl_buf *line)
{
    gl_json_obj_end(j);
    gl_run_record(run, line->data, line->len);
}

/* ---- task XML files -------------------------------------------------------- */

typedef struct xml_walk {
    tasks_ctx *c;
    size_t root_len;
} xml_walk;

/* TaskCache's Hash is the SHA-256 of the file without its byte-order mark
 * (libyal winreg-kb "Task scheduler"). */
static void xml_hash(const opened *o, char hex[GL_SHA256_HEX])
{
    const uint8_t *p = (const uint8_t *)o->bytes.data;
    size_t n = o->bytes.len, skip = 0;
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        skip = 2;
    else if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        skip = 3;
    gl_sha256 h;
    gl_sha256_init(&h);
    gl_sha256_update(&h, p + skip, n - skip);
    gl_sha256_final(&h, hex);
}

static void note_xml_task(task_entry *e, const gl_task *t, const opened *o, const char *file)
{
    e->has_xml = true;
    xml_hash(o, e->xml_sha256);
    e->xml_hidden = t->hidden == 1;
    free(e->xml_artifact);
    e->xml_artifact = o->artifact ? gl_xstrdup(o->artifact) : NULL;
    free(e->xml_locator);
    e->xml_locator = gl_xstrdup(file);
    const gl_task_principal *p = gl_task_run_as(t);
    if (p && (p->user_id || p->group_id)) {
        free(e->run_as);
        e->run_as = gl_xstrdup(p->user_id ? p->user_id : p->group_id);
        e->run_highest = p->run_level && strcmp(p->run_level, "HighestAvailable") == 0;
    }
    for (size_t i = 0; i < t->n_actions; i++)
        if (t->actions[i].kind == GL_TASK_EXEC)
            tasks_add_obs(e, "xml", t->actions[i].command, t->actions[i].arguments, o->artifact, file, 0);
}

static int on_xml_file(void *ctx, const gl_file_info *info)
{
    xml_walk *w = ctx;
    if (info->is_dir || info->is_link || strlen(info->path) <= w->root_len)
        return 0;
    tasks_ctx *c = w->c;
    opened o;
    if (!read_whole(c->run, info, &o))
        return 0;
    const char *path = info->path + w->root_len; /* "\Folder\Name" */
    gl_task t;
    gl_err err = {0};
    int rc = gl_task_parse(&t, (const uint8_t *)o.bytes.data, o.bytes.len, NULL, &err);
    if (rc < 0)
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
    gl_buf line = {0};
    gl_json j;
    begin_record(&j, &line, "xml");
    gl_json_kv_str(&j, "path", path);
    gl_json_kv_str(&j, "file", info->path);
    gl_json_kv_str(&j, "artifact", o.artifact);
    if (rc < 0)
        gl_json_kv_str(&j, "error", err.msg);
    gl_json_key(&j, "task");
    gl_json_obj_begin(&j);
    gl_task_json(&j, &t);
    gl_json_obj_end(&j);
    end_record(c->run, &j, &line);
    gl_buf_free(&line);
    task_entry *e = tasks_entry(c, path);
    if (e)
        note_xml_task(e, &t, &o, info->path);
    gl_task_free(&t);
    opened_free(&o);
    return 0;
}

void tasks_read_xml_files(tasks_ctx *c)
{
    gl_source *src = gl_run_source(c->run);
    for (size_t i = 0; i < sizeof TASK_DIRS / sizeof TASK_DIRS[0]; i++) {
        gl_file_info info;
        gl_err err = {0};
        if (gl_source_stat(src, TASK_DIRS[i], &info, &err) < 0 || !info.is_dir)
            continue;
        c->xml_read = true;
        xml_walk w = {.c = c, .root_len = strlen(TASK_DIRS[i])};
        gl_buf pattern = {0};
        gl_buf_printf(&pattern, "%s\\**\\*", TASK_DIRS[i]);
        if (gl_source_glob(src, pattern.data, on_xml_file, &w, &err) < 0)
            gl_run_error(c->run, "%s: %s", pattern.data, err.msg);
        gl_buf_free(&pattern);
    }
}

/* ---- .JOB files ------------------------------------------------------------- */

static int on_job_file(void *ctx, const gl_file_info *info)
{
    tasks_ctx *c = ctx;
    if (info->is_dir || info->is_link)
        return 0;
    opened o;
    if (!read_whole(c->run, info, &o))
        return 0;
    gl_job job;
    gl_err err = {0};
    int rc = gl_job_parse(&job, (const uint8_t *)o.bytes.data, o.bytes.len, &err);
    if (rc < 0)
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
    gl_buf line = {0};
    gl_json j;
    begin_record(&j, &line, "job");
    gl_json_kv_str(&j, "file", info->path);
    gl_json_kv_str(&j, "artifact", o.artifact);
    if (rc < 0)
        gl_json_kv_str(&j, "error", err.msg);
    gl_json_key(&j, "job");
    gl_json_obj_begin(&j);
    gl_job_json(&j, &job);
    gl_json_obj_end(&j);
    end_record(c->run, &j, &line);
    /* Task Scheduler shows C:\Windows\Tasks\At1.job as \At1. */
    const char *base = strrchr(info->path, '\\');
    gl_buf path = {0};
    gl_buf_printf(&path, "\\%s", base ? base + 1 : info->path);
    if (path.len > 4 && gl_name_casecmp(path.data + path.len - 4, 4, ".job", 4) == 0)
        path.data[path.len -= 4] = '\0';
    task_entry *e = tasks_entry(c, path.data);
    if (e) {
        e->has_job = true;
        e->xml_hidden = e->xml_hidden || (job.flags & GL_JOB_HIDDEN) != 0;
        tasks_add_obs(e, ".job", job.application, job.parameters, o.artifact, info->path, 0);
    }
    gl_buf_free(&path);
    gl_buf_free(&line);
    gl_job_free(&job);
    opened_free(&o);
    return 0;
}

void tasks_read_jobs(tasks_ctx *c)
{
    gl_err err = {0};
    if (gl_source_glob(gl_run_source(c->run), "C:\\Windows\\Tasks\\*.job", on_job_file, c, &err) < 0)
        gl_run_error(c->run, "C:\\Windows\\Tasks\\*.job: %s", err.msg);
}

/* ---- TaskCache ---------------------------------------------------------------- */

typedef struct cache_walk {
    tasks_ctx *c;
    gl_buf scratch, line, text;
} cache_walk;

static bool value_bytes(cache_walk *w, gl_regkey k, const char *name, const uint8_t **p, size_t *n)
{
    gl_regval v = gl_regkey_value(k, name);
    if (!gl_regval_ok(v))
        return false;
    gl_buf_clear(&w->scratch);
    *p = gl_regval_binary(v, n, &w->scratch);
    return *p != NULL;
}

/* The binary values of the TaskCache this module decodes. */
typedef enum cache_value { V_SD, V_DYNAMIC_INFO, V_ACTIONS, V_TRIGGERS } cache_value;

/* What the module keeps of them beside the record. */
typedef struct value_facts {
    bool present, hidden;
    uint64_t created, last_run;
} value_facts;

static int decode_into(cache_value which, const uint8_t *p, size_t n, gl_json *j, value_facts *f, task_entry *e,
                       const char *artifact, const char *locator, gl_err *err)
{
    int rc;
    if (which == V_SD) {
        gl_tc_sd sd;
        rc = gl_tc_sd_decode(p, n, &sd, err);
        gl_tc_sd_json(j, &sd);
        gl_tc_sd_free(&sd);
    } else if (which == V_DYNAMIC_INFO) {
        gl_tc_dynamic_info d;
        rc = gl_tc_dynamic_info_decode(p, n, &d, err);
        gl_tc_dynamic_info_json(j, &d);
        f->created = d.created;
        f->last_run = d.last_run;
    } else if (which == V_ACTIONS) {
        gl_tc_actions a;
        rc = gl_tc_actions_decode(p, n, &a, err);
        gl_tc_actions_json(j, &a);
        for (size_t i = 0; e && i < a.n; i++)
            if (a.items[i].magic == GL_TC_ACTION_EXEC)
                tasks_add_obs(e, "taskcache", a.items[i].command, a.items[i].arguments, artifact, locator, f->created);
        gl_tc_actions_free(&a);
    } else {
        gl_tc_triggers t;
        rc = gl_tc_triggers_decode(p, n, &t, err);
        gl_tc_triggers_json(j, &t);
        f->hidden = t.has_bucket && (t.flags & GL_TC_HIDDEN);
        gl_tc_triggers_free(&t);
    }
    return rc;
}

/* One binary value of k decoded into the record (what was decoded before
 * any damage included) and into f; damage is reported. */
static void cache_value_json(cache_walk *w, gl_regkey k, cache_value which, gl_json *j, task_entry *e,
                             value_facts *f)
{
    static const char *const names[] = {"SD", "DynamicInfo", "Actions", "Triggers"};
    static const char *const keys[] = {"sd", "dynamic_info", "actions", "triggers"};
    const uint8_t *p;
    size_t n;
    if (!value_bytes(w, k, names[which], &p, &n))
        return;
    f->present = true;
    gl_buf loc = {0};
    gl_regkey_locator(k, &loc);
    gl_buf_printf(&loc, "\\%s", names[which]);
    gl_err err = {0};
    gl_json_key(j, keys[which]);
    gl_json_obj_begin(j);
    int rc = decode_into(which, p, n, j, f, e, gl_regkey_artifact(k), loc.data, &err);
    gl_json_obj_end(j);
    if (rc < 0)
        gl_run_error(w->c->run, "%s: %s", loc.data, err.msg);
    gl_buf_free(&loc);
}

static int on_tree_key(void *ctx, gl_regkey k, const char *rel)
{
    cache_walk *w = ctx;
    gl_buf_clear(&w->text);
    if (!*rel || gl_regkey_get_string(k, "Id", &w->text, NULL) != GL_LOOKUP_FOUND)
        return 0; /* the Tree root or a folder */
    gl_buf path = {0};
    gl_buf_printf(&path, "\\%s", rel);
    task_entry *e = tasks_entry(w->c, path.data);
    gl_buf loc = {0};
    gl_regkey_locator(k, &loc);
    gl_json j;
    begin_record(&j, &w->line, "taskcache.tree");
    gl_json_kv_str(&j, "path", path.data);
    gl_json_kv_str(&j, "key", loc.data);
    gl_json_kv_str(&j, "id", w->text.data);
    gl_json_kv_bool(&j, "deleted", gl_regkey_deleted(k));
    uint32_t index;
    bool has_index = gl_regkey_get_dword(k, "Index", &index, NULL) == GL_LOOKUP_FOUND;
    if (has_index)
        gl_json_kv_uint(&j, "index", index);
    value_facts sd = {0};
    cache_value_json(w, k, V_SD, &j, NULL, &sd);
    bool has_sd = sd.present;
    end_record(w->c->run, &j, &w->line);
    tasks_saw_time(w->c, gl_regkey_last_write(k));
    if (e) {
        e->has_tree = true;
        e->has_sd = has_sd;
        e->tree_deleted = gl_regkey_deleted(k);
        e->tree_last_write = gl_regkey_last_write(k);
        e->has_index = has_index;
        e->index = index;
        e->tree_id = gl_xstrdup(w->text.data);
        const char *artifact = gl_regkey_artifact(k);
        e->tree_artifact = artifact ? gl_xstrdup(artifact) : NULL;
        e->tree_locator = gl_xstrdup(loc.data);
    }
    gl_buf_free(&loc);
    gl_buf_free(&path);
    return 0;
}

static void on_tasks_key(cache_walk *w, gl_regkey k)
{
    gl_buf guid = {0}, loc = {0};
    gl_regkey_name(k, &guid);
    gl_regkey_locator(k, &loc);
    gl_buf_clear(&w->text);
    bool has_path = gl_regkey_get_string(k, "Path", &w->text, NULL) == GL_LOOKUP_FOUND && w->text.len;
    /* A Tasks key without Path is still a task: name it by its GUID. */
    task_entry *e = tasks_entry(w->c, has_path ? w->text.data : guid.data);
    gl_json j;
    begin_record(&j, &w->line, "taskcache.tasks");
    gl_json_kv_str(&j, "path", has_path ? w->text.data : NULL);
    gl_json_kv_str(&j, "guid", guid.data);
    gl_json_kv_str(&j, "key", loc.data);
    gl_json_kv_bool(&j, "deleted", gl_regkey_deleted(k));
    const uint8_t *p;
    size_t n;
    char hash[GL_SHA256_HEX] = "";
    if (value_bytes(w, k, "Hash", &p, &n)) {
        gl_json_key(&j, "hash");
        gl_json_hex(&j, p, n);
        for (size_t i = 0; n == 32 && i < n; i++) /* 4 bytes: a CRC32, before KB2305420 */
            snprintf(hash + 2 * i, 3, "%02x", p[i]);
    }
    value_facts f = {0};
    cache_value_json(w, k, V_DYNAMIC_INFO, &j, e, &f);
    cache_value_json(w, k, V_ACTIONS, &j, e, &f);
    cache_value_json(w, k, V_TRIGGERS, &j, e, &f);
    end_record(w->c->run, &j, &w->line);
    uint64_t created = f.created;
    bool hidden = f.hidden;
    tasks_saw_time(w->c, created);
    tasks_saw_time(w->c, f.last_run);
    if (e) {
        e->has_tasks = true;
        e->cache_hidden = hidden;
        e->cache_created = created;
        memcpy(e->cache_hash, hash, sizeof hash);
        e->tasks_guid = gl_xstrdup(guid.data);
        const char *artifact = gl_regkey_artifact(k);
        e->tasks_artifact = artifact ? gl_xstrdup(artifact) : NULL;
        e->tasks_locator = gl_xstrdup(loc.data);
        gl_tl t;
        gl_tl_begin(&t, w->c->run, "task.created", created, e->path, artifact, loc.data);
        gl_tl_end(&t);
    }
    gl_buf_free(&guid);
    gl_buf_free(&loc);
}

void tasks_read_taskcache(tasks_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    gl_regkey cache;
    gl_err err = {0};
    gl_lookup l = gl_regview_find_key(rv, CACHE, &cache, &err);
    if (l == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s: %s", CACHE, err.msg);
    if (l != GL_LOOKUP_FOUND)
        return;
    c->cache_read = true;
    cache_walk w = {.c = c};
    gl_regkey tree = gl_regkey_child(cache, "Tree");
    if (gl_regkey_ok(tree))
        gl_regkey_walk(tree, on_tree_key, &w);
    gl_regkey tasks = gl_regkey_child(cache, "Tasks");
    gl_regkeys subs = {0};
    if (gl_regkey_ok(tasks))
        gl_regkey_subkeys(tasks, &subs);
    for (size_t i = 0; i < subs.n; i++)
        on_tasks_key(&w, subs.v[i]);
    gl_regkeys_free(&subs);
    gl_buf_free(&w.scratch);
    gl_buf_free(&w.line);
    gl_buf_free(&w.text);
}

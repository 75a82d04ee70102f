/* files: acquire every file matching the profile's targets, so raw evidence
 * is preserved even where no parser reads it yet. Opening a file through
 * the source is what copies it into the bundle; this module only chooses
 * what to open and records why. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "module.h"
#include "text.h"

#define DEFAULT_MAX_FILE_SIZE (4ULL << 30)

typedef struct files_ctx {
    gl_run *run;
    const gl_target *target;
    uint64_t max_file_size;
    uint64_t max_total_size;
    uint64_t total;
    uint64_t matched;
} files_ctx;

static void emit(files_ctx *c, const gl_file_info *info, const char *status, const char *artifact,
                 const char *why)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "target", c->target->name);
    gl_json_kv_str(&j, "path", info->path);
    gl_json_kv_str(&j, "status", status);
    gl_json_kv_str(&j, "artifact", artifact);
    gl_json_kv_uint(&j, "size", info->size);
    gl_json_key(&j, "mtime");
    if (info->mtime.valid) {
        char iso[GL_TIME_STRLEN];
        gl_unixtime_iso(info->mtime.sec, info->mtime.nsec, 9, iso);
        gl_json_str(&j, iso);
    } else {
        gl_json_null(&j);
    }
    if (why)
        gl_json_kv_str(&j, "reason", why);
    if (info->raw_path_hex) /* the name had to be escaped: its bytes as on disk */
        gl_json_kv_str(&j, "path_raw_hex", info->raw_path_hex);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

static int on_match(void *ctx, const gl_file_info *info)
{
    files_ctx *c = ctx;
    if (gl_run_expired(c->run))
        return 1; /* the walk ends here; the engine names the time limit */
    if (info->is_dir)
        return 0;
    c->matched++;
    if (info->is_link) {
        /* a target that names this file did not get it: an error; a link
         * a wildcard met (a Windows tree has junctions) is only recorded */
        char why[600];
        snprintf(why, sizeof why, "a link to '%s'%s; links are not followed",
                 info->link_target ? info->link_target : "?", info->named ? " where a file was expected" : "");
        emit(c, info, info->named ? "error" : "skipped", NULL, why);
        if (info->named)
            gl_run_error(c->run, "%s: %s", info->path, why);
        return 0;
    }
    uint64_t cap = c->target->max_size ? c->target->max_size : c->max_file_size;
    char why[160];
    if (info->size > cap) {
        snprintf(why, sizeof why, "size %" PRIu64 " exceeds the cap of %" PRIu64 " bytes", info->size, cap);
        emit(c, info, "skipped", NULL, why);
        gl_run_error(c->run, "%s: not acquired: %s", info->path, why);
        return 0;
    }
    if (c->max_total_size && c->total + info->size > c->max_total_size) {
        snprintf(why, sizeof why, "total size cap of %" PRIu64 " bytes reached", c->max_total_size);
        emit(c, info, "skipped", NULL, why);
        gl_run_error(c->run, "%s: not acquired: %s", info->path, why);
        return 0;
    }
    gl_err err = {0};
    gl_file *f = gl_source_open_file(gl_run_source(c->run), info->path, &err);
    if (!f) {
        emit(c, info, "error", NULL, err.msg);
        gl_run_error(c->run, "%s", err.msg);
        return 0;
    }
    c->total += gl_file_get_info(f)->size;
    emit(c, gl_file_get_info(f), "acquired", gl_file_artifact(f), NULL);
    gl_file_close(f);
    return 0;
}

static int files_run(gl_run *run, gl_err *err)
{
    (void)err;
    files_ctx c = {.run = run};
    c.max_file_size = gl_run_setting_size(run, "max_file_size", DEFAULT_MAX_FILE_SIZE);
    c.max_total_size = gl_run_setting_size(run, "max_total_size", 0);
    const gl_target *targets;
    size_t n = gl_run_targets(run, &targets);
    uint64_t before = 0;
    for (size_t i = 0; i < n; i++) {
        c.target = &targets[i];
        gl_err gerr = {0};
        if (gl_source_glob(gl_run_source(run), targets[i].pattern, on_match, &c, &gerr) < 0)
            gl_run_error(run, "target %s (%s): %s", targets[i].name, targets[i].pattern, gerr.msg);
        /* one log line per target name, however many patterns it has */
        if (i + 1 == n || strcmp(targets[i + 1].name, targets[i].name)) {
            gl_run_log(run, "target %s: %" PRIu64 " files", targets[i].name, c.matched - before);
            before = c.matched;
        }
    }
    return 0;
}

static const gl_setting_decl files_settings[] = {
    {"max_file_size", GL_SETTING_SIZE, "4G", "a larger file is skipped, recorded, and makes the run partial"},
    {"max_total_size", GL_SETTING_SIZE, NULL, "stop acquiring targets past this many bytes (default: no cap)"},
    {0},
};

const gl_module gl_module_files = {
    .name = "files",
    .description = "acquire raw evidence files matching the profile's targets (size-capped)",
    .needs = GL_NEEDS_FILES,
    .settings = files_settings,
    .run = files_run,
};

/* pipeline_probe: a module registered only in test builds. It reads one
 * file through the source (setting `pipeline_probe.path`), hashes what it
 * read, and reports a record and a finding, so end-to-end tests can prove
 * that a module's reads are acquired, that records and findings reach the
 * bundle, and that module errors and failures set the run status. */
#include <string.h>
#include "module.h"
#include "sha256.h"

static int probe_run(gl_run *run, gl_err *err)
{
    const char *mode = gl_run_setting(run, "mode", "ok");
    if (!strcmp(mode, "fail"))
        return gl_err_set(err, "pipeline_probe: asked to fail by the profile");
    const char *path = gl_run_setting(run, "path", "Windows\\win.ini");
    gl_file *f = gl_source_open_file(gl_run_source(run), path, err);
    if (!f)
        return -1;
    gl_reader r = gl_file_reader(f);
    gl_sha256 h;
    gl_sha256_init(&h);
    unsigned char buf[4096];
    uint64_t off = 0;
    int64_t n;
    while ((n = r.read_at(r.ctx, off, buf, sizeof buf, err)) > 0) {
        gl_sha256_update(&h, buf, (size_t)n);
        off += (uint64_t)n;
    }
    char hex[GL_SHA256_HEX];
    gl_sha256_final(&h, hex);
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "path", gl_file_get_info(f)->path);
    gl_json_kv_str(&j, "artifact", gl_file_artifact(f));
    gl_json_kv_uint(&j, "bytes_read", off);
    gl_json_kv_str(&j, "sha256", hex);
    gl_json_obj_end(&j);
    gl_run_record(run, line.data, line.len);

    gl_buf details = {0};
    gl_buf_printf(&details, "{\"sha256\":\"%s\"}", hex);
    gl_evidence ev = {gl_file_artifact(f), "offset 0"};
    /* mode=undeclared: a rule id the module did not declare (an error). */
    gl_finding fd = {.rule = !strcmp(mode, "undeclared") ? "pipeline_probe.not_declared" : "pipeline_probe.file_read",
                     .severity = GL_SEV_LOW, .severity_reason = "test probe: always low",
                     .title = "pipeline probe read a file", .time = "2026-11-20T10:00:00Z", .evidence = &ev,
                     .n_evidence = 1, .subject = path, .details_json = details.data};
    gl_run_finding(run, &fd);
    if (!strcmp(mode, "error"))
        gl_run_error(run, "pipeline_probe: asked to report an error by the profile");
    gl_buf_free(&details);
    gl_buf_free(&line);
    gl_file_close(f);
    return n < 0 ? -1 : 0;
}

static const gl_setting_decl probe_settings[] = {
    {"mode", GL_SETTING_TEXT, "ok", "ok, fail, error or undeclared"},
    {"path", GL_SETTING_TEXT, "Windows\\win.ini", "file to read"},
    {0},
};

static const gl_rule_decl probe_rules[] = {
    {"pipeline_probe.file_read", GL_SEV_LOW, "T1219", "pipeline probe read a file"},
    {0},
};

const gl_module gl_module_pipeline_probe = {
    .name = "pipeline_probe",
    .description = "test-only: read one file through the source and report it",
    .needs = GL_NEEDS_FILES,
    .settings = probe_settings,
    .rules = probe_rules,
    .run = probe_run,
};

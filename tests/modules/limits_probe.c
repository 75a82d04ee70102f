/* Test-only modules for run limits and module isolation
 * (tests/unit/test_faults_limits.c): limits_writer emits `count` records;
 * limits_reader reads them back, `sleep_ms` per record, so a time budget
 * runs out inside the kit's record loop, then opens `path`, which a spent
 * budget refuses to acquire. Its record says how far it got. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "module.h"

static int writer_run(gl_run *run, gl_err *err)
{
    (void)err;
    uint64_t n = gl_run_setting_uint(run, "count", 100);
    char line[64];
    for (uint64_t i = 0; i < n; i++) {
        int len = snprintf(line, sizeof line, "{\"i\":%llu}", (unsigned long long)i);
        gl_run_record(run, line, (size_t)len);
    }
    return 0;
}

typedef struct reader_ctx {
    long sleep_ms;
    unsigned long seen;
} reader_ctx;

static int slow_count(void *ctx, const char *line, size_t n)
{
    (void)line;
    (void)n;
    reader_ctx *c = ctx;
    struct timespec ts = {c->sleep_ms / 1000, (c->sleep_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    c->seen++;
    return 0;
}

static int reader_run(gl_run *run, gl_err *err)
{
    reader_ctx c = {(long)gl_run_setting_uint(run, "sleep_ms", 0), 0};
    if (gl_run_each_record(run, "limits_writer", slow_count, &c, err) != 0)
        return -1;
    gl_err oerr = {0};
    gl_file *f = gl_source_open_file(gl_run_source(run), gl_run_setting(run, "path", "Windows\\win.ini"), &oerr);
    if (!f)
        gl_run_error(run, "%s", oerr.msg);
    char line[128];
    int len = snprintf(line, sizeof line, "{\"seen\":%lu,\"opened\":%s}", c.seen, f ? "true" : "false");
    gl_run_record(run, line, (size_t)len);
    if (f)
        gl_file_close(f);
    return 0;
}

static const gl_setting_decl writer_settings[] = {
    {"count", GL_SETTING_UINT, "100", "records to emit"},
    {0},
};
static const gl_setting_decl reader_settings[] = {
    {"sleep_ms", GL_SETTING_UINT, "0", "pause per record read"},
    {"path", GL_SETTING_TEXT, "Windows\\win.ini", "file opened after reading"},
    {0},
};
static const char *const reader_reads[] = {"limits_writer", NULL};

const gl_module gl_module_limits_writer = {
    .name = "limits_writer",
    .description = "test-only: emit `count` records",
    .settings = writer_settings,
    .run = writer_run,
};

const gl_module gl_module_limits_reader = {
    .name = "limits_reader",
    .description = "test-only: read limits_writer's records slowly, then open a file",
    .needs = GL_NEEDS_FILES,
    .settings = reader_settings,
    .reads = reader_reads,
    .run = reader_run,
};

/* Test-only modules that exercise the module kit (tests/unit/test_kit.c):
 * three readers of the same hive and the same Security events, to prove
 * one parse and one event pass serve them all; a reader of another
 * module's records; and two modules that read each other (a cycle). */
#include <stdio.h>
#include <string.h>
#include "events.h"
#include "finding.h"
#include "module.h"
#include "timeline.h"

static const gl_event_sub reader_events[] = {
    {"Security", {4624, 4625, 4688, 4720, 4722}, 5},
    {0},
};

static const gl_setting_decl reader_settings[] = {
    {"key", GL_SETTING_TEXT, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "key whose value to read"},
    {"value", GL_SETTING_TEXT, "ProductName", "value to read"},
    {"timeline_kind", GL_SETTING_TEXT, "logon", "kind of the timeline event emitted per event (none: emit nothing)"},
    {0},
};

typedef struct reader_ctx {
    gl_run *run;
    unsigned long events;
    const char *kind;
} reader_ctx;

static int count_event(void *ctx, const gl_event *ev)
{
    reader_ctx *c = ctx;
    c->events++;
    if (!strcmp(c->kind, "none")) /* bench-events: measure the reading, not a module's own work */
        return 0;
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, c->kind, ev->time, gl_event_text(ev, "TargetUserName"), ev->artifact,
                             ev->locator);
    gl_json_kv_uint(d, "event_id", ev->event_id);
    gl_tl_end(&t);
    return 0;
}

static int reader_run(gl_run *run, gl_err *err)
{
    gl_regview *rv = gl_run_regview(run);
    gl_buf v = {0}, line = {0};
    gl_err e = {0};
    if (rv && gl_regview_string(rv, gl_run_setting(run, "key", ""), gl_run_setting(run, "value", ""), &v, &e) != 0)
        gl_run_log(run, "%s", e.msg);
    reader_ctx c = {run, 0, gl_run_setting(run, "timeline_kind", "logon")};
    if (gl_events_each(run, "Security", count_event, &c, err) != 0)
        return -1;
    gl_buf_printf(&line, "{\"value\":\"%s\",\"events\":%lu}", gl_buf_cstr(&v), c.events);
    gl_run_record(run, line.data, line.len);
    gl_buf_free(&v);
    gl_buf_free(&line);
    return 0;
}

#define READER(n)                                                                                              \
    const gl_module gl_module_kit_reader_##n = {                                                               \
        .name = "kit_reader_" #n,                                                                              \
        .description = "test-only: read a SOFTWARE value and Security events through the kit",                \
        .needs = GL_NEEDS_REGISTRY | GL_NEEDS_EVTX,                                                           \
        .settings = reader_settings,                                                                           \
        .events = reader_events,                                                                               \
        .run = reader_run,                                                                                     \
    };
READER(a)
READER(b)
READER(c)

/* Reads kit_reader_a's records and counts them. */
static int count_line(void *ctx, const char *line, size_t n)
{
    (void)line;
    (void)n;
    ++*(unsigned long *)ctx;
    return 0;
}

static int follower_run(gl_run *run, gl_err *err)
{
    unsigned long n = 0;
    if (gl_run_each_record(run, "kit_reader_a", count_line, &n, err) != 0)
        return -1;
    char line[64];
    int len = snprintf(line, sizeof line, "{\"records_of_kit_reader_a\":%lu}", n);
    gl_run_record(run, line, (size_t)len);
    return 0;
}

static const char *const follower_reads[] = {"kit_reader_a", NULL};
const gl_module gl_module_kit_follower = {
    .name = "kit_follower",
    .description = "test-only: read kit_reader_a's records",
    .reads = follower_reads,
    .run = follower_run,
};

static int nothing_run(gl_run *run, gl_err *err)
{
    (void)run;
    (void)err;
    return 0;
}
static const char *const cycle_x_reads[] = {"kit_cycle_y", NULL};
static const char *const cycle_y_reads[] = {"kit_cycle_x", NULL};
const gl_module gl_module_kit_cycle_x = {
    .name = "kit_cycle_x", .description = "test-only: reads kit_cycle_y", .reads = cycle_x_reads, .run = nothing_run};
const gl_module gl_module_kit_cycle_y = {
    .name = "kit_cycle_y", .description = "test-only: reads kit_cycle_x", .reads = cycle_y_reads, .run = nothing_run};

/* The tasks module's event sources: Security 4698-4702 (the definition in
 * TaskContent / TaskContentNew, parsed like the files) and TaskScheduler
 * Operational registration, update, deletion and run events. Field names:
 * MSDOC event-4698..4702; artifacts.md §6.3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "json.h"
#include "tasks_int.h"
#include "taskxml.h"
#include "timeline.h"

static const char TS_CHANNEL[] = "Microsoft-Windows-TaskScheduler/Operational";

typedef struct ev_kind_map {
    uint16_t id;
    task_ev_kind kind;
    const char *timeline; /* NULL: record only */
    const char *who;      /* field naming the account, NULL: none */
} ev_kind_map;

static const ev_kind_map KINDS[] = {
    {4698, EV_CREATED, "task.created", NULL},  {4699, EV_DELETED, "task.deleted", NULL},
    {4700, EV_ENABLED, "task.enabled", NULL},  {4701, EV_DISABLED, "task.disabled", NULL},
    {4702, EV_CHANGED, "task.changed", NULL},  {106, EV_CREATED, "task.created", "UserContext"},
    {140, EV_CHANGED, "task.changed", "UserName"}, {141, EV_DELETED, "task.deleted", "UserName"},
    {142, EV_DISABLED, "task.disabled", "UserName"}, {200, EV_RAN, "task.run", NULL},
    {129, EV_RAN, NULL, NULL},                 {100, EV_RAN, NULL, "UserContext"},
    {201, EV_RAN, NULL, NULL},
};

static const ev_kind_map *kind_of(uint16_t id)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (KINDS[i].id == id)
            return &KINDS[i];
    return NULL;
}

/* "DOMAIN\user" of the Security subject, or the TaskScheduler field. */
static void account(const gl_event *ev, const ev_kind_map *k, gl_buf *out)
{
    if (k->who) {
        gl_buf_puts(out, gl_event_text(ev, k->who));
        return;
    }
    const char *dom = gl_event_text(ev, "SubjectDomainName"), *user = gl_event_text(ev, "SubjectUserName");
    if (*dom)
        gl_buf_printf(out, "%s\\", dom);
    gl_buf_puts(out, user);
}

static void add_ev(task_entry *e, const ev_kind_map *k, const gl_event *ev, const char *by)
{
    if (!e || k->kind == EV_RAN ||
        !tasks_room((void **)&e->evs, e->n_evs, &e->cap_evs, TASKS_MAX_EVENTS, sizeof *e->evs))
        return;
    task_ev *x = &e->evs[e->n_evs++];
    x->kind = k->kind;
    x->time = ev->time;
    x->event_id = ev->event_id;
    x->by = gl_xstrdup(by);
    x->artifact = ev->artifact ? gl_xstrdup(ev->artifact) : NULL;
    x->locator = gl_xstrdup(ev->locator);
}

/* Principal and Hidden of a definition carried by an event, for tasks no
 * file describes (deleted since, or never written to disk). */
static void note_event_task(task_entry *e, const gl_task *t, const gl_event *ev)
{
    const gl_task_principal *p = gl_task_run_as(t);
    if (!e->has_xml && p && (p->user_id || p->group_id)) {
        free(e->run_as);
        e->run_as = gl_xstrdup(p->user_id ? p->user_id : p->group_id);
        e->run_highest = p->run_level && strcmp(p->run_level, "HighestAvailable") == 0;
    }
    if (t->hidden == 1 && !e->event_hidden) {
        e->event_hidden = true;
        e->event_hidden_artifact = ev->artifact ? gl_xstrdup(ev->artifact) : NULL;
        e->event_hidden_locator = gl_xstrdup(ev->locator);
    }
}

/* The definition carried by the event into the record and the entry. */
static void event_definition(tasks_ctx *c, const gl_event *ev, gl_json *j, task_entry *e)
{
    const char *xml = gl_event_value(ev, ev->event_id == 4702 ? "TaskContentNew" : "TaskContent");
    if (!xml || !*xml)
        return;
    gl_task t;
    gl_err err = {0};
    if (gl_task_parse(&t, (const uint8_t *)xml, strlen(xml), NULL, &err) < 0)
        gl_run_error(c->run, "%s %s: TaskContent: %s", ev->file, ev->locator, err.msg);
    gl_json_key(j, "task");
    gl_json_obj_begin(j);
    gl_task_json(j, &t);
    gl_json_obj_end(j);
    if (e)
        note_event_task(e, &t, ev);
    /* A deletion's content is the task that was removed, not a new action. */
    for (size_t i = 0; e && ev->event_id != 4699 && i < t.n_actions; i++)
        if (t.actions[i].kind == GL_TASK_EXEC)
            tasks_add_obs(e, ev->event_id == 4698 ? "event 4698" : ev->event_id == 4702 ? "event 4702" : "event",
                          t.actions[i].command, t.actions[i].arguments, ev->artifact, ev->locator, ev->time);
    gl_task_free(&t);
}

static void ts_fields(const gl_event *ev, gl_json *j)
{
    static const char *const names[] = {"ActionName", "Path", "ProcessID", "ResultCode", "TaskInstanceId"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = gl_event_value(ev, names[i]);
        if (v)
            gl_json_kv_str(j, names[i], v);
    }
}

static int on_event(void *ctx, const gl_event *ev)
{
    tasks_ctx *c = ctx;
    const ev_kind_map *k = kind_of(ev->event_id);
    const char *path = gl_event_value(ev, "TaskName");
    if (!k || !path || !*path)
        return 0;
    tasks_saw_time(c, ev->time);
    gl_buf by = {0}, line = {0};
    account(ev, k, &by);
    task_entry *e = tasks_entry(c, path);
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "source", "event");
    gl_json_kv_str(&j, "channel", ev->channel);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    gl_json_kv_uint(&j, "record", ev->record_id);
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_str(&j, "path", path);
    gl_json_kv_str(&j, "by", by.data ? by.data : "");
    gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    ts_fields(ev, &j);
    event_definition(c, ev, &j, e);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    add_ev(e, k, ev, by.data ? by.data : "");
    if (k->timeline) {
        gl_tl t;
        gl_json *d = gl_tl_begin(&t, c->run, k->timeline, ev->time, path, ev->artifact, ev->locator);
        gl_json_kv_uint(d, "event_id", ev->event_id);
        if (by.len)
            gl_json_kv_str(d, "by", by.data);
        gl_tl_end(&t);
    }
    gl_buf_free(&by);
    gl_buf_free(&line);
    return 0;
}

void tasks_read_events(tasks_ctx *c)
{
    const char *channels[] = {"Security", TS_CHANNEL};
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        gl_err err = {0};
        if (gl_events_each(c->run, channels[i], on_event, c, &err) < 0)
            gl_run_error(c->run, "%s events: %s", channels[i], err.msg);
    }
}

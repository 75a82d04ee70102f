/* Task Scheduler 2.0 task definitions (the XML schema of
 * Windows\System32\Tasks\** and of the TaskContent of Security events
 * 4698/4702): bytes in, a gl_task out.
 *
 * Input encodings: UTF-16 LE with BOM (files under System32\Tasks), UTF-16
 * BE with BOM, UTF-16 LE without BOM (detected from "<\0"), UTF-8 with or
 * without BOM (event TaskContent after rendering; its declaration still
 * says UTF-16, which is ignored, as is any XML declaration).
 *
 * Absent elements are NULL strings and GL_TASK_UNSET numbers/booleans: a
 * consumer comparing two sources must only compare values both have. */
#ifndef GL_TASKXML_H
#define GL_TASKXML_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "json.h"
#include "sxml.h"

#define GL_TASK_UNSET (-1)

typedef struct gl_task_principal {
    const char *id; /* @id, referenced by Actions/@Context */
    const char *user_id, *group_id, *logon_type, *run_level, *display_name;
} gl_task_principal;

typedef struct gl_task_trigger {
    const char *type; /* element name: "LogonTrigger", "TimeTrigger", ... */
    const char *id;   /* @id */
    const char *start_boundary, *end_boundary;
    int enabled; /* 0/1, or GL_TASK_UNSET (the schema default is enabled) */
    const char *repetition_interval, *repetition_duration;
    int repetition_stop_at_duration_end;
    const char *delay;        /* Logon/Boot/Event/Registration/SessionStateChange */
    const char *random_delay; /* Time/Calendar */
    const char *execution_time_limit;
    const char *user_id;      /* Logon and SessionStateChange triggers */
    const char *state_change; /* SessionStateChange trigger */
    const char *subscription; /* Event trigger: the XPath query */
} gl_task_trigger;

typedef enum gl_task_action_kind {
    GL_TASK_EXEC,
    GL_TASK_COM_HANDLER,
    GL_TASK_SEND_EMAIL,   /* deprecated by Microsoft; flagged when seen */
    GL_TASK_SHOW_MESSAGE, /* deprecated by Microsoft; flagged when seen */
} gl_task_action_kind;

typedef struct gl_task_action {
    gl_task_action_kind kind;
    const char *id; /* @id */
    /* Exec */
    const char *command, *arguments, *working_directory;
    /* ComHandler */
    const char *class_id, *data;
    /* SendEmail */
    const char *server, *from, *to, *subject, *body;
    /* ShowMessage */
    const char *title, *message;
} gl_task_action;

typedef struct gl_task {
    const char *encoding; /* "UTF-16LE", "UTF-16BE" or "UTF-8": what was read */
    const char *schema_version; /* Task/@version */
    /* RegistrationInfo */
    const char *author, *date, *uri, *description, *security_descriptor, *source, *version,
        *documentation;
    /* Principals */
    gl_task_principal *principals;
    size_t n_principals;
    /* Triggers */
    gl_task_trigger *triggers;
    size_t n_triggers;
    /* Settings: booleans are 0/1 or GL_TASK_UNSET */
    int enabled, hidden, run_only_if_idle, disallow_start_if_on_batteries, stop_if_going_on_batteries,
        allow_start_on_demand, start_when_available, run_only_if_network_available, wake_to_run,
        allow_hard_terminate, disallow_start_on_remote_app_session, use_unified_scheduling_engine;
    int priority; /* 0..10, or GL_TASK_UNSET */
    const char *execution_time_limit, *multiple_instances_policy, *delete_expired_task_after;
    /* Actions */
    const char *actions_context; /* Actions/@Context: a principal id */
    gl_task_action *actions;
    size_t n_actions;
    /* private: owns every string above */
    sxml_doc doc;
} gl_task;

/* Parse a task definition. Returns 0, or -1 with err naming the line and
 * column (or byte offset for encoding damage) and what was expected; the
 * task then holds what could be read before the damage. Always call
 * gl_task_free afterwards. limits NULL = sxml_default_limits. */
int gl_task_parse(gl_task *task, const uint8_t *data, size_t len, const sxml_limits *limits, gl_err *err);
void gl_task_free(gl_task *task);

/* The task's fields as JSON members of the object the caller has open:
 * encoding, schema_version, the RegistrationInfo strings (author, date,
 * uri, description, security_descriptor, source, version, documentation),
 * principals[], triggers[] (type, id, start_boundary, ..., enabled),
 * settings{} (enabled, hidden, ..., priority), actions_context and
 * actions[] (kind "exec"/"com_handler"/"send_email"/"show_message", id,
 * command, arguments, working_directory, class_id, data, ...). Elements
 * absent from the definition are absent keys. */
void gl_task_json(gl_json *j, const gl_task *t);

/* The principal that runs the actions (Actions/@Context, else the only or
 * first principal), or NULL. */
const gl_task_principal *gl_task_run_as(const gl_task *task);

#endif

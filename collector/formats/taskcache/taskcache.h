/* Binary values of the Task Scheduler cache in the SOFTWARE hive,
 * Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache (spec §6.2):
 * Tasks\{GUID}\Actions, \DynamicInfo, \Triggers and Tree\...\SD.
 *
 * None of these layouts is documented by Microsoft. Sources, by value:
 *   DynamicInfo: libyal winreg-kb "Task scheduler" (28/36-byte forms),
 *     EZ RegistryPlugins TaskCache.cs and G DATA winreg-tasks
 *     dynamic_info.ksy (field meanings).
 *   Actions, Triggers: G DATA winreg-tasks kaitai/actions.ksy,
 *     triggers.ksy, job_schedule.ksy, user_info.ksy, optional_settings.ksy
 *     (blog: cyber.wtf 2022-06-01 "Windows registry analysis - today's
 *     episode: Tasks"), agreeing with the structures GhostTask writes.
 *   SD: the self-relative SECURITY_DESCRIPTOR of MS-DTYP 2.4.6.
 *
 * Every decoder is a pure function of a byte buffer: it checks every
 * length against what is left, and on damage returns -1 with an error
 * naming the offset and what was expected while keeping what it decoded
 * before the damage. Always call the matching _free. */
#ifndef GL_TASKCACHE_H
#define GL_TASKCACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "json.h"

/* ---- Actions -------------------------------------------------------- */

enum {
    GL_TC_ACTION_EXEC = 0x6666,
    GL_TC_ACTION_COM_HANDLER = 0x7777,
    GL_TC_ACTION_SEND_EMAIL = 0x8888,
    GL_TC_ACTION_SHOW_MESSAGE = 0x9999,
};

typedef struct gl_tc_action {
    uint16_t magic; /* GL_TC_ACTION_* */
    char *id;
    /* exec */
    char *command, *arguments, *working_directory;
    bool has_flags; /* version 3 only */
    uint16_t flags;
    /* COM handler */
    char class_id[39]; /* "{XXXXXXXX-...}" */
    char *data;
    /* e-mail */
    char *from, *to, *cc, *bcc, *reply_to, *server, *subject, *body;
    char **attachments;
    size_t n_attachments;
    char **headers; /* "Name: Value" */
    size_t n_headers;
    /* message box */
    char *caption, *content;
} gl_tc_action;

typedef struct gl_tc_actions {
    uint16_t version; /* 1, 2 or 3 */
    char *context;    /* version 3: the principal id the actions run as */
    gl_tc_action *items;
    size_t n;
} gl_tc_actions;

int gl_tc_actions_decode(const uint8_t *p, size_t n, gl_tc_actions *out, gl_err *err);
void gl_tc_actions_free(gl_tc_actions *a);
/* "exec", "com_handler", "send_email", "show_message" or "unknown". */
const char *gl_tc_action_kind(uint16_t magic);

/* ---- DynamicInfo ---------------------------------------------------- */

typedef struct gl_tc_dynamic_info {
    size_t size;               /* 28 (Vista/7) or 36 (Windows 8 and later) */
    uint32_t version;          /* 3 on every system seen */
    uint64_t created;          /* FILETIME: registered / last updated */
    uint64_t last_run;         /* FILETIME: last start, 0 = never */
    uint32_t task_state;
    uint32_t last_action_result; /* HRESULT / exit code of the last run */
    bool has_last_completed;
    uint64_t last_completed;   /* FILETIME (36-byte form): last successful end */
} gl_tc_dynamic_info;

int gl_tc_dynamic_info_decode(const uint8_t *p, size_t n, gl_tc_dynamic_info *out, gl_err *err);

/* ---- Triggers ------------------------------------------------------- */

/* Job bucket flags (Settings and Principal of the task as the scheduler
 * compiled them; G DATA triggers.ksy job_bucket_flags). */
enum {
    GL_TC_RUN_ONLY_IF_IDLE = 0x2,
    GL_TC_DISALLOW_START_IF_ON_BATTERIES = 0x10,
    GL_TC_START_WHEN_AVAILABLE = 0x40,
    GL_TC_ALLOW_START_ON_DEMAND = 0x100,
    GL_TC_WAKE_TO_RUN = 0x200,
    GL_TC_LOGON_S4U = 0x4000,
    GL_TC_LOGON_INTERACTIVE_TOKEN = 0x10000,
    GL_TC_LOGON_PASSWORD = 0x40000,
    GL_TC_LOGON_INTERACTIVE_TOKEN_OR_PASSWORD = 0x80000,
    GL_TC_ENABLED = 0x400000,
    GL_TC_HIDDEN = 0x800000,
    GL_TC_RUN_LEVEL_HIGHEST = 0x1000000,
};

enum {
    GL_TC_TRIGGER_WNF = 0x6666,
    GL_TC_TRIGGER_SESSION = 0x7777,
    GL_TC_TRIGGER_REGISTRATION = 0x8888,
    GL_TC_TRIGGER_LOGON = 0xAAAA,
    GL_TC_TRIGGER_EVENT = 0xCCCC,
    GL_TC_TRIGGER_TIME = 0xDDDD,
    GL_TC_TRIGGER_IDLE = 0xEEEE,
    GL_TC_TRIGGER_BOOT = 0xFFFF,
};

typedef struct gl_tc_time {
    bool localized;    /* the FILETIME is local time, not UTC */
    uint64_t filetime; /* 0 = not set */
} gl_tc_time;

typedef struct gl_tc_user {
    bool present;
    uint32_t sid_type; /* SID_NAME_USE, 0 when no SID */
    char *sid;         /* "S-1-5-18", or NULL */
    char *name;        /* may be NULL or "" */
} gl_tc_user;

typedef struct gl_tc_trigger {
    uint32_t magic; /* GL_TC_TRIGGER_* */
    gl_tc_time start, end;
    uint32_t delay_seconds;
    uint32_t timeout_seconds; /* execution time limit of the trigger */
    uint32_t repetition_interval_seconds, repetition_duration_seconds;
    bool stop_at_duration_end, enabled;
    char *id;
    gl_tc_user user;       /* logon and session triggers */
    uint32_t state_change; /* session trigger: 1 console connect ... 6 unlock */
    char *subscription;    /* event trigger: the query */
    uint32_t schedule_mode; /* time trigger: 0 once, 1 daily, 2 weekly, 3/4 monthly */
} gl_tc_trigger;

typedef struct gl_tc_triggers {
    uint8_t version; /* 0x15 (Windows 8), 0x16, 0x17 (Windows 10 and later) */
    gl_tc_time start_boundary, end_boundary; /* earliest / latest of all triggers */
    bool has_bucket;
    uint32_t flags; /* GL_TC_* job bucket flags */
    uint32_t crc32; /* of the task XML */
    char *principal_id, *display_name;
    gl_tc_user user;
    bool has_settings;
    uint32_t idle_duration_seconds, idle_wait_timeout_seconds, execution_time_limit_seconds,
        delete_expired_task_after, priority, restart_on_failure_delay, restart_on_failure_retries;
    gl_tc_trigger *items;
    size_t n;
} gl_tc_triggers;

int gl_tc_triggers_decode(const uint8_t *p, size_t n, gl_tc_triggers *out, gl_err *err);
void gl_tc_triggers_free(gl_tc_triggers *t);
/* "LogonTrigger", "TimeTrigger", ... as in the XML schema; "unknown". */
const char *gl_tc_trigger_type(uint32_t magic);

/* ---- Tree\...\SD ---------------------------------------------------- */

typedef struct gl_tc_sd {
    uint8_t revision;
    uint16_t control;
    char *owner, *group; /* SID strings, or NULL */
    bool has_dacl, has_sacl;
    uint16_t dacl_aces; /* count in the DACL header */
} gl_tc_sd;

int gl_tc_sd_decode(const uint8_t *p, size_t n, gl_tc_sd *out, gl_err *err);
void gl_tc_sd_free(gl_tc_sd *sd);

/* ---- records ------------------------------------------------------- */

/* Each value as JSON members of the object the caller has open. Times are
 * ISO 8601 (seven digits); localized trigger times have no 'Z'. */
void gl_tc_actions_json(gl_json *j, const gl_tc_actions *a);     /* version, context, actions[] */
void gl_tc_dynamic_info_json(gl_json *j, const gl_tc_dynamic_info *d); /* created, last_run, ... */
void gl_tc_triggers_json(gl_json *j, const gl_tc_triggers *t);   /* flags, hidden, triggers[], ... */
void gl_tc_sd_json(gl_json *j, const gl_tc_sd *sd);              /* owner, group, dacl, dacl_aces */

#endif

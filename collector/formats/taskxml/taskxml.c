/* Task definition XML: transcoding to UTF-8, then the Task Scheduler
 * schema over the sxml tree. Element names follow the task schema
 * (learn.microsoft.com "Task Scheduler Schema"); spec §6.1. */
#include "taskxml.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "text.h"

/* ---- encoding ------------------------------------------------------- */

typedef enum { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE } encoding;

static encoding detect(const uint8_t *d, size_t n, size_t *skip)
{
    *skip = 0;
    if (n >= 2 && d[0] == 0xFF && d[1] == 0xFE)
        return *skip = 2, ENC_UTF16LE;
    if (n >= 2 && d[0] == 0xFE && d[1] == 0xFF)
        return *skip = 2, ENC_UTF16BE;
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        return *skip = 3, ENC_UTF8;
    /* No BOM: the first character of any XML document is ASCII. */
    if (n >= 2 && d[0] != 0 && d[1] == 0)
        return ENC_UTF16LE;
    if (n >= 2 && d[0] == 0 && d[1] != 0)
        return ENC_UTF16BE;
    return ENC_UTF8;
}

/* UTF-16 to UTF-8. Damage (odd length, unpaired surrogate) is reported
 * with its byte offset; an unpaired surrogate becomes U+FFFD so the rest
 * still parses, a trailing odd byte is dropped. Returns 0 or -1. */
static int utf16_to_utf8(gl_buf *out, const uint8_t *d, size_t n, size_t base, bool be, gl_err *err)
{
    int rc = 0;
    size_t even = n & ~(size_t)1;
    gl_buf_reserve(out, even + even / 2);
    for (size_t i = 0; i < even; i += 2) {
        uint32_t u = be ? (uint32_t)(d[i] << 8 | d[i + 1]) : gl_le16(d + i);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < even) {
            uint32_t lo = be ? (uint32_t)(d[i + 2] << 8 | d[i + 3]) : gl_le16(d + i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                gl_utf8_put(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            if (rc == 0)
                rc = gl_err_setc(err, GL_ERR_DAMAGED, "offset 0x%zx: unpaired UTF-16 surrogate 0x%04X", base + i, (unsigned)u);
            u = 0xFFFD;
        }
        gl_utf8_put(out, u);
    }
    if (n != even && rc == 0)
        rc = gl_err_setc(err, GL_ERR_DAMAGED, "offset 0x%zx: truncated UTF-16: odd trailing byte", base + even);
    return rc;
}

/* ---- schema --------------------------------------------------------- */

static bool xml_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Typed values ignore surrounding whitespace (xs:boolean, xs:int). */
static size_t trimmed(const char *s, const char **start)
{
    while (*s && xml_ws(*s))
        s++;
    size_t n = strlen(s);
    while (n && xml_ws(s[n - 1]))
        n--;
    *start = s;
    return n;
}

static int to_bool(const char *s)
{
    if (!s)
        return GL_TASK_UNSET;
    const char *t;
    size_t n = trimmed(s, &t);
    if ((n == 4 && memcmp(t, "true", 4) == 0) || (n == 1 && *t == '1'))
        return 1;
    if ((n == 5 && memcmp(t, "false", 5) == 0) || (n == 1 && *t == '0'))
        return 0;
    return GL_TASK_UNSET;
}

static int to_small_int(const char *s, int max)
{
    if (!s)
        return GL_TASK_UNSET;
    const char *t;
    size_t n = trimmed(s, &t);
    if (n == 0 || n > 2)
        return GL_TASK_UNSET;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return GL_TASK_UNSET;
        v = v * 10 + (t[i] - '0');
    }
    return v <= max ? v : GL_TASK_UNSET;
}

/* Count element children (optionally by name) for sizing arrays. */
static size_t count_children(const sxml_doc *doc, uint32_t node, const char *local)
{
    size_t n = 0;
    for (uint32_t c = sxml_child(doc, node, local); c != SXML_NONE; c = sxml_next(doc, c, local))
        n++;
    return n;
}

/* Schema element -> struct member, so each reader is a table. */
typedef struct field {
    const char *element;
    const char *key; /* in records (gl_task_json) */
    size_t offset;
} field;
#define FIELDS(a) a, sizeof a / sizeof a[0]

static void fill_strings(const sxml_doc *doc, uint32_t node, void *base, const field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *(const char **)((char *)base + f[i].offset) = sxml_child_text(doc, node, f[i].element);
}

static void fill_bools(const sxml_doc *doc, uint32_t node, void *base, const field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *(int *)((char *)base + f[i].offset) = to_bool(sxml_child_text(doc, node, f[i].element));
}

static const field registration_fields[] = {
    {"Author", "author", offsetof(gl_task, author)},
    {"Date", "date", offsetof(gl_task, date)},
    {"URI", "uri", offsetof(gl_task, uri)},
    {"Description", "description", offsetof(gl_task, description)},
    {"SecurityDescriptor", "security_descriptor", offsetof(gl_task, security_descriptor)},
    {"Source", "source", offsetof(gl_task, source)},
    {"Version", "version", offsetof(gl_task, version)},
    {"Documentation", "documentation", offsetof(gl_task, documentation)},
};

static const field principal_fields[] = {
    {"UserId", "user_id", offsetof(gl_task_principal, user_id)},
    {"GroupId", "group_id", offsetof(gl_task_principal, group_id)},
    {"LogonType", "logon_type", offsetof(gl_task_principal, logon_type)},
    {"RunLevel", "run_level", offsetof(gl_task_principal, run_level)},
    {"DisplayName", "display_name", offsetof(gl_task_principal, display_name)},
};

static const field trigger_fields[] = {
    {"StartBoundary", "start_boundary", offsetof(gl_task_trigger, start_boundary)},
    {"EndBoundary", "end_boundary", offsetof(gl_task_trigger, end_boundary)},
    {"Delay", "delay", offsetof(gl_task_trigger, delay)},
    {"RandomDelay", "random_delay", offsetof(gl_task_trigger, random_delay)},
    {"ExecutionTimeLimit", "execution_time_limit", offsetof(gl_task_trigger, execution_time_limit)},
    {"UserId", "user_id", offsetof(gl_task_trigger, user_id)},
    {"StateChange", "state_change", offsetof(gl_task_trigger, state_change)},
    {"Subscription", "subscription", offsetof(gl_task_trigger, subscription)},
};

static const field settings_bools[] = {
    {"Enabled", "enabled", offsetof(gl_task, enabled)},
    {"Hidden", "hidden", offsetof(gl_task, hidden)},
    {"RunOnlyIfIdle", "run_only_if_idle", offsetof(gl_task, run_only_if_idle)},
    {"DisallowStartIfOnBatteries", "disallow_start_if_on_batteries", offsetof(gl_task, disallow_start_if_on_batteries)},
    {"StopIfGoingOnBatteries", "stop_if_going_on_batteries", offsetof(gl_task, stop_if_going_on_batteries)},
    {"AllowStartOnDemand", "allow_start_on_demand", offsetof(gl_task, allow_start_on_demand)},
    {"StartWhenAvailable", "start_when_available", offsetof(gl_task, start_when_available)},
    {"RunOnlyIfNetworkAvailable", "run_only_if_network_available", offsetof(gl_task, run_only_if_network_available)},
    {"WakeToRun", "wake_to_run", offsetof(gl_task, wake_to_run)},
    {"AllowHardTerminate", "allow_hard_terminate", offsetof(gl_task, allow_hard_terminate)},
    {"DisallowStartOnRemoteAppSession", "disallow_start_on_remote_app_session", offsetof(gl_task, disallow_start_on_remote_app_session)},
    {"UseUnifiedSchedulingEngine", "use_unified_scheduling_engine", offsetof(gl_task, use_unified_scheduling_engine)},
};

static const field settings_strings[] = {
    {"ExecutionTimeLimit", "execution_time_limit", offsetof(gl_task, execution_time_limit)},
    {"MultipleInstancesPolicy", "multiple_instances_policy", offsetof(gl_task, multiple_instances_policy)},
    {"DeleteExpiredTaskAfter", "delete_expired_task_after", offsetof(gl_task, delete_expired_task_after)},
};

static const field exec_fields[] = {
    {"Command", "command", offsetof(gl_task_action, command)},
    {"Arguments", "arguments", offsetof(gl_task_action, arguments)},
    {"WorkingDirectory", "working_directory", offsetof(gl_task_action, working_directory)},
};
static const field com_fields[] = {
    {"ClassId", "class_id", offsetof(gl_task_action, class_id)},
    {"Data", "data", offsetof(gl_task_action, data)},
};
static const field email_fields[] = {
    {"Server", "server", offsetof(gl_task_action, server)}, {"From", "from", offsetof(gl_task_action, from)},
    {"To", "to", offsetof(gl_task_action, to)},         {"Subject", "subject", offsetof(gl_task_action, subject)},
    {"Body", "body", offsetof(gl_task_action, body)},
};
static const field message_fields[] = {
    {"Title", "title", offsetof(gl_task_action, title)},
    {"Body", "message", offsetof(gl_task_action, message)},
};

static void read_principals(gl_task *t, uint32_t ps)
{
    const sxml_doc *doc = &t->doc;
    size_t n = count_children(doc, ps, "Principal");
    if (!n)
        return;
    t->principals = gl_xcalloc(n, sizeof *t->principals);
    for (uint32_t c = sxml_child(doc, ps, "Principal"); c != SXML_NONE; c = sxml_next(doc, c, "Principal")) {
        gl_task_principal *p = &t->principals[t->n_principals++];
        p->id = sxml_attr_value(doc, c, "id");
        fill_strings(doc, c, p, FIELDS(principal_fields));
    }
}

static void read_trigger(const sxml_doc *doc, uint32_t c, gl_task_trigger *tr)
{
    tr->type = doc->nodes[c].local;
    tr->id = sxml_attr_value(doc, c, "id");
    fill_strings(doc, c, tr, FIELDS(trigger_fields));
    tr->enabled = to_bool(sxml_child_text(doc, c, "Enabled"));
    uint32_t rep = sxml_child(doc, c, "Repetition");
    tr->repetition_interval = sxml_child_text(doc, rep, "Interval");
    tr->repetition_duration = sxml_child_text(doc, rep, "Duration");
    tr->repetition_stop_at_duration_end = to_bool(sxml_child_text(doc, rep, "StopAtDurationEnd"));
}

static void read_triggers(gl_task *t, uint32_t ts)
{
    const sxml_doc *doc = &t->doc;
    size_t n = count_children(doc, ts, NULL);
    if (!n)
        return;
    t->triggers = gl_xcalloc(n, sizeof *t->triggers);
    for (uint32_t c = sxml_child(doc, ts, NULL); c != SXML_NONE; c = sxml_next(doc, c, NULL))
        read_trigger(doc, c, &t->triggers[t->n_triggers++]);
}

static void read_settings(gl_task *t, uint32_t s)
{
    fill_bools(&t->doc, s, t, FIELDS(settings_bools));
    fill_strings(&t->doc, s, t, FIELDS(settings_strings));
    t->priority = to_small_int(sxml_child_text(&t->doc, s, "Priority"), 10);
}

static const struct action_kind {
    const char *element, *key;
    gl_task_action_kind kind;
    const field *fields;
    size_t n;
} action_kinds[] = {
    {"Exec", "exec", GL_TASK_EXEC, FIELDS(exec_fields)},
    {"ComHandler", "com_handler", GL_TASK_COM_HANDLER, FIELDS(com_fields)},
    {"SendEmail", "send_email", GL_TASK_SEND_EMAIL, FIELDS(email_fields)},
    {"ShowMessage", "show_message", GL_TASK_SHOW_MESSAGE, FIELDS(message_fields)},
};

static bool read_action(const sxml_doc *doc, uint32_t c, gl_task_action *a)
{
    for (size_t i = 0; i < sizeof action_kinds / sizeof action_kinds[0]; i++)
        if (strcmp(doc->nodes[c].local, action_kinds[i].element) == 0) {
            a->kind = action_kinds[i].kind;
            a->id = sxml_attr_value(doc, c, "id");
            fill_strings(doc, c, a, action_kinds[i].fields, action_kinds[i].n);
            return true;
        }
    return false; /* not an action of the schema */
}

static void read_actions(gl_task *t, uint32_t as)
{
    const sxml_doc *doc = &t->doc;
    t->actions_context = sxml_attr_value(doc, as, "Context");
    size_t n = count_children(doc, as, NULL);
    if (!n)
        return;
    t->actions = gl_xcalloc(n, sizeof *t->actions);
    for (uint32_t c = sxml_child(doc, as, NULL); c != SXML_NONE; c = sxml_next(doc, c, NULL))
        if (read_action(doc, c, &t->actions[t->n_actions]))
            t->n_actions++;
}

static void read_task(gl_task *t)
{
    const sxml_doc *doc = &t->doc;
    t->schema_version = sxml_attr_value(doc, 0, "version");
    uint32_t c;
    if ((c = sxml_child(doc, 0, "RegistrationInfo")) != SXML_NONE)
        fill_strings(doc, c, t, FIELDS(registration_fields));
    if ((c = sxml_child(doc, 0, "Principals")) != SXML_NONE)
        read_principals(t, c);
    if ((c = sxml_child(doc, 0, "Triggers")) != SXML_NONE)
        read_triggers(t, c);
    if ((c = sxml_child(doc, 0, "Settings")) != SXML_NONE)
        read_settings(t, c);
    if ((c = sxml_child(doc, 0, "Actions")) != SXML_NONE)
        read_actions(t, c);
}

static void init_unset(gl_task *t)
{
    for (size_t i = 0; i < sizeof settings_bools / sizeof settings_bools[0]; i++)
        *(int *)((char *)t + settings_bools[i].offset) = GL_TASK_UNSET;
    t->priority = GL_TASK_UNSET;
}

int gl_task_parse(gl_task *task, const uint8_t *data, size_t len, const sxml_limits *limits, gl_err *err)
{
    memset(task, 0, sizeof *task);
    init_unset(task);
    const sxml_limits *lim = limits ? limits : &sxml_default_limits;
    if (len > lim->max_bytes)
        return gl_err_setc(err, GL_ERR_LIMIT, "task definition of %zu bytes exceeds the %zu-byte limit", len, lim->max_bytes);
    size_t skip;
    encoding enc = detect(data, len, &skip);
    task->encoding = enc == ENC_UTF8 ? "UTF-8" : enc == ENC_UTF16LE ? "UTF-16LE" : "UTF-16BE";
    gl_err enc_err, xml_err;
    memset(&enc_err, 0, sizeof enc_err);
    memset(&xml_err, 0, sizeof xml_err);
    int enc_rc = 0;
    gl_buf utf8 = {0};
    const char *text = (const char *)data + skip;
    size_t text_len = len - skip;
    if (enc != ENC_UTF8) {
        enc_rc = utf16_to_utf8(&utf8, data + skip, len - skip, skip, enc == ENC_UTF16BE, &enc_err);
        text = utf8.data ? utf8.data : "";
        text_len = utf8.len;
    }
    int xml_rc = sxml_parse(&task->doc, text, text_len, lim, &xml_err);
    gl_buf_free(&utf8);
    int rc = 0;
    if (task->doc.n_nodes == 0 || strcmp(task->doc.nodes[0].local, "Task") != 0) {
        if (xml_rc == 0)
            xml_rc = gl_err_setc(&xml_err, GL_ERR_DAMAGED, "line %u: expected the root element <Task>, found <%s>",
                                task->doc.n_nodes ? (unsigned)task->doc.nodes[0].line : 1u,
                                task->doc.n_nodes ? task->doc.nodes[0].name : "");
    } else {
        read_task(task);
    }
    if (enc_rc < 0 && xml_rc < 0)
        rc = gl_err_setc(err, xml_err.code, "%s; then %s", enc_err.msg, xml_err.msg);
    else if (enc_rc < 0)
        rc = gl_err_setc(err, enc_err.code, "%s", enc_err.msg);
    else if (xml_rc < 0)
        rc = gl_err_setc(err, xml_err.code, "%s", xml_err.msg);
    return rc;
}

void gl_task_free(gl_task *task)
{
    free(task->principals);
    free(task->triggers);
    free(task->actions);
    sxml_free(&task->doc);
    memset(task, 0, sizeof *task);
}

const gl_task_principal *gl_task_run_as(const gl_task *task)
{
    if (task->n_principals == 0)
        return NULL;
    if (task->actions_context)
        for (size_t i = 0; i < task->n_principals; i++)
            if (task->principals[i].id && strcmp(task->principals[i].id, task->actions_context) == 0)
                return &task->principals[i];
    return &task->principals[0];
}

/* ---- records ------------------------------------------------------------ */

/* Present values only: an absent element is no key, so a reader can tell
 * "not in the definition" from "false" or "". */
static void json_strings(gl_json *j, const void *base, const field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = *(const char *const *)((const char *)base + f[i].offset);
        if (v)
            gl_json_kv_str(j, f[i].key, v);
    }
}

static void json_bools(gl_json *j, const void *base, const field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int v = *(const int *)((const char *)base + f[i].offset);
        if (v != GL_TASK_UNSET)
            gl_json_kv_bool(j, f[i].key, v != 0);
    }
}

static void json_opt(gl_json *j, const char *key, const char *v)
{
    if (v)
        gl_json_kv_str(j, key, v);
}

static void json_trigger(gl_json *j, const gl_task_trigger *tr)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "type", tr->type);
    json_opt(j, "id", tr->id);
    json_strings(j, tr, FIELDS(trigger_fields));
    if (tr->enabled != GL_TASK_UNSET)
        gl_json_kv_bool(j, "enabled", tr->enabled != 0);
    json_opt(j, "repetition_interval", tr->repetition_interval);
    json_opt(j, "repetition_duration", tr->repetition_duration);
    if (tr->repetition_stop_at_duration_end != GL_TASK_UNSET)
        gl_json_kv_bool(j, "repetition_stop_at_duration_end", tr->repetition_stop_at_duration_end != 0);
    gl_json_obj_end(j);
}

static void json_action(gl_json *j, const gl_task_action *a)
{
    const struct action_kind *k = &action_kinds[0];
    for (size_t i = 0; i < sizeof action_kinds / sizeof action_kinds[0]; i++)
        if (action_kinds[i].kind == a->kind)
            k = &action_kinds[i];
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "kind", k->key);
    json_opt(j, "id", a->id);
    json_strings(j, a, k->fields, k->n);
    gl_json_obj_end(j);
}

void gl_task_json(gl_json *j, const gl_task *t)
{
    gl_json_kv_str(j, "encoding", t->encoding);
    json_opt(j, "schema_version", t->schema_version);
    json_strings(j, t, FIELDS(registration_fields));
    gl_json_key(j, "principals");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < t->n_principals; i++) {
        gl_json_obj_begin(j);
        json_opt(j, "id", t->principals[i].id);
        json_strings(j, &t->principals[i], FIELDS(principal_fields));
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
    gl_json_key(j, "triggers");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < t->n_triggers; i++)
        json_trigger(j, &t->triggers[i]);
    gl_json_arr_end(j);
    gl_json_key(j, "settings");
    gl_json_obj_begin(j);
    json_bools(j, t, FIELDS(settings_bools));
    json_strings(j, t, FIELDS(settings_strings));
    if (t->priority != GL_TASK_UNSET)
        gl_json_kv_int(j, "priority", t->priority);
    gl_json_obj_end(j);
    json_opt(j, "actions_context", t->actions_context);
    gl_json_key(j, "actions");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < t->n_actions; i++)
        json_action(j, &t->actions[i]);
    gl_json_arr_end(j);
}

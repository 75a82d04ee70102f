/* TaskCache values as JSON members (records of the tasks module). Times
 * are ISO 8601 with all seven FILETIME digits; trigger times stored as
 * local time carry no 'Z', since their zone is not in the value. */
#include <stdio.h>

#include "json.h"
#include "taskcache.h"
#include "text.h"

static void json_filetime(gl_json *j, const char *key, uint64_t ft, bool local)
{
    char iso[GL_TIME_STRLEN];
    if (!gl_filetime_iso(ft, 7, iso))
        return; /* 0: never / not set */
    if (local) {
        size_t n = strlen(iso);
        if (n && iso[n - 1] == 'Z')
            iso[n - 1] = '\0';
    }
    gl_json_kv_str(j, key, iso);
}

static void json_hex32(gl_json *j, const char *key, uint32_t v)
{
    char hex[16];
    snprintf(hex, sizeof hex, "0x%08X", (unsigned)v);
    gl_json_kv_str(j, key, hex);
}

static void json_opt(gl_json *j, const char *key, const char *v)
{
    if (v)
        gl_json_kv_str(j, key, v);
}

static void json_action(gl_json *j, const gl_tc_action *a)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "kind", gl_tc_action_kind(a->magic));
    json_opt(j, "id", a->id);
    json_opt(j, "command", a->command);
    json_opt(j, "arguments", a->arguments);
    json_opt(j, "working_directory", a->working_directory);
    if (a->has_flags)
        gl_json_kv_uint(j, "flags", a->flags);
    if (a->magic == GL_TC_ACTION_COM_HANDLER)
        gl_json_kv_str(j, "class_id", a->class_id);
    json_opt(j, "data", a->data);
    const char *email[][2] = {{"from", a->from},       {"to", a->to},         {"cc", a->cc},
                              {"bcc", a->bcc},         {"reply_to", a->reply_to}, {"server", a->server},
                              {"subject", a->subject}, {"body", a->body},     {"caption", a->caption},
                              {"content", a->content}};
    for (size_t i = 0; i < sizeof email / sizeof email[0]; i++)
        json_opt(j, email[i][0], email[i][1]);
    if (a->magic == GL_TC_ACTION_SEND_EMAIL) {
        gl_json_key(j, "attachments");
        gl_json_arr_begin(j);
        for (size_t i = 0; i < a->n_attachments; i++)
            gl_json_str(j, a->attachments[i]);
        gl_json_arr_end(j);
        gl_json_key(j, "headers");
        gl_json_arr_begin(j);
        for (size_t i = 0; i < a->n_headers; i++)
            gl_json_str(j, a->headers[i]);
        gl_json_arr_end(j);
    }
    gl_json_obj_end(j);
}

void gl_tc_actions_json(gl_json *j, const gl_tc_actions *a)
{
    gl_json_kv_uint(j, "version", a->version);
    json_opt(j, "context", a->context);
    gl_json_key(j, "actions");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < a->n; i++)
        json_action(j, &a->items[i]);
    gl_json_arr_end(j);
}

void gl_tc_dynamic_info_json(gl_json *j, const gl_tc_dynamic_info *d)
{
    gl_json_kv_uint(j, "size", d->size);
    json_filetime(j, "created", d->created, false);
    json_filetime(j, "last_run", d->last_run, false);
    if (d->has_last_completed)
        json_filetime(j, "last_completed", d->last_completed, false);
    gl_json_kv_uint(j, "task_state", d->task_state);
    json_hex32(j, "last_action_result", d->last_action_result);
}

static void json_user(gl_json *j, const char *key, const gl_tc_user *u)
{
    if (!u->present)
        return;
    gl_json_key(j, key);
    gl_json_obj_begin(j);
    json_opt(j, "sid", u->sid);
    json_opt(j, "name", u->name);
    gl_json_obj_end(j);
}

static void json_trigger(gl_json *j, const gl_tc_trigger *t)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "type", gl_tc_trigger_type(t->magic));
    json_opt(j, "id", t->id);
    json_filetime(j, "start", t->start.filetime, t->start.localized);
    json_filetime(j, "end", t->end.filetime, t->end.localized);
    gl_json_kv_bool(j, "enabled", t->enabled);
    gl_json_kv_uint(j, "delay_seconds", t->delay_seconds);
    gl_json_kv_uint(j, "timeout_seconds", t->timeout_seconds);
    gl_json_kv_uint(j, "repetition_interval_seconds", t->repetition_interval_seconds);
    gl_json_kv_uint(j, "repetition_duration_seconds", t->repetition_duration_seconds);
    if (t->magic == GL_TC_TRIGGER_SESSION)
        gl_json_kv_uint(j, "state_change", t->state_change);
    if (t->magic == GL_TC_TRIGGER_TIME)
        gl_json_kv_uint(j, "schedule_mode", t->schedule_mode);
    json_opt(j, "subscription", t->subscription);
    json_user(j, "user", &t->user);
    gl_json_obj_end(j);
}

void gl_tc_triggers_json(gl_json *j, const gl_tc_triggers *t)
{
    gl_json_kv_uint(j, "version", t->version);
    json_filetime(j, "start_boundary", t->start_boundary.filetime, t->start_boundary.localized);
    json_filetime(j, "end_boundary", t->end_boundary.filetime, t->end_boundary.localized);
    if (t->has_bucket) {
        json_hex32(j, "flags", t->flags);
        gl_json_kv_bool(j, "enabled", (t->flags & GL_TC_ENABLED) != 0);
        gl_json_kv_bool(j, "hidden", (t->flags & GL_TC_HIDDEN) != 0);
        gl_json_kv_bool(j, "run_level_highest", (t->flags & GL_TC_RUN_LEVEL_HIGHEST) != 0);
        json_hex32(j, "xml_crc32", t->crc32);
    }
    json_opt(j, "principal_id", t->principal_id);
    json_opt(j, "display_name", t->display_name);
    json_user(j, "user", &t->user);
    if (t->has_settings) {
        gl_json_kv_uint(j, "execution_time_limit_seconds", t->execution_time_limit_seconds);
        gl_json_kv_uint(j, "priority", t->priority);
    }
    gl_json_key(j, "triggers");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < t->n; i++)
        json_trigger(j, &t->items[i]);
    gl_json_arr_end(j);
}

void gl_tc_sd_json(gl_json *j, const gl_tc_sd *sd)
{
    json_opt(j, "owner", sd->owner);
    json_opt(j, "group", sd->group);
    gl_json_kv_bool(j, "dacl", sd->has_dacl);
    if (sd->has_dacl)
        gl_json_kv_uint(j, "dacl_aces", sd->dacl_aces);
}

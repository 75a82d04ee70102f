/* .JOB files: MS-TSCH 2.4.1 FIXDLEN_DATA (68 bytes) and 2.4.2 variable-
 * length section: running instance count, then five strings (u16 count of
 * UTF-16 characters including the NUL, then the characters), user data and
 * reserved data (u16 size + bytes), the trigger count and 48-byte
 * triggers (2.4.2.11), and an optional signature that is not read. */
#include "taskjob.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

#define FIXDLEN_SIZE 68
#define TRIGGER_SIZE 48

typedef struct cur {
    const uint8_t *p;
    size_t n, pos;
    gl_err *err;
} cur;

static int fail(cur *c, size_t at, const char *fmt, ...) GL_PRINTF(3, 4);
static int fail(cur *c, size_t at, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return gl_err_setc(c->err, GL_ERR_DAMAGED, "job: offset 0x%zx: %s", at, what);
}

static int u16_at(cur *c, const char *what, uint16_t *v)
{
    if (c->n - c->pos < 2)
        return fail(c, c->pos, "%s: expected 2 bytes, only %zu left", what, c->n - c->pos);
    *v = gl_le16(c->p + c->pos);
    c->pos += 2;
    return 0;
}

/* u16 character count (NUL included), then the characters. */
static int read_string(cur *c, const char *what, char **out)
{
    uint16_t chars = 0;
    size_t at = c->pos;
    if (u16_at(c, what, &chars) < 0)
        return -1;
    size_t bytes = (size_t)chars * 2;
    if (bytes > c->n - c->pos)
        return fail(c, at, "%s: %u characters do not fit the %zu bytes left", what, chars, c->n - c->pos);
    gl_buf b = {0};
    gl_utf16le_to_utf8(&b, c->p + c->pos, bytes, true);
    gl_buf_append(&b, "", 0);
    *out = b.data;
    c->pos += bytes;
    return 0;
}

static int skip_sized(cur *c, const char *what)
{
    uint16_t size = 0;
    size_t at = c->pos;
    if (u16_at(c, what, &size) < 0)
        return -1;
    if (size > c->n - c->pos)
        return fail(c, at, "%s: %u bytes do not fit the %zu left", what, size, c->n - c->pos);
    c->pos += size;
    return 0;
}

static void read_fixed(const uint8_t *p, gl_job *job)
{
    job->product_version = gl_le16(p);
    job->file_version = gl_le16(p + 2);
    gl_guid_format(job->uuid, p + 4);
    job->error_retry_count = gl_le16(p + 24);
    job->error_retry_interval = gl_le16(p + 26);
    job->idle_deadline = gl_le16(p + 28);
    job->idle_wait = gl_le16(p + 30);
    job->priority = gl_le32(p + 32);
    job->max_run_time_ms = gl_le32(p + 36);
    job->exit_code = gl_le32(p + 40);
    job->status = gl_le32(p + 44);
    job->flags = gl_le32(p + 48);
    uint16_t *st[] = {&job->last_run.year, &job->last_run.month, &job->last_run.weekday, &job->last_run.day,
                      &job->last_run.hour, &job->last_run.minute, &job->last_run.second, &job->last_run.ms};
    for (size_t i = 0; i < 8; i++)
        *st[i] = gl_le16(p + 52 + 2 * i);
}

static void read_trigger(const uint8_t *t, gl_job_trigger *tr)
{
    uint16_t *w[] = {&tr->begin_year, &tr->begin_month, &tr->begin_day, &tr->end_year,
                     &tr->end_month,  &tr->end_day,     &tr->start_hour, &tr->start_minute};
    for (size_t i = 0; i < 8; i++)
        *w[i] = gl_le16(t + 4 + 2 * i);
    tr->minutes_duration = gl_le32(t + 20);
    tr->minutes_interval = gl_le32(t + 24);
    tr->flags = gl_le32(t + 28);
    tr->type = gl_le32(t + 32);
    for (size_t i = 0; i < 3; i++)
        tr->specific[i] = gl_le16(t + 36 + 2 * i);
}

static int read_triggers(cur *c, uint16_t trigger_offset, gl_job *job)
{
    /* The header says where the trigger count is; it must be where the
     * variable section put us, or one of the two is lying. */
    if (trigger_offset != c->pos)
        return fail(c, 22, "trigger offset 0x%x: expected 0x%zx, where the variable-length data ends",
                    trigger_offset, c->pos);
    uint16_t count = 0;
    size_t at = c->pos;
    if (u16_at(c, "trigger count", &count) < 0)
        return -1;
    if (count > GL_JOB_MAX_TRIGGERS)
        return fail(c, at, "trigger count %u: expected at most %d", count, GL_JOB_MAX_TRIGGERS);
    for (uint16_t i = 0; i < count; i++) {
        if (c->n - c->pos < TRIGGER_SIZE)
            return fail(c, c->pos, "trigger %u: expected %d bytes, only %zu left", i, TRIGGER_SIZE, c->n - c->pos);
        uint16_t size = gl_le16(c->p + c->pos);
        if (size != TRIGGER_SIZE)
            return fail(c, c->pos, "trigger %u: size %u, expected %d", i, size, TRIGGER_SIZE);
        read_trigger(c->p + c->pos, &job->triggers[job->n_triggers++]);
        c->pos += TRIGGER_SIZE;
    }
    return 0;
}

int gl_job_parse(gl_job *job, const uint8_t *p, size_t n, gl_err *err)
{
    memset(job, 0, sizeof *job);
    cur c = {.p = p, .n = n, .err = err};
    if (n < FIXDLEN_SIZE + 2)
        return fail(&c, 0, "%zu bytes: expected at least %d (FIXDLEN_DATA and the instance count)", n,
                    FIXDLEN_SIZE + 2);
    read_fixed(p, job);
    if (job->file_version != 1)
        return fail(&c, 2, "file version %u: expected 1", job->file_version);
    uint16_t name_offset = gl_le16(p + 20), trigger_offset = gl_le16(p + 22);
    c.pos = FIXDLEN_SIZE;
    if (u16_at(&c, "running instance count", &job->running_instances) < 0)
        return -1;
    if (name_offset != c.pos)
        return fail(&c, 20, "application name offset 0x%x: expected 0x%zx", name_offset, c.pos);
    if (read_string(&c, "application name", &job->application) < 0 ||
        read_string(&c, "parameters", &job->parameters) < 0 ||
        read_string(&c, "working directory", &job->working_directory) < 0 ||
        read_string(&c, "author", &job->author) < 0 || read_string(&c, "comment", &job->comment) < 0 ||
        skip_sized(&c, "user data") < 0 || skip_sized(&c, "reserved data") < 0)
        return -1;
    return read_triggers(&c, trigger_offset, job);
}

void gl_job_free(gl_job *job)
{
    free(job->application);
    free(job->parameters);
    free(job->working_directory);
    free(job->author);
    free(job->comment);
    memset(job, 0, sizeof *job);
}

const char *gl_job_trigger_type(uint32_t type)
{
    static const char *const names[] = {"once",         "daily", "weekly",     "monthly_date",
                                        "monthly_dow",  "idle",  "at_startup", "at_logon"};
    return type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}

static void json_date(gl_json *j, const char *key, uint16_t y, uint16_t m, uint16_t d)
{
    if (!y)
        return;
    char s[16];
    snprintf(s, sizeof s, "%04u-%02u-%02u", y % 10000u, m % 100u, d % 100u);
    gl_json_kv_str(j, key, s);
}

void gl_job_json(gl_json *j, const gl_job *job)
{
    gl_json_kv_str(j, "uuid", job->uuid);
    const char *strings[][2] = {{"application", job->application}, {"parameters", job->parameters},
                                {"working_directory", job->working_directory}, {"author", job->author},
                                {"comment", job->comment}};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (strings[i][1])
            gl_json_kv_str(j, strings[i][0], strings[i][1]);
    char hex[16];
    snprintf(hex, sizeof hex, "0x%08X", (unsigned)job->flags);
    gl_json_kv_str(j, "flags", hex);
    gl_json_kv_bool(j, "disabled", (job->flags & GL_JOB_DISABLED) != 0);
    gl_json_kv_bool(j, "hidden", (job->flags & GL_JOB_HIDDEN) != 0);
    snprintf(hex, sizeof hex, "0x%08X", (unsigned)job->status);
    gl_json_kv_str(j, "status", hex);
    gl_json_kv_uint(j, "exit_code", job->exit_code);
    if (job->last_run.year) {
        const gl_job_systime *t = &job->last_run;
        char s[32];
        snprintf(s, sizeof s, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", t->year % 10000u, t->month % 100u,
                 t->day % 100u, t->hour % 100u, t->minute % 100u, t->second % 100u, t->ms % 1000u);
        gl_json_kv_str(j, "last_run", s);
    }
    gl_json_key(j, "triggers");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < job->n_triggers; i++) {
        const gl_job_trigger *tr = &job->triggers[i];
        gl_json_obj_begin(j);
        gl_json_kv_str(j, "type", gl_job_trigger_type(tr->type));
        json_date(j, "begin", tr->begin_year, tr->begin_month, tr->begin_day);
        json_date(j, "end", tr->end_year, tr->end_month, tr->end_day);
        char s[8];
        snprintf(s, sizeof s, "%02u:%02u", tr->start_hour % 100u, tr->start_minute % 100u);
        gl_json_kv_str(j, "start", s);
        gl_json_kv_uint(j, "minutes_interval", tr->minutes_interval);
        gl_json_kv_uint(j, "minutes_duration", tr->minutes_duration);
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
}

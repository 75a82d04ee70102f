/* Legacy Task Scheduler 1.0 .JOB files (Windows\Tasks\*.job, written by
 * at.exe, the SASec/ATSvc RPC interfaces and old management tools): the
 * fixed-length FIXDLEN_DATA header and the variable-length section of
 * MS-TSCH 2.4 (application, parameters, working directory, author,
 * comment, triggers). Bytes in, a gl_job out; damage gives what was read
 * before it and an error naming the offset and what was expected. */
#ifndef GL_TASKJOB_H
#define GL_TASKJOB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "json.h"

/* Work item flags (mstask.h TASK_FLAG_*), as stored in the Flags field. */
enum {
    GL_JOB_INTERACTIVE = 0x1,
    GL_JOB_DELETE_WHEN_DONE = 0x2,
    GL_JOB_DISABLED = 0x4,
    GL_JOB_HIDDEN = 0x200,
    GL_JOB_RUN_ONLY_IF_LOGGED_ON = 0x2000,
};

typedef struct gl_job_systime { /* SYSTEMTIME, local time of the host */
    uint16_t year, month, weekday, day, hour, minute, second, ms;
} gl_job_systime;

typedef struct gl_job_trigger {
    uint16_t begin_year, begin_month, begin_day, end_year, end_month, end_day;
    uint16_t start_hour, start_minute;
    uint32_t minutes_duration, minutes_interval, flags;
    uint32_t type; /* 0 once, 1 daily, 2 weekly, 3 monthly date, 4 monthly dow, 5 idle, 6 at startup, 7 at logon */
    uint16_t specific[3];
} gl_job_trigger;

#define GL_JOB_MAX_TRIGGERS 64

typedef struct gl_job {
    uint16_t product_version, file_version;
    char uuid[39];
    uint16_t error_retry_count, error_retry_interval, idle_deadline, idle_wait;
    uint32_t priority, max_run_time_ms, exit_code, status, flags;
    gl_job_systime last_run; /* all zero: never ran */
    uint16_t running_instances;
    char *application, *parameters, *working_directory, *author, *comment; /* NULL when not reached */
    gl_job_trigger triggers[GL_JOB_MAX_TRIGGERS];
    size_t n_triggers;
} gl_job;

int gl_job_parse(gl_job *job, const uint8_t *p, size_t n, gl_err *err);
void gl_job_free(gl_job *job);
/* "once", "daily", ..., "at_logon", or "unknown". */
const char *gl_job_trigger_type(uint32_t type);
/* Record members: uuid, application, parameters, working_directory,
 * author, comment, flags, disabled, hidden, status, exit_code, last_run
 * (local time, no 'Z'), triggers[] (type, begin, end, start, interval and
 * duration in minutes). */
void gl_job_json(gl_json *j, const gl_job *job);

#endif

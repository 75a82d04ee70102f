/* Legacy .JOB files (collector/formats/taskjob) over the file
 * tests/fixtures/taskcache/mktaskcache.py writes from MS-TSCH 2.4; the
 * shared corpus has no .JOB file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taskjob.h"
#include "testutil.h"

static gl_buf job_fixture(void)
{
    char *path = tu_fixture("taskcache/at1.job");
    gl_buf b = {0};
    cr_assert(tu_read_file(path, &b), "cannot read %s (make fixtures)", path);
    free(path);
    return b;
}

Test(taskjob, at_job_fields_and_triggers)
{
    gl_buf b = job_fixture();
    gl_job job;
    gl_err err = {0};
    cr_assert_eq(gl_job_parse(&job, (const uint8_t *)b.data, b.len, &err), 0, "%s", err.msg);
    cr_expect_eq(job.product_version, 0x0601);
    cr_expect_str_eq(job.uuid, "{5D2E8A31-7C4B-4E1A-9F60-2B8C0D4E6A17}");
    cr_expect_str_eq(job.application, "C:\\Windows\\System32\\cmd.exe");
    cr_expect_str_eq(job.parameters, "/c C:\\Users\\Public\\run.bat");
    cr_expect_str_eq(job.working_directory, "C:\\Windows\\System32");
    cr_expect_str_eq(job.author, "WS01\\mallory");
    cr_expect_str_eq(job.comment, "Created by NetScheduleJobAdd.");
    cr_expect_eq(job.flags, GL_JOB_HIDDEN);
    cr_expect_eq(job.status, 0x41300);
    cr_expect_eq(job.max_run_time_ms, 259200000);
    cr_expect_eq(job.last_run.year, 2026);
    cr_expect_eq(job.last_run.day, 20);
    cr_expect_eq(job.last_run.ms, 250);
    cr_assert_eq(job.n_triggers, 2);
    cr_expect_str_eq(gl_job_trigger_type(job.triggers[0].type), "once");
    cr_expect_eq(job.triggers[0].start_hour, 10);
    cr_expect_eq(job.triggers[0].start_minute, 10);
    cr_expect_str_eq(gl_job_trigger_type(job.triggers[1].type), "daily");
    cr_expect_eq(job.triggers[1].minutes_interval, 60);
    cr_expect_eq(job.triggers[1].minutes_duration, 600);

    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_job_json(&j, &job);
    gl_json_obj_end(&j);
    cr_expect_str_eq(out.data,
                     "{\"uuid\":\"{5D2E8A31-7C4B-4E1A-9F60-2B8C0D4E6A17}\",\"application\":"
                     "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"parameters\":\"/c C:\\\\Users\\\\Public\\\\run.bat\","
                     "\"working_directory\":\"C:\\\\Windows\\\\System32\",\"author\":\"WS01\\\\mallory\",\"comment\":"
                     "\"Created by NetScheduleJobAdd.\",\"flags\":\"0x00000200\",\"disabled\":false,\"hidden\":true,"
                     "\"status\":\"0x00041300\",\"exit_code\":0,\"last_run\":\"2026-11-20T10:10:00.250\","
                     "\"triggers\":[{\"type\":\"once\",\"begin\":\"2026-11-20\",\"start\":\"10:10\","
                     "\"minutes_interval\":0,\"minutes_duration\":0},{\"type\":\"daily\",\"begin\":\"2026-11-21\","
                     "\"start\":\"03:00\",\"minutes_interval\":60,\"minutes_duration\":600}]}");
    gl_buf_free(&out);
    gl_job_free(&job);
    gl_buf_free(&b);
}

static void expect_job_error(const gl_buf *b, size_t n, const char *msg)
{
    gl_job job;
    gl_err err = {0};
    cr_expect_eq(gl_job_parse(&job, (const uint8_t *)b->data, n, &err), -1);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_eq(err.code, GL_ERR_DAMAGED);
    gl_job_free(&job);
}

Test(taskjob, damage_is_named)
{
    gl_buf b = job_fixture();
    expect_job_error(&b, 60, "job: offset 0x0: 60 bytes: expected at least 70 (FIXDLEN_DATA and the instance count)");
    expect_job_error(&b, 0x90, "job: offset 0x80: parameters: 27 characters do not fit the 14 bytes left");
    expect_job_error(&b, b.len - 1, "job: offset 0x17a: trigger 1: expected 48 bytes, only 47 left");
    b.data[2] = 2;
    expect_job_error(&b, b.len, "job: offset 0x2: file version 2: expected 1");
    b.data[2] = 1;
    b.data[22] = 0x50;
    expect_job_error(&b, b.len, "job: offset 0x16: trigger offset 0x150: expected 0x148, where the variable-length data ends");
    gl_buf_free(&b);
}

/* Every prefix: no crash, an error naming an offset, the header kept. */
Test(taskjob, every_prefix_is_safe)
{
    gl_buf b = job_fixture();
    for (size_t n = 0; n < b.len; n++) {
        gl_job job;
        gl_err err = {0};
        cr_expect_eq(gl_job_parse(&job, (const uint8_t *)b.data, n, &err), -1, "prefix %zu", n);
        cr_expect(strstr(err.msg, "job: offset 0x") == err.msg, "%s", err.msg);
        if (n >= 70)
            cr_expect_str_eq(job.uuid, "{5D2E8A31-7C4B-4E1A-9F60-2B8C0D4E6A17}");
        gl_job_free(&job);
    }
    gl_buf_free(&b);
}

/* libFuzzer target: .JOB files, parsed and rendered as a record. */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "taskjob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_job job;
    gl_err err;
    gl_job_parse(&job, data, size, &err);
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_job_json(&j, &job);
    gl_json_obj_end(&j);
    gl_buf_free(&out);
    gl_job_free(&job);
    return 0;
}

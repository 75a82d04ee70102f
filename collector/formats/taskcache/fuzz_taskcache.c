/* libFuzzer target: every TaskCache decoder over the same bytes (they
 * share the bounded cursor, and a value of one kind stored under another
 * name is exactly what a tampered hive may hold). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "taskcache.h"

static size_t len0(const char *s) { return s ? strlen(s) : 0; }

/* Render one decoded value as a record, as the tasks module does. */
#define RENDER(fn, value)                                                                                    \
    do {                                                                                                     \
        gl_buf out = {0};                                                                                    \
        gl_json j;                                                                                           \
        gl_json_init(&j, &out);                                                                              \
        gl_json_obj_begin(&j);                                                                               \
        fn(&j, value);                                                                                       \
        gl_json_obj_end(&j);                                                                                 \
        sink += out.len;                                                                                     \
        gl_buf_free(&out);                                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_err err;
    volatile size_t sink = 0;
    gl_tc_actions a;
    gl_tc_actions_decode(data, size, &a, &err);
    for (size_t i = 0; i < a.n; i++)
        sink += len0(a.items[i].command) + len0(a.items[i].id) + len0(a.items[i].data) + a.items[i].n_headers;
    RENDER(gl_tc_actions_json, &a);
    gl_tc_actions_free(&a);
    gl_tc_triggers t;
    gl_tc_triggers_decode(data, size, &t, &err);
    for (size_t i = 0; i < t.n; i++)
        sink += len0(t.items[i].id) + len0(t.items[i].user.sid) + len0(t.items[i].subscription);
    sink += len0(t.user.name) + len0(t.principal_id);
    RENDER(gl_tc_triggers_json, &t);
    gl_tc_triggers_free(&t);
    gl_tc_dynamic_info d;
    gl_tc_dynamic_info_decode(data, size, &d, &err);
    sink += d.created;
    RENDER(gl_tc_dynamic_info_json, &d);
    gl_tc_sd sd;
    gl_tc_sd_decode(data, size, &sd, &err);
    sink += len0(sd.owner) + len0(sd.group);
    RENDER(gl_tc_sd_json, &sd);
    gl_tc_sd_free(&sd);
    (void)sink;
    return 0;
}

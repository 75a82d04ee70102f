/* libFuzzer target: every TaskCache decoder over the same bytes (they
 * share the bounded cursor, and a value of one kind stored under another
 * name is exactly what a tampered hive may hold). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "taskcache.h"

static size_t len0(const char *s) { return s ? strlen(s) : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_err err;
    volatile size_t sink = 0;
    gl_tc_actions a;
    gl_tc_actions_decode(data, size, &a, &err);
    for (size_t i = 0; i < a.n; i++)
        sink += len0(a.items[i].command) + len0(a.items[i].id) + len0(a.items[i].data) + a.items[i].n_headers;
    gl_tc_actions_free(&a);
    gl_tc_triggers t;
    gl_tc_triggers_decode(data, size, &t, &err);
    for (size_t i = 0; i < t.n; i++)
        sink += len0(t.items[i].id) + len0(t.items[i].user.sid) + len0(t.items[i].subscription);
    sink += len0(t.user.name) + len0(t.principal_id);
    gl_tc_triggers_free(&t);
    gl_tc_dynamic_info d;
    gl_tc_dynamic_info_decode(data, size, &d, &err);
    sink += d.created;
    gl_tc_sd sd;
    gl_tc_sd_decode(data, size, &sd, &err);
    sink += len0(sd.owner) + len0(sd.group);
    gl_tc_sd_free(&sd);
    (void)sink;
    return 0;
}

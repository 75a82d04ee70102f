/* libFuzzer target: task definitions in every encoding, with the default
 * limits and with tight ones (so the limit paths are reached too), and the
 * strict XML reader alone on the raw bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sxml.h"
#include "taskxml.h"

/* Touch every string so a dangling pointer shows up under ASan. */
static size_t walk(const gl_task *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_actions; i++)
        n += t->actions[i].command ? strlen(t->actions[i].command) : 0;
    for (size_t i = 0; i < t->n_triggers; i++)
        n += strlen(t->triggers[i].type);
    for (size_t i = 0; i < t->doc.n_nodes; i++)
        n += strlen(t->doc.nodes[i].text) + strlen(t->doc.nodes[i].local);
    for (size_t i = 0; i < t->doc.n_attrs; i++)
        n += strlen(t->doc.attrs[i].value);
    const gl_task_principal *p = gl_task_run_as(t);
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_task_json(&j, t);
    gl_json_obj_end(&j);
    n += out.len;
    gl_buf_free(&out);
    return n + (p && p->user_id ? strlen(p->user_id) : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sxml_limits tight = {.max_bytes = 1 << 16, .max_depth = 4, .max_elements = 16,
                                      .max_attrs = 2, .max_text = 64};
    gl_task t;
    gl_err err;
    volatile size_t sink = 0;
    gl_task_parse(&t, data, size, NULL, &err);
    sink += walk(&t);
    gl_task_free(&t);
    gl_task_parse(&t, data, size, &tight, &err);
    sink += walk(&t);
    gl_task_free(&t);
    sxml_doc doc;
    sxml_parse(&doc, (const char *)data, size, NULL, &err);
    sink += doc.n_nodes;
    sxml_free(&doc);
    (void)sink;
    return 0;
}

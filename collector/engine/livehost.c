/* The platform-independent half of livehost.h: the record of what was
 * preserved and how, and its JSON. */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "fold.h"
#include "livehost.h"

typedef struct lh_item {
    char *what, *name, *path, *method, *member, *detail;
} lh_item;

struct gl_livehost {
    lh_item *v;
    size_t n, cap;
};

gl_livehost *gl_livehost_new(void) { return gl_xcalloc(1, sizeof(gl_livehost)); }

static char *dup_or_null(const char *s) { return s ? gl_xstrdup(s) : NULL; }

void gl_livehost_add(gl_livehost *lh, const char *what, const char *name, const char *path, const char *method,
                     const char *member, const char *detail)
{
    lh->v = gl_grow_array(lh->v, &lh->cap, lh->n + 1, sizeof *lh->v);
    lh->v[lh->n++] = (lh_item){gl_xstrdup(what), gl_xstrdup(name),     dup_or_null(path),
                               gl_xstrdup(method), dup_or_null(member), dup_or_null(detail)};
}

/* One array per kind of thing ("hives", "event_logs"). */
static void items_json(const gl_livehost *lh, gl_json *j, const char *what, const char *key)
{
    gl_json_key(j, key);
    gl_json_arr_begin(j);
    for (size_t i = 0; lh && i < lh->n; i++) {
        const lh_item *it = &lh->v[i];
        if (strcmp(it->what, what))
            continue;
        gl_json_obj_begin(j);
        gl_json_kv_str(j, "name", it->name);
        gl_json_kv_str(j, "path", it->path);
        gl_json_kv_str(j, "method", it->method);
        gl_json_kv_str(j, "member", it->member);
        if (it->detail)
            gl_json_kv_str(j, "detail", it->detail);
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
}

void gl_livehost_json(const gl_livehost *lh, gl_json *j)
{
    gl_json_key(j, "live_host");
    gl_json_obj_begin(j);
    gl_livehost_facts_json(j);
    items_json(lh, j, "hive", "hives");
    items_json(lh, j, "event_log", "event_logs");
    gl_json_obj_end(j);
}

const char *gl_livehost_hive_member(void *ctx, const char *hive_path)
{
    const gl_livehost *lh = ctx;
    for (size_t i = 0; lh && hive_path && i < lh->n; i++)
        if (lh->v[i].member && lh->v[i].path && !strcmp(lh->v[i].what, "hive") &&
            gl_name_equal(lh->v[i].path, hive_path))
            return lh->v[i].member;
    return NULL;
}

void gl_livehost_free(gl_livehost *lh)
{
    if (!lh)
        return;
    for (size_t i = 0; i < lh->n; i++) {
        lh_item *it = &lh->v[i];
        free(it->what), free(it->name), free(it->path), free(it->method), free(it->member), free(it->detail);
    }
    free(lh->v);
    free(lh);
}

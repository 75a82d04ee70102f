#include "manifest_stream.h"
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "bundle_unpack.h"

#define MAX_DEPTH 32            /* a member's "source" object is depth 4 */
#define MAX_ELEMENT (1u << 20)  /* one member entry */
#define MAX_HEAD (1u << 20)     /* everything outside the members array */
#define MAX_KEY 64

struct gl_manifest_reader {
    gl_manifest_cb cb;
    void *ctx;
    int depth;
    bool in_str, esc, too_deep;
    bool in_members;   /* inside the top-level "members" array */
    bool need_comma;   /* an item of members just ended */
    bool in_scalar;    /* a non-object item of members is being skipped */
    char key[MAX_KEY]; /* the last string closed at depth 1: the key before ':' */
    size_t key_len;
    bool capturing;    /* inside one member entry */
    bool elem_over;
    gl_buf elem, head;
    bool head_over;
    size_t malformed;
    int cb_rc;
};

gl_manifest_reader *gl_manifest_reader_new(gl_manifest_cb cb, void *ctx)
{
    gl_manifest_reader *r = gl_xcalloc(1, sizeof *r);
    r->cb = cb;
    r->ctx = ctx;
    return r;
}

void gl_manifest_reader_free(gl_manifest_reader *r)
{
    if (!r)
        return;
    gl_buf_free(&r->elem);
    gl_buf_free(&r->head);
    free(r);
}

static void to_head(gl_manifest_reader *r, char c)
{
    if (r->head.len >= MAX_HEAD)
        r->head_over = true;
    else
        gl_buf_putc(&r->head, c);
}

static void entry_done(gl_manifest_reader *r)
{
    r->capturing = false;
    r->need_comma = true;
    cJSON *o = r->elem_over ? NULL : cJSON_ParseWithLength(r->elem.data, r->elem.len);
    gl_buf_clear(&r->elem);
    r->elem_over = false;
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(o, "sha256");
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "size");
    if (!cJSON_IsString(path) || !cJSON_IsString(sha) || !cJSON_IsNumber(size)) {
        r->malformed++;
    } else if (r->cb_rc == 0) {
        gl_manifest_entry e = {path->valuestring, sha->valuestring, size->valuedouble};
        r->cb_rc = r->cb(r->ctx, &e);
    }
    cJSON_Delete(o);
}

/* One byte outside strings, inside the members array at depth 2. */
static void members_byte(gl_manifest_reader *r, char c)
{
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
        return;
    if (c == ',') {
        if (!r->need_comma)
            r->malformed++; /* an empty item */
        r->need_comma = false;
        r->in_scalar = false;
        return;
    }
    if (r->need_comma && !r->in_scalar) {
        r->malformed++; /* two items without a comma */
        r->need_comma = false;
    }
    if (!r->in_scalar && c != '{') { /* a number, string or array where an object belongs */
        r->malformed++;
        r->in_scalar = true;
        r->need_comma = true;
    }
}

static void feed_byte(gl_manifest_reader *r, char c)
{
    if (r->capturing) {
        if (r->elem.len >= MAX_ELEMENT)
            r->elem_over = true;
        else
            gl_buf_putc(&r->elem, c);
    }
    if (r->in_str) {
        if (r->esc)
            r->esc = false;
        else if (c == '\\')
            r->esc = true;
        else if (c == '"')
            r->in_str = false;
        if (r->depth == 1 && r->in_str && r->key_len < MAX_KEY - 1 && !(c == '\\' && r->esc))
            r->key[r->key_len++] = c;
        if (!r->capturing && !r->in_members)
            to_head(r, c);
        return;
    }
    bool members_level = r->in_members && r->depth == 2;
    switch (c) {
    case '"':
        r->in_str = true;
        r->esc = false;
        if (r->depth == 1)
            r->key_len = 0;
        if (members_level && !r->capturing)
            members_byte(r, c);
        break;
    case '{':
    case '[':
        if (members_level && c == '{' && !r->capturing) {
            members_byte(r, c);
            if (!r->in_scalar) {
                r->capturing = true;
                gl_buf_clear(&r->elem);
                gl_buf_putc(&r->elem, c);
            }
        } else if (members_level && !r->capturing) {
            members_byte(r, c);
        }
        if (++r->depth > MAX_DEPTH)
            r->too_deep = true;
        if (r->depth == 2 && c == '[') {
            r->key[r->key_len] = '\0';
            r->in_members = !strcmp(r->key, "members");
            r->need_comma = r->in_scalar = false;
            to_head(r, c);
            return;
        }
        break;
    case '}':
    case ']':
        if (r->depth > 0)
            r->depth--;
        if (r->capturing && r->depth == 2) {
            entry_done(r);
            return;
        }
        if (r->in_members && r->depth == 1) {
            r->in_members = false;
            to_head(r, c);
            return;
        }
        break;
    default:
        if (members_level && !r->capturing)
            members_byte(r, c);
        break;
    }
    if (!r->capturing && !r->in_members)
        to_head(r, c);
}

void gl_manifest_feed(gl_manifest_reader *r, const void *data, size_t n)
{
    const char *p = data;
    for (size_t i = 0; i < n && !r->too_deep; i++)
        feed_byte(r, p[i]);
}

int gl_manifest_finish(gl_manifest_reader *r, size_t *malformed, gl_err *err)
{
    *malformed = r->malformed;
    if (r->too_deep)
        return gl_err_setc(err, GL_ERR_DAMAGED, "nested deeper than %d levels", MAX_DEPTH);
    if (r->head_over)
        return gl_err_setc(err, GL_ERR_DAMAGED, "more than %u bytes outside the members array", MAX_HEAD);
    if (r->depth || r->in_str || r->capturing)
        return gl_err_setc(err, GL_ERR_DAMAGED, "not valid JSON (it ends inside a value)");
    cJSON *doc = cJSON_ParseWithLength(r->head.data ? r->head.data : "", r->head.len);
    if (!doc)
        return gl_err_setc(err, GL_ERR_DAMAGED, "not valid JSON");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
    bool ok = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "members")) && cJSON_IsString(fmt) &&
              !strcmp(fmt->valuestring, GL_MANIFEST_FORMAT);
    cJSON_Delete(doc);
    if (!ok)
        return gl_err_setc(err, GL_ERR_DAMAGED, "not a %s manifest (no members array)", GL_MANIFEST_FORMAT);
    if (r->malformed)
        return gl_err_setc(err, GL_ERR_DAMAGED, "%zu malformed member entr%s", r->malformed,
                           r->malformed == 1 ? "y" : "ies");
    return r->cb_rc;
}

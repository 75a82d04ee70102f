/* TaskCache Tasks\{GUID}\Actions: u16 version, (version 3) a string with
 * the principal id, then actions until the end of the value, each a u16
 * type magic, a string id and the type's properties. Strings are u32 byte
 * counts followed by UTF-16LE. Layout: G DATA winreg-tasks actions.ksy
 * (see taskcache.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "taskcache.h"
#include "tc_cursor.h"
#include "text.h"

/* The scheduler accepts 32 actions per task; anything far beyond is
 * garbage, not a task. */
#define TC_MAX_ACTIONS 64
/* Attachments and headers of an e-mail action. */
#define TC_MAX_LIST 256

const char *gl_tc_action_kind(uint16_t magic)
{
    switch (magic) {
    case GL_TC_ACTION_EXEC: return "exec";
    case GL_TC_ACTION_COM_HANDLER: return "com_handler";
    case GL_TC_ACTION_SEND_EMAIL: return "send_email";
    case GL_TC_ACTION_SHOW_MESSAGE: return "show_message";
    default: return "unknown";
    }
}

static int read_exec(tc_cur *c, uint16_t version, gl_tc_action *a)
{
    if (tc_bstr(c, "exec command", &a->command) < 0 || tc_bstr(c, "exec arguments", &a->arguments) < 0 ||
        tc_bstr(c, "exec working directory", &a->working_directory) < 0)
        return -1;
    if (version == 3) {
        if (tc_u16(c, "exec flags", &a->flags) < 0)
            return -1;
        a->has_flags = true;
    }
    return 0;
}

static int read_com(tc_cur *c, gl_tc_action *a)
{
    if (tc_need(c, 16, "COM handler class id") < 0)
        return -1;
    gl_guid_format(a->class_id, c->p + c->pos);
    c->pos += 16;
    return tc_bstr(c, "COM handler data", &a->data);
}

/* A u32 count then that many strings (pairs when `pairs`). */
static int read_list(tc_cur *c, const char *what, bool pairs, char ***list, size_t *n)
{
    uint32_t count;
    size_t at = c->pos;
    if (tc_u32(c, what, &count) < 0)
        return -1;
    if (count > TC_MAX_LIST || (size_t)count * (pairs ? 8 : 4) > tc_left(c))
        return tc_fail(c, at, "%s: count %u does not fit the %zu bytes left", what, (unsigned)count, tc_left(c));
    *list = count ? gl_xcalloc(count, sizeof **list) : NULL;
    for (uint32_t i = 0; i < count; i++) {
        char *first = NULL, *second = NULL;
        if (tc_bstr(c, what, &first) < 0 || (pairs && tc_bstr(c, what, &second) < 0)) {
            free(first);
            return -1;
        }
        if (pairs) {
            gl_buf b = {0};
            gl_buf_printf(&b, "%s: %s", first, second);
            free(first);
            free(second);
            first = b.data;
        }
        (*list)[(*n)++] = first;
    }
    return 0;
}

static int read_email(tc_cur *c, gl_tc_action *a)
{
    char **fields[] = {&a->from, &a->to, &a->cc, &a->bcc, &a->reply_to, &a->server, &a->subject, &a->body};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (tc_bstr(c, "e-mail field", fields[i]) < 0)
            return -1;
    if (read_list(c, "e-mail attachments", false, &a->attachments, &a->n_attachments) < 0)
        return -1;
    return read_list(c, "e-mail headers", true, &a->headers, &a->n_headers);
}

static int read_message(tc_cur *c, gl_tc_action *a)
{
    return tc_bstr(c, "message caption", &a->caption) < 0 || tc_bstr(c, "message content", &a->content) < 0
               ? -1
               : 0;
}

static int read_action(tc_cur *c, uint16_t version, gl_tc_action *a)
{
    size_t at = c->pos;
    if (tc_u16(c, "action type", &a->magic) < 0)
        return -1;
    switch (a->magic) {
    case GL_TC_ACTION_EXEC:
    case GL_TC_ACTION_COM_HANDLER:
    case GL_TC_ACTION_SEND_EMAIL:
    case GL_TC_ACTION_SHOW_MESSAGE: break;
    default:
        return tc_fail(c, at,
                       "action type 0x%04X: expected 0x6666 (exec), 0x7777 (COM handler), 0x8888 (e-mail) or "
                       "0x9999 (message)",
                       a->magic);
    }
    if (tc_bstr(c, "action id", &a->id) < 0)
        return -1;
    switch (a->magic) {
    case GL_TC_ACTION_EXEC: return read_exec(c, version, a);
    case GL_TC_ACTION_COM_HANDLER: return read_com(c, a);
    case GL_TC_ACTION_SEND_EMAIL: return read_email(c, a);
    default: return read_message(c, a);
    }
}

int gl_tc_actions_decode(const uint8_t *p, size_t n, gl_tc_actions *out, gl_err *err)
{
    memset(out, 0, sizeof *out);
    tc_cur c = tc_cur_init(p, n, "Actions", err);
    if (tc_u16(&c, "version", &out->version) < 0)
        return -1;
    if (out->version < 1 || out->version > 3)
        return tc_fail(&c, 0, "version %u: expected 1, 2 or 3", out->version);
    if (out->version == 3 && tc_bstr(&c, "context", &out->context) < 0)
        return -1;
    out->items = gl_xcalloc(TC_MAX_ACTIONS, sizeof *out->items);
    while (tc_left(&c) > 0) {
        if (out->n == TC_MAX_ACTIONS)
            return tc_fail(&c, c.pos, "more than %d actions", TC_MAX_ACTIONS);
        /* An action that breaks off is still kept: its command may be whole. */
        int r = read_action(&c, out->version, &out->items[out->n]);
        if (r == 0 || strcmp(gl_tc_action_kind(out->items[out->n].magic), "unknown") != 0)
            out->n++;
        if (r < 0)
            return -1;
    }
    return 0;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void gl_tc_actions_free(gl_tc_actions *a)
{
    for (size_t i = 0; i < a->n; i++) {
        gl_tc_action *x = &a->items[i];
        char *fields[] = {x->id,   x->command, x->arguments, x->working_directory, x->data,
                          x->from, x->to,      x->cc,        x->bcc,               x->reply_to,
                          x->server, x->subject, x->body,    x->caption,           x->content};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            free(fields[k]);
        free_list(x->attachments, x->n_attachments);
        free_list(x->headers, x->n_headers);
    }
    free(a->items);
    free(a->context);
    memset(a, 0, sizeof *a);
}

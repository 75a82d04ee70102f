/* TaskCache Tasks\{GUID}\Triggers: a header (version, earliest start and
 * latest end of all triggers), the job bucket (settings flags, XML CRC32,
 * principal, user, optional settings) and the triggers until the end of
 * the value. Most fields sit in 8-byte slots. Layout: G DATA winreg-tasks
 * triggers.ksy and the types it imports (see taskcache.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "taskcache.h"
#include "tc_cursor.h"
#include "text.h"

#define TC_MAX_TRIGGERS 64 /* the scheduler accepts 48 */
#define TC_MAX_QUERIES 256 /* value queries of one event trigger */
#define TC_MAX_SID 68      /* 8 + 15 sub-authorities */

const char *gl_tc_trigger_type(uint32_t magic)
{
    switch (magic) {
    case GL_TC_TRIGGER_WNF: return "WnfStateChangeTrigger";
    case GL_TC_TRIGGER_SESSION: return "SessionStateChangeTrigger";
    case GL_TC_TRIGGER_REGISTRATION: return "RegistrationTrigger";
    case GL_TC_TRIGGER_LOGON: return "LogonTrigger";
    case GL_TC_TRIGGER_EVENT: return "EventTrigger";
    case GL_TC_TRIGGER_TIME: return "TimeTrigger";
    case GL_TC_TRIGGER_IDLE: return "IdleTrigger";
    case GL_TC_TRIGGER_BOOT: return "BootTrigger";
    default: return "unknown";
    }
}

static int read_time(tc_cur *c, const char *what, gl_tc_time *t)
{
    uint8_t loc;
    if (tc_aligned_u8(c, what, &loc) < 0 || tc_u64(c, what, &t->filetime) < 0)
        return -1;
    t->localized = loc != 0;
    return 0;
}

static int read_user(tc_cur *c, gl_tc_user *u)
{
    uint8_t skip_user, skip_sid = 1;
    if (tc_aligned_u8(c, "user: skip-user flag", &skip_user) < 0)
        return -1;
    if (skip_user)
        return 0;
    u->present = true;
    if (tc_aligned_u8(c, "user: skip-SID flag", &skip_sid) < 0)
        return -1;
    if (!skip_sid) {
        uint32_t len;
        size_t at;
        if (tc_aligned_u32(c, "user: SID type", &u->sid_type) < 0)
            return -1;
        at = c->pos;
        if (tc_aligned_u32(c, "user: SID length", &len) < 0)
            return -1;
        if (len < 8 || len > TC_MAX_SID || len > tc_left(c))
            return tc_fail(c, at, "user: SID length %u: expected 8..%d bytes within the %zu left", (unsigned)len,
                           TC_MAX_SID, tc_left(c));
        gl_buf b = {0};
        if (!gl_sid_format(&b, c->p + c->pos, len)) {
            gl_buf_free(&b);
            return tc_fail(c, c->pos, "user: expected a SID of revision 1");
        }
        u->sid = b.data;
        size_t pad = (8 - len % 8) % 8;
        if (tc_skip(c, len, "user: SID") < 0 || tc_skip(c, pad, "user: SID padding") < 0)
            return -1;
    }
    return tc_aligned_bstr(c, "user: name", &u->name);
}

static int read_settings(tc_cur *c, gl_tc_triggers *t)
{
    uint32_t len;
    size_t at = c->pos;
    if (tc_aligned_u32(c, "optional settings: length", &len) < 0)
        return -1;
    if (len == 0)
        return 0;
    if (len < 48 || len > tc_left(c))
        return tc_fail(c, at, "optional settings: length %u: expected 48..%zu", (unsigned)len, tc_left(c));
    size_t end = c->pos + len;
    uint32_t *fields[] = {&t->idle_duration_seconds,      &t->idle_wait_timeout_seconds,
                          &t->execution_time_limit_seconds, &t->delete_expired_task_after,
                          &t->priority,                   &t->restart_on_failure_delay,
                          &t->restart_on_failure_retries};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        tc_u32(c, "optional settings", fields[i]);
    t->has_settings = true;
    c->pos = end; /* network id, privileges, periodicity: not used here */
    return 0;
}

static int read_bucket(tc_cur *c, gl_tc_triggers *t)
{
    if (tc_aligned_u32(c, "job bucket: flags", &t->flags) < 0 || tc_aligned_u32(c, "job bucket: CRC32", &t->crc32) < 0)
        return -1;
    t->has_bucket = true;
    if (t->version >= 0x16 && tc_aligned_bstr(c, "job bucket: principal id", &t->principal_id) < 0)
        return -1;
    if (t->version >= 0x17 && tc_aligned_bstr(c, "job bucket: display name", &t->display_name) < 0)
        return -1;
    if (read_user(c, &t->user) < 0)
        return -1;
    return read_settings(c, t);
}

/* Trigger id (version 0x16 and later): a string padded so that count and
 * text together fill 8-byte slots. */
static int read_trigger_id(tc_cur *c, uint8_t version, gl_tc_trigger *tr)
{
    if (version < 0x16)
        return 0;
    size_t start = c->pos;
    if (tc_bstr(c, "trigger id", &tr->id) < 0)
        return -1;
    size_t used = c->pos - start;
    return tc_skip(c, (8 - used % 8) % 8, "trigger id padding");
}

/* Fields shared by all trigger types but the time trigger. */
static int read_generic(tc_cur *c, uint8_t version, gl_tc_trigger *tr)
{
    uint32_t duration2;
    uint8_t stop, enabled;
    if (read_time(c, "trigger start", &tr->start) < 0 || read_time(c, "trigger end", &tr->end) < 0 ||
        tc_u32(c, "trigger delay", &tr->delay_seconds) < 0 || tc_u32(c, "trigger timeout", &tr->timeout_seconds) < 0 ||
        tc_u32(c, "repetition interval", &tr->repetition_interval_seconds) < 0 ||
        tc_u32(c, "repetition duration", &tr->repetition_duration_seconds) < 0 ||
        tc_u32(c, "repetition duration", &duration2) < 0 || tc_u8(c, "stop at duration end", &stop) < 0 ||
        tc_skip(c, 3, "padding") < 0 || tc_aligned_u8(c, "trigger enabled", &enabled) < 0 ||
        tc_skip(c, 8, "trigger reserved") < 0)
        return -1;
    tr->stop_at_duration_end = stop != 0;
    tr->enabled = enabled != 0;
    return read_trigger_id(c, version, tr);
}

static int read_time_trigger(tc_cur *c, uint8_t version, gl_tc_trigger *tr)
{
    gl_tc_time unknown;
    uint8_t stop, enabled;
    if (read_time(c, "time trigger start", &tr->start) < 0 || read_time(c, "time trigger end", &tr->end) < 0 ||
        read_time(c, "time trigger reserved", &unknown) < 0 ||
        tc_u32(c, "repetition interval", &tr->repetition_interval_seconds) < 0 ||
        tc_u32(c, "repetition duration", &tr->repetition_duration_seconds) < 0 ||
        tc_u32(c, "execution time limit", &tr->timeout_seconds) < 0 ||
        tc_u32(c, "schedule mode", &tr->schedule_mode) < 0 || tc_skip(c, 8, "schedule data") < 0 ||
        tc_u8(c, "stop at duration end", &stop) < 0 || tc_u8(c, "trigger enabled", &enabled) < 0 ||
        tc_skip(c, 6, "reserved") < 0 || tc_u32(c, "maximum delay", &tr->delay_seconds) < 0 ||
        tc_skip(c, 4, "padding") < 0)
        return -1;
    tr->stop_at_duration_end = stop != 0;
    tr->enabled = enabled != 0;
    return read_trigger_id(c, version, tr);
}

/* Character count in an 8-byte slot, then count + 1 UTF-16 units padded
 * to 8; a zero count has no text at all. */
static int read_expand_str(tc_cur *c, const char *what, char **out)
{
    uint32_t chars;
    size_t at = c->pos;
    if (tc_aligned_u32(c, what, &chars) < 0)
        return -1;
    if (chars == 0)
        return 0;
    if (chars > tc_left(c) / 2)
        return tc_fail(c, at, "%s: %u characters do not fit the %zu bytes left", what, (unsigned)chars, tc_left(c));
    size_t bytes = (size_t)chars * 2 + 2;
    if (tc_need(c, bytes, what) < 0)
        return -1;
    gl_buf b = {0};
    gl_utf16le_to_utf8(&b, c->p + c->pos, bytes, true);
    gl_buf_append(&b, "", 0); /* terminated even when empty */
    *out = b.data;
    c->pos += bytes;
    return tc_skip(c, (8 - bytes % 8) % 8, what);
}

static int read_event_trigger(tc_cur *c, uint8_t version, gl_tc_trigger *tr)
{
    uint32_t u0, u1, nq;
    char *other = NULL;
    if (read_generic(c, version, tr) < 0 || read_expand_str(c, "event subscription", &tr->subscription) < 0 ||
        tc_u32(c, "event trigger reserved", &u0) < 0 || tc_u32(c, "event trigger reserved", &u1) < 0 ||
        read_expand_str(c, "event trigger string", &other) < 0)
        return free(other), -1;
    free(other);
    size_t at = c->pos;
    if (tc_aligned_u32(c, "value query count", &nq) < 0)
        return -1;
    if (nq > TC_MAX_QUERIES)
        return tc_fail(c, at, "value query count %u: expected at most %d", (unsigned)nq, TC_MAX_QUERIES);
    for (uint32_t i = 0; i < nq; i++) {
        char *name = NULL, *value = NULL;
        int r = read_expand_str(c, "value query name", &name) < 0 || read_expand_str(c, "value query", &value) < 0;
        free(name);
        free(value);
        if (r)
            return -1;
    }
    return 0;
}

static int read_trigger(tc_cur *c, uint8_t version, gl_tc_trigger *tr)
{
    uint32_t state_pad, len;
    switch (tr->magic) {
    case GL_TC_TRIGGER_TIME: return read_time_trigger(c, version, tr);
    case GL_TC_TRIGGER_EVENT: return read_event_trigger(c, version, tr);
    case GL_TC_TRIGGER_LOGON: return read_generic(c, version, tr) < 0 ? -1 : read_user(c, &tr->user);
    case GL_TC_TRIGGER_SESSION:
        if (read_generic(c, version, tr) < 0 || tc_u32(c, "session state change", &tr->state_change) < 0 ||
            tc_u32(c, "padding", &state_pad) < 0)
            return -1;
        return read_user(c, &tr->user);
    case GL_TC_TRIGGER_WNF:
        if (read_generic(c, version, tr) < 0 || tc_skip(c, 8, "WNF state name") < 0)
            return -1;
        if (tc_aligned_u32(c, "WNF data length", &len) < 0)
            return -1;
        return tc_skip(c, len, "WNF data");
    default: return read_generic(c, version, tr); /* boot, idle, registration */
    }
}

int gl_tc_triggers_decode(const uint8_t *p, size_t n, gl_tc_triggers *out, gl_err *err)
{
    memset(out, 0, sizeof *out);
    tc_cur c = tc_cur_init(p, n, "Triggers", err);
    if (tc_aligned_u8(&c, "version", &out->version) < 0 || read_time(&c, "start boundary", &out->start_boundary) < 0 ||
        read_time(&c, "end boundary", &out->end_boundary) < 0)
        return -1;
    if (read_bucket(&c, out) < 0)
        return -1;
    out->items = gl_xcalloc(TC_MAX_TRIGGERS, sizeof *out->items);
    while (tc_left(&c) > 0) {
        if (out->n == TC_MAX_TRIGGERS)
            return tc_fail(&c, c.pos, "more than %d triggers", TC_MAX_TRIGGERS);
        gl_tc_trigger *tr = &out->items[out->n];
        size_t at = c.pos;
        if (tc_aligned_u32(&c, "trigger type", &tr->magic) < 0)
            return -1;
        if (strcmp(gl_tc_trigger_type(tr->magic), "unknown") == 0)
            return tc_fail(&c, at, "trigger type 0x%X: expected one of 0x6666, 0x7777, 0x8888, 0xAAAA, 0xCCCC, "
                                   "0xDDDD, 0xEEEE, 0xFFFF",
                           (unsigned)tr->magic);
        out->n++; /* kept even when it breaks off: its times may be whole */
        if (read_trigger(&c, out->version, tr) < 0)
            return -1;
    }
    return 0;
}

static void free_user(gl_tc_user *u)
{
    free(u->sid);
    free(u->name);
}

void gl_tc_triggers_free(gl_tc_triggers *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].id);
        free(t->items[i].subscription);
        free_user(&t->items[i].user);
    }
    free(t->items);
    free(t->principal_id);
    free(t->display_name);
    free_user(&t->user);
    memset(t, 0, sizeof *t);
}

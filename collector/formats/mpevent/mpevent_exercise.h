/* The Defender 5007/5013 text parser's fuzz oracles, shared by the
 * libFuzzer target (fuzz_mpevent.c) and the regression sweep in
 * tests/unit/test_mpevent.c. The input is split at its first NUL into
 * "Old Value" and "New Value"; the whole input is also read as a rendered
 * message. Oracles: no crash or sanitizer report, every piece of a result
 * inside its field, the change kind agreeing with the sides. */
#ifndef GL_MPEVENT_EXERCISE_H
#define GL_MPEVENT_EXERCISE_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mpevent.h"

static inline void check_in(const char *base, size_t n, mp_str s)
{
    if (s.n && (s.p < base || s.p + s.n > base + n))
        abort();
}

static inline void check_value(const char *base, size_t n, const mp_value *v)
{
    check_in(base, n, v->location);
    check_in(base, n, v->rel_key);
    check_in(base, n, v->name);
    check_in(base, n, v->data);
    if (v->excl != MP_EXCL_NONE && v->area != MP_AREA_EXCLUSION)
        abort();
}

static inline void check_change(const char *base, size_t n, const mp_change *c)
{
    check_value(base, n, &c->old_v);
    check_value(base, n, &c->new_v);
    bool op = mp_value_present(&c->old_v), np = mp_value_present(&c->new_v);
    if ((c->kind == MP_CHANGE_ADDED && (!np || op)) || (c->kind == MP_CHANGE_REMOVED && (!op || np)))
        abort();
    if (c->kind == MP_CHANGE_NONE && (c->old_v.root != MP_ROOT_NONE || c->new_v.root != MP_ROOT_NONE))
        abort();
}

static inline void mpevent_exercise(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: overreads are caught */
    if (!s)
        return;
    memcpy(s, data, size);
    const char *nul = memchr(s, '\0', size);
    size_t on = nul ? (size_t)(nul - s) : size;
    const char *w = nul ? nul + 1 : s + size;
    size_t wn = nul ? size - on - 1 : 0;
    mp_change c;
    gl_err err = {0};
    if (mp_5007_parse(s, on, w, wn, &c, &err) < 0 && err.msg[0] == '\0')
        abort();
    check_change(s, size, &c);
    if (mp_5007_message_parse(s, size, &c, &err) == 0)
        check_change(s, size, &c);
    free(s);
}

#endif

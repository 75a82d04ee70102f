/* Bounded little-endian reader shared by the TaskCache decoders. Every
 * read checks what is left; the first failure records an error naming the
 * value, the offset and what was expected, and later reads fail too. */
#ifndef GL_TC_CURSOR_H
#define GL_TC_CURSOR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct tc_cur {
    const uint8_t *p;
    size_t n, pos;
    const char *value; /* "Actions", "Triggers", ... for messages */
    gl_err *err;
    bool failed;
} tc_cur;

static inline tc_cur tc_cur_init(const uint8_t *p, size_t n, const char *value, gl_err *err)
{
    tc_cur c = {.p = p, .n = n, .value = value, .err = err};
    return c;
}

static inline size_t tc_left(const tc_cur *c) { return c->n - c->pos; }

/* Record a damage error at `at` (first one wins). Returns -1. */
int tc_fail(tc_cur *c, size_t at, const char *fmt, ...) GL_PRINTF(3, 4);
int tc_need(tc_cur *c, size_t len, const char *what);
int tc_u8(tc_cur *c, const char *what, uint8_t *v);
int tc_u16(tc_cur *c, const char *what, uint16_t *v);
int tc_u32(tc_cur *c, const char *what, uint32_t *v);
int tc_u64(tc_cur *c, const char *what, uint64_t *v);
int tc_skip(tc_cur *c, size_t len, const char *what);
/* u32 byte count + UTF-16LE text (a terminating NUL is dropped). */
int tc_bstr(tc_cur *c, const char *what, char **out);
/* The same with the count in an 8-byte slot and the text padded to 8. */
int tc_aligned_bstr(tc_cur *c, const char *what, char **out);
/* u32 in an 8-byte slot. */
int tc_aligned_u32(tc_cur *c, const char *what, uint32_t *v);
/* u8 in an 8-byte slot. */
int tc_aligned_u8(tc_cur *c, const char *what, uint8_t *v);

#endif

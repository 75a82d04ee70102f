/* One way to report an error: functions return 0 / a value, or -1 and fill
 * a gl_err with a message that names the file, the offset and what was
 * expected. Callers either handle it or prefix context and pass it up. */
#ifndef GL_ERR_H
#define GL_ERR_H
#include <stddef.h>

typedef struct gl_err {
    char msg[1024];
} gl_err;

#if defined(__GNUC__)
#define GL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GL_PRINTF(a, b)
#endif

/* Replace the message. Safe with err == NULL. Always returns -1 so that
 * `return gl_err_set(err, ...)` reads naturally. */
int gl_err_set(gl_err *err, const char *fmt, ...) GL_PRINTF(2, 3);
/* Prepend context: "ctx: old message". Returns -1. */
int gl_err_prefix(gl_err *err, const char *fmt, ...) GL_PRINTF(2, 3);
/* Set from errno: "<what>: strerror(errno)". Returns -1. */
int gl_err_errno(gl_err *err, const char *fmt, ...) GL_PRINTF(2, 3);

#endif

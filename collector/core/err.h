/* One way to report an error: functions return 0 / a value, or -1 and fill
 * a gl_err with a message that names the file, the offset and what was
 * expected. Callers either handle it or prefix context and pass it up. */
#ifndef GL_ERR_H
#define GL_ERR_H
#include <stddef.h>

/* What kind of problem it was, so callers can tell "not there" (normal:
 * a missing Exclusions key) from "there but broken" (a damaged hive must
 * make a run partial). */
typedef enum gl_err_code {
    GL_ERR_OTHER = 0, /* anything not classified below */
    GL_ERR_ABSENT,    /* the thing looked for does not exist */
    GL_ERR_DAMAGED,   /* it exists but its content is malformed or unexpected */
    GL_ERR_IO,        /* the operating system refused or failed a read */
    GL_ERR_LIMIT,     /* a size, count or depth limit stopped the work */
    GL_ERR_USAGE,     /* the caller's request (options, profile, data file) is wrong */
} gl_err_code;

typedef struct gl_err {
    char msg[1024];
    gl_err_code code;
} gl_err;

#if defined(__GNUC__)
#define GL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GL_PRINTF(a, b)
#endif

/* Replace the message (code GL_ERR_OTHER). Safe with err == NULL. Always
 * returns -1 so that `return gl_err_set(err, ...)` reads naturally. */
int gl_err_set(gl_err *err, const char *fmt, ...) GL_PRINTF(2, 3);
/* Same with a code. */
int gl_err_setc(gl_err *err, gl_err_code code, const char *fmt, ...) GL_PRINTF(3, 4);
const char *gl_err_code_name(gl_err_code code); /* "absent", "damaged", ... */
/* Prepend context: "ctx: old message" (code kept). Returns -1. */
int gl_err_prefix(gl_err *err, const char *fmt, ...) GL_PRINTF(2, 3);
/* Set from errno: "<what>: strerror(errno)"; code GL_ERR_ABSENT for
 * ENOENT/ENOTDIR, GL_ERR_IO otherwise. Returns -1. */
int gl_err_errno(gl_err *err, const char *fmt, ...) GL_PRINTF(2, 3);

#endif

#include "err.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gl_err_set(gl_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = GL_ERR_OTHER;
    return -1;
}

int gl_err_setc(gl_err *err, gl_err_code code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

const char *gl_err_code_name(gl_err_code code)
{
    static const char *const names[] = {"other", "absent", "damaged", "io", "limit", "usage"};
    return (unsigned)code < sizeof names / sizeof names[0] ? names[code] : "other";
}

int gl_err_prefix(gl_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[512];
    char old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return -1;
}

int gl_err_errno(gl_err *err, const char *fmt, ...)
{
    int saved = errno;
    if (!err)
        return -1;
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err->msg, sizeof err->msg, "%s: %s", what, strerror(saved));
    err->code = (saved == ENOENT || saved == ENOTDIR) ? GL_ERR_ABSENT : GL_ERR_IO;
    errno = saved;
    return -1;
}

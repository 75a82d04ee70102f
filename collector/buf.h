/* Growable byte buffer. Allocation failure aborts: gleaner cannot report
 * anything useful once malloc fails, and checking every append would
 * drown the parsers in error paths. Sizes that come from evidence are
 * bounded by the callers before they reach here. */
#ifndef GL_BUF_H
#define GL_BUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct gl_buf {
    char *data;
    size_t len;
    size_t cap;
} gl_buf;

void gl_buf_reserve(gl_buf *b, size_t extra);
void gl_buf_append(gl_buf *b, const void *p, size_t n);
void gl_buf_putc(gl_buf *b, char c);
void gl_buf_puts(gl_buf *b, const char *s);
void gl_buf_printf(gl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* NUL-terminated view (the NUL is not counted in len). */
const char *gl_buf_cstr(gl_buf *b);
void gl_buf_clear(gl_buf *b);
void gl_buf_free(gl_buf *b);

void *gl_xmalloc(size_t n);
void *gl_xcalloc(size_t n, size_t size);
void *gl_xrealloc(void *p, size_t n);
char *gl_xstrdup(const char *s);

#endif

/* Growable byte buffer. Allocation failure aborts: gleaner cannot report
 * anything useful once malloc fails, and checking every append would
 * drown the parsers in error paths. Sizes that come from evidence are
 * bounded by the callers before they reach here. */
#ifndef GL_BUF_H
#define GL_BUF_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct gl_buf {
    char *data;
    size_t len;
    size_t cap;
} gl_buf;

/* Grow so that `extra` more bytes (plus a NUL) fit. */
void gl_buf_grow(gl_buf *b, size_t extra);
/* The hot helpers are inline: parsers append output a byte at a time. */
static inline void gl_buf_reserve(gl_buf *b, size_t extra)
{
    if (extra >= b->cap - b->len || b->cap == 0)
        gl_buf_grow(b, extra);
}
/* memcpy, out of line (gl_copy's long case). */
void gl_copy_long(void *dst, const void *src, size_t n);
/* memcpy for the short strings dumps copy millions of times: up to 32
 * bytes as two overlapping fixed-size moves. musl's memcpy, and the one
 * gcc inlines for the release build, start `rep movs` whatever the
 * length, about 30 cycles before the first byte. */
static inline void gl_copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n > 32) {
        gl_copy_long(d, s, n);
    } else if (n >= 16) {
        unsigned char a[16], z[16];
        memcpy(a, s, 16);
        memcpy(z, s + n - 16, 16);
        memcpy(d, a, 16);
        memcpy(d + n - 16, z, 16);
    } else if (n >= 8) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &z, 8);
    } else if (n >= 4) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &z, 4);
    } else if (n) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

static inline void gl_buf_append(gl_buf *b, const void *p, size_t n)
{
    gl_buf_reserve(b, n);
    gl_copy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}
static inline void gl_buf_putc(gl_buf *b, char c)
{
    gl_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
static inline void gl_buf_puts(gl_buf *b, const char *s) { gl_buf_append(b, s, strlen(s)); }
void gl_buf_printf(gl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Append v in decimal (no printf: dumps write millions of numbers). */
void gl_buf_put_u64(gl_buf *b, uint64_t v);
/* NUL-terminated view (the NUL is not counted in len). */
const char *gl_buf_cstr(gl_buf *b);
void gl_buf_clear(gl_buf *b);
void gl_buf_free(gl_buf *b);

/* Room for element n of an array of `size`-byte elements with capacity
 * *cap (doubling, from 64); returns the array, possibly moved. */
void *gl_grow_array(void *p, size_t *cap, size_t n, size_t size);

/* What gl_x* do when an allocation fails: call the handler, then abort if
 * it returns. The engine's module guard (engine/guard.h) installs one that
 * leaves the module that ran out of memory instead; NULL: abort at once. */
void gl_set_oom_handler(void (*handler)(size_t n));
#ifdef GLEANER_TEST_BUILD
/* Test hook: every gl_x* allocation fails while fail() returns true. */
void gl_set_alloc_fault(int (*fail)(void));
#endif

void *gl_xmalloc(size_t n);
void *gl_xcalloc(size_t n, size_t size);
/* n zeroed elements, zeroed by writing them: fresh pages from calloc are
 * the shared zero page until written, so a table that is read before it
 * is written faults twice per page, and the second (copy-on-write) fault
 * flushes the TLB of every core the process's threads run on. For hash
 * tables and maps probed before they are filled. */
void *gl_xzalloc(size_t n, size_t size);
void *gl_xrealloc(void *p, size_t n);
char *gl_xstrdup(const char *s);
/* gl_big_alloc (prefault.h) that never returns NULL; free with gl_big_free. */
void *gl_xbig_alloc(size_t n);

#endif

#include "buf.h"
#include "prefault.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*oom_handler)(size_t n);
void gl_set_oom_handler(void (*handler)(size_t n)) { oom_handler = handler; }

static void out_of_memory(size_t n)
{
    if (oom_handler)
        oom_handler(n); /* returns only when it cannot recover */
    fprintf(stderr, "gleaner: out of memory allocating %zu bytes\n", n);
    abort();
}

#ifdef GLEANER_TEST_BUILD
static int (*alloc_fault)(void);
void gl_set_alloc_fault(int (*fail)(void)) { alloc_fault = fail; }
#define FAULT() (alloc_fault && alloc_fault())
#else
#define FAULT() 0
#endif

void *gl_xmalloc(size_t n)
{
    void *p = FAULT() ? NULL : malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *gl_xbig_alloc(size_t n)
{
    void *p = FAULT() ? NULL : gl_big_alloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *gl_xcalloc(size_t n, size_t size)
{
    void *p = FAULT() ? NULL : calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *gl_xzalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    size_t bytes = n * size;
    void *p = gl_xmalloc(bytes);
    memset(p, 0, bytes);
    return p;
}

void *gl_xrealloc(void *p, size_t n)
{
    void *q = FAULT() ? NULL : realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *gl_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = gl_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

void gl_copy_long(void *dst, const void *src, size_t n)
{
    if (n > 256 || n < 16) { /* rep movs pays off on long copies */
        memcpy(dst, src, n);
        return;
    }
    unsigned char *d = dst, t[16];
    const unsigned char *s = src;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        memcpy(t, s + i, 16);
        memcpy(d + i, t, 16);
    }
    if (i < n) { /* the last 16 bytes, overlapping what is done */
        memcpy(t, s + n - 16, 16);
        memcpy(d + n - 16, t, 16);
    }
}

void gl_buf_grow(gl_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        out_of_memory(SIZE_MAX);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = gl_xrealloc(b->data, cap);
    b->cap = cap;
}

void gl_buf_printf(gl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    gl_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

const char *gl_buf_cstr(gl_buf *b)
{
    gl_buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}

void gl_buf_clear(gl_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void gl_buf_free(gl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void gl_buf_put_u64(gl_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    gl_buf_append(b, tmp + i, sizeof tmp - i);
}

void *gl_grow_array(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    if (*cap > SIZE_MAX / 2 / size) /* a count no input can justify: out of memory, as gl_xrealloc would be */
        abort();
    *cap = *cap ? *cap * 2 : 64;
    return gl_xrealloc(p, *cap * size);
}

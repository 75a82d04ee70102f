#include "prefault.h"
#include <stdint.h>
#include <stdlib.h>
#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it */
#endif
#endif

void gl_prefault(void *p, size_t n)
{
#ifdef __linux__
    /* Only the whole pages inside the block: the ends may share a page
     * with other allocations, and those pages are mapped already. */
    long ps = sysconf(_SC_PAGESIZE);
    uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + n) & ~(page - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

/* Under AddressSanitizer big buffers stay in malloc, whose red zones catch
 * a parser reading past the end of a hive image. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GL_BIG_IN_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GL_BIG_IN_MALLOC 1
#endif

#if defined(__linux__) && defined(MADV_HUGEPAGE) && !defined(GL_BIG_IN_MALLOC)
#define HUGE_PAGE ((size_t)2 << 20)

/* The mapped length of a big block of n bytes: whole huge pages. */
static size_t big_len(size_t n) { return (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1); }

void *gl_big_alloc(size_t n)
{
    if (n < GL_BIG_MIN)
        return malloc(n);
    if (n > SIZE_MAX - 2 * HUGE_PAGE)
        return NULL;
    size_t len = big_len(n);
    /* Linux 6.7+ places an anonymous mapping of whole huge pages on a huge
     * page boundary; elsewhere map one more and trim to a boundary. */
    uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if ((uintptr_t)p & (HUGE_PAGE - 1)) {
        munmap(p, len);
        size_t span = len + HUGE_PAGE;
        uint8_t *q = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED)
            return NULL;
        p = (uint8_t *)(((uintptr_t)q + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
        if (p > q)
            munmap(q, (size_t)(p - q));
        if (q + span > p + len)
            munmap(p + len, (size_t)(q + span - (p + len)));
    }
    (void)madvise(p, len, MADV_HUGEPAGE);
    (void)madvise(p, len, MADV_POPULATE_WRITE);
    return p;
}

void gl_big_free(void *p, size_t n)
{
    if (!p)
        return;
    if (n < GL_BIG_MIN)
        free(p);
    else
        munmap(p, big_len(n));
}
#else
void *gl_big_alloc(size_t n) { return malloc(n); }

void gl_big_free(void *p, size_t n)
{
    (void)n;
    free(p);
}
#endif

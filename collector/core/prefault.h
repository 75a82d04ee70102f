/* Page-level hints and memory for large buffers that are filled at once. */
#ifndef GL_PREFAULT_H
#define GL_PREFAULT_H
#include <stddef.h>

/* A hint that the n bytes at p are about to be written whole: where the
 * system can (Linux 5.14+), their pages are mapped in one call instead of
 * one page fault per 4 KiB as they are first touched (about 0.2 ms per
 * MiB saved). Does nothing elsewhere or when refused. */
void gl_prefault(void *p, size_t n);

/* Buffers of at least this many bytes come from gl_big_alloc in huge pages. */
#define GL_BIG_MIN ((size_t)256 << 10)

/* n bytes (n > 0) for a buffer that will be touched whole: a hive image,
 * a file read into memory. From GL_BIG_MIN on Linux, anonymous memory in
 * 2 MiB huge pages where the kernel gives them (MADV_HUGEPAGE), mapped in
 * one call. Why: on virtual machines with shadow paging the first touch of
 * each 4 KiB page costs 5-10 us even after it is mapped, 2-3 ms per MiB,
 * where one 2 MiB huge page costs about 0.15 ms (docs/regf.md). Smaller
 * buffers and other systems get malloc. NULL when out of memory. */
void *gl_big_alloc(size_t n);

/* Free a gl_big_alloc block of n bytes (the n it was allocated with). */
void gl_big_free(void *p, size_t n);

#endif

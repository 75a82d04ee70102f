/* Random-access, read-only view of evidence bytes. Parsers (regf, evtx, ...)
 * take a gl_reader so the same code reads a file opened through a source,
 * a buffer in a unit test, or a fuzzer's input. */
#ifndef GL_READER_H
#define GL_READER_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct gl_reader {
    void *ctx;
    /* Read up to len bytes at off. Returns bytes read (0 at or past end),
     * or -1 with err set. Short reads happen only at end of data. */
    int64_t (*read_at)(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err);
    uint64_t size;
    const char *name; /* for error messages: the evidence path */
    /* The whole content, when the reader is backed by memory (a buffer or a
     * mapping); NULL otherwise. Lets a parser read in place, not copy. */
    const uint8_t *view;
} gl_reader;

typedef struct gl_mem_reader {
    const uint8_t *data;
    size_t len;
} gl_mem_reader;

/* A reader over memory; `mem` must outlive the reader. */
gl_reader gl_reader_memory(gl_mem_reader *mem, const void *data, size_t len, const char *name);

/* Read exactly len bytes at off; a short read is an error naming the
 * reader, the offset and the length. */
int gl_read_exact(const gl_reader *r, uint64_t off, void *buf, size_t len, gl_err *err);

#endif

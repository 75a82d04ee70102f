/* A spool holds a member (records, findings, log) while it is produced:
 * the tar stream is sequential, so members written over a whole run wait
 * here. It is an unlinked temporary file in the output directory, so memory
 * stays flat and nothing is left lying around in clear if gleaner dies. */
#ifndef GL_SPOOL_H
#define GL_SPOOL_H
#include <stdint.h>
#include <stdio.h>
#include "err.h"

typedef struct gl_spool {
    FILE *fp;
    uint64_t size;
    uint64_t lines;
} gl_spool;

int gl_spool_open(gl_spool *sp, const char *dir, gl_err *err);
int gl_spool_write(gl_spool *sp, const void *data, size_t n, gl_err *err);
/* Append data plus '\n' as one JSON Lines record. */
int gl_spool_line(gl_spool *sp, const char *line, size_t n, gl_err *err);
void gl_spool_close(gl_spool *sp);

#endif

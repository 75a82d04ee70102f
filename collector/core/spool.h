/* A spool holds a member (records, findings, log) while it is produced:
 * the tar stream is sequential, so members written over a whole run wait
 * here. It is an unlinked temporary file in the output directory, so memory
 * stays flat and nothing is left lying around in clear if gleaner dies. */
#ifndef GL_SPOOL_H
#define GL_SPOOL_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "err.h"

typedef struct gl_spool {
    FILE *fp;
    uint64_t size;
    uint64_t lines;
    bool sealed;              /* opened after gl_spool_seal_all: stored encrypted */
    unsigned char nonce[8];
} gl_spool;

/* From now on every spool this process opens is stored encrypted (AES-256
 * in counter mode under a random key that only ever lives in this
 * process's memory), so an encrypted collection leaves no clear text on
 * the disk even in its temporary files. Reads and writes through the
 * functions below are unchanged. -1 if no random key can be made. */
int gl_spool_seal_all(void);

int gl_spool_open(gl_spool *sp, const char *dir, gl_err *err);
int gl_spool_write(gl_spool *sp, const void *data, size_t n, gl_err *err);
/* Append data plus '\n' as one JSON Lines record. */
int gl_spool_line(gl_spool *sp, const char *line, size_t n, gl_err *err);
/* Read back what was written so far: len bytes at off (short only at the
 * end). Returns bytes read or -1 with err. Writing may continue after. */
int64_t gl_spool_read_at(gl_spool *sp, uint64_t off, void *buf, size_t len, gl_err *err);
/* Each line written so far, without its newline; cb returning non-zero
 * stops and is returned; -1 with err on a read error. */
int gl_spool_each_line(gl_spool *sp, int (*cb)(void *ctx, const char *line, size_t n), void *ctx, gl_err *err);
void gl_spool_close(gl_spool *sp);

#endif

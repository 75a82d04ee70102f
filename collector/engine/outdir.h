/* A run's own output written as plain files in a directory instead of a
 * bundle (analyze re-runs the modules over a bundle it already has):
 * records/<module>.jsonl, findings.jsonl, timeline.jsonl, run.json and
 * log.txt under the same names as in a bundle. Evidence is read in place,
 * never copied: the acquirer only names each file's bundle member, so
 * findings point at the same members as the collection's did. */
#ifndef GL_OUTDIR_H
#define GL_OUTDIR_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "source.h"
#include "spool.h"

typedef struct gl_outdir gl_outdir;

/* dir must exist. */
gl_outdir *gl_outdir_create(const char *dir, gl_err *err);
/* Write member (a relative path, parents created) from a spool / bytes;
 * an existing file is replaced. */
int gl_outdir_add_spool(gl_outdir *o, const char *member, gl_spool *sp, gl_err *err);
int gl_outdir_add_buffer(gl_outdir *o, const char *member, const void *data, size_t n, gl_err *err);
/* Names opened files as the bundle writer would, without copying them. */
gl_acquirer gl_outdir_acquirer(gl_outdir *o);
/* Evidence files named so far (each open counts once per member name). */
uint64_t gl_outdir_artifacts(const gl_outdir *o);
void gl_outdir_close(gl_outdir *o);

#endif

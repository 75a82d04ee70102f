/* Reading manifest.json as a stream: its members are handed out one at a
 * time while the bytes arrive, so verifying a bundle of any number of
 * members never holds the manifest (or a parse tree of it) in memory. The
 * text is hostile: depth, element and header sizes are bounded. */
#ifndef GL_MANIFEST_STREAM_H
#define GL_MANIFEST_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct gl_manifest_entry {
    const char *path;
    const char *sha256;
    double size; /* as the JSON number says (compared with the member's) */
} gl_manifest_entry;

/* Non-zero from the callback is kept and returned by gl_manifest_finish. */
typedef int (*gl_manifest_cb)(void *ctx, const gl_manifest_entry *e);

typedef struct gl_manifest_reader gl_manifest_reader;

gl_manifest_reader *gl_manifest_reader_new(gl_manifest_cb cb, void *ctx);
void gl_manifest_feed(gl_manifest_reader *r, const void *data, size_t n);
/* After the last byte: 0 when the text was a gl manifest (format and a
 * members array) whose every entry had a path, a sha256 and a size; -1
 * with err saying what was wrong otherwise (*malformed: entries refused). */
int gl_manifest_finish(gl_manifest_reader *r, size_t *malformed, gl_err *err);
void gl_manifest_reader_free(gl_manifest_reader *r);

#endif

/* A whole local file, read-only, for tools that take a path from the
 * analyst (`gleaner reg dump HIVE`) rather than through a source. The file
 * is mapped when it can be, so a parser can read it in place without a
 * copy, and read into memory otherwise (an empty or unmappable file). */
#ifndef GL_MAPFILE_H
#define GL_MAPFILE_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

typedef struct gl_mapfile {
    const uint8_t *data; /* the content (NULL when empty) */
    size_t len;
    /* The size fstat reported, set even when the file is refused for
     * being over the cap, so the caller can name it. */
    uint64_t size;
    void *map; /* private: the mapping, or NULL when read into copy */
    gl_buf copy;
} gl_mapfile;

/* Open path read-only (O_NOFOLLOW: a symbolic link is refused, not
 * followed; only regular files) and map or read it whole. Over cap bytes
 * it is refused before anything is read: -1 with GL_ERR_LIMIT and
 * mf->size set. A file that grows while it is read is cut at cap + 1
 * bytes, so a parser given the same cap still refuses it. Returns 0, or -1
 * with err naming the path. mf is always safe to gl_mapfile_close. */
int gl_mapfile_open(gl_mapfile *mf, const char *path, uint64_t cap, gl_err *err);
void gl_mapfile_close(gl_mapfile *mf);

/* The file beside path named path's last component + suffix, matched
 * case-insensitively (NTUSER.DAT + ".LOG1" finds ntuser.dat.log1), as
 * "<dir>/<name>"; NULL when there is none. Free with free(). */
char *gl_file_sibling(const char *path, const char *suffix);

#endif

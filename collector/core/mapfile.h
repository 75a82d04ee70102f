/* A whole local file, read-only, for tools that take a path from the
 * analyst (`gleaner reg dump HIVE`) rather than through a source. A file of
 * up to GL_MAPFILE_READ_MAX bytes is read into huge-page memory
 * (gl_big_alloc): on virtual machines with shadow paging the first touch of
 * every mapped 4 KiB page costs more than reading it, and a read file cannot
 * fault if it is cut while in use. Larger files are mapped, so memory is the
 * page cache's; a file that cannot be mapped (or is empty by fstat) is read
 * into a buffer. */
#ifndef GL_MAPFILE_H
#define GL_MAPFILE_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

/* Files up to this size are read, larger ones mapped. */
#define GL_MAPFILE_READ_MAX ((uint64_t)64 << 20)

typedef struct gl_mapfile {
    const uint8_t *data; /* the content (NULL when empty) */
    size_t len;
    /* The size fstat reported, set even when the file is refused for
     * being over the cap, so the caller can name it. */
    uint64_t size;
    void *map;       /* private: the mapping, or NULL */
    uint8_t *read;   /* private: the gl_big_alloc block read into, or NULL */
    size_t read_cap; /* its size */
    gl_buf copy;     /* private: content read without a known size */
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

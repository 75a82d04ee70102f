/* The file-system backend under gl_source: the only place that talks to
 * the operating system about evidence files. source.c keeps the logic
 * (path splitting, case-insensitive lookup, globbing, the output-directory
 * exclusion, acquisition) and reaches the disk only through these calls,
 * so a second backend can sit behind the same header:
 *
 *   source_posix.c   openat/fstatat/readdir/pread (Linux and other POSIX)
 *   source_win32.c   (later) wide-char API on \\?\ paths, handles opened
 *                    with backup semantics, reparse points opened as such
 *
 * Handles are opaque and names are UTF-8 (a Windows backend converts from
 * and to UTF-16; a POSIX backend passes the bytes on disk through). Names
 * handed to the *_at calls are single components, as split from an
 * evidence path or listed by gl_fs_list: never empty, never "." or "..",
 * never holding the platform's own separator.
 *
 * What every backend guarantees:
 *  - Read-only: nothing is ever created, written, renamed, deleted or
 *    locked against other readers (share read/write/delete on Windows).
 *  - Links are never followed below the root: symbolic links, junctions
 *    and other reparse points are reported as GL_FS_LINK by stat_at and
 *    refused by open_dir_at and open_file_at, so nothing outside the root
 *    can be reached. Only the operator's own paths (the root, the output
 *    directory) are resolved through links.
 *  - No access-time change where the OS lets a plain reader avoid it
 *    (O_NOATIME on Linux); never by asking for write access, so on Windows
 *    it is left to the volume's last-access policy.
 *  - open_file_at never blocks on what it opens, and checks the type of
 *    the object it actually opened (not of what stat_at saw earlier): a
 *    regular file swapped for a FIFO, device or directory is refused.
 *  - A directory handle serves several walks at once (every walk starts
 *    from the source's one root handle): stat_at and open_*_at must not
 *    depend on any position kept in the handle; list reads the whole
 *    directory from its start in one call, so nested walks in one thread
 *    may list the same handle (two threads may not at the same time).
 *  - Each open directory knows its identity (taken from the opened
 *    object, one fstat), so walks detect loops and mount points without
 *    a stat before the open.
 *  - Failures set errno (a Windows backend maps its error codes: not
 *    found -> ENOENT, a non-directory in the path -> ENOTDIR, access
 *    denied -> EACCES, a link where none may be -> ELOOP, other I/O -> EIO)
 *    so source.c words every error the same way whatever the backend. */
#ifndef GL_SOURCE_FS_H
#define GL_SOURCE_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "source.h"

typedef struct gl_fs_dir gl_fs_dir;   /* an open directory */
typedef struct gl_fs_file gl_fs_file; /* an open regular file, read-only */

typedef enum gl_fs_type {
    GL_FS_FILE,  /* regular file */
    GL_FS_DIR,
    GL_FS_LINK,  /* symbolic link, junction or other reparse point */
    GL_FS_OTHER, /* FIFO, socket, device, ... */
    GL_FS_UNKNOWN, /* gl_fs_list only: the listing does not say; stat it */
} gl_fs_type;

/* Which object on which volume: equal identities are the same directory
 * or file (POSIX: st_dev and st_ino; Windows: the volume serial number
 * and the 128-bit file id). Compare with gl_fs_same_object. */
typedef struct gl_fs_id {
    uint64_t volume;
    uint64_t object[2];
} gl_fs_id;

typedef struct gl_fs_stat {
    gl_fs_type type;
    uint64_t size; /* regular files; 0 for anything else */
    /* ctime is the metadata change time; btime (creation) may be invalid
     * where the file system or kernel does not report it. */
    gl_timespec mtime, atime, ctime, btime;
    gl_fs_id id;
    char owner[GL_OWNER_MAX]; /* see gl_file_info.owner; "" when unknown */
} gl_fs_stat;

static inline bool gl_fs_same_object(const gl_fs_id *a, const gl_fs_id *b)
{
    return a->volume == b->volume && a->object[0] == b->object[0] && a->object[1] == b->object[1];
}

/* The operator's own paths, given in host form ("/mnt/c", "D:\\out").
 * These follow links: the operator chose them. NULL / -1 with errno. */
gl_fs_dir *gl_fs_open_root(const char *host_path);
int gl_fs_stat_path(const char *host_path, gl_fs_stat *st);

/* Entry `name` of `dir`, never following a link. -1 with errno. */
int gl_fs_stat_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st);
/* Open subdirectory `name`; NULL with errno (a link is refused: ELOOP on
 * POSIX; a non-directory: ENOTDIR). */
gl_fs_dir *gl_fs_open_dir_at(gl_fs_dir *dir, const char *name);
/* The identity of the directory as opened. */
const gl_fs_id *gl_fs_dir_identity(const gl_fs_dir *dir);
/* Call cb once per entry of `dir` except "." and "..", in whatever order
 * the file system gives, with the entry's type when the listing tells it
 * (GL_FS_UNKNOWN otherwise); the name is valid during the call only.
 * Returns 0, or -1 with errno when the directory cannot be read. */
typedef void (*gl_fs_name_cb)(void *ctx, const char *name, gl_fs_type type);
int gl_fs_list(gl_fs_dir *dir, gl_fs_name_cb cb, void *ctx);
/* Where link `name` points, as stored (never resolved); -1 with errno. */
int gl_fs_readlink_at(gl_fs_dir *dir, const char *name, gl_buf *out);
void gl_fs_dir_close(gl_fs_dir *dir);

/* Open regular file `name` of `dir` read-only and fill st from the opened
 * object. Returns the file, or NULL with *not_regular set when what was
 * opened is not a regular file (errno untouched), or NULL with errno set
 * when the OS refused (a link: ELOOP on POSIX). */
gl_fs_file *gl_fs_open_file_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st, bool *not_regular);
/* One read of up to len bytes at off (interruptions retried): may return
 * fewer, 0 at end of file, -1 with errno. */
int64_t gl_fs_pread(gl_fs_file *f, uint64_t off, void *buf, size_t len);
void gl_fs_file_close(gl_fs_file *f);

/* Mapping a file instead of reading it, for a reader that passes over
 * every byte once (YARA): no copy out of the page cache. Another process
 * may shrink the file while it is mapped, and a read past the new end
 * raises SIGBUS; between gl_fs_map and gl_fs_map_end, on the thread that
 * mapped it, such a read gets zeros instead of ending the process, and
 * gl_fs_map_end says so. gl_fs_map_init installs that handler once; call
 * it before any other code that saves and restores signal handlers runs
 * (libyara's scanner does), which gl_source_open does.
 *
 * gl_fs_map: the first len bytes (0 < len <= the size when opened),
 * read-only, valid until gl_fs_file_close; NULL where the backend does not
 * map (Windows: a file open for writing elsewhere cannot shrink there, but
 * reading keeps one code path for locked and raw-read files) or the
 * mapping failed: then read. One mapping per file.
 * gl_fs_map_end: false when some bytes read were past the file's end. */
void gl_fs_map_init(void);
const uint8_t *gl_fs_map(gl_fs_file *f, size_t len);
bool gl_fs_map_end(gl_fs_file *f);

#endif

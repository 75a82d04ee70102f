/* Sources: the one interface through which every module reads evidence.
 *
 *   live          this host: "/" on POSIX, the system drive C:\ on Windows (liveroot.h)
 *   dir:PATH      root of a Windows system drive (mounted image, triage tree)
 *   bundle:FILE   a gleaner bundle; its artifacts/ become the drive again
 *
 * Paths inside gleaner are UTF-8 Windows paths: "C:\Windows\System32\config\SOFTWARE".
 * '/' is accepted as a separator and the drive letter is optional. Lookup is
 * case-insensitive whatever the case on disk. Every file opened while an
 * acquirer is attached is streamed into the bundle once (deduplicated by
 * path) before the module reads it: acquisition is a side effect of
 * reading, so collect and re-analysis run the same module code.
 *
 * Names: a name on disk that is not valid UTF-8 (NTFS allows unpaired
 * UTF-16 surrogates), or that holds a backslash or '|', is written in
 * evidence paths and bundle member names with each such byte as |XX (two
 * uppercase hex digits). '|' cannot occur in an NTFS name, so Windows
 * names are never changed; |XX in a path or pattern given to the source
 * means that byte. */
#ifndef GL_SOURCE_H
#define GL_SOURCE_H
#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "reader.h"

typedef struct gl_source gl_source;
typedef struct gl_file gl_file;

typedef struct gl_timespec {
    int64_t sec;
    long nsec;
    bool valid;
} gl_timespec;

/* Room for an owner: a user name, a uid, or (Windows) a SID string. */
#define GL_OWNER_MAX 192

typedef struct gl_file_info {
    const char *path;     /* evidence path with the on-disk case, e.g. "C:\Windows\win.ini" */
    uint64_t size;
    /* Who owns it as the file system says: on POSIX the user name of the
     * file's uid ("1001" when no account has that uid), a SID string on
     * Windows; "" where unknown (bundle sources: the unpacked copies are
     * owned by whoever unpacked them, not by the original owner). */
    char owner[GL_OWNER_MAX];
    bool is_dir;
    bool is_link;         /* links are reported, never followed */
    const char *link_target; /* gl_source_glob: where a link points (escaped), else NULL */
    bool named;              /* gl_source_glob: the pattern's last component names it (no wildcard) */
    /* The path below the root as the file system gave its bytes, in hex
     * with components joined by '/' (2F), when some name in it had to be
     * escaped (see "Names" above); NULL otherwise. */
    const char *raw_path_hex;
    gl_timespec mtime, atime, ctime, btime;
} gl_file_info;

/* How a file's bytes were obtained, recorded in the manifest. */
#define GL_READ_METHOD_POSIX "posix-read"

gl_source *gl_source_open(const char *spec, gl_err *err);
/* Same, with bundle: sources unpacking into a scratch directory created
 * under scratch_parent (the output directory) and removed on close. */
gl_source *gl_source_open_scratch(const char *spec, const char *scratch_parent, gl_err *err);
void gl_source_close(gl_source *src);
const char *gl_source_spec(const gl_source *src);  /* as given: "dir:/mnt/c" */
const char *gl_source_kind(const gl_source *src);  /* "live", "dir", "bundle" */
const char *gl_source_drive(const gl_source *src); /* drive label used in artifacts/: "C" */

/* A dir: source over a temporary folder of gleaner's own laid out like a
 * drive labelled `drive`, removed with everything in it on close. */
gl_source *gl_source_open_temp(const char *dir, const char *drive, gl_err *err);
/* A file the host would not let be read, copied out through an API (a
 * live event log exported with EvtExportLog) to the same path in copies
 * (a gl_source_open_temp folder): from now on, opening `path` on src reads
 * the copy, under the same evidence path and bundle member, so modules
 * read what was preserved. Every call names the same copies, which src
 * takes over and closes with itself; copies must not redirect in turn. */
void gl_source_redirect(gl_source *src, const char *path, gl_source *copies);

/* Never read anything under this directory (the output directory). */
void gl_source_exclude(gl_source *src, const char *host_path);

/* Open a file read-only. Acquires it when an acquirer is attached. */
gl_file *gl_source_open_file(gl_source *src, const char *path, gl_err *err);
const gl_file_info *gl_file_get_info(const gl_file *f);
/* Bundle member that holds this file ("artifacts/C/Windows/..."), or NULL
 * when the file was opened without acquisition. */
const char *gl_file_artifact(const gl_file *f);
gl_reader gl_file_reader(gl_file *f);
void gl_file_close(gl_file *f);

/* The file's first min(its size when opened, max) bytes in place,
 * read-only, for a reader that passes over every byte once (no copy out
 * of the page cache): where the platform maps files (POSIX), else NULL
 * (then read it), as for an empty file or a failed mapping. *len: the
 * bytes mapped. Valid until gl_file_close; read it on this thread only,
 * and only until gl_file_map_check. */
const uint8_t *gl_file_map(gl_file *f, uint64_t max, size_t *len);
/* After reading the mapping: 0, or -1 with err (GL_ERR_IO) when the file
 * shrank meanwhile, so that bytes past its new end were read as zeros. */
int gl_file_map_check(gl_file *f, gl_err *err);

/* Same, never acquired (host detection, peeks that no target covers). */
gl_file *gl_source_open_unacquired(gl_source *src, const char *path, gl_err *err);
/* After reading a file to its end: 0 when it ends where it did when
 * opened, -1 with err (GL_ERR_IO) when it grew meanwhile or the check
 * failed. Reads through gl_file_reader already fail when it shrank. */
int gl_file_check_end(gl_file *f, gl_err *err);

/* Walk into directories on other volumes than the root (mount points);
 * by default they are not crossed, and each one skipped is an error. */
void gl_source_cross_mounts(gl_source *src, bool cross);

/* Stat without opening; -1 with err when it does not exist. info->path
 * points into storage valid until the next call on src. */
int gl_source_stat(gl_source *src, const char *path, gl_file_info *info, gl_err *err);

/* Where walk problems go one by one (the run: one error each, in the
 * module whose walk met them). Without it, gl_source_glob gathers them
 * into its err. */
typedef void (*gl_source_problem_cb)(void *ctx, const char *msg);
void gl_source_set_problem_cb(gl_source *src, gl_source_problem_cb cb, void *ctx);

/* How deep a walk goes below the root; deeper is an error naming the path. */
#define GL_WALK_MAX_DEPTH 512

/* Expand a pattern: components may hold '*' and '?' (case-insensitive) and
 * a component "**" matches zero or more directories, at any depth up to
 * GL_WALK_MAX_DEPTH. Calls cb for each match in a stable (sorted) order;
 * cb returning non-zero stops the walk and is returned. Links and the
 * excluded output directory are never entered, nor a directory already
 * on the current path (a loop). What the walk could not read (a directory
 * that cannot be listed or opened, a mount point not crossed, a loop, the
 * depth limit) does not stop it: each goes to the problem callback when
 * one is set, else the glob returns -1 at the end with err naming the
 * first of them, so the caller reports the run partial. */
typedef int (*gl_glob_cb)(void *ctx, const gl_file_info *info);
int gl_source_glob(gl_source *src, const char *pattern, gl_glob_cb cb, void *ctx, gl_err *err);

/* Case-insensitive glob match of one name against one pattern component. */
bool gl_glob_match(const char *pattern, const char *name);

/* The acquirer (the bundle writer) sees each opened file once. */
typedef struct gl_acquirer {
    void *ctx;
    /* Stream the file into the bundle; returns the member name (owned by
     * the acquirer) or NULL with err set. */
    const char *(*acquire)(void *ctx, gl_file *f, const char *member, gl_err *err);
} gl_acquirer;
void gl_source_set_acquirer(gl_source *src, gl_acquirer *acq);

#endif

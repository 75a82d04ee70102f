/* POSIX backend of the source (source_fs.h). Every evidence path is walked
 * with *at() calls relative to open directory descriptors and O_NOFOLLOW,
 * so a link planted in the tree can neither be followed nor redirect a
 * walk already under way. */
#include "source_fs.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "buf.h"

struct gl_fs_dir {
    int fd;
};

struct gl_fs_file {
    int fd;
};

static gl_fs_type type_of(mode_t mode)
{
    if (S_ISREG(mode))
        return GL_FS_FILE;
    if (S_ISDIR(mode))
        return GL_FS_DIR;
    if (S_ISLNK(mode))
        return GL_FS_LINK;
    return GL_FS_OTHER;
}

/* The user name of uid, or the uid as text when no account has it. A tree
 * is mostly one owner's, so the last answer is kept (per thread: walks
 * and scans run in several). */
static void owner_of(uid_t uid, char out[GL_OWNER_MAX])
{
    static _Thread_local struct {
        bool valid;
        uid_t uid;
        char name[GL_OWNER_MAX];
    } last;
    if (!last.valid || last.uid != uid) {
        struct passwd pw, *found = NULL;
        char buf[4096];
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name[0] &&
            strlen(found->pw_name) < GL_OWNER_MAX)
            strcpy(last.name, found->pw_name);
        else
            snprintf(last.name, sizeof last.name, "%lu", (unsigned long)uid);
        last.uid = uid;
        last.valid = true;
    }
    memcpy(out, last.name, GL_OWNER_MAX);
}

static void from_stat(const struct stat *s, gl_fs_stat *out)
{
    memset(out, 0, sizeof *out);
    out->type = type_of(s->st_mode);
    out->size = S_ISREG(s->st_mode) ? (uint64_t)s->st_size : 0;
    out->mtime = (gl_timespec){s->st_mtim.tv_sec, s->st_mtim.tv_nsec, true};
    out->atime = (gl_timespec){s->st_atim.tv_sec, s->st_atim.tv_nsec, true};
    out->ctime = (gl_timespec){s->st_ctim.tv_sec, s->st_ctim.tv_nsec, true};
    out->id = (gl_fs_id){(uint64_t)s->st_dev, {(uint64_t)s->st_ino, 0}};
    owner_of(s->st_uid, out->owner);
}

#ifdef STATX_BTIME
static gl_timespec from_statx_time(const struct statx_timestamp *t)
{
    return (gl_timespec){t->tv_sec, (long)t->tv_nsec, true};
}

static void from_statx(const struct statx *s, gl_fs_stat *out)
{
    memset(out, 0, sizeof *out);
    out->type = type_of(s->stx_mode);
    out->size = S_ISREG(s->stx_mode) ? s->stx_size : 0;
    out->mtime = from_statx_time(&s->stx_mtime);
    out->atime = from_statx_time(&s->stx_atime);
    out->ctime = from_statx_time(&s->stx_ctime);
    if (s->stx_mask & STATX_BTIME)
        out->btime = from_statx_time(&s->stx_btime);
    out->id = (gl_fs_id){(uint64_t)makedev(s->stx_dev_major, s->stx_dev_minor), {s->stx_ino, 0}};
    owner_of((uid_t)s->stx_uid, out->owner);
}
#endif

/* One stat for everything, creation time included, where statx exists;
 * plain fstatat (no creation time) where the kernel or a seccomp filter
 * refuses statx. */
static int stat_common(int dirfd, const char *name, int flags, gl_fs_stat *out)
{
#ifdef STATX_BTIME
    struct statx stx;
    if (statx(dirfd, name, flags, STATX_BASIC_STATS | STATX_BTIME, &stx) == 0) {
        from_statx(&stx, out);
        return 0;
    }
    if (errno != ENOSYS && errno != EPERM)
        return -1;
#endif
    struct stat st;
    if (fstatat(dirfd, name, &st, flags) != 0)
        return -1;
    from_stat(&st, out);
    return 0;
}

static gl_fs_dir *dir_from_fd(int fd)
{
    if (fd < 0)
        return NULL;
    gl_fs_dir *d = gl_xmalloc(sizeof *d);
    d->fd = fd;
    return d;
}

/* Close without letting close() overwrite the errno being reported. */
static void close_keep_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

gl_fs_dir *gl_fs_open_root(const char *host_path)
{
    return dir_from_fd(open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

int gl_fs_stat_path(const char *host_path, gl_fs_stat *st)
{
    return stat_common(AT_FDCWD, host_path, 0, st);
}

int gl_fs_stat_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st)
{
    return stat_common(dir->fd, name, AT_SYMLINK_NOFOLLOW, st);
}

gl_fs_dir *gl_fs_open_dir_at(gl_fs_dir *dir, const char *name)
{
    return dir_from_fd(openat(dir->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

int gl_fs_list(gl_fs_dir *dir, gl_fs_name_cb cb, void *ctx)
{
    /* readdir consumes the descriptor's position: list through a fresh
     * descriptor so dir stays usable for *at() calls and later listings */
    int fd = openat(dir->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close_keep_errno(fd);
        return -1;
    }
    int rc = 0;
    for (;;) {
        errno = 0; /* readdir's only way to tell the end from an error */
        struct dirent *e = readdir(d);
        if (!e) {
            rc = errno ? -1 : 0;
            break;
        }
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            cb(ctx, e->d_name);
    }
    int saved = errno;
    closedir(d);
    errno = saved;
    return rc;
}

void gl_fs_dir_close(gl_fs_dir *dir)
{
    if (!dir)
        return;
    close(dir->fd);
    free(dir);
}

gl_fs_file *gl_fs_open_file_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st, bool *not_regular)
{
    *not_regular = false;
    /* O_NONBLOCK: a FIFO swapped in for the file must not hang the open;
     * O_NOCTTY: nor may a terminal become ours before the type check */
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    int fd = openat(dir->fd, name, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) /* O_NOATIME needs ownership; read anyway */
        fd = openat(dir->fd, name, flags);
    if (fd < 0)
        return NULL;
    if (stat_common(fd, "", AT_EMPTY_PATH, st) != 0) {
        close_keep_errno(fd);
        return NULL;
    }
    if (st->type != GL_FS_FILE) {
        close(fd);
        *not_regular = true;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        close_keep_errno(fd);
        return NULL;
    }
    gl_fs_file *f = gl_xmalloc(sizeof *f);
    f->fd = fd;
    return f;
}

int64_t gl_fs_pread(gl_fs_file *f, uint64_t off, void *buf, size_t len)
{
    if (off > (uint64_t)INT64_MAX) {
        errno = EINVAL;
        return -1;
    }
    for (;;) {
        ssize_t n = pread(f->fd, buf, len, (off_t)off);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

void gl_fs_file_close(gl_fs_file *f)
{
    if (!f)
        return;
    close(f->fd);
    free(f);
}

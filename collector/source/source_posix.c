/* POSIX backend of the source (source_fs.h). Every evidence path is walked
 * with *at() calls relative to open directory descriptors and O_NOFOLLOW,
 * so a link planted in the tree can neither be followed nor redirect a
 * walk already under way. */
#include "source_fs.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "buf.h"

struct gl_fs_dir {
    int fd;
    gl_fs_id id;
};

struct gl_fs_file {
    int fd;
    uint64_t fail_from; /* test builds: reads from here fail with EIO */
    void *map;          /* gl_fs_map's mapping, or NULL */
    size_t map_len;     /* its length in whole pages */
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

/* Test hooks (GLEANER_TEST_BUILD only): faults the tests cannot cause
 * for real as root or on one file system, made deterministic. Each names
 * the one entry it applies to. */
#ifdef GLEANER_TEST_BUILD
static bool test_hook(const char *var, const char *name)
{
    const char *v = getenv(var);
    return v && !strcmp(v, name);
}
#else
#define test_hook(var, name) false
#endif

/* Close without letting close() overwrite the errno being reported. */
static void close_keep_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

/* A directory handle over fd, with the identity of what was opened (not
 * of what a stat before the open saw). Consumes fd. */
static gl_fs_dir *dir_from_fd(int fd, const char *name)
{
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close_keep_errno(fd);
        return NULL;
    }
    gl_fs_dir *d = gl_xmalloc(sizeof *d);
    d->fd = fd;
    d->id = (gl_fs_id){(uint64_t)st.st_dev, {(uint64_t)st.st_ino, 0}};
    if (name && test_hook("GLEANER_TEST_FAKE_MOUNT", name))
        d->id.volume ^= 0x5a5a; /* as if another file system were mounted here */
    return d;
}

gl_fs_dir *gl_fs_open_root(const char *host_path)
{
    return dir_from_fd(open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), NULL);
}

int gl_fs_stat_path(const char *host_path, gl_fs_stat *st)
{
    return stat_common(AT_FDCWD, host_path, 0, st);
}

int gl_fs_stat_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st)
{
    return stat_common(dir->fd, name, AT_SYMLINK_NOFOLLOW, st);
}

/* O_NOATIME is refused (EPERM) on what the caller does not own unless it
 * is privileged: then open without it rather than not at all. */
static int open_noatime(int dirfd, const char *name, int flags)
{
    int fd = openat(dirfd, name, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = openat(dirfd, name, flags);
    return fd;
}

gl_fs_dir *gl_fs_open_dir_at(gl_fs_dir *dir, const char *name)
{
    if (test_hook("GLEANER_TEST_EACCES", name)) {
        errno = EACCES; /* what chmod 000 gives a reader that is not root */
        return NULL;
    }
    /* O_NOATIME: listing must not change the directory's access time */
    return dir_from_fd(open_noatime(dir->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), name);
}

const gl_fs_id *gl_fs_dir_identity(const gl_fs_dir *dir) { return &dir->id; }

static gl_fs_type type_of_dirent(unsigned char t)
{
    switch (t) {
    case DT_REG:
        return GL_FS_FILE;
    case DT_DIR:
        return GL_FS_DIR;
    case DT_LNK:
        return GL_FS_LINK;
    case DT_UNKNOWN:
        return GL_FS_UNKNOWN;
    default:
        return GL_FS_OTHER;
    }
}

int gl_fs_list(gl_fs_dir *dir, gl_fs_name_cb cb, void *ctx)
{
    /* getdents on the handle itself, from its start: no second descriptor
     * (one that would be opened without O_NOATIME) and no DIR buffer */
    if (lseek(dir->fd, 0, SEEK_SET) != 0)
        return -1;
    /* glibc declares the buffer void *, musl struct dirent * (its
     * dirent64): a struct dirent64 pointer suits both */
    union {
        struct dirent64 first;
        char bytes[32768];
    } ents;
    const char *buf = ents.bytes;
    for (;;) {
        ssize_t n = getdents64(dir->fd, &ents.first, sizeof ents);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : 0;
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *e = (const struct dirent64 *)(buf + off);
            if (e->d_reclen == 0 || e->d_reclen > n - off) { /* never from a sane kernel */
                errno = EIO;
                return -1;
            }
            off += e->d_reclen;
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                cb(ctx, e->d_name, type_of_dirent(e->d_type));
        }
    }
}

int gl_fs_readlink_at(gl_fs_dir *dir, const char *name, gl_buf *out)
{
    char target[4096];
    ssize_t n = readlinkat(dir->fd, name, target, sizeof target);
    if (n < 0)
        return -1;
    gl_buf_clear(out);
    gl_buf_append(out, target, (size_t)n);
    if ((size_t)n == sizeof target)
        gl_buf_puts(out, "...");
    return 0;
}

void gl_fs_dir_close(gl_fs_dir *dir)
{
    if (!dir)
        return;
    close(dir->fd);
    free(dir);
}

#ifdef GLEANER_TEST_BUILD
/* Change the file under the open descriptor, as a live host may between
 * the stat and the read: cut it to half its size or add to it. */
static void test_change_after_open(gl_fs_dir *dir, const char *name, uint64_t size)
{
    bool shrink = test_hook("GLEANER_TEST_SHRINK", name), grow = test_hook("GLEANER_TEST_GROW", name);
    if (!shrink && !grow)
        return;
    int w = openat(dir->fd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (w < 0)
        return;
    if (shrink && ftruncate(w, (off_t)(size / 2)) != 0)
        perror("test hook: ftruncate");
    if (grow && write(w, "grown", 5) != 5)
        perror("test hook: write");
    close(w);
}
#endif

gl_fs_file *gl_fs_open_file_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st, bool *not_regular)
{
    *not_regular = false;
    /* O_NONBLOCK: a FIFO swapped in for the file must not hang the open;
     * O_NOCTTY: nor may a terminal become ours before the type check.
     * O_NONBLOCK stays set: reads of a regular file ignore it. */
    int fd = open_noatime(dir->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
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
    gl_fs_file *f = gl_xcalloc(1, sizeof *f);
    f->fd = fd;
    f->fail_from = UINT64_MAX;
#ifdef GLEANER_TEST_BUILD
    test_change_after_open(dir, name, st->size);
    if (test_hook("GLEANER_TEST_EIO", name))
        f->fail_from = st->size / 2;
#endif
    return f;
}

int64_t gl_fs_pread(gl_fs_file *f, uint64_t off, void *buf, size_t len)
{
    if (off > (uint64_t)INT64_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (off >= f->fail_from) {
        errno = EIO;
        return -1;
    }
    if (f->fail_from != UINT64_MAX && len > f->fail_from - off)
        len = (size_t)(f->fail_from - off);
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
    if (f->map)
        munmap(f->map, f->map_len);
    close(f->fd);
    free(f);
}

/* ---- mapping, safe against a file that shrinks -------------------------- */

/* The mapping this thread reads, [lo, hi) in whole pages, and whether a
 * read past the file's end was answered with zeros. */
static _Thread_local struct {
    uintptr_t lo, hi;
    volatile sig_atomic_t patched;
} map_guard;
static struct sigaction sigbus_before;
static uintptr_t page_size;

/* A read past the end of a shrunken file: zero pages replace the rest of
 * the guarded mapping (the faulting read then resumes on them). Any other
 * SIGBUS goes to the handler that was there before, or ends the process as
 * it would have. Only async-signal-safe calls: mmap, sigaction. */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    uintptr_t at = (uintptr_t)si->si_addr;
    if (at >= map_guard.lo && at < map_guard.hi) {
        uintptr_t page = at & ~(page_size - 1);
        if (mmap((void *)page, map_guard.hi - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
            MAP_FAILED) {
            map_guard.patched = 1;
            return;
        }
    }
    if (sigbus_before.sa_flags & SA_SIGINFO)
        sigbus_before.sa_sigaction(sig, si, uc);
    else if (sigbus_before.sa_handler != SIG_DFL && sigbus_before.sa_handler != SIG_IGN)
        sigbus_before.sa_handler(sig);
    else
        sigaction(SIGBUS, &(struct sigaction){.sa_handler = SIG_DFL}, NULL); /* the read faults again: the default */
}

static void install_sigbus(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    page_size = ps > 0 ? (uintptr_t)ps : 4096;
    struct sigaction sa = {.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &sigbus_before);
}

void gl_fs_map_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_sigbus);
}

const uint8_t *gl_fs_map(gl_fs_file *f, size_t len)
{
    if (f->map || !len || f->fail_from != UINT64_MAX || !page_size)
        return NULL; /* injected read errors (test builds) go through pread */
    size_t span = (len + page_size - 1) & ~(size_t)(page_size - 1);
    /* not MAP_POPULATE: side by side it was no faster than a fault per
     * 64 KiB (the kernel maps pages around each fault) */
    void *p = mmap(NULL, span, PROT_READ, MAP_PRIVATE, f->fd, 0);
    if (p == MAP_FAILED)
        return NULL;
    f->map = p;
    f->map_len = span;
    map_guard.patched = 0;
    map_guard.lo = (uintptr_t)p;
    map_guard.hi = (uintptr_t)p + span;
    return p;
}

bool gl_fs_map_end(gl_fs_file *f)
{
    if (!f->map || map_guard.lo != (uintptr_t)f->map)
        return true;
    bool whole = !map_guard.patched;
    map_guard.lo = map_guard.hi = 0;
    return whole;
}

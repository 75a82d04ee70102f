/* Local files read whole: read, mapped, or read when mapping is not possible. */
#include "mapfile.h"
#include "prefault.h"
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every page is going to be read: fault them all in with one call. */
#ifdef MAP_POPULATE
#define MAP_POPULATE_IF_ANY MAP_POPULATE
#else
#define MAP_POPULATE_IF_ANY 0
#endif

#ifndef O_NOATIME
#define O_NOATIME 0
#endif

/* O_NONBLOCK: opening a FIFO must not wait for a writer before it can be
 * refused (it changes nothing for regular files). O_NOATIME keeps the
 * evidence's access time where the kernel lets us. */
static int open_readonly(const char *path)
{
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    int fd = open(path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM && O_NOATIME)
        fd = open(path, flags);
    return fd;
}

/* Read to the end, or to cap + 1 bytes for a file that grew past its
 * fstat size: one byte over lets the parser refuse it with its own cap. */
static int read_all(int fd, gl_mapfile *mf, uint64_t cap, const char *path, gl_err *err)
{
    char chunk[1 << 16];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return gl_err_errno(err, "%s", path);
        if (n == 0)
            return 0;
        if (mf->copy.len + (uint64_t)n > cap + 1) {
            gl_buf_append(&mf->copy, chunk, (size_t)(cap + 1 - mf->copy.len));
            return 0;
        }
        gl_buf_append(&mf->copy, chunk, (size_t)n);
    }
}

/* Read the file's fstat size into a big block; the content is what the
 * reads return, shorter if the file shrank. */
static int read_whole(int fd, gl_mapfile *mf, const char *path, gl_err *err)
{
    size_t want = (size_t)mf->size, got = 0;
    mf->read = gl_big_alloc(want);
    if (!mf->read)
        return gl_err_set(err, "%s: out of memory for its %zu bytes", path, want);
    mf->read_cap = want;
    while (got < want) {
        ssize_t n = pread(fd, mf->read + got, want - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return gl_err_errno(err, "%s: read at offset %zu", path, got);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    mf->data = mf->read;
    mf->len = got;
    return 0;
}

static bool map_whole(int fd, gl_mapfile *mf)
{
    if (mf->size == 0 || mf->size > SIZE_MAX)
        return false;
    void *p = mmap(NULL, (size_t)mf->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE_IF_ANY, fd, 0);
    if (p == MAP_FAILED)
        return false;
    mf->map = p;
    mf->data = p;
    mf->len = (size_t)mf->size;
    return true;
}

int gl_mapfile_open(gl_mapfile *mf, const char *path, uint64_t cap, gl_err *err)
{
    memset(mf, 0, sizeof *mf);
    int fd = open_readonly(path);
    if (fd < 0 && errno == ELOOP)
        return gl_err_setc(err, GL_ERR_USAGE, "%s: is a symbolic link (not followed)", path);
    if (fd < 0)
        return gl_err_errno(err, "%s", path);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = gl_err_errno(err, "%s", path);
    else if (!S_ISREG(st.st_mode))
        rc = gl_err_setc(err, GL_ERR_USAGE, "%s: not a regular file", path);
    else if ((mf->size = (uint64_t)st.st_size) > cap)
        rc = gl_err_setc(err, GL_ERR_LIMIT, "%s: %" PRIu64 " bytes, over the %" PRIu64 "-byte limit", path,
                         mf->size, cap);
    else if (mf->size > 0 && mf->size <= GL_MAPFILE_READ_MAX)
        rc = read_whole(fd, mf, path, err);
    else if (!map_whole(fd, mf)) {
        /* Empty by fstat (it may still have content) or not mappable. */
        rc = read_all(fd, mf, cap, path, err);
        mf->data = (const uint8_t *)mf->copy.data;
        mf->len = mf->copy.len;
    }
    close(fd);
    return rc;
}

void gl_mapfile_close(gl_mapfile *mf)
{
    if (mf->map)
        munmap(mf->map, mf->len);
    gl_big_free(mf->read, mf->read_cap);
    gl_buf_free(&mf->copy);
    memset(mf, 0, sizeof *mf);
}

/* Where path's last component starts: after the last '/', and on Windows
 * also after a backslash or a drive's "C:" (`reg dump` of
 * C:\Windows\System32\config\SYSTEM must find SYSTEM.LOG1 beside it,
 * not in the current folder). */
static size_t dir_part_len(const char *path)
{
    size_t len = 0;
    for (size_t i = 0; path[i]; i++) {
        bool sep = path[i] == '/';
#ifdef _WIN32
        sep = sep || path[i] == '\\' || (i == 1 && path[i] == ':');
#endif
        if (sep)
            len = i + 1;
    }
    return len;
}

char *gl_file_sibling(const char *path, const char *suffix)
{
    size_t dlen = dir_part_len(path);
    char *dir = dlen ? strndup(path, dlen) : strdup("./");
    const char *base = path + dlen;
    size_t blen = strlen(base), slen = strlen(suffix);
    char *found = NULL;
    DIR *dh = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (dh && !found && (e = readdir(dh))) {
        size_t n = strlen(e->d_name);
        if (n == blen + slen && !strncasecmp(e->d_name, base, blen) && !strcasecmp(e->d_name + blen, suffix)) {
            size_t total = strlen(dir) + n + 1;
            found = gl_xmalloc(total);
            snprintf(found, total, "%s%s", dir, e->d_name);
        }
    }
    if (dh)
        closedir(dh);
    free(dir);
    return found;
}

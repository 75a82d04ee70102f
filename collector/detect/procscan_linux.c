/* Linux processes for a YARA memory scan: /proc lists them, libyara reads
 * their memory through /proc/<pid>/mem (no ptrace stop). */
#include "procscan.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"

#define CMDLINE_MAX 32768 /* bytes of a command line kept */
#define MAX_PIDS 4194304  /* the kernel's pid_max limit */

/* Up to cap bytes of /proc/<pid>/<what> into out (NUL-terminated);
 * the length read, or -1 when it cannot be opened or read. */
static ssize_t read_proc(int pid, const char *what, char *out, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, what);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got + 1 < cap) {
        ssize_t n = read(fd, out + got, cap - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                got = 0;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    out[got] = '\0';
    return (ssize_t)got;
}

/* The arguments are NUL-separated: join them with spaces. */
static void join_args(char *s, size_t len)
{
    while (len && s[len - 1] == '\0')
        len--;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0')
            s[i] = ' ';
    s[len] = '\0';
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Every numeric entry of /proc but ours, sorted. */
static int list_pids(int **out, size_t *n, gl_err *err)
{
    DIR *d = opendir("/proc");
    if (!d)
        return gl_err_errno(err, "/proc");
    int self = (int)getpid(), *pids = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < MAX_PIDS) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || pid <= 0 || pid > MAX_PIDS || pid == self)
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 256;
            pids = gl_xrealloc(pids, cap * sizeof *pids);
        }
        pids[count++] = (int)pid;
    }
    closedir(d);
    if (count)
        qsort(pids, count, sizeof *pids, cmp_int);
    *out = pids;
    *n = count;
    return 0;
}

int gl_proc_each(gl_proc_cb cb, void *ctx, gl_err *err)
{
    int *pids = NULL;
    size_t n = 0;
    if (list_pids(&pids, &n, err) != 0)
        return -1;
    char *cmdline = gl_xmalloc(CMDLINE_MAX);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char name[64], exe[4096], path[64];
        ssize_t len = read_proc(pids[i], "comm", name, sizeof name);
        if (len < 0)
            continue; /* exited since the listing */
        if (len && name[len - 1] == '\n')
            name[len - 1] = '\0';
        snprintf(path, sizeof path, "/proc/%d/exe", pids[i]);
        ssize_t x = readlink(path, exe, sizeof exe - 1);
        bool no_image = x < 0 && errno == ENOENT;
        exe[x > 0 ? x : 0] = '\0';
        len = read_proc(pids[i], "cmdline", cmdline, CMDLINE_MAX);
        if (no_image && len <= 0)
            continue; /* a kernel thread or a zombie: no user memory to scan */
        join_args(cmdline, len > 0 ? (size_t)len : 0);
        gl_proc p = {.pid = pids[i], .name = name, .exe = exe, .cmdline = cmdline};
        rc = cb(ctx, &p);
    }
    free(cmdline);
    free(pids);
    return rc;
}

int gl_proc_scan(YR_SCANNER *sc, int pid)
{
    return yr_scanner_scan_proc(sc, pid);
}

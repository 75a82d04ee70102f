/* The POSIX calls gleaner's portable code makes, for the Windows build.
 *
 * The Windows build force-includes this header into every file (the
 * Makefile's -include), so the code above the platform boundary keeps
 * calling open/stat/opendir/pread/... and gets, here:
 *  - UTF-8 paths: every path is UTF-8 inside gleaner; these calls convert
 *    to UTF-16 and use the wide CRT and Win32 calls (an ANSI call would
 *    lose every name outside the code page), with the \\?\ prefix on long
 *    absolute paths;
 *  - binary files always (no CR/LF translation);
 *  - the few calls Windows lacks (pread, mmap, statvfs, uname, sigaction,
 *    strcasestr, memrchr, timegm, ...) written on the Win32 API.
 * Evidence itself is never read through these: the source's own backend
 * (source_win32.c) does that. The shim headers beside this one
 * (arpa/inet.h, sys/mman.h, sys/statvfs.h, sys/utsname.h) stand in for
 * POSIX headers the mingw-w64 C library does not have. */
#ifndef GL_POSIX_WIN32_H
#define GL_POSIX_WIN32_H
#ifdef _WIN32

/* Every system header these calls come from, first: the macros below
 * must rename calls, not the C library's own declarations. Winsock too
 * (it declares gethostname; inet_pton and friends come from it), with
 * windows.h kept lean so fewer of its macros meet gleaner's names. */
/* io.h declares dup(int), a name gleaner uses for its own helpers and
 * POSIX code never gets without unistd.h: keep it out of the way. */
#define dup gl_w32_crt_dup
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
/* gmtime_r and localtime_r */
#ifndef _POSIX_THREAD_SAFE_FUNCTIONS
#define _POSIX_THREAD_SAFE_FUNCTIONS 200112L
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <direct.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <io.h>
#include <unistd.h>
#undef dup
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <wchar.h>

/* UTF-8 <-> UTF-16, malloc'd; NULL with errno EILSEQ on a malformed
 * string (an unpaired surrogate in a file name, invalid UTF-8). */
wchar_t *gl_w32_from_utf8(const char *s);
char *gl_w32_to_utf8(const wchar_t *w);
/* The errno for a Win32 error code (GetLastError, RtlNtStatusToDosError). */
int gl_w32_errno(unsigned long win32_error);
/* The system's text for a Win32 error code, as "Access is denied (error 5)". */
void gl_w32_error_text(unsigned long win32_error, char *out, size_t n);

/* open() flags Windows does not have. O_CLOEXEC is the CRT's no-inherit
 * flag; O_NOFOLLOW cannot be had from the CRT: only the operator's own
 * paths (output directory, files named on the command line) go through
 * open(), and the source backend refuses links itself. */
#define O_CLOEXEC _O_NOINHERIT
#define O_NOFOLLOW 0
#define O_NONBLOCK 0
#define O_NOCTTY 0

int gl_w32_open(const char *path, int flags, ...);
FILE *gl_w32_fopen(const char *path, const char *mode);
int gl_w32_stat(const char *path, struct stat *st);
int gl_w32_mkdir(const char *path, int mode);
int gl_w32_rmdir(const char *path);
int gl_w32_unlink(const char *path);
int gl_w32_rename(const char *from, const char *to);
int gl_w32_access(const char *path, int mode);
char *gl_w32_realpath(const char *path, char *resolved);
char *gl_w32_mkdtemp(char *tmpl);
int gl_w32_mkstemp(char *tmpl);
ssize_t gl_w32_readlink(const char *path, char *buf, size_t len);
ssize_t gl_w32_pread(int fd, void *buf, size_t len, off_t off);
ssize_t gl_w32_pwrite(int fd, const void *buf, size_t len, off_t off);
int gl_w32_gethostname(char *name, size_t len);
#define open(...) gl_w32_open(__VA_ARGS__)
#define fopen(p, m) gl_w32_fopen(p, m)
/* sys/stat.h maps stat to _stat64 for 64-bit offsets: rename the call,
 * the struct keeps its name */
#define _stat64(p, s) gl_w32_stat(p, s)
#define lstat(p, s) gl_w32_stat(p, s)
#define mkdir(p, m) gl_w32_mkdir(p, m)
#define rmdir(p) gl_w32_rmdir(p)
#define unlink(p) gl_w32_unlink(p)
#define rename(a, b) gl_w32_rename(a, b)
#define access(p, m) gl_w32_access(p, m)
#define realpath(p, r) gl_w32_realpath(p, r)
#define mkdtemp(t) gl_w32_mkdtemp(t)
#define mkstemp(t) gl_w32_mkstemp(t)
#define readlink(p, b, n) gl_w32_readlink(p, b, n)
#define pread(f, b, n, o) gl_w32_pread(f, b, n, o)
#define pwrite(f, b, n, o) gl_w32_pwrite(f, b, n, o)
#define gethostname(n, l) gl_w32_gethostname(n, l)
#define fsync(fd) _commit(fd)

/* Directories listed with UTF-8 names of any length. */
typedef struct gl_w32_dir gl_w32_dir;
struct gl_w32_dirent {
    char d_name[1024]; /* 255 UTF-16 units need at most 765 bytes */
};
gl_w32_dir *gl_w32_opendir(const char *path);
struct gl_w32_dirent *gl_w32_readdir(gl_w32_dir *d);
int gl_w32_closedir(gl_w32_dir *d);
#define DIR gl_w32_dir
#define dirent gl_w32_dirent
#define opendir(p) gl_w32_opendir(p)
#define readdir(d) gl_w32_readdir(d)
#define closedir(d) gl_w32_closedir(d)

/* futimens: the times of an open file (UTIME_OMIT keeps one). */
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
int gl_w32_futimens(int fd, const struct timespec times[2]);
#define futimens(fd, t) gl_w32_futimens(fd, t)

#define _SC_NPROCESSORS_ONLN 84
long gl_w32_sysconf(int name);
#define sysconf(n) gl_w32_sysconf(n)

/* The CPUs this process may run on: its affinity mask (one processor
 * group, as GetProcessAffinityMask reports). */
typedef struct {
    unsigned long long mask;
} cpu_set_t;
static inline int sched_getaffinity(int pid, size_t size, cpu_set_t *set)
{
    DWORD_PTR proc, sys;
    (void)size;
    if (pid != 0 || !GetProcessAffinityMask(GetCurrentProcess(), &proc, &sys)) {
        errno = EINVAL;
        return -1;
    }
    set->mask = proc;
    return 0;
}
#define CPU_COUNT(set) __builtin_popcountll((set)->mask)

/* Signals: the CRT raises SIGINT (Ctrl+C) and SIGTERM; the others do
 * not exist and are accepted and ignored. */
#ifndef SIGHUP
#define SIGHUP 1
#endif
#ifndef SIGPIPE
#define SIGPIPE 13
#endif
struct sigaction {
    void (*sa_handler)(int);
    unsigned long sa_mask;
    int sa_flags;
};
static inline int gl_w32_sigemptyset(unsigned long *set)
{
    *set = 0;
    return 0;
}
#define sigemptyset(s) gl_w32_sigemptyset(s)
int gl_w32_sigaction(int sig, const struct sigaction *sa, struct sigaction *old);
#define sigaction(s, a, o) gl_w32_sigaction(s, a, o)

/* String and time calls glibc has and the Windows C library does not. */
char *gl_w32_strcasestr(const char *hay, const char *needle);
void *gl_w32_memrchr(const void *s, int c, size_t n);
char *gl_w32_strndup(const char *s, size_t n);
ssize_t gl_w32_getline(char **line, size_t *cap, FILE *fp);
void gl_w32_qsort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *), void *ctx);
#define qsort_r(b, n, s, c, x) gl_w32_qsort_r(b, n, s, c, x)
#define strcasestr(h, n) gl_w32_strcasestr(h, n)
#define memrchr(s, c, n) gl_w32_memrchr(s, c, n)
#define strndup(s, n) gl_w32_strndup(s, n)
#define getline(l, c, f) gl_w32_getline(l, c, f)
#define timegm(t) _mkgmtime(t)
#define getc_unlocked(f) _getc_nolock(f)

#endif
#endif

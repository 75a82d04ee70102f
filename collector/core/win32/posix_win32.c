/* The POSIX calls of posix_win32.h, on the wide CRT and Win32 API. */
#include "posix_win32.h"
#include <stdarg.h>
#include "sys/mman.h"
#include "sys/statvfs.h"
#include "sys/utsname.h"

wchar_t *gl_w32_from_utf8(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) {
        errno = EILSEQ;
        return NULL;
    }
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (!w || MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        errno = w ? EILSEQ : ENOMEM;
        return NULL;
    }
    return w;
}

char *gl_w32_to_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0) {
        errno = EILSEQ;
        return NULL;
    }
    char *s = malloc((size_t)n);
    if (!s || WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        errno = s ? EILSEQ : ENOMEM;
        return NULL;
    }
    return s;
}

void gl_w32_error_text(unsigned long code, char *out, size_t n)
{
    wchar_t w[256];
    DWORD len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)code, 0, w,
                               sizeof w / sizeof *w, NULL);
    while (len && (w[len - 1] == L'\r' || w[len - 1] == L'\n' || w[len - 1] == L'.'))
        w[--len] = 0;
    char *u = len ? gl_w32_to_utf8(w) : NULL;
    snprintf(out, n, "%s (error %lu)", u ? u : "Windows error", code);
    free(u);
}

int gl_w32_errno(unsigned long e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_INVALID_DRIVE:
        return ENOENT;
    case ERROR_DIRECTORY:
        return ENOTDIR;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_PRIVILEGE_NOT_HELD:
        return EACCES;
    case ERROR_CANT_ACCESS_FILE:
    case ERROR_CANT_RESOLVE_FILENAME:
        return ELOOP;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EEXIST;
    case ERROR_DIR_NOT_EMPTY:
        return ENOTEMPTY;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ENOMEM;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ENOSPC;
    case ERROR_FILENAME_EXCED_RANGE:
        return ENAMETOOLONG;
    case ERROR_INVALID_PARAMETER:
        return EINVAL;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
        return ENOSYS;
    default:
        return EIO;
    }
}

/* The wide form of a UTF-8 path. An absolute path too long for the
 * classic API gets the \\?\ prefix (which takes only backslashes and no
 * . or .. components, hence the GetFullPathNameW first). */
static wchar_t *wide_path(const char *path)
{
    wchar_t *w = gl_w32_from_utf8(path);
    if (!w || wcslen(w) < MAX_PATH - 12 || !wcsncmp(w, L"\\\\?\\", 4))
        return w;
    DWORD need = GetFullPathNameW(w, 0, NULL, NULL);
    wchar_t *full = need ? malloc((need + 8) * sizeof *full) : NULL;
    DWORD got = full ? GetFullPathNameW(w, need, full + 8, NULL) : 0;
    if (!got || got >= need) {
        free(full);
        return w; /* let the call itself report what is wrong */
    }
    free(w);
    wchar_t *p = full + 8;
    if (p[0] == L'\\' && p[1] == L'\\') {
        p = p + 2 - 8;
        memcpy(p, L"\\\\?\\UNC\\", 8 * sizeof *p);
    } else {
        p -= 4;
        memcpy(p, L"\\\\?\\", 4 * sizeof *p);
    }
    memmove(full, p, (wcslen(p) + 1) * sizeof *p);
    return full;
}

int gl_w32_open(const char *path, int flags, ...)
{
    int mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    wchar_t *w = wide_path(path);
    if (!w)
        return -1;
    /* the CRT knows only the owner's write bit */
    int fd = _wopen(w, flags | O_BINARY, (mode & 0200) ? (_S_IREAD | _S_IWRITE) : _S_IREAD);
    free(w);
    return fd;
}

FILE *gl_w32_fopen(const char *path, const char *mode)
{
    wchar_t *w = wide_path(path);
    char m[16];
    size_t n = strlen(mode);
    if (!w || n + 2 > sizeof m) {
        free(w);
        errno = w ? EINVAL : errno;
        return NULL;
    }
    memcpy(m, mode, n);
    if (!strchr(mode, 'b'))
        m[n++] = 'b';
    m[n] = '\0';
    wchar_t wm[16];
    for (size_t i = 0; i <= n; i++)
        wm[i] = (wchar_t)(unsigned char)m[i];
    FILE *fp = _wfopen(w, wm);
    free(w);
    return fp;
}

int gl_w32_stat(const char *path, struct stat *st)
{
    wchar_t *w = wide_path(path);
    if (!w)
        return -1;
    int rc = _wstat64(w, st);
    free(w);
    return rc;
}

/* The calls that take one path and return 0 / -1. */
#define WIDE_PATH_CALL(call, path, ...)                                                                        \
    do {                                                                                                       \
        wchar_t *w_ = wide_path(path);                                                                         \
        if (!w_)                                                                                               \
            return -1;                                                                                         \
        int rc_ = call(w_, ##__VA_ARGS__);                                                                     \
        free(w_);                                                                                              \
        return rc_;                                                                                            \
    } while (0)

int gl_w32_mkdir(const char *path, int mode)
{
    (void)mode; /* a new directory inherits its parent's ACL */
    WIDE_PATH_CALL(_wmkdir, path);
}

int gl_w32_rmdir(const char *path) { WIDE_PATH_CALL(_wrmdir, path); }

int gl_w32_unlink(const char *path) { WIDE_PATH_CALL(_wunlink, path); }

int gl_w32_access(const char *path, int mode) { WIDE_PATH_CALL(_waccess, path, mode & 06); }

/* POSIX rename replaces the target; MoveFileEx does when told to. */
int gl_w32_rename(const char *from, const char *to)
{
    wchar_t *wf = wide_path(from), *wt = wf ? wide_path(to) : NULL;
    int rc = -1;
    if (wf && wt) {
        if (MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
            rc = 0;
        else
            errno = gl_w32_errno(GetLastError());
    }
    free(wf);
    free(wt);
    return rc;
}

/* resolved: the callers pass Linux's PATH_MAX (4096) bytes. The result
 * is absolute, with backslashes, and names an existing object. */
char *gl_w32_realpath(const char *path, char *resolved)
{
    enum { RESOLVED_MAX = 4096 };
    wchar_t *w = gl_w32_from_utf8(path);
    if (!w)
        return NULL;
    wchar_t *full = _wfullpath(NULL, w, 0);
    free(w);
    if (!full)
        return NULL;
    struct _stat64 st;
    char *u = _wstat64(full, &st) == 0 ? gl_w32_to_utf8(full) : NULL;
    free(full);
    if (!u)
        return NULL;
    size_t n = strlen(u);
    if (n >= RESOLVED_MAX) {
        free(u);
        errno = ENAMETOOLONG;
        return NULL;
    }
    memcpy(resolved, u, n + 1);
    free(u);
    return resolved;
}

/* Fill the trailing XXXXXX of tmpl with random letters; -1 when tmpl
 * does not end in six X. */
static int fill_template(char *tmpl)
{
    size_t n = strlen(tmpl);
    if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX")) {
        errno = EINVAL;
        return -1;
    }
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    uint64_t x = (uint64_t)t.QuadPart ^ ((uint64_t)GetCurrentProcessId() << 32) ^ (uint64_t)(uintptr_t)tmpl;
    for (size_t i = n - 6; i < n; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        tmpl[i] = letters[(x >> 33) % (sizeof letters - 1)];
    }
    return 0;
}

char *gl_w32_mkdtemp(char *tmpl)
{
    for (int tries = 0; tries < 100; tries++) {
        if (fill_template(tmpl) != 0)
            return NULL;
        if (gl_w32_mkdir(tmpl, 0700) == 0)
            return tmpl;
        if (errno != EEXIST)
            return NULL;
        memcpy(tmpl + strlen(tmpl) - 6, "XXXXXX", 6);
    }
    return NULL;
}

/* gleaner's one temporary file, the spool, is unlinked while open (POSIX:
 * gone from the folder, freed at close or death). Windows cannot remove
 * an open file, so it is opened delete-on-close instead: otherwise every
 * spool (clear text records and findings) stayed in the output folder. */
int gl_w32_mkstemp(char *tmpl)
{
    for (int tries = 0; tries < 100; tries++) {
        if (fill_template(tmpl) != 0)
            return -1;
        int fd = gl_w32_open(tmpl, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | _O_TEMPORARY, 0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
        memcpy(tmpl + strlen(tmpl) - 6, "XXXXXX", 6);
    }
    return -1;
}

/* gleaner reads one link: /proc/self/exe, to hash its own binary. */
ssize_t gl_w32_readlink(const char *path, char *buf, size_t len)
{
    if (strcmp(path, "/proc/self/exe")) {
        errno = EINVAL;
        return -1;
    }
    wchar_t w[32768];
    DWORD n = GetModuleFileNameW(NULL, w, sizeof w / sizeof *w);
    char *u = n && n < sizeof w / sizeof *w ? gl_w32_to_utf8(w) : NULL;
    if (!u) {
        errno = EIO;
        return -1;
    }
    size_t ulen = strlen(u);
    if (ulen > len)
        ulen = len; /* truncated, as readlink does */
    memcpy(buf, u, ulen);
    free(u);
    return (ssize_t)ulen;
}

/* One positioned transfer on the descriptor's handle. Windows moves the
 * file pointer even for an offset read, so it is put back: a spool reads
 * back with pread while it appends with write. */
static ssize_t positioned(int fd, void *buf, size_t len, off_t off, bool writing)
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE || off < 0) {
        errno = EBADF;
        return -1;
    }
    LARGE_INTEGER zero = {0}, cur;
    if (!SetFilePointerEx(h, zero, &cur, FILE_CURRENT)) {
        errno = gl_w32_errno(GetLastError());
        return -1;
    }
    OVERLAPPED ov = {0};
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)((uint64_t)off >> 32);
    DWORD n = 0, chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len;
    BOOL ok = writing ? WriteFile(h, buf, chunk, &n, &ov) : ReadFile(h, buf, chunk, &n, &ov);
    DWORD e = GetLastError();
    SetFilePointerEx(h, cur, NULL, FILE_BEGIN);
    if (!ok && !(e == ERROR_HANDLE_EOF && !writing)) {
        errno = gl_w32_errno(e);
        return -1;
    }
    return ok ? (ssize_t)n : 0;
}

ssize_t gl_w32_pread(int fd, void *buf, size_t len, off_t off) { return positioned(fd, buf, len, off, false); }

ssize_t gl_w32_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    return positioned(fd, (void *)buf, len, off, true);
}

int gl_w32_gethostname(char *name, size_t len)
{
    wchar_t w[256];
    DWORD n = sizeof w / sizeof *w;
    if (!GetComputerNameExW(ComputerNameDnsHostname, w, &n)) {
        errno = gl_w32_errno(GetLastError());
        return -1;
    }
    char *u = gl_w32_to_utf8(w);
    if (!u)
        return -1;
    int rc = 0;
    if (strlen(u) >= len) {
        errno = ENAMETOOLONG;
        rc = -1;
    } else {
        strcpy(name, u);
    }
    free(u);
    return rc;
}

struct gl_w32_dir {
    HANDLE find;
    bool first; /* the entry FindFirstFileW returned is not yet read */
    WIN32_FIND_DATAW data;
    struct gl_w32_dirent ent;
};

gl_w32_dir *gl_w32_opendir(const char *path)
{
    size_t n = strlen(path);
    char *pattern = malloc(n + 3);
    if (!pattern)
        return NULL;
    memcpy(pattern, path, n);
    strcpy(pattern + n, n && (path[n - 1] == '/' || path[n - 1] == '\\') ? "*" : "\\*");
    wchar_t *w = wide_path(pattern);
    free(pattern);
    if (!w)
        return NULL;
    gl_w32_dir *d = calloc(1, sizeof *d);
    if (!d) {
        free(w);
        return NULL;
    }
    d->find = FindFirstFileExW(w, FindExInfoBasic, &d->data, FindExSearchNameMatch, NULL, 0);
    free(w);
    if (d->find == INVALID_HANDLE_VALUE) {
        errno = gl_w32_errno(GetLastError());
        free(d);
        return NULL;
    }
    d->first = true;
    return d;
}

struct gl_w32_dirent *gl_w32_readdir(gl_w32_dir *d)
{
    for (;;) {
        if (!d->first && !FindNextFileW(d->find, &d->data))
            return NULL;
        d->first = false;
        char *u = gl_w32_to_utf8(d->data.cFileName);
        if (!u || strlen(u) >= sizeof d->ent.d_name) {
            free(u);
            continue; /* a name no UTF-8 path could open again */
        }
        strcpy(d->ent.d_name, u);
        free(u);
        return &d->ent;
    }
}

int gl_w32_closedir(gl_w32_dir *d)
{
    if (!d)
        return -1;
    FindClose(d->find);
    free(d);
    return 0;
}

static FILETIME filetime_of(const struct timespec *t)
{
    uint64_t ticks = (uint64_t)(t->tv_sec + INT64_C(11644473600)) * 10000000u + (uint64_t)t->tv_nsec / 100;
    return (FILETIME){(DWORD)ticks, (DWORD)(ticks >> 32)};
}

int gl_w32_futimens(int fd, const struct timespec times[2])
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    FILETIME now, ft[2];
    GetSystemTimeAsFileTime(&now);
    const FILETIME *p[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        if (times && times[i].tv_nsec == UTIME_OMIT)
            continue;
        ft[i] = !times || times[i].tv_nsec == UTIME_NOW ? now : filetime_of(&times[i]);
        p[i] = &ft[i];
    }
    if (!SetFileTime(h, NULL, p[0], p[1])) {
        errno = gl_w32_errno(GetLastError());
        return -1;
    }
    return 0;
}

long gl_w32_sysconf(int name)
{
    if (name != _SC_NPROCESSORS_ONLN) {
        errno = EINVAL;
        return -1;
    }
    return (long)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
}

int gl_w32_sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
    if (old)
        memset(old, 0, sizeof *old);
    if (sig != SIGINT && sig != SIGTERM && sig != SIGABRT)
        return 0; /* no such signal on Windows: nothing can send it */
    if (sa && signal(sig, sa->sa_handler) == SIG_ERR)
        return -1;
    return 0;
}

/* glibc's qsort_r passes the context last; the CRT's qsort_s first. */
typedef struct sort_ctx {
    int (*cmp)(const void *, const void *, void *);
    void *ctx;
} sort_ctx;

static int sort_thunk(void *p, const void *a, const void *b)
{
    const sort_ctx *s = p;
    return s->cmp(a, b, s->ctx);
}

void gl_w32_qsort_r(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *), void *ctx)
{
    sort_ctx s = {cmp, ctx};
    qsort_s(base, n, size, sort_thunk, &s);
}

char *gl_w32_strcasestr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!_strnicmp(hay, needle, n))
            return (char *)hay;
    return n ? NULL : (char *)hay;
}

void *gl_w32_memrchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    while (n--)
        if (p[n] == (unsigned char)c)
            return (void *)(p + n);
    return NULL;
}

char *gl_w32_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

ssize_t gl_w32_getline(char **line, size_t *cap, FILE *fp)
{
    size_t len = 0;
    int c;
    while ((c = getc(fp)) != EOF) {
        if (len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 128;
            char *p = realloc(*line, ncap);
            if (!p)
                return -1;
            *line = p;
            *cap = ncap;
        }
        (*line)[len++] = (char)c;
        if (c == '\n')
            break;
    }
    if (len == 0)
        return -1;
    (*line)[len] = '\0';
    return (ssize_t)len;
}

void *gl_w32_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)addr;
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (prot != PROT_READ || !(flags & MAP_PRIVATE) || off != 0 || h == INVALID_HANDLE_VALUE) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    HANDLE m = CreateFileMappingW(h, NULL, PAGE_READONLY, 0, 0, NULL);
    if (!m) {
        errno = gl_w32_errno(GetLastError());
        return MAP_FAILED;
    }
    void *p = MapViewOfFile(m, FILE_MAP_READ, 0, 0, len);
    DWORD e = GetLastError();
    CloseHandle(m); /* the view keeps the mapping alive */
    if (!p) {
        errno = gl_w32_errno(e);
        return MAP_FAILED;
    }
    return p;
}

int gl_w32_munmap(void *addr, size_t len)
{
    (void)len;
    return UnmapViewOfFile(addr) ? 0 : -1;
}

int gl_w32_statvfs(const char *path, struct statvfs *out)
{
    wchar_t *w = wide_path(path);
    if (!w)
        return -1;
    ULARGE_INTEGER avail, total, free_bytes;
    BOOL ok = GetDiskFreeSpaceExW(w, &avail, &total, &free_bytes);
    DWORD e = GetLastError();
    free(w);
    if (!ok) {
        errno = gl_w32_errno(e);
        return -1;
    }
    *out = (struct statvfs){1, 1, total.QuadPart, free_bytes.QuadPart, avail.QuadPart};
    return 0;
}

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

int gl_w32_uname(struct utsname *u)
{
    memset(u, 0, sizeof *u);
    OSVERSIONINFOW v = {.dwOSVersionInfoSize = sizeof v};
    rtl_get_version_fn get = (rtl_get_version_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"),
                                                                                  "RtlGetVersion");
    if (!get || get(&v) != 0) {
        errno = ENOSYS;
        return -1;
    }
    snprintf(u->sysname, sizeof u->sysname, "Windows");
    snprintf(u->release, sizeof u->release, "%lu.%lu", v.dwMajorVersion, v.dwMinorVersion);
    snprintf(u->version, sizeof u->version, "%lu", v.dwBuildNumber);
    snprintf(u->machine, sizeof u->machine, "x86_64");
    if (gl_w32_gethostname(u->nodename, sizeof u->nodename) != 0)
        u->nodename[0] = '\0';
    return 0;
}

/* The Windows entry point (linked with -municode): the command line
 * arrives as UTF-16 and gleaner's main gets it as UTF-8, which an ANSI
 * main could not (its arguments pass through the code page). The
 * console shows UTF-8, and stdout/stderr carry the bytes gleaner writes
 * (no CR added before LF), as on Linux. */
int main(int argc, char **argv);

int wmain(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!argv)
        return 3;
    for (int i = 0; i < argc; i++) {
        argv[i] = gl_w32_to_utf8(wargv[i]);
        if (!argv[i]) {
            fprintf(stderr, "gleaner: argument %d is not valid UTF-16\n", i);
            return 2;
        }
    }
    SetConsoleOutputCP(CP_UTF8);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
    _setmode(_fileno(stdin), _O_BINARY);
    return main(argc, argv);
}

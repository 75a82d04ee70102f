#include "testutil.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the helpers hand out lives as long as the test process: it is kept
 * reachable here, so tests need not free it and LeakSanitizer has nothing
 * to report (no suppression for the helpers). */
static void **kept;
static size_t n_kept, cap_kept;

static void *keep(void *p)
{
    kept = gl_grow_array(kept, &cap_kept, n_kept, sizeof *kept);
    kept[n_kept++] = p;
    return p;
}

static char *join(const char *base, const char *rel)
{
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/%s", base, rel);
    return keep(b.data);
}

char *tu_fixture(const char *rel)
{
    const char *base = getenv("GLEANER_FIXTURES");
    return join(base ? base : "build/fixtures", rel);
}

char *tu_corpus(const char *rel)
{
    const char *base = getenv("GLEANER_CORPUS");
    if (!base)
        base = "../shared/corpus";
    struct stat st;
    if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return join(base, rel);
}

const char *tu_gleaner(void)
{
    const char *bin = getenv("GLEANER_BIN");
    return bin ? bin : "./gleaner";
}

static void slurp_fd(FILE *f, gl_buf *out)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (out)
            gl_buf_append(out, chunk, n);
}

int tu_run(const char *cmdline, gl_buf *out, gl_buf *err)
{
    char errpath[] = "/tmp/gleaner-test-stderr-XXXXXX";
    int errfd = mkstemp(errpath);
    if (errfd < 0)
        return -1;
    close(errfd);
    gl_buf full = {0};
    gl_buf_printf(&full, "(%s) 2>%s", cmdline, errpath);
    FILE *p = popen(full.data, "r");
    gl_buf_free(&full);
    if (!p)
        return -1;
    slurp_fd(p, out);
    int status = pclose(p);
    FILE *ef = fopen(errpath, "r");
    if (ef) {
        slurp_fd(ef, err);
        fclose(ef);
    }
    unlink(errpath);
    if (out)
        gl_buf_cstr(out);
    if (err)
        gl_buf_cstr(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int tu_runf(gl_buf *out, gl_buf *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    if (vasprintf(&cmd, fmt, ap) < 0) {
        va_end(ap);
        return -1;
    }
    va_end(ap);
    int rc = tu_run(cmd, out, err);
    free(cmd);
    return rc;
}

char *tu_tmpdir(const char *tag)
{
    /* GLEANER_TMP (make: $(B)/tmp) keeps builds in other directories apart */
    const char *tmp = getenv("GLEANER_TMP");
    const char *root = getenv("GLEANER_ROOT");
    gl_buf b = {0};
    if (tmp && *tmp)
        gl_buf_printf(&b, "%s", tmp);
    else
        gl_buf_printf(&b, "%s/build/tmp", root ? root : ".");
    /* every missing parent too: a NULL or relative scratch path would let a
     * test write somewhere it must not (a "(null)/" tree, links into /etc) */
    for (char *p = b.data + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(b.data, 0755);
            *p = '/';
        }
    mkdir(b.data, 0755);
    gl_buf_printf(&b, "/%s-XXXXXX", tag);
    if (!mkdtemp(b.data)) {
        fprintf(stderr, "tu_tmpdir: cannot create %s\n", b.data);
        abort();
    }
    return keep(b.data);
}

bool tu_read_file(const char *path, gl_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    slurp_fd(f, out);
    fclose(f);
    gl_buf_cstr(out);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t tu_list_dir(const char *dir, const char *suffix, char ***paths)
{
    *paths = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(e->d_name);
        if (suffix && (len < strlen(suffix) || strcasecmp(e->d_name + len - strlen(suffix), suffix)))
            continue;
        *paths = gl_xrealloc(*paths, (n + 1) * sizeof **paths);
        (*paths)[n++] = join(dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(*paths, n, sizeof **paths, cmp_str);
    keep(*paths);
    return n;
}

int tu_run_rss(const char *cmdline, long *max_rss_kib)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* exec replaces the shell, so the rusage is the command's own */
        gl_buf full = {0};
        gl_buf_printf(&full, "exec %s >/dev/null 2>&1", cmdline);
        execl("/bin/sh", "sh", "-c", full.data, (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *max_rss_kib = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *tu_collect_dir(const char *tag, const char *src_dir, const char *args, int expect_rc)
{
    char *out = tu_tmpdir(tag);
    gl_buf o = {0}, e = {0};
    int rc = tu_runf(&o, &e, "'%s' collect -q --source 'dir:%s' --output '%s' --name b %s", tu_gleaner(), src_dir, out,
                     args);
    cr_assert_eq(rc, expect_rc, "collect exited %d, expected %d: %s", rc, expect_rc, e.data ? e.data : "");
    gl_buf_free(&o);
    gl_buf_free(&e);
    if (rc > 1)
        return NULL;
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/b.tar.zst", out);
    return keep(p.data);
}

char *tu_bundle_member(const char *bundle, const char *member)
{
    gl_buf out = {0};
    int rc = tu_runf(&out, NULL, "tar --zstd -xOf '%s' '%s'", bundle, member);
    cr_assert_eq(rc, 0, "tar could not extract %s from %s", member, bundle);
    gl_buf_cstr(&out);
    return keep(out.data);
}

size_t tu_count(const char *text, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = text; p && (p = strstr(p, needle)); p += len)
        n++;
    return n;
}

int tu_place(const char *root, const char *rel, const char *src)
{
    gl_buf dst = {0};
    gl_buf_printf(&dst, "%s/%s", root, rel);
    int rc = tu_runf(NULL, NULL, "mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", dst.data, src, dst.data);
    gl_buf_free(&dst);
    return rc;
}

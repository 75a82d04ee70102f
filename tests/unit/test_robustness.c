/* Hostile inputs through the gleaner binary under test (in `make test-san`
 * the ASan+UBSan build): every file of a robustness folder of ../shared/corpus and
 * every fuzz regression input (tests/fuzz-regressions/) goes through the
 * command that fits it (reg dump for a hive, evtx dump for an event log)
 * and through a collection from a directory holding it where such a file
 * lives on Windows, each under a time limit. Exit codes 0-4 are answers;
 * a signal, a sanitizer report or the time limit is a failure. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define PER_FILE_SECONDS 120

static bool starts_with_file(const char *path, const char *magic)
{
    char buf[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(buf, 1, strlen(magic), f);
    fclose(f);
    return n == strlen(magic) && !memcmp(buf, magic, n);
}

static void no_crash(const char *what, const char *path, int rc, const gl_buf *err)
{
    const char *e = err->data ? err->data : "";
    cr_assert(rc >= 0 && rc <= 4, "%s %s: exit %d (124: over %d s; >128: a signal)\n%s", what, path, rc,
              PER_FILE_SECONDS, e);
    cr_assert(!strstr(e, "AddressSanitizer") && !strstr(e, "runtime error") && !strstr(e, "LeakSanitizer"),
              "%s %s:\n%s", what, path, e);
}

/* Where a file of this kind lives on a Windows drive. */
static const char *windows_place(const char *path)
{
    if (starts_with_file(path, "ElfFile"))
        return "Windows/System32/winevt/Logs/Security.evtx";
    if (starts_with_file(path, "regf"))
        return "Windows/System32/config/SOFTWARE";
    return "Windows/Temp/input.bin";
}

static void through_gleaner(const char *path)
{
    gl_buf err = {0};
    int rc;
    if (starts_with_file(path, "regf")) {
        rc = tu_runf(NULL, &err, "timeout %d '%s' reg dump '%s' >/dev/null", PER_FILE_SECONDS, tu_gleaner(), path);
        no_crash("reg dump", path, rc, &err);
    } else if (starts_with_file(path, "ElfFile")) {
        rc = tu_runf(NULL, &err, "timeout %d '%s' evtx dump '%s' >/dev/null", PER_FILE_SECONDS, tu_gleaner(), path);
        no_crash("evtx dump", path, rc, &err);
    }
    char *src = tu_tmpdir("robust-src");
    cr_assert_eq(tu_place(src, windows_place(path), path), 0);
    char *prof = tu_tmpdir("robust-prof");
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/r.profile", prof);
    FILE *f = fopen(p.data, "w");
    cr_assert_not_null(f);
    fputs("include standard\ntarget temp C:\\Windows\\Temp\\*\n", f);
    fclose(f);
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "timeout %d '%s' collect -q --source 'dir:%s' --profile '%s' --output '%s' --name b",
                 PER_FILE_SECONDS, tu_gleaner(), src, p.data, tu_tmpdir("robust-out"));
    no_crash("collect over", path, rc, &err);
}

/* Every regular file under root whose path matches the find(1) -path glob. */
static size_t run_files(const char *root, const char *path_glob)
{
    gl_buf list = {0};
    tu_runf(&list, NULL, "find '%s' -path '%s' -type f | sort", root, path_glob);
    size_t n = 0;
    char *save = NULL;
    for (char *line = list.data ? strtok_r(list.data, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        /* a hive's transaction logs go along with it, not alone */
        if (strcasestr(line, ".LOG1") || strcasestr(line, ".LOG2"))
            continue;
        through_gleaner(line);
        n++;
    }
    gl_buf_free(&list);
    return n;
}

Test(robustness, every_corpus_robustness_file_runs_clean, .timeout = 3600)
{
    TU_REQUIRE_CORPUS();
    cr_assert_gt(run_files(tu_corpus(""), "*/robustness/*"), 0, "no file under a robustness folder");
}

Test(robustness, every_fuzz_regression_input_runs_clean, .timeout = 3600)
{
    const char *root = getenv("GLEANER_ROOT");
    gl_buf dir = {0};
    gl_buf_printf(&dir, "%s/tests/fuzz-regressions", root ? root : ".");
    run_files(dir.data, "*");
}

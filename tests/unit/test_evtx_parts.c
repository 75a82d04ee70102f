/* Reading a log in parts (evtx_open_part per chunk range, evtx_absorb in
 * chunk order, evtx_live_done, then the carve phase), as `gleaner evtx
 * dump --jobs N` does with threads, gives the same events, errors and gaps
 * as one reader: on every generated log (damaged chunks, slack, templates
 * found in other chunks, wrapped and truncated logs) and every corpus log,
 * with recovery on and off and with filters, in parts of 1 and 3 chunks,
 * each with a new part reader and with one reopened for every range. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx_exercise.h"
#include "testutil.h"

static void one_reader(const gl_reader *r, const evtx_options *opt, uint8_t mode, gl_buf *out)
{
    gl_err err;
    evtx_file *f = evtx_open(r, opt, &err);
    cr_assert_not_null(f, "%s", err.msg);
    evx_filters(f, mode);
    evx_events(f, out);
    evx_report(f, out);
    evtx_close(f);
}

/* Returns how many events the single reader gave (recovery on, no filter). */
static size_t same_in_parts(const char *path)
{
    gl_buf bytes = {0};
    cr_assert(tu_read_file(path, &bytes), "cannot read %s", path);
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, bytes.data, bytes.len, path);
    size_t events = 0;
    for (uint8_t mode = 0; mode < 3; mode++) {
        evtx_options opt = {.no_recover = (mode & 2) != 0};
        gl_buf want = {0};
        one_reader(&r, &opt, mode, &want);
        if (mode == 0)
            events = tu_count(gl_buf_cstr(&want), "\"EventRecordID\"");
        for (uint64_t per = 1; per <= 3; per += 2)
            for (int reuse = 0; reuse < 2; reuse++) {
                gl_buf got = {0};
                evx_by_parts(&r, &opt, mode, per, reuse, &got);
                cr_assert_eq(got.len, want.len, "%s (mode %u, %llu chunks a part, reuse %d): %zu bytes, one reader %zu",
                             path, mode, (unsigned long long)per, reuse, got.len, want.len);
                cr_assert(!want.len || !memcmp(got.data, want.data, want.len), "%s (mode %u, reuse %d): output differs",
                          path, mode, reuse);
                gl_buf_free(&got);
            }
        gl_buf_free(&want);
    }
    gl_buf_free(&bytes);
    return events;
}

static size_t every_log_in(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || n < sl || strcmp(e->d_name + n - sl, suffix))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        same_in_parts(path);
        files++;
    }
    closedir(d);
    return files;
}

Test(evtx_parts, generated_logs, .timeout = 120)
{
    char *dir = tu_fixture("evtx");
    cr_assert_geq(every_log_in(dir, ".evtx"), 28);
    free(dir);
    /* the multi-chunk logs really are read in several parts */
    char *p = tu_fixture("evtx/multichunk.evtx");
    cr_assert_eq(same_in_parts(p), 1204);
    free(p);
    p = tu_fixture("evtx/carved-templates.evtx");
    cr_assert_eq(same_in_parts(p), 8);
    free(p);
}

Test(evtx_parts, corpus_logs, .timeout = 300)
{
    TU_REQUIRE_CORPUS();
    static const char *const dirs[] = {"dev/robustness/evtx", "dev/evtx/accounts", "dev/evtx/rmm",
                                       "dev/evtx/defender", "dev/evtx/firewall", "dev/evtx/logclear",
                                       "dev/evtx/services", "dev/evtx/archive", "dev/evtx/tasks"};
    size_t files = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *dir = tu_corpus(dirs[i]);
        files += every_log_in(dir, "");
        free(dir);
    }
    cr_assert_eq(files, 37);
}

/* `gleaner evtx dump --jobs N` over many logs at once (several files in
 * flight, the larger ones, up to 34 chunks, split by chunks): stdout, stderr and the exit status
 * are those of one thread; --jobs must be a number 1..256. */
Test(evtx_parts, dump_jobs_same_output, .timeout = 600)
{
    char *dir = tu_fixture("evtx");
    gl_buf files = {0};
    gl_buf_printf(&files, "'%s'/*.evtx", dir);
    free(dir);
    char *corpus = tu_corpus("");
    if (corpus)
        gl_buf_printf(&files, " '%s'/dev/evtx/*/*.evtx '%s'/dev/robustness/evtx/*", corpus, corpus);
    free(corpus);
    gl_buf want = {0}, want_err = {0};
    int want_rc = tu_runf(&want, &want_err, "'%s' evtx dump --jobs 1 %s /nonexistent.evtx", tu_gleaner(), files.data);
    cr_assert_eq(want_rc, 1);
    cr_assert_gt(tu_count(gl_buf_cstr(&want), "\n"), 1500);
    static const char *const opts[] = {"--jobs 2", "--jobs 5", "--jobs 2 --id 7045,4624,4720,1102,7036", "--jobs 3 --xml"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        gl_buf got = {0}, got_err = {0}, one = {0}, one_err = {0};
        const char *o = opts[i];
        const char *single = i < 2 ? NULL : (i == 2 ? "--id 7045,4624,4720,1102,7036" : "--xml");
        if (single)
            cr_assert_eq(tu_runf(&one, &one_err, "'%s' evtx dump --jobs 1 %s %s /nonexistent.evtx", tu_gleaner(),
                                 single, files.data),
                         1);
        int rc = tu_runf(&got, &got_err, "'%s' evtx dump %s %s /nonexistent.evtx", tu_gleaner(), o, files.data);
        cr_assert_eq(rc, want_rc, "%s", o);
        const gl_buf *w = single ? &one : &want, *we = single ? &one_err : &want_err;
        cr_assert_eq(got.len, w->len, "%s: %zu bytes, one thread %zu", o, got.len, w->len);
        cr_assert(!w->len || !memcmp(got.data, w->data, w->len), "%s: output differs", o);
        cr_assert_str_eq(gl_buf_cstr(&got_err), gl_buf_cstr((gl_buf *)we), "%s", o);
        gl_buf_free(&got);
        gl_buf_free(&got_err);
        gl_buf_free(&one);
        gl_buf_free(&one_err);
    }
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' evtx dump --jobs 0 %s", tu_gleaner(), files.data), 2);
    cr_assert(strstr(gl_buf_cstr(&err), "--jobs takes a number 1..256"), "%s", err.data);
    gl_buf_free(&err);
    gl_buf_free(&want);
    gl_buf_free(&want_err);
    gl_buf_free(&files);
}

/* One process reads many logs with one reader reused from file to file
 * (evtx_reopen; with --jobs, part readers too): stdout and stderr are
 * those of one process per file, with fresh readers, in the same order.
 * The logs alternate between damaged and clean, large and small, so a
 * reader carries state from a bigger or broken file into the next. */
Test(evtx_parts, reused_readers_same_as_fresh, .timeout = 600)
{
    char *dir = tu_fixture("evtx");
    char *corpus = tu_corpus("");
    gl_buf list = {0};
    gl_buf_printf(&list, "ls '%s'/*.evtx", dir);
    if (corpus)
        gl_buf_printf(&list, " '%s'/dev/evtx/*/*.evtx '%s'/dev/robustness/evtx/*", corpus, corpus);
    gl_buf names = {0};
    cr_assert_eq(tu_runf(&names, NULL, "%s | sort -r", list.data), 0);
    gl_buf fresh = {0}, fresh_err = {0}, files = {0};
    size_t n = 0;
    for (char *line = strtok(names.data, "\n"); line; line = strtok(NULL, "\n"), n++) {
        gl_buf_printf(&files, " '%s'", line);
        tu_runf(&fresh, &fresh_err, "'%s' evtx dump --jobs 1 '%s'", tu_gleaner(), line);
    }
    cr_assert_geq(n, corpus ? 60 : 28);
    for (int jobs = 1; jobs <= 2; jobs++) {
        gl_buf got = {0}, got_err = {0};
        tu_runf(&got, &got_err, "'%s' evtx dump --jobs %d %s", tu_gleaner(), jobs, files.data);
        cr_assert_eq(got.len, fresh.len, "--jobs %d: %zu bytes, one process per file %zu", jobs, got.len, fresh.len);
        cr_assert(!fresh.len || !memcmp(got.data, fresh.data, fresh.len), "--jobs %d: output differs", jobs);
        cr_assert_str_eq(gl_buf_cstr(&got_err), gl_buf_cstr(&fresh_err), "--jobs %d", jobs);
        gl_buf_free(&got);
        gl_buf_free(&got_err);
    }
    gl_buf_free(&fresh);
    gl_buf_free(&fresh_err);
    gl_buf_free(&files);
    gl_buf_free(&names);
    gl_buf_free(&list);
    free(dir);
    free(corpus);
}

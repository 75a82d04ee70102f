/* gl_source_redirect: a file the live host would not let be read, copied
 * out through an API (an event log exported with EvtExportLog), is what
 * the modules read at its own path afterwards, under the same evidence
 * path and bundle member. Built on the Linux side with a directory in
 * place of the locked file (opening it as a file fails the same way). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "source.h"
#include "testutil.h"

#define LOG_DIR "Windows/System32/winevt/Logs"
#define EXPORTED "ElfFile\0exported copy of the Security channel"

static void write_file(const char *root, const char *rel, const char *bytes, size_t n)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/%s", root, rel);
    for (char *c = p.data + strlen(root) + 1; *c; c++) {
        if (*c == '/') {
            *c = '\0';
            mkdir(p.data, 0700);
            *c = '/';
        }
    }
    FILE *f = fopen(p.data, "wb");
    cr_assert_not_null(f, "%s", p.data);
    cr_assert_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    gl_buf_free(&p);
}

typedef struct seen {
    gl_buf members;
    int calls;
} seen;

static const char *record(void *ctx, gl_file *f, const char *member, gl_err *err)
{
    (void)f, (void)err;
    seen *s = ctx;
    s->calls++;
    gl_buf_clear(&s->members);
    gl_buf_puts(&s->members, member);
    return gl_buf_cstr(&s->members);
}

static size_t read_all(gl_file *f, char *out, size_t cap)
{
    gl_reader r = gl_file_reader(f);
    gl_err e = {0};
    int64_t n = r.read_at(r.ctx, 0, out, cap, &e);
    cr_assert_geq(n, 0, "%s", e.msg);
    return (size_t)n;
}

Test(source, redirect_reads_the_exported_copy_at_the_live_path)
{
    char *live = tu_tmpdir("redirect-live");
    char *copies_dir = tu_tmpdir("redirect-copies");
    /* the live log cannot be opened as a file; its neighbour can */
    write_file(live, LOG_DIR "/System.evtx", "live system", 11);
    gl_buf locked = {0};
    gl_buf_printf(&locked, "%s/" LOG_DIR "/Security.evtx", live);
    cr_assert_eq(mkdir(locked.data, 0700), 0);
    write_file(copies_dir, LOG_DIR "/Security.evtx", EXPORTED, sizeof EXPORTED - 1);

    gl_buf spec = {0};
    gl_buf_printf(&spec, "dir:%s", live);
    gl_err e = {0};
    gl_source *src = gl_source_open(spec.data, &e);
    cr_assert_not_null(src, "%s", e.msg);
    const char *path = "C:\\Windows\\System32\\winevt\\Logs\\Security.evtx";
    cr_assert_null(gl_source_open_file(src, path, &e), "the locked log opened before the redirect");

    gl_source *copies = gl_source_open_temp(copies_dir, "C", &e);
    cr_assert_not_null(copies, "%s", e.msg);
    gl_source_redirect(src, path, copies);
    seen s = {0};
    gl_acquirer acq = {.ctx = &s, .acquire = record};
    gl_source_set_acquirer(src, &acq);

    /* another spelling of the same path: case, separators, no drive */
    gl_file *f = gl_source_open_file(src, "/windows/SYSTEM32/WinEvt/logs/SECURITY.EVTX", &e);
    cr_assert_not_null(f, "%s", e.msg);
    char buf[128];
    size_t n = read_all(f, buf, sizeof buf);
    cr_assert_eq(n, sizeof EXPORTED - 1);
    cr_assert_eq(memcmp(buf, EXPORTED, n), 0, "not the exported copy's bytes");
    cr_assert_str_eq(gl_file_get_info(f)->path, path);
    cr_assert_eq(s.calls, 1);
    cr_assert_str_eq(gl_file_artifact(f), "artifacts/C/Windows/System32/winevt/Logs/Security.evtx");
    gl_file_close(f);

    /* without the acquirer (an unacquired peek) the copy is not acquired */
    gl_source_set_acquirer(src, NULL);
    f = gl_source_open_file(src, path, &e);
    cr_assert_not_null(f, "%s", e.msg);
    cr_assert_null(gl_file_artifact(f));
    cr_assert_eq(s.calls, 1);
    gl_file_close(f);

    /* a path not redirected still reads the live file */
    f = gl_source_open_file(src, "C:\\Windows\\System32\\winevt\\Logs\\System.evtx", &e);
    cr_assert_not_null(f, "%s", e.msg);
    n = read_all(f, buf, sizeof buf);
    cr_assert_eq(n, 11);
    cr_assert_eq(memcmp(buf, "live system", 11), 0);
    gl_file_close(f);

    /* the source closes the copies and removes their folder */
    gl_source_close(src);
    struct stat st;
    cr_assert_neq(stat(copies_dir, &st), 0, "%s is still there", copies_dir);
    cr_assert_eq(stat(live, &st), 0, "the live folder went too");
    gl_buf_free(&s.members);
    gl_buf_free(&spec);
    gl_buf_free(&locked);
}

/* Faults around a collection: interruption, stale partial files, names that
 * try to forge log lines, and empty source paths. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "testutil.h"

static char *write_file(const char *dir, const char *name, const char *text)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/%s", dir, name);
    FILE *f = fopen(p.data, "w");
    cr_assert_not_null(f, "%s", p.data);
    fputs(text, f);
    fclose(f);
    return p.data;
}

static char *subdir(const char *root, const char *name)
{
    gl_buf d = {0};
    gl_buf_printf(&d, "%s/%s", root, name);
    cr_assert_eq(mkdir(d.data, 0755), 0, "%s", d.data);
    return d.data;
}

Test(faults, an_interrupted_run_leaves_a_valid_partial_bundle)
{
    char *dir = tu_tmpdir("faults-interrupt");
    char *prof = write_file(dir, "p.profile",
                            "module pipeline_probe\nmodule kit_reader_a\n"
                            "set pipeline_probe.path Windows\\System32\\drivers\\etc\\hosts\n");
    char *out = tu_tmpdir("faults-interrupt-out");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err,
                     "GLEANER_TEST_INTERRUPT_AT=pipeline_probe '%s' collect -q --source 'dir:%s' --profile '%s' "
                     "--output '%s' --name b",
                     tu_gleaner(), tu_fixture("sample-host"), prof, out);
    cr_assert_eq(rc, 1, "%s", err.data);
    gl_buf bundle = {0};
    gl_buf_printf(&bundle, "%s/b.tar.zst", out);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify -q '%s'", tu_gleaner(), bundle.data), 0);
    char *run = tu_bundle_member(bundle.data, "run.json");
    cr_assert(strstr(run, "\"status\":\"partial\",\"reason\":\"interrupted\""), "%s", run);
    cr_assert(strstr(run, "hosts: not acquired: the run was interrupted"), "%s", run);
    cr_assert(strstr(run, "interrupted: module kit_reader_a and the ones after it did not run"), "%s", run);
    cr_assert(strstr(run, "{\"name\":\"kit_reader_a\",\"status\":\"not run\""), "%s", run);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", out);
    cr_assert_str_eq(ls.data, "b.tar.zst\nb.tar.zst.sha256\n", "no spool or partial file is left behind");
}

Test(faults, a_stale_partial_never_blocks_a_new_run)
{
    char *out = tu_tmpdir("faults-stale");
    write_file(out, "b.tar.zst.partial", "half a bundle from a run that died\n");
    char *bundle = tu_collect_dir("faults-stale-unused", tu_fixture("sample-host"), "", 0);
    (void)bundle;
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "'%s' collect --source 'dir:%s' --profile quick --output '%s' --name b",
                     tu_gleaner(), tu_fixture("sample-host"), out);
    cr_assert_eq(rc, 0, "%s", err.data);
    cr_assert(strstr(err.data, "a stale ") && strstr(err.data, "b.tar.zst.partial from an interrupted run was moved "
                                                              "aside to "),
              "%s", err.data);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s' | sed 's/stale-[0-9]*/stale-N/'", out);
    cr_assert_str_eq(ls.data, "b.tar.zst\nb.tar.zst.partial.stale-N\nb.tar.zst.sha256\n");
    gl_buf kept = {0};
    tu_runf(&kept, NULL, "cat '%s'/b.tar.zst.partial.stale-*", out);
    cr_assert_str_eq(kept.data, "half a bundle from a run that died\n");
}

Test(faults, file_names_cannot_forge_log_lines)
{
    char *src = tu_tmpdir("faults-inject");
    write_file(subdir(src, "Temp"), "x\n2026-01-01T00:00:00.000Z ERROR gleaner: FORGED", "0123456789");
    char *prof = write_file(src, "../p.profile", "module files\nset files.max_file_size 1\ntarget t C:\\Temp\\*\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    char *bundle = tu_collect_dir("faults-inject-out", src, args.data, 1);
    char *log = tu_bundle_member(bundle, "log.txt");
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
        cr_assert(strncmp(line, "2026-01-01T00:00:00.000Z", 24), "a forged line: %s", line);
    log = tu_bundle_member(bundle, "log.txt");
    cr_assert(strstr(log, "C:\\Temp\\x\\n2026-01-01T00:00:00.000Z ERROR gleaner: FORGED: not acquired"), "%s", log);
}

Test(faults, a_source_without_a_path_is_a_usage_error)
{
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' collect -q --source dir: --output '%s'", tu_gleaner(), tu_tmpdir("faults-e")),
                 2);
    cr_assert_str_eq(err.data, "gleaner collect: source 'dir:' names no path\n");
    gl_buf_clear(&err);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' collect -q --source bundle: --output '%s'", tu_gleaner(),
                         tu_tmpdir("faults-e2")),
                 2);
}

/* The output directory at the source's root: gleaner's bundle in the
 * making, an earlier bundle and its sidecar are never acquired, while the
 * evidence beside them is. */
Test(faults, an_output_at_the_source_root_is_never_acquired)
{
    char *root = tu_tmpdir("faults-selfroot");
    write_file(subdir(root, "Windows"), "win.ini", "[fonts]\r\n");
    write_file(root, "old.tar.zst", "an earlier bundle\n");
    write_file(root, "old.tar.zst.sha256", "0  old.tar.zst\n");
    write_file(root, "notes.txt", "evidence at the root\n");
    char *prof = write_file(root, "../selfroot.profile", "module files\ntarget all C:\\*\ntarget ini C:\\Windows\\win.ini\n");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --profile '%s' --output '%s' --name b", tu_gleaner(),
                     root, prof, root);
    cr_assert_eq(rc, 0, "%s", err.data);
    gl_buf bundle = {0}, list = {0};
    gl_buf_printf(&bundle, "%s/b.tar.zst", root);
    cr_assert_eq(tu_runf(&list, NULL, "tar --zstd -tf '%s' | grep '^artifacts/' | sort", bundle.data), 0);
    cr_assert_str_eq(list.data, "artifacts/C/Windows/win.ini\nartifacts/C/notes.txt\n");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify -q '%s'", tu_gleaner(), bundle.data), 0);
}

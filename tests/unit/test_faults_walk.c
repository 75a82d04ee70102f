/* Faults in walking a source: what cannot be read, how deep a walk goes,
 * names that are not UTF-8, files that change while read, mount points,
 * access times, links, and host detection on a hostile hive. Each test
 * checks the exit code, run.json's status and reason, that the bundle
 * verifies, and what is (or is not) in it. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "source.h"
#include "testutil.h"

/* A fresh directory, never NULL: a test that went on with "(null)" would
 * build its tree, links included, relative to the working directory. */
static char *tmpdir(const char *tag)
{
    char *d = tu_tmpdir(tag);
    cr_assert_not_null(d, "no scratch directory for %s", tag);
    return d;
}

static char *path_of(const char *dir, const char *rel)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/%s", dir, rel);
    return p.data;
}

/* Write text to <dir>/<rel>, creating the parents. */
static char *put(const char *dir, const char *rel, const char *text)
{
    char *p = path_of(dir, rel);
    cr_assert_eq(tu_runf(NULL, NULL, "mkdir -p \"$(dirname '%s')\"", p), 0);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
    return p;
}

static char *profile(const char *tag, const char *text)
{
    return put(tmpdir(tag), "p.profile", text);
}

typedef struct run_out {
    int rc;
    char *bundle;
    gl_buf err;
} run_out;

/* Collect src with a profile; env is put before the command (test hooks). */
static run_out collect(const char *tag, const char *env, const char *src, const char *prof, const char *extra)
{
    run_out r = {0};
    char *out = tmpdir(tag);
    r.rc = tu_runf(NULL, &r.err, "%s '%s' collect -q --source 'dir:%s' --profile '%s' --output '%s' --name b %s",
                   env ? env : "", tu_gleaner(), src, prof, out, extra ? extra : "");
    r.bundle = path_of(out, "b.tar.zst");
    return r;
}

static void assert_verifies(const char *bundle)
{
    gl_buf e = {0};
    cr_assert_eq(tu_runf(NULL, &e, "'%s' verify -q '%s'", tu_gleaner(), bundle), 0, "verify: %s", e.data);
}

/* The bundle's artifacts, sorted, one a line. */
static char *artifacts(const char *bundle)
{
    gl_buf list = {0};
    cr_assert_eq(tu_runf(&list, NULL, "tar --zstd -tf '%s' | grep '^artifacts/' | LC_ALL=C sort", bundle), 0);
    return gl_buf_cstr(&list) ? list.data : gl_xstrdup("");
}

static void assert_status(const char *bundle, const char *status_reason)
{
    char *run = tu_bundle_member(bundle, "run.json");
    cr_assert(strstr(run, status_reason), "expected %s in %s", status_reason, run);
}

#define PARTIAL "\"status\":\"partial\",\"reason\":\"errors\""
#define COMPLETE "\"status\":\"complete\",\"reason\":null"

static void assert_in_run(const char *bundle, const char *needle)
{
    char *run = tu_bundle_member(bundle, "run.json");
    cr_assert(strstr(run, needle), "expected %s in run.json: %s", needle, run);
}

static const char *FILES_UNDER_WINDOWS = "module files\ntarget t C:\\Windows\\**\\*\n";

/* ---- 1. unreadable directories ----------------------------------------------- */

static char *locked_tree(const char *tag)
{
    char *src = tmpdir(tag);
    put(src, "Windows/Temp/a.txt", "readable\n");
    put(src, "Windows/Locked/secret.txt", "behind a denied directory\n");
    return src;
}

static void assert_locked_partial(run_out r)
{
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    assert_in_run(r.bundle, "C:\\\\Windows\\\\Locked: directory cannot be ");
    assert_in_run(r.bundle, "Permission denied; what it holds was not read");
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/a.txt\n");
}

/* As root, chmod 000 stops nothing: the backend's test hook refuses the
 * directory with EACCES exactly where the OS would. */
Test(faults_walk, an_unreadable_directory_makes_the_run_partial)
{
    char *src = locked_tree("walk-eacces");
    assert_locked_partial(collect("walk-eacces-out", "GLEANER_TEST_EACCES=Locked", src,
                                  profile("walk-eacces-p", FILES_UNDER_WINDOWS), NULL));
}

/* Every directory the walk could not read is its own error line, however
 * many there are (not a summary naming the first few). */
Test(faults_walk, each_unreadable_directory_is_its_own_error)
{
    char *src = tmpdir("walk-eacces-each");
    put(src, "Windows/Temp/a.txt", "readable\n");
    const int n = 6;
    for (int i = 0; i < n; i++) {
        gl_buf rel = {0};
        gl_buf_printf(&rel, "Windows/P%d/Locked/secret.txt", i);
        put(src, rel.data, "behind a denied directory\n");
    }
    run_out r = collect("walk-eacces-each-out", "GLEANER_TEST_EACCES=Locked", src,
                        profile("walk-eacces-each-p", FILES_UNDER_WINDOWS), NULL);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    char *run = tu_bundle_member(r.bundle, "run.json");
    cr_assert(strstr(run, "\"name\":\"files\",\"status\":\"partial\""), "%s", run);
    cr_assert(strstr(run, "\"error_count\":6,"), "%s", run);
    for (int i = 0; i < n; i++) {
        gl_buf want = {0};
        gl_buf_printf(&want, "\"C:\\\\Windows\\\\P%d\\\\Locked: directory cannot be opened: Permission denied; what it "
                             "holds was not read\"",
                      i);
        cr_assert(strstr(run, want.data), "%s not in %s", want.data, run);
    }
    char *log = tu_bundle_member(r.bundle, "log.txt");
    cr_assert_eq(tu_count(log, " ERROR files: C:\\Windows\\P"), 6, "%s", log);
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/a.txt\n");
}

Test(faults_walk, a_chmod_000_directory_makes_the_run_partial)
{
    if (geteuid() == 0)
        cr_skip_test("running as root: chmod 000 does not stop root (the hook test covers this path)");
    char *src = locked_tree("walk-chmod");
    cr_assert_eq(chmod(path_of(src, "Windows/Locked"), 0), 0);
    run_out r = collect("walk-chmod-out", NULL, src, profile("walk-chmod-p", FILES_UNDER_WINDOWS), NULL);
    chmod(path_of(src, "Windows/Locked"), 0755);
    assert_locked_partial(r);
}

/* ---- 2. "**" at any depth, bounded ---------------------------------------------- */

static char *nested(int levels)
{
    gl_buf p = {0};
    for (int i = 1; i <= levels; i++)
        gl_buf_printf(&p, "d%d/", i);
    return p.data;
}

Test(faults_walk, a_task_hidden_40_levels_deep_is_acquired)
{
    char *src = tmpdir("walk-deep");
    gl_buf rel = {0};
    gl_buf_printf(&rel, "Windows/System32/Tasks/%sEvil", nested(40));
    put(src, rel.data, "<Task/>\n");
    put(src, "Windows/System32/Tasks/Top", "<Task/>\n");
    run_out r = collect("walk-deep-out", NULL, src,
                        profile("walk-deep-p", "module files\ntarget t C:\\Windows\\System32\\Tasks\\**\\*\n"), NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, COMPLETE);
    gl_buf want = {0};
    gl_buf_printf(&want, "artifacts/C/Windows/System32/Tasks/Top\nartifacts/C/%s\n", rel.data);
    cr_assert_str_eq(artifacts(r.bundle), want.data);
}

Test(faults_walk, the_depth_limit_is_an_error_naming_the_path)
{
    char *src = tmpdir("walk-limit");
    gl_buf rel = {0};
    gl_buf_printf(&rel, "Windows/%sTooDeep/x.txt", nested(GL_WALK_MAX_DEPTH + 8));
    put(src, rel.data, "beyond the limit\n");
    put(src, "Windows/near.txt", "near\n");
    run_out r = collect("walk-limit-out", NULL, src, profile("walk-limit-p", FILES_UNDER_WINDOWS), NULL);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    /* Windows is level 1, d1 level 2, ...: d512 would be the 513th */
    assert_in_run(r.bundle, "\\\\d511\\\\d512: more than 512 directories below the root; not walked");
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/near.txt\n");
}

Test(faults_walk, a_bind_mount_loop_is_an_error_and_walked_once)
{
    char *src = tmpdir("walk-loop");
    put(src, "Windows/Temp/a.txt", "once\n");
    char *loop = path_of(src, "Windows/Temp/loop");
    cr_assert_eq(mkdir(loop, 0755), 0);
    if (mount(path_of(src, "Windows"), loop, NULL, MS_BIND, NULL) != 0)
        cr_skip_test("bind mounts are not allowed here: loop detection is not exercised");
    run_out r = collect("walk-loop-out", NULL, src, profile("walk-loop-p", FILES_UNDER_WINDOWS), NULL);
    umount2(loop, MNT_DETACH);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    assert_in_run(r.bundle, "C:\\\\Windows\\\\Temp\\\\loop: the same directory as C:\\\\Windows (a loop");
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/a.txt\n");
}

/* ---- 3. names that are not UTF-8, names with a backslash ------------------------- */

Test(faults_walk, names_that_are_not_utf8_or_hold_a_backslash_are_acquired_escaped)
{
    char *src = tmpdir("walk-names");
    put(src, "Windows/Temp/bad\xff\xfe.txt", "not UTF-8\n");
    put(src, "Windows/Temp/back\\slash.txt", "a backslash\n");
    put(src, "Windows/Temp/pipe|.txt", "the escape character itself\n");
    run_out r = collect("walk-names-out", NULL, src, profile("walk-names-p", "module files\ntarget t C:\\Windows\\Temp\\*\n"),
                        NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, COMPLETE);
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/back|5Cslash.txt\n"
                                          "artifacts/C/Windows/Temp/bad|FF|FE.txt\n"
                                          "artifacts/C/Windows/Temp/pipe|7C.txt\n");
    cr_assert_str_eq(tu_bundle_member(r.bundle, "artifacts/C/Windows/Temp/bad|FF|FE.txt"), "not UTF-8\n");
    cr_assert_str_eq(tu_bundle_member(r.bundle, "artifacts/C/Windows/Temp/back|5Cslash.txt"), "a backslash\n");
    char *rec = tu_bundle_member(r.bundle, "records/files.jsonl");
    /* "Windows/Temp/bad" FF FE ".txt" as hex */
    cr_assert(strstr(rec, "\"path\":\"C:\\\\Windows\\\\Temp\\\\bad|FF|FE.txt\""), "%s", rec);
    cr_assert(strstr(rec, "\"path_raw_hex\":\"57696E646F77732F54656D702F626164FFFE2E747874\""), "%s", rec);
    cr_assert(strstr(rec, "\"path_raw_hex\":\"57696E646F77732F54656D702F6261636B5C736C6173682E747874\""), "%s", rec);
    char *manifest = tu_bundle_member(r.bundle, "manifest.json");
    cr_assert(strstr(manifest, "\"method\":\"posix-read\",\"path_raw_hex\":\"57696E646F77732F54656D702F626164FFFE2E747874\""),
              "%s", manifest);
}

/* The tasks module walks Tasks\**\* and opens what it finds by the path
 * the walk gave: an escaped name must lead back to the same file. */
Test(faults_walk, a_module_reads_a_task_whose_name_is_not_utf8)
{
    char *src = tmpdir("walk-taskname");
    cr_assert_eq(tu_place(src, "Windows/System32/Tasks/Up\xc0" "date", tu_fixture("sample-host/Windows/System32/Tasks/WinUpdate")),
                 0);
    run_out r = collect("walk-taskname-out", NULL, src,
                        profile("walk-taskname-p", "module files\nmodule tasks\n"
                                                   "target t C:\\Windows\\System32\\Tasks\\**\\*\n"),
                        NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, COMPLETE);
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/System32/Tasks/Up|C0date\n");
    char *rec = tu_bundle_member(r.bundle, "records/tasks.jsonl");
    cr_assert(strstr(rec, "\"file\":\"C:\\\\Windows\\\\System32\\\\Tasks\\\\Up|C0date\""), "%s", rec);
}

/* ---- 4. files that change while read ------------------------------------------------ */

/* 3 MiB: more than one copy chunk, so the change lands mid-file. */
static char *changing_tree(const char *tag)
{
    char *src = tmpdir(tag);
    put(src, "Windows/Temp/ok.txt", "stays\n");
    char *big = path_of(src, "Windows/Temp/big.bin");
    cr_assert_eq(tu_runf(NULL, NULL, "head -c 3145728 /dev/urandom > '%s'", big), 0);
    return src;
}

static void assert_changed_file_is_an_error(const char *hook, const char *why)
{
    char *src = changing_tree(hook);
    gl_buf env = {0};
    gl_buf_printf(&env, "GLEANER_TEST_%s=big.bin", hook);
    run_out r = collect("walk-change-out", env.data, src, profile("walk-change-p", "module files\ntarget t C:\\Windows\\Temp\\*\n"),
                        NULL);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    assert_in_run(r.bundle, why);
    char *rec = tu_bundle_member(r.bundle, "records/files.jsonl");
    cr_assert(strstr(rec, "\"path\":\"C:\\\\Windows\\\\Temp\\\\big.bin\",\"status\":\"error\""), "%s", rec);
    cr_assert(strstr(rec, "\"path\":\"C:\\\\Windows\\\\Temp\\\\ok.txt\",\"status\":\"acquired\""), "%s", rec);
    /* the member stays (the archive must stay valid) with what was read */
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/big.bin\nartifacts/C/Windows/Temp/ok.txt\n");
    gl_buf same = {0};
    cr_assert_eq(tu_runf(&same, NULL, "tar --zstd -xOf '%s' artifacts/C/Windows/Temp/big.bin | head -c 1572864 | cmp - '%s' -n 1572864 && echo same",
                         r.bundle, path_of(src, "Windows/Temp/big.bin")),
                 0);
    cr_assert_str_eq(same.data, "same\n");
}

Test(faults_walk, a_file_that_shrinks_while_read_is_an_error)
{
    assert_changed_file_is_an_error("SHRINK", "C:\\\\Windows\\\\Temp\\\\big.bin: the file shrank while it was read: it ends "
                                              "at offset 1572864, its size when opened was 3145728; not fully acquired");
}

Test(faults_walk, a_file_that_grows_while_read_is_an_error)
{
    assert_changed_file_is_an_error("GROW", "C:\\\\Windows\\\\Temp\\\\big.bin: the file grew while it was read: its size "
                                            "when opened was 3145728");
}

Test(faults_walk, a_file_that_fails_mid_read_is_an_error)
{
    assert_changed_file_is_an_error("EIO", "C:\\\\Windows\\\\Temp\\\\big.bin: read at offset 1572864: Input/output error; "
                                           "not fully acquired");
}

/* ---- 5. mount points ------------------------------------------------------------------ */

/* A real tmpfs mounted inside the tree when this test may mount (root in
 * most CI containers); otherwise the backend's hook gives the directory
 * another volume number, which is all the walk compares. */
static const char *mount_or_hook(const char *dir)
{
    if (mount("none", dir, "tmpfs", 0, "size=1m") == 0) {
        FILE *f = fopen(path_of(dir, "analyst-notes.txt"), "w");
        cr_assert_not_null(f);
        fputs("the analyst's own file\n", f);
        fclose(f);
        return "";
    }
    put(dir, "analyst-notes.txt", "the analyst's own file\n");
    return "GLEANER_TEST_FAKE_MOUNT=mnt";
}

Test(faults_walk, a_mount_point_is_not_crossed_and_is_reported)
{
    char *src = tmpdir("walk-mount");
    put(src, "Windows/Temp/a.txt", "evidence\n");
    char *mnt = path_of(src, "Windows/Temp/mnt");
    cr_assert_eq(mkdir(mnt, 0755), 0);
    const char *env = mount_or_hook(mnt);
    char *prof = profile("walk-mount-p", FILES_UNDER_WINDOWS);
    run_out r = collect("walk-mount-out", env, src, prof, NULL);
    run_out crossed = collect("walk-mount-cross", env, src, prof, "--cross-mounts");
    if (!env[0])
        umount2(mnt, MNT_DETACH);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    assert_in_run(r.bundle, "C:\\\\Windows\\\\Temp\\\\mnt: mount point of another file system, not crossed "
                            "(--cross-mounts crosses it)");
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/a.txt\n");

    cr_assert_eq(crossed.rc, 0, "%s", crossed.err.data);
    assert_verifies(crossed.bundle);
    assert_status(crossed.bundle, COMPLETE);
    cr_assert_str_eq(artifacts(crossed.bundle),
                     "artifacts/C/Windows/Temp/a.txt\nartifacts/C/Windows/Temp/mnt/analyst-notes.txt\n");
}

/* ---- 6. directory access times ----------------------------------------------------------- */

static struct timespec atime_of(const char *p)
{
    struct stat st;
    cr_assert_eq(stat(p, &st), 0, "%s", p);
    return st.st_atim;
}

static void set_old_atime(const char *p)
{
    struct timespec t[2] = {{.tv_sec = 978307200}, {.tv_nsec = UTIME_OMIT}}; /* 2001-01-01 */
    cr_assert_eq(utimensat(AT_FDCWD, p, t, 0), 0, "%s", p);
}

/* Under relatime (the usual default) a read updates an access time older
 * than a day, and 2001 is: a control directory listed with ls shows the
 * file system does update it, so an unchanged time after collect means
 * gleaner did not cause an update, not that the mount hides it. */
Test(faults_walk, collect_leaves_directory_access_times_unchanged)
{
    char *src = tmpdir("walk-atime");
    put(src, "Windows/Temp/a.txt", "evidence\n");
    put(src, "Windows/Temp/Sub/b.txt", "more\n");
    put(src, "control/c.txt", "control\n");
    const char *dirs[] = {"Windows", "Windows/Temp", "Windows/Temp/Sub"};
    for (size_t i = 0; i < 3; i++)
        set_old_atime(path_of(src, dirs[i]));
    char *control = path_of(src, "control");
    set_old_atime(control);
    cr_assert_eq(tu_runf(NULL, NULL, "ls '%s' >/dev/null", control), 0);
    if (atime_of(control).tv_sec == 978307200)
        cr_skip_test("the file system under %s does not update access times (noatime): nothing to observe", src);
    run_out r = collect("walk-atime-out", NULL, src, profile("walk-atime-p", FILES_UNDER_WINDOWS), NULL);
    cr_assert_eq(r.rc, 0, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, COMPLETE);
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/Temp/Sub/b.txt\nartifacts/C/Windows/Temp/a.txt\n");
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(atime_of(path_of(src, dirs[i])).tv_sec, 978307200, "%s: access time changed", dirs[i]);
}

/* ---- 7. a link where a file should be ------------------------------------------------------ */

Test(faults_walk, a_link_where_a_target_file_should_be_is_an_error)
{
    char *src = tmpdir("walk-link");
    put(src, "Windows/System32/config/SAM", "a file\n");
    cr_assert_eq(symlink("/nonexistent/gleaner-test/SYSTEM", path_of(src, "Windows/System32/config/SYSTEM")), 0);
    /* a link a wildcard meets (Windows trees hold junctions) is recorded, not an error */
    cr_assert_eq(symlink("/nonexistent/gleaner-test", path_of(src, "Windows/System32/config/Junction")), 0);
    run_out r = collect("walk-link-out", NULL, src,
                        profile("walk-link-p", "module files\ntarget t C:\\Windows\\System32\\config\\SYSTEM\n"
                                               "target u C:\\Windows\\System32\\config\\S?M\n"
                                               "target j C:\\Windows\\System32\\config\\J*\n"),
                        NULL);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    assert_verifies(r.bundle);
    assert_status(r.bundle, PARTIAL);
    assert_in_run(r.bundle, "C:\\\\Windows\\\\System32\\\\config\\\\SYSTEM: a link to '/nonexistent/gleaner-test/SYSTEM' where a file was "
                            "expected; links are not followed");
    char *rec = tu_bundle_member(r.bundle, "records/files.jsonl");
    cr_assert(strstr(rec, "\"path\":\"C:\\\\Windows\\\\System32\\\\config\\\\SYSTEM\",\"status\":\"error\""), "%s", rec);
    cr_assert(strstr(rec, "\"path\":\"C:\\\\Windows\\\\System32\\\\config\\\\Junction\",\"status\":\"skipped\""), "%s", rec);
    cr_assert(strstr(rec, "\"reason\":\"a link to '/nonexistent/gleaner-test'; links are not followed\""), "%s", rec);
    char *run = tu_bundle_member(r.bundle, "run.json");
    cr_assert_eq(tu_count(run, "links are not followed"), 1, "only the named link is an error: %s", run);
    cr_assert_str_eq(artifacts(r.bundle), "artifacts/C/Windows/System32/config/SAM\n");
}

/* ---- 8. host detection on a hostile hive ----------------------------------------------------- */

/* Collect a tree whose SYSTEM hive is the sample one grown (sparse) to
 * size bytes, its hive-bins size field set to claim_bins when non-zero;
 * no target covers the hive. Asserts exit 0, flat memory, a complete
 * bundle that verifies and holds win.ini only (detection read the hive,
 * the bundle does not hold it). */
static char *collect_with_hive(const char *tag, long long size, const char *claim_bins)
{
    char *src = tmpdir(tag);
    char *hive = path_of(src, "Windows/System32/config/SYSTEM");
    cr_assert_eq(tu_place(src, "Windows/System32/config/SYSTEM", tu_fixture("sample-host/Windows/System32/config/SYSTEM")), 0);
    cr_assert_eq(truncate(hive, size), 0);
    if (claim_bins)
        cr_assert_eq(tu_runf(NULL, NULL, "printf '%s' | dd of='%s' bs=1 seek=40 conv=notrunc 2>/dev/null", claim_bins, hive),
                     0);
    put(src, "Windows/win.ini", "[fonts]\n");
    char *out = tmpdir(tag);
    long rss = 0;
    gl_buf cmd = {0};
    gl_buf_printf(&cmd, "'%s' collect -q --source 'dir:%s' --profile '%s' --output '%s' --name b", tu_gleaner(), src,
                  profile(tag, "module files\ntarget ini C:\\Windows\\win.ini\n"), out);
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0);
    cr_assert_lt(rss, 64 * 1024, "peak RSS %ld KiB", rss);
    char *bundle = path_of(out, "b.tar.zst");
    assert_verifies(bundle);
    assert_status(bundle, COMPLETE);
    cr_assert_str_eq(artifacts(bundle), "artifacts/C/Windows/win.ini\n");
    return bundle;
}

/* The sample SYSTEM hive made a 1 GiB sparse file: the header's hive bins
 * still say how much is hive, so detection reads that and no more. */
Test(faults_walk, host_detection_reads_a_sparse_1gib_hive_in_bounded_memory)
{
    assert_in_run(collect_with_hive("walk-hive", 1ll << 30, NULL), "\"host\":\"WS01\"");
}

/* A header claiming 1 GiB of hive bins is refused before anything past
 * the base block is read: the host stays unknown, memory stays flat. */
Test(faults_walk, host_detection_refuses_a_hive_claiming_absurd_size)
{
    assert_in_run(collect_with_hive("walk-hive-claim", (1ll << 30) + 4096, "\\000\\000\\000\\100"),
                  "\"host\":\"unknown\"");
}

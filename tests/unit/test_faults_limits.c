/* Run limits (--time-limit, MODULE.time_limit, --max-file-size,
 * --max-bundle-size, --max-files, --min-free) and module isolation: every
 * limit reached makes the run partial (exit 1) with reason "limits", names
 * what it skipped in run.json and the log, and leaves a bundle that
 * verifies. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "testutil.h"

/* A source with C:\Temp\f1..f5 of 1000 bytes each and C:\Windows\win.ini. */
static char *five_files(const char *tag)
{
    char *src = tu_tmpdir(tag);
    cr_assert_eq(tu_runf(NULL, NULL,
                         "cd '%s' && mkdir -p Temp Windows && printf '[fonts]\\r\\n' > Windows/win.ini && "
                         "for i in 1 2 3 4 5; do head -c 1000 /dev/zero | tr '\\0' $i > Temp/f$i; done",
                         src),
                 0);
    return src;
}

static char *profile(const char *tag, const char *text)
{
    char *dir = tu_tmpdir(tag);
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/p.profile", dir);
    FILE *f = fopen(p.data, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p.data;
}

typedef struct run_out {
    int rc;
    char *bundle, *run_json, *log;
    gl_buf err;
} run_out;

/* collect with env and args; the bundle must verify whatever the limits. */
static run_out collect(const char *tag, const char *env, const char *src, const char *args)
{
    run_out r = {0};
    char *out = tu_tmpdir(tag);
    r.rc = tu_runf(NULL, &r.err, "%s '%s' collect -q --source 'dir:%s' --output '%s' --name b %s", env, tu_gleaner(),
                   src, out, args);
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/b.tar.zst", out);
    r.bundle = b.data;
    if (r.rc > 1)
        return r;
    gl_buf v = {0};
    cr_assert_eq(tu_runf(&v, NULL, "'%s' verify '%s'", tu_gleaner(), r.bundle), 0, "%s", v.data);
    r.run_json = tu_bundle_member(r.bundle, "run.json");
    r.log = tu_bundle_member(r.bundle, "log.txt");
    return r;
}

static gl_buf artifacts(const char *bundle)
{
    gl_buf list = {0};
    tu_runf(&list, NULL, "tar --zstd -tf '%s' | grep '^artifacts/' | sort", bundle);
    gl_buf_cstr(&list);
    return list;
}

#define FILES_PROFILE "module files\ntarget temp C:\\Temp\\*\n"

Test(faults_limits, max_files_stops_acquisition_and_names_what_it_skipped)
{
    char *prof = profile("lim-mf-p", FILES_PROFILE);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s' --max-files 2", prof);
    run_out r = collect("lim-mf", "", five_files("lim-mf-src"), args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "\"status\":\"partial\",\"reason\":\"limits\""), "%s", r.run_json);
    cr_assert(strstr(r.run_json, "\"limits_hit\":[{\"limit\":\"max_files\",\"scope\":\"run\",\"value\":2,"
                                 "\"files_skipped\":3,\"bytes_skipped\":3000,"
                                 "\"skipped\":[\"C:\\\\Temp\\\\f3\",\"C:\\\\Temp\\\\f4\",\"C:\\\\Temp\\\\f5\"],"
                                 "\"modules_not_run\":[]}]"),
              "%s", r.run_json);
    cr_assert(strstr(r.run_json, "{\"name\":\"files\",\"status\":\"partial\",\"limit\":\"max_files\""), "%s",
              r.run_json);
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "artifacts/C/Temp/f1\nartifacts/C/Temp/f2\n");
    cr_assert(strstr(r.log, "C:\\Temp\\f5: not acquired: --max-files 2 reached"), "%s", r.log);
    cr_assert(strstr(r.log, "limit max_files reached (run): 3 files (3000 bytes) not acquired"), "%s", r.log);
}

Test(faults_limits, max_file_size_skips_only_larger_files)
{
    char *src = five_files("lim-fs-src");
    cr_assert_eq(tu_runf(NULL, NULL, "head -c 5000 /dev/zero > '%s/Temp/big'", src), 0);
    char *prof = profile("lim-fs-p", FILES_PROFILE);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s' --max-file-size 4K", prof);
    run_out r = collect("lim-fs", "", src, args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "{\"limit\":\"max_file_size\",\"scope\":\"run\",\"value\":4096,\"files_skipped\":1,"
                                 "\"bytes_skipped\":5000,\"skipped\":[\"C:\\\\Temp\\\\big\"]"),
              "%s", r.run_json);
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "artifacts/C/Temp/f1\nartifacts/C/Temp/f2\nartifacts/C/Temp/f3\n"
                                "artifacts/C/Temp/f4\nartifacts/C/Temp/f5\n");
    cr_assert(strstr(r.log, "C:\\Temp\\big: not acquired: 5000 bytes, over --max-file-size 4096"), "%s", r.log);
}

Test(faults_limits, max_bundle_size_counts_evidence_bytes)
{
    char *prof = profile("lim-bs-p", FILES_PROFILE);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s' --max-bundle-size 2500", prof);
    run_out r = collect("lim-bs", "", five_files("lim-bs-src"), args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "{\"limit\":\"max_bundle_size\",\"scope\":\"run\",\"value\":2500,\"files_skipped\":3,"),
              "%s", r.run_json);
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "artifacts/C/Temp/f1\nartifacts/C/Temp/f2\n");
}

/* The free-space floor, with the test build's statvfs stand-in: the volume
 * has 1 MiB + 1500 bytes free before the bundle; keeping 1 MiB free leaves
 * room for one 1000-byte file and not the next. */
Test(faults_limits, min_free_stops_before_the_disk_fills)
{
    char *prof = profile("lim-free-p", FILES_PROFILE);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s' --min-free 1M", prof);
    run_out r = collect("lim-free", "GLEANER_TEST_FREE_BYTES=1050076", five_files("lim-free-src"), args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "\"reason\":\"limits\""), "%s", r.run_json);
    cr_assert(strstr(r.run_json, "{\"limit\":\"min_free\",\"scope\":\"run\",\"value\":1048576,\"files_skipped\":4,"
                                 "\"bytes_skipped\":4000,"),
              "%s", r.run_json);
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "artifacts/C/Temp/f1\n");
    cr_assert(strstr(r.log, "C:\\Temp\\f2: not acquired: 1000 bytes would leave less than 1048576 bytes free on the "
                            "output volume"),
              "%s", r.log);
}

#define SLOW_PROFILE                                                                                                 \
    "module limits_writer\nmodule limits_reader\nmodule pipeline_probe\n"                                           \
    "set limits_writer.count 1000\nset limits_reader.sleep_ms 5\n"

/* A module over its own budget is stopped inside the kit's record loop,
 * cannot acquire afterwards, and is marked; the modules after it run. */
Test(faults_limits, a_module_over_its_time_budget_is_stopped_and_the_rest_run)
{
    char *prof = profile("lim-mt-p", SLOW_PROFILE "set limits_reader.time_limit 1\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    run_out r = collect("lim-mt", "", five_files("lim-mt-src"), args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "\"status\":\"partial\",\"reason\":\"limits\""), "%s", r.run_json);
    cr_assert(strstr(r.run_json, "{\"limit\":\"time_limit\",\"scope\":\"module limits_reader\",\"files_skipped\":1,"
                                 "\"bytes_skipped\":9,\"skipped\":[\"C:\\\\Windows\\\\win.ini\"],"
                                 "\"modules_not_run\":[]}"),
              "%s", r.run_json);
    cr_assert(strstr(r.run_json, "{\"name\":\"limits_reader\",\"status\":\"partial\",\"limit\":\"time_limit\""), "%s",
              r.run_json);
    cr_assert(strstr(r.run_json, "{\"name\":\"pipeline_probe\",\"status\":\"complete\""), "%s", r.run_json);
    char *rec = tu_bundle_member(r.bundle, "records/limits_reader.jsonl");
    unsigned long seen = 0;
    cr_assert_eq(sscanf(rec, "{\"seen\":%lu,\"opened\":false}", &seen), 1, "%s", rec);
    cr_assert(seen > 0 && seen < 1000, "stopped inside the record loop: %lu of 1000 read", seen);
    /* pipeline_probe, after it, still read and acquired win.ini */
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "artifacts/C/Windows/win.ini\n");
}

Test(faults_limits, the_run_time_limit_stops_the_module_and_skips_the_rest)
{
    char *prof = profile("lim-rt-p", SLOW_PROFILE);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s' --time-limit 1s", prof);
    run_out r = collect("lim-rt", "", five_files("lim-rt-src"), args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "{\"limit\":\"time_limit\",\"scope\":\"run\",\"value\":1,\"files_skipped\":1,"
                                 "\"bytes_skipped\":9,\"skipped\":[\"C:\\\\Windows\\\\win.ini\"],"
                                 "\"modules_not_run\":[\"pipeline_probe\"]}"),
              "%s", r.run_json);
    cr_assert(strstr(r.run_json, "{\"name\":\"pipeline_probe\",\"status\":\"not run\""), "%s", r.run_json);
    cr_assert(strstr(r.log, "time limit reached: module pipeline_probe and the ones after it did not run"), "%s",
              r.log);
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "");
}

/* Every limit value is checked before anything is read: exit 2, no bundle. */
Test(faults_limits, bad_limit_values_are_usage_errors)
{
    static const char *const bad[][2] = {
        {"--time-limit banana", "gleaner collect: --time-limit banana: expected a duration of at least one second"},
        {"--time-limit 0", "gleaner collect: --time-limit 0: expected a duration"},
        {"--max-files -1", "gleaner collect: --max-files -1: expected a whole number"},
        {"--max-file-size 99999999999999999999G", "gleaner collect: --max-file-size 99999999999999999999G: expected a size"},
        {"--max-bundle-size 12Q", "gleaner collect: --max-bundle-size 12Q: expected a size"},
        {"--min-free 150%", "gleaner collect: --min-free 150%: expected a size (e.g. 1G) or a percentage"},
        {"--set files.time_limit=-1", "gleaner collect: setting files.time_limit: '-1' is not a duration"},
    };
    char *src = five_files("lim-bad-src");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = tu_tmpdir("lim-bad");
        gl_buf err = {0};
        int rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --profile quick --output '%s' %s",
                         tu_gleaner(), src, out, bad[i][0]);
        cr_assert_eq(rc, 2, "%s: %s", bad[i][0], err.data);
        cr_assert(err.data && !strncmp(err.data, bad[i][1], strlen(bad[i][1])), "%s: %s", bad[i][0], err.data);
        gl_buf ls = {0};
        tu_runf(&ls, NULL, "ls -A '%s'", out);
        cr_assert_eq(ls.len, 0, "nothing written for %s: %s", bad[i][0], ls.data);
    }
}

/* An allocation failure inside one module (the test build's hook) fails
 * that module alone: the others run, and the bundle verifies. The module's
 * abandoned memory is by design (docs/hacking.md), so leak detection is off
 * for this one child. */
Test(faults_limits, an_allocation_failure_fails_only_its_module)
{
    char *prof = profile("lim-oom-p", "module pipeline_probe\nmodule files\n" "target temp C:\\Temp\\*\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    run_out r = collect("lim-oom", "ASAN_OPTIONS=detect_leaks=0 GLEANER_TEST_ALLOC_FAIL=pipeline_probe:3",
                        five_files("lim-oom-src"), args.data);
    cr_assert_eq(r.rc, 1, "%s", r.err.data);
    cr_assert(strstr(r.run_json, "\"status\":\"partial\",\"reason\":\"errors\""), "%s", r.run_json);
    cr_assert(strstr(r.run_json, "{\"name\":\"pipeline_probe\",\"status\":\"failed\""), "%s", r.run_json);
    cr_assert(strstr(r.run_json, "failed): module pipeline_probe stopped; what it reported before is kept"), "%s",
              r.run_json);
    cr_assert(strstr(r.run_json, "{\"name\":\"files\",\"status\":\"complete\""), "%s", r.run_json);
    cr_assert(strstr(r.log, "ERROR pipeline_probe: out of memory (an allocation of "), "%s", r.log);
    gl_buf list = artifacts(r.bundle);
    cr_assert_str_eq(list.data, "artifacts/C/Temp/f1\nartifacts/C/Temp/f2\nartifacts/C/Temp/f3\n"
                                "artifacts/C/Temp/f4\nartifacts/C/Temp/f5\n");
}

/* ---- reading bundles: caps on unpacking, flat memory ------------------------- */

static char *generated_bundle(const char *tag, unsigned members, const char *bomb_bytes)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/g.tar.zst", tu_tmpdir(tag));
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "/usr/bin/python3 '%s/tests/tools/many_members.py' '%s' %u %s%s", getenv("GLEANER_ROOT"),
                     p.data, members, bomb_bytes ? "--bomb " : "", bomb_bytes ? bomb_bytes : "");
    cr_assert_eq(rc, 0, "generator: %s", err.data);
    return p.data;
}

/* A 100 MB member of zeros packs into a few KB. Neither verify nor a
 * bundle: source unpacks past the caps (default: 1000 x the bundle's size
 * on disk); the error names the member; nothing is left in the output
 * directory; the caps can be moved either way. */
Test(faults_limits, a_zstd_bomb_is_refused_by_verify_and_by_bundle_sources, .timeout = 300)
{
    char *bomb = generated_bundle("lim-bomb", 2, "100000000");
    struct stat st;
    cr_assert_eq(stat(bomb, &st), 0);
    cr_assert_lt(st.st_size, 100000, "the bomb is %lld bytes", (long long)st.st_size);
    unsigned long long cap = (unsigned long long)st.st_size * 1000;
    gl_buf out = {0}, want = {0};
    int rc = tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), bomb);
    cr_assert_eq(rc, 4, "%s", out.data);
    gl_buf_printf(&want, "refused: bundle member 'artifacts/C/bomb.bin': unpacks to more than %llu bytes, the cap "
                         "relative to the bundle's size (--unpack-limit ratio=)\n", cap);
    cr_assert(!strncmp(out.data, want.data, want.len), "%s", out.data);

    char *dir = tu_tmpdir("lim-bomb-out");
    gl_buf err = {0};
    rc = tu_runf(NULL, &err, "'%s' collect -q --source 'bundle:%s' --profile quick --output '%s'", tu_gleaner(), bomb,
                 dir);
    cr_assert_eq(rc, 3, "%s", err.data);
    cr_assert(strstr(err.data, "bundle member 'artifacts/C/bomb.bin': unpacks to more than"), "%s", err.data);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", dir);
    cr_assert_eq(ls.len, 0, "scratch or partial left behind: %s", ls.data);

    /* the absolute per-member cap, and the member count */
    gl_buf_clear(&out);
    rc = tu_runf(&out, NULL, "'%s' verify --unpack-limit ratio=0 --unpack-limit member=1M '%s'", tu_gleaner(), bomb);
    cr_assert_eq(rc, 4);
    cr_assert(strstr(out.data, "refused: bundle member 'artifacts/C/bomb.bin': unpacks to more than 1048576 bytes, "
                               "the cap on one member (--unpack-limit member=)\n"),
              "%s", out.data);
    gl_buf_clear(&out);
    rc = tu_runf(&out, NULL, "'%s' verify --unpack-limit ratio=100000 --unpack-limit members=2 '%s'", tu_gleaner(),
                 bomb);
    cr_assert_eq(rc, 4);
    cr_assert(strstr(out.data, "refused: bundle member 'artifacts/C/d001/f000001.txt': more than 2 members "
                               "(--unpack-limit members=)\n"),
              "%s", out.data);
    /* raised, the same bundle verifies: the caps are the only objection */
    gl_buf_clear(&out);
    rc = tu_runf(&out, NULL, "'%s' verify --unpack-limit ratio=100000 '%s'", tu_gleaner(), bomb);
    cr_assert_eq(rc, 0, "%s", out.data);
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "'%s' verify --unpack-limit ratio=x '%s'", tu_gleaner(), bomb);
    cr_assert_eq(rc, 2);
    cr_assert_str_eq(err.data, "gleaner verify: --unpack-limit ratio=x: expected ratio=N, total=SIZE, member=SIZE or "
                               "members=N\n");
}

/* 200 000 members: verify, unpacking it as a bundle: source and writing a
 * bundle of as many members each stay under 64 MB (the manifest is
 * streamed both ways; only the names are kept). */
Test(faults_limits, memory_stays_flat_with_200000_members, .timeout = 1200)
{
    char *big = generated_bundle("lim-200k", 200000, NULL);
    /* sanitizer builds carry shadow memory, and their quarantine of freed
     * blocks (256 MB by default) would measure ASan, not gleaner: keep it small */
    const char *env = "env ASAN_OPTIONS=\"$ASAN_OPTIONS:quarantine_size_mb=8\"";
    long limit = strstr(tu_gleaner(), "/san/") ? 256 * 1024 : 64 * 1024;
    long rss = 0;
    gl_buf cmd = {0};
    gl_buf_printf(&cmd, "%s '%s' verify -q '%s'", env, tu_gleaner(), big);
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0, "the generated bundle verifies");
    cr_assert_lt(rss, limit, "verify of 200 000 members: peak RSS %ld KiB", rss);

    char *prof = profile("lim-200k-p", "module files\ntarget all C:\\d*\\*\n");
    char *out = tu_tmpdir("lim-200k-out");
    gl_buf_clear(&cmd);
    gl_buf_printf(&cmd, "%s '%s' collect -q --source 'bundle:%s' --profile '%s' --output '%s' --name b --min-free 0",
                  env, tu_gleaner(), big, prof, out);
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0);
    cr_assert_lt(rss, limit, "collect of 200 000 members from a bundle: peak RSS %ld KiB", rss);
    gl_buf bundle = {0}, count = {0};
    gl_buf_printf(&bundle, "%s/b.tar.zst", out);
    gl_buf_clear(&cmd);
    gl_buf_printf(&cmd, "%s '%s' verify -q '%s'", env, tu_gleaner(), bundle.data);
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0);
    cr_assert_lt(rss, limit, "verify of the collected bundle: peak RSS %ld KiB", rss);
    tu_runf(&count, NULL, "tar --zstd -tf '%s' | grep -c '^artifacts/C/d'", bundle.data);
    cr_assert_str_eq(count.data, "200000\n");
}

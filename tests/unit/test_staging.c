/* staging: archives found by content in staging places (the corpus RAR,
 * 7z and zip samples, archives bsdtar writes here, one under a .txt and
 * one under a .log name), the WinRAR history of the corpus NTUSER.DAT,
 * the real Sysmon log with a `rar a -r` run, the walk's limits, and a
 * 100 000-file tree in bounded memory. */
#include <criterion/criterion.h>
#include <pwd.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* "rule severity | title | time | first locator" per staging finding,
 * sorted (the walk's order is the file system's). */
static char *verdict(const char *bundle)
{
    char *text = tu_bundle_member(bundle, "findings.jsonl");
    char *lines[256];
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *f = cJSON_Parse(line);
        cr_assert_not_null(f);
        if (!strcmp(str(f, "module"), "staging")) {
            cr_assert_lt(n, 256);
            gl_buf b = {0};
            const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0);
            gl_buf_printf(&b, "%s %s | %s | %s | %s", str(f, "rule"), str(f, "severity"), str(f, "title"),
                          str(f, "time") ? str(f, "time") : "-", str(ev, "locator"));
            cr_assert(strlen(str(f, "severity_reason")) > 20);
            lines[n++] = b.data;
        }
        cJSON_Delete(f);
    }
    qsort(lines, n, sizeof lines[0], cmp_lines);
    gl_buf all = {0};
    for (size_t i = 0; i < n; i++) {
        gl_buf_printf(&all, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(text);
    return all.data ? all.data : gl_xstrdup("");
}

/* Run a shell command in dir; fails the test when it fails. */
static void sh(const char *dir, const char *cmd)
{
    int rc = tu_runf(NULL, NULL, "cd '%s' && %s", dir, cmd);
    cr_assert_eq(rc, 0, "%s", cmd);
}

#define OLD "2025-01-01T00:00:00Z"
#define NOV19 "2026-11-19T12:00:00Z"
#define NOV20 "2026-11-20T03:00:00Z"

static char *staging_host(void)
{
    char *root = tu_tmpdir("staging-host");
    char *corpus = tu_corpus("dev/archives");
    sh(root, "mkdir -p PerfLogs Users/Public/Music Users/jdoe/Documents Users/tony ProgramData/x Windows/Temp "
             "Windows/System32/winevt/Logs src/docs");
    tu_runf(NULL, NULL, "cp '%s'/* '%s/PerfLogs/' && cp '%s/libarchive__7zip_encryption_header.7z' "
                        "'%s/Users/Public/Music/notes.txt'", corpus, root, corpus, root);
    tu_place(root, "Users/tony/NTUSER.DAT", tu_corpus("dev/hives/ntuser/regipy__NTUSER.DAT"));
    tu_place(root, "Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
             tu_corpus("dev/evtx/archive/sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx"));
    tu_place(root, "Windows/System32/winevt/Logs/Security.evtx", tu_fixture("evtx/staging-security.evtx"));
    /* bsdtar's archives: an AES zip under a .log name, an old zip, a
     * document (a zip that is no archive), a tar of directory secrets */
    sh(root, "printf 'q3 numbers\\n' > src/docs/report.xlsx && printf 'x' > src/ntds.dit && printf 'y' > src/SYSTEM && "
             "printf '<Types/>' > 'src/[Content_Types].xml' && "
             "bsdtar -cf ProgramData/x/report.log --format zip --options zip:encryption=aes256 --passphrase pw "
             "-C src docs/report.xlsx && "
             "bsdtar -cf Users/jdoe/Documents/old.zip --format zip -C src docs/report.xlsx && "
             "bsdtar -cf Users/jdoe/Documents/Budget.docx --format zip -C src '[Content_Types].xml' docs/report.xlsx && "
             "bsdtar -cf Windows/Temp/dump.tar --format ustar -C src ntds.dit SYSTEM && "
             "mkdir -p src/proj/.git src/System && printf 'ref' > src/proj/.git/HEAD && printf 's' > src/System/a.ini && "
             "bsdtar -cf Users/jdoe/Documents/src.zip --format zip -C src proj/.git/HEAD && "
             "bsdtar -cf Users/jdoe/Documents/sys.zip --format zip -C src System/a.ini && "
             "printf 'just text, long enough to be looked at\\n' > Users/jdoe/notes.txt && rm -r src");
    sh(root, "touch -d " NOV20 " PerfLogs/* ProgramData/x/report.log && touch -d 2026-11-20T03:05:00Z "
             "Users/Public/Music/notes.txt && touch -d " OLD " Users/jdoe/Documents/* Users/jdoe/notes.txt && "
             "touch -d " NOV19 " Windows/Temp/dump.tar && touch -d 2026-11-20T04:00:00Z Users/tony/NTUSER.DAT "
             "Windows/System32/winevt/Logs/*");
    return root;
}

#define ENC(path, fmt, time) "staging.encrypted_archive high | Encrypted " fmt " archive " path " | " time " | " path "\n"

Test(staging, archives_history_and_command_lines, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    char *root = staging_host();
    char *bundle = tu_collect_dir("staging-host", root, "--profile standard --set staging.large=50K", 0);
    char *v = verdict(bundle);
    cr_expect_str_eq(v,
                     "staging.archive high | rar4 archive in 4 volumes C:\\PerfLogs\\libarchive__rar_multivolume.part* | "
                     "2026-11-20T03:00:00.0000000Z | C:\\PerfLogs\\libarchive__rar_multivolume.part0001.rar\n"
                     "staging.archive low | zip archive C:\\Users\\jdoe\\Documents\\old.zip | 2025-01-01T00:00:00.0000000Z | "
                     "C:\\Users\\jdoe\\Documents\\old.zip\n"
                     /* a "System" folder is no SYSTEM hive */
                     "staging.archive low | zip archive C:\\Users\\jdoe\\Documents\\sys.zip | 2025-01-01T00:00:00.0000000Z | "
                     "C:\\Users\\jdoe\\Documents\\sys.zip\n"
                     "staging.archive medium | rar5 archive C:\\PerfLogs\\libarchive__rar5_solid.rar | "
                     "2026-11-20T03:00:00.0000000Z | C:\\PerfLogs\\libarchive__rar5_solid.rar\n"
                     /* 4688: -hp, volumes, store-only, recursive (high); Sysmon 1 of the
                      * corpus: cmd /c "rar a -r exfilthis.rar *.docx" (medium) */
                     "staging.archiver_run high | rar a C:\\PerfLogs\\q.rar | 2026-11-20T02:41:07.0000000Z | "
                     "EventRecordID=1\n"
                     "staging.archiver_run medium | rar a exfilthis.rar | 2019-07-19T14:54:16.7826670Z | EventRecordID=4053\n"
                     "staging.collected_data high | tar archive C:\\Windows\\Temp\\dump.tar | 2026-11-19T12:00:00.0000000Z | "
                     "C:\\Windows\\Temp\\dump.tar\n"
                     /* a source tree: a .git folder inside */
                     "staging.collected_data medium | zip archive C:\\Users\\jdoe\\Documents\\src.zip | "
                     "2025-01-01T00:00:00.0000000Z | C:\\Users\\jdoe\\Documents\\src.zip\n"
                     ENC("C:\\PerfLogs\\libarchive__7zip_encryption.7z", "7z", "2026-11-20T03:00:00.0000000Z")
                     ENC("C:\\PerfLogs\\libarchive__7zip_encryption_header.7z", "7z", "2026-11-20T03:00:00.0000000Z")
                     ENC("C:\\Users\\Public\\Music\\notes.txt", "7z", "2026-11-20T03:05:00.0000000Z")
                     ENC("C:\\PerfLogs\\libarchive__rar4_encrypted_filenames.rar", "rar4", "2026-11-20T03:00:00.0000000Z")
                     ENC("C:\\PerfLogs\\libarchive__rar5_encrypted.rar", "rar5", "2026-11-20T03:00:00.0000000Z")
                     ENC("C:\\PerfLogs\\libarchive__rar5_encrypted_filenames.rar", "rar5", "2026-11-20T03:00:00.0000000Z")
                     ENC("C:\\PerfLogs\\libarchive__zip_encryption_data.zip", "zip", "2026-11-20T03:00:00.0000000Z")
                     ENC("C:\\ProgramData\\x\\report.log", "zip", "2026-11-20T03:00:00.0000000Z")
                     "staging.history_missing low | WinRAR ArcHistory names C:\\Users\\tony\\Downloads\\RegistryFinder64.zip, "
                     "which is not on disk | 2021-11-18T13:59:04.8889527Z | HKU\\tony\\Software\\WinRAR\\ArcHistory\\0\n"
                     "staging.history_missing low | WinRAR ArcHistory names C:\\temp\\token.zip, which is not on disk | "
                     "2021-11-18T13:59:04.8889527Z | HKU\\tony\\Software\\WinRAR\\ArcHistory\\1\n",
                     "%s", v);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_expect_eq(tu_count(tl, "\"kind\":\"archive.created\""), 14); /* one per volume set */
    cr_expect_eq(tu_count(tl, "\"kind\":\"archive.history\""), 6);
    cr_expect_eq(tu_count(tl, "\"kind\":\"archiver.run\""), 3); /* the 7-Zip extraction too */
    char *rec = tu_bundle_member(bundle, "records/staging.jsonl");
    cr_expect_eq(tu_count(rec, "\"type\":\"archive\""), 17);
    cr_expect_eq(tu_count(rec, "\"path\":\"C:\\\\Windows\\\\Temp\\\\dump.tar\""), 1);
    /* every archive's owner: whoever made the test tree */
    struct passwd *pw = getpwuid(getuid());
    gl_buf owner = {0};
    gl_buf_printf(&owner, "\"owner\":\"%s\"", pw ? pw->pw_name : "?");
    cr_expect_eq(tu_count(rec, owner.data), 17, "%s", owner.data);
    gl_buf_free(&owner);
    cr_expect_eq(tu_count(rec, "\"sensitive\":[\"ntds.dit\",\"SYSTEM\"]"), 1);
    cr_expect_eq(tu_count(rec, "Budget.docx"), 0);
    cr_expect_eq(tu_count(rec, "\"switches\":[\"recursive\"]"), 1);
    cr_expect_eq(tu_count(rec, "\"switches\":[\"password\",\"header_encryption\",\"volumes\",\"store_only\","
                               "\"recursive\"]"),
                 1);
    cr_expect_eq(tu_count(rec, "\"type\":\"archiver_run\""), 3);
    /* small archives are in the bundle, byte for byte */
    char *member = tu_bundle_member(bundle, "artifacts/C/Users/Public/Music/notes.txt");
    cr_expect_not_null(member);
    cr_expect_eq(tu_count(rec, "\"sha256\":null"), 0);
}

/* The generated log, read back by python-evtx, libevtx and gleaner. */
Test(staging, fixture_read_back, .timeout = 60)
{
    const char *root = getenv("GLEANER_ROOT") ? getenv("GLEANER_ROOT") : ".";
    gl_buf out = {0};
    int rc = tu_runf(&out, &out, "/usr/bin/python3 '%s/tests/tools/check_evtx.py' --gleaner '%s' "
                     "'%s/tests/fixtures/evtx/staging-security.evtxdesc' '%s'", root, tu_gleaner(), root,
                     tu_fixture("evtx/staging-security.evtx"));
    cr_expect_eq(rc, 0, "%s", gl_buf_cstr(&out));
    gl_buf_free(&out);
}

/* The walk's limits: archives deeper than max_depth are not looked at,
 * those above hash_max are not hashed, and max_files stops the walk with
 * an error (the module is partial, the run exits 1). */
Test(staging, limits, .timeout = 60)
{
    char *root = tu_tmpdir("staging-limits");
    sh(root, "mkdir -p PerfLogs/a/b/c/d src && printf 'data\\n' > src/f.txt && "
             "bsdtar -czf PerfLogs/top.tgz -C src f.txt && bsdtar -czf PerfLogs/a/b/c/d/deep.tgz -C src f.txt && rm -r src");
    char *bundle = tu_collect_dir("staging-limits", root,
                                  "--profile standard --set staging.max_depth=3 --set staging.hash_max=10", 0);
    char *rec = tu_bundle_member(bundle, "records/staging.jsonl");
    cr_expect_eq(tu_count(rec, "\"path\":\"C:\\\\PerfLogs\\\\top.tgz\""), 1);
    cr_expect_eq(tu_count(rec, "deep.tgz"), 0);
    cr_expect_eq(tu_count(rec, "\"sha256\":null"), 1);
    tu_collect_dir("staging-limits-stop", root, "--profile standard --set staging.max_files=1", 1);
}

/* 100 000 files under Users\Public, three archives among them: all three
 * found, gleaner's peak RSS under 64 MB. */
Test(staging, hundred_thousand_files, .timeout = 300)
{
    char *root = tu_tmpdir("staging-100k");
    sh(root, "/usr/bin/python3 -c \"import os\n"
             "for d in range(100):\n"
             "    p = 'Users/Public/spool/%02d' % d\n"
             "    os.makedirs(p)\n"
             "    for i in range(1000):\n"
             "        open('%s/f%04d.dat' % (p, i), 'w').write('record %d %d' % (d, i))\" && "
             "mkdir -p src && printf 'x\\n' > src/a.txt && bsdtar -czf Users/Public/spool/07/f0500.dat -C src a.txt && "
             "bsdtar -cf Users/Public/spool/42/f0001.dat --format 7zip -C src a.txt && "
             "bsdtar -cf Users/Public/spool/99/f0999.dat --format zip -C src a.txt && rm -r src");
    char *out = tu_tmpdir("staging-100k-out");
    sh(out, "printf 'description staging only\\nmodule staging\\n' > ../staging-100k.profile");
    long rss = 0;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' collect --source 'dir:%s' --profile '%s/../staging-100k.profile' --output '%s' --quiet",
             tu_gleaner(), root, out, out);
    int rc = tu_run_rss(cmd, &rss);
    cr_assert_eq(rc, 0);
    cr_expect_lt(rss, 64 * 1024, "peak RSS %ld KiB", rss);
    gl_buf bundle = {0};
    tu_runf(&bundle, NULL, "ls '%s'/*.tar.zst | head -1 | tr -d '\\n'", out);
    char *rec = tu_bundle_member(gl_buf_cstr(&bundle), "records/staging.jsonl");
    cr_expect_eq(tu_count(rec, "\"type\":\"archive\""), 3);
}

/* make demo's sample host (tests/fixtures/samplehost): the RAR5 archive
 * made with -hp and deleted to the Recycle Bin, the zip made with tar.exe,
 * and WinRAR's history naming the archive that is gone. */
Test(staging, sample_host, .timeout = 120)
{
    char *bundle = tu_collect_dir("staging-sample", tu_fixture("sample-host"), "--profile standard", 0);
    char *v = verdict(bundle);
    cr_expect_not_null(strstr(v, "staging.encrypted_archive high | Encrypted rar5 archive C:\\$Recycle.Bin\\"), "%s", v);
    cr_expect_not_null(strstr(v, "staging.history_missing medium | WinRAR ArcHistory names "
                                 "C:\\Users\\Public\\Music\\hr_q4.rar, which is not on disk"),
                       "%s", v);
    cr_expect_not_null(strstr(v, "C:\\Users\\Public\\Documents\\backup_2026.zip"), "%s", v);
}

/* Negative control: a Windows 7 NTUSER.DAT without any archiver history
 * (corpus plaso__NTUSER-WIN7.DAT) and no archive: no staging finding. */
Test(staging, corpus_ntuser_without_history, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    char *root = tu_tmpdir("staging-win7");
    cr_assert_eq(tu_place(root, "Users/user/NTUSER.DAT", tu_corpus("dev/hives/ntuser/plaso__NTUSER-WIN7.DAT")), 0);
    char *bundle = tu_collect_dir("staging-win7", root, "--profile standard", 0);
    cr_expect_str_eq(verdict(bundle), "");
    char *rec = tu_bundle_member(bundle, "records/staging.jsonl");
    cr_expect_eq(tu_count(rec ? rec : "", "\"type\""), 0);
}

/* Each wanted history record once, nothing more, and one archive.history
 * event per record. */
static void expect_history(const char *bundle, const char *rec, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(tu_count(rec, want[i]), 1, "%s\n%s", want[i], rec);
    cr_expect_eq(tu_count(rec, "\"type\":\"history\""), n);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_expect_eq(tu_count(tl, "\"kind\":\"archive.history\""), n);
    free(tl);
}

/* 7-Zip's File Manager history (generated hive staging-ntuser-kim): each
 * path of FolderHistory, CopyHistory and Extraction\PathHistory is a
 * record and an archive.history event; only FolderHistory names archives,
 * so only its archive that is gone from a staging place is a finding
 * (the extraction destination that is gone is not, the other drive cannot
 * be checked). */
Test(staging, sevenzip_fm_history, .timeout = 60)
{
    char *root = tu_tmpdir("staging-7zfm");
    sh(root, "mkdir -p PerfLogs Users/kim/Documents");
    cr_assert_eq(tu_place(root, "Users/kim/NTUSER.DAT", tu_fixture("hives/staging-ntuser-kim.hive")), 0);
    char *bundle = tu_collect_dir("staging-7zfm", root, "--profile standard", 0);
    char *v = verdict(bundle);
    cr_expect_str_eq(v,
                     "staging.history_missing medium | 7-Zip FolderHistory names C:\\PerfLogs\\loot.7z\\, which is "
                     "not on disk | 2026-11-19T22:10:00.0000000Z | HKU\\kim\\Software\\7-Zip\\FM\\FolderHistory\n");
    char *rec = tu_bundle_member(bundle, "records/staging.jsonl");
    const char *want[] = {
        "\"source\":\"7-Zip FolderHistory\",\"path\":\"C:\\\\PerfLogs\\\\loot.7z\\\\\","
        "\"key\":\"HKU\\\\kim\\\\Software\\\\7-Zip\\\\FM\\\\FolderHistory\","
        "\"key_last_write\":\"2026-11-19T22:10:00.0000000Z\",\"on_disk\":false",
        "\"source\":\"7-Zip FolderHistory\",\"path\":\"C:\\\\Users\\\\kim\\\\Documents\\\\\","
        "\"key\":\"HKU\\\\kim\\\\Software\\\\7-Zip\\\\FM\\\\FolderHistory\","
        "\"key_last_write\":\"2026-11-19T22:10:00.0000000Z\",\"on_disk\":true",
        "\"source\":\"7-Zip CopyHistory\",\"path\":\"D:\\\\exfil\\\\\","
        "\"key\":\"HKU\\\\kim\\\\Software\\\\7-Zip\\\\FM\\\\CopyHistory\","
        "\"key_last_write\":\"2026-11-19T22:10:00.0000000Z\",\"artifact\"",
        "\"source\":\"7-Zip PathHistory\",\"path\":\"C:\\\\Users\\\\Public\\\\x\\\\\","
        "\"key\":\"HKU\\\\kim\\\\Software\\\\7-Zip\\\\Extraction\\\\PathHistory\","
        "\"key_last_write\":\"2026-11-19T22:20:00.0000000Z\",\"on_disk\":false",
    };
    expect_history(bundle, rec, want, sizeof want / sizeof want[0]);
    cr_expect_eq(tu_count(rec, "PanelPath0"), 0);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_expect_eq(tu_count(tl, "\"source\":\"7-Zip PathHistory\""), 1, "%s", tl);
    free(v);
    free(rec);
    free(tl);
}

/* PeaZip's history (a conf.txt laid out as PeaZip writes it, in ann's
 * roaming profile): every path of its recent archives, recent folders and
 * last output path is a record and an archive.history event at the file's
 * modification time; a recent archive gone from a staging place is a
 * finding, the one still on disk and the gone output folder are not. */
Test(staging, peazip_history, .timeout = 60)
{
    char *root = tu_tmpdir("staging-peazip");
    sh(root, "mkdir -p PerfLogs Users/ann/AppData/Roaming/PeaZip && printf 'kept' > Users/ann/keep.zip && "
             "printf '[save history of recent archives]\\r\\n1\\r\\nC:\\\\PerfLogs\\\\hr.7z\\r\\n"
             "C:\\\\Users\\\\ann\\\\keep.zip\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n"
             "[last output path]\\r\\nC:\\\\Users\\\\Public\\\\out\\r\\n\\r\\n"
             "[save history of recent directories]\\r\\nComputer'\\''s root\\r\\nD:\\\\share\\\\\\r\\n\\r\\n' "
             "> Users/ann/AppData/Roaming/PeaZip/conf.txt && "
             "touch -d 2026-11-19T23:30:00Z Users/ann/AppData/Roaming/PeaZip/conf.txt");
    char *bundle = tu_collect_dir("staging-peazip", root, "--profile standard", 0);
    char *v = verdict(bundle);
    cr_expect_str_eq(v, "staging.history_missing medium | PeaZip recent archives names C:\\PerfLogs\\hr.7z, which is "
                        "not on disk | 2026-11-19T23:30:00.0000000Z | "
                        "C:\\Users\\ann\\AppData\\Roaming\\PeaZip\\conf.txt:3\n");
    char *rec = tu_bundle_member(bundle, "records/staging.jsonl");
    const char *want[] = {
        "\"user\":\"ann\",\"source\":\"PeaZip recent archives\",\"path\":\"C:\\\\PerfLogs\\\\hr.7z\","
        "\"file\":\"C:\\\\Users\\\\ann\\\\AppData\\\\Roaming\\\\PeaZip\\\\conf.txt:3\","
        "\"file_mtime\":\"2026-11-19T23:30:00.0000000Z\",\"on_disk\":false",
        "\"source\":\"PeaZip recent archives\",\"path\":\"C:\\\\Users\\\\ann\\\\keep.zip\","
        "\"file\":\"C:\\\\Users\\\\ann\\\\AppData\\\\Roaming\\\\PeaZip\\\\conf.txt:4\","
        "\"file_mtime\":\"2026-11-19T23:30:00.0000000Z\",\"on_disk\":true",
        "\"source\":\"PeaZip last output path\",\"path\":\"C:\\\\Users\\\\Public\\\\out\","
        "\"file\":\"C:\\\\Users\\\\ann\\\\AppData\\\\Roaming\\\\PeaZip\\\\conf.txt:13\","
        "\"file_mtime\":\"2026-11-19T23:30:00.0000000Z\",\"on_disk\":false",
        "\"source\":\"PeaZip recent directories\",\"path\":\"D:\\\\share\\\\\","
        "\"file\":\"C:\\\\Users\\\\ann\\\\AppData\\\\Roaming\\\\PeaZip\\\\conf.txt:17\","
        "\"file_mtime\":\"2026-11-19T23:30:00.0000000Z\",\"artifact\"",
    };
    expect_history(bundle, rec, want, sizeof want / sizeof want[0]);
    cr_expect_eq(tu_count(rec, "Computer"), 0);
    /* the configuration file is in the bundle */
    char *member = tu_bundle_member(bundle, "artifacts/C/Users/ann/AppData/Roaming/PeaZip/conf.txt");
    cr_expect_not_null(member);
    free(member);
    free(v);
    free(rec);
}

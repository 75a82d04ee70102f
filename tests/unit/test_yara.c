/* yara: the project's rules against samples assembled here from the
 * tools' strings (never real tools), clean system files, the public rules
 * of the corpus, broken rules, and the binary carrying no rule string. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

/* A sample piece: ASCII, or UTF-16LE when wide. Pieces are split so the
 * test binary itself holds no whole tool string. */
typedef struct piece {
    bool wide;
    const char *a, *b;
} piece;

typedef struct sample {
    const char *name;
    const char *rule; /* "<rule file>:<rule>" expected, the only match */
    piece p[3];
} sample;

static const sample samples[] = {
    {"notes.txt", "credential_access.yar:GL_Mimikatz", {{0, "sekurlsa::", "logonpasswords"}, {0, "lsadump::", "dcsync"}}},
    {"carved.bin", "credential_access.yar:GL_Mimikatz", {{0, "MZ\x90", ""}, {1, "gentil", "kiwi"}, {1, "mimi", "katz"}}},
    {"im.ps1", "credential_access.yar:GL_Invoke_Mimikatz", {{0, "function Invoke-Mimi", "katz {"}, {0, "$PEBytes", "64 = 'TVqQ'"}}},
    {"svc.exe", "credential_access.yar:GL_ProcDump", {{0, "MZ", ""}, {1, "Sysinternals process ", "dump utility"}}},
    {"d.bat", "credential_access.yar:GL_ProcDump_Lsass_Command", {{0, "procdump64.exe -accepteula -ma ", "lsass.exe c:\\t\\l.dmp"}}},
    {"sd.py", "credential_access.yar:GL_Impacket", {{0, "from impacket.smb", "connection import SMBConnection\n"}, {0, "from impacket.dcerpc", ".v5 import transport\n"}}},
    {"laps.ps1", "credential_access.yar:GL_LAPS_Toolkit", {{0, "function Get-LAPS", "Computers {}\n"}, {0, "function Find-LAPS", "DelegatedGroups {}\n"}}},
    {"mrc.exe", "credential_access.yar:GL_Magnet_RAM_Capture", {{1, "MagnetRAM", "Capture"}, {1, "Magnet ", "Forensics"}}},
    {"vol.exe", "credential_access.yar:GL_Volatility", {{0, "volatility3.frame", "work.plugins.windows"}}},
    {"sh.exe", "discovery.yar:GL_SharpHound", {{1, "SharpHound", "CommonLib"}}},
    {"adr.ps1", "discovery.yar:GL_ADRecon", {{0, "Function Get-ADR", "GPO {}\n"}, {0, "Function Get-ADR", "DomainController {}\n"}}},
    {"ade.exe", "discovery.yar:GL_AD_Explorer", {{1, "Active Directory ", "Explorer"}, {1, "Sys", "internals"}}},
    {"scan.jar", "discovery.yar:GL_Angry_IP_Scanner", {{0, "PK\x03\x04net/azib/", "ipscan/Main.class"}}},
    {"sn.exe", "discovery.yar:GL_Snaffler", {{1, "Snaff", "Core"}}},
    {"r.exe", "exfil_remote.yar:GL_Rsocx", {{0, "rso", "cx"}, {0, " reverse ", "socks5 proxy"}}},
    {"c.exe", "exfil_remote.yar:GL_Reverse_Socks_Tunnels", {{0, "github.com/jpillora/", "chisel/share"}}},
    {"duck.exe", "exfil_remote.yar:GL_Cyberduck", {{1, "ch.cyber", "duck.core"}}},
    {"rc.exe", "exfil_remote.yar:GL_Rclone", {{0, "github.com/rclone/", "rclone/fs"}}},
    {"ad.exe", "exfil_remote.yar:GL_AnyDesk_Binary", {{1, "philandro ", "Software GmbH"}}},
    {"rd.exe", "exfil_remote.yar:GL_RustDesk_Binary", {{0, "hbb_", "common::config"}, {0, "rust", "desk.com"}}},
    {"libx.so", "exfil_remote.yar:GL_Bedevil_Rootkit", {{0, "\x7f" "ELF", ""}, {0, "/etc/ld.so.", "preload"}, {0, "hide_", "ports"}}},
};
#define N_SAMPLES (sizeof samples / sizeof *samples)

static void put_piece(FILE *f, const piece *p)
{
    for (int k = 0; k < 2; k++) {
        const char *s = k ? p->b : p->a;
        for (; s && *s; s++) {
            fputc(*s, f);
            if (p->wide)
                fputc(0, f);
        }
    }
}

static void write_sample(const char *dir, const sample *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, s->name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs("padding before\n", f);
    for (size_t i = 0; i < 3; i++)
        put_piece(f, &s->p[i]);
    fputs("\npadding after\n", f);
    fclose(f);
}

/* dir/name holding n filler bytes that no rule matches, left open for more. */
static FILE *filler(const char *dir, const char *name, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    for (size_t i = 0; i < n; i++)
        fputc("0123456789"[i % 10], f);
    return f;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static char *make_dirs(const char *root, const char *rel)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "mkdir -p '%s/%s'", root, rel);
    cr_assert_eq(tu_run(p.data, NULL, NULL), 0);
    gl_buf_clear(&p);
    gl_buf_printf(&p, "%s/%s", root, rel);
    return p.data;
}

/* A profile running only yara over one glob. */
static char *profile(const char *dir, const char *paths)
{
    gl_buf p = {0}, text = {0};
    gl_buf_printf(&p, "%s/yara.profile", dir);
    gl_buf_printf(&text, "description yara test\nmodule yara\nset yara.paths %s\n", paths);
    write_text(p.data, text.data);
    gl_buf_free(&text);
    return p.data;
}

static cJSON *lines_of(const char *text)
{
    cJSON *all = cJSON_CreateArray();
    char *copy = strdup(text), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *o = cJSON_Parse(line);
        cr_assert_not_null(o, "not JSON: %s", line);
        cJSON_AddItemToArray(all, o);
    }
    free(copy);
    return all;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *record_of(const cJSON *records, const char *path)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, records) if (str(r, "path") && !strcmp(str(r, "path"), path)) return r;
    cr_assert_fail("no record for %s", path);
    return NULL;
}

/* big.bin's record: not scanned through, so no matches and no hash. */
static void assert_unhashed(const cJSON *records, const char *status, const char *reason)
{
    const cJSON *big = record_of(records, "C:\\Windows\\Temp\\big.bin");
    cr_assert_str_eq(str(big, "status"), status);
    cr_assert_str_eq(str(big, "reason"), reason);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(big, "sha256")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(big, "matches")), 0);
}

/* Collect <root>/host with yara over C:\Windows\Temp\* and `extra`
 * options, expecting exit code rc: the records, and the bundle in *bundle. */
static cJSON *collect_temp(const char *root, const char *extra, int rc, char **bundle)
{
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s' %s", profile(root, "C:\\\\Windows\\\\Temp\\\\*"), extra);
    gl_buf_printf(&src, "%s/host", root);
    *bundle = tu_collect_dir("yara-temp-out", src.data, args.data, rc);
    gl_buf_free(&args);
    gl_buf_free(&src);
    return lines_of(tu_bundle_member(*bundle, "records/yara.jsonl"));
}

/* The record's matches as "a,b,c". */
static char *matches_of(const cJSON *rec)
{
    gl_buf b = {0};
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(rec, "matches")) gl_buf_printf(&b, "%s%s", b.len ? "," : "", m->valuestring);
    return gl_buf_cstr(&b) ? b.data : strdup("");
}

Test(yara, project_rules_match_their_samples_and_only_them)
{
    char *root = tu_tmpdir("yara-samples"), *host = make_dirs(root, "host/Users/bob/Downloads");
    for (size_t i = 0; i < N_SAMPLES; i++)
        write_sample(host, &samples[i]);
    /* clean neighbours: a system binary and a text file */
    tu_place(root, "host/Users/bob/Downloads/ls.exe", "/bin/ls");
    char clean[4096];
    snprintf(clean, sizeof clean, "%s/readme.txt", host);
    write_text(clean, "quarterly report draft\n");
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s'", profile(root, "C:\\\\Users\\\\*\\\\Downloads\\\\**\\\\*"));
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("yara-samples-out", src.data, args.data, 0);
    cJSON *records = lines_of(tu_bundle_member(bundle, "records/yara.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(records), (int)N_SAMPLES + 2);
    for (size_t i = 0; i < N_SAMPLES; i++) {
        char path[256];
        snprintf(path, sizeof path, "C:\\Users\\bob\\Downloads\\%s", samples[i].name);
        const cJSON *rec = record_of(records, path);
        cr_expect_str_eq(matches_of(rec), samples[i].rule, "%s", samples[i].name);
        cr_expect_str_eq(str(rec, "status"), "scanned");
        char art[256];
        snprintf(art, sizeof art, "artifacts/C/Users/bob/Downloads/%s", samples[i].name);
        cr_expect_str_eq(str(rec, "artifact"), art, "matched files are acquired: %s", samples[i].name);
    }
    const cJSON *ls = record_of(records, "C:\\Users\\bob\\Downloads\\ls.exe");
    cr_assert_str_eq(matches_of(ls), "");
    cr_assert_null(str(ls, "artifact"), "a file that matches nothing is not acquired");
    cr_assert_str_eq(matches_of(record_of(records, "C:\\Users\\bob\\Downloads\\readme.txt")), "");
    /* the manifest holds the matched files and nothing else of Downloads */
    char *manifest = tu_bundle_member(bundle, "manifest.json");
    cr_assert_eq(tu_count(manifest, "\"path\":\"artifacts/C/Users/bob/Downloads/"), N_SAMPLES);

    cJSON *findings = lines_of(tu_bundle_member(bundle, "findings.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(findings), (int)N_SAMPLES);
    const cJSON *f;
    cJSON_ArrayForEach(f, findings)
    {
        cr_assert_str_eq(str(f, "rule"), "yara.match");
        const cJSON *d = cJSON_GetObjectItem(f, "details");
        const cJSON *meta = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "match"), "meta");
        /* every project rule carries its meta, and the finding takes its severity */
        cr_assert_str_eq(str(f, "severity"), str(meta, "severity"), "%s", str(d, "rule"));
        cr_assert_not_null(str(meta, "description"));
        cr_assert_not_null(str(meta, "reference"));
        cr_assert(str(meta, "attack") && str(meta, "attack")[0] == 'T');
        cr_assert_eq(strlen(str(d, "sha256")), 64);
    }
}

Test(yara, finding_carries_strings_offsets_and_hash)
{
    char *root = tu_tmpdir("yara-detail"), *host = make_dirs(root, "host/ProgramData/x");
    write_sample(host, &samples[0]); /* notes.txt: two Mimikatz commands */
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s'", profile(root, "C:\\\\ProgramData\\\\**\\\\*"));
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("yara-detail-out", src.data, args.data, 0);
    cJSON *findings = lines_of(tu_bundle_member(bundle, "findings.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(findings), 1);
    const cJSON *f = cJSON_GetArrayItem(findings, 0);
    cr_assert_str_eq(str(f, "severity"), "critical");
    cr_assert_str_eq(str(f, "subject"), "C:\\ProgramData\\x\\notes.txt|credential_access.yar:GL_Mimikatz");
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0);
    cr_assert_str_eq(str(ev, "artifact"), "artifacts/C/ProgramData/x/notes.txt");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "attack"), 0)->valuestring, "T1003.001");
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    /* "padding before\n" is 15 bytes: the commands sit at 15 and 15+24 */
    gl_buf expect = {0};
    gl_buf_printf(&expect, "padding before\n%s%s%s%s\npadding after\n", "sekurlsa::", "logonpasswords", "lsadump::",
                  "dcsync");
    cr_assert_eq(cJSON_GetObjectItem(d, "size")->valuedouble, (double)expect.len);
    gl_buf hash = {0};
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/notes.txt", host);
    tu_runf(&hash, NULL, "sha256sum '%s' | cut -c1-64", tmp);
    cr_assert_eq(strncmp(str(d, "sha256"), hash.data, 64), 0);
    const cJSON *strings = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "match"), "strings");
    cr_assert_eq(cJSON_GetArraySize(strings), 2);
    const cJSON *s0 = cJSON_GetArrayItem(strings, 0), *s1 = cJSON_GetArrayItem(strings, 1);
    cr_assert_str_eq(str(s0, "id"), "$cmd1");
    cr_assert_eq(cJSON_GetObjectItem(s0, "offset")->valuedouble, 15);
    cr_assert_eq(strcmp(str(s0, "excerpt"), "sekurlsa::logonpasswords"), 0);
    cr_assert_str_eq(str(s1, "id"), "$cmd2");
    cr_assert_eq(cJSON_GetObjectItem(s1, "offset")->valuedouble, 39);
}

Test(yara, external_variables_defined_per_file)
{
    char *root = tu_tmpdir("yara-ext"), *host = make_dirs(root, "host/PerfLogs/a"), *rules = make_dirs(root, "rules");
    char p[4096];
    snprintf(p, sizeof p, "%s/ext.yara", rules);
    /* the files are the test's own: owner is the account running it */
    gl_buf me = {0}, rule = {0};
    cr_assert_eq(tu_runf(&me, NULL, "id -un | tr -d '\\n'"), 0);
    gl_buf_printf(&rule,
                  "rule ext_all {\n condition: filename == \"one.dat\" and extension == \".dat\" and\n"
                  "  filepath == \"C:\\\\PerfLogs\\\\a\\\\one.dat\" and filetype == \"EXE\" and owner == \"%s\"\n}\n",
                  me.data);
    write_text(p, rule.data);
    snprintf(p, sizeof p, "%s/one.dat", host);
    write_text(p, "MZ not really a program");
    snprintf(p, sizeof p, "%s/two.dat", host);
    write_text(p, "MZ not really a program");
    /* a non-rule file in the rules directory is skipped */
    snprintf(p, sizeof p, "%s/README.md", rules);
    write_text(p, "this is not a rule {");
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s' --set yara.builtin=false --yara '%s'",
                  profile(root, "C:\\\\PerfLogs\\\\**\\\\*"), rules);
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("yara-ext-out", src.data, args.data, 0);
    cJSON *records = lines_of(tu_bundle_member(bundle, "records/yara.jsonl"));
    cr_assert_str_eq(matches_of(record_of(records, "C:\\PerfLogs\\a\\one.dat")), "ext.yara:ext_all");
    cr_assert_str_eq(matches_of(record_of(records, "C:\\PerfLogs\\a\\two.dat")), "");
}

Test(yara, broken_rule_stops_the_run_naming_file_and_line)
{
    char *root = tu_tmpdir("yara-broken"), *host = make_dirs(root, "host/PerfLogs"), *rules = make_dirs(root, "rules/sub");
    char p[4096], good[4096];
    snprintf(good, sizeof good, "%s/../good.yar", rules);
    write_text(good, "rule fine { strings: $a = \"abc\" condition: $a }\n");
    snprintf(p, sizeof p, "%s/bad.yar", rules);
    write_text(p, "rule broken\n{\n  strings:\n    $a = \"abc\" bogus\n  condition:\n    $a\n}\n");
    snprintf(good, sizeof good, "%s/x.bin", host);
    write_text(good, "abc");
    char *out = tu_tmpdir("yara-broken-out");
    gl_buf o = {0}, e = {0};
    int rc = tu_runf(&o, &e, "'%s' collect -q --source 'dir:%s' --output '%s' --name b --profile '%s' --yara '%s/rules'",
                     tu_gleaner(), host, out, profile(root, "C:\\\\PerfLogs\\\\*"), root);
    cr_assert_eq(rc, 2, "%s", e.data);
    gl_buf want = {0};
    gl_buf_printf(&want, "%s/rules/sub/bad.yar:4: syntax error", root);
    cr_assert(strstr(gl_buf_cstr(&e), want.data), "stderr: %s", e.data);
    struct stat st;
    snprintf(p, sizeof p, "%s/b.tar.zst", out);
    cr_assert_neq(stat(p, &st), 0, "nothing is read or written after a broken rule");
    /* yara check reports the same file and line, and the good file too */
    gl_buf_clear(&o);
    rc = tu_runf(&o, NULL, "'%s' yara check '%s/rules'", tu_gleaner(), root);
    cr_assert_eq(rc, 1);
    cr_assert(strstr(gl_buf_cstr(&o), want.data), "%s", o.data);
    cr_assert(strstr(o.data, "2 rule files, 1 with errors"), "%s", o.data);
    rc = tu_runf(NULL, NULL, "'%s' yara check '%s/nowhere'", tu_gleaner(), root);
    cr_assert_eq(rc, 2);
}

Test(yara, project_rules_check_clean)
{
    gl_buf o = {0};
    int rc = tu_runf(&o, NULL, "'%s' yara check '%s/yara'", tu_gleaner(), getenv("GLEANER_ROOT"));
    cr_assert_eq(rc, 0, "%s", o.data);
    cr_assert(strstr(gl_buf_cstr(&o), "3 rule files, 0 with errors"), "%s", o.data);
}

/* System binaries and libraries of this Debian host match no project rule. */
Test(yara, clean_system_files_match_nothing, .timeout = 300)
{
    char *out = tu_tmpdir("yara-clean-out"), *root = tu_tmpdir("yara-clean");
    gl_buf o = {0}, e = {0};
    int rc = tu_runf(&o, &e,
                     "'%s' collect -q --source dir:/ --output '%s' --name b --profile '%s' --set yara.max_file_size=256M",
                     tu_gleaner(), out, profile(root, "C:\\\\usr\\\\bin\\\\*;C:\\\\usr\\\\sbin\\\\*;"
                                                      "C:\\\\usr\\\\lib\\\\x86_64-linux-gnu\\\\*.so*;C:\\\\etc\\\\**\\\\*.conf"));
    cr_assert(rc == 0 || rc == 1, "%s", e.data); /* unreadable files under /etc make it partial */
    char bundle[4096];
    snprintf(bundle, sizeof bundle, "%s/b.tar.zst", out);
    char *text = tu_bundle_member(bundle, "records/yara.jsonl");
    cr_assert_gt(tu_count(text, "\"status\":\"scanned\""), 300, "too few clean files scanned");
    cr_assert_eq(tu_count(text, "\"matches\":[]"), tu_count(text, "\n"), "a clean file matched");
    cr_assert_eq(strlen(tu_bundle_member(bundle, "findings.jsonl")), 0);
}

/* The public rules of the corpus compile and scan; on the corpus logs they
 * match what ../shared/corpus/MANIFEST.md says they match. */
Test(yara, corpus_public_rules_load_and_scan)
{
    TU_REQUIRE_CORPUS();
    char *root = tu_tmpdir("yara-corpus"), *host = make_dirs(root, "host/Users/Public");
    static const char *const logs[] = {
        "dev/evtx/rmm/sigma__file_event_win_anydesk_artefact_sysmon11.evtx",
        "dev/evtx/rmm/sbousseaden__CA_teamviewer-dumper_sysmon_10.evtx",
        "dev/evtx/archive/sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx",
    };
    for (size_t i = 0; i < 3; i++) {
        char rel[512];
        snprintf(rel, sizeof rel, "host/Users/Public/%s", strrchr(logs[i], '/') + 1);
        cr_assert_eq(tu_place(root, rel, tu_corpus(logs[i])), 0);
    }
    (void)host;
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s' --set yara.builtin=false --yara '%s'",
                  profile(root, "C:\\\\Users\\\\Public\\\\*"), tu_corpus("yara"));
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("yara-corpus-out", src.data, args.data, 0);
    cJSON *records = lines_of(tu_bundle_member(bundle, "records/yara.jsonl"));
    cr_assert_str_eq(matches_of(record_of(records, "C:\\Users\\Public\\sigma__file_event_win_anydesk_artefact_sysmon11.evtx")),
                     "anydesk.yara:anydesk");
    cr_assert_str_eq(matches_of(record_of(records, "C:\\Users\\Public\\sbousseaden__CA_teamviewer-dumper_sysmon_10.evtx")),
                     "teamviewer.yara:teamviewer");
    cr_assert_str_eq(
        matches_of(record_of(records, "C:\\Users\\Public\\sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx")),
        "procdump.yara:Procdump");
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert(strstr(log, "yara: 18 rule files, 3 files considered, 3 matched"), "%s", log);
}

/* No string of any project rule is readable in the binary (they are
 * embedded zstd-compressed), so antivirus has nothing to flag it for. */
Test(yara, binary_carries_no_rule_string)
{
    gl_buf strings = {0}, rules = {0};
    cr_assert_eq(tu_runf(&strings, NULL, "strings -a -n 5 '%s'", tu_gleaner()), 0);
    cr_assert_gt(strings.len, 10000);
    cr_assert_eq(tu_runf(&rules, NULL, "cat '%s'/yara/*.yar", getenv("GLEANER_ROOT")), 0);
    size_t checked = 0;
    char *save = NULL;
    gl_buf_cstr(&rules);
    for (char *line = strtok_r(rules.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *q = strchr(line, '"'), *end = q ? strrchr(line, '"') : NULL;
        if (!q || end == q || !strstr(line, "$"))
            continue;
        *end = '\0';
        cr_assert(!strstr(gl_buf_cstr(&strings), q + 1), "rule string readable in the binary: %s", q + 1);
        checked++;
    }
    cr_assert_gt(checked, 60);
}

/* Size cap and skip list: a file over yara.max_file_size is recorded as
 * skipped (never read), a name on yara.skip is not considered at all. */
Test(yara, size_cap_and_skip_list)
{
    char *root = tu_tmpdir("yara-skip"), *host = make_dirs(root, "host/Windows/Temp");
    fclose(filler(host, "big.bin", 30000));
    write_sample(host, &samples[0]); /* notes.txt: would match */
    char p[4096];
    snprintf(p, sizeof p, "%s/pagefile.sys", host);
    write_text(p, "never read");
    char *bundle;
    cJSON *records = collect_temp(root, "--set yara.max_file_size=16K --set 'yara.skip=*.txt;pagefile.sys'", 0, &bundle);
    cr_assert_eq(cJSON_GetArraySize(records), 1);
    assert_unhashed(records, "skipped", "larger than yara.max_file_size");
    cr_assert_eq(strlen(tu_bundle_member(bundle, "findings.jsonl")), 0);
}

/* `--yara` also takes a file compiled by yarac: loaded as a rule set of
 * its own, scanned beside the sources. */
Test(yara, compiled_rules_load_beside_sources)
{
    char *root = tu_tmpdir("yara-compiled"), *host = make_dirs(root, "host/PerfLogs");
    char p[4096];
    snprintf(p, sizeof p, "%s/c.yar", root);
    write_text(p, "rule compiled_one { strings: $a = \"quarterly-marker\" condition: $a and filename == \"a.txt\" }\n");
    cr_assert_eq(tu_runf(NULL, NULL, "yarac -d filename= '%s' '%s/c.yarc'", p, root), 0, "yarac (apt-get install yara)");
    snprintf(p, sizeof p, "%s/a.txt", host);
    write_text(p, "the quarterly-marker is here");
    snprintf(p, sizeof p, "%s/b.txt", host);
    write_text(p, "the quarterly-marker is here too");
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s' --yara '%s/c.yarc'", profile(root, "C:\\\\PerfLogs\\\\*"), root);
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("yara-compiled-out", src.data, args.data, 0);
    cJSON *records = lines_of(tu_bundle_member(bundle, "records/yara.jsonl"));
    cr_assert_str_eq(matches_of(record_of(records, "C:\\PerfLogs\\a.txt")), "default:compiled_one");
    cr_assert_str_eq(matches_of(record_of(records, "C:\\PerfLogs\\b.txt")), "");
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert(strstr(log, "yara: 4 rule files, 2 files considered, 1 matched"), "%s", log);
    /* yara check loads it too; a damaged one is refused with its name */
    gl_buf o = {0};
    cr_assert_eq(tu_runf(&o, NULL, "'%s' yara check '%s/c.yarc'", tu_gleaner(), root), 0, "%s", o.data);
    cr_assert_eq(tu_runf(NULL, NULL, "head -c 40 '%s/c.yarc' > '%s/bad.yarc'", root, root), 0);
    gl_buf_clear(&o);
    cr_assert_eq(tu_runf(&o, NULL, "'%s' yara check '%s/bad.yarc'", tu_gleaner(), root), 1);
    cr_assert(strstr(gl_buf_cstr(&o), "bad.yarc:0: "), "%s", o.data);
}

/* More files than one batch (4096), under two overlapping globs: each file
 * is scanned and recorded once, and the match deep in the list is found. */
Test(yara, batches_and_overlapping_globs, .timeout = 300)
{
    char *root = tu_tmpdir("yara-batch"), *host = make_dirs(root, "host/Users/Public/Downloads");
    char p[4096];
    for (int i = 0; i < 5000; i++) {
        snprintf(p, sizeof p, "%s/f%04d.txt", host, i);
        write_text(p, "plain");
    }
    write_sample(host, &samples[13]); /* sn.exe: Snaffler */
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s'",
                  profile(root, "C:\\\\Users\\\\*\\\\Downloads\\\\*;C:\\\\Users\\\\Public\\\\**\\\\*"));
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("yara-batch-out", src.data, args.data, 0);
    char *records = tu_bundle_member(bundle, "records/yara.jsonl");
    cr_assert_eq(tu_count(records, "\n"), 5001);
    cr_assert_eq(tu_count(records, "\"matches\":[\"discovery.yar:GL_Snaffler\"]"), 1);
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert(strstr(log, "files considered, 1 matched"), "%s", log);
    cr_assert(strstr(log, "5001 files considered"), "%s", log);
}

/* --yara with a profile that does not run yara is a usage error, not a
 * silently ignored option. */
Test(yara, option_needs_the_module)
{
    char *root = tu_tmpdir("yara-nomod"), *out = tu_tmpdir("yara-nomod-out");
    gl_buf e = {0};
    int rc = tu_runf(NULL, &e, "'%s' collect -q --source 'dir:%s' --output '%s' --profile quick --yara '%s/yara'",
                     tu_gleaner(), root, out, getenv("GLEANER_ROOT"));
    cr_assert_eq(rc, 2);
    cr_assert(strstr(gl_buf_cstr(&e), "--yara given, but profile quick does not run the yara module"), "%s", e.data);
}

/* artifacts.md §0.3: the classic ids ATT&CK v19 renumbered. A rule's meta
 * that gives one of them gives its v19 id too; ids the crosswalk does not
 * name stay as they are. */
static const struct {
    const char *classic, *v19;
} crosswalk[] = {
    {"T1562.001", "T1685"},     {"T1562", "T1685"},         {"T1562.002", "T1685.001"},
    {"T1562.004", "T1686.003"}, {"T1070.001", "T1685.005"}, {"T1562.006", "T1685"},
};

static bool has_id(const char *ids, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = strstr(ids, id); p; p = strstr(p + 1, id))
        if ((p == ids || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

Test(yara, attack_ids_follow_the_v19_crosswalk)
{
    gl_buf rules = {0};
    cr_assert_eq(tu_runf(&rules, NULL, "grep -h 'attack = ' '%s'/yara/*.yar", getenv("GLEANER_ROOT")), 0);
    size_t n = 0, renumbered = 0;
    char *save = NULL;
    gl_buf_cstr(&rules);
    for (char *line = strtok_r(rules.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *q = strchr(line, '"'), *end = q ? strrchr(line, '"') : NULL;
        cr_assert(q && end > q, "attack meta not a string: %s", line);
        *end = '\0';
        const char *ids = q + 1;
        n++;
        for (size_t i = 0; i < sizeof crosswalk / sizeof *crosswalk; i++)
            if (has_id(ids, crosswalk[i].classic)) {
                cr_assert(has_id(ids, crosswalk[i].v19), "%s: %s without its v19 id %s", ids, crosswalk[i].classic,
                          crosswalk[i].v19);
                renumbered++;
            }
    }
    /* 20 rules; none of the tools they find is a defence-impairment or
     * log-clearing technique, so the crosswalk renumbers none of them */
    cr_assert_eq(n, 20);
    cr_assert_eq(renumbered, 0);
    cr_assert(has_id("T1003.001 T1685", "T1685") && !has_id("T1003.001 T16850", "T1685"));
}

/* A shell whose command line holds two Mimikatz commands (assembled here
 * at run time, so neither is whole in the test binary): --scan-processes
 * finds it by pid, with its name, executable, command line and the
 * matched strings. yara.process_ids keeps the scan to that one process, so
 * the test neither reads nor waits on the rest of the host. The shell is
 * exec'd rather than a fork of this process kept: under ASan the test's
 * image reserves terabytes of shadow memory. */
Test(yara, scan_processes_finds_a_live_process, .timeout = 120)
{
    gl_buf script = {0};
    gl_buf_printf(&script, "sleep 100; : %s%s %s%s", "sekurlsa::", "logonpasswords", "lsadump::", "dcsync");
    int ready[2];
    cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        execl("/bin/sh", "sh", "-c", script.data, (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    char r;
    cr_assert_eq(read(ready[0], &r, 1), 0); /* end of file: the exec closed it */
    close(ready[0]);
    gl_buf cmdline = {0}, exe = {0};
    gl_buf_printf(&cmdline, "sh -c %s", script.data);
    cr_assert_eq(tu_runf(&exe, NULL, "readlink -f /bin/sh | tr -d '\\n'"), 0);

    char *root = tu_tmpdir("yara-proc");
    gl_buf cmd = {0}, out = {0}, err = {0};
    gl_buf_printf(&cmd,
                  "'%s' collect -q --source live --profile '%s' --output '%s' --name p --scan-processes "
                  "--set yara.process_ids=%d",
                  tu_gleaner(), profile(root, "/nonexistent-gleaner-test/*"), root, (int)child);
    int rc = tu_run(cmd.data, &out, &err);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    cr_assert_eq(rc, 0, "%s", gl_buf_cstr(&err));

    gl_buf bundle = {0};
    gl_buf_printf(&bundle, "%s/p.tar.zst", root);
    cJSON *findings = lines_of(tu_bundle_member(bundle.data, "findings.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(findings), 1);
    const cJSON *f = cJSON_GetArrayItem(findings, 0);
    cr_assert_str_eq(str(f, "rule"), "yara.process_match");
    cr_assert_str_eq(str(f, "severity"), "critical");
    gl_buf expect = {0};
    gl_buf_printf(&expect, "pid %d|sh|credential_access.yar:GL_Mimikatz", (int)child);
    cr_assert_str_eq(str(f, "subject"), expect.data);
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0);
    gl_buf_clear(&expect);
    gl_buf_printf(&expect, "process %d (sh)", (int)child);
    cr_assert_str_eq(str(ev, "locator"), expect.data);
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    cr_assert_eq(cJSON_GetObjectItem(d, "pid")->valuedouble, (double)child);
    cr_assert_str_eq(str(d, "process"), "sh");
    cr_assert_str_eq(str(d, "exe"), exe.data);
    cr_assert_str_eq(str(d, "cmdline"), gl_buf_cstr(&cmdline));
    cr_assert_str_eq(str(d, "rule"), "GL_Mimikatz");
    bool cmd1 = false, cmd2 = false;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(cJSON_GetObjectItem(d, "match"), "strings"))
    {
        cmd1 |= !strcmp(str(s, "id"), "$cmd1") && !strcmp(str(s, "excerpt"), "sekurlsa::logonpasswords");
        cmd2 |= !strcmp(str(s, "id"), "$cmd2") && !strcmp(str(s, "excerpt"), "lsadump::dcsync");
    }
    cr_assert(cmd1 && cmd2);

    cJSON *records = lines_of(tu_bundle_member(bundle.data, "records/yara.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(records), 1);
    const cJSON *rec = cJSON_GetArrayItem(records, 0);
    cr_assert_eq(cJSON_GetObjectItem(rec, "pid")->valuedouble, (double)child);
    cr_assert_str_eq(str(rec, "status"), "scanned");
    cr_assert_str_eq(str(rec, "name"), "sh");
    cr_assert_str_eq(str(rec, "cmdline"), cmdline.data);
    cr_assert_str_eq(matches_of(rec), "credential_access.yar:GL_Mimikatz");
}

/* A process this account may not read is counted, noted in the log and
 * recorded as unreadable, and the run is still complete (exit 0): gleaner
 * runs as nobody against a child of root. */
Test(yara, scan_processes_unreadable_process_is_not_an_error, .timeout = 60)
{
    if (geteuid() != 0)
        cr_skip_test("skipped: needs root to run gleaner as another user");
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        execl("/bin/sleep", "sleep", "50", (char *)NULL);
        _exit(127);
    }
    /* nobody must reach the binary, the profile and the output: the work
     * tree may sit under a directory only root can enter (mktemp -d), so
     * they are copied to a fresh world-accessible directory under /tmp */
    char root[] = "/tmp/gleaner-yara-nobody-XXXXXX";
    cr_assert_not_null(mkdtemp(root));
    gl_buf cmd = {0}, err = {0};
    char *prof = profile(root, "/nonexistent-gleaner-test/*");
    gl_buf_printf(&cmd,
                  "chmod 0777 '%s' && cp '%s' '%s/gleaner' && chmod 0644 '%s' && "
                  "setpriv --reuid=65534 --regid=65534 --clear-groups '%s/gleaner' collect -q --source live "
                  "--profile '%s' --output '%s' --name p --scan-processes --set yara.process_ids=%d",
                  root, tu_gleaner(), root, prof, root, prof, root, (int)child);
    int rc = tu_run(cmd.data, NULL, &err);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    cr_assert_eq(rc, 0, "%s", gl_buf_cstr(&err));
    gl_buf bundle = {0};
    gl_buf_printf(&bundle, "%s/p.tar.zst", root);
    cr_assert_str_eq(tu_bundle_member(bundle.data, "findings.jsonl"), "");
    cJSON *records = lines_of(tu_bundle_member(bundle.data, "records/yara.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(records), 1);
    const cJSON *rec = cJSON_GetArrayItem(records, 0);
    cr_assert_eq(cJSON_GetObjectItem(rec, "pid")->valuedouble, (double)child);
    cr_assert_str_eq(str(rec, "status"), "unreadable");
    cr_assert_str_eq(str(rec, "reason"), "its memory could not be opened (exited, or protected from this account)");
    cr_assert(strstr(tu_bundle_member(bundle.data, "log.txt"), "yara: 0 processes scanned, 0 matched, 1 not readable"));
    gl_buf rm = {0};
    gl_buf_printf(&rm, "rm -rf '%s'", root);
    tu_run(rm.data, NULL, NULL);
    gl_buf_free(&rm);
}

/* --scan-processes reads this host: with any other source it is a usage
 * error, as is a process id list that is not one. */
Test(yara, scan_processes_needs_the_live_source)
{
    char *root = tu_tmpdir("yara-proc-usage");
    gl_buf cmd = {0}, err = {0};
    gl_buf_printf(&cmd, "'%s' collect -q --source dir:'%s' --profile '%s' --output '%s' --scan-processes", tu_gleaner(),
                  root, profile(root, "C:\\\\x\\\\*"), root);
    cr_assert_eq(tu_run(cmd.data, NULL, &err), 2);
    cr_assert(strstr(gl_buf_cstr(&err), "--scan-processes reads this host's processes: it needs --source live"),
              "%s", err.data);
    gl_buf_clear(&cmd);
    gl_buf_clear(&err);
    gl_buf_printf(&cmd,
                  "'%s' collect -q --source dir:'%s' --profile '%s' --output '%s' --set yara.process_ids=12x",
                  tu_gleaner(), root, profile(root, "C:\\\\x\\\\*"), root);
    cr_assert_eq(tu_run(cmd.data, NULL, &err), 2);
    cr_assert(strstr(gl_buf_cstr(&err), "yara.process_ids: '12x' is not a list of process ids"), "%s", err.data);
}

/* A file cut by another process while it is scanned from its mapping:
 * the reads past the new end (libyara's scan, then the hash yara.hash_all
 * asks for) neither end the run nor pass for the file's bytes; the file
 * is an error without a hash, the other files are scanned as usual. */
Test(yara, a_file_that_shrinks_while_scanned_is_an_error)
{
    char *root = tu_tmpdir("yara-shrink"), *host = make_dirs(root, "host/Windows/Temp");
    FILE *f = filler(host, "big.bin", 3 * 1024 * 1024 - 4096);
    put_piece(f, &samples[0].p[0]); /* past the cut: would match */
    put_piece(f, &samples[0].p[1]);
    fclose(f);
    write_sample(host, &samples[0]);
    cr_assert_eq(setenv("GLEANER_TEST_SHRINK", "big.bin", 1), 0); /* the backend halves it once opened */
    char *bundle;
    cJSON *records = collect_temp(root, "--set yara.hash_all=true", 1, &bundle);
    cr_assert_eq(cJSON_GetArraySize(records), 2);
    assert_unhashed(records, "error", "C:\\Windows\\Temp\\big.bin: the file shrank while it was scanned (libyara error 4)");
    const cJSON *notes = record_of(records, "C:\\Windows\\Temp\\notes.txt");
    cr_assert_str_eq(str(notes, "status"), "scanned");
    cr_assert_str_eq(matches_of(notes), samples[0].rule);
    cr_assert_eq(strlen(str(notes, "sha256")), 64);
    cJSON *findings = lines_of(tu_bundle_member(bundle, "findings.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(findings), 1);
}

/* ioc: the indicator-file parser (every type, defanged forms, errors with
 * file and line), the matcher (label boundaries, CIDRs, wildcards, hashes,
 * file names; nothing else), and the module end to end on a collected
 * tree with --ioc. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "embedded.h"
#include "ioc_match.h"
#include "iocfile.h"
#include "testutil.h"

/* ---- parser ----------------------------------------------------------------------------- */

typedef struct collected {
    gl_buf out; /* "type value sev note|" per indicator */
} collected;

static int collect_cb(void *ctx, const gl_ioc *ioc)
{
    collected *c = ctx;
    gl_buf_printf(&c->out, "%s %s %d %s|", gl_ioc_type_name(ioc->type), ioc->value, ioc->severity, ioc->note);
    return 0;
}

static char *parse_ok(const char *text)
{
    collected c = {0};
    gl_err err = {0};
    cr_assert_eq(gl_iocfile_parse(text, strlen(text), "t.txt", collect_cb, &c, &err), 0, "%s", err.msg);
    return c.out.data ? c.out.data : strdup("");
}

static char *parse_err(const char *text)
{
    collected c = {0};
    gl_err err = {0};
    cr_assert_eq(gl_iocfile_parse(text, strlen(text), "t.txt", collect_cb, &c, &err), -1, "accepted: %s", text);
    cr_assert_eq(err.code, GL_ERR_USAGE);
    gl_buf_free(&c.out);
    return strdup(err.msg);
}

Test(iocfile, every_type_recognised_from_its_shape)
{
    char *got = parse_ok("# comment line\n"
                         "\n"
                         "104.247.82.11\n"
                         "2001:DB8::7 medium # v6\n"
                         "10.20.30.40/16\n"
                         "2001:db8:1::/48 low\n"
                         "Transfer.SH high # exfil\n"
                         "*.wasabisys.com\n"
                         "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n"
                         "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
                         "d41d8cd98f00b204e9800998ecf8427e critical\n"
                         "RSocx.exe\n"
                         "procdump\n"
                         "domain:evil.zip\n"
                         "filename:run.sh\n"
                         "45.32.221[.]250   \t# defanged\r\n"
                         "gofile(.)io\n");
    cr_assert_str_eq(got, "ipv4 104.247.82.11 -1 |"
                          "ipv6 2001:db8::7 2 v6|"
                          "cidr 10.20.0.0/16 -1 |"
                          "cidr 2001:db8:1::/48 1 |"
                          "domain transfer.sh 3 exfil|"
                          "domain wasabisys.com -1 |"
                          "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 -1 |"
                          "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 -1 |"
                          "md5 d41d8cd98f00b204e9800998ecf8427e 4 |"
                          "filename rsocx.exe -1 |"
                          "filename procdump -1 |"
                          "domain evil.zip -1 |"
                          "filename run.sh -1 |"
                          "ipv4 45.32.221.250 -1 defanged|"
                          "domain gofile.io -1 |");
}

Test(iocfile, urls_give_their_host)
{
    cr_assert_str_eq(parse_ok("hxxps://Evil.Example:8443/path?q=1\n"
                              "http://[2001:db8::9]:80/\n"
                              "https://user@1.2.3.4/x # raw address\n"
                              "ftp://files.example\n"),
                     "domain evil.example -1 |ipv6 2001:db8::9 -1 |ipv4 1.2.3.4 -1 raw address|domain files.example -1 |");
    cr_assert_str_eq(parse_err("http:///x\n"), "t.txt:1: 'http:///x': a URL without a host");
}

Test(iocfile, malformed_lines_name_file_and_line)
{
    cr_assert_str_eq(parse_err("1.2.3.4\n\n1.2.3.4/33\n"), "t.txt:3: '1.2.3.4/33': an IPv4 prefix is at most 32");
    cr_assert_str_eq(parse_err("evil.example severe\n"),
                     "t.txt:1: 'severe': not a severity (info, low, medium, high or critical)");
    cr_assert_str_eq(parse_err("a.example high extra\n"),
                     "t.txt:1: 'extra': expected one indicator and an optional severity");
    cr_assert_str_eq(parse_err("# ok\nfe80::1::2\n"), "t.txt:2: 'fe80::1::2' is not a valid IPv6 address");
    cr_assert_str_eq(parse_err("999.1.1.1\n"),
                     "t.txt:1: cannot tell what '999.1.1.1' is (expected an IPv4/IPv6 address, a CIDR, a "
                     "domain, a SHA-256/SHA-1/MD5 hash or a file name)");
    cr_assert_str_eq(parse_err("c:\\temp\\x.exe\n"),
                     "t.txt:1: 'c:\\temp\\x.exe' is not a valid IPv6 address");
    cr_assert_str_eq(parse_err("10.0.0.0/x\n"), "t.txt:1: '10.0.0.0/x': prefix length is not a number");
    cr_assert_str_eq(parse_err("domain:not a domain\n"),
                     "t.txt:1: 'domain': expected one indicator and an optional severity");
    cr_assert_str_eq(parse_err("domain:-.\n"), "t.txt:1: '-.' is not a valid domain");
}

Test(iocfile, builtin_list_holds_the_reports_indicators)
{
    size_t n;
    const char *text = gl_embedded_data("ioc/muddled-libra.txt", &n);
    cr_assert_not_null(text);
    collected c = {0};
    gl_err err = {0};
    cr_assert_eq(gl_iocfile_parse(text, n, "muddled-libra.txt", collect_cb, &c, &err), 0, "%s", err.msg);
    const char *all = gl_buf_cstr(&c.out);
    cr_assert_eq(tu_count(all, "ipv4 "), 27);
    cr_assert(strstr(all, "ipv4 92.99.114.231 -1 Muddled Libra infrastructure (Unit 42)|"));
    cr_assert(strstr(all, "ipv4 138.68.27.0 -1 "));
    cr_assert(strstr(all, "domain transfer.sh 3 "));
    cr_assert(strstr(all, "domain put.io 3 "));
    cr_assert(strstr(all, "domain gofile.io 3 "));
    cr_assert(strstr(all, "domain wasabisys.com 3 "));
    cr_assert(strstr(all, "domain mullvad.net 2 "));
}

/* ---- matcher ---------------------------------------------------------------------------- */

static int add(void *ctx, const gl_ioc *ioc)
{
    ioc_set_add(ctx, ioc, "m.txt", false);
    return 0;
}

static ioc_set *set_of(const char *text)
{
    ioc_set *s = ioc_set_new();
    gl_err err = {0};
    cr_assert_eq(gl_iocfile_parse(text, strlen(text), "m.txt", add, s, &err), 0, "%s", err.msg);
    return s;
}

static void on_hit(void *ctx, const ioc_entry *e, const char *token, size_t n)
{
    gl_buf_printf(ctx, "%s=%.*s;", e->value, (int)n, token);
}

static char *scan(const ioc_set *s, const char *text)
{
    gl_buf out = {0};
    ioc_set_scan(s, text, strlen(text), on_hit, &out);
    return out.data ? out.data : strdup("");
}

Test(ioc, domains_match_on_label_boundaries)
{
    ioc_set *s = set_of("evil.example\n*.wild.example\n");
    cr_assert_str_eq(scan(s, "GET https://evil.example/x HTTP/1.1"), "evil.example=evil.example;");
    cr_assert_str_eq(scan(s, "query a.b.EVIL.example."), "evil.example=a.b.EVIL.example;");
    cr_assert_str_eq(scan(s, "notevil.example evil.example.com evil-example evilxexample"), "");
    cr_assert_str_eq(scan(s, "user@evil.example:443"), "evil.example=evil.example;");
    cr_assert_str_eq(scan(s, "wild.example"), "", "a wildcard does not match its own domain");
    cr_assert_str_eq(scan(s, "s3.wild.example"), "wild.example=s3.wild.example;");
    ioc_set_free(s);
}

Test(ioc, addresses_exact_and_in_networks)
{
    ioc_set *s = set_of("104.247.82.11\n10.20.0.0/16\n2001:db8::7\n2001:db8:1::/48\n");
    cr_assert_str_eq(scan(s, "RA4=104.247.82.11|LPort=80"), "104.247.82.11=104.247.82.11;");
    cr_assert_str_eq(scan(s, "from 104.247.82.11:5656 to 10.20.255.1."), "104.247.82.11=104.247.82.11;10.20.0.0/16=10.20.255.1;");
    cr_assert_str_eq(scan(s, "104.247.82.110 1104.247.82.11 104.247.82.1 10.21.0.1 v104.247.82.11x"), "");
    cr_assert_str_eq(scan(s, "[2001:DB8:0:0::7]:443 and 2001:db8:1:ffff::9"), "2001:db8::7=2001:DB8:0:0::7;2001:db8:1::/48=2001:db8:1:ffff::9;");
    cr_assert_str_eq(scan(s, "2001:db8::8 12:30:45 std::string"), "");
    ioc_set_free(s);
}

Test(ioc, hashes_and_file_names)
{
    ioc_set *s = set_of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                        "d41d8cd98f00b204e9800998ecf8427e\nrsocx.exe\nprocdump\n");
    cr_assert_str_eq(scan(s, "{\"sha256\":\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"}"),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855="
                     "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855;");
    cr_assert_str_eq(scan(s, "md5 d41d8cd98f00b204e9800998ecf8427e0 xd41d8cd98f00b204e9800998ecf8427e"), "");
    cr_assert_str_eq(scan(s, "C:\\Users\\a\\Downloads\\RSOCX.EXE -r 1.2.3.4:8000"), "rsocx.exe=RSOCX.EXE;");
    cr_assert_str_eq(scan(s, "\"C:\\t\\procdump\" -ma lsass"), "procdump=procdump;");
    cr_assert_str_eq(scan(s, "rsocx.exe.bak procdump64 my-procdump"), "");
    ioc_set_free(s);
}

Test(ioc, a_later_line_replaces_the_same_indicator)
{
    ioc_set *s = set_of("evil.example low\nEVIL.example critical # again\n");
    cr_assert_eq(ioc_set_count(s), 1);
    gl_buf out = {0};
    ioc_set_scan(s, "evil.example", 12, on_hit, &out);
    cr_assert_str_eq(out.data, "evil.example=evil.example;");
    ioc_set_free(s);
}

/* ---- the module end to end ---------------------------------------------------------------- */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static cJSON *lines_of(const char *text)
{
    cJSON *all = cJSON_CreateArray();
    char *copy = strdup(text), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        cJSON_AddItemToArray(all, cJSON_Parse(line));
    free(copy);
    return all;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* yara records carry each scanned file's path and SHA-256; files records
 * the acquired paths. --ioc indicators of each kind find exactly those. */
Test(ioc, module_matches_records_of_other_modules)
{
    char *root = tu_tmpdir("ioc-e2e");
    gl_buf cmd = {0};
    gl_buf_printf(&cmd, "mkdir -p '%s/host/ProgramData/x' '%s/host/Windows/System32/config'", root, root);
    cr_assert_eq(tu_run(cmd.data, NULL, NULL), 0);
    char p[4096];
    snprintf(p, sizeof p, "%s/host/ProgramData/x/tool.bin", root);
    write_text(p, "hello\n"); /* sha256 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 */
    snprintf(p, sizeof p, "%s/host/ProgramData/x/other.bin", root);
    write_text(p, "other\n");
    snprintf(p, sizeof p, "%s/host/Windows/System32/config/SYSTEM", root);
    write_text(p, "not a hive");
    snprintf(p, sizeof p, "%s/i.txt", root);
    write_text(p, "# test indicators\n"
                  "5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03 medium # hello file\n"
                  "filename:system critical\n"
                  "unrelated.example\n");
    snprintf(p, sizeof p, "%s/t.profile", root);
    write_text(p, "description t\nmodule files\nmodule yara\nmodule ioc\nset yara.paths C:\\ProgramData\\**\\*\n"
                  "set yara.hash_all true\nset ioc.builtin false\ntarget hive-system C:\\Windows\\System32\\config\\SYSTEM\n");
    gl_buf args = {0}, src = {0};
    gl_buf_printf(&args, "--profile '%s/t.profile' --ioc '%s/i.txt'", root, root);
    gl_buf_printf(&src, "%s/host", root);
    char *bundle = tu_collect_dir("ioc-e2e-out", src.data, args.data, 0);
    cJSON *findings = lines_of(tu_bundle_member(bundle, "findings.jsonl"));
    cr_assert_eq(cJSON_GetArraySize(findings), 2, "%s", cJSON_Print(findings));
    const cJSON *hash = NULL, *name = NULL, *f;
    cJSON_ArrayForEach(f, findings)
    {
        if (!strcmp(str(f, "rule"), "ioc.hash"))
            hash = f;
        if (!strcmp(str(f, "rule"), "ioc.filename"))
            name = f;
    }
    cr_assert_not_null(hash);
    cr_assert_not_null(name);
    cr_assert_str_eq(str(hash, "severity"), "medium");
    cr_assert_str_eq(str(hash, "title"),
                     "yara record mentions sha256 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03: "
                     "hello file");
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(hash, "evidence"), 0);
    cr_assert_str_eq(str(ev, "artifact"), "records/yara.jsonl", "an unmatched file is not acquired: the record is the evidence");
    cr_assert_str_eq(str(ev, "locator"), "line 2");
    cr_assert_str_eq(str(cJSON_GetObjectItem(hash, "details"), "field"), "sha256");
    cr_assert_str_eq(str(name, "severity"), "critical");
    ev = cJSON_GetArrayItem(cJSON_GetObjectItem(name, "evidence"), 0);
    cr_assert_str_eq(str(ev, "artifact"), "artifacts/C/Windows/System32/config/SYSTEM");
    cr_assert_str_eq(str(ev, "locator"), "C:\\Windows\\System32\\config\\SYSTEM");
    cr_assert_str_eq(str(cJSON_GetObjectItem(name, "details"), "module"), "files");
    char *records = tu_bundle_member(bundle, "records/ioc.jsonl");
    cr_assert_eq(tu_count(records, "\n"), 2);
}

Test(ioc, malformed_indicator_file_stops_the_run)
{
    char *root = tu_tmpdir("ioc-bad"), p[4096];
    snprintf(p, sizeof p, "%s/bad.txt", root);
    write_text(p, "# fine\n1.2.3.4\nnot/valid/at/all\n");
    char *out = tu_tmpdir("ioc-bad-out");
    gl_buf e = {0};
    int rc = tu_runf(NULL, &e, "'%s' collect -q --source 'dir:%s' --output '%s' --name b --ioc '%s'", tu_gleaner(),
                     root, out, p);
    cr_assert_eq(rc, 2, "%s", e.data);
    gl_buf want = {0};
    gl_buf_printf(&want, "module ioc: %s:3: 'not/valid/at/all': prefix length is not a number", p);
    cr_assert(strstr(gl_buf_cstr(&e), want.data), "%s", e.data);
    struct stat st;
    snprintf(p, sizeof p, "%s/b.tar.zst", out);
    cr_assert_neq(stat(p, &st), 0);
}

/* The built-in indicators are embedded compressed: none is readable in
 * the binary. */
Test(ioc, binary_carries_no_builtin_indicator)
{
    gl_buf strings = {0}, data = {0};
    cr_assert_eq(tu_runf(&strings, NULL, "strings -a -n 5 '%s'", tu_gleaner()), 0);
    cr_assert_eq(tu_runf(&data, NULL, "grep -v '^#' '%s/modules/ioc/data/muddled-libra.txt' | awk 'NF {print $1}'",
                         getenv("GLEANER_ROOT")),
                 0);
    size_t checked = 0;
    char *save = NULL;
    gl_buf_cstr(&data);
    for (char *w = strtok_r(data.data, "\n", &save); w; w = strtok_r(NULL, "\n", &save)) {
        cr_assert(!strstr(gl_buf_cstr(&strings), w), "indicator readable in the binary: %s", w);
        checked++;
    }
    cr_assert_eq(checked, 39);
}

/* ioc matches the records of every evidence module: a module registered
 * in modules/module_list.h must also be in ioc's `reads`, except one that
 * runs after every other (`last`, like chain): it reads their output and
 * ioc may not read its. */
#include "module_list.h"
#include "module_registry.h"
#define GL_NAME(x) #x,
static const char *const registered[] = {GL_MODULE_LIST(GL_NAME) NULL};
#undef GL_NAME

Test(ioc, reads_every_registered_module)
{
    const gl_module *ioc = gl_module_find("ioc");
    cr_assert_not_null(ioc);
    for (const char *const *m = registered; *m; m++) {
        if (!strcmp(*m, "ioc") || gl_module_find(*m)->last)
            continue;
        bool found = false;
        for (const char *const *r = ioc->reads; r && *r; r++)
            found |= !strcmp(*r, *m);
        cr_expect(found, "module %s is registered but ioc does not read its records (modules/ioc/ioc.c ioc_reads)", *m);
    }
}

/* DNS Client 3008: an exfiltration service resolved (a subdomain of the
 * report's gofile.io), a look-alike that is not it, an ordinary name. */
Test(ioc, dns_queries_are_matched)
{
    char *root = tu_tmpdir("ioc-dns-src");
    cr_assert_eq(tu_place(root, "Windows/System32/winevt/Logs/Microsoft-Windows-DNS-Client%4Operational.evtx",
                          tu_fixture("evtx/dns-client.evtx")),
                 0);
    char *bundle = tu_collect_dir("ioc-dns", root, "--profile quick", 0);
    char *findings = tu_bundle_member(bundle, "findings.jsonl");
    cr_assert_eq(tu_count(findings, "\"rule\":\"ioc.domain\""), 1, "%s", findings);
    cr_assert(strstr(findings, "\"title\":\"dns record mentions domain gofile.io"), "%s", findings);
    cr_assert(strstr(findings, "\"time\":\"2026-11-20T11:07:41.5000000Z\""), "%s", findings);
    cr_assert(strstr(findings, "\"evidence\":[{\"artifact\":\"artifacts/C/Windows/System32/winevt/Logs/"
                               "Microsoft-Windows-DNS-Client%4Operational.evtx\",\"locator\":\"EventRecordID=2\"}]"),
              "%s", findings);
    cr_assert_null(strstr(findings, "notgofile"), "%s", findings);
}

/* One finding per indicator, every record mentioning it as evidence: on
 * the sample host the RMM logs name five of the report's addresses, one
 * of them in five records. */
Test(ioc, one_finding_per_indicator_with_every_record_as_evidence)
{
    char *root = tu_tmpdir("ioc-group");
    gl_buf prof = {0};
    gl_buf_printf(&prof, "%s/p.profile", root);
    FILE *f = fopen(prof.data, "w");
    cr_assert_not_null(f);
    fputs("module rmm\nmodule ioc\n", f);
    fclose(f);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof.data);
    char *bundle = tu_collect_dir("ioc-group-out", tu_fixture("sample-host"), args.data, 0);
    char *findings = tu_bundle_member(bundle, "findings.jsonl");
    cr_assert_eq(tu_count(findings, "\"rule\":\"ioc.ip\""), 5, "%s", findings);
    cr_assert_eq(tu_count(findings, "\"subject\":\"45.32.221.250\""), 1, "%s", findings);
    cr_assert(strstr(findings, "\"title\":\"rmm records mention ipv4 45.32.221.250 (5 records): Muddled Libra "
                               "infrastructure (Unit 42)\""),
              "%s", findings);
    cr_assert(strstr(findings, "\"records\":5,\"modules\":\"rmm\""), "%s", findings);
}

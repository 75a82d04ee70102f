/* rmm module: the real AnyDesk files of the corpus placed where AnyDesk
 * writes them, a generated SYSTEM hive (tests/fixtures/hives/rmm-system.hivedesc)
 * with RMM services, LOLRMM's catalog merged with --set rmm.catalog, the
 * allow-list, and a malformed catalog stopping the run before it reads. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding_util.h"
#include "testutil.h"

#define AD "dev/artifacts/rmm/anydesk/DAM-AnyDesk__"

static const char *evidence_locator(const cJSON *f, int i)
{
    return fu_str(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), i), "locator");
}

static cJSON *detail_list(const cJSON *f, const char *key)
{
    return cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), key);
}

#define SYSTEM_HIVE "artifacts/C/Windows/System32/config/SYSTEM"

Test(rmm, corpus_anydesk_logs_give_sessions_unattended_access_and_transfer, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {
        "ProgramData/AnyDesk/ad_svc.trace", tu_corpus(AD "ad_svc.trace"),
        "ProgramData/AnyDesk/connection_trace.txt", tu_corpus(AD "connection_trace.txt"),
        "ProgramData/AnyDesk/service.conf", tu_corpus(AD "service.conf"),
        "Users/lab/AppData/Roaming/AnyDesk/ad.trace", tu_corpus(AD "ad.trace"),
        NULL,
    };
    char *bundle = fu_collect("rmm-anydesk", "rmm", pairs);
    cJSON *all = fu_findings(bundle);
    cr_assert_eq(cJSON_GetArraySize(all), 4, "%s", cJSON_PrintUnformatted(all));

    fu_expect(all, "rmm.tool_present", "AnyDesk present (logs)", "medium", "2022-08-23T10:20:11.9690000Z",
              "artifacts/C/ProgramData/AnyDesk/ad_svc.trace",
              "C:\\ProgramData\\AnyDesk\\ad_svc.trace (anydesk-trace, 7 lines)");

    /* the peers 547911884 and 442226597, as the traces and the list show them */
    const cJSON *in = fu_expect(all, "rmm.incoming_connection", "AnyDesk: incoming sessions (4)", "medium",
                                "2022-08-23T10:20:17.1250000Z", "artifacts/C/ProgramData/AnyDesk/ad_svc.trace",
                                "C:\\ProgramData\\AnyDesk\\ad_svc.trace line 7");
    const cJSON *sessions = detail_list(in, "sessions");
    cr_assert_eq(cJSON_GetArraySize(sessions), 4);
    cr_assert_str_eq(cJSON_GetArrayItem(sessions, 0)->valuestring, "547911884 from 12.xx.xx.21:41314");
    cr_assert_str_eq(cJSON_GetArrayItem(sessions, 1)->valuestring, "547911884");
    cr_assert_str_eq(cJSON_GetArrayItem(sessions, 2)->valuestring, "442226597");
    cr_assert_str_eq(cJSON_GetArrayItem(sessions, 3)->valuestring, "442226597 from 12.xx.xx.21:59562");
    cr_assert_str_eq(evidence_locator(in, 3), "C:\\Users\\lab\\AppData\\Roaming\\AnyDesk\\ad.trace line 2");

    /* the salted password hash in service.conf (twice) and a session accepted by password */
    const cJSON *un = fu_expect(all, "rmm.unattended_access", "AnyDesk: unattended access configured or used (3)",
                                "medium", "2022-08-23T10:23:00.0000000Z",
                                "artifacts/C/ProgramData/AnyDesk/connection_trace.txt",
                                "C:\\ProgramData\\AnyDesk\\connection_trace.txt line 1");
    const cJSON *how = detail_list(un, "how");
    cr_assert_eq(cJSON_GetArraySize(how), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(how, 0)->valuestring, "session accepted by password");
    cr_assert_str_eq(cJSON_GetArrayItem(how, 1)->valuestring,
                     "ad.anynet.pwd_hash=unattended access password set in C:\\ProgramData\\AnyDesk\\service.conf");

    const cJSON *ft = fu_expect(all, "rmm.file_transfer", "AnyDesk: files transferred (1)", "low",
                                "2022-09-28T12:41:20.0010000Z", "artifacts/C/Users/lab/AppData/Roaming/AnyDesk/ad.trace",
                                "C:\\Users\\lab\\AppData\\Roaming\\AnyDesk\\ad.trace line 8");
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(ft, "files"), 0)->valuestring, "C:\\Users\\lab\\Downloads");
    cr_assert_eq(fu_count_rule(all, "rmm.multiple_tools"), 0);

    /* the timeline has each session with its peer */
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"rmm.connection\""), 4);
    cr_assert_eq(tu_count(tl, "\"remote_id\":\"442226597\""), 2);
    cr_assert_eq(tu_count(tl, "\"kind\":\"rmm.file_transfer\""), 1);
    /* every parsed line is a record */
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"log\""), 4 + 3 + 2 + 4);
    cJSON_Delete(all);
}

static const char *const *service_host(void)
{
    static const char *pairs[3];
    pairs[0] = "Windows/System32/config/SYSTEM";
    pairs[1] = tu_fixture("hives/rmm-system.hive");
    pairs[2] = NULL;
    return pairs;
}

Test(rmm, services_safeboot_and_relay_from_the_registry, .timeout = 120)
{
    char *bundle = fu_collect("rmm-svc", "rmm", service_host());
    cJSON *all = fu_findings(bundle);
    const cJSON *ad = fu_expect(all, "rmm.tool_present", "AnyDesk present (service)", "medium",
                                "2026-11-19T09:00:00.0000000Z", SYSTEM_HIVE,
                                "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk");
    cr_assert_str_eq(evidence_locator(ad, 1), "HKLM\\SYSTEM\\ControlSet002\\Services\\AnyDesk");
    fu_expect(all, "rmm.tool_present", "ScreenConnect present (service)", "medium", "2026-11-20T10:30:00.0000000Z",
              SYSTEM_HIVE, "HKLM\\SYSTEM\\ControlSet001\\Services\\ScreenConnect Client (4f1b2c3d5e6a7b8c)");
    fu_expect(all, "rmm.tool_present", "Splashtop present (SafeBoot registration)", "medium",
              "2026-11-20T10:45:00.0000000Z", SYSTEM_HIVE,
              "HKLM\\SYSTEM\\ControlSet001\\Control\\SafeBoot\\Network\\SplashtopRemoteService");
    const cJSON *un = fu_expect(all, "rmm.unattended_access", "ScreenConnect: unattended access configured or used (1)",
                                "medium", "2026-11-20T10:30:00.0000000Z", SYSTEM_HIVE,
                                "HKLM\\SYSTEM\\ControlSet001\\Services\\ScreenConnect Client (4f1b2c3d5e6a7b8c)");
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(un, "how"), 0)->valuestring,
                     "client service set up for an Access (unattended) session with "
                     "support.help-desk-portal.example:8041");
    const cJSON *m = fu_expect(all, "rmm.multiple_tools",
                               "3 remote-management tools on one host: AnyDesk, Splashtop, ScreenConnect", "high",
                               "2026-11-19T09:00:00.0000000Z", SYSTEM_HIVE,
                               "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk");
    cr_assert_eq(cJSON_GetArraySize(detail_list(m, "tools")), 3);
    /* the spooler and HopToDesk (LOLRMM only) are not in the built-in catalog */
    cr_assert_eq(fu_count_rule(all, "rmm.tool_present"), 3);
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"relay\""), 1);
    cr_assert_eq(tu_count(rec, "\"host\":\"support.help-desk-portal.example\""), 1);
    cr_assert_eq(tu_count(rec, "Spooler"), 0);
    cJSON_Delete(all);
}

Test(rmm, lolrmm_catalog_finds_a_tool_only_it_knows, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    char *profile = fu_profile("rmm-lol-profile", "rmm");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile %s --set rmm.catalog=%s/../data/lolrmm/rmm_tools.json --set rmm.allow=AnyDesk",
                  profile, tu_corpus(""));
    /* Windows' own Remote Desktop client, which LOLRMM lists, run and present: not a tool finding */
    gl_buf any = {0};
    gl_buf_printf(&any, "%s/modules/rmm/data/os-binaries.txt", getenv("GLEANER_ROOT"));
    const char *const pairs[] = {"Windows/System32/config/SYSTEM", tu_fixture("hives/rmm-system.hive"),
                                 "Windows/Prefetch/MSTSC.EXE-1A2B3C4D.pf", any.data,
                                 "Users/jdoe/Downloads/mstsc.exe", any.data, NULL};
    char *bundle = tu_collect_dir("rmm-lol", fu_host("rmm-lol-src", pairs), args.data, 0);
    cJSON *all = fu_findings(bundle);
    const cJSON *h = fu_expect(all, "rmm.tool_present", "HopToDesk present (service)", "medium",
                               "2026-11-20T11:00:00.0000000Z", SYSTEM_HIVE,
                               "HKLM\\SYSTEM\\ControlSet001\\Services\\HDSvc");
    cJSON *d = cJSON_GetObjectItem(h, "details");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(d, "catalog_lolrmm")));
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(d, "catalog_builtin")));
    cr_assert_eq(fu_count_rule(all, "rmm.tool_present"), 4, "%s", cJSON_PrintUnformatted(all));
    /* AnyDesk is sanctioned: info, and out of the count */
    fu_expect(all, "rmm.tool_present", "AnyDesk present (service)", "info", "2026-11-19T09:00:00.0000000Z", SYSTEM_HIVE,
              "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk");
    fu_expect(all, "rmm.multiple_tools", "3 remote-management tools on one host: Splashtop, ScreenConnect, HopToDesk",
              "high", "2026-11-20T10:30:00.0000000Z", SYSTEM_HIVE,
              "HKLM\\SYSTEM\\ControlSet001\\Control\\SafeBoot\\Network\\SplashtopRemoteService");
    cJSON_Delete(all);
}

Test(rmm, malformed_catalog_stops_the_run_before_reading, .timeout = 60)
{
    char *root = fu_host("rmm-bad-src", service_host());
    char *profile = fu_profile("rmm-bad-profile", "rmm");
    gl_buf bad = {0}, err = {0};
    gl_buf_printf(&bad, "%s/bad.json", root);
    FILE *f = fopen(bad.data, "w");
    cr_assert_not_null(f);
    fputs("[{\"Name\":\"Good\"},{\"Name\":\"Broken\",\"Details\":{\"InstallationPaths\":[\"a.exe\",7]}}]", f);
    fclose(f);
    char *out = tu_tmpdir("rmm-bad-out");
    int rc = tu_runf(NULL, &err, "%s collect --source dir:%s --output %s --profile %s --rmm-catalog %s --quiet",
                     tu_gleaner(), root, out, profile, bad.data);
    cr_assert_eq(rc, 2, "%s", err.data);
    cr_assert(strstr(err.data, "entry 1 \"Broken\": field 'Details.InstallationPaths[1]': expected a string, found a number"),
              "%s", err.data);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A %s", out);
    cr_assert_eq(ls.len, 0, "output written: %s", ls.data);
    /* an unknown name in the allow-list is a usage error too */
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "%s collect --source dir:%s --output %s --profile %s --set rmm.allow=NoSuchTool --quiet",
                 tu_gleaner(), root, out, profile);
    cr_assert_eq(rc, 2, "%s", err.data);
    cr_assert(strstr(err.data, "rmm.allow: no tool named \"NoSuchTool\" in the catalog"), "%s", err.data);
}

/* The demo host WS01 (docs/sample-host.md): AnyDesk installed with an
 * unattended password, sessions from 79.137.196.160, a downloaded copy in
 * Users\Public; TeamViewer and Splashtop installed; a portable RustDesk in
 * jdoe's profile pointed at a self-hosted relay. */
Test(rmm, sample_host_shows_the_actors_tools, .timeout = 180)
{
    char *profile = fu_profile("rmm-ws01-profile", "firewall rmm");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile %s", profile);
    char *bundle = tu_collect_dir("rmm-ws01", tu_fixture("sample-host"), args.data, 0);
    cJSON *all = fu_findings(bundle);
    const cJSON *m = fu_expect(all, "rmm.multiple_tools",
                               "4 remote-management tools on one host: AnyDesk, TeamViewer, Splashtop, RustDesk", "high",
                               "2025-03-14T09:12:40.0000000Z", SYSTEM_HIVE,
                               "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk");
    cr_assert_eq(cJSON_GetArraySize(detail_list(m, "tools")), 4);
    const cJSON *in = fu_expect(all, "rmm.incoming_connection", "AnyDesk: incoming sessions (2)", "medium",
                                "2026-11-10T09:14:00.0000000Z", "artifacts/C/ProgramData/AnyDesk/ad_svc.trace",
                                "C:\\ProgramData\\AnyDesk\\ad_svc.trace line 8");
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(in, "sessions"), 0)->valuestring,
                     "946317205 from 79.137.196.160:51734");
    const cJSON *un = fu_expect(all, "rmm.unattended_access", "AnyDesk: unattended access configured or used (4)",
                                "medium", "2026-11-10T09:14:00.0000000Z", "artifacts/C/ProgramData/AnyDesk/ad_svc.trace",
                                "C:\\ProgramData\\AnyDesk\\ad_svc.trace line 9");
    cr_assert(fu_json_has(un, "ad.anynet.pwd_hash=unattended access password set in C:\\\\ProgramData\\\\AnyDesk\\\\service.conf"));
    const cJSON *tv = fu_expect(all, "rmm.incoming_connection", "TeamViewer: incoming sessions (1)", "medium",
                                "2026-11-10T10:05:31.0000000Z",
                                "artifacts/C/Program Files (x86)/TeamViewer/Connections_incoming.txt",
                                "C:\\Program Files (x86)\\TeamViewer\\Connections_incoming.txt line 1");
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(tv, "sessions"), 0)->valuestring, "1482736519 DESKTOP-V4N8R2K");
    /* the downloaded AnyDesk and the portable RustDesk, both where users write */
    const cJSON *pa = NULL, *f;
    cJSON_ArrayForEach(f, all) if (!strcmp(fu_str(f, "rule"), "rmm.portable_copy") &&
                                   !strcmp(fu_str(f, "subject"), "AnyDesk")) pa = f;
    cr_assert_not_null(pa);
    cr_assert_str_eq(fu_str(pa, "severity"), "high");
    cr_assert_str_eq(evidence_locator(pa, 0), "C:\\Users\\Public\\Downloads\\AnyDesk.exe");
    cr_assert(fu_json_has(detail_list(pa, "paths"), "user_writable"));
    const cJSON *rd = NULL;
    cJSON_ArrayForEach(f, all) if (!strcmp(fu_str(f, "rule"), "rmm.portable_copy") &&
                                   !strcmp(fu_str(f, "subject"), "RustDesk")) rd = f;
    cr_assert_not_null(rd);
    cr_assert_str_eq(fu_str(rd, "severity"), "high");
    cr_assert_str_eq(evidence_locator(rd, 0), "C:\\Users\\jdoe\\AppData\\Local\\rustdesk\\rustdesk.exe");
    /* acquired, so a re-analysis of the bundle finds it again */
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(cJSON_GetObjectItem(rd, "evidence"), 0), "artifact"),
                     "artifacts/C/Users/jdoe/AppData/Local/rustdesk/rustdesk.exe");
    /* RustDesk's own log layout gives the session; the relay's address is
     * on a line no RustDesk rule reads, so the generic scanner reports it */
    const char *rd_log = "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\log\\rustdesk_rCURRENT.log";
    char rd_loc[200];
    snprintf(rd_loc, sizeof rd_loc, "%s line 4", rd_log);
    const cJSON *rdin = fu_expect(all, "rmm.incoming_connection", "RustDesk: incoming sessions (1)", "medium",
                                  "2026-11-12T21:57:36.4182040Z",
                                  "artifacts/C/Users/jdoe/AppData/Roaming/RustDesk/log/rustdesk_rCURRENT.log", rd_loc);
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(rdin, "sessions"), 0)->valuestring, "from 164.92.234.104:49822");
    cJSON_ArrayForEach(f, all) if (!strcmp(fu_str(f, "rule"), "rmm.log_addresses") &&
                                   !strcmp(fu_str(f, "subject"), "RustDesk"))
    {
        cr_assert(fu_json_is(detail_list(f, "addresses"), "[\"45.32.221.250\"]"), "%s", cJSON_PrintUnformatted(f));
        rd = NULL;
    }
    cr_assert_null(rd, "no rmm.log_addresses for RustDesk");
    cr_assert_eq(fu_count_rule(all, "rmm.tool_present"), 4);
    /* Splashtop Streamer's own logs: the team account, the session, the file */
    const char *st_status = "artifacts/C/Windows/System32/winevt/Logs/Splashtop-Splashtop Streamer-Status%4Operational.evtx";
    const char *st_session =
        "artifacts/C/Windows/System32/winevt/Logs/Splashtop-Splashtop Streamer-Remote Session%4Operational.evtx";
    const cJSON *st = fu_expect(all, "rmm.incoming_connection", "Splashtop: incoming sessions (1)", "medium",
                                "2026-11-11T02:10:44.4400000Z", st_session, "EventRecordID=1");
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(st, "sessions"), 0)->valuestring,
                     "from 167.99.221.10 it-helpdesk.support@proton.me");
    const cJSON *stu = fu_expect(all, "rmm.unattended_access", "Splashtop: unattended access configured or used (1)",
                                 "medium", "2026-11-09T14:38:15.9120000Z", st_status, "EventRecordID=1");
    cr_assert(fu_json_has(stu, "it-helpdesk.support@proton.me"));
    const cJSON *stf = fu_expect(all, "rmm.file_transfer", "Splashtop: files transferred (1)", "low",
                                 "2026-11-11T02:16:44.1000000Z", st_session, "EventRecordID=2");
    cr_assert(fu_json_is(detail_list(stf, "files"), "[\"C:\\\\Users\\\\Public\\\\Documents\\\\backup_2026.zip\"]"),
              "%s", cJSON_PrintUnformatted(stf));
    cr_assert_eq(fu_count_rule(all, "rmm.file_transfer"), 2);
    /* execution: Prefetch of each tool, BAM of jdoe's portable RustDesk */
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"prefetch\""), 5);
    cr_assert_eq(tu_count(rec, "\"source\":\"bam\",\"tool\":\"RustDesk\",\"path\":\"\\\\Device\\\\HarddiskVolume3"
                               "\\\\Users\\\\jdoe\\\\AppData\\\\Local\\\\rustdesk\\\\rustdesk.exe\",\"last_run\":"
                               "\"2026-11-12T21:57:36Z\""),
                 1, "%s", rec);
    /* the portable RustDesk's only install trace is its oldest file */
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"subject\":\"RustDesk\",\"artifact\":null,\"locator\":\"C:\\\\Users\\\\jdoe\\\\AppData\\\\Local\\\\rustdesk\\\\rustdesk.exe\""), 1, "%s", tl);
    /* every kind of evidence, the firewall module's rules included */
    static const char *const present[] = {
        "AnyDesk present (service, Uninstall entry, files, logs, install events, copy outside its folders, "
        "firewall allow rule, executed (Prefetch, BAM))",
        "TeamViewer present (service, Uninstall entry, registry keys, files, logs, install events, executed "
        "(Prefetch, BAM))",
        "Splashtop present (service, SafeBoot registration, Uninstall entry, registry keys, files, logs, "
        "install events, executed (Prefetch, BAM), session events)",
        "RustDesk present (files, logs, copy outside its folders, executed (Prefetch, BAM))",
    };
    for (size_t i = 0; i < 4; i++) {
        size_t n = 0;
        cJSON_ArrayForEach(f, all) n += !strcmp(fu_str(f, "title"), present[i]) && !strcmp(fu_str(f, "severity"), "medium");
        cr_assert_eq(n, 1, "%s in %s", present[i], cJSON_PrintUnformatted(all));
    }
}

/* SOFTWARE: Uninstall entries (64-bit and WOW6432Node), TeamViewer's
 * permanent password (tests/fixtures/hives/rmm-software.hivedesc), a
 * vendor key, and Edge as a negative control. */
Test(rmm, software_uninstall_entries_vendor_keys_and_permanent_password, .timeout = 120)
{
    const char *const pairs[] = {"Windows/System32/config/SOFTWARE", tu_fixture("hives/rmm-software.hive"), NULL};
    char *bundle = fu_collect("rmm-sw", "rmm", pairs);
    cJSON *all = fu_findings(bundle);
    cr_assert_eq(cJSON_GetArraySize(all), 6, "%s", cJSON_PrintUnformatted(all));
#define SW "artifacts/C/Windows/System32/config/SOFTWARE"
    fu_expect(all, "rmm.tool_present", "RustDesk present (Uninstall entry)", "medium", "2026-11-09T00:00:00.0000000Z", SW,
              "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\RustDesk");
    fu_expect(all, "rmm.tool_present", "Zoho Assist present (Uninstall entry)", "medium", "2026-11-10T00:00:00.0000000Z",
              SW,
              "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
              "{6B1E3A2C-8D4F-4E5A-9B7C-1D2E3F4A5B6C}");
    fu_expect(all, "rmm.tool_present", "Atera present (registry keys)", "medium", "2026-11-18T08:00:00.0000000Z", SW,
              "HKLM\\SOFTWARE\\ATERA Networks");
    fu_expect(all, "rmm.tool_present", "TeamViewer present (registry keys)", "medium", "2026-11-11T09:30:00.0000000Z", SW,
              "HKLM\\SOFTWARE\\WOW6432Node\\TeamViewer");
    const cJSON *u = fu_expect(all, "rmm.unattended_access", "TeamViewer: unattended access configured or used (2)",
                               "medium", "2026-11-11T09:30:00.0000000Z", SW,
                               "HKLM\\SOFTWARE\\WOW6432Node\\TeamViewer\\PermanentPasswordDate");
    cr_assert(fu_json_is(detail_list(u, "how"),
                         "[\"permanent password set (HKLM\\\\SOFTWARE\\\\WOW6432Node\\\\TeamViewer\\\\PermanentPasswordDate)\","
                         "\"permanent password stored (HKLM\\\\SOFTWARE\\\\WOW6432Node\\\\TeamViewer\\\\SecurityPasswordAES)\"]"),
              "%s", cJSON_PrintUnformatted(u));
    fu_expect(all, "rmm.multiple_tools", "4 remote-management tools on one host: TeamViewer, Zoho Assist, RustDesk, Atera",
              "high", "2026-11-09T00:00:00.0000000Z", SW, "HKLM\\SOFTWARE\\WOW6432Node\\TeamViewer");
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"uninstall\""), 2);
    cr_assert_eq(tu_count(rec, "\"install_date\":\"20261109\""), 1);
    cr_assert_eq(tu_count(rec, "Microsoft Edge"), 0);
#undef SW
}

/* A log over rmm.max_log_size is listed, not read. */
Test(rmm, logs_over_the_size_cap_are_not_read, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {"ProgramData/AnyDesk/connection_trace.txt", tu_corpus(AD "connection_trace.txt"),
                                 NULL};
    char *profile = fu_profile("rmm-cap-profile", "rmm");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile %s --set rmm.max_log_size=100", profile);
    char *bundle = tu_collect_dir("rmm-cap", fu_host("rmm-cap-src", pairs), args.data, 0);
    cJSON *all = fu_findings(bundle);
    cr_assert_eq(cJSON_GetArraySize(all), 1, "%s", cJSON_PrintUnformatted(all));
    const cJSON *f = cJSON_GetArrayItem(all, 0);
    cr_assert_str_eq(fu_str(f, "title"), "AnyDesk present (files)");
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0), "locator"),
                     "C:\\ProgramData\\AnyDesk\\connection_trace.txt (not read: over rmm.max_log_size)");
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert_eq(tu_count(log, "connection_trace.txt: 106 bytes, over rmm.max_log_size: not read"), 1, "%s", log);
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"role\":\"log\""), 1);
}

/* A user's hive: a per-user AnyDesk install (Uninstall under HKU) and
 * TeamViewer's per-user key (HKCU in the catalog), found by a profile scan. */
Test(rmm, per_user_uninstall_entry_and_vendor_key, .timeout = 120)
{
    const char *const pairs[] = {"Windows/System32/config/SOFTWARE", tu_fixture("hives/rmm-software.hive"),
                                 "Users/jdoe/NTUSER.DAT", tu_fixture("hives/rmm-ntuser.hive"), NULL};
    char *bundle = fu_collect("rmm-user", "rmm", pairs);
    cJSON *all = fu_findings(bundle);
#define NT "artifacts/C/Users/jdoe/NTUSER.DAT"
    fu_expect(all, "rmm.tool_present", "AnyDesk present (Uninstall entry)", "medium", "2026-11-09T14:10:00.0000000Z", NT,
              "HKU\\S-1-5-21-1606980848-1543256932-3119283517-1104\\Software\\Microsoft\\Windows\\CurrentVersion\\"
              "Uninstall\\AnyDesk");
    const cJSON *tv = NULL, *f;
    cJSON_ArrayForEach(f, all) if (!strcmp(fu_str(f, "rule"), "rmm.tool_present") &&
                                   !strcmp(fu_str(f, "subject"), "TeamViewer")) tv = f;
    cr_assert_not_null(tv);
    cr_assert(fu_json_has(tv, "HKU\\\\S-1-5-21-1606980848-1543256932-3119283517-1104\\\\Software\\\\TeamViewer"),
              "%s", cJSON_PrintUnformatted(tv));
#undef NT
}

/* A file with `text` in a fresh temporary folder. */
static char *temp_file(const char *tag, const char *name, const char *text)
{
    char *dir = tu_tmpdir(tag);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

/* RustDesk's log and settings in a profile, in the layouts RustDesk writes
 * (rmmlog_rustdesk.c): the session from 164.92.234.104 is an incoming
 * connection, the permanent password and the permanent-password-only
 * policy are unattended access. */
Test(rmm, rustdesk_log_and_settings_give_session_and_unattended_access, .timeout = 120)
{
    const char *log = "[2026-11-12 21:57:31.005512 +00:00] INFO [src\\rendezvous_mediator.rs:148] start rendezvous mediator of 45.32.221.250:21116\n"
                      "[2026-11-12 21:57:36.418204 +00:00] DEBUG [src\\server\\connection.rs:1042] #1 Connection opened from 164.92.234.104:49822.\n"
                      "[2026-11-12 22:46:02.003998 +00:00] INFO [src\\server\\connection.rs:2480] #1 Connection closed: Peer close\n";
    const char *cfg = "id = '418502733'\npassword = '00Zm9vYmFyYmF6'\nsalt = 'x7qk2m'\n";
    const char *cfg2 = "rendezvous_server = '45.32.221.250:21116'\n\n[options]\n"
                       "verification-method = 'use-permanent-password'\ndirect-server = 'Y'\n";
    /* jdoe's RustDesk also reached out to FS02 and left a transfer unfinished */
    const char *peer = "[info]\nusername = 'Administrator'\nhostname = 'FS02'\nplatform = 'Windows'\n\n[transfer]\n"
                       "write_jobs = ['{\"id\":7,\"remote\":\"D:\\\\Finance\\\\q4.xlsx\",\"to\":\"C:\\\\Users\\\\Public\\\\q4.xlsx\",\"is_remote\":true}']\n";
    const char *const pairs[] = {
        "Users/jdoe/AppData/Roaming/RustDesk/log/RustDesk_rCURRENT.log", temp_file("rmm-rd-log", "a.log", log),
        "Users/jdoe/AppData/Roaming/RustDesk/config/RustDesk.toml", temp_file("rmm-rd-cfg", "a.toml", cfg),
        "Users/jdoe/AppData/Roaming/RustDesk/config/RustDesk2.toml", temp_file("rmm-rd-cfg2", "b.toml", cfg2),
        "Users/jdoe/AppData/Roaming/RustDesk/config/peers/731904466.toml", temp_file("rmm-rd-peer", "c.toml", peer),
        NULL,
    };
    char *bundle = fu_collect("rmm-rustdesk", "rmm", pairs);
    cJSON *all = fu_findings(bundle);
    const char *log_loc = "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\log\\RustDesk_rCURRENT.log line 2";
    const cJSON *in = fu_expect(all, "rmm.incoming_connection", "RustDesk: incoming sessions (1)", "medium",
                                "2026-11-12T21:57:36.4182040Z",
                                "artifacts/C/Users/jdoe/AppData/Roaming/RustDesk/log/RustDesk_rCURRENT.log", log_loc);
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(in, "sessions"), 0)->valuestring, "from 164.92.234.104:49822");
    const cJSON *un = fu_expect(all, "rmm.unattended_access", "RustDesk: unattended access configured or used (2)",
                                "medium", NULL, "artifacts/C/Users/jdoe/AppData/Roaming/RustDesk/config/RustDesk.toml",
                                "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\config\\RustDesk.toml line 2");
    const cJSON *how = detail_list(un, "how");
    cr_assert_eq(cJSON_GetArraySize(how), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(how, 0)->valuestring,
                     "password=permanent password set (stored encrypted) in "
                     "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\config\\RustDesk.toml");
    cr_assert_str_eq(cJSON_GetArrayItem(how, 1)->valuestring,
                     "verification-method=which passwords are accepted in "
                     "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\config\\RustDesk2.toml");
    /* the secret itself is never repeated */
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "00Zm9vYmFyYmF6"), 0);
    cr_assert_eq(tu_count(rec, "\"key\":\"direct-server\""), 1);
    /* the peer file has no time: its outgoing session is a record, not a
     * timeline event, and not an incoming finding */
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"rmm.connection\""), 1);
    cr_assert_eq(tu_count(tl, "\"remote_address\":\"164.92.234.104:49822\""), 1);
    cr_assert_eq(tu_count(rec, "\"event\":\"connection\",\"time\":\"\",\"tz\":\"unknown\",\"direction\":\"outgoing\","
                               "\"ids\":[\"731904466\"]"), 1, "%s", rec);
    const cJSON *ft = fu_expect(all, "rmm.file_transfer", "RustDesk: files transferred (2)", "low", NULL,
                                "artifacts/C/Users/jdoe/AppData/Roaming/RustDesk/config/peers/731904466.toml",
                                "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\config\\peers\\731904466.toml line 7");
    cr_assert(fu_json_is(detail_list(ft, "files"), "[\"D:\\\\Finance\\\\q4.xlsx\",\"C:\\\\Users\\\\Public\\\\q4.xlsx\"]"),
              "%s", cJSON_PrintUnformatted(ft));
    cJSON_Delete(all);
}

/* A ScreenConnect client's Application events (tests/fixtures/evtx/
 * rmm-application.evtxdesc): the operator's session and the files it
 * moved; another provider's event 0 with the same words is not one. */
Test(rmm, screenconnect_application_events_give_session_and_transfer, .timeout = 120)
{
    const char *const pairs[] = {
        "Windows/System32/winevt/Logs/Application.evtx", tu_fixture("evtx/rmm-application.evtx"),
        NULL,
    };
    char *bundle = fu_collect("rmm-sc-events", "rmm", pairs);
    cJSON *all = fu_findings(bundle);
    const char *art = "artifacts/C/Windows/System32/winevt/Logs/Application.evtx";
    const cJSON *in = fu_expect(all, "rmm.incoming_connection", "ScreenConnect: incoming sessions (1)", "medium",
                                "2026-11-20T11:02:10.0000000Z", art, "EventRecordID=1");
    cr_assert_str_eq(cJSON_GetArrayItem(detail_list(in, "sessions"), 0)->valuestring, "Cloud Account Administrator");
    const cJSON *ft = fu_expect(all, "rmm.file_transfer", "ScreenConnect: files transferred (2)", "low",
                                "2026-11-20T11:04:45.5000000Z", art, "EventRecordID=2");
    const cJSON *files = detail_list(ft, "files");
    cr_assert_eq(cJSON_GetArraySize(files), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(files, 0)->valuestring, "svcupd.exe");
    cr_assert_str_eq(cJSON_GetArrayItem(files, 1)->valuestring, "rclone.conf");
    fu_expect(all, "rmm.tool_present", "ScreenConnect present (session events)", "medium", "2026-11-20T11:02:10.0000000Z", art,
              "EventRecordID=1");
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"event\""), 4);
    cr_assert_eq(tu_count(rec, "Executed command of length: 212"), 1);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"rmm.file_transfer\""), 2);
    cJSON_Delete(all);
}

/* Zoho Assist (rmmlog_zoho.c): a session audit report is an incoming
 * session bounded by its entries, the unattended agent's log is persistent
 * access, and the folder's other logs are read in local time, put on the
 * UTC timeline with the host's zone (US Eastern: 9 Nov and 11 Nov 2026 are
 * standard time, UTC-5). */
Test(rmm, zoho_assist_session_audit_and_unattended_agent, .timeout = 120)
{
    const char *audit = "[11-11-2026 03:12:40] Windows PowerShell\n11-11-2026 03:20:51 - WinRAR\n";
    const char *agent = "2026-11-09 14:51:02 INFO agent registered, gateway 203.0.113.9:443\n";
    const char *conn = "2026-11-11 03:12:05 INFO Connecting to 198.51.100.23:443\n";
    const char *const pairs[] = {
        "Users/jdoe/AppData/Local/ZohoMeeting/log/SessionAuditReport_1762830760.log",
        temp_file("rmm-zoho-audit", "a.log", audit),
        "Program Files (x86)/ZohoMeeting/UnAttended/ZohoMeeting/logs/ZohoURSService.log",
        temp_file("rmm-zoho-agent", "b.log", agent),
        "Users/jdoe/AppData/Local/ZohoMeeting/log/Connect.log", temp_file("rmm-zoho-conn", "c.log", conn),
        "Windows/System32/config/SYSTEM", tu_fixture("hives/tz-system.hive"), /* US Eastern */
        NULL,
    };
    char *bundle = fu_collect("rmm-zoho", "rmm", pairs);
    cJSON *all = fu_findings(bundle);
    const char *audit_path = "C:\\Users\\jdoe\\AppData\\Local\\ZohoMeeting\\log\\SessionAuditReport_1762830760.log";
    char loc[300];
    snprintf(loc, sizeof loc, "%s line 1", audit_path);
    const cJSON *in = fu_expect(all, "rmm.incoming_connection", "Zoho Assist: incoming sessions (1)", "medium",
                                "2026-11-11T08:12:40.0000000Z",
                                "artifacts/C/Users/jdoe/AppData/Local/ZohoMeeting/log/SessionAuditReport_1762830760.log",
                                loc);
    cr_assert_eq(cJSON_GetArraySize(detail_list(in, "sessions")), 1);
    const cJSON *un = fu_expect(all, "rmm.unattended_access", "Zoho Assist: unattended access configured or used (1)",
                                "medium", "2026-11-09T19:51:02.0000000Z",
                                "artifacts/C/Program Files (x86)/ZohoMeeting/UnAttended/ZohoMeeting/logs/ZohoURSService.log",
                                "C:\\Program Files (x86)\\ZohoMeeting\\UnAttended\\ZohoMeeting\\logs\\ZohoURSService.log line 1");
    cr_assert(fu_json_has(un, "unattended_agent"));
    char *rec = tu_bundle_member(bundle, "records/rmm.jsonl");
    cr_assert_eq(tu_count(rec, "\"detail\":\"foreground in the session: WinRAR\""), 1, "%s", rec);
    cr_assert_eq(tu_count(rec, "\"event\":\"connection\",\"time\":\"2026-11-11T03:12:40\","
                               "\"time_end\":\"2026-11-11T03:20:51\",\"tz\":\"local\""), 1, "%s", rec);
    cr_assert_eq(tu_count(rec, "\"tz\":\"local\""), 6, "%s", rec);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"rmm.connection\""), 1, "%s", tl);
    cr_assert_eq(tu_count(tl, "\"time\":\"2026-11-11T08:12:40.0000000Z\""), 1, "%s", tl);
    cr_assert_eq(tu_count(tl, "\"time_zone\":\"local, converted with Eastern Standard Time (UTC-05:00)\""), 1,
                 "%s", tl);
    cr_assert_eq(tu_count(rec, "\"time_utc\":\"2026-11-11T08:12:05.0000000Z\""), 1, "%s", rec);
}

/* logs: event-log tampering, on generated logs and hives (facts in
 * tests/fixtures/evtx/logs-expected.md) and on the real logs of the
 * corpus, clean ones included. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define LOGS "Windows/System32/winevt/Logs/"
#define ART "artifacts/C/Windows/System32/winevt/Logs/"

/* Findings of a bundle, one parsed object per line. */
static cJSON *findings_of(const char *bundle)
{
    char *text = tu_bundle_member(bundle, "findings.jsonl");
    cJSON *all = cJSON_CreateArray();
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *f = cJSON_Parse(line);
        cr_assert_not_null(f, "not JSON: %s", line);
        cJSON_AddItemToArray(all, f);
    }
    return all;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static size_t count_rule(const cJSON *all, const char *rule)
{
    size_t n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, all) n += !strcmp(str(f, "rule"), rule);
    return n;
}

/* The one finding of rule with this title; checks severity, time and the
 * first evidence item exactly. */
static const cJSON *expect(const cJSON *all, const char *rule, const char *title, const char *severity,
                           const char *time, const char *artifact, const char *locator)
{
    const cJSON *f, *hit = NULL;
    cJSON_ArrayForEach(f, all) if (!strcmp(str(f, "rule"), rule) && !strcmp(str(f, "title"), title))
    {
        cr_assert_null(hit, "two findings %s '%s'", rule, title);
        hit = f;
    }
    cr_assert_not_null(hit, "no finding %s '%s' in %s", rule, title, cJSON_PrintUnformatted(all));
    cr_assert_str_eq(str(hit, "severity"), severity, "%s", title);
    if (time)
        cr_assert_str_eq(str(hit, "time"), time, "%s", title);
    else
        cr_assert(cJSON_IsNull(cJSON_GetObjectItem(hit, "time")), "%s", title);
    cr_assert(str(hit, "severity_reason") && strlen(str(hit, "severity_reason")) > 20, "%s", title);
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(hit, "evidence"), 0);
    cr_assert_str_eq(str(ev, "artifact"), artifact, "%s", title);
    cr_assert_str_eq(str(ev, "locator"), locator, "%s", title);
    return hit;
}

static char *fixture_host(const char *tag, bool with_system)
{
    char *root = tu_tmpdir(tag);
    cr_assert_eq(tu_place(root, LOGS "Security.evtx", tu_fixture("evtx/logs-security.evtx")), 0);
    if (with_system)
        cr_assert_eq(tu_place(root, LOGS "System.evtx", tu_fixture("evtx/logs-system.evtx")), 0);
    cr_assert_eq(tu_place(root, LOGS "Application.evtx", tu_fixture("evtx/logs-gaps.evtx")), 0);
    cr_assert_eq(tu_place(root, "Windows/System32/config/SYSTEM", tu_fixture("hives/logs-system.hive")), 0);
    cr_assert_eq(tu_place(root, "Windows/System32/config/SOFTWARE", tu_fixture("hives/logs-software.hive")), 0);
    return root;
}

Test(logs, clears_of_security_and_of_channels)
{
    char *bundle = tu_collect_dir("logs-clears", fixture_host("logs-clears-src", true), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    const cJSON *f = expect(all, "logs.security_cleared", "Security audit log cleared by CORP\\mallory", "high",
                            "2026-11-20T10:15:31.7082345Z", ART "Security.evtx", "EventRecordID=73418");
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    cr_assert_str_eq(str(d, "user_sid"), "S-1-5-21-3623811015-3361044348-30300820-1107");
    cr_assert_str_eq(str(d, "logon_id"), "0x3e7a1f");
    char *attack = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, "attack"));
    cr_assert_str_eq(attack, "[\"T1070.001\",\"T1685.005\"]");
    free(attack);

    f = expect(all, "logs.channels_cleared", "40 event logs cleared by CORP\\mallory within 4 s", "high",
               "2026-11-20T10:15:27.1093750Z", ART "System.evtx", "EventRecordID=18706");
    d = cJSON_GetObjectItem(f, "details");
    const cJSON *channels = cJSON_GetObjectItem(d, "channels");
    cr_assert_eq(cJSON_GetArraySize(channels), 40);
    cr_assert_str_eq(cJSON_GetArrayItem(channels, 0)->valuestring, "Application");
    cr_assert_str_eq(cJSON_GetArrayItem(channels, 39)->valuestring, "Windows PowerShell");
    cr_assert_str_eq(str(d, "last_time"), "2026-11-20T10:15:31.0702939Z");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "evidence")), 40);

    expect(all, "logs.channels_cleared", "Event log Windows PowerShell cleared by WS01\\Administrator", "medium",
           "2026-11-19T16:22:05.6478318Z", ART "System.evtx", "EventRecordID=18704");
    cr_assert_eq(count_rule(all, "logs.channels_cleared"), 2);
    cr_assert_eq(count_rule(all, "logs.security_cleared"), 1);
}

Test(logs, audit_policy_removals_are_findings_and_4907_is_not)
{
    char *bundle = tu_collect_dir("logs-audit", fixture_host("logs-audit-src", true), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    expect(all, "logs.audit_policy_weakened",
           "Audit policy weakened by CORP\\mallory (subcategory {0CCE9215-69AE-11D9-BED3-505054503030})", "medium",
           "2026-11-20T10:16:05.3127700Z", ART "Security.evtx", "EventRecordID=73420");
    expect(all, "logs.audit_policy_weakened",
           "Audit policy weakened by CORP\\mallory (subcategory {0CCE922B-69AE-11D9-BED3-505054503030})", "medium",
           "2026-11-20T10:16:11.9045310Z", ART "Security.evtx", "EventRecordID=73421");
    cr_assert_eq(count_rule(all, "logs.audit_policy_weakened"), 2);
    char *text = cJSON_PrintUnformatted(all);
    static const char *const noise[] = {"EventRecordID=73419\"", "EventRecordID=73422\"", "EventRecordID=73425\"",
                                        "EventRecordID=73426\"", "EventRecordID=73427\""};
    for (size_t i = 0; i < 5; i++)
        cr_assert_null(strstr(text, noise[i]), "4907 %s raised a finding", noise[i]);
    free(text);
    cJSON_Delete(all);
}

Test(logs, service_stops_and_start_type)
{
    char *bundle = tu_collect_dir("logs-service", fixture_host("logs-service-src", true), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    /* 1100 #73428 and 7036 #18752, 27 ms apart, nothing after: deliberate */
    const cJSON *f = expect(all, "logs.service_stopped", "Event logging stopped and not restarted", "medium",
                            "2026-11-21T12:40:09.2231875Z", ART "Security.evtx", "EventRecordID=73428");
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 1);
    cr_assert_str_eq(str(ev, "locator"), "EventRecordID=18752");
    /* the shutdown of 2026-11-20 18:02 is followed by a boot: no finding */
    cr_assert_eq(count_rule(all, "logs.service_stopped"), 1);
    f = expect(all, "logs.service_disabled", "Event logging service start type changed from auto start to disabled",
               "high", "2026-11-21T12:39:58.3406250Z", ART "System.evtx", "EventRecordID=18751");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "re_enabled")));
    expect(all, "logs.service_disabled", "Event logging service disabled in the registry", "high",
           "2026-11-21T12:39:58.3406250Z", "artifacts/C/Windows/System32/config/SYSTEM",
           "HKLM\\SYSTEM\\ControlSet001\\Services\\EventLog\\Start");
    cr_assert_eq(count_rule(all, "logs.service_disabled"), 2);
    /* the BITS 7040 (demand start) and Windows Update 7036s are not the EventLog service */
    char *text = cJSON_PrintUnformatted(all);
    cr_assert_null(strstr(text, "EventRecordID=18705\""));
    free(text);
    cJSON_Delete(all);
}

Test(logs, registry_channel_disabled_and_log_shrunk)
{
    char *bundle = tu_collect_dir("logs-registry", fixture_host("logs-registry-src", true), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    expect(all, "logs.channel_disabled", "Event-log channel Microsoft-Windows-PowerShell/Operational disabled",
           "medium", "2026-11-20T10:16:30.5000000Z", "artifacts/C/Windows/System32/config/SOFTWARE",
           "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Channels\\Microsoft-Windows-PowerShell/"
           "Operational\\Enabled");
    cr_assert_eq(count_rule(all, "logs.channel_disabled"), 1, "TaskScheduler and Defender channels are enabled");
    expect(all, "logs.log_shrunk", "Event log Security limited to 65536 bytes", "medium",
           "2026-11-20T10:16:48.1250000Z", "artifacts/C/Windows/System32/config/SYSTEM",
           "HKLM\\SYSTEM\\ControlSet001\\Services\\EventLog\\Security\\MaxSize");
    cr_assert_eq(count_rule(all, "logs.log_shrunk"), 1, "System and Application keep Windows' 20 MiB");
    char *records = tu_bundle_member(bundle, "records/logs.jsonl");
    cr_assert(strstr(records, "{\"type\":\"channel_config\",\"channel\":\"System\",\"setting\":\"MaxSize\","
                              "\"value\":20971520,"),
              "%s", records);
}

Test(logs, gaps_recovered_records_and_a_restarted_log)
{
    char *bundle = tu_collect_dir("logs-gaps", fixture_host("logs-gaps-src", true), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    const cJSON *f = expect(all, "logs.record_gap", "13 EventRecordIDs missing in 1 gap in Application", "low", NULL,
                            ART "Application.evtx", "EventRecordID=48217-48229 missing (before offset 0x20e0)");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "missing_records")->valueint, 13);
    expect(all, "logs.records_recovered", "5 event records recovered from damaged chunks or slack in Application",
           "low", NULL, ART "Application.evtx", "5 recovered records (evtx dump marks them \"recovered\": true)");
    /* Application was cleared by 104 #18706 17 s before its first record:
     * the clear explains the restart. The System log itself was never
     * cleared in the evidence and starts at 18702. */
    expect(all, "logs.log_restarted", "System log starts at EventRecordID 18702 (2026-11-19T06:58:14.5546875Z)",
           "low", "2026-11-19T06:58:14.5546875Z", ART "System.evtx", "EventRecordID=18702");
    cr_assert_eq(count_rule(all, "logs.log_restarted"), 1);

    /* without the System log, nothing explains where Application's first 48210 records went */
    bundle = tu_collect_dir("logs-restart", fixture_host("logs-restart-src", false), "--profile quick", 0);
    all = findings_of(bundle);
    expect(all, "logs.log_restarted", "Application log starts at EventRecordID 48211 (2026-11-20T10:15:44.2031250Z)",
           "low", "2026-11-20T10:15:44.2031250Z", ART "Application.evtx", "EventRecordID=48211");
}

Test(logs, timeline_and_records)
{
    char *bundle = tu_collect_dir("logs-timeline", fixture_host("logs-timeline-src", true), "--profile quick", 0);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert(strstr(tl, "{\"time\":\"2026-11-20T10:15:31.7082345Z\",\"kind\":\"log.cleared\",\"module\":\"logs\","
                         "\"host\":\"WS01\",\"subject\":\"Security\",\"artifact\":\"" ART "Security.evtx\","
                         "\"locator\":\"EventRecordID=73418\",\"details\":{\"event_id\":1102,\"user\":\"mallory\"}}"),
              "%s", tl);
    cr_assert_eq(tu_count(tl, "\"kind\":\"log.cleared\""), 42, "1102 + 41 104s");
    cr_assert_eq(tu_count(tl, "\"kind\":\"system.boot\""), 2, "4608 #73424 and 6009 #18748");
    cr_assert_eq(tu_count(tl, "\"kind\":\"log.service_stopped\""), 5, "1100 x2, 6006, 7036 stopped x2");
    cr_assert_eq(tu_count(tl, "\"kind\":\"log.started\""), 3, "one per log read");
    char *records = tu_bundle_member(bundle, "records/logs.jsonl");
    cr_assert(strstr(records, "{\"type\":\"log_file\",\"path\":\"C:\\\\Windows\\\\System32\\\\winevt\\\\Logs\\\\"
                              "Application.evtx\""),
              "%s", records);
}

/* ---- real logs -------------------------------------------------------------- */

static char *corpus_host(const char *tag, const char *const *pairs, size_t n)
{
    char *root = tu_tmpdir(tag);
    for (size_t i = 0; i < n; i += 2) {
        gl_buf rel = {0};
        gl_buf_printf(&rel, LOGS "%s", pairs[i + 1]);
        cr_assert_eq(tu_place(root, rel.data, tu_corpus(pairs[i])), 0, "%s", pairs[i]);
        gl_buf_free(&rel);
    }
    return root;
}

Test(logs, corpus_clearing_logs_give_their_clears_and_who)
{
    TU_REQUIRE_CORPUS();
    static const char *const files[] = {
        "dev/evtx/logclear/sbousseaden__DE_1102_security_log_cleared.evtx", "Security.evtx",
        "dev/evtx/logclear/sbousseaden__DE_104_system_log_cleared.evtx", "Archive-System-2019-03-19-23-40-00-000.evtx",
        "dev/evtx/logclear/DeepBlueCLI__disablestop-eventlog.evtx", "System.evtx",
    };
    char *bundle = tu_collect_dir("logs-corpus", corpus_host("logs-corpus-src", files, 6), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    expect(all, "logs.security_cleared", "Security audit log cleared by EXAMPLE\\user01", "high",
           "2019-03-19T23:35:07.5242021Z", ART "Security.evtx", "EventRecordID=452811");
    expect(all, "logs.channels_cleared", "Event log System cleared by EXAMPLE\\user01", "medium",
           "2019-03-19T23:34:25.8943413Z", ART "Archive-System-2019-03-19-23-40-00-000.evtx", "EventRecordID=27736");
    expect(all, "logs.channels_cleared", "Event log System cleared by DESKTOP-JR78RLP\\jwrig", "medium",
           "2019-04-27T21:04:25.7334012Z", ART "System.evtx", "EventRecordID=9252");
    const cJSON *f = expect(all, "logs.service_disabled",
                            "Event logging service start type changed from auto start to disabled", "medium",
                            "2019-04-27T21:04:32.3739941Z", ART "System.evtx", "EventRecordID=9253");
    cr_assert_str_eq(str(cJSON_GetObjectItem(f, "details"), "re_enabled_at"), "2019-04-27T21:04:51Z");
    cr_assert_eq(cJSON_GetArraySize(all), 4, "%s", cJSON_PrintUnformatted(all));
}

Test(logs, clean_corpus_logs_give_no_high_finding)
{
    TU_REQUIRE_CORPUS();
    static const char *const files[] = {
        "dev/evtx/services/plaso__System.evtx", "System.evtx",
        "dev/evtx/accounts/DAM-RathbunVM-Win10__Security.evtx", "Security.evtx",
        "dev/evtx/accounts/omerbenamram-evtx__security.evtx", "Archive-Security-2016-01-01-00-00-00-000.evtx",
        "dev/evtx/defender/DAM-RathbunVM-Win10__Microsoft-Windows-Windows_Defender%4Operational.evtx",
        "Microsoft-Windows-Windows Defender%4Operational.evtx",
        "dev/evtx/firewall/DAM-RathbunVM-Win11__Microsoft-Windows-Windows_Firewall_With_Advanced_Security%4Firewall.evtx",
        "Microsoft-Windows-Windows Firewall With Advanced Security%4Firewall.evtx",
    };
    char *bundle = tu_collect_dir("logs-clean", corpus_host("logs-clean-src", files, 10), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    const cJSON *f;
    cJSON_ArrayForEach(f, all)
    {
        /* logs itself sees no tampering; other modules judge these logs in
         * their own tests (accounts rightly raises archir, made an
         * administrator by the account fsir) */
        if (strcmp(str(f, "module"), "logs"))
            continue;
        cr_assert(strcmp(str(f, "severity"), "high") && strcmp(str(f, "severity"), "critical") &&
                      strcmp(str(f, "severity"), "medium"),
                  "%s", cJSON_PrintUnformatted(f));
    }
}

Test(logs, a_last_shutdown_is_low_not_tampering)
{
    TU_REQUIRE_CORPUS();
    /* plaso's System log ends with a 6006 after a planned power-off (1074) */
    static const char *const files[] = {"dev/evtx/services/plaso__System.evtx", "System.evtx"};
    char *bundle = tu_collect_dir("logs-plaso", corpus_host("logs-plaso-src", files, 2), "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    expect(all, "logs.service_stopped", "Event logging stopped with no restart recorded", "low",
           "2015-09-18T07:58:45.0000000Z", ART "System.evtx", "EventRecordID=5005");
    cr_assert_eq(cJSON_GetArraySize(all), 1, "%s", cJSON_PrintUnformatted(all));
}

/* defender: Defender exclusions and tampering, on a generated host (hive
 * tests/fixtures/hives/defender-software.hivedesc, SYSTEM from
 * firewall-system.hivedesc, log tests/fixtures/evtx/defender-events.evtxdesc)
 * and on the real Defender logs of the corpus, the clean one included. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding_util.h"
#include "testutil.h"

#define DEF_LOG "Windows/System32/winevt/Logs/Microsoft-Windows-Windows Defender%4Operational.evtx"
#define ART_LOG "artifacts/C/" DEF_LOG
#define ART_SOFTWARE "artifacts/C/Windows/System32/config/SOFTWARE"
#define ART_SYSTEM "artifacts/C/Windows/System32/config/SYSTEM"
#define SYS_LOG "Windows/System32/winevt/Logs/System.evtx"
#define ART_SYS_LOG "artifacts/C/" SYS_LOG
#define KEY "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\"

static char *collect(const char *tag, const char *const *pairs) { return fu_collect(tag, "defender", pairs); }

/* The generated host, with one more file placed when extra_dest is set. */
static char *generated_host_with(const char *tag, const char *extra_dest, const char *extra_src)
{
    const char *pairs[] = {"Windows/System32/config/SOFTWARE", tu_fixture("hives/defender-software.hive"),
                           "Windows/System32/config/SYSTEM", tu_fixture("hives/firewall-system.hive"),
                           DEF_LOG, tu_fixture("evtx/defender-events.evtx"),
                           SYS_LOG, tu_fixture("evtx/defender-system.evtx"), extra_dest, extra_src, NULL};
    return collect(tag, pairs);
}

static char *generated_host(const char *tag) { return generated_host_with(tag, NULL, NULL); }

Test(defender, one_finding_per_exclusion_with_its_evidence)
{
    char *bundle = generated_host("def-excl");
    cJSON *all = fu_module_findings(bundle, "defender");
    /* Registry value and the 5007 adding it (HKEY_LOCAL_MACHINE\ layout) join. */
    const cJSON *f = fu_expect(all, "defender.exclusion.path",
                               "Defender path exclusion C:\\Users\\Public\\Downloads (still present)", "high",
                               "2026-11-20T10:05:30.1250000Z", ART_SOFTWARE,
                               KEY "Exclusions\\Paths\\C:\\Users\\Public\\Downloads");
    const cJSON *ev = cJSON_GetObjectItem(f, "evidence");
    cr_assert_eq(cJSON_GetArraySize(ev), 2);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 1), "artifact"), ART_LOG);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 1), "locator"), "EventRecordID=4");
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    cr_assert_str_eq(fu_str(d, "state"), "still present");
    cr_assert_str_eq(fu_str(d, "route"), "local event");
    cr_assert_str_eq(fu_str(d, "path_class"), "user_writable");
    cr_assert(fu_json_is(cJSON_GetObjectItem(f, "attack"), "[\"T1562.001\",\"T1564.012\",\"T1685\"]"));
    /* Added (bare SOFTWARE\ layout), removed by a later 5007; the deleted
     * value in the list slack is the registry's trace of it. */
    f = fu_expect(all, "defender.exclusion.path", "Defender path exclusion C:\\PerfLogs\\x (removed 2026-11-20T10:30:00.0000000Z)",
                  "high", "2026-11-20T10:05:40.0000000Z", ART_SOFTWARE, KEY "Exclusions\\Paths\\C:\\PerfLogs\\x");
    d = cJSON_GetObjectItem(f, "details");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(d, "deleted_value")));
    cr_assert(fu_json_is(cJSON_GetObjectItem(d, "added"), "[\"2026-11-20T10:05:40.0000000Z\"]"));
    cr_assert(fu_json_is(cJSON_GetObjectItem(d, "removed"), "[\"2026-11-20T10:30:00.0000000Z\"]"));
    /* Severity by what is excluded. */
    fu_expect(all, "defender.exclusion.path", "Defender path exclusion C:\\ (still present)", "high",
              "2026-11-20T10:05:30.1250000Z", ART_SOFTWARE, KEY "Exclusions\\Paths\\C:\\");
    fu_expect(all, "defender.exclusion.path", "Defender path exclusion C:\\Program Files\\Contoso Backup (still present)",
              "medium", "2026-11-20T10:05:30.1250000Z", ART_SOFTWARE,
              KEY "Exclusions\\Paths\\C:\\Program Files\\Contoso Backup");
    fu_expect(all, "defender.exclusion.extension", "Defender extension exclusion .ps1 (still present)", "high",
              "2026-11-20T10:06:02.5000000Z", ART_SOFTWARE, KEY "Exclusions\\Extensions\\.ps1");
    fu_expect(all, "defender.exclusion.process", "Defender process exclusion rclone.exe (still present)", "high",
              "2026-11-20T10:06:40.0000000Z", ART_SOFTWARE, KEY "Exclusions\\Processes\\rclone.exe");
    fu_expect(all, "defender.exclusion.ip", "Defender IP address exclusion 203.0.113.7 (still present)", "medium",
              "2026-11-20T10:07:00.0000000Z", ART_SOFTWARE, KEY "Exclusions\\IpAddresses\\203.0.113.7");
    fu_expect(all, "defender.exclusion.asr",
              "Defender ASR-only path exclusion C:\\Users\\mallory\\AppData\\Local\\Temp\\t.exe (still present)", "high",
              "2026-11-20T10:07:30.0000000Z", ART_SOFTWARE,
              KEY "Windows Defender Exploit Guard\\ASR\\ASROnlyExclusions\\C:\\Users\\mallory\\AppData\\Local\\Temp\\t.exe");
    f = fu_expect(all, "defender.exclusion.path", "Defender path exclusion D:\\Shares\\Staging (still present)", "high",
                  "2026-11-21T07:30:00.0000000Z", ART_SOFTWARE,
                  "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths\\D:\\Shares\\Staging");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "policy")));
    cr_assert_eq(fu_count_rule(all, "defender.exclusion.path"), 5);
    cr_assert_eq(fu_count_rule(all, "defender.exclusion.other"), 0);
}

Test(defender, protections_switched_off_stay_off_or_come_back)
{
    char *bundle = generated_host("def-prot");
    cJSON *all = fu_module_findings(bundle, "defender");
    /* 5001 and the registry value agree: still off, the event's time. */
    const cJSON *f = fu_expect(all, "defender.protection_disabled", "Defender real-time protection switched off (still off)",
                               "high", "2026-11-20T10:05:13.7770000Z", ART_SOFTWARE,
                               KEY "Real-Time Protection\\DisableRealtimeMonitoring");
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 1), "locator"), "EventRecordID=3");
    /* Default\ -> HKLM 1, then back to Default\ 0: medium, says when. */
    f = fu_expect(all, "defender.protection_disabled",
                  "Defender behaviour monitoring switched off, back on 2026-11-20T10:12:00.0000000Z", "medium",
                  "2026-11-20T10:06:00.0000000Z", ART_SOFTWARE, KEY "Real-Time Protection\\DisableBehaviorMonitoring");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "still_off")));
    /* Policy wins over the local preference (local 0, policy 1). */
    f = fu_expect(all, "defender.protection_disabled",
                  "Defender scanning of downloads and attachments (IOAV) switched off (still off)", "high",
                  "2026-11-21T07:29:00.0000000Z", ART_SOFTWARE, KEY "Real-Time Protection\\DisableIOAVProtection");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "registry_store"), "policy");
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 1), "locator"),
                     "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Real-Time Protection\\DisableIOAVProtection");
    fu_expect(all, "defender.tamper_protection_off", "Defender tamper protection switched off (still off)", "high",
              "2026-11-20T10:04:50.0000000Z", ART_SOFTWARE, KEY "Features\\TamperProtection");
    fu_expect(all, "defender.cloud_protection_off",
              "Defender cloud-delivered protection (MAPS) switched off (still off)", "low",
              "2026-11-20T10:08:00.0000000Z", ART_SOFTWARE, KEY "SpyNet\\SpynetReporting");
    fu_expect(all, "defender.threat_action_allow", "Defender default action for severity 5 threats set to allow", "high",
              "2026-11-20T10:09:00.0000000Z", ART_SOFTWARE, KEY "Threats\\ThreatSeverityDefaultAction\\5");
    fu_expect(all, "defender.asr_rule_disabled",
              "Attack surface reduction rule 9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2 set to off", "medium",
              "2026-11-20T10:09:30.0000000Z", ART_SOFTWARE,
              KEY "Windows Defender Exploit Guard\\ASR\\Rules\\9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2");
    fu_expect(all, "defender.cfa_allowed_app", "C:\\Users\\Public\\enc.exe allowed through Controlled Folder Access",
              "high", "2026-11-20T10:10:00.0000000Z", ART_SOFTWARE,
              KEY "Windows Defender Exploit Guard\\Controlled Folder Access\\AllowedApplications\\C:\\Users\\Public\\enc.exe");
    fu_expect(all, "defender.service_disabled", "Defender service WinDefend disabled", "high",
              "2026-11-20T10:11:00.0000000Z", ART_SYSTEM, "HKLM\\SYSTEM\\ControlSet001\\Services\\WinDefend\\Start");
    /* SubmitSamplesConsent 1 (send safe samples) and an ASR rule in block
     * mode are not findings. */
    cr_assert_eq(fu_count_rule(all, "defender.cloud_protection_off"), 1);
    cr_assert_eq(fu_count_rule(all, "defender.asr_rule_disabled"), 2);
    cr_assert_eq(fu_count_rule(all, "defender.threat_action_allow"), 1);
    /* 5010/5012 without a registry switch: antivirus still off; the
     * antimalware engine is on again in the registry. */
    fu_expect(all, "defender.protection_disabled", "Defender antivirus (DisableAntiVirus) switched off (still off)", "high",
              "2026-11-20T10:42:00.0000000Z", ART_LOG, "EventRecordID=13");
    fu_expect(all, "defender.protection_disabled",
              "Defender antimalware engine (DisableAntiSpyware) switched off, back on later", "medium",
              "2026-11-20T10:41:00.0000000Z", ART_SOFTWARE, KEY "DisableAntiSpyware");
    cr_assert_eq(fu_count_rule(all, "defender.protection_disabled"), 5);
}

Test(defender, detections_tampering_and_history)
{
    char *bundle = generated_host("def-events");
    cJSON *all = fu_module_findings(bundle, "defender");
    const cJSON *f = fu_expect(all, "defender.detection", "Defender detected HackTool:Win32/Mimikatz in C:\\Users\\Public\\m.exe",
                               "high", "2026-11-20T10:15:00.0000000Z", ART_LOG, "EventRecordID=8");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "evidence")), 2);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "action_failed")));
    /* Told to allow it: high whatever the threat. */
    fu_expect(all, "defender.detection", "Defender detected PUA:Win32/Rclone in C:\\Users\\Public\\rclone.exe", "high",
              "2026-11-20T10:44:00.0000000Z", ART_LOG, "EventRecordID=15");
    /* An ASR rule from block to audit through policy (5007). */
    fu_expect(all, "defender.asr_rule_disabled",
              "Attack surface reduction rule d4f940ab-401b-4efc-aadc-ad5f3c50688a set to audit only", "medium",
              "2026-11-20T10:45:00.0000000Z", ART_LOG, "EventRecordID=16");
    fu_expect(all, "defender.quarantine_restored", "Defender restored HackTool:Win32/Mimikatz from quarantine", "high",
              "2026-11-20T10:46:00.0000000Z", ART_LOG, "EventRecordID=17");
    fu_expect(all, "defender.tamper_attempt", "Blocked attempt to change Defender setting TamperProtection", "medium",
              "2026-11-20T10:03:00.0000000Z", ART_LOG, "EventRecordID=1");
    fu_expect(all, "defender.history_deleted", "Defender detection history deleted (entries up to 2026-11-20T10:39:00.000Z)",
              "medium", "2026-11-20T10:40:00.0000000Z", ART_LOG, "EventRecordID=11");
    /* Timeline: the exclusion added and removed, protections off and on. */
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"defender.exclusion.added\""), 9);
    cr_assert_eq(tu_count(tl, "\"kind\":\"defender.exclusion.removed\""), 1);
    /* + WinDefend stopped, disabled, stopped / running (System log) */
    cr_assert_eq(tu_count(tl, "\"kind\":\"defender.protection.disabled\""), 11);
    cr_assert_eq(tu_count(tl, "\"kind\":\"defender.protection.enabled\""), 2);
    /* + three ASR events */
    cr_assert_eq(tu_count(tl, "\"kind\":\"defender.detection\""), 6);
    cr_assert_eq(tu_count(tl, "\"kind\":\"defender.setting.changed\""), 4);
    cr_assert_eq(tu_count(tl, "\"time\":\"2026-11-20T10:30:00.0000000Z\",\"kind\":\"defender.exclusion.removed\""), 1);
    char *rec = tu_bundle_member(bundle, "records/defender.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"exclusion\""), 9);
    cr_assert_eq(tu_count(rec, "\"type\":\"change\""), 7);
    cr_assert_eq(tu_count(rec, "\"type\":\"detection\""), 3);
    cr_assert_eq(tu_count(rec, "\"type\":\"state\""), 3);
    cr_assert_eq(tu_count(rec, "\"detail\":\"On Access\""), 1); /* 5004 */
}

/* WinDefend in the System log: a stop with a start after it (platform
 * update) is no finding; set to disabled with no later change is high; a
 * stop named only by display name, with no start after, is medium. */
Test(defender, windefend_service_state_from_system_log)
{
    char *bundle = generated_host("def-svc");
    cJSON *all = fu_module_findings(bundle, "defender");
    const cJSON *f = fu_expect(all, "defender.service_disabled",
                               "Defender service WinDefend set to disabled (no later change logged)", "high",
                               "2026-11-20T10:51:00.0000000Z", ART_SYS_LOG, "EventRecordID=4");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "evidence")), 1);
    fu_expect(all, "defender.service_stopped", "Defender service WinDefend stopped (no restart logged)", "medium",
              "2026-11-20T10:51:30.0000000Z", ART_SYS_LOG, "EventRecordID=5");
    cr_assert_eq(fu_count_rule(all, "defender.service_stopped"), 1);
    /* The registry's Start=4 stays its own finding (the current start type). */
    cr_assert_eq(fu_count_rule(all, "defender.service_disabled"), 2);
    char *rec = tu_bundle_member(bundle, "records/defender.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"service\""), 4);
    cr_assert_eq(tu_count(rec, "\"from\":\"auto start\",\"to\":\"disabled\""), 1);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"subject\":\"WinDefend service\""), 4);
}

/* 1121 twice for one rule, path and process: one medium finding with both
 * events; 1122 (audit): low. */
Test(defender, asr_rules_blocking_and_auditing)
{
    char *bundle = generated_host("def-asr");
    cJSON *all = fu_module_findings(bundle, "defender");
    const cJSON *f =
        fu_expect(all, "defender.asr_block",
                  "Attack surface reduction rule 9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2 blocked "
                  "C:\\Windows\\System32\\lsass.exe (process C:\\Users\\Public\\m.exe)",
                  "medium", "2026-11-20T10:47:00.0000000Z", ART_LOG, "EventRecordID=18");
    const cJSON *ev = cJSON_GetObjectItem(f, "evidence");
    cr_assert_eq(cJSON_GetArraySize(ev), 2);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 1), "locator"), "EventRecordID=19");
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    cr_assert_eq(cJSON_GetObjectItem(d, "events")->valueint, 2);
    cr_assert_str_eq(fu_str(d, "user"), "CORP\\mallory");
    fu_expect(all, "defender.asr_audit",
              "Attack surface reduction rule d4f940ab-401b-4efc-aadc-ad5f3c50688a would have blocked "
              "C:\\Windows\\System32\\cmd.exe (audit, process "
              "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE)",
              "low", "2026-11-20T10:49:00.0000000Z", ART_LOG, "EventRecordID=20");
    cr_assert_eq(fu_count_rule(all, "defender.asr_block"), 1);
    cr_assert_eq(fu_count_rule(all, "defender.asr_audit"), 1);
    char *rec = tu_bundle_member(bundle, "records/defender.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"asr\""), 3);
    cr_assert_eq(tu_count(rec, "\"target_commandline\":\"cmd.exe /c whoami\""), 1);
}

/* ---- MPLog ----------------------------------------------------------------------------- */

#define MPLOG "ProgramData/Microsoft/Windows Defender/Support/MPLog-20261120-100000.log"
#define ART_MPLOG "artifacts/C/" MPLOG

/* An MPLog as Defender writes it (UTF-16LE with a BOM, CRLF): a process
 * line, files skipped under the Downloads exclusion (line 3) and under a
 * folder only the RTP Perf Log lists (line 4, listed on line 12), the
 * Mimikatz detection of the event log (line 5), a detection the event log
 * lost (line 6), and the RTP Perf Log exclusion lists. */
static const char *mplog_file(void)
{
    static const char text[] =
        "2026-11-20T10:04:00.000Z Engine:Version 1.1.24090.11\r\n"
        "2026-11-20T10:05:20.000Z ProcessImageName: rclone.exe, Pid: 4242, TotalTime: 5120, Count: 3, MaxTime: 400, "
        "MaxTimeFile: \\Device\\HarddiskVolume3\\Users\\Public\\data.zip, EstimatedImpact: 65%\r\n"
        "2026-11-20T10:14:00.000Z [Exclusion] C:\\Users\\Public\\Downloads\\t.exe -> "
        "\\Device\\HarddiskVolume3\\Users\\Public\\Downloads\\t.exe\r\n"
        "2026-11-20T10:14:30.000Z [Exclusion] C:\\Temp\\tools\\x.exe -> \\Device\\HarddiskVolume3\\Temp\\tools\\x.exe\r\n"
        "2026-11-20T10:15:00.000Z DETECTIONEVENT MPSOURCE_REALTIME HackTool:Win32/Mimikatz file:C:\\Users\\Public\\m.exe\r\n"
        "2026-11-20T10:16:00.000Z Internal: DETECTION_ADD#2 Trojan:Win32/Wacatac.B!ml "
        "file:C:\\Users\\mallory\\AppData\\Local\\Temp\\enc.exe\r\n"
        "**RTP Perf Log**\r\n"
        "RTP Start:11/20/2026 10:17:00 AM\r\n"
        "Process Exclusions:\r\n"
        "    rclone.exe\r\n"
        "Path Exclusions:\r\n"
        "    C:\\Temp\\tools\r\n"
        "Ext Exclusions:\r\n"
        "Worker Threads:4\r\n"
        "**END RTP Perf Log**\r\n";
    char *dir = tu_tmpdir("mplog");
    static char path[600];
    snprintf(path, sizeof path, "%s/MPLog.log", dir);
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    fputc(0xFF, f);
    fputc(0xFE, f);
    for (size_t i = 0; i < sizeof text - 1; i++) {
        fputc(text[i], f);
        fputc(0, f);
    }
    fclose(f);
    return path;
}

Test(defender, mplog_exclusions_and_detections_join)
{
    char *bundle = generated_host_with("def-mplog", MPLOG, mplog_file());
    cJSON *all = fu_module_findings(bundle, "defender");
    /* A skipped file joins the exclusion covering it. */
    const cJSON *f = fu_expect(all, "defender.exclusion.path",
                               "Defender path exclusion C:\\Users\\Public\\Downloads (still present)", "high",
                               "2026-11-20T10:05:30.1250000Z", ART_SOFTWARE,
                               KEY "Exclusions\\Paths\\C:\\Users\\Public\\Downloads");
    const cJSON *ev = cJSON_GetObjectItem(f, "evidence");
    cr_assert_eq(cJSON_GetArraySize(ev), 3);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 2), "artifact"), ART_MPLOG);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 2), "locator"), "line 3");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "route"), "local event mplog");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "mplog_last_seen"), "2026-11-20T10:14:00.0000000Z");
    /* Only MPLog knows this one: the RTP list (line 12) and a skipped file. */
    f = fu_expect(all, "defender.exclusion.path",
                  "Defender path exclusion C:\\Temp\\tools (seen in MPLog 2026-11-20T10:16:00.0000000Z)", "high",
                  "2026-11-20T10:16:00.0000000Z", ART_MPLOG, "line 12");
    ev = cJSON_GetObjectItem(f, "evidence");
    cr_assert_eq(cJSON_GetArraySize(ev), 2);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 1), "locator"), "line 4");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "state"), "seen in MPLog");
    cr_assert_eq(fu_count_rule(all, "defender.exclusion.path"), 6);
    /* The RTP process list joins the registry's process exclusion. */
    f = fu_expect(all, "defender.exclusion.process", "Defender process exclusion rclone.exe (still present)", "high",
                  "2026-11-20T10:06:40.0000000Z", ART_SOFTWARE, KEY "Exclusions\\Processes\\rclone.exe");
    ev = cJSON_GetObjectItem(f, "evidence");
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, cJSON_GetArraySize(ev) - 1), "locator"), "line 10");
    /* The DETECTIONEVENT line joins the event log's detection. */
    f = fu_expect(all, "defender.detection", "Defender detected HackTool:Win32/Mimikatz in C:\\Users\\Public\\m.exe",
                  "high", "2026-11-20T10:15:00.0000000Z", ART_LOG, "EventRecordID=8");
    ev = cJSON_GetObjectItem(f, "evidence");
    cr_assert_eq(cJSON_GetArraySize(ev), 3);
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(ev, 2), "locator"), "line 5");
    /* A detection only MPLog remembers. */
    fu_expect(all, "defender.detection",
              "Defender detected Trojan:Win32/Wacatac.B!ml in C:\\Users\\mallory\\AppData\\Local\\Temp\\enc.exe",
              "medium", "2026-11-20T10:16:00.0000000Z", ART_MPLOG, "line 6");
    cr_assert_eq(fu_count_rule(all, "defender.detection"), 3);
    char *rec = tu_bundle_member(bundle, "records/defender.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"mplog\""), 7);
    cr_assert_eq(tu_count(rec, "{\"type\":\"mplog\",\"kind\":\"impact\",\"time\":\"2026-11-20T10:05:20.000Z\","
                               "\"process\":\"rclone.exe\",\"pid\":4242,\"max_time_file\":"
                               "\"\\\\Device\\\\HarddiskVolume3\\\\Users\\\\Public\\\\data.zip\",\"estimated_impact\":65,"
                               "\"artifact\":\"" ART_MPLOG "\",\"locator\":\"line 2\"}"), 1);
}

/* ---- the real logs ------------------------------------------------------------------- */

static char *corpus_host(const char *tag, const char *file)
{
    char rel[300];
    snprintf(rel, sizeof rel, "dev/evtx/defender/%s", file);
    const char *pairs[] = {DEF_LOG, tu_corpus(rel), NULL};
    return collect(tag, pairs);
}

Test(defender, corpus_exclusions_added_and_removed)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("def-corpus-excl", "e2m__ID5007-Defender_threat_exclusion_(native).evtx");
    cJSON *all = fu_module_findings(bundle, "defender");
    cr_assert_eq(cJSON_GetArraySize(all), 4);
    fu_expect(all, "defender.exclusion.path",
              "Defender path exclusion C:\\TOOLS\\mimikatz.exe (removed 2020-12-16T08:44:06.4738503Z)", "high",
              "2020-12-16T08:44:06.4738503Z", ART_LOG, "EventRecordID=454");
    fu_expect(all, "defender.exclusion.path", "Defender path exclusion C:\\TOOLS\\mimikatz (still present)", "high",
              "2020-12-16T08:44:27.2228245Z", ART_LOG, "EventRecordID=455");
    fu_expect(all, "defender.exclusion.process", "Defender process exclusion virus.exe (still present)", "medium",
              "2020-12-16T08:44:51.3319979Z", ART_LOG, "EventRecordID=456");
    fu_expect(all, "defender.exclusion.extension", "Defender extension exclusion .mimi (still present)", "medium",
              "2020-12-16T08:45:04.1446272Z", ART_LOG, "EventRecordID=457");
}

/* A clean Windows 10 Defender log: 36 configuration changes during setup
 * and platform updates, tamper protection switched off and back on. */
Test(defender, corpus_clean_log_has_no_high_finding)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("def-corpus-clean", "DAM-RathbunVM-Win10__Microsoft-Windows-Windows_Defender%4Operational.evtx");
    cJSON *all = fu_module_findings(bundle, "defender");
    cr_assert_eq(fu_count_severity(all, "high"), 0, "%s", cJSON_PrintUnformatted(all));
    cr_assert_eq(fu_count_severity(all, "critical"), 0);
    cr_assert_eq(cJSON_GetArraySize(all), 1);
    const cJSON *f = fu_expect(all, "defender.tamper_protection_off",
                               "Defender tamper protection switched off, back on 2022-02-06T04:05:18.0051911Z", "medium",
                               "2022-02-05T22:18:51.3216711Z", ART_LOG, "EventRecordID=4");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "evidence")), 3);
    char *rec = tu_bundle_member(bundle, "records/defender.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"change\""), 36);
}

Test(defender, corpus_detections)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("def-corpus-det", "sbousseaden__WinDefender_Events_1117_1116_AtomicRedTeam.evtx");
    cJSON *all = fu_module_findings(bundle, "defender");
    cr_assert_eq(fu_count_rule(all, "defender.detection"), 5);
    /* A hacking tool: high. */
    fu_expect(all, "defender.detection",
              "Defender detected HackTool:JS/Jsprat in C:\\AtomicRedTeam\\atomic-red-team-master\\atomics\\T1100\\shells\\b.jsp->(SCRIPT0005)",
              "high", "2019-07-18T20:41:16.4185083Z", ART_LOG, "EventRecordID=75");
    /* 1117 failed with 0x80508023: high. */
    fu_expect(all, "defender.detection",
              "Defender detected Trojan:PowerShell/Powersploit.M in C:\\AtomicRedTeam\\atomic-red-team-master\\atomics\\T1056\\Get-Keystrokes.ps1",
              "high", "2019-07-18T20:40:00.7306760Z", ART_LOG, "EventRecordID=37");
    /* Quarantined cleanly: medium. */
    fu_expect(all, "defender.detection",
              "Defender detected Backdoor:ASP/Ace.T in C:\\AtomicRedTeam\\atomic-red-team-master\\atomics\\T1100\\shells\\cmd.aspx",
              "medium", "2019-07-18T20:41:17.5082761Z", ART_LOG, "EventRecordID=76");
    cr_assert_eq(fu_count_severity(all, "medium"), 2);
}

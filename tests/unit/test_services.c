/* services module: service installs of the corpus' attack logs (Metasploit
 * psexec, a Mimikatz driver), a real SYSTEM hive as the negative control,
 * and a generated hive (tests/fixtures/hives/services-system.hivedesc)
 * with PsExec, user-writable images, a driver from Windows\Temp, an
 * smbexec-style %COMSPEC% service and Windows' own exceptions. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <string.h>
#include "finding_util.h"
#include "testutil.h"

#define LOGS "Windows/System32/winevt/Logs/"
#define SYSTEM_EVTX "artifacts/C/Windows/System32/winevt/Logs/System.evtx"
#define SYSTEM_HIVE "artifacts/C/Windows/System32/config/SYSTEM"

static cJSON *collect_system_log(const char *tag, const char *corpus_rel)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {LOGS "System.evtx", tu_corpus(corpus_rel), NULL};
    return fu_findings(fu_collect(tag, "services", pairs));
}

Test(services, metasploit_psexec_random_name_and_shell_command, .timeout = 120)
{
    cJSON *all = collect_system_log("svc-msf", "dev/evtx/services/DeepBlueCLI__metasploit-psexec-native-target-system.evtx");
    cr_assert_eq(cJSON_GetArraySize(all), 2, "%s", cJSON_PrintUnformatted(all));
    const cJSON *r = fu_expect(all, "services.random_name", "Service with a random-looking name: KgXItsbKgTJzdzwl", "high",
                               "2016-09-21T03:41:02.5429687Z", SYSTEM_EVTX, "EventRecordID=8623");
    cr_assert(fu_json_has(r, "%SYSTEMROOT%\\\\duKhLYUX.exe"));
    fu_expect(all, "services.shell_command", "Service runs a command shell or script host: hgabms", "high",
              "2016-09-21T03:41:13.0703125Z", SYSTEM_EVTX, "EventRecordID=8627");
}

Test(services, mimikatz_driver_and_tool_service_from_user_folders, .timeout = 120)
{
    cJSON *all = collect_system_log("svc-mimi", "dev/evtx/services/e2m__ID7045-New_service_for_Mimikatz_+npcap.evtx");
    /* Office Click-to-Run, Bing and the Npcap driver are ordinary installs */
    cr_assert_eq(cJSON_GetArraySize(all), 2, "%s", cJSON_PrintUnformatted(all));
    fu_expect(all, "services.user_writable_image", "Service binary in a user-writable folder or on a share: WCESERVICE",
              "high", "2020-12-17T10:38:33.9511809Z", SYSTEM_EVTX, "EventRecordID=337870");
    const cJSON *d = fu_expect(all, "services.driver_user_writable",
                               "Kernel driver loaded from a user-writable folder: mimikatz driver (mimidrv)", "high",
                               "2021-03-26T16:12:22.2001192Z", SYSTEM_EVTX, "EventRecordID=453867");
    /* installed twice: both events are evidence */
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "evidence")), 2);
}

Test(services, real_system_hive_is_records_only, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {"Windows/System32/config/SYSTEM", tu_corpus("dev/hives/system/regipy__SYSTEM_2"), NULL};
    char *bundle = fu_collect("svc-real", "services", pairs);
    cJSON *all = fu_findings(bundle);
    cr_assert_eq(cJSON_GetArraySize(all), 0, "%s", cJSON_PrintUnformatted(all));
    char *rec = tu_bundle_member(bundle, "records/services.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"key\""), 469);
}

Test(services, generated_hive_psexec_writable_images_and_exceptions, .timeout = 120)
{
    const char *const pairs[] = {"Windows/System32/config/SYSTEM", tu_fixture("hives/services-system.hive"), NULL};
    char *bundle = fu_collect("svc-gen", "services", pairs);
    cJSON *all = fu_findings(bundle);
    cr_assert_eq(cJSON_GetArraySize(all), 4, "%s", cJSON_PrintUnformatted(all));
    fu_expect(all, "services.remote_admin", "Remote-administration service installed: PSEXESVC", "medium",
              "2026-11-20T10:40:00.0000000Z", SYSTEM_HIVE, "HKLM\\SYSTEM\\ControlSet001\\Services\\PSEXESVC");
    fu_expect(all, "services.user_writable_image", "Service binary in a user-writable folder or on a share: UpdaterSvc",
              "high", "2026-11-20T10:41:00.0000000Z", SYSTEM_HIVE, "HKLM\\SYSTEM\\ControlSet001\\Services\\UpdaterSvc");
    fu_expect(all, "services.driver_user_writable", "Kernel driver loaded from a user-writable folder: tmpdrv", "high",
              "2026-11-20T10:42:00.0000000Z", SYSTEM_HIVE, "HKLM\\SYSTEM\\ControlSet001\\Services\\tmpdrv");
    fu_expect(all, "services.shell_command", "Service runs a command shell or script host: BTOBTO", "high",
              "2026-11-20T10:43:00.0000000Z", SYSTEM_HIVE, "HKLM\\SYSTEM\\ControlSet001\\Services\\BTOBTO");
    /* every key is a record; programs resolved from \??\, relative and unquoted images */
    char *rec = tu_bundle_member(bundle, "records/services.jsonl");
    cr_assert_eq(tu_count(rec, "\"source\":\"key\""), 9);
    cr_assert_eq(tu_count(rec, "\"program\":\"C:\\\\Program Files\\\\Vendor Tools\\\\Agent Service\\\\agent.exe\""), 1);
    cr_assert_eq(tu_count(rec, "\"program\":\"%SystemRoot%\\\\System32\\\\drivers\\\\npcap.sys\""), 1);
    cr_assert_eq(tu_count(rec, "\"program\":\"C:\\\\Windows\\\\Temp\\\\tmpdrv.sys\""), 1);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"service.installed\""), 8);
}

/* An archived System log (auto-backup) counts as much as the live one. */
Test(services, archived_system_log, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {
        LOGS "Archive-System-2016-09-21-03-45-00-000.evtx",
        tu_corpus("dev/evtx/services/DeepBlueCLI__metasploit-psexec-native-target-system.evtx"), NULL};
    cJSON *all = fu_findings(fu_collect("svc-archive", "services", pairs));
    cr_assert_eq(cJSON_GetArraySize(all), 2, "%s", cJSON_PrintUnformatted(all));
    fu_expect(all, "services.shell_command", "Service runs a command shell or script host: hgabms", "high",
              "2016-09-21T03:41:13.0703125Z",
              "artifacts/C/Windows/System32/winevt/Logs/Archive-System-2016-09-21-03-45-00-000.evtx",
              "EventRecordID=8627");
}

/* tasks: scheduled tasks and hidden tasks, on the generated host of
 * tests/fixtures/taskcache/mktasks.py (its docstring lists what each task
 * and event is) and on the real task files and task events of the corpus.
 * Findings are compared as whole sets: every finding of the module, as
 * "rule|severity|title|time|first evidence artifact|locator". */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding_util.h"
#include "testutil.h"

#define ART_LOGS "artifacts/C/Windows/System32/winevt/Logs/"
#define SECURITY "Windows/System32/winevt/Logs/Security.evtx"
#define SCHEDULER "Windows/System32/winevt/Logs/Microsoft-Windows-TaskScheduler%4Operational.evtx"
#define CORPUS_TASKS "dev/artifacts/tasks/APTSimulatorVM-Win10/DAM-Tasks-Win10__"
#define HKTC "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\"

/* Arguments running this module alone (finding_util's profile), so other
 * modules' findings and problems stay out of these tests. */
static char *tasks_profile_args(void)
{
    static char args[512];
    if (!args[0])
        snprintf(args, sizeof args, "--profile %s", fu_profile("tasks-profile", "tasks"));
    return args;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The module's findings of a bundle, one line each, sorted. */
static size_t task_findings(const char *bundle, char ***out)
{
    cJSON *all = fu_module_findings(bundle, "tasks");
    size_t n = (size_t)cJSON_GetArraySize(all);
    char **lines = calloc(n ? n : 1, sizeof *lines);
    for (size_t i = 0; i < n; i++) {
        const cJSON *f = cJSON_GetArrayItem(all, (int)i);
        const cJSON *time = cJSON_GetObjectItem(f, "time");
        const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0);
        const char *reason = fu_str(f, "severity_reason");
        cr_assert(reason && strlen(reason) > 20, "no severity reason: %s", fu_str(f, "title"));
        gl_buf b = {0};
        gl_buf_printf(&b, "%s|%s|%s|%s|%s|%s", fu_str(f, "rule"), fu_str(f, "severity"), fu_str(f, "title"),
                      cJSON_IsString(time) ? time->valuestring : "null", fu_str(ev, "artifact"), fu_str(ev, "locator"));
        lines[i] = b.data;
    }
    cJSON_Delete(all);
    if (n)
        qsort(lines, n, sizeof *lines, cmp_str);
    *out = lines;
    return n;
}

static void expect_findings(const char *bundle, const char *const *want, size_t n_want)
{
    char **got;
    size_t n = task_findings(bundle, &got);
    char **sorted = malloc((n_want ? n_want : 1) * sizeof *sorted);
    if (n_want) {
        memcpy(sorted, want, n_want * sizeof *sorted);
        qsort(sorted, n_want, sizeof *sorted, cmp_str);
    }
    for (size_t i = 0; i < n && i < n_want; i++)
        cr_expect_str_eq(got[i], sorted[i], "finding %zu:\n got  %s\n want %s", i, got[i], sorted[i]);
    cr_expect_eq(n, n_want, "%zu findings, expected %zu; first extra: %s", n, n_want,
                 n > n_want ? got[n_want] : n < n_want ? sorted[n] : "");
    for (size_t i = 0; i < n; i++)
        free(got[i]);
    free(got);
    free(sorted);
}

/* ---- the generated host ---------------------------------------------------- */

Test(tasks, generated_host_hidden_tasks_and_actions, .timeout = 60)
{
    char *root = tu_fixture("taskcache/host/root");
    char *bundle = tu_collect_dir("tasks-host", root, tasks_profile_args(), 0);
    static const char *const want[] = {
        "tasks.actions_differ|high|Scheduled task \\Microsoft\\Windows\\Maintenance\\WinSAT: the XML runs "
        "%windir%\\system32\\winsat.exe, the registry runs C:\\Windows\\Temp\\svchost.exe|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/Tasks/Microsoft/Windows/Maintenance/WinSAT|"
        "C:\\Windows\\System32\\Tasks\\Microsoft\\Windows\\Maintenance\\WinSAT",
        "tasks.cache_mismatch|medium|TaskCache Tasks entry without a Tree entry: \\Leftover|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0007-4000-8000-000000000007}",
        "tasks.created_and_deleted|medium|Task created and deleted within minutes: \\Xk3Tmp9 by CORP\\admin|"
        "2026-11-20T11:00:41.1000000Z|" ART_LOGS "Security.evtx|EventRecordID=5004",
        "tasks.defence_task_removed|high|Security task deleted: \\Microsoft\\Windows\\Windows Defender\\Windows Defender "
        "Scheduled Scan by WS01\\mallory|2026-11-21T07:00:00.1000000Z|" ART_LOGS "Security.evtx|EventRecordID=5006",
        "tasks.hidden_flag|medium|Task marked hidden: \\OneDriveSync|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/Tasks/OneDriveSync|C:\\Windows\\System32\\Tasks\\OneDriveSync",
        "tasks.hidden_flag|medium|Task marked hidden: \\WinUpdate|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0002-4000-8000-000000000002}",
        "tasks.xml_hash_mismatch|low|Task XML file differs from its registered hash: "
        "\\Microsoft\\Windows\\Maintenance\\WinSAT|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/Tasks/Microsoft/Windows/Maintenance/WinSAT|"
        "C:\\Windows\\System32\\Tasks\\Microsoft\\Windows\\Maintenance\\WinSAT",
        "tasks.deleted|low|Task deleted (recovered from the registry): \\OldUpdater|2026-11-19T08:00:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tree\\OldUpdater",
        "tasks.hidden_index_zero|high|Task hidden by Index 0: \\OneDriveSync|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tree\\OneDriveSync",
        "tasks.hidden_sd_removed|high|Task hidden by removing its security descriptor: \\WinUpdate|"
        "2026-11-20T10:05:00.0000000Z|artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tree\\WinUpdate",
        "tasks.recent|low|Scheduled task \\Leftover created or changed recently|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0007-4000-8000-000000000007}",
        "tasks.recent|low|Scheduled task \\OneDriveSync created or changed recently|2026-11-20T10:06:00.1000000Z|" ART_LOGS
        "Security.evtx|EventRecordID=5002",
        "tasks.recent|low|Scheduled task \\SyncHelper created or changed recently|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0004-4000-8000-000000000004}",
        "tasks.recent|low|Scheduled task \\WinUpdate created or changed recently|2026-11-20T10:05:00.2000000Z|" ART_LOGS
        "Microsoft-Windows-TaskScheduler%4Operational.evtx|EventRecordID=801",
        "tasks.registry_only|high|Task in the registry without an XML file: \\Leftover|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0007-4000-8000-000000000007}",
        "tasks.registry_only|high|Task in the registry without an XML file: \\SyncHelper|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0004-4000-8000-000000000004}",
        "tasks.suspicious_action|high|Scheduled task \\Microsoft\\Windows\\Maintenance\\WinSAT runs with the highest "
        "privileges and uses a folder ordinary users can write (\\windows\\temp\\)|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0006-4000-8000-000000000006}\\Actions",
        "tasks.suspicious_action|high|Scheduled task \\OneDriveSync runs powershell.exe, a shell or script host; "
        "PowerShell without its profile (-nop); PowerShell with a hidden window; PowerShell with an encoded command "
        "(-enc)|2026-11-20T10:05:00.0000000Z|artifacts/C/Windows/System32/Tasks/OneDriveSync|"
        "C:\\Windows\\System32\\Tasks\\OneDriveSync",
        "tasks.suspicious_action|high|Scheduled task \\WinUpdate runs with the highest privileges and uses a folder "
        "ordinary users can write (\\users\\)|2026-11-20T10:05:00.0000000Z|artifacts/C/Windows/System32/Tasks/WinUpdate|"
        "C:\\Windows\\System32\\Tasks\\WinUpdate",
        "tasks.suspicious_action|medium|Scheduled task \\AnyDeskStart launches the remote-management tool AnyDesk|null|"
        "artifacts/C/Windows/System32/Tasks/AnyDeskStart|C:\\Windows\\System32\\Tasks\\AnyDeskStart",
        "tasks.suspicious_action|medium|Scheduled task \\SyncHelper runs cmd.exe, a shell or script host; runs or uses "
        "a file in a folder ordinary users can write (\\programdata\\)|2026-11-20T10:05:00.0000000Z|"
        "artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tasks\\{1A2B3C4D-0004-4000-8000-000000000004}\\Actions",
        "tasks.suspicious_action|medium|Scheduled task \\Xk3Tmp9 runs cmd.exe, a shell or script host; uses an "
        "administrative share (\\admin$), as remote-execution tools do|2026-11-20T11:00:00.1000000Z|" ART_LOGS
        "Security.evtx|EventRecordID=5004",
        "tasks.xml_only|medium|Task XML file without a registry entry: \\AnyDeskStart|null|"
        "artifacts/C/Windows/System32/Tasks/AnyDeskStart|C:\\Windows\\System32\\Tasks\\AnyDeskStart",
    };
    expect_findings(bundle, want, sizeof want / sizeof want[0]);

    /* One record per file, Tree key, Tasks key and event. */
    char *records = tu_bundle_member(bundle, "records/tasks.jsonl");
    cr_expect_eq(tu_count(records, "{\"source\":\"xml\""), 5);
    cr_expect_eq(tu_count(records, "{\"source\":\"taskcache.tree\""), 6);
    cr_expect_eq(tu_count(records, "{\"source\":\"taskcache.tasks\""), 6);
    cr_expect_eq(tu_count(records, "{\"source\":\"event\""), 13);
    cr_expect(strstr(records, "\"path\":\"\\\\WinUpdate\",\"guid\":\"{1A2B3C4D-0002-4000-8000-000000000002}\"") != NULL);
    cr_expect(strstr(records, "\"actions\":{\"version\":3,\"context\":\"Author\",\"actions\":[{\"kind\":\"exec\",\"id\":"
                              "\"\",\"command\":\"C:\\\\Users\\\\Public\\\\winupd.exe\"") != NULL);
    char *timeline = tu_bundle_member(bundle, "timeline.jsonl");
    cr_expect_eq(tu_count(timeline, "\"kind\":\"task.deleted\""), 3);
    cr_expect_eq(tu_count(timeline, "\"kind\":\"task.run\""), 2);
    cr_expect_eq(tu_count(timeline, "\"kind\":\"task.changed\""), 1);
    free(records);
    free(timeline);
}

/* ---- real evidence ------------------------------------------------------------ */

Test(tasks, corpus_task_files, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {
        "Windows/System32/Tasks/GameOver", tu_corpus(CORPUS_TASKS "GameOver.xml"),
        "Windows/System32/Tasks/GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}",
        tu_corpus(CORPUS_TASKS "GoogleUpdateTaskMachineCore.xml"),
        "Windows/System32/Tasks/GoogleUpdateTaskMachineUA{5C1DE8D8-1A9C-4F32-8062-6E1F475FB2AE}",
        tu_corpus(CORPUS_TASKS "GoogleUpdateTaskMachineUA.xml"),
        NULL};
    char *bundle = tu_collect_dir("tasks-corpus-files", fu_host("tasks-corpus-files-src", pairs),
                                  tasks_profile_args(), 0);
    /* Google's updater is an ordinary task: only the mimikatz one is found. */
    static const char *const want[] = {
        "tasks.suspicious_action|high|Scheduled task \\GameOver credential theft or memory dumping in the command line "
        "(sekurlsa::)|null|artifacts/C/Windows/System32/Tasks/GameOver|C:\\Windows\\System32\\Tasks\\GameOver",
    };
    expect_findings(bundle, want, 1);
}

Test(tasks, corpus_task_events, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {SECURITY, tu_corpus("dev/evtx/tasks/velociraptor__SecurityTasks.evtx"), SCHEDULER,
                                 tu_corpus("dev/evtx/tasks/velociraptor__TaskScheduler.evtx"), NULL};
    char *bundle = tu_collect_dir("tasks-corpus-events", fu_host("tasks-corpus-events-src", pairs),
                                  tasks_profile_args(), 0);
    /* Atomic Red Team T1053.005 on RE-Dev (MANIFEST): three tasks created
     * 11:40, deleted 11:42; each deletion logged by both logs, reported
     * once, with the Security creation as first evidence. */
    static const char *const want[] = {
        "tasks.created_and_deleted|medium|Task created and deleted within minutes: \\T1053_005_OnLogon by "
        "RE-DEV\\yolo|2021-01-27T11:42:22.5400775Z|" ART_LOGS "Security.evtx|EventRecordID=20022",
        "tasks.created_and_deleted|medium|Task created and deleted within minutes: \\T1053_005_OnStartup by "
        "RE-DEV\\yolo|2021-01-27T11:42:29.9695684Z|" ART_LOGS "Security.evtx|EventRecordID=20023",
        "tasks.created_and_deleted|medium|Task created and deleted within minutes: \\T1053_005_powershell by "
        "RE-DEV\\yolo|2021-01-27T11:42:13.2407843Z|" ART_LOGS "Security.evtx|EventRecordID=20024",
        "tasks.suspicious_action|medium|Scheduled task \\T1053_005_OnLogon runs cmd.exe, a shell or script host|"
        "2021-01-27T11:40:14.7283796Z|" ART_LOGS "Security.evtx|EventRecordID=20022",
        "tasks.suspicious_action|medium|Scheduled task \\T1053_005_OnStartup runs cmd.exe, a shell or script host|"
        "2021-01-27T11:40:14.7779804Z|" ART_LOGS "Security.evtx|EventRecordID=20023",
    };
    expect_findings(bundle, want, sizeof want / sizeof want[0]);
}

Test(tasks, corpus_remote_temp_task, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {SECURITY, tu_corpus("dev/evtx/tasks/sbousseaden__temp_scheduled_task_4698_4699.evtx"),
                                 NULL};
    char *bundle = tu_collect_dir("tasks-corpus-temp", fu_host("tasks-corpus-temp-src", pairs),
                                  tasks_profile_args(), 0);
    /* \CYAlyNSS (MANIFEST): a hidden SYSTEM task writing tasklist output to
     * %windir%\Temp, created and deleted in the same second. */
    static const char *const want[] = {
        "tasks.created_and_deleted|medium|Task created and deleted within minutes: \\CYAlyNSS by "
        "EXAMPLE\\Administrator|2019-03-19T00:02:04.3512527Z|" ART_LOGS "Security.evtx|EventRecordID=566836",
        "tasks.hidden_flag|medium|Task marked hidden: \\CYAlyNSS|2019-03-19T00:02:04.3199452Z|" ART_LOGS
        "Security.evtx|EventRecordID=566836",
        "tasks.suspicious_action|high|Scheduled task \\CYAlyNSS runs cmd.exe, a shell or script host; runs with the "
        "highest privileges and uses a folder ordinary users can write (%windir%\\temp\\)|"
        "2019-03-19T00:02:04.3199452Z|" ART_LOGS "Security.evtx|EventRecordID=566836",
    };
    expect_findings(bundle, want, sizeof want / sizeof want[0]);
}

/* Negative control: a real TaskScheduler log of a Windows 10 host where
 * only Windows itself registers, updates and deletes its own tasks. */
Test(tasks, corpus_clean_scheduler_log, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {
        SCHEDULER, tu_corpus("dev/evtx/tasks/DAM-BelkasoftCTF-Win10__Microsoft-Windows-TaskScheduler%4Operational.evtx"),
        NULL};
    char *bundle = tu_collect_dir("tasks-corpus-clean", fu_host("tasks-corpus-clean-src", pairs),
                                  tasks_profile_args(), 0);
    expect_findings(bundle, NULL, 0);
    char *records = tu_bundle_member(bundle, "records/tasks.jsonl");
    /* every 106/140/141/142/129/100/200/201 of the log is a record */
    cr_expect_eq(tu_count(records, "{\"source\":\"event\""), 2637);
    cr_expect_eq(tu_count(records, "\"event_id\":141,"), 9);
    free(records);
}

/* A task file cut in half: its record says what broke, the run is partial,
 * and what was read before the break is still judged. */
Test(tasks, damaged_task_file_makes_the_run_partial, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_buf whole = {0};
    cr_assert(tu_read_file(tu_corpus("dev/artifacts/tasks/APTSimulatorVM-Win10/DAM-Tasks-Win10__GameOver.xml"), &whole));
    char *root = tu_tmpdir("tasks-damaged-src");
    gl_buf dir = {0}, path = {0};
    gl_buf_printf(&dir, "%s/Windows/System32/Tasks", root);
    cr_assert_eq(tu_runf(NULL, NULL, "mkdir -p '%s'", dir.data), 0);
    gl_buf_printf(&path, "%s/GameOver", dir.data);
    FILE *f = fopen(path.data, "wb");
    cr_assert_not_null(f);
    fwrite(whole.data, 1, 3169, f); /* through the Arguments element and one byte of </Exec> */
    fclose(f);
    char *bundle = tu_collect_dir("tasks-damaged", root, tasks_profile_args(), 1);
    char *records = tu_bundle_member(bundle, "records/tasks.jsonl");
    cr_expect(strstr(records, "\"error\":\"offset 0xc60: truncated UTF-16: odd trailing byte; then line 43, column 5: "
                              "unexpected end of input: expected </Exec>\"") != NULL,
              "%s", records);
    static const char *const want[] = {
        "tasks.suspicious_action|high|Scheduled task \\GameOver credential theft or memory dumping in the command line "
        "(sekurlsa::)|null|artifacts/C/Windows/System32/Tasks/GameOver|C:\\Windows\\System32\\Tasks\\GameOver",
    };
    expect_findings(bundle, want, 1);
    free(records);
    gl_buf_free(&whole);
    gl_buf_free(&dir);
    gl_buf_free(&path);
}

/* The demo host WS01 (docs/sample-host.md): the actor's hidden task
 * disguised as Edge's updater, and \WinUpdate whose SD was deleted with
 * reg.exe (Tarrask) and which starts RustDesk from the user's profile. */
Test(tasks, sample_host_tasks, .timeout = 60)
{
    char *bundle = tu_collect_dir("tasks-ws01", tu_fixture("sample-host"), tasks_profile_args(), 0);
    static const char *const want[] = {
        "tasks.hidden_flag|medium|Task marked hidden: \\MicrosoftEdgeUpdateTaskMachineCoreSvc|2026-11-09T15:09:27.0000000Z|"
        "artifacts/C/Windows/System32/Tasks/MicrosoftEdgeUpdateTaskMachineCoreSvc|"
        "C:\\Windows\\System32\\Tasks\\MicrosoftEdgeUpdateTaskMachineCoreSvc",
        "tasks.hidden_sd_removed|high|Task hidden by removing its security descriptor: \\WinUpdate|"
        "2026-11-12T22:05:41.0000000Z|artifacts/C/Windows/System32/config/SOFTWARE|" HKTC "Tree\\WinUpdate",
        "tasks.recent|low|Scheduled task \\MicrosoftEdgeUpdateTaskMachineCoreSvc created or changed recently|"
        "2026-11-09T15:09:27.3490000Z|" ART_LOGS "Microsoft-Windows-TaskScheduler%4Operational.evtx|EventRecordID=1",
        "tasks.recent|low|Scheduled task \\WinUpdate created or changed recently|2026-11-12T22:05:41.6300000Z|" ART_LOGS
        "Microsoft-Windows-TaskScheduler%4Operational.evtx|EventRecordID=2",
        "tasks.suspicious_action|high|Scheduled task \\MicrosoftEdgeUpdateTaskMachineCoreSvc runs cmd.exe, a shell or "
        "script host; runs with the highest privileges and uses a folder ordinary users can write (\\users\\)|"
        "2026-11-09T15:09:27.0000000Z|artifacts/C/Windows/System32/Tasks/MicrosoftEdgeUpdateTaskMachineCoreSvc|"
        "C:\\Windows\\System32\\Tasks\\MicrosoftEdgeUpdateTaskMachineCoreSvc",
        "tasks.suspicious_action|high|Scheduled task \\WinUpdate runs with the highest privileges and uses a folder "
        "ordinary users can write (\\users\\); launches the remote-management tool RustDesk|2026-11-12T22:05:41.0000000Z|"
        "artifacts/C/Windows/System32/Tasks/WinUpdate|C:\\Windows\\System32\\Tasks\\WinUpdate",
    };
    expect_findings(bundle, want, sizeof want / sizeof want[0]);
}

/* \eviltask (MANIFEST): a SYSTEM task created by OFFSEC\admmig that runs
 * C:\tools\shell.cmd every minute. */
Test(tasks, corpus_eviltask, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    const char *const pairs[] = {
        SECURITY, tu_corpus("dev/evtx/tasks/e2m__ID4688-4698_Persistent_scheduled_task_with_SYSTEM_privileges_creation.evtx"),
        NULL};
    char *bundle = tu_collect_dir("tasks-corpus-evil", fu_host("tasks-corpus-evil-src", pairs),
                                  tasks_profile_args(), 0);
    static const char *const want[] = {
        "tasks.recent|low|Scheduled task \\eviltask created or changed recently|2021-04-21T13:30:00.5894609Z|" ART_LOGS
        "Security.evtx|EventRecordID=352964",
        "tasks.suspicious_action|medium|Scheduled task \\eviltask runs the script shell.cmd directly|"
        "2021-04-21T13:30:00.5894609Z|" ART_LOGS "Security.evtx|EventRecordID=352964",
    };
    expect_findings(bundle, want, sizeof want / sizeof want[0]);
}

/* firewall: Windows Firewall changes, on a generated host (hives
 * tests/fixtures/hives/firewall-system.hivedesc and defender-software
 * .hivedesc for the Group Policy store, logs firewall-events.evtxdesc and
 * firewall-security.evtxdesc) and on the real firewall logs of the corpus,
 * the clean Windows 11 one included. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding_util.h"
#include "testutil.h"

#define FW_LOG "Windows/System32/winevt/Logs/Microsoft-Windows-Windows Firewall With Advanced Security%4Firewall.evtx"
#define SEC_LOG "Windows/System32/winevt/Logs/Security.evtx"
#define ART_FW "artifacts/C/" FW_LOG
#define ART_SEC "artifacts/C/" SEC_LOG
#define ART_SOFTWARE "artifacts/C/Windows/System32/config/SOFTWARE"
#define ART_SYSTEM "artifacts/C/Windows/System32/config/SYSTEM"
#define POLICY "HKLM\\SYSTEM\\ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
#define RULES POLICY "FirewallRules\\"

static char *collect(const char *tag, const char *const *pairs) { return fu_collect(tag, "firewall", pairs); }

static char *generated_host(const char *tag)
{
    const char *pairs[] = {"Windows/System32/config/SYSTEM", tu_fixture("hives/firewall-system.hive"),
                           "Windows/System32/config/SOFTWARE", tu_fixture("hives/defender-software.hive"),
                           FW_LOG, tu_fixture("evtx/firewall-events.evtx"),
                           SEC_LOG, tu_fixture("evtx/firewall-security.evtx"), NULL};
    return collect(tag, pairs);
}

Test(firewall, profiles_off_local_policy_and_events)
{
    char *bundle = generated_host("fw-prof");
    cJSON *all = fu_module_findings(bundle, "firewall");
    const cJSON *f = fu_expect(all, "firewall.profile_disabled", "Windows Firewall turned off for the Public profile (local)",
                               "high", "2026-11-20T10:20:00.0000000Z", ART_SYSTEM, POLICY "PublicProfile\\EnableFirewall");
    cr_assert(fu_json_is(cJSON_GetObjectItem(f, "attack"), "[\"T1562.004\",\"T1686.003\"]"));
    fu_expect(all, "firewall.profile_disabled", "Windows Firewall turned off for the Domain profile (policy)", "high",
              "2026-11-21T07:31:00.0000000Z", ART_SOFTWARE,
              "HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile\\EnableFirewall");
    /* The 2082 that switched Public off joins the registry finding. */
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 1);
    cr_assert_str_eq(fu_str(ev, "artifact"), ART_FW);
    cr_assert_str_eq(fu_str(ev, "locator"), "EventRecordID=1");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "modifying_application"), "C:\\Windows\\System32\\netsh.exe");
    fu_expect(all, "firewall.profile_disabled", "Windows Firewall turned off for the Domain profile (event 4950)", "high",
              "2026-11-20T10:26:00.0000000Z", ART_SEC, "EventRecordID=2");
    cr_assert_eq(fu_count_rule(all, "firewall.profile_disabled"), 3);
    fu_expect(all, "firewall.default_inbound_allow",
              "Firewall lets all inbound traffic in by default for the Private profile (local)", "high",
              "2026-11-20T10:20:05.0000000Z", ART_SYSTEM, POLICY "StandardProfile\\DefaultInboundAction");
    fu_expect(all, "firewall.notifications_off", "Firewall notifications switched off for the Public profile (local)",
              "low", "2026-11-20T10:20:00.0000000Z", ART_SYSTEM, POLICY "PublicProfile\\DisableNotifications");
}

#define PFW_LOG "Windows/System32/LogFiles/Firewall/pfirewall.log"

/* The packet log as the firewall writes it (CRLF, local times): one
 * allowed RDP connection from a Muddled Libra address (line 5), traffic
 * that is not an allowed inbound remote-access connection, an AnyDesk
 * connection (line 8) and a line that does not parse (line 10). */
static const char *packet_log(void)
{
    static const char text[] =
        "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin "
        "icmptype icmpcode info path pid\r\n"
        "2026-11-20 10:25:01 ALLOW TCP 104.247.82.11 10.0.0.5 50123 3389 0 - 0 0 0 - - - RECEIVE 1204\r\n"
        "2026-11-20 10:25:02 ALLOW TCP 10.0.0.5 8.8.8.8 50124 443 0 - 0 0 0 - - - SEND 4411\r\n"
        "2026-11-20 10:25:03 DROP TCP 203.0.113.9 10.0.0.5 40000 3389 0 - 0 0 0 - - - RECEIVE 0\r\n"
        "2026-11-20 10:25:04 ALLOW TCP 198.51.100.7 10.0.0.5 40001 7070 0 - 0 0 0 - - - RECEIVE 5120\r\n"
        "2026-11-20 10:25:05 ALLOW TCP 198.51.100.7 10.0.0.5 40002 445 0 - 0 0 0 - - - RECEIVE 4\r\n"
        "2026-11-20 10:25 garbage\r\n";
    char *dir = tu_tmpdir("pfwlog");
    static char path[600];
    snprintf(path, sizeof path, "%s/pfirewall.log", dir);
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(text, 1, sizeof text - 1, f), sizeof text - 1);
    fclose(f);
    return path;
}

/* Logging settings per profile are records; the log moved to a user folder
 * and logging switched off by policy are low findings; the packet log
 * named by the settings gives the allowed inbound remote-access
 * connections as records, whose source addresses ioc matches. */
Test(firewall, logging_settings_and_packet_log)
{
    const char *pairs[] = {"Windows/System32/config/SYSTEM", tu_fixture("hives/firewall-system.hive"),
                           "Windows/System32/config/SOFTWARE", tu_fixture("hives/defender-software.hive"),
                           PFW_LOG, packet_log(), NULL};
    char *bundle = fu_collect("fw-logging", "firewall ioc", pairs);
    cJSON *all = fu_module_findings(bundle, "firewall");
    fu_expect(all, "firewall.logging_changed", "Firewall Private profile log written to C:\\Users\\Public\\fw.log (local)",
              "low", "2026-11-20T10:19:30.0000000Z", ART_SYSTEM, POLICY "StandardProfile\\Logging\\LogFilePath");
    fu_expect(all, "firewall.logging_changed",
              "Firewall logging of successful connections switched off by policy for the Domain profile", "low",
              "2026-11-21T07:31:30.0000000Z", ART_SOFTWARE,
              "HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile\\Logging\\LogSuccessfulConnections");
    /* Windows' default values and the default path are no findings. */
    cr_assert_eq(fu_count_rule(all, "firewall.logging_changed"), 2);
    char *rec = tu_bundle_member(bundle, "records/firewall.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"logging\""), 8);
    cr_assert_eq(tu_count(rec, "\"name\":\"LogFilePath\",\"value\":\"%systemroot%\\\\system32\\\\LogFiles\\\\Firewall\\\\pfirewall.log\""), 1);
    cr_assert_eq(tu_count(rec, "\"type\":\"connection\""), 2);
    cr_assert_eq(tu_count(rec, "{\"type\":\"connection\",\"time_local\":\"2026-11-20 10:25:01\",\"time_format\":\"Local\","
                               "\"action\":\"ALLOW\",\"protocol\":\"TCP\",\"src_ip\":\"104.247.82.11\",\"dst_ip\":\"10.0.0.5\","
                               "\"src_port\":50123,\"dst_port\":3389,\"pid\":1204,\"artifact\":\"artifacts/C/" PFW_LOG "\","
                               "\"locator\":\"line 5\"}"), 1);
    cr_assert_eq(tu_count(rec, "\"dst_port\":7070,\"pid\":5120,\"artifact\":\"artifacts/C/" PFW_LOG "\",\"locator\":\"line 8\""), 1);
    cr_assert_eq(tu_count(rec, "{\"type\":\"packet_log\",\"path\":\"\\\\Windows\\\\system32\\\\LogFiles\\\\Firewall\\\\pfirewall.log\","
                               "\"lines\":10,\"entries\":5,\"connections\":2,\"bad_lines\":1"), 1);
    /* The RDP connection's source is a Muddled Libra address. */
    cJSON *ioc = fu_module_findings(bundle, "ioc");
    const cJSON *f = fu_expect(ioc, "ioc.ip",
                               "firewall record mentions ipv4 104.247.82.11: Muddled Libra infrastructure (Unit 42)",
                               "high", NULL, "artifacts/C/" PFW_LOG, "line 5");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "indicator"), "104.247.82.11");
}

Test(firewall, registry_rules_judged_by_what_they_open)
{
    char *bundle = generated_host("fw-rules");
    cJSON *all = fu_module_findings(bundle, "firewall");
    fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"allow all\"", "high",
              "2026-11-20T10:21:00.0000000Z", ART_SYSTEM, RULES "{B2D1F7E3-8C4A-4C9B-AF62-3E5D7A9B1C24}");
    fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"rdp in\"", "high",
              "2026-11-20T10:21:00.0000000Z", ART_SYSTEM, RULES "{C3E2A8F4-9D5B-4DAC-B073-4F6E8BAC2D35}");
    fu_expect(all, "firewall.rule_inbound_allow",
              "Inbound allow rule \"Contoso agent\" for C:\\Program Files\\Contoso\\agent.exe", "low",
              "2026-11-20T10:21:00.0000000Z", ART_SYSTEM, RULES "{D4F3B9A5-AE6C-4EBD-8184-5A7F9CBD3E46}");
    /* An allow rule hidden among the app-isolation rules. */
    fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"tv\" for C:\\ProgramData\\tv\\tv.exe", "high",
              "2026-11-20T10:21:30.0000000Z", ART_SYSTEM,
              POLICY "RestrictedServices\\AppIso\\FirewallRules\\{0A9B8C7D-6E5F-4A3B-2C1D-0E9F8A7B6C5D}");
    fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"Remote support\"", "high",
              "2026-11-21T07:32:00.0000000Z", ART_SOFTWARE,
              "HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules\\{5B0E3A54-0C47-4B8E-9C1C-7E1A11D0A7F0}");
    fu_expect(all, "firewall.rule_unreadable",
              "Firewall rule {E5A4CAB6-BF7D-4FCE-9295-6B8AADCE4F57} does not parse: offset 38: Protocol: expected a "
              "protocol number 0..255, found \"tcp\"",
              "low", "2026-11-20T10:21:00.0000000Z", ART_SYSTEM, RULES "{E5A4CAB6-BF7D-4FCE-9295-6B8AADCE4F57}");
    /* ControlSet002 still has a block rule the current set lost; Windows'
     * own DHCP rule is in both. */
    fu_expect(all, "firewall.rule_deleted",
              "Firewall rule {F6B5DBC7-C08E-40DF-A3A6-7C9BBEDF5068} exists in ControlSet002 but not in the current ControlSet001",
              "medium", NULL, ART_SYSTEM,
              "HKLM\\SYSTEM\\ControlSet002\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules\\{F6B5DBC7-C08E-40DF-A3A6-7C9BBEDF5068}");
    /* Windows' own rules (Remote Desktop group, Core Networking, a Store
     * app) are not findings. */
    cr_assert_not(fu_json_has(all, "RemoteDesktop-UserMode-In-TCP\""));
    cr_assert_not(fu_json_has(all, "CoreNet-DHCP-In"));
    cr_assert_not(fu_json_has(all, "Microsoft.Todos"));
    char *rec = tu_bundle_member(bundle, "records/firewall.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"rule\""), 12);
    cr_assert_eq(tu_count(rec, "\"rule_id\":\"CoreNet-DHCP-In\""), 2);
}

Test(firewall, rule_events_of_windows_11)
{
    char *bundle = generated_host("fw-events");
    cJSON *all = fu_module_findings(bundle, "firewall");
    const cJSON *f = fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"vnc\"", "high",
                               "2026-11-20T10:22:00.0000000Z", ART_FW, "EventRecordID=2");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "modifying_application"), "C:\\Windows\\System32\\netsh.exe");
    /* The 2097 adding the registry's AnyDesk rule joins that rule's finding:
     * its time and author come from the event. */
    f = fu_expect(all, "firewall.rule_inbound_allow",
                  "Inbound allow rule \"AnyDesk\" for C:\\Users\\mallory\\AppData\\Roaming\\AnyDesk\\AnyDesk.exe", "high",
                  "2026-11-20T10:23:00.0000000Z", ART_SYSTEM, RULES "{A1C0E6D2-7B3F-4B8A-9E51-2D4C6F8A0B13}");
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 1);
    cr_assert_str_eq(fu_str(ev, "artifact"), ART_FW);
    cr_assert_str_eq(fu_str(ev, "locator"), "EventRecordID=4");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "modifying_application"),
                     "C:\\Users\\mallory\\AppData\\Roaming\\AnyDesk\\AnyDesk.exe");
    cr_assert_eq(fu_count_rule(all, "firewall.rule_inbound_allow"), 8);
    fu_expect(all, "firewall.rule_deleted",
              "Firewall rule \"Block SMB from outside\" deleted by C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
              "low", "2026-11-20T10:24:00.0000000Z", ART_FW, "EventRecordID=5");
    fu_expect(all, "firewall.rules_reset", "Firewall all rules deleted by C:\\Windows\\System32\\netsh.exe", "high",
              "2026-11-20T10:25:00.0000000Z", ART_FW, "EventRecordID=6");
    /* svchost re-adding Windows' Remote Desktop rule is no finding. */
    cr_assert_not(fu_json_has(all, "EventRecordID=3\""));
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    /* The 2073 that later disabled the vnc rule joins its finding. */
    f = fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"vnc\"", "high",
                  "2026-11-20T10:22:00.0000000Z", ART_FW, "EventRecordID=2");
    cr_assert_str_eq(fu_str(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 1), "locator"), "EventRecordID=7");
    /* Windows' own maintenance: the reset by svchost is medium, its rule
     * deletion and global setting no finding. */
    fu_expect(all, "firewall.rules_reset", "Firewall reset to default settings by C:\\Windows\\System32\\svchost.exe",
              "medium", "2026-11-20T11:02:00.0000000Z", ART_FW, "EventRecordID=9");
    cr_assert_eq(fu_count_rule(all, "firewall.rule_deleted"), 2); /* PowerShell's and the older control set's */
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.rule.added\""), 4);
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.rule.changed\""), 2);
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.rule.deleted\""), 3);
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.profile.disabled\""), 2);
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.reset\""), 3);
    char *rec = tu_bundle_member(bundle, "records/firewall.jsonl");
    cr_assert_eq(tu_count(rec, "\"what\":\"global_setting\""), 1);
    cr_assert_eq(tu_count(rec, "\"what\":\"restored_defaults\""), 1);
}

/* ---- the real logs --------------------------------------------------------------------- */

static char *corpus_host(const char *tag, const char *file, const char *dest)
{
    char rel[300];
    snprintf(rel, sizeof rel, "dev/evtx/firewall/%s", file);
    const char *pairs[] = {dest, tu_corpus(rel), NULL};
    return collect(tag, pairs);
}

Test(firewall, corpus_any_any_rule_by_mmc)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("fw-corpus-any", "e2m__ID2004-Any_any_firewall_rule_created.evtx", FW_LOG);
    cJSON *all = fu_module_findings(bundle, "firewall");
    cr_assert_eq(cJSON_GetArraySize(all), 1);
    const cJSON *f = fu_expect(all, "firewall.rule_inbound_allow", "Inbound allow rule \"any crazy rule\"", "high",
                               "2021-02-22T22:57:19.4354802Z", ART_FW, "EventRecordID=6683");
    cr_assert_str_eq(fu_str(cJSON_GetObjectItem(f, "details"), "modifying_application"), "C:\\Windows\\System32\\mmc.exe");
}

/* An outbound block rule made with New-NetFirewallRule is recorded, not a finding. */
Test(firewall, corpus_outbound_block_rule_is_a_record)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("fw-corpus-ps", "e2m__ID2004-New_firewall_rule_created_by_PowerShell.evtx", FW_LOG);
    cJSON *all = fu_module_findings(bundle, "firewall");
    cr_assert_eq(cJSON_GetArraySize(all), 0);
    char *rec = tu_bundle_member(bundle, "records/firewall.jsonl");
    cr_assert_eq(tu_count(rec, "\"RuleName\":\"Gentil-rule\""), 1);
    cr_assert_eq(tu_count(rec, "\"ModifyingApplication\":\"C:\\\\Windows\\\\System32\\\\wbem\\\\WmiPrvSE.exe\""), 1);
}

/* Profiles switched ON (2003 and 4950 "Yes") are timeline facts only; the
 * log mixes Firewall and Security events in one file. */
Test(firewall, corpus_profiles_enabled_are_not_findings)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("fw-corpus-2003", "e2m__ID2003-4950-Firewall_disabled.evtx", FW_LOG);
    cJSON *all = fu_module_findings(bundle, "firewall");
    cr_assert_eq(cJSON_GetArraySize(all), 0);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.profile.changed\""), 6);
}

/* A clean Windows 11 log: 555 rule additions and 303 deletions by svchost
 * during updates, Edge's installer adding mDNS rules, all rules deleted by
 * the firewall service during a feature update. No high finding. */
Test(firewall, corpus_clean_win11_log_has_no_high_finding)
{
    TU_REQUIRE_CORPUS();
    char *bundle = corpus_host("fw-corpus-clean",
                               "DAM-RathbunVM-Win11__Microsoft-Windows-Windows_Firewall_With_Advanced_Security%4Firewall.evtx",
                               FW_LOG);
    cJSON *all = fu_module_findings(bundle, "firewall");
    cr_assert_eq(fu_count_severity(all, "high"), 0, "%s", cJSON_PrintUnformatted(all));
    cr_assert_eq(fu_count_severity(all, "critical"), 0);
    fu_expect(all, "firewall.rules_reset", "Firewall all rules deleted by C:\\Windows\\System32\\svchost.exe", "medium",
              "2022-02-07T07:38:02.6733514Z", ART_FW, "EventRecordID=926");
    cr_assert_eq(fu_count_rule(all, "firewall.rule_inbound_allow"), 0);
    /* Edge's installer (under Program Files) deleting its own mDNS rules is no finding. */
    cr_assert_eq(cJSON_GetArraySize(all), 1);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.rule.added\""), 555);
    cr_assert_eq(tu_count(tl, "\"kind\":\"firewall.rule.deleted\""), 303);
}

/* A real SYSTEM hive (Windows 8.1 era, regipy's test data): its 400 rules
 * all parse, and Windows' own rules and the Store apps' give no finding. */
Test(firewall, corpus_real_rule_store_parses_and_is_quiet)
{
    TU_REQUIRE_CORPUS();
    const char *pairs[] = {"Windows/System32/config/SYSTEM", tu_corpus("dev/hives/system/regipy__SYSTEM_2"), NULL};
    char *bundle = collect("fw-corpus-hive", pairs);
    cJSON *all = fu_module_findings(bundle, "firewall");
    cr_assert_eq(cJSON_GetArraySize(all), 0);
    char *rec = tu_bundle_member(bundle, "records/firewall.jsonl");
    cr_assert_eq(tu_count(rec, "\"type\":\"rule\""), 400);
    cr_assert_eq(tu_count(rec, "\"parse_error\":null"), 400);
    cr_assert_eq(tu_count(rec, "\"rule_id\":\"CoreNet-DHCP-In\""), 1);
    /* Windows' own logging defaults (4 values for each of the 3 profiles,
     * logging off, the default path) are records, not findings. */
    cr_assert_eq(tu_count(rec, "\"type\":\"logging\""), 12);
    cr_assert_eq(tu_count(rec, "\"name\":\"LogFilePath\",\"value\":\"%systemroot%\\\\system32\\\\LogFiles\\\\Firewall\\\\pfirewall.log\""), 3);
    cr_assert_eq(tu_count(rec, "\"name\":\"LogSuccessfulConnections\",\"value\":0"), 3);
}

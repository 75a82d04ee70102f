/* accounts: reactivated accounts, privileged group changes and RDP logons
 * on a generated host (tests/fixtures/evtx/accounts-*.evtxdesc, and a SAM
 * built by tests/fixtures/sam/mksam.py from accounts-sam.json) and on the
 * real account logs and SAM hive of the corpus. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define LOGS "Windows/System32/winevt/Logs/"
#define SEC_ART "artifacts/C/Windows/System32/winevt/Logs/Security.evtx"
#define SAM_ART "artifacts/C/Windows/System32/config/SAM"
#define LSM "Microsoft-Windows-TerminalServices-LocalSessionManager%4Operational.evtx"
#define RCM "Microsoft-Windows-TerminalServices-RemoteConnectionManager%4Operational.evtx"
#define USERS "HKLM\\SAM\\SAM\\Domains\\Account\\Users\\"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The accounts module's findings of a bundle. */
static cJSON *findings_of(const char *bundle)
{
    char *text = tu_bundle_member(bundle, "findings.jsonl");
    cJSON *all = cJSON_CreateArray();
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *f = cJSON_Parse(line);
        cr_assert_not_null(f, "not JSON: %s", line);
        if (!strcmp(str(f, "module"), "accounts"))
            cJSON_AddItemToArray(all, f);
        else
            cJSON_Delete(f);
    }
    free(text);
    return all;
}

/* "rule severity | title | time | locator locator ..." per finding, in
 * the order written: one string states the module's whole verdict. */
static char *verdict(const cJSON *all)
{
    gl_buf b = {0};
    const cJSON *f;
    cJSON_ArrayForEach(f, all)
    {
        gl_buf_printf(&b, "%s %s | %s | %s |", str(f, "rule"), str(f, "severity"), str(f, "title"),
                      str(f, "time") ? str(f, "time") : "-");
        const cJSON *ev;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItem(f, "evidence")) gl_buf_printf(&b, " %s", str(ev, "locator"));
        gl_buf_putc(&b, '\n');
        cr_assert(str(f, "severity_reason") && strlen(str(f, "severity_reason")) > 20);
    }
    return b.data ? b.data : gl_xstrdup("");
}

static char *collect_one(const char *tag, const char *security, const char *sam)
{
    char *root = tu_tmpdir(tag);
    if (security)
        cr_assert_eq(tu_place(root, LOGS "Security.evtx", security), 0);
    if (sam)
        cr_assert_eq(tu_place(root, "Windows/System32/config/SAM", sam), 0);
    return tu_collect_dir(tag, root, "--profile quick", 0);
}

/* The generated SAM of accounts-sam.json. */
static char *made_sam(void)
{
    char *dir = tu_tmpdir("accounts-sam");
    const char *root = getenv("GLEANER_ROOT") ? getenv("GLEANER_ROOT") : ".";
    int rc = tu_runf(NULL, NULL, "/usr/bin/python3 '%s/tests/fixtures/sam/mksam.py' '%s/tests/fixtures/sam/accounts-sam.json' "
                     "'%s/SAM' >/dev/null", root, root, dir);
    cr_assert_eq(rc, 0);
    size_t n = strlen(dir) + 5;
    char *p = gl_xmalloc(n);
    snprintf(p, n, "%s/SAM", dir);
    return p;
}

Test(accounts, generated_host, .timeout = 60)
{
    char *root = tu_tmpdir("accounts-host");
    cr_assert_eq(tu_place(root, LOGS "Security.evtx", tu_fixture("evtx/accounts-security.evtx")), 0);
    cr_assert_eq(tu_place(root, LOGS LSM, tu_fixture("evtx/accounts-rdp.evtx")), 0);
    cr_assert_eq(tu_place(root, LOGS RCM, tu_fixture("evtx/accounts-rcm.evtx")), 0);
    cr_assert_eq(tu_place(root, "Windows/System32/config/SAM", made_sam()), 0);
    char *bundle = tu_collect_dir("accounts-host", root, "--profile quick", 0);
    cJSON *all = findings_of(bundle);
    char *v = verdict(all);
    cr_expect_str_eq(v,
                     /* SAM: Guest enabled (merged below) and olduser changed 22 months after last use */
                     "accounts.reactivated high | Account WS01\\Guest re-enabled by CORP\\jdoe | "
                     "2026-11-21T08:00:00.0000000Z | EventRecordID=5010 " USERS "000001F5\n"
                     "accounts.reactivated medium | Account olduser enabled in the SAM | 2026-11-19T23:00:00.0000000Z | "
                     USERS "000003F2\n"
                     /* the night-time sequence: enable, reset, Administrators, RDP from outside */
                     "accounts.reactivated high | Account WS01\\svc_bkp re-enabled by CORP\\jdoe | "
                     "2026-11-20T02:10:00.0000000Z | EventRecordID=5001 EventRecordID=5003 EventRecordID=5004 "
                     "EventRecordID=5005 EventRecordID=1 EventRecordID=1\n"
                     "accounts.reactivated medium | Account WS01\\intern re-enabled by CORP\\admin | "
                     "2026-11-22T10:00:00.0000000Z | EventRecordID=5014\n"
                     /* 5136 on a DC: userAccountControl 514 -> 512 */
                     "accounts.reactivated medium | Account CN=svc_sql,OU=Service,DC=corp,DC=example re-enabled by "
                     "CORP\\jdoe | 2026-11-22T12:00:00.0000000Z | EventRecordID=5017\n"
                     "accounts.created_privileged high | Account WS01\\backup$ created by CORP\\jdoe and added to "
                     "Builtin\\Administrators | 2026-11-21T09:00:00.0000000Z | EventRecordID=5011 EventRecordID=5013\n"
                     "accounts.privileged_group_added medium | WS01\\svc_bkp added to Builtin\\Administrators by "
                     "CORP\\jdoe | 2026-11-20T02:13:00.0000000Z | EventRecordID=5004\n"
                     "accounts.privileged_group_added high | CN=ops,OU=Staff,DC=corp,DC=example added to CORP\\Domain "
                     "Admins by CORP\\jdoe | 2026-11-22T11:00:00.0000000Z | EventRecordID=5015\n"
                     "accounts.rdp_external medium | Remote Desktop logon by WS01\\svc_bkp from 203.0.113.45 | "
                     "2026-11-20T02:30:00.0000000Z | EventRecordID=5005\n"
                     "accounts.rdp_external medium | Remote Desktop logon by WS01\\svc_bkp from 198.51.100.7 | "
                     "2026-11-20T02:29:58.0000000Z | EventRecordID=1\n",
                     "%s", v);
    /* newhire: 4720, 4722 and 4738 in the same second is a creation */
    cr_expect_null(strstr(v, "newhire"));
    /* the svc_bkp sequence is in the details, in order */
    const cJSON *f;
    cJSON_ArrayForEach(f, all) if (strstr(str(f, "title"), "svc_bkp re-enabled"))
    {
        const cJSON *then = cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "then");
        cr_assert_eq(cJSON_GetArraySize(then), 5);
        cr_expect_str_eq(str(cJSON_GetArrayItem(then, 0), "what"), "password reset by CORP\\jdoe");
        cr_expect_str_eq(str(cJSON_GetArrayItem(then, 1), "what"),
                         "added to privileged group Builtin\\Administrators by CORP\\jdoe");
        cr_expect_str_eq(str(cJSON_GetArrayItem(then, 2), "what"), "logon type 10 from 203.0.113.45");
        cr_expect_str_eq(str(cJSON_GetArrayItem(then, 3), "what"), "Remote Desktop session from 203.0.113.45");
        cr_expect_str_eq(str(cJSON_GetArrayItem(then, 4), "what"), "Remote Desktop authentication from 198.51.100.7");
        cr_expect_str_eq(str(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0), "artifact"), SEC_ART);
    }
    /* timeline: every account event, the RDP logon and its session (the
     * service logon of SYSTEM is not a timeline fact) */
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_expect_eq(tu_count(tl, "\"kind\":\"account.enabled\""), 8);
    cr_expect_eq(tu_count(tl, "\"kind\":\"account.created\""), 2);
    cr_expect_eq(tu_count(tl, "\"kind\":\"account.disabled\""), 1);
    cr_expect_eq(tu_count(tl, "\"kind\":\"account.password_reset\""), 1);
    cr_expect_eq(tu_count(tl, "\"kind\":\"account.group_added\""), 3);
    cr_expect_eq(tu_count(tl, "\"kind\":\"logon\""), 1);
    cr_expect_eq(tu_count(tl, "\"kind\":\"rdp.logon\""), 3);
    /* records: the account events less the two logons and the 5136 that
     * only carries the old value, and the SAM */
    char *rec = tu_bundle_member(bundle, "records/accounts.jsonl");
    cr_expect_eq(tu_count(rec, "\"type\":\"event\""), 15);
    cr_expect_eq(tu_count(rec, "\"type\":\"sam_user\""), 5);
    cr_expect_eq(tu_count(rec, "\"type\":\"sam_alias\""), 2);
    cr_expect_eq(tu_count(rec, "\"name\":\"olduser\",\"full_name\":\"Former Contractor\""), 1);
    cr_expect_eq(tu_count(rec, "\"sid\":\"S-1-5-21-3623811015-3361044348-30300820-1010\""), 1);
    cJSON_Delete(all);
}

/* A longer window setting keeps intern's enable medium; a one-minute
 * window makes svc_bkp's later reset and logon fall outside: medium. */
Test(accounts, window_setting, .timeout = 60)
{
    char *root = tu_tmpdir("accounts-window");
    cr_assert_eq(tu_place(root, LOGS "Security.evtx", tu_fixture("evtx/accounts-security.evtx")), 0);
    char *bundle = tu_collect_dir("accounts-window", root, "--profile quick --set accounts.window=1m", 0);
    char *v = verdict(findings_of(bundle));
    cr_expect_not_null(strstr(v, "accounts.reactivated medium | Account WS01\\svc_bkp re-enabled by CORP\\jdoe"), "%s", v);
}

struct corpus_case {
    const char *file, *verdict;
};

Test(accounts, corpus_logs, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    static const struct corpus_case cases[] = {
        /* Windows setup's accounts: by SYSTEM in the log's first hour */
        {"DAM-RathbunVM-Win10__Security.evtx",
         "accounts.created_privileged low | Account DESKTOP-GNCCVRK\\defaultuser0 created by "
         "WORKGROUP\\WIN-28GFHAGEV4P$ and added to Builtin\\Administrators | 2022-02-05T22:18:47.9439179Z | "
         "EventRecordID=206 EventRecordID=219\n"
         "accounts.created_privileged low | Account DESKTOP-GNCCVRK\\AndrewRathbun created by "
         "WORKGROUP\\DESKTOP-GNCCVRK$ and added to Builtin\\Administrators | 2022-02-05T19:31:19.8176567Z | "
         "EventRecordID=1097 EventRecordID=1104\n"},
        {"DeepBlueCLI__new-user-security.evtx",
         "accounts.created_privileged low | Account IE8Win7\\IEUser created by WORKGROUP\\WIN-QALA5Q3KJ43$ and added "
         "to Builtin\\Administrators | 2013-10-23T16:22:39.9735000Z | EventRecordID=112 EventRecordID=116\n"},
        /* the guest account enabled (4722): built-in, so high */
        {"e2m__ID4722-Guest_account_activated.evtx",
         "accounts.reactivated high | Account JUMP01\\Guest re-enabled by OFFSEC\\admmig | "
         "2020-07-12T05:49:36.9982423Z | EventRecordID=2776111\n"},
        /* a reset of an account not known to be privileged: timeline only */
        {"e2m__ID4724-5145-password_reset_with_setNTLM_(Mimikatz).evtx", ""},
        {"e2m__ID4728-4756-Member_added_to_sensitive_domain_groups.evtx",
         "accounts.privileged_group_added high | CN=honey-pot1,OU=Test-OU,OU=OFFSEC-COMPANY,DC=offsec,DC=lan added "
         "to OFFSEC\\Domain Admins by OFFSEC\\lambda-user | 2020-07-12T06:01:13.7587346Z | EventRecordID=16088263\n"
         "accounts.privileged_group_added high | CN=honey-pot1,OU=Test-OU,OU=OFFSEC-COMPANY,DC=offsec,DC=lan added "
         "to OFFSEC\\Enterprise Admins by OFFSEC\\lambda-user | 2020-07-12T06:01:13.7655726Z | "
         "EventRecordID=16088267\n"
         "accounts.privileged_group_added medium | CN=honey-pot1,OU=Test-OU,OU=OFFSEC-COMPANY,DC=offsec,DC=lan added "
         "to OFFSEC\\Enterprise Key Admins by OFFSEC\\lambda-user | 2020-07-12T06:01:13.7677497Z | "
         "EventRecordID=16088270\n"
         "accounts.privileged_group_added high | CN=honey-pot1,OU=Test-OU,OU=OFFSEC-COMPANY,DC=offsec,DC=lan added "
         "to OFFSEC\\Schema Admins by OFFSEC\\lambda-user | 2020-07-12T06:01:13.7699394Z | EventRecordID=16088274\n"},
        /* a hidden ($) account made administrator by a user: created and
         * enabled in one second, so no reactivation */
        {"e2m__ID472__4728_Hidden_user_creation.evtx",
         "accounts.created_privileged high | Account FS03VULN\\3teamssixf$ created by OFFSEC\\admmig and added to "
         "Builtin\\Administrators | 2022-01-24T17:03:25.0025617Z | EventRecordID=1934516 EventRecordID=1934520\n"},
        /* fsir by setup (low); archir by fsir hours later and made admin
         * the next day (high); 4720+4722 in one second twice: no reactivation */
        {"omerbenamram-evtx__security.evtx",
         "accounts.created_privileged low | Account WIN-03DLIIOFRRA\\fsir created by WORKGROUP\\WIN-03DLIIOFRRA$ and "
         "added to Builtin\\Administrators | 2016-07-08T18:15:23.3980262Z | EventRecordID=51 EventRecordID=58\n"
         "accounts.created_privileged high | Account WIN-03DLIIOFRRA\\archir created by WIN-03DLIIOFRRA\\fsir and "
         "added to Builtin\\Administrators | 2016-07-08T22:23:19.2919383Z | EventRecordID=182 EventRecordID=752\n"
         "accounts.privileged_group_added medium | WIN-03DLIIOFRRA\\fsir added to Builtin\\Administrators by "
         "WIN-03DLIIOFRRA\\archir | 2016-07-16T00:18:31.3954906Z | EventRecordID=821\n"},
        {"sbousseaden__Network_Service_Guest_added_to_admins_4732.evtx",
         "accounts.privileged_group_added high | S-1-5-21-3461203602-4096304019-2269080069-501 added to "
         "Builtin\\Administrators by MSEDGEWIN10\\IEUser | 2019-09-22T11:22:05.2017271Z | EventRecordID=191029\n"
         "accounts.privileged_group_added high | NT AUTHORITY\\NETWORK SERVICE added to Builtin\\Administrators by "
         "MSEDGEWIN10\\IEUser | 2019-09-22T11:23:19.2519258Z | EventRecordID=191030\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[200], tag[32];
        snprintf(rel, sizeof rel, "dev/evtx/accounts/%s", cases[i].file);
        snprintf(tag, sizeof tag, "accounts-corpus-%zu", i);
        char *v = verdict(findings_of(collect_one(tag, tu_corpus(rel), NULL)));
        cr_expect_str_eq(v, cases[i].verdict, "%s:\n%s", cases[i].file, v);
    }
}

/* The corpus SAM: Administrator and Guest disabled, Preston in use: no
 * finding, three users and the local groups recorded. */
Test(accounts, corpus_sam, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    char *bundle = collect_one("accounts-corpus-sam", NULL, tu_corpus("dev/hives/sam/regipy__SAM"));
    char *v = verdict(findings_of(bundle));
    cr_expect_str_eq(v, "");
    char *rec = tu_bundle_member(bundle, "records/accounts.jsonl");
    cr_expect_eq(tu_count(rec, "\"type\":\"sam_user\""), 3);
    cr_expect_eq(tu_count(rec, "\"sid\":\"S-1-5-21-1760460187-1592185332-161725925-1000\",\"name\":\"Preston\""), 1);
    cr_expect_eq(tu_count(rec, "\"enabled\":false"), 2);
    cr_expect_eq(tu_count(rec, "\"type\":\"sam_alias\""), 14);
}

/* The generated evidence, read back by independent readers: both logs by
 * python-evtx, libevtx and gleaner against their descriptions, and the
 * SAM's Names keys (whose default value's type is the RID) by hivex. */
Test(accounts, fixtures_read_back, .timeout = 60)
{
    const char *root = getenv("GLEANER_ROOT") ? getenv("GLEANER_ROOT") : ".";
    static const char *const logs[] = {"accounts-security", "accounts-rdp", "accounts-rcm", "accounts-setup"};
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "evtx/%s.evtx", logs[i]);
        gl_buf out = {0};
        int rc = tu_runf(&out, &out, "/usr/bin/python3 '%s/tests/tools/check_evtx.py' --gleaner '%s' "
                         "'%s/tests/fixtures/evtx/%s.evtxdesc' '%s'", root, tu_gleaner(), root, logs[i], tu_fixture(name));
        cr_expect_eq(rc, 0, "%s", gl_buf_cstr(&out));
        gl_buf_free(&out);
    }
    gl_buf names = {0};
    int rc = tu_runf(&names, NULL, "/usr/bin/python3 -c \"import hivex, sys\n"
                     "h = hivex.Hivex(sys.argv[1])\n"
                     "n = h.root()\n"
                     "for p in ('SAM', 'Domains', 'Account', 'Users', 'Names'): n = h.node_get_child(n, p)\n"
                     "print(' '.join('%%d:%%s' %% (h.value_type(h.node_values(c)[0])[0], h.node_name(c))"
                     " for c in h.node_children(n)))\" '%s'", made_sam());
    cr_assert_eq(rc, 0);
    cr_expect_str_eq(gl_buf_cstr(&names), "500:Administrator 501:Guest 1001:jdoe 1010:olduser 1005:svc_bkp\n");
    gl_buf_free(&names);
}

/* make demo's sample host (tests/fixtures/samplehost): jdoe revives the
 * dormant svc_backup, resets its password, makes it administrator and
 * logs on with it over RDP. */
Test(accounts, sample_host, .timeout = 120)
{
    char *bundle = tu_collect_dir("accounts-sample", tu_fixture("sample-host"), "--profile quick", 0);
    char *v = verdict(findings_of(bundle));
    cr_expect_not_null(strstr(v, "accounts.reactivated high | Account WS01\\svc_backup re-enabled by CORP\\jdoe | "),
                       "%s", v);
}

/* Windows setup told by the install date: SYSTEM makes the first user an
 * administrator 20 minutes after SOFTWARE's InstallDate (low); without
 * the SOFTWARE hive nothing says it is setup (high). */
Test(accounts, setup_by_install_date, .timeout = 60)
{
    const char *root = getenv("GLEANER_ROOT") ? getenv("GLEANER_ROOT") : ".";
    char *dir = tu_tmpdir("accounts-setup");
    int rc = tu_runf(NULL, NULL, "cd '%s' && printf 'key Microsoft\\\\Windows NT\\\\CurrentVersion\\n"
                     "  value \"InstallDate\" REG_DWORD 1795161600\\n' > software.hivedesc && "
                     "/usr/bin/python3 '%s/tests/fixtures/mkhive.py' software.hivedesc SOFTWARE", dir, root);
    cr_assert_eq(rc, 0);
    size_t n = strlen(dir) + 10;
    char *software = gl_xmalloc(n);
    snprintf(software, n, "%s/SOFTWARE", dir);
    const char *line = "accounts.created_privileged %s | Account NEWPC\\owner created by WORKGROUP\\NEWPC$ and added to "
                       "Builtin\\Administrators | 2026-11-20T08:20:00.0000000Z | EventRecordID=900 EventRecordID=901\n";
    char want[512];

    char *host = tu_tmpdir("accounts-setup-host");
    cr_assert_eq(tu_place(host, LOGS "Security.evtx", tu_fixture("evtx/accounts-setup.evtx")), 0);
    cr_assert_eq(tu_place(host, "Windows/System32/config/SOFTWARE", software), 0);
    char *v = verdict(findings_of(tu_collect_dir("accounts-setup-host", host, "--profile quick", 0)));
    snprintf(want, sizeof want, line, "low");
    cr_expect_str_eq(v, want);

    v = verdict(findings_of(collect_one("accounts-setup-nosw", tu_fixture("evtx/accounts-setup.evtx"), NULL)));
    snprintf(want, sizeof want, line, "high");
    cr_expect_str_eq(v, want);
}

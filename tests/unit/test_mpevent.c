/* Defender configuration-change text (5007 "Old Value"/"New Value", 5013
 * "Value"): every layout in the corpus logs, the key areas (exclusions of
 * each kind, ASR, Controlled Folder Access, settings, SCEP, policy), the
 * message-text fallback in both label orders, and hostile text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx.h"
#include "mpevent.h"
#include "mpevent_exercise.h"
#include "mutate_util.h"
#include "reader.h"
#include "testutil.h"

static bool str_is(mp_str s, const char *lit) { return s.n == strlen(lit) && (s.n == 0 || memcmp(s.p, lit, s.n) == 0); }
#define ASSERT_STR(s, lit) cr_assert(str_is((s), (lit)), "expected \"%s\", got \"%.*s\"", (lit), (int)(s).n, (s).p ? (s).p : "")

static mp_value parse_ok(const char *text)
{
    mp_value v;
    gl_err err = {0};
    cr_assert_eq(mp_value_parse(text, strlen(text), &v, &err), 0, "%s: %s", text, err.msg);
    return v;
}

Test(mpevent, exclusion_kinds_and_roots)
{
    static const struct {
        const char *text;
        mp_root root;
        mp_store store;
        mp_excl_kind kind;
        const char *key, *name;
    } cases[] = {
        {"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\Temp = 0x0", MP_ROOT_HKLM, MP_STORE_LOCAL,
         MP_EXCL_PATHS, "Exclusions\\Paths", "C:\\Temp"},
        {"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Processes\\rclone.exe = 0x0",
         MP_ROOT_HKLM, MP_STORE_LOCAL, MP_EXCL_PROCESSES, "Exclusions\\Processes", "rclone.exe"},
        {"SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Extensions\\.ps1 = 0x0", MP_ROOT_BARE, MP_STORE_LOCAL,
         MP_EXCL_EXTENSIONS, "Exclusions\\Extensions", ".ps1"},
        {"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\Users\\Public = 0", MP_ROOT_HKLM,
         MP_STORE_POLICY, MP_EXCL_PATHS, "Exclusions\\Paths", "C:\\Users\\Public"},
        {"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\IpAddresses\\10.0.0.5 = 0x0", MP_ROOT_HKLM,
         MP_STORE_LOCAL, MP_EXCL_IPADDRESSES, "Exclusions\\IpAddresses", "10.0.0.5"},
        {"hklm\\software\\microsoft\\windows defender\\exclusions\\temporarypaths\\D:\\ = 0x0", MP_ROOT_HKLM,
         MP_STORE_LOCAL, MP_EXCL_TEMPORARYPATHS, "exclusions\\temporarypaths", "D:\\"},
        {"HKLM\\SOFTWARE\\Microsoft\\Microsoft Antimalware\\Exclusions\\Paths\\E:\\x = 0x0", MP_ROOT_HKLM,
         MP_STORE_ANTIMALWARE, MP_EXCL_PATHS, "Exclusions\\Paths", "E:\\x"},
        {"HKLM\\SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware\\Exclusions\\Extensions\\exe = 0", MP_ROOT_HKLM,
         MP_STORE_POLICY_ANTIMALWARE, MP_EXCL_EXTENSIONS, "Exclusions\\Extensions", "exe"},
        {"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\FutureKind\\x\\y = 0x0", MP_ROOT_HKLM,
         MP_STORE_LOCAL, MP_EXCL_OTHER, "Exclusions\\FutureKind", "x\\y"},
        /* A path holding " = ": the number after the last separator decides. */
        {"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\a = b = 0x0", MP_ROOT_HKLM,
         MP_STORE_LOCAL, MP_EXCL_PATHS, "Exclusions\\Paths", "C:\\a = b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_value v = parse_ok(cases[i].text);
        cr_assert_eq(v.root, cases[i].root, "case %zu", i);
        cr_assert_eq(v.store, cases[i].store, "case %zu", i);
        cr_assert_eq(v.area, MP_AREA_EXCLUSION, "case %zu", i);
        cr_assert_eq(v.excl, cases[i].kind, "case %zu", i);
        ASSERT_STR(v.rel_key, cases[i].key);
        ASSERT_STR(v.name, cases[i].name);
        cr_assert(v.has_number, "case %zu", i);
        cr_assert_eq(v.number, 0, "case %zu", i);
        cr_assert(mp_value_present(&v));
    }
}

Test(mpevent, asr_cfa_and_settings)
{
    mp_value v = parse_ok("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\Rules\\"
                          "9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2 = 0x0");
    cr_assert_eq(v.area, MP_AREA_ASR_RULE);
    cr_assert_eq(v.store, MP_STORE_POLICY);
    ASSERT_STR(v.rel_key, "Windows Defender Exploit Guard\\ASR\\Rules");
    ASSERT_STR(v.name, "9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2");
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\ASROnlyExclusions\\"
                 "C:\\Tools\\x.exe = 0x0");
    cr_assert_eq(v.area, MP_AREA_ASR_EXCLUSION);
    ASSERT_STR(v.name, "C:\\Tools\\x.exe");
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\Controlled Folder Access\\"
                 "AllowedApplications\\C:\\Users\\Public\\a.exe = 0x0");
    cr_assert_eq(v.area, MP_AREA_CFA_ALLOWED);
    ASSERT_STR(v.name, "C:\\Users\\Public\\a.exe");
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\Controlled Folder Access\\"
                 "ProtectedFolders\\D:\\Data = 0x0");
    cr_assert_eq(v.area, MP_AREA_CFA_PROTECTED);
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\Controlled Folder Access\\"
                 "EnableControlledFolderAccess = 0x0");
    cr_assert_eq(v.area, MP_AREA_SETTING);
    ASSERT_STR(v.rel_key, "Windows Defender Exploit Guard\\Controlled Folder Access");
    ASSERT_STR(v.name, "EnableControlledFolderAccess");
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Real-Time Protection\\DisableRealtimeMonitoring = 0x1");
    cr_assert_eq(v.area, MP_AREA_SETTING);
    cr_assert_eq(v.excl, MP_EXCL_NONE);
    ASSERT_STR(v.rel_key, "Real-Time Protection");
    ASSERT_STR(v.name, "DisableRealtimeMonitoring");
    cr_assert_eq(v.number, 1);
    /* 5013 "Value" as Tamper Protection reports it: key case as stored. */
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\SPYNET\\SpyNetReporting = 0x2");
    ASSERT_STR(v.rel_key, "SPYNET");
    cr_assert_eq(v.number, 2);
    /* A value of the Defender key itself, and an exclusion flag value. */
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\DisableAntiSpyware = 0x1");
    ASSERT_STR(v.rel_key, "");
    ASSERT_STR(v.name, "DisableAntiSpyware");
    v = parse_ok("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Exclusions_Paths = 0x1");
    cr_assert_eq(v.area, MP_AREA_SETTING);
    ASSERT_STR(v.name, "Exclusions_Paths");
    /* Outside the Defender keys: the path below the hive. */
    v = parse_ok("HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend\\Start = 0x4");
    cr_assert_eq(v.store, MP_STORE_UNKNOWN);
    ASSERT_STR(v.rel_key, "SYSTEM\\CurrentControlSet\\Services\\WinDefend");
    ASSERT_STR(v.name, "Start");
    cr_assert_eq(v.number, 4);
}

Test(mpevent, data_forms)
{
    /* Text data holding " = " and a backslash: the first separator. */
    mp_value v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Scan\\Note = a = b\\c");
    ASSERT_STR(v.name, "Note");
    ASSERT_STR(v.data, "a = b\\c");
    cr_assert_not(v.has_number);
    /* Multi-string data on the following lines, CRLF and trailing breaks. */
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\SpyNet\\SpyNetReportingLocation = \r\nSOAP:a\r\nREST:b\r\n");
    ASSERT_STR(v.data, "SOAP:a\r\nREST:b");
    /* Empty data. */
    v = parse_ok("N/A\\ProductType = ");
    cr_assert_eq(v.root, MP_ROOT_NA);
    ASSERT_STR(v.name, "ProductType");
    ASSERT_STR(v.data, "");
    cr_assert_not(v.has_number);
    cr_assert_not(mp_value_present(&v));
    v = parse_ok("Default\\Features\\TamperProtection = 0x5");
    cr_assert_eq(v.root, MP_ROOT_DEFAULT);
    ASSERT_STR(v.rel_key, "Features");
    cr_assert_eq(v.number, 5);
    v = parse_ok("Default\\Exclusions\\Paths\\C:\\x = 0x0");
    cr_assert_eq(v.area, MP_AREA_EXCLUSION);
    /* Numbers: hex of every width, decimal; too long is text. */
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\X = 0xFFFFFFFFFFFFFFFF");
    cr_assert_eq(v.number, UINT64_MAX);
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\X = 0x1FFFFFFFFFFFFFFFF");
    cr_assert_not(v.has_number);
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\X = 0xG");
    cr_assert_not(v.has_number);
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\X = 0x");
    cr_assert_not(v.has_number);
    v = parse_ok("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\X = 42");
    cr_assert_eq(v.number, 42);
    /* Just a name, no key. */
    v = parse_ok("IsServiceRunning = 0x1");
    cr_assert_eq(v.root, MP_ROOT_OTHER);
    ASSERT_STR(v.name, "IsServiceRunning");
    /* An unknown first component followed by a Defender path. */
    v = parse_ok("HKLM64\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\y = 0x0");
    cr_assert_eq(v.root, MP_ROOT_OTHER);
    cr_assert_eq(v.area, MP_AREA_EXCLUSION);
    ASSERT_STR(v.name, "C:\\y");
}

Test(mpevent, empty_forms_are_absent)
{
    static const char *const empty[] = {"", "   ", "\r\n", "N/A", "n/a", "-", " - "};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        mp_value v = parse_ok(empty[i]);
        cr_assert_eq(v.root, MP_ROOT_NONE, "%zu", i);
        cr_assert_not(mp_value_present(&v));
    }
}

Test(mpevent, hostile_text)
{
    mp_value v;
    gl_err err = {0};
    const char *t = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\x";
    cr_assert_eq(mp_value_parse(t, strlen(t), &v, &err), -1);
    cr_assert_str_eq(err.msg, "offset 62: expected \"<key>\\<name> = <data>\", found no \" = \"");
    cr_assert_eq(err.code, GL_ERR_DAMAGED);
    cr_assert_eq(v.area, MP_AREA_EXCLUSION); /* what could be told is kept */
    ASSERT_STR(v.name, "C:\\x");
    cr_assert_eq(mp_value_parse("  = 0x1", 7, &v, &err), -1);
    cr_assert_str_eq(err.msg, "offset 7: expected \"<key>\\<name> = <data>\", found no \" = \"");
    /* "=" without blanks is not a separator. */
    cr_assert_eq(mp_value_parse("a\\b=0x1", 7, &v, &err), -1);
    /* Embedded NUL and high bytes pass through as data, bounded by n. */
    static const char nul[] = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\a\0b\xff = 0x0";
    cr_assert_eq(mp_value_parse(nul, sizeof nul - 1, &v, &err), 0, "%s", err.msg);
    cr_assert_eq(v.name.n, 7);
    /* Truncated at every byte: never a crash; the prefix is read. */
    const char *full = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\Temp = 0x0";
    size_t n = strlen(full);
    for (size_t cut = 0; cut <= n; cut++) {
        char *copy = gl_xmalloc(cut + 1);
        memcpy(copy, full, cut);
        int rc = mp_value_parse(copy, cut, &v, &err);
        bool has_sep = cut >= n - 4; /* " =" plus end or blank */
        cr_assert_eq(rc, has_sep || cut == 0 ? 0 : -1, "cut %zu", cut);
        free(copy);
    }
    /* Huge: refused. */
    size_t big = MP_VALUE_MAX_LEN + 1;
    char *h = gl_xmalloc(big);
    memset(h, 'A', big);
    cr_assert_eq(mp_value_parse(h, big, &v, &err), -1);
    cr_assert_eq(v.root, MP_ROOT_NONE);
    /* Many separators: linear, last number wins. */
    for (size_t i = 0; i + 4 <= big; i += 4)
        memcpy(h + i, " = 1", 4);
    h[0] = 'X';
    cr_assert_eq(mp_value_parse(h, MP_VALUE_MAX_LEN, &v, &err), 0);
    cr_assert_eq(v.number, 1);
    free(h);
}

Test(mpevent, change_kinds)
{
    mp_change c;
    gl_err err = {0};
    const char *excl = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\Temp = 0x0";
    cr_assert_eq(mp_5007_parse("", 0, excl, strlen(excl), &c, &err), 0);
    cr_assert_eq(c.kind, MP_CHANGE_ADDED);
    cr_assert_eq(c.subject, &c.new_v);
    cr_assert_not(c.same_value);
    cr_assert_eq(mp_5007_parse(excl, strlen(excl), "", 0, &c, &err), 0);
    cr_assert_eq(c.kind, MP_CHANGE_REMOVED);
    cr_assert_eq(c.subject, &c.old_v);
    ASSERT_STR(c.subject->name, "C:\\Temp");
    const char *tp_on = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features\\TamperProtection = 0x5";
    const char *tp_off = "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features\\TamperProtection = 0x4";
    cr_assert_eq(mp_5007_parse(tp_on, strlen(tp_on), tp_off, strlen(tp_off), &c, &err), 0);
    cr_assert_eq(c.kind, MP_CHANGE_MODIFIED);
    cr_assert(c.same_value);
    cr_assert_eq(c.old_v.number, 5);
    cr_assert_eq(c.new_v.number, 4);
    const char *def = "Default\\Features\\TamperProtection = 0x0";
    cr_assert_eq(mp_5007_parse(def, strlen(def), tp_on, strlen(tp_on), &c, &err), 0);
    cr_assert_eq(c.kind, MP_CHANGE_ADDED);
    cr_assert(c.same_value);
    cr_assert_eq(mp_5007_parse(tp_on, strlen(tp_on), def, strlen(def), &c, &err), 0);
    cr_assert_eq(c.kind, MP_CHANGE_REMOVED);
    cr_assert_eq(mp_5007_parse("N/A", 3, "", 0, &c, &err), 0);
    cr_assert_eq(c.kind, MP_CHANGE_NONE);
    cr_assert_eq(mp_5007_parse("junk", 4, excl, strlen(excl), &c, &err), -1);
    cr_assert_str_eq(err.msg, "Old Value: offset 4: expected \"<key>\\<name> = <data>\", found no \" = \"");
    cr_assert_eq(c.new_v.area, MP_AREA_EXCLUSION); /* the good side is still there */
    cr_assert_eq(mp_5007_parse("", 0, "x", 1, &c, &err), -1);
    cr_assert_str_eq(err.msg, "New Value: offset 1: expected \"<key>\\<name> = <data>\", found no \" = \"");
}

Test(mpevent, message_text_in_either_order)
{
    static const char msg[] =
        "Microsoft Defender Antivirus Configuration has changed. If this is an unexpected event you should review "
        "the settings as this may be the result of malware.\r\n \tOld value: \r\n \tNew value: "
        "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Extensions\\.mimi = 0x0\r\n";
    mp_change c;
    gl_err err = {0};
    cr_assert_eq(mp_5007_message_parse(msg, strlen(msg), &c, &err), 0, "%s", err.msg);
    cr_assert_eq(c.kind, MP_CHANGE_ADDED);
    cr_assert_eq(c.new_v.excl, MP_EXCL_EXTENSIONS);
    ASSERT_STR(c.new_v.name, ".mimi");
    static const char rev[] = "Configuration changed.\n NEW VALUE: Default\\Features\\TamperProtection = 0x0\n"
                              " old value: HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features\\TamperProtection = 0x5\n";
    cr_assert_eq(mp_5007_message_parse(rev, strlen(rev), &c, &err), 0, "%s", err.msg);
    cr_assert_eq(c.kind, MP_CHANGE_REMOVED);
    cr_assert_eq(c.old_v.number, 5);
    cr_assert_eq(c.new_v.root, MP_ROOT_DEFAULT);
    cr_assert_eq(mp_5007_message_parse("nothing here", 12, &c, &err), -1);
    cr_assert_str_eq(err.msg, "no \"Old value:\" or \"New value:\" in the message");
}

Test(mpevent, names)
{
    cr_assert_str_eq(mp_excl_kind_name(MP_EXCL_PATHS), "Paths");
    cr_assert_str_eq(mp_excl_kind_name(MP_EXCL_TEMPORARYPATHS), "TemporaryPaths");
    cr_assert_str_eq(mp_area_name(MP_AREA_ASR_EXCLUSION), "asr_exclusion");
    cr_assert_str_eq(mp_store_name(MP_STORE_POLICY), "policy");
    cr_assert_str_eq(mp_root_name(MP_ROOT_NA), "N/A");
    cr_assert_str_eq(mp_change_kind_name(MP_CHANGE_REMOVED), "removed");
    cr_assert_str_eq(mp_change_kind_name((mp_change_kind)99), "");
}

/* ---- the real logs -------------------------------------------------------- */

typedef struct seen5007 {
    uint64_t record;
    mp_change c;
    char old_text[2048], new_text[2048]; /* the change points into these */
} seen5007;

/* Every 5007 of a corpus log, parsed; all must parse. */
static size_t load_5007(const char *rel, seen5007 **out)
{
    char *path = tu_corpus(rel);
    gl_buf file = {0};
    cr_assert(tu_read_file(path, &file), "cannot read %s", path);
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, file.data, file.len, path);
    gl_err err = {0};
    evtx_file *f = evtx_open(&r, NULL, &err);
    cr_assert_not_null(f, "%s", err.msg);
    uint32_t id = 5007;
    evtx_filter_ids(f, &id, 1);
    const evtx_event *ev;
    size_t n = 0;
    /* Fixed array: each entry points into itself, so it must not move. */
    enum { MAX_EVENTS = 256 };
    *out = gl_xcalloc(MAX_EVENTS, sizeof **out);
    while (evtx_next(f, &ev, &err) == 1) {
        cr_assert_lt(n, MAX_EVENTS);
        seen5007 *s = &(*out)[n++];
        const char *o = evtx_event_value(ev, "Old Value"), *w = evtx_event_value(ev, "New Value");
        cr_assert(o && w, "record %llu lacks Old/New Value", (unsigned long long)ev->event_record_id);
        snprintf(s->old_text, sizeof s->old_text, "%s", o);
        snprintf(s->new_text, sizeof s->new_text, "%s", w);
        s->record = ev->event_record_id;
        cr_assert_eq(mp_5007_parse(s->old_text, strlen(s->old_text), s->new_text, strlen(s->new_text), &s->c, &err), 0,
                     "record %llu: %s", (unsigned long long)s->record, err.msg);
    }
    evtx_close(f);
    gl_buf_free(&file);
    free(path);
    return n;
}

static const seen5007 *find_rec(const seen5007 *s, size_t n, uint64_t rec)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].record == rec)
            return &s[i];
    cr_assert_fail("record %llu not found", (unsigned long long)rec);
    return NULL;
}

Test(mpevent, corpus_exclusions_added_and_removed)
{
    TU_REQUIRE_CORPUS();
    seen5007 *s;
    size_t n = load_5007("dev/evtx/defender/e2m__ID5007-Defender_threat_exclusion_(native).evtx", &s);
    cr_assert_eq(n, 4);
    static const struct {
        uint64_t rec;
        mp_change_kind kind;
        mp_excl_kind excl;
        const char *name;
    } want[] = {
        {454, MP_CHANGE_REMOVED, MP_EXCL_PATHS, "C:\\TOOLS\\mimikatz.exe"},
        {455, MP_CHANGE_ADDED, MP_EXCL_PATHS, "C:\\TOOLS\\mimikatz"},
        {456, MP_CHANGE_ADDED, MP_EXCL_PROCESSES, "virus.exe"},
        {457, MP_CHANGE_ADDED, MP_EXCL_EXTENSIONS, ".mimi"},
    };
    for (size_t i = 0; i < 4; i++) {
        const seen5007 *e = find_rec(s, n, want[i].rec);
        cr_assert_eq(e->c.kind, want[i].kind, "rec %llu", (unsigned long long)want[i].rec);
        cr_assert_eq(e->c.subject->area, MP_AREA_EXCLUSION);
        cr_assert_eq(e->c.subject->excl, want[i].excl);
        cr_assert_eq(e->c.subject->store, MP_STORE_LOCAL);
        cr_assert_eq(e->c.subject->root, MP_ROOT_HKLM);
        ASSERT_STR(e->c.subject->name, want[i].name);
        ASSERT_STR(e->c.subject->data, "0x0");
    }
    free(s);
}

/* The benign Win10 log: three layouts (HKLM\, Default\, N/A\), empty Old
 * Value, multi-line data, TamperProtection toggled; no exclusion. */
Test(mpevent, corpus_benign_layouts)
{
    TU_REQUIRE_CORPUS();
    seen5007 *s;
    size_t n = load_5007("dev/evtx/defender/DAM-RathbunVM-Win10__Microsoft-Windows-Windows_Defender%4Operational.evtx", &s);
    cr_assert_eq(n, 36);
    size_t kinds[4] = {0};
    for (size_t i = 0; i < n; i++) {
        kinds[s[i].c.kind]++;
        cr_assert_neq(s[i].c.subject->area, MP_AREA_EXCLUSION, "rec %llu", (unsigned long long)s[i].record);
        /* Both sides, when present, name the same value. */
        bool one_side = s[i].c.old_v.root == MP_ROOT_NONE || s[i].c.new_v.root == MP_ROOT_NONE;
        cr_assert(one_side || s[i].c.same_value, "rec %llu", (unsigned long long)s[i].record);
    }
    cr_assert_eq(kinds[MP_CHANGE_ADDED], 28);
    cr_assert_eq(kinds[MP_CHANGE_REMOVED], 4);
    cr_assert_eq(kinds[MP_CHANGE_MODIFIED], 4);
    /* rec 13: TamperProtection 0x1 -> 0x0 (HKLM on both sides). */
    const seen5007 *e = find_rec(s, n, 13);
    cr_assert_eq(e->c.kind, MP_CHANGE_MODIFIED);
    ASSERT_STR(e->c.new_v.rel_key, "Features");
    ASSERT_STR(e->c.new_v.name, "TamperProtection");
    cr_assert_eq(e->c.old_v.number, 1);
    cr_assert_eq(e->c.new_v.number, 0);
    /* rec 2: "N/A\ProductType = " (no data) -> 0x2. */
    e = find_rec(s, n, 2);
    cr_assert_eq(e->c.kind, MP_CHANGE_ADDED);
    cr_assert_eq(e->c.old_v.root, MP_ROOT_NA);
    ASSERT_STR(e->c.old_v.data, "");
    cr_assert_eq(e->c.new_v.number, 2);
    /* rec 10: multi-line SpyNetReportingLocation. */
    e = find_rec(s, n, 10);
    ASSERT_STR(e->c.old_v.data, "REST:https://wdcp.microsoft.com/wdcp.svc/submitReport");
    cr_assert_eq(strncmp(e->c.new_v.data.p, "SOAP:https://wdcp.microsoft.com/WdCpSrvc.asmx\n", 46), 0);
    /* rec 26: text data ending in a backslash. */
    e = find_rec(s, n, 26);
    ASSERT_STR(e->c.new_v.data, "C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.2111.5-0\\");
    /* rec 30: empty Old Value. */
    e = find_rec(s, n, 30);
    cr_assert_eq(e->c.old_v.root, MP_ROOT_NONE);
    ASSERT_STR(e->c.new_v.rel_key, "Features\\Controls");
    ASSERT_STR(e->c.new_v.name, "7");
    /* rec 83: DisableBmNetworkSensor back to its default. */
    e = find_rec(s, n, 83);
    cr_assert_eq(e->c.kind, MP_CHANGE_REMOVED);
    cr_assert_eq(e->c.new_v.root, MP_ROOT_DEFAULT);
    ASSERT_STR(e->c.old_v.rel_key, "NIS\\Consumers\\IPS");
    free(s);
}

Test(mpevent, fuzz_oracles_on_mutations)
{
    static const char *const seeds[] = {
        "\x01HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\Temp = 0x0",
        "Default\\Features\\TamperProtection = 0x0\x01HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features\\TamperProtection = 0x5",
        "N/A\\ProductType = \x01SOFTWARE\\Microsoft\\Windows Defender\\SpyNet\\X = \r\nSOAP:a\r\nREST:b\r\n",
        "changed.\r\n Old value: HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\Rules\\g = 0x1\r\n New value: N/A",
    };
    mu_sweep(seeds, 4, " =\\:0xN/A\r\n\x01\xff" "EeOo", 20000, 0xd1b54a32d192ed03ULL, mpevent_exercise);
}

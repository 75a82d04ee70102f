/* RMM catalog: the built-in catalog (modules/rmm/data/catalog.txt), LOLRMM's
 * rmm_tools.json (../shared/data/lolrmm, never committed), merging, every
 * lookup kind, and the errors a malformed catalog gives. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rmmcatalog.h"
#include "testutil.h"

static char *builtin_path(void)
{
    const char *root = getenv("GLEANER_ROOT");
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/modules/rmm/data/catalog.txt", root ? root : ".");
    return b.data;
}

static rmmcat *load_builtin(void)
{
    gl_buf data = {0};
    char *path = builtin_path();
    cr_assert(tu_read_file(path, &data), "cannot read %s", path);
    rmmcat *cat = rmmcat_new();
    gl_err err = {0};
    cr_assert_eq(rmmcat_load_text(cat, data.data, data.len, "catalog.txt", &err), 0, "%s", err.msg);
    gl_buf_free(&data);
    free(path);
    return cat;
}

static void load_lolrmm(rmmcat *cat)
{
    gl_buf path = {0}, data = {0};
    gl_buf_printf(&path, "%s/../data/lolrmm/rmm_tools.json", tu_corpus(""));
    cr_assert(tu_read_file(path.data, &data), "cannot read %s", path.data);
    gl_err err = {0};
    cr_assert_eq(rmmcat_load_lolrmm(cat, data.data, data.len, "rmm_tools.json", &err), 0, "%s", err.msg);
    gl_buf_free(&path);
    gl_buf_free(&data);
}

static const char *tool_of(const rmmcat *cat, const rmmcat_hits *h, size_t i)
{
    return rmmcat_tool_at(cat, h->h[i].tool)->name;
}

/* Exactly one hit, for `tool`, found `by`, from catalog entry `what`. */
static void expect_one(const rmmcat *cat, const rmmcat_hits *h, const char *tool, rmmcat_by by, const char *what)
{
    cr_assert_eq(h->n, 1, "expected one hit for %s, got %zu", tool, h->n);
    cr_assert_str_eq(tool_of(cat, h, 0), tool);
    cr_assert_eq(h->h[0].by, by, "%s: by %d", tool, h->h[0].by);
    cr_assert_str_eq(h->h[0].what, what);
}

static size_t path_hits(const rmmcat *cat, const char *path, rmmcat_hits *h)
{
    return rmmcat_match_path(cat, path, strlen(path), h);
}

Test(rmmcatalog, builtin_catalog_has_every_named_tool)
{
    rmmcat *cat = load_builtin();
    cr_assert_eq(rmmcat_count(cat), 24);
    cr_assert_eq(rmmcat_unanchored(cat), 0);
    static const char *const priority[] = {"Zoho Assist", "AnyDesk", "Splashtop", "TeamViewer", "ITarian",
                                           "FleetDeck", "ASG Remote Desktop", "RustDesk", "ManageEngine RMM Central"};
    static const char *const others[] = {"ScreenConnect", "Atera", "MeshCentral", "Action1", "Level",
                                         "NetSupport", "Tactical RMM", "SimpleHelp", "Kaseya VSA",
                                         "N-able N-central", "LogMeIn", "GoTo Resolve", "Remote Utilities",
                                         "Ammyy Admin", "ngrok"};
    for (size_t i = 0; i < sizeof priority / sizeof priority[0]; i++) {
        const rmmcat_tool *t = rmmcat_find(cat, priority[i]);
        cr_assert_not_null(t, "%s missing", priority[i]);
        cr_assert(t->priority, "%s not marked priority", priority[i]);
        cr_assert_eq(t->sources, RMMCAT_SRC_BUILTIN);
        cr_assert_gt(t->exes.n, 0, "%s has no executable", priority[i]);
        cr_assert_gt(t->signers.n, 0, "%s has no signer", priority[i]);
    }
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        const rmmcat_tool *t = rmmcat_find(cat, others[i]);
        cr_assert_not_null(t, "%s missing", others[i]);
        cr_assert_not(t->priority, "%s marked priority", others[i]);
    }
    cr_assert(rmmcat_find(cat, "ngrok")->tunnel);
    /* aliases find the same entry */
    cr_assert_eq(rmmcat_find(cat, "connectwise control"), rmmcat_find(cat, "ScreenConnect"));
    cr_assert_eq(rmmcat_find(cat, "MeshAgent"), rmmcat_find(cat, "MeshCentral"));
    const rmmcat_tool *ad = rmmcat_find(cat, "AnyDesk");
    cr_assert_eq(ad->nports, 4);
    cr_assert_eq(ad->ports[0], 80);
    cr_assert_eq(ad->ports[3], 7070);
    cr_assert_str_eq(ad->logs.v[0], "anydesk-trace %PROGRAMDATA%\\AnyDesk\\ad_svc.trace");
    rmmcat_free(cat);
}

Test(rmmcatalog, builtin_paths_match_by_folder_log_and_name)
{
    rmmcat *cat = load_builtin();
    rmmcat_hits h;
    /* the installed binary: the install tree wins over the bare name */
    path_hits(cat, "C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_PATH, "C:\\Program Files (x86)\\AnyDesk");
    cr_assert_eq(h.h[0].role, RMMCAT_ROLE_INSTALL);
    cr_assert_null(h.h[0].log_kind);
    /* a log in ProgramData, and the per-user one of any profile */
    path_hits(cat, "C:\\ProgramData\\AnyDesk\\ad_svc.trace", &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_PATH, "%PROGRAMDATA%\\AnyDesk\\ad_svc.trace");
    cr_assert_eq(h.h[0].role, RMMCAT_ROLE_LOG);
    cr_assert_str_eq(h.h[0].log_kind, "anydesk-trace");
    path_hits(cat, "c:/users/Mallory/appdata/roaming/anydesk/connection_trace.txt", &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_PATH, "%APPDATA%\\AnyDesk\\connection_trace.txt");
    cr_assert_str_eq(h.h[0].log_kind, "anydesk-connections");
    /* a portable copy: only the name matches */
    path_hits(cat, "C:\\Users\\Public\\Downloads\\AnyDesk.exe", &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_EXE, "AnyDesk.exe");
    path_hits(cat, "D:\\Users\\x\\Downloads\\rustdesk-1.2.3-x86_64.exe", &h);
    expect_one(cat, &h, "RustDesk", RMMCAT_BY_NAMEGLOB, "rustdesk*.exe");
    /* "Program Files*" covers both folders; the log outranks the tree */
    path_hits(cat, "C:\\Program Files (x86)\\TeamViewer\\Connections_incoming.txt", &h);
    expect_one(cat, &h, "TeamViewer", RMMCAT_BY_PATH, "C:\\Program Files*\\TeamViewer\\Connections_incoming.txt");
    cr_assert_str_eq(h.h[0].log_kind, "teamviewer-incoming");
    path_hits(cat, "\\\\?\\C:\\Program Files\\TeamViewer\\TeamViewer15_Logfile_OLD.log", &h);
    expect_one(cat, &h, "TeamViewer", RMMCAT_BY_PATH, "C:\\Program Files*\\TeamViewer\\TeamViewer*_Logfile*.log");
    cr_assert_str_eq(h.h[0].log_kind, "teamviewer-log");
    /* a folder name with an instance id */
    path_hits(cat, "C:\\Program Files (x86)\\ScreenConnect Client (8a1b2c3d4e5f)\\ScreenConnect.ClientService.exe", &h);
    expect_one(cat, &h, "ScreenConnect", RMMCAT_BY_PATH, "C:\\Program Files (x86)\\ScreenConnect Client*");
    /* a deeper file of an install tree */
    path_hits(cat, "C:\\Program Files\\Splashtop\\Splashtop Remote\\Server\\log\\SPLog.txt", &h);
    expect_one(cat, &h, "Splashtop", RMMCAT_BY_PATH,
               "C:\\Program Files*\\Splashtop\\Splashtop Remote\\Server\\log\\SPLog.txt");
    cr_assert_str_eq(h.h[0].log_kind, "generic");
    /* nothing for ordinary files */
    cr_assert_eq(path_hits(cat, "C:\\Windows\\System32\\svchost.exe", &h), 0);
    cr_assert_eq(path_hits(cat, "C:\\Users\\a\\Desktop\\report.docx", &h), 0);
    cr_assert_eq(path_hits(cat, "C:\\Program Files\\AnyDeskX\\a.exe", &h), 0);
    rmmcat_free(cat);
}

Test(rmmcatalog, builtin_services_domains_signers_products)
{
    rmmcat *cat = load_builtin();
    rmmcat_hits h;
    rmmcat_match_service(cat, "splashtopremoteservice", 22, &h);
    expect_one(cat, &h, "Splashtop", RMMCAT_BY_SERVICE, "SplashtopRemoteService");
    const char *sc = " ScreenConnect Client (8a1b2c3d4e5f) ";
    rmmcat_match_service(cat, sc, strlen(sc), &h);
    expect_one(cat, &h, "ScreenConnect", RMMCAT_BY_SERVICE, "ScreenConnect Client*");
    cr_assert_eq(rmmcat_match_service(cat, "wuauserv", 8, &h), 0);
    const char *d = "Relay-41e1a3f2.net.AnyDesk.com.:443";
    rmmcat_match_domain(cat, d, strlen(d), &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_DOMAIN, "*.anydesk.com");
    rmmcat_match_domain(cat, "gateway.zohoassist.com", 22, &h);
    expect_one(cat, &h, "Zoho Assist", RMMCAT_BY_DOMAIN, "gateway.zohoassist.com");
    rmmcat_match_domain(cat, "abc.ngrok-free.app", 18, &h);
    expect_one(cat, &h, "ngrok", RMMCAT_BY_DOMAIN, "*.ngrok-free.app");
    cr_assert_eq(rmmcat_match_domain(cat, "anydesk.com.evil.example", 24, &h), 0);
    cr_assert_eq(rmmcat_match_domain(cat, "com", 3, &h), 0);
    /* one signer, two tools */
    const char *z = "ZOHO Corporation Private Limited";
    cr_assert_eq(rmmcat_match_signer(cat, z, strlen(z), &h), 2);
    cr_assert_str_eq(tool_of(cat, &h, 0), "ManageEngine RMM Central");
    cr_assert_str_eq(tool_of(cat, &h, 1), "Zoho Assist");
    const char *p = "AnyDesk 8.0.9";
    rmmcat_match_product(cat, p, strlen(p), &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_NAME, "AnyDesk");
    p = "Splashtop Streamer  ";
    rmmcat_match_product(cat, p, strlen(p), &h);
    expect_one(cat, &h, "Splashtop", RMMCAT_BY_NAME, "Splashtop Streamer");
    cr_assert_eq(rmmcat_match_product(cat, "Microsoft Edge", 14, &h), 0);
    rmmcat_free(cat);
}

Test(rmmcatalog, lolrmm_full_catalog_loads_and_finds_lolrmm_only_tools)
{
    TU_REQUIRE_CORPUS();
    rmmcat *cat = rmmcat_new();
    load_lolrmm(cat);
    /* 317 entries, some sharing a name ("ISL Online", "Level.io", ...) */
    cr_assert_eq(rmmcat_count(cat), 311);
    cr_assert_eq(rmmcat_unanchored(cat), 0);
    rmmcat_hits h;
    rmmcat_match_exe(cat, "C:\\Temp\\hoptodesk.EXE", 21, &h);
    expect_one(cat, &h, "HopToDesk", RMMCAT_BY_EXE, "HopToDesk.exe");
    cr_assert_eq(rmmcat_tool_at(cat, h.h[0].tool)->sources, RMMCAT_SRC_LOLRMM);
    /* a service named only in a registry path */
    rmmcat_match_service(cat, "WinRing0_1_2_0", 14, &h);
    expect_one(cat, &h, "Atera", RMMCAT_BY_SERVICE, "WinRing0_1_2_0");
    /* an event-source key is not a service */
    cr_assert_eq(rmmcat_match_service(cat, "EventLog", 8, &h), 0);
    /* LOLRMM's regex-like domain keeps its literal suffix */
    rmmcat_match_domain(cat, "relay-0a1b2c3d.net.anydesk.com", 30, &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_DOMAIN, "relay-[a-f0-9]{8}.net.anydesk.com:443");
    /* a wildcard service name */
    rmmcat_match_service(cat, "GoToResolve_1a2b", 16, &h);
    expect_one(cat, &h, "GoToAssist (GoTo Resolve)", RMMCAT_BY_SERVICE, "GoToResolve_*");
    /* a folder pattern with a leading wildcard */
    const char *p = "D:\\Tools\\DesktopCentral_Agent\\bin\\cmd.exe";
    path_hits(cat, p, &h);
    expect_one(cat, &h, "ManageEngine", RMMCAT_BY_PATH, "*\\DesktopCentral_Agent\\bin\\*");
    rmmcat_free(cat);
}

Test(rmmcatalog, builtin_and_lolrmm_merge_into_one_entry_per_tool)
{
    TU_REQUIRE_CORPUS();
    rmmcat *cat = load_builtin();
    load_lolrmm(cat);
    /* 311 LOLRMM names, 24 built-in, 33 of them shared by name or alias */
    cr_assert_eq(rmmcat_count(cat), 302);
    const rmmcat_tool *ad = rmmcat_find(cat, "AnyDesk");
    cr_assert_eq(ad->sources, RMMCAT_SRC_BUILTIN | RMMCAT_SRC_LOLRMM);
    /* LOLRMM's names of a built-in tool land on it */
    cr_assert_eq(rmmcat_find(cat, "FleetDeck.io"), rmmcat_find(cat, "FleetDeck"));
    cr_assert_eq(rmmcat_find(cat, "Rocket Remote Desktop"), rmmcat_find(cat, "ASG Remote Desktop"));
    cr_assert_eq(rmmcat_find(cat, "Itarian")->sources, RMMCAT_SRC_BUILTIN | RMMCAT_SRC_LOLRMM);
    /* the union: the built-in log kind and LOLRMM's service display name */
    rmmcat_hits h;
    rmmcat_match_service(cat, "AnyDesk Service", 15, &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_SERVICE, "AnyDesk Service");
    path_hits(cat, "C:\\ProgramData\\AnyDesk\\connection_trace.txt", &h);
    cr_assert_eq(h.n, 1);
    cr_assert_str_eq(h.h[0].log_kind, "anydesk-connections");
    /* loading twice changes nothing */
    load_lolrmm(cat);
    cr_assert_eq(rmmcat_count(cat), 302);
    rmmcat_free(cat);
}

static void expect_text_error(const char *text, const char *msg)
{
    rmmcat *cat = rmmcat_new();
    gl_err err = {0};
    cr_assert_eq(rmmcat_load_text(cat, text, strlen(text), "bad.txt", &err), -1, "accepted: %s", text);
    cr_assert_str_eq(err.msg, msg);
    rmmcat_free(cat);
}

Test(rmmcatalog, malformed_text_catalog_names_line_entry_and_field)
{
    expect_text_error("tool A\n exe a.exe\n\ntool Bee\n  exee b.exe\n",
                      "bad.txt: line 5: entry 2 \"Bee\": field 'exee': unknown field, found \"exee b.exe\"");
    expect_text_error("# c\nexe a.exe\n", "bad.txt: line 2: field 'exe' before any 'tool' line");
    expect_text_error("tool A\nport 443,70000\n",
                      "bad.txt: line 2: entry 1 \"A\": field 'port': expected numbers 1..65535 separated by ',', "
                      "found \"443,70000\"");
    expect_text_error("tool A\nport 443,\n",
                      "bad.txt: line 2: entry 1 \"A\": field 'port': expected numbers 1..65535 separated by ',', "
                      "found \"443,\"");
    expect_text_error("tool A\nlog C:\\x.log\n",
                      "bad.txt: line 2: entry 1 \"A\": field 'log': expected '<parser kind> <path pattern>', "
                      "found \"C:\\x.log\"");
    expect_text_error("tool A\nlog Generic C:\\x.log\n",
                      "bad.txt: line 2: entry 1 \"A\": field 'log': parser kind must be lower-case letters, digits "
                      "and '-', found \"Generic C:\\x.log\"");
    expect_text_error("tool A\ntool\n", "bad.txt: line 2: entry 2: field 'tool': expected a tool name");
    expect_text_error("tool A\nexe\n", "bad.txt: line 2: entry 1 \"A\": field 'value': expected a value, found \"\"");
    expect_text_error("tool A\npriority yes\n",
                      "bad.txt: line 2: entry 1 \"A\": field 'priority': takes no value, found \"yes\"");
    static const char nul[] = "tool A\nexe a\0b\n";
    rmmcat *cat = rmmcat_new();
    gl_err err = {0};
    cr_assert_eq(rmmcat_load_text(cat, nul, sizeof nul - 1, "bad.txt", &err), -1);
    cr_assert_str_eq(err.msg, "bad.txt: line 2: NUL byte in a text catalog");
    /* what came before the bad line stays loaded and indexed */
    rmmcat_hits h;
    cr_assert_eq(rmmcat_count(cat), 1);
    cr_assert_eq(rmmcat_match_product(cat, "A", 1, &h), 1);
    rmmcat_free(cat);
}

static void expect_json_error(const char *json, const char *msg)
{
    rmmcat *cat = rmmcat_new();
    gl_err err = {0};
    cr_assert_eq(rmmcat_load_lolrmm(cat, json, strlen(json), "t.json", &err), -1, "accepted: %s", json);
    cr_assert_str_eq(err.msg, msg);
    rmmcat_free(cat);
}

Test(rmmcatalog, malformed_lolrmm_entry_is_named_with_its_field)
{
    expect_json_error("[{\"Name\":\"Good\"},{\"Name\":\"BadTool\",\"Details\":{\"InstallationPaths\":[\"a.exe\",5]}}]",
                      "t.json: entry 1 \"BadTool\": field 'Details.InstallationPaths[1]': expected a string, found "
                      "a number");
    expect_json_error("[{\"Name\":\"X\",\"Artifacts\":{\"Network\":[{\"Domains\":[],\"Ports\":[443,70000]}]}}]",
                      "t.json: entry 0 \"X\": field 'Artifacts.Network[0].Ports[1]': expected a port 0..65535, "
                      "found 70000");
    expect_json_error("[{\"Name\":\"X\",\"Artifacts\":{\"Network\":[{\"Ports\":[\"https\"]}]}}]",
                      "t.json: entry 0 \"X\": field 'Artifacts.Network[0].Ports[0]': expected a port or a range, "
                      "found \"https\"");
    expect_json_error("[{\"Name\":\"X\",\"Artifacts\":{\"Registry\":[\"HKLM\\\\X\"]}}]",
                      "t.json: entry 0 \"X\": field 'Artifacts.Registry[0]': expected an object, found a string");
    expect_json_error("[{\"Name\":\"X\",\"Details\":{\"PEMetadata\":{\"Filename\":1}}}]",
                      "t.json: entry 0 \"X\": field 'Details.PEMetadata.Filename': expected a string, found a number");
    expect_json_error("[{\"Name\":\"X\",\"CodeSigning\":[]}]",
                      "t.json: entry 0 \"X\": field 'CodeSigning': expected an object, found an array");
    expect_json_error("[{\"Name\":\"A\"},{\"Category\":\"RMM\"}]",
                      "t.json: entry 1: field 'Name': expected a non-empty string, found nothing");
    expect_json_error("[{\"Name\":\"\"}]", "t.json: entry 0: field 'Name': expected a non-empty string, found an empty string");
    expect_json_error("[1]", "t.json: entry 0: expected an object, found a number");
    expect_json_error("{\"Name\":\"A\"}", "t.json: expected a JSON array of tools, found an object");
    expect_json_error("[\n{\"Name\":\"A\"},\n{\"Name\": }]", "t.json: line 3 (offset 25): not valid JSON");
    /* nulls and ranges are fine */
    const char *ok = "[{\"Name\":\"N\",\"Details\":{\"PEMetadata\":null,\"InstallationPaths\":null},"
                     "\"Artifacts\":{\"Disk\":[{\"File\":\"/etc/x\",\"OS\":\"Linux\"},{\"File\":\"C:\\\\N\\\\n.log\"}],"
                     "\"Network\":[{\"Domains\":[\"n.example\"],\"Ports\":[\"1000-65535\",\"8443\",0]}]}}]";
    rmmcat *cat = rmmcat_new();
    gl_err err = {0};
    cr_assert_eq(rmmcat_load_lolrmm(cat, ok, strlen(ok), "t.json", &err), 0, "%s", err.msg);
    const rmmcat_tool *t = rmmcat_find(cat, "n");
    cr_assert_eq(t->nports, 1);
    cr_assert_eq(t->ports[0], 8443);
    cr_assert_eq(t->files.n, 1);
    cr_assert_str_eq(t->files.v[0], "C:\\N\\n.log");
    rmmcat_hits h;
    path_hits(cat, "C:\\N\\N.LOG", &h);
    expect_one(cat, &h, "N", RMMCAT_BY_PATH, "C:\\N\\n.log");
    cr_assert_eq(h.h[0].role, RMMCAT_ROLE_FILE);
    rmmcat_free(cat);
}

Test(rmmcatalog, hostile_lookups_are_bounded)
{
    rmmcat *cat = load_builtin();
    rmmcat_hits h;
    /* over the normalized-path limit */
    gl_buf b = {0};
    gl_buf_puts(&b, "C:\\Program Files\\AnyDesk");
    while (b.len < 5000)
        gl_buf_puts(&b, "\\a");
    cr_assert_eq(rmmcat_match_path(cat, b.data, b.len, &h), 0);
    /* deeper than the component limit, but short enough: still matched */
    gl_buf_clear(&b);
    gl_buf_puts(&b, "C:\\Program Files\\AnyDesk");
    for (int i = 0; i < 400; i++)
        gl_buf_puts(&b, "\\a");
    gl_buf_puts(&b, "\\AnyDesk.exe");
    rmmcat_match_path(cat, b.data, b.len, &h);
    expect_one(cat, &h, "AnyDesk", RMMCAT_BY_PATH, "C:\\Program Files\\AnyDesk");
    gl_buf_free(&b);
    cr_assert_eq(rmmcat_match_path(cat, "", 0, &h), 0);
    cr_assert_eq(rmmcat_match_path(cat, "\\\\\\", 3, &h), 0);
    cr_assert_eq(rmmcat_match_path(cat, "C:", 2, &h), 0);
    cr_assert_eq(rmmcat_match_exe(cat, "\\", 1, &h), 0);
    cr_assert_eq(rmmcat_match_domain(cat, ":443", 4, &h), 0);
    cr_assert_eq(rmmcat_match_path(NULL, "a", 1, &h), 0);
    /* bytes that are not UTF-8 compare as they are */
    cr_assert_eq(rmmcat_match_path(cat, "C:\\\xff\xfe\\AnyDesk\\x", 16, &h), 0);
    rmmcat_free(cat);
}

/* A concrete path for a catalog pattern: %VAR% expanded as on a real
 * drive, "Program Files*" as the 32-bit folder, other '*'/'?' as "x", a
 * leading "*\" under D:\. NULL for patterns with regex classes, which no
 * glob can match literally. */
static char *sample_path(const char *pat)
{
    static const struct {
        const char *var, *path;
    } env[] = {
        {"%programdata%", "C:\\ProgramData"},  {"%appdata%", "C:\\Users\\kim\\AppData\\Roaming"},
        {"%localappdata%", "C:\\Users\\kim\\AppData\\Local"}, {"%userprofile%", "C:\\Users\\kim"},
        {"%programfiles%", "C:\\Program Files"}, {"%programfiles(x86)%", "C:\\Program Files (x86)"},
        {"%systemroot%", "C:\\Windows"}, {"%windir%", "C:\\Windows"}, {"%temp%", "C:\\Users\\kim\\AppData\\Local\\Temp"},
    };
    if (strchr(pat, '[') || pat[0] == '/' || pat[0] == '~' ||
        (strchr(pat, '/') && !strchr(pat, '\\') && pat[1] != ':'))
        return NULL;
    gl_buf b = {0};
    const char *p = pat;
    if (p[0] == '*' && p[1] != '\\') {
        gl_buf_puts(&b, "C:\\"); /* "*Users\..." */
        p++;
    } else if (p[0] == '*') {
        gl_buf_puts(&b, "D:\\");
    }
    while (*p) {
        bool done = false;
        for (size_t i = 0; i < sizeof env / sizeof env[0] && !done; i++)
            if (strncasecmp(p, env[i].var, strlen(env[i].var)) == 0) {
                gl_buf_puts(&b, env[i].path);
                p += strlen(env[i].var);
                done = true;
            }
        if (done)
            continue;
        if (strncasecmp(p, "Program Files*", 14) == 0) {
            gl_buf_puts(&b, "Program Files (x86)");
            p += 14;
        } else if (*p == '%' && p[1] && (p[1] | 32) >= 'a' && (p[1] | 32) <= 'z' && strchr(p + 1, '%') &&
                   !memchr(p + 1, '\\', (size_t)(strchr(p + 1, '%') - p - 1)) &&
                   !memchr(p + 1, ' ', (size_t)(strchr(p + 1, '%') - p - 1))) {
            gl_buf_putc(&b, 'x'); /* an unknown variable */
            p = strchr(p + 1, '%') + 1;
        } else {
            gl_buf_putc(&b, (*p == '*' || *p == '?') ? 'x' : *p);
            p++;
        }
    }
    return b.data;
}

static bool hits_tool(const rmmcat_hits *h, size_t tool)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->h[i].tool == tool)
            return true;
    return false;
}

/* Every path, file, log and executable of every tool is found again by the
 * lookups (a check of the data and of the indexes together). */
static void check_self_consistent(const rmmcat *cat, size_t *checked, size_t *skipped)
{
    rmmcat_hits h;
    for (size_t t = 0; t < rmmcat_count(cat); t++) {
        const rmmcat_tool *tool = rmmcat_tool_at(cat, t);
        const rmmcat_list *lists[] = {&tool->paths, &tool->files, &tool->logs, &tool->exes};
        for (size_t l = 0; l < 4; l++)
            for (size_t i = 0; i < lists[l]->n; i++) {
                const char *pat = lists[l]->v[i];
                if (lists[l] == &tool->logs)
                    pat = strchr(pat, ' ') + 1;
                char *path = sample_path(pat);
                if (!path) {
                    (*skipped)++;
                    continue;
                }
                rmmcat_match_path(cat, path, strlen(path), &h);
                /* a hit list full of other tools may crowd this one out */
                cr_assert(hits_tool(&h, t) || h.n == RMMCAT_MAX_HITS, "%s: %s (from %s) not matched", tool->name,
                          path, pat);
                (*checked)++;
                free(path);
            }
    }
}

Test(rmmcatalog, every_catalog_entry_matches_a_path_made_from_it)
{
    rmmcat *cat = load_builtin();
    size_t checked = 0, skipped = 0;
    check_self_consistent(cat, &checked, &skipped);
    cr_assert_gt(checked, 250);
    cr_assert_eq(skipped, 0);
    rmmcat_free(cat);
}

Test(rmmcatalog, every_lolrmm_entry_matches_a_path_made_from_it)
{
    TU_REQUIRE_CORPUS();
    rmmcat *cat = load_builtin();
    load_lolrmm(cat);
    size_t checked = 0, skipped = 0;
    check_self_consistent(cat, &checked, &skipped);
    cr_assert_gt(checked, 1900);
    /* LOLRMM's Unix paths and regex-class patterns have no sample */
    cr_assert_eq(skipped, 68);
    rmmcat_free(cat);
}

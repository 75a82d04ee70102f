/* The registry view over a small Windows tree built in a scratch directory
 * from generated hives (tests/fixtures/hives/regview-*.hivedesc), placed
 * where and with the case Windows uses. Every expected value below is
 * written in those descriptions; the descriptions themselves are checked
 * against libregf (regview.fixtures_refs). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostinfo.h"
#include "regf.h"
#include "regview.h"
#include "testutil.h"

#define SID_JDOE "S-1-5-21-3623811015-3361044348-30300820-1001"
#define SID_ADMIN "S-1-5-21-3623811015-3361044348-30300820-1002"
#define SID_EXT "S-1-5-21-3623811015-3361044348-30300820-1003"

static const char *root_dir(void)
{
    const char *r = getenv("GLEANER_ROOT");
    return r ? r : ".";
}

/* Copy a file into the tree at rel ('/'-separated), creating directories. */
static void place_file(const char *tree, const char *from, const char *rel)
{
    int rc = tu_runf(NULL, NULL, "f='%s/%s' && mkdir -p \"$(dirname \"$f\")\" && cp '%s' \"$f\"", tree, rel, from);
    cr_assert_eq(rc, 0, "cannot place %s at %s", from, rel);
}

static void place(const char *tree, const char *fixture, const char *rel)
{
    char name[128];
    snprintf(name, sizeof name, "hives/%s.hive", fixture);
    char *from = tu_fixture(name);
    place_file(tree, from, rel);
    free(from);
}

/* Clean hives come with empty transaction logs on a real system. */
static void place_empty(const char *tree, const char *rel)
{
    int rc = tu_runf(NULL, NULL, "f='%s/%s' && mkdir -p \"$(dirname \"$f\")\" && : > \"$f\"", tree, rel);
    cr_assert_eq(rc, 0, "cannot create %s", rel);
}

/* The test host: SYSTEM, SOFTWARE (optional), DEFAULT, Amcache, three
 * profiles under Users (one without a hive) and the LocalService profile.
 * No SAM, no SECURITY. Returns a dir: source over it. */
static gl_source *open_dir(const char *tree);

static gl_source *make_tree(const char *tag, bool with_software)
{
    char *tree = tu_tmpdir(tag);
    cr_assert_not_null(tree);
    place(tree, "regview-system", "Windows/System32/config/SYSTEM");
    place_empty(tree, "Windows/System32/config/SYSTEM.LOG1");
    place_empty(tree, "Windows/System32/config/SYSTEM.LOG2");
    if (with_software) {
        place(tree, "regview-software", "Windows/System32/config/SOFTWARE");
        place_empty(tree, "Windows/System32/config/SOFTWARE.LOG1");
        place_empty(tree, "Windows/System32/config/SOFTWARE.LOG2");
    } else { /* the other two service profiles, found by their folders */
        place(tree, "regview-ntuser-localservice", "Windows/System32/config/systemprofile/NTUSER.DAT");
        place(tree, "regview-ntuser-localservice", "Windows/ServiceProfiles/NetworkService/NTUSER.DAT");
    }
    place(tree, "regview-default", "Windows/System32/config/DEFAULT");
    place(tree, "regview-amcache", "Windows/AppCompat/Programs/Amcache.hve");
    place(tree, "regview-ntuser-jdoe", "Users/jdoe/NTUSER.DAT");
    place_empty(tree, "Users/jdoe/ntuser.dat.LOG1");
    place_empty(tree, "Users/jdoe/ntuser.dat.LOG2");
    place(tree, "regview-usrclass-jdoe", "Users/jdoe/AppData/Local/Microsoft/Windows/UsrClass.dat");
    place(tree, "regview-ntuser-admin", "Users/Admin.CORP/NTUSER.DAT");
    place(tree, "regview-ntuser-guest", "Users/Guest/NTUSER.DAT");
    place_empty(tree, "Users/Public/Documents/desktop.ini");
    place(tree, "regview-ntuser-localservice", "Windows/ServiceProfiles/LocalService/NTUSER.DAT");
    gl_source *src = open_dir(tree);
    free(tree);
    return src;
}

static gl_source *open_dir(const char *tree)
{
    gl_buf spec = {0};
    gl_buf_printf(&spec, "dir:%s", tree);
    gl_err err;
    gl_source *src = gl_source_open(spec.data, &err);
    cr_assert_not_null(src, "%s", err.msg);
    gl_buf_free(&spec);
    return src;
}

/* A tree holding one hive at rel, opened as a source. */
static gl_source *one_hive_source(const char *tag, const char *fixture, const char *rel)
{
    char *tree = tu_tmpdir(tag);
    cr_assert_not_null(tree);
    place(tree, fixture, rel);
    gl_source *src = open_dir(tree);
    free(tree);
    return src;
}

static gl_regview *open_view(gl_source *src, bool deleted)
{
    gl_regview_options opt = {.recover_deleted = deleted};
    gl_err err;
    gl_regview *rv = gl_regview_open_opts(src, &opt, &err);
    cr_assert_not_null(rv, "%s", err.msg);
    return rv;
}

static gl_regkey must_key(gl_regview *rv, const char *path)
{
    gl_regkey k;
    gl_err err;
    cr_assert_eq(gl_regview_key(rv, path, &k, &err), 0, "%s: %s", path, err.msg);
    cr_assert(gl_regkey_ok(k));
    return k;
}

static void expect_string(gl_regview *rv, const char *key, const char *value, const char *want)
{
    gl_buf s = {0};
    gl_err err;
    cr_assert_eq(gl_regview_string(rv, key, value, &s, &err), 0, "%s\\%s: %s", key, value, err.msg);
    cr_assert_str_eq(gl_buf_cstr(&s), want, "%s\\%s", key, value);
    gl_buf_free(&s);
}

static void expect_key_error(gl_regview *rv, const char *path, const char *want)
{
    gl_regkey k;
    gl_err err;
    cr_assert_eq(gl_regview_key(rv, path, &k, &err), -1, "%s opened", path);
    cr_assert_not(gl_regkey_ok(k));
    cr_assert_str_eq(err.msg, want);
}

static void expect_key_locator(gl_regkey k, const char *want)
{
    gl_buf b = {0};
    gl_regkey_locator(k, &b);
    cr_assert_str_eq(gl_buf_cstr(&b), want);
    gl_buf_free(&b);
}

static void expect_val_locator(gl_regval v, const char *want)
{
    gl_buf b = {0};
    gl_regval_locator(v, &b);
    cr_assert_str_eq(gl_buf_cstr(&b), want);
    gl_buf_free(&b);
}

static void expect_name(gl_regkey k, const char *want)
{
    gl_buf b = {0};
    cr_assert(gl_regkey_name(k, &b));
    cr_assert_str_eq(gl_buf_cstr(&b), want);
    gl_buf_free(&b);
}

/* Problems as one string, one per line, "E " / "N " by level. */
static void problems_text(gl_regview *rv, gl_buf *out)
{
    size_t n = gl_regview_problem_count(rv);
    for (size_t i = 0; i < n; i++) {
        gl_regview_level level;
        const char *m = gl_regview_problem(rv, i, &level);
        gl_buf_printf(out, "%s %s\n", level == GL_REGVIEW_ERROR ? "E" : "N", m);
    }
    gl_buf_cstr(out);
}

/* ---- the descriptions, read back by libregf ------------------------------ */

Test(regview, fixtures_refs)
{
    static const struct {
        const char *name, *counts;
    } hives[] = {
        {"regview-system", "keys=16 values=10"},
        {"regview-software", "keys=23 values=14"},
        {"regview-ntuser-jdoe", "keys=11 values=3"},
        {"regview-usrclass-jdoe", "keys=11 values=2"},
        {"regview-ntuser-admin", "keys=7 values=3"},
        {"regview-ntuser-guest", "keys=3 values=1"},
        {"regview-ntuser-localservice", "keys=3 values=1"},
        {"regview-default", "keys=4 values=1"},
        {"regview-amcache", "keys=4 values=2"},
        {"regview-hostile-software", "keys=16 values=11"},
        {"regview-hostile-system", "keys=7 values=4"},
    };
    for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++) {
        gl_buf out = {0}, err = {0};
        char rel[128];
        snprintf(rel, sizeof rel, "hives/%s.hive", hives[i].name);
        char *hive = tu_fixture(rel);
        int rc = tu_runf(&out, &err,
                         "/usr/bin/python3 '%s/tests/tools/check_hive.py' --reader pyregf "
                         "'%s/tests/fixtures/hives/%s.hivedesc' '%s' | tail -n 1 | tr -d '\\n'",
                         root_dir(), root_dir(), hives[i].name, hive);
        cr_assert_eq(rc, 0, "%s: %s", hives[i].name, gl_buf_cstr(&err));
        cr_assert_str_eq(gl_buf_cstr(&out), hives[i].counts, "%s", hives[i].name);
        /* tail hides the checker's status: run it again for that alone. */
        rc = tu_runf(NULL, NULL, "/usr/bin/python3 '%s/tests/tools/check_hive.py' --reader pyregf "
                                 "'%s/tests/fixtures/hives/%s.hivedesc' '%s' >/dev/null",
                     root_dir(), root_dir(), hives[i].name, hive);
        cr_assert_eq(rc, 0, "%s differs from its description", hives[i].name);
        free(hive);
        gl_buf_free(&out);
        gl_buf_free(&err);
    }
}

/* ---- control sets ------------------------------------------------------- */

Test(regview, current_control_set)
{
    gl_source *src = make_tree("regview-ccs", true);
    gl_regview *rv = open_view(src, false);

    expect_string(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName", "ComputerName",
                  "WS01");
    expect_string(rv, "hkey_local_machine\\system\\controlset001\\control\\computername\\computername",
                  "computername", "WS01-OLD");
    gl_regkey k = must_key(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog");
    expect_key_locator(k, "HKLM\\SYSTEM\\ControlSet002\\Services\\EventLog");
    cr_assert_eq(gl_regkey_last_write(k), 134395434005000000ull);
    cr_assert_str_eq(gl_regkey_hive_path(k), "C:\\Windows\\System32\\config\\SYSTEM");
    cr_assert_null(gl_regkey_artifact(k)); /* no acquirer */
    gl_regval v = gl_regkey_value(k, "DependOnService");
    cr_assert_eq(gl_regval_type(v), REGF_REG_MULTI_SZ);
    gl_buf m = {0};
    cr_assert_eq(gl_regval_multi_sz(v, &m), 2);
    cr_assert_eq(m.len, 10);
    cr_assert_eq(memcmp(m.data, "RpcSs\0Wmi\0", 10), 0);
    gl_buf_free(&m);

    /* The service exists only in the older set. */
    expect_key_error(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AnyDesk",
                     "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AnyDesk: no such key "
                     "(HKLM\\SYSTEM\\ControlSet002\\Services\\AnyDesk)");
    gl_regkey any = must_key(rv, "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk");
    cr_assert_eq(gl_regkey_last_write(any), 134395100450000000ull);
    uint32_t start = 0;
    gl_err err;
    cr_assert_eq(gl_regview_dword(rv, "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk", "Start", &start, &err), 0);
    cr_assert_eq(start, 2);
    expect_string(rv, "HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk", "ImagePath",
                  "\"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --service");

    const gl_regcontrolset *cs;
    cr_assert_eq(gl_regview_control_sets(rv, &cs), 2);
    cr_assert_eq(cs[0].number, 1);
    cr_assert_str_eq(cs[0].name, "ControlSet001");
    cr_assert(!cs[0].current && !cs[0].is_default && !cs[0].failed && cs[0].last_known_good);
    cr_assert_eq(cs[1].number, 2);
    cr_assert_str_eq(cs[1].name, "ControlSet002");
    cr_assert(cs[1].current && cs[1].is_default && !cs[1].failed && !cs[1].last_known_good);

    /* Empty logs beside a clean hive are no problem at all. */
    cr_assert_eq(gl_regview_problem_count(rv), 0);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* ---- keys, values, locators --------------------------------------------- */

Test(regview, keys_values_locators)
{
    gl_source *src = make_tree("regview-keys", true);
    gl_regview *rv = open_view(src, false);

    gl_regkey cv = must_key(rv, "HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion");
    gl_regvals vals = {0};
    cr_assert_eq(gl_regkey_values(cv, &vals), 4);
    static const char *const names[4] = {"ProductName", "CurrentBuildNumber", "InstallDate", "InstallTime"};
    for (size_t i = 0; i < 4; i++) {
        gl_buf b = {0};
        cr_assert(gl_regval_name(vals.v[i], &b));
        cr_assert_str_eq(gl_buf_cstr(&b), names[i]);
        cr_assert_not(gl_regval_deleted(vals.v[i]));
        gl_buf_free(&b);
    }
    uint32_t dw = 0;
    uint64_t qw = 0;
    cr_assert(gl_regval_dword(vals.v[2], &dw));
    cr_assert_eq(dw, 0x65a1b2c3u);
    cr_assert(gl_regval_qword(vals.v[3], &qw));
    cr_assert_eq(qw, 0x01da4b2c3d4e5f60ull);
    cr_assert_eq(gl_regval_type(vals.v[3]), REGF_REG_QWORD);
    expect_val_locator(vals.v[0], "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProductName");
    gl_regvals_free(&vals);

    gl_regkey pl = gl_regkey_child(cv, "ProfileList");
    cr_assert(gl_regkey_ok(pl));
    gl_regkeys subs = {0};
    cr_assert_eq(gl_regkey_subkeys(pl, &subs), 4);
    expect_name(subs.v[0], "S-1-5-18");
    expect_name(subs.v[1], SID_JDOE);
    expect_name(subs.v[2], SID_ADMIN);
    expect_name(subs.v[3], SID_EXT);
    cr_assert_not(gl_regkey_ok(gl_regkey_child(cv, "NoSuchKey")));
    gl_regkeys_free(&subs);

    /* A value name holding backslashes, as Defender exclusions do. */
    gl_regkey ex = must_key(rv, "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths");
    cr_assert_eq(gl_regkey_last_write(ex), 134395104000000000ull);
    gl_regval exv = gl_regkey_value(ex, "c:\\programdata\\anydesk");
    cr_assert(gl_regval_ok(exv));
    expect_val_locator(exv, "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\ProgramData\\AnyDesk");

    gl_regkey bag = must_key(rv, "HKU\\" SID_JDOE "_Classes\\Local Settings\\Software\\Microsoft\\Windows\\Shell\\BagMRU");
    gl_regval slots = gl_regkey_value(bag, "NodeSlots");
    size_t len = 0;
    gl_buf scratch = {0};
    const uint8_t *data = gl_regval_binary(slots, &len, &scratch);
    cr_assert_eq(len, 2);
    cr_assert(data[0] == 2 && data[1] == 2);
    cr_assert_eq(gl_regval_type(slots), REGF_REG_BINARY);
    gl_buf_free(&scratch);

    expect_string(rv, "HKU\\.DEFAULT\\Software\\Splashtop Inc.\\Splashtop Remote Server", "ClientInfo",
                  "default user");
    gl_regkey am = must_key(rv, "AMCACHE\\Root\\InventoryApplicationFile\\anydesk.exe|5a1c5c3f0b5e6b1e");
    expect_val_locator(gl_regkey_value(am, "LowerCaseLongPath"),
                       "AMCACHE\\Root\\InventoryApplicationFile\\anydesk.exe|5a1c5c3f0b5e6b1e\\LowerCaseLongPath");
    cr_assert_str_eq(gl_regkey_hive_path(am), "C:\\Windows\\AppCompat\\Programs\\Amcache.hve");

    expect_key_error(rv, "HKLM\\HARDWARE\\DESCRIPTION",
                     "HKLM\\HARDWARE\\DESCRIPTION: HKLM\\HARDWARE is not stored in a hive file");
    expect_key_error(rv, "HKCR\\.exe", "HKCR\\.exe: unknown root HKCR (want HKLM, HKU or AMCACHE)");
    expect_key_error(rv, "", "registry path is empty");
    gl_regview_close(rv);
    gl_source_close(src);
}

Test(regview, wow6432node)
{
    gl_source *src = make_tree("regview-wow", true);
    gl_regview *rv = open_view(src, false);
    gl_regkey k[2];
    gl_buf s = {0};

    cr_assert_eq(gl_regview_key_wow(rv, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip", k), 2);
    expect_key_locator(k[0], "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip");
    expect_key_locator(k[1], "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip");
    cr_assert(gl_regval_string(gl_regkey_value(k[0], "DisplayName"), &s));
    cr_assert_str_eq(gl_buf_cstr(&s), "7-Zip 23.01 (x64)");
    gl_buf_clear(&s);
    cr_assert(gl_regval_string(gl_regkey_value(k[1], "DisplayName"), &s));
    cr_assert_str_eq(gl_buf_cstr(&s), "7-Zip 9.20");

    cr_assert_eq(gl_regview_key_wow(rv, "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\AnyDesk", k), 1);
    expect_key_locator(k[0], "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\AnyDesk");
    cr_assert_eq(gl_regview_key_wow(rv, "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\AnyDesk", k), 1);
    cr_assert_eq(gl_regview_key_wow(rv, "HKLM\\SOFTWARE\\NoSuchVendor", k), 0);

    cr_assert_eq(gl_regview_key_wow(rv, "HKU\\" SID_ADMIN "\\Software\\Vendor", k), 2);
    uint32_t bits[2];
    cr_assert(gl_regval_dword(gl_regkey_value(k[0], "Bits"), &bits[0]));
    cr_assert(gl_regval_dword(gl_regkey_value(k[1], "Bits"), &bits[1]));
    cr_assert(bits[0] == 64 && bits[1] == 32);
    expect_key_locator(k[1], "HKU\\" SID_ADMIN "\\Software\\WOW6432Node\\Vendor");

    cr_assert_eq(gl_regview_key_wow(rv, "HKLM\\SYSTEM\\Select", k), 1);
    expect_key_locator(k[0], "HKLM\\SYSTEM\\Select");
    gl_buf_free(&s);
    gl_regview_close(rv);
    gl_source_close(src);
}

static int walk_collect(void *ctx, gl_regkey k, const char *rel)
{
    gl_buf *out = ctx;
    gl_buf_printf(out, "%s%s|", gl_regkey_deleted(k) ? "-" : "", rel);
    return 0;
}

static int walk_stop_at_profilelist(void *ctx, gl_regkey k, const char *rel)
{
    walk_collect(ctx, k, rel);
    return strcmp(rel, "Windows NT\\CurrentVersion\\ProfileList") == 0 ? 7 : 0;
}

Test(regview, walk)
{
    gl_source *src = make_tree("regview-walk", true);
    gl_regview *rv = open_view(src, false);
    gl_regkey ms = must_key(rv, "HKLM\\SOFTWARE\\Microsoft");
    gl_buf out = {0};
    cr_assert_eq(gl_regkey_walk(ms, walk_collect, &out), 0);
    cr_assert_str_eq(gl_buf_cstr(&out), "|Windows|Windows\\CurrentVersion|Windows\\CurrentVersion\\Uninstall|"
                                        "Windows\\CurrentVersion\\Uninstall\\7-Zip|Windows Defender|"
                                        "Windows Defender\\Exclusions|Windows Defender\\Exclusions\\Paths|Windows NT|"
                                        "Windows NT\\CurrentVersion|Windows NT\\CurrentVersion\\ProfileList|"
                                        "Windows NT\\CurrentVersion\\ProfileList\\S-1-5-18|"
                                        "Windows NT\\CurrentVersion\\ProfileList\\" SID_JDOE "|"
                                        "Windows NT\\CurrentVersion\\ProfileList\\" SID_ADMIN "|"
                                        "Windows NT\\CurrentVersion\\ProfileList\\" SID_EXT "|");
    gl_buf_clear(&out);
    cr_assert_eq(gl_regkey_walk(ms, walk_stop_at_profilelist, &out), 7);
    cr_assert_str_eq(gl_buf_cstr(&out), "|Windows|Windows\\CurrentVersion|Windows\\CurrentVersion\\Uninstall|"
                                        "Windows\\CurrentVersion\\Uninstall\\7-Zip|Windows Defender|"
                                        "Windows Defender\\Exclusions|Windows Defender\\Exclusions\\Paths|Windows NT|"
                                        "Windows NT\\CurrentVersion|Windows NT\\CurrentVersion\\ProfileList|");
    gl_buf_free(&out);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* ---- users -------------------------------------------------------------- */

static void expect_user(const gl_reguser *u, const char *sid, const char *name, const char *profile,
                        gl_reguser_origin origin)
{
    cr_assert_str_eq(u->sid, sid);
    cr_assert_str_eq(u->name, name);
    cr_assert_str_eq(u->profile_path, profile);
    gl_buf b = {0};
    gl_buf_printf(&b, "%s\\NTUSER.DAT", profile);
    cr_assert_str_eq(u->ntuser_path, b.data);
    gl_buf_clear(&b);
    gl_buf_printf(&b, "%s\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat", profile);
    cr_assert_str_eq(u->usrclass_path, b.data);
    cr_assert_eq(u->origin, origin, "%s", name);
    gl_buf_free(&b);
}

Test(regview, users_from_profile_list)
{
    gl_source *src = make_tree("regview-users", true);
    gl_regview *rv = open_view(src, false);

    const gl_reguser *u;
    cr_assert_eq(gl_regview_users(rv, &u), 5);
    expect_user(&u[0], "S-1-5-18", "S-1-5-18", "C:\\Windows\\system32\\config\\systemprofile",
                GL_REGUSER_PROFILELIST);
    expect_user(&u[1], SID_JDOE, SID_JDOE, "C:\\Users\\jdoe", GL_REGUSER_PROFILELIST);
    expect_user(&u[2], SID_ADMIN, SID_ADMIN, "C:\\Users\\Admin.CORP", GL_REGUSER_PROFILELIST);
    expect_user(&u[3], "", "Guest", "C:\\Users\\Guest", GL_REGUSER_SCAN);
    expect_user(&u[4], "S-1-5-19", "S-1-5-19", "C:\\Windows\\ServiceProfiles\\LocalService", GL_REGUSER_SCAN);
    cr_assert_str_eq(gl_reguser_origin_name(u[0].origin), "profilelist");
    cr_assert_str_eq(gl_reguser_origin_name(u[3].origin), "scan");

    /* Each SID reads its own NTUSER.DAT. */
    expect_string(rv, "HKU\\" SID_JDOE "\\Software\\WinRAR\\ArcHistory", "0", "C:\\Users\\jdoe\\Downloads\\finance.rar");
    expect_string(rv, "HKEY_USERS\\" SID_ADMIN "\\software\\winrar\\archistory", "0", "C:\\Temp\\loot.rar");
    gl_regkey k = must_key(rv, "HKU\\" SID_JDOE "\\Software\\WinRAR\\ArcHistory");
    cr_assert_eq(gl_regkey_last_write(k), 134395703440000000ull);
    expect_val_locator(gl_regkey_value(k, "0"), "HKU\\" SID_JDOE "\\Software\\WinRAR\\ArcHistory\\0");
    cr_assert_str_eq(gl_regkey_hive_path(k), "C:\\Users\\jdoe\\NTUSER.DAT");
    uint32_t seen = 0;
    gl_err err;
    cr_assert_eq(gl_regview_dword(rv, "HKU\\Guest\\Software\\Guest", "Seen", &seen, &err), 0);
    cr_assert_eq(seen, 1);
    expect_string(rv, "HKU\\S-1-5-19\\Software\\Microsoft", "LocalServiceMarker", "local service");

    /* UsrClass.dat, directly and through the Software\Classes link. */
    gl_regkey c1 = must_key(rv, "HKU\\" SID_JDOE "_Classes\\AnyDesk\\shell\\open\\command");
    gl_regkey c2 = must_key(rv, "HKU\\" SID_JDOE "\\Software\\Classes\\AnyDesk\\shell\\open\\command");
    cr_assert(c1.hive == c2.hive && c1.id == c2.id);
    expect_val_locator(gl_regkey_value(c2, ""), "HKU\\" SID_JDOE "_Classes\\AnyDesk\\shell\\open\\command\\(default)");
    expect_string(rv, "HKU\\" SID_JDOE "\\Software\\Classes\\AnyDesk\\shell\\open\\command", "",
                  "\"C:\\Users\\jdoe\\Downloads\\AnyDesk.exe\" \"%1\"");
    cr_assert_str_eq(gl_regkey_hive_path(c1), "C:\\Users\\jdoe\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat");
    expect_key_error(rv, "HKU\\" SID_JDOE "\\Software\\Classes\\NotFollowed",
                     "HKU\\" SID_JDOE "\\Software\\Classes\\NotFollowed: no such key (HKU\\" SID_JDOE
                     "_Classes\\NotFollowed)");

    /* Listed but not on disk; listed on another drive; not listed at all. */
    expect_key_error(rv, "HKU\\S-1-5-18\\Software",
                     "HKU\\S-1-5-18: C:\\Windows\\system32\\config\\systemprofile\\NTUSER.DAT: hive not found in the "
                     "evidence");
    expect_key_error(rv, "HKU\\" SID_EXT "\\Software",
                     "HKU\\" SID_EXT "\\Software: no profile for " SID_EXT " (see the view's users and problems)");
    gl_buf p = {0};
    problems_text(rv, &p);
    cr_assert_str_eq(gl_buf_cstr(&p),
                     "E HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\" SID_EXT
                     ": D:\\Profiles\\ext: drive D: is not the evidence drive C:\n"
                     "E HKU\\S-1-5-18: C:\\Windows\\system32\\config\\systemprofile\\NTUSER.DAT: hive not found in "
                     "the evidence\n");
    gl_buf_free(&p);
    gl_regview_close(rv);
    gl_source_close(src);
}

Test(regview, users_without_software)
{
    gl_source *src = make_tree("regview-nosoft", false);
    gl_regview *rv = open_view(src, false);

    const gl_reguser *u;
    cr_assert_eq(gl_regview_users(rv, &u), 6);
    /* SIDs from the Admin NTUSER.DAT root owner and jdoe's UsrClass.dat root name. */
    expect_user(&u[0], SID_ADMIN, SID_ADMIN, "C:\\Users\\Admin.CORP", GL_REGUSER_SCAN);
    expect_user(&u[1], "", "Guest", "C:\\Users\\Guest", GL_REGUSER_SCAN);
    expect_user(&u[2], SID_JDOE, SID_JDOE, "C:\\Users\\jdoe", GL_REGUSER_SCAN);
    expect_user(&u[3], "S-1-5-18", "S-1-5-18", "C:\\Windows\\System32\\config\\systemprofile", GL_REGUSER_SCAN);
    expect_user(&u[4], "S-1-5-19", "S-1-5-19", "C:\\Windows\\ServiceProfiles\\LocalService", GL_REGUSER_SCAN);
    expect_user(&u[5], "S-1-5-20", "S-1-5-20", "C:\\Windows\\ServiceProfiles\\NetworkService", GL_REGUSER_SCAN);
    expect_string(rv, "HKU\\S-1-5-20\\Software\\Microsoft", "LocalServiceMarker", "local service");

    expect_string(rv, "HKU\\" SID_JDOE "\\Software\\WinRAR\\ArcHistory", "0", "C:\\Users\\jdoe\\Downloads\\finance.rar");
    expect_string(rv, "HKU\\" SID_ADMIN "\\Software\\WinRAR\\ArcHistory", "0", "C:\\Temp\\loot.rar");
    expect_key_error(rv, "HKLM\\SOFTWARE\\Microsoft",
                     "HKLM\\SOFTWARE: C:\\Windows\\System32\\config\\SOFTWARE: hive not found in the evidence");
    gl_buf p = {0};
    problems_text(rv, &p);
    cr_assert_str_eq(gl_buf_cstr(&p),
                     "E HKLM\\SOFTWARE: C:\\Windows\\System32\\config\\SOFTWARE: hive not found in the evidence\n");
    gl_buf_free(&p);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* A profile folder named in Latin-1 letters, addressed in another case. */
Test(regview, user_folder_case)
{
    gl_source *src = one_hive_source("regview-jurgen", "regview-ntuser-guest", "Users/J\xc3\xbcrgen/NTUSER.DAT");
    gl_regview *rv = open_view(src, false);
    const gl_reguser *u;
    cr_assert_eq(gl_regview_users(rv, &u), 1);
    expect_user(&u[0], "", "J\xc3\xbcrgen", "C:\\Users\\J\xc3\xbcrgen", GL_REGUSER_SCAN);
    gl_regkey k = must_key(rv, "HKU\\J\xc3\x9cRGEN\\Software\\Guest");
    expect_key_locator(k, "HKU\\J\xc3\xbcrgen\\Software\\Guest");
    gl_regview_close(rv);
    gl_source_close(src);
}

/* ---- problems ----------------------------------------------------------- */

static void collect_cb(void *ctx, gl_regview_level level, gl_err_code code, const char *msg)
{
    gl_buf_printf(ctx, "%s %s %s\n", level == GL_REGVIEW_ERROR ? "E" : "N", gl_err_code_name(code), msg);
}

Test(regview, missing_hives)
{
    gl_source *src = make_tree("regview-missing", true);
    gl_regview *rv = open_view(src, false);
    gl_buf seen = {0};
    gl_regview_set_problem_cb(rv, collect_cb, &seen);

    const char *sam = "HKLM\\SAM: C:\\Windows\\System32\\config\\SAM: hive not found in the evidence";
    expect_key_error(rv, "HKLM\\SAM\\SAM\\Domains\\Account\\Users", sam);
    expect_key_error(rv, "HKLM\\SAM\\SAM", sam); /* remembered, reported once */
    expect_key_error(rv, "HKLM\\SECURITY\\Policy",
                     "HKLM\\SECURITY: C:\\Windows\\System32\\config\\SECURITY: hive not found in the evidence");
    gl_buf s = {0};
    gl_err err;
    cr_assert_eq(gl_regview_string(rv, "HKLM\\SYSTEM\\Select", "Nope", &s, &err), -1);
    cr_assert_str_eq(err.msg, "HKLM\\SYSTEM\\Select: no value \"Nope\"");
    cr_assert_eq(err.code, GL_ERR_ABSENT);
    cr_assert_eq(gl_regview_dword(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
                                  "ComputerName", &(uint32_t){0}, &err),
                 -1);
    cr_assert_str_eq(err.msg, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName\\ComputerName: "
                              "not a DWORD");
    cr_assert_eq(err.code, GL_ERR_DAMAGED);

    /* Three-way lookups: a missing hive or key is "absent", not an error. */
    gl_regkey k;
    err.msg[0] = '\0';
    cr_assert_eq(gl_regview_find_key(rv, "HKLM\\SAM\\SAM\\Domains", &k, &err), GL_LOOKUP_ABSENT);
    cr_assert_eq(gl_regview_find_key(rv, "HKLM\\SYSTEM\\Select\\NoSuchKey", &k, &err), GL_LOOKUP_ABSENT);
    cr_assert_str_eq(err.msg, "");
    cr_assert_eq(gl_regview_find_key(rv, "HKLM\\SYSTEM\\Select", &k, &err), GL_LOOKUP_FOUND);
    uint32_t dw = 0;
    cr_assert_eq(gl_regkey_get_dword(k, "Current", &dw, &err), GL_LOOKUP_FOUND);
    cr_assert_eq(dw, 2);
    cr_assert_eq(gl_regkey_get_dword(k, "Nope", &dw, &err), GL_LOOKUP_ABSENT);
    cr_assert_eq(gl_regview_find_key(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName", &k,
                                     &err),
                 GL_LOOKUP_FOUND);
    cr_assert_eq(gl_regkey_get_dword(k, "ComputerName", &dw, &err), GL_LOOKUP_ERROR);
    cr_assert_eq(err.code, GL_ERR_DAMAGED);
    cr_assert_str_eq(err.msg, "HKLM\\SYSTEM\\ControlSet002\\Control\\ComputerName\\ComputerName\\ComputerName: "
                              "not a readable DWORD");
    cr_assert_eq(gl_regview_find_key(rv, "HKLM\\NOPE\\X", &k, &err), GL_LOOKUP_ERROR);

    cr_assert_str_eq(gl_buf_cstr(&seen),
                     "E absent HKLM\\SAM: C:\\Windows\\System32\\config\\SAM: hive not found in the evidence\n"
                     "E absent HKLM\\SECURITY: C:\\Windows\\System32\\config\\SECURITY: hive not found in the "
                     "evidence\n");
    const char *want = "E HKLM\\SAM: C:\\Windows\\System32\\config\\SAM: hive not found in the evidence\n"
                       "E HKLM\\SECURITY: C:\\Windows\\System32\\config\\SECURITY: hive not found in the evidence\n";
    gl_buf p = {0};
    problems_text(rv, &p);
    cr_assert_str_eq(gl_buf_cstr(&p), want);
    gl_buf_free(&p);
    gl_buf_free(&s);
    gl_buf_free(&seen);
    gl_regview_close(rv);
    gl_source_close(src);
}

#define PL "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-21-1-2-3-"

/* ProfileList entries that cannot be placed on the evidence are reported
 * one by one; the rest still work. */
Test(regview, hostile_profile_list)
{
    gl_source *src = one_hive_source("regview-hostile-pl", "regview-hostile-software", "Windows/System32/config/SOFTWARE");
    gl_regview *rv = open_view(src, false);
    const gl_reguser *u;
    cr_assert_eq(gl_regview_users(rv, &u), 2);
    expect_user(&u[0], "S-1-5-21-1-2-3-2009", "S-1-5-21-1-2-3-2009", "C:\\Users\\rooted", GL_REGUSER_PROFILELIST);
    expect_user(&u[1], "S-1-5-21-1-2-3-2011", "S-1-5-21-1-2-3-2011", "C:\\Users\\trail", GL_REGUSER_PROFILELIST);
    gl_buf p = {0};
    problems_text(rv, &p);
    cr_assert_str_eq(gl_buf_cstr(&p),
                     "E " PL "2001: %USERPROFILE%\\x: cannot expand %USERPROFILE% offline\n"
                     "E " PL "2002: \\\\server\\share\\u: network profile path is not on the evidence\n"
                     "E " PL "2003: %SystemDrive: unterminated %variable%\n"
                     "E " PL "2004: ProfileImagePath is empty or unreadable\n"
                     "E " PL "2005: Users\\relative: not an absolute path\n"
                     "E " PL "2006: C:\\Users\\..\\Windows: '..' is not allowed in evidence paths\n"
                     "E " PL "2007: ProfileImagePath is REG_DWORD, not a string\n"
                     "E " PL "2008: no ProfileImagePath\n"
                     "E " PL "2010: %windir%\\..\\Users\\trail\\\\: '..' is not allowed in evidence paths\n");
    expect_key_error(rv, "HKU\\S-1-5-21-1-2-3-2011\\Software",
                     "HKU\\S-1-5-21-1-2-3-2011: C:\\Users\\trail\\NTUSER.DAT: hive not found in the evidence");
    gl_buf_free(&p);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* Select\Current stored as text, or no Select at all, resolves nothing;
 * keys that only look like control sets are not listed, and 0 in Select
 * flags nothing. */
Test(regview, hostile_select)
{
    static const char *const fixtures[2] = {"regview-ntuser-guest", "regview-hostile-system"};
    gl_source *src = NULL;
    gl_regview *rv = NULL;
    const gl_regcontrolset *cs;
    for (int i = 0; i < 2; i++) {
        src = one_hive_source("regview-hostile-sel", fixtures[i], "Windows/System32/config/SYSTEM");
        rv = open_view(src, false);
        expect_key_error(rv, "HKLM\\SYSTEM\\CurrentControlSet",
                         "HKLM\\SYSTEM\\CurrentControlSet: cannot resolve CurrentControlSet: "
                         "HKLM\\SYSTEM\\Select\\Current is missing or not a DWORD");
        if (i == 0) {
            cr_assert_eq(gl_regview_control_sets(rv, &cs), 0);
            gl_regview_close(rv);
            gl_source_close(src);
        }
    }
    cr_assert_eq(gl_regview_control_sets(rv, &cs), 2);
    cr_assert_str_eq(cs[0].name, "ControlSet000");
    cr_assert(!cs[0].current && !cs[0].is_default && !cs[0].failed && !cs[0].last_known_good);
    cr_assert_str_eq(cs[1].name, "ControlSet003");
    cr_assert(!cs[1].current && cs[1].is_default && !cs[1].failed && !cs[1].last_known_good);
    must_key(rv, "HKLM\\SYSTEM\\ControlSet003\\Services");
    cr_assert_eq(gl_regview_problem_count(rv), 0);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* ---- acquisition -------------------------------------------------------- */

typedef struct recorder {
    char *members[32];
    size_t n;
} recorder;

static const char *record_member(void *ctx, gl_file *f, const char *member, gl_err *err)
{
    (void)f;
    recorder *r = ctx;
    if (r->n == 32) {
        gl_err_set(err, "recorder full");
        return NULL;
    }
    r->members[r->n] = strdup(member);
    return r->members[r->n++];
}

static void expect_members(recorder *r, size_t from, const char *const *want, size_t n)
{
    cr_assert_eq(r->n, from + n, "acquired %zu files, expected %zu", r->n - from, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(r->members[from + i], want[i]);
}

Test(regview, acquires_hive_and_logs)
{
    gl_source *src = make_tree("regview-acq", true);
    recorder rec = {0};
    gl_acquirer acq = {.ctx = &rec, .acquire = record_member};
    gl_source_set_acquirer(src, &acq);
    gl_regview *rv = open_view(src, false);
    cr_assert_eq(rec.n, 0); /* lazy: nothing read yet */

    gl_regkey k = must_key(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName");
    static const char *const sys[] = {
        "artifacts/C/Windows/System32/config/SYSTEM",
        "artifacts/C/Windows/System32/config/SYSTEM.LOG1",
        "artifacts/C/Windows/System32/config/SYSTEM.LOG2",
    };
    expect_members(&rec, 0, sys, 3);
    cr_assert_str_eq(gl_regkey_artifact(k), sys[0]);
    cr_assert_str_eq(gl_regval_artifact(gl_regkey_value(k, "ComputerName")), sys[0]);
    must_key(rv, "HKLM\\SYSTEM\\Select"); /* already open: nothing new */
    cr_assert_eq(rec.n, 3);

    /* A user hive: the profile list comes from SOFTWARE (and its logs), the
     * scan probes only the profiles the list does not name. */
    gl_regkey u = must_key(rv, "HKU\\" SID_JDOE "\\Software");
    static const char *const rest[] = {
        "artifacts/C/Windows/System32/config/SOFTWARE",
        "artifacts/C/Windows/System32/config/SOFTWARE.LOG1",
        "artifacts/C/Windows/System32/config/SOFTWARE.LOG2",
        "artifacts/C/Users/Guest/NTUSER.DAT",
        "artifacts/C/Users/jdoe/NTUSER.DAT",
        "artifacts/C/Users/jdoe/ntuser.dat.LOG1",
        "artifacts/C/Users/jdoe/ntuser.dat.LOG2",
    };
    expect_members(&rec, 3, rest, 7);
    cr_assert_str_eq(gl_regkey_artifact(u), "artifacts/C/Users/jdoe/NTUSER.DAT");
    gl_regview_close(rv);
    gl_source_close(src);
    for (size_t i = 0; i < rec.n; i++)
        free(rec.members[i]);
}

/* ---- deleted material --------------------------------------------------- */

static void expect_names(gl_regvals *vals, const char *const *want, size_t n)
{
    cr_assert_eq(vals->n, n);
    for (size_t i = 0; i < n; i++) {
        gl_buf b = {0};
        cr_assert(gl_regval_name(vals->v[i], &b));
        cr_assert_str_eq(gl_buf_cstr(&b), want[i]);
        gl_buf_free(&b);
    }
}

/* deleted-win.hivedesc: freed keys Software\Live\Removed (3 values),
 * Removed\Child (a 20000-byte value) and Software\Gone Top; two values
 * freed from Software\Live still in the slack of its value list. */
Test(regview, deleted_material)
{
    gl_source *src = one_hive_source("regview-deleted", "deleted-win", "Windows/System32/config/SOFTWARE");
    gl_regkeys subs = {0};
    gl_regvals vals = {0};

    gl_regview *plain = open_view(src, false);
    cr_assert_eq(gl_regkey_subkeys(must_key(plain, "HKLM\\SOFTWARE\\Software"), &subs), 1);
    gl_regkey live = must_key(plain, "HKLM\\SOFTWARE\\Software\\Live");
    cr_assert_eq(gl_regkey_subkeys(live, &subs), 0);
    cr_assert_eq(gl_regkey_values(live, &vals), 1);
    gl_regview_close(plain);

    gl_regview *rv = open_view(src, true);
    cr_assert_eq(gl_regkey_subkeys(must_key(rv, "HKLM\\SOFTWARE\\Software"), &subs), 2);
    expect_name(subs.v[0], "Live");
    cr_assert_not(gl_regkey_deleted(subs.v[0]));
    expect_name(subs.v[1], "Gone Top");
    cr_assert(gl_regkey_deleted(subs.v[1]));
    cr_assert_eq(gl_regkey_last_write(subs.v[1]), 134399990400000000ull);

    live = must_key(rv, "HKLM\\SOFTWARE\\Software\\Live");
    cr_assert_eq(gl_regkey_values(live, &vals), 3);
    static const char *const live_names[] = {"Kept", "Erased", "ErasedDword"};
    expect_names(&vals, live_names, 3);
    cr_assert_not(gl_regval_deleted(vals.v[0]));
    cr_assert(gl_regval_deleted(vals.v[1]) && gl_regval_deleted(vals.v[2]));
    uint32_t dw = 0;
    cr_assert(gl_regval_dword(vals.v[2], &dw));
    cr_assert_eq(dw, 0x1234u);
    expect_val_locator(vals.v[1], "HKLM\\SOFTWARE\\Software\\Live\\Erased");
    cr_assert_not(gl_regval_ok(gl_regkey_value(live, "Erased"))); /* lookups stay live */

    cr_assert_eq(gl_regkey_subkeys(live, &subs), 1);
    gl_regkey removed = subs.v[0];
    expect_name(removed, "Removed");
    cr_assert(gl_regkey_deleted(removed));
    expect_key_locator(removed, "HKLM\\SOFTWARE\\Software\\Live\\Removed");
    gl_buf cls = {0};
    cr_assert(gl_regkey_class(removed, &cls));
    cr_assert_str_eq(gl_buf_cstr(&cls), "RemovedClass");
    gl_buf_free(&cls);
    gl_buf walked = {0};
    cr_assert_eq(gl_regkey_walk(must_key(rv, "HKLM\\SOFTWARE\\Software"), walk_collect, &walked), 0);
    cr_assert_str_eq(gl_buf_cstr(&walked), "|Live|-Live\\Removed|-Live\\Removed\\Child|-Gone Top|");
    gl_buf_free(&walked);
    cr_assert_eq(gl_regkey_values(removed, &vals), 3);
    static const char *const removed_names[] = {"Cmd", "Blob", "Tiny"};
    expect_names(&vals, removed_names, 3);
    gl_buf s = {0};
    cr_assert(gl_regval_string(vals.v[0], &s));
    cr_assert_str_eq(gl_buf_cstr(&s), "powershell -enc AAAA");
    expect_val_locator(vals.v[0], "HKLM\\SOFTWARE\\Software\\Live\\Removed\\Cmd");

    /* Child is named both by Removed's freed subkey list and by the scan: once. */
    cr_assert_eq(gl_regkey_subkeys(removed, &subs), 1);
    expect_key_locator(subs.v[0], "HKLM\\SOFTWARE\\Software\\Live\\Removed\\Child");
    cr_assert_eq(gl_regkey_values(subs.v[0], &vals), 1);
    size_t len = 0;
    gl_buf scratch = {0};
    const uint8_t *big = gl_regval_binary(vals.v[0], &len, &scratch);
    cr_assert_not_null(big);
    cr_assert_eq(len, 20000);
    gl_buf_free(&scratch);

    gl_err err;
    cr_assert_eq(gl_regview_deleted_keys(rv, "HKLM\\SOFTWARE", &subs, &err), 0, "%s", err.msg);
    cr_assert_eq(subs.n, 3);
    cr_assert_eq(gl_regview_deleted_keys(rv, "HKLM\\SOFTWARE\\Software", &subs, &err), -1);
    cr_assert_str_eq(err.msg, "HKLM\\SOFTWARE\\Software: name a hive root (like HKLM\\SOFTWARE), not a key");
    cr_assert_eq(gl_regview_deleted_orphans(rv, "HKLM\\SOFTWARE", &vals, &err), 0);
    cr_assert_eq(vals.n, 0);
    gl_regview_close(rv);
    gl_source_close(src);
    gl_buf_free(&s);
    gl_regkeys_free(&subs);
    gl_regvals_free(&vals);
}

/* hivex reuses what it frees: in deleted.hive (deleted.hivedel) the six
 * freed values are left without any key, so they come back as orphans. */
Test(regview, deleted_orphans)
{
    gl_source *src = one_hive_source("regview-orphans", "deleted", "Windows/System32/config/SOFTWARE");
    gl_regview *rv = open_view(src, true);
    gl_regvals vals = {0};
    gl_err err;
    cr_assert_eq(gl_regview_deleted_orphans(rv, "hklm\\software", &vals, &err), 0, "%s", err.msg);
    cr_assert_eq(vals.n, 6);
    gl_buf all = {0};
    for (size_t i = 0; i < vals.n; i++) {
        cr_assert(gl_regval_deleted(vals.v[i]));
        gl_regval_locator(vals.v[i], &all);
        gl_buf_putc(&all, '\n');
    }
    /* Sorted so the test does not depend on where hivex put each cell. */
    int rc;
    gl_buf sorted = {0};
    char *dir = tu_tmpdir("regview-orphans-out");
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/locators", dir);
    free(dir);
    FILE *f = fopen(path.data, "w");
    cr_assert_not_null(f);
    fwrite(all.data, 1, all.len, f);
    fclose(f);
    rc = tu_runf(&sorted, NULL, "LC_ALL=C sort '%s'", path.data);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(gl_buf_cstr(&sorted), "HKLM\\SOFTWARE\\(deleted value)\\Count\n"
                                           "HKLM\\SOFTWARE\\(deleted value)\\Gone1\n"
                                           "HKLM\\SOFTWARE\\(deleted value)\\Gone2\n"
                                           "HKLM\\SOFTWARE\\(deleted value)\\Note\n"
                                           "HKLM\\SOFTWARE\\(deleted value)\\Path\n"
                                           "HKLM\\SOFTWARE\\(deleted value)\\Stay\n");
    gl_buf_free(&all);
    gl_buf_free(&sorted);
    gl_buf_free(&path);
    gl_regvals_free(&vals);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* ---- hostinfo through the view ------------------------------------------ */

Test(regview, hostinfo)
{
    gl_source *src = make_tree("regview-hostinfo", true);
    char name[64], product[64];
    cr_assert_eq(gl_hostinfo_computer_name(src, name, sizeof name), 0);
    cr_assert_str_eq(name, "WS01");
    cr_assert_eq(gl_hostinfo_product_name(src, product, sizeof product), 0);
    cr_assert_str_eq(product, "Windows 10 Pro");
    gl_source_close(src);

    char *bare = tu_tmpdir("regview-hostinfo-bare");
    src = open_dir(bare);
    free(bare);
    cr_assert_eq(gl_hostinfo_computer_name(src, name, sizeof name), -1);
    cr_assert_eq(gl_hostinfo_product_name(src, product, sizeof product), -1);
    gl_source_close(src);
}

/* ---- a real SYSTEM hive ------------------------------------------------- */

/* regipy's SYSTEM_2 (host SENSEI). python3-libregf reads Select\Current = 1,
 * Default = 1, Failed = 0, LastKnownGood = 1, one set ControlSet001 and
 * ControlSet001\Control\ComputerName\ComputerName = "SENSEI" and, walking
 * the whole tree, 20015 keys holding 49779 values. The hive is dirty
 * (sequence 205/204) and comes without logs. */
typedef struct tally {
    size_t keys, values;
    gl_regvals vals;
} tally;

static int count_key(void *ctx, gl_regkey k, const char *rel)
{
    (void)rel;
    tally *t = ctx;
    t->keys++;
    t->values += gl_regkey_values(k, &t->vals);
    return 0;
}

Test(regview, corpus_system)
{
    char *hive = tu_corpus("dev/hives/system/regipy__SYSTEM_2");
    if (!hive) /* TU_REQUIRE_CORPUS, without leaking the probe */
        cr_skip_test("skipped: ../shared not present");
    char *tree = tu_tmpdir("regview-corpus");
    place_file(tree, hive, "Windows/System32/config/SYSTEM");
    free(hive);
    gl_source *src = open_dir(tree);
    free(tree);
    gl_regview *rv = open_view(src, false);

    const gl_regcontrolset *cs;
    cr_assert_eq(gl_regview_control_sets(rv, &cs), 1);
    cr_assert_str_eq(cs[0].name, "ControlSet001");
    cr_assert(cs[0].current && cs[0].is_default && !cs[0].failed && cs[0].last_known_good);
    gl_regkey k = must_key(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName");
    expect_key_locator(k, "HKLM\\SYSTEM\\ControlSet001\\Control\\ComputerName\\ComputerName");
    expect_string(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName", "ComputerName",
                  "SENSEI");
    tally t = {0};
    cr_assert_eq(gl_regkey_walk(must_key(rv, "HKLM\\SYSTEM"), count_key, &t), 0);
    cr_assert_eq(t.keys, 20015);
    cr_assert_eq(t.values, 49779);
    gl_regvals_free(&t.vals);
    gl_buf p = {0};
    problems_text(rv, &p);
    cr_assert_str_eq(gl_buf_cstr(&p), "N HKLM\\SYSTEM: C:\\Windows\\System32\\config\\SYSTEM: dirty hive (sequence "
                                      "205/204) and no log replayed: recent writes may be missing\n");
    gl_buf_free(&p);
    gl_regview_close(rv);
    gl_source_close(src);
}

/* regipy's dirty NTUSER.DAT (sequence 567/566 by regfinfo) whose newest
 * data is only in its new-format logs: the view replays them and says so,
 * or with ignore_logs reads the primary as it is and says that. */
Test(regview, log_replay_reported)
{
    static const char *const corpus[3] = {
        "dev/robustness/hives/regipy__transactions_NTUSER.DAT",
        "dev/robustness/hives/regipy__transactions_ntuser.dat.log1",
        "dev/robustness/hives/regipy__transactions_ntuser.dat.log2",
    };
    static const char *const rel[3] = {"Users/tony/NTUSER.DAT", "Users/tony/ntuser.dat.LOG1",
                                       "Users/tony/ntuser.dat.LOG2"};
    char *tree = tu_tmpdir("regview-replay");
    for (int i = 0; i < 3; i++) {
        char *from = tu_corpus(corpus[i]);
        if (!from) {
            free(tree);
            cr_skip_test("skipped: ../shared not present");
        }
        place_file(tree, from, rel[i]);
        free(from);
    }
    gl_source *src = open_dir(tree);
    free(tree);
    for (int ignore = 0; ignore < 2; ignore++) {
        gl_regview_options opt = {.ignore_logs = ignore != 0};
        gl_err err;
        gl_regview *rv = gl_regview_open_opts(src, &opt, &err);
        cr_assert_not_null(rv);
        const gl_reguser *u;
        cr_assert_eq(gl_regview_users(rv, &u), 1);
        cr_assert_str_eq(u[0].profile_path, "C:\\Users\\tony");
        gl_buf want = {0}, p = {0};
        gl_buf_printf(&want, "HKU\\%s\\Software", u[0].name);
        must_key(rv, want.data);
        problems_text(rv, &p);
        /* The first line is SOFTWARE missing, the second this hive's note. */
        gl_buf_clear(&want);
        gl_buf_printf(&want,
                      "E HKLM\\SOFTWARE: C:\\Windows\\System32\\config\\SOFTWARE: hive not found in the evidence\n"
                      "N HKU\\%s: C:\\Users\\tony\\NTUSER.DAT: dirty hive (sequence 567/566)",
                      u[0].name);
        cr_assert_eq(strncmp(gl_buf_cstr(&p), want.data, want.len), 0, "%s", gl_buf_cstr(&p));
        const char *tail = ignore ? " and no log replayed: recent writes may be missing\n" : "; replayed LOG";
        cr_assert_eq(strncmp(p.data + want.len, tail, strlen(tail)), 0, "%s", p.data);
        gl_buf_free(&p);
        gl_buf_free(&want);
        gl_regview_close(rv);
    }
    gl_source_close(src);
}

/* Hostile files in place of hives: each refusal is an error naming the
 * view root, the file and what was wrong; nothing else breaks. */
Test(regview, not_a_hive)
{
    char *from = tu_corpus("dev/robustness/hives/EZ-Registry__NotAHive");
    if (!from)
        cr_skip_test("skipped: ../shared not present");
    char *tree = tu_tmpdir("regview-notahive");
    place_file(tree, from, "Windows/System32/config/SYSTEM");
    place_file(tree, from, "Users/x/NTUSER.DAT");
    place(tree, "regview-ntuser-guest", "Windows/System32/config/SOFTWARE"); /* a hive, but no ProfileList */
    free(from);
    gl_source *src = open_dir(tree);
    free(tree);
    gl_regview *rv = open_view(src, false);
    const char *sys = "HKLM\\SYSTEM: C:\\Windows\\System32\\config\\SYSTEM: file offset 0: base block: expected "
                      "signature \"regf\", found \"MZ\\x90\\x00\"";
    expect_key_error(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Services", sys);
    const gl_regcontrolset *cs;
    cr_assert_eq(gl_regview_control_sets(rv, &cs), 0);
    const gl_reguser *u;
    cr_assert_eq(gl_regview_users(rv, &u), 1);
    expect_user(&u[0], "", "x", "C:\\Users\\x", GL_REGUSER_SCAN);
    expect_key_error(rv, "HKU\\x\\Software",
                     "HKU\\x: C:\\Users\\x\\NTUSER.DAT: file offset 0: base block: expected signature \"regf\", "
                     "found \"MZ\\x90\\x00\"");
    gl_buf p = {0};
    problems_text(rv, &p);
    gl_buf want = {0};
    gl_buf_printf(&want,
                  "E %s\n"
                  "E HKU: HKLM\\SOFTWARE has no Microsoft\\Windows NT\\CurrentVersion\\ProfileList; looking for "
                  "profiles on disk\n"
                  "E HKU\\x: C:\\Users\\x\\NTUSER.DAT: file offset 0: base block: expected signature \"regf\", "
                  "found \"MZ\\x90\\x00\"\n",
                  sys);
    cr_assert_str_eq(gl_buf_cstr(&p), want.data);
    gl_buf_free(&p);
    gl_buf_free(&want);
    gl_regview_close(rv);
    gl_source_close(src);
}

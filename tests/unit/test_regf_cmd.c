/* `gleaner reg dump` as an analyst runs it: log discovery next to the hive
 * (any case), recovery status on stderr, exit codes, --deleted modes,
 * KEYPATH subtrees and the JSON value rendering. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <string.h>
#include "testutil.h"

#define RB(name) tu_corpus("dev/robustness/hives/" name)
#define DEV(name) tu_corpus("dev/hives/" name)

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* regipy's dirty NTUSER.DAT sits next to "...ntuser.dat.log1/.log2" (other
 * case): both are found, LOG1 is replayed and the stderr says so. */
Test(regf_cmd, finds_logs_any_case_and_reports_recovery, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    gl_buf out = {0}, err = {0};
    int rc = tu_runf(&out, &err, "'%s' reg dump --deleted exclude '%s'", tu_gleaner(),
                     RB("regipy__transactions_NTUSER.DAT"));
    cr_assert_eq(rc, 0, "%s", gl_buf_cstr(&err));
    cr_assert_eq(count_lines(gl_buf_cstr(&out)), 3105);
    cr_assert(strstr(gl_buf_cstr(&err), "regipy__transactions_NTUSER.DAT: regf 1.5, sequence 567/566 (dirty)\n"),
              "%s", gl_buf_cstr(&err));
    cr_assert(strstr(gl_buf_cstr(&err), "regipy__transactions_NTUSER.DAT: recovery applied from LOG1 (new format): 23 "
                                        "log entries, 132 pages; sequence now 588\n"),
              "%s", gl_buf_cstr(&err));
    out.len = err.len = 0;
    rc = tu_runf(&out, &err, "'%s' reg dump --logs none --deleted exclude '%s'", tu_gleaner(),
                 RB("regipy__transactions_NTUSER.DAT"));
    cr_assert_eq(rc, 0);
    cr_assert_eq(count_lines(gl_buf_cstr(&out)), 2590);
    cr_assert(strstr(gl_buf_cstr(&err), "dirty hive read without log replay (no logs used)"), "%s",
              gl_buf_cstr(&err));
    gl_buf_free(&out);
    gl_buf_free(&err);
}

Test(regf_cmd, exit_codes, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_buf out = {0}, err = {0};
    cr_assert_eq(tu_runf(&out, &err, "'%s' reg dump --help", tu_gleaner()), 0);
    cr_assert(strstr(gl_buf_cstr(&out), "usage: gleaner reg dump"));
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' reg dump", tu_gleaner()), 2);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' reg dump --deleted maybe x", tu_gleaner()), 2);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' reg frobnicate", tu_gleaner()), 2);
    err.len = 0;
    cr_assert_eq(tu_runf(NULL, &err, "'%s' reg dump '%s'", tu_gleaner(), RB("EZ-Registry__NotAHive")), 3);
    cr_assert(strstr(gl_buf_cstr(&err), "base block: expected signature \"regf\""));
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' reg dump /nonexistent/hive", tu_gleaner()), 3);
    err.len = 0;
    cr_assert_eq(tu_runf(NULL, &err, "'%s' reg dump --max-size 100000 '%s'", tu_gleaner(), DEV("sam/regipy__SAM")), 3);
    cr_assert(strstr(gl_buf_cstr(&err), "regipy__SAM: hive is 262144 bytes, over the 100000-byte limit (raise --max-size)"), "%s",
              gl_buf_cstr(&err));
    /* Partial output plus errors: exit 1. */
    out.len = 0;
    cr_assert_eq(tu_runf(&out, NULL, "'%s' reg dump '%s'", tu_gleaner(), RB("yarp__TruncatedHive")), 1);
    /* the 2 keys reachable before the cut, then the 83 key cells the file
     * still holds whose lists lie past it (unreferenced) */
    cr_assert_eq(count_lines(gl_buf_cstr(&out)), 85);
    /* A missing KEYPATH is reported, exit 1. */
    err.len = 0;
    cr_assert_eq(tu_runf(NULL, &err, "'%s' reg dump '%s' 'Software\\Nope'", tu_gleaner(),
                         DEV("ntuser/regipy__NTUSER.DAT")),
                 1);
    cr_assert(strstr(gl_buf_cstr(&err), "key 'Software\\Nope' not found or unreadable"));
    gl_buf_free(&out);
    gl_buf_free(&err);
}

/* A subtree, case-insensitively, with the values rendered by type. */
Test(regf_cmd, keypath_and_rendering, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_buf out = {0};
    int rc = tu_runf(&out, NULL, "'%s' reg dump '%s' 'software\\WINRAR\\archistory'", tu_gleaner(),
                     DEV("ntuser/regipy__NTUSER.DAT"));
    cr_assert_eq(rc, 0);
    cr_assert_eq(count_lines(gl_buf_cstr(&out)), 1);
    cJSON *k = cJSON_Parse(gl_buf_cstr(&out));
    cr_assert_not_null(k);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(k, "path")), "Software\\WinRAR\\ArcHistory");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(k, "last_write")), "2021-11-18T13:59:04.8889527Z");
    cJSON *vals = cJSON_GetObjectItem(k, "values");
    cr_assert_eq(cJSON_GetArraySize(vals), 2);
    cJSON *v0 = cJSON_GetArrayItem(vals, 0);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(v0, "name")), "0");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(v0, "type")), "REG_SZ");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(v0, "data")),
                     "C:\\Users\\tony\\Downloads\\RegistryFinder64.zip");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(vals, 1), "data")),
                     "C:\\temp\\token.zip");
    cJSON_Delete(k);

    /* DWORD as a number, MULTI_SZ as an array: Select\Current and a
     * service's DependOnService in SYSTEM. */
    out.len = 0;
    rc = tu_runf(&out, NULL, "'%s' reg dump '%s' 'Select'", tu_gleaner(), DEV("system/regipy__SYSTEM_2"));
    cr_assert_eq(rc, 0);
    k = cJSON_Parse(gl_buf_cstr(&out));
    cJSON *v;
    bool found = false;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(k, "values"))
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(v, "name")), "Current"))
            continue;
        cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(v, "type")), "REG_DWORD");
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(v, "data")));
        cr_assert_eq(cJSON_GetObjectItem(v, "data")->valuedouble, 1);
        found = true;
    }
    cr_assert(found);
    cJSON_Delete(k);
    gl_buf_free(&out);
}

/* --deleted only: just the recovered keys of BadListHive: the one in free
 * space, then an allocated key nothing references (2\subkey). */
Test(regf_cmd, deleted_only, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    gl_buf out = {0};
    int rc = tu_runf(&out, NULL, "'%s' reg dump --deleted only '%s'", tu_gleaner(), RB("yarp__BadListHive"));
    cr_assert_eq(rc, 1); /* the shared subkey list is reported */
    cr_assert_eq(count_lines(gl_buf_cstr(&out)), 2);
    cJSON *k = cJSON_ParseWithLength(gl_buf_cstr(&out), (size_t)(strchr(gl_buf_cstr(&out), '\n') - gl_buf_cstr(&out)));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(k, "deleted")));
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(k, "path")),
                     "2\\\xD0\x9D\xD0\xBE\xD0\xB2\xD1\x8B\xD0\xB9 \xD1\x80\xD0\xB0\xD0\xB7\xD0\xB4\xD0\xB5\xD0\xBB #1");
    cJSON_Delete(k);
    k = cJSON_Parse(strchr(gl_buf_cstr(&out), '\n') + 1);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(k, "deleted")));
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(k, "path")), "2\\subkey");
    cJSON_Delete(k);
    gl_buf_free(&out);
}

/* Free space is full of half-overwritten records: reading deleted material
 * must not turn into hive errors (exit 0). Counts as observed on this hive
 * (no independent reader recovers deleted cells here; the generated
 * hivex-deleted fixture is checked against its description elsewhere). */
Test(regf_cmd, deleted_material_is_not_an_error, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    gl_buf out = {0}, err = {0};
    int rc = tu_runf(&out, &err, "'%s' reg dump '%s'", tu_gleaner(), DEV("amcache/DAM-RathbunVM-Win10__Amcache.hve"));
    cr_assert_eq(rc, 0, "%s", gl_buf_cstr(&err));
    size_t deleted_keys = 0, deleted_values = 0, lines = 0;
    const char *p = gl_buf_cstr(&out);
    while (*p) {
        const char *nl = strchr(p, '\n');
        cJSON *k = cJSON_ParseWithLength(p, (size_t)(nl - p));
        cr_assert_not_null(k);
        lines++;
        deleted_keys += cJSON_IsTrue(cJSON_GetObjectItem(k, "deleted"));
        cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(k, "values")) deleted_values +=
            cJSON_IsTrue(cJSON_GetObjectItem(v, "deleted"));
        cJSON_Delete(k);
        p = nl + 1;
    }
    cr_assert_eq(lines, 972 + 40);
    cr_assert_eq(deleted_keys, 40);
    cr_assert_eq(deleted_values, 842);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

/* KEYPATH naming a key that survives only as deleted material (the hivex-
 * deleted fixture's Software\Tool): its subtree is printed and that is no
 * error; hidden by --deleted exclude it is "not found" again. */
Test(regf_cmd, keypath_of_a_deleted_key, .timeout = 60)
{
    gl_buf out = {0}, err = {0};
    char *hive = tu_fixture("hives/deleted.hive");
    int rc = tu_runf(&out, &err, "'%s' reg dump '%s' 'software\\TOOL'", tu_gleaner(), hive);
    cr_assert_eq(rc, 0, "%s", gl_buf_cstr(&err));
    cr_assert_str_eq(gl_buf_cstr(&out),
                     "{\"path\":\"Software\\\\Tool\",\"last_write\":\"2026-11-24T12:02:00.0000000Z\",\"deleted\":true,"
                     "\"recovered_from\":\"free_cell\",\"values\":[]}\n"
                     "{\"path\":\"Software\\\\Tool\\\\Sub\",\"last_write\":\"2026-11-24T12:03:00.0000000Z\",\"deleted\":"
                     "true,\"recovered_from\":\"free_cell\",\"values\":[]}\n");
    cr_assert_null(strstr(gl_buf_cstr(&err), "not found"));
    out.len = err.len = 0;
    rc = tu_runf(&out, &err, "'%s' reg dump --deleted exclude '%s' 'software\\TOOL'", tu_gleaner(), hive);
    cr_assert_eq(rc, 1);
    cr_assert_eq(out.len, 0);
    cr_assert_not_null(strstr(gl_buf_cstr(&err), "key 'software\\TOOL' not found or unreadable"));
    gl_buf_free(&out);
    gl_buf_free(&err);
}

/* The logs start above the hive's secondary sequence number (Windows'
 * partial reconcile): the status says the rule was used. Given logs are
 * used instead of the ones beside the hive, never beside them. */
Test(regf_cmd, partial_reconcile_status_and_given_logs_only, .timeout = 60)
{
    char *hive = tu_fixture("hives/replay-partial.hive");
    gl_buf out = {0}, err = {0};
    cr_assert_eq(tu_runf(&out, &err, "'%s' reg dump '%s'", tu_gleaner(), hive), 0, "%s", gl_buf_cstr(&err));
    cr_assert(strstr(gl_buf_cstr(&err), "replay-partial.hive: partial-reconcile rule used: the logs start at sequence "
                                        "17, above the hive's 7; entries of LOG1+LOG2 applied in sequence order\n"),
              "%s", gl_buf_cstr(&err));
    out.len = err.len = 0;
    cr_assert_eq(tu_runf(&out, &err, "'%s' reg dump --log1 '%s.LOG1' '%s'", tu_gleaner(), hive, hive), 0);
    cr_assert(strstr(gl_buf_cstr(&err), "recovery applied from LOG1 (new format)"), "%s", gl_buf_cstr(&err));
    cr_assert_null(strstr(gl_buf_cstr(&err), "LOG1+LOG2"), "--log1 alone must not pick up the .LOG2 beside the hive");
    gl_buf_free(&out);
    gl_buf_free(&err);
}

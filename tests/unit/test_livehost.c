/* livehost.h's portable half: how run.json's live_host records what was
 * preserved, and the --priority words; regf_data_multi_sz, which the live
 * registry backend shares with the hive parser. The Windows half runs
 * under wine in tests/wine/e2e.sh. */
#include <criterion/criterion.h>
#include <string.h>
#include "livehost.h"
#include "regf.h"

Test(livehost, json_lists_each_hive_and_log_with_how_it_was_obtained)
{
    gl_err err = {0};
    cr_assert_eq(gl_livehost_priority("normal", &err), 0);
    gl_livehost *lh = gl_livehost_new();
    gl_livehost_add(lh, "hive", "SYSTEM", "C:\\Windows\\System32\\config\\SYSTEM", "RegSaveKeyEx",
                    "artifacts/C/Windows/System32/config/SYSTEM", NULL);
    gl_livehost_add(lh, "event_log", "Security.evtx", "C:\\Windows\\System32\\winevt\\Logs\\Security.evtx", "none",
                    NULL, "as a file: denied; EvtExportLog wrote nothing");
    gl_livehost_add(lh, "hive", "SAM", "C:\\Windows\\System32\\config\\SAM", "none", NULL,
                    "RegSaveKeyEx reported success but wrote no regf hive");
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_livehost_json(lh, &j);
    gl_json_obj_end(&j);
    cr_assert_str_eq(
        gl_buf_cstr(&out),
        "{\"live_host\":{\"priority\":\"normal\",\"hives\":["
        "{\"name\":\"SYSTEM\",\"path\":\"C:\\\\Windows\\\\System32\\\\config\\\\SYSTEM\",\"method\":\"RegSaveKeyEx\","
        "\"member\":\"artifacts/C/Windows/System32/config/SYSTEM\"},"
        "{\"name\":\"SAM\",\"path\":\"C:\\\\Windows\\\\System32\\\\config\\\\SAM\",\"method\":\"none\",\"member\":null,"
        "\"detail\":\"RegSaveKeyEx reported success but wrote no regf hive\"}],"
        "\"event_logs\":[{\"name\":\"Security.evtx\",\"path\":\"C:\\\\Windows\\\\System32\\\\winevt\\\\Logs\\\\Security.evtx\","
        "\"method\":\"none\",\"member\":null,\"detail\":\"as a file: denied; EvtExportLog wrote nothing\"}]}}");
    gl_buf_free(&out);
    gl_livehost_free(lh);
}

Test(livehost, json_without_a_record_still_gives_the_facts)
{
    gl_err err = {0};
    cr_assert_eq(gl_livehost_priority("normal", &err), 0);
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_livehost_json(NULL, &j);
    gl_json_obj_end(&j);
    cr_assert_str_eq(gl_buf_cstr(&out), "{\"live_host\":{\"priority\":\"normal\",\"hives\":[],\"event_logs\":[]}}");
    gl_buf_free(&out);
}

Test(livehost, priority_takes_background_or_normal_only)
{
    gl_err err = {0};
    cr_assert_eq(gl_livehost_priority("low", &err), -1);
    cr_assert_str_eq(err.msg, "--priority: 'low' is neither background nor normal");
    cr_assert_eq(gl_livehost_priority("normal", &err), 0);
}

Test(livehost, multi_sz_bytes_split_as_the_hive_parser_splits_them)
{
    /* "a", "", "bc" then the list's terminating NULs */
    static const uint8_t data[] = {'a', 0, 0, 0, 0, 0, 'b', 0, 'c', 0, 0, 0, 0, 0};
    gl_buf out = {0};
    cr_assert_eq(regf_data_multi_sz(data, sizeof data, &out), 3);
    cr_assert_eq(out.len, 6);
    cr_assert_eq(memcmp(out.data, "a\0\0bc\0", 6), 0);
    gl_buf_clear(&out);
    cr_assert_eq(regf_data_multi_sz(NULL, 0, &out), 0);
    cr_assert_eq(out.len, 0);
    gl_buf_free(&out);
}

Test(livehost, hive_member_found_by_evidence_path_ignoring_case)
{
    gl_livehost *lh = gl_livehost_new();
    gl_livehost_add(lh, "hive", "SYSTEM", "C:\\Windows\\System32\\config\\SYSTEM", "RegSaveKeyEx",
                    "artifacts/C/Windows/System32/config/SYSTEM", NULL);
    gl_livehost_add(lh, "hive", "SAM", "C:\\Windows\\System32\\config\\SAM", "none", NULL, "denied");
    gl_livehost_add(lh, "event_log", "x.evtx", "C:\\x.evtx", "file", "artifacts/C/x.evtx", NULL);
    cr_assert_str_eq(gl_livehost_hive_member(lh, "c:\\windows\\system32\\CONFIG\\system"),
                     "artifacts/C/Windows/System32/config/SYSTEM");
    cr_assert_null(gl_livehost_hive_member(lh, "C:\\Windows\\System32\\config\\SAM"));
    cr_assert_null(gl_livehost_hive_member(lh, "C:\\x.evtx"));
    cr_assert_null(gl_livehost_hive_member(NULL, "C:\\x.evtx"));
    gl_livehost_free(lh);
}

/* TaskCache value decoders (collector/formats/taskcache) over the values
 * tests/fixtures/taskcache/mktaskcache.py writes from the public layout
 * descriptions (G DATA winreg-tasks kaitai structures, libyal winreg-kb,
 * MS-DTYP), plus truncated and hostile values. No real SOFTWARE hive is in
 * the shared corpus (its MANIFEST explains why), so there is no real
 * TaskCache value to check against. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taskcache.h"
#include "testutil.h"
#include "text.h"

static gl_buf fixture(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "taskcache/%s", name);
    char *path = tu_fixture(rel);
    gl_buf b = {0};
    cr_assert(tu_read_file(path, &b), "cannot read %s (make fixtures)", path);
    free(path);
    return b;
}

static const char *iso(uint64_t ft, char out[GL_TIME_STRLEN])
{
    if (!gl_filetime_iso(ft, 0, out))
        snprintf(out, GL_TIME_STRLEN, "unset");
    return out;
}

/* ---- Actions ------------------------------------------------------------- */

Test(taskcache, actions_v3_exec)
{
    gl_buf b = fixture("actions-v3-exec.bin");
    gl_tc_actions a;
    gl_err err = {0};
    cr_assert_eq(gl_tc_actions_decode((const uint8_t *)b.data, b.len, &a, &err), 0, "%s", err.msg);
    cr_expect_eq(a.version, 3);
    cr_expect_str_eq(a.context, "Author");
    cr_assert_eq(a.n, 1);
    cr_expect_eq(a.items[0].magic, GL_TC_ACTION_EXEC);
    cr_expect_str_eq(gl_tc_action_kind(a.items[0].magic), "exec");
    cr_expect_str_eq(a.items[0].id, "");
    cr_expect_str_eq(a.items[0].command, "C:\\Users\\Public\\svc.exe");
    cr_expect_str_eq(a.items[0].arguments, "-k netsvcs -p");
    cr_expect_str_eq(a.items[0].working_directory, "C:\\Users\\Public");
    cr_expect(a.items[0].has_flags);
    cr_expect_eq(a.items[0].flags, 0);
    gl_tc_actions_free(&a);
    gl_buf_free(&b);
}

Test(taskcache, actions_v3_every_kind)
{
    gl_buf b = fixture("actions-v3-multi.bin");
    gl_tc_actions a;
    gl_err err = {0};
    cr_assert_eq(gl_tc_actions_decode((const uint8_t *)b.data, b.len, &a, &err), 0, "%s", err.msg);
    cr_expect_str_eq(a.context, "LocalSystem");
    cr_assert_eq(a.n, 4);
    const gl_tc_action *x = &a.items[0];
    cr_expect_str_eq(x->id, "first");
    cr_expect_str_eq(x->command, "powershell.exe");
    cr_expect_str_eq(x->arguments, "-nop -w hidden -enc SQBFAFgA");
    cr_expect_str_eq(x->working_directory, "");
    cr_expect_eq(x->flags, 1);
    x = &a.items[1];
    cr_expect_str_eq(gl_tc_action_kind(x->magic), "com_handler");
    cr_expect_str_eq(x->id, "second");
    cr_expect_str_eq(x->class_id, "{0F87369F-A4E5-4CFC-BD3E-73E6154572DD}");
    cr_expect_str_eq(x->data, "<Data>ok</Data>");
    x = &a.items[2];
    cr_expect_str_eq(gl_tc_action_kind(x->magic), "send_email");
    cr_expect_str_eq(x->from, "a@example.org");
    cr_expect_str_eq(x->to, "b@example.org");
    cr_expect_str_eq(x->cc, "");
    cr_expect_str_eq(x->server, "smtp.example.org");
    cr_expect_str_eq(x->subject, "subject line");
    cr_expect_str_eq(x->body, "body text");
    cr_assert_eq(x->n_attachments, 1);
    cr_expect_str_eq(x->attachments[0], "C:\\x.txt");
    cr_assert_eq(x->n_headers, 1);
    cr_expect_str_eq(x->headers[0], "X-Tag: one");
    x = &a.items[3];
    cr_expect_str_eq(gl_tc_action_kind(x->magic), "show_message");
    cr_expect_str_eq(x->caption, "Caption");
    cr_expect_str_eq(x->content, "Message text");
    gl_tc_actions_free(&a);
    gl_buf_free(&b);
}

Test(taskcache, actions_v1_has_no_context_and_no_flags)
{
    gl_buf b = fixture("actions-v1-exec.bin");
    gl_tc_actions a;
    gl_err err = {0};
    cr_assert_eq(gl_tc_actions_decode((const uint8_t *)b.data, b.len, &a, &err), 0, "%s", err.msg);
    cr_expect_eq(a.version, 1);
    cr_expect_null(a.context);
    cr_assert_eq(a.n, 1);
    cr_expect_str_eq(a.items[0].command, "%windir%\\system32\\rundll32.exe");
    cr_expect_str_eq(a.items[0].arguments, "shell32.dll,Control_RunDLL");
    cr_expect_not(a.items[0].has_flags);
    gl_tc_actions_free(&a);
    gl_buf_free(&b);
}

static void expect_actions_error(const void *p, size_t n, const char *msg, size_t kept)
{
    gl_tc_actions a;
    gl_err err = {0};
    cr_expect_eq(gl_tc_actions_decode(p, n, &a, &err), -1);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_eq(err.code, GL_ERR_DAMAGED);
    cr_expect_eq(a.n, kept);
    gl_tc_actions_free(&a);
}

Test(taskcache, actions_damage_is_named)
{
    expect_actions_error("\x04\x00", 2, "Actions: offset 0x0: version 4: expected 1, 2 or 3", 0);
    expect_actions_error("\x01", 1, "Actions: offset 0x0: version: expected 2 bytes, only 1 left", 0);
    expect_actions_error("\x01\x00\x34\x12", 4,
                         "Actions: offset 0x2: action type 0x1234: expected 0x6666 (exec), 0x7777 (COM handler), "
                         "0x8888 (e-mail) or 0x9999 (message)",
                         0);
    expect_actions_error("\x01\x00\x66\x66\xF0\xFF\xFF\xFF", 8,
                         "Actions: offset 0x4: action id: string of 4294967280 bytes, only 0 left", 1);
    /* e-mail attachment count far beyond the value */
    expect_actions_error("\x01\x00\x88\x88\x00\x00\x00\x00"
                         "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                         "\xFF\xFF\xFF\x7F",
                         44, "Actions: offset 0x28: e-mail attachments: count 2147483647 does not fit the 0 bytes left",
                         1);

    /* Cut inside the command: the action is kept, the command is not. */
    gl_buf b = fixture("actions-v3-exec.bin");
    expect_actions_error(b.data, 60, "Actions: offset 0x18: exec command: string of 46 bytes, only 32 left", 1);
    gl_buf_free(&b);
}

/* Every prefix of every value: no crash, and either a clean shorter decode
 * (cut at an action boundary) or an error naming an offset. */
Test(taskcache, every_prefix_is_safe)
{
    const char *names[] = {"actions-v3-exec.bin", "actions-v3-multi.bin", "actions-v1-exec.bin", "triggers-v17.bin",
                           "triggers-v15.bin",    "dynamicinfo-36.bin",   "dynamicinfo-28.bin",  "sd.bin"};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        gl_buf b = fixture(names[f]);
        for (size_t n = 0; n < b.len; n++) {
            const uint8_t *p = (const uint8_t *)b.data;
            gl_err err = {0};
            int rc;
            if (names[f][0] == 'a') {
                gl_tc_actions a;
                rc = gl_tc_actions_decode(p, n, &a, &err);
                gl_tc_actions_free(&a);
            } else if (names[f][0] == 't') {
                gl_tc_triggers t;
                rc = gl_tc_triggers_decode(p, n, &t, &err);
                gl_tc_triggers_free(&t);
            } else if (names[f][0] == 'd') {
                gl_tc_dynamic_info d;
                rc = gl_tc_dynamic_info_decode(p, n, &d, &err);
            } else {
                gl_tc_sd sd;
                rc = gl_tc_sd_decode(p, n, &sd, &err);
                gl_tc_sd_free(&sd);
            }
            if (rc != 0)
                cr_expect(strstr(err.msg, ": offset 0x") != NULL, "%s[%zu]: %s", names[f], n, err.msg);
        }
        gl_buf_free(&b);
    }
}

/* ---- DynamicInfo --------------------------------------------------------- */

Test(taskcache, dynamic_info_36_and_28_bytes)
{
    char t[GL_TIME_STRLEN];
    gl_buf b = fixture("dynamicinfo-36.bin");
    gl_tc_dynamic_info d;
    gl_err err = {0};
    cr_assert_eq(gl_tc_dynamic_info_decode((const uint8_t *)b.data, b.len, &d, &err), 0, "%s", err.msg);
    cr_expect_eq(d.size, 36);
    cr_expect_eq(d.version, 3);
    cr_expect_str_eq(iso(d.created, t), "2026-11-20T09:15:00Z");
    cr_expect_str_eq(iso(d.last_run, t), "2026-11-21T03:00:00Z");
    cr_expect_eq(d.task_state, 0);
    cr_expect_eq(d.last_action_result, 0x41301);
    cr_expect(d.has_last_completed);
    cr_expect_str_eq(iso(d.last_completed, t), "2026-11-21T03:00:05Z");
    gl_buf_free(&b);

    b = fixture("dynamicinfo-28.bin");
    cr_assert_eq(gl_tc_dynamic_info_decode((const uint8_t *)b.data, b.len, &d, &err), 0, "%s", err.msg);
    cr_expect_eq(d.size, 28);
    cr_expect_str_eq(iso(d.created, t), "2026-11-20T09:15:00Z");
    cr_expect_eq(d.last_run, 0);
    cr_expect_eq(d.task_state, 0x8007042B);
    cr_expect_not(d.has_last_completed);
    gl_buf_free(&b);
}

Test(taskcache, dynamic_info_odd_sizes)
{
    uint8_t raw[40] = {3, 0, 0, 0, 0x11, 0x22};
    gl_tc_dynamic_info d;
    gl_err err = {0};
    cr_expect_eq(gl_tc_dynamic_info_decode(raw, 20, &d, &err), -1);
    cr_expect_str_eq(err.msg, "DynamicInfo: offset 0x0: 20 bytes: expected 28 (Vista/7) or 36 (Windows 8 and later)");
    /* 40 bytes: the 36-byte form is decoded, the size still reported */
    cr_expect_eq(gl_tc_dynamic_info_decode(raw, 40, &d, &err), -1);
    cr_expect_str_eq(err.msg, "DynamicInfo: offset 0x0: 40 bytes: expected 28 (Vista/7) or 36 (Windows 8 and later)");
    cr_expect_eq(d.version, 3);
    cr_expect_eq(d.created, 0x2211);
    cr_expect(d.has_last_completed);
}

/* ---- Triggers ------------------------------------------------------------ */

Test(taskcache, triggers_v17_header_bucket_and_every_trigger)
{
    char t[GL_TIME_STRLEN];
    gl_buf b = fixture("triggers-v17.bin");
    gl_tc_triggers tr;
    gl_err err = {0};
    cr_assert_eq(gl_tc_triggers_decode((const uint8_t *)b.data, b.len, &tr, &err), 0, "%s", err.msg);
    cr_expect_eq(tr.version, 0x17);
    cr_expect_str_eq(iso(tr.start_boundary.filetime, t), "2026-11-20T09:15:00Z");
    cr_expect_eq(tr.end_boundary.filetime, 0);
    cr_expect(tr.has_bucket);
    cr_expect_eq(tr.flags, GL_TC_ENABLED | GL_TC_HIDDEN | GL_TC_RUN_LEVEL_HIGHEST | GL_TC_ALLOW_START_ON_DEMAND);
    cr_expect_eq(tr.crc32, 0xDEADBEEF);
    cr_expect_str_eq(tr.principal_id, "Author");
    cr_expect_str_eq(tr.display_name, "Updater");
    cr_expect(tr.user.present);
    cr_expect_eq(tr.user.sid_type, 5);
    cr_expect_str_eq(tr.user.sid, "S-1-5-18");
    cr_expect_str_eq(tr.user.name, "SYSTEM");
    cr_expect(tr.has_settings);
    cr_expect_eq(tr.idle_duration_seconds, 600);
    cr_expect_eq(tr.idle_wait_timeout_seconds, 3600);
    cr_expect_eq(tr.execution_time_limit_seconds, 259200);
    cr_expect_eq(tr.priority, 7);
    cr_assert_eq(tr.n, 5);

    const gl_tc_trigger *x = &tr.items[0];
    cr_expect_str_eq(gl_tc_trigger_type(x->magic), "LogonTrigger");
    cr_expect_str_eq(iso(x->start.filetime, t), "2026-11-20T09:15:00Z");
    cr_expect_eq(x->delay_seconds, 30);
    cr_expect(x->enabled);
    cr_expect_str_eq(x->id, "logon1");
    cr_expect_str_eq(x->user.sid, "S-1-5-21-1-2-3-1001");
    cr_expect_str_eq(x->user.name, "WS01\\alice");

    x = &tr.items[1];
    cr_expect_str_eq(gl_tc_trigger_type(x->magic), "BootTrigger");
    cr_expect_str_eq(x->id, "boot");

    x = &tr.items[2];
    cr_expect_str_eq(gl_tc_trigger_type(x->magic), "TimeTrigger");
    cr_expect(x->start.localized);
    cr_expect_str_eq(iso(x->start.filetime, t), "2026-11-20T09:15:00Z");
    cr_expect_eq(x->repetition_interval_seconds, 300);
    cr_expect_eq(x->timeout_seconds, 3600);
    cr_expect_eq(x->schedule_mode, 1);
    cr_expect_eq(x->delay_seconds, 120);
    cr_expect(x->enabled);
    cr_expect_str_eq(x->id, "daily");

    x = &tr.items[3];
    cr_expect_str_eq(gl_tc_trigger_type(x->magic), "EventTrigger");
    cr_expect_str_eq(x->subscription, "<QueryList/>");
    cr_expect_str_eq(x->id, "");

    x = &tr.items[4];
    cr_expect_str_eq(gl_tc_trigger_type(x->magic), "SessionStateChangeTrigger");
    cr_expect_eq(x->state_change, 5);
    cr_expect_not(x->enabled);
    cr_expect(x->user.present);
    cr_expect_null(x->user.sid);
    cr_expect_str_eq(x->user.name, "");
    gl_tc_triggers_free(&tr);
    gl_buf_free(&b);
}

Test(taskcache, triggers_v15_without_principal_or_user)
{
    gl_buf b = fixture("triggers-v15.bin");
    gl_tc_triggers tr;
    gl_err err = {0};
    cr_assert_eq(gl_tc_triggers_decode((const uint8_t *)b.data, b.len, &tr, &err), 0, "%s", err.msg);
    cr_expect_eq(tr.version, 0x15);
    cr_expect_eq(tr.flags, GL_TC_ENABLED);
    cr_expect_eq(tr.crc32, 0x12345678);
    cr_expect_null(tr.principal_id);
    cr_expect_not(tr.user.present);
    cr_expect_not(tr.has_settings);
    cr_assert_eq(tr.n, 1);
    cr_expect_str_eq(gl_tc_trigger_type(tr.items[0].magic), "BootTrigger");
    cr_expect_null(tr.items[0].id);
    gl_tc_triggers_free(&tr);
    gl_buf_free(&b);
}

Test(taskcache, triggers_unknown_type_keeps_what_came_before)
{
    gl_buf b = fixture("triggers-v15.bin");
    gl_buf_append(&b, "\x11\x11\0\0\0\0\0\0", 8);
    gl_tc_triggers tr;
    gl_err err = {0};
    cr_expect_eq(gl_tc_triggers_decode((const uint8_t *)b.data, b.len, &tr, &err), -1);
    cr_expect_str_eq(err.msg, "Triggers: offset 0x98: trigger type 0x1111: expected one of 0x6666, 0x7777, 0x8888, "
                              "0xAAAA, 0xCCCC, 0xDDDD, 0xEEEE, 0xFFFF");
    cr_expect_eq(tr.n, 1);
    gl_tc_triggers_free(&tr);
    gl_buf_free(&b);
}

/* ---- SD ------------------------------------------------------------------ */

Test(taskcache, security_descriptor)
{
    gl_buf b = fixture("sd.bin");
    gl_tc_sd sd;
    gl_err err = {0};
    cr_assert_eq(gl_tc_sd_decode((const uint8_t *)b.data, b.len, &sd, &err), 0, "%s", err.msg);
    cr_expect_eq(sd.revision, 1);
    cr_expect_eq(sd.control, 0x8004);
    cr_expect_str_eq(sd.owner, "S-1-5-32-544");
    cr_expect_str_eq(sd.group, "S-1-5-18");
    cr_expect(sd.has_dacl);
    cr_expect_not(sd.has_sacl);
    cr_expect_eq(sd.dacl_aces, 2);
    gl_tc_sd_free(&sd);

    /* the owner offset pointing past the value */
    b.data[4] = (char)0xF0;
    cr_expect_eq(gl_tc_sd_decode((const uint8_t *)b.data, b.len, &sd, &err), -1);
    cr_expect_str_eq(err.msg, "SD: offset 0x0: owner at offset 0xf0: expected a SID inside the 100-byte value");
    gl_tc_sd_free(&sd);
    b.data[0] = 2;
    cr_expect_eq(gl_tc_sd_decode((const uint8_t *)b.data, b.len, &sd, &err), -1);
    cr_expect_str_eq(err.msg, "SD: offset 0x0: revision 2: expected 1");
    gl_tc_sd_free(&sd);
    gl_buf_free(&b);
}

/* ---- records ------------------------------------------------------------- */

Test(taskcache, records_of_actions_dynamic_info_triggers_and_sd)
{
    gl_buf out = {0};
    gl_json j;
    gl_err err = {0};

    gl_buf b = fixture("actions-v3-exec.bin");
    gl_tc_actions a;
    cr_assert_eq(gl_tc_actions_decode((const uint8_t *)b.data, b.len, &a, &err), 0);
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_tc_actions_json(&j, &a);
    gl_json_obj_end(&j);
    cr_expect_str_eq(out.data, "{\"version\":3,\"context\":\"Author\",\"actions\":[{\"kind\":\"exec\",\"id\":\"\","
                               "\"command\":\"C:\\\\Users\\\\Public\\\\svc.exe\",\"arguments\":\"-k netsvcs -p\","
                               "\"working_directory\":\"C:\\\\Users\\\\Public\",\"flags\":0}]}");
    gl_tc_actions_free(&a);
    gl_buf_free(&b);

    gl_buf_clear(&out);
    b = fixture("dynamicinfo-36.bin");
    gl_tc_dynamic_info d;
    cr_assert_eq(gl_tc_dynamic_info_decode((const uint8_t *)b.data, b.len, &d, &err), 0);
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_tc_dynamic_info_json(&j, &d);
    gl_json_obj_end(&j);
    cr_expect_str_eq(out.data, "{\"size\":36,\"created\":\"2026-11-20T09:15:00.0000000Z\",\"last_run\":"
                               "\"2026-11-21T03:00:00.0000000Z\",\"last_completed\":\"2026-11-21T03:00:05.0000000Z\","
                               "\"task_state\":0,\"last_action_result\":\"0x00041301\"}");
    gl_buf_free(&b);

    gl_buf_clear(&out);
    b = fixture("triggers-v15.bin");
    gl_tc_triggers t;
    cr_assert_eq(gl_tc_triggers_decode((const uint8_t *)b.data, b.len, &t, &err), 0);
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_tc_triggers_json(&j, &t);
    gl_json_obj_end(&j);
    cr_expect_str_eq(out.data, "{\"version\":21,\"flags\":\"0x00400000\",\"enabled\":true,\"hidden\":false,"
                               "\"run_level_highest\":false,\"xml_crc32\":\"0x12345678\",\"triggers\":[{\"type\":"
                               "\"BootTrigger\",\"enabled\":true,\"delay_seconds\":0,\"timeout_seconds\":0,"
                               "\"repetition_interval_seconds\":0,\"repetition_duration_seconds\":0}]}");
    gl_tc_triggers_free(&t);
    gl_buf_free(&b);

    gl_buf_clear(&out);
    b = fixture("sd.bin");
    gl_tc_sd sd;
    cr_assert_eq(gl_tc_sd_decode((const uint8_t *)b.data, b.len, &sd, &err), 0);
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_tc_sd_json(&j, &sd);
    gl_json_obj_end(&j);
    cr_expect_str_eq(out.data, "{\"owner\":\"S-1-5-32-544\",\"group\":\"S-1-5-18\",\"dacl\":true,\"dacl_aces\":2}");
    gl_tc_sd_free(&sd);
    gl_buf_free(&b);
    gl_buf_free(&out);
}

/* Task definition XML (collector/formats/taskxml): the strict reader, the
 * schema mapping, the encodings tasks come in, real task files and the
 * TaskContent of real 4698/4702 events, and hostile input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx.h"
#include "reader.h"
#include "taskxml.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------- */

/* UTF-8 (ASCII and BMP) text as UTF-16, optionally with a BOM. */
static gl_buf to_utf16(const char *s, bool be, bool bom)
{
    gl_buf b = {0};
    if (bom)
        gl_buf_append(&b, be ? "\xFE\xFF" : "\xFF\xFE", 2);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp = *p++;
        if (cp >= 0xE0) {
            cp = ((cp & 0x0F) << 12) | ((uint32_t)(p[0] & 0x3F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if (cp >= 0xC0) {
            cp = ((cp & 0x1F) << 6) | (p[0] & 0x3F);
            p += 1;
        }
        char u[2] = {(char)(be ? cp >> 8 : cp & 0xFF), (char)(be ? cp & 0xFF : cp >> 8)};
        gl_buf_append(&b, u, 2);
    }
    return b;
}

static int parse_str(gl_task *t, const char *s, gl_err *err)
{
    return gl_task_parse(t, (const uint8_t *)s, strlen(s), NULL, err);
}

static const char *SMALL =
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n"
    "<Task version=\"1.4\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n"
    "  <RegistrationInfo><Author>WS01\\mallory</Author><URI>\\Updater</URI>"
    "<Description>caf\xC3\xA9 &amp; more</Description></RegistrationInfo>\r\n"
    "  <Settings><Hidden>true</Hidden><Enabled> false </Enabled><Priority>4</Priority></Settings>\r\n"
    "  <Actions Context=\"Author\"><Exec><Command>C:\\Users\\Public\\a.exe</Command>"
    "<Arguments>-x &quot;1&quot; &#x41;&#66;</Arguments></Exec></Actions>\r\n"
    "</Task>\r\n";

static void expect_small(const gl_task *t)
{
    cr_expect_str_eq(t->schema_version, "1.4");
    cr_expect_str_eq(t->author, "WS01\\mallory");
    cr_expect_str_eq(t->uri, "\\Updater");
    cr_expect_str_eq(t->description, "caf\xC3\xA9 & more");
    cr_expect_eq(t->hidden, 1);
    cr_expect_eq(t->enabled, 0);
    cr_expect_eq(t->priority, 4);
    cr_expect_eq(t->run_only_if_idle, GL_TASK_UNSET);
    cr_expect_str_eq(t->actions_context, "Author");
    cr_assert_eq(t->n_actions, 1);
    cr_expect_eq(t->actions[0].kind, GL_TASK_EXEC);
    cr_expect_str_eq(t->actions[0].command, "C:\\Users\\Public\\a.exe");
    cr_expect_str_eq(t->actions[0].arguments, "-x \"1\" AB");
    cr_expect_null(t->actions[0].working_directory);
    cr_expect_eq(t->n_triggers, 0);
    cr_expect_null(gl_task_run_as(t));
}

/* ---- encodings ----------------------------------------------------------- */

Test(taskxml, utf8_without_bom_ignores_the_utf16_declaration)
{
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(parse_str(&t, SMALL, &err), 0, "%s", err.msg);
    cr_expect_str_eq(t.encoding, "UTF-8");
    expect_small(&t);
    gl_task_free(&t);
}

Test(taskxml, utf8_with_bom)
{
    gl_buf b = {0};
    gl_buf_puts(&b, "\xEF\xBB\xBF");
    gl_buf_puts(&b, SMALL);
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(gl_task_parse(&t, (const uint8_t *)b.data, b.len, NULL, &err), 0, "%s", err.msg);
    cr_expect_str_eq(t.encoding, "UTF-8");
    expect_small(&t);
    gl_task_free(&t);
    gl_buf_free(&b);
}

Test(taskxml, utf16_le_and_be_with_and_without_bom)
{
    struct {
        bool be, bom;
        const char *enc;
    } cases[] = {{false, true, "UTF-16LE"}, {true, true, "UTF-16BE"}, {false, false, "UTF-16LE"},
                 {true, false, "UTF-16BE"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gl_buf b = to_utf16(SMALL, cases[i].be, cases[i].bom);
        gl_task t;
        gl_err err = {0};
        cr_assert_eq(gl_task_parse(&t, (const uint8_t *)b.data, b.len, NULL, &err), 0, "case %zu: %s", i, err.msg);
        cr_expect_str_eq(t.encoding, cases[i].enc);
        expect_small(&t);
        gl_task_free(&t);
        gl_buf_free(&b);
    }
}

/* A file cut at an odd byte: what came before is kept, both problems named. */
Test(taskxml, truncated_utf16_keeps_the_start)
{
    gl_buf b = to_utf16(SMALL, false, true);
    /* UTF-16 units before "<Settings>": its bytes less one for the two-byte "é" */
    size_t units = (size_t)(strstr(SMALL, "<Settings>") - SMALL) - 1;
    size_t n = 2 + 2 * units + 1;
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(gl_task_parse(&t, (const uint8_t *)b.data, n, NULL, &err), -1);
    char want[160];
    snprintf(want, sizeof want, "offset 0x%zx: truncated UTF-16: odd trailing byte; then line 4, column 3: "
                                "unexpected end of input: expected </Task>",
             n - 1);
    cr_expect_str_eq(err.msg, want);
    cr_expect_eq(err.code, GL_ERR_DAMAGED);
    cr_expect_str_eq(t.author, "WS01\\mallory");
    cr_expect_str_eq(t.uri, "\\Updater");
    cr_expect_eq(t.n_actions, 0);
    gl_task_free(&t);
    gl_buf_free(&b);
}

Test(taskxml, unpaired_surrogate_is_named_and_replaced)
{
    gl_buf b = to_utf16("<Task><RegistrationInfo><Author>ab</Author></RegistrationInfo></Task>", false, true);
    /* replace 'a' (the 33rd character, after the BOM) with a lone high surrogate */
    size_t at = 2 + 2 * 32;
    cr_assert_eq(b.data[at], 'a');
    b.data[at] = 0x00, b.data[at + 1] = (char)0xD8;
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(gl_task_parse(&t, (const uint8_t *)b.data, b.len, NULL, &err), -1);
    cr_expect_str_eq(err.msg, "offset 0x42: unpaired UTF-16 surrogate 0xD800");
    cr_expect_str_eq(t.author, "\xEF\xBF\xBD" "b");
    gl_task_free(&t);
    gl_buf_free(&b);
}

/* ---- schema ----------------------------------------------------------------- */

Test(taskxml, triggers_principals_and_every_action_kind)
{
    const char *xml =
        "<Task version=\"1.2\">"
        "<Triggers>"
        "<LogonTrigger id=\"L\"><Enabled>false</Enabled><UserId>WS01\\bob</UserId><Delay>PT30S</Delay></LogonTrigger>"
        "<TimeTrigger><StartBoundary>2026-11-20T09:15:00</StartBoundary><EndBoundary>2027-01-01T00:00:00</EndBoundary>"
        "<Repetition><Interval>PT5M</Interval><Duration>P1D</Duration><StopAtDurationEnd>1</StopAtDurationEnd>"
        "</Repetition><RandomDelay>PT1H</RandomDelay><ExecutionTimeLimit>PT2H</ExecutionTimeLimit></TimeTrigger>"
        "<SessionStateChangeTrigger><StateChange>SessionLock</StateChange></SessionStateChangeTrigger>"
        "<EventTrigger><Subscription>&lt;QueryList&gt;&lt;/QueryList&gt;</Subscription></EventTrigger>"
        "</Triggers>"
        "<Principals><Principal id=\"Users\"><GroupId>S-1-5-32-545</GroupId></Principal>"
        "<Principal id=\"Sys\"><UserId>S-1-5-18</UserId><LogonType>ServiceAccount</LogonType>"
        "<RunLevel>HighestAvailable</RunLevel><DisplayName>SYSTEM</DisplayName></Principal></Principals>"
        "<Actions Context=\"Sys\">"
        "<Exec id=\"e\"><Command>cmd.exe</Command><Arguments>/c whoami</Arguments>"
        "<WorkingDirectory>C:\\Temp</WorkingDirectory></Exec>"
        "<ComHandler><ClassId>{0F87369F-A4E5-4CFC-BD3E-73E6154572DD}</ClassId><Data><![CDATA[<x a='1'>]]></Data>"
        "</ComHandler>"
        "<SendEmail><Server>smtp.example.org</Server><From>a@example.org</From><To>b@example.org</To>"
        "<Subject>s</Subject><Body>b</Body></SendEmail>"
        "<ShowMessage><Title>T</Title><Body>M</Body></ShowMessage>"
        "<Unknown/>"
        "</Actions></Task>";
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(parse_str(&t, xml, &err), 0, "%s", err.msg);
    cr_assert_eq(t.n_triggers, 4);
    cr_expect_str_eq(t.triggers[0].type, "LogonTrigger");
    cr_expect_str_eq(t.triggers[0].id, "L");
    cr_expect_eq(t.triggers[0].enabled, 0);
    cr_expect_str_eq(t.triggers[0].user_id, "WS01\\bob");
    cr_expect_str_eq(t.triggers[0].delay, "PT30S");
    cr_expect_str_eq(t.triggers[1].type, "TimeTrigger");
    cr_expect_str_eq(t.triggers[1].start_boundary, "2026-11-20T09:15:00");
    cr_expect_str_eq(t.triggers[1].end_boundary, "2027-01-01T00:00:00");
    cr_expect_str_eq(t.triggers[1].repetition_interval, "PT5M");
    cr_expect_str_eq(t.triggers[1].repetition_duration, "P1D");
    cr_expect_eq(t.triggers[1].repetition_stop_at_duration_end, 1);
    cr_expect_str_eq(t.triggers[1].random_delay, "PT1H");
    cr_expect_str_eq(t.triggers[1].execution_time_limit, "PT2H");
    cr_expect_eq(t.triggers[1].enabled, GL_TASK_UNSET);
    cr_expect_str_eq(t.triggers[2].state_change, "SessionLock");
    cr_expect_str_eq(t.triggers[3].subscription, "<QueryList></QueryList>");
    cr_assert_eq(t.n_principals, 2);
    cr_expect_str_eq(t.principals[0].group_id, "S-1-5-32-545");
    const gl_task_principal *p = gl_task_run_as(&t);
    cr_assert_not_null(p);
    cr_expect_str_eq(p->id, "Sys");
    cr_expect_str_eq(p->user_id, "S-1-5-18");
    cr_expect_str_eq(p->logon_type, "ServiceAccount");
    cr_expect_str_eq(p->run_level, "HighestAvailable");
    cr_expect_str_eq(p->display_name, "SYSTEM");
    cr_assert_eq(t.n_actions, 4);
    cr_expect_str_eq(t.actions[0].id, "e");
    cr_expect_str_eq(t.actions[0].working_directory, "C:\\Temp");
    cr_expect_eq(t.actions[1].kind, GL_TASK_COM_HANDLER);
    cr_expect_str_eq(t.actions[1].class_id, "{0F87369F-A4E5-4CFC-BD3E-73E6154572DD}");
    cr_expect_str_eq(t.actions[1].data, "<x a='1'>");
    cr_expect_eq(t.actions[2].kind, GL_TASK_SEND_EMAIL);
    cr_expect_str_eq(t.actions[2].server, "smtp.example.org");
    cr_expect_str_eq(t.actions[2].to, "b@example.org");
    cr_expect_eq(t.actions[3].kind, GL_TASK_SHOW_MESSAGE);
    cr_expect_str_eq(t.actions[3].title, "T");
    cr_expect_str_eq(t.actions[3].message, "M");
    gl_task_free(&t);
}

Test(taskxml, namespace_prefix_and_comments)
{
    const char *xml = "<!-- c --><t:Task xmlns:t=\"urn:x\"><!-- inside --><t:RegistrationInfo>"
                      "<t:Author>a<!-- split -->b</t:Author></t:RegistrationInfo></t:Task><!-- tail -->\n";
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(parse_str(&t, xml, &err), 0, "%s", err.msg);
    cr_expect_str_eq(t.author, "ab");
    gl_task_free(&t);
}

Test(taskxml, root_must_be_task)
{
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(parse_str(&t, "\n<Job><Actions/></Job>", &err), -1);
    cr_expect_str_eq(err.msg, "line 2: expected the root element <Task>, found <Job>");
    gl_task_free(&t);
}

/* ---- hostile input ------------------------------------------------------- */

static void expect_error(const char *xml, const char *msg, gl_err_code code)
{
    gl_task t;
    gl_err err = {0};
    cr_expect_eq(parse_str(&t, xml, &err), -1, "accepted: %s", xml);
    cr_expect_str_eq(err.msg, msg);
    cr_expect_eq(err.code, code, "%s", err.msg);
    gl_task_free(&t);
}

Test(taskxml, malformed_documents_are_named)
{
    expect_error("<Task><Actions></Task>", "line 1, column 16: expected </Actions>, found </Task>", GL_ERR_DAMAGED);
    expect_error("<Task>\n<Actions", "line 2, column 1: unterminated start tag <Actions: expected '>' before the end "
                                      "of input", GL_ERR_DAMAGED);
    expect_error("<Task>\n  <URI>x", "line 2, column 9: unexpected end of input: expected </URI>", GL_ERR_DAMAGED);
    expect_error("<Task a=1/>", "line 1, column 9: expected a quoted attribute value, found '1'", GL_ERR_DAMAGED);
    expect_error("<Task a='1' a='2'/>", "line 1, column 13: attribute \"a\" appears twice", GL_ERR_DAMAGED);
    expect_error("<Task a='<'/>", "line 1, column 10: '<' is not allowed in an attribute value", GL_ERR_DAMAGED);
    expect_error("<Task>&nbsp;</Task>",
                 "line 1, column 7: expected one of &lt; &gt; &amp; &quot; &apos; or a character reference "
                 "(other entities are never expanded)",
                 GL_ERR_DAMAGED);
    expect_error("<Task>&#0;</Task>", "line 1, column 7: character reference to U+0, which XML does not allow",
                 GL_ERR_DAMAGED);
    expect_error("<Task>&#x110000;</Task>",
                 "line 1, column 7: character reference to U+110000, which XML does not allow", GL_ERR_DAMAGED);
    expect_error("<Task>&#123456789;</Task>",
                 "line 1, column 7: malformed character reference: expected at most 8 decimal digits then ';'",
                 GL_ERR_DAMAGED);
    expect_error("<Task>a]]>b</Task>", "line 1, column 8: \"]]>\" is not allowed in character data", GL_ERR_DAMAGED);
    expect_error("<Task>\x01</Task>", "line 1, column 7: character U+0001 is not allowed in XML", GL_ERR_DAMAGED);
    expect_error("<Task>\xC3\x28</Task>", "line 1, column 7: invalid UTF-8 sequence starting with byte 0xC3",
                 GL_ERR_DAMAGED);
    expect_error("<Task><!-- x </Task>",
                 "line 1, column 7: unterminated comment: expected \"-->\" before the end of input", GL_ERR_DAMAGED);
    expect_error("<Task/><Task/>",
                 "line 1, column 8: expected the end of the document after the root element, found '<'",
                 GL_ERR_DAMAGED);
    expect_error("hello", "line 1, column 1: expected the root element, found 'h'", GL_ERR_DAMAGED);
    expect_error("", "line 1, column 1: expected the root element, found end of input", GL_ERR_DAMAGED);
}

/* Billion laughs and external entities never get a chance: the DTD that
 * would define them is refused before anything is expanded. */
Test(taskxml, doctype_and_entities_are_refused)
{
    gl_buf b = {0};
    gl_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for (int i = 1; i < 10; i++)
        gl_buf_printf(&b, " <!ENTITY lol%d \"&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;\">\n",
                      i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    gl_buf_puts(&b, "]>\n<Task><RegistrationInfo><Author>&lol9;</Author></RegistrationInfo></Task>");
    expect_error(b.data, "line 2, column 1: document type declarations are refused (no DTD processing, no entity "
                         "definitions)",
                 GL_ERR_DAMAGED);
    expect_error("<Task><URI>&xxe;</URI></Task>",
                 "line 1, column 12: expected one of &lt; &gt; &amp; &quot; &apos; or a character reference "
                 "(other entities are never expanded)",
                 GL_ERR_DAMAGED);
    gl_buf_free(&b);
}

Test(taskxml, limits_stop_deep_wide_and_huge_input)
{
    gl_buf deep = {0};
    gl_buf_puts(&deep, "<Task>");
    for (int i = 0; i < 40; i++)
        gl_buf_puts(&deep, "\n<a>");
    /* <Task> is level 1, so the 32nd <a> (line 33) is one too many */
    expect_error(deep.data, "line 33, column 1: elements nested deeper than 32 levels", GL_ERR_LIMIT);
    gl_buf_free(&deep);

    gl_buf wide = {0};
    gl_buf_puts(&wide, "<Task>");
    for (int i = 0; i < 20001; i++)
        gl_buf_puts(&wide, "<a/>");
    gl_buf_puts(&wide, "</Task>");
    expect_error(wide.data, "line 1, column 80003: more than 20000 elements", GL_ERR_LIMIT);
    gl_buf_free(&wide);

    gl_buf attr = {0};
    gl_buf_puts(&attr, "<Task a=\"");
    for (int i = 0; i < 300000; i++)
        gl_buf_putc(&attr, 'x');
    gl_buf_puts(&attr, "\"/>");
    expect_error(attr.data, "line 1, column 10: attribute value longer than 262144 bytes", GL_ERR_LIMIT);
    gl_buf_free(&attr);

    gl_buf attrs = {0};
    gl_buf_puts(&attrs, "<Task");
    for (int i = 0; i < 33; i++)
        gl_buf_printf(&attrs, " a%d='1'", i);
    gl_buf_puts(&attrs, "/>");
    expect_error(attrs.data, "line 1, column 253: more than 32 attributes on one element", GL_ERR_LIMIT);
    gl_buf_free(&attrs);

    gl_buf text = {0};
    gl_buf_puts(&text, "<Task><URI>");
    for (int i = 0; i < 300000; i++)
        gl_buf_puts(&text, i % 2 ? "&amp;" : "y");
    gl_buf_puts(&text, "</URI></Task>");
    expect_error(text.data, "line 1, column 786444: text longer than 262144 bytes", GL_ERR_LIMIT);
    gl_buf_free(&text);

    sxml_limits small = sxml_default_limits;
    small.max_bytes = 16;
    gl_task t;
    gl_err err = {0};
    cr_expect_eq(gl_task_parse(&t, (const uint8_t *)SMALL, strlen(SMALL), &small, &err), -1);
    char want[80];
    snprintf(want, sizeof want, "task definition of %zu bytes exceeds the 16-byte limit", strlen(SMALL));
    cr_expect_str_eq(err.msg, want);
    cr_expect_eq(err.code, GL_ERR_LIMIT);
    gl_task_free(&t);
}

/* Every prefix of a real document: never a crash, partial results grow. */
Test(taskxml, every_prefix_of_a_document_is_safe)
{
    gl_buf b = to_utf16(SMALL, false, true);
    for (size_t n = 0; n <= b.len; n++) {
        gl_task t;
        gl_err err = {0};
        int rc = gl_task_parse(&t, (const uint8_t *)b.data, n, NULL, &err);
        if (n < b.len - 4) /* the last bytes are the trailing CR LF */
            cr_expect_eq(rc, -1, "prefix %zu accepted", n);
        gl_task_free(&t);
    }
    gl_buf_free(&b);
}

/* Padding NULs after the root, as registry and event strings carry. */
Test(taskxml, trailing_nuls_are_accepted)
{
    const char xml[] = "<Task><RegistrationInfo><URI>\\x</URI></RegistrationInfo></Task>\0\0\0";
    gl_task t;
    gl_err err = {0};
    cr_assert_eq(gl_task_parse(&t, (const uint8_t *)xml, sizeof xml, NULL, &err), 0, "%s", err.msg);
    cr_expect_str_eq(t.uri, "\\x");
    gl_task_free(&t);
}

/* ---- real task files ----------------------------------------------------- */

static void parse_corpus(gl_task *t, const char *rel)
{
    char *path = tu_corpus(rel);
    cr_assert_not_null(path);
    gl_buf b = {0};
    cr_assert(tu_read_file(path, &b), "cannot read %s", path);
    gl_err err = {0};
    cr_assert_eq(gl_task_parse(t, (const uint8_t *)b.data, b.len, NULL, &err), 0, "%s: %s", path, err.msg);
    gl_buf_free(&b);
    free(path);
}

Test(taskxml, corpus_gameover_mimikatz_task)
{
    TU_REQUIRE_CORPUS();
    gl_task t;
    parse_corpus(&t, "dev/artifacts/tasks/APTSimulatorVM-Win10/DAM-Tasks-Win10__GameOver.xml");
    cr_expect_str_eq(t.encoding, "UTF-16LE");
    cr_expect_str_eq(t.schema_version, "1.2");
    cr_expect_str_eq(t.author, "DESKTOP-TMKU40H\\TestUser");
    cr_expect_str_eq(t.date, "2022-03-10T15:59:03");
    cr_expect_str_eq(t.uri, "\\GameOver");
    cr_assert_eq(t.n_triggers, 1);
    cr_expect_str_eq(t.triggers[0].type, "TimeTrigger");
    cr_expect_str_eq(t.triggers[0].start_boundary, "2022-03-10T15:59:00");
    cr_expect_str_eq(t.triggers[0].repetition_interval, "PT5M");
    cr_expect_eq(t.triggers[0].repetition_stop_at_duration_end, 0);
    cr_expect_eq(t.triggers[0].enabled, 1);
    cr_expect_eq(t.hidden, 0);
    cr_expect_eq(t.enabled, 1);
    cr_expect_eq(t.disallow_start_if_on_batteries, 1);
    cr_expect_eq(t.priority, 7);
    cr_expect_str_eq(t.execution_time_limit, "PT72H");
    cr_expect_str_eq(t.multiple_instances_policy, "IgnoreNew");
    cr_assert_eq(t.n_actions, 1);
    cr_expect_str_eq(t.actions[0].command, "C:\\TMP\\mim.exe");
    cr_expect_str_eq(t.actions[0].arguments, "sekurlsa::LogonPasswords > C:\\TMP\\o.txt");
    const gl_task_principal *p = gl_task_run_as(&t);
    cr_assert_not_null(p);
    cr_expect_str_eq(p->user_id, "DESKTOP-TMKU40H\\TestUser");
    cr_expect_str_eq(p->logon_type, "InteractiveToken");
    cr_expect_str_eq(p->run_level, "LeastPrivilege");
    gl_task_free(&t);
}

Test(taskxml, corpus_google_update_tasks)
{
    TU_REQUIRE_CORPUS();
    gl_task t;
    parse_corpus(&t, "dev/artifacts/tasks/APTSimulatorVM-Win10/DAM-Tasks-Win10__GoogleUpdateTaskMachineCore.xml");
    cr_expect_null(t.author);
    cr_expect_str_eq(t.version, "1.3.36.122");
    cr_expect_str_eq(t.uri, "\\GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}");
    cr_expect(strncmp(t.description, "Keeps your Google software up to date.", 38) == 0);
    cr_assert_eq(t.n_triggers, 2);
    cr_expect_str_eq(t.triggers[0].type, "LogonTrigger");
    cr_expect_str_eq(t.triggers[1].type, "CalendarTrigger");
    cr_expect_str_eq(t.triggers[1].start_boundary, "2022-03-10T15:00:48");
    cr_expect_eq(t.hidden, GL_TASK_UNSET);
    cr_assert_eq(t.n_actions, 1);
    cr_expect_str_eq(t.actions[0].command, "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe");
    cr_expect_str_eq(t.actions[0].arguments, "/c");
    cr_expect_str_eq(gl_task_run_as(&t)->user_id, "S-1-5-18");
    cr_expect_str_eq(gl_task_run_as(&t)->run_level, "HighestAvailable");
    gl_task_free(&t);

    parse_corpus(&t, "dev/artifacts/tasks/APTSimulatorVM-Win10/DAM-Tasks-Win10__GoogleUpdateTaskMachineUA.xml");
    cr_assert_eq(t.n_triggers, 1);
    cr_expect_str_eq(t.triggers[0].repetition_interval, "PT1H");
    cr_expect_str_eq(t.triggers[0].repetition_duration, "P1D");
    cr_expect_str_eq(t.actions[0].arguments, "/ua /installsource scheduler");
    gl_task_free(&t);
}

/* ---- TaskContent of real Security events -------------------------------- */

typedef struct event_task {
    uint64_t record;
    uint16_t id;
    char name[128];
    char command[128];
    char arguments[128];
    char run_as[64];
    int hidden;
} event_task;

/* Parse the TaskContent (4698/4699/4701) or TaskContentNew (4702) of every
 * event of the given ids with the same parser as the files. */
static size_t event_tasks(const char *rel, const uint32_t *ids, size_t nids, event_task *out, size_t max)
{
    char *path = tu_corpus(rel);
    cr_assert_not_null(path);
    gl_buf bytes = {0};
    cr_assert(tu_read_file(path, &bytes));
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, bytes.data, bytes.len, path);
    gl_err err = {0};
    evtx_file *f = evtx_open(&r, NULL, &err);
    cr_assert_not_null(f, "%s", err.msg);
    evtx_filter_ids(f, ids, nids);
    const evtx_event *ev;
    size_t n = 0;
    while (n < max && evtx_next(f, &ev, &err) == 1) {
        const char *xml = evtx_event_value(ev, "TaskContent");
        if (!xml || !*xml)
            xml = evtx_event_value(ev, "TaskContentNew");
        cr_assert_not_null(xml);
        event_task *et = &out[n++];
        memset(et, 0, sizeof *et);
        et->record = ev->event_record_id;
        et->id = ev->event_id;
        snprintf(et->name, sizeof et->name, "%s", evtx_event_value(ev, "TaskName"));
        gl_task t;
        gl_err terr = {0};
        cr_assert_eq(gl_task_parse(&t, (const uint8_t *)xml, strlen(xml), NULL, &terr), 0, "record %llu: %s",
                     (unsigned long long)et->record, terr.msg);
        cr_assert(t.n_actions >= 1);
        snprintf(et->command, sizeof et->command, "%s", t.actions[0].command ? t.actions[0].command : "");
        snprintf(et->arguments, sizeof et->arguments, "%s", t.actions[0].arguments ? t.actions[0].arguments : "");
        const gl_task_principal *p = gl_task_run_as(&t);
        snprintf(et->run_as, sizeof et->run_as, "%s", p && p->user_id ? p->user_id : p && p->group_id ? p->group_id : "");
        et->hidden = t.hidden;
        gl_task_free(&t);
    }
    evtx_close(f);
    gl_buf_free(&bytes);
    free(path);
    return n;
}

Test(taskxml, corpus_4698_eviltask_and_hidden_temp_task)
{
    TU_REQUIRE_CORPUS();
    const uint32_t created[] = {4698};
    event_task et[4];
    cr_assert_eq(event_tasks("dev/evtx/tasks/e2m__ID4688-4698_Persistent_scheduled_task_with_SYSTEM_privileges_creation.evtx",
                             created, 1, et, 4),
                 1);
    cr_expect_eq(et[0].record, 352964);
    cr_expect_str_eq(et[0].name, "\\eviltask");
    cr_expect_str_eq(et[0].command, "C:\\tools\\shell.cmd");
    cr_expect_str_eq(et[0].arguments, "");
    cr_expect_str_eq(et[0].run_as, "S-1-5-18");
    cr_expect_eq(et[0].hidden, 0);

    cr_assert_eq(event_tasks("dev/evtx/tasks/sbousseaden__temp_scheduled_task_4698_4699.evtx", created, 1, et, 4), 1);
    cr_expect_eq(et[0].record, 566836);
    cr_expect_str_eq(et[0].name, "\\CYAlyNSS");
    cr_expect_str_eq(et[0].command, "cmd.exe");
    cr_expect_str_eq(et[0].arguments, "/C tasklist > %windir%\\Temp\\CYAlyNSS.tmp 2>&1");
    cr_expect_str_eq(et[0].run_as, "S-1-5-18");
    cr_expect_eq(et[0].hidden, 1);
}

Test(taskxml, corpus_velociraptor_created_updated_disabled)
{
    TU_REQUIRE_CORPUS();
    const uint32_t ids[] = {4698, 4701, 4702};
    event_task et[8];
    size_t n = event_tasks("dev/evtx/tasks/velociraptor__SecurityTasks.evtx", ids, 3, et, 8);
    cr_assert_eq(n, 5);
    const struct {
        uint64_t record;
        uint16_t id;
        const char *name, *command, *arguments, *run_as;
    } want[] = {
        {20022, 4698, "\\T1053_005_OnLogon", "cmd.exe", "/c calc.exe", "RE-DEV\\yolo"},
        {20023, 4698, "\\T1053_005_OnStartup", "cmd.exe", "/c calc.exe", "S-1-5-18"},
        {20024, 4698, "\\T1053_005_powershell", "calc.exe", "", "S-1-5-32-544"},
        {20025, 4702, "\\T1053_005_OnLogon", "cmd.exe", "/c ping -n 10", "RE-DEV\\yolo"},
        {20042, 4701, "\\T1053_005_OnStartup", "cmd.exe", "/c calc.exe", "S-1-5-18"},
    };
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(et[i].record, want[i].record, "event %zu", i);
        cr_expect_eq(et[i].id, want[i].id, "event %zu", i);
        cr_expect_str_eq(et[i].name, want[i].name);
        cr_expect_str_eq(et[i].command, want[i].command);
        cr_expect_str_eq(et[i].arguments, want[i].arguments);
        cr_expect_str_eq(et[i].run_as, want[i].run_as);
    }
}

/* ---- records ------------------------------------------------------------- */

static void task_json(const gl_task *t, gl_buf *out)
{
    gl_json j;
    gl_json_init(&j, out);
    gl_json_obj_begin(&j);
    gl_task_json(&j, t);
    gl_json_obj_end(&j);
}

Test(taskxml, record_of_the_gameover_task)
{
    TU_REQUIRE_CORPUS();
    gl_task t;
    parse_corpus(&t, "dev/artifacts/tasks/APTSimulatorVM-Win10/DAM-Tasks-Win10__GameOver.xml");
    gl_buf out = {0};
    task_json(&t, &out);
    cr_expect_str_eq(
        out.data,
        "{\"encoding\":\"UTF-16LE\",\"schema_version\":\"1.2\",\"author\":\"DESKTOP-TMKU40H\\\\TestUser\","
        "\"date\":\"2022-03-10T15:59:03\",\"uri\":\"\\\\GameOver\",\"principals\":[{\"id\":\"Author\","
        "\"user_id\":\"DESKTOP-TMKU40H\\\\TestUser\",\"logon_type\":\"InteractiveToken\",\"run_level\":"
        "\"LeastPrivilege\"}],\"triggers\":[{\"type\":\"TimeTrigger\",\"start_boundary\":\"2022-03-10T15:59:00\","
        "\"enabled\":true,\"repetition_interval\":\"PT5M\",\"repetition_stop_at_duration_end\":false}],"
        "\"settings\":{\"enabled\":true,\"hidden\":false,\"run_only_if_idle\":false,"
        "\"disallow_start_if_on_batteries\":true,\"stop_if_going_on_batteries\":true,\"allow_start_on_demand\":true,"
        "\"start_when_available\":false,\"run_only_if_network_available\":false,\"wake_to_run\":false,"
        "\"allow_hard_terminate\":true,\"execution_time_limit\":\"PT72H\",\"multiple_instances_policy\":"
        "\"IgnoreNew\",\"priority\":7},\"actions_context\":\"Author\",\"actions\":[{\"kind\":\"exec\",\"command\":"
        "\"C:\\\\TMP\\\\mim.exe\",\"arguments\":\"sekurlsa::LogonPasswords > C:\\\\TMP\\\\o.txt\"}]}");
    gl_buf_free(&out);
    gl_task_free(&t);
}

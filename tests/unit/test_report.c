/* HTML reports: the host and fleet pages built from an analysis folder
 * written here, read back as text (counts, escaping, the JSON blocks) and
 * rendered by headless Chromium (what a reader sees, the timeline filter
 * from the URL, a screenshot). */
#include <criterion/criterion.h>
#include <cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "report_html.h"
#include "testutil.h"

#define HOSTILE "</script><img src=x onerror=alert(1)>"

static void put_file(const char *dir, const char *rel, const char *text)
{
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/%s", dir, rel);
    for (char *slash = strchr(path.data + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path.data, 0755); /* parents: records/, hosts/<stem>/ */
        *slash = '/';
    }
    FILE *f = fopen(path.data, "wb");
    cr_assert(f, "cannot write %s", path.data);
    fputs(text, f);
    fclose(f);
    gl_buf_free(&path);
}

static char *finding(const char *id, const char *module, const char *sev, const char *title, const char *extra)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "id", id);
    cJSON_AddStringToObject(f, "module", module);
    gl_buf rule = {0};
    gl_buf_printf(&rule, "%s.rule_%s", module, id);
    cJSON_AddStringToObject(f, "rule", rule.data);
    gl_buf_free(&rule);
    cJSON_AddStringToObject(f, "severity", sev);
    cJSON_AddStringToObject(f, "severity_reason", "the reason it is rated so");
    cJSON_AddStringToObject(f, "title", title);
    const char *attack[] = {"T1219"};
    cJSON_AddItemToObject(f, "attack", cJSON_CreateStringArray(attack, 1));
    cJSON_AddStringToObject(f, "time", "2026-11-09T14:11:38.0000000Z");
    cJSON_AddStringToObject(f, "host", "WS-TEST");
    cJSON_AddStringToObject(f, "subject", title);
    cJSON *ev = cJSON_AddArrayToObject(f, "evidence");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "artifact", "artifacts/C/Windows/System32/config/SYSTEM");
    cJSON_AddStringToObject(e, "locator", "<!-- key ControlSet001");
    cJSON_AddItemToArray(ev, e);
    cJSON *details = extra ? cJSON_Parse(extra) : cJSON_CreateObject();
    cr_assert(details, "bad extra %s", extra);
    cJSON_AddItemToObject(f, "details", details);
    char *s = cJSON_PrintUnformatted(f);
    cJSON_Delete(f);
    return s;
}

/* The chain as the correlation writes it (tactic id and name, technique,
 * the step's own artifact and locator), one step in the plainer form
 * (tactic, attack, an evidence list) the page also reads. */
#define CHAIN_DETAILS                                                                                               \
    "{\"missing\":[],\"steps\":["                                                                                    \
    "{\"time\":\"2026-11-09T14:02:00Z\",\"tactic\":\"persistence\",\"attack\":\"T1098\",\"kind\":\"account.enabled\"," \
    "\"subject\":\"svc_backup\",\"evidence\":[{\"artifact\":\"artifacts/C/Windows/System32/winevt/Logs/Security.evtx\"," \
    "\"locator\":\"EventRecordID=40\"}]},"                                                                           \
    "{\"step\":\"rmm\",\"time\":\"2026-11-09T14:11:38Z\",\"tactic\":\"TA0011\",\"tactic_name\":\"Command and Control\"," \
    "\"technique\":\"T1219\",\"kind\":\"rmm.installed\",\"module\":\"rmm\",\"subject\":\"AnyDesk\","                  \
    "\"artifact\":\"artifacts/C/Windows/System32/config/SYSTEM\",\"locator\":\"ControlSet001\\\\Services\\\\AnyDesk\"}," \
    "{\"step\":\"defences\",\"time\":\"2026-11-09T15:20:00Z\",\"tactic\":\"TA0005\",\"tactic_name\":\"Defense Evasion\"," \
    "\"technique\":\"T1562.001\",\"kind\":\"defender.exclusion.added\",\"subject\":\"C:\\\\Users\\\\Public\"}]}"

static void tl(gl_buf *b, const char *time, const char *kind, const char *module, const char *subject)
{
    gl_buf_printf(b,
                  "{\"time\":\"%s\",\"kind\":\"%s\",\"module\":\"%s\",\"host\":\"WS-TEST\",\"subject\":\"%s\","
                  "\"artifact\":\"artifacts/C/Windows/System32/winevt/Logs/System.evtx\",\"locator\":\"EventRecordID=7\","
                  "\"details\":{}}\n",
                  time, kind, module, subject);
}

/* A host folder as analyze writes it: 6 findings (3 high, one of them
 * the chain, 1 medium, 1 low, 1 info) plus a broken line, 5 timeline
 * events (2 about AnyDesk), rmm records over the cap, a partial run and
 * a bundle that failed verification. */
static char *make_host(const char *tag)
{
    char *dir = tu_tmpdir(tag);
    cr_assert(dir);
    gl_buf b = {0};
    const char *lines[] = {
        finding("a1", "logs", "high", HOSTILE, "{\"user\":\"</SCRIPT><!--\"}"),
        finding("a2", "rmm", "high", "AnyDesk present (service, files)", NULL),
        finding("a3", "defender", "medium", "Defender path exclusion C:\\Users\\Public", NULL),
        finding("a4", "tasks", "low", "Scheduled task \\WinUpdate created recently", NULL),
        finding("a5", "services", "info", "Service list read", NULL),
        finding("a6", "chain", "high", "Account reactivated, then RMM, then Defender exclusion", CHAIN_DETAILS),
    };
    for (size_t i = 0; i < 6; i++) {
        gl_buf_printf(&b, "%s\n%s", lines[i], i == 2 ? "this line is not JSON\n\n" : "");
        free((void *)lines[i]);
    }
    put_file(dir, "findings.jsonl", b.data);
    gl_buf_clear(&b);
    tl(&b, "2026-11-12T22:43:07.4182290Z", "log.cleared", "logs", "Security");
    tl(&b, "2026-11-09T14:11:38.0000000Z", "rmm.installed", "rmm", "AnyDesk");
    tl(&b, "2026-11-09T14:02:00.0000000Z", "account.enabled", "accounts", "svc_backup");
    tl(&b, "2026-11-09T15:20:00.0000000Z", "defender.exclusion.added", "defender", "C:\\\\Users\\\\Public");
    tl(&b, "2026-11-10T08:00:00.0000000Z", "rmm.connection", "rmm", "AnyDesk");
    put_file(dir, "timeline.jsonl", b.data);
    gl_buf_clear(&b);
    for (int i = 0; i < GL_REPORT_RECORDS_CAP + 5; i++)
        gl_buf_printf(&b, "{\"source\":\"service\",\"tool\":\"AnyDesk\",\"n\":%d}\n", i);
    put_file(dir, "records/rmm.jsonl", b.data);
    put_file(dir, "records/accounts.jsonl", "{\"account\":\"svc_backup\",\"enabled\":true}\n"
                                             "{\"account\":\"jdoe\",\"enabled\":true}\n");
    put_file(dir, "run.json",
             "{\"format\":\"gleaner-run/1\",\"status\":\"partial\",\"reason\":\"errors\",\"host\":\"WS-TEST\","
             "\"os\":{\"system\":\"Windows\",\"product\":\"Windows 10 Pro\"},\"gleaner_version\":\"0.1.0\","
             "\"profile\":{\"name\":\"standard\"},\"start_utc\":\"2026-12-07T07:00:26.828Z\","
             "\"end_utc\":\"2026-12-07T07:00:26.872Z\",\"errors\":[\"SYSTEM: offset 0x1020: nk cell damaged\"],"
             "\"modules\":[{\"name\":\"rmm\",\"status\":\"complete\",\"records\":205,\"findings\":1,"
             "\"timeline_events\":2,\"error_count\":0,\"errors\":[]},{\"name\":\"accounts\",\"status\":\"partial\","
             "\"records\":2,\"findings\":0,\"timeline_events\":1,\"error_count\":1,\"errors\":[\"SAM: damaged\"]}]}\n");
    put_file(dir, "analysis.json",
             "{\"bundle\":\"/cases/WS-TEST_20261207T070026Z.tar.zst\",\"sha256\":\"c9483a2f\",\"verified\":false,"
             "\"verify_problems\":[\"artifacts/C/Windows/System32/config/SAM: sha256 differs from the manifest\"]}\n");
    gl_buf_free(&b);
    return dir;
}

static char *read_report(const char *dir)
{
    gl_buf path = {0}, html = {0};
    gl_buf_printf(&path, "%s/report.html", dir);
    cr_assert(tu_read_file(path.data, &html), "no %s", path.data);
    gl_buf_free(&path);
    return html.data;
}

static char *host_report(const char *dir)
{
    gl_err err = {0};
    cr_assert_eq(gl_report_host_html(dir, &err), 0, "%s", err.msg);
    return read_report(dir);
}

/* The parsed JSON of <script type="application/json" id="ID">. */
static cJSON *block(const char *html, const char *id)
{
    gl_buf open = {0};
    gl_buf_printf(&open, "<script type=\"application/json\" id=\"%s\">", id);
    const char *start = strstr(html, open.data);
    cr_assert(start, "no block %s", id);
    start += open.len;
    gl_buf_free(&open);
    const char *end = strstr(start, "</script>");
    cr_assert(end);
    cJSON *doc = cJSON_ParseWithLength(start, (size_t)(end - start));
    cr_assert(doc, "block %s is not JSON", id);
    return doc;
}

static double num(const cJSON *obj, const char *path1, const char *path2)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, path1), path2);
    cr_assert(cJSON_IsNumber(v), "%s.%s is not a number", path1, path2);
    return v->valuedouble;
}

Test(report, host_page_counts_and_blocks)
{
    char *dir = make_host("report-host");
    char *html = host_report(dir);
    cr_assert_eq(tu_count(html, "<b id=\"count-high\">3</b>"), 1);
    cr_assert_eq(tu_count(html, "<b id=\"count-medium\">1</b>"), 1);
    cr_assert_eq(tu_count(html, "<b id=\"count-low\">1</b>"), 1);
    cr_assert_eq(tu_count(html, "<b id=\"count-info\">1</b>"), 1);
    cr_assert_eq(tu_count(html, "count-other"), 0);
    cr_assert_eq(tu_count(html, "<strong>UNVERIFIED bundle</strong>"), 1);
    cr_assert_eq(tu_count(html, "SAM: sha256 differs from the manifest"), 1);
    cr_assert_eq(tu_count(html, "<span class=\"status st-partial\" id=\"run-status\">partial</span> (errors)"), 1);
    cr_assert_eq(tu_count(html, "<li>SYSTEM: offset 0x1020: nk cell damaged</li>"), 1);
    cr_assert_eq(tu_count(html, "<dt>OS</dt><dd>Windows 10 Pro</dd>"), 1);
    cr_assert_eq(tu_count(html, "<title>gleaner report: WS-TEST</title>"), 1);

    cJSON *meta = block(html, "gl-meta");
    cr_assert_eq(num(meta, "findings", "total"), 7); /* six findings and the broken line */
    cr_assert_eq(num(meta, "findings", "shown"), 6);
    cr_assert_eq(num(meta, "findings", "bad"), 1);
    cr_assert_eq(num(meta, "findings", "chains"), 1);
    cr_assert_eq(num(meta, "timeline", "total"), 5);
    cr_assert_eq(num(meta, "timeline", "shown"), 5);
    cr_assert_eq(num(meta, "caps", "records"), GL_REPORT_RECORDS_CAP);
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(meta, "records");
    cr_assert_eq(cJSON_GetArraySize(recs), 2);
    const cJSON *acc = cJSON_GetArrayItem(recs, 0), *rmm = cJSON_GetArrayItem(recs, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(acc, "module")->valuestring, "accounts");
    cr_assert_eq(cJSON_GetObjectItem(acc, "shown")->valuedouble, 2);
    cr_assert_str_eq(cJSON_GetObjectItem(rmm, "module")->valuestring, "rmm");
    cr_assert_str_eq(cJSON_GetObjectItem(rmm, "file")->valuestring, "records/rmm.jsonl");
    cr_assert_eq(cJSON_GetObjectItem(rmm, "total")->valuedouble, GL_REPORT_RECORDS_CAP + 5);
    cr_assert_eq(cJSON_GetObjectItem(rmm, "shown")->valuedouble, GL_REPORT_RECORDS_CAP);
    cJSON *rb = block(html, "gl-rec-1");
    cr_assert_eq(cJSON_GetArraySize(rb), GL_REPORT_RECORDS_CAP);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rb, GL_REPORT_RECORDS_CAP - 1), "n")->valuedouble,
                 GL_REPORT_RECORDS_CAP - 1);

    /* high first, then medium, low, info; each kept in file order */
    cJSON *fs = block(html, "gl-findings");
    const char *order[] = {"a1", "a2", "a6", "a3", "a4", "a5"};
    cr_assert_eq(cJSON_GetArraySize(fs), 6);
    for (int i = 0; i < 6; i++)
        cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fs, i), "id")->valuestring, order[i]);
    cJSON_Delete(rb);
    cJSON_Delete(fs);
    cJSON_Delete(meta);
    free(html);
}

Test(report, hostile_strings_stay_inside_their_block)
{
    char *dir = make_host("report-hostile");
    char *html = host_report(dir);
    /* scripts: common.js, host.js, findings, timeline, 2 record blocks, meta */
    cr_assert_eq(tu_count(html, "<script"), 7);
    cr_assert_eq(tu_count(html, "</script>"), 7);
    cr_assert_eq(tu_count(html, "</SCRIPT>"), 0);
    cr_assert_eq(tu_count(html, "<img"), 0);
    cr_assert_eq(tu_count(html, "<!--"), 0); /* neither the template's markers nor the evidence's */
    /* title and subject */
    cr_assert_eq(tu_count(html, "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"), 2);
    cr_assert_eq(tu_count(html, "\\u003c/SCRIPT\\u003e\\u003c!--"), 1);
    /* and it reads back as the very same string */
    cJSON *fs = block(html, "gl-findings");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fs, 0), "title")->valuestring, HOSTILE);
    cJSON_Delete(fs);
    /* scripts run only by hash: an injected handler would not */
    cr_assert_eq(tu_count(html, "script-src 'sha256-"), 1);
    cr_assert_eq(tu_count(html, "default-src 'none'"), 1);
    free(html);
}

Test(report, findings_over_the_cap_keep_the_most_severe)
{
    char *dir = tu_tmpdir("report-cap");
    gl_buf b = {0};
    for (int i = 0; i < GL_REPORT_FINDINGS_CAP + 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "l%d", i);
        char *f = finding(id, "files", "low", "a low finding", NULL);
        gl_buf_printf(&b, "%s\n", f);
        free(f);
    }
    char *f = finding("h1", "yara", "high", "the one high finding, last in the file", NULL);
    gl_buf_printf(&b, "%s\n", f);
    free(f);
    put_file(dir, "findings.jsonl", b.data);
    gl_buf_free(&b);
    char *html = host_report(dir);
    cJSON *fs = block(html, "gl-findings"), *meta = block(html, "gl-meta");
    cr_assert_eq(cJSON_GetArraySize(fs), GL_REPORT_FINDINGS_CAP);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fs, 0), "id")->valuestring, "h1");
    cr_assert_eq(num(meta, "findings", "total"), GL_REPORT_FINDINGS_CAP + 6);
    cr_assert_eq(tu_count(html, "<b id=\"count-low\">2005</b>"), 1);
    /* no run.json, no analysis.json: the page says so instead of guessing */
    cr_assert_eq(tu_count(html, "Verification not recorded"), 1);
    cJSON_Delete(fs);
    cJSON_Delete(meta);
    free(html);
}

Test(report, missing_folder_is_an_error_naming_it)
{
    gl_err err = {0};
    cr_assert_eq(gl_report_host_html("/nonexistent/report-host", &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent/report-host/.report.html.tmp"), "%s", err.msg);
}

/* ---- fleet ------------------------------------------------------------------ */

static void fleet_host(const char *out, const char *stem, const char *host, int high, int medium)
{
    gl_buf rel = {0}, b = {0};
    for (int i = 0; i < high + medium; i++) {
        char *f = finding("f", "rmm", i < high ? "high" : "medium", "t", NULL);
        gl_buf_printf(&b, "%s\n", f);
        free(f);
    }
    gl_buf_clear(&rel);
    gl_buf_printf(&rel, "hosts/%s/findings.jsonl", stem);
    put_file(out, rel.data, b.data ? b.data : "");
    gl_buf_clear(&rel);
    gl_buf_clear(&b);
    gl_buf_printf(&rel, "hosts/%s/run.json", stem);
    gl_buf_printf(&b, "{\"host\":\"%s\",\"status\":\"complete\",\"os\":{\"product\":\"Windows 11 Pro\"}}", host);
    put_file(out, rel.data, b.data);
    gl_buf_free(&rel);
    gl_buf_free(&b);
}

static char *make_fleet(void)
{
    char *out = tu_tmpdir("report-fleet");
    fleet_host(out, "A_20261207T070026Z", "A", 1, 3);
    fleet_host(out, "B_20261207T070027Z", "B", 2, 0);
    fleet_host(out, "C_20261207T070028Z", "C", 0, 0);
    put_file(out, "hosts/B_20261207T070027Z/analysis.json", "{\"verified\":false}");
    put_file(out, "fleet.csv",
             "host,bundle,rmm_tools,defender_exclusions\r\n"
             "A,A_20261207T070026Z,AnyDesk,\r\n"
             "B,B_20261207T070027Z,\"AnyDesk;Splashtop\",\"path:C:\\Users\\Public, \"\"quoted\"\"\nsecond line\"\r\n"
             "C,C_20261207T070028Z,," HOSTILE "\r\n");
    /* analyze's combined findings: one cross-host finding among the hosts' own */
    char *own = finding("o1", "rmm", "high", "t", NULL);
    gl_buf b = {0};
    gl_buf_printf(&b,
                  "%s\n{\"id\":\"x1\",\"module\":\"fleet\",\"rule\":\"fleet.shared_rmm_id\",\"severity\":\"high\","
                  "\"title\":\"Same remote-management peer ID on several hosts: 1 234 567\",\"evidence\":["
                  "{\"host\":\"A\",\"bundle\":\"A_20261207T070026Z\",\"artifact\":\"artifacts/C/ad.trace\",\"locator\":\"line 3\"},"
                  "{\"host\":\"B\",\"bundle\":\"B_20261207T070027Z\",\"artifact\":\"artifacts/C/ad.trace\",\"locator\":\"line 9\"}]}\n",
                  own);
    free(own);
    put_file(out, "findings.jsonl", b.data);
    gl_buf_free(&b);
    return out;
}

Test(report, fleet_ranks_hosts_and_carries_fleet_csv)
{
    char *out = make_fleet();
    gl_err err = {0};
    cr_assert_eq(gl_report_fleet_html(out, &err), 0, "%s", err.msg);
    char *html = read_report(out);
    cr_assert_eq(tu_count(html, "<dd id=\"fleet-hosts\">3</dd>"), 1);
    cr_assert_eq(tu_count(html, "<dd id=\"fleet-high-hosts\">2</dd>"), 1);
    cr_assert_eq(tu_count(html, "<b id=\"count-high\">3</b>"), 1);
    cr_assert_eq(tu_count(html, "<b id=\"count-medium\">3</b>"), 1);
    cr_assert_eq(tu_count(html, "1 UNVERIFIED bundle</strong>"), 1);
    cr_assert_eq(tu_count(html, "<img"), 0);
    cJSON *hosts = block(html, "gl-hosts");
    const char *order[] = {"B", "A", "C"};
    cr_assert_eq(cJSON_GetArraySize(hosts), 3);
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, i), "host")->valuestring, order[i]);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, 0), "verified")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, 1), "verified")));
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, 1), "dir")->valuestring, "A_20261207T070026Z");
    cJSON *csv = block(html, "gl-fleet");
    cr_assert_eq(cJSON_GetArraySize(csv), 4);
    cJSON *rowb = cJSON_GetArrayItem(csv, 2);
    cr_assert_eq(cJSON_GetArraySize(rowb), 4);
    cr_assert_str_eq(cJSON_GetArrayItem(rowb, 2)->valuestring, "AnyDesk;Splashtop");
    cr_assert_str_eq(cJSON_GetArrayItem(rowb, 3)->valuestring, "path:C:\\Users\\Public, \"quoted\"\nsecond line");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(csv, 3), 3)->valuestring, HOSTILE);
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(csv, 3), 2)->valuestring, "");
    cJSON *cross = block(html, "gl-cross");
    cr_assert_eq(cJSON_GetArraySize(cross), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cross, 0), "id")->valuestring, "x1");
    cJSON_Delete(cross);
    cJSON_Delete(hosts);
    cJSON_Delete(csv);
    free(html);
}

/* ---- in a browser -------------------------------------------------------------- */

/* Headless Chromium on file://DIR/report.html#FRAGMENT: the DOM after the
 * page's script ran, or a screenshot when shot is given, and what it
 * logged. Chromium is a test dependency (tools/install-deps.sh): missing,
 * the test fails. */
static void chromium_run(const char *dir, const char *fragment, const char *shot, gl_buf *dom, gl_buf *err)
{
    cr_assert_eq(tu_run("command -v chromium", NULL, NULL), 0,
                 "chromium is not installed (tools/install-deps.sh installs it)");
    char real[PATH_MAX];
    cr_assert(realpath(dir, real));
    int rc = tu_runf(dom, err,
                     "timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
                     "--user-data-dir='%s/chromium-profile' --enable-logging=stderr --v=0 %s%s "
                     "'file://%s/report.html%s%s'",
                     real, shot ? "--window-size=1366,900 --screenshot=" : "--dump-dom", shot ? shot : "", real,
                     fragment ? "#" : "", fragment ? fragment : "");
    cr_assert_eq(rc, 0, "chromium failed (%d): %s", rc, err->data ? err->data : "");
    if (!err->data)
        gl_buf_puts(err, "");
}

/* The same, asserting that the page's scripts ran without an error and
 * nothing was refused by its policy. */
static void chromium(const char *dir, const char *fragment, const char *shot, gl_buf *dom)
{
    gl_buf err = {0};
    chromium_run(dir, fragment, shot, dom, &err);
    cr_assert_eq(tu_count(err.data, "Uncaught"), 0, "script error: %s", err.data);
    cr_assert_eq(tu_count(err.data, "Content Security Policy"), 0, "CSP refused: %s", err.data);
    gl_buf_free(&err);
}

Test(report, chromium_renders_findings_counts_and_filter, .timeout = 300)
{
    char *dir = make_host("report-chromium");
    free(host_report(dir));

    gl_buf dom = {0};
    chromium(dir, NULL, NULL, &dom);
    cr_assert(dom.data && dom.len > 0);
    /* finding titles, rendered as text (the hostile one included, inert) */
    cr_assert_eq(tu_count(dom.data, "<h4>AnyDesk present (service, files)</h4>"), 1);
    cr_assert_eq(tu_count(dom.data, "<h4>Defender path exclusion C:\\Users\\Public</h4>"), 1);
    cr_assert_eq(tu_count(dom.data, "<h4>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</h4>"), 1);
    cr_assert_eq(tu_count(dom.data, "<img"), 0);
    /* counts, and the severity groups the script drew */
    cr_assert_eq(tu_count(dom.data, "<b id=\"count-high\">3</b>"), 1);
    cr_assert_eq(tu_count(dom.data, "<div class=\"group\" id=\"findings-high\"><h3><span class=\"badge sev-high\">high</span>3 findings</h3>"), 1);
    cr_assert_eq(tu_count(dom.data, "<div class=\"group\" id=\"findings-medium\">"), 1);
    /* the chain: its three steps in order, with the time span */
    cr_assert_eq(tu_count(dom.data, "<li class=\"step\">"), 3);
    cr_assert_eq(tu_count(dom.data, "3 steps from 2026-11-09T14:02:00Z to 2026-11-09T15:20:00Z (1 h 18 min)"), 1);
    cr_assert_eq(tu_count(dom.data, "<span class=\"chip\">persistence</span><span class=\"arrow\">→</span>"
                                    "<span class=\"chip\">Command and Control</span><span class=\"arrow\">→</span>"
                                    "<span class=\"chip\">Defense Evasion</span>"), 1);
    cr_assert_eq(tu_count(dom.data, "<strong title=\"TA0011\">Command and Control</strong> <span class=\"chip\">T1219</span> "
                                    "<em>rmm</em>: rmm.installed AnyDesk<span class=\"loc\"> (rmm)</span><div class=\"ev\">"
                                    "artifacts/C/Windows/System32/config/SYSTEM — ControlSet001\\Services\\AnyDesk</div>"), 1);
    /* the timeline, unfiltered: 5 facts and 6 findings */
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 11);
    cr_assert_eq(tu_count(dom.data, "11 of 11 rows shown"), 1);
    /* records: the cap is said where it applies */
    cr_assert_eq(tu_count(dom.data, "5 more in records/rmm.jsonl"), 1);
    cr_assert_eq(tu_count(dom.data, "1 unreadable line in findings.jsonl left out."), 1);
    cr_assert_eq(tu_count(dom.data, "<p class=\"note\">This page shows"), 0); /* all 6 findings are on it */
    cr_assert_eq(tu_count(dom.data, "<details class=\"modules\" open=\"\">"), 1); /* accounts was partial */
    gl_buf_free(&dom);

    /* #filter= from the URL: only the AnyDesk rows remain (2 facts, the
     * finding, and the chain whose step names AnyDesk) */
    chromium(dir, "filter=anydesk", NULL, &dom);
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 4);
    cr_assert_eq(tu_count(dom.data, "4 of 11 rows shown"), 1);
    cr_assert_eq(tu_count(dom.data, "<td>log.cleared</td>"), 0);
    cr_assert_eq(tu_count(dom.data, "<td>rmm.installed</td>"), 1);
    gl_buf_free(&dom);
    chromium(dir, "filter=anydesk&severity=fact", NULL, &dom);
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 2);
    gl_buf_free(&dom);

    gl_buf shot = {0};
    gl_buf_printf(&shot, "%s/report.png", dir);
    chromium(dir, NULL, shot.data, NULL);
    gl_buf png = {0};
    cr_assert(tu_read_file(shot.data, &png), "no screenshot %s", shot.data);
    cr_assert_gt(png.len, 10000);
    cr_assert_eq(memcmp(png.data, "\x89PNG\r\n\x1a\n", 8), 0);
    gl_buf_free(&png);
    gl_buf_free(&shot);
}

Test(report, chromium_fleet_page_links_hosts, .timeout = 300)
{
    char *out = make_fleet();
    gl_err err = {0};
    cr_assert_eq(gl_report_fleet_html(out, &err), 0, "%s", err.msg);
    gl_buf dom = {0};
    chromium(out, NULL, NULL, &dom);
    cr_assert_eq(tu_count(dom.data, "class=\"host-row"), 3);
    /* the ranked table, the matrix and the cross-host finding */
    cr_assert_eq(tu_count(dom.data, "<a href=\"hosts/B_20261207T070027Z/report.html\">B</a>"), 3);
    cr_assert(strstr(dom.data, ">B</a>") < strstr(dom.data, ">A</a>"));
    cr_assert_eq(tu_count(dom.data, "<span class=\"unverified\">UNVERIFIED</span>"), 1);
    cr_assert_eq(tu_count(dom.data, "<td class=\"wrap has\"><div>AnyDesk</div><div>Splashtop</div></td>"), 1);
    cr_assert_eq(tu_count(dom.data, "<h4>Same remote-management peer ID on several hosts: 1 234 567</h4>"), 1);
    cr_assert_eq(tu_count(dom.data, "<li><a href=\"hosts/A_20261207T070026Z/report.html\">A</a>: artifacts/C/ad.trace"), 1);
    cr_assert_eq(tu_count(dom.data, "<img"), 0);
    gl_buf_free(&dom);
    chromium(out, "filter=splashtop", NULL, &dom);
    cr_assert_eq(tu_count(dom.data, "class=\"host-row"), 1);
    cr_assert_eq(tu_count(dom.data, "1 of 3 hosts match"), 1);
    gl_buf_free(&dom);
}

/* analyze writes timeline.jsonl for Timesketch, findings included: the
 * page reads that shape too and does not list a finding twice. */
Test(report, chromium_timesketch_timeline_lists_each_row_once, .timeout = 300)
{
    char *dir = tu_tmpdir("report-timesketch");
    char *f = finding("t1", "rmm", "high", "AnyDesk: portable or moved copy (1)", NULL);
    gl_buf b = {0};
    gl_buf_printf(&b, "%s\n", f);
    free(f);
    put_file(dir, "findings.jsonl", b.data);
    gl_buf_clear(&b);
    static const char *const kinds[] = {"rmm.installed", "task.created"};
    for (int i = 0; i < 2; i++)
        gl_buf_printf(&b,
                      "{\"message\":\"%s: subject %d\",\"datetime\":\"2026-11-09T14:1%d:00.0000000Z\","
                      "\"timestamp_desc\":\"%s\",\"data_type\":\"gleaner:timeline\",\"host\":\"WS-TEST\","
                      "\"module\":\"rmm\",\"event\":\"%s\",\"subject\":\"s\",\"details\":\"{}\"}\n",
                      kinds[i], i, i, kinds[i], kinds[i]);
    gl_buf_printf(&b, "{\"message\":\"[high] rmm.rule_t1: AnyDesk: portable or moved copy (1)\","
                      "\"datetime\":\"2026-11-09T14:11:38.0000000Z\",\"timestamp_desc\":\"Finding time\","
                      "\"data_type\":\"gleaner:finding\",\"module\":\"rmm\",\"event\":\"rmm.rule_t1\","
                      "\"severity\":\"high\",\"details\":\"{}\"}\n");
    put_file(dir, "timeline.jsonl", b.data);
    gl_buf_free(&b);
    free(host_report(dir));
    gl_buf dom = {0};
    chromium(dir, NULL, NULL, &dom);
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 3);
    cr_assert_eq(tu_count(dom.data, "<td>rmm.installed</td><td class=\"wrap\">subject 0</td>"), 1);
    cr_assert_eq(tu_count(dom.data, "<td class=\"time\">2026-11-09T14:11:38.0000000Z</td>"), 1);
    cr_assert_eq(tu_count(dom.data, "<td class=\"wrap\">AnyDesk: portable or moved copy (1)</td>"), 1);
    gl_buf_free(&dom);
}

static void put_bytes(const char *dir, const char *rel, const char *data, size_t n)
{
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/%s", dir, rel);
    FILE *f = fopen(path.data, "wb");
    cr_assert(f);
    fwrite(data, 1, n, f);
    fclose(f);
    gl_buf_free(&path);
}

/* Whatever the files hold, the page is written, its blocks parse, and its
 * script runs to the end without an error. */
Test(report, damaged_inputs_still_give_a_working_page, .timeout = 300)
{
    char *dir = tu_tmpdir("report-damaged");
    gl_buf b = {0};
    static const char nul_line[] = "{\"id\":\"n1\",\"severity\":\"high\",\"title\":\"nul\0byte\"}\n";
    gl_buf_append(&b, nul_line, sizeof nul_line - 1);
    gl_buf_puts(&b, "{\"id\":\"u1\",\"severity\":\"medium\",\"title\":\"\xff\xfe not UTF-8 \xc3\"}\n");
    gl_buf_puts(&b, "{\"id\":\"w1\",\"severity\":7,\"title\":[\"x\"],\"evidence\":\"str\",\"attack\":\"T1\","
                    "\"module\":\"__proto__\",\"details\":{\"steps\":[1,\"two\",null,{\"time\":5,\"tactic\":{}}]}}\n");
    gl_buf_puts(&b, "{\"id\":\"e1\",\"severity\":\"high\",\"module\":\"constructor\",\"evidence\":[null,3,"
                    "{\"artifact\":{\"x\":1}}],\"details\":[]}\n");
    gl_buf_puts(&b, "[1,2]\n");
    for (int i = 0; i < 5000; i++)
        gl_buf_putc(&b, '[');
    gl_buf_putc(&b, '\n');
    gl_buf_puts(&b, "{\"title\":\"");
    for (size_t i = 0; i < GL_REPORT_LINE_MAX; i++)
        gl_buf_putc(&b, 'a');
    gl_buf_puts(&b, "\"}\n");
    put_bytes(dir, "findings.jsonl", b.data, b.len);
    gl_buf_free(&b);
    put_file(dir, "timeline.jsonl", "{\"time\":null,\"kind\":5}\n{\"datetime\":{\"a\":1},\"message\":[]}\n\x01\x02\n");
    put_file(dir, "records/__proto__.jsonl", "{\"a\":{\"b\":[1,2]},\"__proto__\":1,\"constructor\":\"x\"}\n");
    put_file(dir, "run.json", "{\"os\":5,\"modules\":\"no\",\"errors\":{\"a\":1},\"status\":7,\"host\":[\"x\"]}");
    put_file(dir, "analysis.json", "{\"verified\":\"yes\",\"verify_problems\":5,\"collection\":[]}");

    char *html = host_report(dir);
    cJSON *meta = block(html, "gl-meta"), *fs = block(html, "gl-findings");
    cr_assert_eq(num(meta, "findings", "total"), 7);
    cr_assert_eq(num(meta, "findings", "bad"), 3); /* the array, the nesting, the long line */
    cr_assert_eq(cJSON_GetArraySize(fs), 4);
    const char *order[] = {"n1", "e1", "u1", "w1"}; /* high, high, medium, then the unknown severity */
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fs, i), "id")->valuestring, order[i]);
    cr_assert_eq(tu_count(html, "<b id=\"count-other\">1</b>"), 1);
    cr_assert_eq(tu_count(html, "Verification not recorded"), 1); /* "yes" is not a verdict */
    cr_assert_eq(num(meta, "timeline", "bad"), 1);
    cJSON_Delete(meta);
    cJSON_Delete(fs);
    free(html);
    gl_buf dom = {0};
    chromium(dir, NULL, NULL, &dom); /* asserts no script error */
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 6); /* 2 timeline lines, 4 findings */
    cr_assert_eq(tu_count(dom.data, "<article class=\"finding"), 4);
    gl_buf_free(&dom);
}

Test(report, damaged_fleet_csv_is_cut_not_trusted)
{
    char *out = make_fleet();
    gl_buf b = {0};
    gl_buf_puts(&b, "host,x\nA,");
    for (int i = 0; i < 2000; i++)
        gl_buf_puts(&b, "f,");
    gl_buf_puts(&b, "\nB,\"");
    for (int i = 0; i < 70000; i++)
        gl_buf_putc(&b, 'q');
    gl_buf_puts(&b, "\"\nC,\"never closed\n");
    put_file(out, "fleet.csv", b.data);
    gl_buf_free(&b);
    put_file(out, "hosts/C_20261207T070028Z/run.json", "\x01 not json");
    gl_err err = {0};
    cr_assert_eq(gl_report_fleet_html(out, &err), 0, "%s", err.msg);
    char *html = read_report(out);
    cJSON *csv = block(html, "gl-fleet");
    cr_assert_eq(cJSON_GetArraySize(csv), 4);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetArrayItem(csv, 1)), 1024);
    cr_assert_eq(strlen(cJSON_GetArrayItem(cJSON_GetArrayItem(csv, 2), 1)->valuestring), 65536);
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(csv, 3), 1)->valuestring, "never closed\n");
    /* a host whose run.json is unreadable is listed by its folder name */
    cJSON *hosts = block(html, "gl-hosts");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(hosts, 2), "host")->valuestring, "C_20261207T070028Z");
    cJSON_Delete(hosts);
    cJSON_Delete(csv);
    free(html);
}

/* A big host: the page carries what the caps allow, whatever the files hold. */
Test(report, big_inputs_give_a_page_of_bounded_size, .timeout = 300)
{
    char *dir = tu_tmpdir("report-big");
    gl_buf b = {0};
    for (int i = 0; i < 100000; i++)
        tl(&b, "2026-11-09T14:11:38.0000000Z", "rmm.connection", "rmm", "AnyDesk");
    put_file(dir, "timeline.jsonl", b.data);
    gl_buf_clear(&b);
    for (int i = 0; i < 50000; i++)
        gl_buf_printf(&b, "{\"n\":%d,\"path\":\"C:\\\\Users\\\\jdoe\\\\AppData\\\\Local\\\\Temp\\\\%d.tmp\"}\n", i, i);
    put_file(dir, "records/files.jsonl", b.data);
    gl_buf_free(&b);
    char *html = host_report(dir);
    cJSON *meta = block(html, "gl-meta"), *tlb = block(html, "gl-timeline");
    cr_assert_eq(num(meta, "timeline", "total"), 100000);
    cr_assert_eq(num(meta, "timeline", "shown"), GL_REPORT_TIMELINE_CAP);
    cr_assert_eq(cJSON_GetArraySize(tlb), GL_REPORT_TIMELINE_CAP);
    const cJSON *rec = cJSON_GetArrayItem(cJSON_GetObjectItem(meta, "records"), 0);
    cr_assert_eq(cJSON_GetObjectItem(rec, "total")->valuedouble, 50000);
    cr_assert_eq(cJSON_GetObjectItem(rec, "shown")->valuedouble, GL_REPORT_RECORDS_CAP);
    /* 5000 events of ~300 bytes, 200 records, the style and scripts */
    cr_assert_lt(strlen(html), (size_t)2 << 20, "page of %zu bytes", strlen(html));
    cJSON_Delete(meta);
    cJSON_Delete(tlb);
    free(html);
    /* the browser draws a page of rows at a time */
    gl_buf dom = {0};
    chromium(dir, NULL, NULL, &dom);
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 1000);
    cr_assert_eq(tu_count(dom.data, ">5000 of 5000 rows shown<"), 1);
    cr_assert_eq(tu_count(dom.data, ">Show 1000 more of the 4000 rows not drawn</button>"), 1);
    gl_buf_free(&dom);
}

/* Should a string ever get out of its block, the policy stops it: a
 * script or handler added to the page does not run, the page's own do. */
Test(report, chromium_runs_only_the_pages_own_scripts, .timeout = 300)
{
    char *dir = make_host("report-csp");
    char *html = host_report(dir);
    const char *body = strstr(html, "<main>");
    cr_assert(body);
    gl_buf page = {0}, path = {0};
    gl_buf_append(&page, html, (size_t)(body - html));
    gl_buf_puts(&page, "<p id=\"planted\">inert</p><script>document.getElementById('planted').textContent='ran';</script>"
                       "<img id=\"img\" src=\"data:,\" onerror=\"document.getElementById('planted').textContent='ran'\">");
    gl_buf_puts(&page, body);
    gl_buf_printf(&path, "%s/report.html", dir);
    FILE *f = fopen(path.data, "wb");
    cr_assert(f);
    fwrite(page.data, 1, page.len, f);
    fclose(f);
    gl_buf dom = {0}, err = {0};
    chromium_run(dir, NULL, NULL, &dom, &err);
    cr_assert_eq(tu_count(dom.data, "<p id=\"planted\">inert</p>"), 1);
    cr_assert_gt(tu_count(err.data, "Content Security Policy"), 0);
    cr_assert_eq(tu_count(dom.data, "class=\"tl-row"), 11); /* the page's own script ran */
    gl_buf_free(&dom);
    gl_buf_free(&err);
    gl_buf_free(&page);
    gl_buf_free(&path);
    free(html);
}

/* Generated event logs (tests/fixtures/evtx/NAME.evtxdesc, written by
 * mkevtx.py) read back by python-evtx and evtxexport, then by gleaner.
 * tests/tools/check_evtx.py compares every reader with the description and
 * prints one line per difference plus a summary with the record count each
 * reader returned; here we require no difference and the exact summary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static const char *repo(void)
{
    const char *r = getenv("GLEANER_ROOT");
    return r ? r : ".";
}

/* Runs the checker; returns its exit status, output in *out. */
static int run_checker(gl_buf *out, const char *opts, const char *desc_path, const char *log_name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "evtx/%s.evtx", log_name);
    gl_buf err = {0};
    int rc = tu_runf(out, &err, "/usr/bin/python3 '%s/tests/tools/check_evtx.py' %s '%s' '%s'", repo(),
                     opts, desc_path, tu_fixture(rel));
    gl_buf_append(out, err.data, err.len);
    gl_buf_free(&err);
    gl_buf_cstr(out);
    return rc;
}

static char *desc_of(const char *name)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/tests/fixtures/evtx/%s.evtxdesc", repo(), name);
    return p.data;
}

/* The summary is the checker's final line. */
static void expect_clean(const char *name, const char *opts, const char *summary)
{
    gl_buf out = {0};
    int rc = run_checker(&out, opts, desc_of(name), name);
    cr_assert_eq(rc, 0, "%s.evtx differs from its description:\n%s", name, out.data);
    while (out.len > 0 && out.data[out.len - 1] == '\n')
        out.data[--out.len] = '\0';
    const char *last = strrchr(out.data, '\n');
    cr_assert_str_eq(last ? last + 1 : out.data, summary);
    gl_buf_free(&out);
}

static void refs(const char *name, const char *counts)
{
    char summary[256];
    snprintf(summary, sizeof summary, "%s.evtx: %s", name, counts);
    expect_clean(name, "", summary);
}

Test(evtx_fixtures, security_accounts_refs)
{
    refs("security-accounts", "6 described, 0 in damaged chunks; read back: python-evtx 6, evtxexport 6");
}
Test(evtx_fixtures, system_services_refs)
{
    refs("system-services", "4 described, 0 in damaged chunks; read back: python-evtx 4, evtxexport 4");
}
Test(evtx_fixtures, defender_refs)
{
    refs("defender", "3 described, 0 in damaged chunks; read back: python-evtx 3, evtxexport 3");
}
Test(evtx_fixtures, firewall_refs)
{
    refs("firewall", "3 described, 0 in damaged chunks; read back: python-evtx 3, evtxexport 3");
}
Test(evtx_fixtures, types_refs)
{
    refs("types", "5 described, 0 in damaged chunks; read back: python-evtx 5, evtxexport 5");
}
Test(evtx_fixtures, gaps_refs)
{
    refs("gaps", "9 described, 0 in damaged chunks; read back: python-evtx 9, evtxexport 9");
}
Test(evtx_fixtures, multichunk_refs)
{
    refs("multichunk", "1204 described, 0 in damaged chunks; read back: python-evtx 1204, evtxexport 1204");
}
/* python-evtx ignores checksums and signatures, libevtx drops both bad chunks. */
Test(evtx_fixtures, damaged_chunk_refs)
{
    refs("damaged-chunk", "16 described, 8 in damaged chunks; read back: python-evtx 16, evtxexport 12");
}
Test(evtx_fixtures, truncated_refs)
{
    refs("truncated", "300 described, 150 in damaged chunks; read back: python-evtx 150, evtxexport 150");
}

/* The checker must notice a change in the description: same log, one
 * EventData value and one System field altered. */
Test(evtx_fixtures, checker_reports_differences)
{
    char *dir = tu_tmpdir("evtx-checker");
    gl_buf edited = {0}, out = {0};
    gl_buf_printf(&edited, "%s/edited.evtxdesc", dir);
    int rc = tu_runf(NULL, NULL, "sed -e 's/string svc_backup/string svc_backuq/' -e 's/ThreadID 5120/ThreadID 5121/' '%s' > '%s'",
                     desc_of("security-accounts"), edited.data);
    cr_assert_eq(rc, 0);
    rc = run_checker(&out, "--only evtxexport", edited.data, "security-accounts");
    cr_assert_eq(rc, 1, "%s", out.data);
    cr_assert(strstr(out.data, "evtxexport: record 3: EventData TargetUserName: 'svc_backup', expected 'svc_backuq'\n"),
              "%s", out.data);
    cr_assert(strstr(out.data, "evtxexport: record 6: ThreadID: '5120', expected '5121'\n"), "%s", out.data);
    cr_assert(strstr(out.data, "not the log that"), "%s", out.data);
    gl_buf_free(&edited);
    gl_buf_free(&out);
}

/* Conformance of the EVTX parser with python-evtx over every real log in
 * ../shared/corpus/dev/evtx. tests/tools/evtx_reference.py renders each
 * record with python-evtx (value formats normalised as listed in
 * docs/evtx.md) and compares EventRecordID, EventID, TimeCreated, Provider,
 * Channel, Computer, the other System fields and every EventData /
 * UserData name and value with `gleaner evtx dump --xml --no-recover`,
 * both its JSON and its XML (read back the way python-evtx's is), and the
 * record counts. python-evtx is slow, so its listing is cached under
 * build/evtx-ref keyed by the SHA-256 of the log and of the reference
 * script. */
#include <criterion/criterion.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "evtx.h"
#include "sha256.h"
#include "test_evtx_util.h"
#include "testutil.h"


#define PY "/usr/bin/python3"

static const char *root_dir(void)
{
    const char *r = getenv("GLEANER_ROOT");
    return r ? r : ".";
}

static char *script_path(void)
{
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/tests/tools/evtx_reference.py", root_dir());
    return b.data;
}

/* $(B)/evtx-ref/<log sha>-<script sha>.jsonl, generated on first use. */
static char *reference_for(const char *log)
{
    char hlog[GL_SHA256_HEX], hscript[GL_SHA256_HEX];
    char *script = script_path();
    cr_assert_eq(gl_sha256_file(log, hlog), 0, "cannot hash %s", log);
    cr_assert_eq(gl_sha256_file(script, hscript), 0, "cannot hash %s", script);
    gl_buf dir = {0}, ref = {0};
    /* beside the build's scratch directory (GLEANER_TMP, make: $(B)/tmp),
     * named by cutting its last part: "$(B)/tmp/.." does not resolve
     * until some other test has made $(B)/tmp (a first run of these
     * tests alone failed that way) */
    const char *tmp = getenv("GLEANER_TMP");
    if (tmp && *tmp) {
        char *copy = gl_xstrdup(tmp);
        gl_buf_printf(&dir, "%s/evtx-ref", dirname(copy));
        free(copy);
    } else {
        gl_buf_printf(&dir, "%s/build/evtx-ref", root_dir());
    }
    cr_assert(mkdir(gl_buf_cstr(&dir), 0755) == 0 || errno == EEXIST, "cannot make %s: %s", dir.data, strerror(errno));
    gl_buf_printf(&ref, "%s/%.16s-%.16s.jsonl", dir.data, hlog, hscript);
    struct stat st;
    if (stat(ref.data, &st) != 0) {
        gl_buf err = {0};
        /* the plain and sanitizer runs may build the same reference at
         * once: each writes its own temporary file ($$) and renames it */
        int rc = tu_runf(NULL, &err, "timeout 1200 " PY " '%s' dump '%s' > '%s.tmp'$$ && mv '%s.tmp'$$ '%s'", script,
                         log, ref.data, ref.data, ref.data);
        cr_assert_eq(rc, 0, "reference failed for %s: %s", log, gl_buf_cstr(&err));
        gl_buf_free(&err);
    }
    gl_buf_free(&dir);
    free(script);
    return ref.data;
}

static void conform_file(const char *log)
{
    char *ref = reference_for(log);
    char *tmp = tu_tmpdir("evtx-conformance");
    gl_buf ours = {0}, out = {0}, err = {0};
    const char *base = strrchr(log, '/') ? strrchr(log, '/') + 1 : log;
    gl_buf_printf(&ours, "%s/%s.jsonl", tmp, base);
    int rc = tu_runf(NULL, &err, "timeout 300 '%s' evtx dump --xml --no-recover '%s' > '%s'", tu_gleaner(), log,
                     ours.data);
    cr_expect_eq(rc, 0, "gleaner evtx dump %s exited %d: %s", log, rc, gl_buf_cstr(&err));
    char *script = script_path();
    rc = tu_runf(&out, &err, PY " '%s' compare '%s' '%s'", script, ref, ours.data);
    cr_expect_eq(rc, 0, "%s differs from python-evtx:\n%s%s", log, gl_buf_cstr(&out), gl_buf_cstr(&err));
    cr_expect(strstr(gl_buf_cstr(&out), " 0 differences") != NULL, "%s: %s", log, gl_buf_cstr(&out));
    free(script);
    free(ref);
    free(tmp);
    gl_buf_free(&ours);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

static void conform_area(const char *area)
{
    require_corpus();
    gl_buf rel = {0};
    gl_buf_printf(&rel, "dev/evtx/%s", area);
    char *dir = tu_corpus(rel.data);
    char **paths;
    size_t n = tu_list_dir(dir, ".evtx", &paths);
    cr_assert_gt(n, 0, "no .evtx files in %s", dir);
    for (size_t i = 0; i < n; i++)
        conform_file(paths[i]);
    free_list(paths, n);
    free(dir);
    gl_buf_free(&rel);
}

/* One test per corpus area so `-j2` spreads python-evtx over both cores.
 * Hangs are bounded by `timeout` on the commands: Criterion's .timeout
 * leaks under -j2 and LeakSanitizer then fails the run. */
Test(evtx_conformance, accounts) { conform_area("accounts"); }
Test(evtx_conformance, archive) { conform_area("archive"); }
Test(evtx_conformance, defender) { conform_area("defender"); }
Test(evtx_conformance, firewall) { conform_area("firewall"); }
Test(evtx_conformance, logclear) { conform_area("logclear"); }
Test(evtx_conformance, rmm) { conform_area("rmm"); }
Test(evtx_conformance, services) { conform_area("services"); }
Test(evtx_conformance, tasks) { conform_area("tasks"); }

/* Every area of the corpus is covered by a test above. */
Test(evtx_conformance, all_areas_listed)
{
    require_corpus();
    static const char *known[] = {"accounts", "archive", "defender", "firewall", "logclear", "rmm", "services", "tasks"};
    char **paths;
    char *dir = tu_corpus("dev/evtx");
    size_t n = tu_list_dir(dir, NULL, &paths);
    for (size_t i = 0; i < n; i++) {
        const char *b = strrchr(paths[i], '/') ? strrchr(paths[i], '/') + 1 : paths[i];
        if (b[0] == '.')
            continue;
        bool found = false;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            found |= !strcmp(b, known[k]);
        cr_expect(found, "corpus area %s has no conformance test", b);
    }
    free_list(paths, n);
    free(dir);
}

/* The library API on a real log: exact System and EventData values of a
 * known record (checked against python-evtx's XML by hand). */
Test(evtx_conformance, api_values)
{
    require_corpus();
    char *path = tu_corpus("dev/evtx/accounts/DeepBlueCLI__new-user-security.evtx");
    mem_log m;
    mem_log_open(&m, path, "new-user-security.evtx");
    evtx_file *f = m.f;
    gl_err err = {0};
    const evtx_header_info *h = evtx_header(f);
    cr_expect_eq(h->major, 3);
    cr_expect_eq(h->chunk_count, 1);
    cr_expect(h->checksum_ok);
    const evtx_event *ev;
    cr_assert_eq(evtx_next(f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 4728);
    cr_expect_eq(ev->event_record_id, 111);
    cr_expect_str_eq(ev->provider_name, "Microsoft-Windows-Security-Auditing");
    cr_expect_str_eq(ev->provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    cr_expect_str_eq(ev->time_created_iso, "2013-10-23T16:22:39.9735000Z");
    cr_expect_eq(ev->keywords, 0x8020000000000000ull);
    cr_expect_eq(ev->process_id, 508);
    cr_expect_eq(ev->thread_id, 1032);
    cr_expect_str_eq(ev->channel, "Security");
    cr_expect_str_eq(ev->computer, "IE8Win7");
    cr_expect_eq(ev->ndata, 10);
    cr_expect_str_eq(evtx_event_value(ev, "MemberSid"), "S-1-5-21-3463664321-2923530833-3546627382-1000");
    cr_expect_str_eq(evtx_event_value(ev, "SubjectLogonId"), "0x3e7");
    cr_expect_null(evtx_event_value(ev, "NoSuchField"));
    cr_expect(!ev->recovered);
    /* 4 live records, then one record header carved from the slack whose
     * body was overwritten (libevtx's evtxinfo counts 2 recovered records
     * there and exports none) */
    size_t n = 1, partial = 0;
    while (evtx_next(f, &ev, &err) == 1) {
        n++;
        if (ev->partial) {
            partial++;
            cr_expect_eq(ev->record_id, 30064771072ull);
            cr_expect_str_eq(ev->recovered_from, "slack");
            cr_expect_str_eq(ev->written_iso, "2013-01-31T22:18:50.2769836Z");
        }
    }
    cr_expect_eq(n, 5);
    cr_expect_eq(partial, 1);
    cr_expect_eq(evtx_error_count(f), 0);
    mem_log_close(&m);
    free(path);
}

/* Filtering by ID and channel happens before rendering and keeps exactly
 * the matching records. */
Test(evtx_conformance, filters)
{
    require_corpus();
    char *path = tu_corpus("dev/evtx/accounts/DeepBlueCLI__new-user-security.evtx");
    mem_log m;
    mem_log_open(&m, path, "new-user-security.evtx");
    evtx_file *f = m.f;
    gl_err err = {0};
    uint32_t ids[] = {4720, 4732};
    evtx_filter_ids(f, ids, 2);
    evtx_filter_channel(f, "SECURITY");
    const evtx_event *ev;
    cr_assert_eq(evtx_next(f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 4720);
    cr_expect_str_eq(evtx_event_value(ev, "SamAccountName"), "IEUser");
    cr_assert_eq(evtx_next(f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 4732);
    cr_expect_str_eq(evtx_event_value(ev, "TargetUserName"), "Users");
    cr_assert_eq(evtx_next(f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 4732);
    cr_expect_eq(evtx_next(f, &ev, &err), 0);
    cr_expect_eq(evtx_get_stats(f)->records_filtered, 1); /* the 4728 */
    evtx_close(f);
    f = m.f = evtx_open(&m.r, NULL, &err);
    evtx_filter_channel(f, "System");
    cr_expect_eq(evtx_next(f, &ev, &err), 0);
    mem_log_close(&m);
    free(path);
}

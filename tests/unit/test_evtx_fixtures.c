/* Generated event logs (tests/fixtures/evtx/NAME.evtxdesc, written by
 * mkevtx.py) read back by python-evtx and evtxexport, then by gleaner.
 * tests/tools/check_evtx.py compares every reader with the description and
 * prints one line per difference plus a summary with the record count each
 * reader returned; here we require no difference and the exact summary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx.h"
#include "testutil.h"

static const char *repo(void)
{
    const char *r = getenv("GLEANER_ROOT");
    return r ? r : ".";
}

/* A generated log's path in dst (tu_fixture's heap copy freed, so
 * LeakSanitizer stays quiet). */
static const char *fx(char dst[512], const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "evtx/%s.evtx", name);
    char *p = tu_fixture(rel);
    snprintf(dst, 512, "%s", p);
    free(p);
    return dst;
}

/* Runs the checker; returns its exit status, output in *out. */
static int run_checker(gl_buf *out, const char *opts, const char *desc_path, const char *log_name)
{
    char path[512];
    gl_buf err = {0};
    int rc = tu_runf(out, &err, "/usr/bin/python3 '%s/tests/tools/check_evtx.py' %s '%s' '%s'", repo(),
                     opts, desc_path, fx(path, log_name));
    gl_buf_append(out, err.data, err.len);
    gl_buf_free(&err);
    gl_buf_cstr(out);
    return rc;
}

static const char *desc_of(char dst[512], const char *name)
{
    snprintf(dst, 512, "%s/tests/fixtures/evtx/%s.evtxdesc", repo(), name);
    return dst;
}

/* The summary is the checker's final line. */
static void expect_clean(const char *name, const char *opts, const char *summary)
{
    gl_buf out = {0};
    char desc[512];
    int rc = run_checker(&out, opts, desc_of(desc, name), name);
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
    refs("security-accounts", "6 described, 0 recoverable only; read back: python-evtx 6, evtxexport 6");
}
Test(evtx_fixtures, system_services_refs)
{
    refs("system-services", "4 described, 0 recoverable only; read back: python-evtx 4, evtxexport 4");
}
Test(evtx_fixtures, defender_refs)
{
    refs("defender", "3 described, 0 recoverable only; read back: python-evtx 3, evtxexport 3");
}
Test(evtx_fixtures, firewall_refs)
{
    refs("firewall", "3 described, 0 recoverable only; read back: python-evtx 3, evtxexport 3");
}
Test(evtx_fixtures, types_refs)
{
    refs("types", "5 described, 0 recoverable only; read back: python-evtx 5, evtxexport 5");
}
Test(evtx_fixtures, gaps_refs)
{
    refs("gaps", "9 described, 0 recoverable only; read back: python-evtx 9, evtxexport 9");
}
Test(evtx_fixtures, multichunk_refs)
{
    refs("multichunk", "1204 described, 0 recoverable only; read back: python-evtx 1204, evtxexport 1204");
}
/* python-evtx ignores checksums and signatures, libevtx drops both bad
 * chunks from its live records and carves the 4 of the one without
 * "ElfChnk". */
Test(evtx_fixtures, damaged_chunk_refs)
{
    refs("damaged-chunk",
         "16 described, 8 recoverable only; read back: python-evtx 16, evtxexport 12, evtxexport recovered 4");
}
Test(evtx_fixtures, truncated_refs)
{
    refs("truncated", "300 described, 150 recoverable only; read back: python-evtx 150, evtxexport 150");
}

/* The dirty header counts 2 of 3 chunks (the third is live all the same);
 * chunk 0 has 2 records in its slack, which libevtx's own carving finds. */
Test(evtx_fixtures, stale_header_refs)
{
    refs("stale-header", "10 described, 2 recoverable only; read back: python-evtx 8, evtxexport 8, evtxexport recovered 2");
}

/* Record 3 lost its signature, record 6 its size: libevtx stops at record
 * 3, python-evtx reads on by the records' own sizes. */
Test(evtx_fixtures, broken_record_refs)
{
    refs("broken-record", "8 described, 8 recoverable only; read back: python-evtx 6, evtxexport 2");
}

/* Slack of a cleared log: libevtx carves the two slack records whose
 * templates survive (and the records of the chunk without "ElfChnk"), not
 * the two whose templates were overwritten. */
Test(evtx_fixtures, carved_refs)
{
    refs("carved", "11 described, 8 recoverable only; read back: python-evtx 7, evtxexport 5, evtxexport recovered 4");
}
/* Slack records whose templates were overwritten where they point: libevtx
 * carves none of them. */
Test(evtx_fixtures, carved_templates_refs)
{
    refs("carved-templates",
         "8 described, 4 recoverable only; read back: python-evtx 4, evtxexport 4, evtxexport recovered 0");
}

/* A wrapped circular log: chunks in the file are not in id order. */
Test(evtx_fixtures, wrapped_refs)
{
    refs("wrapped", "400 described, 0 recoverable only; read back: python-evtx 400, evtxexport 400");
}

/* The checker must notice a change in the description: same log, one
 * EventData value and one System field altered. */
Test(evtx_fixtures, checker_reports_differences)
{
    char *dir = tu_tmpdir("evtx-checker");
    char desc[512];
    gl_buf edited = {0}, out = {0};
    gl_buf_printf(&edited, "%s/edited.evtxdesc", dir);
    int rc = tu_runf(NULL, NULL, "sed -e 's/string svc_backup/string svc_backuq/' -e 's/ThreadID 5120/ThreadID 5121/' '%s' > '%s'",
                     desc_of(desc, "security-accounts"), edited.data);
    free(dir);
    cr_assert_eq(rc, 0);
    rc = run_checker(&out, "--only evtxexport", edited.data, "security-accounts");
    cr_assert_eq(rc, 1, "%s", out.data);
    cr_assert(strstr(out.data, "evtxexport: record 3: EventData Data/TargetUserName: 'svc_backup', expected 'svc_backuq'\n"),
              "%s", out.data);
    cr_assert(strstr(out.data, "evtxexport: record 6: ThreadID: '5120', expected '5121'\n"), "%s", out.data);
    cr_assert(strstr(out.data, "not the log that"), "%s", out.data);
    gl_buf_free(&edited);
    gl_buf_free(&out);
}

/* ---- gleaner ------------------------------------------------------------ */

/* `gleaner evtx dump` equals the description: every System field, every
 * EventData/UserData value, the order, and recovered:true exactly on the
 * records of damaged chunks (counted in the summary). */
static void dump(const char *name, const char *counts)
{
    char opts[512], summary[256];
    snprintf(opts, sizeof opts, "--only gleaner --gleaner '%s'", tu_gleaner());
    snprintf(summary, sizeof summary, "%s.evtx: %s", name, counts);
    expect_clean(name, opts, summary);
}

Test(evtx_fixtures, security_accounts_dump)
{
    dump("security-accounts", "6 described, 0 recoverable only; read back: gleaner 6, gleaner recovered 0");
}
Test(evtx_fixtures, system_services_dump)
{
    dump("system-services", "4 described, 0 recoverable only; read back: gleaner 4, gleaner recovered 0");
}
Test(evtx_fixtures, defender_dump)
{
    dump("defender", "3 described, 0 recoverable only; read back: gleaner 3, gleaner recovered 0");
}
Test(evtx_fixtures, firewall_dump)
{
    dump("firewall", "3 described, 0 recoverable only; read back: gleaner 3, gleaner recovered 0");
}
Test(evtx_fixtures, types_dump)
{
    dump("types", "5 described, 0 recoverable only; read back: gleaner 5, gleaner recovered 0");
}
Test(evtx_fixtures, gaps_dump)
{
    dump("gaps", "9 described, 0 recoverable only; read back: gleaner 9, gleaner recovered 0");
}
Test(evtx_fixtures, multichunk_dump)
{
    dump("multichunk", "1204 described, 0 recoverable only; read back: gleaner 1204, gleaner recovered 0");
}
/* Chunks 1 and 2 are damaged but their 8 records are intact: all carved. */
Test(evtx_fixtures, damaged_chunk_dump)
{
    dump("damaged-chunk", "16 described, 8 recoverable only; read back: gleaner 16, gleaner recovered 8");
}
/* The file ends 0x5000 bytes into chunk 1: records 151..209 lie wholly
 * before the cut (record 210 at 0x15f18 runs past it) and are carved. */
Test(evtx_fixtures, truncated_dump)
{
    dump("truncated", "300 described, 150 recoverable only; read back: gleaner 209, gleaner recovered 59");
}

/* Chunk 2, past the dirty header's count, is live; the 2 slack records of
 * chunk 0 come back recovered. */
Test(evtx_fixtures, stale_header_dump)
{
    dump("stale-header", "10 described, 2 recoverable only; read back: gleaner 10, gleaner recovered 2");
}

/* Every slack record comes back rendered, the two whose templates were
 * overwritten where they point with the copies the live records define,
 * with the damaged chunks' four. */
Test(evtx_fixtures, carved_dump)
{
    dump("carved", "11 described, 8 recoverable only; read back: gleaner 11, gleaner recovered 8");
}
/* Slack records rendered with a template defined elsewhere in their chunk
 * (61) or only in another chunk (62); the two whose templates no chunk
 * defines come back as partial record headers (number and written time). */
Test(evtx_fixtures, carved_templates_dump)
{
    dump("carved-templates", "8 described, 4 recoverable only; read back: gleaner 8, gleaner recovered 4");
}

/* Removed records are reported on stderr, each gap once, located at the
 * record that follows it; the events still all come out. */
Test(evtx_fixtures, gaps_dump_reports_gaps)
{
    gl_buf out = {0}, err = {0}, want = {0};
    char path[512];
    fx(path, "gaps");
    int rc = tu_runf(&out, &err, "'%s' evtx dump '%s'", tu_gleaner(), path);
    cr_assert_eq(rc, 0, "%s", err.data);
    gl_buf_printf(&want,
                  "gleaner evtx: gap: %s: EventRecordID 105..109 missing (5 records) before chunk 0 offset 0x1d58\n"
                  "gleaner evtx: gap: %s: EventRecordID 113..199 missing (87 records) before chunk 1 offset 0x11200\n",
                  path, path);
    cr_assert_str_eq(err.data, want.data);
    gl_buf_free(&out);
    gl_buf_free(&err);
    gl_buf_free(&want);
}

/* Resynchronising on the next signature after records 3 and 6 gives back
 * the 6 intact records, recovered (the chunk's data CRC fails). */
Test(evtx_fixtures, broken_record_dump)
{
    dump("broken-record", "8 described, 8 recoverable only; read back: gleaner 6, gleaner recovered 6");
}

Test(evtx_fixtures, wrapped_dump)
{
    dump("wrapped", "400 described, 0 recoverable only; read back: gleaner 400, gleaner recovered 0");
}

/* Lines of `gleaner evtx dump` that are events. */
static size_t count_substr(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(evtx_fixtures, dump_id_filter)
{
    gl_buf out = {0}, err = {0};
    char path[512];
    int rc = tu_runf(&out, &err, "'%s' evtx dump '%s' --id 4722,4725", tu_gleaner(),
                     fx(path, "security-accounts"));
    cr_assert_eq(rc, 0, "%s", err.data);
    cr_assert_eq(count_substr(out.data, "\"EventRecordID\":"), 3, "%s", out.data);
    cr_assert_eq(count_substr(out.data, "\"EventID\":4722,"), 2, "%s", out.data);
    cr_assert_eq(count_substr(out.data, "\"EventID\":4725,"), 1, "%s", out.data);
    cr_assert(strstr(out.data, "\"TargetUserName\":\"svc_backup\""), "%s", out.data);
    cr_assert(strstr(out.data, "\"TargetUserName\":\"temp01\""), "%s", out.data);
    cr_assert_eq(count_substr(out.data, "\"EventID\":4720,"), 0, "%s", out.data);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

/* Two files in one run: the lines of both, in argument order. */
Test(evtx_fixtures, dump_two_files)
{
    gl_buf out = {0}, err = {0};
    char p1[512], p2[512];
    int rc = tu_runf(&out, &err, "'%s' evtx dump '%s' '%s' --id 5007,2006", tu_gleaner(),
                     fx(p1, "defender"), fx(p2, "firewall"));
    cr_assert_eq(rc, 0, "%s", err.data);
    cr_assert_eq(count_substr(out.data, "\"EventRecordID\":"), 3, "%s", out.data);
    const char *exclusion = strstr(out.data, "\"New Value\":\"HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows Defender\\\\Exclusions\\\\Paths\\\\C:\\\\Users\\\\Public\\\\Downloads = 0x0\"");
    const char *deleted = strstr(out.data, "\"RuleId\":\"CoreNet-DHCP-In\"");
    cr_assert(exclusion && deleted && exclusion < deleted, "%s", out.data);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

/* --xml adds each record as Windows renders it. */
Test(evtx_fixtures, dump_xml)
{
    gl_buf out = {0}, err = {0};
    char path[512];
    int rc = tu_runf(&out, &err, "'%s' evtx dump '%s' --id 2003 --xml", tu_gleaner(), fx(path, "firewall"));
    cr_assert_eq(rc, 0, "%s", err.data);
    cr_assert_eq(count_substr(out.data, "\"Xml\":\"<Event xmlns=\\\"http://schemas.microsoft.com/win/2004/08/events/event\\\">"), 1,
                 "%s", out.data);
    cr_assert(strstr(out.data, "<Data Name=\\\"SettingValue\\\">00000000</Data>"), "%s", out.data);
    cr_assert(strstr(out.data, "<EventRecordID>3</EventRecordID>"), "%s", out.data);
    gl_buf_free(&out);
    gl_buf_free(&err);
}

/* ---- the parser API on the generated logs -------------------------------- */

typedef struct opened {
    char *path; /* the reader's name: lives as long as the reader */
    gl_buf bytes;
    gl_mem_reader mem;
    gl_reader r;
    evtx_file *f;
} opened;

static void open_fixture(opened *o, const char *name)
{
    memset(o, 0, sizeof *o);
    char *path = o->path = tu_fixture(name);
    cr_assert(tu_read_file(path, &o->bytes), "cannot read %s", path);
    o->r = gl_reader_memory(&o->mem, o->bytes.data, o->bytes.len, path);
    gl_err err = {0};
    o->f = evtx_open(&o->r, NULL, &err);
    cr_assert_not_null(o->f, "%s: %s", path, err.msg);
}

static void close_fixture(opened *o)
{
    evtx_close(o->f);
    gl_buf_free(&o->bytes);
    free(o->path);
}

/* Ids 100-104, 110-112, 200: two gaps, each located at the record after it. */
Test(evtx_fixtures, gaps_api)
{
    opened o;
    open_fixture(&o, "evtx/gaps.evtx");
    const evtx_event *ev;
    gl_err err = {0};
    uint64_t ids[16];
    size_t n = 0;
    int rc;
    while ((rc = evtx_next(o.f, &ev, &err)) == 1 && n < 16)
        ids[n++] = ev->record_id;
    cr_assert_eq(rc, 0, "%s", err.msg);
    static const uint64_t want[] = {100, 101, 102, 103, 104, 110, 111, 112, 200};
    cr_assert_eq(n, 9);
    cr_assert_arr_eq(ids, want, sizeof want);
    size_t ngaps = 0;
    const evtx_gap *g = evtx_gaps(o.f, &ngaps);
    cr_assert_eq(ngaps, 2);
    cr_assert_eq(g[0].first_missing, 105);
    cr_assert_eq(g[0].last_missing, 109);
    cr_assert_eq(g[0].chunk_index, 0);
    cr_assert_eq(g[0].file_offset, 0x1d58);
    cr_assert_eq(g[1].first_missing, 113);
    cr_assert_eq(g[1].last_missing, 199);
    cr_assert_eq(g[1].chunk_index, 1);
    cr_assert_eq(g[1].file_offset, 0x11200);
    cr_assert_eq(evtx_error_count(o.f), 0, "%s", evtx_error_count(o.f) ? evtx_error(o.f, 0) : "");
    close_fixture(&o);
}

/* Chunks 1 (bad header CRC) and 2 (bad signature) are damaged but their
 * records are intact: all 16 records come back once, those 8 recovered. */
Test(evtx_fixtures, damaged_chunk_api)
{
    opened o;
    open_fixture(&o, "evtx/damaged-chunk.evtx");
    const evtx_event *ev;
    gl_err err = {0};
    unsigned seen[17] = {0};
    size_t n = 0;
    int rc;
    while ((rc = evtx_next(o.f, &ev, &err)) == 1) {
        uint64_t id = ev->record_id;
        cr_assert(id >= 1 && id <= 16, "record %llu", (unsigned long long)id);
        seen[id]++;
        n++;
        bool damaged = id >= 5 && id <= 12;
        cr_assert_eq(ev->chunk_index, (id - 1) / 4, "record %llu", (unsigned long long)id);
        cr_assert_eq(ev->recovered, damaged, "record %llu", (unsigned long long)id);
        if (damaged) {
            cr_assert(ev->recovered_why & EVTX_REC_BAD_CHUNK, "record %llu why %u", (unsigned long long)id,
                      ev->recovered_why);
            cr_assert_str_eq(ev->recovered_from, id <= 8 ? "bad_crc_chunk" : "bad_magic_chunk");
        } else {
            cr_assert_eq(ev->recovered_why, 0);
        }
        char want[16];
        snprintf(want, sizeof want, "chunk%llu-%llu", (unsigned long long)(id - 1) / 4,
                 (unsigned long long)(id - 1) % 4);
        cr_assert_str_eq(evtx_event_value(ev, "TargetUserName"), want);
    }
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(n, 16);
    for (unsigned id = 1; id <= 16; id++)
        cr_assert_eq(seen[id], 1, "record %u seen %u times", id, seen[id]);
    const evtx_stats *st = evtx_get_stats(o.f);
    cr_assert_eq(st->chunks_total, 4);
    cr_assert_eq(st->chunks_bad_header, 1);
    cr_assert_eq(st->chunks_bad_magic, 1);
    cr_assert_eq(st->records_live, 8);
    cr_assert_eq(st->records_recovered, 8);
    /* both damage kinds count towards the runs and the live extent */
    size_t ng;
    evtx_gaps(o.f, &ng);
    cr_assert_eq(ng, 0);
    cr_assert_eq(st->first_live_id, 1);
    cr_assert_eq(st->last_live_id, 16);
    bool named1 = false, named2 = false;
    for (size_t i = 0; i < evtx_error_count(o.f); i++) {
        named1 |= strstr(evtx_error(o.f, i), "chunk 1 ") != NULL;
        named2 |= strstr(evtx_error(o.f, i), "chunk 2 ") != NULL;
    }
    cr_assert(named1 && named2, "errors do not name chunks 1 and 2");
    close_fixture(&o);
}

/* The carved fixture through the API: where each recovered record came
 * from, no gap (bad-magic and bad-CRC chunks both
 * count towards the runs), and the live extent over the same records. */
Test(evtx_fixtures, carved_api)
{
    static const struct {
        uint64_t id;
        const char *from;
    } want[] = {
        {500, NULL},
        {501, NULL},
        {502, NULL},
        {503, "bad_magic_chunk"},
        {504, "bad_magic_chunk"},
        {505, "bad_crc_chunk"},
        {506, "bad_crc_chunk"},
        {41, "slack"},
        {42, "slack"},
        {43, "slack"},
        {44, "slack"},
    };
    opened o;
    open_fixture(&o, "evtx/carved.evtx");
    const evtx_event *ev;
    gl_err err = {0};
    size_t n = 0;
    int rc;
    while ((rc = evtx_next(o.f, &ev, &err)) == 1) {
        cr_assert_lt(n, 11);
        cr_assert_eq(ev->record_id, want[n].id, "event %zu", n);
        cr_assert_not(ev->partial, "record %llu", (unsigned long long)ev->record_id);
        if (want[n].from)
            cr_assert_str_eq(ev->recovered_from, want[n].from, "record %llu", (unsigned long long)ev->record_id);
        else
            cr_assert_null(ev->recovered_from);
        cr_assert_eq(ev->has & EVTX_HAS_QUALIFIERS, EVTX_HAS_QUALIFIERS);
        cr_assert_eq(ev->qualifiers, 16384);
        n++;
    }
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(n, 11);
    size_t ng;
    evtx_gaps(o.f, &ng);
    cr_assert_eq(ng, 0);
    const evtx_stats *st = evtx_get_stats(o.f);
    cr_assert_eq(st->first_live_id, 500);
    cr_assert_eq(st->last_live_id, 506);
    cr_assert_eq(st->recovered_any, 8);
    cr_assert_eq(st->records_recovered, 8);
    cr_assert_eq(st->records_live, 3);
    close_fixture(&o);
}

/* carved-templates.evtx through the API: 61 renders with the copy of its
 * template at another offset of chunk 0, 62 with the one only chunk 1
 * defines (its XML too, which reads the template after the record was
 * returned); 63 and 64 name templates no chunk defines: partial, with the
 * reason. An ID filter drops the partial ones (no EventID to match). */
Test(evtx_fixtures, carved_templates_api)
{
    static const struct {
        uint64_t id;
        bool partial;
        unsigned event_id;
        const char *param1;
    } want[] = {
        {900, false, 7036, "Windows Update 0"}, {901, false, 7036, "Windows Update 1"},
        {902, false, 7040, "BITS 0"},           {903, false, 7040, "BITS 1"},
        {61, false, 7036, "AnyDesk"},           {62, false, 7040, "AnyDesk Service"},
        {63, true, 0, NULL},                    {64, true, 0, NULL},
    };
    static const char *const reason[] = {
        "binary XML at chunk offset 0xc54: template 0xdef13203: its definition at 0x200 was overwritten and the "
        "chunk defines it nowhere else, nor does any other chunk of the file",
        "binary XML at chunk offset 0xd6c: template 0xdef13203: its definition at 0x200 was overwritten and the "
        "chunk defines it nowhere else, nor does any other chunk of the file",
    };
    opened o;
    open_fixture(&o, "evtx/carved-templates.evtx");
    const evtx_event *ev;
    gl_err err = {0};
    gl_buf xml = {0};
    size_t n = 0;
    int rc;
    while ((rc = evtx_next(o.f, &ev, &err)) == 1) {
        cr_assert_lt(n, 8);
        cr_assert_eq(ev->record_id, want[n].id, "event %zu", n);
        cr_assert_eq(ev->partial, want[n].partial, "record %llu", (unsigned long long)ev->record_id);
        cr_assert_eq(ev->recovered, n >= 4);
        if (ev->partial) {
            cr_assert_str_eq(ev->partial_reason, reason[n - 6]);
            cr_assert_str_eq(ev->recovered_from, "slack");
            cr_assert_eq(ev->has, 0);
        } else {
            cr_assert_eq(ev->event_id, want[n].event_id, "record %llu", (unsigned long long)ev->record_id);
            cr_assert_str_eq(evtx_event_value(ev, "param1"), want[n].param1);
            cr_assert_str_eq(ev->channel, "System");
        }
        if (ev->record_id == 62) {
            gl_buf_clear(&xml);
            cr_assert_eq(evtx_event_xml(o.f, ev, &xml), 0);
            cr_assert(strstr(gl_buf_cstr(&xml), "<Data Name=\"param4\">AnyDesk</Data>"), "%s", xml.data);
            cr_assert(strstr(gl_buf_cstr(&xml), "<EventRecordID>62</EventRecordID>"), "%s", xml.data);
        }
        n++;
    }
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(n, 8);
    cr_assert_eq(evtx_error_count(o.f), 0, "%s", evtx_error(o.f, 0));
    close_fixture(&o);
    gl_buf_free(&xml);

    open_fixture(&o, "evtx/carved-templates.evtx");
    uint32_t ids[] = {7040};
    evtx_filter_ids(o.f, ids, 1);
    n = 0;
    static const uint64_t kept[] = {902, 903, 62};
    while ((rc = evtx_next(o.f, &ev, &err)) == 1) {
        cr_assert_lt(n, 3);
        cr_assert_eq(ev->record_id, kept[n]);
        n++;
    }
    cr_assert_eq(n, 3);
    close_fixture(&o);
}

/* The event model on the Security log: values by name, filter by id. */
Test(evtx_fixtures, security_accounts_api)
{
    opened o;
    open_fixture(&o, "evtx/security-accounts.evtx");
    static const uint32_t want_ids[] = {4722, 4725};
    evtx_filter_ids(o.f, want_ids, 2);
    const evtx_event *ev;
    gl_err err = {0};
    const char *who[3] = {"helpdesk2", "svc_backup", "temp01"};
    static const uint64_t rid[3] = {2, 3, 6};
    size_t n = 0;
    while (evtx_next(o.f, &ev, &err) == 1) {
        cr_assert_lt(n, 3);
        cr_assert_eq(ev->record_id, rid[n]);
        cr_assert_str_eq(evtx_event_value(ev, "TargetUserName"), who[n]);
        cr_assert_str_eq(ev->provider_name, "Microsoft-Windows-Security-Auditing");
        cr_assert_str_eq(ev->provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
        cr_assert_str_eq(ev->channel, "Security");
        cr_assert_str_eq(ev->computer, "WS01.corp.example");
        cr_assert_eq(ev->keywords, 0x8020000000000000ULL);
        cr_assert_eq(ev->task, 13824);
        cr_assert_eq(ev->process_id, 664);
        cr_assert_null(evtx_event_value(ev, "NoSuchField"));
        n++;
    }
    cr_assert_eq(n, 3);
    cr_assert_eq(evtx_get_stats(o.f)->records_filtered, 3);
    close_fixture(&o);
}

/* Wrapping is not a gap: ids 5201..5400 then 5001..5200 in file order, the
 * header pointing at chunk 2 as the oldest. */
Test(evtx_fixtures, wrapped_api)
{
    opened o;
    open_fixture(&o, "evtx/wrapped.evtx");
    const evtx_header_info *h = evtx_header(o.f);
    cr_assert_eq(h->first_chunk, 2);
    cr_assert_eq(h->last_chunk, 1);
    cr_assert_eq(h->next_record_id, 5401);
    cr_assert_eq(h->chunk_count, 4);
    cr_assert(h->full);
    cr_assert(!h->dirty);
    cr_assert(h->checksum_ok);
    const evtx_event *ev;
    gl_err err = {0};
    unsigned seen[400] = {0};
    size_t n = 0;
    while (evtx_next(o.f, &ev, &err) == 1) {
        cr_assert(ev->record_id >= 5001 && ev->record_id <= 5400);
        cr_assert(!ev->recovered);
        seen[ev->record_id - 5001]++;
        n++;
    }
    cr_assert_eq(n, 400);
    for (unsigned i = 0; i < 400; i++)
        cr_assert_eq(seen[i], 1, "record %u", 5001 + i);
    size_t ngaps = 7;
    evtx_gaps(o.f, &ngaps);
    cr_assert_eq(ngaps, 0);
    cr_assert_eq(evtx_error_count(o.f), 0);
    close_fixture(&o);
}

/* EVTX robustness: every damaged real log in ../shared/corpus/dev/robustness/evtx
 * parses to partial results with specific errors, never crashes or hangs,
 * and yields at least as many records as libevtx's evtxexport. Plus unit
 * tests of tricky binary XML paths on small logs built in memory here
 * (array types, nested BinXml, optional substitutions, CRC mismatches,
 * carving, gaps, depth and cycle limits). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx.h"
#include "evtx_int.h"
#include "test_evtx_util.h"
#include "testutil.h"


/* ---- real damaged logs ------------------------------------------------- */

static size_t count_lines_json(const char *s, size_t *recovered)
{
    size_t n = 0;
    *recovered = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        cJSON *o = cJSON_ParseWithLength(s, len);
        cr_assert_not_null(o, "invalid JSON line: %.*s", (int)(len > 200 ? 200 : len), s);
        cr_assert_not_null(cJSON_GetObjectItem(o, "EventRecordID"));
        if (cJSON_IsTrue(cJSON_GetObjectItem(o, "recovered")))
            (*recovered)++;
        cJSON_Delete(o);
        n++;
        s += len + (nl ? 1 : 0);
    }
    return n;
}

static size_t evtxexport_count(const char *path)
{
    gl_buf out = {0};
    tu_runf(&out, NULL, "evtxexport '%s' | grep -c '^Event number'", path);
    size_t n = (size_t)strtoul(gl_buf_cstr(&out), NULL, 10);
    gl_buf_free(&out);
    return n;
}

typedef struct damaged {
    const char *name;
    const char *stderr_has; /* the specific complaint, or NULL for none */
    size_t min_records;     /* at least this many (manifest figures) */
} damaged;

static const damaged damaged_logs[] = {
    {"omerbenamram-evtx__Application_no_crc32.evtx", "event records CRC32 mismatch", 17},
    {"omerbenamram-evtx__issue_201.evtx", NULL, 1},
    {"omerbenamram-evtx__sample_with_a_bad_chunk_magic.evtx", "expected signature \"ElfChnk\"", 270},
    {"omerbenamram-evtx__security_bad_string_cache.evtx", "header CRC32 mismatch", 2261},
    {"python-evtx__dns_log_malformed.evtx", NULL, 5},
};

static void check_damaged(const damaged *d)
{
    require_corpus();
    gl_buf rel = {0};
    gl_buf_printf(&rel, "dev/robustness/evtx/%s", d->name);
    char *path = tu_corpus(rel.data);
    gl_buf out = {0}, err = {0};
    /* `timeout` bounds a hang (Criterion's .timeout leaks under -j2) */
    int rc = tu_runf(&out, &err, "timeout 120 '%s' evtx dump '%s'", tu_gleaner(), path);
    cr_assert(rc == 0 || rc == 1, "%s: exit %d (crash or hang?): %s", d->name, rc, gl_buf_cstr(&err));
    size_t recovered;
    size_t n = count_lines_json(gl_buf_cstr(&out), &recovered);
    size_t ref = evtxexport_count(path);
    cr_expect_geq(n, ref, "%s: %zu records, evtxexport %zu", d->name, n, ref);
    cr_expect_geq(n, d->min_records, "%s: %zu records", d->name, n);
    if (d->stderr_has) {
        cr_expect_eq(rc, 1, "%s: damage must give exit 1", d->name);
        cr_expect(strstr(gl_buf_cstr(&err), d->stderr_has) != NULL, "%s: stderr lacks '%s': %s", d->name,
                  d->stderr_has, gl_buf_cstr(&err));
        /* messages name the file and the offset */
        cr_expect(strstr(gl_buf_cstr(&err), d->name) != NULL);
        cr_expect(strstr(gl_buf_cstr(&err), "offset 0x") != NULL);
    }
    gl_buf_free(&rel);
    gl_buf_free(&out);
    gl_buf_free(&err);
    free(path);
}

Test(evtx_robust, application_no_crc32) { check_damaged(&damaged_logs[0]); }
Test(evtx_robust, issue_201_forwarded) { check_damaged(&damaged_logs[1]); }
Test(evtx_robust, bad_chunk_magic) { check_damaged(&damaged_logs[2]); }
Test(evtx_robust, bad_string_cache) { check_damaged(&damaged_logs[3]); }
Test(evtx_robust, dns_log_malformed) { check_damaged(&damaged_logs[4]); }

/* Every robustness log is listed above, and every one parses in process
 * (this runs under ASan/UBSan in the sanitizer build) including XML. */
Test(evtx_robust, all_listed_and_in_process)
{
    require_corpus();
    char **paths;
    char *dir = tu_corpus("dev/robustness/evtx");
    size_t n = tu_list_dir(dir, ".evtx", &paths);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        const char *b = strrchr(paths[i], '/') + 1;
        bool listed = false;
        for (size_t k = 0; k < sizeof damaged_logs / sizeof damaged_logs[0]; k++)
            listed |= !strcmp(b, damaged_logs[k].name);
        cr_expect(listed, "%s has no robustness test", b);
        gl_buf xml = {0}, js = {0};
        mem_log m;
        mem_log_open(&m, paths[i], b);
        evtx_file *f = m.f;
        gl_err err = {0};
        const evtx_event *ev;
        size_t recs = 0;
        while (evtx_next(f, &ev, &err) == 1) {
            gl_buf_clear(&xml);
            evtx_event_xml(f, ev, &xml);
            gl_json j;
            gl_buf_clear(&js);
            gl_json_init(&j, &js);
            evtx_event_json(f, ev, &j, EVTX_JSON_XML);
            cJSON *o = cJSON_Parse(gl_buf_cstr(&js));
            cr_assert_not_null(o, "%s: invalid JSON %s", b, gl_buf_cstr(&js));
            cJSON_Delete(o);
            recs++;
        }
        cr_expect_gt(recs, 0, "%s: no records", b);
        mem_log_close(&m);
        gl_buf_free(&xml);
        gl_buf_free(&js);
    }
    free_list(paths, n);
    free(dir);
}

/* ---- a tiny EVTX writer for unit tests --------------------------------- */

typedef struct bb {
    uint8_t *d; /* one chunk */
    uint32_t n;
} bb;

static void put8(bb *b, uint8_t v) { b->d[b->n++] = v; }
static void put16(bb *b, uint16_t v)
{
    put8(b, (uint8_t)v);
    put8(b, (uint8_t)(v >> 8));
}
static void put32(bb *b, uint32_t v)
{
    put16(b, (uint16_t)v);
    put16(b, (uint16_t)(v >> 16));
}
static void put64(bb *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}
static void set32(bb *b, uint32_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->d[at + i] = (uint8_t)(v >> (8 * i));
}
static void put_u16str(bb *b, const char *s)
{
    for (; *s; s++)
        put16(b, (uint8_t)*s);
}

/* Name defined inline right where it is referenced. */
static void inline_name(bb *b, const char *s)
{
    put32(b, 0);
    put16(b, 0);
    put16(b, (uint16_t)strlen(s));
    put_u16str(b, s);
    put16(b, 0);
}

static void open_elem(bb *b, const char *name, bool attrs)
{
    put8(b, attrs ? 0x41 : 0x01);
    put16(b, 0xffff);
    put32(b, 0);
    put32(b, b->n + 4);
    inline_name(b, name);
    if (attrs)
        put32(b, 0);
}

static void attr(bb *b, const char *name)
{
    put8(b, 0x06);
    put32(b, b->n + 4);
    inline_name(b, name);
}

static void text(bb *b, const char *s)
{
    put8(b, 0x05);
    put8(b, 0x01);
    put16(b, (uint16_t)strlen(s));
    put_u16str(b, s);
}

static void subst(bb *b, uint16_t idx, uint8_t type, bool optional)
{
    put8(b, optional ? 0x0e : 0x0d);
    put16(b, idx);
    put8(b, type);
}

static void close_start(bb *b) { put8(b, 0x02); }
static void end_elem(bb *b) { put8(b, 0x04); }
static void fragment(bb *b)
{
    put8(b, 0x0f);
    put8(b, 1);
    put8(b, 1);
    put8(b, 0);
}

/* <Data Name="name">%idx</Data> */
static void data_elem(bb *b, const char *name, uint16_t idx, uint8_t type, bool optional)
{
    open_elem(b, "Data", true);
    attr(b, "Name");
    text(b, name);
    close_start(b);
    subst(b, idx, type, optional);
    end_elem(b);
}

/* The template used by most tests: a System with substitutions 0..5 and an
 * EventData with n_data Data elements taking substitutions 6.. of the given
 * types. */
static void system_template_body(bb *b, const uint8_t *types, int n_data, const char **names)
{
    fragment(b);
    open_elem(b, "Event", false);
    close_start(b);
    open_elem(b, "System", false);
    close_start(b);
    open_elem(b, "Provider", true);
    attr(b, "Name");
    subst(b, 0, EVTX_T_STRING, true);
    attr(b, "Guid");
    subst(b, 1, EVTX_T_GUID, true);
    put8(b, 0x03);
    open_elem(b, "EventID", true);
    attr(b, "Qualifiers");
    subst(b, 2, EVTX_T_U16, true);
    close_start(b);
    subst(b, 3, EVTX_T_U16, false);
    end_elem(b);
    open_elem(b, "TimeCreated", true);
    attr(b, "SystemTime");
    subst(b, 4, EVTX_T_FILETIME, false);
    put8(b, 0x03);
    open_elem(b, "Channel", false);
    close_start(b);
    subst(b, 5, EVTX_T_STRING, false);
    end_elem(b);
    end_elem(b); /* System */
    open_elem(b, "EventData", false);
    close_start(b);
    for (int i = 0; i < n_data; i++)
        data_elem(b, names[i], (uint16_t)(6 + i), types[i], true);
    end_elem(b);
    end_elem(b); /* Event */
    put8(b, 0x00);
}

typedef struct val {
    uint8_t type;
    const void *p;
    uint16_t len;
} val;

/* Template instance: inline definition the first time (returns its
 * offset), a reference to def_off afterwards. */
static uint32_t template_instance(bb *b, uint32_t def_off, void (*body)(bb *, void *), void *arg)
{
    put8(b, 0x0c);
    put8(b, 0x01);
    put32(b, 0x03020100); /* first 4 bytes of the GUID below */
    if (def_off) {
        put32(b, def_off);
        return def_off;
    }
    uint32_t off = b->n + 4;
    put32(b, off);
    put32(b, 0); /* next template */
    for (int i = 0; i < 16; i++)
        put8(b, (uint8_t)i);
    uint32_t size_at = b->n;
    put32(b, 0);
    uint32_t start = b->n;
    body(b, arg);
    set32(b, size_at, b->n - start);
    return off;
}

static void values(bb *b, const val *v, int n)
{
    put32(b, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        put16(b, v[i].len);
        put8(b, v[i].type);
        put8(b, 0);
    }
    for (int i = 0; i < n; i++)
        for (uint16_t k = 0; k < v[i].len; k++)
            put8(b, ((const uint8_t *)v[i].p)[k]);
}

static uint32_t record_begin(bb *b, uint64_t id)
{
    uint32_t at = b->n;
    put32(b, 0x00002a2a);
    put32(b, 0);
    put64(b, id);
    put64(b, 131000000000000000ull);
    return at;
}

static void record_end(bb *b, uint32_t at)
{
    while ((b->n - at + 4) % 8)
        put8(b, 0);
    uint32_t size = b->n - at + 4;
    put32(b, size);
    set32(b, at + 4, size);
}

typedef struct sys_args {
    const uint8_t *types;
    int n;
    const char **names;
} sys_args;

static void sys_body(bb *b, void *arg)
{
    sys_args *a = arg;
    system_template_body(b, a->types, a->n, a->names);
}

static const uint8_t guid_bytes[16] = {0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                                       0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d};

/* utf16 bytes of an ASCII string into static storage (tests only). */
static const uint8_t *u16(const char *s, uint16_t *len)
{
    static uint8_t pool[8][256];
    static int next;
    uint8_t *p = pool[next++ % 8];
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        p[2 * i] = (uint8_t)s[i];
        p[2 * i + 1] = 0;
    }
    *len = (uint16_t)(2 * n);
    return p;
}

/* System values 0..5 for event id `eid`. */
static int system_values(val *v, uint16_t eid, const uint16_t *eidp, bool with_guid)
{
    static uint64_t ft = 131000000001234567ull; /* 2016-02-15T08:53:20.1234567Z */
    static uint16_t qual = 16384;
    uint16_t l0, l5;
    const uint8_t *p0 = u16("Test-Provider", &l0);
    const uint8_t *p5 = u16("Application", &l5);
    (void)eid;
    v[0] = (val){EVTX_T_STRING, p0, l0};
    v[1] = with_guid ? (val){EVTX_T_GUID, guid_bytes, 16} : (val){EVTX_T_NULL, NULL, 0};
    v[2] = (val){EVTX_T_U16, &qual, 2};
    v[3] = (val){EVTX_T_U16, eidp, 2};
    v[4] = (val){EVTX_T_FILETIME, &ft, 8};
    v[5] = (val){EVTX_T_STRING, p5, l5};
    return 6;
}

typedef struct chunk_spec {
    bool bad_data_crc;
    uint32_t free_override; /* non-zero: free space offset to write */
} chunk_spec;

/* Finish chunk header fields and CRCs, wrap in a file. */
static uint8_t *make_file(bb *c, uint64_t first_id, uint64_t last_id, const chunk_spec *cs, size_t *len)
{
    uint32_t free_off = cs && cs->free_override ? cs->free_override : c->n;
    memcpy(c->d, "ElfChnk", 8);
    bb h = {c->d, 8};
    put64(&h, first_id);
    put64(&h, last_id);
    put64(&h, first_id);
    put64(&h, last_id);
    put32(&h, 128);
    put32(&h, 512);
    put32(&h, free_off);
    uint32_t dcrc = evtx_crc32(0, c->d + 512, free_off - 512);
    put32(&h, cs && cs->bad_data_crc ? dcrc ^ 1 : dcrc);
    set32(c, 124, evtx_crc32(evtx_crc32(0, c->d, 120), c->d + 128, 384));
    *len = EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE;
    uint8_t *f = calloc(1, *len);
    memcpy(f, "ElfFile", 8);
    bb fh = {f, 8};
    put64(&fh, 0);
    put64(&fh, 0);
    put64(&fh, last_id + 1);
    put32(&fh, 128);
    put16(&fh, 1);
    put16(&fh, 3);
    put16(&fh, 4096);
    put16(&fh, 1);
    set32(&(bb){f, 0}, 124, evtx_crc32(0, f, 120));
    memcpy(f + EVTX_FILE_HEADER_SIZE, c->d, EVTX_CHUNK_SIZE);
    return f;
}

typedef struct opened {
    uint8_t *data;
    gl_mem_reader mem;
    gl_reader r;
    evtx_file *f;
} opened;

static void open_mem(opened *o, uint8_t *data, size_t len)
{
    o->data = data;
    o->r = gl_reader_memory(&o->mem, data, len, "mem.evtx");
    gl_err err = {0};
    o->f = evtx_open(&o->r, NULL, &err);
    cr_assert_not_null(o->f, "%s", err.msg);
}

static void close_mem(opened *o)
{
    evtx_close(o->f);
    free(o->data);
}

static bool has_error(evtx_file *f, const char *what)
{
    for (size_t i = 0; i < evtx_error_count(f); i++)
        if (strstr(evtx_error(f, i), what))
            return true;
    return false;
}

/* ---- unit tests -------------------------------------------------------- */

Test(evtx_unit, system_fields_and_arrays)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const uint8_t types[] = {EVTX_T_STRING | EVTX_T_ARRAY, EVTX_T_U32 | EVTX_T_ARRAY,
                                    EVTX_T_HEX64, EVTX_T_BINARY, EVTX_T_SID | EVTX_T_ARRAY, EVTX_T_BOOL,
                                    EVTX_T_I8, EVTX_T_SYSTIME, EVTX_T_R64};
    static const char *names[] = {"Strs", "Nums", "Hex", "Bin", "Sids", "Flag", "Small", "When", "Real"};
    sys_args a = {types, 9, names};
    uint16_t eid = 7045;
    uint32_t at = record_begin(&c, 1);
    fragment(&c);
    template_instance(&c, 0, sys_body, &a);
    val v[16];
    int n = system_values(v, eid, &eid, true);
    static const uint8_t strs[] = {'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0, 'c', 0, 0, 0};
    static const uint8_t nums[] = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t hex[] = {0x10, 0, 0, 0, 0, 0, 0, 0x80};
    static const uint8_t bin[] = {0xde, 0xad, 0x01};
    static const uint8_t sids[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0};
    static const uint8_t flag[] = {1, 0, 0, 0};
    static const uint8_t small[] = {0xfe};
    static const uint8_t when[] = {0xe8, 7, 2, 0, 4, 0, 29, 0, 13, 0, 5, 0, 9, 0, 7, 0};
    static const double real = 0.1;
    v[n++] = (val){types[0], strs, sizeof strs};
    v[n++] = (val){types[1], nums, sizeof nums};
    v[n++] = (val){types[2], hex, sizeof hex};
    v[n++] = (val){types[3], bin, sizeof bin};
    v[n++] = (val){types[4], sids, sizeof sids};
    v[n++] = (val){types[5], flag, sizeof flag};
    v[n++] = (val){types[6], small, sizeof small};
    v[n++] = (val){types[7], when, sizeof when};
    v[n++] = (val){types[8], &real, sizeof real};
    values(&c, v, n);
    record_end(&c, at);
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 1, 1, NULL, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 7045);
    cr_expect_eq(ev->qualifiers, 16384);
    cr_expect(ev->has & EVTX_HAS_QUALIFIERS);
    cr_expect_str_eq(ev->provider_name, "Test-Provider");
    cr_expect_str_eq(ev->provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    cr_expect_str_eq(ev->time_created_iso, "2016-02-15T08:53:20.1234567Z");
    cr_expect_eq(ev->time_created, 131000000001234567ull);
    cr_expect_str_eq(ev->channel, "Application");
    cr_expect_str_eq(evtx_event_value(ev, "Strs"), "a\nb\n\nc");
    cr_expect_str_eq(evtx_event_value(ev, "Nums"), "1\n4294967295");
    cr_expect_str_eq(evtx_event_value(ev, "Hex"), "0x8000000000000010");
    cr_expect_str_eq(evtx_event_value(ev, "Bin"), "DEAD01");
    cr_expect_str_eq(evtx_event_value(ev, "Sids"), "S-1-5-18\nS-1-5-32-544");
    cr_expect_str_eq(evtx_event_value(ev, "Flag"), "true");
    cr_expect_str_eq(evtx_event_value(ev, "Small"), "-2");
    cr_expect_str_eq(evtx_event_value(ev, "When"), "2024-02-29T13:05:09.007Z");
    cr_expect_str_eq(evtx_event_value(ev, "Real"), "0.1");
    gl_buf x = {0};
    cr_expect_eq(evtx_event_xml(o.f, ev, &x), 0);
    cr_expect(strstr(gl_buf_cstr(&x), "<EventID Qualifiers=\"16384\">7045</EventID>") != NULL, "%s", x.data);
    cr_expect_eq(evtx_next(o.f, &ev, &err), 0);
    cr_expect_eq(evtx_error_count(o.f), 0, "%s", evtx_error(o.f, 0));
    gl_buf_free(&x);
    close_mem(&o);
}

/* Optional substitutions with NULL values: the attribute disappears, the
 * element stays empty; a second record reuses the template by offset. */
Test(evtx_unit, optional_substitution_omitted_and_template_reuse)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const uint8_t types[] = {EVTX_T_STRING};
    static const char *names[] = {"Maybe"};
    sys_args a = {types, 1, names};
    uint16_t eid1 = 1, eid2 = 2;
    val v[8];
    uint32_t at = record_begin(&c, 10);
    fragment(&c);
    uint32_t def = template_instance(&c, 0, sys_body, &a);
    int n = system_values(v, eid1, &eid1, false);
    v[n++] = (val){EVTX_T_NULL, NULL, 0};
    values(&c, v, n);
    record_end(&c, at);
    at = record_begin(&c, 11);
    fragment(&c);
    template_instance(&c, def, sys_body, &a);
    uint16_t l;
    const uint8_t *p = u16("there", &l);
    n = system_values(v, eid2, &eid2, true);
    v[n++] = (val){EVTX_T_STRING, p, l};
    values(&c, v, n);
    record_end(&c, at);
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 10, 11, NULL, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    gl_buf x = {0};
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_str_eq(ev->provider_guid, "");
    cr_expect_str_eq(evtx_event_value(ev, "Maybe"), "");
    evtx_event_xml(o.f, ev, &x);
    cr_expect(strstr(gl_buf_cstr(&x), "<Provider Name=\"Test-Provider\">") != NULL, "%s", x.data);
    cr_expect(strstr(gl_buf_cstr(&x), "Guid=") == NULL, "%s", x.data);
    cr_expect(strstr(gl_buf_cstr(&x), "<Data Name=\"Maybe\"></Data>") != NULL, "%s", x.data);
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 2);
    cr_expect_str_eq(evtx_event_value(ev, "Maybe"), "there");
    cr_expect_str_eq(ev->provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    cr_expect_eq(evtx_next(o.f, &ev, &err), 0);
    gl_buf_free(&x);
    close_mem(&o);
}

/* UserData delivered as a BinXml substitution holding its own template
 * instance; the nested tree is walked in place. */
static void user_body(bb *b, void *arg)
{
    (void)arg;
    fragment(b);
    open_elem(b, "UserData", false);
    close_start(b);
    open_elem(b, "LogFileCleared", true);
    attr(b, "xmlns");
    text(b, "urn:test");
    close_start(b);
    open_elem(b, "SubjectUserName", false);
    close_start(b);
    subst(b, 0, EVTX_T_STRING, false);
    end_elem(b);
    end_elem(b);
    end_elem(b);
    put8(b, 0);
}

static void outer_body(bb *b, void *arg)
{
    (void)arg;
    fragment(b);
    open_elem(b, "Event", false);
    close_start(b);
    open_elem(b, "System", false);
    close_start(b);
    open_elem(b, "EventID", false);
    close_start(b);
    subst(b, 0, EVTX_T_U16, false);
    end_elem(b);
    end_elem(b);
    subst(b, 1, EVTX_T_BINXML, false);
    end_elem(b);
    put8(b, 0);
}

/* Record id: EventID eid (substitution 0) and UserData naming user
 * through a BinXml substitution holding its own template instance. The
 * templates are defined inline when *outer / *inner are 0 (set to their
 * offsets), referenced otherwise. */
static void nested_record(bb *c, uint64_t id, uint16_t eid, const char *user, uint32_t *outer, uint32_t *inner)
{
    uint32_t at = record_begin(c, id);
    fragment(c);
    *outer = template_instance(c, *outer, outer_body, NULL);
    /* values: count 2, descriptors, then the nested fragment whose offsets
     * are chunk-relative: build it in place, then fix the size. */
    put32(c, 2);
    put16(c, 2);
    put8(c, EVTX_T_U16);
    put8(c, 0);
    uint32_t size_at = c->n;
    put16(c, 0);
    put8(c, EVTX_T_BINXML);
    put8(c, 0);
    put16(c, eid);
    uint32_t start = c->n;
    fragment(c);
    *inner = template_instance(c, *inner, user_body, NULL);
    uint16_t l;
    const uint8_t *p = u16(user, &l);
    val v[1] = {{EVTX_T_STRING, p, l}};
    values(c, v, 1);
    c->d[size_at] = (uint8_t)(c->n - start);
    c->d[size_at + 1] = (uint8_t)((c->n - start) >> 8);
    record_end(c, at);
}

Test(evtx_unit, nested_binxml_substitution)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    uint32_t outer = 0, inner = 0;
    nested_record(&c, 5, 1102, "alice", &outer, &inner);
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 5, 5, NULL, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_eq(evtx_error_count(o.f), 0, "%s", evtx_error(o.f, 0));
    cr_expect_eq(ev->event_id, 1102);
    cr_expect(ev->has & EVTX_HAS_USER_DATA);
    cr_expect_str_eq(evtx_event_value(ev, "SubjectUserName"), "alice");
    cr_assert_eq(ev->nuser, 3);
    cr_expect_str_eq(ev->user[0].name, "LogFileCleared");
    cr_expect_str_eq(ev->user[1].name, "xmlns");
    cr_expect(ev->user[1].is_attr);
    cr_expect_str_eq(ev->user[2].name, "SubjectUserName");
    cr_expect_eq(ev->user[2].depth, 1);
    gl_buf js = {0};
    gl_json j;
    gl_json_init(&j, &js);
    evtx_event_json(o.f, ev, &j, 0);
    cr_expect(strstr(js.data, "\"UserData\":{\"LogFileCleared\":{\"@xmlns\":\"urn:test\",\"SubjectUserName\":\"alice\"}}") !=
                  NULL,
              "%s", js.data);
    gl_buf_free(&js);
    close_mem(&o);
}

/* A data CRC mismatch is reported with the chunk offset, the records are
 * still returned and flagged; records in slack are carved and flagged;
 * holes in the record numbers are reported as gaps. */
Test(evtx_unit, crc_mismatch_carving_and_gaps)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const uint8_t types[] = {EVTX_T_U32};
    static const char *names[] = {"N"};
    sys_args a = {types, 1, names};
    uint16_t eid = 4624;
    uint32_t def = 0, free_off = 0;
    static const uint64_t ids[] = {1, 2, 5, 9};
    for (int i = 0; i < 4; i++) {
        if (i == 3)
            free_off = c.n; /* record 9 lies in slack */
        uint32_t at = record_begin(&c, ids[i]);
        fragment(&c);
        def = template_instance(&c, def, sys_body, &a);
        val v[8];
        int n = system_values(v, eid, &eid, true);
        uint32_t num = (uint32_t)ids[i];
        v[n++] = (val){EVTX_T_U32, &num, 4};
        values(&c, v, n);
        record_end(&c, at);
    }
    chunk_spec cs = {.bad_data_crc = true, .free_override = free_off};
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 1, 5, &cs, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    uint64_t got[4];
    bool rec[4];
    unsigned why[4];
    int k = 0;
    while (k < 4 && evtx_next(o.f, &ev, &err) == 1) {
        got[k] = ev->record_id;
        rec[k] = ev->recovered;
        why[k] = ev->recovered_why;
        cr_expect_str_eq(evtx_event_value(ev, "N"), k == 0 ? "1" : k == 1 ? "2" : k == 2 ? "5" : "9");
        k++;
    }
    cr_assert_eq(k, 4);
    cr_expect_eq(evtx_next(o.f, &ev, &err), 0);
    cr_expect_eq(got[0], 1);
    cr_expect_eq(got[2], 5);
    cr_expect_eq(got[3], 9);
    cr_expect(rec[0] && why[0] == EVTX_REC_BAD_CHUNK);
    cr_expect(rec[3] && why[3] == EVTX_REC_CARVED);
    cr_expect(has_error(o.f, "chunk 0 (offset 0x1000): event records CRC32 mismatch"), "%s", evtx_error(o.f, 0));
    size_t ng;
    const evtx_gap *g = evtx_gaps(o.f, &ng);
    cr_assert_eq(ng, 1);
    cr_expect_eq(g[0].first_missing, 3);
    cr_expect_eq(g[0].last_missing, 4);
    cr_expect_eq(g[0].chunk_index, 0);
    cr_expect_eq(evtx_get_stats(o.f)->records_recovered, 4);
    close_mem(&o);
    /* without recovery the slack record is not returned */
    uint8_t *again = make_file(&c, 1, 5, &cs, &len);
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, again, len, "mem.evtx");
    evtx_options opt = {.no_recover = true};
    evtx_file *f = evtx_open(&r, &opt, &err);
    k = 0;
    while (evtx_next(f, &ev, &err) == 1)
        k++;
    cr_expect_eq(k, 3);
    evtx_close(f);
    free(again);
}

/* Hostile structure: elements nested past the limit, a template that
 * instantiates itself, a substitution count larger than the record. Each
 * gives an error naming the problem, and iteration continues. */
static void deep_body(bb *b, void *arg)
{
    int depth = *(int *)arg;
    fragment(b);
    for (int i = 0; i < depth; i++) {
        open_elem(b, "E", false);
        close_start(b);
    }
    for (int i = 0; i < depth; i++)
        end_elem(b);
    put8(b, 0);
}

static void self_body(bb *b, void *arg)
{
    (void)arg;
    fragment(b);
    open_elem(b, "Event", false);
    close_start(b);
    put8(b, 0x0c); /* instance of the template being defined */
    put8(b, 1);
    put32(b, 0);
    put32(b, 512 + 24 + 4 + 10);
    end_elem(b);
    put8(b, 0);
}

Test(evtx_unit, depth_cycle_and_count_limits)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    uint32_t at = record_begin(&c, 1); /* record at 512; fragment at 536 */
    fragment(&c);
    template_instance(&c, 0, self_body, NULL); /* definition at 540 + 10 */
    put32(&c, 0);
    record_end(&c, at);
    at = record_begin(&c, 2);
    fragment(&c);
    int depth = EVTX_MAX_XML_DEPTH + 5;
    template_instance(&c, 0, deep_body, &depth);
    put32(&c, 0);
    record_end(&c, at);
    at = record_begin(&c, 3);
    fragment(&c);
    int ok_depth = 3;
    template_instance(&c, 0, deep_body, &ok_depth);
    put32(&c, 0x7fffffff); /* substitution count */
    record_end(&c, at);
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 1, 3, NULL, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    int k = 0;
    while (evtx_next(o.f, &ev, &err) == 1)
        k++;
    cr_expect_eq(k, 3, "damaged records still yield their header data");
    cr_expect(has_error(o.f, "template definition refers to itself"), "%s", evtx_error(o.f, 0));
    cr_expect(has_error(o.f, "elements nested deeper than 64"));
    cr_expect(has_error(o.f, "substitution count 2147483647 does not fit in the record"));
    close_mem(&o);
}

/* Not an EVTX file / too short: NULL with a specific message. */
Test(evtx_unit, open_rejects)
{
    uint8_t junk[8192] = {0};
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, junk, sizeof junk, "junk.bin");
    gl_err err = {0};
    cr_expect_null(evtx_open(&r, NULL, &err));
    cr_expect(strstr(err.msg, "junk.bin: offset 0: expected signature \"ElfFile\"") != NULL, "%s", err.msg);
    r = gl_reader_memory(&mem, junk, 100, "short.bin");
    cr_expect_null(evtx_open(&r, NULL, &err));
    cr_expect(strstr(err.msg, "short.bin: 100 bytes: too short") != NULL, "%s", err.msg);
}

/* Damaged string / template tables are reported; records still parse
 * because names and templates are found through the records' offsets. */
Test(evtx_unit, damaged_tables_reported)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const uint8_t types[] = {EVTX_T_STRING};
    static const char *names[] = {"S"};
    sys_args a = {types, 1, names};
    uint16_t eid = 7;
    uint32_t at = record_begin(&c, 1);
    fragment(&c);
    template_instance(&c, 0, sys_body, &a);
    val v[8];
    int n = system_values(v, eid, &eid, true);
    v[n++] = (val){EVTX_T_NULL, NULL, 0};
    values(&c, v, n);
    record_end(&c, at);
    set32(&c, 128 + 4 * 5, 0x20);        /* string bucket 5 -> inside the header */
    size_t len;
    uint8_t *fdata = make_file(&c, 1, 1, NULL, &len);
    opened o;
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_eq(ev->event_id, 7);
    cr_expect(has_error(o.f, "chunk 0 (offset 0x1000): common string table bucket 5: entry offset 0x20 outside"),
              "%s", evtx_error(o.f, 0));
    close_mem(&o);
    /* a template chain that points back to itself */
    memset(chunk + 128, 0, 384);
    set32(&c, 384, 1024);
    set32(&c, 1024, 1024);
    fdata = make_file(&c, 1, 1, NULL, &len);
    open_mem(&o, fdata, len);
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect(has_error(o.f, "template table bucket 0: chain does not end (cycle)"), "%s", evtx_error(o.f, 0));
    close_mem(&o);
}

/* CRC32 (the folded x86-64 path and the table path) against the check
 * value and a bit-at-a-time reference, at every length and alignment
 * around the fold's 64/16-byte steps. */
Test(evtx_unit, crc32)
{
    cr_expect_eq(evtx_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    static uint8_t buf[600];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + (i >> 3));
    for (size_t off = 0; off < 4; off++)
        for (size_t len = 0; len + off <= sizeof buf; len += (len < 200 ? 1 : 37)) {
            uint32_t want = ~0u;
            for (size_t i = 0; i < len; i++) {
                want ^= buf[off + i];
                for (int k = 0; k < 8; k++)
                    want = (want & 1) ? 0xEDB88320u ^ (want >> 1) : want >> 1;
            }
            cr_assert_eq(evtx_crc32(0, buf + off, len), ~want, "len %zu off %zu", len, off);
        }
    /* continuing a CRC across two calls equals one call */
    cr_expect_eq(evtx_crc32(evtx_crc32(0, buf, 100), buf + 100, 400), evtx_crc32(0, buf, 500));
}

/* UTF-16 strings: ASCII runs, 2- and 3-byte UTF-8, a surrogate pair, an
 * unpaired surrogate (kept as text) and trailing NULs (dropped). */
Test(evtx_unit, utf16_values)
{
    static const uint8_t s[] = {'a', 0, 'b', 0, 'c', 0, 'd', 0, 'e', 0, 0xe9, 0x00, 0xac, 0x20,
                                0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 'x', 0, 0, 0, 0, 0};
    evtx_value v = {.p = s, .len = sizeof s, .type = EVTX_T_STRING};
    gl_buf out = {0};
    evtx_format_value(&out, &v);
    cr_expect_str_eq(gl_buf_cstr(&out), "abcde\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\uD800x");
    gl_buf_free(&out);
}

/* One 30 000-byte substitution referenced by 300 Data elements would
 * render to 18 MB: the event is cut at the output limit, with an error,
 * and memory stays bounded. */
static void fanout_body(bb *b, void *arg)
{
    (void)arg;
    fragment(b);
    open_elem(b, "Event", false);
    close_start(b);
    open_elem(b, "EventData", false);
    close_start(b);
    for (int i = 0; i < 300; i++)
        data_elem(b, "D", 0, EVTX_T_BINARY, false);
    end_elem(b);
    end_elem(b);
    put8(b, 0);
}

Test(evtx_unit, substitution_fanout_is_capped)
{
    static uint8_t chunk[EVTX_CHUNK_SIZE];
    static uint8_t big[30000];
    memset(chunk, 0, sizeof chunk);
    bb c = {chunk, 512};
    uint32_t at = record_begin(&c, 1);
    fragment(&c);
    template_instance(&c, 0, fanout_body, NULL);
    val v[1] = {{EVTX_T_BINARY, big, sizeof big}};
    values(&c, v, 1);
    record_end(&c, at);
    cr_assert_lt(c.n, EVTX_CHUNK_SIZE);
    size_t len;
    uint8_t *fdata = make_file(&c, 1, 1, NULL, &len);
    opened o;
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect(has_error(o.f, "rendered event exceeds the output limit"), "%s", evtx_error(o.f, 0));
    cr_expect_lt(ev->ndata, 300);
    cr_expect_gt(ev->ndata, 100);
    gl_buf x = {0};
    cr_expect_eq(evtx_event_xml(o.f, ev, &x), -1);
    cr_expect_lt(x.len, 17u << 20);
    gl_buf_free(&x);
    close_mem(&o);
}

/* A record whose template instance names another template than the one
 * at its definition offset (a stale reference) is reported; carved, it
 * would be rejected. */
Test(evtx_unit, template_id_mismatch)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const uint8_t types[] = {EVTX_T_STRING};
    static const char *names[] = {"S"};
    sys_args a = {types, 1, names};
    uint16_t eid = 9;
    uint32_t at = record_begin(&c, 1);
    fragment(&c);
    uint32_t inst = c.n;
    template_instance(&c, 0, sys_body, &a);
    val v[8];
    int n = system_values(v, eid, &eid, true);
    v[n++] = (val){EVTX_T_NULL, NULL, 0};
    values(&c, v, n);
    record_end(&c, at);
    set32(&c, inst + 2, 0xdeadbeef);
    size_t len;
    uint8_t *fdata = make_file(&c, 1, 1, NULL, &len);
    opened o;
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_eq(ev->record_id, 1);
    cr_expect(has_error(o.f, "template instance names template 0xdeadbeef, the definition at 0x226 is 0x03020100"),
              "%s", evtx_error(o.f, 0));
    close_mem(&o);
}

/* UserData nested 62 deep still gives one valid JSON object (deep levels
 * keep their text only). */
static void deep_user_body(bb *b, void *arg)
{
    (void)arg;
    fragment(b);
    open_elem(b, "Event", false);
    close_start(b);
    open_elem(b, "UserData", false);
    close_start(b);
    for (int i = 0; i < 62; i++) {
        open_elem(b, "E", false);
        close_start(b);
    }
    text(b, "leaf");
    for (int i = 0; i < 62 + 2; i++)
        end_elem(b);
    put8(b, 0);
}

Test(evtx_unit, deep_userdata_json)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    uint32_t at = record_begin(&c, 1);
    fragment(&c);
    template_instance(&c, 0, deep_user_body, NULL);
    put32(&c, 0);
    record_end(&c, at);
    size_t len;
    uint8_t *fdata = make_file(&c, 1, 1, NULL, &len);
    opened o;
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
    cr_expect_eq(evtx_error_count(o.f), 0, "%s", evtx_error(o.f, 0));
    cr_expect_eq(ev->nuser, 62);
    cr_expect_str_eq(evtx_event_value(ev, "E"), "");
    gl_buf js = {0};
    gl_json j;
    gl_json_init(&j, &js);
    evtx_event_json(o.f, ev, &j, EVTX_JSON_XML);
    cr_expect_eq(j.depth, 0);
    cJSON *parsed = cJSON_Parse(gl_buf_cstr(&js));
    cr_expect_not_null(parsed, "%s", js.data);
    cJSON_Delete(parsed);
    gl_buf_free(&js);
    close_mem(&o);
}

/* Records saved with inline text values carry TimeCreated as text: it is
 * parsed to a FILETIME and re-rendered with 7 digits. */
static void text_time_body(bb *b, void *arg)
{
    fragment(b);
    open_elem(b, "Event", false);
    close_start(b);
    open_elem(b, "System", false);
    close_start(b);
    open_elem(b, "TimeCreated", true);
    attr(b, "SystemTime");
    text(b, (const char *)arg);
    put8(b, 0x03);
    end_elem(b);
    end_elem(b);
    put8(b, 0);
}

Test(evtx_unit, text_time_created)
{
    static const char *times[] = {"2021-06-03T19:39:52.893115500Z", "2021-06-03 19:39:52"};
    for (int k = 0; k < 2; k++) {
        uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
        bb c = {chunk, 512};
        uint32_t at = record_begin(&c, 1);
        fragment(&c);
        template_instance(&c, 0, text_time_body, (void *)times[k]);
        put32(&c, 0);
        record_end(&c, at);
        size_t len;
        uint8_t *fdata = make_file(&c, 1, 1, NULL, &len);
        opened o;
        open_mem(&o, fdata, len);
        const evtx_event *ev;
        gl_err err;
        cr_assert_eq(evtx_next(o.f, &ev, &err), 1);
        cr_expect(ev->has & EVTX_HAS_TIME_CREATED);
        if (k == 0) {
            cr_expect_eq(ev->time_created, 132672227928931155ull);
            cr_expect_str_eq(ev->time_created_iso, "2021-06-03T19:39:52.8931155Z");
        } else { /* not ISO: kept as written, no FILETIME */
            cr_expect_eq(ev->time_created, 0);
            cr_expect_str_eq(ev->time_created_iso, "2021-06-03 19:39:52");
        }
        close_mem(&o);
    }
}

/* Records of one template are rendered from a program recorded from the
 * first record of each value shape (here: an optional substitution empty
 * or not, the Guid absent or not) and replayed for the later ones: shapes
 * alternate, so each program is recorded once and replayed with other
 * values; every record must still show its own. */
Test(evtx_unit, template_programs_follow_value_shapes)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const uint8_t types[] = {EVTX_T_STRING, EVTX_T_U32};
    static const char *names[] = {"Maybe", "Count"};
    sys_args a = {types, 2, names};
    static uint16_t eids[7];
    static uint32_t counts[7];
    uint32_t def = 0;
    for (int r = 0; r < 7; r++) {
        eids[r] = (uint16_t)(100 + r);
        counts[r] = 1000u * (uint32_t)r + 7;
        char word[8];
        snprintf(word, sizeof word, "w%d", r);
        uint32_t at = record_begin(&c, 20 + (uint64_t)r);
        fragment(&c);
        def = template_instance(&c, def, sys_body, &a);
        val v[8];
        bool full = r % 2 == 1;
        int n = system_values(v, eids[r], &eids[r], full);
        uint16_t l;
        const uint8_t *p = u16(word, &l);
        v[n++] = full ? (val){EVTX_T_STRING, p, l} : (val){EVTX_T_NULL, NULL, 0};
        v[n++] = (val){EVTX_T_U32, &counts[r], 4};
        values(&c, v, n);
        record_end(&c, at);
    }
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 20, 26, NULL, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    gl_buf js = {0};
    for (int r = 0; r < 7; r++) {
        bool full = r % 2 == 1;
        cr_assert_eq(evtx_next(o.f, &ev, &err), 1, "record %d", r);
        cr_expect_eq(ev->event_id, 100 + r);
        cr_expect_eq(ev->event_record_id, 20 + (uint64_t)r);
        char want[160];
        snprintf(want, sizeof want, "{\"Provider\":{\"Name\":\"Test-Provider\"%s},\"EventID\":%d,\"Qualifiers\":16384,",
                 full ? ",\"Guid\":\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"" : "", 100 + r);
        gl_json j;
        gl_buf_clear(&js);
        gl_json_init(&j, &js);
        evtx_event_json(o.f, ev, &j, 0);
        cr_expect(!strncmp(js.data, want, strlen(want)), "record %d: %s", r, js.data);
        if (full)
            snprintf(want, sizeof want, "\"EventData\":{\"Maybe\":\"w%d\",\"Count\":\"%u\"}", r, counts[r]);
        else
            snprintf(want, sizeof want, "\"EventData\":{\"Maybe\":\"\",\"Count\":\"%u\"}", counts[r]);
        cr_expect(strstr(js.data, want) != NULL, "record %d: %s", r, js.data);
        cr_expect(strstr(js.data, "\"TimeCreated\":\"2016-02-15T08:53:20.1234567Z\"") != NULL, "%s", js.data);
        cr_expect(strstr(js.data, "\"Channel\":\"Application\"") != NULL, "%s", js.data);
    }
    cr_expect_eq(evtx_next(o.f, &ev, &err), 0);
    cr_expect_eq(evtx_error_count(o.f), 0);
    gl_buf_free(&js);
    close_mem(&o);
}

/* A nested BinXml value (UserData through its own template) in records of
 * one outer template: replayed records carry their own nested values. */
Test(evtx_unit, template_programs_nested_values)
{
    uint8_t chunk[EVTX_CHUNK_SIZE] = {0};
    bb c = {chunk, 512};
    static const char *users[] = {"alice", "bob", "carol", "dave"};
    static uint16_t eids[4] = {1102, 1103, 1104, 1105};
    uint32_t outer = 0, inner = 0;
    for (int r = 0; r < 4; r++)
        nested_record(&c, 5 + (uint64_t)r, eids[r], users[r], &outer, &inner);
    size_t len;
    opened o;
    uint8_t *fdata = make_file(&c, 5, 8, NULL, &len);
    open_mem(&o, fdata, len);
    const evtx_event *ev;
    gl_err err;
    gl_buf js = {0};
    for (int r = 0; r < 4; r++) {
        cr_assert_eq(evtx_next(o.f, &ev, &err), 1, "record %d", r);
        cr_expect_eq(ev->event_id, eids[r]);
        cr_expect_str_eq(evtx_event_value(ev, "SubjectUserName"), users[r]);
        cr_assert_eq(ev->nuser, 3);
        gl_json j;
        gl_buf_clear(&js);
        gl_json_init(&j, &js);
        evtx_event_json(o.f, ev, &j, 0);
        char want[160];
        snprintf(want, sizeof want,
                 "\"UserData\":{\"LogFileCleared\":{\"@xmlns\":\"urn:test\",\"SubjectUserName\":\"%s\"}}", users[r]);
        cr_expect(strstr(js.data, want) != NULL, "record %d: %s", r, js.data);
    }
    cr_expect_eq(evtx_next(o.f, &ev, &err), 0);
    cr_expect_eq(evtx_error_count(o.f), 0, "%s", evtx_error(o.f, 0));
    gl_buf_free(&js);
    close_mem(&o);
}

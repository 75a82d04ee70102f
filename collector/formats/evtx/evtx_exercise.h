/* Drive the EVTX parser over one input the way the collector does, with
 * oracles that abort(): shared by the libFuzzer harness (fuzz_evtx.c) and
 * the regression tests (tests/unit/test_evtx_fuzz_regressions.c), so a
 * crash found by one replays identically in the other.
 *
 * The input is read through a memory gl_reader; every event is rendered to
 * JSON (with the XML) and to XML, its strings are read back, and the gaps,
 * errors and counters are walked, so ASan/UBSan see every byte the parser
 * hands out. Every JSON line must parse (cJSON). The last input byte picks
 * a filtered pass (the skip-without-rendering path), recovery off, and a
 * second reading in parts of one chunk each (evtx_open_part, evtx_absorb),
 * which must give the same events, errors and gaps as the first. */
#ifndef GL_EVTX_EXERCISE_H
#define GL_EVTX_EXERCISE_H
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "evtx.h"

/* Reading each byte makes a dangling or unterminated string visible. */
static inline size_t evx_touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static inline size_t evx_touch_event(const evtx_event *ev)
{
    size_t n = evx_touch(ev->provider_name) + evx_touch(ev->provider_guid) + evx_touch(ev->event_source_name) +
               evx_touch(ev->channel) + evx_touch(ev->computer) + evx_touch(ev->user_id) +
               evx_touch(ev->time_created_iso);
    for (size_t i = 0; i < ev->ndata; i++)
        n += evx_touch(ev->data[i].name) + evx_touch(ev->data[i].value);
    for (size_t i = 0; i < ev->nuser; i++)
        n += evx_touch(ev->user[i].name) + evx_touch(ev->user[i].value);
    n += evx_touch(evtx_event_value(ev, "TargetUserName"));
    return n;
}

static inline void evx_filters(evtx_file *f, uint8_t mode)
{
    if (mode & 1) {
        static const uint32_t ids[] = {4624, 4720, 7045, 5007, 2004};
        evtx_filter_ids(f, ids, sizeof ids / sizeof ids[0]);
        evtx_filter_channel(f, "Security");
    }
}

/* Every remaining event as JSON Lines into out. */
static inline void evx_events(evtx_file *f, gl_buf *out)
{
    const evtx_event *ev;
    gl_err err;
    while (evtx_next(f, &ev, &err) == 1) {
        gl_json j;
        gl_json_init(&j, out);
        evtx_event_json(f, ev, &j, EVTX_JSON_XML);
        gl_buf_putc(out, '\n');
    }
}

/* Errors and gaps once the file is read, as text into out. */
static inline void evx_report(const evtx_file *f, gl_buf *out)
{
    for (size_t i = 0; i < evtx_error_count(f); i++)
        gl_buf_printf(out, "%s\n", evtx_error(f, i));
    size_t ngaps = 0;
    const evtx_gap *g = evtx_gaps(f, &ngaps);
    for (size_t i = 0; i < ngaps; i++)
        gl_buf_printf(out, "%llu..%llu\n", (unsigned long long)g[i].first_missing,
                       (unsigned long long)g[i].last_missing);
}

/* The input read in parts of per_part chunks each, as threads read it:
 * its events, then its errors and gaps, into out. With reuse, one part
 * reader serves every range, as a thread of `evtx dump --jobs` does:
 * moved on with evtx_part_range (filters kept), every third range
 * reopened instead (evtx_reopen_part, filters set again), and what it
 * found absorbed through evtx_take_findings; else each range gets a new
 * part, absorbed itself. */
static inline void evx_by_parts(const gl_reader *r, const evtx_options *opt, uint8_t mode, uint64_t per_part,
                                bool reuse, gl_buf *out)
{
    gl_err err;
    evtx_file *whole = evtx_open(r, opt, &err);
    if (!whole)
        abort(); /* it opened once */
    evtx_file *part = NULL, *found = NULL;
    for (uint64_t ci = 0; ci < evtx_chunk_count(whole); ci += per_part) {
        if (reuse && part && (ci / per_part) % 3 != 0) {
            evtx_part_range(part, ci, ci + per_part);
        } else {
            part = reuse ? evtx_reopen_part(part, r, opt, ci, ci + per_part, &err)
                         : evtx_open_part(r, opt, ci, ci + per_part, &err);
            if (!part)
                abort();
            evx_filters(part, mode);
        }
        evx_events(part, out);
        if (reuse) { /* as the threads of `evtx dump --jobs` do */
            found = evtx_take_findings(part, found);
            evtx_absorb(whole, found);
        } else {
            evtx_absorb(whole, part);
            evtx_close(part);
            part = NULL;
        }
    }
    evtx_close(part);
    evtx_close(found);
    evtx_live_done(whole);
    evx_filters(whole, mode);
    evx_events(whole, out);
    evx_report(whole, out);
    evtx_close(whole);
}

/* Returns the number of events; `*touched` accumulates bytes read. */
static inline size_t evtx_exercise(const uint8_t *data, size_t size, size_t *touched)
{
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, data, size, "fuzz.evtx");
    gl_err err;
    uint8_t mode = size > 0 ? data[size - 1] : 0;
    evtx_options opt = {.no_recover = (mode & 2) != 0};
    evtx_file *f = evtx_open(&r, &opt, &err);
    if (!f)
        return 0;
    if (!evtx_header(f))
        abort();
    evx_filters(f, mode);
    gl_buf json = {0}, xml = {0}, all = {0};
    const evtx_event *ev;
    int rc;
    size_t events = 0, seen = 0;
    while ((rc = evtx_next(f, &ev, &err)) == 1) {
        events++;
        seen += evx_touch_event(ev);
        gl_buf_clear(&json);
        gl_json j;
        gl_json_init(&j, &json);
        evtx_event_json(f, ev, &j, EVTX_JSON_XML);
        if (j.depth != 0)
            abort(); /* unbalanced JSON object */
        cJSON *parsed = cJSON_ParseWithLength(json.data, json.len);
        if (!parsed)
            abort(); /* gleaner must always write valid JSON */
        cJSON_Delete(parsed);
        gl_buf_append(&all, json.data, json.len);
        gl_buf_putc(&all, '\n');
        gl_buf_clear(&xml);
        (void)evtx_event_xml(f, ev, &xml);
        seen += evx_touch(gl_buf_cstr(&json)) + evx_touch(gl_buf_cstr(&xml));
    }
    /* A memory reader cannot fail: damage must never surface as -1. */
    if (rc != 0)
        abort();
    size_t ngaps = 0;
    const evtx_gap *gaps = evtx_gaps(f, &ngaps);
    for (size_t i = 0; i < ngaps; i++)
        if (gaps[i].first_missing > gaps[i].last_missing)
            abort();
    size_t nerr = evtx_error_count(f);
    if (nerr > EVTX_MAX_ERRORS || evtx_error_total(f) < nerr)
        abort();
    for (size_t i = 0; i < nerr; i++)
        seen += evx_touch(evtx_error(f, i));
    if (!evtx_get_stats(f))
        abort();
    if (mode & 4) {
        gl_buf parts = {0};
        evx_report(f, &all);
        evx_by_parts(&r, &opt, mode, 1, (mode & 8) != 0, &parts);
        if (parts.len != all.len || (all.len && memcmp(parts.data, all.data, all.len)))
            abort(); /* reading in parts must change nothing */
        gl_buf_free(&parts);
    }
    gl_buf_free(&all);
    gl_buf_free(&json);
    gl_buf_free(&xml);
    evtx_close(f);
    *touched += seen;
    return events;
}

#endif

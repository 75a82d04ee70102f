/* libFuzzer entry for the EVTX parser: the input is an event log read
 * through a memory gl_reader with recovery on; every event is rendered to
 * JSON (with the XML) and to XML, its strings are read back, and the gaps,
 * errors and counters are walked, so ASan/UBSan see every byte the parser
 * hands out. Every JSON line must parse (cJSON). The last input byte picks
 * a filtered pass (the skip-without-rendering path) and recovery off.
 * `make fuzz-evtx`. */
#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "evtx.h"

/* Reading each byte makes a dangling or unterminated string visible. */
static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static size_t touch_event(const evtx_event *ev)
{
    size_t n = touch(ev->provider_name) + touch(ev->provider_guid) + touch(ev->event_source_name) +
               touch(ev->channel) + touch(ev->computer) + touch(ev->user_id) + touch(ev->time_created_iso);
    for (size_t i = 0; i < ev->ndata; i++)
        n += touch(ev->data[i].name) + touch(ev->data[i].value);
    for (size_t i = 0; i < ev->nuser; i++)
        n += touch(ev->user[i].name) + touch(ev->user[i].value);
    n += touch(evtx_event_value(ev, "TargetUserName"));
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static volatile size_t sink; /* keeps the reads from being optimised away */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, data, size, "fuzz.evtx");
    gl_err err;
    uint8_t mode = size > 0 ? data[size - 1] : 0;
    evtx_options opt = {.no_recover = (mode & 2) != 0};
    evtx_file *f = evtx_open(&r, &opt, &err);
    if (!f)
        return 0;
    const evtx_header_info *h = evtx_header(f);
    if (!h)
        abort();
    bool filtered = mode & 1;
    if (filtered) {
        static const uint32_t ids[] = {4624, 4720, 7045, 5007, 2004};
        evtx_filter_ids(f, ids, sizeof ids / sizeof ids[0]);
        evtx_filter_channel(f, "Security");
    }
    gl_buf json = {0}, xml = {0};
    const evtx_event *ev;
    int rc;
    size_t seen = 0;
    while ((rc = evtx_next(f, &ev, &err)) == 1) {
        seen += touch_event(ev);
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
        gl_buf_clear(&xml);
        (void)evtx_event_xml(f, ev, &xml);
        seen += touch(gl_buf_cstr(&json)) + touch(gl_buf_cstr(&xml));
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
        seen += touch(evtx_error(f, i));
    const evtx_stats *st = evtx_get_stats(f);
    if (!st)
        abort();
    gl_buf_free(&json);
    gl_buf_free(&xml);
    evtx_close(f);
    sink += seen;
    return 0;
}

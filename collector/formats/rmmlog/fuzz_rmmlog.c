/* libFuzzer entry for the RMM log parsers (rmmlog.h). The first byte picks
 * the layout; the rest is the log, read through a memory reader, and also
 * handed whole to the generic line scanner and the ScreenConnect
 * launch-parameter and Application-event readers, and cut at NUL bytes
 * into fields for the Splashtop event reader. Oracles: no crash or sanitizer
 * report, every record field NUL-terminated inside its array, item counts
 * within bounds, line numbers within the lines read. `make fuzz-rmmlog`. */
#include <stdlib.h>
#include <string.h>
#include "rmmlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void check_rec(const rmmlog_rec *r)
{
    if (!TERMINATED(r->time) || !TERMINATED(r->time_end) || !TERMINATED(r->auth) || !TERMINATED(r->user) ||
        !TERMINATED(r->remote_name) || !TERMINATED(r->detail) || !TERMINATED(r->key) || !TERMINATED(r->value))
        abort();
    if (r->naddr > RMMLOG_ITEMS || r->nid > RMMLOG_ITEMS || r->nfile > RMMLOG_ITEMS)
        abort();
    for (size_t i = 0; i < r->naddr; i++)
        if (!TERMINATED(r->addr[i].text) || !TERMINATED(r->addr[i].ip))
            abort();
    for (size_t i = 0; i < r->nid; i++)
        if (!TERMINATED(r->ids[i]) || !r->ids[i][0])
            abort();
    for (size_t i = 0; i < r->nfile; i++)
        if (!TERMINATED(r->files[i]))
            abort();
}

static int on_rec(const rmmlog_rec *r, void *ctx)
{
    uint64_t *max_line = ctx;
    check_rec(r);
    if (r->line > *max_line)
        *max_line = r->line;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    rmmlog_kind kind = (rmmlog_kind)(data[0] % RMMLOG_KIND_COUNT);
    gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, data + 1, size - 1, "fuzz.log");
    gl_err err;
    rmmlog_stats st;
    uint64_t max_line = 0;
    if (rmmlog_parse(kind, &r, on_rec, &max_line, &st, &err) < 0)
        abort(); /* a memory reader never fails */
    if (max_line > st.lines)
        abort();
    rmmlog_rec rec;
    memset(&rec, 0, sizeof rec);
    rmmlog_scan_line((const char *)data + 1, size - 1, &rec);
    check_rec(&rec);
    if (rmmlog_screenconnect_params((const char *)data + 1, size - 1, &rec))
        check_rec(&rec);
    if (rmmlog_screenconnect_event((const char *)data + 1, size - 1, &rec))
        check_rec(&rec);
    /* Splashtop events: the input cut into name/value fields at NUL bytes */
    char copy[4096];
    size_t cn = size - 1 < sizeof copy - 1 ? size - 1 : sizeof copy - 1;
    memcpy(copy, data + 1, cn);
    copy[cn] = '\0';
    rmmlog_field fields[16];
    size_t nf = 0;
    for (size_t i = 0; i < cn && nf < 16;) {
        fields[nf].name = copy + i;
        i += strlen(copy + i) + 1;
        fields[nf].value = i < cn ? copy + i : "";
        i += i < cn ? strlen(copy + i) + 1 : 0;
        nf++;
    }
    static const uint16_t ids[] = {200, 300, 1000, 1101};
    if (rmmlog_splashtop_event(ids[data[0] % 4], fields, nf, &rec))
        check_rec(&rec);
    return 0;
}

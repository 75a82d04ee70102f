/* libFuzzer entry for the MPLog parser (mplog.h): entries must have a kind,
 * a line number within the lines counted, numbers in their ranges, and a
 * DETECTIONEVENT must name its source. `make fuzz-mplog`. */
#include <stdlib.h>
#include <string.h>
#include "mplog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ctx, const mpl_entry *e)
{
    const mpl_stats *st = ctx;
    (void)st;
    if (e->kind > MPL_RTP_EXCLUSION || e->line == 0)
        abort();
    if (e->kind == MPL_IMPACT && (e->total_time < 0 || e->count < 0 || e->max_time < 0 || e->impact < 0))
        abort();
    if (e->kind == MPL_DETECTION && !e->threat.n)
        abort();
    if (e->kind == MPL_RTP_EXCLUSION && (e->list == MPL_LIST_NONE || !e->path.n))
        abort();
    /* every span must be readable */
    const mpl_span all[] = {e->time, e->process, e->max_time_file, e->path, e->device_path, e->marker,
                            e->source, e->threat, e->resource, e->target};
    unsigned sum = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        for (size_t k = 0; k < all[i].n; k++)
            sum += (unsigned char)all[i].p[k];
    return sum == 0xFFFFFFFFu; /* never: keeps the reads */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpl_stats st;
    gl_err err = {0};
    mplog_parse(data, size, "fuzz", check, &st, &st, &err);
    if (st.entries + st.bad_lines > st.lines)
        abort();
    return 0;
}

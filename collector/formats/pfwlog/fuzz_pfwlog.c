/* libFuzzer entry for the firewall packet log parser (pfwlog.h): every
 * entry handed out must lie inside the input, with ports in range and a
 * line number no greater than the lines counted. `make fuzz-pfwlog`. */
#include <stdlib.h>
#include "pfwlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct bounds {
    const char *lo, *hi;
} bounds;

static void inside(const bounds *b, pfw_span s)
{
    if (s.p && (s.p < b->lo || s.p + s.n > b->hi))
        abort();
}

static int check(void *ctx, const pfw_entry *e)
{
    const bounds *b = ctx;
    pfw_span all[] = {e->date, e->time, e->action, e->protocol, e->src_ip, e->dst_ip, e->info, e->path,
                      e->time_format};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        inside(b, all[i]);
    if (e->src_port < -1 || e->src_port > 65535 || e->dst_port < -1 || e->dst_port > 65535 || e->pid < -1)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bounds b = {(const char *)data, (const char *)data + size};
    pfw_stats st;
    gl_err err = {0};
    pfw_parse((const char *)data, size, "fuzz", check, &b, &st, &err);
    if (st.entries + st.bad_lines > st.lines)
        abort();
    return 0;
}

/* libFuzzer entry for the PeaZip conf.txt parser (peazip_conf.h).
 * Oracles: no crash or sanitizer report; every entry is non-empty, its
 * line number within the input's line count, and at most
 * GL_PEAZIP_MAX_ENTRIES per group line (a group may appear more than
 * once). `make fuzz-peazip`. */
#include <stdlib.h>
#include <string.h>
#include "peazip_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    size_t lines, labels, count[4];
} seen;

static void on_entry(void *ctx, gl_peazip_list list, const char *value, size_t line)
{
    seen *s = ctx;
    if (!value[0] || line == 0 || line > s->lines || (size_t)list > 3 || ++s->count[list] > GL_PEAZIP_MAX_ENTRIES * s->labels)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seen s = {.lines = 1};
    for (size_t i = 0; i < size; i++) {
        s.lines += data[i] == '\n';
        s.labels += data[i] == '[' && (i == 0 || data[i - 1] == '\n');
    }
    gl_err err = {0};
    gl_peazip_conf_parse(data, size, on_entry, &s, &err);
    return 0;
}

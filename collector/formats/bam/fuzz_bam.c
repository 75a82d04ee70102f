/* libFuzzer entry for the BAM value decoder (bam.h): the input's first
 * byte splits it into a value name and data. Oracles: no crash or
 * sanitizer report; the path lies inside the name. `make fuzz-bam`. */
#include <stdlib.h>
#include "bam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t split = data[0] < size - 1 ? data[0] : size - 1;
    const char *name = (const char *)data + 1;
    gl_bam_entry e;
    gl_bam_parse(name, split, data + 1 + split, size - 1 - split, &e);
    if (e.path < name || e.path + e.path_len > name + split)
        abort();
    return 0;
}

/* libFuzzer entry for the time-zone rules (tzi.h): the input holds the
 * three biases, both SYSTEMTIMEs and a local time to convert. Oracles: no
 * crash, hang or sanitizer report; a zone that loads converts with a bias
 * that is one of its two. `make fuzz-tzi`. */
#include <stdlib.h>
#include <string.h>
#include "text.h"
#include "tzi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t in[52] = {0};
    memcpy(in, data, size < sizeof in ? size : sizeof in);
    tzi_zone z;
    gl_err err;
    if (tzi_from_values((int32_t)gl_le32(in), (int32_t)gl_le32(in + 4), (int32_t)gl_le32(in + 8), in + 12,
                        size > 12 ? size - 12 : 0, in + 28, size > 28 ? size - 28 : 0, &z, &err) != 0)
        return 0;
    bool is_dst;
    int32_t b = tzi_bias_at_local(&z, gl_le64(in + 44), &is_dst);
    if (b != z.bias + (is_dst ? z.daylight_bias : z.standard_bias))
        abort();
    return 0;
}

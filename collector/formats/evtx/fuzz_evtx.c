/* libFuzzer entry for the EVTX parser; the work and its oracles are in
 * evtx_exercise.h (shared with the regression tests). `make fuzz-evtx`. */
#include "evtx_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static volatile size_t sink; /* keeps the reads from being optimised away */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t touched = 0;
    evtx_exercise(data, size, &touched);
    sink += touched;
    return 0;
}

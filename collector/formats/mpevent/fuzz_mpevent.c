/* libFuzzer entry for the Defender 5007/5013 text parser (mpevent.h); the
 * oracles are in mpevent_exercise.h (shared with the regression sweep of
 * the unit tests). `make fuzz-mpevent`. */
#include "mpevent_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpevent_exercise(data, size);
    return 0;
}

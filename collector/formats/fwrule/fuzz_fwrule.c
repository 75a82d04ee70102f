/* libFuzzer entry for the firewall rule grammar (fwrule.h); the oracles are
 * in fwrule_exercise.h (shared with the regression sweep of the unit
 * tests). `make fuzz-fwrule`. */
#include "fwrule_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fwrule_exercise(data, size);
    return 0;
}

/* libFuzzer target: indicator files. Every indicator handed out must be
 * well-formed (a known type, a NUL-terminated value, a sane prefix). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "iocfile.h"

static int check(void *ctx, const gl_ioc *ioc)
{
    (void)ctx;
    if ((unsigned)ioc->type > GL_IOC_FILENAME || !ioc->value || strlen(ioc->value) > 4096 || ioc->prefix > 128 ||
        ioc->severity < GL_IOC_SEV_NONE || ioc->severity > 4 || !ioc->note || !ioc->line)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_err err = {0};
    if (gl_iocfile_parse((const char *)data, size, "fuzz", check, NULL, &err) != 0 && !err.msg[0])
        abort(); /* every failure says why */
    return 0;
}

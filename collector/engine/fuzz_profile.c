/* libFuzzer target: profile files (the text `--profile FILE` reads) and
 * the values the engine checks before a run: every size, duration and
 * limit parser sees what the profile holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "profile.h"
#include "runlimits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    gl_err err = {0};
    gl_profile *p = gl_profile_parse(text, "fuzz", "fuzz.profile", &err);
    if (!p && !err.msg[0])
        abort(); /* every refusal says why */
    for (size_t i = 0; p && i < p->n_settings; i++) {
        const char *v = p->settings[i].value;
        uint64_t n;
        int64_t secs;
        gl_limits l = gl_limits_default();
        gl_unpack_limits u = gl_unpack_limits_default();
        gl_err e = {0};
        (void)gl_parse_size(v, &n);
        (void)gl_parse_duration(v, &secs);
        if (gl_limits_set(&l, "min-free", v, &e) != 0 && e.code != GL_ERR_USAGE)
            abort();
        (void)gl_unpack_limits_parse(&u, v, &e);
        if (!p->settings[i].key || !v)
            abort();
    }
    for (size_t i = 0; p && i < p->n_targets; i++)
        if (!p->targets[i].name || !p->targets[i].pattern)
            abort();
    gl_profile_free(p);
    free(text);
    return 0;
}

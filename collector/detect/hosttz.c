/* The host's time zone (hosttz.h). */
#include "hosttz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regview.h"

#define TZ_KEY "HKLM\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation"

static int32_t signed_dword(gl_regkey k, const char *name)
{
    uint32_t v = 0;
    gl_err err = {0};
    if (gl_regkey_get_dword(k, name, &v, &err) != GL_LOOKUP_FOUND)
        return 0; /* an absent bias is no bias */
    return (int32_t)v;
}

static const uint8_t *start_bytes(gl_regkey k, const char *name, size_t *len, gl_buf *scratch)
{
    gl_regval v = gl_regkey_value(k, name);
    *len = 0;
    return gl_regval_ok(v) ? gl_regval_binary(v, len, scratch) : NULL;
}

static void *load(gl_run *run, void *arg)
{
    (void)arg;
    gl_host_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return NULL;
    gl_regview *rv = gl_run_regview(run);
    gl_regkey k;
    gl_err err = {0};
    if (!rv || gl_regview_find_key(rv, TZ_KEY, &k, &err) != GL_LOOKUP_FOUND)
        return tz;
    gl_buf s1 = {0}, s2 = {0}, name = {0};
    size_t l1, l2;
    const uint8_t *std = start_bytes(k, "StandardStart", &l1, &s1);
    const uint8_t *dst = start_bytes(k, "DaylightStart", &l2, &s2);
    if (tzi_from_values(signed_dword(k, "Bias"), signed_dword(k, "StandardBias"), signed_dword(k, "DaylightBias"),
                        std, l1, dst, l2, &tz->zone, &err) == 0) {
        tz->known = true;
        if (gl_regkey_get_string(k, "TimeZoneKeyName", &name, &err) != GL_LOOKUP_FOUND || !name.len) {
            gl_buf_clear(&name);
            gl_regkey_get_string(k, "StandardName", &name, &err);
        }
        snprintf(tz->name, sizeof tz->name, "%s", gl_buf_cstr(&name));
    } else {
        snprintf(tz->problem, sizeof tz->problem, "%s: %s", TZ_KEY, err.msg);
        gl_run_error(run, "%s; local times in logs are left as written", tz->problem);
    }
    gl_buf_free(&s1);
    gl_buf_free(&s2);
    gl_buf_free(&name);
    return tz;
}

const gl_host_tz *gl_host_tz_get(gl_run *run)
{
    static const gl_host_tz unknown = {0};
    const gl_host_tz *tz = gl_run_shared(run, "host-time-zone", load, NULL, free);
    return tz ? tz : &unknown;
}

bool gl_host_tz_to_utc(const gl_host_tz *tz, uint64_t local_filetime, uint64_t *utc, int32_t *bias_minutes)
{
    if (!tz->known || !local_filetime)
        return false;
    bool is_dst;
    int32_t bias = tzi_bias_at_local(&tz->zone, local_filetime, &is_dst);
    int64_t delta = (int64_t)bias * 600000000LL;
    if (delta < 0 && (uint64_t)(-delta) > local_filetime)
        return false;
    *utc = (uint64_t)((int64_t)local_filetime + delta);
    *bias_minutes = bias;
    return true;
}

/* See shared_checks.h. */
#include "shared_checks.h"
#include <stdio.h>
#include <strings.h>
#include "embedded.h"
#include "finding.h"
#include "regview.h"

int gl_rmm_builtin(rmmcat **out, gl_err *err)
{
    size_t n;
    const char *text = gl_embedded_data("rmm/catalog.txt", &n);
    *out = NULL;
    if (!text)
        return 0;
    *out = rmmcat_new();
    return rmmcat_load_text(*out, text, n, "rmm/catalog.txt", err);
}

void gl_check_service_disabled(gl_run *run, const char *service, const char *rule, const char *what,
                               const char *why)
{
    char path[256];
    snprintf(path, sizeof path, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s", service);
    gl_regview *rv = gl_run_regview(run);
    gl_err err = {0};
    gl_regkey k;
    uint32_t start;
    gl_lookup r = rv ? gl_regview_find_key(rv, path, &k, &err) : GL_LOOKUP_ABSENT;
    if (r == GL_LOOKUP_FOUND)
        r = gl_regkey_get_dword(k, "Start", &start, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND || start != 4)
        return;
    gl_buf loc = {0};
    gl_regkey_locator(k, &loc);
    gl_fb fb;
    gl_fb_start(&fb, run, rule);
    gl_fb_severity(&fb, GL_SEV_HIGH, "%s", why);
    gl_fb_title(&fb, "%s %s disabled", what, service);
    gl_fb_subject(&fb, "%s Start", service);
    gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
    gl_fb_evidence(&fb, gl_regkey_artifact(k), "%s\\Start", gl_buf_cstr(&loc));
    gl_json_kv_uint(gl_fb_details(&fb), "start", start);
    gl_fb_emit(&fb);
    gl_buf_free(&loc);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The service key name at the start of a 7036 Binary (hex of UTF-16LE
 * "<key>/<state>"), ASCII only, into out; false when there is none. */
static bool binary_service_key(const char *hex, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = hex; p[0] && p[1] && p[2] && p[3]; p += 4) {
        int a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]), d = hexval(p[3]);
        if (a < 0 || b < 0 || c < 0 || d < 0)
            return false;
        unsigned unit = (unsigned)(a << 4 | b) | (unsigned)(c << 4 | d) << 8;
        if (unit == '/' || unit == 0)
            break;
        if (unit >= 0x80 || n + 1 >= cap)
            return false;
        out[n++] = (char)unit;
    }
    out[n] = '\0';
    return n > 0;
}

bool gl_scm_event_is_service(const gl_event *ev, const char *key, const char *const *display_names)
{
    char bin_key[260];
    if (!strcasecmp(gl_event_text(ev, "param4"), key))
        return true;
    if (binary_service_key(gl_event_text(ev, "Binary"), bin_key, sizeof bin_key) && !strcasecmp(bin_key, key))
        return true;
    const char *name = gl_event_text(ev, "param1");
    for (size_t i = 0; display_names && display_names[i]; i++)
        if (!strcasecmp(name, display_names[i]))
            return true;
    return false;
}

/* See shared_checks.h. */
#include "shared_checks.h"
#include <stdio.h>
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

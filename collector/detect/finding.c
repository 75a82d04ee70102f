#include "finding.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "text.h"

static void vset(gl_buf *b, const char *fmt, va_list ap)
{
    char tmp[2048];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    gl_buf_clear(b);
    gl_buf_puts(b, tmp);
}

void gl_fb_start(gl_fb *fb, gl_run *run, const char *rule_id)
{
    memset(fb, 0, sizeof *fb);
    fb->run = run;
    fb->rule = rule_id;
    const gl_module *m = gl_run_current(run);
    const gl_rule_decl *r = m ? gl_module_rule(m, rule_id) : NULL;
    fb->severity = r ? r->severity : GL_SEV_INFO;
    gl_buf_puts(&fb->title, r ? r->title : rule_id);
    gl_json_init(&fb->dj, &fb->details);
    gl_json_obj_begin(&fb->dj);
}

void gl_fb_severity(gl_fb *fb, gl_severity s, const char *why_fmt, ...)
{
    fb->severity = s;
    va_list ap;
    va_start(ap, why_fmt);
    vset(&fb->reason, why_fmt, ap);
    va_end(ap);
}

void gl_fb_title(gl_fb *fb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(&fb->title, fmt, ap);
    va_end(ap);
}

void gl_fb_subject(gl_fb *fb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(&fb->subject, fmt, ap);
    va_end(ap);
}

void gl_fb_time_filetime(gl_fb *fb, uint64_t filetime)
{
    char iso[GL_TIME_STRLEN];
    gl_buf_clear(&fb->time);
    if (filetime && gl_filetime_iso(filetime, 7, iso))
        gl_buf_puts(&fb->time, iso);
}

void gl_fb_time_iso(gl_fb *fb, const char *iso)
{
    gl_buf_clear(&fb->time);
    if (iso)
        gl_buf_puts(&fb->time, iso);
}

void gl_fb_evidence(gl_fb *fb, const char *artifact, const char *locator_fmt, ...)
{
    if (fb->n_evidence == GL_FB_MAX_EVIDENCE) {
        fb->omitted++;
        return;
    }
    char loc[1024];
    va_list ap;
    va_start(ap, locator_fmt);
    vsnprintf(loc, sizeof loc, locator_fmt, ap);
    va_end(ap);
    const char *a = artifact ? artifact : "";
    gl_buf_append(&fb->evidence, a, strlen(a) + 1);
    gl_buf_append(&fb->evidence, loc, strlen(loc) + 1);
    fb->n_evidence++;
}

void gl_fb_attack(gl_fb *fb, const char *ids)
{
    gl_buf_clear(&fb->attack);
    if (ids)
        gl_buf_puts(&fb->attack, ids);
}

/* Split blank-separated ids in place into at most max pointers. */
static size_t split_ids(char *s, const char **ids, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, " \t,", &save); tok && n < max; tok = strtok_r(NULL, " \t,", &save))
        ids[n++] = tok;
    return n;
}

gl_json *gl_fb_details(gl_fb *fb) { return &fb->dj; }

void gl_fb_discard(gl_fb *fb)
{
    gl_buf_free(&fb->reason);
    gl_buf_free(&fb->title);
    gl_buf_free(&fb->subject);
    gl_buf_free(&fb->time);
    gl_buf_free(&fb->evidence);
    gl_buf_free(&fb->details);
    gl_buf_free(&fb->attack);
}

void gl_fb_emit(gl_fb *fb)
{
    if (fb->omitted)
        gl_json_kv_uint(&fb->dj, "evidence_omitted", fb->omitted);
    gl_json_obj_end(&fb->dj);
    gl_evidence *ev = gl_xcalloc(fb->n_evidence ? fb->n_evidence : 1, sizeof *ev);
    const char *p = fb->evidence.data;
    for (size_t i = 0; i < fb->n_evidence; i++) {
        ev[i].artifact = p[0] ? p : NULL;
        p += strlen(p) + 1;
        ev[i].locator = p;
        p += strlen(p) + 1;
    }
    gl_finding f = {
        .rule = fb->rule,
        .severity = fb->severity,
        .severity_reason = gl_buf_cstr(&fb->reason),
        .title = gl_buf_cstr(&fb->title),
        .time = fb->time.len ? fb->time.data : NULL,
        .evidence = ev,
        .n_evidence = fb->n_evidence,
        .subject = fb->subject.len ? fb->subject.data : NULL,
        .details_json = fb->details.data,
    };
    const char *ids[16];
    if (fb->attack.len) {
        f.n_attack = split_ids(fb->attack.data, ids, 16);
        f.attack = ids;
    }
    gl_run_finding(fb->run, &f);
    free(ev);
    gl_fb_discard(fb);
}

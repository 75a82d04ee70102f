/* Building a finding: rule, severity with its reason, title, time,
 * evidence and details, then one call to emit it. The rule's declared
 * severity, title and ATT&CK ids are the defaults; a module changes the
 * severity only with gl_fb_severity, which takes the reason, because every
 * finding must say why its severity is what it is.
 *
 *     gl_fb fb;
 *     gl_fb_start(&fb, run, "logs.security_cleared");
 *     gl_fb_severity(&fb, GL_SEV_HIGH, "the Security log was cleared by %s", user);
 *     gl_fb_title(&fb, "Security audit log cleared by %s", user);
 *     gl_fb_subject(&fb, "%s", artifact);
 *     gl_fb_time_filetime(&fb, ev->time);
 *     gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
 *     gl_json_kv_str(gl_fb_details(&fb), "user", user);
 *     gl_fb_emit(&fb);
 */
#ifndef GL_FINDING_H
#define GL_FINDING_H
#include <stdint.h>
#include "buf.h"
#include "json.h"
#include "module.h"

/* Evidence items kept per finding; the rest are counted in
 * details.evidence_omitted (a burst of 500 cleared channels is one finding). */
#define GL_FB_MAX_EVIDENCE 100

typedef struct gl_fb {
    gl_run *run;
    const char *rule;
    gl_severity severity;
    gl_buf reason, title, subject, time;
    gl_buf evidence; /* artifact NUL locator NUL, repeated */
    size_t n_evidence, omitted;
    gl_buf details;
    gl_json dj;    /* inside the details object */
    gl_buf attack; /* blank-separated ids replacing the rule's; empty: the rule's */
} gl_fb;

/* Start a finding of a declared rule: severity and title are the rule's. */
void gl_fb_start(gl_fb *fb, gl_run *run, const char *rule_id);
void gl_fb_severity(gl_fb *fb, gl_severity s, const char *why_fmt, ...) GL_PRINTF(3, 4);
void gl_fb_title(gl_fb *fb, const char *fmt, ...) GL_PRINTF(2, 3);
/* What the finding is about; makes its stable id (see gl_finding.subject). */
void gl_fb_subject(gl_fb *fb, const char *fmt, ...) GL_PRINTF(2, 3);
void gl_fb_time_filetime(gl_fb *fb, uint64_t filetime); /* 0: unknown */
void gl_fb_time_iso(gl_fb *fb, const char *iso);
/* ATT&CK ids of this finding, blank-separated, instead of the rule's
 * (a YARA rule carries its own in its meta). Empty keeps the rule's. */
void gl_fb_attack(gl_fb *fb, const char *ids);
/* Add one evidence item: bundle member and where inside it. */
void gl_fb_evidence(gl_fb *fb, const char *artifact, const char *locator_fmt, ...) GL_PRINTF(3, 4);
/* The details object, open for keys. */
gl_json *gl_fb_details(gl_fb *fb);
/* Write the finding and free the builder. */
void gl_fb_emit(gl_fb *fb);
/* Drop it without writing. */
void gl_fb_discard(gl_fb *fb);

#endif

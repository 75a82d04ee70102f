/* The timeline of facts: small typed events that modules emit into
 * timeline.jsonl so a correlation stage (and `analyze`) can join them
 * without re-parsing evidence. Every kind is declared once, here and in
 * docs/timeline.md; emitting an undeclared kind is an error of the module.
 *
 *     gl_tl t;
 *     gl_json *d = gl_tl_begin(&t, run, "log.cleared", ev->time, "Security", ev->artifact, ev->locator);
 *     gl_json_kv_str(d, "user", user);   // optional details
 *     gl_tl_end(&t);
 *
 * A line: {"time":"…","kind":"…","module":"…","host":"…","subject":"…",
 *          "artifact":"…","locator":"…","details":{…}} */
#ifndef GL_TIMELINE_H
#define GL_TIMELINE_H
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "json.h"
#include "module.h"

typedef struct gl_timeline_kind {
    const char *kind;    /* "account.enabled" */
    const char *meaning; /* one line: what happened, and what subject names */
} gl_timeline_kind;
extern const gl_timeline_kind gl_timeline_kinds[]; /* ends with kind == NULL */
bool gl_timeline_kind_known(const char *kind);

typedef struct gl_tl {
    gl_run *run;
    gl_buf line;
    gl_json j;
    bool valid;
} gl_tl;

/* Start an event at filetime (FILETIME; 0 when unknown: the event is then
 * dropped, since a timeline entry without a time cannot be placed). Returns
 * the details object, open for keys. */
gl_json *gl_tl_begin(gl_tl *t, gl_run *run, const char *kind, uint64_t filetime, const char *subject,
                     const char *artifact, const char *locator);
void gl_tl_end(gl_tl *t);

#endif

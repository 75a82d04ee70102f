/* Small readers over parsed JSON (cJSON) for the analysis of gleaner's own
 * output lines: a string at a dotted path, a value rendered as text. */
#ifndef GL_JSONPICK_H
#define GL_JSONPICK_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include "buf.h"
#include "json.h"

/* The member at a dotted path ("details.rule.name"), or NULL. Depth is
 * bounded by the path, which is the caller's. */
const cJSON *gl_jpath(const cJSON *obj, const char *path);
/* The string at path, or NULL when absent or not a string. */
const char *gl_jstr(const cJSON *obj, const char *path);
/* Append a scalar as text (strings as they are, numbers and booleans in
 * JSON spelling); arrays of scalars joined with ", ". Returns 0, or -1
 * for null, objects and absent values (nothing appended). */
int gl_jtext(gl_buf *out, const cJSON *v);
/* Write key and a copy of v (null when v is NULL). */
void gl_jcopy(gl_json *j, const char *key, const cJSON *v);
/* Parse one line (line[n] must be its terminating NUL); NULL when it is
 * not exactly one JSON object (trailing text is refused too). */
cJSON *gl_jparse_object(const char *line, size_t n);

#endif

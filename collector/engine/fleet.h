/* The fleet view of an analysis: per-host columns (which RMM tools,
 * exclusions, firewall changes, ... each host shows) and cross-host
 * correlation (the same RMM peer ID, indicator, address or account on
 * several hosts). What feeds both is data, engine/fleet.txt
 * (collector/engine/data/fleet.txt), read here.
 *
 * Memory stays per host: columns hold one host's values; correlation keys
 * are written as lines (sorted on disk by the caller) and grouped while
 * streaming, so a thousand hosts cost a thousand small summaries. */
#ifndef GL_FLEET_H
#define GL_FLEET_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include "err.h"
#include "json.h"

typedef struct gl_fleet_rules gl_fleet_rules;

/* Parse rules text; origin names it in errors ("engine/fleet.txt:12: ..."). */
gl_fleet_rules *gl_fleet_rules_parse(const char *text, const char *origin, gl_err *err);
/* The built-in rules (embedded engine/fleet.txt). */
gl_fleet_rules *gl_fleet_rules_builtin(gl_err *err);
void gl_fleet_rules_free(gl_fleet_rules *r);
size_t gl_fleet_n_columns(const gl_fleet_rules *r);
const char *gl_fleet_column_name(const gl_fleet_rules *r, size_t i);

/* One host's column values. */
typedef struct gl_fleet_columns gl_fleet_columns;
gl_fleet_columns *gl_fleet_columns_new(const gl_fleet_rules *r);
void gl_fleet_columns_add(gl_fleet_columns *c, const cJSON *finding);
/* {"<column>": ["value", ...], ...} */
void gl_fleet_columns_json(const gl_fleet_columns *c, gl_json *j);
void gl_fleet_columns_free(gl_fleet_columns *c);

/* Correlation keys of one finding (is_finding) or timeline fact, as lines
 * "RULE\tVALUE\tSTEM\tHOST\tTIME\tARTIFACT\tLOCATOR\n" appended to keys. */
void gl_fleet_keys(const gl_fleet_rules *r, bool is_finding, const cJSON *obj, const char *stem,
                   const char *host, gl_buf *keys);

/* Read key lines sorted in byte order and write one finding (JSON line,
 * module "fleet") to out per value shared by enough hosts; *n counts them. */
int gl_fleet_correlate(const gl_fleet_rules *r, const char *sorted_keys, FILE *out, size_t *n, gl_err *err);

#endif

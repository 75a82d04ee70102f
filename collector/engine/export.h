/* Timeline exports of an analysis (docs/analysis.md): findings and timeline
 * facts become rows, one sortable text line each; sorted rows are written
 * as a Timeline Explorer CSV, Timesketch JSON Lines and (optionally)
 * Elasticsearch/OpenSearch bulk NDJSON with Elastic Common Schema names.
 *
 * A row line is "<time key>\t<host>\t<sequence>\t<JSON>": the key is the
 * time with its fraction widened to nine digits (so byte order is time
 * order), empty for findings without a time, which sort first. */
#ifndef GL_EXPORT_H
#define GL_EXPORT_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include "buf.h"
#include "err.h"

/* What every row of one host carries besides its own fields. */
typedef struct gl_row_host {
    const char *host;       /* host name from the evidence */
    const char *stem;       /* the bundle's name in OUT/hosts/ */
    const char *collected;  /* collection end time: the stand-in for rows without a time */
    bool unverified;        /* the bundle failed verification and was analysed anyway */
} gl_row_host;

/* Render a finding (a findings.jsonl object) / a timeline fact (a
 * timeline.jsonl object) as a row line into out (replaced). */
void gl_row_finding(const gl_row_host *h, size_t seq, const cJSON *finding, gl_buf *out);
void gl_row_fact(const gl_row_host *h, size_t seq, const cJSON *fact, gl_buf *out);

/* The CSV columns, in order. */
#define GL_TIMELINE_CSV_HEADER "time,host,module,rule_or_event,severity,description,artifact,locator"

/* One CSV field (RFC 4180 quoting; a leading = + - @ gets an apostrophe so
 * a spreadsheet never runs evidence text as a formula), then ',' or, when
 * last, CRLF. */
void gl_csv_field(FILE *fp, const char *s, bool last);

typedef struct gl_export {
    FILE *csv, *sketch, *ecs; /* ecs NULL unless asked for */
    char *dir;
} gl_export;

/* Create DIR/timeline.csv, DIR/timeline.jsonl and, with ecs, DIR/ecs.ndjson. */
int gl_export_open(gl_export *x, const char *dir, bool ecs, gl_err *err);
/* Write one sorted row line to every open output. */
int gl_export_row(gl_export *x, const char *line, size_t n, gl_err *err);
/* Close all; -1 with err when a write failed. */
int gl_export_close(gl_export *x, gl_err *err);

#endif

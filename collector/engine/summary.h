/* The short plain-text summary `collect` and `analyze` print on stderr at
 * the end: counts by severity and the most severe findings. */
#ifndef GL_SUMMARY_H
#define GL_SUMMARY_H
#include <stdint.h>
#include <stdio.h>

#define GL_SUMMARY_TOP 5

typedef struct gl_summary_item {
    int severity; /* 0 info .. 4 critical */
    char title[160];
    char host[64];
} gl_summary_item;

typedef struct gl_summary {
    uint64_t counts[5]; /* by severity, info first */
    gl_summary_item top[GL_SUMMARY_TOP];
    size_t n_top;
} gl_summary;

/* 0 (info) .. 4 (critical); -1 for anything else. */
int gl_severity_rank(const char *name);
const char *gl_severity_label(int rank);
/* Count a finding; it enters the top list when it is more severe than the
 * least severe there (the first seen wins a tie). */
void gl_summary_add(gl_summary *s, int severity, const char *title, const char *host);
/* Add another summary's counts and top list. */
void gl_summary_merge(gl_summary *into, const gl_summary *from);
/* "findings: 2 critical, 5 high, ..." and the top list, one per line. */
void gl_summary_print(FILE *out, const gl_summary *s);

#endif

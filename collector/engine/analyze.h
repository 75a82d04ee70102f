/* gleaner analyze (docs/analysis.md): verify bundles, re-run the modules
 * over each through the collection engine (gl_collect with emit_dir: the
 * current rules and catalogs, the same code), and write per host and
 * combined: findings, records, timelines (CSV, Timesketch JSON Lines,
 * optionally ECS bulk NDJSON), analysis.json, the fleet view and the HTML
 * reports.
 *
 *   OUT/hosts/<stem>/  findings.jsonl records/ timeline.csv timeline.jsonl
 *                      [ecs.ndjson] run.json analysis.json analysis.log report.html
 *   OUT/               findings.jsonl timeline.csv timeline.jsonl [ecs.ndjson]
 *                      fleet.csv analysis.json report.html
 *
 * Hosts are analysed one at a time (gl_analyze_host, which a caller may
 * run in parallel processes) and then combined (gl_analyze_fleet), which
 * keeps one small summary per host in memory and streams the rest. */
#ifndef GL_ANALYZE_H
#define GL_ANALYZE_H
#include <stdbool.h>
#include <stdio.h>
#include "err.h"
#include "module.h"
#include "profile.h"
#include "summary.h"

typedef struct gl_analyze_opts {
    const char *out_dir;
    const gl_module *const *modules;   /* the build's modules, NULL-terminated */
    const gl_profile *profile;         /* NULL: the bundle's built-in profile (else standard) */
    bool allow_unverified;             /* analyse a bundle that fails verification, marked */
    bool ecs;                          /* also write ecs.ndjson */
    const char *key_pem, *cert_pem;    /* encrypted bundles (NULL: plain) */
    const char *command_line;          /* recorded in the re-run's log */
} gl_analyze_opts;

typedef enum gl_host_state {
    GL_HOST_ANALYSED,   /* verified and analysed */
    GL_HOST_UNVERIFIED, /* failed verification, analysed anyway (--allow-unverified) */
    GL_HOST_REFUSED,    /* failed verification, not analysed */
    GL_HOST_FAILED,     /* could not be analysed (unreadable, re-run failed) */
} gl_host_state;

typedef struct gl_host_result {
    gl_host_state state;
    char host[256];
    char sha256[65];
    char reason[512]; /* refused or failed: the first problem */
    gl_summary summary;
} gl_host_result;

/* Names for the bundles in OUT/hosts/: the file name without .tar.zst
 * (and .p7m), characters other than A-Za-z0-9._- as '_', made unique with
 * -2, -3 ... Returns n heap strings (free each and the array). */
char **gl_analyze_stems(const char *const *bundles, size_t n);

/* Analyse one bundle into OUT/hosts/<stem>/ (replaced). Returns 0 when the
 * host's outputs were written or the bundle was refused (res->state says
 * which), -1 with err when nothing could be written. */
int gl_analyze_host(const gl_analyze_opts *o, const char *bundle, const char *stem, gl_host_result *res,
                    gl_err *err);

typedef struct gl_fleet_result {
    size_t hosts, analysed, unverified, refused, failed, fleet_findings;
    gl_summary summary; /* every host's findings and the fleet's */
} gl_fleet_result;

/* Combine the hosts analysed into OUT/hosts/<stem>/ (in this order). */
int gl_analyze_fleet(const gl_analyze_opts *o, const char *const *stems, size_t n, gl_fleet_result *res,
                     gl_err *err);

#endif

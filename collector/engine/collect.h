/* The collection engine: open the source, run the profile's modules, and
 * write the bundle. Knows nothing of command lines or printing except the
 * progress callback. */
#ifndef GL_COLLECT_H
#define GL_COLLECT_H
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include "bundle_encrypt.h"
#include "err.h"
#include "runlimits.h"
#include "module.h"
#include "profile.h"
#include "sha256.h"
#include "summary.h"

typedef struct gl_collect_opts {
    const char *source_spec;   /* "live", "dir:PATH", "bundle:FILE" */
    const gl_profile *profile;
    const gl_module *const *modules; /* the build's modules, NULL-terminated */
    const char *output_dir;
    const char *name_template; /* "{host}_{utc}" */
    const char *command_line;  /* recorded in run.json */
    FILE *progress;            /* NULL for --quiet */
    /* Time, size and free-space limits (runlimits.h); all zero: none. */
    gl_limits limits;
    const gl_recipients *recipients; /* --encrypt-to: NAME.tar.zst.p7m; NULL: plain */
    bool cross_mounts; /* --cross-mounts: walk into other file systems mounted in the source */
    /* Set (analyze): no bundle; the run's members (records/, findings.jsonl,
     * timeline.jsonl, run.json, log.txt) are written as files in this
     * existing directory and evidence is read in place, not acquired. */
    const char *emit_dir;
} gl_collect_opts;

typedef enum gl_run_status { GL_RUN_COMPLETE, GL_RUN_PARTIAL } gl_run_status;

typedef struct gl_collect_result {
    char bundle_path[4096];
    char sha256[GL_SHA256_HEX];
    gl_run_status status;
    size_t findings;
    size_t errors;
    gl_summary summary; /* findings by severity and the most severe, for the end-of-run summary */
} gl_collect_result;

/* Returns 0 when a bundle was written (complete or partial), -1 when none
 * could be (err says why; err->code is GL_ERR_USAGE when the profile, a
 * setting or a module's data file was at fault, and nothing was read). */
int gl_collect(const gl_collect_opts *opts, gl_collect_result *res, gl_err *err);

/* Ask a running gl_collect to stop: async-signal-safe (it sets a flag).
 * No further file is acquired and no further module runs; the bundle is
 * finished as partial with run.json reason "interrupted". */
void gl_collect_request_stop(void);

/* Check the profile against the modules' declarations before anything is
 * read: every module exists, every `set` names a declared setting with a
 * value of its type, and the modules' `reads` have no cycle. Fills order
 * (capacity profile->n_modules) with the run order. -1 with err (code
 * GL_ERR_USAGE) naming the problem. */
int gl_collect_plan(const gl_collect_opts *opts, const gl_module **order, gl_err *err);
const gl_module *gl_module_lookup(const gl_module *const *modules, const char *name);

/* Expand a name template: {host} {utc} {date} {profile} {source}. Unsafe
 * characters become '_'. */
void gl_expand_name(const char *tmpl, const char *host, time_t t, const char *profile,
                    const char *source_kind, char *out, size_t out_len);

/* Host name of the evidence: this host for live sources; for dir: and
 * bundle: sources, what the evidence itself says (or "unknown"). */
void gl_detect_host(gl_source *src, char *out, size_t out_len);

#endif

/* Run limits: how long a collection may take and how much it may take from
 * the source and the output volume. A limit that is reached never fails the
 * run: what it stopped is skipped, named in the log and in run.json
 * ("limits_hit"), and the run ends partial with a bundle that verifies. */
#ifndef GL_RUNLIMITS_H
#define GL_RUNLIMITS_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "err.h"
#include "json.h"
#include "source.h"
#include "bundle_unpack.h"

/* 0 means "no limit" for every field but the free-space floor, whose
 * default (gl_limits_default) keeps the smaller of 1 GiB and 5% of the
 * output volume free. */
typedef struct gl_limits {
    int64_t time_limit;       /* seconds for the whole run */
    uint64_t max_file_size;   /* bytes of one acquired file */
    uint64_t max_bundle_size; /* bytes of evidence (uncompressed) in the bundle */
    uint64_t max_files;       /* files acquired */
    uint64_t min_free;        /* bytes to keep free on the output volume ... */
    unsigned min_free_pct;    /* ... or this percentage of it (0: min_free alone) */
} gl_limits;

#define GL_MIN_FREE_DEFAULT_BYTES (1ull << 30)
#define GL_MIN_FREE_DEFAULT_PCT 5u
gl_limits gl_limits_default(void);

/* Set one limit from its command-line option ("time-limit", "max-file-size",
 * "max-bundle-size", "max-files", "min-free") and value; -1 with err
 * (code GL_ERR_USAGE) naming the option when the value is not valid. */
int gl_limits_set(gl_limits *l, const char *option, const char *value, gl_err *err);

/* One --unpack-limit (bundle_unpack.h): "ratio=N", "total=SIZE",
 * "member=SIZE" or "members=N"; -1 with err (GL_ERR_USAGE) otherwise. */
int gl_unpack_limits_parse(gl_unpack_limits *l, const char *key_value, gl_err *err);

/* Durations: "30", "90s", "15m", "12h", "30d" (seconds, at least 1). */
int gl_parse_duration(const char *v, int64_t *out);

/* ---- enforcement, for the engine --------------------------------------------- */

typedef struct gl_limiter gl_limiter;

/* start: the run's start (CLOCK_MONOTONIC); output_dir: the volume whose
 * free space is guarded. */
gl_limiter *gl_limiter_new(const gl_limits *l, const char *output_dir);
void gl_limiter_free(gl_limiter *lm);

/* The module now running, and its own time budget (0: none). */
void gl_limiter_module_begin(gl_limiter *lm, const char *module, int64_t time_limit);
void gl_limiter_module_end(gl_limiter *lm);
/* The limit the current module hit ("time_limit", "max_files", ...), or NULL. */
const char *gl_limiter_module_hit(const gl_limiter *lm);

/* True once the run's or the current module's deadline has passed (the
 * first time, the hit is recorded). */
bool gl_limiter_expired(gl_limiter *lm);
/* True once the run's own deadline has passed: no further module starts. */
bool gl_limiter_run_expired(gl_limiter *lm);
/* A module that did not run because the run's time was up. */
void gl_limiter_module_skipped(gl_limiter *lm, const char *module);

/* May this file go into the bundle? bytes_in_bundle: evidence bytes so far;
 * bytes_written: compressed bytes written so far (the free-space test hook
 * subtracts them). -1 with err (code GL_ERR_LIMIT) saying which limit
 * refused it; the refusal is recorded. */
int gl_limiter_admit(gl_limiter *lm, const gl_file_info *info, uint64_t files_in_bundle,
                     uint64_t bytes_in_bundle, uint64_t bytes_written, gl_err *err);

/* Any limit reached so far. */
bool gl_limiter_any_hit(const gl_limiter *lm);
/* "limits_hit": [...] for run.json. */
void gl_limiter_json(const gl_limiter *lm, gl_json *j);
/* One line per limit reached, for the log: calls line(ctx, text). */
void gl_limiter_each_summary(const gl_limiter *lm, void (*line)(void *ctx, const char *text), void *ctx);

#endif

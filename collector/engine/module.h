/* The module interface. A module is one file in modules/ defining one
 * `const gl_module gl_module_<name>`, registered by one line in
 * modules/module_list.h. Modules read evidence only through the run's
 * source (which acquires what they open) and report through gl_run_*. */
#ifndef GL_MODULE_H
#define GL_MODULE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "json.h"
#include "source.h"

typedef struct gl_run gl_run;

/* What a module needs from the source; shown by --dry-run and `list`. */
enum gl_needs {
    GL_NEEDS_FILES = 1u << 0,    /* reads files by path or glob */
    GL_NEEDS_REGISTRY = 1u << 1, /* reads registry hives */
    GL_NEEDS_EVTX = 1u << 2,     /* reads event logs */
};

typedef struct gl_module {
    const char *name;
    const char *description;
    unsigned needs;
    /* Return 0 when the module ran to the end (individual problems are
     * reported with gl_run_error and make the module "partial"); -1 with err
     * when it could not run at all ("failed"). */
    int (*run)(gl_run *run, gl_err *err);
} gl_module;

/* A raw-collection target from the profile: `target NAME PATTERN [max_size=N]`. */
typedef struct gl_target {
    char *name;
    char *pattern;
    uint64_t max_size; /* 0 = the files module's default */
} gl_target;

typedef enum gl_severity { GL_SEV_INFO, GL_SEV_LOW, GL_SEV_MEDIUM, GL_SEV_HIGH, GL_SEV_CRITICAL } gl_severity;
const char *gl_severity_name(gl_severity s);

typedef struct gl_evidence {
    const char *artifact; /* bundle member, e.g. "artifacts/C/Windows/System32/config/SOFTWARE" */
    const char *locator;  /* where inside: key path + value, record id, line number */
} gl_evidence;

typedef struct gl_finding {
    const char *rule;  /* stable id, e.g. "defender.exclusion.path" */
    gl_severity severity;
    const char *title;
    const char *const *attack; /* ATT&CK technique ids */
    size_t n_attack;
    const char *time;  /* ISO 8601 UTC, or NULL when unknown */
    const gl_evidence *evidence;
    size_t n_evidence;
    const char *details_json; /* a JSON object, or NULL for {} */
} gl_finding;

gl_source *gl_run_source(gl_run *run);
const char *gl_run_host(const gl_run *run);
/* Module setting from the profile (`set <module>.<key> <value>`), or def. */
const char *gl_run_setting(const gl_run *run, const char *key, const char *def);
/* Size setting with K/M/G(iB) suffixes; def when unset; -1 on bad syntax. */
int gl_run_setting_size(gl_run *run, const char *key, uint64_t def, uint64_t *out);
size_t gl_run_targets(const gl_run *run, const gl_target **targets);

/* Emit one record (a complete JSON object, no newline) to records/<module>.jsonl. */
void gl_run_record(gl_run *run, const char *json, size_t n);
void gl_run_finding(gl_run *run, const gl_finding *f);
void gl_run_log(gl_run *run, const char *fmt, ...) GL_PRINTF(2, 3);
/* A problem that did not stop the module: logged, counted, listed in
 * run.json, and makes the module (and the run) partial. */
void gl_run_error(gl_run *run, const char *fmt, ...) GL_PRINTF(2, 3);

#endif

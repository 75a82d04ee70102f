/* The module interface. A module is a folder modules/<name>/ defining one
 * `const gl_module gl_module_<name>`, registered by one line in
 * modules/module_list.h. Modules read evidence only through the run's
 * source, its registry view (gl_run_regview) and the event-log helper
 * (detect/events.h), all of which acquire what they open, and report
 * through gl_run_* and the builders in collector/detect/. docs/modules.md
 * walks through writing one. */
#ifndef GL_MODULE_H
#define GL_MODULE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "json.h"
#include "regview.h"
#include "source.h"

typedef struct gl_run gl_run;

/* What a module needs from the source; shown by --dry-run and `list`. */
enum gl_needs {
    GL_NEEDS_FILES = 1u << 0,    /* reads files by path or glob */
    GL_NEEDS_REGISTRY = 1u << 1, /* reads registry hives */
    GL_NEEDS_EVTX = 1u << 2,     /* reads event logs */
};

typedef enum gl_severity { GL_SEV_INFO, GL_SEV_LOW, GL_SEV_MEDIUM, GL_SEV_HIGH, GL_SEV_CRITICAL } gl_severity;
const char *gl_severity_name(gl_severity s);

/* ---- declarations --------------------------------------------------------- */

/* A setting the module reads (`set <module>.<key> <value>` in a profile, or
 * `--set module.key=value`). The profile is checked against these before
 * anything is read: an unknown key or a value of the wrong type is a
 * usage error. */
typedef enum gl_setting_type {
    GL_SETTING_SIZE,     /* 512, 64K, 2M, 4GiB */
    GL_SETTING_UINT,     /* decimal, fits 63 bits */
    GL_SETTING_BOOL,     /* true/false, yes/no, on/off, 1/0 */
    GL_SETTING_DURATION, /* 30, 90s, 15m, 12h, 30d (seconds) */
    GL_SETTING_TEXT,     /* anything */
    GL_SETTING_FILE,     /* a path read at init; must exist */
} gl_setting_type;

typedef struct gl_setting_decl {
    const char *key;  /* "max_file_size" */
    gl_setting_type type;
    const char *def;  /* shown by `list --settings`; NULL: no default */
    const char *help; /* one line */
} gl_setting_decl;

/* A rule: what a finding is. The id is "<module>.<name>"; a finding with
 * an id its module did not declare is an error of the run. */
typedef struct gl_rule_decl {
    const char *id;       /* "logs.security_cleared" */
    gl_severity severity; /* default; findings may raise or lower it, saying why */
    const char *attack;   /* ATT&CK ids, blank-separated: classic (v18) then v19 */
    const char *title;    /* one line for a human */
} gl_rule_decl;

/* Event-log subscription: the events of one channel the module reads
 * (detect/events.h). One pass over the logs serves every module of the run. */
#define GL_EVENT_SUB_MAX_IDS 64
typedef struct gl_event_sub {
    const char *channel; /* "Security", "System", "Microsoft-Windows-TaskScheduler/Operational" */
    uint16_t ids[GL_EVENT_SUB_MAX_IDS];
    size_t n_ids; /* 0: no event of this channel */
} gl_event_sub;

typedef struct gl_module {
    const char *name;
    const char *description;
    unsigned needs;
    const gl_setting_decl *settings; /* terminated by key == NULL; may be NULL */
    const gl_rule_decl *rules;       /* terminated by id == NULL; may be NULL */
    const gl_event_sub *events;      /* terminated by channel == NULL; may be NULL */
    /* Modules whose records this one reads (gl_run_each_record): they run
     * first. NULL-terminated; may be NULL. A cycle is a usage error. */
    const char *const *reads;
    /* Runs after every module without this flag (a correlation stage that
     * reads the run's timeline and findings with gl_run_each_timeline and
     * gl_run_each_finding). No other module may read its records. */
    bool last;
    /* Before any module runs and before the source is read: compile rules,
     * load catalogs and data files named by settings. -1 with err stops
     * the run before anything is read (a usage error when err->code is
     * GL_ERR_USAGE, which data files given by the user are). *state is
     * handed back by gl_run_state(). */
    int (*init)(gl_run *run, void **state, gl_err *err);
    void (*fini)(void *state);
    /* Return 0 when the module ran to the end (individual problems are
     * reported with gl_run_error and make the module "partial"); -1 with err
     * when it could not run at all ("failed"). */
    int (*run)(gl_run *run, gl_err *err);
} gl_module;

/* Declared rule of m with this id, or NULL. */
const gl_rule_decl *gl_module_rule(const gl_module *m, const char *id);
const gl_setting_decl *gl_module_setting(const gl_module *m, const char *key);
/* Check one setting value against its declaration; -1 with err naming it. */
int gl_setting_check(const gl_setting_decl *d, const char *module, const char *value, gl_err *err);

/* ---- the run, as modules see it --------------------------------------------- */

/* A raw-collection target from the profile: `target NAME PATTERN [max_size=N]`. */
typedef struct gl_target {
    char *name;
    char *pattern;
    uint64_t max_size; /* 0 = the files module's default */
} gl_target;

typedef struct gl_evidence {
    const char *artifact; /* bundle member, e.g. "artifacts/C/Windows/System32/config/SOFTWARE" */
    const char *locator;  /* where inside: key path + value, record id, line number */
} gl_evidence;

/* A finding as the engine writes it. Modules build one with gl_fb
 * (detect/finding.h) rather than filling this by hand. */
typedef struct gl_finding {
    const char *rule; /* declared id, e.g. "defender.exclusion.path" */
    gl_severity severity;
    const char *severity_reason; /* why this severity (required) */
    const char *title;
    const char *const *attack; /* ATT&CK ids; NULL/0: the rule's declared ones */
    size_t n_attack;
    const char *time; /* ISO 8601 UTC, or NULL when unknown */
    const gl_evidence *evidence;
    size_t n_evidence;
    /* What the finding is about ("C:\Temp" for an exclusion): with module,
     * rule and host it makes the finding's stable id, so the same finding
     * has the same id when a bundle is re-analysed. */
    const char *subject;
    const char *details_json; /* a JSON object, or NULL for {} */
} gl_finding;

gl_source *gl_run_source(gl_run *run);
/* Open a file through the run's source without acquiring it, for a module
 * that reads many files to keep a few (yara scans ProgramData and keeps
 * what matches); gl_source_open_file acquires it later. Call it from the
 * module's own thread only: it detaches the source's acquirer meanwhile.
 * The file can then be read from other threads (gl_file_reader). */
gl_file *gl_run_open_unacquired(gl_run *run, const char *path, gl_err *err);
const char *gl_run_host(const gl_run *run);
/* The run's registry view over the source, shared by every module: opened
 * on first use with deleted material recovered (check gl_regkey_deleted /
 * gl_regval_deleted), each hive parsed and its logs replayed once per run.
 * Problems a lookup meets are reported to the module that met them: damage
 * and read errors as errors, absent hives and notes in the log. NULL (and
 * an error of the module) only when the view cannot be created. */
gl_regview *gl_run_regview(gl_run *run);
/* The module's init state. */
void *gl_run_state(gl_run *run);
/* Module setting (`set <module>.<key> <value>`); unset: its declared
 * default, or def when it declares none. */
const char *gl_run_setting(const gl_run *run, const char *key, const char *def);
/* Typed settings (already validated against the declarations before the
 * run started, so these only fall back to def when unset). */
uint64_t gl_run_setting_size(gl_run *run, const char *key, uint64_t def);
uint64_t gl_run_setting_uint(gl_run *run, const char *key, uint64_t def);
bool gl_run_setting_bool(gl_run *run, const char *key, bool def);
int64_t gl_run_setting_seconds(gl_run *run, const char *key, int64_t def);
size_t gl_run_targets(const gl_run *run, const gl_target **targets);
/* Modules of this run, in run order. */
size_t gl_run_modules(const gl_run *run, const gl_module *const **mods);
const gl_module *gl_run_current(const gl_run *run);

/* Emit one record (a complete JSON object, no newline) to records/<module>.jsonl. */
void gl_run_record(gl_run *run, const char *json, size_t n);
/* Read back the records of a module that ran earlier in this run (it must
 * be named in this module's `reads`). cb gets each line without its
 * newline; non-zero from cb stops and is returned. -1 with err on I/O. */
typedef int (*gl_record_cb)(void *ctx, const char *line, size_t n);
int gl_run_each_record(gl_run *run, const char *module, gl_record_cb cb, void *ctx, gl_err *err);
/* Read back the timeline events, or the findings, that the modules run so
 * far wrote (all other modules, for a module declared `last`): one JSON
 * object per line without its newline, cb as for gl_run_each_record. */
int gl_run_each_timeline(gl_run *run, gl_record_cb cb, void *ctx, gl_err *err);
int gl_run_each_finding(gl_run *run, gl_record_cb cb, void *ctx, gl_err *err);
/* Write a finding to findings.jsonl. An undeclared rule id or a missing
 * severity reason is an error of the module (the finding is still kept). */
void gl_run_finding(gl_run *run, const gl_finding *f);
/* One line of timeline.jsonl (a complete JSON object; detect/timeline.h
 * builds and checks it). */
void gl_run_timeline_line(gl_run *run, const char *json, size_t n);
void gl_run_log(gl_run *run, const char *fmt, ...) GL_PRINTF(2, 3);
/* A problem that did not stop the module: logged, counted, listed in
 * run.json, and makes the module (and the run) partial. */
void gl_run_error(gl_run *run, const char *fmt, ...) GL_PRINTF(2, 3);
/* True once the module's time budget (`set <module>.time_limit`) or the
 * run's (--time-limit) is spent. The kit's loops (gl_run_each_record, event
 * iteration, acquisition) already stop then; a module's own long loops
 * check it and return what they have. The engine marks the module partial
 * and names the limit in run.json. */
bool gl_run_expired(gl_run *run);

/* A per-run object shared between modules (the event cache of
 * detect/events.c): created by create() on first request under key,
 * destroyed at the end of the run. */
void *gl_run_shared(gl_run *run, const char *key, void *(*create)(gl_run *run, void *arg), void *arg,
                    void (*destroy)(void *obj));
/* Directory for the run's temporary spools (the output directory). */
const char *gl_run_spool_dir(const gl_run *run);

#endif

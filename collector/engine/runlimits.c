#include "runlimits.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include "buf.h"
#include "profile.h"

#define MAX_HITS 32     /* distinct (limit, scope) pairs; more are counted in the last */
#define MAX_EXAMPLES 10 /* skipped paths named in run.json per limit; the log names all */

typedef struct limit_hit {
    const char *limit; /* option name without dashes: "max_files" */
    char scope[160];   /* "run" or "module <name>" */
    uint64_t files, bytes;
    char *examples[MAX_EXAMPLES];
    size_t n_examples;
    char **modules; /* modules not run (time limit) */
    size_t n_modules;
} limit_hit;

struct gl_limiter {
    gl_limits lim;
    char *output_dir;
    struct timespec start, module_start;
    char module[128];
    int64_t module_limit;
    const char *module_hit;
    bool run_time_recorded, module_time_recorded;
    limit_hit hits[MAX_HITS];
    size_t n_hits;
};

gl_limits gl_limits_default(void)
{
    gl_limits l = {.min_free = GL_MIN_FREE_DEFAULT_BYTES, .min_free_pct = GL_MIN_FREE_DEFAULT_PCT};
    return l;
}

int gl_parse_duration(const char *v, int64_t *out)
{
    size_t len = strlen(v);
    uint64_t mult = 1;
    char num[32];
    if (len == 0 || len >= sizeof num)
        return -1;
    memcpy(num, v, len + 1);
    switch (num[len - 1]) {
    case 's': mult = 1; num[--len] = '\0'; break;
    case 'm': mult = 60; num[--len] = '\0'; break;
    case 'h': mult = 3600; num[--len] = '\0'; break;
    case 'd': mult = 86400; num[--len] = '\0'; break;
    default: break;
    }
    if (len == 0 || strspn(num, "0123456789") != len)
        return -1;
    char *end;
    unsigned long long n = strtoull(num, &end, 10);
    if (*end || n == 0 || n > (uint64_t)INT64_MAX / mult)
        return -1;
    *out = (int64_t)(n * mult);
    return 0;
}

/* "5%" (1..99) or a size. */
static int parse_min_free(gl_limits *l, const char *v)
{
    size_t len = strlen(v);
    if (len >= 2 && v[len - 1] == '%') {
        if (strspn(v, "0123456789") != len - 1 || len > 3)
            return -1;
        unsigned pct = (unsigned)atoi(v);
        if (pct == 0 || pct > 99)
            return -1;
        l->min_free_pct = pct;
        l->min_free = 0;
        return 0;
    }
    uint64_t n;
    if (gl_parse_size(v, &n) != 0)
        return -1;
    l->min_free = n;
    l->min_free_pct = 0;
    return 0;
}

int gl_limits_set(gl_limits *l, const char *option, const char *value, gl_err *err)
{
    int rc = -1;
    const char *expect = "a size (e.g. 512, 64K, 2M, 4GiB)";
    if (!strcmp(option, "time-limit")) {
        rc = gl_parse_duration(value, &l->time_limit);
        expect = "a duration of at least one second (e.g. 90, 90s, 15m, 2h)";
    } else if (!strcmp(option, "max-file-size")) {
        rc = gl_parse_size(value, &l->max_file_size);
    } else if (!strcmp(option, "max-bundle-size")) {
        rc = gl_parse_size(value, &l->max_bundle_size);
    } else if (!strcmp(option, "max-files")) {
        char *end;
        rc = value[0] >= '0' && value[0] <= '9' && strlen(value) < 19 ? 0 : -1;
        if (rc == 0)
            l->max_files = strtoull(value, &end, 10), rc = *end ? -1 : 0;
        expect = "a whole number";
    } else if (!strcmp(option, "min-free")) {
        rc = parse_min_free(l, value);
        expect = "a size (e.g. 1G) or a percentage of the volume (e.g. 5%)";
    } else {
        return gl_err_setc(err, GL_ERR_USAGE, "no limit --%s", option);
    }
    if (rc != 0)
        return gl_err_setc(err, GL_ERR_USAGE, "--%s %s: expected %s", option, value, expect);
    return 0;
}

static int parse_count(const char *v, uint64_t *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n)
        return -1;
    *out = strtoull(v, NULL, 10);
    return 0;
}

int gl_unpack_limits_parse(gl_unpack_limits *l, const char *kv, gl_err *err)
{
    const char *eq = strchr(kv, '=');
    size_t k = eq ? (size_t)(eq - kv) : 0;
    int rc = -1;
    if (eq && k == 5 && !strncmp(kv, "ratio", 5))
        rc = parse_count(eq + 1, &l->ratio);
    else if (eq && k == 5 && !strncmp(kv, "total", 5))
        rc = gl_parse_size(eq + 1, &l->max_total);
    else if (eq && k == 6 && !strncmp(kv, "member", 6))
        rc = gl_parse_size(eq + 1, &l->max_member);
    else if (eq && k == 7 && !strncmp(kv, "members", 7))
        rc = parse_count(eq + 1, &l->max_members);
    if (rc != 0)
        return gl_err_setc(err, GL_ERR_USAGE,
                           "--unpack-limit %s: expected ratio=N, total=SIZE, member=SIZE or members=N", kv);
    return 0;
}

/* ---- enforcement --------------------------------------------------------------- */

static double since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

gl_limiter *gl_limiter_new(const gl_limits *l, const char *output_dir)
{
    gl_limiter *lm = gl_xcalloc(1, sizeof *lm);
    lm->lim = *l;
    lm->output_dir = gl_xstrdup(output_dir);
    clock_gettime(CLOCK_MONOTONIC, &lm->start);
    return lm;
}

void gl_limiter_free(gl_limiter *lm)
{
    if (!lm)
        return;
    for (size_t i = 0; i < lm->n_hits; i++) {
        for (size_t k = 0; k < lm->hits[i].n_examples; k++)
            free(lm->hits[i].examples[k]);
        for (size_t k = 0; k < lm->hits[i].n_modules; k++)
            free(lm->hits[i].modules[k]);
        free(lm->hits[i].modules);
    }
    free(lm->output_dir);
    free(lm);
}

static limit_hit *hit(gl_limiter *lm, const char *limit, bool run_scope)
{
    char scope[160];
    if (run_scope || !lm->module[0])
        snprintf(scope, sizeof scope, "run");
    else
        snprintf(scope, sizeof scope, "module %s", lm->module);
    for (size_t i = 0; i < lm->n_hits; i++)
        if (lm->hits[i].limit == limit && !strcmp(lm->hits[i].scope, scope))
            return &lm->hits[i];
    if (lm->n_hits == MAX_HITS)
        return &lm->hits[MAX_HITS - 1];
    limit_hit *h = &lm->hits[lm->n_hits++];
    h->limit = limit;
    snprintf(h->scope, sizeof h->scope, "%s", scope);
    return h;
}

void gl_limiter_module_begin(gl_limiter *lm, const char *module, int64_t time_limit)
{
    snprintf(lm->module, sizeof lm->module, "%s", module);
    lm->module_limit = time_limit;
    lm->module_hit = NULL;
    lm->module_time_recorded = false;
    clock_gettime(CLOCK_MONOTONIC, &lm->module_start);
}

void gl_limiter_module_end(gl_limiter *lm)
{
    lm->module[0] = '\0';
    lm->module_limit = 0;
}

const char *gl_limiter_module_hit(const gl_limiter *lm) { return lm->module_hit; }

bool gl_limiter_run_expired(gl_limiter *lm)
{
    return lm->lim.time_limit > 0 && since(&lm->start) >= (double)lm->lim.time_limit;
}

bool gl_limiter_expired(gl_limiter *lm)
{
    if (gl_limiter_run_expired(lm)) {
        if (!lm->run_time_recorded) {
            lm->run_time_recorded = true;
            hit(lm, "time_limit", true);
        }
        if (lm->module[0])
            lm->module_hit = "time_limit";
        return true;
    }
    if (lm->module[0] && lm->module_limit > 0 && since(&lm->module_start) >= (double)lm->module_limit) {
        if (!lm->module_time_recorded) {
            lm->module_time_recorded = true;
            hit(lm, "time_limit", false);
        }
        lm->module_hit = "time_limit";
        return true;
    }
    return false;
}

void gl_limiter_module_skipped(gl_limiter *lm, const char *module)
{
    limit_hit *h = hit(lm, "time_limit", true);
    h->modules = gl_xrealloc(h->modules, (h->n_modules + 1) * sizeof *h->modules);
    h->modules[h->n_modules++] = gl_xstrdup(module);
}

/* Free bytes on the output volume and the floor to keep. The test build
 * can pretend the volume has GLEANER_TEST_FREE_BYTES free before the
 * bundle started (what the bundle took, counted uncompressed so the
 * compressor's buffering does not matter, comes off it), so the limit is
 * tested without filling a disk. */
static int free_space(const gl_limiter *lm, uint64_t written, uint64_t *avail, uint64_t *floor)
{
    (void)written; /* only the test build's pretend volume uses it */
    uint64_t total;
#ifdef GLEANER_TEST_BUILD
    const char *fake = getenv("GLEANER_TEST_FREE_BYTES");
    if (fake) {
        uint64_t n = strtoull(fake, NULL, 10);
        *avail = n > written ? n - written : 0;
        total = n;
        goto have;
    }
#endif
    struct statvfs vfs;
    if (statvfs(lm->output_dir, &vfs) != 0)
        return -1;
    *avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
#ifdef GLEANER_TEST_BUILD
have:
#endif
    *floor = lm->lim.min_free;
    if (lm->lim.min_free_pct) {
        uint64_t pct = total / 100 * lm->lim.min_free_pct;
        *floor = lm->lim.min_free && lm->lim.min_free < pct ? lm->lim.min_free : pct;
    }
    return 0;
}

static int refuse(gl_limiter *lm, const char *limit, bool run_scope, const gl_file_info *info, gl_err *err,
                  const char *fmt, ...) GL_PRINTF(6, 7);
static int refuse(gl_limiter *lm, const char *limit, bool run_scope, const gl_file_info *info, gl_err *err,
                  const char *fmt, ...)
{
    limit_hit *h = hit(lm, limit, run_scope);
    h->files++;
    h->bytes += info->size;
    if (h->n_examples < MAX_EXAMPLES)
        h->examples[h->n_examples++] = gl_xstrdup(info->path);
    if (lm->module[0])
        lm->module_hit = limit;
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return gl_err_setc(err, GL_ERR_LIMIT, "%s: not acquired: %s", info->path, why);
}

int gl_limiter_admit(gl_limiter *lm, const gl_file_info *info, uint64_t files_in_bundle,
                     uint64_t bytes_in_bundle, uint64_t bytes_written, gl_err *err)
{
    const gl_limits *l = &lm->lim;
    if (gl_limiter_expired(lm))
        return refuse(lm, "time_limit", gl_limiter_run_expired(lm), info, err, "%s time limit reached",
                      gl_limiter_run_expired(lm) ? "the run's" : "the module's");
    if (l->max_file_size && info->size > l->max_file_size)
        return refuse(lm, "max_file_size", true, info, err,
                      "%" PRIu64 " bytes, over --max-file-size %" PRIu64, info->size, l->max_file_size);
    if (l->max_files && files_in_bundle >= l->max_files)
        return refuse(lm, "max_files", true, info, err, "--max-files %" PRIu64 " reached", l->max_files);
    if (l->max_bundle_size && bytes_in_bundle + info->size > l->max_bundle_size)
        return refuse(lm, "max_bundle_size", true, info, err,
                      "%" PRIu64 " bytes would take the bundle over --max-bundle-size %" PRIu64, info->size,
                      l->max_bundle_size);
    uint64_t avail, floor;
    uint64_t taken = bytes_written > bytes_in_bundle ? bytes_written : bytes_in_bundle;
    if ((l->min_free || l->min_free_pct) && free_space(lm, taken, &avail, &floor) == 0 &&
        (avail < floor || avail - floor < info->size))
        return refuse(lm, "min_free", true, info, err,
                      "%" PRIu64 " bytes would leave less than %" PRIu64 " bytes free on the output volume "
                      "(%" PRIu64 " free, --min-free)",
                      info->size, floor, avail);
    return 0;
}

bool gl_limiter_any_hit(const gl_limiter *lm) { return lm->n_hits > 0; }

static uint64_t limit_value(const gl_limiter *lm, const limit_hit *h)
{
    if (!strcmp(h->limit, "time_limit"))
        return strcmp(h->scope, "run") ? (uint64_t)lm->module_limit : (uint64_t)lm->lim.time_limit;
    if (!strcmp(h->limit, "max_file_size"))
        return lm->lim.max_file_size;
    if (!strcmp(h->limit, "max_files"))
        return lm->lim.max_files;
    if (!strcmp(h->limit, "max_bundle_size"))
        return lm->lim.max_bundle_size;
    return lm->lim.min_free;
}

void gl_limiter_json(const gl_limiter *lm, gl_json *j)
{
    gl_json_key(j, "limits_hit");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < lm->n_hits; i++) {
        const limit_hit *h = &lm->hits[i];
        gl_json_obj_begin(j);
        gl_json_kv_str(j, "limit", h->limit);
        gl_json_kv_str(j, "scope", h->scope);
        /* a module's own time budget is gone with its scope: say it in the scope only */
        if (strcmp(h->limit, "time_limit") || !strcmp(h->scope, "run"))
            gl_json_kv_uint(j, "value", limit_value(lm, h));
        gl_json_kv_uint(j, "files_skipped", h->files);
        gl_json_kv_uint(j, "bytes_skipped", h->bytes);
        gl_json_key(j, "skipped");
        gl_json_arr_begin(j);
        for (size_t k = 0; k < h->n_examples; k++)
            gl_json_str(j, h->examples[k]);
        gl_json_arr_end(j);
        gl_json_key(j, "modules_not_run");
        gl_json_arr_begin(j);
        for (size_t k = 0; k < h->n_modules; k++)
            gl_json_str(j, h->modules[k]);
        gl_json_arr_end(j);
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
}

void gl_limiter_each_summary(const gl_limiter *lm, void (*line)(void *ctx, const char *text), void *ctx)
{
    for (size_t i = 0; i < lm->n_hits; i++) {
        const limit_hit *h = &lm->hits[i];
        gl_buf b = {0};
        gl_buf_printf(&b, "limit %s reached (%s): %" PRIu64 " files (%" PRIu64 " bytes) not acquired", h->limit,
                      h->scope, h->files, h->bytes);
        if (h->n_modules)
            gl_buf_printf(&b, ", %zu modules not run", h->n_modules);
        line(ctx, b.data);
        gl_buf_free(&b);
    }
}

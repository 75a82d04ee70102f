/* Compiling YARA rule sets: built-in (embedded) and user rule files. */
#include "yararules.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "buf.h"
#include "embedded.h"

/* musl's nftw (the static Linux release) lacks GNU's FTW_ACTIONRETVAL:
 * there any non-zero return stops the walk, which is where both the
 * too-deep and the too-many cases end anyway (each fails the listing). */
#ifndef FTW_ACTIONRETVAL
#define FTW_ACTIONRETVAL 0
#define FTW_CONTINUE 0
#define FTW_STOP 1
#define FTW_SKIP_SUBTREE 2
#endif

#define MAX_RULE_DEPTH 32       /* directory levels below a --yara directory */
#define MAX_RULE_FILES 100000   /* rule files per --yara directory */
#define BUILTIN_PREFIX "yara/"

const char *const gl_yara_externals[] = {"filename", "filepath", "extension", "filetype", "owner", NULL};

/* ---- listing rule files ------------------------------------------------------- */

static bool is_rule_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".yar") || !strcasecmp(dot, ".yara"));
}

/* nftw has no context argument, and listing happens once at start-up in
 * one thread, so the walk state is file-scoped. */
static struct {
    char **files;
    size_t n, cap;
    bool too_deep, too_many;
} walk;

static int walk_cb(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    if (ftw->level > MAX_RULE_DEPTH) {
        walk.too_deep = true;
        return FTW_SKIP_SUBTREE;
    }
    if (type != FTW_F || !is_rule_name(fpath + ftw->base))
        return FTW_CONTINUE;
    if (walk.n == MAX_RULE_FILES) {
        walk.too_many = true;
        return FTW_STOP;
    }
    if (walk.n == walk.cap) {
        walk.cap = walk.cap ? walk.cap * 2 : 64;
        walk.files = gl_xrealloc(walk.files, walk.cap * sizeof *walk.files);
    }
    walk.files[walk.n++] = gl_xstrdup(fpath);
    return FTW_CONTINUE;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int gl_yara_list_files(const char *path, char ***files, size_t *n, gl_err *err)
{
    *files = NULL;
    *n = 0;
    struct stat st;
    if (lstat(path, &st) != 0)
        return gl_err_setc(err, GL_ERR_USAGE, "yara rules %s: %s", path, strerror(errno));
    if (S_ISREG(st.st_mode)) { /* named explicitly: whatever its extension */
        *files = gl_xmalloc(sizeof **files);
        (*files)[0] = gl_xstrdup(path);
        *n = 1;
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return gl_err_setc(err, GL_ERR_USAGE, "yara rules %s: not a file or directory", path);
    memset(&walk, 0, sizeof walk);
    int rc = nftw(path, walk_cb, 16, FTW_PHYS | FTW_ACTIONRETVAL);
    *files = walk.files;
    *n = walk.n;
    if (rc == -1) {
        gl_err_setc(err, GL_ERR_USAGE, "yara rules %s: %s", path, strerror(errno));
        goto fail;
    }
    if (walk.too_many) {
        gl_err_setc(err, GL_ERR_USAGE, "yara rules %s: more than %d rule files", path, MAX_RULE_FILES);
        goto fail;
    }
    if (walk.too_deep) {
        gl_err_setc(err, GL_ERR_USAGE, "yara rules %s: directories nested deeper than %d levels", path,
                    MAX_RULE_DEPTH);
        goto fail;
    }
    if (!walk.n)
        return gl_err_setc(err, GL_ERR_USAGE, "yara rules %s: no .yar or .yara file in it", path);
    qsort(*files, *n, sizeof **files, cmp_str);
    return 0;
fail:
    gl_yara_free_files(*files, *n);
    *files = NULL;
    *n = 0;
    return -1;
}

void gl_yara_free_files(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

const char **gl_yara_builtin_names(size_t *n)
{
    size_t count = 0;
    for (const gl_embedded_file *f = gl_embedded_files; f->name; f++)
        count++;
    const char **names = gl_xcalloc(count + 1, sizeof *names);
    *n = 0;
    for (const gl_embedded_file *f = gl_embedded_files; f->name; f++)
        if (!strncmp(f->name, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX)))
            names[(*n)++] = f->name;
    return names;
}

/* ---- compiling ---------------------------------------------------------------- */

typedef struct compile_ctx {
    const char *current; /* the source being added: file path or embedded name */
    gl_yara_error_cb cb;  /* check mode: every error */
    void *cb_ctx;
    size_t errors;
    gl_buf first;         /* compile mode: "FILE:LINE: message" of the first error */
} compile_ctx;

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg, void *ud)
{
    (void)rule;
    compile_ctx *c = ud;
    if (level != YARA_ERROR_LEVEL_ERROR)
        return; /* warnings (slow strings) do not stop a run */
    const char *where = file && *file ? file : c->current;
    c->errors++;
    if (c->cb)
        c->cb(c->cb_ctx, where, line, msg);
    if (!c->first.len)
        gl_buf_printf(&c->first, "%s:%d: %s", where, line, msg);
}

static YR_COMPILER *new_compiler(compile_ctx *c)
{
    YR_COMPILER *comp = NULL;
    if (yr_compiler_create(&comp) != ERROR_SUCCESS)
        return NULL;
    yr_compiler_set_callback(comp, compiler_cb, c);
    for (const char *const *v = gl_yara_externals; *v; v++)
        yr_compiler_define_string_variable(comp, *v, "");
    return comp;
}

/* Namespace of a source: its file name, so rule names only need to be
 * unique within a file (public sets reuse names across files). */
static const char *namespace_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int add_file(YR_COMPILER *comp, compile_ctx *c, const char *file)
{
    FILE *fp = fopen(file, "r");
    if (!fp) {
        c->errors++;
        if (c->cb)
            c->cb(c->cb_ctx, file, 0, strerror(errno));
        if (!c->first.len)
            gl_buf_printf(&c->first, "%s: %s", file, strerror(errno));
        return -1;
    }
    c->current = file;
    int n = yr_compiler_add_file(comp, fp, namespace_of(file), file);
    fclose(fp);
    return n ? -1 : 0;
}

static int add_builtin(YR_COMPILER *comp, compile_ctx *c)
{
    size_t n;
    const char **names = gl_yara_builtin_names(&n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *text = gl_embedded_data(names[i], NULL);
        c->current = names[i];
        if (yr_compiler_add_string(comp, text, namespace_of(names[i])) != 0)
            rc = -1;
    }
    free(names);
    return rc;
}

bool gl_yara_is_compiled(const char *file)
{
    char magic[4];
    FILE *f = fopen(file, "rb");
    bool yes = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "YARA", 4);
    if (f)
        fclose(f);
    return yes;
}

static void add_set(gl_yara_rules *r, YR_RULES *set)
{
    r->sets = gl_xrealloc(r->sets, (r->n_sets + 1) * sizeof *r->sets);
    r->sets[r->n_sets++] = set;
}

static int load_compiled(gl_yara_rules *r, const char *file, gl_err *err)
{
    YR_RULES *set = NULL;
    int rc = yr_rules_load(file, &set);
    if (rc != ERROR_SUCCESS)
        return gl_err_setc(err, GL_ERR_USAGE, "%s: compiled YARA rules libyara %d.%d cannot load (error %d)", file,
                           YR_MAJOR_VERSION, YR_MINOR_VERSION, rc);
    add_set(r, set);
    r->n_files++;
    return 0;
}

/* Sources of one path into comp; compiled files named directly are loaded
 * as sets of their own. */
static int add_path(YR_COMPILER *comp, compile_ctx *c, gl_yara_rules *r, const char *path, gl_err *err)
{
    char **files;
    size_t n;
    if (gl_yara_list_files(path, &files, &n, err) != 0)
        return -1;
    int rc = 0;
    /* a compiler that met an error cannot take more input */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (n == 1 && gl_yara_is_compiled(files[i])) {
            rc = load_compiled(r, files[i], err);
            continue;
        }
        if (add_file(comp, c, files[i]) != 0)
            rc = gl_err_setc(err, GL_ERR_USAGE, "%s", c->first.len ? c->first.data : "yara rules do not compile");
        r->n_files++;
    }
    gl_yara_free_files(files, n);
    return rc;
}

int gl_yara_load(bool builtin, const char *const *paths, size_t n_paths, gl_yara_rules *r, gl_err *err)
{
    memset(r, 0, sizeof *r);
    compile_ctx c = {0};
    YR_COMPILER *comp = new_compiler(&c);
    if (!comp)
        return gl_err_set(err, "yara: cannot create a compiler (out of memory)");
    int rc = 0;
    if (builtin) {
        size_t n;
        free(gl_yara_builtin_names(&n));
        r->n_files += n;
        if (add_builtin(comp, &c) != 0)
            rc = gl_err_setc(err, GL_ERR_USAGE, "%s", c.first.len ? c.first.data : "built-in rules do not compile");
    }
    for (size_t p = 0; p < n_paths && rc == 0; p++)
        rc = add_path(comp, &c, r, paths[p], err);
    YR_RULES *set = NULL;
    if (rc == 0 && yr_compiler_get_rules(comp, &set) != ERROR_SUCCESS)
        rc = gl_err_set(err, "yara: cannot build the rule set (out of memory)");
    yr_compiler_destroy(comp);
    gl_buf_free(&c.first);
    if (rc == 0) {
        add_set(r, set);
        return 0;
    }
    gl_yara_rules_free(r);
    return -1;
}

void gl_yara_rules_free(gl_yara_rules *r)
{
    for (size_t i = 0; i < r->n_sets; i++)
        yr_rules_destroy(r->sets[i]);
    free(r->sets);
    memset(r, 0, sizeof *r);
}

size_t gl_yara_check_file(const char *file, gl_yara_error_cb cb, void *ctx)
{
    if (gl_yara_is_compiled(file)) {
        gl_yara_rules r = {0};
        gl_err err = {0};
        if (load_compiled(&r, file, &err) == 0) {
            gl_yara_rules_free(&r);
            return 0;
        }
        cb(ctx, file, 0, err.msg);
        return 1;
    }
    compile_ctx c = {.cb = cb, .cb_ctx = ctx};
    YR_COMPILER *comp = new_compiler(&c);
    if (!comp) {
        cb(ctx, file, 0, "cannot create a compiler (out of memory)");
        return 1;
    }
    add_file(comp, &c, file);
    yr_compiler_destroy(comp);
    gl_buf_free(&c.first);
    return c.errors;
}

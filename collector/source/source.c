/* Sources over a directory tree: `live` (POSIX root), `dir:PATH`, and
 * `bundle:FILE` (whose artifacts are first unpacked into a scratch
 * directory under the output path, then read like `dir:`).
 *
 * Safety rules implemented here, not in modules:
 *  - every open is read-only and never follows a link (the backend,
 *    source_fs.h, guarantees it), so nothing outside the root is reached,
 *  - links are reported, never entered,
 *  - the excluded (output) directory is never entered,
 *  - path components ".." are refused.
 * The disk is reached only through source_fs.h, never directly. */
#include "source.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "bundle_unpack.h"
#include "fold.h"
#include "source_fs.h"

#define GL_MAX_COMPONENTS 256
#define GL_GLOB_MAX_DEPTH 40

struct gl_source {
    char *spec;
    const char *kind;
    char *drive;      /* "C", or "root" for a POSIX live host */
    bool posix_style; /* display paths as /a/b rather than C:\a\b */
    gl_fs_dir *root;
    char *scratch;    /* bundle sources: unpacked artifacts, removed on close */
    gl_fs_id excl;
    bool has_excl;
    gl_fs_id root_id;
    bool has_root_id;
    bool output_is_root; /* the output directory is the source's root itself */
    gl_acquirer *acq;
    gl_buf stat_path; /* storage behind gl_source_stat's info->path */
};

struct gl_file {
    gl_source *src;
    gl_fs_file *fh;
    gl_file_info info;
    char *path;
    char *artifact;
};

/* ---- path handling ------------------------------------------------------ */

typedef struct path_parts {
    char *storage;
    const char *comp[GL_MAX_COMPONENTS];
    size_t n;
} path_parts;

/* Split "C:\a\b/c" into components; refuse ".." so a path can never climb
 * out of the root. */
static int split_path(const char *path, path_parts *pp, gl_err *err)
{
    memset(pp, 0, sizeof *pp);
    const char *p = path;
    if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':')
        p += 2;
    pp->storage = gl_xstrdup(p);
    char *s = pp->storage;
    while (*s) {
        while (*s == '\\' || *s == '/')
            s++;
        if (!*s)
            break;
        char *start = s;
        while (*s && *s != '\\' && *s != '/')
            s++;
        if (*s)
            *s++ = '\0';
        if (!strcmp(start, "."))
            continue;
        if (!strcmp(start, "..")) {
            free(pp->storage);
            pp->storage = NULL;
            return gl_err_set(err, "%s: '..' is not allowed in evidence paths", path);
        }
        if (pp->n == GL_MAX_COMPONENTS) {
            free(pp->storage);
            pp->storage = NULL;
            return gl_err_set(err, "%s: more than %d path components", path, GL_MAX_COMPONENTS);
        }
        pp->comp[pp->n++] = start;
    }
    return 0;
}

static void display_append(const gl_source *src, gl_buf *out, const char *name)
{
    if (out->len == 0 && !src->posix_style)
        gl_buf_printf(out, "%s:", src->drive);
    gl_buf_putc(out, src->posix_style ? '/' : '\\');
    gl_buf_puts(out, name);
}

static void display_root(const gl_source *src, gl_buf *out)
{
    gl_buf_clear(out);
    if (src->posix_style)
        gl_buf_puts(out, "/");
    else
        gl_buf_printf(out, "%s:\\", src->drive);
}

static bool is_excluded(const gl_source *src, const gl_fs_stat *st)
{
    return src->has_excl && gl_fs_same_object(&st->id, &src->excl);
}

/* Walks borrow the root and own every directory opened below it. */
static void dir_release(const gl_source *src, gl_fs_dir *dir)
{
    if (dir != src->root)
        gl_fs_dir_close(dir);
}

typedef struct name_pick {
    const char *want;
    size_t want_len;
    gl_buf best;
} name_pick;

/* Listing order is arbitrary: keep the smallest matching name so a
 * case-colliding tree (possible on Linux) resolves deterministically. */
static void pick_smallest_match(void *ctx, const char *name)
{
    name_pick *p = ctx;
    if (gl_name_casecmp(name, strlen(name), p->want, p->want_len) == 0 &&
        (!p->best.len || strcmp(name, p->best.data) < 0)) {
        gl_buf_clear(&p->best);
        gl_buf_puts(&p->best, name);
    }
}

/* Find `want` in dir: exact name first (the common case), then a
 * case-insensitive scan. The chosen on-disk name goes to `found`.
 * -1 with errno (ENOENT when nothing matches). */
static int lookup_name(gl_fs_dir *dir, const char *want, gl_buf *found, gl_fs_stat *st)
{
    if (gl_fs_stat_at(dir, want, st) == 0) {
        gl_buf_clear(found);
        gl_buf_puts(found, want);
        return 0;
    }
    if (errno != ENOENT)
        return -1;
    name_pick pick = {.want = want, .want_len = strlen(want)};
    if (gl_fs_list(dir, pick_smallest_match, &pick) != 0) {
        int saved = errno;
        gl_buf_free(&pick.best);
        errno = saved;
        return -1;
    }
    int rc = -1;
    if (pick.best.len && gl_fs_stat_at(dir, pick.best.data, st) == 0) {
        gl_buf_clear(found);
        gl_buf_append(found, pick.best.data, pick.best.len);
        rc = 0;
    }
    gl_buf_free(&pick.best);
    if (rc != 0)
        errno = ENOENT;
    return rc;
}

static void fill_info(const gl_source *src, gl_file_info *info, const gl_fs_stat *st)
{
    info->size = st->size;
    /* a bundle's unpacked copies belong to whoever unpacked them */
    if (src->scratch)
        info->owner[0] = '\0';
    else
        memcpy(info->owner, st->owner, sizeof info->owner);
    info->is_dir = st->type == GL_FS_DIR;
    info->is_link = st->type == GL_FS_LINK;
    info->mtime = st->mtime;
    info->atime = st->atime;
    info->ctime = st->ctime;
    info->btime = st->btime;
}

/* Walk to the parent directory of the last component. On success returns
 * that directory (release with dir_release) and fills display with the
 * resolved on-disk names of the parent chain. */
static gl_fs_dir *walk_parents(gl_source *src, const path_parts *pp, gl_buf *display, gl_err *err,
                               const char *orig)
{
    gl_fs_dir *dir = src->root;
    gl_buf found = {0};
    display_root(src, display);
    gl_buf_clear(display);
    for (size_t i = 0; i + 1 < pp->n; i++) {
        gl_fs_stat st;
        if (lookup_name(dir, pp->comp[i], &found, &st) != 0) {
            gl_err_errno(err, "%s: directory '%s'", orig, pp->comp[i]);
            goto fail;
        }
        if (st.type == GL_FS_LINK) {
            gl_err_set(err, "%s: '%s' is a link; links are not followed", orig, found.data);
            goto fail;
        }
        if (st.type != GL_FS_DIR) {
            gl_err_set(err, "%s: '%s' is not a directory", orig, found.data);
            goto fail;
        }
        if (is_excluded(src, &st)) {
            gl_err_set(err, "%s: inside the output directory, which is never read as evidence", orig);
            goto fail;
        }
        gl_fs_dir *next = gl_fs_open_dir_at(dir, found.data);
        if (!next) {
            gl_err_errno(err, "%s: opening directory '%s'", orig, found.data);
            goto fail;
        }
        dir_release(src, dir);
        dir = next;
        display_append(src, display, found.data);
    }
    gl_buf_free(&found);
    return dir;
fail:
    gl_buf_free(&found);
    dir_release(src, dir);
    return NULL;
}

static char *artifact_name(const gl_source *src, const char *display)
{
    gl_buf b = {0};
    gl_buf_printf(&b, "artifacts/%s/", src->drive);
    const char *p = display;
    if (!src->posix_style && p[0] && p[1] == ':')
        p += 2;
    while (*p == '\\' || *p == '/')
        p++;
    for (; *p; p++)
        gl_buf_putc(&b, *p == '\\' ? '/' : *p);
    return b.data;
}

/* ---- open/close ----------------------------------------------------------- */

static gl_source *source_new(const char *spec, const char *kind, const char *drive, bool posix)
{
    gl_source *src = gl_xcalloc(1, sizeof *src);
    src->spec = gl_xstrdup(spec);
    src->kind = kind;
    src->drive = gl_xstrdup(drive);
    src->posix_style = posix;
    return src;
}

static int open_root(gl_source *src, const char *dir, gl_err *err)
{
    src->root = gl_fs_open_root(dir);
    if (!src->root)
        return gl_err_errno(err, "source %s: cannot open directory %s", src->spec, dir);
    gl_fs_stat st;
    if (gl_fs_stat_path(dir, &st) == 0) {
        src->root_id = st.id;
        src->has_root_id = true;
    }
    return 0;
}

gl_source *gl_source_open_scratch(const char *spec, const char *scratch_parent, gl_err *err)
{
    gl_source *src = NULL;
    if (!strcmp(spec, "live")) {
        src = source_new(spec, "live", "root", true);
        if (open_root(src, "/", err) == 0)
            return src;
    } else if (!strncmp(spec, "dir:", 4) && spec[4]) {
        src = source_new(spec, "dir", "C", false);
        if (open_root(src, spec + 4, err) == 0)
            return src;
    } else if (!strncmp(spec, "bundle:", 7) && spec[7]) {
        src = source_new(spec, "bundle", "C", false);
        char drive[64];
        src->scratch = gl_bundle_unpack_artifacts(spec + 7, scratch_parent, drive, sizeof drive, err);
        if (src->scratch) {
            free(src->drive);
            src->drive = gl_xstrdup(drive);
            gl_buf root = {0};
            gl_buf_printf(&root, "%s/%s", src->scratch, drive);
            int rc = open_root(src, root.data, err);
            gl_buf_free(&root);
            if (rc == 0)
                return src;
        }
    } else {
        gl_err_set(err, "unknown source '%s': expected live, dir:PATH or bundle:FILE", spec);
        return NULL;
    }
    gl_source_close(src);
    return NULL;
}

gl_source *gl_source_open(const char *spec, gl_err *err)
{
    return gl_source_open_scratch(spec, ".", err);
}

void gl_source_close(gl_source *src)
{
    if (!src)
        return;
    gl_fs_dir_close(src->root);
    if (src->scratch) {
        gl_remove_tree(src->scratch);
        free(src->scratch);
    }
    gl_buf_free(&src->stat_path);
    free(src->spec);
    free(src->drive);
    free(src);
}

const char *gl_source_spec(const gl_source *src) { return src->spec; }
const char *gl_source_kind(const gl_source *src) { return src->kind; }
const char *gl_source_drive(const gl_source *src) { return src->drive; }
void gl_source_set_acquirer(gl_source *src, gl_acquirer *acq) { src->acq = acq; }

void gl_source_exclude(gl_source *src, const char *host_path)
{
    gl_fs_stat st;
    if (gl_fs_stat_path(host_path, &st) == 0) {
        src->excl = st.id;
        src->has_excl = true;
        src->output_is_root = src->has_root_id && gl_fs_same_object(&st.id, &src->root_id);
    }
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* With the output directory at the source's root, the root cannot be
 * skipped like any other output directory: what gleaner writes there (the
 * bundle being written, earlier bundles and their sidecars, moved-aside
 * partials, spools) is skipped by name instead, so it never acquires
 * itself. */
static bool own_output(const gl_source *src, const gl_fs_dir *dir, const char *name)
{
    if (!src->output_is_root || dir != src->root)
        return false;
    return has_suffix(name, ".tar.zst") || has_suffix(name, ".tar.zst.sha256") || has_suffix(name, ".partial") ||
           has_suffix(name, ".tar.zst.p7m") || has_suffix(name, ".tar.zst.p7m.sha256") ||
           strstr(name, ".tar.zst.partial.stale-") || strstr(name, ".tar.zst.p7m.partial.stale-") ||
           !strncmp(name, ".gleaner-", 9);
}

/* ---- files ---------------------------------------------------------------- */

static int64_t file_read_at(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err)
{
    gl_file *f = ctx;
    size_t done = 0;
    while (done < len) {
        int64_t n = gl_fs_pread(f->fh, off + done, (char *)buf + done, len - done);
        if (n < 0)
            return gl_err_errno(err, "%s: read at offset %llu", f->path, (unsigned long long)(off + done));
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (int64_t)done;
}

gl_reader gl_file_reader(gl_file *f)
{
    gl_reader r = {.ctx = f, .read_at = file_read_at, .size = f->info.size, .name = f->path};
    return r;
}

const gl_file_info *gl_file_get_info(const gl_file *f) { return &f->info; }
const char *gl_file_artifact(const gl_file *f) { return f->artifact; }

void gl_file_close(gl_file *f)
{
    if (!f)
        return;
    gl_fs_file_close(f->fh);
    free(f->path);
    free(f->artifact);
    free(f);
}

/* Resolve a whole path: its parent directory (release with dir_release),
 * the on-disk name of the last component, its stat, and the display path
 * of the parent chain. Returns the directory or NULL with err. */
static gl_fs_dir *resolve(gl_source *src, const path_parts *pp, const char *path, gl_buf *display,
                          gl_buf *found, gl_fs_stat *st, gl_err *err)
{
    gl_fs_dir *dir = walk_parents(src, pp, display, err, path);
    if (!dir)
        return NULL;
    if (lookup_name(dir, pp->comp[pp->n - 1], found, st) != 0) {
        gl_err_errno(err, "%s", path);
        dir_release(src, dir);
        return NULL;
    }
    return dir;
}

gl_file *gl_source_open_file(gl_source *src, const char *path, gl_err *err)
{
    path_parts pp;
    if (split_path(path, &pp, err) != 0)
        return NULL;
    if (pp.n == 0) {
        free(pp.storage);
        gl_err_set(err, "%s: not a file path", path);
        return NULL;
    }
    gl_buf display = {0}, found = {0};
    gl_file *f = NULL;
    gl_fs_stat st;
    gl_fs_dir *dir = resolve(src, &pp, path, &display, &found, &st, err);
    if (!dir)
        goto out;
    if (st.type == GL_FS_LINK) {
        gl_err_set(err, "%s: is a link; links are not followed", path);
        goto out;
    }
    if (st.type != GL_FS_FILE) {
        gl_err_set(err, "%s: not a regular file", path);
        goto out;
    }
    if (own_output(src, dir, found.data)) {
        gl_err_setc(err, GL_ERR_ABSENT, "%s: gleaner's own output, never read as evidence", path);
        goto out;
    }
    bool not_regular;
    gl_fs_file *fh = gl_fs_open_file_at(dir, found.data, &st, &not_regular);
    if (!fh) {
        if (not_regular) /* swapped since lookup */
            gl_err_set(err, "%s: changed while opening", path);
        else
            gl_err_errno(err, "%s: open", path);
        goto out;
    }
    f = gl_xcalloc(1, sizeof *f);
    f->src = src;
    f->fh = fh;
    display_append(src, &display, found.data);
    f->path = gl_xstrdup(gl_buf_cstr(&display));
    f->info.path = f->path;
    fill_info(src, &f->info, &st);
    if (src->acq) {
        char *member = artifact_name(src, f->path);
        const char *stored = src->acq->acquire(src->acq->ctx, f, member, err);
        free(member);
        if (!stored) {
            gl_file_close(f);
            f = NULL;
            goto out;
        }
        f->artifact = gl_xstrdup(stored);
    }
out:
    if (dir)
        dir_release(src, dir);
    gl_buf_free(&display);
    gl_buf_free(&found);
    free(pp.storage);
    return f;
}

int gl_source_stat(gl_source *src, const char *path, gl_file_info *info, gl_err *err)
{
    path_parts pp;
    if (split_path(path, &pp, err) != 0)
        return -1;
    memset(info, 0, sizeof *info);
    if (pp.n == 0) {
        free(pp.storage);
        display_root(src, &src->stat_path);
        info->path = gl_buf_cstr(&src->stat_path);
        info->is_dir = true;
        return 0;
    }
    gl_buf found = {0};
    int rc = -1;
    gl_fs_stat st;
    gl_fs_dir *dir = resolve(src, &pp, path, &src->stat_path, &found, &st, err);
    if (!dir)
        goto out;
    display_append(src, &src->stat_path, found.data);
    info->path = gl_buf_cstr(&src->stat_path);
    fill_info(src, info, &st);
    dir_release(src, dir);
    rc = 0;
out:
    gl_buf_free(&found);
    free(pp.storage);
    return rc;
}

/* ---- glob ---------------------------------------------------------------- */

bool gl_glob_match(const char *pat, const char *name)
{
    /* iterative matcher with single backtrack point for '*': linear-ish and
     * no recursion, so hostile names cannot blow the stack */
    const char *star = NULL, *star_name = NULL;
    while (*name) {
        uint32_t pc = 0, nc;
        size_t pl = *pat ? gl_utf8_decode(pat, strlen(pat), &pc) : 0;
        size_t nl = gl_utf8_decode(name, strlen(name), &nc);
        if (*pat == '*') {
            star = ++pat;
            star_name = name;
            continue;
        }
        if (*pat && (*pat == '?' || gl_fold_cp(pc) == gl_fold_cp(nc))) {
            pat += pl;
            name += nl;
            continue;
        }
        if (star) {
            pat = star;
            uint32_t skip;
            star_name += gl_utf8_decode(star_name, strlen(star_name), &skip);
            name = star_name;
            continue;
        }
        return false;
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static bool has_wildcard(const char *s) { return strpbrk(s, "*?") != NULL; }

typedef struct glob_walk {
    gl_source *src;
    const path_parts *pp;
    gl_glob_cb cb;
    void *ctx;
    gl_err *err;
    int stop;
} glob_walk;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct name_list {
    char **names;
    size_t n, cap;
} name_list;

static void collect_name(void *ctx, const char *name)
{
    name_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->names = gl_xrealloc(l->names, l->cap * sizeof *l->names);
    }
    l->names[l->n++] = gl_xstrdup(name);
}

/* Sorted entry names of a directory; an unreadable directory (or the part
 * of it that could not be read) contributes no names. */
static size_t list_names(gl_fs_dir *dir, char ***out)
{
    name_list l = {0};
    (void)gl_fs_list(dir, collect_name, &l);
    if (l.n)
        qsort(l.names, l.n, sizeof *l.names, cmp_names);
    *out = l.names;
    return l.n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void glob_step(glob_walk *w, gl_fs_dir *dir, size_t ci, gl_buf *display, int depth);

/* Entry `name` (in dir) matched component ci: report it or descend. */
static void glob_matched(glob_walk *w, gl_fs_dir *dir, const char *name, size_t ci, gl_buf *display,
                         int depth)
{
    gl_fs_stat st;
    if (gl_fs_stat_at(dir, name, &st) != 0)
        return;
    if (ci + 1 == w->pp->n && own_output(w->src, dir, name))
        return;
    size_t saved = display->len;
    display_append(w->src, display, name);
    if (ci + 1 == w->pp->n) {
        gl_file_info info = {0};
        info.path = gl_buf_cstr(display);
        fill_info(w->src, &info, &st);
        w->stop = w->cb(w->ctx, &info);
    } else if (st.type == GL_FS_DIR && !is_excluded(w->src, &st)) {
        gl_fs_dir *sub = gl_fs_open_dir_at(dir, name);
        if (sub) {
            glob_step(w, sub, ci + 1, display, depth + 1);
            gl_fs_dir_close(sub);
        }
    }
    display->len = saved;
    display->data[saved] = '\0';
}

static void glob_step(glob_walk *w, gl_fs_dir *dir, size_t ci, gl_buf *display, int depth)
{
    if (w->stop || depth > GL_GLOB_MAX_DEPTH + GL_MAX_COMPONENTS)
        return;
    const char *comp = w->pp->comp[ci];
    if (!strcmp(comp, "**")) {
        /* zero directories: continue with the next component here */
        if (ci + 1 < w->pp->n)
            glob_step(w, dir, ci + 1, display, depth);
        if (depth > GL_GLOB_MAX_DEPTH)
            return;
        char **names;
        size_t n = list_names(dir, &names);
        for (size_t i = 0; i < n && !w->stop; i++) {
            gl_fs_stat st;
            if (gl_fs_stat_at(dir, names[i], &st) != 0 || st.type != GL_FS_DIR || is_excluded(w->src, &st))
                continue;
            gl_fs_dir *sub = gl_fs_open_dir_at(dir, names[i]);
            if (!sub)
                continue;
            size_t saved = display->len;
            display_append(w->src, display, names[i]);
            glob_step(w, sub, ci, display, depth + 1); /* "**" again, one level down */
            display->len = saved;
            display->data[saved] = '\0';
            gl_fs_dir_close(sub);
        }
        free_names(names, n);
        return;
    }
    if (!has_wildcard(comp)) {
        gl_buf found = {0};
        gl_fs_stat st;
        if (lookup_name(dir, comp, &found, &st) == 0)
            glob_matched(w, dir, found.data, ci, display, depth);
        gl_buf_free(&found);
        return;
    }
    char **names;
    size_t n = list_names(dir, &names);
    for (size_t i = 0; i < n && !w->stop; i++)
        if (gl_glob_match(comp, names[i]))
            glob_matched(w, dir, names[i], ci, display, depth);
    free_names(names, n);
}

int gl_source_glob(gl_source *src, const char *pattern, gl_glob_cb cb, void *ctx, gl_err *err)
{
    path_parts pp;
    if (split_path(pattern, &pp, err) != 0)
        return -1;
    if (pp.n == 0) {
        free(pp.storage);
        return gl_err_set(err, "%s: empty pattern", pattern);
    }
    glob_walk w = {.src = src, .pp = &pp, .cb = cb, .ctx = ctx, .err = err};
    gl_buf display = {0};
    display_root(src, &display);
    gl_buf_clear(&display);
    glob_step(&w, src->root, 0, &display, 0);
    gl_buf_free(&display);
    free(pp.storage);
    return w.stop;
}

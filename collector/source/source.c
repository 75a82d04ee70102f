/* Sources over a directory tree: `live` (POSIX root), `dir:PATH`, and
 * `bundle:FILE` (whose artifacts are first unpacked into a scratch
 * directory under the output path, then read like `dir:`).
 *
 * Safety rules implemented here, not in modules:
 *  - every open is read-only and never follows a link (the backend,
 *    source_fs.h, guarantees it), so nothing outside the root is reached,
 *  - links are reported, never entered,
 *  - the excluded (output) directory is never entered,
 *  - mount points (a directory on another volume than the root) are not
 *    crossed unless the caller allows it, and each one skipped is an error,
 *  - path components ".." are refused,
 *  - a walk is bounded by GL_WALK_MAX_DEPTH and by loop detection (the
 *    identities of the directories on its current path), and whatever it
 *    could not read is an error, never a silently smaller result.
 * The disk is reached only through source_fs.h, never directly.
 *
 * Names: a name on disk that is not valid UTF-8, or that holds a
 * backslash or the escape character '|', appears in evidence paths with
 * those bytes written as |XX (two uppercase hex digits). '|' cannot occur
 * in an NTFS name, so Windows names never change; a path or pattern given
 * to the source has its |XX sequences decoded back to the bytes. */
#include "source.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "bundle_unpack.h"
#include "fold.h"
#include "liveroot.h"
#include "source_fs.h"

#define GL_MAX_COMPONENTS (GL_WALK_MAX_DEPTH + 8)
#define NAME_ESCAPE '|'
#define MAX_PROBLEMS_NAMED 4 /* in one glob's error message; the rest are counted */

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
    bool output_is_root; /* the output directory is the source's root itself */
    bool cross_mounts;
    gl_source_problem_cb problem_cb;
    void *problem_ctx;
    gl_acquirer *acq;
    /* gl_source_redirect: paths (decoded components joined by '/') read
     * from `copies` instead */
    gl_source *copies;
    char **redirected;
    size_t n_redirected;
    gl_buf stat_path; /* storage behind gl_source_stat's info->path */
    /* The parent directory of the last file opened, kept open: files are
     * opened one directory after another, so most opens skip the walk
     * from the root. key is the parent's decoded components, '/'-joined. */
    struct {
        gl_buf key;
        gl_fs_dir *dir;
        gl_buf display, raw;
    } last;
};

struct gl_file {
    gl_source *src;
    gl_fs_file *fh;
    gl_file_info info;
    char *path;
    char *artifact;
    char *raw_hex;
    uint64_t size_opened; /* reads past this end mean the file grew */
    gl_err read_err;      /* the first read that failed or met a shrunken file */
    bool read_failed;
};

/* ---- names ---------------------------------------------------------------- */

static const char HEX[] = "0123456789ABCDEF";

/* Append name as it appears in evidence paths (see the top comment). */
static void escape_name(gl_buf *out, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = gl_utf8_decode(name + i, n - i, &cp);
        if (cp >= GL_UTF8_INVALID || cp == '\\' || cp == NAME_ESCAPE) {
            unsigned char c = (unsigned char)name[i];
            gl_buf_putc(out, NAME_ESCAPE);
            gl_buf_putc(out, HEX[c >> 4]);
            gl_buf_putc(out, HEX[c & 15]);
            i += 1;
            continue;
        }
        gl_buf_append(out, name + i, len);
        i += len;
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode |XX in place. A NUL or '/' byte cannot be part of a name and
 * stays written as it was. */
static void unescape_name(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        int hi, lo;
        if (r[0] == NAME_ESCAPE && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0 &&
            (hi || lo) && !(hi == 2 && lo == 15)) {
            *w++ = (char)(hi << 4 | lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static bool needs_escape(const char *name)
{
    gl_buf tmp = {0};
    escape_name(&tmp, name);
    bool differs = strcmp(gl_buf_cstr(&tmp), name) != 0;
    gl_buf_free(&tmp);
    return differs;
}

/* ---- path handling ------------------------------------------------------ */

typedef struct path_parts {
    char *storage;
    const char *comp[GL_MAX_COMPONENTS];
    size_t n;
} path_parts;

static int path_fail(path_parts *pp)
{
    free(pp->storage);
    pp->storage = NULL;
    return -1;
}

/* Split "C:\a\b/c" into components and decode their escapes; refuse ".."
 * so a path can never climb out of the root. */
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
        unescape_name(start);
        if (!strcmp(start, "."))
            continue;
        if (!strcmp(start, "..")) {
            gl_err_setc(err, GL_ERR_USAGE, "%s: '..' is not allowed in evidence paths", path);
            return path_fail(pp);
        }
        if (pp->n == GL_MAX_COMPONENTS) {
            gl_err_setc(err, GL_ERR_LIMIT, "%s: more than %d path components", path, GL_MAX_COMPONENTS);
            return path_fail(pp);
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
    escape_name(out, name);
}

/* The bytes of a path below the root as the file system has them,
 * components joined by '/' (which no name holds). */
static void raw_append(gl_buf *raw, const char *name)
{
    if (raw->len)
        gl_buf_putc(raw, '/');
    gl_buf_puts(raw, name);
}

static void display_root(const gl_source *src, gl_buf *out)
{
    gl_buf_clear(out);
    if (src->posix_style)
        gl_buf_puts(out, "/");
    else
        gl_buf_printf(out, "%s:\\", src->drive);
}

static void buf_truncate(gl_buf *b, size_t len)
{
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
}

static bool is_excluded(const gl_source *src, const gl_fs_id *id)
{
    return src->has_excl && gl_fs_same_object(id, &src->excl);
}

static bool is_other_volume(const gl_source *src, const gl_fs_id *id)
{
    return !src->cross_mounts && id->volume != src->root_id.volume;
}

/* Walks borrow the root and the kept parent directory and own every other
 * directory they open. */
static void dir_release(const gl_source *src, gl_fs_dir *dir)
{
    if (dir != src->root && dir != src->last.dir)
        gl_fs_dir_close(dir);
}

typedef struct name_pick {
    const char *want;
    size_t want_len;
    gl_buf best;
} name_pick;

/* Listing order is arbitrary: keep the smallest matching name so a
 * case-colliding tree (possible on Linux) resolves deterministically. */
static void pick_smallest_match(void *ctx, const char *name, gl_fs_type type)
{
    (void)type;
    name_pick *p = ctx;
    if (gl_name_casecmp(name, strlen(name), p->want, p->want_len) == 0 &&
        (!p->best.len || strcmp(name, p->best.data) < 0)) {
        gl_buf_clear(&p->best);
        gl_buf_puts(&p->best, name);
    }
}

/* The on-disk name matching `want` case-insensitively, into found.
 * -1 with errno (ENOENT when nothing matches). */
static int find_casefold(gl_fs_dir *dir, const char *want, gl_buf *found)
{
    name_pick pick = {.want = want, .want_len = strlen(want)};
    if (gl_fs_list(dir, pick_smallest_match, &pick) != 0) {
        int saved = errno;
        gl_buf_free(&pick.best);
        errno = saved;
        return -1;
    }
    int rc = -1;
    if (pick.best.len) {
        gl_buf_clear(found);
        gl_buf_append(found, pick.best.data, pick.best.len);
        rc = 0;
    } else {
        errno = ENOENT;
    }
    gl_buf_free(&pick.best);
    return rc;
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
    if (errno != ENOENT || find_casefold(dir, want, found) != 0)
        return -1;
    if (gl_fs_stat_at(dir, found->data, st) != 0)
        return -1;
    return 0;
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

/* Say what a refused link points at: the target is evidence too. A link
 * in the middle of the path is named; one at its end is the path. */
static int link_error(gl_err *err, gl_fs_dir *dir, const char *path, const char *name, bool last)
{
    gl_buf target = {0}, shown = {0}, named = {0};
    if (gl_fs_readlink_at(dir, name, &target) == 0)
        escape_name(&shown, gl_buf_cstr(&target));
    else
        gl_buf_puts(&shown, "?");
    if (last) {
        gl_err_setc(err, GL_ERR_IO, "%s: a link to '%s' where a file was expected; links are not followed", path,
                    gl_buf_cstr(&shown));
    } else {
        escape_name(&named, name);
        gl_err_setc(err, GL_ERR_IO, "%s: '%s' is a link to '%s'; links are not followed", path, gl_buf_cstr(&named),
                    gl_buf_cstr(&shown));
    }
    gl_buf_free(&named);
    gl_buf_free(&target);
    gl_buf_free(&shown);
    return -1;
}

/* Open subdirectory `want` of dir (exact name, else case-insensitive)
 * for an explicit path, refusing links, the output directory and other
 * volumes. found gets the on-disk name. */
static gl_fs_dir *enter_dir(gl_source *src, gl_fs_dir *dir, const char *want, gl_buf *found, const char *orig,
                            gl_err *err)
{
    gl_buf_clear(found);
    gl_buf_puts(found, want);
    gl_fs_dir *sub = gl_fs_open_dir_at(dir, want);
    if (!sub && errno == ENOENT && find_casefold(dir, want, found) == 0)
        sub = gl_fs_open_dir_at(dir, found->data);
    gl_fs_stat st;
    if (!sub) {
        /* O_DIRECTORY|O_NOFOLLOW on a link: ELOOP, or ENOTDIR on Linux */
        if (errno == ELOOP || (errno == ENOTDIR && gl_fs_stat_at(dir, found->data, &st) == 0 && st.type == GL_FS_LINK))
            link_error(err, dir, orig, found->data, false);
        else
            gl_err_errno(err, "%s: directory '%s'", orig, found->data);
        return NULL;
    }
    const gl_fs_id *id = gl_fs_dir_identity(sub);
    if (is_excluded(src, id)) {
        gl_err_setc(err, GL_ERR_ABSENT, "%s: inside the output directory, which is never read as evidence", orig);
    } else if (is_other_volume(src, id)) {
        gl_err_setc(err, GL_ERR_IO, "%s: '%s' is a mount point of another file system, not crossed (--cross-mounts)",
                    orig, found->data);
    } else {
        return sub;
    }
    gl_fs_dir_close(sub);
    return NULL;
}

static void parent_key(const path_parts *pp, gl_buf *key)
{
    gl_buf_clear(key);
    for (size_t i = 0; i + 1 < pp->n; i++) {
        gl_buf_puts(key, pp->comp[i]);
        gl_buf_putc(key, '/');
    }
}

/* Walk to the parent directory of the last component. On success returns
 * that directory (release with dir_release) and fills display (escaped)
 * and raw (on-disk bytes) with the resolved names of the parent chain.
 * The result is kept for the next call with the same parent. */
static gl_fs_dir *walk_parents(gl_source *src, const path_parts *pp, gl_buf *display, gl_buf *raw, gl_err *err,
                               const char *orig)
{
    gl_buf key = {0};
    parent_key(pp, &key);
    display_root(src, display);
    gl_buf_clear(display);
    gl_buf_clear(raw);
    if (src->last.dir && !strcmp(gl_buf_cstr(&key), gl_buf_cstr(&src->last.key))) {
        gl_buf_free(&key);
        gl_buf_puts(display, gl_buf_cstr(&src->last.display));
        gl_buf_puts(raw, gl_buf_cstr(&src->last.raw));
        return src->last.dir;
    }
    gl_fs_dir *dir = src->root;
    gl_buf found = {0};
    for (size_t i = 0; i + 1 < pp->n; i++) {
        gl_fs_dir *next = enter_dir(src, dir, pp->comp[i], &found, orig, err);
        dir_release(src, dir);
        if (!next) {
            gl_buf_free(&found);
            gl_buf_free(&key);
            return NULL;
        }
        dir = next;
        display_append(src, display, found.data);
        raw_append(raw, found.data);
    }
    gl_buf_free(&found);
    if (dir != src->root) {
        gl_fs_dir *old = src->last.dir;
        src->last.dir = dir;
        gl_fs_dir_close(old);
        gl_buf_clear(&src->last.key);
        gl_buf_puts(&src->last.key, gl_buf_cstr(&key));
        gl_buf_clear(&src->last.display);
        gl_buf_puts(&src->last.display, gl_buf_cstr(display));
        gl_buf_clear(&src->last.raw);
        gl_buf_puts(&src->last.raw, gl_buf_cstr(raw));
    }
    gl_buf_free(&key);
    return dir;
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

static char *hex_of(const gl_buf *raw)
{
    gl_buf h = {0};
    for (size_t i = 0; i < raw->len; i++) {
        unsigned char c = (unsigned char)raw->data[i];
        gl_buf_putc(&h, HEX[c >> 4]);
        gl_buf_putc(&h, HEX[c & 15]);
    }
    return h.data ? h.data : gl_xstrdup("");
}

/* ---- open/close ----------------------------------------------------------- */

static gl_source *source_new(const char *spec, const char *kind, const char *drive, bool posix)
{
    gl_fs_map_init(); /* before libyara saves the SIGBUS handler it finds */
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
    src->root_id = *gl_fs_dir_identity(src->root);
    return 0;
}

gl_source *gl_source_open_scratch(const char *spec, const char *scratch_parent, gl_err *err)
{
    gl_source *src = NULL;
    if (!strcmp(spec, "live")) {
        gl_liveroot lr;
        gl_liveroot_get(&lr);
        src = source_new(spec, "live", lr.drive, lr.posix_style);
        if (open_root(src, lr.dir, err) == 0)
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

gl_source *gl_source_open_temp(const char *dir, const char *drive, gl_err *err)
{
    gl_buf spec = {0};
    gl_buf_printf(&spec, "dir:%s", dir);
    gl_source *src = source_new(spec.data, "dir", drive, false);
    gl_buf_free(&spec);
    src->scratch = gl_xstrdup(dir);
    if (open_root(src, dir, err) == 0)
        return src;
    gl_source_close(src);
    return NULL;
}

void gl_source_close(gl_source *src)
{
    if (!src)
        return;
    gl_fs_dir_close(src->last.dir);
    gl_buf_free(&src->last.key);
    gl_buf_free(&src->last.display);
    gl_buf_free(&src->last.raw);
    gl_fs_dir_close(src->root);
    if (src->scratch) {
        gl_remove_tree(src->scratch);
        free(src->scratch);
    }
    gl_source_close(src->copies);
    for (size_t i = 0; i < src->n_redirected; i++)
        free(src->redirected[i]);
    free(src->redirected);
    gl_buf_free(&src->stat_path);
    free(src->spec);
    free(src->drive);
    free(src);
}

const char *gl_source_spec(const gl_source *src) { return src->spec; }
const char *gl_source_kind(const gl_source *src) { return src->kind; }
const char *gl_source_drive(const gl_source *src) { return src->drive; }
void gl_source_set_acquirer(gl_source *src, gl_acquirer *acq) { src->acq = acq; }
void gl_source_cross_mounts(gl_source *src, bool cross) { src->cross_mounts = cross; }

void gl_source_set_problem_cb(gl_source *src, gl_source_problem_cb cb, void *ctx)
{
    src->problem_cb = cb;
    src->problem_ctx = ctx;
}

void gl_source_exclude(gl_source *src, const char *host_path)
{
    gl_fs_stat st;
    if (gl_fs_stat_path(host_path, &st) == 0) {
        src->excl = st.id;
        src->has_excl = true;
        src->output_is_root = gl_fs_same_object(&st.id, &src->root_id);
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

/* Reads within the size the file had when opened. A file that ends
 * before it (it shrank) is an error, so is a failed read: the bytes are
 * missing. A read that got some bytes first returns them; the error
 * comes with the next read, at the offset where the bytes end. */
static int64_t file_read_at(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err)
{
    gl_file *f = ctx;
    size_t done = 0;
    gl_err e = {0};
    while (done < len) {
        int64_t n = gl_fs_pread(f->fh, off + done, (char *)buf + done, len - done);
        if (n < 0) {
            gl_err_errno(&e, "%s: read at offset %llu", f->path, (unsigned long long)(off + done));
            break;
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    if (!e.msg[0] && done < len && off + done < f->size_opened)
        gl_err_setc(&e, GL_ERR_IO, "%s: the file shrank while it was read: it ends at offset %llu, its size when "
                                   "opened was %llu",
                    f->path, (unsigned long long)(off + done), (unsigned long long)f->size_opened);
    if (!e.msg[0] || done > 0) /* keep what was read; the next read meets the problem */
        return (int64_t)done;
    if (!f->read_failed) {
        f->read_err = e;
        f->read_failed = true;
    }
    if (err)
        *err = e;
    return -1;
}

gl_reader gl_file_reader(gl_file *f)
{
    gl_reader r = {.ctx = f, .read_at = file_read_at, .size = f->info.size, .name = f->path};
    return r;
}

int gl_file_check_end(gl_file *f, gl_err *err)
{
    char probe;
    int64_t n = gl_fs_pread(f->fh, f->size_opened, &probe, 1);
    if (n < 0)
        return gl_err_errno(err, "%s: read at offset %llu", f->path, (unsigned long long)f->size_opened);
    if (n > 0)
        return gl_err_setc(err, GL_ERR_IO, "%s: the file grew while it was read: its size when opened was %llu",
                           f->path, (unsigned long long)f->size_opened);
    return 0;
}

const uint8_t *gl_file_map(gl_file *f, uint64_t max, size_t *len)
{
    uint64_t n = f->size_opened < max ? f->size_opened : max;
    *len = 0;
    if (n > SIZE_MAX)
        return NULL;
    const uint8_t *p = gl_fs_map(f->fh, (size_t)n);
    if (p)
        *len = (size_t)n;
    return p;
}

int gl_file_map_check(gl_file *f, gl_err *err)
{
    if (gl_fs_map_end(f->fh))
        return 0;
    return gl_err_setc(err, GL_ERR_IO,
                       "%s: the file shrank while it was read (mapped): bytes past its new end read as zeros; its "
                       "size when opened was %llu",
                       f->path, (unsigned long long)f->size_opened);
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
    free(f->raw_hex);
    free(f);
}

/* Resolve a whole path: its parent directory (release with dir_release),
 * the on-disk name of the last component, its stat, and the display path
 * of the parent chain. Returns the directory or NULL with err. */
static gl_fs_dir *resolve(gl_source *src, const path_parts *pp, const char *path, gl_buf *display,
                          gl_buf *found, gl_fs_stat *st, gl_err *err)
{
    gl_buf raw = {0};
    gl_fs_dir *dir = walk_parents(src, pp, display, &raw, err, path);
    gl_buf_free(&raw);
    if (!dir)
        return NULL;
    if (lookup_name(dir, pp->comp[pp->n - 1], found, st) != 0) {
        gl_err_errno(err, "%s", path);
        dir_release(src, dir);
        return NULL;
    }
    return dir;
}

/* Open the regular file `want` in dir: exact name first, then a
 * case-insensitive scan; the type is checked on what was opened. */
static gl_fs_file *open_in(gl_source *src, gl_fs_dir *dir, const char *want, const char *path, gl_buf *found,
                           gl_fs_stat *st, gl_err *err)
{
    gl_buf_clear(found);
    gl_buf_puts(found, want);
    bool not_regular = false;
    gl_fs_file *fh = NULL;
    if (!own_output(src, dir, want)) {
        fh = gl_fs_open_file_at(dir, want, st, &not_regular);
        if (!fh && !not_regular && errno == ENOENT && find_casefold(dir, want, found) == 0 &&
            !own_output(src, dir, found->data))
            fh = gl_fs_open_file_at(dir, found->data, st, &not_regular);
    }
    if (fh)
        return fh;
    if (own_output(src, dir, found->data))
        gl_err_setc(err, GL_ERR_ABSENT, "%s: gleaner's own output, never read as evidence", path);
    else if (not_regular)
        gl_err_set(err, "%s: not a regular file", path);
    else if (errno == ELOOP)
        link_error(err, dir, path, found->data, true);
    else
        gl_err_errno(err, "%s", path);
    return NULL;
}

/* A path's decoded components joined by '/' (which no name holds): how
 * redirected paths are told, whatever separators and escapes spelt them. */
static void path_key(const path_parts *pp, gl_buf *key)
{
    gl_buf_clear(key);
    for (size_t i = 0; i < pp->n; i++) {
        if (i)
            gl_buf_putc(key, '/');
        gl_buf_puts(key, pp->comp[i]);
    }
    gl_buf_cstr(key);
}

void gl_source_redirect(gl_source *src, const char *path, gl_source *copies)
{
    if (!src->copies)
        src->copies = copies;
    path_parts pp;
    gl_err e = {0};
    if (split_path(path, &pp, &e) != 0)
        return; /* a path no open could name either */
    gl_buf key = {0};
    path_key(&pp, &key);
    free(pp.storage);
    src->redirected = gl_xrealloc(src->redirected, (src->n_redirected + 1) * sizeof *src->redirected);
    src->redirected[src->n_redirected++] = gl_xstrdup(key.data);
    gl_buf_free(&key);
}

static bool is_redirected(const gl_source *src, const path_parts *pp)
{
    if (!src->n_redirected)
        return false;
    gl_buf key = {0};
    path_key(pp, &key);
    bool hit = false;
    for (size_t i = 0; i < src->n_redirected && !hit; i++)
        hit = gl_name_equal(src->redirected[i], key.data);
    gl_buf_free(&key);
    return hit;
}

static gl_file *file_open(gl_source *src, const char *path, bool acquire, gl_err *err)
{
    path_parts pp;
    if (split_path(path, &pp, err) != 0)
        return NULL;
    if (pp.n == 0) {
        free(pp.storage);
        gl_err_set(err, "%s: not a file path", path);
        return NULL;
    }
    if (is_redirected(src, &pp)) {
        free(pp.storage);
        src->copies->acq = src->acq; /* acquired, or not, as src's own files */
        return file_open(src->copies, path, acquire, err);
    }
    gl_buf display = {0}, raw = {0}, found = {0};
    gl_file *f = NULL;
    gl_fs_stat st;
    gl_fs_dir *dir = walk_parents(src, &pp, &display, &raw, err, path);
    gl_fs_file *fh = dir ? open_in(src, dir, pp.comp[pp.n - 1], path, &found, &st, err) : NULL;
    if (dir)
        dir_release(src, dir);
    if (fh) {
        f = gl_xcalloc(1, sizeof *f);
        f->src = src;
        f->fh = fh;
        f->size_opened = st.size;
        display_append(src, &display, found.data);
        raw_append(&raw, found.data);
        f->path = gl_xstrdup(gl_buf_cstr(&display));
        f->info.path = f->path;
        fill_info(src, &f->info, &st);
        if (needs_escape(gl_buf_cstr(&raw)))
            f->info.raw_path_hex = f->raw_hex = hex_of(&raw);
    }
    if (f && acquire && src->acq) {
        char *member = artifact_name(src, f->path);
        const char *stored = src->acq->acquire(src->acq->ctx, f, member, err);
        free(member);
        if (stored)
            f->artifact = gl_xstrdup(stored);
        /* the bundle keeps the member valid (zero-filled where bytes were
         * missing); the file is still an error: evidence is missing */
        if (stored && f->read_failed)
            gl_err_setc(err, GL_ERR_IO, "%s; not fully acquired: the bundle holds what was read, zero-filled past it",
                        f->read_err.msg);
        if (!stored || f->read_failed || gl_file_check_end(f, err) != 0) {
            gl_file_close(f);
            f = NULL;
        }
    }
    gl_buf_free(&display);
    gl_buf_free(&raw);
    gl_buf_free(&found);
    free(pp.storage);
    return f;
}

gl_file *gl_source_open_file(gl_source *src, const char *path, gl_err *err)
{
    return file_open(src, path, true, err);
}

gl_file *gl_source_open_unacquired(gl_source *src, const char *path, gl_err *err)
{
    return file_open(src, path, false, err);
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

typedef struct entry {
    char *name;
    gl_fs_type type; /* from the listing; GL_FS_UNKNOWN when it did not say */
} entry;

typedef struct entry_list {
    entry *e;
    size_t n, cap;
} entry_list;

static void collect_entry(void *ctx, const char *name, gl_fs_type type)
{
    entry_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->e = gl_xrealloc(l->e, l->cap * sizeof *l->e);
    }
    l->e[l->n++] = (entry){gl_xstrdup(name), type};
}

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void free_entries(entry_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].name);
    free(l->e);
    memset(l, 0, sizeof *l);
}

typedef struct glob_walk {
    gl_source *src;
    const path_parts *pp;
    gl_glob_cb cb;
    void *ctx;
    int stop;
    /* The directories on the current path, root first: their identities
     * (loop detection) and where their display paths end. */
    gl_fs_id ids[GL_WALK_MAX_DEPTH + 1];
    size_t display_end[GL_WALK_MAX_DEPTH + 1];
    gl_buf display;
    gl_buf problems; /* the first few, for the error message */
    size_t n_problems, n_unnamed;
    gl_err_code problem_code;
} glob_walk;

/* Something the walk could not read: it goes on, and the glob fails at
 * the end naming it, so the caller's run is partial. */
static void problem(glob_walk *w, gl_err_code code, const char *fmt, ...) GL_PRINTF(3, 4);
static void problem(glob_walk *w, gl_err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->src->problem_cb) {
        w->src->problem_cb(w->src->problem_ctx, msg);
        return;
    }
    if (w->n_problems++ == 0)
        w->problem_code = code;
    if (w->n_problems > MAX_PROBLEMS_NAMED || w->problems.len > 600) { /* err holds 1 KiB */
        w->n_unnamed++;
        return;
    }
    if (w->problems.len)
        gl_buf_puts(&w->problems, "; ");
    gl_buf_puts(&w->problems, msg);
}

/* The current path for a message: a very deep one keeps its start and
 * its end (cut between UTF-8 characters) so the message stays readable
 * and its end, the part that names the problem, survives. */
static const char *shown_path(glob_walk *w, gl_buf *out)
{
    const char *p = gl_buf_cstr(&w->display);
    size_t n = w->display.len, head = 120, tail = 360;
    gl_buf_clear(out);
    if (n <= head + tail + 40) {
        gl_buf_puts(out, p);
        return gl_buf_cstr(out);
    }
    while (head > 0 && (p[head] & 0xC0) == 0x80)
        head--;
    size_t from = n - tail;
    while (from < n && (p[from] & 0xC0) == 0x80)
        from++;
    gl_buf_append(out, p, head);
    gl_buf_printf(out, "...(%zu bytes)...", from - head);
    gl_buf_puts(out, p + from);
    return gl_buf_cstr(out);
}

static void errno_problem(glob_walk *w, const char *what)
{
    int e = errno;
    gl_buf shown = {0};
    problem(w, e == EMFILE || e == ENFILE ? GL_ERR_LIMIT : GL_ERR_IO, "%s: %s: %s; what it holds was not read",
            shown_path(w, &shown), what, strerror(e));
    gl_buf_free(&shown);
}

/* Sorted entries of dir; an unreadable directory is a problem. */
static bool list_entries(glob_walk *w, gl_fs_dir *dir, entry_list *l)
{
    memset(l, 0, sizeof *l);
    if (gl_fs_list(dir, collect_entry, l) != 0) {
        errno_problem(w, "directory cannot be read");
        free_entries(l);
        return false;
    }
    if (l->n)
        qsort(l->e, l->n, sizeof *l->e, cmp_entries);
    return true;
}

static void glob_step(glob_walk *w, gl_fs_dir *dir, size_t ci, size_t depth);

static void display_push(glob_walk *w, const char *name, size_t *saved)
{
    *saved = w->display.len;
    display_append(w->src, &w->display, name);
}

/* Enter subdirectory `name` of dir (at depth) and go on with component
 * ci there. Links, non-directories and the output directory are not
 * entered; another volume, a loop or the depth limit is a problem. */
static void descend(glob_walk *w, gl_fs_dir *dir, const char *name, size_t ci, size_t depth)
{
    size_t saved;
    display_push(w, name, &saved);
    gl_fs_dir *sub = NULL;
    gl_buf shown = {0};
    if (depth + 1 > GL_WALK_MAX_DEPTH) {
        problem(w, GL_ERR_LIMIT, "%s: more than %d directories below the root; not walked (the walk depth limit)",
                shown_path(w, &shown), GL_WALK_MAX_DEPTH);
        goto out;
    }
    sub = gl_fs_open_dir_at(dir, name);
    if (!sub) {
        /* gone since the listing, or a link or file where the listing
         * could not tell the type: nothing to walk */
        if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
            errno_problem(w, "directory cannot be opened");
        goto out;
    }
    const gl_fs_id *id = gl_fs_dir_identity(sub);
    if (is_excluded(w->src, id))
        goto out;
    if (is_other_volume(w->src, id)) {
        problem(w, GL_ERR_IO, "%s: mount point of another file system, not crossed (--cross-mounts crosses it)",
                shown_path(w, &shown));
        goto out;
    }
    for (size_t i = 0; i <= depth; i++)
        if (gl_fs_same_object(id, &w->ids[i])) {
            gl_buf root = {0};
            display_root(w->src, &root);
            problem(w, GL_ERR_DAMAGED, "%s: the same directory as %.*s (a loop, e.g. a bind mount); not entered again",
                    shown_path(w, &shown), (int)(i ? w->display_end[i] : root.len), i ? w->display.data : root.data);
            gl_buf_free(&root);
            goto out;
        }
    w->ids[depth + 1] = *id;
    w->display_end[depth + 1] = w->display.len;
    glob_step(w, sub, ci, depth + 1);
out:
    gl_buf_free(&shown);
    gl_fs_dir_close(sub);
    buf_truncate(&w->display, saved);
}

/* Entry `name` (in dir) matched the last component: report it. */
static void report(glob_walk *w, gl_fs_dir *dir, const char *name, bool named)
{
    if (own_output(w->src, dir, name))
        return;
    gl_fs_stat st;
    size_t saved;
    display_push(w, name, &saved);
    if (gl_fs_stat_at(dir, name, &st) != 0) {
        if (errno != ENOENT) /* ENOENT: gone since the listing */
            errno_problem(w, "cannot be examined");
        buf_truncate(&w->display, saved);
        return;
    }
    gl_file_info info = {0};
    gl_buf target = {0}, shown = {0};
    info.path = gl_buf_cstr(&w->display);
    info.named = named;
    fill_info(w->src, &info, &st);
    if (info.is_link && gl_fs_readlink_at(dir, name, &target) == 0) {
        escape_name(&shown, gl_buf_cstr(&target));
        info.link_target = gl_buf_cstr(&shown);
    }
    w->stop = w->cb(w->ctx, &info);
    gl_buf_free(&target);
    gl_buf_free(&shown);
    buf_truncate(&w->display, saved);
}

/* Entry e of dir matched component ci: report it or walk into it. */
static void matched(glob_walk *w, gl_fs_dir *dir, const entry *e, size_t ci, size_t depth)
{
    if (ci + 1 == w->pp->n)
        report(w, dir, e->name, !has_wildcard(w->pp->comp[ci]));
    else if (e->type == GL_FS_DIR || e->type == GL_FS_UNKNOWN)
        descend(w, dir, e->name, ci + 1, depth);
}

static void match_listing(glob_walk *w, gl_fs_dir *dir, const entry_list *l, size_t ci, size_t depth)
{
    const char *comp = w->pp->comp[ci];
    for (size_t i = 0; i < l->n && !w->stop; i++)
        if (gl_glob_match(comp, l->e[i].name))
            matched(w, dir, &l->e[i], ci, depth);
}

/* A literal component: one lookup, no listing unless the case differs. */
static void glob_literal(glob_walk *w, gl_fs_dir *dir, size_t ci, size_t depth)
{
    gl_buf found = {0};
    gl_fs_stat st;
    if (lookup_name(dir, w->pp->comp[ci], &found, &st) == 0) {
        entry e = {found.data, st.type};
        matched(w, dir, &e, ci, depth);
    } else if (errno != ENOENT && errno != ENOTDIR) {
        errno_problem(w, "directory cannot be read");
    }
    gl_buf_free(&found);
}

/* "**": zero or more directories. The one listing serves both the next
 * component here and the walk one level down. */
static void glob_any_depth(glob_walk *w, gl_fs_dir *dir, size_t ci, size_t depth)
{
    size_t next = ci + 1;
    while (next < w->pp->n && !strcmp(w->pp->comp[next], "**"))
        next++; /* "**\**" is "**" */
    if (next < w->pp->n && !has_wildcard(w->pp->comp[next]))
        glob_step(w, dir, next, depth);
    entry_list l;
    if (!list_entries(w, dir, &l))
        return;
    if (next < w->pp->n && has_wildcard(w->pp->comp[next]))
        match_listing(w, dir, &l, next, depth);
    for (size_t i = 0; i < l.n && !w->stop; i++)
        if (l.e[i].type == GL_FS_DIR || l.e[i].type == GL_FS_UNKNOWN)
            descend(w, dir, l.e[i].name, ci, depth); /* "**" again, one level down */
    free_entries(&l);
}

static void glob_step(glob_walk *w, gl_fs_dir *dir, size_t ci, size_t depth)
{
    if (w->stop)
        return;
    const char *comp = w->pp->comp[ci];
    if (!strcmp(comp, "**")) {
        glob_any_depth(w, dir, ci, depth);
    } else if (!has_wildcard(comp)) {
        glob_literal(w, dir, ci, depth);
    } else {
        entry_list l;
        if (list_entries(w, dir, &l)) {
            match_listing(w, dir, &l, ci, depth);
            free_entries(&l);
        }
    }
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
    glob_walk *w = gl_xcalloc(1, sizeof *w);
    w->src = src;
    w->pp = &pp;
    w->cb = cb;
    w->ctx = ctx;
    w->ids[0] = src->root_id;
    display_root(src, &w->display);
    buf_truncate(&w->display, 0);
    w->display_end[0] = 0;
    glob_step(w, src->root, 0, 0);
    int rc = w->stop;
    if (!rc && w->n_problems) {
        if (w->n_unnamed)
            gl_buf_printf(&w->problems, "; and %zu more", w->n_unnamed);
        rc = gl_err_setc(err, w->problem_code, "%s", gl_buf_cstr(&w->problems));
    }
    gl_buf_free(&w->display);
    gl_buf_free(&w->problems);
    free(w);
    free(pp.storage);
    return rc;
}

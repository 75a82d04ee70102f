#include "outdir.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"

#define COPY_CHUNK (1u << 20)

struct gl_outdir {
    char *dir;
    char *last_member; /* what the acquirer returned last (it owns it) */
    char **names;      /* sorted member names seen, for the artifact count */
    size_t n_names, cap_names;
};

gl_outdir *gl_outdir_create(const char *dir, gl_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return gl_err_errno(err, "output directory %s", dir), NULL;
    if (!S_ISDIR(st.st_mode))
        return gl_err_set(err, "output %s is not a directory", dir), NULL;
    gl_outdir *o = gl_xcalloc(1, sizeof *o);
    o->dir = gl_xstrdup(dir);
    return o;
}

/* Members are gleaner's own names (records/<module>.jsonl): still, never
 * write outside the directory. */
static int member_path(gl_outdir *o, const char *member, gl_buf *path, gl_err *err)
{
    if (!member[0] || member[0] == '/' || strstr(member, ".."))
        return gl_err_set(err, "%s: not a member name", member);
    gl_buf_printf(path, "%s/%s", o->dir, member);
    for (char *p = path->data + strlen(o->dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        int rc = mkdir(path->data, 0700);
        int e = errno;
        *p = '/';
        if (rc != 0 && e != EEXIST) {
            errno = e;
            return gl_err_errno(err, "creating the folder of %s", path->data);
        }
    }
    return 0;
}

static FILE *open_member(gl_outdir *o, const char *member, gl_err *err)
{
    gl_buf path = {0};
    FILE *fp = NULL;
    if (member_path(o, member, &path, err) == 0) {
        int fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
        if (!fp) {
            gl_err_errno(err, "creating %s", path.data);
            if (fd >= 0)
                close(fd);
        }
    }
    gl_buf_free(&path);
    return fp;
}

static int close_member(FILE *fp, const char *member, gl_err *err)
{
    bool bad = ferror(fp) != 0;
    if (fclose(fp) != 0 || bad)
        return gl_err_errno(err, "writing %s", member);
    return 0;
}

int gl_outdir_add_buffer(gl_outdir *o, const char *member, const void *data, size_t n, gl_err *err)
{
    FILE *fp = open_member(o, member, err);
    if (!fp)
        return -1;
    if (n && fwrite(data, 1, n, fp) != n) {
        fclose(fp);
        return gl_err_errno(err, "writing %s", member);
    }
    return close_member(fp, member, err);
}

int gl_outdir_add_spool(gl_outdir *o, const char *member, gl_spool *sp, gl_err *err)
{
    if (fflush(sp->fp) != 0 || fseek(sp->fp, 0, SEEK_SET) != 0)
        return gl_err_errno(err, "rewinding spool for %s", member);
    FILE *fp = open_member(o, member, err);
    if (!fp)
        return -1;
    char *chunk = gl_xmalloc(COPY_CHUNK);
    uint64_t left = sp->size;
    int rc = 0;
    while (left > 0 && rc == 0) {
        size_t want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
        size_t got = fread(chunk, 1, want, sp->fp);
        if (got == 0)
            rc = gl_err_set(err, "spool for %s ended early", member);
        else if (fwrite(chunk, 1, got, fp) != got)
            rc = gl_err_errno(err, "writing %s", member);
        left -= got;
    }
    free(chunk);
    if (rc != 0) {
        fclose(fp);
        return -1;
    }
    return close_member(fp, member, err);
}

/* Binary search in the sorted name list; returns the insertion point. */
static size_t find_name(const gl_outdir *o, const char *name, bool *found)
{
    size_t lo = 0, hi = o->n_names;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(o->names[mid], name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const char *name_cb(void *ctx, gl_file *f, const char *member, gl_err *err)
{
    (void)f;
    (void)err;
    gl_outdir *o = ctx;
    bool found;
    size_t at = find_name(o, member, &found);
    if (!found) {
        o->names = gl_grow_array(o->names, &o->cap_names, o->n_names, sizeof *o->names);
        memmove(o->names + at + 1, o->names + at, (o->n_names - at) * sizeof *o->names);
        o->names[at] = gl_xstrdup(member);
        o->n_names++;
    }
    free(o->last_member);
    o->last_member = gl_xstrdup(member);
    return o->last_member;
}

gl_acquirer gl_outdir_acquirer(gl_outdir *o)
{
    gl_acquirer a = {.ctx = o, .acquire = name_cb};
    return a;
}

uint64_t gl_outdir_artifacts(const gl_outdir *o) { return o->n_names; }

void gl_outdir_close(gl_outdir *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_names; i++)
        free(o->names[i]);
    free(o->names);
    free(o->last_member);
    free(o->dir);
    free(o);
}

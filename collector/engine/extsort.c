#include "extsort.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include "buf.h"

struct gl_sorter {
    char *work_dir;
    size_t budget, used;
    char **lines;
    size_t n_lines, cap_lines;
    char **runs; /* run files written so far */
    size_t n_runs, cap_runs;
};

gl_sorter *gl_sorter_new(const char *work_dir, size_t budget)
{
    gl_sorter *s = gl_xcalloc(1, sizeof *s);
    s->work_dir = gl_xstrdup(work_dir);
    s->budget = budget ? budget : 1;
    return s;
}

static void drop_lines(gl_sorter *s)
{
    for (size_t i = 0; i < s->n_lines; i++)
        free(s->lines[i]);
    s->n_lines = 0;
    s->used = 0;
}

void gl_sorter_free(gl_sorter *s)
{
    if (!s)
        return;
    drop_lines(s);
    free(s->lines);
    for (size_t i = 0; i < s->n_runs; i++) {
        unlink(s->runs[i]);
        free(s->runs[i]);
    }
    free(s->runs);
    free(s->work_dir);
    free(s);
}

/* Unique within the process; pid keeps parallel workers (--jobs) apart. */
static char *temp_name(const char *dir, const char *what)
{
    static unsigned long counter;
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/.%s-%ld-%lu", dir, what, (long)getpid(), counter++);
    return b.data;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_lines(char **lines, size_t n, const char *path, gl_err *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return gl_err_errno(err, "creating %s", path);
    for (size_t i = 0; i < n; i++) {
        fputs(lines[i], fp);
        fputc('\n', fp);
    }
    bool bad = ferror(fp) != 0;
    if (fclose(fp) != 0 || bad)
        return gl_err_errno(err, "writing %s", path);
    return 0;
}

static int spill(gl_sorter *s, gl_err *err)
{
    qsort(s->lines, s->n_lines, sizeof *s->lines, cmp_lines);
    char *path = temp_name(s->work_dir, "run");
    if (write_lines(s->lines, s->n_lines, path, err) != 0) {
        unlink(path);
        free(path);
        return -1;
    }
    s->runs = gl_grow_array(s->runs, &s->cap_runs, s->n_runs, sizeof *s->runs);
    s->runs[s->n_runs++] = path;
    drop_lines(s);
    return 0;
}

int gl_sorter_add(gl_sorter *s, const char *line, size_t n, gl_err *err)
{
    if (memchr(line, '\n', n) || memchr(line, '\0', n))
        return gl_err_set(err, "sort: a line holds a newline or NUL");
    s->lines = gl_grow_array(s->lines, &s->cap_lines, s->n_lines, sizeof *s->lines);
    char *copy = gl_xmalloc(n + 1);
    memcpy(copy, line, n);
    copy[n] = '\0';
    s->lines[s->n_lines++] = copy;
    s->used += n + sizeof(char *) + 16; /* the pointer and allocator overhead count too */
    return s->used >= s->budget ? spill(s, err) : 0;
}

int gl_sorter_finish(gl_sorter *s, const char *out_path, gl_err *err)
{
    int rc;
    if (s->n_runs == 0) { /* everything fitted: no run file needed */
        if (s->n_lines) /* qsort wants an array even for no element */
            qsort(s->lines, s->n_lines, sizeof *s->lines, cmp_lines);
        rc = write_lines(s->lines, s->n_lines, out_path, err);
    } else {
        rc = s->n_lines ? spill(s, err) : 0;
        if (rc == 0)
            rc = gl_merge_sorted((const char *const *)s->runs, s->n_runs, s->work_dir, out_path, err);
    }
    gl_sorter_free(s);
    return rc;
}

/* ---- merging ---------------------------------------------------------- */

typedef struct merge_in {
    FILE *fp;
    char *line;
    size_t cap;
    ssize_t len; /* -1 at the end */
} merge_in;

static void advance(merge_in *in) { in->len = getline(&in->line, &in->cap, in->fp); }

/* Smallest current line first: a binary heap of indexes into ins. */
static bool less(const merge_in *ins, size_t a, size_t b) { return strcmp(ins[a].line, ins[b].line) < 0; }

static void sift_down(const merge_in *ins, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && less(ins, heap[l], heap[m]))
            m = l;
        if (r < n && less(ins, heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* One merge of at most GL_MERGE_FANIN files. */
static int merge_some(const char *const *paths, size_t n, const char *out_path, gl_err *err)
{
    merge_in ins[GL_MERGE_FANIN];
    size_t heap[GL_MERGE_FANIN], nh = 0, opened = 0;
    int rc = 0;
    memset(ins, 0, sizeof ins);
    for (; opened < n; opened++) {
        ins[opened].fp = fopen(paths[opened], "rb");
        if (!ins[opened].fp) {
            rc = gl_err_errno(err, "reading %s", paths[opened]);
            break;
        }
        advance(&ins[opened]);
        if (ins[opened].len >= 0)
            heap[nh++] = opened;
    }
    FILE *out = rc == 0 ? fopen(out_path, "wb") : NULL;
    if (rc == 0 && !out)
        rc = gl_err_errno(err, "creating %s", out_path);
    if (rc == 0) {
        for (size_t i = nh; i-- > 0;)
            sift_down(ins, heap, nh, i);
        while (nh > 0) {
            merge_in *in = &ins[heap[0]];
            fwrite(in->line, 1, (size_t)in->len, out);
            if (in->line[in->len - 1] != '\n') /* a last line without its newline */
                fputc('\n', out);
            advance(in);
            if (in->len < 0)
                heap[0] = heap[--nh];
            sift_down(ins, heap, nh, 0);
        }
        bool bad = ferror(out) != 0;
        if (fclose(out) != 0 || bad)
            rc = gl_err_errno(err, "writing %s", out_path);
    }
    for (size_t i = 0; i < opened; i++) {
        fclose(ins[i].fp);
        free(ins[i].line);
    }
    return rc;
}

int gl_merge_sorted(const char *const *paths, size_t n, const char *work_dir, const char *out_path, gl_err *err)
{
    if (n <= GL_MERGE_FANIN)
        return merge_some(paths, n, out_path, err);
    /* Merge groups into intermediate files, then merge those (recursively:
     * each level divides the count by the fan-in). */
    size_t groups = (n + GL_MERGE_FANIN - 1) / GL_MERGE_FANIN;
    char **mid = gl_xcalloc(groups, sizeof *mid);
    int rc = 0;
    for (size_t g = 0; g < groups && rc == 0; g++) {
        size_t first = g * GL_MERGE_FANIN, k = n - first < GL_MERGE_FANIN ? n - first : GL_MERGE_FANIN;
        mid[g] = temp_name(work_dir, "merge");
        rc = merge_some(paths + first, k, mid[g], err);
    }
    if (rc == 0)
        rc = gl_merge_sorted((const char *const *)mid, groups, work_dir, out_path, err);
    for (size_t g = 0; g < groups; g++) {
        if (mid[g])
            unlink(mid[g]);
        free(mid[g]);
    }
    free(mid);
    return rc;
}

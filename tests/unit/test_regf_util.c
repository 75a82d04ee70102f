#include "test_regf_util.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "text.h"

regf_hive *tr_open(const char *path, const char *log1, const char *log2, const regf_options *opt, gl_err *err)
{
    gl_buf d0 = {0}, d1 = {0}, d2 = {0};
    cr_assert(tu_read_file(path, &d0), "cannot read %s", path);
    if (log1)
        cr_assert(tu_read_file(log1, &d1), "cannot read %s", log1);
    if (log2)
        cr_assert(tu_read_file(log2, &d2), "cannot read %s", log2);
    gl_mem_reader m0, m1, m2;
    gl_reader r0 = gl_reader_memory(&m0, d0.data, d0.len, path);
    gl_reader r1 = gl_reader_memory(&m1, d1.data, d1.len, log1 ? log1 : "");
    gl_reader r2 = gl_reader_memory(&m2, d2.data, d2.len, log2 ? log2 : "");
    /* The parser keeps its own copy: the buffers can go right away. */
    regf_hive *h = regf_open(&r0, log1 ? &r1 : NULL, log2 ? &r2 : NULL, opt, err);
    gl_buf_free(&d0);
    gl_buf_free(&d1);
    gl_buf_free(&d2);
    return h;
}

void tr_esc(gl_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            gl_buf_printf(out, "\\x%02X", c);
        else
            gl_buf_putc(out, (char)c);
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *tr_sorted(char **lines, size_t n)
{
    if (n)
        qsort(lines, n, sizeof *lines, cmp_str);
    gl_buf all = {0};
    for (size_t i = 0; i < n; i++) {
        gl_buf_puts(&all, lines[i]);
        gl_buf_putc(&all, '\n');
        free(lines[i]);
    }
    free(lines);
    return all.data ? all.data : strdup("");
}

typedef struct listing {
    char **lines;
    size_t n, cap, keys, values;
    gl_buf ep, name, scratch, vals;
} listing;

static void add(listing *l, gl_buf *line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->lines = realloc(l->lines, l->cap * sizeof *l->lines);
    }
    l->lines[l->n++] = strdup(gl_buf_cstr(line));
}

static int on_key(void *ctx, regf_hive *h, regf_key k, const char *path, size_t plen)
{
    (void)plen;
    listing *l = ctx;
    gl_buf line = {0};
    l->ep.len = 0;
    tr_esc(&l->ep, path);
    char ts[GL_TIME_STRLEN];
    if (!gl_filetime_iso(regf_key_last_write(h, k), 7, ts))
        strcpy(ts, "-");
    l->name.len = 0;
    regf_key_class(h, k, &l->name);
    gl_buf_printf(&line, "K\t%s\t%s\t", gl_buf_cstr(&l->ep), ts);
    tr_esc(&line, gl_buf_cstr(&l->name));
    add(l, &line);
    l->keys++;
    l->vals.len = 0;
    size_t nv = regf_key_values(h, k, &l->vals);
    for (size_t i = 0; i < nv; i++) {
        regf_value v;
        memcpy(&v, l->vals.data + i * sizeof v, sizeof v);
        if (regf_value_deleted(h, v))
            continue;
        l->name.len = 0;
        regf_value_name(h, v, &l->name);
        size_t n;
        const uint8_t *p = regf_value_data(h, v, &n, &l->scratch);
        line.len = 0;
        gl_buf_printf(&line, "V\t%s\t", gl_buf_cstr(&l->ep));
        tr_esc(&line, gl_buf_cstr(&l->name));
        gl_buf_printf(&line, "\t%u\t", regf_value_type(h, v));
        for (size_t j = 0; p && j < n; j++)
            gl_buf_printf(&line, "%02x", p[j]);
        add(l, &line);
        l->values++;
    }
    gl_buf_free(&line);
    return 0;
}

char *tr_listing(regf_hive *h, size_t *keys, size_t *values)
{
    listing l = {0};
    regf_walk(h, regf_root(h), on_key, &l);
    *keys = l.keys;
    *values = l.values;
    gl_buf_free(&l.ep);
    gl_buf_free(&l.name);
    gl_buf_free(&l.scratch);
    gl_buf_free(&l.vals);
    return tr_sorted(l.lines, l.n);
}

char *tr_reference(const char *path, const char *mode, char **err_text)
{
    const char *root = getenv("GLEANER_ROOT");
    gl_buf out = {0}, err = {0};
    int rc = tu_runf(&out, &err, "/usr/bin/python3 '%s/tests/tools/regf_reference.py' %s '%s'", root ? root : ".",
                     mode ? mode : "", path);
    cr_assert_eq(rc, 0, "regf_reference.py %s failed: %s", path, gl_buf_cstr(&err));
    if (err_text)
        *err_text = strdup(gl_buf_cstr(&err));
    gl_buf_free(&err);
    return out.data ? out.data : strdup("");
}

void tr_assert_same(const char *mine, const char *ref, const char *what)
{
    if (!strcmp(mine, ref))
        return;
    const char *a = mine, *b = ref;
    size_t line = 1;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++, b++;
    }
    while (a > mine && a[-1] != '\n')
        a--, b--;
    cr_assert_fail("%s: listing differs at line %zu:\n gleaner:   %.300s\n reference: %.300s", what, line, a, b);
}

regf_hive *tr_open_remnant(gl_buf *img, gl_mem_reader *m, gl_reader *r, size_t *bins_len)
{
    char *hive = tu_fixture("hives/deleted-win.hive");
    cr_assert(tu_read_file(hive, img));
    free(hive);
    size_t len = img->len;
    char *bins = gl_xmalloc(len - 4096);
    memcpy(bins, img->data + 4096, len - 4096);
    gl_buf_append(img, bins, len - 4096);
    free(bins);
    *bins_len = len - 4096;
    *r = gl_reader_memory(m, img->data, img->len, "remnant.hive");
    regf_options o;
    regf_options_init(&o);
    o.recover_deleted = true;
    gl_err err = {0};
    regf_hive *h = regf_open(r, NULL, NULL, &o, &err);
    cr_assert_not_null(h, "%s", err.msg);
    return h;
}

char *tr_write_image(regf_hive *h, const char *tag)
{
    char *dir = tu_tmpdir(tag);
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    snprintf(path, n, "%s/hive", dir);
    size_t len;
    const uint8_t *p = regf_image(h, &len);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(p, 1, len, f), len);
    fclose(f);
    return path;
}

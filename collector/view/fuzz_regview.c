/* libFuzzer harness for the registry view: the input is placed as SYSTEM,
 * SOFTWARE and one profile's NTUSER.DAT of a scratch tree, and the view
 * resolves users and control sets, walks every hive and reads every value
 * with locators. Exercises the view's own handling of hostile hives
 * (ProfileList, Select, cyclic lists, deleted keys) on top of regf. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "regview.h"

static char tree[256];

static void put(const char *rel, const uint8_t *data, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tree, rel);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

static void mkdirs(void)
{
    static const char *const dirs[] = {"", "/Windows", "/Windows/System32", "/Windows/System32/config", "/Users",
                                       "/Users/x"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s", tree, dirs[i]);
        mkdir(path, 0700);
    }
}

static int visit(void *ctx, gl_regkey k, const char *rel)
{
    (void)rel;
    gl_buf *b = ctx;
    gl_regvals vals = {0};
    size_t n = gl_regkey_values(k, &vals);
    for (size_t i = 0; i < n; i++) {
        gl_buf_clear(b);
        gl_regval_locator(vals.v[i], b);
        gl_regval_string(vals.v[i], b);
        uint32_t d;
        uint64_t q;
        size_t len;
        gl_regval_dword(vals.v[i], &d);
        gl_regval_qword(vals.v[i], &q);
        gl_regval_multi_sz(vals.v[i], b);
        gl_regval_binary(vals.v[i], &len, b);
    }
    gl_regvals_free(&vals);
    gl_buf_clear(b);
    gl_regkey_locator(k, b);
    gl_regkey_class(k, b);
    return 0;
}

static void walk_path(gl_regview *rv, const char *path, gl_buf *b)
{
    gl_regkey k;
    if (gl_regview_key(rv, path, &k, NULL) == 0)
        gl_regkey_walk(k, visit, b);
    gl_regkey two[2];
    size_t n = gl_regview_key_wow(rv, path, two);
    for (size_t i = 0; i < n; i++)
        visit(b, two[i], "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tree[0]) {
        /* its own scratch tree, wherever the fuzzer runs from (B= builds too) */
        snprintf(tree, sizeof tree, "/tmp/gleaner-fuzz-regview-XXXXXX");
        if (!mkdtemp(tree))
            abort();
        mkdirs();
    }
    put("Windows/System32/config/SYSTEM", data, size);
    put("Windows/System32/config/SOFTWARE", data, size);
    put("Users/x/NTUSER.DAT", data, size);
    char spec[300];
    snprintf(spec, sizeof spec, "dir:%s", tree);
    gl_source *src = gl_source_open(spec, NULL);
    if (!src)
        abort();
    gl_regview_options opt = {.recover_deleted = size && (data[size - 1] & 1)};
    gl_regview *rv = gl_regview_open_opts(src, &opt, NULL);
    gl_buf b = {0};
    const gl_reguser *u;
    size_t nu = gl_regview_users(rv, &u);
    for (size_t i = 0; i < nu; i++) {
        gl_buf p = {0};
        gl_buf_printf(&p, "HKU\\%s", u[i].name);
        walk_path(rv, p.data, &b);
        gl_buf_clear(&p);
        gl_buf_printf(&p, "HKU\\%s\\Software\\Classes", u[i].name);
        walk_path(rv, p.data, &b);
        gl_buf_free(&p);
    }
    const gl_regcontrolset *cs;
    gl_regview_control_sets(rv, &cs);
    walk_path(rv, "HKLM\\SYSTEM\\CurrentControlSet\\Services", &b);
    walk_path(rv, "HKLM\\SOFTWARE", &b);
    gl_regkeys dk = {0};
    gl_regvals dv = {0};
    if (gl_regview_deleted_keys(rv, "HKLM\\SOFTWARE", &dk, NULL) == 0)
        for (size_t i = 0; i < dk.n; i++)
            visit(&b, dk.v[i], "");
    if (gl_regview_deleted_orphans(rv, "HKLM\\SOFTWARE", &dv, NULL) == 0)
        for (size_t i = 0; i < dv.n; i++) {
            gl_buf_clear(&b);
            gl_regval_locator(dv.v[i], &b);
        }
    size_t np = gl_regview_problem_count(rv);
    for (size_t i = 0; i < np; i++)
        gl_regview_problem(rv, i, NULL);
    gl_regkeys_free(&dk);
    gl_regvals_free(&dv);
    gl_buf_free(&b);
    gl_regview_close(rv);
    gl_source_close(src);
    return 0;
}

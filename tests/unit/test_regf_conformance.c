/* Conformance of the regf parser with independent readers over every real
 * hive in ../shared/corpus/dev/hives. tests/tools/regf_reference.py walks the
 * hive with libregf (taking hivex's bytes for the libregf deviations listed
 * in docs/regf.md) and prints a sorted listing of keys and values with their
 * raw data; gleaner's `reg dump --raw` output is parsed here with cJSON and
 * turned into the same listing. The two must be identical. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regf.h"
#include "test_regf_util.h"
#include "testutil.h"

static long type_number(const char *name)
{
    for (uint32_t t = 0; t <= REGF_REG_QWORD; t++) {
        char b[32];
        if (!strcmp(regf_type_name(t, b), name))
            return t;
    }
    cr_assert(!strncmp(name, "REG_UNKNOWN_0x", 14), "unexpected type name %s", name);
    return (long)strtoul(name + 14, NULL, 16);
}

/* gleaner's JSON Lines -> sorted reference listing. Counts live keys/values. */
static char *listing_from_dump(const char *jsonl, size_t *keys, size_t *values)
{
    char **lines = NULL;
    size_t n = 0, cap = 0;
    *keys = *values = 0;
    const char *p = jsonl;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        cJSON *k = cJSON_ParseWithLength(p, len);
        cr_assert_not_null(k, "invalid JSON line: %.*s", (int)(len > 200 ? 200 : len), p);
        p += len + (nl ? 1 : 0);
        if (cJSON_IsTrue(cJSON_GetObjectItem(k, "deleted"))) {
            cJSON_Delete(k);
            continue;
        }
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(k, "path"));
        cr_assert_not_null(path);
        gl_buf ep = {0};
        tr_esc(&ep, path);
        gl_buf line = {0};
        const char *lw = cJSON_GetStringValue(cJSON_GetObjectItem(k, "last_write"));
        const char *cls = cJSON_GetStringValue(cJSON_GetObjectItem(k, "class"));
        gl_buf_printf(&line, "K\t%s\t%s\t", gl_buf_cstr(&ep), lw ? lw : "-");
        tr_esc(&line, cls ? cls : "");
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 1024;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[n++] = line.data;
        (*keys)++;
        cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(k, "values"))
        {
            if (cJSON_IsTrue(cJSON_GetObjectItem(v, "deleted")))
                continue;
            gl_buf vl = {0};
            gl_buf_printf(&vl, "V\t%s\t", gl_buf_cstr(&ep));
            tr_esc(&vl, cJSON_GetStringValue(cJSON_GetObjectItem(v, "name")));
            gl_buf_printf(&vl, "\t%ld\t%s", type_number(cJSON_GetStringValue(cJSON_GetObjectItem(v, "type"))),
                          cJSON_GetStringValue(cJSON_GetObjectItem(v, "raw")));
            if (n + 1 >= cap) {
                cap = cap ? cap * 2 : 1024;
                lines = realloc(lines, cap * sizeof *lines);
            }
            lines[n++] = vl.data;
            (*values)++;
        }
        gl_buf_free(&ep);
        cJSON_Delete(k);
    }
    return tr_sorted(lines, n);
}

typedef struct hive_case {
    const char *rel;
    size_t keys, values;     /* libregf walk, see ../shared/corpus/MANIFEST.md */
    const char *deviations;  /* reference script's stderr: libregf deviations replaced by hivex */
} hive_case;

static void conform(const hive_case *c)
{
    TU_REQUIRE_CORPUS();
    char *hive = tu_corpus(c->rel);
    gl_buf dump = {0}, dumperr = {0};
    char *referr;
    char *ref = tr_reference(hive, NULL, &referr);
    cr_assert_str_eq(referr, c->deviations);
    int rc = tu_runf(&dump, &dumperr, "'%s' reg dump --raw --deleted exclude --logs none '%s'", tu_gleaner(), hive);
    cr_assert_eq(rc, 0, "reg dump exit %d: %s", rc, gl_buf_cstr(&dumperr));
    size_t keys, values;
    char *mine = listing_from_dump(gl_buf_cstr(&dump), &keys, &values);
    cr_assert_eq(keys, c->keys, "%s: %zu keys", c->rel, keys);
    cr_assert_eq(values, c->values, "%s: %zu values", c->rel, values);
    tr_assert_same(mine, ref, c->rel);
    free(mine);
    free(ref);
    free(referr);
    gl_buf_free(&dump);
    gl_buf_free(&dumperr);
}

#define DEV(i, s) "libregf deviations replaced by hivex: inline=" #i " string=" #s " unexplained=0\n"

/* One test per hive (Criterion parameters cannot carry string pointers into
 * its workers). */
#define CONFORM(test, rel, keys, values, inline_, string_)                        \
    Test(regf_conformance, test, .timeout = 300)                                  \
    {                                                                             \
        hive_case c = {"dev/hives/" rel, keys, values, DEV(inline_, string_)};  \
        conform(&c);                                                              \
    }

CONFORM(amcache_rathbun, "amcache/DAM-RathbunVM-Win10__Amcache.hve", 972, 18956, 38, 385)
CONFORM(amcache_plaso, "amcache/plaso__win10-Amcache.hve", 207, 4188, 0, 210)
CONFORM(ntuser_win7, "ntuser/plaso__NTUSER-WIN7.DAT", 2288, 5470, 45, 0)
CONFORM(ntuser_regipy, "ntuser/regipy__NTUSER.DAT", 1812, 4094, 36, 0)
CONFORM(sam, "sam/regipy__SAM", 65, 70, 1, 1)
CONFORM(security, "security/regipy__SECURITY", 100, 109, 0, 0)
CONFORM(system, "system/regipy__SYSTEM_2", 20015, 49779, 222, 20)

/* Every hive in the folder is covered by a case above: a new corpus hive
 * must get its own conformance case. */
Test(regf_conformance, every_corpus_hive_listed)
{
    TU_REQUIRE_CORPUS();
    static const char *const dirs[] = {"system", "sam", "security", "ntuser", "amcache"};
    size_t total = 0;
    for (size_t i = 0; i < 5; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "dev/hives/%s", dirs[i]);
        char **paths;
        total += tu_list_dir(tu_corpus(rel), NULL, &paths);
    }
    cr_assert_eq(total, 7, "dev/hives holds %zu hives; add a conformance case for each", total);
}

/* See finding_util.h. */
#include "finding_util.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

const char *fu_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *fu_module_findings(const char *bundle, const char *module)
{
    char *text = tu_bundle_member(bundle, "findings.jsonl");
    cJSON *all = cJSON_CreateArray();
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *f = cJSON_Parse(line);
        cr_assert_not_null(f, "not JSON: %s", line);
        if (!module || !strcmp(fu_str(f, "module"), module))
            cJSON_AddItemToArray(all, f);
        else
            cJSON_Delete(f);
    }
    free(text);
    return all;
}

cJSON *fu_findings(const char *bundle) { return fu_module_findings(bundle, NULL); }

int fu_json_is(const cJSON *o, const char *expect)
{
    char *t = cJSON_PrintUnformatted(o);
    int eq = t && !strcmp(t, expect);
    free(t);
    return eq;
}

int fu_json_has(const cJSON *o, const char *needle)
{
    char *t = cJSON_PrintUnformatted(o);
    int has = t && strstr(t, needle) != NULL;
    free(t);
    return has;
}

size_t fu_count_rule(const cJSON *all, const char *rule)
{
    size_t n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, all) n += !strcmp(fu_str(f, "rule"), rule);
    return n;
}

size_t fu_count_severity(const cJSON *all, const char *severity)
{
    size_t n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, all) n += !strcmp(fu_str(f, "severity"), severity);
    return n;
}

const cJSON *fu_expect(const cJSON *all, const char *rule, const char *title, const char *severity, const char *time,
                       const char *artifact, const char *locator)
{
    const cJSON *f, *hit = NULL;
    cJSON_ArrayForEach(f, all)
    {
        if (strcmp(fu_str(f, "rule"), rule) || strcmp(fu_str(f, "title"), title))
            continue;
        cr_assert_null(hit, "two findings %s '%s'", rule, title);
        hit = f;
    }
    cr_assert_not_null(hit, "no finding %s '%s' in %s", rule, title, cJSON_PrintUnformatted(all));
    cr_assert_str_eq(fu_str(hit, "severity"), severity, "%s", title);
    if (time)
        cr_assert_str_eq(fu_str(hit, "time"), time, "%s", title);
    else
        cr_assert(cJSON_IsNull(cJSON_GetObjectItem(hit, "time")), "%s", title);
    cr_assert(fu_str(hit, "severity_reason") && strlen(fu_str(hit, "severity_reason")) > 20, "%s", title);
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(hit, "evidence"), 0);
    cr_assert_not_null(ev, "%s: no evidence", title);
    cr_assert_str_eq(fu_str(ev, "artifact"), artifact, "%s", title);
    cr_assert_str_eq(fu_str(ev, "locator"), locator, "%s", title);
    return hit;
}

char *fu_host(const char *tag, const char *const *pairs)
{
    char *root = tu_tmpdir(tag);
    for (size_t i = 0; pairs[i]; i += 2) {
        cr_assert_not_null(pairs[i + 1], "%s: no source for %s", tag, pairs[i]);
        cr_assert_eq(tu_place(root, pairs[i], pairs[i + 1]), 0, "%s: cannot place %s", tag, pairs[i]);
    }
    return root;
}

char *fu_profile(const char *tag, const char *modules)
{
    char *dir = tu_tmpdir(tag);
    gl_buf path = {0}, text = {0};
    gl_buf_printf(&path, "%s/test.profile", dir);
    const char *m = modules;
    while (*m) {
        size_t n = strcspn(m, " ");
        gl_buf_printf(&text, "module %.*s\n", (int)n, m);
        m += n;
        m += strspn(m, " ");
    }
    FILE *f = fopen(path.data, "w");
    cr_assert_not_null(f);
    fputs(text.data, f);
    fclose(f);
    gl_buf_free(&text);
    free(dir);
    return path.data;
}

char *fu_collect(const char *tag, const char *modules, const char *const *pairs)
{
    char src[128], args[600];
    snprintf(src, sizeof src, "%s-src", tag);
    char *profile = fu_profile(tag, modules);
    snprintf(args, sizeof args, "--profile '%s'", profile);
    free(profile);
    return tu_collect_dir(tag, fu_host(src, pairs), args, 0);
}

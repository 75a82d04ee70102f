/* LOLRMM's published catalog (api/rmm_tools.json): a JSON array with one
 * object per tool. Field names follow the LOLRMM YAML schema (Name,
 * Details.PEMetadata, Details.InstallationPaths, Artifacts.Disk/EventLog/
 * Registry/Network, CodeSigning). Values are checked for type; null is
 * accepted wherever LOLRMM leaves a field empty. */
#include "rmmcat_int.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct lol_ctx {
    const char *name;
    size_t entry;        /* 0-based index in the array */
    const char *tool;    /* the entry's Name, once known */
    gl_err *err;
} lol_ctx;

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "null";
}

static int type_err(lol_ctx *c, const char *field, const char *expected, const cJSON *v)
{
    return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu \"%s\": field '%s': expected %s, found %s", c->name, c->entry,
                      c->tool ? c->tool : "", field, expected, json_kind(v));
}

/* Adds a string value to a list; NULL/absent is fine. */
static int add_str(lol_ctx *c, rmmcat_list *l, const cJSON *v, const char *field)
{
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return type_err(c, field, "a string", v);
    size_t n = strlen(v->valuestring);
    if (n > RMMCAT_MAX_STR)
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu \"%s\": field '%s': value longer than %d bytes", c->name,
                          c->entry, c->tool, field, RMMCAT_MAX_STR);
    if (l->n < RMMCAT_MAX_ITEMS)
        rmmcat_list_add(l, v->valuestring, n);
    return 0;
}

typedef int (*item_fn)(lol_ctx *c, rmmcat_tool *t, const cJSON *item, const char *field);

/* Walks an optional array, naming each element "<field>[i]" in errors. */
static int each(lol_ctx *c, rmmcat_tool *t, const cJSON *arr, const char *field, item_fn fn)
{
    if (!arr || cJSON_IsNull(arr))
        return 0;
    if (!cJSON_IsArray(arr))
        return type_err(c, field, "an array", arr);
    size_t i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        char f[128];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        if (fn(c, t, it, f) < 0)
            return -1;
    }
    return 0;
}

/* An optional object member of the entry: absent/null, or an object. */
static int want_object(lol_ctx *c, const cJSON *v, const char *field)
{
    if (v && !cJSON_IsNull(v) && !cJSON_IsObject(v))
        return type_err(c, field, "an object", v);
    return 0;
}

static const cJSON *member(lol_ctx *c, const cJSON *obj, const char *key, const char *field, int *rc)
{
    *rc = 0;
    if (!obj || cJSON_IsNull(obj))
        return NULL;
    if (!cJSON_IsObject(obj)) {
        *rc = type_err(c, field, "an object", obj);
        return NULL;
    }
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int item_exe(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    return add_str(c, &t->exes, it, f);
}

static int item_signer(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    return add_str(c, &t->signers, it, f);
}

static int item_domain(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    return add_str(c, &t->domains, it, f);
}

/* The string member `key` of object `it` (element `f`) into a list. */
static int member_str(lol_ctx *c, rmmcat_list *l, const cJSON *it, const char *f, const char *key)
{
    char sub[160];
    if (!cJSON_IsObject(it))
        return type_err(c, f, "an object", it);
    snprintf(sub, sizeof sub, "%s.%s", f, key);
    return add_str(c, l, cJSON_GetObjectItemCaseSensitive(it, key), sub);
}

/* A PEMetadata object: file names identify the binary. */
static int item_pe(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    if (cJSON_IsNull(it))
        return 0;
    if (member_str(c, &t->exes, it, f, "Filename") < 0)
        return -1;
    return member_str(c, &t->exes, it, f, "OriginalFileName");
}

/* InstallationPaths mixes folders ("C:\Program Files\X\*") and bare file
 * names ("rustdesk*.exe"): the latter are executable names. */
static int item_install(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    if (it && cJSON_IsString(it) && !strpbrk(it->valuestring, "\\/%:"))
        return add_str(c, &t->exes, it, f);
    return add_str(c, &t->paths, it, f);
}

static int item_disk(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    char sub[160];
    if (!cJSON_IsObject(it))
        return type_err(c, f, "an object", it);
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(it, "OS");
    if (os && !cJSON_IsNull(os) && !cJSON_IsString(os)) {
        snprintf(sub, sizeof sub, "%s.OS", f);
        return type_err(c, sub, "a string", os);
    }
    if (os && cJSON_IsString(os) && os->valuestring[0] && strcmp(os->valuestring, "Windows") != 0)
        return 0;
    return member_str(c, &t->files, it, f, "File");
}

static int item_event(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    return member_str(c, &t->services, it, f, "ServiceName");
}

/* A key that ends in "...\Services\<name>" names a service as well. Deeper
 * keys do not: Services\EventLog\Application\<tool> is an event source. */
static void service_from_key(rmmcat_tool *t, const char *key)
{
    const char *p = key, *hit = NULL;
    while ((p = strchr(p, '\\')) != NULL) {
        p++;
        if (strncasecmp(p, "services\\", 9) == 0)
            hit = p + 9;
    }
    if (!hit || !*hit)
        return;
    size_t n = strcspn(hit, "\\");
    bool last = hit[n] == '\0' || strcmp(hit + n, "\\*") == 0;
    if (last && !memchr(hit, '*', n) && !memchr(hit, '?', n) && t->services.n < RMMCAT_MAX_ITEMS)
        rmmcat_list_add(&t->services, hit, n);
}

static int item_registry(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    char sub[160];
    if (!cJSON_IsObject(it))
        return type_err(c, f, "an object", it);
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(it, "Path");
    if (!path)
        path = cJSON_GetObjectItemCaseSensitive(it, "Key");
    snprintf(sub, sizeof sub, "%s.Path", f);
    if (add_str(c, &t->registry, path, sub) < 0)
        return -1;
    if (path && cJSON_IsString(path))
        service_from_key(t, path->valuestring);
    return 0;
}

/* Ports are numbers; a few entries write "1000-65535" (a range: too broad
 * to identify anything, so kept out). */
static int item_port(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (d < 0 || d > 65535 || floor(d) != d)
            return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu \"%s\": field '%s': expected a port 0..65535, found %g",
                              c->name, c->entry, c->tool, f, d);
        if (d > 0)
            rmmcat_port_add(t, (uint16_t)d);
        return 0;
    }
    if (cJSON_IsString(it)) {
        const char *s = it->valuestring;
        size_t digits = strspn(s, "0123456789");
        if (digits > 0 && digits <= 5 && s[digits] == '\0') {
            long v = strtol(s, NULL, 10);
            if (v > 0 && v <= 65535)
                rmmcat_port_add(t, (uint16_t)v);
            return 0;
        }
        if (digits > 0 && s[digits] == '-' && strspn(s + digits + 1, "0123456789") == strlen(s + digits + 1))
            return 0;
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu \"%s\": field '%s': expected a port or a range, found \"%.40s\"",
                          c->name, c->entry, c->tool, f, s);
    }
    return type_err(c, f, "a number", it);
}

static int item_network(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    char sub[160];
    if (!cJSON_IsObject(it))
        return type_err(c, f, "an object", it);
    snprintf(sub, sizeof sub, "%s.Domains", f);
    if (each(c, t, cJSON_GetObjectItemCaseSensitive(it, "Domains"), sub, item_domain) < 0)
        return -1;
    snprintf(sub, sizeof sub, "%s.Ports", f);
    return each(c, t, cJSON_GetObjectItemCaseSensitive(it, "Ports"), sub, item_port);
}

static int item_cert(lol_ctx *c, rmmcat_tool *t, const cJSON *it, const char *f)
{
    return member_str(c, &t->signers, it, f, "signer_name");
}

static int load_details(lol_ctx *c, rmmcat_tool *t, const cJSON *e)
{
    int rc;
    const cJSON *d = member(c, e, "Details", "Details", &rc);
    if (rc < 0 || want_object(c, d, "Details") < 0)
        return -1;
    const cJSON *pe = member(c, d, "PEMetadata", "Details", &rc);
    if (rc < 0)
        return -1;
    /* PEMetadata is an object in most entries and an array in others */
    if (pe && cJSON_IsObject(pe))
        rc = item_pe(c, t, pe, "Details.PEMetadata");
    else
        rc = each(c, t, pe, "Details.PEMetadata", item_pe);
    if (rc < 0)
        return -1;
    if (each(c, t, member(c, d, "InstallationPaths", "Details", &rc), "Details.InstallationPaths", item_install) < 0)
        return -1;
    /* one entry has InstallationPaths at the top level */
    return each(c, t, cJSON_GetObjectItemCaseSensitive(e, "InstallationPaths"), "InstallationPaths", item_install);
}

static int load_artifacts(lol_ctx *c, rmmcat_tool *t, const cJSON *e)
{
    int rc;
    const cJSON *a = member(c, e, "Artifacts", "Artifacts", &rc);
    if (rc < 0 || want_object(c, a, "Artifacts") < 0)
        return -1;
    static const struct {
        const char *key;
        const char *field;
        item_fn fn;
    } parts[] = {
        {"Disk", "Artifacts.Disk", item_disk},
        {"EventLog", "Artifacts.EventLog", item_event},
        {"Registry", "Artifacts.Registry", item_registry},
        {"Network", "Artifacts.Network", item_network},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const cJSON *v = member(c, a, parts[i].key, "Artifacts", &rc);
        if (rc < 0 || each(c, t, v, parts[i].field, parts[i].fn) < 0)
            return -1;
    }
    return 0;
}

static int load_signing(lol_ctx *c, rmmcat_tool *t, const cJSON *e)
{
    int rc;
    const cJSON *s = member(c, e, "CodeSigning", "CodeSigning", &rc);
    if (rc < 0 || want_object(c, s, "CodeSigning") < 0)
        return -1;
    if (each(c, t, member(c, s, "search_names", "CodeSigning", &rc), "CodeSigning.search_names", item_exe) < 0 ||
        each(c, t, member(c, s, "signer_names", "CodeSigning", &rc), "CodeSigning.signer_names", item_signer) < 0 ||
        each(c, t, member(c, s, "company_names", "CodeSigning", &rc), "CodeSigning.company_names", item_signer) < 0)
        return -1;
    return each(c, t, member(c, s, "certificates", "CodeSigning", &rc), "CodeSigning.certificates", item_cert);
}

static int load_entry(rmmcat *cat, lol_ctx *c, const cJSON *e)
{
    c->tool = NULL;
    if (!cJSON_IsObject(e))
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu: expected an object, found %s", c->name, c->entry, json_kind(e));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "Name");
    if (!cJSON_IsString(name) || !name->valuestring[0])
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu: field 'Name': expected a non-empty string, found %s", c->name,
                          c->entry, name ? (cJSON_IsString(name) ? "an empty string" : json_kind(name)) : "nothing");
    size_t n = strlen(name->valuestring);
    if (n > RMMCAT_MAX_STR)
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: entry %zu: field 'Name': longer than %d bytes", c->name, c->entry,
                          RMMCAT_MAX_STR);
    c->tool = name->valuestring;
    rmmcat_tool *t = rmmcat_tool_get(cat, name->valuestring, n, RMMCAT_SRC_LOLRMM);
    if (load_details(c, t, e) < 0 || load_artifacts(c, t, e) < 0 || load_signing(c, t, e) < 0)
        return -1;
    return 0;
}

int rmmcat_load_lolrmm(rmmcat *cat, const char *data, size_t len, const char *name, gl_err *err)
{
    lol_ctx c = {name ? name : "rmm_tools.json", 0, NULL, err};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (!root) {
        size_t off = end && end >= data && end <= data + len ? (size_t)(end - data) : 0;
        size_t line = 1;
        for (size_t i = 0; i < off; i++)
            line += data[i] == '\n';
        return gl_err_setc(err, GL_ERR_USAGE, "%s: line %zu (offset %zu): not valid JSON", c.name, line, off);
    }
    int rc = 0;
    if (!cJSON_IsArray(root)) {
        rc = gl_err_setc(err, GL_ERR_USAGE, "%s: expected a JSON array of tools, found %s", c.name, json_kind(root));
    } else {
        for (const cJSON *e = root->child; e && rc == 0; e = e->next, c.entry++) {
            if (rmmcat_count(cat) >= RMMCAT_MAX_TOOLS)
                rc = gl_err_setc(err, GL_ERR_USAGE, "%s: entry %zu: more than %d tools", c.name, c.entry, RMMCAT_MAX_TOOLS);
            else
                rc = load_entry(cat, &c, e);
        }
    }
    cJSON_Delete(root);
    rmmcat_reindex(cat);
    return rc;
}

/* rmm: registry evidence. Service keys and SafeBoot\Network registrations
 * of every control set, Uninstall entries (64-bit, WOW6432Node, per user),
 * and the tools' own keys from the catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rmm_int.h"
#include "text.h"
#include "timeline.h"

#define UNINSTALL "Microsoft\\Windows\\CurrentVersion\\Uninstall"

/* Lookup that reports damage: ABSENT is normal, ERROR makes the module partial. */
static bool find_key(rmm_ctx *c, const char *path, gl_regkey *k)
{
    gl_err err = {0};
    gl_lookup r = gl_regview_find_key(gl_run_regview(c->run), path, k, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s: %s", path, err.msg);
    return r == GL_LOOKUP_FOUND;
}


/* The record every registry fact starts with. */
static void record_begin(gl_json *j, gl_buf *line, const char *source, const char *tool, gl_regkey k, gl_buf *loc)
{
    gl_json_init(j, line);
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "source", source);
    gl_json_kv_str(j, "tool", tool);
    gl_buf_clear(loc); /* the locator functions append */
    gl_regkey_locator(k, loc);
    gl_json_kv_str(j, "key", gl_buf_cstr(loc));
    char iso[GL_TIME_STRLEN];
    if (gl_filetime_iso(gl_regkey_last_write(k), 0, iso))
        gl_json_kv_str(j, "last_write", iso);
    const char *art = gl_regkey_artifact(k);
    if (art)
        gl_json_kv_str(j, "artifact", art);
}

static void record_end(rmm_ctx *c, gl_json *j, gl_buf *line)
{
    gl_json_obj_end(j);
    gl_run_record(c->run, line->data, line->len);
}

static void installed_event(rmm_ctx *c, uint32_t t, uint64_t when, const char *artifact, const char *locator,
                            const char *how)
{
    gl_tl tl;
    gl_json *d = gl_tl_begin(&tl, c->run, "rmm.installed", when, rmm_tool_name(c, t), artifact, locator);
    gl_json_kv_str(d, "how", how);
    gl_tl_end(&tl);
}

static void one_service(rmm_ctx *c, const gl_regcontrolset *cs, gl_regkey k, gl_buf *name, gl_buf *image)
{
    rmmcat_hits by_name, by_image;
    rmmcat_match_service(c->st->cat, name->data, name->len, &by_name);
    gl_regkey_get_string(k, "ImagePath", image, NULL);
    gl_buf_cstr(image);
    rmm_match_image(c, image->data, &by_image);
    rmmcat_hits *hits = by_name.n ? &by_name : &by_image;
    if (!hits->n)
        return;
    uint32_t start = 0;
    gl_regval sv = gl_regkey_value(k, "Start");
    bool has_start = gl_regval_ok(sv) && gl_regval_dword(sv, &start);
    gl_buf account = {0}, loc = {0}, line = {0};
    gl_regkey_get_string(k, "ObjectName", &account, NULL);
    gl_buf_cstr(&account);
    uint64_t lw = gl_regkey_last_write(k);
    for (size_t i = 0; i < hits->n; i++) {
        uint32_t t = hits->h[i].tool;
        gl_json j;
        record_begin(&j, &line, "service", rmm_tool_name(c, t), k, &loc);
        gl_json_kv_str(&j, "control_set", cs->name);
        gl_json_kv_str(&j, "name", name->data);
        gl_json_kv_str(&j, "image_path", image->data);
        if (has_start)
            gl_json_kv_uint(&j, "start", start);
        gl_json_kv_str(&j, "account", account.data ? account.data : "");
        gl_json_kv_str(&j, "matched", hits->h[i].what);
        record_end(c, &j, &line);
        rmm_saw(c, t, RMM_SEEN_SERVICE, lw, gl_regkey_artifact(k), "%s", loc.data);
        if (cs->current)
            installed_event(c, t, lw, gl_regkey_artifact(k), loc.data, "service key (last written)");
        rmm_relay(c, t, image->data, lw, gl_regkey_artifact(k), loc.data);
    }
    gl_buf_free(&account);
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

static void safeboot(rmm_ctx *c, const gl_regcontrolset *cs, gl_regkey k, gl_buf *name)
{
    rmmcat_hits hits;
    if (!rmmcat_match_service(c->st->cat, name->data, name->len, &hits))
        return;
    gl_buf loc = {0}, line = {0};
    for (size_t i = 0; i < hits.n; i++) {
        gl_json j;
        record_begin(&j, &line, "safeboot", rmm_tool_name(c, hits.h[i].tool), k, &loc);
        gl_json_kv_str(&j, "control_set", cs->name);
        gl_json_kv_str(&j, "name", name->data);
        record_end(c, &j, &line);
        rmm_saw(c, hits.h[i].tool, RMM_SEEN_SAFEBOOT, gl_regkey_last_write(k), gl_regkey_artifact(k), "%s", loc.data);
    }
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

typedef void (*subkey_fn)(rmm_ctx *c, const gl_regcontrolset *cs, gl_regkey k, gl_buf *name);

static void each_subkey(rmm_ctx *c, const char *path, const gl_regcontrolset *cs, subkey_fn fn)
{
    gl_regkey parent;
    if (!find_key(c, path, &parent))
        return;
    gl_regkeys subs = {0};
    gl_buf name = {0};
    gl_regkey_subkeys(parent, &subs);
    for (size_t i = 0; i < subs.n; i++) {
        gl_buf_clear(&name);
        if (gl_regkey_name(subs.v[i], &name))
            fn(c, cs, subs.v[i], &name);
    }
    gl_regkeys_free(&subs);
    gl_buf_free(&name);
}

static void service_key(rmm_ctx *c, const gl_regcontrolset *cs, gl_regkey k, gl_buf *name)
{
    gl_buf image = {0};
    gl_buf_cstr(name);
    one_service(c, cs, k, name, &image);
    gl_buf_free(&image);
}

static void control_sets(rmm_ctx *c)
{
    const gl_regcontrolset *sets;
    size_t n = gl_regview_control_sets(gl_run_regview(c->run), &sets);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "HKLM\\SYSTEM\\%s\\Services", sets[i].name);
        each_subkey(c, path, &sets[i], service_key);
        snprintf(path, sizeof path, "HKLM\\SYSTEM\\%s\\Control\\SafeBoot\\Network", sets[i].name);
        each_subkey(c, path, &sets[i], safeboot);
    }
}

/* InstallDate is "YYYYMMDD" text. */
static uint64_t install_date(const char *s)
{
    if (!s || strlen(s) != 8 || strspn(s, "0123456789") != 8)
        return 0;
    char iso[16];
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
    return rmm_iso_filetime(iso);
}

static void uninstall_entry(rmm_ctx *c, gl_regkey k)
{
    gl_buf dn = {0}, pub = {0}, date = {0}, where = {0}, loc = {0}, line = {0};
    gl_regkey_get_string(k, "DisplayName", &dn, NULL);
    gl_buf_cstr(&dn);
    rmmcat_hits hits;
    if (dn.len && rmmcat_match_product(c->st->cat, dn.data, dn.len, &hits)) {
        gl_regkey_get_string(k, "Publisher", &pub, NULL);
        gl_regkey_get_string(k, "InstallDate", &date, NULL);
        gl_regkey_get_string(k, "InstallLocation", &where, NULL);
        gl_buf_cstr(&pub);
        gl_buf_cstr(&date);
        gl_buf_cstr(&where);
        uint64_t when = install_date(date.data);
        if (!when)
            when = gl_regkey_last_write(k);
        for (size_t i = 0; i < hits.n; i++) {
            uint32_t t = hits.h[i].tool;
            gl_json j;
            record_begin(&j, &line, "uninstall", rmm_tool_name(c, t), k, &loc);
            gl_json_kv_str(&j, "display_name", dn.data);
            gl_json_kv_str(&j, "publisher", pub.data);
            gl_json_kv_str(&j, "install_date", date.data);
            gl_json_kv_str(&j, "install_location", where.data);
            record_end(c, &j, &line);
            rmm_saw(c, t, RMM_SEEN_UNINSTALL, when, gl_regkey_artifact(k), "%s", loc.data);
            installed_event(c, t, when, gl_regkey_artifact(k), loc.data, "Uninstall entry");
        }
    }
    gl_buf_free(&dn);
    gl_buf_free(&pub);
    gl_buf_free(&date);
    gl_buf_free(&where);
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

static void uninstall_under(rmm_ctx *c, gl_regkey parent)
{
    gl_regkeys subs = {0};
    gl_regkey_subkeys(parent, &subs);
    for (size_t i = 0; i < subs.n; i++)
        uninstall_entry(c, subs.v[i]);
    gl_regkeys_free(&subs);
}

static void uninstall(rmm_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    gl_regkey keys[2];
    size_t n = gl_regview_key_wow(rv, "HKLM\\SOFTWARE\\" UNINSTALL, keys);
    for (size_t i = 0; i < n; i++)
        uninstall_under(c, keys[i]);
    const gl_reguser *users;
    size_t nu = gl_regview_users(rv, &users);
    for (size_t u = 0; u < nu; u++) {
        char path[512];
        gl_regkey k;
        snprintf(path, sizeof path, "HKU\\%s\\Software\\" UNINSTALL, users[u].name);
        if (find_key(c, path, &k))
            uninstall_under(c, k);
    }
}

/* The tools' own keys. HKCU entries are looked up in every profile;
 * wildcards and service keys (read above) are left out. */
static void vendor_key(rmm_ctx *c, uint32_t t, const char *path)
{
    gl_regkey k;
    if (!find_key(c, path, &k))
        return;
    gl_buf loc = {0}, line = {0};
    gl_json j;
    record_begin(&j, &line, "registry", rmm_tool_name(c, t), k, &loc);
    record_end(c, &j, &line);
    rmm_saw(c, t, RMM_SEEN_REGISTRY, gl_regkey_last_write(k), gl_regkey_artifact(k), "%s", loc.data);
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

static const char *after_prefix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

static void vendor_keys(rmm_ctx *c)
{
    const gl_reguser *users;
    size_t nu = gl_regview_users(gl_run_regview(c->run), &users);
    for (uint32_t t = 0; t < c->n_tools; t++) {
        const rmmcat_list *l = &rmmcat_tool_at(c->st->cat, t)->registry;
        for (size_t i = 0; i < l->n; i++) {
            const char *key = l->v[i], *rest;
            if (strpbrk(key, "*?") || strcasestr(key, "\\CurrentControlSet\\Services\\") || strcasestr(key, "\\SafeBoot\\") ||
                strcasestr(key, "\\CurrentVersion\\Uninstall\\"))
                continue;
            if ((rest = after_prefix(key, "HKCU\\")) || (rest = after_prefix(key, "HKEY_CURRENT_USER\\"))) {
                for (size_t u = 0; u < nu; u++) {
                    char path[1024];
                    snprintf(path, sizeof path, "HKU\\%s\\%s", users[u].name, rest);
                    vendor_key(c, t, path);
                }
            } else if ((rest = after_prefix(key, "HKLM\\")) || (rest = after_prefix(key, "HKEY_LOCAL_MACHINE\\"))) {
                /* only the hives on disk: LOLRMM also lists HKLM\DRIVERS and
                 * malformed roots such as HKLM\WOW6432Node */
                if (after_prefix(rest, "SOFTWARE\\") || after_prefix(rest, "SYSTEM\\"))
                    vendor_key(c, t, key);
            }
        }
    }
}

/* ---- unattended-access values ----------------------------------------- */

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    char *r = gl_xmalloc(n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

int rmm_load_uvalues(rmm_state *st, const char *text, size_t n, gl_err *err)
{
    size_t line = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - text) : n;
        line++;
        const char *s = text + i;
        size_t len = e - i;
        i = e + 1;
        if (len == 0 || *s == '#' || strspn(s, " \t\r") >= len)
            continue;
        char *f[4];
        size_t nf = 0, b = 0;
        for (size_t k = 0; k <= len && nf < 4; k++)
            if (k == len || s[k] == '|') {
                f[nf++] = trimmed(s + b, k - b);
                b = k + 1;
            }
        int64_t tool = nf == 4 ? rmmcat_index_of(st->cat, f[0]) : -1;
        if (tool < 0) {
            for (size_t k = 0; k < nf; k++)
                free(f[k]);
            return gl_err_set(err, "rmm/unattended-values.txt: line %zu: expected 'tool | key | value | meaning' "
                              "naming a catalog tool", line);
        }
        st->uvalues = gl_xrealloc(st->uvalues, (st->n_uvalues + 1) * sizeof *st->uvalues);
        st->uvalues[st->n_uvalues++] = (rmm_uvalue){f[0], f[1], f[2], f[3]};
    }
    return 0;
}

void rmm_free_uvalues(rmm_state *st)
{
    for (size_t i = 0; i < st->n_uvalues; i++) {
        free(st->uvalues[i].tool);
        free(st->uvalues[i].key);
        free(st->uvalues[i].value);
        free(st->uvalues[i].meaning);
    }
    free(st->uvalues);
}

static void unattended_values(rmm_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    gl_buf loc = {0}, item = {0};
    for (size_t i = 0; i < c->st->n_uvalues; i++) {
        const rmm_uvalue *u = &c->st->uvalues[i];
        uint32_t t = (uint32_t)rmmcat_index_of(c->st->cat, u->tool);
        gl_regkey keys[2];
        size_t nk = gl_regview_key_wow(rv, u->key, keys);
        for (size_t k = 0; k < nk; k++) {
            gl_regval v = gl_regkey_value(keys[k], u->value);
            if (!gl_regval_ok(v))
                continue;
            gl_buf_clear(&loc);
            gl_regval_locator(v, &loc);
            gl_buf_clear(&item);
            gl_buf_printf(&item, "%s (%s)", u->meaning, loc.data);
            rmm_note(c, t, RMM_AGG_UNATTENDED, gl_regkey_last_write(keys[k]), item.data, gl_regval_artifact(v), "%s",
                     loc.data);
            rmm_saw(c, t, RMM_SEEN_REGISTRY, gl_regkey_last_write(keys[k]), gl_regval_artifact(v), "%s", loc.data);
        }
    }
    gl_buf_free(&loc);
    gl_buf_free(&item);
}

int rmm_registry(rmm_ctx *c)
{
    if (!gl_run_regview(c->run))
        return -1;
    control_sets(c);
    uninstall(c);
    vendor_keys(c);
    unattended_values(c);
    return 0;
}

/* Registry view backend of a live Windows host (regview_live.h).
 *
 * Keys and values are named by small ids: a key id is an index into the
 * hive's table of (parent id, name), a value id an index into its table
 * of (key id, name); a lookup adds an entry once the registry confirmed it
 * exists, so ids stay valid for the whole view while the registry itself
 * goes on changing. Every read reopens the key from the hive root by its
 * path (one handle is kept for the key used last), in the 64-bit view, so
 * a 32-bit build or WOW64 redirection never shows a module another key
 * than the offline hive would. Hives that are not loaded (users who are
 * not logged on) and Amcache.hve are read as files through the hive-file
 * backend, which this one wraps. */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fold.h"
#include "regf.h"
#include "regview_live.h"
#include "text.h"

#define SAM_READ (KEY_READ | KEY_WOW64_64KEY)
#define MAX_NODES (8u << 20)       /* keys or values known per hive: bounds memory */
#define MAX_VALUE_BYTES (64u << 20) /* larger data is reported, not read */
#define MAX_LIVE_NOTES 16
#define NAME_UNITS 16384           /* value names reach 16383 units, key names 255 */

typedef struct live_ctx {
    gl_regview_backend files; /* for hives that are files, not loaded keys */
    char drive[8];            /* "C:" */
    const char *(*preserved)(void *ctx, const char *hive_path);
    void *preserved_ctx;
} live_ctx;

typedef struct lnode {
    uint64_t owner; /* key: parent key id (GL_REGVIEW_NONE for the root); value: its key */
    char *name;     /* UTF-8 as the registry gave it */
    wchar_t *wname;
} lnode;

/* Nodes with a hash index on (owner, folded name). */
typedef struct ltable {
    lnode *v;
    size_t n, cap;
    uint64_t *slots; /* id + 1; 0 = empty */
    size_t n_slots;
} ltable;

typedef struct lhive {
    const gl_regview_backend *files;
    void *fh;  /* the hive-file backend's hive, when this one is a file */
    HKEY root; /* the loaded hive's root key otherwise */
    bool hide_current_control_set;
    char *path;
    ltable keys, values;
    uint64_t cached_id;
    HKEY cached;
    gl_buf data; /* value data handed out without a scratch buffer */
    char *notes[MAX_LIVE_NOTES];
    size_t n_notes;
    bool table_full_noted;
} lhive;

/* ---- problems ------------------------------------------------------------- */

static void lnote(lhive *lh, const char *fmt, ...) GL_PRINTF(2, 3);
static void lnote(lhive *lh, const char *fmt, ...)
{
    if (lh->n_notes == MAX_LIVE_NOTES)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lh->notes[lh->n_notes++] = gl_xstrdup(msg);
}

/* ---- node tables ---------------------------------------------------------- */

/* Case-insensitive as the registry compares names (gl_fold_cp). */
static uint64_t node_hash(uint64_t owner, const char *name)
{
    uint64_t h = 1469598103934665603u ^ owner;
    size_t len = strlen(name);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = gl_utf8_decode(name + i, len - i, &cp);
        i += n ? n : 1;
        h = (h ^ gl_fold_cp(cp)) * 1099511628211u;
    }
    return h;
}

static uint64_t table_find(const ltable *t, uint64_t owner, const char *name)
{
    if (!t->n_slots)
        return GL_REGVIEW_NONE;
    for (size_t i = node_hash(owner, name) & (t->n_slots - 1);; i = (i + 1) & (t->n_slots - 1)) {
        uint64_t s = t->slots[i];
        if (!s)
            return GL_REGVIEW_NONE;
        const lnode *nd = &t->v[s - 1];
        if (nd->owner == owner && gl_name_equal(nd->name, name))
            return s - 1;
    }
}

static void table_index(ltable *t, uint64_t id)
{
    const lnode *nd = &t->v[id];
    size_t i = node_hash(nd->owner, nd->name) & (t->n_slots - 1);
    while (t->slots[i])
        i = (i + 1) & (t->n_slots - 1);
    t->slots[i] = id + 1;
}

/* The node's id, added when new; NONE when the table is full. Takes the
 * wide name; the UTF-8 one is derived. */
static uint64_t table_add(lhive *lh, ltable *t, uint64_t owner, const wchar_t *wname)
{
    char *name = gl_w32_to_utf8(wname);
    if (!name) /* an unpaired surrogate, which UTF-8 cannot carry */
        name = gl_xstrdup("(name not valid UTF-16)");
    uint64_t id = table_find(t, owner, name);
    if (id != GL_REGVIEW_NONE) {
        free(name);
        return id;
    }
    if (t->n >= MAX_NODES) {
        if (!lh->table_full_noted)
            lnote(lh, "%s: more than %u keys or values looked at; the rest is not read", lh->path, MAX_NODES);
        lh->table_full_noted = true;
        free(name);
        return GL_REGVIEW_NONE;
    }
    if ((t->n + 1) * 2 > t->n_slots) {
        free(t->slots);
        t->n_slots = t->n_slots ? t->n_slots * 2 : 1024;
        t->slots = gl_xcalloc(t->n_slots, sizeof *t->slots);
        for (size_t i = 0; i < t->n; i++)
            table_index(t, i);
    }
    t->v = gl_grow_array(t->v, &t->cap, t->n + 1, sizeof *t->v);
    size_t wn = wcslen(wname) + 1;
    wchar_t *w = gl_xmalloc(wn * sizeof *w);
    memcpy(w, wname, wn * sizeof *w);
    t->v[t->n] = (lnode){owner, name, w};
    table_index(t, t->n);
    return t->n++;
}

static void table_free(ltable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].name);
        free(t->v[i].wname);
    }
    free(t->v);
    free(t->slots);
}

/* ---- keys ------------------------------------------------------------------- */

/* Path of a key below the hive root, wide, '\'-joined ("" for the root). */
static bool key_wpath(lhive *lh, uint64_t id, gl_buf *w)
{
    uint64_t chain[GL_REGVIEW_MAX_DEPTH + 2];
    size_t depth = 0;
    for (uint64_t k = id; k != 0; k = lh->keys.v[k].owner) {
        if (k >= lh->keys.n || depth == sizeof chain / sizeof *chain)
            return false;
        chain[depth++] = k;
    }
    gl_buf_clear(w);
    while (depth--) {
        const wchar_t *nm = lh->keys.v[chain[depth]].wname;
        if (w->len)
            gl_buf_append(w, L"\\", sizeof(wchar_t));
        gl_buf_append(w, nm, wcslen(nm) * sizeof(wchar_t));
    }
    gl_buf_append(w, L"", sizeof(wchar_t));
    return true;
}

static LSTATUS open_below(HKEY base, const wchar_t *sub, HKEY *out)
{
    LSTATUS rc = RegOpenKeyExW(base, sub, 0, SAM_READ, out);
    /* With SeBackupPrivilege held, keys whose ACL leaves administrators
     * out (SAM, SECURITY) open for backup. */
    if (rc == ERROR_ACCESS_DENIED)
        rc = RegOpenKeyExW(base, sub, REG_OPTION_BACKUP_RESTORE, SAM_READ, out);
    return rc;
}

/* A handle on key id, owned by the hive (kept until another key is used). */
static HKEY key_handle(lhive *lh, uint64_t id)
{
    if (id == 0)
        return lh->root;
    if (id >= lh->keys.n)
        return NULL;
    if (lh->cached && lh->cached_id == id)
        return lh->cached;
    if (lh->cached)
        RegCloseKey(lh->cached);
    lh->cached = NULL;
    gl_buf w = {0};
    HKEY h = NULL;
    if (key_wpath(lh, id, &w) && open_below(lh->root, (const wchar_t *)w.data, &h) == ERROR_SUCCESS) {
        lh->cached = h;
        lh->cached_id = id;
    }
    gl_buf_free(&w);
    return lh->cached;
}

/* The child of parent named wname, when the registry has it. */
static uint64_t child_open(lhive *lh, uint64_t parent, const wchar_t *wname)
{
    char *name = gl_w32_to_utf8(wname);
    uint64_t id = name ? table_find(&lh->keys, parent, name) : GL_REGVIEW_NONE;
    free(name);
    if (id != GL_REGVIEW_NONE)
        return id;
    HKEY p = key_handle(lh, parent), h;
    if (!p || open_below(p, wname, &h) != ERROR_SUCCESS)
        return GL_REGVIEW_NONE;
    RegCloseKey(h);
    return table_add(lh, &lh->keys, parent, wname);
}

/* ---- the hive backend (regview.h) ----------------------------------------- */

#define FH(hv) (((lhive *)(hv))->fh)
#define FILES(hv) (((lhive *)(hv))->files)

static uint64_t l_root(void *hv) { return FH(hv) ? FILES(hv)->root(FH(hv)) : 0; }

static uint64_t l_key_open(void *hv, uint64_t k, const char *rel)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->key_open(lh->fh, k, rel);
    uint64_t id = k < lh->keys.n ? k : GL_REGVIEW_NONE;
    for (const char *p = rel; id != GL_REGVIEW_NONE && *p;) {
        size_t n = strcspn(p, "\\");
        if (n) {
            char *comp = gl_xmalloc(n + 1);
            memcpy(comp, p, n);
            comp[n] = '\0';
            wchar_t *w = gl_w32_from_utf8(comp);
            free(comp);
            id = w && n <= 255 ? child_open(lh, id, w) : GL_REGVIEW_NONE;
            free(w);
        }
        p += n;
        p += strspn(p, "\\");
    }
    return id;
}

static bool l_key_name(void *hv, uint64_t k, gl_buf *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->key_name(lh->fh, k, out);
    if (k >= lh->keys.n)
        return false;
    gl_buf_puts(out, lh->keys.v[k].name);
    return true;
}

/* RegQueryInfoKeyW for the two things the view asks: class and time. */
static bool key_info(lhive *lh, uint64_t k, gl_buf *cls, uint64_t *last_write)
{
    HKEY h = key_handle(lh, k);
    if (!h)
        return false;
    wchar_t cbuf[1024];
    DWORD clen = sizeof cbuf / sizeof *cbuf;
    FILETIME ft;
    if (RegQueryInfoKeyW(h, cls ? cbuf : NULL, cls ? &clen : NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                         NULL, &ft) != ERROR_SUCCESS)
        return false;
    if (cls && clen < sizeof cbuf / sizeof *cbuf) {
        cbuf[clen] = 0;
        char *u = gl_w32_to_utf8(cbuf);
        if (u)
            gl_buf_puts(cls, u);
        free(u);
    }
    if (last_write)
        *last_write = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    return true;
}

static bool l_key_class(void *hv, uint64_t k, gl_buf *out)
{
    return FH(hv) ? FILES(hv)->key_class(FH(hv), k, out) : key_info(hv, k, out, NULL);
}

static uint64_t l_key_last_write(void *hv, uint64_t k)
{
    if (FH(hv))
        return FILES(hv)->key_last_write(FH(hv), k);
    uint64_t t = 0;
    return key_info(hv, k, NULL, &t) ? t : 0;
}

static bool l_key_path(void *hv, uint64_t k, gl_buf *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->key_path(lh->fh, k, out);
    gl_buf w = {0};
    bool ok = k < lh->keys.n && key_wpath(lh, k, &w);
    char *u = ok ? gl_w32_to_utf8((const wchar_t *)w.data) : NULL;
    if (u)
        gl_buf_puts(out, u);
    free(u);
    gl_buf_free(&w);
    return ok;
}

static uint64_t l_key_parent(void *hv, uint64_t k)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->key_parent(lh->fh, k);
    return k > 0 && k < lh->keys.n ? lh->keys.v[k].owner : GL_REGVIEW_NONE;
}

static bool l_key_deleted(void *hv, uint64_t k) { return FH(hv) ? FILES(hv)->key_deleted(FH(hv), k) : false; }

static void push_id(gl_buf *ids, uint64_t id)
{
    if (id != GL_REGVIEW_NONE)
        gl_buf_append(ids, &id, sizeof id);
}

static size_t l_key_subkeys(void *hv, uint64_t k, gl_buf *ids)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->key_subkeys(lh->fh, k, ids);
    size_t before = ids->len;
    wchar_t name[256];
    for (DWORD i = 0; i < MAX_NODES; i++) {
        HKEY h = key_handle(lh, k); /* again each time: adding a child may reuse the cache */
        DWORD n = sizeof name / sizeof *name;
        LSTATUS rc = h ? RegEnumKeyExW(h, i, name, &n, NULL, NULL, NULL, NULL) : ERROR_INVALID_HANDLE;
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc != ERROR_SUCCESS) {
            char why[300];
            gl_w32_error_text((unsigned long)rc, why, sizeof why);
            gl_buf p = {0};
            l_key_path(hv, k, &p);
            lnote(lh, "%s\\%s: subkeys not listed: %s", lh->path, gl_buf_cstr(&p), why);
            gl_buf_free(&p);
            break;
        }
        /* The offline SYSTEM hive has no CurrentControlSet: it is a link
         * the kernel adds, which the view resolves through Select. */
        if (k == 0 && lh->hide_current_control_set && !_wcsicmp(name, L"CurrentControlSet"))
            continue;
        push_id(ids, table_add(lh, &lh->keys, k, name));
    }
    return (ids->len - before) / sizeof(uint64_t);
}

static size_t l_key_values(void *hv, uint64_t k, gl_buf *ids)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->key_values(lh->fh, k, ids);
    size_t before = ids->len;
    wchar_t *name = gl_xmalloc(NAME_UNITS * sizeof *name);
    for (DWORD i = 0; i < MAX_NODES; i++) {
        HKEY h = key_handle(lh, k);
        DWORD n = NAME_UNITS;
        LSTATUS rc = h ? RegEnumValueW(h, i, name, &n, NULL, NULL, NULL, NULL) : ERROR_INVALID_HANDLE;
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA) {
            char why[300];
            gl_w32_error_text((unsigned long)rc, why, sizeof why);
            lnote(lh, "%s: values not listed: %s", lh->path, why);
            break;
        }
        push_id(ids, table_add(lh, &lh->values, k, name));
    }
    free(name);
    return (ids->len - before) / sizeof(uint64_t);
}

/* ---- values ------------------------------------------------------------------ */

static uint64_t l_value_find(void *hv, uint64_t k, const char *name)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_find(lh->fh, k, name);
    uint64_t id = table_find(&lh->values, k, name);
    if (id != GL_REGVIEW_NONE)
        return id;
    wchar_t *w = gl_w32_from_utf8(name);
    HKEY h = w ? key_handle(lh, k) : NULL;
    if (h && RegQueryValueExW(h, w, NULL, NULL, NULL, NULL) == ERROR_SUCCESS)
        id = table_add(lh, &lh->values, k, w);
    free(w);
    return id;
}

static bool l_value_name(void *hv, uint64_t v, gl_buf *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_name(lh->fh, v, out);
    if (v >= lh->values.n)
        return false;
    gl_buf_puts(out, lh->values.v[v].name);
    return true;
}

/* The value's type and bytes, read now (the registry may have changed
 * since it was listed: then no data). */
static bool value_read(lhive *lh, uint64_t v, uint32_t *type, gl_buf *data)
{
    if (v >= lh->values.n)
        return false;
    const lnode *nd = &lh->values.v[v];
    for (int attempt = 0; attempt < 4; attempt++) {
        HKEY h = key_handle(lh, nd->owner);
        DWORD t = 0, size = 0;
        if (!h || RegQueryValueExW(h, nd->wname, NULL, &t, NULL, &size) != ERROR_SUCCESS)
            return false;
        if (size > MAX_VALUE_BYTES) {
            lnote(lh, "%s: value %s holds %lu bytes, more than %u: not read", lh->path, nd->name,
                  (unsigned long)size, MAX_VALUE_BYTES);
            return false;
        }
        gl_buf_clear(data);
        gl_buf_reserve(data, size + 2);
        DWORD got = size;
        LSTATUS rc = RegQueryValueExW(h, nd->wname, NULL, &t, (BYTE *)data->data, &got);
        if (rc == ERROR_MORE_DATA) /* grew in between: ask again */
            continue;
        if (rc != ERROR_SUCCESS)
            return false;
        data->len = got;
        data->data[got] = '\0';
        if (type)
            *type = t;
        return true;
    }
    return false;
}

static uint32_t l_value_type(void *hv, uint64_t v)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_type(lh->fh, v);
    DWORD t = 0;
    if (v >= lh->values.n)
        return 0;
    HKEY h = key_handle(lh, lh->values.v[v].owner);
    if (!h || RegQueryValueExW(h, lh->values.v[v].wname, NULL, &t, NULL, NULL) != ERROR_SUCCESS)
        return 0;
    return t;
}

static bool l_value_deleted(void *hv, uint64_t v) { return FH(hv) ? FILES(hv)->value_deleted(FH(hv), v) : false; }

static const uint8_t *l_value_data(void *hv, uint64_t v, size_t *len, gl_buf *scratch)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_data(lh->fh, v, len, scratch);
    gl_buf *into = scratch ? scratch : &lh->data;
    *len = 0;
    if (!value_read(lh, v, NULL, into) || into->len == 0)
        return NULL;
    *len = into->len;
    return (const uint8_t *)into->data;
}

static bool l_value_string(void *hv, uint64_t v, gl_buf *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_string(lh->fh, v, out);
    gl_buf d = {0};
    bool ok = value_read(lh, v, NULL, &d);
    if (ok)
        gl_utf16le_to_utf8(out, (const uint8_t *)d.data, d.len, true);
    gl_buf_free(&d);
    return ok;
}

static long l_value_multi_sz(void *hv, uint64_t v, gl_buf *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_multi_sz(lh->fh, v, out);
    gl_buf d = {0};
    long n = value_read(lh, v, NULL, &d) ? regf_data_multi_sz((const uint8_t *)d.data, d.len, out) : -1;
    gl_buf_free(&d);
    return n;
}

static bool l_value_dword(void *hv, uint64_t v, uint32_t *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_dword(lh->fh, v, out);
    gl_buf d = {0};
    uint32_t t = 0;
    bool ok = value_read(lh, v, &t, &d) && d.len >= 4;
    if (ok)
        *out = t == REG_DWORD_BIG_ENDIAN ? gl_be32((const uint8_t *)d.data) : gl_le32((const uint8_t *)d.data);
    gl_buf_free(&d);
    return ok;
}

static bool l_value_qword(void *hv, uint64_t v, uint64_t *out)
{
    lhive *lh = hv;
    if (lh->fh)
        return lh->files->value_qword(lh->fh, v, out);
    gl_buf d = {0};
    bool ok = value_read(lh, v, NULL, &d) && d.len >= 8;
    if (ok)
        *out = gl_le64((const uint8_t *)d.data);
    gl_buf_free(&d);
    return ok;
}

/* A loaded hive has no deleted material to offer; a file hive may. */
static size_t l_deleted_keys(void *hv, gl_buf *ids)
{
    return FH(hv) && FILES(hv)->deleted_keys ? FILES(hv)->deleted_keys(FH(hv), ids) : 0;
}

static size_t l_deleted_orphans(void *hv, gl_buf *ids)
{
    return FH(hv) && FILES(hv)->deleted_orphans ? FILES(hv)->deleted_orphans(FH(hv), ids) : 0;
}

/* ---- hives ------------------------------------------------------------------- */

static size_t l_problem_count(void *hv)
{
    lhive *lh = hv;
    return lh->n_notes + (lh->fh ? lh->files->problem_count(lh->fh) : 0);
}

static const char *l_problem(void *hv, size_t i, gl_regview_level *level)
{
    lhive *lh = hv;
    if (i < lh->n_notes) {
        *level = GL_REGVIEW_ERROR;
        return lh->notes[i];
    }
    return lh->files->problem(lh->fh, i - lh->n_notes, level);
}

static void lhive_free(lhive *lh)
{
    if (lh->fh)
        lh->files->close_hive(lh->files->ctx, lh->fh);
    if (lh->cached)
        RegCloseKey(lh->cached);
    if (lh->root)
        RegCloseKey(lh->root);
    table_free(&lh->keys);
    table_free(&lh->values);
    for (size_t i = 0; i < lh->n_notes; i++)
        free(lh->notes[i]);
    gl_buf_free(&lh->data);
    free(lh->path);
    free(lh);
}

/* Where a hive is loaded: the predefined key and the path below it. */
static bool live_location(gl_reghive_kind kind, const gl_reguser *user, HKEY *base, gl_buf *sub)
{
    switch (kind) {
    case GL_REGHIVE_SYSTEM: *base = HKEY_LOCAL_MACHINE, gl_buf_puts(sub, "SYSTEM"); return true;
    case GL_REGHIVE_SOFTWARE: *base = HKEY_LOCAL_MACHINE, gl_buf_puts(sub, "SOFTWARE"); return true;
    case GL_REGHIVE_SAM: *base = HKEY_LOCAL_MACHINE, gl_buf_puts(sub, "SAM"); return true;
    case GL_REGHIVE_SECURITY: *base = HKEY_LOCAL_MACHINE, gl_buf_puts(sub, "SECURITY"); return true;
    case GL_REGHIVE_DEFAULT: *base = HKEY_USERS, gl_buf_puts(sub, ".DEFAULT"); return true;
    case GL_REGHIVE_NTUSER:
    case GL_REGHIVE_USRCLASS:
        /* Only a SID names a loaded user hive. */
        if (!user || strncmp(user->sid, "S-1-", 4))
            return false;
        *base = HKEY_USERS;
        gl_buf_printf(sub, "%s%s", user->sid, kind == GL_REGHIVE_USRCLASS ? "_Classes" : "");
        return true;
    default: return false; /* Amcache.hve is an application hive: read as a file */
    }
}

static const char *machine_file(gl_reghive_kind kind)
{
    switch (kind) {
    case GL_REGHIVE_SYSTEM: return "SYSTEM";
    case GL_REGHIVE_SOFTWARE: return "SOFTWARE";
    case GL_REGHIVE_SAM: return "SAM";
    case GL_REGHIVE_SECURITY: return "SECURITY";
    default: return "DEFAULT";
    }
}

static void *l_open_hive(void *ctx, gl_reghive_kind kind, const gl_reguser *user, const char **path,
                         const char **artifact, gl_err *err)
{
    live_ctx *lc = ctx;
    lhive *lh = gl_xcalloc(1, sizeof *lh);
    lh->files = &lc->files;
    HKEY base;
    gl_buf sub = {0};
    LSTATUS rc = ERROR_FILE_NOT_FOUND;
    if (live_location(kind, user, &base, &sub)) {
        wchar_t *w = gl_w32_from_utf8(gl_buf_cstr(&sub));
        rc = w ? open_below(base, w, &lh->root) : ERROR_INVALID_NAME;
        if (rc == ERROR_SUCCESS) {
            /* The root's name is the last component of where it is loaded. */
            const wchar_t *last = wcsrchr(w, L'\\');
            table_add(lh, &lh->keys, GL_REGVIEW_NONE, last ? last + 1 : w);
        }
        free(w);
    }
    if (rc != ERROR_SUCCESS) {
        lh->root = NULL;
        /* Not loaded (a user who is not logged on, Amcache) or not
         * readable as keys: the file, through the source. */
        lh->fh = lc->files.open_hive(lc->files.ctx, kind, user, path, artifact, err);
        gl_buf_free(&sub);
        if (!lh->fh) {
            if (rc != ERROR_FILE_NOT_FOUND && sub.len) {
                char why[300];
                gl_w32_error_text((unsigned long)rc, why, sizeof why);
                gl_err_prefix(err, "live key not readable (%s) and its file", why);
            }
            free(lh);
            return NULL;
        }
        return lh;
    }
    lh->hide_current_control_set = kind == GL_REGHIVE_SYSTEM;
    if (user)
        lh->path = gl_xstrdup(kind == GL_REGHIVE_NTUSER ? user->ntuser_path : user->usrclass_path);
    else {
        gl_buf p = {0};
        gl_buf_printf(&p, "%s\\Windows\\System32\\config\\%s", lc->drive, machine_file(kind));
        lh->path = p.data;
    }
    gl_buf_free(&sub);
    *path = lh->path;
    *artifact = lc->preserved ? lc->preserved(lc->preserved_ctx, lh->path) : NULL;
    return lh;
}

static void l_close_hive(void *ctx, void *hive)
{
    (void)ctx;
    lhive_free(hive);
}

static void l_scan_users(void *ctx, bool (*known)(void *actx, const char *ntuser_path),
                         void (*add)(void *actx, const char *sid, const char *profile_path, const char *ntuser_path,
                                     const char *usrclass_path),
                         void *actx)
{
    live_ctx *lc = ctx;
    if (lc->files.scan_users)
        lc->files.scan_users(lc->files.ctx, known, add, actx);
}

static bool l_locate_profile(void *ctx, const char *image_path, gl_buf *out, gl_err *err)
{
    live_ctx *lc = ctx;
    return lc->files.locate_profile(lc->files.ctx, image_path, out, err);
}

static void l_destroy(void *ctx)
{
    live_ctx *lc = ctx;
    if (lc->files.destroy)
        lc->files.destroy(lc->files.ctx);
    free(lc);
}

int gl_regview_live_backend(gl_source *src, const gl_regview_options *opt, gl_regview_backend *out,
                            gl_err *err)
{
    live_ctx *lc = gl_xcalloc(1, sizeof *lc);
    if (gl_regview_files_backend(src, opt, &lc->files, err) != 0) {
        free(lc);
        return -1;
    }
    snprintf(lc->drive, sizeof lc->drive, "%s:", gl_source_drive(src));
    if (opt) {
        lc->preserved = opt->preserved;
        lc->preserved_ctx = opt->preserved_ctx;
    }
    *out = (gl_regview_backend){
        .ctx = lc,
        .open_hive = l_open_hive,
        .close_hive = l_close_hive,
        .problem_count = l_problem_count,
        .problem = l_problem,
        .scan_users = l_scan_users,
        .locate_profile = l_locate_profile,
        .destroy = l_destroy,
        .root = l_root,
        .key_open = l_key_open,
        .key_name = l_key_name,
        .key_class = l_key_class,
        .key_path = l_key_path,
        .key_parent = l_key_parent,
        .key_last_write = l_key_last_write,
        .key_deleted = l_key_deleted,
        .key_subkeys = l_key_subkeys,
        .key_values = l_key_values,
        .value_find = l_value_find,
        .value_name = l_value_name,
        .value_type = l_value_type,
        .value_deleted = l_value_deleted,
        .value_data = l_value_data,
        .value_string = l_value_string,
        .value_multi_sz = l_value_multi_sz,
        .value_dword = l_value_dword,
        .value_qword = l_value_qword,
        .deleted_keys = l_deleted_keys,
        .deleted_orphans = l_deleted_orphans,
    };
    return 0;
}

/* Registry view backend over hive files read through a gl_source: each
 * hive with its .LOG1/.LOG2 parsed by regf. Only gl_source calls here, so
 * the backend is as portable as the source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regf.h"
#include "regview.h"

#define MAX_NOTES 4

typedef struct files_ctx {
    gl_source *src;
    regf_options ropt;
    char drive[8]; /* "C:" */
} files_ctx;

typedef struct fhive {
    gl_file *files[3]; /* hive, LOG1, LOG2 */
    gl_reader readers[3];
    regf_hive *h;
    char *path;
    char *notes[MAX_NOTES];
    gl_regview_level note_level[MAX_NOTES];
    size_t n_notes;
} fhive;

static bool ascii_ieq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        if (y >= 'a' && y <= 'z')
            y = (char)(y - 32);
        if (x != y)
            return false;
        if (!x)
            return true;
    }
    return true;
}

static void fhive_note(fhive *fh, gl_regview_level level, const char *a, const char *b)
{
    if (fh->n_notes == MAX_NOTES)
        return;
    gl_buf m = {0};
    gl_buf_printf(&m, "%s: %s", a, b);
    fh->note_level[fh->n_notes] = level;
    fh->notes[fh->n_notes++] = m.data;
}

static void fhive_free(fhive *fh)
{
    regf_close(fh->h);
    for (int i = 0; i < 3; i++)
        gl_file_close(fh->files[i]);
    for (size_t i = 0; i < fh->n_notes; i++)
        free(fh->notes[i]);
    free(fh->path);
    free(fh);
}

/* What the base block and log replay tell a reader about completeness. */
static void note_recovery(fhive *fh)
{
    const regf_info *in = regf_get_info(fh->h);
    char detail[160];
    if (in->recovery_applied) {
        snprintf(detail, sizeof detail, "dirty hive (sequence %u/%u); replayed %s (%s format, %u pages)",
                 (unsigned)in->seq_primary, (unsigned)in->seq_secondary, in->logs_used,
                 in->log_format == REGF_LOG_NEW ? "new" : "old", (unsigned)in->log_pages);
        fhive_note(fh, GL_REGVIEW_NOTE, fh->path, detail);
    } else if (in->dirty) {
        snprintf(detail, sizeof detail,
                 "dirty hive (sequence %u/%u) and no log replayed: recent writes may be missing",
                 (unsigned)in->seq_primary, (unsigned)in->seq_secondary);
        fhive_note(fh, GL_REGVIEW_NOTE, fh->path, detail);
    }
}

/* Open path and its logs; the logs are optional (a clean hive needs none). */
static fhive *fhive_open(files_ctx *fc, const char *path, gl_err *err)
{
    gl_file_info st;
    gl_err e;
    if (gl_source_stat(fc->src, path, &st, &e) != 0 || st.is_dir) {
        gl_err_setc(err, GL_ERR_ABSENT, "%s: hive not found in the evidence", path);
        return NULL;
    }
    fhive *fh = gl_xcalloc(1, sizeof *fh);
    fh->files[0] = gl_source_open_file(fc->src, path, &e);
    if (!fh->files[0]) {
        gl_err_setc(err, e.code == GL_ERR_ABSENT ? GL_ERR_ABSENT : GL_ERR_IO, "%s: cannot open hive: %s", path, e.msg);
        fhive_free(fh);
        return NULL;
    }
    fh->path = gl_xstrdup(gl_file_get_info(fh->files[0])->path);
    static const char *const suffix[3] = {"", ".LOG1", ".LOG2"};
    for (int i = 1; i < 3; i++) {
        gl_buf p = {0};
        gl_buf_printf(&p, "%s%s", path, suffix[i]);
        if (gl_source_stat(fc->src, p.data, &st, &e) == 0 && !st.is_dir) {
            fh->files[i] = gl_source_open_file(fc->src, p.data, &e);
            if (!fh->files[i]) {
                gl_err_prefix(&e, "transaction log not read");
                fhive_note(fh, GL_REGVIEW_ERROR, p.data, e.msg);
            }
        }
        gl_buf_free(&p);
    }
    for (int i = 0; i < 3; i++)
        if (fh->files[i])
            fh->readers[i] = gl_file_reader(fh->files[i]);
    fh->h = regf_open(&fh->readers[0], fh->files[1] ? &fh->readers[1] : NULL,
                      fh->files[2] ? &fh->readers[2] : NULL, &fc->ropt, &e);
    if (!fh->h) {
        gl_err_setc(err, e.code == GL_ERR_IO ? GL_ERR_IO : GL_ERR_DAMAGED, "%s", e.msg);
        fhive_free(fh);
        return NULL;
    }
    note_recovery(fh);
    return fh;
}

/* ---- locating hives ------------------------------------------------------- */

static const char *machine_path(gl_reghive_kind kind)
{
    switch (kind) {
    case GL_REGHIVE_SYSTEM: return "Windows\\System32\\config\\SYSTEM";
    case GL_REGHIVE_SOFTWARE: return "Windows\\System32\\config\\SOFTWARE";
    case GL_REGHIVE_SAM: return "Windows\\System32\\config\\SAM";
    case GL_REGHIVE_SECURITY: return "Windows\\System32\\config\\SECURITY";
    case GL_REGHIVE_DEFAULT: return "Windows\\System32\\config\\DEFAULT";
    case GL_REGHIVE_AMCACHE: return "Windows\\AppCompat\\Programs\\Amcache.hve";
    default: return NULL;
    }
}

static void *files_open_hive(void *ctx, gl_reghive_kind kind, const gl_reguser *user, const char **path,
                             const char **artifact, gl_err *err)
{
    files_ctx *fc = ctx;
    gl_buf p = {0};
    if (kind == GL_REGHIVE_NTUSER || kind == GL_REGHIVE_USRCLASS) {
        if (!user) {
            gl_err_set(err, "user hive without a user");
            return NULL;
        }
        gl_buf_puts(&p, kind == GL_REGHIVE_NTUSER ? user->ntuser_path : user->usrclass_path);
    } else {
        const char *m = machine_path(kind);
        if (!m) {
            gl_err_set(err, "unknown hive kind %d", (int)kind);
            return NULL;
        }
        gl_buf_printf(&p, "%s\\%s", fc->drive, m);
    }
    fhive *fh = fhive_open(fc, p.data, err);
    gl_buf_free(&p);
    if (!fh)
        return NULL;
    *path = fh->path;
    *artifact = gl_file_artifact(fh->files[0]);
    return fh;
}

static void files_close_hive(void *ctx, void *hive)
{
    (void)ctx;
    fhive_free(hive);
}

static size_t files_problem_count(void *hive)
{
    fhive *fh = hive;
    size_t n = regf_error_count(fh->h);
    return fh->n_notes + (n < REGF_MAX_ERRORS ? n : REGF_MAX_ERRORS);
}

static const char *files_problem(void *hive, size_t i, gl_regview_level *level)
{
    fhive *fh = hive;
    if (i < fh->n_notes) {
        *level = fh->note_level[i];
        return fh->notes[i];
    }
    *level = GL_REGVIEW_ERROR;
    return regf_error(fh->h, i - fh->n_notes);
}

/* Expand %SystemDrive%/%SystemRoot%/%windir% onto the evidence drive, then
 * require the path to live on that drive. */
static bool expand_profile(files_ctx *fc, const char *in, gl_buf *out, gl_err *err)
{
    size_t len = strlen(in);
    for (size_t i = 0; i < len;) {
        if (in[i] != '%') {
            gl_buf_putc(out, in[i++]);
            continue;
        }
        const char *end = memchr(in + i + 1, '%', len - i - 1);
        if (!end) {
            gl_err_set(err, "%s: unterminated %%variable%%", in);
            return false;
        }
        size_t n = (size_t)(end - (in + i + 1));
        const char *name = in + i + 1;
        if (n == 11 && ascii_ieq_n(name, "SystemDrive", 11))
            gl_buf_puts(out, fc->drive);
        else if ((n == 10 && ascii_ieq_n(name, "SystemRoot", 10)) || (n == 6 && ascii_ieq_n(name, "windir", 6)))
            gl_buf_printf(out, "%s\\Windows", fc->drive);
        else {
            gl_err_set(err, "%s: cannot expand %%%.*s%% offline", in, (int)n, name);
            return false;
        }
        i += n + 2;
    }
    const char *s = gl_buf_cstr(out);
    if (s[0] == '\\' && s[1] == '\\') {
        gl_err_set(err, "%s: network profile path is not on the evidence", in);
        return false;
    }
    if (s[0] && s[1] == ':' && !ascii_ieq_n(s, fc->drive, 1)) {
        gl_err_set(err, "%s: drive %c: is not the evidence drive %s", in, s[0], fc->drive);
        return false;
    }
    if (s[0] == '\\') { /* drive-relative: put it on the evidence drive */
        gl_buf t = {0};
        gl_buf_printf(&t, "%s%s", fc->drive, s);
        gl_buf_free(out);
        *out = t;
    }
    while (out->len > 3 && out->data[out->len - 1] == '\\')
        out->data[--out->len] = '\0';
    /* The source refuses ".." anyway; say why here rather than "not found". */
    for (const char *c = strstr(out->data, "\\.."); c; c = strstr(c + 1, "\\.."))
        if (c[3] == '\\' || c[3] == '\0') {
            gl_err_set(err, "%s: '..' is not allowed in evidence paths", in);
            return false;
        }
    if (out->len < 3 || out->data[1] != ':' || out->data[2] != '\\') {
        gl_err_set(err, "%s: not an absolute path", in);
        return false;
    }
    return true;
}

static void profile_triple(gl_buf *out, const char *profile)
{
    gl_buf_puts(out, profile);
    gl_buf_putc(out, '\0');
    gl_buf_printf(out, "%s\\NTUSER.DAT", profile);
    gl_buf_putc(out, '\0');
    gl_buf_printf(out, "%s\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat", profile);
    gl_buf_putc(out, '\0');
}

static bool files_locate_profile(void *ctx, const char *image_path, gl_buf *out, gl_err *err)
{
    gl_buf p = {0};
    bool ok = expand_profile(ctx, image_path, &p, err);
    if (ok)
        profile_triple(out, p.data);
    gl_buf_free(&p);
    return ok;
}

/* ---- scanning for profiles ------------------------------------------------ */

typedef void (*add_user_fn)(void *actx, const char *sid, const char *profile, const char *ntuser,
                            const char *usrclass);

typedef bool (*known_fn)(void *actx, const char *ntuser);

typedef struct scan_walk {
    files_ctx *fc;
    known_fn known;
    add_user_fn add;
    void *actx;
} scan_walk;

static bool looks_like_sid(const char *s, size_t n)
{
    if (n < 5 || !ascii_ieq_n(s, "S-1-", 4))
        return false;
    for (size_t i = 4; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* A profile found on disk names no SID. Windows names the root key of a
 * UsrClass.dat "<SID>_Classes", which gives it; failing that the owner of
 * the NTUSER.DAT root key when it is an account SID (S-1-5-21-...). */
static void probe_sid(files_ctx *fc, const char *ntuser, const char *usrclass, gl_buf *sid)
{
    gl_err e;
    fhive *fh = fhive_open(fc, usrclass, &e);
    if (fh) {
        gl_buf name = {0};
        if (regf_key_name(fh->h, regf_root(fh->h), &name) && name.len > 8 &&
            ascii_ieq_n(name.data + name.len - 8, "_Classes", 8) && looks_like_sid(name.data, name.len - 8))
            gl_buf_append(sid, name.data, name.len - 8);
        gl_buf_free(&name);
        fhive_free(fh);
        if (sid->len)
            return;
    }
    fh = fhive_open(fc, ntuser, &e);
    if (fh) {
        gl_buf owner = {0};
        if (regf_key_owner_sid(fh->h, regf_root(fh->h), &owner) && owner.len > 9 &&
            ascii_ieq_n(owner.data, "S-1-5-21-", 9))
            gl_buf_append(sid, owner.data, owner.len);
        gl_buf_free(&owner);
        fhive_free(fh);
    }
}

static int scan_one(void *ctx, const gl_file_info *info)
{
    scan_walk *w = ctx;
    if (info->is_dir || info->is_link || w->known(w->actx, info->path))
        return 0;
    const char *slash = strrchr(info->path, '\\');
    if (!slash)
        return 0;
    gl_buf triple = {0}, sid = {0};
    gl_buf prof = {0};
    gl_buf_append(&prof, info->path, (size_t)(slash - info->path));
    profile_triple(&triple, gl_buf_cstr(&prof));
    const char *profile = triple.data;
    const char *ntuser = profile + strlen(profile) + 1;
    const char *usrclass = ntuser + strlen(ntuser) + 1;
    probe_sid(w->fc, info->path, usrclass, &sid);
    w->add(w->actx, gl_buf_cstr(&sid), profile, info->path, usrclass);
    gl_buf_free(&triple);
    gl_buf_free(&sid);
    gl_buf_free(&prof);
    return 0;
}

static void files_scan_users(void *ctx, known_fn known, add_user_fn add, void *actx)
{
    files_ctx *fc = ctx;
    scan_walk w = {fc, known, add, actx};
    gl_err e;
    gl_source_glob(fc->src, "Users\\*\\NTUSER.DAT", scan_one, &w, &e);
    /* Service accounts have fixed SIDs and fixed profile folders. */
    static const struct {
        const char *sid, *dir;
    } svc[] = {
        {"S-1-5-18", "Windows\\System32\\config\\systemprofile"},
        {"S-1-5-19", "Windows\\ServiceProfiles\\LocalService"},
        {"S-1-5-20", "Windows\\ServiceProfiles\\NetworkService"},
    };
    for (size_t i = 0; i < sizeof svc / sizeof svc[0]; i++) {
        gl_buf p = {0}, triple = {0};
        gl_buf_printf(&p, "%s\\%s\\NTUSER.DAT", fc->drive, svc[i].dir);
        gl_file_info st;
        if (gl_source_stat(fc->src, p.data, &st, &e) == 0 && !st.is_dir && !known(actx, p.data)) {
            gl_buf_clear(&p);
            gl_buf_printf(&p, "%s\\%s", fc->drive, svc[i].dir);
            profile_triple(&triple, p.data);
            const char *ntuser = triple.data + strlen(triple.data) + 1;
            add(actx, svc[i].sid, triple.data, ntuser, ntuser + strlen(ntuser) + 1);
        }
        gl_buf_free(&p);
        gl_buf_free(&triple);
    }
}

static void files_destroy(void *ctx) { free(ctx); }

/* ---- keys and values: regf ids widened to the view's 64-bit ids ------------ */

#define H(hive) (((fhive *)(hive))->h)
static uint64_t wide(uint32_t id) { return id == REGF_NONE ? GL_REGVIEW_NONE : id; }
static uint32_t narrow(uint64_t id) { return id > UINT32_MAX ? REGF_NONE : (uint32_t)id; }

static uint64_t f_root(void *hv) { return wide(regf_root(H(hv))); }
static uint64_t f_key_open(void *hv, uint64_t k, const char *rel) { return wide(regf_key_open(H(hv), narrow(k), rel)); }
static bool f_key_name(void *hv, uint64_t k, gl_buf *out) { return regf_key_name(H(hv), narrow(k), out); }
static bool f_key_class(void *hv, uint64_t k, gl_buf *out) { return regf_key_class(H(hv), narrow(k), out); }
static bool f_key_path(void *hv, uint64_t k, gl_buf *out)
{
    if (regf_key_deleted(H(hv), narrow(k))) {
        regf_deleted_key_path(H(hv), narrow(k), out);
        return strncmp(gl_buf_cstr(out), "(deleted)", 9) != 0;
    }
    return regf_key_path(H(hv), narrow(k), out);
}
static uint64_t f_key_parent(void *hv, uint64_t k) { return wide(regf_key_parent(H(hv), narrow(k))); }
static uint64_t f_key_last_write(void *hv, uint64_t k) { return regf_key_last_write(H(hv), narrow(k)); }
static bool f_key_deleted(void *hv, uint64_t k) { return regf_key_deleted(H(hv), narrow(k)); }

/* regf lists uint32 ids; the view wants uint64. */
static size_t widen_list(gl_buf *ids, const gl_buf *raw, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, raw->data + i * sizeof v, sizeof v);
        uint64_t w = v;
        gl_buf_append(ids, &w, sizeof w);
    }
    return n;
}

static size_t f_key_subkeys(void *hv, uint64_t k, gl_buf *ids)
{
    gl_buf raw = {0};
    size_t n = widen_list(ids, &raw, regf_key_subkeys(H(hv), narrow(k), &raw));
    gl_buf_free(&raw);
    return n;
}

static size_t f_key_values(void *hv, uint64_t k, gl_buf *ids)
{
    gl_buf raw = {0};
    size_t n = widen_list(ids, &raw, regf_key_values(H(hv), narrow(k), &raw));
    gl_buf_free(&raw);
    return n;
}

static uint64_t f_value_find(void *hv, uint64_t k, const char *name) { return wide(regf_value_find(H(hv), narrow(k), name)); }
static bool f_value_name(void *hv, uint64_t v, gl_buf *out) { return regf_value_name(H(hv), narrow(v), out); }
static uint32_t f_value_type(void *hv, uint64_t v) { return regf_value_type(H(hv), narrow(v)); }
static bool f_value_deleted(void *hv, uint64_t v) { return regf_value_deleted(H(hv), narrow(v)); }
static const uint8_t *f_value_data(void *hv, uint64_t v, size_t *len, gl_buf *scratch)
{
    return regf_value_data(H(hv), narrow(v), len, scratch);
}
static bool f_value_string(void *hv, uint64_t v, gl_buf *out) { return regf_value_string(H(hv), narrow(v), out); }
static long f_value_multi_sz(void *hv, uint64_t v, gl_buf *out) { return regf_value_multi_sz(H(hv), narrow(v), out); }
static bool f_value_dword(void *hv, uint64_t v, uint32_t *out) { return regf_value_dword(H(hv), narrow(v), out); }
static bool f_value_qword(void *hv, uint64_t v, uint64_t *out) { return regf_value_qword(H(hv), narrow(v), out); }

/* One of regf's deleted-material lists, widened. */
static size_t list_ids(regf_hive *h, size_t n, regf_key (*get)(const regf_hive *, size_t), gl_buf *ids)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t w = get(h, i);
        gl_buf_append(ids, &w, sizeof w);
    }
    return n;
}

static size_t f_deleted_keys(void *hv, gl_buf *ids)
{
    return list_ids(H(hv), regf_deleted_key_count(H(hv)), regf_deleted_key, ids);
}

static size_t f_deleted_orphans(void *hv, gl_buf *ids)
{
    return list_ids(H(hv), regf_deleted_orphan_value_count(H(hv)), regf_deleted_orphan_value, ids);
}

int gl_regview_files_backend(gl_source *src, const gl_regview_options *opt, gl_regview_backend *out,
                             gl_err *err)
{
    if (!src)
        return gl_err_set(err, "registry view: no source");
    files_ctx *fc = gl_xcalloc(1, sizeof *fc);
    fc->src = src;
    regf_options_init(&fc->ropt);
    if (opt) {
        fc->ropt.recover_deleted = opt->recover_deleted;
        fc->ropt.logs = opt->ignore_logs ? REGF_LOGS_NONE : REGF_LOGS_AUTO;
    }
    /* Evidence paths carry the source's drive letter; a source without one
     * (live POSIX) is addressed as C:, which the source strips anyway. */
    const char *d = gl_source_drive(src);
    char letter = (d && d[0] && !d[1] && ((d[0] >= 'A' && d[0] <= 'Z') || (d[0] >= 'a' && d[0] <= 'z'))) ? d[0] : 'C';
    snprintf(fc->drive, sizeof fc->drive, "%c:", letter);
    gl_regview_backend b = {
        .ctx = fc,
        .open_hive = files_open_hive,
        .close_hive = files_close_hive,
        .problem_count = files_problem_count,
        .problem = files_problem,
        .scan_users = files_scan_users,
        .locate_profile = files_locate_profile,
        .destroy = files_destroy,
        .root = f_root,
        .key_open = f_key_open,
        .key_name = f_key_name,
        .key_class = f_key_class,
        .key_path = f_key_path,
        .key_parent = f_key_parent,
        .key_last_write = f_key_last_write,
        .key_deleted = f_key_deleted,
        .key_subkeys = f_key_subkeys,
        .key_values = f_key_values,
        .value_find = f_value_find,
        .value_name = f_value_name,
        .value_type = f_value_type,
        .value_deleted = f_value_deleted,
        .value_data = f_value_data,
        .value_string = f_value_string,
        .value_multi_sz = f_value_multi_sz,
        .value_dword = f_value_dword,
        .value_qword = f_value_qword,
        .deleted_keys = f_deleted_keys,
        .deleted_orphans = f_deleted_orphans,
    };
    *out = b;
    return 0;
}

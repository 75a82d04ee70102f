/* Registry view front end: view paths to (hive, relative path), control
 * sets, users, problems and locators. Knows nothing of files; every read
 * goes through the backend. */
#include "regview.h"
#include "fold.h"
#include "regf.h"
#include "regview_live.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_MACHINE 6 /* SYSTEM .. AMCACHE in gl_reghive_kind order */
#define MAX_USERS 4096
#define MAX_LIST 1000000 /* subkeys/values of one key: far above real hives */

struct gl_reghive {
    gl_regview *rv;
    gl_reghive_kind kind;
    const gl_reguser *user;
    char *root_name; /* "HKLM\SYSTEM", "HKU\S-1-5-..._Classes" */
    bool tried;
    void *bh; /* backend hive, NULL when it could not be opened */
    gl_err open_err;
    const char *path, *artifact;
    size_t problems_seen;
    /* recover_deleted: (parent, deleted key) pairs sorted by parent. */
    bool deleted_indexed;
    uint64_t (*dpairs)[2];
    size_t n_dpairs;
};

typedef struct problem {
    gl_regview_level level;
    char *msg;
} problem;

struct gl_regview {
    gl_regview_backend be;
    gl_regview_options opt;
    gl_reghive machine[N_MACHINE];

    bool users_done;
    gl_reguser *users;
    gl_reghive *user_hives; /* 2 per user: NTUSER, UsrClass */
    size_t n_users, cap_users;

    bool cs_done;
    gl_regcontrolset *cs;
    size_t n_cs;
    bool select_read;
    uint32_t sel[4]; /* Current, Default, Failed, LastKnownGood */
    bool sel_ok[4];

    problem problems[GL_REGVIEW_MAX_PROBLEMS];
    size_t n_problems; /* keeps counting past the array */
    gl_regview_problem_cb cb;
    size_t hives_parsed; /* hives opened (parsed, logs replayed): once each */
    gl_buf parsed_roots;
    void *cb_ctx;
};

static const char *const machine_roots[N_MACHINE] = {
    "HKLM\\SYSTEM", "HKLM\\SOFTWARE", "HKLM\\SAM", "HKLM\\SECURITY", "HKU\\.DEFAULT", "AMCACHE",
};

/* ---- small helpers ------------------------------------------------------ */

static char upper(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c; }

/* ASCII case-insensitive compare of a counted name with a C string (for
 * the view's own keywords; names from evidence go through fold.h). */
static bool name_is(const char *s, size_t n, const char *want)
{
    size_t i = 0;
    for (; i < n && want[i]; i++)
        if (upper(s[i]) != upper(want[i]))
            return false;
    return i == n && !want[i];
}


/* Next '\'-separated component of *p (leading and doubled separators
 * skipped). False at the end. */
static bool next_comp(const char **p, const char **start, size_t *len)
{
    const char *s = *p;
    while (*s == '\\')
        s++;
    if (!*s) {
        *p = s;
        return false;
    }
    const char *e = s;
    while (*e && *e != '\\')
        e++;
    *start = s;
    *len = (size_t)(e - s);
    *p = e;
    return true;
}

static const char *skip_seps(const char *p)
{
    while (*p == '\\')
        p++;
    return p;
}

static void add_problem_code(gl_regview *rv, gl_regview_level level, gl_err_code code, const char *fmt, ...)
    GL_PRINTF(4, 5);
static void add_problem_code(gl_regview *rv, gl_regview_level level, gl_err_code code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (rv->cb)
        rv->cb(rv->cb_ctx, level, code, msg);
    if (rv->n_problems < GL_REGVIEW_MAX_PROBLEMS) {
        rv->problems[rv->n_problems].level = level;
        rv->problems[rv->n_problems].msg = gl_xstrdup(msg);
    }
    rv->n_problems++;
}

/* Problems inside a hive are damage; notes and absences say so themselves. */
#define add_problem(rv, level, ...) \
    add_problem_code(rv, level, (level) == GL_REGVIEW_ERROR ? GL_ERR_DAMAGED : GL_ERR_OTHER, __VA_ARGS__)

/* Pull the problems a hive recorded since the last look. */
static void sync_hive(gl_reghive *mh)
{
    if (!mh->bh)
        return;
    gl_regview *rv = mh->rv;
    size_t n = rv->be.problem_count(mh->bh);
    for (; mh->problems_seen < n; mh->problems_seen++) {
        gl_regview_level level = GL_REGVIEW_ERROR;
        const char *msg = rv->be.problem(mh->bh, mh->problems_seen, &level);
        add_problem(rv, level, "%s: %s", mh->root_name, msg ? msg : "?");
    }
}

static void sync_all(gl_regview *rv)
{
    for (size_t i = 0; i < N_MACHINE; i++)
        sync_hive(&rv->machine[i]);
    for (size_t i = 0; rv->user_hives && i < 2 * rv->n_users; i++)
        sync_hive(&rv->user_hives[i]);
}

/* Open on first use; a failure is remembered and reported once. */
static bool mount(gl_reghive *mh, gl_err *err)
{
    gl_regview *rv = mh->rv;
    if (!mh->tried) {
        mh->tried = true;
        mh->bh = rv->be.open_hive(rv->be.ctx, mh->kind, mh->user, &mh->path, &mh->artifact, &mh->open_err);
        if (mh->bh) {
            rv->hives_parsed++;
            gl_buf_printf(&rv->parsed_roots, "%s%s", rv->parsed_roots.len ? ", " : "", mh->root_name);
        } else {
            gl_err_prefix(&mh->open_err, "%s", mh->root_name);
            add_problem_code(rv, GL_REGVIEW_ERROR, mh->open_err.code, "%s", mh->open_err.msg);
        }
        sync_hive(mh);
    }
    if (!mh->bh) {
        gl_err_setc(err, mh->open_err.code, "%s", mh->open_err.msg);
        return false;
    }
    return true;
}

/* ---- open/close --------------------------------------------------------- */

gl_regview *gl_regview_open_backend(const gl_regview_backend *backend, const gl_regview_options *opt,
                                    gl_err *err)
{
    if (!backend || !backend->open_hive || !backend->root || !backend->key_open) {
        gl_err_set(err, "registry view: incomplete backend");
        return NULL;
    }
    gl_regview *rv = gl_xcalloc(1, sizeof *rv);
    rv->be = *backend;
    if (opt)
        rv->opt = *opt;
    for (int i = 0; i < N_MACHINE; i++) {
        rv->machine[i].rv = rv;
        rv->machine[i].kind = (gl_reghive_kind)i;
        rv->machine[i].root_name = gl_xstrdup(machine_roots[i]);
    }
    return rv;
}

gl_regview *gl_regview_open_opts(gl_source *src, const gl_regview_options *opt, gl_err *err)
{
    gl_regview_backend be;
    /* A live source reads the running registry where the platform has
     * one (regview_live.h); anything else reads hive files. */
    int live = src && !strcmp(gl_source_kind(src), "live") ? gl_regview_live_backend(src, opt, &be, err) : 1;
    if (live < 0 || (live > 0 && gl_regview_files_backend(src, opt, &be, err) != 0))
        return NULL;
    gl_regview *rv = gl_regview_open_backend(&be, opt, err);
    if (!rv && be.destroy)
        be.destroy(be.ctx);
    return rv;
}

gl_regview *gl_regview_open(gl_source *src, gl_err *err) { return gl_regview_open_opts(src, NULL, err); }

static void hive_free(gl_regview *rv, gl_reghive *mh)
{
    if (mh->bh)
        rv->be.close_hive(rv->be.ctx, mh->bh);
    free(mh->root_name);
    free(mh->dpairs);
}

static void user_free(gl_reguser *u)
{
    free((char *)u->sid);
    free((char *)u->name);
    free((char *)u->profile_path);
    free((char *)u->ntuser_path);
    free((char *)u->usrclass_path);
}

void gl_regview_close(gl_regview *rv)
{
    if (!rv)
        return;
    for (int i = 0; i < N_MACHINE; i++)
        hive_free(rv, &rv->machine[i]);
    for (size_t i = 0; rv->user_hives && i < 2 * rv->n_users; i++)
        hive_free(rv, &rv->user_hives[i]);
    for (size_t i = 0; i < rv->n_users; i++)
        user_free(&rv->users[i]);
    free(rv->users);
    free(rv->user_hives);
    gl_buf_free(&rv->parsed_roots);
    free(rv->cs);
    size_t kept = rv->n_problems < GL_REGVIEW_MAX_PROBLEMS ? rv->n_problems : GL_REGVIEW_MAX_PROBLEMS;
    for (size_t i = 0; i < kept; i++)
        free(rv->problems[i].msg);
    if (rv->be.destroy)
        rv->be.destroy(rv->be.ctx);
    free(rv);
}

/* ---- problems ----------------------------------------------------------- */

size_t gl_regview_problem_count(gl_regview *rv)
{
    sync_all(rv);
    return rv->n_problems;
}

const char *gl_regview_problem(gl_regview *rv, size_t i, gl_regview_level *level)
{
    if (i >= rv->n_problems || i >= GL_REGVIEW_MAX_PROBLEMS)
        return NULL;
    if (level)
        *level = rv->problems[i].level;
    return rv->problems[i].msg;
}

void gl_regview_set_problem_cb(gl_regview *rv, gl_regview_problem_cb cb, void *ctx)
{
    rv->cb = cb;
    rv->cb_ctx = ctx;
}

/* ---- users -------------------------------------------------------------- */

static const char *folder_name(const char *profile)
{
    const char *s = strrchr(profile, '\\');
    return s ? s + 1 : profile;
}

static const gl_reguser *find_user(const gl_regview *rv, const char *name, size_t len)
{
    for (size_t i = 0; i < rv->n_users; i++)
        if (gl_name_casecmp(name, len, rv->users[i].name, strlen(rv->users[i].name)) == 0)
            return &rv->users[i];
    return NULL;
}

static void push_user(gl_regview *rv, const char *sid, const char *name, const char *profile, const char *ntuser,
                      const char *usrclass, gl_reguser_origin origin)
{
    if (rv->n_users == MAX_USERS) {
        add_problem(rv, GL_REGVIEW_ERROR, "HKU: more than %d profiles; %s ignored", MAX_USERS, profile);
        return;
    }
    if (rv->n_users == rv->cap_users) {
        rv->cap_users = rv->cap_users ? rv->cap_users * 2 : 8;
        rv->users = gl_xrealloc(rv->users, rv->cap_users * sizeof *rv->users);
    }
    gl_reguser *u = &rv->users[rv->n_users++];
    u->sid = gl_xstrdup(sid);
    u->name = gl_xstrdup(name);
    u->profile_path = gl_xstrdup(profile);
    u->ntuser_path = gl_xstrdup(ntuser);
    u->usrclass_path = gl_xstrdup(usrclass);
    u->origin = origin;
}

/* Scanned profiles add to ProfileList, never duplicate it: a profile whose
 * NTUSER.DAT ProfileList already names is dropped, and one whose SID is
 * taken (or unknown) is addressed by its folder name instead. */
static bool known_ntuser(void *actx, const char *ntuser)
{
    gl_regview *rv = actx;
    for (size_t i = 0; i < rv->n_users; i++)
        if (gl_name_equal(rv->users[i].ntuser_path, ntuser))
            return true;
    return false;
}

static void add_scanned(void *actx, const char *sid, const char *profile, const char *ntuser, const char *usrclass)
{
    gl_regview *rv = actx;
    if (known_ntuser(rv, ntuser))
        return;
    const char *name = sid;
    if (!sid[0] || find_user(rv, sid, strlen(sid)))
        name = folder_name(profile);
    if (find_user(rv, name, strlen(name))) {
        add_problem(rv, GL_REGVIEW_NOTE, "HKU: profile %s has no name of its own in the view (%s taken)", profile,
                    name);
        return;
    }
    push_user(rv, sid, name, profile, ntuser, usrclass, GL_REGUSER_SCAN);
}

/* ProfileList\<SID>\ProfileImagePath for every SID. */
static void read_profile_list(gl_regview *rv)
{
    gl_regkey pl;
    gl_err e;
    if (gl_regview_key(rv, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList", &pl, &e) != 0) {
        if (rv->machine[GL_REGHIVE_SOFTWARE].bh) /* a missing hive is reported already */
            add_problem(rv, GL_REGVIEW_ERROR,
                        "HKU: HKLM\\SOFTWARE has no Microsoft\\Windows NT\\CurrentVersion\\ProfileList; "
                        "looking for profiles on disk");
        return;
    }
    gl_regkeys subs = {0};
    gl_buf sid = {0}, img = {0}, triple = {0}, loc = {0};
    gl_regkey_subkeys(pl, &subs);
    for (size_t i = 0; i < subs.n; i++) {
        gl_buf_clear(&sid);
        gl_buf_clear(&img);
        gl_buf_clear(&triple);
        if (gl_regkey_deleted(subs.v[i]) || !gl_regkey_name(subs.v[i], &sid))
            continue;
        gl_regval v = gl_regkey_value(subs.v[i], "ProfileImagePath");
        gl_buf_clear(&loc);
        gl_regkey_locator(subs.v[i], &loc);
        uint32_t type = gl_regval_type(v);
        char tname[32];
        if (!gl_regval_ok(v)) {
            add_problem(rv, GL_REGVIEW_ERROR, "%s: no ProfileImagePath", gl_buf_cstr(&loc));
            continue;
        }
        if (type != REGF_REG_SZ && type != REGF_REG_EXPAND_SZ) {
            add_problem(rv, GL_REGVIEW_ERROR, "%s: ProfileImagePath is %s, not a string", gl_buf_cstr(&loc),
                        regf_type_name(type, tname));
            continue;
        }
        if (!gl_regval_string(v, &img) || img.len == 0) {
            add_problem(rv, GL_REGVIEW_ERROR, "%s: ProfileImagePath is empty or unreadable", gl_buf_cstr(&loc));
            continue;
        }
        if (!rv->be.locate_profile(rv->be.ctx, gl_buf_cstr(&img), &triple, &e)) {
            add_problem(rv, GL_REGVIEW_ERROR, "%s: %s", gl_buf_cstr(&loc), e.msg);
            continue;
        }
        if (find_user(rv, sid.data, sid.len)) {
            add_problem(rv, GL_REGVIEW_ERROR, "%s: SID listed twice", gl_buf_cstr(&loc));
            continue;
        }
        const char *profile = triple.data;
        const char *ntuser = profile + strlen(profile) + 1;
        push_user(rv, sid.data, sid.data, profile, ntuser, ntuser + strlen(ntuser) + 1, GL_REGUSER_PROFILELIST);
    }
    gl_regkeys_free(&subs);
    gl_buf_free(&sid);
    gl_buf_free(&img);
    gl_buf_free(&triple);
    gl_buf_free(&loc);
}

static void resolve_users(gl_regview *rv)
{
    if (rv->users_done)
        return;
    rv->users_done = true;
    read_profile_list(rv);
    if (rv->be.scan_users)
        rv->be.scan_users(rv->be.ctx, known_ntuser, add_scanned, rv);
    /* The hive slots are made once, so handles can point at them. */
    rv->user_hives = gl_xcalloc(rv->n_users ? 2 * rv->n_users : 1, sizeof *rv->user_hives);
    for (size_t i = 0; i < rv->n_users; i++)
        for (int k = 0; k < 2; k++) {
            gl_reghive *mh = &rv->user_hives[2 * i + (size_t)k];
            mh->rv = rv;
            mh->kind = k ? GL_REGHIVE_USRCLASS : GL_REGHIVE_NTUSER;
            mh->user = &rv->users[i];
            gl_buf n = {0};
            gl_buf_printf(&n, "HKU\\%s%s", rv->users[i].name, k ? "_Classes" : "");
            mh->root_name = n.data;
        }
}

size_t gl_regview_users(gl_regview *rv, const gl_reguser **users)
{
    resolve_users(rv);
    *users = rv->users;
    return rv->n_users;
}

const char *gl_reguser_origin_name(gl_reguser_origin o)
{
    return o == GL_REGUSER_PROFILELIST ? "profilelist" : "scan";
}

/* ---- control sets ------------------------------------------------------- */

static void read_select(gl_regview *rv)
{
    if (rv->select_read)
        return;
    rv->select_read = true;
    gl_err e;
    gl_regkey sel;
    if (gl_regview_key(rv, "HKLM\\SYSTEM\\Select", &sel, &e) != 0)
        return;
    static const char *const names[4] = {"Current", "Default", "Failed", "LastKnownGood"};
    for (int i = 0; i < 4; i++) {
        gl_regval v = gl_regkey_value(sel, names[i]);
        rv->sel_ok[i] = gl_regval_ok(v) && gl_regval_dword(v, &rv->sel[i]);
    }
}

/* "ControlSet" followed by exactly three digits. */
static bool control_set_number(const char *name, size_t len, unsigned *num)
{
    if (len != 13 || !name_is(name, 10, "ControlSet"))
        return false;
    unsigned n = 0;
    for (size_t i = 10; i < 13; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        n = n * 10 + (unsigned)(name[i] - '0');
    }
    *num = n;
    return true;
}

size_t gl_regview_control_sets(gl_regview *rv, const gl_regcontrolset **sets)
{
    if (!rv->cs_done) {
        rv->cs_done = true;
        read_select(rv);
        gl_regkey root;
        gl_err e;
        gl_regkeys subs = {0};
        gl_buf name = {0};
        if (gl_regview_key(rv, "HKLM\\SYSTEM", &root, &e) == 0)
            gl_regkey_subkeys(root, &subs);
        rv->cs = gl_xcalloc(subs.n ? subs.n : 1, sizeof *rv->cs);
        for (size_t i = 0; i < subs.n; i++) {
            gl_buf_clear(&name);
            unsigned num;
            if (gl_regkey_deleted(subs.v[i]) || !gl_regkey_name(subs.v[i], &name) ||
                !control_set_number(name.data, name.len, &num))
                continue;
            gl_regcontrolset *c = &rv->cs[rv->n_cs++];
            c->number = num;
            snprintf(c->name, sizeof c->name, "ControlSet%03u", num);
            /* Select uses 0 for "none" (Failed is 0 on a healthy host). */
            c->current = rv->sel_ok[0] && rv->sel[0] == num && num;
            c->is_default = rv->sel_ok[1] && rv->sel[1] == num && num;
            c->failed = rv->sel_ok[2] && rv->sel[2] == num && num;
            c->last_known_good = rv->sel_ok[3] && rv->sel[3] == num && num;
        }
        /* Insertion sort: a handful of sets, hive order is not numeric order. */
        for (size_t i = 1; i < rv->n_cs; i++)
            for (size_t j = i; j > 0 && rv->cs[j - 1].number > rv->cs[j].number; j--) {
                gl_regcontrolset t = rv->cs[j];
                rv->cs[j] = rv->cs[j - 1];
                rv->cs[j - 1] = t;
            }
        gl_regkeys_free(&subs);
        gl_buf_free(&name);
    }
    *sets = rv->cs;
    return rv->n_cs;
}

/* ---- path resolution ---------------------------------------------------- */

/* Split a view path into its hive and the path inside it (into rel). */
static gl_reghive *resolve(gl_regview *rv, const char *path, gl_buf *rel, gl_err *err)
{
    const char *p = path, *c;
    size_t n;
    gl_buf_clear(rel);
    if (!next_comp(&p, &c, &n)) {
        gl_err_set(err, "registry path is empty");
        return NULL;
    }
    gl_reghive *mh = NULL;
    if (name_is(c, n, "AMCACHE")) {
        mh = &rv->machine[GL_REGHIVE_AMCACHE];
    } else if (name_is(c, n, "HKLM") || name_is(c, n, "HKEY_LOCAL_MACHINE")) {
        if (!next_comp(&p, &c, &n)) {
            gl_err_set(err, "%s: HKLM itself is not a hive; name SOFTWARE, SYSTEM, SAM or SECURITY", path);
            return NULL;
        }
        static const gl_reghive_kind kinds[4] = {GL_REGHIVE_SYSTEM, GL_REGHIVE_SOFTWARE, GL_REGHIVE_SAM,
                                                 GL_REGHIVE_SECURITY};
        static const char *const names[4] = {"SYSTEM", "SOFTWARE", "SAM", "SECURITY"};
        for (int i = 0; i < 4 && !mh; i++)
            if (name_is(c, n, names[i]))
                mh = &rv->machine[kinds[i]];
        if (!mh) {
            gl_err_set(err, "%s: HKLM\\%.*s is not stored in a hive file", path, (int)n, c);
            return NULL;
        }
        if (mh->kind == GL_REGHIVE_SYSTEM) {
            const char *q = p;
            if (next_comp(&q, &c, &n) && name_is(c, n, "CurrentControlSet")) {
                read_select(rv);
                if (!rv->sel_ok[0] || rv->sel[0] == 0 || rv->sel[0] > 999) {
                    if (!mount(mh, err))
                        return NULL;
                    gl_err_setc(err, GL_ERR_DAMAGED,
                                "%s: cannot resolve CurrentControlSet: HKLM\\SYSTEM\\Select\\Current is %s",
                               path, rv->sel_ok[0] ? "out of range" : "missing or not a DWORD");
                    return NULL;
                }
                gl_buf_printf(rel, "ControlSet%03u", (unsigned)rv->sel[0]);
                p = q;
            }
        }
    } else if (name_is(c, n, "HKU") || name_is(c, n, "HKEY_USERS")) {
        if (!next_comp(&p, &c, &n)) {
            gl_err_set(err, "%s: name a user below HKU", path);
            return NULL;
        }
        if (name_is(c, n, ".DEFAULT")) {
            mh = &rv->machine[GL_REGHIVE_DEFAULT];
        } else {
            resolve_users(rv);
            bool classes = n > 8 && name_is(c + n - 8, 8, "_Classes");
            size_t un = classes ? n - 8 : n;
            const gl_reguser *u = find_user(rv, c, un);
            if (!u) {
                gl_err_setc(err, GL_ERR_ABSENT, "%s: no profile for %.*s (see the view's users and problems)", path,
                            (int)un, c);
                return NULL;
            }
            /* HKU\<SID>\Software\Classes is a link to <SID>_Classes. */
            const char *q = p, *c1, *c2;
            size_t n1, n2;
            if (!classes && next_comp(&q, &c1, &n1) && name_is(c1, n1, "Software") && next_comp(&q, &c2, &n2) &&
                name_is(c2, n2, "Classes")) {
                classes = true;
                p = q;
            }
            mh = &rv->user_hives[2 * (size_t)(u - rv->users) + (classes ? 1 : 0)];
        }
    } else {
        gl_err_set(err, "%s: unknown root %.*s (want HKLM, HKU or AMCACHE)", path, (int)n, c);
        return NULL;
    }
    if (!mount(mh, err))
        return NULL;
    p = skip_seps(p);
    if (*p) {
        if (rel->len)
            gl_buf_putc(rel, '\\');
        gl_buf_puts(rel, p);
    }
    gl_buf_cstr(rel);
    return mh;
}

int gl_regview_key(gl_regview *rv, const char *path, gl_regkey *out, gl_err *err)
{
    gl_buf rel = {0};
    out->hive = NULL;
    out->id = GL_REGVIEW_NONE;
    gl_reghive *mh = resolve(rv, path, &rel, err);
    int rc = -1;
    if (mh) {
        uint64_t id = rv->be.key_open(mh->bh, rv->be.root(mh->bh), rel.data);
        sync_hive(mh);
        if (id == GL_REGVIEW_NONE) {
            gl_err_setc(err, GL_ERR_ABSENT, "%s: no such key (%s\\%s)", path, mh->root_name, rel.data);
        } else {
            out->hive = mh;
            out->id = id;
            rc = 0;
        }
    }
    gl_buf_free(&rel);
    return rc;
}

size_t gl_regview_key_wow(gl_regview *rv, const char *path, gl_regkey out[2])
{
    gl_buf rel = {0};
    gl_err e;
    size_t n = 0;
    gl_reghive *mh = resolve(rv, path, &rel, &e);
    if (!mh) {
        gl_buf_free(&rel);
        return 0;
    }
    gl_buf wow = {0};
    const char *r = rel.data, *c;
    size_t len;
    const char *q = r;
    /* Where WOW6432Node goes: right under SOFTWARE, or under a user's Software. */
    if (mh->kind == GL_REGHIVE_SOFTWARE) {
        if (!(next_comp(&q, &c, &len) && name_is(c, len, "WOW6432Node")))
            gl_buf_printf(&wow, "WOW6432Node%s%s", *skip_seps(r) ? "\\" : "", skip_seps(r));
    } else if (mh->kind == GL_REGHIVE_NTUSER && next_comp(&q, &c, &len) && name_is(c, len, "Software")) {
        const char *after = q, *c2;
        size_t len2;
        if (!(next_comp(&after, &c2, &len2) && name_is(c2, len2, "WOW6432Node")))
            gl_buf_printf(&wow, "%.*s\\WOW6432Node%s%s", (int)len, c, *skip_seps(q) ? "\\" : "", skip_seps(q));
    }
    uint64_t root = rv->be.root(mh->bh);
    uint64_t id = rv->be.key_open(mh->bh, root, rel.data);
    if (id != GL_REGVIEW_NONE)
        out[n++] = (gl_regkey){mh, id};
    if (wow.len) {
        id = rv->be.key_open(mh->bh, root, wow.data);
        if (id != GL_REGVIEW_NONE)
            out[n++] = (gl_regkey){mh, id};
    }
    gl_buf_free(&rel);
    gl_buf_free(&wow);
    return n;
}

/* ---- keys --------------------------------------------------------------- */

#define BE(k) ((k).hive->rv->be)

void gl_regkeys_free(gl_regkeys *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

void gl_regvals_free(gl_regvals *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void keys_push(gl_regkeys *l, gl_regkey k)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = gl_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = k;
}

static void vals_push(gl_regvals *l, gl_regval v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = gl_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = v;
}

static uint64_t id_at(const gl_buf *ids, size_t i)
{
    uint64_t v;
    memcpy(&v, ids->data + i * sizeof v, sizeof v);
    return v;
}

gl_regkey gl_regkey_child(gl_regkey k, const char *rel)
{
    gl_regkey r = {NULL, GL_REGVIEW_NONE};
    if (!k.hive)
        return r;
    uint64_t id = BE(k).key_open(k.hive->bh, k.id, rel);
    sync_hive(k.hive);
    if (id != GL_REGVIEW_NONE) {
        r.hive = k.hive;
        r.id = id;
    }
    return r;
}

static int cmp_pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Deleted keys grouped by parent, built once per hive on first need. */
static void index_deleted(gl_reghive *mh)
{
    if (mh->deleted_indexed)
        return;
    mh->deleted_indexed = true;
    gl_regview_backend *be = &mh->rv->be;
    if (!be->deleted_keys || !be->key_parent)
        return;
    gl_buf ids = {0};
    size_t n = be->deleted_keys(mh->bh, &ids);
    if (n > MAX_LIST)
        n = MAX_LIST;
    mh->dpairs = gl_xcalloc(n ? n : 1, sizeof *mh->dpairs);
    for (size_t i = 0; i < n; i++) {
        uint64_t d = id_at(&ids, i);
        uint64_t parent = be->key_parent(mh->bh, d);
        if (parent == GL_REGVIEW_NONE)
            continue;
        mh->dpairs[mh->n_dpairs][0] = parent;
        mh->dpairs[mh->n_dpairs][1] = d;
        mh->n_dpairs++;
    }
    qsort(mh->dpairs, mh->n_dpairs, sizeof *mh->dpairs, cmp_pair);
    gl_buf_free(&ids);
}

size_t gl_regkey_subkeys(gl_regkey k, gl_regkeys *out)
{
    out->n = 0;
    if (!k.hive)
        return 0;
    gl_buf ids = {0};
    size_t n = BE(k).key_subkeys(k.hive->bh, k.id, &ids);
    for (size_t i = 0; i < n && i < MAX_LIST; i++)
        keys_push(out, (gl_regkey){k.hive, id_at(&ids, i)});
    gl_buf_free(&ids);
    sync_hive(k.hive);
    if (k.hive->rv->opt.recover_deleted) {
        index_deleted(k.hive);
        /* Lower bound of k.id among the parents, then the run of them. */
        size_t lo = 0, hi = k.hive->n_dpairs;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (k.hive->dpairs[mid][0] < k.id)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* A deleted key's own (freed) subkey list may still name them. */
        size_t listed = out->n;
        for (; lo < k.hive->n_dpairs && k.hive->dpairs[lo][0] == k.id; lo++) {
            bool dup = false;
            for (size_t i = 0; i < listed && !dup; i++)
                dup = out->v[i].id == k.hive->dpairs[lo][1];
            if (!dup)
                keys_push(out, (gl_regkey){k.hive, k.hive->dpairs[lo][1]});
        }
    }
    return out->n;
}

size_t gl_regkey_values(gl_regkey k, gl_regvals *out)
{
    out->n = 0;
    if (!k.hive)
        return 0;
    gl_buf ids = {0};
    size_t n = BE(k).key_values(k.hive->bh, k.id, &ids);
    for (size_t i = 0; i < n && i < MAX_LIST; i++)
        vals_push(out, (gl_regval){k.hive, k.id, id_at(&ids, i)});
    gl_buf_free(&ids);
    sync_hive(k.hive);
    return out->n;
}

gl_regval gl_regkey_value(gl_regkey k, const char *name)
{
    gl_regval r = {NULL, GL_REGVIEW_NONE, GL_REGVIEW_NONE};
    if (!k.hive)
        return r;
    uint64_t id = BE(k).value_find(k.hive->bh, k.id, name);
    if (id != GL_REGVIEW_NONE)
        r = (gl_regval){k.hive, k.id, id};
    return r;
}

bool gl_regkey_name(gl_regkey k, gl_buf *out) { return k.hive && BE(k).key_name(k.hive->bh, k.id, out); }
bool gl_regkey_class(gl_regkey k, gl_buf *out) { return k.hive && BE(k).key_class(k.hive->bh, k.id, out); }
uint64_t gl_regkey_last_write(gl_regkey k) { return k.hive ? BE(k).key_last_write(k.hive->bh, k.id) : 0; }
bool gl_regkey_deleted(gl_regkey k) { return k.hive && BE(k).key_deleted(k.hive->bh, k.id); }

/* ---- walking ------------------------------------------------------------ */

/* Open-addressing set of visited key ids: shared or cyclic subkey lists in
 * a damaged hive must not make the walk loop. */
typedef struct id_set {
    uint64_t *slot; /* GL_REGVIEW_NONE = empty */
    size_t cap, n;
} id_set;

static size_t id_hash(uint64_t id, size_t cap) { return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1); }

/* Adds id; false when it was there already. */
static bool id_set_add(id_set *s, uint64_t id)
{
    if (2 * (s->n + 1) > s->cap) {
        id_set old = *s;
        s->cap = old.cap ? old.cap * 2 : 1024;
        s->slot = gl_xmalloc(s->cap * sizeof *s->slot);
        memset(s->slot, 0xFF, s->cap * sizeof *s->slot);
        s->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i] != GL_REGVIEW_NONE)
                id_set_add(s, old.slot[i]);
        free(old.slot);
    }
    size_t i = id_hash(id, s->cap);
    while (s->slot[i] != GL_REGVIEW_NONE) {
        if (s->slot[i] == id)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->slot[i] = id;
    s->n++;
    return true;
}

typedef struct walk {
    gl_regkey_walk_cb cb;
    void *ctx;
    id_set seen;
    gl_buf path;
    size_t visited;
    bool capped;
} walk;

static void walk_problem(gl_regkey k, const char *what)
{
    gl_buf loc = {0};
    gl_regkey_locator(k, &loc);
    add_problem(k.hive->rv, GL_REGVIEW_ERROR, "%s: %s", gl_buf_cstr(&loc), what);
    gl_buf_free(&loc);
}

static int walk_key(walk *w, gl_regkey k, int depth)
{
    if (!id_set_add(&w->seen, k.id))
        return 0;
    if (++w->visited > GL_REGVIEW_MAX_WALK) {
        w->capped = true;
        return 0;
    }
    int rc = w->cb(w->ctx, k, gl_buf_cstr(&w->path));
    if (rc)
        return rc;
    gl_regkeys subs = {0};
    gl_regkey_subkeys(k, &subs);
    if (subs.n && depth == GL_REGVIEW_MAX_DEPTH) {
        walk_problem(k, "deeper than the depth limit; subkeys not walked");
        subs.n = 0;
    }
    for (size_t i = 0; i < subs.n && !rc && !w->capped; i++) {
        size_t mark = w->path.len;
        if (mark)
            gl_buf_putc(&w->path, '\\');
        gl_regkey_name(subs.v[i], &w->path);
        rc = walk_key(w, subs.v[i], depth + 1);
        w->path.len = mark;
        gl_buf_cstr(&w->path);
    }
    gl_regkeys_free(&subs);
    return rc;
}

int gl_regkey_walk(gl_regkey start, gl_regkey_walk_cb cb, void *ctx)
{
    if (!start.hive)
        return 0;
    walk w = {.cb = cb, .ctx = ctx};
    int rc = walk_key(&w, start, 0);
    if (w.capped)
        walk_problem(start, "walk stopped at the key count limit");
    free(w.seen.slot);
    gl_buf_free(&w.path);
    return rc;
}

/* ---- values ------------------------------------------------------------- */

bool gl_regval_name(gl_regval v, gl_buf *out) { return v.hive && BE(v).value_name(v.hive->bh, v.id, out); }
uint32_t gl_regval_type(gl_regval v) { return v.hive ? BE(v).value_type(v.hive->bh, v.id) : 0; }
bool gl_regval_deleted(gl_regval v) { return v.hive && BE(v).value_deleted(v.hive->bh, v.id); }
bool gl_regval_string(gl_regval v, gl_buf *out) { return v.hive && BE(v).value_string(v.hive->bh, v.id, out); }
long gl_regval_multi_sz(gl_regval v, gl_buf *out) { return v.hive ? BE(v).value_multi_sz(v.hive->bh, v.id, out) : -1; }
/* Numbers only from number types: a REG_SZ read as a DWORD is garbage. */
bool gl_regval_dword(gl_regval v, uint32_t *out)
{
    uint32_t t = gl_regval_type(v);
    return (t == REGF_REG_DWORD || t == REGF_REG_DWORD_BIG_ENDIAN) && BE(v).value_dword(v.hive->bh, v.id, out);
}

bool gl_regval_qword(gl_regval v, uint64_t *out)
{
    return gl_regval_type(v) == REGF_REG_QWORD && BE(v).value_qword(v.hive->bh, v.id, out);
}

const uint8_t *gl_regval_binary(gl_regval v, size_t *len, gl_buf *scratch)
{
    *len = 0;
    return v.hive ? BE(v).value_data(v.hive->bh, v.id, len, scratch) : NULL;
}

/* Key, then value, then the getter; the message says which step failed. */
static int path_value(gl_regview *rv, const char *key_path, const char *value, gl_regval *out, gl_err *err)
{
    gl_regkey k;
    if (gl_regview_key(rv, key_path, &k, err) != 0)
        return -1;
    *out = gl_regkey_value(k, value);
    if (!gl_regval_ok(*out))
        return gl_err_setc(err, GL_ERR_ABSENT, "%s: no value \"%s\"", key_path, value);
    return 0;
}

int gl_regview_string(gl_regview *rv, const char *key_path, const char *value, gl_buf *out, gl_err *err)
{
    gl_regval v;
    if (path_value(rv, key_path, value, &v, err) != 0)
        return -1;
    if (!gl_regval_string(v, out))
        return gl_err_setc(err, GL_ERR_DAMAGED, "%s\\%s: data unreadable", key_path, value);
    return 0;
}

int gl_regview_dword(gl_regview *rv, const char *key_path, const char *value, uint32_t *out, gl_err *err)
{
    gl_regval v;
    if (path_value(rv, key_path, value, &v, err) != 0)
        return -1;
    if (!gl_regval_dword(v, out))
        return gl_err_setc(err, GL_ERR_DAMAGED, "%s\\%s: not a DWORD", key_path, value);
    return 0;
}

/* ---- evidence ----------------------------------------------------------- */

const char *gl_regkey_artifact(gl_regkey k) { return k.hive ? k.hive->artifact : NULL; }
const char *gl_regkey_hive_path(gl_regkey k) { return k.hive ? k.hive->path : NULL; }

void gl_regkey_locator(gl_regkey k, gl_buf *out)
{
    if (!k.hive)
        return;
    gl_buf_puts(out, k.hive->root_name);
    gl_buf rel = {0};
    BE(k).key_path(k.hive->bh, k.id, &rel);
    if (rel.len) {
        gl_buf_putc(out, '\\');
        gl_buf_append(out, rel.data, rel.len);
    }
    gl_buf_free(&rel);
    gl_buf_cstr(out);
}

void gl_regval_locator(gl_regval v, gl_buf *out)
{
    if (!v.hive)
        return;
    if (v.key == GL_REGVIEW_NONE) /* deleted value whose key is unknown */
        gl_buf_printf(out, "%s\\(deleted value)", v.hive->root_name);
    else
        gl_regkey_locator((gl_regkey){v.hive, v.key}, out);
    gl_buf_putc(out, '\\');
    size_t before = out->len;
    gl_regval_name(v, out);
    if (out->len == before)
        gl_buf_puts(out, "(default)");
    gl_buf_cstr(out);
}

/* ---- deleted material --------------------------------------------------- */

static gl_reghive *resolve_root(gl_regview *rv, const char *root, gl_err *err)
{
    gl_buf rel = {0};
    gl_reghive *mh = resolve(rv, root, &rel, err);
    if (mh && rel.len) {
        gl_err_set(err, "%s: name a hive root (like HKLM\\SOFTWARE), not a key", root);
        mh = NULL;
    }
    gl_buf_free(&rel);
    return mh;
}

int gl_regview_deleted_keys(gl_regview *rv, const char *root, gl_regkeys *out, gl_err *err)
{
    out->n = 0;
    gl_reghive *mh = resolve_root(rv, root, err);
    if (!mh)
        return -1;
    if (!rv->be.deleted_keys)
        return 0;
    gl_buf ids = {0};
    size_t n = rv->be.deleted_keys(mh->bh, &ids);
    for (size_t i = 0; i < n && i < MAX_LIST; i++)
        keys_push(out, (gl_regkey){mh, id_at(&ids, i)});
    gl_buf_free(&ids);
    return 0;
}

int gl_regview_deleted_orphans(gl_regview *rv, const char *root, gl_regvals *out, gl_err *err)
{
    out->n = 0;
    gl_reghive *mh = resolve_root(rv, root, err);
    if (!mh)
        return -1;
    if (!rv->be.deleted_orphans)
        return 0;
    gl_buf ids = {0};
    size_t n = rv->be.deleted_orphans(mh->bh, &ids);
    for (size_t i = 0; i < n && i < MAX_LIST; i++)
        vals_push(out, (gl_regval){mh, GL_REGVIEW_NONE, id_at(&ids, i)});
    gl_buf_free(&ids);
    return 0;
}

/* ---- three-way lookups -------------------------------------------------- */

gl_lookup gl_regview_find_key(gl_regview *rv, const char *path, gl_regkey *out, gl_err *err)
{
    gl_err e = {0};
    if (gl_regview_key(rv, path, out, &e) == 0)
        return GL_LOOKUP_FOUND;
    if (e.code == GL_ERR_ABSENT)
        return GL_LOOKUP_ABSENT;
    if (err)
        *err = e;
    return GL_LOOKUP_ERROR;
}

gl_lookup gl_regkey_find_value(gl_regkey k, const char *name, gl_regval *out)
{
    *out = gl_regkey_value(k, name);
    return gl_regval_ok(*out) ? GL_LOOKUP_FOUND : GL_LOOKUP_ABSENT;
}

static gl_lookup typed_value_error(gl_regval v, const char *what, gl_err *err)
{
    gl_buf loc = {0};
    gl_regval_locator(v, &loc);
    gl_err_setc(err, GL_ERR_DAMAGED, "%s: %s", gl_buf_cstr(&loc), what);
    gl_buf_free(&loc);
    return GL_LOOKUP_ERROR;
}

gl_lookup gl_regkey_get_dword(gl_regkey k, const char *name, uint32_t *out, gl_err *err)
{
    gl_regval v;
    if (gl_regkey_find_value(k, name, &v) != GL_LOOKUP_FOUND)
        return GL_LOOKUP_ABSENT;
    return gl_regval_dword(v, out) ? GL_LOOKUP_FOUND : typed_value_error(v, "not a readable DWORD", err);
}

gl_lookup gl_regkey_get_qword(gl_regkey k, const char *name, uint64_t *out, gl_err *err)
{
    gl_regval v;
    if (gl_regkey_find_value(k, name, &v) != GL_LOOKUP_FOUND)
        return GL_LOOKUP_ABSENT;
    return gl_regval_qword(v, out) ? GL_LOOKUP_FOUND : typed_value_error(v, "not a readable QWORD", err);
}

gl_lookup gl_regkey_get_string(gl_regkey k, const char *name, gl_buf *out, gl_err *err)
{
    gl_regval v;
    if (gl_regkey_find_value(k, name, &v) != GL_LOOKUP_FOUND)
        return GL_LOOKUP_ABSENT;
    return gl_regval_string(v, out) ? GL_LOOKUP_FOUND : typed_value_error(v, "string data unreadable", err);
}

size_t gl_regview_hives_parsed(gl_regview *rv, const char **roots)
{
    if (roots)
        *roots = gl_buf_cstr(&rv->parsed_roots);
    return rv->hives_parsed;
}

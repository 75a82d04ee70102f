/* The registry view: what modules query by the paths an analyst knows.
 *
 *   HKLM\SOFTWARE\...   HKLM\SYSTEM\...   HKLM\SAM\...   HKLM\SECURITY\...
 *   HKLM\SYSTEM\CurrentControlSet\...   (resolved through SYSTEM\Select\Current)
 *   HKU\.DEFAULT\...    HKU\<SID>\...   HKU\<SID>_Classes\...   AMCACHE\...
 *
 * HKEY_LOCAL_MACHINE and HKEY_USERS are accepted for HKLM and HKU; every
 * name is case-insensitive. HKU\<SID>\Software\Classes\... is redirected to
 * that user's UsrClass.dat (HKU\<SID>_Classes\...) as Windows links it.
 *
 * The view sits on a backend. The first one (regview_files.c) reads hive
 * files through a gl_source: a hive is opened on first use with its .LOG1
 * and .LOG2 (so the source's acquirer puts all three in the bundle) and
 * stays open until gl_regview_close. A live Windows API backend can be
 * added behind the same gl_regview_backend without touching modules.
 *
 * Keys and values are small handles valid until gl_regview_close. Every
 * problem met on the way (hive missing, parse errors, logs replayed) is
 * kept as a message a module can report (gl_regview_problem*). */
#ifndef GL_REGVIEW_H
#define GL_REGVIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "source.h"

typedef struct gl_regview gl_regview;
typedef struct gl_reghive gl_reghive; /* one mounted hive inside a view */

typedef struct gl_regview_options {
    /* Let deleted keys/values recovered from free cells pass through:
     * deleted values appear in value lists, deleted keys in subkey lists
     * of their parent (live or deleted) and in gl_regview_deleted_keys. */
    bool recover_deleted;
    /* Read the primary files only, never replaying .LOG1/.LOG2 (the logs
     * are still opened, so still acquired). Default false. */
    bool ignore_logs;
    /* Live registry (regview_live.h): the bundle member holding a copy of
     * the hive at this evidence path, or NULL when none was kept, so
     * evidence from a live key names the preserved hive. The string must
     * outlive the view. NULL: no copies. */
    const char *(*preserved)(void *ctx, const char *hive_path);
    void *preserved_ctx;
} gl_regview_options;

/* ---- opening ------------------------------------------------------------ */

/* A view over the hive files of src (defaults: logs replayed, no deleted
 * material). Nothing is read until the first query. */
gl_regview *gl_regview_open(gl_source *src, gl_err *err);
gl_regview *gl_regview_open_opts(gl_source *src, const gl_regview_options *opt, gl_err *err);
void gl_regview_close(gl_regview *rv);

/* ---- problems ----------------------------------------------------------- */

typedef enum gl_regview_level {
    GL_REGVIEW_NOTE,  /* worth recording, data is fine (logs replayed) */
    GL_REGVIEW_ERROR, /* something could not be read (hive missing, damage) */
} gl_regview_level;

/* Messages name the view root and the evidence file, e.g.
 * "HKLM\SAM: C:\Windows\System32\config\SAM: not found". Parser errors of
 * an open hive are picked up here as lookups meet them. At most
 * GL_REGVIEW_MAX_PROBLEMS are kept; the count keeps counting. */
#define GL_REGVIEW_MAX_PROBLEMS 500
size_t gl_regview_problem_count(gl_regview *rv);
const char *gl_regview_problem(gl_regview *rv, size_t i, gl_regview_level *level); /* level may be NULL */
/* Also call cb for each new problem as it is recorded (NULL to stop).
 * code: GL_ERR_ABSENT for a hive that is not in the evidence (normal on a
 * partial triage tree), GL_ERR_DAMAGED for damage met in a hive,
 * GL_ERR_IO when it could not be read, GL_ERR_OTHER for notes. */
typedef void (*gl_regview_problem_cb)(void *ctx, gl_regview_level level, gl_err_code code, const char *msg);
void gl_regview_set_problem_cb(gl_regview *rv, gl_regview_problem_cb cb, void *ctx);
/* How many hives the view has parsed (each once, on first use), and their
 * roots ("HKLM\SOFTWARE, HKLM\SYSTEM"), valid until the next lookup. */
size_t gl_regview_hives_parsed(gl_regview *rv, const char **roots);

/* ---- keys and values ---------------------------------------------------- */

typedef struct gl_regkey {
    gl_reghive *hive; /* NULL: no key */
    uint64_t id;      /* backend's key id */
} gl_regkey;

typedef struct gl_regval {
    gl_reghive *hive; /* NULL: no value */
    uint64_t key;     /* owning key (for the locator) */
    uint64_t id;
} gl_regval;

typedef struct gl_regkeys {
    gl_regkey *v;
    size_t n, cap;
} gl_regkeys;
typedef struct gl_regvals {
    gl_regval *v;
    size_t n, cap;
} gl_regvals;
void gl_regkeys_free(gl_regkeys *l);
void gl_regvals_free(gl_regvals *l);

static inline bool gl_regkey_ok(gl_regkey k) { return k.hive != NULL; }
static inline bool gl_regval_ok(gl_regval v) { return v.hive != NULL; }

/* Open a key by full view path. Returns 0, or -1 with err saying why
 * (unknown root, hive missing, no such key, CurrentControlSet unresolved);
 * err->code is GL_ERR_ABSENT when the hive, profile or key is not there. */
int gl_regview_key(gl_regview *rv, const char *path, gl_regkey *out, gl_err *err);

/* Three-way lookups: "absent" is normal (no Exclusions key on a clean
 * host), "error" means broken evidence and should make a module partial. */
typedef enum gl_lookup { GL_LOOKUP_ERROR = -1, GL_LOOKUP_ABSENT = 0, GL_LOOKUP_FOUND = 1 } gl_lookup;
/* Key by path: FOUND with *out; ABSENT when the hive, profile or key does
 * not exist; ERROR with err for anything else (damaged hive, bad path). */
gl_lookup gl_regview_find_key(gl_regview *rv, const char *path, gl_regkey *out, gl_err *err);
/* Value of k by name: ABSENT when there is no such live value; for the
 * typed ones ERROR (GL_ERR_DAMAGED, naming the value's locator) when the
 * value exists but its data is unreadable or of the wrong type. */
gl_lookup gl_regkey_find_value(gl_regkey k, const char *name, gl_regval *out);
gl_lookup gl_regkey_get_dword(gl_regkey k, const char *name, uint32_t *out, gl_err *err);
gl_lookup gl_regkey_get_qword(gl_regkey k, const char *name, uint64_t *out, gl_err *err);
gl_lookup gl_regkey_get_string(gl_regkey k, const char *name, gl_buf *out, gl_err *err);

/* Key below another one ("" gives k itself); a key with no handle when absent. */
gl_regkey gl_regkey_child(gl_regkey k, const char *rel);
/* Subkeys of k into out (cleared first): live ones in hive order, then
 * (recover_deleted) the deleted keys whose parent is k. Returns out->n. */
size_t gl_regkey_subkeys(gl_regkey k, gl_regkeys *out);
/* Values of k into out (cleared first): live, then deleted (recover_deleted). */
size_t gl_regkey_values(gl_regkey k, gl_regvals *out);
/* Live value by name ("" = default value); no handle when absent. */
gl_regval gl_regkey_value(gl_regkey k, const char *name);

bool gl_regkey_name(gl_regkey k, gl_buf *out);  /* appends UTF-8 */
bool gl_regkey_class(gl_regkey k, gl_buf *out); /* class name, appends ("" when none) */
uint64_t gl_regkey_last_write(gl_regkey k);      /* FILETIME, 0 unknown */
bool gl_regkey_deleted(gl_regkey k);

bool gl_regval_name(gl_regval v, gl_buf *out);   /* appends; "" = default value */
uint32_t gl_regval_type(gl_regval v);            /* REGF_REG_* numbers */
bool gl_regval_deleted(gl_regval v);
/* Typed getters; false when the data is unreadable or too short. Strings
 * read any type as UTF-16LE text (attackers store text under odd types);
 * dword wants REG_DWORD(_BIG_ENDIAN), qword REG_QWORD. */
bool gl_regval_string(gl_regval v, gl_buf *out);   /* appends UTF-8 up to the first NUL */
long gl_regval_multi_sz(gl_regval v, gl_buf *out); /* appends NUL-separated; count or -1 */
bool gl_regval_dword(gl_regval v, uint32_t *out);
bool gl_regval_qword(gl_regval v, uint64_t *out);
/* Raw bytes: into the hive image or into *scratch. NULL with *len = 0 when
 * there is no data or it is unreadable. */
const uint8_t *gl_regval_binary(gl_regval v, size_t *len, gl_buf *scratch);

/* Path shortcuts: -1 with err when the key, the value or its data is missing. */
int gl_regview_string(gl_regview *rv, const char *key_path, const char *value, gl_buf *out, gl_err *err);
int gl_regview_dword(gl_regview *rv, const char *key_path, const char *value, uint32_t *out, gl_err *err);

/* Depth-first walk of start and everything below it, in subkey order (so
 * deleted keys too with recover_deleted). rel is the path below start ("" for
 * start itself). Each key is visited once, depth is capped at
 * GL_REGVIEW_MAX_DEPTH and the walk at GL_REGVIEW_MAX_WALK keys (both
 * reported as problems). cb returning non-zero stops the walk and is
 * returned. */
#define GL_REGVIEW_MAX_DEPTH 512
#define GL_REGVIEW_MAX_WALK 5000000
typedef int (*gl_regkey_walk_cb)(void *ctx, gl_regkey key, const char *rel);
int gl_regkey_walk(gl_regkey start, gl_regkey_walk_cb cb, void *ctx);

/* WOW64: for HKLM\SOFTWARE\X (or HKU\<user>\Software\X) open both X and
 * ...\WOW6432Node\X; out[] gets the ones present (native first). Other
 * paths give just themselves. Returns 0..2. */
size_t gl_regview_key_wow(gl_regview *rv, const char *path, gl_regkey out[2]);

/* ---- evidence ----------------------------------------------------------- */

/* Bundle member of the hive holding k/v ("artifacts/C/Windows/System32/
 * config/SYSTEM"), or NULL when the source had no acquirer. */
const char *gl_regkey_artifact(gl_regkey k);
static inline const char *gl_regval_artifact(gl_regval v)
{
    gl_regkey k = {v.hive, v.key};
    return gl_regkey_artifact(k);
}
/* Evidence path of that hive file ("C:\Windows\System32\config\SYSTEM"). */
const char *gl_regkey_hive_path(gl_regkey k);
/* Full view path of the key as stored, with CurrentControlSet already
 * resolved: "HKLM\SYSTEM\ControlSet002\Services\AnyDesk". Deleted keys
 * whose parent chain is broken get "HKLM\SYSTEM\(deleted)\name". */
void gl_regkey_locator(gl_regkey k, gl_buf *out);
/* Key locator + '\' + value name ("(default)" for the unnamed value); a
 * deleted value whose key is unknown gets "<root>\(deleted value)\name". */
void gl_regval_locator(gl_regval v, gl_buf *out);

/* ---- control sets ------------------------------------------------------- */

typedef struct gl_regcontrolset {
    unsigned number;   /* ControlSet%03u */
    char name[16];     /* "ControlSet002" */
    bool current, is_default, failed, last_known_good; /* SYSTEM\Select */
} gl_regcontrolset;

/* Every ControlSetNNN key of SYSTEM in number order, flagged by Select.
 * Returns the count (0 when SYSTEM is missing; see problems). The array
 * lives as long as the view. */
size_t gl_regview_control_sets(gl_regview *rv, const gl_regcontrolset **sets);

/* ---- users -------------------------------------------------------------- */

typedef enum gl_reguser_origin {
    GL_REGUSER_PROFILELIST, /* SOFTWARE\...\ProfileList\<SID>\ProfileImagePath */
    GL_REGUSER_SCAN,        /* found on disk (Users\*, service profiles) */
} gl_reguser_origin;

typedef struct gl_reguser {
    const char *sid;           /* "S-1-5-21-...", or "" when a scan could not tell */
    const char *name;          /* what follows HKU\: the SID, else the profile folder name */
    const char *profile_path;  /* "C:\Users\jdoe" (expanded) */
    const char *ntuser_path;   /* "C:\Users\jdoe\NTUSER.DAT" */
    const char *usrclass_path; /* "C:\Users\jdoe\AppData\Local\Microsoft\Windows\UsrClass.dat" */
    gl_reguser_origin origin;
} gl_reguser;

/* ProfileList entries first (in ProfileList order), then profiles found on
 * disk that ProfileList does not name (all of them when SOFTWARE is missing
 * or has no ProfileList): Users\*\NTUSER.DAT and the three service
 * profiles. A scanned profile's SID comes from its UsrClass.dat root key
 * name ("<SID>_Classes") or its NTUSER.DAT root key owner (S-1-5-21-...);
 * probing opens (so acquires) those hives. Array lives as long as the view. */
size_t gl_regview_users(gl_regview *rv, const gl_reguser **users);
const char *gl_reguser_origin_name(gl_reguser_origin o); /* "profilelist", "scan" */

/* ---- deleted material (recover_deleted) --------------------------------- */

/* Deleted keys of the hive behind a view root ("HKLM\SOFTWARE",
 * "HKU\S-1-5-21-...", "AMCACHE") into out (cleared first); also the
 * values not attached to any known key. -1 with err when the root has no hive. */
int gl_regview_deleted_keys(gl_regview *rv, const char *root, gl_regkeys *out, gl_err *err);
int gl_regview_deleted_orphans(gl_regview *rv, const char *root, gl_regvals *out, gl_err *err);

/* ---- backends ----------------------------------------------------------- */

typedef enum gl_reghive_kind {
    GL_REGHIVE_SYSTEM,
    GL_REGHIVE_SOFTWARE,
    GL_REGHIVE_SAM,
    GL_REGHIVE_SECURITY,
    GL_REGHIVE_DEFAULT,
    GL_REGHIVE_AMCACHE,
    GL_REGHIVE_NTUSER,   /* user: needs the gl_reguser */
    GL_REGHIVE_USRCLASS, /* user */
} gl_reghive_kind;

#define GL_REGVIEW_NONE UINT64_MAX /* backend: "no such key/value" */

/* What a backend implements. `hive` is whatever open_hive returned; key and
 * value ids are the backend's own (GL_REGVIEW_NONE for none). Text is
 * appended to out as UTF-8. */
typedef struct gl_regview_backend {
    void *ctx;
    /* Open a hive; user is NULL for machine hives. On success sets *path
     * (evidence path, owned by the backend hive) and *artifact (bundle
     * member or NULL). NULL with err when it cannot be opened at all. */
    void *(*open_hive)(void *ctx, gl_reghive_kind kind, const gl_reguser *user, const char **path,
                       const char **artifact, gl_err *err);
    void (*close_hive)(void *ctx, void *hive);
    /* Problems of an open hive so far (notes first, then errors as met). */
    size_t (*problem_count)(void *hive);
    const char *(*problem)(void *hive, size_t i, gl_regview_level *level);
    /* Profiles found without ProfileList: add is called for each one whose
     * NTUSER.DAT known() does not already list; sid is "" when unknown. */
    void (*scan_users)(void *ctx, bool (*known)(void *actx, const char *ntuser_path),
                       void (*add)(void *actx, const char *sid, const char *profile_path, const char *ntuser_path,
                                   const char *usrclass_path),
                       void *actx);
    /* Expand a ProfileImagePath into the evidence paths of a profile; false
     * with err when it cannot be placed on this evidence. Writes the three
     * strings (profile, NTUSER.DAT, UsrClass.dat) NUL-separated into out. */
    bool (*locate_profile)(void *ctx, const char *image_path, gl_buf *out, gl_err *err);
    void (*destroy)(void *ctx);

    uint64_t (*root)(void *hive);
    uint64_t (*key_open)(void *hive, uint64_t key, const char *rel);
    bool (*key_name)(void *hive, uint64_t key, gl_buf *out);
    bool (*key_class)(void *hive, uint64_t key, gl_buf *out);
    /* Path below the hive root; false when the chain is broken (deleted). */
    bool (*key_path)(void *hive, uint64_t key, gl_buf *out);
    uint64_t (*key_parent)(void *hive, uint64_t key);
    uint64_t (*key_last_write)(void *hive, uint64_t key);
    bool (*key_deleted)(void *hive, uint64_t key);
    /* Append ids (uint64_t) of live subkeys / values (live then deleted). */
    size_t (*key_subkeys)(void *hive, uint64_t key, gl_buf *ids);
    size_t (*key_values)(void *hive, uint64_t key, gl_buf *ids);
    uint64_t (*value_find)(void *hive, uint64_t key, const char *name);
    bool (*value_name)(void *hive, uint64_t v, gl_buf *out);
    uint32_t (*value_type)(void *hive, uint64_t v);
    bool (*value_deleted)(void *hive, uint64_t v);
    const uint8_t *(*value_data)(void *hive, uint64_t v, size_t *len, gl_buf *scratch);
    bool (*value_string)(void *hive, uint64_t v, gl_buf *out);
    long (*value_multi_sz)(void *hive, uint64_t v, gl_buf *out);
    bool (*value_dword)(void *hive, uint64_t v, uint32_t *out);
    bool (*value_qword)(void *hive, uint64_t v, uint64_t *out);
    /* Deleted material (may be NULL when the backend has none). */
    size_t (*deleted_keys)(void *hive, gl_buf *ids);
    size_t (*deleted_orphans)(void *hive, gl_buf *ids);
} gl_regview_backend;

/* A view over any backend; backend->destroy(ctx) runs at close. */
gl_regview *gl_regview_open_backend(const gl_regview_backend *backend, const gl_regview_options *opt,
                                    gl_err *err);
/* The hive-file backend over src (what gl_regview_open uses). */
int gl_regview_files_backend(gl_source *src, const gl_regview_options *opt, gl_regview_backend *out,
                             gl_err *err);

#endif

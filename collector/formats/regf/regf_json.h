/* A hive's keys and values as gleaner's JSON Lines (`gleaner reg dump`,
 * docs/regf.md): one key per line,
 *   {"path","last_write","deleted"[,"recovered_from"][,"layer"][,"inherit_class"],
 *    "class","owner",
 *    "values":[{"name","type","data","deleted"[,"recovered_from"][,"tombstone"][,"raw"]}]}
 * recovered_from (deleted material only): regf_recovered_from. layer (keys
 * of a layered hive only): "tombstone", "supersede_local", "supersede_tree";
 * inherit_class and tombstone appear only when true.
 * Strings are strings, REG_MULTI_SZ an array, DWORD/QWORD numbers, other
 * data lowercase hex, unreadable declared data null. Pure rendering: lines
 * are appended to a gl_buf that is handed to a sink when it fills; no
 * files, no printing. */
#ifndef GL_REGF_JSON_H
#define GL_REGF_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "json.h"
#include "regf.h"

typedef enum regf_json_del {
    REGF_JSON_DEL_INCLUDE, /* deleted keys after the live tree, deleted values in live keys */
    REGF_JSON_DEL_EXCLUDE, /* the live hive only */
    REGF_JSON_DEL_ONLY,    /* deleted keys, and live keys only for their deleted values */
} regf_json_del;

typedef struct regf_json {
    regf_hive *h;
    gl_buf *out; /* lines are appended here */
    regf_json_del deleted;
    bool raw; /* add "raw": hex of the stored bytes, to every value */
    /* After a line, when out holds flush_at bytes or more, sink gets them
     * and out is emptied. NULL sink: everything stays in out. */
    void (*sink)(void *ctx, const char *data, size_t len);
    void *sink_ctx;
    size_t flush_at;
    /* scratch reused for every key, so a walk allocates nothing per key */
    gl_buf tmp, scratch, vals, vals_deleted, path, seg;
    gl_buf value; /* regf_json_value's object before it goes into its writer */
    /* A walk's path as a JSON string ('"' and the escaped path, no closing
     * quote), built a level at a time: a key's path is its parent's and
     * one more name, so only that name is escaped. The escaped path of the
     * key last shown at depth d ends at esc_end[d] (raw_end[d] in the raw
     * path); levels of them are valid. */
    gl_buf path_json;
    uint32_t raw_end[REGF_MAX_DEPTH], esc_end[REGF_MAX_DEPTH];
    unsigned levels;
} regf_json;

/* Defaults: deleted material included, no raw, no sink. */
void regf_json_init(regf_json *rj, regf_hive *h, gl_buf *out);
void regf_json_free(regf_json *rj);

/* One value as a JSON object inside j. */
void regf_json_value(regf_json *rj, gl_json *j, regf_value v, bool deleted);
/* One key line (path as given). Under REGF_JSON_DEL_ONLY a live key is
 * shown with its deleted values only, and not at all without any: false. */
bool regf_json_key(regf_json *rj, regf_key k, const char *path, size_t path_len, bool key_deleted);
/* Every live key below start (start included), depth-first (regf_walk). */
void regf_json_walk(regf_json *rj, regf_key start);
/* Recovered deleted keys whose path is keypath or below it (case-
 * insensitive, leading '\' ignored; "" is the whole hive), then, for the
 * whole hive, one line "(deleted)\(values without a key)" with the values
 * whose key is lost. Returns the deleted keys shown. */
size_t regf_json_deleted_keys(regf_json *rj, const char *keypath);
/* Hand what is left in out to the sink. */
void regf_json_flush(regf_json *rj);

#endif

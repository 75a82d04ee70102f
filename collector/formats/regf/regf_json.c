/* Keys and values as gleaner's JSON Lines (regf_json.h). */
#include "regf_json.h"
#include <string.h>
#include "fold.h"
#include "text.h"

void regf_json_init(regf_json *rj, regf_hive *h, gl_buf *out)
{
    memset(rj, 0, sizeof *rj);
    rj->h = h;
    rj->out = out;
    rj->deleted = REGF_JSON_DEL_INCLUDE;
}

void regf_json_free(regf_json *rj)
{
    gl_buf_free(&rj->tmp);
    gl_buf_free(&rj->scratch);
    gl_buf_free(&rj->vals);
    gl_buf_free(&rj->vals_deleted);
    gl_buf_free(&rj->path);
}

void regf_json_flush(regf_json *rj)
{
    if (rj->sink && rj->out->len)
        rj->sink(rj->sink_ctx, rj->out->data, rj->out->len);
    if (rj->sink)
        rj->out->len = 0;
}

static void end_line(regf_json *rj)
{
    gl_buf_putc(rj->out, '\n');
    if (rj->out->len >= rj->flush_at)
        regf_json_flush(rj);
}

static void value_data(regf_json *rj, gl_json *j, regf_value v, uint32_t type, const uint8_t *p, size_t n)
{
    gl_json_key(j, "data");
    switch (type) {
    case REGF_REG_SZ:
    case REGF_REG_EXPAND_SZ:
    case REGF_REG_LINK:
        rj->tmp.len = 0;
        if (p)
            gl_utf16le_to_utf8(&rj->tmp, p, n, true);
        gl_json_strn(j, rj->tmp.data ? rj->tmp.data : "", rj->tmp.len);
        return;
    case REGF_REG_MULTI_SZ: {
        rj->tmp.len = 0;
        long cnt = regf_value_multi_sz(rj->h, v, &rj->tmp);
        gl_json_arr_begin(j);
        const char *s = rj->tmp.data;
        for (long i = 0; i < cnt; i++) {
            size_t l = strlen(s);
            gl_json_strn(j, s, l);
            s += l + 1;
        }
        gl_json_arr_end(j);
        return;
    }
    case REGF_REG_DWORD:
    case REGF_REG_DWORD_BIG_ENDIAN:
        if (n == 4) {
            gl_json_uint(j, type == REGF_REG_DWORD ? gl_le32(p) : gl_be32(p));
            return;
        }
        break;
    case REGF_REG_QWORD:
        if (n == 8) {
            gl_json_uint(j, gl_le64(p));
            return;
        }
        break;
    default:
        break;
    }
    gl_json_hex(j, p, p ? n : 0);
}

void regf_json_value(regf_json *rj, gl_json *j, regf_value v, bool deleted)
{
    char tbuf[32];
    uint32_t type = regf_value_type(rj->h, v);
    size_t n;
    /* In place when the data lies in one cell; scratch only for big data. */
    const uint8_t *p = regf_value_data(rj->h, v, &n, &rj->scratch);
    gl_json_obj_begin(j);
    rj->tmp.len = 0;
    regf_value_name(rj->h, v, &rj->tmp);
    gl_json_key(j, "name");
    gl_json_strn(j, rj->tmp.data ? rj->tmp.data : "", rj->tmp.len);
    gl_json_kv_str(j, "type", regf_type_name(type, tbuf));
    /* Declared data that cannot be read is null, not an empty value. */
    bool lost = !p && regf_value_data_size(rj->h, v) > 0;
    if (lost) {
        gl_json_key(j, "data");
        gl_json_null(j);
    } else
        value_data(rj, j, v, type, p, n);
    gl_json_kv_bool(j, "deleted", deleted);
    if (deleted)
        gl_json_kv_str(j, "recovered_from", regf_recovered_from(rj->h, v));
    /* A layered hive's tombstone value hides the value of that name below. */
    if (regf_value_tombstone(rj->h, v))
        gl_json_kv_bool(j, "tombstone", true);
    if (rj->raw) {
        gl_json_key(j, "raw");
        if (lost)
            gl_json_null(j);
        else
            gl_json_hex(j, p, p ? n : 0);
    }
    gl_json_obj_end(j);
}

static void owner(regf_json *rj, gl_json *j, regf_key k)
{
    rj->tmp.len = 0;
    if (!regf_key_owner_sid(rj->h, k, &rj->tmp))
        return;
    gl_json_key(j, "owner");
    gl_json_strn(j, rj->tmp.data, rj->tmp.len);
}

/* Layered keys (differencing hives): a tombstone hides the key of that
 * name in the layers below and must not read as an ordinary empty key. */
static void layer(regf_json *rj, gl_json *j, regf_key k)
{
    const char *name = regf_layer_name(regf_key_layer(rj->h, k));
    if (name)
        gl_json_kv_str(j, "layer", name);
    if (regf_key_inherit_class(rj->h, k))
        gl_json_kv_bool(j, "inherit_class", true);
}

/* Fill rj->vals with the values to show (REGF_NONE for hidden ones) and
 * rj->vals_deleted with one byte per value: 1 when it is deleted, so the
 * question is asked once per value. Returns how many there are in all. */
static size_t pick_values(regf_json *rj, regf_key k, bool only_deleted, size_t *shown)
{
    rj->vals.len = 0;
    size_t nv = regf_key_values(rj->h, k, &rj->vals);
    rj->vals_deleted.len = 0;
    *shown = 0;
    for (size_t i = 0; i < nv; i++) {
        uint32_t v;
        memcpy(&v, rj->vals.data + i * sizeof v, sizeof v);
        bool del = regf_value_deleted(rj->h, v);
        gl_buf_putc(&rj->vals_deleted, (char)del);
        if ((rj->deleted == REGF_JSON_DEL_EXCLUDE && del) || (only_deleted && !del))
            v = REGF_NONE;
        else
            (*shown)++;
        memcpy(rj->vals.data + i * sizeof v, &v, sizeof v);
    }
    return nv;
}

bool regf_json_key(regf_json *rj, regf_key k, const char *path, size_t path_len, bool key_deleted)
{
    bool only = rj->deleted == REGF_JSON_DEL_ONLY && !key_deleted;
    size_t shown;
    size_t nv = pick_values(rj, k, only, &shown);
    if (only && !shown)
        return false;
    gl_json j;
    gl_json_init(&j, rj->out);
    gl_json_obj_begin(&j);
    gl_json_key(&j, "path");
    gl_json_strn(&j, path, path_len);
    char ts[GL_TIME_STRLEN];
    gl_json_key(&j, "last_write");
    if (gl_filetime_iso(regf_key_last_write(rj->h, k), 7, ts))
        gl_json_str(&j, ts);
    else
        gl_json_null(&j);
    gl_json_kv_bool(&j, "deleted", key_deleted);
    if (key_deleted)
        gl_json_kv_str(&j, "recovered_from", regf_recovered_from(rj->h, k));
    layer(rj, &j, k);
    rj->tmp.len = 0;
    if (regf_key_class(rj->h, k, &rj->tmp) && rj->tmp.len) {
        gl_json_key(&j, "class");
        gl_json_strn(&j, rj->tmp.data, rj->tmp.len);
    }
    owner(rj, &j, k);
    gl_json_key(&j, "values");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < nv; i++) {
        uint32_t v;
        memcpy(&v, rj->vals.data + i * sizeof v, sizeof v);
        if (v != REGF_NONE)
            regf_json_value(rj, &j, v, rj->vals_deleted.data[i]);
    }
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    end_line(rj);
    return true;
}

static int walk_cb(void *ctx, regf_hive *h, regf_key key, const char *path, size_t path_len)
{
    (void)h;
    regf_json_key(ctx, key, path, path_len, false);
    return 0;
}

void regf_json_walk(regf_json *rj, regf_key start) { regf_walk(rj->h, start, walk_cb, rj); }

/* path equals prefix or lies below it (case-insensitive). */
static bool below(const char *prefix, size_t n, const char *path, size_t plen)
{
    if (!n)
        return true;
    if (plen < n || gl_name_casecmp(path, n, prefix, n))
        return false;
    return plen == n || path[n] == '\\';
}

static void orphan_values_line(regf_json *rj)
{
    size_t no = regf_deleted_orphan_value_count(rj->h);
    if (!no)
        return;
    gl_json j;
    gl_json_init(&j, rj->out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "path", "(deleted)\\(values without a key)");
    gl_json_key(&j, "last_write");
    gl_json_null(&j);
    gl_json_kv_bool(&j, "deleted", true);
    gl_json_key(&j, "values");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < no; i++)
        regf_json_value(rj, &j, regf_deleted_orphan_value(rj->h, i), true);
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    end_line(rj);
}

size_t regf_json_deleted_keys(regf_json *rj, const char *keypath)
{
    while (*keypath == '\\')
        keypath++;
    size_t kplen = strlen(keypath);
    size_t shown = 0;
    for (size_t i = 0; i < regf_deleted_key_count(rj->h); i++) {
        regf_key k = regf_deleted_key(rj->h, i);
        rj->path.len = 0;
        regf_deleted_key_path(rj->h, k, &rj->path);
        const char *p = rj->path.data ? rj->path.data : "";
        if (!below(keypath, kplen, p, rj->path.len))
            continue;
        regf_json_key(rj, k, p, rj->path.len, true);
        shown++;
    }
    if (!kplen)
        orphan_values_line(rj);
    return shown;
}

/* Keys and values as gleaner's JSON Lines (regf_json.h). */
#include "regf_json.h"
#include <stdlib.h>
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
    gl_buf_free(&rj->seg);
    gl_buf_free(&rj->path_json);
    gl_buf_free(&rj->value);
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

/* The lines have a fixed layout, so they are written directly rather
 * than through gl_json: its comma and key bookkeeping was a tenth of a
 * dump. PUT appends a literal (which needs no escaping); strings from the
 * hive go through gl_json_escape, as gl_json would write them. */
#define PUT(out, lit) gl_buf_append((out), (lit), sizeof(lit) - 1)

/* A string that needs no escaping (names gleaner itself gives). */
static void put_plain(gl_buf *out, const char *s)
{
    gl_buf_putc(out, '"');
    gl_buf_puts(out, s);
    gl_buf_putc(out, '"');
}

static void put_bool(gl_buf *out, bool v)
{
    if (v)
        PUT(out, "true");
    else
        PUT(out, "false");
}

static void value_data(regf_json *rj, gl_buf *out, regf_value v, uint32_t type, const uint8_t *p, size_t n)
{
    switch (type) {
    case REGF_REG_SZ:
    case REGF_REG_EXPAND_SZ:
    case REGF_REG_LINK:
        rj->tmp.len = 0;
        if (p)
            gl_utf16le_to_utf8(&rj->tmp, p, n, true);
        gl_json_escape(out, rj->tmp.data ? rj->tmp.data : "", rj->tmp.len);
        return;
    case REGF_REG_MULTI_SZ: {
        rj->tmp.len = 0;
        long cnt = regf_value_multi_sz(rj->h, v, &rj->tmp);
        gl_buf_putc(out, '[');
        const char *s = rj->tmp.data;
        for (long i = 0; i < cnt; i++) {
            size_t l = strlen(s);
            if (i)
                gl_buf_putc(out, ',');
            gl_json_escape(out, s, l);
            s += l + 1;
        }
        gl_buf_putc(out, ']');
        return;
    }
    case REGF_REG_DWORD:
    case REGF_REG_DWORD_BIG_ENDIAN:
        if (n == 4) {
            gl_buf_put_u64(out, type == REGF_REG_DWORD ? gl_le32(p) : gl_be32(p));
            return;
        }
        break;
    case REGF_REG_QWORD:
        if (n == 8) {
            gl_buf_put_u64(out, gl_le64(p));
            return;
        }
        break;
    default:
        break;
    }
    gl_json_put_hex(out, p, p ? n : 0);
}

/* One value's object, appended to out. */
static void put_value(regf_json *rj, gl_buf *out, regf_value v, bool deleted)
{
    char tbuf[32];
    uint32_t type = regf_value_type(rj->h, v);
    size_t n;
    /* In place when the data lies in one cell; scratch only for big data. */
    const uint8_t *p = regf_value_data(rj->h, v, &n, &rj->scratch);
    rj->tmp.len = 0;
    regf_value_name(rj->h, v, &rj->tmp);
    PUT(out, "{\"name\":");
    gl_json_escape(out, rj->tmp.data ? rj->tmp.data : "", rj->tmp.len);
    PUT(out, ",\"type\":");
    put_plain(out, regf_type_name(type, tbuf));
    PUT(out, ",\"data\":");
    /* Declared data that cannot be read is null, not an empty value. */
    bool lost = !p && regf_value_data_size(rj->h, v) > 0;
    if (lost)
        PUT(out, "null");
    else
        value_data(rj, out, v, type, p, n);
    PUT(out, ",\"deleted\":");
    put_bool(out, deleted);
    if (deleted) {
        PUT(out, ",\"recovered_from\":");
        put_plain(out, regf_recovered_from(rj->h, v));
    }
    /* A layered hive's tombstone value hides the value of that name below. */
    if (regf_value_tombstone(rj->h, v))
        PUT(out, ",\"tombstone\":true");
    if (rj->raw) {
        PUT(out, ",\"raw\":");
        if (lost)
            PUT(out, "null");
        else
            gl_json_put_hex(out, p, p ? n : 0);
    }
    gl_buf_putc(out, '}');
}

void regf_json_value(regf_json *rj, gl_json *j, regf_value v, bool deleted)
{
    rj->value.len = 0;
    put_value(rj, &rj->value, v, deleted);
    gl_json_raw(j, rj->value.data, rj->value.len);
}

static void owner(regf_json *rj, gl_buf *out, regf_key k)
{
    rj->tmp.len = 0;
    if (!regf_key_owner_sid(rj->h, k, &rj->tmp))
        return;
    PUT(out, ",\"owner\":");
    gl_json_escape(out, rj->tmp.data, rj->tmp.len);
}

/* Layered keys (differencing hives): a tombstone hides the key of that
 * name in the layers below and must not read as an ordinary empty key. */
static void layer(regf_json *rj, gl_buf *out, regf_key k)
{
    const char *name = regf_layer_name(regf_key_layer(rj->h, k));
    if (name) {
        PUT(out, ",\"layer\":");
        put_plain(out, name);
    }
    if (regf_key_inherit_class(rj->h, k))
        PUT(out, ",\"inherit_class\":true");
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

/* One key's line; path_json is the path as a JSON string. */
static bool key_line(regf_json *rj, regf_key k, const char *path_json, size_t path_json_len, bool key_deleted)
{
    bool only = rj->deleted == REGF_JSON_DEL_ONLY && !key_deleted;
    size_t shown;
    size_t nv = pick_values(rj, k, only, &shown);
    if (only && !shown)
        return false;
    gl_buf *out = rj->out;
    PUT(out, "{\"path\":");
    gl_buf_append(out, path_json, path_json_len);
    char ts[GL_TIME_STRLEN];
    PUT(out, ",\"last_write\":");
    if (gl_filetime_iso(regf_key_last_write(rj->h, k), 7, ts))
        put_plain(out, ts);
    else
        PUT(out, "null");
    PUT(out, ",\"deleted\":");
    put_bool(out, key_deleted);
    if (key_deleted) {
        PUT(out, ",\"recovered_from\":");
        put_plain(out, regf_recovered_from(rj->h, k));
    }
    layer(rj, out, k);
    rj->tmp.len = 0;
    if (regf_key_class(rj->h, k, &rj->tmp) && rj->tmp.len) {
        PUT(out, ",\"class\":");
        gl_json_escape(out, rj->tmp.data, rj->tmp.len);
    }
    owner(rj, out, k);
    PUT(out, ",\"values\":[");
    bool first = true;
    for (size_t i = 0; i < nv; i++) {
        uint32_t v;
        memcpy(&v, rj->vals.data + i * sizeof v, sizeof v);
        if (v == REGF_NONE)
            continue;
        if (!first)
            gl_buf_putc(out, ',');
        first = false;
        put_value(rj, out, v, rj->vals_deleted.data[i]);
    }
    PUT(out, "]}");
    end_line(rj);
    return true;
}

bool regf_json_key(regf_json *rj, regf_key k, const char *path, size_t path_len, bool key_deleted)
{
    rj->seg.len = 0;
    gl_json_escape(&rj->seg, path, path_len);
    return key_line(rj, k, rj->seg.data, rj->seg.len, key_deleted);
}

/* rj->path_json := the walk key's path as a JSON string without its
 * closing quote. Its parent's escaped path is reused when the walk's
 * promise holds (the parent's raw path, then '\' unless it is the root's
 * ""); escaping a string in two pieces cut before an ASCII byte gives the
 * same text as in one. Anything else is escaped whole. */
static void walk_path_json(regf_json *rj, const char *path, size_t n)
{
    unsigned d = regf_walk_depth(rj->h);
    gl_buf *pj = &rj->path_json;
    size_t from = 0;
    bool reuse = false;
    if (d > 0 && d <= rj->levels) {
        size_t plen = rj->raw_end[d - 1];
        reuse = plen == 0 ? true : plen < n && path[plen] == '\\';
        from = reuse ? plen : 0;
    }
    if (reuse)
        pj->len = rj->esc_end[d - 1];
    else {
        pj->len = 0;
        gl_buf_putc(pj, '"');
    }
    rj->seg.len = 0;
    gl_json_escape(&rj->seg, path + from, n - from);
    gl_buf_append(pj, rj->seg.data + 1, rj->seg.len - 2); /* without its quotes */
    /* Escaped whole below the start (the walk broke its promise), the
     * levels above no longer end inside path_json: none is kept for the
     * rest of the walk. */
    if (d < REGF_MAX_DEPTH && (reuse || d == 0)) {
        rj->raw_end[d] = (uint32_t)n;
        rj->esc_end[d] = (uint32_t)pj->len;
        rj->levels = d + 1;
    } else
        rj->levels = 0;
}

static int walk_cb(void *ctx, regf_hive *h, regf_key key, const char *path, size_t path_len)
{
    (void)h;
    regf_json *rj = ctx;
    walk_path_json(rj, path, path_len);
    gl_buf_putc(&rj->path_json, '"');
#ifdef REGF_JSON_CHECK_PATHS /* the fuzzer's differential check */
    rj->seg.len = 0;
    gl_json_escape(&rj->seg, path, path_len);
    if (rj->seg.len != rj->path_json.len || memcmp(rj->seg.data, rj->path_json.data, rj->seg.len))
        abort();
#endif
    key_line(rj, key, rj->path_json.data, rj->path_json.len, false);
    rj->path_json.len--;
    return 0;
}

void regf_json_walk(regf_json *rj, regf_key start)
{
    rj->levels = 0;
    regf_walk(rj->h, start, walk_cb, rj);
}

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
    gl_buf *out = rj->out;
    PUT(out, "{\"path\":\"(deleted)\\\\(values without a key)\",\"last_write\":null,\"deleted\":true,\"values\":[");
    for (size_t i = 0; i < no; i++) {
        if (i)
            gl_buf_putc(out, ',');
        put_value(rj, out, regf_deleted_orphan_value(rj->h, i), true);
    }
    PUT(out, "]}");
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

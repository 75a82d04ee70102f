/* The JSON Lines renderer on its own, without the command: every value
 * type of the generated types.hive (tests/fixtures/hives/types.hivedesc)
 * rendered from the mapped file read in place, as `reg dump` reads it;
 * deleted keys under a KEYPATH; --deleted only on a live key; the sink. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "mapfile.h"
#include "regf_json.h"
#include "test_regf_util.h"
#include "testutil.h"

typedef struct opened {
    gl_mapfile mf;
    gl_mem_reader mem;
    gl_reader r;
    regf_hive *h;
    char *path; /* the reader's name: outlives the hive */
    gl_buf line;
    regf_json rj;
} opened;

static void open_fixture(opened *o, const char *rel, bool deleted)
{
    o->path = tu_fixture(rel);
    gl_err err = {0};
    cr_assert_eq(gl_mapfile_open(&o->mf, o->path, 1u << 30, &err), 0, "%s", err.msg);
    o->r = gl_reader_memory(&o->mem, o->mf.data, o->mf.len, o->path);
    regf_options ro;
    regf_options_init(&ro);
    ro.in_place = true;
    ro.recover_deleted = deleted;
    o->h = regf_open(&o->r, NULL, NULL, &ro, &err);
    cr_assert_not_null(o->h, "%s", err.msg);
    o->line = (gl_buf){0};
    regf_json_init(&o->rj, o->h, &o->line);
}

static void close_fixture(opened *o)
{
    regf_json_free(&o->rj);
    gl_buf_free(&o->line);
    regf_close(o->h);
    gl_mapfile_close(&o->mf);
    free(o->path);
}

/* The value named name of key, rendered alone. */
static char *render_value(regf_json *rj, regf_key key, const char *name)
{
    regf_value v = regf_value_find(rj->h, key, name);
    cr_assert_neq(v, REGF_NONE, "value %s", name);
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    regf_json_value(rj, &j, v, false);
    return out.data;
}

Test(regf_json, every_value_type)
{
    opened o;
    open_fixture(&o, "hives/types.hive", false);
    regf_key app = regf_key_open(o.h, regf_root(o.h), "Software\\Vendor\\App");
    cr_assert_neq(app, REGF_NONE);
    static const struct {
        const char *name, *json;
    } want[] = {
        {"Dword", "{\"name\":\"Dword\",\"type\":\"REG_DWORD\",\"data\":305419896,\"deleted\":false}"},
        {"DwordBE", "{\"name\":\"DwordBE\",\"type\":\"REG_DWORD_BIG_ENDIAN\",\"data\":305419896,\"deleted\":false}"},
        {"Qword", "{\"name\":\"Qword\",\"type\":\"REG_QWORD\",\"data\":81985529216486895,\"deleted\":false}"},
        {"ShortDword", "{\"name\":\"ShortDword\",\"type\":\"REG_DWORD\",\"data\":\"010203\",\"deleted\":false}"},
        {"Sz", "{\"name\":\"Sz\",\"type\":\"REG_SZ\",\"data\":\"C:\\\\Program Files\\\\App\\\\app.exe\",\"deleted\":false}"},
        {"EmptySz", "{\"name\":\"EmptySz\",\"type\":\"REG_SZ\",\"data\":\"\",\"deleted\":false}"},
        {"Link", "{\"name\":\"Link\",\"type\":\"REG_LINK\",\"data\":\"\\\\Registry\\\\Machine\\\\Software\\\\Target\","
                 "\"deleted\":false}"},
        {"MultiEmpty", "{\"name\":\"MultiEmpty\",\"type\":\"REG_MULTI_SZ\",\"data\":[],\"deleted\":false}"},
        {"MultiGap", "{\"name\":\"MultiGap\",\"type\":\"REG_MULTI_SZ\",\"data\":[\"\\\\??\\\\C:\\\\old.dll\",\"\","
                     "\"\\\\??\\\\C:\\\\tmp\\\\x\"],\"deleted\":false}"},
        {"Unknown", "{\"name\":\"Unknown\",\"type\":\"REG_UNKNOWN_0x200001\",\"data\":\"c0ffee001122\",\"deleted\":false}"},
        {"None", "{\"name\":\"None\",\"type\":\"REG_NONE\",\"data\":\"\",\"deleted\":false}"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *got = render_value(&o.rj, app, want[i].name);
        cr_assert_str_eq(got, want[i].json);
        free(got);
    }
    /* raw: the stored bytes beside the rendered data. */
    o.rj.raw = true;
    char *got = render_value(&o.rj, app, "Dword");
    cr_assert_str_eq(got, "{\"name\":\"Dword\",\"type\":\"REG_DWORD\",\"data\":305419896,\"deleted\":false,"
                          "\"raw\":\"78563412\"}");
    free(got);
    /* A key line: class, owner, 100 ns time, 22 values, one newline. */
    o.rj.raw = false;
    cr_assert(regf_json_key(&o.rj, app, "Software\\Vendor\\App", strlen("Software\\Vendor\\App"), false));
    const char *head = "{\"path\":\"Software\\\\Vendor\\\\App\",\"last_write\":\"2026-11-20T10:00:02.1234567Z\","
                       "\"deleted\":false,\"class\":\"AppClass\",\"owner\":\"S-1-5-21-1004336348-1177238915-"
                       "682003330-512\",\"values\":[{\"name\":\"\",\"type\":\"REG_SZ\",\"data\":\"default value\"";
    cr_assert_eq(strncmp(o.line.data, head, strlen(head)), 0, "%s", o.line.data);
    cr_assert_eq(tu_count(o.line.data, "\"name\":"), 22);
    cr_assert_eq(tu_count(o.line.data, "\n"), 1);
    cr_assert_eq(o.line.data[o.line.len - 1], '\n');
    close_fixture(&o);
}

/* deleted.hive (tests/fixtures/hives/deleted.hivedel): Software\Tool and
 * its Sub survive only as deleted keys; six values lost their key. */
Test(regf_json, deleted_keys_below_keypath)
{
    opened o;
    open_fixture(&o, "hives/deleted.hive", true);
    cr_assert_eq(regf_json_deleted_keys(&o.rj, "\\software\\TOOL"), 2);
    cr_assert_str_eq(o.line.data,
                     "{\"path\":\"Software\\\\Tool\",\"last_write\":\"2026-11-24T12:02:00.0000000Z\","
                     "\"deleted\":true,\"recovered_from\":\"free_cell\",\"values\":[]}\n"
                     "{\"path\":\"Software\\\\Tool\\\\Sub\",\"last_write\":\"2026-11-24T12:03:00.0000000Z\","
                     "\"deleted\":true,\"recovered_from\":\"free_cell\",\"values\":[]}\n");
    /* A sibling whose name only starts the same is not below it. */
    o.line.len = 0;
    cr_assert_eq(regf_json_deleted_keys(&o.rj, "Software\\To"), 0);
    cr_assert_eq(o.line.len, 0);
    /* The whole hive: the orphan values come last, in one line. */
    cr_assert_eq(regf_json_deleted_keys(&o.rj, ""), 2);
    cr_assert_eq(tu_count(o.line.data, "\n"), 3);
    cr_assert_not_null(strstr(o.line.data, "{\"path\":\"(deleted)\\\\(values without a key)\",\"last_write\":null,"
                                           "\"deleted\":true,\"values\":[{\"name\":\"Stay\",\"type\":\"REG_SZ\","
                                           "\"data\":\"still here\",\"deleted\":true,\"recovered_from\":\"free_cell\"},"));
    cr_assert_eq(tu_count(o.line.data, "\"name\":"), 6);
    /* --deleted only: a live key without deleted values is not shown. */
    o.line.len = 0;
    o.rj.deleted = REGF_JSON_DEL_ONLY;
    regf_key keep = regf_key_open(o.h, regf_root(o.h), "Software\\Keep");
    cr_assert_neq(keep, REGF_NONE);
    cr_assert_not(regf_json_key(&o.rj, keep, "Software\\Keep", strlen("Software\\Keep"), false));
    cr_assert_eq(o.line.len, 0);
    close_fixture(&o);
}

typedef struct sunk {
    gl_buf all;
    int calls;
} sunk;

static void sink(void *ctx, const char *data, size_t len)
{
    sunk *s = ctx;
    gl_buf_append(&s->all, data, len);
    s->calls++;
}

/* The walk hands full buffers to the sink and keeps the rest for flush. */
Test(regf_json, walk_through_sink)
{
    opened o;
    open_fixture(&o, "hives/deleted.hive", false);
    sunk s = {0};
    o.rj.sink = sink;
    o.rj.sink_ctx = &s;
    o.rj.flush_at = 1; /* every line */
    regf_json_walk(&o.rj, regf_root(o.h));
    cr_assert_eq(s.calls, 4); /* root, Software, Keep, Other */
    cr_assert_eq(o.line.len, 0);
    const char *root = "{\"path\":\"\",\"last_write\":\"2026-11-24T12:00:00.0000000Z\"";
    cr_assert_eq(strncmp(s.all.data, root, strlen(root)), 0, "%s", s.all.data);
    cr_assert_not_null(strstr(s.all.data, "{\"path\":\"Software\\\\Keep\",\"last_write\":\"2026-11-24T12:01:00."
                                          "0000000Z\",\"deleted\":false,\"owner\":\"S-1-5-32-544\",\"values\":[{"
                                          "\"name\":\"Stay\",\"type\":\"REG_SZ\",\"data\":\"still here\","
                                          "\"deleted\":false}]}\n"));
    /* A large threshold keeps everything until the flush. */
    s.calls = 0;
    o.rj.flush_at = 1u << 20;
    regf_json_walk(&o.rj, regf_root(o.h));
    cr_assert_eq(s.calls, 0);
    cr_assert_eq(tu_count(o.line.data, "\n"), 4);
    regf_json_flush(&o.rj);
    cr_assert_eq(s.calls, 1);
    cr_assert_eq(o.line.len, 0);
    gl_buf_free(&s.all);
    close_fixture(&o);
}

/* layered.hive (tests/fixtures/hives/layered.hivedesc): each layered key
 * says what it does to the layers below, so a tombstone never reads as an
 * ordinary empty key; a tombstone value says so too. Ordinary keys carry
 * no layer fields. */
Test(regf_json, layered_flags_and_tombstones)
{
    opened o;
    open_fixture(&o, "hives/layered.hive", false);
    regf_json_walk(&o.rj, regf_root(o.h));
    cr_assert_eq(tu_count(o.line.data, "\n"), 6);
    static const char *const want[] = {
        "{\"path\":\"Software\",\"last_write\":\"2026-11-24T15:00:00.0000000Z\",\"deleted\":false,"
        "\"owner\":\"S-1-5-32-544\",\"values\":[]}\n",
        "{\"path\":\"Software\\\\Base\",\"last_write\":\"2026-11-24T15:00:00.0000000Z\",\"deleted\":false,"
        "\"owner\":\"S-1-5-32-544\",\"values\":[{\"name\":\"Kept\",\"type\":\"REG_SZ\",\"data\":\"kept\","
        "\"deleted\":false},{\"name\":\"Removed\",\"type\":\"REG_NONE\",\"data\":\"\",\"deleted\":false,"
        "\"tombstone\":true}]}\n",
        "{\"path\":\"Software\\\\Hidden\",\"last_write\":\"2026-11-24T15:00:00.0000000Z\",\"deleted\":false,"
        "\"layer\":\"tombstone\",\"owner\":\"S-1-5-32-544\",\"values\":[]}\n",
        "{\"path\":\"Software\\\\Local\",\"last_write\":\"2026-11-24T15:00:00.0000000Z\",\"deleted\":false,"
        "\"layer\":\"supersede_local\",\"owner\":\"S-1-5-32-544\",\"values\":[]}\n",
        "{\"path\":\"Software\\\\Over\",\"last_write\":\"2026-11-24T15:00:00.0000000Z\",\"deleted\":false,"
        "\"layer\":\"supersede_tree\",\"inherit_class\":true,\"owner\":\"S-1-5-32-544\",\"values\":[{\"name\":"
        "\"v\",\"type\":\"REG_DWORD\",\"data\":1,\"deleted\":false}]}\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(strstr(o.line.data, want[i]), "%s\nnot in\n%s", want[i], o.line.data);
    cr_assert_eq(tu_count(o.line.data, "\"layer\":"), 3);
    cr_assert_eq(tu_count(o.line.data, "\"tombstone\":true"), 1);
    close_fixture(&o);
}

/* Where each deleted key and value was found: an allocated cell nothing
 * references (unreferenced.hive: a renamed key's old nk and its value),
 * free space (deleted.hive, above), and the bytes after the last hive bin
 * (deleted-win.hive with its bins copied once more after their end, as a
 * hive that shrank leaves them: 6 keys and 7 values there). */
Test(regf_json, recovered_from_each_origin)
{
    opened o;
    open_fixture(&o, "hives/unreferenced.hive", true);
    cr_assert_eq(regf_json_deleted_keys(&o.rj, ""), 1);
    cr_assert_str_eq(o.line.data,
                     "{\"path\":\"Software\\\\Tools\\\\OldName\",\"last_write\":\"2026-11-24T15:59:00.0000000Z\","
                     "\"deleted\":true,\"recovered_from\":\"unreferenced\",\"owner\":\"S-1-5-32-544\",\"values\":[{"
                     "\"name\":\"Path\",\"type\":\"REG_SZ\",\"data\":\"C:\\\\Users\\\\Public\\\\rat.exe\","
                     "\"deleted\":true,\"recovered_from\":\"unreferenced\"}]}\n");
    close_fixture(&o);

    gl_buf img = {0};
    gl_mem_reader m;
    gl_reader r;
    size_t bins;
    regf_hive *h = tr_open_remnant(&img, &m, &r, &bins);
    gl_buf line = {0};
    regf_json rj;
    regf_json_init(&rj, h, &line);
    cr_assert_eq(regf_json_deleted_keys(&rj, ""), 9);
    /* 6 keys and 7 values after the bins; the copies' value lists point
     * into the bins, at the free cells of the values deleted there */
    cr_assert_eq(tu_count(line.data, "\"recovered_from\":\"remnant\""), 13, "%s", line.data);
    cr_assert_eq(tu_count(line.data, "\"recovered_from\":\"free_cell\""), 13, "%s", line.data);
    /* remnant cells read like any other: name, time, type, data */
    cr_assert_not_null(strstr(line.data, "{\"path\":\"Software\\\\Gone Top\",\"last_write\":\"2026-11-24T13:04:00."
                                         "0000000Z\",\"deleted\":true,\"recovered_from\":\"remnant\",\"owner\":"
                                         "\"S-1-5-32-544\",\"values\":[]}\n"),
                       "%s", line.data);
    cr_assert_not_null(strstr(line.data, "{\"name\":\"Cmd\",\"type\":\"REG_SZ\",\"data\":\"powershell -enc AAAA\","
                                         "\"deleted\":true,\"recovered_from\":\"remnant\"}"),
                       "%s", line.data);
    cr_assert_eq(regf_error_count(h), 0, "%s", regf_error(h, 0));
    regf_json_free(&rj);
    gl_buf_free(&line);
    regf_close(h);
    gl_buf_free(&img);
}

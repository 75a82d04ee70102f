/* libFuzzer entry for the registry hive parser: the input is opened as a
 * hive from memory and everything reachable is read: every live key and
 * value through regf_walk, every data getter, and the deleted material.
 * A second open drives log replay: the input is split where the hive ends
 * by its own base block (4096 + hive bins size); the rest is the
 * transaction log (seeds are hive + .LOG1 concatenated). Without such a
 * tail the whole input serves as its own log. The first open is also
 * rendered as `reg dump` renders it (regf_json, raw data included). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "regf.h"
#include "regf_json.h"
#include "reader.h"

typedef struct walk_ctx {
    gl_buf text, scratch, list;
} walk_ctx;

/* Reading every byte lets ASan catch a data pointer or length that does
 * not match the memory behind it; the sink keeps the reads alive. */
static volatile uint8_t sink;
static void touch(const uint8_t *p, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= p[i];
    sink ^= x;
}

static void read_value(regf_hive *h, regf_value v, walk_ctx *c)
{
    gl_buf_clear(&c->text);
    regf_value_name(h, v, &c->text);
    uint32_t type = regf_value_type(h, v);
    char tn[32];
    regf_type_name(type, tn);
    (void)regf_value_deleted(h, v);
    size_t len = 0;
    const uint8_t *d = regf_value_data(h, v, &len, &c->scratch);
    if (d)
        touch(d, len);
    gl_buf_clear(&c->text);
    regf_value_string(h, v, &c->text);
    gl_buf_clear(&c->text);
    regf_value_multi_sz(h, v, &c->text);
    uint32_t dw;
    uint64_t qw;
    (void)regf_value_dword(h, v, &dw);
    (void)regf_value_qword(h, v, &qw);
}

static void read_key(regf_hive *h, regf_key k, walk_ctx *c)
{
    gl_buf_clear(&c->text);
    regf_key_name(h, k, &c->text);
    gl_buf_clear(&c->text);
    regf_key_class(h, k, &c->text);
    gl_buf_clear(&c->text);
    regf_key_owner_sid(h, k, &c->text);
    (void)regf_key_last_write(h, k);
    (void)regf_key_flags(h, k);
    (void)regf_key_deleted(h, k);
    (void)regf_key_parent(h, k);
    (void)regf_value_find(h, k, "");
    gl_buf_clear(&c->list);
    size_t n = regf_key_values(h, k, &c->list);
    for (size_t i = 0; i < n; i++) {
        regf_value v;
        memcpy(&v, c->list.data + i * sizeof v, sizeof v);
        read_value(h, v, c);
    }
}

static int on_key(void *ctx, regf_hive *h, regf_key key, const char *path, size_t path_len)
{
    touch((const uint8_t *)path, path_len);
    read_key(h, key, ctx);
    return 0;
}

static void read_hive(regf_hive *h, walk_ctx *c)
{
    (void)regf_get_info(h);
    regf_key root = regf_root(h);
    (void)regf_key_open(h, root, "Software\\Microsoft\\Windows");
    regf_walk(h, root, on_key, c);
    for (size_t i = 0; i < regf_deleted_key_count(h); i++) {
        regf_key k = regf_deleted_key(h, i);
        gl_buf_clear(&c->text);
        regf_deleted_key_path(h, k, &c->text);
        read_key(h, k, c);
    }
    for (size_t i = 0; i < regf_deleted_orphan_value_count(h); i++)
        read_value(h, regf_deleted_orphan_value(h, i), c);
    size_t nerr = regf_error_count(h);
    for (size_t i = 0; i < nerr && i < REGF_MAX_ERRORS; i++)
        touch((const uint8_t *)regf_error(h, i), strlen(regf_error(h, i)));
}

static void discard(void *ctx, const char *p, size_t n)
{
    (void)ctx;
    touch((const uint8_t *)p, n);
}

/* The input length picks the --deleted mode, so all three get inputs. */
static void render_hive(regf_hive *h, size_t size)
{
    gl_buf out = {0};
    regf_json rj;
    regf_json_init(&rj, h, &out);
    rj.raw = true;
    rj.deleted = (regf_json_del)(size % 3);
    rj.sink = discard;
    rj.flush_at = 1u << 16;
    regf_json_walk(&rj, regf_root(h));
    regf_json_deleted_keys(&rj, "");
    regf_json_flush(&rj);
    regf_json_free(&rj);
    gl_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk_ctx c = {0};
    gl_mem_reader m1, m2;
    gl_reader primary = gl_reader_memory(&m1, data, size, "fuzz.hive");
    gl_reader log = gl_reader_memory(&m2, data, size, "fuzz.hive.LOG1");
    regf_options opt;
    regf_options_init(&opt);
    opt.max_hive_size = 64u << 20;
    opt.in_place = true; /* as `reg dump` reads: a dirty image is copied before replay */

    opt.logs = REGF_LOGS_NONE;
    opt.recover_deleted = true;
    gl_err err;
    regf_hive *h = regf_open(&primary, NULL, NULL, &opt, &err);
    if (h) {
        read_hive(h, &c);
        render_hive(h, size);
        regf_close(h);
    }

    size_t split = size;
    if (size >= 0x2C) {
        uint32_t hbins = (uint32_t)data[0x28] | (uint32_t)data[0x29] << 8 | (uint32_t)data[0x2A] << 16 |
                         (uint32_t)data[0x2B] << 24;
        if (hbins % 4096 == 0 && hbins < size && 4096 + (size_t)hbins < size)
            split = 4096 + (size_t)hbins;
    }
    gl_mem_reader m3;
    gl_reader hive_part = gl_reader_memory(&m3, data, split, "fuzz.hive");
    if (split < size)
        log = gl_reader_memory(&m2, data + split, size - split, "fuzz.hive.LOG1");
    opt.logs = REGF_LOGS_AUTO;
    opt.recover_deleted = false;
    h = regf_open(&hive_part, &log, NULL, &opt, &err);
    if (h) {
        read_hive(h, &c);
        regf_close(h);
    }
    gl_buf_free(&c.text);
    gl_buf_free(&c.scratch);
    gl_buf_free(&c.list);
    return 0;
}

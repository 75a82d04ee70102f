/* Host facts read from the evidence before acquisition starts: the
 * computer name and the Windows product name, labels for the run.
 *
 * A hive here is opened without acquisition (no target may cover it), and
 * its base block is checked ("regf", a primary hive, a hive-bins size that
 * fits in the file and under HOSTINFO_MAX_HIVE) before anything else is
 * read. The parser then gets a reader bounded to the base block and the
 * hive bins the header declares, so a huge or sparse file costs no more
 * memory than the bins it claims. Transaction logs are not replayed: the
 * modules read the same hive with its logs; a label may lag a dirty hive. */
#include "hostinfo.h"
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "regf.h"
#include "text.h"

/* Real SYSTEM hives are tens of MB, SOFTWARE rarely above 200 MB. */
#define HOSTINFO_MAX_HIVE (256ull << 20)
#define REGF_BASE_BLOCK 4096u

typedef struct bounded {
    gl_reader inner;
    uint64_t limit;
} bounded;

static int64_t bounded_read(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err)
{
    bounded *b = ctx;
    if (off >= b->limit)
        return 0;
    if (len > b->limit - off)
        len = (size_t)(b->limit - off);
    return b->inner.read_at(b->inner.ctx, off, buf, len, err);
}

/* How many bytes of the hive to read: the base block plus the declared
 * hive bins, or 0 when this is no primary hive of a sane size. */
static uint64_t hive_extent(const gl_reader *r)
{
    uint8_t base[REGF_BASE_BLOCK];
    gl_err err = {0};
    if (r->size < REGF_BASE_BLOCK || gl_read_exact(r, 0, base, sizeof base, &err) != 0)
        return 0;
    if (memcmp(base, "regf", 4) || gl_le32(base + 20) != 1 || gl_le32(base + 28) != 0)
        return 0;
    uint64_t bins = gl_le32(base + 40);
    if (bins == 0 || bins % REGF_BASE_BLOCK || bins > HOSTINFO_MAX_HIVE || bins > r->size - REGF_BASE_BLOCK)
        return 0;
    return REGF_BASE_BLOCK + bins;
}

/* The control set CurrentControlSet stands for: Select\Current. */
static regf_key current_control_set(regf_hive *h)
{
    regf_key select = regf_key_open(h, regf_root(h), "Select");
    uint32_t n = 0;
    if (select == REGF_NONE || !regf_value_dword(h, regf_value_find(h, select, "Current"), &n) || n == 0 ||
        n > 999)
        return REGF_NONE;
    char name[32];
    snprintf(name, sizeof name, "ControlSet%03u", (unsigned)n);
    return regf_key_open(h, regf_root(h), name);
}

/* One string value of a hive of the evidence. key_path is below the hive's
 * root; in SYSTEM it starts below CurrentControlSet when ccs is true. */
static int read_string(gl_source *src, const char *hive, bool ccs, const char *key_path, const char *value, char *out,
                       size_t out_len)
{
    gl_err err = {0};
    gl_buf path = {0};
    gl_buf_printf(&path, "C:\\Windows\\System32\\config\\%s", hive);
    gl_file *f = gl_source_open_unacquired(src, path.data, &err);
    gl_buf_free(&path);
    if (!f)
        return -1;
    int rc = -1;
    bounded b = {.inner = gl_file_reader(f)};
    b.limit = hive_extent(&b.inner);
    if (b.limit) {
        gl_reader r = {.ctx = &b, .read_at = bounded_read, .size = b.limit, .name = b.inner.name};
        regf_options opt;
        regf_options_init(&opt);
        opt.logs = REGF_LOGS_NONE;
        opt.max_hive_size = HOSTINFO_MAX_HIVE + REGF_BASE_BLOCK;
        regf_hive *h = regf_open(&r, NULL, NULL, &opt, &err);
        if (h) {
            regf_key base = ccs ? current_control_set(h) : regf_root(h);
            regf_key k = base == REGF_NONE ? REGF_NONE : regf_key_open(h, base, key_path);
            gl_buf s = {0};
            if (k != REGF_NONE && regf_value_string(h, regf_value_find(h, k, value), &s) && s.len > 0) {
                snprintf(out, out_len, "%s", s.data);
                rc = 0;
            }
            gl_buf_free(&s);
            regf_close(h);
        }
    }
    gl_file_close(f);
    return rc;
}

int gl_hostinfo_computer_name(gl_source *src, char *out, size_t out_len)
{
    return read_string(src, "SYSTEM", true, "Control\\ComputerName\\ComputerName", "ComputerName", out, out_len);
}

int gl_hostinfo_product_name(gl_source *src, char *out, size_t out_len)
{
    return read_string(src, "SOFTWARE", false, "Microsoft\\Windows NT\\CurrentVersion", "ProductName", out, out_len);
}

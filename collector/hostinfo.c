#include "hostinfo.h"
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "regf.h"

typedef struct opened_hive {
    gl_file *files[3];
    gl_reader readers[3];
    regf_hive *hive;
} opened_hive;

static void close_hive(opened_hive *oh)
{
    regf_close(oh->hive);
    for (int i = 0; i < 3; i++)
        gl_file_close(oh->files[i]);
}

static int open_hive(gl_source *src, const char *path, opened_hive *oh)
{
    memset(oh, 0, sizeof *oh);
    static const char *const suffix[3] = {"", ".LOG1", ".LOG2"};
    for (int i = 0; i < 3; i++) {
        gl_buf p = {0};
        gl_buf_printf(&p, "%s%s", path, suffix[i]);
        oh->files[i] = gl_source_open_file(src, p.data, NULL);
        gl_buf_free(&p);
        if (oh->files[i])
            oh->readers[i] = gl_file_reader(oh->files[i]);
    }
    if (!oh->files[0])
        return -1;
    oh->hive = regf_open(&oh->readers[0], oh->files[1] ? &oh->readers[1] : NULL,
                         oh->files[2] ? &oh->readers[2] : NULL, NULL, NULL);
    if (!oh->hive) {
        close_hive(oh);
        return -1;
    }
    return 0;
}

static int read_string(opened_hive *oh, const char *key_path, const char *value, char *out, size_t out_len)
{
    regf_key k = regf_key_open(oh->hive, regf_root(oh->hive), key_path);
    if (k == REGF_NONE)
        return -1;
    regf_value v = regf_value_find(oh->hive, k, value);
    if (v == REGF_NONE)
        return -1;
    gl_buf s = {0};
    bool ok = regf_value_string(oh->hive, v, &s) && s.len > 0;
    if (ok)
        snprintf(out, out_len, "%s", s.data);
    gl_buf_free(&s);
    return ok ? 0 : -1;
}

int gl_hostinfo_computer_name(gl_source *src, char *out, size_t out_len)
{
    opened_hive oh;
    if (open_hive(src, "Windows\\System32\\config\\SYSTEM", &oh) != 0)
        return -1;
    uint32_t current = 1;
    regf_key sel = regf_key_open(oh.hive, regf_root(oh.hive), "Select");
    regf_value cur = sel == REGF_NONE ? REGF_NONE : regf_value_find(oh.hive, sel, "Current");
    if (cur != REGF_NONE)
        regf_value_dword(oh.hive, cur, &current);
    char path[128];
    snprintf(path, sizeof path, "ControlSet%03u\\Control\\ComputerName\\ComputerName", current % 1000);
    int rc = read_string(&oh, path, "ComputerName", out, out_len);
    close_hive(&oh);
    return rc;
}

int gl_hostinfo_product_name(gl_source *src, char *out, size_t out_len)
{
    opened_hive oh;
    if (open_hive(src, "Windows\\System32\\config\\SOFTWARE", &oh) != 0)
        return -1;
    int rc = read_string(&oh, "Microsoft\\Windows NT\\CurrentVersion", "ProductName", out, out_len);
    close_hive(&oh);
    return rc;
}

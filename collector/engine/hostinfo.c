#include "hostinfo.h"
#include <stdio.h>
#include "buf.h"
#include "regview.h"

/* One value through a short-lived registry view; the view opens the hive
 * with its transaction logs and resolves CurrentControlSet. */
static int read_string(gl_source *src, const char *key_path, const char *value, char *out, size_t out_len)
{
    gl_regview *rv = gl_regview_open(src, NULL);
    if (!rv)
        return -1;
    gl_buf s = {0};
    bool ok = gl_regview_string(rv, key_path, value, &s, NULL) == 0 && s.len > 0;
    if (ok)
        snprintf(out, out_len, "%s", s.data);
    gl_buf_free(&s);
    gl_regview_close(rv);
    return ok ? 0 : -1;
}

int gl_hostinfo_computer_name(gl_source *src, char *out, size_t out_len)
{
    return read_string(src, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName", "ComputerName",
                       out, out_len);
}

int gl_hostinfo_product_name(gl_source *src, char *out, size_t out_len)
{
    return read_string(src, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", "ProductName", out, out_len);
}

#include "datafile.h"
#include <stdio.h>

int gl_datafile_read(const char *path, size_t max, const char *what, gl_buf *out, gl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_err_setc(err, GL_ERR_USAGE, "%s %s: cannot be read", what, path);
    char chunk[65536];
    size_t got;
    while (out->len <= max && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        gl_buf_append(out, chunk, got);
    int rc = 0;
    if (ferror(f))
        rc = gl_err_setc(err, GL_ERR_USAGE, "%s %s: read error", what, path);
    else if (out->len > max)
        rc = gl_err_setc(err, GL_ERR_USAGE, "%s %s: larger than %zu bytes", what, path, max);
    else
        gl_buf_reserve(out, 1), out->data[out->len] = '\0'; /* NUL-terminated even when empty */
    fclose(f);
    return rc;
}

#include "reader.h"
#include <inttypes.h>
#include <string.h>

static int64_t mem_read_at(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err)
{
    (void)err;
    gl_mem_reader *m = ctx;
    if (off >= m->len)
        return 0;
    size_t avail = m->len - (size_t)off;
    size_t n = len < avail ? len : avail;
    memcpy(buf, m->data + off, n);
    return (int64_t)n;
}

gl_reader gl_reader_memory(gl_mem_reader *mem, const void *data, size_t len, const char *name)
{
    mem->data = data;
    mem->len = len;
    gl_reader r = {.ctx = mem, .read_at = mem_read_at, .size = len, .name = name, .view = data};
    return r;
}

int gl_read_exact(const gl_reader *r, uint64_t off, void *buf, size_t len, gl_err *err)
{
    int64_t n = r->read_at(r->ctx, off, buf, len, err);
    if (n < 0)
        return -1;
    if ((uint64_t)n != len)
        return gl_err_set(err, "%s: offset %" PRIu64 ": expected %zu bytes, file ends after %" PRId64,
                          r->name, off, len, n);
    return 0;
}

#include "spool.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"

int gl_spool_open(gl_spool *sp, const char *dir, gl_err *err)
{
    memset(sp, 0, sizeof *sp);
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/.gleaner-spool-XXXXXX", dir);
    int fd = mkstemp(path.data);
    if (fd < 0) {
        gl_err_errno(err, "creating spool file in %s", dir);
        gl_buf_free(&path);
        return -1;
    }
    unlink(path.data);
    gl_buf_free(&path);
    sp->fp = fdopen(fd, "w+b");
    if (!sp->fp) {
        close(fd);
        return gl_err_errno(err, "spool file in %s", dir);
    }
    return 0;
}

int gl_spool_write(gl_spool *sp, const void *data, size_t n, gl_err *err)
{
    if (n && fwrite(data, 1, n, sp->fp) != n)
        return gl_err_errno(err, "writing spool file");
    sp->size += n;
    return 0;
}

int gl_spool_line(gl_spool *sp, const char *line, size_t n, gl_err *err)
{
    if (gl_spool_write(sp, line, n, err) != 0 || gl_spool_write(sp, "\n", 1, err) != 0)
        return -1;
    sp->lines++;
    return 0;
}

int64_t gl_spool_read_at(gl_spool *sp, uint64_t off, void *buf, size_t len, gl_err *err)
{
    if (fflush(sp->fp) != 0)
        return gl_err_errno(err, "flushing spool file");
    if (off >= sp->size)
        return 0;
    if (len > sp->size - off)
        len = (size_t)(sp->size - off);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fileno(sp->fp), (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0)
            return gl_err_errno(err, "reading spool file at offset %llu", (unsigned long long)(off + done));
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (int64_t)done;
}

int gl_spool_each_line(gl_spool *sp, int (*cb)(void *ctx, const char *line, size_t n), void *ctx, gl_err *err)
{
    char chunk[1 << 16];
    gl_buf line = {0};
    uint64_t off = 0;
    int rc = 0;
    while (rc == 0 && off < sp->size) {
        int64_t got = gl_spool_read_at(sp, off, chunk, sizeof chunk, err);
        if (got <= 0) {
            rc = got < 0 ? -1 : 0;
            break;
        }
        off += (uint64_t)got;
        const char *p = chunk, *end = chunk + got;
        while (rc == 0 && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) {
                gl_buf_append(&line, p, (size_t)(end - p));
                break;
            }
            if (line.len) {
                gl_buf_append(&line, p, (size_t)(nl - p));
                rc = cb(ctx, line.data, line.len);
                gl_buf_clear(&line);
            } else {
                rc = cb(ctx, p, (size_t)(nl - p));
            }
            p = nl + 1;
        }
    }
    gl_buf_free(&line);
    return rc;
}

void gl_spool_close(gl_spool *sp)
{
    if (sp->fp)
        fclose(sp->fp);
    sp->fp = NULL;
}

#include "spool.h"
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

void gl_spool_close(gl_spool *sp)
{
    if (sp->fp)
        fclose(sp->fp);
    sp->fp = NULL;
}

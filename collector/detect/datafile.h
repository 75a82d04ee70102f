/* Data files the user names on the command line or in a profile (rule
 * files, catalogs, indicator lists): read whole at a module's init, with a
 * size cap, so a bad or absent file stops the run as a usage error naming
 * it before any evidence is read. */
#ifndef GL_DATAFILE_H
#define GL_DATAFILE_H
#include <stddef.h>
#include "buf.h"
#include "err.h"

/* The file into out (NUL-terminated; out->len bytes). -1 with err
 * (GL_ERR_USAGE, "<what> <path>: ...") when it cannot be read or is larger
 * than max bytes. */
int gl_datafile_read(const char *path, size_t max, const char *what, gl_buf *out, gl_err *err);

#endif

/* Files compiled into the binary: profiles (NAME.profile) and YARA rules (NAME.yar). */
#ifndef GL_EMBEDDED_H
#define GL_EMBEDDED_H
#include <stddef.h>

typedef struct gl_embedded_file {
    const char *name; /* file name, e.g. "standard.profile" */
    const char *data; /* NUL-terminated */
    long size;
} gl_embedded_file;

extern const gl_embedded_file gl_embedded_files[]; /* ends with name == NULL */

const gl_embedded_file *gl_embedded_find(const char *name);

#endif

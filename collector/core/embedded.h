/* Files compiled into the binary, zstd-compressed: profiles
 * ("standard.profile"), YARA rules ("yara/NAME.yar") and module data
 * ("<module>/<file>", from modules/<module>/data/). Compressed so no
 * catalog or rule string is readable in the binary. */
#ifndef GL_EMBEDDED_H
#define GL_EMBEDDED_H
#include <stddef.h>

typedef struct gl_embedded_file {
    const char *name;
    const unsigned char *zdata; /* zstd frame */
    size_t zsize;
    size_t size;                /* decompressed */
} gl_embedded_file;

extern const gl_embedded_file gl_embedded_files[]; /* ends with name == NULL */

const gl_embedded_file *gl_embedded_find(const char *name);
/* The decompressed content (NUL-terminated, size in *size when non-NULL),
 * decoded on first use and kept for the life of the process; NULL when
 * there is no such entry. */
const char *gl_embedded_data(const char *name, size_t *size);

#endif

#include "embedded.h"
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "buf.h"

const gl_embedded_file *gl_embedded_find(const char *name)
{
    for (const gl_embedded_file *f = gl_embedded_files; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

#define MAX_EMBEDDED 256
static char *decoded[MAX_EMBEDDED];

static void free_decoded(void)
{
    for (size_t i = 0; i < MAX_EMBEDDED; i++)
        free(decoded[i]);
}

const char *gl_embedded_data(const char *name, size_t *size)
{
    const gl_embedded_file *f = gl_embedded_find(name);
    if (!f)
        return NULL;
    size_t idx = (size_t)(f - gl_embedded_files);
    if (idx >= MAX_EMBEDDED) /* the build embeds far fewer; a bigger table is a build bug */
        abort();
    if (!decoded[idx]) {
        char *out = gl_xmalloc(f->size + 1);
        size_t n = ZSTD_decompress(out, f->size, f->zdata, f->zsize);
        if (ZSTD_isError(n) || n != f->size) /* our own build output: cannot happen */
            abort();
        out[n] = '\0';
        static int registered;
        if (!registered++)
            atexit(free_decoded);
        decoded[idx] = out;
    }
    if (size)
        *size = f->size;
    return decoded[idx];
}

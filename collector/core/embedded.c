#include "embedded.h"
#include <string.h>

const gl_embedded_file *gl_embedded_find(const char *name)
{
    for (const gl_embedded_file *f = gl_embedded_files; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

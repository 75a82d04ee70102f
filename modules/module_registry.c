#include "module_registry.h"
#include <string.h>
#include "fold.h"
#include "module_list.h"

#define GL_DECLARE(name) extern const gl_module gl_module_##name;
GL_MODULE_LIST(GL_DECLARE)
GL_TEST_MODULE_LIST(GL_DECLARE)
#undef GL_DECLARE

#define GL_ENTRY(name) &gl_module_##name,
const gl_module *const gl_modules[] = {GL_MODULE_LIST(GL_ENTRY) GL_TEST_MODULE_LIST(GL_ENTRY) NULL};
#undef GL_ENTRY

const gl_module *gl_module_find(const char *name)
{
    for (size_t i = 0; gl_modules[i]; i++)
        if (!strcmp(gl_modules[i]->name, name))
            return gl_modules[i];
    return NULL;
}

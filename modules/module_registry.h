#ifndef GL_MODULE_REGISTRY_H
#define GL_MODULE_REGISTRY_H
#include "module.h"

extern const gl_module *const gl_modules[]; /* NULL-terminated */
const gl_module *gl_module_find(const char *name);

#endif

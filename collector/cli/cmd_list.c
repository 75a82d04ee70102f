/* gleaner list: modules and profiles in this build. */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "module_registry.h"
#include "profile.h"

int gl_cmd_list(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: gleaner list\n\nList the evidence modules and the built-in profiles.\n");
        return GL_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "usage: gleaner list\n");
        return GL_EXIT_USAGE;
    }
    printf("modules:\n");
    for (size_t i = 0; gl_modules[i]; i++)
        printf("  %-16s %s\n", gl_modules[i]->name, gl_modules[i]->description);
    printf("profiles:\n");
    const char *names[64];
    size_t n = gl_profile_builtin_names(names, 64);
    for (size_t i = 0; i < n; i++) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - strlen(".profile")), names[i]);
        gl_err err = {{0}};
        gl_profile *p = gl_profile_load(name, &err);
        printf("  %-16s %s\n", name, p ? p->description : err.msg);
        gl_profile_free(p);
    }
    return GL_EXIT_OK;
}

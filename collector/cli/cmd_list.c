/* gleaner list: modules (with their rules and settings), profiles and
 * timeline kinds in this build. */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "module_registry.h"
#include "profile.h"
#include "timeline.h"

static const char list_help[] =
    "usage: gleaner list [--rules] [--settings] [--kinds]\n\n"
    "List the evidence modules and the built-in profiles.\n"
    "  --rules      every module's rules: id, default severity, ATT&CK ids, title\n"
    "  --settings   every module's settings: key, type, default, meaning\n"
    "  --kinds      the timeline event kinds modules emit (timeline.jsonl)\n";

static void print_rules(void)
{
    for (size_t i = 0; gl_modules[i]; i++)
        for (const gl_rule_decl *r = gl_modules[i]->rules; r && r->id; r++)
            printf("%-40s %-8s %-28s %s\n", r->id, gl_severity_name(r->severity), r->attack ? r->attack : "",
                   r->title);
}

static void print_settings(void)
{
    static const char *const types[] = {"size", "number", "bool", "duration", "text", "file"};
    for (size_t i = 0; gl_modules[i]; i++)
        for (const gl_setting_decl *d = gl_modules[i]->settings; d && d->key; d++) {
            char key[160];
            snprintf(key, sizeof key, "%s.%s", gl_modules[i]->name, d->key);
            printf("%-36s %-8s %-10s %s\n", key, types[d->type], d->def ? d->def : "-", d->help);
        }
}

static void print_modules_and_profiles(void)
{
    printf("modules:\n");
    for (size_t i = 0; gl_modules[i]; i++)
        printf("  %-16s %s\n", gl_modules[i]->name, gl_modules[i]->description);
    printf("profiles:\n");
    const char *names[64];
    size_t n = gl_profile_builtin_names(names, 64);
    for (size_t i = 0; i < n; i++) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - strlen(".profile")), names[i]);
        gl_err err = {0};
        gl_profile *p = gl_profile_load(name, &err);
        printf("  %-16s %s\n", name, p ? p->description : err.msg);
        gl_profile_free(p);
    }
}

int gl_cmd_list(int argc, char **argv)
{
    if (argc == 1) {
        print_modules_and_profiles();
        return GL_EXIT_OK;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(list_help, stdout);
            return GL_EXIT_OK;
        }
        if (strcmp(argv[i], "--rules") && strcmp(argv[i], "--settings") && strcmp(argv[i], "--kinds")) {
            fprintf(stderr, "gleaner list: unknown option '%s'\n\n%s", argv[i], list_help);
            return GL_EXIT_USAGE;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rules"))
            print_rules();
        else if (!strcmp(argv[i], "--settings"))
            print_settings();
        else
            for (size_t k = 0; gl_timeline_kinds[k].kind; k++)
                printf("%-28s %s\n", gl_timeline_kinds[k].kind, gl_timeline_kinds[k].meaning);
    }
    return GL_EXIT_OK;
}

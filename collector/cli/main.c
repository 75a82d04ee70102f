/* gleaner: the program layer. Dispatches to the subcommand table; all the
 * work is in the collector library, which never prints or exits. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"

static const gl_command commands[] = {
#define GL_TABLE_ENTRY(name, summary) {#name, summary, gl_cmd_##name},
    GL_COMMAND_LIST(GL_TABLE_ENTRY)
#undef GL_TABLE_ENTRY
};

static void usage(FILE *out)
{
    fprintf(out, "gleaner - incident-response triage collector\n\n"
                 "usage: gleaner <command> [options]   (gleaner <command> --help for details)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n%s", gl_exit_codes_help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return GL_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return GL_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version"))
        return gl_cmd_version(1, argv + 1);
    /* libarchive converts pax names through the C library's locale; a UTF-8
     * ctype keeps non-ASCII evidence paths intact whatever the caller's
     * locale. `reg` never reaches libarchive, and loading a locale costs
     * glibc 0.3 ms, a fifth of a small hive's whole dump (docs/regf.md). */
    if (strcmp(argv[1], "reg") && !setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "gleaner: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return GL_EXIT_USAGE;
}

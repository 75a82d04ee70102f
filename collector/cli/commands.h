/* Subcommand table (git-style): each command lives in collector/cmd_*.c
 * with its own --help text, and is registered by one line here. */
#ifndef GL_COMMANDS_H
#define GL_COMMANDS_H

/* Process exit codes: the contract for deployment tools (README). */
enum gl_exit {
    GL_EXIT_OK = 0,       /* complete: everything ran, bundle valid */
    GL_EXIT_PARTIAL = 1,  /* bundle written and valid, but a module failed or a limit was hit */
    GL_EXIT_USAGE = 2,    /* bad command line or profile; nothing was read */
    GL_EXIT_FATAL = 3,    /* no bundle written (cannot open source or output) */
    GL_EXIT_INVALID = 4,  /* verify: bundle altered, incomplete or unreadable */
};

typedef struct gl_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} gl_command;

#define GL_COMMAND_LIST(X)                                                  \
    X(collect, "collect evidence from a source into a bundle")              \
    X(verify, "check a bundle against its manifest and sidecar hash")       \
    X(decrypt, "decrypt a bundle written with collect --encrypt-to")        \
    X(analyze, "re-analyse bundles: findings, timelines, reports, fleet view") \
    X(list, "list modules and profiles")                                    \
    X(reg, "registry hive tools (reg dump)")                                \
    X(evtx, "event log tools (evtx dump)")                                  \
    X(yara, "YARA rule tools (yara check)")                                 \
    X(version, "print version, build date and library versions")

#define GL_DECLARE_COMMAND(name, summary) int gl_cmd_##name(int argc, char **argv);
GL_COMMAND_LIST(GL_DECLARE_COMMAND)
#undef GL_DECLARE_COMMAND

extern const char *gl_exit_codes_help;

#endif

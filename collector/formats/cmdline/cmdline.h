/* Windows command lines as logged by 4688 CommandLine and Sysmon 1: split
 * into arguments the way the program itself would see them, and cmd.exe's
 * /c and /k unwrapped.
 *
 * Splitting follows the Microsoft C runtime's argv rules ("Parsing C
 * command-line arguments", Microsoft C++ docs; CommandLineToArgvW):
 * white space separates arguments; a double quote toggles quoting;
 * 2n backslashes before a quote give n backslashes and the quote acts,
 * 2n+1 give n backslashes and a literal quote; backslashes elsewhere are
 * literal; "" inside a quoted part is a literal quote. The program name
 * (argument 0) is taken plainly: up to the closing quote when it starts
 * with one, else up to white space, with no backslash escapes. */
#ifndef GL_CMDLINE_H
#define GL_CMDLINE_H
#include <stdbool.h>
#include <stddef.h>

typedef struct gl_argv {
    char **v; /* heap strings */
    size_t n;
    bool truncated; /* more arguments than the cap */
} gl_argv;

/* Split cmdline into at most max_args arguments (the rest is dropped and
 * truncated set). Returns out->n. */
size_t gl_cmdline_split(const char *cmdline, size_t max_args, gl_argv *out);
void gl_argv_free(gl_argv *a);

/* The program of argument 0 as a bare lower-case name without directory
 * or ".exe"/".com"/".bat"/".cmd": "C:\Program Files\WinRAR\Rar.exe" ->
 * "rar". Writes "" when out is too small. */
void gl_cmdline_program(const char *argv0, char *out, size_t cap);

/* When cmdline runs cmd.exe with /c or /k (other switches such as /s /q /d
 * may come first), the command cmd runs, as a heap string with cmd's outer
 * quotes removed ("cmd.exe /c \"rar a x.rar *\"" -> "rar a x.rar *");
 * NULL for any other command line. Quotes follow `cmd /?`: the first and
 * the last are stripped, except that a lone quoted program followed by
 * arguments keeps its quotes. */
char *gl_cmdline_cmd_c(const char *cmdline);

#endif

/* YARA rule sets: the project's rules (the yara/ folder, embedded compressed)
 * and the user's (`--yara PATH`: a rule file, or a directory read
 * recursively for .yar/.yara files). Shared by the yara module and
 * `gleaner yara check`. Every rule set gets the external variables public
 * rule sets expect (filename, filepath, extension, filetype, owner), so
 * rules written for Loki or THOR compile; the scanner sets them per file. */
#ifndef GL_YARARULES_H
#define GL_YARARULES_H
#include <stdbool.h>
#include <stddef.h>
#include <yara.h>
#include "err.h"

/* The external variables defined for every scanned file. */
extern const char *const gl_yara_externals[]; /* NULL-terminated */

/* Rule files of one PATH: the file itself, or every .yar/.yara below a
 * directory (sorted, links not followed, depth-limited). -1 with err
 * (GL_ERR_USAGE) when PATH does not exist or holds no rule file. */
int gl_yara_list_files(const char *path, char ***files, size_t *n, gl_err *err);
void gl_yara_free_files(char **files, size_t n);

/* A rule set to scan with: the compiled sources (built-in and every
 * .yar/.yara under the paths, one namespace per file) plus any rule file
 * compiled beforehand (yarac) named by a path, each loaded on its own. */
typedef struct gl_yara_rules {
    YR_RULES **sets;
    size_t n_sets;
    size_t n_files; /* sources and compiled files */
} gl_yara_rules;

/* Load the built-in rules (when builtin) and everything under each of
 * paths[0..n_paths). The first broken rule stops it: -1 with GL_ERR_USAGE
 * and "FILE:LINE: what"; a compiled file libyara cannot load likewise.
 * yr_initialize() must have been called. */
int gl_yara_load(bool builtin, const char *const *paths, size_t n_paths, gl_yara_rules *rules, gl_err *err);
void gl_yara_rules_free(gl_yara_rules *rules);
/* True when the file starts like a compiled rule file ("YARA"). */
bool gl_yara_is_compiled(const char *file);

/* Check one rule file on its own (source, or compiled: it must load);
 * each error goes to cb (file, line, message). Returns the number of
 * errors. */
typedef void (*gl_yara_error_cb)(void *ctx, const char *file, int line, const char *msg);
size_t gl_yara_check_file(const char *file, gl_yara_error_cb cb, void *ctx);

/* The names of the embedded rule files ("yara/<file>"), NULL-terminated
 * array the caller frees (not the names). */
const char **gl_yara_builtin_names(size_t *n);

#endif

/* Profiles: what a run collects. Plain text, one directive per line:
 *
 *   # comment
 *   description <text>
 *   include <profile>                 inherit another profile's lines first
 *   module <name>                     run this module (in order of first mention)
 *   set <module>.<key> <value>        module setting
 *   target <name> <pattern> [max_size=<size>]   raw file target for `files`
 *
 * Words are blank-separated; "double quotes" keep blanks in a pattern.
 *
 * Built-in profiles (profiles/NAME.profile) are embedded at build time;
 * `--profile FILE` reads one from disk, and its includes resolve to the
 * built-in profiles. */
#ifndef GL_PROFILE_H
#define GL_PROFILE_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "module.h"

typedef struct gl_setting {
    char *key; /* "files.max_file_size" */
    char *value;
} gl_setting;

typedef struct gl_profile {
    char *name;
    char *description;
    char *origin; /* "built-in" or the file path */
    char **modules;
    size_t n_modules;
    gl_setting *settings;
    size_t n_settings;
    gl_target *targets;
    size_t n_targets;
} gl_profile;

/* NAME (built-in) or a path to a profile file. */
gl_profile *gl_profile_load(const char *name_or_path, gl_err *err);
gl_profile *gl_profile_parse(const char *text, const char *name, const char *origin, gl_err *err);
void gl_profile_free(gl_profile *p);
const char *gl_profile_setting(const gl_profile *p, const char *key);
/* Set (or replace) a setting, as a later `set` line would. */
void gl_profile_set(gl_profile *p, const char *key, const char *value);
/* Parse "512", "64K", "2M", "4GiB" etc. Returns 0 or -1. */
int gl_parse_size(const char *s, uint64_t *out);

/* Names of built-in profiles, NULL-terminated static list. */
size_t gl_profile_builtin_names(const char **names, size_t max);

#endif

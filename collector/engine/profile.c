#include "profile.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "embedded.h"

#define MAX_INCLUDE_DEPTH 8
#define PROFILE_FILE_MAX (1u << 20)

int gl_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || s[0] == '-')
        return -1;
    uint64_t mult = 1;
    switch (toupper((unsigned char)*end)) {
    case '\0': break;
    case 'K': mult = 1ULL << 10; end++; break;
    case 'M': mult = 1ULL << 20; end++; break;
    case 'G': mult = 1ULL << 30; end++; break;
    case 'T': mult = 1ULL << 40; end++; break;
    default: return -1;
    }
    if (mult > 1 && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
        end += strlen(end);
    if (*end || (mult > 1 && v > UINT64_MAX / mult))
        return -1;
    *out = (uint64_t)v * mult;
    return 0;
}

static void add_module(gl_profile *p, const char *name)
{
    for (size_t i = 0; i < p->n_modules; i++)
        if (!strcmp(p->modules[i], name))
            return;
    p->modules = gl_xrealloc(p->modules, (p->n_modules + 1) * sizeof *p->modules);
    p->modules[p->n_modules++] = gl_xstrdup(name);
}

/* Later lines override earlier ones (so a profile overrides what it includes). */
void gl_profile_set(gl_profile *p, const char *key, const char *value)
{
    for (size_t i = 0; i < p->n_settings; i++)
        if (!strcmp(p->settings[i].key, key)) {
            free(p->settings[i].value);
            p->settings[i].value = gl_xstrdup(value);
            return;
        }
    p->settings = gl_xrealloc(p->settings, (p->n_settings + 1) * sizeof *p->settings);
    p->settings[p->n_settings].key = gl_xstrdup(key);
    p->settings[p->n_settings++].value = gl_xstrdup(value);
}

static void add_target(gl_profile *p, const char *name, const char *pattern, uint64_t max_size)
{
    p->targets = gl_xrealloc(p->targets, (p->n_targets + 1) * sizeof *p->targets);
    p->targets[p->n_targets].name = gl_xstrdup(name);
    p->targets[p->n_targets].pattern = gl_xstrdup(pattern);
    p->targets[p->n_targets++].max_size = max_size;
}

/* Next blank-separated word; "double quotes" keep blanks (Windows paths
 * such as "Program Files" need them). */
static char *next_word(char **s)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
    if (!**s)
        return NULL;
    if (**s == '"') {
        char *start = ++*s;
        while (**s && **s != '"')
            (*s)++;
        if (**s)
            *(*s)++ = '\0';
        return start;
    }
    char *start = *s;
    while (**s && **s != ' ' && **s != '\t')
        (*s)++;
    if (**s)
        *(*s)++ = '\0';
    return start;
}

static char *rest_of_line(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int parse_into(gl_profile *p, const char *text, const char *origin, int depth, gl_err *err);

static int include_builtin(gl_profile *p, const char *name, const char *origin, int line, int depth,
                           gl_err *err)
{
    if (depth >= MAX_INCLUDE_DEPTH)
        return gl_err_set(err, "%s:%d: includes nested deeper than %d (a cycle?)", origin, line,
                          MAX_INCLUDE_DEPTH);
    gl_buf file = {0};
    gl_buf_printf(&file, "%s.profile", name);
    const char *text = gl_embedded_data(file.data, NULL);
    gl_buf_free(&file);
    if (!text)
        return gl_err_set(err, "%s:%d: include '%s': no such built-in profile", origin, line, name);
    gl_buf inc_origin = {0};
    gl_buf_printf(&inc_origin, "built-in %s.profile", name);
    int rc = parse_into(p, text, inc_origin.data, depth + 1, err);
    gl_buf_free(&inc_origin);
    return rc;
}

static int parse_line(gl_profile *p, char *s, const char *origin, int line, int depth, gl_err *err)
{
    char *word = next_word(&s);
    if (!word || word[0] == '#')
        return 0;
    if (!strcmp(word, "description")) {
        if (depth == 0) {
            free(p->description);
            p->description = gl_xstrdup(rest_of_line(s));
        }
        return 0;
    }
    if (!strcmp(word, "include")) {
        char *name = next_word(&s);
        if (!name)
            return gl_err_set(err, "%s:%d: include needs a profile name", origin, line);
        return include_builtin(p, name, origin, line, depth, err);
    }
    if (!strcmp(word, "module")) {
        char *name = next_word(&s);
        if (!name || next_word(&s))
            return gl_err_set(err, "%s:%d: expected 'module <name>'", origin, line);
        add_module(p, name);
        return 0;
    }
    if (!strcmp(word, "set")) {
        char *key = next_word(&s);
        char *value = rest_of_line(s);
        if (!key || !strchr(key, '.') || !*value)
            return gl_err_set(err, "%s:%d: expected 'set <module>.<key> <value>'", origin, line);
        gl_profile_set(p, key, value);
        return 0;
    }
    if (!strcmp(word, "target")) {
        char *name = next_word(&s);
        char *pattern = next_word(&s);
        if (!name || !pattern)
            return gl_err_set(err, "%s:%d: expected 'target <name> <pattern> [max_size=<size>]'", origin, line);
        uint64_t max = 0;
        char *opt;
        while ((opt = next_word(&s))) {
            if (strncmp(opt, "max_size=", 9) || gl_parse_size(opt + 9, &max) != 0)
                return gl_err_set(err, "%s:%d: unknown target option '%s' (expected max_size=<size>)",
                                  origin, line, opt);
        }
        add_target(p, name, pattern, max);
        return 0;
    }
    return gl_err_set(err, "%s:%d: unknown directive '%s' (expected description, include, module, set or target)",
                      origin, line, word);
}

static int parse_into(gl_profile *p, const char *text, const char *origin, int depth, gl_err *err)
{
    char *copy = gl_xstrdup(text);
    char *cursor = copy;
    int line = 0, rc = 0;
    while (rc == 0 && cursor && *cursor) {
        char *nl = strchr(cursor, '\n');
        if (nl)
            *nl = '\0';
        line++;
        rc = parse_line(p, cursor, origin, line, depth, err);
        cursor = nl ? nl + 1 : NULL;
    }
    free(copy);
    return rc;
}

gl_profile *gl_profile_parse(const char *text, const char *name, const char *origin, gl_err *err)
{
    gl_profile *p = gl_xcalloc(1, sizeof *p);
    p->name = gl_xstrdup(name);
    p->origin = gl_xstrdup(origin);
    if (parse_into(p, text, origin, 0, err) != 0) {
        gl_profile_free(p);
        return NULL;
    }
    if (!p->description)
        p->description = gl_xstrdup("");
    return p;
}

static bool looks_like_path(const char *s)
{
    return strchr(s, '/') || strchr(s, '\\') || strstr(s, ".profile");
}

gl_profile *gl_profile_load(const char *name_or_path, gl_err *err)
{
    if (!looks_like_path(name_or_path)) {
        gl_buf file = {0};
        gl_buf_printf(&file, "%s.profile", name_or_path);
        const char *text = gl_embedded_data(file.data, NULL);
        gl_buf_free(&file);
        if (!text) {
            gl_err_set(err, "no built-in profile '%s' (see `gleaner list`)", name_or_path);
            return NULL;
        }
        gl_buf origin = {0};
        gl_buf_printf(&origin, "built-in %s.profile", name_or_path);
        gl_profile *p = gl_profile_parse(text, name_or_path, origin.data, err);
        gl_buf_free(&origin);
        return p;
    }
    FILE *f = fopen(name_or_path, "rb");
    if (!f) {
        gl_err_errno(err, "profile %s", name_or_path);
        return NULL;
    }
    gl_buf text = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= PROFILE_FILE_MAX)
        gl_buf_append(&text, chunk, n);
    fclose(f);
    if (text.len > PROFILE_FILE_MAX) {
        gl_buf_free(&text);
        gl_err_set(err, "profile %s: larger than %u bytes", name_or_path, PROFILE_FILE_MAX);
        return NULL;
    }
    const char *base = strrchr(name_or_path, '/');
    gl_buf name = {0};
    gl_buf_puts(&name, base ? base + 1 : name_or_path);
    char *dot = strstr(name.data, ".profile");
    if (dot)
        *dot = '\0';
    gl_profile *p = gl_profile_parse(gl_buf_cstr(&text), name.data, name_or_path, err);
    gl_buf_free(&text);
    gl_buf_free(&name);
    return p;
}

void gl_profile_free(gl_profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_modules; i++)
        free(p->modules[i]);
    for (size_t i = 0; i < p->n_settings; i++) {
        free(p->settings[i].key);
        free(p->settings[i].value);
    }
    for (size_t i = 0; i < p->n_targets; i++) {
        free(p->targets[i].name);
        free(p->targets[i].pattern);
    }
    free(p->modules);
    free(p->settings);
    free(p->targets);
    free(p->name);
    free(p->description);
    free(p->origin);
    free(p);
}

const char *gl_profile_setting(const gl_profile *p, const char *key)
{
    for (size_t i = 0; i < p->n_settings; i++)
        if (!strcmp(p->settings[i].key, key))
            return p->settings[i].value;
    return NULL;
}

size_t gl_profile_builtin_names(const char **names, size_t max)
{
    size_t n = 0;
    for (const gl_embedded_file *f = gl_embedded_files; f->name && n < max; f++) {
        const char *dot = strstr(f->name, ".profile");
        if (dot && !dot[8])
            names[n++] = f->name;
    }
    return n;
}

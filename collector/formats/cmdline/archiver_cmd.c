/* Archiver command lines (see archiver_cmd.h). Switches are matched on
 * their lower-cased name; values keep their case. */
#include "archiver_cmd.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

static const struct {
    const char *program;
    gl_archiver tool;
} programs[] = {
    {"rar", GL_ARCHIVER_RAR},    {"winrar", GL_ARCHIVER_RAR}, {"rar32", GL_ARCHIVER_RAR}, {"rar64", GL_ARCHIVER_RAR},
    {"7z", GL_ARCHIVER_7Z},      {"7za", GL_ARCHIVER_7Z},     {"7zr", GL_ARCHIVER_7Z},    {"7zg", GL_ARCHIVER_7Z},
    {"7zfm", GL_ARCHIVER_7Z},    {"tar", GL_ARCHIVER_TAR},    {"bsdtar", GL_ARCHIVER_TAR}, {"peazip", GL_ARCHIVER_PEAZIP},
    {"pea", GL_ARCHIVER_PEAZIP},
};

/* Lower-cased copy of a switch name (without its leading '-' or '/'). */
static void lower(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    out[i] = '\0';
}

static bool starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static char *dup_or_null(const char *s) { return *s ? gl_xstrdup(s) : NULL; }

/* A repeated switch replaces the earlier value, as the tools do. */
static void set(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

/* rar switch `sw` (after the dash); raw keeps the value's case. */
static void rar_switch(const char *raw, const char *sw, gl_archiver_cmd *c)
{
    if (starts(sw, "hp")) {
        c->password = c->header_encryption = true;
        set(&c->password_text, dup_or_null(raw + 2));
    } else if (sw[0] == 'p' && strcmp(sw, "p-") != 0) {
        c->password = true;
        set(&c->password_text, dup_or_null(raw + 1));
    } else if (sw[0] == 'v' && (sw[1] == '\0' || (sw[1] >= '0' && sw[1] <= '9'))) {
        c->volumes = true; /* -vn, -vp, -ver, -vd are other switches */
        set(&c->volume_size, dup_or_null(raw + 1));
    } else if (strcmp(sw, "m0") == 0) {
        c->store_only = true;
    } else if (strcmp(sw, "r") == 0 || strcmp(sw, "r0") == 0) {
        c->recursive = true;
    } else if (strcmp(sw, "ep") == 0 || strcmp(sw, "ep1") == 0) {
        c->strip_paths = true;
    } else if (strcmp(sw, "df") == 0) {
        c->delete_after = true;
    } else if (strcmp(sw, "inul") == 0 || strcmp(sw, "idq") == 0) {
        c->quiet = true;
    } else if (sw[0] == 't' && sw[1] && strchr("abno", sw[1])) {
        c->time_filter = true;
    }
}

static void sevenzip_switch(const char *raw, const char *sw, gl_archiver_cmd *c)
{
    if (sw[0] == 'p') {
        c->password = true;
        set(&c->password_text, dup_or_null(raw + 1));
    } else if (strcmp(sw, "mhe") == 0 || strcmp(sw, "mhe=on") == 0 || strcmp(sw, "mhe+") == 0) {
        c->header_encryption = true;
    } else if (sw[0] == 'v' && sw[1] >= '0' && sw[1] <= '9') {
        c->volumes = true;
        set(&c->volume_size, gl_xstrdup(raw + 1));
    } else if (strcmp(sw, "mx0") == 0 || strcmp(sw, "mx=0") == 0) {
        c->store_only = true;
    } else if (strcmp(sw, "r") == 0) {
        c->recursive = true;
    } else if (strcmp(sw, "sdel") == 0) {
        c->delete_after = true;
    } else if (strcmp(sw, "bso0") == 0) {
        c->quiet = true;
    } else if (sw[0] == 't' && sw[1]) {
        set(&c->archive_type, gl_xstrdup(raw + 1));
    }
}

/* Command, archive and sources among the non-switch arguments. */
static void positional(const char *arg, size_t *nth, gl_archiver_cmd *c)
{
    if (*nth == 0)
        lower(arg, c->command, sizeof c->command);
    else if (*nth == 1)
        c->archive = gl_xstrdup(arg);
    else
        c->sources++;
    (*nth)++;
}

static void parse_rar_7z(const gl_argv *argv, gl_archiver_cmd *c)
{
    size_t nth = 0;
    bool switches = true;
    for (size_t i = 1; i < argv->n; i++) {
        const char *a = argv->v[i];
        if (switches && strcmp(a, "--") == 0) {
            switches = false;
            continue;
        }
        /* WinRAR also takes '/' switches; 7-Zip only '-' */
        bool is_switch = switches && (a[0] == '-' || (a[0] == '/' && c->tool == GL_ARCHIVER_RAR)) && a[1];
        if (!is_switch) {
            positional(a, &nth, c);
            continue;
        }
        char sw[32];
        lower(a + 1, sw, sizeof sw);
        if (c->tool == GL_ARCHIVER_RAR)
            rar_switch(a + 1, sw, c);
        else
            sevenzip_switch(a + 1, sw, c);
    }
    static const char *const rar_adds[] = {"a", "m", "mf", "u", "f"}, *const sz_adds[] = {"a", "u"};
    const char *const *adds = c->tool == GL_ARCHIVER_RAR ? rar_adds : sz_adds;
    size_t n_adds = c->tool == GL_ARCHIVER_RAR ? 5 : 2;
    for (size_t i = 0; i < n_adds; i++)
        c->creates |= strcmp(c->command, adds[i]) == 0;
    if (c->tool == GL_ARCHIVER_RAR && (strcmp(c->command, "m") == 0 || strcmp(c->command, "mf") == 0))
        c->delete_after = true; /* move: files are deleted once archived */
}

/* tar: the first argument is a bundle of mode letters ("-cvf" or "cvf");
 * -f's value is the next argument unless glued to it. */
static void parse_tar(const gl_argv *argv, gl_archiver_cmd *c)
{
    bool want_file = false;
    for (size_t i = 1; i < argv->n; i++) {
        const char *a = argv->v[i];
        if (want_file) {
            set(&c->archive, gl_xstrdup(a));
            want_file = false;
            continue;
        }
        bool bundle = a[0] == '-' ? a[1] && a[1] != '-' : i == 1;
        if (!bundle) {
            if (a[0] != '-')
                c->sources++;
            continue;
        }
        for (const char *q = a + (a[0] == '-'); *q; q++) {
            if (strchr("cxtru", *q) && !c->command[0])
                c->command[0] = *q;
            if (*q == 'f') {
                if (q[1])
                    set(&c->archive, gl_xstrdup(q + 1));
                else
                    want_file = true;
                break;
            }
        }
    }
    c->creates = c->command[0] == 'c' || c->command[0] == 'r' || c->command[0] == 'u';
}

bool gl_archiver_cmd_parse(const gl_argv *argv, gl_archiver_cmd *out)
{
    *out = (gl_archiver_cmd){0};
    if (argv->n == 0)
        return false;
    gl_cmdline_program(argv->v[0], out->program, sizeof out->program);
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (strcmp(out->program, programs[i].program) == 0)
            out->tool = programs[i].tool;
    if (out->tool == GL_ARCHIVER_RAR || out->tool == GL_ARCHIVER_7Z)
        parse_rar_7z(argv, out);
    else if (out->tool == GL_ARCHIVER_TAR)
        parse_tar(argv, out);
    return out->tool != GL_ARCHIVER_NONE;
}

void gl_archiver_cmd_free(gl_archiver_cmd *c)
{
    free(c->password_text);
    free(c->volume_size);
    free(c->archive_type);
    free(c->archive);
    *c = (gl_archiver_cmd){0};
}

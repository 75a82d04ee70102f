/* Windows command-line splitting (see cmdline.h for the rules). */
#include "cmdline.h"
#include <stdlib.h>
#include <string.h>
#include "buf.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void push(gl_argv *out, size_t *cap, gl_buf *arg)
{
    if (out->n == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        out->v = gl_xrealloc(out->v, *cap * sizeof *out->v);
    }
    out->v[out->n++] = gl_xstrdup(arg->len ? gl_buf_cstr(arg) : "");
    gl_buf_clear(arg);
}

/* Argument 0: quoted up to the next quote, else up to white space. */
static const char *program_arg(const char *p, gl_buf *arg)
{
    if (*p == '"') {
        const char *end = strchr(p + 1, '"');
        size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
        gl_buf_append(arg, p + 1, len);
        return end ? end + 1 : p + 1 + len;
    }
    const char *s = p;
    while (*p && !is_space(*p))
        p++;
    gl_buf_append(arg, s, (size_t)(p - s));
    return p;
}

/* One CRT-rule argument starting at p (not white space); returns the end. */
static const char *crt_arg(const char *p, gl_buf *arg)
{
    bool quoted = false;
    while (*p && (quoted || !is_space(*p))) {
        size_t slashes = 0;
        while (p[slashes] == '\\')
            slashes++;
        if (p[slashes] == '"') {
            for (size_t i = 0; i < slashes / 2; i++)
                gl_buf_putc(arg, '\\');
            p += slashes;
            if (slashes % 2) {
                gl_buf_putc(arg, '"');
            } else if (quoted && p[1] == '"') {
                gl_buf_putc(arg, '"'); /* "" inside quotes */
                p++;
            } else {
                quoted = !quoted;
            }
            p++;
        } else if (slashes) {
            gl_buf_append(arg, p, slashes);
            p += slashes;
        } else {
            gl_buf_putc(arg, *p++);
        }
    }
    return p;
}

size_t gl_cmdline_split(const char *cmdline, size_t max_args, gl_argv *out)
{
    *out = (gl_argv){0};
    size_t cap = 0;
    gl_buf arg = {0};
    const char *p = cmdline;
    while (is_space(*p))
        p++;
    if (*p && max_args) {
        p = program_arg(p, &arg);
        push(out, &cap, &arg);
    }
    for (;;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        if (out->n >= max_args) {
            out->truncated = true;
            break;
        }
        p = crt_arg(p, &arg);
        push(out, &cap, &arg);
    }
    gl_buf_free(&arg);
    return out->n;
}

void gl_argv_free(gl_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    *a = (gl_argv){0};
}

static bool ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

void gl_cmdline_program(const char *argv0, char *out, size_t cap)
{
    static const char *const exts[] = {".exe", ".com", ".bat", ".cmd"};
    const char *base = argv0;
    for (const char *q = argv0; *q; q++)
        if (*q == '\\' || *q == '/' || *q == ':')
            base = q + 1;
    size_t len = strlen(base);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (len > 4 && ieq(base + len - 4, exts[i], 4))
            len -= 4;
    if (cap == 0)
        return;
    if (len >= cap) {
        out[0] = '\0';
        return;
    }
    for (size_t i = 0; i < len; i++)
        out[i] = (base[i] >= 'A' && base[i] <= 'Z') ? (char)(base[i] - 'A' + 'a') : base[i];
    out[len] = '\0';
}

/* cmd's handling of the text after /c: strip the first and the last quote,
 * unless there are exactly two and text follows the second (a quoted
 * program with arguments). */
static char *cmd_unquote(const char *rest)
{
    while (is_space(*rest))
        rest++;
    size_t len = strlen(rest);
    while (len && is_space(rest[len - 1]))
        len--;
    if (rest[0] != '"')
        return gl_xstrdup(rest);
    size_t quotes = 0, last = 0;
    for (size_t i = 0; i < len; i++)
        if (rest[i] == '"') {
            quotes++;
            last = i;
        }
    if (quotes == 2 && last + 1 < len) {
        gl_buf keep = {0};
        gl_buf_append(&keep, rest, len);
        char *s = gl_xstrdup(gl_buf_cstr(&keep));
        gl_buf_free(&keep);
        return s;
    }
    gl_buf b = {0};
    gl_buf_append(&b, rest + 1, last > 0 ? last - 1 : len - 1);
    gl_buf_append(&b, rest + last + 1, last > 0 ? len - last - 1 : 0);
    char *s = gl_xstrdup(b.len ? gl_buf_cstr(&b) : "");
    gl_buf_free(&b);
    return s;
}

char *gl_cmdline_cmd_c(const char *cmdline)
{
    gl_buf prog = {0};
    const char *p = cmdline;
    while (is_space(*p))
        p++;
    p = program_arg(p, &prog);
    char name[16];
    gl_cmdline_program(prog.len ? gl_buf_cstr(&prog) : "", name, sizeof name);
    gl_buf_free(&prog);
    if (strcmp(name, "cmd") != 0)
        return NULL;
    /* cmd's own switches come before /c; each is '/' and letters */
    for (int guard = 0; guard < 16; guard++) {
        while (is_space(*p))
            p++;
        if (p[0] != '/')
            return NULL;
        if ((p[1] == 'c' || p[1] == 'C' || p[1] == 'k' || p[1] == 'K') && (is_space(p[2]) || p[2] == '"' || !p[2]))
            return cmd_unquote(p + 2);
        p++;
        while (*p && !is_space(*p) && *p != '/')
            p++;
    }
    return NULL;
}

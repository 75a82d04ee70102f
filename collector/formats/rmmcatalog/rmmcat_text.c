/* gleaner's own catalog format (documented at the top of
 * modules/rmm/data/catalog.txt): one "keyword value" per line, a tool per
 * "tool NAME" block. */
#include "rmmcat_int.h"
#include <stdio.h>
#include <string.h>

typedef struct text_ctx {
    const char *name; /* input name for errors */
    size_t line;
    size_t entry;     /* 1-based index of the current tool block */
    rmmcat_tool *tool;
    gl_err *err;
} text_ctx;

static int field_err(text_ctx *c, const char *field, const char *what, const char *v, size_t vn)
{
    if (vn > 80)
        vn = 80;
    return gl_err_setc(c->err, GL_ERR_USAGE, "%s: line %zu: entry %zu \"%s\": field '%s': %s, found \"%.*s\"", c->name,
                      c->line, c->entry, c->tool->name, field, what, (int)vn, v);
}

static int parse_ports(text_ctx *c, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned long port = 0;
        size_t b = i;
        while (i < n && v[i] >= '0' && v[i] <= '9' && port <= 65535)
            port = port * 10 + (unsigned long)(v[i++] - '0');
        if (i == b || port == 0 || port > 65535 || (i < n && v[i] != ','))
            return field_err(c, "port", "expected numbers 1..65535 separated by ','", v, n);
        rmmcat_port_add(c->tool, (uint16_t)port);
        if (i < n && ++i == n) /* a comma, and nothing after it */
            return field_err(c, "port", "expected numbers 1..65535 separated by ','", v, n);
    }
    return 0;
}

/* Log lines carry "<kind> <pattern>"; the kind is a parser name. */
static int check_log(text_ctx *c, const char *v, size_t n)
{
    const char *sp = memchr(v, ' ', n);
    if (!sp || sp == v || (size_t)(sp - v) >= 24)
        return field_err(c, "log", "expected '<parser kind> <path pattern>'", v, n);
    for (const char *k = v; k < sp; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '-'))
            return field_err(c, "log", "parser kind must be lower-case letters, digits and '-'", v, n);
    size_t rest = n - (size_t)(sp + 1 - v);
    while (rest && sp[1] == ' ') {
        sp++;
        rest--;
    }
    if (rest == 0)
        return field_err(c, "log", "expected '<parser kind> <path pattern>'", v, n);
    return 0;
}

static rmmcat_list *list_for(rmmcat_tool *t, const char *kw, size_t kn)
{
    static const struct {
        const char *kw;
        size_t off;
    } lists[] = {
        {"alias", offsetof(rmmcat_tool, aliases)},     {"exe", offsetof(rmmcat_tool, exes)},
        {"service", offsetof(rmmcat_tool, services)},  {"path", offsetof(rmmcat_tool, paths)},
        {"file", offsetof(rmmcat_tool, files)},        {"log", offsetof(rmmcat_tool, logs)},
        {"registry", offsetof(rmmcat_tool, registry)}, {"domain", offsetof(rmmcat_tool, domains)},
        {"signer", offsetof(rmmcat_tool, signers)},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (strlen(lists[i].kw) == kn && memcmp(lists[i].kw, kw, kn) == 0)
            return (rmmcat_list *)((char *)t + lists[i].off);
    return NULL;
}

static bool kw_is(const char *kw, size_t kn, const char *s) { return strlen(s) == kn && memcmp(kw, s, kn) == 0; }

static int text_line(rmmcat *cat, text_ctx *c, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || *s == '#')
        return 0;
    size_t kn = 0;
    while (kn < n && s[kn] != ' ' && s[kn] != '\t')
        kn++;
    const char *v = s + kn;
    size_t vn = n - kn;
    while (vn && (*v == ' ' || *v == '\t')) {
        v++;
        vn--;
    }
    if (vn > RMMCAT_MAX_STR)
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: line %zu: value longer than %d bytes", c->name, c->line, RMMCAT_MAX_STR);
    if (kw_is(s, kn, "tool")) {
        if (vn == 0)
            return gl_err_setc(c->err, GL_ERR_USAGE, "%s: line %zu: entry %zu: field 'tool': expected a tool name", c->name,
                              c->line, c->entry + 1);
        if (rmmcat_count(cat) >= RMMCAT_MAX_TOOLS)
            return gl_err_setc(c->err, GL_ERR_USAGE, "%s: line %zu: more than %d tools", c->name, c->line, RMMCAT_MAX_TOOLS);
        c->entry++;
        c->tool = rmmcat_tool_get(cat, v, vn, RMMCAT_SRC_BUILTIN);
        return 0;
    }
    if (!c->tool)
        return gl_err_setc(c->err, GL_ERR_USAGE, "%s: line %zu: field '%.*s' before any 'tool' line", c->name, c->line,
                          (int)(kn < 32 ? kn : 32), s);
    if (kw_is(s, kn, "priority") || kw_is(s, kn, "tunnel")) {
        if (vn)
            return field_err(c, kw_is(s, kn, "priority") ? "priority" : "tunnel", "takes no value", v, vn);
        if (kw_is(s, kn, "priority"))
            c->tool->priority = true;
        else
            c->tool->tunnel = true;
        return 0;
    }
    if (kw_is(s, kn, "port"))
        return parse_ports(c, v, vn);
    rmmcat_list *l = list_for(c->tool, s, kn);
    if (!l) {
        char kw[33];
        size_t m = kn < 32 ? kn : 32;
        memcpy(kw, s, m);
        kw[m] = '\0';
        return field_err(c, kw, "unknown field", s, n);
    }
    if (vn == 0)
        return field_err(c, l == &c->tool->logs ? "log" : "value", "expected a value", v, vn);
    if (l == &c->tool->logs && check_log(c, v, vn) < 0)
        return -1;
    if (l->n >= RMMCAT_MAX_ITEMS)
        return field_err(c, "list", "too many values", v, vn);
    rmmcat_list_add(l, v, vn);
    return 0;
}

int rmmcat_load_text(rmmcat *cat, const char *data, size_t len, const char *name, gl_err *err)
{
    text_ctx c = {name ? name : "catalog", 0, 0, NULL, err};
    size_t i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        c.line++;
        if (memchr(data + i, '\0', e - i))
            rc = gl_err_setc(err, GL_ERR_USAGE, "%s: line %zu: NUL byte in a text catalog", c.name, c.line);
        else
            rc = text_line(cat, &c, data + i, e - i);
        i = e + 1;
    }
    rmmcat_reindex(cat);
    return rc;
}

#include "chainrule.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

#define MAX_TOKENS (GL_CHAIN_MAX_MATCHERS + 8)

static const struct {
    const char *id, *name;
} tactics[] = {
    {"TA0043", "Reconnaissance"},   {"TA0042", "Resource Development"}, {"TA0001", "Initial Access"},
    {"TA0002", "Execution"},        {"TA0003", "Persistence"},          {"TA0004", "Privilege Escalation"},
    {"TA0005", "Defense Evasion"},  {"TA0006", "Credential Access"},    {"TA0007", "Discovery"},
    {"TA0008", "Lateral Movement"}, {"TA0009", "Collection"},           {"TA0011", "Command and Control"},
    {"TA0010", "Exfiltration"},     {"TA0040", "Impact"},
};

const char *gl_chain_tactic_name(const char *id)
{
    for (size_t i = 0; i < sizeof tactics / sizeof tactics[0]; i++)
        if (!strcmp(tactics[i].id, id))
            return tactics[i].name;
    return NULL;
}

typedef struct parser {
    const char *name;
    size_t line;
    gl_err *err;
    gl_chain_rule *cur; /* the rule being read, or NULL before the first `chain` */
    unsigned seen;      /* directives met in cur (bit per directive) */
} parser;

static int fail(parser *p, const char *fmt, const char *arg)
{
    char what[512];
    snprintf(what, sizeof what, fmt, arg);
    return gl_err_setc(p->err, GL_ERR_USAGE, "%s:%zu: %s", p->name, p->line, what);
}

/* ---- the lexical pieces ------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; }
static bool is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '_' || c == '-';
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return n > 0;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!is_name_char(*s))
            return false;
    return true;
}

/* T1234 or T1234.567 */
static bool valid_one_technique(const char *s, size_t n)
{
    return n >= 5 && s[0] == 'T' && (n == 5 || (n == 9 && s[5] == '.' && all_digits(s + 6, 3))) &&
           all_digits(s + 1, 4);
}

/* One id, or several joined by commas (classic, then v19: T1562.001,T1685). */
static bool valid_technique(const char *s)
{
    for (int i = 0; i < 4; i++) {
        size_t n = strcspn(s, ",");
        if (!valid_one_technique(s, n))
            return false;
        if (!s[n])
            return true;
        s += n + 1;
    }
    return false;
}

static int parse_severity(const char *s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

/* 90, 90s, 15m, 12h, 3d; at most GL_CHAIN_MAX_SECONDS. */
static int parse_duration(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    int64_t mult = 1;
    if (n && !is_digit(s[n - 1])) {
        switch (s[n - 1]) {
        case 's': mult = 1; break;
        case 'm': mult = 60; break;
        case 'h': mult = 3600; break;
        case 'd': mult = 86400; break;
        default: return -1;
        }
        n--;
    }
    if (!all_digits(s, n) || n > 9)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    if (v > GL_CHAIN_MAX_SECONDS / mult)
        return -1;
    *out = v * mult;
    return 0;
}

/* Split in place on blanks. */
static size_t tokenize(char *s, char **tok, size_t max, bool *overflow)
{
    size_t n = 0;
    *overflow = false;
    for (;;) {
        s += strspn(s, " \t");
        if (!*s)
            return n;
        if (n == max) {
            *overflow = true;
            return n;
        }
        tok[n++] = s;
        s += strcspn(s, " \t");
        if (*s)
            *s++ = '\0';
    }
}

/* ---- matchers and steps ------------------------------------------------------- */

static void free_matcher(gl_chain_matcher *m)
{
    free(m->what);
    free(m->key);
    free(m->value);
    free(m->technique);
}

static void free_step(gl_chain_step *s)
{
    free(s->name);
    free(s->tactic);
    free(s->technique);
    for (size_t i = 0; i < s->n_matchers; i++)
        free_matcher(&s->matchers[i]);
    free(s->matchers);
}

static void free_rule(gl_chain_rule *r)
{
    free(r->name);
    free(r->title);
    for (size_t i = 0; i < r->n_steps; i++)
        free_step(&r->steps[i]);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = gl_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* [finding:]ID[[key=value]][@Txxxx[.xxx]] */
static int parse_matcher(parser *p, const char *tok, gl_chain_matcher *m)
{
    memset(m, 0, sizeof *m);
    m->line = p->line;
    const char *s = tok;
    if (!strncmp(s, "finding:", 8)) {
        m->finding = true;
        s += 8;
    }
    size_t id = 0;
    while (is_id_char(s[id]))
        id++;
    if (id == 0 || id > 128)
        return fail(p, "matcher '%s': expected a timeline kind or finding:<rule id>", tok);
    m->what = dup_n(s, id);
    s += id;
    if (*s == '[') {
        const char *eq = strchr(s, '='), *close = strchr(s, ']');
        if (!eq || !close || eq > close || eq == s + 1 || close == eq + 1)
            return fail(p, "matcher '%s': expected a filter [key=value]", tok);
        for (const char *k = s + 1; k < eq; k++)
            if (!is_name_char(*k))
                return fail(p, "matcher '%s': a filter key is a-z 0-9 _", tok);
        m->key = dup_n(s + 1, (size_t)(eq - s - 1));
        m->value = dup_n(eq + 1, (size_t)(close - eq - 1));
        s = close + 1;
    }
    if (*s == '@') {
        if (!valid_technique(s + 1))
            return fail(p, "matcher '%s': expected @Txxxx or @Txxxx.xxx (comma-separated) after the kind", tok);
        m->technique = gl_xstrdup(s + 1);
        s += strlen(s);
    }
    if (*s)
        return fail(p, "matcher '%s': unexpected text after the kind", tok);
    return 0;
}

/* step NAME TAxxxx Txxxx [required] : MATCHER... */
static int parse_step(parser *p, char **tok, size_t n)
{
    gl_chain_rule *r = p->cur;
    if (r->n_steps == GL_CHAIN_MAX_STEPS)
        return fail(p, "more than %s steps in one chain", "16");
    size_t colon = 0;
    while (colon < n && strcmp(tok[colon], ":"))
        colon++;
    if (colon == n)
        return fail(p, "%s: expected step NAME TACTIC TECHNIQUE [required] : MATCHER...", "step");
    if (colon < 4 || colon > 5 || (colon == 5 && strcmp(tok[4], "required")))
        return fail(p, "%s: expected NAME TACTIC TECHNIQUE [required] before ':'", "step");
    if (!valid_name(tok[1]))
        return fail(p, "step name '%s': expected a-z 0-9 _ (at most 64)", tok[1]);
    for (size_t i = 0; i < r->n_steps; i++)
        if (!strcmp(r->steps[i].name, tok[1]))
            return fail(p, "step '%s' defined twice in this chain", tok[1]);
    if (!gl_chain_tactic_name(tok[2]))
        return fail(p, "'%s' is not an ATT&CK Enterprise tactic id (TA0001 ... TA0043)", tok[2]);
    if (!valid_technique(tok[3]))
        return fail(p, "'%s' is not an ATT&CK technique id (Txxxx or Txxxx.xxx, comma-separated)", tok[3]);
    if (n == colon + 1)
        return fail(p, "step '%s': no matcher after ':'", tok[1]);
    gl_chain_step *s = &r->steps[r->n_steps];
    memset(s, 0, sizeof *s);
    s->line = p->line;
    s->required = colon == 5;
    s->matchers = gl_xcalloc(n - colon - 1, sizeof *s->matchers);
    int rc = 0;
    for (size_t i = colon + 1; i < n && rc == 0; i++) {
        rc = parse_matcher(p, tok[i], &s->matchers[s->n_matchers]);
        s->n_matchers++; /* freed with the step even when half-filled */
    }
    s->name = gl_xstrdup(tok[1]);
    s->tactic = gl_xstrdup(tok[2]);
    s->technique = gl_xstrdup(tok[3]);
    r->n_steps++;
    return rc;
}

/* ---- rules -------------------------------------------------------------------- */

enum { D_TITLE = 1, D_SPAN = 2, D_TOLERANCE = 4, D_MIN_STEPS = 8, D_SEVERITY = 16, D_PARTIAL = 32 };

/* What a finished rule must have; reported at its `chain` line. */
static int check_rule(parser *p)
{
    gl_chain_rule *r = p->cur;
    if (!r)
        return 0;
    size_t line = p->line;
    p->line = r->line;
    int rc = 0;
    if (!(p->seen & D_TITLE))
        rc = fail(p, "chain %s: no title", r->name);
    else if (!(p->seen & D_SPAN))
        rc = fail(p, "chain %s: no span", r->name);
    else if (!(p->seen & D_SEVERITY))
        rc = fail(p, "chain %s: no severity", r->name);
    else if (r->n_steps < 2)
        rc = fail(p, "chain %s: fewer than 2 steps", r->name);
    else if (!(p->seen & D_MIN_STEPS))
        r->min_steps = r->n_steps;
    if (rc == 0 && r->min_steps > r->n_steps)
        rc = fail(p, "chain %s: min_steps is more than its steps", r->name);
    else if (rc == 0 && r->min_steps < r->n_steps && r->partial_severity < 0)
        rc = fail(p, "chain %s: min_steps below its steps needs a partial_severity", r->name);
    else if (rc == 0 && r->partial_severity >= r->severity)
        rc = fail(p, "chain %s: partial_severity must be lower than severity", r->name);
    p->line = line;
    return rc;
}

static int start_rule(parser *p, gl_chain_rules *out, size_t first, char **tok, size_t n)
{
    if (n != 2 || !valid_name(tok[1]))
        return fail(p, "%s: expected chain NAME (a-z 0-9 _, at most 64)", "chain");
    for (size_t i = 0; i < out->n; i++)
        if (!strcmp(out->rules[i].name, tok[1]))
            return fail(p, "chain '%s' defined twice", tok[1]);
    if (out->n - first == GL_CHAIN_MAX_RULES)
        return fail(p, "more than %s chains in one file", "64");
    out->rules = gl_xrealloc(out->rules, (out->n + 1) * sizeof *out->rules);
    gl_chain_rule *r = &out->rules[out->n++];
    memset(r, 0, sizeof *r);
    r->name = gl_xstrdup(tok[1]);
    r->line = p->line;
    r->partial_severity = -1;
    p->cur = r;
    p->seen = 0;
    return 0;
}

static int once(parser *p, unsigned bit, const char *directive)
{
    if (p->seen & bit)
        return fail(p, "%s given twice in this chain", directive);
    p->seen |= bit;
    return 0;
}

static int one_value(parser *p, size_t n, const char *directive)
{
    return n == 2 ? 0 : fail(p, "%s: expected one value", directive);
}

static int set_duration(parser *p, char **tok, size_t n, unsigned bit, int64_t *out)
{
    if (once(p, bit, tok[0]) || one_value(p, n, tok[0]))
        return -1;
    if (parse_duration(tok[1], out) != 0)
        return fail(p, "'%s' is not a duration (90s, 15m, 12h, 3d; at most 366d)", tok[1]);
    return 0;
}

static int set_severity(parser *p, char **tok, size_t n, unsigned bit, int *out)
{
    if (once(p, bit, tok[0]) || one_value(p, n, tok[0]))
        return -1;
    if ((*out = parse_severity(tok[1])) < 0)
        return fail(p, "'%s' is not a severity (info, low, medium, high, critical)", tok[1]);
    return 0;
}

static int set_min_steps(parser *p, char **tok, size_t n)
{
    if (once(p, D_MIN_STEPS, tok[0]) || one_value(p, n, tok[0]))
        return -1;
    if (!all_digits(tok[1], strlen(tok[1])) || strlen(tok[1]) > 2 || atoi(tok[1]) < 2)
        return fail(p, "min_steps '%s': expected a number from 2", tok[1]);
    p->cur->min_steps = (size_t)atoi(tok[1]);
    return 0;
}

/* title keeps the rest of the line as it is written. */
static int set_title(parser *p, const char *rest)
{
    if (once(p, D_TITLE, "title"))
        return -1;
    rest += strspn(rest, " \t");
    size_t len = strlen(rest);
    while (len && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
        len--;
    if (!len)
        return fail(p, "%s: expected text", "title");
    p->cur->title = dup_n(rest, len);
    return 0;
}

static int directive(parser *p, gl_chain_rules *out, size_t first, char *line)
{
    if (!strncmp(line, "title", 5) && (line[5] == ' ' || line[5] == '\t' || !line[5]))
        return p->cur ? set_title(p, line + 5) : fail(p, "'%s' before the first chain line", "title");
    char *tok[MAX_TOKENS];
    bool overflow;
    size_t n = tokenize(line, tok, MAX_TOKENS, &overflow);
    if (overflow)
        return fail(p, "more than %s words on one line", "40");
    if (!strcmp(tok[0], "chain")) {
        if (check_rule(p) != 0)
            return -1;
        return start_rule(p, out, first, tok, n);
    }
    if (!p->cur)
        return fail(p, "'%s' before the first chain line", tok[0]);
    if (!strcmp(tok[0], "span"))
        return set_duration(p, tok, n, D_SPAN, &p->cur->span);
    if (!strcmp(tok[0], "tolerance"))
        return set_duration(p, tok, n, D_TOLERANCE, &p->cur->tolerance);
    if (!strcmp(tok[0], "min_steps"))
        return set_min_steps(p, tok, n);
    if (!strcmp(tok[0], "severity"))
        return set_severity(p, tok, n, D_SEVERITY, &p->cur->severity);
    if (!strcmp(tok[0], "partial_severity"))
        return set_severity(p, tok, n, D_PARTIAL, &p->cur->partial_severity);
    if (!strcmp(tok[0], "step"))
        return parse_step(p, tok, n);
    return fail(p, "unknown directive '%s' (chain, title, span, tolerance, min_steps, severity, "
                   "partial_severity, step)", tok[0]);
}

static void drop_from(gl_chain_rules *out, size_t first)
{
    for (size_t i = first; i < out->n; i++)
        free_rule(&out->rules[i]);
    out->n = first;
    if (!out->n) {
        free(out->rules);
        out->rules = NULL;
    }
}

int gl_chainrule_parse(const char *text, size_t n, const char *name, gl_chain_rules *out, gl_err *err)
{
    parser p = {.name = name, .err = err};
    size_t first = out->n;
    char line[GL_CHAIN_MAX_LINE + 1];
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0;) {
        p.line++;
        const char *nl = memchr(text + off, '\n', n - off);
        size_t len = nl ? (size_t)(nl - (text + off)) : n - off;
        const char *s = text + off;
        off += len + (nl ? 1 : 0);
        if (len && s[len - 1] == '\r')
            len--;
        if (len > GL_CHAIN_MAX_LINE) {
            rc = fail(&p, "line longer than %s bytes", "4096");
            break;
        }
        if (memchr(s, '\0', len)) {
            rc = fail(&p, "%s byte in the line", "NUL");
            break;
        }
        memcpy(line, s, len);
        line[len] = '\0';
        char *start = line + strspn(line, " \t");
        if (*start == '#' || !*start)
            continue;
        rc = directive(&p, out, first, start);
    }
    if (rc == 0)
        rc = check_rule(&p);
    if (rc == 0 && out->n == first)
        rc = gl_err_setc(err, GL_ERR_USAGE, "%s: no chain in the file", name);
    if (rc != 0)
        drop_from(out, first);
    return rc;
}

void gl_chainrule_free(gl_chain_rules *rules)
{
    drop_from(rules, 0);
}

#include "fleet.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "buf.h"
#include "embedded.h"
#include "jsonpick.h"
#include "sha256.h"

#define MAX_VALUES 100      /* per column per host; the rest are counted */
#define MAX_LINE_WORDS 4096 /* a rules line longer than this is refused */

typedef enum { XF_NONE, XF_IP, XF_ACCOUNT } value_xform;

typedef struct column_rule {
    size_t column; /* index into names */
    char *rule, *tmpl;
} column_rule;

typedef struct value_rule {
    bool finding;
    char *rule, *tmpl;
    value_xform xf;
} value_rule;

typedef struct correlation {
    char *id, *severity, *title, *reason;
    char **attack;
    size_t n_attack;
    unsigned min_hosts;
    value_rule *values;
    size_t n_values, cap_values;
} correlation;

struct gl_fleet_rules {
    char **names;
    size_t n_names, cap_names;
    column_rule *cols;
    size_t n_cols, cap_cols;
    correlation *corr;
    size_t n_corr, cap_corr;
};

/* ---- matching and templates --------------------------------------------- */

static bool rule_matches(const char *pattern, const char *rule)
{
    if (!rule)
        return false;
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*')
        return !strncmp(pattern, rule, n - 1);
    return !strcmp(pattern, rule);
}

static const char *rule_of(const cJSON *obj, bool finding) { return gl_jstr(obj, finding ? "rule" : "kind"); }

/* Fill {placeholders}; -1 when one is missing or empty (the value is then
 * no evidence of anything). */
static int render(const char *tmpl, const cJSON *obj, bool finding, gl_buf *out)
{
    gl_buf_clear(out);
    for (const char *p = tmpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            gl_buf_putc(out, *p++);
            continue;
        }
        char key[128];
        size_t n = (size_t)(close - p - 1);
        if (n == 0 || n >= sizeof key)
            return -1;
        memcpy(key, p + 1, n);
        key[n] = '\0';
        size_t mark = out->len;
        if (!strcmp(key, "rule") || !strcmp(key, "kind")) {
            const char *r = rule_of(obj, finding);
            if (!r)
                return -1;
            gl_buf_puts(out, r);
        } else if (gl_jtext(out, gl_jpath(obj, key)) != 0)
            return -1;
        if (out->len == mark)
            return -1;
        p = close + 1;
    }
    return out->len ? 0 : -1;
}

/* ---- parsing the rules ------------------------------------------------------ */

static char *next_word(char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
    if (!**p)
        return NULL;
    char *w = *p;
    while (**p && **p != ' ' && **p != '\t')
        (*p)++;
    if (**p)
        *(*p)++ = '\0';
    return w;
}

static char *rest_of(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        p[--n] = '\0';
    return p;
}

static size_t column_index(gl_fleet_rules *r, const char *name)
{
    for (size_t i = 0; i < r->n_names; i++)
        if (!strcmp(r->names[i], name))
            return i;
    r->names = gl_grow_array(r->names, &r->cap_names, r->n_names, sizeof *r->names);
    r->names[r->n_names] = gl_xstrdup(name);
    return r->n_names++;
}

static int parse_column(gl_fleet_rules *r, char *p, const char *where, gl_err *err)
{
    char *name = next_word(&p), *rule = next_word(&p), *tmpl = rest_of(p);
    if (!name || !rule || !*tmpl)
        return gl_err_setc(err, GL_ERR_USAGE, "%s: expected 'column NAME RULE TEMPLATE'", where);
    r->cols = gl_grow_array(r->cols, &r->cap_cols, r->n_cols, sizeof *r->cols);
    column_rule *c = &r->cols[r->n_cols++];
    c->column = column_index(r, name);
    c->rule = gl_xstrdup(rule);
    c->tmpl = gl_xstrdup(tmpl);
    return 0;
}

static bool valid_severity(const char *s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    for (size_t i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return true;
    return false;
}

static int parse_correlate(gl_fleet_rules *r, char *p, const char *where, gl_err *err)
{
    char *id = next_word(&p), *sev = next_word(&p), *min = next_word(&p), *attack = next_word(&p);
    if (!attack || next_word(&p))
        return gl_err_setc(err, GL_ERR_USAGE, "%s: expected 'correlate RULE SEVERITY MIN_HOSTS ATTACK'", where);
    char *end;
    unsigned long m = strtoul(min, &end, 10);
    if (*end || m < 2 || m > 1000000)
        return gl_err_setc(err, GL_ERR_USAGE, "%s: MIN_HOSTS '%s' is not a number of hosts (2 or more)", where, min);
    if (!valid_severity(sev))
        return gl_err_setc(err, GL_ERR_USAGE, "%s: '%s' is not a severity (info, low, medium, high, critical)",
                           where, sev);
    r->corr = gl_grow_array(r->corr, &r->cap_corr, r->n_corr, sizeof *r->corr);
    correlation *c = &r->corr[r->n_corr++];
    memset(c, 0, sizeof *c);
    c->id = gl_xstrdup(id);
    c->severity = gl_xstrdup(sev);
    c->min_hosts = (unsigned)m;
    for (char *a = strtok(attack, ","); a; a = strtok(NULL, ",")) {
        c->attack = gl_xrealloc(c->attack, (c->n_attack + 1) * sizeof *c->attack);
        c->attack[c->n_attack++] = gl_xstrdup(a);
    }
    return 0;
}

static int parse_value(correlation *c, char *p, const char *where, gl_err *err)
{
    char *what = next_word(&p), *rule = next_word(&p), *tmpl = rest_of(p);
    if (!what || !rule || !*tmpl || (strcmp(what, "finding") && strcmp(what, "fact")))
        return gl_err_setc(err, GL_ERR_USAGE, "%s: expected 'value finding|fact RULE TEMPLATE [ip|account]'",
                           where);
    value_xform xf = XF_NONE;
    char *last = strrchr(tmpl, ' ');
    if (last && (!strcmp(last + 1, "ip") || !strcmp(last + 1, "account"))) {
        xf = !strcmp(last + 1, "ip") ? XF_IP : XF_ACCOUNT;
        *last = '\0';
        tmpl = rest_of(tmpl);
    }
    c->values = gl_grow_array(c->values, &c->cap_values, c->n_values, sizeof *c->values);
    value_rule *v = &c->values[c->n_values++];
    v->finding = !strcmp(what, "finding");
    v->rule = gl_xstrdup(rule);
    v->tmpl = gl_xstrdup(tmpl);
    v->xf = xf;
    return 0;
}

static int parse_sub(gl_fleet_rules *r, const char *word, char *p, const char *where, gl_err *err)
{
    if (!r->n_corr)
        return gl_err_setc(err, GL_ERR_USAGE, "%s: indented line outside a 'correlate' block", where);
    correlation *c = &r->corr[r->n_corr - 1];
    char **text = !strcmp(word, "title") ? &c->title : !strcmp(word, "reason") ? &c->reason : NULL;
    if (text) {
        free(*text);
        *text = gl_xstrdup(rest_of(p));
        return 0;
    }
    if (!strcmp(word, "value"))
        return parse_value(c, p, where, err);
    return gl_err_setc(err, GL_ERR_USAGE, "%s: '%s': expected title, reason or value", where, word);
}

static int parse_line(gl_fleet_rules *r, char *line, const char *where, gl_err *err)
{
    bool indented = line[0] == ' ' || line[0] == '\t';
    char *p = line, *word = next_word(&p);
    if (!word || word[0] == '#')
        return 0;
    if (indented)
        return parse_sub(r, word, p, where, err);
    if (!strcmp(word, "column"))
        return parse_column(r, p, where, err);
    if (!strcmp(word, "correlate"))
        return parse_correlate(r, p, where, err);
    return gl_err_setc(err, GL_ERR_USAGE, "%s: '%s': expected column or correlate", where, word);
}

static int check_complete(const gl_fleet_rules *r, const char *origin, gl_err *err)
{
    for (size_t i = 0; i < r->n_corr; i++)
        if (!r->corr[i].title || !r->corr[i].reason || !r->corr[i].n_values)
            return gl_err_setc(err, GL_ERR_USAGE, "%s: correlate %s needs a title, a reason and a value", origin,
                               r->corr[i].id);
    return 0;
}

gl_fleet_rules *gl_fleet_rules_parse(const char *text, const char *origin, gl_err *err)
{
    gl_fleet_rules *r = gl_xcalloc(1, sizeof *r);
    gl_buf line = {0}, where = {0};
    size_t lineno = 0;
    int rc = 0;
    for (const char *p = text; *p && rc == 0;) {
        size_t n = strcspn(p, "\n");
        lineno++;
        if (n > MAX_LINE_WORDS) {
            rc = gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: line too long", origin, lineno);
            break;
        }
        gl_buf_clear(&line);
        gl_buf_append(&line, p, n);
        gl_buf_clear(&where);
        gl_buf_printf(&where, "%s:%zu", origin, lineno);
        rc = parse_line(r, line.data, where.data, err);
        p += n + (p[n] == '\n');
    }
    gl_buf_free(&line);
    gl_buf_free(&where);
    if (rc == 0)
        rc = check_complete(r, origin, err);
    if (rc != 0) {
        gl_fleet_rules_free(r);
        return NULL;
    }
    return r;
}

gl_fleet_rules *gl_fleet_rules_builtin(gl_err *err)
{
    const char *text = gl_embedded_data("engine/fleet.txt", NULL);
    if (!text)
        return gl_err_set(err, "engine/fleet.txt is not built in"), NULL;
    return gl_fleet_rules_parse(text, "engine/fleet.txt", err);
}

void gl_fleet_rules_free(gl_fleet_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_names; i++)
        free(r->names[i]);
    for (size_t i = 0; i < r->n_cols; i++) {
        free(r->cols[i].rule);
        free(r->cols[i].tmpl);
    }
    for (size_t i = 0; i < r->n_corr; i++) {
        correlation *c = &r->corr[i];
        free(c->id);
        free(c->severity);
        free(c->title);
        free(c->reason);
        for (size_t a = 0; a < c->n_attack; a++)
            free(c->attack[a]);
        free(c->attack);
        for (size_t v = 0; v < c->n_values; v++) {
            free(c->values[v].rule);
            free(c->values[v].tmpl);
        }
        free(c->values);
    }
    free(r->names);
    free(r->cols);
    free(r->corr);
    free(r);
}

size_t gl_fleet_n_columns(const gl_fleet_rules *r) { return r->n_names; }
const char *gl_fleet_column_name(const gl_fleet_rules *r, size_t i) { return i < r->n_names ? r->names[i] : NULL; }

/* ---- one host's columns ------------------------------------------------------ */

typedef struct value_set {
    char **v;
    size_t n, cap, dropped;
} value_set;

struct gl_fleet_columns {
    const gl_fleet_rules *r;
    value_set *sets; /* one per column */
};

gl_fleet_columns *gl_fleet_columns_new(const gl_fleet_rules *r)
{
    gl_fleet_columns *c = gl_xcalloc(1, sizeof *c);
    c->r = r;
    c->sets = gl_xcalloc(r->n_names ? r->n_names : 1, sizeof *c->sets);
    return c;
}

static void set_add(value_set *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], v))
            return;
    if (s->n >= MAX_VALUES) {
        s->dropped++;
        return;
    }
    s->v = gl_grow_array(s->v, &s->cap, s->n, sizeof *s->v);
    s->v[s->n++] = gl_xstrdup(v);
}

void gl_fleet_columns_add(gl_fleet_columns *c, const cJSON *finding)
{
    const char *rule = rule_of(finding, true);
    gl_buf val = {0};
    bool *done = gl_xcalloc(c->r->n_names ? c->r->n_names : 1, sizeof *done);
    /* the first matching line of a column decides its value */
    for (size_t i = 0; i < c->r->n_cols; i++) {
        const column_rule *cr = &c->r->cols[i];
        if (done[cr->column] || !rule_matches(cr->rule, rule))
            continue;
        done[cr->column] = true;
        if (render(cr->tmpl, finding, true, &val) == 0)
            set_add(&c->sets[cr->column], val.data);
    }
    free(done);
    gl_buf_free(&val);
}

void gl_fleet_columns_json(const gl_fleet_columns *c, gl_json *j)
{
    gl_json_obj_begin(j);
    for (size_t i = 0; i < c->r->n_names; i++) {
        const value_set *s = &c->sets[i];
        gl_json_key(j, c->r->names[i]);
        gl_json_arr_begin(j);
        for (size_t k = 0; k < s->n; k++)
            gl_json_str(j, s->v[k]);
        if (s->dropped) {
            char more[64];
            snprintf(more, sizeof more, "(%zu more)", s->dropped);
            gl_json_str(j, more);
        }
        gl_json_arr_end(j);
    }
    gl_json_obj_end(j);
}

void gl_fleet_columns_free(gl_fleet_columns *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->r->n_names; i++) {
        for (size_t k = 0; k < c->sets[i].n; k++)
            free(c->sets[i].v[k]);
        free(c->sets[i].v);
    }
    free(c->sets);
    free(c);
}

/* ---- correlation keys --------------------------------------------------------- */

/* An address without its port ("1.2.3.4:5678", "[::1]:80"); false for
 * addresses that are no evidence of a shared remote end. */
static bool normalise_ip(gl_buf *v)
{
    char *s = v->data;
    if (s[0] == '[') {
        char *close = strchr(s, ']');
        if (!close)
            return false;
        memmove(s, s + 1, (size_t)(close - s - 1));
        s[close - s - 1] = '\0';
    } else {
        char *colon = strchr(s, ':');
        if (colon && !strchr(colon + 1, ':')) /* one colon: IPv4 with a port */
            *colon = '\0';
    }
    v->len = strlen(s);
    static const char *const none[] = {"-", "::1", "::", "0.0.0.0", "localhost", "LOCAL"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (!strcasecmp(s, none[i]))
            return false;
    return v->len > 0 && strncmp(s, "127.", 4) != 0;
}

/* HOST\name (a local account) becomes local\name. */
static void normalise_account(gl_buf *v, const char *host)
{
    char *bs = strchr(v->data, '\\');
    size_t hn = host ? strlen(host) : 0;
    if (!bs || (size_t)(bs - v->data) != hn || strncasecmp(v->data, host, hn) != 0)
        return;
    gl_buf out = {0};
    gl_buf_printf(&out, "local%s", bs);
    gl_buf_free(v);
    *v = out;
}

static void put_field(gl_buf *keys, const char *s, char end)
{
    for (; s && *s; s++)
        gl_buf_putc(keys, (unsigned char)*s < 0x20 ? ' ' : *s);
    gl_buf_putc(keys, end);
}

void gl_fleet_keys(const gl_fleet_rules *r, bool is_finding, const cJSON *obj, const char *stem,
                   const char *host, gl_buf *keys)
{
    const char *rule = rule_of(obj, is_finding);
    gl_buf val = {0};
    for (size_t i = 0; i < r->n_corr; i++) {
        const correlation *c = &r->corr[i];
        for (size_t k = 0; k < c->n_values; k++) {
            const value_rule *v = &c->values[k];
            if (v->finding != is_finding || !rule_matches(v->rule, rule) || render(v->tmpl, obj, is_finding, &val))
                continue;
            if (v->xf == XF_IP && !normalise_ip(&val))
                continue;
            if (v->xf == XF_ACCOUNT)
                normalise_account(&val, host);
            const cJSON *ev = is_finding ? cJSON_GetArrayItem(gl_jpath(obj, "evidence"), 0) : obj;
            put_field(keys, c->id, '\t');
            put_field(keys, val.data, '\t');
            put_field(keys, stem, '\t');
            put_field(keys, host, '\t');
            put_field(keys, gl_jstr(obj, "time"), '\t');
            put_field(keys, gl_jstr(ev, "artifact"), '\t');
            put_field(keys, gl_jstr(ev, "locator"), '\n');
        }
    }
    gl_buf_free(&val);
}

/* ---- grouping sorted keys into findings ------------------------------------------ */

enum { K_RULE, K_VALUE, K_STEM, K_HOST, K_TIME, K_ARTIFACT, K_LOCATOR, K_N };

static bool split_key(char *line, char *f[K_N])
{
    line[strcspn(line, "\n")] = '\0';
    for (int i = 0; i < K_N; i++) {
        f[i] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            return i == K_N - 1;
        *tab = '\0';
        line = tab + 1;
    }
    return false;
}

typedef struct group {
    char *rule, *value, *last_stem, *first_time;
    size_t hosts;
    gl_buf evidence, host_list; /* JSON array bodies */
    gl_json ev, hl;
} group;

static void group_start(group *g, char *f[K_N])
{
    g->rule = gl_xstrdup(f[K_RULE]);
    g->value = gl_xstrdup(f[K_VALUE]);
    g->hosts = 0;
    gl_buf_clear(&g->evidence);
    gl_buf_clear(&g->host_list);
    gl_json_init(&g->ev, &g->evidence);
    gl_json_arr_begin(&g->ev);
    gl_json_init(&g->hl, &g->host_list);
    gl_json_arr_begin(&g->hl);
}

/* One piece of evidence per host: its bundle, member and locator. */
static void group_add(group *g, char *f[K_N])
{
    if (g->last_stem && !strcmp(g->last_stem, f[K_STEM]))
        return;
    free(g->last_stem);
    g->last_stem = gl_xstrdup(f[K_STEM]);
    g->hosts++;
    if (f[K_TIME][0] && (!g->first_time || strcmp(f[K_TIME], g->first_time) < 0)) {
        free(g->first_time);
        g->first_time = gl_xstrdup(f[K_TIME]);
    }
    gl_json_str(&g->hl, f[K_HOST]);
    gl_json_obj_begin(&g->ev);
    gl_json_kv_str(&g->ev, "host", f[K_HOST]);
    gl_json_kv_str(&g->ev, "bundle", f[K_STEM]);
    gl_json_kv_str(&g->ev, "artifact", f[K_ARTIFACT]);
    gl_json_kv_str(&g->ev, "locator", f[K_LOCATOR]);
    gl_json_obj_end(&g->ev);
}

static const correlation *find_corr(const gl_fleet_rules *r, const char *id)
{
    for (size_t i = 0; i < r->n_corr; i++)
        if (!strcmp(r->corr[i].id, id))
            return &r->corr[i];
    return NULL;
}

static void fleet_id(const char *rule, const char *value, char out[17])
{
    gl_sha256 h;
    gl_sha256_init(&h);
    const char *parts[] = {"fleet", rule, value};
    for (size_t i = 0; i < 3; i++)
        gl_sha256_update(&h, parts[i], strlen(parts[i]) + 1);
    char hex[GL_SHA256_HEX];
    gl_sha256_final(&h, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
}

static void group_emit(const gl_fleet_rules *r, group *g, FILE *out, size_t *n)
{
    const correlation *c = g->rule ? find_corr(r, g->rule) : NULL;
    if (!c || g->hosts < c->min_hosts)
        return;
    gl_json_arr_end(&g->ev);
    gl_json_arr_end(&g->hl);
    char id[17];
    fleet_id(c->id, g->value, id);
    gl_buf line = {0}, text = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "id", id);
    gl_json_kv_str(&j, "module", "fleet");
    gl_json_kv_str(&j, "rule", c->id);
    gl_json_kv_str(&j, "severity", c->severity);
    gl_buf_printf(&text, "%s (%zu hosts)", c->reason, g->hosts);
    gl_json_kv_str(&j, "severity_reason", text.data);
    gl_buf_clear(&text);
    gl_buf_printf(&text, "%s: %s", c->title, g->value);
    gl_json_kv_str(&j, "title", text.data);
    gl_json_key(&j, "attack");
    gl_json_arr_begin(&j);
    for (size_t a = 0; a < c->n_attack; a++)
        gl_json_str(&j, c->attack[a]);
    gl_json_arr_end(&j);
    gl_json_kv_str(&j, "time", g->first_time);
    gl_json_kv_str(&j, "host", "fleet");
    gl_json_kv_str(&j, "subject", g->value);
    gl_json_key(&j, "evidence");
    gl_json_raw(&j, g->evidence.data, g->evidence.len);
    gl_json_key(&j, "details");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "value", g->value);
    gl_json_kv_uint(&j, "host_count", g->hosts);
    gl_json_key(&j, "hosts");
    gl_json_raw(&j, g->host_list.data, g->host_list.len);
    gl_json_obj_end(&j);
    gl_json_obj_end(&j);
    gl_buf_putc(&line, '\n');
    fwrite(line.data, 1, line.len, out);
    gl_buf_free(&line);
    gl_buf_free(&text);
    (*n)++;
}

static void group_end(group *g)
{
    free(g->rule);
    free(g->value);
    free(g->last_stem);
    free(g->first_time);
    g->rule = g->value = g->last_stem = g->first_time = NULL;
}

int gl_fleet_correlate(const gl_fleet_rules *r, const char *sorted_keys, FILE *out, size_t *n, gl_err *err)
{
    *n = 0;
    FILE *in = fopen(sorted_keys, "rb");
    if (!in)
        return gl_err_errno(err, "reading %s", sorted_keys);
    group g;
    memset(&g, 0, sizeof g);
    char *line = NULL;
    size_t cap = 0;
    size_t lineno = 0;
    int rc = 0;
    while (getline(&line, &cap, in) >= 0) {
        char *f[K_N];
        lineno++;
        if (!split_key(line, f)) {
            rc = gl_err_setc(err, GL_ERR_DAMAGED, "%s:%zu: not a correlation key line", sorted_keys, lineno);
            break;
        }
        if (!g.rule || strcmp(g.rule, f[K_RULE]) || strcmp(g.value, f[K_VALUE])) {
            group_emit(r, &g, out, n);
            group_end(&g);
            group_start(&g, f);
        }
        group_add(&g, f);
    }
    if (rc == 0)
        group_emit(r, &g, out, n);
    group_end(&g);
    gl_buf_free(&g.evidence);
    gl_buf_free(&g.host_list);
    free(line);
    fclose(in);
    return rc;
}

/* chain: attack-chain correlation within one host. Runs after every other
 * module and reads what they wrote — the run's timeline of facts and its
 * findings — never the evidence. Each chain rule (modules/chain/data/
 * chains.txt, more with `--set chain.rules=FILE`; format in
 * collector/formats/chainrule/chainrule.h) lists the actor's steps in
 * order; the best time-ordered sequence of matching facts (chain_match.h)
 * becomes one finding when it has the rule's min_steps.
 *
 * Finding chain.sequence, subject the rule's name, details:
 *   chain, title, steps_matched, steps_total, span_seconds, first, last,
 *   missing: [step names not found],
 *   steps: [{step, time, tactic, tactic_name, technique, kind, module,
 *            subject, artifact, locator[, finding_id]}] in time order,
 * where kind is a timeline kind or "finding:<rule id>". Evidence: every
 * step's (all of a finding's). No records, no timeline events. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "buf.h"
#include "chain_match.h"
#include "chainrule.h"
#include "datafile.h"
#include "embedded.h"
#include "finding.h"
#include "module.h"
#include "timeline.h"

#define BUILTIN "chain/chains.txt"
#define MAX_RULE_FILE (1u << 20)
#define MAX_CANDIDATES 4096 /* per step: bounds the search (starts x steps^2 x log, under a second) */
#define MAX_FACTS 65536      /* facts kept (only those some step wants): a few tens of MiB at most */

static const gl_setting_decl chain_settings[] = {
    {"builtin", GL_SETTING_BOOL, "true", "use the built-in chain rules (modules/chain/data/chains.txt)"},
    {"rules", GL_SETTING_FILE, NULL, "a chain rule file used besides the built-in rules"},
    {0},
};

static const gl_rule_decl chain_rules[] = {
    /* The built-in rule's techniques; each finding carries those of the steps it found. */
    {"chain.sequence", GL_SEV_HIGH, "T1078 T1219 T1562.001 T1685 T1098 T1053.005 T1560.001 T1567",
     "Steps of an attack chain in the actor's order on this host"},
    {0},
};

/* ---- init: rules, checked against the kit's kinds and the run's modules ------------------- */

typedef struct chain_state {
    gl_chain_rules rules;
} chain_state;

static int check_finding_rule(gl_run *run, const char *file, const gl_chain_matcher *m, gl_err *err)
{
    const char *dot = strchr(m->what, '.');
    if (!dot || dot == m->what || !dot[1])
        return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: finding:%s: expected <module>.<rule>", file, m->line,
                           m->what);
    const gl_module *const *mods;
    size_t n = gl_run_modules(run, &mods);
    for (size_t i = 0; i < n; i++)
        if (!strncmp(mods[i]->name, m->what, (size_t)(dot - m->what)) && !mods[i]->name[dot - m->what] &&
            !gl_module_rule(mods[i], m->what))
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: module %s declares no rule %s (gleaner list --rules)",
                               file, m->line, mods[i]->name, m->what);
    return 0; /* a module not in this run: the step just finds nothing */
}

static int check_rules(gl_run *run, const gl_chain_rules *rules, size_t from, const char *file, gl_err *err)
{
    for (size_t i = from; i < rules->n; i++)
        for (size_t j = 0; j < rules->rules[i].n_steps; j++) {
            const gl_chain_step *s = &rules->rules[i].steps[j];
            for (size_t k = 0; k < s->n_matchers; k++) {
                const gl_chain_matcher *m = &s->matchers[k];
                if (m->finding && check_finding_rule(run, file, m, err) != 0)
                    return -1;
                if (!m->finding && !gl_timeline_kind_known(m->what))
                    return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s' is not a timeline kind (gleaner list --kinds)",
                                       file, m->line, m->what);
            }
        }
    return 0;
}

static int load_text(gl_run *run, gl_chain_rules *rules, const char *text, size_t n, const char *name, gl_err *err)
{
    size_t from = rules->n;
    if (gl_chainrule_parse(text, n, name, rules, err) != 0)
        return -1;
    return check_rules(run, rules, from, name, err);
}

static int load_file(gl_run *run, gl_chain_rules *rules, const char *path, gl_err *err)
{
    gl_buf text = {0};
    int rc = gl_datafile_read(path, MAX_RULE_FILE, "chain rules", &text, err);
    if (rc == 0)
        rc = load_text(run, rules, text.data, text.len, path, err);
    gl_buf_free(&text);
    return rc;
}

static int chain_init(gl_run *run, void **state, gl_err *err)
{
    chain_state *st = gl_xcalloc(1, sizeof *st);
    int rc = 0;
    if (gl_run_setting_bool(run, "builtin", true)) {
        size_t n;
        const char *text = gl_embedded_data(BUILTIN, &n);
        rc = text ? load_text(run, &st->rules, text, n, "chains.txt", err)
                  : gl_err_set(err, "built-in chain rules %s are missing from this build", BUILTIN);
    }
    const char *file = gl_run_setting(run, "rules", NULL);
    if (rc == 0 && file && *file)
        rc = load_file(run, &st->rules, file, err);
    if (rc != 0) {
        gl_chainrule_free(&st->rules);
        free(st);
        return -1;
    }
    *state = st;
    return 0;
}

static void chain_fini(void *state)
{
    chain_state *st = state;
    if (!st)
        return;
    gl_chainrule_free(&st->rules);
    free(st);
}

/* ---- reading the facts ------------------------------------------------------------------ */

/* A timeline event or a finding that some step wants. */
typedef struct fact {
    char *time, *kind, *module, *subject, *finding_id;
    gl_buf evidence; /* artifact NUL locator NUL, repeated; the first pair is the step's */
    size_t n_evidence;
} fact;

typedef struct reader {
    gl_run *run;
    const gl_chain_rules *rules;
    chain_steps *steps; /* per rule */
    size_t (*cap)[GL_CHAIN_MAX_STEPS];
    fact *facts;
    size_t n_facts, cap_facts, seq;
    bool facts_full, cands_full;
} reader;

/* ISO 8601 UTC as modules write it (fraction of 0..9 digits, 'Z' optional)
 * to 100 ns ticks since 1970. */
static bool iso_ticks(const char *s, int64_t *out)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &n) != 6 || n != 19)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t frac = 0, scale = CHAIN_TICKS_PER_SECOND;
    const char *p = s + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1) {
                scale /= 10;
                frac += (*p - '0') * scale;
            }
    if (*p == 'Z')
        p++;
    if (*p)
        return false;
    *out = (int64_t)timegm(&tm) * CHAIN_TICKS_PER_SECOND + frac;
    return true;
}

/* The details value as text, for [key=value] filters. */
static bool detail_equals(const cJSON *details, const char *key, const char *want)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(details, key);
    char num[64];
    if (cJSON_IsString(v))
        return !strcmp(v->valuestring, want);
    if (cJSON_IsBool(v))
        return !strcmp(cJSON_IsTrue(v) ? "true" : "false", want);
    if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%.17g", v->valuedouble);
        return !strcmp(num, want);
    }
    return false;
}

static bool accepts(const gl_chain_matcher *m, bool finding, const char *what, const cJSON *details)
{
    return m->finding == finding && !strcmp(m->what, what) && (!m->key || detail_equals(details, m->key, m->value));
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void add_evidence(fact *f, const char *artifact, const char *locator)
{
    gl_buf_append(&f->evidence, artifact, strlen(artifact) + 1);
    gl_buf_append(&f->evidence, locator, strlen(locator) + 1);
    f->n_evidence++;
}

static fact *new_fact(reader *rd, const cJSON *obj, bool finding)
{
    if (rd->n_facts == MAX_FACTS) {
        if (!rd->facts_full)
            gl_run_log(rd->run, "more than %d facts wanted by chain steps: the rest are not considered", MAX_FACTS);
        rd->facts_full = true;
        return NULL;
    }
    if (rd->n_facts == rd->cap_facts) {
        rd->cap_facts = rd->cap_facts ? rd->cap_facts * 2 : 256;
        rd->facts = gl_xrealloc(rd->facts, rd->cap_facts * sizeof *rd->facts);
    }
    fact *f = &rd->facts[rd->n_facts++];
    memset(f, 0, sizeof *f);
    f->time = gl_xstrdup(str_of(obj, "time"));
    f->kind = gl_xstrdup(finding ? str_of(obj, "rule") : str_of(obj, "kind"));
    f->module = gl_xstrdup(str_of(obj, "module"));
    f->subject = gl_xstrdup(str_of(obj, "subject"));
    f->finding_id = finding ? gl_xstrdup(str_of(obj, "id")) : NULL;
    if (!finding) {
        add_evidence(f, str_of(obj, "artifact"), str_of(obj, "locator"));
        return f;
    }
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(obj, "evidence"))
        if (f->n_evidence < GL_FB_MAX_EVIDENCE)
            add_evidence(f, str_of(ev, "artifact"), str_of(ev, "locator"));
    if (!f->n_evidence)
        add_evidence(f, "", "");
    return f;
}

static void add_candidate(reader *rd, size_t rule, size_t step, size_t matcher, int64_t t, size_t event)
{
    chain_steps *s = &rd->steps[rule];
    if (s->n[step] == MAX_CANDIDATES) {
        if (!rd->cands_full)
            gl_run_log(rd->run, "chain %s, step %s: more than %d facts; later ones are not considered",
                       rd->rules->rules[rule].name, rd->rules->rules[rule].steps[step].name, MAX_CANDIDATES);
        rd->cands_full = true;
        return;
    }
    if (s->n[step] == rd->cap[rule][step]) {
        rd->cap[rule][step] = rd->cap[rule][step] ? rd->cap[rule][step] * 2 : 16;
        s->c[step] = gl_xrealloc(s->c[step], rd->cap[rule][step] * sizeof *s->c[step]);
    }
    s->c[step][s->n[step]++] = (chain_cand){t, rd->seq++, event, matcher};
}

/* Offer one fact to every step of every rule; kept only when one wants it. */
static void offer(reader *rd, const cJSON *obj, bool finding)
{
    const char *what = str_of(obj, finding ? "rule" : "kind");
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(obj, "details");
    int64_t t;
    if (!iso_ticks(str_of(obj, "time"), &t))
        return; /* a finding without a time cannot be placed in a sequence */
    size_t event = SIZE_MAX;
    for (size_t r = 0; r < rd->rules->n; r++) {
        const gl_chain_rule *rule = &rd->rules->rules[r];
        for (size_t j = 0; j < rule->n_steps; j++)
            for (size_t m = 0; m < rule->steps[j].n_matchers; m++) {
                if (!accepts(&rule->steps[j].matchers[m], finding, what, details))
                    continue;
                if (event == SIZE_MAX) {
                    if (!new_fact(rd, obj, finding))
                        return;
                    event = rd->n_facts - 1;
                }
                add_candidate(rd, r, j, m, t, event);
                break; /* one candidate per step */
            }
    }
}

static int read_line(reader *rd, const char *line, size_t n, bool finding)
{
    cJSON *obj = cJSON_ParseWithLength(line, n);
    if (!cJSON_IsObject(obj))
        gl_run_error(rd->run, "%s line is not a JSON object", finding ? "findings" : "timeline");
    else
        offer(rd, obj, finding);
    cJSON_Delete(obj);
    return 0;
}

static int on_timeline(void *ctx, const char *line, size_t n) { return read_line(ctx, line, n, false); }
static int on_finding(void *ctx, const char *line, size_t n) { return read_line(ctx, line, n, true); }

/* ---- the finding ---------------------------------------------------------------------- */

static void fmt_span(int64_t secs, char *out, size_t n)
{
    int64_t d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
    if (d && !h && !m)
        snprintf(out, n, "%lldd", (long long)d);
    else if (d)
        snprintf(out, n, "%lldd %lldh %lldm", (long long)d, (long long)h, (long long)m);
    else if (h)
        snprintf(out, n, "%lldh %lldm %llds", (long long)h, (long long)m, (long long)s);
    else
        snprintf(out, n, "%lldm %llds", (long long)m, (long long)s);
}

static const char *step_technique(const gl_chain_step *s, const chain_cand *c)
{
    const char *t = s->matchers[c->matcher].technique;
    return t ? t : s->technique;
}

static const char *step_kind(const fact *f, gl_buf *scratch)
{
    gl_buf_clear(scratch);
    gl_buf_printf(scratch, "%s%s", f->finding_id ? "finding:" : "", f->kind);
    return scratch->data;
}

static void json_step(gl_json *j, const gl_chain_step *s, const chain_cand *c, const fact *f, gl_buf *scratch)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "step", s->name);
    gl_json_kv_str(j, "time", f->time);
    gl_json_kv_str(j, "tactic", s->tactic);
    gl_json_kv_str(j, "tactic_name", gl_chain_tactic_name(s->tactic));
    const char *t = step_technique(s, c);
    gl_json_key(j, "technique"); /* the classic id; the finding's attack has every one */
    gl_json_strn(j, t, strcspn(t, ","));
    gl_json_kv_str(j, "kind", step_kind(f, scratch));
    gl_json_kv_str(j, "module", f->module);
    gl_json_kv_str(j, "subject", f->subject);
    const char *artifact = f->evidence.data, *locator = artifact + strlen(artifact) + 1;
    gl_json_kv_str(j, "artifact", artifact);
    gl_json_kv_str(j, "locator", locator);
    if (f->finding_id)
        gl_json_kv_str(j, "finding_id", f->finding_id);
    gl_json_obj_end(j);
}

/* The reason says how many steps, in which order, within what span. */
static void reason(const gl_chain_rule *r, const chain_result *res, bool full, gl_buf *out)
{
    char span[64];
    fmt_span((res->last - res->first) / CHAIN_TICKS_PER_SECOND, span, sizeof span);
    gl_buf_printf(out, "%zu of %zu steps of chain %s in the actor's order (", res->n, r->n_steps, r->name);
    bool first = true;
    for (size_t j = 0; j < r->n_steps; j++)
        if (res->pick[j]) {
            gl_buf_printf(out, "%s%s [%s]", first ? "" : " -> ", r->steps[j].name,
                          gl_chain_tactic_name(r->steps[j].tactic));
            first = false;
        }
    char allowed[64];
    fmt_span(r->span, allowed, sizeof allowed);
    gl_buf_printf(out, ") within %s (the rule allows %s)", span, allowed);
    if (full) {
        gl_buf_printf(out, "; every step present: one actor's sequence rather than separate events");
        return;
    }
    gl_buf_printf(out, "; missing:");
    for (size_t j = 0; j < r->n_steps; j++)
        if (!res->pick[j])
            gl_buf_printf(out, " %s", r->steps[j].name);
    gl_buf_printf(out, ", so %s rather than %s", gl_severity_name((gl_severity)r->partial_severity),
                  gl_severity_name((gl_severity)r->severity));
}

static void add_one_attack(gl_buf *ids, const char *t, size_t n)
{
    for (const char *p = ids->data; p && *p;) { /* unique, first-seen order */
        size_t len = strcspn(p, " ");
        if (len == n && !strncmp(p, t, n))
            return;
        p += len + (p[len] == ' ');
    }
    gl_buf_printf(ids, "%s%.*s", ids->len ? " " : "", (int)n, t);
}

/* "T1562.001,T1685": each id. */
static void add_attack(gl_buf *ids, const char *list)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        add_one_attack(ids, p, n);
        p += n + (p[n] == ',');
    }
}

static void add_fact_evidence(gl_fb *fb, const fact *f)
{
    const char *artifact = f->evidence.data;
    for (size_t e = 0; e < f->n_evidence; e++) {
        const char *locator = artifact + strlen(artifact) + 1;
        if (artifact[0])
            gl_fb_evidence(fb, artifact, "%s", locator);
        artifact = locator + strlen(locator) + 1;
    }
}

/* details (chain, steps, what is missing) and every step's evidence. */
static void details_and_evidence(gl_fb *fb, const gl_chain_rule *r, const chain_result *res, const fact *first,
                                 const fact *last, const fact *facts)
{
    gl_json *d = gl_fb_details(fb);
    gl_json_kv_str(d, "chain", r->name);
    gl_json_kv_str(d, "title", r->title);
    gl_json_kv_uint(d, "steps_matched", res->n);
    gl_json_kv_uint(d, "steps_total", r->n_steps);
    gl_json_kv_int(d, "span_seconds", (res->last - res->first) / CHAIN_TICKS_PER_SECOND);
    gl_json_kv_str(d, "first", first->time);
    gl_json_kv_str(d, "last", last->time);
    gl_json_key(d, "missing");
    gl_json_arr_begin(d);
    for (size_t j = 0; j < r->n_steps; j++)
        if (!res->pick[j])
            gl_json_str(d, r->steps[j].name);
    gl_json_arr_end(d);
    gl_json_key(d, "steps");
    gl_json_arr_begin(d);
    gl_buf scratch = {0};
    for (size_t j = 0; j < r->n_steps; j++) {
        if (!res->pick[j])
            continue;
        const fact *f = &facts[res->pick[j]->event];
        json_step(d, &r->steps[j], res->pick[j], f, &scratch);
        add_fact_evidence(fb, f);
    }
    gl_buf_free(&scratch);
    gl_json_arr_end(d);
}

static void emit(gl_run *run, const gl_chain_rule *r, const chain_result *res, const fact *facts)
{
    bool full = res->n == r->n_steps;
    gl_buf why = {0}, ids = {0};
    reason(r, res, full, &why);
    const fact *first = NULL, *last = NULL;
    for (size_t j = 0; j < r->n_steps; j++)
        if (res->pick[j]) {
            last = &facts[res->pick[j]->event];
            first = first ? first : last;
            add_attack(&ids, step_technique(&r->steps[j], res->pick[j]));
        }
    char span[64];
    fmt_span((res->last - res->first) / CHAIN_TICKS_PER_SECOND, span, sizeof span);
    gl_fb fb;
    gl_fb_start(&fb, run, "chain.sequence");
    gl_fb_severity(&fb, (gl_severity)(full ? r->severity : r->partial_severity), "%s", why.data);
    gl_fb_title(&fb, "%s: %zu of %zu steps over %s", r->title, res->n, r->n_steps, span);
    gl_fb_subject(&fb, "%s", r->name);
    gl_fb_time_iso(&fb, first->time);
    gl_fb_attack(&fb, ids.data);
    details_and_evidence(&fb, r, res, first, last, facts);
    gl_fb_emit(&fb);
    gl_buf_free(&why);
    gl_buf_free(&ids);
}

/* ---- run ---------------------------------------------------------------------------- */

static void free_reader(reader *rd)
{
    for (size_t i = 0; i < rd->n_facts; i++) {
        fact *f = &rd->facts[i];
        free(f->time);
        free(f->kind);
        free(f->module);
        free(f->subject);
        free(f->finding_id);
        gl_buf_free(&f->evidence);
    }
    free(rd->facts);
    for (size_t r = 0; r < rd->rules->n; r++)
        for (size_t j = 0; j < GL_CHAIN_MAX_STEPS; j++)
            free(rd->steps[r].c[j]);
    free(rd->steps);
    free(rd->cap);
}

static int chain_run(gl_run *run, gl_err *err)
{
    chain_state *st = gl_run_state(run);
    reader rd = {.run = run, .rules = &st->rules};
    rd.steps = gl_xcalloc(st->rules.n ? st->rules.n : 1, sizeof *rd.steps);
    rd.cap = gl_xcalloc(st->rules.n ? st->rules.n : 1, sizeof *rd.cap);
    int rc = gl_run_each_timeline(run, on_timeline, &rd, err);
    if (rc == 0)
        rc = gl_run_each_finding(run, on_finding, &rd, err);
    for (size_t r = 0; r < st->rules.n && rc == 0; r++) {
        const gl_chain_rule *rule = &st->rules.rules[r];
        chain_sort(rule, &rd.steps[r]);
        chain_result res;
        chain_best(rule, &rd.steps[r], &res);
        gl_run_log(run, "chain %s: %zu of %zu steps in order with every required step (%zu make a chain)",
                   rule->name, res.n, rule->n_steps, rule->min_steps);
        if (res.n && res.n >= rule->min_steps)
            emit(run, rule, &res, rd.facts);
    }
    free_reader(&rd);
    return rc;
}

const gl_module gl_module_chain = {
    .name = "chain",
    .description = "attack-chain correlation: the actor's steps in order on this host, from the other modules' "
                   "timeline and findings",
    .settings = chain_settings,
    .rules = chain_rules,
    .last = true,
    .init = chain_init,
    .fini = chain_fini,
    .run = chain_run,
};

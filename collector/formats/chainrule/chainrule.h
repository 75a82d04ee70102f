/* Attack-chain rules (modules/chain/data/chains.txt, `--set chain.rules=FILE`):
 * an actor's sequence as ordered steps, each step a set of timeline kinds
 * (or finding rules) mapped to one ATT&CK tactic and technique. One
 * directive per line; '#' at the start of a line (after blanks) is a comment.
 *
 *   chain muddled_libra                    starts a rule (name: a-z 0-9 _)
 *   title Intrusion sequence ...           one line for a human (required)
 *   span 3d                                first to last step at most (s m h d)
 *   tolerance 2s                           a step may come this much before the one
 *                                          before it (same-second events, clock skew); default 0
 *   min_steps 5                            fewest steps that make a (partial) chain;
 *                                          default every step
 *   severity critical                      every step present
 *   partial_severity high                  min_steps or more but not all (required when
 *                                          min_steps < steps; lower than severity)
 *   step <name> <TAxxxx> <Txxxx[.xxx]> [required] : <matcher>...
 *
 * A technique may list up to four ids joined by commas, the classic one
 * first and then its ATT&CK v19 number (`T1562.001,T1685`), as findings
 * carry both.
 * A matcher is a timeline kind (`rmm.installed`) or `finding:<rule id>`
 * (`finding:ioc.domain`), optionally with one details filter `[key=value]`
 * (`logon[type=10]`, compared as text) and a technique of its own
 * `@Txxxx[.xxx]` replacing the step's (`firewall.profile.disabled@T1562.004`).
 * Steps are listed in the order the actor takes them.
 *
 * The parser checks the form only; which kinds exist is the module's to
 * check (each matcher keeps its line for that). Any error stops the parse
 * with "NAME:LINE: what was expected" (GL_ERR_USAGE): a rule file is loaded
 * whole or not at all. */
#ifndef GL_CHAINRULE_H
#define GL_CHAINRULE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define GL_CHAIN_MAX_RULES 64
#define GL_CHAIN_MAX_STEPS 16
#define GL_CHAIN_MAX_MATCHERS 32 /* per step */
#define GL_CHAIN_MAX_LINE 4096
#define GL_CHAIN_MAX_SECONDS (366LL * 86400) /* span and tolerance */

typedef struct gl_chain_matcher {
    char *what;      /* timeline kind, or finding rule id when finding */
    bool finding;
    char *key;       /* details filter, or NULL */
    char *value;
    char *technique; /* replaces the step's, or NULL; "T1562.004,T1686.003" */
    size_t line;
} gl_chain_matcher;

typedef struct gl_chain_step {
    char *name;
    char *tactic;    /* "TA0005" */
    char *technique; /* "T1562.001" or "T1562.001,T1685" */
    bool required;
    gl_chain_matcher *matchers;
    size_t n_matchers;
    size_t line;
} gl_chain_step;

typedef struct gl_chain_rule {
    char *name;
    char *title;
    int64_t span;      /* seconds */
    int64_t tolerance; /* seconds */
    size_t min_steps;  /* 1..n_steps */
    int severity;      /* 0 info .. 4 critical */
    int partial_severity; /* -1 when partial chains are not reported */
    gl_chain_step steps[GL_CHAIN_MAX_STEPS];
    size_t n_steps;
    size_t line;
} gl_chain_rule;

typedef struct gl_chain_rules {
    gl_chain_rule *rules;
    size_t n;
} gl_chain_rules;

/* Parse text (n bytes, need not be NUL-terminated) named `name` in errors,
 * appending its rules to *out (a rule name already in *out is an error).
 * On error *out keeps only the rules it had before. */
int gl_chainrule_parse(const char *text, size_t n, const char *name, gl_chain_rules *out, gl_err *err);
void gl_chainrule_free(gl_chain_rules *rules);

/* "Defense Evasion" for "TA0005"; NULL for an id that is no ATT&CK
 * Enterprise tactic. */
const char *gl_chain_tactic_name(const char *id);

#endif

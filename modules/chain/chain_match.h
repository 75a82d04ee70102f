/* Finding one chain rule's best sequence among candidate facts: for each
 * step, the facts that match one of its matchers, with their times. The
 * best sequence takes steps in the rule's order with non-decreasing times
 * (a step may come `tolerance` before the previous one), within `span` of
 * its first step, skips only steps that are not required, and has the most
 * steps; among those the shortest span, then the earliest start. */
#ifndef GL_CHAIN_MATCH_H
#define GL_CHAIN_MATCH_H
#include <stddef.h>
#include <stdint.h>
#include "chainrule.h"

#define CHAIN_TICKS_PER_SECOND 10000000LL /* times are 100 ns ticks */

typedef struct chain_cand {
    int64_t t;      /* 100 ns ticks since 1970 */
    size_t seq;     /* order of arrival, breaks ties between equal times */
    size_t event;   /* the caller's index of the fact */
    size_t matcher; /* which matcher of the step it met */
} chain_cand;

typedef struct chain_steps {
    chain_cand *c[GL_CHAIN_MAX_STEPS];
    size_t n[GL_CHAIN_MAX_STEPS];
} chain_steps;

typedef struct chain_result {
    size_t n;                                /* steps matched */
    const chain_cand *pick[GL_CHAIN_MAX_STEPS]; /* per step of the rule, NULL when skipped */
    int64_t first, last;                     /* ticks */
} chain_result;

/* Sort every step's candidates by time (then arrival). */
void chain_sort(const gl_chain_rule *r, chain_steps *s);
/* Best sequence (sorted candidates); res->n is 0 when no sequence holds
 * every required step. Fires when res->n >= r->min_steps. */
void chain_best(const gl_chain_rule *r, const chain_steps *s, chain_result *res);

#endif

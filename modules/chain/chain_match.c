#include "chain_match.h"
#include <stdlib.h>
#include <string.h>

#define NONE INT64_MAX

static int by_time(const void *a, const void *b)
{
    const chain_cand *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void chain_sort(const gl_chain_rule *r, chain_steps *s)
{
    for (size_t j = 0; j < r->n_steps; j++)
        if (s->n[j] > 1)
            qsort(s->c[j], s->n[j], sizeof *s->c[j], by_time);
}

/* First candidate at or after t (candidates sorted by time). */
static size_t lower_bound(const chain_cand *c, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One start: candidate `start` of step i, earlier steps skipped. The
 * state is, for each count of steps taken, the earliest time the last of
 * them can have (the earliest leaves most room for the steps after); how
 * each state was reached is kept per step to read the sequence back. */
typedef struct walk {
    int64_t g[GL_CHAIN_MAX_STEPS + 1];
    const chain_cand *took[GL_CHAIN_MAX_STEPS][GL_CHAIN_MAX_STEPS + 1]; /* NULL: step skipped */
} walk;

static size_t walk_from(const gl_chain_rule *r, const chain_steps *s, size_t i, const chain_cand *start, walk *w)
{
    int64_t tol = r->tolerance * CHAIN_TICKS_PER_SECOND;
    int64_t floor_t = start->t - tol, end_t = start->t + r->span * CHAIN_TICKS_PER_SECOND;
    for (size_t c = 0; c <= r->n_steps; c++)
        w->g[c] = NONE;
    w->g[1] = start->t;
    memset(w->took, 0, sizeof w->took);
    w->took[i][1] = start;
    for (size_t j = i + 1; j < r->n_steps; j++) {
        int64_t next[GL_CHAIN_MAX_STEPS + 1];
        for (size_t c = 0; c <= r->n_steps; c++)
            next[c] = r->steps[j].required ? NONE : w->g[c]; /* a required step cannot be skipped */
        for (size_t c = 1; c < j - i + 1; c++) {
            if (w->g[c] == NONE)
                continue;
            int64_t from = w->g[c] - tol > floor_t ? w->g[c] - tol : floor_t;
            size_t k = lower_bound(s->c[j], s->n[j], from);
            if (k < s->n[j] && s->c[j][k].t <= end_t && s->c[j][k].t < next[c + 1]) {
                next[c + 1] = s->c[j][k].t;
                w->took[j][c + 1] = &s->c[j][k];
            }
        }
        memcpy(w->g, next, sizeof next);
    }
    size_t best = 0;
    for (size_t c = 1; c <= r->n_steps; c++)
        if (w->g[c] != NONE)
            best = c;
    return best;
}

/* Read the sequence back from the last step to the start. */
static void read_back(const gl_chain_rule *r, size_t i, size_t count, const walk *w, chain_result *res)
{
    memset(res, 0, sizeof *res);
    res->n = count;
    size_t c = count;
    for (size_t j = r->n_steps; j-- > i && c > 0;) {
        const chain_cand *t = w->took[j][c];
        if (!t)
            continue;
        res->pick[j] = t;
        c--;
    }
    res->first = NONE;
    res->last = INT64_MIN;
    for (size_t j = 0; j < r->n_steps; j++) {
        if (!res->pick[j])
            continue;
        if (res->pick[j]->t < res->first)
            res->first = res->pick[j]->t;
        if (res->pick[j]->t > res->last)
            res->last = res->pick[j]->t;
    }
}

static bool better(const chain_result *a, const chain_result *b)
{
    if (a->n != b->n)
        return a->n > b->n;
    if (a->last - a->first != b->last - b->first)
        return a->last - a->first < b->last - b->first;
    return a->first < b->first;
}

void chain_best(const gl_chain_rule *r, const chain_steps *s, chain_result *res)
{
    memset(res, 0, sizeof *res);
    walk *w = malloc(sizeof *w);
    if (!w)
        abort();
    for (size_t i = 0; i < r->n_steps; i++) {
        for (size_t k = 0; k < s->n[i]; k++) {
            if (k > 0 && s->c[i][k].t == s->c[i][k - 1].t)
                continue; /* same start time, same outcome */
            size_t count = walk_from(r, s, i, &s->c[i][k], w);
            chain_result cand;
            read_back(r, i, count, w, &cand);
            if (count && better(&cand, res))
                *res = cand;
        }
        if (r->steps[i].required)
            break; /* a later start would skip it */
    }
    free(w);
}

/* libFuzzer target: attack-chain rule files. Every rule handed out must
 * be complete and within the limits the header promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "chainrule.h"

static void check_rule(const gl_chain_rule *r)
{
    if (!r->name || !r->title || r->n_steps < 2 || r->n_steps > GL_CHAIN_MAX_STEPS || r->min_steps < 2 ||
        r->min_steps > r->n_steps || r->span < 0 || r->span > GL_CHAIN_MAX_SECONDS || r->tolerance < 0 ||
        r->tolerance > GL_CHAIN_MAX_SECONDS || r->severity < 0 || r->severity > 4 ||
        r->partial_severity >= r->severity || !r->line)
        abort();
    for (size_t i = 0; i < r->n_steps; i++) {
        const gl_chain_step *s = &r->steps[i];
        if (!s->name || !gl_chain_tactic_name(s->tactic) || !s->technique || !s->n_matchers ||
            s->n_matchers > GL_CHAIN_MAX_MATCHERS)
            abort();
        for (size_t m = 0; m < s->n_matchers; m++)
            if (!s->matchers[m].what || !s->matchers[m].what[0] || !s->matchers[m].key != !s->matchers[m].value)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_chain_rules rules = {0};
    gl_err err = {0};
    if (gl_chainrule_parse((const char *)data, size, "fuzz", &rules, &err) != 0) {
        if (!err.msg[0] || rules.n || rules.rules)
            abort(); /* every failure says why and leaves nothing behind */
        return 0;
    }
    for (size_t i = 0; i < rules.n; i++)
        check_rule(&rules.rules[i]);
    gl_chainrule_free(&rules);
    return 0;
}

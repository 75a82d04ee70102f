/* The firewall rule parser's fuzz oracles, shared by the libFuzzer target
 * (fuzz_fwrule.c) and the regression sweep in tests/unit/test_fwrule.c:
 * no crash or sanitizer report, every piece of the result inside the
 * input, success exactly when no problem was counted, ranges ordered, the
 * comma-list parsers agreeing with the token ones. abort() otherwise. */
#ifndef GL_FWRULE_EXERCISE_H
#define GL_FWRULE_EXERCISE_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fwrule.h"

static inline void check_in(const char *base, size_t n, fw_str s)
{
    if (s.p && (s.p < base || s.p + s.n > base + n))
        abort();
}

static inline void check_rule(const char *s, size_t n)
{
    fw_rule r;
    gl_err err = {0};
    int rc = fw_rule_parse(s, n, &r, &err);
    if ((rc == 0) != (r.n_errors == 0) || (rc < 0 && err.msg[0] == '\0'))
        abort();
    if (r.n_fields > FW_RULE_MAX_FIELDS)
        abort();
    check_in(s, n, r.app);
    check_in(s, n, r.svc);
    check_in(s, n, r.name);
    check_in(s, n, r.desc);
    check_in(s, n, r.embed_ctxt);
    for (size_t i = 0; i < r.n_fields; i++) {
        check_in(s, n, r.fields[i].key);
        check_in(s, n, r.fields[i].value);
        if (r.fields[i].offset >= n)
            abort();
    }
    for (size_t i = 0; i < r.n_lports; i++)
        if (r.lports[i].kind == FW_PORT_RANGE && r.lports[i].lo > r.lports[i].hi)
            abort();
    for (size_t i = 0; i < r.n_raddrs; i++)
        if (r.raddrs[i].kind == FW_ADDR_RANGE && memcmp(r.raddrs[i].lo, r.raddrs[i].hi, 16) > 0)
            abort();
    fw_rule_free(&r);
}

static inline void check_lists(const char *s, size_t n)
{
    fw_port *p;
    fw_addr *a;
    size_t np, na;
    gl_err err = {0};
    if (fw_port_list_parse(s, n, &p, &np, &err) == 0 && n > 0 && np == 0)
        abort();
    free(p);
    if (fw_addr_list_parse(s, n, &a, &na, &err) == 0 && n > 0 && na == 0)
        abort();
    free(a);
}

/* Run every oracle on data[0..size) (an exact-size copy, so reads past
 * the end are caught). */
static inline void fwrule_exercise(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        return;
    memcpy(s, data, size);
    check_rule(s, size);
    check_lists(s, size);
    free(s);
}

#endif

/* Module isolation for allocation failures. gl_xmalloc & co abort when
 * memory runs out (core/buf.h); while a module runs under gl_guard_run, a
 * failed allocation in the module's own code instead leaves the module:
 * gl_guard_run returns 1 and the engine marks the module failed, abandons
 * what it may have left half-updated, and goes on with the next module.
 * docs/hacking.md ("Module isolation") says why this is sound. */
#ifndef GL_GUARD_H
#define GL_GUARD_H
#include <stddef.h>

/* Run fn(arg) for module `name`. Returns 0 when fn returned (its result in
 * *rc), 1 when an allocation failed inside it (*failed_bytes: its size).
 * Test builds: GLEANER_TEST_ALLOC_FAIL=<module>[:N] makes every allocation
 * in that module's own code fail after its first N (default 0). */
int gl_guard_run(const char *name, int (*fn)(void *arg), void *arg, int *rc, size_t *failed_bytes);

/* Bracket engine code that modules call (records, findings, logging,
 * acquisition): an allocation failure there aborts as before, since the
 * engine's own state would be half-updated; no test fault is injected
 * there either. Nests. */
void gl_guard_kit_enter(void);
void gl_guard_kit_leave(void);

#endif

/* A deterministic mutation sweep for parser tests: run a fuzz target's
 * oracles (an "exercise" function that aborts on a broken invariant) over
 * mutants of seed texts, so make test-san replays them on every change.
 * Seeds and alphabet are C strings; the byte 0x01 in them stands for NUL. */
#ifndef GL_MUTATE_UTIL_H
#define GL_MUTATE_UTIL_H
#include <stddef.h>
#include <stdint.h>

void mu_sweep(const char *const *seeds, size_t n_seeds, const char *alphabet, unsigned rounds, uint64_t seed,
              void (*exercise)(const uint8_t *, size_t));

#endif

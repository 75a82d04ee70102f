/* See mutate_util.h. */
#include "mutate_util.h"
#include <string.h>

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64: a fixed sequence, so any failure replays */
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The fuzz target's oracles over a deterministic mutation sweep of seed
 * inputs (byte flips, separator insertions, truncations, duplications),
 * so make test-san replays them on every change. */
void mu_sweep(const char *const *seeds, size_t n_seeds, const char *alphabet, unsigned rounds, uint64_t seed,
              void (*exercise)(const uint8_t *, size_t))
{
    uint64_t s = seed;
    uint8_t buf[1024];
    for (unsigned r = 0; r < rounds; r++) {
        const char *src = seeds[next_rand(&s) % n_seeds];
        size_t n = strlen(src);
        memcpy(buf, src, n);
        unsigned edits = 1 + (unsigned)(next_rand(&s) % 6);
        for (unsigned e = 0; e < edits && n > 0; e++) {
            uint64_t v = next_rand(&s);
            size_t at = (size_t)(v % n);
            switch ((v >> 32) % 4) {
            case 0: buf[at] ^= (uint8_t)(1u << ((v >> 40) % 8)); break;
            case 1: buf[at] = (uint8_t)alphabet[(v >> 40) % strlen(alphabet)]; break;
            case 2: n = at; break;
            default:
                if (n + (n - at) <= sizeof buf) { /* duplicate the tail */
                    memmove(buf + n, buf + at, n - at);
                    n += n - at;
                }
                break;
            }
        }
        for (size_t i = 0; i < n; i++) /* 0x01 in seeds and alphabet stands for NUL */
            if (buf[i] == 1)
                buf[i] = 0;
        exercise(buf, n);
    }
}


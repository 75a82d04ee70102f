/* CRC32 (IEEE 802.3, reflected, as zlib) for EVTX headers and chunks. Every
 * chunk's record data is checksummed, which made CRC the largest cost on
 * logs of big records: on x86-64 the bulk is folded with carry-less
 * multiplication (Intel, "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ Instruction", 2009), elsewhere slicing by 8 tables. */
#include <stdatomic.h>
#include <stdbool.h>
#include "evtx_int.h"
#include "text.h"

static uint32_t crc_tab[8][256];
/* 0 not built, 1 being built, 2 ready: several threads may read logs at
 * once, and the first to need the tables builds them (a few µs) while the
 * others wait. */
static atomic_int crc_state;

/* state: the running (inverted) CRC register */
static uint32_t crc_slice(uint32_t state, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t a = state ^ gl_le32(p), b = gl_le32(p + 4);
        state = crc_tab[7][a & 0xff] ^ crc_tab[6][(a >> 8) & 0xff] ^ crc_tab[5][(a >> 16) & 0xff] ^
                crc_tab[4][a >> 24] ^ crc_tab[3][b & 0xff] ^ crc_tab[2][(b >> 8) & 0xff] ^
                crc_tab[1][(b >> 16) & 0xff] ^ crc_tab[0][b >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        state = crc_tab[0][(state ^ *p++) & 0xff] ^ (state >> 8);
    return state;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_FOLD 1

/* Fold constants for the reflected polynomial 0x104C11DB7: x^(4*128+32),
 * x^(4*128-32) mod P (4-lane fold), x^(128+32), x^(128-32) (1-lane fold),
 * x^64 mod P, and the Barrett pair (P', mu). */
#define K_FOLD4_LO 0x0154442bd4ull
#define K_FOLD4_HI 0x01c6e41596ull
#define K_FOLD1_LO 0x01751997d0ull
#define K_FOLD1_HI 0x00ccaa009eull
#define K_64 0x0163cd6124ull
#define K_POLY 0x01db710641ull
#define K_MU 0x01f7011641ull

__attribute__((target("pclmul,sse4.1"))) static __m128i fold(__m128i acc, __m128i k, __m128i next)
{
    __m128i lo = _mm_clmulepi64_si128(acc, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(acc, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

/* n >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_fold(uint32_t state, const uint8_t *p, size_t n)
{
    const __m128i k4 = _mm_set_epi64x((long long)K_FOLD4_HI, (long long)K_FOLD4_LO);
    const __m128i k1 = _mm_set_epi64x((long long)K_FOLD1_HI, (long long)K_FOLD1_LO);
    __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)state));
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    n -= 64;
    for (; n >= 64; p += 64, n -= 64) {
        a = fold(a, k4, _mm_loadu_si128((const __m128i *)p));
        b = fold(b, k4, _mm_loadu_si128((const __m128i *)(p + 16)));
        c = fold(c, k4, _mm_loadu_si128((const __m128i *)(p + 32)));
        d = fold(d, k4, _mm_loadu_si128((const __m128i *)(p + 48)));
    }
    a = fold(a, k1, b);
    a = fold(a, k1, c);
    a = fold(a, k1, d);
    for (; n >= 16; p += 16, n -= 16)
        a = fold(a, k1, _mm_loadu_si128((const __m128i *)p));
    /* 128 -> 64 bits */
    const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
    __m128i t = _mm_clmulepi64_si128(a, k1, 0x10);
    a = _mm_xor_si128(_mm_srli_si128(a, 8), t);
    t = _mm_srli_si128(a, 4);
    a = _mm_clmulepi64_si128(_mm_and_si128(a, low32), _mm_set_epi64x(0, (long long)K_64), 0x00);
    a = _mm_xor_si128(a, t);
    /* Barrett reduction 64 -> 32 bits */
    const __m128i pm = _mm_set_epi64x((long long)K_MU, (long long)K_POLY);
    t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), pm, 0x10);
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), pm, 0x00);
    a = _mm_xor_si128(a, t);
    return (uint32_t)_mm_extract_epi32(a, 1);
}

static bool fold_ok; /* carry-less folding usable (set with the tables) */

/* Checked once, with the tables, against them so a wrong constant or a
 * CPU quirk can only cost speed, never a false CRC mismatch. */
static bool fold_check(void)
{
    /* cpuid here, not __builtin_cpu_supports: that links libgcc's CPU
     * probe, a constructor that runs at every start of the program
     * (cpuid traps to the hypervisor in a VM), for one check made when
     * the first CRC is taken. */
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_PCLMUL) || !(c & bit_SSE4_1))
        return false;
    uint8_t probe[256];
    for (int i = 0; i < 256; i++)
        probe[i] = (uint8_t)(i * 131 + 7);
    return crc_fold(0x12345678u, probe, sizeof probe) == crc_slice(0x12345678u, probe, sizeof probe);
}
#endif

static void crc_init(void)
{
    if (atomic_load_explicit(&crc_state, memory_order_acquire) == 2)
        return;
    int none = 0;
    if (!atomic_compare_exchange_strong(&crc_state, &none, 1)) {
        while (atomic_load_explicit(&crc_state, memory_order_acquire) != 2)
            ;
        return;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
#ifdef HAVE_FOLD
    fold_ok = fold_check();
#endif
    atomic_store_explicit(&crc_state, 2, memory_order_release);
}

uint32_t evtx_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc_init();
    uint32_t state = ~crc;
#ifdef HAVE_FOLD
    if (n >= 64 && fold_ok) {
        size_t bulk = n & ~(size_t)15;
        state = crc_fold(state, p, bulk);
        p += bulk;
        n -= bulk;
    }
#endif
    return ~crc_slice(state, p, n);
}

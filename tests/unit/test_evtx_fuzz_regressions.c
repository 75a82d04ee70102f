/* The EVTX fuzz harness's driver (collector/formats/evtx/evtx_exercise.h: open, every
 * event to JSON and XML, JSON must parse, no -1 from a memory reader, sane
 * gaps and errors; abort() otherwise) run inside the test suite, so the
 * sanitizer build (make test-san) replays it on every change:
 *  - on the generated logs as they are, with their exact event counts;
 *  - on a deterministic mutation sweep of them (byte overwrites in the file
 *    header and first chunk, truncations), the seed fixed so any failure
 *    replays;
 *  - on inputs that once broke the parser (minimised libFuzzer crashes). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx_exercise.h"
#include "testutil.h"

static gl_buf load_log(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "evtx/%s.evtx", name);
    char *path = tu_fixture(rel);
    gl_buf b = {0};
    cr_assert(tu_read_file(path, &b), "cannot read %s", path);
    free(path);
    return b;
}

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64: fixed, portable sequence */
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The log itself must give `events`; then `rounds` mutants must pass the
 * harness's oracles. Mutations land in the first 68 KiB (file header and
 * chunk 0: header, tables, records), where the parser's decisions are. */
static void sweep(const char *name, size_t events, unsigned rounds, uint64_t seed)
{
    gl_buf log = load_log(name);
    const uint8_t *data = (const uint8_t *)log.data;
    size_t touched = 0;
    cr_assert_eq(evtx_exercise(data, log.len, &touched), events, "%s", name);
    uint8_t *m = gl_xmalloc(log.len);
    size_t span = log.len < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE ? log.len : EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE;
    uint64_t s = seed;
    for (unsigned r = 0; r < rounds; r++) {
        memcpy(m, data, log.len);
        size_t n = log.len;
        unsigned edits = 1 + (unsigned)(next_rand(&s) % 8);
        for (unsigned e = 0; e < edits; e++) {
            uint64_t v = next_rand(&s);
            size_t at = (size_t)(v % span);
            switch ((v >> 32) % 4) {
            case 0: m[at] ^= (uint8_t)(1u << ((v >> 40) % 8)); break;  /* bit flip */
            case 1: m[at] = (uint8_t)(v >> 48); break;                  /* byte */
            case 2: /* a 32-bit field set to a boundary value */
                if (at + 4 <= n) {
                    static const uint32_t edge[] = {0, 1, 0x7fffffff, 0xffffffff, 0x10000, 0x200, 0xfffe};
                    uint32_t x = edge[(v >> 48) % 7];
                    memcpy(m + at, &x, 4);
                }
                break;
            default: n = at + 1; break; /* truncation */
            }
        }
        evtx_exercise(m, n, &touched);
    }
    free(m);
    gl_buf_free(&log);
}

Test(evtx_fuzz_regressions, types_sweep) { sweep("types", 5, 400, 0x9e3779b97f4a7c15ULL); }
Test(evtx_fuzz_regressions, system_services_sweep) { sweep("system-services", 4, 400, 0xd1b54a32d192ed03ULL); }
Test(evtx_fuzz_regressions, security_accounts_sweep) { sweep("security-accounts", 6, 300, 0x8cb92ba72f3d8dd7ULL); }
Test(evtx_fuzz_regressions, damaged_chunk_sweep) { sweep("damaged-chunk", 16, 300, 0xa0761d6478bd642fULL); }
Test(evtx_fuzz_regressions, stale_header_sweep) { sweep("stale-header", 10, 300, 0xe7037ed1a0b428dbULL); }
Test(evtx_fuzz_regressions, broken_record_sweep) { sweep("broken-record", 6, 300, 0x8ebc6af09c88c6e3ULL); }
Test(evtx_fuzz_regressions, gaps_sweep) { sweep("gaps", 9, 200, 0x589965cc75374cc3ULL); }

/* libFuzzer (fuzz-evtx): the first record of a file whose template
 * instance carries no substitution values (count patched to 0 in the types
 * log), read with a filter, made the template lookup compute NULL + 0
 * (UBSan: the value arena had never been allocated). */
Test(evtx_fuzz_regressions, template_without_values_filtered)
{
    gl_buf log = load_log("types");
    uint8_t *chunk = (uint8_t *)log.data + EVTX_FILE_HEADER_SIZE, *rec = chunk + 512;
    cr_assert_eq(rec[24], 0x0f);
    cr_assert_eq(rec[28], 0x0c);
    uint32_t def = (uint32_t)rec[34] | (uint32_t)rec[35] << 8 | (uint32_t)rec[36] << 16 | (uint32_t)rec[37] << 24;
    uint32_t size = (uint32_t)chunk[def + 20] | (uint32_t)chunk[def + 21] << 8 | (uint32_t)chunk[def + 22] << 16 |
                    (uint32_t)chunk[def + 23] << 24;
    cr_assert_lt(def + 28 + size, EVTX_CHUNK_SIZE);
    memset(chunk + def + 24 + size, 0, 4);
    size_t touched = 0;
    evtx_exercise((const uint8_t *)log.data, log.len, &touched);
    gl_buf_free(&log);
}

/* libFuzzer (fuzz-evtx, in parts mode): a damaged template definition that
 * live records and records carved from the same chunk's slack share. The
 * whole-file reader said "template definition is damaged (reported
 * before)" for the carved ones when the live phase had ended on that
 * chunk, while a reader given the live records by parts (as `evtx dump
 * --jobs N` does) reported the damage in full: output differed with the
 * thread count. Each chunk of the carved logs alone behind the file
 * header, its first record's template body damaged; the harness's parts
 * oracle (mode 4, and 12 with reopened parts) compares the two. */
Test(evtx_fuzz_regressions, damaged_template_shared_with_slack)
{
    static const char *const logs[] = {"carved", "carved-templates"};
    size_t damaged = 0;
    for (size_t l = 0; l < sizeof logs / sizeof logs[0]; l++) {
        gl_buf log = load_log(logs[l]);
        uint8_t *one = gl_xmalloc(EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE);
        for (size_t off = EVTX_FILE_HEADER_SIZE; off + EVTX_CHUNK_SIZE <= log.len; off += EVTX_CHUNK_SIZE) {
            memcpy(one, log.data, EVTX_FILE_HEADER_SIZE);
            memcpy(one + EVTX_FILE_HEADER_SIZE, log.data + off, EVTX_CHUNK_SIZE);
            uint8_t *chunk = one + EVTX_FILE_HEADER_SIZE, *rec = chunk + 512;
            if (memcmp(rec, "\x2a\x2a\x00\x00", 4) || rec[24] != 0x0f || rec[28] != 0x0c)
                continue;
            uint32_t def = (uint32_t)rec[34] | (uint32_t)rec[35] << 8 | (uint32_t)rec[36] << 16 |
                           (uint32_t)rec[37] << 24;
            if (def < 512 || def + 32 > EVTX_CHUNK_SIZE)
                continue;
            chunk[def + 24 + 4] = 0x74; /* the body's first element start: not a token */
            damaged++;
            for (uint8_t mode = 4; mode <= 12; mode += 8) {
                one[EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1] = mode;
                size_t touched = 0;
                evtx_exercise(one, EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE, &touched);
            }
        }
        free(one);
        gl_buf_free(&log);
    }
    cr_assert_geq(damaged, 2);
}

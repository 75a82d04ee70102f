/* Matching cost of the RMM catalog: a synthetic tree of N file paths
 * (profile folders, Program Files, ProgramData, Windows, with one path in
 * fifty inside an RMM tool's folder or named like its binary) checked
 * with rmmcat_match_path and rmmcat_match_exe. Prints one line:
 *   paths=<N> seconds=<best of 3> ns_per_path=<x> hits=<n> tools=<n>
 * Usage: bench_rmm_catalog CATALOG.txt [rmm_tools.json] N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "buf.h"
#include "rmmcatalog.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    gl_buf b = {0};
    char tmp[65536];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        gl_buf_append(&b, tmp, got);
    fclose(f);
    *n = b.len;
    return b.data;
}

/* xorshift: the same tree on every run */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *const roots[] = {
    "C:\\Users\\user%u\\AppData\\Local", "C:\\Users\\user%u\\AppData\\Roaming", "C:\\Users\\user%u\\Documents",
    "C:\\Program Files", "C:\\Program Files (x86)", "C:\\ProgramData", "C:\\Windows\\System32", "C:\\Windows\\WinSxS",
};
static const char *const rmm_paths[] = {
    "C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", "C:\\ProgramData\\AnyDesk\\ad_svc.trace",
    "C:\\Program Files\\TeamViewer\\TeamViewer15_Logfile.log", "C:\\Users\\u\\Downloads\\rustdesk-1.2.3.exe",
    "C:\\Program Files (x86)\\ScreenConnect Client (0123abcd)\\ScreenConnect.ClientService.exe",
    "C:\\Users\\u\\Desktop\\SRService.exe",
};

static char **make_paths(size_t n)
{
    char **v = gl_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        gl_buf b = {0};
        if (rnd() % 50 == 0) {
            gl_buf_puts(&b, rmm_paths[rnd() % (sizeof rmm_paths / sizeof rmm_paths[0])]);
        } else {
            gl_buf_printf(&b, roots[rnd() % (sizeof roots / sizeof roots[0])], (unsigned)(rnd() % 20));
            unsigned depth = 1 + (unsigned)(rnd() % 6);
            for (unsigned d = 0; d < depth; d++)
                gl_buf_printf(&b, "\\dir%02u_%u", d, (unsigned)(rnd() % 1000));
            gl_buf_printf(&b, "\\file%u.%s", (unsigned)(rnd() % 100000), (rnd() & 1) ? "dll" : "txt");
        }
        v[i] = b.data;
    }
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CATALOG.txt [rmm_tools.json] N\n", argv[0]);
        return 2;
    }
    rmmcat *cat = rmmcat_new();
    gl_err err;
    size_t len;
    char *data = slurp(argv[1], &len);
    if (rmmcat_load_text(cat, data, len, argv[1], &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    free(data);
    if (argc > 3) {
        data = slurp(argv[2], &len);
        if (rmmcat_load_lolrmm(cat, data, len, argv[2], &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        free(data);
    }
    size_t n = strtoul(argv[argc - 1], NULL, 10);
    char **paths = make_paths(n);
    size_t *lens = gl_xmalloc(n * sizeof *lens);
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(paths[i]);
    double best = 1e9;
    size_t hits = 0;
    for (int round = 0; round < 3; round++) {
        rmmcat_hits h;
        hits = 0;
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            hits += rmmcat_match_path(cat, paths[i], lens[i], &h) > 0;
            hits += rmmcat_match_exe(cat, paths[i], lens[i], &h) > 0;
        }
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("paths=%zu seconds=%.4f ns_per_path=%.0f hits=%zu tools=%zu\n", n, best, best * 1e9 / (double)n, hits,
           rmmcat_count(cat));
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(lens);
    rmmcat_free(cat);
    return 0;
}

/* What memory costs on this machine: 2 MiB of anonymous memory brought in
 * four ways, timed from mapping to the first and to a second touch of each
 * 4 KiB page, and the cost of unmapping a touched block. On a paravirtualized
 * VM with shadow paging the first touch of every 4 KiB page costs 5-10 us
 * even after the page was mapped; a huge page is one such cost for 2 MiB
 * (BENCHMARKS.md, "The first touch of a page").
 * usage: cc -O2 -o pagecost tests/bench/pagecost.c && taskset -c 1 ./pagecost */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define BLOCK ((size_t)2 << 20)

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void touch(volatile char *p, char v)
{
    for (size_t i = 0; i < BLOCK; i += 4096)
        p[i] = v;
}

int main(void)
{
    static const char *const how[] = {"fresh 4 KiB pages", "MADV_POPULATE_WRITE", "huge page + populate"};
    for (int round = 0; round < 3; round++)
        for (int mode = 0; mode < 3; mode++) {
            double t0 = now_ms();
            char *raw = mmap(NULL, 2 * BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (raw == MAP_FAILED)
                return 1;
            char *p = (char *)(((uintptr_t)raw + BLOCK - 1) & ~(uintptr_t)(BLOCK - 1));
            if (mode == 2)
                madvise(p, BLOCK, MADV_HUGEPAGE);
            if (mode >= 1)
                madvise(p, BLOCK, MADV_POPULATE_WRITE);
            double t1 = now_ms();
            touch(p, 1);
            double t2 = now_ms();
            touch(p, 2);
            double t3 = now_ms();
            munmap(raw, 2 * BLOCK);
            double t4 = now_ms();
            printf("round %d, %-22s map %.3f ms, first touch %.3f ms, second %.3f ms, unmap %.3f ms\n", round,
                   how[mode], t1 - t0, t2 - t1, t3 - t2, t4 - t3);
        }
    return 0;
}

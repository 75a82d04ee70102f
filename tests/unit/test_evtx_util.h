/* Helpers shared by the EVTX tests (conformance, robustness). */
#ifndef GL_TEST_EVTX_UTIL_H
#define GL_TEST_EVTX_UTIL_H
#include <criterion/criterion.h>
#include <stdlib.h>
#include "evtx.h"
#include "testutil.h"

/* TU_REQUIRE_CORPUS without leaking the probe path (LeakSanitizer). */
static inline void require_corpus(void)
{
    char *c = tu_corpus("");
    if (!c)
        cr_skip_test("skipped: ../shared not present");
    free(c);
}

static inline void free_list(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

/* A whole log in memory, opened with default options. */
typedef struct mem_log {
    gl_buf data;
    gl_mem_reader mem;
    gl_reader r;
    evtx_file *f;
} mem_log;

static inline void mem_log_open(mem_log *m, const char *path, const char *name)
{
    m->data = (gl_buf){0};
    cr_assert(tu_read_file(path, &m->data), "cannot read %s", path);
    m->r = gl_reader_memory(&m->mem, m->data.data, m->data.len, name);
    gl_err err = {0};
    m->f = evtx_open(&m->r, NULL, &err);
    cr_assert_not_null(m->f, "%s: %s", name, err.msg);
}

static inline void mem_log_close(mem_log *m)
{
    evtx_close(m->f);
    gl_buf_free(&m->data);
}

#endif

/* gl_mapfile: a whole local file read (mapped when over
 * GL_MAPFILE_READ_MAX, read into a buffer when it cannot be), with
 * the size cap checked before reading, symbolic links and non-regular
 * files refused without blocking; gl_file_sibling's case-insensitive match. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mapfile.h"
#include "testutil.h"

static char *write_pattern(const char *dir, const char *name, size_t n)
{
    size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = malloc(plen);
    snprintf(path, plen, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)(i * 7 % 251), f);
    fclose(f);
    return path;
}

/* A file of n pattern bytes in a fresh directory, opened with cap. */
typedef struct opened {
    char *dir, *path;
    gl_mapfile mf;
    gl_err err;
    int rc;
} opened;

static void open_pattern(opened *o, size_t n, uint64_t cap)
{
    o->dir = tu_tmpdir("mapfile");
    o->path = write_pattern(o->dir, "data", n);
    o->err = (gl_err){0};
    o->rc = gl_mapfile_open(&o->mf, o->path, cap, &o->err);
}

static void close_pattern(opened *o)
{
    gl_mapfile_close(&o->mf);
    cr_assert_null(o->mf.data);
    free(o->path);
    free(o->dir);
}

Test(mapfile, reads_a_regular_file_whole)
{
    /* over GL_BIG_MIN: a huge-page block on Linux */
    opened o;
    open_pattern(&o, 300001, 300001);
    cr_assert_eq(o.rc, 0, "%s", o.err.msg);
    cr_assert_eq(o.mf.len, 300001);
    cr_assert_eq(o.mf.size, 300001);
    cr_assert_null(o.mf.map); /* read, not mapped */
    cr_assert_eq(o.mf.data, o.mf.read);
    cr_assert_eq(o.mf.read_cap, 300001);
    for (size_t i = 0; i < o.mf.len; i++)
        cr_assert_eq(o.mf.data[i], (uint8_t)(i * 7 % 251), "byte %zu", i);
    close_pattern(&o);
    cr_assert_null(o.mf.read);
}

Test(mapfile, maps_a_file_over_the_read_limit)
{
    /* sparse: GL_MAPFILE_READ_MAX + 1 bytes without writing them */
    char *dir = tu_tmpdir("mapfile");
    size_t plen = strlen(dir) + 8;
    char *path = malloc(plen);
    snprintf(path, plen, "%s/big", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, (long)GL_MAPFILE_READ_MAX, SEEK_SET), 0);
    fputc(0x5A, f);
    fclose(f);
    gl_mapfile mf;
    gl_err err = {0};
    cr_assert_eq(gl_mapfile_open(&mf, path, GL_MAPFILE_READ_MAX + 1, &err), 0, "%s", err.msg);
    cr_assert_not_null(mf.map);
    cr_assert_null(mf.read);
    cr_assert_eq(mf.len, GL_MAPFILE_READ_MAX + 1);
    cr_assert_eq(mf.data[0], 0);
    cr_assert_eq(mf.data[GL_MAPFILE_READ_MAX], 0x5A);
    gl_mapfile_close(&mf);
    free(path);
    free(dir);
}

Test(mapfile, over_the_cap_is_refused_with_the_real_size)
{
    opened o;
    open_pattern(&o, 1000, 999);
    cr_assert_eq(o.rc, -1);
    cr_assert_eq(o.err.code, GL_ERR_LIMIT);
    cr_assert_eq(o.mf.size, 1000);
    cr_assert_eq(o.mf.len, 0);
    char want[4096];
    snprintf(want, sizeof want, "%s: 1000 bytes, over the 999-byte limit", o.path);
    cr_assert_str_eq(o.err.msg, want);
    close_pattern(&o);
}

Test(mapfile, empty_file_is_empty_content)
{
    opened o;
    open_pattern(&o, 0, 100);
    cr_assert_eq(o.rc, 0, "%s", o.err.msg);
    cr_assert_eq(o.mf.len, 0);
    cr_assert_null(o.mf.map);
    close_pattern(&o);
}

/* /proc files say size 0 and cannot be mapped: they are read, and cut at
 * cap + 1 bytes so that a parser with the same cap refuses them. */
Test(mapfile, unmappable_file_is_read_up_to_cap_plus_one)
{
    gl_mapfile mf;
    gl_err err = {0};
    cr_assert_eq(gl_mapfile_open(&mf, "/proc/self/status", 1u << 20, &err), 0, "%s", err.msg);
    cr_assert_null(mf.map);
    cr_assert_gt(mf.len, 10);
    cr_assert_eq(memcmp(mf.data, "Name:", 5), 0);
    gl_mapfile_close(&mf);
    cr_assert_eq(gl_mapfile_open(&mf, "/proc/self/status", 10, &err), 0, "%s", err.msg);
    cr_assert_eq(mf.len, 11);
    gl_mapfile_close(&mf);
}

Test(mapfile, refuses_links_fifos_directories, .timeout = 10)
{
    char *dir = tu_tmpdir("mapfile-refuse");
    char *target = write_pattern(dir, "target", 16);
    char link[4096], fifo[4096], want[4200];
    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert_eq(symlink(target, link), 0);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    gl_mapfile mf;
    gl_err err = {0};
    cr_assert_eq(gl_mapfile_open(&mf, link, 100, &err), -1);
    snprintf(want, sizeof want, "%s: is a symbolic link (not followed)", link);
    cr_assert_str_eq(err.msg, want);
    /* Refused at once: opening must not wait for a writer. */
    cr_assert_eq(gl_mapfile_open(&mf, fifo, 100, &err), -1);
    snprintf(want, sizeof want, "%s: not a regular file", fifo);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(gl_mapfile_open(&mf, dir, 100, &err), -1);
    snprintf(want, sizeof want, "%s: not a regular file", dir);
    cr_assert_str_eq(err.msg, want);
    snprintf(link, sizeof link, "%s/missing", dir);
    cr_assert_eq(gl_mapfile_open(&mf, link, 100, &err), -1);
    cr_assert_eq(err.code, GL_ERR_ABSENT);
    gl_mapfile_close(&mf);
    free(target);
    free(dir);
}

Test(mapfile, sibling_matches_any_case)
{
    char *dir = tu_tmpdir("mapfile-sibling");
    free(write_pattern(dir, "NTUSER.DAT", 1));
    free(write_pattern(dir, "ntuser.dat.log1", 1));
    free(write_pattern(dir, "NTUSER.DAT.LOG2.bak", 1));
    char hive[4096], want[4200];
    snprintf(hive, sizeof hive, "%s/NTUSER.DAT", dir);
    char *got = gl_file_sibling(hive, ".LOG1");
    snprintf(want, sizeof want, "%s/ntuser.dat.log1", dir);
    cr_assert_not_null(got);
    cr_assert_str_eq(got, want);
    free(got);
    cr_assert_null(gl_file_sibling(hive, ".LOG2")); /* only the exact name + suffix */
    snprintf(hive, sizeof hive, "%s/nosuchdir/NTUSER.DAT", dir);
    cr_assert_null(gl_file_sibling(hive, ".LOG1"));
    free(dir);
}

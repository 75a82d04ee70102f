/* The source's file-system backend (source_fs.h) on its own, and the
 * source behaviours it guarantees: no blocking on a FIFO, links reported
 * as links and never followed, stat fields carried through exactly. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "source.h"
#include "source_fs.h"
#include "testutil.h"

/* <tmp>/Windows/System32/config with a FIFO where the SYSTEM hive belongs,
 * a regular file, a link to it and a link to a directory. */
static char *make_tree(const char *tag)
{
    char *root = tu_tmpdir(tag);
    gl_buf cmd = {0};
    gl_buf_printf(&cmd,
                  "cd '%s' && mkdir -p Windows/System32/config && mkfifo Windows/System32/config/SYSTEM"
                  " && printf 0123456789 > Windows/win.ini && ln -s win.ini Windows/link.ini"
                  " && ln -s System32 Windows/dirlink",
                  root);
    cr_assert_eq(tu_run(cmd.data, NULL, NULL), 0);
    gl_buf_free(&cmd);
    return root;
}

static gl_fs_dir *open_windows(const char *root)
{
    gl_fs_dir *top = gl_fs_open_root(root);
    cr_assert_not_null(top, "%s: %s", root, strerror(errno));
    gl_fs_dir *win = gl_fs_open_dir_at(top, "Windows");
    cr_assert_not_null(win, "%s", strerror(errno));
    gl_fs_dir_close(top);
    return win;
}

static gl_source *open_dir_source(const char *root)
{
    gl_buf spec = {0};
    gl_buf_printf(&spec, "dir:%s", root);
    gl_err err = {0};
    gl_source *src = gl_source_open(spec.data, &err);
    cr_assert_not_null(src, "%s", err.msg);
    gl_buf_free(&spec);
    return src;
}

/* Without O_NONBLOCK the open itself would wait forever for a writer; the
 * timeout turns that hang into a failure. */
Test(source_fs, open_file_at_refuses_a_fifo_without_blocking, .timeout = 10)
{
    char *root = make_tree("source-fs-fifo");
    gl_fs_dir *win = open_windows(root);
    gl_fs_dir *sys = gl_fs_open_dir_at(win, "System32");
    cr_assert_not_null(sys);
    gl_fs_dir *cfg = gl_fs_open_dir_at(sys, "config");
    cr_assert_not_null(cfg);
    gl_fs_stat st;
    cr_assert_eq(gl_fs_stat_at(cfg, "SYSTEM", &st), 0);
    cr_assert_eq(st.type, GL_FS_OTHER);
    cr_assert_eq(st.size, 0);
    bool not_regular = false;
    cr_assert_null(gl_fs_open_file_at(cfg, "SYSTEM", &st, &not_regular));
    cr_assert(not_regular);
    gl_fs_dir_close(cfg);
    gl_fs_dir_close(sys);
    gl_fs_dir_close(win);
}

Test(source_fs, source_refuses_a_fifo_where_a_hive_is_expected, .timeout = 10)
{
    gl_source *src = open_dir_source(make_tree("source-fs-fifo-src"));
    gl_err err = {0};
    cr_assert_null(gl_source_open_file(src, "C:\\Windows\\System32\\config\\SYSTEM", &err));
    cr_assert_str_eq(err.msg, "C:\\Windows\\System32\\config\\SYSTEM: not a regular file");
    gl_source_close(src);
}

Test(source_fs, stat_reports_links_as_links_and_opens_refuse_them)
{
    char *root = make_tree("source-fs-link");
    gl_fs_dir *win = open_windows(root);
    gl_fs_stat st;
    cr_assert_eq(gl_fs_stat_at(win, "link.ini", &st), 0);
    cr_assert_eq(st.type, GL_FS_LINK);
    cr_assert_eq(st.size, 0);
    cr_assert_eq(gl_fs_stat_at(win, "dirlink", &st), 0);
    cr_assert_eq(st.type, GL_FS_LINK);
    bool not_regular = true;
    errno = 0;
    cr_assert_null(gl_fs_open_file_at(win, "link.ini", &st, &not_regular));
    cr_assert_not(not_regular);
    cr_assert_eq(errno, ELOOP);
    cr_assert_null(gl_fs_open_dir_at(win, "dirlink"));
    gl_fs_dir_close(win);

    gl_source *src = open_dir_source(root);
    gl_err err = {0};
    gl_file_info info;
    cr_assert_eq(gl_source_stat(src, "windows\\LINK.INI", &info, &err), 0, "%s", err.msg);
    cr_assert_str_eq(info.path, "C:\\Windows\\link.ini");
    cr_assert(info.is_link);
    cr_assert_not(info.is_dir);
    cr_assert_null(gl_source_open_file(src, "Windows\\link.ini", &err));
    cr_assert_str_eq(err.msg, "Windows\\link.ini: a link to 'win.ini' where a file was expected; links are not followed");
    gl_source_close(src);
}

Test(source_fs, stat_and_pread_of_a_regular_file)
{
    char *root = make_tree("source-fs-file");
    gl_fs_dir *win = open_windows(root);
    /* a known mtime, nanoseconds included, must come back unchanged */
    const struct timespec times[2] = {{1500000000, 5}, {1600000000, 123456789}};
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/Windows/win.ini", root);
    cr_assert_eq(utimensat(AT_FDCWD, p.data, times, 0), 0);
    gl_fs_stat st;
    bool not_regular = true;
    gl_fs_file *f = gl_fs_open_file_at(win, "win.ini", &st, &not_regular);
    cr_assert_not_null(f, "%s", strerror(errno));
    cr_assert_not(not_regular);
    cr_assert_eq(st.type, GL_FS_FILE);
    cr_assert_eq(st.size, 10);
    cr_assert(st.mtime.valid);
    cr_assert_eq(st.mtime.sec, 1600000000);
    cr_assert_eq(st.mtime.nsec, 123456789);
    cr_assert_eq(st.atime.sec, 1500000000);
    cr_assert_eq(st.atime.nsec, 5);
    /* the descriptor is blocking again after the type check */
    char buf[16] = {0};
    cr_assert_eq(gl_fs_pread(f, 2, buf, 5), 5);
    cr_assert_str_eq(buf, "23456");
    cr_assert_eq(gl_fs_pread(f, 8, buf, sizeof buf), 2);
    cr_assert_eq(memcmp(buf, "89", 2), 0);
    cr_assert_eq(gl_fs_pread(f, 10, buf, sizeof buf), 0);
    cr_assert_eq(gl_fs_pread(f, UINT64_MAX, buf, sizeof buf), -1);
    cr_assert_eq(errno, EINVAL);
    gl_fs_file_close(f);
    /* reading did not move the access time */
    gl_fs_stat after;
    cr_assert_eq(gl_fs_stat_at(win, "win.ini", &after), 0);
    cr_assert_eq(after.atime.sec, 1500000000);
    cr_assert_eq(after.atime.nsec, 5);
    gl_fs_dir_close(win);
    gl_buf_free(&p);
}

typedef struct names_seen {
    gl_buf all;
    int count;
} names_seen;

static void note_name(void *ctx, const char *name, gl_fs_type type)
{
    (void)type;
    names_seen *s = ctx;
    s->count++;
    if (!strcmp(name, "System32") || !strcmp(name, "win.ini") || !strcmp(name, "link.ini") ||
        !strcmp(name, "dirlink"))
        gl_buf_printf(&s->all, "[%s]", name);
}

Test(source_fs, list_gives_every_entry_but_dot_and_dotdot)
{
    char *root = make_tree("source-fs-list");
    gl_fs_dir *win = open_windows(root);
    names_seen seen = {0};
    cr_assert_eq(gl_fs_list(win, note_name, &seen), 0);
    cr_assert_eq(seen.count, 4);
    const char *all = gl_buf_cstr(&seen.all);
    cr_assert(strstr(all, "[System32]") && strstr(all, "[win.ini]") && strstr(all, "[link.ini]") &&
                  strstr(all, "[dirlink]"),
              "%s", all);
    /* listing twice gives the same entries: the handle's position is not consumed */
    names_seen again = {0};
    cr_assert_eq(gl_fs_list(win, note_name, &again), 0);
    cr_assert_eq(again.count, 4);
    gl_fs_dir_close(win);
    gl_buf_free(&seen.all);
    gl_buf_free(&again.all);
}

/* The output-directory exclusion compares identities taken two ways: by
 * the operator's host path and by a walk through the tree. */
Test(source_fs, identity_by_path_matches_identity_by_walk)
{
    char *root = make_tree("source-fs-id");
    gl_fs_dir *win = open_windows(root);
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/Windows/System32", root);
    gl_fs_stat by_path, by_walk, other;
    cr_assert_eq(gl_fs_stat_path(p.data, &by_path), 0);
    cr_assert_eq(gl_fs_stat_at(win, "System32", &by_walk), 0);
    cr_assert_eq(by_path.type, GL_FS_DIR);
    cr_assert(gl_fs_same_object(&by_path.id, &by_walk.id));
    cr_assert_eq(gl_fs_stat_at(win, "win.ini", &other), 0);
    cr_assert_not(gl_fs_same_object(&by_path.id, &other.id));
    /* a path through a link resolves (operator's path), an evidence walk does not */
    gl_buf_clear(&p);
    gl_buf_printf(&p, "%s/Windows/dirlink", root);
    cr_assert_eq(gl_fs_stat_path(p.data, &other), 0);
    cr_assert(gl_fs_same_object(&by_path.id, &other.id));
    errno = 0;
    cr_assert_eq(gl_fs_stat_at(win, "missing", &other), -1);
    cr_assert_eq(errno, ENOENT);
    gl_fs_dir_close(win);
    gl_buf_free(&p);
}

static int owner_seen(void *ctx, const gl_file_info *info)
{
    gl_buf *b = ctx;
    gl_buf_printf(b, "[%s %s]", strrchr(info->path, '\\') + 1, info->owner);
    return 0;
}

/* The owner is the account name of the file's uid, the uid as text when
 * no account has it, through every way the source hands out file info. */
Test(source_fs, owner_is_the_account_name_or_the_uid)
{
    char *root = make_tree("source-fs-owner");
    gl_buf p = {0}, q = {0};
    gl_buf_printf(&p, "%s/Windows/win.ini", root);
    gl_buf_printf(&q, "%s/Windows/orphan.ini", root);
    FILE *f = fopen(q.data, "w");
    cr_assert_not_null(f);
    fclose(f);
    if (geteuid() != 0)
        cr_skip_test("skipped: chown needs root");
    /* uid 1 is "daemon" on Debian; 54321 has no account (checked below) */
    cr_assert_eq(chown(p.data, 1, 1), 0, "%s", strerror(errno));
    cr_assert_eq(chown(q.data, 54321, 54321), 0, "%s", strerror(errno));
    gl_buf who = {0};
    cr_assert_eq(tu_runf(&who, NULL, "getent passwd 1 | cut -d: -f1 | tr -d '\\n'; getent passwd 54321 | wc -l"), 0);
    cr_assert_str_eq(who.data, "daemon0\n");
    gl_fs_dir *win = open_windows(root);
    gl_fs_stat st;
    cr_assert_eq(gl_fs_stat_at(win, "win.ini", &st), 0);
    cr_assert_str_eq(st.owner, "daemon");
    cr_assert_eq(gl_fs_stat_at(win, "orphan.ini", &st), 0);
    cr_assert_str_eq(st.owner, "54321");
    gl_fs_dir_close(win);

    gl_source *src = open_dir_source(root);
    gl_err err = {0};
    gl_file_info info;
    cr_assert_eq(gl_source_stat(src, "Windows\\win.ini", &info, &err), 0, "%s", err.msg);
    cr_assert_str_eq(info.owner, "daemon");
    gl_file *fh = gl_source_open_file(src, "Windows\\orphan.ini", &err);
    cr_assert_not_null(fh, "%s", err.msg);
    cr_assert_str_eq(gl_file_get_info(fh)->owner, "54321");
    gl_file_close(fh);
    gl_buf seen = {0};
    cr_assert_eq(gl_source_glob(src, "Windows\\*.ini", owner_seen, &seen, &err), 0);
    cr_assert_str_eq(seen.data, "[link.ini root][orphan.ini 54321][win.ini daemon]");
    gl_source_close(src);
    gl_buf_free(&seen);
    gl_buf_free(&who);
    gl_buf_free(&p);
    gl_buf_free(&q);
}

/* ---- mapping (gl_file_map) ------------------------------------------------ */

/* <root>/Windows/Temp/<name>: n bytes, byte i being (i * 7 + 3) & 0xff. */
static char *write_pattern(const char *root, const char *name, size_t n)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/Windows/Temp", root);
    cr_assert_eq(tu_runf(NULL, NULL, "mkdir -p '%s'", p.data), 0);
    gl_buf_printf(&p, "/%s", name);
    FILE *f = fopen(p.data, "wb");
    cr_assert_not_null(f, "%s", p.data);
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 7 + 3) & 0xff), f);
    fclose(f);
    return p.data;
}

/* Open path on src (never acquired) and map it whole; the file in *f. */
static const uint8_t *open_mapped(gl_source *src, const char *path, gl_file **f, size_t *len)
{
    gl_err err = {0};
    *f = gl_source_open_unacquired(src, path, &err);
    cr_assert_not_null(*f, "%s", err.msg);
    return gl_file_map(*f, UINT64_MAX, len);
}

Test(source_fs, map_gives_the_bytes_in_place_up_to_the_cap)
{
    char *root = tu_tmpdir("source-fs-map");
    write_pattern(root, "three.bin", 3 * 4096 + 100);
    write_pattern(root, "empty.bin", 0);
    gl_source *src = open_dir_source(root);
    gl_err err = {0};
    gl_file *f;
    size_t len = 1;
    const uint8_t *d = open_mapped(src, "C:\\Windows\\Temp\\three.bin", &f, &len);
    cr_assert_not_null(d);
    cr_assert_eq(len, 3 * 4096 + 100);
    for (size_t i = 0; i < len; i++)
        cr_assert_eq(d[i], (uint8_t)((i * 7 + 3) & 0xff), "byte %zu", i);
    cr_assert_eq(gl_file_map_check(f, &err), 0, "%s", err.msg);
    /* one mapping per file */
    cr_assert_null(gl_file_map(f, UINT64_MAX, &len));
    cr_assert_eq(len, 0);
    gl_file_close(f);

    f = gl_source_open_unacquired(src, "C:\\Windows\\Temp\\three.bin", &err);
    cr_assert_not_null(f, "%s", err.msg);
    d = gl_file_map(f, 5000, &len);
    cr_assert_not_null(d);
    cr_assert_eq(len, 5000);
    cr_assert_eq(d[4999], (uint8_t)((4999 * 7 + 3) & 0xff));
    gl_file_close(f);

    /* nothing to map: the caller reads */
    cr_assert_null(open_mapped(src, "C:\\Windows\\Temp\\empty.bin", &f, &len));
    cr_assert_eq(len, 0);
    cr_assert_eq(gl_file_map_check(f, &err), 0);
    gl_file_close(f);
    gl_source_close(src);
}

/* Another process cuts the file while it is mapped: reading on past the
 * new end would raise SIGBUS and end the process; the guard answers
 * those reads with zeros and the check reports the shrink. */
Test(source_fs, map_of_a_file_that_shrinks_reads_zeros_past_the_end_and_says_so)
{
    char *root = tu_tmpdir("source-fs-map-shrink");
    char *path = write_pattern(root, "cut.bin", 5 * 4096);
    gl_source *src = open_dir_source(root);
    gl_file *f;
    size_t len = 0;
    const uint8_t *d = open_mapped(src, "C:\\Windows\\Temp\\cut.bin", &f, &len);
    cr_assert(d && len == 5 * 4096);
    cr_assert_eq(truncate(path, 4096 + 10), 0, "%s", strerror(errno));
    size_t same = 0, zeros = 0;
    for (size_t i = 0; i < len; i++) {
        if (d[i] == (uint8_t)((i * 7 + 3) & 0xff))
            same++;
        else if (d[i] == 0)
            zeros++;
    }
    /* the kept bytes are the file's; the rest of the kept page and the
     * pages cut off read as zeros (every 256th pattern byte is 0 too) */
    cr_assert_eq(same + zeros, len);
    for (size_t i = 0; i < 4096 + 10; i++)
        cr_assert_eq(d[i], (uint8_t)((i * 7 + 3) & 0xff), "byte %zu", i);
    for (size_t i = 4096 + 10; i < len; i++)
        cr_assert_eq(d[i], 0, "byte %zu", i);
    gl_err err = {0};
    cr_assert_eq(gl_file_map_check(f, &err), -1);
    cr_assert_eq(err.code, GL_ERR_IO);
    cr_assert_str_eq(err.msg, "C:\\Windows\\Temp\\cut.bin: the file shrank while it was read (mapped): bytes past its "
                              "new end read as zeros; its size when opened was 20480");
    gl_file_close(f);
    gl_source_close(src);
}

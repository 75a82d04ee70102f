/* PeaZip conf.txt parser (collector/formats/peazip): the groups PeaZip
 * writes (as its shipped default res/conf/conf.txt lays them out: label
 * line, the recent-archives on/off flag, eight slots, a blank line), CRLF
 * lines, Latin-1 from old ANSI builds, a group given twice (the first
 * fuzzer finding was an oracle that did not allow it), and damage. */
#include <criterion/criterion.h>
#include <string.h>
#include "buf.h"
#include "peazip_conf.h"

static void collect(void *ctx, gl_peazip_list list, const char *value, size_t line)
{
    gl_buf_printf(ctx, "%s|%s|%zu\n", gl_peazip_list_name(list), value, line);
}

static int parse(const char *text, size_t len, gl_buf *out, gl_err *err)
{
    return gl_peazip_conf_parse((const uint8_t *)text, len, collect, out, err);
}

#define CONF                                                                                                          \
    "themes\\main-embedded\\theme.txt\r\n[last used archiving format]\r\n15\r\n\r\n"                                  \
    "[save history of recent archives]\r\n1\r\nC:\\PerfLogs\\hr.7z\r\n\r\nD:\\b\xe9\\x.zip\r\n\r\n\r\n\r\n\r\n\r\n\r\n" \
    "[recently used custom executables]\r\nC:\\tools\\rar.exe\r\n\r\n"                                                 \
    "[last output path]\r\nC:\\Users\\Public\\out\r\n\r\n"                                                              \
    "[save history of recent directories]\r\nComputer's root\r\nC:\\\xc3\xa9t\xc3\xa9\\\r\n\r\n"                        \
    "[last successful extraction path]\r\n\r\n"

Test(peazip_conf, groups_slots_and_encodings)
{
    gl_buf out = {0};
    gl_err err = {0};
    cr_assert_eq(parse(CONF, strlen(CONF), &out, &err), 0, "%s", err.msg);
    cr_expect_str_eq(gl_buf_cstr(&out), "recent archives|C:\\PerfLogs\\hr.7z|7\n"
                                        "recent archives|D:\\b\xc3\xa9\\x.zip|9\n"
                                        "last output path|C:\\Users\\Public\\out|20\n"
                                        "recent directories|Computer's root|23\n"
                                        "recent directories|C:\\\xc3\xa9t\xc3\xa9\\|24\n");
    gl_buf_free(&out);
}

/* A flag line of 0 still precedes the slots; a group given twice is read
 * both times; a label without its closing bracket is still a label. */
Test(peazip_conf, repeated_group_and_open_label)
{
    const char *text = "[save history of recent archives]\n0\nC:\\a.rar\n[last output path\nC:\\o\n"
                       "[save history of recent archives]\n1\nC:\\b.rar";
    gl_buf out = {0};
    gl_err err = {0};
    cr_assert_eq(parse(text, strlen(text), &out, &err), 0, "%s", err.msg);
    cr_expect_str_eq(gl_buf_cstr(&out), "recent archives|C:\\a.rar|3\nlast output path|C:\\o|5\n"
                                        "recent archives|C:\\b.rar|8\n");
    gl_buf_free(&out);
}

/* Damage: entries before it are delivered, the error names the line. */
Test(peazip_conf, damage)
{
    gl_buf out = {0};
    gl_err err = {0};
    const char nul[] = "[last output path]\nC:\\o\n[save history of recent archives]\n1\nC:\\a\0b.7z\n";
    cr_expect_eq(parse(nul, sizeof nul - 1, &out, &err), -1);
    cr_expect_str_eq(err.msg, "PeaZip configuration line 5: NUL byte where text was expected");
    cr_expect_str_eq(gl_buf_cstr(&out), "last output path|C:\\o|2\n");

    gl_buf_clear(&out);
    gl_buf big = {0};
    gl_buf_puts(&big, "[save history of recent directories]\n");
    for (size_t i = 0; i < GL_PEAZIP_MAX_LINE + 1; i++)
        gl_buf_putc(&big, 'a');
    cr_expect_eq(parse(big.data, big.len, &out, &err), -1);
    cr_expect_str_eq(err.msg, "PeaZip configuration line 2: longer than 32768 bytes, not a PeaZip conf.txt");
    cr_expect_str_eq(gl_buf_cstr(&out), "");

    gl_buf_clear(&big);
    gl_buf_clear(&out);
    gl_buf_puts(&big, "[last output path]\nC:\\o\nC:\\p\n");
    cr_expect_eq(parse(big.data, big.len, &out, &err), -1);
    cr_expect_str_eq(err.msg, "PeaZip configuration line 3: more than 1 entries under [last output path]");
    cr_expect_str_eq(gl_buf_cstr(&out), "last output path|C:\\o|2\n");
    gl_buf_free(&big);
    gl_buf_free(&out);
}

/* Windows command-line splitting, cmd.exe /c unwrapping and archiver
 * switches (collector/formats/cmdline). Splitting cases are the Microsoft
 * C runtime's documented examples ("Parsing C command-line arguments");
 * the cmd.exe case is the real Sysmon 1 command line of the corpus log
 * dev/evtx/archive/sbousseaden__PanacheSysmon_vs_AtomicRedTeam01.evtx. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "archiver_cmd.h"
#include "buf.h"
#include "cmdline.h"

/* Arguments joined by '|'. */
static const char *split(const char *cmdline, size_t max)
{
    static gl_buf b;
    gl_argv a;
    gl_cmdline_split(cmdline, max, &a);
    gl_buf_clear(&b);
    for (size_t i = 0; i < a.n; i++)
        gl_buf_printf(&b, "%s%s", i ? "|" : "", a.v[i]);
    if (a.truncated)
        gl_buf_puts(&b, "|...");
    gl_argv_free(&a);
    return gl_buf_cstr(&b);
}

Test(cmdline, crt_rules)
{
    cr_expect_str_eq(split("\"a b c\" d e", 16), "a b c|d|e");
    cr_expect_str_eq(split("p \"ab\\\"c\" \"\\\\\" d", 16), "p|ab\"c|\\|d");
    cr_expect_str_eq(split("p a\\\\\\b d\"e f\"g h", 16), "p|a\\\\\\b|de fg|h");
    cr_expect_str_eq(split("p a\\\\\\\"b c d", 16), "p|a\\\"b|c|d");
    cr_expect_str_eq(split("p a\\\\\\\\\"b c\" d e", 16), "p|a\\\\b c|d|e");
    cr_expect_str_eq(split("p a\"b\"\" c d", 16), "p|ab\" c d");
    /* argument 0 takes no escapes; unquoted it ends at white space */
    cr_expect_str_eq(split("\"C:\\dir\\\" x", 16), "C:\\dir\\|x");
    cr_expect_str_eq(split("C:\\Program Files\\x.exe a", 16), "C:\\Program|Files\\x.exe|a");
    cr_expect_str_eq(split("  \t p  \"\"  x ", 16), "p||x");
    cr_expect_str_eq(split("p \"unterminated arg", 16), "p|unterminated arg");
    cr_expect_str_eq(split("\"unterminated program", 16), "unterminated program");
    cr_expect_str_eq(split("", 16), "");
    cr_expect_str_eq(split("   ", 16), "");
    cr_expect_str_eq(split("p a b c d", 3), "p|a|b|...");
    cr_expect_str_eq(split("p a", 0), "|..."); /* nothing kept, truncated */
}

Test(cmdline, program_names)
{
    char out[16];
    gl_cmdline_program("C:\\Program Files\\WinRAR\\Rar.exe", out, sizeof out);
    cr_expect_str_eq(out, "rar");
    gl_cmdline_program("7ZA.EXE", out, sizeof out);
    cr_expect_str_eq(out, "7za");
    gl_cmdline_program("c:cmd.COM", out, sizeof out);
    cr_expect_str_eq(out, "cmd");
    gl_cmdline_program("/usr/bin/tar", out, sizeof out);
    cr_expect_str_eq(out, "tar");
    gl_cmdline_program(".exe", out, sizeof out);
    cr_expect_str_eq(out, ".exe");
    gl_cmdline_program("averyveryverylongname.exe", out, sizeof out);
    cr_expect_str_eq(out, "");
}

static void expect_cmd_c(const char *line, const char *want)
{
    char *got = gl_cmdline_cmd_c(line);
    if (!want) {
        cr_expect_null(got, "%s -> %s", line, got);
    } else {
        cr_assert_not_null(got, "%s", line);
        cr_expect_str_eq(got, want, "%s", line);
    }
    free(got);
}

Test(cmdline, cmd_c_unwrapping)
{
    expect_cmd_c("\"C:\\Windows\\system32\\cmd.exe\" /c \"rar a -r exfilthis.rar *.docx\"",
                 "rar a -r exfilthis.rar *.docx");
    expect_cmd_c("cmd /Q /C \"C:\\Program Files\\WinRAR\\rar.exe\" a x.rar",
                 "\"C:\\Program Files\\WinRAR\\rar.exe\" a x.rar");
    expect_cmd_c("cmd.exe /s /c \"\"C:\\Program Files\\7-Zip\\7z.exe\" a -pX \"out dir.7z\"\"  ",
                 "\"C:\\Program Files\\7-Zip\\7z.exe\" a -pX \"out dir.7z\"");
    expect_cmd_c("cmd /V:ON /k dir", "dir");
    expect_cmd_c("cmd /c", "");
    expect_cmd_c("cmd /c \"", "");
    expect_cmd_c("cmd /v:on", NULL);
    expect_cmd_c("cmd", NULL);
    expect_cmd_c("cmd x /c y", NULL);
    expect_cmd_c("powershell -c \"x\"", NULL);
    expect_cmd_c("", NULL);
}

static gl_archiver_cmd archiver(const char *line)
{
    gl_argv a;
    gl_cmdline_split(line, 256, &a);
    gl_archiver_cmd c;
    gl_archiver_cmd_parse(&a, &c);
    gl_argv_free(&a);
    return c;
}

/* The flags as one string: what a finding's details would say. */
static const char *flags(const gl_archiver_cmd *c)
{
    static char s[256];
    snprintf(s, sizeof s, "%s %s%s%s%s%s%s%s%s%s%s", c->program, c->command, c->creates ? " creates" : "",
             c->password ? " password" : "", c->header_encryption ? " header-encryption" : "",
             c->volumes ? " volumes" : "", c->store_only ? " store" : "", c->recursive ? " recursive" : "",
             c->strip_paths ? " strip-paths" : "", c->delete_after ? " delete-after" : "",
             c->time_filter ? " time-filter" : "");
    return s;
}

static const char *or_null(const char *s) { return s ? s : "(null)"; }

Test(cmdline, archiver_switches)
{
    gl_archiver_cmd c = archiver("rar a -r exfilthis.rar *.docx");
    cr_expect_eq(c.tool, GL_ARCHIVER_RAR);
    cr_expect_str_eq(flags(&c), "rar a creates recursive");
    cr_expect_str_eq(or_null(c.archive), "exfilthis.rar");
    cr_expect_eq(c.sources, 1);
    gl_archiver_cmd_free(&c);

    c = archiver("\"C:\\Program Files\\WinRAR\\Rar.exe\" a -hpS3cret! -v200m -m0 -ep1 -df -ta20231101 -inul "
                 "\\\\fs01\\share\\finance.rar C:\\Users\\Public\\x @list.txt");
    cr_expect_str_eq(flags(&c),
                     "rar a creates password header-encryption volumes store strip-paths delete-after time-filter");
    cr_expect_str_eq(or_null(c.password_text), "S3cret!");
    cr_expect_str_eq(or_null(c.volume_size), "200m");
    cr_expect_str_eq(or_null(c.archive), "\\\\fs01\\share\\finance.rar");
    cr_expect_eq(c.sources, 2);
    cr_expect(c.quiet);
    gl_archiver_cmd_free(&c);

    /* WinRAR's '/' switches, a prompted password, move = delete after */
    c = archiver("WinRAR.exe m /hp /R /vn out.rar docs");
    cr_expect_str_eq(flags(&c), "winrar m creates password header-encryption recursive delete-after");
    cr_expect_null(c.password_text);
    gl_archiver_cmd_free(&c);

    c = archiver("7z.exe a -t7z -mhe=on -pP@ss -v100m -mx0 -sdel C:\\PerfLogs\\d.7z C:\\Users\\*\\Documents -r");
    cr_expect_eq(c.tool, GL_ARCHIVER_7Z);
    cr_expect_str_eq(flags(&c), "7z a creates password header-encryption volumes store recursive delete-after");
    cr_expect_str_eq(or_null(c.password_text), "P@ss");
    cr_expect_str_eq(or_null(c.archive_type), "7z");
    cr_expect_str_eq(or_null(c.archive), "C:\\PerfLogs\\d.7z");
    gl_archiver_cmd_free(&c);

    c = archiver("7za x -pfoo -mhe=off -mx=9 a.7z -- -r");
    cr_expect_str_eq(flags(&c), "7za x password");
    cr_expect_eq(c.sources, 1); /* "-r" after "--" is a file */
    gl_archiver_cmd_free(&c);

    c = archiver("tar.exe -a -cf C:\\Temp\\out.zip C:\\Users\\bob\\Documents");
    cr_expect_eq(c.tool, GL_ARCHIVER_TAR);
    cr_expect_str_eq(flags(&c), "tar c creates");
    cr_expect_str_eq(or_null(c.archive), "C:\\Temp\\out.zip");
    cr_expect_eq(c.sources, 1);
    gl_archiver_cmd_free(&c);

    c = archiver("tar xzfC:\\in.tgz");
    cr_expect_str_eq(flags(&c), "tar x");
    cr_expect_str_eq(or_null(c.archive), "C:\\in.tgz");
    gl_archiver_cmd_free(&c);

    /* repeated switches: the last one counts (fuzz-cmdline found the
     * first value leaking) */
    c = archiver("tar -cf a.tar -cf b.tar x");
    cr_expect_str_eq(or_null(c.archive), "b.tar");
    gl_archiver_cmd_free(&c);
    c = archiver("rar a -pone -ptwo -v1m -v2m x.rar");
    cr_expect_str_eq(or_null(c.password_text), "two");
    cr_expect_str_eq(or_null(c.volume_size), "2m");
    gl_archiver_cmd_free(&c);

    /* an empty argument ("") is a positional one (fuzz-cmdline found the
     * switch test reading past it) */
    c = archiver("7z a \"\" x");
    cr_expect_str_eq(or_null(c.archive), "");
    cr_expect_eq(c.sources, 1);
    gl_archiver_cmd_free(&c);

    c = archiver("peazip.exe -add2pea C:\\x");
    cr_expect_eq(c.tool, GL_ARCHIVER_PEAZIP);
    gl_archiver_cmd_free(&c);

    c = archiver("notepad.exe x.rar");
    cr_expect_eq(c.tool, GL_ARCHIVER_NONE);
    gl_archiver_cmd_free(&c);
    c = archiver("");
    cr_expect_eq(c.tool, GL_ARCHIVER_NONE);
    gl_archiver_cmd_free(&c);
}

/* MPLog parser (mplog.h): each publicly described line kind read by
 * structure (impact with and without Pid, [Exclusion], DETECTION_ADD,
 * DETECTIONEVENT, the RTP Perf Log exclusion lists), UTF-16LE with and
 * without a BOM and UTF-8, and incomplete lines named by number. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "mplog.h"

#define SAMPLE                                                                                                        \
    "2026-11-20T10:05:00.123Z Engine:Version 1.1.24090.11\r\n"                                                        \
    "2026-11-20T10:05:01.250Z ProcessImageName: rclone.exe, Pid: 4242, TotalTime: 5120, Count: 3, MaxTime: 400, "     \
    "MaxTimeFile: \\Device\\HarddiskVolume3\\Users\\Public\\a, b.txt, EstimatedImpact: 65%\r\n"                        \
    "2020-06-14T20:11:42.880Z ProcessImageName: explorer.exe, TotalTime: 30, Count: 11, MaxTime: 15, MaxTimeFile: "   \
    "\\Device\\HarddiskVolume3\\x.lnk, EstimatedImpact: 0%\r\n"                                                      \
    "2026-11-20T10:06:00.000Z [Exclusion] C:\\Users\\Public\\Downloads\\t.exe -> "                                    \
    "\\Device\\HarddiskVolume3\\Users\\Public\\Downloads\\t.exe\r\n"                                                 \
    "2026-11-20T10:07:00.000Z DETECTIONEVENT MPSOURCE_REALTIME HackTool:Win32/Mimikatz.D file:C:\\Users\\Public\\m.exe\r\n" \
    "2026-11-20T10:07:00.500Z Internal signature match: DETECTION_ADD#1 HackTool:Win32/Mimikatz.D file:C:\\Users\\Public\\m.exe\r\n" \
    "**RTP Perf Log**\r\n"                                                                                            \
    "RTP Start:11/20/2026 10:08:00 AM\r\n"                                                                            \
    "Process Exclusions:\r\n"                                                                                         \
    "    rclone.exe\r\n"                                                                                              \
    "Path Exclusions:\r\n"                                                                                            \
    "    C:\\PerfLogs\\x\r\n"                                                                                         \
    "    C:\\Users\\Public\\Downloads\r\n"                                                                            \
    "Ext Exclusions:\r\n"                                                                                             \
    "    .ps1\r\n"                                                                                                    \
    "Worker Threads:4\r\n"                                                                                            \
    "    not an exclusion\r\n"                                                                                        \
    "**END RTP Perf Log**\r\n"

typedef struct got {
    char line[16][300];
    size_t n;
} got;

static int keep(void *ctx, const mpl_entry *e)
{
    got *g = ctx;
    char *o = g->line[g->n < 16 ? g->n : 15];
    size_t cap = sizeof g->line[0];
#define S(x) (int)(x).n, (x).p ? (x).p : ""
    switch (e->kind) {
    case MPL_IMPACT:
        snprintf(o, cap, "%llu impact %.*s|%.*s|%lld|%lld|%lld|%lld|%.*s|%lld", (unsigned long long)e->line, S(e->time),
                 S(e->process), (long long)e->pid, (long long)e->total_time, (long long)e->count,
                 (long long)e->max_time, S(e->max_time_file), (long long)e->impact);
        break;
    case MPL_EXCLUSION:
        snprintf(o, cap, "%llu exclusion %.*s|%.*s|%.*s", (unsigned long long)e->line, S(e->time), S(e->path),
                 S(e->device_path));
        break;
    case MPL_DETECTION:
        snprintf(o, cap, "%llu detection %.*s|%.*s|%.*s|%.*s|%.*s|%.*s", (unsigned long long)e->line, S(e->time),
                 S(e->marker), S(e->source), S(e->threat), S(e->resource), S(e->target));
        break;
    case MPL_RTP_EXCLUSION:
        snprintf(o, cap, "%llu rtp %.*s|%s|%.*s", (unsigned long long)e->line, S(e->time), mpl_list_name(e->list),
                 S(e->path));
        break;
    }
#undef S
    g->n++;
    return 0;
}

static const char *const expect[] = {
    "2 impact 2026-11-20T10:05:01.250Z|rclone.exe|4242|5120|3|400|\\Device\\HarddiskVolume3\\Users\\Public\\a, b.txt|65",
    "3 impact 2020-06-14T20:11:42.880Z|explorer.exe|-1|30|11|15|\\Device\\HarddiskVolume3\\x.lnk|0",
    "4 exclusion 2026-11-20T10:06:00.000Z|C:\\Users\\Public\\Downloads\\t.exe|\\Device\\HarddiskVolume3\\Users\\Public\\Downloads\\t.exe",
    "5 detection 2026-11-20T10:07:00.000Z|DETECTIONEVENT|MPSOURCE_REALTIME|HackTool:Win32/Mimikatz.D|file|C:\\Users\\Public\\m.exe",
    "6 detection 2026-11-20T10:07:00.500Z|DETECTION_ADD#1||HackTool:Win32/Mimikatz.D|file|C:\\Users\\Public\\m.exe",
    "10 rtp 2026-11-20T10:07:00.500Z|process|rclone.exe",
    "12 rtp 2026-11-20T10:07:00.500Z|path|C:\\PerfLogs\\x",
    "13 rtp 2026-11-20T10:07:00.500Z|path|C:\\Users\\Public\\Downloads",
    "15 rtp 2026-11-20T10:07:00.500Z|extension|.ps1",
};

static void check_sample(const uint8_t *data, size_t n)
{
    got g = {0};
    mpl_stats st;
    gl_err err = {0};
    cr_assert_eq(mplog_parse(data, n, "MPLog-20261120-100500.log", keep, &g, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(g.n, sizeof expect / sizeof expect[0]);
    for (size_t i = 0; i < g.n; i++)
        cr_assert_str_eq(g.line[i], expect[i]);
    cr_assert_eq(st.lines, 18);
    cr_assert_eq(st.bad_lines, 0);
}

Test(mplog, line_kinds_by_structure_utf8)
{
    check_sample((const uint8_t *)"\xEF\xBB\xBF" SAMPLE, sizeof SAMPLE - 1 + 3);
}

Test(mplog, utf16le_with_and_without_bom)
{
    gl_buf b = {0};
    const char *s = SAMPLE;
    gl_buf_append(&b, "\xFF\xFE", 2);
    for (size_t i = 0; s[i]; i++) {
        gl_buf_putc(&b, s[i]);
        gl_buf_putc(&b, 0);
    }
    check_sample((const uint8_t *)b.data, b.len);
    check_sample((const uint8_t *)b.data + 2, b.len - 2);
    gl_buf_free(&b);
}

/* The timestamp's FILETIME: 2026-11-20T10:05:01.250Z. */
static int first_time(void *ctx, const mpl_entry *e)
{
    *(uint64_t *)ctx = e->filetime;
    return 1;
}

Test(mplog, timestamp_as_filetime)
{
    static const char line[] = "2026-11-20T10:05:01.250Z [Exclusion] C:\\x -> \\Device\\HarddiskVolume3\\x\n";
    uint64_t ft = 0;
    gl_err err = {0};
    cr_assert_eq(mplog_parse((const uint8_t *)line, sizeof line - 1, "m", first_time, &ft, NULL, &err), 1);
    /* 2026-11-20T10:05:01Z is 1795169101 s after 1970; FILETIME adds 11644473600 s */
    cr_assert_eq(ft, (1795169101ull + 11644473600ull) * 10000000ull + 2500000ull);
}

Test(mplog, incomplete_lines_are_named)
{
    static const char log[] = "2026-11-20T10:05:01.250Z ProcessImageName: x.exe, Pid: 1\n"
                              "2026-11-20T10:05:02.000Z [Exclusion] C:\\x\n"
                              "2026-11-20T10:05:03.000Z DETECTIONEVENT file:C:\\x\n"
                              "2026-11-20T10:05:04.000Z ProcessImageName: x.exe, Pid: q, TotalTime: 1, Count: 1, MaxTime: 1, MaxTimeFile: f, EstimatedImpact: 1%\n"
                              "2026-11-20T10:05:05.000Z DETECTION_ADD\n"
                              "2026-11-20T10:05:06.000Z [Exclusion] C:\\y -> \\Device\\HarddiskVolume3\\y\n";
    got g = {0};
    mpl_stats st;
    gl_err err = {0};
    cr_assert_eq(mplog_parse((const uint8_t *)log, sizeof log - 1, "m", keep, &g, &st, &err), -1);
    cr_assert_str_eq(err.msg, "m: line 1: impact line without TotalTime");
    cr_assert_eq(st.bad_lines, 5);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.line[0], "6 exclusion 2026-11-20T10:05:06.000Z|C:\\y|\\Device\\HarddiskVolume3\\y");
    static const char *const one[] = {"2026-11-20T10:05:02.000Z [Exclusion] C:\\x\n",
                                      "2026-11-20T10:05:03.000Z DETECTIONEVENT file:C:\\x\n",
                                      "2026-11-20T10:05:04.000Z ProcessImageName: x.exe, Pid: q, TotalTime: 1, Count: 1, MaxTime: 1, MaxTimeFile: f, EstimatedImpact: 1%\n",
                                      "2026-11-20T10:05:05.000Z DETECTION_ADD\n"};
    static const char *const why[] = {"exclusion line without \"<path> -> <device path>\"",
                                      "DETECTIONEVENT without its MPSOURCE_ source",
                                      "impact line with a missing or malformed number",
                                      "detection line without a threat name"};
    for (size_t i = 0; i < 4; i++) {
        gl_err e2 = {0};
        cr_assert_eq(mplog_parse((const uint8_t *)one[i], strlen(one[i]), "m", NULL, NULL, NULL, &e2), -1);
        char msg[200];
        snprintf(msg, sizeof msg, "m: line 1: %s", why[i]);
        cr_assert_str_eq(e2.msg, msg);
    }
}

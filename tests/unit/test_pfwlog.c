/* Firewall packet log parser (pfwlog.h): columns by the #Fields header,
 * "-" as no value, a second header changing the columns, CRLF and a BOM,
 * and every kind of bad line named by its number while parsing goes on. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "pfwlog.h"

#define HDR "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
#define FIELDS17 "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n"

typedef struct got {
    pfw_entry e[8];
    char text[8][160];
    size_t n;
} got;

static int keep(void *ctx, const pfw_entry *e)
{
    got *g = ctx;
    if (g->n < 8) {
        g->e[g->n] = *e;
        snprintf(g->text[g->n], sizeof g->text[0], "%.*s %.*s|%.*s|%.*s|%.*s|%.*s|%d|%d|%.*s|%lld|%.*s",
                 (int)e->date.n, e->date.p ? e->date.p : "", (int)e->time.n, e->time.p ? e->time.p : "",
                 (int)e->action.n, e->action.p ? e->action.p : "", (int)e->protocol.n,
                 e->protocol.p ? e->protocol.p : "", (int)e->src_ip.n, e->src_ip.p ? e->src_ip.p : "",
                 (int)e->dst_ip.n, e->dst_ip.p ? e->dst_ip.p : "", e->src_port, e->dst_port, (int)e->path.n,
                 e->path.p ? e->path.p : "", (long long)e->pid, (int)e->time_format.n,
                 e->time_format.p ? e->time_format.p : "");
    }
    g->n++;
    return 0;
}

Test(pfwlog, columns_by_header_and_dash_as_none)
{
    static const char log[] = "\xEF\xBB\xBF" HDR FIELDS17
                              "\r\n"
                              "2026-11-20 10:20:01 ALLOW TCP 198.51.100.23 10.0.0.5 50123 3389 0 - 0 0 0 - - - RECEIVE\r\n"
                              "2026-11-20 10:20:02 DROP ICMP 10.0.0.9 10.0.0.5 - - 60 - - - - 8 0 - RECEIVE\r\n"
                              /* the service restarted: a newer header with a pid column */
                              "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n"
                              "2026-11-20 10:21:00 ALLOW UDP fe80::1 ff02::fb 5353 5353 0 - - - - - - - SEND 2216\n";
    got g = {0};
    pfw_stats st;
    gl_err err = {0};
    cr_assert_eq(pfw_parse(log, sizeof log - 1, "pfirewall.log", keep, &g, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(g.n, 3);
    cr_assert_eq(st.lines, 9);
    cr_assert_eq(st.entries, 3);
    cr_assert_eq(st.bad_lines, 0);
    cr_assert_str_eq(g.text[0], "2026-11-20 10:20:01|ALLOW|TCP|198.51.100.23|10.0.0.5|50123|3389|RECEIVE|-1|Local");
    cr_assert_eq(g.e[0].line, 6);
    cr_assert_str_eq(g.text[1], "2026-11-20 10:20:02|DROP|ICMP|10.0.0.9|10.0.0.5|-1|-1|RECEIVE|-1|Local");
    cr_assert_str_eq(g.text[2], "2026-11-20 10:21:00|ALLOW|UDP|fe80::1|ff02::fb|5353|5353|SEND|2216|Local");
    cr_assert_eq(g.e[2].line, 9);
    cr_assert(pfw_span_is(g.e[0].action, "allow"));
}

Test(pfwlog, bad_lines_are_named_and_skipped)
{
    static const char log[] =
        "2026-11-20 10:20:01 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389 0 - 0 0 0 - - - RECEIVE\n" /* 1: before #Fields */
        HDR FIELDS17                                                                         /* 2-5 */
        "2026-11-20 10:20:01 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389\n"                             /* 6: columns */
        "2026-11-20 10:20:01 ALLOW TCP 1.2.3.4 10.0.0.5 1 70000 0 - 0 0 0 - - - RECEIVE\n"    /* 7: port */
        "20261120 10:20:01 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389 0 - 0 0 0 - - - RECEIVE\n"       /* 8: date */
        "2026-11-20 10:20 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389 0 - 0 0 0 - - - RECEIVE\n"        /* 9: time */
        "2026-11-20 10:20:09 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389 0 - 0 0 0 - - - RECEIVE";     /* 10: good, no LF */
    got g = {0};
    pfw_stats st;
    gl_err err = {0};
    cr_assert_eq(pfw_parse(log, sizeof log - 1, "C:\\Windows\\System32\\LogFiles\\Firewall\\pfirewall.log", keep, &g,
                           &st, &err),
                 -1);
    cr_assert_str_eq(err.msg, "C:\\Windows\\System32\\LogFiles\\Firewall\\pfirewall.log: line 1: data line before "
                              "any #Fields header");
    cr_assert_eq(st.bad_lines, 5);
    cr_assert_eq(st.entries, 1);
    cr_assert_eq(g.e[0].line, 10);
    cr_assert_eq(g.e[0].dst_port, 3389);
    /* each reason on its own */
    static const char *const lines[] = {"x 10:20:01 A T 1 2 3 4 0 - 0 0 0 - - - R\n", "2026-11-20 x A T 1 2 3 4 0 - 0 0 0 - - - R\n",
                                        "2026-11-20 10:20:01 A T 1 2 -3 4 0 - 0 0 0 - - - R\n", "a b\n"};
    static const char *const why[] = {"date is not YYYY-MM-DD", "time is not HH:MM:SS",
                                      "port is not a number from 0 to 65535",
                                      "number of columns differs from the #Fields header"};
    for (size_t i = 0; i < 4; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, FIELDS17 "%s", lines[i]);
        gl_err e2 = {0};
        cr_assert_eq(pfw_parse(buf, strlen(buf), "p", NULL, NULL, NULL, &e2), -1);
        char expect[128];
        snprintf(expect, sizeof expect, "p: line 2: %s", why[i]);
        cr_assert_str_eq(e2.msg, expect);
    }
    gl_err e3 = {0};
    cr_assert_eq(pfw_parse("#Fields:\n", 9, "p", NULL, NULL, NULL, &e3), -1);
    cr_assert_str_eq(e3.msg, "p: line 1: #Fields header names no field");
}

static int stop_at_first(void *ctx, const pfw_entry *e)
{
    (void)e;
    ++*(int *)ctx;
    return 7;
}

Test(pfwlog, callback_stops_the_parse)
{
    static const char log[] = FIELDS17 "2026-11-20 10:20:01 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389 0 - 0 0 0 - - - RECEIVE\n"
                                       "2026-11-20 10:20:02 ALLOW TCP 1.2.3.4 10.0.0.5 1 3389 0 - 0 0 0 - - - RECEIVE\n";
    int calls = 0;
    gl_err err = {0};
    cr_assert_eq(pfw_parse(log, sizeof log - 1, "p", stop_at_first, &calls, NULL, &err), 7);
    cr_assert_eq(calls, 1);
}

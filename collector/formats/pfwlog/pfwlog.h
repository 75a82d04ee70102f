/* Windows Firewall packet log (pfirewall.log): W3C-like text written by
 * the firewall service when logging of dropped packets or successful
 * connections is on.
 *
 *     #Version: 1.5
 *     #Software: Microsoft Windows Firewall
 *     #Time Format: Local
 *     #Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path [pid]
 *     2026-11-20 10:20:01 ALLOW TCP 198.51.100.23 10.0.0.5 50123 3389 0 - 0 0 0 - - - RECEIVE 1234
 *
 * Columns are found by the names of the #Fields header (its order is
 * trusted, not assumed); "-" is no value. A log may hold several headers
 * (the service writes one each time it starts): each applies to the lines
 * after it. Times are in the host's local time ("#Time Format: Local"),
 * so they are given as written, with the header's time format.
 *
 * Strict: a data line before any #Fields header, with another number of
 * columns than its header, or with a malformed date, time or port is an
 * error naming its line; parsing goes on with the next line. Pure: bytes in,
 * callbacks out. */
#ifndef GL_PFWLOG_H
#define GL_PFWLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define PFW_MAX_FIELDS 32

typedef struct pfw_span {
    const char *p; /* into the input; NULL/0 when absent or "-" */
    size_t n;
} pfw_span;

typedef struct pfw_entry {
    uint64_t line; /* 1-based line number in the input */
    pfw_span date, time, action, protocol, src_ip, dst_ip, info, path;
    int32_t src_port, dst_port; /* -1: none */
    int64_t pid;                /* -1: none (older builds have no pid column) */
    pfw_span time_format;       /* "Local" (from the header), or empty */
} pfw_entry;

typedef struct pfw_stats {
    uint64_t lines;     /* every line, headers included */
    uint64_t entries;   /* data lines handed to the callback */
    uint64_t bad_lines; /* data lines rejected (first one in err) */
} pfw_stats;

/* Non-zero from the callback stops the parse and is returned. */
typedef int (*pfw_cb)(void *ctx, const pfw_entry *e);

/* Parse text (UTF-8 or ASCII; a UTF-8 BOM is skipped; LF or CRLF).
 * Returns 0 when every line was understood, -1 with err describing the
 * first bad line (all good lines still delivered), or the callback's
 * non-zero value. name is used in messages. */
int pfw_parse(const char *data, size_t n, const char *name, pfw_cb cb, void *ctx, pfw_stats *st, gl_err *err);

/* Whether a span equals s (ASCII case-insensitive). */
bool pfw_span_is(pfw_span s, const char *str);

#endif

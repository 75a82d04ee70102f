/* Line reading (UTF-8 or UTF-16LE, bounded lines) and dispatch to the
 * layout parsers. */
#include "rmmlog_int.h"
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "text.h"

static const char *const kind_names[RMMLOG_KIND_COUNT] = {
    [RMMLOG_ANYDESK_TRACE] = "anydesk-trace",
    [RMMLOG_ANYDESK_CONNECTIONS] = "anydesk-connections",
    [RMMLOG_ANYDESK_FILE_TRANSFERS] = "anydesk-file-transfers",
    [RMMLOG_ANYDESK_CONF] = "anydesk-conf",
    [RMMLOG_TEAMVIEWER_INCOMING] = "teamviewer-incoming",
    [RMMLOG_TEAMVIEWER_OUTGOING] = "teamviewer-outgoing",
    [RMMLOG_TEAMVIEWER_LOG] = "teamviewer-log",
    [RMMLOG_GENERIC] = "generic",
    [RMMLOG_RUSTDESK_LOG] = "rustdesk-log",
    [RMMLOG_RUSTDESK_CONF] = "rustdesk-conf",
    [RMMLOG_RUSTDESK_PEER] = "rustdesk-peer",
    [RMMLOG_ZOHO_LOG] = "zoho-log",
    [RMMLOG_ZOHO_UNATTENDED] = "zoho-unattended-log",
    [RMMLOG_ZOHO_SESSION_AUDIT] = "zoho-session-audit",
};

bool rmmlog_kind_from_name(const char *name, rmmlog_kind *kind)
{
    for (int i = 0; i < RMMLOG_KIND_COUNT; i++)
        if (name && strcmp(name, kind_names[i]) == 0) {
            *kind = (rmmlog_kind)i;
            return true;
        }
    return false;
}

const char *rmmlog_kind_name(rmmlog_kind kind)
{
    return (kind >= 0 && kind < RMMLOG_KIND_COUNT) ? kind_names[kind] : "unknown";
}

const char *rmmlog_event_name(rmmlog_event ev)
{
    static const char *const names[] = {"",         "connection",   "login_attempt", "auth",
                                        "session_end", "file_transfer", "local_id",   "local_address",
                                        "config",   "line"};
    return (ev >= RMMLOG_EV_CONNECTION && ev <= RMMLOG_EV_LINE) ? names[ev] : "unknown";
}

/* ---- records -------------------------------------------------------- */

void rmmlog_rec_init(const rmmlog_p *p, rmmlog_rec *r, rmmlog_event ev, rmmlog_tz tz)
{
    memset(r, 0, sizeof *r);
    r->event = ev;
    r->line = p->line;
    r->tz = tz;
}

void rmmlog_emit(rmmlog_p *p, rmmlog_rec *r)
{
    if (p->stop)
        return;
    if (p->st)
        p->st->records++;
    if (p->cb && p->cb(r, p->ctx))
        p->stop = true;
}

void rmmlog_fallback(rmmlog_p *p, const char *s, size_t n, rmmlog_tz tz)
{
    rmmlog_rec r;
    rmmlog_rec_init(p, &r, RMMLOG_EV_LINE, tz);
    if (rmmlog_scan_line(s, n, &r))
        rmmlog_emit(p, &r);
}

/* ---- line reader ---------------------------------------------------- */

typedef struct line_reader {
    const gl_reader *r;
    uint64_t off;
    uint8_t buf[65536];
    size_t blen, bpos;
    bool utf16;
    gl_err *err;
    int failed;
} line_reader;

/* Next byte, -1 at end, -2 on a read error. */
static int next_byte(line_reader *lr)
{
    if (lr->bpos == lr->blen) {
        if (lr->off >= lr->r->size)
            return -1;
        int64_t got = lr->r->read_at(lr->r->ctx, lr->off, lr->buf, sizeof lr->buf, lr->err);
        if (got < 0) {
            lr->failed = 1;
            return -2;
        }
        if (got == 0)
            return -1;
        lr->off += (uint64_t)got;
        lr->blen = (size_t)got;
        lr->bpos = 0;
    }
    return lr->buf[lr->bpos++];
}

/* Next code unit: a byte, or a UTF-16LE unit. */
static int32_t next_unit(line_reader *lr)
{
    int a = next_byte(lr);
    if (a < 0 || !lr->utf16)
        return a;
    int b = next_byte(lr);
    if (b == -2)
        return -2;
    return (int32_t)(a | ((b < 0 ? 0 : b) << 8));
}

/* One line into `line` (cleared first); 1, 0 at end, -1 on error. Bytes
 * past RMMLOG_LINE_MAX are read and dropped. */
static int read_line(line_reader *lr, gl_buf *line, bool *cut)
{
    size_t dropped = 0;
    int32_t u;
    bool any = false;
    uint32_t high = 0; /* pending UTF-16 high surrogate */
    gl_buf_clear(line);
    while ((u = next_unit(lr)) >= 0) {
        any = true;
        if (u == '\n')
            break;
        if (u == 0)
            u = ' '; /* NULs would cut C strings downstream */
        uint32_t cp = (uint32_t)u;
        if (lr->utf16 && u >= 0xD800 && u <= 0xDBFF) {
            high = (uint32_t)u;
            continue;
        }
        if (lr->utf16 && u >= 0xDC00 && u <= 0xDFFF)
            cp = high ? 0x10000 + ((high - 0xD800) << 10) + ((uint32_t)u - 0xDC00) : 0xFFFD;
        high = 0;
        bool byte = !lr->utf16 || cp < 0x80;
        size_t need = byte ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (line->len + need > RMMLOG_LINE_MAX)
            dropped++;
        else if (byte)
            gl_buf_putc(line, (char)cp);
        else
            gl_utf8_put(line, cp);
    }
    if (u == -2)
        return -1;
    if (!any)
        return 0;
    while (line->len && line->data[line->len - 1] == '\r')
        line->data[--line->len] = '\0';
    *cut = dropped > 0;
    return 1;
}

static void detect_encoding(line_reader *lr)
{
    uint8_t head[4] = {0};
    int64_t got = lr->r->read_at(lr->r->ctx, 0, head, sizeof head, lr->err);
    if (got < 0) {
        lr->failed = 1;
        return;
    }
    if (got >= 2 && head[0] == 0xFF && head[1] == 0xFE) {
        lr->utf16 = true;
        lr->off = 2;
    } else if (got >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
        lr->off = 3;
    } else if (got == 4 && head[0] && !head[1] && head[2] && !head[3]) {
        lr->utf16 = true; /* ASCII text written as UTF-16LE without a BOM */
    }
}

typedef void (*line_fn)(rmmlog_p *p, const char *s, size_t n);

static void generic_line(rmmlog_p *p, const char *s, size_t n) { rmmlog_fallback(p, s, n, RMMLOG_TZ_UNKNOWN); }

static line_fn parser_for(rmmlog_kind kind)
{
    switch (kind) {
    case RMMLOG_ANYDESK_TRACE: return rmmlog_anydesk_trace;
    case RMMLOG_ANYDESK_CONNECTIONS: return rmmlog_anydesk_connections;
    case RMMLOG_ANYDESK_FILE_TRANSFERS: return rmmlog_anydesk_file_transfers;
    case RMMLOG_ANYDESK_CONF: return rmmlog_anydesk_conf;
    case RMMLOG_TEAMVIEWER_INCOMING:
    case RMMLOG_TEAMVIEWER_OUTGOING: return rmmlog_teamviewer_connections;
    case RMMLOG_TEAMVIEWER_LOG: return rmmlog_teamviewer_log;
    case RMMLOG_RUSTDESK_LOG: return rmmlog_rustdesk_log;
    case RMMLOG_RUSTDESK_CONF: return rmmlog_rustdesk_conf;
    case RMMLOG_RUSTDESK_PEER: return rmmlog_rustdesk_peer;
    case RMMLOG_ZOHO_LOG:
    case RMMLOG_ZOHO_UNATTENDED: return rmmlog_zoho_log;
    case RMMLOG_ZOHO_SESSION_AUDIT: return rmmlog_zoho_session_audit;
    default: return generic_line;
    }
}

int rmmlog_parse(rmmlog_kind kind, const gl_reader *r, rmmlog_cb cb, void *ctx, rmmlog_stats *stats,
                 gl_err *err)
{
    /* 64 KiB of read buffer: on the heap, not the stack */
    line_reader *lrp = gl_xcalloc(1, sizeof *lrp);
    gl_buf line = {0};
    rmmlog_stats local = {0};
    rmmlog_p p = {.kind = kind, .cb = cb, .ctx = ctx, .st = stats ? stats : &local, .name = r->name};
    memset(p.st, 0, sizeof *p.st);
    lrp->r = r;
    lrp->err = err;
    detect_encoding(lrp);
    p.st->utf16 = lrp->utf16;
    line_fn fn = parser_for(kind);
    bool cut = false;
    int rc = 0;
    while (!lrp->failed && !p.stop && (rc = read_line(lrp, &line, &cut)) == 1) {
        p.line++;
        p.st->lines++;
        p.st->long_lines += cut;
        fn(&p, gl_buf_cstr(&line), line.len);
    }
    if (kind == RMMLOG_RUSTDESK_PEER)
        rmmlog_rustdesk_peer_end(&p);
    if (kind == RMMLOG_ZOHO_SESSION_AUDIT)
        rmmlog_zoho_session_audit_end(&p);
    bool failed = lrp->failed || rc < 0;
    free(lrp);
    gl_buf_free(&line);
    if (failed)
        return gl_err_prefix(err, "%s: line %llu", r->name ? r->name : "log", (unsigned long long)p.line + 1);
    return 0;
}

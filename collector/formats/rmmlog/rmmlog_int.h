/* Internals shared by the RMM log parsers. */
#ifndef GL_RMMLOG_INT_H
#define GL_RMMLOG_INT_H
#include "rmmlog.h"

#define RMMLOG_RD_CONNS 16

typedef struct rmmlog_p {
    rmmlog_kind kind;
    rmmlog_cb cb;
    void *ctx;
    rmmlog_stats *st;
    bool stop;
    uint64_t line;
    /* AnyDesk: the peer's Client-ID is logged on the line before the
     * "Logged in from" line of the same thread */
    char pending_id[16];
    char pending_tid[16];
    /* RustDesk: where each recent connection number came from, for the
     * line that closes it */
    struct {
        char num[16];
        rmmlog_addr addr;
    } rd_conns[RMMLOG_RD_CONNS];
    size_t n_rd_conns, rd_next;
    /* RustDesk peer file: the reader's name (the peer is its stem) and
     * the [info] table until it ends */
    const char *name;
    bool rd_in_info, rd_in_transfer, rd_info_seen;
    uint64_t rd_info_line;
    char rd_user[128], rd_host[128], rd_platform[64];
    /* Zoho Assist: the unattended-agent note is given once; a session
     * audit report's first and last entries bound its session */
    bool zoho_flagged;
    char zoho_first[32], zoho_last[32];
    uint64_t zoho_first_line, zoho_entries;
} rmmlog_p;

/* A blank-separated token of a line. */
typedef struct rmmlog_tok {
    const char *s;
    size_t n;
} rmmlog_tok;
#define RMMLOG_MAX_TOKS 64

void rmmlog_rec_init(const rmmlog_p *p, rmmlog_rec *r, rmmlog_event ev, rmmlog_tz tz);
void rmmlog_emit(rmmlog_p *p, rmmlog_rec *r);
/* A line no layout-specific rule claimed: the generic scanner's record. */
void rmmlog_fallback(rmmlog_p *p, const char *s, size_t n, rmmlog_tz tz);

/* NUL-terminated copy, cut to cap-1 bytes; control bytes become blanks. */
void rmmlog_copy(char *dst, size_t cap, const char *s, size_t n);
/* Timestamp starting exactly at s (layouts in rmmlog_scan.c); returns the
 * bytes it spans, 0 when there is none. */
size_t rmmlog_time_at(const char *s, size_t n, char out[32]);
/* An address as written ("1.2.3.4:80", "[::1]:80", "12.xx.xx.21:5"): text
 * kept, ip/port filled when it validates. */
void rmmlog_addr_set(rmmlog_addr *a, const char *s, size_t n);
void rmmlog_add_id(rmmlog_rec *r, const char *s, size_t n);
void rmmlog_add_file(rmmlog_rec *r, const char *s, size_t n);
size_t rmmlog_tokens(const char *s, size_t n, rmmlog_tok *t, size_t max);
/* Position of needle in s[0..n), or NULL. */
const char *rmmlog_find(const char *s, size_t n, const char *needle);
bool rmmlog_all_digits(const char *s, size_t n);

void rmmlog_anydesk_trace(rmmlog_p *p, const char *s, size_t n);
void rmmlog_anydesk_connections(rmmlog_p *p, const char *s, size_t n);
void rmmlog_anydesk_file_transfers(rmmlog_p *p, const char *s, size_t n);
void rmmlog_anydesk_conf(rmmlog_p *p, const char *s, size_t n);
void rmmlog_teamviewer_connections(rmmlog_p *p, const char *s, size_t n);
void rmmlog_teamviewer_log(rmmlog_p *p, const char *s, size_t n);
void rmmlog_rustdesk_log(rmmlog_p *p, const char *s, size_t n);
void rmmlog_rustdesk_conf(rmmlog_p *p, const char *s, size_t n);
void rmmlog_rustdesk_peer(rmmlog_p *p, const char *s, size_t n);
/* End of a peer file: the connection its [info] table describes. */
void rmmlog_rustdesk_peer_end(rmmlog_p *p);
void rmmlog_zoho_log(rmmlog_p *p, const char *s, size_t n);
void rmmlog_zoho_session_audit(rmmlog_p *p, const char *s, size_t n);
void rmmlog_zoho_session_audit_end(rmmlog_p *p);

#endif

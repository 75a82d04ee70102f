/* Line-oriented parsers for remote-management tool logs. Each turns a log
 * into records: a connection, a login attempt, a file transfer, a setting.
 *
 * Known layouts (AnyDesk, TeamViewer, RustDesk) get their own parser, and
 * Zoho Assist's files what is known of them (local time, unattended agent,
 * session audit reports: rmmlog_zoho.c); every other
 * RMM log goes through the generic scanner, which pulls timestamps,
 * IPv4/IPv6 addresses (with ports), 9-10 digit remote IDs and file names
 * out of any line, so a layout nobody has documented still tells who
 * connected from where and what moved. Known parsers hand the lines they
 * do not recognise to the same scanner.
 *
 * Input is UTF-8/ASCII or UTF-16LE (with BOM, or detected from the
 * zero bytes of ASCII text). Lines are cut at RMMLOG_LINE_MAX bytes; the
 * rest of a longer line is skipped and counted. Times are reported as the
 * log writes them, in ISO 8601 form without a zone, and tz says what is
 * known about the zone. */
#ifndef GL_RMMLOG_H
#define GL_RMMLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "reader.h"

typedef enum {
    RMMLOG_ANYDESK_TRACE,          /* ad.trace, ad_svc.trace */
    RMMLOG_ANYDESK_CONNECTIONS,    /* connection_trace.txt */
    RMMLOG_ANYDESK_FILE_TRANSFERS, /* file_transfer_trace.txt */
    RMMLOG_ANYDESK_CONF,           /* service.conf, system.conf, user.conf */
    RMMLOG_TEAMVIEWER_INCOMING,    /* Connections_incoming.txt */
    RMMLOG_TEAMVIEWER_OUTGOING,    /* Connections.txt */
    RMMLOG_TEAMVIEWER_LOG,         /* TeamViewer<N>_Logfile[_OLD].log */
    RMMLOG_GENERIC,
    RMMLOG_RUSTDESK_LOG,           /* RustDesk_rCURRENT.log, RustDesk_r<date>.log */
    RMMLOG_RUSTDESK_CONF,          /* RustDesk.toml, RustDesk2.toml */
    RMMLOG_RUSTDESK_PEER,          /* config\peers\<peer>.toml: a peer this host connected to */
    RMMLOG_ZOHO_LOG,               /* Zoho Assist logs (local time) */
    RMMLOG_ZOHO_UNATTENDED,        /* its unattended agent's logs: persistent access */
    RMMLOG_ZOHO_SESSION_AUDIT,     /* SessionAuditReport_*.log: one session's foreground windows */
    RMMLOG_KIND_COUNT
} rmmlog_kind;

typedef enum {
    RMMLOG_EV_CONNECTION = 1, /* a session (or its start): remote id/address */
    RMMLOG_EV_LOGIN_ATTEMPT,  /* an incoming attempt not (yet) a session */
    RMMLOG_EV_AUTH,           /* how a session was authorised */
    RMMLOG_EV_SESSION_END,
    RMMLOG_EV_FILE_TRANSFER,
    RMMLOG_EV_LOCAL_ID,       /* this machine's own ID */
    RMMLOG_EV_LOCAL_ADDRESS,  /* this machine's address as the relay saw it */
    RMMLOG_EV_CONFIG,         /* a setting (key, value) */
    RMMLOG_EV_LINE            /* generic: a line with addresses/IDs/files */
} rmmlog_event;

typedef enum { RMMLOG_DIR_UNKNOWN = 0, RMMLOG_DIR_INCOMING, RMMLOG_DIR_OUTGOING } rmmlog_dir;
typedef enum { RMMLOG_TZ_UNKNOWN = 0, RMMLOG_TZ_UTC, RMMLOG_TZ_LOCAL } rmmlog_tz;

#define RMMLOG_LINE_MAX 4096
#define RMMLOG_ITEMS 4

typedef struct rmmlog_addr {
    char text[72];   /* as written, e.g. "12.xx.xx.21:59562" (sources redact) */
    char ip[46];     /* validated address, "" when the text is not one */
    uint16_t port;   /* 0 when none */
} rmmlog_addr;

typedef struct rmmlog_rec {
    rmmlog_event event;
    uint64_t line;       /* 1-based */
    char time[32];       /* "2022-09-28T12:39:26.845", "" when none */
    char time_end[32];
    rmmlog_tz tz;
    rmmlog_dir dir;
    char auth[32];       /* password, token, user, passphrase, rejected, ... */
    char user[128];      /* local user, or the remote participant's name */
    char remote_name[128];
    char detail[256];    /* event-specific: relay, session type, transfer direction... */
    char key[128];       /* RMMLOG_EV_CONFIG */
    char value[256];
    bool unattended;     /* the record shows unattended access configured or used */
    size_t nid;
    char ids[RMMLOG_ITEMS][16];
    size_t naddr;
    rmmlog_addr addr[RMMLOG_ITEMS];
    size_t nfile;
    char files[RMMLOG_ITEMS][260];
} rmmlog_rec;

typedef struct rmmlog_stats {
    uint64_t lines;
    uint64_t records;
    uint64_t long_lines; /* cut at RMMLOG_LINE_MAX */
    bool utf16;
} rmmlog_stats;

/* Return nonzero to stop the parse (rmmlog_parse then returns 0). */
typedef int (*rmmlog_cb)(const rmmlog_rec *rec, void *ctx);

/* Parse a whole log. Returns 0, or -1 when the reader fails (err names the
 * reader and offset); records already delivered stay valid. stats may be
 * NULL. */
int rmmlog_parse(rmmlog_kind kind, const gl_reader *r, rmmlog_cb cb, void *ctx, rmmlog_stats *stats,
                 gl_err *err);

/* Parser for a catalog log kind ("anydesk-trace", ..., "generic");
 * false when unknown. */
bool rmmlog_kind_from_name(const char *name, rmmlog_kind *kind);
const char *rmmlog_kind_name(rmmlog_kind kind);
const char *rmmlog_event_name(rmmlog_event ev);

/* The generic scanner over one line (exposed for tests and for modules
 * that meet RMM text elsewhere). Fills time/ids/addr/files of rec and
 * returns true when the line held an address, an ID or a file name. */
bool rmmlog_scan_line(const char *line, size_t len, rmmlog_rec *rec);

/* ScreenConnect client launch parameters (its service ImagePath): a
 * RMMLOG_EV_CONFIG record with key "relay", value and addr[0] "host:port",
 * remote_name the host, detail the session type and GUID, unattended for
 * "Access" sessions. False when the text names no relay host (h=). */
bool rmmlog_screenconnect_params(const char *text, size_t len, rmmlog_rec *rec);

/* The message of a ScreenConnect client's Application-log event (provider
 * "ScreenConnect Client (<instance>)" or "ScreenConnect"; event IDs vary
 * by version, 0, 1, 100/101/200/201, so the wording decides):
 * "<who> Connected" / "<who> Disconnected" give an incoming connection or
 * its end with user = the operator's account name, "Transferred files
 * with action '<action>':" then one file per line gives a file transfer
 * (up to RMMLOG_ITEMS names, detail the action and how many), "Executed
 * command of length: <n>" a RMMLOG_EV_LINE record saying so. The
 * "Version:"/"Executable Path:" trailer is left out of names. False for
 * any other message. rec->time is left empty: the event has its own. */
bool rmmlog_screenconnect_event(const char *msg, size_t len, rmmlog_rec *rec);

/* One field of an event: name ("" for a classic provider's unnamed Data)
 * and value. */
typedef struct rmmlog_field {
    const char *name;
    const char *value;
} rmmlog_field;

/* An event of Splashtop Streamer's own logs: Status/Operational 200 (the
 * streamer joined a team: RMMLOG_EV_CONFIG key "splashtop_team_account",
 * value the account's e-mail, unattended), 300 (a connection initiated:
 * RMMLOG_EV_LOGIN_ATTEMPT), Remote Session/Operational 1000 (a session
 * started: RMMLOG_EV_CONNECTION) and 1101 (a file transferred:
 * RMMLOG_EV_FILE_TRANSFER), all incoming. Their field names are not
 * published, so values are read by shape: user = the first e-mail address
 * (the Splashtop account), addresses and file names as the line scanner
 * finds them, remote_name from a field named host/computer/device, the
 * session from a field named session (in detail). False for other IDs.
 * rec->time is left empty: the event has its own. */
bool rmmlog_splashtop_event(uint16_t event_id, const rmmlog_field *fields, size_t n, rmmlog_rec *rec);

#endif

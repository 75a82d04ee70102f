/* RMM log parsers: the real AnyDesk files in ../shared/corpus/dev/artifacts/rmm
 * (what they really hold: peer IDs, relay-seen addresses as the source
 * redacted them, times, the unattended password), layouts built here from
 * the published examples (AnyDesk file transfers, TeamViewer lists and
 * log), the generic scanner on layouts no parser knows, UTF-16 input, cut
 * lines and failing readers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rmmlog.h"
#include "testutil.h"

#define MAX_RECS 64
typedef struct recs {
    size_t n;
    rmmlog_rec r[MAX_RECS];
} recs;

static int collect(const rmmlog_rec *rec, void *ctx)
{
    recs *rs = ctx;
    if (rs->n < MAX_RECS)
        rs->r[rs->n++] = *rec;
    return 0;
}

static rmmlog_stats parse_mem(rmmlog_kind kind, const char *data, size_t len, recs *rs)
{
    gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, data, len, "mem.log");
    gl_err err = {0};
    rmmlog_stats st;
    memset(rs, 0, sizeof *rs);
    cr_assert_eq(rmmlog_parse(kind, &r, collect, rs, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.records, rs->n);
    return st;
}

static rmmlog_stats parse_corpus(rmmlog_kind kind, const char *rel, recs *rs)
{
    gl_buf data = {0};
    char *path = tu_corpus(rel);
    cr_assert(tu_read_file(path, &data), "cannot read %s", path);
    rmmlog_stats st = parse_mem(kind, data.data, data.len, rs);
    gl_buf_free(&data);
    return st;
}

#define AD "dev/artifacts/rmm/anydesk/"

/* An AnyDesk trace session: the peer's ID, the address it came from as
 * written (the corpus source redacted the middle octets, so no IP
 * validates), the relay. */
static void expect_trace_session(const rmmlog_rec *c, uint64_t line, const char *time, const char *id,
                                 const char *addr, const char *relay)
{
    cr_assert_eq(c->event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(c->line, line);
    cr_assert_str_eq(c->time, time);
    cr_assert_eq(c->tz, RMMLOG_TZ_UNKNOWN);
    cr_assert_eq(c->dir, RMMLOG_DIR_INCOMING);
    cr_assert_eq(c->nid, 1);
    cr_assert_str_eq(c->ids[0], id);
    cr_assert_eq(c->naddr, 1);
    cr_assert_str_eq(c->addr[0].text, addr);
    cr_assert_str_eq(c->addr[0].ip, "");
    cr_assert_str_eq(c->detail, relay);
}

Test(rmmlog, anydesk_ad_trace_corpus)
{
    TU_REQUIRE_CORPUS();
    recs rs;
    rmmlog_stats st = parse_corpus(RMMLOG_ANYDESK_TRACE, AD "DAM-AnyDesk__ad.trace", &rs);
    cr_assert_eq(st.lines, 9);
    cr_assert_eq(rs.n, 4);
    /* the peer 442226597 logged in through relay 80e496c0 */
    expect_trace_session(&rs.r[0], 2, "2022-09-28T12:39:26.845", "442226597", "12.xx.xx.21:59562", "relay 80e496c0");
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_LOCAL_ADDRESS);
    cr_assert_eq(rs.r[1].line, 3);
    cr_assert_str_eq(rs.r[1].addr[0].text, "34.xx.xx.123:50831");
    cr_assert_eq(rs.r[2].event, RMMLOG_EV_LOCAL_ID);
    cr_assert_eq(rs.r[2].line, 7);
    cr_assert_str_eq(rs.r[2].ids[0], "294433414");
    cr_assert_str_eq(rs.r[2].time, "2022-09-28T12:38:44.228");
    const rmmlog_rec *f = &rs.r[3];
    cr_assert_eq(f->event, RMMLOG_EV_FILE_TRANSFER);
    cr_assert_eq(f->line, 8);
    cr_assert_str_eq(f->time, "2022-09-28T12:41:20.001");
    cr_assert_eq(f->nfile, 1);
    cr_assert_str_eq(f->files[0], "C:\\Users\\lab\\Downloads");
    cr_assert_str_eq(f->detail, "Preparing files in 'C:\\Users\\lab\\Downloads'.");
}

Test(rmmlog, anydesk_ad_svc_trace_corpus)
{
    TU_REQUIRE_CORPUS();
    recs rs;
    parse_corpus(RMMLOG_ANYDESK_TRACE, AD "DAM-AnyDesk__ad_svc.trace", &rs);
    cr_assert_eq(rs.n, 3);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_LOCAL_ADDRESS);
    cr_assert_str_eq(rs.r[0].addr[0].text, "34.xx.xx.123:46798");
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_LOCAL_ID);
    cr_assert_str_eq(rs.r[1].ids[0], "609579424");
    expect_trace_session(&rs.r[2], 7, "2022-08-23T10:20:17.125", "547911884", "12.xx.xx.21:41314", "relay ad3345a7");
}

Test(rmmlog, anydesk_connection_trace_corpus)
{
    TU_REQUIRE_CORPUS();
    recs rs;
    parse_corpus(RMMLOG_ANYDESK_CONNECTIONS, AD "DAM-AnyDesk__connection_trace.txt", &rs);
    cr_assert_eq(rs.n, 2);
    cr_assert_str_eq(rs.r[0].time, "2022-08-23T10:23");
    cr_assert_eq(rs.r[0].dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(rs.r[0].auth, "password");
    cr_assert(rs.r[0].unattended);
    cr_assert_str_eq(rs.r[0].ids[0], "547911884");
    cr_assert_str_eq(rs.r[0].remote_name, "");
    cr_assert_str_eq(rs.r[1].time, "2022-09-28T12:39");
    cr_assert_str_eq(rs.r[1].auth, "user");
    cr_assert_not(rs.r[1].unattended);
    cr_assert_str_eq(rs.r[1].ids[0], "442226597");
}

/* From fuzz-rmmlog: an ID shorter than AnyDesk's usual nine digits and a
 * line that is no connection; kept as written, and the generic scan. */
Test(rmmlog, anydesk_connection_trace_short_id_and_garbage_line)
{
    const char *t = "Incoming 2022-08-23, 10:23 Passwd 547911884 5149784\n"
                    "8cnI1oming 2022-09-28, 12:39 User 442226597 442226597\n";
    recs rs;
    parse_mem(RMMLOG_ANYDESK_CONNECTIONS, t, strlen(t), &rs);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_CONNECTION);
    cr_assert_str_eq(rs.r[0].ids[0], "5149784");
    cr_assert_str_eq(rs.r[0].remote_name, "547911884");
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_LINE);
    cr_assert_eq(rs.r[1].nid, 1);
    cr_assert_str_eq(rs.r[1].ids[0], "442226597");
    cr_assert_str_eq(rs.r[1].time, "2022-09-28T12:39");
}

Test(rmmlog, anydesk_service_conf_corpus_shows_unattended_password)
{
    TU_REQUIRE_CORPUS();
    recs rs;
    parse_corpus(RMMLOG_ANYDESK_CONF, AD "DAM-AnyDesk__service.conf", &rs);
    /* the file holds its block twice; certificates and keys are left out */
    cr_assert_eq(rs.n, 4);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_CONFIG);
    cr_assert_eq(rs.r[0].line, 3);
    cr_assert_str_eq(rs.r[0].key, "ad.anynet.pwd_hash");
    cr_assert_str_eq(rs.r[0].value, "5344a7a23b2abb6314c0fa0ae9e20339a62814b7c2fa494b49c897ad63c0d7c9");
    cr_assert(rs.r[0].unattended);
    cr_assert_str_eq(rs.r[0].detail, "unattended access password set");
    cr_assert_str_eq(rs.r[1].key, "ad.anynet.pwd_salt");
    cr_assert_not(rs.r[1].unattended);
    cr_assert_eq(rs.r[2].line, 8);
    cr_assert(rs.r[2].unattended);
}

Test(rmmlog, anydesk_conf_permission_profiles_and_interactive_access)
{
    const char *conf = "ad.anynet.alias=desk-7@ad\n"
                       "ad.security.permission_profiles._unattended_access.pwd=9f3c\n"
                       "ad.security.interactive_access=2\n"
                       "ad.anynet.pwd_hash=\n"
                       "ad.ui.lang=en\n"
                       "garbage line\n";
    recs rs;
    parse_mem(RMMLOG_ANYDESK_CONF, conf, strlen(conf), &rs);
    cr_assert_eq(rs.n, 4);
    cr_assert_str_eq(rs.r[0].key, "ad.anynet.alias");
    cr_assert_str_eq(rs.r[0].value, "desk-7@ad");
    cr_assert_not(rs.r[0].unattended);
    cr_assert(rs.r[1].unattended);
    cr_assert(rs.r[2].unattended);
    cr_assert_str_eq(rs.r[2].detail, "incoming session requests never shown");
    /* an empty hash is no password */
    cr_assert_str_eq(rs.r[3].key, "ad.anynet.pwd_hash");
    cr_assert_not(rs.r[3].unattended);
}

Test(rmmlog, anydesk_trace_auth_lines)
{
    const char *t = "info 2024-02-01 09:00:01.100       gsvc   4628   3528   23   anynet.any_socket - Client-ID: 123456789 (FPR: 0a0b).\n"
                    "info 2024-02-01 09:00:01.101       gsvc   4628   9999   23   anynet.any_socket - Logged in from 203.0.113.9:50001 on relay 1a2b3c4d.\n"
                    "info 2024-02-01 09:00:02.000       gsvc   4628   3528   23   app.backend_session - Authenticated with permanent token.\n"
                    "info 2024-02-01 09:00:03.000       gsvc   4628   3528   23   app.backend_session - Authenticated by local user (elevated).\n";
    recs rs;
    parse_mem(RMMLOG_ANYDESK_TRACE, t, strlen(t), &rs);
    cr_assert_eq(rs.n, 3);
    /* the pending Client-ID belongs to another thread: not attached */
    cr_assert_eq(rs.r[0].nid, 0);
    cr_assert_str_eq(rs.r[0].addr[0].ip, "203.0.113.9");
    cr_assert_eq(rs.r[0].addr[0].port, 50001);
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_AUTH);
    cr_assert_str_eq(rs.r[1].auth, "token");
    cr_assert(rs.r[1].unattended);
    cr_assert_str_eq(rs.r[2].auth, "user");
    cr_assert_not(rs.r[2].unattended);
    cr_assert_str_eq(rs.r[2].detail, "Authenticated by local user (elevated).");
}

Test(rmmlog, anydesk_file_transfer_trace)
{
    const char *t = "File Manager\t2024-11-08, 16:30\tstart \tupload  \t'payload.zip' (~0 B out of 443.99 MiB)\r\n"
                    "File Manager\t2024-11-08, 16:41\tfinish\tdownload\t'C:\\Users\\lab\\Documents\\hr.xlsx' (12.00 MiB)\r\n";
    recs rs;
    parse_mem(RMMLOG_ANYDESK_FILE_TRANSFERS, t, strlen(t), &rs);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_FILE_TRANSFER);
    cr_assert_str_eq(rs.r[0].time, "2024-11-08T16:30");
    cr_assert_eq(rs.r[0].tz, RMMLOG_TZ_UTC);
    cr_assert_eq(rs.r[0].dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(rs.r[0].files[0], "payload.zip");
    cr_assert_str_eq(rs.r[0].detail, "File Manager: upload start (~0 B out of 443.99 MiB)");
    cr_assert_eq(rs.r[1].dir, RMMLOG_DIR_OUTGOING);
    cr_assert_str_eq(rs.r[1].files[0], "C:\\Users\\lab\\Documents\\hr.xlsx");
    cr_assert_str_eq(rs.r[1].detail, "File Manager: download finish (12.00 MiB)");
}

Test(rmmlog, teamviewer_connection_lists)
{
    /* tab-separated, a name and a user with blanks */
    const char *in = "1025538549\tmechant_host\t22-08-2022 14:50:52\t22-08-2022 14:51:09\tlab\tRemoteControl\t"
                     "{5a0ba592-76be-48de-8015-2365251d6520}\n"
                     "514162531\tJames Moriarty\t20-08-2025 09:58:25\t20-08-2025 10:14:27\tCogwork Admin\tRemoteControl\t"
                     "{7ca6431e-30f6-45e3-9ac6-0ef1e0cecb6a}\n"
                     "not a connection line\n";
    recs rs;
    parse_mem(RMMLOG_TEAMVIEWER_INCOMING, in, strlen(in), &rs);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(rs.r[0].dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(rs.r[0].ids[0], "1025538549");
    cr_assert_str_eq(rs.r[0].remote_name, "mechant_host");
    cr_assert_str_eq(rs.r[0].time, "2022-08-22T14:50:52");
    cr_assert_str_eq(rs.r[0].time_end, "2022-08-22T14:51:09");
    cr_assert_str_eq(rs.r[0].user, "lab");
    cr_assert_str_eq(rs.r[0].detail, "RemoteControl {5a0ba592-76be-48de-8015-2365251d6520}");
    cr_assert_str_eq(rs.r[1].remote_name, "James Moriarty");
    cr_assert_str_eq(rs.r[1].user, "Cogwork Admin");
    cr_assert_str_eq(rs.r[1].time_end, "2025-08-20T10:14:27");
    /* the outgoing list: same layout, blanks instead of tabs */
    const char *out = "987654321   WS-22   01-03-2024 08:00:00   01-03-2024 08:30:00   admin   FileTransfer   {0}\n";
    parse_mem(RMMLOG_TEAMVIEWER_OUTGOING, out, strlen(out), &rs);
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(rs.r[0].dir, RMMLOG_DIR_OUTGOING);
    cr_assert_str_eq(rs.r[0].user, "admin");
    cr_assert_str_eq(rs.r[0].detail, "FileTransfer {0}");
}

Test(rmmlog, teamviewer_logfile)
{
    const char *log =
        "2024/06/28 20:23:30.100  3160  3604 S0   CommandHandlerRouting[19]::CreatePassiveSession()\n"
        "2024/06/28 20:23:31.000  3160  3604 S0   AuthenticationBlocker::Allocate: allocate ok for DyngateID 1349779002, attempt number 1\n"
        "2024/06/28 20:23:32.000  3160  3604 S0   UDPv4: punch received a=198.51.100.23:5938: (*)\n"
        "2024/06/28 20:23:37.280  3160  3604 S0   CPersistentParticipantManager::AddParticipant: [1651063400,876631011] type=6 name=Joe Doe | Pro IT Services\n"
        "2024/06/28 22:49:14.140  3160  3608 S0   CPersistentParticipantManager::RemoveParticipant: [1651063400,2002352381]\n"
        "2024/06/28 22:49:14.200  3160  3608 S0   TeamViewer 15.32.3.0 shutting down\n";
    recs rs;
    parse_mem(RMMLOG_TEAMVIEWER_LOG, log, strlen(log), &rs);
    cr_assert_eq(rs.n, 5);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_LOGIN_ATTEMPT);
    cr_assert_eq(rs.r[0].nid, 0);
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_LOGIN_ATTEMPT);
    cr_assert_str_eq(rs.r[1].ids[0], "1349779002");
    cr_assert_eq(rs.r[1].tz, RMMLOG_TZ_LOCAL);
    /* an unknown message still yields its address */
    cr_assert_eq(rs.r[2].event, RMMLOG_EV_LINE);
    cr_assert_str_eq(rs.r[2].addr[0].ip, "198.51.100.23");
    cr_assert_eq(rs.r[2].addr[0].port, 5938);
    cr_assert_str_eq(rs.r[2].time, "2024-06-28T20:23:32.000");
    const rmmlog_rec *c = &rs.r[3];
    cr_assert_eq(c->event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(c->dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(c->ids[0], "1651063400");
    cr_assert_str_eq(c->remote_name, "Joe Doe | Pro IT Services");
    cr_assert_str_eq(c->detail, "participant type 6");
    cr_assert_str_eq(c->time, "2024-06-28T20:23:37.280");
    cr_assert_eq(rs.r[4].event, RMMLOG_EV_SESSION_END);
    cr_assert_str_eq(rs.r[4].ids[0], "1651063400");
}

/* From fuzz-rmmlog: a participant bracket without digits gives no ID. */
Test(rmmlog, teamviewer_participant_without_id)
{
    const char *log = "2024/06/28 22:49:14.140  3160  3608 S0   CPersistentParticipantManager::RemoveParticipant: [,x]\n"
                      "2024/06/28 22:49:15.000  3160  3608 S0   AuthenticationBlocker::Allocate: for DyngateID , attempt\n";
    recs rs;
    parse_mem(RMMLOG_TEAMVIEWER_LOG, log, strlen(log), &rs);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_SESSION_END);
    cr_assert_eq(rs.r[0].nid, 0);
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_LOGIN_ATTEMPT);
    cr_assert_eq(rs.r[1].nid, 0);
}

static rmmlog_rec scan(const char *line)
{
    rmmlog_rec r;
    memset(&r, 0, sizeof r);
    rmmlog_scan_line(line, strlen(line), &r);
    return r;
}

/* One line of an unknown layout and what the scanner must find in it. */
typedef struct scan_case {
    const char *line, *time;
    size_t naddr;
    const char *ip[2];
    uint16_t port[2];
    const char *addr_text;
    const char *id;
    size_t nfile;
    const char *file[2];
} scan_case;

static const scan_case scan_cases[] = {
    {"2024-03-01 10:22:33,123 [INFO] Session started from 203.0.113.45:52311 id 123456789",
     "2024-03-01T10:22:33.123", 1, {"203.0.113.45"}, {52311}, "203.0.113.45:52311", "123456789", 0, {NULL}},
    {"03/15/2024 02:05:07 PM Connection from [2001:db8::7]:443 user=bob file \"C:\\Temp\\loot.zip\"",
     "2024-03-15T14:05:07", 1, {"2001:db8::7"}, {443}, "[2001:db8::7]:443", NULL, 1, {"C:\\Temp\\loot.zip"}},
    {"15.03.2024 14:05:07 client 198.51.100.7 transferred 'report.xlsx' to %APPDATA%\\x\\y.bin.",
     "2024-03-15T14:05:07", 1, {"198.51.100.7"}, {0}, "198.51.100.7", NULL, 2,
     {"report.xlsx", "%APPDATA%\\x\\y.bin"}},
    /* RustDesk-style zone offset: converted to UTC */
    {"[2023-12-31 23:30:05.123456 -02:00] INFO [src/server/connection.rs:1] #7 Connection opened from 192.0.2.77:50111.",
     "2024-01-01T01:30:05.123456Z", 1, {"192.0.2.77"}, {50111}, "192.0.2.77:50111", NULL, 0, {NULL}},
    {"2024-05-02T08:00:00Z peer 192.0.2.78", "2024-05-02T08:00:00Z", 1, {"192.0.2.78"}, {0}, "192.0.2.78", NULL, 0,
     {NULL}},
    {"2024-05-02 08:00 +0530 peer 192.0.2.79", "2024-05-02T02:30Z", 1, {"192.0.2.79"}, {0}, "192.0.2.79", NULL, 0, {NULL}},
    /* a JSON payload in quotes is scanned inside, not taken as a file name */
    {"2025-04-02 12:42:53.802 INFO Gui event: '{\"session\":\"7\",\"ip\":\"203.0.113.88\",\"link\":\"https://x.example/a\"}'",
     "2025-04-02T12:42:53.802", 1, {"203.0.113.88"}, {0}, "203.0.113.88", NULL, 0, {NULL}},
    /* a quoted, redacted address is not a file either */
    {"[5/20/2025 12:49:02 PM] Connecting - '192.168.0.xx' (RDP)", "2025-05-20T12:49:02", 0, {NULL}, {0}, "", NULL, 0,
     {NULL}},
    {"[28/09/2022 12:39:26] peer fe80::1c2d:3e4f:5a6b:7c8d ID 1234567890, then 2001:DB8:0:0:0:0:0:1.",
     "2022-09-28T12:39:26", 2, {"fe80::1c2d:3e4f:5a6b:7c8d", "2001:db8::1"}, {0, 0}, "fe80::1c2d:3e4f:5a6b:7c8d",
     "1234567890", 0, {NULL}},
};

Test(rmmlog, generic_scanner_on_unknown_layouts)
{
    for (size_t c = 0; c < sizeof scan_cases / sizeof scan_cases[0]; c++) {
        const scan_case *k = &scan_cases[c];
        rmmlog_rec r = scan(k->line);
        cr_assert_str_eq(r.time, k->time, "case %zu", c);
        cr_assert_eq(r.tz, k->time[strlen(k->time) - 1] == 'Z' ? RMMLOG_TZ_UTC : RMMLOG_TZ_UNKNOWN, "case %zu", c);
        cr_assert_eq(r.naddr, k->naddr, "case %zu", c);
        for (size_t i = 0; i < k->naddr; i++) {
            cr_assert_str_eq(r.addr[i].ip, k->ip[i], "case %zu", c);
            cr_assert_eq(r.addr[i].port, k->port[i], "case %zu", c);
        }
        cr_assert_str_eq(r.addr[0].text, k->addr_text, "case %zu", c);
        cr_assert_eq(r.nid, k->id ? 1 : 0, "case %zu", c);
        if (k->id)
            cr_assert_str_eq(r.ids[0], k->id, "case %zu", c);
        cr_assert_eq(r.nfile, k->nfile, "case %zu", c);
        for (size_t i = 0; i < k->nfile; i++)
            cr_assert_str_eq(r.files[i], k->file[i], "case %zu", c);
    }
    rmmlog_rec r;
    /* not addresses, not IDs */
    r = scan("TeamViewer version 15.32.3.1 at 12:39:26 mac aa:bb:cc:dd:ee:ff pid 4628 n 1234567890123 "
             "ratio 3.141592653 v1.2.3.4 mask 255.255.255.0 neg -1234567890 when 1664368766.5");
    cr_assert_eq(r.naddr, 0);
    cr_assert_eq(r.nid, 0);
    cr_assert_eq(r.nfile, 0);
    cr_assert_str_eq(r.time, "");
    cr_assert_not(rmmlog_scan_line("nothing here at all", 19, &r));

    /* repeated values are kept once; at most RMMLOG_ITEMS each */
    r = scan("10.0.0.1 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 111111111 111111111");
    cr_assert_eq(r.naddr, RMMLOG_ITEMS);
    cr_assert_str_eq(r.addr[3].ip, "10.0.0.4");
    cr_assert_eq(r.nid, 1);
}

/* From fuzz-rmmlog: a value exactly as long as its field, at the very end
 * of the input (read one byte too far before the fix), and a cut inside a
 * UTF-8 sequence. */
Test(rmmlog, values_filling_their_field_at_end_of_input)
{
    size_t n = 3 + 256;
    char *line = malloc(n);
    memcpy(line, "C:\\", 3);
    memset(line + 3, 'a', 256);
    rmmlog_rec r;
    memset(&r, 0, sizeof r);
    cr_assert(rmmlog_scan_line(line, n, &r));
    cr_assert_eq(r.nfile, 1);
    cr_assert_eq(strlen(r.files[0]), 259);
    /* a two-byte character across the 259-byte limit: cut before it */
    line = realloc(line, 3 + 255 + 3);
    memset(line + 3, 'b', 255);
    memcpy(line + 3 + 255, "\xc3\xa9x", 3);
    memset(&r, 0, sizeof r);
    rmmlog_scan_line(line, 3 + 255 + 3, &r);
    cr_assert_eq(strlen(r.files[0]), 3 + 255);
    free(line);
}

Test(rmmlog, generic_parse_of_unknown_log)
{
    const char *log = "Zoho-like log\n"
                      "2024-05-02 11:00:00 | Viewer connected | 192.0.2.10:61000 | ID 8529637410\n"
                      "2024-05-02 11:05:00 | File sent | 'C:\\Users\\x\\Desktop\\passwords.txt'\n";
    recs rs;
    rmmlog_stats st = parse_mem(RMMLOG_GENERIC, log, strlen(log), &rs);
    cr_assert_eq(st.lines, 3);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_LINE);
    cr_assert_eq(rs.r[0].line, 2);
    cr_assert_str_eq(rs.r[0].addr[0].ip, "192.0.2.10");
    cr_assert_str_eq(rs.r[0].ids[0], "8529637410");
    cr_assert_str_eq(rs.r[1].files[0], "C:\\Users\\x\\Desktop\\passwords.txt");
    cr_assert_str_eq(rs.r[1].time, "2024-05-02T11:05:00");
}

/* UTF-16LE (with and without BOM) reads like the ASCII file. */
static gl_buf utf16(const char *s, bool bom)
{
    gl_buf b = {0};
    if (bom)
        gl_buf_append(&b, "\xff\xfe", 2);
    for (; *s; s++) {
        gl_buf_putc(&b, *s);
        gl_buf_putc(&b, '\0');
    }
    return b;
}

Test(rmmlog, utf16_input)
{
    for (int bom = 0; bom < 2; bom++) {
        gl_buf b = utf16("Incoming 2022-08-23, 10:23 Passwd 547911884 547911884\r\nIncoming 2022-09-28, 12:39 User abc 442226597", bom);
        recs rs;
        rmmlog_stats st = parse_mem(RMMLOG_ANYDESK_CONNECTIONS, b.data, b.len, &rs);
        cr_assert(st.utf16);
        cr_assert_eq(rs.n, 2);
        cr_assert_str_eq(rs.r[0].ids[0], "547911884");
        cr_assert_str_eq(rs.r[1].remote_name, "abc");
        cr_assert_str_eq(rs.r[1].ids[0], "442226597");
        gl_buf_free(&b);
    }
    /* non-ASCII and a surrogate pair decode to UTF-8 */
    static const char u[] = "\xff\xfe" "I\0n\0c\0o\0m\0i\0n\0g\0 \0" "2\0" "0\0" "2\0" "2\0-\0" "0\0" "8\0-\0" "2\0" "3\0,\0 \0"
                            "1\0" "0\0:\0" "2\0" "3\0 \0T\0o\0k\0e\0n\0 \0\xe9\0\x3d\xd8\x00\xde \0" "5\0" "4\0" "7\0"
                            "9\0" "1\0" "1\0" "8\0" "8\0" "4\0";
    recs rs;
    parse_mem(RMMLOG_ANYDESK_CONNECTIONS, u, sizeof u - 1, &rs);
    cr_assert_eq(rs.n, 1);
    cr_assert_str_eq(rs.r[0].remote_name, "\xc3\xa9\xf0\x9f\x98\x80");
    cr_assert_str_eq(rs.r[0].auth, "token");
}

Test(rmmlog, long_lines_are_cut_and_counted)
{
    gl_buf b = {0};
    for (int i = 0; i < 10000; i++)
        gl_buf_putc(&b, 'x');
    gl_buf_puts(&b, " 203.0.113.1\n2024-01-01 00:00:00 from 203.0.113.2\n");
    recs rs;
    rmmlog_stats st = parse_mem(RMMLOG_GENERIC, b.data, b.len, &rs);
    cr_assert_eq(st.lines, 2);
    cr_assert_eq(st.long_lines, 1);
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(rs.r[0].line, 2);
    cr_assert_str_eq(rs.r[0].addr[0].ip, "203.0.113.2");
    gl_buf_free(&b);
}

static int64_t failing_read(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err)
{
    static const char first[] = "Incoming 2022-08-23, 10:23 User 1 123456789\n";
    (void)ctx;
    if (off < sizeof first - 1) {
        size_t n = sizeof first - 1 - off < len ? sizeof first - 1 - (size_t)off : len;
        memcpy(buf, first + off, n);
        return (int64_t)n;
    }
    return gl_err_set(err, "read failed at %llu", (unsigned long long)off);
}

Test(rmmlog, reader_failure_is_reported_with_line)
{
    gl_reader r = {.ctx = NULL, .read_at = failing_read, .size = 1000, .name = "C:\\x\\connection_trace.txt"};
    recs rs = {0};
    gl_err err = {0};
    cr_assert_eq(rmmlog_parse(RMMLOG_ANYDESK_CONNECTIONS, &r, collect, &rs, NULL, &err), -1);
    cr_assert_eq(rs.n, 1);
    cr_assert_str_eq(err.msg, "C:\\x\\connection_trace.txt: line 2: read failed at 44");
}

static int stop_first(const rmmlog_rec *rec, void *ctx)
{
    (void)rec;
    (*(int *)ctx)++;
    return 1;
}

Test(rmmlog, callback_stops_parse_and_kind_names_round_trip)
{
    const char *t = "Incoming 2022-08-23, 10:23 User 123456789\nIncoming 2022-08-23, 10:24 User 123456780\n";
    gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, t, strlen(t), "x");
    int calls = 0;
    gl_err err = {0};
    cr_assert_eq(rmmlog_parse(RMMLOG_ANYDESK_CONNECTIONS, &r, stop_first, &calls, NULL, &err), 0);
    cr_assert_eq(calls, 1);
    for (int k = 0; k < RMMLOG_KIND_COUNT; k++) {
        rmmlog_kind back;
        cr_assert(rmmlog_kind_from_name(rmmlog_kind_name((rmmlog_kind)k), &back));
        cr_assert_eq(back, k);
    }
    rmmlog_kind back;
    cr_assert_not(rmmlog_kind_from_name("AnyDesk", &back));
    cr_assert_str_eq(rmmlog_event_name(RMMLOG_EV_FILE_TRANSFER), "file_transfer");
}

Test(rmmlog, screenconnect_launch_parameters)
{
    const char *img = "\"C:\\Program Files (x86)\\ScreenConnect Client (a1b2c3d4e5f60718)\\ScreenConnect.ClientService.exe\" "
                      "\"?e=Access&y=Guest&h=help.badcorp.example&p=8041&s=5f3c1a2e-0b1c-4d5e-8f90-123456789abc&k=BgIAAACk&t=&c=\"";
    rmmlog_rec r;
    cr_assert(rmmlog_screenconnect_params(img, strlen(img), &r));
    cr_assert_eq(r.event, RMMLOG_EV_CONFIG);
    cr_assert_str_eq(r.key, "relay");
    cr_assert_str_eq(r.value, "help.badcorp.example:8041");
    cr_assert_str_eq(r.remote_name, "help.badcorp.example");
    cr_assert_eq(r.naddr, 1);
    cr_assert_str_eq(r.addr[0].ip, "");
    cr_assert_str_eq(r.detail, "session type Access, session 5f3c1a2e-0b1c-4d5e-8f90-123456789abc");
    cr_assert(r.unattended);
    cr_assert_eq(r.dir, RMMLOG_DIR_OUTGOING);
    /* an IP relay validates; a Support session is attended */
    const char *ip = "ScreenConnect.ClientService.exe \"?e=Support&y=Guest&h=198.51.100.40&p=443&s=x\"";
    cr_assert(rmmlog_screenconnect_params(ip, strlen(ip), &r));
    cr_assert_str_eq(r.addr[0].ip, "198.51.100.40");
    cr_assert_eq(r.addr[0].port, 443);
    cr_assert_not(r.unattended);
    cr_assert_not(rmmlog_screenconnect_params("\"C:\\x\\y.exe\" --service", 23, &r));
    cr_assert_not(rmmlog_screenconnect_params("?e=Access&h=&p=1", 16, &r));
    /* from fuzz-rmmlog: a key at the very end of the input (read one past it before the fix) */
    char *end = malloc(11);
    memcpy(end, "-&Passwdo&h", 11);
    cr_assert_not(rmmlog_screenconnect_params(end, 11, &r));
    free(end);
}

/* RustDesk's own layout (flexi_logger opt_format, messages of
 * src/server/connection.rs and src/rendezvous_mediator.rs): the zone is
 * written, so times become UTC; the close line gets the address of its
 * connection number. */
Test(rmmlog, rustdesk_log_connections)
{
    const char *log = "[2026-11-12 23:57:36.418204 +02:00] INFO [src\\rendezvous_mediator.rs:148] start rendezvous mediator of 45.32.221.250:21116\n"
                      "[2026-11-12 21:57:36.418204 +00:00] DEBUG [src\\server\\connection.rs:1042] #1 Connection opened from 164.92.234.104:49822.\n"
                      "[2026-11-12 21:58:01.000001 +00:00] DEBUG [src\\server\\connection.rs:1042] #2 Connection opened from [2001:db8::5]:50100.\n"
                      "[2026-11-12 22:46:02.003998 +00:00] INFO [src\\server\\connection.rs:2480] #1 Connection closed: Peer close\n"
                      "[2026-11-12 22:46:03.000000 +00:00] INFO [src\\server\\connection.rs:2480] #7 Connection closed: Timeout\n"
                      "[2026-11-12 22:46:04.000000 +00:00] INFO [src\\server\\connection.rs:1] #x Connection opened from 1.2.3.4:5.\n"
                      "[2026-11-12 22:46:05 garbage\n"
                      /* a dual-stack listener shows IPv4 peers mapped into IPv6 */
                      "[2026-11-12 22:47:00.000000 +00:00] DEBUG [src\\server\\connection.rs:1042] #3 Connection opened from [::ffff:164.92.234.104]:50200.\n";
    recs rs;
    rmmlog_stats st = parse_mem(RMMLOG_RUSTDESK_LOG, log, strlen(log), &rs);
    cr_assert_eq(st.lines, 8);
    cr_assert_eq(rs.n, 7);
    cr_assert_str_eq(rs.r[6].addr[0].text, "[::ffff:164.92.234.104]:50200");
    cr_assert_str_eq(rs.r[6].addr[0].ip, "::ffff:164.92.234.104");
    cr_assert_eq(rs.r[6].addr[0].port, 50200);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_CONFIG);
    cr_assert_str_eq(rs.r[0].key, "rendezvous_server");
    cr_assert_str_eq(rs.r[0].value, "45.32.221.250:21116");
    cr_assert_str_eq(rs.r[0].time, "2026-11-12T21:57:36.418204Z");
    cr_assert_eq(rs.r[0].tz, RMMLOG_TZ_UTC);
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(rs.r[1].line, 2);
    cr_assert_eq(rs.r[1].dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(rs.r[1].time, "2026-11-12T21:57:36.418204Z");
    cr_assert_eq(rs.r[1].naddr, 1);
    cr_assert_str_eq(rs.r[1].addr[0].text, "164.92.234.104:49822");
    cr_assert_str_eq(rs.r[1].addr[0].ip, "164.92.234.104");
    cr_assert_eq(rs.r[1].addr[0].port, 49822);
    cr_assert_str_eq(rs.r[1].detail, "connection #1");
    cr_assert_str_eq(rs.r[2].addr[0].ip, "2001:db8::5");
    cr_assert_eq(rs.r[2].addr[0].port, 50100);
    cr_assert_eq(rs.r[3].event, RMMLOG_EV_SESSION_END);
    cr_assert_str_eq(rs.r[3].addr[0].ip, "164.92.234.104");
    cr_assert_str_eq(rs.r[3].detail, "connection #1 closed: Peer close");
    /* a close whose opening the log no longer holds: no address */
    cr_assert_eq(rs.r[4].event, RMMLOG_EV_SESSION_END);
    cr_assert_eq(rs.r[4].naddr, 0);
    /* "#x" is not a connection number: the generic scanner takes the line */
    cr_assert_eq(rs.r[5].event, RMMLOG_EV_LINE);
    cr_assert_str_eq(rs.r[5].addr[0].ip, "1.2.3.4");
}

Test(rmmlog, rustdesk_toml_settings)
{
    const char *cfg = "id = '502918374'\npassword = '00Zm9vYmFy'\nsalt = 'x7qk2m'\nenc_id = ''\n"
                      "rendezvous_server = '45.32.221.250:21116'\n\n[options]\n"
                      "custom-rendezvous-server = '45.32.221.250'\nrelay-server = \"45.32.221.250\"\n"
                      "direct-server = 'Y'\nverification-method = 'use-permanent-password'\napprove-mode = 'password'\n"
                      "whitelist = ''\nstop-service = 'N'\nkey = 'abc\n";
    recs rs;
    parse_mem(RMMLOG_RUSTDESK_CONF, cfg, strlen(cfg), &rs);
    cr_assert_eq(rs.n, 8);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_LOCAL_ID);
    cr_assert_str_eq(rs.r[0].ids[0], "502918374");
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_CONFIG);
    cr_assert_str_eq(rs.r[1].key, "password");
    cr_assert_str_eq(rs.r[1].value, "set");
    cr_assert(rs.r[1].unattended);
    cr_assert_eq(rs.r[1].line, 2);
    cr_assert_str_eq(rs.r[2].key, "rendezvous_server");
    cr_assert_str_eq(rs.r[2].remote_name, "45.32.221.250:21116");
    cr_assert_not(rs.r[2].unattended);
    cr_assert_str_eq(rs.r[3].key, "custom-rendezvous-server");
    cr_assert_str_eq(rs.r[4].key, "relay-server");
    cr_assert_str_eq(rs.r[4].value, "45.32.221.250");
    cr_assert_str_eq(rs.r[5].key, "direct-server");
    cr_assert_str_eq(rs.r[5].detail, "direct IP access enabled (TCP 21118)");
    cr_assert_str_eq(rs.r[6].key, "verification-method");
    cr_assert(rs.r[6].unattended);
    cr_assert_str_eq(rs.r[7].key, "approve-mode");
    cr_assert_not(rs.r[7].unattended);
    /* an empty password, direct-server other than 'Y': nothing */
    const char *off = "password = ''\ndirect-server = 'N'\n";
    parse_mem(RMMLOG_RUSTDESK_CONF, off, strlen(off), &rs);
    cr_assert_eq(rs.n, 0);
}

/* Messages as the public write-ups show them (first line the event, the
 * version trailer after a blank line). */
Test(rmmlog, screenconnect_application_events)
{
    rmmlog_rec r;
    const char *con = "Cloud Account Administrator Connected\r\n\r\nVersion: 23.9.8.8811\r\n"
                      "Executable Path: C:\\Program Files (x86)\\ScreenConnect Client (a1b2c3d4e5f60718)\\ScreenConnect.ClientService.exe\r\n";
    cr_assert(rmmlog_screenconnect_event(con, strlen(con), &r));
    cr_assert_eq(r.event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(r.dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(r.user, "Cloud Account Administrator");
    const char *dis = "Cloud Account Administrator Disconnected\n\nVersion: 23.9.8.8811\n";
    cr_assert(rmmlog_screenconnect_event(dis, strlen(dis), &r));
    cr_assert_eq(r.event, RMMLOG_EV_SESSION_END);
    cr_assert_str_eq(r.user, "Cloud Account Administrator");
    const char *ft = "Transferred files with action 'Transfer':\nsvchost64.exe\nC:\\Users\\Public\\rclone.conf\n\n"
                     "Version: 23.9.8.8811\nExecutable Path: C:\\x\\ScreenConnect.ClientService.exe\n";
    cr_assert(rmmlog_screenconnect_event(ft, strlen(ft), &r));
    cr_assert_eq(r.event, RMMLOG_EV_FILE_TRANSFER);
    cr_assert_eq(r.nfile, 2);
    cr_assert_str_eq(r.files[0], "svchost64.exe");
    cr_assert_str_eq(r.files[1], "C:\\Users\\Public\\rclone.conf");
    cr_assert_str_eq(r.detail, "action Transfer, 2 files");
    /* a name on the first line, no trailer, more names than a record holds */
    const char *one = "Transferred files with action 'Transfer': a.exe\nb\nc\nd\ne\nf";
    cr_assert(rmmlog_screenconnect_event(one, strlen(one), &r));
    cr_assert_eq(r.nfile, RMMLOG_ITEMS);
    cr_assert_str_eq(r.files[0], "a.exe");
    cr_assert_str_eq(r.detail, "action Transfer, 6 files");
    const char *cmd = "Executed command of length: 212\n\nVersion: 23.9.8.8811\n";
    cr_assert(rmmlog_screenconnect_event(cmd, strlen(cmd), &r));
    cr_assert_eq(r.event, RMMLOG_EV_LINE);
    cr_assert_str_eq(r.detail, "Executed command of length: 212");
    cr_assert_not(rmmlog_screenconnect_event("Service started", 15, &r));
    cr_assert_not(rmmlog_screenconnect_event("\nConnected", 10, &r));
    cr_assert_not(rmmlog_screenconnect_event(" Connected", 10, &r) && r.user[0]);
    cr_assert_not(rmmlog_screenconnect_event("", 0, &r));
}

/* A peer file (config\peers\<id>.toml): the peer this host connected to,
 * as it described itself, and its unfinished transfer jobs. */
Test(rmmlog, rustdesk_peer_file)
{
    const char *peer = "password = []\nsize = [0, 0, 0, 0]\nview_style = 'original'\n\n[options]\ncodec-preference = 'auto'\n\n"
                       "[info]\nusername = 'Administrator'\nhostname = 'FS02'\nplatform = 'Windows'\n\n[transfer]\n"
                       "write_jobs = ['{\"id\":7,\"remote\":\"D:\\\\Finance\\\\q4.xlsx\",\"to\":\"C:\\\\Users\\\\Public\\\\q4.xlsx\",\"show_hidden\":false,\"file_num\":0,\"is_remote\":true}', "
                       "'{\"id\":8,\"remote\":\"D:\\\\x\",\"to\":\"\",\"is_remote\":false}']\n"
                       "read_jobs = []\n";
    gl_mem_reader m;
    gl_reader r = gl_reader_memory(&m, peer, strlen(peer), "C:\\Users\\jdoe\\AppData\\Roaming\\RustDesk\\config\\peers\\731904466.toml");
    gl_err err = {0};
    recs rs;
    memset(&rs, 0, sizeof rs);
    cr_assert_eq(rmmlog_parse(RMMLOG_RUSTDESK_PEER, &r, collect, &rs, NULL, &err), 0);
    cr_assert_eq(rs.n, 3);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(rs.r[0].dir, RMMLOG_DIR_OUTGOING);
    cr_assert_eq(rs.r[0].line, 8);
    cr_assert_str_eq(rs.r[0].ids[0], "731904466");
    cr_assert_str_eq(rs.r[0].user, "Administrator");
    cr_assert_str_eq(rs.r[0].remote_name, "FS02");
    cr_assert_str_eq(rs.r[0].detail, "peer this host connected to, platform Windows");
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_FILE_TRANSFER);
    cr_assert_eq(rs.r[1].nfile, 2);
    cr_assert_str_eq(rs.r[1].files[0], "D:\\Finance\\q4.xlsx");
    cr_assert_str_eq(rs.r[1].files[1], "C:\\Users\\Public\\q4.xlsx");
    cr_assert_str_eq(rs.r[1].detail, "unfinished transfer job (source on the peer)");
    cr_assert_str_eq(rs.r[2].files[0], "D:\\x");
    cr_assert_eq(rs.r[2].nfile, 1);
    cr_assert_str_eq(rs.r[2].detail, "unfinished transfer job (destination on the peer)");
    /* a peer reached by address; [info] last in the file; an unterminated job */
    const char *ip = "[info]\nhostname = 'nas'\n[transfer]\nwrite_jobs = ['{\"remote\":\"C:\\\\a";
    r = gl_reader_memory(&m, ip, strlen(ip), "peers/192.168.7.20.toml");
    memset(&rs, 0, sizeof rs);
    cr_assert_eq(rmmlog_parse(RMMLOG_RUSTDESK_PEER, &r, collect, &rs, NULL, &err), 0);
    cr_assert_eq(rs.n, 1);
    cr_assert_str_eq(rs.r[0].addr[0].ip, "192.168.7.20");
    cr_assert_str_eq(rs.r[0].remote_name, "nas");
    const char *tail = "[info]\nusername = 'u'\n";
    r = gl_reader_memory(&m, tail, strlen(tail), "peers/123456789.toml");
    memset(&rs, 0, sizeof rs);
    cr_assert_eq(rmmlog_parse(RMMLOG_RUSTDESK_PEER, &r, collect, &rs, NULL, &err), 0);
    cr_assert_eq(rs.n, 1);
    cr_assert_str_eq(rs.r[0].user, "u");
}

/* Splashtop Streamer events: the values are read by their shape, whatever
 * their position or (unpublished) names. */
Test(rmmlog, splashtop_events_read_by_shape)
{
    rmmlog_rec r;
    const rmmlog_field team[] = {{"", "Streamer added to team"}, {"", "ops.team@example.org."}};
    cr_assert(rmmlog_splashtop_event(200, team, 2, &r));
    cr_assert_eq(r.event, RMMLOG_EV_CONFIG);
    cr_assert_str_eq(r.key, "splashtop_team_account");
    cr_assert_str_eq(r.value, "ops.team@example.org");
    cr_assert_str_eq(r.detail, "streamer added to the Splashtop team of ops.team@example.org");
    cr_assert(r.unattended);
    const rmmlog_field none[] = {{"", "Streamer added to team"}};
    cr_assert(rmmlog_splashtop_event(200, none, 1, &r));
    cr_assert_str_eq(r.value, "(account not in the event)");
    /* named fields: the session and the technician's machine; a 10-digit
     * counter is not a remote ID, an address with a port is kept */
    const rmmlog_field start[] = {{"SessionId", "9f3a"},
                                  {"ClientHostName", "TECH-PC"},
                                  {"Account", "a.b@corp.example.com"},
                                  {"Peer", "203.0.113.7:443 after 1234567890 tries"}};
    cr_assert(rmmlog_splashtop_event(1000, start, 4, &r));
    cr_assert_eq(r.event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(r.dir, RMMLOG_DIR_INCOMING);
    cr_assert_str_eq(r.user, "a.b@corp.example.com");
    cr_assert_str_eq(r.remote_name, "TECH-PC");
    cr_assert_str_eq(r.detail, "remote session started, session 9f3a");
    cr_assert_str_eq(r.key, "");
    cr_assert_eq(r.nid, 0);
    cr_assert_eq(r.naddr, 1);
    cr_assert_str_eq(r.addr[0].ip, "203.0.113.7");
    cr_assert_eq(r.addr[0].port, 443);
    cr_assert_str_eq(r.time, "");
    const rmmlog_field ft[] = {{"", "File transfer"}, {"", "C:\\Users\\Public\\loot.7z"}, {"FileName", "notes.txt"}};
    cr_assert(rmmlog_splashtop_event(1101, ft, 3, &r));
    cr_assert_eq(r.event, RMMLOG_EV_FILE_TRANSFER);
    cr_assert_eq(r.nfile, 2);
    cr_assert_str_eq(r.files[0], "C:\\Users\\Public\\loot.7z");
    cr_assert_str_eq(r.files[1], "notes.txt");
    cr_assert_str_eq(r.detail, "file transferred in a remote session (2 file names)");
    const rmmlog_field init[] = {{"", "x@y"}, {"", "@example.com"}, {"", "user@host.c0m"}};
    cr_assert(rmmlog_splashtop_event(300, init, 3, &r));
    cr_assert_eq(r.event, RMMLOG_EV_LOGIN_ATTEMPT);
    cr_assert_str_eq(r.user, "", "no e-mail address in %s", r.user);
    cr_assert_str_eq(r.detail, "connection to the streamer initiated");
    cr_assert_not(rmmlog_splashtop_event(1001, init, 3, &r));
    cr_assert(rmmlog_splashtop_event(1000, NULL, 0, &r));
}

/* Zoho Assist: lines are in local time; the unattended agent's log says
 * persistent access is installed (once, dated by its first line); a
 * session audit report bounds one session and lists its foreground
 * windows. */
Test(rmmlog, zoho_logs_local_time_unattended_agent_and_session_audit)
{
    recs rs;
    const char *conn = "2026-11-11 03:12:05 INFO Connecting to gateway.zohoassist.com 203.0.113.9:443\n"
                       "2026-11-11 03:12:07 INFO Session established\n";
    rmmlog_stats st = parse_mem(RMMLOG_ZOHO_LOG, conn, strlen(conn), &rs);
    cr_assert_eq(st.lines, 2);
    cr_assert_eq(rs.n, 1);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_LINE);
    cr_assert_eq(rs.r[0].tz, RMMLOG_TZ_LOCAL);
    cr_assert_str_eq(rs.r[0].time, "2026-11-11T03:12:05");
    cr_assert_str_eq(rs.r[0].addr[0].ip, "203.0.113.9");
    parse_mem(RMMLOG_ZOHO_UNATTENDED, conn, strlen(conn), &rs);
    cr_assert_eq(rs.n, 2);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_CONFIG);
    cr_assert(rs.r[0].unattended);
    cr_assert_str_eq(rs.r[0].key, "unattended_agent");
    cr_assert_str_eq(rs.r[0].time, "2026-11-11T03:12:05");
    cr_assert_eq(rs.r[0].naddr, 0);
    cr_assert_eq(rs.r[1].event, RMMLOG_EV_LINE);
    cr_assert_not(rs.r[1].unattended);
    const char *audit = "Session Audit Report\n"
                        "[11-11-2026 03:12:40] Windows PowerShell\n"
                        "11-11-2026 03:14:02 | File Explorer - \\\\fs02\\finance\n"
                        "11-11-2026 03:20:51 - WinRAR\n";
    parse_mem(RMMLOG_ZOHO_SESSION_AUDIT, audit, strlen(audit), &rs);
    cr_assert_eq(rs.n, 4);
    cr_assert_eq(rs.r[0].event, RMMLOG_EV_LINE);
    cr_assert_str_eq(rs.r[0].time, "2026-11-11T03:12:40");
    cr_assert_str_eq(rs.r[0].detail, "foreground in the session: Windows PowerShell");
    cr_assert_str_eq(rs.r[1].detail, "foreground in the session: File Explorer - \\\\fs02\\finance");
    cr_assert_eq(rs.r[2].line, 4);
    cr_assert_eq(rs.r[3].event, RMMLOG_EV_CONNECTION);
    cr_assert_eq(rs.r[3].dir, RMMLOG_DIR_INCOMING);
    cr_assert_eq(rs.r[3].tz, RMMLOG_TZ_LOCAL);
    cr_assert_eq(rs.r[3].line, 2);
    cr_assert_str_eq(rs.r[3].time, "2026-11-11T03:12:40");
    cr_assert_str_eq(rs.r[3].time_end, "2026-11-11T03:20:51");
    cr_assert_str_eq(rs.r[3].detail, "remote session (session audit report, 3 foreground windows)");
    /* no dated entry: no session */
    parse_mem(RMMLOG_ZOHO_SESSION_AUDIT, "Session Audit Report\n", 21, &rs);
    cr_assert_eq(rs.n, 0);
    rmmlog_kind k;
    cr_assert(rmmlog_kind_from_name("zoho-session-audit", &k));
    cr_assert_eq(k, RMMLOG_ZOHO_SESSION_AUDIT);
}

/* gleaner evtx dump: event logs as JSON Lines, one event per line, for
 * analysts and the benchmark. Errors and EventRecordID gaps go to stderr.
 * Reads with pread through a gl_reader so the parser stays portable. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "evtx.h"

static const char usage_text[] =
    "usage: gleaner evtx dump [options] FILE...\n"
    "\n"
    "Print every event of each EVTX file as one JSON object per line with the keys\n"
    "Provider, EventID, Version, Level, Task, Opcode, Keywords, TimeCreated,\n"
    "EventRecordID, ProcessID, ThreadID, Channel, Computer, UserID, EventData,\n"
    "UserData, recovered (and Xml with --xml). Records recovered from damaged\n"
    "chunks or slack space follow the live ones with \"recovered\":true.\n"
    "Parse errors and gaps in EventRecordID are reported on stderr.\n"
    "\n"
    "options:\n"
    "  --id LIST        only these event IDs (comma-separated, e.g. 4624,4625)\n"
    "  --channel NAME   only this channel (case-insensitive)\n"
    "  --xml            add the rendered event XML as \"Xml\"\n"
    "  --no-recover     live records only: no carving of slack or damaged chunks\n"
    "  -h, --help       this text\n"
    "\n"
    "exit status: 0 all files parsed cleanly, 1 output produced but some data was\n"
    "damaged or a file could not be read, 2 usage error, 3 no file could be read.\n";

typedef struct fd_ctx {
    int fd;
} fd_ctx;

static int64_t fd_read_at(void *ctx, uint64_t off, void *buf, size_t len, gl_err *err)
{
    fd_ctx *c = ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(c->fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return gl_err_errno(err, "read at offset %" PRIu64, off + done);
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (int64_t)done;
}

static int parse_ids(const char *s, uint32_t **ids, size_t *n)
{
    *n = 0;
    *ids = NULL;
    const char *p = s;
    while (*p) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v > 0xffff || (*end && *end != ','))
            return -1;
        *ids = realloc(*ids, (*n + 1) * sizeof **ids);
        if (!*ids)
            return -1;
        (*ids)[(*n)++] = (uint32_t)v;
        p = *end ? end + 1 : end;
    }
    return *n ? 0 : -1;
}

typedef struct dump_opts {
    uint32_t *ids;
    size_t nids;
    const char *channel;
    bool xml;
    bool no_recover;
} dump_opts;

#define OUT_FLUSH (1u << 20)

static void flush_out(gl_buf *out)
{
    if (out->len)
        fwrite(out->data, 1, out->len, stdout);
    gl_buf_clear(out);
}

static void report(evtx_file *f, const char *path)
{
    size_t ne = evtx_error_count(f);
    for (size_t i = 0; i < ne; i++)
        fprintf(stderr, "gleaner evtx: error: %s\n", evtx_error(f, i));
    if (evtx_error_total(f) > ne)
        fprintf(stderr, "gleaner evtx: %zu more errors not shown\n", evtx_error_total(f) - ne);
    size_t ng;
    const evtx_gap *g = evtx_gaps(f, &ng);
    for (size_t i = 0; i < ng; i++)
        fprintf(stderr,
                "gleaner evtx: gap: %s: EventRecordID %" PRIu64 "..%" PRIu64 " missing (%" PRIu64
                " records) before chunk %" PRIu64 " offset 0x%" PRIx64 "\n",
                path, g[i].first_missing, g[i].last_missing, g[i].last_missing - g[i].first_missing + 1,
                g[i].chunk_index, g[i].file_offset);
}

/* Returns 0 clean, 1 damaged, -1 unreadable. */
static int dump_file(const char *path, const dump_opts *o, gl_buf *out)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "gleaner evtx: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "gleaner evtx: %s: not a regular file\n", path);
        close(fd);
        return -1;
    }
    fd_ctx ctx = {fd};
    gl_reader r = {.ctx = &ctx, .read_at = fd_read_at, .size = (uint64_t)st.st_size, .name = path};
    evtx_options eo = {.no_recover = o->no_recover};
    gl_err err = {0};
    evtx_file *f = evtx_open(&r, &eo, &err);
    if (!f) {
        fprintf(stderr, "gleaner evtx: %s\n", err.msg);
        close(fd);
        return -1;
    }
    if (o->nids)
        evtx_filter_ids(f, o->ids, o->nids);
    if (o->channel)
        evtx_filter_channel(f, o->channel);
    const evtx_event *ev;
    gl_json j;
    int rc;
    while ((rc = evtx_next(f, &ev, &err)) == 1) {
        gl_json_init(&j, out);
        evtx_event_json(f, ev, &j, o->xml ? EVTX_JSON_XML : 0);
        gl_buf_putc(out, '\n');
        if (out->len >= OUT_FLUSH)
            flush_out(out);
    }
    flush_out(out);
    int result = evtx_error_total(f) ? 1 : 0;
    if (rc < 0) {
        fprintf(stderr, "gleaner evtx: %s\n", err.msg);
        result = 1;
    }
    report(f, path);
    evtx_close(f);
    close(fd);
    return result;
}

static int dump_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"id", required_argument, 0, 'i'}, {"channel", required_argument, 0, 'c'},
        {"xml", no_argument, 0, 'x'},      {"no-recover", no_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},     {0, 0, 0, 0},
    };
    dump_opts o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            free(o.ids);
            if (parse_ids(optarg, &o.ids, &o.nids) < 0) {
                fprintf(stderr, "gleaner evtx dump: --id takes a comma-separated list of numbers 0..65535\n");
                free(o.ids);
                return GL_EXIT_USAGE;
            }
            break;
        case 'c': o.channel = optarg; break;
        case 'x': o.xml = true; break;
        case 'n': o.no_recover = true; break;
        case 'h':
            fputs(usage_text, stdout);
            free(o.ids);
            return GL_EXIT_OK;
        default:
            fputs(usage_text, stderr);
            free(o.ids);
            return GL_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage_text, stderr);
        free(o.ids);
        return GL_EXIT_USAGE;
    }
    static char iobuf[1 << 16];
    setvbuf(stdout, iobuf, _IOFBF, sizeof iobuf);
    gl_buf out = {0};
    int ok = 0, damaged = 0, failed = 0;
    for (int i = optind; i < argc; i++) {
        int r = dump_file(argv[i], &o, &out);
        if (r < 0)
            failed++;
        else if (r > 0)
            damaged++;
        else
            ok++;
    }
    fflush(stdout);
    gl_buf_free(&out);
    free(o.ids);
    if (ok + damaged == 0)
        return GL_EXIT_FATAL;
    return failed || damaged ? GL_EXIT_PARTIAL : GL_EXIT_OK;
}

int gl_cmd_evtx(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? GL_EXIT_USAGE : GL_EXIT_OK;
    }
    if (!strcmp(argv[1], "dump"))
        return dump_main(argc - 1, argv + 1);
    fprintf(stderr, "gleaner evtx: unknown subcommand '%s'\n\n%s", argv[1], usage_text);
    return GL_EXIT_USAGE;
}

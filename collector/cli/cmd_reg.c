/* gleaner reg dump: a hive as JSON Lines, one key per line. An analyst tool
 * on one file, so it maps the file named on the command line rather than
 * reading through a source. The rendering is regf_json's; this is options,
 * files, stderr status and exit codes. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "mapfile.h"
#include "regf.h"
#include "regf_json.h"

/* Small enough to stay in cache: a bigger buffer only adds page faults. */
#define OUT_FLUSH (64u << 10)

static const char usage_text[] =
    "usage: gleaner reg dump [options] HIVE [KEYPATH]\n"
    "\n"
    "Print every key of a registry hive (or of the subtree at KEYPATH, relative\n"
    "to the root, '\\'-separated, case-insensitive) as JSON Lines:\n"
    "  {\"path\", \"last_write\", \"deleted\", \"class\", \"owner\",\n"
    "   \"values\": [{\"name\", \"type\", \"data\", \"deleted\"}]}\n"
    "Deleted keys and values add \"recovered_from\": free_cell, unreferenced (an\n"
    "allocated cell nothing references) or remnant (after the last hive bin).\n"
    "Keys of a layered hive add \"layer\" (tombstone, supersede_local,\n"
    "supersede_tree) and \"inherit_class\"; tombstone values \"tombstone\":true.\n"
    "Strings are strings, REG_MULTI_SZ an array, DWORD/QWORD numbers, anything\n"
    "else lowercase hex. Recovery status and parse errors go to stderr.\n"
    "\n"
    "options:\n"
    "  --deleted include|exclude|only  deleted keys/values (default include)\n"
    "  --logs auto|none     replay HIVE.LOG1/HIVE.LOG2 (or HIVE.LOG) found next to\n"
    "                       HIVE (any case) when the hive is dirty (default auto)\n"
    "  --log1 FILE, --log2 FILE   use these transaction logs instead\n"
    "  --raw                add \"raw\" (hex of the stored bytes) to every value\n"
    "  --max-size BYTES     refuse larger hives (default 1073741824)\n"
    "  -h, --help           this text\n"
    "\n"
    "exit status: 0 complete, 1 output produced but the hive had errors,\n"
    "2 usage, 3 the hive could not be read at all.\n";

/* A file named on the command line, as a reader over its mapping. */
typedef struct loaded {
    gl_mapfile mf;
    gl_mem_reader mem;
    gl_reader r;
} loaded;

/* The mapping must outlive the hive: regf reads a clean hive in place (a
 * dirty one is copied before its logs are replayed). */
static bool load(loaded *l, const char *path, uint64_t cap)
{
    gl_err err = {0};
    if (gl_mapfile_open(&l->mf, path, cap, &err) != 0) {
        if (err.code == GL_ERR_LIMIT)
            fprintf(stderr, "gleaner reg: %s: hive is %" PRIu64 " bytes, over the %" PRIu64
                    "-byte limit (raise --max-size)\n", path, l->mf.size, cap);
        else
            fprintf(stderr, "gleaner reg: %s\n", err.msg);
        gl_mapfile_close(&l->mf);
        return false;
    }
    l->r = gl_reader_memory(&l->mem, l->mf.data, l->mf.len, path);
    return true;
}

/* An empty or unread log is no log. */
static const gl_reader *log_reader(const loaded *l) { return l->mf.len ? &l->r : NULL; }

static void write_out(void *ctx, const char *data, size_t len) { fwrite(data, 1, len, ctx); }

static void print_status(regf_hive *h, const char *hive, bool logs_found)
{
    const regf_info *in = regf_get_info(h);
    fprintf(stderr, "gleaner reg: %s: regf %" PRIu32 ".%" PRIu32 ", sequence %" PRIu32 "/%" PRIu32 "%s%s\n", hive,
            in->major, in->minor, in->seq_primary, in->seq_secondary, in->dirty ? " (dirty)" : " (clean)",
            in->checksum_ok ? "" : ", base block checksum bad");
    if (in->recovery_applied && in->log_format == REGF_LOG_NEW)
        fprintf(stderr, "gleaner reg: %s: recovery applied from %s (new format): %" PRIu32 " log entries, %" PRIu32
                " pages%s; sequence now %" PRIu32 "\n",
                hive, in->logs_used, in->log_entries, in->log_pages,
                in->checksum_ok ? "" : ", base block taken from the log", in->seq_recovered);
    if (in->recovery_applied && in->partial_reconcile)
        fprintf(stderr, "gleaner reg: %s: partial-reconcile rule used: the logs start at sequence %" PRIu32
                ", above the hive's %" PRIu32 "; entries of %s applied in sequence order\n",
                hive, in->log_first_seq, in->seq_secondary, in->logs_used);
    else if (in->recovery_applied && in->log_format == REGF_LOG_OLD)
        fprintf(stderr, "gleaner reg: %s: recovery applied from %s (old format): %" PRIu32 " dirty 512-byte pages%s; "
                "sequence now %" PRIu32 "\n",
                hive, in->logs_used, in->log_pages, in->checksum_ok ? "" : ", base block taken from the log",
                in->seq_recovered);
    else if (!in->recovery_applied && in->dirty)
        fprintf(stderr, "gleaner reg: %s: dirty hive read without log replay (%s); recent changes may be missing\n",
                hive, logs_found ? "logs held nothing applicable" : "no logs used");
    size_t ne = regf_error_count(h);
    for (size_t i = 0; i < ne && i < REGF_MAX_ERRORS; i++)
        fprintf(stderr, "gleaner reg: error: %s\n", regf_error(h, i));
    if (ne > REGF_MAX_ERRORS)
        fprintf(stderr, "gleaner reg: %zu more errors not shown\n", ne - REGF_MAX_ERRORS);
}

typedef struct dump_args {
    regf_options ro;
    regf_json_del deleted;
    bool raw;
    const char *log1, *log2;
    const char *hive, *keypath;
} dump_args;

/* Returns -1 when the options are good, else the exit status. */
static int parse_args(int argc, char **argv, dump_args *a)
{
    static const struct option opts[] = {
        {"deleted", required_argument, 0, 'd'}, {"logs", required_argument, 0, 'l'},
        {"log1", required_argument, 0, '1'},    {"log2", required_argument, 0, '2'},
        {"raw", no_argument, 0, 'r'},           {"max-size", required_argument, 0, 'm'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    regf_options_init(&a->ro);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (!strcmp(optarg, "include"))
                a->deleted = REGF_JSON_DEL_INCLUDE;
            else if (!strcmp(optarg, "exclude"))
                a->deleted = REGF_JSON_DEL_EXCLUDE;
            else if (!strcmp(optarg, "only"))
                a->deleted = REGF_JSON_DEL_ONLY;
            else {
                fprintf(stderr, "gleaner reg dump: --deleted takes include, exclude or only\n");
                return GL_EXIT_USAGE;
            }
            break;
        case 'l':
            if (strcmp(optarg, "auto") && strcmp(optarg, "none")) {
                fprintf(stderr, "gleaner reg dump: --logs takes auto or none\n");
                return GL_EXIT_USAGE;
            }
            a->ro.logs = !strcmp(optarg, "auto") ? REGF_LOGS_AUTO : REGF_LOGS_NONE;
            break;
        case '1':
            a->log1 = optarg;
            break;
        case '2':
            a->log2 = optarg;
            break;
        case 'r':
            a->raw = true;
            break;
        case 'm': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || !v) {
                fprintf(stderr, "gleaner reg dump: --max-size takes a positive number of bytes\n");
                return GL_EXIT_USAGE;
            }
            a->ro.max_hive_size = v;
            break;
        }
        case 'h':
            fputs(usage_text, stdout);
            return GL_EXIT_OK;
        default:
            fputs(usage_text, stderr);
            return GL_EXIT_USAGE;
        }
    }
    if (optind >= argc || argc - optind > 2) {
        fputs(usage_text, stderr);
        return GL_EXIT_USAGE;
    }
    a->hive = argv[optind];
    a->keypath = optind + 1 < argc ? argv[optind + 1] : "";
    a->ro.recover_deleted = a->deleted != REGF_JSON_DEL_EXCLUDE;
    a->ro.in_place = true; /* the mappings outlive the hive */
    return -1;
}

/* What the dump holds when it ends is not freed: the process exits right
 * after, and freeing the hive's memory block by block cost more than the
 * exit's one teardown of the address space (each munmap of populated
 * memory takes 30-70 us on the reference VM, and a hive dump made 31).
 * Kept reachable from here, it is not a leak to LeakSanitizer. */
static struct {
    loaded hive, log1, log2;
    char *log1_path, *log2_path;
    regf_hive *h;
    regf_json rj;
    gl_buf line;
} left_for_exit;

/* The whole hive (or KEYPATH's subtree) to stdout; returns the exit status. */
static int dump_hive(regf_hive *h, const dump_args *a)
{
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    gl_buf *line = &left_for_exit.line;
    /* Once, at the size it reaches: growing it by doubling copies it five
     * times over fresh pages, a tenth of a small hive's dump. */
    gl_buf_reserve(line, OUT_FLUSH + 4096);
    regf_json *rj = &left_for_exit.rj;
    regf_json_init(rj, h, line);
    rj->deleted = a->deleted;
    rj->raw = a->raw;
    rj->sink = write_out;
    rj->sink_ctx = stdout;
    rj->flush_at = OUT_FLUSH;
    int rc = GL_EXIT_OK;
    regf_key start = regf_key_open(h, regf_root(h), a->keypath);
    if (start != REGF_NONE)
        regf_json_walk(rj, start);
    size_t deleted_shown = a->deleted != REGF_JSON_DEL_EXCLUDE ? regf_json_deleted_keys(rj, a->keypath) : 0;
    /* KEYPATH may name a key that exists only as deleted material. */
    if (start == REGF_NONE && !deleted_shown) {
        fprintf(stderr, "gleaner reg: %s: key '%s' not found or unreadable\n", a->hive, a->keypath);
        rc = GL_EXIT_PARTIAL;
    }
    regf_json_flush(rj);
    fflush(stdout);
    return rc;
}

static int dump_main(int argc, char **argv)
{
    dump_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    char **f1 = &left_for_exit.log1_path, **f2 = &left_for_exit.log2_path;
    if (a.ro.logs == REGF_LOGS_AUTO) {
        if (a.log1 || a.log2) { /* given logs are used instead of the ones beside the hive */
            *f1 = a.log1 ? gl_xstrdup(a.log1) : NULL;
            *f2 = a.log2 ? gl_xstrdup(a.log2) : NULL;
        } else {
            *f1 = gl_file_sibling(a.hive, ".LOG1");
            *f2 = gl_file_sibling(a.hive, ".LOG2");
            if (!*f1 && !*f2) /* Windows XP kept a single HIVE.LOG */
                *f1 = gl_file_sibling(a.hive, ".LOG");
        }
    }
    loaded *lp = &left_for_exit.hive, *l1 = &left_for_exit.log1, *l2 = &left_for_exit.log2;
    if (!load(lp, a.hive, a.ro.max_hive_size))
        return GL_EXIT_FATAL;
    rc = GL_EXIT_OK;
    if (*f1 && !load(l1, *f1, a.ro.max_hive_size))
        rc = GL_EXIT_PARTIAL;
    if (*f2 && !load(l2, *f2, a.ro.max_hive_size))
        rc = GL_EXIT_PARTIAL;
    gl_err err = {0};
    a.ro.view_writable = lp->mf.read != NULL; /* read into our memory, not mapped */
    regf_hive *h = left_for_exit.h = regf_open(&lp->r, log_reader(l1), log_reader(l2), &a.ro, &err);
    if (!h) {
        fprintf(stderr, "gleaner reg: %s\n", err.msg);
        return GL_EXIT_FATAL;
    }
    if (dump_hive(h, &a) != GL_EXIT_OK)
        rc = GL_EXIT_PARTIAL;
    print_status(h, a.hive, *f1 || *f2);
    if (regf_error_count(h))
        rc = GL_EXIT_PARTIAL;
    return rc;
}

int gl_cmd_reg(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? GL_EXIT_USAGE : GL_EXIT_OK;
    }
    if (!strcmp(argv[1], "dump"))
        return dump_main(argc - 1, argv + 1);
    fprintf(stderr, "gleaner reg: unknown subcommand '%s'\n\n%s", argv[1], usage_text);
    return GL_EXIT_USAGE;
}

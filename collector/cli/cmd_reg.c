/* gleaner reg dump: a hive as JSON Lines, one key per line. An analyst tool
 * on one file, so it reads with plain stdio rather than through a source. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "fold.h"
#include "json.h"
#include "regf.h"
#include "text.h"

/* Every page of the hive is read: fault them in with one call. */
#ifdef MAP_POPULATE
#define MAP_POPULATE_IF_ANY MAP_POPULATE
#else
#define MAP_POPULATE_IF_ANY 0
#endif

/* Small enough to stay in cache: a bigger buffer only adds page faults. */
#define OUT_FLUSH (64u << 10)

typedef enum { DEL_INCLUDE, DEL_EXCLUDE, DEL_ONLY } del_mode;

typedef struct dump {
    regf_hive *h;
    FILE *out;
    gl_buf line, tmp, scratch, vals;
    gl_buf vals_deleted; /* per entry of vals: 1 when that value is deleted */
    del_mode deleted;
    bool raw;
    uint64_t keys, values;
    const char *prefix; /* KEYPATH: deleted keys are shown when below it */
} dump;

static const char usage_text[] =
    "usage: gleaner reg dump [options] HIVE [KEYPATH]\n"
    "\n"
    "Print every key of a registry hive (or of the subtree at KEYPATH, relative\n"
    "to the root, '\\'-separated, case-insensitive) as JSON Lines:\n"
    "  {\"path\", \"last_write\", \"deleted\", \"class\", \"owner\",\n"
    "   \"values\": [{\"name\", \"type\", \"data\", \"deleted\"}]}\n"
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

static void flush_line(dump *d)
{
    gl_buf_putc(&d->line, '\n');
    if (d->line.len >= OUT_FLUSH) {
        fwrite(d->line.data, 1, d->line.len, d->out);
        d->line.len = 0;
    }
}

static void value_data_json(dump *d, gl_json *j, regf_value v, uint32_t type, const uint8_t *p, size_t n)
{
    gl_json_key(j, "data");
    switch (type) {
    case REGF_REG_SZ:
    case REGF_REG_EXPAND_SZ:
    case REGF_REG_LINK:
        d->tmp.len = 0;
        if (p)
            gl_utf16le_to_utf8(&d->tmp, p, n, true);
        gl_json_strn(j, d->tmp.data ? d->tmp.data : "", d->tmp.len);
        return;
    case REGF_REG_MULTI_SZ: {
        d->tmp.len = 0;
        long cnt = regf_value_multi_sz(d->h, v, &d->tmp);
        gl_json_arr_begin(j);
        const char *s = d->tmp.data;
        for (long i = 0; i < cnt; i++) {
            size_t l = strlen(s);
            gl_json_strn(j, s, l);
            s += l + 1;
        }
        gl_json_arr_end(j);
        return;
    }
    case REGF_REG_DWORD:
    case REGF_REG_DWORD_BIG_ENDIAN:
        if (n == 4) {
            gl_json_uint(j, type == REGF_REG_DWORD ? gl_le32(p) : gl_be32(p));
            return;
        }
        break;
    case REGF_REG_QWORD:
        if (n == 8) {
            gl_json_uint(j, gl_le64(p));
            return;
        }
        break;
    default:
        break;
    }
    gl_json_hex(j, p, p ? n : 0);
}

static void value_json(dump *d, gl_json *j, regf_value v, bool deleted)
{
    char tbuf[32];
    uint32_t type = regf_value_type(d->h, v);
    size_t n;
    const uint8_t *p = regf_value_data(d->h, v, &n, &d->scratch);
    gl_json_obj_begin(j);
    d->tmp.len = 0;
    regf_value_name(d->h, v, &d->tmp);
    gl_json_key(j, "name");
    gl_json_strn(j, d->tmp.data ? d->tmp.data : "", d->tmp.len);
    gl_json_kv_str(j, "type", regf_type_name(type, tbuf));
    /* Declared data that cannot be read is null, not an empty value. */
    bool lost = !p && regf_value_data_size(d->h, v) > 0;
    if (lost) {
        gl_json_key(j, "data");
        gl_json_null(j);
    } else
        value_data_json(d, j, v, type, p, n);
    gl_json_kv_bool(j, "deleted", deleted);
    if (d->raw) {
        gl_json_key(j, "raw");
        if (lost)
            gl_json_null(j);
        else
            gl_json_hex(j, p, p ? n : 0);
    }
    gl_json_obj_end(j);
    d->values++;
}

static void owner_json(dump *d, gl_json *j, regf_key k)
{
    d->tmp.len = 0;
    if (!regf_key_owner_sid(d->h, k, &d->tmp))
        return;
    gl_json_key(j, "owner");
    gl_json_strn(j, d->tmp.data, d->tmp.len);
}

/* One key line. values_deleted_only: print only the deleted values (used for
 * live keys under --deleted only); returns without output when nothing to show. */
static void key_line(dump *d, regf_key k, const char *path, size_t plen, bool key_deleted)
{
    d->vals.len = 0;
    size_t nv = regf_key_values(d->h, k, &d->vals);
    bool only = d->deleted == DEL_ONLY && !key_deleted;
    size_t shown = 0;
    d->vals_deleted.len = 0;
    for (size_t i = 0; i < nv; i++) {
        uint32_t v;
        memcpy(&v, d->vals.data + i * sizeof v, sizeof v);
        bool del = regf_value_deleted(d->h, v);
        gl_buf_putc(&d->vals_deleted, (char)del);
        if ((d->deleted == DEL_EXCLUDE && del) || (only && !del))
            v = REGF_NONE;
        else
            shown++;
        memcpy(d->vals.data + i * sizeof v, &v, sizeof v);
    }
    if (only && !shown)
        return;
    gl_json j;
    gl_json_init(&j, &d->line);
    gl_json_obj_begin(&j);
    gl_json_key(&j, "path");
    gl_json_strn(&j, path, plen);
    char ts[GL_TIME_STRLEN];
    uint64_t ft = regf_key_last_write(d->h, k);
    gl_json_key(&j, "last_write");
    if (gl_filetime_iso(ft, 7, ts))
        gl_json_str(&j, ts);
    else
        gl_json_null(&j);
    gl_json_kv_bool(&j, "deleted", key_deleted);
    d->tmp.len = 0;
    if (regf_key_class(d->h, k, &d->tmp) && d->tmp.len) {
        gl_json_key(&j, "class");
        gl_json_strn(&j, d->tmp.data, d->tmp.len);
    }
    owner_json(d, &j, k);
    gl_json_key(&j, "values");
    gl_json_arr_begin(&j);
    for (size_t i = 0; i < nv; i++) {
        uint32_t v;
        memcpy(&v, d->vals.data + i * sizeof v, sizeof v);
        if (v != REGF_NONE)
            value_json(d, &j, v, d->vals_deleted.data[i]);
    }
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    flush_line(d);
    d->keys++;
}

static int walk_cb(void *ctx, regf_hive *h, regf_key key, const char *path, size_t path_len)
{
    (void)h;
    dump *d = ctx;
    key_line(d, key, path, path_len, false);
    return 0;
}

/* path equals prefix or lies below it (case-insensitive). */
static bool below(const char *prefix, const char *path, size_t plen)
{
    size_t n = strlen(prefix);
    if (!n)
        return true;
    if (plen < n || gl_name_casecmp(path, n, prefix, n))
        return false;
    return plen == n || path[n] == '\\';
}

/* Deleted keys (with their recovered values) and values whose key is lost. */
static size_t dump_deleted(dump *d)
{
    gl_buf path = {0};
    size_t shown = 0;
    for (size_t i = 0; i < regf_deleted_key_count(d->h); i++) {
        regf_key k = regf_deleted_key(d->h, i);
        path.len = 0;
        regf_deleted_key_path(d->h, k, &path);
        if (!below(d->prefix, path.data ? path.data : "", path.len))
            continue;
        key_line(d, k, path.data ? path.data : "", path.len, true);
        shown++;
    }
    size_t no = regf_deleted_orphan_value_count(d->h);
    if (no && !*d->prefix) {
        gl_json j;
        gl_json_init(&j, &d->line);
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "path", "(deleted)\\(values without a key)");
        gl_json_key(&j, "last_write");
        gl_json_null(&j);
        gl_json_kv_bool(&j, "deleted", true);
        gl_json_key(&j, "values");
        gl_json_arr_begin(&j);
        for (size_t i = 0; i < no; i++)
            value_json(d, &j, regf_deleted_orphan_value(d->h, i), true);
        gl_json_arr_end(&j);
        gl_json_obj_end(&j);
        flush_line(d);
    }
    gl_buf_free(&path);
    return shown;
}

/* Whole file into memory (the parser keeps the hive in memory anyway). */
static bool slurp(const char *path, uint64_t cap, gl_buf *out, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (uint64_t)st.st_size > cap) {
        /* Refuse before reading; the message names the real size. */
        static char msg[128];
        snprintf(msg, sizeof msg, "hive is %" PRIu64 " bytes, over the %" PRIu64 "-byte limit (raise --max-size)",
                 (uint64_t)st.st_size, cap);
        *why = msg;
        fclose(f);
        return false;
    }
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > cap + 1) { /* grew while read: one byte over lets the parser refuse it */
            gl_buf_append(out, chunk, (size_t)(cap + 1 - out->len));
            break;
        }
        gl_buf_append(out, chunk, n);
    }
    bool ok = !ferror(f);
    if (!ok)
        *why = strerror(errno);
    fclose(f);
    return ok;
}

/* HIVE.LOG1 next to HIVE, matching the name case-insensitively. */
static char *find_log(const char *hive, const char *suffix)
{
    const char *slash = strrchr(hive, '/');
    char *dir = slash ? strndup(hive, (size_t)(slash - hive + 1)) : strdup("./");
    const char *base = slash ? slash + 1 : hive;
    size_t blen = strlen(base), slen = strlen(suffix);
    char *found = NULL;
    DIR *dh = opendir(dir);
    struct dirent *e;
    while (dh && !found && (e = readdir(dh))) {
        size_t n = strlen(e->d_name);
        if (n == blen + slen && !strncasecmp(e->d_name, base, blen) && !strcasecmp(e->d_name + blen, suffix)) {
            found = malloc(strlen(dir) + n + 1);
            sprintf(found, "%s%s", dir, e->d_name);
        }
    }
    if (dh)
        closedir(dh);
    free(dir);
    return found;
}

typedef struct loaded {
    gl_buf data;
    void *map; /* the file mapped read-only, when it could be */
    size_t map_len;
    gl_mem_reader mem;
    gl_reader r;
    char *path;
} loaded;

/* Map the file when possible: the parser reads a clean hive in place (a
 * dirty one is copied before its logs are replayed), so no copy at all. */
static bool map_file(loaded *l, const char *path, uint64_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= cap;
    if (ok) {
        l->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE_IF_ANY, fd, 0);
        ok = l->map != MAP_FAILED;
        if (ok)
            l->map_len = (size_t)st.st_size;
        else
            l->map = NULL;
    }
    close(fd);
    return ok;
}

static bool load(loaded *l, const char *path, uint64_t cap)
{
    const char *why = "";
    memset(l, 0, sizeof *l);
    l->path = strdup(path);
    if (map_file(l, path, cap)) {
        l->r = gl_reader_memory(&l->mem, l->map, l->map_len, l->path);
        return true;
    }
    if (!slurp(path, cap, &l->data, &why)) {
        fprintf(stderr, "gleaner reg: %s: %s\n", path, why);
        return false;
    }
    l->r = gl_reader_memory(&l->mem, l->data.data, l->data.len, l->path);
    return true;
}

static bool loaded_nonempty(const loaded *l) { return l->path && (l->map_len || l->data.len); }

static void unload(loaded *l)
{
    if (l->map)
        munmap(l->map, l->map_len);
    gl_buf_free(&l->data);
    free(l->path);
}

static void print_status(regf_hive *h, const char *hive, const loaded *l1, const loaded *l2)
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
    else if (in->recovery_applied)
        fprintf(stderr, "gleaner reg: %s: recovery applied from %s (old format): %" PRIu32 " dirty 512-byte pages%s; "
                "sequence now %" PRIu32 "\n",
                hive, in->logs_used, in->log_pages, in->checksum_ok ? "" : ", base block taken from the log",
                in->seq_recovered);
    else if (in->dirty)
        fprintf(stderr, "gleaner reg: %s: dirty hive read without log replay (%s); recent changes may be missing\n",
                hive, l1->path || l2->path ? "logs held nothing applicable" : "no logs used");
    size_t ne = regf_error_count(h);
    for (size_t i = 0; i < ne && i < REGF_MAX_ERRORS; i++)
        fprintf(stderr, "gleaner reg: error: %s\n", regf_error(h, i));
    if (ne > REGF_MAX_ERRORS)
        fprintf(stderr, "gleaner reg: %zu more errors not shown\n", ne - REGF_MAX_ERRORS);
}

static int dump_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"deleted", required_argument, 0, 'd'}, {"logs", required_argument, 0, 'l'},
        {"log1", required_argument, 0, '1'},    {"log2", required_argument, 0, '2'},
        {"raw", no_argument, 0, 'r'},           {"max-size", required_argument, 0, 'm'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    regf_options ro;
    regf_options_init(&ro);
    dump d = {0};
    d.out = stdout;
    const char *log1 = NULL, *log2 = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (!strcmp(optarg, "include"))
                d.deleted = DEL_INCLUDE;
            else if (!strcmp(optarg, "exclude"))
                d.deleted = DEL_EXCLUDE;
            else if (!strcmp(optarg, "only"))
                d.deleted = DEL_ONLY;
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
            ro.logs = !strcmp(optarg, "auto") ? REGF_LOGS_AUTO : REGF_LOGS_NONE;
            break;
        case '1':
            log1 = optarg;
            break;
        case '2':
            log2 = optarg;
            break;
        case 'r':
            d.raw = true;
            break;
        case 'm': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || !v) {
                fprintf(stderr, "gleaner reg dump: --max-size takes a positive number of bytes\n");
                return GL_EXIT_USAGE;
            }
            ro.max_hive_size = v;
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
    const char *hive = argv[optind];
    const char *keypath = optind + 1 < argc ? argv[optind + 1] : "";
    ro.recover_deleted = d.deleted != DEL_EXCLUDE;
    ro.in_place = true; /* the mappings outlive the hive */

    loaded lp, l1 = {0}, l2 = {0};
    char *f1 = NULL, *f2 = NULL;
    if (ro.logs == REGF_LOGS_AUTO) {
        f1 = log1 ? strdup(log1) : find_log(hive, ".LOG1");
        f2 = log2 ? strdup(log2) : find_log(hive, ".LOG2");
        if (!f1 && !f2 && !log1 && !log2) /* Windows XP kept a single HIVE.LOG */
            f1 = find_log(hive, ".LOG");
    }
    int rc = GL_EXIT_OK;
    if (!load(&lp, hive, ro.max_hive_size)) {
        unload(&lp);
        free(f1);
        free(f2);
        return GL_EXIT_FATAL;
    }
    if (f1 && !load(&l1, f1, ro.max_hive_size))
        rc = GL_EXIT_PARTIAL;
    if (f2 && !load(&l2, f2, ro.max_hive_size))
        rc = GL_EXIT_PARTIAL;
    gl_err err = {0};
    d.h = regf_open(&lp.r, loaded_nonempty(&l1) ? &l1.r : NULL, loaded_nonempty(&l2) ? &l2.r : NULL, &ro, &err);
    if (!d.h) {
        fprintf(stderr, "gleaner reg: %s\n", err.msg);
        rc = GL_EXIT_FATAL;
        goto out;
    }
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    regf_key start = regf_key_open(d.h, regf_root(d.h), keypath);
    if (start != REGF_NONE)
        regf_walk(d.h, start, walk_cb, &d);
    const char *requested = keypath;
    while (*keypath == '\\')
        keypath++;
    d.prefix = keypath;
    size_t deleted_shown = d.deleted != DEL_EXCLUDE ? dump_deleted(&d) : 0;
    /* KEYPATH may name a key that exists only as deleted material. */
    if (start == REGF_NONE && !deleted_shown) {
        fprintf(stderr, "gleaner reg: %s: key '%s' not found or unreadable\n", hive, requested);
        rc = GL_EXIT_PARTIAL;
    }
    fwrite(d.line.data ? d.line.data : "", 1, d.line.len, d.out);
    fflush(d.out);
    print_status(d.h, hive, &l1, &l2);
    if (regf_error_count(d.h))
        rc = GL_EXIT_PARTIAL;
out:
    regf_close(d.h);
    unload(&lp);
    unload(&l1);
    unload(&l2);
    free(f1);
    free(f2);
    gl_buf_free(&d.line);
    gl_buf_free(&d.tmp);
    gl_buf_free(&d.scratch);
    gl_buf_free(&d.vals);
    gl_buf_free(&d.vals_deleted);
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

/* gleaner evtx dump: event logs as JSON Lines, one event per line, for
 * analysts and the benchmark. Errors and EventRecordID gaps go to stderr.
 * Reads with pread through a gl_reader so the parser stays portable.
 * With several jobs, threads (the main one too) read ranges of chunks (of
 * every file given, several files at once), and whichever finishes the
 * range to write next writes the ranges done, in file and chunk order,
 * and carves each file's slack after its last range: the output is the
 * same as one thread's. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "evtx.h"
#include "prefault.h"

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
    "  --jobs N         threads reading chunks (default: the CPUs this process may\n"
    "                   use, but one per 2 MiB of logs given); the output is the\n"
    "                   same whatever N\n"
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
    long jobs;
} dump_opts;

/* Output written whenever this much is buffered: a pipe's capacity. A
 * buffer of 1 MiB grew to 2 MiB of pages faulted in for every process
 * and wrote back through the caches; at 64 KiB one thread dumps all
 * corpus logs 5% faster (side by side, 21 rounds). */
#define OUT_FLUSH (64u << 10)

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

/* An open file: descriptor and reader over it. Read with pread, not
 * mapped: a mapping's pages count towards the peak RSS, which must stay
 * flat however large the log (the copy costs about 3 % of the CPU). */
typedef struct opened_log {
    fd_ctx ctx;
    gl_reader r;
} opened_log;

static void close_log(opened_log *l) { close(l->ctx.fd); }

/* Open path for reading; -1 (said on stderr unless quiet) when it cannot be. */
static int open_log(const char *path, opened_log *l, bool quiet)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        if (!quiet)
            fprintf(stderr, "gleaner evtx: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (!quiet)
            fprintf(stderr, "gleaner evtx: %s: not a regular file\n", path);
        close(fd);
        return -1;
    }
    l->ctx.fd = fd;
    l->r = (gl_reader){.ctx = &l->ctx, .read_at = fd_read_at, .size = (uint64_t)st.st_size, .name = path};
    return 0;
}

static void set_filters(evtx_file *f, const dump_opts *o)
{
    if (o->nids)
        evtx_filter_ids(f, o->ids, o->nids);
    if (o->channel)
        evtx_filter_channel(f, o->channel);
}

/* Every event evtx_next gives, as JSON Lines into out (written to stdout
 * whenever it fills, when flush). The last evtx_next status. */
static int emit_events(evtx_file *f, const dump_opts *o, gl_buf *out, bool flush, gl_err *err)
{
    const evtx_event *ev;
    gl_json j;
    int rc;
    while ((rc = evtx_next(f, &ev, err)) == 1) {
        gl_json_init(&j, out);
        evtx_event_json(f, ev, &j, o->xml ? EVTX_JSON_XML : 0);
        gl_buf_putc(out, '\n');
        if (flush && out->len >= OUT_FLUSH)
            flush_out(out);
    }
    if (flush)
        flush_out(out);
    return rc;
}

/* The file's status once read: 0 clean, 1 damaged. */
static int finish_log(evtx_file *f, const char *path, int rc, const gl_err *err)
{
    int result = evtx_error_total(f) ? 1 : 0;
    if (rc < 0) {
        fprintf(stderr, "gleaner evtx: %s\n", err->msg);
        result = 1;
    }
    report(f, path);
    return result;
}

/* Returns 0 clean, 1 damaged, -1 unreadable. *keep: a reader to reuse
 * (or NULL), and the one to reuse for the next file. */
static int dump_file(const char *path, const dump_opts *o, gl_buf *out, evtx_file **keep)
{
    opened_log l;
    if (open_log(path, &l, false) < 0)
        return -1;
    evtx_options eo = {.no_recover = o->no_recover};
    gl_err err = {0};
    evtx_file *f = *keep = evtx_reopen(*keep, &l.r, &eo, &err);
    if (!f) {
        fprintf(stderr, "gleaner evtx: %s\n", err.msg);
        close_log(&l);
        return -1;
    }
    set_filters(f, o);
    int rc = emit_events(f, o, out, true, &err);
    int result = finish_log(f, path, rc, &err);
    close_log(&l);
    return result;
}

/* ---- several threads ---------------------------------------------------- */

/* Chunks one thread reads at a time: 64 KiB of log, about 0.1 ms of
 * work. Small units keep the output buffers few and small enough to stay
 * in the caches, which paid more than the per-unit costs saved by larger
 * units: with 1-chunk units and the ring below, two threads over the
 * large corpus logs took 3% less time than with 2-chunk ones, built with
 * the release's flags (docs/evtx.md, "Several threads"). */
#define UNIT_CHUNKS 1
/* Units read ahead of the writer, per thread: each holds its output.
 * With 1-chunk units, 3 was 5% faster than 2 in debug builds but 1-3%
 * slower in builds with the release's flags (docs/evtx.md, "Several
 * threads"). */
#define WINDOW_PER_JOB 2
/* A unit's output buffer: the JSON of a log runs up to 1.7 times its
 * bytes in the corpus (4.2 times with --xml); a unit whose output is
 * larger grows its buffer, which is then kept for the next units. */
#define UNIT_OUT_RESERVE (2 * UNIT_CHUNKS * EVTX_CHUNK_SIZE)

/* A range of one file's chunks, read by a thread: its live records as
 * JSON, and what its part reader found (errors, runs, templates;
 * evtx_take_findings), which the writer hands to the whole file's
 * reader. */
typedef struct unit {
    size_t file;
    uint64_t first, end;
    bool last_of_file;
    bool done;
    gl_buf out;
    evtx_file *found;
    int rc;
    gl_err *err; /* rc < 0: why (allocated then only: units stay small) */
} unit;

/* A reading thread's own: its part reader and the file it has open, kept
 * from one unit to the next, so consecutive units of a file cost no
 * open, stat, header read or close. */
typedef struct reading {
    evtx_file *part; /* NULL at first, and after a failed reopen */
    opened_log log;
    size_t file;
    bool log_open;
    gl_err err;
} reading;

typedef struct tally {
    int ok, damaged, failed;
} tally;

static void count(tally *t, int r)
{
    if (r < 0)
        t->failed++;
    else if (r > 0)
        t->damaged++;
    else
        t->ok++;
}

/* The whole-file side of the file a unit belongs to: the writer's. */
typedef struct whole {
    opened_log log;
    evtx_file *f;
    bool io_failed; /* a part hit a read error: the rest of the file is not read */
    gl_err err;
} whole;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t moved; /* units were written: the window moved, or all are */
    unit *ring;      /* the window's units: unit k is ring[k % window] */
    uint64_t *chunks; /* each file's chunks, by its size when planned */
    size_t nunits;   /* in all */
    size_t next;     /* next unit to hand out */
    size_t next_file; /* where it starts */
    uint64_t next_chunk;
    size_t written; /* units written (their output, in order) */
    size_t window;  /* units read ahead of the writer at most: bounds memory */
    size_t idle;    /* threads waiting for `moved` */
    bool writing;   /* a thread holds the writer's role */
    char **paths;
    const dump_opts *o;
    /* The writer's: only the thread holding the role touches these. */
    whole w;
    evtx_file *whole_spare; /* the whole-file reader, from one file to the next */
    gl_buf *out;
    tally t;
    /* Findings and output buffers the writer is done with, for the next
     * units: threads keep warm memory instead of mapping fresh (musl maps
     * large blocks, and every unmap in a threaded process stops both
     * cores to flush their TLBs). */
    evtx_file **spare_found;
    size_t nspare_found;
    gl_buf *spare_bufs;
    size_t nspare_bufs;
    size_t spare_cap;
    /* Each thread's part reader once the pool is done: left for the
     * exit (left_for_exit). */
    evtx_file **parts;
    size_t nparts;
} pool;

/* Under p->mu: the unit's findings and buffer, kept for another unit. */
static void give_back(pool *p, unit *u)
{
    if (u->found && p->nspare_found < p->spare_cap)
        p->spare_found[p->nspare_found++] = u->found;
    else
        evtx_close(u->found);
    u->found = NULL;
    free(u->err);
    u->err = NULL;
    gl_buf_clear(&u->out);
    if (p->nspare_bufs < p->spare_cap)
        p->spare_bufs[p->nspare_bufs++] = u->out;
    else
        gl_buf_free(&u->out);
    u->out = (gl_buf){0};
}

/* Under p->mu: kept findings (or NULL) for the next unit, whose output
 * buffer becomes a kept one. */
static evtx_file *take_spares(pool *p, unit *u)
{
    if (p->nspare_bufs)
        u->out = p->spare_bufs[--p->nspare_bufs];
    return p->nspare_found ? p->spare_found[--p->nspare_found] : NULL;
}

static void reading_close(reading *r)
{
    if (r->log_open)
        close_log(&r->log);
    r->log_open = false;
}

/* r's part set to unit u's range: the same file's part moved on, or the
 * part reopened over u's file. False when the file cannot be read. */
static bool reading_seek(pool *p, reading *r, const unit *u, gl_err *err)
{
    if (r->log_open && r->file == u->file && r->part) {
        evtx_part_range(r->part, u->first, u->end);
        return true;
    }
    reading_close(r);
    if (open_log(p->paths[u->file], &r->log, true) < 0)
        return false; /* the writer opens the file too, and says why not */
    r->log_open = true;
    r->file = u->file;
    evtx_options eo = {.no_recover = p->o->no_recover};
    r->part = evtx_reopen_part(r->part, &r->log.r, &eo, u->first, u->end, err);
    if (!r->part)
        return false;
    set_filters(r->part, p->o);
    return true;
}

/* found: findings to reuse, or NULL. */
static void read_unit(pool *p, unit *u, reading *r, evtx_file *found)
{
    if (u->first >= u->end || !reading_seek(p, r, u, &r->err)) {
        evtx_close(found);
        return;
    }
    if (!u->out.cap) {
        /* a new buffer, mapped in one call by the thread that fills it:
         * faulting its pages in one by one cost more than all the rest of
         * the second thread's overhead */
        gl_buf_reserve(&u->out, UNIT_OUT_RESERVE - 1); /* with the NUL gl_buf keeps room for */
        gl_prefault(u->out.data, u->out.cap);
    }
    u->rc = emit_events(r->part, p->o, &u->out, false, &r->err);
    if (u->rc < 0) {
        u->err = gl_xmalloc(sizeof *u->err);
        *u->err = r->err;
    }
    u->found = evtx_take_findings(r->part, found);
}

/* Unit k, in its ring slot. */
static unit *unit_at(pool *p, size_t k) { return &p->ring[k % p->window]; }

/* Under p->mu: the next unit in output order, set up in its ring slot
 * (whose unit was written: next < written + window). */
static unit *hand_out(pool *p)
{
    unit *u = unit_at(p, p->next++);
    uint64_t chunks = p->chunks[p->next_file], first = p->next_chunk;
    uint64_t end = chunks - first > UNIT_CHUNKS ? first + UNIT_CHUNKS : chunks;
    *u = (unit){.file = p->next_file, .first = first, .end = end, .last_of_file = end >= chunks};
    if (u->last_of_file) {
        p->next_file++;
        p->next_chunk = 0;
    } else {
        p->next_chunk = end;
    }
    return u;
}

/* Under p->mu (released while reading): read the next unit with the
 * calling thread's reading; the unit. */
static unit *read_next(pool *p, reading *r)
{
    unit *u = hand_out(p);
    evtx_file *found = take_spares(p, u);
    pthread_mutex_unlock(&p->mu);
    read_unit(p, u, r, found);
    pthread_mutex_lock(&p->mu);
    u->done = true;
    return u;
}

/* Each file's chunks, by its size, and the units they make in all, in
 * output order: chunk ranges, and one empty unit for a file too short for
 * a chunk or that cannot be read (the writer reports it). Units are made
 * as they are handed out (hand_out): an array of them all cost 0.8 ms of
 * fresh pages and copies before the first read on the corpus logs. */
static uint64_t *count_chunks(char **paths, size_t npaths, size_t *nunits)
{
    uint64_t *chunks = gl_xcalloc(npaths, sizeof *chunks);
    size_t n = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > EVTX_FILE_HEADER_SIZE)
            chunks[i] = ((uint64_t)st.st_size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE;
        n += chunks[i] ? (size_t)((chunks[i] + UNIT_CHUNKS - 1) / UNIT_CHUNKS) : 1;
    }
    *nunits = n;
    return chunks;
}

/* spare: the last file's reader, reused (or NULL). */
static void whole_open(whole *w, const char *path, const dump_opts *o, evtx_file *spare)
{
    memset(w, 0, sizeof *w);
    if (open_log(path, &w->log, false) < 0) {
        evtx_close(spare);
        return;
    }
    evtx_options eo = {.no_recover = o->no_recover};
    w->f = evtx_reopen(spare, &w->log.r, &eo, &w->err);
    if (!w->f) {
        fprintf(stderr, "gleaner evtx: %s\n", w->err.msg);
        close_log(&w->log);
    }
}

/* Take a finished unit: its output, then its part into the whole file
 * (give_back keeps both for another unit). */
static void take_unit(whole *w, unit *u)
{
    if (w->f && !w->io_failed) {
        if (u->out.len)
            fwrite(u->out.data, 1, u->out.len, stdout);
        if (u->found)
            evtx_absorb(w->f, u->found);
        if (u->rc < 0) {
            w->io_failed = true;
            w->err = *u->err;
        }
    }
}

/* The file's last unit is in: carve its slack, report, close the file.
 * The reader, or NULL, is for the next file. */
static evtx_file *whole_finish(whole *w, const char *path, const dump_opts *o, gl_buf *out, tally *t)
{
    if (!w->f) {
        count(t, -1);
        return NULL;
    }
    int rc = -1;
    if (!w->io_failed) {
        evtx_live_done(w->f);
        set_filters(w->f, o);
        rc = emit_events(w->f, o, out, true, &w->err);
    }
    count(t, finish_log(w->f, path, rc, &w->err));
    close_log(&w->log);
    return w->f;
}

/* Write unit u, the next in order: its file's whole reader opened at its
 * first unit, its output and findings taken, the file finished at its
 * last. Only the thread holding the writer's role calls this. */
static void write_unit(pool *p, unit *u)
{
    if (u->first == 0) {
        whole_open(&p->w, p->paths[u->file], p->o, p->whole_spare);
        p->whole_spare = NULL;
    }
    take_unit(&p->w, u);
    if (u->last_of_file)
        p->whole_spare = whole_finish(&p->w, p->paths[u->file], p->o, p->out, &p->t);
}

/* Under p->mu: is the next unit to write handed out and read? */
static bool next_to_write_done(pool *p) { return p->written < p->next && unit_at(p, p->written)->done; }

/* Under p->mu: hold the writer's role while the next unit to write is
 * done, writing it (the lock released meanwhile). */
static void write_done_units(pool *p)
{
    p->writing = true;
    while (next_to_write_done(p)) {
        unit *u = unit_at(p, p->written);
        pthread_mutex_unlock(&p->mu);
        write_unit(p, u);
        pthread_mutex_lock(&p->mu);
        give_back(p, u);
        p->written++;
        if (p->idle)
            pthread_cond_broadcast(&p->moved);
    }
    p->writing = false;
}

/* Every thread's loop, the main thread's too: write what is done, in
 * order, when no other thread is writing; else read the next unit in the
 * window; else wait for the window to move. Whoever finishes the unit
 * to write next goes on to write it, so writing never waits for one
 * thread that is still reading a long unit of its own (that stalled the
 * other core when only the main thread wrote). */
static void run_pool(pool *p)
{
    reading r = {0};
    pthread_mutex_lock(&p->mu);
    while (p->written < p->nunits) {
        if (!p->writing && next_to_write_done(p)) {
            write_done_units(p);
        } else if (p->next < p->nunits && p->next < p->written + p->window) {
            read_next(p, &r);
        } else {
            p->idle++;
            pthread_cond_wait(&p->moved, &p->mu);
            p->idle--;
        }
    }
    if (r.part)
        p->parts[p->nparts++] = r.part;
    pthread_mutex_unlock(&p->mu);
    reading_close(&r);
}

static void *worker(void *arg)
{
    run_pool(arg);
    return NULL;
}

/* What the dump still holds when it ends is not freed: the process exits
 * right after, and freeing it block by block cost more than the exit's
 * one teardown of the address space (each munmap of populated memory
 * takes 30-70 us on the reference VM; a one-chunk log's filtered dump
 * went from 2.15 to 1.80 ms, side by side, 41 rounds). Kept reachable
 * from here, it is not a leak to LeakSanitizer. */
static struct {
    evtx_file *reader;
    gl_buf out;
    pool *pool;
} left_for_exit;

static tally dump_parallel(char **paths, size_t npaths, const dump_opts *o, gl_buf *out)
{
    pool *p = left_for_exit.pool = gl_xcalloc(1, sizeof *p);
    *p = (pool){.paths = paths, .o = o, .window = WINDOW_PER_JOB * (size_t)o->jobs, .out = out};
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->moved, NULL);
    p->spare_cap = p->window + (size_t)o->jobs + 1;
    p->spare_found = gl_xcalloc(p->spare_cap, sizeof *p->spare_found);
    p->spare_bufs = gl_xcalloc(p->spare_cap, sizeof *p->spare_bufs);
    p->parts = gl_xcalloc((size_t)o->jobs, sizeof *p->parts);
    p->ring = gl_xcalloc(p->window, sizeof *p->ring);
    p->chunks = count_chunks(paths, npaths, &p->nunits);
    /* N jobs: N - 1 workers and the main thread */
    size_t nthreads = 0;
    pthread_t *threads = gl_xcalloc((size_t)o->jobs, sizeof *threads);
    for (long i = 1; i < o->jobs; i++)
        if (pthread_create(&threads[nthreads], NULL, worker, p) == 0)
            nthreads++;
    run_pool(p);
    for (size_t i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    return p->t;
}

/* The CPUs this process may run on (taskset included). */
static long usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

/* Log bytes each thread beyond the first needs to pay for itself: on a
 * log of 1-2 MiB a second thread (its start, a second cold reader, the
 * whole-file reader beside the parts) made the dump 1.3-1.6 times slower
 * than one thread (side by side, 15 rounds); from 4 MiB on it gained. */
#define BYTES_PER_THREAD (2u << 20)

/* Threads when --jobs is not given: the usable CPUs, but no more than one
 * per BYTES_PER_THREAD of the files given (at least one). */
static long default_jobs(char **paths, size_t npaths)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
            bytes += (uint64_t)st.st_size;
    }
    uint64_t by_size = bytes / BYTES_PER_THREAD;
    long cpus = usable_cpus();
    return by_size < 1 ? 1 : by_size < (uint64_t)cpus ? (long)by_size : cpus;
}

static int dump_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"id", required_argument, 0, 'i'}, {"channel", required_argument, 0, 'c'},
        {"xml", no_argument, 0, 'x'},      {"no-recover", no_argument, 0, 'n'},
        {"jobs", required_argument, 0, 'j'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
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
        case 'j': {
            char *end;
            o.jobs = strtol(optarg, &end, 10);
            if (end == optarg || *end || o.jobs < 1 || o.jobs > 256) {
                fprintf(stderr, "gleaner evtx dump: --jobs takes a number 1..256\n");
                free(o.ids);
                return GL_EXIT_USAGE;
            }
            break;
        }
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
    tally t = {0};
    if (!o.jobs)
        o.jobs = default_jobs(argv + optind, (size_t)(argc - optind));
    if (o.jobs > 1) {
        t = dump_parallel(argv + optind, (size_t)(argc - optind), &o, &out);
    } else {
        for (int i = optind; i < argc; i++)
            count(&t, dump_file(argv[i], &o, &out, &left_for_exit.reader));
    }
    fflush(stdout);
    left_for_exit.out = out;
    free(o.ids);
    if (t.ok + t.damaged == 0)
        return GL_EXIT_FATAL;
    return t.failed || t.damaged ? GL_EXIT_PARTIAL : GL_EXIT_OK;
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

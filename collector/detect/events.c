#include "events.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fold.h"
#include "spool.h"
#include "text.h"

#define LOGS_DIR "C:\\Windows\\System32\\winevt\\Logs\\"
#define MAX_CHANNELS 64          /* distinct subscribed channels in one run */
#define MAX_ERRORS_PER_FILE 20   /* reported to a module; the rest are counted */
#define READ_CHUNK (256u * 1024) /* cache read-back buffer */

typedef struct channel_sub {
    char *name;
    uint8_t ids[65536 / 8]; /* union over the modules that subscribed */
} channel_sub;

typedef struct file_rec {
    gl_evtx_file pub;
    char *path, *artifact, *channel;
    evtx_gap *gaps;
    char **errors;
    uint64_t channels_seen;  /* bit i: held events of channels[i] */
    unsigned char *reported; /* per module (run order): errors already reported */
} file_rec;

typedef struct event_cache {
    bool built;
    bool failed;
    gl_err fail;
    gl_spool spool;
    channel_sub *channels;
    size_t n_channels;
    file_rec *files;
    size_t n_files;
    gl_evtx_file *pub; /* copies for gl_events_files */
    size_t n_modules;
    uint64_t kept;
} event_cache;

static bool id_set(const uint8_t *bits, uint16_t id) { return bits[id >> 3] & (1u << (id & 7)); }
static void id_add(uint8_t *bits, uint16_t id) { bits[id >> 3] |= (uint8_t)(1u << (id & 7)); }

void gl_channel_file_name(const char *channel, gl_buf *out)
{
    for (const char *p = channel; *p; p++) {
        if (*p == '/')
            gl_buf_puts(out, "%4");
        else
            gl_buf_putc(out, *p);
    }
}

const char *gl_event_value(const gl_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->n_fields; i++)
        if (!strcmp(ev->fields[i].name, name))
            return ev->fields[i].value;
    return NULL;
}

const char *gl_event_text(const gl_event *ev, const char *name)
{
    const char *v = gl_event_value(ev, name);
    return !v || !strcmp(v, "-") ? "" : v;
}

/* ---- building the cache: one pass over the logs ---------------------------- */

static channel_sub *find_channel(event_cache *c, const char *name, size_t *index)
{
    for (size_t i = 0; i < c->n_channels; i++)
        if (!strcasecmp(c->channels[i].name, name)) {
            if (index)
                *index = i;
            return &c->channels[i];
        }
    return NULL;
}

static int collect_subscriptions(gl_run *run, event_cache *c, uint32_t **ids, size_t *n_ids, gl_err *err)
{
    const gl_module *const *mods;
    c->n_modules = gl_run_modules(run, &mods);
    uint8_t all[65536 / 8] = {0};
    for (size_t m = 0; m < c->n_modules; m++) {
        for (const gl_event_sub *s = mods[m]->events; s && s->channel; s++) {
            channel_sub *ch = find_channel(c, s->channel, NULL);
            if (!ch) {
                if (c->n_channels == MAX_CHANNELS)
                    return gl_err_setc(err, GL_ERR_LIMIT, "more than %d event-log channels subscribed",
                                       MAX_CHANNELS);
                ch = &c->channels[c->n_channels++];
                ch->name = gl_xstrdup(s->channel);
            }
            for (size_t k = 0; k < s->n_ids && k < GL_EVENT_SUB_MAX_IDS; k++) {
                id_add(ch->ids, s->ids[k]);
                id_add(all, s->ids[k]);
            }
        }
    }
    *n_ids = 0;
    *ids = gl_xmalloc(65536 * sizeof **ids);
    for (uint32_t id = 0; id < 65536; id++)
        if (id_set(all, (uint16_t)id))
            (*ids)[(*n_ids)++] = id;
    return 0;
}

static bool file_listed(const event_cache *c, const char *path)
{
    for (size_t i = 0; i < c->n_files; i++)
        if (gl_name_equal(c->files[i].path, path))
            return true;
    return false;
}

static void add_file(event_cache *c, const char *path, const char *channel)
{
    if (file_listed(c, path))
        return;
    c->files = gl_xrealloc(c->files, (c->n_files + 1) * sizeof *c->files);
    file_rec *f = &c->files[c->n_files++];
    memset(f, 0, sizeof *f);
    f->path = gl_xstrdup(path);
    f->channel = gl_xstrdup(channel);
    f->reported = gl_xcalloc(c->n_modules ? c->n_modules : 1, 1);
}

/* The channel a log file's name stands for: "%4" is '/', and archived
 * copies are "Archive-<channel>-<yyyy-mm-dd-hh-mm-ss-nnn>.evtx". */
static void channel_of_file(const char *path, gl_buf *out)
{
    const char *base = strrchr(path, '\\');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && !strcasecmp(base + n - 5, ".evtx"))
        n -= 5;
    if (n > 8 && !strncasecmp(base, "Archive-", 8)) {
        base += 8;
        n -= 8;
        /* drop "-yyyy-mm-dd-hh-mm-ss-nnn" (24 characters) when present */
        if (n > 24 && base[n - 24] == '-' && base[n - 20] == '-')
            n -= 24;
    }
    for (size_t i = 0; i < n; i++) {
        if (base[i] == '%' && i + 1 < n && base[i + 1] == '4') {
            gl_buf_putc(out, '/');
            i++;
        } else {
            gl_buf_putc(out, base[i]);
        }
    }
}

typedef struct glob_ctx {
    event_cache *c;
} glob_ctx;

static int on_log_file(void *ctx, const gl_file_info *info)
{
    glob_ctx *g = ctx;
    if (info->is_dir || info->is_link)
        return 0;
    gl_buf ch = {0};
    channel_of_file(info->path, &ch);
    add_file(g->c, info->path, gl_buf_cstr(&ch));
    gl_buf_free(&ch);
    return 0;
}

static void glob_logs(gl_run *run, event_cache *c, const char *pattern)
{
    glob_ctx g = {c};
    gl_err e = {0};
    if (gl_source_glob(gl_run_source(run), pattern, on_log_file, &g, &e) < 0 && e.code != GL_ERR_ABSENT)
        gl_run_error(run, "event logs: %s: %s", pattern, e.msg);
}

/* For each subscribed channel, its archived copies first (their names sort
 * by the time they were cut), then the live log; then, when a module asked
 * for every log ("*": the logs module checks each one's integrity), all
 * the other logs. A log that does not exist is normal: nothing to read. */
static void list_files(gl_run *run, event_cache *c, bool every_log)
{
    for (size_t i = 0; i < c->n_channels; i++) {
        if (!strcmp(c->channels[i].name, "*"))
            continue;
        gl_buf name = {0}, pattern = {0};
        gl_channel_file_name(c->channels[i].name, &name);
        gl_buf_printf(&pattern, LOGS_DIR "Archive-%s-*.evtx", name.data);
        glob_logs(run, c, pattern.data);
        gl_buf_clear(&pattern);
        gl_buf_printf(&pattern, LOGS_DIR "%s.evtx", name.data);
        glob_logs(run, c, pattern.data);
        gl_buf_free(&name);
        gl_buf_free(&pattern);
    }
    if (every_log)
        glob_logs(run, c, LOGS_DIR "*.evtx");
}

static void put_u32(gl_buf *b, uint32_t v) { gl_buf_append(b, &v, sizeof v); }
static void put_u64(gl_buf *b, uint64_t v) { gl_buf_append(b, &v, sizeof v); }
static void put_str(gl_buf *b, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    put_u32(b, n);
    gl_buf_append(b, s, n + 1);
}

/* One cached event: u32 size, u16 id, u16 recovered, u32 file, u64 record
 * id, u64 time, u32 field count, then NUL-terminated counted strings. */
static void serialize(gl_buf *b, const evtx_event *ev, uint32_t file_index, const char *channel)
{
    gl_buf_clear(b);
    put_u32(b, 0);
    uint16_t id = ev->event_id, rec = ev->recovered;
    gl_buf_append(b, &id, 2);
    gl_buf_append(b, &rec, 2);
    put_u32(b, file_index);
    put_u64(b, ev->event_record_id);
    put_u64(b, ev->time_created);
    uint32_t n_user = 0;
    for (size_t i = 0; i < ev->nuser; i++)
        n_user += !ev->user[i].is_attr;
    put_u32(b, (uint32_t)ev->ndata + n_user);
    put_str(b, channel);
    put_str(b, ev->provider_name);
    put_str(b, ev->computer);
    put_str(b, ev->user_id);
    put_str(b, ev->time_created_iso);
    for (size_t i = 0; i < ev->ndata; i++) {
        put_str(b, ev->data[i].name);
        put_str(b, ev->data[i].value);
    }
    for (size_t i = 0; i < ev->nuser; i++)
        if (!ev->user[i].is_attr) {
            put_str(b, ev->user[i].name);
            put_str(b, ev->user[i].value);
        }
    uint32_t size = (uint32_t)b->len;
    memcpy(b->data, &size, 4);
}

/* Read one file. Records outside the subscribed IDs are not rendered (the
 * parser still counts them into the file's extent and gaps). */
static int read_file(gl_run *run, event_cache *c, size_t index, const uint32_t *ids, size_t n_ids, gl_buf *scratch,
                     gl_err *err)
{
    file_rec *f = &c->files[index];
    gl_err e = {0};
    gl_file *gf = gl_source_open_file(gl_run_source(run), f->path, &e);
    if (!gf) {
        f->errors = gl_xrealloc(f->errors, sizeof *f->errors);
        f->errors[f->pub.n_errors++] = gl_xstrdup(e.msg);
        return 0;
    }
    if (gl_file_artifact(gf))
        f->artifact = gl_xstrdup(gl_file_artifact(gf));
    gl_reader r = gl_file_reader(gf);
    evtx_file *ef = evtx_open(&r, NULL, &e);
    int rc = 0;
    if (ef) {
        f->pub.opened = true;
        f->pub.header = *evtx_header(ef);
        evtx_filter_ids(ef, ids, n_ids);
        const evtx_event *ev;
        int got;
        while ((got = evtx_next(ef, &ev, &e)) == 1) {
            const char *channel = ev->channel[0] ? ev->channel : f->channel;
            size_t ci;
            channel_sub *ch = find_channel(c, channel, &ci);
            if (!ch || !id_set(ch->ids, ev->event_id))
                continue;
            f->channels_seen |= 1ull << ci;
            serialize(scratch, ev, (uint32_t)index, ch->name);
            if (gl_spool_write(&c->spool, scratch->data, scratch->len, err) != 0) {
                rc = -1;
                break;
            }
            c->kept++;
        }
        if (got < 0) {
            f->errors = gl_xrealloc(f->errors, (f->pub.n_errors + 1) * sizeof *f->errors);
            f->errors[f->pub.n_errors++] = gl_xstrdup(e.msg);
        }
        f->pub.stats = *evtx_get_stats(ef);
        f->pub.first_record_id = f->pub.stats.first_live_id;
        f->pub.first_time = f->pub.stats.first_live_written;
        f->pub.last_record_id = f->pub.stats.last_live_id;
        f->pub.last_time = f->pub.stats.last_live_written;
        size_t ng;
        const evtx_gap *gaps = evtx_gaps(ef, &ng);
        if (ng) {
            f->gaps = gl_xmalloc(ng * sizeof *f->gaps);
            memcpy(f->gaps, gaps, ng * sizeof *gaps);
            f->pub.n_gaps = ng;
        }
        size_t ne = evtx_error_count(ef);
        f->errors = gl_xrealloc(f->errors, (f->pub.n_errors + ne + 1) * sizeof *f->errors);
        for (size_t i = 0; i < ne; i++)
            f->errors[f->pub.n_errors++] = gl_xstrdup(evtx_error(ef, i));
        evtx_close(ef);
    } else {
        f->errors = gl_xrealloc(f->errors, (f->pub.n_errors + 1) * sizeof *f->errors);
        f->errors[f->pub.n_errors++] = gl_xstrdup(e.msg);
    }
    gl_file_close(gf);
    return rc;
}

static void publish(event_cache *c)
{
    c->pub = gl_xcalloc(c->n_files ? c->n_files : 1, sizeof *c->pub);
    for (size_t i = 0; i < c->n_files; i++) {
        file_rec *f = &c->files[i];
        f->pub.path = f->path;
        f->pub.artifact = f->artifact;
        f->pub.channel = f->channel;
        f->pub.gaps = f->gaps;
        f->pub.errors = (const char *const *)f->errors;
        c->pub[i] = f->pub;
    }
}

static int build(gl_run *run, event_cache *c, gl_err *err)
{
    uint32_t *ids = NULL;
    size_t n_ids = 0;
    if (collect_subscriptions(run, c, &ids, &n_ids, err) != 0 ||
        gl_spool_open(&c->spool, gl_run_spool_dir(run), err) != 0) {
        free(ids);
        return -1;
    }
    list_files(run, c, find_channel(c, "*", NULL) != NULL);
    gl_buf scratch = {0};
    int rc = 0;
    for (size_t i = 0; i < c->n_files && rc == 0; i++)
        rc = read_file(run, c, i, ids, n_ids, &scratch, err);
    gl_buf_free(&scratch);
    free(ids);
    publish(c);
    gl_run_log(run, "event logs: one pass over %zu files for %zu channels kept %llu events", c->n_files,
               c->n_channels, (unsigned long long)c->kept);
    return rc;
}

static void cache_destroy(void *obj)
{
    event_cache *c = obj;
    gl_spool_close(&c->spool);
    for (size_t i = 0; i < c->n_channels; i++)
        free(c->channels[i].name);
    free(c->channels);
    for (size_t i = 0; i < c->n_files; i++) {
        file_rec *f = &c->files[i];
        for (size_t e = 0; e < f->pub.n_errors; e++)
            free(f->errors[e]);
        free(f->errors);
        free(f->gaps);
        free(f->path);
        free(f->artifact);
        free(f->channel);
        free(f->reported);
    }
    free(c->files);
    free(c->pub);
    free(c);
}

static void *cache_create(gl_run *run, void *arg)
{
    (void)run;
    (void)arg;
    event_cache *c = gl_xcalloc(1, sizeof *c);
    c->channels = gl_xcalloc(MAX_CHANNELS, sizeof *c->channels);
    return c;
}

static event_cache *get_cache(gl_run *run, gl_err *err)
{
    event_cache *c = gl_run_shared(run, "detect.events", cache_create, NULL, cache_destroy);
    if (!c->built) {
        c->built = true;
        if (build(run, c, &c->fail) != 0)
            c->failed = true;
    }
    if (c->failed) {
        gl_err_setc(err, c->fail.code, "event-log cache: %s", c->fail.msg);
        return NULL;
    }
    return c;
}

size_t gl_events_files(gl_run *run, const gl_evtx_file **files, gl_err *err)
{
    event_cache *c = get_cache(run, err);
    *files = c ? c->pub : NULL;
    return c ? c->n_files : 0;
}

/* ---- reading back ---------------------------------------------------------------- */

typedef struct cache_reader {
    event_cache *c;
    uint8_t *buf;
    uint64_t buf_off; /* spool offset of buf[0] */
    size_t buf_len;
} cache_reader;

/* Bytes [off, off+n) of the spool; NULL at the end or on error. */
static const uint8_t *cache_bytes(cache_reader *r, uint64_t off, size_t n, gl_buf *big, gl_err *err)
{
    if (off >= r->buf_off && off + n <= r->buf_off + r->buf_len)
        return r->buf + (off - r->buf_off);
    if (n > READ_CHUNK) { /* an event larger than the buffer */
        gl_buf_clear(big);
        gl_buf_reserve(big, n);
        if (gl_spool_read_at(&r->c->spool, off, big->data, n, err) != (int64_t)n)
            return NULL;
        return (const uint8_t *)big->data;
    }
    int64_t got = gl_spool_read_at(&r->c->spool, off, r->buf, READ_CHUNK, err);
    if (got < (int64_t)n)
        return NULL;
    r->buf_off = off;
    r->buf_len = (size_t)got;
    return r->buf;
}

static const char *take_str(const uint8_t **p)
{
    uint32_t n;
    memcpy(&n, *p, 4);
    const char *s = (const char *)*p + 4;
    *p += 4 + n + 1;
    return s;
}

static void decode(const uint8_t *p, event_cache *c, gl_event *ev, evtx_pair **fields, size_t *cap, char *locator,
                   size_t locator_len)
{
    uint16_t id, rec;
    uint32_t file, nf;
    memcpy(&id, p + 4, 2);
    memcpy(&rec, p + 6, 2);
    memcpy(&file, p + 8, 4);
    memcpy(&ev->record_id, p + 12, 8);
    memcpy(&ev->time, p + 20, 8);
    memcpy(&nf, p + 28, 4);
    p += 32;
    ev->event_id = id;
    ev->recovered = rec != 0;
    ev->channel = take_str(&p);
    ev->provider = take_str(&p);
    ev->computer = take_str(&p);
    ev->user_sid = take_str(&p);
    ev->time_iso = take_str(&p);
    if (nf > *cap) {
        *cap = nf;
        *fields = gl_xrealloc(*fields, nf * sizeof **fields);
    }
    for (uint32_t i = 0; i < nf; i++) {
        (*fields)[i].name = take_str(&p);
        (*fields)[i].value = take_str(&p);
    }
    ev->fields = *fields;
    ev->n_fields = nf;
    file_rec *f = &c->files[file];
    ev->file = f->path;
    ev->artifact = f->artifact;
    snprintf(locator, locator_len, "EventRecordID=%llu%s", (unsigned long long)ev->record_id,
             ev->recovered ? " (recovered)" : "");
    ev->locator = locator;
}

static const gl_event_sub *declared(const gl_module *m, const char *channel)
{
    for (const gl_event_sub *s = m ? m->events : NULL; s && s->channel; s++)
        if (!strcasecmp(s->channel, channel))
            return s;
    return NULL;
}

static size_t module_index(gl_run *run, const gl_module *m)
{
    const gl_module *const *mods;
    size_t n = gl_run_modules(run, &mods);
    for (size_t i = 0; i < n; i++)
        if (mods[i] == m)
            return i;
    return n;
}

/* Errors of the files this channel's events come from, once per module. */
static void report_file_errors(gl_run *run, event_cache *c, size_t channel_index, const char *channel)
{
    size_t mi = module_index(run, gl_run_current(run));
    if (mi >= c->n_modules)
        return;
    for (size_t i = 0; i < c->n_files; i++) {
        file_rec *f = &c->files[i];
        bool mine = (f->channels_seen >> channel_index) & 1 || !strcasecmp(f->channel, channel);
        if (!mine || f->reported[mi] || !f->pub.n_errors)
            continue;
        f->reported[mi] = 1;
        for (size_t e = 0; e < f->pub.n_errors && e < MAX_ERRORS_PER_FILE; e++)
            gl_run_error(run, "event log %s: %s", f->path, f->errors[e]);
        if (f->pub.n_errors > MAX_ERRORS_PER_FILE)
            gl_run_error(run, "event log %s: %zu more problems (see the evtx records)", f->path,
                         f->pub.n_errors - MAX_ERRORS_PER_FILE);
    }
}

int gl_events_each(gl_run *run, const char *channel, gl_event_cb cb, void *ctx, gl_err *err)
{
    const gl_module *m = gl_run_current(run);
    const gl_event_sub *sub = declared(m, channel);
    if (!sub) {
        gl_run_error(run, "module %s reads events of channel %s without declaring them", m ? m->name : "?",
                     channel);
        return 0;
    }
    event_cache *c = get_cache(run, err);
    if (!c)
        return -1;
    size_t ci = 0;
    channel_sub *ch = find_channel(c, channel, &ci);
    if (!ch)
        return 0;
    report_file_errors(run, c, ci, channel);
    uint8_t want[65536 / 8] = {0};
    for (size_t k = 0; k < sub->n_ids && k < GL_EVENT_SUB_MAX_IDS; k++)
        id_add(want, sub->ids[k]);
    cache_reader r = {.c = c, .buf = gl_xmalloc(READ_CHUNK)};
    gl_buf big = {0};
    evtx_pair *fields = NULL;
    size_t cap = 0;
    char locator[64];
    int rc = 0;
    /* a module over its time budget ends with the events it saw (module.h) */
    for (uint64_t off = 0; off < c->spool.size && rc == 0 && !gl_run_expired(run);) {
        const uint8_t *hdr = cache_bytes(&r, off, 8, &big, err);
        if (!hdr) {
            rc = -1;
            break;
        }
        uint32_t size;
        uint16_t id;
        memcpy(&size, hdr, 4);
        memcpy(&id, hdr + 4, 2);
        if (id_set(want, id)) {
            const uint8_t *p = cache_bytes(&r, off, size, &big, err);
            if (!p) {
                rc = -1;
                break;
            }
            gl_event ev;
            decode(p, c, &ev, &fields, &cap, locator, sizeof locator);
            if (!strcasecmp(ev.channel, ch->name))
                rc = cb(ctx, &ev);
        }
        off += size;
    }
    free(fields);
    free(r.buf);
    gl_buf_free(&big);
    return rc;
}

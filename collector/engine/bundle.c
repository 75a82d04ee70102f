#include "bundle.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include "buf.h"
#include "entryname.h"
#include "json.h"
#include "text.h"

/* Each piece of a member is read into this much, hashed and handed to
 * zstd. */
#define COPY_CHUNK (1u << 20)

/* Only the name stays in memory (for deduplication); the member's
 * manifest entry goes to a spool at once, so memory does not grow with
 * the member count beyond the names. */
typedef struct member {
    char *path;
} member;

struct gl_bundle {
    struct archive *ar;
    FILE *fp;
    char *path;
    char *partial;
    time_t created;
    gl_encryptor *enc; /* NULL: the tar.zst goes to fp as it is */
    gl_sha256 whole;  /* hash of the file as written (ciphertext when encrypted) */
    uint64_t written;
    member *members;
    size_t n_members, cap_members;
    /* open-addressing set of member names for deduplication */
    size_t *slots;
    size_t n_slots;
    gl_bundle_stats stats;
    gl_spool manifest; /* the manifest's member entries, one per line */
    unsigned char *copybuf; /* COPY_CHUNK bytes: every member passes through it */
    char *note;          /* what happened to a stale .partial, for the run's log */
    volatile const sig_atomic_t *stop; /* non-zero: acquire no more files (interrupted) */
};

/* ---- member set ------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t *find_slot(const gl_bundle *b, const char *name)
{
    size_t mask = b->n_slots - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        size_t s = b->slots[i];
        if (s == 0 || !strcmp(b->members[s - 1].path, name))
            return &b->slots[i];
    }
}

static void grow_slots(gl_bundle *b)
{
    size_t old_n = b->n_slots;
    size_t *old = b->slots;
    b->n_slots = old_n ? old_n * 2 : 1024;
    b->slots = gl_xcalloc(b->n_slots, sizeof *b->slots);
    for (size_t i = 0; i < old_n; i++)
        if (old[i])
            *find_slot(b, b->members[old[i] - 1].path) = old[i];
    free(old);
}

static member *add_member(gl_bundle *b, const char *path)
{
    if ((b->n_members + 1) * 2 > b->n_slots)
        grow_slots(b);
    if (b->n_members == b->cap_members) {
        b->cap_members = b->cap_members ? b->cap_members * 2 : 64;
        b->members = gl_xrealloc(b->members, b->cap_members * sizeof *b->members);
    }
    member *m = &b->members[b->n_members++];
    memset(m, 0, sizeof *m);
    m->path = gl_xstrdup(path);
    *find_slot(b, path) = b->n_members;
    b->stats.members++;
    return m;
}

bool gl_bundle_has(const gl_bundle *b, const char *name)
{
    return b->n_slots && *find_slot(b, name) != 0;
}

/* ---- libarchive plumbing -------------------------------------------------- */

/* Bytes for the file itself: written, hashed for the sidecar, counted. */
static int file_put(void *ctx, const void *buf, size_t n, gl_err *err)
{
    gl_bundle *b = ctx;
    if (fwrite(buf, 1, n, b->fp) != n)
        return gl_err_errno(err, "writing %s", b->partial);
    gl_sha256_update(&b->whole, buf, n);
    b->written += n;
    b->stats.bundle_bytes = b->written;
    return 0;
}

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t n)
{
    gl_bundle *b = ctx;
    gl_err err = {0};
    int rc = b->enc ? gl_encryptor_write(b->enc, buf, n, &err) : file_put(b, buf, n, &err);
    if (rc != 0) {
        archive_set_error(a, EIO, "%s", err.msg);
        return -1;
    }
    return (la_ssize_t)n;
}

static int ar_fail(gl_bundle *b, gl_err *err, const char *what, const char *member_name)
{
    return gl_err_set(err, "%s: %s %s: %s", b->partial, what, member_name, archive_error_string(b->ar));
}

/* Beside the bundle, like the run's other spools. */
static int open_manifest_spool(gl_bundle *b, gl_err *err)
{
    gl_buf dir = {0};
    const char *slash = strrchr(b->path, '/');
    if (slash)
        gl_buf_append(&dir, b->path, slash == b->path ? 1 : (size_t)(slash - b->path));
    else
        gl_buf_puts(&dir, ".");
    int rc = gl_spool_open(&b->manifest, dir.data, err);
    gl_buf_free(&dir);
    return rc;
}

/* A member's manifest entry, written as soon as its hash is known. */
static int manifest_entry(gl_bundle *b, const char *path, uint64_t size, const char *sha, const char *source,
                          gl_err *err)
{
    gl_buf out = {0};
    gl_buf_puts(&out, b->manifest.lines ? ",\n" : "\n");
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "path", path);
    gl_json_kv_uint(&j, "size", size);
    gl_json_kv_str(&j, "sha256", sha);
    if (source) {
        gl_json_key(&j, "source");
        gl_json_raw(&j, source, strlen(source));
    }
    gl_json_obj_end(&j);
    int rc = gl_spool_write(&b->manifest, out.data, out.len, err);
    b->manifest.lines++;
    gl_buf_free(&out);
    return rc;
}

/* A second thread pays only while a second core is free. When every
 * core is busy it only adds work: the data crosses between the cores'
 * caches and each hand-over may wait for the other thread to get a core
 * back; side by side on the loaded 2-core machine a second thread cost
 * 5-12% more CPU and more wall time than one. The load average counts
 * gleaner's own work too (about 1.75 while a bundle is written with two
 * threads, which a run started right after another one sees). So "free"
 * is a load below the cores plus a half: on two cores, nothing else
 * running. */
static bool second_core_free(void)
{
#ifdef GLEANER_TEST_BUILD
    const char *force = getenv("GLEANER_TEST_BUNDLE_THREAD"); /* "1" or "0": both paths, whatever the load */
    if (force)
        return !strcmp(force, "1");
#endif
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef _WIN32
    return cores >= 2; /* no load average; its scheduler shares the cores per thread */
#else
    double load;
    return cores >= 2 && getloadavg(&load, 1) == 1 && load < (double)cores + 0.5;
#endif
}

/* zstd compresses on a worker thread of its own (its buffers for 8 MiB
 * jobs: about 28 MiB more memory) while this thread reads and hashes,
 * when a core is free for it; the two take about the same time. The
 * bundle is one zstd frame, so that is decided once, before it starts.
 * The workers zstd runs: 0 when this libzstd was built without threads
 * (libarchive would ignore its refusal) or no core is free. The frame's
 * bytes differ between 0 and 1, the members do not. */
static unsigned zstd_workers(struct archive *ar)
{
    ZSTD_bounds w = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers);
    unsigned n = !ZSTD_isError(w.error) && w.upperBound >= 1 && second_core_free() ? 1 : 0;
    if (n && archive_write_set_filter_option(ar, "zstd", "threads", "1") != ARCHIVE_OK)
        n = 0;
    return n;
}

gl_bundle *gl_bundle_create(const char *path, time_t created, gl_err *err)
{
    return gl_bundle_create_encrypted(path, created, NULL, err);
}

gl_bundle *gl_bundle_create_encrypted(const char *path, time_t created, const gl_recipients *recipients, gl_err *err)
{
    gl_bundle *b = gl_xcalloc(1, sizeof *b);
    b->path = gl_xstrdup(path);
    gl_buf partial = {0};
    gl_buf_printf(&partial, "%s.partial", path);
    b->partial = partial.data;
    b->created = created;
    FILE *existing = fopen(path, "rb");
    if (existing) {
        fclose(existing);
        gl_err_set(err, "%s already exists; refusing to overwrite evidence", path);
        goto fail;
    }
    b->fp = fopen(b->partial, "wbx");
    if (!b->fp && errno == EEXIST) {
        /* A run that died left it; it must never block the next one. It
         * may be all that is left of an earlier collection: keep it aside. */
        gl_buf aside = {0};
        gl_buf_printf(&aside, "%s.stale-%lld", b->partial, (long long)created);
        if (rename(b->partial, aside.data) == 0) {
            gl_buf note = {0};
            gl_buf_printf(&note, "a stale %s from an interrupted run was moved aside to %s", b->partial, aside.data);
            b->note = note.data;
            b->fp = fopen(b->partial, "wbx");
        }
        gl_buf_free(&aside);
    }
    if (!b->fp) {
        gl_err_errno(err, "creating %s", b->partial);
        goto fail;
    }
    gl_sha256_init(&b->whole);
    if (recipients) {
        b->enc = gl_encryptor_open(recipients, file_put, b, err);
        if (!b->enc) {
            gl_err_prefix(err, "%s", b->partial);
            goto fail;
        }
    }
    b->ar = archive_write_new();
    if (archive_write_set_format_pax_restricted(b->ar) != ARCHIVE_OK ||
        archive_write_add_filter_zstd(b->ar) != ARCHIVE_OK)
        goto ar_failed;
    b->stats.zstd_workers = zstd_workers(b->ar);
    if (archive_write_set_bytes_in_last_block(b->ar, 1) != ARCHIVE_OK ||
        /* unblocked: zstd's output reaches write_cb as it comes, not in
         * 10 KiB pieces (the bytes are the same; the last block is not
         * padded either way) */
        archive_write_set_bytes_per_block(b->ar, 0) != ARCHIVE_OK ||
        archive_write_open2(b->ar, b, NULL, write_cb, NULL, NULL) != ARCHIVE_OK)
        goto ar_failed;
    b->copybuf = gl_xmalloc(COPY_CHUNK);
    if (open_manifest_spool(b, err) != 0)
        goto fail;
    return b;
ar_failed:
    gl_err_set(err, "%s: cannot start zstd pax archive: %s", b->partial, archive_error_string(b->ar));
fail:
    gl_bundle_abort(b);
    return NULL;
}

static struct archive_entry *new_entry(const char *name, uint64_t size, time_t t)
{
    struct archive_entry *e = archive_entry_new();
    gl_entry_set_name(e, name);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0444);
    archive_entry_set_mtime(e, t, 0);
    return e;
}

static int write_data(gl_bundle *b, const void *data, size_t n, gl_sha256 *h, const char *name, gl_err *err)
{
    if (n == 0)
        return 0;
    if (archive_write_data(b->ar, data, n) != (la_ssize_t)n)
        return ar_fail(b, err, "writing member", name);
    gl_sha256_update(h, data, n);
    return 0;
}

static void set_times(struct archive_entry *e, const gl_file_info *info)
{
    if (info->mtime.valid)
        archive_entry_set_mtime(e, (time_t)info->mtime.sec, info->mtime.nsec);
    if (info->atime.valid)
        archive_entry_set_atime(e, (time_t)info->atime.sec, info->atime.nsec);
    if (info->ctime.valid)
        archive_entry_set_ctime(e, (time_t)info->ctime.sec, info->ctime.nsec);
    if (info->btime.valid)
        archive_entry_set_birthtime(e, (time_t)info->btime.sec, info->btime.nsec);
}

static void json_time(gl_json *j, const char *key, gl_timespec t)
{
    gl_json_key(j, key);
    if (!t.valid) {
        gl_json_null(j);
        return;
    }
    char iso[GL_TIME_STRLEN];
    gl_unixtime_iso(t.sec, t.nsec, 9, iso);
    gl_json_str(j, iso);
}

static char *source_json(const gl_file_info *info, const char *problem)
{
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "path", info->path);
    gl_json_kv_uint(&j, "size", info->size);
    json_time(&j, "mtime", info->mtime);
    json_time(&j, "atime", info->atime);
    json_time(&j, "ctime", info->ctime);
    json_time(&j, "btime", info->btime);
    gl_json_kv_str(&j, "method", GL_READ_METHOD_POSIX);
    if (info->raw_path_hex) /* the path was escaped: its bytes as the file system gave them */
        gl_json_kv_str(&j, "path_raw_hex", info->raw_path_hex);
    if (problem)
        gl_json_kv_str(&j, "error", problem);
    gl_json_obj_end(&j);
    return out.data;
}

/* Reads a member once, in chunks. A file that shrinks or fails mid-read
 * (live hosts) keeps the archive valid: zero-filled to the announced
 * size, and problem says so. On the reading thread when there is one. */
typedef struct member_reader {
    gl_reader *r;
    uint64_t size, off;
    bool short_read;
    char problem[sizeof(gl_err) + 128];
} member_reader;

static size_t fill_chunk(void *ctx, unsigned char *buf, size_t cap)
{
    member_reader *mr = ctx;
    if (mr->off >= mr->size)
        return 0;
    size_t want = mr->size - mr->off < cap ? (size_t)(mr->size - mr->off) : cap;
    int64_t n = 0;
    if (!mr->short_read) {
        gl_err rerr = {0};
        n = mr->r->read_at(mr->r->ctx, mr->off, buf, want, &rerr);
        if (n <= 0) {
            snprintf(mr->problem, sizeof mr->problem, "%s at offset %llu of %llu; rest zero-filled",
                     n < 0 ? rerr.msg : "file shrank during acquisition", (unsigned long long)mr->off,
                     (unsigned long long)mr->size);
            mr->short_read = true;
        }
    }
    if (mr->short_read) {
        memset(buf, 0, want);
        n = (int64_t)want;
    }
    mr->off += (uint64_t)n;
    return (size_t)n;
}

/* One read of each chunk feeds both the hash and the archive. */
static int copy_member(gl_bundle *b, member_reader *mr, gl_sha256 *h, const char *name, gl_err *err)
{
    size_t n;
    while ((n = fill_chunk(mr, b->copybuf, COPY_CHUNK)) > 0)
        if (write_data(b, b->copybuf, n, h, name, err) != 0)
            return -1;
    return 0;
}

const char *gl_bundle_add_file(gl_bundle *b, const char *name, gl_file *f, gl_err *err)
{
    size_t slot = b->n_slots ? *find_slot(b, name) : 0;
    if (slot)
        return b->members[slot - 1].path;
    if (b->stop && *b->stop) {
        gl_err_setc(err, GL_ERR_LIMIT, "%s: not acquired: the run was interrupted", gl_file_get_info(f)->path);
        return NULL;
    }
    const gl_file_info *info = gl_file_get_info(f);
    uint64_t size = info->size; /* the header is written first: size as stat'ed */
    struct archive_entry *e = new_entry(name, size, b->created);
    set_times(e, info);
    int rc = archive_write_header(b->ar, e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK) {
        ar_fail(b, err, "writing header for", name);
        return NULL;
    }
    gl_reader r = gl_file_reader(f);
    gl_sha256 h;
    gl_sha256_init(&h);
    member_reader mr = {.r = &r, .size = size};
    if (copy_member(b, &mr, &h, name, err) != 0)
        goto fail;
    char sha[GL_SHA256_HEX];
    gl_sha256_final(&h, sha);
    char *src_json = source_json(info, mr.problem[0] ? mr.problem : NULL);
    int mrc = manifest_entry(b, name, size, sha, src_json, err);
    free(src_json);
    if (mrc != 0)
        return NULL;
    member *m = add_member(b, name);
    b->stats.artifacts++;
    b->stats.artifact_bytes += size;
    return m->path;
fail:
    {
        char dummy[GL_SHA256_HEX];
        gl_sha256_final(&h, dummy);
    }
    return NULL;
}

/* Header of a member gleaner itself produced (not evidence). */
static int begin_own_member(gl_bundle *b, const char *name, uint64_t size, gl_err *err)
{
    if (gl_bundle_has(b, name))
        return gl_err_set(err, "%s: member %s written twice", b->partial, name);
    struct archive_entry *e = new_entry(name, size, b->created);
    int rc = archive_write_header(b->ar, e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK)
        return ar_fail(b, err, "writing header for", name);
    return 0;
}

/* Its manifest entry (manifest.json itself has none) and its name. */
static int own_member_done(gl_bundle *b, const char *name, uint64_t size, gl_sha256 *h, int wrc, gl_err *err)
{
    char sha[GL_SHA256_HEX];
    gl_sha256_final(h, sha);
    if (wrc == 0 && strcmp(name, "manifest.json"))
        wrc = manifest_entry(b, name, size, sha, NULL, err);
    add_member(b, name);
    return wrc;
}

int gl_bundle_add_buffer(gl_bundle *b, const char *name, const void *data, size_t n, gl_err *err)
{
    if (begin_own_member(b, name, n, err) != 0)
        return -1;
    gl_sha256 h;
    gl_sha256_init(&h);
    int wrc = write_data(b, data, n, &h, name, err);
    return own_member_done(b, name, n, &h, wrc, err);
}

int gl_bundle_add_spool(gl_bundle *b, const char *name, gl_spool *sp, gl_err *err)
{
    if (begin_own_member(b, name, sp->size, err) != 0)
        return -1;
    gl_sha256 h;
    gl_sha256_init(&h);
    uint64_t off = 0;
    int wrc = 0;
    /* Through the spool's reader: a sealed spool decrypts as it is read. */
    while (off < sp->size && wrc == 0) {
        int64_t got = gl_spool_read_at(sp, off, b->copybuf, COPY_CHUNK, err);
        if (got <= 0) {
            wrc = got < 0 ? -1 : gl_err_set(err, "spool for %s ended early", name);
            break;
        }
        wrc = write_data(b, b->copybuf, (size_t)got, &h, name, err);
        off += (uint64_t)got;
    }
    return own_member_done(b, name, sp->size, &h, wrc, err);
}

gl_bundle_stats gl_bundle_get_stats(const gl_bundle *b) { return b->stats; }

/* manifest.json: the head, the spooled entries (one member per line, so a
 * manifest of many thousand files stays readable and diffable), the tail;
 * streamed, never built in memory. */
static int add_manifest(gl_bundle *b, gl_err *err)
{
    char head[128];
    int hn = snprintf(head, sizeof head, "{\"format\":\"%s\",\"algorithm\":\"sha256\",\"members\":[",
                      GL_MANIFEST_FORMAT);
    static const char tail[] = "\n]}\n";
    const char *name = "manifest.json";
    if (begin_own_member(b, name, (uint64_t)hn + b->manifest.size + sizeof tail - 1, err) != 0)
        return -1;
    gl_sha256 h;
    gl_sha256_init(&h);
    int wrc = write_data(b, head, (size_t)hn, &h, name, err);
    for (uint64_t off = 0; off < b->manifest.size && wrc == 0;) {
        int64_t got = gl_spool_read_at(&b->manifest, off, b->copybuf, COPY_CHUNK, err);
        if (got <= 0) {
            wrc = got < 0 ? -1 : gl_err_set(err, "manifest spool ended early");
            break;
        }
        wrc = write_data(b, b->copybuf, (size_t)got, &h, name, err);
        off += (uint64_t)got;
    }
    if (wrc == 0)
        wrc = write_data(b, tail, sizeof tail - 1, &h, name, err);
    return own_member_done(b, name, (uint64_t)hn + b->manifest.size + sizeof tail - 1, &h, wrc, err);
}

static void free_bundle(gl_bundle *b)
{
    for (size_t i = 0; i < b->n_members; i++)
        free(b->members[i].path);
    gl_spool_close(&b->manifest);
    free(b->members);
    free(b->slots);
    free(b->copybuf);
    free(b->path);
    free(b->partial);
    free(b->note);
    free(b);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int write_sidecar(const char *path, const char *sha_hex, const char *name, gl_err *err)
{
    gl_buf tmp = {0};
    gl_buf_printf(&tmp, "%s.partial", path);
    FILE *sf = fopen(tmp.data, "w");
    int rc = 0;
    if (!sf || fprintf(sf, "%s  %s\n", sha_hex, name) < 0 || fflush(sf) != 0 || fsync(fileno(sf)) != 0) {
        rc = gl_err_errno(err, "writing %s", path);
    }
    if (sf && fclose(sf) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", path);
    if (rc == 0 && rename(tmp.data, path) != 0)
        rc = gl_err_errno(err, "renaming %s to %s", tmp.data, path);
    if (rc != 0)
        remove(tmp.data);
    gl_buf_free(&tmp);
    return rc;
}

const char *gl_bundle_note(const gl_bundle *b) { return b->note; }
void gl_bundle_set_stop_flag(gl_bundle *b, volatile const sig_atomic_t *stop) { b->stop = stop; }

int gl_bundle_finish(gl_bundle *b, char sha_hex[GL_SHA256_HEX], gl_err *err)
{
    int rc = add_manifest(b, err);
    if (rc != 0)
        goto fail;
    if (archive_write_close(b->ar) != ARCHIVE_OK) {
        ar_fail(b, err, "closing", "archive");
        goto fail;
    }
    archive_write_free(b->ar);
    b->ar = NULL;
    if (b->enc) {
        gl_encryptor *enc = b->enc;
        b->enc = NULL;
        if (gl_encryptor_finish(enc, err) != 0) {
            gl_err_prefix(err, "%s", b->partial);
            goto fail;
        }
    }
    if (fflush(b->fp) != 0 || fsync(fileno(b->fp)) != 0 || fclose(b->fp) != 0) {
        b->fp = NULL;
        gl_err_errno(err, "finishing %s", b->partial);
        goto fail;
    }
    b->fp = NULL;
    gl_sha256_final(&b->whole, sha_hex);
    /* The sidecar first, then the rename: whatever fails (a full disk at
     * the very end), either both files are in place or neither is, so the
     * exit code and the files on disk agree. */
    gl_buf side = {0};
    gl_buf_printf(&side, "%s.sha256", b->path);
    rc = write_sidecar(side.data, sha_hex, base_name(b->path), err);
    if (rc == 0 && rename(b->partial, b->path) != 0) {
        gl_err_errno(err, "renaming %s to %s", b->partial, b->path);
        remove(side.data);
        rc = -1;
    }
    if (rc != 0)
        remove(b->partial);
    gl_buf_free(&side);
    free_bundle(b);
    return rc;
fail:
    gl_bundle_abort(b);
    return -1;
}

void gl_bundle_abort(gl_bundle *b)
{
    if (!b)
        return;
    if (b->ar) {
        archive_write_free(b->ar);
        b->ar = NULL;
    }
    gl_encryptor_free(b->enc);
    b->enc = NULL;
    if (b->fp) {
        fclose(b->fp);
        b->fp = NULL;
        remove(b->partial);
    }
    if (b->whole.ctx) {
        char dummy[GL_SHA256_HEX];
        gl_sha256_final(&b->whole, dummy);
    }
    free_bundle(b);
}

static const char *acquire_cb(void *ctx, gl_file *f, const char *name, gl_err *err)
{
    return gl_bundle_add_file(ctx, name, f, err);
}

gl_acquirer gl_bundle_acquirer(gl_bundle *b)
{
    gl_acquirer a = {.ctx = b, .acquire = acquire_cb};
    return a;
}

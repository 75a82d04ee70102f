#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bundle_crypt.h"
#include "bundle_unpack.h"
#include "manifest_stream.h"
#include "sha256.h"

#define READ_CHUNK (1u << 20)

/* ---- caps on what a bundle may unpack ---------------------------------------- */

gl_unpack_limits gl_unpack_limits_default(void)
{
    gl_unpack_limits l = {GL_UNPACK_RATIO_DEFAULT, GL_UNPACK_TOTAL_DEFAULT, GL_UNPACK_MEMBER_DEFAULT,
                          GL_UNPACK_MEMBERS_DEFAULT};
    return l;
}

static gl_unpack_limits unpack_limits = {GL_UNPACK_RATIO_DEFAULT, GL_UNPACK_TOTAL_DEFAULT, GL_UNPACK_MEMBER_DEFAULT,
                                         GL_UNPACK_MEMBERS_DEFAULT};
void gl_bundle_set_unpack_limits(const gl_unpack_limits *l) { unpack_limits = *l; }

/* The caps for one reading of bundle_path: the ratio is taken against the
 * file's size on disk. */
typedef struct caps {
    uint64_t total, member, members;
    uint64_t seen_total, seen_members;
    const char *why_total, *why_member;
} caps;

static void caps_for(const char *bundle_path, caps *c)
{
    static const char *const rel_why = "the cap relative to the bundle's size (--unpack-limit ratio=)";
    const gl_unpack_limits *l = &unpack_limits;
    struct stat st;
    memset(c, 0, sizeof *c);
    c->total = l->max_total;
    c->why_total = "the cap on all members (--unpack-limit total=)";
    c->member = l->max_member;
    c->why_member = "the cap on one member (--unpack-limit member=)";
    c->members = l->max_members;
    if (l->ratio && stat(bundle_path, &st) == 0) {
        uint64_t compressed = st.st_size > 0 ? (uint64_t)st.st_size : 1;
        uint64_t rel = compressed > UINT64_MAX / l->ratio ? UINT64_MAX : compressed * l->ratio;
        if (rel < c->total)
            c->total = rel, c->why_total = rel_why;
        if (rel < c->member)
            c->member = rel, c->why_member = rel_why;
    }
}

static int caps_member(caps *c, const char *name, gl_err *err)
{
    if (++c->seen_members > c->members)
        return gl_err_setc(err, GL_ERR_LIMIT, "bundle member '%s': more than %llu members (--unpack-limit members=)",
                           name, (unsigned long long)c->members);
    return 0;
}

/* n more bytes of member `name`, member_bytes of it so far. */
static int caps_bytes(caps *c, const char *name, uint64_t member_bytes, uint64_t n, gl_err *err)
{
    c->seen_total += n;
    if (member_bytes > c->member)
        return gl_err_setc(err, GL_ERR_LIMIT, "bundle member '%s': unpacks to more than %llu bytes, %s", name,
                           (unsigned long long)c->member, c->why_member);
    if (c->seen_total > c->total)
        return gl_err_setc(err, GL_ERR_LIMIT, "bundle member '%s': the bundle unpacks to more than %llu bytes, %s",
                           name, (unsigned long long)c->total, c->why_total);
    return 0;
}

static const char *source_key_pem, *source_cert_pem;
void gl_bundle_set_source_key(const char *key_pem, const char *cert_pem)
{
    source_key_pem = key_pem;
    source_cert_pem = cert_pem;
}

/* Without a source key, plain bundles only: an encrypted one is refused
 * with a clear message. */
static struct archive *open_bundle(const char *path, gl_err *err)
{
    return gl_bundle_open_archive(path, source_key_pem, source_cert_pem, err);
}

/* ---- unpacking for bundle: sources ---------------------------------------- */

void gl_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                gl_buf child = {0};
                gl_buf_printf(&child, "%s/%s", path, e->d_name);
                gl_remove_tree(child.data);
                gl_buf_free(&child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Create parent directories of rel under root; refuses "..", absolute and
 * empty components so a hostile bundle cannot write outside root. */
static int make_parents(const char *root, const char *rel, gl_err *err)
{
    gl_buf p = {0};
    gl_buf_puts(&p, root);
    const char *s = rel;
    int rc = 0;
    while (rc == 0) {
        const char *slash = strchr(s, '/');
        if (!slash)
            break;
        size_t n = (size_t)(slash - s);
        if (n == 0 || (n == 2 && !strncmp(s, "..", 2)) || (n == 1 && s[0] == '.')) {
            rc = gl_err_set(err, "bundle member 'artifacts/%s': unsafe path component", rel);
            break;
        }
        gl_buf_putc(&p, '/');
        gl_buf_append(&p, s, n);
        if (mkdir(p.data, 0700) != 0 && errno != EEXIST)
            rc = gl_err_errno(err, "creating %s", p.data);
        s = slash + 1;
    }
    if (rc == 0 && (!*s || !strcmp(s, "..") || !strcmp(s, ".")))
        rc = gl_err_set(err, "bundle member 'artifacts/%s': unsafe file name", rel);
    gl_buf_free(&p);
    return rc;
}

/* Unpacked artifacts keep the times recorded in the bundle, so modules
 * re-analysing a bundle see the original file times. */
static void restore_times(int fd, struct archive_entry *e)
{
    struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (archive_entry_atime_is_set(e))
        ts[0] = (struct timespec){archive_entry_atime(e), archive_entry_atime_nsec(e)};
    if (archive_entry_mtime_is_set(e))
        ts[1] = (struct timespec){archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
    futimens(fd, ts);
}

static int extract_entry(struct archive *a, struct archive_entry *e, const char *name, const char *dest, caps *c,
                         gl_err *err)
{
    /* a size announced over the caps is refused before anything is written */
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
        caps_bytes(c, name, (uint64_t)archive_entry_size(e), 0, err) != 0)
        return -1;
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return gl_err_errno(err, "creating %s", dest);
    const void *buf;
    size_t len;
    la_int64_t off;
    int rc = 0, r;
    uint64_t end = 0;
    while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
        /* what the member would take, holes included, before it is written */
        uint64_t upto = (uint64_t)off + len;
        if ((rc = caps_bytes(c, name, upto > end ? upto : end, upto > end ? upto - end : 0, err)) != 0)
            break;
        end = upto > end ? upto : end;
        if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len) {
            rc = gl_err_errno(err, "writing %s", dest);
            break;
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF)
        rc = gl_err_set(err, "reading bundle member for %s: %s", dest, archive_error_string(a));
    restore_times(fd, e);
    if (close(fd) != 0 && rc == 0)
        rc = gl_err_errno(err, "closing %s", dest);
    return rc;
}

char *gl_bundle_unpack_artifacts(const char *bundle_path, const char *parent, char *drive,
                                 size_t drive_len, gl_err *err)
{
    struct archive *a = open_bundle(bundle_path, err);
    if (!a)
        return NULL;
    gl_buf dir = {0};
    gl_buf_printf(&dir, "%s/.gleaner-bundle-src-XXXXXX", parent);
    if (!mkdtemp(dir.data)) {
        gl_err_errno(err, "creating scratch directory in %s", parent);
        gl_buf_free(&dir);
        archive_read_free(a);
        return NULL;
    }
    drive[0] = '\0';
    struct archive_entry *e;
    int r, rc = 0;
    caps c;
    caps_for(bundle_path, &c);
    while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        if ((rc = caps_member(&c, name ? name : "(unnamed)", err)) != 0)
            break;
        if (!name || strncmp(name, "artifacts/", 10) || archive_entry_filetype(e) != AE_IFREG)
            continue;
        const char *rel = name + 10;
        const char *slash = strchr(rel, '/');
        if (!slash || (size_t)(slash - rel) >= drive_len)
            continue;
        if (!drive[0]) {
            memcpy(drive, rel, (size_t)(slash - rel));
            drive[slash - rel] = '\0';
        }
        rc = make_parents(dir.data, rel, err);
        if (rc == 0) {
            gl_buf dest = {0};
            gl_buf_printf(&dest, "%s/%s", dir.data, rel);
            rc = extract_entry(a, e, name, dest.data, &c, err);
            gl_buf_free(&dest);
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF)
        rc = gl_err_set(err, "%s: %s", bundle_path, archive_error_string(a));
    archive_read_free(a);
    if (rc == 0 && !drive[0])
        rc = gl_err_set(err, "%s: bundle holds no artifacts/ members", bundle_path);
    if (rc == 0) {
        gl_buf root = {0};
        gl_buf_printf(&root, "%s/%s", dir.data, drive);
        mkdir(root.data, 0700);
        gl_buf_free(&root);
        return dir.data;
    }
    gl_remove_tree(dir.data);
    gl_buf_free(&dir);
    return NULL;
}

/* ---- verification ----------------------------------------------------------- */

/* Members as they are read, kept compact (a name in one arena, the hash in
 * binary) so that verifying 200 000 members stays within a few tens of MB;
 * the manifest is read as a stream (manifest_stream.h), never whole. */
typedef struct seen_rec {
    uint64_t name; /* offset in seen_set.names */
    uint64_t size;
    unsigned char sha[32];
    unsigned char matched;
} seen_rec;

typedef struct seen_set {
    gl_buf names;
    seen_rec *v;
    size_t n, cap;
    size_t sorted; /* v[0..sorted) is in name order */
} seen_set;

static const char *rec_name(const seen_set *s, const seen_rec *r) { return s->names.data + r->name; }

static int cmp_rec(const void *a, const void *b, void *set)
{
    return strcmp(rec_name(set, a), rec_name(set, b));
}

static void sort_seen(seen_set *s)
{
    if (s->n > 1)
        qsort_r(s->v, s->n, sizeof *s->v, cmp_rec, s);
    s->sorted = s->n;
}

static seen_rec *find_rec(seen_set *s, const char *path)
{
    size_t lo = 0, hi = s->sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, rec_name(s, &s->v[mid]));
        if (c == 0)
            return &s->v[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static seen_rec *add_rec(seen_set *s, const char *path)
{
    s->v = gl_grow_array(s->v, &s->cap, s->n, sizeof *s->v);
    seen_rec *r = &s->v[s->n++];
    memset(r, 0, sizeof *r);
    r->name = s->names.len;
    gl_buf_append(&s->names, path, strlen(path) + 1);
    return r;
}

static void hex_of(const unsigned char sha[32], char out[GL_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = digits[sha[i] >> 4];
        out[2 * i + 1] = digits[sha[i] & 15];
    }
    out[64] = '\0';
}

static void bin_of(const char hex[GL_SHA256_HEX], unsigned char sha[32])
{
    for (size_t i = 0; i < 32; i++) {
        char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
        sha[i] = (unsigned char)strtoul(pair, NULL, 16);
    }
}

typedef struct verify_ctx {
    seen_set *seen;
    gl_verify_result *res;
    gl_buf *report;
} verify_ctx;

/* One manifest entry, against the members read before the manifest. */
static int check_entry(void *ctx, const gl_manifest_entry *e)
{
    verify_ctx *v = ctx;
    seen_rec *r = find_rec(v->seen, e->path);
    if (!r) {
        v->res->missing++;
        gl_buf_printf(v->report, "missing: %s\n", e->path);
        return 0;
    }
    r->matched = 1;
    char hex[GL_SHA256_HEX];
    hex_of(r->sha, hex);
    if (strcmp(hex, e->sha256) || (double)r->size != e->size) {
        v->res->altered++;
        gl_buf_printf(v->report, "altered: %s (sha256 %s, size %llu; manifest says %s, size %.0f)\n", e->path, hex,
                      (unsigned long long)r->size, e->sha256, e->size);
    }
    return 0;
}

/* Hash one member's data (feeding it to the manifest reader when it is
 * the manifest), within the unpacking caps. */
static int hash_member(struct archive *a, seen_rec *m, const char *name, gl_manifest_reader *mr, caps *c,
                       gl_err *err)
{
    gl_sha256 h;
    gl_sha256_init(&h);
    const void *buf;
    size_t len;
    la_int64_t off;
    int r, rc = 0;
    m->size = 0;
    while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
        gl_sha256_update(&h, buf, len);
        m->size += len;
        if (mr)
            gl_manifest_feed(mr, buf, len);
        if ((rc = caps_bytes(c, name, m->size, len, err)) != 0)
            break;
    }
    char hex[GL_SHA256_HEX];
    gl_sha256_final(&h, hex);
    bin_of(hex, m->sha);
    if (rc == 0 && r != ARCHIVE_EOF)
        return gl_err_set(err, "member %s: data unreadable after %llu bytes: %s", name, (unsigned long long)m->size,
                          archive_error_string(a));
    return rc;
}

static void check_sidecar(const char *bundle_path, gl_verify_result *res, gl_buf *report)
{
    gl_buf side = {0};
    gl_buf_printf(&side, "%s.sha256", bundle_path);
    FILE *f = fopen(side.data, "r");
    res->sidecar_ok = -1;
    if (!f) {
        gl_buf_printf(report, "sidecar %s: missing (%s)\n", side.data, strerror(errno));
        gl_buf_free(&side);
        return;
    }
    char line[512] = "";
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    char actual[GL_SHA256_HEX];
    if (!ok || strlen(line) < 64) {
        gl_buf_printf(report, "sidecar %s: not in sha256sum format\n", side.data);
    } else if (gl_sha256_file(bundle_path, actual) != 0) {
        gl_buf_printf(report, "bundle %s: cannot be read to hash it\n", bundle_path);
    } else if (strncmp(line, actual, 64) != 0) {
        res->sidecar_ok = 0;
        gl_buf_printf(report, "sidecar %s: bundle SHA-256 is %s, sidecar says %.64s\n", side.data,
                      actual, line);
    } else {
        res->sidecar_ok = 1;
    }
    gl_buf_free(&side);
}

int gl_bundle_verify(const char *bundle_path, gl_verify_result *res, gl_buf *report)
{
    return gl_bundle_verify_key(bundle_path, NULL, NULL, res, report);
}

/* Every member read, hashed and recorded; the manifest checked as it
 * streams by. Returns the name of the last member (in seen) or NULL. */
static const char *read_members(struct archive *a, const char *bundle_path, seen_set *seen, verify_ctx *vc,
                                gl_manifest_reader **mr, gl_err *err)
{
    caps c;
    caps_for(bundle_path, &c);
    struct archive_entry *e;
    int r;
    int64_t last = -1;
    gl_verify_result *res = vc->res;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        if (!name)
            name = "(unnamed)";
        if (caps_member(&c, name, err) != 0) {
            res->readable = 0;
            gl_buf_printf(vc->report, "refused: %s\n", err->msg);
            break;
        }
        bool is_manifest = !strcmp(name, "manifest.json");
        if (is_manifest) { /* everything it lists came before it */
            sort_seen(seen);
            gl_manifest_reader_free(*mr);
            *mr = gl_manifest_reader_new(check_entry, vc);
        }
        seen_rec *m = add_rec(seen, name);
        last = (int64_t)(m - seen->v);
        if (hash_member(a, m, name, is_manifest ? *mr : NULL, &c, err) != 0) {
            res->readable = 0;
            gl_buf_printf(vc->report, "%s: %s\n", err->code == GL_ERR_LIMIT ? "refused" : "truncated or corrupt",
                          err->msg);
            break;
        }
    }
    if (res->readable && r != ARCHIVE_EOF) {
        res->readable = 0;
        gl_buf_printf(vc->report, "truncated or corrupt: %s after member %s: %s\n", bundle_path,
                      last >= 0 ? rec_name(seen, &seen->v[last]) : "(none)", archive_error_string(a));
    }
    return last >= 0 ? rec_name(seen, &seen->v[last]) : NULL;
}

int gl_bundle_verify_key(const char *bundle_path, const char *key_pem, const char *cert_pem, gl_verify_result *res,
                         gl_buf *report)
{
    memset(res, 0, sizeof *res);
    res->readable = 1;
    res->manifest_ok = 1;
    gl_err err = {0};
    seen_set seen = {0};
    gl_manifest_reader *mr = NULL;
    verify_ctx vc = {&seen, res, report};
    const char *last_name = NULL;
    struct archive *a = gl_bundle_open_archive(bundle_path, key_pem, cert_pem, &err);
    if (!a && err.code == GL_ERR_USAGE) { /* encrypted: no key, or not a recipient's */
        res->key_problem = 1;
        res->readable = 0;
        gl_buf_printf(report, "%s\n", err.msg);
        return 1;
    }
    if (!a) {
        res->readable = 0;
        gl_buf_printf(report, "truncated or corrupt: %s\n", err.msg);
    } else {
        last_name = read_members(a, bundle_path, &seen, &vc, &mr, &err);
        archive_read_free(a);
    }
    res->members_checked = seen.n;
    bool last_is_manifest = last_name && !strcmp(last_name, "manifest.json");
    sort_seen(&seen); /* all of them now, for duplicates and extras */
    for (size_t i = 1; i < seen.n; i++)
        if (!strcmp(rec_name(&seen, &seen.v[i]), rec_name(&seen, &seen.v[i - 1]))) {
            res->duplicate++;
            gl_buf_printf(report, "duplicate: %s appears more than once\n", rec_name(&seen, &seen.v[i]));
        }
    if (!last_is_manifest) {
        res->manifest_ok = 0;
        gl_buf_printf(report, "manifest.json: %s\n", mr ? "not the last member" : "missing");
    }
    size_t malformed = 0;
    if (mr && gl_manifest_finish(mr, &malformed, &err) != 0) {
        res->manifest_ok = 0;
        gl_buf_printf(report, "manifest.json: %s\n", err.msg);
    }
    if (mr)
        for (size_t i = 0; i < seen.n; i++)
            if (!seen.v[i].matched && strcmp(rec_name(&seen, &seen.v[i]), "manifest.json")) {
                res->extra++;
                gl_buf_printf(report, "extra: %s (not in manifest)\n", rec_name(&seen, &seen.v[i]));
            }
    gl_manifest_reader_free(mr);
    check_sidecar(bundle_path, res, report);
    gl_buf_free(&seen.names);
    free(seen.v);
    bool ok = res->readable && res->manifest_ok && res->sidecar_ok == 1 && !res->missing && !res->extra &&
              !res->altered && !res->duplicate;
    return ok ? 0 : 1;
}

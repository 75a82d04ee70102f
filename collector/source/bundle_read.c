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
#include "sha256.h"

#define MANIFEST_MAX (512u << 20) /* refuse absurd manifests rather than exhaust memory */
#define READ_CHUNK (1u << 20)

/* Plain bundles only: an encrypted one is refused with a clear message. */
static struct archive *open_bundle(const char *path, gl_err *err)
{
    return gl_bundle_open_archive(path, NULL, NULL, err);
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

static int extract_entry(struct archive *a, struct archive_entry *e, const char *dest, gl_err *err)
{
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return gl_err_errno(err, "creating %s", dest);
    const void *buf;
    size_t len;
    la_int64_t off;
    int rc = 0, r;
    while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
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
    while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
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
            rc = extract_entry(a, e, dest.data, err);
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

typedef struct seen_member {
    char *path;
    uint64_t size;
    char sha256[GL_SHA256_HEX];
    int matched;
} seen_member;

static int cmp_seen(const void *a, const void *b)
{
    return strcmp(((const seen_member *)a)->path, ((const seen_member *)b)->path);
}

static seen_member *find_seen(seen_member *v, size_t n, const char *path)
{
    if (n == 0)
        return NULL;
    seen_member key = {.path = (char *)path};
    return bsearch(&key, v, n, sizeof *v, cmp_seen);
}

/* Hash one member's data; keep the bytes too when it is the manifest. */
static int hash_member(struct archive *a, seen_member *m, gl_buf *keep, gl_err *err)
{
    gl_sha256 h;
    gl_sha256_init(&h);
    const void *buf;
    size_t len;
    la_int64_t off;
    int r;
    m->size = 0;
    while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
        gl_sha256_update(&h, buf, len);
        m->size += len;
        if (keep && keep->len + len <= MANIFEST_MAX)
            gl_buf_append(keep, buf, len);
    }
    gl_sha256_final(&h, m->sha256);
    if (r != ARCHIVE_EOF)
        return gl_err_set(err, "member %s: data unreadable after %llu bytes: %s", m->path,
                          (unsigned long long)m->size, archive_error_string(a));
    return 0;
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

static void compare_manifest(cJSON *manifest, seen_member *seen, size_t n_seen,
                             gl_verify_result *res, gl_buf *report)
{
    cJSON *members = cJSON_GetObjectItemCaseSensitive(manifest, "members");
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(manifest, "format");
    if (!cJSON_IsArray(members) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, GL_MANIFEST_FORMAT)) {
        res->manifest_ok = 0;
        gl_buf_printf(report, "manifest.json: not a %s manifest (no members array)\n", GL_MANIFEST_FORMAT);
        return;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, members)
    {
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(m, "path");
        const cJSON *sha = cJSON_GetObjectItemCaseSensitive(m, "sha256");
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(m, "size");
        if (!cJSON_IsString(path) || !cJSON_IsString(sha) || !cJSON_IsNumber(size)) {
            res->manifest_ok = 0;
            gl_buf_printf(report, "manifest.json: malformed member entry\n");
            continue;
        }
        seen_member *s = find_seen(seen, n_seen, path->valuestring);
        if (!s) {
            res->missing++;
            gl_buf_printf(report, "missing: %s\n", path->valuestring);
            continue;
        }
        s->matched = 1;
        if (strcmp(s->sha256, sha->valuestring) || (double)s->size != size->valuedouble) {
            res->altered++;
            gl_buf_printf(report, "altered: %s (sha256 %s, size %llu; manifest says %s, size %.0f)\n",
                          s->path, s->sha256, (unsigned long long)s->size, sha->valuestring,
                          size->valuedouble);
        }
    }
    for (size_t i = 0; i < n_seen; i++) {
        if (!seen[i].matched && strcmp(seen[i].path, "manifest.json")) {
            res->extra++;
            gl_buf_printf(report, "extra: %s (not in manifest)\n", seen[i].path);
        }
    }
}

int gl_bundle_verify(const char *bundle_path, gl_verify_result *res, gl_buf *report)
{
    return gl_bundle_verify_key(bundle_path, NULL, NULL, res, report);
}

int gl_bundle_verify_key(const char *bundle_path, const char *key_pem, const char *cert_pem, gl_verify_result *res,
                         gl_buf *report)
{
    memset(res, 0, sizeof *res);
    res->readable = 1;
    res->manifest_ok = 1;
    gl_err err = {0};
    seen_member *seen = NULL;
    size_t n_seen = 0, cap = 0;
    gl_buf manifest = {0};
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
        struct archive_entry *e;
        int r;
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
            const char *name = archive_entry_pathname_utf8(e);
            if (!name)
                name = archive_entry_pathname(e);
            if (n_seen == cap) {
                cap = cap ? cap * 2 : 256;
                seen = gl_xrealloc(seen, cap * sizeof *seen);
            }
            seen_member *m = &seen[n_seen++];
            memset(m, 0, sizeof *m);
            m->path = gl_xstrdup(name ? name : "(unnamed)");
            last_name = m->path;
            bool is_manifest = !strcmp(m->path, "manifest.json");
            if (is_manifest)
                gl_buf_clear(&manifest);
            if (hash_member(a, m, is_manifest ? &manifest : NULL, &err) != 0) {
                res->readable = 0;
                gl_buf_printf(report, "truncated or corrupt: %s\n", err.msg);
                break;
            }
        }
        if (res->readable && r != ARCHIVE_EOF) {
            res->readable = 0;
            gl_buf_printf(report, "truncated or corrupt: %s after member %s: %s\n", bundle_path,
                          last_name ? last_name : "(none)", archive_error_string(a));
        }
        archive_read_free(a);
    }
    res->members_checked = n_seen;
    if (n_seen > 1)
        qsort(seen, n_seen, sizeof *seen, cmp_seen);
    for (size_t i = 1; i < n_seen; i++)
        if (!strcmp(seen[i].path, seen[i - 1].path)) {
            res->duplicate++;
            gl_buf_printf(report, "duplicate: %s appears more than once\n", seen[i].path);
        }
    if (!last_name || strcmp(last_name, "manifest.json")) {
        res->manifest_ok = 0;
        gl_buf_printf(report, "manifest.json: %s\n",
                      find_seen(seen, n_seen, "manifest.json") ? "not the last member" : "missing");
    }
    if (find_seen(seen, n_seen, "manifest.json")) {
        cJSON *doc = cJSON_ParseWithLength(manifest.data ? manifest.data : "", manifest.len);
        if (!doc) {
            res->manifest_ok = 0;
            gl_buf_printf(report, "manifest.json: not valid JSON\n");
        } else {
            compare_manifest(doc, seen, n_seen, res, report);
            cJSON_Delete(doc);
        }
    }
    check_sidecar(bundle_path, res, report);
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i].path);
    free(seen);
    gl_buf_free(&manifest);
    bool ok = res->readable && res->manifest_ok && res->sidecar_ok == 1 && !res->missing &&
              !res->extra && !res->altered && !res->duplicate;
    return ok ? 0 : 1;
}

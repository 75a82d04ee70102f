/* libarchive over a gl_reader: read, skip and seek callbacks on the
 * reader, a bounded header loop, no data extraction. */
#include "archive_list.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "archive_sniff.h"
#include "buf.h"

#define CHUNK 65536

typedef struct list_src {
    const gl_reader *r;
    uint64_t pos, used, budget;
    uint8_t *buf;
    bool over_budget;
} list_src;

static la_ssize_t src_read(struct archive *a, void *ud, const void **out)
{
    list_src *s = ud;
    size_t want = CHUNK;
    if (s->budget) {
        if (s->used >= s->budget) {
            s->over_budget = true;
            archive_set_error(a, ERANGE, "read cap of %" PRIu64 " bytes reached", s->budget);
            return -1;
        }
        if (s->budget - s->used < want)
            want = (size_t)(s->budget - s->used);
    }
    *out = s->buf;
    if (s->pos >= s->r->size)
        return 0;
    gl_err err = {0};
    int64_t n = s->r->read_at(s->r->ctx, s->pos, s->buf, want, &err);
    if (n < 0) {
        archive_set_error(a, EIO, "%s", err.msg);
        return -1;
    }
    s->pos += (uint64_t)n;
    s->used += (uint64_t)n;
    return (la_ssize_t)n;
}

/* Skipping costs no reads: stepping over entry data stays cheap and does
 * not count against the byte cap. */
static la_int64_t src_skip(struct archive *a, void *ud, la_int64_t request)
{
    (void)a;
    list_src *s = ud;
    uint64_t left = s->r->size > s->pos ? s->r->size - s->pos : 0;
    uint64_t step = request > 0 ? (uint64_t)request : 0;
    if (step > left)
        step = left;
    s->pos += step;
    return (la_int64_t)step;
}

static la_int64_t src_seek(struct archive *a, void *ud, la_int64_t offset, int whence)
{
    list_src *s = ud;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)s->pos : (int64_t)s->r->size;
    if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) {
        archive_set_error(a, EINVAL, "seek outside the archive");
        return ARCHIVE_FATAL;
    }
    s->pos = (uint64_t)(base + offset);
    return (la_int64_t)s->pos;
}

static struct archive *open_reader(list_src *s)
{
    struct archive *a = archive_read_new();
    /* Only the formats gl_arc_sniff recognises; no external programs. */
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_raw(a);
    archive_read_set_callback_data(a, s);
    archive_read_set_read_callback(a, src_read);
    archive_read_set_skip_callback(a, src_skip);
    archive_read_set_seek_callback(a, src_seek);
    return a;
}

static void add_entry(gl_arc_listing *out, size_t *cap, struct archive_entry *e)
{
    if (out->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        out->entries = gl_xrealloc(out->entries, *cap * sizeof *out->entries);
    }
    const char *name = archive_entry_pathname_utf8(e);
    if (!name)
        name = archive_entry_pathname(e);
    out->entries[out->n++] = (gl_arc_entry){
        .name = gl_xstrdup(name ? name : ""),
        .size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1,
        .mtime = archive_entry_mtime_is_set(e) ? archive_entry_mtime(e) : 0,
        .dir = archive_entry_filetype(e) == AE_IFDIR,
        .encrypted = archive_entry_is_encrypted(e) != 0,
    };
}

static void name_format(struct archive *a, gl_arc_listing *out)
{
    const char *f = archive_format_name(a);
    snprintf(out->format, sizeof out->format, "%s", f ? f : "");
}

int gl_arc_list(const gl_reader *r, size_t max_entries, uint64_t max_bytes, gl_arc_listing *out, gl_err *err)
{
    *out = (gl_arc_listing){0};
    list_src s = {.r = r, .budget = max_bytes, .buf = gl_xmalloc(CHUNK)};
    struct archive *a = open_reader(&s);
    size_t cap = 0;
    int rc = 0;
    bool opened = archive_read_open1(a) == ARCHIVE_OK;
    if (!opened) {
        rc = gl_err_set(err, "%s: libarchive: %s", r->name, archive_error_string(a));
    } else {
        while (out->n < max_entries) {
            struct archive_entry *e;
            int st = archive_read_next_header(a, &e);
            name_format(a, out);
            if (st == ARCHIVE_EOF) {
                out->complete = true;
                break;
            }
            if (st < ARCHIVE_WARN) {
                if (s.over_budget) /* libarchive words the refused read its own way */
                    rc = gl_err_set(err, "%s: read cap of %" PRIu64 " bytes reached after %zu entries", r->name,
                                    max_bytes, out->n);
                else
                    rc = gl_err_set(err, "%s: libarchive: after %zu entries: %s", r->name, out->n,
                                    archive_error_string(a));
                break;
            }
            if (archive_format(a) == ARCHIVE_FORMAT_RAW && archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
                /* the raw reader takes anything; uncompressed, it is no archive */
                rc = gl_err_set(err, "%s: not an archive", r->name);
                break;
            }
            add_entry(out, &cap, e);
        }
        out->capped = (!out->complete && rc == 0) || s.over_budget;
    }
    /* libarchive stops at encrypted headers with a format-specific
     * message (and RAR5 does not even say it saw encryption): ask the
     * headers themselves. */
    if (rc < 0 && out->n == 0) {
        gl_arc_info info;
        gl_err ignored;
        gl_arc_sniff(r, 0, &info, &ignored);
        /* (asking libarchive after a failed open dereferences no format) */
        out->headers_encrypted = info.headers_encrypted || (opened && archive_read_has_encrypted_entries(a) > 0);
    }
    archive_read_free(a);
    free(s.buf);
    return rc;
}

void gl_arc_listing_free(gl_arc_listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->entries[i].name);
    free(l->entries);
    *l = (gl_arc_listing){0};
}

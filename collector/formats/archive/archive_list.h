/* Entry listing of an archive through libarchive, read-only: the archive
 * is read through a gl_reader (so it is acquired like any evidence), no
 * entry data is ever extracted or written, and both the number of entries
 * and the bytes read are capped.
 *
 * What Debian's libarchive 3.6.2 lists (checked in test_archive_sniff.c on
 * the corpus archives and on archives bsdtar writes at test time):
 *   RAR4 and RAR5 (also solid, multi-volume parts one by one, and
 *     archives whose entries' data is encrypted: names and sizes are
 *     plain), not RAR4/RAR5 with encrypted headers (-hp);
 *   7z, also with encrypted data, not with encrypted headers (-mhe);
 *   zip (also zip64, traditional, AES and strong-encrypted entries);
 *   tar (ustar, GNU, pax, v7), bare or inside gzip, bzip2, xz or zstd,
 *   and a lone gzip/bzip2/xz/zstd stream as one entry named "data".
 * Not PEA. Where libarchive cannot read the headers of an archive whose
 * headers are encrypted, the listing says so (headers_encrypted) instead
 * of failing silently. */
#ifndef GL_ARCHIVE_LIST_H
#define GL_ARCHIVE_LIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "reader.h"

typedef struct gl_arc_entry {
    char *name;      /* path as stored, UTF-8 where libarchive could convert it */
    int64_t size;    /* uncompressed size, -1 when not stated */
    int64_t mtime;   /* Unix seconds, 0 when not stated */
    bool dir;
    bool encrypted;  /* data (or metadata) encrypted */
} gl_arc_entry;

typedef struct gl_arc_listing {
    gl_arc_entry *entries;
    size_t n;
    bool complete;          /* the archive's end was reached */
    bool capped;            /* stopped at max_entries or max_bytes */
    bool headers_encrypted; /* libarchive met encrypted headers it cannot read */
    char format[64];        /* libarchive's name for what it read, "" if none */
} gl_arc_listing;

/* List up to max_entries entries, reading at most max_bytes of r (0 = no
 * cap on bytes). Returns 0 when the end or a cap was reached, -1 with err
 * (naming r) when libarchive could not go on: out keeps the entries read
 * before. */
int gl_arc_list(const gl_reader *r, size_t max_entries, uint64_t max_bytes, gl_arc_listing *out, gl_err *err);
void gl_arc_listing_free(gl_arc_listing *l);

#endif

/* Reading bundles back: verification and unpacking artifacts for a
 * `bundle:` source. */
#ifndef GL_BUNDLE_UNPACK_H
#define GL_BUNDLE_UNPACK_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

#define GL_MANIFEST_FORMAT "gleaner-manifest/1"

/* Caps on what reading a bundle may unpack, so a crafted bundle (a 99 KB
 * zstd stream of gigabytes of zeros) can neither fill the disk of a
 * `bundle:` source nor keep `verify` hashing for hours. A member over a cap
 * is an error naming it. Process-wide; the commands set them from
 * --unpack-limit before reading. */
typedef struct gl_unpack_limits {
    uint64_t ratio;       /* bytes unpacked <= ratio x the bundle's size on disk (0: no such cap) */
    uint64_t max_total;   /* bytes unpacked, all members */
    uint64_t max_member;  /* bytes of one member */
    uint64_t max_members; /* members */
} gl_unpack_limits;
#define GL_UNPACK_RATIO_DEFAULT 1000
#define GL_UNPACK_TOTAL_DEFAULT (1ull << 40)  /* 1 TiB */
#define GL_UNPACK_MEMBER_DEFAULT (1ull << 38) /* 256 GiB */
#define GL_UNPACK_MEMBERS_DEFAULT 10000000ull
gl_unpack_limits gl_unpack_limits_default(void);
void gl_bundle_set_unpack_limits(const gl_unpack_limits *l);

/* The private key (PEM; certificate optional) that opens an encrypted
 * bundle given as a `bundle:` source. Process-wide, like the caps; NULL:
 * such a bundle is refused ("encrypted, give a key"). The strings must
 * outlive the run. */
void gl_bundle_set_source_key(const char *key_pem, const char *cert_pem);

/* Unpack the artifacts/<drive>/... members of bundle_path into a new
 * directory under parent; returns its path (caller frees, and removes it
 * with gl_remove_tree) and the drive label, or NULL with err. */
char *gl_bundle_unpack_artifacts(const char *bundle_path, const char *parent, char *drive,
                                 size_t drive_len, gl_err *err);
/* Remove a directory tree gleaner created (never follows links). */
void gl_remove_tree(const char *path);

typedef struct gl_verify_result {
    size_t members_checked;
    size_t missing, extra, altered, duplicate;
    int sidecar_ok;  /* 1 matches, 0 mismatch, -1 missing/unreadable */
    int readable;    /* 0 when the stream is truncated or corrupt */
    int manifest_ok; /* manifest.json present, last, and parseable */
    int key_problem; /* encrypted: no key given, or the key opens no recipient */
} gl_verify_result;

/* Check every member against manifest.json and the bundle against
 * BUNDLE.sha256. Problems are appended to report, one per line, naming the
 * member. Returns 0 when the bundle is intact, 1 when not. */
int gl_bundle_verify(const char *bundle_path, gl_verify_result *res, gl_buf *report);
/* The same for an encrypted bundle (bundle_crypt.h), read through
 * decryption with key_pem (and optionally cert_pem); the sidecar covers
 * the encrypted file. NULL key: as gl_bundle_verify. */
int gl_bundle_verify_key(const char *bundle_path, const char *key_pem, const char *cert_pem, gl_verify_result *res,
                         gl_buf *report);

#endif

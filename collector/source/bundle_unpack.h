/* Reading bundles back: verification and unpacking artifacts for a
 * `bundle:` source. */
#ifndef GL_BUNDLE_UNPACK_H
#define GL_BUNDLE_UNPACK_H
#include <stddef.h>
#include "buf.h"
#include "err.h"

#define GL_MANIFEST_FORMAT "gleaner-manifest/1"

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

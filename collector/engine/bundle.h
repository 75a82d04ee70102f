/* The evidence bundle: one pax tar, zstd-compressed, written by libarchive
 * while streaming. Every member's SHA-256 and size are recorded and written
 * as manifest.json, the last member; the bundle's own SHA-256 goes to a
 * sha256sum-format sidecar. The file is written as NAME.partial and renamed
 * only when complete, so a half-written bundle never looks finished. */
#ifndef GL_BUNDLE_H
#define GL_BUNDLE_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "err.h"
#include "sha256.h"
#include "source.h"
#include "bundle_encrypt.h"
#include "bundle_unpack.h"
#include "spool.h"

typedef struct gl_bundle gl_bundle;

typedef struct gl_bundle_stats {
    uint64_t members;
    uint64_t artifacts;
    uint64_t artifact_bytes;   /* uncompressed bytes of acquired files */
    uint64_t bundle_bytes;     /* compressed bytes written so far */
    unsigned zstd_workers;     /* zstd's own compression threads: 0 (it compresses on the caller's) or 1 */
} gl_bundle_stats;

/* A stale PATH.partial left by a run that died is moved aside
 * (PATH.partial.stale-<created>), never a reason to fail. */
gl_bundle *gl_bundle_create(const char *path, time_t created, gl_err *err);
/* The same, but what reaches the disk is a CMS EnvelopedData for these
 * recipients (bundle_encrypt.h), encrypted as it is written: no clear text
 * is ever written. NULL recipients: a plain bundle. The sidecar hash and
 * bundle_bytes cover the encrypted file. */
gl_bundle *gl_bundle_create_encrypted(const char *path, time_t created, const gl_recipients *recipients, gl_err *err);
/* Stream an opened evidence file in as `member` (deduplicated: a second
 * call for the same member returns the stored name without reading). */
const char *gl_bundle_add_file(gl_bundle *b, const char *member, gl_file *f, gl_err *err);
bool gl_bundle_has(const gl_bundle *b, const char *member);
int gl_bundle_add_buffer(gl_bundle *b, const char *member, const void *data, size_t n, gl_err *err);
/* Copy a spool's contents in as `member`. */
int gl_bundle_add_spool(gl_bundle *b, const char *member, gl_spool *sp, gl_err *err);
gl_bundle_stats gl_bundle_get_stats(const gl_bundle *b);
/* Write manifest.json, close, write PATH.sha256, rename into place (so
 * both files exist or neither does). sha_hex receives the bundle's
 * SHA-256. Frees b in all cases. */
int gl_bundle_finish(gl_bundle *b, char sha_hex[GL_SHA256_HEX], gl_err *err);
/* Abandon: close and delete the partial file. */
void gl_bundle_abort(gl_bundle *b);

/* What gl_bundle_create did about a stale NAME.partial (moved aside), for
 * the run's log; NULL when nothing. */
const char *gl_bundle_note(const gl_bundle *b);
/* While *stop is non-zero, no further file is acquired (interruption):
 * the bundle is then finished with what it holds. */
void gl_bundle_set_stop_flag(gl_bundle *b, volatile const sig_atomic_t *stop);

/* An acquirer that feeds gl_source opens into this bundle. */
gl_acquirer gl_bundle_acquirer(gl_bundle *b);

#endif

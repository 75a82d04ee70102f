/* Reading encrypted bundles (`collect --encrypt-to`): NAME.tar.zst.p7m is a
 * CMS EnvelopedData (RFC 5652, AES-256-CBC) whose content is the tar.zst
 * bundle. OpenSSL's CMS reader loads the whole structure into memory, so
 * the outer DER is walked here (cms_der.h) and only the small header (the
 * recipient infos) goes to OpenSSL, which recovers the content-encryption
 * key; the content is then decrypted as a stream. Memory does not grow with
 * the bundle and no clear text is written anywhere.
 *
 * Keys and certificates are PEM files. A passphrase-protected key is
 * opened with the passphrase in the environment variable
 * GLEANER_KEY_PASSPHRASE; gleaner never prompts. With a certificate, the recipient
 * issued to it is used (and the key must match it); without one, every
 * recipient is tried with the key. A key that opens no recipient fails
 * before any content is produced, with err->code GL_ERR_USAGE and a
 * message naming the key file and the bundle's recipients. A damaged or
 * truncated bundle fails with GL_ERR_DAMAGED, naming the offset. */
#ifndef GL_BUNDLE_CRYPT_H
#define GL_BUNDLE_CRYPT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct archive;

#define GL_ENCRYPTED_SUFFIX ".p7m"
#define GL_KEY_PASSPHRASE_ENV "GLEANER_KEY_PASSPHRASE"

/* True when the file starts like a CMS EnvelopedData (sniffed, not by
 * name); false for a plain bundle or an unreadable file. */
bool gl_bundle_is_encrypted(const char *path);

typedef struct gl_decrypt gl_decrypt;

/* Open path and recover its content key with key_pem (cert_pem may be
 * NULL). NULL with err when the file is no EnvelopedData, the key opens
 * no recipient, or the key and certificate do not belong together. */
gl_decrypt *gl_decrypt_open(const char *path, const char *key_pem, const char *cert_pem, gl_err *err);
/* Up to len bytes of clear text; 0 at the end, which is only reported once
 * the padding and the closing of the CMS structure have been checked; -1
 * with err (GL_ERR_DAMAGED: truncated, altered or malformed). */
int64_t gl_decrypt_read(gl_decrypt *d, void *buf, size_t len, gl_err *err);
void gl_decrypt_close(gl_decrypt *d);

/* Whole clear text of path, in order, to sink (returning non-zero stops:
 * -1 with err "stopped by the consumer"). 0 when all of it was delivered
 * and checked. */
int gl_bundle_decrypt_stream(const char *path, const char *key_pem, const char *cert_pem,
                             int (*sink)(void *ctx, const void *buf, size_t n), void *ctx, gl_err *err);

/* Write the CMS header without its content (DER) to header_out and the
 * bare ciphertext to content_out, streamed, for
 *   openssl cms -decrypt -binary -inform DER -in HEADER -content CIPHERTEXT -inkey KEY
 * which decrypts detached content as a stream, where stock OpenSSL reads a
 * .p7m whole and refuses one over about 1.5 GiB. Needs no key and writes
 * no clear text. Neither output may exist; both are removed on failure. */
int gl_bundle_split_cms(const char *path, const char *header_out, const char *content_out, gl_err *err);

/* A libarchive reader (tar + zstd) over a bundle, plain or encrypted: when
 * key_pem is non-NULL the file is decrypted on the fly, otherwise it is
 * read as a plain bundle (an encrypted one is then refused: "encrypted,
 * give a key"). Ready for archive_read_next_header; archive_read_free
 * releases everything. NULL with err. */
struct archive *gl_bundle_open_archive(const char *path, const char *key_pem, const char *cert_pem, gl_err *err);

#endif

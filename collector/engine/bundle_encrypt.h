/* Writing encrypted bundles (`collect --encrypt-to CERT.pem`): the tar.zst
 * stream is encrypted as it is produced into a CMS EnvelopedData (RFC 5652)
 * with AES-256-CBC, DER with indefinite lengths, as stock
 * `openssl cms -decrypt -inform DER` and bundle_crypt.h read it. RSA
 * certificates get RSA-OAEP key transport, EC certificates ECDH key
 * agreement. Only ciphertext reaches the output callback. */
#ifndef GL_BUNDLE_ENCRYPT_H
#define GL_BUNDLE_ENCRYPT_H
#include <stddef.h>
#include "err.h"

typedef struct gl_recipients gl_recipients;

/* Load PEM certificates; -1/NULL with err (GL_ERR_USAGE) naming the file
 * that is unreadable, not a certificate, or has a key that is neither RSA
 * nor EC. */
gl_recipients *gl_recipients_load(const char *const *cert_paths, size_t n, gl_err *err);
size_t gl_recipients_count(const gl_recipients *r);
void gl_recipients_free(gl_recipients *r);

/* Where ciphertext goes: 0, or -1 with err. */
typedef int (*gl_cipher_out)(void *ctx, const void *buf, size_t n, gl_err *err);
typedef struct gl_encryptor gl_encryptor;

/* Start the envelope (the recipients' encrypted keys are written first). */
gl_encryptor *gl_encryptor_open(const gl_recipients *r, gl_cipher_out out, void *ctx, gl_err *err);
int gl_encryptor_write(gl_encryptor *e, const void *buf, size_t n, gl_err *err);
/* Last block, padding and the closing of the structure; frees e. */
int gl_encryptor_finish(gl_encryptor *e, gl_err *err);
/* Drop without finishing (the output is then incomplete). */
void gl_encryptor_free(gl_encryptor *e);

#endif

/* OpenSSL plumbing shared by writing (bundle_encrypt.c) and reading
 * (bundle_crypt.c) encrypted bundles. Implemented in bundle_crypt.c, so
 * whatever links the bundle reader has it without another source file. */
#ifndef GL_OSSL_UTIL_H
#define GL_OSSL_UTIL_H
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <stddef.h>
#include "err.h"

/* OpenSSL's reason for its last failure, into buf; its error queue is emptied. */
const char *gl_ossl_reason(char *buf, size_t n);

/* A PEM certificate; NULL with err (GL_ERR_USAGE) "<what> PATH: ...". Never prompts. */
X509 *gl_ossl_load_cert(const char *path, const char *what, gl_err *err);

/* Refuses any passphrase prompt (pem_password_cb): gleaner never prompts. */
int gl_ossl_no_passphrase(char *buf, int size, int rwflag, void *u);

/* A source/sink BIO method around read or write (the other NULL), made once
 * into *slot and kept for the process; NULL if OpenSSL cannot make it. Its
 * BIOs are initialised at creation and answer only flush. */
BIO_METHOD *gl_ossl_bio_method(BIO_METHOD **slot, const char *name, int (*read)(BIO *, char *, int),
                               int (*write)(BIO *, const char *, int));

#endif

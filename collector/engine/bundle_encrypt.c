#include "bundle_encrypt.h"
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "buf.h"
#include "ossl_util.h"

struct gl_recipients {
    STACK_OF(X509) *certs;
};

struct gl_encryptor {
    CMS_ContentInfo *cms;
    BIO *sink; /* ours: hands ciphertext to out */
    BIO *top;  /* OpenSSL's chain ending in sink */
    gl_cipher_out out;
    void *ctx;
    gl_err out_err;
    bool out_failed;
};

static X509 *read_recipient(const char *path, gl_err *err)
{
    X509 *c = gl_ossl_load_cert(path, "--encrypt-to", err);
    if (!c)
        return NULL;
    EVP_PKEY *pk = X509_get0_pubkey(c);
    if (!pk || !(EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "EC"))) {
        gl_err_setc(err, GL_ERR_USAGE, "--encrypt-to %s: the certificate's key is %s; gleaner encrypts to RSA or EC keys",
                    path, pk ? EVP_PKEY_get0_type_name(pk) : "unreadable");
        ERR_clear_error();
        X509_free(c);
        return NULL;
    }
    return c;
}

gl_recipients *gl_recipients_load(const char *const *cert_paths, size_t n, gl_err *err)
{
    gl_recipients *r = gl_xcalloc(1, sizeof *r);
    r->certs = sk_X509_new_null();
    if (!r->certs)
        abort(); /* allocation failure aborts, as everywhere in gleaner */
    for (size_t i = 0; i < n; i++) {
        X509 *c = read_recipient(cert_paths[i], err);
        if (!c) {
            gl_recipients_free(r);
            return NULL;
        }
        if (!sk_X509_push(r->certs, c))
            abort();
    }
    if (n == 0) {
        gl_recipients_free(r);
        gl_err_setc(err, GL_ERR_USAGE, "no recipient certificate");
        return NULL;
    }
    return r;
}

size_t gl_recipients_count(const gl_recipients *r) { return (size_t)sk_X509_num(r->certs); }

void gl_recipients_free(gl_recipients *r)
{
    if (!r)
        return;
    sk_X509_pop_free(r->certs, X509_free);
    free(r);
}

/* ---- the output end of OpenSSL's BIO chain --------------------------------- */

static int sink_write(BIO *b, const char *buf, int n)
{
    gl_encryptor *e = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (e->out_failed || n < 0)
        return -1;
    if (n > 0 && e->out(e->ctx, buf, (size_t)n, &e->out_err) != 0) {
        e->out_failed = true;
        return -1;
    }
    return n;
}

static BIO_METHOD *sink_method(void)
{
    static BIO_METHOD *m; /* one per process */
    return gl_ossl_bio_method(&m, "gleaner bundle output", NULL, sink_write);
}

/* RSA recipients get OAEP rather than PKCS#1 v1.5 key transport. */
static int add_recipient(CMS_ContentInfo *cms, X509 *cert)
{
    bool rsa = EVP_PKEY_is_a(X509_get0_pubkey(cert), "RSA");
    CMS_RecipientInfo *ri = CMS_add1_recipient_cert(cms, cert, rsa ? CMS_KEY_PARAM : 0);
    if (!ri)
        return -1;
    if (rsa) {
        EVP_PKEY_CTX *pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
        if (!pctx || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0)
            return -1;
    }
    return 0;
}

gl_encryptor *gl_encryptor_open(const gl_recipients *r, gl_cipher_out out, void *ctx, gl_err *err)
{
    gl_encryptor *e = gl_xcalloc(1, sizeof *e);
    e->out = out;
    e->ctx = ctx;
    char why[256];
    e->cms = CMS_encrypt(NULL, NULL, EVP_aes_256_cbc(), CMS_BINARY | CMS_STREAM | CMS_PARTIAL);
    if (!e->cms) {
        gl_err_set(err, "cannot start CMS encryption: %s", gl_ossl_reason(why, sizeof why));
        goto fail;
    }
    for (int i = 0; i < sk_X509_num(r->certs); i++) {
        X509 *c = sk_X509_value(r->certs, i);
        if (add_recipient(e->cms, c) != 0) {
            char name[256];
            X509_NAME_oneline(X509_get_subject_name(c), name, sizeof name);
            gl_err_setc(err, GL_ERR_USAGE, "cannot encrypt to certificate %s: %s", name,
                        gl_ossl_reason(why, sizeof why));
            goto fail;
        }
    }
    BIO_METHOD *m = sink_method();
    e->sink = m ? BIO_new(m) : NULL;
    if (!e->sink) {
        gl_err_set(err, "cannot set up encrypted output");
        goto fail;
    }
    BIO_set_data(e->sink, e);
    /* Writes the header and each recipient's encrypted key right away. */
    e->top = BIO_new_CMS(e->sink, e->cms);
    if (!e->top) {
        if (e->out_failed)
            *err = e->out_err;
        else
            gl_err_set(err, "cannot start the encrypted stream: %s", gl_ossl_reason(why, sizeof why));
        goto fail;
    }
    return e;
fail:
    gl_encryptor_free(e);
    return NULL;
}

int gl_encryptor_write(gl_encryptor *e, const void *buf, size_t n, gl_err *err)
{
    const char *p = buf;
    while (n > 0) {
        int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
        int w = BIO_write(e->top, p, chunk);
        if (w <= 0) {
            if (e->out_failed) {
                *err = e->out_err;
                return -1;
            }
            char why[256];
            return gl_err_set(err, "encrypting: %s", gl_ossl_reason(why, sizeof why));
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int gl_encryptor_finish(gl_encryptor *e, gl_err *err)
{
    int rc = 0;
    if (BIO_flush(e->top) <= 0) {
        if (e->out_failed) {
            *err = e->out_err;
            rc = -1;
        } else {
            char why[256];
            rc = gl_err_set(err, "finishing the encrypted stream: %s", gl_ossl_reason(why, sizeof why));
        }
    }
    gl_encryptor_free(e);
    return rc;
}

void gl_encryptor_free(gl_encryptor *e)
{
    if (!e)
        return;
    /* Unwind OpenSSL's BIOs down to (not including) ours, then ours. */
    BIO *b = e->top;
    while (b && b != e->sink) {
        BIO *next = BIO_pop(b);
        BIO_free(b);
        b = next;
    }
    BIO_free(e->sink);
    CMS_ContentInfo_free(e->cms);
    ERR_clear_error();
    free(e);
}

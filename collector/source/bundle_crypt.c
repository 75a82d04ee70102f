#include "bundle_crypt.h"
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "cms_der.h"
#include "ossl_util.h"

#define WINDOW (1u << 20)  /* read-ahead over the ciphertext: pieces are ~4 KiB */
#define OUT_CHUNK (1u << 20)

/* A gl_reader over a file descriptor with one read-ahead window, so the
 * sequential walk over many small pieces costs few system calls. */
typedef struct file_window {
    int fd;
    uint64_t size;
    uint8_t *buf;
    size_t cap; /* WINDOW, or a few bytes for a sniff */
    uint64_t start;
    size_t len;
} file_window;

static int64_t window_read_at(void *ctx, uint64_t off, void *out, size_t len, gl_err *err)
{
    file_window *w = ctx;
    if (off >= w->size)
        return 0;
    if (len > w->size - off)
        len = (size_t)(w->size - off);
    if (off < w->start || off + len > w->start + w->len) {
        if (len > w->cap) { /* larger than the window: straight through */
            ssize_t n = pread(w->fd, out, len, (off_t)off);
            if (n < 0)
                return gl_err_errno(err, "reading at offset %llu", (unsigned long long)off);
            return n;
        }
        size_t want = w->size - off < w->cap ? (size_t)(w->size - off) : w->cap;
        size_t got = 0;
        while (got < want) {
            ssize_t n = pread(w->fd, w->buf + got, want - got, (off_t)(off + got));
            if (n < 0)
                return gl_err_errno(err, "reading at offset %llu", (unsigned long long)(off + got));
            if (n == 0)
                break;
            got += (size_t)n;
        }
        w->start = off;
        w->len = got;
        if (len > got)
            len = got;
    }
    memcpy(out, w->buf + (off - w->start), len);
    return (int64_t)len;
}

struct gl_decrypt {
    char *path;
    file_window win;
    gl_reader r;
    gl_cms_envelope env;
    gl_cms_content it;
    uint64_t piece_off, piece_left;
    CMS_ContentInfo *cms;
    BIO *src;    /* ciphertext, piece by piece */
    BIO *chain;  /* OpenSSL's cipher BIO over src */
    gl_err src_err;
    bool src_failed;
    uint8_t *outbuf; /* for the libarchive reader */
};

/* ---- OpenSSL plumbing (ossl_util.h) ------------------------------------------ */
const char *gl_ossl_reason(char *buf, size_t n)
{
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, buf, n);
    else
        snprintf(buf, n, "unknown OpenSSL error");
    ERR_clear_error();
    return buf;
}

int gl_ossl_no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

X509 *gl_ossl_load_cert(const char *path, const char *what, gl_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        gl_err_errno(err, "%s %s", what, path);
        err->code = GL_ERR_USAGE;
        return NULL;
    }
    X509 *c = PEM_read_X509(f, NULL, gl_ossl_no_passphrase, NULL);
    fclose(f);
    if (!c) {
        char why[256];
        gl_err_setc(err, GL_ERR_USAGE, "%s %s: not a PEM X.509 certificate (%s)", what, path,
                    gl_ossl_reason(why, sizeof why));
    }
    return c;
}

static long answer_flush(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int init_at_creation(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

BIO_METHOD *gl_ossl_bio_method(BIO_METHOD **slot, const char *name, int (*read)(BIO *, char *, int),
                               int (*write)(BIO *, const char *, int))
{
    if (*slot)
        return *slot;
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, name);
    if (!m || (read && !BIO_meth_set_read(m, read)) || (write && !BIO_meth_set_write(m, write)) ||
        !BIO_meth_set_ctrl(m, answer_flush) || !BIO_meth_set_create(m, init_at_creation)) {
        BIO_meth_free(m);
        return NULL;
    }
    *slot = m;
    return m;
}

/* ---- the ciphertext as a BIO for OpenSSL's cipher BIO ---------------------- */

static int src_read(BIO *b, char *out, int outl)
{
    gl_decrypt *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (d->src_failed || outl <= 0)
        return -1;
    if (d->piece_left == 0) {
        int rc = gl_cms_content_next(&d->it, &d->piece_off, &d->piece_left, &d->src_err);
        if (rc <= 0) {
            d->src_failed = rc < 0;
            return rc < 0 ? -1 : 0;
        }
    }
    size_t want = d->piece_left < (uint64_t)outl ? (size_t)d->piece_left : (size_t)outl;
    if (gl_read_exact(&d->r, d->piece_off, out, want, &d->src_err) != 0) {
        d->src_failed = true;
        return -1;
    }
    d->piece_off += want;
    d->piece_left -= want;
    return (int)want;
}

static BIO_METHOD *src_method(void)
{
    static BIO_METHOD *m; /* one per process */
    return gl_ossl_bio_method(&m, "gleaner CMS content", src_read, NULL);
}

/* ---- keys and recipients ---------------------------------------------------- */

/* A protected key's passphrase comes from the environment, never from a
 * prompt: gleaner runs unattended and in scripts. */
static int env_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag, (void)u;
    const char *p = getenv(GL_KEY_PASSPHRASE_ENV);
    size_t n = p ? strlen(p) : 0;
    if (!p || size < 0 || n > (size_t)size)
        return -1;
    memcpy(buf, p, n);
    return (int)n;
}

static EVP_PKEY *load_key(const char *path, gl_err *err)
{
    enum { KEY_FILE_MAX = 1 << 16 }; /* a PEM private key is a few KiB */
    FILE *f = fopen(path, "r");
    if (!f) {
        gl_err_errno(err, "key %s", path);
        err->code = GL_ERR_USAGE;
        return NULL;
    }
    char *text = gl_xmalloc(KEY_FILE_MAX);
    size_t n = fread(text, 1, KEY_FILE_MAX - 1, f);
    fclose(f);
    text[n] = '\0';
    BIO *mem = BIO_new_mem_buf(text, (int)n);
    EVP_PKEY *k = mem ? PEM_read_bio_PrivateKey(mem, NULL, env_passphrase, NULL) : NULL;
    BIO_free(mem);
    bool is_protected = strstr(text, "ENCRYPTED") != NULL;
    OPENSSL_cleanse(text, KEY_FILE_MAX);
    free(text);
    if (k)
        return k;
    char why[256];
    gl_ossl_reason(why, sizeof why);
    if (is_protected && !getenv(GL_KEY_PASSPHRASE_ENV))
        gl_err_setc(err, GL_ERR_USAGE,
                    "key %s is protected by a passphrase: give it in the environment variable %s (gleaner never "
                    "prompts)",
                    path, GL_KEY_PASSPHRASE_ENV);
    else if (is_protected)
        gl_err_setc(err, GL_ERR_USAGE, "key %s: the passphrase in %s does not open it (%s)", path,
                    GL_KEY_PASSPHRASE_ENV, why);
    else
        gl_err_setc(err, GL_ERR_USAGE, "key %s: not a PEM private key (%s)", path, why);
    return NULL;
}

static void describe_id(gl_buf *out, const X509_NAME *issuer, const ASN1_INTEGER *serial, const ASN1_OCTET_STRING *keyid)
{
    if (issuer && serial) {
        char name[256];
        X509_NAME_oneline(issuer, name, sizeof name);
        BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        gl_buf_printf(out, "issuer %s serial %s", name, hex ? hex : "?");
        OPENSSL_free(hex);
        BN_free(bn);
    } else if (keyid) {
        gl_buf_puts(out, "subject key id ");
        for (int i = 0; i < ASN1_STRING_length(keyid); i++)
            gl_buf_printf(out, "%02X", ASN1_STRING_get0_data(keyid)[i]);
    } else {
        gl_buf_puts(out, "unidentified");
    }
}

/* What the bundle's recipients are, for the message when none opens. */
static void describe_recipients(CMS_ContentInfo *cms, gl_buf *out)
{
    STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
    for (int i = 0; i < sk_CMS_RecipientInfo_num(ris); i++) {
        CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
        X509_NAME *issuer = NULL;
        ASN1_INTEGER *serial = NULL;
        ASN1_OCTET_STRING *keyid = NULL;
        gl_buf_puts(out, i ? "; " : "");
        if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
            gl_buf_puts(out, "key transport (RSA) to ");
            CMS_RecipientInfo_ktri_get0_signer_id(ri, &keyid, &issuer, &serial);
            describe_id(out, issuer, serial, keyid);
        } else if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_AGREE) {
            STACK_OF(CMS_RecipientEncryptedKey) *reks = CMS_RecipientInfo_kari_get0_reks(ri);
            gl_buf_puts(out, "key agreement (EC) to ");
            for (int k = 0; k < sk_CMS_RecipientEncryptedKey_num(reks); k++) {
                gl_buf_puts(out, k ? ", " : "");
                CMS_RecipientEncryptedKey_get0_id(sk_CMS_RecipientEncryptedKey_value(reks, k), &keyid, NULL, NULL,
                                                  &issuer, &serial);
                describe_id(out, issuer, serial, keyid);
            }
        } else {
            gl_buf_printf(out, "recipient of type %d (not read by gleaner)", CMS_RecipientInfo_type(ri));
        }
    }
}

static int try_ktri(CMS_ContentInfo *cms, CMS_RecipientInfo *ri, EVP_PKEY *key, X509 *cert, bool *matched)
{
    if (cert && CMS_RecipientInfo_ktri_cert_cmp(ri, cert) != 0)
        return 0;
    *matched = true;
    EVP_PKEY_up_ref(key);
    CMS_RecipientInfo_set0_pkey(ri, key);
    int ok = CMS_RecipientInfo_decrypt(cms, ri) > 0;
    CMS_RecipientInfo_set0_pkey(ri, NULL);
    return ok;
}

static int try_kari(CMS_ContentInfo *cms, CMS_RecipientInfo *ri, EVP_PKEY *key, X509 *cert, bool *matched)
{
    STACK_OF(CMS_RecipientEncryptedKey) *reks = CMS_RecipientInfo_kari_get0_reks(ri);
    int ok = 0;
    for (int k = 0; k < sk_CMS_RecipientEncryptedKey_num(reks) && !ok; k++) {
        CMS_RecipientEncryptedKey *rek = sk_CMS_RecipientEncryptedKey_value(reks, k);
        if (cert && CMS_RecipientEncryptedKey_cert_cmp(rek, cert) != 0)
            continue;
        *matched = true;
        if (CMS_RecipientInfo_kari_set0_pkey(ri, key) > 0)
            ok = CMS_RecipientInfo_kari_decrypt(cms, ri, rek) > 0;
        CMS_RecipientInfo_kari_set0_pkey(ri, NULL);
    }
    return ok;
}

/* Recover the content key: the recipient issued to cert, or any the key
 * opens. Each recipient is tried on its own, so a wrong key is told
 * apart from damage before a single byte of content is decrypted. */
static int open_recipient(gl_decrypt *d, EVP_PKEY *key, X509 *cert, const char *key_pem, const char *cert_pem,
                          gl_err *err)
{
    STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(d->cms);
    bool matched = false;
    int n = sk_CMS_RecipientInfo_num(ris);
    for (int i = 0; i < n; i++) {
        CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
        int type = CMS_RecipientInfo_type(ri);
        int ok = 0;
        if (type == CMS_RECIPINFO_TRANS && EVP_PKEY_is_a(key, "RSA"))
            ok = try_ktri(d->cms, ri, key, cert, &matched);
        else if (type == CMS_RECIPINFO_AGREE && EVP_PKEY_is_a(key, "EC"))
            ok = try_kari(d->cms, ri, key, cert, &matched);
        if (ok) {
            ERR_clear_error();
            return 0;
        }
    }
    ERR_clear_error();
    gl_buf who = {0};
    describe_recipients(d->cms, &who);
    if (cert && !matched)
        gl_err_setc(err, GL_ERR_USAGE, "%s: certificate %s is not among the bundle's %d recipient%s (%s)", d->path,
                    cert_pem, n, n == 1 ? "" : "s", gl_buf_cstr(&who));
    else
        gl_err_setc(err, GL_ERR_USAGE,
                    "%s: key %s opens none of the bundle's %d recipient%s (%s): it is not the private key of a "
                    "certificate the bundle was encrypted to",
                    d->path, key_pem, n, n == 1 ? "" : "s", gl_buf_cstr(&who));
    gl_buf_free(&who);
    return -1;
}

static int recover_key(gl_decrypt *d, const char *key_pem, const char *cert_pem, gl_err *err)
{
    EVP_PKEY *key = load_key(key_pem, err);
    X509 *cert = NULL;
    int rc = -1;
    if (!key)
        return -1;
    if (cert_pem) {
        cert = gl_ossl_load_cert(cert_pem, "certificate", err);
        if (!cert)
            goto out;
        if (X509_check_private_key(cert, key) != 1) {
            ERR_clear_error();
            gl_err_setc(err, GL_ERR_USAGE, "key %s does not belong to certificate %s", key_pem, cert_pem);
            goto out;
        }
    }
    rc = open_recipient(d, key, cert, key_pem, cert_pem, err);
out:
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- opening ------------------------------------------------------------------ */

static int open_window(file_window *w, const char *path, size_t cap, gl_err *err)
{
    memset(w, 0, sizeof *w);
    w->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (w->fd < 0 || fstat(w->fd, &st) != 0) {
        gl_err_errno(err, "%s", path);
        if (w->fd >= 0)
            close(w->fd);
        w->fd = -1;
        return -1;
    }
    w->size = (uint64_t)st.st_size;
    w->cap = cap;
    w->buf = gl_xmalloc(cap);
    return 0;
}

static void close_window(file_window *w)
{
    if (w->fd >= 0)
        close(w->fd);
    free(w->buf);
    w->fd = -1;
    w->buf = NULL;
}

bool gl_bundle_is_encrypted(const char *path)
{
    file_window w;
    gl_err err = {0};
    if (open_window(&w, path, 64, &err) != 0) /* the type OID is within the first 20 bytes */
        return false;
    gl_reader r = {.ctx = &w, .read_at = window_read_at, .size = w.size, .name = path};
    bool yes = gl_cms_is_enveloped(&r);
    close_window(&w);
    return yes;
}

gl_decrypt *gl_decrypt_open(const char *path, const char *key_pem, const char *cert_pem, gl_err *err)
{
    gl_decrypt *d = gl_xcalloc(1, sizeof *d);
    d->path = gl_xstrdup(path);
    d->win.fd = -1;
    if (open_window(&d->win, path, WINDOW, err) != 0)
        goto fail;
    d->r = (gl_reader){.ctx = &d->win, .read_at = window_read_at, .size = d->win.size, .name = d->path};
    if (gl_cms_envelope_parse(&d->r, &d->env, err) != 0)
        goto fail;
    const unsigned char *p = (const unsigned char *)d->env.header.data;
    d->cms = d2i_CMS_ContentInfo(NULL, &p, (long)d->env.header.len);
    if (!d->cms) {
        char why[256];
        gl_err_setc(err, GL_ERR_DAMAGED, "%s: the CMS recipient information is unreadable (%s)", path,
                    gl_ossl_reason(why, sizeof why));
        goto fail;
    }
    if (recover_key(d, key_pem, cert_pem, err) != 0)
        goto fail;
    BIO_METHOD *m = src_method();
    d->src = m ? BIO_new(m) : NULL;
    if (!d->src) {
        gl_err_set(err, "%s: cannot set up decryption", path);
        goto fail;
    }
    BIO_set_data(d->src, d);
    gl_cms_content_init(&d->it, &d->r, &d->env);
    d->chain = CMS_dataInit(d->cms, d->src);
    if (!d->chain) {
        char why[256];
        gl_err_setc(err, GL_ERR_DAMAGED, "%s: cannot start decrypting the content (%s)", path,
                    gl_ossl_reason(why, sizeof why));
        goto fail;
    }
    return d;
fail:
    gl_decrypt_close(d);
    return NULL;
}

int64_t gl_decrypt_read(gl_decrypt *d, void *buf, size_t len, gl_err *err)
{
    int want = len > INT_MAX ? INT_MAX : (int)len;
    int n = BIO_read(d->chain, buf, want);
    if (n > 0)
        return n;
    if (d->src_failed) {
        *err = d->src_err;
        return -1;
    }
    if (n < 0 || BIO_get_cipher_status(d->chain) <= 0) {
        ERR_clear_error();
        return gl_err_setc(err, GL_ERR_DAMAGED,
                           "%s: the decrypted content does not end properly (bad padding: the bundle was altered, "
                           "or its ciphertext cut short at a piece boundary)",
                           d->path);
    }
    return 0;
}

void gl_decrypt_close(gl_decrypt *d)
{
    if (!d)
        return;
    /* The chain is OpenSSL's cipher BIO pushed onto src: free both. */
    if (d->chain)
        BIO_free_all(d->chain);
    else
        BIO_free(d->src);
    CMS_ContentInfo_free(d->cms);
    gl_cms_envelope_free(&d->env);
    close_window(&d->win);
    free(d->outbuf);
    free(d->path);
    free(d);
}

int gl_bundle_decrypt_stream(const char *path, const char *key_pem, const char *cert_pem,
                             int (*sink)(void *ctx, const void *buf, size_t n), void *ctx, gl_err *err)
{
    gl_decrypt *d = gl_decrypt_open(path, key_pem, cert_pem, err);
    if (!d)
        return -1;
    uint8_t *buf = gl_xmalloc(OUT_CHUNK);
    int rc = 0;
    for (;;) {
        int64_t n = gl_decrypt_read(d, buf, OUT_CHUNK, err);
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        if (sink(ctx, buf, (size_t)n) != 0) {
            if (!err->msg[0])
                gl_err_set(err, "%s: stopped by the consumer", path);
            rc = -1;
            break;
        }
    }
    free(buf);
    gl_decrypt_close(d);
    return rc;
}

/* ---- splitting for stock OpenSSL ------------------------------------------------- */

static int write_all(FILE *f, const void *buf, size_t n, const char *path, gl_err *err)
{
    if (n && fwrite(buf, 1, n, f) != n)
        return gl_err_errno(err, "writing %s", path);
    return 0;
}

static int copy_content(const gl_reader *r, const gl_cms_envelope *env, FILE *f, const char *path, gl_err *err)
{
    gl_cms_content it;
    gl_cms_content_init(&it, r, env);
    uint8_t *buf = gl_xmalloc(OUT_CHUNK);
    uint64_t off, len;
    int rc;
    while ((rc = gl_cms_content_next(&it, &off, &len, err)) == 1) {
        while (len > 0 && rc == 1) {
            size_t n = len < OUT_CHUNK ? (size_t)len : OUT_CHUNK;
            if (gl_read_exact(r, off, buf, n, err) != 0 || write_all(f, buf, n, path, err) != 0)
                rc = -1;
            off += n;
            len -= n;
        }
        if (rc != 1)
            break;
    }
    free(buf);
    return rc;
}

static int close_output(FILE *f, const char *path, int rc, gl_err *err)
{
    if (f && fclose(f) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", path);
    return rc;
}

int gl_bundle_split_cms(const char *path, const char *header_out, const char *content_out, gl_err *err)
{
    file_window w;
    gl_cms_envelope env;
    if (open_window(&w, path, WINDOW, err) != 0)
        return -1;
    gl_reader r = {.ctx = &w, .read_at = window_read_at, .size = w.size, .name = path};
    int rc = gl_cms_envelope_parse(&r, &env, err);
    FILE *h = NULL, *c = NULL;
    if (rc == 0 && !(h = fopen(header_out, "wbx")))
        rc = gl_err_errno(err, "creating %s", header_out);
    if (rc == 0 && !(c = fopen(content_out, "wbx")))
        rc = gl_err_errno(err, "creating %s", content_out);
    if (rc == 0)
        rc = write_all(h, env.header.data, env.header.len, header_out, err);
    if (rc == 0)
        rc = copy_content(&r, &env, c, content_out, err);
    rc = close_output(h, header_out, rc, err);
    rc = close_output(c, content_out, rc, err);
    if (rc != 0) {
        if (h)
            remove(header_out);
        if (c)
            remove(content_out);
    }
    gl_cms_envelope_free(&env); /* zeroed by the parse whatever its outcome */
    close_window(&w);
    return rc;
}

/* ---- a libarchive reader ---------------------------------------------------- */

static la_ssize_t archive_read_cb(struct archive *a, void *ctx, const void **buf)
{
    gl_decrypt *d = ctx;
    gl_err err = {0};
    int64_t n = gl_decrypt_read(d, d->outbuf, OUT_CHUNK, &err);
    if (n < 0) {
        archive_set_error(a, EIO, "%s", err.msg);
        return -1;
    }
    *buf = d->outbuf;
    return (la_ssize_t)n;
}

static int archive_close_cb(struct archive *a, void *ctx)
{
    (void)a;
    gl_decrypt_close(ctx);
    return ARCHIVE_OK;
}

struct archive *gl_bundle_open_archive(const char *path, const char *key_pem, const char *cert_pem, gl_err *err)
{
    if (!key_pem && gl_bundle_is_encrypted(path)) {
        gl_err_setc(err, GL_ERR_USAGE, "%s: encrypted bundle: give the private key of a recipient (--key KEY.pem)",
                    path);
        return NULL;
    }
    gl_decrypt *d = NULL;
    if (key_pem) {
        d = gl_decrypt_open(path, key_pem, cert_pem, err);
        if (!d)
            return NULL;
        d->outbuf = gl_xmalloc(OUT_CHUNK);
    }
    struct archive *a = archive_read_new();
    archive_read_support_filter_zstd(a);
    archive_read_support_format_tar(a);
    /* On failure libarchive has already called the close callback. */
    int rc = d ? archive_read_open(a, d, NULL, archive_read_cb, archive_close_cb)
               : archive_read_open_filename(a, path, OUT_CHUNK);
    if (rc != ARCHIVE_OK) {
        gl_err_setc(err, GL_ERR_DAMAGED, "%s: %s", path, archive_error_string(a));
        archive_read_free(a);
        return NULL;
    }
    return a;
}

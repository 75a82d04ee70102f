#include "spool.h"
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"

/* The sealing key: random, per process, never written anywhere. */
static unsigned char seal_key[32];
static bool seal_on;

int gl_spool_seal_all(void)
{
    if (!seal_on && RAND_bytes(seal_key, sizeof seal_key) != 1)
        return -1;
    seal_on = true;
    return 0;
}

/* XOR n bytes at spool offset off with the counter-mode keystream:
 * encrypting and decrypting are the same, at any offset. */
static int seal_xor(const gl_spool *sp, uint64_t off, const unsigned char *in, unsigned char *out, size_t n)
{
    unsigned char iv[16], skip[16] = {0};
    memcpy(iv, sp->nonce, 8);
    uint64_t block = off / 16;
    for (int i = 0; i < 8; i++)
        iv[15 - i] = (unsigned char)(block >> (8 * i));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len, ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, seal_key, iv) == 1;
    if (ok && off % 16)
        ok = EVP_EncryptUpdate(ctx, skip, &len, skip, (int)(off % 16)) == 1;
    while (ok && n > 0) {
        int chunk = n > (size_t)INT_MAX / 2 ? INT_MAX / 2 : (int)n;
        ok = EVP_EncryptUpdate(ctx, out, &len, in, chunk) == 1;
        in += chunk;
        out += chunk;
        n -= (size_t)chunk;
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

static int write_sealed(gl_spool *sp, const unsigned char *data, size_t n, gl_err *err)
{
    unsigned char buf[16384];
    while (n > 0) {
        size_t chunk = n < sizeof buf ? n : sizeof buf;
        if (seal_xor(sp, sp->size, data, buf, chunk) != 0)
            return gl_err_set(err, "encrypting spool file");
        if (fwrite(buf, 1, chunk, sp->fp) != chunk)
            return gl_err_errno(err, "writing spool file");
        sp->size += chunk;
        data += chunk;
        n -= chunk;
    }
    return 0;
}

int gl_spool_open(gl_spool *sp, const char *dir, gl_err *err)
{
    memset(sp, 0, sizeof *sp);
    if (seal_on) {
        if (RAND_bytes(sp->nonce, sizeof sp->nonce) != 1)
            return gl_err_set(err, "spool file in %s: no random nonce for sealing it", dir);
        sp->sealed = true;
    }
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/.gleaner-spool-XXXXXX", dir);
    int fd = mkstemp(path.data);
    if (fd < 0) {
        gl_err_errno(err, "creating spool file in %s", dir);
        gl_buf_free(&path);
        return -1;
    }
    unlink(path.data);
    gl_buf_free(&path);
    sp->fp = fdopen(fd, "w+b");
    if (!sp->fp) {
        close(fd);
        return gl_err_errno(err, "spool file in %s", dir);
    }
    return 0;
}

int gl_spool_write(gl_spool *sp, const void *data, size_t n, gl_err *err)
{
    if (sp->sealed)
        return write_sealed(sp, data, n, err);
    if (n && fwrite(data, 1, n, sp->fp) != n)
        return gl_err_errno(err, "writing spool file");
    sp->size += n;
    return 0;
}

int gl_spool_line(gl_spool *sp, const char *line, size_t n, gl_err *err)
{
    if (gl_spool_write(sp, line, n, err) != 0 || gl_spool_write(sp, "\n", 1, err) != 0)
        return -1;
    sp->lines++;
    return 0;
}

int64_t gl_spool_read_at(gl_spool *sp, uint64_t off, void *buf, size_t len, gl_err *err)
{
    if (fflush(sp->fp) != 0)
        return gl_err_errno(err, "flushing spool file");
    if (off >= sp->size)
        return 0;
    if (len > sp->size - off)
        len = (size_t)(sp->size - off);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fileno(sp->fp), (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0)
            return gl_err_errno(err, "reading spool file at offset %llu", (unsigned long long)(off + done));
        if (n == 0)
            break;
        done += (size_t)n;
    }
    if (sp->sealed && seal_xor(sp, off, buf, buf, done) != 0)
        return gl_err_set(err, "decrypting spool file at offset %llu", (unsigned long long)off);
    return (int64_t)done;
}

int gl_spool_each_line(gl_spool *sp, int (*cb)(void *ctx, const char *line, size_t n), void *ctx, gl_err *err)
{
    char chunk[1 << 16];
    gl_buf line = {0};
    uint64_t off = 0;
    int rc = 0;
    while (rc == 0 && off < sp->size) {
        int64_t got = gl_spool_read_at(sp, off, chunk, sizeof chunk, err);
        if (got <= 0) {
            rc = got < 0 ? -1 : 0;
            break;
        }
        off += (uint64_t)got;
        const char *p = chunk, *end = chunk + got;
        while (rc == 0 && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) {
                gl_buf_append(&line, p, (size_t)(end - p));
                break;
            }
            if (line.len) {
                gl_buf_append(&line, p, (size_t)(nl - p));
                rc = cb(ctx, line.data, line.len);
                gl_buf_clear(&line);
            } else {
                rc = cb(ctx, p, (size_t)(nl - p));
            }
            p = nl + 1;
        }
    }
    gl_buf_free(&line);
    return rc;
}

void gl_spool_close(gl_spool *sp)
{
    if (sp->fp)
        fclose(sp->fp);
    sp->fp = NULL;
}

#include "sha256.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void gl_sha256_init(gl_sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        fprintf(stderr, "gleaner: OpenSSL SHA-256 unavailable\n");
        abort();
    }
    h->ctx = ctx;
}

void gl_sha256_update(gl_sha256 *h, const void *data, size_t n)
{
    if (n)
        EVP_DigestUpdate(h->ctx, data, n);
}

void gl_sha256_final(gl_sha256 *h, char hex[GL_SHA256_HEX])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h->ctx, md, &len);
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

int gl_sha256_file(const char *path, char hex[GL_SHA256_HEX])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    gl_sha256 h;
    gl_sha256_init(&h);
    static unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        gl_sha256_update(&h, buf, n);
    int bad = ferror(f);
    fclose(f);
    gl_sha256_final(&h, hex);
    return bad ? -1 : 0;
}

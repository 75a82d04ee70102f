/* SHA-256 via OpenSSL's EVP interface (libcrypto). */
#ifndef GL_SHA256_H
#define GL_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct gl_sha256 {
    void *ctx; /* EVP_MD_CTX */
} gl_sha256;

#define GL_SHA256_HEX 65

void gl_sha256_init(gl_sha256 *h);
void gl_sha256_update(gl_sha256 *h, const void *data, size_t n);
/* Finishes and frees the context; hex is lowercase, NUL-terminated. */
void gl_sha256_final(gl_sha256 *h, char hex[GL_SHA256_HEX]);
/* Hash a whole file by path (streamed). Returns 0, or -1 if unreadable. */
int gl_sha256_file(const char *path, char hex[GL_SHA256_HEX]);

#endif

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

/* Reading and hashing on a second thread while the caller does something
 * else with the same bytes (compresses them), so the two overlap on two
 * cores: the thread fills buffers in turn through fill, hashes each, and
 * hands them to the caller in order; each stays the caller's until its
 * next gl_sha256_bg_take. The thread lives only from start to stop, so no
 * thread outlives the piece of work that needed it. */
typedef struct gl_sha256_bg {
    gl_sha256 *h;
    /* Put up to cap bytes into buf: how many (> 0), or 0 at the end. Runs
     * on the thread; ctx is the thread's until stop. */
    size_t (*fill)(void *ctx, unsigned char *buf, size_t cap);
    void *ctx;
    unsigned char **buf;
    size_t *len;
    unsigned slots;
    size_t cap;                /* bytes in each buffer */
    /* guarded by the mutex: */
    uint64_t filled, taken;    /* buffers filled and hashed / taken by the caller */
    int ended, closing, running;
    void *sync;                /* the thread, mutex and conditions (sha256.c) */
} gl_sha256_bg;

/* slots buffers of cap bytes each, made once and reused by every
 * start/stop: how far the thread may read ahead of the caller. */
void gl_sha256_bg_init(gl_sha256_bg *bg, unsigned slots, size_t cap);
/* Start filling through fill(ctx, ...) and hashing into h (initialised by
 * the caller). -1 when no thread can be made: the caller does it inline. */
int gl_sha256_bg_start(gl_sha256_bg *bg, gl_sha256 *h, size_t (*fill)(void *ctx, unsigned char *buf, size_t cap),
                       void *ctx);
/* The next buffer, filled and hashed, and its length in *n; NULL at the
 * end. The one taken before is given back to the thread. */
const unsigned char *gl_sha256_bg_take(gl_sha256_bg *bg, size_t *n);
/* End the thread, at the end or early (the caller failed: what it has not
 * taken is dropped, and h then covers more than the caller used). */
void gl_sha256_bg_stop(gl_sha256_bg *bg);
void gl_sha256_bg_free(gl_sha256_bg *bg);

#endif

#include "sha256.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

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

/* ---- hashing on a second thread ------------------------------------------ */

typedef struct bg_sync {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled; /* a buffer was filled, or the end was reached */
    pthread_cond_t freed;  /* a buffer was given back, or closing */
} bg_sync;

void gl_sha256_bg_init(gl_sha256_bg *bg, unsigned slots, size_t cap)
{
    memset(bg, 0, sizeof *bg);
    bg->cap = cap;
    bg->slots = slots;
    bg->buf = gl_xcalloc(slots, sizeof *bg->buf);
    bg->len = gl_xcalloc(slots, sizeof *bg->len);
    for (unsigned i = 0; i < slots; i++)
        bg->buf[i] = gl_xmalloc(cap);
    bg_sync *s = gl_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->filled, NULL);
    pthread_cond_init(&s->freed, NULL);
    bg->sync = s;
}

/* Buffer filled+k is free once the caller has given back all but the one
 * it holds: at most slots-1 filled ahead of the one taken. */
static void *bg_main(void *arg)
{
    gl_sha256_bg *bg = arg;
    bg_sync *s = bg->sync;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (bg->filled - bg->taken >= bg->slots - 1 && !bg->closing)
            pthread_cond_wait(&s->freed, &s->mu);
        int closing = bg->closing;
        unsigned slot = (unsigned)(bg->filled % bg->slots);
        pthread_mutex_unlock(&s->mu);
        size_t n = closing ? 0 : bg->fill(bg->ctx, bg->buf[slot], bg->cap);
        if (n)
            gl_sha256_update(bg->h, bg->buf[slot], n);
        pthread_mutex_lock(&s->mu);
        if (n) {
            bg->len[slot] = n;
            bg->filled++;
        } else {
            bg->ended = 1;
        }
        pthread_cond_signal(&s->filled);
        pthread_mutex_unlock(&s->mu);
        if (!n)
            return NULL;
    }
}

int gl_sha256_bg_start(gl_sha256_bg *bg, gl_sha256 *h, size_t (*fill)(void *ctx, unsigned char *buf, size_t cap),
                       void *ctx)
{
    bg_sync *s = bg->sync;
    if (bg->slots < 2)
        return -1;
    bg->h = h;
    bg->fill = fill;
    bg->ctx = ctx;
    bg->filled = bg->taken = 0;
    bg->ended = bg->closing = 0;
    if (pthread_create(&s->thread, NULL, bg_main, bg) != 0)
        return -1;
    bg->running = 1;
    return 0;
}

const unsigned char *gl_sha256_bg_take(gl_sha256_bg *bg, size_t *n)
{
    bg_sync *s = bg->sync;
    const unsigned char *out = NULL;
    pthread_mutex_lock(&s->mu);
    /* taken counts the buffer being handed out now; the one before it is free from here */
    while (bg->filled == bg->taken && !bg->ended)
        pthread_cond_wait(&s->filled, &s->mu);
    if (bg->filled > bg->taken) {
        unsigned slot = (unsigned)(bg->taken % bg->slots);
        out = bg->buf[slot];
        *n = bg->len[slot];
        bg->taken++;
    } else {
        *n = 0;
    }
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
    return out;
}

void gl_sha256_bg_stop(gl_sha256_bg *bg)
{
    if (!bg->running)
        return;
    bg_sync *s = bg->sync;
    pthread_mutex_lock(&s->mu);
    bg->closing = 1;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    bg->running = 0;
}

void gl_sha256_bg_free(gl_sha256_bg *bg)
{
    if (!bg->sync)
        return;
    gl_sha256_bg_stop(bg);
    bg_sync *s = bg->sync;
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->filled);
    pthread_cond_destroy(&s->freed);
    free(s);
    for (unsigned i = 0; i < bg->slots; i++)
        free(bg->buf[i]);
    free(bg->buf);
    free(bg->len);
    memset(bg, 0, sizeof *bg);
}

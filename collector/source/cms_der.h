/* The outer layers of a CMS EnvelopedData (RFC 5652) in BER/DER, walked
 * by structure through a gl_reader so a bundle of many gigabytes is never
 * held in memory. Pure: bytes in, offsets and a small re-encoded header
 * out; the cryptography is bundle_crypt.c's. Accepts definite and
 * indefinite lengths and the encrypted content as one primitive or a
 * (nested) constructed OCTET STRING, as OpenSSL writes it when streaming. */
#ifndef GL_CMS_DER_H
#define GL_CMS_DER_H
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "reader.h"

#define GL_CMS_MAX_HEADER (1u << 20) /* recipient infos and algorithm: small in any real bundle */
#define GL_CMS_MAX_DEPTH 16          /* nesting of BER containers we follow */

typedef struct gl_der_tlv {
    uint8_t cls;       /* 0 universal, 1 application, 2 context-specific, 3 private */
    bool constructed;
    uint32_t tag;
    uint64_t off;      /* identifier octet */
    uint64_t val;      /* first contents octet */
    uint64_t len;      /* contents length; 0 when indefinite */
    bool indefinite;
} gl_der_tlv;

/* One identifier+length at off; a definite length must end by limit. */
int gl_der_tlv_read(const gl_reader *r, uint64_t off, uint64_t limit, gl_der_tlv *t, gl_err *err);
/* Offset just past t, following indefinite-length contents (depth-limited). */
int gl_der_tlv_end(const gl_reader *r, const gl_der_tlv *t, uint64_t limit, uint64_t *end, gl_err *err);

typedef struct gl_cms_frame {
    uint64_t end;   /* definite: offset past the contents */
    uint64_t limit; /* no child may run past this (end, or the parent's limit) */
    bool indefinite;
} gl_cms_frame;

typedef struct gl_cms_envelope {
    /* The ContentInfo re-encoded in DER without encryptedContent, so
     * OpenSSL can read the recipients and the algorithm: small. */
    gl_buf header;
    gl_der_tlv content;    /* encryptedContent [0] IMPLICIT OCTET STRING */
    gl_cms_frame outer[4]; /* ContentInfo, [0] content, EnvelopedData, EncryptedContentInfo */
    uint64_t n_recipients; /* elements of the RecipientInfos SET */
} gl_cms_envelope;

/* A ContentInfo whose type is enveloped-data (a sniff: nothing more checked). */
bool gl_cms_is_enveloped(const gl_reader *r);
/* Read everything up to the encrypted content. -1 with err (GL_ERR_DAMAGED,
 * or GL_ERR_USAGE for a CMS type gleaner does not read) naming the offset. */
int gl_cms_envelope_parse(const gl_reader *r, gl_cms_envelope *env, gl_err *err);
void gl_cms_envelope_free(gl_cms_envelope *env);

/* Walks the encrypted content piece by piece. */
typedef struct gl_cms_content {
    const gl_reader *r;
    const gl_cms_envelope *env;
    uint64_t pos;
    gl_cms_frame stack[GL_CMS_MAX_DEPTH];
    int depth;
    bool started, done;
} gl_cms_content;

void gl_cms_content_init(gl_cms_content *c, const gl_reader *r, const gl_cms_envelope *env);
/* Next piece of ciphertext at *off, *len bytes: 1. 0 at the end, once the
 * rest of the structure has been checked to close properly and nothing
 * follows it; -1 with err (GL_ERR_DAMAGED) naming the offset. */
int gl_cms_content_next(gl_cms_content *c, uint64_t *off, uint64_t *len, gl_err *err);

#endif

#include "cms_der.h"
#include <string.h>

/* 1.2.840.113549.1.7.3 and 1.2.840.113549.1.9.16.1.23 (RFC 5083). */
static const uint8_t OID_ENVELOPED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03};
static const uint8_t OID_AUTH_ENVELOPED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17};

enum { CLS_UNIVERSAL = 0, CLS_CONTEXT = 2 };
enum { TAG_EOC = 0, TAG_INTEGER = 2, TAG_OCTETS = 4, TAG_OID = 6, TAG_SEQUENCE = 16, TAG_SET = 17 };

static const char *rname(const gl_reader *r) { return r->name ? r->name : "CMS"; }

static int damaged(const gl_reader *r, uint64_t off, const char *what, const gl_der_tlv *found, gl_err *err)
{
    if (found)
        return gl_err_setc(err, GL_ERR_DAMAGED, "%s: offset %llu: expected %s, found class %u tag %u%s", rname(r),
                           (unsigned long long)off, what, found->cls, found->tag,
                           found->constructed ? " (constructed)" : "");
    return gl_err_setc(err, GL_ERR_DAMAGED, "%s: offset %llu: expected %s", rname(r), (unsigned long long)off, what);
}

int gl_der_tlv_read(const gl_reader *r, uint64_t off, uint64_t limit, gl_der_tlv *t, gl_err *err)
{
    uint8_t h[16];
    if (limit > r->size)
        limit = r->size;
    if (off >= limit)
        return damaged(r, off, "an ASN.1 element, but the data ends there", NULL, err);
    size_t avail = limit - off < sizeof h ? (size_t)(limit - off) : sizeof h;
    int64_t got = r->read_at(r->ctx, off, h, avail, err);
    if (got < 0)
        return -1;
    if ((size_t)got < avail)
        return damaged(r, off, "an ASN.1 element, but the data ends early", NULL, err);
    memset(t, 0, sizeof *t);
    t->off = off;
    t->cls = h[0] >> 6;
    t->constructed = (h[0] & 0x20) != 0;
    size_t i = 1;
    if ((h[0] & 0x1f) != 0x1f) {
        t->tag = h[0] & 0x1f;
    } else {
        /* high tag number: base 128, at most 4 octets (tags < 2^28) */
        for (int n = 0;; n++) {
            if (i >= avail || n == 4)
                return damaged(r, off, "a tag number of at most 4 octets", NULL, err);
            t->tag = (t->tag << 7) | (h[i] & 0x7f);
            if (!(h[i++] & 0x80))
                break;
        }
    }
    if (i >= avail)
        return damaged(r, off, "a length octet, but the data ends there", NULL, err);
    uint8_t l0 = h[i++];
    if (l0 == 0x80) {
        if (!t->constructed)
            return damaged(r, off, "a definite length (a primitive element cannot be indefinite)", NULL, err);
        t->indefinite = true;
    } else if (l0 < 0x80) {
        t->len = l0;
    } else {
        unsigned n = l0 & 0x7f;
        if (n > 8 || l0 == 0xff)
            return damaged(r, off, "a length of at most 8 octets", NULL, err);
        if (i + n > avail)
            return damaged(r, off, "the length octets, but the data ends there", NULL, err);
        for (unsigned k = 0; k < n; k++)
            t->len = (t->len << 8) | h[i++];
    }
    t->val = off + i;
    if (!t->indefinite && t->len > limit - t->val)
        return gl_err_setc(err, GL_ERR_DAMAGED,
                           "%s: offset %llu: element of %llu bytes runs past the end of its container or the file "
                           "(%llu bytes left)",
                           rname(r), (unsigned long long)off, (unsigned long long)t->len,
                           (unsigned long long)(limit - t->val));
    return 0;
}

static bool is_eoc(const gl_der_tlv *t)
{
    return t->cls == CLS_UNIVERSAL && t->tag == TAG_EOC && !t->constructed && !t->indefinite && t->len == 0;
}

static bool is_universal(const gl_der_tlv *t, uint32_t tag, bool constructed)
{
    return t->cls == CLS_UNIVERSAL && t->tag == tag && t->constructed == constructed;
}

static int tlv_end_depth(const gl_reader *r, const gl_der_tlv *t, uint64_t limit, int depth, uint64_t *end,
                         gl_err *err)
{
    if (!t->indefinite) {
        *end = t->val + t->len;
        return 0;
    }
    if (depth >= GL_CMS_MAX_DEPTH)
        return gl_err_setc(err, GL_ERR_LIMIT, "%s: offset %llu: indefinite-length elements nested more than %d deep",
                           rname(r), (unsigned long long)t->off, GL_CMS_MAX_DEPTH);
    /* Every child is at least two octets, so this ends by limit. */
    for (uint64_t pos = t->val;;) {
        gl_der_tlv c;
        if (gl_der_tlv_read(r, pos, limit, &c, err) != 0)
            return -1;
        if (is_eoc(&c)) {
            *end = c.val;
            return 0;
        }
        if (tlv_end_depth(r, &c, limit, depth + 1, &pos, err) != 0)
            return -1;
    }
}

int gl_der_tlv_end(const gl_reader *r, const gl_der_tlv *t, uint64_t limit, uint64_t *end, gl_err *err)
{
    return tlv_end_depth(r, t, limit, 0, end, err);
}

static gl_cms_frame frame_of(const gl_der_tlv *t, uint64_t parent_limit)
{
    gl_cms_frame f = {.indefinite = t->indefinite, .end = t->indefinite ? 0 : t->val + t->len};
    f.limit = t->indefinite ? parent_limit : f.end;
    return f;
}

/* Whole TLV bytes [t->off, end) appended to out, within the header cap. */
static int copy_raw(const gl_reader *r, const gl_der_tlv *t, uint64_t limit, gl_buf *out, uint64_t *end, gl_err *err)
{
    if (gl_der_tlv_end(r, t, limit, end, err) != 0)
        return -1;
    uint64_t n = *end - t->off;
    if (n > GL_CMS_MAX_HEADER || out->len + n > GL_CMS_MAX_HEADER)
        return gl_err_setc(err, GL_ERR_LIMIT, "%s: offset %llu: CMS header larger than %u bytes", rname(r),
                           (unsigned long long)t->off, GL_CMS_MAX_HEADER);
    gl_buf_reserve(out, (size_t)n);
    if (gl_read_exact(r, t->off, out->data + out->len, (size_t)n, err) != 0)
        return -1;
    out->len += (size_t)n;
    return 0;
}

/* DER identifier + definite length + contents. */
static void wrap(gl_buf *out, uint8_t ident, const gl_buf *body)
{
    uint8_t h[10];
    size_t n = 0;
    h[n++] = ident;
    size_t len = body->len;
    if (len < 0x80) {
        h[n++] = (uint8_t)len;
    } else {
        uint8_t tmp[8];
        int k = 0;
        for (size_t v = len; v; v >>= 8)
            tmp[k++] = (uint8_t)v;
        h[n++] = (uint8_t)(0x80 | k);
        while (k)
            h[n++] = tmp[--k];
    }
    gl_buf_append(out, h, n);
    gl_buf_append(out, body->data, body->len);
}

static int expect(const gl_reader *r, uint64_t off, uint64_t limit, gl_der_tlv *t, bool ok_cls_tag(const gl_der_tlv *),
                  const char *what, gl_err *err)
{
    if (gl_der_tlv_read(r, off, limit, t, err) != 0)
        return -1;
    return ok_cls_tag(t) ? 0 : damaged(r, off, what, t, err);
}

static bool is_sequence(const gl_der_tlv *t) { return is_universal(t, TAG_SEQUENCE, true); }
static bool is_set(const gl_der_tlv *t) { return is_universal(t, TAG_SET, true); }
static bool is_oid(const gl_der_tlv *t) { return is_universal(t, TAG_OID, false); }
static bool is_integer(const gl_der_tlv *t) { return is_universal(t, TAG_INTEGER, false); }
static bool is_explicit0(const gl_der_tlv *t) { return t->cls == CLS_CONTEXT && t->tag == 0 && t->constructed; }
static bool is_context0(const gl_der_tlv *t) { return t->cls == CLS_CONTEXT && t->tag == 0; }

static int check_content_type(const gl_reader *r, const gl_der_tlv *oid, gl_err *err)
{
    uint8_t v[sizeof OID_AUTH_ENVELOPED];
    if (oid->len == sizeof OID_ENVELOPED) {
        if (gl_read_exact(r, oid->val, v, sizeof OID_ENVELOPED, err) != 0)
            return -1;
        if (!memcmp(v, OID_ENVELOPED, sizeof OID_ENVELOPED))
            return 0;
    } else if (oid->len == sizeof OID_AUTH_ENVELOPED) {
        if (gl_read_exact(r, oid->val, v, sizeof OID_AUTH_ENVELOPED, err) != 0)
            return -1;
        if (!memcmp(v, OID_AUTH_ENVELOPED, sizeof OID_AUTH_ENVELOPED))
            return gl_err_setc(err, GL_ERR_USAGE,
                               "%s: CMS AuthEnvelopedData (AES-GCM) is not read by gleaner; bundles are EnvelopedData",
                               rname(r));
    }
    return gl_err_setc(err, GL_ERR_USAGE, "%s: offset %llu: CMS content type is not enveloped-data (not an encrypted bundle)",
                       rname(r), (unsigned long long)oid->off);
}

static uint64_t count_children(const gl_reader *r, const gl_der_tlv *set, uint64_t set_end)
{
    /* Only for messages: the SET was already walked once by copy_raw. */
    uint64_t n = 0, pos = set->val;
    uint64_t stop = set->indefinite ? set_end - 2 : set_end;
    while (pos < stop) {
        gl_der_tlv c;
        gl_err e = {0};
        if (gl_der_tlv_read(r, pos, stop, &c, &e) != 0 || gl_der_tlv_end(r, &c, stop, &pos, &e) != 0)
            break;
        n++;
    }
    return n;
}

int gl_cms_envelope_parse(const gl_reader *r, gl_cms_envelope *env, gl_err *err)
{
    memset(env, 0, sizeof *env);
    gl_der_tlv ci, oid, exp0, ed, ver, t, alg, ctype;
    gl_buf ed_body = {0}, eci_body = {0}, tmp = {0};
    uint64_t pos;
    int rc = -1;
    if (expect(r, 0, r->size, &ci, is_sequence, "a ContentInfo SEQUENCE", err) != 0)
        goto out;
    env->outer[0] = frame_of(&ci, r->size);
    if (expect(r, ci.val, env->outer[0].limit, &oid, is_oid, "the content type OID", err) != 0 ||
        check_content_type(r, &oid, err) != 0)
        goto out;
    if (expect(r, oid.val + oid.len, env->outer[0].limit, &exp0, is_explicit0, "[0] content", err) != 0)
        goto out;
    env->outer[1] = frame_of(&exp0, env->outer[0].limit);
    if (expect(r, exp0.val, env->outer[1].limit, &ed, is_sequence, "an EnvelopedData SEQUENCE", err) != 0)
        goto out;
    env->outer[2] = frame_of(&ed, env->outer[1].limit);
    uint64_t lim = env->outer[2].limit;
    if (expect(r, ed.val, lim, &ver, is_integer, "the EnvelopedData version INTEGER", err) != 0 ||
        copy_raw(r, &ver, lim, &ed_body, &pos, err) != 0)
        goto out;
    if (gl_der_tlv_read(r, pos, lim, &t, err) != 0)
        goto out;
    if (is_explicit0(&t)) { /* originatorInfo */
        if (copy_raw(r, &t, lim, &ed_body, &pos, err) != 0 || gl_der_tlv_read(r, pos, lim, &t, err) != 0)
            goto out;
    }
    if (!is_set(&t)) {
        damaged(r, pos, "the RecipientInfos SET", &t, err);
        goto out;
    }
    uint64_t set_off = pos;
    if (copy_raw(r, &t, lim, &ed_body, &pos, err) != 0)
        goto out;
    env->n_recipients = count_children(r, &t, pos);
    if (env->n_recipients == 0) {
        gl_err_setc(err, GL_ERR_DAMAGED, "%s: offset %llu: no recipients", rname(r), (unsigned long long)set_off);
        goto out;
    }
    gl_der_tlv eci;
    if (expect(r, pos, lim, &eci, is_sequence, "an EncryptedContentInfo SEQUENCE", err) != 0)
        goto out;
    env->outer[3] = frame_of(&eci, lim);
    lim = env->outer[3].limit;
    if (expect(r, eci.val, lim, &ctype, is_oid, "the encrypted content type OID", err) != 0 ||
        copy_raw(r, &ctype, lim, &eci_body, &pos, err) != 0)
        goto out;
    if (expect(r, pos, lim, &alg, is_sequence, "the content-encryption AlgorithmIdentifier", err) != 0 ||
        copy_raw(r, &alg, lim, &eci_body, &pos, err) != 0)
        goto out;
    bool absent = !eci.indefinite && pos == env->outer[3].end;
    if (!absent && gl_der_tlv_read(r, pos, lim, &env->content, err) != 0)
        goto out;
    if (absent || is_eoc(&env->content)) {
        gl_err_setc(err, GL_ERR_DAMAGED, "%s: offset %llu: no encrypted content (detached content is not a bundle)",
                    rname(r), (unsigned long long)pos);
        goto out;
    }
    if (!is_context0(&env->content)) {
        damaged(r, pos, "the encryptedContent [0]", &env->content, err);
        goto out;
    }
    /* Re-encode: SEQ { oid, [0] { SEQ { version, [orig], recipients, SEQ { type, alg } } } } */
    wrap(&ed_body, 0x30, &eci_body);
    wrap(&tmp, 0x30, &ed_body);
    gl_buf_clear(&eci_body);
    if (copy_raw(r, &oid, env->outer[0].limit, &eci_body, &pos, err) != 0)
        goto out;
    wrap(&eci_body, 0xa0, &tmp);
    wrap(&env->header, 0x30, &eci_body);
    rc = 0;
out:
    gl_buf_free(&ed_body);
    gl_buf_free(&eci_body);
    gl_buf_free(&tmp);
    if (rc != 0)
        gl_cms_envelope_free(env);
    return rc;
}

bool gl_cms_is_enveloped(const gl_reader *r)
{
    gl_der_tlv ci, oid;
    gl_err e = {0};
    uint8_t v[sizeof OID_ENVELOPED];
    return gl_der_tlv_read(r, 0, r->size, &ci, &e) == 0 && is_sequence(&ci) &&
           gl_der_tlv_read(r, ci.val, frame_of(&ci, r->size).limit, &oid, &e) == 0 && is_oid(&oid) &&
           oid.len == sizeof v && gl_read_exact(r, oid.val, v, sizeof v, &e) == 0 &&
           !memcmp(v, OID_ENVELOPED, sizeof v);
}

void gl_cms_envelope_free(gl_cms_envelope *env) { gl_buf_free(&env->header); }

void gl_cms_content_init(gl_cms_content *c, const gl_reader *r, const gl_cms_envelope *env)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->env = env;
    c->pos = env->content.off;
}

/* The current frame ends at pos: its end-of-contents octets (indefinite)
 * or its announced end (definite). */
static int close_frame(gl_cms_content *c, const gl_cms_frame *f, const char *what, gl_err *err)
{
    if (!f->indefinite) {
        if (c->pos != f->end)
            return gl_err_setc(err, GL_ERR_DAMAGED, "%s: offset %llu: %s should end at offset %llu", rname(c->r),
                               (unsigned long long)c->pos, what, (unsigned long long)f->end);
        return 0;
    }
    gl_der_tlv t;
    if (gl_der_tlv_read(c->r, c->pos, f->limit, &t, err) != 0)
        return gl_err_prefix(err, "end of %s", what);
    if (!is_eoc(&t))
        return damaged(c->r, c->pos, "end-of-contents octets", &t, err);
    c->pos = t.val;
    return 0;
}

/* After the content: the containers around it close, an optional
 * unprotectedAttrs [1] sits before EnvelopedData ends, nothing follows. */
static int check_trailer(gl_cms_content *c, gl_err *err)
{
    const gl_cms_frame *o = c->env->outer;
    if (close_frame(c, &o[3], "EncryptedContentInfo", err) != 0)
        return -1;
    if (o[2].indefinite || c->pos < o[2].end) {
        gl_der_tlv t;
        if (gl_der_tlv_read(c->r, c->pos, o[2].limit, &t, err) != 0)
            return -1;
        if (t.cls == CLS_CONTEXT && t.tag == 1 && t.constructed &&
            gl_der_tlv_end(c->r, &t, o[2].limit, &c->pos, err) != 0)
            return -1;
    }
    if (close_frame(c, &o[2], "EnvelopedData", err) != 0 || close_frame(c, &o[1], "[0] content", err) != 0 ||
        close_frame(c, &o[0], "ContentInfo", err) != 0)
        return -1;
    if (c->pos != c->r->size)
        return gl_err_setc(err, GL_ERR_DAMAGED, "%s: offset %llu: %llu bytes follow the end of the CMS structure",
                           rname(c->r), (unsigned long long)c->pos, (unsigned long long)(c->r->size - c->pos));
    return 0;
}

static int push(gl_cms_content *c, const gl_der_tlv *t, uint64_t parent_limit, gl_err *err)
{
    if (c->depth == GL_CMS_MAX_DEPTH)
        return gl_err_setc(err, GL_ERR_LIMIT, "%s: offset %llu: encrypted content nested more than %d deep",
                           rname(c->r), (unsigned long long)t->off, GL_CMS_MAX_DEPTH);
    c->stack[c->depth++] = frame_of(t, parent_limit);
    c->pos = t->val;
    return 0;
}

int gl_cms_content_next(gl_cms_content *c, uint64_t *off, uint64_t *len, gl_err *err)
{
    if (c->done)
        return 0;
    const gl_der_tlv *content = &c->env->content;
    if (!c->started) {
        c->started = true;
        if (!content->constructed) {
            c->pos = content->val + content->len;
            if (content->len) {
                *off = content->val;
                *len = content->len;
                return 1;
            }
        } else if (push(c, content, c->env->outer[3].limit, err) != 0) {
            return -1;
        }
    }
    /* Each step consumes at least two octets or pops a frame: bounded. */
    while (c->depth > 0) {
        gl_cms_frame *top = &c->stack[c->depth - 1];
        if (!top->indefinite && c->pos == top->end) {
            c->depth--;
            continue;
        }
        gl_der_tlv t;
        if (gl_der_tlv_read(c->r, c->pos, top->limit, &t, err) != 0)
            return gl_err_prefix(err, "encrypted content");
        if (top->indefinite && is_eoc(&t)) {
            c->pos = t.val;
            c->depth--;
            continue;
        }
        if (!(t.cls == CLS_UNIVERSAL && t.tag == TAG_OCTETS))
            return damaged(c->r, c->pos, "an OCTET STRING piece of the encrypted content", &t, err);
        if (t.constructed) {
            if (push(c, &t, top->limit, err) != 0)
                return -1;
            continue;
        }
        c->pos = t.val + t.len;
        if (t.len) {
            *off = t.val;
            *len = t.len;
            return 1;
        }
    }
    if (check_trailer(c, err) != 0)
        return -1;
    c->done = true;
    return 0;
}

/* Indicator index and string scanner (ioc_match.h). */
#include "ioc_match.h"
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

#define MAX_TOKEN 512 /* longer runs (base64, hex dumps) hold no indicator */

/* Open-addressing hash set of "<class><value>" keys -> entry index. */
typedef struct slot {
    uint64_t hash; /* compared first, so a probe rarely touches the key */
    char *key;
    size_t len, entry;
} slot;

struct ioc_set {
    ioc_entry *entries;
    size_t n, cap;
    slot *slots;
    size_t n_slots, used;
    bool v4_prefix[33], v6_prefix[129]; /* CIDR prefix lengths present */
    bool any_v6, any_filename;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static slot *find_slot(const ioc_set *s, uint64_t h, const char *key, size_t n)
{
    size_t mask = s->n_slots - 1, i = (size_t)h & mask;
    for (;;) {
        slot *sl = &s->slots[i];
        if (!sl->key || (sl->hash == h && sl->len == n && !memcmp(sl->key, key, n)))
            return sl;
        i = (i + 1) & mask;
    }
}

static void grow(ioc_set *s)
{
    slot *old = s->slots;
    size_t n_old = s->n_slots;
    s->n_slots = n_old ? n_old * 2 : 1024;
    s->slots = gl_xcalloc(s->n_slots, sizeof *s->slots);
    for (size_t i = 0; i < n_old; i++)
        if (old[i].key)
            *find_slot(s, old[i].hash, old[i].key, old[i].len) = old[i];
    free(old);
}

static const ioc_entry *lookup(const ioc_set *s, const char *key, size_t n)
{
    if (!s->n_slots)
        return NULL;
    const slot *sl = find_slot(s, fnv1a(key, n), key, n);
    return sl->key ? &s->entries[sl->entry] : NULL;
}

ioc_set *ioc_set_new(void) { return gl_xcalloc(1, sizeof(ioc_set)); }

void ioc_set_free(ioc_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->entries[i].value);
        free(s->entries[i].note);
        free(s->entries[i].origin);
    }
    for (size_t i = 0; i < s->n_slots; i++)
        free(s->slots[i].key);
    free(s->entries);
    free(s->slots);
    free(s);
}

size_t ioc_set_count(const ioc_set *s) { return s->n; }

static char class_of(gl_ioc_type t)
{
    switch (t) {
    case GL_IOC_IPV4: return '4';
    case GL_IOC_IPV6: return '6';
    case GL_IOC_CIDR4: return 'c';
    case GL_IOC_CIDR6: return 'C';
    case GL_IOC_DOMAIN: return 'd';
    case GL_IOC_WILDCARD: return 'w';
    case GL_IOC_FILENAME: return 'f';
    default: return 'h';
    }
}

void ioc_set_add(ioc_set *s, const gl_ioc *ioc, const char *origin, bool builtin)
{
    gl_buf key = {0};
    gl_buf_printf(&key, "%c%s", class_of(ioc->type), ioc->value);
    if ((s->used + 1) * 2 > s->n_slots)
        grow(s);
    uint64_t h = fnv1a(key.data, key.len);
    slot *sl = find_slot(s, h, key.data, key.len);
    ioc_entry e = {.type = ioc->type, .value = gl_xstrdup(ioc->value), .severity = ioc->severity,
                   .note = gl_xstrdup(ioc->note), .origin = gl_xstrdup(origin), .builtin = builtin};
    if (sl->key) { /* repeated: the later line wins */
        ioc_entry *old = &s->entries[sl->entry];
        free(old->value);
        free(old->note);
        free(old->origin);
        *old = e;
        gl_buf_free(&key);
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->entries = gl_xrealloc(s->entries, s->cap * sizeof *s->entries);
    }
    s->entries[s->n] = e;
    sl->key = key.data;
    sl->hash = h;
    sl->len = key.len;
    sl->entry = s->n++;
    s->used++;
    if (ioc->type == GL_IOC_CIDR4)
        s->v4_prefix[ioc->prefix] = true;
    if (ioc->type == GL_IOC_CIDR6)
        s->v6_prefix[ioc->prefix] = true;
    s->any_v6 |= ioc->type == GL_IOC_IPV6 || ioc->type == GL_IOC_CIDR6;
    s->any_filename |= ioc->type == GL_IOC_FILENAME;
}

/* ---- scanning ----------------------------------------------------------------------- */

typedef struct scan {
    const ioc_set *s;
    ioc_hit_cb cb;
    void *ctx;
} scan;

static void hit(scan *sc, const char *key, size_t n, const char *token, size_t tn)
{
    const ioc_entry *e = lookup(sc->s, key, n);
    if (e)
        sc->cb(sc->ctx, e, token, tn);
}

static void mask_bits(uint8_t *a, unsigned bytes, unsigned prefix)
{
    for (unsigned i = 0; i < bytes; i++) {
        unsigned keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;
        a[i] &= (uint8_t)(0xff00u >> keep);
    }
}

static void check_ipv4(scan *sc, const uint8_t ip[4], const char *tok, size_t tn)
{
    char key[32];
    int n = snprintf(key, sizeof key, "4%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    hit(sc, key, (size_t)n, tok, tn);
    for (unsigned p = 0; p <= 32; p++) {
        if (!sc->s->v4_prefix[p])
            continue;
        uint8_t net[4];
        memcpy(net, ip, 4);
        mask_bits(net, 4, p);
        n = snprintf(key, sizeof key, "c%u.%u.%u.%u/%u", net[0], net[1], net[2], net[3], p);
        hit(sc, key, (size_t)n, tok, tn);
    }
}

static void check_ipv6(scan *sc, const uint8_t ip[16], const char *tok, size_t tn)
{
    char key[INET6_ADDRSTRLEN + 8], txt[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, ip, txt, sizeof txt);
    int n = snprintf(key, sizeof key, "6%s", txt);
    hit(sc, key, (size_t)n, tok, tn);
    for (unsigned p = 0; p <= 128; p++) {
        if (!sc->s->v6_prefix[p])
            continue;
        uint8_t net[16];
        memcpy(net, ip, 16);
        mask_bits(net, 16, p);
        inet_ntop(AF_INET6, net, txt, sizeof txt);
        n = snprintf(key, sizeof key, "C%s/%u", txt, p);
        hit(sc, key, (size_t)n, tok, tn);
    }
}

/* A domain-character run, lowercased in d: each label-aligned suffix is
 * looked up, so "a.evil.example" finds "evil.example" and
 * "notevil.example" does not; a wildcard matches strict suffixes only. */
static void check_domain(scan *sc, const char *d, size_t n, const char *tok, size_t tn)
{
    if (!memchr(d, '.', n))
        return;
    char key[MAX_TOKEN + 2];
    for (size_t i = 0; i < n; i++) {
        if (i && d[i - 1] != '.')
            continue;
        memcpy(key + 1, d + i, n - i);
        key[0] = 'd';
        hit(sc, key, n - i + 1, tok, tn);
        if (i) {
            key[0] = 'w';
            hit(sc, key, n - i + 1, tok, tn);
        }
    }
}

/* ASCII classes, locale-independent: indicators are ASCII after IDNA. */
static inline bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}
static inline bool ascii_xdigit(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
static inline char ascii_lower(unsigned char c) { return (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c); }
static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ascii_xdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool domain_char(unsigned char c) { return ascii_alnum(c) || c == '.' || c == '-' || c == '_'; }
static bool v6_char(unsigned char c) { return ascii_xdigit(c) || c == ':' || c == '.'; }

static void scan_domain_runs(scan *sc, const char *t, size_t n)
{
    char buf[MAX_TOKEN + 2];
    for (size_t i = 0; i < n;) {
        if (!domain_char((unsigned char)t[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && domain_char((unsigned char)t[i]))
            i++;
        size_t len = i - start;
        if (len > MAX_TOKEN || len < 3)
            continue;
        const char *tok = t + start;
        /* a sentence's full stop or a hostname's trailing dot is not part of it */
        while (len && (*tok == '.' || *tok == '-' || *tok == '_'))
            tok++, len--;
        while (len && (tok[len - 1] == '.' || tok[len - 1] == '-' || tok[len - 1] == '_'))
            len--;
        bool hash_len = len == 32 || len == 40 || len == 64;
        if (!hash_len && !memchr(tok, '.', len))
            continue; /* neither an address, a domain nor a hash: most words */
        uint8_t ip[4];
        if (gl_ioc_parse_ipv4(tok, len, ip) == 0) {
            check_ipv4(sc, ip, tok, len);
            continue;
        }
        buf[0] = 'h';
        for (size_t k = 0; k < len; k++)
            buf[k + 1] = ascii_lower((unsigned char)tok[k]);
        if (hash_len && all_hex(tok, len)) {
            hit(sc, buf, len + 1, tok, len);
            continue;
        }
        check_domain(sc, buf + 1, len, tok, len);
    }
}

static void scan_v6_runs(scan *sc, const char *t, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (!v6_char((unsigned char)t[i])) {
            i++;
            continue;
        }
        size_t start = i, colons = 0;
        while (i < n && v6_char((unsigned char)t[i]))
            colons += t[i++] == ':';
        size_t len = i - start;
        uint8_t ip[16];
        if (colons >= 2 && len <= 45 && gl_ioc_parse_ipv6(t + start, len, ip) == 0)
            check_ipv6(sc, ip, t + start, len);
    }
}

static bool name_sep(unsigned char c)
{
    return c <= ' ' || strchr("\\/\"'|,;=<>()[]{}*?:", c) != NULL;
}

static void scan_names(scan *sc, const char *t, size_t n)
{
    char buf[MAX_TOKEN + 2];
    for (size_t i = 0; i < n;) {
        if (name_sep((unsigned char)t[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && !name_sep((unsigned char)t[i]))
            i++;
        size_t len = i - start;
        if (len > 255)
            continue;
        buf[0] = 'f';
        for (size_t k = 0; k < len; k++)
            buf[k + 1] = ascii_lower((unsigned char)t[start + k]);
        hit(sc, buf, len + 1, t + start, len);
    }
}

void ioc_set_scan(const ioc_set *s, const char *text, size_t n, ioc_hit_cb cb, void *ctx)
{
    if (!s->n)
        return;
    scan sc = {s, cb, ctx};
    scan_domain_runs(&sc, text, n);
    if (s->any_v6)
        scan_v6_runs(&sc, text, n);
    if (s->any_filename)
        scan_names(&sc, text, n);
}

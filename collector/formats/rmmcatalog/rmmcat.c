/* Catalog storage, merging and the hash indexes behind every lookup. */
#include "rmmcat_int.h"
#include <stdlib.h>
#include <string.h>

static inline char lc(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

size_t rmmcat_lower(char *dst, const char *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = lc(src[i]);
    return len;
}

bool rmmcat_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lc(a[i]) != lc(b[i]))
            return false;
    return true;
}

/* ---- lists ---------------------------------------------------------- */

static char *memdup0(const char *s, size_t n)
{
    char *c = gl_xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static void list_free(rmmcat_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static bool list_has(const rmmcat_list *l, const char *s, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (rmmcat_ieq(l->v[i], strlen(l->v[i]), s, len))
            return true;
    return false;
}

void rmmcat_list_add(rmmcat_list *l, const char *s, size_t len)
{
    if (len == 0 || list_has(l, s, len))
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = gl_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = memdup0(s, len);
}

void rmmcat_port_add(rmmcat_tool *t, uint16_t port)
{
    for (size_t i = 0; i < t->nports; i++)
        if (t->ports[i] == port)
            return;
    if (t->nports == t->capports) {
        t->capports = t->capports ? t->capports * 2 : 4;
        t->ports = gl_xrealloc(t->ports, t->capports * sizeof *t->ports);
    }
    t->ports[t->nports++] = port;
}

static void tool_free(rmmcat_tool *t)
{
    free(t->name);
    rmmcat_list *lists[] = {&t->aliases, &t->exes, &t->services, &t->paths, &t->files,
                            &t->logs, &t->registry, &t->domains, &t->signers};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        list_free(lists[i]);
    free(t->ports);
    free(t);
}

/* ---- hash map ------------------------------------------------------- */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static inline uint64_t fnv_step(uint64_t h, char c) { return (h ^ (unsigned char)c) * FNV_PRIME; }

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = fnv_step(h, s[i]);
    return h;
}

static void map_free(rmmcat_map *m)
{
    free(m->s);
    gl_buf_free(&m->pool);
    memset(m, 0, sizeof *m);
}

/* Slot for (hash, key): the matching one or the empty one to fill. */
static rmmcat_slot *map_slot(const rmmcat_map *m, uint64_t h, const char *key, size_t klen)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        rmmcat_slot *s = &m->s[i];
        if (!s->head)
            return s;
        if (s->hash == h && s->klen == klen && memcmp(m->pool.data + s->key, key, klen) == 0)
            return s;
    }
}

static void map_grow(rmmcat_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    rmmcat_slot *old = m->s;
    size_t ocap = m->cap;
    m->s = gl_xcalloc(ncap, sizeof *m->s);
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].head)
            continue;
        size_t j = (size_t)old[i].hash & (ncap - 1);
        while (m->s[j].head)
            j = (j + 1) & (ncap - 1);
        m->s[j] = old[i];
    }
    free(old);
}

/* Head of the posting chain for an already lowered key; 0 when absent. */
static uint32_t map_get(const rmmcat_map *m, uint64_t h, const char *key, size_t klen)
{
    if (!m->cap)
        return 0;
    return map_slot(m, h, key, klen)->head;
}

static void map_put(rmmcat *cat, int which, const char *key, size_t klen, uint32_t tool, uint32_t pat)
{
    rmmcat_map *m = &cat->maps[which];
    if ((m->n + 1) * 2 > m->cap)
        map_grow(m);
    uint64_t h = fnv(key, klen);
    rmmcat_slot *s = map_slot(m, h, key, klen);
    if (cat->npost == cat->cappost) {
        cat->cappost = cat->cappost ? cat->cappost * 2 : 256;
        cat->post = gl_xrealloc(cat->post, cat->cappost * sizeof *cat->post);
    }
    uint32_t idx = (uint32_t)cat->npost++;
    cat->post[idx] = (rmmcat_posting){tool, pat, s->head};
    if (!s->head) {
        s->hash = h;
        s->key = (uint32_t)m->pool.len;
        s->klen = (uint32_t)klen;
        gl_buf_append(&m->pool, key, klen);
        m->n++;
    }
    s->head = idx + 1;
}

/* ---- catalog -------------------------------------------------------- */

rmmcat *rmmcat_new(void) { return gl_xcalloc(1, sizeof(rmmcat)); }

static void index_free(rmmcat *cat)
{
    for (int i = 0; i < MAP_COUNT; i++)
        map_free(&cat->maps[i]);
    for (size_t i = 0; i < cat->npats; i++)
        free(cat->pats[i].rest);
    free(cat->pats);
    free(cat->post);
    free(cat->unanchored);
    free(cat->unanchored_tool);
    cat->pats = NULL;
    cat->post = NULL;
    cat->unanchored = cat->unanchored_tool = NULL;
    cat->npats = cat->cappats = cat->npost = cat->cappost = 0;
    cat->nunanchored = cat->capunanchored = 0;
}

void rmmcat_free(rmmcat *cat)
{
    if (!cat)
        return;
    index_free(cat);
    for (size_t i = 0; i < cat->ntools; i++)
        tool_free(cat->tools[i]);
    free(cat->tools);
    free(cat);
}

size_t rmmcat_count(const rmmcat *cat) { return cat ? cat->ntools : 0; }

const rmmcat_tool *rmmcat_tool_at(const rmmcat *cat, size_t i)
{
    return (cat && i < cat->ntools) ? cat->tools[i] : NULL;
}

static bool tool_named(const rmmcat_tool *t, const char *name, size_t len)
{
    return rmmcat_ieq(t->name, strlen(t->name), name, len) || list_has(&t->aliases, name, len);
}

/* Loading only: a linear scan is fine here (once per catalog entry);
 * lookups during matching go through MAP_NAME. */
static int64_t find_tool(const rmmcat *cat, const char *name, size_t len)
{
    for (size_t i = 0; i < cat->ntools; i++)
        if (tool_named(cat->tools[i], name, len))
            return (int64_t)i;
    return -1;
}

int64_t rmmcat_index_of(const rmmcat *cat, const char *name)
{
    if (!cat || !name)
        return -1;
    size_t len = strlen(name);
    if (len > RMMCAT_MAX_STR)
        return -1;
    char key[RMMCAT_MAX_STR];
    rmmcat_lower(key, name, len);
    uint32_t p = map_get(&cat->maps[MAP_NAME], fnv(key, len), key, len);
    return p ? (int64_t)cat->post[p - 1].tool : find_tool(cat, name, len);
}

const rmmcat_tool *rmmcat_find(const rmmcat *cat, const char *name)
{
    int64_t i = rmmcat_index_of(cat, name);
    return i < 0 ? NULL : cat->tools[i];
}

rmmcat_tool *rmmcat_tool_get(rmmcat *cat, const char *name, size_t len, unsigned source)
{
    int64_t i = find_tool(cat, name, len);
    rmmcat_tool *t;
    if (i >= 0) {
        t = cat->tools[i];
    } else {
        if (cat->ntools == cat->captools) {
            cat->captools = cat->captools ? cat->captools * 2 : 64;
            cat->tools = gl_xrealloc(cat->tools, cat->captools * sizeof *cat->tools);
        }
        t = gl_xcalloc(1, sizeof *t);
        t->name = memdup0(name, len);
        cat->tools[cat->ntools++] = t;
    }
    t->sources |= source;
    return t;
}

size_t rmmcat_unanchored(const rmmcat *cat) { return cat ? cat->nunanchored : 0; }

/* ---- normalization -------------------------------------------------- */

static bool has_wild(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?')
            return true;
    return false;
}

static size_t literal_prefix(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != '*' && s[i] != '?')
        i++;
    return i;
}

/* Windows environment variables as they appear in catalogs, mapped to
 * the folder they mean on a system drive (user folders canonicalized). */
static const struct {
    const char *var;
    const char *path;
} env_map[] = {
    {"programdata", "\\programdata"},
    {"allusersprofile", "\\programdata"},
    {"appdata", "\\users\\*\\appdata\\roaming"},
    {"localappdata", "\\users\\*\\appdata\\local"},
    {"userprofile", "\\users\\*"},
    {"homepath", "\\users\\*"},
    {"public", "\\users\\*"},
    {"programfiles", "\\program files"},
    {"programw6432", "\\program files"},
    {"programfiles(x86)", "\\program files (x86)"},
    {"commonprogramfiles", "\\program files\\common files"},
    {"systemroot", "\\windows"},
    {"windir", "\\windows"},
    {"temp", "\\users\\*\\appdata\\local\\temp"},
    {"tmp", "\\users\\*\\appdata\\local\\temp"},
    {"systemdrive", ""},
};

/* Length of an environment variable name at s ("ProgramFiles(x86)"), 0
 * when s does not start one: "%4Operational.evtx" is a literal '%'. */
static size_t env_name(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
                     (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '(' || s[i] == ')'))))
        i++;
    return (i < n && s[i] == '%') ? i : 0;
}

/* Lower-case, '/' to '\', expand %VAR% (unknown ones become '*'). */
static void expand_env(gl_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            size_t vn = env_name(s + i + 1, n - i - 1);
            const char *end = vn ? s + i + 1 + vn : NULL;
            if (end) {
                size_t vlen = (size_t)(end - (s + i + 1));
                const char *rep = "*";
                for (size_t k = 0; k < sizeof env_map / sizeof env_map[0]; k++)
                    if (rmmcat_ieq(env_map[k].var, strlen(env_map[k].var), s + i + 1, vlen))
                        rep = env_map[k].path;
                gl_buf_puts(out, rep);
                i += vlen + 1;
                continue;
            }
        }
        gl_buf_putc(out, s[i] == '/' ? '\\' : lc(s[i]));
    }
}

/* Canonical form shared by patterns and evidence paths: lower case,
 * backslashes, no drive letter or \\?\ prefix, no doubled or trailing
 * separators, and the folder under \users\ replaced by '*' so that one
 * catalog entry covers every profile. Returns false when too long. */
static bool canon_path(char *out, size_t *outlen, const char *s, size_t n)
{
    char tmp[RMMCAT_PATH_MAX];
    size_t t = 0;
    if (n >= RMMCAT_PATH_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        tmp[t++] = s[i] == '/' ? '\\' : lc(s[i]);
    size_t i = 0;
    if (t >= 4 && memcmp(tmp, "\\\\?\\", 4) == 0)
        i = 4;
    bool absolute = false;
    if (t - i >= 2 && tmp[i + 1] == ':' &&
        ((tmp[i] >= 'a' && tmp[i] <= 'z') || tmp[i] == '*')) {
        i += 2;
        absolute = true;
    }
    size_t o = 0;
    if (absolute || (i < t && tmp[i] == '\\'))
        out[o++] = '\\';
    for (; i < t; i++) {
        if (tmp[i] == '\\' && (o == 0 || out[o - 1] == '\\'))
            continue;
        out[o++] = tmp[i];
    }
    while (o > 1 && out[o - 1] == '\\')
        o--;
    /* \users\<name> -> \users\* */
    if (o > 7 && memcmp(out, "\\users\\", 7) == 0) {
        size_t e = 7;
        while (e < o && out[e] != '\\')
            e++;
        memmove(out + 8, out + e, o - e);
        out[7] = '*';
        o = 8 + (o - e);
    }
    out[o] = '\0';
    *outlen = o;
    return true;
}

/* ---- indexing ------------------------------------------------------- */

static uint32_t pat_new(rmmcat *cat, const char *rest, size_t restlen, const char *what,
                        rmmcat_role role, const char *log_kind, rmmcat_by by)
{
    if (cat->npats == cat->cappats) {
        cat->cappats = cat->cappats ? cat->cappats * 2 : 256;
        cat->pats = gl_xrealloc(cat->pats, cat->cappats * sizeof *cat->pats);
    }
    cat->pats[cat->npats] = (rmmcat_pat){memdup0(rest, restlen), what, {0}, role, by};
    if (log_kind) {
        /* stored as "<kind> <pattern>": keep the kind */
        size_t k = strcspn(log_kind, " ");
        if (k >= sizeof cat->pats[0].log_kind)
            k = sizeof cat->pats[0].log_kind - 1;
        memcpy(cat->pats[cat->npats].log_kind, log_kind, k);
    }
    return (uint32_t)cat->npats++;
}

static void add_unanchored(rmmcat *cat, uint32_t tool, uint32_t pat)
{
    if (cat->nunanchored == cat->capunanchored) {
        cat->capunanchored = cat->capunanchored ? cat->capunanchored * 2 : 16;
        cat->unanchored = gl_xrealloc(cat->unanchored, cat->capunanchored * sizeof(uint32_t));
        cat->unanchored_tool = gl_xrealloc(cat->unanchored_tool, cat->capunanchored * sizeof(uint32_t));
    }
    cat->unanchored[cat->nunanchored] = pat;
    cat->unanchored_tool[cat->nunanchored++] = tool;
}

typedef struct pat_ctx {
    uint32_t tool;
    const char *what;
    rmmcat_role role;
    const char *log_kind;
} pat_ctx;

/* File pattern `pat` under key: the whole key in exact_map, or, when the
 * key holds a wildcard, its first characters in glob_map; a pattern whose
 * literal prefix is shorter goes to the list scanned on every lookup. */
static void file_under(rmmcat *cat, const pat_ctx *c, int exact_map, int glob_map, const char *key, size_t klen,
                       uint32_t pat)
{
    if (!has_wild(key, klen))
        map_put(cat, exact_map, key, klen, c->tool, pat);
    else if (literal_prefix(key, klen) >= RMMCAT_GLOB_KEY)
        map_put(cat, glob_map, key, RMMCAT_GLOB_KEY, c->tool, pat);
    else
        add_unanchored(cat, c->tool, pat);
}

/* A bare file name (possibly a pattern). */
static void index_name(rmmcat *cat, const pat_ctx *c, const char *s, size_t n)
{
    if (n == 0 || memchr(s, '\\', n))
        return;
    bool glob = has_wild(s, n);
    uint32_t p = pat_new(cat, s, glob ? n : 0, c->what, c->role, c->log_kind,
                         glob ? RMMCAT_BY_NAMEGLOB : RMMCAT_BY_EXE);
    file_under(cat, c, MAP_EXE, MAP_NAMEGLOB, s, n, p);
}

static void index_absolute(rmmcat *cat, const pat_ctx *c, const char *p, size_t n);

/* A pattern that may start anywhere: "a\b\c" with a leading wildcard
 * folder removed. Filed under its first component. */
static void index_floating(rmmcat *cat, const pat_ctx *c, const char *s, size_t n)
{
    while (n && (*s == '*' || *s == '\\')) { /* "*\*\x" and "*x" both float */
        s++;
        n--;
    }
    /* "*Users\*\AppData\..." means the profiles folder: anchor it there */
    if (n > 6 && memcmp(s, "users\\", 6) == 0 && n < RMMCAT_PATH_MAX) {
        char abs[RMMCAT_PATH_MAX + 1];
        abs[0] = '\\';
        memcpy(abs + 1, s, n);
        index_absolute(cat, c, abs, n + 1);
        return;
    }
    const char *sep = memchr(s, '\\', n);
    if (!sep) {
        index_name(cat, c, s, n);
        return;
    }
    size_t first = (size_t)(sep - s);
    /* a literal first folder leaves the rest to match; a pattern one, all */
    bool glob = has_wild(s, first);
    uint32_t p = glob ? pat_new(cat, s, n, c->what, c->role, c->log_kind, RMMCAT_BY_PATH)
                      : pat_new(cat, sep + 1, n - first - 1, c->what, c->role, c->log_kind, RMMCAT_BY_PATH);
    file_under(cat, c, MAP_COMP, MAP_COMPGLOB, s, first, p);
}

/* Does component [b,e) of canonical path p count as a wildcard? The '*'
 * standing for the profile folder is literal: evidence paths carry it too. */
static bool comp_wild(const char *p, size_t b, size_t e)
{
    if (e - b == 1 && p[b] == '*' && b == 7 && memcmp(p, "\\users\\", 7) == 0)
        return false;
    return has_wild(p + b, e - b);
}

static void index_absolute(rmmcat *cat, const pat_ctx *c, const char *p, size_t n)
{
    /* key = the folders before the first wildcard component (or before the
     * final component); rest = what follows */
    size_t key_end = 0, b = 1;
    while (b <= n) {
        size_t e = b;
        while (e < n && p[e] != '\\')
            e++;
        if (e >= n || comp_wild(p, b, e))
            break;
        key_end = e;
        b = e + 1;
    }
    if (key_end == 0) {
        index_floating(cat, c, p, n);
        return;
    }
    const char *rest = key_end < n ? p + key_end + 1 : "";
    size_t restlen = key_end < n ? n - key_end - 1 : 0;
    uint32_t pt = pat_new(cat, rest, restlen, c->what, c->role, c->log_kind, RMMCAT_BY_PATH);
    map_put(cat, MAP_PREFIX, p, key_end, c->tool, pt);
}

static void index_path_canon(rmmcat *cat, const pat_ctx *c, const char *buf, size_t len);

static void index_path_variant(rmmcat *cat, const pat_ctx *c, const char *p, size_t n)
{
    char buf[RMMCAT_PATH_MAX + 4];
    size_t len;
    if (!canon_path(buf, &len, p, n) || len == 0)
        return;
    /* An install folder written without a file part means the whole tree. */
    const char *last = memrchr(buf, '\\', len);
    const char *lastc = last ? last + 1 : buf;
    size_t lastn = len - (size_t)(lastc - buf);
    if (c->role == RMMCAT_ROLE_INSTALL && last && !memchr(lastc, '.', lastn) && !(lastn == 1 && *lastc == '*')) {
        /* "X\Name*" may be the folder or a file in it: both */
        if (has_wild(lastc, lastn))
            index_path_canon(cat, c, buf, len);
        memcpy(buf + len, "\\*", 3);
        len += 2;
    }
    index_path_canon(cat, c, buf, len);
    /* The binary's name alone also identifies a copy moved elsewhere. */
    if (c->role == RMMCAT_ROLE_INSTALL && !has_wild(lastc, lastn) && lastn > 4 &&
        memcmp(lastc + lastn - 4, ".exe", 4) == 0)
        index_name(cat, c, lastc, lastn);
}

static void index_path_canon(rmmcat *cat, const pat_ctx *c, const char *buf, size_t len)
{
    if (buf[0] != '\\') {
        index_floating(cat, c, buf, len);
        return;
    }
    index_absolute(cat, c, buf, len);
}

static void index_path(rmmcat *cat, const pat_ctx *c, const char *s, size_t n)
{
    /* Unix and macOS paths are not this collector's business: "/x", "~/x",
     * and "a/b" without a drive letter or a backslash. */
    if (n == 0 || s[0] == '/' || s[0] == '~' ||
        (memchr(s, '/', n) && !memchr(s, '\\', n) && !(n >= 2 && s[1] == ':')))
        return;
    gl_buf e = {0};
    expand_env(&e, s, n);
    /* "Program Files*" means both program folders. */
    char *pf = strstr(e.data, "\\program files*\\");
    if (pf) {
        size_t at = (size_t)(pf - e.data), tail = at + 16;
        gl_buf v = {0};
        gl_buf_append(&v, e.data, at);
        gl_buf_puts(&v, "\\program files\\");
        gl_buf_append(&v, e.data + tail, e.len - tail);
        index_path_variant(cat, c, v.data, v.len);
        gl_buf_clear(&v);
        gl_buf_append(&v, e.data, at);
        gl_buf_puts(&v, "\\program files (x86)\\");
        gl_buf_append(&v, e.data + tail, e.len - tail);
        index_path_variant(cat, c, v.data, v.len);
        gl_buf_free(&v);
    } else {
        index_path_variant(cat, c, e.data, e.len);
    }
    gl_buf_free(&e);
}

static bool dom_meta(char ch) { return strchr("*?[]{}()+^$|\\", ch) != NULL; }

/* Domains: exact names, "*.suffix", or LOLRMM's regex-like forms
 * ("relay-[a-f0-9]{8}.net.anydesk.com:443"), which keep the literal
 * labels right of the last label with a pattern character. */
static void index_domain(rmmcat *cat, uint32_t tool, const char *what)
{
    char d[RMMCAT_MAX_STR];
    size_t n = strlen(what);
    if (n >= sizeof d)
        return;
    rmmcat_lower(d, what, n);
    const char *scheme = strstr(d, "://");
    size_t b = scheme ? (size_t)(scheme - d) + 3 : 0;
    size_t e = b;
    while (e < n && d[e] != '/' && d[e] != ':')
        e++;
    while (e > b && d[e - 1] == '.')
        e--;
    size_t meta = SIZE_MAX;
    for (size_t i = b; i < e; i++)
        if (dom_meta(d[i]))
            meta = i;
    if (meta == SIZE_MAX) {
        if (memchr(d + b, '.', e - b)) {
            uint32_t p = pat_new(cat, "", 0, what, 0, NULL, RMMCAT_BY_DOMAIN);
            map_put(cat, MAP_DOMAIN_EXACT, d + b, e - b, tool, p);
        }
        return;
    }
    const char *dot = memchr(d + meta, '.', e - meta);
    if (!dot)
        return;
    size_t sb = (size_t)(dot - d) + 1;
    if (sb >= e || !memchr(d + sb, '.', e - sb)) /* a bare TLD is no key */
        return;
    uint32_t p = pat_new(cat, "", 0, what, 0, NULL, RMMCAT_BY_DOMAIN);
    map_put(cat, MAP_DOMAIN_SUFFIX, d + sb, e - sb, tool, p);
}

static void index_lowered(rmmcat *cat, int which, uint32_t tool, const char *what, rmmcat_by by)
{
    char k[RMMCAT_MAX_STR];
    size_t n = strlen(what);
    if (n == 0 || n >= sizeof k)
        return;
    rmmcat_lower(k, what, n);
    uint32_t p = pat_new(cat, "", 0, what, 0, NULL, by);
    map_put(cat, which, k, n, tool, p);
}

/* Service names are exact, except a few vendors that append an instance
 * id ("ScreenConnect Client (1a2b...)"): those are written with '*'. */
static void index_service(rmmcat *cat, uint32_t tool, const char *what)
{
    char k[RMMCAT_MAX_STR];
    size_t n = strlen(what);
    if (!has_wild(what, n)) {
        index_lowered(cat, MAP_SERVICE, tool, what, RMMCAT_BY_SERVICE);
        return;
    }
    /* too vague to file ("*svc") is left out: only paths have a scan list */
    if (n >= sizeof k || literal_prefix(what, n) < RMMCAT_GLOB_KEY)
        return;
    rmmcat_lower(k, what, n);
    uint32_t p = pat_new(cat, k, n, what, 0, NULL, RMMCAT_BY_SERVICE);
    map_put(cat, MAP_SERVICEGLOB, k, RMMCAT_GLOB_KEY, tool, p);
}

static void index_tool(rmmcat *cat, uint32_t ti)
{
    const rmmcat_tool *t = cat->tools[ti];
    pat_ctx c = {ti, NULL, RMMCAT_ROLE_INSTALL, NULL};
    index_lowered(cat, MAP_NAME, ti, t->name, RMMCAT_BY_NAME);
    for (size_t i = 0; i < t->aliases.n; i++)
        index_lowered(cat, MAP_NAME, ti, t->aliases.v[i], RMMCAT_BY_NAME);
    for (size_t i = 0; i < t->services.n; i++)
        index_service(cat, ti, t->services.v[i]);
    for (size_t i = 0; i < t->signers.n; i++)
        index_lowered(cat, MAP_SIGNER, ti, t->signers.v[i], RMMCAT_BY_SIGNER);
    for (size_t i = 0; i < t->domains.n; i++)
        index_domain(cat, ti, t->domains.v[i]);
    for (size_t i = 0; i < t->paths.n; i++) {
        c.what = t->paths.v[i];
        index_path(cat, &c, c.what, strlen(c.what));
    }
    c.role = RMMCAT_ROLE_FILE;
    for (size_t i = 0; i < t->files.n; i++) {
        c.what = t->files.v[i];
        index_path(cat, &c, c.what, strlen(c.what));
    }
    /* "<kind> <pattern>": the kind names the log parser */
    c.role = RMMCAT_ROLE_LOG;
    for (size_t i = 0; i < t->logs.n; i++) {
        const char *sp = strchr(t->logs.v[i], ' ');
        if (!sp)
            continue;
        c.what = sp + 1;
        c.log_kind = t->logs.v[i];
        index_path(cat, &c, c.what, strlen(c.what));
    }
    /* last, so that a name listed as such is reported before the same name
     * taken from an install path (postings are chained newest first) */
    c.role = RMMCAT_ROLE_INSTALL;
    c.log_kind = NULL;
    for (size_t i = 0; i < t->exes.n; i++) {
        char k[RMMCAT_MAX_STR];
        size_t n = strlen(t->exes.v[i]);
        if (n >= sizeof k)
            continue;
        c.what = t->exes.v[i];
        index_name(cat, &c, k, rmmcat_lower(k, t->exes.v[i], n));
    }
}

void rmmcat_reindex(rmmcat *cat)
{
    index_free(cat);
    for (size_t i = 0; i < cat->ntools; i++)
        index_tool(cat, (uint32_t)i);
}

/* ---- matching ------------------------------------------------------- */

/* One path component against a pattern component: '*' any run, '?' one
 * character. Iterative with one backtrack point (linear in practice). */
static bool comp_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = SIZE_MAX, mark = 0;
    while (si < sn) {
        if (pi < pn && (p[pi] == '?' || p[pi] == s[si])) {
            pi++;
            si++;
        } else if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

/* Component-wise glob: components pair up one to one, except that a final
 * pattern component "*" takes whatever is left (the tree below a folder). */
static bool glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pb = 0, sb = 0;
    for (;;) {
        size_t pe = pb, se = sb;
        while (pe < pn && p[pe] != '\\')
            pe++;
        if (pe == pn && pe - pb == 1 && p[pb] == '*')
            return true;
        while (se < sn && s[se] != '\\')
            se++;
        if (sb > sn || !comp_match(p + pb, pe - pb, s + sb, se - sb))
            return false;
        if (pe == pn || se == sn)
            return pe == pn && se == sn;
        pb = pe + 1;
        sb = se + 1;
    }
}

/* The more specific of two matches of one tool wins: a known log or file
 * over the install tree, a path over a bare file name (a name match alone
 * is what a renamed folder or portable copy leaves). */
static int hit_rank(rmmcat_by by, rmmcat_role role)
{
    if (by != RMMCAT_BY_PATH)
        return 1;
    return role == RMMCAT_ROLE_LOG ? 4 : role == RMMCAT_ROLE_FILE ? 3 : 2;
}

/* Characters of a pattern that are not wildcards: of two log patterns
 * matching the same file, the one with more says more (a session report's
 * name beats its folder's "*"), so the file gets that parser. */
static size_t literal_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += *s != '*' && *s != '?';
    return n;
}

static void hit_add(const rmmcat *cat, rmmcat_hits *hits, const rmmcat_posting *po)
{
    const rmmcat_pat *pt = &cat->pats[po->pat];
    rmmcat_hit h = {po->tool, pt->by, pt->what, pt->role, pt->log_kind[0] ? pt->log_kind : NULL};
    for (size_t i = 0; i < hits->n; i++)
        if (hits->h[i].tool == po->tool) {
            int rank = hit_rank(h.by, h.role), held = hit_rank(hits->h[i].by, hits->h[i].role);
            bool both_logs = h.role == RMMCAT_ROLE_LOG && hits->h[i].role == RMMCAT_ROLE_LOG;
            if (rank > held || (rank == held && both_logs && literal_chars(h.what) > literal_chars(hits->h[i].what)))
                hits->h[i] = h;
            return;
        }
    if (hits->n < RMMCAT_MAX_HITS)
        hits->h[hits->n++] = h;
}

/* Every posting under key whose rest-pattern matches s (NULL s: any). */
static void probe(const rmmcat *cat, int which, uint64_t h, const char *key, size_t klen,
                  const char *s, size_t sn, rmmcat_hits *hits)
{
    for (uint32_t p = map_get(&cat->maps[which], h, key, klen); p; p = cat->post[p - 1].next) {
        const rmmcat_posting *po = &cat->post[p - 1];
        const char *rest = cat->pats[po->pat].rest;
        if (!s || glob_match(rest, strlen(rest), s, sn))
            hit_add(cat, hits, po);
    }
}

/* Single-name patterns filed under their first characters. */
static void probe_glob(const rmmcat *cat, int which, const char *n, size_t len, rmmcat_hits *hits)
{
    if (len < RMMCAT_GLOB_KEY)
        return;
    for (uint32_t p = map_get(&cat->maps[which], fnv(n, RMMCAT_GLOB_KEY), n, RMMCAT_GLOB_KEY); p;
         p = cat->post[p - 1].next) {
        const char *rest = cat->pats[cat->post[p - 1].pat].rest;
        if (comp_match(rest, strlen(rest), n, len))
            hit_add(cat, hits, &cat->post[p - 1]);
    }
}

static void match_name_lowered(const rmmcat *cat, const char *n, size_t len, rmmcat_hits *hits)
{
    if (len == 0)
        return;
    probe(cat, MAP_EXE, fnv(n, len), n, len, NULL, 0, hits);
    probe_glob(cat, MAP_NAMEGLOB, n, len, hits);
}

static void match_unanchored(const rmmcat *cat, const char *p, size_t n, size_t last, const size_t *starts,
                             size_t nstarts, rmmcat_hits *hits)
{
    for (size_t u = 0; u < cat->nunanchored; u++) {
        const rmmcat_pat *pt = &cat->pats[cat->unanchored[u]];
        rmmcat_posting po = {cat->unanchored_tool[u], cat->unanchored[u], 0};
        size_t rl = strlen(pt->rest);
        if (pt->by == RMMCAT_BY_NAMEGLOB) {
            if (comp_match(pt->rest, rl, p + last, n - last))
                hit_add(cat, hits, &po);
            continue;
        }
        for (size_t i = 0; i < nstarts; i++)
            if (glob_match(pt->rest, rl, p + starts[i], n - starts[i])) {
                hit_add(cat, hits, &po);
                break;
            }
    }
}

#define RMMCAT_MAX_DEPTH 256

size_t rmmcat_match_path(const rmmcat *cat, const char *path, size_t len, rmmcat_hits *hits)
{
    hits->n = 0;
    char p[RMMCAT_PATH_MAX + 1];
    size_t n;
    if (!cat || !canon_path(p, &n, path, len) || n == 0)
        return 0;
    /* component starts */
    size_t starts[RMMCAT_MAX_DEPTH], ns = 0;
    bool absolute = p[0] == '\\';
    for (size_t i = absolute ? 1 : 0; i < n && ns < RMMCAT_MAX_DEPTH; ) {
        starts[ns++] = i;
        while (i < n && p[i] != '\\')
            i++;
        i++;
    }
    if (ns == 0)
        return 0;
    const char *sep = memrchr(p, '\\', n);
    size_t last = sep ? (size_t)(sep - p) + 1 : 0;
    match_name_lowered(cat, p + last, n - last, hits);
    /* folder prefixes: one running hash, probed at each separator */
    if (absolute) {
        uint64_t h = FNV_OFFSET;
        for (size_t i = 0; i <= n; i++) {
            if ((i == n || p[i] == '\\') && i > 0) {
                const char *rest = i < n ? p + i + 1 : p + n;
                probe(cat, MAP_PREFIX, h, p, i, rest, (size_t)(p + n - rest), hits);
            }
            if (i < n)
                h = fnv_step(h, p[i]);
        }
    }
    /* folder names anywhere (the last too: the path may be a folder) */
    for (size_t c = 0; c < ns; c++) {
        size_t b = starts[c], e = c + 1 < ns ? starts[c + 1] - 1 : n;
        const char *rest = e < n ? p + e + 1 : p + n;
        probe(cat, MAP_COMP, fnv(p + b, e - b), p + b, e - b, rest, (size_t)(p + n - rest), hits);
        if (e - b >= RMMCAT_GLOB_KEY)
            probe(cat, MAP_COMPGLOB, fnv(p + b, RMMCAT_GLOB_KEY), p + b, RMMCAT_GLOB_KEY, p + b, n - b, hits);
    }
    match_unanchored(cat, p, n, last, starts, ns, hits);
    return hits->n;
}

/* Lowered copy of an input value into a stack buffer; false if too long. */
static bool lowered(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return false;
    rmmcat_lower(dst, s, n);
    dst[n] = '\0';
    return true;
}

size_t rmmcat_match_exe(const rmmcat *cat, const char *name, size_t len, rmmcat_hits *hits)
{
    hits->n = 0;
    char k[RMMCAT_PATH_MAX];
    size_t b = len;
    while (b > 0 && name[b - 1] != '\\' && name[b - 1] != '/')
        b--;
    if (!cat || !lowered(k, sizeof k, name + b, len - b))
        return 0;
    match_name_lowered(cat, k, len - b, hits);
    return hits->n;
}

/* Exact lookup of a trimmed, lowered value; glob_map (or -1) also holds
 * patterns filed under their first characters. */
static size_t match_exact(const rmmcat *cat, int which, int glob_map, const char *s, size_t len,
                          rmmcat_hits *hits)
{
    hits->n = 0;
    char k[RMMCAT_MAX_STR];
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (!cat || len == 0 || !lowered(k, sizeof k, s, len))
        return 0;
    probe(cat, which, fnv(k, len), k, len, NULL, 0, hits);
    if (glob_map >= 0)
        probe_glob(cat, glob_map, k, len, hits);
    return hits->n;
}

size_t rmmcat_match_service(const rmmcat *cat, const char *name, size_t len, rmmcat_hits *hits)
{
    return match_exact(cat, MAP_SERVICE, MAP_SERVICEGLOB, name, len, hits);
}

size_t rmmcat_match_signer(const rmmcat *cat, const char *signer, size_t len, rmmcat_hits *hits)
{
    return match_exact(cat, MAP_SIGNER, -1, signer, len, hits);
}

size_t rmmcat_match_domain(const rmmcat *cat, const char *host, size_t len, rmmcat_hits *hits)
{
    hits->n = 0;
    char d[RMMCAT_MAX_STR];
    size_t n = 0;
    while (n < len && host[n] != ':' && host[n] != '/')
        n++;
    while (n && host[n - 1] == '.')
        n--;
    if (!cat || n == 0 || !lowered(d, sizeof d, host, n))
        return 0;
    probe(cat, MAP_DOMAIN_EXACT, fnv(d, n), d, n, NULL, 0, hits);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || d[i - 1] == '.')
            probe(cat, MAP_DOMAIN_SUFFIX, fnv(d + i, n - i), d + i, n - i, NULL, 0, hits);
    return hits->n;
}

size_t rmmcat_match_product(const rmmcat *cat, const char *text, size_t len, rmmcat_hits *hits)
{
    hits->n = 0;
    char d[RMMCAT_MAX_STR];
    while (len && text[len - 1] == ' ')
        len--;
    if (!cat || len == 0 || !lowered(d, sizeof d, text, len))
        return 0;
    /* whole text first, then cut at each blank from the right */
    for (size_t n = len; n > 0; n--) {
        if (n != len && d[n] != ' ')
            continue;
        size_t m = n;
        while (m && d[m - 1] == ' ')
            m--;
        if (m == 0)
            break;
        probe(cat, MAP_NAME, fnv(d, m), d, m, NULL, 0, hits);
        if (hits->n)
            break;
    }
    return hits->n;
}

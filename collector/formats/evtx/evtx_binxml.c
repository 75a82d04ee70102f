/* Binary XML (MS-EVEN6 2.2.12 tokens, libyal "EVTX" document section 5)
 * parsed into node trees: template bodies once per chunk (cached by their
 * chunk offset), record fragments and nested BinXml values once per record.
 * A tree walker feeds the renderers. Every offset is chunk-relative and
 * checked against the end of the structure being parsed; nesting, node
 * counts and walk steps are bounded so hostile input cannot recurse or
 * loop without limit. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evtx_int.h"
#include "text.h"

/* 64 KiB of tokens cannot produce more nodes than this; the cap turns a
 * logic error into a reported failure rather than unbounded growth. */
#define BX_MAX_NODES (1u << 18)
#define BX_MAX_VALS (1u << 18)
/* Steps of template-body parsing per chunk: bodies may overlap when
 * hostile instances point into each other. */
#define BX_CHUNK_PARSE_BUDGET (2u << 20)
/* Decoded names per chunk (real chunks: a few KiB). */
#define BX_NAMES_MAX (1u << 20)
/* Nodes visited per record walk: substitution values may be referenced
 * many times, and each may hold nested BinXml. */
#define BX_WALK_BUDGET 4000000u
/* ... and per chunk, so thousands of small records sharing one huge
 * template cannot multiply it. Real chunks use well under 1%. */
#define BX_CHUNK_WALK_BUDGET 16000000u

static const char *const known_names[NM_COUNT] = {
    [NM_SYSTEM] = "System",
    [NM_PROVIDER] = "Provider",
    [NM_NAME] = "Name",
    [NM_GUID] = "Guid",
    [NM_EVENT_SOURCE_NAME] = "EventSourceName",
    [NM_EVENT_ID] = "EventID",
    [NM_QUALIFIERS] = "Qualifiers",
    [NM_VERSION] = "Version",
    [NM_LEVEL] = "Level",
    [NM_TASK] = "Task",
    [NM_OPCODE] = "Opcode",
    [NM_KEYWORDS] = "Keywords",
    [NM_TIME_CREATED] = "TimeCreated",
    [NM_SYSTEM_TIME] = "SystemTime",
    [NM_EVENT_RECORD_ID] = "EventRecordID",
    [NM_EXECUTION] = "Execution",
    [NM_PROCESS_ID] = "ProcessID",
    [NM_THREAD_ID] = "ThreadID",
    [NM_CHANNEL] = "Channel",
    [NM_COMPUTER] = "Computer",
    [NM_SECURITY] = "Security",
    [NM_USER_ID] = "UserID",
    [NM_EVENT_DATA] = "EventData",
    [NM_DATA] = "Data",
    [NM_USER_DATA] = "UserData",
};

void bx_arena_reset(bx_arena *a)
{
    a->n = 1; /* node 0 means "none" */
    a->nv = 0;
    gl_buf_clear(&a->str);
}

static void arena_free(bx_arena *a)
{
    free(a->nodes);
    free(a->vals);
    gl_buf_free(&a->str);
    memset(a, 0, sizeof *a);
}

void bx_ctx_init(bx_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->name_index = gl_xzalloc(BX_NAME_SLOTS, sizeof *c->name_index);
    c->name_slots = gl_xmalloc(BX_NAME_SLOTS * sizeof *c->name_slots);
    c->tpl_index = gl_xzalloc(BX_TPL_SLOTS, sizeof *c->tpl_index);
    c->tpl_slots = gl_xmalloc(BX_TPL_SLOTS * sizeof *c->tpl_slots);
    bx_arena_reset(&c->carena);
    bx_arena_reset(&c->rarena);
}

void bx_ctx_free(bx_ctx *c)
{
    arena_free(&c->carena);
    arena_free(&c->rarena);
    gl_buf_free(&c->names);
    gl_buf_free(&c->prog);
    free(c->name_index);
    free(c->name_slots);
    free(c->tpl_index);
    free(c->tpl_slots);
    memset(c, 0, sizeof *c);
}

void bx_ctx_chunk(bx_ctx *c, const uint8_t *chunk, uint32_t len)
{
    c->chunk = chunk;
    c->chunk_len = len;
    for (uint32_t i = 0; i < c->nname_slots; i++)
        c->name_index[c->name_slots[i].where] = 0;
    for (uint32_t i = 0; i < c->ntpl_slots; i++)
        c->tpl_index[c->tpl_slots[i].where] = 0;
    c->nname_slots = c->ntpl_slots = 0;
    c->tpl_bytes = 0;
    c->chunk_budget = BX_CHUNK_WALK_BUDGET;
    bx_arena_reset(&c->carena);
    bx_arena_reset(&c->rarena);
    gl_buf_clear(&c->names);
    gl_buf_clear(&c->prog);
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct bxp {
    bx_ctx *c;
    bx_arena *a;
    uint32_t end;   /* exclusive end of the structure being parsed */
    int tdepth;     /* template / BinXml nesting */
    gl_err *err;
} bxp;

static int perr(bxp *p, uint32_t pos, const char *fmt, ...) GL_PRINTF(3, 4);
static int perr(bxp *p, uint32_t pos, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return gl_err_set(p->err, "binary XML at chunk offset 0x%" PRIx32 ": %s", pos, what);
}

static bool have(const bxp *p, uint32_t pos, uint64_t n) { return (uint64_t)pos + n <= p->end; }

static uint32_t new_node(bxp *p, uint8_t kind)
{
    bx_arena *a = p->a;
    if (a->n >= BX_MAX_NODES)
        return 0;
    if (a->n >= a->cap) {
        a->cap = a->cap ? a->cap * 2 : 256;
        a->nodes = gl_xrealloc(a->nodes, a->cap * sizeof *a->nodes);
    }
    uint32_t i = a->n++;
    memset(&a->nodes[i], 0, sizeof a->nodes[i]);
    a->nodes[i].kind = kind;
    return i;
}

static void link_node(bxp *p, uint32_t *first, uint32_t *last, uint32_t n)
{
    if (*last)
        p->a->nodes[*last].next = n;
    else
        *first = n;
    *last = n;
}

static uint8_t classify_name(const char *s)
{
    for (int i = 1; i < NM_COUNT; i++)
        if (s[0] == known_names[i][0] && !strcmp(s, known_names[i]))
            return (uint8_t)i;
    return NM_OTHER;
}

/* Name structure at chunk offset off: next offset (4), hash (2), character
 * count (2), UTF-16LE characters, NUL. Decoded once per chunk. */
static int name_at(bxp *p, uint32_t off, uint32_t *noff, uint32_t *nlen, uint8_t *id)
{
    bx_ctx *c = p->c;
    uint32_t h = (off * 2654435761u) >> 19; /* 13 bits: BX_NAME_SLOTS */
    uint16_t *hole = NULL;
    for (uint32_t i = 0; i < 64; i++) {
        uint16_t *ix = &c->name_index[(h + i) & (BX_NAME_SLOTS - 1)];
        if (!*ix) {
            hole = ix;
            break;
        }
        const bx_name_slot *s = &c->name_slots[*ix - 1];
        if (s->key == off) {
            *noff = s->off;
            *nlen = s->len;
            *id = s->id;
            return 0;
        }
    }
    if (!hole)
        return perr(p, off, "name cache full: too many distinct names in one chunk");
    if ((uint64_t)off + 8 > c->chunk_len)
        return perr(p, off, "name: offset 0x%" PRIx32 " outside the chunk", off);
    uint32_t nchars = gl_le16(c->chunk + off + 6);
    if ((uint64_t)off + 8 + 2 * (uint64_t)nchars > c->chunk_len)
        return perr(p, off, "name: %" PRIu32 " characters run past the chunk end", nchars);
    if (c->names.len + 3 * (size_t)nchars > BX_NAMES_MAX)
        return perr(p, off, "names in this chunk exceed %u bytes", BX_NAMES_MAX);
    *noff = (uint32_t)c->names.len;
    gl_utf16le_to_utf8(&c->names, c->chunk + off + 8, 2 * (size_t)nchars, true);
    *nlen = (uint32_t)(c->names.len - *noff);
    gl_buf_putc(&c->names, '\0');
    *id = classify_name(c->names.data + *noff);
    bx_name_slot *slot = &c->name_slots[c->nname_slots]; /* fewer entries than index slots */
    *hole = (uint16_t)++c->nname_slots;
    slot->where = (uint16_t)(hole - c->name_index);
    slot->key = off;
    slot->off = *noff;
    slot->len = *nlen;
    slot->id = *id;
    return 0;
}

/* A name reference at *pos (4 bytes); a name defined inline right after
 * the reference is skipped. */
static int name_ref(bxp *p, uint32_t *pos, bx_node *tmp)
{
    if (!have(p, *pos, 4))
        return perr(p, *pos, "expected a 4-byte name offset, structure ends");
    uint32_t off = gl_le32(p->c->chunk + *pos);
    *pos += 4;
    if (off == *pos) {
        if (!have(p, *pos, 8))
            return perr(p, *pos, "inline name header truncated");
        uint32_t nchars = gl_le16(p->c->chunk + *pos + 6);
        uint64_t sz = 8 + 2 * (uint64_t)nchars + 2;
        if (!have(p, *pos, sz))
            return perr(p, *pos, "inline name of %" PRIu32 " characters runs past the end", nchars);
        *pos += (uint32_t)sz;
    }
    uint32_t noff, nlen;
    uint8_t id;
    if (name_at(p, off, &noff, &nlen, &id) < 0)
        return -1;
    tmp->name = noff;
    tmp->name_len = nlen;
    tmp->name_id = id;
    return 0;
}

static int add_utf16_text(bxp *p, uint32_t *pos, uint8_t kind, uint32_t *first, uint32_t *last)
{
    if (!have(p, *pos, 2))
        return perr(p, *pos, "expected a character count, structure ends");
    uint32_t nchars = gl_le16(p->c->chunk + *pos);
    if (!have(p, *pos + 2, 2 * (uint64_t)nchars))
        return perr(p, *pos, "text of %" PRIu32 " characters runs past the end", nchars);
    uint32_t n = new_node(p, kind);
    if (!n)
        return perr(p, *pos, "too many nodes");
    bx_node *nd = &p->a->nodes[n];
    nd->text = (uint32_t)p->a->str.len;
    gl_utf16le_to_utf8(&p->a->str, p->c->chunk + *pos + 2, 2 * (size_t)nchars, false);
    nd = &p->a->nodes[n];
    nd->text_len = (uint32_t)(p->a->str.len - nd->text);
    gl_buf_putc(&p->a->str, '\0');
    *pos += 2 + 2 * nchars;
    link_node(p, first, last, n);
    return 0;
}

/* Value token: a type byte and the value. Windows writes strings here;
 * other fixed-size types are accepted and rendered as text. */
static int parse_value_token(bxp *p, uint32_t *pos, uint32_t *first, uint32_t *last)
{
    uint32_t start = *pos;
    if (!have(p, start, 2))
        return perr(p, start, "value token truncated");
    uint8_t type = p->c->chunk[start + 1];
    *pos = start + 2;
    if (type == EVTX_T_STRING)
        return add_utf16_text(p, pos, BX_TEXT, first, last);
    int sz = evtx_type_size(type);
    if (sz == 0)
        return perr(p, start, "value token of unsupported type 0x%02x", type);
    if (!have(p, *pos, (uint64_t)sz))
        return perr(p, start, "value of type 0x%02x truncated", type);
    uint32_t n = new_node(p, BX_TEXT);
    if (!n)
        return perr(p, start, "too many nodes");
    evtx_value v = {.p = p->c->chunk + *pos, .len = (uint32_t)sz, .type = type};
    uint32_t t = (uint32_t)p->a->str.len;
    evtx_format_value(&p->a->str, &v);
    p->a->nodes[n].text = t;
    p->a->nodes[n].text_len = (uint32_t)(p->a->str.len - t);
    gl_buf_putc(&p->a->str, '\0');
    *pos += (uint32_t)sz;
    link_node(p, first, last, n);
    return 0;
}

static int parse_content(bxp *p, uint32_t *pos, int edepth, uint32_t *first);

/* Substitution values of a template instance: count, (size, type) pairs,
 * then the values back to back. */
static int parse_values(bxp *p, uint32_t *pos, uint32_t *vstart, uint32_t *nvals)
{
    const uint8_t *b = p->c->chunk;
    if (!have(p, *pos, 4))
        return perr(p, *pos, "expected the substitution count, structure ends");
    uint32_t count = gl_le32(b + *pos);
    uint32_t dpos = *pos + 4;
    if (!have(p, dpos, 4 * (uint64_t)count))
        return perr(p, *pos, "substitution count %" PRIu32 " does not fit in the record", count);
    uint32_t vpos = dpos + 4 * count;
    bx_arena *a = p->a;
    if ((uint64_t)a->nv + count > BX_MAX_VALS)
        return perr(p, *pos, "too many substitution values");
    if (a->nv + count > a->capv) {
        while (a->nv + count > a->capv)
            a->capv = a->capv ? a->capv * 2 : 64;
        a->vals = gl_xrealloc(a->vals, a->capv * sizeof *a->vals);
    }
    *vstart = a->nv;
    for (uint32_t i = 0; i < count; i++) {
        evtx_value *v = &a->vals[a->nv + i]; /* count > 0: the arena is allocated */
        const uint8_t *d = b + dpos + 4 * i;
        uint32_t size = gl_le16(d);
        if (!have(p, vpos, size)) {
            a->nv += i;
            *nvals = i;
            *pos = vpos;
            return perr(p, vpos, "substitution %" PRIu32 " of %" PRIu32 " (%" PRIu32 " bytes) runs past the record end",
                        i, count, size);
        }
        v->p = b + vpos;
        v->len = size;
        v->type = d[2];
        v->tree = 0;
        vpos += size;
    }
    a->nv += count;
    *nvals = count;
    *pos = vpos;
    return 0;
}

static bx_tpl_slot *template_get(bxp *p, uint32_t def_off, uint32_t *slot_index);

/* Does the definition at def_off carry template id? */
static bool defines(const bx_ctx *c, uint32_t def_off, uint32_t id)
{
    return def_off >= 512 && (uint64_t)def_off + 24 <= c->chunk_len && gl_le32(c->chunk + def_off + 4) == id;
}

uint32_t bx_table_find(const bx_ctx *c, uint32_t id)
{
    uint32_t steps = 0;
    if (c->chunk_len < 512)
        return 0;
    for (uint32_t b = 0; b < 32; b++) {
        uint32_t off = gl_le32(c->chunk + 384 + 4 * b);
        /* more entries than a chunk can hold: a cycle */
        while (off && ++steps <= 8192) {
            if (off < 512 || (uint64_t)off + 24 > c->chunk_len)
                break;
            if (gl_le32(c->chunk + off + 4) == id)
                return off;
            off = gl_le32(c->chunk + off);
        }
    }
    return 0;
}

static int parse_template_instance(bxp *p, uint32_t *pos, uint32_t *first, uint32_t *last)
{
    uint32_t start = *pos;
    if (!have(p, start, 10))
        return perr(p, start, "template instance truncated");
    uint32_t def_off = gl_le32(p->c->chunk + start + 6);
    uint32_t cur = start + 10;
    if (def_off == cur) { /* definition follows inline: skip it */
        if (!have(p, cur, 24))
            return perr(p, cur, "inline template definition header truncated");
        uint32_t size = gl_le32(p->c->chunk + cur + 20);
        if (!have(p, cur + 24, size))
            return perr(p, cur, "inline template definition of %" PRIu32 " bytes runs past the end", size);
        cur += 24 + size;
    }
    /* The instance repeats the first 4 bytes of the definition's GUID: a
     * stale reference (a carved record whose template was overwritten)
     * points at a definition with another GUID. */
    uint32_t want = gl_le32(p->c->chunk + start + 2);
    if (p->c->tpl_find && !defines(p->c, def_off, want)) {
        uint32_t alt = p->c->tpl_find(p->c, want);
        if (!alt) {
            p->c->tpl_missing = want;
            p->c->tpl_missing_off = def_off;
            p->c->tpl_missing_set = true;
            return perr(p, start, "template 0x%08" PRIx32 ": its definition at 0x%" PRIx32
                                  " was overwritten and the chunk defines it nowhere else",
                        want, def_off);
        }
        def_off = alt;
    }
    uint32_t si;
    bx_tpl_slot *t = template_get(p, def_off, &si);
    if (!t)
        return -1;
    uint32_t have_id = gl_le32(p->c->chunk + def_off + 4);
    if (want != have_id)
        return perr(p, start, "template instance names template 0x%08" PRIx32 ", the definition at 0x%" PRIx32
                              " is 0x%08" PRIx32,
                    want, def_off, have_id);
    uint32_t root = t->root;
    uint32_t n = new_node(p, BX_TEMPLATE);
    if (!n)
        return perr(p, start, "too many nodes");
    p->a->nodes[n].tpl_root = root;
    p->a->nodes[n].index = (uint16_t)si;
    link_node(p, first, last, n);
    uint32_t vs = p->a->nv, nv = 0;
    int rc = parse_values(p, &cur, &vs, &nv);
    p->a->nodes[n].vals = vs;
    p->a->nodes[n].nvals = nv;
    *pos = cur;
    return rc;
}

/* Attribute values: any run of value-like tokens. */
static bool is_value_token(uint8_t t)
{
    switch (t & 0xbf) {
    case 0x05: case 0x08: case 0x09: return true;
    default: return t == 0x0d || t == 0x0e;
    }
}

static int parse_one(bxp *p, uint32_t *pos, int edepth, uint32_t *first, uint32_t *last);

static int parse_attributes(bxp *p, uint32_t *pos, int edepth, uint32_t elem)
{
    uint32_t afirst = 0, alast = 0;
    const uint8_t *b = p->c->chunk;
    int rc = 0;
    for (uint32_t guard = 0; guard < p->end && *pos < p->end && (b[*pos] & 0xbf) == 0x06; guard++) {
        uint32_t start = *pos;
        bx_node tmp = {0};
        *pos += 1;
        if (name_ref(p, pos, &tmp) < 0) {
            rc = -1;
            break;
        }
        uint32_t n = new_node(p, BX_ATTR);
        if (!n)
            return perr(p, start, "too many nodes");
        p->a->nodes[n].name = tmp.name;
        p->a->nodes[n].name_len = tmp.name_len;
        p->a->nodes[n].name_id = tmp.name_id;
        link_node(p, &afirst, &alast, n);
        uint32_t vfirst = 0, vlast = 0;
        while (*pos < p->end && is_value_token(b[*pos]) && rc == 0)
            rc = parse_one(p, pos, edepth, &vfirst, &vlast);
        p->a->nodes[n].child = vfirst;
        if (rc < 0)
            break;
    }
    p->a->nodes[elem].attr = afirst;
    return rc;
}

/* Open start element: token, dependency id (2), data size (4), name
 * offset (4), the name itself when it is defined here, then the attribute
 * list size (4) when token & 0x40. Some writers (forwarded events) omit
 * the dependency id; the name offset tells which layout this is. */
static bool plausible_name(uint32_t off, uint32_t start, uint32_t fields_end)
{
    return off == fields_end || (off >= 512 && off < start);
}

static int parse_element(bxp *p, uint32_t *pos, int edepth, uint32_t *first, uint32_t *last)
{
    uint32_t start = *pos;
    const uint8_t *b = p->c->chunk;
    uint8_t tok = b[start];
    uint32_t extra = (tok & 0x40) ? 4 : 0;
    if (edepth >= EVTX_MAX_XML_DEPTH)
        return perr(p, start, "elements nested deeper than %d", EVTX_MAX_XML_DEPTH);
    if (!have(p, start, 11))
        return perr(p, start, "element header truncated");
    uint32_t hdr = 11;
    if (!plausible_name(gl_le32(b + start + 7), start, start + 11) &&
        plausible_name(gl_le32(b + start + 5), start, start + 9))
        hdr = 9;
    uint32_t off = gl_le32(b + start + hdr - 4);
    uint32_t cur = start + hdr;
    if (off == cur) { /* name defined inline */
        if (!have(p, cur, 8))
            return perr(p, cur, "inline name header truncated");
        uint32_t nchars = gl_le16(b + cur + 6);
        uint64_t sz = 8 + 2 * (uint64_t)nchars + 2;
        if (!have(p, cur, sz))
            return perr(p, cur, "inline name of %" PRIu32 " characters runs past the end", nchars);
        cur += (uint32_t)sz;
    }
    if (!have(p, cur, extra))
        return perr(p, cur, "attribute list size truncated");
    cur += extra;
    uint32_t noff, nlen;
    uint8_t id;
    if (name_at(p, off, &noff, &nlen, &id) < 0)
        return -1;
    uint32_t n = new_node(p, BX_ELEM);
    if (!n)
        return perr(p, start, "too many nodes");
    p->a->nodes[n].name = noff;
    p->a->nodes[n].name_len = nlen;
    p->a->nodes[n].name_id = id;
    link_node(p, first, last, n);
    *pos = cur;
    if (extra && parse_attributes(p, pos, edepth, n) < 0)
        return -1;
    const char *ename = p->c->names.data + noff;
    if (*pos >= p->end)
        return perr(p, *pos, "element <%s>: expected close start element, structure ends", ename);
    uint8_t t = b[*pos];
    if (t == 0x03) {
        (*pos)++;
        return 0;
    }
    if (t != 0x02)
        return perr(p, *pos, "element <%s>: expected close start element (0x02/0x03), found 0x%02x", ename, t);
    (*pos)++;
    uint32_t cfirst = 0;
    int rc = parse_content(p, pos, edepth + 1, &cfirst);
    p->a->nodes[n].child = cfirst;
    if (rc < 0)
        return -1;
    if (rc != 2)
        return perr(p, *pos, "element <%s>: expected end element, structure ends", p->c->names.data + noff);
    return 0;
}

static int parse_subst(bxp *p, uint32_t *pos, uint32_t *first, uint32_t *last)
{
    uint32_t start = *pos;
    if (!have(p, start, 4))
        return perr(p, start, "substitution token truncated");
    uint32_t n = new_node(p, BX_SUBST);
    if (!n)
        return perr(p, start, "too many nodes");
    bx_node *nd = &p->a->nodes[n];
    nd->optional = p->c->chunk[start] == 0x0e;
    nd->index = gl_le16(p->c->chunk + start + 1);
    nd->vtype = p->c->chunk[start + 3];
    *pos = start + 4;
    link_node(p, first, last, n);
    return 0;
}

static int parse_named(bxp *p, uint32_t *pos, uint8_t kind, uint32_t *first, uint32_t *last)
{
    uint32_t start = *pos;
    bx_node tmp = {0};
    *pos += 1;
    if (name_ref(p, pos, &tmp) < 0)
        return -1;
    uint32_t n = new_node(p, kind);
    if (!n)
        return perr(p, start, "too many nodes");
    p->a->nodes[n].name = tmp.name;
    p->a->nodes[n].name_len = tmp.name_len;
    link_node(p, first, last, n);
    if (kind != BX_PI)
        return 0;
    if (*pos >= p->end || p->c->chunk[*pos] != 0x0b)
        return perr(p, *pos, "expected processing instruction data (0x0b)");
    *pos += 1;
    uint32_t tf = 0, tl = 0;
    if (add_utf16_text(p, pos, BX_TEXT, &tf, &tl) < 0)
        return -1;
    p->a->nodes[n].text = p->a->nodes[tf].text;
    p->a->nodes[n].text_len = p->a->nodes[tf].text_len;
    return 0;
}

/* One token of content. Returns 0, 1 at end of fragment, 2 at end
 * element, -1 on error. */
static int parse_one(bxp *p, uint32_t *pos, int edepth, uint32_t *first, uint32_t *last)
{
    const uint8_t *b = p->c->chunk;
    uint8_t tok = b[*pos];
    switch (tok) {
    case 0x00: (*pos)++; return 1;
    case 0x04: (*pos)++; return 2;
    case 0x01: case 0x41: return parse_element(p, pos, edepth, first, last);
    case 0x05: case 0x45: return parse_value_token(p, pos, first, last);
    case 0x07: case 0x47: (*pos)++; return add_utf16_text(p, pos, BX_CDATA, first, last);
    case 0x08: case 0x48: {
        if (!have(p, *pos, 3))
            return perr(p, *pos, "character reference truncated");
        uint32_t n = new_node(p, BX_CHARREF);
        if (!n)
            return perr(p, *pos, "too many nodes");
        p->a->nodes[n].index = gl_le16(b + *pos + 1);
        *pos += 3;
        link_node(p, first, last, n);
        return 0;
    }
    case 0x09: case 0x49: return parse_named(p, pos, BX_ENTREF, first, last);
    case 0x0a: return parse_named(p, pos, BX_PI, first, last);
    case 0x0c: return parse_template_instance(p, pos, first, last);
    case 0x0d: case 0x0e: return parse_subst(p, pos, first, last);
    case 0x0f:
        if (!have(p, *pos, 4))
            return perr(p, *pos, "fragment header truncated");
        *pos += 4;
        return 0;
    default:
        return perr(p, *pos, "unexpected token 0x%02x", tok);
    }
}

/* Content until end element (2), end of fragment (1) or end of data (0). */
static int parse_content(bxp *p, uint32_t *pos, int edepth, uint32_t *first)
{
    uint32_t last = 0;
    *first = 0;
    while (*pos < p->end) { /* every token consumes at least one byte */
        int rc = parse_one(p, pos, edepth, first, &last);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Precompute where EventID and Channel come from, so a filter can skip a
 * record without walking it. */
static uint32_t child_named(const bx_arena *a, uint32_t first, uint8_t id)
{
    for (uint32_t n = first, i = 0; n && i < 4096; n = a->nodes[n].next, i++)
        if (a->nodes[n].kind == BX_ELEM && a->nodes[n].name_id == id)
            return n;
    return 0;
}

static void template_peeks(bx_ctx *c, bx_tpl_slot *t)
{
    const bx_arena *a = &c->carena;
    t->eventid_sub = t->channel_sub = -1;
    uint32_t root = 0;
    for (uint32_t n = t->root, i = 0; n && i < 4096; n = a->nodes[n].next, i++)
        if (a->nodes[n].kind == BX_ELEM) {
            root = n;
            break;
        }
    if (!root)
        return;
    uint32_t sys = child_named(a, a->nodes[root].child, NM_SYSTEM);
    if (!sys)
        return;
    uint32_t eid = child_named(a, a->nodes[sys].child, NM_EVENT_ID);
    uint32_t ch = child_named(a, a->nodes[sys].child, NM_CHANNEL);
    if (eid) {
        uint32_t k = a->nodes[eid].child;
        if (k && !a->nodes[k].next && a->nodes[k].kind == BX_SUBST) {
            t->eventid_sub = a->nodes[k].index;
        } else if (k && !a->nodes[k].next && a->nodes[k].kind == BX_TEXT) {
            t->eventid_sub = -2;
            t->eventid_const = (uint32_t)strtoul(a->str.data + a->nodes[k].text, NULL, 10);
        }
    }
    if (ch) {
        uint32_t k = a->nodes[ch].child;
        if (k && !a->nodes[k].next && a->nodes[k].kind == BX_SUBST)
            t->channel_sub = a->nodes[k].index;
    }
}

/* Template definition at chunk offset def_off: next offset (4), GUID (16),
 * data size (4), then a binary XML fragment. */
static bx_tpl_slot *template_get(bxp *p, uint32_t def_off, uint32_t *slot_index)
{
    bx_ctx *c = p->c;
    uint32_t h = (def_off * 2654435761u) >> 20; /* 12 bits: BX_TPL_SLOTS */
    uint16_t *hole = NULL;
    for (uint32_t i = 0; i < 64; i++) {
        uint16_t *ix = &c->tpl_index[(h + i) & (BX_TPL_SLOTS - 1)];
        if (!*ix) {
            hole = ix;
            break;
        }
        bx_tpl_slot *s = &c->tpl_slots[*ix - 1];
        if (s->key == def_off) {
            if (s->state == 1) {
                perr(p, def_off, "template definition refers to itself");
                return NULL;
            }
            if (s->state == 3) {
                perr(p, def_off, "template definition is damaged (reported before)");
                return NULL;
            }
            *slot_index = *ix - 1u;
            return s;
        }
    }
    if (!hole) {
        perr(p, def_off, "too many template definitions in one chunk");
        return NULL;
    }
    if (p->tdepth >= EVTX_MAX_BINXML_NESTING) {
        perr(p, def_off, "templates nested deeper than %d", EVTX_MAX_BINXML_NESTING);
        return NULL;
    }
    if (def_off < 512 || (uint64_t)def_off + 24 > c->chunk_len) {
        perr(p, def_off, "template definition offset 0x%" PRIx32 " outside the chunk's record area", def_off);
        return NULL;
    }
    uint32_t size = gl_le32(c->chunk + def_off + 20);
    uint64_t body_end = (uint64_t)def_off + 24 + size;
    if (body_end > c->chunk_len) {
        perr(p, def_off, "template definition of %" PRIu32 " bytes runs past the chunk end", size);
        return NULL;
    }
    c->tpl_bytes += size;
    if (c->tpl_bytes > BX_CHUNK_PARSE_BUDGET) {
        perr(p, def_off, "template definitions in this chunk exceed %u bytes in total", BX_CHUNK_PARSE_BUDGET);
        return NULL;
    }
    *slot_index = c->ntpl_slots; /* fewer entries than index slots */
    bx_tpl_slot *slot = &c->tpl_slots[c->ntpl_slots];
    *hole = (uint16_t)++c->ntpl_slots;
    slot->where = (uint16_t)(hole - c->tpl_index);
    slot->key = def_off;
    slot->eventid_sub = slot->channel_sub = -1;
    slot->eventid_const = 0;
    slot->state = 1;
    slot->prog = 0;
    slot->prog_state = slot->prog_tries = 0;
    bxp tp = {.c = c, .a = &c->carena, .end = (uint32_t)body_end, .tdepth = p->tdepth + 1, .err = p->err};
    uint32_t pos = def_off + 24, first = 0;
    int rc = parse_content(&tp, &pos, 0, &first);
    slot->root = first;
    if (rc < 0 || rc == 2) {
        if (rc == 2)
            perr(p, pos, "template definition at 0x%" PRIx32 ": unbalanced end element", def_off);
        else
            gl_err_prefix(p->err, "template definition at chunk offset 0x%" PRIx32, def_off);
        slot->state = 3;
        return NULL;
    }
    slot->state = 2;
    template_peeks(c, slot);
    return slot;
}

int bx_parse_record(bx_ctx *c, uint32_t pos, uint32_t end, uint32_t *root, gl_err *err)
{
    bx_arena_reset(&c->rarena);
    bxp p = {.c = c, .a = &c->rarena, .end = end, .tdepth = 0, .err = err};
    int rc = parse_content(&p, &pos, 0, root);
    if (rc < 0)
        return -1;
    if (rc == 2)
        return perr(&p, pos, "end element without a start element");
    if (!*root)
        return perr(&p, pos, "record holds no binary XML");
    return 0;
}

static int parse_value_trees(bx_ctx *c, uint32_t from, uint32_t to, int depth, gl_err *err)
{
    for (uint32_t i = from; i < to; i++) {
        evtx_value *v = &c->rarena.vals[i];
        if (v->type != EVTX_T_BINXML || v->len == 0)
            continue;
        if (depth > EVTX_MAX_BINXML_NESTING)
            return gl_err_set(err, "BinXml substitutions nested deeper than %d", EVTX_MAX_BINXML_NESTING);
        uint32_t start = (uint32_t)(v->p - c->chunk);
        bxp p = {.c = c, .a = &c->rarena, .end = start + v->len, .tdepth = depth, .err = err};
        uint32_t pos = start, first = 0, before = c->rarena.nv;
        int rc = parse_content(&p, &pos, 0, &first);
        c->rarena.vals[i].tree = first; /* partial trees are still rendered */
        if (rc < 0 || rc == 2) {
            if (rc == 2)
                perr(&p, pos, "BinXml value: end element without a start element");
            return -1;
        }
        if (parse_value_trees(c, before, c->rarena.nv, depth + 1, err) < 0)
            return -1;
    }
    return 0;
}

int bx_parse_nested(bx_ctx *c, gl_err *err) { return parse_value_trees(c, 0, c->rarena.nv, 1, err); }

const bx_tpl_slot *bx_record_template(const bx_ctx *c, uint32_t root, const evtx_value **vals,
                                      uint32_t *nvals)
{
    const bx_arena *a = &c->rarena;
    for (uint32_t n = root, i = 0; n && i < 16; n = a->nodes[n].next, i++) {
        const bx_node *nd = &a->nodes[n];
        if (nd->kind == BX_TEMPLATE) {
            /* no value parsed yet in this file: the arena has none */
            *vals = a->vals ? a->vals + nd->vals : NULL;
            *nvals = nd->nvals;
            return &c->tpl_slots[nd->index];
        }
        if (nd->kind == BX_ELEM)
            return NULL;
    }
    return NULL;
}

/* A record whose binary XML is template instances only (the record's, and
 * one per BinXml value) takes all its markup from this chunk's templates:
 * the slot of its own template, when every template was parsed here. */
bx_tpl_slot *bx_record_slot(bx_ctx *c, uint32_t root)
{
    const bx_arena *a = &c->rarena;
    if (!root || root >= a->n)
        return NULL;
    for (uint32_t i = 1; i < a->n; i++) {
        const bx_node *nd = &a->nodes[i];
        if (nd->kind != BX_TEMPLATE || nd->next || nd->index >= c->ntpl_slots)
            return NULL;
        const bx_tpl_slot *t = &c->tpl_slots[nd->index];
        if (t->state != 2)
            return NULL;
    }
    return &c->tpl_slots[a->nodes[root].index];
}

bool bx_charge_walk(bx_ctx *c, uint64_t steps)
{
    uint64_t start = c->chunk_budget < BX_WALK_BUDGET ? c->chunk_budget : BX_WALK_BUDGET;
    if (steps > start)
        return false;
    c->chunk_budget -= steps;
    return true;
}

/* ---- walking ---------------------------------------------------------- */

typedef struct bxw {
    bx_ctx *c;
    const bx_sink *s;
    gl_err *err;
    int failed;
} bxw;

typedef struct bx_scope {
    const bx_arena *va; /* where the values live */
    uint32_t vbase, nv;
} bx_scope;

static const evtx_value *scope_value(const bx_scope *sc, uint32_t index)
{
    if (!sc || index >= sc->nv)
        return NULL;
    return &sc->va->vals[sc->vbase + index];
}

static bool value_is_null(const evtx_value *v) { return !v || v->type == EVTX_T_NULL || v->len == 0; }

/* An attribute made only of an optional substitution with no value is
 * left out, as Windows renders it. */
static bool attr_omitted(const bx_arena *a, const bx_node *attr, const bx_scope *sc)
{
    uint32_t k = attr->child;
    if (!k || a->nodes[k].next || a->nodes[k].kind != BX_SUBST || !a->nodes[k].optional)
        return false;
    return value_is_null(scope_value(sc, a->nodes[k].index));
}

static void walk_list(bxw *w, const bx_arena *a, uint32_t first, const bx_scope *sc, int depth);

static void walk_value(bxw *w, const evtx_value *v, const bx_scope *sc, int depth)
{
    if (v->type == EVTX_T_BINXML) {
        if (v->tree) {
            bx_scope inner = {.va = sc->va, .vbase = 0, .nv = 0};
            walk_list(w, sc->va, v->tree, &inner, depth + 1);
        }
        return;
    }
    w->s->value(w->s->ctx, v);
}

static void walk_node(bxw *w, const bx_arena *a, uint32_t n, const bx_scope *sc, int depth)
{
    const bx_node *nd = &a->nodes[n];
    const char *names = w->c->names.data;
    const bx_sink *s = w->s;
    switch (nd->kind) {
    case BX_ELEM:
        s->elem_start(s->ctx, names + nd->name, nd->name_len, nd->name_id);
        for (uint32_t at = nd->attr; at && !w->failed; at = a->nodes[at].next) {
            const bx_node *an = &a->nodes[at];
            if (attr_omitted(a, an, sc))
                continue;
            s->attr_start(s->ctx, names + an->name, an->name_len, an->name_id);
            walk_list(w, a, an->child, sc, depth + 1);
            s->attr_end(s->ctx);
        }
        s->content(s->ctx);
        walk_list(w, a, nd->child, sc, depth + 1);
        s->elem_end(s->ctx, names + nd->name, nd->name_len, nd->name_id);
        break;
    case BX_TEXT: s->text(s->ctx, a->str.data + nd->text, nd->text_len, false); break;
    case BX_CDATA: s->text(s->ctx, a->str.data + nd->text, nd->text_len, true); break;
    case BX_CHARREF: s->charref(s->ctx, nd->index); break;
    case BX_ENTREF: s->entref(s->ctx, names + nd->name, nd->name_len); break;
    case BX_PI:
        s->pi(s->ctx, names + nd->name, nd->name_len, a->str.data + nd->text, nd->text_len);
        break;
    case BX_SUBST: {
        const evtx_value *v = scope_value(sc, nd->index);
        if (v)
            walk_value(w, v, sc, depth);
        break;
    }
    case BX_TEMPLATE: {
        bx_scope inner = {.va = a, .vbase = nd->vals, .nv = nd->nvals};
        walk_list(w, &w->c->carena, nd->tpl_root, &inner, depth + 1);
        break;
    }
    default: break;
    }
}

static void walk_list(bxw *w, const bx_arena *a, uint32_t first, const bx_scope *sc, int depth)
{
    if (depth > 4 * EVTX_MAX_XML_DEPTH) {
        if (!w->failed)
            gl_err_set(w->err, "binary XML nested deeper than %d levels", 4 * EVTX_MAX_XML_DEPTH);
        w->failed = 1;
        return;
    }
    for (uint32_t n = first; n && !w->failed; n = a->nodes[n].next) {
        if (w->c->budget == 0) {
            gl_err_set(w->err, "record expands to too many nodes (limits: %u per record, %u per chunk)",
                       BX_WALK_BUDGET, BX_CHUNK_WALK_BUDGET);
            w->failed = 1;
            return;
        }
        w->c->budget--;
        if (w->s->full(w->s->ctx)) {
            gl_err_set(w->err, "rendered event exceeds the output limit (substitutions reused)");
            w->failed = 1;
            return;
        }
        walk_node(w, a, n, sc, depth);
    }
}

int bx_walk_record(bx_ctx *c, uint32_t root, const bx_sink *s, gl_err *err)
{
    bxw w = {.c = c, .s = s, .err = err, .failed = 0};
    uint64_t start = c->chunk_budget < BX_WALK_BUDGET ? c->chunk_budget : BX_WALK_BUDGET;
    c->budget = start;
    bx_scope top = {.va = &c->rarena, .vbase = 0, .nv = 0};
    walk_list(&w, &c->rarena, root, &top, 0);
    c->chunk_budget -= start - c->budget;
    return w.failed ? -1 : 0;
}

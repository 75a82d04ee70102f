/* Strict XML reader: see sxml.h. One pass over the text with an explicit
 * element stack (no recursion), every length and count capped. */
#include "sxml.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

const sxml_limits sxml_default_limits = {
    .max_bytes = 4u << 20,
    .max_depth = 32,
    .max_elements = 20000,
    .max_attrs = 32,
    .max_text = 256u << 10,
};

#define SXML_MAX_NAME 256

/* Offsets into the store while parsing; turned into pointers at the end
 * because the store moves as it grows. */
typedef struct pnode {
    size_t name, local, text;
} pnode;
typedef struct pattr {
    size_t name, value;
} pattr;

typedef struct frame {
    uint32_t node;
    uint32_t last_child;
    gl_buf text;
} frame;

typedef struct parser {
    const char *s;
    size_t len, pos;
    const sxml_limits *lim;
    sxml_doc *doc;
    pnode *pn;
    pattr *pa;
    frame *stack;
    unsigned depth;
    gl_err *err;
    bool failed;
    /* line counting, advanced lazily and monotonically */
    size_t lc_pos, lc_line_start;
    uint32_t lc_line;
    gl_buf scratch;
} parser;

static void line_col(parser *ps, size_t pos, uint32_t *line, size_t *col)
{
    if (pos < ps->lc_pos) { /* errors may point back into a token */
        ps->lc_pos = 0;
        ps->lc_line = 1;
        ps->lc_line_start = 0;
    }
    for (; ps->lc_pos < pos && ps->lc_pos < ps->len; ps->lc_pos++)
        if (ps->s[ps->lc_pos] == '\n') {
            ps->lc_line++;
            ps->lc_line_start = ps->lc_pos + 1;
        }
    *line = ps->lc_line;
    *col = pos - ps->lc_line_start + 1;
}

static int fail_code(parser *ps, gl_err_code code, size_t pos, const char *fmt, va_list ap)
{
    if (ps->failed) /* keep the first error: later ones are consequences */
        return -1;
    ps->failed = true;
    char what[768];
    vsnprintf(what, sizeof what, fmt, ap);
    uint32_t line;
    size_t col;
    line_col(ps, pos, &line, &col);
    return gl_err_setc(ps->err, code, "line %u, column %zu: %s", (unsigned)line, col, what);
}

static int fail_varg(parser *ps, gl_err_code code, size_t pos, const char *fmt, ...) GL_PRINTF(4, 5);
static int fail_varg(parser *ps, gl_err_code code, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = fail_code(ps, code, pos, fmt, ap);
    va_end(ap);
    return r;
}
/* Malformed input, and input that is well-formed so far but past a limit. */
#define fail_at(ps, pos, ...) fail_varg(ps, GL_ERR_DAMAGED, pos, __VA_ARGS__)
#define fail_limit(ps, pos, ...) fail_varg(ps, GL_ERR_LIMIT, pos, __VA_ARGS__)

/* Printable form of the byte at pos for error messages. */
static const char *found(parser *ps, size_t pos, char out[16])
{
    if (pos >= ps->len)
        return "end of input";
    unsigned char c = (unsigned char)ps->s[pos];
    if (c >= 0x21 && c < 0x7f)
        snprintf(out, 16, "'%c'", c);
    else
        snprintf(out, 16, "byte 0x%02X", c);
    return out;
}

/* ---- store ---------------------------------------------------------- */

static size_t store_add(sxml_doc *doc, const char *p, size_t n)
{
    if (doc->store_cap - doc->store_len < n + 1) {
        size_t cap = doc->store_cap ? doc->store_cap : 1024;
        while (cap - doc->store_len < n + 1)
            cap *= 2;
        doc->store = gl_xrealloc(doc->store, cap);
        doc->store_cap = cap;
    }
    size_t off = doc->store_len;
    if (n)
        memcpy(doc->store + off, p, n);
    doc->store[off + n] = '\0';
    doc->store_len += n + 1;
    return off;
}

/* ---- characters ----------------------------------------------------- */

static bool xml_char_ok(uint32_t cp)
{
    if (cp < 0x20)
        return cp == 0x9 || cp == 0xA || cp == 0xD;
    if (cp <= 0xD7FF)
        return true;
    if (cp < 0xE000)
        return false;
    if (cp <= 0xFFFD)
        return true;
    return cp >= 0x10000 && cp <= 0x10FFFF;
}

/* Decode one UTF-8 sequence at pos; 0 when invalid or truncated. */
static size_t utf8_at(const parser *ps, size_t pos, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)ps->s + pos;
    size_t left = ps->len - pos;
    if (left == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2, v = p[0] & 0x1F, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3, v = p[0] & 0x0F, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4, v = p[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min)
        return 0;
    *cp = v;
    return n;
}

/* Validate the character at pos; returns its length or fails. */
static size_t char_at(parser *ps, size_t pos)
{
    uint32_t cp = 0;
    size_t n = utf8_at(ps, pos, &cp);
    if (n == 0) {
        fail_at(ps, pos, "invalid UTF-8 sequence starting with byte 0x%02X", (unsigned char)ps->s[pos]);
        return 0;
    }
    if (!xml_char_ok(cp)) {
        fail_at(ps, pos, "character U+%04X is not allowed in XML", (unsigned)cp);
        return 0;
    }
    return n;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_ws(parser *ps)
{
    while (ps->pos < ps->len && is_ws(ps->s[ps->pos]))
        ps->pos++;
}

static bool starts(const parser *ps, const char *lit)
{
    size_t n = strlen(lit);
    return ps->len - ps->pos >= n && memcmp(ps->s + ps->pos, lit, n) == 0;
}

static bool name_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Name at pos: validated, length returned in *n. */
static int read_name(parser *ps, const char *what, size_t *n)
{
    size_t start = ps->pos;
    char f[16];
    if (ps->pos >= ps->len || !name_start((unsigned char)ps->s[ps->pos]))
        return fail_at(ps, ps->pos, "expected %s name, found %s", what, found(ps, ps->pos, f));
    while (ps->pos < ps->len && name_char((unsigned char)ps->s[ps->pos])) {
        if ((unsigned char)ps->s[ps->pos] >= 0x80) {
            size_t cl = char_at(ps, ps->pos);
            if (!cl)
                return -1;
            ps->pos += cl;
        } else {
            ps->pos++;
        }
        if (ps->pos - start > SXML_MAX_NAME)
            return fail_limit(ps, start, "%s name longer than %d bytes", what, SXML_MAX_NAME);
    }
    *n = ps->pos - start;
    return 0;
}

/* ---- references ----------------------------------------------------- */

/* At '&': append the referenced character to out. */
static int read_reference(parser *ps, gl_buf *out)
{
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    size_t start = ps->pos++;
    for (size_t i = 0; i < sizeof predefined / sizeof predefined[0]; i++)
        if (starts(ps, predefined[i].name)) {
            ps->pos += strlen(predefined[i].name);
            gl_buf_putc(out, predefined[i].c);
            return 0;
        }
    if (ps->pos >= ps->len || ps->s[ps->pos] != '#')
        return fail_at(ps, start,
                       "expected one of &lt; &gt; &amp; &quot; &apos; or a character reference "
                       "(other entities are never expanded)");
    ps->pos++;
    bool hex = ps->pos < ps->len && ps->s[ps->pos] == 'x';
    if (hex)
        ps->pos++;
    uint32_t v = 0;
    size_t digits = 0;
    for (; ps->pos < ps->len && ps->s[ps->pos] != ';'; ps->pos++, digits++) {
        char c = ps->s[ps->pos];
        int d = c >= '0' && c <= '9' ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
        if (d < 0 || digits >= 8)
            return fail_at(ps, start, "malformed character reference: expected %s digits then ';'",
                           hex ? "at most 8 hex" : "at most 8 decimal");
        v = v * (hex ? 16 : 10) + (uint32_t)d;
    }
    if (ps->pos >= ps->len || digits == 0)
        return fail_at(ps, start, "malformed character reference: expected digits then ';'");
    ps->pos++; /* ';' */
    if (!xml_char_ok(v))
        return fail_at(ps, start, "character reference to U+%X, which XML does not allow", (unsigned)v);
    gl_utf8_put(out, v);
    return 0;
}

/* ---- markup that carries no data ------------------------------------ */

/* Skip from pos past the terminator; what names the construct. */
static int skip_past(parser *ps, const char *term, const char *what)
{
    size_t start = ps->pos, tl = strlen(term);
    for (size_t i = ps->pos; i + tl <= ps->len; i++)
        if (memcmp(ps->s + i, term, tl) == 0) {
            ps->pos = i + tl;
            return 0;
        }
    ps->pos = ps->len;
    return fail_at(ps, start, "unterminated %s: expected \"%s\" before the end of input", what, term);
}

/* Comments, processing instructions (the XML declaration included) and a
 * refused DOCTYPE. Returns 1 when something was skipped, 0 when the input
 * at pos is none of them, -1 on error. */
static int skip_misc(parser *ps)
{
    if (starts(ps, "<!--"))
        return skip_past(ps, "-->", "comment") < 0 ? -1 : 1;
    if (starts(ps, "<?"))
        return skip_past(ps, "?>", "processing instruction") < 0 ? -1 : 1;
    if (starts(ps, "<!DOCTYPE"))
        return fail_at(ps, ps->pos,
                       "document type declarations are refused (no DTD processing, no entity definitions)");
    return 0;
}

/* ---- text ----------------------------------------------------------- */

static int text_room(parser *ps, const gl_buf *t, size_t more, size_t at)
{
    if (t->len + more > ps->lim->max_text)
        return fail_limit(ps, at, "text longer than %zu bytes", ps->lim->max_text);
    return 0;
}

/* Character data up to the next '<' or '&', line ends normalised. */
static int read_chardata(parser *ps, gl_buf *t)
{
    while (ps->pos < ps->len) {
        size_t at = ps->pos;
        unsigned char c = (unsigned char)ps->s[at];
        if (c == '<' || c == '&')
            return 0;
        if (c == ']' && starts(ps, "]]>"))
            return fail_at(ps, at, "\"]]>\" is not allowed in character data");
        size_t n = c < 0x80 && c >= 0x20 ? 1 : char_at(ps, at);
        if (!n)
            return -1;
        if (text_room(ps, t, n, at) < 0)
            return -1;
        if (c == '\r') { /* CR LF and lone CR become LF */
            gl_buf_putc(t, '\n');
            ps->pos++;
            if (ps->pos < ps->len && ps->s[ps->pos] == '\n')
                ps->pos++;
            continue;
        }
        gl_buf_append(t, ps->s + at, n);
        ps->pos += n;
    }
    return 0;
}

static int read_cdata(parser *ps, gl_buf *t)
{
    size_t start = ps->pos;
    ps->pos += 9; /* "<![CDATA[" */
    while (ps->pos < ps->len) {
        if (starts(ps, "]]>")) {
            ps->pos += 3;
            return 0;
        }
        size_t n = char_at(ps, ps->pos);
        if (!n || text_room(ps, t, n, ps->pos) < 0)
            return -1;
        gl_buf_append(t, ps->s + ps->pos, n);
        ps->pos += n;
    }
    return fail_at(ps, start, "unterminated CDATA section: expected \"]]>\" before the end of input");
}

/* ---- tags ----------------------------------------------------------- */

static size_t local_of(const char *name, size_t n)
{
    for (size_t i = n; i > 0; i--)
        if (name[i - 1] == ':')
            return i;
    return 0;
}

static int read_attr_value(parser *ps, gl_buf *v)
{
    char f[16];
    if (ps->pos >= ps->len || (ps->s[ps->pos] != '"' && ps->s[ps->pos] != '\''))
        return fail_at(ps, ps->pos, "expected a quoted attribute value, found %s", found(ps, ps->pos, f));
    char q = ps->s[ps->pos++];
    size_t start = ps->pos;
    gl_buf_clear(v);
    while (ps->pos < ps->len && ps->s[ps->pos] != q) {
        size_t at = ps->pos;
        char c = ps->s[at];
        if (c == '<')
            return fail_at(ps, at, "'<' is not allowed in an attribute value");
        if (c == '&') {
            if (read_reference(ps, v) < 0)
                return -1;
        } else if (is_ws(c)) { /* attribute value normalisation */
            gl_buf_putc(v, ' ');
            ps->pos += (c == '\r' && at + 1 < ps->len && ps->s[at + 1] == '\n') ? 2 : 1;
        } else {
            size_t n = char_at(ps, at);
            if (!n)
                return -1;
            gl_buf_append(v, ps->s + at, n);
            ps->pos += n;
        }
        if (v->len > ps->lim->max_text)
            return fail_limit(ps, start, "attribute value longer than %zu bytes", ps->lim->max_text);
    }
    if (ps->pos >= ps->len)
        return fail_at(ps, start - 1, "unterminated attribute value: expected closing %c", q);
    ps->pos++;
    return 0;
}

static uint32_t new_node(parser *ps, size_t name_at, size_t name_len)
{
    sxml_doc *doc = ps->doc;
    if (doc->n_nodes == doc->node_cap) {
        size_t cap = doc->node_cap ? doc->node_cap * 2 : 64;
        doc->nodes = gl_xrealloc(doc->nodes, cap * sizeof *doc->nodes);
        ps->pn = gl_xrealloc(ps->pn, cap * sizeof *ps->pn);
        doc->node_cap = cap;
    }
    uint32_t id = (uint32_t)doc->n_nodes++;
    sxml_node *n = &doc->nodes[id];
    memset(n, 0, sizeof *n);
    n->parent = n->first_child = n->next_sibling = SXML_NONE;
    n->attr_first = (uint32_t)doc->n_attrs;
    uint32_t line;
    size_t col;
    line_col(ps, name_at, &line, &col);
    n->line = line;
    ps->pn[id].name = store_add(doc, ps->s + name_at, name_len);
    ps->pn[id].local = ps->pn[id].name + local_of(ps->s + name_at, name_len);
    ps->pn[id].text = 0; /* "" until the element closes */
    return id;
}

static int add_attr(parser *ps, uint32_t node, size_t name_at, size_t name_len, const gl_buf *value)
{
    sxml_doc *doc = ps->doc;
    sxml_node *n = &doc->nodes[node];
    if (n->attr_count >= ps->lim->max_attrs)
        return fail_limit(ps, name_at, "more than %u attributes on one element", ps->lim->max_attrs);
    for (uint32_t i = 0; i < n->attr_count; i++) {
        const char *other = doc->store + ps->pa[n->attr_first + i].name;
        if (strlen(other) == name_len && memcmp(other, ps->s + name_at, name_len) == 0)
            return fail_at(ps, name_at, "attribute \"%.*s\" appears twice", (int)name_len, ps->s + name_at);
    }
    if (doc->n_attrs == doc->attr_cap) {
        size_t cap = doc->attr_cap ? doc->attr_cap * 2 : 32;
        doc->attrs = gl_xrealloc(doc->attrs, cap * sizeof *doc->attrs);
        ps->pa = gl_xrealloc(ps->pa, cap * sizeof *ps->pa);
        doc->attr_cap = cap;
    }
    size_t id = doc->n_attrs++;
    ps->pa[id].name = store_add(doc, ps->s + name_at, name_len);
    ps->pa[id].value = store_add(doc, value->data ? value->data : "", value->len);
    n->attr_count++;
    return 0;
}

/* Link a new element under the top of the stack. */
static void link_child(parser *ps, uint32_t id)
{
    if (ps->depth == 0)
        return;
    frame *top = &ps->stack[ps->depth - 1];
    ps->doc->nodes[id].parent = top->node;
    if (top->last_child == SXML_NONE)
        ps->doc->nodes[top->node].first_child = id;
    else
        ps->doc->nodes[top->last_child].next_sibling = id;
    top->last_child = id;
}

static void close_top(parser *ps)
{
    frame *top = &ps->stack[--ps->depth];
    ps->pn[top->node].text = store_add(ps->doc, top->text.data ? top->text.data : "", top->text.len);
    gl_buf_clear(&top->text);
}

/* At '<' + name start. Pushes the element unless it is empty ("/>"). */
static int read_start_tag(parser *ps)
{
    size_t lt = ps->pos++;
    size_t name_at = ps->pos, name_len;
    if (read_name(ps, "element", &name_len) < 0)
        return -1;
    if (ps->doc->n_nodes >= ps->lim->max_elements)
        return fail_limit(ps, lt, "more than %zu elements", ps->lim->max_elements);
    if (ps->depth >= ps->lim->max_depth)
        return fail_limit(ps, lt, "elements nested deeper than %u levels", ps->lim->max_depth);
    uint32_t id = new_node(ps, name_at, name_len);
    link_child(ps, id);
    char f[16];
    for (;;) {
        size_t before = ps->pos;
        skip_ws(ps);
        if (starts(ps, "/>")) {
            ps->pos += 2;
            ps->pn[id].text = store_add(ps->doc, "", 0);
            return 0;
        }
        if (ps->pos < ps->len && ps->s[ps->pos] == '>') {
            ps->pos++;
            frame *fr = &ps->stack[ps->depth++];
            fr->node = id;
            fr->last_child = SXML_NONE;
            gl_buf_clear(&fr->text);
            return 0;
        }
        if (ps->pos >= ps->len)
            return fail_at(ps, lt, "unterminated start tag <%.*s: expected '>' before the end of input",
                           (int)name_len, ps->s + name_at);
        if (ps->pos == before)
            return fail_at(ps, ps->pos, "expected whitespace, '>' or \"/>\" in <%.*s>, found %s",
                           (int)name_len, ps->s + name_at, found(ps, ps->pos, f));
        size_t an_at = ps->pos, an_len;
        if (read_name(ps, "attribute", &an_len) < 0)
            return -1;
        skip_ws(ps);
        if (ps->pos >= ps->len || ps->s[ps->pos] != '=')
            return fail_at(ps, ps->pos, "expected '=' after attribute %.*s, found %s", (int)an_len,
                           ps->s + an_at, found(ps, ps->pos, f));
        ps->pos++;
        skip_ws(ps);
        if (read_attr_value(ps, &ps->scratch) < 0 || add_attr(ps, id, an_at, an_len, &ps->scratch) < 0)
            return -1;
    }
}

static int read_end_tag(parser *ps)
{
    size_t lt = ps->pos;
    ps->pos += 2;
    size_t name_at = ps->pos, name_len;
    if (read_name(ps, "end tag", &name_len) < 0)
        return -1;
    const char *open = ps->doc->store + ps->pn[ps->stack[ps->depth - 1].node].name;
    if (strlen(open) != name_len || memcmp(open, ps->s + name_at, name_len) != 0)
        return fail_at(ps, lt, "expected </%s>, found </%.*s>", open, (int)name_len, ps->s + name_at);
    skip_ws(ps);
    char f[16];
    if (ps->pos >= ps->len || ps->s[ps->pos] != '>')
        return fail_at(ps, ps->pos, "expected '>' to close </%s>, found %s", open, found(ps, ps->pos, f));
    ps->pos++;
    close_top(ps);
    return 0;
}

/* ---- document ------------------------------------------------------- */

static int read_content(parser *ps)
{
    char f[16];
    while (ps->depth > 0) {
        gl_buf *t = &ps->stack[ps->depth - 1].text;
        if (ps->pos >= ps->len) {
            const char *open = ps->doc->store + ps->pn[ps->stack[ps->depth - 1].node].name;
            return fail_at(ps, ps->pos, "unexpected end of input: expected </%s>", open);
        }
        char c = ps->s[ps->pos];
        int r = 0;
        if (c == '&')
            r = read_reference(ps, t);
        else if (c != '<')
            r = read_chardata(ps, t);
        else if (starts(ps, "</"))
            r = read_end_tag(ps);
        else if (starts(ps, "<![CDATA["))
            r = read_cdata(ps, t);
        else if ((r = skip_misc(ps)) != 0)
            r = r < 0 ? -1 : 0;
        else if (ps->pos + 1 < ps->len && name_start((unsigned char)ps->s[ps->pos + 1]))
            r = read_start_tag(ps);
        else
            r = fail_at(ps, ps->pos, "expected an element, end tag, comment or CDATA after '<', found %s",
                        found(ps, ps->pos + 1, f));
        if (r < 0)
            return -1;
    }
    return 0;
}

static int read_document(parser *ps)
{
    char f[16];
    for (;;) { /* prolog */
        skip_ws(ps);
        int r = skip_misc(ps);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
    }
    if (ps->pos >= ps->len || ps->s[ps->pos] != '<' || ps->pos + 1 >= ps->len ||
        !name_start((unsigned char)ps->s[ps->pos + 1]))
        return fail_at(ps, ps->pos, "expected the root element, found %s", found(ps, ps->pos, f));
    if (read_start_tag(ps) < 0 || read_content(ps) < 0)
        return -1;
    for (;;) { /* after the root: only misc, and NUL padding as registry and
                * event strings often carry */
        while (ps->pos < ps->len && (is_ws(ps->s[ps->pos]) || ps->s[ps->pos] == '\0'))
            ps->pos++;
        if (ps->pos >= ps->len)
            return 0;
        int r = skip_misc(ps);
        if (r < 0)
            return -1;
        if (r == 0)
            return fail_at(ps, ps->pos, "expected the end of the document after the root element, found %s",
                           found(ps, ps->pos, f));
    }
}

static void finish(parser *ps)
{
    sxml_doc *doc = ps->doc;
    while (ps->depth > 0) /* input broke off: keep what was read */
        close_top(ps);
    for (size_t i = 0; i < doc->n_nodes; i++) {
        doc->nodes[i].name = doc->store + ps->pn[i].name;
        doc->nodes[i].local = doc->store + ps->pn[i].local;
        doc->nodes[i].text = doc->store + ps->pn[i].text;
    }
    for (size_t i = 0; i < doc->n_attrs; i++) {
        doc->attrs[i].name = doc->store + ps->pa[i].name;
        doc->attrs[i].value = doc->store + ps->pa[i].value;
    }
}

int sxml_parse(sxml_doc *doc, const char *text, size_t len, const sxml_limits *limits, gl_err *err)
{
    memset(doc, 0, sizeof *doc);
    parser ps = {.s = text, .len = len, .lim = limits ? limits : &sxml_default_limits, .doc = doc,
                 .err = err, .lc_line = 1};
    if (len > ps.lim->max_bytes)
        return gl_err_setc(err, GL_ERR_LIMIT, "document of %zu bytes exceeds the %zu-byte limit", len, ps.lim->max_bytes);
    store_add(doc, "", 0); /* offset 0: the empty string */
    ps.stack = gl_xcalloc(ps.lim->max_depth + 1, sizeof *ps.stack);
    int r = read_document(&ps);
    finish(&ps);
    for (unsigned i = 0; i <= ps.lim->max_depth; i++)
        gl_buf_free(&ps.stack[i].text);
    free(ps.stack);
    free(ps.pn);
    free(ps.pa);
    gl_buf_free(&ps.scratch);
    return r < 0 || ps.failed ? -1 : 0;
}

void sxml_free(sxml_doc *doc)
{
    free(doc->nodes);
    free(doc->attrs);
    free(doc->store);
    memset(doc, 0, sizeof *doc);
}

/* ---- navigation ----------------------------------------------------- */

static bool local_is(const sxml_node *n, const char *local) { return !local || strcmp(n->local, local) == 0; }

uint32_t sxml_next(const sxml_doc *doc, uint32_t prev, const char *local)
{
    if (prev >= doc->n_nodes)
        return SXML_NONE;
    for (uint32_t c = doc->nodes[prev].next_sibling; c != SXML_NONE; c = doc->nodes[c].next_sibling)
        if (local_is(&doc->nodes[c], local))
            return c;
    return SXML_NONE;
}

uint32_t sxml_child(const sxml_doc *doc, uint32_t node, const char *local)
{
    if (node >= doc->n_nodes)
        return SXML_NONE;
    uint32_t c = doc->nodes[node].first_child;
    if (c == SXML_NONE || local_is(&doc->nodes[c], local))
        return c;
    return sxml_next(doc, c, local);
}

const char *sxml_child_text(const sxml_doc *doc, uint32_t node, const char *local)
{
    uint32_t c = sxml_child(doc, node, local);
    return c == SXML_NONE ? NULL : doc->nodes[c].text;
}

const char *sxml_attr_value(const sxml_doc *doc, uint32_t node, const char *local)
{
    if (node >= doc->n_nodes)
        return NULL;
    const sxml_node *n = &doc->nodes[node];
    for (uint32_t i = 0; i < n->attr_count; i++) {
        const char *name = doc->attrs[n->attr_first + i].name;
        const char *colon = strrchr(name, ':');
        if (strcmp(colon ? colon + 1 : name, local) == 0)
            return doc->attrs[n->attr_first + i].value;
    }
    return NULL;
}

/* A small strict XML reader for evidence (task definitions and the like):
 * UTF-8 text in, a read-only element tree out.
 *
 * What it accepts: elements, attributes, character data, CDATA sections,
 * comments and processing instructions (skipped, including the XML
 * declaration, whose encoding claim is ignored: the caller transcodes).
 * References: the five predefined entities and numeric character
 * references only. A document type declaration is refused outright, so no
 * entity can ever be defined, let alone expanded (no billion laughs, no
 * external entities). Every size is capped by sxml_limits.
 *
 * On malformed input sxml_parse returns -1 with "line L, column C: what
 * was expected" in err, and the tree still holds everything read up to
 * that point (open elements are closed where the input broke off), so
 * callers can report a partial result. */
#ifndef GL_SXML_H
#define GL_SXML_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct sxml_limits {
    size_t max_bytes;    /* whole input */
    unsigned max_depth;  /* element nesting */
    size_t max_elements; /* in the whole document */
    unsigned max_attrs;  /* per element */
    size_t max_text;     /* one attribute value or one element's text */
} sxml_limits;

/* 4 MiB, depth 32, 20000 elements, 32 attributes, 256 KiB per text. */
extern const sxml_limits sxml_default_limits;

#define SXML_NONE UINT32_MAX

typedef struct sxml_attr {
    const char *name;  /* qualified name as written */
    const char *value; /* references resolved */
} sxml_attr;

typedef struct sxml_node {
    const char *name;  /* qualified name as written ("ns:Task" or "Task") */
    const char *local; /* part after the last ':' */
    const char *text;  /* direct character data, references resolved */
    uint32_t parent, first_child, next_sibling;
    uint32_t attr_first, attr_count;
    uint32_t line; /* of the start tag */
} sxml_node;

typedef struct sxml_doc {
    sxml_node *nodes; /* nodes[0] is the root element when n_nodes > 0 */
    size_t n_nodes;
    sxml_attr *attrs;
    size_t n_attrs;
    char *store; /* every string above lives here */
    size_t store_len;
    /* private to the parser */
    size_t node_cap, attr_cap, store_cap;
} sxml_doc;

/* Parse `len` bytes of UTF-8 (no BOM; the caller strips it). limits NULL
 * means the defaults. Returns 0, or -1 with err set and doc partially
 * filled. Always call sxml_free afterwards. */
int sxml_parse(sxml_doc *doc, const char *text, size_t len, const sxml_limits *limits, gl_err *err);
void sxml_free(sxml_doc *doc);

/* Navigation helpers. Names compare by local name, exactly (XML is case
 * sensitive). Return SXML_NONE when absent. */
uint32_t sxml_child(const sxml_doc *doc, uint32_t node, const char *local);
/* The first child after `prev` (a child of the same parent) with that local
 * name; local NULL means any element. */
uint32_t sxml_next(const sxml_doc *doc, uint32_t prev, const char *local);
/* Text of the named child, or NULL. */
const char *sxml_child_text(const sxml_doc *doc, uint32_t node, const char *local);
/* Attribute value by local name, or NULL. */
const char *sxml_attr_value(const sxml_doc *doc, uint32_t node, const char *local);

#endif

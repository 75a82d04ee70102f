/* Internals shared by the catalog loaders and the index. */
#ifndef GL_RMMCAT_INT_H
#define GL_RMMCAT_INT_H
#include "rmmcatalog.h"
#include "buf.h"

/* Open-addressing hash map from a lowered string key to a chain of
 * postings (tool + pattern). Keys live in the map's own pool. */
typedef struct rmmcat_slot {
    uint64_t hash;
    uint32_t key;  /* offset in pool */
    uint32_t klen;
    uint32_t head; /* posting index + 1; 0 = empty slot */
} rmmcat_slot;

typedef struct rmmcat_map {
    rmmcat_slot *s;
    size_t cap, n;
    gl_buf pool;
} rmmcat_map;

typedef struct rmmcat_posting {
    uint32_t tool;
    uint32_t pat;  /* index in rmmcat.pats */
    uint32_t next; /* posting index + 1; 0 = end */
} rmmcat_posting;

/* One normalized pattern: what must still match after the key did. */
typedef struct rmmcat_pat {
    char *rest;          /* lowered glob left to match ("" = nothing) */
    const char *what;    /* the catalog text it came from */
    char log_kind[24];   /* parser name for logs, "" otherwise */
    rmmcat_role role;
    rmmcat_by by;
} rmmcat_pat;

enum {
    MAP_EXE, MAP_NAMEGLOB, MAP_PREFIX, MAP_COMP, MAP_COMPGLOB,
    MAP_SERVICE, MAP_SERVICEGLOB, MAP_DOMAIN_EXACT, MAP_DOMAIN_SUFFIX, MAP_SIGNER, MAP_NAME,
    MAP_COUNT
};

struct rmmcat {
    rmmcat_tool **tools;
    size_t ntools, captools;
    rmmcat_map maps[MAP_COUNT];
    rmmcat_posting *post;
    size_t npost, cappost;
    rmmcat_pat *pats;
    size_t npats, cappats;
    uint32_t *unanchored; /* pattern indexes matched by scan */
    uint32_t *unanchored_tool;
    size_t nunanchored, capunanchored;
};

/* Key length for the file-name and component pattern tables: patterns are
 * filed under the first characters of their literal prefix. */
#define RMMCAT_GLOB_KEY 3
/* Normalized paths longer than this are not matched (Windows' own limit
 * for most APIs is 32767, but no catalog entry is that deep). */
#define RMMCAT_PATH_MAX 2048

/* Tool for `name` (merging by name/alias), created when absent. */
rmmcat_tool *rmmcat_tool_get(rmmcat *cat, const char *name, size_t len, unsigned source);
/* Append unless already present (ASCII case-insensitive). */
void rmmcat_list_add(rmmcat_list *l, const char *s, size_t len);
void rmmcat_port_add(rmmcat_tool *t, uint16_t port);
/* Rebuild every index from the tools (after each load). */
void rmmcat_reindex(rmmcat *cat);

/* ASCII lower-casing copy; returns bytes written (no NUL counted). */
size_t rmmcat_lower(char *dst, const char *src, size_t len);
bool rmmcat_ieq(const char *a, size_t alen, const char *b, size_t blen);

#endif

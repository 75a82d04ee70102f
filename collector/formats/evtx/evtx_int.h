/* Internals shared by evtx.c (file, chunks, records, recovery),
 * evtx_binxml.c (binary XML -> node trees, tree walker) and evtx_render.c
 * (value formatting, event model, JSON/XML). Not a public API. */
#ifndef GL_EVTX_INT_H
#define GL_EVTX_INT_H
#include "evtx.h"

/* Substitution value types (MS-EVEN6 2.2.18 / libyal EVTX document). */
enum {
    EVTX_T_NULL = 0x00,
    EVTX_T_STRING = 0x01,
    EVTX_T_ANSI = 0x02,
    EVTX_T_I8 = 0x03,
    EVTX_T_U8 = 0x04,
    EVTX_T_I16 = 0x05,
    EVTX_T_U16 = 0x06,
    EVTX_T_I32 = 0x07,
    EVTX_T_U32 = 0x08,
    EVTX_T_I64 = 0x09,
    EVTX_T_U64 = 0x0a,
    EVTX_T_R32 = 0x0b,
    EVTX_T_R64 = 0x0c,
    EVTX_T_BOOL = 0x0d,
    EVTX_T_BINARY = 0x0e,
    EVTX_T_GUID = 0x0f,
    EVTX_T_SIZET = 0x10,
    EVTX_T_FILETIME = 0x11,
    EVTX_T_SYSTIME = 0x12,
    EVTX_T_SID = 0x13,
    EVTX_T_HEX32 = 0x14,
    EVTX_T_HEX64 = 0x15,
    EVTX_T_HANDLE = 0x20,
    EVTX_T_BINXML = 0x21,
    EVTX_T_EVTXML = 0x23,
    EVTX_T_ARRAY = 0x80
};

/* Names the event model cares about, recognised once per chunk when a name
 * is decoded, so the walker switches on a small integer. */
enum {
    NM_OTHER = 0,
    NM_SYSTEM, NM_PROVIDER, NM_NAME, NM_GUID, NM_EVENT_SOURCE_NAME, NM_EVENT_ID,
    NM_QUALIFIERS, NM_VERSION, NM_LEVEL, NM_TASK, NM_OPCODE, NM_KEYWORDS,
    NM_TIME_CREATED, NM_SYSTEM_TIME, NM_EVENT_RECORD_ID, NM_EXECUTION, NM_PROCESS_ID,
    NM_THREAD_ID, NM_CHANNEL, NM_COMPUTER, NM_SECURITY, NM_USER_ID, NM_EVENT_DATA,
    NM_DATA, NM_USER_DATA,
    NM_COUNT
};

/* One substitution value: bytes inside the chunk buffer. */
typedef struct evtx_value {
    const uint8_t *p;
    uint32_t len;
    uint8_t type;
    uint32_t tree; /* BinXml: first node of the parsed fragment (same arena), 0 = none */
} evtx_value;

enum { BX_ELEM = 1, BX_ATTR, BX_TEXT, BX_SUBST, BX_CDATA, BX_CHARREF, BX_ENTREF, BX_PI, BX_TEMPLATE };

/* A parsed binary XML node. Index 0 of an arena means "none". */
typedef struct bx_node {
    uint8_t kind;
    uint8_t vtype;    /* SUBST: declared type */
    uint8_t optional; /* SUBST: optional (0x0e) substitution */
    uint8_t name_id;  /* NM_* */
    uint16_t index;   /* SUBST: substitution index; CHARREF: code unit */
    uint32_t name, name_len;   /* ELEM/ATTR/ENTREF/PI: in the chunk's name buffer */
    uint32_t text, text_len;   /* TEXT/CDATA/PI data: in the owning arena's str */
    uint32_t child, attr, next;
    uint32_t tpl_root;         /* TEMPLATE: first node of the body (chunk arena) */
    uint32_t vals, nvals;      /* TEMPLATE: substitution values (owning arena) */
} bx_node;

typedef struct bx_arena {
    bx_node *nodes;
    uint32_t n, cap;
    evtx_value *vals;
    uint32_t nv, capv;
    gl_buf str;
} bx_arena;

/* Per-chunk caches of decoded names and parsed templates. Entries are
 * appended to an array allocated whole but touched only as it fills, and
 * found through a small open-addressing index of their positions + 1 (0:
 * empty); a new chunk clears only the index slots its entries took. A
 * typical chunk so touches a few KiB, where tables of hashed slots
 * touched all of their 288 KiB in every reader (a page fault each, the
 * largest fixed cost of a small log). An entry's position is stable for
 * the chunk: nodes name templates by it. */
#define BX_NAME_SLOTS 8192
#define BX_TPL_SLOTS 4096
typedef struct bx_name_slot {
    uint32_t key, off, len;
    uint16_t where; /* its slot in name_index */
    uint8_t id;
} bx_name_slot;
typedef struct bx_tpl_slot {
    uint32_t key;
    uint16_t where; /* its slot in tpl_index */
    uint32_t root;  /* first body node in the chunk arena */
    uint8_t state;  /* 1 parsing (cycle guard), 2 ok, 3 broken */
    uint8_t prog_state, prog_tries; /* model programs: see prog below */
    int32_t eventid_sub, channel_sub; /* single-substitution peeks, -1 unknown */
    uint32_t eventid_const;           /* literal EventID when eventid_sub == -2 */
    /* Model programs recorded from records of this template
     * (evtx_render.c): the latest one's offset in bx_ctx.prog + 1 (0 none),
     * each naming the one before; prog_state 2: give up (no room);
     * prog_tries bounds the recordings per chunk. */
    uint32_t prog;
} bx_tpl_slot;

typedef struct bx_ctx {
    const uint8_t *chunk; /* the chunk buffer: every offset is relative to it */
    uint32_t chunk_len;
    bx_arena carena;      /* template bodies of this chunk */
    bx_arena rarena;      /* the current record (reset per record) */
    gl_buf names;         /* decoded names, NUL-terminated */
    gl_buf prog;          /* model programs of this chunk's templates */
    uint16_t *name_index; /* BX_NAME_SLOTS */
    bx_name_slot *name_slots;
    uint32_t nname_slots;
    uint16_t *tpl_index; /* BX_TPL_SLOTS */
    bx_tpl_slot *tpl_slots; /* nodes' `index` */
    uint32_t ntpl_slots;
    uint64_t budget;      /* walk steps left for the current record */
    uint64_t chunk_budget; /* walk steps left for the whole chunk */
    uint64_t tpl_bytes;   /* template body bytes parsed in this chunk */
    /* Carved records: when a template instance's definition offset no
     * longer holds its template (overwritten since), tpl_find (if set) gives
     * another offset in the buffer that defines template id, or 0. A
     * template found nowhere is remembered in tpl_missing (id) and
     * tpl_missing_off (the offset the instance names) until cleared. */
    uint32_t (*tpl_find)(const struct bx_ctx *c, uint32_t id);
    uint32_t tpl_missing, tpl_missing_off;
    bool tpl_missing_set;
} bx_ctx;

void bx_ctx_init(bx_ctx *c);
void bx_ctx_free(bx_ctx *c);
/* A new chunk: forget names, templates and the chunk arena. */
void bx_ctx_chunk(bx_ctx *c, const uint8_t *chunk, uint32_t len);
void bx_arena_reset(bx_arena *a);

/* Parse a record's binary XML [pos, end) into the record arena; *root is the
 * first top-level node. Nested BinXml values are not parsed yet (see
 * bx_parse_nested) so a filter can look at the substitutions first. */
int bx_parse_record(bx_ctx *c, uint32_t pos, uint32_t end, uint32_t *root, gl_err *err);
/* Parse every BinXml substitution value of the record, recursively. */
int bx_parse_nested(bx_ctx *c, gl_err *err);
/* The template slot behind a top-level template instance, or NULL. */
/* Offset of the definition of template id in the buffer's template table
 * (32 chains at 384), or 0: the tpl_find of a chunk. */
uint32_t bx_table_find(const bx_ctx *c, uint32_t id);
const bx_tpl_slot *bx_record_template(const bx_ctx *c, uint32_t root, const evtx_value **vals,
                                      uint32_t *nvals);
/* The template slot of a record whose binary XML is template instances
 * only (its own and its BinXml values'), all parsed in this chunk; NULL
 * for other records. What a model program is recorded for. */
bx_tpl_slot *bx_record_slot(bx_ctx *c, uint32_t root);
/* Take steps walk steps from the record and chunk budgets as a walk of
 * them would; false (nothing taken) when the walk would run out. */
bool bx_charge_walk(bx_ctx *c, uint64_t steps);

/* SAX-like walk: the renderers (model, XML) implement a sink. */
typedef struct bx_sink {
    void *ctx;
    void (*elem_start)(void *ctx, const char *name, uint32_t len, uint8_t id);
    void (*attr_start)(void *ctx, const char *name, uint32_t len, uint8_t id);
    void (*attr_end)(void *ctx);
    void (*content)(void *ctx); /* attributes done */
    void (*text)(void *ctx, const char *s, uint32_t len, bool cdata);
    void (*value)(void *ctx, const evtx_value *v);
    void (*charref)(void *ctx, uint16_t code);
    void (*entref)(void *ctx, const char *name, uint32_t len);
    void (*pi)(void *ctx, const char *target, uint32_t tlen, const char *data, uint32_t dlen);
    void (*elem_end)(void *ctx, const char *name, uint32_t len, uint8_t id);
    bool (*full)(void *ctx); /* output limit reached: stop the walk */
} bx_sink;
/* Walk the record tree; -1 with err when the walk budget or depth ran out
 * (the sink has seen a consistent prefix: every start has its end). */
int bx_walk_record(bx_ctx *c, uint32_t root, const bx_sink *s, gl_err *err);

/* Value formatting (evtx_render.c): append the text form of v to out. */
void evtx_format_value(gl_buf *out, const evtx_value *v);
/* Size of a fixed-size value type, 0 for variable-size or unknown ones. */
int evtx_type_size(uint8_t type);
/* Numeric view of an integer-typed value; false for other types. */
bool evtx_value_uint(const evtx_value *v, uint64_t *out);

/* CRC32 (IEEE, as zlib) of n bytes continuing from crc (0 to start). */
uint32_t evtx_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* The model builder and XML writer (evtx_render.c). */
typedef struct evtx_model {
    gl_buf str;         /* all strings of the event */
    uint32_t *pair_offs; /* name/value offsets, 2 per pair */
    size_t npairs, cap_pairs;
    uint32_t *unode_offs; /* name, value, depth|attr<<16 per node */
    size_t nunodes, cap_unodes;
    evtx_pair *pairs;
    size_t cap_pairs_out;
    evtx_unode *unodes;
    size_t cap_unodes_out;
    gl_buf rec_ops, rec_text; /* a model program being recorded */
} evtx_model;
void evtx_model_free(evtx_model *m);
/* Fill the System/EventData/UserData fields of ev from the record tree. */
int evtx_model_build(bx_ctx *c, uint32_t root, evtx_model *m, evtx_event *ev, gl_err *err);
int evtx_xml_render(bx_ctx *c, uint32_t root, gl_buf *out, gl_err *err);
/* pool: the buffer holding the event's strings (the model's), read 16
 * bytes at a time when it has the room; NULL for none. */
void evtx_json_render(const evtx_event *ev, gl_json *j, const char *xml, size_t xml_len, const gl_buf *pool);

#endif

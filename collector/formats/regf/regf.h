/* Windows registry hive (regf) parser.
 *
 * The hive is read into memory once (bounded by regf_options.max_hive_size),
 * dirty hives are repaired from their transaction logs (.LOG1/.LOG2, old
 * "DIRT" and new "HvLE" formats), and keys/values are then read on demand
 * from that image. Everything from the file is untrusted: a damaged hive
 * still opens and yields what can be read; each problem found is recorded
 * (regf_error_count/regf_error) with the file, the offset and what was
 * expected.
 *
 * Keys and values are plain handles (cell offsets into the hive bins), valid
 * until regf_close. Text comes back as UTF-8 appended to a caller-supplied
 * gl_buf so that walking a hive needs no allocation per key.
 *
 * Deleted material: with recover_deleted, unallocated cells are scanned for
 * keys and values that are still consistent. They are listed by
 * regf_deleted_key_count/regf_deleted_key (with their recovered values) and
 * by regf_deleted_orphan_value* (values whose key is unknown); live keys also
 * get the deleted values still referenced from the slack of their value list.
 * regf_key_deleted/regf_value_deleted tell them apart. */
#ifndef GL_REGF_H
#define GL_REGF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "reader.h"

typedef struct regf_hive regf_hive;
typedef uint32_t regf_key;   /* offset of an nk cell, relative to the first hive bin */
typedef uint32_t regf_value; /* offset of a vk cell */
#define REGF_NONE UINT32_MAX /* "no such key/value" */

/* Value types (winnt.h REG_*). Other numbers are kept and reported raw. */
enum {
    REGF_REG_NONE = 0,
    REGF_REG_SZ = 1,
    REGF_REG_EXPAND_SZ = 2,
    REGF_REG_BINARY = 3,
    REGF_REG_DWORD = 4,
    REGF_REG_DWORD_BIG_ENDIAN = 5,
    REGF_REG_LINK = 6,
    REGF_REG_MULTI_SZ = 7,
    REGF_REG_RESOURCE_LIST = 8,
    REGF_REG_FULL_RESOURCE_DESCRIPTOR = 9,
    REGF_REG_RESOURCE_REQUIREMENTS_LIST = 10,
    REGF_REG_QWORD = 11,
};

typedef enum regf_log_mode {
    REGF_LOGS_AUTO, /* replay the given logs when the hive is dirty (default) */
    REGF_LOGS_NONE, /* never replay: read the primary file as it is */
} regf_log_mode;

typedef struct regf_options {
    regf_log_mode logs;
    bool recover_deleted;   /* scan free cells for deleted keys/values (default false) */
    uint64_t max_hive_size; /* refuse larger hives; default 1 GiB */
    /* Read a primary reader that has a view in place rather than copying
     * it (default false). Its memory must then outlive the hive; log
     * replay still works on a private copy. */
    bool in_place;
    /* With in_place: the view is the caller's own copy of the file, which
     * log replay may write into instead of copying it first (default
     * false). Set only when nothing else reads that memory. */
    bool view_writable;
} regf_options;

/* Defaults: logs auto, no deleted recovery, 1 GiB cap, hive copied. */
void regf_options_init(regf_options *opt);

/* Open a hive. log1/log2 may be NULL (or empty files). Returns NULL with err
 * set only when nothing at all can be read (not a hive, too large, base
 * block and logs unusable); otherwise a hive whose problems are listed by
 * regf_error*. opt may be NULL for the defaults. */
regf_hive *regf_open(const gl_reader *primary, const gl_reader *log1, const gl_reader *log2,
                     const regf_options *opt, gl_err *err);
void regf_close(regf_hive *h);

/* Problems found so far (opening, log replay, and every later lookup that hit
 * damaged data). At most REGF_MAX_ERRORS messages are kept; the count keeps
 * counting. */
#define REGF_MAX_ERRORS 200
size_t regf_error_count(const regf_hive *h);
const char *regf_error(const regf_hive *h, size_t i); /* i < min(count, REGF_MAX_ERRORS) */

typedef enum regf_log_format {
    REGF_LOG_NONE = 0,
    REGF_LOG_OLD = 1, /* Windows XP..8: base block + "DIRT" bitmap + dirty pages */
    REGF_LOG_NEW = 2, /* Windows 8.1+: "HvLE" log entries */
} regf_log_format;

typedef struct regf_info {
    uint32_t seq_primary, seq_secondary; /* base block of the primary file as read */
    uint32_t major, minor;               /* format version, e.g. 1.5 */
    uint32_t file_type;                  /* 0 = primary hive */
    uint64_t last_written;               /* base block FILETIME */
    uint32_t root_offset;                /* root nk cell */
    uint32_t hbins_size;                 /* hive bins data size after recovery */
    uint32_t hbins_size_field;           /* the base block's hive bins size field as used (after recovery) */
    uint32_t hbins_chain;                /* where the chain of valid hbin headers in the file ends */
    bool checksum_ok;                    /* base block XOR checksum of the primary */
    bool dirty;                          /* seq_primary != seq_secondary, or bad checksum */
    /* Log replay. */
    bool recovery_applied;
    regf_log_format log_format;
    const char *logs_used;     /* "LOG1", "LOG2", "LOG1+LOG2" or "" */
    uint32_t log_entries;      /* new format: log entries applied */
    uint32_t log_pages;        /* dirty pages written into the image */
    uint32_t seq_recovered;    /* sequence number after replay */
    uint32_t log_first_seq;    /* new format: sequence number of the first entry applied */
    /* New format: the first entry applied was above the primary's secondary
     * sequence number. Windows' partial reconcile writes the data of the
     * entries it overwrites to the primary without updating the base
     * block; the entries the logs still hold are applied in sequence
     * order across both files (docs/regf.md). */
    bool partial_reconcile;
    /* Deleted-material scan (recover_deleted): cells found in free space,
     * and allocated cells nothing reachable from the root references. */
    uint32_t deleted_keys, deleted_values;
    uint32_t unreferenced_keys, unreferenced_values;
    uint32_t remnant_keys, remnant_values; /* of deleted_keys/values: found after the last hive bin */
} regf_info;
const regf_info *regf_get_info(const regf_hive *h);
/* The hive as parsed: the primary file with the logs applied (base block,
 * hive bins, and any bytes the file held after them). Valid until regf_close. */
const uint8_t *regf_image(const regf_hive *h, size_t *len);

/* ---- keys ---- */
regf_key regf_root(regf_hive *h);
/* Case-insensitive lookup of a '\'-separated path below key (leading and
 * doubled separators are ignored; "" gives key itself). Live keys only.
 * REGF_NONE when absent or unreadable. */
regf_key regf_key_open(regf_hive *h, regf_key key, const char *path);
/* Append the key name as UTF-8. Returns false if the cell is not a readable nk. */
bool regf_key_name(regf_hive *h, regf_key key, gl_buf *out);
uint64_t regf_key_last_write(regf_hive *h, regf_key key); /* FILETIME, 0 if unknown */
/* Class name as UTF-8 (empty when none). Returns false if unreadable. */
bool regf_key_class(regf_hive *h, regf_key key, gl_buf *out);
uint16_t regf_key_flags(regf_hive *h, regf_key key); /* nk flags (0x20 = compressed name, ...) */
bool regf_key_deleted(regf_hive *h, regf_key key);
/* With recover_deleted: a deleted key or value (regf_*_deleted true) that
 * is an allocated cell nothing reachable from the root references, rather
 * than one found in free space (a renamed key's old name, cells left by
 * healing, keys cut off in a truncated file): recovered_from "unreferenced". */
bool regf_key_unreferenced(regf_hive *h, regf_key key);
bool regf_value_unreferenced(regf_hive *h, regf_value v);
/* A deleted key or value found in the bytes the file holds after its last
 * hive bin (remnant data; dirty files often carry some): recovered_from
 * "remnant". */
bool regf_in_remnant(const regf_hive *h, uint32_t off);
/* Where a deleted key or value (cell offset off) was found, for an examiner
 * to weigh it: "remnant" (after the last hive bin), "unreferenced" (an
 * allocated cell nothing references), "free_cell" (free space inside the
 * hive bins). */
const char *regf_recovered_from(const regf_hive *h, uint32_t off);
/* Owner SID from the key's security descriptor, "S-1-5-..."; false if none. */
bool regf_key_owner_sid(regf_hive *h, regf_key key, gl_buf *out);
/* Parent key (REGF_NONE for the root or when unreadable). */
regf_key regf_key_parent(regf_hive *h, regf_key key);
/* Append the key's path relative to the root ("" for the root) by following
 * parent links (depth-limited). Returns false when the chain does not reach
 * the root; out then holds the names that could be resolved. */
bool regf_key_path(regf_hive *h, regf_key key, gl_buf *out);

/* Append the live subkeys (regf_key, as raw uint32_t) of key to out; returns
 * how many were appended. Entries that do not point at an nk are skipped
 * (and reported). Nested "ri" lists are depth-limited. */
size_t regf_key_subkeys(regf_hive *h, regf_key key, gl_buf *out);
/* Append the values (regf_value) of key to out; returns how many. Live values
 * first, then (with recover_deleted) deleted ones found in the list slack.
 * For a deleted key: the values whose vk cells are still free. Reading
 * deleted material never adds to regf_error (free space is damaged by
 * nature). Within regf_walk, and over all deleted keys, the list entries
 * read are bounded in total (half the hive bins size in entries, far above
 * any real hive) so crafted shared lists cannot make a walk quadratic; the
 * cut-off is reported. */
size_t regf_key_values(regf_hive *h, regf_key key, gl_buf *out);
/* Case-insensitive live value lookup ("" = default value). REGF_NONE if absent. */
regf_value regf_value_find(regf_hive *h, regf_key key, const char *name);

/* Layered keys (Windows 10+ differencing hives, e.g. container layers):
 * the layer semantics (nk+13, low 2 bits) and inherit-class flag (nk+13,
 * bit 7) of a key, the tombstone flag (vk flags 0x2) of a value. A
 * tombstone key hides the key of that name in the layers below: it is not
 * an ordinary empty key. */
enum {
    REGF_LAYER_NONE = 0,
    REGF_LAYER_TOMBSTONE = 1,
    REGF_LAYER_SUPERSEDE_LOCAL = 2,
    REGF_LAYER_SUPERSEDE_TREE = 3,
};
unsigned regf_key_layer(regf_hive *h, regf_key key); /* REGF_LAYER_*, 0 when unreadable */
bool regf_key_inherit_class(regf_hive *h, regf_key key);
bool regf_value_tombstone(regf_hive *h, regf_value v);
/* "tombstone", "supersede_local", "supersede_tree"; NULL for REGF_LAYER_NONE. */
const char *regf_layer_name(unsigned layer);

/* ---- values ---- */
bool regf_value_name(regf_hive *h, regf_value v, gl_buf *out); /* "" = default value */
uint32_t regf_value_type(regf_hive *h, regf_value v);
/* Data size the vk declares (inline flag removed); regf_value_data may
 * return less when the data is damaged. */
uint32_t regf_value_data_size(regf_hive *h, regf_value v);
bool regf_value_deleted(regf_hive *h, regf_value v);
/* Raw data: points into the hive image, or into *scratch (cleared first)
 * when the data had to be assembled (big data "db" segments; with scratch
 * NULL such data comes back as NULL). Sets *len. Returns NULL with *len = 0
 * when there is no data or it is unreadable (the latter is reported in
 * regf_error; regf_value_data_size tells the two apart). A deleted value
 * whose data cell has been reused has no data. */
const uint8_t *regf_value_data(regf_hive *h, regf_value v, size_t *len, gl_buf *scratch);
/* SZ/EXPAND_SZ/LINK (or any type) as UTF-16LE text up to the first NUL,
 * appended as UTF-8. False when the data is unreadable. */
bool regf_value_string(regf_hive *h, regf_value v, gl_buf *out);
/* MULTI_SZ: appends each string as UTF-8 followed by a NUL byte; returns the
 * number of strings, or -1 when unreadable. Empty strings inside the list
 * are kept (PendingFileRenameOperations uses them); the NULs after the last
 * non-empty string only terminate it. */
long regf_value_multi_sz(regf_hive *h, regf_value v, gl_buf *out);
/* The same over MULTI_SZ bytes from anywhere (a live registry backend);
 * p may be NULL (no data: 0 strings). */
long regf_data_multi_sz(const uint8_t *p, size_t n, gl_buf *out);
/* DWORD (little endian) or DWORD_BIG_ENDIAN by type; false when the data is
 * shorter than 4 bytes. */
bool regf_value_dword(regf_hive *h, regf_value v, uint32_t *out);
bool regf_value_qword(regf_hive *h, regf_value v, uint64_t *out); /* >= 8 bytes */
/* "REG_SZ", ..., or "REG_UNKNOWN_0x%X" written into buf (>= 32 bytes). */
const char *regf_type_name(uint32_t type, char buf[32]);

/* ---- walking ---- */
/* Depth-first walk over the live tree below start (start included). path is
 * relative to the root, '\'-separated, "" for the root itself. A key listed
 * under two parents (a shared subkey list) is visited under both, as libregf
 * and hivex show it, and reported; a cycle is reported and not followed;
 * total visits are bounded by the hive's size and depth by REGF_MAX_DEPTH.
 * cb returning non-zero stops the walk and is returned. */
#define REGF_MAX_DEPTH 512
typedef int (*regf_walk_cb)(void *ctx, regf_hive *h, regf_key key, const char *path, size_t path_len);
int regf_walk(regf_hive *h, regf_key start, regf_walk_cb cb, void *ctx);
/* Inside a regf_walk callback: how far below start the key is (0 for
 * start). A key at depth d > 0 is a child of the key the walk last
 * visited at depth d - 1, and its path is that key's path followed by
 * '\' (none after the root's "") and its name. */
unsigned regf_walk_depth(const regf_hive *h);

/* ---- deleted material (recover_deleted) ---- */
size_t regf_deleted_key_count(const regf_hive *h);
regf_key regf_deleted_key(const regf_hive *h, size_t i);
/* Path of a deleted key: its parent chain when that resolves to the root,
 * else "(deleted)\<name>" (or "(deleted)\<resolved part>\<name>"). When
 * the live key its chain of deleted keys leads to cannot have been their
 * parent (the parent's cell was reused by another key: its largest-subkey-
 * name field is shorter than the name), "<orphan>\<deleted names>". */
#define REGF_ORPHAN "<orphan>"
void regf_deleted_key_path(regf_hive *h, regf_key key, gl_buf *out);
/* Deleted values not attached to any known key. */
size_t regf_deleted_orphan_value_count(const regf_hive *h);
regf_value regf_deleted_orphan_value(const regf_hive *h, size_t i);

#endif

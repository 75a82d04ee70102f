/* Internals shared by regf.c (cells, keys, values), regf_log.c (log
 * replay) and regf_deleted.c (recovery of deleted cells). Not a public API. */
#ifndef GL_REGF_INT_H
#define GL_REGF_INT_H
#include "regf.h"

#define REGF_BASE_SIZE 4096u   /* base block; hive bin offsets count from its end */
#define REGF_PAGE 4096u        /* hive bins are multiples of this */
#define REGF_HBIN_HDR 32u
#define REGF_NK_MIN 76u        /* nk fixed part, name follows */
#define REGF_VK_MIN 20u        /* vk fixed part, name follows */
#define REGF_DB_SEGMENT 16344u /* payload of one big-data segment */
#define REGF_DEFAULT_MAX (1024ull * 1024 * 1024)
#define REGF_SEEN_MAX 1024     /* messages remembered for de-duplication */

/* A cell: data after the 4-byte size field, clipped to its hive bin. */
typedef struct regf_cell {
    const uint8_t *p;
    uint32_t len;
    bool allocated;
} regf_cell;

struct regf_hive {
    char *name;          /* evidence path, for messages */
    const uint8_t *img;  /* base block + hive bins data (logs applied) */
    uint8_t *img_own;    /* img when it is our copy (gl_big_alloc); NULL while img is the reader's view */
    size_t img_cap;      /* img_own's allocated size, for gl_big_free */
    bool img_borrowed;   /* img_own is the caller's view (view_writable): not ours to free */
    size_t img_len;      /* REGF_BASE_SIZE + data_len */
    uint32_t data_len;   /* usable hive bins data bytes */
    uint32_t rem_end;    /* end of the bytes the file holds after the hive bins (remnant); >= data_len */
    uint32_t *bin_end;   /* per 4 KiB page: end of its hive bin, 0 = not in a valid bin */
    uint32_t *bin_start; /* per 4 KiB page: start of its hive bin */
    regf_options opt;
    regf_info info;
    char *errors[REGF_MAX_ERRORS];
    size_t nerrors;
    uint64_t seen[REGF_SEEN_MAX]; /* hashes of messages already reported */
    size_t nseen;
    uint8_t *visited;    /* walk bitmap, one bit per 8 bytes of hive bins data */
    bool walking;        /* inside regf_walk: list reads draw on walk_pool */
    uint32_t walk_depth; /* depth of the key whose callback runs (regf_walk_depth) */
    uint64_t walk_pool;  /* list entries a walk may still read */
    uint64_t del_pool;   /* value-list entries of deleted keys still to be read */
    /* deleted material (regf_deleted.c) */
    uint32_t *del_keys;
    size_t ndel_keys;
    uint8_t *del_map;          /* one bit per 8 bytes: a deleted nk or vk starts here */
    uint32_t *del_values;      /* every recovered deleted vk, sorted */
    size_t ndel_values;
    uint32_t *del_stamp;       /* per deleted vk: last slack lookup that returned it */
    uint8_t *del_claimed;      /* per deleted vk: a deleted key lists it within its count */
    uint8_t *unref_map;        /* one bit per 8 bytes: an allocated nk/vk nothing references */
    uint32_t slack_call;
    uint32_t *orphans;         /* deleted vk attached to no key */
    size_t norphans;
    bool scanning;             /* suppress errors while probing free space */
    /* The owner SID last formatted: neighbouring keys share sk cells. */
    uint32_t owner_sk;         /* its sk offset; REGF_NONE when empty */
    gl_buf owner_text;
    /* The key and value cells read last (REGF_NONE: none): one key's line
     * asks for the same nk and vk cells a dozen times. Only cells that
     * were read without error are kept, so a damaged one is reported as
     * before; regf_map_bins, which follows every change to the image,
     * forgets them. */
    uint32_t nk_last, vk_last;
    regf_cell nk_last_cell, vk_last_cell;
};

/* Record a problem; offsets in messages are hive-bins-relative (as in the
 * file's own pointers) unless stated otherwise. */
void regf_report(regf_hive *h, const char *fmt, ...) GL_PRINTF(2, 3);

/* Look up the cell at off. what names the expected record for the message.
 * Returns false (and reports, unless quiet) when off is not a usable cell. */
bool regf_cell_get(regf_hive *h, uint32_t off, const char *what, regf_cell *c);

/* nk/vk decoding that regf_deleted.c reuses on cells it found by scanning. */
bool regf_nk_check(regf_hive *h, uint32_t off, regf_cell *c, bool quiet);
bool regf_vk_check(regf_hive *h, uint32_t off, regf_cell *c, bool quiet);
/* Rebuild the page -> hive bin map after the image changed. */
void regf_map_bins(regf_hive *h);

/* The image, writable: the reader's view is copied on first use. */
uint8_t *regf_image_mut(regf_hive *h);
/* Make the image at least n bytes long (then our copy), new bytes zeroed. */
void regf_image_grow(regf_hive *h, size_t n);

/* regf_log.c: called by regf_open on a dirty hive with logs. May replace
 * h->img (grown to the logged hive bins size). */
void regf_replay_logs(regf_hive *h, const gl_reader *log1, const gl_reader *log2);
uint32_t regf_checksum(const uint8_t *base);

/* regf_deleted.c */
void regf_scan_deleted(regf_hive *h);
bool regf_is_deleted_value(const regf_hive *h, uint32_t off);
bool regf_is_deleted_key(const regf_hive *h, uint32_t off);
bool regf_is_unreferenced(const regf_hive *h, uint32_t off);
/* Deleted values still referenced from the slack of a value list (entries
 * from live_count on); listed_deleted: the entries before it are a deleted
 * key's, already returned, and are not repeated. */
size_t regf_deleted_values_of(regf_hive *h, uint32_t list_off, uint32_t live_count, bool listed_deleted, gl_buf *out);

#endif

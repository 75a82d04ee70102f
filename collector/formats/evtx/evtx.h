/* EVTX (Windows XML Event Log) parser: file header, 64 KiB chunks, event
 * records and binary XML with templates, rendered to an event model, JSON
 * or XML. Reads through a gl_reader; memory is one chunk plus per-chunk
 * caches whatever the file size. Damaged parts are reported (evtx_errors)
 * and skipped; iteration continues. See docs/evtx.md for the output format
 * and the differences from python-evtx.
 *
 * Typical use:
 *     evtx_file *f = evtx_open(&reader, NULL, &err);
 *     uint32_t ids[] = {4624, 4625};
 *     evtx_filter_ids(f, ids, 2);
 *     const evtx_event *ev;
 *     while (evtx_next(f, &ev, &err) == 1)
 *         use(ev->event_id, evtx_event_value(ev, "TargetUserName"));
 *     for (size_t i = 0; i < evtx_error_count(f); i++) log(evtx_error(f, i));
 *     evtx_close(f);
 */
#ifndef GL_EVTX_H
#define GL_EVTX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"
#include "json.h"
#include "reader.h"

#define EVTX_CHUNK_SIZE 65536u
#define EVTX_FILE_HEADER_SIZE 4096u
/* Limits that keep hostile input bounded. */
#define EVTX_MAX_XML_DEPTH 64     /* element nesting inside one fragment */
#define EVTX_MAX_BINXML_NESTING 8 /* BinXml substitution inside BinXml ... */
#define EVTX_MAX_ERRORS 1000      /* messages kept; evtx_error_total counts all */

typedef struct evtx_options {
    /* Carve records from chunk slack, scan damaged chunks and chunks past
     * the header's chunk count. Recovered records come after the live ones
     * and carry recovered = true. Default (NULL options): on. */
    bool no_recover;
} evtx_options;

typedef struct evtx_header_info {
    uint64_t first_chunk, last_chunk; /* chunk numbers from the header */
    uint64_t next_record_id;
    uint32_t header_size;             /* 128 */
    uint16_t major, minor;            /* 3.1 or 3.2 */
    uint16_t header_block_size;       /* 4096 */
    uint16_t chunk_count;             /* as stored in the header */
    uint32_t flags;
    bool dirty;                       /* flags & 1 */
    bool full;                        /* flags & 2 */
    bool checksum_ok;                 /* CRC32 of bytes 0..119 == stored */
    uint32_t checksum_stored, checksum_computed;
    uint64_t chunks_in_file;          /* (file size - 4096) / 65536 */
} evtx_header_info;

/* A name -> value pair; both NUL-terminated UTF-8. */
typedef struct evtx_pair {
    const char *name;
    const char *value;
} evtx_pair;

/* One node of UserData, in document order; depth 0 is a child of
 * <UserData>. is_attr: an attribute of the preceding element (name
 * without '@'). value: the element's text ("" when it has children). */
typedef struct evtx_unode {
    const char *name;
    const char *value;
    uint16_t depth;
    bool is_attr;
} evtx_unode;

/* Why a record counts as recovered. */
enum {
    EVTX_REC_CARVED = 1,      /* found by scanning slack, or a chunk without "ElfChnk" */
    EVTX_REC_BAD_CHUNK = 2,   /* chunk header or data CRC mismatch, bad magic */
    EVTX_REC_PAST_COUNT = 4,  /* chunk beyond a clean header's chunk count (a dirty
                                 header's count is stale: those chunks are live) */
    EVTX_REC_AFTER_DAMAGE = 8, /* found by resynchronising after a broken record */
    EVTX_REC_BAD_MAGIC = 16    /* chunk without its "ElfChnk" signature (with EVTX_REC_BAD_CHUNK) */
};
/* The one word for how far to trust a recovered record, from the chunk-level
 * cause down: "bad_magic_chunk", "bad_crc_chunk", "chunk_past_header",
 * "resync", "slack"; NULL for a live record. */
const char *evtx_recovered_from(unsigned recovered_why);

/* Presence bits for the optional System fields. */
enum {
    EVTX_HAS_EVENT_ID = 1 << 0,
    EVTX_HAS_QUALIFIERS = 1 << 1,
    EVTX_HAS_VERSION = 1 << 2,
    EVTX_HAS_LEVEL = 1 << 3,
    EVTX_HAS_TASK = 1 << 4,
    EVTX_HAS_OPCODE = 1 << 5,
    EVTX_HAS_KEYWORDS = 1 << 6,
    EVTX_HAS_TIME_CREATED = 1 << 7,
    EVTX_HAS_RECORD_ID = 1 << 8, /* System/EventRecordID present */
    EVTX_HAS_PROCESS_ID = 1 << 9,
    EVTX_HAS_THREAD_ID = 1 << 10,
    EVTX_HAS_USER_DATA = 1 << 11, /* a <UserData> element was seen */
    EVTX_HAS_EVENT_DATA = 1 << 12 /* an <EventData> element was seen */
};

/* The event model. Every pointer is owned by the evtx_file and valid until
 * the next evtx_next() or evtx_close(). Strings are "" when absent (check
 * the `has` bits for numbers). */
typedef struct evtx_event {
    /* record header */
    uint64_t record_id;          /* record header number */
    uint64_t written_time;       /* record header FILETIME */
    uint64_t file_offset;        /* of the record signature */
    uint64_t chunk_index;        /* 0-based chunk position in the file */
    bool recovered;
    unsigned recovered_why;      /* EVTX_REC_* bits */
    const char *recovered_from;  /* evtx_recovered_from(recovered_why) */
    /* A carved record header whose body cannot be rendered (its template
     * was overwritten, or the binary XML is broken): only record_id and
     * written_time are known, event_record_id = record_id, nothing else. */
    bool partial;
    const char *partial_reason;
    char written_iso[40];        /* written_time as ISO 8601 (partial records) */
    /* System */
    uint32_t has;                /* EVTX_HAS_* bits */
    const char *provider_name;
    const char *provider_guid;   /* "{XXXXXXXX-...}" upper case, or "" */
    const char *event_source_name;
    uint16_t event_id;
    uint16_t qualifiers;
    uint8_t version, level, opcode;
    uint16_t task;
    uint64_t keywords;
    uint64_t time_created;       /* FILETIME (100 ns since 1601) */
    char time_created_iso[40];   /* "2026-11-25T10:15:00.1234567Z" or "" */
    uint64_t event_record_id;    /* System/EventRecordID (record_id if absent) */
    uint32_t process_id, thread_id;
    const char *channel;
    const char *computer;
    const char *user_id;         /* Security/@UserID SID string, or "" */
    /* <EventData>: children in order. <Data Name="X"> -> name X; unnamed
     * <Data> -> its position among EventData children ("0", "1", ...);
     * other children (e.g. <Binary>) -> their element name. */
    const evtx_pair *data;
    size_t ndata;
    /* <UserData> tree, flattened in document order. */
    const evtx_unode *user;
    size_t nuser;
} evtx_event;

/* Gap in the EventRecordID sequence of live records: first..last missing
 * (inclusive). chunk_index/offset locate the record that follows the gap. */
typedef struct evtx_gap {
    uint64_t first_missing, last_missing;
    uint64_t chunk_index;
    uint64_t file_offset;
} evtx_gap;

typedef struct evtx_file evtx_file;

/* Open: reads and checks the file header. A damaged header is reported via
 * evtx_error() and chunks are still scanned; NULL only when the file is
 * shorter than 4096 + 512 bytes, or not an EVTX file at all (no "ElfFile"
 * signature and no "ElfChnk" at 4096), or on a read error. `r` must outlive
 * the evtx_file. opt may be NULL. */
evtx_file *evtx_open(const gl_reader *r, const evtx_options *opt, gl_err *err);
void evtx_close(evtx_file *f);

const evtx_header_info *evtx_header(const evtx_file *f);

/* Filters, set before the first evtx_next(). Records that do not match are
 * skipped after reading only EventID/Channel (no rendering). ids: copied;
 * n == 0 clears. channel: case-insensitive exact match, NULL clears. */
void evtx_filter_ids(evtx_file *f, const uint32_t *ids, size_t n);
void evtx_filter_channel(evtx_file *f, const char *channel);

/* Next event: 1 = *ev filled, 0 = end. -1 only on a reader (I/O) error,
 * with err set; damage in the data is never -1 but an entry in
 * evtx_errors() and iteration goes on. */
int evtx_next(evtx_file *f, const evtx_event **ev, gl_err *err);

/* Value by name: EventData pair first, then UserData element (leaf name,
 * e.g. "SubjectUserName"). NULL when absent. */
const char *evtx_event_value(const evtx_event *ev, const char *name);

/* Render the current event (the one last returned by evtx_next) as one JSON
 * object with keys Provider, EventID, Qualifiers, Version, Level, Task,
 * Opcode, Keywords, TimeCreated, EventRecordID, ProcessID, ThreadID, Channel,
 * Computer, UserID, EventData, UserData, recovered, recovered_from (+
 * partial, partial_reason, written for partial records; + Xml with
 * EVTX_JSON_XML). */
enum { EVTX_JSON_XML = 1 };
void evtx_event_json(evtx_file *f, const evtx_event *ev, gl_json *j, unsigned flags);
/* Render the current event as XML (as Windows does; no XML declaration).
 * Returns 0, or -1 (partial XML appended) when the record is damaged. */
int evtx_event_xml(evtx_file *f, const evtx_event *ev, gl_buf *out);

/* Errors collected so far ("FILE: chunk 3 (offset 0x31000): ..."). */
size_t evtx_error_count(const evtx_file *f);
const char *evtx_error(const evtx_file *f, size_t i);
size_t evtx_error_total(const evtx_file *f); /* including ones not kept */

/* Gaps in live EventRecordIDs; complete once evtx_next returned 0. */
const evtx_gap *evtx_gaps(const evtx_file *f, size_t *n);

/* Reading one file with several threads. Chunks are independent once the
 * file header is read: a part (its own evtx_file over the same reader,
 * e.g. one per thread) reads the live phase of chunks [first, end) and
 * stops there; its evtx_next returns the live records of those chunks
 * exactly as evtx_next on the whole file would. Then, in chunk order,
 * evtx_absorb hands each finished part's errors, EventRecordID runs,
 * statistics, slack flags and templates to the whole file's evtx_file
 * (opened with evtx_open, not iterated), and evtx_live_done makes its
 * next evtx_next go on with the carve phase. Output, errors and gaps are
 * then the same as one reader's. Filters are set on every part. */
evtx_file *evtx_open_part(const gl_reader *r, const evtx_options *opt, uint64_t first, uint64_t end, gl_err *err);
/* evtx_open_part again with a part evtx_absorb is done with (or NULL): what
 * it found is forgotten, its memory and filters are kept, so a thread
 * reading one range after another does not allocate and fault in fresh
 * memory each time (with musl every large free is an unmap, which in a
 * threaded process interrupts every core). On failure part is closed. */
evtx_file *evtx_reopen_part(evtx_file *part, const gl_reader *r, const evtx_options *opt, uint64_t first,
                            uint64_t end, gl_err *err);
/* The same part, for chunks [first, end) of the same file: its reader,
 * header and filters are kept, so nothing is read or checked again (a
 * thread reading several ranges of one file in turn). */
void evtx_part_range(evtx_file *part, uint64_t first, uint64_t end);
/* The same for a whole-file reader (evtx_open), for the next file. */
evtx_file *evtx_reopen(evtx_file *f, const gl_reader *r, const evtx_options *opt, gl_err *err);
uint64_t evtx_chunk_count(const evtx_file *f); /* chunks in the file (capped) */
void evtx_absorb(evtx_file *f, evtx_file *part);
/* What part found so far (errors, EventRecordID runs, statistics, slack
 * flags of its range, templates) moved into `found` (one made by an
 * earlier call, emptied first, or NULL for a new one), to evtx_absorb
 * instead of part: found holds none of a reader's working memory (chunk
 * buffer, caches), so each thread keeps one part, warm in its core's
 * cache, and reopens it for its next range while the thread that writes
 * absorbs. Close found with evtx_close. */
evtx_file *evtx_take_findings(evtx_file *part, evtx_file *found);
void evtx_live_done(evtx_file *f);

/* Counters for reports and tests. */
typedef struct evtx_stats {
    uint64_t chunks_total, chunks_bad_header, chunks_bad_data_crc, chunks_bad_magic;
    uint64_t records_live, records_recovered, records_filtered, records_bad;
    /* Lowest and highest record-header number of the records that count
     * towards the EventRecordID runs (gaps): those in place in the chunk
     * sequence, damaged chunks (bad CRC or bad "ElfChnk") and resynchronised
     * records included, slack and chunks past a clean header's count not;
     * filtered ones included. With their written times; 0 when none. */
    uint64_t first_live_id, first_live_written, last_live_id, last_live_written;
    /* Recovered records whatever the filters (records_recovered counts only
     * the ones returned). */
    uint64_t recovered_any;
} evtx_stats;
const evtx_stats *evtx_get_stats(const evtx_file *f);

#endif

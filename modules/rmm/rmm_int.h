/* Internals of the rmm module (rmm.c documents what it reports). */
#ifndef GL_RMM_INT_H
#define GL_RMM_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "finding.h"
#include "module.h"
#include "rmmcatalog.h"
#include "rmmlog.h"
#include "wordlist.h"

/* Splashtop Streamer's own event channels */
#define RMM_SPLASHTOP_STATUS "Splashtop-Splashtop Streamer-Status/Operational"
#define RMM_SPLASHTOP_SESSION "Splashtop-Splashtop Streamer-Remote Session/Operational"

/* How a tool was seen (bits of rmm_seen.kinds). */
enum {
    RMM_SEEN_SERVICE = 1u << 0,
    RMM_SEEN_SAFEBOOT = 1u << 1,
    RMM_SEEN_UNINSTALL = 1u << 2,
    RMM_SEEN_REGISTRY = 1u << 3,
    RMM_SEEN_FILE = 1u << 4,
    RMM_SEEN_LOG = 1u << 5,
    RMM_SEEN_EVENT = 1u << 6,
    RMM_SEEN_PORTABLE = 1u << 7,
    RMM_SEEN_FIREWALL = 1u << 8,
    RMM_SEEN_EXECUTED = 1u << 9, /* Prefetch or BAM */
    RMM_SEEN_SESSION_EVENT = 1u << 10, /* the tool's own event-log entries */
};
#define RMM_SEEN_KINDS 11

/* A registry value that shows unattended access (data/unattended-values.txt). */
typedef struct rmm_uvalue {
    char *tool, *key, *value, *meaning;
} rmm_uvalue;

typedef struct rmm_state {
    rmmcat *cat;
    bool *allowed; /* per tool: named in rmm.allow */
    rmm_uvalue *uvalues;
    size_t n_uvalues;
    gl_wordlist os_binaries; /* data/os-binaries.txt */
} rmm_state;

/* Facts of one kind gathered for one finding per tool. */
enum {
    RMM_AGG_UNATTENDED,
    RMM_AGG_INCOMING,
    RMM_AGG_TRANSFER,
    RMM_AGG_PORTABLE,
    RMM_AGG_ADDRESSES, /* public addresses in logs whose layout does not say the direction */
    RMM_AGG_COUNT
};
#define RMM_MAX_ITEMS 200

typedef struct rmm_agg {
    gl_buf evidence; /* artifact NUL locator NUL, repeated */
    size_t n_evidence, omitted;
    gl_buf items;    /* distinct descriptions, NUL-separated */
    size_t n_items, n_facts;
    uint64_t first;
    bool user_writable; /* RMM_AGG_PORTABLE: a copy in a folder users can write */
} rmm_agg;

/* Everything seen of one tool, for its findings. */
typedef struct rmm_seen {
    unsigned kinds;
    uint64_t first, last; /* FILETIME, 0 unknown */
    gl_buf evidence;      /* artifact NUL locator NUL, repeated */
    size_t n_evidence, omitted;
    rmm_agg agg[RMM_AGG_COUNT];
    /* binaries found in the tool's own folders where users can write
     * (path NUL, repeated): portable unless an install says otherwise */
    gl_buf user_binaries;
    size_t n_user_binaries;
    /* the oldest file of the tool (birth, else modification time) */
    uint64_t first_file;
    gl_buf first_file_path;
} rmm_seen;

typedef struct rmm_ctx {
    gl_run *run;
    rmm_state *st;
    rmm_seen *seen; /* one per catalog tool */
    size_t n_tools;
} rmm_ctx;

/* Note that tool t was seen: how, when (0 unknown) and where. */
void rmm_saw(rmm_ctx *c, uint32_t t, unsigned kind, uint64_t when, const char *artifact, const char *locator_fmt, ...)
    GL_PRINTF(6, 7);
/* One fact for the finding of kind `agg` of tool t: its description
 * (kept once), when, and where. */
void rmm_note(rmm_ctx *c, uint32_t t, int agg, uint64_t when, const char *item, const char *artifact,
              const char *locator_fmt, ...) GL_PRINTF(7, 8);
/* A file of tool t with its time: the oldest makes an rmm.installed event. */
void rmm_saw_file_time(rmm_ctx *c, uint32_t t, uint64_t when, const char *path);
/* A name match on a program Windows ships (mstsc.exe): not a tool. */
bool rmm_os_binary(const rmm_ctx *c, const char *path);
/* Widen the tool's first/last seen times only. */
void rmm_saw_time(rmm_ctx *c, uint32_t t, uint64_t when);
/* A ScreenConnect ImagePath's relay: a "relay" record, and unattended
 * access for Access sessions. */
void rmm_relay(rmm_ctx *c, uint32_t t, const char *image, uint64_t when, const char *artifact, const char *where);
const char *rmm_tool_name(const rmm_ctx *c, uint32_t t);
bool rmm_allowed(const rmm_ctx *c, uint32_t t);
/* "2022-09-28T12:39:26.845" (optionally ending in Z) to FILETIME; 0 when
 * it is not such a time. */
uint64_t rmm_iso_filetime(const char *iso);
/* The tools an executable path or a command line names (the whole text
 * as a path, then argv[0] as a path, then its file name); hits->n. */
size_t rmm_match_image(const rmm_ctx *c, const char *image, rmmcat_hits *hits);

/* After all evidence: binaries in user-writable folders of a tool with no
 * service and no Uninstall entry are portable copies. */
void rmm_portable_from_user_binaries(rmm_ctx *c, uint32_t t);
/* Parse data/unattended-values.txt ("tool | key | value | meaning"). */
int rmm_load_uvalues(rmm_state *st, const char *text, size_t n, gl_err *err);
void rmm_free_uvalues(rmm_state *st);
int rmm_registry(rmm_ctx *c);
int rmm_files(rmm_ctx *c);
/* Execution traces: Prefetch file names and BAM entries naming a binary. */
void rmm_prefetch(rmm_ctx *c);
void rmm_bam(rmm_ctx *c);
int rmm_events(rmm_ctx *c, gl_err *err);
/* Inbound allow rules of the firewall module's records for tool binaries. */
void rmm_firewall(rmm_ctx *c);
/* Records, timeline events and findings of one parsed log record. */
void rmm_log_record(rmm_ctx *c, uint32_t t, const rmmlog_rec *r, const char *path, const char *artifact);
/* The same for a record read from an event (a ScreenConnect session event):
 * evidence is the event's locator instead of a line of a file. */
void rmm_log_fact(rmm_ctx *c, uint32_t t, const rmmlog_rec *r, const char *path, const char *artifact,
                  const char *locator);

#endif

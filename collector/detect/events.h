/* Event logs for modules. A module declares the events it reads in its
 * gl_module.events ({"Security", {1102, 4719}, 2}, ...); the first module
 * that asks runs ONE pass over the logs for every module of the run:
 *
 *  - the files read are, for each channel any module subscribed to,
 *    winevt\Logs\<channel>.evtx (with '/' as %4) and its archived copies
 *    winevt\Logs\Archive-<channel>-*.evtx (oldest first, then the live log);
 *    a subscription to channel "*" (with no IDs) adds every other log in
 *    winevt\Logs, so its extent, gaps and damage are known too;
 *  - each file is read once, filtered by the union of subscribed event IDs
 *    before any rendering, and acquired into the bundle by being read;
 *  - each event is classified by its own Channel (the file's channel when
 *    the record has none), whatever file it sits in: a System.evtx that a
 *    customer exported with Security events in it feeds Security readers;
 *  - matching events go to a spool on disk (memory stays flat), from which
 *    every module then iterates its own channel and IDs.
 * Parser errors of a file are reported (once) to each module that reads
 * that file's events; gaps and header facts are in gl_events_files(). */
#ifndef GL_EVENTS_H
#define GL_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "evtx.h"
#include "module.h"

typedef struct gl_event {
    const char *channel;  /* the event's channel */
    const char *provider; /* Provider Name */
    uint16_t event_id;
    uint64_t record_id;   /* System/EventRecordID */
    uint64_t time;        /* TimeCreated, FILETIME (0 unknown) */
    const char *time_iso; /* "2026-11-20T10:02:41.3312877Z" or "" */
    const char *computer;
    const char *user_sid; /* Security/@UserID or "" */
    bool recovered;       /* carved from slack or a damaged chunk */
    /* EventData pairs, then UserData leaves (name = element name). */
    const evtx_pair *fields;
    size_t n_fields;
    const char *file;     /* evidence path of the log file */
    const char *artifact; /* its bundle member (NULL without acquisition) */
    const char *locator;  /* "EventRecordID=1234" ("…, recovered" for carved records) */
} gl_event;

/* Field by name (EventData first, then UserData), or NULL. */
const char *gl_event_value(const gl_event *ev, const char *name);
/* Same, "" when absent or "-" (how Windows writes an empty field). */
const char *gl_event_text(const gl_event *ev, const char *name);

typedef int (*gl_event_cb)(void *ctx, const gl_event *ev);
/* Every event of channel (case-insensitive) whose ID the calling module
 * declared for that channel, in file order (archives oldest first, then
 * the live log). cb returning non-zero stops and is returned. -1 with err
 * when the event cache could not be built or read. Asking for a channel
 * the module did not declare is an error of the module. */
int gl_events_each(gl_run *run, const char *channel, gl_event_cb cb, void *ctx, gl_err *err);

/* What the pass learnt about each log file it read. */
typedef struct gl_evtx_file {
    const char *path;        /* evidence path */
    const char *artifact;
    const char *channel;     /* from the file name ("Security") */
    bool opened;             /* false: could not be opened/parsed at all (see errors) */
    evtx_header_info header;
    evtx_stats stats;
    uint64_t first_record_id, last_record_id; /* live records of any ID, 0 when none */
    uint64_t first_time, last_time;           /* their record-header written times (FILETIME) */
    const evtx_gap *gaps;
    size_t n_gaps;
    size_t n_errors;
    const char *const *errors;
} gl_evtx_file;
/* The files of the run's pass (the pass runs if it has not yet). */
size_t gl_events_files(gl_run *run, const gl_evtx_file **files, gl_err *err);

/* "Microsoft-Windows-TaskScheduler/Operational" -> "...%4Operational". */
void gl_channel_file_name(const char *channel, gl_buf *out);

#endif

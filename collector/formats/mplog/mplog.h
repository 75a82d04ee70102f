/* Microsoft Protection Log (ProgramData\Microsoft\Windows Defender\Support\
 * MPLog-*.log): Defender's plain-text troubleshooting log, UTF-16LE (with
 * or without a BOM) or UTF-8. Most lines start with a UTC timestamp
 * "YYYY-MM-DDTHH:MM:SS.mmmZ ". The line kinds read here, by structure,
 * are those with a public description (CrowdStrike's "Mind the MPLog",
 * artefacts.help, the MPLog patterns of fox-it's dissect.target):
 *
 *   impact      <ts> ProcessImageName: <image>, [Pid: <n>, ]TotalTime: <n>,
 *               Count: <n>, MaxTime: <n>, MaxTimeFile: <path>,
 *               EstimatedImpact: <n>%
 *   exclusion   <ts> [Exclusion] <path> -> <device path>
 *   detection   <ts> ...DETECTION_ADD<suffix> <threat> <resource>:<target>
 *               <ts> ...DETECTIONEVENT MPSOURCE_<x> <threat> <resource>:<target>
 *   rtp_exclusion  the "**RTP Perf Log**" block's "Process Exclusions:",
 *               "Path Exclusions:" and "Ext Exclusions:" lists (indented
 *               lines, up to "Worker Threads"): the exclusions in force
 *               when real-time protection started. These lines carry no
 *               timestamp; the entry gets the last one seen before.
 *
 * Other lines are counted, not interpreted. A line that starts like a kind
 * but lacks its fields is an error naming its line; parsing goes on. Pure:
 * bytes in, callbacks out (spans valid during the callback only). */
#ifndef GL_MPLOG_H
#define GL_MPLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct mpl_span {
    const char *p; /* UTF-8; NULL/0 when absent */
    size_t n;
} mpl_span;

typedef enum mpl_kind { MPL_IMPACT, MPL_EXCLUSION, MPL_DETECTION, MPL_RTP_EXCLUSION } mpl_kind;

typedef enum mpl_excl_list { MPL_LIST_NONE, MPL_LIST_PROCESS, MPL_LIST_PATH, MPL_LIST_EXTENSION } mpl_excl_list;

typedef struct mpl_entry {
    mpl_kind kind;
    uint64_t line;     /* 1-based */
    uint64_t filetime; /* the line's timestamp (rtp_exclusion: the last one before); 0 none */
    mpl_span time;     /* its text */
    /* impact */
    mpl_span process, max_time_file;
    int64_t pid, total_time, count, max_time, impact; /* -1: absent */
    /* exclusion: path and device_path; rtp_exclusion: path and list */
    mpl_span path, device_path;
    mpl_excl_list list;
    /* detection */
    mpl_span marker;   /* "DETECTION_ADD#1" or "DETECTIONEVENT" */
    mpl_span source;   /* "MPSOURCE_REALTIME" (DETECTIONEVENT only) */
    mpl_span threat;   /* "HackTool:Win32/Mimikatz.D" */
    mpl_span resource; /* "file" */
    mpl_span target;   /* what the resource names: a path */
} mpl_entry;

typedef struct mpl_stats {
    uint64_t lines, entries, bad_lines;
} mpl_stats;

typedef int (*mpl_cb)(void *ctx, const mpl_entry *e);

/* Parse a whole log. 0 when every recognised line was complete, -1 with
 * err naming the first bad line (good entries still delivered), or the
 * callback's non-zero value. */
int mplog_parse(const uint8_t *data, size_t n, const char *name, mpl_cb cb, void *ctx, mpl_stats *st, gl_err *err);

const char *mpl_kind_name(mpl_kind k);
const char *mpl_list_name(mpl_excl_list l);

#endif

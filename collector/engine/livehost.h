/* What a live collection does on the host itself besides reading files:
 * the process's priority, preserving what the running system holds open
 * (registry hives, event logs) into the bundle, and the host's facts for
 * run.json. One implementation per platform (livehost_win32.c,
 * livehost_posix.c). */
#ifndef GL_LIVEHOST_H
#define GL_LIVEHOST_H
#include "err.h"
#include "json.h"
#include "source.h"

typedef struct gl_livehost gl_livehost;

/* "background" (the default: lowest CPU and I/O priority, so the host's
 * own work goes first) or "normal". Applied to this process at once; -1
 * with err for another word. What was applied goes to run.json. */
int gl_livehost_priority(const char *mode, gl_err *err);

/* Before the modules run on a live source: copy into the bundle, through
 * acq, what the running system keeps open, each the best way it can be
 * had (Windows: the hives SYSTEM, SOFTWARE, SAM, SECURITY, DEFAULT,
 * Amcache.hve and each loaded user's NTUSER.DAT and UsrClass.dat, and
 * every event log), with temporary files under outdir that are deleted
 * again. Never fails: what could not be had is recorded with the reason. */
gl_livehost *gl_livehost_preserve(gl_source *src, gl_acquirer *acq, const char *outdir);
/* run.json's "live_host" member (key and object): the host's facts
 * (domain, OS build, time zone, boot time), the privileges held, the
 * priority, and how each hive and event log was obtained. lh may be NULL
 * (facts only). */
void gl_livehost_json(const gl_livehost *lh, gl_json *j);
void gl_livehost_free(gl_livehost *lh);
/* The bundle member holding the copy of the hive at evidence path
 * hive_path (compared ignoring case), or NULL; ctx is the gl_livehost.
 * Shaped for gl_regview_options.preserved. */
const char *gl_livehost_hive_member(void *ctx, const char *hive_path);

/* ---- for the platform files ------------------------------------------------ */

/* How one thing was obtained: method "file" (read as a file, shared, with
 * backup semantics), "RegSaveKeyEx", "EvtExportLog" or "none" (then
 * detail says why); member is its bundle member or NULL. */
void gl_livehost_add(gl_livehost *lh, const char *what, const char *name, const char *path, const char *method,
                     const char *member, const char *detail);
gl_livehost *gl_livehost_new(void);
/* The platform's facts and priority, as members of the open object. */
void gl_livehost_facts_json(gl_json *j);

#endif

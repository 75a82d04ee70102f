/* The tasks module's shared state: one entry per task path, filled from
 * every source (XML files, TaskCache, .JOB files, events), then judged. */
#ifndef GL_TASKS_INT_H
#define GL_TASKS_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "module.h"
#include "rmmcatalog.h"
#include "sha256.h"
#include "wordlist.h"

#define TASKS_MAX_ENTRIES 200000 /* tasks kept for correlation */
#define TASKS_MAX_OBS 32         /* action observations kept per task */
#define TASKS_MAX_EVENTS 64      /* lifecycle events kept per task */

/* Embedded detection data (modules/tasks/data/). */
typedef struct tasks_data {
    gl_wordlist script_hosts, archivers, user_writable, credential_theft, download_cradles, powershell,
        admin_shares, defence_tasks, script_extensions;
    rmmcat *rmm; /* the rmm module's built-in catalog, when it is in this build */
} tasks_data;

/* One action as one source shows it. */
typedef struct task_obs {
    const char *source; /* "xml", "taskcache", "event 4698", ".job" */
    char *command, *arguments;
    char *artifact, *locator;
    uint64_t time; /* FILETIME of the source, 0 unknown */
} task_obs;

typedef enum task_ev_kind { EV_CREATED, EV_CHANGED, EV_DELETED, EV_ENABLED, EV_DISABLED, EV_RAN } task_ev_kind;

typedef struct task_ev {
    task_ev_kind kind;
    uint64_t time;
    uint16_t event_id;
    char *by, *artifact, *locator;
} task_ev;

typedef struct task_entry {
    char *path; /* "\Folder\Name" as the first source spelt it */
    /* XML file, or a legacy .JOB file */
    bool has_xml, has_job, xml_hidden;
    char *xml_artifact, *xml_locator;
    char xml_sha256[GL_SHA256_HEX]; /* of the file without its BOM, "" when none */
    char *run_as; /* UserId or GroupId of the principal that runs the actions */
    bool run_highest;
    /* Hidden in a definition carried by an event (4698/4702) */
    bool event_hidden;
    char *event_hidden_artifact, *event_hidden_locator;
    /* TaskCache Tree */
    bool has_tree, tree_deleted, has_sd, has_index;
    uint32_t index;
    uint64_t tree_last_write;
    char *tree_id, *tree_artifact, *tree_locator;
    /* TaskCache Tasks\{GUID} */
    bool has_tasks, cache_hidden;
    char *tasks_guid, *tasks_artifact, *tasks_locator;
    uint64_t cache_created;
    char cache_hash[GL_SHA256_HEX]; /* Tasks\{GUID}\Hash as hex, "" when none or CRC32 */
    /* actions, per source */
    task_obs *obs; /* grown on demand: most tasks have one or two */
    size_t n_obs, cap_obs;
    /* lifecycle from the event logs */
    task_ev *evs;
    size_t n_evs, cap_evs;
} task_entry;

typedef struct tasks_ctx {
    gl_run *run;
    tasks_data *data;
    task_entry *e;
    size_t n, cap;
    uint32_t *slot; /* open-addressing index of e by folded path: entry + 1, 0 free */
    size_t slots;
    bool full_reported;
    bool xml_read;   /* the Tasks folder was there to read */
    bool cache_read; /* the TaskCache key was there to read */
    /* Newest time inside the evidence (events, registry); file times are
     * left out: copying and extraction change them. FILETIME. */
    uint64_t newest;
} tasks_ctx;

/* tasks.c */
task_entry *tasks_entry(tasks_ctx *c, const char *path);
/* Room for one more element in a per-task array (doubling); false when it
 * holds max already. */
bool tasks_room(void **v, size_t n, size_t *cap, size_t max, size_t size);
void tasks_saw_time(tasks_ctx *c, uint64_t filetime);
void tasks_add_obs(task_entry *e, const char *source, const char *command, const char *arguments,
                   const char *artifact, const char *locator, uint64_t time);
bool tasks_is_microsoft(const char *path);
/* tasks_sources.c */
void tasks_read_xml_files(tasks_ctx *c);
void tasks_read_taskcache(tasks_ctx *c);
void tasks_read_jobs(tasks_ctx *c);
/* tasks_events.c */
void tasks_read_events(tasks_ctx *c);
/* tasks_judge.c */
void tasks_judge(tasks_ctx *c);

#endif

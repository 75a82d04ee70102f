/* tasks: scheduled tasks, including hidden ones (artifacts.md §6).
 *
 * Sources: the task XML files under Windows\System32\Tasks (and
 * SysWOW64\Tasks), the TaskCache in SOFTWARE (Tree: Id, Index, SD; Tasks
 * \{GUID}: Path, Actions, DynamicInfo, Triggers), legacy Windows\Tasks\*.job
 * files, Security 4698-4702 (their TaskContent parsed like the files) and
 * TaskScheduler Operational 106/140/141/142/129/100/200/201.
 *
 * Records (records/tasks.jsonl), one per fact, with "source":
 *   "xml"             path, file, artifact, [error], task{...gl_task_json}
 *   "taskcache.tree"  path, key, id, deleted, [index], [sd{owner, group, dacl}]
 *   "taskcache.tasks" path, guid, key, deleted, [hash], [dynamic_info{...}],
 *                     [actions{...}], [triggers{...}] (gl_tc_*_json)
 *   "job"             file, artifact, [error], job{...gl_job_json}
 *   "event"           channel, event_id, record, time, path, by, artifact,
 *                     locator, [ActionName, Path, ProcessID, ResultCode,
 *                     TaskInstanceId], [task{...}] when it carries the definition
 *
 * Findings: hidden tasks (Tree without SD, Index 0, registry without XML,
 * XML without registry, Tasks without Tree, actions that disagree between
 * the XML and the registry, the Hidden flag), suspicious actions (script
 * hosts, user-writable folders, encoded or hidden PowerShell, download
 * cradles, credential theft, admin shares, RMM tools, archivers; high when
 * the task runs as SYSTEM from a user-writable folder), tasks created and
 * deleted within minutes, defence tasks deleted or disabled, deleted tasks,
 * and tasks created or changed shortly before the newest evidence.
 * Microsoft's own tasks (\Microsoft\...) are judged only on what cannot be
 * routine for them: a changed action, a user-writable folder, credential
 * theft, downloads, encoded PowerShell. */
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "fold.h"
#include "tasks_int.h"

static const gl_setting_decl tasks_settings[] = {
    {"recent", GL_SETTING_DURATION, "30d",
     "tasks created or changed this long before the newest evidence time are reported"},
    {"create_delete_window", GL_SETTING_DURATION, "10m",
     "a task deleted this soon after it was created looks like remote execution"},
    {0},
};

static const gl_rule_decl tasks_rules[] = {
    {"tasks.hidden_sd_removed", GL_SEV_HIGH, "T1053.005 T1564 T1562 T1685",
     "Scheduled task hidden by deleting its security descriptor (Tarrask)"},
    {"tasks.hidden_index_zero", GL_SEV_HIGH, "T1053.005 T1564 T1562 T1685", "Scheduled task hidden by Index 0"},
    {"tasks.registry_only", GL_SEV_HIGH, "T1053.005 T1564",
     "Scheduled task in the registry without its XML file"},
    {"tasks.xml_only", GL_SEV_MEDIUM, "T1053.005 T1564", "Scheduled task XML file without a registry entry"},
    {"tasks.cache_mismatch", GL_SEV_MEDIUM, "T1053.005 T1564", "TaskCache Tree and Tasks entries do not match"},
    {"tasks.actions_differ", GL_SEV_HIGH, "T1053.005", "Scheduled task action differs between its sources"},
    {"tasks.xml_hash_mismatch", GL_SEV_LOW, "T1053.005", "Scheduled task XML file differs from its registered hash"},
    {"tasks.hidden_flag", GL_SEV_MEDIUM, "T1053.005 T1564", "Scheduled task marked hidden"},
    {"tasks.suspicious_action", GL_SEV_MEDIUM, "T1053.005", "Scheduled task runs a suspicious command"},
    {"tasks.created_and_deleted", GL_SEV_MEDIUM, "T1053.005 T1070", "Scheduled task created and deleted within minutes"},
    {"tasks.defence_task_removed", GL_SEV_HIGH, "T1562.001 T1685", "Security task deleted or disabled"},
    {"tasks.deleted", GL_SEV_LOW, "T1053.005 T1070", "Scheduled task deleted"},
    {"tasks.recent", GL_SEV_LOW, "T1053.005", "Scheduled task created or changed recently"},
    {0},
};

static const gl_event_sub tasks_events[] = {
    {"Security", {4698, 4699, 4700, 4701, 4702}, 5},
    {"Microsoft-Windows-TaskScheduler/Operational", {106, 140, 141, 142, 129, 100, 200, 201}, 8},
    {0},
};

/* ---- entries ------------------------------------------------------------ */

static bool same_path(const char *a, const char *b)
{
    return gl_name_casecmp(a, strlen(a), b, strlen(b)) == 0;
}

/* Case-folded hash of a task path (NTFS folding, as lookups compare). */
static uint64_t path_hash(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    size_t n = strlen(path);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = gl_utf8_decode(path + i, n - i, &cp);
        i += len ? len : 1;
        h = (h ^ gl_fold_cp(cp)) * 1099511628211ull;
    }
    return h;
}

static void index_put(tasks_ctx *c, size_t i)
{
    size_t mask = c->slots - 1, s = path_hash(c->e[i].path) & mask;
    while (c->slot[s])
        s = (s + 1) & mask;
    c->slot[s] = (uint32_t)i + 1;
}

static void index_grow(tasks_ctx *c)
{
    free(c->slot);
    c->slots = c->slots ? c->slots * 2 : 256;
    c->slot = gl_xcalloc(c->slots, sizeof *c->slot);
    for (size_t i = 0; i < c->n; i++)
        index_put(c, i);
}

/* The entry of a task path, created on first sight. */
task_entry *tasks_entry(tasks_ctx *c, const char *path)
{
    if (c->slots) {
        size_t mask = c->slots - 1;
        for (size_t s = path_hash(path) & mask; c->slot[s]; s = (s + 1) & mask)
            if (same_path(c->e[c->slot[s] - 1].path, path))
                return &c->e[c->slot[s] - 1];
    }
    if (c->n == TASKS_MAX_ENTRIES) {
        if (!c->full_reported)
            gl_run_error(c->run, "more than %d distinct task paths: the rest are not correlated", TASKS_MAX_ENTRIES);
        c->full_reported = true;
        return NULL;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->e = gl_xrealloc(c->e, c->cap * sizeof *c->e);
    }
    task_entry *e = &c->e[c->n++];
    memset(e, 0, sizeof *e);
    e->path = gl_xstrdup(path);
    if (2 * c->n > c->slots) /* load at most one half */
        index_grow(c);
    else
        index_put(c, c->n - 1);
    return e;
}

void tasks_saw_time(tasks_ctx *c, uint64_t filetime)
{
    if (filetime > c->newest)
        c->newest = filetime;
}

static char *dup_or_null(const char *s) { return s ? gl_xstrdup(s) : NULL; }

bool tasks_room(void **v, size_t n, size_t *cap, size_t max, size_t size)
{
    if (n < *cap)
        return true;
    if (n >= max)
        return false;
    *cap = *cap ? *cap * 2 : 2;
    if (*cap > max)
        *cap = max;
    *v = gl_xrealloc(*v, *cap * size);
    return true;
}

void tasks_add_obs(task_entry *e, const char *source, const char *command, const char *arguments,
                   const char *artifact, const char *locator, uint64_t time)
{
    if (!e || !command || !tasks_room((void **)&e->obs, e->n_obs, &e->cap_obs, TASKS_MAX_OBS, sizeof *e->obs))
        return;
    task_obs *o = &e->obs[e->n_obs++];
    o->source = source;
    o->command = gl_xstrdup(command);
    o->arguments = dup_or_null(arguments);
    o->artifact = dup_or_null(artifact);
    o->locator = dup_or_null(locator);
    o->time = time;
}

bool tasks_is_microsoft(const char *path)
{
    static const char prefix[] = "\\Microsoft\\";
    size_t n = sizeof prefix - 1;
    return strlen(path) >= n && gl_name_casecmp(path, n, prefix, n) == 0;
}

static void free_entry(task_entry *e)
{
    char *strings[] = {e->path,          e->xml_artifact,   e->xml_locator,          e->run_as,
                       e->tree_id,       e->tree_artifact,  e->tree_locator,         e->tasks_guid,
                       e->tasks_artifact, e->tasks_locator, e->event_hidden_artifact, e->event_hidden_locator};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(strings[i]);
    for (size_t i = 0; i < e->n_obs; i++) {
        free(e->obs[i].command);
        free(e->obs[i].arguments);
        free(e->obs[i].artifact);
        free(e->obs[i].locator);
    }
    for (size_t i = 0; i < e->n_evs; i++) {
        free(e->evs[i].by);
        free(e->evs[i].artifact);
        free(e->evs[i].locator);
    }
    free(e->obs);
    free(e->evs);
}

/* ---- module ---------------------------------------------------------------- */

static int tasks_run(gl_run *run, gl_err *err)
{
    (void)err;
    tasks_ctx c = {.run = run, .data = gl_run_state(run)};
    tasks_read_xml_files(&c);
    tasks_read_jobs(&c);
    tasks_read_taskcache(&c);
    tasks_read_events(&c);
    tasks_judge(&c);
    for (size_t i = 0; i < c.n; i++)
        free_entry(&c.e[i]);
    free(c.e);
    free(c.slot);
    return 0;
}

static int load_lists(tasks_data *d, gl_err *err)
{
    struct {
        gl_wordlist *wl;
        const char *name;
    } lists[] = {
        {&d->script_hosts, "tasks/script-hosts.txt"},         {&d->archivers, "tasks/archivers.txt"},
        {&d->user_writable, "tasks/user-writable.txt"},       {&d->credential_theft, "tasks/credential-theft.txt"},
        {&d->download_cradles, "tasks/download-cradles.txt"}, {&d->powershell, "tasks/powershell.txt"},
        {&d->admin_shares, "tasks/admin-shares.txt"},         {&d->defence_tasks, "tasks/defence-tasks.txt"},
        {&d->script_extensions, "tasks/script-extensions.txt"},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (gl_wordlist_embedded(lists[i].wl, lists[i].name, err) < 0)
            return -1;
    return 0;
}

static int tasks_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    tasks_data *d = gl_xcalloc(1, sizeof *d);
    *state = d;
    if (load_lists(d, err) < 0)
        return -1;
    /* The rmm module's catalog names the tools an action may launch. */
    size_t n;
    const char *text = gl_embedded_data("rmm/catalog.txt", &n);
    if (text) {
        d->rmm = rmmcat_new();
        if (rmmcat_load_text(d->rmm, text, n, "rmm/catalog.txt", err) < 0)
            return -1;
    }
    return 0;
}

static void tasks_fini(void *state)
{
    tasks_data *d = state;
    if (!d)
        return;
    gl_wordlist *lists[] = {&d->script_hosts,     &d->archivers,  &d->user_writable, &d->credential_theft,
                            &d->download_cradles, &d->powershell, &d->admin_shares,  &d->defence_tasks,
                            &d->script_extensions};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        gl_wordlist_free(lists[i]);
    if (d->rmm)
        rmmcat_free(d->rmm);
    free(d);
}

const gl_module gl_module_tasks = {
    .name = "tasks",
    .description = "scheduled tasks: XML files, TaskCache, .job files and events; hidden tasks and suspicious actions",
    .needs = GL_NEEDS_FILES | GL_NEEDS_REGISTRY | GL_NEEDS_EVTX,
    .settings = tasks_settings,
    .rules = tasks_rules,
    .events = tasks_events,
    .init = tasks_init,
    .fini = tasks_fini,
    .run = tasks_run,
};

/* The tasks module's conclusions over the collected entries: hidden-task
 * checks (spec §6.2 list), suspicious actions (§6.2 check 6 and issue 10),
 * lifecycle (created and deleted within minutes, defence tasks removed,
 * deletions) and recency. Every finding says why its severity is what it
 * is and points to the sources it rests on. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "finding.h"
#include "fold.h"
#include "tasks_int.h"
#include "text.h"

#define FT_SECOND 10000000ull

/* ---- text helpers -------------------------------------------------------- */

static void lower_into(gl_buf *out, const char *s)
{
    for (; s && *s; s++)
        gl_buf_putc(out, (char)tolower((unsigned char)*s));
}

/* The file name of a command: quotes dropped, after the last \ or /. */
static void exe_name(const char *command, gl_buf *out)
{
    const char *s = command;
    while (*s == ' ' || *s == '"')
        s++;
    const char *end = s + strlen(s);
    const char *q = strchr(s, '"');
    if (q)
        end = q;
    const char *base = s;
    for (const char *p = s; p < end; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    while (end > base && end[-1] == ' ')
        end--;
    gl_buf_append(out, base, (size_t)(end - base));
}

/* First entry of wl found inside text (lower case), or NULL. */
static const char *contains_any(const gl_wordlist *wl, const char *text)
{
    for (size_t i = 0; i < wl->n; i++)
        if (strstr(text, wl->words[i]))
            return wl->words[i];
    return NULL;
}

/* ---- verdicts ---------------------------------------------------------------- */

typedef struct verdict {
    gl_severity sev;
    bool any;
    gl_buf reasons; /* "; "-separated */
} verdict;

static void reason(verdict *v, gl_severity s, const char *fmt, const char *arg)
{
    char text[512];
    snprintf(text, sizeof text, fmt, arg);
    if (v->reasons.len && strstr(v->reasons.data, text))
        return;
    if (v->reasons.len)
        gl_buf_puts(&v->reasons, "; ");
    gl_buf_puts(&v->reasons, text);
    if (!v->any || s > v->sev)
        v->sev = s;
    v->any = true;
}

static bool runs_as_system(const task_entry *e)
{
    if (!e->run_as)
        return false;
    return strcmp(e->run_as, "S-1-5-18") == 0 || gl_name_casecmp(e->run_as, strlen(e->run_as), "SYSTEM", 6) == 0 ||
           strstr(e->run_as, "\\SYSTEM") != NULL || strstr(e->run_as, "LocalSystem") != NULL;
}

/* PowerShell options of a command line: "encoded", "window" (+ hidden),
 * "noprofile", looked up in powershell.txt ("<meaning> <parameter>"). */
static void judge_powershell(const tasks_data *d, const char *exe, const char *args, verdict *v)
{
    gl_buf want = {0};
    gl_buf_printf(&want, "exe %s", exe);
    bool is_ps = gl_wordlist_has(&d->powershell, want.data);
    gl_buf_free(&want);
    if (!is_ps || !args)
        return;
    char *copy = gl_xstrdup(args), *save = NULL;
    bool window_next = false;
    for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (window_next && gl_name_casecmp(tok, strlen(tok), "hidden", 6) == 0)
            reason(v, GL_SEV_MEDIUM, "PowerShell with a hidden window%s", "");
        window_next = false;
        if (*tok != '-' && *tok != '/')
            continue;
        const char *name = tok + 1;
        size_t n = strlen(name);
        for (size_t i = 0; n && i < d->powershell.n; i++) {
            const char *w = d->powershell.words[i], *sp = strchr(w, ' ');
            if (!sp || strncmp(w, "exe ", 4) == 0 || strlen(sp + 1) < n || gl_name_casecmp(sp + 1, n, name, n))
                continue;
            if (strncmp(w, "encoded ", 8) == 0)
                reason(v, GL_SEV_HIGH, "PowerShell with an encoded command (%s)", tok);
            else if (strncmp(w, "window ", 7) == 0)
                window_next = true;
            else
                reason(v, GL_SEV_MEDIUM, "PowerShell without its profile (%s)", tok);
        }
    }
    free(copy);
}

static void judge_rmm(const tasks_data *d, const char *command, const char *exe, verdict *v)
{
    if (!d->rmm)
        return;
    rmmcat_hits hits = {0};
    if (rmmcat_match_exe(d->rmm, exe, strlen(exe), &hits) || rmmcat_match_path(d->rmm, command, strlen(command), &hits))
        reason(v, GL_SEV_MEDIUM, "launches the remote-management tool %s", rmmcat_tool_at(d->rmm, hits.h[0].tool)->name);
}

/* One action of a task. Microsoft's own tasks run script hosts routinely,
 * so for them only what they never need counts. */
static void judge_action(const tasks_data *d, const task_entry *e, const task_obs *o, verdict *v)
{
    bool microsoft = tasks_is_microsoft(e->path);
    gl_buf exe = {0}, low_exe = {0}, text = {0};
    exe_name(o->command, &exe);
    lower_into(&low_exe, exe.data ? exe.data : "");
    lower_into(&text, o->command);
    gl_buf_putc(&text, ' ');
    lower_into(&text, o->arguments);
    const char *hit;
    if (!microsoft && gl_wordlist_has(&d->script_hosts, low_exe.data ? low_exe.data : ""))
        reason(v, GL_SEV_MEDIUM, "runs %s, a shell or script host", exe.data);
    const char *dot = low_exe.data ? strrchr(low_exe.data, '.') : NULL;
    if (!microsoft && dot && gl_wordlist_has(&d->script_extensions, dot))
        reason(v, GL_SEV_MEDIUM, "runs the script %s directly", exe.data);
    if (!microsoft && gl_wordlist_has(&d->archivers, low_exe.data ? low_exe.data : ""))
        reason(v, GL_SEV_MEDIUM, "runs the archiver %s (data staging)", exe.data);
    if ((hit = contains_any(&d->user_writable, text.data))) {
        if (runs_as_system(e) || e->run_highest)
            reason(v, GL_SEV_HIGH, "runs with the highest privileges and uses a folder ordinary users can write (%s)",
                   hit);
        else
            reason(v, GL_SEV_MEDIUM, "runs or uses a file in a folder ordinary users can write (%s)", hit);
    }
    if ((hit = contains_any(&d->credential_theft, text.data)))
        reason(v, GL_SEV_HIGH, "credential theft or memory dumping in the command line (%s)", hit);
    if ((hit = contains_any(&d->download_cradles, text.data)))
        reason(v, GL_SEV_HIGH, "downloads from the network (%s)", hit);
    if ((hit = contains_any(&d->admin_shares, text.data)))
        reason(v, GL_SEV_MEDIUM, "uses an administrative share (%s), as remote-execution tools do", hit);
    judge_powershell(d, low_exe.data ? low_exe.data : "", o->arguments, v);
    judge_rmm(d, o->command, exe.data ? exe.data : "", v);
    gl_buf_free(&exe);
    gl_buf_free(&low_exe);
    gl_buf_free(&text);
}

static uint64_t entry_time(const task_entry *e)
{
    if (e->cache_created)
        return e->cache_created;
    for (size_t i = 0; i < e->n_evs; i++)
        if (e->evs[i].kind == EV_CREATED)
            return e->evs[i].time;
    return e->n_obs && e->obs[0].time ? e->obs[0].time : e->tree_last_write;
}

static void suspicious_actions(tasks_ctx *c, const task_entry *e)
{
    verdict v = {0};
    gl_fb fb;
    bool started = false;
    for (size_t i = 0; i < e->n_obs; i++) {
        size_t before = v.reasons.len;
        judge_action(c->data, e, &e->obs[i], &v);
        if (v.reasons.len == before)
            continue;
        if (!started) {
            gl_fb_start(&fb, c->run, "tasks.suspicious_action");
            gl_fb_subject(&fb, "%s", e->path);
            gl_json_key(gl_fb_details(&fb), "actions");
            gl_json_arr_begin(gl_fb_details(&fb));
            started = true;
        }
        gl_fb_evidence(&fb, e->obs[i].artifact ? e->obs[i].artifact : "", "%s", e->obs[i].locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_obj_begin(d);
        gl_json_kv_str(d, "source", e->obs[i].source);
        gl_json_kv_str(d, "command", e->obs[i].command);
        gl_json_kv_str(d, "arguments", e->obs[i].arguments);
        gl_json_obj_end(d);
    }
    if (started) {
        gl_json_arr_end(gl_fb_details(&fb));
        gl_json_kv_str(gl_fb_details(&fb), "path", e->path);
        gl_json_kv_str(gl_fb_details(&fb), "run_as", e->run_as);
        gl_fb_severity(&fb, v.sev, "%s%s", v.reasons.data,
                       v.sev >= GL_SEV_HIGH ? "" : "; administrators schedule such commands too: check who created it");
        gl_fb_title(&fb, "Scheduled task %s %s", e->path, v.reasons.data);
        gl_fb_time_filetime(&fb, entry_time(e));
        gl_fb_emit(&fb);
    }
    gl_buf_free(&v.reasons);
}

/* ---- hidden tasks ------------------------------------------------------------- */

static void hidden_finding(tasks_ctx *c, const task_entry *e, const char *rule, const char *why, const char *title,
                           const char *artifact, const char *locator)
{
    gl_fb fb;
    gl_fb_start(&fb, c->run, rule);
    gl_fb_severity(&fb, gl_module_rule(gl_run_current(c->run), rule)->severity, "%s", why);
    gl_fb_title(&fb, "%s: %s", title, e->path);
    gl_fb_subject(&fb, "%s", e->path);
    gl_fb_time_filetime(&fb, entry_time(e));
    gl_fb_evidence(&fb, artifact ? artifact : "", "%s", locator ? locator : "");
    if (e->has_xml && e->xml_locator && e->xml_locator != locator)
        gl_fb_evidence(&fb, e->xml_artifact ? e->xml_artifact : "", "%s", e->xml_locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "path", e->path);
    gl_json_kv_str(d, "id", e->tree_id);
    gl_json_kv_bool(d, "xml_file", e->has_xml);
    gl_json_kv_bool(d, "tree", e->has_tree);
    gl_json_kv_bool(d, "tasks", e->has_tasks);
    if (e->n_obs) {
        gl_json_kv_str(d, "command", e->obs[0].command);
        gl_json_kv_str(d, "arguments", e->obs[0].arguments);
    }
    gl_fb_emit(&fb);
}

static bool text_differs(const char *a, const char *b)
{
    /* A value one side lacks is not a disagreement (TaskCache entries
     * often hold only some values); "" counts as lacking. */
    if (!a || !b || !*a || !*b)
        return false;
    return gl_name_casecmp(a, strlen(a), b, strlen(b)) != 0;
}

static void actions_differ(tasks_ctx *c, const task_entry *e)
{
    const task_obs *x[TASKS_MAX_OBS], *r[TASKS_MAX_OBS];
    size_t nx = 0, nr = 0;
    for (size_t i = 0; i < e->n_obs; i++) {
        if (strcmp(e->obs[i].source, "xml") == 0)
            x[nx++] = &e->obs[i];
        else if (strcmp(e->obs[i].source, "taskcache") == 0)
            r[nr++] = &e->obs[i];
    }
    for (size_t i = 0; i < nx && i < nr; i++) {
        if (!text_differs(x[i]->command, r[i]->command) && !text_differs(x[i]->arguments, r[i]->arguments))
            continue;
        gl_fb fb;
        gl_fb_start(&fb, c->run, "tasks.actions_differ");
        gl_fb_severity(&fb, GL_SEV_HIGH,
                       "the scheduler runs what the registry says, so an action changed in one place only hides "
                       "what really runs%s",
                       tasks_is_microsoft(e->path) ? "; this is one of Microsoft's own tasks" : "");
        gl_fb_title(&fb, "Scheduled task %s: the XML runs %s, the registry runs %s", e->path, x[i]->command,
                    r[i]->command);
        gl_fb_subject(&fb, "%s", e->path);
        gl_fb_time_filetime(&fb, entry_time(e));
        gl_fb_evidence(&fb, x[i]->artifact ? x[i]->artifact : "", "%s", x[i]->locator);
        gl_fb_evidence(&fb, r[i]->artifact ? r[i]->artifact : "", "%s", r[i]->locator);
        gl_json *d = gl_fb_details(&fb);
        gl_json_kv_str(d, "path", e->path);
        gl_json_kv_str(d, "xml_command", x[i]->command);
        gl_json_kv_str(d, "xml_arguments", x[i]->arguments);
        gl_json_kv_str(d, "registry_command", r[i]->command);
        gl_json_kv_str(d, "registry_arguments", r[i]->arguments);
        gl_fb_emit(&fb);
        return;
    }
}

/* Tasks\{GUID} names, sorted, to find a Tree Id in log time. */
typedef struct guid_index {
    const char **v;
    size_t n;
} guid_index;

static int cmp_guid(const void *a, const void *b) { return strcasecmp(*(const char *const *)a, *(const char *const *)b); }

static void guid_index_build(const tasks_ctx *c, guid_index *g)
{
    g->v = gl_xcalloc(c->n ? c->n : 1, sizeof *g->v);
    g->n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].tasks_guid)
            g->v[g->n++] = c->e[i].tasks_guid;
    if (g->n)
        qsort(g->v, g->n, sizeof *g->v, cmp_guid);
}

static bool guid_in_tasks(const guid_index *g, const char *guid)
{
    return g->n && bsearch(&guid, g->v, g->n, sizeof *g->v, cmp_guid) != NULL;
}

/* Where the Hidden setting was read: the file, the registry, or the event. */
static const char *hidden_artifact(const task_entry *e)
{
    return e->xml_hidden ? e->xml_artifact : e->cache_hidden ? e->tasks_artifact : e->event_hidden_artifact;
}

static const char *hidden_locator(const task_entry *e)
{
    return e->xml_hidden ? e->xml_locator : e->cache_hidden ? e->tasks_locator : e->event_hidden_locator;
}

static void hidden_checks(tasks_ctx *c, const task_entry *e, const guid_index *guids)
{
    bool live_tree = e->has_tree && !e->tree_deleted;
    if (live_tree && !e->has_sd)
        hidden_finding(c, e, "tasks.hidden_sd_removed",
                       "a task without SD in its Tree key still runs but schtasks and the Task Scheduler console no "
                       "longer show it; Windows never writes one (Tarrask, Microsoft 2022-04-12)",
                       "Task hidden by removing its security descriptor", e->tree_artifact, e->tree_locator);
    if (live_tree && e->has_index && e->index == 0)
        hidden_finding(c, e, "tasks.hidden_index_zero",
                       "Index 0 in a task's Tree key hides it from enumeration; Windows sets a non-zero index",
                       "Task hidden by Index 0", e->tree_artifact, e->tree_locator);
    if ((live_tree || e->has_tasks) && !e->has_xml && !e->has_job && c->xml_read)
        hidden_finding(c, e, "tasks.registry_only",
                       "a task registered only in the registry writes no XML file and, made that way, no 4698 or 106 "
                       "event (GhostTask); the scheduler still runs it",
                       "Task in the registry without an XML file", e->has_tasks ? e->tasks_artifact : e->tree_artifact,
                       e->has_tasks ? e->tasks_locator : e->tree_locator);
    if (e->has_xml && !e->has_tree && !e->has_tasks && c->cache_read)
        hidden_finding(c, e, "tasks.xml_only",
                       "a task file the scheduler has no registry entry for was copied in or left behind when the "
                       "registry entry was removed; it does not run until registered",
                       "Task XML file without a registry entry", e->xml_artifact, e->xml_locator);
    if (e->has_tasks && !e->has_tree && c->cache_read)
        hidden_finding(c, e, "tasks.cache_mismatch",
                       "a Tasks entry without its Tree entry is not listed by the scheduler's tools; Windows removes "
                       "both together",
                       "TaskCache Tasks entry without a Tree entry", e->tasks_artifact, e->tasks_locator);
    if (live_tree && e->tree_id && !e->has_tasks && !guid_in_tasks(guids, e->tree_id))
        hidden_finding(c, e, "tasks.cache_mismatch",
                       "a Tree entry whose Id names no Tasks entry is half a task: removed by hand or by a tool",
                       "TaskCache Tree entry without its Tasks entry", e->tree_artifact, e->tree_locator);
    if (e->tree_deleted && !e->has_tasks && !tasks_is_microsoft(e->path))
        hidden_finding(c, e, "tasks.deleted",
                       "a task key recovered from the registry's free space was deleted; software removes its own "
                       "tasks too, so what it ran decides",
                       "Task deleted (recovered from the registry)", e->tree_artifact, e->tree_locator);
    if (e->has_xml && e->has_tasks && e->xml_sha256[0] && e->cache_hash[0] && strcmp(e->xml_sha256, e->cache_hash))
        hidden_finding(c, e, "tasks.xml_hash_mismatch",
                       "the XML file is not what was registered: edited on disk after registration (the scheduler "
                       "keeps running the registered definition). Heuristic: the hash rule (SHA-256 of the file "
                       "without its byte-order mark) comes from libyal and is not verified on every Windows build",
                       "Task XML file differs from its registered hash", e->xml_artifact, e->xml_locator);
    if ((e->xml_hidden || e->cache_hidden || e->event_hidden) && !tasks_is_microsoft(e->path))
        hidden_finding(c, e, "tasks.hidden_flag",
                       "the Hidden setting keeps a task out of the Task Scheduler console by default; Microsoft's own "
                       "tasks use it, other software rarely does",
                       "Task marked hidden", hidden_artifact(e), hidden_locator(e));
}

/* ---- lifecycle ----------------------------------------------------------------- */

static void event_finding(tasks_ctx *c, const task_entry *e, const char *rule, gl_severity sev, const char *why,
                          const char *title, const task_ev *a, const task_ev *b)
{
    gl_fb fb;
    gl_fb_start(&fb, c->run, rule);
    gl_fb_severity(&fb, sev, "%s", why);
    gl_fb_title(&fb, "%s: %s%s%s", title, e->path, b->by && *b->by ? " by " : "", b->by ? b->by : "");
    gl_fb_subject(&fb, "%s@%llu", e->path, (unsigned long long)b->time);
    gl_fb_time_filetime(&fb, b->time);
    if (a)
        gl_fb_evidence(&fb, a->artifact ? a->artifact : "", "%s", a->locator);
    gl_fb_evidence(&fb, b->artifact ? b->artifact : "", "%s", b->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "path", e->path);
    gl_json_kv_str(d, "by", b->by);
    gl_json_kv_uint(d, "event_id", b->event_id);
    if (a)
        gl_json_kv_uint(d, "seconds", (b->time - a->time) / FT_SECOND);
    if (e->n_obs) {
        gl_json_kv_str(d, "command", e->obs[0].command);
        gl_json_kv_str(d, "arguments", e->obs[0].arguments);
    }
    gl_fb_emit(&fb);
}

static bool is_defence_task(const tasks_data *d, const char *path)
{
    gl_buf low = {0};
    lower_into(&low, path);
    bool hit = false;
    for (size_t i = 0; i < d->defence_tasks.n && !hit; i++)
        hit = strncmp(low.data, d->defence_tasks.words[i], strlen(d->defence_tasks.words[i])) == 0;
    gl_buf_free(&low);
    return hit;
}

/* Security and TaskScheduler log the same deletion: one finding for both. */
static bool reported_before(const task_entry *e, size_t i, uint64_t window)
{
    for (size_t k = 0; k < i; k++) {
        uint64_t a = e->evs[k].time, b = e->evs[i].time;
        if (e->evs[k].kind == e->evs[i].kind && (a > b ? a - b : b - a) <= window)
            return true;
    }
    return false;
}

static void lifecycle(tasks_ctx *c, const task_entry *e, uint64_t window)
{
    bool microsoft = tasks_is_microsoft(e->path);
    for (size_t i = 0; i < e->n_evs; i++) {
        const task_ev *b = &e->evs[i];
        if ((b->kind != EV_DELETED && b->kind != EV_DISABLED) || reported_before(e, i, window))
            continue;
        if (is_defence_task(c->data, e->path)) {
            event_finding(c, e, "tasks.defence_task_removed", GL_SEV_HIGH,
                          "deleting or disabling a Defender, System Restore or backup task weakens the host's "
                          "defences; updates re-create these tasks, people rarely remove them",
                          b->kind == EV_DELETED ? "Security task deleted" : "Security task disabled", NULL, b);
            continue;
        }
        /* Windows Update re-creates and removes its own tasks all day. */
        if (b->kind != EV_DELETED || microsoft)
            continue;
        /* The creation logged by the same log (4698 for 4699, 106 for 141)
         * when there is one, else the latest before the deletion. */
        const task_ev *a = NULL;
        for (size_t k = 0; k < e->n_evs; k++) {
            const task_ev *x = &e->evs[k];
            if (x->kind != EV_CREATED || x->time > b->time || b->time - x->time > window)
                continue;
            bool same_log = (x->event_id >= 4698) == (b->event_id >= 4698);
            bool a_same_log = a && (a->event_id >= 4698) == (b->event_id >= 4698);
            if (!a || (same_log && !a_same_log) || (same_log == a_same_log && x->time > a->time))
                a = x;
        }
        if (a)
            event_finding(c, e, "tasks.created_and_deleted", GL_SEV_MEDIUM,
                          "remote-execution tools (Impacket atexec, CrackMapExec) create a task, run it once and "
                          "delete it within seconds; software installers rarely do",
                          "Task created and deleted within minutes", a, b);
        else
            event_finding(c, e, "tasks.deleted", GL_SEV_LOW,
                          "a deleted task leaves only its events; software removes its own tasks too", "Task deleted",
                          NULL, b);
    }
}

static void recent(tasks_ctx *c, const task_entry *e, uint64_t window)
{
    if (tasks_is_microsoft(e->path) || !c->newest)
        return;
    const task_ev *last = NULL;
    uint64_t deleted = 0;
    for (size_t i = 0; i < e->n_evs; i++) {
        if ((e->evs[i].kind == EV_CREATED || e->evs[i].kind == EV_CHANGED) && (!last || e->evs[i].time > last->time))
            last = &e->evs[i];
        if (e->evs[i].kind == EV_DELETED && e->evs[i].time > deleted)
            deleted = e->evs[i].time;
    }
    uint64_t t = last ? last->time : e->cache_created;
    /* A task deleted since is reported by its deletion, not as recent. */
    if (!t || t + window < c->newest || (deleted >= t && !e->has_xml && !e->has_tree))
        return;
    gl_fb fb;
    gl_fb_start(&fb, c->run, "tasks.recent");
    gl_fb_severity(&fb, GL_SEV_LOW,
                   "created or changed within the recent window before the newest evidence on this host; new "
                   "software adds tasks too");
    gl_fb_title(&fb, "Scheduled task %s created or changed recently", e->path);
    gl_fb_subject(&fb, "%s", e->path);
    gl_fb_time_filetime(&fb, t);
    if (last)
        gl_fb_evidence(&fb, last->artifact ? last->artifact : "", "%s", last->locator);
    else
        gl_fb_evidence(&fb, e->tasks_artifact ? e->tasks_artifact : "", "%s", e->tasks_locator);
    gl_json_kv_str(gl_fb_details(&fb), "path", e->path);
    gl_fb_emit(&fb);
}

void tasks_judge(tasks_ctx *c)
{
    uint64_t window = (uint64_t)gl_run_setting_seconds(c->run, "create_delete_window", 600) * FT_SECOND;
    uint64_t recent_window = (uint64_t)gl_run_setting_seconds(c->run, "recent", 30 * 86400) * FT_SECOND;
    guid_index guids;
    guid_index_build(c, &guids);
    for (size_t i = 0; i < c->n; i++) {
        const task_entry *e = &c->e[i];
        hidden_checks(c, e, &guids);
        actions_differ(c, e);
        suspicious_actions(c, e);
        lifecycle(c, e, window);
        recent(c, e, recent_window);
    }
    free(guids.v);
}

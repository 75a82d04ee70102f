/* rmm: files. The folders tools install into and write to, and those a
 * portable copy is dropped in, are walked once; each file is matched
 * against the catalog by hash lookups (collector/formats/rmmcatalog), so
 * a tree of 200 000 files costs about as much as its listing. Logs the
 * catalog names are opened (so acquired) and parsed. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "bam.h"
#include "hosttz.h"
#include "rmm_int.h"
#include "source.h"
#include "text.h"
#include "timeline.h"
#include "winpath.h"

/* Where RMM tools and their copies live (drive-relative; "**" any depth). */
static const char *const roots[] = {
    "\\Program Files\\**\\*",
    "\\Program Files (x86)\\**\\*",
    "\\ProgramData\\**\\*",
    "\\Users\\**\\*",
    "\\Windows\\Temp\\**\\*",
    "\\Windows\\ServiceProfiles\\**\\*",
    "\\Windows\\SysWOW64\\config\\systemprofile\\**\\*",
    "\\Windows\\System32\\config\\systemprofile\\**\\*",
    "\\PerfLogs\\**\\*",
    "\\ManageEngine\\**\\*",
    "\\*",
};

typedef struct walk {
    rmm_ctx *c;
    uint64_t acquire_max, max_log;
} walk;

static uint64_t ts_filetime(gl_timespec t)
{
    if (t.sec == 0 && t.nsec == 0)
        return 0;
    return (uint64_t)(t.sec + 11644473600LL) * 10000000u + (uint64_t)t.nsec / 100;
}

/* When a file appeared: its birth time, else its modification time. */
static uint64_t file_time(const gl_file_info *info)
{
    uint64_t b = ts_filetime(info->btime);
    return b ? b : ts_filetime(info->mtime);
}

/* Windows ships some tools LOLRMM lists (mstsc.exe, quickassist.exe): a
 * name match inside the system folders is the operating system's own. */
static bool os_component(const char *path)
{
    static const char *const sys[] = {"\\Windows\\System32\\", "\\Windows\\SysWOW64\\", "\\Windows\\WinSxS\\",
                                      "\\Windows\\servicing\\", "\\Windows\\SystemApps\\"};
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
        if (strcasestr(path, sys[i]))
            return true;
    return false;
}

static const char *role_name(const rmmcat_hit *h)
{
    if (h->by == RMMCAT_BY_EXE || h->by == RMMCAT_BY_NAMEGLOB)
        return "copy";
    return h->role == RMMCAT_ROLE_LOG ? "log" : h->role == RMMCAT_ROLE_FILE ? "file" : "install";
}

static void file_record(rmm_ctx *c, uint32_t t, const gl_file_info *info, const rmmcat_hit *h, const char *artifact)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "source", "file");
    gl_json_kv_str(&j, "tool", rmm_tool_name(c, t));
    gl_json_kv_str(&j, "path", info->path);
    gl_json_kv_str(&j, "role", role_name(h));
    gl_json_kv_uint(&j, "size", info->size);
    char iso[GL_TIME_STRLEN];
    if (gl_filetime_iso(ts_filetime(info->mtime), 0, iso))
        gl_json_kv_str(&j, "mtime", iso);
    if (gl_filetime_iso(ts_filetime(info->btime), 0, iso))
        gl_json_kv_str(&j, "btime", iso);
    gl_json_kv_str(&j, "entry", h->what);
    if (artifact)
        gl_json_kv_str(&j, "artifact", artifact);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

typedef struct log_ctx {
    rmm_ctx *c;
    uint32_t tool;
    const char *path, *artifact;
} log_ctx;

static int on_log_record(const rmmlog_rec *r, void *ctx)
{
    log_ctx *l = ctx;
    rmm_log_record(l->c, l->tool, r, l->path, l->artifact);
    return 0;
}

static void parse_log(rmm_ctx *c, uint32_t t, const gl_file_info *info, const char *kind_name)
{
    rmmlog_kind kind;
    if (!rmmlog_kind_from_name(kind_name, &kind))
        kind = RMMLOG_GENERIC;
    gl_err err = {0};
    gl_file *f = gl_source_open_file(gl_run_source(c->run), info->path, &err);
    if (!f) {
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
        return;
    }
    const char *artifact = gl_file_artifact(f);
    gl_reader r = gl_file_reader(f);
    log_ctx l = {c, t, info->path, artifact};
    rmmlog_stats st;
    if (rmmlog_parse(kind, &r, on_log_record, &l, &st, &err) < 0)
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
    if (st.long_lines)
        gl_run_log(c->run, "%s: %llu lines longer than %d bytes were cut", info->path,
                   (unsigned long long)st.long_lines, RMMLOG_LINE_MAX);
    uint64_t when = ts_filetime(info->mtime);
    rmm_saw(c, t, RMM_SEEN_LOG, when, artifact, "%s (%s, %llu lines)", info->path, rmmlog_kind_name(kind),
            (unsigned long long)st.lines);
    gl_file_close(f);
}

/* Acquire a tool binary found where it should not be (when not too large),
 * so it can be hashed, its signer checked, and a re-analysis of the bundle
 * finds it again. Returns its bundle member or NULL. */
static const char *acquire_binary(walk *w, const gl_file_info *info, gl_file **f)
{
    *f = NULL;
    if (info->size > w->acquire_max)
        return NULL;
    gl_err err = {0};
    *f = gl_source_open_file(gl_run_source(w->c->run), info->path, &err);
    if (!*f) {
        gl_run_error(w->c->run, "%s: %s", info->path, err.msg);
        return NULL;
    }
    return gl_file_artifact(*f);
}

/* A binary found by its name outside the tool's folders: acquired (when
 * not too large) so it can be hashed and its signer checked. */
static void portable_copy(walk *w, uint32_t t, const gl_file_info *info, const rmmcat_hit *h)
{
    rmm_ctx *c = w->c;
    gl_file *f;
    const char *artifact = acquire_binary(w, info, &f);
    file_record(c, t, info, h, artifact);
    uint64_t when = file_time(info);
    gl_path_class cls = gl_winpath_class(info->path);
    rmm_saw(c, t, RMM_SEEN_PORTABLE, when, artifact, "%s", info->path);
    rmm_saw_file_time(c, t, when, info->path);
    char item[1100];
    snprintf(item, sizeof item, "%s (%s, named like %s)", info->path, gl_path_class_name(cls), h->what);
    rmm_note(c, t, RMM_AGG_PORTABLE, when, item, artifact, "%s", info->path);
    if (cls == GL_PATH_USER_WRITABLE)
        c->seen[t].agg[RMM_AGG_PORTABLE].user_writable = true;
    if (f)
        gl_file_close(f);
}

/* An executable in the tool's own folder under a profile or ProgramData:
 * acquired, and kept until we know whether the tool was installed. */
static void user_binary(walk *w, uint32_t t, const gl_file_info *info)
{
    rmm_ctx *c = w->c;
    size_t n = strlen(info->path);
    if (n < 5 || strcasecmp(info->path + n - 4, ".exe") != 0 || gl_winpath_class(info->path) != GL_PATH_USER_WRITABLE)
        return;
    rmm_seen *s = &c->seen[t];
    if (s->n_user_binaries >= RMM_MAX_ITEMS)
        return;
    gl_file *f;
    const char *artifact = acquire_binary(w, info, &f);
    /* "<FILETIME> <path>\0<artifact or empty>\0" */
    uint64_t when = file_time(info);
    gl_buf_printf(&s->user_binaries, "%llu ", (unsigned long long)when);
    gl_buf_append(&s->user_binaries, info->path, n + 1);
    gl_buf_append(&s->user_binaries, artifact ? artifact : "", (artifact ? strlen(artifact) : 0) + 1);
    s->n_user_binaries++;
    if (f)
        gl_file_close(f);
}

void rmm_portable_from_user_binaries(rmm_ctx *c, uint32_t t)
{
    rmm_seen *s = &c->seen[t];
    if (!s->n_user_binaries || (s->kinds & (RMM_SEEN_SERVICE | RMM_SEEN_UNINSTALL)))
        return;
    const char *p = s->user_binaries.data;
    for (size_t i = 0; i < s->n_user_binaries; i++) {
        char *path;
        uint64_t when = strtoull(p, &path, 10);
        path++;
        const char *artifact = path + strlen(path) + 1;
        char item[1100];
        snprintf(item, sizeof item, "%s (user_writable, no service or Uninstall entry)", path);
        rmm_note(c, t, RMM_AGG_PORTABLE, when, item, *artifact ? artifact : NULL, "%s", path);
        p = artifact + strlen(artifact) + 1;
    }
    s->agg[RMM_AGG_PORTABLE].user_writable = true;
    s->kinds |= RMM_SEEN_PORTABLE;
}

static int on_file(void *ctx, const gl_file_info *info)
{
    walk *w = ctx;
    rmm_ctx *c = w->c;
    if (info->is_dir || info->is_link)
        return 0;
    rmmcat_hits hits;
    if (!rmmcat_match_path(c->st->cat, info->path, strlen(info->path), &hits))
        return 0;
    for (size_t i = 0; i < hits.n; i++) {
        const rmmcat_hit *h = &hits.h[i];
        uint32_t t = h->tool;
        bool by_name = h->by == RMMCAT_BY_EXE || h->by == RMMCAT_BY_NAMEGLOB;
        if (by_name && (os_component(info->path) || rmm_os_binary(c, info->path)))
            continue;
        if (h->role == RMMCAT_ROLE_LOG && !by_name) {
            file_record(c, t, info, h, NULL);
            if (info->size <= w->max_log)
                parse_log(c, t, info, h->log_kind);
            else {
                gl_run_log(c->run, "%s: %llu bytes, over rmm.max_log_size: not read", info->path,
                           (unsigned long long)info->size);
                rmm_saw(c, t, RMM_SEEN_FILE, ts_filetime(info->mtime), NULL, "%s (not read: over rmm.max_log_size)",
                        info->path);
            }
        } else if (by_name) {
            portable_copy(w, t, info, h);
        } else {
            file_record(c, t, info, h, NULL);
            rmm_saw(c, t, RMM_SEEN_FILE, ts_filetime(info->mtime), NULL, "%s", info->path);
            rmm_saw_file_time(c, t, file_time(info), info->path);
            user_binary(w, t, info);
        }
    }
    return 0;
}

int rmm_files(rmm_ctx *c)
{
    walk w = {c, gl_run_setting_size(c->run, "acquire_max", 64u << 20),
              gl_run_setting_size(c->run, "max_log_size", 512u << 20)};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        gl_err err = {0};
        if (gl_source_glob(gl_run_source(c->run), roots[i], on_file, &w, &err) < 0 && err.code != GL_ERR_ABSENT)
            gl_run_error(c->run, "%s: %s", roots[i], err.msg);
    }
    return 0;
}

/* ---- log records ------------------------------------------------------- */

static const char *dir_name(rmmlog_dir d)
{
    return d == RMMLOG_DIR_INCOMING ? "incoming" : d == RMMLOG_DIR_OUTGOING ? "outgoing" : "unknown";
}

static const char *tz_name(rmmlog_tz z)
{
    return z == RMMLOG_TZ_UTC ? "utc" : z == RMMLOG_TZ_LOCAL ? "local" : "unknown";
}

/* Line 0: the record came from an event, found by its locator. */
/* A record's time on the UTC timeline: local times (TeamViewer, Zoho
 * Assist) through the host's time zone when it is known; times without a
 * zone are taken as UTC (artifacts.md 1.2). zone says which was done. */
typedef struct rec_time {
    uint64_t when;
    bool converted;
    char utc[GL_TIME_STRLEN];
    char zone[200];
} rec_time;

static void resolve_time(rmm_ctx *c, const rmmlog_rec *r, rec_time *t)
{
    memset(t, 0, sizeof *t);
    t->when = rmm_iso_filetime(r->time);
    snprintf(t->zone, sizeof t->zone, "%s", tz_name(r->tz));
    if (r->tz != RMMLOG_TZ_LOCAL || !t->when)
        return;
    const gl_host_tz *tz = gl_host_tz_get(c->run);
    uint64_t utc;
    int32_t bias;
    if (!gl_host_tz_to_utc(tz, t->when, &utc, &bias)) {
        snprintf(t->zone, sizeof t->zone, "local (host time zone unknown: taken as UTC)");
        return;
    }
    t->when = utc;
    t->converted = true;
    gl_filetime_iso(utc, 7, t->utc);
    int off = -bias; /* UTC offset = -bias */
    snprintf(t->zone, sizeof t->zone, "local, converted with %s (UTC%c%02d:%02d)", tz->name[0] ? tz->name : "the host's zone",
             off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
}

static void log_json(gl_json *j, const char *tool, const rmmlog_rec *r, const rec_time *t, const char *path,
                     const char *artifact, const char *loc)
{
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "source", r->line ? "log" : "event");
    gl_json_kv_str(j, "tool", tool);
    gl_json_kv_str(j, "path", path);
    if (artifact)
        gl_json_kv_str(j, "artifact", artifact);
    if (r->line)
        gl_json_kv_uint(j, "line", r->line);
    else
        gl_json_kv_str(j, "locator", loc);
    gl_json_kv_str(j, "event", rmmlog_event_name(r->event));
    gl_json_kv_str(j, "time", r->time);
    if (r->time_end[0])
        gl_json_kv_str(j, "time_end", r->time_end);
    gl_json_kv_str(j, "tz", tz_name(r->tz));
    if (t->converted) {
        gl_json_kv_str(j, "time_utc", t->utc);
        gl_json_kv_str(j, "time_zone", t->zone);
    }
    gl_json_kv_str(j, "direction", dir_name(r->dir));
    gl_json_key(j, "ids");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < r->nid; i++)
        gl_json_str(j, r->ids[i]);
    gl_json_arr_end(j);
    gl_json_key(j, "addresses");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < r->naddr; i++) {
        gl_json_obj_begin(j);
        gl_json_kv_str(j, "text", r->addr[i].text);
        gl_json_kv_str(j, "ip", r->addr[i].ip);
        gl_json_kv_uint(j, "port", r->addr[i].port);
        gl_json_obj_end(j);
    }
    gl_json_arr_end(j);
    gl_json_key(j, "files");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < r->nfile; i++)
        gl_json_str(j, r->files[i]);
    gl_json_arr_end(j);
    gl_json_kv_str(j, "user", r->user);
    gl_json_kv_str(j, "remote_name", r->remote_name);
    gl_json_kv_str(j, "auth", r->auth);
    gl_json_kv_str(j, "detail", r->detail);
    gl_json_kv_str(j, "key", r->key);
    gl_json_kv_str(j, "value", r->value);
    gl_json_kv_bool(j, "unattended", r->unattended);
    gl_json_obj_end(j);
}

/* Not private, loopback, link-local, shared (CGNAT) or unique-local. */
static bool public_ip(const char *ip)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, ip, b) == 1)
        return !(b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
                 (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xC0) == 64) ||
                 b[0] >= 224);
    if (inet_pton(AF_INET6, ip, b) != 1)
        return false;
    static const unsigned char loop[16] = {[15] = 1};
    return memcmp(b, loop, 16) != 0 && !(b[0] == 0xFE && (b[1] & 0xC0) == 0x80) && (b[0] & 0xFE) != 0xFC &&
           b[0] != 0xFF;
}

/* "442226597 from 12.xx.xx.21:59562", "Cloud Account Administrator" */
static void describe_remote(const rmmlog_rec *r, char *out, size_t cap)
{
    const char *id = r->nid ? r->ids[0] : "";
    const char *addr = r->naddr ? r->addr[0].text : "";
    snprintf(out, cap, "%s%s%s%s%s", id, id[0] && addr[0] ? " from " : (addr[0] ? "from " : ""), addr,
             r->remote_name[0] && (id[0] || addr[0]) ? " " : "", r->remote_name);
}

void rmm_log_record(rmm_ctx *c, uint32_t t, const rmmlog_rec *r, const char *path, const char *artifact)
{
    char loc[1200];
    snprintf(loc, sizeof loc, "%s line %llu", path, (unsigned long long)r->line);
    rmm_log_fact(c, t, r, path, artifact, loc);
}

void rmm_log_fact(rmm_ctx *c, uint32_t t, const rmmlog_rec *r, const char *path, const char *artifact,
                  const char *loc)
{
    const char *tool = rmm_tool_name(c, t);
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    rec_time rt;
    resolve_time(c, r, &rt);
    log_json(&j, tool, r, &rt, path, artifact, loc);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
    /* the record keeps what the log said; findings and the timeline use UTC */
    uint64_t when = rt.when;
    char item[700];
    if (r->unattended) {
        if (r->event == RMMLOG_EV_CONFIG)
            snprintf(item, sizeof item, "%s=%s in %s", r->key, r->detail[0] ? r->detail : r->value, path);
        else
            snprintf(item, sizeof item, "session accepted by %s", r->auth);
        rmm_note(c, t, RMM_AGG_UNATTENDED, when, item, artifact, "%s", loc);
    }
    if (r->event == RMMLOG_EV_CONNECTION) {
        describe_remote(r, item, sizeof item);
        if (r->dir == RMMLOG_DIR_INCOMING)
            rmm_note(c, t, RMM_AGG_INCOMING, when, item, artifact, "%s", loc);
        gl_tl tl;
        gl_json *d = gl_tl_begin(&tl, c->run, "rmm.connection", when, tool, artifact, loc);
        gl_json_kv_str(d, "direction", dir_name(r->dir));
        gl_json_kv_str(d, "remote_id", r->nid ? r->ids[0] : "");
        gl_json_kv_str(d, "remote_address", r->naddr ? r->addr[0].text : "");
        gl_json_kv_str(d, "auth", r->auth);
        gl_json_kv_str(d, "time_zone", rt.zone);
        gl_tl_end(&tl);
    }
    /* public addresses the layout gives no direction for */
    if (r->event == RMMLOG_EV_LINE)
        for (size_t i = 0; i < r->naddr; i++)
            if (r->addr[i].ip[0] && public_ip(r->addr[i].ip))
                rmm_note(c, t, RMM_AGG_ADDRESSES, when, r->addr[i].ip, artifact, "%s", loc);
    if (r->event == RMMLOG_EV_FILE_TRANSFER) {
        for (size_t i = 0; i < r->nfile; i++) {
            rmm_note(c, t, RMM_AGG_TRANSFER, when, r->files[i], artifact, "%s", loc);
            gl_tl tl;
            gl_json *d = gl_tl_begin(&tl, c->run, "rmm.file_transfer", when, r->files[i], artifact, loc);
            gl_json_kv_str(d, "tool", tool);
            gl_json_kv_str(d, "direction", dir_name(r->dir));
            gl_json_kv_str(d, "detail", r->detail);
            gl_tl_end(&tl);
        }
    }
    rmm_saw_time(c, t, when);
}

/* ---- execution traces ------------------------------------------------------ */

/* "ANYDESK.EXE-DB935E04.pf": the executable's name before the last '-'. */
static int on_prefetch(void *ctx, const gl_file_info *info)
{
    rmm_ctx *c = ctx;
    const char *base = gl_winpath_basename(info->path);
    const char *dash = strrchr(base, '-');
    if (info->is_dir || !dash || dash == base)
        return 0;
    char exe[256];
    snprintf(exe, sizeof exe, "%.*s", (int)(dash - base), base);
    rmmcat_hits hits;
    if (rmm_os_binary(c, exe) || !rmmcat_match_exe(c->st->cat, exe, strlen(exe), &hits))
        return 0;
    gl_err err = {0};
    /* acquired: the run count and last run times are inside */
    gl_file *f = gl_source_open_file(gl_run_source(c->run), info->path, &err);
    const char *artifact = f ? gl_file_artifact(f) : NULL;
    if (!f)
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
    char iso[GL_TIME_STRLEN];
    bool has_time = gl_filetime_iso(ts_filetime(info->mtime), 0, iso);
    for (size_t i = 0; i < hits.n; i++) {
        gl_buf line = {0};
        gl_json j;
        gl_json_init(&j, &line);
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "source", "prefetch");
        gl_json_kv_str(&j, "tool", rmm_tool_name(c, hits.h[i].tool));
        gl_json_kv_str(&j, "path", info->path);
        gl_json_kv_str(&j, "executable", exe);
        if (has_time)
            gl_json_kv_str(&j, "mtime", iso); /* the last run, as Windows rewrites the file then */
        if (artifact)
            gl_json_kv_str(&j, "artifact", artifact);
        gl_json_obj_end(&j);
        gl_run_record(c->run, line.data, line.len);
        gl_buf_free(&line);
        rmm_saw(c, hits.h[i].tool, RMM_SEEN_EXECUTED, ts_filetime(info->mtime), artifact, "%s", info->path);
    }
    if (f)
        gl_file_close(f);
    return 0;
}

void rmm_prefetch(rmm_ctx *c)
{
    gl_err err = {0};
    if (gl_source_glob(gl_run_source(c->run), "\\Windows\\Prefetch\\*.pf", on_prefetch, c, &err) < 0 &&
        err.code != GL_ERR_ABSENT)
        gl_run_error(c->run, "Prefetch: %s", err.msg);
}

/* BAM: SYSTEM\ControlSetNNN\Services\bam\State\UserSettings\<SID> (1809+;
 * bam\UserSettings before) holds one value per executable run, named by
 * its device path, data beginning with the last run's FILETIME. */
static void bam_user(rmm_ctx *c, gl_regkey k)
{
    gl_regvals vals = {0};
    gl_buf name = {0}, loc = {0}, line = {0};
    gl_regkey_values(k, &vals);
    for (size_t i = 0; i < vals.n; i++) {
        gl_buf_clear(&name);
        if (!gl_regval_name(vals.v[i], &name) || !name.len)
            continue;
        rmmcat_hits hits;
        if (os_component(name.data) || rmm_os_binary(c, name.data) ||
            !rmmcat_match_exe(c->st->cat, name.data, name.len, &hits))
            continue;
        size_t dl = 0;
        gl_buf scratch = {0};
        const uint8_t *d = gl_regval_binary(vals.v[i], &dl, &scratch);
        gl_bam_entry be;
        gl_bam_parse(name.data, name.len, d, dl, &be);
        uint64_t when = be.last_run;
        gl_buf_free(&scratch);
        gl_buf_clear(&loc);
        gl_regval_locator(vals.v[i], &loc);
        for (size_t h = 0; h < hits.n; h++) {
            uint32_t t = hits.h[h].tool;
            gl_json j;
            gl_buf_clear(&line);
            gl_json_init(&j, &line);
            gl_json_obj_begin(&j);
            gl_json_kv_str(&j, "source", "bam");
            gl_json_kv_str(&j, "tool", rmm_tool_name(c, t));
            gl_json_kv_str(&j, "path", name.data);
            char iso[GL_TIME_STRLEN];
            if (gl_filetime_iso(when, 0, iso))
                gl_json_kv_str(&j, "last_run", iso);
            gl_json_kv_str(&j, "value", loc.data);
            if (gl_regval_artifact(vals.v[i]))
                gl_json_kv_str(&j, "artifact", gl_regval_artifact(vals.v[i]));
            gl_json_obj_end(&j);
            gl_run_record(c->run, line.data, line.len);
            rmm_saw(c, t, RMM_SEEN_EXECUTED, when, gl_regval_artifact(vals.v[i]), "%s", loc.data);
        }
    }
    gl_regvals_free(&vals);
    gl_buf_free(&name);
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

void rmm_bam(rmm_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    const gl_regcontrolset *sets;
    size_t n = gl_regview_control_sets(rv, &sets);
    static const char *const where[] = {"Services\\bam\\State\\UserSettings", "Services\\bam\\UserSettings"};
    for (size_t i = 0; i < n; i++)
        for (size_t w = 0; w < 2; w++) {
            char path[160];
            snprintf(path, sizeof path, "HKLM\\SYSTEM\\%s\\%s", sets[i].name, where[w]);
            gl_regkey parent;
            gl_err err = {0};
            gl_lookup r = gl_regview_find_key(rv, path, &parent, &err);
            if (r == GL_LOOKUP_ERROR)
                gl_run_error(c->run, "%s: %s", path, err.msg);
            if (r != GL_LOOKUP_FOUND)
                continue;
            gl_regkeys users = {0};
            gl_regkey_subkeys(parent, &users);
            for (size_t u = 0; u < users.n; u++)
                bam_user(c, users.v[u]);
            gl_regkeys_free(&users);
        }
}

/* rmm: remote-management tools (artifacts.md §1). Muddled Libra installs
 * several RMM tools so that losing one does not lose access; IT staff use
 * the same tools, so presence alone is medium and the module says what
 * would make it worse.
 *
 * Catalog: the built-in one (modules/rmm/data/catalog.txt) merged with
 * LOLRMM's rmm_tools.json when `rmm.catalog` names it (a malformed file
 * stops the run with exit 2 before anything is read). `rmm.allow` names
 * sanctioned tools (comma-separated catalog names or aliases).
 *
 * Evidence, per catalog tool: service keys of every control set (name,
 * ImagePath) and SafeBoot\Network registrations; Uninstall entries (64-bit,
 * WOW6432Node, per user); the tool's own registry keys; files under
 * Program Files, ProgramData, the profiles, Windows\Temp, service
 * profiles and PerfLogs that match its install paths, logs or binary
 * names (a binary outside the tool's folders is a portable or moved copy);
 * execution traces (Prefetch file names, BAM entries of every control set);
 * System 7045 and Security 4697 service installs, MsiInstaller 1033/11707/
 * 11724 (Application); inbound allow rules for the tools' binaries (the
 * firewall module's records, when it runs); registry values that show a
 * permanent password (data/unattended-values.txt). Names Windows ships or
 * too common to identify a tool (data/os-binaries.txt) count only through
 * a catalog folder, service or log. Logs the catalog names are parsed
 * (collector/formats/rmmlog): AnyDesk traces, connection and file-transfer
 * lists and settings, TeamViewer connection lists and log, RustDesk logs,
 * settings and peer files, every other log through the generic scanner;
 * ScreenConnect clients' own Application events (sessions, transfers,
 * commands) go through the same records as logs.
 *
 * Records (records/rmm.jsonl), one per fact, with "source":
 *   "service"   tool, control_set, name, image_path, start, account, key, last_write, artifact
 *   "safeboot"  tool, control_set, name, key, last_write, artifact
 *   "uninstall" tool, display_name, publisher, install_date, install_location, key, last_write, artifact
 *   "registry"  tool, key, last_write, artifact
 *   "file"      tool, path, role (install|file|log|copy), size, mtime, btime, entry, artifact
 *   "event"     tool, channel, event_id, record, time, service and image_path (7045/4697) or
 *               product (MsiInstaller), matched, artifact, locator
 *   "log"       tool, path, artifact, line, event, time, tz, direction, ids, addresses, user,
 *               remote_name, auth, files, detail, key, value, unattended
 *   "event"     (a ScreenConnect session event) the fields of "log", with locator
 *               (EventRecordID) instead of line
 *   "relay"     tool, host, address, session, where (ScreenConnect launch parameters)
 *   "prefetch"  tool, path, executable, mtime, artifact
 *   "bam"       tool, path (device path), last_run, value, artifact
 *
 * Findings: rmm.tool_present (medium; info when allowed), rmm.multiple_tools
 * (high: two or more tools not allowed), rmm.unattended_access (medium),
 * rmm.incoming_connection (medium), rmm.file_transfer (low),
 * rmm.portable_copy (high in a user-writable folder, else medium),
 * rmm.log_addresses (low: public addresses in logs that give no direction).
 * Allowed tools' findings drop to low. docs/rmm.md has the details. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cmdline.h"
#include "embedded.h"
#include "rmm_int.h"
#include "text.h"
#include "timeline.h"

static const gl_setting_decl rmm_settings[] = {
    {"catalog", GL_SETTING_FILE, NULL, "LOLRMM rmm_tools.json to merge with the built-in catalog"},
    {"allow", GL_SETTING_TEXT, "", "sanctioned tools, comma-separated catalog names (their findings are info/low)"},
    {"acquire_max", GL_SETTING_SIZE, "64M", "RMM binaries found outside their install folders up to this size are acquired"},
    {"max_log_size", GL_SETTING_SIZE, "512M", "RMM logs larger than this are listed but not read (nor acquired)"},
    {0},
};

static const gl_rule_decl rmm_rules[] = {
    {"rmm.tool_present", GL_SEV_MEDIUM, "T1219 T1219.002", "Remote-management tool present"},
    {"rmm.multiple_tools", GL_SEV_HIGH, "T1219 T1219.002", "Several remote-management tools on one host"},
    {"rmm.unattended_access", GL_SEV_MEDIUM, "T1219 T1219.002", "Remote-management tool set up for unattended access"},
    {"rmm.incoming_connection", GL_SEV_MEDIUM, "T1219 T1219.002", "Incoming remote-management session"},
    {"rmm.file_transfer", GL_SEV_LOW, "T1219 T1105", "File moved over a remote-management tool"},
    {"rmm.portable_copy", GL_SEV_MEDIUM, "T1219 T1036", "Portable or moved copy of a remote-management tool"},
    {"rmm.log_addresses", GL_SEV_LOW, "T1219", "Public addresses in a remote-management tool's logs"},
    {0},
};

/* The firewall module's parsed rules, when it runs: not parsed twice. */
static const char *const rmm_reads[] = {"firewall", NULL};

static const gl_event_sub rmm_events_sub[] = {
    {"System", {7045}, 1},
    {"Security", {4697}, 1},
    /* MsiInstaller: 1033 installed, 11707 install completed, 11724 removed;
     * ScreenConnect client session events, whose IDs changed between
     * versions (0 or 1 in older clients; 100/101 connect and disconnect,
     * 200 command, 201 file transfer in newer ones) */
    {"Application", {1033, 11707, 11724, 0, 1, 100, 101, 200, 201}, 9},
    /* Splashtop Streamer: joined a team (200), connection initiated (300);
     * session started (1000), file transferred (1101) */
    {RMM_SPLASHTOP_STATUS, {200, 300}, 2},
    {RMM_SPLASHTOP_SESSION, {1000, 1101}, 2},
    {0},
};

/* ---- init: catalog and allow-list --------------------------------------- */

static int load_file(const char *path, gl_buf *out, gl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_err_errno(err, "rmm.catalog: %s", path);
    char tmp[65536];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (out->len + got > (256u << 20)) {
            fclose(f);
            return gl_err_setc(err, GL_ERR_USAGE, "rmm.catalog: %s: larger than 256 MiB", path);
        }
        gl_buf_append(out, tmp, got);
    }
    bool bad = ferror(f);
    fclose(f);
    return bad ? gl_err_errno(err, "rmm.catalog: %s", path) : 0;
}

static int load_allow(rmm_state *st, const char *list, gl_err *err)
{
    st->allowed = gl_xcalloc(rmmcat_count(st->cat) + 1, sizeof *st->allowed);
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && isspace((unsigned char)*p))
            p++, n--;
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (n) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), p);
            int64_t t = rmmcat_index_of(st->cat, name);
            if (t < 0)
                return gl_err_setc(err, GL_ERR_USAGE, "rmm.allow: no tool named \"%s\" in the catalog", name);
            st->allowed[t] = true;
        }
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static void rmm_fini(void *state)
{
    rmm_state *st = state;
    if (!st)
        return;
    rmmcat_free(st->cat);
    free(st->allowed);
    rmm_free_uvalues(st);
    gl_wordlist_free(&st->os_binaries);
    free(st);
}

static int rmm_init(gl_run *run, void **state, gl_err *err)
{
    rmm_state *st = gl_xcalloc(1, sizeof *st);
    st->cat = rmmcat_new();
    size_t len = 0;
    const char *builtin = gl_embedded_data("rmm/catalog.txt", &len);
    int rc = 0;
    if (!builtin)
        rc = gl_err_set(err, "rmm: the built-in catalog is missing from this build");
    else
        rc = rmmcat_load_text(st->cat, builtin, len, "built-in rmm/catalog.txt", err);
    const char *extra = gl_run_setting(run, "catalog", NULL);
    if (rc == 0 && extra && *extra) {
        gl_buf data = {0};
        rc = load_file(extra, &data, err);
        if (rc == 0 && rmmcat_load_lolrmm(st->cat, data.data ? data.data : "", data.len, extra, err) < 0)
            rc = gl_err_prefix(err, "rmm.catalog");
        gl_buf_free(&data);
    }
    if (rc == 0)
        rc = load_allow(st, gl_run_setting(run, "allow", ""), err);
    const char *uv = rc == 0 ? gl_embedded_data("rmm/unattended-values.txt", &len) : NULL;
    if (rc == 0 && (!uv || rmm_load_uvalues(st, uv, len, err) < 0))
        rc = uv ? -1 : gl_err_set(err, "rmm: rmm/unattended-values.txt is missing from this build");
    if (rc == 0)
        rc = gl_wordlist_embedded(&st->os_binaries, "rmm/os-binaries.txt", err);
    if (rc < 0) {
        rmm_fini(st);
        return -1;
    }
    *state = st;
    return 0;
}

/* ---- what was seen --------------------------------------------------------- */

const char *rmm_tool_name(const rmm_ctx *c, uint32_t t) { return rmmcat_tool_at(c->st->cat, t)->name; }

bool rmm_os_binary(const rmm_ctx *c, const char *path)
{
    const char *b = path + strlen(path);
    while (b > path && b[-1] != '\\' && b[-1] != '/')
        b--;
    return gl_wordlist_has(&c->st->os_binaries, b);
}
bool rmm_allowed(const rmm_ctx *c, uint32_t t) { return c->st->allowed[t]; }

/* One evidence item into a capped list; false when it was over the cap. */
static bool keep_evidence(gl_buf *ev, size_t *n, size_t *omitted, const char *artifact, const char *fmt, va_list ap)
{
    if (*n >= GL_FB_MAX_EVIDENCE) {
        (*omitted)++;
        return false;
    }
    char loc[2048];
    vsnprintf(loc, sizeof loc, fmt, ap);
    gl_buf_puts(ev, artifact ? artifact : "");
    gl_buf_putc(ev, '\0');
    gl_buf_puts(ev, loc);
    gl_buf_putc(ev, '\0');
    (*n)++;
    return true;
}

void rmm_saw_time(rmm_ctx *c, uint32_t t, uint64_t when)
{
    if (t >= c->n_tools || !when)
        return;
    rmm_seen *s = &c->seen[t];
    if (!s->first || when < s->first)
        s->first = when;
    if (when > s->last)
        s->last = when;
}

void rmm_saw(rmm_ctx *c, uint32_t t, unsigned kind, uint64_t when, const char *artifact, const char *locator_fmt, ...)
{
    if (t >= c->n_tools)
        return;
    rmm_seen *s = &c->seen[t];
    s->kinds |= kind;
    rmm_saw_time(c, t, when);
    va_list ap;
    va_start(ap, locator_fmt);
    keep_evidence(&s->evidence, &s->n_evidence, &s->omitted, artifact, locator_fmt, ap);
    va_end(ap);
}

void rmm_saw_file_time(rmm_ctx *c, uint32_t t, uint64_t when, const char *path)
{
    if (t >= c->n_tools || !when)
        return;
    rmm_seen *s = &c->seen[t];
    if (s->first_file && s->first_file <= when)
        return;
    s->first_file = when;
    gl_buf_clear(&s->first_file_path);
    gl_buf_puts(&s->first_file_path, path);
}

/* The oldest file of each tool, for the timeline: installs leave no other
 * trace when the tool was run portable. */
static void first_file_event(rmm_ctx *c, uint32_t t)
{
    const rmm_seen *s = &c->seen[t];
    if (!s->first_file)
        return;
    gl_tl tl;
    gl_json *d = gl_tl_begin(&tl, c->run, "rmm.installed", s->first_file, rmm_tool_name(c, t), NULL,
                             s->first_file_path.data);
    gl_json_kv_str(d, "how", "oldest file of the tool (birth or modification time)");
    gl_tl_end(&tl);
}

static bool has_item(const rmm_agg *a, const char *item)
{
    const char *p = a->items.data;
    for (size_t i = 0; i < a->n_items; i++, p += strlen(p) + 1)
        if (strcmp(p, item) == 0)
            return true;
    return false;
}

void rmm_note(rmm_ctx *c, uint32_t t, int agg, uint64_t when, const char *item, const char *artifact,
              const char *locator_fmt, ...)
{
    if (t >= c->n_tools || agg < 0 || agg >= RMM_AGG_COUNT)
        return;
    rmm_agg *a = &c->seen[t].agg[agg];
    a->n_facts++;
    if (when && (!a->first || when < a->first))
        a->first = when;
    if (item && a->n_items < RMM_MAX_ITEMS && !has_item(a, item)) {
        gl_buf_puts(&a->items, item);
        gl_buf_putc(&a->items, '\0');
        a->n_items++;
    }
    va_list ap;
    va_start(ap, locator_fmt);
    keep_evidence(&a->evidence, &a->n_evidence, &a->omitted, artifact, locator_fmt, ap);
    va_end(ap);
}

uint64_t rmm_iso_filetime(const char *iso)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    if (!iso || sscanf(iso, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10)
        return 0;
    const char *p = iso + 10;
    if (*p == 'T' && sscanf(p, "T%2d:%2d%n", &h, &mi, &used) == 2) {
        p += used;
        if (*p == ':' && sscanf(p, ":%2d%n", &sec, &used) == 1)
            p += used;
    }
    uint64_t frac = 0, scale = 10000000;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*p - '0') * scale;
            }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    int64_t u = (int64_t)timegm(&tm);
    if (u < -11644473600LL)
        return 0;
    return (uint64_t)(u + 11644473600LL) * 10000000u + frac;
}

/* Hits on a file name that identifies nothing alone are dropped. */
static size_t drop_common_names(const rmm_ctx *c, const char *path, rmmcat_hits *hits)
{
    if (!rmm_os_binary(c, path))
        return hits->n;
    size_t k = 0;
    for (size_t i = 0; i < hits->n; i++)
        if (hits->h[i].by != RMMCAT_BY_EXE && hits->h[i].by != RMMCAT_BY_NAMEGLOB)
            hits->h[k++] = hits->h[i];
    return hits->n = k;
}

size_t rmm_match_image(const rmm_ctx *c, const char *image, rmmcat_hits *hits)
{
    hits->n = 0;
    if (!image || !*image)
        return 0;
    /* a bare path first (firewall rules hold paths with blanks, unquoted),
     * then the program of a command line */
    if (image[0] != '"' && rmmcat_match_path(c->st->cat, image, strlen(image), hits) &&
        drop_common_names(c, image, hits))
        return hits->n;
    gl_argv av = {0};
    if (gl_cmdline_split(image, 1, &av) > 0) {
        rmmcat_match_path(c->st->cat, av.v[0], strlen(av.v[0]), hits);
        drop_common_names(c, av.v[0], hits);
    }
    gl_argv_free(&av);
    return hits->n;
}

/* ScreenConnect's ImagePath names the server the client calls home to. */
void rmm_relay(rmm_ctx *c, uint32_t t, const char *image, uint64_t when, const char *artifact,
                     const char *where)
{
    rmmlog_rec r;
    if (!rmmlog_screenconnect_params(image, strlen(image), &r))
        return;
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "source", "relay");
    gl_json_kv_str(&j, "tool", rmm_tool_name(c, t));
    gl_json_kv_str(&j, "host", r.remote_name);
    gl_json_kv_str(&j, "address", r.value);
    gl_json_kv_str(&j, "session", r.detail);
    gl_json_kv_str(&j, "where", where);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
    if (r.unattended) {
        char item[512];
        snprintf(item, sizeof item, "client service set up for an Access (unattended) session with %s", r.value);
        rmm_note(c, t, RMM_AGG_UNATTENDED, when, item, artifact, "%s", where);
    }
}

/* ---- findings -------------------------------------------------------------- */

static const char *const kind_names[RMM_SEEN_KINDS] = {
    "service", "SafeBoot registration", "Uninstall entry", "registry keys", "files", "logs", "install events",
    "copy outside its folders", "firewall allow rule", "executed (Prefetch, BAM)", "session events",
};

static void add_evidence(gl_fb *fb, const gl_buf *ev, size_t n, size_t max)
{
    const char *p = ev->data;
    for (size_t i = 0; i < n && i < max; i++) {
        const char *loc = p + strlen(p) + 1;
        gl_fb_evidence(fb, p[0] ? p : NULL, "%s", loc);
        p = loc + strlen(loc) + 1;
    }
}

static void time_kv(gl_json *d, const char *key, uint64_t ft)
{
    char iso[GL_TIME_STRLEN];
    if (gl_filetime_iso(ft, 0, iso))
        gl_json_kv_str(d, key, iso);
}

static void tool_finding(rmm_ctx *c, uint32_t t)
{
    const rmm_seen *s = &c->seen[t];
    const rmmcat_tool *tool = rmmcat_tool_at(c->st->cat, t);
    gl_buf how = {0};
    for (int k = 0; k < RMM_SEEN_KINDS; k++)
        if (s->kinds & (1u << k))
            gl_buf_printf(&how, "%s%s", how.len ? ", " : "", kind_names[k]);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "rmm.tool_present");
    if (rmm_allowed(c, t))
        gl_fb_severity(&fb, GL_SEV_INFO, "%s is listed in rmm.allow as sanctioned on this network", tool->name);
    else
        gl_fb_severity(&fb, GL_SEV_MEDIUM,
                       "IT staff use %s too, so its presence alone is not an intrusion; it is not in rmm.allow, "
                       "and unattended access, sessions from unknown addresses, copies in user folders or several "
                       "such tools on one host would make it serious",
                       tool->name);
    gl_fb_title(&fb, "%s present (%s)", tool->name, how.data);
    gl_fb_subject(&fb, "%s", tool->name);
    gl_fb_time_filetime(&fb, s->first);
    add_evidence(&fb, &s->evidence, s->n_evidence, GL_FB_MAX_EVIDENCE);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "tool", tool->name);
    gl_json_key(d, "seen_as");
    gl_json_arr_begin(d);
    for (int k = 0; k < RMM_SEEN_KINDS; k++)
        if (s->kinds & (1u << k))
            gl_json_str(d, kind_names[k]);
    gl_json_arr_end(d);
    time_kv(d, "first_seen", s->first);
    time_kv(d, "last_seen", s->last);
    gl_json_kv_bool(d, "catalog_builtin", tool->sources & RMMCAT_SRC_BUILTIN);
    gl_json_kv_bool(d, "catalog_lolrmm", tool->sources & RMMCAT_SRC_LOLRMM);
    gl_json_kv_bool(d, "named_in_threat_reporting", tool->priority);
    if (s->omitted)
        gl_json_kv_uint(d, "evidence_omitted", s->omitted);
    gl_fb_emit(&fb);
    gl_buf_free(&how);
}

static void multiple_finding(rmm_ctx *c)
{
    size_t n = 0;
    gl_buf names = {0};
    for (uint32_t t = 0; t < c->n_tools; t++)
        if (c->seen[t].kinds && !rmm_allowed(c, t)) {
            gl_buf_printf(&names, "%s%s", n ? ", " : "", rmm_tool_name(c, t));
            n++;
        }
    if (n >= 2) {
        gl_fb fb;
        gl_fb_start(&fb, c->run, "rmm.multiple_tools");
        gl_fb_severity(&fb, GL_SEV_HIGH,
                       "%zu remote-management tools not listed in rmm.allow on one host: installing several so "
                       "that removing one does not cut access is this actor's signature; a managed fleet "
                       "normally runs one",
                       n);
        gl_fb_title(&fb, "%zu remote-management tools on one host: %s", n, names.data);
        gl_fb_subject(&fb, "%s", names.data);
        uint64_t first = 0;
        gl_json *d = gl_fb_details(&fb);
        gl_json_key(d, "tools");
        gl_json_arr_begin(d);
        for (uint32_t t = 0; t < c->n_tools; t++)
            if (c->seen[t].kinds && !rmm_allowed(c, t)) {
                gl_json_str(d, rmm_tool_name(c, t));
                add_evidence(&fb, &c->seen[t].evidence, c->seen[t].n_evidence, 1);
                if (c->seen[t].first && (!first || c->seen[t].first < first))
                    first = c->seen[t].first;
            }
        gl_json_arr_end(d);
        gl_fb_time_filetime(&fb, first);
        gl_fb_emit(&fb);
    }
    gl_buf_free(&names);
}

/* The per-tool findings built from gathered facts. */
static const struct agg_rule {
    const char *rule;
    const char *title;  /* "%s: <title> (%zu)" with the tool and the fact count */
    const char *items;  /* details key for the descriptions */
    const char *why;    /* severity reason; %s is the tool */
} agg_rules[RMM_AGG_COUNT] = {
    [RMM_AGG_UNATTENDED] = {"rmm.unattended_access", "unattended access configured or used", "how",
                            "with unattended access anyone holding the password or token connects to %s without "
                            "a user at the screen; IT sets this up on servers too, so check who owns it"},
    [RMM_AGG_INCOMING] = {"rmm.incoming_connection", "incoming sessions", "sessions",
                          "someone controlled this host over %s; legitimate when it is the help desk, so "
                          "check the remote IDs and addresses against the organisation's own"},
    [RMM_AGG_TRANSFER] = {"rmm.file_transfer", "files transferred", "files",
                          "files moved over %s; routine for support, but the names show what was brought in "
                          "or taken out"},
    [RMM_AGG_PORTABLE] = {"rmm.portable_copy", "portable or moved copy", "paths",
                          "a copy of %s outside an installation (no service or Uninstall entry covers it, or it "
                          "lies outside the install folders) was run or staged rather than deployed by IT"},
    [RMM_AGG_ADDRESSES] = {"rmm.log_addresses", "public addresses in its logs", "addresses",
                           "the logs of %s name these public addresses; their layout does not say who connected "
                           "to whom, so they are peers or relays to check against the organisation's own"},
};

static void agg_finding(rmm_ctx *c, uint32_t t, int k)
{
    const rmm_agg *a = &c->seen[t].agg[k];
    const struct agg_rule *r = &agg_rules[k];
    const char *tool = rmm_tool_name(c, t);
    gl_fb fb;
    gl_fb_start(&fb, c->run, r->rule);
    char why[512];
    snprintf(why, sizeof why, r->why, tool);
    if (k == RMM_AGG_PORTABLE && a->user_writable && !rmm_allowed(c, t))
        gl_fb_severity(&fb, GL_SEV_HIGH, "%s, in a folder any user can write (a portable or renamed copy)", why);
    else if (rmm_allowed(c, t))
        gl_fb_severity(&fb, GL_SEV_LOW, "%s; %s is listed in rmm.allow", why, tool);
    else
        gl_fb_severity(&fb, (k == RMM_AGG_TRANSFER || k == RMM_AGG_ADDRESSES) ? GL_SEV_LOW : GL_SEV_MEDIUM, "%s", why);
    gl_fb_title(&fb, "%s: %s (%zu)", tool, r->title, a->n_facts);
    gl_fb_subject(&fb, "%s", tool);
    gl_fb_time_filetime(&fb, a->first);
    add_evidence(&fb, &a->evidence, a->n_evidence, GL_FB_MAX_EVIDENCE);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "tool", tool);
    gl_json_key(d, r->items);
    gl_json_arr_begin(d);
    const char *p = a->items.data;
    for (size_t i = 0; i < a->n_items; i++, p += strlen(p) + 1)
        gl_json_str(d, p);
    gl_json_arr_end(d);
    if (a->omitted)
        gl_json_kv_uint(d, "evidence_omitted", a->omitted);
    gl_fb_emit(&fb);
}

static int rmm_run(gl_run *run, gl_err *err)
{
    rmm_ctx c = {.run = run, .st = gl_run_state(run)};
    c.n_tools = rmmcat_count(c.st->cat);
    c.seen = gl_xcalloc(c.n_tools + 1, sizeof *c.seen);
    rmm_registry(&c);
    int rc = rmm_events(&c, err);
    rmm_files(&c);
    rmm_prefetch(&c);
    rmm_bam(&c);
    rmm_firewall(&c);
    for (uint32_t t = 0; t < c.n_tools; t++) {
        rmm_portable_from_user_binaries(&c, t);
        first_file_event(&c, t);
        if (c.seen[t].kinds)
            tool_finding(&c, t);
        for (int k = 0; k < RMM_AGG_COUNT; k++)
            if (c.seen[t].agg[k].n_facts)
                agg_finding(&c, t, k);
    }
    multiple_finding(&c);
    for (size_t t = 0; t < c.n_tools; t++) {
        gl_buf_free(&c.seen[t].evidence);
        gl_buf_free(&c.seen[t].user_binaries);
        gl_buf_free(&c.seen[t].first_file_path);
        for (int k = 0; k < RMM_AGG_COUNT; k++) {
            gl_buf_free(&c.seen[t].agg[k].evidence);
            gl_buf_free(&c.seen[t].agg[k].items);
        }
    }
    free(c.seen);
    return rc;
}

const gl_module gl_module_rmm = {
    .name = "rmm",
    .description = "remote-management tools: services, Uninstall entries, registry keys, files, portable copies, "
                   "service installs, and their logs (sessions, unattended access, file transfers)",
    .needs = GL_NEEDS_FILES | GL_NEEDS_REGISTRY | GL_NEEDS_EVTX,
    .settings = rmm_settings,
    .rules = rmm_rules,
    .events = rmm_events_sub,
    .reads = rmm_reads,
    .init = rmm_init,
    .fini = rmm_fini,
    .run = rmm_run,
};

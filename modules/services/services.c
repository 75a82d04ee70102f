/* services: every service install (System 7045, Security 4697, archived
 * logs included) and every service key of every control set, as records
 * and service.installed timeline events, and the installs that remote
 * execution tools leave (artifacts.md §1.1; issue rmm-tasks "Service
 * installs"): PsExec-style services whose image runs cmd.exe /c,
 * %COMSPEC% or PowerShell; images in user-writable folders or on shares;
 * random-looking names (Metasploit psexec, Impacket); kernel drivers
 * loaded from user-writable folders. Remote-administration services such
 * as PsExec's PSEXESVC are medium: admins use them too. Ordinary installs
 * under Windows or Program Files stay records. RMM services are the rmm
 * module's.
 *
 * Records (records/services.jsonl), with "source":
 *   "key"    control_set, name, display_name, image_path, program, type, start, account,
 *            key, last_write, artifact
 *   "event"  channel, event_id, record, time, name, image_path, program, service_type,
 *            start_type, account, artifact, locator
 * program: the image's executable as a path ("C:\Windows\duKhLYUX.exe"),
 * with \??\, \SystemRoot\ and relative System32 paths resolved. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cmdline.h"
#include "events.h"
#include "finding.h"
#include "module.h"
#include "text.h"
#include "timeline.h"
#include "winpath.h"
#include "wordlist.h"

static const gl_rule_decl services_rules[] = {
    {"services.shell_command", GL_SEV_HIGH, "T1543.003 T1569.002", "Service runs a command shell or script host"},
    {"services.user_writable_image", GL_SEV_HIGH, "T1543.003 T1569.002",
     "Service binary in a user-writable folder or on a share"},
    {"services.random_name", GL_SEV_HIGH, "T1543.003 T1569.002", "Service with a random-looking name"},
    {"services.driver_user_writable", GL_SEV_HIGH, "T1543.003 T1068", "Kernel driver loaded from a user-writable folder"},
    {"services.remote_admin", GL_SEV_MEDIUM, "T1569.002 T1021.002", "Remote-administration service installed"},
    {0},
};

static const gl_event_sub services_events[] = {
    {"System", {7045}, 1},
    {"Security", {4697}, 1},
    {0},
};

typedef struct services_state {
    gl_wordlist shells, remote_admin, admin_folders;
} services_state;

/* One service (one name) judged: what is wrong with it, and where it was seen. */
typedef struct verdict {
    const char *rule;
    char *name, *image, *why;
    uint64_t first;
    gl_buf evidence; /* artifact NUL locator NUL */
    size_t n_evidence, omitted;
} verdict;

typedef struct svc_ctx {
    gl_run *run;
    services_state *st;
    verdict *v;
    size_t nv, capv;
} svc_ctx;

/* ---- judging an image -------------------------------------------------- */

/* The executable of an image path as a full path: quotes and arguments
 * removed, "\??\" and "\SystemRoot\" resolved, a relative path taken
 * from the Windows folder (how the service control manager and the
 * kernel loader read it). Unquoted paths with blanks end at the first
 * word ending in .exe, .sys, .com, .bat or .cmd (program_len). */
static bool ends_with_program_ext(const char *s, size_t n)
{
    static const char *const exts[] = {".exe", ".sys", ".com", ".bat", ".cmd"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (n >= 4 && strncasecmp(s + n - 4, exts[i], 4) == 0)
            return true;
    return false;
}

/* Length of the program at the start of an unquoted image: words are
 * joined across blanks ("C:\Program Files\X\x.exe -k") until one ends in
 * .exe/.sys/.com/.bat/.cmd, but not across an argument ("/c", "-k"); when
 * none does, the first word. */
static size_t program_len(const char *s)
{
    size_t first = strcspn(s, " "), cand = first;
    for (int words = 0; words < 32; words++) {
        if (ends_with_program_ext(s, cand))
            return cand;
        size_t next = cand;
        while (s[next] == ' ')
            next++;
        if (s[next] == '\0' || s[next] == '/' || s[next] == '-')
            return first;
        cand = next + strcspn(s + next, " ");
    }
    return first;
}

static void image_program(const char *image, gl_buf *out)
{
    gl_buf_clear(out);
    const char *s = image;
    while (*s == ' ')
        s++;
    if (strncmp(s, "\\??\\", 4) == 0)
        s += 4;
    if (*s == '"') {
        gl_argv av = {0};
        if (gl_cmdline_split(s, 1, &av))
            gl_buf_puts(out, av.v[0]);
        gl_argv_free(&av);
    } else {
        gl_buf_append(out, s, program_len(s));
    }
    gl_buf_cstr(out);
    if (strncasecmp(out->data, "\\SystemRoot\\", 12) == 0) {
        gl_buf rest = {0};
        gl_buf_puts(&rest, out->data + 11);
        gl_buf_clear(out);
        gl_buf_printf(out, "%%SystemRoot%%%s", rest.data);
        gl_buf_free(&rest);
    } else if (strncasecmp(out->data, "System32\\", 9) == 0 || strncasecmp(out->data, "SysWOW64\\", 9) == 0) {
        gl_buf rest = {0};
        gl_buf_puts(&rest, out->data);
        gl_buf_clear(out);
        gl_buf_printf(out, "%%SystemRoot%%\\%s", rest.data);
        gl_buf_free(&rest);
    }
}

static bool is_vowel(char c) { return strchr("aeiouyAEIOUY", c) != NULL; }

/* Metasploit's psexec names services with 16 random mixed-case letters
 * ("KgXItsbKgTJzdzwl"). Random letters have few vowels and change case
 * inside words; real names are words ("MicrosoftEdgeElevationService").
 * Short random names (Impacket's four letters) cannot be told from
 * abbreviations and are left to the other checks. */
static bool random_looking(const char *s)
{
    size_t n = strlen(s), letters = 0, vowels = 0, upper = 0, lower = 0, humps = 0;
    if (n < 8 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]))
            return false;
        if (!isalpha((unsigned char)s[i]))
            continue;
        letters++;
        vowels += is_vowel(s[i]);
        upper += isupper((unsigned char)s[i]) != 0;
        lower += islower((unsigned char)s[i]) != 0;
        humps += i > 0 && islower((unsigned char)s[i - 1]) && isupper((unsigned char)s[i]);
    }
    if (letters < 8 || !upper || !lower)
        return false;
    double vr = (double)vowels / (double)letters;
    /* Windows' own "EhStorTcgDrv" (0.17) and "NetTcpPortSharing" (0.24)
     * have more vowels than random letters (Metasploit's: 0.06) */
    return humps >= 3 && vr < 0.15;
}

static void base_no_ext(const char *path, char *out, size_t cap)
{
    const char *b = gl_winpath_basename(path);
    size_t n = strcspn(b, ".");
    snprintf(out, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), b);
}

/* ---- verdicts ------------------------------------------------------------- */

static verdict *verdict_for(svc_ctx *c, const char *rule, const char *name, const char *image, const char *why)
{
    for (size_t i = 0; i < c->nv; i++)
        if (c->v[i].rule == rule && strcasecmp(c->v[i].name, name) == 0)
            return &c->v[i];
    if (c->nv == c->capv) {
        c->capv = c->capv ? c->capv * 2 : 16;
        c->v = gl_xrealloc(c->v, c->capv * sizeof *c->v);
    }
    verdict *v = &c->v[c->nv++];
    memset(v, 0, sizeof *v);
    v->rule = rule;
    v->name = gl_xstrdup(name);
    v->image = gl_xstrdup(image);
    v->why = gl_xstrdup(why);
    return v;
}

static void judge_note(svc_ctx *c, const char *rule, const char *name, const char *image, const char *why,
                       uint64_t when, const char *artifact, const char *locator)
{
    verdict *v = verdict_for(c, rule, name, image, why);
    if (when && (!v->first || when < v->first))
        v->first = when;
    if (v->n_evidence >= GL_FB_MAX_EVIDENCE) {
        v->omitted++;
        return;
    }
    gl_buf_puts(&v->evidence, artifact ? artifact : "");
    gl_buf_putc(&v->evidence, '\0');
    gl_buf_puts(&v->evidence, locator);
    gl_buf_putc(&v->evidence, '\0');
    v->n_evidence++;
}

/* Every rule one service breaks. */
static void judge(svc_ctx *c, const char *name, const char *image, const char *program, bool driver, uint64_t when,
                  const char *artifact, const char *locator)
{
    char prog[128], why[600];
    gl_cmdline_program(program, prog, sizeof prog);
    gl_path_class cls = gl_winpath_class(program);
    bool writable = cls == GL_PATH_USER_WRITABLE || cls == GL_PATH_NETWORK || cls == GL_PATH_DRIVE_ROOT;
    for (size_t i = 0; writable && i < c->st->admin_folders.n; i++)
        if (strcasestr(program, c->st->admin_folders.words[i]))
            writable = false;
    if (gl_wordlist_has(&c->st->remote_admin, name)) {
        snprintf(why, sizeof why,
                 "%s is the service a remote-administration tool installs on its target to run one command; "
                 "administrators use these tools too, so what ran and from which host decides",
                 name);
        judge_note(c, "services.remote_admin", name, image, why, when, artifact, locator);
        return;
    }
    if (!driver && (gl_wordlist_has(&c->st->shells, prog) || strcasestr(image, "%comspec%"))) {
        snprintf(why, sizeof why,
                 "a service whose image is %s runs a command line rather than a service program: PsExec-style "
                 "remote execution (Impacket smbexec, Metasploit) installs exactly this",
                 prog[0] ? prog : "%COMSPEC%");
        judge_note(c, "services.shell_command", name, image, why, when, artifact, locator);
    } else if (driver && writable) {
        snprintf(why, sizeof why,
                 "a kernel driver loaded from %s, a folder ordinary users can write: vendors install drivers "
                 "under Windows\\System32\\drivers; attack tools load theirs from where they were dropped",
                 program);
        judge_note(c, "services.driver_user_writable", name, image, why, when, artifact, locator);
    } else if (!driver && writable) {
        snprintf(why, sizeof why,
                 "the service runs %s from a %s location: software installs its services under Program Files or "
                 "Windows, while dropped tools run from wherever they were copied",
                 program, cls == GL_PATH_NETWORK ? "network share" : "user-writable");
        judge_note(c, "services.user_writable_image", name, image, why, when, artifact, locator);
    }
    char base[128];
    base_no_ext(program, base, sizeof base);
    if (random_looking(name) || (!driver && random_looking(base))) {
        snprintf(why, sizeof why,
                 "the service name \"%s\" or its binary \"%s\" is random letters, as remote-execution "
                 "frameworks (Metasploit psexec, Impacket) generate them; installers name services after products",
                 name, base);
        judge_note(c, "services.random_name", name, image, why, when, artifact, locator);
    }
}

/* ---- sources ---------------------------------------------------------------- */

static void installed_event(svc_ctx *c, uint64_t when, const char *name, const char *image, const char *artifact,
                            const char *locator, const char *how)
{
    gl_tl tl;
    gl_json *d = gl_tl_begin(&tl, c->run, "service.installed", when, name, artifact, locator);
    gl_json_kv_str(d, "image_path", image);
    gl_json_kv_str(d, "how", how);
    gl_tl_end(&tl);
}

static bool is_driver_type(const char *t)
{
    /* 7045 writes "kernel mode driver"/"file system driver"; 4697 "0x1"/"0x2" */
    return strcasestr(t, "driver") || !strcmp(t, "0x1") || !strcmp(t, "0x2") || !strcmp(t, "1") || !strcmp(t, "2");
}

static int on_event(void *ctx, const gl_event *ev)
{
    svc_ctx *c = ctx;
    bool sec = ev->event_id == 4697;
    const char *name = gl_event_text(ev, "ServiceName");
    const char *image = gl_event_text(ev, sec ? "ServiceFileName" : "ImagePath");
    const char *type = gl_event_text(ev, "ServiceType");
    gl_buf prog = {0}, line = {0};
    image_program(image, &prog);
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "source", "event");
    gl_json_kv_str(&j, "channel", ev->channel);
    gl_json_kv_uint(&j, "event_id", ev->event_id);
    gl_json_kv_uint(&j, "record", ev->record_id);
    gl_json_kv_str(&j, "time", ev->time_iso);
    gl_json_kv_str(&j, "name", name);
    gl_json_kv_str(&j, "image_path", image);
    gl_json_kv_str(&j, "program", prog.data);
    gl_json_kv_str(&j, "service_type", type);
    gl_json_kv_str(&j, "start_type", gl_event_text(ev, sec ? "ServiceStartType" : "StartType"));
    gl_json_kv_str(&j, "account", gl_event_text(ev, sec ? "ServiceAccount" : "AccountName"));
    if (ev->artifact)
        gl_json_kv_str(&j, "artifact", ev->artifact);
    gl_json_kv_str(&j, "locator", ev->locator);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    installed_event(c, ev->time, name, image, ev->artifact, ev->locator,
                    sec ? "Security 4697" : "System 7045");
    if (*name)
        judge(c, name, image, prog.data, is_driver_type(type), ev->time, ev->artifact, ev->locator);
    gl_buf_free(&prog);
    gl_buf_free(&line);
    return 0;
}


static void service_key(svc_ctx *c, const gl_regcontrolset *cs, gl_regkey k)
{
    gl_buf name = {0}, image = {0}, prog = {0}, disp = {0}, acct = {0}, loc = {0}, line = {0};
    gl_regkey_name(k, &name);
    gl_buf_cstr(&name);
    gl_regkey_get_string(k, "ImagePath", &image, NULL);
    gl_buf_cstr(&image);
    gl_regkey_get_string(k, "DisplayName", &disp, NULL);
    gl_buf_cstr(&disp);
    gl_regkey_get_string(k, "ObjectName", &acct, NULL);
    gl_buf_cstr(&acct);
    uint32_t type = 0, start = 0;
    gl_regval tv = gl_regkey_value(k, "Type"), sv = gl_regkey_value(k, "Start");
    bool has_type = gl_regval_ok(tv) && gl_regval_dword(tv, &type);
    bool has_start = gl_regval_ok(sv) && gl_regval_dword(sv, &start);
    image_program(image.data, &prog);
    gl_regkey_locator(k, &loc);
    uint64_t lw = gl_regkey_last_write(k);
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "source", "key");
    gl_json_kv_str(&j, "control_set", cs->name);
    gl_json_kv_str(&j, "name", name.data);
    gl_json_kv_str(&j, "display_name", disp.data);
    gl_json_kv_str(&j, "image_path", image.data);
    gl_json_kv_str(&j, "program", prog.data);
    if (has_type)
        gl_json_kv_uint(&j, "type", type);
    if (has_start)
        gl_json_kv_uint(&j, "start", start);
    gl_json_kv_str(&j, "account", acct.data);
    gl_json_kv_str(&j, "key", loc.data);
    char iso[GL_TIME_STRLEN];
    if (gl_filetime_iso(lw, 0, iso))
        gl_json_kv_str(&j, "last_write", iso);
    if (gl_regkey_artifact(k))
        gl_json_kv_str(&j, "artifact", gl_regkey_artifact(k));
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    /* keys without an image are parameters of a driver or a group: no install */
    if (image.len) {
        if (cs->current)
            installed_event(c, lw, name.data, image.data, gl_regkey_artifact(k), loc.data, "service key (last written)");
        judge(c, name.data, image.data, prog.data, has_type && (type == 1 || type == 2), lw, gl_regkey_artifact(k),
              loc.data);
    }
    gl_buf_free(&name);
    gl_buf_free(&image);
    gl_buf_free(&prog);
    gl_buf_free(&disp);
    gl_buf_free(&acct);
    gl_buf_free(&loc);
    gl_buf_free(&line);
}

static void service_keys(svc_ctx *c)
{
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    const gl_regcontrolset *sets;
    size_t n = gl_regview_control_sets(rv, &sets);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        gl_regkey parent;
        gl_err err = {0};
        snprintf(path, sizeof path, "HKLM\\SYSTEM\\%s\\Services", sets[i].name);
        gl_lookup r = gl_regview_find_key(rv, path, &parent, &err);
        if (r == GL_LOOKUP_ERROR)
            gl_run_error(c->run, "%s: %s", path, err.msg);
        if (r != GL_LOOKUP_FOUND)
            continue;
        gl_regkeys subs = {0};
        gl_regkey_subkeys(parent, &subs);
        for (size_t k = 0; k < subs.n; k++)
            service_key(c, &sets[i], subs.v[k]);
        gl_regkeys_free(&subs);
    }
}

/* ---- findings ---------------------------------------------------------------- */

static void emit(svc_ctx *c, verdict *v)
{
    gl_fb fb;
    gl_fb_start(&fb, c->run, v->rule);
    const gl_rule_decl *decl = gl_module_rule(gl_run_current(c->run), v->rule);
    gl_fb_severity(&fb, decl ? decl->severity : GL_SEV_MEDIUM, "%s", v->why);
    gl_fb_title(&fb, "%s: %s", decl ? decl->title : v->rule, v->name);
    gl_fb_subject(&fb, "%s", v->name);
    gl_fb_time_filetime(&fb, v->first);
    const char *p = v->evidence.data;
    for (size_t i = 0; i < v->n_evidence; i++) {
        const char *loc = p + strlen(p) + 1;
        gl_fb_evidence(&fb, p[0] ? p : NULL, "%s", loc);
        p = loc + strlen(loc) + 1;
    }
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "service", v->name);
    gl_json_kv_str(d, "image_path", v->image);
    if (v->omitted)
        gl_json_kv_uint(d, "evidence_omitted", v->omitted);
    gl_fb_emit(&fb);
}

static int services_run(gl_run *run, gl_err *err)
{
    svc_ctx c = {.run = run, .st = gl_run_state(run)};
    service_keys(&c);
    if (gl_events_each(run, "System", on_event, &c, err) != 0 || gl_events_each(run, "Security", on_event, &c, err) != 0)
        gl_run_error(run, "service-install events: %s", err->msg);
    for (size_t i = 0; i < c.nv; i++) {
        emit(&c, &c.v[i]);
        free(c.v[i].name);
        free(c.v[i].image);
        free(c.v[i].why);
        gl_buf_free(&c.v[i].evidence);
    }
    free(c.v);
    return 0;
}

static void services_fini(void *state)
{
    services_state *st = state;
    if (!st)
        return;
    gl_wordlist_free(&st->shells);
    gl_wordlist_free(&st->remote_admin);
    gl_wordlist_free(&st->admin_folders);
    free(st);
}

static int services_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    services_state *st = gl_xcalloc(1, sizeof *st);
    if (gl_wordlist_embedded(&st->shells, "services/shells.txt", err) < 0 ||
        gl_wordlist_embedded(&st->remote_admin, "services/remote-admin.txt", err) < 0 ||
        gl_wordlist_embedded(&st->admin_folders, "services/admin-folders.txt", err) < 0) {
        services_fini(st);
        return -1;
    }
    *state = st;
    return 0;
}

const gl_module gl_module_services = {
    .name = "services",
    .description = "service installs (7045/4697, every control set's service keys): shell commands, user-writable "
                   "images, random names, drivers from user folders, PsExec-style services",
    .needs = GL_NEEDS_REGISTRY | GL_NEEDS_EVTX,
    .rules = services_rules,
    .events = services_events,
    .init = services_init,
    .fini = services_fini,
    .run = services_run,
};

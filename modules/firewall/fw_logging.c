/* See fw_logging.h. */
#include "fw_logging.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "finding.h"
#include "pfwlog.h"
#include "regview.h"
#include "source.h"

#define DEFAULT_LOG "\\Windows\\System32\\LogFiles\\Firewall\\pfirewall.log"
#define LOG_FOLDER "\\windows\\system32\\logfiles\\firewall\\"
#define MAX_LOG_BYTES (64u << 20) /* the firewall caps its log at 32 MB */

static void logging_record(fwlog *l, gl_regkey k, const char *store, const char *set, const char *profile,
                           const char *name, const uint32_t *number, const char *text, const char *locator)
{
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "logging");
    gl_json_kv_str(&j, "store", store);
    gl_json_kv_str(&j, "control_set", set);
    gl_json_kv_str(&j, "profile", profile);
    gl_json_kv_str(&j, "name", name);
    if (number)
        gl_json_kv_uint(&j, "value", *number);
    else
        gl_json_kv_str(&j, "value", text);
    gl_json_kv_str(&j, "artifact", gl_regkey_artifact(k));
    gl_json_kv_str(&j, "locator", locator);
    gl_json_obj_end(&j);
    gl_run_record(l->run, line.data, line.len);
    gl_buf_free(&line);
}

static void low_finding(fwlog *l, gl_regkey k, const char *subject, const char *locator, const char *why,
                        const char *title)
{
    gl_fb fb;
    gl_fb_start(&fb, l->run, "firewall.logging_changed");
    gl_fb_severity(&fb, GL_SEV_LOW, "%s", why);
    gl_fb_title(&fb, "%s", title);
    gl_fb_subject(&fb, "%s", subject);
    gl_fb_time_filetime(&fb, gl_regkey_last_write(k));
    gl_fb_evidence(&fb, gl_regkey_artifact(k), "%s", locator);
    gl_fb_emit(&fb);
}

/* Environment variables the firewall's own paths use; NULL when the path
 * uses another one (not resolvable offline). */
static char *expand(const char *path)
{
    static const struct {
        const char *var, *value;
    } vars[] = {{"%systemroot%", "\\Windows"}, {"%windir%", "\\Windows"}, {"%systemdrive%", ""}};
    gl_buf out = {0};
    gl_buf_append(&out, "", 0);
    for (const char *p = path; *p;) {
        if (*p != '%') {
            gl_buf_append(&out, p, 1);
            p++;
            continue;
        }
        size_t i = 0;
        while (i < sizeof vars / sizeof vars[0] && strncasecmp(p, vars[i].var, strlen(vars[i].var)))
            i++;
        if (i == sizeof vars / sizeof vars[0]) {
            gl_buf_free(&out);
            return NULL;
        }
        gl_buf_append(&out, vars[i].value, strlen(vars[i].value));
        p += strlen(vars[i].var);
    }
    return out.data; /* owned by the caller */
}

/* Whether an expanded path lies in the firewall's own log folder. */
static bool in_log_folder(const char *path)
{
    if (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':')
        path += 2;
    return !strncasecmp(path, LOG_FOLDER, strlen(LOG_FOLDER));
}

static void add_path(fwlog *l, const char *path)
{
    for (size_t i = 0; i < l->n_paths; i++)
        if (!strcasecmp(l->paths[i], path))
            return;
    if (l->n_paths < FWLOG_MAX_PATHS)
        l->paths[l->n_paths++] = gl_xstrdup(path);
}

static void log_path(fwlog *l, gl_regkey k, const char *store, const char *set, const char *profile, bool judge,
                     const char *locator)
{
    gl_err err = {0};
    gl_buf text = {0};
    gl_lookup r = gl_regkey_get_string(k, "LogFilePath", &text, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(l->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND) {
        gl_buf_free(&text);
        return;
    }
    const char *path = gl_buf_cstr(&text);
    logging_record(l, k, store, set, profile, "LogFilePath", NULL, path, locator);
    char *x = expand(path);
    if (!x)
        gl_run_log(l->run, "%s: firewall log path %s uses an environment variable not known offline", locator, path);
    else if (judge || !strcmp(store, "policy"))
        add_path(l, x);
    if (judge && *path && (!x || !in_log_folder(x))) {
        char subject[600], title[900];
        snprintf(subject, sizeof subject, "%s:%s:LogFilePath", store, profile);
        snprintf(title, sizeof title, "Firewall %s profile log written to %s (%s)", profile, path, store);
        low_finding(l, k, subject, locator,
                    "the packet log is not in its folder (System32\\LogFiles\\Firewall): a log sent to another "
                    "place (a user folder, a share, NUL) is out of the responder's sight; administrators also "
                    "move it, so low",
                    title);
    }
    free(x);
    gl_buf_free(&text);
}

void fwlog_profile(fwlog *l, const char *profile_path, const char *store, const char *set, const char *profile,
                   bool judge)
{
    char path[600];
    snprintf(path, sizeof path, "%s\\Logging", profile_path);
    gl_err err = {0};
    gl_regkey k;
    gl_lookup r = gl_regview_find_key(gl_run_regview(l->run), path, &k, &err);
    if (r == GL_LOOKUP_ERROR)
        gl_run_error(l->run, "%s", err.msg);
    if (r != GL_LOOKUP_FOUND)
        return;
    static const char *const numbers[] = {"LogFileSize", "LogDroppedPackets", "LogSuccessfulConnections"};
    gl_buf loc = {0};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        uint32_t v;
        r = gl_regkey_get_dword(k, numbers[i], &v, &err);
        if (r == GL_LOOKUP_ERROR)
            gl_run_error(l->run, "%s", err.msg);
        if (r != GL_LOOKUP_FOUND)
            continue;
        gl_buf_clear(&loc);
        gl_regkey_locator(k, &loc);
        gl_buf_printf(&loc, "\\%s", numbers[i]);
        logging_record(l, k, store, set, profile, numbers[i], &v, NULL, gl_buf_cstr(&loc));
        /* Off is Windows' local default, so only a policy saying so is a
         * change someone made. */
        if (judge && i > 0 && v == 0 && !strcmp(store, "policy")) {
            char subject[200], title[300];
            snprintf(subject, sizeof subject, "%s:%s:%s", store, profile, numbers[i]);
            snprintf(title, sizeof title, "Firewall logging of %s switched off by policy for the %s profile",
                     i == 1 ? "dropped packets" : "successful connections", profile);
            low_finding(l, k, subject, gl_buf_cstr(&loc),
                        "Group Policy turns the packet log off: connections through the firewall leave no trace on "
                        "the host; many organisations never turn it on, so low",
                        title);
        }
    }
    gl_buf_clear(&loc);
    gl_regkey_locator(k, &loc);
    gl_buf_printf(&loc, "\\LogFilePath");
    log_path(l, k, store, set, profile, judge, gl_buf_cstr(&loc));
    gl_buf_free(&loc);
}

/* ---- the packet log ------------------------------------------------------------------ */

typedef struct conn_ctx {
    fwlog *l;
    const char *artifact;
    const uint16_t *ports;
    size_t n_ports;
    uint64_t kept;
} conn_ctx;

static void kv_span(gl_json *j, const char *key, pfw_span s)
{
    gl_json_key(j, key);
    if (s.p)
        gl_json_strn(j, s.p, s.n);
    else
        gl_json_null(j);
}

static int on_entry(void *ctx, const pfw_entry *e)
{
    conn_ctx *c = ctx;
    if (!pfw_span_is(e->action, "ALLOW") || !pfw_span_is(e->path, "RECEIVE") || e->dst_port < 0)
        return 0;
    size_t i = 0;
    while (i < c->n_ports && c->ports[i] != e->dst_port)
        i++;
    if (i == c->n_ports)
        return 0;
    c->kept++;
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "connection");
    gl_json_key(&j, "time_local");
    gl_buf t = {0};
    gl_buf_printf(&t, "%.*s %.*s", (int)e->date.n, e->date.p ? e->date.p : "", (int)e->time.n,
                  e->time.p ? e->time.p : "");
    gl_json_str(&j, gl_buf_cstr(&t));
    gl_buf_free(&t);
    kv_span(&j, "time_format", e->time_format);
    kv_span(&j, "action", e->action);
    kv_span(&j, "protocol", e->protocol);
    kv_span(&j, "src_ip", e->src_ip);
    kv_span(&j, "dst_ip", e->dst_ip);
    gl_json_kv_int(&j, "src_port", e->src_port);
    gl_json_kv_int(&j, "dst_port", e->dst_port);
    gl_json_kv_int(&j, "pid", e->pid);
    gl_json_kv_str(&j, "artifact", c->artifact);
    char loc[40];
    snprintf(loc, sizeof loc, "line %" PRIu64, e->line);
    gl_json_kv_str(&j, "locator", loc);
    gl_json_obj_end(&j);
    gl_run_record(c->l->run, line.data, line.len);
    gl_buf_free(&line);
    return 0;
}

static void read_one_log(fwlog *l, const char *path, const uint16_t *ports, size_t n_ports)
{
    gl_err err = {0};
    gl_file *f = gl_source_open_file(gl_run_source(l->run), path, &err);
    if (!f) {
        if (err.code != GL_ERR_ABSENT)
            gl_run_error(l->run, "%s: %s", path, err.msg);
        return;
    }
    gl_reader r = gl_file_reader(f);
    size_t n = r.size > MAX_LOG_BYTES ? MAX_LOG_BYTES : (size_t)r.size;
    if (r.size > MAX_LOG_BYTES)
        gl_run_log(l->run, "%s: %" PRIu64 " bytes, only the first %u read", path, r.size, MAX_LOG_BYTES);
    char *data = gl_xmalloc(n + 1);
    if (gl_read_exact(&r, 0, data, n, &err) < 0) {
        gl_run_error(l->run, "%s", err.msg);
        free(data);
        gl_file_close(f);
        return;
    }
    const char *artifact = gl_file_artifact(f);
    conn_ctx c = {l, artifact, ports, n_ports, 0};
    pfw_stats st;
    gl_err perr = {0};
    if (pfw_parse(data, n, path, on_entry, &c, &st, &perr) < 0)
        gl_run_log(l->run, "%s (%" PRIu64 " bad lines)", perr.msg, st.bad_lines);
    gl_buf line = {0};
    gl_json j;
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "packet_log");
    gl_json_kv_str(&j, "path", path);
    gl_json_kv_uint(&j, "lines", st.lines);
    gl_json_kv_uint(&j, "entries", st.entries);
    gl_json_kv_uint(&j, "connections", c.kept);
    gl_json_kv_uint(&j, "bad_lines", st.bad_lines);
    gl_json_kv_str(&j, "artifact", artifact);
    gl_json_obj_end(&j);
    gl_run_record(l->run, line.data, line.len);
    gl_buf_free(&line);
    free(data);
    gl_file_close(f);
}

void fwlog_read_logs(fwlog *l, const uint16_t *ports, size_t n_ports)
{
    if (!l->n_paths)
        add_path(l, DEFAULT_LOG);
    for (size_t i = 0; i < l->n_paths; i++) {
        /* The firewall renames a full log to .old and starts a new one. */
        char old[1100];
        snprintf(old, sizeof old, "%s.old", l->paths[i]);
        read_one_log(l, l->paths[i], ports, n_ports);
        read_one_log(l, old, ports, n_ports);
        free(l->paths[i]);
    }
    l->n_paths = 0;
}

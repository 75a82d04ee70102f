/* rmm: installs from the event logs. System 7045 (ServiceName, ImagePath)
 * and Security 4697 (ServiceName, ServiceFileName) naming a catalog tool,
 * MsiInstaller 1033/11707/11724 naming its product; archived logs
 * included (the event helper reads them all). ScreenConnect clients'
 * Application events (sessions, file transfers, commands) become log
 * records through rmmlog_screenconnect_event. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include "events.h"
#include "rmm_int.h"
#include "timeline.h"

/* MsiInstaller names the product: 1033 in its first string, 11707/11724 in
 * "Product: <name> -- Installation completed successfully." */
static size_t msi_product(rmm_ctx *c, const gl_event *ev, char *name, size_t cap, rmmcat_hits *hits)
{
    hits->n = 0;
    if (!ev->provider || strcmp(ev->provider, "MsiInstaller") != 0)
        return 0;
    const char *s = gl_event_text(ev, "0");
    if (ev->event_id != 1033) {
        const char *p = strstr(s, "Product: ");
        if (!p)
            return 0;
        s = p + 9;
    }
    const char *e = strstr(s, " -- ");
    size_t n = e ? (size_t)(e - s) : strlen(s);
    snprintf(name, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), s);
    return rmmcat_match_product(c->st->cat, name, strlen(name), hits);
}

static const char *install_how(uint16_t id)
{
    switch (id) {
    case 4697: return "Security 4697 service install";
    case 7045: return "System 7045 service install";
    case 11724: return "MsiInstaller 11724 product removed";
    default: return "MsiInstaller product installed";
    }
}

/* A ScreenConnect client's session event (provider "ScreenConnect Client
 * (<instance>)"): an operator connected, files moved, a command ran. */
static void screenconnect_event(rmm_ctx *c, const gl_event *ev)
{
    rmmlog_rec r;
    const char *msg = gl_event_text(ev, "0");
    int64_t t = rmmcat_index_of(c->st->cat, "ScreenConnect");
    if (t < 0 || !ev->provider || strncmp(ev->provider, "ScreenConnect", 13) != 0 ||
        !rmmlog_screenconnect_event(msg, strlen(msg), &r))
        return;
    snprintf(r.time, sizeof r.time, "%s", ev->time_iso);
    r.tz = RMMLOG_TZ_UTC;
    /* the account that connected is the remote side of the session */
    snprintf(r.remote_name, sizeof r.remote_name, "%s", r.user);
    rmm_saw(c, (uint32_t)t, RMM_SEEN_SESSION_EVENT, ev->time, ev->artifact, "%s", ev->locator);
    rmm_log_fact(c, (uint32_t)t, &r, ev->file ? ev->file : "Application", ev->artifact, ev->locator);
}

/* Splashtop Streamer's own logs: the team account, sessions and file
 * transfers (rmmlog_splashtop_event reads the values by shape). */
static int on_splashtop(void *ctx, const gl_event *ev)
{
    rmm_ctx *c = ctx;
    int64_t t = rmmcat_index_of(c->st->cat, "Splashtop");
    rmmlog_field fields[32];
    size_t n = 0;
    for (size_t i = 0; i < ev->n_fields && n < sizeof fields / sizeof fields[0]; i++)
        fields[n++] = (rmmlog_field){ev->fields[i].name, ev->fields[i].value};
    rmmlog_rec r;
    if (t < 0 || !rmmlog_splashtop_event(ev->event_id, fields, n, &r))
        return 0;
    snprintf(r.time, sizeof r.time, "%s", ev->time_iso);
    /* the account that connected is the remote side of the session */
    if (!r.remote_name[0])
        snprintf(r.remote_name, sizeof r.remote_name, "%s", r.user);
    rmm_saw(c, (uint32_t)t, RMM_SEEN_SESSION_EVENT, ev->time, ev->artifact, "%s", ev->locator);
    rmm_log_fact(c, (uint32_t)t, &r, ev->file ? ev->file : ev->channel, ev->artifact, ev->locator);
    return 0;
}

static int on_install(void *ctx, const gl_event *ev)
{
    rmm_ctx *c = ctx;
    if (!strcmp(ev->channel, "Application") && ev->provider && strcmp(ev->provider, "MsiInstaller") != 0) {
        screenconnect_event(c, ev);
        return 0;
    }
    char product[256] = "";
    const char *name = gl_event_text(ev, "ServiceName");
    const char *image = gl_event_text(ev, ev->event_id == 4697 ? "ServiceFileName" : "ImagePath");
    rmmcat_hits hits;
    if (!strcmp(ev->channel, "Application")) {
        msi_product(c, ev, product, sizeof product, &hits);
        name = product;
        image = "";
    } else if (!rmmcat_match_service(c->st->cat, name, strlen(name), &hits)) {
        rmm_match_image(c, image, &hits);
    }
    for (size_t i = 0; i < hits.n; i++) {
        uint32_t t = hits.h[i].tool;
        gl_buf line = {0};
        gl_json j;
        gl_json_init(&j, &line);
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "source", "event");
        gl_json_kv_str(&j, "tool", rmm_tool_name(c, t));
        gl_json_kv_str(&j, "channel", ev->channel);
        gl_json_kv_uint(&j, "event_id", ev->event_id);
        gl_json_kv_uint(&j, "record", ev->record_id);
        gl_json_kv_str(&j, "time", ev->time_iso);
        if (*product) {
            gl_json_kv_str(&j, "product", product);
        } else {
            gl_json_kv_str(&j, "service", name);
            gl_json_kv_str(&j, "image_path", image);
        }
        gl_json_kv_str(&j, "matched", hits.h[i].what);
        if (ev->artifact)
            gl_json_kv_str(&j, "artifact", ev->artifact);
        gl_json_kv_str(&j, "locator", ev->locator);
        gl_json_obj_end(&j);
        gl_run_record(c->run, line.data, line.len);
        gl_buf_free(&line);
        rmm_saw(c, t, RMM_SEEN_EVENT, ev->time, ev->artifact, "%s", ev->locator);
        rmm_relay(c, t, image, ev->time, ev->artifact, ev->locator);
        gl_tl tl;
        gl_json *d = gl_tl_begin(&tl, c->run, "rmm.installed", ev->time, rmm_tool_name(c, t), ev->artifact,
                                 ev->locator);
        gl_json_kv_str(d, "how", install_how(ev->event_id));
        gl_json_kv_str(d, "name", name);
        gl_tl_end(&tl);
    }
    return 0;
}

int rmm_events(rmm_ctx *c, gl_err *err)
{
    if (gl_events_each(c->run, "System", on_install, c, err) != 0 ||
        gl_events_each(c->run, "Security", on_install, c, err) != 0 ||
        gl_events_each(c->run, "Application", on_install, c, err) != 0) {
        gl_run_error(c->run, "service-install events: %s", err->msg);
        return 0;
    }
    if (gl_events_each(c->run, RMM_SPLASHTOP_STATUS, on_splashtop, c, err) != 0 ||
        gl_events_each(c->run, RMM_SPLASHTOP_SESSION, on_splashtop, c, err) != 0)
        gl_run_error(c->run, "Splashtop events: %s", err->msg);
    return 0;
}

/* ---- firewall rules -------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int on_fw_record(void *ctx, const char *line, size_t n)
{
    rmm_ctx *c = ctx;
    cJSON *r = cJSON_ParseWithLength(line, n);
    if (!r)
        return 0;
    const char *app = jstr(r, "app");
    rmmcat_hits hits;
    if (*app && !strcmp(jstr(r, "action"), "Allow") && !strcmp(jstr(r, "direction"), "In") &&
        rmm_match_image(c, app, &hits)) {
        const char *art = jstr(r, "artifact"), *loc = jstr(r, "locator");
        for (size_t i = 0; i < hits.n; i++)
            rmm_saw(c, hits.h[i].tool, RMM_SEEN_FIREWALL, 0, *art ? art : NULL, "%s (inbound allow for %s)",
                    *loc ? loc : jstr(r, "rule_id"), app);
    }
    cJSON_Delete(r);
    return 0;
}

void rmm_firewall(rmm_ctx *c)
{
    gl_err err = {0};
    if (gl_run_each_record(c->run, "firewall", on_fw_record, c, &err) < 0)
        gl_run_error(c->run, "reading the firewall module's records: %s", err.msg);
}

#include "timeline.h"
#include <string.h>
#include "text.h"

/* Keep in step with docs/timeline.md (a test compares them). */
const gl_timeline_kind gl_timeline_kinds[] = {
    {"log.cleared", "an event log was cleared (subject: channel)"},
    {"log.service_stopped", "the EventLog service stopped or shut down (subject: channel that recorded it)"},
    {"log.service_disabled", "the EventLog service start type set to disabled (subject: service)"},
    {"log.audit_policy_changed", "audit policy changed (subject: subcategory)"},
    {"log.started", "an event log's first surviving record (subject: channel)"},
    {"system.boot", "the system started (subject: channel that recorded it)"},
    {"account.created", "a user account was created (subject: account)"},
    {"account.enabled", "a user account was enabled (subject: account)"},
    {"account.disabled", "a user account was disabled (subject: account)"},
    {"account.deleted", "a user account was deleted (subject: account)"},
    {"account.changed", "a user account's attributes changed (subject: account)"},
    {"account.password_reset", "an account's password was reset by another account (subject: account)"},
    {"account.password_changed", "an account changed its own password (subject: account)"},
    {"account.renamed", "a user account was renamed (subject: new name)"},
    {"account.unlocked", "a user account was unlocked (subject: account)"},
    {"account.group_added", "an account was added to a group (subject: account)"},
    {"account.group_removed", "an account was removed from a group (subject: account)"},
    {"logon", "a logon (subject: account; details: type, source address)"},
    {"logon.failed", "a failed logon (subject: account; details: type, source address)"},
    {"rdp.logon", "a Remote Desktop session logon or reconnection (subject: account)"},
    {"defender.exclusion.added", "a Defender exclusion appeared (subject: the excluded path/extension/process)"},
    {"defender.exclusion.removed", "a Defender exclusion was removed (subject: as above)"},
    {"defender.setting.changed", "a Defender setting changed (subject: setting)"},
    {"defender.protection.disabled", "a Defender protection was switched off (subject: protection)"},
    {"defender.protection.enabled", "a Defender protection was switched on (subject: protection)"},
    {"defender.detection", "Defender detected or acted on a threat (subject: threat name)"},
    {"firewall.profile.disabled", "the firewall was switched off for a profile (subject: profile)"},
    {"firewall.profile.changed", "a firewall profile setting changed (subject: profile)"},
    {"firewall.rule.added", "a firewall rule was added (subject: rule name)"},
    {"firewall.rule.changed", "a firewall rule was modified (subject: rule name)"},
    {"firewall.rule.deleted", "a firewall rule was deleted (subject: rule name)"},
    {"firewall.reset", "firewall policy reset to defaults or all rules deleted (subject: store)"},
    {"service.installed", "a service was installed (subject: service name)"},
    {"rmm.installed", "a remote-management tool was installed or first seen (subject: tool)"},
    {"rmm.connection", "a remote-management session (subject: tool; details: direction, remote id/address)"},
    {"rmm.file_transfer", "a file moved over a remote-management tool (subject: file name)"},
    {"task.created", "a scheduled task was registered (subject: task path)"},
    {"task.changed", "a scheduled task was updated (subject: task path)"},
    {"task.deleted", "a scheduled task was deleted (subject: task path)"},
    {"task.enabled", "a scheduled task was enabled (subject: task path)"},
    {"task.disabled", "a scheduled task was disabled (subject: task path)"},
    {"task.run", "a scheduled task ran (subject: task path)"},
    {"archive.created", "an archive file was created (subject: path)"},
    {"archiver.run", "an archiver ran with a command line (subject: program)"},
    {"archive.history", "an archiver's history names an archive (subject: path)"},
    {"yara.match", "a YARA rule matched a file or process (subject: rule)"},
    {"ioc.match", "an indicator matched a record (subject: indicator)"},
    {0, 0},
};

bool gl_timeline_kind_known(const char *kind)
{
    for (size_t i = 0; gl_timeline_kinds[i].kind; i++)
        if (!strcmp(gl_timeline_kinds[i].kind, kind))
            return true;
    return false;
}

gl_json *gl_tl_begin(gl_tl *t, gl_run *run, const char *kind, uint64_t filetime, const char *subject,
                     const char *artifact, const char *locator)
{
    memset(t, 0, sizeof *t);
    t->run = run;
    char iso[GL_TIME_STRLEN];
    t->valid = filetime && gl_filetime_iso(filetime, 7, iso);
    if (!gl_timeline_kind_known(kind)) {
        gl_run_error(run, "timeline event of kind '%s', which is not declared in detect/timeline.c", kind);
        t->valid = false;
    }
    const gl_module *m = gl_run_current(run);
    gl_json_init(&t->j, &t->line);
    gl_json_obj_begin(&t->j);
    gl_json_kv_str(&t->j, "time", t->valid ? iso : "");
    gl_json_kv_str(&t->j, "kind", kind);
    gl_json_kv_str(&t->j, "module", m ? m->name : "gleaner");
    gl_json_kv_str(&t->j, "host", gl_run_host(run));
    gl_json_kv_str(&t->j, "subject", subject);
    gl_json_kv_str(&t->j, "artifact", artifact);
    gl_json_kv_str(&t->j, "locator", locator);
    gl_json_key(&t->j, "details");
    gl_json_obj_begin(&t->j);
    return &t->j;
}

void gl_tl_end(gl_tl *t)
{
    gl_json_obj_end(&t->j);
    gl_json_obj_end(&t->j);
    if (t->valid)
        gl_run_timeline_line(t->run, t->line.data, t->line.len);
    gl_buf_free(&t->line);
}

/* The firewall module's logging part: the per-profile Logging settings
 * (local and policy) and the packet log they point to (pfirewall.log,
 * parsed by pfwlog.h). Internal to modules/firewall. Records
 * (records/firewall.jsonl):
 *   logging     store, control_set, profile, name, value (number or text),
 *               artifact, locator
 *   connection  time_local, time_format, action, protocol, src_ip, dst_ip,
 *               src_port, dst_port, pid, artifact, locator ("line N"):
 *               allowed inbound connections to a remote-access port
 *   packet_log  path, lines, entries, connections, bad_lines, artifact */
#ifndef GL_FW_LOGGING_H
#define GL_FW_LOGGING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "module.h"

#define FWLOG_MAX_PATHS 16

typedef struct fwlog {
    gl_run *run;
    char *paths[FWLOG_MAX_PATHS]; /* packet log paths named by the settings */
    size_t n_paths;
} fwlog;

/* The Logging subkey of one profile key (its full path): records, and
 * (judge) low findings for logging switched off by policy or the log
 * written outside its folder. Collects LogFilePath. */
void fwlog_profile(fwlog *l, const char *profile_path, const char *store, const char *set, const char *profile,
                   bool judge);
/* Read every packet log named (the default one when none is) and record
 * allowed inbound connections to the given ports; frees the paths. */
void fwlog_read_logs(fwlog *l, const uint16_t *ports, size_t n_ports);

#endif

/* Checks several detection modules make the same way.
 *
 *  - The built-in RMM catalog (modules/rmm/data/catalog.txt, embedded as
 *    "rmm/catalog.txt"): defender and firewall ask whether a program or a
 *    port belongs to a remote-management tool.
 *  - A security service set to disabled (Services\<name>\Start = 4 in the
 *    current control set): one finding naming the service.
 *  - Which service a Service Control Manager event (System 7036/7040)
 *    is about. */
#ifndef GL_SHARED_CHECKS_H
#define GL_SHARED_CHECKS_H
#include <stdbool.h>
#include "err.h"
#include "events.h"
#include "module.h"
#include "rmmcatalog.h"

/* The built-in catalog, or NULL in *out when the build has none. -1 with
 * err when it does not load. */
int gl_rmm_builtin(rmmcat **out, gl_err *err);

/* When HKLM\SYSTEM\CurrentControlSet\Services\<service>\Start is 4, emit
 * one finding of rule (severity high, the reason given) titled
 * "<what> <service> disabled". Lookup errors go to gl_run_error. */
void gl_check_service_disabled(gl_run *run, const char *service, const char *rule, const char *what,
                               const char *why);

/* Whether a System 7036/7040 event is about the service with key name key:
 * 7040 carries the key as param4 and 7036 (newer builds) as UTF-16LE hex
 * "<key>/<state>" in Binary; older builds give only the display name in
 * param1, matched against display_names (NULL-terminated; localised names
 * are not known). */
bool gl_scm_event_is_service(const gl_event *ev, const char *key, const char *const *display_names);

#endif

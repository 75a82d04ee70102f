/* Checks several detection modules make the same way.
 *
 *  - The built-in RMM catalog (modules/rmm/data/catalog.txt, embedded as
 *    "rmm/catalog.txt"): defender and firewall ask whether a program or a
 *    port belongs to a remote-management tool.
 *  - A security service set to disabled (Services\<name>\Start = 4 in the
 *    current control set): one finding naming the service. */
#ifndef GL_SHARED_CHECKS_H
#define GL_SHARED_CHECKS_H
#include "err.h"
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

#endif

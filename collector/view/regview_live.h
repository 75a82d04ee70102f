/* The registry of the running host, for a `live` source (regview.h).
 *
 * On Windows (regview_live_win32.c) the machine hives and every loaded
 * user hive are read through the registry API (the hive files are held
 * open by the kernel and cannot be read as files), 64-bit view:
 *   SYSTEM, SOFTWARE, SAM, SECURITY  HKLM\<name>
 *   DEFAULT                          HKU\.DEFAULT
 *   NTUSER / USRCLASS of a user      HKU\<SID> / HKU\<SID>_Classes
 * and, through the hive-file backend over the source, what is not loaded:
 * users who are not logged on (their NTUSER.DAT is a plain file then) and
 * Amcache.hve. Live keys have no deleted material and no transaction
 * logs. On other platforms there is no live registry: 1 is returned and
 * the caller reads hive files as for any other source. */
#ifndef GL_REGVIEW_LIVE_H
#define GL_REGVIEW_LIVE_H
#include "regview.h"

/* 0 with *out filled, 1 when this platform has no live registry, -1 with
 * err when it has one that cannot be used. */
int gl_regview_live_backend(gl_source *src, const gl_regview_options *opt, gl_regview_backend *out,
                            gl_err *err);

#endif

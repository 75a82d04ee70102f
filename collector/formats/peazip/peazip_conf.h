/* PeaZip's configuration file (conf.txt, in %APPDATA%\PeaZip or a portable
 * copy's res\conf): plain text, one value a line, each group of values
 * under a "[label]" line. PeaZip keeps its recent archives under "[save
 * history of recent archives]" (a 0/1 "keep history" line, then eight
 * slots, empty when unused) and recent folders under "[save history of
 * recent directories]" (eight slots); "[last output path]" and "[last
 * successful extraction path]" hold one path each. This parser hands back
 * the non-empty entries of those groups; everything else is ignored. */
#ifndef GL_PEAZIP_CONF_H
#define GL_PEAZIP_CONF_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define GL_PEAZIP_MAX_LINE 32768u  /* a longer line is not PeaZip's */
#define GL_PEAZIP_MAX_ENTRIES 64u  /* per group; PeaZip keeps 8 */

typedef enum gl_peazip_list {
    GL_PEAZIP_RECENT_ARCHIVES,
    GL_PEAZIP_RECENT_DIRS,
    GL_PEAZIP_LAST_OUTPUT,
    GL_PEAZIP_LAST_EXTRACTION,
} gl_peazip_list;

/* value: UTF-8 (a line that is not valid UTF-8 is read as Latin-1, which
 * old ANSI builds wrote); line: 1-based line number in the file. */
typedef void (*gl_peazip_cb)(void *ctx, gl_peazip_list list, const char *value, size_t line);

/* Calls cb for each entry, in file order. Returns 0, or -1 with err set
 * (naming the line and what was expected) after the entries before the
 * damage were delivered: a NUL byte, a line over GL_PEAZIP_MAX_LINE, more
 * than GL_PEAZIP_MAX_ENTRIES entries in a group. */
int gl_peazip_conf_parse(const uint8_t *data, size_t len, gl_peazip_cb cb, void *ctx, gl_err *err);

/* "recent archives", "recent directories", "last output path",
 * "last extraction path" */
const char *gl_peazip_list_name(gl_peazip_list list);

#endif

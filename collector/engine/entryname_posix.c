/* POSIX: the UTF-8 name is all libarchive needs (main sets a UTF-8
 * LC_CTYPE). See entryname.h. */
#include "entryname.h"

void gl_entry_set_name(struct archive_entry *e, const char *utf8) { archive_entry_set_pathname_utf8(e, utf8); }

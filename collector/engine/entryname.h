/* Naming a new libarchive entry by its UTF-8 member name, per platform
 * (entryname_posix.c, entryname_win32.c). On Windows libarchive keeps
 * names in the ANSI code page and its pax writer refuses an entry whose
 * UTF-8 name has no form there unless the wide form is set too
 * (../shared/spec/build-notes.md, pitfall 8); the pax header is written
 * from the wide form as UTF-8 either way. */
#ifndef GL_ENTRYNAME_H
#define GL_ENTRYNAME_H
#include <archive_entry.h>

void gl_entry_set_name(struct archive_entry *e, const char *utf8);

#endif

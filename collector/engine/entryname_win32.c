/* Windows: the UTF-8 name and its wide form (entryname.h). */
#include <stdlib.h>
#include "entryname.h"

void gl_entry_set_name(struct archive_entry *e, const char *utf8)
{
    archive_entry_set_pathname_utf8(e, utf8);
    wchar_t *w = gl_w32_from_utf8(utf8);
    if (w) /* member names are valid UTF-8 (|XX escapes), so this holds */
        archive_entry_copy_pathname_w(e, w);
    free(w);
}

/* Sorting text lines in bounded memory, for timelines of any size: lines
 * are gathered up to a memory budget, sorted in byte order and written as
 * runs to files in a work directory; finishing merges the runs into one
 * sorted file. Merges open at most GL_MERGE_FANIN files at once (in passes),
 * so a thousand hosts' timelines merge within the descriptor limit. */
#ifndef GL_EXTSORT_H
#define GL_EXTSORT_H
#include <stddef.h>
#include "err.h"

#define GL_MERGE_FANIN 64

typedef struct gl_sorter gl_sorter;

/* Runs go to work_dir (which must exist); budget in bytes of line text. */
gl_sorter *gl_sorter_new(const char *work_dir, size_t budget);
/* One line, without its newline (a '\n' inside is refused). */
int gl_sorter_add(gl_sorter *s, const char *line, size_t n, gl_err *err);
/* Write every line added, sorted, to out_path (replaced). Frees s. */
int gl_sorter_finish(gl_sorter *s, const char *out_path, gl_err *err);
void gl_sorter_free(gl_sorter *s);

/* Merge files that are each sorted into out_path; intermediate files go to
 * work_dir and are removed. The inputs are left alone. */
int gl_merge_sorted(const char *const *paths, size_t n, const char *work_dir, const char *out_path, gl_err *err);

#endif

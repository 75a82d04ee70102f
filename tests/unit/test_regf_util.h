/* Helpers shared by the regf tests: open a hive file (with logs) through the
 * library, turn a parsed hive or a `reg dump` into the listing format of
 * tests/tools/regf_reference.py, run that reference, compare listings. */
#ifndef GL_TEST_REGF_UTIL_H
#define GL_TEST_REGF_UTIL_H
#include "regf.h"

/* Open path (logs may be NULL) from memory; NULL with err like regf_open. */
regf_hive *tr_open(const char *path, const char *log1, const char *log2, const regf_options *opt, gl_err *err);
/* Sorted "K\t<path>\t<last write ISO>\t<class>" and
 * "V\t<path>\t<name>\t<type>\t<hex>" lines of the live tree; counts keys
 * and values. */
char *tr_listing(regf_hive *h, size_t *keys, size_t *values);
/* The reference script's escaping of a UTF-8 string. */
void tr_esc(gl_buf *out, const char *s);
/* Run tests/tools/regf_reference.py [mode] on path; stderr into *err_text
 * (heap) when err_text is not NULL. Asserts exit status 0. */
char *tr_reference(const char *path, const char *mode, char **err_text);
/* Sort the lines of text (heap result). */
char *tr_sorted(char **lines, size_t n);
/* Fail with the first differing line. */
void tr_assert_same(const char *mine, const char *ref, const char *what);
/* deleted-win.hive with its hive bins copied once more after their end
 * (the size field unchanged), as a hive that shrank leaves its old bins,
 * opened from img (which must outlive the hive) with deleted recovery on.
 * *bins_len: the size of the original bins. */
regf_hive *tr_open_remnant(gl_buf *img, gl_mem_reader *m, gl_reader *r, size_t *bins_len);
/* Write the parsed image to a scratch file; returns its path. */
char *tr_write_image(regf_hive *h, const char *tag);

#endif

/* Case-insensitive comparison of UTF-8 names as Windows does it for the
 * scripts a responder meets in practice: ASCII, Latin-1, Latin Extended-A,
 * Greek and Cyrillic. Other code points compare exactly. */
#ifndef GL_FOLD_H
#define GL_FOLD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one code point. A byte that does not start valid UTF-8 decodes,
 * alone, to GL_UTF8_INVALID + byte: outside Unicode, so it compares only
 * to itself and callers can tell it apart. Returns bytes consumed (>= 1). */
#define GL_UTF8_INVALID 0x110000u
size_t gl_utf8_decode(const char *s, size_t n, uint32_t *cp);
uint32_t gl_fold_cp(uint32_t cp);
/* 0 when equal ignoring case; n1/n2 are byte lengths. */
int gl_name_casecmp(const char *a, size_t n1, const char *b, size_t n2);
bool gl_name_equal(const char *a, const char *b);

#endif

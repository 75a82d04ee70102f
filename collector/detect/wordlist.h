/* Word lists: detection data kept as plain text beside a module
 * (modules/<m>/data/<file>, one entry per line, '#' comments, blank lines
 * ignored), embedded compressed at build time and loaded here. Lookups
 * are case-insensitive (NTFS folding) and take O(log n). */
#ifndef GL_WORDLIST_H
#define GL_WORDLIST_H
#include <stdbool.h>
#include <stddef.h>
#include "err.h"

typedef struct gl_wordlist {
    char **words; /* sorted by folded comparison */
    size_t n;
} gl_wordlist;

/* Load embedded data "<module>/<file>"; -1 with err when it is missing. */
int gl_wordlist_embedded(gl_wordlist *wl, const char *name, gl_err *err);
/* Load from text (n bytes). */
void gl_wordlist_parse(gl_wordlist *wl, const char *text, size_t n);
bool gl_wordlist_has(const gl_wordlist *wl, const char *word);
void gl_wordlist_free(gl_wordlist *wl);

#endif

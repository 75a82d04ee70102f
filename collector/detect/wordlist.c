#include "wordlist.h"
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "embedded.h"
#include "fold.h"

static int cmp_words(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return gl_name_casecmp(x, strlen(x), y, strlen(y));
}

void gl_wordlist_parse(gl_wordlist *wl, const char *text, size_t n)
{
    memset(wl, 0, sizeof *wl);
    size_t cap = 0;
    for (size_t pos = 0; pos < n;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - line) : n - pos;
        pos += len + 1;
        const char *hash = memchr(line, '#', len);
        if (hash)
            len = (size_t)(hash - line);
        while (len && (line[0] == ' ' || line[0] == '\t'))
            line++, len--;
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
            len--;
        if (!len)
            continue;
        if (wl->n == cap) {
            cap = cap ? cap * 2 : 32;
            wl->words = gl_xrealloc(wl->words, cap * sizeof *wl->words);
        }
        char *w = gl_xmalloc(len + 1);
        memcpy(w, line, len);
        w[len] = '\0';
        wl->words[wl->n++] = w;
    }
    if (wl->n)
        qsort(wl->words, wl->n, sizeof *wl->words, cmp_words);
}

int gl_wordlist_embedded(gl_wordlist *wl, const char *name, gl_err *err)
{
    size_t n;
    const char *text = gl_embedded_data(name, &n);
    if (!text) {
        memset(wl, 0, sizeof *wl);
        return gl_err_set(err, "embedded data %s is missing from this build", name);
    }
    gl_wordlist_parse(wl, text, n);
    return 0;
}

bool gl_wordlist_has(const gl_wordlist *wl, const char *word)
{
    return wl->n && bsearch(&word, wl->words, wl->n, sizeof *wl->words, cmp_words) != NULL;
}

void gl_wordlist_free(gl_wordlist *wl)
{
    for (size_t i = 0; i < wl->n; i++)
        free(wl->words[i]);
    free(wl->words);
    memset(wl, 0, sizeof *wl);
}

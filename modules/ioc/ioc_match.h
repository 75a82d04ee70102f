/* The ioc module's indicator index: hash sets keyed by type and value, so
 * matching a string costs a few lookups per token whatever the number of
 * indicators, and the whole pass stays linear in the records read. */
#ifndef GL_IOC_MATCH_H
#define GL_IOC_MATCH_H
#include <stdbool.h>
#include <stddef.h>
#include "iocfile.h"

typedef struct ioc_entry {
    gl_ioc_type type;
    char *value;   /* normalised, as the parser gave it */
    int severity;  /* GL_IOC_SEV_NONE: the default (high) */
    char *note;
    char *origin;  /* "built-in muddled-libra.txt:12" or "FILE:LINE" */
    bool builtin;
} ioc_entry;

typedef struct ioc_set ioc_set;

ioc_set *ioc_set_new(void);
void ioc_set_free(ioc_set *s);
/* Add one indicator; a repeated one replaces the earlier (the user's line
 * wins over the built-in). */
void ioc_set_add(ioc_set *s, const gl_ioc *ioc, const char *origin, bool builtin);
size_t ioc_set_count(const ioc_set *s);

/* Every indicator found in text (n bytes): IPv4/IPv6 addresses (exact or
 * inside a CIDR), domains on label boundaries (a domain indicator matches
 * it and its subdomains, a wildcard only subdomains), hashes, and file
 * names (path components and words). cb gets the entry and the token that
 * matched; it may be called twice for one entry. */
typedef void (*ioc_hit_cb)(void *ctx, const ioc_entry *e, const char *token, size_t n);
void ioc_set_scan(const ioc_set *s, const char *text, size_t n, ioc_hit_cb cb, void *ctx);

#endif

/* Indicator files (`--ioc FILE` and the built-in list): one indicator per
 * line, its type recognised from its shape, optionally followed by a
 * severity; '#' starts a comment (the text after it is kept as the
 * indicator's note).
 *
 *   104.247.82.11                  IPv4
 *   2001:db8::7 medium             IPv6, with a severity
 *   10.20.0.0/16                   CIDR (IPv4 or IPv6)
 *   transfer.sh   # exfiltration   domain (also matches its subdomains)
 *   *.wasabisys.com                wildcard: subdomains only
 *   <64|40|32 hex digits>          SHA-256 / SHA-1 / MD5
 *   rsocx.exe                      file name (a name with a program, script,
 *                                  archive or dump extension, or no dot)
 *   domain:x.zip  filename:a.sh    an explicit type where the shape is ambiguous
 *   hxxps://evil.example:8443/x    a URL: its host (domain or address)
 *
 * Defanged forms from reports are accepted ("1.2.3[.]4", "evil[.]example",
 * "hxxp://").
 * A line that fits no type, a bad address or prefix, or an unknown
 * severity is an error naming the file and line. */
#ifndef GL_IOCFILE_H
#define GL_IOCFILE_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef enum gl_ioc_type {
    GL_IOC_IPV4,
    GL_IOC_IPV6,
    GL_IOC_CIDR4,
    GL_IOC_CIDR6,
    GL_IOC_DOMAIN,   /* the domain and every subdomain */
    GL_IOC_WILDCARD, /* "*.d": subdomains of d only; value is "d" */
    GL_IOC_SHA256,
    GL_IOC_SHA1,
    GL_IOC_MD5,
    GL_IOC_FILENAME,
} gl_ioc_type;

#define GL_IOC_SEV_NONE (-1)

typedef struct gl_ioc {
    gl_ioc_type type;
    const char *value;  /* normalised: lowercase; addresses in canonical text; CIDR as "net/len" */
    uint8_t addr[16];   /* IPv4 in addr[0..3]; network address for CIDRs (host bits cleared) */
    unsigned prefix;    /* CIDR prefix length; 32/128 for single addresses */
    int severity;       /* 0 info .. 4 critical, or GL_IOC_SEV_NONE */
    const char *note;   /* text after '#', trimmed; "" when none */
    size_t line;        /* 1-based */
} gl_ioc;

const char *gl_ioc_type_name(gl_ioc_type t); /* "ipv4", "cidr", "domain", "sha256", "filename", ... */

/* Parse text (n bytes, need not be NUL-terminated) named `name` in errors.
 * cb gets each indicator (its strings live until cb returns); non-zero
 * from cb stops and is returned. -1 with err (GL_ERR_USAGE,
 * "NAME:LINE: ...") at the first malformed line. Lines longer than 4 KiB
 * are malformed. */
typedef int (*gl_ioc_cb)(void *ctx, const gl_ioc *ioc);
int gl_iocfile_parse(const char *text, size_t n, const char *name, gl_ioc_cb cb, void *ctx, gl_err *err);

/* Shared with the matcher so both read addresses the same way. */
int gl_ioc_parse_ipv4(const char *s, size_t n, uint8_t out[4]);  /* 0 when strict dotted quad */
int gl_ioc_parse_ipv6(const char *s, size_t n, uint8_t out[16]); /* 0 when valid */

#endif

/* Indicator file parser (format in iocfile.h). */
#include "iocfile.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_LINE 4096
#define MAX_DOMAIN 253
#define MAX_LABEL 63
#define MAX_FILENAME 255

const char *gl_ioc_type_name(gl_ioc_type t)
{
    static const char *const names[] = {"ipv4", "ipv6", "cidr", "cidr", "domain",
                                        "domain", "sha256", "sha1", "md5", "filename"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

int gl_ioc_parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
        unsigned v = 0, digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (!digits || digits > 3 || v > 255)
            return -1;
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

int gl_ioc_parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, out) == 1 ? 0 : -1;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* Domain shape: two or more labels of letters, digits, '-' and '_' (seen
 * in real hostnames), no label empty or over 63, a TLD not all digits. */
static bool is_domain(const char *s)
{
    size_t n = strlen(s), labels = 0, len = 0;
    if (!n || n > MAX_DOMAIN)
        return false;
    const char *last = s;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!len || len > MAX_LABEL)
                return false;
            labels++;
            last = s + i - len;
            len = 0;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '_')
            return false;
        len++;
    }
    bool tld_digits = true;
    for (const char *p = last; *p; p++)
        tld_digits &= isdigit((unsigned char)*p) != 0;
    return labels >= 2 && !tld_digits;
}

static bool is_filename(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > MAX_FILENAME || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || strchr("\\/:*?\"<>|", c))
            return false;
    }
    return true;
}

/* Extensions that make "name.ext" a file rather than a domain. Kept out:
 * extensions that are busy TLDs for the actor's services (.sh of
 * transfer.sh, .io, .com). */
static bool file_extension(const char *s)
{
    static const char *const exts[] = {"exe", "dll", "sys", "ps1", "psm1", "bat", "cmd", "vbs", "vbe", "js",
                                       "jse", "hta", "scr", "msi", "lnk", "jar", "py", "zip", "rar", "7z",
                                       "gz", "tar", "dmp", "kirbi", "iso", "img", "txt", "log", "dat", "bin",
                                       "tmp", "yar", "conf", "ini", "toml", "json", "xml", "db", "so", "elf"};
    const char *dot = strrchr(s, '.');
    if (!dot)
        return false;
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (!strcasecmp(dot + 1, exts[i]))
            return true;
    return false;
}

/* "1.2.3[.]4" -> "1.2.3.4", lowercased. */
static void refang_lower(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n && strchr("[({", in[i]) && (in[i + 1] == '.' || in[i + 1] == ':') && strchr("])}", in[i + 2])) {
            out[o++] = in[i + 1];
            i += 2;
            continue;
        }
        out[o++] = (char)tolower((unsigned char)in[i]);
    }
    out[o] = '\0';
}

static int parse_severity(const char *s, size_t n)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (strlen(names[i]) == n && !strncasecmp(s, names[i], n))
            return i;
    return GL_IOC_SEV_NONE;
}

static void clear_host_bits(uint8_t *a, unsigned bytes, unsigned prefix)
{
    for (unsigned i = 0; i < bytes; i++) {
        unsigned keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? prefix - i * 8 : 0;
        a[i] &= (uint8_t)(0xff00u >> keep);
    }
}

static int classify_cidr(gl_ioc *ioc, char *v, char *canon, const char *name, size_t line, gl_err *err)
{
    char *slash = strrchr(v, '/');
    *slash = '\0';
    const char *p = slash + 1;
    unsigned prefix = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4) {
        prefix = prefix * 10 + (unsigned)(*p++ - '0');
        digits++;
    }
    if (!digits || *p)
        return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s/%s': prefix length is not a number", name, line, v,
                           slash + 1);
    if (gl_ioc_parse_ipv4(v, strlen(v), ioc->addr) == 0) {
        if (prefix > 32)
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s/%u': an IPv4 prefix is at most 32", name, line, v,
                               prefix);
        clear_host_bits(ioc->addr, 4, prefix);
        snprintf(canon, MAX_LINE, "%u.%u.%u.%u/%u", ioc->addr[0], ioc->addr[1], ioc->addr[2], ioc->addr[3], prefix);
        ioc->type = GL_IOC_CIDR4;
    } else if (gl_ioc_parse_ipv6(v, strlen(v), ioc->addr) == 0) {
        if (prefix > 128)
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s/%u': an IPv6 prefix is at most 128", name, line, v,
                               prefix);
        clear_host_bits(ioc->addr, 16, prefix);
        char txt[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, ioc->addr, txt, sizeof txt);
        snprintf(canon, MAX_LINE, "%s/%u", txt, prefix);
        ioc->type = GL_IOC_CIDR6;
    } else {
        return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s/%s': not an IPv4 or IPv6 network", name, line, v,
                           slash + 1);
    }
    ioc->prefix = prefix;
    return 0;
}

/* Type of one refanged, lowercased indicator; canon receives its value. */
static int classify(gl_ioc *ioc, char *v, char *canon, const char *name, size_t line, gl_err *err)
{
    size_t n = strlen(v);
    if (!strncmp(v, "domain:", 7) || !strncmp(v, "filename:", 9)) {
        bool dom = v[0] == 'd';
        const char *rest = v + (dom ? 7 : 9);
        if (dom ? !is_domain(rest) : !is_filename(rest))
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s' is not a valid %s", name, line, rest,
                               dom ? "domain" : "file name");
        ioc->type = dom ? GL_IOC_DOMAIN : GL_IOC_FILENAME;
        snprintf(canon, MAX_LINE, "%s", rest);
        return 0;
    }
    if (!strncmp(v, "hxxp", 4)) /* defanged scheme */
        v[1] = v[2] = 't';
    char *scheme = strstr(v, "://");
    if (scheme) { /* a URL from a report: its host is the indicator */
        char url[MAX_LINE + 1];
        snprintf(url, sizeof url, "%s", v);
        char *host = scheme + 3, *end = host + strcspn(host, "/?#");
        *end = '\0';
        char *at = strrchr(host, '@');
        if (at)
            host = at + 1;
        if (*host == '[') { /* [v6]:port */
            char *close = strchr(host, ']');
            if (close)
                *close = '\0';
            host++;
        } else if (strchr(host, ':') == strrchr(host, ':') && strchr(host, ':')) {
            *strchr(host, ':') = '\0'; /* host:port */
        }
        if (!*host || strchr(host, '/'))
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s': a URL without a host", name, line, url);
        memmove(v, host, strlen(host) + 1);
        n = strlen(v);
    }
    if (strchr(v, '/'))
        return classify_cidr(ioc, v, canon, name, line, err);
    if (gl_ioc_parse_ipv4(v, n, ioc->addr) == 0) {
        ioc->type = GL_IOC_IPV4;
        ioc->prefix = 32;
        snprintf(canon, MAX_LINE, "%u.%u.%u.%u", ioc->addr[0], ioc->addr[1], ioc->addr[2], ioc->addr[3]);
        return 0;
    }
    if (strchr(v, ':')) {
        if (gl_ioc_parse_ipv6(v, n, ioc->addr) != 0)
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s' is not a valid IPv6 address", name, line, v);
        ioc->type = GL_IOC_IPV6;
        ioc->prefix = 128;
        inet_ntop(AF_INET6, ioc->addr, canon, INET6_ADDRSTRLEN);
        return 0;
    }
    if (is_hex(v, n) && (n == 64 || n == 40 || n == 32)) {
        ioc->type = n == 64 ? GL_IOC_SHA256 : n == 40 ? GL_IOC_SHA1 : GL_IOC_MD5;
        snprintf(canon, MAX_LINE, "%s", v);
        return 0;
    }
    if (!strncmp(v, "*.", 2) && is_domain(v + 2)) {
        ioc->type = GL_IOC_WILDCARD;
        snprintf(canon, MAX_LINE, "%s", v + 2);
        return 0;
    }
    if (is_domain(v) && !file_extension(v)) {
        ioc->type = GL_IOC_DOMAIN;
        snprintf(canon, MAX_LINE, "%s", v);
        return 0;
    }
    bool digits_dots = true;
    for (const char *p = v; *p; p++)
        digits_dots &= (isdigit((unsigned char)*p) || *p == '.') != 0;
    if (is_filename(v) && !digits_dots && !is_hex(v, n)) {
        ioc->type = GL_IOC_FILENAME;
        snprintf(canon, MAX_LINE, "%s", v);
        return 0;
    }
    return gl_err_setc(err, GL_ERR_USAGE,
                       "%s:%zu: cannot tell what '%s' is (expected an IPv4/IPv6 address, a CIDR, a domain, a "
                       "SHA-256/SHA-1/MD5 hash or a file name)",
                       name, line, v);
}

static const char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int parse_line(char *l, size_t line, const char *name, gl_ioc_cb cb, void *ctx, gl_err *err)
{
    static const char ws[] = " \t\r";
    char *hash = strchr(l, '#');
    const char *note = "";
    if (hash) {
        *hash = '\0';
        note = trim(hash + 1);
    }
    char *save = NULL, *tok = strtok_r(l, ws, &save);
    if (!tok)
        return 0; /* blank or comment */
    char *sev = strtok_r(NULL, ws, &save), *extra = strtok_r(NULL, ws, &save);
    if (extra)
        return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: '%s': expected one indicator and an optional severity",
                           name, line, extra);
    gl_ioc ioc = {.severity = GL_IOC_SEV_NONE, .note = note, .line = line};
    if (sev && (ioc.severity = parse_severity(sev, strlen(sev))) == GL_IOC_SEV_NONE)
        return gl_err_setc(err, GL_ERR_USAGE,
                           "%s:%zu: '%s': not a severity (info, low, medium, high or critical)", name, line, sev);
    char v[MAX_LINE + 1], canon[MAX_LINE + 1];
    refang_lower(tok, strlen(tok), v);
    if (classify(&ioc, v, canon, name, line, err) != 0)
        return -1;
    ioc.value = canon;
    return cb(ctx, &ioc);
}

int gl_iocfile_parse(const char *text, size_t n, const char *name, gl_ioc_cb cb, void *ctx, gl_err *err)
{
    char buf[MAX_LINE + 1];
    size_t line = 0, pos = 0;
    if (n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) /* a BOM from Windows editors */
        pos = 3;
    while (pos < n) {
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t len = (nl ? (size_t)(nl - text) : n) - pos;
        line++;
        if (len > MAX_LINE)
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: line longer than %d bytes", name, line, MAX_LINE);
        memcpy(buf, text + pos, len);
        buf[len] = '\0';
        if (memchr(buf, '\0', len))
            return gl_err_setc(err, GL_ERR_USAGE, "%s:%zu: NUL byte (not a text file?)", name, line);
        int rc = parse_line(buf, line, name, cb, ctx, err);
        if (rc != 0)
            return rc;
        pos += len + 1;
    }
    return 0;
}

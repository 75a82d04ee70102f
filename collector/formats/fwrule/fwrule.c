/* Firewall rule strings (MS-GPFAS 2.2.2.19) and the firewall's numeric
 * codes. See fwrule.h. */
#include "fwrule.h"
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

/* ---- small text helpers -------------------------------------------------- */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool ieq(const char *p, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)p[i]) != lower((unsigned char)lit[i]))
            return false;
    return true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Decimal digits only, at most max_digits of them, value <= max. */
static bool parse_dec(const char *p, size_t n, size_t max_digits, uint32_t max, uint32_t *out)
{
    if (n == 0 || n > max_digits)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        v = v * 10 + (uint32_t)(p[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

/* The offending text for an error message: at most 48 bytes, bytes
 * outside printable ASCII as \xHH, so messages stay one readable line. */
static const char *shown(const char *p, size_t n, char out[256])
{
    size_t o = 0;
    size_t lim = n > 48 ? 48 : n;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, 8, "\\x%02X", c);
    }
    if (lim < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---- ports ---------------------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t flag;
} port_keywords[] = {
    {"RPC", FW_PORT_KW_RPC},
    {"RPC-EPMap", FW_PORT_KW_RPC_EPMAP},
    {"Teredo", FW_PORT_KW_TEREDO},
    {"IPHTTPSIn", FW_PORT_KW_IPHTTPS_IN},
    {"IPTLSIn", FW_PORT_KW_IPHTTPS_IN},
    {"IPHTTPSOut", FW_PORT_KW_IPHTTPS_OUT},
    {"IPTLSOut", FW_PORT_KW_IPHTTPS_OUT},
    {"IPHTTPS", FW_PORT_KW_IPHTTPS_IN | FW_PORT_KW_IPHTTPS_OUT},
    {"DHCP", FW_PORT_KW_DHCP},
    {"Ply2Disc", FW_PORT_KW_PLY2DISC},
    {"mDNS", FW_PORT_KW_MDNS},
};

/* A keyword: a letter, then letters, digits, '-' or '_' (at most 64). */
static bool is_keyword(const char *p, size_t n)
{
    if (n == 0 || n > 64 || !is_alpha(p[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_alpha(p[i]) && !is_digit(p[i]) && p[i] != '-' && p[i] != '_')
            return false;
    return true;
}

int fw_port_parse(const char *s, size_t n, fw_port *out, gl_err *err)
{
    char tmp[256];
    memset(out, 0, sizeof *out);
    out->text = (fw_str){s, n};
    if (n == 0)
        return gl_err_setc(err, GL_ERR_DAMAGED, "expected a port, found nothing");
    if (ieq(s, n, "*") || ieq(s, n, "Any")) {
        out->kind = FW_PORT_ANY;
        return 0;
    }
    if (is_digit(s[0])) {
        const char *dash = memchr(s, '-', n);
        size_t n1 = dash ? (size_t)(dash - s) : n;
        uint32_t lo, hi;
        if (!parse_dec(s, n1, 5, 65535, &lo))
            return gl_err_setc(err, GL_ERR_DAMAGED, "expected a port 0..65535, found \"%s\"", shown(s, n, tmp));
        hi = lo;
        if (dash && !parse_dec(dash + 1, n - n1 - 1, 5, 65535, &hi))
            return gl_err_setc(err, GL_ERR_DAMAGED, "expected a port range lo-hi, found \"%s\"", shown(s, n, tmp));
        if (hi < lo)
            return gl_err_setc(err, GL_ERR_DAMAGED, "port range \"%s\" ends before it starts", shown(s, n, tmp));
        out->kind = FW_PORT_RANGE;
        out->lo = (uint16_t)lo;
        out->hi = (uint16_t)hi;
        return 0;
    }
    if (!is_keyword(s, n))
        return gl_err_setc(err, GL_ERR_DAMAGED, "expected a port, range or keyword, found \"%s\"", shown(s, n, tmp));
    out->kind = FW_PORT_KEYWORD;
    for (size_t i = 0; i < sizeof port_keywords / sizeof port_keywords[0]; i++)
        if (ieq(s, n, port_keywords[i].name))
            out->keyword = port_keywords[i].flag;
    return 0;
}

bool fw_ports_cover(const fw_port *ports, size_t n, uint16_t p)
{
    for (size_t i = 0; i < n; i++) {
        if (ports[i].kind == FW_PORT_ANY)
            return true;
        if (ports[i].kind == FW_PORT_RANGE && ports[i].lo <= p && p <= ports[i].hi)
            return true;
    }
    return false;
}

/* ---- addresses ------------------------------------------------------------ */

static const struct {
    const char *name;
    uint32_t flag;
} addr_keywords[] = {
    {"LocalSubnet", FW_ADDR_KW_LOCAL_SUBNET},
    {"DNS", FW_ADDR_KW_DNS},
    {"DHCP", FW_ADDR_KW_DHCP},
    {"WINS", FW_ADDR_KW_WINS},
    {"DefaultGateway", FW_ADDR_KW_DEFAULT_GATEWAY},
    {"IntrAnet", FW_ADDR_KW_INTRANET},
    {"IntErnet", FW_ADDR_KW_INTERNET},
    {"Ply2Renders", FW_ADDR_KW_PLAYTO_RENDERERS},
    {"PlayToDevice", FW_ADDR_KW_PLAYTO_RENDERERS},
    {"RmtIntrAnet", FW_ADDR_KW_REMOTE_INTRANET},
    {"IntranetRemoteAccess", FW_ADDR_KW_REMOTE_INTRANET},
    {"CaptivePortal", FW_ADDR_KW_CAPTIVE_PORTAL},
};

static uint32_t addr_keyword(const char *s, size_t n)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof addr_keywords / sizeof addr_keywords[0]; i++)
            if (ieq(s, n, addr_keywords[i].name))
                return addr_keywords[i].flag;
        /* Events and PowerShell restrict a keyword to one family with a
         * trailing 4 or 6 ("LocalSubnet4"). */
        if (pass == 0 && n > 1 && (s[n - 1] == '4' || s[n - 1] == '6'))
            n--;
        else
            break;
    }
    return 0;
}

/* Strict dotted quad: four decimal octets, no leading '+', no spaces. */
static bool parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t part = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.')
            continue;
        uint32_t v;
        if (part >= 4 || !parse_dec(s + start, i - start, 3, 255, &v))
            return false;
        out[part++] = (uint8_t)v;
        start = i + 1;
    }
    return part == 4;
}

static bool parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    char buf[64];
    if (n == 0 || n >= sizeof buf || memchr(s, '\0', n))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET6, buf, out) == 1;
}

static bool parse_ip(int family, const char *s, size_t n, uint8_t out[16])
{
    memset(out, 0, 16);
    return family == 4 ? parse_ipv4(s, n, out) : parse_ipv6(s, n, out);
}

/* lo/hi of the subnet addr/prefix over nbytes bytes. */
static void apply_prefix(fw_addr *a, size_t nbytes, int prefix)
{
    for (size_t i = 0; i < nbytes; i++) {
        int bits = prefix - (int)(i * 8);
        uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
        a->hi[i] = (uint8_t)(a->lo[i] | (uint8_t)~mask);
        a->lo[i] = (uint8_t)(a->lo[i] & mask);
    }
    a->prefix = prefix;
}

/* A dotted IPv4 mask (255.255.240.0) as a prefix length; -1 when the ones
 * are not contiguous. */
static int mask_prefix(const uint8_t m[4])
{
    uint32_t v = ((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3];
    int ones = 0;
    while (ones < 32 && (v & (0x80000000u >> ones)))
        ones++;
    uint32_t expect = ones == 0 ? 0 : 0xffffffffu << (32 - ones);
    return v == expect ? ones : -1;
}

static int parse_subnet(fw_addr *out, const char *s, size_t n, const char *slash, gl_err *err)
{
    char tmp[256];
    size_t n1 = (size_t)(slash - s);
    const char *m = slash + 1;
    size_t mn = n - n1 - 1;
    size_t nbytes = out->family == 4 ? 4 : 16;
    if (!parse_ip(out->family, s, n1, out->lo))
        return gl_err_setc(err, GL_ERR_DAMAGED, "expected an IPv%d subnet, found \"%s\"", out->family, shown(s, n, tmp));
    uint32_t prefix;
    uint8_t mask[16];
    if (parse_dec(m, mn, 3, (uint32_t)nbytes * 8, &prefix)) {
        apply_prefix(out, nbytes, (int)prefix);
        return 0;
    }
    int p;
    if (out->family == 4 && parse_ipv4(m, mn, mask) && (p = mask_prefix(mask)) >= 0) {
        apply_prefix(out, nbytes, p);
        return 0;
    }
    return gl_err_setc(err, GL_ERR_DAMAGED, "bad prefix or mask in subnet \"%s\"", shown(s, n, tmp));
}

int fw_addr_parse(const char *s, size_t n, fw_addr *out, gl_err *err)
{
    char tmp[256];
    memset(out, 0, sizeof *out);
    out->text = (fw_str){s, n};
    out->prefix = -1;
    if (n == 0)
        return gl_err_setc(err, GL_ERR_DAMAGED, "expected an address, found nothing");
    if (ieq(s, n, "*") || ieq(s, n, "Any")) {
        out->kind = FW_ADDR_ANY;
        return 0;
    }
    bool v6 = memchr(s, ':', n) != NULL;
    if (!v6 && !is_digit(s[0])) {
        if (!is_keyword(s, n))
            return gl_err_setc(err, GL_ERR_DAMAGED, "expected an address, range, subnet or keyword, found \"%s\"",
                              shown(s, n, tmp));
        out->kind = FW_ADDR_KEYWORD;
        out->keyword = addr_keyword(s, n);
        return 0;
    }
    out->kind = FW_ADDR_RANGE;
    out->family = v6 ? 6 : 4;
    const char *slash = memchr(s, '/', n);
    if (slash)
        return parse_subnet(out, s, n, slash, err);
    const char *dash = memchr(s, '-', n);
    size_t n1 = dash ? (size_t)(dash - s) : n;
    if (!parse_ip(out->family, s, n1, out->lo))
        return gl_err_setc(err, GL_ERR_DAMAGED, "expected an IPv%d address, found \"%s\"", out->family, shown(s, n, tmp));
    if (!dash) {
        memcpy(out->hi, out->lo, 16);
        return 0;
    }
    if (!parse_ip(out->family, dash + 1, n - n1 - 1, out->hi))
        return gl_err_setc(err, GL_ERR_DAMAGED, "expected an IPv%d range lo-hi, found \"%s\"", out->family, shown(s, n, tmp));
    if (memcmp(out->lo, out->hi, 16) > 0)
        return gl_err_setc(err, GL_ERR_DAMAGED, "address range \"%s\" ends before it starts", shown(s, n, tmp));
    return 0;
}

/* ---- comma lists (events) ------------------------------------------------- */

#define LIST_MAX 65536u

typedef int (*item_parse_fn)(const char *s, size_t n, void *item, gl_err *err);

static int port_item(const char *s, size_t n, void *item, gl_err *err) { return fw_port_parse(s, n, item, err); }
static int addr_item(const char *s, size_t n, void *item, gl_err *err) { return fw_addr_parse(s, n, item, err); }

/* Split s on ',' and parse each item into a growing array. */
static int parse_list(const char *s, size_t n, size_t size, item_parse_fn fn, void **out, size_t *count, gl_err *err)
{
    *out = NULL;
    *count = 0;
    size_t cap = 0, start = 0;
    for (size_t i = 0; i <= n && n > 0; i++) {
        if (i < n && s[i] != ',')
            continue;
        if (*count >= LIST_MAX)
            return gl_err_setc(err, GL_ERR_DAMAGED, "more than %u items", LIST_MAX);
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            *out = gl_xrealloc(*out, cap * size);
        }
        if (fn(s + start, i - start, (char *)*out + *count * size, err) < 0)
            return gl_err_prefix(err, "offset %zu", start);
        (*count)++;
        start = i + 1;
    }
    return 0;
}

int fw_port_list_parse(const char *s, size_t n, fw_port **out, size_t *count, gl_err *err)
{
    void *arr;
    int rc = parse_list(s, n, sizeof **out, port_item, &arr, count, err);
    *out = arr;
    return rc;
}

int fw_addr_list_parse(const char *s, size_t n, fw_addr **out, size_t *count, gl_err *err)
{
    void *arr;
    int rc = parse_list(s, n, sizeof **out, addr_item, &arr, count, err);
    *out = arr;
    return rc;
}

/* ---- the rule string ------------------------------------------------------ */

typedef struct parser {
    const char *s;
    size_t n;
    fw_rule *r;
    gl_err *err;
    bool capped; /* FW_RULE_MAX_FIELDS reached */
} parser;

/* Count a problem; the first one becomes the error message. */
static void GL_PRINTF(3, 4) problem(parser *ps, size_t off, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ps->r->n_errors++ == 0)
        gl_err_setc(ps->err, GL_ERR_DAMAGED, "offset %zu: %s", off, msg);
}

static void *grow(void *arr, size_t count, size_t size)
{
    /* Counts are capped by FW_RULE_MAX_FIELDS; grow by doubling. */
    if (count == 0 || (count & (count - 1)) == 0)
        return gl_xrealloc(arr, (count ? count * 2 : 4) * size);
    return arr;
}

/* "v<major>.<minor>" at the start; returns where the fields begin. */
static size_t parse_version(parser *ps)
{
    const char *s = ps->s;
    size_t n = ps->n;
    const char *bar = memchr(s, '|', n);
    size_t seg = bar ? (size_t)(bar - s) : n;
    const char *dot = memchr(s, '.', seg);
    uint32_t major, minor;
    if (seg > 1 && (s[0] == 'v' || s[0] == 'V') && dot && parse_dec(s + 1, (size_t)(dot - s) - 1, 5, 65535, &major) &&
        parse_dec(dot + 1, seg - (size_t)(dot - s) - 1, 5, 65535, &minor)) {
        ps->r->version_major = major;
        ps->r->version_minor = minor;
        if (!bar)
            problem(ps, n, "expected '|' after the version");
        return bar ? seg + 1 : n;
    }
    char tmp[256];
    problem(ps, 0, "expected \"v<major>.<minor>|\", found \"%s\"", shown(s, seg, tmp));
    /* A first segment that looks like a field is read as one. */
    return memchr(s, '=', seg) ? 0 : (bar ? seg + 1 : n);
}

static bool parse_bool(const fw_field *f, int *out)
{
    if (ieq(f->value.p, f->value.n, "TRUE"))
        *out = 1;
    else if (ieq(f->value.p, f->value.n, "FALSE"))
        *out = 0;
    else
        return false;
    return true;
}

/* Is key "<base>" or "<base>2_<digits>" (LPort, LPort2_10, LPort2_24...)? */
static bool port_key(const fw_str *k, const char *base)
{
    size_t b = strlen(base);
    if (k->n < b || !ieq(k->p, b, base))
        return false;
    if (k->n == b)
        return true;
    uint32_t minor;
    return k->n > b + 2 && k->p[b] == '2' && k->p[b + 1] == '_' && parse_dec(k->p + b + 2, k->n - b - 2, 5, 65535, &minor);
}

/* Is key "<side>A4"/"<side>A6", optionally with a schema suffix of digits
 * (later schemas write keyword addresses as "RA42=Ply2Renders")? */
static bool addr_key(const fw_str *k, char side)
{
    if (k->n < 3 || lower((unsigned char)k->p[0]) != lower((unsigned char)side) || lower((unsigned char)k->p[1]) != 'a' ||
        (k->p[2] != '4' && k->p[2] != '6'))
        return false;
    uint32_t suffix;
    return k->n == 3 || parse_dec(k->p + 3, k->n - 3, 5, 65535, &suffix);
}

static void add_port(parser *ps, const fw_field *f, fw_port **arr, size_t *count)
{
    fw_port p;
    gl_err e;
    if (fw_port_parse(f->value.p, f->value.n, &p, &e) < 0) {
        problem(ps, f->offset, "%.*s: %s", (int)f->key.n, f->key.p, e.msg);
        return;
    }
    *arr = grow(*arr, *count, sizeof **arr);
    (*arr)[(*count)++] = p;
}

static void add_addr(parser *ps, const fw_field *f, int family, fw_addr **arr, size_t *count)
{
    fw_addr a;
    gl_err e;
    if (fw_addr_parse(f->value.p, f->value.n, &a, &e) < 0) {
        problem(ps, f->offset, "%.*s: %s", (int)f->key.n, f->key.p, e.msg);
        return;
    }
    if (a.family && a.family != family) {
        char tmp[256];
        problem(ps, f->offset, "%.*s: IPv%d address \"%s\" in an IPv%d field", (int)f->key.n, f->key.p, a.family,
                shown(f->value.p, f->value.n, tmp), family);
        return;
    }
    *arr = grow(*arr, *count, sizeof **arr);
    (*arr)[(*count)++] = a;
}

/* A string member set once; a repeat is a problem and the first stays. */
static void set_once_str(parser *ps, const fw_field *f, fw_str *dst)
{
    if (dst->p) {
        problem(ps, f->offset, "%.*s given twice (the first is kept)", (int)f->key.n, f->key.p);
        return;
    }
    *dst = f->value;
}

static void bad_value(parser *ps, const fw_field *f, const char *expected)
{
    char tmp[256];
    problem(ps, f->offset, "%.*s: expected %s, found \"%s\"", (int)f->key.n, f->key.p, expected,
            shown(f->value.p, f->value.n, tmp));
}

/* Decode one field into the typed members; false when the key is not one
 * this parser types (kept as a plain field). */
static bool decode_field(parser *ps, const fw_field *f)
{
    fw_rule *r = ps->r;
    const fw_str *k = &f->key;
    const fw_str *v = &f->value;
    if (ieq(k->p, k->n, "Action")) {
        fw_action a = ieq(v->p, v->n, "Allow") ? FW_ACTION_ALLOW
                      : ieq(v->p, v->n, "Block") ? FW_ACTION_BLOCK
                      : ieq(v->p, v->n, "ByPass") ? FW_ACTION_BYPASS
                                                  : FW_ACTION_NONE;
        if (a == FW_ACTION_NONE)
            bad_value(ps, f, "Allow, Block or ByPass");
        else if (r->action != FW_ACTION_NONE)
            problem(ps, f->offset, "Action given twice (the first is kept)");
        else
            r->action = a;
    } else if (ieq(k->p, k->n, "Dir")) {
        fw_dir d = ieq(v->p, v->n, "In") ? FW_DIR_IN : ieq(v->p, v->n, "Out") ? FW_DIR_OUT : FW_DIR_NONE;
        if (d == FW_DIR_NONE)
            bad_value(ps, f, "In or Out");
        else if (r->dir != FW_DIR_NONE)
            problem(ps, f->offset, "Dir given twice (the first is kept)");
        else
            r->dir = d;
    } else if (ieq(k->p, k->n, "Active") || ieq(k->p, k->n, "Edge")) {
        int *dst = ieq(k->p, k->n, "Active") ? &r->active : &r->edge;
        int b;
        if (!parse_bool(f, &b))
            bad_value(ps, f, "TRUE or FALSE");
        else if (*dst >= 0)
            problem(ps, f->offset, "%.*s given twice (the first is kept)", (int)k->n, k->p);
        else
            *dst = b;
    } else if (ieq(k->p, k->n, "Protocol")) {
        uint32_t p;
        if (!parse_dec(v->p, v->n, 3, 255, &p))
            bad_value(ps, f, "a protocol number 0..255");
        else if (r->protocol >= 0)
            problem(ps, f->offset, "Protocol given twice (the first is kept)");
        else
            r->protocol = (int)p;
    } else if (ieq(k->p, k->n, "Profile")) {
        uint32_t bit = ieq(v->p, v->n, "Domain")    ? FW_PROFILE_DOMAIN
                       : ieq(v->p, v->n, "Private") ? FW_PROFILE_PRIVATE
                       : ieq(v->p, v->n, "Public")  ? FW_PROFILE_PUBLIC
                                                    : 0;
        if (!bit)
            bad_value(ps, f, "Domain, Private or Public");
        r->profiles |= bit;
    } else if (port_key(k, "LPort")) {
        add_port(ps, f, &r->lports, &r->n_lports);
    } else if (port_key(k, "RPort")) {
        add_port(ps, f, &r->rports, &r->n_rports);
    } else if (addr_key(k, 'L')) {
        add_addr(ps, f, k->p[2] == '4' ? 4 : 6, &r->laddrs, &r->n_laddrs);
    } else if (addr_key(k, 'R')) {
        add_addr(ps, f, k->p[2] == '4' ? 4 : 6, &r->raddrs, &r->n_raddrs);
    } else if (ieq(k->p, k->n, "App")) {
        set_once_str(ps, f, &r->app);
    } else if (ieq(k->p, k->n, "Svc")) {
        set_once_str(ps, f, &r->svc);
    } else if (ieq(k->p, k->n, "Name")) {
        set_once_str(ps, f, &r->name);
    } else if (ieq(k->p, k->n, "Desc")) {
        set_once_str(ps, f, &r->desc);
    } else if (ieq(k->p, k->n, "EmbedCtxt")) {
        set_once_str(ps, f, &r->embed_ctxt);
    } else {
        return false;
    }
    return true;
}

/* One "Key=Value" segment s[off..end). */
static void parse_field(parser *ps, size_t off, size_t end)
{
    const char *seg = ps->s + off;
    size_t len = end - off;
    fw_rule *r = ps->r;
    char tmp[256];
    if (len == 0) {
        problem(ps, off, "empty field");
        return;
    }
    const char *nul = memchr(seg, '\0', len);
    if (nul)
        problem(ps, off + (size_t)(nul - seg), "NUL byte inside the rule string");
    if (r->n_fields >= FW_RULE_MAX_FIELDS) {
        if (!ps->capped)
            problem(ps, off, "more than %u fields; the rest is ignored", FW_RULE_MAX_FIELDS);
        ps->capped = true;
        return;
    }
    r->fields = grow(r->fields, r->n_fields, sizeof *r->fields);
    fw_field *f = &r->fields[r->n_fields++];
    const char *eq = memchr(seg, '=', len);
    f->offset = off;
    f->typed = false;
    if (!eq || eq == seg) {
        /* Kept whole as a key without value so nothing is lost. */
        f->key = (fw_str){seg, len};
        f->value = (fw_str){NULL, 0};
        problem(ps, off, "expected Key=Value, found \"%s\"", shown(seg, len, tmp));
        return;
    }
    f->key = (fw_str){seg, (size_t)(eq - seg)};
    f->value = (fw_str){eq + 1, len - (size_t)(eq - seg) - 1};
    f->typed = decode_field(ps, f);
}

int fw_rule_parse(const char *s, size_t n, fw_rule *r, gl_err *err)
{
    memset(r, 0, sizeof *r);
    r->active = -1;
    r->edge = -1;
    r->protocol = -1;
    parser ps = {s, n, r, err, false};
    if (n > FW_RULE_MAX_LEN) {
        problem(&ps, 0, "rule string of %zu bytes is longer than %u", n, FW_RULE_MAX_LEN);
        return -1;
    }
    if (n == 0) {
        problem(&ps, 0, "empty rule string");
        return -1;
    }
    size_t pos = parse_version(&ps);
    /* Bounded: every turn consumes at least one byte. */
    while (pos < n) {
        const char *bar = memchr(s + pos, '|', n - pos);
        size_t end = bar ? (size_t)(bar - s) : n;
        parse_field(&ps, pos, end);
        if (!bar) {
            problem(&ps, n, "last field not terminated by '|'");
            break;
        }
        pos = end + 1;
    }
    return r->n_errors ? -1 : 0;
}

void fw_rule_free(fw_rule *r)
{
    free(r->lports);
    free(r->rports);
    free(r->laddrs);
    free(r->raddrs);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

const fw_field *fw_rule_field(const fw_rule *r, const char *key)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (ieq(r->fields[i].key.p, r->fields[i].key.n, key))
            return &r->fields[i];
    return NULL;
}

/* ---- numeric codes -------------------------------------------------------- */

const char *fw_event_action_name(uint32_t v)
{
    static const char *const names[] = {NULL, "AllowBypass", "Block", "Allow"};
    return v < 4 ? names[v] : NULL;
}

fw_action fw_event_action(uint32_t v)
{
    return v == 1 ? FW_ACTION_BYPASS : v == 2 ? FW_ACTION_BLOCK : v == 3 ? FW_ACTION_ALLOW : FW_ACTION_NONE;
}

const char *fw_event_direction_name(uint32_t v) { return v == 1 ? "In" : v == 2 ? "Out" : NULL; }

fw_dir fw_event_direction(uint32_t v) { return v == 1 ? FW_DIR_IN : v == 2 ? FW_DIR_OUT : FW_DIR_NONE; }

const char *fw_protocol_name(uint32_t v)
{
    switch (v) {
    case 0: return "HOPOPT";
    case 1: return "ICMPv4";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 43: return "IPv6-Route";
    case 44: return "IPv6-Frag";
    case 47: return "GRE";
    case 58: return "ICMPv6";
    case 59: return "IPv6-NoNxt";
    case 60: return "IPv6-Opts";
    case 112: return "VRRP";
    case 113: return "PGM";
    case 115: return "L2TP";
    case 256: return "Any";
    default: return NULL;
    }
}

const char *fw_origin_name(uint32_t v)
{
    static const char *const names[] = {NULL,       "Local",       "GroupPolicy",  "Dynamic",
                                        "Autogen",  "Hardcoded",   "MDM",          NULL,
                                        "HostLocal", "HostGroupPolicy", "HostDynamic", "HostMDM"};
    return v < sizeof names / sizeof names[0] ? names[v] : NULL;
}

const char *fw_profile_config_name(uint32_t v)
{
    static const char *const names[] = {
        NULL,
        "EnableFirewall",
        "DisableStealthMode",
        "Shielded",
        "DisableUnicastResponsesToMulticastBroadcast",
        "LogDroppedPackets",
        "LogSuccessConnections",
        "LogIgnoredRules",
        "LogMaxFileSize",
        "LogFilePath",
        "DisableInboundNotifications",
        "AuthAppsAllowUserPrefMerge",
        "GlobalPortsAllowUserPrefMerge",
        "AllowLocalPolicyMerge",
        "AllowLocalIpsecPolicyMerge",
        "DisabledInterfaces",
        "DefaultOutboundAction",
        "DefaultInboundAction",
        "DisableStealthModeIpsecSecuredPacketExemption",
    };
    return v < sizeof names / sizeof names[0] ? names[v] : NULL;
}

const char *fw_profiles_text(uint32_t bits, char out[64])
{
    static const char *const names[] = {"Domain", "Private", "Public"};
    size_t o = 0;
    out[0] = '\0';
    if (bits == FW_PROFILE_ALL_EVENT) {
        strcpy(out, "All");
        return out;
    }
    for (int i = 0; i < 3; i++)
        if (bits & (1u << i))
            o += (size_t)snprintf(out + o, 64 - o, "%s%s", o ? "," : "", names[i]);
    if (bits & ~7u)
        snprintf(out + o, 64 - o, "%s0x%X", o ? "," : "", bits & ~7u);
    return out;
}

/* Defender configuration-change text (events 5007/5013). See mpevent.h. */
#include "mpevent.h"
#include <stdio.h>
#include <string.h>

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static bool str_ieq(mp_str a, mp_str b);
static bool ieq(const char *p, size_t n, const char *lit) { return str_ieq((mp_str){p, n}, (mp_str){lit, strlen(lit)}); }

/* p[0..n) starts with lit (ASCII case ignored). */
static bool istarts(const char *p, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && ieq(p, m, lit);
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_break(char c) { return c == '\r' || c == '\n'; }

static mp_str trim(const char *p, size_t n)
{
    while (n && is_space(p[0])) {
        p++;
        n--;
    }
    while (n && is_space(p[n - 1]))
        n--;
    return (mp_str){p, n};
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)lower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "0x" + 1..16 hex digits, or 1..19 decimal digits. */
static bool parse_number(mp_str d, uint64_t *out)
{
    uint64_t v = 0;
    if (d.n > 2 && d.p[0] == '0' && (d.p[1] == 'x' || d.p[1] == 'X')) {
        if (d.n - 2 > 16)
            return false;
        for (size_t i = 2; i < d.n; i++) {
            int h = hexval(d.p[i]);
            if (h < 0)
                return false;
            v = v << 4 | (uint64_t)h;
        }
    } else {
        if (d.n == 0 || d.n > 19)
            return false;
        for (size_t i = 0; i < d.n; i++) {
            if (d.p[i] < '0' || d.p[i] > '9')
                return false;
            v = v * 10 + (uint64_t)(d.p[i] - '0');
        }
    }
    *out = v;
    return true;
}

/* Data after a separator at sep: skip the blank after '=', then line
 * breaks (multi-strings start on the next line). */
static mp_str data_after(mp_str t, size_t sep)
{
    size_t i = sep + 2;
    if (i < t.n && t.p[i] == ' ')
        i++;
    while (i < t.n && is_break(t.p[i]))
        i++;
    return (mp_str){t.p + i, t.n - i};
}

/* The " = " between location and data: " =" followed by a blank, a line
 * break or the end. A value name may itself contain " = " (an exclusion
 * is any path) and text data may too, so: the last separator when what
 * follows it is a number (DWORD data, the common case), else the first.
 * Returns the offset or -1. */
static long find_separator(mp_str t)
{
    long first = -1, last = -1;
    for (size_t i = 0; i + 1 < t.n; i++) {
        if (t.p[i] != ' ' || t.p[i + 1] != '=')
            continue;
        if (i + 2 == t.n || t.p[i + 2] == ' ' || is_break(t.p[i + 2])) {
            if (first < 0)
                first = (long)i;
            last = (long)i;
        }
    }
    uint64_t num;
    if (last >= 0 && parse_number(data_after(t, (size_t)last), &num))
        return last;
    return first;
}

static const struct {
    const char *prefix; /* below the hive, followed by '\' */
    mp_store store;
} stores[] = {
    {"SOFTWARE\\Policies\\Microsoft\\Windows Defender", MP_STORE_POLICY},
    {"SOFTWARE\\Microsoft\\Windows Defender", MP_STORE_LOCAL},
    {"SOFTWARE\\Policies\\Microsoft\\Microsoft Antimalware", MP_STORE_POLICY_ANTIMALWARE},
    {"SOFTWARE\\Microsoft\\Microsoft Antimalware", MP_STORE_ANTIMALWARE},
};

/* Lists whose value names are paths (backslashes and all), below the
 * Defender key. */
static const struct {
    const char *prefix; /* followed by '\' and the name */
    mp_area area;
} lists[] = {
    {"Windows Defender Exploit Guard\\ASR\\ASROnlyExclusions", MP_AREA_ASR_EXCLUSION},
    {"Windows Defender Exploit Guard\\ASR\\Rules", MP_AREA_ASR_RULE},
    {"Windows Defender Exploit Guard\\Controlled Folder Access\\AllowedApplications", MP_AREA_CFA_ALLOWED},
    {"Windows Defender Exploit Guard\\Controlled Folder Access\\ProtectedFolders", MP_AREA_CFA_PROTECTED},
};

static const struct {
    const char *name;
    mp_excl_kind kind;
} excl_kinds[] = {
    {"Paths", MP_EXCL_PATHS},
    {"Extensions", MP_EXCL_EXTENSIONS},
    {"Processes", MP_EXCL_PROCESSES},
    {"IpAddresses", MP_EXCL_IPADDRESSES},
    {"TemporaryPaths", MP_EXCL_TEMPORARYPATHS},
};

/* Split at the last '\': key and name ("" key when there is none). */
static void split_last(mp_value *v, mp_str rel)
{
    size_t i = rel.n;
    while (i > 0 && rel.p[i - 1] != '\\')
        i--;
    v->rel_key = (mp_str){rel.p, i ? i - 1 : 0};
    v->name = (mp_str){rel.p + i, rel.n - i};
}

/* rel is below the Defender key: find the area and the name by structure. */
static void classify_rel(mp_value *v, mp_str rel)
{
    v->area = MP_AREA_SETTING;
    if (istarts(rel.p, rel.n, "Exclusions\\")) {
        const char *kind = rel.p + 11;
        size_t left = rel.n - 11;
        const char *bs = memchr(kind, '\\', left);
        if (bs) {
            size_t kn = (size_t)(bs - kind);
            v->area = MP_AREA_EXCLUSION;
            v->excl = MP_EXCL_OTHER;
            for (size_t i = 0; i < sizeof excl_kinds / sizeof excl_kinds[0]; i++)
                if (ieq(kind, kn, excl_kinds[i].name))
                    v->excl = excl_kinds[i].kind;
            v->rel_key = (mp_str){rel.p, 11 + kn};
            v->name = (mp_str){bs + 1, left - kn - 1};
            return;
        }
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        size_t m = strlen(lists[i].prefix);
        if (rel.n > m && istarts(rel.p, rel.n, lists[i].prefix) && rel.p[m] == '\\') {
            v->area = lists[i].area;
            v->rel_key = (mp_str){rel.p, m};
            v->name = (mp_str){rel.p + m + 1, rel.n - m - 1};
            return;
        }
    }
    split_last(v, rel);
}

/* A path below a hive ("SOFTWARE\Microsoft\Windows Defender\..."). */
static void classify_path(mp_value *v, mp_str path)
{
    for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++) {
        size_t m = strlen(stores[i].prefix);
        if (path.n > m && istarts(path.p, path.n, stores[i].prefix) && path.p[m] == '\\') {
            v->store = stores[i].store;
            classify_rel(v, (mp_str){path.p + m + 1, path.n - m - 1});
            return;
        }
    }
    v->store = MP_STORE_UNKNOWN;
    v->area = MP_AREA_SETTING;
    split_last(v, path);
}

static void classify_location(mp_value *v, mp_str loc)
{
    const char *bs = memchr(loc.p, '\\', loc.n);
    if (!bs) {
        /* Just a name: nothing says where it lives. */
        v->root = MP_ROOT_OTHER;
        v->name = loc;
        v->rel_key = (mp_str){loc.p, 0};
        return;
    }
    size_t c0 = (size_t)(bs - loc.p);
    mp_str rest = {bs + 1, loc.n - c0 - 1};
    if (ieq(loc.p, c0, "HKLM") || ieq(loc.p, c0, "HKEY_LOCAL_MACHINE")) {
        v->root = MP_ROOT_HKLM;
        classify_path(v, rest);
    } else if (ieq(loc.p, c0, "SOFTWARE") || ieq(loc.p, c0, "SYSTEM")) {
        v->root = MP_ROOT_BARE;
        classify_path(v, loc);
    } else if (ieq(loc.p, c0, "Default") || ieq(loc.p, c0, "N/A")) {
        /* Pseudo roots stand for the Defender key itself. */
        v->root = ieq(loc.p, c0, "Default") ? MP_ROOT_DEFAULT : MP_ROOT_NA;
        classify_rel(v, rest);
    } else {
        v->root = MP_ROOT_OTHER;
        classify_path(v, rest);
    }
}

int mp_value_parse(const char *s, size_t n, mp_value *v, gl_err *err)
{
    memset(v, 0, sizeof *v);
    if (n > MP_VALUE_MAX_LEN)
        return gl_err_setc(err, GL_ERR_DAMAGED, "value text of %zu bytes is longer than %u", n, MP_VALUE_MAX_LEN);
    mp_str t = trim(s, n);
    if (t.n == 0 || ieq(t.p, t.n, "N/A") || ieq(t.p, t.n, "-"))
        return 0; /* MP_ROOT_NONE */
    long sep = find_separator(t);
    if (sep < 0) {
        /* Keep the text as the location so nothing is lost. */
        v->location = t;
        classify_location(v, t);
        return gl_err_setc(err, GL_ERR_DAMAGED, "offset %zu: expected \"<key>\\<name> = <data>\", found no \" = \"",
                           (size_t)(t.p - s) + t.n);
    }
    v->location = (mp_str){t.p, (size_t)sep};
    v->data = data_after(t, (size_t)sep);
    v->has_number = parse_number(v->data, &v->number);
    /* sep > 0: the text was trimmed, so it cannot start with " =". */
    classify_location(v, v->location);
    return 0;
}

bool mp_value_present(const mp_value *v)
{
    return v->root == MP_ROOT_HKLM || v->root == MP_ROOT_BARE || v->root == MP_ROOT_OTHER;
}

static bool str_ieq(mp_str a, mp_str b)
{
    if (a.n != b.n)
        return false;
    for (size_t i = 0; i < a.n; i++)
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
            return false;
    return true;
}

/* Both name the same value (same area, key and name, case ignored). */
static bool same_value(const mp_value *a, const mp_value *b)
{
    return a->root != MP_ROOT_NONE && b->root != MP_ROOT_NONE && a->area == b->area && str_ieq(a->rel_key, b->rel_key) &&
           str_ieq(a->name, b->name);
}

static void decide(mp_change *c)
{
    bool op = mp_value_present(&c->old_v), np = mp_value_present(&c->new_v);
    c->subject = c->new_v.root != MP_ROOT_NONE ? &c->new_v : &c->old_v;
    c->same_value = same_value(&c->old_v, &c->new_v);
    if (c->old_v.root == MP_ROOT_NONE && c->new_v.root == MP_ROOT_NONE)
        c->kind = MP_CHANGE_NONE;
    else if (np && !op)
        c->kind = MP_CHANGE_ADDED;
    else if (op && !np)
        c->kind = MP_CHANGE_REMOVED;
    else
        c->kind = MP_CHANGE_MODIFIED;
}

int mp_5007_parse(const char *old_s, size_t old_n, const char *new_s, size_t new_n, mp_change *c, gl_err *err)
{
    memset(c, 0, sizeof *c);
    gl_err e1 = {0}, e2 = {0};
    int r1 = mp_value_parse(old_s, old_n, &c->old_v, &e1);
    int r2 = mp_value_parse(new_s, new_n, &c->new_v, &e2);
    decide(c);
    if (r1 < 0)
        return gl_err_setc(err, GL_ERR_DAMAGED, "Old Value: %s", e1.msg);
    if (r2 < 0)
        return gl_err_setc(err, GL_ERR_DAMAGED, "New Value: %s", e2.msg);
    return 0;
}

/* First "<label>" (ASCII case ignored) in msg; -1 when absent. */
static long find_label(const char *msg, size_t n, const char *label)
{
    size_t m = strlen(label);
    for (size_t i = 0; i + m <= n; i++)
        if (ieq(msg + i, m, label))
            return (long)i;
    return -1;
}

int mp_5007_message_parse(const char *msg, size_t n, mp_change *c, gl_err *err)
{
    static const char OLD[] = "Old value:", NEW[] = "New value:";
    long o = find_label(msg, n, OLD), w = find_label(msg, n, NEW);
    memset(c, 0, sizeof *c);
    if (o < 0 && w < 0)
        return gl_err_setc(err, GL_ERR_DAMAGED, "no \"Old value:\" or \"New value:\" in the message");
    size_t os = 0, on = 0, ns = 0, nn = 0;
    if (o >= 0) {
        os = (size_t)o + sizeof OLD - 1;
        on = (w > o ? (size_t)w : n) - os;
    }
    if (w >= 0) {
        ns = (size_t)w + sizeof NEW - 1;
        nn = (o > w ? (size_t)o : n) - ns;
    }
    return mp_5007_parse(msg + os, on, msg + ns, nn, c, err);
}

const char *mp_excl_kind_name(mp_excl_kind k)
{
    static const char *const names[] = {"", "Paths", "Extensions", "Processes", "IpAddresses", "TemporaryPaths", "Other"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "";
}

const char *mp_area_name(mp_area a)
{
    static const char *const names[] = {"setting",        "exclusion",     "asr_rule",
                                        "asr_exclusion", "cfa_allowed_app", "cfa_protected_folder"};
    return (size_t)a < sizeof names / sizeof names[0] ? names[a] : "";
}

const char *mp_store_name(mp_store s)
{
    static const char *const names[] = {"unknown", "local", "policy", "antimalware", "policy_antimalware"};
    return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "";
}

const char *mp_root_name(mp_root r)
{
    static const char *const names[] = {"none", "HKLM", "bare", "Default", "N/A", "other"};
    return (size_t)r < sizeof names / sizeof names[0] ? names[r] : "";
}

const char *mp_change_kind_name(mp_change_kind k)
{
    static const char *const names[] = {"none", "added", "removed", "modified"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "";
}

/* See winpath.h. */
#include "winpath.h"
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Folders below \Windows that ordinary users can create files in
 * (Windows' default ACLs); an exclusion or a rule program there is as
 * dangerous as one in a profile. */
static const char *const writable_under_windows[] = {
    "\\Windows\\Temp",
    "\\Windows\\Tasks",
    "\\Windows\\Tracing",
    "\\Windows\\debug",
    "\\Windows\\Registration\\CRMLog",
    "\\Windows\\System32\\Tasks",
    "\\Windows\\System32\\spool\\drivers\\color",
    "\\Windows\\System32\\spool\\PRINTERS",
    "\\Windows\\System32\\Microsoft\\Crypto\\RSA\\MachineKeys",
    "\\Windows\\SysWOW64\\Tasks",
};

/* Environment variables as Windows writes them in paths, and the folder
 * each stands for (only the admin-only ones matter here: every other
 * variable names a user-writable place). */
static const struct {
    const char *var, *folder;
} admin_vars[] = {
    {"%SystemRoot%", "\\Windows"},
    {"%windir%", "\\Windows"},
    {"%ProgramFiles%", "\\Program Files"},
    {"%ProgramFiles(x86)%", "\\Program Files (x86)"},
    {"%ProgramW6432%", "\\Program Files"},
    {"%CommonProgramFiles%", "\\Program Files\\Common Files"},
    {"%CommonProgramFiles(x86)%", "\\Program Files (x86)\\Common Files"},
};

/* s starts with prefix and the match ends at a component boundary. */
static bool under(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(s, prefix, n) == 0 && (s[n] == '\0' || s[n] == '\\');
}

static bool is_sep(char c) { return c == '\\' || c == '/'; }

/* The path after its drive ("C:\Windows\x" -> "\Windows\x"), with any
 * leading admin-only environment variable replaced by its folder, in buf. */
static const char *local_part(const char *p, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof admin_vars / sizeof admin_vars[0]; i++) {
        size_t n = strlen(admin_vars[i].var);
        if (strncasecmp(p, admin_vars[i].var, n) == 0) {
            size_t f = strlen(admin_vars[i].folder), rest = strlen(p + n);
            if (f + rest + 1 > size)
                return NULL;
            memcpy(buf, admin_vars[i].folder, f);
            memcpy(buf + f, p + n, rest + 1);
            return buf;
        }
    }
    if (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':')
        return p + 2;
    return p;
}

gl_path_class gl_winpath_class(const char *path)
{
    /* One separator ('\'); what decides is the start of the path, so a
     * longer one is judged by its first 1023 bytes. */
    char norm[1024];
    size_t n = 0;
    for (const char *q = path; *q && n < sizeof norm - 1; q++)
        norm[n++] = *q == '/' ? '\\' : *q;
    norm[n] = '\0';
    const char *p = norm;
    while (*p == ' ' || *p == '"')
        p++;
    if (is_sep(p[0]) && is_sep(p[1])) {
        /* \\?\C:\... is a local path in long form; \\server\share is not. */
        if ((p[2] == '?' || p[2] == '.') && is_sep(p[3]) && p[4] && p[5] == ':')
            p += 4;
        else
            return GL_PATH_NETWORK;
    }
    if (!strcmp(p, "*") || !strcmp(p, "*.*"))
        return GL_PATH_DRIVE_ROOT;
    bool has_drive = ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':';
    if (!has_drive && !strchr(p, '\\') && !strchr(p, '/') && p[0] != '%')
        return GL_PATH_NAME;
    char buf[1024];
    const char *rest = local_part(p, buf, sizeof buf);
    if (!rest)
        return GL_PATH_USER_WRITABLE;
    /* Nothing, a separator, or a wildcard below the drive: the whole drive. */
    size_t i = 0;
    while (is_sep(rest[i]))
        i++;
    if (rest[i] == '\0' || !strcmp(rest + i, "*") || !strcmp(rest + i, "*.*"))
        return GL_PATH_DRIVE_ROOT;
    if (rest[0] == '%')
        return GL_PATH_USER_WRITABLE; /* %ProgramData%, %TEMP%, %USERPROFILE%, %APPDATA%... */
    for (size_t k = 0; k < sizeof writable_under_windows / sizeof writable_under_windows[0]; k++)
        if (under(rest, writable_under_windows[k]))
            return GL_PATH_USER_WRITABLE;
    if (under(rest, "\\Windows") || under(rest, "\\Program Files") || under(rest, "\\Program Files (x86)"))
        return GL_PATH_ADMIN_ONLY;
    return GL_PATH_USER_WRITABLE;
}

const char *gl_path_class_name(gl_path_class c)
{
    static const char *const names[] = {"name", "drive_root", "admin_only", "user_writable", "network"};
    return (size_t)c < sizeof names / sizeof names[0] ? names[c] : "";
}

const char *gl_winpath_basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (is_sep(*p) && p[1])
            b = p + 1;
    return b;
}

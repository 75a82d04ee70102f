/* Windows half of livehost.h.
 *
 * Hives: the kernel keeps every loaded hive file open without sharing, so
 * a hive is first tried as a file (the source's open: full sharing,
 * backup intent; works for hives that are not loaded) and otherwise
 * saved from the registry with RegSaveKeyExW (REG_LATEST_FORMAT, which
 * needs SeBackupPrivilege) into a temporary file under the output
 * directory, checked to be a regf hive ("regf" at offset 0: wine, for
 * one, writes its own text format and still returns success), acquired
 * under the hive's own evidence path and deleted. Amcache.hve is an
 * application hive: RegLoadAppKeyW opens it (or the instance already
 * loaded) for saving.
 *
 * Event logs: the EventLog service shares its .evtx files for reading, so
 * each is read as a file first; when that fails the channel is exported
 * with EvtExportLog (wevtapi.dll, looked up at run time) into a temporary
 * file, which counts only when it exists, is not empty and starts with
 * the "ElfFile" signature: return codes are not trusted (wine's
 * BackupEventLogW says TRUE and writes nothing). An exported log stays
 * in the temporary folder, which the live source then takes over
 * (gl_source_redirect): the modules read the copy, not the locked file,
 * and the folder goes when the source closes. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "livehost.h"
#include "text.h"

#define SAM_READ (KEY_READ | KEY_WOW64_64KEY)

/* ---- priority ---------------------------------------------------------------- */

static char applied[160] = "normal";

int gl_livehost_priority(const char *mode, gl_err *err)
{
    if (!strcmp(mode, "normal"))
        return 0;
    if (strcmp(mode, "background"))
        return gl_err_set(err, "--priority: '%s' is neither background nor normal", mode);
    /* Background mode lowers CPU, I/O and memory priority together. */
    if (SetPriorityClass(GetCurrentProcess(), PROCESS_MODE_BACKGROUND_BEGIN))
        snprintf(applied, sizeof applied, "background");
    else if (SetPriorityClass(GetCurrentProcess(), IDLE_PRIORITY_CLASS))
        snprintf(applied, sizeof applied, "idle CPU class (background mode refused: error %lu)",
                 (unsigned long)GetLastError());
    else
        snprintf(applied, sizeof applied, "normal (background refused: error %lu)", (unsigned long)GetLastError());
    return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static void win_error(DWORD code, gl_buf *out)
{
    char text[320];
    gl_w32_error_text(code, text, sizeof text);
    gl_buf_puts(out, text);
}

/* A REG_SZ / REG_EXPAND_SZ (expanded) value as UTF-8; NULL when absent. */
static char *reg_string(HKEY base, const wchar_t *key, const wchar_t *value)
{
    wchar_t raw[1024], expanded[1024];
    DWORD size = sizeof raw - sizeof(wchar_t);
    if (RegGetValueW(base, key, value, RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND | RRF_SUBKEY_WOW6464KEY,
                     NULL, raw, &size) != ERROR_SUCCESS)
        return NULL;
    raw[size / sizeof(wchar_t)] = 0;
    DWORD n = ExpandEnvironmentStringsW(raw, expanded, sizeof expanded / sizeof *expanded);
    return gl_w32_to_utf8(n && n <= sizeof expanded / sizeof *expanded ? expanded : raw);
}

static bool reg_dword(HKEY base, const wchar_t *key, const wchar_t *value, DWORD *out)
{
    DWORD size = sizeof *out;
    return RegGetValueW(base, key, value, RRF_RT_REG_DWORD | RRF_SUBKEY_WOW6464KEY, NULL, out, &size) ==
           ERROR_SUCCESS;
}

/* The first bytes of a file (fewer when shorter); -1 when it cannot be read. */
static long file_head(const wchar_t *path, char *buf, DWORD n, uint64_t *size)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    LARGE_INTEGER sz;
    DWORD got = 0;
    bool ok = GetFileSizeEx(h, &sz) && ReadFile(h, buf, n, &got, NULL);
    CloseHandle(h);
    *size = ok ? (uint64_t)sz.QuadPart : 0;
    return ok ? (long)got : -1;
}

/* Printable start of a file that is not what was expected, for the record. */
static void describe_head(gl_buf *out, const char *head, long n)
{
    gl_buf_puts(out, "the file starts '");
    for (long i = 0; i < n && i < 24; i++) {
        unsigned char c = (unsigned char)head[i];
        if (c >= 0x20 && c < 0x7f)
            gl_buf_putc(out, (char)c);
        else
            gl_buf_printf(out, "\\x%02x", c);
    }
    gl_buf_putc(out, '\'');
}

/* ---- the preservation run ------------------------------------------------------- */

typedef struct pres {
    gl_livehost *lh;
    gl_source *src;
    gl_acquirer *acq;
    gl_buf tmp_root; /* <outdir>\.gleaner-live-<pid>, UTF-8 */
    gl_source *tmp_src;
    bool handed_over; /* tmp_src belongs to src now (a log was exported) */
} pres;

/* Read `path` as a file through the live source (acquired as a side
 * effect). The member, or NULL with why; *refused when the file was read
 * but the run's limits kept it out (no other way will do better). */
static char *try_file(pres *p, const char *path, gl_buf *why, bool *refused)
{
    gl_err e = {0};
    *refused = false;
    gl_file *f = gl_source_open_file(p->src, path, &e);
    if (!f) {
        gl_buf_printf(why, "as a file: %s", e.msg);
        *refused = e.code == GL_ERR_LIMIT;
        return NULL;
    }
    const char *m = gl_file_artifact(f);
    char *member = m ? gl_xstrdup(m) : NULL;
    if (!member) {
        gl_buf_puts(why, "as a file: opened but not acquired (run limits)");
        *refused = true;
    }
    gl_file_close(f);
    return member;
}

/* Where the temporary copy of evidence path `path` goes: the same path
 * below the temporary root, so acquiring it there gives the member the
 * file itself would have had. Creates the folders. Wide, malloc'd. */
static wchar_t *tmp_place(pres *p, const char *path, gl_buf *utf8)
{
    gl_buf_clear(utf8);
    gl_buf_puts(utf8, gl_buf_cstr(&p->tmp_root));
    const char *rel = path[0] && path[1] == ':' ? path + 2 : path;
    for (const char *c = rel; *c; c++) {
        if (*c == '\\' || *c == '/') {
            gl_buf_cstr(utf8);
            mkdir(utf8->data, 0700); /* exists already: fine */
            gl_buf_putc(utf8, '\\');
            while (c[1] == '\\' || c[1] == '/')
                c++;
        } else {
            gl_buf_putc(utf8, *c);
        }
    }
    wchar_t *w = gl_w32_from_utf8(gl_buf_cstr(utf8));
    if (w)
        DeleteFileW(w); /* RegSaveKeyEx refuses an existing file */
    return w;
}

/* Acquire the temporary copy as evidence path `path`; delete it unless
 * keep (then the modules are to read it). */
static char *acquire_tmp(pres *p, const char *path, const wchar_t *wtmp, bool keep, gl_buf *why)
{
    char *member = NULL;
    if (!p->tmp_src) {
        gl_err e = {0};
        p->tmp_src = gl_source_open_temp(gl_buf_cstr(&p->tmp_root), gl_source_drive(p->src), &e);
        if (!p->tmp_src)
            gl_buf_printf(why, "; temporary folder unusable: %s", e.msg);
        else
            gl_source_set_acquirer(p->tmp_src, p->acq);
    }
    if (p->tmp_src) {
        gl_err e = {0};
        gl_file *f = gl_source_open_file(p->tmp_src, path, &e);
        if (f && gl_file_artifact(f))
            member = gl_xstrdup(gl_file_artifact(f));
        else
            gl_buf_printf(why, "; the copy was not acquired: %s", f ? "run limits" : e.msg);
        gl_file_close(f);
    }
    if (!member || !keep)
        DeleteFileW(wtmp);
    return member;
}

/* What an API wrote into the temporary file w, kept (acquired as evidence
 * path `path`) only when it is there, not empty and starts with magic:
 * return codes are not trusted either way. rc is the API's own verdict
 * (0: success), added to why when nothing was kept. The file is deleted
 * unless keep and it was kept. */
static char *keep_copy(pres *p, const char *path, const wchar_t *w, const char *api, const char *magic,
                       uint64_t min_size, const char *what, DWORD rc, bool keep, gl_buf *why)
{
    char head[32];
    uint64_t size = 0;
    long n = file_head(w, head, sizeof head, &size);
    size_t mlen = strlen(magic);
    char *member = NULL;
    if (n <= 0 || size == 0) {
        gl_buf_printf(why, "; %s wrote nothing", api);
    } else if ((size_t)n < mlen || memcmp(head, magic, mlen) || size < min_size) {
        gl_buf_printf(why, "; %s wrote no %s: ", api, what);
        describe_head(why, head, n);
    } else {
        member = acquire_tmp(p, path, w, keep, why);
    }
    if (!member && rc) {
        gl_buf_puts(why, ": ");
        win_error(rc, why);
    }
    if (!member || !keep)
        DeleteFileW(w);
    return member;
}

/* Save an open key with RegSaveKeyExW and keep it when it is a regf hive. */
static char *save_key(pres *p, HKEY key, const char *path, gl_buf *why)
{
    gl_buf t = {0};
    wchar_t *w = tmp_place(p, path, &t);
    gl_buf_free(&t);
    if (!w) {
        gl_buf_puts(why, "; RegSaveKeyEx: no temporary name");
        return NULL;
    }
    LSTATUS rc = RegSaveKeyExW(key, w, NULL, REG_LATEST_FORMAT);
    char *member = keep_copy(p, path, w, "RegSaveKeyEx", "regf", 4096, "regf hive", (DWORD)rc, false, why);
    free(w);
    return member;
}

/* One hive: as a file, else saved from the open key (NULL: not loaded). */
static void hive(pres *p, const char *name, const char *path, HKEY key)
{
    gl_buf why = {0};
    const char *method = "file";
    bool refused;
    char *member = try_file(p, path, &why, &refused);
    if (refused) {
        /* limits: a saved copy would be refused as well */
    } else if (!member && key) {
        member = save_key(p, key, path, &why);
        method = "RegSaveKeyEx";
    } else if (!member) {
        gl_buf_puts(&why, "; not loaded in the registry either");
    }
    gl_livehost_add(p->lh, "hive", name, path, member ? method : "none", member, member ? NULL : gl_buf_cstr(&why));
    free(member);
    gl_buf_free(&why);
}

static void machine_hives(pres *p, const char *drive)
{
    static const struct {
        const char *name;
        HKEY base;
        const wchar_t *sub;
        const char *file;
    } m[] = {
        {"SYSTEM", HKEY_LOCAL_MACHINE, L"SYSTEM", "Windows\\System32\\config\\SYSTEM"},
        {"SOFTWARE", HKEY_LOCAL_MACHINE, L"SOFTWARE", "Windows\\System32\\config\\SOFTWARE"},
        {"SAM", HKEY_LOCAL_MACHINE, L"SAM", "Windows\\System32\\config\\SAM"},
        {"SECURITY", HKEY_LOCAL_MACHINE, L"SECURITY", "Windows\\System32\\config\\SECURITY"},
        {"DEFAULT", HKEY_USERS, L".DEFAULT", "Windows\\System32\\config\\DEFAULT"},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        gl_buf path = {0};
        gl_buf_printf(&path, "%s:\\%s", drive, m[i].file);
        HKEY k = NULL;
        if (RegOpenKeyExW(m[i].base, m[i].sub, REG_OPTION_BACKUP_RESTORE, SAM_READ, &k) != ERROR_SUCCESS &&
            RegOpenKeyExW(m[i].base, m[i].sub, 0, SAM_READ, &k) != ERROR_SUCCESS)
            k = NULL;
        hive(p, m[i].name, path.data, k);
        if (k)
            RegCloseKey(k);
        gl_buf_free(&path);
    }
    /* Amcache.hve: an application hive, not under HKLM. */
    gl_buf path = {0};
    gl_buf_printf(&path, "%s:\\Windows\\AppCompat\\Programs\\Amcache.hve", drive);
    gl_buf why = {0};
    bool refused;
    char *member = try_file(p, path.data, &why, &refused);
    const char *method = "file";
    gl_file_info st;
    gl_err e = {0};
    if (refused) {
        /* limits: a saved copy would be refused as well */
    } else if (!member && gl_source_stat(p->src, path.data, &st, &e) != 0) {
        /* RegLoadAppKey would create an empty hive where none is: never
         * on evidence. */
        gl_buf_puts(&why, "; not present");
    } else if (!member) {
        wchar_t *w = gl_w32_from_utf8(path.data);
        HKEY k = NULL;
        LSTATUS rc = w ? RegLoadAppKeyW(w, &k, KEY_READ, REG_PROCESS_APPKEY, 0) : ERROR_INVALID_NAME;
        if (rc == ERROR_SUCCESS) {
            member = save_key(p, k, path.data, &why);
            method = "RegSaveKeyEx";
            RegCloseKey(k);
        } else {
            gl_buf_puts(&why, "; RegLoadAppKey: ");
            win_error((DWORD)rc, &why);
        }
        free(w);
    }
    gl_livehost_add(p->lh, "hive", "Amcache", path.data, member ? method : "none", member,
                    member ? NULL : gl_buf_cstr(&why));
    free(member);
    gl_buf_free(&why);
    gl_buf_free(&path);
}

/* Each loaded user hive (HKU\<SID>, HKU\<SID>_Classes) at its file's path,
 * the profile folder coming from ProfileList. */
static void user_hives(pres *p)
{
    wchar_t sid[256];
    for (DWORD i = 0; i < 10000; i++) {
        DWORD n = sizeof sid / sizeof *sid;
        if (RegEnumKeyExW(HKEY_USERS, i, sid, &n, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        if (wcsncmp(sid, L"S-1-5-", 6) || wcschr(sid, L'_'))
            continue;
        wchar_t pl[400];
        _snwprintf(pl, sizeof pl / sizeof *pl, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\%ls", sid);
        pl[sizeof pl / sizeof *pl - 1] = 0;
        char *profile = reg_string(HKEY_LOCAL_MACHINE, pl, L"ProfileImagePath");
        char *usid = gl_w32_to_utf8(sid);
        if (!profile || !usid) {
            if (usid)
                gl_livehost_add(p->lh, "hive", usid, NULL, "none", NULL, "loaded, but ProfileList names no profile folder");
            free(profile), free(usid);
            continue;
        }
        static const struct {
            const char *label;
            const wchar_t *suffix;
            const char *file;
        } u[] = {{"NTUSER", L"", "NTUSER.DAT"},
                 {"UsrClass", L"_Classes", "AppData\\Local\\Microsoft\\Windows\\UsrClass.dat"}};
        for (size_t k = 0; k < 2; k++) {
            wchar_t sub[300];
            _snwprintf(sub, sizeof sub / sizeof *sub, L"%ls%ls", sid, u[k].suffix);
            sub[sizeof sub / sizeof *sub - 1] = 0;
            HKEY h = NULL;
            if (RegOpenKeyExW(HKEY_USERS, sub, REG_OPTION_BACKUP_RESTORE, SAM_READ, &h) != ERROR_SUCCESS &&
                RegOpenKeyExW(HKEY_USERS, sub, 0, SAM_READ, &h) != ERROR_SUCCESS)
                continue; /* not loaded (no classes hive yet): nothing live to keep */
            gl_buf name = {0}, path = {0};
            gl_buf_printf(&name, "%s %s", usid, u[k].label);
            gl_buf_printf(&path, "%s\\%s", profile, u[k].file);
            hive(p, name.data, path.data, h);
            RegCloseKey(h);
            gl_buf_free(&name);
            gl_buf_free(&path);
        }
        free(profile), free(usid);
    }
}

/* ---- event logs ----------------------------------------------------------------- */

typedef BOOL(WINAPI *evt_export_fn)(HANDLE session, LPCWSTR path, LPCWSTR query, LPCWSTR target, DWORD flags);

static char *export_channel(pres *p, const char *path, const char *file, gl_buf *why)
{
    static evt_export_fn exp;
    static bool looked;
    if (!looked) {
        looked = true;
        HMODULE m = LoadLibraryExW(L"wevtapi.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
        exp = m ? (evt_export_fn)(void (*)(void))GetProcAddress(m, "EvtExportLog") : NULL;
    }
    if (!exp) {
        gl_buf_puts(why, "; EvtExportLog not available");
        return NULL;
    }
    /* Microsoft-Windows-Sysmon%4Operational.evtx names the channel
     * Microsoft-Windows-Sysmon/Operational. */
    gl_buf ch = {0};
    size_t len = strlen(file) - 5;
    for (size_t i = 0; i < len; i++) {
        if (file[i] == '%' && i + 2 < len && file[i + 1] == '4') {
            gl_buf_putc(&ch, '/');
            i++;
        } else {
            gl_buf_putc(&ch, file[i]);
        }
    }
    wchar_t *wch = gl_w32_from_utf8(gl_buf_cstr(&ch));
    gl_buf_free(&ch);
    gl_buf t = {0};
    wchar_t *w = tmp_place(p, path, &t);
    gl_buf_free(&t);
    char *member = NULL;
    if (wch && w) {
        BOOL ok = exp(NULL, wch, L"*", w, 1 /* EvtExportLogChannelPath */);
        member = keep_copy(p, path, w, "EvtExportLog", "ElfFile", 4096, "event log", ok ? 0 : GetLastError(), true,
                           why);
    }
    if (member) {
        /* the live file stays locked: the modules read the export */
        gl_source_redirect(p->src, path, p->tmp_src);
        p->handed_over = true;
    }
    free(wch);
    free(w);
    return member;
}

static int log_found(void *ctx, const gl_file_info *info)
{
    gl_buf *paths = ctx;
    if (!info->is_dir && !info->is_link) {
        gl_buf_puts(paths, info->path);
        gl_buf_putc(paths, '\0');
    }
    return 0;
}

static void event_logs(pres *p, const char *drive)
{
    gl_buf pattern = {0}, paths = {0};
    gl_buf_printf(&pattern, "%s:\\Windows\\System32\\winevt\\Logs\\*.evtx", drive);
    gl_err e = {0};
    if (gl_source_glob(p->src, pattern.data, log_found, &paths, &e) != 0)
        gl_livehost_add(p->lh, "event_log", "(listing)", pattern.data, "none", NULL, e.msg);
    for (size_t off = 0; off < paths.len; off += strlen(paths.data + off) + 1) {
        const char *path = paths.data + off;
        const char *file = strrchr(path, '\\');
        file = file ? file + 1 : path;
        gl_buf why = {0};
        const char *method = "file";
        bool refused;
        char *member = try_file(p, path, &why, &refused);
        if (!member && !refused) {
            member = export_channel(p, path, file, &why);
            method = "EvtExportLog";
        }
        gl_livehost_add(p->lh, "event_log", file, path, member ? method : "none", member,
                        member ? NULL : gl_buf_cstr(&why));
        free(member);
        gl_buf_free(&why);
    }
    gl_buf_free(&pattern);
    gl_buf_free(&paths);
}

/* Remove the temporary tree (only folders are left in it by now). */
static void remove_tree(const wchar_t *dir, int depth)
{
    if (depth > 64)
        return;
    wchar_t pat[32768];
    _snwprintf(pat, sizeof pat / sizeof *pat, L"%ls\\*", dir);
    pat[sizeof pat / sizeof *pat - 1] = 0;
    WIN32_FIND_DATAW fd;
    HANDLE h = FindFirstFileW(pat, &fd);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
                continue;
            wchar_t sub[32768];
            _snwprintf(sub, sizeof sub / sizeof *sub, L"%ls\\%ls", dir, fd.cFileName);
            sub[sizeof sub / sizeof *sub - 1] = 0;
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                remove_tree(sub, depth + 1);
            else
                DeleteFileW(sub);
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    RemoveDirectoryW(dir);
}

gl_livehost *gl_livehost_preserve(gl_source *src, gl_acquirer *acq, const char *outdir)
{
    pres p = {.lh = gl_livehost_new(), .src = src, .acq = acq};
    gl_buf_printf(&p.tmp_root, "%s\\.gleaner-live-%lu", outdir, (unsigned long)GetCurrentProcessId());
    mkdir(p.tmp_root.data, 0700);
    const char *drive = gl_source_drive(src);
    machine_hives(&p, drive);
    user_hives(&p);
    event_logs(&p, drive);
    if (!p.handed_over) {
        gl_source_close(p.tmp_src);
        wchar_t *w = gl_w32_from_utf8(p.tmp_root.data);
        if (w)
            remove_tree(w, 0);
        free(w);
    }
    gl_buf_free(&p.tmp_root);
    return p.lh;
}

/* ---- facts ------------------------------------------------------------------------- */

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

static void json_wstr(gl_json *j, const char *key, const wchar_t *w)
{
    char *u = w && w[0] ? gl_w32_to_utf8(w) : NULL;
    gl_json_kv_str(j, key, u);
    free(u);
}

static void os_json(gl_json *j)
{
    gl_json_key(j, "os");
    gl_json_obj_begin(j);
    OSVERSIONINFOW v = {.dwOSVersionInfoSize = sizeof v};
    rtl_get_version_fn get =
        (rtl_get_version_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "RtlGetVersion");
    if (get && get(&v) == 0) {
        char ver[64];
        snprintf(ver, sizeof ver, "%lu.%lu", (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion);
        gl_json_kv_str(j, "version", ver);
        gl_json_kv_uint(j, "build", v.dwBuildNumber);
    }
    const wchar_t *cv = L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
    char *s = reg_string(HKEY_LOCAL_MACHINE, cv, L"ProductName");
    gl_json_kv_str(j, "product", s);
    free(s);
    s = reg_string(HKEY_LOCAL_MACHINE, cv, L"DisplayVersion");
    gl_json_kv_str(j, "display_version", s);
    free(s);
    DWORD ubr;
    if (reg_dword(HKEY_LOCAL_MACHINE, cv, L"UBR", &ubr))
        gl_json_kv_uint(j, "update_build_revision", ubr);
    gl_json_obj_end(j);
}

static void names_json(gl_json *j)
{
    static const struct {
        const char *key;
        COMPUTER_NAME_FORMAT fmt;
    } n[] = {{"host", ComputerNameNetBIOS},
             {"dns_host", ComputerNameDnsHostname},
             {"domain", ComputerNameDnsDomain},
             {"fqdn", ComputerNameDnsFullyQualified}};
    for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
        wchar_t w[256];
        DWORD len = sizeof w / sizeof *w;
        json_wstr(j, n[i].key, GetComputerNameExW(n[i].fmt, w, &len) ? w : NULL);
    }
}

static void time_json(gl_json *j)
{
    DYNAMIC_TIME_ZONE_INFORMATION tz;
    DWORD r = GetDynamicTimeZoneInformation(&tz);
    gl_json_key(j, "time_zone");
    gl_json_obj_begin(j);
    if (r != TIME_ZONE_ID_INVALID) {
        json_wstr(j, "key", tz.TimeZoneKeyName);
        json_wstr(j, "standard_name", tz.StandardName);
        gl_json_kv_int(j, "bias_minutes", -(int64_t)tz.Bias);
        gl_json_kv_bool(j, "daylight_now", r == TIME_ZONE_ID_DAYLIGHT);
    }
    gl_json_obj_end(j);
    /* Boot time: now less the time since boot (GetTickCount64 counts
     * milliseconds, sleep included). */
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    uint64_t ft = ((uint64_t)now.dwHighDateTime << 32) | now.dwLowDateTime;
    ft -= GetTickCount64() * 10000u;
    char iso[GL_TIME_STRLEN];
    gl_json_kv_str(j, "boot_utc", gl_filetime_iso(ft, 0, iso) ? iso : NULL);
}

static void privileges_json(gl_json *j)
{
    gl_json_key(j, "privileges");
    gl_json_obj_begin(j);
    HANDLE tok;
    TOKEN_ELEVATION el = {0};
    DWORD got = 0;
    uint8_t buf[4096];
    bool have = OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok);
    if (have) {
        if (GetTokenInformation(tok, TokenElevation, &el, sizeof el, &got))
            gl_json_kv_bool(j, "elevated", el.TokenIsElevated != 0);
        have = GetTokenInformation(tok, TokenPrivileges, buf, sizeof buf, &got);
        CloseHandle(tok);
    }
    static const wchar_t *const names[] = {L"SeBackupPrivilege", L"SeSecurityPrivilege"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *state = "not held";
        LUID luid;
        if (have && LookupPrivilegeValueW(NULL, names[i], &luid)) {
            const TOKEN_PRIVILEGES *tp = (const TOKEN_PRIVILEGES *)buf;
            for (DWORD k = 0; k < tp->PrivilegeCount && (k + 1) * sizeof(LUID_AND_ATTRIBUTES) < sizeof buf; k++)
                if (tp->Privileges[k].Luid.LowPart == luid.LowPart && tp->Privileges[k].Luid.HighPart == luid.HighPart)
                    state = tp->Privileges[k].Attributes & SE_PRIVILEGE_ENABLED ? "enabled" : "held, not enabled";
        } else if (!have) {
            state = "unknown (token not readable)";
        }
        char *u = gl_w32_to_utf8(names[i]);
        gl_json_kv_str(j, u, state);
        free(u);
    }
    gl_json_obj_end(j);
}

void gl_livehost_facts_json(gl_json *j)
{
    names_json(j);
    os_json(j);
    time_json(j);
    privileges_json(j);
    gl_json_kv_str(j, "priority", applied);
}

/* Windows processes for a YARA memory scan: a Toolhelp32 snapshot lists
 * them, libyara reads their memory with ReadProcessMemory. The command
 * line comes from NtQueryInformationProcess (ntdll, looked up at run
 * time): ProcessCommandLineInformation (Windows 8.1 and later) where the
 * system has it, else read from the process's PEB (its
 * RTL_USER_PROCESS_PARAMETERS) with ReadProcessMemory; when neither can
 * be had (a protected process) it is "" and cmdline_why says why. */
#include <windows.h>
#include <tlhelp32.h>
#include <winternl.h>
#include "procscan.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "posix_win32.h"

#define CMDLINE_MAX 32768 /* bytes of a command line kept (UTF-8), as on Linux */
/* A UNICODE_STRING's Length is a USHORT of bytes: 32767 UTF-16 units at most. */
#define CMDLINE_UNITS 32767
#define PROCESS_COMMAND_LINE_INFO 60 /* ProcessCommandLineInformation */

typedef LONG(NTAPI *nt_query_fn)(HANDLE process, ULONG cls, void *info, ULONG len, ULONG *ret);

typedef struct proc_entry {
    DWORD pid;
    char *name;
} proc_entry;

static int cmp_pid(const void *a, const void *b)
{
    DWORD x = ((const proc_entry *)a)->pid, y = ((const proc_entry *)b)->pid;
    return (x > y) - (x < y);
}

/* Every process but ours and the System Idle Process (pid 0), sorted. */
static int list_procs(proc_entry **out, size_t *n, gl_err *err)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE) {
        errno = gl_w32_errno(GetLastError());
        return gl_err_errno(err, "process list");
    }
    PROCESSENTRY32W pe = {.dwSize = sizeof pe};
    DWORD self = GetCurrentProcessId();
    proc_entry *procs = NULL;
    size_t count = 0, cap = 0;
    for (BOOL ok = Process32FirstW(snap, &pe); ok; ok = Process32NextW(snap, &pe)) {
        if (pe.th32ProcessID == 0 || pe.th32ProcessID == self)
            continue;
        char *name = gl_w32_to_utf8(pe.szExeFile);
        if (count == cap) {
            cap = cap ? cap * 2 : 256;
            procs = gl_xrealloc(procs, cap * sizeof *procs);
        }
        procs[count++] = (proc_entry){pe.th32ProcessID, name ? name : gl_xstrdup("")};
    }
    CloseHandle(snap);
    if (count)
        qsort(procs, count, sizeof *procs, cmp_pid);
    *out = procs;
    *n = count;
    return 0;
}

/* The full path of the process's image through an open handle; "" when
 * it cannot be had. */
static void image_of(HANDLE h, char *out, size_t cap)
{
    out[0] = '\0';
    wchar_t w[32768];
    DWORD n = sizeof w / sizeof *w;
    if (QueryFullProcessImageNameW(h, 0, w, &n)) {
        char *u = gl_w32_to_utf8(w);
        if (u && strlen(u) < cap)
            strcpy(out, u);
        free(u);
    }
}

static nt_query_fn nt_query(void)
{
    static nt_query_fn fn;
    static bool looked;
    if (!looked) {
        looked = true;
        HMODULE m = GetModuleHandleW(L"ntdll.dll");
        fn = m ? (nt_query_fn)(void (*)(void))GetProcAddress(m, "NtQueryInformationProcess") : NULL;
    }
    return fn;
}

/* Scratch for one process's command line, reused for every process. */
typedef struct cmd_scratch {
    union { /* what ProcessCommandLineInformation writes: the string's header, then its text */
        UNICODE_STRING us;
        char bytes[sizeof(UNICODE_STRING) + 2 * (CMDLINE_UNITS + 1)];
    } info;
    wchar_t text[CMDLINE_UNITS + 1];
} cmd_scratch;

/* Copy n UTF-16 units (a NUL ends them earlier) into cs->text, terminated. */
static void take_units(cmd_scratch *cs, const wchar_t *w, size_t n)
{
    if (n > CMDLINE_UNITS)
        n = CMDLINE_UNITS;
    memcpy(cs->text, w, n * sizeof *w);
    cs->text[n] = 0;
}

/* Windows 8.1 and later: the kernel copies the string into info, its
 * Buffer pointing behind the header. 0, or the NTSTATUS. */
static LONG by_info_class(nt_query_fn q, HANDLE h, cmd_scratch *cs)
{
    ULONG got = 0;
    LONG st = q(h, PROCESS_COMMAND_LINE_INFO, &cs->info, sizeof cs->info, &got);
    if (st < 0)
        return st;
    const char *buf = (const char *)cs->info.us.Buffer, *lo = cs->info.bytes + sizeof cs->info.us;
    size_t len = cs->info.us.Length;
    if (len && (buf < lo || len > (size_t)(cs->info.bytes + sizeof cs->info.bytes - buf)))
        return (LONG)0xC0000004; /* STATUS_INFO_LENGTH_MISMATCH: a reply we cannot place */
    take_units(cs, (const wchar_t *)buf, buf ? len / sizeof(wchar_t) : 0);
    return 0;
}

/* Older systems: PEB -> ProcessParameters -> CommandLine, each read from
 * the process. 0, or -1 with why. */
static int from_peb(nt_query_fn q, DWORD pid, cmd_scratch *cs, gl_buf *why)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
    if (!h) {
        gl_buf_printf(why, "PEB: OpenProcess error %lu", (unsigned long)GetLastError());
        return -1;
    }
    PROCESS_BASIC_INFORMATION pbi;
    ULONG got = 0;
    void *params = NULL;
    UNICODE_STRING us = {0};
    SIZE_T n = 0;
    int rc = -1;
    LONG st = q(h, ProcessBasicInformation, &pbi, sizeof pbi, &got);
    if (st < 0 || !pbi.PebBaseAddress)
        gl_buf_printf(why, "PEB: ProcessBasicInformation status 0x%08lx", (unsigned long)st);
    else if (!ReadProcessMemory(h, (const char *)pbi.PebBaseAddress + offsetof(PEB, ProcessParameters), &params,
                                sizeof params, &n) ||
             n != sizeof params || !params)
        gl_buf_printf(why, "PEB: ProcessParameters not readable (error %lu)", (unsigned long)GetLastError());
    else if (!ReadProcessMemory(h, (const char *)params + offsetof(RTL_USER_PROCESS_PARAMETERS, CommandLine), &us,
                                sizeof us, &n) ||
             n != sizeof us)
        gl_buf_printf(why, "PEB: CommandLine not readable (error %lu)", (unsigned long)GetLastError());
    else {
        size_t units = us.Length / sizeof(wchar_t);
        if (units > CMDLINE_UNITS)
            units = CMDLINE_UNITS;
        n = 0;
        if (units && (!ReadProcessMemory(h, us.Buffer, cs->text, units * sizeof(wchar_t), &n) || n == 0)) {
            gl_buf_printf(why, "PEB: the command line's text not readable (error %lu)", (unsigned long)GetLastError());
        } else {
            cs->text[n / sizeof(wchar_t)] = 0;
            rc = 0;
        }
    }
    CloseHandle(h);
    return rc;
}

/* The command line as UTF-8 into out (cap bytes, cut at a character
 * boundary); "" with why when it cannot be read. h: a handle with
 * PROCESS_QUERY_LIMITED_INFORMATION, or NULL. */
static void cmdline_of(DWORD pid, HANDLE h, cmd_scratch *cs, char *out, size_t cap, gl_buf *why)
{
    out[0] = '\0';
    gl_buf_clear(why);
    nt_query_fn q = nt_query();
    if (!q) {
        gl_buf_puts(why, "NtQueryInformationProcess not available");
        return;
    }
    LONG st = h ? by_info_class(q, h, cs) : -1;
    if (st < 0) {
        if (h)
            gl_buf_printf(why, "ProcessCommandLineInformation status 0x%08lx; ", (unsigned long)st);
        else
            gl_buf_printf(why, "OpenProcess error %lu; ", (unsigned long)GetLastError());
        if (from_peb(q, pid, cs, why) != 0)
            return;
    }
    gl_buf_clear(why);
    char *u = gl_w32_to_utf8(cs->text);
    if (!u) {
        gl_buf_puts(why, "the command line is not valid UTF-16");
        return;
    }
    size_t len = strlen(u);
    if (len >= cap) {
        len = cap - 1;
        while (len && ((unsigned char)u[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, u, len);
    out[len] = '\0';
    free(u);
}

int gl_proc_each(gl_proc_cb cb, void *ctx, gl_err *err)
{
    proc_entry *procs = NULL;
    size_t n = 0;
    if (list_procs(&procs, &n, err) != 0)
        return -1;
    int rc = 0;
    char *exe = gl_xmalloc(4 * 32768);
    char *cmdline = gl_xmalloc(CMDLINE_MAX);
    cmd_scratch *cs = gl_xmalloc(sizeof *cs);
    gl_buf why = {0};
    for (size_t i = 0; i < n && !rc; i++) {
        HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, procs[i].pid);
        exe[0] = '\0';
        if (h)
            image_of(h, exe, 4 * 32768);
        cmdline_of(procs[i].pid, h, cs, cmdline, CMDLINE_MAX, &why);
        if (h)
            CloseHandle(h);
        gl_proc p = {.pid = (int)procs[i].pid,
                     .name = procs[i].name,
                     .exe = exe,
                     .cmdline = cmdline,
                     .cmdline_why = why.len ? gl_buf_cstr(&why) : NULL};
        rc = cb(ctx, &p);
    }
    for (size_t i = 0; i < n; i++)
        free(procs[i].name);
    free(procs);
    free(exe);
    free(cmdline);
    free(cs);
    gl_buf_free(&why);
    return rc;
}

int gl_proc_scan(YR_SCANNER *sc, int pid)
{
    return yr_scanner_scan_proc(sc, pid);
}

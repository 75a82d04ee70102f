/* Windows processes for a YARA memory scan: a Toolhelp32 snapshot lists
 * them, libyara reads their memory with ReadProcessMemory. The command
 * line (which needs the process's PEB read remotely) is not taken yet:
 * it is reported as "". */
#include <windows.h>
#include <tlhelp32.h>
#include "procscan.h"
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "posix_win32.h"

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

/* The full path of the process's image; "" when it cannot be opened
 * (a protected process, or one that has exited). */
static void image_of(DWORD pid, char *out, size_t cap)
{
    out[0] = '\0';
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!h)
        return;
    wchar_t w[32768];
    DWORD n = sizeof w / sizeof *w;
    if (QueryFullProcessImageNameW(h, 0, w, &n)) {
        char *u = gl_w32_to_utf8(w);
        if (u && strlen(u) < cap)
            strcpy(out, u);
        free(u);
    }
    CloseHandle(h);
}

int gl_proc_each(gl_proc_cb cb, void *ctx, gl_err *err)
{
    proc_entry *procs = NULL;
    size_t n = 0;
    if (list_procs(&procs, &n, err) != 0)
        return -1;
    int rc = 0;
    char *exe = gl_xmalloc(4 * 32768);
    for (size_t i = 0; i < n && !rc; i++) {
        image_of(procs[i].pid, exe, 4 * 32768);
        gl_proc p = {.pid = (int)procs[i].pid, .name = procs[i].name, .exe = exe, .cmdline = ""};
        rc = cb(ctx, &p);
    }
    for (size_t i = 0; i < n; i++)
        free(procs[i].name);
    free(procs);
    free(exe);
    return rc;
}

int gl_proc_scan(YR_SCANNER *sc, int pid)
{
    return yr_scanner_scan_proc(sc, pid);
}

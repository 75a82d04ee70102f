/* Processes of this host for a YARA memory scan: the per-OS part (Linux:
 * procscan_linux.c reads /proc; a Windows build gets its own file with
 * Toolhelp32 and the process's PEB command line behind the same calls).
 * Live hosts only: nothing here reads evidence from a source. */
#ifndef GL_PROCSCAN_H
#define GL_PROCSCAN_H
#include <stdbool.h>
#include <stddef.h>
#include <yara.h>
#include "err.h"

typedef struct gl_proc {
    int pid;
    const char *name;    /* short name (Linux: comm, at most 15 bytes), "" when unknown */
    const char *exe;     /* executable path, "" when it cannot be read */
    const char *cmdline; /* arguments joined by spaces (bounded), "" for kernel threads */
    const char *cmdline_why; /* NULL, or why cmdline could not be read (Windows: a protected process) */
} gl_proc;

/* Call cb for every process of the host but this one, in pid order;
 * the strings are valid during the call only. Left out: a process that
 * exits while it is listed, and those without user memory (Linux kernel
 * threads and zombies). cb returning non-zero stops the walk and is
 * returned; -1 with err when the process list itself cannot be read. */
typedef int (*gl_proc_cb)(void *ctx, const gl_proc *p);
int gl_proc_each(gl_proc_cb cb, void *ctx, gl_err *err);

/* Scan the memory of process pid with sc: libyara's result (ERROR_SUCCESS,
 * ERROR_SCAN_TIMEOUT, or an error such as ERROR_COULD_NOT_ATTACH_TO_PROCESS
 * when the process cannot be read). */
int gl_proc_scan(YR_SCANNER *sc, int pid);

#endif

/* Windows: a live source is the system drive (liveroot.h), the one that
 * holds Windows, whatever its letter; C: when the system cannot say. */
#include <windows.h>
#include <stdio.h>
#include "liveroot.h"

void gl_liveroot_get(gl_liveroot *out)
{
    wchar_t win[MAX_PATH];
    UINT n = GetSystemWindowsDirectoryW(win, MAX_PATH);
    wchar_t letter = L'C';
    if (n >= 2 && n < MAX_PATH && win[1] == L':' &&
        ((win[0] >= L'A' && win[0] <= L'Z') || (win[0] >= L'a' && win[0] <= L'z')))
        letter = win[0] >= L'a' ? (wchar_t)(win[0] - 32) : win[0];
    snprintf(out->dir, sizeof out->dir, "%c:\\", (char)letter);
    snprintf(out->drive, sizeof out->drive, "%c", (char)letter);
    out->posix_style = false;
}

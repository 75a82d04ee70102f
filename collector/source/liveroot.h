/* Where a `live` source starts on this platform: the whole file system of
 * a POSIX host ("/", paths shown POSIX style, drive "root"), or the
 * system drive of a Windows host ("C:\", paths shown as C:\..., drive
 * "C"), so modules ask for C:\Windows\... on a live Windows host exactly
 * as on a mounted image. One implementation per platform
 * (liveroot_posix.c, liveroot_win32.c). */
#ifndef GL_LIVEROOT_H
#define GL_LIVEROOT_H
#include <stdbool.h>

typedef struct gl_liveroot {
    char dir[64];   /* host path opened as the root */
    char drive[8];  /* drive label in evidence paths and artifacts/ */
    bool posix_style;
} gl_liveroot;

void gl_liveroot_get(gl_liveroot *out);

#endif

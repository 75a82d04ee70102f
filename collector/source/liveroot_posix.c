/* POSIX: a live source is the whole file system (liveroot.h). */
#include <stdio.h>
#include "liveroot.h"

void gl_liveroot_get(gl_liveroot *out)
{
    snprintf(out->dir, sizeof out->dir, "/");
    snprintf(out->drive, sizeof out->drive, "root");
    out->posix_style = true;
}

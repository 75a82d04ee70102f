/* Where a Windows path points, as detections need it: a drive root, a
 * folder only administrators can write (Windows, Program Files), a folder
 * ordinary users can write (profiles, ProgramData, Temp, folders at a
 * drive root, the writable corners of the Windows folder), a network
 * share, or no folder at all (a bare file name). Used by the defender
 * module (how dangerous an exclusion is) and the firewall module (where a
 * rule's program lives). Paths are evidence text: any length, any bytes. */
#ifndef GL_WINPATH_H
#define GL_WINPATH_H
#include <stddef.h>

typedef enum gl_path_class {
    GL_PATH_NAME,          /* no folder: "rclone.exe", ".ps1", "" */
    GL_PATH_DRIVE_ROOT,    /* "C:\", "C:", "D:\*", "\", "*" */
    GL_PATH_ADMIN_ONLY,    /* under \Windows or \Program Files*, outside their user-writable folders */
    GL_PATH_USER_WRITABLE, /* any other local folder */
    GL_PATH_NETWORK,       /* "\\server\share\..." */
} gl_path_class;

gl_path_class gl_winpath_class(const char *path);
const char *gl_path_class_name(gl_path_class c); /* "drive_root", "admin_only", ... */
/* The last component of a path ("C:\x\rclone.exe" -> "rclone.exe"). */
const char *gl_winpath_basename(const char *path);

#endif

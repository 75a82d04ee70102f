/* <sys/statvfs.h> for the Windows build: the free and total space of the
 * volume holding a path (GetDiskFreeSpaceExW), in 1-byte blocks. */
#ifndef GL_SYS_STATVFS_SHIM_H
#define GL_SYS_STATVFS_SHIM_H
#include <stdint.h>
struct statvfs {
    uint64_t f_bsize, f_frsize, f_blocks, f_bfree, f_bavail;
};
int gl_w32_statvfs(const char *path, struct statvfs *out);
#define statvfs(p, o) gl_w32_statvfs(p, o)
#endif

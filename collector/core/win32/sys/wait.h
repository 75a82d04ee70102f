/* <sys/wait.h> for the Windows build. Windows cannot fork: fork() fails
 * with ENOSYS, and callers do the work in the one process (gleaner
 * analyze then handles its hosts one after another). */
#ifndef GL_SYS_WAIT_SHIM_H
#define GL_SYS_WAIT_SHIM_H
#include <errno.h>
#include <sys/types.h>
static inline pid_t fork(void)
{
    errno = ENOSYS;
    return -1;
}
static inline pid_t wait(int *status)
{
    (void)status;
    errno = ECHILD;
    return -1;
}
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#endif

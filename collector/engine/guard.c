#include "guard.h"
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"

static jmp_buf *active;    /* set while a module runs on the guarding thread */
static pthread_t guard_thread;
static unsigned kit_depth; /* > 0: inside engine code called by the module */
static size_t failed_size;

/* A jump is sound only when no other thread can still be working on the
 * module's data (yara scans with worker threads): with more than one
 * thread alive the failure aborts, as it did before the guard. */
static bool single_threaded(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *t = strstr(buf, "\nThreads:");
    return t && atoi(t + 9) == 1;
}

static void leave_module(size_t n)
{
    if (!active || kit_depth || !pthread_equal(pthread_self(), guard_thread) || !single_threaded())
        return; /* the caller aborts */
    failed_size = n;
    longjmp(*active, 1);
}

void gl_guard_kit_enter(void) { kit_depth++; }
void gl_guard_kit_leave(void) { kit_depth--; }

#ifdef GLEANER_TEST_BUILD
static long fault_after = -1; /* allocations the armed module may still make */
static int fault_now(void)
{
    if (!active || kit_depth || fault_after < 0)
        return 0;
    if (fault_after == 0)
        return 1;
    fault_after--;
    return 0;
}

static void arm_test_fault(const char *name)
{
    const char *v = getenv("GLEANER_TEST_ALLOC_FAIL");
    size_t n = strlen(name);
    fault_after = -1;
    if (v && !strncmp(v, name, n) && (v[n] == '\0' || v[n] == ':'))
        fault_after = v[n] == ':' ? atol(v + n + 1) : 0;
    gl_set_alloc_fault(fault_now);
}
#endif

int gl_guard_run(const char *name, int (*fn)(void *arg), void *arg, int *rc, size_t *failed_bytes)
{
    jmp_buf here;
    (void)name;
    kit_depth = 0;
    guard_thread = pthread_self();
#ifdef GLEANER_TEST_BUILD
    arm_test_fault(name);
#endif
    gl_set_oom_handler(leave_module);
    if (setjmp(here) != 0) {
        /* the module's frames are gone; nothing of them is touched again */
        active = NULL;
        kit_depth = 0;
        gl_set_oom_handler(NULL);
        *failed_bytes = failed_size;
        return 1;
    }
    active = &here;
    *rc = fn(arg);
    active = NULL;
    gl_set_oom_handler(NULL);
    return 0;
}

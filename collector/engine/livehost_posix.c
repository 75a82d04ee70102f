/* POSIX half of livehost.h: a live POSIX host holds nothing open that a
 * read cannot get, so nothing is preserved besides what modules read;
 * priority is the CPU nice value. */
#include <string.h>
#include <sys/resource.h>
#include "livehost.h"

static const char *applied = "normal";

int gl_livehost_priority(const char *mode, gl_err *err)
{
    if (!strcmp(mode, "normal")) {
        applied = "normal";
        return 0;
    }
    if (strcmp(mode, "background"))
        return gl_err_set(err, "--priority: '%s' is neither background nor normal", mode);
    /* The host's own work goes first; I/O follows the CPU class on Linux's
     * default scheduler. */
    applied = setpriority(PRIO_PROCESS, 0, 10) == 0 ? "background (nice 10)" : "normal (nice not changed)";
    return 0;
}

gl_livehost *gl_livehost_preserve(gl_source *src, gl_acquirer *acq, const char *outdir)
{
    (void)src, (void)acq, (void)outdir;
    return gl_livehost_new();
}

void gl_livehost_facts_json(gl_json *j) { gl_json_kv_str(j, "priority", applied); }

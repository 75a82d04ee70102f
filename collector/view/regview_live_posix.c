/* No live registry off Windows (regview_live.h): hive files only. */
#include "regview_live.h"

int gl_regview_live_backend(gl_source *src, const gl_regview_options *opt, gl_regview_backend *out,
                            gl_err *err)
{
    (void)src, (void)opt, (void)out, (void)err;
    return 1;
}

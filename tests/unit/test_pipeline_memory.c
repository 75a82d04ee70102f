/* Memory stays flat while a large file is acquired: the bundle writer
 * streams in 1 MiB pieces. (make bench-acquire does the same with 2 GiB
 * and compares with bsdtar.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

Test(pipeline_memory, large_file_acquisition_is_streamed, .timeout = 300)
{
    char *root = tu_tmpdir("mem");
    gl_buf cmd = {0};
    /* 768 MiB sparse file: reads as zeros, costs no disk */
    gl_buf_printf(&cmd, "mkdir -p '%s/drive/Windows/System32/winevt/Logs' '%s/out' && "
                        "truncate -s 768M '%s/drive/Windows/System32/winevt/Logs/Big.evtx'", root, root, root);
    cr_assert_eq(tu_run(cmd.data, NULL, NULL), 0);
    gl_buf prof = {0};
    gl_buf_printf(&prof, "%s/big.profile", root);
    FILE *f = fopen(prof.data, "w");
    fputs("module files\nset files.max_file_size 1GiB\ntarget big C:\\Windows\\System32\\winevt\\Logs\\*.evtx\n", f);
    fclose(f);
    gl_buf_clear(&cmd);
    gl_buf_printf(&cmd, "'%s' collect -q --source 'dir:%s/drive' --profile '%s' --output '%s/out' --name big",
                  tu_gleaner(), root, prof.data, root);
    long rss = 0;
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0);
    /* sanitizer builds carry shadow memory and quarantine; the plain build
     * stays near 20 MiB */
    long limit = strstr(tu_gleaner(), "/san/") ? 256 * 1024 : 64 * 1024;
    cr_assert_lt(rss, limit, "peak RSS %ld KiB while acquiring 768 MiB", rss);
    gl_buf out = {0};
    gl_buf_clear(&cmd);
    gl_buf_printf(&cmd, "bsdtar -tvf '%s/out/big.tar.zst' | grep Big.evtx", root);
    cr_assert_eq(tu_run(cmd.data, &out, NULL), 0);
    cr_assert_not_null(strstr(out.data, " 805306368 "), "%s", out.data);
    gl_buf_clear(&cmd);
    gl_buf_printf(&cmd, "rm -rf '%s'", root); /* 768 MiB of bundle input is not worth keeping */
    tu_run(cmd.data, NULL, NULL);
    gl_buf_free(&out);
    gl_buf_free(&cmd);
    gl_buf_free(&prof);
    free(root);
}

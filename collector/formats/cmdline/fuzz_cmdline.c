/* libFuzzer entry for command-line splitting: the input as a command line
 * is split, unwrapped from cmd.exe /c (then split again) and read as an
 * archiver command; every string produced is read back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "archiver_cmd.h"
#include "buf.h"
#include "cmdline.h"

static volatile size_t sink;

static void exercise(const char *line)
{
    gl_argv a;
    gl_cmdline_split(line, 1024, &a);
    for (size_t i = 0; i < a.n; i++)
        sink += strlen(a.v[i]);
    gl_archiver_cmd c;
    gl_archiver_cmd_parse(&a, &c);
    const char *texts[] = {c.password_text, c.volume_size, c.archive_type, c.archive};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        sink += texts[i] ? strlen(texts[i]) : 0;
    gl_archiver_cmd_free(&c);
    gl_argv_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = gl_xmalloc(size + 1);
    memcpy(line, data, size);
    line[size] = '\0';
    exercise(line);
    char *inner = gl_cmdline_cmd_c(line);
    if (inner) {
        if (strlen(inner) > size)
            abort(); /* unwrapping only ever removes */
        exercise(inner);
        free(inner);
    }
    free(line);
    return 0;
}

/* libFuzzer entry for archive recognition: the input is sniffed as a file
 * (with the self-extractor search), and what is recognised is listed
 * through libarchive the way the staging module does (bounded entries and
 * bytes), so the reader callbacks meet hostile archives too. The input is
 * also tried as a volume file name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "archive_list.h"
#include "archive_sniff.h"
#include "buf.h"

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, data, size, "fuzz");
    gl_arc_info info;
    gl_err err;
    gl_arc_sniff(&r, GL_ARC_SNIFF_SFX, &info, &err);
    sink += strlen(info.inner_name) + strlen(info.subtype) + info.entries;
    if (info.format != GL_ARC_NONE && getenv("FUZZ_ARCHIVE_NO_LIST") == NULL) {
        gl_arc_listing l;
        gl_arc_list(&r, 64, 1u << 20, &l, &err);
        for (size_t i = 0; i < l.n; i++)
            sink += strlen(l.entries[i].name);
        gl_arc_listing_free(&l);
    }
    char *name = gl_xmalloc(size + 1);
    memcpy(name, data, size);
    name[size] = '\0';
    unsigned number;
    size_t stem;
    if (gl_arc_volume_name(name, &number, &stem) != GL_ARC_VOLNAME_NONE && stem > strlen(name))
        abort();
    free(name);
    return 0;
}

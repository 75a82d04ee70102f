/* What the evidence says about the host it came from (dir:/bundle:
 * sources): computer name and Windows product, read from the SYSTEM and
 * SOFTWARE hives. The hives are opened without acquisition, so these
 * reads never put anything in the bundle, and read through a bounded
 * reader after their header was checked (hostinfo.c). */
#ifndef GL_HOSTINFO_H
#define GL_HOSTINFO_H
#include <stddef.h>
#include "source.h"

int gl_hostinfo_computer_name(gl_source *src, char *out, size_t out_len);
int gl_hostinfo_product_name(gl_source *src, char *out, size_t out_len);

#endif

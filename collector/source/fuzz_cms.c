/* libFuzzer target for the CMS EnvelopedData walker (cms_der.c): the input
 * is a whole .p7m; every piece of content is walked and bounds-checked
 * against the input, and the re-encoded header must be well-formed DER. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cms_der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, data, size, "fuzz.p7m");
    gl_err err = {0};
    (void)gl_cms_is_enveloped(&r);
    gl_cms_envelope env;
    if (gl_cms_envelope_parse(&r, &env, &err) != 0)
        return 0;
    /* The header handed to OpenSSL parses as one definite-length DER element. */
    gl_mem_reader hmem;
    gl_reader h = gl_reader_memory(&hmem, env.header.data, env.header.len, "header");
    gl_der_tlv t;
    uint64_t end = 0;
    if (gl_der_tlv_read(&h, 0, h.size, &t, &err) != 0 || t.indefinite || gl_der_tlv_end(&h, &t, h.size, &end, &err) != 0 ||
        end != env.header.len)
        abort();
    gl_cms_content c;
    gl_cms_content_init(&c, &r, &env);
    uint64_t off, n, total = 0;
    while (gl_cms_content_next(&c, &off, &n, &err) == 1) {
        if (off > size || n > size - off || n == 0)
            abort();
        total += n;
    }
    if (total > size)
        abort();
    gl_cms_envelope_free(&env);
    return 0;
}

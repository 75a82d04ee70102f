/* libFuzzer entry for the SAM value decoders: the input is handed, as it
 * is, to every decoder (user F and V, domain F, alias C) and, as text, to
 * the UserAccountControl helpers. Every decoded string is read back so
 * ASan sees a length that does not match its memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "sam.h"

static volatile size_t sink;

static void touch(const char *s) { sink += strlen(s); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gl_err err;
    gl_sam_user_f f;
    gl_sam_user_f_parse(data, size, "F", &f, &err);
    sink += f.rid + f.acb;

    gl_sam_user_v v;
    gl_sam_user_v_parse(data, size, "V", &v, &err);
    const char *fields[] = {v.name,         v.full_name,   v.comment,      v.user_comment, v.home_dir,
                            v.home_dir_drive, v.script_path, v.profile_path, v.workstations};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        touch(fields[i]);
    gl_sam_user_v_free(&v);

    gl_sam_domain_f d;
    gl_sam_domain_f_parse(data, size, "D", &d, &err);
    sink += d.next_rid;
    gl_buf sid = {0};
    gl_sam_domain_v_sid(data, size, "D", &sid, &err);
    touch(gl_buf_cstr(&sid));
    gl_buf_free(&sid);

    gl_sam_alias_c a;
    gl_sam_alias_c_parse(data, size, "C", &a, &err);
    touch(a.name);
    touch(a.comment);
    for (size_t i = 0; i < a.n_members; i++)
        touch(a.members[i]);
    gl_sam_alias_c_free(&a);

    /* the same bytes as event-log text */
    char *text = gl_xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    unsigned unknown;
    gl_uac_change c = gl_uac_parse_messages(text, &unknown);
    uint32_t hex = 0;
    gl_uac_parse_hex(text, &hex);
    gl_buf names = {0};
    gl_acb_names(&names, c.set ^ c.cleared ^ hex ^ gl_uac_from_ad(hex));
    touch(gl_buf_cstr(&names));
    gl_buf_free(&names);
    uint32_t rid;
    gl_sam_rid_from_key(text, &rid);
    free(text);
    return 0;
}

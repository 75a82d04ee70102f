/* TaskCache DynamicInfo and the Tree\...\SD security descriptor. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "taskcache.h"
#include "tc_cursor.h"
#include "text.h"

/* DynamicInfo: u32 version, FILETIME created, FILETIME last run, u32 task
 * state, u32 last action result, and on Windows 8 and later FILETIME last
 * completed (libyal winreg-kb; EZ TaskCache.cs; G DATA dynamic_info.ksy). */
int gl_tc_dynamic_info_decode(const uint8_t *p, size_t n, gl_tc_dynamic_info *out, gl_err *err)
{
    memset(out, 0, sizeof *out);
    out->size = n;
    tc_cur c = tc_cur_init(p, n, "DynamicInfo", err);
    if (n < 28)
        return tc_fail(&c, 0, "%zu bytes: expected 28 (Vista/7) or 36 (Windows 8 and later)", n);
    tc_u32(&c, "version", &out->version);
    tc_u64(&c, "created", &out->created);
    tc_u64(&c, "last run", &out->last_run);
    tc_u32(&c, "task state", &out->task_state);
    tc_u32(&c, "last action result", &out->last_action_result);
    if (n >= 36) {
        tc_u64(&c, "last completed", &out->last_completed);
        out->has_last_completed = true;
    }
    if (n != 28 && n != 36) /* decoded what the known forms hold; say so */
        return tc_fail(&c, 0, "%zu bytes: expected 28 (Vista/7) or 36 (Windows 8 and later)", n);
    return 0;
}

/* A SID at `off` inside the descriptor, as a string. */
static int sd_sid(tc_cur *c, uint32_t off, const char *what, char **out)
{
    if (off == 0)
        return 0;
    if (off > c->n || c->n - off < 8)
        return tc_fail(c, 0, "%s at offset 0x%x: expected a SID inside the %zu-byte value", what, (unsigned)off,
                       c->n);
    size_t len = 8 + 4 * (size_t)c->p[off + 1];
    if (c->n - off < len)
        return tc_fail(c, off, "%s: SID of %zu bytes runs past the end of the value", what, len);
    gl_buf b = {0};
    if (!gl_sid_format(&b, c->p + off, len)) {
        gl_buf_free(&b);
        return tc_fail(c, off, "%s: expected a SID of revision 1", what);
    }
    *out = b.data;
    return 0;
}

/* Self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6): revision, sbz1,
 * control, then offsets of owner, group, SACL and DACL. */
int gl_tc_sd_decode(const uint8_t *p, size_t n, gl_tc_sd *out, gl_err *err)
{
    memset(out, 0, sizeof *out);
    tc_cur c = tc_cur_init(p, n, "SD", err);
    uint8_t sbz1;
    uint32_t owner, group, sacl, dacl;
    if (tc_u8(&c, "revision", &out->revision) < 0 || tc_u8(&c, "sbz1", &sbz1) < 0 ||
        tc_u16(&c, "control", &out->control) < 0 || tc_u32(&c, "owner offset", &owner) < 0 ||
        tc_u32(&c, "group offset", &group) < 0 || tc_u32(&c, "SACL offset", &sacl) < 0 ||
        tc_u32(&c, "DACL offset", &dacl) < 0)
        return -1;
    if (out->revision != 1)
        return tc_fail(&c, 0, "revision %u: expected 1", out->revision);
    if (!(out->control & 0x8000))
        return tc_fail(&c, 2, "control 0x%04X: expected the self-relative flag 0x8000", out->control);
    out->has_sacl = (out->control & 0x0010) && sacl != 0;
    out->has_dacl = (out->control & 0x0004) && dacl != 0;
    if (sd_sid(&c, owner, "owner", &out->owner) < 0 || sd_sid(&c, group, "group", &out->group) < 0)
        return -1;
    if (out->has_dacl) {
        if (dacl > n || n - dacl < 8)
            return tc_fail(&c, 16, "DACL offset 0x%x: expected an 8-byte ACL header inside the %zu-byte value",
                           (unsigned)dacl, n);
        out->dacl_aces = gl_le16(p + dacl + 4);
    }
    return 0;
}

void gl_tc_sd_free(gl_tc_sd *sd)
{
    free(sd->owner);
    free(sd->group);
    memset(sd, 0, sizeof *sd);
}

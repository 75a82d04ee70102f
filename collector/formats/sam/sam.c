/* SAM hive value decoders (see sam.h for the layouts and sources). */
#include "sam.h"
#include <inttypes.h>
#include <stdlib.h>
#include "text.h"

/* Keep the first problem: later ones are usually its consequences. */
static void note(gl_err *err, bool *failed, const char *what, size_t off, const char *expected)
{
    if (!*failed)
        gl_err_set(err, "%s: offset 0x%zx: %s", what, off, expected);
    *failed = true;
}

int gl_sam_user_f_parse(const uint8_t *p, size_t n, const char *what, gl_sam_user_f *out, gl_err *err)
{
    *out = (gl_sam_user_f){0};
    /* Field by field, so a short value still yields its leading times. */
    if (n >= 0x10)
        out->last_logon = gl_le64(p + 0x08);
    if (n >= 0x20)
        out->password_last_set = gl_le64(p + 0x18);
    if (n >= 0x28)
        out->account_expires = gl_le64(p + 0x20);
    if (n >= 0x30)
        out->last_failed_logon = gl_le64(p + 0x28);
    if (n >= 0x38) {
        out->rid = gl_le32(p + 0x30);
        out->primary_group_rid = gl_le32(p + 0x34);
    }
    if (n >= 0x3A)
        out->acb = gl_le16(p + 0x38);
    if (n >= 0x40) {
        out->country_code = gl_le16(p + 0x3C);
        out->code_page = gl_le16(p + 0x3E);
    }
    if (n >= GL_SAM_USER_F_MIN) {
        out->failed_logon_count = gl_le16(p + 0x40);
        out->logon_count = gl_le16(p + 0x42);
        return 0;
    }
    return gl_err_set(err, "%s: F value: %zu bytes, expected at least %d", what, n, GL_SAM_USER_F_MIN);
}

/* UTF-16LE text at [off, off+len) of p[0..n) as a heap string; "" and
 * false when it does not fit. */
static bool text_at(const uint8_t *p, size_t n, uint64_t off, uint64_t len, char **out)
{
    gl_buf b = {0};
    bool fits = off <= n && len <= n - off;
    if (fits)
        gl_utf16le_to_utf8(&b, p + off, (size_t)len, false);
    *out = gl_xstrdup(b.len ? gl_buf_cstr(&b) : "");
    gl_buf_free(&b);
    return fits;
}

int gl_sam_user_v_parse(const uint8_t *p, size_t n, const char *what, gl_sam_user_v *out, gl_err *err)
{
    static const struct {
        enum gl_sam_v_field field;
        size_t slot;
    } map[] = {
        {GL_SAM_V_NAME, offsetof(gl_sam_user_v, name)},
        {GL_SAM_V_FULL_NAME, offsetof(gl_sam_user_v, full_name)},
        {GL_SAM_V_COMMENT, offsetof(gl_sam_user_v, comment)},
        {GL_SAM_V_USER_COMMENT, offsetof(gl_sam_user_v, user_comment)},
        {GL_SAM_V_HOME_DIR, offsetof(gl_sam_user_v, home_dir)},
        {GL_SAM_V_HOME_DIR_DRIVE, offsetof(gl_sam_user_v, home_dir_drive)},
        {GL_SAM_V_SCRIPT_PATH, offsetof(gl_sam_user_v, script_path)},
        {GL_SAM_V_PROFILE_PATH, offsetof(gl_sam_user_v, profile_path)},
        {GL_SAM_V_WORKSTATIONS, offsetof(gl_sam_user_v, workstations)},
    };
    *out = (gl_sam_user_v){0};
    bool failed = false;
    const uint8_t *data = p + (n < GL_SAM_V_HEADER ? n : GL_SAM_V_HEADER);
    size_t data_len = n < GL_SAM_V_HEADER ? 0 : n - GL_SAM_V_HEADER;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char **slot = (char **)((char *)out + map[i].slot);
        size_t entry = 12 * (size_t)map[i].field;
        if (entry + 8 > n) {
            *slot = gl_xstrdup("");
            note(err, &failed, what, entry, "V value ends inside its offset table");
            continue;
        }
        if (!text_at(data, data_len, gl_le32(p + entry), gl_le32(p + entry + 4), slot))
            note(err, &failed, what, entry, "V field offset/length point past the value");
    }
    if (n >= 12 * GL_SAM_V_NT_HASH + 8) {
        out->lm_hash_len = gl_le32(p + 12 * GL_SAM_V_LM_HASH + 4);
        out->nt_hash_len = gl_le32(p + 12 * GL_SAM_V_NT_HASH + 4);
    }
    return failed ? -1 : 0;
}

void gl_sam_user_v_free(gl_sam_user_v *v)
{
    char **fields[] = {&v->name,         &v->full_name,   &v->comment,      &v->user_comment, &v->home_dir,
                       &v->home_dir_drive, &v->script_path, &v->profile_path, &v->workstations};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

int gl_sam_domain_f_parse(const uint8_t *p, size_t n, const char *what, gl_sam_domain_f *out, gl_err *err)
{
    *out = (gl_sam_domain_f){0};
    if (n < GL_SAM_DOMAIN_F_MIN)
        return gl_err_set(err, "%s: domain F value: %zu bytes, expected at least %d", what, n,
                          GL_SAM_DOMAIN_F_MIN);
    out->creation_time = gl_le64(p + 0x08);
    out->modified_count = gl_le64(p + 0x10);
    out->max_password_age = (int64_t)gl_le64(p + 0x18);
    out->min_password_age = (int64_t)gl_le64(p + 0x20);
    out->lockout_duration = (int64_t)gl_le64(p + 0x30);
    out->lockout_window = (int64_t)gl_le64(p + 0x38);
    out->next_rid = gl_le32(p + 0x48);
    out->password_properties = gl_le32(p + 0x4C);
    out->min_password_length = gl_le16(p + 0x50);
    out->password_history_length = gl_le16(p + 0x52);
    out->lockout_threshold = gl_le16(p + 0x54);
    return 0;
}

int gl_sam_domain_v_sid(const uint8_t *p, size_t n, const char *what, gl_buf *out, gl_err *err)
{
    if (n < GL_SAM_DOMAIN_V_HEADER)
        return gl_err_set(err, "%s: domain V value: %zu bytes, expected at least %d", what, n,
                          GL_SAM_DOMAIN_V_HEADER);
    uint64_t off = gl_le32(p + 12), len = gl_le32(p + 16);
    size_t data_len = n - GL_SAM_DOMAIN_V_HEADER;
    if (off > data_len || len > data_len - off)
        return gl_err_set(err, "%s: offset 0xc: domain SID offset/length point past the value", what);
    const uint8_t *sid = p + GL_SAM_DOMAIN_V_HEADER + off;
    if (len < 8 || len != 8 + 4 * (uint64_t)sid[1] || !gl_sid_format(out, sid, (size_t)len))
        return gl_err_set(err, "%s: offset 0x%" PRIx64 ": domain SID malformed", what, GL_SAM_DOMAIN_V_HEADER + off);
    return 0;
}

#define ALIAS_HEADER 0x34
#define SID_MAX_SUBAUTH 15

/* Member SIDs packed back to back in [arr, arr+len). */
static void alias_members(const uint8_t *arr, size_t len, size_t arr_off, const char *what, gl_sam_alias_c *a,
                          gl_err *err, bool *failed)
{
    size_t want = a->declared_members < GL_SAM_ALIAS_MAX_MEMBERS ? a->declared_members : GL_SAM_ALIAS_MAX_MEMBERS;
    if (a->declared_members > GL_SAM_ALIAS_MAX_MEMBERS)
        note(err, failed, what, 0x30, "member count above the cap (4096)");
    a->members = want ? gl_xcalloc(want, sizeof *a->members) : NULL;
    size_t pos = 0;
    gl_buf sid = {0};
    while (a->n_members < want) {
        size_t sid_len = pos + 8 <= len ? 8 + 4 * (size_t)arr[pos + 1] : 0;
        if (!sid_len || arr[pos + 1] > SID_MAX_SUBAUTH || sid_len > len - pos) {
            note(err, failed, what, ALIAS_HEADER + arr_off + pos, "member SID runs past the array");
            break;
        }
        gl_buf_clear(&sid);
        gl_sid_format(&sid, arr + pos, sid_len);
        a->members[a->n_members++] = gl_xstrdup(gl_buf_cstr(&sid));
        pos += sid_len;
    }
    gl_buf_free(&sid);
}

int gl_sam_alias_c_parse(const uint8_t *p, size_t n, const char *what, gl_sam_alias_c *out, gl_err *err)
{
    *out = (gl_sam_alias_c){0};
    bool failed = false;
    if (n < ALIAS_HEADER) {
        out->name = gl_xstrdup("");
        out->comment = gl_xstrdup("");
        return gl_err_set(err, "%s: alias C value: %zu bytes, expected at least %d", what, n, ALIAS_HEADER);
    }
    const uint8_t *data = p + ALIAS_HEADER;
    size_t data_len = n - ALIAS_HEADER;
    out->rid = gl_le32(p);
    if (!text_at(data, data_len, gl_le32(p + 0x10), gl_le32(p + 0x14), &out->name))
        note(err, &failed, what, 0x10, "name offset/length point past the value");
    if (!text_at(data, data_len, gl_le32(p + 0x1C), gl_le32(p + 0x20), &out->comment))
        note(err, &failed, what, 0x1C, "comment offset/length point past the value");
    uint64_t arr_off = gl_le32(p + 0x28), arr_len = gl_le32(p + 0x2C);
    out->declared_members = gl_le32(p + 0x30);
    if (arr_off > data_len || arr_len > data_len - arr_off) {
        if (out->declared_members)
            note(err, &failed, what, 0x28, "member array offset/length point past the value");
        return failed ? -1 : 0;
    }
    alias_members(data + arr_off, (size_t)arr_len, (size_t)arr_off, what, out, err, &failed);
    return failed ? -1 : 0;
}

void gl_sam_alias_c_free(gl_sam_alias_c *a)
{
    for (size_t i = 0; i < a->n_members; i++)
        free(a->members[i]);
    free(a->members);
    free(a->name);
    free(a->comment);
    *a = (gl_sam_alias_c){0};
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool gl_sam_rid_from_key(const char *name, uint32_t *rid)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        int d = hex_digit(name[i]);
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    if (name[8])
        return false;
    *rid = v;
    return true;
}

/* ---- account-control flags ---- */

static const char *const acb_names[GL_ACB_BITS] = {
    "disabled",
    "homedir_required",
    "password_not_required",
    "temp_duplicate",
    "normal",
    "mns_logon",
    "interdomain_trust",
    "workstation_trust",
    "server_trust",
    "dont_expire_password",
    "auto_locked",
    "encrypted_text_password_allowed",
    "smartcard_required",
    "trusted_for_delegation",
    "not_delegated",
    "use_des_key_only",
    "dont_require_preauth",
    "password_expired",
    "trusted_to_auth_for_delegation",
    "no_auth_data_required",
    "partial_secrets",
    "use_aes_keys",
};

const char *gl_acb_name(unsigned bit) { return bit < GL_ACB_BITS ? acb_names[bit] : NULL; }

void gl_acb_names(gl_buf *out, uint32_t acb)
{
    size_t start = out->len;
    for (unsigned bit = 0; bit < GL_ACB_BITS; bit++) {
        if (!(acb & (1u << bit)))
            continue;
        if (out->len > start)
            gl_buf_putc(out, '|');
        gl_buf_puts(out, acb_names[bit]);
    }
    uint32_t unknown = acb & ~((1u << GL_ACB_BITS) - 1);
    if (unknown)
        gl_buf_printf(out, "%s0x%x", out->len > start ? "|" : "", unknown);
}

gl_uac_change gl_uac_diff(uint32_t old_acb, uint32_t new_acb)
{
    return (gl_uac_change){.set = new_acb & ~old_acb, .cleared = old_acb & ~new_acb};
}

bool gl_uac_parse_hex(const char *s, uint32_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i]; i++) {
        int d = hex_digit(s[i]);
        if (d < 0 || i >= 8)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    if (i == 0)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* msobjs.dll message ids: %%2048+bit = "<flag> - Disabled" (bit turned
 * off; bit 0 reads "Account Enabled"), %%2080+bit = "<flag> - Enabled". */
#define UAC_MSG_OFF 2048
#define UAC_MSG_ON 2080

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

gl_uac_change gl_uac_parse_messages(const char *s, unsigned *unknown)
{
    gl_uac_change c = {0};
    unsigned bad = 0;
    while (*s) {
        while (is_space(*s))
            s++;
        if (!*s)
            break;
        const char *tok = s;
        while (*s && !is_space(*s))
            s++;
        size_t len = (size_t)(s - tok);
        unsigned id = 0;
        bool ok = len == 6 && tok[0] == '%' && tok[1] == '%';
        for (size_t i = 2; ok && i < len; i++) {
            ok = tok[i] >= '0' && tok[i] <= '9';
            id = id * 10 + (unsigned)(tok[i] - '0');
        }
        if (ok && id >= UAC_MSG_OFF && id < UAC_MSG_OFF + 32)
            c.cleared |= 1u << (id - UAC_MSG_OFF);
        else if (ok && id >= UAC_MSG_ON && id < UAC_MSG_ON + 32)
            c.set |= 1u << (id - UAC_MSG_ON);
        else if (!(len == 1 && tok[0] == '-'))
            bad++;
    }
    if (unknown)
        *unknown = bad;
    return c;
}

uint32_t gl_uac_from_ad(uint32_t uf)
{
    static const struct {
        uint32_t uf, acb;
    } map[] = {
        {0x00000002, GL_ACB_DISABLED},
        {0x00000008, GL_ACB_HOMEDIR_REQUIRED},
        {0x00000010, GL_ACB_AUTO_LOCKED},
        {0x00000020, GL_ACB_PASSWORD_NOT_REQUIRED},
        {0x00000080, GL_ACB_ENCRYPTED_TEXT_PASSWORD},
        {0x00000100, GL_ACB_TEMP_DUPLICATE},
        {0x00000200, GL_ACB_NORMAL},
        {0x00000800, GL_ACB_INTERDOMAIN_TRUST},
        {0x00001000, GL_ACB_WORKSTATION_TRUST},
        {0x00002000, GL_ACB_SERVER_TRUST},
        {0x00010000, GL_ACB_DONT_EXPIRE_PASSWORD},
        {0x00020000, GL_ACB_MNS_LOGON},
        {0x00040000, GL_ACB_SMARTCARD_REQUIRED},
        {0x00080000, GL_ACB_TRUSTED_FOR_DELEGATION},
        {0x00100000, GL_ACB_NOT_DELEGATED},
        {0x00200000, GL_ACB_USE_DES_KEY_ONLY},
        {0x00400000, GL_ACB_DONT_REQUIRE_PREAUTH},
        {0x00800000, GL_ACB_PASSWORD_EXPIRED},
        {0x01000000, GL_ACB_TRUSTED_TO_AUTH_FOR_DELEGATION},
        {0x02000000, GL_ACB_NO_AUTH_DATA_REQUIRED},
        {0x04000000, GL_ACB_PARTIAL_SECRETS},
        {0x08000000, GL_ACB_USE_AES_KEYS},
    };
    uint32_t acb = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (uf & map[i].uf)
            acb |= map[i].acb;
    return acb;
}

/* Security Accounts Manager (SAM hive) structures: the per-user `F` and `V`
 * values under SAM\Domains\Account\Users\<RID as 8 hex digits>, the domain
 * `F` value under SAM\Domains\Account, an alias's `C` value (its member
 * SIDs) under SAM\Domains\{Builtin,Account}\Aliases\<RID>, and decoding of
 * the account-control flags that both the SAM and the Security log's
 * 4720/4738 events carry.
 *
 * Layouts: libyal winreg-kb "Security Accounts Manager keys" (F, alias C)
 * and EZPLUG RegistryPlugin.SAM (F offsets), checked against the real
 * corpus hive dev/hives/sam/regipy__SAM (see tests/unit/test_sam.c).
 * Flags: MS-SAMR 2.2.1.12 (USER_* bits), 2.2.1.13 (UF_* bits) and the
 * mapping table 3.1.5.14.2.
 *
 * `Names\<user name>` keys carry no data: the *type* of their default value
 * is the RID, which the caller reads from the registry view.
 *
 * Every function takes the value bytes as read from the hive, trusts no
 * offset or length in them, and on damage fills what it could and returns
 * -1 with an error naming `what` (the key path), the offset and what was
 * expected. */
#ifndef GL_SAM_H
#define GL_SAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

/* SAM USER_* account-control bits (MS-SAMR 2.2.1.12). The SAM `F` value's
 * flags and the OldUacValue/NewUacValue of 4720/4738 use these, NOT the AD
 * userAccountControl (UF_*) bits. */
enum {
    GL_ACB_DISABLED = 0x00000001,
    GL_ACB_HOMEDIR_REQUIRED = 0x00000002,
    GL_ACB_PASSWORD_NOT_REQUIRED = 0x00000004,
    GL_ACB_TEMP_DUPLICATE = 0x00000008,
    GL_ACB_NORMAL = 0x00000010,
    GL_ACB_MNS_LOGON = 0x00000020,
    GL_ACB_INTERDOMAIN_TRUST = 0x00000040,
    GL_ACB_WORKSTATION_TRUST = 0x00000080,
    GL_ACB_SERVER_TRUST = 0x00000100,
    GL_ACB_DONT_EXPIRE_PASSWORD = 0x00000200,
    GL_ACB_AUTO_LOCKED = 0x00000400,
    GL_ACB_ENCRYPTED_TEXT_PASSWORD = 0x00000800,
    GL_ACB_SMARTCARD_REQUIRED = 0x00001000,
    GL_ACB_TRUSTED_FOR_DELEGATION = 0x00002000,
    GL_ACB_NOT_DELEGATED = 0x00004000,
    GL_ACB_USE_DES_KEY_ONLY = 0x00008000,
    GL_ACB_DONT_REQUIRE_PREAUTH = 0x00010000,
    GL_ACB_PASSWORD_EXPIRED = 0x00020000,
    GL_ACB_TRUSTED_TO_AUTH_FOR_DELEGATION = 0x00040000,
    GL_ACB_NO_AUTH_DATA_REQUIRED = 0x00080000,
    GL_ACB_PARTIAL_SECRETS = 0x00100000,
    GL_ACB_USE_AES_KEYS = 0x00200000,
};
#define GL_ACB_BITS 22

/* Well-known RIDs of the local account domain (MS-SAMR 2.2.1.14). */
enum { GL_RID_ADMINISTRATOR = 500, GL_RID_GUEST = 501, GL_RID_KRBTGT = 502, GL_RID_DEFAULT_ACCOUNT = 503 };

/* FILETIME that means "never" in account-expiry fields (besides 0). */
#define GL_SAM_NEVER 0x7FFFFFFFFFFFFFFFull

/* A user's `F` value (80 bytes on NT 4 to Windows 11). Times are FILETIMEs,
 * 0 when never. */
typedef struct gl_sam_user_f {
    uint64_t last_logon;        /* 0x08 */
    uint64_t password_last_set; /* 0x18 */
    uint64_t account_expires;   /* 0x20; 0 or GL_SAM_NEVER = never */
    uint64_t last_failed_logon; /* 0x28 */
    uint32_t rid;               /* 0x30; equals the key name */
    uint32_t primary_group_rid; /* 0x34 */
    uint32_t acb;               /* 0x38 (16 bits stored): GL_ACB_* */
    uint16_t country_code;      /* 0x3C */
    uint16_t code_page;         /* 0x3E */
    uint16_t failed_logon_count; /* 0x40 */
    uint16_t logon_count;       /* 0x42 */
} gl_sam_user_f;
#define GL_SAM_USER_F_MIN 0x44

/* Decode a user's F value. Fields past a short value stay 0; then -1. */
int gl_sam_user_f_parse(const uint8_t *p, size_t n, const char *what, gl_sam_user_f *out, gl_err *err);

/* The text fields of a user's `V` value: a table of 17 (offset, length,
 * unused) triples, offsets relative to the end of the table (0xCC), data
 * UTF-16LE without terminator. */
enum gl_sam_v_field {
    GL_SAM_V_NAME = 1,
    GL_SAM_V_FULL_NAME = 2,
    GL_SAM_V_COMMENT = 3,
    GL_SAM_V_USER_COMMENT = 4,
    GL_SAM_V_HOME_DIR = 6,
    GL_SAM_V_HOME_DIR_DRIVE = 7,
    GL_SAM_V_SCRIPT_PATH = 8,
    GL_SAM_V_PROFILE_PATH = 9,
    GL_SAM_V_WORKSTATIONS = 10,
    GL_SAM_V_LM_HASH = 13,
    GL_SAM_V_NT_HASH = 14,
};
#define GL_SAM_V_ENTRIES 17
#define GL_SAM_V_HEADER (GL_SAM_V_ENTRIES * 12)

/* Decoded V strings as UTF-8 (heap, never NULL after parse; "" when
 * absent or out of bounds). */
typedef struct gl_sam_user_v {
    char *name, *full_name, *comment, *user_comment, *home_dir, *home_dir_drive, *script_path,
        *profile_path, *workstations;
    /* Stored lengths of the (encrypted) LM and NT hash entries, not their
     * contents: on the RC4-era layout 4 means no hash stored (the corpus
     * Guest account, never given a password) and 20 a hash. */
    uint32_t lm_hash_len, nt_hash_len;
} gl_sam_user_v;

/* Decode a user's V value. Every field whose offset/length leaves the
 * value is left "" and reported; the others are still decoded. */
int gl_sam_user_v_parse(const uint8_t *p, size_t n, const char *what, gl_sam_user_v *out, gl_err *err);
void gl_sam_user_v_free(gl_sam_user_v *v);

/* The domain `F` value under SAM\Domains\Account (policy and the RID
 * counter). Relative times are negative 100 ns counts as stored. */
typedef struct gl_sam_domain_f {
    uint64_t creation_time;   /* 0x08: when the account database was made (an image's build time on cloned installs) */
    uint64_t modified_count;  /* 0x10 */
    int64_t max_password_age; /* 0x18 */
    int64_t min_password_age; /* 0x20 */
    int64_t lockout_duration; /* 0x30 */
    int64_t lockout_window;   /* 0x38 */
    uint32_t next_rid;        /* 0x48: RIDs below it were handed out (gaps = deleted accounts) */
    uint32_t password_properties; /* 0x4C */
    uint16_t min_password_length; /* 0x50 */
    uint16_t password_history_length; /* 0x52 */
    uint16_t lockout_threshold; /* 0x54 */
} gl_sam_domain_f;
#define GL_SAM_DOMAIN_F_MIN 0x56

int gl_sam_domain_f_parse(const uint8_t *p, size_t n, const char *what, gl_sam_domain_f *out, gl_err *err);

/* The machine (account domain) SID from the domain `V` value under
 * SAM\Domains\Account: entry 1 of a 4-entry (offset, length, unused)
 * table, data relative to the table's end (0x30). A local account's SID is
 * this SID plus "-<RID>", which is how SAM users meet the TargetSid of
 * the Security log. Appends "S-1-5-21-..." to out. */
#define GL_SAM_DOMAIN_V_HEADER 0x30
int gl_sam_domain_v_sid(const uint8_t *p, size_t n, const char *what, gl_buf *out, gl_err *err);

/* An alias (local group) `C` value: RID, name, comment and member SIDs.
 * The 0x34-byte header's offsets are relative to its end. */
#define GL_SAM_ALIAS_MAX_MEMBERS 4096
typedef struct gl_sam_alias_c {
    uint32_t rid;
    char *name, *comment;     /* heap UTF-8, never NULL after parse */
    char **members;           /* SID strings, heap */
    size_t n_members;         /* decoded members */
    uint32_t declared_members; /* the count the value claims */
} gl_sam_alias_c;

int gl_sam_alias_c_parse(const uint8_t *p, size_t n, const char *what, gl_sam_alias_c *out, gl_err *err);
void gl_sam_alias_c_free(gl_sam_alias_c *a);

/* A Users\<RID> key name: exactly 8 hex digits ("000001F4" -> 500). */
bool gl_sam_rid_from_key(const char *name, uint32_t *rid);

/* ---- account-control flags ---- */

/* Name of one GL_ACB_* bit ("disabled", "password_not_required", ...),
 * NULL for bits above GL_ACB_BITS. */
const char *gl_acb_name(unsigned bit);
/* Append the names of the set bits, joined by '|' ("" for none); unknown
 * bits as "0x...". */
void gl_acb_names(gl_buf *out, uint32_t acb);

/* A change of account-control flags: bits turned on and bits turned off. */
typedef struct gl_uac_change {
    uint32_t set;
    uint32_t cleared;
} gl_uac_change;

/* From 4720/4738 OldUacValue/NewUacValue (SAM bits). */
gl_uac_change gl_uac_diff(uint32_t old_acb, uint32_t new_acb);
/* "0x15" (or plain hex) as the Security log writes OldUacValue; false for
 * anything else (e.g. "-"). */
bool gl_uac_parse_hex(const char *s, uint32_t *out);
/* The 4720/4738 UserAccountControl text: msobjs.dll message references
 * "%%2048".."%%2079" (bit 0..31 turned off; %%2048 = "Account Enabled")
 * and "%%2080".."%%2111" (turned on; %%2080 = "Account Disabled"),
 * separated by white space. "-" or "" is no change. Other tokens are
 * counted in *unknown (may be NULL). */
gl_uac_change gl_uac_parse_messages(const char *s, unsigned *unknown);
/* An AD userAccountControl (UF_* bits, as 5136 AttributeValue carries it)
 * mapped to SAM bits (MS-SAMR 3.1.5.14.2). UF bits without a SAM twin
 * (SCRIPT, PASSWD_CANT_CHANGE) are dropped. */
uint32_t gl_uac_from_ad(uint32_t uf);
/* The account was enabled by this change (disabled bit cleared). */
static inline bool gl_uac_enabled(gl_uac_change c) { return (c.cleared & GL_ACB_DISABLED) != 0; }
static inline bool gl_uac_disabled(gl_uac_change c) { return (c.set & GL_ACB_DISABLED) != 0; }

#endif

/* SAM value decoders (collector/formats/sam) on the real corpus SAM hive
 * (regipy__SAM; expected values from the corpus MANIFEST and an
 * independent python3-hivex decode of the same bytes), on hand-built
 * hostile values, and the UserAccountControl helpers on the real 4720/4738
 * events of the corpus logs. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "regf.h"
#include "sam.h"
#include "test_regf_util.h"
#include "testutil.h"
#include "text.h"

#define SAM_HIVE "dev/hives/sam/regipy__SAM"
#define DOMAIN_SID "S-1-5-21-1760460187-1592185332-161725925"

static regf_hive *open_sam(void)
{
    char *path = tu_corpus(SAM_HIVE);
    gl_err err = {0};
    regf_hive *h = tr_open(path, NULL, NULL, NULL, &err);
    cr_assert_not_null(h, "%s", err.msg);
    free(path);
    return h;
}

/* Raw bytes of value `name` of the key at `path` (copied to the heap). */
static uint8_t *value_bytes(regf_hive *h, const char *path, const char *name, size_t *len)
{
    regf_key k = regf_key_open(h, regf_root(h), path);
    cr_assert_neq(k, REGF_NONE, "no key %s", path);
    regf_value v = regf_value_find(h, k, name);
    cr_assert_neq(v, REGF_NONE, "no value %s\\%s", path, name);
    gl_buf scratch = {0};
    const uint8_t *p = regf_value_data(h, v, len, &scratch);
    cr_assert_not_null(p);
    uint8_t *copy = gl_xmalloc(*len ? *len : 1);
    memcpy(copy, p, *len);
    gl_buf_free(&scratch);
    return copy;
}

static const char *iso(uint64_t ft, char buf[GL_TIME_STRLEN])
{
    if (!gl_filetime_iso(ft, 0, buf))
        strcpy(buf, "never");
    return buf;
}

static const char *acb_text(uint32_t acb)
{
    static gl_buf b;
    gl_buf_clear(&b);
    gl_acb_names(&b, acb);
    return gl_buf_cstr(&b);
}

struct user_expect {
    const char *key, *name, *comment, *last_logon, *pwd_set;
    uint32_t rid, acb;
    uint16_t logons, country, code_page;
    uint64_t expires;
    uint32_t nt_hash_len;
    const char *flags;
};

Test(sam, corpus_users_f_and_v)
{
    TU_REQUIRE_CORPUS();
    static const struct user_expect want[] = {
        {"000001F4", "Administrator", "Built-in account for administering the computer/domain",
         "2010-11-20T21:48:12Z", "2010-11-20T21:56:34Z", 500, 0x211, 6, 0, 0, 0, 20,
         "disabled|normal|dont_expire_password"},
        {"000001F5", "Guest", "Built-in account for guest access to the computer/domain", "never", "never", 501,
         0x215, 0, 0, 0, GL_SAM_NEVER, 4, "disabled|password_not_required|normal|dont_expire_password"},
        {"000003E8", "Preston", "", "2014-09-30T02:59:34Z", "2014-09-24T03:35:45Z", 1000, 0x10, 4, 1, 1252, 0, 20,
         "normal"},
    };
    regf_hive *h = open_sam();
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct user_expect *w = &want[i];
        char path[128], t[GL_TIME_STRLEN];
        snprintf(path, sizeof path, "SAM\\Domains\\Account\\Users\\%s", w->key);
        size_t flen, vlen;
        uint8_t *f = value_bytes(h, path, "F", &flen), *v = value_bytes(h, path, "V", &vlen);
        gl_sam_user_f uf;
        gl_err err = {0};
        cr_assert_eq(flen, 80);
        cr_assert_eq(gl_sam_user_f_parse(f, flen, path, &uf, &err), 0, "%s", err.msg);
        uint32_t key_rid;
        cr_assert(gl_sam_rid_from_key(w->key, &key_rid));
        cr_expect_eq(uf.rid, w->rid);
        cr_expect_eq(key_rid, w->rid);
        cr_expect_eq(uf.primary_group_rid, 513);
        cr_expect_eq(uf.acb, w->acb, "%s acb 0x%x", w->name, uf.acb);
        cr_expect_str_eq(acb_text(uf.acb), w->flags);
        cr_expect_str_eq(iso(uf.last_logon, t), w->last_logon);
        cr_expect_str_eq(iso(uf.password_last_set, t), w->pwd_set);
        cr_expect_eq(uf.last_failed_logon, 0);
        cr_expect_eq(uf.account_expires, w->expires);
        cr_expect_eq(uf.logon_count, w->logons);
        cr_expect_eq(uf.failed_logon_count, 0);
        cr_expect_eq(uf.country_code, w->country);
        cr_expect_eq(uf.code_page, w->code_page);

        gl_sam_user_v uv;
        cr_assert_eq(gl_sam_user_v_parse(v, vlen, path, &uv, &err), 0, "%s", err.msg);
        cr_expect_str_eq(uv.name, w->name);
        cr_expect_str_eq(uv.comment, w->comment);
        cr_expect_str_eq(uv.full_name, "");
        cr_expect_str_eq(uv.home_dir, "");
        cr_expect_str_eq(uv.profile_path, "");
        cr_expect_eq(uv.lm_hash_len, 4);
        cr_expect_eq(uv.nt_hash_len, w->nt_hash_len);

        /* Names\<name>: the default value's type is the RID. */
        char names[128];
        snprintf(names, sizeof names, "SAM\\Domains\\Account\\Users\\Names\\%s", w->name);
        regf_key nk = regf_key_open(h, regf_root(h), names);
        cr_assert_neq(nk, REGF_NONE, "%s", names);
        cr_expect_eq(regf_value_type(h, regf_value_find(h, nk, "")), w->rid);
        gl_sam_user_v_free(&uv);
        free(f);
        free(v);
    }
    regf_close(h);
}

Test(sam, corpus_domain_f)
{
    TU_REQUIRE_CORPUS();
    regf_hive *h = open_sam();
    size_t len;
    uint8_t *p = value_bytes(h, "SAM\\Domains\\Account", "F", &len);
    gl_sam_domain_f d;
    gl_err err = {0};
    cr_assert_eq(gl_sam_domain_f_parse(p, len, "SAM\\Domains\\Account", &d, &err), 0, "%s", err.msg);
    char t[GL_TIME_STRLEN];
    cr_expect_str_eq(iso(d.creation_time, t), "2009-07-14T04:34:12Z");
    cr_expect_eq(d.modified_count, 37);
    cr_expect_eq(d.next_rid, 1001); /* Preston (1000) was the last account made */
    cr_expect_eq(d.lockout_duration, -18000000000LL); /* 30 minutes */
    cr_expect_eq(d.lockout_window, -18000000000LL);
    cr_expect_eq(d.max_password_age, INT64_MIN);
    cr_expect_eq(d.min_password_length, 0);
    cr_expect_eq(d.lockout_threshold, 0);
    free(p);

    /* the machine SID, which the alias members and the logs' TargetSid use */
    p = value_bytes(h, "SAM\\Domains\\Account", "V", &len);
    gl_buf sid = {0};
    cr_assert_eq(gl_sam_domain_v_sid(p, len, "SAM\\Domains\\Account", &sid, &err), 0, "%s", err.msg);
    cr_expect_str_eq(gl_buf_cstr(&sid), DOMAIN_SID);
    /* hostile: the SID entry pointing past the value, a short value */
    uint8_t bad[0x30 + 24];
    memcpy(bad, p, sizeof bad);
    bad[12] = 0x10;
    gl_buf_clear(&sid);
    cr_expect_eq(gl_sam_domain_v_sid(bad, sizeof bad, "D\\V", &sid, &err), -1);
    cr_expect_str_eq(err.msg, "D\\V: offset 0xc: domain SID offset/length point past the value");
    bad[12] = 0;
    bad[0x31] = 5; /* claims 5 sub-authorities in 24 bytes */
    cr_expect_eq(gl_sam_domain_v_sid(bad, sizeof bad, "D\\V", &sid, &err), -1);
    cr_expect_str_eq(err.msg, "D\\V: offset 0x30: domain SID malformed");
    cr_expect_eq(sid.len, 0);
    cr_expect_eq(gl_sam_domain_v_sid(bad, 0x2f, "D\\V", &sid, &err), -1);
    gl_buf_free(&sid);
    free(p);
    regf_close(h);
}

Test(sam, corpus_alias_members)
{
    TU_REQUIRE_CORPUS();
    static const struct {
        const char *key, *name;
        size_t n;
        const char *members[3];
    } want[] = {
        {"00000220", "Administrators", 2, {DOMAIN_SID "-500", DOMAIN_SID "-1000"}},
        {"00000221", "Users", 3, {"S-1-5-4", "S-1-5-11", DOMAIN_SID "-1000"}},
        {"00000222", "Guests", 1, {DOMAIN_SID "-501"}},
        {"0000022B", "Remote Desktop Users", 0, {0}},
    };
    regf_hive *h = open_sam();
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "SAM\\Domains\\Builtin\\Aliases\\%s", want[i].key);
        size_t len;
        uint8_t *p = value_bytes(h, path, "C", &len);
        gl_sam_alias_c a;
        gl_err err = {0};
        cr_assert_eq(gl_sam_alias_c_parse(p, len, path, &a, &err), 0, "%s", err.msg);
        uint32_t rid;
        cr_assert(gl_sam_rid_from_key(want[i].key, &rid));
        cr_expect_eq(a.rid, rid);
        cr_expect_str_eq(a.name, want[i].name);
        cr_expect_eq(a.declared_members, want[i].n);
        cr_assert_eq(a.n_members, want[i].n, "%s: %zu members", a.name, a.n_members);
        for (size_t m = 0; m < a.n_members; m++)
            cr_expect_str_eq(a.members[m], want[i].members[m]);
        gl_sam_alias_c_free(&a);
        free(p);
    }
    regf_close(h);
}

/* ---- hostile values ---- */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

Test(sam, f_truncated_keeps_leading_fields)
{
    uint8_t f[80] = {0};
    f[0x08] = 0x11;
    put32(f + 0x30, 0x3e9);
    f[0x38] = 0x15;
    f[0x42] = 7;
    gl_sam_user_f uf;
    gl_err err = {0};
    cr_expect_eq(gl_sam_user_f_parse(f, 0, "X\\F", &uf, &err), -1);
    cr_expect_eq(uf.last_logon, 0);
    cr_expect_eq(gl_sam_user_f_parse(f, 0x3A, "X\\F", &uf, &err), -1);
    cr_expect_str_eq(err.msg, "X\\F: F value: 58 bytes, expected at least 68");
    cr_expect_eq(uf.last_logon, 0x11);
    cr_expect_eq(uf.rid, 0x3e9);
    cr_expect_eq(uf.acb, 0x15);
    cr_expect_eq(uf.logon_count, 0);
    cr_expect_eq(gl_sam_user_f_parse(f, 0x43, "X\\F", &uf, &err), -1);
    cr_expect_eq(gl_sam_user_f_parse(f, 0x44, "X\\F", &uf, &err), 0);
    cr_expect_eq(uf.logon_count, 7);
}

/* A V value with the name "ab" and comment "c". */
static size_t build_v(uint8_t *v, size_t cap)
{
    cr_assert(cap >= GL_SAM_V_HEADER + 6);
    memset(v, 0, cap);
    put32(v + 12 * GL_SAM_V_NAME, 0);
    put32(v + 12 * GL_SAM_V_NAME + 4, 4);
    put32(v + 12 * GL_SAM_V_COMMENT, 4);
    put32(v + 12 * GL_SAM_V_COMMENT + 4, 2);
    memcpy(v + GL_SAM_V_HEADER, "a\0b\0c\0", 6);
    return GL_SAM_V_HEADER + 6;
}

Test(sam, v_offsets_past_end_leave_fields_empty)
{
    uint8_t v[GL_SAM_V_HEADER + 16];
    size_t n = build_v(v, sizeof v);
    gl_sam_user_v uv;
    gl_err err = {0};
    cr_assert_eq(gl_sam_user_v_parse(v, n, "U\\V", &uv, &err), 0, "%s", err.msg);
    cr_expect_str_eq(uv.name, "ab");
    cr_expect_str_eq(uv.comment, "c");
    gl_sam_user_v_free(&uv);

    /* comment length huge: name survives, comment empty, error names it */
    put32(v + 12 * GL_SAM_V_COMMENT + 4, 0xFFFFFFFF);
    cr_expect_eq(gl_sam_user_v_parse(v, n, "U\\V", &uv, &err), -1);
    cr_expect_str_eq(uv.name, "ab");
    cr_expect_str_eq(uv.comment, "");
    cr_expect_str_eq(err.msg, "U\\V: offset 0x24: V field offset/length point past the value");
    gl_sam_user_v_free(&uv);

    /* name offset huge (offset + length wraps in 32 bits) */
    put32(v + 12 * GL_SAM_V_COMMENT + 4, 2);
    put32(v + 12 * GL_SAM_V_NAME, 0xFFFFFFFE);
    cr_expect_eq(gl_sam_user_v_parse(v, n, "U\\V", &uv, &err), -1);
    cr_expect_str_eq(uv.name, "");
    cr_expect_str_eq(uv.comment, "c");
    cr_expect_str_eq(err.msg, "U\\V: offset 0xc: V field offset/length point past the value");
    gl_sam_user_v_free(&uv);

    /* odd length: the stray byte is kept visibly, nothing read past it */
    put32(v + 12 * GL_SAM_V_NAME, 0);
    put32(v + 12 * GL_SAM_V_NAME + 4, 3);
    cr_expect_eq(gl_sam_user_v_parse(v, n, "U\\V", &uv, &err), 0);
    cr_expect_eq(strncmp(uv.name, "a", 1), 0);
    cr_expect_gt(strlen(uv.name), 1);
    gl_sam_user_v_free(&uv);
}

Test(sam, v_truncated_table)
{
    uint8_t v[GL_SAM_V_HEADER + 16];
    build_v(v, sizeof v);
    gl_sam_user_v uv;
    gl_err err = {0};
    /* 0x20 bytes: the name entry (0x0C..0x14) fits, its data does not */
    cr_expect_eq(gl_sam_user_v_parse(v, 0x20, "U\\V", &uv, &err), -1);
    cr_expect_str_eq(uv.name, "");
    cr_expect_str_eq(err.msg, "U\\V: offset 0xc: V field offset/length point past the value");
    cr_expect_eq(uv.nt_hash_len, 0);
    gl_sam_user_v_free(&uv);
    cr_expect_eq(gl_sam_user_v_parse(v, 0, "U\\V", &uv, &err), -1);
    cr_expect_str_eq(uv.workstations, "");
    gl_sam_user_v_free(&uv);
}

/* An alias C value: header, name "G", then `nsid` SIDs S-1-5-32-<544+i>. */
static size_t build_alias(uint8_t *c, size_t cap, uint32_t nsid)
{
    size_t sid_len = 12, n = 0x34 + 2 + sid_len * nsid;
    cr_assert(cap >= n);
    memset(c, 0, cap);
    put32(c, 0x220);
    put32(c + 0x10, 0);
    put32(c + 0x14, 2);
    put32(c + 0x28, 2);
    put32(c + 0x2C, (uint32_t)(sid_len * nsid));
    put32(c + 0x30, nsid);
    c[0x34] = 'G';
    for (uint32_t i = 0; i < nsid; i++) {
        uint8_t *s = c + 0x36 + sid_len * i;
        s[0] = 1;
        s[1] = 1;
        s[7] = 5;
        put32(s + 8, 544 + i);
    }
    return n;
}

Test(sam, alias_hostile_counts_and_sids)
{
    uint8_t c[0x34 + 2 + 12 * 4];
    size_t n = build_alias(c, sizeof c, 4);
    gl_sam_alias_c a;
    gl_err err = {0};
    cr_assert_eq(gl_sam_alias_c_parse(c, n, "A\\C", &a, &err), 0, "%s", err.msg);
    cr_expect_str_eq(a.name, "G");
    cr_assert_eq(a.n_members, 4);
    cr_expect_str_eq(a.members[3], "S-1-5-547");
    gl_sam_alias_c_free(&a);

    /* the count claims 4 billion: the array bounds stop the walk */
    put32(c + 0x30, 0xFFFFFFFF);
    cr_expect_eq(gl_sam_alias_c_parse(c, n, "A\\C", &a, &err), -1);
    cr_expect_eq(a.n_members, 4);
    cr_expect_str_eq(err.msg, "A\\C: offset 0x30: member count above the cap (4096)");
    gl_sam_alias_c_free(&a);

    /* a SID claiming 255 sub-authorities */
    put32(c + 0x30, 4);
    c[0x36 + 12 + 1] = 255;
    cr_expect_eq(gl_sam_alias_c_parse(c, n, "A\\C", &a, &err), -1);
    cr_expect_eq(a.n_members, 1);
    cr_expect_str_eq(err.msg, "A\\C: offset 0x42: member SID runs past the array");
    gl_sam_alias_c_free(&a);

    /* array past the end; name length odd and huge */
    put32(c + 0x2C, 0x7FFFFFFF);
    put32(c + 0x14, 0xFFFFFFFF);
    cr_expect_eq(gl_sam_alias_c_parse(c, n, "A\\C", &a, &err), -1);
    cr_expect_str_eq(a.name, "");
    cr_expect_eq(a.n_members, 0);
    cr_expect_str_eq(err.msg, "A\\C: offset 0x10: name offset/length point past the value");
    gl_sam_alias_c_free(&a);

    cr_expect_eq(gl_sam_alias_c_parse(c, 0x33, "A\\C", &a, &err), -1);
    cr_expect_str_eq(a.name, "");
    gl_sam_alias_c_free(&a);
}

Test(sam, rid_from_key_name)
{
    uint32_t rid = 7;
    cr_expect(gl_sam_rid_from_key("000001F4", &rid));
    cr_expect_eq(rid, 500);
    cr_expect(gl_sam_rid_from_key("000003e8", &rid));
    cr_expect_eq(rid, 1000);
    cr_expect_not(gl_sam_rid_from_key("Names", &rid));
    cr_expect_not(gl_sam_rid_from_key("000001F", &rid));
    cr_expect_not(gl_sam_rid_from_key("000001F40", &rid));
    cr_expect_not(gl_sam_rid_from_key("0000 1F4", &rid));
    cr_expect_eq(rid, 1000);
}

/* ---- account-control flags ---- */

Test(sam, uac_messages_and_values)
{
    unsigned unknown = 99;
    /* a new local account (4720): disabled, password not required, normal */
    gl_uac_change c = gl_uac_parse_messages("\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084", &unknown);
    cr_expect_eq(c.set, 0x15);
    cr_expect_eq(c.cleared, 0);
    cr_expect_eq(unknown, 0);
    gl_uac_change d = gl_uac_diff(0x0, 0x15);
    cr_expect_eq(d.set, c.set);
    cr_expect_eq(d.cleared, c.cleared);
    cr_expect(gl_uac_disabled(c));

    /* enabled (4738 right after 4720) */
    c = gl_uac_parse_messages("\r\n\t\t%%2048", &unknown);
    cr_expect_eq(c.cleared, GL_ACB_DISABLED);
    cr_expect(gl_uac_enabled(c));
    cr_expect(gl_uac_enabled(gl_uac_diff(0x15, 0x14)));
    cr_expect_not(gl_uac_enabled(gl_uac_diff(0x14, 0x14)));

    /* "Don't Expire Password" on and "Password Not Required" off */
    c = gl_uac_parse_messages("%%2089 %%2050", &unknown);
    cr_expect_eq(c.set, GL_ACB_DONT_EXPIRE_PASSWORD);
    cr_expect_eq(c.cleared, GL_ACB_PASSWORD_NOT_REQUIRED);
    /* highest ids, "-" and junk */
    c = gl_uac_parse_messages("%%2111 %%2079 - %%2112 %%20480 %%abcd %2048", &unknown);
    cr_expect_eq(c.set, 0x80000000u);
    cr_expect_eq(c.cleared, 0x80000000u);
    cr_expect_eq(unknown, 4);
    c = gl_uac_parse_messages("-", &unknown);
    cr_expect_eq(c.set | c.cleared, 0);
    cr_expect_eq(unknown, 0);

    uint32_t v = 0;
    cr_expect(gl_uac_parse_hex("0x15", &v));
    cr_expect_eq(v, 0x15);
    cr_expect(gl_uac_parse_hex("0X211", &v));
    cr_expect_eq(v, 0x211);
    cr_expect(gl_uac_parse_hex("ffffffff", &v));
    cr_expect_eq(v, 0xffffffffu);
    cr_expect_not(gl_uac_parse_hex("-", &v));
    cr_expect_not(gl_uac_parse_hex("0x", &v));
    cr_expect_not(gl_uac_parse_hex("0x100000000", &v));
    cr_expect_not(gl_uac_parse_hex("0x1g", &v));

    /* 5136 userAccountControl values are AD bits */
    cr_expect_eq(gl_uac_from_ad(512), GL_ACB_NORMAL);
    cr_expect_eq(gl_uac_from_ad(514), GL_ACB_NORMAL | GL_ACB_DISABLED);
    cr_expect_eq(gl_uac_from_ad(66048), GL_ACB_NORMAL | GL_ACB_DONT_EXPIRE_PASSWORD);
    cr_expect_eq(gl_uac_from_ad(0x1 | 0x40), 0); /* SCRIPT, PASSWD_CANT_CHANGE: no SAM twin */
    cr_expect_eq(gl_uac_from_ad(0x08000000), GL_ACB_USE_AES_KEYS);

    cr_expect_str_eq(acb_text(0), "");
    cr_expect_str_eq(acb_text(0x400 | 0x200000), "auto_locked|use_aes_keys");
    cr_expect_str_eq(acb_text(0x80000001u), "disabled|0x80000000");
    cr_expect_str_eq(gl_acb_name(9), "dont_expire_password");
    cr_expect_null(gl_acb_name(GL_ACB_BITS));
}

/* Every 4720/4738 with values in the corpus account logs: the message list
 * decodes to exactly the Old -> New difference (so both use SAM bits). */
Test(sam, uac_messages_agree_with_values_in_real_logs, .timeout = 60)
{
    TU_REQUIRE_CORPUS();
    char *dir = tu_corpus("dev/evtx/accounts");
    char **paths;
    size_t n = tu_list_dir(dir, ".evtx", &paths);
    cr_assert_eq(n, 8);
    size_t checked = 0, no_values = 0, enabled = 0;
    for (size_t i = 0; i < n; i++) {
        gl_buf out = {0};
        int rc = tu_runf(&out, NULL, "'%s' evtx dump --id 4720,4738 '%s'", tu_gleaner(), paths[i]);
        cr_assert_eq(rc, 0, "%s", paths[i]);
        char *line = out.data;
        while (line && *line) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            cJSON *ev = cJSON_Parse(line);
            cr_assert_not_null(ev, "%s", line);
            cJSON *data = cJSON_GetObjectItem(ev, "EventData");
            const char *old_s = cJSON_GetStringValue(cJSON_GetObjectItem(data, "OldUacValue"));
            const char *new_s = cJSON_GetStringValue(cJSON_GetObjectItem(data, "NewUacValue"));
            const char *msgs = cJSON_GetStringValue(cJSON_GetObjectItem(data, "UserAccountControl"));
            cr_assert(old_s && new_s && msgs);
            uint32_t o, nv;
            unsigned unknown;
            gl_uac_change m = gl_uac_parse_messages(msgs, &unknown);
            cr_expect_eq(unknown, 0, "%s", msgs);
            if (gl_uac_parse_hex(old_s, &o) && gl_uac_parse_hex(new_s, &nv)) {
                gl_uac_change d = gl_uac_diff(o, nv);
                cr_expect_eq(m.set, d.set, "%s -> %s: %s", old_s, new_s, msgs);
                cr_expect_eq(m.cleared, d.cleared, "%s -> %s: %s", old_s, new_s, msgs);
                checked++;
                enabled += gl_uac_enabled(d);
            } else {
                cr_expect_eq(m.set | m.cleared, 0);
                no_values++;
            }
            cJSON_Delete(ev);
            line = nl ? nl + 1 : NULL;
        }
        gl_buf_free(&out);
    }
    cr_expect_eq(checked, 36);
    cr_expect_eq(no_values, 5);
    cr_expect_gt(enabled, 0);
}

/* Firewall rule strings (MS-GPFAS 2.2.2.19) and the firewall's numeric
 * codes: exact fields of real-shaped rules, every port/address form, and
 * hostile input (truncated, huge, NUL bytes, bad values) giving partial
 * results plus an error naming the offset. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fwrule.h"
#include "fwrule_exercise.h"
#include "mutate_util.h"
#include "testutil.h"

static bool str_is(fw_str s, const char *lit) { return s.p && s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0; }

#define ASSERT_STR(s, lit) cr_assert(str_is((s), (lit)), "expected \"%s\", got \"%.*s\"", (lit), (int)(s).n, (s).p ? (s).p : "")

/* The built-in Remote Desktop rule as Windows stores it. */
static const char RDP[] =
    "v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|Profile=Private|Profile=Public|"
    "LPort=3389|App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|"
    "Desc=@FirewallAPI.dll,-28756|EmbedCtxt=@FirewallAPI.dll,-28752|";

Test(fwrule, builtin_rdp_rule_fields)
{
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(RDP, strlen(RDP), &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.version_major, 2);
    cr_assert_eq(r.version_minor, 22);
    cr_assert_eq(r.action, FW_ACTION_ALLOW);
    cr_assert_eq(r.active, 1);
    cr_assert_eq(r.dir, FW_DIR_IN);
    cr_assert_eq(r.protocol, 6);
    cr_assert_eq(r.profiles, FW_PROFILE_DOMAIN | FW_PROFILE_PRIVATE | FW_PROFILE_PUBLIC);
    cr_assert_eq(r.edge, -1);
    cr_assert_eq(r.n_lports, 1);
    cr_assert_eq(r.lports[0].kind, FW_PORT_RANGE);
    cr_assert_eq(r.lports[0].lo, 3389);
    cr_assert_eq(r.lports[0].hi, 3389);
    cr_assert_eq(r.n_rports, 0);
    ASSERT_STR(r.app, "%SystemRoot%\\system32\\svchost.exe");
    ASSERT_STR(r.svc, "termservice");
    ASSERT_STR(r.name, "@FirewallAPI.dll,-28775");
    ASSERT_STR(r.desc, "@FirewallAPI.dll,-28756");
    ASSERT_STR(r.embed_ctxt, "@FirewallAPI.dll,-28752");
    cr_assert_eq(r.n_fields, 13);
    cr_assert_eq(r.n_errors, 0);
    cr_assert(fw_ports_cover(r.lports, r.n_lports, 3389));
    cr_assert_not(fw_ports_cover(r.lports, r.n_lports, 3390));
    const fw_field *f = fw_rule_field(&r, "svc");
    cr_assert_not_null(f);
    cr_assert_eq(f->offset, strstr(RDP, "Svc=") - RDP);
    fw_rule_free(&r);
}

/* An attacker's rule: AnyDesk from a user folder, address keywords and
 * ranges, edge traversal, a port keyword and tokens this parser does not
 * type (kept in order as plain fields). */
Test(fwrule, rmm_rule_with_keywords_ranges_and_unknown_tokens)
{
    static const char s[] =
        "v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=7070|LPort=21115-21119|LPort2_10=IPTLSIn|"
        "RPort2_24=mDNS|LA4=LocalSubnet|RA4=10.0.0.0/8|RA4=192.168.1.10-192.168.1.20|RA4=172.16.0.0/255.240.0.0|"
        "RA6=fe80::/64|RA6=IntErnet|App=C:\\Users\\bob\\AppData\\Roaming\\AnyDesk.exe|Name=AnyDesk|Edge=TRUE|"
        "Defer=App|LUAuth=O:LSD:(A;;CC;;;S-1-5-84-0-0-0-0-0)|PFN=pkg|";
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(s, strlen(s), &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.version_minor, 33);
    cr_assert_eq(r.protocol, 17);
    cr_assert_eq(r.profiles, 0);
    cr_assert_eq(r.edge, 1);
    cr_assert_eq(r.n_lports, 3);
    cr_assert_eq(r.lports[1].lo, 21115);
    cr_assert_eq(r.lports[1].hi, 21119);
    cr_assert_eq(r.lports[2].kind, FW_PORT_KEYWORD);
    cr_assert_eq(r.lports[2].keyword, FW_PORT_KW_IPHTTPS_IN);
    cr_assert_eq(r.n_rports, 1);
    cr_assert_eq(r.rports[0].keyword, FW_PORT_KW_MDNS);
    cr_assert(fw_ports_cover(r.lports, r.n_lports, 21117));
    cr_assert_eq(r.n_laddrs, 1);
    cr_assert_eq(r.laddrs[0].kind, FW_ADDR_KEYWORD);
    cr_assert_eq(r.laddrs[0].keyword, FW_ADDR_KW_LOCAL_SUBNET);
    cr_assert_eq(r.n_raddrs, 5);
    const fw_addr *a = &r.raddrs[0];
    cr_assert_eq(a->family, 4);
    cr_assert_eq(a->prefix, 8);
    cr_assert_arr_eq(a->lo, ((uint8_t[]){10, 0, 0, 0}), 4);
    cr_assert_arr_eq(a->hi, ((uint8_t[]){10, 255, 255, 255}), 4);
    a = &r.raddrs[1];
    cr_assert_eq(a->prefix, -1);
    cr_assert_arr_eq(a->lo, ((uint8_t[]){192, 168, 1, 10}), 4);
    cr_assert_arr_eq(a->hi, ((uint8_t[]){192, 168, 1, 20}), 4);
    a = &r.raddrs[2];
    cr_assert_eq(a->prefix, 12);
    cr_assert_arr_eq(a->hi, ((uint8_t[]){172, 31, 255, 255}), 4);
    a = &r.raddrs[3];
    cr_assert_eq(a->family, 6);
    cr_assert_eq(a->prefix, 64);
    cr_assert_arr_eq(a->lo, ((uint8_t[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 16);
    cr_assert_arr_eq(a->hi, ((uint8_t[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), 16);
    cr_assert_eq(r.raddrs[4].keyword, FW_ADDR_KW_INTERNET);
    ASSERT_STR(r.app, "C:\\Users\\bob\\AppData\\Roaming\\AnyDesk.exe");
    ASSERT_STR(r.name, "AnyDesk");
    cr_assert_null(r.svc.p);
    const fw_field *f = fw_rule_field(&r, "LUAuth");
    cr_assert_not_null(f);
    cr_assert_not(f->typed);
    ASSERT_STR(f->value, "O:LSD:(A;;CC;;;S-1-5-84-0-0-0-0-0)");
    f = fw_rule_field(&r, "Defer");
    ASSERT_STR(f->value, "App");
    cr_assert(fw_rule_field(&r, "Edge")->typed);
    ASSERT_STR(r.fields[r.n_fields - 1].key, "PFN");
    fw_rule_free(&r);
}

/* Shapes from a real Windows 11 rule store: keyword addresses under the
 * later "RA42"/"RA62" keys, two LPort2_10 keywords, ICMP and TTK tokens
 * kept untyped. */
Test(fwrule, later_schema_keys)
{
    static const char s[] =
        "v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|Profile=Private|Profile=Public|RPort=2177|"
        "RA42=Ply2Renders|RA62=Ply2Renders|App=%SystemRoot%\\system32\\svchost.exe|Svc=Qwave|"
        "Name=@FirewallAPI.dll,-36016|Desc=@FirewallAPI.dll,-36017|EmbedCtxt=@FirewallAPI.dll,-36001|";
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(s, strlen(s), &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.n_raddrs, 2);
    cr_assert_eq(r.raddrs[0].keyword, FW_ADDR_KW_PLAYTO_RENDERERS);
    cr_assert_eq(r.raddrs[1].keyword, FW_ADDR_KW_PLAYTO_RENDERERS);
    fw_rule_free(&r);
    static const char t[] = "v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort2_10=IPTLSIn|LPort2_10=IPHTTPSIn|"
                            "App=System|ICMP6=2:*|TTK2_22=WFDPrint|LA42=fe80::1|";
    cr_assert_eq(fw_rule_parse(t, strlen(t), &r, &err), -1);
    cr_assert_str_eq(err.msg, "offset 125: LA42: IPv6 address \"fe80::1\" in an IPv4 field");
    cr_assert_eq(r.n_lports, 2);
    cr_assert_eq(r.lports[0].keyword, FW_PORT_KW_IPHTTPS_IN);
    cr_assert_eq(r.lports[1].keyword, FW_PORT_KW_IPHTTPS_IN);
    ASSERT_STR(fw_rule_field(&r, "ICMP6")->value, "2:*");
    cr_assert_not(fw_rule_field(&r, "TTK2_22")->typed);
    cr_assert_null(fw_rule_field(&r, "RA4"));
    fw_rule_free(&r);
}

Test(fwrule, block_out_bypass_and_empty_values)
{
    static const char s[] = "v2.10|Action=Block|Active=FALSE|Dir=Out|Desc=|Name=x|";
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(s, strlen(s), &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.action, FW_ACTION_BLOCK);
    cr_assert_eq(r.active, 0);
    cr_assert_eq(r.dir, FW_DIR_OUT);
    cr_assert_eq(r.protocol, -1);
    cr_assert_not_null(r.desc.p);
    cr_assert_eq(r.desc.n, 0);
    fw_rule_free(&r);
    static const char b[] = "v2.10|action=bypass|dir=in|";
    cr_assert_eq(fw_rule_parse(b, strlen(b), &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.action, FW_ACTION_BYPASS);
    cr_assert_eq(r.dir, FW_DIR_IN);
    fw_rule_free(&r);
}

/* Each malformed rule: the exact first error, the error count, and what
 * was still read. */
Test(fwrule, bad_values_name_field_and_offset)
{
    static const struct {
        const char *rule;
        const char *msg;
        size_t errors;
    } cases[] = {
        {"v2.30|Action=Permit|Dir=In|", "offset 6: Action: expected Allow, Block or ByPass, found \"Permit\"", 1},
        {"v2.30|Protocol=tcp|", "offset 6: Protocol: expected a protocol number 0..255, found \"tcp\"", 1},
        {"v2.30|Protocol=256|", "offset 6: Protocol: expected a protocol number 0..255, found \"256\"", 1},
        {"v2.30|LPort=70000|", "offset 6: LPort: expected a port 0..65535, found \"70000\"", 1},
        {"v2.30|LPort=9-3|", "offset 6: LPort: port range \"9-3\" ends before it starts", 1},
        {"v2.30|LPort=80,443|", "offset 6: LPort: expected a port 0..65535, found \"80,443\"", 1},
        {"v2.30|RA4=10.0.0.256|", "offset 6: RA4: expected an IPv4 address, found \"10.0.0.256\"", 1},
        {"v2.30|RA4=fe80::1|", "offset 6: RA4: IPv6 address \"fe80::1\" in an IPv4 field", 1},
        {"v2.30|RA4=10.0.0.0/255.0.255.0|", "offset 6: RA4: bad prefix or mask in subnet \"10.0.0.0/255.0.255.0\"", 1},
        {"v2.30|RA6=fe80::/129|", "offset 6: RA6: bad prefix or mask in subnet \"fe80::/129\"", 1},
        {"v2.30|Profile=Home|", "offset 6: Profile: expected Domain, Private or Public, found \"Home\"", 1},
        {"v2.30|Active=yes|", "offset 6: Active: expected TRUE or FALSE, found \"yes\"", 1},
        {"v2.30|Action=Allow|Action=Block|", "offset 19: Action given twice (the first is kept)", 1},
        {"v2.30|App=a|App=b|", "offset 12: App given twice (the first is kept)", 1},
        {"v2.30|Action=Allow", "offset 18: last field not terminated by '|'", 1},
        {"v2.30|Action=Allow||Dir=In|", "offset 19: empty field", 1},
        {"v2.30|junk|", "offset 6: expected Key=Value, found \"junk\"", 1},
        {"v2.30|=x|", "offset 6: expected Key=Value, found \"=x\"", 1},
        {"2.30|Action=Allow|", "offset 0: expected \"v<major>.<minor>|\", found \"2.30\"", 1},
        {"Action=Allow|Dir=In|", "offset 0: expected \"v<major>.<minor>|\", found \"Action=Allow\"", 1},
        {"v2.30", "offset 5: expected '|' after the version", 1},
        {"v2.x|", "offset 0: expected \"v<major>.<minor>|\", found \"v2.x\"", 1},
        {"v2.30|Name=a\x01\xff|RA4=1.2.3|", "offset 15: RA4: expected an IPv4 address, found \"1.2.3\"", 1},
        {"v2.30|LPort=$$|Protocol=x|", "offset 6: LPort: expected a port, range or keyword, found \"$$\"", 2},
        {"", "offset 0: empty rule string", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fw_rule r;
        gl_err err = {0};
        cr_assert_eq(fw_rule_parse(cases[i].rule, strlen(cases[i].rule), &r, &err), -1, "case %zu", i);
        cr_assert_str_eq(err.msg, cases[i].msg, "case %zu", i);
        cr_assert_eq(r.n_errors, cases[i].errors, "case %zu: %zu errors", i, r.n_errors);
        fw_rule_free(&r);
    }
}

Test(fwrule, partial_result_survives_errors)
{
    /* Version missing, a bad field in the middle, no final '|': the good
     * fields are all there. */
    static const char s[] = "Action=Allow|Protocol=999|Dir=In|LPort=3389|App=C:\\x.exe";
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(s, strlen(s), &r, &err), -1);
    cr_assert_eq(r.n_errors, 3);
    cr_assert_eq(r.action, FW_ACTION_ALLOW);
    cr_assert_eq(r.dir, FW_DIR_IN);
    cr_assert_eq(r.protocol, -1);
    cr_assert_eq(r.n_lports, 1);
    ASSERT_STR(r.app, "C:\\x.exe");
    cr_assert_eq(r.n_fields, 5);
    fw_rule_free(&r);
}

Test(fwrule, nul_byte_inside_is_reported_and_kept)
{
    static const char s[] = "v2.30|Name=ok\0hidden|Dir=In|";
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(s, sizeof s - 1, &r, &err), -1);
    cr_assert_str_eq(err.msg, "offset 13: NUL byte inside the rule string");
    cr_assert_eq(r.name.n, 9);
    cr_assert_eq(r.dir, FW_DIR_IN);
    fw_rule_free(&r);
}

Test(fwrule, huge_and_many_fields_are_bounded)
{
    /* More fields than the cap: the first FW_RULE_MAX_FIELDS are kept. */
    size_t count = FW_RULE_MAX_FIELDS + 100;
    gl_buf b = {0};
    gl_buf_puts(&b, "v2.30|");
    for (size_t i = 0; i < count; i++)
        gl_buf_puts(&b, "RA4=1.2.3.4|");
    fw_rule r;
    gl_err err = {0};
    cr_assert_eq(fw_rule_parse(b.data, b.len, &r, &err), -1);
    cr_assert_eq(r.n_fields, FW_RULE_MAX_FIELDS);
    cr_assert_eq(r.n_raddrs, FW_RULE_MAX_FIELDS);
    cr_assert_eq(r.n_errors, 1);
    char want[96];
    snprintf(want, sizeof want, "offset %zu: more than %u fields; the rest is ignored",
             (size_t)6 + FW_RULE_MAX_FIELDS * 12, FW_RULE_MAX_FIELDS);
    cr_assert_str_eq(err.msg, want);
    fw_rule_free(&r);
    /* Longer than any rule the firewall writes: refused outright. */
    gl_buf_clear(&b);
    gl_buf_puts(&b, "v2.30|Name=");
    gl_buf_reserve(&b, FW_RULE_MAX_LEN);
    memset(b.data + b.len, 'A', FW_RULE_MAX_LEN);
    b.len += FW_RULE_MAX_LEN;
    cr_assert_eq(fw_rule_parse(b.data, b.len, &r, &err), -1);
    cr_assert_eq(r.n_fields, 0);
    fw_rule_free(&r);
    /* Exactly at the limit: one long name, parsed. */
    b.len = FW_RULE_MAX_LEN - 1;
    b.data[b.len - 1] = '|';
    cr_assert_eq(fw_rule_parse(b.data, b.len, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.name.n, FW_RULE_MAX_LEN - 1 - 12);
    fw_rule_free(&r);
    gl_buf_free(&b);
}

/* Every prefix of a real rule: never a crash, and every cut short of the
 * final '|' is an error. */
Test(fwrule, every_truncation_is_an_error)
{
    size_t n = strlen(RDP);
    for (size_t cut = 0; cut < n; cut++) {
        char *copy = gl_xmalloc(cut + 1); /* exact size: ASan catches overreads */
        memcpy(copy, RDP, cut);
        fw_rule r;
        gl_err err = {0};
        int rc = fw_rule_parse(copy, cut, &r, &err);
        bool ends_field = cut > 0 && RDP[cut - 1] == '|';
        cr_assert_eq(rc, ends_field ? 0 : -1, "cut %zu: %s", cut, err.msg);
        fw_rule_free(&r);
        free(copy);
    }
}

Test(fwrule, port_tokens)
{
    static const struct {
        const char *text;
        fw_port_kind kind;
        unsigned lo, hi;
        uint32_t kw;
    } ok[] = {
        {"0", FW_PORT_RANGE, 0, 0, 0},
        {"65535", FW_PORT_RANGE, 65535, 65535, 0},
        {"5000-5010", FW_PORT_RANGE, 5000, 5010, 0},
        {"*", FW_PORT_ANY, 0, 0, 0},
        {"Any", FW_PORT_ANY, 0, 0, 0},
        {"RPC", FW_PORT_KEYWORD, 0, 0, FW_PORT_KW_RPC},
        {"rpc-epmap", FW_PORT_KEYWORD, 0, 0, FW_PORT_KW_RPC_EPMAP},
        {"Teredo", FW_PORT_KEYWORD, 0, 0, FW_PORT_KW_TEREDO},
        {"IPHTTPSOut", FW_PORT_KEYWORD, 0, 0, FW_PORT_KW_IPHTTPS_OUT},
        {"Ply2Disc", FW_PORT_KEYWORD, 0, 0, FW_PORT_KW_PLY2DISC},
        {"DHCP", FW_PORT_KEYWORD, 0, 0, FW_PORT_KW_DHCP},
        {"CortanaOut", FW_PORT_KEYWORD, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        fw_port p;
        gl_err err = {0};
        cr_assert_eq(fw_port_parse(ok[i].text, strlen(ok[i].text), &p, &err), 0, "%s: %s", ok[i].text, err.msg);
        cr_assert_eq(p.kind, ok[i].kind, "%s", ok[i].text);
        cr_assert_eq(p.lo, ok[i].lo, "%s", ok[i].text);
        cr_assert_eq(p.hi, ok[i].hi, "%s", ok[i].text);
        cr_assert_eq(p.keyword, ok[i].kw, "%s", ok[i].text);
    }
    static const char *const bad[] = {"", "-1", "1-", "123456", "1 2", "80-70", "+80", "R$C", "1-2-3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fw_port p;
        gl_err err = {0};
        cr_assert_eq(fw_port_parse(bad[i], strlen(bad[i]), &p, &err), -1, "%s", bad[i]);
    }
}

Test(fwrule, address_tokens)
{
    fw_addr a;
    gl_err err = {0};
    cr_assert_eq(fw_addr_parse("LocalSubnet4", 12, &a, &err), 0);
    cr_assert_eq(a.keyword, FW_ADDR_KW_LOCAL_SUBNET);
    cr_assert_eq(fw_addr_parse("intranet", 8, &a, &err), 0);
    cr_assert_eq(a.keyword, FW_ADDR_KW_INTRANET);
    cr_assert_eq(fw_addr_parse("Ply2Renders", 11, &a, &err), 0);
    cr_assert_eq(a.keyword, FW_ADDR_KW_PLAYTO_RENDERERS);
    cr_assert_eq(fw_addr_parse("SomethingNew", 12, &a, &err), 0);
    cr_assert_eq(a.kind, FW_ADDR_KEYWORD);
    cr_assert_eq(a.keyword, 0);
    cr_assert_eq(fw_addr_parse("0.0.0.0/0", 9, &a, &err), 0);
    cr_assert_arr_eq(a.hi, ((uint8_t[]){255, 255, 255, 255}), 4);
    cr_assert_eq(fw_addr_parse("::-ffff::", 9, &a, &err), 0);
    cr_assert_eq(a.family, 6);
    cr_assert_eq(a.hi[0], 0xff);
    static const char *const bad[] = {"1.2.3.4-1.2.3.3", "1.2.3.4.5", "1..2.3", "01234.1.1.1", "fe80::1::2",
                                      "1.2.3.4/33", "1.2.3.4/", "9.9.9.9-", ":", "4abc", "a b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(fw_addr_parse(bad[i], strlen(bad[i]), &a, &err), -1, "%s", bad[i]);
    /* A v6 literal longer than any address: refused, not copied. */
    char longv6[200];
    memset(longv6, ':', sizeof longv6);
    cr_assert_eq(fw_addr_parse(longv6, sizeof longv6, &a, &err), -1);
}

/* Event fields are comma lists ("LocalPorts": "80,443,5000-5010"). */
Test(fwrule, event_lists)
{
    fw_port *p;
    size_t n;
    gl_err err = {0};
    cr_assert_eq(fw_port_list_parse("80,443,5000-5010,RPC", 20, &p, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 4);
    cr_assert_eq(p[2].hi, 5010);
    cr_assert_eq(p[3].keyword, FW_PORT_KW_RPC);
    free(p);
    cr_assert_eq(fw_port_list_parse("", 0, &p, &n, &err), 0);
    cr_assert_eq(n, 0);
    free(p);
    cr_assert_eq(fw_port_list_parse("80,,90", 6, &p, &n, &err), -1);
    cr_assert_str_eq(err.msg, "offset 3: expected a port, found nothing");
    cr_assert_eq(n, 1);
    free(p);
    fw_addr *a;
    cr_assert_eq(fw_addr_list_parse("*", 1, &a, &n, &err), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(a[0].kind, FW_ADDR_ANY);
    free(a);
    cr_assert_eq(fw_addr_list_parse("LocalSubnet,10.1.0.0/16,fe80::/64", 33, &a, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_assert_eq(a[1].prefix, 16);
    cr_assert_eq(a[2].family, 6);
    free(a);
}

Test(fwrule, numeric_code_names)
{
    cr_assert_str_eq(fw_event_action_name(3), "Allow");
    cr_assert_str_eq(fw_event_action_name(2), "Block");
    cr_assert_str_eq(fw_event_action_name(1), "AllowBypass");
    cr_assert_null(fw_event_action_name(0));
    cr_assert_null(fw_event_action_name(4));
    cr_assert_eq(fw_event_action(3), FW_ACTION_ALLOW);
    cr_assert_eq(fw_event_action(9), FW_ACTION_NONE);
    cr_assert_str_eq(fw_event_direction_name(1), "In");
    cr_assert_str_eq(fw_event_direction_name(2), "Out");
    cr_assert_null(fw_event_direction_name(3));
    cr_assert_eq(fw_event_direction(2), FW_DIR_OUT);
    cr_assert_str_eq(fw_protocol_name(6), "TCP");
    cr_assert_str_eq(fw_protocol_name(17), "UDP");
    cr_assert_str_eq(fw_protocol_name(58), "ICMPv6");
    cr_assert_str_eq(fw_protocol_name(256), "Any");
    cr_assert_null(fw_protocol_name(255));
    cr_assert_str_eq(fw_origin_name(1), "Local");
    cr_assert_str_eq(fw_origin_name(2), "GroupPolicy");
    cr_assert_null(fw_origin_name(7));
    cr_assert_null(fw_origin_name(1000));
    cr_assert_str_eq(fw_profile_config_name(FW_PROFILE_CONFIG_ENABLE_FW), "EnableFirewall");
    cr_assert_str_eq(fw_profile_config_name(17), "DefaultInboundAction");
    cr_assert_str_eq(fw_profile_config_name(16), "DefaultOutboundAction");
    cr_assert_null(fw_profile_config_name(19));
    char buf[64];
    cr_assert_str_eq(fw_profiles_text(FW_PROFILE_ALL_EVENT, buf), "All");
    cr_assert_str_eq(fw_profiles_text(3, buf), "Domain,Private");
    cr_assert_str_eq(fw_profiles_text(4, buf), "Public");
    cr_assert_str_eq(fw_profiles_text(0, buf), "");
    cr_assert_str_eq(fw_profiles_text(0x15, buf), "Domain,Public,0x10");
    cr_assert_str_eq(fw_profiles_text(0xfffffff8u, buf), "0xFFFFFFF8");
}

Test(fwrule, fuzz_oracles_on_mutations)
{
    static const char *const seeds[] = {
        RDP,
        "v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=21115-21119|LPort2_10=IPTLSIn|RA4=10.0.0.0/255.0.0.0|"
        "RA6=fe80::/64|RA42=Ply2Renders|App=C:\\Users\\Public\\a.exe|Name=x|Edge=TRUE|",
        "80,443,5000-5010,RPC",
        "LocalSubnet,10.1.0.0/16,1.2.3.4-1.2.3.9,*,::1-::ff",
    };
    mu_sweep(seeds, 4, "|=,-/:.*vV0129aZ\\\x01\xff", 20000, 0x9e3779b97f4a7c15ULL, fwrule_exercise);
}

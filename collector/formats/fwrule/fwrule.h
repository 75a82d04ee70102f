/* Windows Firewall rules as text: the rule strings stored as REG_SZ values
 * under ...\SharedAccess\Parameters\FirewallPolicy\FirewallRules (and the
 * RestrictedServices/Mdm variants) and under the GPO store
 * SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules, grammar per
 * MS-GPFAS 2.2.2.19:
 *
 *   v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|App=...|
 *
 * and the numeric codes the firewall's event log (2004/2005/2006/2071/...)
 * and profile settings use (MS-FASP 2.2.32, 2.2.34, 2.2.38).
 *
 * The parser is strict about syntax (a malformed field is an error naming
 * its byte offset) but keeps going, so a damaged or hostile rule still
 * yields every field it has. Strings in the result point into the input,
 * which must outlive the fw_rule. Keys and keywords compare ignoring ASCII
 * case; the text is kept as stored. */
#ifndef GL_FWRULE_H
#define GL_FWRULE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* A piece of the input (not NUL-terminated). */
typedef struct fw_str {
    const char *p;
    size_t n;
} fw_str;

typedef enum fw_action {
    FW_ACTION_NONE = 0, /* absent */
    FW_ACTION_ALLOW,
    FW_ACTION_BLOCK,
    FW_ACTION_BYPASS,
} fw_action;

typedef enum fw_dir {
    FW_DIR_NONE = 0, /* absent */
    FW_DIR_IN,
    FW_DIR_OUT,
} fw_dir;

/* Profile bits as MS-FASP FW_PROFILE_TYPE; rules and events agree. */
#define FW_PROFILE_DOMAIN 0x1u
#define FW_PROFILE_PRIVATE 0x2u
#define FW_PROFILE_PUBLIC 0x4u
#define FW_PROFILE_ALL_EVENT 0x7fffffffu /* what events print for "all" */

/* Port keywords, bits as MS-FASP 2.2.14 FW_PORT_KEYWORD. */
#define FW_PORT_KW_RPC 0x01u        /* RPC (dynamic RPC ports) */
#define FW_PORT_KW_RPC_EPMAP 0x02u  /* RPC-EPMap */
#define FW_PORT_KW_TEREDO 0x04u     /* Teredo */
#define FW_PORT_KW_IPHTTPS_IN 0x08u /* IPHTTPSIn, IPTLSIn */
#define FW_PORT_KW_IPHTTPS_OUT 0x10u
#define FW_PORT_KW_DHCP 0x20u
#define FW_PORT_KW_PLY2DISC 0x40u
#define FW_PORT_KW_MDNS 0x80u

typedef enum fw_port_kind {
    FW_PORT_ANY,     /* "*" / "Any" (events) */
    FW_PORT_RANGE,   /* lo..hi, lo == hi for one port */
    FW_PORT_KEYWORD, /* keyword: flag set when known, 0 otherwise */
} fw_port_kind;

typedef struct fw_port {
    fw_port_kind kind;
    uint16_t lo, hi;
    uint32_t keyword; /* FW_PORT_KW_* or 0 for an unknown keyword */
    fw_str text;      /* the token as stored */
} fw_port;

/* Address keywords, bits as MS-FASP 2.2.21 FW_ADDRESS_KEYWORD. */
#define FW_ADDR_KW_LOCAL_SUBNET 0x001u
#define FW_ADDR_KW_DNS 0x002u
#define FW_ADDR_KW_DHCP 0x004u
#define FW_ADDR_KW_WINS 0x008u
#define FW_ADDR_KW_DEFAULT_GATEWAY 0x010u
#define FW_ADDR_KW_INTRANET 0x020u
#define FW_ADDR_KW_INTERNET 0x040u
#define FW_ADDR_KW_PLAYTO_RENDERERS 0x080u
#define FW_ADDR_KW_REMOTE_INTRANET 0x100u
#define FW_ADDR_KW_CAPTIVE_PORTAL 0x200u

typedef enum fw_addr_kind {
    FW_ADDR_ANY,     /* "*" / "Any" */
    FW_ADDR_RANGE,   /* lo..hi (one address, a range or a subnet) */
    FW_ADDR_KEYWORD, /* keyword: flag set when known, 0 otherwise */
} fw_addr_kind;

typedef struct fw_addr {
    fw_addr_kind kind;
    int family;           /* 4 or 6 for ranges; 0 for any/keyword */
    uint8_t lo[16], hi[16]; /* network order; IPv4 uses the first 4 bytes */
    int prefix;           /* subnet prefix length, -1 when not a subnet */
    uint32_t keyword;     /* FW_ADDR_KW_* or 0 */
    fw_str text;
} fw_addr;

/* One "Key=Value" field as stored, in input order. */
typedef struct fw_field {
    fw_str key, value;
    size_t offset; /* byte offset of the key in the input */
    bool typed;    /* decoded into a member of fw_rule */
} fw_field;

typedef struct fw_rule {
    unsigned version_major, version_minor; /* "v2.30" -> 2, 30 */
    fw_action action;
    int active;   /* 1 TRUE, 0 FALSE, -1 absent */
    fw_dir dir;
    int protocol; /* 0..255, -1 absent (any) */
    uint32_t profiles; /* FW_PROFILE_* bits; 0 absent (all) */
    int edge;     /* Edge= 1/0, -1 absent */
    fw_str app, svc, name, desc, embed_ctxt;
    fw_port *lports, *rports;
    size_t n_lports, n_rports;
    fw_addr *laddrs, *raddrs; /* LA4+LA6, RA4+RA6 in input order */
    size_t n_laddrs, n_raddrs;
    fw_field *fields; /* every field, typed or not */
    size_t n_fields;
    size_t n_errors;  /* problems met; err holds the first */
} fw_rule;

/* Longest rule string and most fields accepted: Windows caps each string
 * at 10001 characters (MS-FASP FW_RULE), so anything near these limits is
 * not a rule the firewall wrote. */
#define FW_RULE_MAX_LEN (1u << 20)
#define FW_RULE_MAX_FIELDS 4096u

/* Parse s[0..n). Returns 0, or -1 with err naming the first problem
 * ("offset 42: Protocol: expected 0..255, found \"tcp\"") while *r still
 * holds everything that could be read. Always call fw_rule_free. */
int fw_rule_parse(const char *s, size_t n, fw_rule *r, gl_err *err);
void fw_rule_free(fw_rule *r);

/* First field with this key (case-insensitive); NULL when absent. */
const fw_field *fw_rule_field(const fw_rule *r, const char *key);

/* One port token ("3389", "5000-5010", "RPC", "*"). Returns 0 or -1. */
int fw_port_parse(const char *s, size_t n, fw_port *out, gl_err *err);
/* One address token ("10.0.0.0/8", "1.2.3.4-1.2.3.9", "fe80::/64",
 * "LocalSubnet", "*"). Returns 0 or -1. */
int fw_addr_parse(const char *s, size_t n, fw_addr *out, gl_err *err);
/* A comma-separated list as events print them ("80,443,5000-5010"):
 * calls fw_port_parse/fw_addr_parse for each item into a fresh array
 * (*out, *count; free() it). Empty input gives 0 items. Returns 0 or -1
 * (items before the bad one are kept). */
int fw_port_list_parse(const char *s, size_t n, fw_port **out, size_t *count, gl_err *err);
int fw_addr_list_parse(const char *s, size_t n, fw_addr **out, size_t *count, gl_err *err);

/* True when the port list covers port p (a range containing it, or any). */
bool fw_ports_cover(const fw_port *ports, size_t n, uint16_t p);

/* ---- names for numeric codes (events, profile settings) ------------------ */

/* Event "Action" (MS-FASP 2.2.34 FW_RULE_ACTION): 1 "AllowBypass",
 * 2 "Block", 3 "Allow"; NULL for other values. */
const char *fw_event_action_name(uint32_t v);
fw_action fw_event_action(uint32_t v);
/* Event "Direction": 1 "In", 2 "Out"; NULL otherwise. */
const char *fw_event_direction_name(uint32_t v);
fw_dir fw_event_direction(uint32_t v);
/* IP protocol number: "TCP", "UDP", "ICMPv4", "ICMPv6", ..., 256 "Any";
 * NULL for numbers without a name here. */
const char *fw_protocol_name(uint32_t v);
/* Event "Origin" (MS-FASP 2.2.32 FW_RULE_ORIGIN_TYPE): "Local", "GroupPolicy",
 * "Dynamic", ..., NULL for unknown values. */
const char *fw_origin_name(uint32_t v);
/* 2003/2082 "SettingType" (MS-FASP 2.2.38 FW_PROFILE_CONFIG): 1
 * "EnableFirewall", 16 "DefaultOutboundAction", 17 "DefaultInboundAction",
 * ...; NULL for unknown values. */
const char *fw_profile_config_name(uint32_t v);
#define FW_PROFILE_CONFIG_ENABLE_FW 1u
#define FW_PROFILE_CONFIG_DISABLE_INBOUND_NOTIFICATIONS 10u
#define FW_PROFILE_CONFIG_DEFAULT_OUTBOUND_ACTION 16u
#define FW_PROFILE_CONFIG_DEFAULT_INBOUND_ACTION 17u
/* Profile bits as "Domain,Private,Public" into out (size >= 64); "All"
 * for 0x7fffffff; "" for 0; unknown bits as "0x..". Returns out. */
const char *fw_profiles_text(uint32_t bits, char out[64]);

#endif

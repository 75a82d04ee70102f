/* Microsoft Defender configuration-change text, as event 5007 ("Old Value",
 * "New Value") and 5013 ("Value") carry it:
 *
 *   HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Paths\C:\Temp = 0x0
 *   Default\Real-Time Protection\DpaDisabled = 0x0
 *   N/A\ProductType =
 *   HKLM\SOFTWARE\Microsoft\Windows Defender\SpyNet\SpyNetReportingLocation = \nSOAP:...\nREST:...
 *
 * Layouts vary by platform version: the location starts with "HKLM\",
 * "HKEY_LOCAL_MACHINE\", a bare "SOFTWARE\", or a pseudo root ("Default"
 * for a built-in default, "N/A" when there was none); the field may be
 * empty, "N/A" or "-"; data is "0x<hex>" for numbers, text (several lines
 * for multi-strings) or nothing. The parser reads the text by structure,
 * never by position, and says where in the Defender key tree the value
 * sits: exclusion lists (whose value NAME is the excluded path, extension,
 * process or address, backslashes included), ASR rules and ASR-only
 * exclusions, Controlled Folder Access lists, or a plain setting.
 *
 * Strings in the result point into the input text. */
#ifndef GL_MPEVENT_H
#define GL_MPEVENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct mp_str {
    const char *p;
    size_t n;
} mp_str;

typedef enum mp_root {
    MP_ROOT_NONE,    /* no value (empty field, "N/A", "-") */
    MP_ROOT_HKLM,    /* "HKLM\..." or "HKEY_LOCAL_MACHINE\..." */
    MP_ROOT_BARE,    /* "SOFTWARE\..." without a hive */
    MP_ROOT_DEFAULT, /* "Default\<path below the Defender key>": built-in default */
    MP_ROOT_NA,      /* "N/A\<path below the Defender key>": no previous value */
    MP_ROOT_OTHER,   /* anything else before the first '\' */
} mp_root;

typedef enum mp_store {
    MP_STORE_UNKNOWN,           /* path outside the keys below */
    MP_STORE_LOCAL,             /* SOFTWARE\Microsoft\Windows Defender */
    MP_STORE_POLICY,            /* SOFTWARE\Policies\Microsoft\Windows Defender */
    MP_STORE_ANTIMALWARE,       /* SOFTWARE\Microsoft\Microsoft Antimalware (SCEP) */
    MP_STORE_POLICY_ANTIMALWARE /* SOFTWARE\Policies\Microsoft\Microsoft Antimalware */
} mp_store;

/* Where below the Defender key the value sits. */
typedef enum mp_area {
    MP_AREA_SETTING,       /* any other value: rel_key\name = data */
    MP_AREA_EXCLUSION,     /* Exclusions\<kind>\<name> */
    MP_AREA_ASR_RULE,      /* Windows Defender Exploit Guard\ASR\Rules\<GUID> */
    MP_AREA_ASR_EXCLUSION, /* ...\ASR\ASROnlyExclusions\<path> */
    MP_AREA_CFA_ALLOWED,   /* ...\Controlled Folder Access\AllowedApplications\<path> */
    MP_AREA_CFA_PROTECTED, /* ...\Controlled Folder Access\ProtectedFolders\<path> */
} mp_area;

typedef enum mp_excl_kind {
    MP_EXCL_NONE,
    MP_EXCL_PATHS,
    MP_EXCL_EXTENSIONS,
    MP_EXCL_PROCESSES,
    MP_EXCL_IPADDRESSES,
    MP_EXCL_TEMPORARYPATHS,
    MP_EXCL_OTHER, /* Exclusions\<a kind not listed here> */
} mp_excl_kind;

typedef struct mp_value {
    mp_root root;
    mp_store store;
    mp_area area;
    mp_excl_kind excl;  /* MP_AREA_EXCLUSION only */
    mp_str location;    /* everything before " = " as stored */
    mp_str rel_key;     /* key below the Defender key ("Real-Time Protection",
                           "Exclusions\Paths", "" for the Defender key itself);
                           for MP_STORE_UNKNOWN the whole path below the hive */
    mp_str name;        /* value name (the exclusion itself for lists) */
    mp_str data;        /* after " = ", trailing line breaks removed */
    bool has_number;    /* data is 0x<hex> or decimal */
    uint64_t number;
} mp_value;

/* Longest field text accepted (Defender's own values are far shorter). */
#define MP_VALUE_MAX_LEN (1u << 20)

/* Parse one field's text. MP_ROOT_NONE for an empty/"N/A"/"-" field (0
 * returned). -1 with err for text whose structure is not understood
 * ("offset 12: expected \"<key>\\<name> = <data>\""); *v still holds what
 * could be told (location at least). */
int mp_value_parse(const char *s, size_t n, mp_value *v, gl_err *err);

/* True when v is a real registry value (not absent, not a default). */
bool mp_value_present(const mp_value *v);

typedef enum mp_change_kind {
    MP_CHANGE_NONE,    /* both sides empty */
    MP_CHANGE_ADDED,   /* a value appeared (new present, old absent/default) */
    MP_CHANGE_REMOVED, /* a value went away (old present, new absent) */
    MP_CHANGE_MODIFIED /* both present, data differs or not */
} mp_change_kind;

typedef struct mp_change {
    mp_value old_v, new_v;
    const mp_value *subject; /* new_v when it names a value, else old_v */
    mp_change_kind kind;
    bool same_value; /* old and new name the same key\name (false when one is empty) */
} mp_change;

/* Event 5007: parse "Old Value" and "New Value" and say what changed.
 * Returns 0, or -1 when either side could not be parsed (err names which:
 * "New Value: offset 3: ..."), with *c filled as far as possible. */
int mp_5007_parse(const char *old_s, size_t old_n, const char *new_s, size_t new_n, mp_change *c, gl_err *err);

/* The same from the rendered message when the data fields are missing:
 * finds the "Old value:" and "New value:" lines (ASCII case ignored, in
 * either order; each runs to the next such label or the end). Returns -1
 * with err when neither label is there. */
int mp_5007_message_parse(const char *msg, size_t n, mp_change *c, gl_err *err);

/* Names for records: "Paths", "Extensions", ...; "setting", "exclusion",
 * ...; "local", "policy", ...; "added", "removed", ... */
const char *mp_excl_kind_name(mp_excl_kind k);
const char *mp_area_name(mp_area a);
const char *mp_store_name(mp_store s);
const char *mp_root_name(mp_root r);
const char *mp_change_kind_name(mp_change_kind k);

#endif

/* Catalog of remote-management (RMM) tools: what each tool leaves on a
 * Windows host (executable names, service names, install and log paths,
 * registry keys, domains, ports, code-signing names).
 *
 * Two inputs merge into one catalog:
 *  - gleaner's own line format (modules/rmm/data/catalog.txt documents it),
 *  - LOLRMM's published API file rmm_tools.json (a JSON array of tools;
 *    github.com/magicsword-io/LOLRMM, Apache-2.0), which users download
 *    themselves and pass with --rmm-catalog.
 * A tool that appears in both (same name, alias or `lolrmm` line) becomes
 * one entry whose lists are the union of both.
 *
 * Lookups go through hash tables built once after loading, so matching a
 * file, service or domain costs a handful of hash probes (about one per
 * path component), never a scan of every tool. Keys are compared ASCII
 * case-insensitively; evidence paths with other scripts only match
 * byte-for-byte in their non-ASCII parts. */
#ifndef GL_RMMCATALOG_H
#define GL_RMMCATALOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"

typedef struct rmmcat rmmcat;

/* Where a tool's facts came from (bit set). */
enum { RMMCAT_SRC_BUILTIN = 1u, RMMCAT_SRC_LOLRMM = 2u };

/* What a path pattern describes. */
typedef enum {
    RMMCAT_ROLE_INSTALL = 1, /* install directory or installed binary */
    RMMCAT_ROLE_FILE = 2,    /* another file the tool writes */
    RMMCAT_ROLE_LOG = 3      /* a log or config worth parsing (see log_kind) */
} rmmcat_role;

typedef struct rmmcat_list {
    char **v; /* as written in the catalog */
    size_t n, cap;
} rmmcat_list;

typedef struct rmmcat_tool {
    char *name;         /* display name, e.g. "AnyDesk" */
    unsigned sources;   /* RMMCAT_SRC_* bits */
    bool priority;      /* named in the Muddled Libra reporting */
    bool tunnel;        /* a tunnel rather than a remote desktop (ngrok) */
    rmmcat_list aliases;   /* other names, incl. LOLRMM names merged here */
    rmmcat_list exes;      /* file names, some with * or ? */
    rmmcat_list services;  /* service key names */
    rmmcat_list paths;     /* install paths (patterns) */
    rmmcat_list files;     /* other files (patterns) */
    rmmcat_list logs;      /* "<kind> <pattern>" */
    rmmcat_list registry;  /* key paths, HKLM\... / HKCU\... */
    rmmcat_list domains;   /* as written: exact, *.suffix or LOLRMM regex */
    rmmcat_list signers;   /* Authenticode subject / company names */
    uint16_t *ports;
    size_t nports, capports;
} rmmcat_tool;

/* How a lookup matched. */
typedef enum {
    RMMCAT_BY_EXE = 1,    /* exact file name */
    RMMCAT_BY_NAMEGLOB,   /* file name pattern, e.g. rustdesk*.exe */
    RMMCAT_BY_PATH,       /* directory prefix or path pattern */
    RMMCAT_BY_SERVICE,
    RMMCAT_BY_DOMAIN,
    RMMCAT_BY_SIGNER,
    RMMCAT_BY_NAME        /* tool name or alias (Uninstall DisplayName) */
} rmmcat_by;

typedef struct rmmcat_hit {
    uint32_t tool;      /* index for rmmcat_tool_at */
    rmmcat_by by;
    const char *what;   /* the catalog entry that matched, as written */
    rmmcat_role role;   /* for path matches */
    const char *log_kind; /* for RMMCAT_ROLE_LOG: the parser name, else NULL */
} rmmcat_hit;

#define RMMCAT_MAX_HITS 16
typedef struct rmmcat_hits {
    size_t n;
    rmmcat_hit h[RMMCAT_MAX_HITS]; /* at most one per tool, first match wins */
} rmmcat_hits;

/* Limits on untrusted catalogs (a user-supplied file is evidence-grade input). */
#define RMMCAT_MAX_TOOLS 20000
#define RMMCAT_MAX_ITEMS 4096   /* per list per tool */
#define RMMCAT_MAX_STR 2048     /* bytes per value */

rmmcat *rmmcat_new(void);
void rmmcat_free(rmmcat *cat);

/* Load gleaner's line format. `name` names the input in errors. On error
 * the catalog keeps the tools loaded before the bad entry; the message
 * names the line, the entry (index and tool name) and the field. */
int rmmcat_load_text(rmmcat *cat, const char *data, size_t len, const char *name, gl_err *err);
/* Load LOLRMM's rmm_tools.json. Errors name the entry index, the tool name
 * and the field path, e.g. `entry 12 "AnyDesk": Details.InstallationPaths[2]:
 * expected a string, found a number`. */
int rmmcat_load_lolrmm(rmmcat *cat, const char *data, size_t len, const char *name, gl_err *err);

size_t rmmcat_count(const rmmcat *cat);
const rmmcat_tool *rmmcat_tool_at(const rmmcat *cat, size_t i);
/* Tool by name or alias (case-insensitive); NULL when absent. */
const rmmcat_tool *rmmcat_find(const rmmcat *cat, const char *name);
int64_t rmmcat_index_of(const rmmcat *cat, const char *name);

/* Each returns hits->n. Inputs need not be NUL-terminated. */
/* A file path: C:\..., \..., with / or \; user folders match any user. */
size_t rmmcat_match_path(const rmmcat *cat, const char *path, size_t len, rmmcat_hits *hits);
/* A bare file name (service ImagePath basename, Prefetch/Amcache name). */
size_t rmmcat_match_exe(const rmmcat *cat, const char *name, size_t len, rmmcat_hits *hits);
size_t rmmcat_match_service(const rmmcat *cat, const char *name, size_t len, rmmcat_hits *hits);
/* A host name; port and trailing dot are ignored. */
size_t rmmcat_match_domain(const rmmcat *cat, const char *host, size_t len, rmmcat_hits *hits);
size_t rmmcat_match_signer(const rmmcat *cat, const char *signer, size_t len, rmmcat_hits *hits);
/* A product name such as an Uninstall DisplayName ("AnyDesk 8.0.9"):
 * the whole text, then shorter word-prefixes, against names and aliases. */
size_t rmmcat_match_product(const rmmcat *cat, const char *text, size_t len, rmmcat_hits *hits);

/* Diagnostics for tests and the benchmark: patterns kept outside every
 * hash index (checked on each path lookup); should stay in single digits. */
size_t rmmcat_unanchored(const rmmcat *cat);

#endif

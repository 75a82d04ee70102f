/* Archiver command lines (rar/WinRAR, 7-Zip, tar.exe, PeaZip) read from
 * their arguments: what the run did and which of the switches that matter
 * for data staging it used. Sources: rar's own help (rar 7.00, man.cx/rar)
 * for -hp/-p/-v/-m0/-r/-ep1/-df/-ta/-tb and the m(ove) commands; 7-Zip's
 * "Command Line Syntax" pages for -p, -mhe, -v, -mx, -r, -sdel, -t; tar
 * (bsdtar) for -c/-f. PeaZip's own command line is recognised by program
 * name only. */
#ifndef GL_ARCHIVER_CMD_H
#define GL_ARCHIVER_CMD_H
#include <stdbool.h>
#include <stddef.h>
#include "cmdline.h"

typedef enum gl_archiver {
    GL_ARCHIVER_NONE = 0,
    GL_ARCHIVER_RAR,    /* rar, winrar, rar32/64 */
    GL_ARCHIVER_7Z,     /* 7z, 7za, 7zr, 7zg, 7zfm */
    GL_ARCHIVER_TAR,    /* tar (bsdtar on Windows 10+) */
    GL_ARCHIVER_PEAZIP, /* peazip, pea */
} gl_archiver;

typedef struct gl_archiver_cmd {
    gl_archiver tool;
    char program[32];    /* "rar", "7za", ... */
    char command[16];    /* "a", "m", "u" (rar, 7z); "c" (tar); "" unknown */
    bool creates;        /* adds files to an archive (a, m, u, f; tar -c) */
    bool password;       /* -p (rar, 7z), -hp (rar) */
    bool header_encryption; /* rar -hp, 7z -mhe[=on] */
    bool volumes;        /* -v<size> (or rar's bare -v) */
    bool store_only;     /* rar -m0, 7z -mx0 / -mx=0: fast, no compression */
    bool recursive;      /* -r */
    bool strip_paths;    /* rar -ep / -ep1 */
    bool delete_after;   /* rar -df or m/mf, 7z -sdel */
    bool time_filter;    /* rar -ta/-tb/-tn/-to: only files changed in a window */
    bool quiet;          /* rar -inul/-idq, 7z -bso0 */
    char *password_text; /* as typed after -p/-hp; NULL when prompted or absent */
    char *volume_size;   /* "200m"; NULL when absent or automatic */
    char *archive_type;  /* 7z -t<type>; NULL when absent */
    char *archive;       /* the archive argument; NULL when none */
    size_t sources;      /* file/list arguments after the archive */
} gl_archiver_cmd;

/* Read argv (from gl_cmdline_split). Returns false (out->tool NONE) when
 * argv[0] is no known archiver. */
bool gl_archiver_cmd_parse(const gl_argv *argv, gl_archiver_cmd *out);
void gl_archiver_cmd_free(gl_archiver_cmd *c);

#endif

/* gleaner version */
#include <archive.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <yara.h>
#include <zstd.h>
#include <cjson/cJSON.h>
#include "commands.h"

const char *gl_exit_codes_help =
    "exit codes:\n"
    "  0  complete: every module ran; bundle written and valid\n"
    "  1  partial: bundle written and valid, but a module failed or a limit was hit\n"
    "  2  usage error (bad option or profile); nothing was read\n"
    "  3  fatal: no bundle written (source or output unusable)\n"
    "  4  verify: bundle altered, incomplete or unreadable\n";

int gl_cmd_version(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: gleaner version\n\nPrint gleaner's version, build date and library versions.\n");
        return GL_EXIT_OK;
    }
    printf("gleaner %s (built %s)\n", GLEANER_VERSION, GLEANER_BUILD_DATE);
    printf("%s\n", archive_version_string());
    printf("libyara %d.%d.%d\n", YR_MAJOR_VERSION, YR_MINOR_VERSION, YR_MICRO_VERSION);
    printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION));
    printf("zstd %s\n", ZSTD_versionString());
    printf("cJSON %s\n", cJSON_Version());
    return GL_EXIT_OK;
}

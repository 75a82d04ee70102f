/* gleaner verify: check a bundle against its manifest and sidecar hash. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "bundle_unpack.h"
#include "commands.h"

static const char verify_help[] =
    "usage: gleaner verify [-q] BUNDLE\n\n"
    "Re-hash every member of BUNDLE and compare with its manifest.json, and\n"
    "the whole file with BUNDLE.sha256. Lists every member that is missing,\n"
    "extra or altered, and says where a truncated bundle ends.\n"
    "Exit 0 when intact, 4 when not, 2 on usage errors.\n\n"
    "  -q, --quiet   print only problems\n"
    "  -h, --help    this help\n";

int gl_cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = true; break;
        case 'h': fputs(verify_help, stdout); return GL_EXIT_OK;
        default: fputs(verify_help, stderr); return GL_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fputs(verify_help, stderr);
        return GL_EXIT_USAGE;
    }
    const char *path = argv[optind];
    gl_verify_result res;
    gl_buf report = {0};
    int bad = gl_bundle_verify(path, &res, &report);
    if (report.len)
        fputs(report.data, stdout);
    gl_buf_free(&report);
    if (bad) {
        printf("%s: FAILED (%zu members read; %zu missing, %zu extra, %zu altered%s%s)\n", path,
               res.members_checked, res.missing, res.extra, res.altered,
               res.readable ? "" : ", truncated or corrupt",
               res.sidecar_ok == 1 ? "" : ", sidecar hash does not match");
        return GL_EXIT_INVALID;
    }
    if (!quiet)
        printf("%s: OK (%zu members, manifest and sidecar match)\n", path, res.members_checked);
    return GL_EXIT_OK;
}

/* gleaner verify: check a bundle against its manifest and sidecar hash. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "bundle_unpack.h"
#include "runlimits.h"
#include "commands.h"

static const char verify_help[] =
    "usage: gleaner verify [-q] [--key KEY.pem [--cert CERT.pem]] BUNDLE\n\n"
    "Re-hash every member of BUNDLE and compare with its manifest.json, and\n"
    "the whole file with BUNDLE.sha256. Lists every member that is missing,\n"
    "extra or altered, and says where a truncated bundle ends.\n"
    "An encrypted bundle (.p7m, collect --encrypt-to) is read through decryption\n"
    "with --key, writing no clear text; its sidecar covers the encrypted file.\n"
    "Exit 0 when intact, 4 when not, 2 on usage errors (also: an encrypted bundle\n"
    "without --key, or a key that opens none of its recipients).\n\n"
    "  -q, --quiet   print only problems\n"
    "  -k, --key KEY.pem    private key of one recipient of an encrypted bundle\n"
    "  -c, --cert CERT.pem  its certificate (picks the recipient)\n"
    "      --unpack-limit KEY=VALUE  caps on what reading may unpack (repeatable):\n"
    "                ratio=N (x the bundle's size on disk, default 1000),\n"
    "                total=SIZE (1T), member=SIZE (256G), members=N (10000000);\n"
    "                a member over one is reported and the bundle fails\n"
    "  -h, --help    this help\n";

int gl_cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'},
        {"key", required_argument, 0, 'k'}, {"cert", required_argument, 0, 'c'},
        {"unpack-limit", required_argument, 0, 'U'}, {0, 0, 0, 0}};
    gl_unpack_limits unpack = gl_unpack_limits_default();
    gl_err uerr = {0};
    bool quiet = false;
    const char *key = NULL, *cert = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qhk:c:", opts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = true; break;
        case 'k': key = optarg; break;
        case 'c': cert = optarg; break;
        case 'U':
            if (gl_unpack_limits_parse(&unpack, optarg, &uerr) != 0) {
                fprintf(stderr, "gleaner verify: %s\n", uerr.msg);
                return GL_EXIT_USAGE;
            }
            break;
        case 'h': fputs(verify_help, stdout); return GL_EXIT_OK;
        default: fputs(verify_help, stderr); return GL_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || (cert && !key)) {
        fputs(verify_help, stderr);
        return GL_EXIT_USAGE;
    }
    gl_bundle_set_unpack_limits(&unpack);
    const char *path = argv[optind];
    gl_verify_result res;
    gl_buf report = {0};
    int bad = gl_bundle_verify_key(path, key, cert, &res, &report);
    if (report.len)
        fputs(report.data, stdout);
    gl_buf_free(&report);
    if (res.key_problem) {
        printf("%s: NOT VERIFIED: cannot be decrypted with the key given (see above)\n", path);
        return GL_EXIT_USAGE;
    }
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

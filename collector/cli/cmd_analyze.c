/* gleaner analyze: the program layer over gl_analyze_host/gl_analyze_fleet.
 * --jobs runs hosts in worker processes: each host's analysis is
 * independent and writes only below OUT/hosts/<stem>/ and OUT/.work/. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "analyze.h"
#include "commands.h"
#include "module_registry.h"

static const char analyze_help[] =
    "usage: gleaner analyze BUNDLE... [options]\n\n"
    "Verify each bundle, run the modules again over it with this build's rules\n"
    "and catalogs, and write per host (OUT/hosts/<bundle name>/) and combined\n"
    "(OUT/): findings.jsonl, records/, timeline.csv (Timeline Explorer),\n"
    "timeline.jsonl (Timesketch), analysis.json, report.html, and fleet.csv.\n"
    "See docs/analysis.md.\n\n"
    "options:\n"
    "  -o, --output DIR        where the analysis goes (default: gleaner-analysis)\n"
    "      --allow-unverified  analyse a bundle that fails verification, marked\n"
    "                          \"unverified\": true in every output of its host\n"
    "  -f, --format LIST       extra exports, comma-separated: ecs (Elasticsearch/\n"
    "                          OpenSearch bulk NDJSON, ecs.ndjson); timesketch\n"
    "                          (timeline.jsonl, always written)\n"
    "  -j, --jobs N            analyse N bundles at a time (default 1)\n"
    "  -p, --profile NAME|FILE profile of the re-run (default: the bundle's own\n"
    "                          built-in profile, else standard)\n"
    "      --key KEY.pem       private key for encrypted bundles (.tar.zst.p7m)\n"
    "      --cert CERT.pem     the recipient certificate that goes with --key\n"
    "  -q, --quiet             no progress or summary on stderr\n"
    "  -h, --help              this help\n\n"
    "Exit 0 when the reports are written (whatever the collection status inside\n"
    "the bundles), 4 when a bundle fails verification (the others are still\n"
    "analysed), 3 when a bundle could not be analysed, 2 on usage errors.\n";

static int parse_formats(const char *list, bool *ecs)
{
    char *copy = strdup(list), *save = NULL;
    int rc = 0;
    for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        if (!strcmp(f, "ecs"))
            *ecs = true;
        else if (strcmp(f, "timesketch")) {
            fprintf(stderr, "gleaner analyze: unknown format '%s' (expected ecs or timesketch)\n", f);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

static const char *state_name(gl_host_state s)
{
    static const char *const names[] = {"analysed", "analysed UNVERIFIED", "REFUSED: fails verification",
                                        "FAILED"};
    return (unsigned)s < 4 ? names[s] : "?";
}

/* One host, in this process; the exit status a worker would return. */
static int one_host(const gl_analyze_opts *o, const char *bundle, const char *stem, bool quiet)
{
    gl_host_result res;
    gl_err err = {0};
    if (gl_analyze_host(o, bundle, stem, &res, &err) != 0) {
        fprintf(stderr, "gleaner analyze: %s: %s\n", bundle, err.msg);
        return GL_HOST_FAILED;
    }
    if (res.state == GL_HOST_REFUSED)
        fprintf(stderr, "gleaner analyze: %s: refused: %s (all problems in %s/hosts/%s/analysis.json;"
                        " --allow-unverified analyses it anyway)\n", bundle, res.reason, o->out_dir, stem);
    else if (res.state == GL_HOST_FAILED)
        fprintf(stderr, "gleaner analyze: %s\n", err.msg);
    else if (!quiet)
        fprintf(stderr, "%s: %s, host %s, sha256 %s\n", bundle, state_name(res.state), res.host, res.sha256);
    return res.state;
}

/* Up to jobs workers at a time; returns a bitmask of the states seen. */
static unsigned run_hosts(const gl_analyze_opts *o, char **bundles, char **stems, size_t n, unsigned jobs,
                          bool quiet)
{
    unsigned seen = 0, running = 0;
    for (size_t i = 0; i < n || running > 0;) {
        if (i < n && (jobs <= 1)) {
            seen |= 1u << one_host(o, bundles[i], stems[i], quiet);
            i++;
            continue;
        }
        if (i < n && running < jobs) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0)
                _exit(one_host(o, bundles[i], stems[i], quiet));
            if (pid < 0) { /* no worker: do it here */
                seen |= 1u << one_host(o, bundles[i], stems[i], quiet);
            } else
                running++;
            i++;
            continue;
        }
        int status;
        if (wait(&status) < 0)
            break;
        running--;
        seen |= 1u << (WIFEXITED(status) && WEXITSTATUS(status) < 4 ? WEXITSTATUS(status) : GL_HOST_FAILED);
    }
    return seen;
}

int gl_cmd_analyze(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"allow-unverified", no_argument, 0, 'U'},
        {"format", required_argument, 0, 'f'}, {"jobs", required_argument, 0, 'j'},
        {"profile", required_argument, 0, 'p'}, {"key", required_argument, 0, 'K'},
        {"cert", required_argument, 0, 'C'},   {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    gl_analyze_opts o = {.out_dir = "gleaner-analysis", .modules = gl_modules};
    const char *profile_name = NULL;
    unsigned long jobs = 1;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:f:j:p:qh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': o.out_dir = optarg; break;
        case 'U': o.allow_unverified = true; break;
        case 'f':
            if (parse_formats(optarg, &o.ecs) != 0)
                return GL_EXIT_USAGE;
            break;
        case 'j':
            jobs = strtoul(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 256) {
                fprintf(stderr, "gleaner analyze: --jobs %s: expected 1 to 256\n", optarg);
                return GL_EXIT_USAGE;
            }
            break;
        case 'p': profile_name = optarg; break;
        case 'K': o.key_pem = optarg; break;
        case 'C': o.cert_pem = optarg; break;
        case 'q': quiet = true; break;
        case 'h': fputs(analyze_help, stdout); return GL_EXIT_OK;
        default: fputs(analyze_help, stderr); return GL_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "gleaner analyze: no bundle given\n\n%s", analyze_help);
        return GL_EXIT_USAGE;
    }
    if (o.cert_pem && !o.key_pem) {
        fprintf(stderr, "gleaner analyze: --cert goes with --key\n");
        return GL_EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++)
        if (access(argv[i], R_OK) != 0) {
            fprintf(stderr, "gleaner analyze: %s: not a readable file\n", argv[i]);
            return GL_EXIT_USAGE;
        }
    gl_err err = {0};
    gl_profile *profile = NULL;
    if (profile_name && !(profile = gl_profile_load(profile_name, &err))) {
        fprintf(stderr, "gleaner analyze: %s\n", err.msg);
        return GL_EXIT_USAGE;
    }
    o.profile = profile;
    size_t n = (size_t)(argc - optind);
    char **bundles = argv + optind;
    char **stems = gl_analyze_stems((const char *const *)bundles, n);
    unsigned seen = run_hosts(&o, bundles, stems, n, (unsigned)jobs, quiet);
    gl_fleet_result fr;
    int rc = gl_analyze_fleet(&o, (const char *const *)stems, n, &fr, &err);
    for (size_t i = 0; i < n; i++)
        free(stems[i]);
    free(stems);
    gl_profile_free(profile);
    if (rc != 0) {
        fprintf(stderr, "gleaner analyze: combining the hosts: %s\n", err.msg);
        return GL_EXIT_FATAL;
    }
    if (!quiet) {
        fprintf(stderr, "analysis %s: %zu bundle%s (%zu analysed, %zu unverified, %zu refused, %zu failed), "
                        "%zu fleet finding%s\n", o.out_dir, fr.hosts, fr.hosts == 1 ? "" : "s", fr.analysed,
                fr.unverified, fr.refused, fr.failed, fr.fleet_findings, fr.fleet_findings == 1 ? "" : "s");
        gl_summary_print(stderr, &fr.summary);
    }
    if (seen & (1u << GL_HOST_REFUSED))
        return GL_EXIT_INVALID;
    return seen & (1u << GL_HOST_FAILED) ? GL_EXIT_FATAL : GL_EXIT_OK;
}

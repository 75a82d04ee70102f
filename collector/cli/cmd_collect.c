/* gleaner collect: the program layer over gl_collect(). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle_crypt.h"
#include "collect.h"
#include "commands.h"
#include "livehost.h"
#include "module_registry.h"
#include "spool.h"

static const char collect_help[] =
    "usage: gleaner collect [options]\n\n"
    "Collect evidence from a source into a hashed, zstd-compressed bundle\n"
    "<output>/<name>.tar.zst plus <name>.tar.zst.sha256. Never prompts.\n\n"
    "options:\n"
    "  -s, --source SPEC      live (default), dir:PATH (root of a Windows system\n"
    "                         drive: mounted image or triage tree), bundle:FILE\n"
    "  -p, --profile NAME|FILE  built-in profile (default: standard) or a profile file\n"
    "  -o, --output DIR       where the bundle is written (default: .); never read as evidence\n"
    "  -n, --name TEMPLATE    bundle name; {host} {utc} {date} {profile} {source}\n"
    "                         (default: {host}_{utc}, e.g. WS01_20261125T101500Z)\n"
    "      --set MODULE.KEY=VALUE  module setting, overriding the profile (repeatable;\n"
    "                         `gleaner list --settings` shows them)\n"
    "      --yara PATH        extra YARA rules: a file or a directory of .yar/.yara\n"
    "                         (recursive; repeatable; = --set yara.rules=PATH)\n"
    "      --ioc FILE         extra indicators, one per line (repeatable;\n"
    "                         = --set ioc.files=FILE)\n"
    "      --scan-processes   YARA-scan the memory of running processes too (live\n"
    "                         source only; = --set yara.processes=true)\n"
    "      --rmm-catalog FILE LOLRMM's rmm_tools.json, merged with the built-in RMM\n"
    "                         catalog (= --set rmm.catalog=FILE)\n"
    "      --encrypt-to CERT.pem  write <name>.tar.zst.p7m instead: the bundle encrypted\n"
    "                         as it is written (CMS, AES-256) to this X.509 certificate's\n"
    "                         key (RSA or EC; repeatable: any one recipient can decrypt);\n"
    "                         no clear text is written. `gleaner decrypt` or\n"
    "                         `openssl cms -decrypt` opens it\n"
    "      --key KEY.pem      private key opening an encrypted bundle: source (.p7m;\n"
    "                         its artifacts are unpacked in clear into a scratch\n"
    "                         directory under --output, removed when the run ends)\n"
    "      --cert CERT.pem    with --key: the recipient certificate to use\n"
    "      --cross-mounts     walk into file systems mounted inside the source (by\n"
    "                         default each mount point is skipped, named, and makes\n"
    "                         the run partial)\n"
    "      --dry-run          print what would be read and run; read nothing\n"
    "limits (one reached skips what it stops, names it in the log and in run.json\n"
    "limits_hit, and makes the run partial; the bundle stays valid):\n"
    "      --time-limit DURATION  the whole run (90s, 15m, 2h); one module's:\n"
    "                         --set MODULE.time_limit=DURATION\n"
    "      --max-file-size SIZE   largest file acquired (64M, 2G)\n"
    "      --max-bundle-size SIZE evidence bytes in the bundle, before compression\n"
    "      --max-files N      files acquired\n"
    "      --min-free SIZE|PCT    free space kept on the output volume (default: the\n"
    "                         smaller of 1G and 5%; 0: none)\n"
    "      --unpack-limit KEY=VALUE  caps on unpacking a bundle: source (repeatable):\n"
    "                         ratio=N (x its size on disk, default 1000), total=SIZE\n"
    "                         (1T), member=SIZE (256G), members=N (10000000)\n"
    "      --priority MODE    background (default: lowest CPU and I/O priority, the\n"
    "                         host's own work first) or normal\n"
    "  -q, --quiet            no progress on stderr\n"
    "  -h, --help             this help\n\n"
    "On success stdout gets one line in sha256sum format: <sha256>  <bundle path>.\n";

static void print_dry_run(const gl_profile *p, const gl_module *const *order, const char *source, const char *output,
                          const char *tmpl, size_t n_recipients)
{
    printf("dry run: nothing will be read\n");
    printf("source:  %s\nprofile: %s (%s)%s%s\noutput:  %s/%s.tar.zst%s", source, p->name, p->origin,
           p->description[0] ? " - " : "", p->description, output, tmpl, n_recipients ? GL_ENCRYPTED_SUFFIX : "");
    if (n_recipients)
        printf(" (encrypted to %zu certificate%s)", n_recipients, n_recipients == 1 ? "" : "s");
    putchar('\n');
    printf("modules, in order:\n");
    for (size_t i = 0; i < p->n_modules; i++) {
        const gl_module *m = order[i];
        printf("  %-16s %s%s%s%s\n", m->name, m->description, (m->needs & GL_NEEDS_FILES) ? " [files]" : "",
               (m->needs & GL_NEEDS_REGISTRY) ? " [registry]" : "",
               (m->needs & GL_NEEDS_EVTX) ? " [event logs]" : "");
    }
    if (p->n_targets)
        printf("file targets (module files):\n");
    for (size_t i = 0; i < p->n_targets; i++) {
        if (p->targets[i].max_size)
            printf("  %-20s %s  (max %llu bytes)\n", p->targets[i].name, p->targets[i].pattern,
                   (unsigned long long)p->targets[i].max_size);
        else
            printf("  %-20s %s\n", p->targets[i].name, p->targets[i].pattern);
    }
    for (size_t i = 0; i < p->n_settings; i++)
        printf("setting %s = %s\n", p->settings[i].key, p->settings[i].value);
}

static void on_stop_signal(int sig)
{
    (void)sig;
    gl_collect_request_stop();
}

static char *join_argv(int argc, char **argv)
{
    gl_buf b = {0};
    gl_buf_puts(&b, "gleaner");
    for (int i = 0; i < argc; i++) {
        gl_buf_putc(&b, ' ');
        gl_buf_puts(&b, argv[i]);
    }
    return b.data;
}

/* A repeatable option (--yara, --ioc) is one module setting holding every
 * value given, one per line: "KEY=v1\nv2". */
static void join_setting(gl_buf *b, const char *key, const char *value)
{
    if (b->len)
        gl_buf_printf(b, "\n%s", value);
    else
        gl_buf_printf(b, "%s=%s", key, value);
}

/* --yara and --ioc give data to a module: a profile that does not run it
 * would silently ignore them. */
static bool option_without_module(const gl_profile *p, const gl_buf *given, const char *module, const char *option)
{
    if (!given->len)
        return false;
    for (size_t i = 0; i < p->n_modules; i++)
        if (!strcmp(p->modules[i], module))
            return false;
    fprintf(stderr, "gleaner collect: %s given, but profile %s does not run the %s module\n", option, p->name, module);
    return true;
}

int gl_cmd_collect(int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, 0, 's'}, {"profile", required_argument, 0, 'p'},
        {"output", required_argument, 0, 'o'}, {"name", required_argument, 0, 'n'},
        {"dry-run", no_argument, 0, 'D'},      {"quiet", no_argument, 0, 'q'},
        {"set", required_argument, 0, 'S'},    {"help", no_argument, 0, 'h'},
        {"yara", required_argument, 0, 'Y'},   {"ioc", required_argument, 0, 'I'},
        {"rmm-catalog", required_argument, 0, 'R'}, {"scan-processes", no_argument, 0, 'P'},
        {"time-limit", required_argument, 0, 'L'}, {"max-file-size", required_argument, 0, 'L'},
        {"max-bundle-size", required_argument, 0, 'L'}, {"max-files", required_argument, 0, 'L'},
        {"min-free", required_argument, 0, 'L'}, {"unpack-limit", required_argument, 0, 'U'},
        {"cross-mounts", no_argument, 0, 'M'}, {"key", required_argument, 0, 'K'},
        {"cert", required_argument, 0, 'C'},
        {"encrypt-to", required_argument, 0, 'E'}, {"priority", required_argument, 0, 'W'},
        {0, 0, 0, 0}};
    enum { MAX_SETS = 256, MAX_RECIPIENTS = 64 };
    const char *recipient_certs[MAX_RECIPIENTS];
    size_t n_recipients = 0;
    const char *sets[MAX_SETS];
    size_t n_sets = 0;
    const char *priority = "background";
    const char *source_key = NULL, *source_cert = NULL;
    const char *source = "live", *profile_name = "standard", *output = ".", *tmpl = "{host}_{utc}";
    bool dry_run = false, quiet = false, cross_mounts = false;
    /* like argv, kept for the life of the process */
    static gl_buf yara_rules, ioc_files, rmm_catalog, scan_processes;
    gl_limits limits = gl_limits_default();
    gl_unpack_limits unpack = gl_unpack_limits_default();
    gl_err lerr = {0};
    int c, li;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:o:n:qh", opts, &li)) != -1) {
        switch (c) {
        case 'U':
            if (gl_unpack_limits_parse(&unpack, optarg, &lerr) != 0) {
                fprintf(stderr, "gleaner collect: %s\n", lerr.msg);
                return GL_EXIT_USAGE;
            }
            break;
        case 'L': /* limits are checked here, before anything is read */
            if (gl_limits_set(&limits, opts[li].name, optarg, &lerr) != 0) {
                fprintf(stderr, "gleaner collect: %s\n", lerr.msg);
                return GL_EXIT_USAGE;
            }
            break;
        case 's': source = optarg; break;
        case 'p': profile_name = optarg; break;
        case 'o': output = optarg; break;
        case 'n': tmpl = optarg; break;
        case 'D': dry_run = true; break;
        case 'M': cross_mounts = true; break;
        case 'K': source_key = optarg; break;
        case 'C': source_cert = optarg; break;
        case 'q': quiet = true; break;
        case 'W':
            if (strcmp(optarg, "background") && strcmp(optarg, "normal")) {
                fprintf(stderr, "gleaner collect: --priority takes background or normal, not '%s'\n", optarg);
                return GL_EXIT_USAGE;
            }
            priority = optarg;
            break;
        case 'S':
            if (n_sets == MAX_SETS || !strchr(optarg, '=')) {
                fprintf(stderr, "gleaner collect: --set %s: expected MODULE.KEY=VALUE (at most %d)\n", optarg,
                        MAX_SETS);
                return GL_EXIT_USAGE;
            }
            sets[n_sets++] = optarg;
            break;
        case 'Y': join_setting(&yara_rules, "yara.rules", optarg); break;
        case 'I': join_setting(&ioc_files, "ioc.files", optarg); break;
        case 'P':
            gl_buf_clear(&scan_processes);
            gl_buf_puts(&scan_processes, "yara.processes=true");
            break;
        case 'R':
            gl_buf_clear(&rmm_catalog);
            gl_buf_printf(&rmm_catalog, "rmm.catalog=%s", optarg);
            break;
        case 'E':
            if (n_recipients == MAX_RECIPIENTS) {
                fprintf(stderr, "gleaner collect: at most %d --encrypt-to certificates\n", MAX_RECIPIENTS);
                return GL_EXIT_USAGE;
            }
            recipient_certs[n_recipients++] = optarg;
            break;
        case 'h': fputs(collect_help, stdout); return GL_EXIT_OK;
        default: fputs(collect_help, stderr); return GL_EXIT_USAGE;
        }
    }
    if (yara_rules.len && n_sets < MAX_SETS)
        sets[n_sets++] = gl_buf_cstr(&yara_rules);
    if (ioc_files.len && n_sets < MAX_SETS)
        sets[n_sets++] = gl_buf_cstr(&ioc_files);
    if (rmm_catalog.len && n_sets < MAX_SETS)
        sets[n_sets++] = gl_buf_cstr(&rmm_catalog);
    if (scan_processes.len && n_sets < MAX_SETS)
        sets[n_sets++] = gl_buf_cstr(&scan_processes);
    gl_bundle_set_unpack_limits(&unpack);
    if (optind < argc) {
        fprintf(stderr, "gleaner collect: unexpected argument '%s'\n\n%s", argv[optind], collect_help);
        return GL_EXIT_USAGE;
    }
    if ((!strncmp(source, "dir:", 4) && !source[4]) || (!strncmp(source, "bundle:", 7) && !source[7])) {
        fprintf(stderr, "gleaner collect: source '%s' names no path\n", source);
        return GL_EXIT_USAGE;
    }
    if (strcmp(source, "live") && strncmp(source, "dir:", 4) && strncmp(source, "bundle:", 7)) {
        fprintf(stderr, "gleaner collect: unknown source '%s' (expected live, dir:PATH or bundle:FILE)\n", source);
        return GL_EXIT_USAGE;
    }
    if ((source_key && strncmp(source, "bundle:", 7)) || (source_cert && !source_key)) {
        fprintf(stderr, "gleaner collect: --key opens an encrypted bundle: source (--cert needs --key)\n");
        return GL_EXIT_USAGE;
    }
    gl_bundle_set_source_key(source_key, source_cert);
    if (scan_processes.len && strcmp(source, "live")) {
        fprintf(stderr, "gleaner collect: --scan-processes reads this host's processes: it needs --source live\n");
        return GL_EXIT_USAGE;
    }
    gl_err err = {0};
    gl_profile *profile = gl_profile_load(profile_name, &err);
    if (!profile) {
        fprintf(stderr, "gleaner collect: %s\n", err.msg);
        return GL_EXIT_USAGE;
    }
    for (size_t i = 0; i < n_sets; i++) {
        const char *eq = strchr(sets[i], '=');
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - sets[i]), sets[i]);
        gl_profile_set(profile, key, eq + 1);
    }
    if (option_without_module(profile, &yara_rules, "yara", "--yara") ||
        option_without_module(profile, &scan_processes, "yara", "--scan-processes") ||
        option_without_module(profile, &ioc_files, "ioc", "--ioc")) {
        gl_profile_free(profile);
        return GL_EXIT_USAGE;
    }
    /* A certificate that cannot be used stops the run before anything is read. */
    gl_recipients *recipients = n_recipients ? gl_recipients_load(recipient_certs, n_recipients, &err) : NULL;
    if (n_recipients && !recipients) {
        fprintf(stderr, "gleaner collect: %s\n", err.msg);
        gl_profile_free(profile);
        return GL_EXIT_USAGE;
    }
    /* The run's spools (records, findings, log) hold clear text too. */
    if (recipients && gl_spool_seal_all() != 0) {
        fprintf(stderr, "gleaner collect: no random key to seal temporary files; nothing written\n");
        gl_recipients_free(recipients);
        gl_profile_free(profile);
        return GL_EXIT_FATAL;
    }
    char *cmdline = join_argv(argc, argv);
    gl_collect_opts o = {.recipients = recipients, .source_spec = source, .profile = profile, .modules = gl_modules, .output_dir = output,
                         .name_template = tmpl, .command_line = cmdline,
                         .progress = quiet ? NULL : stderr, .limits = limits};
    o.cross_mounts = cross_mounts;
    const gl_module **order = calloc(profile->n_modules + 1, sizeof *order);
    int rc = gl_collect_plan(&o, order, &err);
    if (rc == 0 && dry_run)
        print_dry_run(profile, order, source, output, tmpl, n_recipients);
    free(order);
    if (rc != 0 || dry_run) {
        if (rc != 0)
            fprintf(stderr, "gleaner collect: %s\n", err.msg);
        free(cmdline);
        gl_profile_free(profile);
        gl_recipients_free(recipients);
        return rc != 0 ? GL_EXIT_USAGE : GL_EXIT_OK;
    }
    /* An interrupted collection still leaves a valid (partial) bundle. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    gl_collect_result res;
    gl_livehost_priority(priority, &err); /* checked above: cannot fail */
    rc = gl_collect(&o, &res, &err);
    gl_recipients_free(recipients);
    free(cmdline);
    gl_profile_free(profile);
    if (rc != 0) {
        fprintf(stderr, "gleaner collect: no bundle written: %s\n", err.msg);
        return err.code == GL_ERR_USAGE ? GL_EXIT_USAGE : GL_EXIT_FATAL;
    }
    printf("%s  %s\n", res.sha256, res.bundle_path);
    if (!quiet) {
        fprintf(stderr, "bundle %s: %s, %zu errors\nsha256 %s\n", res.bundle_path,
                res.status == GL_RUN_COMPLETE ? "complete" : "partial", res.errors, res.sha256);
        gl_summary_print(stderr, &res.summary);
    }
    return res.status == GL_RUN_COMPLETE ? GL_EXIT_OK : GL_EXIT_PARTIAL;
}

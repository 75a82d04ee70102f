/* The module kit: layering check, declarations (rules, settings, reads),
 * the shared registry view and event pass, findings and the timeline. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "module_registry.h"
#include "testutil.h"
#include "timeline.h"
#include "wordlist.h"

static char *sample_host(void) { return tu_fixture("sample-host"); }
#define PROBE_PATH "set pipeline_probe.path Windows\\System32\\drivers\\etc\\hosts\n"

/* ---- layering ---------------------------------------------------------------- */

static char *copy_tree(const char *tag)
{
    char *dir = tu_tmpdir(tag);
    cr_assert_eq(tu_runf(NULL, NULL, "cp -r '%s/collector' '%s/modules' '%s/'", getenv("GLEANER_ROOT"),
                         getenv("GLEANER_ROOT"), dir),
                 0);
    return dir;
}

static int layering(const char *root, gl_buf *out)
{
    return tu_runf(out, NULL, "/usr/bin/python3 '%s/tools/layering.py' '%s'", getenv("GLEANER_ROOT"), root);
}

Test(kit, layering_passes_on_the_tree_and_fails_on_a_planted_include)
{
    char *dir = copy_tree("kit-layering");
    gl_buf out = {0};
    cr_assert_eq(layering(dir, &out), 0, "%s", out.data);
    gl_buf_clear(&out);
    /* a parser reaching up into the engine */
    cr_assert_eq(tu_runf(NULL, NULL, "sed -i '1i #include \"collect.h\"' '%s/collector/formats/regf/regf_log.c'", dir),
                 0);
    cr_assert_eq(layering(dir, &out), 1);
    cr_assert(strstr(out.data, "layering: collector/formats/regf/regf_log.c:1: includes collect.h "
                               "(collector/engine/collect.h): layer format may not include layer engine"),
              "%s", out.data);
}

Test(kit, layering_refuses_a_module_that_parses_binary_itself)
{
    char *dir = copy_tree("kit-layering-module");
    cr_assert_eq(tu_runf(NULL, NULL, "printf 'static unsigned f(const unsigned char *p) { return gl_le32(p); }\\n' >> "
                                     "'%s/modules/logs/logs.c'",
                         dir),
                 0);
    gl_buf out = {0};
    cr_assert_eq(layering(dir, &out), 1);
    cr_assert(strstr(out.data, "modules/logs/logs.c") && strstr(out.data, "parses binary structures (gl_le*)"), "%s",
              out.data);
    gl_buf_clear(&out);
    dir = copy_tree("kit-layering-private");
    cr_assert_eq(tu_runf(NULL, NULL, "sed -i '1i #include \"evtx_int.h\"' '%s/modules/logs/logs.c'", dir), 0);
    cr_assert_eq(layering(dir, &out), 1);
    cr_assert(strstr(out.data, "includes evtx_int.h (collector/formats/evtx/evtx_int.h): private header of another unit"),
              "%s", out.data);
}

/* ---- declarations ---------------------------------------------------------------- */

Test(kit, every_rule_is_declared_once_with_its_module_prefix_attack_ids_and_title)
{
    size_t rules = 0;
    for (size_t i = 0; gl_modules[i]; i++) {
        const gl_module *m = gl_modules[i];
        size_t plen = strlen(m->name);
        for (const gl_rule_decl *r = m->rules; r && r->id; r++) {
            rules++;
            cr_assert(!strncmp(r->id, m->name, plen) && r->id[plen] == '.', "rule %s of module %s", r->id, m->name);
            cr_assert(r->attack && r->attack[0] == 'T', "rule %s has no ATT&CK id", r->id);
            cr_assert(r->title && r->title[0], "rule %s has no title", r->id);
            for (size_t k = 0; gl_modules[k]; k++)
                for (const gl_rule_decl *o = gl_modules[k]->rules; o && o->id; o++)
                    cr_assert(o == r || strcmp(o->id, r->id), "rule %s declared twice", r->id);
        }
    }
    cr_assert_geq(rules, 10);
}

Test(kit, every_declared_default_is_a_valid_value)
{
    for (size_t i = 0; gl_modules[i]; i++)
        for (const gl_setting_decl *d = gl_modules[i]->settings; d && d->key; d++) {
            gl_err err = {0};
            if (d->def && d->type != GL_SETTING_FILE)
                cr_assert_eq(gl_setting_check(d, gl_modules[i]->name, d->def, &err), 0, "%s", err.msg);
        }
}

Test(kit, list_rules_prints_each_declared_rule)
{
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' list --rules", tu_gleaner()), 0);
    cr_assert(strstr(out.data, "logs.security_cleared                    high     T1070.001 T1685.005          "
                               "Security audit log cleared\n"),
              "%s", out.data);
    gl_buf_clear(&out);
    cr_assert_eq(tu_runf(&out, NULL, "'%s' list --settings", tu_gleaner()), 0);
    cr_assert(strstr(out.data, "files.max_file_size"), "%s", out.data);
}

Test(kit, misspelt_or_mistyped_settings_stop_the_run_before_reading)
{
    gl_buf err = {0};
    char *out = tu_tmpdir("kit-settings");
    int rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --output '%s' --set files.max_fle_size=1G",
                     tu_gleaner(), sample_host(), out);
    cr_assert_eq(rc, 2);
    cr_assert(strstr(err.data, "setting 'files.max_fle_size': module files has no setting 'max_fle_size' (it has: "
                               "max_file_size, max_total_size)"),
              "%s", err.data);
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --output '%s' --set files.max_file_size=banana",
                 tu_gleaner(), sample_host(), out);
    cr_assert_eq(rc, 2);
    cr_assert(strstr(err.data, "setting files.max_file_size: 'banana' is not a size"), "%s", err.data);
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --output '%s' --set logs.burst_window=-1",
                 tu_gleaner(), sample_host(), out);
    cr_assert_eq(rc, 2);
    cr_assert(strstr(err.data, "setting logs.burst_window: '-1' is not a duration"), "%s", err.data);
    /* nothing was written */
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", out);
    cr_assert_str_eq(ls.data ? ls.data : "", "");
}

static char *write_profile(const char *tag, const char *text)
{
    char *dir = tu_tmpdir(tag);
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/p.profile", dir);
    FILE *f = fopen(p.data, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p.data;
}

Test(kit, modules_run_after_the_modules_they_read_and_a_cycle_is_refused)
{
    char *prof = write_profile("kit-order-profile", "module kit_follower\nmodule kit_reader_a\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    char *bundle = tu_collect_dir("kit-order", sample_host(), args.data, 0);
    char *run = tu_bundle_member(bundle, "run.json");
    char *a = strstr(run, "\"name\":\"kit_reader_a\""), *f = strstr(run, "\"name\":\"kit_follower\"");
    cr_assert(a && f && a < f, "kit_reader_a must run first: %s", run);
    char *rec = tu_bundle_member(bundle, "records/kit_follower.jsonl");
    cr_assert_str_eq(rec, "{\"records_of_kit_reader_a\":1}\n");

    prof = write_profile("kit-cycle-profile", "module kit_cycle_x\nmodule kit_cycle_y\n");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --output '%s' --profile '%s'", tu_gleaner(),
                     sample_host(), tu_tmpdir("kit-cycle"), prof);
    cr_assert_eq(rc, 2);
    cr_assert(strstr(err.data, "modules read each other's records in a cycle (through kit_cycle_x)"), "%s", err.data);
}

/* ---- one hive parse and one event pass per run -------------------------------------- */

Test(kit, three_modules_share_one_hive_parse_and_one_event_pass)
{
    char *prof = write_profile("kit-shared-profile", "module kit_reader_a\nmodule kit_reader_b\nmodule kit_reader_c\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    char *bundle = tu_collect_dir("kit-shared", sample_host(), args.data, 0);
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert_eq(tu_count(log, "event logs: one pass over"), 1, "%s", log);
    cr_assert(strstr(log, "registry view: 1 hive parsed, each once: HKLM\\SOFTWARE\n"), "%s", log);
    char *a = tu_bundle_member(bundle, "records/kit_reader_a.jsonl");
    char *b = tu_bundle_member(bundle, "records/kit_reader_b.jsonl");
    char *c = tu_bundle_member(bundle, "records/kit_reader_c.jsonl");
    cr_assert(strstr(a, "\"events\":") && !strstr(a, "\"events\":0}"), "%s", a);
    cr_assert_str_eq(a, b);
    cr_assert_str_eq(a, c);
    cr_assert(strstr(a, "{\"value\":\"Windows 10 Pro\""), "%s", a);
}

/* ---- findings and timeline ---------------------------------------------------------- */

Test(kit, findings_carry_a_stable_id_the_reason_and_declared_attack_ids)
{
    char *prof = write_profile("kit-finding-profile", "module pipeline_probe\n" PROBE_PATH);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    char *b1 = tu_collect_dir("kit-finding-1", sample_host(), args.data, 0);
    char *b2 = tu_collect_dir("kit-finding-2", sample_host(), args.data, 0);
    char *f1 = tu_bundle_member(b1, "findings.jsonl"), *f2 = tu_bundle_member(b2, "findings.jsonl");
    cr_assert_str_eq(f1, f2, "the same evidence gives the same findings, ids included");
    const char *id = strstr(f1, "{\"id\":\"");
    cr_assert_not_null(id);
    cr_assert_eq(strspn(id + 7, "0123456789abcdef"), 16);
    cr_assert(strstr(f1, "\"rule\":\"pipeline_probe.file_read\",\"severity\":\"low\","
                         "\"severity_reason\":\"test probe: always low\",\"title\":\"pipeline probe read a file\","
                         "\"attack\":[\"T1219\"]"),
              "%s", f1);
}

Test(kit, undeclared_rule_ids_make_the_module_partial)
{
    char *prof = write_profile("kit-undeclared-profile",
                               "module pipeline_probe\nset pipeline_probe.mode undeclared\n" PROBE_PATH);
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    char *bundle = tu_collect_dir("kit-undeclared-run", sample_host(), args.data, 1);
    char *run = tu_bundle_member(bundle, "run.json");
    cr_assert(strstr(run, "finding with rule id 'pipeline_probe.not_declared', which module pipeline_probe did not "
                          "declare"),
              "%s", run);
}

Test(kit, every_timeline_kind_is_documented)
{
    gl_buf doc = {0};
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/docs/timeline.md", getenv("GLEANER_ROOT"));
    cr_assert(tu_read_file(path.data, &doc));
    size_t n = 0;
    for (size_t i = 0; gl_timeline_kinds[i].kind; i++, n++) {
        gl_buf row = {0};
        gl_buf_printf(&row, "| `%s` |", gl_timeline_kinds[i].kind);
        cr_assert(strstr(doc.data, row.data), "docs/timeline.md lacks %s", row.data);
        gl_buf_free(&row);
    }
    cr_assert_eq(tu_count(doc.data, "\n| `"), n, "docs/timeline.md lists kinds the code does not declare");
}

Test(kit, timeline_lines_are_written_with_module_host_and_evidence)
{
    char *prof = write_profile("kit-timeline-profile", "module kit_reader_a\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile '%s'", prof);
    char *bundle = tu_collect_dir("kit-timeline", sample_host(), args.data, 0);
    char *tl = tu_bundle_member(bundle, "timeline.jsonl");
    cr_assert(strstr(tl, "\"kind\":\"logon\",\"module\":\"kit_reader_a\",\"host\":\"WS01\","), "%s", tl);
    cr_assert(strstr(tl, "\"artifact\":\"artifacts/C/Windows/System32/winevt/Logs/Security.evtx\",\"locator\":"
                         "\"EventRecordID="),
              "%s", tl);
    /* an undeclared kind is an error and is not written */
    prof = write_profile("kit-timeline-bad-profile", "module kit_reader_a\nset kit_reader_a.timeline_kind nope.kind\n");
    gl_buf_clear(&args);
    gl_buf_printf(&args, "--profile '%s'", prof);
    bundle = tu_collect_dir("kit-timeline-bad", sample_host(), args.data, 1);
    cr_assert_str_eq(tu_bundle_member(bundle, "timeline.jsonl"), "");
    cr_assert(strstr(tu_bundle_member(bundle, "run.json"),
                     "timeline event of kind 'nope.kind', which is not declared in detect/timeline.c"));
}

/* ---- data ------------------------------------------------------------------------- */

Test(kit, wordlists_ignore_comments_and_blanks_and_match_without_case)
{
    gl_wordlist wl;
    const char text[] = "# header\n\nrclone.exe  # transfer\n  AnyDesk.exe\r\nWinRAR.exe\n";
    gl_wordlist_parse(&wl, text, sizeof text - 1);
    cr_assert_eq(wl.n, 3);
    cr_assert(gl_wordlist_has(&wl, "anydesk.EXE"));
    cr_assert(gl_wordlist_has(&wl, "RCLONE.exe"));
    cr_assert(!gl_wordlist_has(&wl, "rclone"));
    cr_assert(!gl_wordlist_has(&wl, "# header"));
    gl_wordlist_free(&wl);
}

Test(kit, embedded_data_is_not_readable_in_the_binary)
{
    gl_buf bin = {0};
    cr_assert(tu_read_file(tu_gleaner(), &bin));
    /* a line of modules/logs/data/watched-channels.txt and of a profile */
    static const char *const clear[] = {"Microsoft-Windows-WinRM/Operational", "Recycle Bin metadata"};
    for (size_t i = 0; i < 2; i++)
        cr_assert_null(memmem(bin.data, bin.len, clear[i], strlen(clear[i])), "'%s' is in the binary in clear",
                       clear[i]);
    gl_wordlist wl;
    gl_err err = {0};
    cr_assert_eq(gl_wordlist_embedded(&wl, "logs/watched-channels.txt", &err), 0, "%s", err.msg);
    cr_assert(gl_wordlist_has(&wl, clear[0]));
    gl_wordlist_free(&wl);
}

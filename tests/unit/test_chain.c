/* Attack-chain correlation (modules/chain): the rule-file parser, the
 * sequence search, and the module over collected hosts — the sample host
 * (the full chain), a trimmed copy with unrelated single findings (no
 * chain), and the sample host's real facts against a rule that wants them
 * in the reverse order (no chain). */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chain_match.h"
#include "chainrule.h"
#include "testutil.h"

/* ---- the rule-file parser ---------------------------------------------------------------- */

static char *parse_err(const char *text)
{
    gl_chain_rules rules = {0};
    gl_err err = {0};
    cr_assert_eq(gl_chainrule_parse(text, strlen(text), "t.txt", &rules, &err), -1, "parsed: %s", text);
    cr_assert_eq(err.code, GL_ERR_USAGE);
    cr_assert_eq(rules.n, 0);
    cr_assert_null(rules.rules);
    return strdup(err.msg);
}

#define HEAD "chain c\ntitle T\nspan 1d\nseverity high\n"

Test(chain, rule_file_parses_every_directive)
{
    const char *text = "# comment\n\nchain lateral_1\n  title  Two steps, then a third  \nspan 3d\ntolerance 2s\n"
                       "min_steps 2\nseverity critical\npartial_severity medium\n"
                       "step in TA0001 T1078 : rdp.logon logon[type=10]\n"
                       "step tool TA0011 T1219 required : rmm.installed finding:ioc.domain@T1567\r\n"
                       "step out TA0010 T1041,T1567.002 : rmm.file_transfer[direction=outgoing]\n";
    gl_chain_rules rules = {0};
    gl_err err = {0};
    cr_assert_eq(gl_chainrule_parse(text, strlen(text), "t.txt", &rules, &err), 0, "%s", err.msg);
    cr_assert_eq(rules.n, 1);
    const gl_chain_rule *r = &rules.rules[0];
    cr_assert_str_eq(r->name, "lateral_1");
    cr_assert_str_eq(r->title, "Two steps, then a third");
    cr_assert_eq(r->span, 3 * 86400);
    cr_assert_eq(r->tolerance, 2);
    cr_assert_eq(r->min_steps, 2);
    cr_assert_eq(r->severity, 4);
    cr_assert_eq(r->partial_severity, 2);
    cr_assert_eq(r->n_steps, 3);
    cr_assert_eq(r->line, 3);
    cr_assert_str_eq(r->steps[0].tactic, "TA0001");
    cr_assert_eq(r->steps[0].required, false);
    cr_assert_eq(r->steps[0].n_matchers, 2);
    cr_assert_str_eq(r->steps[0].matchers[1].what, "logon");
    cr_assert_str_eq(r->steps[0].matchers[1].key, "type");
    cr_assert_str_eq(r->steps[0].matchers[1].value, "10");
    cr_assert_eq(r->steps[1].required, true);
    cr_assert_eq(r->steps[1].matchers[1].finding, true);
    cr_assert_str_eq(r->steps[1].matchers[1].what, "ioc.domain");
    cr_assert_str_eq(r->steps[1].matchers[1].technique, "T1567");
    cr_assert_eq(r->steps[1].matchers[1].line, 11);
    cr_assert_str_eq(r->steps[2].matchers[0].value, "outgoing");
    cr_assert_str_eq(r->steps[2].technique, "T1041,T1567.002");
    cr_assert_str_eq(gl_chain_tactic_name(r->steps[2].tactic), "Exfiltration");
    gl_chainrule_free(&rules);
}

Test(chain, rule_file_errors_name_file_and_line)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"step a TA0001 T1078 : logon\n", "t.txt:1: 'step' before the first chain line"},
        {"chain c\nspan 1d\nseverity high\nstep a TA0001 T1078 : logon\nstep b TA0002 T1059 : logon\n",
         "t.txt:1: chain c: no title"},
        {HEAD "step a TA0001 T1078 : logon\n", "t.txt:1: chain c: fewer than 2 steps"},
        {HEAD "step a TA9999 T1078 : logon\n", "t.txt:5: 'TA9999' is not an ATT&CK Enterprise tactic id (TA0001 ... TA0043)"},
        {HEAD "step a TA0001 T1078,T : logon\n", "t.txt:5: 'T1078,T' is not an ATT&CK technique id (Txxxx or Txxxx.xxx, comma-separated)"},
        {HEAD "step a TA0001 T10 : logon\n", "t.txt:5: 'T10' is not an ATT&CK technique id (Txxxx or Txxxx.xxx, comma-separated)"},
        {HEAD "step a TA0001 T1078 logon\n", "t.txt:5: step: expected step NAME TACTIC TECHNIQUE [required] : MATCHER..."},
        {HEAD "step a TA0001 T1078 optional : logon\n", "t.txt:5: step: expected NAME TACTIC TECHNIQUE [required] before ':'"},
        {HEAD "step a TA0001 T1078 :\n", "t.txt:5: step 'a': no matcher after ':'"},
        {HEAD "step a TA0001 T1078 : logon\nstep a TA0002 T1059 : logon\n", "t.txt:6: step 'a' defined twice in this chain"},
        {HEAD "step a TA0001 T1078 : logon[type]\n", "t.txt:5: matcher 'logon[type]': expected a filter [key=value]"},
        {HEAD "step a TA0001 T1078 : logon@X1\n", "t.txt:5: matcher 'logon@X1': expected @Txxxx or @Txxxx.xxx (comma-separated) after the kind"},
        {HEAD "step a TA0001 T1078 : logon!\n", "t.txt:5: matcher 'logon!': unexpected text after the kind"},
        {"chain c\ntitle T\nspan 1 week\n", "t.txt:3: span: expected one value"},
        {"chain c\ntitle T\nspan 400d\n", "t.txt:3: '400d' is not a duration (90s, 15m, 12h, 3d; at most 366d)"},
        {"chain c\ntitle T\nspan 1d\nspan 2d\n", "t.txt:4: span given twice in this chain"},
        {"chain c\ntitle T\nseverity severe\n", "t.txt:3: 'severe' is not a severity (info, low, medium, high, critical)"},
        {HEAD "min_steps 1\n", "t.txt:5: min_steps '1': expected a number from 2"},
        {HEAD "min_steps 2\nstep a TA0001 T1078 : logon\nstep b TA0002 T1059 : logon\nstep c TA0002 T1059 : logon\n",
         "t.txt:1: chain c: min_steps below its steps needs a partial_severity"},
        {HEAD "partial_severity critical\nstep a TA0001 T1078 : logon\nstep b TA0002 T1059 : logon\n",
         "t.txt:1: chain c: partial_severity must be lower than severity"},
        {HEAD "step a TA0001 T1078 : logon\nstep b TA0002 T1059 : logon\nchain c\n", "t.txt:7: chain 'c' defined twice"},
        {HEAD "colour red\n", "t.txt:5: unknown directive 'colour' (chain, title, span, tolerance, min_steps, severity, "
                              "partial_severity, step)"},
        {"chain Bad-Name\n", "t.txt:1: chain: expected chain NAME (a-z 0-9 _, at most 64)"},
        {"# only a comment\n", "t.txt: no chain in the file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *msg = parse_err(cases[i].text);
        cr_expect_str_eq(msg, cases[i].msg, "case %zu", i);
        free(msg);
    }
}

/* A NUL byte and an overlong line are errors of their line, not a crash. */
Test(chain, rule_file_hostile_bytes)
{
    char text[] = "chain c\ntitle T\0x\n";
    gl_chain_rules rules = {0};
    gl_err err = {0};
    cr_assert_eq(gl_chainrule_parse(text, sizeof text - 1, "t.txt", &rules, &err), -1);
    cr_assert_str_eq(err.msg, "t.txt:2: NUL byte in the line");
    gl_buf long_line = {0};
    gl_buf_printf(&long_line, "chain c\ntitle ");
    for (int i = 0; i < 5000; i++)
        gl_buf_putc(&long_line, 'x');
    cr_assert_eq(gl_chainrule_parse(long_line.data, long_line.len, "t.txt", &rules, &err), -1);
    cr_assert_str_eq(err.msg, "t.txt:2: line longer than 4096 bytes");
    gl_buf_free(&long_line);
}

/* ---- the sequence search ------------------------------------------------------------------ */

static gl_chain_rules three_steps(const char *extra)
{
    gl_buf text = {0};
    gl_buf_printf(&text, "chain abc\ntitle T\nspan 1h\ntolerance 2s\nseverity high\n%s"
                         "step a TA0001 T1078 : logon\nstep b TA0011 T1219 : rmm.installed\n"
                         "step c TA0010 T1041 : ioc.match\n", extra);
    gl_chain_rules rules = {0};
    gl_err err = {0};
    cr_assert_eq(gl_chainrule_parse(text.data, text.len, "t.txt", &rules, &err), 0, "%s", err.msg);
    gl_buf_free(&text);
    return rules;
}

/* Steps at the given times in seconds (negative: no fact for that step). */
static size_t best_of(const gl_chain_rule *r, const long long secs[3], chain_result *res)
{
    chain_cand cands[3];
    chain_steps s = {0};
    for (size_t j = 0; j < 3; j++) {
        if (secs[j] < 0)
            continue;
        cands[j] = (chain_cand){secs[j] * CHAIN_TICKS_PER_SECOND, j, j, 0};
        s.c[j] = &cands[j];
        s.n[j] = 1;
    }
    chain_sort(r, &s);
    chain_best(r, &s, res);
    return res->n;
}

Test(chain, out_of_order_steps_do_not_chain)
{
    gl_chain_rules rules = three_steps("");
    const gl_chain_rule *r = &rules.rules[0];
    chain_result res;
    cr_assert_eq(best_of(r, (long long[]){100, 200, 300}, &res), 3);
    cr_assert_eq(res.first, 100 * CHAIN_TICKS_PER_SECOND);
    cr_assert_eq(res.last, 300 * CHAIN_TICKS_PER_SECOND);
    cr_assert_eq(best_of(r, (long long[]){300, 200, 100}, &res), 1); /* reversed: no two steps in order */
    cr_assert_eq(best_of(r, (long long[]){100, 300, 200}, &res), 2); /* a, then b or c: never both */
    cr_assert_eq(best_of(r, (long long[]){100, 99, 300}, &res), 3); /* within the 2 s tolerance */
    cr_assert_eq(best_of(r, (long long[]){100, 97, 300}, &res), 2); /* beyond it */
    cr_assert_eq(best_of(r, (long long[]){100, 200, 100 + 3601}, &res), 2); /* beyond the 1 h span */
    gl_chainrule_free(&rules);
}

/* The best sequence has the most steps: skipping an early fact that would
 * block two later ones, and the shortest span among equals. */
Test(chain, best_sequence_most_steps_then_shortest)
{
    gl_chain_rules rules = three_steps("");
    const gl_chain_rule *r = &rules.rules[0];
    chain_cand a[] = {{10 * CHAIN_TICKS_PER_SECOND, 0, 0, 0}, {50 * CHAIN_TICKS_PER_SECOND, 1, 1, 0}};
    chain_cand b[] = {{60 * CHAIN_TICKS_PER_SECOND, 2, 2, 0}};
    chain_cand c[] = {{70 * CHAIN_TICKS_PER_SECOND, 3, 3, 0}};
    chain_steps s = {{a, b, c}, {2, 1, 1}};
    chain_result res;
    chain_best(r, &s, &res);
    cr_assert_eq(res.n, 3);
    cr_assert_eq(res.pick[0]->event, 1); /* the later logon: 20 s rather than 60 s */
    cr_assert_eq(res.pick[1]->event, 2);
    cr_assert_eq(res.pick[2]->event, 3);
    gl_chainrule_free(&rules);
}

Test(chain, required_step_cannot_be_skipped)
{
    gl_chain_rules rules = {0};
    gl_err err = {0};
    const char *text = "chain r\ntitle T\nspan 1h\nseverity high\nmin_steps 2\npartial_severity low\n"
                       "step a TA0001 T1078 : logon\nstep b TA0011 T1219 required : rmm.installed\n"
                       "step c TA0010 T1041 : ioc.match\n";
    cr_assert_eq(gl_chainrule_parse(text, strlen(text), "t.txt", &rules, &err), 0, "%s", err.msg);
    chain_result res;
    cr_assert_eq(best_of(&rules.rules[0], (long long[]){100, -1, 300}, &res), 0);
    cr_assert_eq(best_of(&rules.rules[0], (long long[]){100, 200, -1}, &res), 2);
    cr_assert_null(res.pick[2]);
    gl_chainrule_free(&rules);
}

/* The largest search the module allows (16 steps, none required, 4096
 * facts each) stays well under a second or two, even under sanitizers. */
Test(chain, search_is_bounded, .timeout = 30)
{
    gl_buf text = {0};
    gl_buf_printf(&text, "chain big\ntitle T\nspan 366d\nseverity high\n");
    for (int j = 0; j < GL_CHAIN_MAX_STEPS; j++)
        gl_buf_printf(&text, "step s%d TA0001 T1078 : logon\n", j);
    gl_chain_rules rules = {0};
    gl_err err = {0};
    cr_assert_eq(gl_chainrule_parse(text.data, text.len, "t.txt", &rules, &err), 0, "%s", err.msg);
    chain_steps s = {0};
    size_t seq = 0;
    for (size_t j = 0; j < GL_CHAIN_MAX_STEPS; j++) {
        s.c[j] = calloc(4096, sizeof *s.c[j]);
        s.n[j] = 4096;
        for (size_t k = 0; k < 4096; k++) /* step j's facts spread over the whole range, in no order */
            s.c[j][k] = (chain_cand){(int64_t)((k * 7919 + j * 104729) % 100000) * CHAIN_TICKS_PER_SECOND, seq++, k, 0};
    }
    chain_sort(&rules.rules[0], &s);
    chain_result res;
    chain_best(&rules.rules[0], &s, &res);
    cr_assert_eq(res.n, GL_CHAIN_MAX_STEPS);
    for (size_t j = 1; j < GL_CHAIN_MAX_STEPS; j++)
        cr_assert_geq(res.pick[j]->t, res.pick[j - 1]->t);
    for (size_t j = 0; j < GL_CHAIN_MAX_STEPS; j++)
        free(s.c[j]);
    gl_chainrule_free(&rules);
    gl_buf_free(&text);
}

/* ---- the module over collected hosts ------------------------------------------------------ */

static cJSON *chain_findings(const char *bundle, size_t *n)
{
    char *text = tu_bundle_member(bundle, "findings.jsonl");
    cr_assert_not_null(text);
    cJSON *all = cJSON_CreateArray();
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *f = cJSON_Parse(line);
        cr_assert_not_null(f, "%s", line);
        if (!strcmp(cJSON_GetObjectItem(f, "module")->valuestring, "chain"))
            cJSON_AddItemToArray(all, f);
        else
            cJSON_Delete(f);
    }
    free(text);
    *n = (size_t)cJSON_GetArraySize(all);
    return all;
}

/* The bundle's one chain finding; *all owns it. */
static cJSON *only_chain_finding(const char *bundle, cJSON **all)
{
    size_t n;
    *all = chain_findings(bundle, &n);
    cr_assert_eq(n, 1);
    return cJSON_GetArrayItem(*all, 0);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    cr_assert(cJSON_IsString(v), "no %s", key);
    return v->valuestring;
}

/* The sample host: jdoe in over RDP, AnyDesk installed, Defender
 * exclusion, svc_backup re-enabled, a disguised task, the RAR archive, and
 * transfer.sh looked up: every step, in order, within a day. */
Test(chain, sample_host_full_chain, .timeout = 120)
{
    char *bundle = tu_collect_dir("chain-sample", tu_fixture("sample-host"), "--profile standard", 0);
    cJSON *all;
    cJSON *f = only_chain_finding(bundle, &all);
    cr_assert_str_eq(str(f, "rule"), "chain.sequence");
    cr_assert_str_eq(str(f, "severity"), "critical");
    cr_assert_str_eq(str(f, "subject"), "muddled_libra_intrusion");
    cr_assert_str_eq(str(f, "time"), "2026-11-09T14:02:11.4410021Z");
    cr_assert_str_eq(str(f, "title"), "Muddled Libra intrusion sequence on this host: 7 of 7 steps over 19h 39m 44s");
    cr_assert_str_eq(str(f, "severity_reason"),
                     "7 of 7 steps of chain muddled_libra_intrusion in the actor's order (remote_logon [Initial "
                     "Access] -> rmm [Command and Control] -> defences [Defense Evasion] -> reactivated_account "
                     "[Persistence] -> scheduled_task [Persistence] -> staging [Collection] -> exfiltration "
                     "[Exfiltration]) within 19h 39m 44s (the rule allows 7d); every step present: one actor's "
                     "sequence rather than separate events");
    char *attack = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, "attack"));
    cr_assert_str_eq(attack, "[\"T1078\",\"T1219\",\"T1562.001\",\"T1685\",\"T1098\",\"T1053.005\",\"T1560.001\",\"T1567\"]");
    free(attack);
    const cJSON *d = cJSON_GetObjectItem(f, "details");
    cr_assert_eq(cJSON_GetObjectItem(d, "steps_matched")->valueint, 7);
    cr_assert_eq(cJSON_GetObjectItem(d, "span_seconds")->valueint, 70784);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d, "missing")), 0);

    gl_buf got = {0};
    const cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItem(d, "steps"))
        gl_buf_printf(&got, "%s|%s|%s|%s|%s|%s|%s|%s\n", str(step, "step"), str(step, "time"), str(step, "tactic"),
                      str(step, "technique"), str(step, "kind"), str(step, "subject"), str(step, "artifact"),
                      str(step, "locator"));
    cr_assert_str_eq(got.data,
        "remote_logon|2026-11-09T14:02:11.4410021Z|TA0001|T1078|logon|CORP\\jdoe|"
        "artifacts/C/Windows/System32/winevt/Logs/Security.evtx|EventRecordID=2\n"
        "rmm|2026-11-09T14:11:38.0000000Z|TA0011|T1219|rmm.installed|AnyDesk|"
        "artifacts/C/Windows/System32/config/SYSTEM|HKLM\\SYSTEM\\ControlSet001\\Services\\AnyDesk\n"
        "defences|2026-11-09T14:16:02.1250000Z|TA0005|T1562.001|defender.exclusion.added|C:\\ProgramData\\AnyDesk|"
        "artifacts/C/Windows/System32/winevt/Logs/Microsoft-Windows-Windows Defender%4Operational.evtx|EventRecordID=1\n"
        "reactivated_account|2026-11-09T14:22:04.1000000Z|TA0003|T1098|account.enabled|WS01\\svc_backup|"
        "artifacts/C/Windows/System32/winevt/Logs/Security.evtx|EventRecordID=4\n"
        "scheduled_task|2026-11-09T15:09:27.0000000Z|TA0003|T1053.005|task.created|\\MicrosoftEdgeUpdateTaskMachineCoreSvc|"
        "artifacts/C/Windows/System32/config/SOFTWARE|HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\"
        "TaskCache\\Tasks\\{6E1C3A52-9F0B-4D57-A2C8-3B7E5D1F9A04}\n"
        "staging|2026-11-10T09:33:12.0000000Z|TA0009|T1560.001|archive.created|"
        "C:\\$Recycle.Bin\\S-1-5-21-1606980848-1543256932-3119283517-1104\\$RR8Q2KZ.rar|"
        "artifacts/C/$Recycle.Bin/S-1-5-21-1606980848-1543256932-3119283517-1104/$RR8Q2KZ.rar|"
        "C:\\$Recycle.Bin\\S-1-5-21-1606980848-1543256932-3119283517-1104\\$RR8Q2KZ.rar\n"
        "exfiltration|2026-11-10T09:41:56.4150000Z|TA0010|T1567|finding:ioc.domain|transfer.sh|"
        "artifacts/C/Windows/System32/winevt/Logs/Microsoft-Windows-DNS-Client%4Operational.evtx|EventRecordID=6\n");
    /* Every step's evidence, and the exfiltration step names the finding it rests on. */
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "evidence")), 7);
    const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "steps"), 6);
    cr_assert_eq(strlen(str(last, "finding_id")), 16);
    gl_buf_free(&got);
    cJSON_Delete(all);
}

/* Unrelated single findings: TeamViewer present and used, and the firewall
 * log (AnyDesk's rule, profiles switched off) with nothing else. The
 * modules find them; no chain links them. */
Test(chain, unrelated_single_findings_do_not_fire, .timeout = 120)
{
    char *root = tu_tmpdir("chain-trimmed");
    char *sample = tu_fixture("sample-host");
    static const char *const keep[] = {
        "Program Files (x86)/TeamViewer/TeamViewer.exe",
        "Program Files (x86)/TeamViewer/TeamViewer_Service.exe",
        "Program Files (x86)/TeamViewer/TeamViewer15_Logfile.log",
        "Program Files (x86)/TeamViewer/Connections_incoming.txt",
        "Windows/System32/winevt/Logs/Microsoft-Windows-Windows Firewall With Advanced Security%4Firewall.evtx",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        gl_buf src = {0};
        gl_buf_printf(&src, "%s/%s", sample, keep[i]);
        cr_assert_eq(tu_place(root, keep[i], src.data), 0, "%s", keep[i]);
        gl_buf_free(&src);
    }
    char *bundle = tu_collect_dir("chain-trimmed-out", root, "--profile standard", 0);
    char *findings = tu_bundle_member(bundle, "findings.jsonl");
    cr_assert_eq(tu_count(findings, "\"rule\":\"rmm.tool_present\""), 1, "%s", findings);
    cr_assert_eq(tu_count(findings, "\"rule\":\"firewall.profile_disabled\""), 3, "%s", findings);
    cr_assert_eq(tu_count(findings, "\"module\":\"chain\""), 0, "%s", findings);
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert_not_null(strstr(log, "chain: chain muddled_libra_intrusion: 0 of 7 steps in order with every "
                                   "required step (4 make a chain)"), "%s", log);
    free(findings);
    free(log);
}

static char *write_file(const char *tag, const char *name, const char *text)
{
    char *dir = tu_tmpdir(tag);
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/%s", dir, name);
    FILE *f = fopen(path.data, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path.data;
}

/* The sample host collected with only these chain rules. */
static char *collect_sample_with_rules(const char *tag, const char *rules_text)
{
    char *rules = write_file(tag, "rules.txt", rules_text);
    gl_buf args = {0}, out_tag = {0};
    gl_buf_printf(&args, "--profile standard --set chain.builtin=false --set chain.rules=%s", rules);
    gl_buf_printf(&out_tag, "%s-out", tag);
    char *bundle = tu_collect_dir(out_tag.data, tu_fixture("sample-host"), args.data, 0);
    gl_buf_free(&args);
    gl_buf_free(&out_tag);
    return bundle;
}

/* The sample host's real facts against a rule that wants them in the
 * reverse order: at most two fit (the archive, then an RMM file time from
 * the collection), so no chain; the same steps in the actor's order chain. */
Test(chain, sample_host_reverse_order_does_not_chain, .timeout = 120)
{
    static const char *const steps_reversed =
        "step staging TA0009 T1560.001 : archive.created\n"
        "step account TA0003 T1098 : account.enabled\n"
        "step defences TA0005 T1562.001 : defender.exclusion.added\n"
        "step rmm TA0011 T1219 : rmm.installed\n";
    gl_buf text = {0};
    gl_buf_printf(&text, "chain reversed\ntitle Reversed\nspan 366d\nseverity high\n%s", steps_reversed);
    char *bundle = collect_sample_with_rules("chain-reversed", text.data);
    char *findings = tu_bundle_member(bundle, "findings.jsonl");
    cr_assert_eq(tu_count(findings, "\"module\":\"chain\""), 0, "%s", findings);
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert_not_null(strstr(log, "chain reversed: 2 of 4 steps in order"), "%s", log);
    free(findings);
    free(log);
    gl_buf_free(&text);
}

/* A step nothing on the host meets: the rule that allows partial chains
 * fires at its lower severity naming the missing step; the rule that
 * wants every step does not fire at all. */
Test(chain, partial_chain_only_when_the_rule_allows_it, .timeout = 120)
{
    static const char *const steps =
        "step remote_logon TA0001 T1078 : rdp.logon logon[type=10]\n"
        "step rmm TA0011 T1219 : rmm.installed\n"
        "step defences TA0005 T1562.001 : defender.exclusion.added\n"
        "step impact TA0040 T1486 : firewall.reset\n"
        "step staging TA0009 T1560.001 : archive.created\n";
    gl_buf text = {0};
    gl_buf_printf(&text, "chain partial_ok\ntitle Partial allowed\nspan 2d\nmin_steps 3\nseverity critical\n"
                         "partial_severity medium\n%schain all_or_nothing\ntitle Every step\nspan 2d\n"
                         "severity critical\n%s", steps, steps);
    char *bundle = collect_sample_with_rules("chain-partial", text.data);
    cJSON *all;
    cJSON *f = only_chain_finding(bundle, &all);
    cr_assert_str_eq(str(f, "subject"), "partial_ok");
    cr_assert_str_eq(str(f, "severity"), "medium");
    cr_assert_str_eq(str(f, "severity_reason"),
                     "4 of 5 steps of chain partial_ok in the actor's order (remote_logon [Initial Access] -> rmm "
                     "[Command and Control] -> defences [Defense Evasion] -> staging [Collection]) within 19h 31m 0s "
                     "(the rule allows 2d); missing: impact, so medium rather than critical");
    char *missing = cJSON_PrintUnformatted(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "details"), "missing"));
    cr_assert_str_eq(missing, "[\"impact\"]");
    free(missing);
    char *log = tu_bundle_member(bundle, "log.txt");
    cr_assert_not_null(strstr(log, "chain all_or_nothing: 4 of 5 steps in order with every required step (5 make a chain)"),
                       "%s", log);
    free(log);
    cJSON_Delete(all);
    gl_buf_free(&text);
}

/* A rule file given on the command line that names no timeline kind stops
 * the run before anything is read, naming the file and the line. */
Test(chain, bad_rule_file_is_a_usage_error)
{
    char *rules = write_file("chain-bad", "rules.txt", "chain x\ntitle X\nspan 1d\nseverity high\n"
                                           "step a TA0001 T1078 : logon\nstep b TA0011 T1219 : rmm.instaled\n");
    char *out = tu_tmpdir("chain-bad-out");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "%s collect --source dir:%s --output %s --quiet --set chain.rules=%s", tu_gleaner(),
                     tu_fixture("sample-host"), out, rules);
    cr_assert_eq(rc, 2, "%s", err.data);
    gl_buf want = {0};
    gl_buf_printf(&want, "module chain: %s:6: 'rmm.instaled' is not a timeline kind (gleaner list --kinds)", rules);
    cr_assert_not_null(strstr(err.data, want.data), "%s", err.data);
    gl_buf_free(&want);
    gl_buf_free(&err);
}

/* `last`: listed first in a profile, chain still runs after every module. */
Test(chain, runs_after_every_other_module, .timeout = 120)
{
    char *prof = write_file("chain-order", "order.profile",
                            "description order\nmodule chain\nmodule accounts\nmodule ioc\nmodule defender\n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--profile %s", prof);
    char *bundle = tu_collect_dir("chain-order-out", tu_fixture("sample-host"), args.data, 0);
    char *run = tu_bundle_member(bundle, "run.json");
    cJSON *j = cJSON_Parse(run);
    cr_assert_not_null(j);
    gl_buf order = {0};
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "modules"))
        gl_buf_printf(&order, "%s ", str(m, "name"));
    cr_assert_str_eq(order.data, "accounts defender ioc chain "); /* ioc reads defender's records */
    /* With only these modules the chain has its logon, defences and account steps but no RMM step,
     * which it requires: no finding. */
    char *findings = tu_bundle_member(bundle, "findings.jsonl");
    cr_assert_eq(tu_count(findings, "\"module\":\"chain\""), 0, "%s", findings);
    cJSON_Delete(j);
    free(run);
    free(findings);
    gl_buf_free(&order);
    gl_buf_free(&args);
}

/* gleaner analyze end to end: re-analysis reproduces the collection's
 * findings, verification failures are refused or marked, the timelines
 * parse with Python's csv and json modules and carry their columns, the
 * ECS export has its fields, the fleet view lists each host's tools, and
 * cross-host correlation fires on a shared RMM peer ID and only then.
 * Fleet hosts come from tests/fixtures/fleet/fleet_hosts.py (its rule:
 * host i has AnyDesk when i%2==0, TeamViewer when i%3==0, and hosts 0 and
 * 2 share AnyDesk peer ID 812345678). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define PY "/usr/bin/python3"

static char *root_path(const char *rel)
{
    gl_buf b = {0};
    const char *root = getenv("GLEANER_ROOT");
    gl_buf_printf(&b, "%s/%s", root ? root : ".", rel);
    return b.data;
}

/* Generate n fleet hosts and collect each (rmm only, which is what they
 * hold) into one output directory; returns that directory. */
static char *fleet_bundles(const char *tag, unsigned n)
{
    char *dir = tu_tmpdir(tag);
    gl_buf err = {0};
    char *gen = root_path("tests/fixtures/fleet/fleet_hosts.py");
    cr_assert_eq(tu_runf(NULL, &err, PY " '%s' '%s/hosts' %u", gen, dir, n), 0, "%s", err.data);
    cr_assert_eq(tu_runf(NULL, &err, "printf 'module rmm\\n' > '%s/rmm.profile' && mkdir '%s/b' && "
                                     "for h in '%s'/hosts/FL*; do [ -d \"$h\" ] || continue; "
                                     "'%s' collect -q --profile '%s/rmm.profile' --source \"dir:$h\" --output '%s/b' "
                                     "--name \"$(basename \"$h\")\" > /dev/null || exit 1; done",
                         dir, dir, dir, tu_gleaner(), dir, dir),
                 0, "%s", err.data);
    gl_buf_free(&err);
    return dir;
}

static int analyze(gl_buf *out, gl_buf *err, const char *out_dir, const char *args)
{
    return tu_runf(out, err, "'%s' analyze -q -o '%s' %s", tu_gleaner(), out_dir, args);
}

/* Sorted "id severity" lines of a findings.jsonl, as Python reads them. */
static char *ids_and_severities(const char *path, const char *skip_rule)
{
    gl_buf out = {0};
    int rc = tu_runf(&out, NULL,
                     PY " -c 'import json,sys\n"
                     "rows=[json.loads(l) for l in open(sys.argv[1])]\n"
                     "print(\"\\n\".join(sorted(r[\"id\"]+\" \"+r[\"severity\"] for r in rows if r[\"rule\"]!=sys.argv[2])))'"
                     " '%s' '%s'",
                     path, skip_rule ? skip_rule : "");
    cr_assert_eq(rc, 0, "python could not read %s", path);
    return out.data ? out.data : gl_xstrdup("");
}

static char *file_in(const char *dir, const char *rel)
{
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/%s", dir, rel);
    return b.data;
}

Test(analyze, reproduces_the_collections_findings)
{
    char *dir = fleet_bundles("ana-repro", 1);
    char *out = file_in(dir, "a");
    gl_buf err = {0};
    /* the fleet host FL000: AnyDesk and TeamViewer, five rmm findings */
    cr_assert_eq(analyze(NULL, &err, out, ""), 2); /* no bundle: usage */
    gl_buf args = {0};
    gl_buf_printf(&args, "'%s/b/FL000.tar.zst'", dir);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    tu_runf(NULL, NULL, "tar --zstd -xOf '%s/b/FL000.tar.zst' findings.jsonl > '%s/collected.jsonl'", dir, dir);
    char *collected = ids_and_severities(file_in(dir, "collected.jsonl"), NULL);
    char *analysed = ids_and_severities(file_in(out, "hosts/FL000/findings.jsonl"), NULL);
    cr_assert_eq(tu_count(collected, "\n"), 6, "%s", collected);
    cr_assert_str_eq(analysed, collected);
    /* the combined findings are the host's (no fleet finding from one host) */
    cr_assert_str_eq(ids_and_severities(file_in(out, "findings.jsonl"), NULL), collected);
}

Test(analyze, reproduces_the_sample_hosts_findings)
{
    char *bundle = tu_collect_dir("ana-sample", tu_fixture("sample-host"), "", 0);
    char *out = tu_tmpdir("ana-sample-out");
    gl_buf err = {0}, args = {0};
    gl_buf_printf(&args, "'%s'", bundle);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    char *dir = tu_tmpdir("ana-sample-x");
    tu_runf(NULL, NULL, "tar --zstd -xOf '%s' findings.jsonl > '%s/collected.jsonl'", bundle, dir);
    /* every finding comes back with the same id and severity (the rmm
     * module acquires the tool binaries its portable-copy finding rests on) */
    char *collected = ids_and_severities(file_in(dir, "collected.jsonl"), NULL);
    char *analysed = ids_and_severities(file_in(out, "hosts/b/findings.jsonl"), NULL);
    cr_assert_gt(tu_count(collected, "\n"), 30);
    cr_assert_str_eq(analysed, collected);
    /* and the host's analysis.json names the collection and the re-run */
    char *a = file_in(out, "hosts/b/analysis.json");
    gl_buf o = {0};
    cr_assert_eq(tu_runf(&o, NULL,
                         PY " -c 'import json,sys; a=json.load(open(sys.argv[1])); "
                         "print(a[\"host\"], a[\"verified\"], a[\"state\"], a[\"collection\"][\"status\"], "
                         "a[\"rerun\"][\"status\"], a[\"os\"][\"product\"], "
                         "[m[\"name\"] for m in a[\"rerun\"][\"modules\"]]==[m[\"name\"] for m in "
                         "a[\"collection\"][\"modules\"]])' '%s'",
                         a),
                 0);
    cr_assert_str_eq(o.data, "WS01 True analysed complete complete Windows 10 Pro True\n");
}

/* Repack a bundle with one artifact changed (member order kept, sidecar
 * rewritten so only the manifest disagrees). */
static void alter_member(const char *dir, const char *bundle, const char *member)
{
    cr_assert_eq(tu_runf(NULL, NULL,
                         "set -e; cd '%s'; rm -rf x; mkdir x; tar --zstd -tf '%s' > list; tar --zstd -xf '%s' -C x; "
                         "printf X >> 'x/%s'; rm '%s'; (cd x && bsdtar --zstd --format pax -cf '%s' -T ../list); "
                         "cd \"$(dirname '%s')\" && sha256sum \"$(basename '%s')\" > '%s.sha256'",
                         dir, bundle, bundle, member, bundle, bundle, bundle, bundle, bundle),
                 0);
}

Test(analyze, refuses_an_altered_bundle_and_analyses_the_others)
{
    char *dir = fleet_bundles("ana-alter", 2);
    char *bad = file_in(dir, "b/FL000.tar.zst");
    alter_member(dir, bad, "artifacts/C/ProgramData/AnyDesk/connection_trace.txt");
    char *out = file_in(dir, "a");
    gl_buf err = {0}, args = {0};
    gl_buf_printf(&args, "'%s' '%s/b/FL001.tar.zst'", bad, dir);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 4, "%s", err.data);
    cr_assert_not_null(strstr(err.data, "FL000.tar.zst: refused"), "%s", err.data);
    gl_buf o = {0};
    cr_assert_eq(tu_runf(&o, NULL,
                         PY " -c 'import json,sys; a=json.load(open(sys.argv[1])); "
                         "print(a[\"state\"], a[\"verified\"], a[\"verify_problems\"])' '%s/hosts/FL000/analysis.json'",
                         out),
                 0);
    cr_assert_str_eq(o.data, "refused False ['altered: artifacts/C/ProgramData/AnyDesk/connection_trace.txt (sha256 "
                             "52927cec1bbf104aa465e13e09522c0a244d99dfd49cac05a881000e289df42a, size 55; manifest says "
                             "b080364e157c4372d9a83b201a21f0872fafd4855b7d30eb1774fea1afda0daf, size 54)']\n");
    gl_buf_clear(&o);
    cr_assert_eq(tu_runf(&o, NULL, "cut -d, -f2,7,8 '%s/fleet.csv'", out), 0);
    /* neither has a finding: ranked by name */
    cr_assert_str_eq(o.data, "host,verified,analysis\nFL000,false,refused\nFL001,true,analysed\n");
}

Test(analyze, allow_unverified_marks_every_output)
{
    char *dir = fleet_bundles("ana-unverified", 1);
    char *bad = file_in(dir, "b/FL000.tar.zst");
    alter_member(dir, bad, "artifacts/C/ProgramData/AnyDesk/connection_trace.txt");
    char *out = file_in(dir, "a");
    gl_buf err = {0}, args = {0};
    gl_buf_printf(&args, "--allow-unverified --format ecs '%s'", bad);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    gl_buf o = {0};
    /* every line of every JSON output of the host, and the combined ones */
    cr_assert_eq(tu_runf(&o, &err,
                         PY " -c 'import json,sys\n"
                         "d=sys.argv[1]\n"
                         "n=0\n"
                         "for f in [\"hosts/FL000/findings.jsonl\",\"findings.jsonl\",\"hosts/FL000/timeline.jsonl\","
                         "\"timeline.jsonl\"]:\n"
                         "  for l in open(d+\"/\"+f): assert json.loads(l)[\"unverified\"] is True, f; n+=1\n"
                         "e=[json.loads(l) for l in open(d+\"/ecs.ndjson\")][1::2]\n"
                         "assert all(x[\"gleaner\"][\"unverified\"] is True for x in e)\n"
                         "a=json.load(open(d+\"/hosts/FL000/analysis.json\"))\n"
                         "print(n, len(e), a[\"verified\"], a[\"unverified\"], a[\"state\"])' '%s'",
                         out),
                 0, "%s", err.data);
    /* 6 findings twice (host, combined), 8 rows (6 findings, 2 facts) twice */
    cr_assert_str_eq(o.data, "28 8 False True analysed unverified\n");
}

Test(analyze, timelines_parse_and_carry_their_columns)
{
    char *bundle = tu_collect_dir("ana-tl", tu_fixture("sample-host"), "", 0);
    char *out = tu_tmpdir("ana-tl-out");
    gl_buf err = {0}, args = {0}, o = {0};
    gl_buf_printf(&args, "--format ecs,timesketch '%s'", bundle);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    cr_assert_eq(
        tu_runf(&o, &err,
                PY " -c 'import csv,json,sys\n"
                "d=sys.argv[1]\n"
                "for where in (d+\"/hosts/b\", d):\n"
                "  rows=list(csv.reader(open(where+\"/timeline.csv\",newline=\"\")))\n"
                "  assert rows[0]==[\"time\",\"host\",\"module\",\"rule_or_event\",\"severity\",\"description\","
                "\"artifact\",\"locator\"], rows[0]\n"
                "  assert all(len(r)==8 for r in rows)\n"
                "  f=[json.loads(l) for l in open(where+\"/findings.jsonl\")]\n"
                "  t=[json.loads(l) for l in open(where+\"/timeline.jsonl\")]\n"
                "  assert len(rows)-1==len(t), (len(rows), len(t))\n"
                "  times=[r[0] for r in rows[1:] if r[0]]\n"
                "  key=lambda s: s[:19]+\".\"+(s[20:-1] if s[19]==\".\" else \"\").ljust(9,\"0\")\n"
                "  assert [key(x) for x in times]==sorted(key(x) for x in times)\n"
                "  assert all(set(x)>={\"message\",\"datetime\",\"timestamp_desc\",\"host\",\"module\",\"event\"}"
                " for x in t)\n"
                "  assert sum(1 for r in rows[1:] if r[4])==len(f)\n"
                "  e=[json.loads(l) for l in open(where+\"/ecs.ndjson\")]\n"
                "  assert all(a==({\"index\":{\"_index\":\"gleaner\"}}) for a in e[0::2])\n"
                "  docs=e[1::2]\n"
                "  assert len(docs)==len(t)\n"
                "  for x in docs:\n"
                "    assert x[\"@timestamp\"] and x[\"host\"][\"name\"]==\"WS01\" and x[\"event\"][\"code\"] and "
                "x[\"event\"][\"module\"] and x[\"event\"][\"kind\"] in (\"alert\",\"event\") and x[\"message\"]\n"
                "    if x[\"event\"][\"kind\"]==\"alert\":\n"
                "      assert x[\"rule\"][\"name\"]==x[\"event\"][\"code\"] and x[\"threat\"][\"technique\"][\"id\"]\n"
                "  print(len(rows)-1, len(f), sum(1 for x in docs if x[\"event\"][\"kind\"]==\"alert\"))' '%s'",
                out),
        0, "%s", err.data);
    /* rows: the timeline facts and findings of the same re-run as `collect
     * --source bundle:` makes it (see reproduces_the_sample_hosts_findings),
     * per host and combined; every finding is an ECS alert */
    char *again = tu_tmpdir("ana-tl-again");
    gl_buf n = {0};
    cr_assert_eq(tu_runf(&n, NULL,
                         "'%s' collect -q --source 'bundle:%s' --output '%s' --name r > /dev/null && "
                         "f=$(tar --zstd -xOf '%s/r.tar.zst' findings.jsonl | wc -l) && "
                         "t=$(tar --zstd -xOf '%s/r.tar.zst' timeline.jsonl | wc -l) && "
                         "echo \"$((f + t)) $f $f\" && echo \"$((f + t)) $f $f\"",
                         tu_gleaner(), bundle, again, again, again),
                 0);
    cr_assert_str_eq(o.data, n.data);
}

/* rmm_tools per host by the generator's rule; both columns with a value. */
static void expect_tools(const char *fleet_csv, unsigned n)
{
    gl_buf o = {0};
    cr_assert_eq(tu_runf(&o, NULL,
                         PY " -c 'import csv,sys\n"
                         "rows=list(csv.DictReader(open(sys.argv[1],newline=\"\")))\n"
                         "for r in sorted(rows, key=lambda r: r[\"host\"]): print(r[\"host\"], r[\"rmm_tools\"] or \"-\")'"
                         " '%s'",
                         fleet_csv),
                 0);
    gl_buf want = {0};
    for (unsigned i = 0; i < n; i++) {
        const char *tools = i % 2 == 0 ? (i % 3 == 0 ? "AnyDesk;TeamViewer" : "AnyDesk")
                                       : (i % 3 == 0 ? "TeamViewer" : "-");
        gl_buf_printf(&want, "FL%03u %s\n", i, tools);
    }
    cr_assert_str_eq(o.data, want.data);
}

Test(analyze, fleet_of_50_lists_each_hosts_tools_and_correlates_the_shared_id, .timeout = 300)
{
    char *dir = fleet_bundles("ana-fleet", 50);
    char *out = file_in(dir, "a");
    gl_buf err = {0}, args = {0}, o = {0};
    gl_buf_printf(&args, "--jobs 2 --profile '%s/rmm.profile' '%s'/b/*.tar.zst", dir, dir);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    expect_tools(file_in(out, "fleet.csv"), 50);
    /* ranked: hosts with two tools (rmm.multiple_tools, high) first */
    cr_assert_eq(tu_runf(&o, NULL, "sed -n 2p '%s/fleet.csv' | cut -d, -f1,2,9,10", out), 0);
    cr_assert_str_eq(o.data, "1,FL000,0,1\n");
    gl_buf_clear(&o);
    cr_assert_eq(tu_runf(&o, NULL,
                         PY " -c 'import json,sys\n"
                         "for l in open(sys.argv[1]):\n"
                         "  f=json.loads(l)\n"
                         "  if f[\"module\"]==\"fleet\":\n"
                         "    print(f[\"rule\"], f[\"severity\"], f[\"subject\"], f[\"details\"][\"hosts\"], "
                         "[(e[\"bundle\"], e[\"artifact\"], e[\"locator\"]) for e in f[\"evidence\"]], f[\"attack\"])'"
                         " '%s/findings.jsonl'",
                         out),
                 0);
    cr_assert_str_eq(o.data,
                     "fleet.shared_rmm_id high AnyDesk ID 812345678 ['FL000', 'FL002'] "
                     "[('FL000', 'artifacts/C/ProgramData/AnyDesk/connection_trace.txt', "
                     "'C:\\\\ProgramData\\\\AnyDesk\\\\connection_trace.txt line 1'), "
                     "('FL002', 'artifacts/C/ProgramData/AnyDesk/connection_trace.txt', "
                     "'C:\\\\ProgramData\\\\AnyDesk\\\\connection_trace.txt line 1')] ['T1219', 'T1219.002']\n");
}

Test(analyze, no_correlation_between_unrelated_hosts)
{
    char *dir = fleet_bundles("ana-unrelated", 5);
    char *out = file_in(dir, "a");
    gl_buf err = {0}, args = {0}, o = {0};
    /* FL000 and FL004 both have AnyDesk and FL000 and FL003 TeamViewer, with different peer IDs */
    gl_buf_printf(&args, "'%s/b/FL000.tar.zst' '%s/b/FL003.tar.zst' '%s/b/FL004.tar.zst'", dir, dir, dir);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    cr_assert_eq(tu_runf(&o, NULL, "grep -c '\"module\":\"fleet\"' '%s/findings.jsonl'", out), 1); /* none */
    cr_assert_str_eq(o.data, "0\n");
    gl_buf_clear(&o);
    cr_assert_eq(tu_runf(&o, NULL, "wc -l < '%s/fleet.csv'", out), 0);
    cr_assert_str_eq(o.data, "4\n");
}

Test(analyze, encrypted_bundle_with_key)
{
    char *dir = fleet_bundles("ana-crypt", 1);
    gl_buf err = {0}, o = {0};
    cr_assert_eq(tu_runf(NULL, &err,
                         "cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem "
                         "-subj /CN=ir -days 2 2>/dev/null && '%s' collect -q --profile rmm.profile "
                         "--source dir:hosts/FL000 --encrypt-to cert.pem --output . --name e > /dev/null",
                         dir, tu_gleaner()),
                 0, "%s", err.data);
    char *out = file_in(dir, "a"), *nokey = file_in(dir, "n");
    gl_buf args = {0};
    gl_buf_printf(&args, "--key '%s/key.pem' '%s/e.tar.zst.p7m'", dir, dir);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 0, "%s", err.data);
    /* the same findings as the plain collection of the same host */
    tu_runf(NULL, NULL, "tar --zstd -xOf '%s/b/FL000.tar.zst' findings.jsonl > '%s/plain.jsonl'", dir, dir);
    cr_assert_str_eq(ids_and_severities(file_in(out, "hosts/e/findings.jsonl"), NULL),
                     ids_and_severities(file_in(dir, "plain.jsonl"), NULL));
    cr_assert_eq(tu_runf(&o, NULL, "ls -A '%s'", out), 0); /* no clear copy left behind */
    cr_assert_str_eq(o.data, "analysis.json\nfindings.jsonl\nfleet.csv\nhosts\nreport.html\ntimeline.csv\n"
                             "timeline.jsonl\n");
    /* without the key: refused, and the reason says which key is missing */
    gl_buf_clear(&args);
    gl_buf_printf(&args, "'%s/e.tar.zst.p7m'", dir);
    cr_assert_eq(analyze(NULL, &err, nokey, args.data), 4);
    gl_buf_clear(&o);
    cr_assert_eq(tu_runf(&o, NULL, "grep -c 'give the private key of a recipient' '%s/hosts/e/analysis.json'", nokey),
                 0);
    cr_assert_str_eq(o.data, "1\n");
}

/* ---- the engine pieces on their own ---------------------------------------------- */

#include <dirent.h>
#include "extsort.h"
#include "fleet.h"

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

Test(analyze, sorter_spills_runs_and_merges_them_in_passes)
{
    char *work = tu_tmpdir("ana-sort");
    enum { N = 1000 };
    /* a budget of one line per run: 1000 runs, merged 64 at a time in two passes */
    gl_sorter *s = gl_sorter_new(work, 1);
    char *want[N];
    uint32_t x = 12345;
    gl_err err = {0};
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u; /* deterministic, and with repeats */
        gl_buf line = {0};
        gl_buf_printf(&line, "2026-11-%02u\tkey %u", (x >> 8) % 28 + 1, (x >> 4) % 500);
        want[i] = line.data;
        cr_assert_eq(gl_sorter_add(s, line.data, line.len, &err), 0, "%s", err.msg);
    }
    cr_assert_eq(count_entries(work), N); /* every line spilled to its own run */
    char *out = file_in(work, "sorted");
    cr_assert_eq(gl_sorter_finish(s, out, &err), 0, "%s", err.msg);
    qsort(want, N, sizeof *want, cmp_str);
    gl_buf expect = {0}, got = {0};
    for (int i = 0; i < N; i++)
        gl_buf_printf(&expect, "%s\n", want[i]);
    cr_assert(tu_read_file(out, &got));
    cr_assert_str_eq(got.data, expect.data);
    cr_assert_eq(count_entries(work), 1, "runs and merge files removed"); /* only "sorted" */
    /* a newline inside a line would break the file's lines */
    s = gl_sorter_new(work, 1024);
    cr_assert_eq(gl_sorter_add(s, "a\nb", 3, &err), -1);
    cr_assert_str_eq(err.msg, "sort: a line holds a newline or NUL");
    gl_sorter_free(s);
}

Test(analyze, fleet_rules_errors_name_file_and_line)
{
    gl_err err = {0};
    cr_assert_null(gl_fleet_rules_parse("column a x.y {subject}\ncorrelate r urgent 2 T1\n", "t.txt", &err));
    cr_assert_str_eq(err.msg, "t.txt:2: 'urgent' is not a severity (info, low, medium, high, critical)");
    cr_assert_null(gl_fleet_rules_parse("correlate r high 1 T1\n", "t.txt", &err));
    cr_assert_str_eq(err.msg, "t.txt:1: MIN_HOSTS '1' is not a number of hosts (2 or more)");
    cr_assert_null(gl_fleet_rules_parse("correlate r high 2 T1\n  title T\n  reason R\n", "t.txt", &err));
    cr_assert_str_eq(err.msg, "t.txt: correlate r needs a title, a reason and a value");
    cr_assert_null(gl_fleet_rules_parse("  value fact k {subject}\n", "t.txt", &err));
    cr_assert_str_eq(err.msg, "t.txt:1: indented line outside a 'correlate' block");
    gl_fleet_rules *r = gl_fleet_rules_builtin(&err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(gl_fleet_n_columns(r), 8);
    cr_assert_str_eq(gl_fleet_column_name(r, 0), "rmm_tools");
    cr_assert_str_eq(gl_fleet_column_name(r, 7), "indicator_hits");
    gl_fleet_rules_free(r);
}

static char *keys_of(const gl_fleet_rules *r, bool finding, const char *json, const char *host)
{
    cJSON *obj = cJSON_Parse(json);
    cr_assert_not_null(obj);
    gl_buf keys = {0};
    gl_fleet_keys(r, finding, obj, "stem", host, &keys);
    cJSON_Delete(obj);
    return keys.data ? keys.data : gl_xstrdup("");
}

Test(analyze, correlation_keys_normalise_addresses_and_local_accounts)
{
    gl_err err = {0};
    gl_fleet_rules *r = gl_fleet_rules_builtin(&err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_str_eq(keys_of(r, false,
                             "{\"time\":\"T\",\"kind\":\"rdp.logon\",\"subject\":\"FL001\\\\admin\",\"artifact\":\"A\","
                             "\"locator\":\"L\",\"details\":{\"source\":\"203.0.113.9:3389\"}}",
                             "fl001"),
                     "fleet.shared_remote_address\t203.0.113.9\tstem\tfl001\tT\tA\tL\n"
                     "fleet.shared_rdp_account\tlocal\\admin\tstem\tfl001\tT\tA\tL\n");
    /* loopback is nobody's shared address; a domain account stays as it is */
    cr_assert_str_eq(keys_of(r, false,
                             "{\"kind\":\"rdp.logon\",\"subject\":\"CORP\\\\jdoe\",\"details\":{\"source\":\"127.0.0.1\"}}",
                             "FL001"),
                     "fleet.shared_rdp_account\tCORP\\jdoe\tstem\tFL001\t\t\t\n");
    /* an RMM connection without a peer ID gives no ID key */
    cr_assert_str_eq(keys_of(r, false,
                             "{\"kind\":\"rmm.connection\",\"subject\":\"RustDesk\",\"details\":{\"remote_id\":\"\","
                             "\"remote_address\":\"[2001:db8::7]:21116\"}}",
                             "H"),
                     "fleet.shared_remote_address\t2001:db8::7\tstem\tH\t\t\t\n");
    gl_fleet_rules_free(r);
}

Test(analyze, unreadable_run_json_fails_that_host_only)
{
    char *dir = fleet_bundles("ana-badrun", 2);
    char *bad = file_in(dir, "b/FL000.tar.zst");
    alter_member(dir, bad, "run.json"); /* "}X": no longer JSON */
    char *out = file_in(dir, "a");
    gl_buf err = {0}, args = {0}, o = {0};
    gl_buf_printf(&args, "--allow-unverified '%s' '%s/b/FL001.tar.zst'", bad, dir);
    cr_assert_eq(analyze(NULL, &err, out, args.data), 3, "%s", err.data);
    cr_assert_eq(tu_runf(&o, NULL,
                         PY " -c 'import json,sys; a=json.load(open(sys.argv[1]+\"/hosts/FL000/analysis.json\")); "
                         "b=json.load(open(sys.argv[1]+\"/hosts/FL001/analysis.json\")); "
                         "print(a[\"state\"], a[\"failure\"], b[\"state\"])' '%s'",
                         out),
                 0);
    cr_assert_str_eq(o.data, "failed run.json is not a JSON object analysed\n");
}

/* The HTML reports of `gleaner analyze`: one self-contained page per host
 * (host_dir/report.html) and a fleet page over all hosts (out_dir/report.html).
 * The page's markup, style and script are embedded data
 * (collector/engine/data/, "report/<file>"); the evidence goes into the page
 * as JSON in <script type="application/json"> blocks, escaped so that no
 * string from evidence can end the block. Inputs are streamed: what a page
 * carries is capped by the limits below, which the page states, and the
 * rest stays in the files the page names. */
#ifndef GL_REPORT_HTML_H
#define GL_REPORT_HTML_H
#include "err.h"

/* What one page carries at most. Findings go in by severity (high first),
 * so a cap drops the least severe. */
#define GL_REPORT_FINDINGS_CAP 2000
#define GL_REPORT_TIMELINE_CAP 5000    /* timeline.jsonl events */
#define GL_REPORT_RECORDS_CAP 200      /* records per module */
#define GL_REPORT_MODULES_CAP 256      /* records/<module>.jsonl files */
#define GL_REPORT_FLEET_HOSTS_CAP 100000
#define GL_REPORT_FLEET_ROWS_CAP 100000 /* fleet.csv rows */
#define GL_REPORT_FLEET_CROSS_CAP 1000  /* cross-host findings (module "fleet") */
#define GL_REPORT_LINE_MAX (1u << 20)  /* longer JSON Lines lines are skipped and counted */

/* host_dir holds findings.jsonl, timeline.jsonl, records/<module>.jsonl,
 * run.json and analysis.json (any may be missing); writes
 * host_dir/report.html. Returns 0 or -1 with err set. */
int gl_report_host_html(const char *host_dir, gl_err *err);

/* out_dir holds fleet.csv, findings.jsonl (its cross-host findings, module
 * "fleet", are shown) and hosts/<name>/ (each with its own report.html and
 * the files above); writes out_dir/report.html ranking the hosts by the
 * severity of their findings. Returns 0 or -1 with err set. */
int gl_report_fleet_html(const char *out_dir, gl_err *err);

#endif

"use strict";
/* One host's report: attack chain, findings, timeline, records. */
(function () {
  var h = GL.h;
  var meta = GL.data("gl-meta") || {};
  var findings = GL.data("gl-findings") || [];
  var events = GL.data("gl-timeline") || [];
  var EVIDENCE_SHOWN = 20;   /* evidence items listed per finding before "N more" */
  var RECORD_COLUMNS = 40;   /* columns of a records table */
  var CELL_CHARS = 300;      /* characters of a records cell before it is cut */

  /* lines of a file that are entries (the rest could not be read) */
  function good(st) { return (st.total || 0) - (st.bad || 0); }
  function cut(s, n) { return s.length > n ? s.slice(0, n) + "\u2026" : s; }

  function evidenceItem(ev) {
    if (!ev || typeof ev !== "object") return h("li", null, GL.text(ev));
    return h("li", null, GL.text(ev.artifact), ev.locator ? h("span", { class: "loc" }, " \u2014 " + GL.text(ev.locator)) : null);
  }
  function evidenceList(list) {
    if (!Array.isArray(list) || !list.length) return null;
    var ul = h("ul", { class: "evidence" }, list.slice(0, EVIDENCE_SHOWN).map(evidenceItem));
    if (list.length > EVIDENCE_SHOWN) ul.appendChild(h("li", { class: "loc" }, (list.length - EVIDENCE_SHOWN) + " more in findings.jsonl"));
    return ul;
  }
  function attackChips(ids) {
    if (!Array.isArray(ids) || !ids.length) return null;
    return h("span", { class: "attack" }, "ATT&CK ", ids.map(function (id) { return h("span", { class: "chip", text: GL.text(id) }); }));
  }

  /* ---- attack chain: findings whose details hold ordered steps ---- */
  /* A step names its evidence as artifact + locator, or as an evidence list. */
  function stepEvidence(s) {
    var ev = s.evidence !== undefined ? s.evidence : s.artifact ? { artifact: s.artifact, locator: s.locator } : null;
    if (ev === null || ev === undefined) return null;
    var list = Array.isArray(ev) ? ev : [ev];
    return h("div", { class: "ev" }, list.map(function (e, i) {
      var t = (e && typeof e === "object" && e.artifact) ? GL.text(e.artifact) + (e.locator ? " \u2014 " + GL.text(e.locator) : "") : GL.text(e);
      return (i ? "; " : "") + t;
    }));
  }
  function stepWhat(s) {
    var what = s.title || s.description || s.summary || [s.kind, s.subject].filter(Boolean).join(" ");
    return GL.text(what || s.rule || "");
  }
  function tacticName(s) { return GL.text(s.tactic_name || s.tactic); }
  function duration(a, b) {
    var ms = Date.parse(b) - Date.parse(a);
    if (!(ms >= 0)) return "";
    var m = Math.floor(ms / 60000);
    if (m < 60) return m + " min";
    var hrs = Math.floor(m / 60);
    if (hrs < 48) return hrs + " h " + (m % 60) + " min";
    return Math.floor(hrs / 24) + " days " + (hrs % 24) + " h";
  }
  function renderChain(body) {
    var chains = findings.filter(function (f) { return f.details && Array.isArray(f.details.steps); });
    GL.clear(body);
    if (!chains.length) {
      body.appendChild(h("p", { class: "empty", text: "No attack chain was correlated on this host." }));
      return;
    }
    chains.forEach(function (f) {
      var steps = f.details.steps.filter(function (s) { return s && typeof s === "object"; });
      var times = steps.map(function (s) { return s.time; }).filter(function (t) { return typeof t === "string"; }).sort();
      var tactics = [];
      steps.forEach(function (s) { var t = tacticName(s); if (t && tactics.indexOf(t) < 0) tactics.push(t); });
      var first = times[0], last = times[times.length - 1];
      var missing = Array.isArray(f.details.missing) ? f.details.missing.map(GL.text) : [];
      body.appendChild(h("div", { class: "chain", id: "chain-" + GL.text(f.id) },
        h("h3", null, GL.badge(GL.text(f.severity)), " ", GL.text(f.title)),
        first ? h("div", { class: "span" }, GL.plural(steps.length, "step") + " from " + first + " to " + last +
          (duration(first, last) ? " (" + duration(first, last) + ")" : "") +
          (missing.length ? "; not seen: " + missing.join(", ") : "")) : null,
        f.severity_reason ? h("div", { class: "reason" }, GL.text(f.severity_reason)) : null,
        h("div", { class: "tactics" }, tactics.map(function (t, i) {
          return [i ? h("span", { class: "arrow", text: "\u2192" }) : null, h("span", { class: "chip", text: t })];
        })),
        h("ol", null, steps.map(function (s) {
          var id = s.technique || s.attack || s.attack_id;
          return h("li", { class: "step" },
            s.time ? h("span", { class: "when", text: GL.text(s.time) }) : null,
            tacticName(s) ? h("strong", { title: GL.text(s.tactic) }, tacticName(s)) : null,
            id ? [" ", h("span", { class: "chip", text: GL.text(Array.isArray(id) ? id.join(", ") : id) })] : null,
            s.step ? [" ", h("em", { text: GL.text(s.step) }), ":"] : null,
            " ", stepWhat(s),
            s.module ? h("span", { class: "loc" }, " (" + GL.text(s.module) + ")") : null,
            stepEvidence(s));
        })),
        attackChips(f.attack)));
    });
  }

  /* ---- findings by severity, then module ---- */
  function findingCard(f) {
    var sev = GL.text(f.severity);
    return h("article", { class: "finding " + GL.sevClass(sev), id: f.id ? "f-" + GL.text(f.id) : null },
      h("h4", null, GL.text(f.title)),
      h("div", { class: "meta" },
        h("span", null, GL.badge(sev)),
        f.rule ? h("span", { text: GL.text(f.rule) }) : null,
        f.time ? h("span", { text: GL.text(f.time) }) : null,
        f.subject ? h("span", { text: GL.text(f.subject) }) : null,
        attackChips(f.attack) ? h("span", null, attackChips(f.attack)) : null),
      f.severity_reason ? h("div", { class: "reason" }, h("em", { text: "Why " + sev + ": " }), GL.text(f.severity_reason)) : null,
      evidenceList(f.evidence),
      f.details && typeof f.details === "object" && Object.keys(f.details).length ?
        h("details", null, h("summary", { text: "details" }), h("pre", { text: JSON.stringify(f.details, null, 2) })) : null);
  }
  function renderFindings(body) {
    GL.clear(body);
    var fm = meta.findings || {};
    if (!findings.length) {
      body.appendChild(h("p", { class: "empty", text: fm.absent ? "No findings.jsonl beside this report." : "No findings." }));
    }
    if (good(fm) > fm.shown)
      body.appendChild(h("p", { class: "note", text: "This page shows " + fm.shown + " of " + good(fm) +
        " findings (the most severe first, limit " + (meta.caps || {}).findings + "); all are in " + fm.file + "." }));
    if (fm.bad)
      body.appendChild(h("p", { class: "note", text: GL.plural(fm.bad, "unreadable line") + " in " + fm.file + " left out." }));
    var bySev = Object.create(null); /* keys from evidence: no inherited names */
    findings.forEach(function (f) {
      var s = GL.SEVERITIES.indexOf(f.severity) < 0 ? "other" : f.severity;
      var m = GL.text(f.module) || "?";
      ((bySev[s] = bySev[s] || Object.create(null))[m] = bySev[s][m] || []).push(f);
    });
    GL.SEVERITIES.concat(["other"]).forEach(function (s) {
      var mods = bySev[s];
      if (!mods) return;
      var names = Object.keys(mods).sort();
      var n = names.reduce(function (a, m) { return a + mods[m].length; }, 0);
      body.appendChild(h("div", { class: "group", id: "findings-" + s },
        h("h3", null, GL.badge(s), GL.plural(n, "finding")),
        names.map(function (m) {
          return h("div", { class: "module-group" }, h("h4", { text: m + " (" + mods[m].length + ")" }), mods[m].map(findingCard));
        })));
    });
  }

  /* ---- timeline: facts and findings, filterable and sortable ---- */
  /* timeline.jsonl as the bundle has it ({time, kind, subject, ...}) or as
     analyze writes it for Timesketch ({datetime, event, message, ...},
     findings included as data_type gleaner:finding) */
  function isFinding(e) { return e.data_type === "gleaner:finding" || !!e.severity; }
  function fromEvent(e) {
    var kind = GL.text(e.kind || e.event);
    var text = GL.text(e.message || e.subject).replace(/^\[[a-z]+\]\s+/, "");
    if (kind && text.indexOf(kind + ": ") === 0) text = text.slice(kind.length + 2);
    return { time: GL.text(e.time || e.datetime), severity: GL.text(e.severity), module: GL.text(e.module), kind: kind,
      subject: text, artifact: GL.text(e.artifact), locator: GL.text(e.locator), details: e.details };
  }
  var rows = events.map(fromEvent);
  if (!events.some(isFinding)) rows = rows.concat(findings.map(function (f) {
    var ev = Array.isArray(f.evidence) && f.evidence[0] && typeof f.evidence[0] === "object" ? f.evidence[0] : {};
    return { time: GL.text(f.time), severity: GL.text(f.severity), module: GL.text(f.module), kind: GL.text(f.rule),
      subject: GL.text(f.title), artifact: GL.text(ev.artifact), locator: GL.text(ev.locator), details: f.details };
  }));
  rows.forEach(function (r) {
    r.search = [r.time, r.severity, r.module, r.kind, r.subject, r.artifact, r.locator,
      r.details === undefined ? "" : GL.text(r.details)].join("\u0001").toLowerCase();
  });

  function timeline() {
    var filter = document.getElementById("tl-filter");
    var modSel = document.getElementById("tl-module");
    var sevSel = document.getElementById("tl-severity");
    var shown = document.getElementById("tl-shown");
    var modules = [];
    rows.forEach(function (r) { if (r.module && modules.indexOf(r.module) < 0) modules.push(r.module); });
    modules.sort().forEach(function (m) { modSel.appendChild(h("option", { value: m, text: m })); });

    var table = new GL.Table(document.getElementById("tl-body"), [
      { label: "time (UTC)", cls: "time", key: function (r) { return r.time; }, cell: function (r) { return r.time; } },
      { label: "severity", key: function (r) { return r.severity ? GL.sevRank(r.severity) : 9; }, cell: function (r) { return GL.badge(r.severity); } },
      { label: "module", key: function (r) { return r.module; }, cell: function (r) { return r.module; } },
      { label: "event / rule", key: function (r) { return r.kind; }, cell: function (r) { return r.kind; } },
      { label: "subject / finding", cls: "wrap", key: function (r) { return r.subject.toLowerCase(); }, cell: function (r) { return r.subject; } },
      { label: "evidence", cls: "ev", cell: function (r) { return r.artifact + (r.locator ? " \u2014 " + r.locator : ""); } }
    ], rows, { sortCol: 0, sortDir: 1, tableClass: "timeline",
      rowClass: function (r) { return "tl-row" + (r.severity ? " " + GL.sevClass(r.severity) : " fact"); },
      onDraw: function (n, total) {
        var by = [filter.value.trim() && "text \u201c" + filter.value.trim() + "\u201d",
          modSel.value && "module " + modSel.value, sevSel.value && sevSel.options[sevSel.selectedIndex].text];
        by = by.filter(Boolean);
        shown.textContent = n + " of " + total + " rows shown" + (by.length ? " (filter: " + by.join(", ") + ")" : "");
      } });
    table.sort();

    function apply(fromUser) {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var mod = modSel.value, sev = sevSel.value;
      table.keep = function (r) {
        if (mod && r.module !== mod) return false;
        if (sev === "fact" ? r.severity : sev === "finding" ? !r.severity : sev && r.severity !== sev) return false;
        return words.every(function (w) { return r.search.indexOf(w) >= 0; });
      };
      table.draw();
      if (fromUser) GL.setFragment({ filter: filter.value, module: mod, severity: sev });
    }
    function fromFragment() {
      var p = GL.fragment();
      if (p.filter !== undefined) filter.value = p.filter;
      if (p.module !== undefined) modSel.value = p.module;
      if (p.severity !== undefined) sevSel.value = p.severity;
      apply(false);
    }
    var later = GL.debounce(function () { apply(true); }, 150);
    filter.addEventListener("input", later);
    modSel.addEventListener("change", function () { apply(true); });
    sevSel.addEventListener("change", function () { apply(true); });
    window.addEventListener("hashchange", function () { if (/=/.test(location.hash)) fromFragment(); });
    fromFragment();

    var tm = meta.timeline || {};
    if (good(tm) > tm.shown)
      document.getElementById("tl-body").insertAdjacentElement("beforebegin", h("p", { class: "note",
        text: "The timeline here holds the first " + tm.shown + " of " + good(tm) + " lines of " + tm.file +
          " (limit " + (meta.caps || {}).timeline + "); the file holds them all." }));
  }

  /* ---- records, one collapsible table per module ---- */
  function renderRecords(body) {
    GL.clear(body);
    var list = meta.records || [];
    if (!list.length) body.appendChild(h("p", { class: "empty", text: "No records/ folder beside this report." }));
    list.forEach(function (r) {
      var data = GL.data("gl-rec-" + r.block) || [];
      var cols = [];
      data.forEach(function (rec) {
        Object.keys(rec).forEach(function (k) { if (cols.indexOf(k) < 0 && cols.length < RECORD_COLUMNS) cols.push(k); });
      });
      var wrap = h("div", { class: "records-table" });
      var d = h("details", { id: "records-" + r.module },
        h("summary", { text: r.module + " \u2014 " + (good(r) > r.shown ? r.shown + " of " + good(r) : r.shown) + " records" }),
        good(r) > r.shown ? h("p", { class: "note", text: (good(r) - r.shown) + " more in " + r.file + " (limit " + (meta.caps || {}).records + " per module)." }) : null,
        r.bad ? h("p", { class: "note", text: r.bad + " unreadable lines in " + r.file + " were left out." }) : null,
        wrap);
      body.appendChild(d);
      new GL.Table(wrap, cols.map(function (k) {
        return { label: k, key: function (rec) { return GL.text(rec[k]); },
          cell: function (rec) { var t = GL.text(rec[k]); return t.length > CELL_CHARS ? h("span", { title: cut(t, 4000) }, cut(t, CELL_CHARS)) : t; } };
      }), data).draw();
    });
    if (meta.record_files_not_shown)
      body.appendChild(h("p", { class: "note", text: meta.record_files_not_shown + " more record files in records/ (limit " + (meta.caps || {}).modules + ")." }));
  }

  function renderLimits(body) {
    var c = meta.caps || {};
    var bad = ((meta.findings || {}).bad || 0) + ((meta.timeline || {}).bad || 0);
    GL.clear(body).appendChild(h("p", { class: "note", text:
      "To stay small and fast this page carries at most " + c.findings + " findings (most severe first), the first " +
      c.timeline + " timeline events and the first " + c.records + " records of each of at most " + c.modules +
      " modules; JSON Lines lines over " + c.line_bytes + " bytes are left out. The files beside this report " +
      "(findings.jsonl, timeline.jsonl, timeline.csv, records/) hold everything." +
      (bad ? " " + bad + " unreadable lines were left out of findings and timeline." : "") }));
  }

  renderChain(document.getElementById("chain-body"));
  renderFindings(document.getElementById("findings-body"));
  timeline();
  renderRecords(document.getElementById("records-body"));
  renderLimits(document.getElementById("limits-body"));
  GL.printOpens("details.modules");
})();

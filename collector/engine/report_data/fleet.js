"use strict";
/* The fleet page: hosts ranked by severity and fleet.csv's matrix of what
   each host has, both filtered by one text box. */
(function () {
  var h = GL.h;
  var hosts = GL.data("gl-hosts") || [];
  var fleet = GL.data("gl-fleet") || [];
  var meta = GL.data("gl-meta") || {};
  var filter = document.getElementById("fleet-filter");
  var shown = document.getElementById("fleet-shown");

  function href(host) { return "hosts/" + encodeURIComponent(host.dir) + "/report.html"; }
  function hostLink(host) { return h("a", { href: href(host), text: host.host }); }
  function count(sev) {
    return { label: sev, cls: "num", key: function (x) { return -x.counts[sev]; },
      cell: function (x) { return x.counts[sev] ? String(x.counts[sev]) : ""; } };
  }

  hosts.forEach(function (x, i) {
    x.rank = i + 1;
    x.search = [x.host, x.dir, x.status, x.os].map(GL.text).join("\u0001").toLowerCase();
  });
  var hostTable = new GL.Table(document.getElementById("hosts-body"), [
    { label: "#", cls: "num", key: function (x) { return x.rank; }, cell: function (x) { return String(x.rank); } },
    { label: "host", key: function (x) { return x.host.toLowerCase(); }, cell: hostLink },
    hosts.some(function (x) { return x.counts.critical; }) ? count("critical") : null,
    count("high"), count("medium"), count("low"), count("info"),
    { label: "chain", cls: "num", key: function (x) { return -x.chains; }, cell: function (x) { return x.chains ? String(x.chains) : ""; } },
    { label: "status", key: function (x) { return GL.text(x.status); },
      cell: function (x) {
        return [h("span", { class: "st-" + GL.text(x.status), text: GL.text(x.status) }),
          x.state && x.state !== "analysed" ? h("span", { class: "unverified", text: " " + GL.text(x.state) }) : null];
      } },
    { label: "bundle", key: function (x) { return x.verified === false ? 0 : 1; },
      cell: function (x) { return x.verified === false ? h("span", { class: "unverified", text: "UNVERIFIED" }) : x.verified ? "verified" : ""; } },
    { label: "OS", key: function (x) { return GL.text(x.os); }, cell: function (x) { return GL.text(x.os); } },
    { label: "collected (UTC)", cls: "time", key: function (x) { return GL.text(x.time); }, cell: function (x) { return GL.text(x.time); } }
  ].filter(Boolean), hosts, { sortCol: 0, rowClass: function (x) { return "host-row" + (x.counts.high ? " sev-high" : x.counts.medium ? " sev-medium" : ""); } });
  if (!hosts.length) document.getElementById("hosts-body").appendChild(h("p", { class: "empty", text: "No hosts/ folder beside this report." }));

  /* fleet.csv: header first; a row belongs to the host whose folder name
     appears in it, or else whose name is in its "host" column. */
  var header = fleet.length ? fleet[0] : [];
  var byDir = Object.create(null), byName = Object.create(null); /* keys from evidence */
  hosts.forEach(function (x) { byDir[x.dir] = x; if (!byName[x.host]) byName[x.host] = x; });
  var hostCol = header.map(function (c) { return String(c).toLowerCase(); }).indexOf("host");
  /* what the ranked table above already shows is not repeated */
  var SHOWN_ABOVE = ["rank", "bundle", "os", "collected", "status", "verified", "analysis",
    "critical", "high", "medium", "low", "info"];
  var columns = [];
  header.forEach(function (c, i) { if (i === hostCol || SHOWN_ABOVE.indexOf(String(c).toLowerCase()) < 0) columns.push(i); });
  var matrix = fleet.slice(1).map(function (cells) {
    var owner = null;
    cells.forEach(function (c) { if (!owner && byDir[c]) owner = byDir[c]; });
    if (!owner && hostCol >= 0) owner = byName[cells[hostCol]] || null;
    return { cells: cells, host: owner, rank: owner ? owner.rank : hosts.length + 1,
      search: cells.join("\u0001").toLowerCase() };
  });
  matrix.sort(function (a, b) { return a.rank - b.rank; });
  function has(v) { return v !== "" && !/^(0|false|no|none|-)$/i.test(v); }
  var matrixTable = new GL.Table(document.getElementById("matrix-body"), columns.map(function (i) {
    var label = header[i];
    return { label: String(label).replace(/_/g, " "), cls: i === hostCol ? null : "wrap",
      key: i === hostCol ? function (r) { return r.rank; } : function (r) { return has(r.cells[i] || "") ? 0 : 1; },
      cell: function (r) {
        var v = r.cells[i] === undefined ? "" : r.cells[i];
        if (i === hostCol && r.host) return h("a", { href: href(r.host), text: v });
        /* fleet.csv joins a host's values with ';': one per line */
        return v.indexOf(";") < 0 ? v : v.split(";").map(function (part) { return h("div", { text: part }); });
      } };
  }), matrix, { tableClass: "matrix" });
  var hasCells = function () {
    document.querySelectorAll("#matrix-body td").forEach(function (td, i) {
      var col = columns[i % Math.max(columns.length, 1)];
      if (col !== hostCol && has(td.textContent)) td.classList.add("has");
    });
  };
  matrixTable.onDraw = hasCells;
  if (!fleet.length) document.getElementById("matrix-body").appendChild(h("p", { class: "empty", text: "No fleet.csv beside this report." }));
  if (meta.fleet_rows >= meta.fleet_rows_cap)
    document.getElementById("matrix-body").insertAdjacentElement("beforebegin", h("p", { class: "note",
      text: "This page shows the first " + meta.fleet_rows_cap + " rows of fleet.csv; the file holds them all." }));

  /* cross-host findings: one value (peer ID, indicator, account) on several hosts */
  var cross = GL.data("gl-cross") || [];
  (function () {
    var body = document.getElementById("cross-body");
    if (!cross.length) {
      body.appendChild(h("p", { class: "empty", text: "No value was shared by several hosts." }));
      return;
    }
    if (meta.cross_shown >= meta.cross_cap)
      body.appendChild(h("p", { class: "note", text: "The first " + meta.cross_cap + " cross-host findings; findings.jsonl holds them all." }));
    cross.forEach(function (f) {
      var ev = Array.isArray(f.evidence) ? f.evidence : [];
      body.appendChild(h("article", { class: "finding " + GL.sevClass(f.severity) },
        h("h4", null, GL.text(f.title)),
        h("div", { class: "meta" }, h("span", null, GL.badge(GL.text(f.severity))), f.rule ? h("span", { text: GL.text(f.rule) }) : null,
          f.time ? h("span", { text: GL.text(f.time) }) : null),
        f.severity_reason ? h("div", { class: "reason" }, GL.text(f.severity_reason)) : null,
        h("ul", { class: "evidence" }, ev.map(function (e) {
          var host = e && byDir[e.bundle];
          return h("li", null, host ? h("a", { href: href(host), text: GL.text(e.host || host.host) }) : GL.text(e && e.host),
            ": ", GL.text(e && e.artifact), e && e.locator ? h("span", { class: "loc" }, " \u2014 " + GL.text(e.locator)) : null);
        }))));
    });
  })();

  function apply(fromUser) {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var match = function (s) { return words.every(function (w) { return s.indexOf(w) >= 0; }); };
    /* a host is kept when its own line or its fleet.csv row matches */
    var kept = Object.create(null);
    matrix.forEach(function (r) { if (r.host && match(r.search)) kept[r.host.dir] = true; });
    hostTable.keep = function (x) { return kept[x.dir] || match(x.search); };
    matrixTable.keep = function (r) { return match(r.search) || (r.host && match(r.host.search)); };
    var n = hosts.filter(hostTable.keep).length;
    if (hosts.length) hostTable.draw();
    if (fleet.length) matrixTable.draw();
    shown.textContent = words.length ? n + " of " + hosts.length + " hosts match" : "";
    if (fromUser) GL.setFragment({ filter: filter.value });
  }
  filter.addEventListener("input", GL.debounce(function () { apply(true); }, 150));
  window.addEventListener("hashchange", function () { if (/=/.test(location.hash)) { filter.value = GL.fragment().filter || ""; apply(false); } });
  filter.value = GL.fragment().filter || "";
  apply(false);
})();

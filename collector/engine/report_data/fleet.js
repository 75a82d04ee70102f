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
    count("high"), count("medium"), count("low"), count("info"),
    { label: "chain", cls: "num", key: function (x) { return -x.chains; }, cell: function (x) { return x.chains ? String(x.chains) : ""; } },
    { label: "status", key: function (x) { return GL.text(x.status); },
      cell: function (x) { return h("span", { class: "st-" + GL.text(x.status), text: GL.text(x.status) }); } },
    { label: "bundle", key: function (x) { return x.verified === false ? 0 : 1; },
      cell: function (x) { return x.verified === false ? h("span", { class: "unverified", text: "UNVERIFIED" }) : x.verified ? "verified" : ""; } },
    { label: "OS", key: function (x) { return GL.text(x.os); }, cell: function (x) { return GL.text(x.os); } },
    { label: "collected (UTC)", cls: "time", key: function (x) { return GL.text(x.time); }, cell: function (x) { return GL.text(x.time); } }
  ], hosts, { sortCol: 0, rowClass: function (x) { return "host-row" + (x.counts.high ? " sev-high" : x.counts.medium ? " sev-medium" : ""); } });
  if (!hosts.length) document.getElementById("hosts-body").appendChild(h("p", { class: "empty", text: "No hosts/ folder beside this report." }));

  /* fleet.csv: header first; a row belongs to the host whose folder name
     appears in it, or else whose name is in its "host" column. */
  var header = fleet.length ? fleet[0] : [];
  var byDir = {}, byName = {};
  hosts.forEach(function (x) { byDir[x.dir] = x; if (!byName[x.host]) byName[x.host] = x; });
  var hostCol = header.map(function (c) { return String(c).toLowerCase(); }).indexOf("host");
  var matrix = fleet.slice(1).map(function (cells) {
    var owner = null;
    cells.forEach(function (c) { if (!owner && byDir[c]) owner = byDir[c]; });
    if (!owner && hostCol >= 0) owner = byName[cells[hostCol]] || null;
    return { cells: cells, host: owner, rank: owner ? owner.rank : hosts.length + 1,
      search: cells.join("\u0001").toLowerCase() };
  });
  matrix.sort(function (a, b) { return a.rank - b.rank; });
  function has(v) { return v !== "" && !/^(0|false|no|none|-)$/i.test(v); }
  var matrixTable = new GL.Table(document.getElementById("matrix-body"), header.map(function (label, i) {
    return { label: String(label), cls: i === hostCol ? null : "wrap",
      key: i === hostCol ? function (r) { return r.rank; } : function (r) { return has(r.cells[i] || "") ? 0 : 1; },
      cell: function (r) {
        var v = r.cells[i] === undefined ? "" : r.cells[i];
        if (i === hostCol && r.host) return h("a", { href: href(r.host), text: v });
        return v;
      } };
  }), matrix, { tableClass: "matrix" });
  var hasCells = function () {
    document.querySelectorAll("#matrix-body td").forEach(function (td, i) {
      var col = i % Math.max(header.length, 1);
      if (col !== hostCol && has(td.textContent)) td.classList.add("has");
    });
  };
  matrixTable.onDraw = hasCells;
  if (!fleet.length) document.getElementById("matrix-body").appendChild(h("p", { class: "empty", text: "No fleet.csv beside this report." }));
  if (meta.fleet_rows >= meta.fleet_rows_cap)
    document.getElementById("matrix-body").insertAdjacentElement("beforebegin", h("p", { class: "note",
      text: "This page shows the first " + meta.fleet_rows_cap + " rows of fleet.csv; the file holds them all." }));

  function apply(fromUser) {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var match = function (s) { return words.every(function (w) { return s.indexOf(w) >= 0; }); };
    /* a host is kept when its own line or its fleet.csv row matches */
    var kept = {};
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

"use strict";
/* Helpers of gleaner's report pages. Everything from evidence is put in
   the page as text nodes (never as markup), so a hostile string shows as
   what it is. */
var GL = (function () {
  function data(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  /* h("td", {class: "x", title: "y"}, child, "text", [more]) */
  function h(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  function add(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function text(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  function sevRank(s) { var i = SEVERITIES.indexOf(s); return i < 0 ? SEVERITIES.length : i; }
  function sevClass(s) { return SEVERITIES.indexOf(s) < 0 ? "sev-other" : "sev-" + s; }
  function badge(sev) { return h("span", { class: "badge " + (sev ? sevClass(sev) : "fact"), text: sev || "fact" }); }

  /* "#filter=anydesk&module=rmm" -> {filter: "anydesk", module: "rmm"} */
  function fragment() {
    var out = {};
    var hash = location.hash.replace(/^#/, "");
    hash.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq <= 0) return;
      try { out[decodeURIComponent(part.slice(0, eq))] = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, " ")); }
      catch (e) { /* a malformed escape is ignored */ }
    });
    return out;
  }
  function setFragment(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k]) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    if (parts.length || /[=]/.test(location.hash))
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
  }

  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  function cmp(a, b) {
    if (a === b) return 0;
    if (a === "" || a === null || a === undefined) return 1; /* empty last */
    if (b === "" || b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a) < String(b) ? -1 : 1;
  }

  /* A table over rows: columns [{label, key(row) for sorting, cell(row) ->
     node or text, cls}], sortable by clicking a header; keep(row) decides
     which rows are drawn, so hidden rows are not in the page at all. At
     most `page` rows are drawn, and a button draws the next ones: a page
     with thousands of rows would take seconds to lay out. */
  function Table(container, columns, rows, opts) {
    opts = opts || {};
    this.container = container;
    this.columns = columns;
    this.rows = rows;
    this.keep = function () { return true; };
    this.sortCol = opts.sortCol === undefined ? -1 : opts.sortCol;
    this.sortDir = opts.sortDir || 1;
    this.rowClass = opts.rowClass || function () { return ""; };
    this.onDraw = opts.onDraw || function () {};
    this.tableClass = opts.tableClass || "";
    this.page = opts.page || 1000;
    this.limit = this.page;
  }
  Table.prototype.sort = function () {
    if (this.sortCol < 0) return;
    var col = this.columns[this.sortCol], dir = this.sortDir;
    var indexed = this.rows.map(function (r, i) { return [r, i]; });
    indexed.sort(function (x, y) { return cmp(col.key(x[0]), col.key(y[0])) * dir || x[1] - y[1]; });
    this.rows = indexed.map(function (x) { return x[0]; });
  };
  /* keepLimit: a new sort keeps the rows the reader asked for; a new
     filter starts again from the first page */
  Table.prototype.draw = function (keepLimit) {
    var self = this;
    if (!keepLimit) this.limit = this.page;
    var head = h("tr", null, this.columns.map(function (c, i) {
      var cls = (c.cls || "") + (c.key ? " sortable" : "") +
        (i === self.sortCol ? (self.sortDir > 0 ? " sorted-asc" : " sorted-desc") : "");
      var th = h("th", { class: cls.trim() || null, text: c.label });
      if (c.key) th.addEventListener("click", function () {
        if (self.sortCol === i) self.sortDir = -self.sortDir; else { self.sortCol = i; self.sortDir = 1; }
        self.sort();
        self.draw(true);
      });
      return th;
    }));
    var body = h("tbody");
    var shown = 0;
    this.rows.forEach(function (r) {
      if (!self.keep(r)) return;
      if (shown++ >= self.limit) return;
      body.appendChild(h("tr", { class: self.rowClass(r) || null }, self.columns.map(function (c) {
        return h("td", { class: c.cls || null }, c.cell(r));
      })));
    });
    clear(this.container).appendChild(h("table", { class: this.tableClass || null }, h("thead", null, head), body));
    if (shown > this.limit) {
      var more = Math.min(this.page, shown - this.limit);
      var button = h("button", { type: "button", class: "more no-print",
        text: "Show " + more + " more of the " + (shown - this.limit) + " rows not drawn" });
      button.addEventListener("click", function () { self.limit += self.page; self.draw(true); });
      this.container.appendChild(h("p", { class: "more-rows" },
        "The first " + this.limit + " matching rows are drawn. ", button));
    }
    this.onDraw(shown, this.rows.length);
  };

  /* Printing prints what is open on screen, and opens the blocks that
     selector names (the module table) for the time of printing. */
  function printOpens(selector) {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll(selector).forEach(function (d) {
        if (!d.open) { d.open = true; opened.push(d); }
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  return { data: data, h: h, clear: clear, text: text, SEVERITIES: SEVERITIES, sevRank: sevRank,
    sevClass: sevClass, badge: badge, fragment: fragment, setFragment: setFragment, debounce: debounce,
    Table: Table, printOpens: printOpens, plural: plural };
})();

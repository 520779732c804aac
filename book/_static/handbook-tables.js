// NHS performance handbook: a table of more than 15 rows becomes sortable, searchable and paged.
// Without JavaScript the whole table shows; its CSV download always has every row.
// Sorting: a button in each column heading (aria-sort on the heading says the order), or, on a
// narrow screen where the rows stack as cards and the headings are hidden, the "Sort by" box.
// Searching keeps the rows that hold every word typed. Paging: "Rows per page" (or all of them)
// and Previous / Next. Each change is announced in words by a status line.
(function () {
  "use strict";
  var LONGER_THAN = 15;  // rows; shorter tables show whole
  var SIZES = [5, 10, 25, 50, 100, 0];  // 0: all the rows; 10 at first, 5 on a narrow screen (a row is a card)
  var NARROW = "(max-width: 44rem)";  // the width below which handbook.css stacks the rows
  var made = 0;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function number(text) {  // "1,234", "-3.1", "82.0%", "£154m", "3 of 169" -> a number, else NaN
    var match = text.replace(/\u2212/g, "-").replace(/[,£$%]/g, "").match(/^([-+]?\d+(?:\.\d+)?)(?:m| of \d+)?$/);
    return match ? parseFloat(match[1]) : NaN;
  }

  function month(text) {  // "March 2017", "01 March 2017" -> a time, else NaN
    return /^(\d{1,2} )?[A-Z][a-z]+ \d{4}$/.test(text) ? Date.parse(/^\d/.test(text) ? text : "1 " + text) : NaN;
  }

  function columnKind(rows, column) {  // "number", "month" or "text": what every filled cell reads as
    var kinds = { number: true, month: true };
    rows.forEach(function (row) {
      var text = row.texts[column];
      if (text === "") { return; }
      if (isNaN(number(text))) { kinds.number = false; }
      if (isNaN(month(text))) { kinds.month = false; }
    });
    return kinds.number ? "number" : kinds.month ? "month" : "text";
  }

  function enhance(table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length <= LONGER_THAN || !table.tHead) { return; }
    var region = table.closest(".handbook-table-scroll") || table;
    var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var names = headings.map(function (th) { return th.textContent.trim(); });
    var rows = Array.prototype.slice.call(body.rows).map(function (tr, place) {
      var texts = Array.prototype.map.call(tr.cells, function (td) { return td.textContent.trim(); });
      return { tr: tr, place: place, texts: texts, search: texts.join(" ").toLowerCase() };
    });
    var kinds = names.map(function (_, column) { return columnKind(rows, column); });
    var id = "handbook-table-" + (++made);
    var what = region.getAttribute("aria-label") || "the table";
    var state = { words: [], column: -1, descending: false, page: 0, size: window.matchMedia(NARROW).matches ? 5 : 10 };

    var controls = element("div", { "class": "handbook-table-controls", role: "group",
                                     "aria-label": "Search, sort and pages: " + what });
    var search = element("input", { type: "search", id: id + "-search", autocomplete: "off" });
    var searchBox = element("div", { "class": "handbook-table-control" });
    searchBox.append(element("label", { "for": id + "-search" }, "Search the table"), search);
    var sortBy = element("select", { id: id + "-sort" });
    sortBy.append(element("option", { value: "" }, "as published"));
    names.forEach(function (name, column) {
      sortBy.append(element("option", { value: column + ":a" }, name + ", " + (kinds[column] === "text" ? "A to Z" : "lowest first")));
      sortBy.append(element("option", { value: column + ":d" }, name + ", " + (kinds[column] === "text" ? "Z to A" : "highest first")));
    });
    var sortBox = element("div", { "class": "handbook-table-control handbook-table-sort-narrow" });
    sortBox.append(element("label", { "for": id + "-sort" }, "Sort by"), sortBy);
    var size = element("select", { id: id + "-size" });
    SIZES.forEach(function (n) { size.append(element("option", { value: String(n) }, n ? String(n) : "all")); });
    size.value = String(state.size);
    var sizeBox = element("div", { "class": "handbook-table-control" });
    sizeBox.append(element("label", { "for": id + "-size" }, "Rows per page"), size);
    controls.append(searchBox, sortBox, sizeBox);
    var status = element("p", { "class": "handbook-table-status", role: "status", id: id + "-status" });
    var pager = element("nav", { "class": "handbook-table-pager", "aria-label": "Pages of " + what });
    var previous = element("button", { type: "button", "class": "handbook-table-page" }, "Previous page");
    var where = element("span", { "class": "handbook-table-where" });
    var next = element("button", { type: "button", "class": "handbook-table-page" }, "Next page");
    pager.append(previous, where, next);
    region.parentNode.insertBefore(controls, region);
    region.parentNode.insertBefore(status, region);
    var hint = region.nextElementSibling;
    var after = hint && hint.classList.contains("handbook-scroll-hint") ? hint : region;
    after.parentNode.insertBefore(pager, after.nextSibling);

    var buttons = headings.map(function (th, column) {
      var button = element("button", { type: "button", "class": "handbook-sort" });
      while (th.firstChild) { button.appendChild(th.firstChild); }
      button.append(element("span", { "class": "handbook-sort-mark", "aria-hidden": "true" }));
      button.addEventListener("click", function () {
        var descending = state.column === column ? !state.descending : false;
        sortOn(column, descending);
      });
      th.appendChild(button);
      return button;
    });

    function sortOn(column, descending) {
      state.column = column;
      state.descending = descending;
      state.page = 0;
      render();
    }

    function compare(a, b) {
      var x = a.texts[state.column] || "", y = b.texts[state.column] || "";
      if (x === "" || y === "") { return x === y ? a.place - b.place : x === "" ? 1 : -1; }  // blanks last
      var kind = kinds[state.column], order;
      if (kind === "number") { order = number(x) - number(y); }
      else if (kind === "month") { order = month(x) - month(y); }
      else { order = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" }); }
      return (state.descending ? -order : order) || a.place - b.place;
    }

    function render() {
      var ordered = state.column < 0 ? rows.slice() : rows.slice().sort(compare);
      ordered.forEach(function (row) { body.appendChild(row.tr); });
      var kept = ordered.filter(function (row) {
        return state.words.every(function (word) { return row.search.indexOf(word) !== -1; });
      });
      var pages = state.size ? Math.max(1, Math.ceil(kept.length / state.size)) : 1;
      state.page = Math.min(state.page, pages - 1);
      var first = state.size ? state.page * state.size : 0;
      var shown = state.size ? kept.slice(first, first + state.size) : kept;
      rows.forEach(function (row) { row.tr.hidden = true; });
      shown.forEach(function (row) { row.tr.hidden = false; });
      headings.forEach(function (th, column) {
        if (column === state.column) { th.setAttribute("aria-sort", state.descending ? "descending" : "ascending"); }
        else { th.removeAttribute("aria-sort"); }
        buttons[column].lastChild.textContent = column === state.column ? (state.descending ? " \u25BC" : " \u25B2") : "";
      });
      sortBy.value = state.column < 0 ? "" : state.column + (state.descending ? ":d" : ":a");
      var total = rows.length.toLocaleString("en-GB");
      var matching = state.words.length ? kept.length.toLocaleString("en-GB") + " of " + total +
        " rows match \u201C" + search.value.trim() + "\u201D" : total + " rows";
      var range = shown.length ? (shown.length === kept.length && !state.words.length ? "all shown" :
        "rows " + (first + 1).toLocaleString("en-GB") + " to " + (first + shown.length).toLocaleString("en-GB") + " shown") : "none shown";
      var order = state.column < 0 ? "" : "; sorted by " + names[state.column] + ", " +
        (kinds[state.column] === "text" ? (state.descending ? "Z to A" : "A to Z") : (state.descending ? "highest first" : "lowest first"));
      status.textContent = (kept.length || !state.words.length ? matching + ": " + range : "No row matches \u201C" + search.value.trim() + "\u201D") + order + ".";
      where.textContent = "Page " + (state.page + 1) + " of " + pages;
      previous.setAttribute("aria-disabled", String(state.page === 0));
      next.setAttribute("aria-disabled", String(state.page >= pages - 1));
      pager.hidden = pages === 1;
    }

    search.addEventListener("input", function () {
      state.words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      state.page = 0;
      render();
    });
    sortBy.addEventListener("change", function () {
      if (!sortBy.value) { state.column = -1; state.page = 0; render(); return; }
      var parts = sortBy.value.split(":");
      sortOn(parseInt(parts[0], 10), parts[1] === "d");
    });
    size.addEventListener("change", function () {
      state.size = parseInt(size.value, 10);
      state.page = 0;
      render();
    });
    previous.addEventListener("click", function () {
      if (state.page > 0) { state.page -= 1; render(); }
    });
    next.addEventListener("click", function () {
      if (next.getAttribute("aria-disabled") !== "true") {
        state.page += 1;
        render();
      }
    });
    // On a narrow screen the headings are hidden (the rows stack): their buttons leave the tab order.
    var narrow = window.matchMedia(NARROW);
    function follow() { buttons.forEach(function (b) { b.tabIndex = narrow.matches ? -1 : 0; }); }
    if (narrow.addEventListener) { narrow.addEventListener("change", follow); }
    follow();
    table.classList.add("handbook-table-interactive");
    render();
  }

  function start() {
    document.querySelectorAll("table.handbook-table").forEach(enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

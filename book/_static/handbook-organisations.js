// NHS performance handbook: the organisations page's search box (a combobox with a list of matches).
// Type part of a provider's name or ODS code; Down and Up move through the matches, Enter chooses,
// Escape closes the list. The chosen provider's results (a <template> the page holds for each
// provider) are shown under the box and the address ends #org-CODE, so it can be shared. Without
// JavaScript the page's table of every provider is the page. Works from file:// (no requests).
(function () {
  "use strict";
  var MOST = 20;  // matches listed at once

  function start() {
    var input = document.getElementById("handbook-org-input");
    var list = document.getElementById("handbook-org-list");
    var detail = document.getElementById("handbook-org-detail");
    var status = document.getElementById("handbook-org-status");
    var data = document.getElementById("handbook-org-index");
    if (!input || !list || !detail || !data) { return; }
    var index = JSON.parse(data.textContent).map(function (pair) {
      return { code: pair[0], name: pair[1], text: (pair[0] + " " + pair[1]).toLowerCase() };
    });
    var shown = [];
    var active = -1;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(place) {
      active = place;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === place ? "true" : "false");
      });
      if (place >= 0) {
        input.setAttribute("aria-activedescendant", list.children[place].id);
        list.children[place].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function search() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!words.length) { close(); status.textContent = ""; return; }
      var found = index.filter(function (p) { return words.every(function (w) { return p.text.indexOf(w) >= 0; }); });
      shown = found.slice(0, MOST);
      shown.forEach(function (p, i) {
        var li = document.createElement("li");
        li.id = "handbook-org-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = p.name.indexOf(p.code) === 0 ? p.name : p.name + " (" + p.code + ")";
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(p); });
        list.appendChild(li);
      });
      list.hidden = !shown.length;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      status.textContent = found.length ? found.length + (found.length === 1 ? " provider matches" : " providers match")
        + (found.length > MOST ? "; the first " + MOST + " are listed" : "") : "No provider matches";
    }

    function show(code, focus) {
      var template = document.getElementById("handbook-org-" + code);
      if (!template) { return false; }
      detail.textContent = "";
      detail.appendChild(template.content.cloneNode(true));
      var heading = detail.querySelector("h2");
      if (focus && heading) { heading.focus(); }
      return true;
    }

    function choose(p) {
      input.value = p.name.indexOf(p.code) === 0 ? p.name : p.name + " (" + p.code + ")";
      close();
      if (show(p.code, true)) {
        status.textContent = "Showing " + input.value;
        if (window.history && history.replaceState) { history.replaceState(null, "", "#org-" + p.code); }
      }
    }

    input.addEventListener("input", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "Down") {
        if (list.hidden) { search(); }
        if (shown.length) { mark(Math.min(active + 1, shown.length - 1)); }
        event.preventDefault();
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (shown.length) { mark(Math.max(active - 1, 0)); }
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (!list.hidden && shown.length) {
          choose(shown[active >= 0 ? active : 0]);
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });

    function fromAddress() {
      var match = /^#org-(.+)$/.exec(decodeURIComponent(window.location.hash));
      if (match) {
        var p = index.filter(function (q) { return q.code === match[1]; })[0];
        if (p) { input.value = p.name; show(p.code, false); }
      }
    }
    window.addEventListener("hashchange", function () { fromAddress(); var h = detail.querySelector("h2"); if (h) { h.focus(); } });
    fromAddress();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

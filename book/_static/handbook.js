// NHS performance handbook: a table still wider than its column says so, under the table.
(function () {
  function mark() {
    document.querySelectorAll(".handbook-table-scroll").forEach(function (region) {
      var hint = region.nextElementSibling;
      if (!hint || !hint.classList.contains("handbook-scroll-hint")) { return; }
      hint.hidden = region.scrollWidth <= region.clientWidth + 1;
    });
  }
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();

// The bibliography's entries carry the deprecated role doc-biblioentry inside a role="list";
// as list items they are announced, and the list is valid, in every screen reader.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('.citation-list [role="doc-biblioentry"]').forEach(function (entry) {
    entry.setAttribute("role", "listitem");
  });
});

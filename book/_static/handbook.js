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

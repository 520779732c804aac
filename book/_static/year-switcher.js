/* The year switcher: a select at the top of every page listing the built editions.
 * Choosing a year opens the same page in that year's edition. The page's edition comes from
 * handbook-edition.js, the list of editions from handbook-editions.js (both beside this file),
 * loaded as a script so it works from files as well as over http. */
(function () {
  "use strict";
  var here = window.handbookEdition;
  var script = document.currentScript;
  if (!here || !script) { return; }
  var editionRoot = new URL("../", script.src).href;
  var depth = here.path.split("/").filter(Boolean).length;
  var siteRoot = new URL(new Array(depth + 1).join("../"), editionRoot).href;

  function draw() {
    var editions = window.handbookEditions || [];
    if (editions.length < 2 || document.getElementById("handbook-edition")) { return; }
    var page = window.location.href.split("#")[0].slice(editionRoot.length) || "index.html";
    var box = document.createElement("div");
    box.className = "handbook-edition-switcher";
    var label = document.createElement("label");
    label.htmlFor = "handbook-edition";
    label.textContent = "Edition (financial year): ";
    var select = document.createElement("select");
    select.id = "handbook-edition";
    editions.forEach(function (edition) {
      var option = document.createElement("option");
      option.value = siteRoot + edition.path + page;
      option.textContent = edition.label;
      option.selected = edition.period === here.period;
      select.appendChild(option);
    });
    select.addEventListener("change", function () { window.location.href = select.value; });
    box.appendChild(label);
    box.appendChild(select);
    var article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
    article.insertBefore(box, article.firstChild);
  }

  var list = document.createElement("script");
  list.src = new URL("handbook-editions.js", script.src).href;
  list.onload = function () {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
  };
  document.head.appendChild(list);
})();

(function () {
  "use strict";
  var sections = Array.prototype.slice.call(document.querySelectorAll("details.section"));
  function setAll(open) { sections.forEach(function (section) { section.open = open; }); }
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }

  var input = document.getElementById("route-filter");
  if (!input) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#route-table tbody tr.route"));
  var counter = document.getElementById("route-count");
  var empty = document.getElementById("route-empty");
  var total = rows.length;

  function plural(n) { return n === 1 ? "route" : "routes"; }
  function applyFilter() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var match = terms.every(function (term) { return text.indexOf(term) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    counter.textContent = terms.length ? shown + " of " + total + " " + plural(total) : total + " " + plural(total);
    empty.hidden = shown !== 0;
  }
  input.addEventListener("input", applyFilter);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; applyFilter(); input.blur(); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      var section = input.closest("details");
      if (section) { section.open = true; }
      input.focus();
    }
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; applyFilter(); }
})();

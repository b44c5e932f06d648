"""The meta page's stylesheet and script, served inline (no external assets).

The page sends a Content-Security-Policy that lets only this script run (by
nonce), so HTML from a peripheral cannot run script of its own.
"""

from __future__ import annotations

__all__ = ["PAGE_CSS", "PAGE_JS"]

PAGE_CSS = """
:root {
  --bg: #f6f7f9; --panel: #ffffff; --ink: #1d2330; --muted: #6b7385; --line: #e2e5eb;
  --accent: #3559c7; --accent-soft: #e8eefc; --zebra: #fafbfc; --code: #f1f3f6;
  --ok: #1f7a44; --bad: #b42318; --bad-soft: #fdecea; --warn-soft: #fff4e0;
  --get: #1f7a44; --post: #2454c5; --put: #9a5b00; --patch: #7a4fbf; --delete: #b42318; --other: #56607a;
  --src-builtin: #eef0f4; --src-url: #ece6fb; --src-resources: #e0f3ef; --src-middleware: #fdf0d9; --src-default: #f4f4f4;
  --radius: 10px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: var(--ink); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12151b; --panel: #1a1e26; --ink: #e4e7ee; --muted: #9098aa; --line: #2c323e;
    --accent: #8aa7ff; --accent-soft: #232c45; --zebra: #1d222b; --code: #242a35;
    --ok: #5fcf8a; --bad: #ff8a80; --bad-soft: #3a1f1f; --warn-soft: #3a3020;
    --get: #5fcf8a; --post: #8aa7ff; --put: #f0b05a; --patch: #c3a2ff; --delete: #ff8a80; --other: #a3abbd;
    --src-builtin: #2a303b; --src-url: #352c4d; --src-resources: #1f3a35; --src-middleware: #433519; --src-default: #2b2b2b;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
code, .pattern, .clip { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
code { background: var(--code); border-radius: 4px; padding: 0.05em 0.35em; }
a { color: var(--accent); }
.muted { color: var(--muted); }
header.top {
  position: sticky; top: 0; z-index: 5; display: flex; align-items: center; justify-content: space-between;
  gap: 1rem; padding: 0.7rem 1.5rem; background: var(--panel); border-bottom: 1px solid var(--line);
}
.brand { display: flex; align-items: baseline; gap: 0.6rem; }
.brand h1 { font-size: 1.25rem; margin: 0; }
.brand .sub { color: var(--muted); }
.logo { color: var(--accent); font-size: 1.1rem; }
.actions { display: flex; gap: 0.5rem; align-items: center; }
.actions a, .actions button {
  font: inherit; font-size: 0.9rem; color: var(--ink); background: var(--panel); border: 1px solid var(--line);
  border-radius: 6px; padding: 0.25rem 0.7rem; text-decoration: none; cursor: pointer;
}
.actions a:hover, .actions button:hover { border-color: var(--accent); color: var(--accent); }
main { max-width: 1400px; margin: 0 auto; padding: 1.2rem 1.5rem 2rem; }
.glance { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 0.7rem; margin: 0 0 1rem; padding: 0; }
.glance div { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 0.6rem 0.8rem; }
.glance dt { color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; }
.glance dd { margin: 0.15rem 0 0; font-size: 1.15rem; font-weight: 600; overflow-wrap: anywhere; }
nav.toc { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0 0 1rem; }
nav.toc a { font-size: 0.85rem; text-decoration: none; background: var(--accent-soft); border-radius: 999px; padding: 0.15rem 0.7rem; }
nav.toc a.failed { background: var(--bad-soft); color: var(--bad); }
.banner { background: var(--bad-soft); color: var(--bad); border-radius: var(--radius); padding: 0.6rem 0.9rem; margin: 0 0 1rem; }
details.section { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); margin: 0 0 0.9rem; }
details.section > summary {
  list-style: none; cursor: pointer; display: flex; align-items: center; gap: 0.6rem; padding: 0.65rem 1rem; user-select: none;
}
details.section > summary::-webkit-details-marker { display: none; }
details.section > summary::before { content: "▸"; color: var(--muted); transition: transform 0.15s; display: inline-block; }
details.section[open] > summary::before { transform: rotate(90deg); }
details.section > summary h2 { font-size: 1.05rem; margin: 0; }
details.section[open] > summary { border-bottom: 1px solid var(--line); }
.group { color: var(--muted); font-size: 0.78rem; font-family: ui-monospace, monospace; }
.badge { font-size: 0.75rem; border-radius: 999px; padding: 0.05rem 0.55rem; }
.badge.error { background: var(--bad-soft); color: var(--bad); font-weight: 600; }
.section-body { padding: 0.8rem 1rem 1rem; overflow-x: auto; }
.section-body h3 { font-size: 0.95rem; margin: 1rem 0 0.4rem; }
.failed .error-msg code { background: var(--bad-soft); color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
table.kv th { text-align: left; font-weight: 500; color: var(--muted); width: 16rem; vertical-align: top; padding: 0.3rem 0.8rem 0.3rem 0; }
table.kv td { padding: 0.3rem 0; vertical-align: top; overflow-wrap: anywhere; }
table.kv table.kv th { width: 10rem; }
table.kv tr + tr > * { border-top: 1px solid var(--line); }
.table-wrap { overflow-x: auto; }
table.grid th { text-align: left; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted);
  font-weight: 600; padding: 0.45rem 0.6rem; border-bottom: 2px solid var(--line); white-space: nowrap; }
table.grid td { padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.grid tbody th { text-transform: none; letter-spacing: normal; font-size: inherit; font-weight: 500; color: var(--ink);
  border-bottom: 1px solid var(--line); white-space: normal; vertical-align: top; }
table.grid tbody tr:nth-child(even) { background: var(--zebra); }
table.grid tbody tr:hover { background: var(--accent-soft); }
td.idx { color: var(--muted); font-variant-numeric: tabular-nums; width: 2.5rem; }
td.type { color: var(--muted); font-family: ui-monospace, monospace; font-size: 0.85em; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.8rem; margin: 0 0 0.7rem; }
input.search {
  flex: 1 1 22rem; min-width: 14rem; font: inherit; padding: 0.45rem 0.7rem; border-radius: 8px;
  border: 1px solid var(--line); background: var(--bg); color: var(--ink);
}
input.search:focus { outline: 2px solid var(--accent); outline-offset: 0; border-color: transparent; }
.count { color: var(--muted); font-variant-numeric: tabular-nums; }
.legend { color: var(--muted); font-size: 0.85rem; }
.method { display: inline-block; font-size: 0.72rem; font-weight: 700; letter-spacing: 0.03em; border-radius: 4px;
  padding: 0.05rem 0.4rem; margin: 0 0.2rem 0.2rem 0; color: #fff; background: var(--other); }
.m-get { background: var(--get); } .m-post { background: var(--post); } .m-put { background: var(--put); }
.m-patch { background: var(--patch); } .m-delete { background: var(--delete); }
@media (prefers-color-scheme: dark) { .method { color: #12151b; } }
.pattern { background: none; padding: 0; font-size: 0.95em; }
.pattern .binding { color: var(--accent); font-weight: 600; }
.route-name { color: var(--muted); font-size: 0.8rem; margin-top: 0.15rem; }
.callable .module { color: var(--muted); }
.module { color: var(--muted); font-size: 0.82rem; }
.render-arg { font-size: 0.82rem; color: var(--muted); margin-top: 0.15rem; }
.arg { display: inline-block; font-family: ui-monospace, monospace; font-size: 0.8rem; border-radius: 4px;
  padding: 0.02rem 0.4rem; margin: 0 0.25rem 0.25rem 0; border: 1px solid var(--line); background: var(--src-default); }
.src-builtin { background: var(--src-builtin); } .src-url { background: var(--src-url); }
.src-resources { background: var(--src-resources); } .src-middleware { background: var(--src-middleware); }
.src-default { background: var(--src-default); font-style: italic; } .src-unknown { border-style: dashed; }
.tag { display: inline-block; font-size: 0.8rem; border-radius: 4px; padding: 0.02rem 0.4rem; margin: 0 0.25rem 0.25rem 0; background: var(--code); }
tr.meta-route { opacity: 0.65; }
tr.empty td { text-align: center; color: var(--muted); padding: 1rem; }
.clip { white-space: pre-wrap; overflow-wrap: anywhere; }
.redacted { font-size: 0.78rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; color: var(--bad);
  background: var(--bad-soft); border-radius: 4px; padding: 0.05rem 0.45rem; }
ul.values { margin: 0; padding-left: 1.1rem; }
ul.values li { overflow-wrap: anywhere; }
.yes { color: var(--ok); } .no { color: var(--muted); }
footer { max-width: 1400px; margin: 0 auto; padding: 0 1.5rem 2rem; color: var(--muted); font-size: 0.85rem; }
kbd { font-family: ui-monospace, monospace; font-size: 0.8em; border: 1px solid var(--line); border-radius: 4px; padding: 0 0.3rem; }
"""

PAGE_JS = """
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
    var terms = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
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
"""

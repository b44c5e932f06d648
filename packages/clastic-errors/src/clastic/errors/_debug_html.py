"""The debug error page in HTML: one self-contained document, no scripts, no external assets.

Framework frames are hidden with CSS and shown by a checkbox, so the page
works with JavaScript disabled and under strict Content-Security-Policies
that allow inline styles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

__all__ = ["render_html"]

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f4f5f7}
header{padding:22px 32px;color:#fff;background:#9b1c1c}
header.client{background:#8a5a00}
header h1{margin:0 0 4px;font-size:24px;font-weight:600;word-break:break-word}
header p{margin:2px 0;opacity:.92;word-break:break-word}
header a{color:#fff}
main{padding:8px 32px 40px}
section.block{margin:22px 0;padding:16px 20px;background:#fff;border:1px solid #dde1e7;border-radius:6px}
h2{margin:0 0 12px;font-size:17px}
h3{margin:0;font-size:14px;font-weight:600}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{margin:0;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #eceef2}
th{width:22%;font-weight:600;color:#4b5565;word-break:break-all}
td{word-break:break-all}
.muted{color:#6b7383}
p.muted{margin:2px 0 6px}
table.routes th{width:auto}
.toggle-row{margin:0 0 10px}
.frame{margin:10px 0;border:1px solid #dde1e7;border-radius:5px;overflow:hidden}
.frame .where{padding:8px 12px;background:#f0f2f5}
.frame.internal .where{background:#f7f7f9;color:#6b7383}
.frame.is-hidden{display:none}
#show-internal:checked~#frames .frame.is-hidden{display:block}
.badge{display:inline-block;margin-left:6px;padding:0 6px;border-radius:8px;font-size:11px;
  background:#e3e6eb;color:#4b5565}
ol.source{margin:0;padding:6px 0 6px 64px;background:#fbfbfc;list-style:decimal}
ol.source li{white-space:pre-wrap;word-break:break-all;padding-left:8px;color:#3b4252;
  font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
ol.source li.current{background:#fde8e8;color:#7a1010;font-weight:600}
details.locals{padding:6px 12px 10px}
details summary{cursor:pointer;color:#3a4a66}
tr.matched td{background:#fff6dc}
.exc-value{font-size:17px}
"""


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _link(url: Any, label: Any = None) -> str:
    """Link only http(s) URLs; anything else is shown as text (no javascript: hrefs)."""
    text = escape(_text(label if label is not None else url))
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return f'<a href="{escape(url)}">{text}</a>'
    return text


def _table(mapping: Mapping[str, Any], empty: str = "none") -> str:
    if not mapping:
        return f'<p class="muted">{escape(empty)}</p>'
    rows = "".join(
        f'<tr><th class="mono">{escape(str(key))}</th><td class="mono">{escape(_text(value))}</td></tr>'
        for key, value in mapping.items()
    )
    return f"<table>{rows}</table>"


def _source(frame: Mapping[str, Any]) -> str:
    lines = [*frame["pre_lines"], frame["line"], *frame["post_lines"]]
    if not any(line.strip() for line in lines):
        return '<p class="muted" style="padding:6px 12px;margin:0">source not available</p>'
    start = frame["lineno"] - len(frame["pre_lines"])
    items = []
    for number, line in enumerate(lines, start):
        current = ' class="current"' if number == frame["lineno"] else ""
        items.append(f"<li{current}>{escape(line) or '&nbsp;'}</li>")
    return f'<ol class="source" start="{start}">{"".join(items)}</ol>'


def _frame(frame: Mapping[str, Any], is_last: bool) -> str:
    classes = ["frame"]
    if frame["internal"]:
        classes.append("internal")
    if frame["hidden"]:
        classes.append("is-hidden")
    badge = '<span class="badge">framework</span>' if frame["internal"] else ""
    where = (
        f'<div class="where"><h3><code>{escape(frame["func_name"])}</code>{badge}</h3>'
        f'<span class="mono muted">{escape(frame["module_path"])}, line {frame["lineno"]}</span></div>'
    )
    count = len(frame["locals"])
    opened = " open" if is_last else ""
    local_vars = (
        f'<details class="locals"{opened}><summary>Local variables ({count})</summary>'
        f'{_table(frame["locals"])}</details>'
    )
    return f'<div class="{" ".join(classes)}">{where}{_source(frame)}{local_vars}</div>'


def _traceback(report: Mapping[str, Any]) -> str:
    frames = report["exc_tb"]["frames"]
    hidden = report.get("hidden_count", 0)
    visible = [frame for frame in frames if not frame["hidden"]]
    last_visible = visible[-1] if visible else None
    toggle = ""
    if hidden:
        plural = "s" if hidden != 1 else ""
        toggle = (
            '<input type="checkbox" id="show-internal">'
            f'<label class="toggle-row" for="show-internal"> Show {hidden} framework frame{plural} '
            "(Clastic's dispatch and generated call chains)</label>"
        )
    rendered = "".join(_frame(frame, frame is last_visible) for frame in frames)
    raw = f"<details><summary>Plain-text traceback</summary><pre>{escape(report['exc_tb_str'])}</pre></details>"
    return (
        '<section class="block" id="traceback"><h2>Traceback <span class="muted">(most recent call last)</span></h2>'
        f'{toggle}<div id="frames">{rendered}</div>{raw}</section>'
    )


def _routes(report: Mapping[str, Any], request: Mapping[str, Any]) -> str:
    routes = report["routes"]
    path = escape(_text(request.get("path")))
    if not routes:
        body = '<p class="muted">The application has no routes.</p>'
    else:
        rows = []
        for number, route in enumerate(routes, 1):
            methods = ", ".join(route["methods"]) if route["methods"] else '<span class="muted">any</span>'
            matched = ' class="matched"' if route.get("matched_path") else ""
            note = ' <span class="badge">path matched</span>' if route.get("matched_path") else ""
            rows.append(
                f"<tr{matched}><td>{number}</td><td>{methods}</td>"
                f'<td class="mono">{escape(route["pattern"])}{note}</td>'
                f'<td class="mono">{escape(route["endpoint"])}</td></tr>'
            )
        body = (
            '<table class="routes"><tr><th>#</th><th>Methods</th><th>Pattern</th><th>Endpoint</th></tr>'
            f"{''.join(rows)}</table>"
        )
    return (
        f'<section class="block" id="routes"><h2>Routes, in the order they were tried</h2>'
        f"<p>Clastic tried these for <code>{escape(_text(request.get('method')))} {path}</code>; "
        f"the first route whose pattern and method match answers.</p>{body}</section>"
    )


def _request(request: Mapping[str, Any]) -> str:
    summary = {
        "Method": request.get("method"),
        "URL": request.get("full_url"),
        "Path": request.get("path"),
        "Client": request.get("remote_addr"),
    }
    files = {
        field: ", ".join(f"{entry['filename']} ({entry['content_type']})" for entry in entries)
        for field, entries in (request.get("files") or {}).items()
    }
    parts = [
        '<section class="block" id="request"><h2>Request</h2>',
        _table(summary),
        "<h3>Query parameters</h3>",
        _table(request.get("url_params") or {}),
        "<h3>Form</h3>",
        _table(request.get("form") or {}, request.get("form_error") or "none"),
        "<h3>Files</h3>",
        _table(files),
        "<h3>Cookies</h3>",
        _table(request.get("cookies") or {}),
        "<h3>Headers</h3>",
        _table(request.get("headers") or {}),
        "</section>",
    ]
    return "".join(parts).replace("<h3>", '<h3 style="margin:14px 0 4px">')


def _problem_types(problem_types: Iterable[Mapping[str, Any]]) -> str:
    items = []
    for problem in problem_types:
        members = (
            f' <span class="muted">members: {escape(", ".join(problem["members"]))}</span>'
            if problem["members"]
            else ""
        )
        doc = f'<br><span class="muted">{escape(problem["doc"])}</span>' if problem.get("doc") else ""
        items.append(
            f"<li><strong>{problem['status']}</strong> {_link(problem['type'], problem['title'])} "
            f'<span class="mono muted">{escape(problem["type"])}</span>{members}{doc}</li>'
        )
    if not items:
        return ""
    return (
        '<section class="block" id="problem-types"><h2>Problem types this application declares</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def _environment(report: Mapping[str, Any]) -> str:
    python = report.get("python")
    if not python:
        return ""
    rows = {
        "Clastic": report.get("clastic_version"),
        "Python": python.get("version"),
        "Executable": python.get("executable"),
        "Server time": report.get("server_time"),
        "Server time (UTC)": report.get("server_time_utc"),
    }
    path = escape("\n".join(python.get("path") or []))
    return (
        f'<section class="block" id="environment"><h2>Environment</h2>{_table(rows)}'
        f"<details><summary>sys.path</summary><pre>{path}</pre></details></section>"
    )


def render_html(report: Mapping[str, Any]) -> str:
    """Return the debug page for *report* as a complete HTML document."""
    request = report.get("req") or report.get("request") or {}
    code = report["code"]
    asked = f"{escape(_text(request.get('method')))} {escape(_text(request.get('path')))}"
    is_exception = "exc_type" in report
    if is_exception:
        heading = escape(report["exc_type"])
        lead = f'<p class="exc-value mono">{escape(_text(report["exc_value"]))}</p>'
    elif code == 404:
        heading = "Page not found"
        lead = f"<p>No route answers <code>{asked}</code>.</p>"
    else:
        heading = escape(f"{code} {report['message']}")
        lead = f"<p>{escape(_text(report['detail']))}</p>"
    facts = [f"{code} {escape(report['message'])} &middot; {asked}"]
    if report.get("route"):
        facts.append(f"route <code>{escape(report['route'])}</code>")
    if report.get("error_type"):
        facts.append(f"error type {_link(report['error_type'])}")
    header_class = "client" if 400 <= code < 500 else "server"
    sections = [
        f'<header class="{header_class}"><h1>{heading}</h1>{lead}<p>{" &middot; ".join(facts)}</p></header><main>',
    ]
    if is_exception:
        sections.append(_traceback(report))
    elif report.get("detail") and code == 404:
        sections.append(
            f'<section class="block" id="detail"><h2>Detail</h2><p>{escape(_text(report["detail"]))}</p></section>'
        )
    if "routes" in report:
        sections.append(_routes(report, request))
    sections.append(_request(request))
    sections.append(_problem_types(report.get("problem_types") or ()))
    sections.append(_environment(report))
    sections.append("</main>")
    title = escape(f"{code} {report['message']}: {report.get('exc_type') or request.get('path') or ''}")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>{''.join(sections)}</body></html>\n"
    )

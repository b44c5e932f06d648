"""Render a debug report as JSON, problem+json, plain text or XML (HTML is in ``_debug_html``).

A *report* is the JSON-ready dict built by the contextual error handler:
the error's ``code, message, detail, error_type``, then either the
exception keys (``exc_type``, ``exc_tb``... and ``req``) or the request
(``request``) and, for routing errors, ``routes``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from clastic.errors import CONTENT_TYPES
from clastic.errors._debug_html import render_html
from clastic.errors._debug_report import json_ready

__all__ = ["render_debug", "render_text", "render_xml"]

_BASE_KEYS = ("code", "message", "detail", "error_type")
_PROBLEM_RESERVED = frozenset({"type", "title", "status", "detail", "instance"})


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=repr) + "\n"


def render_problem(report: Mapping[str, Any], problem: Mapping[str, Any]) -> dict[str, Any]:
    """Merge *report*'s debug members into the RFC 9457 object *problem* (standard members win)."""
    merged = {
        key: value
        for key, value in json_ready(report).items()
        if key not in _BASE_KEYS and key not in _PROBLEM_RESERVED
    }
    merged.update(problem)
    return merged


# -- text ---------------------------------------------------------------------


def _text_mapping(title: str, mapping: Mapping[str, Any], indent: str = "  ") -> list[str]:
    if not mapping:
        return [f"{title}: (none)"]
    lines = [f"{title}:"]
    for key, value in mapping.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"{indent}{key}: {shown}")
    return lines


def _text_frames(report: Mapping[str, Any]) -> list[str]:
    frames = report["exc_tb"]["frames"]
    hidden = report.get("hidden_count", 0)
    note = f"; {hidden} framework frame{'s' if hidden != 1 else ''} hidden" if hidden else ""
    lines = [f"Traceback (most recent call last{note}):"]
    for frame in frames:
        if frame["hidden"]:
            continue
        lines.append(f'  File "{frame["module_path"]}", line {frame["lineno"]}, in {frame["func_name"]}')
        if frame["line"].strip():
            lines.append(f"    {frame['line'].strip()}")
        for name, value in frame["locals"].items():
            lines.append(f"      {name} = {value}")
    lines.append(f"{report['exc_type']}: {report['exc_value']}")
    return lines


def render_text(report: Mapping[str, Any]) -> str:
    """Return the plain-text debug page."""
    request = report.get("req") or report.get("request") or {}
    lines = [f"{report['code']} - {report['message']}", ""]
    if "exc_type" in report:
        lines += [f"{report['exc_type']}: {report['exc_value']}", ""]
    else:
        lines += [str(report["detail"]), ""]
    where = f"{request.get('method', '?')} {request.get('full_url', request.get('path', '?'))}"
    route = f" (route {report['route']!r})" if report.get("route") else ""
    lines += [f"Request: {where}{route}", ""]
    if report.get("error_type"):
        lines += [f"Error type: {report['error_type']}", ""]
    if "exc_tb" in report:
        lines += [*_text_frames(report), ""]
    if "routes" in report:
        lines.append(f"Routes, in dispatch order (path asked for: {request.get('path')}):")
        for number, route_info in enumerate(report["routes"], 1):
            methods = ", ".join(route_info["methods"]) if route_info["methods"] else "any method"
            mark = "  <- path matched" if route_info.get("matched_path") else ""
            lines.append(f"  {number:>3}. {route_info['pattern']}  [{methods}]  {route_info['endpoint']}{mark}")
        if not report["routes"]:
            lines.append("  (the application has no routes)")
        lines.append("")
    for title, key in (
        ("Query parameters", "url_params"),
        ("Form", "form"),
        ("Cookies", "cookies"),
        ("Headers", "headers"),
    ):
        if key in request:
            lines += [*_text_mapping(title, request[key]), ""]
    if request.get("files"):
        files = {
            field: ", ".join(f"{f['filename']} ({f['content_type']})" for f in entries)
            for field, entries in request["files"].items()
        }
        lines += [*_text_mapping("Files", files), ""]
    if report.get("problem_types"):
        lines.append("Problem types:")
        lines += [f"  {p['status']} {p['type']}  {p['title']}" for p in report["problem_types"]]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# -- XML ----------------------------------------------------------------------

_INVALID_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Mappings whose keys are data (variable names, header names), not structure.
_FREE_MAPPINGS = frozenset({"locals", "headers", "cookies", "url_params", "form", "files", "python"})
_SINGULAR = {
    "frames": "frame",
    "routes": "route",
    "problem_types": "problem_type",
    "pre_lines": "line",
    "post_lines": "line",
    "members": "member",
    "methods": "method",
    "path": "entry",
}


def _xml_text(value: Any) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return xml_escape(_INVALID_XML.sub("\ufffd", text))


def _xml_element(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{name}>")
        for key, item in value.items():
            if name in _FREE_MAPPINGS or not _XML_NAME.match(str(key)):
                _xml_entry(str(key), item, out)
            else:
                _xml_element(str(key), item, out)
        out.append(f"</{name}>")
    elif isinstance(value, (list, tuple)):
        child = _SINGULAR.get(name, "item")
        out.append(f"<{name}>")
        for item in value:
            _xml_element(child, item, out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_xml_text(value)}</{name}>")


def _xml_entry(key: str, value: Any, out: list[str]) -> None:
    attr = quoteattr(_INVALID_XML.sub("\ufffd", key))
    if isinstance(value, (Mapping, list, tuple)):
        inner: list[str] = []
        _xml_element("entry", value, inner)
        out.append(inner[0][:-1] + f" name={attr}>")
        out.extend(inner[1:])
    else:
        out.append(f"<entry name={attr}>{_xml_text(value)}</entry>")


def render_xml(report: Mapping[str, Any]) -> str:
    """Return the debug report as ``<http_error>`` XML."""
    out: list[str] = []
    data = json_ready(report)
    ordered = {key: data[key] for key in _BASE_KEYS if key in data}
    ordered.update({key: value for key, value in data.items() if key not in ordered})
    _xml_element("http_error", ordered, out)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + "".join(out) + "\n"


# -- dispatch -----------------------------------------------------------------


def render_debug(report: Mapping[str, Any], mimetype: str, problem: Mapping[str, Any]) -> tuple[str, str]:
    """Return ``(body, content_type)`` for *report* in *mimetype*.

    Args:
        report: The debug report.
        mimetype: One of :data:`clastic.errors.CONTENT_TYPES`' keys; others fall back to text.
        problem: The error's RFC 9457 object (used for problem+json).
    """
    if mimetype == "text/html":
        body = render_html(report)
    elif mimetype == "application/json":
        body = _dumps(json_ready(report))
    elif mimetype == "application/problem+json":
        body = _dumps(render_problem(report, problem))
    elif mimetype == "application/xml":
        body = render_xml(report)
    else:
        mimetype = "text/plain"
        body = render_text(report)
    return body, CONTENT_TYPES[mimetype]

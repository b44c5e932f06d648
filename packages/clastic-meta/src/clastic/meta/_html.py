"""Small HTML builders for the meta page: escaped values, tables, human units.

Every function returns a fragment in which all data is escaped with
:func:`html.escape`, so peripherals can compose them safely.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from boltons.strutils import bytes2human

__all__ = [
    "esc",
    "format_bytes",
    "format_duration",
    "format_seconds",
    "render_mapping",
    "render_records",
    "render_value",
]

#: ``key -> (label, formatter)``: how a mapping's entries are shown.
FieldSpec = Mapping[str, tuple[str, Callable[[Any], str] | None]]


def esc(value: object) -> str:
    """Escape ``str(value)`` for HTML text and attribute values."""
    return escape(str(value), quote=True)


def format_bytes(value: Any) -> str:
    """Show a byte count in binary units: ``format_bytes(47185920) == '45.0M'``."""
    if not isinstance(value, (int, float)):
        return "—"
    return bytes2human(int(value), 1) if value >= 1024 else f"{int(value)}B"


def format_duration(seconds: Any) -> str:
    """Show a duration compactly: ``format_duration(3725) == '1h 02m 05s'``."""
    if not isinstance(seconds, (int, float)):
        return "—"
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{seconds:.1f}s" if isinstance(seconds, float) else f"{secs}s"


def format_seconds(value: Any) -> str:
    """Show CPU seconds: ``format_seconds(1.234) == '1.23 s'``."""
    if not isinstance(value, (int, float)):
        return "—"
    return f"{value:.2f} s"


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def render_value(value: Any, depth: int = 0) -> str:
    """Render any JSON-like value: scalars inline, mappings and lists as tables and lists."""
    if value is None:
        return '<span class="muted">—</span>'
    if isinstance(value, bool):
        return '<span class="yes">yes</span>' if value else '<span class="no">no</span>'
    if isinstance(value, (int, float)):
        return f'<span class="num">{esc(value)}</span>'
    if isinstance(value, str):
        return f'<span class="text">{esc(value)}</span>' if value else '<span class="muted">(empty)</span>'
    if depth >= 4:
        return f'<code class="clip">{esc(repr(value))[:200]}</code>'
    if isinstance(value, Mapping):
        return render_mapping(value, depth=depth + 1) if value else '<span class="muted">(none)</span>'
    if _is_records(value):
        return render_records(value, depth=depth + 1)
    if isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            return '<span class="muted">(none)</span>'
        items = "".join(f"<li>{render_value(item, depth + 1)}</li>" for item in value)
        return f'<ul class="values">{items}</ul>'
    return f"<code>{esc(value)}</code>"


def render_mapping(mapping: Mapping[str, Any], fields: FieldSpec | None = None, depth: int = 0) -> str:
    """Render *mapping* as a two-column key/value table.

    Args:
        mapping: The values to show.
        fields: Optional ``key -> (label, formatter)``; listed keys come first,
            in that order, with their label and formatter; other keys follow.
        depth: Nesting level (limits how deep nested values are expanded).
    """
    fields = fields or {}
    keys = [key for key in fields if key in mapping] + [key for key in mapping if key not in fields]
    rows = []
    for key in keys:
        label, formatter = fields.get(key, (str(key), None))
        value = mapping[key]
        shown = esc(formatter(value)) if formatter is not None and value is not None else render_value(value, depth)
        rows.append(f'<tr><th scope="row" title="{esc(key)}">{esc(label)}</th><td>{shown}</td></tr>')
    if not rows:
        return '<p class="muted">Nothing to show.</p>'
    return f'<table class="kv"><tbody>{"".join(rows)}</tbody></table>'


def render_records(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, depth: int = 0) -> str:
    """Render a list of mappings as a table with one column per key."""
    if columns is None:
        columns = []
        for record in records:
            columns.extend(key for key in record if key not in columns)
    head = "".join(f'<th scope="col">{esc(column)}</th>' for column in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{render_value(record.get(column), depth)}</td>" for column in columns) + "</tr>"
        for record in records
    )
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

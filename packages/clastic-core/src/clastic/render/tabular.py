"""Render collections as an HTML page with a table (boltons' ``Table``)."""

from __future__ import annotations

import html
import inspect
from typing import Any

from boltons.tableutils import Table

from clastic._inject import get_callable_name
from clastic.wrappers import Response

__all__ = ["Table", "TabularRender"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
.docstring { white-space: pre-wrap; color: #555; margin: 0 0 1rem; }
table.clastic-atr-table { border-collapse: collapse; font-size: .95rem; }
table.clastic-atr-table th, table.clastic-atr-table td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
table.clastic-atr-table th { background: #f3f3f3; }
"""


class TabularRender:
    """Render a dict, list or nested structure as an HTML table page.

    Args:
        max_depth: How deep nested collections become nested tables.
        orientation: ``'auto'``, ``'horizontal'`` or ``'vertical'``.
        enable_title: Head the page with the endpoint's name and docstring.
        table_type: A ``boltons.tableutils.Table`` subclass (override
            ``get_cell_html`` to customise cells).
    """

    def __init__(
        self, max_depth: int = 4, orientation: str = "auto", enable_title: bool = True, table_type: type[Table] = Table
    ) -> None:
        self.max_depth = max_depth
        self.orientation = orientation
        self.enable_title = enable_title
        self.table_type = table_type

    def __call__(self, context: Any, _route: Any = None) -> Response:
        table = self.table_type.from_data(context, max_depth=self.max_depth)
        orientation = None if self.orientation == "auto" else self.orientation
        table_html = table.to_html(orientation=orientation, max_depth=self.max_depth, with_metadata=False)
        table_html = table_html.replace("<table>", '<table class="clastic-atr-table">', 1)
        title, doc = self._title(_route)
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"{self._heading(title, doc)}{table_html}</body></html>\n"
        )
        return Response(page, content_type="text/html; charset=utf-8")

    def _title(self, route: Any) -> tuple[str, str]:
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None:
            return "Clastic", ""
        module, name = get_callable_name(endpoint)
        return f"{module}.{name}", inspect.getdoc(endpoint) or ""

    def _heading(self, title: str, doc: str) -> str:
        if not self.enable_title:
            return ""
        doc_html = f'<p class="docstring">{html.escape(doc)}</p>' if doc else ""
        return f"<h1>{html.escape(title)}</h1>{doc_html}"

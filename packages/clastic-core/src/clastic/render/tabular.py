"""Render collections as an HTML page with a table (boltons' ``Table``).

The page is headed by the endpoint: its module, name and signature, and its
docstring, HTML-escaped, with the URLs in it turned into links
(:func:`linkify`).
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Iterable
from typing import Any

from boltons.tableutils import Table

from clastic._inject import get_callable_name
from clastic.wrappers import Response

__all__ = ["Table", "TabularRender", "escape_html", "get_callable_labels", "linkify"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
h1 .context { color: #777; font-weight: normal; }
.signature { margin: 0 0 .6rem; color: #444; }
.docstring { white-space: pre-wrap; color: #555; margin: 0 0 1rem; }
table.clastic-atr-table { border-collapse: collapse; font-size: .95rem; }
table.clastic-atr-table th, table.clastic-atr-table td {
  border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top;
}
table.clastic-atr-table th { background: #f3f3f3; }
"""

#: Schemes :func:`linkify` always recognises.
LINK_SCHEMES: tuple[str, ...] = ("http", "https")
# Punctuation that ends a sentence rather than a URL: "see https://x.org/a."
_TRAILING = ".,;:!?'\")]}"


def escape_html(text: Any) -> str:
    """Return *text* (any value, through ``str()``) with ``& < > " '`` escaped for HTML.

    >>> escape_html('<a href="x">Tom & Jerry</a>')
    '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;'

    Public as in Clastic 26; :func:`html.escape` does the same for strings.
    """
    return html.escape(str(text), quote=True)


def _link_regex(schemes: Iterable[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(s) for s in sorted({*LINK_SCHEMES, *schemes}, key=len, reverse=True))
    return re.compile(rf"(?:\b(?:{names})://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)


def linkify(text: str, default_scheme: str = "https", schemes: Iterable[str] = ()) -> str:
    """Return *text* as HTML, escaped, with its URLs turned into links.

    ``http://`` and ``https://`` URLs (and those of the extra *schemes*,
    e.g. ``('ftp',)``) link to themselves; a host starting with ``www.``
    links to ``default_scheme://`` that host. Everything else, link text
    included, is escaped with :func:`escape_html`, so the result is safe
    to put into a page whatever *text* holds. Public as in Clastic 26.

    >>> linkify('Docs: www.example.com/a?b=1&c=2.')
    'Docs: <a href="https://www.example.com/a?b=1&amp;c=2">www.example.com/a?b=1&amp;c=2</a>.'
    """
    out = []
    pos = 0
    for match in _link_regex(schemes).finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        rest = url.split("://", 1)[1] if "://" in url else url[4:]
        if not rest or rest.startswith(".") or ("://" not in url and "." not in rest):
            continue  # no host after the scheme, or a bare "www."
        start = match.start()
        out.append(escape_html(text[pos:start]))
        href = url if "://" in url else f"{default_scheme}://{url}"
        out.append(f'<a href="{escape_html(href)}">{escape_html(url)}</a>')
        pos = start + len(url)
    out.append(escape_html(text[pos:]))
    return "".join(out)


def get_callable_labels(obj: Any) -> tuple[str, str, str]:
    """Return ``(context, name, invocation_str)`` labels for a callable.

    *context* is where it lives (its module), *name* its qualified name and
    *invocation_str* how it is called, with its parameters::

        >>> def greet(name, greeting='hi'): ...
        >>> get_callable_labels(greet)  # doctest: +SKIP
        ('app', 'greet', "greet(name, greeting='hi')")

    A callable object is labelled by its class; one without a readable
    signature (some builtins) shows ``name(...)``. Public as in Clastic 26.
    """
    context, name = get_callable_name(obj)
    try:
        signature = str(inspect.signature(obj))
    except (TypeError, ValueError):
        signature = "(...)"
    return context, name, f"{name.rsplit('.', 1)[-1]}{signature}"


class TabularRender:
    """Render a dict, list or nested structure as an HTML table page.

    Args:
        max_depth: How deep nested collections become nested tables.
        orientation: ``'auto'``, ``'horizontal'`` or ``'vertical'``.
        enable_title: Head the page with the endpoint's name, signature and
            docstring (URLs in it become links).
        table_type: A ``boltons.tableutils.Table`` subclass (override
            ``get_cell_html`` to customise cells); defaults to
            :attr:`default_table_type`.
        with_metadata: Let the table add its metadata table (boltons'
            ``to_html(with_metadata=...)``: ``True``, ``'top'`` or ``'bottom'``).
    """

    #: The table class used when none is given.
    default_table_type: type[Table] = Table

    def __init__(
        self,
        max_depth: int = 4,
        orientation: str = "auto",
        enable_title: bool = True,
        table_type: type[Table] | None = None,
        with_metadata: bool | str = True,
    ) -> None:
        self.max_depth = max_depth
        self.orientation = orientation
        self.enable_title = enable_title
        self.table_type = table_type or self.default_table_type
        self.with_metadata = with_metadata

    def __call__(self, context: Any, _route: Any = None) -> Response:
        return self.context_to_response(context, _route)

    def context_to_response(self, context: Any, _route: Any = None) -> Response:
        """Return the HTML page for *context* (the endpoint's result) and the route that made it."""
        table = self.table_type.from_data(context, max_depth=self.max_depth)
        orientation = None if self.orientation == "auto" else self.orientation
        table_html = table.to_html(orientation=orientation, max_depth=self.max_depth, with_metadata=self.with_metadata)
        table_html = table_html.replace("<table>", '<table class="clastic-atr-table">', 1)
        endpoint = getattr(_route, "endpoint", None)
        title = "Clastic" if endpoint is None else ".".join(get_callable_labels(endpoint)[:2])
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape_html(title)}</title><style>{_CSS}</style></head><body>"
            f"{self._heading(endpoint)}{table_html}</body></html>\n"
        )
        return Response(page, content_type="text/html; charset=utf-8")

    def _heading(self, endpoint: Any) -> str:
        if not self.enable_title or endpoint is None:
            return ""
        context, name, invocation = get_callable_labels(endpoint)
        doc = inspect.getdoc(endpoint)
        if doc:
            doc_html = f'<p class="docstring">{linkify(doc)}</p>'
        else:
            doc_html = "<!-- add a docstring to the endpoint to show it here -->"
        return (
            f'<h1><span class="context">{escape_html(context)}.</span>{escape_html(name)}</h1>'
            f'<p class="signature"><code>{escape_html(invocation)}</code></p>{doc_html}'
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_depth={self.max_depth!r}, orientation={self.orientation!r})"

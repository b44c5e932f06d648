"""Errors of the template render factories.

Build-time errors (:class:`TemplateNotFoundError`, :class:`TemplateCompileError`)
are raised by a factory while the Application binds a route; core re-raises
them as :class:`clastic.exceptions.RenderFactoryError` naming the route.
:class:`TemplateRenderError` is the 500 answered when rendering fails.
"""

from __future__ import annotations

import html
from typing import Any

from clastic.errors import InternalServerError
from clastic.exceptions import ClasticError

__all__ = ["TemplateCompileError", "TemplateNotFoundError", "TemplateRenderError", "first_line"]


class TemplateNotFoundError(ClasticError, LookupError):
    """A render argument names no template under the factory's search path.

    Each engine's factory raises a subclass that is also the engine's own
    "not found" exception (``ashes.TemplateNotFound``, Mako's
    ``TopLevelLookupException``, Jinja2's ``TemplateNotFound``, the
    ``ValueError`` of Chameleon's loader), so code written for Clastic 26,
    which let that exception through, still catches it. Core's
    :class:`~clastic.exceptions.RenderFactoryError` raised by
    ``Application(...)`` is an instance of the same classes.
    """

    def __init__(
        self, message: str, *, template_name: str, search_paths: tuple[str, ...], suggestion: str | None
    ) -> None:
        #: The template name as given in the route.
        self.template_name = template_name
        #: The directories that were searched, in order.
        self.search_paths = search_paths
        #: The closest existing template name, or ``None``.
        self.suggestion = suggestion
        # Not super().__init__: an engine's exception class may follow in the
        # MRO with a constructor of its own (Jinja2's takes the template name).
        Exception.__init__(self, message)


class TemplateCompileError(ClasticError, ValueError):
    """A template that exists but does not compile."""

    def __init__(self, message: str, *, template_name: str, filename: str | None, line: int | None) -> None:
        #: The template name as given in the route.
        self.template_name = template_name
        #: The file that failed (may be a template it includes), if known.
        self.filename = filename
        #: The line of that file the engine blamed, if known.
        self.line = line
        super().__init__(message)


class TemplateRenderError(InternalServerError):
    """The 500 answered when a template fails while rendering.

    In production its body is the plain 500 text: no template source, file
    paths or exception text. With ``Application(debug=True)`` the detail
    names the template, the line and the error, with a source excerpt.

    Args:
        detail: The debug explanation, or ``None`` for the production text.
        template_name: The template that was being rendered.
        line: The template line the engine blamed, if known.
    """

    def __init__(
        self, detail: str | None = None, *, template_name: str = "", line: int | None = None, **kwargs: Any
    ) -> None:
        #: The template that was being rendered.
        self.template_name = template_name
        #: The template line the engine blamed, if known.
        self.line = line
        super().__init__(detail, **kwargs)

    def to_html(self) -> str:
        """Return the error page, keeping the detail's line breaks (source excerpts)."""
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{html.escape(f'{self.code} - {self.message}')}</title></head><body>\n"
            f"<h1>{html.escape(self.message)}</h1>\n"
            f"<pre>{html.escape(self._detail_text())}</pre>\n</body></html>\n"
        )


def first_line(exc: BaseException) -> str:
    """Return the first line of *exc*'s message (engines append long reports)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

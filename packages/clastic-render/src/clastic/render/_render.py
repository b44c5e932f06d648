"""The render function a template render factory returns, and its failures.

A :class:`TemplateRender` holds one compiled template. The route's chain
calls it with the endpoint's result; it renders the template into a
Response. When rendering fails it logs the error with the template line and
raises :class:`~clastic.render.templating.TemplateRenderError`, whose body
shows details only when the Application runs with ``debug=True``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from clastic.errors import HTTPException
from clastic.render._errors import TemplateCompileError, TemplateNotFoundError, TemplateRenderError, first_line
from clastic.wrappers import Response

if TYPE_CHECKING:
    from clastic.application import Application
    from clastic.render._types import CompiledTemplate
    from clastic.route import BoundRoute

__all__ = ["RenderingFactory", "TemplateRender", "render_failure"]

logger = logging.getLogger("clastic.render")

#: Lines of template source shown around an error in debug responses.
_EXCERPT_RADIUS = 3


class RenderingFactory(Protocol):
    """What a :class:`TemplateRender` uses of the factory that compiled its template.

    :class:`~clastic.render.templating.TemplateRenderFactory` has all of it.
    The render function is annotated with this rather than with the factory
    class because ``clastic.render._base`` imports this module: importing it
    back, even for annotations only, would close a cycle.
    """

    @property
    def engine(self) -> str:
        """Name of the template engine, for messages."""
        ...

    @property
    def reload(self) -> bool | None:
        """Whether changed template files are re-read (``None``: in debug mode)."""
        ...

    @property
    def format_exceptions(self) -> bool:
        """Whether rendering errors become a logged 500 rather than propagating."""
        ...

    @property
    def encoding(self) -> str:
        """Encoding of the template files."""
        ...

    def refresh(self, compiled: CompiledTemplate) -> CompiledTemplate:
        """Return *compiled*, recompiled if its file changed on disk."""
        ...

    def render_template(self, template: Any, context: dict[str, Any]) -> str | bytes:
        """Render the engine's *template* object with *context*."""
        ...

    def render_error_location(self, compiled: CompiledTemplate, exc: BaseException) -> tuple[str | None, int | None]:
        """Return ``(filename, line)`` in the template source where rendering failed."""
        ...


class TemplateRender:
    """The render function a factory returns for one template.

    Called by the route's chain with the endpoint's result as ``context``
    (a dict), it renders the compiled template into a Response whose content
    type follows the template's extension.
    """

    def __init__(self, factory: RenderingFactory, compiled: CompiledTemplate, content_type: str) -> None:
        #: The factory that compiled the template (a
        #: :class:`~clastic.render.templating.TemplateRenderFactory`).
        self.factory = factory
        #: The response content type.
        self.content_type = content_type
        self._compiled = compiled

    @property
    def template_name(self) -> str:
        """The template name the route gave."""
        return self._compiled.name

    @property
    def path(self) -> str | None:
        """The template file, or ``None`` for a template registered from a string."""
        return self._compiled.path

    @property
    def template(self) -> Any:
        """The engine's compiled template object."""
        return self._compiled.template

    def __call__(
        self, context: Any, _route: BoundRoute | None = None, _application: Application | None = None
    ) -> Response:
        """Render *context* (a dict) into a Response.

        An Application passes the route and itself; called directly
        (``render({'name': 'x'})``), errors name no route and the output
        shows no debug details.
        """
        factory = self.factory
        compiled = self._compiled
        if factory.reload or (factory.reload is None and _application is not None and _application.debug):
            compiled = self._reloaded(_route, _application)
        if not isinstance(context, Mapping):
            raise TypeError(
                f"route {_route_label(_route)}: template {compiled.name!r} needs a dict render context, but the "
                f"endpoint returned {type(context).__name__} ({context!r:.80}); return a dict of template "
                "values, or a Response to skip rendering"
            )
        try:
            body = factory.render_template(compiled.template, dict(context))
        except HTTPException:
            raise
        except Exception as ex:  # anything the engine or a context value raises becomes a logged 500
            if not factory.format_exceptions:
                raise  # format_exceptions=False: the error handler gets the engine's exception as raised
            raise render_failure(factory, compiled, ex, _route, _application) from ex
        return Response(body, content_type=self.content_type)

    def _reloaded(self, route: BoundRoute | None, application: Application | None) -> CompiledTemplate:
        try:
            compiled = self.factory.refresh(self._compiled)
        except (TemplateCompileError, TemplateNotFoundError) as ex:
            raise render_failure(self.factory, self._compiled, ex, route, application) from ex
        self._compiled = compiled
        return compiled

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.factory.engine} {self.template_name!r} ({self.content_type})>"


def render_failure(
    factory: RenderingFactory,
    compiled: CompiledTemplate,
    exc: BaseException,
    route: BoundRoute | None,
    application: Application | None,
) -> TemplateRenderError:
    """Log a rendering failure with its template line and return the 500 to raise.

    The response shows the details only when *application* runs with
    ``debug=True``. Finding the line is best effort: if the engine's
    traceback cannot be read, the error is reported without one.
    """
    if isinstance(exc, TemplateCompileError):
        filename, line = exc.filename, exc.line
    else:
        try:
            filename, line = factory.render_error_location(compiled, exc)
        except Exception:  # locating is best effort; never hide the original error
            logger.warning("could not locate the error in template %r", compiled.name, exc_info=True)
            filename, line = None, None
    filename = filename or compiled.path
    where = _describe_place(compiled, filename, line)
    summary = f"{type(exc).__name__}: {first_line(exc)}"
    route_label = _route_label(route)
    logger.error(
        "error rendering template %r for route %s (%s): %s",
        compiled.name,
        route_label,
        where,
        summary,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return _error_response(
        factory,
        compiled,
        exc,
        filename=filename,
        line=line,
        route=route,
        application=application,
        summary=summary,
        where=where,
    )


def _error_response(
    factory: RenderingFactory,
    compiled: CompiledTemplate,
    exc: BaseException,
    *,
    filename: str | None,
    line: int | None,
    route: BoundRoute | None,
    application: Application | None,
    summary: str,
    where: str,
) -> TemplateRenderError:
    exc_info = None
    handler = getattr(application, "error_handler", None)
    exc_info_type = getattr(handler, "exc_info_type", None)
    if exc_info_type is not None and exc.__traceback__ is not None:
        exc_info = exc_info_type.from_exc_info(type(exc), exc, exc.__traceback__)
    if not getattr(application, "debug", False):
        return TemplateRenderError(template_name=compiled.name, line=line, exc_info=exc_info, source_route=route)
    detail = f"Error rendering template {compiled.name!r} for route {_route_label(route)} ({where}):\n{summary}"
    excerpt = _excerpt(_source_lines(factory, compiled, filename), line)
    if excerpt:
        detail += "\n\n" + excerpt
    return TemplateRenderError(detail, template_name=compiled.name, line=line, exc_info=exc_info, source_route=route)


def _source_lines(factory: RenderingFactory, compiled: CompiledTemplate, filename: str | None) -> list[str] | None:
    if filename is None or filename == compiled.path:
        if compiled.source is not None:
            return compiled.source.splitlines()
        filename = compiled.path
    if filename is None or not os.path.isfile(filename):
        return None
    try:
        with open(filename, encoding=factory.encoding, errors="replace") as source:
            return source.read().splitlines()
    except OSError:
        return None


def _route_label(route: Any) -> str:
    if route is None:
        return "(none: the render function was called directly)"
    methods = getattr(route, "methods", None)
    prefix = "|".join(sorted(methods)) + " " if methods else ""
    return f"{prefix}{getattr(route, 'pattern', route)!r}"


def _describe_place(compiled: CompiledTemplate, filename: str | None, line: int | None) -> str:
    place = f"line {line}" if line else "line unknown"
    if filename and filename != compiled.path:
        place += f" of {filename}"
    elif compiled.path:
        place += f" of {compiled.path}"
    return place


def _excerpt(lines: list[str] | None, line: int | None) -> str:
    if not lines or not line or line > len(lines):
        return ""
    first = max(1, line - _EXCERPT_RADIUS)
    last = min(len(lines), line + _EXCERPT_RADIUS)
    width = len(str(last))
    out = []
    for number in range(first, last + 1):
        marker = ">" if number == line else " "
        out.append(f"{marker} {number:>{width}} | {lines[number - 1]}")
    return "\n".join(out)

"""Custom error pages: your own templates or functions for chosen status codes.

::

    handler = CustomPageErrorHandler(
        {404: "errors/404.html", 500: "errors/500.html", 403: forbidden_page},
        render_factory=AshesRenderFactory("templates/"),
    )
    app = Application(routes, error_handler=handler)

A page is a render argument that *render_factory* turns into a render
function (resolved when the handler is built, so a missing template fails
at start-up), or a callable. Either is called with the arguments it names
among ``context`` (``code, message, detail, error_type``, the problem type's
members, ``path``, ``method`` and ``problem``, the RFC 9457 object),
``request``, ``_error``, ``_application``, ``_route`` and
``_dispatch_state``, and returns a Response or a string of HTML.

The response keeps the error's status and headers (``Allow``,
``WWW-Authenticate``...), whatever status the page set. If the page fails
(raises, or returns something else), the failure is logged and the client
gets the error's default body, negotiated by ``Accept``, with the same
status. Pages serve clients that prefer HTML; JSON, XML and text clients get
the default bodies (see *mimetypes*).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from clastic.errors import HTTPException, negotiate_mimetype
from clastic.errors.reporting import Reporters, ReportingErrorHandler
from clastic.exceptions import RenderFactoryError, did_you_mean

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

__all__ = ["PAGE_ARGUMENTS", "CustomPageErrorHandler"]

logger = logging.getLogger("clastic.errors")

#: The names a custom page may ask for.
PAGE_ARGUMENTS = ("context", "request", "_error", "_application", "_route", "_dispatch_state")

# Headers that describe the page's own body, not the error.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


class _Page:
    """One custom page: the render callable and the arguments it takes."""

    def __init__(self, code: int, spec: Any, render: Callable[..., Any]) -> None:
        self.code = code
        self.spec = spec
        self.render = render
        label = f"custom error page {spec!r} for status {code}"
        try:
            signature = inspect.signature(render)
        except (TypeError, ValueError) as ex:
            raise TypeError(f"{label}: cannot read the signature of {render!r} ({ex}); use a function") from ex
        self.takes_all = False
        names = []
        for param in signature.parameters.values():
            if param.kind is param.VAR_KEYWORD:
                self.takes_all = True
                continue
            if param.kind is param.VAR_POSITIONAL:
                continue
            if param.name in PAGE_ARGUMENTS:
                names.append(param.name)
            elif param.default is param.empty:
                raise TypeError(
                    f"{label}: {getattr(render, '__name__', render)!r} needs {param.name!r}, which error pages do "
                    f"not provide (available: {list(PAGE_ARGUMENTS)}).{did_you_mean(param.name, PAGE_ARGUMENTS)}"
                )
        self.names = tuple(names)

    def __call__(self, values: Mapping[str, Any]) -> Any:
        if self.takes_all:
            return self.render(**values)
        return self.render(**{name: values[name] for name in self.names})


def _status_code(key: Any) -> int:
    if isinstance(key, type) and issubclass(key, HTTPException):
        key = key.code
    if isinstance(key, bool) or not isinstance(key, int) or not 400 <= key <= 599:
        raise ValueError(
            f"custom error pages are keyed by error status codes (400-599) or HTTPException classes, got {key!r}"
        )
    return key


class CustomPageErrorHandler(ReportingErrorHandler):
    """Error handler that renders chosen status codes with your own pages.

    Args:
        pages: ``{status code or HTTPException class: page}``; a page is a
            callable or a render argument for *render_factory*.
        render_factory: Turns non-callable pages into render functions
            (e.g. ``AshesRenderFactory(template_dir)``), called once per page here.
        mimetypes: The negotiated body types the pages serve; ``None`` serves
            them to every client.
        reporters: Callables ``reporter(exception, request, route)`` told about
            every uncaught exception.
        reraise_uncaught: Let uncaught exceptions propagate to the WSGI server.

    Raises:
        ValueError: a key is not an error status.
        RenderFactoryError: a page is not callable and there is no render
            factory, or the factory cannot use it.
        TypeError: a page needs an argument error pages do not provide.
    """

    def __init__(
        self,
        pages: Mapping[Any, Any],
        *,
        render_factory: Callable[[Any], Callable[..., Any]] | None = None,
        mimetypes: Iterable[str] | None = ("text/html",),
        reporters: Reporters = None,
        reraise_uncaught: bool = False,
    ) -> None:
        super().__init__(reporters=reporters, reraise_uncaught=reraise_uncaught)
        self.render_factory = render_factory
        self.mimetypes = None if mimetypes is None else frozenset(mimetypes)
        #: status code -> the page that renders it.
        self.pages: dict[int, _Page] = {}
        for key, spec in pages.items():
            code = _status_code(key)
            self.pages[code] = _Page(code, spec, self._resolve(code, spec))

    def _resolve(self, code: int, spec: Any) -> Callable[..., Any]:
        if callable(spec):
            page: Callable[..., Any] = spec
            return page
        if self.render_factory is None:
            raise RenderFactoryError(
                f"custom error page {spec!r} for status {code} is not callable and no render_factory was given "
                "to turn it into a render function; pass render_factory= (for example "
                "AshesRenderFactory(template_dir)) or give a function"
            )
        try:
            render = self.render_factory(spec)
        except Exception as ex:  # any engine's lookup or compile error, re-raised naming the page
            raise RenderFactoryError(
                f"custom error page for status {code}: render factory {self.render_factory!r} "
                f"could not use {spec!r}: {ex}"
            ) from ex
        if not callable(render):
            raise RenderFactoryError(
                f"custom error page for status {code}: render factory returned {render!r} for {spec!r}, "
                "which is not callable"
            )
        return render

    def render_error(
        self,
        request: Request,
        _error: HTTPException,
        _application: Any = None,
        _route: Any = None,
        _dispatch_state: Any = None,
    ) -> Response:
        """Render *_error* with its custom page, or the negotiated default body."""
        page = self.pages.get(_error.code)
        if page is None or (self.mimetypes is not None and negotiate_mimetype(request) not in self.mimetypes):
            return _error.transcribe(request)
        _error.instance = request.path
        context = {
            **_error.to_dict(),
            "path": request.path,
            "method": request.method,
            "problem": _error.to_problem(),
        }
        values = {
            "context": context,
            "request": request,
            "_error": _error,
            "_application": _application,
            "_route": _route,
            "_dispatch_state": _dispatch_state,
        }
        try:
            return _as_error_response(page(values), _error)
        except Exception:  # last resort: a broken page must not turn a 404 into a 500
            logger.exception(
                "custom error page %r for status %s failed; answering with the default body instead",
                page.spec,
                _error.code,
            )
            return _error.transcribe(request)

    def __repr__(self) -> str:
        return f"CustomPageErrorHandler(pages={ {code: page.spec for code, page in self.pages.items()}!r})"


def _as_error_response(result: Any, error: HTTPException) -> Response:
    """Turn a page's result into a response with *error*'s status and headers."""
    if isinstance(result, Response):
        response = result
    elif isinstance(result, (str, bytes)):
        response = Response(result, content_type="text/html; charset=utf-8")
    else:
        raise TypeError(
            "a custom error page must return a Response or a string of HTML, "
            f"got {type(result).__name__} ({result!r:.80})"
        )
    if response is not error:
        response.status_code = error.code
        for key, value in error.headers.items():
            if key.lower() not in _BODY_HEADERS and key not in response.headers:
                response.headers.add(key, value)
    return response

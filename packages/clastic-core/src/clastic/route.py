"""Routes: a URL pattern, an endpoint and a render, bound into Applications.

A :class:`Route` is what the author writes; binding it to an
:class:`~clastic.Application` produces a :class:`BoundRoute` whose arguments
are all resolved and whose call chain is compiled. Embedding an Application
in another re-binds its routes under a prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from clastic._chain import compile_chain, compile_error_renderer
from clastic._pattern import Pattern, parse_pattern
from clastic.exceptions import (
    InvalidEndpoint,
    InvalidMethod,
    InvalidPattern,
    RenderFactoryError,
    did_you_mean,
)
from clastic.middleware.core import merge_middlewares, middleware_tuple

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from clastic.application import Application

__all__ = [
    "CONNECT",
    "DELETE",
    "GET",
    "HEAD",
    "HTTP_METHODS",
    "OPTIONS",
    "PATCH",
    "POST",
    "PUT",
    "S_REDIRECT",
    "S_REWRITE",
    "S_STRICT",
    "SLASH_MODES",
    "TRACE",
    "BoundRoute",
    "InvalidMethod",
    "InvalidPattern",
    "Route",
    "normalize_path",
]

#: Redirect requests that differ from a branch route only by slashes (default).
S_REDIRECT = "redirect"
#: Serve such requests as if they had the canonical path.
S_REWRITE = "rewrite"
#: Match paths exactly.
S_STRICT = "strict"
SLASH_MODES = (S_REDIRECT, S_REWRITE, S_STRICT)

#: Methods a route may restrict itself to.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH"})


def _normalize_methods(pattern: str, methods: Iterable[str] | str | None) -> frozenset[str] | None:
    if methods is None:
        return None
    if isinstance(methods, str):
        methods = [methods]
    upper = {str(m).upper() for m in methods}
    unknown = sorted(upper - HTTP_METHODS)
    if unknown:
        hint = did_you_mean(unknown[0], HTTP_METHODS)
        raise InvalidMethod(
            f"unrecognized HTTP method(s): {unknown} in route {pattern!r}; expected some of {sorted(HTTP_METHODS)}.{hint}"
        )
    if "GET" in upper:
        upper.add("HEAD")
    return frozenset(upper)


def _check_slash_mode(mode: str | None, where: str) -> str | None:
    if mode is not None and mode not in SLASH_MODES:
        raise ValueError(f"{where}: unknown slash_mode {mode!r}, expected one of {list(SLASH_MODES)}")
    return mode


def normalize_path(path: str, is_branch: bool) -> str:
    """Collapse repeated slashes; branch paths end with one slash.

    >>> normalize_path('//goof//spoof', True)
    '/goof/spoof/'
    """
    normal = "/" + "/".join(part for part in path.split("/") if part)
    if is_branch and not normal.endswith("/"):
        normal += "/"
    return normal


class Route:
    """A URL pattern, the endpoint that answers it and how its result is rendered.

    Args:
        pattern: A pattern mini-language string, e.g. ``'/user/<id:int>'``.
        endpoint: Called with injected arguments; returns a Response or a
            render context.
        render: A render function, or a render argument (such as a template
            name) that the Application's ``render_factory`` turns into one.
        render_error: Injectable function that renders HTTP errors raised by
            this route; defaults to the Application error handler's.
        middlewares: Middlewares for this route only (after the application's).
        resources: Resources for this route only (they win over the
            application's of the same name).
        methods: HTTP methods to accept; ``None`` accepts any. ``GET`` implies ``HEAD``.
        slash_mode: Override the Application's trailing-slash handling.
        name: A name for :meth:`Application.url_for`; defaults to the endpoint's name.
    """

    #: Methods for the method-specific subclasses (``GET``, ``POST``...).
    default_methods: ClassVar[frozenset[str] | None] = None
    #: True only for the Application's null route (see ``BoundRoute.is_null_route``).
    answers_unmatched: ClassVar[bool] = False

    def __init__(
        self,
        pattern: str,
        endpoint: Callable[..., Any],
        render: Any = None,
        render_error: Callable[..., Any] | None = None,
        *,
        middlewares: Sequence[object] = (),
        resources: Mapping[str, Any] | None = None,
        methods: Iterable[str] | None = None,
        slash_mode: str | None = None,
        name: str | None = None,
    ) -> None:
        #: The parsed pattern.
        self.parsed: Pattern = parse_pattern(pattern)
        if not callable(endpoint):
            raise InvalidEndpoint(
                f"expected endpoint to be a function or method, not: {endpoint!r} (route {pattern!r})"
            )
        if render_error is not None and not callable(render_error):
            raise InvalidEndpoint(f"expected render_error to be callable, not: {render_error!r} (route {pattern!r})")
        self.endpoint = endpoint
        #: The render function or render argument as given.
        self.render_arg = render
        self.render_error = render_error
        self.middlewares = middleware_tuple(middlewares, f"route {pattern!r}")
        if resources is not None and not isinstance(resources, Mapping):
            raise TypeError(
                f"route {pattern!r}: resources must be a dict of name -> value, got {type(resources).__name__}"
            )
        self.resources = dict(resources or {})
        self.methods = _normalize_methods(pattern, methods if methods is not None else self.default_methods)
        self.slash_mode = _check_slash_mode(slash_mode, f"route {pattern!r}")
        self.name = name

    @property
    def pattern(self) -> str:
        """The pattern as written."""
        return self.parsed.text

    @property
    def is_branch(self) -> bool:
        """True when the pattern ends with a slash."""
        return self.parsed.is_branch

    def bind(self, app: Application, *, prefix: str = "") -> BoundRoute:
        """Bind this route to *app* (under *prefix*), checking and compiling everything."""
        render, factory = _resolve_render(self, app, self.parsed.with_prefix(prefix).text)
        return BoundRoute(
            self,
            (app,),
            parsed=self.parsed.with_prefix(prefix),
            middlewares=merge_middlewares(app.middlewares, self.middlewares),
            resources={**app.resources, **self.resources},
            render=render,
            render_factory=factory,
            slash_mode=self.slash_mode or app.slash_mode,
        )

    def __repr__(self) -> str:
        methods = f" methods={sorted(self.methods)}" if self.methods else ""
        return f"<{type(self).__name__} {self.pattern!r} endpoint={getattr(self.endpoint, '__name__', self.endpoint)!r}{methods}>"


def _resolve_render(route: Route, app: Application, where_pattern: str) -> tuple[Callable[..., Any] | None, Any]:
    arg = route.render_arg
    if arg is None:
        return None, None
    if callable(arg):
        return arg, None
    factory = app.render_factory
    if factory is None:
        raise RenderFactoryError(
            f"route {where_pattern!r}: render argument {arg!r} is not callable and the Application has no "
            "render_factory to turn it into a render function; pass render_factory= (for example "
            "AshesRenderFactory(template_dir)) or give the route a render function such as render_basic"
        )
    return _call_factory(factory, arg, where_pattern), factory


def _call_factory(factory: Any, arg: Any, where_pattern: str) -> Callable[..., Any]:
    try:
        render = factory(arg)
    except Exception as ex:  # any engine's lookup or compile error; re-raised with the route named
        # Still an instance of the factory's own exception class, as the original let it through.
        message = f"route {where_pattern!r}: render factory could not use {arg!r}: {ex}"
        raise RenderFactoryError.wrapping(message, ex) from ex
    if not callable(render):
        raise RenderFactoryError(
            f"route {where_pattern!r}: render factory {factory!r} returned {render!r} for {arg!r}, which is not callable"
        )
    return render


class BoundRoute:
    """A route bound into an Application: resolved, compiled and ready to dispatch.

    ``app.routes`` holds these. Most attributes mirror the :class:`Route`,
    with the application's middlewares, resources, render factory and slash
    mode applied.
    """

    def __init__(
        self,
        route: Route,
        bound_apps: tuple[Application, ...],
        *,
        parsed: Pattern,
        middlewares: tuple[object, ...],
        resources: dict[str, Any],
        render: Callable[..., Any] | None,
        render_factory: Any,
        slash_mode: str,
    ) -> None:
        app = bound_apps[-1]
        #: The :class:`Route` as written.
        self.route = route
        #: Applications this route was bound into, innermost first; the last is the dispatching one.
        self.bound_apps = bound_apps
        self.parsed = parsed
        self.middlewares = middlewares
        self.resources = resources
        self.render = render
        self.render_factory = render_factory
        self.slash_mode = slash_mode
        self.methods = route.methods
        self.endpoint = route.endpoint
        self.name = route.name
        self._regex = parsed.regex(strict=slash_mode == S_STRICT)
        # Per-request work, decided once: which groups to convert, whether to redirect.
        self._match = self._regex.match
        self._converts = bool(parsed.bindings)
        self._redirects = slash_mode == S_REDIRECT and parsed.is_branch
        methods = "|".join(sorted(self.methods)) + " " if self.methods else ""
        where = f"route {methods}{parsed.text!r}"
        filename = f"clastic chain {methods}{parsed.text}"
        constants = {"_route": self, "_application": app}
        chain = compile_chain(
            where=where,
            filename=filename,
            url_fields=parsed.fields,
            resources=resources,
            middlewares=middlewares,
            endpoint=route.endpoint,
            render=render,
            constants=constants,
        )
        #: ``execute(request, _dispatch_state, **url_values)``: the compiled chain.
        self.execute: Callable[..., Response] = chain.execute
        #: The generated source of the chain.
        self.chain_source = chain.source
        #: Where each argument of the chain's callables comes from.
        self.arg_sources = dict(chain.arg_sources)
        render_error = route.render_error or app.error_handler.render_error
        #: ``execute_error(request, _dispatch_state, _error)``: renders an HTTP error for this route.
        self.execute_error = compile_error_renderer(
            where=where,
            filename=f"clastic error renderer {methods}{parsed.text}",
            render_error=render_error,
            resources=resources,
            constants=constants,
        )

    # -- attributes ----------------------------------------------------------

    @property
    def pattern(self) -> str:
        """The full pattern, mount prefixes included."""
        return self.parsed.text

    @property
    def is_branch(self) -> bool:
        """True when the pattern ends with a slash."""
        return self.parsed.is_branch

    @property
    def render_arg(self) -> Any:
        """The route's render argument as written."""
        return self.route.render_arg

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled matcher for this route's slash mode."""
        return self._regex

    @property
    def is_null_route(self) -> bool:
        """True for the route that answers requests no other route matched (404, 405, OPTIONS).

        Application-level middlewares run on it too; a middleware that only
        makes sense for matched routes can skip its work when this is true.
        """
        return self.route.answers_unmatched

    @property
    def application(self) -> Application:
        """The Application that dispatches this route."""
        return self.bound_apps[-1]

    # -- matching ------------------------------------------------------------

    def match_path(self, path: str) -> dict[str, Any] | None:
        """Return the injected URL values if *path* matches, else ``None``."""
        match = self._match(path)
        if match is None:
            return None
        if not self._converts:
            return {}
        try:
            return self.parsed.convert(match.groupdict())
        except (ValueError, OverflowError):  # e.g. int('9' * 5000) or an out-of-range float
            return None

    def match_method(self, method: str) -> bool:
        """Return True if this route accepts *method*."""
        return self.methods is None or method in self.methods

    def redirect_path(self, path: str) -> str | None:
        """In redirect mode, the canonical path to redirect a branch request to, else ``None``."""
        if not self._redirects or (path[-1:] == "/" and "//" not in path):
            return None
        canonical = normalize_path(path, True)
        return canonical if canonical != path else None

    # -- binding -------------------------------------------------------------

    def bind(self, app: Application, *, prefix: str = "", rebind_render: bool = False, inherit_slashes: bool = True) -> BoundRoute:
        """Re-bind this route into an embedding Application under *prefix*."""
        parsed = self.parsed.with_prefix(prefix)
        render, factory = self.render, self.render_factory
        arg = self.route.render_arg
        if rebind_render and app.render_factory is not None and arg is not None and not callable(arg):
            render, factory = _call_factory(app.render_factory, arg, parsed.text), app.render_factory
        if inherit_slashes and self.route.slash_mode is None:
            slash_mode = app.slash_mode
        else:
            slash_mode = self.slash_mode
        return BoundRoute(
            self.route,
            (*self.bound_apps, app),
            parsed=parsed,
            middlewares=merge_middlewares(app.middlewares, self.middlewares),
            resources={**app.resources, **self.resources},
            render=render,
            render_factory=factory,
            slash_mode=slash_mode,
        )

    def iter_routes(self) -> Iterable[BoundRoute]:
        """Yield this route (so routes and applications iterate alike)."""
        yield self

    def __repr__(self) -> str:
        methods = f" methods={sorted(self.methods)}" if self.methods else ""
        return f"<BoundRoute {self.pattern!r} endpoint={getattr(self.endpoint, '__name__', self.endpoint)!r}{methods}>"


class GET(Route):
    """A route that answers GET (and HEAD) only."""

    default_methods = frozenset({"GET", "HEAD"})


class POST(Route):
    """A route that answers POST only."""

    default_methods = frozenset({"POST"})


class PUT(Route):
    """A route that answers PUT only."""

    default_methods = frozenset({"PUT"})


class DELETE(Route):
    """A route that answers DELETE only."""

    default_methods = frozenset({"DELETE"})


class PATCH(Route):
    """A route that answers PATCH only."""

    default_methods = frozenset({"PATCH"})


class HEAD(Route):
    """A route that answers HEAD only."""

    default_methods = frozenset({"HEAD"})


class OPTIONS(Route):
    """A route that answers OPTIONS only."""

    default_methods = frozenset({"OPTIONS"})


class TRACE(Route):
    """A route that answers TRACE only."""

    default_methods = frozenset({"TRACE"})


class CONNECT(Route):
    """A route that answers CONNECT only."""

    default_methods = frozenset({"CONNECT"})

"""Routes: a URL pattern, an endpoint and a render, bound into Applications.

A :class:`Route` is what the author writes; binding it to an
:class:`~clastic.Application` produces a :class:`BoundRoute` whose arguments
are all resolved and whose call chain is compiled. Embedding an Application
in another re-binds its routes under a prefix; the embedding Application's
middlewares and resources win over the embedded one's, a route's own
resources win over both.

Kept for compatibility with Clastic 26 (aliases of the modern helpers):
:data:`RESERVED_ARGS`, :data:`DEFAULT_CONVS`, :data:`TYPE_CONV_MAP`,
:data:`TYPE_PATT_MAP`, :func:`build_converter`, :func:`check_render_error`,
:func:`resolve_deps`, :func:`normalize_deps`, :func:`find_cycle`, and the
re-exports ``check_middlewares``, ``make_middleware_chain``,
``get_arg_names``, ``get_callable_name``, ``get_fb``, ``inject``.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from clastic._bound_compat import BoundRouteCompat
from clastic._chain import check_render_error as check_render_error
from clastic._chain import compile_chain, compile_error_renderer
from clastic._codegen import arg_source_records
from clastic._deps import find_cycle as find_cycle
from clastic._deps import normalize_deps as normalize_deps
from clastic._deps import resolve_deps as resolve_deps
from clastic._inject import RESERVED_ARGS as RESERVED_ARGS
from clastic._inject import get_callable_name as get_callable_name
from clastic._inject import inject as inject
from clastic._null_route import handle_sentinel_condition
from clastic._pattern import DEFAULT_CONVS as DEFAULT_CONVS
from clastic._pattern import TYPE_CONV_MAP as TYPE_CONV_MAP
from clastic._pattern import TYPE_PATT_MAP as TYPE_PATT_MAP
from clastic._pattern import Pattern, parse_pattern
from clastic._pattern import build_converter as build_converter
from clastic.exceptions import (
    InvalidEndpoint,
    InvalidMethod,
    InvalidPattern,
    RenderFactoryError,
    did_you_mean,
)
from clastic.middleware.core import check_middleware, middleware_tuple, split_duplicates
from clastic.middleware.core import check_middlewares as check_middlewares
from clastic.middleware.core import make_middleware_chain as make_middleware_chain
from clastic.sinter import get_arg_names as get_arg_names
from clastic.sinter import get_fb as get_fb
from clastic.wrappers import Response

if TYPE_CHECKING:
    from clastic._dispatch_state import DispatchState
    from clastic.types import ApplicationLike, ArgSource
    from clastic.wrappers import Request

__all__ = [
    "CONNECT",
    "DEFAULT_CONVS",
    "DELETE",
    "GET",
    "HEAD",
    "HTTP_METHODS",
    "OPTIONS",
    "PATCH",
    "POST",
    "PUT",
    "RESERVED_ARGS",
    "SLASH_MODES",
    "S_REDIRECT",
    "S_REWRITE",
    "S_STRICT",
    "TRACE",
    "TYPE_CONV_MAP",
    "TYPE_PATT_MAP",
    "BoundRoute",
    "InvalidMethod",
    "InvalidPattern",
    "NullRoute",
    "Route",
    "build_converter",
    "check_middlewares",
    "check_render_error",
    "find_cycle",
    "get_arg_names",
    "get_callable_name",
    "get_fb",
    "inject",
    "make_middleware_chain",
    "normalize_deps",
    "normalize_path",
    "resolve_deps",
]

logger = logging.getLogger(__name__)

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
            f"unrecognized HTTP method(s): {unknown} in route {pattern!r}; "
            f"expected some of {sorted(HTTP_METHODS)}.{hint}"
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

    @property
    def render(self) -> Any:
        """The render function or render argument as given (Clastic 26's name for :attr:`render_arg`)."""
        return self.render_arg

    @render.setter
    def render(self, value: Any) -> None:
        self.render_arg = value

    def iter_routes(self) -> Iterator[Route]:
        """Yield this route (so routes and applications iterate alike)."""
        yield self

    def bind(self, app: ApplicationLike, *, prefix: str = "") -> BoundRoute:
        """Bind this route to *app* (under *prefix*), checking and compiling everything."""
        render, factory = _resolve_render(self, app, self.parsed.with_prefix(prefix).text)
        where = f"route {self.parsed.with_prefix(prefix).text!r}"
        middlewares, dropped = split_duplicates(self.middlewares, app.middlewares, where=where)
        for mw, kept in dropped:
            # Warning: the author gave this route its own instance, and it will not run.
            logger.warning("%s: its middleware %r is dropped in favour of the Application's equal %r", where, mw, kept)
        return BoundRoute(
            self,
            (app,),
            parsed=self.parsed.with_prefix(prefix),
            middlewares=tuple(middlewares),
            resources={**app.resources, **self.resources},
            render=render,
            render_factory=factory,
            slash_mode=self.slash_mode or app.slash_mode,
        )

    def __repr__(self) -> str:
        methods = f" methods={sorted(self.methods)}" if self.methods else ""
        endpoint = getattr(self.endpoint, "__name__", self.endpoint)
        return f"<{type(self).__name__} {self.pattern!r} endpoint={endpoint!r}{methods}>"


def _resolve_render(route: Route, app: ApplicationLike, where_pattern: str) -> tuple[Callable[..., Any] | None, Any]:
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
        render: Callable[..., Any] = factory(arg)
    except Exception as ex:  # any engine's lookup or compile error; re-raised with the route named
        # Still an instance of the factory's own exception class, as the original let it through.
        message = f"route {where_pattern!r}: render factory could not use {arg!r}: {ex}"
        raise RenderFactoryError.wrapping(message, ex) from ex
    if not callable(render):
        raise RenderFactoryError(
            f"route {where_pattern!r}: render factory {factory!r} returned {render!r} for {arg!r}, "
            "which is not callable"
        )
    return render


class BoundRoute(BoundRouteCompat[Route]):
    """A route bound into an Application: resolved, compiled and ready to dispatch.

    ``app.routes`` holds these. Most attributes mirror the :class:`Route`,
    with the application's middlewares, resources, render factory and slash
    mode applied.
    """

    def __init__(
        self,
        route: Route,
        bound_apps: tuple[ApplicationLike, ...],
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
        self.name = route.name
        self._strict = slash_mode == S_STRICT
        self._regex: re.Pattern[str] | None = None  # the exact matcher, compiled when read (see regex)
        # Per-request work, decided once: which groups to convert, whether to redirect.
        # Routes of one shape share a compiled matcher; it leaves the leading
        # literal segments to compare (see Pattern.shape_regex).
        self._match = parsed.shape_regex(strict=self._strict).match
        literals = parsed.literal_prefix
        self._literal_groups = tuple(range(1, len(literals) + 1))
        self._literals: str | tuple[str, ...] = literals[0] if len(literals) == 1 else literals
        self._converts = bool(parsed.bindings)
        self._convert = _values_function(tuple((b.name, b.op, b.converter.to_python) for b in parsed.bindings))
        self._redirects = slash_mode == S_REDIRECT and parsed.is_branch
        methods = "|".join(sorted(self.methods)) + " " if self.methods else ""
        where = f"route {methods}{parsed.text!r}"
        for mw in middlewares:
            check_middleware(mw)
        constants = [("_route", "builtins", self), ("_application", "builtins", app)]
        constants += [(name, "resources", value) for name, value in resources.items()]
        chain = compile_chain(
            where=where,
            filename=f"clastic chain {methods}{parsed.text}",
            params=[("request", "builtins"), ("_dispatch_state", "builtins"), *[(f, "url") for f in parsed.fields]],
            constants=constants,
            middlewares=middlewares,
            endpoint=route.endpoint,
            render=render,
        )
        self._chain = chain
        #: ``_execute(request, _dispatch_state, *url_values)``: the compiled chain (URL values in pattern order).
        self._execute: Callable[..., Any] = chain.execute
        # What dispatch must prepare for the chain (see clastic._dispatch): the request
        # only when a callable receives it, the routing state likewise.
        self._needs_request = "request" in chain.eager
        self._needs_state = "_dispatch_state" in chain.eager
        self._has_hooks = chain.hook_count > 0
        #: The render's direct form (``(context, request, _route)`` -> raw triple or Response), when the chain uses it.
        self._render_direct: Callable[..., Any] | None = chain.direct_render
        # The chain may return the direct form's triples (see Dispatcher.route).
        self._direct = chain.direct_raw
        # Under request hooks the direct form gets a request cell to build the request from, if it needs one.
        self._lazy_cell = chain.direct_render is not None and not chain.direct_raw and not self._needs_request
        #: The generated source of the chain.
        self.chain_source = chain.source
        #: Where each argument of the chain's callables comes from.
        self.arg_sources: Mapping[str, ArgSource] = arg_source_records(chain.arg_sources, middlewares)
        #: The error renderer used for this route's HTTP errors.
        self.render_error = route.render_error or app.error_handler.render_error
        #: ``_execute_error(request, _dispatch_state, _error)``: renders an HTTP error for this route.
        self._execute_error: Callable[..., Any] = compile_error_renderer(
            where=where,
            filename=f"clastic error renderer {methods}{parsed.text}",
            render_error=self.render_error,
            params=[("request", "builtins"), ("_dispatch_state", "builtins"), ("_error", "builtins")],
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
    def endpoint(self) -> Callable[..., Any]:
        """The route's endpoint."""
        return self.route.endpoint

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled matcher for this route's slash mode."""
        regex = self._regex
        if regex is None:
            regex = self._regex = self.parsed.regex(strict=self._strict)
        return regex

    @property
    def is_null_route(self) -> bool:
        """True for the route that answers requests no other route matched (404, 405, OPTIONS).

        Application-level middlewares run on it too; a middleware that only
        makes sense for matched routes can skip its work when this is true.
        """
        return self.route.answers_unmatched

    @property
    def application(self) -> ApplicationLike:
        """The Application that dispatches this route."""
        return self.bound_apps[-1]

    # -- matching ------------------------------------------------------------

    def match_path(self, path: str) -> dict[str, Any] | None:
        """Return the injected URL values if *path* matches, else ``None``."""
        match = self._match(path)
        if match is None or (self._literal_groups and match.group(*self._literal_groups) != self._literals):
            return None
        if not self._converts:
            return {}
        try:
            return self._convert(match)  # what self.parsed.convert(match.groupdict()) returns
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

    def bind(
        self, app: ApplicationLike, *, prefix: str = "", rebind_render: bool = False, inherit_slashes: bool = True
    ) -> BoundRoute:
        """Re-bind this route into an embedding Application under *prefix*.

        The embedding Application's middlewares replace equal ones of this
        route (see :func:`~clastic.middleware.merge_middlewares`) and its
        resources replace the embedded Application's; the route's own
        resources stay the most specific.
        """
        return self._rebind(app, prefix, rebind_render, inherit_slashes)[0]

    def _rebind(
        self, app: ApplicationLike, prefix: str, rebind_render: bool, inherit_slashes: bool
    ) -> tuple[BoundRoute, list[tuple[object, object]]]:
        """Like :meth:`bind`; also return the ``(dropped, kept)`` middleware pairs, for the caller to log."""
        parsed = self.parsed.with_prefix(prefix)
        render, factory = self.render, self.render_factory
        arg = self.route.render_arg
        if rebind_render and app.render_factory is not None and arg is not None and not callable(arg):
            render, factory = _call_factory(app.render_factory, arg, parsed.text), app.render_factory
        slash_mode = app.slash_mode if inherit_slashes and self.route.slash_mode is None else self.slash_mode
        middlewares, dropped = split_duplicates(self.middlewares, app.middlewares, where=f"route {parsed.text!r}")
        bound = BoundRoute(
            self.route,
            (*self.bound_apps, app),
            parsed=parsed,
            middlewares=tuple(middlewares),
            resources={**self.resources, **app.resources, **self.route.resources},
            render=render,
            render_factory=factory,
            slash_mode=slash_mode,
        )
        return bound, dropped

    def iter_routes(self) -> Iterable[BoundRoute]:
        """Yield this route (so routes and applications iterate alike)."""
        yield self

    def __repr__(self) -> str:
        methods = f" methods={sorted(self.methods)}" if self.methods else ""
        return f"<BoundRoute {self.pattern!r} endpoint={getattr(self.endpoint, '__name__', self.endpoint)!r}{methods}>"


@functools.lru_cache(maxsize=512)
def _values_function(
    bindings: tuple[tuple[str, str, Callable[[str], Any]], ...],
) -> Callable[[re.Match[str]], dict[str, Any]]:
    """Compile ``Pattern.convert(match.groupdict())`` for bindings of these ``(name, op, to_python)``.

    A single-segment binding's group always took part in the match, so its
    converter is called directly (``str`` not at all); the others go through
    :func:`~clastic._pattern.build_converter` as in :meth:`Pattern.convert`.
    Compiled once per shape: many routes share their bindings.
    """
    env: dict[str, Any] = {}
    items = []
    for index, (name, op, to_python) in enumerate(bindings):
        group = f"match[{name!r}]"
        if op == ":" and to_python is str:
            items.append(f"{name!r}: {group}")
            continue
        if op == ":":
            env[f"_c{index}"] = to_python
        else:
            env[f"_c{index}"] = build_converter(to_python, optional=op == "?", multi=op in "+*")
        items.append(f"{name!r}: _c{index}({group})")
    source = f"def _clastic_values(match):\n    return {{{', '.join(items)}}}\n"
    exec(compile(source, "<clastic URL values>", "exec"), env)
    return env["_clastic_values"]  # type: ignore[no-any-return]


class NullRoute(Route):
    """The route that answers when nothing else does: 404, 405, OPTIONS, a slash redirect, the last non-breaking error.

    Every Application binds one and tries it after all others; it runs the
    application's middlewares, so they see unmatched requests too.
    """

    #: Marks the bound route as the null route (``BoundRoute.is_null_route``).
    answers_unmatched = True

    def __init__(self) -> None:
        super().__init__("/", handle_sentinel_condition, name="_null_route")

    def handle_sentinel_condition(
        self, request: Request, _dispatch_state: DispatchState, _application: ApplicationLike
    ) -> Response:
        """Answer a request no route took, from what routing recorded in *_dispatch_state*.

        In order: the slash redirect a branch route asked for; the last
        non-breaking error a route returned; for a path that matched only with
        other methods, ``204`` with ``Allow`` to ``OPTIONS`` and ``405``
        otherwise; else the error handler's ``404``.
        """
        return handle_sentinel_condition(request, _dispatch_state, _application)


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

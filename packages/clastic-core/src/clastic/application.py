"""The Application: routes, resources, middlewares and a render factory, built once.

Constructing an :class:`Application` binds every route, resolves every
argument of every endpoint, render function and middleware hook, and
compiles each route's call chain. Mistakes surface here, before the first
request; a request only looks up and calls.
"""

from __future__ import annotations

import copy
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
from werkzeug.test import Client

from clastic._inject import RESERVED_ARGS
from clastic._moved import satellite_available
from clastic._router import Router
from clastic.errors.handler import ErrorHandler
from clastic.errors.http import HTTPException, from_werkzeug
from clastic.exceptions import (
    ReservedArgumentError,
    UnknownResourceError,
    URLBuildError,
    did_you_mean,
)
from clastic.middleware.core import check_middleware, middleware_tuple
from clastic.route import S_REDIRECT, SLASH_MODES, BoundRoute, Route
from clastic.utils import redirect_to_path
from clastic.wrappers import Request, Response, respond

if TYPE_CHECKING:
    from clastic.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["Application", "DispatchState", "RerouteWSGI", "SubApplication"]

logger = logging.getLogger("clastic.application")


class DispatchState:
    """What routing learned while handling one request (injectable as ``_dispatch_state``)."""

    __slots__ = ("allowed_methods", "attempted_routes", "exceptions", "redirect_to")

    def __init__(self) -> None:
        #: Non-breaking HTTP errors raised or returned by routes tried so far.
        self.exceptions: list[HTTPException] = []
        #: Methods of routes whose path matched but whose methods did not.
        self.allowed_methods: set[str] = set()
        #: Routes whose path matched, in the order they were tried.
        self.attempted_routes: list[BoundRoute] = []
        #: The canonical path a slash redirect sends the client to, once a route asked for one.
        self.redirect_to: str | None = None

    def add_route(self, route: BoundRoute) -> None:
        """Record a route whose path matched."""
        self.attempted_routes.append(route)

    def add_exception(self, exc: HTTPException) -> None:
        """Record a non-breaking error."""
        self.exceptions.append(exc)

    def update_methods(self, methods: Iterable[str]) -> None:
        """Record the methods a path-matching route would have accepted."""
        self.allowed_methods.update(methods)

    def __repr__(self) -> str:
        return (
            f"<DispatchState attempted={len(self.attempted_routes)} exceptions={self.exceptions!r} "
            f"allowed_methods={sorted(self.allowed_methods)}>"
        )


class RerouteWSGI(Exception):
    """Raise (or use as an endpoint) to hand the request to another WSGI app.

    The other app receives the untouched WSGI environ. Unsafe once the body
    was read or a response started; keep such routes early in the table.
    """

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        super().__init__(wsgi_app)
        #: The WSGI application that takes over.
        self.wsgi_app = wsgi_app

    def __call__(self) -> None:
        raise self


class SubApplication:
    """Embed an :class:`Application`'s routes in another under a prefix.

    Routes are copied and re-bound when embedded: later changes to the
    embedded Application are not seen by the embedding one. Usually created
    for you from a ``(prefix, app)`` tuple.

    Args:
        prefix: Path prefix for the embedded routes; ``'/'`` merges at the root.
        app: The Application to embed.
        rebind_render: Rebuild renders from their render arguments with the
            embedding Application's render factory.
        inherit_slashes: Use the embedding Application's slash mode.
    """

    def __init__(self, prefix: str, app: Application, rebind_render: bool = False, inherit_slashes: bool = True) -> None:
        if not isinstance(app, Application):
            raise TypeError(f"SubApplication expects an Application to embed, got {app!r}")
        self.prefix = prefix.rstrip("/")
        self.app = app
        self.rebind_render = rebind_render
        self.inherit_slashes = inherit_slashes

    def bind_all(self, parent: Application) -> list[BoundRoute]:
        """Re-bind every route of the embedded Application into *parent*."""
        return [
            route.bind(parent, prefix=self.prefix, rebind_render=self.rebind_render, inherit_slashes=self.inherit_slashes)
            for route in self.app.routes
        ]

    def __repr__(self) -> str:
        return f"SubApplication({self.prefix!r}, {self.app!r})"


class NullRoute(Route):
    """The route that answers when nothing else does: 404, 405, OPTIONS, a slash redirect, the last non-breaking error.

    It runs the application's middlewares, so they see unmatched requests too.
    """

    #: Marks the bound route as the null route (``BoundRoute.is_null_route``).
    answers_unmatched = True

    def __init__(self) -> None:
        super().__init__("/", _answer_unmatched, name="_null_route")


def _answer_unmatched(request: Request, _dispatch_state: DispatchState, _application: Application) -> Response:
    state = _dispatch_state
    if state.redirect_to is not None:
        return _slash_redirect(request, state.redirect_to)
    if state.exceptions:
        return state.exceptions[-1]
    handler = _application.error_handler
    if state.allowed_methods:
        allowed = sorted(state.allowed_methods | {"OPTIONS"})
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": ", ".join(allowed)})
        return handler.method_not_allowed_type(allowed_methods=allowed)
    return handler.not_found_type(dispatch_state=state, request=request, application=_application)


class _ContextualIfInstalled:
    """Reads as clastic-errors' ContextualErrorHandler when it is installed, else ``None``."""

    def __get__(self, obj: object, objtype: type | None = None) -> type[ErrorHandler] | None:
        if not satellite_available("clastic.errors.contextual"):
            return None
        from clastic import errors

        return errors.ContextualErrorHandler  # type: ignore[no-any-return]


class Application:
    """A WSGI application made of routes, resources, middlewares and a render factory.

    Every endpoint, render function and middleware hook has its arguments
    checked when the Application is built; a name with no source, or with two,
    raises a ``NameError`` subclass naming the route and the closest name.

    Args:
        routes: :class:`Route` objects, :class:`SubApplication` objects, or
            tuples: ``(pattern, endpoint[, render])`` or ``(prefix, Application)``.
        resources: Values that live as long as the Application, injected by name.
        middlewares: Middlewares applied to every route.
        render_factory: Turns non-callable render arguments (template names)
            into render functions.
        error_handler: An :class:`~clastic.errors.ErrorHandler`; defaults to
            ``ErrorHandler()``, or ``ContextualErrorHandler()`` (clastic-errors)
            when *debug* is true.
        debug: Show error details in responses. Never in production.
        slash_mode: ``S_REDIRECT`` (default), ``S_REWRITE`` or ``S_STRICT``.
    """

    request_type: type[Request] = Request
    response_type: type[Response] = Response
    default_error_handler_type: type[ErrorHandler] = ErrorHandler
    #: Error handler type for ``debug=True``: ContextualErrorHandler when
    #: clastic-errors is installed, else ``None`` (the plain handler is used).
    #: Override it in a subclass or on an instance.
    default_debug_error_handler_type: type[ErrorHandler] | None = _ContextualIfInstalled()  # type: ignore[assignment]

    def __init__(
        self,
        routes: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        middlewares: Sequence[object] | None = None,
        render_factory: Any = None,
        error_handler: ErrorHandler | None = None,
        *,
        debug: bool = False,
        slash_mode: str = S_REDIRECT,
    ) -> None:
        if slash_mode not in SLASH_MODES:
            raise ValueError(f"unknown slash_mode {slash_mode!r}, expected one of {list(SLASH_MODES)}")
        self.debug = bool(debug)
        self.slash_mode = slash_mode
        self.resources = _check_resources(resources)
        self.middlewares = middleware_tuple(middlewares, "Application")
        for mw in self.middlewares:
            check_middleware(mw)
        self.render_factory = render_factory
        _check_routes_argument(routes)
        self._routes: list[BoundRoute] = []
        # Every add(), as given, so with_resources() can rebuild the Application.
        self._entries: list[tuple[Any, int | None, dict[str, Any]]] = []
        self._request_ids = itertools.count()
        self._changing = threading.Lock()  # add() and set_error_handler() one at a time
        self.error_handler: ErrorHandler = (
            self._default_error_handler() if error_handler is None else _check_error_handler(error_handler)
        )
        for entry in routes or ():
            self._insert(entry, None, {})
        self._rebuild()

    # -- building ------------------------------------------------------------

    def _default_error_handler(self) -> ErrorHandler:
        if not self.debug:
            return self.default_error_handler_type()
        return (self.default_debug_error_handler_type or self.default_error_handler_type)()

    def set_error_handler(self, error_handler: ErrorHandler | None = None) -> None:
        """Replace the error handler (``None`` restores the default).

        As in the original, routes already added keep the error renderer they
        were bound with; the new handler renders the errors of routes added
        afterwards, of unmatched requests (404, 405) and of uncaught exceptions.
        """
        handler = self._default_error_handler() if error_handler is None else _check_error_handler(error_handler)
        with self._changing:
            self.error_handler = handler
            self._rebuild()

    def _bind_entry(self, entry: Any, **kwargs: Any) -> list[BoundRoute]:
        if isinstance(entry, SubApplication):
            return entry.bind_all(self)
        if isinstance(entry, Route):
            if kwargs:
                raise TypeError(f"unexpected keyword arguments for a Route: {sorted(kwargs)}")
            return [entry.bind(self)]
        if isinstance(entry, (tuple, list)) and len(entry) >= 2 and isinstance(entry[0], str):
            if isinstance(entry[1], Application):
                return SubApplication(*entry, **kwargs).bind_all(self)
            if 2 <= len(entry) <= 4 and not kwargs:
                return [Route(*entry).bind(self)]
        raise TypeError(
            f"could not create a route from {entry!r}: expected a Route, a SubApplication, or a tuple "
            "(pattern, endpoint[, render[, render_error]]) or (prefix, Application)"
        )

    def add(self, entry: Any, index: int | None = None, **kwargs: Any) -> None:
        """Add a :class:`Route`, :class:`SubApplication` or tuple, checking it now.

        *index* inserts the new routes at that position (they are tried
        before later ones). Keyword arguments (``rebind_render``,
        ``inherit_slashes``) apply to an embedded Application.

        It may be called while the Application serves: the routing tables are
        rebuilt and then swapped in, so a request already being handled
        finishes with the routes it started with.
        """
        with self._changing:
            self._insert(entry, index, kwargs)
            self._rebuild()

    def _insert(self, entry: Any, index: int | None, kwargs: dict[str, Any]) -> None:
        bound = self._bind_entry(entry, **kwargs)
        routes = list(self._routes)  # a new list: requests in flight keep iterating the old one
        if index is None:
            routes.extend(bound)
        else:
            routes[index:index] = bound
        self._routes = routes
        self._entries.append((entry, index, kwargs))

    def with_resources(self, **overrides: Any) -> Application:
        """Return a rebuilt copy of this Application with some resource values replaced.

        Meant for tests (``app.with_resources(db=FakeDB())``): the copy is
        checked and compiled like the original, and the override also reaches
        embedded Applications and route-level resources of the same name. An
        unknown name raises :class:`~clastic.exceptions.UnknownResourceError`
        (a ``LookupError``) naming the closest resource.
        """
        known = self._resource_names()
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise UnknownResourceError(
                f"with_resources(): no resource named {unknown[0]!r} in this Application "
                f"(resources: {sorted(known)}).{did_you_mean(unknown[0], known)}"
            )
        return self._rebuilt(overrides)

    def _resource_names(self) -> set[str]:
        names = set(self.resources)
        for entry, _index, _kwargs in self._entries:
            child = _embedded_app(entry)
            if child is not None:
                names |= child._resource_names()
            elif isinstance(entry, Route):
                names |= set(entry.resources)
        return names

    def _rebuilt(self, overrides: Mapping[str, Any]) -> Application:
        new = copy.copy(self)
        new.resources = {key: overrides.get(key, value) for key, value in self.resources.items()}
        new._routes, new._entries = [], []
        new._request_ids = itertools.count()
        new._changing = threading.Lock()
        for entry, index, kwargs in self._entries:
            new._insert(_entry_with_resources(entry, overrides), index, kwargs)
        new._rebuild()
        return new

    def _rebuild(self) -> None:
        # Each table is built whole before it is assigned, so a request running
        # in another thread sees a complete old or new router, null route and
        # WSGI wrapper (during a change it may see new ones next to old ones,
        # which only differ by the routes just added). Changes themselves are
        # serialised by self._changing.
        null_route = NullRoute().bind(self)
        router = Router(self._routes)
        url_index = _index_names(self._routes)
        wsgi = self._wrap_wsgi(null_route)
        self._null_route, self._router, self._url_index, self._wsgi = null_route, router, url_index, wsgi

    def _wrap_wsgi(self, null_route: BoundRoute) -> WSGIApplication | None:
        """Return the WSGI callable wrapped by every ``wsgi_wrapper``, or ``None`` if there are none."""
        wsgi: WSGIApplication = self._dispatch_wsgi
        wrappers: list[Callable[[WSGIApplication], WSGIApplication]] = []
        if self.error_handler.wsgi_wrapper is not None:
            wrappers.append(self.error_handler.wsgi_wrapper)
        seen: list[object] = []
        for route in [*self._routes, null_route]:
            for mw in route.middlewares:
                wrapper = getattr(mw, "wsgi_wrapper", None)
                if wrapper is not None and not any(mw is other for other in seen):
                    seen.append(mw)
        wrappers.extend(getattr(mw, "wsgi_wrapper") for mw in reversed(seen))
        if not wrappers:
            return None
        for wrapper in wrappers:
            wrapped = wrapper(wsgi)
            if not callable(wrapped):
                raise TypeError(f"expected a WSGI callable from the WSGI wrapper {wrapper!r}, got {wrapped!r}")
            wsgi = wrapped
        return wsgi

    # -- introspection -------------------------------------------------------

    @property
    def routes(self) -> tuple[BoundRoute, ...]:
        """The bound routes, in dispatch order."""
        return tuple(self._routes)

    def iter_routes(self) -> Iterator[BoundRoute]:
        """Yield the bound routes in dispatch order."""
        return iter(tuple(self._routes))

    def url_for(self, name: Any, /, *, _query: Mapping[str, Any] | None = None, _base_url: str | None = None, **values: Any) -> str:
        """Build the path of a route from its name (or endpoint) and field values.

        >>> app = Application([('/u/<uid:int>', lambda uid: uid, render_basic)])  # doctest: +SKIP
        >>> app.url_for('<lambda>', uid=3, _query={'tab': 'files'})  # doctest: +SKIP
        '/u/3?tab=files'

        *name* is a route's ``name``, an endpoint's ``__name__`` or the
        endpoint itself. With *_base_url* (e.g. ``request.url_root``) the URL
        is absolute.
        """
        key = name if isinstance(name, str) else id(name)
        candidates = self._url_index.get(key)
        if not candidates:
            label = name if isinstance(name, str) else repr(name)
            names = [k for k in self._url_index if isinstance(k, str)]
            raise URLBuildError(f"no route named {label!r} (route names: {sorted(names)}).{did_you_mean(str(label), names)}")
        given = set(values)
        for route in candidates:
            required = {b.name for b in route.parsed.bindings if not b.is_optional}
            if required <= given <= set(route.parsed.fields):
                path = route.parsed.build(values)
                break
        else:
            if len(candidates) == 1:
                path = candidates[0].parsed.build(values)  # raises with the precise problem
            else:
                options = "; ".join(f"{r.pattern!r} takes {list(r.parsed.fields)}" for r in candidates)
                raise URLBuildError(f"no route named {name!r} takes the fields {sorted(given)} ({options})")
        if _query:
            path += "?" + urlencode(_query, doseq=True)
        if _base_url:
            path = _base_url.rstrip("/") + path
        return path

    def get_local_client(self) -> Client:
        """Return a Werkzeug test client for this Application, requesting from 127.0.0.1."""
        from clastic.testing import LocalClient

        return LocalClient(self)

    def serve(self, *args: Any, **kwargs: Any) -> Any:
        """Serve this Application with the development server (see :func:`clastic.server.serve`)."""
        from clastic.server import serve

        return serve(self, *args, **kwargs)

    # -- serving -------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._wsgi is not None:  # WSGI wrappers from middlewares or the error handler
            return self._wsgi(environ, start_response)
        return self._dispatch_wsgi(environ, start_response)

    def _dispatch_wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # populate_request=False: putting the request into its own environ makes a
        # reference cycle per request, left for the garbage collector to find.
        request = self.request_type(environ, populate_request=False)
        request.request_id = next(self._request_ids)
        try:
            response = self.dispatch(request)
        except RerouteWSGI as reroute:
            return reroute.wsgi_app(environ, start_response)
        # _upload_streams: clastic's Request records every upload file; "files" covers other request types.
        if request.__dict__.get("_upload_streams") or request.__dict__.get("files"):
            # Uploads are spooled to temporary files: close them now, or once a
            # streamed response (which might still read them) is sent.
            if response.is_streamed:
                response.call_on_close(request.close)
            else:
                request.close()
        return respond(response, environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route *request* and return the response (errors rendered)."""
        state = DispatchState()
        path = request.path
        method = request.method
        for route in self._router.candidates(path):
            values = route.match_path(path)
            if values is None:
                continue
            state.attempted_routes.append(route)
            if route.methods is not None and method not in route.methods:
                state.allowed_methods.update(route.methods)
                continue
            canonical = route.redirect_path(path)
            if canonical is not None:
                # Answered by the null route, so the application's middlewares
                # (logging, CORS, ...) see the redirect like any other response.
                state.redirect_to = canonical
                break
            request.path_params = values
            response = self._execute(route, request, state, values)
            if isinstance(response, HTTPException):
                if response.source_route is None:
                    response.source_route = route
                if not response.is_breaking:
                    state.exceptions.append(response)
                    continue
                return self._render_error(route, request, state, response)
            return response
        request.path_params = {}
        response = self._execute(self._null_route, request, state, {})
        if isinstance(response, HTTPException):
            route = response.source_route or self._null_route
            return self._render_error(route, request, state, response)
        return response

    def _execute(self, route: BoundRoute, request: Request, state: DispatchState, values: dict[str, Any]) -> Response:
        try:
            response = route.execute(request, state, **values)
            if not isinstance(response, Response):
                raise _not_a_response(route, response)
        except HTTPException as ex:
            return ex
        except WerkzeugHTTPException as ex:
            return from_werkzeug(ex)
        except RerouteWSGI:
            raise
        except Exception:  # the one place that catches everything: answer 500 and log the traceback
            return self.error_handler.uncaught_to_response(
                _application=self, _route=route, request=request, _dispatch_state=state
            )
        return response

    def _render_error(self, route: BoundRoute, request: Request, state: DispatchState, error: HTTPException) -> Response:
        try:
            response = route.execute_error(request, state, error)
        except Exception:  # a broken error renderer must not hide the original error
            logger.exception("render_error for route %r failed; answering with the original %r", route.pattern, error)
            return error.transcribe(request)
        if not isinstance(response, Response):
            logger.error("render_error for route %r returned %r, not a Response", route.pattern, type(response))
            return error.transcribe(request)
        return response

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} routes_count={len(self._routes)} resources_keys={sorted(self.resources)} "
            f"middlewares={list(self.middlewares)!r} render_factory={self.render_factory!r} "
            f"slash_mode={self.slash_mode!r} debug={self.debug!r}>"
        )


def _not_a_response(route: BoundRoute, value: Any) -> TypeError:
    hooks = [type(mw).__name__ for mw in route.middlewares if getattr(mw, "request", None) is not None]
    source = f"its request middlewares ({', '.join(hooks)}) or its render function" if hooks else "its render function"
    return TypeError(
        f"route {route.pattern!r}: expected a Response from {source}, got {type(value).__name__} ({value!r:.80})"
    )


def _embedded_app(entry: Any) -> Application | None:
    if isinstance(entry, SubApplication):
        return entry.app
    if isinstance(entry, (tuple, list)) and len(entry) >= 2 and isinstance(entry[1], Application):
        return entry[1]
    return None


def _entry_with_resources(entry: Any, overrides: Mapping[str, Any]) -> Any:
    """Return *entry* with resource overrides applied to embedded apps and routes."""
    if isinstance(entry, SubApplication):
        return SubApplication(entry.prefix or "/", entry.app._rebuilt(overrides), entry.rebind_render, entry.inherit_slashes)
    if isinstance(entry, (tuple, list)) and len(entry) >= 2 and isinstance(entry[1], Application):
        return (entry[0], entry[1]._rebuilt(overrides), *entry[2:])
    if isinstance(entry, Route) and set(entry.resources) & set(overrides):
        route = copy.copy(entry)
        route.resources = {key: overrides.get(key, value) for key, value in entry.resources.items()}
        return route
    return entry


def _check_routes_argument(routes: Any) -> None:
    single = isinstance(routes, (Route, SubApplication)) or (
        isinstance(routes, tuple) and len(routes) >= 2 and isinstance(routes[0], str) and callable(routes[1])
    )
    if single:
        raise TypeError(
            f"Application(routes=...) takes a list of routes, got a single one ({routes!r:.80}); wrap it in a list: [...]"
        )
    if routes is not None and (isinstance(routes, (str, bytes, Mapping)) or not isinstance(routes, Iterable)):
        raise TypeError(f"Application(routes=...) takes a list of routes, got {type(routes).__name__} ({routes!r:.80})")


# What the Application calls on its error handler.
_ERROR_HANDLER_API = (
    "render_error",
    "uncaught_to_response",
    "not_found_type",
    "method_not_allowed_type",
    "wsgi_wrapper",
)


def _check_error_handler(handler: Any) -> ErrorHandler:
    if isinstance(handler, type):
        raise TypeError(
            f"Application(error_handler=...) takes an error handler instance, got the class {handler.__name__}; "
            f"call it: error_handler={handler.__name__}()"
        )
    missing = [name for name in _ERROR_HANDLER_API if not hasattr(handler, name)]
    if missing:
        raise TypeError(
            f"Application(error_handler=...) got {handler!r:.80}, which lacks {', '.join(missing)}; "
            "pass an instance of clastic.errors.ErrorHandler or a subclass of it"
        )
    return handler  # type: ignore[no-any-return]


def _check_resources(resources: Mapping[str, Any] | None) -> dict[str, Any]:
    if resources is not None and not isinstance(resources, Mapping):
        raise TypeError(
            f"Application(resources=...) takes a dict of name -> value, got {type(resources).__name__} ({resources!r:.80})"
        )
    resources = dict(resources or {})
    bad = [key for key in resources if not isinstance(key, str) or not key.isidentifier()]
    if bad:
        raise TypeError(f"resource names must be strings that are valid Python identifiers, got {bad!r}")
    reserved = sorted(key for key in resources if key in RESERVED_ARGS)
    if reserved:
        raise ReservedArgumentError(
            f"resource names conflict with builtins: {reserved} (reserved names: {list(RESERVED_ARGS)}); rename them"
        )
    return resources


def _index_names(routes: Sequence[BoundRoute]) -> dict[Any, list[BoundRoute]]:
    index: dict[Any, list[BoundRoute]] = {}
    for route in routes:
        keys: list[Any] = [route.name] if route.name else []
        endpoint_name = getattr(route.endpoint, "__name__", None)
        if not route.name and isinstance(endpoint_name, str):
            keys.append(endpoint_name)
        keys.append(id(route.endpoint))
        for key in keys:
            index.setdefault(key, []).append(route)
    return index


def _slash_redirect(request: Request, canonical: str) -> Response:
    # 302 as the original for safe methods; 308 keeps the method and body of a POST.
    return redirect_to_path(request, canonical, 302 if request.method in ("GET", "HEAD") else 308)

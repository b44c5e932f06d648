"""The Application: routes, resources, middlewares and a render factory, built once.

Constructing an :class:`Application` binds every route, resolves every
argument of every endpoint, render function and middleware hook, and
compiles each route's call chain. Mistakes surface here, before the first
request; a request only looks up and calls.

Kept for compatibility with Clastic 26: :data:`MIME_SUPPORT_MAP`,
:data:`S_STRICT`, ``ContextualErrorHandler`` (from clastic-errors, resolved
lazily), :func:`cast_to_route_factory`, :func:`check_valid_wsgi`,
:func:`default_render_error`, and the re-exports ``check_middlewares``,
``check_render_error``, ``get_arg_names``, ``normalize_path``,
``create_dev_server_parser``, ``run_simple`` and ``int2hexguid``.
"""

from __future__ import annotations

import copy
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from clastic import errors, types
from clastic._app_helpers import check_error_handler, check_render_factory, check_resources, index_names
from clastic._app_helpers import check_valid_wsgi as check_valid_wsgi
from clastic._app_helpers import default_render_error as default_render_error
from clastic._client import LocalClient
from clastic._dispatch import Dispatcher
from clastic._dispatch_state import DispatchState as DispatchState
from clastic._dispatch_state import RerouteWSGI as RerouteWSGI
from clastic._moved import make_module_getattr, satellite_available
from clastic._router import Router
from clastic.errors.handler import ErrorHandler
from clastic.errors.http import MIME_SUPPORT_MAP as MIME_SUPPORT_MAP
from clastic.exceptions import (
    UnknownResourceError,
    URLBuildError,
    did_you_mean,
)
from clastic.middleware.core import check_middleware, middleware_tuple
from clastic.middleware.core import check_middlewares as check_middlewares
from clastic.route import S_REDIRECT, SLASH_MODES, BoundRoute, NullRoute, Route
from clastic.route import S_STRICT as S_STRICT
from clastic.route import check_render_error as check_render_error
from clastic.route import get_arg_names as get_arg_names
from clastic.route import normalize_path as normalize_path
from clastic.utils import int2hexguid as int2hexguid
from clastic.wrappers import Request, Response

if TYPE_CHECKING:
    from clastic.types import RenderFactory, StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "MIME_SUPPORT_MAP",
    "S_STRICT",
    "Application",
    "DispatchState",
    "RerouteWSGI",
    "SubApplication",
    "cast_to_route_factory",
    "check_middlewares",
    "check_render_error",
    "check_valid_wsgi",
    "default_render_error",
    "get_arg_names",
    "int2hexguid",
    "normalize_path",
]

logger = logging.getLogger("clastic.application")

# ContextualErrorHandler (clastic-errors) and the dev-server helpers
# (clastic.server imports this module) resolve on first use, from clastic._moved's table.
__getattr__ = make_module_getattr(__name__)


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

    def __init__(
        self, prefix: str, app: Application, rebind_render: bool = False, inherit_slashes: bool = True
    ) -> None:
        if not isinstance(app, Application):
            raise TypeError(f"SubApplication expects an Application to embed, got {app!r}")
        self.prefix = prefix.rstrip("/")
        self.app = app
        self.rebind_render = rebind_render
        self.inherit_slashes = inherit_slashes

    def bind_all(self, parent: Application) -> list[BoundRoute]:
        """Re-bind every route of the embedded Application into *parent*.

        *parent*'s middlewares replace equal ones of the embedded routes, and
        each replacement is logged once (INFO: configuring what it embeds is
        the embedding Application's role, as with resources).
        """
        bound: list[BoundRoute] = []
        drops: dict[tuple[int, int], tuple[object, object, list[str]]] = {}
        for route in self.app.routes:
            rebound, dropped = route._rebind(parent, self.prefix, self.rebind_render, self.inherit_slashes)
            bound.append(rebound)
            for mw, kept in dropped:
                drops.setdefault((id(mw), id(kept)), (mw, kept, []))[2].append(rebound.pattern)
        for mw, kept, patterns in drops.values():
            logger.info(
                "embedding %r at %r: its middleware %r is dropped in favour of "
                "the embedding Application's equal %r (routes %s)",
                self.app, self.prefix or "/", mw, kept, ", ".join(patterns),
            )
        return bound

    def iter_routes(self) -> Iterator[BoundRoute]:
        """Yield the embedded Application's routes, as bound in it."""
        return self.app.iter_routes()

    def __repr__(self) -> str:
        return f"SubApplication({self.prefix!r}, {self.app!r})"


# Routes are immutable once written; one null route serves every Application.
_NULL_ROUTE = NullRoute()


class _ContextualIfInstalled:
    """Reads as clastic-errors' ContextualErrorHandler when it is installed, else ``None``."""

    def __get__(self, obj: object, objtype: type | None = None) -> type[ErrorHandler] | None:
        if not satellite_available("clastic.errors.contextual"):
            return None
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
            into render functions: any :class:`~clastic.types.RenderFactory`.
        error_handler: Any object with the members of the
            :class:`clastic.types.ErrorHandler` protocol, such as the stock
            :class:`~clastic.errors.ErrorHandler`; defaults to
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
        render_factory: RenderFactory | None = None,
        error_handler: types.ErrorHandler | None = None,
        *,
        debug: bool = False,
        slash_mode: str = S_REDIRECT,
    ) -> None:
        if slash_mode not in SLASH_MODES:
            raise ValueError(f"unknown slash_mode {slash_mode!r}, expected one of {list(SLASH_MODES)}")
        self.debug = bool(debug)
        self.slash_mode = slash_mode
        self.resources = check_resources(resources)
        self.middlewares = middleware_tuple(middlewares, "Application")
        for mw in self.middlewares:
            check_middleware(mw)
        self.render_factory = check_render_factory(render_factory)
        _check_routes_argument(routes)
        self._routes: list[BoundRoute] = []
        # Every add(), as given, so with_resources() can rebuild the Application.
        self._entries: list[tuple[Any, int | None, dict[str, Any]]] = []
        self._request_ids = itertools.count()
        self._changing = threading.Lock()  # add() and set_error_handler() one at a time
        # Any object with the members of the clastic.types.ErrorHandler protocol will do.
        self.error_handler: types.ErrorHandler = self._checked_error_handler(error_handler)
        for entry in routes or ():
            self._insert(entry, None, {})
        self._rebuild()

    # -- building ------------------------------------------------------------

    def _default_error_handler(self) -> types.ErrorHandler:
        if not self.debug:
            return self.default_error_handler_type()
        return (self.default_debug_error_handler_type or self.default_error_handler_type)()

    def _checked_error_handler(self, error_handler: object) -> types.ErrorHandler:
        if error_handler is None:
            return self._default_error_handler()
        return check_error_handler(error_handler)

    def set_error_handler(self, error_handler: types.ErrorHandler | None = None) -> None:
        """Replace the error handler (``None`` restores the default).

        As in the original, routes already added keep the error renderer they
        were bound with; the new handler renders the errors of routes added
        afterwards, of unmatched requests (404, 405) and of uncaught exceptions.
        """
        handler = self._checked_error_handler(error_handler)
        with self._changing:
            self.error_handler = handler
            self._rebuild()

    def _bind_entry(self, entry: Any, **kwargs: Any) -> list[BoundRoute]:
        if kwargs and isinstance(entry, (tuple, list)) and _embedded_app(entry) is not None:
            entry = SubApplication(*entry, **kwargs)
        elif kwargs and isinstance(entry, Route):
            raise TypeError(f"unexpected keyword arguments for a Route: {sorted(kwargs)}")
        elif kwargs and not isinstance(entry, SubApplication):
            raise _not_a_route(entry)
        factory = cast_to_route_factory(entry)
        if isinstance(factory, SubApplication):
            return factory.bind_all(self)
        return [factory.bind(self)]

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
        null_route = _NULL_ROUTE.bind(self)
        router = Router(self._routes)
        url_index = index_names(self._routes)
        dispatcher = Dispatcher(self, self._routes, router.candidates, null_route, self._request_ids)
        wsgi = self._wrap_wsgi(null_route)
        self._null_route, self._router, self._url_index, self._dispatcher = null_route, router, url_index, dispatcher
        self._wsgi = wsgi
        if wsgi is None:
            # Straight to the dispatcher, unless a subclass overrides a step on the way.
            plain = (
                type(self).dispatch is Application.dispatch
                and type(self)._dispatch_wsgi is Application._dispatch_wsgi
            )
            wsgi = dispatcher.wsgi if plain else self._dispatch_wsgi
        self._entry: WSGIApplication = wsgi

    def _wrap_wsgi(self, null_route: BoundRoute) -> WSGIApplication | None:
        """Return the WSGI callable wrapped by every ``wsgi_wrapper``, or ``None`` if there are none."""
        wsgi: WSGIApplication = self._dispatch_wsgi
        wrappers: list[Callable[[WSGIApplication], WSGIApplication]] = []
        if self.error_handler.wsgi_wrapper is not None:
            wrappers.append(self.error_handler.wsgi_wrapper)
        seen: list[Any] = []
        for route in [*self._routes, null_route]:
            for mw in route.middlewares:
                wrapper = getattr(mw, "wsgi_wrapper", None)
                # Equal middlewares (one class, see Middleware.__eq__) wrap once, as in Clastic 26.
                if wrapper is not None and not any(mw is other or mw == other for other in seen):
                    seen.append(mw)
        wrappers.extend(mw.wsgi_wrapper for mw in reversed(seen))
        if not wrappers:
            return None
        for wrapper in wrappers:
            wrapped = wrapper(wsgi)
            try:
                check_valid_wsgi(wrapped)
            except TypeError as ex:
                raise TypeError(
                    f"expected a WSGI callable from the WSGI wrapper {wrapper!r}, got {wrapped!r}: {ex}"
                ) from None
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

    def url_for(
        self,
        name: Any,
        /,
        *,
        _query: Mapping[str, Any] | None = None,
        _base_url: str | None = None,
        **values: Any,
    ) -> str:
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
            raise URLBuildError(
                f"no route named {label!r} (route names: {sorted(names)}).{did_you_mean(str(label), names)}"
            )
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

    def get_local_client(self) -> LocalClient:
        """Return a Werkzeug test client for this Application, requesting from 127.0.0.1."""
        return LocalClient(self)

    def serve(self, *args: Any, **kwargs: Any) -> Any:
        """Serve this Application with the development server (see :func:`clastic.server.serve`)."""
        from clastic.server import serve

        return serve(self, *args, **kwargs)

    # -- serving -------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # The dispatcher's entry point, or the WSGI wrappers of middlewares and the error handler around it.
        return self._entry(environ, start_response)

    def _dispatch_wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # What the WSGI wrappers wrap: the current dispatcher, looked up per request.
        if type(self).dispatch is not Application.dispatch:  # a subclass's dispatch() sees every request
            return self._dispatcher.wsgi_through_dispatch(environ, start_response)
        return self._dispatcher.wsgi(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route *request* and return the response (errors rendered).

        The WSGI entry point does the same without building the request
        first; see :mod:`clastic._dispatch`.
        """
        return self._dispatcher.dispatch(request)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} routes_count={len(self._routes)} resources_keys={sorted(self.resources)} "
            f"middlewares={list(self.middlewares)!r} render_factory={self.render_factory!r} "
            f"slash_mode={self.slash_mode!r} debug={self.debug!r}>"
        )


def cast_to_route_factory(in_arg: Any) -> Route | SubApplication:
    """Turn one entry of an Application's routes into a :class:`Route` or :class:`SubApplication`.

    ``(pattern, endpoint[, render[, render_error]])`` gives a Route,
    ``(prefix, Application[, rebind_render[, inherit_slashes]])`` a
    SubApplication; Routes and SubApplications are returned as they are.
    Anything else raises ``TypeError``. Kept under Clastic 26's name;
    Applications use it for every entry.
    """
    if isinstance(in_arg, (Route, SubApplication)):
        return in_arg
    if isinstance(in_arg, (tuple, list)) and len(in_arg) >= 2 and isinstance(in_arg[0], str):
        if isinstance(in_arg[1], Application):
            return SubApplication(*in_arg)
        if len(in_arg) <= 4:
            return Route(*in_arg)
    raise _not_a_route(in_arg)


def _not_a_route(entry: Any) -> TypeError:
    return TypeError(
        f"could not create a route from {entry!r}: expected a Route, a SubApplication, or a tuple "
        "(pattern, endpoint[, render[, render_error]]) or (prefix, Application)"
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
        return SubApplication(
            entry.prefix or "/", entry.app._rebuilt(overrides), entry.rebind_render, entry.inherit_slashes
        )
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
            f"Application(routes=...) takes a list of routes, got a single one ({routes!r:.80}); "
            "wrap it in a list: [...]"
        )
    if routes is not None and (isinstance(routes, (str, bytes, Mapping)) or not isinstance(routes, Iterable)):
        raise TypeError(f"Application(routes=...) takes a list of routes, got {type(routes).__name__} ({routes!r:.80})")



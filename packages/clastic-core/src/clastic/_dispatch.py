"""How a request reaches a route and its answer reaches the server: the dispatch machinery.

An :class:`~clastic.Application` builds a :class:`Dispatcher` whenever its
routes change. The dispatcher does work only on demand:

* It routes on ``PATH_INFO`` and ``REQUEST_METHOD`` from the environ,
  decoded as Werkzeug's ``Request`` decodes them
  (:func:`clastic._fast_wsgi.environ_route`).
* A path that only routes without bindings match (``/``, ``/about``) is
  looked up in a table built with the dispatcher (:func:`exact_paths`):
  no router walk, no pattern matching.
* It builds the :class:`~clastic.Request` only when something asks for it:
  a route whose compiled chain passes ``request`` to a callable (the
  endpoint, a middleware hook, a render, ``**kwargs``), an error renderer
  other than the default one, an uncaught exception's handler, or a render
  such as :data:`~clastic.render.render_basic` that needs it only for some
  results and asks for it then. Built late, it is the same request it
  would have been: same id, same ``path_params``, one per request.
* It creates the :class:`DispatchState` only once routing has something to
  record in it, or a chain asks for ``_dispatch_state``.
* A render that holds a complete body may return it as a ``(status,
  content type, body)`` triple instead of a Response; the triple goes
  straight to ``start_response`` (:func:`clastic._fast_wsgi.write_raw`).
  Such renders only run this way on routes without request or render
  middleware hooks. Under request hooks, the hooks get a
  :class:`~clastic._fast_wsgi.DeferredResponse` instead: a Werkzeug
  ``Response`` built the moment a hook reads it, and sent as the triple
  if none did. The render still gets the request only if it needs it:
  the chain is given a *request cell* (``[request or None, dispatcher,
  environ, request id, path params]``) to build it from
  (:func:`clastic._fast_wsgi.respond_direct`).
* An unmatched request on an Application whose null route runs no hooks,
  with the stock ``NotFound`` and error renderer, is answered with the
  404 body prepared once per negotiated type.

:meth:`Dispatcher.route` is also what :meth:`Application.dispatch
<clastic.Application.dispatch>` runs for a request built by the caller; it
then returns only Response objects.

:class:`~clastic.DispatchState`, :class:`~clastic.RerouteWSGI` and the null
route's handler live below the routes, in :mod:`clastic._dispatch_state`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException

from clastic._app_helpers import default_render_error, not_a_response
from clastic._dispatch_state import DispatchState, RerouteWSGI
from clastic._fast_wsgi import (
    DeferredResponse,
    environ_route,
    materialise,
    raw_to_response,
    respond,
    routes_on_environ,
    write_raw,
)
from clastic.errors._base import HTTPException, negotiate_accept
from clastic.errors.handler import ErrorHandler
from clastic.errors.http import NotFound, from_werkzeug
from clastic.wrappers import Response

if TYPE_CHECKING:
    from clastic.route import BoundRoute
    from clastic.types import ApplicationLike, StartResponse, WSGIEnvironment
    from clastic.wrappers import Request

__all__ = ["Dispatcher"]

logger = logging.getLogger("clastic.application")

#: ``candidates(path)``: the routes that may match *path*, in route order (``Router.candidates``).
Candidates = Callable[[str], "tuple[BoundRoute, ...]"]


def _state_with(route: BoundRoute) -> DispatchState:
    """Return a new DispatchState that records *route*, the first route it learns about."""
    state = DispatchState()
    state.add_route(route)
    return state


def _close_uploads(request: Request, result: Any) -> None:
    """Close the files *request* spooled uploads to: now, or once a streamed *result* is sent."""
    # _upload_streams: clastic's Request records every upload file; "files" covers other request types.
    attrs = request.__dict__
    if attrs.get("_upload_streams") or attrs.get("files"):
        # A streamed response might still read them.
        if type(result) is not tuple and result.is_streamed:
            result.call_on_close(request.close)
        else:
            request.close()


def _renders_by_default(route: BoundRoute) -> bool:
    """True when *route* renders errors with the stock renderer, which reads only ``Accept`` and the path."""
    render_error = route.render_error
    return render_error is default_render_error or getattr(render_error, "__func__", None) is ErrorHandler.render_error


def exact_paths(routes: Sequence[BoundRoute], candidates: Candidates) -> dict[str, tuple[BoundRoute, ...]]:
    """Map the literal paths that only routes without bindings match to those routes, in route order.

    For such a path, the dispatcher skips the router and the matchers: the
    routes it would find, and their (empty) URL values, are known at build.
    A path that a route with bindings also matches, or that a route would
    redirect, is left out and routed the general way.
    """
    table: dict[str, tuple[BoundRoute, ...]] = {}
    for route in routes:
        path = route.parsed.text
        if route._converts or path in table:
            continue
        matching: list[BoundRoute] = []
        for candidate in candidates(path):
            if candidate.match_path(path) is None:
                continue
            if candidate._converts or (candidate._redirects and candidate.redirect_path(path) is not None):
                break
            matching.append(candidate)
        else:
            if matching:
                table[path] = tuple(matching)
    return table


class Dispatcher:
    """Routes the requests of one Application; rebuilt whenever its routes change."""

    __slots__ = ("_environ_type", "_ids", "app", "candidates", "exact", "null_route", "plain_null_route")

    def __init__(
        self,
        app: ApplicationLike,
        routes: Sequence[BoundRoute],
        candidates: Candidates,
        null_route: BoundRoute,
        request_ids: Iterator[int],
    ) -> None:
        self.app = app
        #: ``candidates(path)``: the routes that may match *path*, in order (see :class:`~clastic._router.Router`).
        self.candidates = candidates
        #: The routes that answer a literal path, looked up before matching (see :func:`exact_paths`).
        self.exact = exact_paths(routes, candidates)
        self.null_route = null_route
        #: True when the null route runs no middleware hook and renders errors the stock way.
        self.plain_null_route = not null_route._has_hooks and _renders_by_default(null_route)
        #: The Application's request ids (``next()`` gives each request its own).
        self._ids = request_ids
        self._environ_type: type | None = None

    def new_request(self, environ: WSGIEnvironment, request_id: int, path_params: dict[str, Any]) -> Request:
        """Build the request of *environ*, as the Application names it."""
        request: Request = self.app.request_type(environ, populate_request=False)
        request.request_id = request_id
        request.path_params = path_params
        return request

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request: the Application's WSGI entry point."""
        request_id = next(self._ids)
        request_type = self.app.request_type
        if request_type is self._environ_type or self._check_environ_type(request_type):
            request = None
            path, method = environ_route(environ)
        else:  # the request class decides the path or method itself: build it first
            request = request_type(environ, populate_request=False)
            request.request_id = request_id
            path, method = request.path, request.method
        try:
            result, request = self.route(environ, path, method, request_id, request, True)
        except RerouteWSGI as reroute:
            return reroute.wsgi_app(environ, start_response)
        if request is not None:
            _close_uploads(request, result)
        if type(result) is tuple:
            return write_raw(result, environ, start_response)
        if type(result) is DeferredResponse and len(result.__dict__) == 1:  # passed through hooks untouched
            return write_raw(result._clastic_raw, environ, start_response)
        return respond(result, environ, start_response)

    def wsgi_through_dispatch(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point of an Application subclass that overrides ``dispatch()``: build the request, call it.

        As Clastic 26 did for every request: the subclass's ``dispatch``
        sees every request, built first.
        """
        request = self.app.request_type(environ, populate_request=False)
        request.request_id = next(self._ids)
        try:
            response = self.app.dispatch(request)
        except RerouteWSGI as reroute:
            return reroute.wsgi_app(environ, start_response)
        _close_uploads(request, response)
        return respond(response, environ, start_response)

    def _check_environ_type(self, request_type: type) -> bool:
        # Remember the last request class that routes on the environ (see routes_on_environ).
        if routes_on_environ(request_type):
            self._environ_type = request_type
            return True
        return False

    def dispatch(self, request: Request) -> Response:
        """Route a request built by the caller and return the response (errors rendered)."""
        result, _request = self.route(request.environ, request.path, request.method, request.request_id, request, False)
        if type(result) is tuple:
            return raw_to_response(result)
        if type(result) is DeferredResponse:
            return materialise(result)  # the caller gets a plain Response
        response: Response = result
        return response

    def route(  # noqa: C901 - the per-request loop, kept in one frame on purpose
        self,
        environ: WSGIEnvironment,
        path: str,
        method: str,
        request_id: int,
        request: Request | None,
        raw_ok: bool,
    ) -> tuple[Any, Request | None]:
        """Find the route that answers and run it; return its answer and the request, if one was built.

        The answer is a Response, or (from a render that only the server
        sees, and from the prepared 404 when *raw_ok*) a ``(status, content
        type, body)`` triple.
        """
        state: DispatchState | None = None
        exact = self.exact.get(path)
        values: dict[str, Any] | None
        for route in self.candidates(path) if exact is None else exact:
            if exact is None:
                values = route.match_path(path)
                if values is None:
                    continue
            else:
                values = {}
            if state is not None:
                state.add_route(route)
            methods = route.methods
            if methods is not None and method not in methods:
                if state is None:
                    state = _state_with(route)
                state.update_methods(methods)
                continue
            if route._redirects and exact is None:
                canonical = route.redirect_path(path)
                if canonical is not None:
                    # Answered by the null route, so the application's middlewares
                    # (logging, CORS, ...) see the redirect like any other response.
                    if state is None:
                        state = _state_with(route)
                    state.redirect_to = canonical
                    break
            cell: list[Any] | None = None
            given: Any  # what the chain gets as its request: the request, a request cell or None
            if request is not None:
                request.path_params = values
                given = request
            elif route._needs_request:
                request = given = self.new_request(environ, request_id, values)
            elif route._lazy_cell:
                # The render's direct form builds the request from this cell if it needs it (see respond_direct).
                given = cell = [None, self, environ, request_id, values]
            else:
                given = None
            if state is None and route._needs_state:
                state = _state_with(route)
            try:
                # (A call without the unpacking when there is nothing to unpack is cheaper.)
                result = route._execute(given, state, *values.values()) if values else route._execute(given, state)
                if type(result) is DeferredResponse:  # a render's body that request hooks passed on
                    return result, request if cell is None else cell[0]
                if type(result) is tuple and route._direct:
                    if result[0] is None:  # the render needs the request after all (see BasicRender)
                        if request is None:
                            request = self.new_request(environ, request_id, values)
                        render_direct = route._render_direct
                        assert render_direct is not None  # only a chain with a direct render returns triples
                        result = render_direct(result[1], request, route)
                elif not isinstance(result, Response):
                    raise not_a_response(route, result)
            except HTTPException as ex:
                result = ex
            except WerkzeugHTTPException as ex:
                result = from_werkzeug(ex)
            except RerouteWSGI:
                raise
            except Exception:  # the one place that catches everything: answer 500 and log the traceback
                if request is None and cell is not None:
                    request = cell[0]
                if request is None:
                    request = self.new_request(environ, request_id, values)
                if state is None:
                    state = _state_with(route)
                result = self.app.error_handler.uncaught_to_response(
                    _application=self.app, _route=route, request=request, _dispatch_state=state
                )
            if request is None and cell is not None:
                request = cell[0]
            if isinstance(result, HTTPException):
                if state is None:
                    state = _state_with(route)
                if result.source_route is None:
                    result.source_route = route
                if not result.is_breaking:
                    state.add_exception(result)
                    continue
                return self.render_error(route, request, state, result, environ, path, request_id, values)
            return result, request
        return self.route_unmatched(environ, path, method, request_id, request, state, raw_ok)

    def route_unmatched(
        self,
        environ: WSGIEnvironment,
        path: str,
        method: str,
        request_id: int,
        request: Request | None,
        state: DispatchState | None,
        raw_ok: bool,
    ) -> tuple[Any, Request | None]:
        """Run the null route: a redirect, a non-breaking error, 405, OPTIONS or 404."""
        null_route = self.null_route
        if state is None:
            if raw_ok and self.plain_null_route:
                prepared = self.prepared_not_found(environ)
                if prepared is not None:
                    return prepared, request
            state = DispatchState()
        if request is None:
            request = self.new_request(environ, request_id, {})
        else:
            request.path_params = {}
        try:
            result = null_route._execute(request, state)
            if not isinstance(result, Response):
                raise not_a_response(null_route, result)
        except HTTPException as ex:
            result = ex
        except WerkzeugHTTPException as ex:
            result = from_werkzeug(ex)
        except RerouteWSGI:
            raise
        except Exception:  # as in route(): answer 500 and log the traceback
            result = self.app.error_handler.uncaught_to_response(
                _application=self.app, _route=null_route, request=request, _dispatch_state=state
            )
        if isinstance(result, HTTPException):
            route = result.source_route or null_route
            return self.render_error(route, request, state, result, environ, path, request_id, {})
        return result, request

    def prepared_not_found(self, environ: WSGIEnvironment) -> tuple[int, str, bytes] | None:
        """Return the stock 404 for *environ*'s ``Accept`` as a raw triple, if it can be prepared.

        It can when the error handler's ``not_found_type`` is the stock
        ``NotFound`` (whose body carries nothing from the request) and the
        negotiated type is not problem details (whose ``instance`` is the
        path); the body is rendered once per type and kept.
        """
        if self.app.error_handler.not_found_type is not NotFound:
            return None
        return NotFound.prepared_for_accept(environ.get("HTTP_ACCEPT"))

    def render_error(
        self,
        route: BoundRoute,
        request: Request | None,
        state: DispatchState,
        error: HTTPException,
        environ: WSGIEnvironment,
        path: str,
        request_id: int,
        path_params: dict[str, Any],
    ) -> tuple[Response, Request | None]:
        """Render *error* with *route*'s error renderer; a broken renderer gives the plain error."""
        if request is None:
            if _renders_by_default(route) and type(error).transcribe is HTTPException.transcribe:
                # What error.transcribe(request) does, from the environ: no request needed.
                error.instance = path
                return error.adapt(negotiate_accept(environ.get("HTTP_ACCEPT"))), None
            request = self.new_request(environ, request_id, path_params)
        try:
            response = route._execute_error(request, state, error)
        except Exception:  # a broken error renderer must not hide the original error
            logger.exception("render_error for route %r failed; answering with the original %r", route.pattern, error)
            return error.transcribe(request), request
        if not isinstance(response, Response):
            logger.error("render_error for route %r returned %r, not a Response", route.pattern, type(response))
            return error.transcribe(request), request
        return response, request

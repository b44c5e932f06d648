"""One request's routing record, a route's way to hand a request over, and the answer when no route takes it.

:class:`DispatchState` and :class:`RerouteWSGI` are public as
:class:`clastic.DispatchState` and :class:`clastic.RerouteWSGI` (also in
:mod:`clastic.application`). :func:`handle_sentinel_condition` is the
endpoint of every Application's null route (:class:`clastic.route.NullRoute`).
The dispatcher that fills them in is :mod:`clastic._dispatch`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from clastic.utils import redirect_to_path
from clastic.wrappers import Response

if TYPE_CHECKING:
    from clastic.application import Application
    from clastic.errors.http import HTTPException
    from clastic.route import BoundRoute
    from clastic.types import WSGIApplication
    from clastic.wrappers import Request

__all__ = ["DispatchState", "RerouteWSGI", "handle_sentinel_condition"]


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


def handle_sentinel_condition(request: Request, _dispatch_state: DispatchState, _application: Application) -> Response:
    """Answer a request no route took (the null route's endpoint), from what routing recorded.

    In order: the slash redirect a branch route asked for; the last
    non-breaking error a route returned; for a path that matched only with
    other methods, ``204`` with ``Allow`` to ``OPTIONS`` and ``405``
    otherwise; else the error handler's ``404``.
    """
    state = _dispatch_state
    if state.redirect_to is not None:
        # 302 as the original for safe methods; 308 keeps the method and body of a POST.
        return redirect_to_path(request, state.redirect_to, 302 if request.method in ("GET", "HEAD") else 308)
    if state.exceptions:
        return state.exceptions[-1]
    handler = _application.error_handler
    if state.allowed_methods:
        allowed = sorted(state.allowed_methods | {"OPTIONS"})
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": ", ".join(allowed)})
        return handler.method_not_allowed_type(allowed_methods=allowed)
    return handler.not_found_type(dispatch_state=state, request=request, application=_application)

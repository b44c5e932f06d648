"""One request's routing record, and a route's way to hand a request over.

:class:`DispatchState` and :class:`RerouteWSGI` are public as
:class:`clastic.DispatchState` and :class:`clastic.RerouteWSGI` (also in
:mod:`clastic.application`). The dispatcher that fills them in is
:mod:`clastic._dispatch`; the null route reads them (:mod:`clastic._null_route`).
This module imports nothing of Clastic's at run time, so the HTTP errors
can annotate with :class:`DispatchState` without an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clastic.errors._base import HTTPException
    from clastic.types import WSGIApplication

__all__ = ["DispatchState", "RerouteWSGI"]


class DispatchState:
    """What routing learned while handling one request (injectable as ``_dispatch_state``)."""

    __slots__ = ("allowed_methods", "attempted_routes", "exceptions", "redirect_to")

    def __init__(self) -> None:
        #: Non-breaking HTTP errors raised or returned by routes tried so far.
        self.exceptions: list[HTTPException] = []
        #: Methods of routes whose path matched but whose methods did not.
        self.allowed_methods: set[str] = set()
        #: Routes whose path matched, in the order they were tried (:class:`~clastic.route.BoundRoute`
        #: objects; typed loosely so that this module, below :mod:`clastic.route`, need not import it).
        self.attempted_routes: list[Any] = []
        #: The canonical path a slash redirect sends the client to, once a route asked for one.
        self.redirect_to: str | None = None

    def add_route(self, route: Any) -> None:
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

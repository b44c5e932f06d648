"""Decorator routes in the style of Bottle, kept for compatibility with Clastic 26.

::

    from clastic.cline import Cline

    app = Cline()

    @app.get("/hello/<name>")
    def hello(name):
        return {"greeting": f"Hello, {name}!"}

    app.run(port=8000)

:class:`Cline` is an :class:`~clastic.Application` whose routes are added one
by one by decorators, each checked as it is added: a mistake (an argument
nothing provides) fails at the decorator, and the error names the decorated
function's file and line. With ``autorender`` (the default) a route without
a render gets :data:`~clastic.render_basic`.

The module-level :data:`DEFAULT_APP` and the functions :func:`route`,
:func:`get`, :func:`post`, :func:`put`, :func:`delete`, :func:`patch`,
:func:`head` and :func:`run` bound to it are global state, kept because
Clastic 26 scripts use them. New code is clearer with a list of routes
passed to ``Application(...)``, which also keeps every route of the
application in one place, or at least with its own ``Cline()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from clastic._dev.introspect import callable_location
from clastic.application import Application
from clastic.exceptions import ClasticError
from clastic.render.simple import render_basic
from clastic.route import Route
from clastic.server import DEFAULT_ADDRESS, DEFAULT_PORT

__all__ = ["DEFAULT_APP", "Cline", "delete", "get", "head", "patch", "post", "put", "route", "run"]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# The build errors a route can raise when it is added (all derive from these).
_BUILD_ERRORS = (ClasticError, NameError, TypeError, ValueError, LookupError)


class Cline(Application):
    """An Application built with decorators: ``@app.route('/path')``, ``@app.get(...)``, ...

    Kept for compatibility with Clastic 26; ``Application([...routes...])``
    is the usual way to build one.

    Args:
        autorender: Give routes declared without a ``render`` the
            :data:`~clastic.render_basic` render, so endpoints may return
            strings, dicts and lists.
        **app_kwargs: Passed to :class:`~clastic.Application` (``resources``,
            ``middlewares``, ``render_factory``, ``error_handler``,
            ``debug``, ``slash_mode``, even ``routes``).
    """

    def __init__(self, autorender: bool = True, **app_kwargs: Any) -> None:
        #: Whether routes without a render get ``render_basic``.
        self.autorender = autorender
        super().__init__(**app_kwargs)

    def route(
        self,
        path: str,
        methods: Iterable[str] | None = None,
        endpoint: Callable[..., Any] | None = None,
        **route_kwargs: Any,
    ) -> Any:
        """Add a route answering *path* with the decorated function (or *endpoint*).

        As a decorator, ``@app.route('/items', methods=['GET', 'POST'])``
        adds the function and returns it unchanged; called with *endpoint*,
        ``app.route('/items', endpoint=list_items)`` adds it at once and
        returns it. *route_kwargs* go to :class:`~clastic.Route`:
        ``render``, ``render_error``, ``middlewares``, ``resources``,
        ``slash_mode``, ``name``. The route is checked as it is added; a
        build error names the function's file and line.
        """
        if "endpoint_func" in route_kwargs and endpoint is None:  # the original's name for it
            endpoint = route_kwargs.pop("endpoint_func")

        def decorator(func: F) -> F:
            self._add_route(path, func, methods, route_kwargs)
            return func

        if endpoint is not None:
            return decorator(endpoint)
        return decorator

    def _add_route(
        self, path: str, func: Callable[..., Any], methods: Iterable[str] | None, route_kwargs: dict[str, Any]
    ) -> None:
        kwargs = dict(route_kwargs)
        if self.autorender and kwargs.get("render") is None:
            kwargs["render"] = render_basic
        try:
            self.add(Route(path, func, methods=methods, **kwargs))
        except _BUILD_ERRORS as ex:
            where = callable_location(func)
            if where and len(ex.args) == 1 and isinstance(ex.args[0], str):
                # Same exception, same class and attributes: only the message gains the place.
                ex.args = (f"{ex.args[0]} (in the route {path!r} declared at {where})",)
            elif where:
                ex.add_note(f"in the route {path!r} declared at {where}")
            raise

    def get(self, path: str, endpoint: Callable[..., Any] | None = None, **kw: Any) -> Any:
        """Add a route that answers GET (and HEAD); see :meth:`route`."""
        return self.route(path, ["GET"], endpoint, **kw)

    def post(self, path: str, endpoint: Callable[..., Any] | None = None, **kw: Any) -> Any:
        """Add a route that answers POST; see :meth:`route`."""
        return self.route(path, ["POST"], endpoint, **kw)

    def put(self, path: str, endpoint: Callable[..., Any] | None = None, **kw: Any) -> Any:
        """Add a route that answers PUT; see :meth:`route`."""
        return self.route(path, ["PUT"], endpoint, **kw)

    def delete(self, path: str, endpoint: Callable[..., Any] | None = None, **kw: Any) -> Any:
        """Add a route that answers DELETE; see :meth:`route`."""
        return self.route(path, ["DELETE"], endpoint, **kw)

    def patch(self, path: str, endpoint: Callable[..., Any] | None = None, **kw: Any) -> Any:
        """Add a route that answers PATCH; see :meth:`route`."""
        return self.route(path, ["PATCH"], endpoint, **kw)

    def head(self, path: str, endpoint: Callable[..., Any] | None = None, **kw: Any) -> Any:
        """Add a route that answers HEAD only; see :meth:`route`."""
        return self.route(path, ["HEAD"], endpoint, **kw)

    def run(self, address: str = DEFAULT_ADDRESS, port: int = DEFAULT_PORT, **kw: Any) -> None:
        """Serve this application with the development server (``serve()``) until interrupted.

        *kw* are :func:`clastic.server.serve`'s options (``use_reloader``,
        ``use_meta``, ...). The address defaults to loopback,
        ``127.0.0.1``, where Clastic 26 bound ``0.0.0.0``: pass
        ``address='0.0.0.0'`` to let other machines connect.
        """
        self.serve(address, port, **kw)

    def __repr__(self) -> str:
        return f"<Cline autorender={self.autorender!r} routes={len(self.routes)}>"


#: The application the module-level functions add routes to (global state; see the module docstring).
DEFAULT_APP = Cline()

route = DEFAULT_APP.route
get = DEFAULT_APP.get
post = DEFAULT_APP.post
put = DEFAULT_APP.put
delete = DEFAULT_APP.delete
patch = DEFAULT_APP.patch
head = DEFAULT_APP.head
run = DEFAULT_APP.run

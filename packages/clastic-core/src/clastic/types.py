"""Type aliases and protocols for annotating code that works with Clastic.

``WSGIApplication``, ``WSGIEnvironment`` and ``StartResponse`` describe the
WSGI callables Clastic produces and wraps. :class:`ErrorHandler` and
:class:`RenderFactory` are what an Application calls on the objects given as
``error_handler=`` and ``render_factory=``: any object with those members
will do, whether or not it subclasses Clastic's own classes.

This module imports nothing from the rest of Clastic, not even for
annotations, so any module may use it without closing an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

__all__ = ["ErrorHandler", "RenderFactory", "StartResponse", "WSGIApplication", "WSGIEnvironment"]

WSGIEnvironment = dict[str, Any]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApplication = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]


@runtime_checkable
class ErrorHandler(Protocol):
    """What an Application calls on its ``error_handler``.

    :class:`clastic.errors.ErrorHandler` is the stock implementation; subclass
    it, or give any object with these members. ``Application(...)`` checks
    that they are all there, and callable, when it is built.
    """

    def render_error(self, *args: Any, **kwargs: Any) -> Response:
        """Turn an HTTP error into the response sent; its arguments are injected by name.

        It receives what it asks for, like an endpoint: the error as ``_error``,
        the built-ins (``request``, ``_application``, ``_route``,
        ``_dispatch_state``) and the Application's resources. Routes without a
        ``render_error`` of their own use it; it is checked when they are built.
        """

    def uncaught_to_response(self, _application: Any, _route: Any, **kwargs: Any) -> Response:
        """Return the response for the exception being handled (an HTTP error is rendered by ``render_error``).

        Called inside the ``except`` block that caught it, with the
        Application, the route being run (the null route when none matched)
        and, by name, ``request`` and ``_dispatch_state``. May re-raise it.
        """

    # The two error types return a clastic.errors.HTTPException, which is a Response;
    # naming the Response keeps this module free of imports from the rest of Clastic.

    @property
    def not_found_type(self) -> Callable[..., Response]:
        """Called as ``not_found_type(dispatch_state=..., request=..., application=...)`` when no route matches.

        Returns the :class:`~clastic.errors.HTTPException` (a 404) to render.
        """

    @property
    def method_not_allowed_type(self) -> Callable[..., Response]:
        """Called as ``method_not_allowed_type(allowed_methods=[...])`` when routes match the path, not the method.

        Returns the :class:`~clastic.errors.HTTPException` (a 405) to render.
        """

    @property
    def wsgi_wrapper(self) -> Callable[[WSGIApplication], WSGIApplication] | None:
        """``None``, or called once when the Application is built, to wrap its WSGI callable."""


@runtime_checkable
class RenderFactory(Protocol):
    """Turns a route's render argument (a template name, say) into a render function.

    ``Application(render_factory=...)`` calls it once per route whose render
    argument is not callable, with that argument, when the route is bound.
    It returns the render function, which is injected like an endpoint
    (``context`` is the endpoint's result) and returns the Response. Raise
    ``LookupError`` or ``ValueError`` with a clear message when the argument
    cannot be used (a missing template); the Application adds the route.
    """

    def __call__(self, render_arg: Any, /) -> Callable[..., Any]:
        """Return the render function for *render_arg*."""

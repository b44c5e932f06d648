"""Type aliases and protocols for annotating code that works with Clastic.

``WSGIApplication``, ``WSGIEnvironment`` and ``StartResponse`` describe the
WSGI callables Clastic produces and wraps. :class:`ErrorHandler` and
:class:`RenderFactory` are what an Application calls on the objects given as
``error_handler=`` and ``render_factory=``: any object with those members
will do, whether or not it subclasses Clastic's own classes.
:class:`ArgSource` says where a route's argument comes from: the values of
``BoundRoute.arg_sources``, for introspection tools and plugins.

This module imports nothing from the rest of Clastic, not even for
annotations, so any module may use it without closing an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args, runtime_checkable

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

__all__ = [
    "ARG_SOURCE_KINDS",
    "ApplicationLike",
    "ArgSource",
    "ArgSourceKind",
    "ErrorHandler",
    "RenderFactory",
    "StartResponse",
    "WSGIApplication",
    "WSGIEnvironment",
]

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


class ApplicationLike(Protocol):
    """What routes, the dispatcher and the null route read of the Application they serve.

    :class:`clastic.Application` is the implementation; ``BoundRoute.application``
    and the ``_application`` built-in are one. Core's modules below the
    Application (``clastic.route``, ``clastic._dispatch``...) annotate with this
    protocol instead of importing it, so no import points back up at it.
    """

    @property
    def resources(self) -> Mapping[str, Any]:
        """Resources injected by name, given to every route of the Application."""

    @property
    def middlewares(self) -> Sequence[object]:
        """The Application-level middlewares, applied to every route."""

    @property
    def render_factory(self) -> RenderFactory | None:
        """Turns non-callable render arguments into render functions, if given."""

    @property
    def error_handler(self) -> ErrorHandler:
        """Renders HTTP errors and uncaught exceptions."""

    @property
    def slash_mode(self) -> str:
        """How trailing slashes are handled by default (``S_REDIRECT``, ``S_REWRITE``, ``S_STRICT``)."""

    @property
    def debug(self) -> bool:
        """Whether error details are shown in responses."""

    @property
    def request_type(self) -> type[Any]:
        """The class requests are built with (:class:`clastic.Request` or a subclass)."""

    @property
    def routes(self) -> Sequence[Any]:
        """The bound routes (:class:`~clastic.route.BoundRoute`), in dispatch order."""

    def dispatch(self, request: Any, /) -> Any:
        """Route *request* and return the Response (errors rendered)."""

    def url_for(self, name: Any, /, **values: Any) -> str:
        """Build the path of the route called *name* (or with that endpoint) from field values."""


#: Where an argument can come from (see :class:`ArgSource`): a value bound
#: from the URL pattern, a resource, a name a middleware provides, a built-in
#: (``request``, ``_route``, ``_application``, ``_dispatch_state``,
#: ``context``), or the parameter's own default.
ArgSourceKind = Literal["url", "resource", "middleware", "builtin", "default"]

#: Every :data:`ArgSourceKind`, in the order ``clastic routes`` lists them.
ARG_SOURCE_KINDS: tuple[ArgSourceKind, ...] = get_args(ArgSourceKind)

# The words ``clastic routes`` has always shown for each kind (a middleware shows its class name).
_LABELS: dict[str, str] = {"url": "url", "resource": "resources", "builtin": "builtins", "default": "default"}


@dataclass(frozen=True, slots=True)
class ArgSource:
    """Where a route gets one argument from: a value of ``BoundRoute.arg_sources``.

    Every argument of a route's endpoint, render and middleware hooks has
    one, decided when the route is bound. *kind* is one of
    :data:`ARG_SOURCE_KINDS`; for ``"middleware"``, *provider* is the
    providing middleware's class name and *middleware* the middleware
    itself (both ``None`` for the other kinds). Records compare by kind and
    provider name; ``str()`` gives the label ``clastic routes`` shows.

    >>> from clastic import Application, Middleware, render_basic
    >>> class Visitor(Middleware):
    ...     provides = ("visitor",)
    ...     def request(self, next):
    ...         return next(visitor="ann")
    >>> def page(name, db, visitor, request, flag=False):
    ...     return name
    >>> app = Application([("/<name>", page, render_basic)], resources={"db": None}, middlewares=[Visitor()])
    >>> sources = app.routes[0].arg_sources
    >>> sources["name"]
    ArgSource(kind='url', provider=None)
    >>> sources["db"].kind, sources["request"].kind, sources["flag"].kind
    ('resource', 'builtin', 'default')
    >>> sources["visitor"]
    ArgSource(kind='middleware', provider='Visitor')
    >>> sources["visitor"].middleware is app.middlewares[0]
    True
    >>> str(sources["visitor"]), str(sources["request"])
    ('Visitor', 'builtins')
    """

    #: Which kind of source it is.
    kind: ArgSourceKind
    #: The providing middleware's class name for ``"middleware"``, else ``None``.
    provider: str | None = None
    #: The providing middleware object for ``"middleware"``, else ``None``.
    middleware: object | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ARG_SOURCE_KINDS:
            raise ValueError(f"ArgSource kind must be one of {list(ARG_SOURCE_KINDS)} (got {self.kind!r})")
        if (self.kind == "middleware") != (self.provider is not None):
            raise ValueError(
                f"ArgSource provider names the middleware of kind 'middleware' and is None for the others "
                f"(got kind={self.kind!r}, provider={self.provider!r})"
            )

    @property
    def label(self) -> str:
        """The text ``clastic routes`` shows: ``url``, ``resources``, ``builtins``, ``default`` or the class name.

        >>> ArgSource("resource").label
        'resources'
        """
        return self.provider if self.provider is not None else _LABELS[self.kind]

    def __str__(self) -> str:
        """Return :attr:`label`."""
        return self.label

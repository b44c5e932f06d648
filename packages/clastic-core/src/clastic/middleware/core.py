"""The Middleware protocol: request, endpoint and render hooks around routes.

"Dial 'M' for Middleware": a middleware may define three hooks, each taking
``next`` as its first argument::

    (endpoint)     (render)
        |\\          /|
        | \\        / |
   endpoint()\\    /render()
        ^     \\  /    v
    -- -- -- --*-- -- -- --
        |             |
   request() ^        v request()
        |             |
    (Request)     (Response)

``request`` wraps both the endpoint and the render step, ``endpoint`` wraps
the endpoint, ``render`` wraps the render function. Each hook calls ``next``
with the names its middleware declared in ``provides`` (``endpoint_provides``,
``render_provides``), which then become injectable further in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from clastic.exceptions import MiddlewareError

if TYPE_CHECKING:
    from clastic.types import WSGIApplication

__all__ = [
    "HOOK_NAMES",
    "MIDDLEWARE_PROTOCOL",
    "DummyMiddleware",
    "Middleware",
    "check_middleware",
    "merge_middlewares",
    "middleware_tuple",
]

logger = logging.getLogger(__name__)

#: The version of the hook protocol this core implements. A middleware built
#: for another version is refused when the Application is built.
MIDDLEWARE_PROTOCOL = 1

#: Hook method name -> the class attribute that lists what that hook provides.
HOOK_NAMES: dict[str, str] = {
    "request": "provides",
    "endpoint": "endpoint_provides",
    "render": "render_provides",
}


class Middleware:
    """Base class for middlewares; subclass it and define any of the hooks.

    Example, a middleware that times each request and provides the start time::

        class TimingMiddleware(Middleware):
            provides = ("start_time",)

            def request(self, next, request):
                start = time.perf_counter()
                response = next(start_time=start)
                logger.info("%s took %.3fs", request.path, time.perf_counter() - start)
                return response
    """

    #: Hook protocol version this middleware was written for.
    protocol_version: ClassVar[int] = MIDDLEWARE_PROTOCOL
    #: Names the ``request`` hook passes to ``next``.
    provides: ClassVar[Sequence[str]] = ()
    #: Names the ``endpoint`` hook passes to ``next``.
    endpoint_provides: ClassVar[Sequence[str]] = ()
    #: Names the ``render`` hook passes to ``next``.
    render_provides: ClassVar[Sequence[str]] = ()
    #: An optional ``wsgi_wrapper(wsgi_app) -> wsgi_app`` around the whole Application.
    wsgi_wrapper: Callable[[WSGIApplication], WSGIApplication] | None = None

    request: Callable[..., Any] | None = None
    endpoint: Callable[..., Any] | None = None
    render: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        """The middleware's class name, used in messages."""
        return type(self).__name__

    def iter_hooks(self) -> Iterable[tuple[str, Callable[..., Any], tuple[str, ...]]]:
        """Yield ``(hook_name, hook, provides)`` for each hook this middleware defines."""
        for hook_name, provides_attr in HOOK_NAMES.items():
            hook = getattr(self, hook_name, None)
            if hook is not None:
                yield hook_name, hook, tuple(getattr(self, provides_attr, ()) or ())

    @property
    def requires(self) -> list[str]:
        """Arguments the hooks need without defaults (``next`` and ``context`` excluded)."""
        from clastic._inject import read_signature

        needed: list[str] = []
        for _hook_name, hook, _provides in self.iter_hooks():
            for arg in read_signature(hook).required:
                if arg not in ("next", "context") and arg not in needed:
                    needed.append(arg)
        return needed

    @property
    def arguments(self) -> list[str]:
        """Every argument any hook accepts (``next`` excluded)."""
        from clastic._inject import read_signature

        names: list[str] = []
        for _hook_name, hook, _provides in self.iter_hooks():
            for arg in read_signature(hook).names:
                if arg != "next" and arg not in names:
                    names.append(arg)
        return names

    def __repr__(self) -> str:
        return f"{self.name}()"


def middleware_tuple(middlewares: Any, where: str) -> tuple[object, ...]:
    """Return *middlewares* (a list or tuple of middleware objects, or ``None``) as a tuple.

    A single middleware given where a list is expected is the common slip
    (``middlewares=Log()``); it gets a :class:`MiddlewareError` saying how to fix it.
    """
    if middlewares is None:
        return ()
    if isinstance(middlewares, (str, bytes, Mapping)) or not isinstance(middlewares, Iterable):
        name = type(middlewares).__name__
        raise MiddlewareError(
            f"{where}: middlewares must be a list of middleware objects, got {middlewares!r:.80} ({name}); "
            f"to use a single one, wrap it in a list: middlewares=[{name}(...)]"
        )
    return tuple(middlewares)


def check_middleware(mw: object) -> None:
    """Raise :class:`MiddlewareError` unless *mw* follows the Middleware protocol."""
    from clastic._inject import read_signature

    label = type(mw).__name__
    version = getattr(mw, "protocol_version", MIDDLEWARE_PROTOCOL)
    if type(version) is not int:
        raise MiddlewareError(
            f"{label}.protocol_version must be an int such as {MIDDLEWARE_PROTOCOL} (the middleware protocol "
            f"it was written for), got {version!r} ({type(version).__name__})"
        )
    if version > MIDDLEWARE_PROTOCOL:
        raise MiddlewareError(
            f"{label} was written for middleware protocol version {version}, newer than the version "
            f"{MIDDLEWARE_PROTOCOL} this clastic-core implements; upgrade clastic-core"
        )
    if version != MIDDLEWARE_PROTOCOL:
        raise MiddlewareError(
            f"{label} was written for middleware protocol version {version}, but this clastic-core "
            f"implements version {MIDDLEWARE_PROTOCOL}; upgrade the package that provides {label}"
        )
    found_hook = False
    for hook_name, provides_attr in HOOK_NAMES.items():
        hook = getattr(mw, hook_name, None)
        provides = getattr(mw, provides_attr, ()) or ()
        if isinstance(provides, str):
            raise MiddlewareError(f"{label}.{provides_attr} must be a list of names, not the string {provides!r}")
        if hook is None:
            if provides:
                raise MiddlewareError(
                    f"{label}.{provides_attr} lists {list(provides)} but {label} has no {hook_name}() hook to provide them"
                )
            continue
        found_hook = True
        if not callable(hook):
            raise MiddlewareError(f"expected {label}.{hook_name} to be a function, got {hook!r}")
        names = read_signature(hook, label=f"{label}.{hook_name}()").names
        if not names or names[0] != "next":
            raise MiddlewareError(
                f"middleware functions must take argument 'next' as the first parameter ({label}.{hook_name})"
            )
        for provided in provides:
            if not isinstance(provided, str) or not provided.isidentifier():
                raise MiddlewareError(f"{label}.{provides_attr} has {provided!r}, which is not a valid argument name")
    wrapper = getattr(mw, "wsgi_wrapper", None)
    if wrapper is not None:
        found_hook = True
        if not callable(wrapper):
            raise MiddlewareError(f"expected {label}.wsgi_wrapper to be callable, got {wrapper!r}")
    if not found_hook and not isinstance(mw, Middleware):
        raise MiddlewareError(
            f"{mw!r} is not a middleware: it defines none of request(), endpoint(), render() or wsgi_wrapper"
        )


def merge_middlewares(outer: Sequence[object], inner: Sequence[object]) -> tuple[object, ...]:
    """Combine application-level (*outer*) and route-level (*inner*) middlewares.

    Outer ones come first. A middleware *instance* present in both runs once;
    two different instances of one class both run (a conflict between what they
    provide is reported when the route is built, never silently dropped).
    """
    merged = list(outer)
    for mw in inner:
        if not any(mw is seen for seen in merged):
            merged.append(mw)
    return tuple(merged)


class DummyMiddleware(Middleware):
    """A pass-through middleware; with *verbose*, it logs each request it sees.

    Useful to check middleware ordering and as a minimal example.
    """

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose

    def request(self, next: Callable[..., Any], request: Any) -> Any:
        if self.verbose:
            logger.info("%s: %s %s", self.name, request.method, request.path)
        return next()

    def __repr__(self) -> str:
        return f"{self.name}(verbose={self.verbose!r})"

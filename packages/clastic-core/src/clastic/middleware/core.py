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

A middleware whose hook arguments are chosen by its user (a session
argument's name, the names copied into a render context) builds the hook with
:func:`make_hook` and checks each name with :func:`check_arg_name`.

Middlewares of one class are equal (:meth:`Middleware.__eq__`): when a route
or an embedded Application carries one equal to one of the embedding
Application's, the Application's instance is kept (see
:func:`merge_middlewares`), and the drop is logged.

Kept for compatibility with Clastic 26: :func:`check_middlewares`,
:func:`make_middleware_chain`, and ``compile_code``, ``get_arg_names`` and
``make_chain`` (from :mod:`clastic.sinter`).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from clastic._chain import compile_chain
from clastic._inject import HOOK_NAMES as HOOK_NAMES
from clastic._inject import RESERVED_ARGS, read_signature
from clastic.exceptions import ClasticError, ConflictingProvidesError, MiddlewareError, ReservedArgumentError
from clastic.sinter import compile_code as compile_code
from clastic.sinter import get_arg_names as get_arg_names
from clastic.sinter import make_chain as make_chain

if TYPE_CHECKING:
    from clastic.types import WSGIApplication

__all__ = [
    "HOOK_NAMES",
    "MIDDLEWARE_PROTOCOL",
    "DummyMiddleware",
    "DuplicateMiddlewareError",
    "Middleware",
    "check_arg_name",
    "check_middleware",
    "check_middlewares",
    "compile_code",
    "get_arg_names",
    "make_chain",
    "make_hook",
    "make_middleware_chain",
    "merge_middlewares",
    "middleware_tuple",
    "split_duplicates",
]

logger = logging.getLogger(__name__)

#: The version of the hook protocol this core implements. A middleware built
#: for another version is refused when the Application is built.
MIDDLEWARE_PROTOCOL = 1

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
    #: True: where a route or embedded Application carries one equal to the
    #: Application's, only the Application's runs. False: each instance runs.
    unique: ClassVar[bool] = True
    #: False: such a duplicate is an error (``DuplicateMiddlewareError``) instead
    #: of being dropped in favour of the Application's instance.
    reorderable: ClassVar[bool] = True

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
        needed: list[str] = []
        for _hook_name, hook, _provides in self.iter_hooks():
            for arg in read_signature(hook).required:
                if arg not in ("next", "context") and arg not in needed:
                    needed.append(arg)
        return needed

    @property
    def arguments(self) -> list[str]:
        """Every argument any hook accepts (``next`` excluded)."""
        names: list[str] = []
        for _hook_name, hook, _provides in self.iter_hooks():
            for arg in read_signature(hook).names:
                if arg != "next" and arg not in names:
                    names.append(arg)
        return names

    def __eq__(self, other: object) -> bool:
        """Middlewares of the same class are equal (Clastic 26's rule, used to merge them)."""
        if not isinstance(other, Middleware):
            return NotImplemented
        return type(self) is type(other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return f"{self.name}()"


class DuplicateMiddlewareError(ClasticError, ValueError):
    """A non-reorderable middleware given both to an Application and to a route or embedded Application in it."""


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
    label = type(mw).__name__
    _check_protocol_version(mw, label)
    found_hook = False
    for hook_name, provides_attr in HOOK_NAMES.items():
        found_hook = _check_hook(mw, label, hook_name, provides_attr) or found_hook
    wrapper = getattr(mw, "wsgi_wrapper", None)
    if wrapper is not None:
        found_hook = True
        if not callable(wrapper):
            raise MiddlewareError(f"expected {label}.wsgi_wrapper to be callable, got {wrapper!r}")
    if not found_hook and not isinstance(mw, Middleware):
        raise MiddlewareError(
            f"{mw!r} is not a middleware: it defines none of request(), endpoint(), render() or wsgi_wrapper"
        )


def _check_protocol_version(mw: object, label: str) -> None:
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


def _check_hook(mw: object, label: str, hook_name: str, provides_attr: str) -> bool:
    """Check one hook and what it provides; return whether *mw* defines it."""
    hook = getattr(mw, hook_name, None)
    provides = getattr(mw, provides_attr, ()) or ()
    if isinstance(provides, str):
        raise MiddlewareError(f"{label}.{provides_attr} must be a list of names, not the string {provides!r}")
    if hook is None:
        if provides:
            raise MiddlewareError(
                f"{label}.{provides_attr} lists {list(provides)} but {label} has no {hook_name}() hook "
                "to provide them"
            )
        return False
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
    return True


def check_arg_name(name: object, *, owner: str, what: str = "argument name") -> str:
    """Return *name* if a middleware may provide or inject it under that name; raise otherwise.

    For names a middleware's user chooses (``GetParamMiddleware(["q"])``, a
    session middleware's ``arg_name``): call it in ``__init__`` so a bad name
    fails when the middleware is made, with a message naming the middleware.

    Args:
        name: The name to check.
        owner: Who asks, for the message (``'SessionMiddleware'``).
        what: What the name is, for the message (``'arg_name'``).

    Raises:
        TypeError: *name* is not a string.
        ValueError: *name* is not a Python identifier, so no endpoint could take it.
        ReservedArgumentError: *name* is one of :data:`~clastic.RESERVED_ARGS`
            (``request``, ``next``, ``context``...) or ``self`` (a ``NameError``).

    >>> check_arg_name("user_id", owner="AuthMiddleware")
    'user_id'
    >>> check_arg_name("request", owner="AuthMiddleware")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    clastic.exceptions.ReservedArgumentError: AuthMiddleware: argument name 'request' is reserved ...
    """
    if not isinstance(name, str):
        raise TypeError(f"{owner}: {what} must be a string, got {name!r} ({type(name).__name__})")
    if not name.isidentifier():
        raise ValueError(
            f"{owner}: {what} {name!r} is not a valid Python identifier, so no endpoint could take it as an "
            "argument; use letters, digits and underscores (for example 'target_url')"
        )
    if name in RESERVED_ARGS or name == "self":
        raise ReservedArgumentError(
            f"{owner}: {what} {name!r} is reserved (reserved names: {list(RESERVED_ARGS)}); choose another name"
        )
    return name


def make_hook(
    impl: Callable[..., Any],
    *,
    name: str,
    required: Iterable[str] = (),
    optional: Mapping[str, Any] | None = None,
    takes_context: bool = False,
) -> Callable[..., Any]:
    """Return a hook ``(next, [context,] *required, **optional)`` that calls ``impl(next, **values)``.

    The Application injects a hook's arguments by the names in its signature,
    so a hook whose names are chosen when the middleware is made (by its
    user) cannot be written with ``def``. ``make_hook`` builds it: the hook
    it returns carries an explicit ``__signature__``, which the Application
    reads and checks like any other (each *required* name must have a
    source, or the Application refuses to build, naming the closest one),
    and it calls *impl* with the injected values by name. Assign it in
    ``__init__`` (``self.request = make_hook(...)``) and list what it passes
    to ``next`` in ``provides`` as usual.

    Args:
        impl: The function doing the work, called as ``impl(next, **values)``:
            every *required* name, ``context`` when *takes_context*, and
            those *optional* names that some source provides (the others are
            absent from *values*).
        name: The hook's ``__name__`` (``'request'``, ``'render'``...), shown in tracebacks.
        required: Names that must be injected.
        optional: Names injected when something provides them, with the
            defaults their signature shows.
        takes_context: Take ``context`` after ``next`` (``render`` hooks).

    Raises:
        TypeError: *impl* is not callable.

    >>> def impl(next, **values):
    ...     return next(greeting=f"hello {values['user']}")
    >>> hook = make_hook(impl, name="request", required=["user"])
    >>> import inspect; str(inspect.signature(hook))
    '(next, user)'
    >>> hook(lambda greeting: greeting, "ada")
    'hello ada'
    """
    if not callable(impl):
        raise TypeError(f"make_hook() takes the function doing the work, got {impl!r:.80}")
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("next", kind)]
    if takes_context:
        params.append(inspect.Parameter("context", kind))
    params.extend(inspect.Parameter(arg, kind) for arg in required)
    params.extend(inspect.Parameter(arg, kind, default=default) for arg, default in (optional or {}).items())
    signature = inspect.Signature(params)  # raises ValueError for a duplicate or invalid name
    # The chain passes leading arguments by position and the rest by name,
    # following the signature; map both back to names.
    names = tuple(param.name for param in params[1:])

    def hook(next: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        values = dict(zip(names, args, strict=False))  # trailing ones may come by name
        values.update(kwargs)
        return impl(next, **values)

    hook.__signature__ = signature  # type: ignore[attr-defined]  # read by inspect.signature, so by injection
    hook.__name__ = hook.__qualname__ = name
    return hook


def split_duplicates(
    old: Sequence[object], new: Sequence[object], *, where: str = ""
) -> tuple[list[object], list[tuple[object, object]]]:
    """Merge like :func:`merge_middlewares`; return ``(merged, [(dropped, kept), ...])`` without logging.

    *old* are the route's (or embedded Application's) middlewares, *new* the
    Application's. A middleware of *old* equal (``==``) to one of *new* is
    dropped in favour of it; the same instance in both is merged without
    note. A class with ``unique = False`` is kept in both places; one with
    ``reorderable = False`` raises :class:`DuplicateMiddlewareError`.
    Duplicates within one list are kept.
    """
    merged = list(new)
    dropped: list[tuple[object, object]] = []
    for mw in old:
        kept = next((app_mw for app_mw in new if app_mw is mw or app_mw == mw), None)
        if kept is None or not (getattr(mw, "unique", True) and getattr(kept, "unique", True)):
            merged.append(mw)
            continue
        if kept is mw:
            continue
        if not (getattr(mw, "reorderable", True) and getattr(kept, "reorderable", True)):
            name = type(mw).__name__
            place = f" in {where}" if where else ""
            raise DuplicateMiddlewareError(
                f"multiple inclusion of unique middleware {name}{place}: the Application has {kept!r} and the route "
                f"or embedded Application also has {mw!r}; {name} is not reorderable, so one cannot replace the "
                "other. Give it to only one of them."
            )
        dropped.append((mw, kept))
    return merged, dropped


def merge_middlewares(old: Sequence[object], new: Sequence[object]) -> list[object]:
    """Combine a route's middlewares (*old*) with its Application's (*new*).

    The Application's come first; a route-level middleware equal to one of
    them (same class, see :meth:`Middleware.__eq__`) is dropped in favour of
    the Application's instance, and the drop is logged at INFO. Kept with
    Clastic 26's argument order; raises :class:`DuplicateMiddlewareError`
    (a ``ValueError``) for a duplicate whose class has ``reorderable = False``.

    >>> merge_middlewares([DummyMiddleware(verbose=True)], [DummyMiddleware()])
    [DummyMiddleware(verbose=False)]
    """
    merged, dropped = split_duplicates(old, new)
    for mw, kept in dropped:
        logger.info("middleware %r dropped in favour of the equal %r given to the Application", mw, kept)
    return merged


def check_middlewares(middlewares: Sequence[object], args_dict: Mapping[str, Any] | None = None) -> None:
    """Check each middleware and that no name is provided twice.

    *args_dict* maps names already provided (e.g. URL values or resources)
    to their source; a middleware providing one of them is a conflict too.
    Raises :class:`MiddlewareError` or ``ConflictingProvidesError`` (a
    ``NameError``). Kept for compatibility with Clastic 26; Applications
    run these checks when they are built.
    """
    sources: dict[str, str] = {name: str(source) for name, source in (args_dict or {}).items()}
    conflicts: list[tuple[str, tuple[str, ...]]] = []
    for mw in middlewares:
        check_middleware(mw)
        for provides_attr in HOOK_NAMES.values():
            for name in getattr(mw, provides_attr, ()) or ():
                if name in sources:
                    conflicts.append((name, (sources[name], type(mw).__name__)))
                else:
                    sources[name] = type(mw).__name__
    if conflicts:
        message = f"found conflicting provides: {conflicts!r}; rename one of them"
        raise ConflictingProvidesError(message, conflicts=conflicts)


def make_middleware_chain(
    middlewares: Sequence[object],
    endpoint: Callable[..., Any],
    render: Callable[..., Any] | None,
    preprovided: Sequence[str],
) -> Callable[..., Any]:
    """Compile *middlewares* around *endpoint* and *render* into one callable.

    The result takes the *preprovided* names as keyword arguments and runs
    the hooks, endpoint and render in "M" order, as a route does; every
    argument is checked now (``NameError`` subclasses name what is missing).
    Kept for compatibility with Clastic 26; Applications build their routes'
    chains themselves.
    """
    names = list(dict.fromkeys(preprovided))
    chain = compile_chain(
        where="make_middleware_chain()",
        filename="clastic middleware chain",
        params=[(name, "preprovided") for name in names],
        constants=[],
        middlewares=list(middlewares),
        endpoint=endpoint,
        render=render,
    )
    execute = chain.execute

    def middleware_chain(**kwargs: Any) -> Any:
        __traceback_hide__ = True  # read by traceback formatters
        missing = [name for name in names if name not in kwargs]
        if missing:
            raise TypeError(f"middleware chain called without {missing} (it takes {names})")
        return execute(*[kwargs[name] for name in names])

    middleware_chain.chain_source = chain.source  # type: ignore[attr-defined]  # Clastic 26 showed the source there
    return middleware_chain


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

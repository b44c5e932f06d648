"""Read callables' signatures and resolve their arguments by name.

Clastic injects every argument of an endpoint, render function or middleware
hook by its name. This module reads signatures once (following
``functools.wraps``) and checks, at build time, that each name has exactly
one source.
"""

from __future__ import annotations

import inspect
import keyword
import types
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clastic.exceptions import InvalidEndpoint, ReservedArgumentError, UnresolvedArgumentError, did_you_mean

__all__ = [
    "BUILTIN_ARGS",
    "HOOK_NAMES",
    "RESERVED_ARGS",
    "CallableSpec",
    "get_callable_name",
    "inject",
    "read_signature",
    "variable_name",
]

#: Built-ins available to every endpoint, render function and hook.
BUILTIN_ARGS: tuple[str, ...] = ("request", "_application", "_route", "_dispatch_state")

#: Every reserved name. ``context`` is for renders and render hooks, ``next``
#: for middleware hooks (first argument) and ``_error`` for error renderers.
RESERVED_ARGS: tuple[str, ...] = (*BUILTIN_ARGS, "context", "next", "_error")

#: Middleware hook method name -> the class attribute that lists what that hook provides,
#: outermost hook first. The one table of hooks: the Application, the chain compiler and
#: introspection tools (clastic-meta) read it, as ``clastic.middleware.core.HOOK_NAMES``.
HOOK_NAMES: Mapping[str, str] = {
    "request": "provides",
    "endpoint": "endpoint_provides",
    "render": "render_provides",
}

#: Names starting with this prefix are used by generated code.
INTERNAL_PREFIX = "_clastic_"


@dataclass(frozen=True)
class CallableSpec:
    """What Clastic knows about one injectable callable."""

    #: The callable itself.
    func: Callable[..., Any]
    #: A readable name for messages, e.g. ``'hello()'``.
    label: str
    #: Every parameter name, in order.
    names: tuple[str, ...]
    #: Parameters without defaults.
    required: frozenset[str]
    #: Parameters that must be passed by position.
    positional_only: tuple[str, ...]
    #: Parameters that can only be passed by keyword (after ``*`` or ``*args``).
    keyword_only: frozenset[str] = frozenset()
    #: The name of the ``*args`` parameter, if any (it receives nothing).
    var_positional: str | None = None
    #: The name of the ``**kwargs`` parameter, if any: it receives every
    #: injectable available where the callable runs that it does not name.
    var_keyword: str | None = None

    @property
    def only_var_args(self) -> bool:
        """True when the callable takes nothing but ``*args``/``**kwargs`` (an unwrapped decorator's wrapper)."""
        return not self.names and (self.var_positional is not None or self.var_keyword is not None)


def get_callable_name(func: Any) -> tuple[str, str]:
    """Return ``(module, name)`` for functions, methods, callable objects and builtins.

    >>> get_callable_name(len)
    ('builtins', 'len')
    """
    if inspect.ismethod(func):
        owner = func.__self__
        owner_name = owner.__qualname__ if inspect.isclass(owner) else type(owner).__qualname__
        return func.__func__.__module__ or "", f"{owner_name}.{func.__func__.__name__}"
    if inspect.isfunction(func) or inspect.isbuiltin(func) or inspect.isclass(func):
        module = getattr(func, "__module__", None) or "builtins"
        return module, func.__qualname__
    cls = type(func)
    return cls.__module__, cls.__qualname__


def _label(func: Any) -> str:
    _module, name = get_callable_name(func)
    if inspect.isfunction(func) or inspect.ismethod(func) or inspect.isbuiltin(func) or inspect.isclass(func):
        return f"{name}()"
    return f"{name} instance"


def read_signature(func: Any, *, label: str | None = None) -> CallableSpec:
    """Read *func*'s parameters once; raise :class:`InvalidEndpoint` if it cannot be injected.

    Wrapped functions (``functools.wraps``) report the wrapped signature.
    Named parameters are injected by name; a ``**kwargs`` parameter receives
    every other injectable available where the callable runs and ``*args``
    receives nothing (see :attr:`CallableSpec.var_keyword`).
    """
    if not callable(func):
        raise InvalidEndpoint(f"expected a function or other callable, not: {func!r}")
    label = label or _label(func)
    try:
        parts = _cached_parameters(func)
    except TypeError:  # unhashable, or not weakly referenceable: read it uncached
        parts = _parameters(func)
    if isinstance(parts, str):
        raise InvalidEndpoint(parts.format(label=label))
    return CallableSpec(func, label, *parts)


_Parts = tuple[tuple[str, ...], frozenset[str], tuple[str, ...], frozenset[str], str | None, str | None]


# What _parameters() found, remembered while the callable lives (inspect.signature is slow, and one
# endpoint or render often serves many routes). The keys are weak: a cache must not keep an
# Application's endpoints, and what they hold (a database connection, say), alive after it is gone.
# A bound method is keyed by its function, which gives its signature: ``obj.hook`` is a new object
# on every access, but ``obj.hook.__func__`` is the same one.
_PARAMETERS: weakref.WeakKeyDictionary[Any, _Parts | str] = weakref.WeakKeyDictionary()
_METHOD_PARAMETERS: weakref.WeakKeyDictionary[Any, _Parts | str] = weakref.WeakKeyDictionary()


def _cached_parameters(func: Any) -> _Parts | str:
    """:func:`_parameters`, remembered; raises ``TypeError`` for callables it cannot remember weakly."""
    if type(func) is types.MethodType:
        cache, key = _METHOD_PARAMETERS, func.__func__
    else:
        cache, key = _PARAMETERS, func
    found = cache.get(key)  # TypeError: unhashable, or no weak reference to it (most builtins)
    if found is None:
        found = cache[key] = _parameters(func)
    return found


def _parameters(func: Any) -> _Parts | str:
    """Return the :class:`CallableSpec` fields after *label*, or an error message template."""
    try:
        signature = inspect.signature(func)
    except ValueError:
        # Some C builtins (``dict``, ``print``) expose no signature; they are
        # called with no arguments.
        return (), frozenset(), (), frozenset(), None, None
    except TypeError as ex:
        return f"cannot read the signature of {{label}}: {ex}"
    names: list[str] = []
    required: set[str] = set()
    positional_only: list[str] = []
    keyword_only: set[str] = set()
    var_positional = var_keyword = None
    for param in signature.parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            var_positional = param.name
            continue
        if param.kind is param.VAR_KEYWORD:
            var_keyword = param.name
            continue
        names.append(param.name)
        if param.default is param.empty:
            required.add(param.name)
        if param.kind is param.POSITIONAL_ONLY:
            positional_only.append(param.name)
        elif param.kind is param.KEYWORD_ONLY:
            keyword_only.add(param.name)
    return (
        tuple(names),
        frozenset(required),
        tuple(positional_only),
        frozenset(keyword_only),
        var_positional,
        var_keyword,
    )


def variable_name(name: str) -> str:
    """Return the identifier generated code uses for the injectable *name*.

    Injectable names may be Python keywords (a URL binding ``<lambda>``);
    such a name cannot be a variable, so it gets a reserved prefix.

    >>> variable_name('lambda'), variable_name('name')
    ('_clastic_kw_lambda', 'name')
    """
    return f"{INTERNAL_PREFIX}kw_{name}" if keyword.iskeyword(name) else name


def describe_sources(sources: Mapping[str, str]) -> str:
    """Describe where names were looked for: ``url: [...]; resources: [...]; ...``."""
    by_source: dict[str, list[str]] = {}
    for name, source in sources.items():
        by_source.setdefault(source, []).append(name)
    return "; ".join(f"{source}: {sorted(names)}" for source, names in by_source.items())


def resolve_arguments(
    spec: CallableSpec,
    available: Mapping[str, str],
    *,
    kind: str,
    where: str,
    allowed_reserved: Iterable[str] = (),
) -> tuple[str, ...]:
    """Return the names to pass to *spec*, checking each has a source.

    *available* maps each name to its source ("url", "resources", a middleware
    name, "builtins"). Parameters with defaults and no source keep their
    default. *kind* and *where* only shape error messages ("endpoint",
    "route '/x'").
    """
    allowed = set(allowed_reserved)
    for name in spec.names:
        if name.startswith(INTERNAL_PREFIX):
            raise ReservedArgumentError(
                f"{where}: {spec.label} uses {name!r}; names starting with {INTERNAL_PREFIX!r} are reserved"
            )
        if name == "next" and "next" not in allowed:
            raise ReservedArgumentError(
                f"argument 'next' reserved for middleware use only ({spec.label} in {where}); "
                "only middleware hooks take 'next', as their first argument"
            )
        if name in ("context", "_error") and name not in allowed and name not in available:
            only = "render functions and render hooks" if name == "context" else "error renderers (render_error)"
            raise ReservedArgumentError(
                f"unresolved {kind} arguments: [{name!r}] — {where}: {spec.label} asks for {name!r}, "
                f"which is only available to {only}"
            )
    missing = [name for name in spec.names if name not in available and name in spec.required and name not in allowed]
    if missing:
        first = missing[0]
        hint = did_you_mean(first, [n for n in available if not n.startswith("_")] or list(available))
        raise UnresolvedArgumentError(
            f"unresolved {kind} arguments: {missing!r} — {where}: {spec.label} needs {first!r}, which nothing "
            f"provides (looked in {describe_sources(available)}).{hint}",
            name=first,
            available=available,
        )
    return tuple(name for name in spec.names if name in available or name in allowed)


def inject(func: Callable[..., Any], injectables: Mapping[str, Any]) -> Any:
    """Call *func* with the entries of *injectables* that it accepts by name.

    A function with ``**kwargs`` receives every other entry too. Slow path
    for tools and tests; routes use compiled chains instead.

    >>> inject(lambda a, b=2: a + b, {'a': 1, 'c': 3})
    3
    """
    spec = read_signature(func)
    args = [injectables[name] for name in spec.positional_only if name in injectables]
    kwargs = {
        name: injectables[name] for name in spec.names if name in injectables and name not in spec.positional_only
    }
    if spec.var_keyword is not None:
        kwargs.update((name, value) for name, value in injectables.items() if name not in spec.names)
    return func(*args, **kwargs)

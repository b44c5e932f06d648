"""Build middleware hooks whose injected arguments are chosen at construction.

Clastic reads each hook's signature to decide what to inject, and refuses
``**kwargs``. A middleware that needs names picked by its user (the
``ContextProcessor``'s context names, the CSRF middleware's session argument)
builds a hook function here and gives it an explicit ``__signature__``, which
``inspect.signature`` (and so Clastic) reads instead of the real one.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clastic import RESERVED_ARGS
from clastic.exceptions import ReservedArgumentError

__all__ = ["check_arg_name", "make_hook"]


def check_arg_name(name: object, *, owner: str, what: str = "argument name") -> str:
    """Return *name* if it can be injected; raise a clear error otherwise.

    Args:
        name: The name to check.
        owner: The middleware, for the message (``'GetParamMiddleware'``).
        what: What the name is, for the message (``'parameter name'``).
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
    """Return a hook ``(next, [context,] *required, **optional)`` that calls *impl*.

    *impl* is called as ``impl(next, **values)`` with whatever Clastic
    injected (by position or by name): every *required* name, ``context`` when *takes_context*, and
    those *optional* names some source provides (the others are absent from
    ``values``; their defaults are documented by the signature).

    Args:
        impl: The function that does the work.
        name: ``__name__`` of the hook, for tracebacks.
        required: Names that must be injected (the Application refuses to
            build when nothing provides one).
        optional: Names injected when available, with their defaults.
        takes_context: Add ``context`` (render hooks only).
    """

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("next", kind)]
    if takes_context:
        params.append(inspect.Parameter("context", kind))
    params.extend(inspect.Parameter(arg, kind) for arg in required)
    params.extend(inspect.Parameter(arg, kind, default=default) for arg, default in (optional or {}).items())
    # Clastic passes the leading arguments by position and the rest by name,
    # following the declared signature; map both back to names.
    names = tuple(param.name for param in params[1:])

    def hook(next: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        values = dict(zip(names, args, strict=False))  # trailing ones may come by name
        values.update(kwargs)
        return impl(next, **values)

    hook.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]  # read by inspect.signature
    hook.__name__ = hook.__qualname__ = name
    return hook

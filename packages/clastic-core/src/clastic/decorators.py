"""Make decorators keep the decorated function's signature visible to Clastic."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from clastic.exceptions import InvalidEndpoint

__all__ = ["clastic_decorator"]

F = TypeVar("F", bound=Callable[..., Any])


def clastic_decorator(decorator: Callable[[F], Callable[..., Any]]) -> Callable[[F], F]:
    """Wrap *decorator* so what it returns shows the decorated function's signature.

    Decorators typically return ``wrapper(*args, **kwargs)``, which hides the
    arguments Clastic must inject::

        cl_login_required = clastic_decorator(login_required)

        @cl_login_required
        def profile(request, user_id): ...

    The decorated function itself may not use ``*args`` or ``**kwargs``.
    """

    @functools.wraps(decorator)
    def apply(func: F) -> F:
        signature = inspect.signature(func)
        for param in signature.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise InvalidEndpoint(f"clastic does not support functions with *args or **kwargs: {func!r}")
        wrapped = decorator(func)
        if wrapped is func:
            return func
        try:
            functools.update_wrapper(wrapped, func)
        except (AttributeError, TypeError):  # e.g. a decorator returning a builtin; wrap it once more
            inner = wrapped

            @functools.wraps(func)
            def forward(*args: Any, **kwargs: Any) -> Any:
                return inner(*args, **kwargs)

            wrapped = forward
        wrapped.__signature__ = signature  # type: ignore[attr-defined]  # what inspect.signature reports
        return wrapped  # type: ignore[return-value]

    return apply

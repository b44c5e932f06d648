"""Make decorators keep the decorated function's signature visible to Clastic.

``get_fb`` (from :mod:`clastic.sinter`) is kept here for compatibility with
Clastic 26.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from clastic.exceptions import InvalidEndpoint
from clastic.sinter import get_fb as get_fb

__all__ = ["clastic_decorator", "get_fb"]

F = TypeVar("F", bound=Callable[..., Any])


def clastic_decorator(subdecorator: Callable[[F], Callable[..., Any]]) -> Callable[[F], F]:
    """Wrap *subdecorator* so what it returns shows the decorated function's signature.

    Decorators typically return ``wrapper(*args, **kwargs)``, which hides the
    arguments Clastic must inject::

        cl_login_required = clastic_decorator(login_required)

        @cl_login_required
        def profile(request, user_id): ...

    The decorated function itself may not use ``*args`` or ``**kwargs``. The
    result also carries ``_sinter_fb``, the signature as Clastic 26's
    ``get_fb`` describes it.
    """

    @functools.wraps(subdecorator)
    def apply(func: F) -> F:
        signature = inspect.signature(func)
        for param in signature.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise InvalidEndpoint(f"clastic does not support functions with *args or **kwargs: {func!r}")
        wrapped = subdecorator(func)
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
        wrapped._sinter_fb = get_fb(func)  # type: ignore[attr-defined]  # Clastic 26's record, trusted by get_fb
        # The wrapper now takes what *func* takes (its signature says so): it stands for F.
        return cast(F, wrapped)

    return apply

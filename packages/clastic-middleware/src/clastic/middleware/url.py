"""Query-string parameters and the script root, provided to endpoints by name.

>>> app = Application([("/search", search, render_basic)],  # doctest: +SKIP
...                   middlewares=[GetParamMiddleware({"q": str, "page": int})])

``search(q, page)`` then receives ``?q=rocks&page=2`` as ``'rocks'`` and ``2``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from clastic import Middleware, Request
from clastic.middleware._params import extract_fields, parse_fields
from clastic.middleware.core import check_arg_name
from clastic.route import BoundRoute

__all__ = ["GetParamMiddleware", "ScriptRootMiddleware"]


class GetParamMiddleware(Middleware):
    """Provide query-string parameters to endpoints, converted to types.

    By default (the original behaviour) a missing parameter, or one that
    fails conversion (``?page=x`` for an ``int``), is provided as ``None``.
    With ``strict=True`` either is a 400 whose body names the parameter and
    the expected type; parameters listed in *defaults* stay optional.

    ``bool`` parameters accept ``1/true/yes/on`` and ``0/false/no/off``
    (Python's ``bool('false')`` would be True).

    Args:
        params: A name, an iterable of names, or ``{name: type}`` where the
            type is any callable taking the text (``int``, ``float``,
            ``bool``, ``uuid.UUID``...). An empty dict or list provides
            nothing.
        strict: Answer 400 for missing or malformed parameters.
        defaults: ``{name: value}`` used when a parameter is absent.

    Raises:
        TypeError: *params* is not a name, iterable or mapping, or a mapping
            value is not callable.
        ValueError: a name is not a valid identifier, or a default names
            no parameter.
    """

    def __init__(self, params: object, *, strict: bool = False, defaults: Mapping[str, Any] | None = None) -> None:
        #: One :class:`~clastic.middleware._params.Field` per name: converter, expected type, default.
        self.fields = parse_fields(params, defaults, owner=type(self).__name__)
        self.strict = strict
        #: The names this middleware provides (one per parameter).
        self.provides = tuple(field.name for field in self.fields)  # type: ignore[misc]  # per-instance provides

    def request(self, next: Callable[..., Any], request: Request, _route: BoundRoute) -> Any:
        """Read the parameters from ``request.args`` and pass them on."""
        if _route.is_null_route:  # a 404 or 405 is coming; no endpoint needs the values
            return next(**dict.fromkeys(self.provides))
        return next(**extract_fields(request.args, self.fields, strict=self.strict, kind="query parameter"))

    @property
    def params(self) -> dict[str, Any]:
        """``{name: type}`` of the parameters provided, as given (``str`` for a bare name).

        Kept for compatibility with Clastic 26, where it was an attribute;
        :attr:`fields` describes each parameter fully (converter, default).
        """
        return {field.name: field.declared for field in self.fields}

    def __repr__(self) -> str:
        params = {field.name: field.expected for field in self.fields}
        return f"{type(self).__name__}({params!r}, strict={self.strict!r})"


class ScriptRootMiddleware(Middleware):
    """Provide ``request.script_root`` (the mount point of the WSGI app) by name.

    Useful to build links that work wherever the Application is mounted.

    Args:
        provided_name: The argument name endpoints take.
    """

    def __init__(self, provided_name: str = "script_root") -> None:
        self.provided_name = check_arg_name(provided_name, owner=type(self).__name__)
        self.provides = (provided_name,)  # type: ignore[misc]  # per-instance provides

    def request(self, next: Callable[..., Any], request: Request) -> Any:
        """Pass ``request.script_root`` on as *provided_name*."""
        return next(**{self.provided_name: request.script_root})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provided_name={self.provided_name!r})"

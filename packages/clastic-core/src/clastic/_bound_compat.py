"""Clastic 26's attributes and entry points of a bound route, as a mixin of :class:`~clastic.route.BoundRoute`.

Dispatch never calls these: it runs the compiled chain directly. They are
kept for compatibility with Clastic 26 (tests and tools call
``route.execute(request, **kwargs)``, introspection reads ``converters``,
``path_args``, ``get_required_args()``...) and read what the route computed
when it was built.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from clastic._chain import ChainSpec
from clastic._deps import resolve_deps
from clastic._dispatch_state import DispatchState
from clastic._fast_wsgi import DeferredResponse, materialise, raw_to_response
from clastic._inject import RESERVED_ARGS, variable_name
from clastic._pattern import Pattern
from clastic.sinter import get_arg_names

if TYPE_CHECKING:
    from clastic.wrappers import Request

__all__ = ["BoundRouteCompat"]


class _WrittenRoute(Protocol):
    """What the mixin reads of the route as written (a :class:`~clastic.route.Route`)."""

    @property
    def endpoint(self) -> Callable[..., Any]: ...


#: The class of the route as written: ``BoundRoute`` is ``BoundRouteCompat[Route]``.
RouteT = TypeVar("RouteT", bound=_WrittenRoute)


class BoundRouteCompat(Generic[RouteT]):
    """Clastic 26's ``BoundRoute`` attributes and methods, over what the route built."""

    route: RouteT
    parsed: Pattern
    _chain: ChainSpec
    _execute: Callable[..., Any]
    _execute_error: Callable[..., Any]
    _direct: bool
    _render_direct: Callable[..., Any] | None

    @property
    def unbound_route(self) -> RouteT:
        """The :class:`Route` as written (Clastic 26's name for :attr:`route`)."""
        return self.route

    @property
    def converters(self) -> dict[str, Callable[[str | None], Any]]:
        """URL field -> the function turning its matched text into the injected value."""
        return {binding.name: binding.convert for binding in self.parsed.bindings}

    @property
    def path_args(self) -> list[str]:
        """The names the URL pattern injects, in order."""
        return list(self.parsed.fields)

    @property
    def endpoint_args(self) -> tuple[str, ...]:
        """The endpoint's argument names (``*args``/``**kwargs`` aside)."""
        return get_arg_names(self.route.endpoint)

    def get_required_args(self) -> list[str]:
        """Return what the endpoint needs, following middleware provides to their own needs.

        Built-ins are left out. An endpoint needing ``account``, provided by a
        middleware from ``token`` and ``db_session``, which others provide from
        ``request`` and ``config``, gives ``['account', 'token', 'db_session',
        'config']``. A dependency cycle raises ``RuntimeError``.
        """
        deps = resolve_deps(self._chain.provided_by)
        required: list[str] = []
        for name in self._chain.endpoint_names:
            for needed in (name, *deps.get(name, ())):
                if needed not in RESERVED_ARGS and needed not in required:
                    required.append(needed)
        return required

    def is_required_arg(self, name: str) -> bool:
        """Return True if the compiled chain takes *name* from outside it (URL, resources, built-ins).

        A name some middleware provides before the callables that use it is not.
        """
        return name in self._chain.used

    # -- running (Clastic 26's entry points; dispatch calls the compiled chain directly) --

    def execute(self, request: Request, **kwargs: Any) -> Any:
        """Run this route's chain for *request*, as Clastic 26's ``BoundRoute.execute`` did.

        *kwargs* carry the URL values (an optional binding left out is
        ``None``, or ``[]`` for ``*``), optionally ``_dispatch_state`` (a fresh
        :class:`~clastic.DispatchState` otherwise), and values replacing
        resources, ``_route`` or ``_application`` for this call; other names
        are ignored. Returns the response, or the endpoint's value when the
        route has no render. Tests and tools use it; dispatch does not.
        """
        state = self._state(kwargs)
        values = []
        missing = []
        for binding in self.parsed.bindings:
            if binding.name in kwargs:
                values.append(kwargs[binding.name])
            elif binding.is_optional:
                values.append([] if binding.is_multi else None)
            else:
                missing.append(binding.name)
        if missing:
            raise TypeError(
                f"{self!r}.execute() needs the URL values {missing} (the pattern's fields are {self.path_args})"
            )
        result = self._with_overrides(self._execute, kwargs)(request, state, *values)
        # The render's direct form: return the Response it stands for (a chain that
        # returns its triples always has a direct render, see route.BoundRoute).
        render_direct = self._render_direct
        if self._direct and render_direct is not None and type(result) is tuple:
            if result[0] is None:
                result = render_direct(result[1], request, self)
            if type(result) is tuple:
                result = raw_to_response(result)
        elif type(result) is DeferredResponse:  # what request hooks passed on: the caller gets a plain Response
            result = materialise(result)
        return result

    def execute_error(self, request: Request, _error: Any, **kwargs: Any) -> Any:
        """Render the HTTP error *_error* with this route's error renderer, as Clastic 26 did.

        *kwargs* work as in :meth:`execute`.
        """
        return self._with_overrides(self._execute_error, kwargs)(request, self._state(kwargs), _error)

    @staticmethod
    def _state(kwargs: dict[str, Any]) -> DispatchState:
        state = kwargs.pop("_dispatch_state", None)
        return DispatchState() if state is None else state

    def _with_overrides(self, func: Callable[..., Any], kwargs: Mapping[str, Any]) -> Callable[..., Any]:
        """Return *func* reading the given resources, ``_route`` or ``_application`` instead of the bound ones."""
        known = self._chain.constant_vars
        overrides = {variable_name(name): value for name, value in kwargs.items() if name in known}
        if not overrides:
            return func
        # The chain reads these as globals: the same code under new globals is the same chain with new values.
        return types.FunctionType(
            func.__code__, {**func.__globals__, **overrides}, func.__name__, func.__defaults__, func.__closure__
        )

"""The answer when no route takes a request: the endpoint of every Application's null route.

:func:`handle_sentinel_condition` is what :class:`clastic.route.NullRoute`
runs (Clastic 26's name). It reads what the dispatcher recorded in the
request's :class:`~clastic.DispatchState`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clastic.utils import redirect_to_path
from clastic.wrappers import Response

if TYPE_CHECKING:
    from clastic._dispatch_state import DispatchState
    from clastic.types import ApplicationLike
    from clastic.wrappers import Request

__all__ = ["handle_sentinel_condition"]


def handle_sentinel_condition(
    request: Request, _dispatch_state: DispatchState, _application: ApplicationLike
) -> Response:
    """Answer a request no route took (the null route's endpoint), from what routing recorded.

    In order: the slash redirect a branch route asked for; the last
    non-breaking error a route returned; for a path that matched only with
    other methods, ``204`` with ``Allow`` to ``OPTIONS`` and ``405``
    otherwise; else the error handler's ``404``.
    """
    state = _dispatch_state
    if state.redirect_to is not None:
        # 302 as the original for safe methods; 308 keeps the method and body of a POST.
        return redirect_to_path(request, state.redirect_to, 302 if request.method in ("GET", "HEAD") else 308)
    if state.exceptions:
        return state.exceptions[-1]
    handler = _application.error_handler
    if state.allowed_methods:
        allowed = sorted(state.allowed_methods | {"OPTIONS"})
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Allow": ", ".join(allowed)})
        return handler.method_not_allowed_type(allowed_methods=allowed)
    return handler.not_found_type(dispatch_state=state, request=request, application=_application)

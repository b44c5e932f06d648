"""Type aliases and protocols for annotating code that works with Clastic.

``WSGIApplication``, ``WSGIEnvironment`` and ``StartResponse`` describe the
WSGI callables Clastic produces and wraps; ``RenderFactory`` is the protocol
of ``render_factory=`` objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

WSGIEnvironment = dict[str, Any]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApplication = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]


class RenderFactory(Protocol):
    """Turns a route's render argument (a template name, say) into a render function.

    Called once per route when the route is bound to an Application. Raise
    ``LookupError`` or ``ValueError`` with a clear message when the argument
    cannot be used (a missing template); the Application adds the route.
    """

    def __call__(self, render_arg: Any) -> Callable[..., Any]: ...

"""Who may see debug details, and the warning for debug handlers outside debug mode.

Debug error pages show source, locals, headers and cookies. By default only a
client connected from loopback (``127.0.0.0/8``, ``::1``) and not relayed by a
proxy sees them; everyone else gets the plain production body.
"""

from __future__ import annotations

import ipaddress
import logging
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from clastic.utils import client_in_networks, is_loopback_client

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

__all__ = ["AllowPolicy", "ClientAccess", "DebugModeWarning", "is_loopback_client"]

logger = logging.getLogger("clastic.errors")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``allow=`` accepts networks (``"10.0.0.0/8"``, ``"192.0.2.7"``, network objects) or a predicate.
AllowPolicy = Iterable[str | IPNetwork] | Callable[["Request"], bool] | None


def _parse_network(value: Any) -> IPNetwork:
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ipaddress.ip_network(value)
    if not isinstance(value, str):
        raise TypeError(
            f"allow= takes network strings such as '10.0.0.0/8' or '192.0.2.7', network objects, or a "
            f"callable(request) -> bool; got {value!r} ({type(value).__name__})"
        )
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as ex:
        raise ValueError(
            f"allow= entry {value!r} is not an IP network or address ({ex}); use a form like '10.0.0.0/8' or '::1'"
        ) from ex


class ClientAccess:
    """Decide whether a request's client may see debug details.

    Args:
        allow: ``None`` (loopback clients only), networks whose clients are
            trusted as well (``["10.0.0.0/8", "192.0.2.7"]``; loopback stays
            trusted), or a callable ``allow(request) -> bool`` that decides alone.

    Raises:
        ValueError: an entry is not a network or address.
        TypeError: an entry is neither a string nor a network object.
    """

    def __init__(self, allow: AllowPolicy = None) -> None:
        self._predicate: Callable[[Request], bool] | None = None
        self.networks: tuple[IPNetwork, ...] = ()
        if allow is None:
            return
        if callable(allow):
            self._predicate = allow
            return
        if isinstance(allow, (str, bytes)):
            allow = [allow]  # a single network given bare
        self.networks = tuple(_parse_network(entry) for entry in allow)

    def allows(self, request: Request | None) -> bool:
        """Return True if *request*'s client may see debug details."""
        if request is None:
            return False
        if self._predicate is not None:
            return bool(self._predicate(request))
        if is_loopback_client(request):
            return True
        return client_in_networks(request, self.networks)

    def __repr__(self) -> str:
        if self._predicate is not None:
            return f"ClientAccess(allow={self._predicate!r})"
        return f"ClientAccess(loopback + {[str(n) for n in self.networks]})"


class DebugModeWarning:
    """Log a warning, once per Application, when a debug handler serves a non-debug app."""

    def __init__(self) -> None:
        self._warned: weakref.WeakSet[Any] = weakref.WeakSet()

    def check(self, handler: object, application: Any) -> None:
        """Warn if *application* (anything with a ``debug`` attribute) is not in debug mode.

        Args:
            handler: The debug error handler in use, named in the message.
            application: The Application it serves.
        """
        if application is None or getattr(application, "debug", True):
            return
        try:
            if application in self._warned:
                return
            self._warned.add(application)
        except TypeError:  # not weak-referenceable: warn every time rather than never
            pass
        logger.warning(
            "%s is the error handler of %r, which is not in debug mode: clients it allows still see "
            "tracebacks, source and local variables. Use it only in development, or pass "
            "Application(debug=True).",
            type(handler).__name__,
            application,
        )

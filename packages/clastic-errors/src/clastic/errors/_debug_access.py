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

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

__all__ = ["AllowPolicy", "ClientAccess", "DebugModeWarning", "is_loopback_client"]

logger = logging.getLogger("clastic.errors")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``allow=`` accepts networks (``"10.0.0.0/8"``, ``"192.0.2.7"``, network objects) or a predicate.
AllowPolicy = Iterable[str | IPNetwork] | Callable[["Request"], bool] | None

# A loopback peer that relays a request (a reverse proxy on the same host)
# says so in one of these headers; the real client is then somewhere else.
_FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-Ip")


def _peer_address(remote_addr: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not remote_addr:
        return None
    try:
        address = ipaddress.ip_address(remote_addr.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:  # a unix socket path or garbage: not an IP we can vouch for
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_loopback_client(request: Request) -> bool:
    """Return True when *request* comes straight from this machine's loopback interface.

    A loopback peer that forwards for someone else (``Forwarded``,
    ``X-Forwarded-For`` or ``X-Real-IP`` present) does not count.

    Args:
        request: The request whose ``REMOTE_ADDR`` is checked.
    """
    address = _peer_address(request.remote_addr)
    if address is None or not address.is_loopback:
        return False
    return not any(header in request.headers for header in _FORWARDING_HEADERS)


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
            allow = [allow]  # type: ignore[list-item]  # a single network given bare
        self.networks = tuple(_parse_network(entry) for entry in allow)

    def allows(self, request: Request | None) -> bool:
        """Return True if *request*'s client may see debug details."""
        if request is None:
            return False
        if self._predicate is not None:
            return bool(self._predicate(request))
        if is_loopback_client(request):
            return True
        address = _peer_address(request.remote_addr)
        return address is not None and any(address in network for network in self.networks)

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

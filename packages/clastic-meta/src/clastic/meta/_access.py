"""Who may see the meta pages: loopback clients by default, or an explicit allow rule.

The rule looks at the client address Werkzeug reports (``request.remote_addr``,
i.e. ``REMOTE_ADDR``). Behind a reverse proxy on the same machine every
request comes from 127.0.0.1, so the default also refuses loopback requests
that carry a forwarding header (``Forwarded``, ``X-Forwarded-For``,
``X-Real-IP``): the real client is elsewhere. To serve the pages through a
proxy, give an explicit rule (a callable that checks credentials, or
networks matched against the real client address after
``werkzeug.middleware.proxy_fix.ProxyFix``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from clastic.errors import Forbidden
from clastic.middleware import Middleware
from clastic.utils import FORWARDING_HEADERS, client_address, client_in_networks, is_loopback_client, is_loopback_host
from clastic.wrappers import Request, Response

__all__ = ["LOOPBACK_NETWORKS", "AccessRule", "MetaAccessMiddleware"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# One network or address given bare, as a rule of its own.
_SINGLE_ADDRESS_TYPES = (ipaddress.IPv4Network, ipaddress.IPv6Network, ipaddress.IPv4Address, ipaddress.IPv6Address)

#: The loopback networks, allowed when no rule is given. Combine them with
#: others: ``MetaApplication(allow=[*LOOPBACK_NETWORKS, "10.0.0.0/8"])``.
LOOPBACK_NETWORKS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")


class AccessRule:
    """Decide whether a request may see the meta pages.

    Args:
        allow: ``None`` for loopback clients only; otherwise a network
            (``'10.0.0.0/8'``, an :mod:`ipaddress` network or address), a
            callable ``allow(request) -> bool``, or an iterable mixing them.
            A request is allowed when its client address is in one of the
            networks or one of the callables returns true. An explicit rule
            replaces the loopback default; add :data:`LOOPBACK_NETWORKS` to
            keep it.

    >>> AccessRule(["10.0.0.0/8"]).describe()
    'clients in 10.0.0.0/8'
    """

    def __init__(self, allow: Any = None) -> None:
        self.is_default = allow is None
        items: Iterable[Any]
        if allow is None:
            items = LOOPBACK_NETWORKS
        elif callable(allow) or isinstance(allow, (str, bytes, *_SINGLE_ADDRESS_TYPES)):
            items = [allow]
        else:
            try:
                items = list(allow)
            except TypeError:
                raise TypeError(
                    f"MetaApplication(allow=...) takes networks (such as '10.0.0.0/8'), a callable taking the "
                    f"request, or a list of them; got {allow!r}"
                ) from None
        #: The allowed networks.
        self.networks: tuple[_Network, ...] = ()
        #: The callables consulted when the address is not in a network.
        self.checks: tuple[Callable[[Request], Any], ...] = ()
        networks: list[_Network] = []
        checks: list[Callable[[Request], Any]] = []
        for item in items:
            if callable(item):
                checks.append(item)
            elif isinstance(item, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
                networks.append(item)
            elif isinstance(item, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
                networks.append(ipaddress.ip_network(item))
            elif isinstance(item, str):
                try:
                    networks.append(ipaddress.ip_network(item.strip(), strict=False))
                except ValueError as ex:
                    raise ValueError(
                        f"MetaApplication(allow=...): {item!r} is not an IP network ({ex}); use CIDR notation such "
                        "as '10.0.0.0/8', '192.168.1.7' or '::1/128', or pass a callable taking the request"
                    ) from None
            else:
                raise TypeError(
                    f"MetaApplication(allow=...): {item!r} is neither a network (such as '10.0.0.0/8') nor a "
                    "callable taking the request"
                )
        self.networks = tuple(networks)
        self.checks = tuple(checks)

    def describe(self) -> str:
        """Say in words who is allowed."""
        if self.is_default:
            return "loopback clients (127.0.0.0/8 and ::1) only"
        parts = []
        if self.networks:
            parts.append("clients in " + ", ".join(str(net) for net in self.networks))
        for check in self.checks:
            name = getattr(check, "__qualname__", None) or type(check).__qualname__
            parts.append(f"requests that {name}() approves")
        return " or ".join(parts) if parts else "no one (the allow rule is empty)"

    def refusal(self, request: Request) -> str | None:
        """Return ``None`` if *request* may proceed, else the reason it may not."""
        address = client_address(request)
        if self.is_default:
            if is_loopback_client(request):
                return None
        elif client_in_networks(request, self.networks):
            return None
        if any(check(request) for check in self.checks):
            return None
        client = str(address) if address is not None else f"an unknown address ({request.remote_addr!r})"
        relayed = any(header in request.headers for header in FORWARDING_HEADERS)
        if address is not None and address.is_loopback and self.is_default and relayed:
            return (
                f"This Clastic meta page is served to loopback clients only, and this request came from {client} "
                "relayed by a proxy (it has a Forwarded, X-Forwarded-For or X-Real-IP header), so the real client "
                "is elsewhere. To serve it through a proxy, build it with MetaApplication(allow=...), giving "
                "networks (after werkzeug's ProxyFix) or a function of the request that checks credentials."
            )
        if address is not None and address.is_loopback and not is_loopback_host(request):
            return (
                f"This Clastic meta page answers this machine's own requests, and this request's Host header "
                f"({request.host[:80]!r}) does not name this machine: a page of another site may be reaching this "
                "server through DNS rebinding. Open it as http://localhost:PORT/ or http://127.0.0.1:PORT/."
            )
        if self.is_default:
            return (
                f"This Clastic meta page is served to loopback clients (127.0.0.0/8 and ::1) only, and this "
                f"request came from {client}. To open it to other clients, build it with "
                "MetaApplication(allow=...), giving networks such as '10.0.0.0/8' or a function of the request."
            )
        return (
            f"This Clastic meta page is served to {self.describe()}, "
            f"and this request from {client} is not one of them."
        )

    def __repr__(self) -> str:
        return f"<AccessRule {self.describe()}>"


class MetaAccessMiddleware(Middleware):
    """Answer 403 to requests the :class:`AccessRule` refuses.

    Args:
        rule: Who may see the meta pages.
    """

    def __init__(self, rule: AccessRule) -> None:
        self.rule = rule

    def request(self, next: Callable[..., Response], request: Request) -> Response:
        """Refuse the request with 403 unless the rule allows it."""
        reason = self.rule.refusal(request)
        if reason is not None:
            raise Forbidden(reason)
        return next()

    def __repr__(self) -> str:
        return f"MetaAccessMiddleware({self.rule.describe()!r})"

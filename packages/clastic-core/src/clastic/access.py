"""Who may see a developer-only page: loopback clients by default, or an explicit allow rule.

The meta pages (clastic-meta), the debug error pages (clastic-errors) and
their kin show source, configuration and local variables, so they are for
the developer at this machine. One rule decides who sees them, read from an
``allow=`` argument:

* ``None`` (the default): clients connected from loopback (``127.0.0.0/8``,
  ``::1``), not relayed by a proxy (no ``Forwarded``, ``X-Forwarded-For`` or
  ``X-Real-IP`` header: behind a reverse proxy on the same machine every
  request comes from 127.0.0.1) and addressing the server as ``localhost``
  or a loopback address (see :func:`clastic.utils.is_loopback_host`).
* networks (``"10.0.0.0/8"``, ``"192.0.2.7"``, :mod:`ipaddress` networks or
  addresses), callables ``allow(request) -> bool``, or a list mixing them:
  a request is allowed when its client address (``REMOTE_ADDR``) is in one
  of the networks or one of the callables returns true.

**An explicit rule replaces the loopback default**; it does not add to it.
List :data:`LOOPBACK_NETWORKS` in it to keep loopback clients:
``allow=[*LOOPBACK_NETWORKS, "10.0.0.0/8"]``. A loopback address matched by
a listed network still counts only with a loopback ``Host`` (DNS
rebinding cannot get through), but the proxy check is the default's alone:
an explicit network rule is how to serve the pages through a proxy, after
Werkzeug's ``ProxyFix`` has put the real client in ``REMOTE_ADDR``. A
callable decides for the requests it approves, whatever their address.

>>> rule = AccessRule([*LOOPBACK_NETWORKS, "10.0.0.0/8"])
>>> rule.describe()
'clients in 127.0.0.0/8, ::1/128, 10.0.0.0/8'
>>> AccessRule().describe()
'loopback clients (127.0.0.0/8 and ::1) only'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request

from clastic.utils import FORWARDING_HEADERS, client_address, client_in_networks, is_loopback_client, is_loopback_host

__all__ = ["LOOPBACK_NETWORKS", "AccessRule", "AllowSpec"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: One entry of a rule: a network, an address, or a callable taking the request.
AllowEntry = str | Network | Address | Callable[[Request], Any]
#: What ``allow=`` accepts: ``None`` (loopback only), one entry, or an iterable of entries.
AllowSpec = AllowEntry | Iterable[AllowEntry] | None

#: The loopback networks the default rule allows. An explicit rule replaces the
#: default; list these in it to keep loopback clients: ``[*LOOPBACK_NETWORKS, "10.0.0.0/8"]``.
LOOPBACK_NETWORKS: tuple[str, ...] = ("127.0.0.0/8", "::1/128")

_SINGLE = (str, bytes, ipaddress.IPv4Network, ipaddress.IPv6Network, ipaddress.IPv4Address, ipaddress.IPv6Address)


class AccessRule:
    """Decide whether a request may see a developer-only page.

    Args:
        allow: ``None`` for the loopback default, else networks, callables
            ``allow(request) -> bool``, or an iterable mixing them; it
            replaces the default (see the module's documentation).
        subject: What is protected, starting the refusal messages
            (``"This Clastic meta page"``).
        setting: Where the rule is given, for the messages
            (``"MetaApplication(allow=...)"``).

    Raises:
        ValueError: an entry is a string that is not an IP network or address.
        TypeError: *allow*, or one of its entries, is none of the above.
    """

    def __init__(self, allow: AllowSpec = None, *, subject: str = "This page", setting: str = "allow=") -> None:
        #: Whether no rule was given, so the loopback default applies.
        self.is_default = allow is None
        #: What is protected, as the refusal messages name it.
        self.subject = subject
        #: Where the rule is given, as the messages name it.
        self.setting = setting
        entries = self._entries(allow)
        #: The allowed networks (of an explicit rule).
        self.networks: tuple[Network, ...] = tuple(self._network(entry) for entry in entries if not callable(entry))
        #: The callables consulted when the client address is in none of the networks.
        self.checks: tuple[Callable[[Request], Any], ...] = tuple(entry for entry in entries if callable(entry))

    def _entries(self, allow: AllowSpec) -> list[Any]:
        if allow is None:
            return []
        if callable(allow) or isinstance(allow, _SINGLE):
            return [allow]
        try:
            return list(allow)
        except TypeError:
            raise TypeError(
                f"{self.setting} takes networks (such as '10.0.0.0/8'), a callable taking the request, or a list "
                f"of them; got {allow!r:.80} ({type(allow).__name__})"
            ) from None

    def _network(self, entry: Any) -> Network:
        if isinstance(entry, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            return entry
        if isinstance(entry, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            return ipaddress.ip_network(entry)
        if not isinstance(entry, str):
            raise TypeError(
                f"{self.setting}: {entry!r:.80} ({type(entry).__name__}) is neither an IP network (such as "
                "'10.0.0.0/8') nor a callable taking the request"
            )
        try:
            return ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError as ex:
            raise ValueError(
                f"{self.setting}: {entry!r} is not an IP network or address ({ex}); use CIDR notation such as "
                "'10.0.0.0/8', '192.168.1.7' or '::1/128', or pass a callable taking the request"
            ) from None

    def allows(self, request: Request) -> bool:
        """Return True if *request* may see the page."""
        if self.is_default:
            return is_loopback_client(request)
        return client_in_networks(request, self.networks) or any(check(request) for check in self.checks)

    def refusal(self, request: Request) -> str | None:
        """Return ``None`` if *request* may see the page, else a sentence saying why not and what to do."""
        if self.allows(request):
            return None
        address = client_address(request)
        client = str(address) if address is not None else f"an unknown address ({request.remote_addr!r})"
        if address is not None and address.is_loopback:
            if self.is_default and any(header in request.headers for header in FORWARDING_HEADERS):
                return (
                    f"{self.subject} is served to loopback clients only, and this request came from {client} "
                    "relayed by a proxy (it has a Forwarded, X-Forwarded-For or X-Real-IP header), so the real "
                    f"client is elsewhere. To serve it through a proxy, build it with {self.setting}, giving "
                    "networks (after werkzeug's ProxyFix) or a function of the request that checks credentials."
                )
            if not is_loopback_host(request):
                return (
                    f"{self.subject} answers this machine's own requests, and this request's Host header "
                    f"({request.host[:80]!r}) does not name this machine: a page of another site may be reaching "
                    "this server through DNS rebinding. Open it as http://localhost:PORT/ or http://127.0.0.1:PORT/."
                )
        if self.is_default:
            return (
                f"{self.subject} is served to loopback clients (127.0.0.0/8 and ::1) only, and this request came "
                f"from {client}. To open it to other clients, build it with {self.setting}, giving networks such "
                "as '10.0.0.0/8' or a function of the request."
            )
        return f"{self.subject} is served to {self.describe()}, and this request from {client} is not one of them."

    def describe(self) -> str:
        """Say in words who is allowed."""
        if self.is_default:
            return "loopback clients (127.0.0.0/8 and ::1) only"
        parts = []
        if self.networks:
            parts.append("clients in " + ", ".join(str(network) for network in self.networks))
        for check in self.checks:
            name = getattr(check, "__qualname__", None) or type(check).__qualname__
            parts.append(f"requests that {name}() approves")
        return " or ".join(parts) if parts else "no one (the allow rule is empty)"

    def __repr__(self) -> str:
        return f"<AccessRule {self.describe()}>"

"""Small public helpers: redirects, client addresses, callable introspection and ids.

Kept for compatibility with Clastic 26: :func:`int2hexguid`,
:func:`random_hex`, :func:`bytes2human` and :func:`rel_datetime`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import quote, urlsplit

from boltons.strutils import bytes2human as _bytes2human
from boltons.timeutils import relative_time
from werkzeug.utils import redirect
from werkzeug.wrappers import Request as WerkzeugRequest

from clastic._inject import get_callable_name as get_callable_name
from clastic.wrappers import Request, Response

__all__ = [
    "FORWARDING_HEADERS",
    "Redirector",
    "bytes2human",
    "client_address",
    "client_in_networks",
    "get_callable_name",
    "int2hexguid",
    "is_loopback_client",
    "is_loopback_host",
    "random_hex",
    "redirect_to_path",
    "rel_datetime",
]

#: Headers in which a relaying peer (a reverse proxy) names the client it relays for.
FORWARDING_HEADERS: tuple[str, ...] = ("Forwarded", "X-Forwarded-For", "X-Real-Ip")

# Characters a path keeps unquoted in a Location header (RFC 3986 pchar and "/").
_PATH_SAFE = "/:@!$&'()*+,;="


def redirect_to_path(request: Request, path: str, code: int = 302, *, keep_query: bool = True) -> Response:
    """Redirect *request* to *path* on the same site, keeping the query string.

    *path* is a full path as ``request.path`` spells it (the one a route
    pattern matches, mount prefixes included). The location is *path*
    percent-encoded under the request's WSGI script root, so it stays right
    when the whole site is served below one (``SCRIPT_NAME``, or
    :class:`~clastic.middleware.url.ScriptRootMiddleware`), followed by the
    request's query string unless *keep_query* is false. Use 307 or 308 for
    a request whose method and body must be kept.

    Raises:
        ValueError: *path* does not start with ``/``. Leading slashes are
            collapsed to one, so ``//evil.example/`` cannot leave the site.
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"redirect_to_path() takes a path starting with '/', got {path!r:.80}")
    path = "/" + path.lstrip("/")
    location = request.script_root + quote(path, safe=_PATH_SAFE)
    if keep_query and request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, code=code)


class Redirector:
    """An endpoint that redirects to a fixed *location*.

    >>> routes = [('/old', Redirector('/new'))]  # doctest: +SKIP
    """

    def __init__(self, location: str, code: int = 301) -> None:
        self.location = location
        self.code = code

    def __call__(self) -> Response:
        return redirect(self.location, code=self.code)

    def __repr__(self) -> str:
        return f"Redirector({self.location!r}, code={self.code})"


def client_address(request: WerkzeugRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Return the peer's IP address (``REMOTE_ADDR``), or ``None`` if it is not one.

    An IPv6 zone id is dropped and an IPv4-mapped IPv6 address becomes the
    IPv4 address, so ``::ffff:127.0.0.1`` counts as ``127.0.0.1``. A Unix
    socket path, an empty value or garbage gives ``None``.
    """
    remote_addr = request.remote_addr
    if not remote_addr:
        return None
    try:
        address = ipaddress.ip_address(remote_addr.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_in_networks(
    request: WerkzeugRequest, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    """Return True when the client's address is in one of *networks*.

    A loopback address counts only when the request also addresses this
    machine (:func:`is_loopback_host`), so DNS rebinding cannot get through
    a rule that lists ``127.0.0.0/8``.
    """
    address = client_address(request)
    if address is None or not any(address in network for network in networks):
        return False
    return not address.is_loopback or is_loopback_host(request)


def is_loopback_client(request: WerkzeugRequest) -> bool:
    """Return True when *request* comes straight from this machine's loopback interface.

    For pages that only the developer at this machine should see (debug
    pages, introspection). Two look-alikes do not count:

    * a loopback peer that relays for someone else, i.e. a reverse proxy on
      the same host that sends one of :data:`FORWARDING_HEADERS`: the real
      client is elsewhere;
    * a request whose ``Host`` is not a loopback name (see
      :func:`is_loopback_host`): a page of another site can reach a server on
      127.0.0.1 from the developer's own browser through DNS rebinding, and
      would then read what the developer sees.
    """
    address = client_address(request)
    if address is None or not address.is_loopback:
        return False
    if any(header in request.headers for header in FORWARDING_HEADERS):
        return False
    return is_loopback_host(request)


def is_loopback_host(request: WerkzeugRequest) -> bool:
    """Return True when *request* is addressed to this machine by name or address.

    That is a ``Host`` of ``localhost``, a name under ``.localhost`` (a
    trailing dot allowed), a loopback IP address (``127.0.0.1``, ``[::1]``,
    ``[::ffff:127.0.0.1]``) or the unspecified address the server may be
    bound to (``0.0.0.0``, ``[::]``), with any port. A page of another site
    cannot make a browser send any of these, so DNS rebinding cannot either.
    """
    try:
        hostname = urlsplit("//" + request.host).hostname
    except ValueError:  # a malformed Host header
        return False
    hostname = (hostname or "").rstrip(".")
    if not hostname:
        return False
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


# Drawn once per process: the same integer gives the same guid within a
# process, and a guid cannot be turned back into its integer elsewhere.
_GUID_SALT = secrets.token_bytes(16)


def int2hexguid(id_int: int) -> str:
    """Return a 24-hex-digit identifier for the integer *id_int*, stable within this process.

    The digest is SHA-1 over *id_int* and a salt drawn when the process
    starts, so the same integer gives the same identifier until the process
    restarts, and the identifier does not reveal the integer (for example a
    request counter). Kept for compatibility with Clastic 26; for request
    ids use ``request.request_id``, for unguessable tokens :mod:`secrets`.

    Raises:
        TypeError: *id_int* is not an int.
    """
    if isinstance(id_int, bool) or not isinstance(id_int, int):
        raise TypeError(f"int2hexguid() takes an int, got {id_int!r} ({type(id_int).__name__})")
    return hashlib.sha1(_GUID_SALT + str(id_int).encode("ascii"), usedforsecurity=False).hexdigest()[:24]


def random_hex(bits: int) -> str:
    """Return *bits* random bits as hex digits (``random_hex(64)`` gives 16 digits).

    The bits come from :mod:`secrets`, and the result is zero-padded to
    ``ceil(bits / 4)`` digits. Kept for compatibility with Clastic 26;
    :func:`secrets.token_hex` does the same for whole bytes.

    Raises:
        ValueError: *bits* is not a positive int.
    """
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 1:
        raise ValueError(f"random_hex() takes a positive number of bits, got {bits!r}")
    return format(secrets.randbits(bits), f"0{(bits + 3) // 4}x")


def bytes2human(nbytes: int, ndigits: int = 0) -> str:
    """Return a byte count as a short size: ``bytes2human(128991)`` -> ``'126K'``.

    Kept for compatibility with Clastic 26; it is
    :func:`boltons.strutils.bytes2human`.
    """
    return str(_bytes2human(nbytes, ndigits))


def rel_datetime(d: datetime, other: datetime | None = None, ndigits: int = 0) -> str:
    """Describe *d* relative to *other* (default now): ``'3 hours ago'``, ``'2 days from now'``.

    Kept for compatibility with Clastic 26; it is
    :func:`boltons.timeutils.relative_time`.
    """
    return str(relative_time(d, other, ndigits))

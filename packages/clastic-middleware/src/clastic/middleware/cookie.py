"""Signed cookies: a dict that survives between requests, kept by the browser.

As in the Erosion tutorial::

    cookie_mw = SignedCookieMiddleware(secret_key=cookie_secret)
    app = Application(routes, middlewares=[cookie_mw])

    def add_entry(cookie, new_alias):
        cookie["new_entry_alias"] = new_alias
        return redirect("/", code=303)

The cookie holds JSON signed with HMAC-SHA256 (itsdangerous). The browser
can read it but not change it: a tampered, expired or foreign-key cookie is
an empty one. For anything large or secret, use
:class:`~clastic.middleware.session.SessionMiddleware` instead.

Kept for compatibility with Clastic 26: :data:`DEFAULT_EXPIRY` and the
``secret_key`` attribute of :class:`SignedCookieMiddleware`. What
:class:`JSONCookie` inherited from the retired secure-cookie package
(``serialize``, ``unserialize``, ``load_cookie``, ``save_cookie``...) is
not kept: the middleware loads and saves the cookie itself.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData
from werkzeug.http import dump_cookie

from clastic import Middleware, Request, Response
from clastic.errors import HTTPException
from clastic.middleware._signing import (
    Clock,
    SecretKey,
    check_clock,
    check_cookie_name,
    check_samesite,
    epoch,
    make_serializer,
    normalize_keys,
)
from clastic.middleware._tracked import TrackedDict
from clastic.middleware.core import check_arg_name

__all__ = [
    "DEFAULT_EXPIRY",
    "DEFAULT_MAX_COOKIE_SIZE",
    "NEVER",
    "NOW",
    "SESSION",
    "CookieTooLargeError",
    "JSONCookie",
    "SignedCookieMiddleware",
]

logger = logging.getLogger(__name__)

#: Expiry: a browser-session cookie, gone when the browser closes (the default).
SESSION = 0
#: Expiry: as long as browsers allow (they cap cookie lifetimes at 400 days).
NEVER = "never"
#: Expiry: delete the cookie with this response.
NOW = "now"
#: The default expiry of :class:`SignedCookieMiddleware`: :data:`SESSION`. Kept for
#: compatibility with Clastic 26; pass ``expiry=`` to the middleware to choose another.
DEFAULT_EXPIRY = SESSION

#: The longest lifetime browsers keep a cookie (RFC 6265bis), used for :data:`NEVER`.
MAX_BROWSER_LIFETIME = 400 * 24 * 3600
#: Largest ``Set-Cookie`` value browsers are sure to keep (name, value and attributes).
DEFAULT_MAX_COOKIE_SIZE = 4093

Expiry = int | float | str | timedelta | datetime

_UNSET: Any = object()


def _check_expiry(value: object, *, owner: str) -> Expiry:
    if value in (SESSION, NEVER, NOW) and not isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, timedelta) and value.total_seconds() > 0:
        return value
    if isinstance(value, datetime):
        epoch(value)  # refuses naive datetimes
        return value
    raise ValueError(
        f"{owner}: expiry must be SESSION, NEVER, NOW, a positive number of seconds, a positive timedelta "
        f"or an aware datetime, got {value!r}"
    )


class CookieTooLargeError(ValueError):
    """A signed cookie grew past what browsers store; raised when the response is built."""

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        #: Size of the ``Set-Cookie`` value that would have been sent.
        self.size = size
        #: The limit it exceeded.
        self.limit = limit
        super().__init__(message)


class JSONCookie(TrackedDict):
    """The injected ``cookie``: a dict of JSON-serialisable values.

    It is written to the response only when its contents changed during the
    request (nested changes included) or :meth:`set_expires` was called.
    Emptying it deletes the browser's cookie.
    """

    def __init__(self, data: dict[str, Any] | None = None, *, expires_at: float | None = None) -> None:
        super().__init__(data)
        #: When the cookie as received expires (seconds since the epoch), if it does.
        self.expires_at = expires_at
        self._expiry: Any = _UNSET

    @property
    def modified(self) -> bool:
        """True when the contents differ from the cookie received, or an expiry was set."""
        return self._expiry is not _UNSET or self.changed

    @property
    def expiry(self) -> Expiry | None:
        """The expiry set with :meth:`set_expires`, or ``None`` for the middleware's."""
        return None if self._expiry is _UNSET else self._expiry

    def set_expires(self, when: Expiry = NOW) -> None:
        """Set when the browser drops this cookie; the default, :data:`NOW`, deletes it.

        Args:
            when: :data:`NOW`, :data:`SESSION`, :data:`NEVER`, a number of
                seconds from now, a ``timedelta`` or an aware ``datetime``.
        """
        self._expiry = _check_expiry(when, owner="JSONCookie.set_expires()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"


class SignedCookieMiddleware(Middleware):
    """Provide a signed, JSON-serialised cookie to endpoints as a dict.

    Args:
        arg_name: The argument name endpoints take (``cookie``).
        cookie_name: The cookie's name; defaults to ``clastic_<arg_name>``.
        secret_key: A key, or a list of keys for rotation: the first signs,
            all verify. Without one, a random key is used and a warning is
            logged (cookies then die when the process restarts).
        domain, path, secure: Cookie attributes.
        http_only: Hide the cookie from JavaScript.
        expiry: :data:`SESSION` (default), :data:`NEVER`, or a lifetime in
            seconds or as a ``timedelta``. A lifetime sets ``Max-Age`` and
            ``Expires``, and is also signed into the cookie so the server
            refuses it afterwards.
        data_expiry: Deprecated alias of *expiry*.
        samesite: ``'Lax'`` (default), ``'Strict'``, ``'None'`` (needs
            *secure*) or ``None`` to omit the attribute.
        refresh: Re-send a cookie with a lifetime on every response, so the
            lifetime counts from the last request instead of the last change.
        max_cookie_size: Largest ``Set-Cookie`` value allowed; a bigger
            cookie fails the response loudly (logged, then ``CookieTooLargeError``).
        clock: Returns the current time in seconds since the epoch
            (``time.time``, the default), read to set and check lifetimes.
            Tests pass a fake clock to see a cookie expire without waiting.
    """

    def __init__(
        self,
        arg_name: str = "cookie",
        cookie_name: str | None = None,
        secret_key: SecretKey | Sequence[SecretKey] | None = None,
        domain: str | None = None,
        path: str = "/",
        secure: bool = False,
        http_only: bool = False,
        expiry: Expiry = DEFAULT_EXPIRY,
        data_expiry: Expiry | None = None,
        *,
        samesite: str | None = "Lax",
        refresh: bool = False,
        max_cookie_size: int = DEFAULT_MAX_COOKIE_SIZE,
        clock: Clock = time.time,
    ) -> None:
        owner = type(self).__name__
        self.arg_name = check_arg_name(arg_name, owner=owner)
        self.cookie_name = check_cookie_name(cookie_name or f"clastic_{arg_name}", owner=owner)
        if data_expiry is not None:
            warnings.warn(
                "SignedCookieMiddleware(data_expiry=...) is deprecated; use expiry=... (it now sets the cookie's "
                "lifetime and is checked by the server)",
                DeprecationWarning,
                stacklevel=2,
            )
            if expiry == SESSION:
                expiry = data_expiry
        self.expiry = _check_expiry(expiry, owner=owner)
        if self.expiry == NOW:
            raise ValueError(f"{owner}: expiry=NOW would delete every cookie; use cookie.set_expires() in an endpoint")
        self.domain = domain
        self.path = path
        self.secure = secure
        self.http_only = http_only
        self.samesite = check_samesite(samesite, secure, owner=owner)
        self.refresh = refresh
        self.max_cookie_size = max_cookie_size
        #: Where the time comes from (``time.time`` unless a test gave a fake clock).
        self.clock = check_clock(clock, owner=owner)
        if secret_key is not None and not isinstance(secret_key, (str, bytes)):
            secret_key = list(secret_key)  # read once: a generator would be empty the second time
        keys, self.random_key = normalize_keys(secret_key, owner=f"{owner}(arg_name={arg_name!r})", log=logger)
        first = secret_key[0] if isinstance(secret_key, list) else secret_key
        self._signing_key: SecretKey = keys[0] if first is None else first
        self._serializer = make_serializer(keys, salt=f"clastic.middleware.cookie:{self.cookie_name}")
        self.provides = (arg_name,)  # type: ignore[misc]  # per-instance provides

    @property
    def secret_key(self) -> SecretKey:
        """The key that signs cookies, as given (the first of a list; random bytes when none was given).

        Kept for compatibility with Clastic 26, where it was an attribute;
        read-only here (build another middleware to change keys).
        """
        return self._signing_key

    # -- the hook ------------------------------------------------------------

    def request(self, next: Callable[..., Any], request: Request) -> Any:
        """Load the cookie, run the rest of the chain, then write the cookie if it changed."""
        cookie = self.load(request)
        try:
            response = next(**{self.arg_name: cookie})
        except HTTPException as ex:  # raised errors are responses too: keep what the endpoint set
            self.save(cookie, ex, request)
            raise
        self.save(cookie, response, request)
        return response

    # -- reading -------------------------------------------------------------

    def load(self, request: Request) -> JSONCookie:
        """Return the request's cookie, or an empty one when it is missing, tampered with or expired."""
        raw = request.cookies.get(self.cookie_name)
        if not raw:
            return JSONCookie()
        try:
            payload = self._serializer.loads(raw)
        except BadData as ex:
            logger.info(
                "ignoring cookie %r on %s %s: it is not signed by any of the secret keys (%s)",
                self.cookie_name, request.method, request.path, type(ex).__name__,
            )  # fmt: skip
            return JSONCookie()
        if not isinstance(payload, dict) or not isinstance(payload.get("d"), dict):
            logger.info("ignoring cookie %r: its signed payload has an unexpected shape", self.cookie_name)
            return JSONCookie()
        expires_at = payload.get("e")
        if isinstance(expires_at, (int, float)) and expires_at <= self.clock():
            logger.debug("ignoring cookie %r: it expired at %s", self.cookie_name, expires_at)
            return JSONCookie()
        return JSONCookie(payload["d"], expires_at=expires_at if isinstance(expires_at, (int, float)) else None)

    # -- writing -------------------------------------------------------------

    def save(self, cookie: JSONCookie, response: Any, request: Request) -> None:
        """Add a ``Set-Cookie`` header to *response* if *cookie* needs writing or deleting."""
        if not isinstance(response, Response):
            return
        expiry = self.expiry if cookie.expiry is None else cookie.expiry
        if expiry == NOW:
            self._delete(response)
            return
        if not cookie:
            if cookie.modified and self.cookie_name in request.cookies:
                self._delete(response)
            return
        if not cookie.modified and not (self.refresh and expiry != SESSION):
            return
        now = self.clock()
        max_age, expires_at = _lifetime(expiry, now)
        try:
            value = self._serializer.dumps({"d": dict(cookie), "e": expires_at})
        except (TypeError, ValueError) as ex:
            raise TypeError(
                f"cookie {self.cookie_name!r} holds a value that cannot be stored as JSON ({ex}); store only "
                "strings, numbers, booleans, None, lists and dicts"
            ) from ex
        header = dump_cookie(
            self.cookie_name,
            value,
            max_age=max_age,
            expires=None if max_age is None else now + max_age,  # by our clock (Werkzeug would read time.time)
            path=self.path,
            domain=self.domain,
            secure=self.secure,
            httponly=self.http_only,
            samesite=self.samesite,
            max_size=0,  # checked below, with an error instead of Werkzeug's warning
        )
        size = len(header.encode("utf-8"))
        if size > self.max_cookie_size:
            logger.error(
                "cookie %r for %s %s is %d bytes, over the %d bytes browsers store; the response fails instead "
                "of silently losing data. Store less in the cookie or use SessionMiddleware",
                self.cookie_name, request.method, request.path, size, self.max_cookie_size,
            )  # fmt: skip
            raise CookieTooLargeError(
                f"cookie {self.cookie_name!r} would be {size} bytes, over the {self.max_cookie_size}-byte limit "
                "browsers enforce; store less in it (an id, not the data) or use SessionMiddleware",
                size=size,
                limit=self.max_cookie_size,
            )
        response.headers.add("Set-Cookie", header)

    def _delete(self, response: Response) -> None:
        response.headers.add(
            "Set-Cookie",
            dump_cookie(
                self.cookie_name,
                "",
                max_age=0,
                expires=0,
                path=self.path,
                domain=self.domain,
                secure=self.secure,
                httponly=self.http_only,
                samesite=self.samesite,
            ),
        )

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(arg_name={self.arg_name!r}, cookie_name={self.cookie_name!r}, expiry={self.expiry!r})"


def _lifetime(expiry: Expiry, now: float) -> tuple[int | None, float | None]:
    """Return ``(Max-Age, server-side expiry time)`` for an expiry setting, at time *now*."""
    if expiry == SESSION:
        return None, None
    if expiry == NEVER:
        return MAX_BROWSER_LIFETIME, None
    if isinstance(expiry, datetime):
        seconds = epoch(expiry) - now
    elif isinstance(expiry, timedelta):
        seconds = expiry.total_seconds()
    else:
        seconds = float(expiry)
    seconds = max(0.0, min(seconds, MAX_BROWSER_LIFETIME))
    return int(seconds), now + seconds

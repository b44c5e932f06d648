"""Cross-site request forgery protection: unsafe requests must carry a token only your pages know.

::

    csrf = CSRFMiddleware(secret_key=key)
    app = Application(routes, middlewares=[csrf, SimpleContextProcessor("csrf_token")])

Templates put the injected ``csrf_token`` in a hidden ``csrf_token`` form
field (or scripts send it in an ``X-CSRF-Token`` header). ``GET``, ``HEAD``,
``OPTIONS`` and ``TRACE`` are exempt; any other method without a valid token
gets a 403 saying what was wrong.

The token is tied to a random secret kept in a signed cookie, or, with
``session_arg='session'``, in the server-side session of a
:class:`~clastic.middleware.session.SessionMiddleware` installed before it.
In session mode a new secret is stored only when a response uses the token
(see :class:`CSRFToken`), so visitors who never see a form, crawlers
included, leave no session behind.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from typing import Any

from itsdangerous import BadData, SignatureExpired
from werkzeug.http import dump_cookie

from clastic import Middleware, Request, Response
from clastic.errors import Forbidden, HTTPException
from clastic.middleware._body import DEFAULT_MAX_CONTENT_LENGTH, MULTIPART, URLENCODED, load_form
from clastic.middleware._signing import (
    Clock,
    SecretKey,
    check_clock,
    check_cookie_name,
    check_samesite,
    make_signer,
    make_timed_serializer,
    normalize_keys,
)
from clastic.middleware.core import check_arg_name, make_hook
from clastic.route import BoundRoute

__all__ = ["SAFE_METHODS", "SESSION_KEY", "CSRFMiddleware", "CSRFToken"]

logger = logging.getLogger(__name__)

#: Methods that must not change anything, so need no token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Key of the secret in the session (session mode).
SESSION_KEY = "_clastic_csrf"


class CSRFToken(str):
    """The injected ``csrf_token``: a ``str`` that notes when a page uses it.

    It is the token text and works wherever a ``str`` does. In session mode
    the secret it was made from is written into the session only once the
    token is used: converted or formatted (``str(token)``, ``f"{token}"``,
    ``"%s" % token``, ``"..." + token``, a template printing it, which calls
    one of these or ``__html__``), or read as :attr:`value`. Uses that take
    the characters directly in C (``json``, ``str.join``, a response header)
    are caught by :class:`CSRFMiddleware` afterwards, when it finds the
    token in the response's headers or buffered body; a streamed or
    compressed body cannot be searched, so a route whose response is one
    stores the secret whenever the token was injected (a use while the body
    is being sent would otherwise come too late for the session).
    """

    _on_use: Callable[[], None] | None

    def __new__(cls, text: str, on_use: Callable[[], None] | None = None) -> CSRFToken:
        token = super().__new__(cls, text)
        token._on_use = on_use
        return token

    def _used(self) -> str:
        on_use = self._on_use
        if on_use is not None:
            self._on_use = None
            on_use()
        return str.__str__(self)  # a plain str with the same text

    @property
    def value(self) -> str:
        """The token as a plain ``str`` (this counts as a use)."""
        return self._used()

    def __str__(self) -> str:
        return self._used()

    def __format__(self, format_spec: str) -> str:
        return format(self._used(), format_spec)

    def __html__(self) -> str:
        # Templates (Jinja2 and others through markupsafe) print it this way. The text is
        # URL-safe base64 and dots, nothing HTML would need escaped.
        return self._used()

    def __add__(self, other: str) -> str:
        return self._used() + other

    def __radd__(self, other: str) -> str:
        return other + self._used()

    def __getitem__(self, key: Any) -> str:
        return self._used()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._used())

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self._used().encode(encoding, errors)

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (self._used(),)  # copies and pickles are plain strings


class CSRFMiddleware(Middleware):
    """Require a valid CSRF token on unsafe requests; provide the token to endpoints.

    Args:
        secret_key: Key (or list of keys, the first signs) for tokens and the
            cookie. Without one, a random key is used and a warning is logged.
        session_arg: Keep the secret in the session provided under this name
            (e.g. ``'session'``) instead of in a cookie.
        arg_name: The argument name under which the token is provided.
        cookie_name: The secret's cookie (cookie mode).
        header_name: Request header that may carry the token.
        form_field: Form field that may carry the token.
        max_age: Seconds a token stays valid; ``None`` for as long as its secret.
        safe_methods: Methods exempt from the check.
        max_form_size: Largest url-encoded body read to find the token field,
            1 MiB by default (413 past it, before reading); send the token in
            the header to post larger forms.
        max_content_length: Largest multipart body read to find the token
            field, 16 MiB by default as for
            :class:`~clastic.middleware.form.FileUploadMiddleware` (413
            naming the limit, before reading); ``None`` for no limit. Files
            in it go to disk and Werkzeug caps each text field in memory, so
            uploads larger than *max_form_size* still carry their token in a
            hidden form field.
        cookie_secure, cookie_samesite, cookie_path, cookie_domain: The cookie's attributes.
        clock: Returns the current time in seconds since the epoch
            (``time.time``, the default), stamped into each token and read
            to check *max_age*. Tests pass a fake clock to see a token
            expire without waiting.
    """

    def __init__(
        self,
        secret_key: SecretKey | Sequence[SecretKey] | None = None,
        *,
        session_arg: str | None = None,
        arg_name: str = "csrf_token",
        cookie_name: str = "clastic_csrf",
        header_name: str = "X-CSRF-Token",
        form_field: str = "csrf_token",
        max_age: int | None = None,
        safe_methods: Iterable[str] = SAFE_METHODS,
        max_form_size: int | None = 1024 * 1024,
        max_content_length: int | None = DEFAULT_MAX_CONTENT_LENGTH,
        cookie_secure: bool = False,
        cookie_samesite: str | None = "Lax",
        cookie_path: str = "/",
        cookie_domain: str | None = None,
        clock: Clock = time.time,
    ) -> None:
        owner = type(self).__name__
        self.arg_name = check_arg_name(arg_name, owner=owner)
        self.session_arg = None if session_arg is None else check_arg_name(session_arg, owner=owner, what="session_arg")
        self.cookie_name = check_cookie_name(cookie_name, owner=owner)
        self.header_name = header_name
        self.form_field = form_field
        self.max_age = max_age
        self.safe_methods = frozenset(m.upper() for m in safe_methods)
        self.max_form_size = max_form_size
        self.max_content_length = max_content_length
        self.cookie_secure = cookie_secure
        self.cookie_samesite = check_samesite(cookie_samesite, cookie_secure, owner=owner)
        self.cookie_path = cookie_path
        self.cookie_domain = cookie_domain
        keys, self.random_key = normalize_keys(secret_key, owner=owner, log=logger)
        #: Where the time comes from (``time.time`` unless a test gave a fake clock).
        self.clock = check_clock(clock, owner=owner)
        self._tokens = make_timed_serializer(keys, salt="clastic.middleware.csrf.token", clock=self.clock)
        self._cookie_signer = make_signer(keys, salt="clastic.middleware.csrf.cookie")
        self.provides = (arg_name,)  # type: ignore[misc]  # per-instance provides
        required = ["request", "_route"] + ([self.session_arg] if self.session_arg else [])
        self.request = make_hook(self._handle, name="request", required=required)  # per instance, for session_arg

    # -- the hook ------------------------------------------------------------

    def _handle(self, next: Callable[..., Any], request: Request, _route: BoundRoute, **values: Any) -> Any:
        session = values.get(self.session_arg) if self.session_arg else None
        if _route.is_null_route:  # a 404 or 405 is coming and nothing will run: no check, no new secret
            return next(**{self.arg_name: None})
        if self.session_arg and not isinstance(session, MutableMapping):
            raise TypeError(
                f"CSRFMiddleware(session_arg={self.session_arg!r}) expected a dict-like session, got "
                f"{type(session).__name__}; install SessionMiddleware before CSRFMiddleware"
            )
        loaded = self._load_secret(request, session)
        fresh = loaded is None
        if request.method not in self.safe_methods:
            if loaded is None:
                where = "session" if session is not None else f"{self.cookie_name!r} cookie"
                raise Forbidden(
                    f"CSRF check failed: the request has no CSRF {where} (it expired, was cleared or was never set); "
                    "reload the form and submit it again"
                )
            self.verify(request, loaded)
        secret = loaded or secrets.token_urlsafe(32)
        if session is not None:
            return self._handle_session(next, _route, session, secret)
        token = CSRFToken(self._tokens.dumps(secret))
        try:
            response = next(**{self.arg_name: token})
        except HTTPException as ex:
            if fresh:
                self._set_cookie(ex, secret)
            raise
        if fresh and isinstance(response, Response):
            self._set_cookie(response, secret)
        return response

    def _handle_session(
        self, next: Callable[..., Any], route: BoundRoute, session: MutableMapping[str, Any], secret: str
    ) -> Any:
        """Session mode: the session gets *secret* only if the response uses the token made from it."""
        arg_sources = getattr(route, "arg_sources", None)
        if arg_sources is not None and self.arg_name not in arg_sources:
            return next(**{self.arg_name: None})  # nothing on this route takes the token: no token, no secret

        returned = False

        def keep_secret() -> None:
            # After the response left, the session is saved (a streamed body stored the secret up front).
            if not returned and session.get(SESSION_KEY) != secret:  # new, or cleared by the endpoint since
                session[SESSION_KEY] = secret

        token = CSRFToken(self._tokens.dumps(secret), keep_secret)
        try:
            response = next(**{self.arg_name: token})
            if token._on_use is not None and _carries(response, token):  # not used in Python, but sent all the same
                keep_secret()
            return response
        finally:
            returned = True

    # -- the secret ----------------------------------------------------------

    def _load_secret(self, request: Request, session: MutableMapping[str, Any] | None) -> str | None:
        if session is not None:
            value = session.get(SESSION_KEY)
            return value if isinstance(value, str) and value else None
        raw = request.cookies.get(self.cookie_name)
        if not raw:
            return None
        try:
            return self._cookie_signer.unsign(raw).decode("ascii")
        except (BadData, UnicodeDecodeError):
            logger.info("ignoring CSRF cookie on %s %s: bad signature", request.method, request.path)
            return None

    def _set_cookie(self, response: Response, secret: str) -> None:
        value = self._cookie_signer.sign(secret).decode("ascii")
        response.headers.add(
            "Set-Cookie",
            dump_cookie(
                self.cookie_name, value, path=self.cookie_path, domain=self.cookie_domain,
                secure=self.cookie_secure, httponly=True, samesite=self.cookie_samesite,
            ),
        )  # fmt: skip

    # -- the check -----------------------------------------------------------

    def submitted_token(self, request: Request) -> str | None:
        """Return the token the request carries in the header or the form field, if any."""
        token = request.headers.get(self.header_name)
        if token:
            return token
        if request.mimetype == MULTIPART:
            form, _files = load_form(request, max_content_length=self.max_content_length, what="form")
        elif request.mimetype == URLENCODED:
            form, _files = load_form(request, max_content_length=self.max_form_size, what="form")
        else:
            return None
        return form.get(self.form_field) or None

    def verify(self, request: Request, secret: str) -> None:
        """Raise a 403 unless *request* carries a valid token for *secret*."""
        token = self.submitted_token(request)
        if token is None:
            raise Forbidden(
                f"CSRF check failed: the request carries no CSRF token; send it in the {self.header_name!r} header "
                f"or the {self.form_field!r} form field"
            )
        try:
            received = self._tokens.loads(token, max_age=self.max_age)
        except SignatureExpired as ex:
            raise Forbidden(
                "CSRF check failed: the CSRF token has expired; reload the form and submit it again"
            ) from ex
        except BadData as ex:
            raise Forbidden("CSRF check failed: the CSRF token is malformed or was not issued by this site") from ex
        if not isinstance(received, str) or not hmac.compare_digest(received.encode(), secret.encode()):
            raise Forbidden(
                "CSRF check failed: the CSRF token belongs to another session or browser; "
                "reload the form and submit it again"
            )

    def __repr__(self) -> str:
        mode = f"session_arg={self.session_arg!r}" if self.session_arg else f"cookie_name={self.cookie_name!r}"
        return f"{type(self).__name__}({mode}, arg_name={self.arg_name!r})"


def _carries(response: Any, token: str) -> bool:
    """Return True if *response* may send *token* in a header value or in its body.

    This catches the uses :class:`CSRFToken` cannot see because they read
    the characters in C (``json``, ``str.join``, a response header). A
    streamed or compressed body cannot be searched (reading it would consume
    it), so it counts as carrying the token: storing a secret too often is
    harmless, a form whose token was never stored would fail every time.
    """
    if not isinstance(response, Response):
        return False
    text = str.__str__(token)
    if any(text in value for _name, value in response.headers.items()):
        return True
    if not response.is_sequence or response.headers.get("Content-Encoding"):
        return True
    return text.encode("ascii") in response.get_data()

"""Cross-origin resource sharing: let pages from other origins call this Application.

::

    cors = CORSMiddleware(["https://app.example.com"], allow_credentials=True,
                          allow_headers=["Content-Type", "X-CSRF-Token"], expose_headers=["X-Total"])
    app = Application(routes, middlewares=[cors])

Installed on the Application, it answers preflight ``OPTIONS`` requests for
every path, routes without an ``OPTIONS`` method included (Clastic runs
application middlewares for unmatched requests too), and adds the
``Access-Control-Allow-*`` headers to the responses of allowed origins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from clastic import Middleware, Request, Response
from clastic.errors import Forbidden, HTTPException
from clastic.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["DEFAULT_METHODS", "SAFELISTED_HEADERS", "CORSMiddleware"]

#: Methods allowed by default.
DEFAULT_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
#: Request headers browsers send cross-origin without asking.
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type", "range"})

Origins = str | re.Pattern[str] | Iterable[str | re.Pattern[str]]


def _check_origin(origin: str) -> str:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query or parts.fragment:
        hint = f" (did you mean {parts.scheme}://{parts.netloc!s}?)" if parts.scheme and parts.netloc else ""
        raise ValueError(
            f"CORSMiddleware: allowed origin {origin!r} must be scheme://host[:port] with no path or trailing "
            f"slash, as browsers send it in the Origin header{hint}"
        )
    return origin.lower()


class CORSMiddleware(Middleware):
    """Answer CORS preflights and add CORS headers for allowed origins.

    Args:
        allow_origins: ``'*'`` for any origin; a list of exact origins
            (``'https://app.example.com'``); a compiled regular expression
            matched against the whole origin; or a list mixing both.
        allow_credentials: Let browsers send cookies and HTTP auth (not with ``'*'``).
        allow_methods: Methods allowed cross-origin, or ``'*'`` for any.
        allow_headers: Request headers allowed besides the safelisted ones, or
            ``'*'`` for any.
        expose_headers: Response headers scripts may read.
        max_age: Seconds browsers may cache a preflight answer (``Access-Control-Max-Age``).

    A refused preflight (origin, method or header not allowed) gets a 403
    whose body names what was refused. Requests from other origins are
    served without CORS headers, so the browser withholds the response from
    the calling page.
    """

    def __init__(
        self,
        allow_origins: Origins = "*",
        *,
        allow_credentials: bool = False,
        allow_methods: str | Iterable[str] = DEFAULT_METHODS,
        allow_headers: str | Iterable[str] = (),
        expose_headers: Iterable[str] = (),
        max_age: int | None = 600,
    ) -> None:
        self.any_origin = allow_origins == "*"
        self.origins: frozenset[str] = frozenset()
        self.origin_patterns: tuple[re.Pattern[str], ...] = ()
        if not self.any_origin:
            items = [allow_origins] if isinstance(allow_origins, (str, re.Pattern)) else list(allow_origins)
            if not items:
                raise ValueError(
                    "CORSMiddleware: allow_origins is empty, so no origin would be allowed; list the origins or use '*'"
                )
            self.origins = frozenset(_check_origin(item) for item in items if isinstance(item, str))
            self.origin_patterns = tuple(item for item in items if isinstance(item, re.Pattern))
            unknown = [item for item in items if not isinstance(item, (str, re.Pattern))]
            if unknown:
                raise TypeError(
                    f"CORSMiddleware: allowed origins must be strings or compiled patterns, got {unknown[0]!r}"
                )
        if allow_credentials and self.any_origin:
            raise ValueError(
                "CORSMiddleware: allow_credentials=True cannot be combined with allow_origins='*' (browsers refuse "
                "credentials with a wildcard, and reflecting any origin would let every site act as the user); "
                "list the allowed origins or give a pattern"
            )
        self.allow_credentials = allow_credentials
        self.any_method = allow_methods == "*"
        self.methods = () if self.any_method else tuple(m.upper() for m in _as_list(allow_methods, "allow_methods"))
        self.any_header = allow_headers == "*"
        self.headers = () if self.any_header else tuple(h.lower() for h in _as_list(allow_headers, "allow_headers"))
        self.expose_headers = tuple(_as_list(expose_headers, "expose_headers"))
        if max_age is not None and (not isinstance(max_age, int) or max_age < 0):
            raise ValueError(f"CORSMiddleware: max_age must be a whole number of seconds >= 0 or None, got {max_age!r}")
        self.max_age = max_age
        # Environ key set while this middleware waits for a response (one per instance: they may nest).
        self._pending_key = f"clastic.middleware.cors.pending.{id(self)}"

    # -- decisions -----------------------------------------------------------

    def is_allowed_origin(self, origin: str) -> bool:
        """True when *origin* may read responses."""
        if self.any_origin:
            return True
        lowered = origin.lower()
        return lowered in self.origins or any(pattern.fullmatch(origin) for pattern in self.origin_patterns)

    @property
    def varies_by_origin(self) -> bool:
        """True when responses differ by ``Origin`` (so caches must key on it)."""
        return not self.any_origin

    # -- the hook ------------------------------------------------------------

    def request(self, next: Callable[..., Any], request: Request) -> Any:
        """Answer preflights; add CORS headers to other responses of allowed origins."""
        origin = request.headers.get("Origin")
        if origin is not None and request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return self.preflight(request, origin)
        environ = request.environ
        environ[self._pending_key] = True  # until a response comes back (see wsgi_wrapper)
        try:
            response = next()
        except HTTPException as ex:  # raised errors are responses too; the page should be able to read them
            del environ[self._pending_key]
            self.decorate(ex, origin)
            raise
        del environ[self._pending_key]
        if isinstance(response, Response):
            self.decorate(response, origin)
        return response

    def decorate(self, response: Response, origin: str | None) -> None:
        """Add ``Access-Control-Allow-Origin`` and friends for an allowed *origin*."""
        if self.varies_by_origin:
            response.vary.add("Origin")
        for name, value in self.response_headers(origin):
            response.headers[name] = value

    def response_headers(self, origin: str | None) -> list[tuple[str, str]]:
        """The ``Access-Control-*`` headers a response to *origin* gets (none for a refused origin)."""
        if origin is None or not self.is_allowed_origin(origin):
            return []
        headers = [("Access-Control-Allow-Origin", "*" if self.any_origin else origin)]
        if self.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if self.expose_headers:
            headers.append(("Access-Control-Expose-Headers", ", ".join(self.expose_headers)))
        return headers

    def wsgi_wrapper(self, wsgi_app: WSGIApplication) -> WSGIApplication:
        """Give the CORS headers to responses made after the hooks ran, too.

        An uncaught exception goes through the ``request`` hook as the
        exception itself (so other middlewares can roll back); its 500 is made
        afterwards by the error handler. Without the headers the calling page
        could not read that 500 and would see a CORS failure instead.
        """

        def cors_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                if environ.pop(self._pending_key, False):  # the hook saw an exception, not a response
                    extra = self.response_headers(environ.get("HTTP_ORIGIN"))
                    if self.varies_by_origin:
                        extra.append(("Vary", "Origin"))
                    headers = [*headers, *extra]
                return start_response(status, headers, exc_info)

            return wsgi_app(environ, start)

        return cors_app

    def preflight(self, request: Request, origin: str) -> Response:
        """Answer a preflight ``OPTIONS`` request (204), or refuse it (403 naming why)."""
        if not self.is_allowed_origin(origin):
            raise self._refuse(f"origin {origin[:100]!r} is not allowed to make cross-origin requests here")
        method = request.headers.get("Access-Control-Request-Method", "").strip().upper()
        if not self.any_method and method not in self.methods:
            raise self._refuse(
                f"method {method[:20]!r} is not allowed cross-origin (allowed: {', '.join(self.methods)})"
            )
        requested = [
            h.strip().lower() for h in request.headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()
        ]
        if not self.any_header:
            refused = [h for h in requested if h not in self.headers and h not in SAFELISTED_HEADERS]
            if refused:
                allowed = ", ".join(self.headers) or "only the CORS-safelisted headers"
                raise self._refuse(
                    f"request header {refused[0][:64]!r} is not allowed cross-origin (allowed: {allowed})"
                )
        response = Response(status=204)
        self.decorate(response, origin)
        headers = response.headers
        headers["Access-Control-Allow-Methods"] = method if self.any_method else ", ".join(self.methods)
        if requested:
            headers["Access-Control-Allow-Headers"] = (
                ", ".join(requested) if self.any_header else ", ".join(self.headers or requested)
            )
            response.vary.add("Access-Control-Request-Headers")
        if self.max_age is not None:
            headers["Access-Control-Max-Age"] = str(self.max_age)
        return response

    def _refuse(self, reason: str) -> Forbidden:
        error = Forbidden(f"CORS preflight refused: {reason}")
        if self.varies_by_origin:
            error.vary.add("Origin")
        return error

    def __repr__(self) -> str:
        origins = "*" if self.any_origin else sorted(self.origins) + [p.pattern for p in self.origin_patterns]
        return f"{type(self).__name__}({origins!r}, allow_credentials={self.allow_credentials!r})"


def _as_list(value: str | Iterable[str], what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise TypeError(f"CORSMiddleware: {what} must be names (strings), got {item!r}")
    return items

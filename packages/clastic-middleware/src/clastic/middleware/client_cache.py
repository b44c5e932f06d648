"""Let browsers and proxies cache responses: Cache-Control directives, ETags, 304s.

::

    HTTPCacheMiddleware(max_age=3600, public=True)

Successful ``GET``/``HEAD`` responses get the ``Cache-Control`` directives
and, when their body is complete, an ETag computed from the content; a
request whose ``If-None-Match`` matches then gets ``304 Not Modified`` with
no body, and one whose ``If-Match`` fails gets ``412 Precondition Failed``
with a short explanation instead of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clastic import Middleware, Request, Response
from clastic.errors import HTTPException, PreconditionFailed

__all__ = ["HTTPCacheMiddleware"]

_FLAGS = (
    "no_cache",
    "no_store",
    "no_transform",
    "must_revalidate",
    "proxy_revalidate",
    "public",
    "private",
    "immutable",
)


class HTTPCacheMiddleware(Middleware):
    """Add ``Cache-Control`` directives and content ETags; answer ``If-None-Match`` with 304.

    A request whose ``If-Match`` names none of the response's ETags gets a
    412 carrying the ETag and a short explanation, never the page itself
    (``If-Match: *`` holds for any response this middleware sees).
    Only successful (2xx) ``GET`` and ``HEAD`` responses are touched; errors,
    redirects and other methods pass through. A response that already has a
    ``Cache-Control`` header keeps it.

    Args:
        max_age: ``max-age`` in seconds.
        s_maxage: ``s-maxage`` (shared caches) in seconds.
        no_cache, no_store, no_transform, must_revalidate, proxy_revalidate, public, private, immutable:
            Flag directives, added when true.
        use_etags: Add a content-hash ETag to complete bodies and answer
            matching ``If-None-Match`` requests with 304.
    """

    def __init__(
        self,
        max_age: int | None = None,
        s_maxage: int | None = None,
        no_cache: bool = False,
        no_store: bool = False,
        no_transform: bool = False,
        must_revalidate: bool = False,
        proxy_revalidate: bool = False,
        public: bool = False,
        private: bool = False,
        use_etags: bool = True,
        *,
        immutable: bool = False,
    ) -> None:
        for name, value in (("max_age", max_age), ("s_maxage", s_maxage)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"HTTPCacheMiddleware: {name} must be a whole number of seconds >= 0, got {value!r}")
        if public and private:
            raise ValueError("HTTPCacheMiddleware: public and private contradict each other; choose one")
        self.max_age = max_age
        self.s_maxage = s_maxage
        given = (no_cache, no_store, no_transform, must_revalidate, proxy_revalidate, public, private, immutable)
        #: The flag directives added, in ``_FLAGS`` order (``('public', 'immutable')``).
        self.flags = tuple(name for name, on in zip(_FLAGS, given, strict=True) if on)
        self.use_etags = use_etags

    @property
    def cache_attrs(self) -> dict[str, int | bool | None]:
        """Every ``Cache-Control`` setting by argument name: ``{"max_age": 60, "public": True, ...}``.

        Kept for compatibility with Clastic 26, where it was an attribute;
        :attr:`max_age`, :attr:`s_maxage` and :attr:`flags` hold the same.
        """
        attrs: dict[str, int | bool | None] = {"max_age": self.max_age, "s_maxage": self.s_maxage}
        attrs.update((name, name in self.flags) for name in _FLAGS)
        return attrs

    def request(self, next: Callable[..., Any], request: Request) -> Any:
        """Run the rest of the chain, then add caching headers and make the response conditional."""
        response = next()
        if (
            not isinstance(response, Response)
            or isinstance(response, HTTPException)
            or request.method not in ("GET", "HEAD")
            or not 200 <= response.status_code < 300
        ):
            return response
        self.apply_directives(response)
        if self.use_etags and not response.is_streamed and not response.direct_passthrough:
            if response.get_etag() == (None, None):
                response.add_etag()
            environ = request.environ
            if "HTTP_IF_MATCH" in environ:
                # Checked here rather than by make_conditional, which answers a failed If-Match by only
                # changing the status (the page would go out with the 412) and fails "*" too.
                if not _if_match_holds(request, response):
                    return PreconditionFailed(
                        "the resource's current ETag does not match the request's If-Match condition",
                        headers=[("ETag", response.headers["ETag"])],
                    )
                environ = {key: value for key, value in environ.items() if key != "HTTP_IF_MATCH"}
            response.make_conditional(environ)
        return response

    def apply_directives(self, response: Response) -> None:
        """Set this middleware's ``Cache-Control`` directives unless the response has its own."""
        if "Cache-Control" in response.headers:
            return
        control = response.cache_control
        if self.max_age is not None:
            control.max_age = self.max_age
        if self.s_maxage is not None:
            control.s_maxage = self.s_maxage
        for name in self.flags:
            setattr(control, name, True)

    def __repr__(self) -> str:
        name = type(self).__name__
        ages = f"max_age={self.max_age!r}, s_maxage={self.s_maxage!r}"
        return f"{name}({ages}, flags={list(self.flags)!r}, use_etags={self.use_etags!r})"


def _if_match_holds(request: Request, response: Response) -> bool:
    """Return whether ``If-Match`` allows *response* (RFC 9110 §13.1.1: strong comparison; ``*`` is any)."""
    etag, weak = response.get_etag()
    return request.if_match.star_tag or (etag is not None and not weak and request.if_match.contains(etag))

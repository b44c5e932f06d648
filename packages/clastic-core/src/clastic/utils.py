"""Small public helpers: redirects and callable introspection."""

from __future__ import annotations

from urllib.parse import quote

from werkzeug.utils import redirect

from clastic._inject import get_callable_name as get_callable_name
from clastic.wrappers import Request, Response

__all__ = ["Redirector", "get_callable_name", "redirect_to_path"]

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
    """
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

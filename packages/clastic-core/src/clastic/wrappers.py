"""Request and Response: Werkzeug 3's, with a few per-request attributes."""

from __future__ import annotations

import secrets
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from collections.abc import Iterable

    from clastic.types import StartResponse, WSGIEnvironment

__all__ = ["Request", "Response", "respond"]


class Request(_WerkzeugRequest):
    """A Werkzeug request with Clastic's per-request identifiers."""

    #: Sequential id of this request within its Application (set by the Application).
    request_id: int = -1
    #: The values the matched route's URL pattern produced.
    path_params: dict[str, Any] = {}  # noqa: RUF012 - replaced per request, never mutated

    @cached_property
    def request_guid(self) -> str:
        """A random 24-hex-digit id, for correlating logs across services."""
        return secrets.token_hex(12)


@cache
def _is_plain_response_type(cls: type) -> bool:
    # A subclass that changes how the response is turned into WSGI output
    # must go through Werkzeug's own path.
    return all(
        getattr(cls, name) is getattr(Response, name)
        for name in ("__call__", "get_wsgi_response", "get_wsgi_headers", "get_app_iter", "iter_encoded", "close")
    )


def respond(response: Response, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Send *response*, taking a short way out for plain buffered responses.

    Werkzeug's ``Response.__call__`` copies and fixes headers for the general
    case (redirects, HEAD, 204/304, streamed bodies, close callbacks). The
    common case (a complete body already encoded, with its Content-Length, and
    nothing to close) needs none of that and is sent directly; everything else
    goes through Werkzeug unchanged.
    """
    body = response.response
    status_code = response.status_code
    if (
        type(body) is list
        and len(body) == 1
        and type(body[0]) is bytes
        and status_code >= 200
        and status_code != 204
        and status_code != 304
        and not getattr(response, "_on_close", True)
        and environ.get("REQUEST_METHOD") != "HEAD"
        and (type(response) is Response or _is_plain_response_type(type(response)))
    ):
        headers = response.headers.to_wsgi_list()
        has_length = False
        for key, _value in headers:
            lowered = key.lower()
            if lowered == "content-length":
                has_length = True
            elif lowered == "location" or lowered == "content-location":
                has_length = False  # Werkzeug rewrites these: take its path
                break
        if has_length:
            start_response(response.status, headers)
            return body
    return response(environ, start_response)

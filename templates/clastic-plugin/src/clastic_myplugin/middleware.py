"""DefaultHeadersMiddleware: headers every response should carry unless it sets its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from clastic import Middleware, Response
from clastic.errors import HTTPException

__all__ = ["DefaultHeadersMiddleware"]


class DefaultHeadersMiddleware(Middleware):
    """Add *headers* to every response that does not set them itself.

    Typical use is security headers::

        DefaultHeadersMiddleware({"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"})

    Args:
        headers: Header name -> value.
        overwrite: Replace headers the response already has.
    """

    #: The clastic-core middleware protocol this class was written for (a
    #: literal: core refuses the middleware if it implements another version).
    protocol_version = 1

    def __init__(self, headers: Mapping[str, str], *, overwrite: bool = False) -> None:
        # Mistakes by the application's author fail here, when the app is built.
        if not isinstance(headers, Mapping):
            raise TypeError(f"DefaultHeadersMiddleware headers must be a mapping of name to value, got {headers!r}")
        for name, value in headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(
                    f"DefaultHeadersMiddleware header names and values must be strings, got {name!r}: {value!r}"
                )
            if "\n" in value or "\r" in value:
                raise ValueError(f"DefaultHeadersMiddleware header {name!r} has a line break in its value {value!r}")
        self.headers = dict(headers)
        self.overwrite = overwrite

    def request(self, next: Callable[[], Response]) -> Response:
        """Call the rest of the chain, then add the headers to its response."""
        try:
            response = next()
        except HTTPException as ex:  # errors are responses too
            self._apply(ex)
            raise
        self._apply(response)
        return response

    def _apply(self, response: Response) -> None:
        for name, value in self.headers.items():
            if self.overwrite or name not in response.headers:
                response.headers[name] = value

    def __repr__(self) -> str:
        return f"DefaultHeadersMiddleware({self.headers!r}, overwrite={self.overwrite!r})"

"""Small public helpers: a redirecting endpoint and callable introspection."""

from __future__ import annotations

from werkzeug.utils import redirect

from clastic._inject import get_callable_name as get_callable_name
from clastic.wrappers import Response

__all__ = ["Redirector", "get_callable_name"]


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

"""Content negotiation: one memoised service for every ``Accept`` decision.

Error pages, :data:`~clastic.render.render_basic`, the fail-safe page and
clastic-errors' handlers all ask the same question: of the media types I
can send, which does this ``Accept`` header prefer? Parsing the header is
by far the costly part (a browser's ``Accept`` takes longer to parse than a
whole "hello" request takes to answer), and clients send very few distinct
values, so the answer is memoised per raw header value and offer list, in
a bounded cache: a client that varies its header on every request only
costs what parsing always cost.

Answers are Werkzeug's: :meth:`werkzeug.datastructures.MIMEAccept.best_match`
over :func:`werkzeug.http.parse_accept_header`, exactly what
``request.accept_mimetypes.best_match(offers, default)`` returns.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from werkzeug.datastructures import EnvironHeaders, MIMEAccept
from werkzeug.http import parse_accept_header

if TYPE_CHECKING:
    from werkzeug.sansio.request import Request

__all__ = ["CACHE_SIZE", "accept_header", "best_match", "request_best_match"]

#: How many distinct (Accept value, offers, default) answers are remembered.
CACHE_SIZE = 512


@lru_cache(maxsize=CACHE_SIZE)
def best_match(accept: str | None, offers: tuple[str, ...], default: str | None = None) -> str | None:
    """Return the offer the ``Accept`` value *accept* prefers, else *default*.

    >>> best_match("text/html,*/*;q=0.8", ("application/json", "text/html"))
    'text/html'
    >>> best_match(None, ("application/json", "text/html"), "text/plain")
    'text/plain'

    A missing or empty header matches no offer (Werkzeug's rule), so it
    gives *default*; so does an invalid offer (one without a ``/``).
    """
    try:
        parsed = parse_accept_header(accept, MIMEAccept)
        return parsed.best_match(offers) if default is None else parsed.best_match(offers, default)
    except ValueError:  # an invalid offer, from the application: answer as if nothing matched
        return default


def accept_header(request: Request) -> str | None:
    """Return the raw ``Accept`` header of *request*, as ``request.accept_mimetypes`` reads it."""
    headers = request.headers
    if type(headers) is EnvironHeaders:
        return headers.environ.get("HTTP_ACCEPT")  # what EnvironHeaders.get("Accept") returns
    return headers.get("Accept")


def request_best_match(request: Request, offers: tuple[str, ...], default: str | None = None) -> str | None:
    """Return what ``request.accept_mimetypes.best_match(offers, default)`` would, memoised.

    A request whose ``accept_mimetypes`` was already parsed, or set by a
    middleware, is asked directly, so an override keeps its effect.
    """
    parsed = request.__dict__.get("accept_mimetypes")
    if parsed is not None:
        try:
            return parsed.best_match(offers, default)  # type: ignore[no-any-return]
        except ValueError:
            return default
    return best_match(accept_header(request), offers, default)

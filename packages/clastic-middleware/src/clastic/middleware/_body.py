"""Read request bodies within size limits, answering bodies over a limit with a 413 naming it.

Core turns any Werkzeug HTTP error raised during dispatch into the matching
Clastic error, with Werkzeug's generic description. The one a body limit
causes (``RequestEntityTooLarge``, while parsing a form or reading a stream)
is caught here instead, so the 413 says which body was too large and what
the limit is.
"""

from __future__ import annotations

from typing import Any

from werkzeug import exceptions as wz_exceptions

from clastic import Request
from clastic.errors import RequestEntityTooLarge

__all__ = ["check_content_length", "format_size", "load_form", "read_body"]


def format_size(size: int) -> str:
    """Return a size for messages: ``'512 bytes'``, ``'1.5 MiB'``.

    >>> format_size(1536), format_size(10)
    ('1.5 KiB', '10 bytes')
    """
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}".replace(".0 ", " ")


def check_content_length(request: Request, limit: int | None, what: str) -> None:
    """Raise 413 when the declared ``Content-Length`` is over *limit*, before reading anything.

    Args:
        request: The request.
        limit: The largest body accepted, in bytes; ``None`` for no limit.
        what: What the body should be, for the message (``'JSON body'``).
    """
    if limit is None:
        return
    length = request.content_length
    if length is not None and length > limit:
        raise RequestEntityTooLarge(
            f"the request body is {format_size(length)}, over the {format_size(limit)} this endpoint accepts "
            f"for a {what}",
            extensions={"limit": limit, "received": length},
        )


def _lower_limit(current: int | None, new: int | None) -> int | None:
    if new is None:
        return current
    if current is None:
        return new
    return min(current, new)


def _too_large(what: str, limit: int | None) -> RequestEntityTooLarge:
    detail = f"the {what} is larger than this endpoint accepts"
    if limit is not None:
        detail += f" (at most {format_size(limit)})"
    return RequestEntityTooLarge(detail)


def load_form(
    request: Request,
    *,
    max_content_length: int | None,
    max_form_memory_size: int | None = None,
    max_form_parts: int | None = None,
    what: str = "form",
) -> tuple[Any, Any]:
    """Parse the form within the given limits and return ``(request.form, request.files)``.

    Limits only tighten the request's own. A form already parsed by an earlier
    middleware is returned as it is (its Content-Length is still checked).
    """
    check_content_length(request, max_content_length, what)
    request.max_content_length = _lower_limit(request.max_content_length, _plus_one(max_content_length))
    request.max_form_memory_size = _lower_limit(request.max_form_memory_size, max_form_memory_size)
    if max_form_parts is not None:
        request.max_form_parts = min(request.max_form_parts, max_form_parts)
    try:
        form, files = request.form, request.files
    except wz_exceptions.RequestEntityTooLarge as ex:
        raise _too_large(what, max_content_length) from ex
    if max_content_length is not None and request.content_length is None and _consumed(request) > max_content_length:
        # A chunked body stops silently at the limit; one byte more shows it went on.
        raise _too_large(what, max_content_length)
    return form, files


def _plus_one(limit: int | None) -> int | None:
    # Werkzeug's limited stream ends quietly at its limit; reading one byte past
    # ours tells a body of exactly the limit from a longer one.
    return None if limit is None else limit + 1


def _consumed(request: Request) -> int:
    try:
        return int(request.stream.tell())
    except (AttributeError, OSError, ValueError):
        return 0


def read_body(request: Request, *, limit: int | None, what: str) -> bytes:
    """Return the raw body, at most *limit* bytes; 413 past it (also for chunked bodies)."""
    check_content_length(request, limit, what)
    request.max_content_length = _lower_limit(request.max_content_length, _plus_one(limit))
    try:
        data = request.get_data(cache=True)
    except wz_exceptions.RequestEntityTooLarge as ex:
        raise _too_large(what, limit) from ex
    if limit is not None and len(data) > limit:
        raise _too_large(what, limit)
    return data

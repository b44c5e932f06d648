"""Read request bodies within size limits, answering bodies over a limit with a 413 naming it.

Core turns any Werkzeug HTTP error raised during dispatch into the matching
Clastic error, with Werkzeug's generic description. The one a body limit
causes (``RequestEntityTooLarge``, while parsing a form or reading a stream)
is caught here instead, so the 413 says which limit the body went over
(its whole length, its number of parts, or the size of one text field) and
what that limit is.
"""

from __future__ import annotations

import functools
import re
from typing import Any, overload

from werkzeug import exceptions as wz_exceptions
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.sansio.multipart import MultipartDecoder

from clastic import Request
from clastic.errors import BadRequest, RequestEntityTooLarge

__all__ = [
    "DEFAULT_MAX_CONTENT_LENGTH",
    "MULTIPART",
    "URLENCODED",
    "check_content_length",
    "declares_body",
    "format_size",
    "load_form",
    "read_body",
]

#: The default limit on a whole form body (multipart included), as for file uploads: 16 MiB.
DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024 * 1024

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

# Where load_form leaves why Werkzeug could not parse the form (it answers such bodies with an empty form).
_FORM_ERROR_KEY = "clastic.middleware.form_error"

# RFC 2046 section 5.1.1: a boundary is 1 to 70 "bchars", the last one not a space.
_VALID_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
# The boundary parameter as written, for when Werkzeug's header parser drops a value it cannot read.
_BOUNDARY_PARAMETER = re.compile(r';\s*boundary\s*=\s*("[^"]*"?|[^;]*)', re.IGNORECASE)
_NO_BOUNDARY = "its Content-Type has no boundary parameter (expected 'multipart/form-data; boundary=...')"

# Which Werkzeug limit a RequestEntityTooLarge raised while parsing comes from, by the code that raised it:
# the multipart decoder counting parts, or the decoder and parser sizing a text field held in memory.
# Anything else (the input stream, the Content-Length check) is the limit on the whole body.
_PARTS_CHECK = MultipartDecoder.next_event.__code__
_FIELD_SIZE_CHECKS = (MultipartDecoder.receive_data.__code__, MultiPartParser.parse.__code__)


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


def declares_body(request: Request) -> bool:
    """Return whether *request* says it has a body: a ``Content-Length`` over 0, or a chunked one."""
    if request.content_length is not None:
        return request.content_length > 0
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


class _RecordingFormDataParser(FormDataParser):
    """Werkzeug's form parser, silent as usual, but telling *on_error* why a body could not be parsed."""

    def __init__(self, *args: Any, on_error: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.silent = False
        self._on_error = on_error

    def parse(self, stream: Any, mimetype: str, content_length: int | None, options: Any = None) -> Any:
        try:
            return super().parse(stream, mimetype, content_length, options)
        except ValueError as ex:  # no boundary, a malformed multipart body, url-encoded text that is not UTF-8
            self._on_error(mimetype, ex)
            return stream, self.cls(), self.cls()


def boundary_problem(request: Request) -> str | None:
    """Return what is wrong with a multipart request's boundary parameter, or ``None`` if nothing is.

    The boundary must be present and valid as RFC 2046 defines it: 1 to 70
    characters from letters, digits, space and ``'()+_,-./:=?``, not ending
    in a space.
    """
    boundary = request.mimetype_params.get("boundary")
    if boundary is None:
        written = _BOUNDARY_PARAMETER.search(request.headers.get("Content-Type", ""))
        if written is None:
            return _NO_BOUNDARY
        boundary = written.group(1).strip()  # a value Werkzeug's header parser could not read
    if _VALID_BOUNDARY.fullmatch(boundary):
        return None
    return (
        f"its Content-Type's boundary parameter {boundary[:80]!a} is invalid (RFC 2046: 1 to 70 characters, "
        "letters, digits, spaces and '()+_,-./:=?, not ending in a space)"
    )


def _form_error_message(mimetype: str, ex: ValueError) -> str:
    if mimetype == MULTIPART and str(ex) == "Missing boundary":
        return f"the multipart/form-data body cannot be read: {_NO_BOUNDARY}"
    if isinstance(ex, UnicodeDecodeError):
        return f"the {mimetype} body cannot be read: it is not UTF-8 text"
    text = str(ex)
    if text.endswith("State.PREAMBLE"):
        text = "no part starts with the boundary its Content-Type names"
    elif "cannot parse beyond" in text:
        text = "it ends before its closing boundary"
    return f"the {mimetype} body is malformed: {text[:200]}"


# Werkzeug types max_form_parts as int, the other limits as int | None: an int limit stays an int.
@overload
def _lower_limit(current: int, new: int | None) -> int: ...
@overload
def _lower_limit(current: int | None, new: int | None) -> int | None: ...
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
        return RequestEntityTooLarge(detail, extensions={"limit": limit})
    return RequestEntityTooLarge(detail)


def _limit_raised(ex: BaseException) -> str:
    """Return which form limit Werkzeug's *ex* enforced: ``'parts'``, ``'field'`` or ``'length'``.

    Werkzeug raises the same bare ``RequestEntityTooLarge`` for each, so the
    code it was raised in tells them apart.
    """
    traceback = ex.__traceback__
    if traceback is None:
        return "length"
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    code = traceback.tb_frame.f_code
    if code is _PARTS_CHECK:
        return "parts"
    if code in _FIELD_SIZE_CHECKS:
        return "field"
    return "length"


def _form_too_large(
    ex: BaseException, request: Request, what: str, max_content_length: int | None
) -> RequestEntityTooLarge:
    """Return the 413 for Werkzeug's *ex*, naming the limit the form went over and its value."""
    kind = _limit_raised(ex)
    if kind == "parts" and request.max_form_parts is not None:
        limit = request.max_form_parts
        return RequestEntityTooLarge(
            f"the {what} has more parts than this endpoint accepts (at most {limit} fields and files)",
            extensions={"limit": limit},
        )
    if kind == "field" and request.max_form_memory_size is not None:
        limit = request.max_form_memory_size
        return RequestEntityTooLarge(
            f"a text field in the {what} is larger than this endpoint accepts (at most {format_size(limit)} "
            "per field; files are not limited by this)",
            extensions={"limit": limit},
        )
    return _too_large(what, max_content_length)


def load_form(
    request: Request,
    *,
    max_content_length: int | None,
    max_form_memory_size: int | None = None,
    max_form_parts: int | None = None,
    what: str = "form",
    strict: bool = False,
) -> tuple[Any, Any]:
    """Parse the form within the given limits and return ``(request.form, request.files)``.

    Limits only tighten the request's own. A form already parsed by an earlier
    middleware is returned as it is (its Content-Length is still checked).
    A body Werkzeug cannot parse (a multipart body without a boundary or with
    garbage in it) reads as an empty form, as in Werkzeug; with *strict* it
    is a 400 naming the problem.
    """
    check_content_length(request, max_content_length, what)
    if strict and request.mimetype == MULTIPART:
        problem = boundary_problem(request)  # before reading anything: without a boundary there is no form
        if problem is not None:
            raise BadRequest(
                f"the multipart/form-data body cannot be read: {problem}", extensions={"received": request.mimetype}
            )
    own_limit = request.max_content_length  # the request's own, when lower than ours, is the one a 413 names
    request.max_content_length = _lower_limit(request.max_content_length, _plus_one(max_content_length))
    request.max_form_memory_size = _lower_limit(request.max_form_memory_size, max_form_memory_size)
    request.max_form_parts = _lower_limit(request.max_form_parts, max_form_parts)
    environ = request.environ

    def record(mimetype: str, ex: ValueError) -> None:
        environ[_FORM_ERROR_KEY] = _form_error_message(mimetype, ex)

    parser = functools.partial(_RecordingFormDataParser, on_error=record)
    request.form_data_parser_class = parser  # type: ignore[assignment]  # for this request only
    try:
        form, files = request.form, request.files
    except wz_exceptions.RequestEntityTooLarge as ex:
        raise _form_too_large(ex, request, what, _lower_limit(own_limit, max_content_length)) from ex
    finally:
        del request.form_data_parser_class  # back to the class's own
    if max_content_length is not None and request.content_length is None and _consumed(request) > max_content_length:
        # A chunked body stops silently at the limit; one byte more shows it went on.
        raise _too_large(what, max_content_length)
    if strict and _FORM_ERROR_KEY in environ:
        raise BadRequest(environ[_FORM_ERROR_KEY], extensions={"received": request.mimetype})
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

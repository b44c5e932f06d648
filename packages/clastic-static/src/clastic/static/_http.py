"""Build the HTTP response for one file: validators, conditions, ranges, encodings.

The steps, for a ``GET`` or ``HEAD`` of a file that exists:

1. Pick the representation: a precompressed sibling (``.br``, ``.gz``) when
   the client's ``Accept-Encoding`` takes it, else the file itself.
2. Describe it: ``Content-Type`` (by extension, else sniffed), strong
   ``ETag``, ``Last-Modified``, ``Cache-Control``, ``Vary``.
3. Evaluate the preconditions in RFC 9110 §13.2.2 order: ``If-Match`` /
   ``If-Unmodified-Since`` (412), then ``If-None-Match`` /
   ``If-Modified-Since`` (304).
4. For ``GET`` with a ``Range`` that ``If-Range`` allows: one range gives a
   206 with ``Content-Range``, several give a ``multipart/byteranges`` 206,
   none satisfiable gives 416.

Werkzeug parses every header here (``request.range``, ``request.if_match``,
``request.accept_encodings``...). Its ``Response.make_conditional`` is not
used: it answers a request for several ranges with 416 instead of serving
them, signals 416 by raising Werkzeug's own exception (which a Clastic
endpoint would turn into a 500), and answers 200 where RFC 9110 asks for
304 when If-Match and If-None-Match both match.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import ContentRange
from werkzeug.http import http_date, quote_etag
from werkzeug.wsgi import wrap_file

from clastic import Request, Response
from clastic.errors import PreconditionFailed, RequestedRangeNotSatisfiable
from clastic.static._body import CHUNK_SIZE, LazyFile, MultipartByteranges, open_snapshot
from clastic.static._mime import DEFAULT_BINARY_MIME, DEFAULT_TEXT_MIME, SNIFF_SIZE, content_type_for
from clastic.static._paths import FileSnapshot

__all__ = ["ENCODINGS", "MAX_RANGES", "ServeOptions", "file_response"]

#: Precompressed siblings looked for, in order of preference: (coding, file suffix).
ENCODINGS: tuple[tuple[str, str], ...] = (("br", ".br"), ("gzip", ".gz"))

#: More ranges than this in one request are ignored and the whole file is sent.
MAX_RANGES = 50


@dataclass(frozen=True)
class ServeOptions:
    """How files are described and sent; shared by an application's requests."""

    #: ``Cache-Control: public, max-age=N``; ``None`` sends no Cache-Control.
    cache_timeout: int | None
    #: Content type of files with unknown extensions that look like text.
    default_text_mime: str = DEFAULT_TEXT_MIME
    #: Content type of files with unknown extensions that look binary.
    default_binary_mime: str = DEFAULT_BINARY_MIME
    #: Open resolved paths without following symlinks (they were checked already).
    nofollow: bool = False
    #: Bytes read at a time while streaming.
    chunk_size: int = CHUNK_SIZE


def _etag(snapshot: FileSnapshot, encoding: str | None) -> str:
    # Strong: a different size or modification time (to the nanosecond)
    # gives a different tag, and each encoding has its own.
    tag = f"{snapshot.mtime_ns:x}-{snapshot.size:x}"
    return f"{tag}-{encoding}" if encoding else tag


def _choose_encoding(request: Request, variants: Mapping[str, FileSnapshot]) -> str | None:
    """Return the content coding of the best acceptable precompressed sibling, if any."""
    if not variants or "HTTP_ACCEPT_ENCODING" not in request.environ:
        return None
    accept = request.accept_encodings
    best, best_q = None, 0.0
    for encoding, _suffix in ENCODINGS:
        if encoding in variants:
            quality = accept.quality(encoding)
            if quality > best_q:
                best, best_q = encoding, quality
    # A client that ranks identity above every available coding gets identity.
    identity_q = next((q for value, q in accept if value.lower() == "identity"), None)
    if best is not None and identity_q is not None and identity_q > best_q:
        return None
    return best


def _precondition_status(request: Request, etag: str, mtime: int) -> int | None:
    """Return 412 or 304 when the request's preconditions say so (RFC 9110 §13.2.2)."""
    # Presence checks read the environ directly; Werkzeug parses a header only when it is there.
    environ = request.environ
    if "HTTP_IF_MATCH" in environ:
        if not request.if_match.contains(etag):
            return 412
    elif "HTTP_IF_UNMODIFIED_SINCE" in environ:
        since = request.if_unmodified_since
        if since is not None and mtime > since.timestamp():
            return 412
    if "HTTP_IF_NONE_MATCH" in environ:
        if request.if_none_match.contains_weak(etag):
            return 304
    elif "HTTP_IF_MODIFIED_SINCE" in environ:
        since = request.if_modified_since
        if since is not None and mtime <= since.timestamp():
            return 304
    return None


def _if_range_allows(request: Request, etag: str, mtime: int) -> bool:
    """Return True when ``If-Range`` is absent or still matches the file (RFC 9110 §13.1.5)."""
    raw = request.environ.get("HTTP_IF_RANGE")
    if raw is None:
        return True
    if_range = request.if_range
    if if_range.date is not None:
        return int(if_range.date.timestamp()) == mtime
    # Only a strong validator can make a range request conditional.
    return not raw.strip().startswith("W/") and if_range.etag == etag


def _byte_ranges(request: Request, size: int) -> list[tuple[int, int]] | None:
    """Return the satisfiable ``(start, stop)`` ranges, ``[]`` for none, ``None`` to ignore ``Range``.

    Werkzeug's parser already rejects malformed headers and ranges that
    overlap or go backwards; such headers are ignored, as RFC 9110 allows.
    """
    parsed = request.range
    if parsed is None or parsed.units != "bytes" or size == 0 or len(parsed.ranges) > MAX_RANGES:
        return None
    ranges = []
    for start, stop in parsed.ranges:
        if start < 0:  # a suffix: the last -start bytes
            ranges.append((max(size + start, 0), size))
        elif start < size:
            ranges.append((start, size if stop is None else min(stop, size)))
    return ranges


def file_response(
    request: Request,
    snapshot: FileSnapshot,
    *,
    name: str,
    options: ServeOptions,
    variants: Mapping[str, FileSnapshot] | None = None,
    mimetype: str | None = None,
    response_type: type[Response] = Response,
) -> Response:
    """Answer a ``GET`` or ``HEAD`` of one file.

    Args:
        request: The request being answered.
        snapshot: The file, as found by the caller.
        name: The file's name as requested (its extension picks the type).
        options: Caching and content-type options.
        variants: Precompressed siblings by content coding (``'br'``, ``'gzip'``).
        mimetype: Use this content type instead of guessing one.
        response_type: The class of the 200, 206 and 304 responses.

    Returns a 200, 206 or 304 response whose body streams the file, or a
    412 or 416 error (an HTTPException, returned rather than raised).
    """
    variants = variants or {}
    encoding = _choose_encoding(request, variants)
    chosen = variants[encoding] if encoding else snapshot

    etag = _etag(chosen, encoding)
    # Plain lists of pairs: the Response copies them into its Headers once.
    validators = [("ETag", quote_etag(etag)), ("Last-Modified", http_date(chosen.mtime))]
    if options.cache_timeout is not None:
        validators.append(("Cache-Control", f"public, max-age={options.cache_timeout}"))
    if variants:
        validators.append(("Vary", "Accept-Encoding"))

    status = _precondition_status(request, etag, chosen.mtime)
    if status == 304:
        return response_type(status=304, headers=validators)
    if status == 412:
        return PreconditionFailed(
            "the file does not match the request's If-Match or If-Unmodified-Since condition", headers=validators
        )

    def read_sample() -> bytes:
        with open_snapshot(snapshot, nofollow=options.nofollow) as file:
            return file.read(SNIFF_SIZE) or b""

    content_type = content_type_for(
        name,
        read_sample,
        default_text_mime=options.default_text_mime,
        default_binary_mime=options.default_binary_mime,
        mimetype=mimetype,
    )
    headers = [*validators, ("Accept-Ranges", "bytes"), ("X-Content-Type-Options", "nosniff")]
    size = chosen.size
    ranges = None
    if request.method == "GET" and "HTTP_RANGE" in request.environ and _if_range_allows(request, etag, chosen.mtime):
        ranges = _byte_ranges(request, size)
    if ranges == []:
        headers.append(("Content-Range", ContentRange("bytes", None, None, size).to_header()))
        return RequestedRangeNotSatisfiable(
            f"the requested range {request.environ['HTTP_RANGE'][:100]!r} "
            f"lies beyond the end of the file ({size} bytes)",
            headers=headers,
        )
    if encoding:
        headers.append(("Content-Encoding", encoding))
    if ranges is not None and len(ranges) > 1:
        parts = MultipartByteranges(
            chosen,
            ranges,
            content_type,
            secrets.token_hex(16),
            nofollow=options.nofollow,
            chunk_size=options.chunk_size,
        )
        headers.append(("Content-Type", f"multipart/byteranges; boundary={parts.boundary}"))
        headers.append(("Content-Length", str(parts.content_length)))
        return response_type(parts, status=206, headers=headers, direct_passthrough=True)
    start, stop = ranges[0] if ranges else (0, size)
    headers.append(("Content-Type", content_type))
    headers.append(("Content-Length", str(stop - start)))
    if ranges:
        headers.append(("Content-Range", ContentRange("bytes", start, stop, size).to_header()))
    lazy = LazyFile(chosen, start, stop, nofollow=options.nofollow)
    # LazyFile is file-like (read, seek, tell, fileno, close) without subclassing IO.
    body = wrap_file(request.environ, lazy, options.chunk_size)  # type: ignore[arg-type]  # not an IO subclass
    return response_type(body, status=206 if ranges else 200, headers=headers, direct_passthrough=True)

"""Request and Response: Werkzeug 3's, with a few per-request attributes."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response

from clastic._fast_wsgi import init_buffered
from clastic._fast_wsgi import respond as respond
from clastic.errors.http import BadRequest, HTTPException

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO

    from werkzeug.datastructures import MultiDict

__all__ = ["Request", "Response", "buffered_response", "respond"]


class Request(_WerkzeugRequest):
    """A Werkzeug request with Clastic's per-request identifiers."""

    #: Sequential id of this request within its Application (set by the Application).
    request_id: int = -1
    #: The values the matched route's URL pattern produced (empty when no route matched).
    #: The class default is read-only; the Application gives every request its own dict.
    path_params: Mapping[str, Any] = MappingProxyType({})

    @cached_property
    def request_guid(self) -> str:
        """A random 24-hex-digit id, for correlating logs across services."""
        return secrets.token_hex(12)

    @cached_property
    def stream(self) -> IO[bytes]:
        """The request body stream, as Werkzeug's; a body the server cannot read is a 400.

        Werkzeug turns the ``OSError``/``ValueError`` of a broken body into a
        400, but WSGI servers have their own errors (gunicorn's
        ``InvalidChunkSize`` for a malformed chunked body), which would
        otherwise reach the Application as a 500.
        """
        environ = self.environ
        raw = environ.get("wsgi.input")
        if raw is not None and type(raw) is not _GuardedInput:
            environ["wsgi.input"] = _GuardedInput(raw)
        return super().stream

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        # Every upload file made while parsing is recorded, so close() can close
        # it even when parsing fails half-way and no FileStorage holds it.
        stream = super()._get_file_stream(total_content_length, content_type, filename, content_length)
        self.__dict__.setdefault("_upload_streams", []).append(stream)
        return stream

    def close(self) -> None:
        """Close the uploaded files, those of a form that failed to parse included."""
        super().close()
        for stream in self.__dict__.pop("_upload_streams", ()):
            stream.close()

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The parsed query string, as Werkzeug's; raw bytes that are not UTF-8 are a 400.

        Some WSGI servers pass a query string's raw bytes through instead of
        refusing them; Werkzeug then fails to decode it, which would be a 500
        for what is the client's mistake. (Percent-encoded bytes such as
        ``%ff`` are not affected: Werkzeug keeps them as they are.)
        """
        try:
            return super().args
        except UnicodeDecodeError as ex:
            raise BadRequest(
                f"the query string is not valid UTF-8 (byte {ex.object[ex.start]:#04x} at position {ex.start}); "
                "percent-encode it"
            ) from None


class _GuardedInput:
    """``wsgi.input`` whose read errors, whatever the server raises, become a 400."""

    __slots__ = ("_raw",)

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def _failed(self, ex: Exception) -> Exception:
        if isinstance(ex, HTTPException):
            return ex
        return BadRequest(
            f"the request body could not be read ({type(ex).__name__}: {str(ex)[:200]}); send it again, well-formed"
        )

    def read(self, *args: Any) -> bytes:
        try:
            return self._raw.read(*args)  # type: ignore[no-any-return]
        except Exception as ex:  # the server's own stream errors
            raise self._failed(ex) from ex

    def readline(self, *args: Any) -> bytes:
        try:
            return self._raw.readline(*args)  # type: ignore[no-any-return]
        except Exception as ex:
            raise self._failed(ex) from ex

    def readinto(self, buffer: Any) -> int | None:
        try:
            if hasattr(self._raw, "readinto"):
                return self._raw.readinto(buffer)  # type: ignore[no-any-return]
            data = self._raw.read(len(buffer))
        except Exception as ex:
            raise self._failed(ex) from ex
        buffer[: len(data)] = data
        return len(data)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def buffered_response(body: bytes, content_type: str, status: int = 200) -> Response:
    """Return ``Response(body, status=status, content_type=content_type)``, built faster.

    The result is an ordinary Werkzeug :class:`Response` with ``Content-Type``
    and ``Content-Length`` set, for renders that have the whole body in hand.
    It skips the general constructor's header validation and status parsing,
    which cost more than the rest of a small request; *content_type* must
    therefore be a valid header value (no line breaks).
    """
    response = object.__new__(Response)
    init_buffered(response, body, content_type, status)
    return response

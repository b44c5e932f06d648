"""Compress response bodies with gzip, or Brotli when the ``brotli`` package is installed.

::

    app = Application(routes, middlewares=[GzipMiddleware()])

Responses get ``Vary: Accept-Encoding``. Bodies are left as they are when
the client does not accept an encoding, and when they are streamed, tiny,
already encoded, of a type that does not compress (images, archives...),
marked ``Cache-Control: no-transform``, or would not shrink.

A ``HEAD`` request gets the headers the ``GET`` would get
(``Content-Encoding``, ``Content-Length``, ``ETag``, ``Vary``), with no body.
A strong ETag of a compressed body becomes weak (the bytes differ from the
ones it was computed on), on the ``304 Not Modified`` answers to that
request as well, so a cache sees the same validator on both.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

from clastic import Middleware, Request, Response
from clastic.errors import HTTPException

try:
    import brotli
except ImportError:  # the optional extra: clastic-middleware[brotli]
    brotli = None

__all__ = ["BROTLI_AVAILABLE", "GzipMiddleware"]

#: True when the ``brotli`` package can be imported.
BROTLI_AVAILABLE = brotli is not None

#: Media types that are already compressed; compressing them again wastes time.
INCOMPRESSIBLE_PREFIXES = ("image/", "audio/", "video/", "font/woff")
INCOMPRESSIBLE_TYPES = frozenset({
    "application/zip", "application/gzip", "application/x-gzip", "application/x-bzip2", "application/x-xz",
    "application/x-7z-compressed", "application/x-rar-compressed", "application/zstd", "application/pdf",
    "application/octet-stream", "application/wasm",
})  # fmt: skip
#: Image types that are text and do compress.
COMPRESSIBLE_EXCEPTIONS = frozenset({"image/svg+xml", "image/x-icon", "image/bmp"})


class GzipMiddleware(Middleware):
    """Compress responses the client accepts compressed (``Accept-Encoding``).

    Brotli (``br``) is used when the ``brotli`` package is installed and the
    client prefers it at least as much as gzip. HTTP errors (``HTTPException``
    responses, returned or raised) are never compressed: Clastic renders
    their bodies after the middlewares run, by ``Accept``; they still get
    ``Vary: Accept-Encoding``.

    Args:
        compress_level: gzip level, 1 (fast) to 9 (small).
        min_size: Bodies smaller than this many bytes are sent as they are.
        use_brotli: Use Brotli when available and accepted.
        brotli_quality: Brotli quality, 0 to 11.
    """

    def __init__(
        self, compress_level: int = 6, *, min_size: int = 500, use_brotli: bool = True, brotli_quality: int = 5
    ) -> None:
        if not 1 <= compress_level <= 9:
            raise ValueError(f"GzipMiddleware: compress_level must be between 1 and 9, got {compress_level!r}")
        if not 0 <= brotli_quality <= 11:
            raise ValueError(f"GzipMiddleware: brotli_quality must be between 0 and 11, got {brotli_quality!r}")
        self.compress_level = compress_level
        self.min_size = min_size
        self.use_brotli = use_brotli and BROTLI_AVAILABLE
        self.brotli_quality = brotli_quality

    def request(self, next: Callable[..., Any], request: Request) -> Any:
        """Run the rest of the chain and compress its response when worthwhile."""
        try:
            response = next()
        except HTTPException as ex:
            ex.vary.add("Accept-Encoding")
            raise
        if isinstance(response, Response):
            response.vary.add("Accept-Encoding")
            if response.status_code == 304:
                self.weaken_not_modified(request, response)
            elif not isinstance(response, HTTPException):
                self.compress(request, response)
        return response

    def choose_encoding(self, request: Request) -> str | None:
        """Return ``'br'``, ``'gzip'`` or ``None`` from the request's ``Accept-Encoding``."""
        accepted = request.accept_encodings
        gzip_q = accepted["gzip"]
        br_q = accepted["br"] if self.use_brotli else 0
        if br_q > 0 and br_q >= gzip_q:
            return "br"
        if gzip_q > 0:
            return "gzip"
        return None

    def compress(self, request: Request, response: Response) -> None:
        """Compress *response* in place if the request and the response allow it.

        ``HEAD`` responses are compressed too (the server sends no body), so
        their headers are the ones ``GET`` gets.
        """
        if response.status_code < 200 or response.status_code in (204, 206, 304) or not _compressible(response):
            return
        encoded = self._encode(request, response.get_data())
        if encoded is None:
            return
        encoding, compressed = encoded
        response.set_data(compressed)
        response.headers["Content-Encoding"] = encoding
        _weaken_etag(response)  # the bytes changed, so a strong validator no longer holds

    def weaken_not_modified(self, request: Request, response: Response) -> None:
        """Weaken the strong ETag of a 304 when the full response would have been compressed.

        The 200 for this request carried the weak form of the tag; the 304
        must name the same validator. A 304 made by ``make_conditional``
        (as :class:`~clastic.middleware.client_cache.HTTPCacheMiddleware`
        does) still holds the body, so the decision is the one :meth:`compress`
        makes; for a 304 without a body it rests on the type and the
        ``Accept-Encoding``.
        """
        etag, weak = response.get_etag()
        if not etag or weak or not _compressible(response) or self.choose_encoding(request) is None:
            return
        body = response.get_data()
        if body and self._encode(request, body) is None:
            return
        _weaken_etag(response)

    def _encode(self, request: Request, body: bytes) -> tuple[str, bytes] | None:
        """Return ``(encoding, compressed body)``, or ``None`` if *body* should be sent as it is."""
        encoding = self.choose_encoding(request)
        if encoding is None or len(body) < self.min_size:
            return None
        if encoding == "br":
            compressed = brotli.compress(body, quality=self.brotli_quality)
        else:
            compressed = gzip.compress(body, compresslevel=self.compress_level, mtime=0)
        if len(compressed) >= len(body):
            return None
        return encoding, compressed

    def __repr__(self) -> str:
        name = type(self).__name__
        options = f"compress_level={self.compress_level!r}, min_size={self.min_size!r}"
        return f"{name}({options}, use_brotli={self.use_brotli!r})"


def _weaken_etag(response: Response) -> None:
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)


def _compressible(response: Response) -> bool:
    """Whether the kind of body allows compression (the caller checks the status)."""
    if response.is_streamed or response.direct_passthrough:
        return False
    if response.headers.get("Content-Encoding", "identity").lower() != "identity":
        return False
    if "no-transform" in response.headers.get("Cache-Control", "").lower():
        return False
    return _compressible_type(response.mimetype or "")


def _compressible_type(mimetype: str) -> bool:
    mimetype = mimetype.lower()
    if mimetype in COMPRESSIBLE_EXCEPTIONS:
        return True
    return mimetype not in INCOMPRESSIBLE_TYPES and not mimetype.startswith(INCOMPRESSIBLE_PREFIXES)

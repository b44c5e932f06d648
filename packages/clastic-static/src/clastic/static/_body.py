"""Response bodies that read a file only while the server sends them.

A file is opened when the server first reads the body, not when the response
is built: a response that is never sent (a ``HEAD`` request, a middleware
that replaces it, a client that went away) holds no file. Once opened, the
file is closed as soon as its last byte is read, when the server calls
``close()`` (WSGI servers do, also when the client disconnects), or at the
latest when the body object is dropped half-read (a test client that only
looked at the headers). The bodies hold no reference cycles, so that happens
at once, not at some later garbage collection.

When the file is opened, its device, inode, size and modification time
are compared with the snapshot the headers were built from; a file replaced
or changed in between is not sent under the old ``Content-Length`` and
``ETag`` (:class:`FileChangedError` ends the response, and the server drops
the connection).
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Sequence

from clastic.static._paths import FileSnapshot

__all__ = ["CHUNK_SIZE", "FileChangedError", "LazyFile", "MultipartByteranges", "open_snapshot"]

logger = logging.getLogger("clastic.static")

#: Bytes read per chunk while streaming.
CHUNK_SIZE = 64 * 1024

# Never block on a FIFO swapped in for a regular file; never make a terminal ours.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class FileChangedError(OSError):
    """The file changed between building a response's headers and sending its body."""


def open_snapshot(snapshot: FileSnapshot, *, nofollow: bool) -> io.FileIO:
    """Open the file *snapshot* describes, checking it is still that file.

    Args:
        snapshot: The file as the response's headers describe it.
        nofollow: Refuse to open a symlink (the path was already resolved).

    Raises:
        FileChangedError: the file was replaced or modified since the snapshot.
        OSError: it cannot be opened.
    """
    flags = _OPEN_FLAGS | (_O_NOFOLLOW if nofollow else 0)
    file = io.FileIO(os.open(snapshot.path, flags), "rb", closefd=True)
    try:
        current = os.fstat(file.fileno())
        if not snapshot.matches(current):
            logger.warning("not sending %r: it changed after the response headers were built", snapshot.path)
            raise FileChangedError(f"{snapshot.path!r} changed while it was being served")
    except BaseException:
        file.close()
        raise
    return file


class _FileBody:
    """A response body holding at most one open file, which it never leaves to the garbage collector."""

    _file: io.FileIO | None = None
    _closed = False

    def close(self) -> None:
        """Close the file, if it was ever opened; the body ends here (further reads give nothing)."""
        self._closed = True
        file, self._file = self._file, None
        if file is not None:
            file.close()

    def __del__(self) -> None:
        # A body dropped half-read without close() (a test client that only
        # looked at the headers): close the file rather than leave it to the
        # garbage collector, which would warn about it.
        self.close()


class LazyFile(_FileBody):
    """A read-only, file-like view of ``[start, stop)`` of a file, opened on first use.

    It is what :func:`werkzeug.wsgi.wrap_file` wraps, so a server's
    ``wsgi.file_wrapper`` can use :meth:`fileno` (and ``sendfile``) with the
    current position and the response's ``Content-Length``, while a plain
    iterating wrapper calls :meth:`read` until it returns ``b''``.

    Args:
        snapshot: The file and its identity.
        start: First byte to send.
        stop: One past the last byte to send.
        nofollow: Open without following a symlink.
    """

    mode = "rb"

    def __init__(self, snapshot: FileSnapshot, start: int, stop: int, *, nofollow: bool) -> None:
        self.snapshot = snapshot
        self.start = start
        self.stop = stop
        self.nofollow = nofollow
        self._pos = start

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called or the range was read to its end."""
        return self._closed

    def _opened(self) -> io.FileIO:
        if self._file is None:
            if self._closed:
                raise ValueError("I/O operation on closed file")
            file = open_snapshot(self.snapshot, nofollow=self.nofollow)
            try:
                file.seek(self.start)
            except BaseException:
                file.close()
                raise
            self._file = file
            self._pos = self.start
        return self._file

    def readable(self) -> bool:
        """Return True: this object is for reading."""
        return True

    def seekable(self) -> bool:
        """Return True: :meth:`seek` moves within the file."""
        return True

    def fileno(self) -> int:
        """Open the file if needed and return its descriptor, positioned at the current offset."""
        return self._opened().fileno()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to *offset* (absolute file positions, as for a plain file)."""
        if self._closed and whence == os.SEEK_SET:
            # Read to its end already (socket.sendfile seeks after sending); nothing to reopen.
            self._pos = offset
            return offset
        self._pos = self._opened().seek(offset, whence)
        return self._pos

    def tell(self) -> int:
        """Return the current absolute position."""
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        """Read up to *size* bytes, never past the end of the range.

        The file is closed as soon as the last byte of the range is read, so
        a body read to its end holds no file even if nobody calls :meth:`close`.
        """
        if self._closed:
            return b""
        remaining = self.stop - self._pos
        if remaining <= 0:
            self.close()
            return b""
        file = self._opened()
        if size is None or size < 0 or size > remaining:
            size = remaining
        data = file.read(size) or b""
        if not data:
            self.close()
            raise FileChangedError(f"{self.snapshot.path!r} became shorter while it was being served")
        self._pos += len(data)
        if self._pos >= self.stop:
            self.close()
        return data

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._file is not None else "not opened")
        return f"<LazyFile {self.snapshot.path!r} [{self.start}, {self.stop}) {state}>"


class MultipartByteranges(_FileBody):
    """A ``multipart/byteranges`` body for several ranges of one file (RFC 9110 §14.6).

    Each part carries its own ``Content-Type`` and ``Content-Range``; parts
    are separated by a random boundary. :attr:`content_length` is exact, so
    the response needs no chunked encoding.

    Args:
        snapshot: The file and its identity.
        ranges: ``(start, stop)`` byte ranges, stop exclusive, already checked
            against the file's size.
        content_type: The file's own ``Content-Type`` (for each part).
        boundary: The multipart boundary (ASCII, not found in the parts' headers).
        nofollow: Open without following a symlink.
        chunk_size: Bytes read at a time.
    """

    def __init__(
        self,
        snapshot: FileSnapshot,
        ranges: Sequence[tuple[int, int]],
        content_type: str,
        boundary: str,
        *,
        nofollow: bool,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._index = 0  # the plan item being sent
        self._pos: int | None = None  # the next file offset within the current range
        self.snapshot = snapshot
        self.boundary = boundary
        self.nofollow = nofollow
        self.chunk_size = chunk_size
        # The body is a plan of literal bytes (part headers) and file ranges.
        plan: list[bytes | tuple[int, int]] = []
        for start, stop in ranges:
            head = (
                f"--{boundary}\r\n"
                f"Content-Type: {content_type}\r\n"
                f"Content-Range: bytes {start}-{stop - 1}/{snapshot.size}\r\n\r\n"
            )
            plan += [head.encode("latin-1"), (start, stop), b"\r\n"]
        plan.append(f"--{boundary}--\r\n".encode("latin-1"))
        self._plan = plan
        #: The exact length of the body in bytes.
        self.content_length = sum(len(item) if isinstance(item, bytes) else item[1] - item[0] for item in plan)

    def __iter__(self) -> MultipartByteranges:
        return self

    def __next__(self) -> bytes:
        # A plain state machine rather than a generator: a generator would
        # hold a reference to this object, and that cycle would leave an
        # abandoned body (and its file) to the garbage collector.
        try:
            return self._next_chunk()
        except BaseException:  # StopIteration included: the body is done either way
            self.close()
            raise

    def _next_chunk(self) -> bytes:
        while not self._closed and self._index < len(self._plan):
            item = self._plan[self._index]
            if isinstance(item, bytes):
                self._index += 1
                return item
            start, stop = item
            if self._pos is None:
                self._pos = start
            if self._pos >= stop:
                self._index += 1
                self._pos = None
                continue
            if self._file is None:
                self._file = open_snapshot(self.snapshot, nofollow=self.nofollow)
            self._file.seek(self._pos)
            data = self._file.read(min(self.chunk_size, stop - self._pos))
            if not data:
                raise FileChangedError(f"{self.snapshot.path!r} became shorter while it was being served")
            self._pos += len(data)
            return data
        raise StopIteration

    def __repr__(self) -> str:
        return f"<MultipartByteranges {self.snapshot.path!r} parts={(len(self._plan) - 1) // 3}>"

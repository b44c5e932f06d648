"""Clastic 26's module-level file helpers, kept for code that imported them.

Each is a thin adapter over the code :class:`~clastic.static.StaticApplication`
uses, with its safety rules: :func:`find_file` refuses paths that leave the
search paths and does not find hidden files, :func:`build_file_response`
streams the file with validators and conditional answers. New code mounts a
``StaticApplication`` or a ``StaticFileRoute`` instead.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import stat
from collections.abc import Iterable
from typing import IO, Any

from werkzeug.http import http_date
from werkzeug.wsgi import FileWrapper

from clastic import Request, Response
from clastic.errors import NotFound
from clastic.static._application import _check_cache_timeout, _check_mime
from clastic.static._http import ServeOptions, file_response
from clastic.static._mime import DEFAULT_BINARY_MIME, DEFAULT_TEXT_MIME, looks_like_text
from clastic.static._paths import FileSnapshot, SearchRoot, hidden_segment, refusal_reason

__all__ = [
    "IS_WINDOWS",
    "build_file_response",
    "find_file",
    "get_file_mtime",
    "is_binary_string",
    "peek_file",
]

logger = logging.getLogger("clastic.static")

#: True on Windows, where drive letters and backslashes also make paths
#: absolute. Kept for compatibility with Clastic 26; :func:`find_file`
#: refuses those on every platform.
IS_WINDOWS = os.name == "nt"


def _as_search_paths(search_paths: Any) -> list[str]:
    if isinstance(search_paths, (str, os.PathLike)):
        search_paths = [search_paths]
    elif isinstance(search_paths, bytes) or not isinstance(search_paths, Iterable):
        raise TypeError(f"find_file: search_paths must be a directory path or a list of them (got {search_paths!r})")
    paths = []
    for item in search_paths:
        if isinstance(item, bytes) or not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"find_file: each search path must be a str or os.PathLike (got {item!r})")
        paths.append(os.fspath(item))
    return paths


def find_file(search_paths: Any, path: str, limit_root: bool = True) -> str | None:
    """Return the file *path* names in the first search path that has it, or ``None``.

    Kept for compatibility with Clastic 26; new code mounts a
    :class:`~clastic.static.StaticApplication`, which does this per request.

    *path* is relative, with ``/`` separators (``'css/site.css'``). The
    rules are StaticApplication's: an absolute path, a drive letter, a
    ``..`` or ``.`` segment, a backslash or a NUL byte raises ``ValueError``;
    hidden files and directories (a segment starting with ``.``, except
    ``.well-known``) and anything but regular files are not found.

    Args:
        search_paths: A directory or a list of them, searched in order.
        path: The relative path of the file.
        limit_root: Refuse symlinks that lead out of the search path (the
            default). ``False`` follows them; unlike Clastic 26 it never lets
            *path* itself climb out.

    >>> find_file(['/srv/static'], 'css/site.css')  # doctest: +SKIP
    '/srv/static/css/site.css'
    """
    if not isinstance(path, str):
        raise TypeError(f"find_file: path must be a str such as 'css/site.css' (got {path!r})")
    roots = _as_search_paths(search_paths)
    if path.startswith(("/", "\\")) or os.path.isabs(path):
        raise ValueError(
            f"find_file: absolute paths are not allowed ({path!r}); give a path relative to the search paths"
        )
    # Empty segments ("a//b") are dropped, as os.path.normpath did in Clastic 26.
    segments = [segment for segment in path.split("/") if segment]
    reason = refusal_reason(segments)
    if reason is not None:
        raise ValueError(f"find_file: {reason} ({path!r})")
    hidden = hidden_segment(segments)
    if hidden is not None:
        logger.debug("find_file: not finding %r: %r is hidden", path, hidden)
        return None
    for root_path in roots:
        root = SearchRoot(root_path, follow_symlinks=not limit_root)
        joined = root.join(segments)
        if joined is None:  # Werkzeug's safe_join refuses it (a Windows device name)
            raise ValueError(f"find_file: the path {path!r} is not allowed")
        if isinstance(root.resolve_file(joined), FileSnapshot):
            return joined
    return None


def get_file_mtime(path: str | os.PathLike[str], rounding: int = 0) -> datetime.datetime:
    """Return the modification time of *path* as an aware UTC datetime.

    Kept for compatibility with Clastic 26. *rounding* is the number of
    decimal places of seconds kept (``0``: whole seconds, as HTTP dates
    have). The result compares with Werkzeug's ``request.if_modified_since``.
    """
    if isinstance(rounding, bool) or not isinstance(rounding, int):
        raise TypeError(f"get_file_mtime: rounding must be an int number of decimal places (got {rounding!r})")
    seconds = round(os.path.getmtime(path), rounding)
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC)


def peek_file(file_obj: IO[bytes], size: int = -1) -> bytes:
    """Read up to *size* bytes (``-1``: all) from *file_obj* and seek back to where it was.

    Kept for compatibility with Clastic 26. *file_obj* must be seekable.
    """
    position = file_obj.tell()
    try:
        return file_obj.read(size)
    finally:
        file_obj.seek(position, io.SEEK_SET)


def is_binary_string(byte_string: bytes, sample_size: int = 4096) -> bool:
    """Return True if the first *sample_size* bytes of *byte_string* do not look like text.

    Kept for compatibility with Clastic 26; it is the test StaticApplication
    uses for files with an unknown extension: text has no NUL bytes, decodes
    as UTF-8 and has few control characters.

    >>> is_binary_string(b'hello'), is_binary_string(b'\\x89PNG\\r\\n\\x1a\\n\\x00')
    (False, True)
    """
    if not isinstance(byte_string, (bytes, bytearray, memoryview)):
        raise TypeError(f"is_binary_string: needs bytes (got {type(byte_string).__name__})")
    return not looks_like_text(bytes(byte_string[:sample_size]))


def build_file_response(
    path: str | os.PathLike[str],
    cache_timeout: int | None = None,
    cached_modify_time: datetime.datetime | float | None = None,
    mimetype: str | None = None,
    default_text_mime: str = DEFAULT_TEXT_MIME,
    default_binary_mime: str = DEFAULT_BINARY_MIME,
    file_wrapper: Any = FileWrapper,
    response_type: type[Response] = Response,
) -> Response:
    """Return a response that streams the file at *path*.

    Kept for compatibility with Clastic 26; new code serves a file with
    :class:`~clastic.static.StaticFileRoute`, which also answers the
    request's ``If-None-Match``, ``Range`` and ``Accept-Encoding``.

    The response is StaticFileRoute's ``200`` for a ``GET`` without other
    conditions: ``Content-Type`` (from the extension, else sniffed),
    ``Content-Length``, ``ETag``, ``Last-Modified`` and, when
    *cache_timeout* is set, ``Cache-Control: public, max-age=N``.

    Args:
        path: The file (chosen by the application, not the client).
        cache_timeout: Seconds of ``max-age``; ``None`` sends no Cache-Control.
        cached_modify_time: The client's ``If-Modified-Since`` (a datetime,
            naive meaning UTC, or a timestamp); a file not modified since
            gives a ``304``.
        mimetype: Content type to send instead of guessing it.
        default_text_mime: Type of unknown extensions whose content is text.
        default_binary_mime: Type of other unknown extensions.
        file_wrapper: Wraps the open file as the body, as a server's
            ``wsgi.file_wrapper`` does (``file_wrapper(file, block_size)``).
        response_type: The response class.

    Raises:
        NotFound: (non-breaking) *path* is missing or not a regular file.
    """
    where = "build_file_response"
    options = ServeOptions(
        cache_timeout=_check_cache_timeout(where, cache_timeout),
        default_text_mime=_check_mime(where, "default_text_mime", default_text_mime),
        default_binary_mime=_check_mime(where, "default_binary_mime", default_binary_mime),
    )
    if mimetype is not None:
        mimetype = _check_mime(where, "mimetype", mimetype)
    # A GET with only the condition Clastic 26 took, answered by StaticFileRoute's code.
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.file_wrapper": file_wrapper,
    }
    if cached_modify_time is not None:
        if isinstance(cached_modify_time, bool) or not isinstance(cached_modify_time, (datetime.datetime, int, float)):
            raise TypeError(
                f"{where}: cached_modify_time must be a datetime or a timestamp (got {cached_modify_time!r})"
            )
        environ["HTTP_IF_MODIFIED_SINCE"] = http_date(cached_modify_time)
    file_path = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(file_path)
    except (OSError, ValueError):
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        logger.debug("%s: %r is missing or not a regular file", where, file_path)
        raise NotFound("the requested file is missing", is_breaking=False)
    return file_response(
        Request(environ),
        FileSnapshot.from_stat(file_path, st),
        name=os.path.basename(file_path),
        options=options,
        mimetype=mimetype,
        response_type=response_type,
    )

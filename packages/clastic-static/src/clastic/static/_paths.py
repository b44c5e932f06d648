"""Turn URL path segments into files inside trusted directories, refusing escapes.

The segments come from the URL (``/static/<path*>``), already percent-decoded
by the WSGI server. Three checks keep every answer inside the search paths:

1. :func:`refusal_reason` rejects segments that mean "somewhere else" on some
   platform (``..``, ``.``, backslashes, NUL bytes, drive letters) before the
   file system is touched; Werkzeug's :func:`~werkzeug.security.safe_join`
   then joins what is left (and refuses Windows device names on Windows).
2. Unless symlinks may be followed, the joined path is resolved with
   :func:`os.path.realpath` and must stay under the search path's own real
   path, so a symlink pointing out of the tree is refused.
3. Unless hidden files may be served, a segment starting with ``.`` (other
   than ``.well-known``) is answered as if nothing were there:
   :func:`hidden_segment` finds it, again before the file system is touched.
4. Only regular files are served (never FIFOs or devices, which could block
   the worker), and each file is described by a :class:`FileSnapshot` whose
   identity is checked again when the file is finally opened.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass

from werkzeug.security import safe_join

__all__ = [
    "ESCAPED",
    "VISIBLE_DOT_NAMES",
    "FileSnapshot",
    "SearchRoot",
    "hidden_segment",
    "is_hidden",
    "refusal_reason",
]

logger = logging.getLogger("clastic.static")

# A drive letter ("C:") at the start of a segment is absolute on Windows.
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def refusal_reason(segments: Sequence[str]) -> str | None:
    """Return why these URL path segments may not name a file, or ``None`` if they may.

    >>> refusal_reason(['css', 'site.css']) is None
    True
    >>> refusal_reason(['..', 'etc', 'passwd'])
    "the path segment '..' is not allowed"
    """
    for segment in segments:
        if segment in (".", ".."):
            return f"the path segment {segment!r} is not allowed"
        if "\x00" in segment:
            return "NUL bytes are not allowed in paths"
        if "\\" in segment:
            return "backslashes are not allowed in paths"
        if "/" in segment or os.path.isabs(segment) or _DRIVE_RE.match(segment):
            return "absolute paths and drive letters are not allowed"
        if os.name == "nt" and ":" in segment:  # NTFS alternate data streams
            return "colons are not allowed in paths"
    return None


#: Names that start with a dot but are served anyway: RFC 8615's well-known
#: URIs (``/.well-known/acme-challenge/...``, ``/.well-known/security.txt``).
VISIBLE_DOT_NAMES = frozenset({".well-known"})


def is_hidden(name: str) -> bool:
    """Return True for a hidden file or directory name (``.env``, ``.git``), not ``.well-known``.

    >>> is_hidden('.env'), is_hidden('site.css'), is_hidden('.well-known')
    (True, False, False)
    """
    return name.startswith(".") and name not in VISIBLE_DOT_NAMES


def hidden_segment(segments: Sequence[str]) -> str | None:
    """Return the first hidden segment of a URL path (see :func:`is_hidden`), or ``None``.

    >>> hidden_segment(['.git', 'config'])
    '.git'
    >>> hidden_segment(['.well-known', 'security.txt']) is None
    True
    """
    for segment in segments:
        if is_hidden(segment):
            return segment
    return None


@dataclass(frozen=True)
class FileSnapshot:
    """A regular file as it was when a request looked at it.

    The response's headers (length, validators) come from this snapshot; the
    body is read later, and :meth:`matches` lets the reader check that the
    file it opened is still the same one.
    """

    #: The path to open.
    path: str
    #: Size in bytes.
    size: int
    #: Modification time, nanoseconds since the epoch.
    mtime_ns: int
    #: Device and inode: the file's identity.
    dev: int
    ino: int

    @classmethod
    def from_stat(cls, path: str, st: os.stat_result) -> FileSnapshot:
        """Describe *path* from its ``os.stat`` result."""
        return cls(path, st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)

    def matches(self, st: os.stat_result) -> bool:
        """Return True if *st* describes the same, unchanged file."""
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) == (self.dev, self.ino, self.size, self.mtime_ns)

    @property
    def mtime(self) -> int:
        """Modification time in whole seconds (HTTP dates have no fractions)."""
        return self.mtime_ns // 1_000_000_000


class _Escaped:
    """Marker: the path exists but resolves outside its search path."""

    def __repr__(self) -> str:
        return "ESCAPED"


#: Returned by :meth:`SearchRoot.resolve` for paths that leave the search path.
ESCAPED = _Escaped()


class SearchRoot:
    """One trusted directory that URL paths are resolved under.

    Args:
        path: The directory (made absolute).
        follow_symlinks: Serve symlinks whose targets lie outside *path*.
    """

    def __init__(self, path: str, *, follow_symlinks: bool = False) -> None:
        #: The directory as given, made absolute.
        self.path = os.path.abspath(path)
        #: Its real path (symlinks resolved), the boundary for resolved files.
        self.real = os.path.realpath(self.path)
        self.follow_symlinks = follow_symlinks
        # Everything strictly inside starts with this ('/srv/static/', never '/srv/static-evil').
        self._inside_prefix = self.real if self.real.endswith(os.sep) else self.real + os.sep

    def join(self, segments: Sequence[str]) -> str | None:
        """Join checked URL segments under this root; ``None`` if Werkzeug refuses them."""
        return safe_join(self.path, *segments)

    def contains(self, real_path: str) -> bool:
        """Return True if *real_path* (already resolved, so free of ``..``) lies in this root."""
        return real_path == self.real or real_path.startswith(self._inside_prefix)

    def resolve(self, path: str) -> tuple[str, os.stat_result] | _Escaped | None:
        """Stat *path* (a path under this root) the safe way.

        Returns ``(path to open, stat)`` for existing files and directories,
        :data:`ESCAPED` when symlinks lead outside the root and may not be
        followed, and ``None`` when nothing usable exists there.
        """
        if not self.follow_symlinks:
            real = os.path.realpath(path)
            if not self.contains(real):
                logger.debug("refusing %r: it resolves outside the search path %r", path, self.real)
                return ESCAPED
            path = real
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # missing, not a directory, too long, unreadable, bad characters
            return None
        return path, st

    def resolve_file(self, path: str) -> FileSnapshot | _Escaped | None:
        """Like :meth:`resolve`, but only regular files count."""
        found = self.resolve(path)
        if not isinstance(found, tuple):
            return found
        real, st = found
        if not stat.S_ISREG(st.st_mode):
            return None
        return FileSnapshot.from_stat(real, st)

    def resolve_child(self, path: str) -> FileSnapshot | _Escaped | None:
        """Like :meth:`resolve_file`, for *path* directly inside a directory already resolved.

        Only *path* itself can be a symlink then, so one ``lstat`` replaces a
        full :func:`os.path.realpath` walk unless it is one. Used for
        precompressed siblings and index files.
        """
        if self.follow_symlinks:
            return self.resolve_file(path)
        try:
            st = os.lstat(path)
        except (OSError, ValueError):
            return None
        if stat.S_ISLNK(st.st_mode):
            return self.resolve_file(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        return FileSnapshot.from_stat(path, st)

    def __repr__(self) -> str:
        return f"SearchRoot({self.path!r}, follow_symlinks={self.follow_symlinks!r})"

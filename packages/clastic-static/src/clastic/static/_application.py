"""StaticApplication (a directory tree) and StaticFileRoute (one file)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable, Sequence
from typing import Any

from clastic import Application, Request, Response, Route
from clastic.errors import Forbidden, NotFound
from clastic.static._http import ENCODINGS, ServeOptions, file_response
from clastic.static._mime import DEFAULT_BINARY_MIME, DEFAULT_TEXT_MIME
from clastic.static._paths import ESCAPED, FileSnapshot, SearchRoot, _Escaped, hidden_segment, is_hidden, refusal_reason
from clastic.utils import redirect_to_path

__all__ = ["DEFAULT_MAX_AGE", "StaticApplication", "StaticFileRoute"]

logger = logging.getLogger("clastic.static")

#: Default ``Cache-Control: max-age``, in seconds (six minutes, as in earlier Clastic releases).
DEFAULT_MAX_AGE = 360

#: Methods static routes answer; others get 405 with an ``Allow`` header.
STATIC_METHODS = ("GET", "HEAD")


def _check_cache_timeout(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"{where}: cache_timeout must be a whole number of seconds, 0 or more, or None for no "
            f"Cache-Control header (got {value!r}); for example cache_timeout=3600"
        )
    return value


def _check_flag(where: str, argument: str, value: Any, positional: str) -> bool:
    """Check a positional-compatible on/off option such as ``check_paths``.

    Earlier Clastic releases took it positionally right before
    ``cache_timeout``, so a number here is almost always a cache timeout
    passed one place too early; say so rather than treat it as true.
    """
    if type(value) in (bool, int) and value in (0, 1):
        return bool(value)
    hint = ""
    if isinstance(value, int) and not isinstance(value, bool):
        hint = f"; to set the cache timeout pass cache_timeout={value!r} (the order is {positional})"
    raise TypeError(f"{where}: {argument} must be True or False (got {value!r}){hint}")


def _check_mime(where: str, argument: str, value: Any) -> str:
    if not isinstance(value, str) or "/" not in value or value != value.strip():
        raise ValueError(f"{where}: {argument} must be a media type such as 'text/plain' (got {value!r})")
    return value


def _search_paths(value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, os.PathLike)):
        value = [value]
    elif isinstance(value, bytes) or not isinstance(value, Iterable):
        raise TypeError(f"StaticApplication: search_paths must be a directory path or a list of them (got {value!r})")
    paths = []
    for item in value:
        if not isinstance(item, (str, os.PathLike)) or isinstance(item, bytes):
            raise TypeError(f"StaticApplication: each search path must be a str or os.PathLike (got {item!r})")
        paths.append(os.path.abspath(os.fspath(item)))
    if not paths:
        raise ValueError("StaticApplication: search_paths is empty; give at least one directory to serve")
    return tuple(paths)


def _index_files(value: Any, *, serve_hidden: bool) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    names = tuple(value or ())
    for name in names:
        if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name:
            raise ValueError(
                f"StaticApplication: index_files must be plain file names such as 'index.html' (got {name!r})"
            )
        if is_hidden(name) and not serve_hidden:
            raise ValueError(
                f"StaticApplication: the index file {name!r} is hidden (its name starts with '.'), and hidden "
                "files are not served; rename it, or pass serve_hidden=True to serve hidden files"
            )
    return names


class StaticApplication(Application):
    """An Application that serves the files under one or more directories.

    Mount it under a prefix like any Application: ``('/static', static_app)``.
    A request for ``/static/css/site.css`` is looked up as ``css/site.css``
    in each search path in turn; the first that has it answers. A miss is a
    non-breaking 404, so a later route, or another StaticApplication on the
    same prefix, can still answer.

    Responses carry ``Content-Type`` (with ``charset=utf-8`` for text),
    ``Content-Length``, ``Last-Modified``, a strong ``ETag`` and
    ``Cache-Control``; conditional requests get 304 (or 412), ranges get
    206 (several ranges as ``multipart/byteranges``), and ``.br``/``.gz``
    siblings are sent to clients that accept them. Only ``GET`` and ``HEAD``
    are answered; files are streamed, through the server's
    ``wsgi.file_wrapper`` when there is one.

    Paths containing ``..``, ``.``, backslashes, NUL bytes or drive letters
    are refused (403), as are symlinks that lead out of the search path
    unless *follow_symlinks* is true. Hidden files and directories (a path
    segment starting with ``.``, such as ``.env`` or ``.git/config``) get
    the same 404 as a missing file unless *serve_hidden* is true;
    ``.well-known`` is not hidden.

    The first five parameters may be given positionally, in the order of
    earlier Clastic releases: ``StaticApplication(search_paths, check_paths,
    cache_timeout, default_text_mime, default_binary_mime)``; the newer
    options after them are keyword-only.

    Args:
        search_paths: A directory, or a list of directories searched in order.
        check_paths: Require every search path to be an existing directory
            now (raising ``FileNotFoundError`` or ``NotADirectoryError``).
        cache_timeout: Seconds for ``Cache-Control: public, max-age=N``;
            ``None`` sends no Cache-Control header.
        default_text_mime: Type of files with an unknown extension whose
            first bytes look like text.
        default_binary_mime: Type of other files with an unknown extension.
        index_files: File names served for a directory URL ending in ``/``,
            e.g. ``('index.html',)``; without them directories give 404.
        follow_symlinks: Serve symlinks whose targets are outside the search path.
        precompressed: Send ``name.br`` / ``name.gz`` instead of ``name`` to
            clients whose ``Accept-Encoding`` allows it.
        serve_hidden: Serve files and directories whose names start with
            ``.``. Off by default, so a ``.env``, ``.git/`` or
            ``.htpasswd`` left in a static folder is not published; index
            files and precompressed siblings are never hidden files then
            either.
        middlewares: Middlewares for the application's route.
    """

    def __init__(
        self,
        search_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        check_paths: bool = True,
        cache_timeout: int | None = DEFAULT_MAX_AGE,
        default_text_mime: str = DEFAULT_TEXT_MIME,
        default_binary_mime: str = DEFAULT_BINARY_MIME,
        *,
        index_files: Iterable[str] | str = (),
        follow_symlinks: bool = False,
        precompressed: bool = True,
        serve_hidden: bool = False,
        middlewares: Sequence[object] | None = None,
    ) -> None:
        where = "StaticApplication"
        if not isinstance(serve_hidden, bool):
            raise TypeError(f"{where}: serve_hidden must be True or False (got {serve_hidden!r})")
        #: Whether names starting with ``.`` (other than ``.well-known``) are served.
        self.serve_hidden = serve_hidden
        paths = _search_paths(search_paths)
        check_paths = _check_flag(
            where,
            "check_paths",
            check_paths,
            "StaticApplication(search_paths, check_paths, cache_timeout, default_text_mime, default_binary_mime)",
        )
        if check_paths:
            for path in paths:
                if not os.path.exists(path):
                    raise FileNotFoundError(
                        f"{where}: the search path {path!r} does not exist; create it, fix the path, "
                        "or pass check_paths=False if it will be created later"
                    )
                if not os.path.isdir(path):
                    raise NotADirectoryError(
                        f"{where}: the search path {path!r} is not a directory; for a single file use "
                        "StaticFileRoute(pattern, file_path)"
                    )
        #: The directories searched, in order (absolute paths).
        self.search_paths = paths
        #: Seconds of ``Cache-Control: max-age``, or ``None``.
        self.cache_timeout = _check_cache_timeout(where, cache_timeout)
        self.default_text_mime = _check_mime(where, "default_text_mime", default_text_mime)
        self.default_binary_mime = _check_mime(where, "default_binary_mime", default_binary_mime)
        #: File names tried for directory URLs.
        self.index_files = _index_files(index_files, serve_hidden=serve_hidden)
        self.follow_symlinks = bool(follow_symlinks)
        self.precompressed = bool(precompressed)
        self._roots = tuple(SearchRoot(path, follow_symlinks=self.follow_symlinks) for path in paths)
        self._options = ServeOptions(
            cache_timeout=self.cache_timeout,
            default_text_mime=self.default_text_mime,
            default_binary_mime=self.default_binary_mime,
            nofollow=not self.follow_symlinks,
        )
        route = Route("/<path*>", self.get_file_response, methods=STATIC_METHODS)
        super().__init__([route], middlewares=middlewares)

    def get_file_response(self, request: Request, path: list[str]) -> Response:
        """Answer a request for *path* (the URL's segments under the mount prefix).

        Raises a non-breaking ``Forbidden`` for refused paths and a
        non-breaking ``NotFound`` when no search path has the file.
        """
        self._refuse(request, path)
        slash = request.path.endswith("/")
        escaped = False
        for root in self._roots:
            joined = root.join(path)
            if joined is None:  # Werkzeug's safe_join refuses it (e.g. a Windows device name)
                raise Forbidden(f"the path {request.path!r} is not allowed", is_breaking=False)
            found = root.resolve(joined)
            if found is ESCAPED:
                escaped = True
                continue
            if not isinstance(found, tuple):
                continue
            real, st = found
            if stat.S_ISREG(st.st_mode):
                if slash:  # a file asked for as a directory
                    continue
                return self._send(request, root, FileSnapshot.from_stat(real, st), path[-1])
            if not (stat.S_ISDIR(st.st_mode) and self.index_files):
                continue
            index = self._find_index(root, real)
            if index is ESCAPED:
                escaped = True
            elif isinstance(index, tuple):
                if not slash:  # so that relative links in the index page resolve under the directory
                    return redirect_to_path(request, request.path + "/", 301)
                index_name, snapshot = index
                return self._send(request, root, snapshot, index_name)
        if escaped:
            raise Forbidden(f"{request.path!r} leads outside the static search paths", is_breaking=False)
        raise self._missing(request)

    def _refuse(self, request: Request, path: list[str]) -> None:
        """Raise for a path never served: a refused segment, or a hidden one unless serve_hidden is on."""
        reason = refusal_reason(path)
        if reason is not None:
            logger.debug("refusing %r: %s", request.path, reason)
            raise Forbidden(f"{reason} ({request.path!r})", is_breaking=False)
        if not self.serve_hidden:
            hidden = hidden_segment(path)
            if hidden is not None:  # answered as if absent, before looking, so nothing tells it exists
                logger.debug("not serving %r: %r is hidden and serve_hidden is off", request.path, hidden)
                raise self._missing(request)

    def _find_index(self, root: SearchRoot, directory: str) -> tuple[str, FileSnapshot] | _Escaped | None:
        """Return the first of index_files in *directory* with its name, else ESCAPED if one leads outside."""
        escaped = False
        for index_name in self.index_files:
            index = root.resolve_child(os.path.join(directory, index_name))
            if index is ESCAPED:
                escaped = True
            elif isinstance(index, FileSnapshot):
                return index_name, index
        return ESCAPED if escaped else None

    def _missing(self, request: Request) -> NotFound:
        return NotFound(f"no file for {request.path!r} in the static search paths", is_breaking=False)

    def _send(self, request: Request, root: SearchRoot, snapshot: FileSnapshot, name: str) -> Response:
        variants = {}
        # The siblings are named after the file opened, which a symlink may have led to a hidden name.
        if self.precompressed and (self.serve_hidden or not is_hidden(os.path.basename(snapshot.path))):
            for encoding, suffix in ENCODINGS:
                variant = root.resolve_child(snapshot.path + suffix)
                if isinstance(variant, FileSnapshot):
                    variants[encoding] = variant
        return file_response(request, snapshot, name=name, options=self._options, variants=variants)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} search_paths={list(self.search_paths)!r} cache_timeout={self.cache_timeout!r}>"


class StaticFileRoute(Route):
    """A route that serves one file, e.g. ``StaticFileRoute('/favicon.ico', ICON_PATH)``.

    It answers ``GET`` and ``HEAD`` with the same headers, conditional
    requests, ranges and precompressed siblings as :class:`StaticApplication`.

    ``pattern``, ``file_path``, ``check_file``, ``cache_timeout`` and
    ``mimetype`` may be given positionally, as in earlier Clastic releases;
    the options after them are keyword-only.

    Args:
        pattern: The URL pattern; URL fields, if any, are ignored.
        file_path: The file to serve.
        check_file: Open the file now, so a missing or unreadable file fails
            when the route is created rather than at the first request.
        cache_timeout: Seconds for ``Cache-Control: public, max-age=N``;
            ``None`` sends no Cache-Control header.
        mimetype: Content type to send instead of guessing it from the name.
        precompressed: Send ``file.br`` / ``file.gz`` to clients that accept them.
        middlewares: Middlewares for this route.
        name: Route name for ``Application.url_for``.
    """

    def __init__(
        self,
        pattern: str,
        file_path: str | os.PathLike[str],
        check_file: bool = True,
        cache_timeout: int | None = DEFAULT_MAX_AGE,
        mimetype: str | None = None,
        *,
        precompressed: bool = True,
        middlewares: Sequence[object] = (),
        name: str | None = None,
    ) -> None:
        where = f"StaticFileRoute({pattern!r})"
        if isinstance(file_path, bytes) or not isinstance(file_path, (str, os.PathLike)):
            raise TypeError(f"{where}: file_path must be a str or os.PathLike (got {file_path!r})")
        #: The file served (absolute path).
        self.file_path = os.path.abspath(os.fspath(file_path))
        check_file = _check_flag(
            where, "check_file", check_file, "StaticFileRoute(pattern, file_path, check_file, cache_timeout, mimetype)"
        )
        if check_file:
            if os.path.isdir(self.file_path):
                raise IsADirectoryError(
                    f"{where}: {self.file_path!r} is a directory; serve directories with StaticApplication"
                )
            try:
                with open(self.file_path, "rb"):
                    pass
            except OSError as ex:
                raise type(ex)(
                    ex.errno,
                    f"{where}: cannot open {self.file_path!r} ({ex.strerror}); fix the path, "
                    "or pass check_file=False if the file will be created later",
                ) from ex
        self.cache_timeout = _check_cache_timeout(where, cache_timeout)
        self.mimetype = None if mimetype is None else _check_mime(where, "mimetype", mimetype)
        self.precompressed = bool(precompressed)
        self._options = ServeOptions(cache_timeout=self.cache_timeout)
        super().__init__(pattern, self.get_file_response, methods=STATIC_METHODS, middlewares=middlewares, name=name)

    def get_file_response(self, request: Request) -> Response:
        """Answer a request for the file; a non-breaking 404 if it is gone."""
        try:
            st = os.stat(self.file_path)
        except (OSError, ValueError):
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            raise NotFound(f"the file for {request.path!r} is missing", is_breaking=False)
        snapshot = FileSnapshot.from_stat(self.file_path, st)
        variants = {}
        if self.precompressed:
            for encoding, suffix in ENCODINGS:
                try:
                    variant_stat = os.stat(self.file_path + suffix)
                except (OSError, ValueError):
                    continue
                if stat.S_ISREG(variant_stat.st_mode):
                    variants[encoding] = FileSnapshot.from_stat(self.file_path + suffix, variant_stat)
        return file_response(
            request,
            snapshot,
            name=os.path.basename(self.file_path),
            options=self._options,
            variants=variants,
            mimetype=self.mimetype,
        )

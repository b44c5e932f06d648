"""What every template render factory shares, whatever the engine.

A render factory turns a route's render argument, a template name such as
``'home.html'``, into a render function. Core calls the factory once per
route while the Application is built, so everything that can fail without a
request fails there: a name that matches no file under the search path, or a
template that does not compile. The render function it returns holds the
compiled template; a request renders it and builds the Response, with no
template lookup.

Engine modules (:mod:`clastic.render.ashes`, ``.chameleon``, ``.mako``,
``.jinja2``) subclass :class:`TemplateRenderFactory` and implement
:meth:`~TemplateRenderFactory.compile_template`,
:meth:`~TemplateRenderFactory.render_template` and the two ``*_location``
methods that map an engine error to a template line. A third-party engine
can do the same through :mod:`clastic.render.templating`.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from clastic.render._errors import TemplateCompileError, TemplateNotFoundError, first_line
from clastic.render._render import TemplateRender
from clastic.render._types import CompiledTemplate

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_CONTENT_TYPE",
    "CompiledTemplate",
    "TemplateRenderFactory",
]

#: Response content type by template extension; the innermost known
#: extension wins, so ``feed.xml.j2`` is served as XML.
CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xhtml": "application/xhtml+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".text": "text/plain; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}

#: Content type for templates whose extension says nothing about their output.
DEFAULT_CONTENT_TYPE = "text/html; charset=utf-8"

#: Extensions that name a template language rather than an output format.
_ENGINE_EXTENSIONS = frozenset(
    {".dust", ".ash", ".ashes", ".pt", ".cpt", ".zpt", ".mako", ".mak", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl"}
)

#: Output types whose templates are escaped for HTML/XML by default.
_MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml", "image/svg+xml"})

#: Directories never searched for template name suggestions.
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})
#: Stop listing templates for suggestions after this many files.
_MAX_LISTED = 5000


def _as_search_paths(search_paths: Any, owner: str, allow_none: bool) -> tuple[str, ...]:
    if search_paths is None:
        paths: list[Any] = []
    elif isinstance(search_paths, (str, os.PathLike)):
        paths = [search_paths]
    elif isinstance(search_paths, Iterable):
        paths = list(search_paths)
    else:
        raise TypeError(
            f"{owner}: search_paths must be a directory path or a list of them, "
            f"got {type(search_paths).__name__} ({search_paths!r})"
        )
    if not paths and not allow_none:
        raise ValueError(f"{owner} needs at least one template directory, got {search_paths!r}")
    result = []
    for path in paths:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{owner}: each search path must be a str or os.PathLike, got {path!r}")
        absolute = os.path.abspath(os.fspath(path))
        if not os.path.isdir(absolute):
            raise ValueError(
                f"{owner}: search path {os.fspath(path)!r} is not a directory (resolved to {absolute!r}); "
                "pass the directory that holds your templates, e.g. os.path.dirname(os.path.abspath(__file__))"
            )
        result.append(absolute)
    return tuple(result)


def _with_charset(content_type: str) -> str:
    if "charset=" in content_type:
        return content_type
    base = content_type.split(";", 1)[0].strip().lower()
    textual = base.startswith("text/") or base.endswith(("/xml", "+xml", "/json", "+json", "/javascript"))
    return f"{content_type}; charset=utf-8" if textual else content_type


def _base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class TemplateRenderFactory:
    """Base of the template render factories: search path, options, errors, caching.

    ``factory('home.html')`` (called by the Application when it binds a
    route) finds and compiles the template and returns a
    :class:`TemplateRender`. Subclasses implement the engine part.

    Args:
        search_paths: A template directory or a list of them, searched in order.
        default_mime: Content type for templates whose extension names no
            output format (``.pt``, ``.mako``, ``.dust``...); HTML by default.
        content_types: Extension to content type overrides, e.g.
            ``{'.xml': 'application/atom+xml'}``.
        autoescape: ``None`` (default) escapes values in HTML and XML
            templates and not in text, CSS, JS or JSON ones; ``True`` or
            ``False`` forces it; a callable gets the template name.
        filters: Extra named filters (``{'upper': str.upper}``), as the engine uses them.
        globals: Values every template sees; the render context wins on a clash.
        encoding: Encoding of the template files (responses are UTF-8).
        reload: ``None`` (default) re-reads changed template files while the
            Application runs with ``debug=True``; ``True`` always; ``False`` never.
        engine_options: Passed to the engine's environment or loader.
    """

    #: Name of the template engine, for messages.
    engine: ClassVar[str] = "template"
    #: Template extensions that select this factory in :class:`~clastic.render.auto.AutoRenderFactory`.
    extensions: ClassVar[tuple[str, ...]] = ()
    #: Engine exceptions that mean "this template does not compile".
    compile_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    #: The error raised for a missing template: a subclass of
    #: :class:`TemplateNotFoundError` that engines also derive from their own
    #: "not found" exception.
    not_found_error: ClassVar[type[TemplateNotFoundError]] = TemplateNotFoundError
    #: Whether the factory may be created without a search path (templates registered from strings).
    allow_no_search_paths: ClassVar[bool] = False
    #: Clastic 26's keyword name for *search_paths* in this engine's factory
    #: (``template_paths``, ``template_dirs``), accepted for compatibility.
    original_search_paths_name: ClassVar[str | None] = None
    #: Whether this engine's factory takes ``format_exceptions=`` (as
    #: Clastic 26's Chameleon and Mako factories did).
    accepts_format_exceptions: ClassVar[bool] = False
    #: Whether an error raised while rendering becomes Clastic's
    #: :class:`~clastic.render.templating.TemplateRenderError` (a logged 500
    #: naming the template line, with details only in debug mode), or
    #: propagates as the engine raised it to the Application's error handler.
    #: Set per factory where :attr:`accepts_format_exceptions`.
    format_exceptions: bool = True

    def __init__(
        self,
        search_paths: Any = None,
        *,
        default_mime: str | None = None,
        content_types: Mapping[str, str] | None = None,
        autoescape: bool | Callable[[str], bool] | None = None,
        filters: Mapping[str, Callable[..., Any]] | None = None,
        globals: Mapping[str, Any] | None = None,  # shadows the builtin: the name every engine uses
        encoding: str = "utf-8",
        reload: bool | None = None,
        **engine_options: Any,
    ) -> None:
        owner = type(self).__name__
        original_name = self.original_search_paths_name
        if original_name is not None and original_name in engine_options:
            original_value = engine_options.pop(original_name)
            if search_paths is not None:
                raise TypeError(
                    f"{owner}: got the template directories twice, as search_paths and as {original_name} "
                    f"(Clastic 26's name for it); pass only search_paths"
                )
            search_paths = original_value
        if self.accepts_format_exceptions and "format_exceptions" in engine_options:
            format_exceptions = engine_options.pop("format_exceptions")
            if not isinstance(format_exceptions, bool):
                raise TypeError(
                    f"{owner}: format_exceptions must be True (rendering errors answer a logged 500 that shows "
                    "details only in debug mode) or False (they propagate to the error handler), "
                    f"got {format_exceptions!r}"
                )
            self.format_exceptions = format_exceptions
        #: Absolute template directories, searched in order.
        self.search_paths = _as_search_paths(search_paths, owner, self.allow_no_search_paths)
        self.default_mime = _with_charset(default_mime) if default_mime else DEFAULT_CONTENT_TYPE
        self.content_types = dict(CONTENT_TYPES)
        for ext, ctype in (content_types or {}).items():
            if not isinstance(ext, str) or not ext.startswith("."):
                raise ValueError(f"{owner}: content_types keys are extensions such as '.xml', got {ext!r}")
            self.content_types[ext.lower()] = _with_charset(ctype)
        if autoescape is not None and not isinstance(autoescape, bool) and not callable(autoescape):
            raise TypeError(
                f"{owner}: autoescape must be None, True, False or a callable(name) -> bool, got {autoescape!r}"
            )
        self.autoescape = autoescape
        self.filters = dict(filters or {})
        for name, func in self.filters.items():
            if not callable(func):
                raise TypeError(f"{owner}: filter {name!r} must be callable, got {func!r}")
        self.globals = dict(globals or {})
        self.encoding = encoding
        self.reload = reload
        self.engine_options = engine_options
        self._compiled: dict[str, CompiledTemplate] = {}
        self._lock = threading.RLock()

    # -- the render factory protocol ------------------------------------------

    def __call__(self, render_arg: Any) -> TemplateRender:
        """Find and compile the template *render_arg* names; return its render function."""
        name = self._check_name(render_arg)
        compiled = self.get_compiled(name)
        return TemplateRender(self, compiled, self.content_type_for(name))

    def get_compiled(self, name: str) -> CompiledTemplate:
        """Return *name* compiled, compiling it now unless its file is unchanged since last time."""
        name = self.normalize_name(name)
        with self._lock:
            path = self.find_template(name)
            mtime = os.path.getmtime(path) if path is not None else None
            cached = self._compiled.get(name)
            if cached is not None and cached.path == path and cached.mtime == mtime:
                return cached
            compiled = self._compile(name, path, mtime)
            self._compiled[name] = compiled
            return compiled

    def refresh(self, compiled: CompiledTemplate) -> CompiledTemplate:
        """Return *compiled*, recompiled if its file changed on disk (used by ``reload``)."""
        if compiled.path is None:
            return compiled
        try:
            mtime = os.path.getmtime(compiled.path)
        except OSError:
            mtime = None
        if mtime == compiled.mtime:
            return compiled
        return self.get_compiled(compiled.name)

    # -- names and files ------------------------------------------------------

    def _check_name(self, render_arg: Any) -> str:
        if isinstance(render_arg, os.PathLike):
            render_arg = os.fspath(render_arg)
        if not isinstance(render_arg, str) or not render_arg.strip():
            raise TypeError(
                f"{type(self).__name__}: a render argument must be a template name such as 'home.html', "
                f"got {type(render_arg).__name__} ({render_arg!r})"
            )
        return render_arg

    def normalize_name(self, name: str) -> str:
        """Return *name* relative to the search path, refusing names that leave it.

        ``'./pages/../home.html'`` and an absolute path inside a search
        directory both become ``'home.html'``.
        """
        if os.path.isabs(name):
            for root in self.search_paths:
                if os.path.commonpath([root, os.path.abspath(name)]) == root:
                    return os.path.relpath(os.path.abspath(name), root).replace(os.sep, "/")
            raise self.not_found_error(
                f"{type(self).__name__}: template path {name!r} is outside the search path "
                f"{list(self.search_paths)}; name templates relative to it (e.g. 'home.html')",
                template_name=name,
                search_paths=self.search_paths,
                suggestion=None,
            )
        normal = posixpath.normpath(name.replace(os.sep, "/"))
        if normal == ".." or normal.startswith("../"):
            raise self.not_found_error(
                f"{type(self).__name__}: template name {name!r} climbs out of the search path "
                f"{list(self.search_paths)}; name templates relative to it",
                template_name=name,
                search_paths=self.search_paths,
                suggestion=None,
            )
        return normal

    def find_template(self, name: str) -> str | None:
        """Return the absolute path of template *name* (first search directory wins).

        Raises :class:`TemplateNotFoundError` naming the search path and the
        closest existing template when there is none. Subclasses that hold
        templates registered from strings return ``None`` for those.
        """
        relative = self.normalize_name(name)
        for root in self.search_paths:
            candidate = os.path.join(root, *relative.split("/"))
            if os.path.isfile(candidate):
                return candidate
        raise self._not_found(name)

    def list_templates(self) -> list[str]:
        """Return the names of the files under the search path (hidden files excepted)."""
        names: set[str] = set()
        for root in self.search_paths:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_DIRS)
                for filename in filenames:
                    if filename.startswith(".") or filename.endswith((".pyc", ".py", "~")):
                        continue
                    names.add(os.path.relpath(os.path.join(dirpath, filename), root).replace(os.sep, "/"))
                    if len(names) >= _MAX_LISTED:
                        return sorted(names)
        return sorted(names)

    def _not_found(self, name: str, included_by: str | None = None) -> TemplateNotFoundError:
        existing = self.list_templates()
        suggestion = _closest_template(name, existing)
        shown = ", ".join(repr(n) for n in existing[:10]) + (", ..." if len(existing) > 10 else "")
        found = f"templates there: {shown}" if existing else "no templates there"
        hint = f" Did you mean {suggestion!r}?" if suggestion else ""
        if included_by:
            what = f"template {included_by!r} uses {name!r}, but there is no such template"
        else:
            what = f"no template {name!r}"
        return self.not_found_error(
            f"{type(self).__name__}: {what} in the search path {list(self.search_paths)} ({found}).{hint}",
            template_name=name,
            search_paths=self.search_paths,
            suggestion=suggestion,
        )

    # -- content types and escaping -------------------------------------------

    def content_type_for(self, name: str) -> str:
        """Return the response content type for template *name*, from its extensions.

        >>> AshesRenderFactory(dir).content_type_for('feed.xml.dust')  # doctest: +SKIP
        'application/xml; charset=utf-8'
        """
        base = posixpath.basename(name)
        while True:
            stem, ext = posixpath.splitext(base)
            ext = ext.lower()
            if not ext:
                return self.default_mime
            if ext in self.content_types:
                return self.content_types[ext]
            if ext not in _ENGINE_EXTENSIONS and ext not in self.extensions:
                return self.default_mime
            base = stem

    def autoescape_for(self, name: str) -> bool:
        """Return whether values are HTML-escaped in template *name*."""
        if isinstance(self.autoescape, bool):
            return self.autoescape
        if self.autoescape is not None:
            return bool(self.autoescape(name))
        ctype = _base_type(self.content_type_for(name))
        return ctype in _MARKUP_TYPES or ctype.endswith("+xml")

    # -- compiling ------------------------------------------------------------

    def _compile(self, name: str, path: str | None, mtime: float | None) -> CompiledTemplate:
        escape = self.autoescape_for(name)
        try:
            template = self.compile_template(name, path, escape)
        except UnicodeDecodeError as ex:
            raise TemplateCompileError(
                f"{type(self).__name__}: template {name!r} ({path}) is not valid {self.encoding} text "
                f"({ex.reason} at byte {ex.start}); save it as {self.encoding} or pass the factory encoding=",
                template_name=name,
                filename=path,
                line=None,
            ) from ex
        except self.compile_errors as ex:
            filename, line = self.compile_error_location(ex)
            where = f" at line {line}" if line else ""
            in_file = f" (in {filename})" if filename and filename != path else ""
            raise TemplateCompileError(
                f"{type(self).__name__}: template {name!r} ({path or 'registered source'}) does not compile"
                f"{where}{in_file}: {first_line(ex)}; fix the template",
                template_name=name,
                filename=filename or path,
                line=line,
            ) from ex
        self._check_references(name, path)
        return CompiledTemplate(name, path, mtime, template, escape, self.template_source(name))

    def _check_references(self, name: str, path: str | None) -> None:
        """Fail the build when a template includes one that does not exist.

        Follows the names :meth:`referenced_templates` reports, transitively;
        names computed at render time cannot be checked here.
        """
        seen = {name}
        pending = [(name, path)]
        while pending:
            parent, parent_path = pending.pop()
            source = self._read_source(parent, parent_path)
            if source is None:
                continue
            for ref in self.referenced_templates(parent, source):
                if ref in seen:
                    continue
                seen.add(ref)
                try:
                    ref_path = self.find_template(ref)
                except TemplateNotFoundError:
                    raise self._not_found(ref, included_by=parent) from None
                pending.append((ref, ref_path))

    def _read_source(self, name: str, path: str | None) -> str | None:
        registered = self.template_source(name)
        if registered is not None or path is None:
            return registered
        try:
            with open(path, encoding=self.encoding) as source_file:
                return source_file.read()
        except (OSError, UnicodeDecodeError):
            return None  # compiling it reports the problem

    def template_source(self, name: str) -> str | None:
        """Return the source of a template registered from a string, else ``None``."""
        return None

    def referenced_templates(self, name: str, source: str) -> list[str]:
        """Return the names of the templates that template *name* (text *source*) uses by a fixed name.

        Names are relative to the search path, as routes give them.

        Engines override this so a missing partial fails the build; the default finds none.
        """
        return []

    # -- the engine part (subclasses) ----------------------------------------

    def compile_template(self, name: str, path: str | None, autoescape: bool) -> Any:
        """Compile template *name* found at *path*; return the engine's template object.

        Raise one of :attr:`compile_errors` if it does not compile.
        """
        raise NotImplementedError

    def render_template(self, template: Any, context: dict[str, Any]) -> str | bytes:
        """Render the engine's *template* object with *context*."""
        raise NotImplementedError

    def compile_error_location(self, exc: BaseException) -> tuple[str | None, int | None]:
        """Return ``(filename, line)`` of a compile error, as far as the engine tells."""
        return None, None

    def render_error_location(self, compiled: CompiledTemplate, exc: BaseException) -> tuple[str | None, int | None]:
        """Return ``(filename, line)`` in the template source where rendering failed."""
        return None, None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.search_paths)!r})"


def _closest_template(name: str, existing: list[str]) -> str | None:
    """Return the existing template name closest to *name*, or ``None``.

    A file with the same base name in another directory wins
    (``'home.html'`` -> ``'pages/home.html'``); otherwise the closest full
    name, then the closest base name.
    """
    basename = posixpath.basename(name)
    same_base = [candidate for candidate in existing if posixpath.basename(candidate) == basename]
    if same_base:
        return same_base[0]
    close = difflib.get_close_matches(name, existing, n=1, cutoff=0.6)
    if close:
        return close[0]
    by_base = {posixpath.basename(candidate): candidate for candidate in reversed(existing)}
    close = difflib.get_close_matches(basename, list(by_base), n=1, cutoff=0.6)
    return by_base[close[0]] if close else None

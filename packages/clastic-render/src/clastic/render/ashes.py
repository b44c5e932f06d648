"""Render routes with Ashes (Dust-style) templates: :class:`AshesRenderFactory`.

>>> render_factory = AshesRenderFactory(CUR_PATH)  # doctest: +SKIP
>>> Application([("/", home, "home.html")], render_factory=render_factory)  # doctest: +SKIP

Code that imported the Ashes library itself from the original
``clastic.render`` (``from clastic.render import ashes; ashes.AshesEnv``) finds
``AshesEnv`` and ``Template`` re-exported here.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import Any

import ashes
from ashes import AshesEnv as AshesEnv
from ashes import Template as Template

from clastic.render._base import CompiledTemplate, TemplateRenderFactory

__all__ = ["AshesEnv", "AshesRenderFactory", "Template"]

#: Chunk methods the compiled template calls for each kind of tag, and the
#: tag symbol that produces each call.
_TAG_METHODS: dict[str, str | None] = {
    "reference": None,
    "section": "#",
    "exists": "?",
    "notexists": "^",
    "helper": "@",
    "partial": ">",
    "block": "+",
}


class AshesRenderFactory(TemplateRenderFactory):
    """Turn template names into render functions for Ashes templates.

    Values are HTML-escaped (Ashes' ``h`` filter) in HTML and XML templates;
    ``{value|s}`` prints one unescaped. Partials (``{>"nav.html"/}``) are
    looked up in the same search path.

    Args:
        search_paths: A template directory or a list of them, searched in order.
            ``None`` is allowed when every template is added with
            :meth:`register_source`.
        helpers: Extra Ashes helpers (``{@name .../}``), name -> function.
        keep_whitespace: Keep the templates' whitespace as written (default),
            or let Ashes trim it.
        load_all: Compile every ``.html``, ``.xml``, ``.txt`` and Ashes
            template under the search path now, so any broken one fails at
            once, not only those routes name.
        **options: The shared options of :class:`~clastic.render.templating.TemplateRenderFactory`
            (``default_mime``, ``content_types``, ``autoescape``, ``filters``,
            ``globals``, ``encoding``, ``reload``); anything else goes to
            :class:`ashes.AshesEnv`.
    """

    engine = "Ashes"
    extensions = (".dust", ".ash", ".ashes")
    #: Files ``load_all=True`` compiles.
    load_all_extensions = (".html", ".htm", ".xml", ".txt", ".dust", ".ash", ".ashes")
    compile_errors = (ashes.AshesException, ValueError)
    allow_no_search_paths = True

    def __init__(
        self,
        search_paths: Any = None,
        *,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        keep_whitespace: bool = True,
        load_all: bool = False,
        **options: Any,
    ) -> None:
        if "env" in options:
            raise TypeError(
                "AshesRenderFactory(env=...) is not supported: the factory builds its own Ashes environments "
                "(one escaping, one not); pass helpers=, filters=, globals= or other AshesEnv options instead"
            )
        super().__init__(search_paths, **options)
        self.helpers = dict(helpers or {})
        self.keep_whitespace = keep_whitespace
        self._sources: dict[str, str] = {}
        #: One Ashes environment per escaping mode: ``True`` escapes values for HTML.
        self.envs = {escape: self._make_env(escape) for escape in (True, False)}
        if load_all:
            for name in self.list_templates():
                if name.lower().endswith(self.load_all_extensions):
                    self.get_compiled(name)

    def _make_env(self, escape: bool) -> ashes.AshesEnv:
        env = ashes.AshesEnv(
            None,
            self.keep_whitespace,
            helpers=self.helpers,
            filters=self.filters,
            defaults=self.globals,
            auto_reload=bool(self.reload),
            **self.engine_options,
        )
        # Ashes compiles references with the environment's autoescape filter.
        env.autoescape_filter = "h" if escape else ""
        for root in self.search_paths:
            # Absolute roots: Ashes' loader treats a relative name that starts
            # like a relative root as already rooted.
            env.loaders.append(ashes.TemplatePathLoader(root, encoding=self.encoding))
        return env

    def register_source(self, name: str, source: str) -> None:
        """Add a template from a string; routes can then name it like a file.

        It is compiled when a route first uses it, and its errors are reported
        like those of template files.
        """
        if not isinstance(source, str):
            raise TypeError(
                f"AshesRenderFactory.register_source({name!r}, ...) needs the template text as str, "
                f"got {type(source).__name__}"
            )
        with self._lock:
            self._sources[name] = source
            self._compiled.pop(name, None)

    def find_template(self, name: str) -> str | None:
        """Return the template file for *name*, or ``None`` for a registered source."""
        if name in self._sources:
            return None
        return super().find_template(name)

    def list_templates(self) -> list[str]:
        """Return the template files under the search path and the registered names."""
        return sorted(set(super().list_templates()) | set(self._sources))

    def template_source(self, name: str) -> str | None:
        return self._sources.get(name)

    def compile_template(self, name: str, path: str | None, autoescape: bool) -> ashes.Template:
        env = self.envs[autoescape]
        if path is None:
            source = self._sources[name]
        else:
            with open(path, encoding=self.encoding) as source_file:
                source = source_file.read()
        template = ashes.Template(name, source, source_file=path, env=env)
        # Partials that include this template by name reuse the compiled one.
        env.register(template, name)
        return template

    def render_template(self, template: ashes.Template, context: dict[str, Any]) -> str:
        # Template.render() prints errors to stdout; collect the output here instead.
        rendered: list[str] = []

        def done(error: Any, result: str) -> None:
            if error:
                raise ashes.RenderException(error)
            rendered.append(result)

        chunk = ashes.Stub(done).head
        template.render_chunk(chunk, ashes.Context.wrap(template.env, context)).end()
        return rendered[0]

    def referenced_templates(self, name: str, source: str) -> list[str]:
        """Return the partials (``{>"nav.html"/}``) whose names are written out."""
        try:
            tokens = ashes.tokenize(source)
        except self.compile_errors:
            return []  # compiling reports it
        names = []
        for token in tokens:
            if isinstance(token, ashes.PartialTag):
                ref = (token.refpath or "").strip().strip('"')
                if ref and "{" not in ref:
                    names.append(ref)
        return names

    def compile_error_location(self, exc: BaseException) -> tuple[str | None, int | None]:
        return getattr(exc, "source_file", None), getattr(exc, "line_no", None)

    def render_error_location(self, compiled: CompiledTemplate, exc: BaseException) -> tuple[str | None, int | None]:
        """Find the tag that failed from the Ashes frames in the traceback.

        Ashes keeps no line numbers in compiled templates, so this finds the
        innermost tag call (reference, section, helper, partial) and matches
        it against the template's tokens, which know their lines. When one
        tag appears on several lines, the first is reported.
        """
        frames = [frame for frame, _ in traceback.walk_tb(exc.__traceback__)]
        ashes_file = getattr(ashes, "__file__", None)
        template: Any = None
        tag_frame: Any = None
        lookup_frame: Any = None
        for frame in reversed(frames):
            if frame.f_code.co_filename != ashes_file:
                continue
            name = frame.f_code.co_name
            if name == "_get" and lookup_frame is None and tag_frame is None:
                lookup_frame = frame
            elif name in _TAG_METHODS and tag_frame is None:
                tag_frame = frame
            elif name == "render_chunk" and isinstance(frame.f_locals.get("self"), ashes.Template):
                template = frame.f_locals["self"]
                break
        if template is None or not template.source:
            return None, None
        tags = [token for token in ashes.tokenize(template.source) if isinstance(token, ashes.Tag)]
        if lookup_frame is not None:
            key = ".".join(str(part) for part in lookup_frame.f_locals.get("down") or ())
            lines = [t.start_line for t in tags if not getattr(t, "closing", "") and _tag_key(t) == key]
        elif tag_frame is not None:
            lines = _lines_for_tag_call(tags, tag_frame)
        else:
            lines = []
        return template.source_file, (min(lines) if lines else None)


def _tag_key(tag: Any) -> str:
    refpath = (getattr(tag, "refpath", "") or "").strip()
    return refpath.strip('"').lstrip(".")


def _lines_for_tag_call(tags: list[Any], frame: Any) -> list[int]:
    method = frame.f_code.co_name
    symbol = _TAG_METHODS[method]
    local = frame.f_locals
    candidates = [
        t
        for t in tags
        if not getattr(t, "closing", "")
        and (getattr(t, "symbol", "") or None) == symbol
        and (symbol is not None or isinstance(t, ashes.ReferenceTag))
    ]
    if method == "helper":
        return [t.start_line for t in candidates if _tag_key(t) == local.get("name")]
    if method == "partial":
        return [t.start_line for t in candidates if _tag_key(t) == local.get("elem")]
    # References and sections receive the value, not the key: find the keys
    # that hold that very value in the failing context (plain dict lookups,
    # so no template value's code runs again), then the tags using them.
    keys = _keys_holding(local.get("elem"), local.get("context"))
    lines = []
    for tag in candidates:
        key = _tag_key(tag)
        if key in keys or any(key.endswith("." + found) for found in keys if found):
            lines.append(tag.start_line)
    return lines


def _keys_holding(elem: Any, context: Any) -> set[str]:
    keys: set[str] = set()
    stack = getattr(context, "stack", None)
    if stack is not None and stack.head is elem:
        keys.add("")
    scopes: list[Any] = []
    while stack is not None:
        scopes.append(stack.head)
        stack = stack.tail
    scopes.append(getattr(context, "globals", None))
    scopes.append(getattr(getattr(context, "env", None), "defaults", None))
    for scope in scopes:
        if type(scope) is dict:
            keys.update(key for key, value in scope.items() if value is elem and isinstance(key, str))
    return keys

"""Render routes with Ashes (Dust-style) templates: :class:`AshesRenderFactory`.

>>> render_factory = AshesRenderFactory(CUR_PATH)  # doctest: +SKIP
>>> Application([("/", home, "home.html")], render_factory=render_factory)  # doctest: +SKIP

Clastic 26 shipped the Ashes library itself as this module, so code wrote
``from clastic.render.ashes import AshesEnv, Template, TemplateNotFound`` or
``from clastic.render import ashes; ashes.AshesEnv()``. The installed Ashes
package's public names are re-exported here for that code (kept for
compatibility with Clastic 26; new code imports them from ``ashes``). The
module ``ashes`` itself is this module's ``ashes`` attribute; Ashes' default
environment, which the library also calls ``ashes``, is ``default_env``.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import ashes

# The Ashes library's public names, as Clastic 26's clastic.render.ashes (a copy of
# the library) offered them; kept for compatibility, new code imports them from ashes.
from ashes import ALL_ATTRS as ALL_ATTRS
from ashes import DEFAULT_EXTENSIONS as DEFAULT_EXTENSIONS
from ashes import DEFAULT_FILTERS as DEFAULT_FILTERS
from ashes import DEFAULT_HELPERS as DEFAULT_HELPERS
from ashes import DEFAULT_IGNORED_PATTERNS as DEFAULT_IGNORED_PATTERNS
from ashes import DEFAULT_OPTIMIZERS as DEFAULT_OPTIMIZERS
from ashes import DEFAULT_PRAGMAS as DEFAULT_PRAGMAS
from ashes import DEFAULT_SPECIAL_CHARS as DEFAULT_SPECIAL_CHARS
from ashes import JSON_PP_INDENT as JSON_PP_INDENT
from ashes import PY3 as PY3
from ashes import ROOT_RENDER_TMPL as ROOT_RENDER_TMPL
from ashes import UNOPT_OPTIMIZERS as UNOPT_OPTIMIZERS
from ashes import AshesEnv as AshesEnv
from ashes import AshesException as AshesException
from ashes import BaseAshesEnv as BaseAshesEnv
from ashes import Block as Block
from ashes import BlockTag as BlockTag
from ashes import BufferToken as BufferToken
from ashes import Chunk as Chunk
from ashes import CLIError as CLIError
from ashes import ClosingTag as ClosingTag
from ashes import CommentToken as CommentToken
from ashes import Compiler as Compiler
from ashes import Context as Context
from ashes import FlatteningPathLoader as FlatteningPathLoader
from ashes import Optimizer as Optimizer
from ashes import ParseError as ParseError
from ashes import ParseTree as ParseTree
from ashes import PartialTag as PartialTag
from ashes import RawToken as RawToken
from ashes import ReferenceTag as ReferenceTag
from ashes import RenderException as RenderException
from ashes import Section as Section
from ashes import SectionTag as SectionTag
from ashes import SpecialTag as SpecialTag
from ashes import Stack as Stack
from ashes import Stream as Stream
from ashes import Stub as Stub
from ashes import Tag as Tag
from ashes import Tap as Tap
from ashes import Template as Template
from ashes import TemplateConversionException as TemplateConversionException
from ashes import TemplateNotFound as TemplateNotFound
from ashes import TemplatePathLoader as TemplatePathLoader
from ashes import Token as Token
from ashes import UndefinedValue as UndefinedValue
from ashes import UndefinedValueType as UndefinedValueType
from ashes import any_helper as any_helper
from ashes import comma_num as comma_num
from ashes import comment_re as comment_re
from ashes import default_env as default_env
from ashes import esc_pragma as esc_pragma
from ashes import escape as escape
from ashes import escape_html as escape_html
from ashes import escape_js as escape_js
from ashes import escape_uri_component as escape_uri_component
from ashes import escape_uri_path as escape_uri_path
from ashes import first_helper as first_helper
from ashes import get_path_or_key as get_path_or_key
from ashes import get_tag as get_tag
from ashes import html_escape as html_escape
from ashes import idx_1_helper as idx_1_helper
from ashes import idx_helper as idx_helper
from ashes import inline_to_dust_ast as inline_to_dust_ast
from ashes import is_empty as is_empty
from ashes import is_scalar as is_scalar
from ashes import iter_find_files as iter_find_files
from ashes import iterate_helper as iterate_helper
from ashes import key_re as key_re
from ashes import key_re_str as key_re_str
from ashes import last_helper as last_helper
from ashes import load_template_path as load_template_path
from ashes import main as main
from ashes import make_base as make_base
from ashes import node_re as node_re
from ashes import none_helper as none_helper
from ashes import nsym as nsym
from ashes import params_to_dust_ast as params_to_dust_ast
from ashes import params_to_kv as params_to_kv
from ashes import parse_inline as parse_inline
from ashes import path_re as path_re
from ashes import pp_filter as pp_filter
from ashes import ppjson_filter as ppjson_filter
from ashes import python_string_to_code as python_string_to_code
from ashes import python_string_to_function as python_string_to_function
from ashes import select_helper as select_helper
from ashes import sep_helper as sep_helper
from ashes import size_helper as size_helper
from ashes import split_leading as split_leading
from ashes import string_types as string_types
from ashes import to_unicode as to_unicode
from ashes import tokenize as tokenize
from ashes import unicode as unicode
from ashes import walk_ext_matches as walk_ext_matches

from clastic.render._base import CompiledTemplate, TemplateRenderFactory
from clastic.render._errors import TemplateCompileError, TemplateNotFoundError, first_line

__all__ = [  # noqa: RUF022  # this module's own names first, then the library's
    "AshesRenderFactory",
    "AshesTemplateNotFoundError",
    # The Ashes library's names (see above).
    "ALL_ATTRS", "AshesEnv", "AshesException", "BaseAshesEnv", "Block", "BlockTag", "BufferToken", "CLIError",
    "Chunk", "ClosingTag", "CommentToken", "Compiler", "Context", "DEFAULT_EXTENSIONS", "DEFAULT_FILTERS",
    "DEFAULT_HELPERS", "DEFAULT_IGNORED_PATTERNS", "DEFAULT_OPTIMIZERS", "DEFAULT_PRAGMAS",
    "DEFAULT_SPECIAL_CHARS", "FlatteningPathLoader", "JSON_PP_INDENT", "Optimizer", "PY3", "ParseError",
    "ParseTree", "PartialTag", "ROOT_RENDER_TMPL", "RawToken", "ReferenceTag", "RenderException", "Section",
    "SectionTag", "SpecialTag", "Stack", "Stream", "Stub", "Tag", "Tap", "Template",
    "TemplateConversionException", "TemplateNotFound", "TemplatePathLoader", "Token", "UNOPT_OPTIMIZERS",
    "UndefinedValue", "UndefinedValueType", "any_helper", "comma_num", "comment_re", "default_env",
    "esc_pragma", "escape", "escape_html", "escape_js", "escape_uri_component", "escape_uri_path",
    "first_helper", "get_path_or_key", "get_tag", "html_escape", "idx_1_helper", "idx_helper",
    "inline_to_dust_ast", "is_empty", "is_scalar", "iter_find_files", "iterate_helper", "key_re",
    "key_re_str", "last_helper", "load_template_path", "main", "make_base", "node_re", "none_helper", "nsym",
    "params_to_dust_ast", "params_to_kv", "parse_inline", "path_re", "pp_filter", "ppjson_filter",
    "python_string_to_code", "python_string_to_function", "select_helper", "sep_helper", "size_helper",
    "split_leading", "string_types", "to_unicode", "tokenize", "unicode", "walk_ext_matches",
]

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


class AshesTemplateNotFoundError(TemplateNotFoundError, ashes.TemplateNotFound):  # type: ignore[misc]  # untyped base
    """A missing Ashes template: Clastic's :class:`~clastic.render.templating.TemplateNotFoundError`
    and ``ashes.TemplateNotFound`` in one (``name`` is the template name, as Ashes sets it)."""

    def __init__(
        self, message: str, *, template_name: str, search_paths: tuple[str, ...], suggestion: str | None
    ) -> None:
        super().__init__(message, template_name=template_name, search_paths=search_paths, suggestion=suggestion)
        #: The template name, as on ``ashes.TemplateNotFound``.
        self.name = template_name


class AshesRenderFactory(TemplateRenderFactory):
    """Turn template names into render functions for Ashes templates.

    Values are HTML-escaped (Ashes' ``h`` filter) in HTML and XML templates;
    ``{value|s}`` prints one unescaped. Partials (``{>"nav.html"/}``) are
    looked up in the same search path.

    Args:
        search_paths: A template directory or a list of them, searched in order.
            ``None`` is allowed when every template is added with
            :meth:`register_source`. ``template_paths=``, its name in
            Clastic 26, is accepted too (kept for compatibility).
        helpers: Extra Ashes helpers (``{@name .../}``), name -> function.
        keep_whitespace: Keep the templates' whitespace as written (default,
            or the ``env=`` environment's setting), or let Ashes trim it.
        load_all: Compile every ``.html``, ``.xml``, ``.txt`` and Ashes
            template under the search path now, so any broken one fails at
            once, not only those routes name.
        env: An existing ``ashes.AshesEnv`` to take templates and settings
            from; kept for compatibility with Clastic 26 (see below). New
            code passes ``search_paths``, ``helpers=``, ``filters=`` and
            ``globals=`` instead.
        **options: The shared options of :class:`~clastic.render.templating.TemplateRenderFactory`
            (``default_mime``, ``content_types``, ``autoescape``, ``filters``,
            ``globals``, ``encoding``, ``reload``); anything else goes to
            :class:`ashes.AshesEnv`.

    ``env=`` is kept for compatibility with Clastic 26, whose factory loaded
    templates from the given environment. The factory still compiles and
    renders every template itself (escaping by extension, missing templates
    failing the build), using what that environment knows:

    - its ``helpers``, ``filters`` and ``defaults`` (and ``special_chars``,
      ``optimizers``, ``pragmas``) are shared, not copied: a filter added to
      the environment later reaches every template;
    - the root directories of its ``ashes.TemplatePathLoader`` loaders are
      searched, in order, after *search_paths* when both are given;
    - templates registered in it (``env.register_source(...)``,
      ``env.load_all()``) are found by name before files, as Ashes finds
      them, and recompiled from their file or source; one registered without
      either is rendered as the environment compiled it;
    - when it has other loaders (``FlatteningPathLoader``, custom classes),
      a name found nowhere else is asked of ``env.load(name)``;
    - ``keep_whitespace`` follows the environment unless given.

    Templates are compiled when first used, so a template registered in the
    environment again under a name already compiled is not seen (the
    factory's :meth:`register_source` is). ``helpers=``, ``filters=``,
    ``globals=`` and other ``AshesEnv`` options cannot be combined with
    ``env=``: set them on that environment. :attr:`env` stays the factory's
    own (escaping) environment; :attr:`source_env` is the one passed in.
    """

    engine = "Ashes"
    extensions = (".dust", ".ash", ".ashes")
    #: Files ``load_all=True`` compiles.
    load_all_extensions = (".html", ".htm", ".xml", ".txt", ".dust", ".ash", ".ashes")
    compile_errors = (ashes.AshesException, ValueError)
    original_search_paths_name = "template_paths"
    not_found_error = AshesTemplateNotFoundError
    allow_no_search_paths = True

    def __init__(
        self,
        search_paths: Any = None,
        *,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        keep_whitespace: bool | None = None,
        load_all: bool = False,
        env: ashes.BaseAshesEnv | None = None,
        **options: Any,
    ) -> None:
        if env is not None:
            _check_env_argument(env, helpers, options)
        super().__init__(search_paths, **options)
        #: The Ashes environment passed as ``env=`` (Clastic 26), or ``None``.
        self.source_env = env
        #: Whether names found nowhere else are asked of ``source_env.load()``
        #: (it has loaders other than ``ashes.TemplatePathLoader``).
        self.asks_source_env = False
        if env is None:
            self.helpers = dict(helpers or {})
            self.keep_whitespace = True if keep_whitespace is None else keep_whitespace
        else:
            self._adopt_env(env, keep_whitespace)
        self._sources: dict[str, str] = {}
        #: One Ashes environment per escaping mode: ``True`` escapes values for HTML.
        self.envs = {escape: self._make_env(escape) for escape in (True, False)}
        # Both environments share one set of helpers, filters and defaults (the
        # env= one's, if given), so a change through :attr:`env`
        # (``env.filters['x'] = f``) reaches every template.
        shared = env if env is not None else self.envs[True]
        for each in self.envs.values():
            each.helpers, each.filters, each.defaults = shared.helpers, shared.filters, shared.defaults
            if env is not None:
                each.special_chars, each.optimizers, each.pragmas = env.special_chars, env.optimizers, env.pragmas
                each._log_func = getattr(env, "_log_func", None)
                each.is_strict = getattr(env, "is_strict", False)
        if load_all:
            for name in self.list_templates():
                if name.lower().endswith(self.load_all_extensions):
                    self.get_compiled(name)

    def _adopt_env(self, env: ashes.BaseAshesEnv, keep_whitespace: bool | None) -> None:
        if self.engine_options:
            raise TypeError(
                f"AshesRenderFactory: {sorted(self.engine_options)} configure a new Ashes environment and do not "
                "apply to the one passed as env=; set them on that AshesEnv, or drop env="
            )
        roots = []
        for loader in env.loaders:
            if type(loader) is not ashes.TemplatePathLoader:
                self.asks_source_env = True
                continue
            root = os.path.abspath(loader.root_path)
            if not os.path.isdir(root):
                raise ValueError(
                    f"AshesRenderFactory: the env= environment's TemplatePathLoader root {loader.root_path!r} is "
                    f"not a directory (resolved to {root!r}); fix the paths given to that AshesEnv"
                )
            roots.append(root)
        self.search_paths = tuple(dict.fromkeys(self.search_paths + tuple(roots)))
        self.helpers, self.filters, self.globals = env.helpers, env.filters, env.defaults
        if keep_whitespace is None:
            # Ashes' BaseAshesEnv trims whitespace; AshesEnv says whether it does.
            keep_whitespace = bool(getattr(env, "keep_whitespace", False))
        self.keep_whitespace = keep_whitespace

    def _make_env(self, escape: bool) -> ashes.AshesEnv:
        env = _FactoryEnv(
            None,
            self.keep_whitespace,
            helpers=self.helpers,
            filters=self.filters,
            defaults=self.globals,
            auto_reload=bool(self.reload),
            **self.engine_options,
        )
        env.factory = self
        # Ashes compiles references with the environment's autoescape filter.
        env.autoescape_filter = "h" if escape else ""
        for root in self.search_paths:
            # Absolute roots: Ashes' loader treats a relative name that starts
            # like a relative root as already rooted.
            env.loaders.append(ashes.TemplatePathLoader(root, encoding=self.encoding))
        return env

    @property
    def env(self) -> ashes.AshesEnv:
        """The Ashes environment of HTML and XML templates (values escaped).

        Kept for compatibility with Clastic 26, whose factory had one
        environment. Its ``helpers``, ``filters`` and ``defaults`` are shared
        with the non-escaping environment of text templates (:attr:`envs`
        has both), so ``factory.env.filters['money'] = fmt`` applies to every
        template. Add templates with :meth:`register_source` rather than
        ``env.register``, so both environments and the build-time checks see them.
        """
        return self.envs[True]

    def register(self, template: ashes.Template, name: str | None = None) -> None:
        """Add an ``ashes.Template`` under *name* (default: the template's own name).

        Kept for compatibility with Clastic 26; new code calls
        :meth:`register_source` with the template text. The template is
        recompiled from its source by this factory (escaping by the name's
        extension), so it needs its source: ``ashes.Template(...,
        keep_source=False)`` is refused.
        """
        if not isinstance(template, ashes.Template):
            raise TypeError(
                f"AshesRenderFactory.register() takes an ashes.Template, got {type(template).__name__}; "
                "for template text use register_source(name, text)"
            )
        name = template.name if name is None else name
        if not isinstance(name, str) or not name:
            raise ValueError(f"AshesRenderFactory.register() needs a template name, got {name!r}; pass name=")
        if template.source is None:
            raise ValueError(
                f"AshesRenderFactory.register(): template {name!r} was built with keep_source=False, and the "
                "factory compiles templates from their source; build it with keep_source=True or use register_source()"
            )
        self.register_source(name, template.source)

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
        """Return the template file for *name*, or ``None`` for a registered source.

        Looks in order at :meth:`register_source`'s templates, those
        registered in :attr:`source_env`, the search path, and last
        ``source_env.load(name)`` when that environment has loaders of its own.
        """
        if name in self._sources:
            return None
        if self.source_env is None:
            return super().find_template(name)
        template = self.source_env.templates.get(name)
        if template is None:
            try:
                return super().find_template(name)
            except TemplateNotFoundError:
                if not self.asks_source_env:
                    raise
            template = self._load_from_source_env(name)
        return _source_file(template)

    def _load_from_source_env(self, name: str) -> ashes.Template:
        try:
            return self.source_env.load(name)  # type: ignore[union-attr]  # only called with an env
        except ashes.TemplateNotFound:
            raise self._not_found(name) from None
        except self.compile_errors as ex:
            raise TemplateCompileError(
                f"AshesRenderFactory: the env= environment could not load template {name!r}: {first_line(ex)}; "
                "fix the template or that environment's loaders",
                template_name=name,
                filename=None,
                line=None,
            ) from ex

    def list_templates(self) -> list[str]:
        """Return the template files under the search path and the registered names."""
        names = set(super().list_templates()) | set(self._sources)
        if self.source_env is not None:
            names.update(name for name in self.source_env.templates if isinstance(name, str))
        return sorted(names)

    def template_source(self, name: str) -> str | None:
        if name in self._sources:
            return self._sources[name]
        template = None if self.source_env is None else self.source_env.templates.get(name)
        if template is not None and _source_file(template) is None:
            return template.source  # type: ignore[no-any-return]  # Ashes is untyped
        return None

    def compile_template(self, name: str, path: str | None, autoescape: bool) -> ashes.Template:
        env = self.envs[autoescape]
        if path is None:
            source = self.template_source(name)
            if source is None:
                # Registered in the env= environment without its source: it
                # can only be rendered as that environment compiled it.
                return self.source_env.templates[name]  # type: ignore[union-attr]  # only called with an env
        else:
            with open(path, encoding=self.encoding) as source_file:
                source = source_file.read()
        template = ashes.Template(name, source, source_file=path, env=env)
        # Partials that include this template by name reuse the compiled one.
        env.register(template, name)
        return template

    def partial_template(self, name: str) -> ashes.Template:
        """Return the compiled template a partial (``{>"nav.html"/}``) names.

        Partials are found like a route's templates (registered sources, the
        search path, :attr:`source_env`) and escaped by their own extension.
        """
        compiled = None if self.reload else self._compiled.get(name)
        return (compiled or self.get_compiled(name)).template

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



class _FactoryEnv(ashes.AshesEnv):  # type: ignore[misc]  # Ashes is untyped
    """An Ashes environment that loads partials through its factory."""

    factory: AshesRenderFactory

    def load(self, name: str) -> ashes.Template:
        """Return template *name* as the factory compiles it (partials come here)."""
        return self.factory.partial_template(name)


def _check_env_argument(env: Any, helpers: Any, options: Mapping[str, Any]) -> None:
    if not isinstance(env, ashes.BaseAshesEnv):
        raise TypeError(f"AshesRenderFactory: env= takes an ashes.AshesEnv, got {type(env).__name__} ({env!r:.80})")
    arguments = (("helpers", helpers), ("filters", options.get("filters")), ("globals", options.get("globals")))
    given = [name for name, value in arguments if value]
    if given:
        raise TypeError(
            f"AshesRenderFactory: {', '.join(given)} cannot be combined with env=, whose own are used; add them to "
            "that environment (env.filters['name'] = func, env.helpers[...], env.defaults[...]) or drop env="
        )


def _source_file(template: Any) -> str | None:
    """Return the existing file an Ashes template was read from, or ``None``."""
    path = getattr(template, "source_file", None)
    return os.path.abspath(path) if isinstance(path, str) and os.path.isfile(path) else None


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

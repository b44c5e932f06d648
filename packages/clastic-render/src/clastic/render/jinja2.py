"""Render routes with Jinja2 templates: :class:`Jinja2RenderFactory`.

Jinja2 is an optional extra: ``pip install 'clastic-render[jinja2]'``.

>>> render_factory = Jinja2RenderFactory(TEMPLATE_DIR)  # doctest: +SKIP
>>> Application([("/", home, "home.html")], render_factory=render_factory)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import traceback
from typing import Any

try:
    from jinja2 import Environment, FileSystemLoader, Template, TemplateNotFound, TemplateSyntaxError, meta
except ImportError as ex:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "clastic.render.jinja2 needs Jinja2, an optional extra of clastic-render; "
        "install it with: pip install 'clastic-render[jinja2]'",
        name=ex.name,
    ) from ex

from clastic.render._base import CompiledTemplate, TemplateRenderFactory
from clastic.render._errors import TemplateNotFoundError

__all__ = ["Jinja2RenderFactory", "Jinja2TemplateNotFoundError"]


class Jinja2TemplateNotFoundError(TemplateNotFoundError, TemplateNotFound):
    """A missing Jinja2 template: Clastic's :class:`~clastic.render.templating.TemplateNotFoundError`
    and Jinja2's ``TemplateNotFound`` in one (``name`` and ``templates`` as Jinja2 sets them)."""

    def __init__(
        self, message: str, *, template_name: str, search_paths: tuple[str, ...], suggestion: str | None
    ) -> None:
        super().__init__(message, template_name=template_name, search_paths=search_paths, suggestion=suggestion)
        # What jinja2.TemplateNotFound.__init__ sets; its __str__ shows ``message``.
        self.message = message
        self.name = template_name
        self.templates = [template_name]


class Jinja2RenderFactory(TemplateRenderFactory):
    """Turn template names into render functions for Jinja2 templates.

    Autoescaping is decided per template by its extension (on for HTML and
    XML, off for text, CSS, JS and JSON) unless ``autoescape`` says
    otherwise; ``|safe`` marks trusted markup. ``filters`` and ``globals``
    go to the Jinja2 environment.

    Args:
        search_paths: A template directory or a list of them, searched in
            order (also for ``{% extends %}`` and ``{% include %}``).
        **options: The shared options of :class:`~clastic.render.templating.TemplateRenderFactory`
            (``default_mime``, ``content_types``, ``autoescape``, ``filters``,
            ``globals``, ``encoding``, ``reload``); anything else goes to
            :class:`jinja2.Environment` (``undefined``, ``extensions``, ``trim_blocks``...).
    """

    engine = "Jinja2"
    extensions = (".j2", ".jinja", ".jinja2")
    compile_errors = (TemplateSyntaxError,)
    not_found_error = Jinja2TemplateNotFoundError

    def __init__(self, search_paths: Any, **options: Any) -> None:
        super().__init__(search_paths, **options)
        #: The Jinja2 environment every template of this factory shares.
        self.environment = Environment(
            loader=FileSystemLoader(list(self.search_paths), encoding=self.encoding),
            autoescape=self._autoescape_name,  # decided per template: on for HTML and XML
            auto_reload=bool(self.reload),
            **self.engine_options,
        )
        self.environment.filters.update(self.filters)
        self.environment.globals.update(self.globals)

    def _autoescape_name(self, name: str | None) -> bool:
        # Templates made from strings have no name: escape them.
        return True if name is None else self.autoescape_for(name)

    def compile_template(self, name: str, path: str | None, autoescape: bool) -> Template:
        environment = self.environment
        loader = environment.loader
        if loader is None:  # pragma: no cover - set in __init__
            raise RuntimeError("Jinja2RenderFactory's environment lost its loader")
        # loader.load() compiles afresh (get_template would return a cached
        # copy), so a reload sees the new file.
        return loader.load(environment, name, environment.make_globals(None))

    def render_template(self, template: Template, context: dict[str, Any]) -> str:
        return template.render(context)

    def referenced_templates(self, name: str, source: str) -> list[str]:
        """Return the templates ``extends``, ``include``, ``import`` and ``from`` name literally."""
        try:
            tree = self.environment.parse(source, name)
        except TemplateSyntaxError:
            return []  # compiling reports it
        return [ref for ref in meta.find_referenced_templates(tree) if ref is not None]

    def compile_error_location(self, exc: BaseException) -> tuple[str | None, int | None]:
        return getattr(exc, "filename", None), getattr(exc, "lineno", None)

    def render_error_location(self, compiled: CompiledTemplate, exc: BaseException) -> tuple[str | None, int | None]:
        # Jinja2 rewrites tracebacks so template frames carry the template's
        # file and line; report the innermost one under the search path.
        roots = tuple(root.rstrip(os.sep) + os.sep for root in self.search_paths)
        for frame_summary in reversed(traceback.extract_tb(exc.__traceback__)):
            filename = frame_summary.filename
            if filename == compiled.path or filename.startswith(roots):
                return filename, frame_summary.lineno
        return None, None

"""Render routes with Chameleon page templates: :class:`ChameleonRenderFactory`.

>>> render_factory = ChameleonRenderFactory(TEMPLATE_DIR)  # doctest: +SKIP
>>> Application([("/", home, "home.pt")], render_factory=render_factory)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

from chameleon import PageTemplateFile, PageTemplateLoader
from chameleon.exc import TemplateError

from clastic.render._base import CompiledTemplate, TemplateRenderFactory
from clastic.render._errors import TemplateNotFoundError

__all__ = ["ChameleonRenderFactory", "ChameleonTemplateNotFoundError"]

# Chameleon appends the failing expression's place to render errors' text:
#  - Filename:   /path/to/page.pt
#  - Location:   (line 5: col 10)
_PLACE_RE = re.compile(r"^ - Filename:\s+(?P<filename>.*?)\s*\n - Location:\s+\(line (?P<line>\d+)", re.MULTILINE)


class ChameleonTemplateNotFoundError(TemplateNotFoundError, ValueError):
    """A missing Chameleon template: Clastic's :class:`~clastic.render.templating.TemplateNotFoundError`
    and the ``ValueError`` Chameleon's ``PageTemplateLoader`` raises for one, in one."""


class ChameleonRenderFactory(TemplateRenderFactory):
    """Turn template names into render functions for Chameleon page templates.

    HTML and XML templates are Chameleon markup templates, which always
    escape values (``structure`` marks trusted markup); text, CSS, JS and
    JSON templates are compiled in Chameleon's text mode, which does not
    escape. ``filters`` and ``globals`` are available to every template as
    names (``${upper(name)}``).

    Args:
        search_paths: A template directory or a list of them, searched in
            order (also by ``load:`` expressions for macros).
            ``template_dirs=``, its name in Clastic 26, is accepted too
            (kept for compatibility).
        format_exceptions: What an error while rendering does (Clastic 26's
            option, same name and default). ``True``: the route answers a
            500 that is logged with the template line and shows the
            template, line and a source excerpt only when the Application
            runs with ``debug=True``; in production the body is the plain
            500 text (Clastic 26 put the traceback in every response).
            ``False``: the engine's exception propagates unchanged to the
            Application's error handler, which logs it and answers its own
            500 (or lets the server see it with ``reraise_uncaught=True``).
        **options: The shared options of :class:`~clastic.render.templating.TemplateRenderFactory`
            (``default_mime``, ``content_types``, ``filters``, ``globals``,
            ``encoding``, ``reload``) except ``autoescape``; anything else goes
            to Chameleon's ``PageTemplateFile`` (``strict``, ``boolean_attributes``...).
    """

    engine = "Chameleon"
    extensions = (".pt", ".cpt", ".zpt")
    accepts_format_exceptions = True
    original_search_paths_name = "template_dirs"
    compile_errors = (TemplateError, SyntaxError)
    not_found_error = ChameleonTemplateNotFoundError

    def __init__(self, search_paths: Any = None, **options: Any) -> None:
        if options.get("autoescape") is not None:
            raise TypeError(
                "ChameleonRenderFactory does not take autoescape: Chameleon escapes every value in markup "
                "templates (mark trusted markup with 'structure'), and text templates (.txt, .css, .js, .json) "
                f"are never escaped; got autoescape={options['autoescape']!r}"
            )
        super().__init__(search_paths, **options)
        self._namespace = {**self.filters, **self.globals}
        #: The Chameleon ``PageTemplateLoader`` that loads this factory's
        #: templates (the attribute Clastic 26's factory had): markup
        #: templates in its ``xml`` format, text ones in ``text``.
        self.lookup = PageTemplateLoader(
            list(self.search_paths),
            encoding=self.encoding,
            auto_reload=False,
            **self.engine_options,
        )

    def compile_template(self, name: str, path: str | None, autoescape: bool) -> PageTemplateFile:
        if path is None:  # only Ashes' factory holds templates registered from strings
            raise ValueError(f"ChameleonRenderFactory compiles template files, and {name!r} has none")
        template_format = "xml" if autoescape else "text"
        # The loader caches what it loaded; drop it so a reload reads the changed file.
        self.lookup.registry.pop((path, self.lookup.formats[template_format]), None)
        template = self.lookup.load(path, template_format)
        template.default_encoding = self.encoding  # how Chameleon decodes the file
        # Chameleon parses on first use; do it now so a broken template fails the build.
        template.cook_check()
        return template

    def render_template(self, template: PageTemplateFile, context: dict[str, Any]) -> str:
        if self._namespace:
            context = {**self._namespace, **context}
        result = template.render(**context)
        # Text-mode file templates return bytes in the source encoding.
        return result.decode(self.encoding) if isinstance(result, bytes) else result

    def compile_error_location(self, exc: BaseException) -> tuple[str | None, int | None]:
        if isinstance(exc, TemplateError):
            line = exc.location[0] if exc.location else None
            return exc.filename, line or None
        return None, getattr(exc, "lineno", None)

    def render_error_location(self, compiled: CompiledTemplate, exc: BaseException) -> tuple[str | None, int | None]:
        places = _PLACE_RE.findall(str(exc))
        if not places:
            return None, None
        # The first place is the innermost expression (a macro's file, maybe).
        filename, line = places[0]
        if filename.startswith("... ") and compiled.path and compiled.path.endswith(filename[4:]):
            filename = compiled.path  # Chameleon shortens long paths for display
        return filename, int(line)

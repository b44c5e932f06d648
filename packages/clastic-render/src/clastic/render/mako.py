"""Render routes with Mako templates: :class:`MakoRenderFactory`.

Mako is an optional extra: ``pip install 'clastic-render[mako]'``.

>>> render_factory = MakoRenderFactory(TEMPLATE_DIR)  # doctest: +SKIP
>>> Application([("/", home, "home.mako")], render_factory=render_factory)  # doctest: +SKIP
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

try:
    from mako.exceptions import MakoException, RichTraceback, TopLevelLookupException
    from mako.lookup import TemplateLookup
    from mako.template import Template
except ImportError as ex:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "clastic.render.mako needs Mako, an optional extra of clastic-render; "
        "install it with: pip install 'clastic-render[mako]'",
        name=ex.name,
    ) from ex

from clastic.render._base import CompiledTemplate, TemplateRenderFactory
from clastic.render._errors import TemplateNotFoundError

__all__ = ["MakoRenderFactory", "MakoTemplateNotFoundError"]

# <%inherit file="base.mako"/>, <%include file="..."/>, <%namespace file="..."/>
_FILE_TAG_RE = re.compile(
    r"<%(?:inherit|include|namespace)\b[^>]*?\bfile\s*=\s*(?P<quote>[\"'])(?P<file>.*?)(?P=quote)", re.DOTALL
)


class MakoTemplateNotFoundError(TemplateNotFoundError, TopLevelLookupException):  # type: ignore[misc]  # Mako is untyped
    """A missing Mako template: Clastic's :class:`~clastic.render.templating.TemplateNotFoundError`
    and Mako's ``TopLevelLookupException`` (what ``TemplateLookup.get_template`` raises) in one."""


class MakoRenderFactory(TemplateRenderFactory):
    """Turn template names into render functions for Mako templates.

    In HTML and XML templates every ``${expression}`` is HTML-escaped (Mako's
    ``h`` filter added to ``default_filters``); ``${value | n}`` prints one
    unescaped. ``filters`` and ``globals`` are names every template sees, so
    a filter works as ``${name | upper}``.

    Args:
        search_paths: A template directory or a list of them, searched in
            order (also for ``<%inherit>`` and ``<%include>``).
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
            (``default_mime``, ``content_types``, ``autoescape``, ``filters``,
            ``globals``, ``encoding``, ``reload``); anything else goes to
            :class:`mako.lookup.TemplateLookup` (``strict_undefined``, ``imports``...).
    """

    engine = "Mako"
    extensions = (".mako", ".mak")
    accepts_format_exceptions = True
    original_search_paths_name = "template_dirs"
    compile_errors = (MakoException, SyntaxError)
    not_found_error = MakoTemplateNotFoundError

    def __init__(self, search_paths: Any = None, **options: Any) -> None:
        super().__init__(search_paths, **options)
        self._namespace = {**self.filters, **self.globals}
        #: One lookup per escaping mode: ``True`` escapes expressions for HTML.
        self.lookups = {escape: self._make_lookup(escape) for escape in (True, False)}

    @property
    def lookup(self) -> TemplateLookup:
        """The Mako ``TemplateLookup`` of HTML and XML templates (expressions escaped).

        Kept for compatibility with Clastic 26, whose factory had one lookup;
        this one holds the compiled templates of escaped routes, and
        :attr:`lookups` has both (``lookups[False]`` for text, CSS, JS, JSON).
        """
        return self.lookups[True]

    def _make_lookup(self, escape: bool) -> TemplateLookup:
        options = dict(self.engine_options)
        filters = list(options.pop("default_filters", None) or ["str"])
        if escape and "h" not in filters:
            filters.append("h")
        return TemplateLookup(
            directories=list(self.search_paths),
            input_encoding=self.encoding,
            default_filters=filters,
            filesystem_checks=False,
            **options,
        )

    def compile_template(self, name: str, path: str | None, autoescape: bool) -> Template:
        if path is None:  # only Ashes' factory holds templates registered from strings
            raise ValueError(f"MakoRenderFactory compiles template files, and {name!r} has none")
        lookup = self.lookups[autoescape]
        # A fresh Template (not lookup.get_template, which caches) so a reload
        # sees the new file; put_template lets <%include> reuse it.
        # The lookup's default_filters add "h" (HTML escaping) when autoescape is on.
        template = Template(filename=path, uri=name, lookup=lookup, **lookup.template_args)
        lookup.put_template(name, template)
        return template

    def render_template(self, template: Template, context: dict[str, Any]) -> str:
        if self._namespace:
            context = {**self._namespace, **context}
        text: str = template.render_unicode(**context)
        return text

    def referenced_templates(self, name: str, source: str) -> list[str]:
        """Return the files ``<%inherit>``, ``<%include>`` and ``<%namespace>`` name literally."""
        names = []
        for match in _FILE_TAG_RE.finditer(source):
            ref = match.group("file")
            if not ref or "${" in ref:
                continue  # computed at render time
            # Mako resolves names without a leading slash next to the including template.
            if ref.startswith("/"):
                ref = ref.lstrip("/")
            else:
                ref = posixpath.normpath(posixpath.join(posixpath.dirname(name), ref))
            names.append(ref)
        return names

    def compile_error_location(self, exc: BaseException) -> tuple[str | None, int | None]:
        return getattr(exc, "filename", None), getattr(exc, "lineno", None)

    def render_error_location(self, compiled: CompiledTemplate, exc: BaseException) -> tuple[str | None, int | None]:
        records = RichTraceback(exc, exc.__traceback__).records
        # Innermost frame that ran template code; Mako maps it to the template line.
        for record in reversed(records):
            template_filename, template_line = record[4], record[5]
            if template_filename is not None and template_line:
                return template_filename, template_line
        return None, None

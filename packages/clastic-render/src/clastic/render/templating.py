"""The public base of Clastic's template render factories.

Everything the Ashes, Chameleon, Mako and Jinja2 factories share, for users
who catch their errors and for third-party engines (``clastic_<name>``
distributions) that subclass :class:`TemplateRenderFactory` and declare it
in the ``clastic.render_factories`` entry-point group.

A new engine implements four methods::

    class TempitaRenderFactory(TemplateRenderFactory):
        engine = "Tempita"
        extensions = (".tmpl",)
        compile_errors = (SyntaxError,)

        def compile_template(self, name, path, autoescape):
            return tempita.HTMLTemplate.from_filename(path) if autoescape else tempita.Template.from_filename(path)

        def render_template(self, template, context):
            return template.substitute({**self.globals, **context})

        def compile_error_location(self, exc): ...
        def render_error_location(self, compiled, exc): ...
"""

from clastic.render._base import CONTENT_TYPES as CONTENT_TYPES
from clastic.render._base import DEFAULT_CONTENT_TYPE as DEFAULT_CONTENT_TYPE
from clastic.render._base import CompiledTemplate as CompiledTemplate
from clastic.render._base import TemplateRenderFactory as TemplateRenderFactory
from clastic.render._errors import TemplateCompileError as TemplateCompileError
from clastic.render._errors import TemplateNotFoundError as TemplateNotFoundError
from clastic.render._errors import TemplateRenderError as TemplateRenderError
from clastic.render._render import TemplateRender as TemplateRender

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_CONTENT_TYPE",
    "CompiledTemplate",
    "TemplateCompileError",
    "TemplateNotFoundError",
    "TemplateRender",
    "TemplateRenderError",
    "TemplateRenderFactory",
]

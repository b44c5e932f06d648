"""Clastic 26's module name for the Chameleon render factory, kept for existing imports.

New code imports :class:`~clastic.render.chameleon.ChameleonRenderFactory`
from :mod:`clastic.render.chameleon`.
"""

from chameleon import PageTemplate

from clastic.render.chameleon import ChameleonRenderFactory as ChameleonRenderFactory
from clastic.render.chameleon import ChameleonTemplateNotFoundError as ChameleonTemplateNotFoundError

__all__ = ["ChameleonRenderFactory", "ChameleonTemplateNotFoundError", "error_template"]

#: A Chameleon template of an HTTP error's HTML page, kept for compatibility
#: with Clastic 26, which rendered template errors with one. Render it with
#: the error: ``error_template(error=TemplateRenderError(...))`` gives
#: ``error.to_html()``, the page the error answers with anyway (with
#: details only where the error carries them: see
#: :class:`~clastic.render.templating.TemplateRenderError`). New code returns
#: or raises the error instead.
error_template = PageTemplate('<tal:page replace="structure error.to_html()"/>')

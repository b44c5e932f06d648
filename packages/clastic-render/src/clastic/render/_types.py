"""The compiled-template record that render factories and render functions share.

:class:`~clastic.render._base.TemplateRenderFactory` makes these and
:class:`~clastic.render._render.TemplateRender` holds one. It lives in this
leaf module, importing nothing from clastic, so that ``_base`` (which
imports ``_render``) and ``_render`` both use it without an import cycle,
even one only the type checker sees. Import it from
:mod:`clastic.render.templating`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CompiledTemplate"]


@dataclass(frozen=True)
class CompiledTemplate:
    """One template compiled by an engine, with what is needed to reload it."""

    #: The name routes use (``'home.html'``, ``'pages/about.html'``).
    name: str
    #: Absolute path of the source file; ``None`` for templates registered from a string.
    path: str | None
    #: Modification time of *path* when it was compiled.
    mtime: float | None
    #: The engine's template object.
    template: Any
    #: Whether values are HTML-escaped in this template.
    autoescape: bool
    #: The template's source text, for debug excerpts of registered templates.
    source: str | None = field(default=None, repr=False)

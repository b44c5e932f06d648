"""Clastic 26's module name for the Mako render factory, kept for existing imports.

New code imports :class:`~clastic.render.mako.MakoRenderFactory` from
:mod:`clastic.render.mako`. Like the original module, this one also offers
``mako`` (the Mako package), ``exceptions`` (``mako.exceptions``) and
``TemplateLookup``, which apps imported from here; new code imports them
from Mako.
"""

# clastic.render.mako first, so a missing Mako raises its ImportError naming the extra to install.
from clastic.render.mako import MakoRenderFactory as MakoRenderFactory  # noqa: I001  # imported before Mako on purpose
from clastic.render.mako import MakoTemplateNotFoundError as MakoTemplateNotFoundError

import mako as mako
from mako import exceptions as exceptions
from mako.lookup import TemplateLookup as TemplateLookup

__all__ = ["MakoRenderFactory", "MakoTemplateNotFoundError", "TemplateLookup", "exceptions", "mako"]

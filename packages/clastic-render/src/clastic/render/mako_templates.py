"""The original module name of :mod:`clastic.render.mako`, kept for existing imports."""

from clastic.render.mako import MakoRenderFactory as MakoRenderFactory

__all__ = ["MakoRenderFactory"]

"""The original module name of :mod:`clastic.render.ashes`, kept for existing imports."""

from clastic.render.ashes import AshesRenderFactory as AshesRenderFactory

__all__ = ["AshesRenderFactory"]

"""The original module name of :mod:`clastic.render.chameleon`, kept for existing imports."""

from clastic.render.chameleon import ChameleonRenderFactory as ChameleonRenderFactory

__all__ = ["ChameleonRenderFactory"]

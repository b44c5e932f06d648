"""Deprecated private alias of :mod:`clastic.types`, kept while modules move over."""

from clastic.types import RenderFactory as RenderFactory
from clastic.types import StartResponse as StartResponse
from clastic.types import WSGIApplication as WSGIApplication
from clastic.types import WSGIEnvironment as WSGIEnvironment

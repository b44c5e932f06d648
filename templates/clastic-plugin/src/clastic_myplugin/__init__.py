"""clastic-myplugin: default headers for every response of a Clastic application."""

from clastic_myplugin.middleware import DefaultHeadersMiddleware as DefaultHeadersMiddleware

__version__ = "0.1.0"

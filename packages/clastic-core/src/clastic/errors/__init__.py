"""HTTP errors (raise or return them) and the error handlers that render them."""

from pkgutil import extend_path

from clastic._moved import make_module_getattr
from clastic.errors.handler import ErrorHandler as ErrorHandler
from clastic.errors.http import *  # noqa: F403 - the status classes, spelled out in clastic.errors.http.__all__
from clastic.errors.http import __all__ as _http_all
from clastic.errors.http import NotImplemented as NotImplemented  # noqa: A004 - the documented name for 501

__path__ = extend_path(__path__, __name__)
__all__ = ["ErrorHandler", *_http_all]
__getattr__ = make_module_getattr(__name__)

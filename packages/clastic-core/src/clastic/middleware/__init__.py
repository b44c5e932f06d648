"""Middlewares: the protocol (in core) and, with clastic-middleware, the suite.

``from clastic.middleware import Middleware`` always works; the bundled
middlewares (``GetParamMiddleware``, ``GzipMiddleware``...) resolve lazily
from clastic-middleware and say what to install when it is missing.
"""

from pkgutil import extend_path

from clastic._moved import make_module_getattr
from clastic.middleware.core import MIDDLEWARE_PROTOCOL as MIDDLEWARE_PROTOCOL
from clastic.middleware.core import DummyMiddleware as DummyMiddleware
from clastic.middleware.core import Middleware as Middleware
from clastic.middleware.core import check_arg_name as check_arg_name
from clastic.middleware.core import check_middleware as check_middleware
from clastic.middleware.core import check_middlewares as check_middlewares
from clastic.middleware.core import make_hook as make_hook
from clastic.middleware.core import make_middleware_chain as make_middleware_chain
from clastic.middleware.core import merge_middlewares as merge_middlewares

__path__ = extend_path(__path__, __name__)
__getattr__ = make_module_getattr(__name__)

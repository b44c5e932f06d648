"""Clastic: a WSGI framework that injects endpoint arguments by name.

Every argument of every endpoint, render function and middleware is checked
when the :class:`Application` is built, not at the first request.

Names of Clastic 26 that live in satellite distributions (``StaticApplication``,
``MetaApplication``, ``META_ASSETS_APP``, the ``contrib`` package...) and the
modules it imported with the package (``server``, ``sinter``) resolve at
first use, through the table in :mod:`clastic._moved`.
"""

from pkgutil import extend_path

# Extend __path__ first: the subpackages imported below (clastic.errors,
# clastic.middleware, clastic.render) extend theirs from this one, and must
# see every distribution's directory.
__path__ = extend_path(__path__, __name__)

from werkzeug.utils import append_slash_redirect as append_slash_redirect
from werkzeug.utils import redirect as redirect

from clastic._inject import RESERVED_ARGS as RESERVED_ARGS
from clastic._moved import make_module_getattr
from clastic.application import Application as Application
from clastic.application import DispatchState as DispatchState
from clastic.application import RerouteWSGI as RerouteWSGI
from clastic.application import SubApplication as SubApplication
from clastic.errors.http import BadRequest as BadRequest
from clastic.errors.http import HTTPException as HTTPException
from clastic.errors.http import InternalServerError as InternalServerError
from clastic.errors.http import NotFound as NotFound
from clastic.exceptions import ClasticError as ClasticError
from clastic.exceptions import ConflictingProvidesError as ConflictingProvidesError
from clastic.exceptions import InvalidMethod as InvalidMethod
from clastic.exceptions import InvalidPattern as InvalidPattern
from clastic.exceptions import UnresolvedArgumentError as UnresolvedArgumentError
from clastic.middleware.core import Middleware as Middleware
from clastic.render.simple import render_basic as render_basic
from clastic.render.simple import render_json as render_json
from clastic.render.simple import render_json_dev as render_json_dev
from clastic.route import CONNECT as CONNECT
from clastic.route import DELETE as DELETE
from clastic.route import GET as GET
from clastic.route import HEAD as HEAD
from clastic.route import OPTIONS as OPTIONS
from clastic.route import PATCH as PATCH
from clastic.route import POST as POST
from clastic.route import PUT as PUT
from clastic.route import S_REDIRECT as S_REDIRECT
from clastic.route import S_REWRITE as S_REWRITE
from clastic.route import S_STRICT as S_STRICT
from clastic.route import TRACE as TRACE
from clastic.route import Route as Route
from clastic.utils import Redirector as Redirector
from clastic.wrappers import Request as Request
from clastic.wrappers import Response as Response

#: Werkzeug 1 names, for code written against the original Clastic.
BaseRequest = Request
BaseResponse = Response

__version__ = "26.1.0"
__getattr__ = make_module_getattr(__name__)

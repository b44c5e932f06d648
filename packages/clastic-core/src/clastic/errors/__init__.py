"""HTTP errors (raise or return them) and the error handlers that render them.

Kept for compatibility with Clastic 26: ``STDLIB_EXC_URL`` and
``ClasticJSONEncoder`` (the JSON encoder of the renders; import it from
:mod:`clastic.render`).
"""

from pkgutil import extend_path

# Kept for compatibility with Clastic 26: the renders' JSON encoder (clastic.render.ClasticJSONEncoder).
from clastic._json import ClasticJSONEncoder as ClasticJSONEncoder
from clastic._moved import make_module_getattr
from clastic.errors.handler import ErrorHandler as ErrorHandler
from clastic.errors.http import CONTENT_TYPES as CONTENT_TYPES
from clastic.errors.http import DEFAULT_MIME as DEFAULT_MIME
from clastic.errors.http import ERROR_CODE_MAP as ERROR_CODE_MAP
from clastic.errors.http import MIME_SUPPORT_MAP as MIME_SUPPORT_MAP
from clastic.errors.http import STDLIB_EXC_URL as STDLIB_EXC_URL
from clastic.errors.http import BadGateway as BadGateway
from clastic.errors.http import BadRequest as BadRequest
from clastic.errors.http import Conflict as Conflict
from clastic.errors.http import ExpectationFailed as ExpectationFailed
from clastic.errors.http import FailedDependency as FailedDependency
from clastic.errors.http import Forbidden as Forbidden
from clastic.errors.http import GatewayTimeout as GatewayTimeout
from clastic.errors.http import Gone as Gone
from clastic.errors.http import HTTPException as HTTPException
from clastic.errors.http import HTTPNotImplemented as HTTPNotImplemented
from clastic.errors.http import HTTPVersionNotSupported as HTTPVersionNotSupported
from clastic.errors.http import ImATeapot as ImATeapot
from clastic.errors.http import InsufficientStorage as InsufficientStorage
from clastic.errors.http import InternalServerError as InternalServerError
from clastic.errors.http import LengthRequired as LengthRequired
from clastic.errors.http import Locked as Locked
from clastic.errors.http import LoopDetected as LoopDetected
from clastic.errors.http import MethodNotAllowed as MethodNotAllowed
from clastic.errors.http import MisdirectedRequest as MisdirectedRequest
from clastic.errors.http import NetworkAuthenticationRequired as NetworkAuthenticationRequired
from clastic.errors.http import NotAcceptable as NotAcceptable
from clastic.errors.http import NotExtended as NotExtended
from clastic.errors.http import NotFound as NotFound
from clastic.errors.http import NotImplemented as NotImplemented
from clastic.errors.http import PaymentRequired as PaymentRequired
from clastic.errors.http import PreconditionFailed as PreconditionFailed
from clastic.errors.http import PreconditionRequired as PreconditionRequired
from clastic.errors.http import ProxyAuthenticationRequired as ProxyAuthenticationRequired
from clastic.errors.http import RequestedRangeNotSatisfiable as RequestedRangeNotSatisfiable
from clastic.errors.http import RequestEntityTooLarge as RequestEntityTooLarge
from clastic.errors.http import RequestHeaderFieldsTooLarge as RequestHeaderFieldsTooLarge
from clastic.errors.http import RequestTimeout as RequestTimeout
from clastic.errors.http import RequestURITooLong as RequestURITooLong
from clastic.errors.http import ServiceUnavailable as ServiceUnavailable
from clastic.errors.http import TooEarly as TooEarly
from clastic.errors.http import TooManyRequests as TooManyRequests
from clastic.errors.http import Unauthorized as Unauthorized
from clastic.errors.http import UnavailableForLegalReasons as UnavailableForLegalReasons
from clastic.errors.http import UnprocessableEntity as UnprocessableEntity
from clastic.errors.http import UnsupportedMediaType as UnsupportedMediaType
from clastic.errors.http import UpgradeRequired as UpgradeRequired
from clastic.errors.http import VariantAlsoNegotiates as VariantAlsoNegotiates
from clastic.errors.http import negotiate_mimetype as negotiate_mimetype

__path__ = extend_path(__path__, __name__)
__getattr__ = make_module_getattr(__name__)

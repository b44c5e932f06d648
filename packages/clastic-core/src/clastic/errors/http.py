"""HTTP errors: exceptions that are also complete Werkzeug responses.

Raise one (``raise NotFound()``) or return it from an endpoint, render or
middleware; either way the client gets the status, and a body negotiated by
``Accept`` between text, HTML, JSON, XML and RFC 9457 problem details.
:class:`HTTPException`, the base class, and the negotiation live in
:mod:`clastic.errors._base`; this module holds a class per status.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
from werkzeug.wrappers import Request

from clastic.errors._base import CONTENT_TYPES as CONTENT_TYPES
from clastic.errors._base import DEFAULT_MIME as DEFAULT_MIME
from clastic.errors._base import MIME_SUPPORT_MAP as MIME_SUPPORT_MAP
from clastic.errors._base import STDLIB_EXC_URL as STDLIB_EXC_URL
from clastic.errors._base import HTTPException as HTTPException
from clastic.errors._base import negotiate_mimetype as negotiate_mimetype

if TYPE_CHECKING:
    from clastic._dispatch_state import DispatchState
    from clastic.types import ApplicationLike

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_MIME",
    "ERROR_CODE_MAP",
    "MIME_SUPPORT_MAP",
    "STDLIB_EXC_URL",
    "HTTPException",
    "from_werkzeug",
    "negotiate_mimetype",
]


# -- 4xx ---------------------------------------------------------------------


class BadRequest(HTTPException):
    """400 and the base of every 4xx error."""

    code = 400
    message = "Bad Request"
    detail = "Your web client or proxy sent a request that this endpoint could not understand."


class Unauthorized(BadRequest):
    """401: authenticate first."""

    code = 401
    message = "Authentication required"
    detail = "The endpoint could not verify that your client is authorized to access this resource."


class PaymentRequired(BadRequest):
    """402: HTTP cares about your paywall."""

    code = 402
    message = "Payment required"
    detail = "This endpoint requires payment. Money doesn't grow on HTTPs, you know."


class Forbidden(BadRequest):
    """403: the client may not have this."""

    code = 403
    message = "Access forbidden"
    detail = "You don't have permission to access the requested resource."


class NotFound(BadRequest):
    """404: nothing answers at this path."""

    code = 404
    message = "Not found"
    detail = "The requested URL was not found on this server."

    def __init__(
        self,
        detail: str | None = None,
        *,
        dispatch_state: DispatchState | None = None,
        request: Request | None = None,
        application: ApplicationLike | None = None,
        **kwargs: Any,
    ) -> None:
        #: The routing state of the request that found nothing (for debug pages).
        self.dispatch_state = dispatch_state
        #: The request that found nothing.
        self.request = request
        #: The Application that was asked.
        self.application = application
        super().__init__(detail, **kwargs)


class MethodNotAllowed(BadRequest):
    """405: the path exists, but not for this method. Sets the ``Allow`` header."""

    code = 405
    message = "Method not allowed"
    detail = "The method used is not allowed for the requested URL."

    def __init__(self, allowed_methods: Iterable[str] | None = None, detail: str | None = None, **kwargs: Any) -> None:
        #: The methods the matched routes accept, sorted.
        self.allowed_methods = sorted(set(allowed_methods or ()))
        if detail is None and self.allowed_methods:
            detail = f"{type(self).detail} Allowed methods: {', '.join(self.allowed_methods)}."
        super().__init__(detail, **kwargs)
        if self.allowed_methods:
            self._set_header("Allow", ", ".join(self.allowed_methods))


class NotAcceptable(BadRequest):
    """406: no representation the client accepts."""

    code = 406
    message = "Available content not acceptable"
    detail = (
        "The endpoint cannot generate a response acceptable by your client "
        "(as specified by your client's Accept header values)."
    )


class ProxyAuthenticationRequired(BadRequest):
    """407."""

    code = 407
    message = "Proxy authentication required"
    detail = "A proxy between your server and the client requires authentication to access this resource."


class RequestTimeout(BadRequest):
    """408."""

    code = 408
    message = "Request timed out"
    detail = (
        "The server cancelled the request because the client did not complete the request "
        "within the allotted time."
    )


class Conflict(BadRequest):
    """409."""

    code = 409
    message = "A conflict occurred"
    detail = (
        "The endpoint cancelled the request due to a potential conflict with existing server state, "
        "such as a duplicate filename."
    )


class Gone(BadRequest):
    """410."""

    code = 410
    message = "Gone"
    detail = "The requested resource is no longer available on this server and there is no forwarding address."


class LengthRequired(BadRequest):
    """411."""

    code = 411
    message = "Length required"
    detail = "A request for this resource is required to have a valid Content-Length header."


class PreconditionFailed(BadRequest):
    """412."""

    code = 412
    message = "Precondition failed"
    detail = "A required precondition on the request for this resource failed positive evaluation."


class RequestEntityTooLarge(BadRequest):
    """413."""

    code = 413
    message = "Request entity too large"
    detail = (
        "The method/resource combination requested does not allow data to be transmitted, "
        "or the data volume exceeds the capacity limit."
    )


class RequestURITooLong(BadRequest):
    """414."""

    code = 414
    message = "Request URL too long"
    detail = "The length of the requested URL exceeds the limit for this endpoint/server."


class UnsupportedMediaType(BadRequest):
    """415."""

    code = 415
    message = "Unsupported media type"
    detail = (
        "The server does not support the media type transmitted in the request. "
        "Try a different media type or check your Content-Type header and try again."
    )


class RequestedRangeNotSatisfiable(BadRequest):
    """416."""

    code = 416
    message = "Requested range not satisfiable"
    detail = "The client sent a ranged request not fulfillable by this endpoint."


class ExpectationFailed(BadRequest):
    """417: can't always get what you want."""

    code = 417
    message = "Expectation failed"
    detail = "The server could not meet the requirements indicated in the request's Expect header(s)."


class ImATeapot(BadRequest):
    """418: standards committees are known for their senses of humor."""

    code = 418
    message = "I'm a teapot: short, stout."
    detail = (
        "This server is a teapot, not a coffee machine, and would like to apologize in advance if it is a Java machine."
    )


class MisdirectedRequest(BadRequest):
    """421."""

    code = 421
    message = "Misdirected request"
    detail = "The request was directed at a server that is not able to produce a response."


class UnprocessableEntity(BadRequest):
    """422."""

    code = 422
    message = "Unprocessable entity"
    detail = (
        "The client sent a well-formed request, but the endpoint encountered other semantic errors "
        "within the data."
    )


class Locked(BadRequest):
    """423."""

    code = 423
    message = "Locked"
    detail = "The resource that is being accessed is locked."


class FailedDependency(BadRequest):
    """424."""

    code = 424
    message = "Failed dependency"
    detail = "The request failed because it depended on another request that failed."


class TooEarly(BadRequest):
    """425."""

    code = 425
    message = "Too early"
    detail = "The server is unwilling to risk processing a request that might be replayed."


class UpgradeRequired(BadRequest):
    """426: upgrade the connection (TLS, WebSockets)."""

    code = 426
    message = "Upgrade required"
    detail = (
        "The server requires an upgraded connection to continue. This is expected behavior when establishing "
        "certain secure connections or WebSockets."
    )


class PreconditionRequired(BadRequest):
    """428."""

    code = 428
    message = "Precondition required"
    detail = (
        "This endpoint requires a request with a conditional clause. Try resubmitting the request with an "
        "'If-Match' or 'If-Unmodified-Since' HTTP header."
    )


class TooManyRequests(BadRequest):
    """429."""

    code = 429
    message = "Too many requests"
    detail = "The client has exceeded the allowed rate of requests for this resource. Please wait and try again later."


class RequestHeaderFieldsTooLarge(BadRequest):
    """431."""

    code = 431
    message = "Request header fields too large"
    detail = "One or more HTTP header fields exceeded the maximum allowed size."


class UnavailableForLegalReasons(BadRequest):
    """451: sit back and enjoy the Bradbury."""

    code = 451
    message = "Unavailable for legal reasons"
    detail = "The resource requested is unavailable due to a legal demand."


# -- 5xx ---------------------------------------------------------------------


class InternalServerError(HTTPException):
    """500 and the base of every 5xx error.

    *exc_info* (a ``boltons.tbutils.ExceptionInfo``) is kept for error pages
    and reporting hooks; it never appears in the body unless a debug error
    handler puts it there.
    """

    code = 500
    message = "Internal server error"
    detail = "The server encountered an internal error and was unable to complete your request."

    def __init__(self, detail: str | None = None, *, exc_info: Any = None, **kwargs: Any) -> None:
        #: The uncaught exception's details, or ``None``.
        self.exc_info = exc_info
        super().__init__(detail, **kwargs)


class HTTPNotImplemented(InternalServerError):
    """501. Also importable as ``NotImplemented``, the original name."""

    code = 501
    message = "Response behavior not implemented"
    detail = (
        "The resource requested has either not been implemented or does not yet support the action "
        "requested by the client."
    )


class BadGateway(InternalServerError):
    """502."""

    code = 502
    message = "Bad gateway"
    detail = (
        "The endpoint received an invalid response from an upstream server while processing your request. "
        "Check that all upstream dependencies are properly configured and running."
    )


class ServiceUnavailable(InternalServerError):
    """503."""

    code = 503
    message = "Service or resource unavailable"
    detail = "The server is currently unable to handle the request due to a temporary overload or maintenance."


class GatewayTimeout(InternalServerError):
    """504."""

    code = 504
    message = "Gateway timeout"
    detail = "The endpoint timed out while waiting for a response from an upstream server."


class HTTPVersionNotSupported(InternalServerError):
    """505."""

    code = 505
    message = "HTTP version not supported"
    detail = "The endpoint does not support the HTTP version used in the request."


class VariantAlsoNegotiates(InternalServerError):
    """506."""

    code = 506
    message = "Variant also negotiates"
    detail = "The server has an internal configuration error in transparent content negotiation."


class InsufficientStorage(InternalServerError):
    """507."""

    code = 507
    message = "Insufficient storage"
    detail = "The server is unable to store the representation needed to complete the request."


class LoopDetected(InternalServerError):
    """508."""

    code = 508
    message = "Loop detected"
    detail = "The server detected an infinite loop while processing the request."


class NotExtended(InternalServerError):
    """510."""

    code = 510
    message = "Not extended"
    detail = "Further extensions to the request are required for the server to fulfil it."


class NetworkAuthenticationRequired(InternalServerError):
    """511."""

    code = 511
    message = "Network authentication required"
    detail = "The client needs to authenticate to gain network access."


#: The original, builtin-shadowing name for 501; kept so old imports work.
NotImplemented = HTTPNotImplemented

#: Status code -> the standard error class for it.
ERROR_CODE_MAP: dict[int, type[HTTPException]] = {
    cls.code: cls
    for cls in (
        BadRequest, Unauthorized, PaymentRequired, Forbidden, NotFound, MethodNotAllowed, NotAcceptable,
        ProxyAuthenticationRequired, RequestTimeout, Conflict, Gone, LengthRequired, PreconditionFailed,
        RequestEntityTooLarge, RequestURITooLong, UnsupportedMediaType, RequestedRangeNotSatisfiable,
        ExpectationFailed, ImATeapot, MisdirectedRequest, UnprocessableEntity, Locked, FailedDependency, TooEarly,
        UpgradeRequired, PreconditionRequired, TooManyRequests, RequestHeaderFieldsTooLarge,
        UnavailableForLegalReasons, InternalServerError, HTTPNotImplemented, BadGateway, ServiceUnavailable,
        GatewayTimeout, HTTPVersionNotSupported, VariantAlsoNegotiates, InsufficientStorage, LoopDetected,
        NotExtended, NetworkAuthenticationRequired,
    )
}  # fmt: skip

__all__ += [cls.__name__ for cls in ERROR_CODE_MAP.values()]

_ENTITY_HEADERS = frozenset({"content-type", "content-length"})


def from_werkzeug(ex: WerkzeugHTTPException) -> HTTPException:
    """Convert a Werkzeug HTTP exception into the matching Clastic error.

    Werkzeug raises its own exceptions while parsing a request (a form past
    ``max_content_length`` is a ``RequestEntityTooLarge``); Clastic answers
    them like any client error instead of a 500.
    """
    code = ex.code or 500
    error_type = ERROR_CODE_MAP.get(code)
    if error_type is MethodNotAllowed:
        error: HTTPException = MethodNotAllowed(getattr(ex, "valid_methods", None), detail=ex.description)
    elif error_type is not None:
        error = error_type(ex.description)
    else:
        error = HTTPException(ex.description, code=code, message=ex.name)
    for name, value in ex.get_headers():
        if name.lower() not in _ENTITY_HEADERS:
            error.headers[name] = value
    return error

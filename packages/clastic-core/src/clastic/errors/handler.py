"""The basic error handler: safe for production, plain in development."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from boltons.tbutils import ExceptionInfo
from werkzeug.wrappers import Request, Response

from clastic.errors.http import HTTPException, InternalServerError, MethodNotAllowed, NotFound

if TYPE_CHECKING:
    from clastic.types import WSGIApplication

__all__ = ["ErrorHandler"]

logger = logging.getLogger("clastic.errors")


class ErrorHandler:
    """Turn routing failures and uncaught exceptions into HTTP error responses.

    Subclass it and override the attributes or methods you need:

    * ``not_found_type``, ``method_not_allowed_type``, ``server_error_type``:
      the error classes used for 404, 405 and uncaught exceptions.
    * :meth:`render_error`: an injectable function (like an endpoint) that
      turns an :class:`HTTPException` into the response sent.
    * :meth:`uncaught_to_response`: called in the ``except`` block of dispatch.
    * ``wsgi_wrapper``: a WSGI middleware around the whole Application.

    Args:
        reraise_uncaught: Let uncaught exceptions propagate to the WSGI server
            (or a debugger) instead of answering 500.
    """

    #: Error raised when no route matches the path.
    not_found_type: type[NotFound] = NotFound
    #: Error raised when routes match the path but not the method.
    method_not_allowed_type: type[MethodNotAllowed] = MethodNotAllowed
    #: Error answered for uncaught exceptions.
    server_error_type: type[InternalServerError] = InternalServerError
    #: How uncaught exceptions are captured for error pages and reports.
    exc_info_type: type[ExceptionInfo] = ExceptionInfo
    #: Optional WSGI middleware wrapped around the Application.
    wsgi_wrapper: Callable[[WSGIApplication], WSGIApplication] | None = None

    def __init__(self, *, reraise_uncaught: bool = False) -> None:
        self.reraise_uncaught = reraise_uncaught

    def render_error(self, request: Request, _error: HTTPException) -> Response:
        """Negotiate the error's body (text, HTML, JSON, XML, problem+json) by ``Accept``."""
        return _error.transcribe(request)

    def uncaught_to_response(self, _application: Any, _route: Any, **kwargs: Any) -> Response:
        """Log the exception being handled and return the error to answer with.

        In production the body says only that an error happened; with
        ``Application(debug=True)`` it carries the exception and traceback.
        Must be called from an ``except`` block.
        """
        if self.reraise_uncaught:
            raise
        request = kwargs.get("request")
        self.report_uncaught(request, _route)
        exc_info = self.exc_info_type.from_current()
        detail = None
        if getattr(_application, "debug", False):
            detail = "".join(traceback.format_exception(*sys.exc_info()))
        return self.server_error_type(detail, exc_info=exc_info, source_route=_route)

    def report_uncaught(self, request: Request | None, route: Any) -> None:
        """Log the exception being handled, with the request and route."""
        where = f"{request.method} {request.path}" if request is not None else "a request"
        pattern = getattr(route, "pattern", None)
        request_id = getattr(request, "request_id", None)
        logger.error(
            "uncaught exception while handling %s (route %r, request id %s)", where, pattern, request_id, exc_info=True
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reraise_uncaught={self.reraise_uncaught!r})"

"""Error-reporting hooks: send every uncaught exception to your logging or monitoring.

::

    def to_monitoring(exception, request, route):
        monitoring.capture(exception, url=request.url, route=route.pattern)

    app = Application(routes, error_handler=ReportingErrorHandler(reporters=[to_monitoring]))

Each reporter is called with the exception, the request and the bound route
(the "null route" for errors outside any route) for every uncaught
exception, after Clastic has logged it. A reporter that fails is logged and
skipped: the client still gets the 500 for the original error, and the
other reporters still run. The contextual and custom-page handlers of this
distribution take the same ``reporters=`` argument.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from clastic.errors import ErrorHandler

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

__all__ = ["ErrorReporter", "Reporters", "ReportingErrorHandler"]

logger = logging.getLogger("clastic.errors")


class ErrorReporter(Protocol):
    """A callable told about each uncaught exception."""

    def __call__(self, exception: BaseException, request: Request | None, route: Any) -> object:
        """Record *exception*, raised while *route* handled *request*; the return value is ignored."""


#: One reporter or several.
Reporters = ErrorReporter | Iterable[ErrorReporter] | None


def _normalize_reporters(reporters: Reporters) -> tuple[ErrorReporter, ...]:
    if reporters is None:
        return ()
    if callable(reporters):
        return (reporters,)
    normalized = tuple(reporters)
    for reporter in normalized:
        if not callable(reporter):
            raise TypeError(
                f"reporters= takes callables reporter(exception, request, route); got {reporter!r} "
                f"({type(reporter).__name__})"
            )
    return normalized


class ReportingErrorHandler(ErrorHandler):
    """The basic error handler, plus reporters called for every uncaught exception.

    Args:
        reporters: A callable ``reporter(exception, request, route)`` or an
            iterable of them, called in order.
        reraise_uncaught: Let uncaught exceptions propagate to the WSGI
            server after reporting them.

    Raises:
        TypeError: a reporter is not callable.
    """

    def __init__(self, *, reporters: Reporters = None, reraise_uncaught: bool = False) -> None:
        super().__init__(reraise_uncaught=reraise_uncaught)
        #: The reporters, in the order they are called.
        self.reporters: tuple[ErrorReporter, ...] = _normalize_reporters(reporters)

    def uncaught_to_response(self, _application: Any, _route: Any, **kwargs: Any) -> Any:
        """Report the exception being handled, then answer as the basic handler does."""
        if self.reraise_uncaught:
            self.report_uncaught(kwargs.get("request"), _route)
            raise
        return super().uncaught_to_response(_application, _route, **kwargs)

    def report_uncaught(self, request: Request | None, route: Any) -> None:
        """Log the exception being handled, then call every reporter with it.

        Must be called from an ``except`` block. Reporter failures are logged
        and never replace the original exception.
        """
        super().report_uncaught(request, route)
        exception = sys.exc_info()[1]
        if exception is None:
            return
        call_reporters(self.reporters, exception, request, route)


def call_reporters(
    reporters: Iterable[Callable[..., object]], exception: BaseException, request: Any, route: Any
) -> None:
    """Call each reporter with ``(exception, request, route)``; log and skip the ones that fail."""
    for reporter in reporters:
        try:
            reporter(exception, request, route)
        except Exception:  # last resort: a broken reporter must not mask the error it reports
            logger.exception(
                "error reporter %r failed while reporting %s; the original error is still answered",
                reporter,
                type(exception).__name__,
            )

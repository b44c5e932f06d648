"""The contextual error handler: rich debug pages for development.

``Application(debug=True)`` uses :class:`ContextualErrorHandler` when this
distribution is installed. For a client on loopback it answers:

* uncaught exceptions with the exception, the traceback (source around each
  line, local variables with shortened reprs, framework frames folded away
  behind a toggle) and the request (method, URL, query, form, files,
  cookies, headers);
* 404 and 405 with the application's routes in dispatch order, the ones
  whose path matched marked, and the path asked for;
* every other HTTP error with the request and the route that raised it;

in the format the client's ``Accept`` header asks for: HTML, JSON (keys
``code, message, detail, error_type`` plus ``exc_type, exc_value, exc_tb,
exc_tb_str, last_frame, req, python, clastic_version, server_time,
server_time_utc, is_email`` for exceptions, or ``request`` and ``routes``),
``application/problem+json`` (the same as extension members), XML or text.
Any other client gets the plain production body. ``allow=`` replaces that
rule with networks or a function of the request, as for the meta pages (see
:mod:`clastic.access`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from boltons.tbutils import ContextualExceptionInfo, ExceptionInfo

from clastic.access import AccessRule, AllowSpec
from clastic.errors import HTTPException, InternalServerError, NotFound, negotiate_mimetype
from clastic.errors._debug_formats import render_debug, render_problem, render_text, render_xml
from clastic.errors._debug_html import render_html
from clastic.errors._debug_mode import DebugModeWarning
from clastic.errors._debug_report import (
    environment_report,
    exception_report,
    json_ready,
    problem_types_report,
    request_report,
    routes_report,
    stdlib_exception_url,
    truncate,
)
from clastic.errors.problems import Problem, iter_problem_types
from clastic.errors.reporting import Reporters, ReportingErrorHandler

if TYPE_CHECKING:
    from werkzeug.wrappers import Request, Response

    from clastic.types import WSGIApplication

__all__ = ["ContextualErrorHandler", "ContextualInternalServerError", "ContextualNotFound"]

logger = logging.getLogger("clastic.errors")


class _DebugBodyMixin(HTTPException):
    """Serialise the debug report when the handler attached one, the plain error otherwise.

    Mixed in before a status class (``NotFound``...), whose serialisers it falls back to.
    """

    #: The debug report shown for this error, set only for clients allowed to see it.
    debug_report: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.debug_report is None:
            return super().to_dict()
        return json_ready(self.debug_report)

    def to_problem(self) -> dict[str, Any]:
        problem = super().to_problem()
        return problem if self.debug_report is None else render_problem(self.debug_report, problem)

    def to_html(self) -> str:
        return super().to_html() if self.debug_report is None else render_html(self.debug_report)

    def to_text(self) -> str:
        return super().to_text() if self.debug_report is None else render_text(self.debug_report)

    def to_xml(self) -> str:
        return super().to_xml() if self.debug_report is None else render_xml(self.debug_report)


class ContextualNotFound(_DebugBodyMixin, NotFound):
    """404 whose debug rendering lists the application's routes and the path asked for.

    Takes the same arguments as :class:`~clastic.errors.NotFound`.
    """


class ContextualInternalServerError(_DebugBodyMixin, InternalServerError):
    """500 for an uncaught exception, carrying its traceback report for allowed clients.

    Args:
        detail: ``"ExceptionType: message"`` for allowed clients; the default
            (production) detail otherwise.
        exc_info: The exception's ``boltons.tbutils`` info.
        exception_report: The traceback report, or ``None`` when the client may
            not see it.
        request: The request being answered when the exception was raised.
        hide_internal_frames: Whether the report folds away Clastic's own
            frames (the handler's setting of the same name).
        **kwargs: Passed to :class:`~clastic.errors.InternalServerError`.
    """

    def __init__(
        self,
        detail: str | None = None,
        *,
        exc_info: Any = None,
        exception_report: dict[str, Any] | None = None,
        request: Request | None = None,
        hide_internal_frames: bool = True,
        **kwargs: Any,
    ) -> None:
        #: What :func:`exception_report` found: frames, locals, the traceback text.
        self.exception_report = exception_report
        #: The request being answered when the exception was raised, or
        #: ``None``. Kept for compatibility with Clastic 26, whose error kept
        #: it; error handlers get the request as an argument.
        self.request = request
        #: Whether the traceback report folds away Clastic's own frames and
        #: frames that set ``__traceback_hide__``. Kept for compatibility with
        #: Clastic 26; set it on :class:`ContextualErrorHandler`.
        self.hide_internal_frames = hide_internal_frames
        super().__init__(detail, exc_info=exc_info, **kwargs)


class ContextualErrorHandler(ReportingErrorHandler):
    """Error handler with debug pages: tracebacks with locals, routes for 404s, the request.

    Only for development: the pages show source, local variables, cookies
    and headers. Clients not on loopback get the plain production body
    unless *allow* says otherwise, and a warning is logged when the handler
    serves an Application that is not in debug mode.

    Args:
        hide_internal_frames: Fold away Clastic's own frames and frames
            whose locals set ``__traceback_hide__`` (a checkbox shows them).
        allow: Who sees details: ``None`` for loopback clients only, else
            networks (``["10.0.0.0/8"]``), a callable ``allow(request) -> bool``,
            or a list mixing them, which replaces the loopback rule (list
            :data:`clastic.access.LOOPBACK_NETWORKS` too to keep it). See
            :class:`clastic.access.AccessRule`.
        reporters: Callables ``reporter(exception, request, route)`` told
            about every uncaught exception (see :mod:`clastic.errors.reporting`).
        problem_types: The :class:`~clastic.errors.problems.Problem` classes
            to list on the pages; by default every declared one.
        context_lines: Source lines shown around each frame's line.
        repr_length: Longest repr shown for a local variable.
        reraise_uncaught: Let uncaught exceptions propagate to the WSGI
            server (after reporting) instead of answering 500.

    Raises:
        ValueError, TypeError: *allow*, *problem_types* or a limit is invalid.
    """

    exc_info_type = ContextualExceptionInfo
    not_found_type = ContextualNotFound
    server_error_type = ContextualInternalServerError

    def __init__(
        self,
        hide_internal_frames: bool = True,
        *,
        allow: AllowSpec = None,
        reporters: Reporters = None,
        problem_types: Iterable[type[Problem]] | None = None,
        context_lines: int = 5,
        repr_length: int = 200,
        reraise_uncaught: bool = False,
    ) -> None:
        super().__init__(reporters=reporters, reraise_uncaught=reraise_uncaught)
        if not isinstance(context_lines, int) or context_lines < 0:
            raise ValueError(f"context_lines must be an int >= 0, got {context_lines!r}")
        if not isinstance(repr_length, int) or repr_length < 20:
            raise ValueError(f"repr_length must be an int >= 20 (characters), got {repr_length!r}")
        self.hide_internal_frames = hide_internal_frames
        #: Who sees details.
        self.access = AccessRule(allow, subject="Debug details", setting=f"{type(self).__name__}(allow=...)")
        self.context_lines = context_lines
        self.repr_length = repr_length
        self._problem_types = None if problem_types is None else _check_problem_types(problem_types)
        self._debug_mode_warning = DebugModeWarning()

    # -- policy ---------------------------------------------------------------

    def allows(self, request: Request | None) -> bool:
        """Return True if *request*'s client may see debug details (never without a request)."""
        return request is not None and self.access.allows(request)

    @property
    def problem_types(self) -> tuple[type[Problem], ...]:
        """The problem types listed on the debug pages."""
        if self._problem_types is not None:
            return self._problem_types
        return tuple(iter_problem_types())

    def wsgi_wrapper(self, wsgi_app: WSGIApplication) -> WSGIApplication:
        """Return *wsgi_app* unchanged, warning first if its Application is not in debug mode.

        The Application calls this while it is built, which is the earliest
        moment the handler meets it.
        """
        self._debug_mode_warning.check(self, getattr(wsgi_app, "__self__", None))
        return wsgi_app

    # -- errors ---------------------------------------------------------------

    def uncaught_to_response(self, _application: Any, _route: Any, **kwargs: Any) -> Response:
        """Report the exception being handled and return a 500 (with its traceback for allowed clients)."""
        request = kwargs.get("request")
        self._debug_mode_warning.check(self, _application)
        self.report_uncaught(request, _route)
        if self.reraise_uncaught:
            raise
        exception = sys.exc_info()[1]
        if exception is None or not self.allows(request):
            return self._server_error(request, exc_info=ExceptionInfo.from_current(), source_route=_route)
        report = exception_report(
            exception,
            hide_internal=self.hide_internal_frames,
            context_lines=self.context_lines,
            repr_length=self.repr_length,
        )
        return self._server_error(
            request,
            detail=truncate(f"{report['exc_type']}: {report['exc_value']}", 1000),
            exc_info=self.exc_info_type.from_current(),
            exception_report=report,
            error_type=stdlib_exception_url(exception),
            source_route=_route,
        )

    def _server_error(self, request: Request | None, **kwargs: Any) -> Response:
        error_type = self.server_error_type
        if isinstance(error_type, type) and issubclass(error_type, ContextualInternalServerError):
            kwargs.update(request=request, hide_internal_frames=self.hide_internal_frames)
        return error_type(**kwargs)

    def render_error(
        self,
        request: Request,
        _error: HTTPException,
        _application: Any = None,
        _route: Any = None,
        _dispatch_state: Any = None,
    ) -> Response:
        """Render *_error*: the debug page for allowed clients, the plain body for everyone else."""
        self._debug_mode_warning.check(self, _application)
        if not self.allows(request):
            return _error.transcribe(request)
        report = self.build_report(request, _error, _application, _route, _dispatch_state)
        _error.instance = request.path
        body, content_type = render_debug(report, negotiate_mimetype(request), _error.to_problem())
        if isinstance(_error, _DebugBodyMixin):
            _error.debug_report = report
        _error.set_data(body)
        _error.content_type = content_type
        _error.headers["Cache-Control"] = "no-store"
        return _error

    def build_report(
        self, request: Request, error: HTTPException, application: Any, route: Any, dispatch_state: Any
    ) -> dict[str, Any]:
        """Collect what the debug page shows for *error* (a JSON-ready dict)."""
        report: dict[str, Any] = dict(error.to_dict())
        routes = tuple(getattr(application, "routes", ()))
        report["route"] = route.pattern if any(route is bound for bound in routes) else None
        exc_report = getattr(error, "exception_report", None)
        if exc_report is not None:
            report.update(exc_report)
            report["req"] = request_report(request)
            report["is_email"] = False
            report.update(environment_report())
        else:
            report["request"] = request_report(request)
            if error.code in (404, 405):
                attempted = getattr(dispatch_state, "attempted_routes", ())
                report["routes"] = routes_report(routes, attempted)
        report["problem_types"] = problem_types_report(self.problem_types)
        return report

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(hide_internal_frames={self.hide_internal_frames!r}, access={self.access!r}, "
            f"reporters={list(self.reporters)!r})"
        )


def _check_problem_types(problem_types: Iterable[type[Problem]]) -> tuple[type[Problem], ...]:
    checked = tuple(problem_types)
    for problem_type in checked:
        if not (isinstance(problem_type, type) and issubclass(problem_type, Problem) and problem_type.error_type):
            raise TypeError(
                f"problem_types= takes Problem subclasses that declare an error_type URI, got {problem_type!r}"
            )
    return checked

"""The REPL error handler: Werkzeug's interactive debugger, for development only.

With :class:`REPLErrorHandler`, an uncaught exception requested by a browser
on loopback opens Werkzeug's debugger page, where each frame has a Python
console. The console runs arbitrary code, so it is locked by Werkzeug's PIN:
the PIN is logged when the Application is built (and again when the page
asks for it), and only someone who can read the server's log can unlock it.

Clients that are not allowed (not on loopback, unless ``allow=`` gives
another rule) never reach the debugger: their requests, ``__debugger__`` ones
included, go straight to the Application, and their errors get the plain
production body. Allowed clients that ask for JSON, XML or text rather than
HTML get the contextual debug report instead of the HTML debugger.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from werkzeug.debug import DebuggedApplication
from werkzeug.wrappers import Request

from clastic.access import AllowSpec
from clastic.errors import negotiate_mimetype
from clastic.errors.contextual import ContextualErrorHandler
from clastic.errors.reporting import Reporters

if TYPE_CHECKING:
    from collections.abc import Iterable

    from werkzeug.wrappers import Response

    from clastic.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["REPLErrorHandler"]

logger = logging.getLogger("clastic.errors")


class REPLErrorHandler(ContextualErrorHandler):
    """Error handler that hands uncaught exceptions to Werkzeug's interactive debugger.

    Its ``wsgi_wrapper`` wraps the Application in
    :class:`werkzeug.debug.DebuggedApplication` (PIN-protected); uncaught
    exceptions of allowed clients asking for HTML are re-raised into it.
    Everything else behaves as :class:`~clastic.errors.ContextualErrorHandler`.

    Args:
        allow: Who may use the debugger: ``None`` for loopback clients only,
            else networks, a callable ``allow(request) -> bool`` or a list of
            them, replacing the loopback rule (see
            :class:`clastic.access.AccessRule`). Anyone allowed who has the
            PIN can run code on the server.
        evalex: Offer the per-frame Python console (PIN-protected).
        console_path: A path for Werkzeug's standalone console, e.g.
            ``'/console'``; ``None`` (the default) serves none, so no route is
            shadowed.
        reporters: Callables ``reporter(exception, request, route)`` told about
            every uncaught exception, before the debugger shows it.
        hide_internal_frames: As for ContextualErrorHandler (non-HTML reports),
            and Werkzeug hides frames whose locals set ``__traceback_hide__``.
    """

    def __init__(
        self,
        *,
        allow: AllowSpec = None,
        evalex: bool = True,
        console_path: str | None = None,
        reporters: Reporters = None,
        hide_internal_frames: bool = True,
    ) -> None:
        super().__init__(hide_internal_frames, allow=allow, reporters=reporters)
        if console_path is not None and not (isinstance(console_path, str) and console_path.startswith("/")):
            raise ValueError(
                f"console_path must be a path starting with '/' (e.g. '/console') or None, got {console_path!r}"
            )
        self.evalex = evalex
        self.console_path = console_path
        #: The DebuggedApplication of the last Application built with this handler.
        self.debugged_app: DebuggedApplication | None = None

    def wsgi_wrapper(self, wsgi_app: WSGIApplication) -> WSGIApplication:
        """Wrap *wsgi_app* in Werkzeug's debugger, reachable only by allowed clients."""
        wsgi_app = super().wsgi_wrapper(wsgi_app)
        debugged = DebuggedApplication(
            wsgi_app,
            evalex=self.evalex,
            console_path=self.console_path,  # type: ignore[arg-type]  # None disables the console route
            show_hidden_frames=not self.hide_internal_frames,
            pin_security=True,
            pin_logging=True,
        )
        self.debugged_app = debugged
        where = self.access.describe()
        if debugged.pin is None:  # WERKZEUG_DEBUG_PIN=off
            logger.warning(
                "REPLErrorHandler: interactive debugger on for %s WITHOUT a PIN (WERKZEUG_DEBUG_PIN=off)", where
            )
        else:
            logger.warning(
                "REPLErrorHandler: Werkzeug's interactive debugger is on for %s; debugger PIN: %s. "
                "Anyone with the PIN can run code in this process: never enable it in production.",
                where,
                debugged.pin,
            )

        def debugger_gate(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            # Refused clients bypass the debugger entirely, __debugger__ requests included.
            if self.allows(Request(environ)):
                return debugged(environ, start_response)
            return wsgi_app(environ, start_response)

        return debugger_gate

    def uncaught_to_response(self, _application: Any, _route: Any, **kwargs: Any) -> Response:
        """Re-raise into the debugger for allowed HTML clients; answer as the contextual handler otherwise."""
        request = kwargs.get("request")
        if request is not None and self.allows(request) and negotiate_mimetype(request) == "text/html":
            self.report_uncaught(request, _route)
            raise
        return super().uncaught_to_response(_application, _route, **kwargs)

    def __repr__(self) -> str:
        return f"REPLErrorHandler(evalex={self.evalex!r}, access={self.access!r}, console_path={self.console_path!r})"

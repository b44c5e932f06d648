"""Serve an Application for development on Werkzeug's server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from werkzeug.serving import run_simple

if TYPE_CHECKING:
    from clastic.application import Application

__all__ = ["serve"]

logger = logging.getLogger("clastic.server")


def serve(
    app: Application,
    address: str = "127.0.0.1",
    port: int = 5000,
    use_reloader: bool = True,
    use_debugger: bool = False,
    threaded: bool = True,
    **kwargs: Any,
) -> None:
    """Serve *app* on http://address:port/ with Werkzeug's development server.

    Not for production: run the Application under gunicorn or another WSGI
    server there. The server binds to loopback unless *address* says otherwise.
    """
    logger.info("serving %r on http://%s:%s/", app, address, port)
    run_simple(address, port, app, use_reloader=use_reloader, use_debugger=use_debugger, threaded=threaded, **kwargs)

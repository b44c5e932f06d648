"""Helpers for testing Clastic applications (no pytest needed).

>>> with LiveServer(app) as server:  # doctest: +SKIP
...     urllib.request.urlopen(server.url + "/hello").read()
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import Client

if TYPE_CHECKING:
    from clastic._types import WSGIApplication

__all__ = ["LiveServer", "make_client"]


def make_client(app: WSGIApplication) -> Client:
    """Return a Werkzeug test client for *app* (no server, no sockets)."""
    return Client(app)


class LiveServer:
    """Serve a WSGI app on 127.0.0.1 in a background thread, on a free port.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, app: WSGIApplication, host: str = "127.0.0.1", port: int = 0, threaded: bool = True) -> None:
        self.app = app
        self.host = host
        self._port = port
        self.threaded = threaded
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server.server_port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        """Bind and start serving; return self."""
        self._server = make_server(self.host, self._port, self.app, threaded=self.threaded)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<LiveServer {where} app={self.app!r}>"


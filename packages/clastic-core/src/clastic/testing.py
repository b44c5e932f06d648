"""Helpers for testing Clastic applications (no pytest needed).

Everything here works under any test runner; the pytest fixtures in
:mod:`clastic.pytest_plugin` are thin wrappers around it.

>>> with LiveServer(app) as server:  # doctest: +SKIP
...     urllib.request.urlopen(server.url + "/hello").read()
>>> client = make_client(override_resources(app, db=FakeDB()))  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, make_server

from clastic._client import LocalClient as LocalClient
from clastic.application import Application

if TYPE_CHECKING:
    from clastic.types import WSGIApplication

__all__ = ["LiveServer", "LocalClient", "make_client", "override_resources"]


def make_client(app: WSGIApplication) -> LocalClient:
    """Return a test client for *app* (no server, no sockets), requesting from 127.0.0.1.

    Args:
        app: Any WSGI application, usually a :class:`clastic.Application`.
    """
    return LocalClient(app)


def override_resources(app: Application, **values: Any) -> Application:
    """Return a rebuilt copy of *app* whose resources *values* replace the originals.

    The dependency override for tests: hand a fake database or a temporary
    directory to the endpoints, middlewares and renders that ask for a
    resource by name, without touching the Application under test. The copy
    is built and checked like any Application; resources of the same name in
    embedded Applications and on individual routes are replaced too.

    >>> app = Application([("/", lambda db: db.name, render_basic)], resources={"db": real_db})  # doctest: +SKIP
    >>> make_client(override_resources(app, db=fake_db)).get("/").text  # doctest: +SKIP
    'fake'

    Args:
        app: The :class:`clastic.Application` to copy; it is left unchanged.
        **values: Resource name -> the value to use instead.

    Raises:
        TypeError: *app* is not a Clastic Application (a WSGI wrapper around
            one, say), so it cannot be rebuilt.
        UnknownResourceError: A name is not a resource of *app* or of anything it
            embeds (a ``LookupError``); the message lists the resources and
            suggests the closest one.
    """
    if not isinstance(app, Application):
        raise TypeError(
            f"override_resources() needs a clastic Application to rebuild, got {type(app).__name__} ({app!r:.80}); "
            "pass the Application itself rather than a WSGI wrapper around it"
        )
    if not values:
        return app
    return app.with_resources(**values)


class LiveServer:
    """Serve a WSGI app on 127.0.0.1 in a background thread, on a free port.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.

    Args:
        app: The WSGI application to serve.
        host: Address to bind; loopback by default.
        port: Port to bind; ``0`` lets the system pick a free one.
        threaded: Handle each request in its own thread.
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

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<LiveServer {where} app={self.app!r}>"

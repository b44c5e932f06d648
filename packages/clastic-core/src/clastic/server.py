"""The development server: Werkzeug's server and reloader, dev mounts and a fail-safe page.

::

    app.serve()                               # http://127.0.0.1:5000/, reloads on save
    app.serve(port=8000, use_meta=False)
    $ clastic serve hello:app --port 8000     # the same from the command line

:func:`serve` runs the Application on Werkzeug's development server, by
default on loopback only, with the reloader on and the interactive debugger
off. Installed satellites add routes for development through the
``clastic.dev_mounts`` entry-point group (clastic-meta mounts ``/_meta/``,
clastic-static serves ``./static`` at ``/static/``); they are added to a new
Application that embeds yours, so your Application is never changed and
calling :func:`serve` twice mounts nothing twice.

When a reload fails (a ``SyntaxError``, an ``ImportError``, a build-time
``NameError``) the server keeps its port and answers every request with a
page showing the error, the traceback and the watched files, until a watched
file changes (see :mod:`clastic._dev.reloader`).

Not for production: run the Application under gunicorn or another WSGI
server there (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import socket
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.lint import HTTPWarning, LintMiddleware
from werkzeug.serving import BaseWSGIServer, is_running_from_reloader
from werkzeug.serving import make_server as _werkzeug_make_server
from werkzeug.serving import run_simple as _werkzeug_run_simple

from clastic._dev.failsafe import LoadFailure, create_failsafe_app
from clastic._dev.log import DevFormatter as DevFormatter
from clastic._dev.log import DevRequestHandler as DevRequestHandler
from clastic._dev.log import configure_dev_logging as configure_dev_logging
from clastic._dev.log import wants_colour as wants_colour
from clastic._dev.mounts import KNOWN_MOUNTS as KNOWN_MOUNTS
from clastic._dev.mounts import discover_dev_mounts as discover_dev_mounts
from clastic._dev.mounts import make_dev_app as make_dev_app
from clastic._dev.mounts import normalize_static_prefix as normalize_static_prefix
from clastic._dev.reloader import enable_tty_echo as enable_tty_echo
from clastic._dev.reloader import finish_probe, in_probe, supervise
from clastic._dev.reloader import iter_monitor_files as iter_monitor_files
from clastic._dev.reloader import open_test_socket as open_test_socket
from clastic._dev.reloader import reloader_loop as reloader_loop
from clastic._dev.reloader import restart_with_reloader as restart_with_reloader
from clastic._dev.reloader import run_with_reloader as run_with_reloader
from clastic._dev.target import in_target_import
from clastic.application import Application
from clastic.exceptions import did_you_mean

if TYPE_CHECKING:
    from clastic.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "DevFormatter",
    "DevRequestHandler",
    "command_line_overrides",
    "configure_dev_logging",
    "create_dev_server_parser",
    "discover_dev_mounts",
    "enable_tty_echo",
    "iter_monitor_files",
    "make_dev_app",
    "make_server",
    "open_test_socket",
    "reloader_loop",
    "restart_with_reloader",
    "run_simple",
    "run_with_reloader",
    "serve",
    "wants_colour",
]

logger = logging.getLogger(__name__)

#: Where the dev server listens unless told otherwise: loopback only.
DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 5000

#: Keyword arguments of ``serve()`` passed on to Werkzeug's ``run_simple``.
RUN_SIMPLE_OPTIONS = frozenset(
    {
        "threaded",
        "extra_files",
        "exclude_patterns",
        "reloader_interval",
        "reloader_type",
        "ssl_context",
        "request_handler",
        "passthrough_errors",
        "use_evalex",
        "static_files",
    }
)


def serve(
    app: Application,
    address: str = DEFAULT_ADDRESS,
    port: int = DEFAULT_PORT,
    use_meta: bool = True,
    use_lint: bool = False,
    use_reloader: bool = True,
    use_debugger: bool = False,
    use_static: bool = True,
    static_prefix: str = "static",
    static_path: str | os.PathLike[str] | None = None,
    processes: int | None = None,
    **kw: Any,
) -> None:
    """Serve *app* with the development server until interrupted.

    Not for production use (see docs/deployment.md for gunicorn).

    The script's own command line can change these options without editing
    the call: ``python app.py --port 8000 --no-meta`` (see
    :func:`command_line_overrides`).

    Args:
        app: The Application to serve. It is not modified.
        address: IP address or host name to bind to. Defaults to
            ``127.0.0.1``, reachable from this machine only; ``0.0.0.0``
            exposes the server (and the meta pages) to the network.
        port: Port to bind to.
        use_meta: Mount the meta application at ``/_meta/`` (needs clastic-meta).
        use_lint: Check every request and response against the WSGI
            specification with Werkzeug's ``LintMiddleware``; a violation
            is reported as a ``WSGIWarning`` on stderr. Off by default, as
            the original's flag did nothing; HEAD requests and ``204``
            responses, which Werkzeug's checker misjudges (it counts the
            body a HEAD response does not send, and wants ``Content-Length:
            0`` where RFC 9110 forbids one), are not reported.
        use_reloader: Restart the server when a source file changes; if the
            new code fails to load, serve a page showing the error until a
            watched file changes again.
        use_debugger: Wrap the app in Werkzeug's interactive debugger; uncaught
            exceptions then reach it instead of the error handler. Anyone
            who can reach the server and knows the PIN can run code.
        use_static: Serve *static_path* under *static_prefix* (needs clastic-static).
        static_prefix: URL path of the static files, ``'static'`` -> ``/static/``.
        static_path: Folder of static files; defaults to ``./static``.
        processes: Serve with this many forked processes instead of threads.
        **kw: Passed to :func:`werkzeug.serving.run_simple`: ``threaded``,
            ``extra_files`` (more files to watch), ``exclude_patterns``,
            ``reloader_interval`` (seconds between checks), ``reloader_type``
            (default ``'stat'``), ``ssl_context``, ``request_handler``,
            ``passthrough_errors``, ``use_evalex``, ``static_files``.

    Raises:
        TypeError: *app* is not an Application, or an argument has the wrong type or name.
        ValueError: An argument has an impossible value (a port out of range).
    """
    if not isinstance(app, Application):
        raise TypeError(f"serve() needs a clastic Application, got {app!r} ({type(app).__name__})")
    importing = in_target_import()
    if importing is not None:
        # `clastic serve/routes/check` is importing the module that holds this call
        # (an `app.serve()` at module level); the command decides what to run.
        logger.info(
            "ignoring serve() called while `clastic` imports %r; the command line decides how to serve", importing
        )
        return
    if in_probe():
        finish_probe()
    overrides = {} if _command_line_handled.get() else command_line_overrides(sys.argv[1:])
    if overrides:
        address = overrides.get("address", address)
        port = overrides.get("port", port)
        static_path = overrides.get("static_path", static_path)
        static_prefix = overrides.get("static_prefix", static_prefix)
        processes = overrides.get("processes", processes)
        use_static = use_static and overrides.get("use_static", True)
        use_meta = use_meta and overrides.get("use_meta", True)
        use_lint = use_lint and overrides.get("use_lint", True)
        use_reloader = use_reloader and overrides.get("use_reloader", True)
        use_debugger = use_debugger and overrides.get("use_debugger", True)
    config = _ServeConfig.from_arguments(address, port, use_reloader, use_debugger, processes, kw)
    normalize_static_prefix(static_prefix)  # refuse a bad prefix here, not in the server process
    configure_dev_logging()
    if overrides:
        logger.info(
            "command-line options override serve() arguments: %s",
            ", ".join(f"{k}={v!r}" for k, v in overrides.items()),
        )
    if use_reloader and not is_running_from_reloader():
        # The reloader's parent process only watches over the server process,
        # which builds and serves the dev app itself.
        _run(config, app)
        return
    dev_app = make_dev_app(
        app,
        use_meta=use_meta,
        use_static=use_static,
        static_prefix=static_prefix,
        static_path=static_path,
        use_debugger=use_debugger,
        address=config.address,
        port=config.port,
        use_reloader=use_reloader,
        processes=processes,
    )
    _run(config, _DevLint(dev_app) if use_lint else dev_app)


class _DevLint(LintMiddleware):
    """Werkzeug's WSGI checker, without its false alarms on correct HTTP."""

    def __init__(self, app: WSGIApplication) -> None:
        super().__init__(app)
        # A 204 must not carry Content-Length (RFC 9110 8.6); Werkzeug's lint asks for "0".
        # Only this HTTPWarning of Werkzeug's lint is silenced, and the filter is added once.
        warnings.filterwarnings(
            "ignore", message=r"204 responses must have an empty content length", category=HTTPWarning
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "HEAD":
            # Content-Length is the GET body's; the lint would compare it with the empty body sent.
            return self.app(environ, start_response)
        return super().__call__(environ, start_response)


_command_line_handled: ContextVar[bool] = ContextVar("clastic_command_line_handled", default=False)


@contextmanager
def command_line_handled() -> Iterator[None]:
    """Within this block, :func:`serve` leaves ``sys.argv`` alone (``clastic serve`` has read it)."""
    token = _command_line_handled.set(True)
    try:
        yield
    finally:
        _command_line_handled.reset(token)


def command_line_overrides(argv: Sequence[str]) -> dict[str, Any]:
    """Read the development server options a script's command line may set.

    ``python app.py --port 8000 --no-meta`` works for any script ending in
    ``app.serve()``: ``--address``, ``--port``, ``--static-path``,
    ``--static-prefix`` and ``--processes`` replace the call's values, and
    ``--no-static``, ``--no-meta``, ``--no-wsgi-lint``, ``--no-reloader``
    and ``--no-debugger`` turn features off (the command line never turns one on). Other arguments
    are left to the script. A malformed value (``--port abc``) ends the
    program with a one-line usage error, as argparse does. Only the options
    given appear in the result.
    """
    parser = argparse.ArgumentParser(
        prog=os.path.basename(sys.argv[0]) or "app.py",
        add_help=False,
        allow_abbrev=False,
        argument_default=argparse.SUPPRESS,
    )
    _add_dev_server_arguments(parser)
    known, _rest = parser.parse_known_args(list(argv))
    return vars(known)


def create_dev_server_parser() -> argparse.ArgumentParser:
    """Return an argparse parser of the development server's command-line options.

    The options are those :func:`command_line_overrides` reads
    (``--address``, ``--port``, ``--static-path``, ``--static-prefix``,
    ``--processes``, ``--no-static``, ``--no-meta``, ``--no-reloader``,
    ``--no-debugger``, ``--no-wsgi-lint``); the parsed namespace holds
    ``address``, ``port``, ``static_path``, ``static_prefix``, ``processes``
    and ``use_static``, ``use_meta``, ``use_reloader``, ``use_debugger``,
    ``use_lint``, with :func:`serve`'s defaults (the address defaults to
    loopback, ``127.0.0.1``, where the original bound ``0.0.0.0``).

    Kept for compatibility with Clastic 26. ``serve()`` already reads these
    options from ``sys.argv``, and ``clastic serve`` takes them too.
    """
    parser = argparse.ArgumentParser(
        description="Serve a Clastic application with the development server.", allow_abbrev=False
    )
    _add_dev_server_arguments(parser)
    parser.set_defaults(
        address=DEFAULT_ADDRESS,
        port=DEFAULT_PORT,
        static_prefix="static",
        use_static=True,
        use_meta=True,
        use_reloader=True,
        use_debugger=False,
        use_lint=False,
    )
    return parser


def _add_dev_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", help="IP address or host name to listen on")
    parser.add_argument("--port", type=port_argument, help="TCP port to listen on")
    parser.add_argument("--static-path", help="folder of static files (default ./static)")
    parser.add_argument("--static-prefix", help="URL path of the static files (default 'static')")
    parser.add_argument("--processes", type=positive_int_argument, help="serve with this many forked processes")
    for feature in ("static", "meta", "reloader", "debugger"):
        parser.add_argument(
            f"--no-{feature}", dest=f"use_{feature}", action="store_false", help=f"turn the {feature} off"
        )
    parser.add_argument("--no-wsgi-lint", dest="use_lint", action="store_false", help="turn WSGI checking off")


def port_argument(text: str) -> int:
    """argparse type: a TCP port number."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number from 0 to 65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be a number from 0 to 65535, got {port}")
    return port


def positive_int_argument(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def serve_load_failure(
    failure: LoadFailure,
    address: str = DEFAULT_ADDRESS,
    port: int = DEFAULT_PORT,
    use_debugger: bool = False,
    processes: int | None = None,
    **kw: Any,
) -> None:
    """Serve the fail-safe page for *failure*, then the application once a watched file changes.

    For ``clastic serve`` when the application fails to load in the first
    place; the reloader then re-runs the command and the application loads.
    """
    config = _ServeConfig.from_arguments(address, port, True, use_debugger, processes, kw)
    configure_dev_logging()
    _supervise(config, create_failsafe_app(failure), initial_failure=failure)


def run_simple(
    hostname: str,
    port: int,
    application: WSGIApplication,
    use_reloader: bool = False,
    use_debugger: bool = False,
    use_evalex: bool = True,
    extra_files: Iterable[str] | None = None,
    reloader_interval: float = 1,
    passthrough_errors: bool = False,
    processes: int | None = None,
    threaded: bool = False,
    ssl_context: Any = None,
) -> None:
    """Serve the WSGI *application* on *hostname*:*port* with the development server until interrupted.

    Kept for compatibility with Clastic 26: use :func:`serve`
    (``app.serve()``), which also mounts the dev tools and reads the
    command line. This runs the same server as :func:`serve` (Werkzeug's,
    with Clastic's request log), and with *use_reloader* the same fail-safe
    reloader: when the reloaded code fails to load, the port answers with a
    page showing the error until a watched file changes. *extra_files* are
    watched too, every *reloader_interval* seconds. *use_debugger* wraps
    the application in Werkzeug's interactive debugger (*use_evalex* lets
    it run code). Unlike :func:`serve`, nothing is added to *application*
    and ``sys.argv`` is not read; like the original, it serves one request
    at a time unless *threaded* or *processes* says otherwise.

    Raises:
        TypeError, ValueError: An argument has the wrong type or value.
    """
    if not callable(application):
        raise TypeError(f"run_simple() needs a WSGI application, got {application!r} ({type(application).__name__})")
    if in_probe():
        finish_probe()  # the fail-safe reloader's probe: the program loaded up to here
    options = {
        "use_evalex": use_evalex,
        "extra_files": list(extra_files or ()),
        "reloader_interval": reloader_interval,
        "passthrough_errors": passthrough_errors,
        "threaded": threaded,
        "ssl_context": ssl_context,
    }
    config = _ServeConfig.from_arguments(hostname, port, use_reloader, use_debugger, processes, options)
    configure_dev_logging()
    _run(config, application)


def make_server(
    host: str,
    port: int,
    app: WSGIApplication | None = None,
    threaded: bool = False,
    processes: int = 1,
    request_handler: Any = None,
    passthrough_errors: bool = False,
    ssl_context: Any = None,
) -> BaseWSGIServer:
    """Create (and bind) a development server for *app* without starting it.

    Call ``serve_forever()`` on the result to serve, ``shutdown()`` from
    another thread to stop. Requests are logged as :func:`serve` logs them
    unless another *request_handler* is given. Kept for compatibility with
    Clastic 26; it is :func:`werkzeug.serving.make_server`.

    Raises:
        TypeError: *app* is not callable.
        OSError: The address cannot be bound (in use, not this machine's).
    """
    if not callable(app):
        raise TypeError(f"make_server() needs a WSGI application, got {app!r}")
    return _werkzeug_make_server(
        host,
        port,
        app,
        threaded=threaded,
        processes=processes,
        request_handler=request_handler or DevRequestHandler,
        passthrough_errors=passthrough_errors,
        ssl_context=ssl_context,
    )


@dataclass
class _ServeConfig:
    address: str
    port: int
    use_reloader: bool
    use_debugger: bool
    run_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def extra_files(self) -> list[str]:
        return list(self.run_kwargs.get("extra_files") or ())

    @property
    def interval(self) -> float:
        return float(self.run_kwargs.get("reloader_interval", 1))

    @classmethod
    def from_arguments(
        cls, address: Any, port: Any, use_reloader: bool, use_debugger: bool, processes: Any, kw: Mapping[str, Any]
    ) -> _ServeConfig:
        if not isinstance(address, str) or not address:
            raise TypeError(
                f"serve(): address must be a host name or IP address string such as '127.0.0.1', got {address!r}"
            )
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"serve(): port must be an int such as 5000, got {port!r} ({type(port).__name__})")
        if not 0 <= port <= 65535:
            raise ValueError(f"serve(): port must be between 0 and 65535, got {port}")
        if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int) or processes < 1):
            raise ValueError(f"serve(): processes must be a positive int or None, got {processes!r}")
        unknown = sorted(set(kw) - RUN_SIMPLE_OPTIONS)
        if unknown:
            raise TypeError(
                f"serve() got unexpected keyword argument {unknown[0]!r} (it passes these on to Werkzeug's run_simple: "
                f"{sorted(RUN_SIMPLE_OPTIONS)}).{did_you_mean(unknown[0], RUN_SIMPLE_OPTIONS)}"
            )
        run_kwargs = dict(kw)
        forking = processes is not None and processes > 1
        run_kwargs.setdefault("threaded", not forking)
        run_kwargs["processes"] = processes or 1
        run_kwargs.setdefault("reloader_type", "stat")
        run_kwargs.setdefault("request_handler", DevRequestHandler)
        if use_reloader and port == 0 and not is_running_from_reloader():
            # The fail-safe page must come back on the same port, so pick it now.
            port = _free_port(address)
            logger.info(" * Port 0 given: using free port %s", port)
        if not _is_loopback(address) and not is_running_from_reloader():
            logger.warning(
                " * Listening on %s: the development server%s reachable from other machines",
                address,
                " and its interactive debugger are" if use_debugger else " is",
            )
        return cls(address, port, use_reloader, use_debugger, run_kwargs)


def _run_simple(config: _ServeConfig, wsgi_app: WSGIApplication) -> None:
    _werkzeug_run_simple(
        config.address,
        config.port,
        wsgi_app,
        use_reloader=config.use_reloader,
        use_debugger=config.use_debugger,
        **config.run_kwargs,
    )


def _run(config: _ServeConfig, wsgi_app: WSGIApplication) -> None:
    if not config.use_reloader or is_running_from_reloader():
        # No reloader, or the reloader's server process: serve (and watch) here.
        _run_simple(config, wsgi_app)
        return
    _supervise(config, wsgi_app)


def _supervise(config: _ServeConfig, wsgi_app: WSGIApplication, initial_failure: LoadFailure | None = None) -> None:
    """Run the reloader's parent process, serving *wsgi_app* in the child it watches."""
    supervise(
        lambda: _run_simple(config, wsgi_app),
        address=config.address,
        port=config.port,
        extra_files=config.extra_files,
        interval=config.interval,
        request_handler=config.run_kwargs["request_handler"],
        initial_failure=initial_failure,
    )


def _free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def _is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False

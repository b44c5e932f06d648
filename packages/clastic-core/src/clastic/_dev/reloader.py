"""Fail-safe reloading on top of Werkzeug's reloader.

Werkzeug's reloader (``run_simple(use_reloader=True)``) runs the program in
a child process and restarts it when a file changes, but when the new child
dies while importing (a ``SyntaxError``, an ``ImportError``, a build-time
``NameError``) the parent exits too, and the developer has to restart the
server by hand. Clastic keeps the server up instead:

1. The original process (the reloader's *parent*) calls
   ``run_simple(use_reloader=True)``, which spawns the server process.
2. When that call ends with a non-zero exit status, the parent runs a
   *probe*: the same command again, with ``CLASTIC_FAILSAFE_PROBE`` set in
   its environment and its error output captured. In the probe, reaching
   :func:`clastic.server.serve` means the application loaded; the probe then
   exits at once, marking success. Otherwise the probe's traceback says
   what is broken.
3. The parent serves the fail-safe page (:mod:`clastic._dev.failsafe`) on the
   same address and port, and polls the watched files: the modules it had
   loaded, the files named by the traceback and the ``extra_files`` (and,
   for an ``ImportError``, the folders of the project's files, so that
   creating the missing module counts).
4. When one changes, the parent stops the fail-safe server and goes back to
   step 1; the application is back, or the page shows the new error.

Only public Werkzeug API is used: ``run_simple``, ``make_server`` and
``is_running_from_reloader``.
"""

from __future__ import annotations

import logging
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NoReturn

from werkzeug.serving import BaseWSGIServer, is_running_from_reloader, make_server

from clastic._dev.failsafe import LoadFailure, create_failsafe_app, split_watched_files

__all__ = [
    "PROBE_ENV",
    "RELOAD_EXIT_CODE",
    "enable_tty_echo",
    "finish_probe",
    "in_probe",
    "in_server_process",
    "iter_monitor_files",
    "module_files",
    "open_test_socket",
    "probe",
    "reloader_loop",
    "restart_with_reloader",
    "run_with_reloader",
    "supervise",
]

logger = logging.getLogger("clastic.server")

#: Environment variable naming the file a probe process writes once the application has loaded.
PROBE_ENV = "CLASTIC_FAILSAFE_PROBE"
#: How long a probe may take to import and build the application, in seconds.
PROBE_TIMEOUT = 60.0
#: How many times, and how long apart, the fail-safe server tries to bind the port again.
_BIND_ATTEMPTS = 50
_BIND_DELAY = 0.1


def in_probe() -> bool:
    """True in a probe process started by :func:`probe`."""
    return bool(os.environ.get(PROBE_ENV))


def in_server_process() -> bool:
    """True in the reloader's server process or in a probe: where load errors should show their traceback."""
    return is_running_from_reloader() or in_probe()


def finish_probe() -> NoReturn:
    """Mark the probe as successful and end the process at once (called by ``serve()``)."""
    with open(os.environ[PROBE_ENV], "w", encoding="utf-8") as marker:
        marker.write("loaded\n")
    sys.stderr.flush()
    # Nothing after serve() must run in a probe: no server, no atexit handlers of the app.
    os._exit(0)


def reload_command() -> list[str]:
    """The command that re-runs this program, as Werkzeug's reloader runs it."""
    return [sys.executable, *sys.orig_argv[1:]]


def probe(*, timeout: float = PROBE_TIMEOUT) -> LoadFailure | None:
    """Run this program again to see whether the application loads now.

    Returns ``None`` when the probe reached ``serve()``, else the failure
    described from the probe's traceback.
    """
    command = reload_command()
    shown = shlex.join(command)
    with tempfile.TemporaryDirectory(prefix="clastic-probe-") as tmp:
        marker = os.path.join(tmp, "loaded")
        env = dict(os.environ)
        env[PROBE_ENV] = marker
        for name in ("WERKZEUG_RUN_MAIN", "WERKZEUG_SERVER_FD"):
            env.pop(name, None)
        try:
            done = subprocess.run(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as ex:
            output = (ex.stderr or b"").decode("utf-8", "replace")
            return LoadFailure(
                "TimeoutError",
                f"loading the application took longer than {timeout:g} seconds",
                output or "(no output)",
                command=shown,
            )
        if os.path.exists(marker):
            return None
        return LoadFailure.from_output(done.stderr.decode("utf-8", "replace"), command=shown, status=done.returncode)


def iter_monitor_files() -> Iterator[str]:
    """Yield the source file of every module loaded in this process, once each.

    A compiled ``.pyc`` counts as its ``.py``; modules without a file on
    disk (builtins, zip imports) are skipped. These are the files the
    reloader watches. Kept for compatibility with Clastic 26.
    """
    seen: set[str] = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if not filename:
            continue
        if filename.endswith(".pyc"):
            filename = filename[:-1]
        if os.path.isfile(filename):
            filename = os.path.abspath(filename)
            if filename not in seen:
                seen.add(filename)
                yield filename


def module_files() -> list[str]:
    """Source files of the modules loaded in this process (see :func:`iter_monitor_files`)."""
    return list(iter_monitor_files())


def project_folders(files: Iterable[str]) -> list[str]:
    """The folders (with a trailing separator) of the project's own files among *files*."""
    project, _library = split_watched_files(files)
    return list(dict.fromkeys(os.path.join(os.path.dirname(name), "") for name in project))


class FileWatcher:
    """Poll files' modification times and report the first one that changed.

    Each file's mtime is recorded when it is added; any different mtime
    later (also an older one, as when a backup is restored) is a change.
    """

    def __init__(self, files: Iterable[str] = ()) -> None:
        self.mtimes: dict[str, float | None] = {}
        self.add(files)

    def add(self, files: Iterable[str]) -> None:
        """Start watching *files* (those already watched keep their recorded mtime)."""
        for name in files:
            if name not in self.mtimes:
                self.mtimes[name] = self._mtime(name)

    @property
    def files(self) -> list[str]:
        """The watched files, in the order they were added."""
        return list(self.mtimes)

    @staticmethod
    def _mtime(name: str) -> float | None:
        try:
            return os.stat(name).st_mtime
        except OSError:
            return None

    def changed(self) -> str | None:
        """Return one changed (or newly created) file, or ``None``."""
        for name, seen in self.mtimes.items():
            mtime = self._mtime(name)
            if mtime is not None and mtime != seen:
                return name
        return None


def open_test_socket(host: str, port: int, raise_exc: bool = True) -> bool:
    """Bind *host*:*port* as the server would (``SO_REUSEADDR``), close it, and return True.

    Tells whether a server could listen there now. When the address cannot
    be bound (the port is taken, the host is not this machine's), the
    ``OSError`` is raised, or False returned if *raise_exc* is false. An
    IPv6 address (``'::1'``) gets an IPv6 socket. Kept for compatibility
    with Clastic 26.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _type, _proto, _name, sockaddr = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(sockaddr)
    except OSError:
        if raise_exc:
            raise
        return False
    return True


def port_is_free(address: str, port: int) -> bool:
    """True when a server could bind *address*:*port* now (see :func:`open_test_socket`)."""
    try:
        return open_test_socket(address, port)
    except socket.gaierror:
        return True  # let the server report the unknown host itself
    except OSError:
        return False


def _bind(address: str, port: int, app: Any, request_handler: Any) -> BaseWSGIServer:
    # The port was just released by the reloader's parent server; another
    # process could hold it for a moment, so retry for a few seconds.
    attempts = 0
    while True:
        try:
            return make_server(address, port, app, threaded=True, request_handler=request_handler)
        except OSError:
            attempts += 1
            if attempts >= _BIND_ATTEMPTS:
                raise
            time.sleep(_BIND_DELAY)


def serve_failure(
    failure: LoadFailure,
    *,
    address: str,
    port: int,
    watcher: FileWatcher,
    interval: float,
    request_handler: Any = None,
) -> str:
    """Serve the fail-safe page for *failure* until a file *watcher* watches changes; return that file."""
    watched = watcher.files
    app = create_failsafe_app(failure, watched)
    server = _bind(address, port, app, request_handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="clastic-failsafe", daemon=True
    )
    thread.start()
    project, _library = split_watched_files(watched)
    logger.error(
        " * The application failed to load: %s\n"
        " * Serving the fail-safe page on http://%s:%s/ until one of %d watched files changes (%s)",
        failure.summary,
        address,
        port,
        len(watched),
        ", ".join(os.path.basename(name.rstrip(os.sep)) for name in project[:8])
        + (", ..." if len(project) > 8 else ""),
    )
    try:
        while True:
            changed = watcher.changed()
            if changed is not None:
                logger.info(" * Detected change in %r, reloading", changed)
                return changed
            time.sleep(interval)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def supervise(
    run: Callable[[], None],
    *,
    address: str,
    port: int,
    extra_files: Iterable[str] = (),
    interval: float = 1.0,
    request_handler: Any = None,
    initial_failure: LoadFailure | None = None,
) -> None:
    """Run Werkzeug's reloader through *run*, serving the fail-safe page whenever the app fails to load.

    Args:
        run: Calls ``run_simple(..., use_reloader=True)``; in this (parent)
            process it returns on Ctrl-C and raises ``SystemExit`` with the
            server process's exit status otherwise.
        address, port: Where the server listens; the fail-safe page uses the same.
        extra_files: More files whose change reloads the server.
        interval: Seconds between checks of the watched files.
        request_handler: Werkzeug request handler class, for request logging.
        initial_failure: Start with the fail-safe page (the application
            already failed to load in this process).
    """
    extra = [os.path.abspath(name) for name in extra_files]
    failure = initial_failure
    # Record the files' mtimes as soon as the failure is seen: an edit made
    # while the probe runs must count as a change.
    watcher = FileWatcher([*module_files(), *extra]) if failure is not None else None
    while True:
        if failure is not None and watcher is not None:
            watcher.add(failure.files)
            if failure.exc_type in ("ModuleNotFoundError", "ImportError"):
                # Creating the missing module changes its folder's mtime.
                watcher.add(project_folders(failure.files))
            try:
                serve_failure(
                    failure,
                    address=address,
                    port=port,
                    watcher=watcher,
                    interval=interval,
                    request_handler=request_handler,
                )
            except KeyboardInterrupt:
                return
            failure = None
        # A busy port makes Werkzeug explain and exit before any server
        # process starts: nothing to probe then.
        port_was_busy = not port_is_free(address, port)
        try:
            run()
        except SystemExit as ex:
            status = ex.code
            if not isinstance(status, int) or status == 0 or port_was_busy:
                raise
            watcher = FileWatcher([*module_files(), *extra])
            failure = probe()
            if failure is None:
                logger.error(
                    " * The server process exited with status %s, yet the application loads; "
                    "stopping (see the output above)",
                    status,
                )
                raise
            continue
        return


# -- the reloader helpers of Clastic 26 -------------------------------------------
#
# The original exposed its reloader's parts; these do the same jobs with the
# pieces above (FileWatcher, reload_command, LoadFailure). serve() does not
# use them: it runs Werkzeug's reloader under supervise().

#: Exit status with which a server process asks its reloader to start it again (Werkzeug's).
RELOAD_EXIT_CODE = 3
# How much of a failed process's error output is kept for the fail-safe page.
_STDERR_KEEP = 256 * 1024


def enable_tty_echo(tty: Any = None) -> None:
    """Turn the terminal's echo back on (it stays off when a debugger such as pdb is killed).

    *tty* is a file object or descriptor of the terminal; default
    ``sys.stdin``. Nothing happens when it is not a terminal or the
    platform has no ``termios``. Kept for compatibility with Clastic 26.
    """
    try:
        import termios
    except ImportError:  # Windows
        return
    stream = sys.stdin if tty is None else tty
    try:
        fd = stream if isinstance(stream, int) else stream.fileno()
        if not os.isatty(fd):
            return
        attributes = termios.tcgetattr(fd)
        if not attributes[3] & termios.ECHO:
            attributes[3] |= termios.ECHO
            termios.tcsetattr(fd, termios.TCSANOW, attributes)
    except (AttributeError, ValueError, OSError, termios.error):  # closed, detached or not a file
        return


def reloader_loop(extra_files: Iterable[str] | None = None, interval: float = 1) -> NoReturn:
    """Watch the loaded modules' files and *extra_files*; exit with status 3 when one changes.

    Runs in the server process that :func:`restart_with_reloader` started:
    status 3 asks it for a fresh process. Files are polled every *interval*
    seconds; modules imported later are watched from then on. Kept for
    compatibility with Clastic 26.
    """
    _watch(_watcher(extra_files), interval)


def _watcher(extra_files: Iterable[str] | None) -> FileWatcher:
    """Start watching the loaded modules' files and *extra_files*: their mtimes now are the baseline."""
    extra = [os.path.abspath(name) for name in extra_files or ()]
    return FileWatcher([*iter_monitor_files(), *extra])


def _watch(watcher: FileWatcher, interval: float) -> NoReturn:
    """Poll *watcher* every *interval* seconds; exit with status 3 on the first change."""
    while True:
        changed = watcher.changed()
        if changed is not None:
            logger.info(" * Detected change in %r, reloading", changed)
            sys.exit(RELOAD_EXIT_CODE)
        time.sleep(interval)
        watcher.add(iter_monitor_files())


def restart_with_reloader(error_func: Callable[[str], Any] | None = None) -> int:
    """Run this program again as the reloader's server process, as long as it asks to be restarted.

    The program is started with ``WERKZEUG_RUN_MAIN=true`` (so
    ``is_running_from_reloader()`` is true in it) and started again each
    time it exits with status 3 (see :func:`reloader_loop`). With
    *error_func*, a process that fails (another non-zero status) is not the
    end: ``error_func(traceback_text)`` is called with the last traceback
    it wrote to stderr (typically to serve :func:`clastic.flaw.create_app`
    until a file changes), then the program is started again. Its error
    output still reaches this process's stderr. Returns the exit status
    that ended the loop. Kept for compatibility with Clastic 26; ``serve()``
    does all this with Werkzeug's reloader and the fail-safe page.
    """
    command = reload_command()
    env = {**os.environ, "WERKZEUG_RUN_MAIN": "true"}
    while True:
        logger.info(" * Restarting with reloader")
        if error_func is None:
            status = subprocess.call(command, env=env, close_fds=False)
            output = ""
        else:
            status, output = _call_copying_stderr(command, env)
        if status == RELOAD_EXIT_CODE:
            continue
        if status != 0 and error_func is not None:
            error_func(LoadFailure.from_output(output, command=shlex.join(command), status=status).traceback)
            continue
        return status


def _call_copying_stderr(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run *command*; copy its stderr to ours as it comes and return (status, the last of that output)."""
    kept = bytearray()
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, close_fds=False) as proc:
        for line in proc.stderr or ():  # never None: stderr=PIPE
            sys.stderr.write(line.decode("utf-8", "replace"))
            sys.stderr.flush()
            kept += line
            del kept[:-_STDERR_KEEP]
        status = proc.wait()
    return status, kept.decode("utf-8", "replace")


def run_with_reloader(
    main_func: Callable[[], Any],
    extra_files: Iterable[str] | None = None,
    interval: float = 1,
    error_func: Callable[[str], Any] | None = None,
) -> None:
    """Run *main_func* in a server process that restarts whenever a source file changes.

    In the original process this starts the program again
    (:func:`restart_with_reloader`, with *error_func*) and exits with the
    last status when it stops. In that server process it runs *main_func*
    in a thread while :func:`reloader_loop` watches the files. Kept for
    compatibility with Clastic 26: ``app.serve()`` (or
    :func:`clastic.server.run_simple` with ``use_reloader=True``) reloads
    on its own.
    """
    if not is_running_from_reloader():
        try:
            status = restart_with_reloader(error_func)
        except KeyboardInterrupt:
            return
        sys.exit(status)
    enable_tty_echo()
    # The baseline is taken before main_func runs: a file changed while it starts is a change.
    watcher = _watcher(extra_files)
    thread = threading.Thread(target=main_func, name="clastic-main", daemon=True)
    thread.start()
    try:
        _watch(watcher, interval)
    except KeyboardInterrupt:
        return

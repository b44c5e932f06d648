"""Loopback networking for the tests: a free port, and bounded waits for a server or a condition.

Every test that starts a server (a subprocess, gunicorn, redis-server) or waits
for something to happen polls through :func:`wait_until`, so every wait has a
deadline, sleeps at most :data:`POLL_INTERVAL` between tries, and fails naming
what it waited for (and the address, for a server).

Importable from every test folder as ``net_helpers``: ``tests/conftest.py``
puts ``tests/`` on ``sys.path`` (pytest's default ``prepend`` import mode),
as each folder's own ``*_helpers.py`` is found next to its tests.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import pytest

T = TypeVar("T")

#: Seconds between two tries of a condition: short, so a wait ends soon after the condition holds.
POLL_INTERVAL = 0.05

#: Default deadline in seconds: generous for a server starting on a slow, busy 2-core machine.
DEFAULT_TIMEOUT = 30.0

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on *host* that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _fail(message: str, details: Callable[[], str] | None) -> NoReturn:
    extra = details() if details is not None else ""
    pytest.fail(f"{message}\n{extra}" if extra else message)


def wait_until(
    condition: Callable[[], T],
    *,
    what: str,
    timeout: float = DEFAULT_TIMEOUT,
    process: subprocess.Popen[Any] | None = None,
    details: Callable[[], str] | None = None,
) -> T:
    """Call *condition* every :data:`POLL_INTERVAL` s until it returns a true value, and return that value.

    *what* says what is awaited ("redis-server to accept connections on
    127.0.0.1:6379"); the test fails with it after *timeout* seconds, or as
    soon as *process* (the server being waited for) exits. *details* adds to
    the failure message (the process's output, the last reply seen).
    *condition* is tried once more after the deadline, so a slow last try
    still counts.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            _fail(f"the process exited with status {process.returncode} while waiting for {what}", details)
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            _fail(f"gave up after {timeout:g} s waiting for {what}", details)
        time.sleep(POLL_INTERVAL)


def accepts_connections(port: int, host: str = LOOPBACK) -> bool:
    """Whether something accepts TCP connections on *host*:*port* right now."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int,
    *,
    host: str = LOOPBACK,
    server: str = "the server",
    timeout: float = DEFAULT_TIMEOUT,
    process: subprocess.Popen[Any] | None = None,
    details: Callable[[], str] | None = None,
) -> None:
    """Wait until *server* accepts TCP connections on *host*:*port* (see :func:`wait_until`)."""
    wait_until(
        lambda: accepts_connections(port, host),
        what=f"{server} to accept connections on {host}:{port}",
        timeout=timeout,
        process=process,
        details=details,
    )


def answers_http(url: str) -> bool:
    """Whether *url* gives an HTTP response (any status, 4xx and 5xx too) right now."""
    try:
        with urllib.request.urlopen(url, timeout=2.0):  # loopback only
            return True
    except urllib.error.HTTPError as error:
        error.close()
        return True
    except (OSError, http.client.HTTPException):  # refused, reset, or cut short: still starting
        return False


def wait_for_url(
    url: str,
    *,
    server: str = "the server",
    timeout: float = DEFAULT_TIMEOUT,
    process: subprocess.Popen[Any] | None = None,
    details: Callable[[], str] | None = None,
) -> None:
    """Wait until *server* answers a GET of *url* with any HTTP status (see :func:`wait_until`).

    Stricter than :func:`wait_for_port`: gunicorn's arbiter accepts
    connections before a worker can answer them.
    """
    address = urlsplit(url).netloc
    wait_until(
        lambda: answers_http(url),
        what=f"{server} on {address} to answer GET {url}",
        timeout=timeout,
        process=process,
        details=details,
    )

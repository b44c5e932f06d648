"""Helpers for the clastic-middleware tests.

A real redis-server, server processes, a cookie-keeping client, a fake clock.
"""

from __future__ import annotations

import http.client
import http.cookies
import io
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from net_helpers import free_port, wait_for_port

HERE = Path(__file__).parent
SERVER_SCRIPT = HERE / "session_server.py"


class FakeClock:
    """A clock for the middlewares' ``clock=`` argument that moves only when told to.

    It starts at the real time, so a real Redis given expiry times computed
    from it keeps the keys for as long as it would in production.
    """

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by *seconds*."""
        self.now += seconds


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class RedisServer:
    """A redis-server on 127.0.0.1 with no persistence, in its own temp dir."""

    def __init__(self, workdir: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError(
                "redis-server is not installed (apt-get install redis-server); scripts/system-deps.sh installs it"
            )
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [executable, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(workdir), "--daemonize", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_port(self.port, server="redis-server", timeout=10, process=self.process)
        except BaseException:
            _stop(self.process)
            raise

    def stop(self) -> None:
        """Stop the server and wait for it (bounded)."""
        _stop(self.process)


class ServerProcess:
    """``session_server.py`` in a separate Python process, on a free port."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        try:
            self.port = self._read_port(timeout=30)
            wait_for_port(self.port, server="session_server.py", timeout=10, process=self.process)
        except BaseException:
            self.stop()
            raise
        self.pid = self.process.pid

    def _read_port(self, timeout: float) -> int:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError(f"server process did not report its port within {timeout}s")
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            _stop(self.process)
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"server process failed to start: {line!r} {stderr[-2000:]}")
        return int(line.split()[1])

    def stop(self) -> None:
        """Terminate the process (bounded) and close its pipes."""
        _stop(self.process)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


class Browser:
    """A tiny HTTP client for 127.0.0.1 that keeps cookies like a browser (name -> value)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """Send one request; return ``(status, headers, body)`` and keep the cookies set."""
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        for header in resp.headers.get_all("Set-Cookie") or []:
            self._store(header)
        return resp.status, resp.headers, data

    def _store(self, header: str) -> None:
        jar = http.cookies.SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, port: int, path: str, **kwargs: Any) -> tuple[int, http.client.HTTPMessage, bytes]:
        """GET *path*."""
        return self.request(port, "GET", path, **kwargs)

    def post_form(
        self, port: int, path: str, form: dict[str, str], **kwargs: Any
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """POST *form* url-encoded."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", **kwargs.pop("headers", {})}
        return self.request(port, "POST", path, body=urlencode(form), headers=headers, **kwargs)


class ExplodingStream(io.RawIOBase):
    """A wsgi.input that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("the body was read although its Content-Length was over the limit")

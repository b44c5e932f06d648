"""Helpers for the example tests: load an example by path, talk HTTP to it, run it as a process.

Imported by the test modules (``from example_helpers import Browser``); the
fixtures built on them live in ``conftest.py``.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import importlib.util
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from net_helpers import wait_for_url

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "test-artifacts" / "examples"


def load_example(relative_path: str, module_name: str) -> ModuleType:
    """Import ``examples/<relative_path>`` as *module_name*, with its folder importable.

    The examples are written as the tutorials write them (``from storage
    import LinkDB`` next to ``app.py``), so their folder goes on ``sys.path``.
    """
    path = EXAMPLES / relative_path
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load example {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


@dataclass
class Reply:
    """One HTTP response, read completely."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A tiny HTTP client for loopback tests: keeps cookies, never follows redirects."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request; 3xx, 4xx and 5xx answers are returned, not raised."""
        body = urllib.parse.urlencode(data).encode() if isinstance(data, Mapping) else data
        req = urllib.request.Request(self.base_url + path, data=body, method=method, headers=dict(headers or {}))
        try:
            with self._opener.open(req, timeout=self.timeout) as response:
                return Reply(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as ex:
            with ex:
                return Reply(ex.code, dict(ex.headers.items()), ex.read())

    def get(self, path: str, **kwargs: object) -> Reply:
        return self.request("GET", path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> Reply:
        return self.request("POST", path, **kwargs)  # type: ignore[arg-type]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for example subprocesses."""
    env = dict(os.environ)
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.update(extra or {})
    return env


class ServerProcess:
    """A server subprocess on 127.0.0.1:port, its output kept for failure messages."""

    def __init__(self, argv: Sequence[str | os.PathLike[str]], port: int, cwd: Path, log_dir: Path,
                 env: Mapping[str, str] | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log_dir / f"server-{port}.log"
        self._log_file = self.log.open("w")
        self.proc = subprocess.Popen(  # our interpreter, our arguments
            [str(part) for part in argv],
            cwd=cwd,
            env=clean_env(env),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str = "/", timeout: float = 30.0) -> None:
        """Wait until the server answers *path* with any status; fail with its output if it does not."""
        url = self.url + path
        wait_for_url(url, server="the example server", timeout=timeout, process=self.proc, details=self.output)

    def output(self) -> str:
        """Everything the server printed so far."""
        self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the whole process group (reloaders and workers too), then close the log."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)
        self._log_file.close()

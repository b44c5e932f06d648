"""Helpers for tests that run ``clastic`` and dev-server processes on 127.0.0.1.

Every process starts in its own session (process group), writes its output
to files (a full pipe can never block it), and is killed with its whole group
at the end, also when the test fails. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from net_helpers import wait_until

FIXTURES = Path(__file__).resolve().parent

#: Generous upper bound for a reload cycle on a slow, busy 2-core machine.
RELOAD_TIMEOUT = 30.0


def clastic_script() -> str:
    """The ``clastic`` console script of this environment."""
    script = shutil.which("clastic", path=os.path.dirname(sys.executable))
    if script is None:
        raise RuntimeError(
            "the `clastic` console script is not installed next to the test interpreter; "
            "reinstall clastic-core (its pyproject declares [project.scripts] clastic)"
        )
    return script


def child_env(extra_paths: Sequence[str | os.PathLike[str]] = (), **overrides: str) -> dict[str, str]:
    """The environment for a child process: no bytecode files, unbuffered, no colour, plus *overrides*."""
    env = dict(os.environ)
    for name in ("WERKZEUG_RUN_MAIN", "WERKZEUG_SERVER_FD", "CLASTIC_FAILSAFE_PROBE", "NO_COLOR"):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    if extra_paths:
        env["PYTHONPATH"] = os.pathsep.join([*map(str, extra_paths), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(overrides)
    return env


def run_clastic(
    args: Sequence[str], cwd: str | os.PathLike[str], env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``clastic ARGS`` to completion and capture its output."""
    return subprocess.run(
        [clastic_script(), *args],
        cwd=cwd,
        env=dict(env) if env is not None else child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Reply:
    """An HTTP response, whatever its status."""

    status: int
    headers: Mapping[str, str]
    body: str


def fetch(url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None, timeout: float = 5) -> Reply:
    """Request *url* and return the reply, also for 4xx and 5xx statuses."""
    request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, dict(response.headers), response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, dict(error.headers), error.read().decode("utf-8", "replace"))


def rewrite(path: Path, text: str) -> None:
    """Write *text* to *path* and move its mtime forward, so a stat-polling reloader sees a change.

    Editors set the mtime to "now"; a test can write twice within the
    filesystem's timestamp granularity, so the mtime is moved past both the
    previous one and the current time.
    """
    old = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(text, encoding="utf-8")
    stamp = max(time.time(), old) + 1.0
    os.utime(path, (stamp, stamp))


class DevProcess:
    """A server process started in its own process group, output kept in files."""

    def __init__(
        self,
        args: Sequence[str],
        cwd: str | os.PathLike[str],
        log_dir: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        *,
        stderr_fd: int | None = None,
    ) -> None:
        self.args = list(args)
        self.cwd = Path(cwd)
        self.env = dict(env) if env is not None else child_env()
        self._stderr_fd = stderr_fd
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_dir = Path(log_dir)
        self.stdout_path = self.log_dir / "stdout.log"
        self.stderr_path = self.log_dir / "stderr.log"

    def __enter__(self) -> DevProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                self.args,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=self._stderr_fd if self._stderr_fd is not None else err,
                start_new_session=True,
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int | None:
        """Signal the whole process group, then kill it if it lingers; return the exit status."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
        # Whatever is left of the group (a reloader's server process, a probe) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        return proc.returncode

    @property
    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace") if self.stderr_path.exists() else ""

    def wait_exit(self, timeout: float = 30) -> int:
        """Wait for the process to end by itself; return its status."""
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def wait_for(
        self,
        url: str,
        check: Callable[[Reply], bool],
        *,
        timeout: float = RELOAD_TIMEOUT,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Poll *url* until *check* accepts a reply; after *timeout*, fail with the last reply and the stderr."""
        assert self.proc is not None
        last: list[Reply | str] = ["no reply yet"]

        def accepted() -> Reply | None:
            try:
                reply = fetch(url, headers=headers, timeout=3)
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as ex:
                # Refused, reset or cut short: the server is (re)starting.
                last[0] = f"{type(ex).__name__}: {ex}"
                return None
            last[0] = reply
            return reply if check(reply) else None

        address = urlsplit(url).netloc
        return wait_until(
            accepted,
            what=f"{shlex.join(self.args)} on {address} to give the expected reply to GET {url}",
            timeout=timeout,
            process=self.proc,
            details=lambda: f"last: {last[0]!r}; stderr:\n{self.stderr}",
        )


def write_plugin_distribution(
    root: Path, module_name: str, module_source: str, entry_points: Mapping[str, Mapping[str, str]]
) -> Path:
    """Create an importable module plus a ``.dist-info`` declaring *entry_points* under *root*.

    ``importlib.metadata`` finds distributions on ``sys.path``, so putting
    *root* on ``PYTHONPATH`` (or ``sys.path``) "installs" the plugin.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module_name}.py").write_text(module_source, encoding="utf-8")
    dist_name = module_name.replace("_", "-")
    info = root / f"{module_name}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: 1.0\n", encoding="utf-8")
    lines = []
    for group, items in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {value}" for name, value in items.items())
        lines.append("")
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return root

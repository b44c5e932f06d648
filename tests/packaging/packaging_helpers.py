"""Helpers for the packaging tests: wheels, fresh virtualenvs, server subprocesses.

Imported by the tests and by ``conftest.py`` (``from packaging_helpers import
Virtualenv``). Every distribution under ``packages/`` is built into one wheel directory,
next to the wheels of the third-party libraries they need (downloaded once
per session). Test virtualenvs install from that directory only
(``--no-index``), and clastic wheels are always given by path: the package
index holds the original ``clastic`` releases, which a bare name could pull in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from net_helpers import wait_for_url

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "packages"
#: Upper bound for one pip, build or python step, in seconds.
STEP_TIMEOUT = 180


def requirement_name(requirement: str) -> str:
    """Return the normalised project name of a requirement string ('Werkzeug>=3.1' -> 'werkzeug')."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"cannot read a project name from requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def is_first_party(requirement: str) -> bool:
    """True for ``clastic`` and ``clastic-*`` requirements (built here, never fetched)."""
    name = requirement_name(requirement)
    return name == "clastic" or name.startswith("clastic-")


def clean_env() -> dict[str, str]:
    """The environment for child processes: no workspace paths leaking into a venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}}
    env.update(PYTHONNOUSERSITE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run(cmd: Sequence[str | os.PathLike[str]], *, cwd: Path | None = None, timeout: float = STEP_TIMEOUT) -> str:
    """Run *cmd*, fail the test with its output when it exits non-zero; return its stdout."""
    argv = [str(part) for part in cmd]
    proc = subprocess.run(argv, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        pytest.fail(
            f"command failed with exit status {proc.returncode}: {' '.join(argv)}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
    return proc.stdout


@dataclass(frozen=True)
class Distribution:
    """One distribution of the workspace, as its pyproject.toml declares it."""

    name: str
    path: Path
    version: str
    dependencies: tuple[str, ...]

    @property
    def wheel_stem(self) -> str:
        """The wheel file name prefix, e.g. ``clastic_core-26.1.0``."""
        return f"{self.name.replace('-', '_')}-{self.version}"


def discover_distributions() -> list[Distribution]:
    """Read every ``packages/*/pyproject.toml``."""
    dists = []
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        dists.append(
            Distribution(
                name=project["name"],
                path=pyproject.parent,
                version=project["version"],
                dependencies=tuple(project.get("dependencies", ())),
            )
        )
    return dists


@dataclass
class Wheelhouse:
    """A directory holding the workspace's wheels and their third-party dependencies."""

    path: Path
    dists: dict[str, Distribution] = field(default_factory=dict)
    wheels: dict[str, Path] = field(default_factory=dict)

    def wheel(self, dist_name: str) -> Path:
        """The built wheel of *dist_name* (e.g. ``'clastic-core'``)."""
        try:
            return self.wheels[dist_name]
        except KeyError:
            raise LookupError(f"no wheel built for {dist_name!r}; built: {sorted(self.wheels)}") from None

    def names(self, dist_name: str) -> list[str]:
        """The file names inside *dist_name*'s wheel, without its ``.dist-info`` files."""
        with zipfile.ZipFile(self.wheel(dist_name)) as archive:
            return [name for name in archive.namelist() if ".dist-info/" not in name]

    def metadata(self, dist_name: str) -> list[tuple[str, str]]:
        """The ``METADATA`` fields of *dist_name*'s wheel, in order, as (key, value) pairs."""
        stem = self.dists[dist_name].wheel_stem
        with zipfile.ZipFile(self.wheel(dist_name)) as archive:
            text = archive.read(f"{stem}.dist-info/METADATA").decode("utf-8")
        header = text.split("\n\n", 1)[0]
        return [tuple(line.split(": ", 1)) for line in header.splitlines() if ": " in line]  # type: ignore[misc]


class Virtualenv:
    """A fresh virtualenv made with ``python -m virtualenv``, outside the workspace."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.python = path / "bin" / "python"

    @classmethod
    def create(cls, path: Path) -> Virtualenv:
        """Create a virtualenv at *path* (with pip, without the workspace's packages)."""
        run([sys.executable, "-m", "virtualenv", "--quiet", "--no-periodic-update", path])
        return cls(path)

    def pip(self, *args: str | os.PathLike[str]) -> str:
        """Run this environment's pip."""
        return run([self.python, "-m", "pip", *args], cwd=self.path)

    def install_local(self, wheelhouse: Wheelhouse, *wheels: Path) -> None:
        """Install wheel files by path, resolving every dependency from *wheelhouse* only."""
        self.pip("install", "--quiet", "--no-index", "--find-links", wheelhouse.path, *wheels)

    def installed(self) -> dict[str, str]:
        """Normalised project name -> version of everything installed here."""
        listing = json.loads(self.pip("list", "--format=json"))
        return {requirement_name(item["name"]): item["version"] for item in listing}

    def python_json(self, code: str, *, cwd: Path | None = None) -> object:
        """Run *code* with this environment's python; return the JSON it prints last."""
        out = run([self.python, "-c", code], cwd=cwd or self.path)
        return json.loads(out.strip().splitlines()[-1])

    @property
    def site_packages(self) -> Path:
        """This environment's ``purelib`` directory."""
        out = run([self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
        return Path(out.strip())


def http_get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    """GET *url*; return (status, body text), including for 4xx/5xx answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as ex:
        return ex.code, ex.read().decode("utf-8")


class ServeProcess:
    """A server subprocess listening on 127.0.0.1:port, with its output kept for failures."""

    def __init__(self, argv: Sequence[str | os.PathLike[str]], port: int, cwd: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = cwd / f"server-{port}.log"
        self._log_file = self.log.open("w")
        self.proc = subprocess.Popen(  # our own interpreter and arguments
            [str(part) for part in argv], cwd=cwd, env=clean_env(), stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def get(self, path: str) -> tuple[int, str]:
        """GET *path* from this server; return (status, body text)."""
        return http_get(self.url + path)

    def wait_ready(self, path: str = "/", timeout: float = 30.0) -> None:
        """Wait until the server answers *path* with any status; fail with its output if it does not."""
        url = self.url + path
        wait_for_url(url, server="the installed server", timeout=timeout, process=self.proc, details=self.output)

    def output(self) -> str:
        """Everything the server printed so far."""
        self._log_file.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Terminate the server (kill it if it lingers) and close its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log_file.close()

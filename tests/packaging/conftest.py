"""Fixtures for the packaging tests: wheels built once per session, fresh virtualenvs, servers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from packaging_helpers import (
    Distribution,
    ServeProcess,
    Virtualenv,
    Wheelhouse,
    discover_distributions,
    is_first_party,
    run,
)

from net_helpers import free_port


@pytest.fixture(scope="session")
def distributions() -> list[Distribution]:
    """Every distribution under packages/."""
    dists = discover_distributions()
    if not dists:
        pytest.fail("no distributions found under packages/")
    return dists


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, distributions: list[Distribution]) -> Wheelhouse:
    """Build every distribution's wheel once per session, next to its third-party dependencies."""
    root = tmp_path_factory.mktemp("packaging")
    house = Wheelhouse(root / "wheels", dists={dist.name: dist for dist in distributions})
    house.path.mkdir()
    builder = Virtualenv.create(root / "builder")
    # Third-party names may come from the index; clastic names never do.
    builder.pip("install", "--quiet", "hatchling>=1.26")
    third_party = sorted({req for dist in distributions for req in dist.dependencies if not is_first_party(req)})
    builder.pip("download", "--quiet", "--only-binary=:all:", "--dest", house.path, *third_party)
    for dist in distributions:
        run([builder.python, "-m", "hatchling", "build", "--target", "wheel", "--directory", house.path], cwd=dist.path)
        matches = sorted(house.path.glob(f"{dist.wheel_stem}-*.whl"))
        if len(matches) != 1:
            pytest.fail(f"expected one wheel for {dist.name} {dist.version} in {house.path}, found {matches}")
        house.wheels[dist.name] = matches[0]
    return house


@pytest.fixture
def fresh_venv(tmp_path: Path) -> Virtualenv:
    """A new, empty virtualenv for one test."""
    return Virtualenv.create(tmp_path / "venv")


@pytest.fixture
def serve_process() -> Iterator[Callable[..., ServeProcess]]:
    """Start server subprocesses on free ports; they are always stopped after the test.

    Call it with a function that turns a port into the command line, and the
    working directory: ``server = serve_process(lambda port: [...], cwd)``.
    """
    started: list[ServeProcess] = []

    def start(argv_for_port: Callable[[int], Sequence[str | os.PathLike[str]]], cwd: Path) -> ServeProcess:
        port = free_port()
        server = ServeProcess(argv_for_port(port), port, cwd)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()

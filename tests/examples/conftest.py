"""Fixtures for the example tests: server subprocesses and the artifacts folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from example_helpers import ARTIFACTS, ServerProcess

from net_helpers import free_port


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start servers as subprocesses on free ports; each is stopped after the test, even on failure.

    ``server_process(lambda port: argv, cwd=..., env=..., ready_path="/")``.
    """
    started: list[ServerProcess] = []

    def start(
        argv_for_port: Callable[[int], Sequence[str | os.PathLike[str]]],
        *,
        cwd: Path,
        env: Mapping[str, str] | None = None,
        ready_path: str = "/",
        timeout: float = 30.0,
    ) -> ServerProcess:
        port = free_port()
        server = ServerProcess(argv_for_port(port), port, cwd, tmp_path, env)
        started.append(server)
        server.wait_ready(ready_path, timeout)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``test-artifacts/examples/`` (created), for screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A fresh browser context and page (own cookies), closed after the test."""
    context = chromium.new_context(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()

"""The supported Pythons are declared, tested and documented as one list."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "test-pythons.sh"
CLASSIFIER = re.compile(r"^Programming Language :: Python :: (3\.\d+)$")


def supported_versions() -> list[str]:
    """The versions scripts/test-pythons.sh runs the suite on."""
    line = re.search(r'^supported="([^"]+)"$', SCRIPT.read_text(), re.M)
    assert line is not None, "scripts/test-pythons.sh has no supported=... line"
    return line.group(1).split()


def test_every_tested_version_has_its_hatch_environment() -> None:
    envs = tomllib.loads((REPO / "hatch.toml").read_text())["envs"]
    assert supported_versions() == ["3.11", "3.12", "3.13"]
    for version in supported_versions():
        env = envs[f"py{version}"]
        assert env["python"] == version
    base = envs["py3.11"]
    assert base["python-sources"] == ["external"]  # an installed interpreter, never a download
    assert base["scripts"]["test"] == "python -m pytest -m 'not browser' {args}"
    assert "bash scripts/test-pythons.sh {args}" in envs["default"]["scripts"]["test"]


@pytest.mark.parametrize("pyproject", sorted(REPO.glob("packages/*/pyproject.toml")), ids=lambda p: p.parent.name)
def test_classifiers_list_exactly_the_tested_versions(pyproject: Path) -> None:
    project = tomllib.loads(pyproject.read_text())["project"]
    declared = [m.group(1) for c in project["classifiers"] if (m := CLASSIFIER.match(c))]
    assert declared == supported_versions()
    assert project["requires-python"] == f">={supported_versions()[0]}"


def run_script(*args: str, require: bool) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    if require:
        env["CLASTIC_REQUIRE_PYTHONS"] = "1"
    return subprocess.run(
        ["bash", str(SCRIPT), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_missing_python_is_skipped_with_a_warning() -> None:
    done = run_script("3.99", "tests/core", require=False)
    assert done.returncode == 0
    assert done.stderr == (
        "warning: Python 3.99 is not installed (no python3.99 on PATH, in pyenv or uv): skipping the py3.99 tests\n"
    )


def test_a_missing_python_fails_when_required_as_in_ci() -> None:
    done = run_script("3.99", require=True)
    assert done.returncode == 1
    assert done.stderr == (
        "error: Python 3.99 is not installed (no python3.99 on PATH, in pyenv or uv);"
        " CLASTIC_REQUIRE_PYTHONS=1 needs the py3.99 tests to run\n"
    )
    assert "export CLASTIC_REQUIRE_PYTHONS=1" in (REPO / ".ci" / "run").read_text()

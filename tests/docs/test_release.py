"""The release build (`hatch run release:build`, scripts/release.py) and the docs' install commands that use its output.

Slow: it builds fourteen files and installs each wheel into a fresh
virtualenv. Third-party wheels come from the package index once into
build/release-wheelhouse/ (reused by later runs); Clastic's come only
from the build's own folder.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docs_helpers import DOCS, REPO, STEP_TIMEOUT

pytestmark = pytest.mark.slow
SCRIPT = REPO / "scripts" / "release.py"
ORDER = [
    "clastic_core",
    "clastic_middleware",
    "clastic_render",
    "clastic_static",
    "clastic_meta",
    "clastic_errors",
    "clastic",
]


def load_release_module():
    if "clastic_release_script" in sys.modules:
        return sys.modules["clastic_release_script"]
    spec = importlib.util.spec_from_file_location("clastic_release_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    dist = tmp_path_factory.mktemp("release") / "dist"
    env = {name: value for name, value in os.environ.items() if name != "HATCH_ENV_ACTIVE"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--dist-dir", str(dist), "--jobs", "4"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=2 * STEP_TIMEOUT, check=False,
    )
    return dist, proc


def test_release_build_makes_and_checks_fourteen_files(release) -> None:
    dist, proc = release
    assert proc.returncode == 0, proc.stderr
    version = load_release_module().discover()[0].version
    expected = [f"{stem}-{version}{suffix}" for stem in ORDER for suffix in (".tar.gz", "-py3-none-any.whl")]
    assert sorted(path.name for path in dist.iterdir()) == sorted(expected)
    assert "twine check --strict: 14 files passed" in proc.stderr
    assert len(re.findall(r"installs with --no-index and imports \d+ modules", proc.stderr)) == 7
    # The one command that would publish them: dependencies first, the meta-package last. Nothing uploaded.
    lines = proc.stdout.strip().splitlines()
    assert lines[-2] == "To publish them, run:"
    command = lines[-1].split()
    assert command[:4] == ["python", "-m", "twine", "upload"]
    assert [Path(arg).name for arg in command[4:]] == expected


def test_documented_install_from_release_wheels(release, tmp_path: Path) -> None:
    """installation.md: `pip install --find-links /path/to/clastic/dist "clastic==26.1.0"` in a fresh virtualenv."""
    dist, proc = release
    assert proc.returncode == 0, proc.stderr
    page = (DOCS / "installation.md").read_text(encoding="utf-8")
    (line,) = [
        line for line in page.splitlines() if line.startswith("$ pip install --find-links /path/to/clastic/dist")
    ]
    argv = line.removeprefix("$ ").replace("/path/to/clastic/dist", str(dist)).split()
    argv = [arg.strip('"') for arg in argv]
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "virtualenv", "--quiet", "--no-periodic-update", str(venv)],
        check=True,
        timeout=STEP_TIMEOUT,
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", *argv, "--quiet", "--disable-pip-version-check"], check=True, timeout=STEP_TIMEOUT
    )
    shown = subprocess.run(
        [str(python), "-c", "import clastic, clastic.static, clastic.meta; print(clastic.__version__)"],
        capture_output=True, text=True, check=True, timeout=STEP_TIMEOUT,
    )
    assert shown.stdout.strip() == load_release_module().discover()[0].version


def test_versions_out_of_lockstep_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release_module = load_release_module()
    for name in [
        "clastic-core",
        "clastic-middleware",
        "clastic-render",
        "clastic-static",
        "clastic-meta",
        "clastic-errors",
    ]:
        folder = tmp_path / name
        folder.mkdir()
        version = "26.2.0" if name == "clastic-static" else "26.1.0"
        (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "{version}"\n')
    meta = tmp_path / "clastic"
    meta.mkdir()
    deps = ", ".join(f'"{name}>=26.1.0"' for name in release_module.ORDER[:-1])
    (meta / "pyproject.toml").write_text(f'[project]\nname = "clastic"\nversion = "26.1.0"\ndependencies = [{deps}]\n')
    monkeypatch.setattr(release_module, "PACKAGES", tmp_path)
    with pytest.raises(
        release_module.ReleaseError, match=r"versions are not in lockstep: .*'clastic-static': '26.2.0'"
    ):
        release_module.discover()

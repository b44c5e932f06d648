"""The install commands of docs/installation.md (and the README's), run as written in fresh virtualenvs.

Slow: pip builds each distribution from its folder (fetching hatchling and
the third-party dependencies from the package index, as on a user's
machine). The release wheels' command is tested in test_release.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from docs_helpers import DOCS, REPO, STEP_TIMEOUT

PAGE = (DOCS / "installation.md").read_text(encoding="utf-8")
VERSION = re.search(
    r'^version = "([^"]+)"', (REPO / "packages" / "clastic-core" / "pyproject.toml").read_text(), re.M
).group(1)


def shown_commands(prefix: str) -> list[str]:
    """The console lines of the page that start with ``$ <prefix>``, comments removed."""
    return [
        line.removeprefix("$ ").split("  #")[0].strip() for line in PAGE.splitlines() if line.startswith(f"$ {prefix}")
    ]


def fresh_venv(path: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "virtualenv", "--quiet", "--no-periodic-update", str(path)],
        check=True,
        timeout=STEP_TIMEOUT,
    )
    return path / "bin"


def run_pip_command(bin_dir: Path, command: str) -> None:
    """Run a documented ``pip install ...`` line with the virtualenv's pip, from the repository's root."""
    argv = [arg.strip('"') for arg in command.split()]
    assert argv[:2] == ["pip", "install"], command
    proc = subprocess.run(
        [str(bin_dir / "python"), "-m", *argv, "--quiet", "--disable-pip-version-check"],
        cwd=REPO, capture_output=True, text=True, timeout=2 * STEP_TIMEOUT, check=False,
    )
    assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"


@pytest.mark.slow
def test_install_everything_from_a_clone(tmp_path: Path) -> None:
    (everything,) = [cmd for cmd in shown_commands("pip install ./packages/") if cmd.count("./packages/") == 7]
    bin_dir = fresh_venv(tmp_path / "venv")
    run_pip_command(bin_dir, everything)
    # "Checking the installation", as the page shows it.
    check = subprocess.run(
        [str(bin_dir / "python"), "-c", "import clastic; print(clastic.__version__)"],
        capture_output=True, text=True, check=True, timeout=STEP_TIMEOUT,
    )
    assert check.stdout.strip() == VERSION
    assert f'$ python -c "import clastic; print(clastic.__version__)"\n{VERSION}\n' in PAGE
    cli = subprocess.run(
        [str(bin_dir / "clastic"), "--version"], capture_output=True, text=True, check=True, timeout=STEP_TIMEOUT
    )
    assert f"$ clastic --version\n{cli.stdout}" in PAGE
    imports = "import clastic.static, clastic.meta, clastic.errors.contextual, clastic.render.jinja2"
    failed = subprocess.run(
        [str(bin_dir / "python"), "-c", imports], capture_output=True, text=True, timeout=STEP_TIMEOUT
    )
    # Jinja2 is an extra: not installed by the plain command, and the message says how to get it.
    assert "pip install 'clastic-render[jinja2]'" in failed.stderr


@pytest.mark.slow
def test_install_core_with_a_satellite_and_an_extra(tmp_path: Path) -> None:
    (command,) = [
        cmd for cmd in shown_commands('pip install ./packages/clastic-core "./packages/clastic-render[jinja2]"')
    ]
    bin_dir = fresh_venv(tmp_path / "venv")
    run_pip_command(bin_dir, command)
    code = (
        "import clastic.render.jinja2, clastic.render.ashes; import importlib.util as u; "
        "print(u.find_spec('clastic.static'))"
    )
    out = subprocess.run(
        [str(bin_dir / "python"), "-c", code], capture_output=True, text=True, check=True, timeout=STEP_TIMEOUT
    )
    assert out.stdout.strip() == "None"  # only what was asked for


def test_readme_gives_the_same_commands_as_the_installation_page() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Installing it in your own project", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```console\n(.*?)```", section, re.S)[0]
    commands = [line for line in block.splitlines() if line.startswith("pip ")]
    assert len(commands) == 2
    documented = shown_commands("pip install")
    assert all(command in documented for command in commands), (commands, documented)
    assert "Not on the package index yet" in section and "26.0.0" in section

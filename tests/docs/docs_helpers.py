"""Helpers for the documentation tests: paths, loading example files by path, the site build.

Imported by the test modules of this folder (``from docs_helpers import REPO``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
EXAMPLES = REPO / "examples"
ARTIFACTS = REPO / "test-artifacts" / "docs"
#: Upper bound for one build or packaging step, in seconds.
STEP_TIMEOUT = 300


@contextmanager
def environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a ``with`` block."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_file(path: Path, module_name: str) -> ModuleType:
    """Import the Python file *path* as *module_name*, with its folder first on ``sys.path``.

    Example programs import their neighbours as the tutorials write them
    (``from storage import LinkDB`` next to ``app.py``). Each step of a
    tutorial gets its own module name, so steps never replace one another.
    """
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def sphinx_build(out_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Build the site as ``hatch run docs:build`` does (``-W -n --keep-going``) into *out_dir*."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-n", "--keep-going", "-q",
           "-d", str(out_dir / ".doctrees"), str(DOCS), str(out_dir / "html"), *extra]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)

"""Fixtures of the documentation tests: the site, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_helpers import sphinx_build


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site as ``hatch run docs:build`` does (warnings are errors); return the HTML folder."""
    out = tmp_path_factory.mktemp("docs-site")
    proc = sphinx_build(out)
    if proc.returncode != 0 or proc.stderr.strip():
        pytest.fail(
            f"the documentation build failed or warned (exit status {proc.returncode}):\n{proc.stderr}{proc.stdout}"
        )
    return out / "html"

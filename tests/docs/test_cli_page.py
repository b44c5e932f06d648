"""docs/guide/cli.md: the output it shows is what `clastic routes` and `clastic check` print for its shop.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from docs_helpers import DOCS

PAGE = (DOCS / "guide" / "cli.md").read_text(encoding="utf-8")
CLASTIC = Path(sys.executable).with_name("clastic")


def shown_output(command: str) -> str:
    """The lines after ``$ <command>`` in the page's console block, up to the block's end."""
    match = re.search(r"^\$ " + re.escape(command) + r"\n(.*?)^```$", PAGE, re.S | re.M)
    assert match, f"no console block runs {command!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-page")
    source = re.search(r"```python\n(# shop\.py\n.*?)```", PAGE, re.S).group(1)
    (folder / "shop.py").write_text(source, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("command", "status"), [("routes", 0), ("check", 1)])
def test_page_shows_the_real_output(shop_dir: Path, command: str, status: int) -> None:
    proc = subprocess.run(
        [str(CLASTIC), command, "shop:create_app()"],
        cwd=shop_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == status, proc.stderr
    assert proc.stdout == shown_output(f"clastic {command} 'shop:create_app()'")

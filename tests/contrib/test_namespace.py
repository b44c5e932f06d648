"""clastic.contrib is a namespace package that other distributions can add modules to."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from clastic import contrib


def test_contrib_is_shipped_by_clastic_meta() -> None:
    import clastic.meta

    meta_dir = Path(clastic.meta.__file__).resolve().parent.parent / "contrib"
    assert str(meta_dir) in [str(Path(entry).resolve()) for entry in contrib.__path__]
    assert contrib.__doc__ is not None and "obj_browser" in contrib.__doc__


def test_a_third_party_distribution_can_add_a_contrib_module(tmp_path: Path) -> None:
    # A distribution shipping clastic/contrib/<name>.py and no __init__.py of its own.
    module = tmp_path / "clastic" / "contrib" / "thirdparty_tool.py"
    module.parent.mkdir(parents=True)
    module.write_text('"""A third-party contrib tool."""\nNAME = "third party"\n', encoding="utf-8")
    script = textwrap.dedent(
        """
        from clastic import contrib
        import clastic.contrib.thirdparty_tool as tool
        from clastic.contrib import obj_browser
        print(tool.NAME, obj_browser.create_app.__name__, len(contrib.__path__) >= 2)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *filter(None, [os.environ.get("PYTHONPATH")])])}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "third party create_app True\n"

"""Each example runs as its documents say: ``python app.py`` and ``clastic serve``, as real processes.

``python app.py`` ends in ``app.serve()``, which listens on 127.0.0.1:5000.
Tests must not take a fixed port, so the script is run the way ``python``
runs it (``runpy.run_path`` as ``__main__``, its folder first on
``sys.path``) with ``Application.serve``'s default port replaced by a free
one; everything else (reloader, dev mounts such as ``/_meta/``) is the
default. ``clastic serve`` takes ``--port``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from example_helpers import EXAMPLES, REPO, Browser

pytestmark = pytest.mark.slow

CLASTIC = Path(sys.executable).with_name("clastic")

RUN_SCRIPT_ON_PORT = textwrap.dedent(
    """
    import os, runpy, sys
    from clastic import Application

    script, port = sys.argv[1], int(sys.argv[2])
    original_serve = Application.serve

    def serve(self, *args, **kwargs):
        kwargs.setdefault("port", port)
        return original_serve(self, *args, **kwargs)

    Application.serve = serve
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    """
)

#: example folder -> (script, clastic serve target, text the home page shows)
EXAMPLE_RUNS = {
    "hello": ("app.py", "app:app", "Hello, world!"),
    "tzconvert": ("tzconvert.py", "tzconvert:app", "<h1>Time zone convertor</h1>"),
    "erosion": ("app.py", "app:create_app()", "Exogenic linkrot for limited sharing."),
}


@pytest.fixture
def erosion_env(tmp_path):
    """EROSION_CONFIG pointing at a temporary database, for every run."""
    config = tmp_path / "erosion.ini"
    config.write_text("[erosion]\nhost_url = http://127.0.0.1:5000\ndb_path = erosion.db\n")
    return {"EROSION_CONFIG": str(config)}


def check_served(server, example):
    browser = Browser(server.url)
    home = browser.get("/")
    assert home.status == 200, server.output()
    assert EXAMPLE_RUNS[example][2] in home.text
    # The development server mounts the meta application next to the example.
    meta = browser.get("/_meta/")
    assert meta.status == 200, server.output()


@pytest.mark.parametrize("example", sorted(EXAMPLE_RUNS))
def test_python_script(example, server_process, erosion_env):
    script = EXAMPLE_RUNS[example][0]
    server = server_process(
        lambda port: [sys.executable, "-c", RUN_SCRIPT_ON_PORT, script, str(port)],
        cwd=EXAMPLES / example,
        env=erosion_env,
    )
    check_served(server, example)


@pytest.mark.parametrize("example", sorted(EXAMPLE_RUNS))
def test_clastic_serve(example, server_process, erosion_env):
    target = EXAMPLE_RUNS[example][1]
    server = server_process(
        lambda port: [CLASTIC, "serve", target, "--port", str(port)],
        cwd=EXAMPLES / example,
        env=erosion_env,
    )
    check_served(server, example)


def test_readme_erosion_command_from_the_repository_root(server_process, erosion_env):
    # `hatch run erosion` runs `python examples/erosion/app.py` from the repository root.
    server = server_process(
        lambda port: [sys.executable, "-c", RUN_SCRIPT_ON_PORT, "examples/erosion/app.py", str(port)],
        cwd=REPO,
        env=erosion_env,
    )
    check_served(server, "erosion")
    assert Browser(server.url).get("/static/style.css").status == 200


def test_clastic_serve_a_file_target_from_the_repository_root(server_process, erosion_env):
    server = server_process(
        lambda port: [CLASTIC, "serve", "examples/erosion/app.py:create_app()", "--port", str(port)],
        cwd=REPO,
        env=erosion_env,
    )
    check_served(server, "erosion")

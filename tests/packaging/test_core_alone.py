"""clastic-core installed alone from its wheel: a minimal app serves; satellite names say what to install."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from packaging_helpers import Virtualenv

HELLO_APP = textwrap.dedent(
    """
    import sys

    from clastic import Application, render_basic


    def hello(name="world"):
        return "Hello, %s!" % name


    app = Application([("/", hello, render_basic), ("/<name>", hello, render_basic)])

    if __name__ == "__main__":
        app.serve(address="127.0.0.1", port=int(sys.argv[1]), use_reloader=False)
    """
)

#: Upstream names that now live in satellites: (statement, distribution named in the error).
SATELLITE_IMPORTS = [
    ("from clastic import StaticApplication", "clastic-static"),
    ("from clastic import StaticFileRoute", "clastic-static"),
    ("from clastic import MetaApplication", "clastic-meta"),
    ("from clastic import GetParamMiddleware", "clastic-middleware"),
    ("from clastic.middleware import SignedCookieMiddleware", "clastic-middleware"),
    ("from clastic.middleware import PostDataMiddleware", "clastic-middleware"),
    ("from clastic.render import AshesRenderFactory", "clastic-render"),
    ("from clastic.render import ChameleonRenderFactory", "clastic-render"),
    ("from clastic.errors import ContextualErrorHandler", "clastic-errors"),
    ("from clastic.errors import REPLErrorHandler", "clastic-errors"),
]


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory, wheelhouse):
    """One clastic-core-only virtualenv shared by this module's tests (none of them changes it)."""
    venv = Virtualenv.create(tmp_path_factory.mktemp("core-alone") / "venv")
    venv.install_local(wheelhouse, wheelhouse.wheel("clastic-core"))
    return venv


def test_core_installs_only_werkzeug_and_boltons(core_venv, wheelhouse):
    installed = core_venv.installed()
    assert installed["clastic-core"] == wheelhouse.dists["clastic-core"].version
    clastic_dists = sorted(name for name in installed if name.startswith("clastic"))
    assert clastic_dists == ["clastic-core"]
    for name in ("werkzeug", "boltons"):
        assert name in installed
    for name in ("itsdangerous", "ashes", "chameleon"):
        assert name not in installed, f"clastic-core pulled in {name}"


def test_core_imports_from_the_wheel_not_the_workspace(core_venv):
    where = core_venv.python_json("import clastic, json; print(json.dumps([clastic.__file__, list(clastic.__path__)]))")
    init_file, package_path = where
    site = core_venv.site_packages
    assert Path(init_file) == site / "clastic" / "__init__.py"
    assert package_path == [str(site / "clastic")]


def test_hello_app_served_by_a_subprocess(core_venv, serve_process, tmp_path):
    (tmp_path / "hello.py").write_text(HELLO_APP)
    server = serve_process(lambda port: [core_venv.python, "hello.py", str(port)], tmp_path)
    assert server.get("/") == (200, "Hello, world!")
    assert server.get("/Ben") == (200, "Hello, Ben!")
    status, _ = server.get("/a/b/c")
    assert status == 404


def test_clastic_serve_command_from_the_core_wheel(core_venv, serve_process, tmp_path):
    (tmp_path / "hello.py").write_text(HELLO_APP)
    clastic = core_venv.path / "bin" / "clastic"
    server = serve_process(lambda port: [clastic, "serve", "hello:app", "--port", str(port), "--no-reload"], tmp_path)
    assert server.get("/Ada") == (200, "Hello, Ada!")
    # Without clastic-meta and clastic-static the dev server mounts neither and says what to install.
    assert "pip install clastic-meta" in server.output()
    assert "pip install clastic-static" in server.output()


@pytest.mark.parametrize(("statement", "dist"), SATELLITE_IMPORTS)
def test_satellite_names_raise_import_error_naming_the_distribution(core_venv, statement, dist):
    code = textwrap.dedent(
        f"""
        import json
        try:
            {statement}
        except ImportError as ex:
            print(json.dumps(["ImportError", str(ex)]))
        else:
            print(json.dumps(["imported", ""]))
        """
    )
    outcome, message = core_venv.python_json(code)
    assert outcome == "ImportError"
    assert f"pip install {dist}" in message, message


def test_satellite_modules_are_absent(core_venv):
    code = textwrap.dedent(
        """
        import importlib.util, json
        names = ["clastic.static", "clastic.meta", "clastic.render.ashes", "clastic.middleware.cookie",
                 "clastic.middleware.form", "clastic.errors.contextual"]
        print(json.dumps({name: importlib.util.find_spec(name) is not None for name in names}))
        """
    )
    assert core_venv.python_json(code) == dict.fromkeys(
        [
            "clastic.static",
            "clastic.meta",
            "clastic.render.ashes",
            "clastic.middleware.cookie",
            "clastic.middleware.form",
            "clastic.errors.contextual",
        ],
        False,
    )

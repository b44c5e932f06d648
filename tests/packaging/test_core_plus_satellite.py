"""clastic-core with one satellite (clastic-static): it joins the namespace; the others still say what to install."""

from __future__ import annotations

import textwrap

import pytest
from packaging_helpers import Virtualenv

STATIC_APP = textwrap.dedent(
    """
    import json, os
    from clastic import Application, render_basic, StaticApplication
    from clastic.static import StaticApplication as Direct

    os.makedirs("assets", exist_ok=True)
    with open("assets/hello.txt", "w") as f:
        f.write("static hello")
    app = Application([("/", lambda: "home", render_basic), ("/assets", StaticApplication("assets"))])
    client = app.get_local_client()
    found = client.get("/assets/hello.txt")
    body = found.get_data(as_text=True)
    found.close()
    missing = client.get("/assets/nope.txt")
    missing.close()
    print(json.dumps({
        "same_class": StaticApplication is Direct,
        "found": [found.status_code, body],
        "missing": missing.status_code,
        "home": client.get("/").get_data(as_text=True),
    }))
    """
)

HINTS = textwrap.dedent(
    """
    import json
    result = {}
    for statement in ["from clastic.render import AshesRenderFactory", "from clastic import MetaApplication",
                      "from clastic.middleware import SignedCookieMiddleware", "from clastic import StaticApplication"]:
        try:
            exec(statement)
        except ImportError as ex:
            result[statement] = str(ex)
        else:
            result[statement] = None
    print(json.dumps(result))
    """
)


def install_core_and_static(venv, wheelhouse):
    venv.install_local(wheelhouse, wheelhouse.wheel("clastic-core"), wheelhouse.wheel("clastic-static"))
    return venv


@pytest.fixture(scope="module")
def static_venv(tmp_path_factory, wheelhouse):
    """clastic-core + clastic-static, shared by the tests that leave it unchanged."""
    return install_core_and_static(Virtualenv.create(tmp_path_factory.mktemp("core-static") / "venv"), wheelhouse)


def test_only_core_and_static_are_installed(static_venv):
    installed = static_venv.installed()
    assert sorted(name for name in installed if name.startswith("clastic")) == ["clastic-core", "clastic-static"]


def test_static_application_serves_files(static_venv, tmp_path):
    result = static_venv.python_json(STATIC_APP, cwd=tmp_path)
    assert result == {"same_class": True, "found": [200, "static hello"], "missing": 404, "home": "home"}


def test_missing_satellites_still_name_their_distribution(static_venv):
    hints = static_venv.python_json(HINTS)
    assert "pip install clastic-render" in hints["from clastic.render import AshesRenderFactory"]
    assert "pip install clastic-meta" in hints["from clastic import MetaApplication"]
    assert "pip install clastic-middleware" in hints["from clastic.middleware import SignedCookieMiddleware"]
    assert hints["from clastic import StaticApplication"] is None


def test_uninstalling_the_satellite_leaves_core_working(fresh_venv, wheelhouse, tmp_path):
    static_venv = install_core_and_static(fresh_venv, wheelhouse)
    static_venv.pip("uninstall", "--yes", "clastic-static")
    site = static_venv.site_packages
    assert not (site / "clastic" / "static").exists()
    assert (site / "clastic" / "__init__.py").is_file()
    code = textwrap.dedent(
        """
        import json
        from clastic import Application, render_basic
        app = Application([("/<name>", lambda name: "hi " + name, render_basic)])
        page = app.get_local_client().get("/core").get_data(as_text=True)
        try:
            from clastic import StaticApplication
        except ImportError as ex:
            hint = str(ex)
        print(json.dumps([page, hint]))
        """
    )
    page, hint = static_venv.python_json(code, cwd=tmp_path)
    assert page == "hi core"
    assert "pip install clastic-static" in hint

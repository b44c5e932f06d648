"""``pip install clastic``: the meta-package wheel brings all six distributions, merged into one ``clastic/``."""

from __future__ import annotations

import shutil
import textwrap

import pytest
from packaging_helpers import REPO, Virtualenv

SIX = ["clastic-core", "clastic-middleware", "clastic-render", "clastic-static", "clastic-meta", "clastic-errors"]

#: The imports the documents (tutorials, README, API reference) write, verbatim.
DOCUMENTED_IMPORTS = """
from clastic import Application, render_basic, render_json, render_json_dev
from clastic import Response, Request, redirect, BaseRequest, BaseResponse
from clastic import Route, GET, POST, PUT, DELETE, SubApplication, RerouteWSGI
from clastic import Middleware, HTTPException, BadRequest, InternalServerError
from clastic import RESERVED_ARGS, S_REDIRECT, S_REWRITE, S_STRICT
from clastic import StaticApplication, StaticFileRoute, MetaApplication, GetParamMiddleware
from clastic.application import DispatchState
from clastic.decorators import clastic_decorator
from clastic.render import AshesRenderFactory, BasicRender, JSONRender, JSONPRender, TabularRender, Table
from clastic.render.ashes import AshesRenderFactory
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.static import StaticApplication, StaticFileRoute
from clastic.meta import MetaApplication
from clastic.middleware import Middleware, GetParamMiddleware
from clastic.middleware.url import GetParamMiddleware
from clastic.middleware.form import PostDataMiddleware
from clastic.middleware.cookie import SignedCookieMiddleware
from clastic.middleware.context import ContextProcessor, SimpleContextProcessor
from clastic.middleware.compress import GzipMiddleware
from clastic.middleware.client_cache import HTTPCacheMiddleware
from clastic.middleware.profile import SimpleProfileMiddleware
from clastic.middleware.stats import StatsMiddleware
from clastic.errors import ErrorHandler, NotFound, MethodNotAllowed, Forbidden, Gone, BadGateway
from clastic.errors import ContextualErrorHandler, REPLErrorHandler
from clastic.errors.contextual import ContextualErrorHandler
from clastic.errors.repl import REPLErrorHandler
"""

#: (package, name, defining module): names reached lazily through a package must be the module's object.
LAZY_NAMES = [
    ("clastic", "StaticApplication", "clastic.static"),
    ("clastic", "StaticFileRoute", "clastic.static"),
    ("clastic", "MetaApplication", "clastic.meta"),
    ("clastic", "GetParamMiddleware", "clastic.middleware.url"),
    ("clastic.middleware", "GetParamMiddleware", "clastic.middleware.url"),
    ("clastic.middleware", "PostDataMiddleware", "clastic.middleware.form"),
    ("clastic.middleware", "SignedCookieMiddleware", "clastic.middleware.cookie"),
    ("clastic.middleware", "GzipMiddleware", "clastic.middleware.compress"),
    ("clastic.render", "AshesRenderFactory", "clastic.render.ashes"),
    ("clastic.render", "ChameleonRenderFactory", "clastic.render.chameleon"),
    ("clastic.errors", "ContextualErrorHandler", "clastic.errors.contextual"),
    ("clastic.errors", "REPLErrorHandler", "clastic.errors.repl"),
]


@pytest.fixture(scope="module")
def full_venv(tmp_path_factory, wheelhouse):
    venv = Virtualenv.create(tmp_path_factory.mktemp("everything") / "venv")
    # Only the meta-package's wheel is named: pip finds the six it requires in the wheelhouse.
    venv.install_local(wheelhouse, wheelhouse.wheel("clastic"))
    return venv


def test_meta_package_installs_all_six_at_one_version(full_venv, wheelhouse):
    installed = full_venv.installed()
    version = wheelhouse.dists["clastic"].version
    assert {name: installed.get(name) for name in ["clastic", *SIX]} == dict.fromkeys(["clastic", *SIX], version)
    for third_party in ("werkzeug", "boltons", "itsdangerous", "ashes", "chameleon"):
        assert third_party in installed


def test_documented_imports_work(full_venv):
    code = DOCUMENTED_IMPORTS + "\nimport json\nprint(json.dumps('ok'))\n"
    assert full_venv.python_json(code) == "ok"


def test_lazy_names_are_the_satellites_objects(full_venv):
    code = textwrap.dedent(
        f"""
        import importlib, json
        checks = {LAZY_NAMES!r}
        result = {{}}
        for package, name, module in checks:
            lazy = getattr(importlib.import_module(package), name)
            result[package + "." + name] = lazy is getattr(importlib.import_module(module), name)
        print(json.dumps(result))
        """
    )
    assert full_venv.python_json(code) == {f"{package}.{name}": True for package, name, _ in LAZY_NAMES}


def test_wheels_merge_into_one_clastic_folder(full_venv):
    code = textwrap.dedent(
        """
        import json
        import clastic, clastic.errors, clastic.middleware, clastic.render
        import clastic.errors.contextual, clastic.meta, clastic.middleware.cookie, clastic.render.ashes, clastic.static
        packages = [clastic, clastic.errors, clastic.middleware, clastic.render]
        modules = [
            clastic.errors.contextual, clastic.meta, clastic.middleware.cookie, clastic.render.ashes, clastic.static
        ]
        print(json.dumps({
            "paths": {p.__name__: list(p.__path__) for p in packages},
            "files": {m.__name__: m.__file__ for m in modules},
        }))
        """
    )
    found = full_venv.python_json(code)
    root = full_venv.site_packages / "clastic"
    assert found["paths"] == {
        "clastic": [str(root)],
        "clastic.errors": [str(root / "errors")],
        "clastic.middleware": [str(root / "middleware")],
        "clastic.render": [str(root / "render")],
    }
    for module, path in found["files"].items():
        assert path.startswith(str(root) + "/"), (module, path)
    assert sorted(
        p.name for p in full_venv.site_packages.glob("clastic*") if p.is_dir() and not p.name.endswith("-info")
    ) == ["clastic"]


def test_erosion_runs_from_the_installed_wheels(full_venv, tmp_path):
    # The tutorial's link shortener uses Ashes, StaticApplication, PostDataMiddleware
    # and SignedCookieMiddleware together: here from wheels, outside the workspace.
    example = tmp_path / "erosion"
    shutil.copytree(REPO / "examples" / "erosion", example, ignore=shutil.ignore_patterns("*.db*", "__pycache__"))
    (example / "test.ini").write_text("[erosion]\nhost_url = http://127.0.0.1:5000\ndb_path = test.db\n")
    code = textwrap.dedent(
        """
        import json, os, sys
        sys.path.insert(0, os.getcwd())
        os.environ["EROSION_CONFIG"] = "test.ini"
        import app

        client = app.app.get_local_client()
        form = {"target_url": "https://example.com/wheels", "new_alias": "wheels", "expiry_time": "0", "max_count": "0"}
        submitted = client.post("/submit", data=form)
        home = client.get("/")
        followed = client.get("/wheels")
        refused = client.post("/submit", data=dict(form, target_url="not a url"))
        css = client.get("/static/style.css")
        css.close()
        print(json.dumps({
            "submitted": submitted.status_code,
            "notice": "Successfully created" in home.text,
            "followed": [followed.status_code, followed.headers.get("Location")],
            "refused": refused.status_code,
            "unknown": client.get("/nope").status_code,
            "css": css.status_code,
            "app_module": app.__file__,
        }))
        """
    )
    result = full_venv.python_json(code, cwd=example)
    assert result == {
        "submitted": 303,
        "notice": True,
        "followed": [301, "https://example.com/wheels"],
        "refused": 400,
        "unknown": 404,
        "css": 200,
        "app_module": str(example / "app.py"),
    }


def test_console_script_reports_the_version(full_venv, wheelhouse):
    out = full_venv.python_json(
        "import json, subprocess, sys, os\n"
        "exe = os.path.join(os.path.dirname(sys.executable), 'clastic')\n"
        "print(json.dumps(subprocess.run([exe, '--version'], capture_output=True, text=True, timeout=60).stdout))"
    )
    assert wheelhouse.dists["clastic-core"].version in out

"""The clastic namespace: documented names, lazy satellite names, one package across distributions."""

import importlib
import subprocess
import sys

import pytest

import clastic
from clastic._moved import MOVED


def test_documented_core_names():
    for name in (
        "Application", "SubApplication", "RerouteWSGI", "Route", "GET", "POST", "PUT", "DELETE", "PATCH",
        "RESERVED_ARGS", "S_REDIRECT", "S_REWRITE", "S_STRICT", "Middleware", "render_json", "render_json_dev",
        "render_basic", "HTTPException", "BadRequest", "InternalServerError", "Redirector", "Request", "Response",
        "BaseRequest", "BaseResponse", "redirect", "append_slash_redirect",
    ):  # fmt: skip
        assert hasattr(clastic, name), name
    assert clastic.BaseResponse is clastic.Response
    assert clastic.__doc__.startswith("Clastic:")


def test_unknown_attribute_is_attribute_error():
    with pytest.raises(AttributeError, match="module 'clastic' has no attribute 'Nope'"):
        clastic.Nope  # noqa: B018


def test_every_moved_name_resolves_or_names_its_distribution():
    for package, table in MOVED.items():
        module = importlib.import_module(package)
        for name, (target, dist) in table.items():
            try:
                value = getattr(module, name)
            except ImportError as ex:
                assert dist in str(ex) and f"pip install {dist}" in str(ex)
            else:
                imported = importlib.import_module(target)
                assert value is (imported if target == f"{package}.{name}" else getattr(imported, name))


def test_missing_satellite_gives_install_hint():
    # A fresh interpreter in which clastic-static's directory is not part of the namespace
    # (tests/packaging checks the same with real wheels in a fresh virtualenv).
    code = (
        "import clastic\n"
        "clastic.__path__[:] = [p for p in clastic.__path__ if 'clastic-static' not in p]\n"
        "try:\n"
        "    clastic.StaticApplication\n"
        "except ImportError as ex:\n"
        "    print(ex)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert (
        out.strip()
        == "clastic.StaticApplication is provided by clastic-static; install it with: pip install clastic-static"
    )


def test_subpackages_extend_their_path_across_distributions():
    import clastic.middleware
    import clastic.render

    core_dirs = [p for p in clastic.__path__ if "clastic-core" in p]
    assert core_dirs, clastic.__path__
    assert len(clastic.__path__) >= 1
    assert any("clastic-core" in p for p in clastic.middleware.__path__)
    assert clastic.middleware.Middleware is clastic.Middleware
    assert clastic.render.render_basic is clastic.render_basic

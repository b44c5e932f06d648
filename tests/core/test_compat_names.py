"""Names of Clastic 26 in clastic-core's modules: they import, resolve lazily, and say what they are."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_package_names_of_clastic_26():
    import clastic.meta
    from clastic import META_ASSETS_APP, contrib, server, sinter

    assert META_ASSETS_APP is clastic.meta.META_ASSETS_APP
    assert isinstance(contrib, types.ModuleType) and contrib is sys.modules["clastic.contrib"]
    assert server is sys.modules["clastic.server"] and sinter is sys.modules["clastic.sinter"]
    assert clastic.contrib is contrib and clastic.sinter is sinter


def test_submodules_resolve_as_attributes_on_first_use():
    out = run_python(
        "import sys, clastic\n"
        "before = [m for m in ('clastic.server', 'clastic.contrib') if m in sys.modules]\n"
        "print(before, clastic.server.__name__, clastic.sinter.__name__, clastic.contrib.__name__)\n"
    )
    assert out == "[] clastic.server clastic.sinter clastic.contrib"


def test_without_clastic_meta_contrib_and_meta_assets_name_the_distribution():
    code = (
        "import clastic\n"
        "clastic.__path__[:] = [p for p in clastic.__path__ if 'clastic-meta' not in p]\n"
        "for attempt in ('clastic.contrib', 'clastic.META_ASSETS_APP', 'exec(\"from clastic import contrib\")'):\n"
        "    try:\n"
        "        eval(attempt)\n"
        "    except ImportError as ex:\n"
        "        print(type(ex).__name__, ex)\n"
    )
    assert run_python(code).splitlines() == [
        "ImportError clastic.contrib is provided by clastic-meta; install it with: pip install clastic-meta",
        "ImportError clastic.META_ASSETS_APP is provided by clastic-meta; install it with: pip install clastic-meta",
        "ImportError clastic.contrib is provided by clastic-meta; install it with: pip install clastic-meta",
    ]


COMPAT_CALLABLES = {
    "clastic.server": [
        "run_simple", "make_server", "create_dev_server_parser", "open_test_socket", "iter_monitor_files",
        "enable_tty_echo", "restart_with_reloader", "run_with_reloader", "reloader_loop",
    ],
    "clastic.utils": ["int2hexguid", "random_hex", "bytes2human", "rel_datetime"],
    "clastic.flaw": ["create_app", "get_flaw_info"],
    "clastic.cline": ["Cline"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("module", "name"), [(module, name) for module, names in COMPAT_CALLABLES.items() for name in names]
)
def test_compat_names_say_they_are_kept_for_clastic_26(module, name):
    obj = getattr(importlib.import_module(module), name)
    assert "compatibility with Clastic 26" in " ".join((obj.__doc__ or "").split()), f"{module}.{name}"


def test_errors_names_of_clastic_26():
    from clastic.errors import ERROR_CODE_MAP, STDLIB_EXC_URL, ClasticJSONEncoder, HTTPException
    from clastic.render import ClasticJSONEncoder as render_encoder

    assert ClasticJSONEncoder is render_encoder
    assert STDLIB_EXC_URL == "https://docs.python.org/3/library/exceptions.html"
    for cls in {HTTPException, *ERROR_CODE_MAP.values()}:
        error = cls(detail='<script>alert("x")</script> & more', error_type="https://example.com/?a=1&b=2")
        escaped = error.to_escaped_dict()
        assert escaped["detail"] == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more", cls
        assert escaped["error_type"] == "https://example.com/?a=1&amp;b=2"
        assert escaped["code"] == error.code and set(escaped) == set(error.to_dict())

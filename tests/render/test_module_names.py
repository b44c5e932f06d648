"""Import paths: the lazy names in clastic.render, the original module names, optional extras."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import ashes
import pytest
from render_helpers import TEMPLATES

import clastic.render
import clastic.render.ashes
from clastic.render.ashes import AshesRenderFactory
from clastic.render.ashes_templates import AshesRenderFactory as AshesFromOriginalModule
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.chameleon_templates import ChameleonRenderFactory as ChameleonFromOriginalModule
from clastic.render.jinja2 import Jinja2RenderFactory
from clastic.render.mako import MakoRenderFactory
from clastic.render.mako_templates import MakoRenderFactory as MakoFromOriginalModule

# Run in a fresh interpreter.
PRELUDE = """
import sys
{hide}
import clastic.render
"""


def run_python(body: str, hide: str = "") -> str:
    code = PRELUDE.format(hide=hide) + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_clastic_render_names_resolve_to_the_factories() -> None:
    assert clastic.render.AshesRenderFactory is AshesRenderFactory
    assert clastic.render.ChameleonRenderFactory is ChameleonRenderFactory
    assert clastic.render.MakoRenderFactory is MakoRenderFactory
    assert clastic.render.Jinja2RenderFactory is Jinja2RenderFactory


def test_original_module_names_reexport_the_same_classes() -> None:
    assert AshesFromOriginalModule is AshesRenderFactory
    assert ChameleonFromOriginalModule is ChameleonRenderFactory
    assert MakoFromOriginalModule is MakoRenderFactory


@pytest.mark.parametrize(
    ("engine", "module", "name"), [("mako", "mako", "MakoRenderFactory"), ("jinja2", "jinja2", "Jinja2RenderFactory")]
)
def test_missing_optional_engine_names_the_extra(engine: str, module: str, name: str) -> None:
    out = run_python(
        f"""
        try:
            import clastic.render.{module}
        except ImportError as ex:
            print("direct:", ex)
        try:
            from clastic.render import {name}
        except ImportError as ex:
            print("lazy:", ex)
        from clastic.render.auto import AutoRenderFactory
        print("available:", sorted(AutoRenderFactory({str(TEMPLATES / "ashes")!r}).available))
        """,
        hide=f"sys.modules[{engine!r}] = None  # as if the extra were not installed",
    )
    extra = f"pip install 'clastic-render[{engine}]'"
    lines = out.splitlines()
    assert lines[0].startswith(f"direct: clastic.render.{module} needs ") and lines[0].endswith(extra)
    assert lines[1].startswith("lazy: ") and lines[1].endswith(extra)
    others = sorted({"ashes", "chameleon", "mako", "jinja2"} - {engine})
    assert lines[2] == f"available: {others}"


def test_engine_modules_import_the_engine_libraries_not_themselves() -> None:
    # clastic/render/ashes.py is named like the library it wraps: the import
    # inside must reach the top-level ashes package.
    out = run_python(
        """
        import ashes, chameleon, jinja2, mako
        import clastic.render.ashes, clastic.render.chameleon, clastic.render.jinja2, clastic.render.mako
        print(clastic.render.ashes.ashes is ashes, clastic.render.jinja2.Environment.__module__)
        """
    )
    assert out.split() == ["True", "jinja2.environment"]


def test_clastic_render_ashes_offers_the_ashes_librarys_public_names() -> None:
    # Clastic 26 shipped the Ashes library as clastic.render.ashes.
    library = {
        name
        for name in dir(ashes)
        if not name.startswith("_")
        and not isinstance(getattr(ashes, name), types.ModuleType)
        and name not in ("ashes", "unicode_literals")  # Ashes' default env (also default_env); a __future__ flag
    }
    assert len(library) > 90
    missing = sorted(name for name in library if getattr(clastic.render.ashes, name, None) is not getattr(ashes, name))
    assert missing == []
    assert library <= set(clastic.render.ashes.__all__)
    from clastic.render.ashes import AshesEnv, Template, TemplateNotFound, default_env

    assert (AshesEnv, Template, TemplateNotFound, default_env) == (
        ashes.AshesEnv,
        ashes.Template,
        ashes.TemplateNotFound,
        ashes.ashes,
    )
    assert clastic.render.ashes.ashes is ashes  # the module, as before

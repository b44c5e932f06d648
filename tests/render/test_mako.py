"""Mako-specific behaviour of :class:`clastic.render.mako.MakoRenderFactory`."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from render_helpers import TEMPLATES

from clastic import Application
from clastic.exceptions import RenderFactoryError
from clastic.render.mako import MakoRenderFactory
from clastic.render.mako_templates import MakoRenderFactory as OriginalName

MAKO_DIR = str(TEMPLATES / "mako")


def test_inheritance_uses_the_search_path_and_escapes_both_levels() -> None:
    app = Application([("/c", lambda: {"name": "<x>", "footer": "a & b"}, "child.mako")], render_factory=MakoRenderFactory(MAKO_DIR))
    text = app.get_local_client().get("/c").text
    assert "<p>&lt;x&gt;</p>" in text
    assert "<footer>a &amp; b</footer>" in text


def test_missing_base_template_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "child.mako").write_text('<%inherit file="layout.mako"/>\n<p>${name}</p>\n')
    (tmp_path / "layouts.mako").write_text("${self.body()}\n")
    with pytest.raises(RenderFactoryError) as info:
        Application([("/c", dict, "child.mako")], render_factory=MakoRenderFactory(str(tmp_path)))
    message = str(info.value)
    assert "template 'child.mako' uses 'layout.mako', but there is no such template" in message
    assert "Did you mean 'layouts.mako'?" in message


def test_relative_inherit_names_resolve_next_to_the_template(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "base.mako").write_text("<main>${self.body()}</main>\n")
    (tmp_path / "pages" / "about.mako").write_text('<%inherit file="base.mako"/>about ${name}\n')
    app = Application([("/about", lambda: {"name": "us"}, "pages/about.mako")], render_factory=MakoRenderFactory(str(tmp_path)))
    assert app.get_local_client().get("/about").text == "<main>about us\n</main>\n"


def test_error_in_a_base_template_logs_the_base_line(caplog: pytest.LogCaptureFixture) -> None:
    # No "footer" in the context: Mako fails in base.mako, line 4.
    app = Application([("/c", lambda: {"name": "n"}, "child.mako")], render_factory=MakoRenderFactory(MAKO_DIR))
    with caplog.at_level(logging.ERROR, logger="clastic.render"):
        response = app.get_local_client().get("/c")
    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.name == "clastic.render"]
    assert f"(line 4 of {Path(MAKO_DIR) / 'base.mako'})" in record.getMessage()
    assert "NameError" in record.getMessage()


def test_engine_options_reach_the_lookup(tmp_path: Path) -> None:
    (tmp_path / "title.mako").write_text("<h1>${capwords(name)}</h1>\n<p>${name | n}</p>\n")
    factory = MakoRenderFactory(str(tmp_path), imports=["from string import capwords"])
    app = Application([("/t", lambda: {"name": "<i>big</i> news"}, "title.mako")], render_factory=factory)
    assert app.get_local_client().get("/t").text == "<h1>&lt;i&gt;big&lt;/i&gt; News</h1>\n<p><i>big</i> news</p>\n"
    without = Application([("/t", lambda: {"name": "x"}, "title.mako")], render_factory=MakoRenderFactory(str(tmp_path)))
    assert without.get_local_client().get("/t").status_code == 500


def test_original_module_name_is_the_same_class() -> None:
    assert OriginalName is MakoRenderFactory


def test_format_exceptions_of_the_original_is_accepted_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match=r"MakoRenderFactory\(format_exceptions=\.\.\.\) is ignored"):
        factory = MakoRenderFactory(MAKO_DIR, format_exceptions=True)
    assert factory.lookups[True].template_args["format_exceptions"] is False

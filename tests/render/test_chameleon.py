"""Chameleon-specific behaviour of :class:`clastic.render.chameleon.ChameleonRenderFactory`."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import TEMPLATES

from clastic import Application
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.chameleon_templates import ChameleonRenderFactory as OriginalName

CHAMELEON_DIR = str(TEMPLATES / "chameleon")


def test_autoescape_option_is_refused_with_the_reason() -> None:
    with pytest.raises(TypeError, match=r"ChameleonRenderFactory does not take autoescape: Chameleon escapes every value in markup templates .* got autoescape=False"):
        ChameleonRenderFactory(CHAMELEON_DIR, autoescape=False)


def test_macros_load_from_the_search_path() -> None:
    app = Application([("/m", lambda: {"name": "<x>"}, "uses_macro.pt")], render_factory=ChameleonRenderFactory(CHAMELEON_DIR))
    response = app.get_local_client().get("/m")
    assert response.status_code == 200
    assert "<div><b>&lt;x&gt;</b></div>" in response.text


def test_css_template_is_text_mode_and_unescaped() -> None:
    app = Application([("/style.css", lambda: {"name": '<b>"x"</b>'}, "style.css")], render_factory=ChameleonRenderFactory(CHAMELEON_DIR))
    response = app.get_local_client().get("/style.css")
    assert response.content_type == "text/css; charset=utf-8"
    assert response.text == 'body::before { content: "<b>"x"</b>"; }\n'


def test_engine_options_reach_chameleon(tmp_path: Path) -> None:
    (tmp_path / "box.pt").write_text('<b data-on="${flag}">x</b>\n')
    with_option = ChameleonRenderFactory(str(tmp_path), boolean_attributes={"data-on"})
    app = Application([("/box", lambda: {"flag": False}, "box.pt")], render_factory=with_option)
    assert app.get_local_client().get("/box").text == '<b>x</b>\n'
    plain = Application([("/box", lambda: {"flag": False}, "box.pt")], render_factory=ChameleonRenderFactory(str(tmp_path)))
    assert plain.get_local_client().get("/box").text == '<b data-on="False">x</b>\n'


def test_original_module_name_is_the_same_class() -> None:
    assert OriginalName is ChameleonRenderFactory


def test_format_exceptions_of_the_original_is_accepted_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match=r"ChameleonRenderFactory\(format_exceptions=\.\.\.\) is ignored: .* debug=True"):
        factory = ChameleonRenderFactory(CHAMELEON_DIR, format_exceptions=False)
    app = Application([("/n", lambda: {"name": "x"}, "note.txt")], render_factory=factory)
    assert app.get_local_client().get("/n").text == "Hello, x!\n"

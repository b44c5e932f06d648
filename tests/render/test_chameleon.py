"""Chameleon-specific behaviour of :class:`clastic.render.chameleon.ChameleonRenderFactory`."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from chameleon import PageTemplateLoader
from render_helpers import PLAIN_500, TEMPLATES

from clastic import Application
from clastic.errors import ErrorHandler, NotFound
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.chameleon_templates import ChameleonRenderFactory as OriginalName
from clastic.render.chameleon_templates import error_template
from clastic.render.templating import TemplateRenderError

CHAMELEON_DIR = str(TEMPLATES / "chameleon")


def test_autoescape_option_is_refused_with_the_reason() -> None:
    with pytest.raises(
        TypeError,
        match=r"ChameleonRenderFactory does not take autoescape: "
        r"Chameleon escapes every value in markup templates .* got autoescape=False",
    ):
        ChameleonRenderFactory(CHAMELEON_DIR, autoescape=False)


def test_macros_load_from_the_search_path() -> None:
    app = Application(
        [("/m", lambda: {"name": "<x>"}, "uses_macro.pt")], render_factory=ChameleonRenderFactory(CHAMELEON_DIR)
    )
    response = app.get_local_client().get("/m")
    assert response.status_code == 200
    assert "<div><b>&lt;x&gt;</b></div>" in response.text


def test_css_template_is_text_mode_and_unescaped() -> None:
    app = Application(
        [("/style.css", lambda: {"name": '<b>"x"</b>'}, "style.css")],
        render_factory=ChameleonRenderFactory(CHAMELEON_DIR),
    )
    response = app.get_local_client().get("/style.css")
    assert response.content_type == "text/css; charset=utf-8"
    assert response.text == 'body::before { content: "<b>"x"</b>"; }\n'


def test_engine_options_reach_chameleon(tmp_path: Path) -> None:
    (tmp_path / "box.pt").write_text('<b data-on="${flag}">x</b>\n')
    with_option = ChameleonRenderFactory(str(tmp_path), boolean_attributes={"data-on"})
    app = Application([("/box", lambda: {"flag": False}, "box.pt")], render_factory=with_option)
    assert app.get_local_client().get("/box").text == '<b>x</b>\n'
    plain = Application(
        [("/box", lambda: {"flag": False}, "box.pt")], render_factory=ChameleonRenderFactory(str(tmp_path))
    )
    assert plain.get_local_client().get("/box").text == '<b data-on="False">x</b>\n'


def test_original_module_name_is_the_same_class() -> None:
    assert OriginalName is ChameleonRenderFactory


def explode() -> str:
    raise RuntimeError("database went away")


def failing_context() -> dict[str, object]:
    return {"title": "Report", "name": "Ada", "explode": explode}


def test_format_exceptions_defaults_to_the_logged_template_500() -> None:
    factory = ChameleonRenderFactory(CHAMELEON_DIR)
    assert factory.format_exceptions is True
    app = Application([("/f", failing_context, "failing.pt")], render_factory=factory)
    with pytest.raises(TemplateRenderError, match=PLAIN_500) as info:
        app.routes[0].render(failing_context(), app.routes[0], app)
    assert (info.value.template_name, info.value.line) == ("failing.pt", 5)


def test_format_exceptions_false_hands_the_engine_error_to_the_error_handler(caplog: pytest.LogCaptureFixture) -> None:
    factory = ChameleonRenderFactory(CHAMELEON_DIR, format_exceptions=False)
    assert factory.format_exceptions is False
    raising = Application(
        [("/f", failing_context, "failing.pt")],
        render_factory=factory,
        error_handler=ErrorHandler(reraise_uncaught=True),
    )
    with pytest.raises(RuntimeError, match="database went away") as info:
        raising.get_local_client().get("/f")
    assert not isinstance(info.value, TemplateRenderError)
    # In production the handler's 500 shows nothing of it; the handler logs it, not the render.
    app = Application([("/f", failing_context, "failing.pt")], render_factory=factory)
    with caplog.at_level(logging.ERROR):
        response = app.get_local_client().get("/f")
    assert response.status_code == 500
    assert "database went away" not in response.text and "failing.pt" not in response.text
    assert [r.name for r in caplog.records] == ["clastic.errors"]


def test_format_exceptions_must_be_a_bool() -> None:
    with pytest.raises(
        TypeError, match=r"ChameleonRenderFactory: format_exceptions must be True .* or False .*, got 'yes'"
    ):
        ChameleonRenderFactory(CHAMELEON_DIR, format_exceptions="yes")


def test_lookup_is_the_page_template_loader_the_routes_use() -> None:
    factory = ChameleonRenderFactory(CHAMELEON_DIR)
    assert isinstance(factory.lookup, PageTemplateLoader)
    assert factory.lookup.search_path == [CHAMELEON_DIR]
    app = Application([("/p", dict, "page.pt")], render_factory=factory)
    assert app.routes[0].render.template is factory.lookup.load(str(Path(CHAMELEON_DIR) / "page.pt"), "xml")
    # Clastic 26 apps looked templates up by name through it.
    text = factory.lookup["note.txt"](name="<x>")
    assert "<x>" not in text and "&lt;x&gt;" in text  # the loader's default xml format escapes


def test_error_template_renders_the_page_of_an_error() -> None:
    error = TemplateRenderError(template_name="page.pt", line=3)
    assert error_template(error=error) == error.to_html()
    assert error_template.render(error=NotFound("no <page>")) == NotFound("no <page>").to_html()

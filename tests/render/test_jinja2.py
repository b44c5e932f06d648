"""Jinja2-specific behaviour of :class:`clastic.render.jinja2.Jinja2RenderFactory`."""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2
import pytest
from render_helpers import TEMPLATES

from clastic import Application
from clastic.errors import ErrorHandler
from clastic.exceptions import RenderFactoryError
from clastic.render.jinja2 import Jinja2RenderFactory

JINJA2_DIR = str(TEMPLATES / "jinja2")


def explode() -> str:
    raise RuntimeError("footer failed")


def test_compound_extension_gives_the_output_type_and_no_escaping() -> None:
    app = Application(
        [("/style.css", lambda: {"name": '<b>"x"</b>'}, "style.css.j2")], render_factory=Jinja2RenderFactory(JINJA2_DIR)
    )
    response = app.get_local_client().get("/style.css")
    assert response.content_type == "text/css; charset=utf-8"
    assert response.text == 'body::before { content: "<b>"x"</b>"; }'


def test_error_in_an_extended_layout_points_at_the_layout_line(caplog: pytest.LogCaptureFixture) -> None:
    app = Application(
        [("/child", lambda: {"name": "Ada", "explode": explode}, "child.html")],
        render_factory=Jinja2RenderFactory(JINJA2_DIR),
        debug=True,
        error_handler=ErrorHandler(),
    )
    with caplog.at_level(logging.ERROR, logger="clastic.render"):
        response = app.get_local_client().get("/child")
    assert response.status_code == 500
    layout = Path(JINJA2_DIR) / "layout.html"
    assert f"(line 6 of {layout})" in response.text
    assert "> 6 | <footer>{{ explode() }}</footer>" in response.text
    (record,) = [r for r in caplog.records if r.name == "clastic.render"]
    assert f"(line 6 of {layout}): RuntimeError: footer failed" in record.getMessage()


def test_missing_include_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('{% extends "base.html" %}\n')
    (tmp_path / "base.html").write_text('{% include "partials/nav.html" %}\n{% include name %}\n')
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "menu.html").write_text("menu\n")
    with pytest.raises(RenderFactoryError, match=r"Did you mean 'partials/menu\.html'\?") as info:
        Application([("/", dict, "page.html")], render_factory=Jinja2RenderFactory(str(tmp_path)))
    assert "template 'base.html' uses 'partials/nav.html', but there is no such template" in str(info.value)


def test_engine_options_and_environment_settings() -> None:
    strict = Jinja2RenderFactory(JINJA2_DIR, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    app = Application(
        [("/s", lambda: {"title": "t"}, "strict.html"), ("/n", lambda: {"name": "A"}, "note.txt")],
        render_factory=strict,
    )
    client = app.get_local_client()
    assert client.get("/s").status_code == 500
    assert client.get("/n").text == "Hello, A!\n"
    lenient = Application(
        [("/s", lambda: {"title": "t"}, "strict.html")], render_factory=Jinja2RenderFactory(JINJA2_DIR)
    )
    assert lenient.get_local_client().get("/s").text == "<p>t</p>\n<p></p>"
    assert strict.environment.undefined is jinja2.StrictUndefined


def test_filters_and_globals_go_to_the_environment() -> None:
    factory = Jinja2RenderFactory(JINJA2_DIR, filters={"shout": str.upper}, globals={"site": "S"})
    assert factory.environment.filters["shout"] is str.upper
    assert factory.environment.globals["site"] == "S"

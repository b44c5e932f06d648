"""Mako-specific behaviour of :class:`clastic.render.mako.MakoRenderFactory`."""

from __future__ import annotations

import logging
from pathlib import Path

import mako
import mako.exceptions
import mako.lookup
import pytest
from render_helpers import PLAIN_500, TEMPLATES

from clastic import Application
from clastic.errors import ErrorHandler
from clastic.exceptions import RenderFactoryError
from clastic.render import mako_templates
from clastic.render.mako import MakoRenderFactory
from clastic.render.mako_templates import MakoRenderFactory as OriginalName
from clastic.render.templating import TemplateRenderError

MAKO_DIR = str(TEMPLATES / "mako")


def test_inheritance_uses_the_search_path_and_escapes_both_levels() -> None:
    app = Application(
        [("/c", lambda: {"name": "<x>", "footer": "a & b"}, "child.mako")], render_factory=MakoRenderFactory(MAKO_DIR)
    )
    text = app.get_local_client().get("/c").text
    assert "<p>&lt;x&gt;</p>" in text
    assert "<footer>a &amp; b</footer>" in text


def test_missing_base_template_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "child.mako").write_text('<%inherit file="layout.mako"/>\n<p>${name}</p>\n')
    (tmp_path / "layouts.mako").write_text("${self.body()}\n")
    with pytest.raises(RenderFactoryError, match=r"^route '/c': render factory could not use 'child\.mako'") as info:
        Application([("/c", dict, "child.mako")], render_factory=MakoRenderFactory(str(tmp_path)))
    message = str(info.value)
    assert "template 'child.mako' uses 'layout.mako', but there is no such template" in message
    assert "Did you mean 'layouts.mako'?" in message


def test_relative_inherit_names_resolve_next_to_the_template(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "base.mako").write_text("<main>${self.body()}</main>\n")
    (tmp_path / "pages" / "about.mako").write_text('<%inherit file="base.mako"/>about ${name}\n')
    app = Application(
        [("/about", lambda: {"name": "us"}, "pages/about.mako")], render_factory=MakoRenderFactory(str(tmp_path))
    )
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
    without = Application(
        [("/t", lambda: {"name": "x"}, "title.mako")], render_factory=MakoRenderFactory(str(tmp_path))
    )
    assert without.get_local_client().get("/t").status_code == 500


def test_original_module_name_is_the_same_class() -> None:
    assert OriginalName is MakoRenderFactory


def explode() -> str:
    raise RuntimeError("database went away")


def failing_context() -> dict[str, object]:
    return {"title": "Report", "name": "Ada", "explode": explode}


def test_format_exceptions_defaults_to_the_logged_template_500() -> None:
    factory = MakoRenderFactory(MAKO_DIR)
    assert factory.format_exceptions is True
    app = Application([("/f", failing_context, "failing.mako")], render_factory=factory)
    with pytest.raises(TemplateRenderError, match=PLAIN_500) as info:
        app.routes[0].render(failing_context(), app.routes[0], app)
    assert (info.value.template_name, info.value.line) == ("failing.mako", 5)


def test_format_exceptions_false_hands_the_engine_error_to_the_error_handler(caplog: pytest.LogCaptureFixture) -> None:
    factory = MakoRenderFactory(MAKO_DIR, format_exceptions=False)
    assert factory.format_exceptions is False
    # Mako's own option of that name (an HTML traceback as the page) stays off.
    assert factory.lookup.template_args["format_exceptions"] is False
    raising = Application(
        [("/f", failing_context, "failing.mako")],
        render_factory=factory,
        error_handler=ErrorHandler(reraise_uncaught=True),
    )
    with pytest.raises(RuntimeError, match=r"^database went away$"):
        raising.get_local_client().get("/f")
    app = Application([("/f", failing_context, "failing.mako")], render_factory=factory)
    with caplog.at_level(logging.ERROR):
        response = app.get_local_client().get("/f")
    assert response.status_code == 500
    assert "database went away" not in response.text and "Traceback" not in response.text
    assert [r.name for r in caplog.records] == ["clastic.errors"]


def test_format_exceptions_true_never_turns_on_makos_traceback_page() -> None:
    factory = MakoRenderFactory(MAKO_DIR, format_exceptions=True)
    assert factory.format_exceptions is True
    assert [lookup.template_args["format_exceptions"] for lookup in factory.lookups.values()] == [False, False]


def test_lookup_is_the_template_lookup_of_escaped_templates() -> None:
    factory = MakoRenderFactory(MAKO_DIR)
    assert factory.lookup is factory.lookups[True]
    app = Application([("/p", lambda: {"name": "<x>", "footer": "f"}, "child.mako")], render_factory=factory)
    assert factory.lookup.get_template("child.mako") is app.routes[0].render.template
    assert "<p>&lt;x&gt;</p>" in factory.lookup.get_template("child.mako").render(name="<x>", footer="f")


def test_original_module_offers_mako_exceptions_and_template_lookup() -> None:
    assert mako_templates.mako is mako
    assert mako_templates.exceptions is mako.exceptions
    assert mako_templates.TemplateLookup is mako.lookup.TemplateLookup
    with pytest.raises(
        mako_templates.exceptions.TopLevelLookupException, match=r"^MakoRenderFactory: no template 'nope\.mako'"
    ):
        MakoRenderFactory(MAKO_DIR)("nope.mako")

"""Ashes-specific behaviour of :class:`clastic.render.ashes.AshesRenderFactory`."""

from __future__ import annotations

import logging

import pytest
from render_helpers import TEMPLATES

from clastic import Application
from clastic.errors import ErrorHandler
from clastic.exceptions import RenderFactoryError
from clastic.render import ashes as ashes_module
from clastic.render.ashes import AshesRenderFactory
from clastic.render.templating import TemplateNotFoundError

ASHES_DIR = str(TEMPLATES / "ashes")


class Exploding:
    def __str__(self) -> str:
        raise RuntimeError("cannot print")


def logged_line(caplog: pytest.LogCaptureFixture) -> str:
    (record,) = [r for r in caplog.records if r.name == "clastic.render"]
    return record.getMessage()


def test_registered_source_renders_and_reports_compile_errors_with_its_name() -> None:
    factory = AshesRenderFactory()
    factory.register_source("greeting", "<p>Hi {name}</p>")
    app = Application([("/hi", lambda: {"name": "<Ada>"}, "greeting")], render_factory=factory)
    response = app.get_local_client().get("/hi")
    assert response.text == "<p>Hi &lt;Ada&gt;</p>"
    assert app.routes[0].render.path is None
    factory.register_source("oops", "line one\n{#open}\n{/close}\n")
    with pytest.raises(RenderFactoryError, match=r"template 'oops' \(registered source\) does not compile at line 3"):
        Application([("/oops", dict, "oops")], render_factory=factory)
    with pytest.raises(
        TypeError, match=r"register_source\('bytes', \.\.\.\) needs the template text as str, got bytes"
    ):
        factory.register_source("bytes", b"<p/>")  # type: ignore[arg-type]


def test_registered_names_are_suggested() -> None:
    factory = AshesRenderFactory()
    factory.register_source("greeting", "<p>Hi</p>")
    with pytest.raises(
        RenderFactoryError,
        match=r"no template 'greetings' in the search path \[\] \(templates there: 'greeting'\)\. "
        r"Did you mean 'greeting'\?",
    ):
        Application([("/hi", dict, "greetings")], render_factory=factory)


def test_helpers_option_and_helper_failure_line(caplog: pytest.LogCaptureFixture) -> None:
    def explode(chunk, context, bodies, params):  # type: ignore[no-untyped-def]
        raise ValueError("helper blew up")

    factory = AshesRenderFactory(ASHES_DIR, helpers={"explode": explode})
    app = Application([("/h", lambda: {"title": "t", "items": [1]}, "helper_failing.html")], render_factory=factory)
    with caplog.at_level(logging.ERROR, logger="clastic.render"):
        response = app.get_local_client().get("/h")
    assert response.status_code == 500
    assert "(line 7 of " in logged_line(caplog)
    assert logged_line(caplog).endswith("ValueError: helper blew up")


def test_failure_inside_a_section_points_at_the_failing_reference(caplog: pytest.LogCaptureFixture) -> None:
    app = Application(
        [("/l", lambda: {"title": "t", "items": ["fine", Exploding()]}, "loop_failing.html")],
        render_factory=AshesRenderFactory(ASHES_DIR),
    )
    with caplog.at_level(logging.ERROR, logger="clastic.render"):
        assert app.get_local_client().get("/l").status_code == 500
    assert "(line 4 of " in logged_line(caplog)  # {.} inside {#items}


def test_missing_partial_fails_the_build_naming_the_including_template() -> None:
    with pytest.raises(
        RenderFactoryError, match=r"^route '/p': render factory could not use 'missing_partial\.html'"
    ) as info:
        Application([("/p", dict, "missing_partial.html")], render_factory=AshesRenderFactory(ASHES_DIR))
    assert (
        "AshesRenderFactory: template 'missing_partial.html' uses 'no_such_partial.html', "
        f"but there is no such template in the search path ['{ASHES_DIR}']"
    ) in str(info.value)
    assert isinstance(info.value.__cause__, TemplateNotFoundError)
    assert info.value.__cause__.template_name == "no_such_partial.html"


def test_dust_extension_defaults_to_html_and_default_mime_overrides() -> None:
    html_app = Application([("/d", lambda: {"name": "<x>"}, "page.dust")], render_factory=AshesRenderFactory(ASHES_DIR))
    response = html_app.get_local_client().get("/d")
    assert (response.content_type, response.text) == ("text/html; charset=utf-8", "<p>&lt;x&gt;</p>\n")
    text_factory = AshesRenderFactory(ASHES_DIR, default_mime="text/plain")
    text_app = Application([("/d", lambda: {"name": "<x>"}, "page.dust")], render_factory=text_factory)
    response = text_app.get_local_client().get("/d")
    assert (response.content_type, response.text) == ("text/plain; charset=utf-8", "<p><x></p>\n")


@pytest.mark.parametrize(("autoescape", "expected"), [(False, "<p><x></p>\n"), (True, "<p>&lt;x&gt;</p>\n")])
def test_autoescape_can_be_forced(autoescape: bool, expected: str) -> None:
    factory = AshesRenderFactory(ASHES_DIR, autoescape=autoescape, default_mime="text/plain")
    app = Application([("/d", lambda: {"name": "<x>"}, "page.dust")], render_factory=factory)
    assert app.get_local_client().get("/d").text == expected


def test_autoescape_callable_gets_the_template_name() -> None:
    seen: list[str] = []

    def decide(name: str) -> bool:
        seen.append(name)
        return name.endswith(".dust")

    factory = AshesRenderFactory(ASHES_DIR, autoescape=decide)
    app = Application(
        [("/d", lambda: {"name": "<x>"}, "page.dust"), ("/n", lambda: {"name": "<x>"}, "note.txt")],
        render_factory=factory,
    )
    client = app.get_local_client()
    assert client.get("/d").text == "<p>&lt;x&gt;</p>\n"
    assert client.get("/n").text == "Hello, <x>!\n"
    assert seen == ["page.dust", "note.txt"]


def test_ashes_library_names_stay_reachable_from_clastic_render() -> None:
    # The original clastic.render exported the ashes module itself.
    env = ashes_module.AshesEnv()
    env.register_source("t", "{x}")
    assert env.render("t", {"x": "<y>"}) == "&lt;y&gt;"
    assert ashes_module.Template is __import__("ashes").Template


def test_production_render_error_with_debug_handler_off(caplog: pytest.LogCaptureFixture) -> None:
    app = Application(
        [("/f", lambda: {"title": "t", "name": "n", "detail": Exploding()}, "failing.html")],
        render_factory=AshesRenderFactory(ASHES_DIR),
        error_handler=ErrorHandler(),
    )
    with caplog.at_level(logging.ERROR, logger="clastic.render"):
        response = app.get_local_client().get("/f", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert (
        response.json["detail"] == "The server encountered an internal error and was unable to complete your request."
    )
    assert "cannot print" not in response.text


def test_load_all_compiles_every_template_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "good.html").write_text("<p>{x}</p>\n")
    (tmp_path / "notes.md").write_text("{#not an ashes template\n")  # not loaded
    AshesRenderFactory(str(tmp_path), load_all=True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.html").write_text("<p>\n{#open}\n")
    with pytest.raises(ValueError, match=r"template 'sub/bad.html' .* does not compile"):
        AshesRenderFactory(str(tmp_path), load_all=True)
    AshesRenderFactory(str(tmp_path))  # without load_all, only the templates routes name are compiled


def test_env_is_the_escaping_environment_and_its_filters_reach_every_template() -> None:
    factory = AshesRenderFactory(ASHES_DIR)
    assert factory.env is factory.envs[True]
    assert isinstance(factory.env, ashes_module.AshesEnv)
    assert factory.env.autoescape_filter == "h"
    # Clastic 26 apps added filters and helpers through factory.env.
    factory.env.filters["shout"] = lambda value: str(value).upper()
    factory.register_source("hi.html", "<p>{name|shout}</p>")
    factory.register_source("hi.txt", "{name|shout}")
    app = Application(
        [("/h", lambda: {"name": "<ada>"}, "hi.html"), ("/t", lambda: {"name": "<ada>"}, "hi.txt")],
        render_factory=factory,
    )
    client = app.get_local_client()
    assert client.get("/h").text == "<p>&lt;ADA&gt;</p>"
    assert client.get("/t").text == "<ADA>"


def test_register_adds_an_ashes_template_under_its_name() -> None:
    factory = AshesRenderFactory()
    factory.register(ashes_module.Template("greet.html", "<p>Hi {name}</p>"))
    factory.register(ashes_module.Template("ignored", "Hi {name}"), name="greet.txt")
    app = Application(
        [("/g", lambda: {"name": "<Ada>"}, "greet.html"), ("/t", lambda: {"name": "<Ada>"}, "greet.txt")],
        render_factory=factory,
    )
    client = app.get_local_client()
    assert client.get("/g").text == "<p>Hi &lt;Ada&gt;</p>"
    assert client.get("/t").text == "Hi <Ada>"
    assert factory.list_templates() == ["greet.html", "greet.txt"]


def test_register_refuses_what_it_cannot_compile() -> None:
    factory = AshesRenderFactory()
    with pytest.raises(
        TypeError, match=r"register\(\) takes an ashes\.Template, got str; for template text use register_source"
    ):
        factory.register("<p>{x}</p>")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"register\(\): template 'x\.html' was built with keep_source=False"):
        factory.register(ashes_module.Template("x.html", "{x}", keep_source=False))
    with pytest.raises(ValueError, match=r"register\(\) needs a template name, got None; pass name="):
        factory.register(ashes_module.Template(None, "{x}"))


def test_partials_are_found_among_registered_sources_and_escaped_by_their_own_extension() -> None:
    factory = AshesRenderFactory()
    factory.register_source("frame.txt", 'text {name} / {>"part.html"/}')
    factory.register_source("part.html", "<b>{name}</b>")
    app = Application([("/", lambda: {"name": "<Ada>"}, "frame.txt")], render_factory=factory)
    assert app.get_local_client().get("/").text == "text <Ada> / <b>&lt;Ada&gt;</b>"

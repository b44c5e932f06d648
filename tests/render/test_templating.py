"""Behaviour every template render factory shares, checked for each engine.

Each engine renders the same page through a real Application served on
127.0.0.1: escaping of hostile values, content types by extension,
filters and globals; and fails the build for missing or broken templates.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from render_helpers import PLAIN_500, TEMPLATES, fetch

from clastic import Application, Response
from clastic.errors import ErrorHandler
from clastic.exceptions import RenderFactoryError
from clastic.render.ashes import AshesRenderFactory
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.jinja2 import Jinja2RenderFactory
from clastic.render.mako import MakoRenderFactory
from clastic.render.templating import (
    TemplateCompileError,
    TemplateNotFoundError,
    TemplateRender,
    TemplateRenderError,
    TemplateRenderFactory,
)
from clastic.testing import LiveServer

HOSTILE_NAME = '"><script>alert(1)</script>'
HOSTILE_ITEM = "<img src=x onerror=alert(2)>"


@dataclass(frozen=True)
class Engine:
    """How one engine's test templates are named."""

    factory: type[TemplateRenderFactory]
    folder: str
    page: str
    broken: str
    broken_line: int
    failing: str

    @property
    def path(self) -> Path:
        return TEMPLATES / self.folder


ENGINES = {
    "ashes": Engine(AshesRenderFactory, "ashes", "page.html", "broken.html", 5, "failing.html"),
    "chameleon": Engine(ChameleonRenderFactory, "chameleon", "page.pt", "broken.pt", 4, "failing.pt"),
    "mako": Engine(MakoRenderFactory, "mako", "page.mako", "broken.mako", 4, "failing.mako"),
    "jinja2": Engine(Jinja2RenderFactory, "jinja2", "page.html", "broken.html", 5, "failing.html"),
}


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> Engine:
    return ENGINES[request.param]


def make_factory(engine: Engine, **options: Any) -> TemplateRenderFactory:
    options.setdefault("filters", {"shout": lambda value: str(value).upper() + "!"})
    options.setdefault("globals", {"site": "Clastic test site"})
    return engine.factory(str(engine.path), **options)


def page_context() -> dict[str, Any]:
    return {
        "title": "Greetings",
        "name": HOSTILE_NAME,
        "items": ["first", HOSTILE_ITEM],
        "trusted": "<em>trusted markup</em>",
    }


class Exploding:
    """A template value that fails when printed."""

    def __str__(self) -> str:
        raise RuntimeError("database went away")


def explode() -> str:
    raise RuntimeError("database went away")


def failing_context() -> dict[str, Any]:
    return {"title": "Report", "name": "Ada", "explode": explode, "detail": Exploding()}


# -- rendering through a real server ------------------------------------------


def test_page_renders_over_http_with_hostile_values_escaped(engine: Engine) -> None:
    app = Application([("/hello", page_context, engine.page)], render_factory=make_factory(engine))
    with LiveServer(app) as server:
        page = fetch(server.url, "/hello")
    assert page.status == 200
    assert page.content_type == "text/html; charset=utf-8"
    text = page.text
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    # The attribute value cannot be closed by the hostile quote.
    assert 'title=""' not in text
    assert "<li>first</li>" in text
    assert "<nav>Clastic test site</nav>" in text  # global
    # The filter ran and its output is escaped (Mako filters after escaping).
    assert "&lt;script&gt;alert(1)&lt;/script&gt;!" in text.lower()
    assert "ALERT(1)" in text
    assert "<em>trusted markup</em>" in text  # explicitly trusted markup is kept


def test_text_template_is_plain_text_and_not_escaped(engine: Engine) -> None:
    app = Application([("/note", lambda: {"name": "<b>Ada</b> & co"}, "note.txt")], render_factory=make_factory(engine))
    with LiveServer(app) as server:
        page = fetch(server.url, "/note")
    assert page.status == 200
    assert page.content_type == "text/plain; charset=utf-8"
    # (Jinja2 drops the final newline unless keep_trailing_newline=True.)
    assert page.text.rstrip("\n") == "Hello, <b>Ada</b> & co!"


def test_xml_template_is_escaped_and_served_as_xml(engine: Engine) -> None:
    app = Application([("/feed", lambda: {"name": "Tom & <Jerry>"}, "feed.xml")], render_factory=make_factory(engine))
    response = app.get_local_client().get("/feed")
    assert response.status_code == 200
    assert response.content_type == "application/xml; charset=utf-8"
    assert "<title>Tom &amp; &lt;Jerry&gt;</title>" in response.text


def test_content_type_can_be_overridden_per_extension(engine: Engine) -> None:
    factory = make_factory(engine, content_types={".xml": "application/atom+xml"})
    app = Application([("/feed", lambda: {"name": "news"}, "feed.xml")], render_factory=factory)
    response = app.get_local_client().get("/feed")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    assert "<title>news</title>" in response.text


def test_returned_response_skips_the_template(engine: Engine) -> None:
    app = Application(
        [("/r", lambda: Response("made by hand", status=202), engine.page)], render_factory=make_factory(engine)
    )
    response = app.get_local_client().get("/r")
    assert (response.status_code, response.text) == (202, "made by hand")


def test_non_dict_context_is_a_500_naming_the_route(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    app = Application([("/list", lambda: ["not", "a", "dict"], engine.page)], render_factory=make_factory(engine))
    with caplog.at_level(logging.ERROR):
        response = app.get_local_client().get("/list")
    assert response.status_code == 500
    assert "not" not in response.text  # production: nothing about the context
    messages = "\n".join(str(record.exc_info[1]) for record in caplog.records if record.exc_info)
    assert (
        f"route '/list': template '{engine.page}' needs a dict render context, but the endpoint returned list"
        in messages
    )


def test_render_function_is_a_template_render_with_the_compiled_template(engine: Engine) -> None:
    factory = make_factory(engine)
    app = Application([("/a", page_context, engine.page), ("/b", page_context, engine.page)], render_factory=factory)
    first, second = (route.render for route in app.routes)
    assert isinstance(first, TemplateRender)
    assert first.template_name == engine.page
    assert first.path == str(engine.path / engine.page)
    # Compiled once for the build: both routes share the engine's template object.
    assert first.template is second.template
    assert app.routes[0].render_factory is factory


# -- build-time errors ----------------------------------------------------------


def test_missing_template_fails_the_build_naming_route_path_and_closest_name(engine: Engine) -> None:
    misspelled = engine.page.replace("page", "pgae")
    with pytest.raises(RenderFactoryError, match=rf"Did you mean '{re.escape(engine.page)}'\?$") as info:
        Application([("/hello", page_context, misspelled)], render_factory=make_factory(engine))
    message = str(info.value)
    assert message.startswith(f"route '/hello': render factory could not use '{misspelled}'")
    assert f"no template '{misspelled}' in the search path ['{engine.path}']" in message
    assert f"Did you mean '{engine.page}'?" in message
    cause = info.value.__cause__
    assert isinstance(cause, TemplateNotFoundError) and isinstance(cause, LookupError)
    assert (cause.template_name, cause.search_paths, cause.suggestion) == (misspelled, (str(engine.path),), engine.page)


def test_broken_template_fails_the_build_with_its_line(engine: Engine) -> None:
    with pytest.raises(
        RenderFactoryError, match=rf"does not compile at line {engine.broken_line}: .*; fix the template$"
    ) as info:
        Application([("/broken", page_context, engine.broken)], render_factory=make_factory(engine))
    message = str(info.value)
    assert message.startswith(f"route '/broken': render factory could not use '{engine.broken}'")
    assert (
        f"template '{engine.broken}' ({engine.path / engine.broken}) does not compile at line {engine.broken_line}"
        in message
    )
    cause = info.value.__cause__
    assert isinstance(cause, TemplateCompileError)
    assert cause.line == engine.broken_line


# -- rendering errors: debug and production -------------------------------------


def test_render_error_in_production_is_a_plain_500_and_logs_the_line(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    app = Application([("/report", failing_context, engine.failing)], render_factory=make_factory(engine))
    with caplog.at_level(logging.ERROR, logger="clastic.render"), LiveServer(app) as server:
        page = fetch(server.url, "/report", headers={"Accept": "text/html"})
    assert page.status == 500
    for leak in ("database went away", engine.failing, str(TEMPLATES), "explode", "Traceback", "line 5"):
        assert leak not in page.text
    assert "Internal server error" in page.text
    (record,) = [r for r in caplog.records if r.name == "clastic.render"]
    assert record.getMessage() == (
        f"error rendering template '{engine.failing}' for route '/report' "
        f"(line 5 of {engine.path / engine.failing}): RuntimeError: database went away"
    )
    assert record.exc_info is not None


def test_render_error_in_debug_shows_template_line_and_excerpt(engine: Engine) -> None:
    app = Application(
        [("/report", failing_context, engine.failing)],
        render_factory=make_factory(engine),
        debug=True,
        error_handler=ErrorHandler(),
    )
    with LiveServer(app) as server:
        page = fetch(server.url, "/report", headers={"Accept": "text/plain"})
    assert page.status == 500
    assert f"Error rendering template '{engine.failing}' for route '/report' (line 5 of" in page.text
    assert "RuntimeError: database went away" in page.text
    marked = [line for line in page.text.splitlines() if line.startswith("> ")]
    assert len(marked) == 1 and marked[0].startswith("> 5 | ")


def test_render_error_is_a_template_render_error(engine: Engine) -> None:
    app = Application([("/report", failing_context, engine.failing)], render_factory=make_factory(engine))
    render = app.routes[0].render
    with pytest.raises(TemplateRenderError, match=PLAIN_500) as info:
        render(failing_context(), app.routes[0], app)
    assert info.value.code == 500
    assert (info.value.template_name, info.value.line) == (engine.failing, 5)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_debug_html_error_page_escapes_the_excerpt(engine: Engine) -> None:
    app = Application(
        [("/report", failing_context, engine.failing)],
        render_factory=make_factory(engine),
        debug=True,
        error_handler=ErrorHandler(),
    )
    response = app.get_local_client().get("/report", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert response.content_type == "text/html; charset=utf-8"
    assert "<pre>" in response.text
    assert "&gt; 5 | &lt;p&gt;" in response.text


# -- reloading -------------------------------------------------------------------


def copy_engine_folder(engine: Engine, tmp_path: Path) -> Path:
    folder = tmp_path / engine.folder
    shutil.copytree(engine.path, folder)
    return folder


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text().replace(old, new)
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # a visibly newer mtime


@pytest.mark.parametrize("debug", [False, True])
def test_template_changes_are_seen_in_debug_only(engine: Engine, tmp_path: Path, debug: bool) -> None:
    folder = copy_engine_folder(engine, tmp_path)
    app = Application(
        [("/note", lambda: {"name": "Ada"}, "note.txt")],
        render_factory=engine.factory(str(folder)),
        debug=debug,
        error_handler=ErrorHandler(),
    )
    client = app.get_local_client()
    assert client.get("/note").text.rstrip("\n") == "Hello, Ada!"
    rewrite(folder / "note.txt", "Hello", "Goodbye")
    expected = "Goodbye, Ada!" if debug else "Hello, Ada!"
    assert client.get("/note").text.rstrip("\n") == expected
    # In production the file is not even looked up: removing it changes nothing.
    (folder / "note.txt").unlink()
    response = client.get("/note")
    if debug:
        assert response.status_code == 500
        assert "no template 'note.txt'" in response.text
    else:
        assert (response.status_code, response.text.rstrip("\n")) == (200, "Hello, Ada!")


def test_reload_true_rereads_without_debug_and_reports_new_syntax_errors(engine: Engine, tmp_path: Path) -> None:
    folder = copy_engine_folder(engine, tmp_path)
    fresh = "fresh" + Path(engine.broken).suffix  # a markup template of this engine
    (folder / fresh).write_text((folder / "note.txt").read_text())
    app = Application(
        [("/fresh", lambda: {"name": "Ada"}, fresh)],
        render_factory=engine.factory(str(folder), reload=True),
        error_handler=ErrorHandler(),
    )
    client = app.get_local_client()
    rewrite(folder / fresh, "Hello", "Hi")
    assert client.get("/fresh").text.rstrip("\n") == "Hi, Ada!"
    (folder / fresh).write_text((folder / engine.broken).read_text())
    rewrite(folder / fresh, "<html>", "<html>")
    response = client.get("/fresh")
    assert response.status_code == 500
    assert "does not compile" not in response.text  # production body


def test_new_build_recompiles_a_changed_template(engine: Engine, tmp_path: Path) -> None:
    folder = copy_engine_folder(engine, tmp_path)
    factory = engine.factory(str(folder))
    first = Application([("/note", lambda: {"name": "Ada"}, "note.txt")], render_factory=factory)
    rewrite(folder / "note.txt", "Hello", "Welcome")
    second = Application([("/note", lambda: {"name": "Ada"}, "note.txt")], render_factory=factory)
    assert first.get_local_client().get("/note").text.rstrip("\n") == "Hello, Ada!"
    assert second.get_local_client().get("/note").text.rstrip("\n") == "Welcome, Ada!"
    third = Application([("/note", lambda: {"name": "Ada"}, "note.txt")], render_factory=factory)
    assert third.routes[0].render.template is second.routes[0].render.template  # unchanged file: reused


def test_engine_log_line_is_found_for_an_included_template() -> None:
    engine = ENGINES["jinja2"]
    app = Application(
        [("/child", lambda: {"name": "Ada", "explode": explode}, "child.html")],
        render_factory=make_factory(engine),
        debug=True,
        error_handler=ErrorHandler(),
    )
    response = app.get_local_client().get("/child")
    assert response.status_code == 500
    assert re.search(r"line 6 of \S*layout\.html", response.text)
    assert "> 6 | <footer>{{ explode() }}</footer>" in response.text


# -- factory arguments and template names ---------------------------------------


def test_template_not_valid_in_the_encoding_fails_the_build(engine: Engine, tmp_path: Path) -> None:
    name = "latin" + Path(engine.page).suffix
    (tmp_path / name).write_bytes("<p>caf\xe9 ${x}</p>\n".encode("latin-1"))
    # Mako reports the decoding failure itself; the others get Clastic's message.
    decoding = (
        r"Unicode decode operation of encoding 'utf-8' failed"
        if engine.factory is MakoRenderFactory
        else r"is not valid utf-8 text \(invalid continuation byte at byte \d+\); "
        r"save it as utf-8 or pass the factory encoding="
    )
    with pytest.raises(RenderFactoryError, match=rf"template '{name}' \(.*\) (does not compile: )?{decoding}"):
        Application([("/l", dict, name)], render_factory=engine.factory(str(tmp_path)))
    factory = engine.factory(str(tmp_path), encoding="latin-1")
    app = Application([("/l", lambda: {"x": "1"}, name)], render_factory=factory)
    assert "caf\xe9" in app.get_local_client().get("/l").text


def test_search_paths_are_checked(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "page.html").write_text("<p>one</p>")
    (tmp_path / "two" / "page.html").write_text("<p>two</p>")
    (tmp_path / "two" / "extra.html").write_text("<p>extra</p>")
    factory = Jinja2RenderFactory([tmp_path / "one", str(tmp_path / "two")])
    app = Application([("/p", dict, "page.html"), ("/e", dict, "extra.html")], render_factory=factory)
    client = app.get_local_client()
    assert (client.get("/p").text, client.get("/e").text) == ("<p>one</p>", "<p>extra</p>")  # first folder wins
    missing = tmp_path / "nope"
    with pytest.raises(
        ValueError,
        match=rf"Jinja2RenderFactory: search path '{missing}' is not a directory .*; "
        r"pass the directory that holds your templates",
    ):
        Jinja2RenderFactory(str(missing))
    with pytest.raises(ValueError, match=r"MakoRenderFactory needs at least one template directory, got \[\]"):
        MakoRenderFactory([])
    with pytest.raises(
        TypeError,
        match=r"ChameleonRenderFactory: search_paths must be a directory path or a list of them, got int \(3\)",
    ):
        ChameleonRenderFactory(3)
    with pytest.raises(TypeError, match=r"AshesRenderFactory: each search path must be a str or os.PathLike, got None"):
        AshesRenderFactory([str(tmp_path), None])


def test_factory_options_are_checked() -> None:
    folder = str(TEMPLATES / "jinja2")
    with pytest.raises(ValueError, match=r"content_types keys are extensions such as '\.xml', got 'xml'"):
        Jinja2RenderFactory(folder, content_types={"xml": "application/xml"})
    with pytest.raises(
        TypeError, match=r"autoescape must be None, True, False or a callable\(name\) -> bool, got 'yes'"
    ):
        Jinja2RenderFactory(folder, autoescape="yes")
    with pytest.raises(TypeError, match=r"filter 'shout' must be callable, got 'SHOUT'"):
        Jinja2RenderFactory(folder, filters={"shout": "SHOUT"})


def test_template_names_must_stay_in_the_search_path(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "about.html").write_text("<p>about</p>")
    factory = Jinja2RenderFactory(str(tmp_path / "pages"))
    outside = tmp_path / "secret.html"
    outside.write_text("secret")
    app = Application(
        [("/a", dict, str(tmp_path / "pages" / "about.html")), ("/b", dict, Path("about.html"))], render_factory=factory
    )
    assert [route.render.template_name for route in app.routes] == ["about.html", "about.html"]
    assert app.get_local_client().get("/a").text == "<p>about</p>"
    with pytest.raises(
        RenderFactoryError,
        match=r"template path '.*secret.html' is outside the search path .*; name templates relative to it",
    ):
        Application([("/s", dict, str(outside))], render_factory=factory)
    with pytest.raises(RenderFactoryError, match=r"template name '\.\./secret.html' climbs out of the search path"):
        Application([("/s", dict, "../secret.html")], render_factory=factory)
    with pytest.raises(
        RenderFactoryError, match=r"a render argument must be a template name such as 'home.html', got int \(42\)"
    ):
        Application([("/s", dict, 42)], render_factory=factory)


def test_name_in_another_folder_is_suggested(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "home.html").write_text("home")
    with pytest.raises(RenderFactoryError, match=r"no template 'home.html' .* Did you mean 'pages/home.html'\?"):
        Application([("/", dict, "home.html")], render_factory=Jinja2RenderFactory(str(tmp_path)))


@pytest.mark.parametrize("factory_type", [ChameleonRenderFactory, MakoRenderFactory])
def test_file_engines_refuse_templates_without_a_file(factory_type: type[TemplateRenderFactory]) -> None:
    factory = factory_type(str(TEMPLATES / "chameleon"))
    with pytest.raises(ValueError, match=rf"{factory_type.__name__} compiles template files, and 'inline' has none"):
        factory.compile_template("inline", None, True)


def test_a_render_function_can_be_called_with_just_a_dict(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    # The documents: the factory "returns a function that can be passed a dictionary".
    render = make_factory(engine)(engine.page)
    response = render(page_context())
    assert isinstance(response, Response) and response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Greetings" in body and HOSTILE_ITEM not in body  # escaped as through an Application
    with pytest.raises(
        TypeError, match=r"route \(none: the render function was called directly\): template .* needs a dict"
    ):
        render(["not", "a", "dict"])
    failing = make_factory(engine)(engine.failing)
    with (
        caplog.at_level(logging.ERROR, logger="clastic.render"),
        pytest.raises(TemplateRenderError, match=PLAIN_500) as caught,
    ):
        failing(failing_context())
    error = caught.value
    assert error.code == 500 and "database went away" not in str(error.get_data(as_text=True))
    assert "called directly" in caplog.text

"""``AshesRenderFactory(env=...)``: an existing ``ashes.AshesEnv``, as Clastic 26 accepted.

The factory takes the environment's template folders, registered templates,
helpers, filters and defaults, and still compiles and renders every template
itself: escaping by extension, missing templates failing the build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ashes
import pytest

from clastic import Application
from clastic.exceptions import RenderFactoryError
from clastic.render.ashes import AshesRenderFactory
from clastic.render.templating import TemplateNotFoundError


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def person() -> dict[str, Any]:
    return {"name": "<Ada>"}


@pytest.fixture
def env_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "env_templates"
    write(folder, "page.html", '{>"nav.html"/}<h1>Hi {name}</h1>')
    write(folder, "nav.html", "<nav>{name}</nav>")
    write(folder, "note.txt", "Hi {name}")
    return folder


def test_env_with_a_path_loader_serves_its_templates_escaped_by_extension(env_dir: Path) -> None:
    env = ashes.AshesEnv(paths=[str(env_dir)])
    factory = AshesRenderFactory(env=env)
    assert factory.search_paths == (str(env_dir),)
    assert factory.source_env is env
    app = Application([("/page", person, "page.html"), ("/note", person, "note.txt")], render_factory=factory)
    client = app.get_local_client()
    page = client.get("/page")
    assert (page.status_code, page.content_type) == (200, "text/html; charset=utf-8")
    assert page.text == "<nav>&lt;Ada&gt;</nav><h1>Hi &lt;Ada&gt;</h1>"
    note = client.get("/note")
    assert (note.content_type, note.text) == ("text/plain; charset=utf-8", "Hi <Ada>")
    # The factory's own environment stays the one env returns (Clastic 26's attribute).
    assert factory.env is factory.envs[True] and factory.env is not env


def test_env_with_registered_templates(env_dir: Path) -> None:
    env = ashes.AshesEnv()
    env.register_source("card.html", '<div>{>"badge.html"/}{name}</div>')
    env.register_source("badge.html", "<b>{name|s}</b>")
    env.register_path(str(write(env_dir, "loaded.txt", "file {name}")), name="loaded.txt")
    factory = AshesRenderFactory(env=env)
    # Registered after the factory was made: still found (the env is consulted, not copied).
    env.register_source("late.txt", "late {name}")
    routes = [("/card", person, "card.html"), ("/loaded", person, "loaded.txt"), ("/late", person, "late.txt")]
    app = Application(routes, render_factory=factory)
    client = app.get_local_client()
    assert client.get("/card").text == "<div><b><Ada></b>&lt;Ada&gt;</div>"
    assert client.get("/loaded").text == "file <Ada>"
    assert client.get("/late").text == "late <Ada>"
    assert factory.list_templates() == ["badge.html", "card.html", "late.txt", "loaded.txt"]
    # The template registered from a file keeps its file: errors and reloads point there.
    assert app.routes[1].render.path == str(env_dir / "loaded.txt")


def test_env_templates_loaded_with_load_all_keep_their_files(env_dir: Path) -> None:
    env = ashes.AshesEnv(paths=[str(env_dir)])
    env.load_all()
    factory = AshesRenderFactory(env=env, reload=True)
    app = Application([("/page", person, "page.html")], render_factory=factory)
    client = app.get_local_client()
    assert client.get("/page").text == "<nav>&lt;Ada&gt;</nav><h1>Hi &lt;Ada&gt;</h1>"
    changed = write(env_dir, "page.html", "<h2>{name}</h2>\n")
    later = changed.stat().st_mtime + 10
    os.utime(changed, (later, later))
    assert client.get("/page").text == "<h2>&lt;Ada&gt;</h2>\n"


def test_env_helpers_filters_and_defaults_are_shared() -> None:
    def greet(chunk: Any, context: Any, bodies: Any, params: Any) -> Any:
        return chunk.write("Hello, ")

    env = ashes.AshesEnv(
        filters={"shout": lambda value: str(value).upper()}, helpers={"greet": greet}, defaults={"site": "Ex<>"}
    )
    factory = AshesRenderFactory(env=env)
    factory.register_source("hi.html", "{@greet/}{name|shout} @ {site}")
    factory.register_source("hi.txt", "{@greet/}{name|shout}|{name|tiny}")
    # A filter added to the environment after the factory was made reaches its templates.
    env.filters["tiny"] = lambda value: str(value).lower()
    app = Application([("/h", person, "hi.html"), ("/t", person, "hi.txt")], render_factory=factory)
    client = app.get_local_client()
    assert client.get("/h").text == "Hello, &lt;ADA&gt; @ Ex&lt;&gt;"
    assert client.get("/t").text == "Hello, <ADA>|<ada>"
    assert factory.env.filters is env.filters and factory.envs[False].helpers is env.helpers


def test_missing_template_fails_the_build_as_ashes_template_not_found(env_dir: Path) -> None:
    env = ashes.AshesEnv(paths=[str(env_dir)])
    env.register_source("card.html", "<div/>")
    factory = AshesRenderFactory(env=env)
    with pytest.raises(
        ashes.TemplateNotFound,
        match=r"route '/': render factory could not use 'pgae\.html': AshesRenderFactory: "
        r"no template 'pgae\.html' in the search path \[.*\] "
        r"\(templates there: 'card\.html', 'nav\.html', 'note\.txt', 'page\.html'\)\. Did you mean 'page\.html'\?",
    ) as info:
        Application([("/", person, "pgae.html")], render_factory=factory)
    assert isinstance(info.value, RenderFactoryError) and isinstance(info.value, TemplateNotFoundError)
    env.register_source("broken_partial.html", '{>"nowhere.html"/}')
    with pytest.raises(
        ashes.TemplateNotFound,
        match=r"template 'broken_partial\.html' uses 'nowhere\.html', but there is no such template",
    ):
        Application([("/", person, "broken_partial.html")], render_factory=factory)


def test_env_plus_template_paths_searches_both_in_order(tmp_path: Path, env_dir: Path) -> None:
    own = tmp_path / "own"
    write(own, "note.txt", "own {name}")  # shadows the env's note.txt
    write(own, "only_own.txt", "only own")
    env = ashes.AshesEnv(paths=[str(env_dir)])
    factory = AshesRenderFactory(template_paths=[str(own)], env=env)
    assert factory.search_paths == (str(own), str(env_dir))
    app = Application(
        [("/note", person, "note.txt"), ("/own", person, "only_own.txt"), ("/page", person, "page.html")],
        render_factory=factory,
    )
    client = app.get_local_client()
    assert [client.get(path).text for path in ("/note", "/own")] == ["own <Ada>", "only own"]
    assert client.get("/page").text == "<nav>&lt;Ada&gt;</nav><h1>Hi &lt;Ada&gt;</h1>"
    # The same folder given twice is searched once.
    assert AshesRenderFactory(str(env_dir), env=env).search_paths == (str(env_dir),)


class DictLoader:
    """A loader class the factory does not know: it must ask ``env.load``."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.sources = sources
        self.asked: list[str] = []

    def load(self, name: str, env: Any = None) -> ashes.Template:
        self.asked.append(name)
        if name not in self.sources:
            raise ashes.TemplateNotFound(name)
        return ashes.Template(name, self.sources[name], env=env)


def test_custom_loaders_are_asked_for_names_found_nowhere_else(env_dir: Path) -> None:
    loader = DictLoader({"from_loader.html": '<i>{name}</i>{>"nav.html"/}', "plain.txt": "{name}"})
    env = ashes.AshesEnv(paths=[str(env_dir)])
    env.loaders.append(loader)
    factory = AshesRenderFactory(env=env)
    assert factory.asks_source_env
    app = Application(
        [("/l", person, "from_loader.html"), ("/p", person, "plain.txt"), ("/page", person, "page.html")],
        render_factory=factory,
    )
    client = app.get_local_client()
    # Rendered by the factory: escaped by extension, its partial from the path loader's folder.
    assert client.get("/l").text == "<i>&lt;Ada&gt;</i><nav>&lt;Ada&gt;</nav>"
    assert client.get("/p").text == "<Ada>"
    assert client.get("/page").text == "<nav>&lt;Ada&gt;</nav><h1>Hi &lt;Ada&gt;</h1>"
    assert loader.asked == ["from_loader.html", "plain.txt"]  # files on the search path come first
    with pytest.raises(ashes.TemplateNotFound, match=r"no template 'absent\.html' in the search path"):
        Application([("/", person, "absent.html")], render_factory=factory)


def test_flattening_loader_is_asked_through_the_env(env_dir: Path) -> None:
    write(env_dir, "deep/er/leaf.html", "<leaf>{name}</leaf>")
    env = ashes.AshesEnv()
    env.loaders.append(ashes.FlatteningPathLoader(str(env_dir)))
    env.load_all()  # FlatteningPathLoader names templates by their base name
    factory = AshesRenderFactory(env=env)
    assert factory.search_paths == ()
    app = Application([("/", person, "leaf.html")], render_factory=factory)
    assert app.get_local_client().get("/").text == "<leaf>&lt;Ada&gt;</leaf>"


def test_template_registered_without_source_renders_as_the_env_compiled_it() -> None:
    env = ashes.AshesEnv()
    env.register(ashes.Template("opaque.html", "<p>{name}</p>", keep_source=False, env=env))
    app = Application([("/", person, "opaque.html")], render_factory=AshesRenderFactory(env=env))
    response = app.get_local_client().get("/")
    assert (response.content_type, response.text) == ("text/html; charset=utf-8", "<p>&lt;Ada&gt;</p>")


def test_keep_whitespace_follows_the_env_unless_given() -> None:
    source = "<p>\n  {name}\n</p>"
    for env, keep, expected in [
        (ashes.AshesEnv(keep_whitespace=False), None, "<p>&lt;Ada&gt;</p>"),
        (ashes.AshesEnv(), None, "<p>\n  &lt;Ada&gt;\n</p>"),
        (ashes.AshesEnv(keep_whitespace=False), True, "<p>\n  &lt;Ada&gt;\n</p>"),
    ]:
        factory = AshesRenderFactory(env=env, keep_whitespace=keep)
        factory.register_source("w.html", source)
        app = Application([("/", person, "w.html")], render_factory=factory)
        assert app.get_local_client().get("/").text == expected


def test_env_argument_mistakes_are_named(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"AshesRenderFactory: env= takes an ashes\.AshesEnv, got dict \(\{\}\)"):
        AshesRenderFactory(env={})
    with pytest.raises(
        TypeError,
        match=r"AshesRenderFactory: helpers, filters cannot be combined with env=, whose own are used; "
        r"add them to that environment \(env\.filters\['name'\] = func",
    ):
        AshesRenderFactory(env=ashes.AshesEnv(), helpers={"h": print}, filters={"f": str})
    with pytest.raises(
        TypeError,
        match=r"AshesRenderFactory: \['is_strict'\] configure a new Ashes environment "
        r"and do not apply to the one passed as env=",
    ):
        AshesRenderFactory(env=ashes.AshesEnv(), is_strict=True)
    env = ashes.AshesEnv(paths=[str(tmp_path / "gone")])
    with pytest.raises(
        ValueError,
        match=r"AshesRenderFactory: the env= environment's TemplatePathLoader root '.*gone' is not a directory",
    ):
        AshesRenderFactory(env=env)

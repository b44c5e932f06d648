"""Engine choice by extension: :class:`clastic.render.auto.AutoRenderFactory` and the entry points."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

import pytest
from render_helpers import TEMPLATES, fetch

from clastic import Application
from clastic.exceptions import RenderFactoryError
from clastic.plugins import RENDER_FACTORIES_GROUP, iter_plugins
from clastic.render import auto
from clastic.render.ashes import AshesRenderFactory
from clastic.render.auto import AutoRenderFactory, discover_render_factories
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.jinja2 import Jinja2RenderFactory
from clastic.render.mako import MakoRenderFactory
from clastic.testing import LiveServer

ALL_DIRS = [str(TEMPLATES / name) for name in ("ashes", "chameleon", "mako", "jinja2")]


def greeting() -> dict[str, Any]:
    return {
        "title": "T",
        "name": "<Ada>",
        "items": [],
        "trusted": "",
        "site": "S",
        "shout": str.upper,
    }


def test_the_four_factories_are_declared_as_entry_points() -> None:
    found = {entry_point.name: obj for entry_point, obj in iter_plugins(RENDER_FACTORIES_GROUP)}
    assert found["ashes"] is AshesRenderFactory
    assert found["chameleon"] is ChameleonRenderFactory
    assert found["mako"] is MakoRenderFactory
    assert found["jinja2"] is Jinja2RenderFactory
    assert discover_render_factories() == {name: found[name] for name in ("ashes", "chameleon", "jinja2", "mako")}
    claimed = [ext for factory in found.values() for ext in factory.extensions]
    assert len(claimed) == len(set(claimed))  # no two first-party engines claim one extension


def test_each_route_gets_the_engine_its_extension_names() -> None:
    factory = AutoRenderFactory(ALL_DIRS, default="ashes", filters={"shout": str.upper})
    routes = [
        ("/dust", lambda: {"name": "<Ada>"}, "page.dust"),
        ("/pt", greeting, "page.pt"),
        ("/mako", greeting, "page.mako"),
        ("/css", lambda: {"name": "<Ada>"}, "style.css.j2"),
        ("/html", lambda: {"name": "<Ada>"}, "nav.html"),
    ]
    app = Application(routes, render_factory=factory)
    engines = {route.pattern: type(route.render.factory) for route in app.routes}
    assert engines == {
        "/dust": AshesRenderFactory,
        "/pt": ChameleonRenderFactory,
        "/mako": MakoRenderFactory,
        "/css": Jinja2RenderFactory,
        "/html": AshesRenderFactory,  # the default for unclaimed .html
    }
    with LiveServer(app) as server:
        assert fetch(server.url, "/dust").text == "<p>&lt;Ada&gt;</p>\n"
        assert "Hello, &lt;Ada&gt;!" in fetch(server.url, "/pt").text
        assert "Hello, &lt;Ada&gt;!" in fetch(server.url, "/mako").text
        css = fetch(server.url, "/css")
        assert (css.content_type, css.text) == ("text/css; charset=utf-8", 'body::before { content: "<Ada>"; }')
    # One factory per engine, shared by its routes.
    assert app.routes[1].render.factory is factory.engine_for("other.pt")


def test_unclaimed_extension_without_default_fails_the_build() -> None:
    with pytest.raises(RenderFactoryError, match=r"no installed template engine claims the extension '\.html'") as info:
        Application([("/", dict, "home.html")], render_factory=AutoRenderFactory(ALL_DIRS))
    message = str(info.value)
    assert message.startswith(
        "route '/': render factory could not use 'home.html': "
        "AutoRenderFactory: no installed template engine claims the extension '.html' of template 'home.html'"
    )
    assert "pass default='ashes' (or another of ['ashes', 'chameleon', 'jinja2', 'mako'])" in message


def test_engines_override_and_engine_options() -> None:
    factory = AutoRenderFactory(
        [str(TEMPLATES / "jinja2")],
        engines={".html": "jinja2", ".TXT": Jinja2RenderFactory},
        engine_options={"jinja2": {"keep_trailing_newline": True}},
    )
    app = Application(
        [("/nav", lambda: {"site": "<S>"}, "nav.html"), ("/note", lambda: {"name": "A"}, "note.txt")],
        render_factory=factory,
    )
    client = app.get_local_client()
    assert client.get("/nav").text == "<nav>&lt;S&gt;</nav>\n"  # Jinja2 syntax, trailing newline kept
    assert client.get("/note").text == "Hello, A!"  # a class gets the shared options only
    assert type(app.routes[1].render.factory) is Jinja2RenderFactory


def test_a_configured_factory_instance_is_used_as_is() -> None:
    mine = AshesRenderFactory(str(TEMPLATES / "ashes"), globals={"site": "mine"})
    factory = AutoRenderFactory(str(TEMPLATES / "ashes"), default=mine)
    app = Application([("/nav", dict, "nav.html")], render_factory=factory)
    assert app.routes[0].render.factory is mine
    assert app.get_local_client().get("/nav").text == "<nav>mine</nav>\n"


def test_unknown_engine_names_and_bad_values_are_refused() -> None:
    with pytest.raises(
        LookupError,
        match=r"default names the engine 'jinja', which is not installed "
        r"\(installed render factories: \['ashes', 'chameleon', 'jinja2', 'mako'\]\)\. Did you mean 'jinja2'\?",
    ):
        AutoRenderFactory(ALL_DIRS, default="jinja")
    with pytest.raises(LookupError, match=r"engine_options names the engine 'makoo'"):
        AutoRenderFactory(ALL_DIRS, engine_options={"makoo": {}})
    with pytest.raises(ValueError, match=r"engines keys are extensions such as '\.html', got 'html'"):
        AutoRenderFactory(ALL_DIRS, engines={"html": "ashes"})
    with pytest.raises(
        TypeError,
        match=r"engines\['\.html'\] must be an engine name such as 'ashes', "
        r"a render factory class or a render factory instance, got 42",
    ):
        AutoRenderFactory(ALL_DIRS, engines={".html": 42})
    with pytest.raises(TypeError, match=r"a render argument must be a template name such as 'home.html', got 7"):
        AutoRenderFactory(ALL_DIRS)(7)


class FakeEngine(AshesRenderFactory):
    extensions = (".tpl",)


class OtherFakeEngine(AshesRenderFactory):
    extensions = (".tpl", ".other")


def test_two_plugins_claiming_one_extension_must_be_disambiguated(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_plugins(group: str) -> list[tuple[EntryPoint, Any]]:
        assert group == RENDER_FACTORIES_GROUP
        return [
            (EntryPoint("fake", "tests:FakeEngine", group), FakeEngine),
            (EntryPoint("other", "tests:OtherFakeEngine", group), OtherFakeEngine),
            (EntryPoint("junk", "tests:junk", group), object()),  # not a factory: ignored
        ]

    monkeypatch.setattr(auto, "iter_plugins", fake_plugins)
    factory = AutoRenderFactory(str(TEMPLATES / "ashes"))
    assert sorted(factory.available) == ["fake", "other"]
    with pytest.raises(
        LookupError,
        match=r"the extension '\.tpl' is claimed by several render factories \(fake, other\); "
        r"choose one with engines=\{'\.tpl': 'fake'\}",
    ):
        factory("page.tpl")
    assert isinstance(factory.engine_for("x.other"), OtherFakeEngine)
    chosen = AutoRenderFactory(str(TEMPLATES / "ashes"), engines={".tpl": "other"})
    assert isinstance(chosen.engine_for("page.tpl"), OtherFakeEngine)

"""Template renders of embedded Applications, per the render binding rules.

An embedded Application keeps the renders its own factory built, unless it
is embedded with ``rebind_render=True``: then the embedding Application's
factory rebuilds them from the original template names (BEHAVIOUR.md §6e).
"""

from __future__ import annotations

import pytest
from render_helpers import TEMPLATES, fetch

from clastic import Application, SubApplication, render_basic
from clastic.errors import ErrorHandler
from clastic.exceptions import RenderFactoryError
from clastic.render.ashes import AshesRenderFactory
from clastic.render.jinja2 import Jinja2RenderFactory
from clastic.testing import LiveServer


def word() -> dict[str, str]:
    return {"word": "<hi>"}


def make_child() -> tuple[Application, AshesRenderFactory]:
    factory = AshesRenderFactory(str(TEMPLATES / "child"))
    routes = [("/page", word, "page.html"), ("/plain", lambda: "plain text", render_basic)]
    return Application(routes, render_factory=factory), factory


def test_parent_without_factory_keeps_the_child_renders() -> None:
    child, child_factory = make_child()
    parent = Application([("/child", child)])
    assert parent.routes[0].pattern == "/child/page"
    assert parent.routes[0].render_factory is child_factory
    with LiveServer(parent) as server:
        page = fetch(server.url, "/child/page")
    assert (page.status, page.text) == (200, "<p>child says &lt;hi&gt;</p>\n")


def test_parent_factory_renders_its_own_routes_and_keeps_the_child_ones() -> None:
    child, child_factory = make_child()
    parent_factory = AshesRenderFactory(str(TEMPLATES / "parent"))
    parent = Application(
        [("/", lambda: {}, "home.html"), ("/child", child), ("/page", word, "page.html")], render_factory=parent_factory
    )
    by_pattern = {route.pattern: route for route in parent.routes}
    assert by_pattern["/child/page"].render_factory is child_factory
    assert by_pattern["/page"].render_factory is parent_factory
    with LiveServer(parent) as server:
        assert fetch(server.url, "/").text == "<h1>parent home</h1>\n"
        assert fetch(server.url, "/child/page").text == "<p>child says &lt;hi&gt;</p>\n"
        assert fetch(server.url, "/page").text == "<p>parent says &lt;hi&gt;</p>\n"


@pytest.mark.parametrize("how", ["SubApplication", "add"])
def test_rebind_render_rebuilds_child_templates_with_the_parent_factory(how: str) -> None:
    child, _ = make_child()
    parent_factory = AshesRenderFactory(str(TEMPLATES / "parent"))
    if how == "SubApplication":
        parent = Application([SubApplication("/child", child, rebind_render=True)], render_factory=parent_factory)
    else:
        parent = Application(render_factory=parent_factory)
        parent.add(("/child", child), rebind_render=True)
    page_route, plain_route = parent.routes
    assert page_route.render_factory is parent_factory
    assert page_route.render.path == str(TEMPLATES / "parent" / "page.html")
    # A render function (not a template name) is never rebuilt.
    assert plain_route.render is render_basic and plain_route.render_factory is None
    with LiveServer(parent) as server:
        assert fetch(server.url, "/child/page").text == "<p>parent says &lt;hi&gt;</p>\n"
        assert fetch(server.url, "/child/plain").text == "plain text"


def test_rebind_render_can_switch_engines() -> None:
    child, _ = make_child()
    parent = Application(
        [SubApplication("/child", child, rebind_render=True)],
        render_factory=Jinja2RenderFactory(str(TEMPLATES / "parent_jinja2")),
    )
    response = parent.get_local_client().get("/child/page")
    assert response.text == "<p>jinja2 parent says &lt;hi&gt;</p>"


def test_rebind_render_without_parent_factory_keeps_the_child_renders() -> None:
    child, child_factory = make_child()
    parent = Application([SubApplication("/child", child, rebind_render=True)])
    assert parent.routes[0].render_factory is child_factory
    assert parent.get_local_client().get("/child/page").text == "<p>child says &lt;hi&gt;</p>\n"


def test_rebind_render_fails_the_build_when_the_parent_lacks_a_template() -> None:
    factory = AshesRenderFactory(str(TEMPLATES / "child"))
    child = Application([("/only", word, "only_child.html")], render_factory=factory)
    parent_factory = AshesRenderFactory(str(TEMPLATES / "parent"))
    with pytest.raises(RenderFactoryError, match=r"no template 'only_child\.html' in the search path") as info:
        Application([SubApplication("/child", child, rebind_render=True)], render_factory=parent_factory)
    message = str(info.value)
    assert message.startswith("route '/child/only': render factory could not use 'only_child.html'")
    assert f"no template 'only_child.html' in the search path ['{TEMPLATES / 'parent'}']" in message
    # Without rebinding, the same embedding builds fine.
    Application([SubApplication("/child", child)], render_factory=parent_factory)


class Exploding:
    def __str__(self) -> str:
        raise RuntimeError("secret detail")


@pytest.mark.parametrize(("child_debug", "parent_debug"), [(False, True), (True, False)])
def test_the_serving_application_decides_debug_output(child_debug: bool, parent_debug: bool) -> None:
    factory = AshesRenderFactory(str(TEMPLATES / "child"))
    child = Application(
        [("/fail", lambda: {"title": "t", "explode": Exploding()}, "failing.html")],
        render_factory=factory,
        debug=child_debug,
        error_handler=ErrorHandler(),
    )
    parent = Application([("/child", child)], debug=parent_debug, error_handler=ErrorHandler())
    response = parent.get_local_client().get("/child/fail", headers={"Accept": "text/plain"})
    assert response.status_code == 500
    assert ("RuntimeError: secret detail" in response.text) is parent_debug
    assert ("> 2 | <p>{explode}</p>" in response.text) is parent_debug

"""clastic.contrib.obj_browser: redirects, pages, JSON, 404/400/403, and its helpers."""

from __future__ import annotations

import re
import sys
import types
from typing import Any

from clastic import Application
from clastic.contrib import obj_browser
from clastic.contrib.obj_browser import (
    create_app,
    format,
    get_referree_key_obj_list,
    get_referrer_key_obj_list,
    keyof,
    render_html,
    tolabel,
    view_obj,
)


class Widget:
    """A widget with an attribute that needs escaping and a property that must not run."""

    kind = "gadget"

    def __init__(self) -> None:
        self.name = "<script>alert('x')</script>"
        self.parts = ["bolt", "nut"]
        self.property_reads = 0

    @property
    def expensive(self) -> str:
        self.property_reads += 1
        raise RuntimeError("a property was evaluated")

    def describe(self) -> str:
        return self.name


class Slotted:
    __slots__ = ("empty", "filled")

    def __init__(self) -> None:
        self.filled = ["in a slot"]


WIDGET = Widget()
HOLDER = {"the widget": WIDGET}


def test_root_redirects_to_the_default_object(local_get: Any) -> None:
    response = local_get(create_app(), "/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{id(sys)}"
    response = local_get(create_app(default_obj=WIDGET), "/?format=json")
    assert response.headers["Location"] == f"/{id(WIDGET)}?format=json"


def test_root_redirect_keeps_the_mount_prefix(local_get: Any) -> None:
    app = Application([("/tools/objs", create_app(default_obj=WIDGET))])
    for path in ("/tools/objs", "/tools/objs/"):
        response = local_get(app, path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/tools/objs/{id(WIDGET)}"


def test_json_shows_attributes_referents_and_referrers_without_running_properties(local_get: Any) -> None:
    response = local_get(create_app(), f"/{id(WIDGET)}?format=json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["id"] == id(WIDGET)
    assert data["type"] == f"{__name__}.Widget"
    assert data["label"].startswith(f"{__name__}.Widget <{__name__}.Widget object at 0x")
    assert data["default_id"] == id(sys)
    attributes = {entry["name"]: entry for entry in data["attributes"]}
    assert attributes["name"]["kind"] == "attribute"
    assert attributes["name"]["label"] == "str \"<script>alert('x')</script>\""
    assert attributes["parts"]["id"] == id(WIDGET.parts)
    assert attributes["kind"]["kind"] == "class attribute of Widget"
    assert attributes["describe"]["kind"] == "class attribute of Widget"
    assert attributes["expensive"]["kind"] == "property (not evaluated)"
    assert WIDGET.property_reads == 0
    referents = {entry["key"]: entry["id"] for entry in data["referents"]}
    assert referents[".__class__"] == id(Widget)
    # An instance refers to its attributes directly, or to its __dict__ once one was made.
    assert referents.get(".parts") == id(WIDGET.parts) or referents.get(".__dict__") == id(WIDGET.__dict__)
    referrers = {entry["id"]: entry["key"] for entry in data["referrers"]}
    assert referrers[id(HOLDER)] == "['the widget']"
    assert data["counts"]["referrers"] == len(data["referrers"])


def test_the_page_escapes_everything_and_links_each_object(local_get: Any) -> None:
    app = Application([("/objs", create_app(default_obj=WIDGET))])
    response = local_get(app, f"/objs/{id(WIDGET)}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'nonce-" in response.headers["Content-Security-Policy"]
    page = response.text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert f'href="/objs/{id(WIDGET.parts)}"' in page
    assert f'href="/objs/{id(HOLDER)}"' in page
    assert f'<a href="/objs/{id(WIDGET)}?format=json">JSON</a>' in page
    assert f'<a href="/objs/{id(WIDGET)}">Default object</a>' in page
    assert re.search(r"<h2>Referred to by</h2><span class=\"group\">\d+</span>", page)


def test_objects_the_collector_does_not_track_are_found_through_their_referrers(local_get: Any) -> None:
    app = create_app(default_obj=WIDGET)
    name_id = {e["name"]: e["id"] for e in local_get(app, f"/{id(WIDGET)}?format=json").get_json()["attributes"]}[
        "name"
    ]
    data = local_get(app, f"/{name_id}?format=json").get_json()
    assert data["type"] == "str"
    assert data["repr"] == repr(WIDGET.name)
    assert data["length"] == len(WIDGET.name)


def test_an_unknown_id_is_a_404_naming_it(local_get: Any) -> None:
    response = local_get(create_app(), "/12345")
    assert response.status_code == 404
    assert (
        "no live object has id 12345 (it may have been collected since it was linked); "
        f"start again from the default object at /{id(sys)}"
    ) in response.text
    assert local_get(create_app(), "/not-a-number").status_code == 404


def test_an_unknown_format_is_a_400_naming_it(local_get: Any) -> None:
    response = local_get(create_app(), f"/{id(sys)}?format=xml")
    assert response.status_code == 400
    assert "unsupported format 'xml' in ?format=; use one of ['html', 'json']" in response.text


def test_only_loopback_clients_are_served_by_default(local_get: Any) -> None:
    app = create_app()
    response = local_get(app, f"/{id(sys)}", remote_addr="10.1.2.3")
    assert response.status_code == 403
    assert "served to loopback clients (127.0.0.0/8 and ::1) only, and this request came from 10.1.2.3" in response.text
    rebound = local_get(app, f"/{id(sys)}", headers={"Host": "attacker.example"})
    assert rebound.status_code == 403
    assert "DNS rebinding" in rebound.text
    opened = create_app(allow=["10.0.0.0/8"])
    assert local_get(opened, f"/{id(sys)}?format=json", remote_addr="10.1.2.3").status_code == 200


def test_keyof_says_where_a_container_holds_an_object() -> None:
    item = ["x"]
    assert keyof(item, {"k": item}) == "['k']"
    assert keyof(item, {("tuple", "key"): 1, "k2": 2} | {"v": item}) == "['v']"
    key = ("a", "b")
    assert keyof(key, {key: 1}) == "(key)"
    assert keyof(item, [0, 1, item]) == "[2]"
    assert keyof(item, (item,)) == "[0]"
    assert keyof(key, {key}) == "(member)"
    widget = Widget()
    assert keyof(widget.parts, widget) == ".parts"
    assert keyof(Widget, widget) == ".__class__"
    slotted = Slotted()
    assert keyof(slotted.filled, slotted) == ".filled"
    assert keyof(item, widget) is None

    def func() -> None:
        pass

    assert keyof(func.__globals__, func) == ".__globals__"


def test_referent_and_referrer_lists_pair_keys_with_objects() -> None:
    first, second = object(), object()
    pair = [first, second]
    assert get_referree_key_obj_list(pair) == [("[0]", first), ("[1]", second)]
    assert get_referree_key_obj_list({"k": first}) == [("(key)", "k"), ("['k']", first)]
    instance = Slotted()
    assert (".filled", instance.filled) in get_referree_key_obj_list(instance)
    marker = ["marker"]
    shelf = {"slot": marker}
    found = [(key, ref) for key, ref in get_referrer_key_obj_list(marker) if ref is shelf]
    assert found == [("['slot']", shelf)]
    # The browser's own frames are left out.
    assert not any(isinstance(ref, types.FrameType) for _key, ref in get_referrer_key_obj_list(marker))


def test_tolabel_and_format_show_objects_briefly_and_safely() -> None:
    assert tolabel(sys) == "module sys"
    assert tolabel(Widget) == f"class {__name__}.Widget"
    assert tolabel(len) == "builtin_function_or_method len"
    assert tolabel(Widget.describe) == "function Widget.describe"
    assert tolabel({"a": 1}) == "dict {'a': 1}"
    long_label = tolabel("x" * 500)
    assert long_label.startswith("str 'xxxxxxxxxx") and "..." in long_label and len(long_label) < 70
    assert len(tolabel({str(n): "y" * 50 for n in range(10)})) == 120

    class Broken:
        def __repr__(self) -> str:
            raise ValueError("no repr")

    assert format(Broken()).startswith("<Broken instance at 0x")
    assert len(format("z" * 10_000)) < 2100
    assert format([1, 2]) == "[1, 2]"


def test_render_html_escapes_the_context_it_is_given() -> None:
    context = {
        "id": 7,
        "type": "str",
        "label": "<b>label</b>",
        "repr": "'<i>value</i>'",
        "length": 3,
        "browser_root": "/objs",
        "default_id": 9,
        "counts": {"attributes": 1, "referents": 0, "referrers": 0},
        "attributes": [{"name": "<n>", "kind": "attribute", "id": 8, "type": "int", "label": "int <1>"}],
        "referents": [],
        "referrers": [],
    }
    page = render_html(context, nonce="abc")
    assert "<b>" not in page and "<i>" not in page and "<n>" not in page
    assert '<style nonce="abc">' in page
    assert '<a class="obj-link" href="/objs/8" title="id 8">int &lt;1&gt;</a>' in page
    assert "<title>&lt;b&gt;label&lt;/b&gt; · object browser</title>" in page
    assert "It refers to no object." in page


def test_view_obj_is_the_route_endpoint() -> None:
    app = create_app()
    assert app.routes[0].endpoint is view_obj
    assert obj_browser.MAX_ROWS == 500


BIG_LIST = [object() for _ in range(600)]


def test_long_tables_show_the_first_rows_and_say_how_many_more(local_get: Any) -> None:
    app = create_app()
    data = local_get(app, f"/{id(BIG_LIST)}?format=json").get_json()
    assert data["counts"]["referents"] == 600
    assert len(data["referents"]) == obj_browser.MAX_ROWS
    assert data["referents"][499] == {
        "key": "[499]",
        "id": id(BIG_LIST[499]),
        "type": "object",
        "label": tolabel(BIG_LIST[499]),
    }
    page = local_get(app, f"/{id(BIG_LIST)}").text
    assert '<p class="more">100 more not shown (the first 500 of 600).</p>' in page

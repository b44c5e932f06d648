"""The dev server's /_meta/ mount, found through the clastic.dev_mounts entry-point group."""

from __future__ import annotations

from typing import Any

from clastic import Application, render_basic
from clastic.meta import MetaApplication, MetaDevMount, dev_mount
from clastic.plugins import DEV_MOUNTS_GROUP, DevMount, iter_plugins


def _meta_mount() -> Any:
    found = {entry_point.name: obj for entry_point, obj in iter_plugins(DEV_MOUNTS_GROUP)}
    return found["meta"]


def test_the_meta_mount_is_registered() -> None:
    mount = _meta_mount()
    assert mount is dev_mount
    assert isinstance(mount, DevMount)
    assert mount.name == "meta"


def test_entries_mount_a_meta_application_at_meta(meta_get: Any) -> None:
    entries = _meta_mount().entries({"use_meta": True, "port": 5000})
    assert len(entries) == 1
    (prefix, meta), index = entries[0]
    assert (prefix, index) == ("/_meta/", 0)
    assert isinstance(meta, MetaApplication)
    app = Application([("/", lambda: "home", render_basic)])
    for entry, position in entries:
        app.add(entry, index=position)
    body = meta_get(app, "/_meta/json/").get_json()
    assert [r["pattern"] for r in body["app"]["routes"]] == ["/_meta/", "/_meta/json/", "/"]


def test_a_catch_all_route_does_not_hide_the_meta_page(meta_get: Any) -> None:
    from clastic.server import make_dev_app

    app = Application([("/<alias>", lambda alias: f"alias {alias}", render_basic)])
    served = make_dev_app(app, use_static=False)
    assert meta_get(served, "/_meta/json/").status_code == 200
    assert meta_get(served, "/abc").get_data(as_text=True) == "alias abc"


def test_entries_default_to_mounting_and_respect_use_meta() -> None:
    assert len(dev_mount.entries({})) == 1
    assert dev_mount.entries({"use_meta": False}) == []
    # Each call builds a fresh MetaApplication, so two servers never share one.
    first, second = dev_mount.entries({}), dev_mount.entries({})
    assert first[0][0][1] is not second[0][0][1]
    assert MetaDevMount(prefix="/_debug/meta/").entries({})[0][0][0] == "/_debug/meta/"


def test_the_development_server_mounts_the_meta_page(meta_get: Any) -> None:
    from clastic.server import make_dev_app

    app = Application([("/", lambda: "home", render_basic)], resources={"api_token": "tok-5521"})
    served = make_dev_app(app, use_static=False)
    body = meta_get(served, "/_meta/json/").get_json()
    assert [r["pattern"] for r in body["app"]["routes"]] == ["/_meta/", "/_meta/json/", "/"]
    assert body["app"]["resources"][0]["value"] == "[REDACTED]"
    assert meta_get(served, "/_meta/", remote_addr="192.0.2.1").status_code == 403

    without = make_dev_app(app, use_static=False, use_meta=False)
    assert meta_get(without, "/_meta/").status_code == 404

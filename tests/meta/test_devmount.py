"""The dev server's /_meta/ mount, found through the clastic.dev_mounts entry-point group."""

from __future__ import annotations

from typing import Any

from clastic import Application, render_basic
from clastic.meta import MetaApplication, MetaDevMount
from clastic.plugins import DEV_MOUNTS_GROUP, DevMount, iter_plugins


def _meta_mount() -> Any:
    found = {entry_point.name: obj for entry_point, obj in iter_plugins(DEV_MOUNTS_GROUP)}
    return found["meta"]


def test_the_meta_mount_is_registered() -> None:
    mount = _meta_mount()
    assert mount is MetaDevMount
    assert isinstance(mount, DevMount)
    assert isinstance(mount(), DevMount)
    assert mount.name == "meta"


def test_entries_mount_a_meta_application_at_meta(meta_get: Any) -> None:
    entries = _meta_mount().entries({"use_meta": True, "port": 5000})
    assert len(entries) == 1
    (prefix, meta), index = entries[0]
    assert (prefix, index) == ("/_meta/", None)
    assert isinstance(meta, MetaApplication)
    app = Application([("/", lambda: "home", render_basic)])
    for entry, position in entries:
        app.add(entry, index=position)
    body = meta_get(app, "/_meta/json/").get_json()
    assert [r["pattern"] for r in body["app"]["routes"]] == ["/", "/_meta/", "/_meta/json/"]


def test_entries_default_to_mounting_and_respect_use_meta() -> None:
    assert len(MetaDevMount.entries({})) == 1
    assert MetaDevMount.entries({"use_meta": False}) == []
    # Each call builds a fresh MetaApplication, so two servers never share one.
    first, second = MetaDevMount.entries({}), MetaDevMount.entries({})
    assert first[0][0][1] is not second[0][0][1]

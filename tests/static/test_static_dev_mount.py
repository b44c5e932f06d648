"""The clastic.dev_mounts entry point: static files next to the app under development."""

from __future__ import annotations

import pytest

from clastic import Application, render_basic
from clastic.plugins import DEV_MOUNTS_GROUP, DevMount, iter_plugins
from clastic.server import make_dev_app
from clastic.static import StaticApplication


@pytest.fixture
def mount():
    found = {entry_point.name: obj for entry_point, obj in iter_plugins(DEV_MOUNTS_GROUP)}
    assert "static" in found, f"no 'static' entry point in {DEV_MOUNTS_GROUP}: {sorted(found)}"
    return found["static"]


def test_the_entry_point_is_a_dev_mount(mount):
    assert isinstance(mount, DevMount)
    assert mount.name == "static"


def test_entries_mount_the_static_path_under_the_prefix_first(mount, tmp_path):
    (tmp_path / "site.css").write_text("h1 {}")
    entries = mount.entries({"use_static": True, "static_prefix": "static", "static_path": str(tmp_path)})
    assert len(entries) == 1
    (prefix, static_app), index = entries[0]
    assert (prefix, index) == ("/static", 0)
    assert isinstance(static_app, StaticApplication)
    app = Application(
        [("/", lambda: "home", render_basic), ("/static/<name>", lambda name: f"app {name}", render_basic)]
    )
    app.add(entries[0][0], index=index)
    client = app.get_local_client()
    assert client.get("/static/site.css").data == b"h1 {}"
    assert client.get("/static/other.css").data == b"app other.css"  # a miss falls through to the app
    assert client.get("/").data == b"home"


@pytest.mark.parametrize(
    ("given", "expected"), [("/assets/", "/assets"), ("assets", "/assets"), ("/a/b", "/a/b"), (None, "/static")]
)
def test_prefix_is_normalised(mount, tmp_path, given, expected):
    entries = mount.entries({"static_prefix": given, "static_path": tmp_path})
    assert entries[0][0][0] == expected


def test_default_path_is_static_in_the_working_directory(mount, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert mount.entries({"static_prefix": "static", "static_path": None}) == []
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("a")
    (_prefix, static_app), _index = mount.entries({"static_prefix": "static", "static_path": None})[0]
    assert static_app.search_paths == (str(tmp_path / "static"),)


def test_nothing_is_mounted_when_disabled_or_missing(mount, tmp_path):
    assert mount.entries({"use_static": False, "static_path": str(tmp_path)}) == []
    assert mount.entries({"static_path": str(tmp_path / "nope")}) == []
    (tmp_path / "file").write_text("x")
    assert mount.entries({"static_path": str(tmp_path / "file")}) == []


def test_the_dev_server_mounts_static_files_through_the_entry_point(tmp_path):
    (tmp_path / "site.css").write_text("h1 {}")
    app = Application([("/", lambda: "home", render_basic)])
    dev = make_dev_app(app, use_meta=False, static_prefix="assets", static_path=tmp_path)
    client = dev.get_local_client()
    assert client.get("/assets/site.css").data == b"h1 {}"
    assert client.get("/assets/site.css").headers["Content-Type"] == "text/css; charset=utf-8"
    assert client.get("/").data == b"home"


def test_the_dev_mount_does_not_serve_hidden_files(mount, tmp_path):
    (tmp_path / "site.css").write_text("h1 {}")
    (tmp_path / ".env").write_text("SECRET_KEY=dev-secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]")
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".well-known" / "security.txt").write_text("Contact: mailto:a@example.com")
    entries = mount.entries({"use_static": True, "static_prefix": "static", "static_path": str(tmp_path)})
    client = Application(list(entry for entry, _index in entries)).get_local_client()
    assert client.get("/static/site.css").data == b"h1 {}"
    assert client.get("/static/.env").status_code == 404
    assert client.get("/static/.git/config").status_code == 404
    assert client.get("/static/.well-known/security.txt").data == b"Contact: mailto:a@example.com"

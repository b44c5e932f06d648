"""render_basic, JSON, JSONP and tabular renders."""

import datetime

import pytest

from clastic import Application, render_basic, render_json, render_json_dev
from clastic.render import BasicRender, JSONPRender, JSONRender, TabularRender


def serve(value, render=render_basic, pattern="/"):
    return Application([(pattern, lambda: value, render)]).get_local_client()


@pytest.mark.parametrize(
    ("value", "content_type", "body"),
    [
        ("hello world!", "text/plain; charset=utf-8", b"hello world!"),
        ("<!DOCTYPE html><html><body>hi</body></html>", "text/html; charset=utf-8", None),
        ("\ufeff\n  <html lang='en'><body>hi</body></html>", "text/html; charset=utf-8", None),
        ("<p>intro</p><html>", "text/plain; charset=utf-8", None),  # not a page from its start
        ("<!-- generated -->\n<!DOCTYPE  html><html></html>", "text/html; charset=utf-8", None),
        ("<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'></html>", "text/html; charset=utf-8", None),
        ("<htmlish>", "text/plain; charset=utf-8", None),
        ("Hello, <html><img src=x onerror=alert(1)>!", "text/plain; charset=utf-8", None),  # reflected input stays text
        ('{"a": 1}', "application/json; charset=utf-8", b'{"a": 1}'),
        ("[1, 2", "text/plain; charset=utf-8", b"[1, 2"),
        (b"raw bytes", "text/plain; charset=utf-8", b"raw bytes"),
        ("caf\u00e9", "text/plain; charset=utf-8", "caf\u00e9".encode()),
        (42, "text/plain; charset=utf-8", b"42"),
    ],
)
def test_render_basic_scalars(value, content_type, body):
    resp = serve(value).get("/")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == content_type
    if body is not None:
        assert resp.data == body


def test_render_basic_none_is_no_content():
    resp = serve(None).get("/")
    assert resp.status_code == 204 and resp.data == b""


def test_render_basic_collections_negotiate_json_or_html():
    client = serve({"b": [1, 2], "a": "x"})
    assert client.get("/").json == {"a": "x", "b": [1, 2]}
    html = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<table class="clastic-atr-table">' in html.text
    assert client.get("/?format=json", headers={"Accept": "text/html"}).json == {"a": "x", "b": [1, 2]}
    assert "<table" in client.get("/?format=html").text


def test_render_basic_unsupported_format_is_400():
    resp = serve({"a": 1}).get("/?format=xml")
    assert resp.status_code == 400
    assert "unsupported format 'xml'" in resp.text


def test_tabular_render_escapes_and_titles_with_docstring():
    def listing():
        """List the things."""
        return [{"name": "<b>bold</b>"}]

    resp = Application([("/", listing, TabularRender())]).get_local_client().get("/")
    assert "&lt;b&gt;bold&lt;/b&gt;" in resp.text and "<b>bold</b>" not in resp.text
    assert "List the things." in resp.text and "listing" in resp.text


def test_json_render_handles_sets_dates_and_objects():
    class Point:
        def to_dict(self):
            return {"x": 1}

    value = {"when": datetime.date(2026, 11, 24), "tags": {"a"}, "p": Point()}
    resp = serve(value, render_json).get("/")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.json == {"p": {"x": 1}, "tags": ["a"], "when": "2026-11-24"}


def test_json_render_refuses_unknown_objects_unless_dev_mode():
    thing = object()
    assert serve({"o": thing}, render_json).get("/").status_code == 500
    assert serve({"o": thing}, render_json_dev).get("/").json["o"].startswith("<object object at")


def test_streaming_json_render():
    resp = serve(list(range(1000)), JSONRender(streaming=True)).get("/")
    assert resp.json == list(range(1000))


@pytest.mark.parametrize("callback", ["cb", "app.handlers.cb", "jq123_$", "cbs[0]"])
def test_jsonp_valid_callbacks(callback):
    resp = serve({"a": 1}, JSONPRender()).get(f"/?callback={callback}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert resp.text.startswith(f"/**/{callback}(")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("callback", ["alert(1)//", "a b", "1abc", "<script>", "a.", "x" * 200])
def test_jsonp_rejects_script_injection(callback):
    resp = serve({"a": 1}, JSONPRender()).get("/", query_string={"callback": callback})
    assert resp.status_code == 400
    assert "invalid JSONP callback" in resp.text


def test_jsonp_without_callback_is_json():
    assert serve({"a": 1}, JSONPRender()).get("/").json == {"a": 1}


def test_basic_render_factory_ignores_render_arg():
    app = Application([("/", lambda: "hi", "anything.html")], render_factory=BasicRender.factory())
    assert app.get_local_client().get("/").text == "hi"

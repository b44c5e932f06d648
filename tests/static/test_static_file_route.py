"""StaticFileRoute: one file at one URL, with the same HTTP behaviour as StaticApplication."""

from __future__ import annotations

import gzip

import pytest
from static_helpers import fetch

from clastic import Application, render_basic
from clastic.middleware import Middleware
from clastic.static import StaticFileRoute
from clastic.testing import LiveServer


@pytest.fixture
def icon(tmp_path):
    path = tmp_path / "favicon.ico"
    path.write_bytes(b"\x00\x00\x01\x00" + bytes(range(60)))
    return path


def test_serves_one_file_over_http(icon):
    app = Application([StaticFileRoute("/favicon.ico", str(icon)), ("/", lambda: "home", render_basic)])
    with LiveServer(app) as server:
        reply = fetch(server.url, "/favicon.ico")
        etag = reply.header("ETag")
        revalidated = fetch(server.url, "/favicon.ico", headers={"If-None-Match": etag})
        partial = fetch(server.url, "/favicon.ico", headers={"Range": "bytes=0-3"})
        posted = fetch(server.url, "/favicon.ico", method="POST")
        home = fetch(server.url, "/")
    assert (reply.status, reply.body) == (200, icon.read_bytes())
    assert reply.header("Content-Type") in ("image/vnd.microsoft.icon", "image/x-icon")
    assert reply.header("Cache-Control") == "public, max-age=360"
    assert reply.header("Last-Modified") is not None
    assert revalidated.status == 304
    assert (partial.status, partial.body, partial.header("Content-Range")) == (206, b"\x00\x00\x01\x00", "bytes 0-3/64")
    assert (posted.status, posted.header("Allow")) == (405, "GET, HEAD, OPTIONS")
    assert home.body == b"home"


def test_precompressed_sibling_is_offered(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text("<feed/>\n")
    (tmp_path / "feed.xml.gz").write_bytes(gzip.compress(b"<feed/>\n"))
    client = Application([StaticFileRoute("/feed", path)]).get_local_client()
    response = client.get("/feed", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert gzip.decompress(response.data) == b"<feed/>\n"
    off = Application([StaticFileRoute("/feed", path, precompressed=False)]).get_local_client()
    assert off.get("/feed", headers={"Accept-Encoding": "gzip"}).data == b"<feed/>\n"


def test_mimetype_and_cache_timeout_options(tmp_path):
    path = tmp_path / "data.custom"
    path.write_text("a,b\n1,2\n")
    client = Application(
        [
            StaticFileRoute("/plain", path, mimetype="text/csv", cache_timeout=None),
            StaticFileRoute("/exact", path, mimetype="text/csv; charset=latin-1", cache_timeout=60),
        ]
    ).get_local_client()
    plain = client.get("/plain")
    assert plain.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "Cache-Control" not in plain.headers
    exact = client.get("/exact")
    assert exact.headers["Content-Type"] == "text/csv; charset=latin-1"
    assert exact.headers["Cache-Control"] == "public, max-age=60"


def test_url_fields_in_the_pattern_all_serve_the_file(icon):
    client = Application([StaticFileRoute("/download/<name>", icon)]).get_local_client()
    assert client.get("/download/anything.ico").data == icon.read_bytes()


def test_name_middlewares_and_url_for(icon):
    class Stamp(Middleware):
        def request(self, next):
            response = next()
            response.headers["X-Stamp"] = "on"
            return response

    app = Application([StaticFileRoute("/favicon.ico", icon, name="favicon", middlewares=[Stamp()])])
    assert app.url_for("favicon") == "/favicon.ico"
    assert app.get_local_client().get("/favicon.ico").headers["X-Stamp"] == "on"


def test_check_file_fails_at_construction(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"StaticFileRoute\('/x'\): cannot open '.*missing.css'.*check_file=False"
    ):
        StaticFileRoute("/x", tmp_path / "missing.css")
    with pytest.raises(
        IsADirectoryError,
        match=r"StaticFileRoute\('/x'\): '.*' is a directory; serve directories with StaticApplication",
    ):
        StaticFileRoute("/x", tmp_path)


def test_without_check_file_a_missing_file_is_a_non_breaking_404(tmp_path):
    path = tmp_path / "later.txt"
    app = Application(
        [
            StaticFileRoute("/later.txt", path, check_file=False),
            ("/<name>", lambda name: f"fallback {name}", render_basic),
        ]
    )
    client = app.get_local_client()
    assert client.get("/later.txt").data == b"fallback later.txt"
    path.write_text("arrived")
    assert client.get("/later.txt").data == b"arrived"
    alone = Application([StaticFileRoute("/gone.txt", tmp_path / "gone.txt", check_file=False)]).get_local_client()
    assert alone.get("/gone.txt").status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cache_timeout": -5}, ValueError, r"StaticFileRoute\('/f'\): cache_timeout must be .*got -5"),
        ({"mimetype": "csv"}, ValueError, r"StaticFileRoute\('/f'\): mimetype must be a media type .*got 'csv'"),
        ({"file_path": b"/tmp/x"}, TypeError, r"file_path must be a str or os.PathLike"),
    ],
)
def test_bad_arguments(icon, kwargs, error, match):
    kwargs = {"file_path": icon, **kwargs}
    with pytest.raises(error, match=match):
        StaticFileRoute("/f", **kwargs)


def test_iter_routes_yields_the_route_itself_as_in_clastic_26(icon):
    route = StaticFileRoute("/favicon.ico", str(icon))
    assert list(route.iter_routes()) == [route]
    app = Application([route])
    (bound,) = app.iter_routes()
    assert list(bound.iter_routes()) == [bound]
    assert app.get_local_client().get("/favicon.ico").data == icon.read_bytes()

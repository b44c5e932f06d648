"""StaticApplication: mounting, search paths, fall-through, methods, directories, options."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from static_helpers import SECRET, fetch, raw_request, split_response
from werkzeug.http import http_date

import clastic
from clastic import Application, SubApplication, render_basic
from clastic.middleware import Middleware
from clastic.static import DEFAULT_MAX_AGE, StaticApplication, StaticFileRoute
from clastic.testing import LiveServer


def test_tutorial_app_serves_its_stylesheet_over_http(site):
    def home():
        return "home page"

    static_app = StaticApplication(str(site.public))
    app = Application([("/", home, render_basic), ("/static", static_app)])
    with LiveServer(app) as server:
        css = fetch(server.url, "/static/style.css")
        home_page = fetch(server.url, "/")
    assert (css.status, css.body) == (200, b"body { color: #333; }\n")
    assert css.header("Content-Type") == "text/css; charset=utf-8"
    assert (home_page.status, home_page.body) == (200, b"home page")


def test_upstream_names_resolve_lazily_from_the_top_level_package():
    assert clastic.StaticApplication is StaticApplication
    assert clastic.StaticFileRoute is StaticFileRoute
    assert issubclass(StaticApplication, clastic.Application)
    assert issubclass(StaticFileRoute, clastic.Route)


def test_mounts_as_a_subapplication_under_any_prefix(site):
    static_app = StaticApplication(site.public)  # a Path works too
    app = Application([SubApplication("/assets/v1", static_app)])
    assert [route.pattern for route in app.routes] == ["/assets/v1/<path*>"]
    client = app.get_local_client()
    assert client.get("/assets/v1/hello.txt").data == b"hello, world\n"
    assert client.get("/static/hello.txt").status_code == 404


def test_serves_on_its_own_as_a_wsgi_app(site):
    client = StaticApplication(str(site.public)).get_local_client()
    assert client.get("/nested/deep/file.json").data == b'{"deep": true}\n'


def test_response_headers_describe_the_file(server, site):
    reply = fetch(server.url, "/static/hello.txt")
    st = os.stat(site.public / "hello.txt")
    assert reply.status == 200
    assert reply.body == b"hello, world\n"
    assert reply.header("Content-Length") == "13"
    assert reply.header("Content-Type") == "text/plain; charset=utf-8"
    assert reply.header("Last-Modified") == http_date(int(st.st_mtime))
    etag = reply.header("ETag")
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert reply.header("Accept-Ranges") == "bytes"
    assert reply.header("Cache-Control") == f"public, max-age={DEFAULT_MAX_AGE}"
    assert DEFAULT_MAX_AGE == 360
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert reply.header("Vary") is None  # no precompressed siblings for this file


def test_etag_changes_when_the_file_changes(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("one")
    client = Application([("/s", StaticApplication(str(tmp_path)))]).get_local_client()
    first = client.get("/s/a.txt").headers["ETag"]
    target.write_text("two")
    os.utime(target, ns=(time.time_ns(), time.time_ns() + 5_000_000))
    second = client.get("/s/a.txt")
    assert second.data == b"two"
    assert second.headers["ETag"] != first


@pytest.mark.parametrize(
    ("cache_timeout", "expected"),
    [(0, "public, max-age=0"), (86400, "public, max-age=86400"), (None, None)],
)
def test_cache_timeout_sets_cache_control(site, cache_timeout, expected):
    client = site.app(cache_timeout=cache_timeout).get_local_client()
    assert client.get("/static/hello.txt").headers.get("Cache-Control") == expected


def test_search_paths_are_tried_in_order(site):
    app = Application([("/static", StaticApplication([str(site.public), str(site.public2)]))])
    client = app.get_local_client()
    assert client.get("/static/hello.txt").data == b"hello, world\n"  # the first wins
    assert client.get("/static/only2.txt").data == b"only in the second search path\n"
    assert client.get("/static/nowhere.txt").status_code == 404
    reversed_client = Application([("/static", StaticApplication([site.public2, site.public]))]).get_local_client()
    assert reversed_client.get("/static/hello.txt").data == b"shadowed hello\n"


def test_two_static_applications_on_one_prefix_fall_through(site):
    app = Application(
        [("/static", StaticApplication(str(site.public))), ("/static", StaticApplication(str(site.public2)))]
    )
    with LiveServer(app) as server:
        first = fetch(server.url, "/static/hello.txt")
        second = fetch(server.url, "/static/only2.txt")
        neither = fetch(server.url, "/static/missing.txt")
    assert (first.status, first.body) == (200, b"hello, world\n")
    assert (second.status, second.body) == (200, b"only in the second search path\n")
    assert neither.status == 404


def test_a_miss_lets_a_later_route_answer(site):
    def generated(name):
        return f"generated {name}"

    app = Application([("/static", StaticApplication(str(site.public))), ("/static/<name>", generated, render_basic)])
    client = app.get_local_client()
    assert client.get("/static/hello.txt").data == b"hello, world\n"
    assert client.get("/static/report.csv").data == b"generated report.csv"


def test_mounted_at_the_root_it_leaves_other_routes_working(site):
    app = Application([("/", StaticApplication(str(site.public))), ("/api/ping", lambda: "pong", render_basic)])
    client = app.get_local_client()
    assert client.get("/hello.txt").data == b"hello, world\n"
    assert client.get("/api/ping").data == b"pong"


def test_missing_file_is_a_404_that_names_the_url_not_the_directory(server, site):
    reply = fetch(server.url, "/static/no/such/file.txt", headers={"Accept": "text/plain"})
    assert reply.status == 404
    assert b"/static/no/such/file.txt" in reply.body
    assert str(site.base).encode() not in reply.body


def test_head_sends_the_headers_of_get_and_no_body(server):
    raw = raw_request(server.url, b"HEAD /static/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status, headers, body = split_response(raw)
    assert status == 200
    assert headers["content-length"] == "13"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert "etag" in headers and "last-modified" in headers
    assert body == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_get_405_with_allow(server, method):
    reply = fetch(server.url, "/static/hello.txt", method=method)
    assert reply.status == 405
    assert reply.header("Allow") == "GET, HEAD, OPTIONS"


def test_options_lists_the_allowed_methods(server):
    reply = fetch(server.url, "/static/hello.txt", method="OPTIONS")
    assert (reply.status, reply.header("Allow")) == (204, "GET, HEAD, OPTIONS")


@pytest.mark.parametrize("path", ["/static", "/static/", "/static/sub", "/static/sub/", "/static/nested/deep/"])
def test_directories_are_404_without_index_files(server, path):
    assert fetch(server.url, path).status == 404


def test_a_file_asked_for_as_a_directory_is_404(server):
    assert fetch(server.url, "/static/hello.txt/").status == 404


def test_index_files_serve_directory_urls(site):
    app = Application([("/static", StaticApplication([site.public, site.public2], index_files=["index.html"]))])
    with LiveServer(app) as server:
        index = fetch(server.url, "/static/sub/")
        redirect = fetch(server.url, "/static/sub?x=1")
        from_second = fetch(server.url, "/static/noindex/")
        root = fetch(server.url, "/static/")
        escaping = fetch(server.url, "/static/sub/escape-index/")
    assert (index.status, index.body) == (200, b"<!doctype html><title>sub</title>\n")
    assert index.header("Content-Type") == "text/html; charset=utf-8"
    assert (redirect.status, redirect.header("Location")) == (301, "/static/sub/?x=1")
    # public/noindex/ has no index.html, public2/noindex/ does: the search goes on.
    assert (from_second.status, from_second.body) == (200, b"<p>index from public2</p>\n")
    assert root.status == 404
    assert escaping.status == 403
    assert SECRET.encode() not in escaping.body


def test_index_redirect_quotes_non_ascii_directory_names(tmp_path):
    (tmp_path / "répertoire").mkdir()
    (tmp_path / "répertoire" / "index.html").write_text("ok")
    client = Application([("/s", StaticApplication(tmp_path, index_files="index.html"))]).get_local_client()
    response = client.get("/s/r%C3%A9pertoire")
    assert response.status_code == 301
    assert response.headers["Location"] == "/s/r%C3%A9pertoire/"
    assert client.get("/s/r%C3%A9pertoire/").data == b"ok"


def test_non_ascii_file_names(server):
    reply = fetch(server.url, "/static/caf%C3%A9.txt")
    assert (reply.status, reply.body) == (200, "crème brûlée\n".encode())


def test_symlinks_inside_the_root_are_served(server):
    assert fetch(server.url, "/static/link-in.txt").body == b"hello, world\n"
    assert fetch(server.url, "/static/nested-link/deep/file.json").body == b'{"deep": true}\n'


@pytest.mark.parametrize(
    "path",
    [
        "/static/link-out.txt",
        "/static/abs-link.txt",
        "/static/up/secret.txt",
        "/static/evil-dir/secret.txt",
        "/static/etc/hostname",
    ],
)
def test_symlinks_leaving_the_root_are_refused(server, path):
    reply = fetch(server.url, path)
    assert reply.status == 403
    assert SECRET.encode() not in reply.body


def test_follow_symlinks_serves_links_out_of_the_root_when_the_author_allows_it(site):
    client = site.app(follow_symlinks=True).get_local_client()
    assert client.get("/static/link-out.txt").data == (SECRET + "\n").encode()
    assert client.get("/static/up/secret.txt").data == (SECRET + "\n").encode()
    assert client.get("/static/../secret.txt").status_code == 403  # '..' is still refused


def test_fifos_and_symlink_loops_are_not_served(server):
    # Opening the FIFO would block the server thread: fetch's 10 s socket timeout would then fail the test.
    assert fetch(server.url, "/static/fifo").status == 404
    assert fetch(server.url, "/static/loop-a").status == 404


def test_check_paths_refuses_missing_and_non_directory_paths(site):
    missing = site.base / "does-not-exist"
    with pytest.raises(FileNotFoundError, match=r"search path '.*does-not-exist' does not exist.*check_paths=False"):
        StaticApplication(str(missing))
    with pytest.raises(NotADirectoryError, match=r"search path '.*hello.txt' is not a directory.*StaticFileRoute"):
        StaticApplication([site.public, site.public / "hello.txt"])


def test_check_paths_false_serves_a_directory_created_later(tmp_path):
    later = tmp_path / "later"
    client = Application([("/s", StaticApplication(later, check_paths=False))]).get_local_client()
    assert client.get("/s/a.txt").status_code == 404
    later.mkdir()
    (later / "a.txt").write_text("now")
    assert client.get("/s/a.txt").data == b"now"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"search_paths": []}, ValueError, "search_paths is empty"),
        ({"search_paths": b"/tmp"}, TypeError, "search_paths must be a directory path or a list"),
        ({"search_paths": ["/tmp", 3]}, TypeError, "each search path must be a str or os.PathLike"),
        ({"cache_timeout": -1}, ValueError, r"cache_timeout must be a whole number of seconds.*got -1"),
        ({"cache_timeout": "60"}, ValueError, r"cache_timeout must be .*got '60'"),
        ({"cache_timeout": True}, ValueError, r"cache_timeout must be .*got True"),
        ({"index_files": ["../index.html"]}, ValueError, r"index_files must be plain file names.*'\.\./index\.html'"),
        ({"index_files": [""]}, ValueError, "index_files must be plain file names"),
        ({"default_text_mime": "text"}, ValueError, r"default_text_mime must be a media type.*got 'text'"),
        ({"default_binary_mime": None}, ValueError, r"default_binary_mime must be a media type.*got None"),
    ],
)
def test_bad_arguments_fail_when_the_application_is_built(site, kwargs, error, match):
    kwargs = {"search_paths": str(site.public), **kwargs}
    with pytest.raises(error, match=match):
        StaticApplication(**kwargs)


def test_repr_names_the_search_paths(site):
    assert repr(StaticApplication(str(site.public))) == (
        f"<StaticApplication search_paths=[{str(site.public)!r}] cache_timeout=360>"
    )


def test_application_middlewares_see_static_responses(site):
    class Stamp(Middleware):
        def request(self, next):
            response = next()
            response.headers["X-Stamp"] = "yes"
            return response

    client = Application([("/static", StaticApplication(site.public, middlewares=[Stamp()]))]).get_local_client()
    assert client.get("/static/hello.txt").headers["X-Stamp"] == "yes"


def test_relative_search_path_is_made_absolute_at_construction(site, monkeypatch):
    monkeypatch.chdir(site.base)
    static_app = StaticApplication("public")
    assert static_app.search_paths == (str(Path(site.base, "public")),)
    monkeypatch.chdir("/")
    client = Application([("/s", static_app)]).get_local_client()
    assert client.get("/s/hello.txt").data == b"hello, world\n"

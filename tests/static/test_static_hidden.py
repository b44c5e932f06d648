"""Hidden files (.env, .git/, .htpasswd): a 404 as if absent, unless serve_hidden=True; .well-known is served."""

from __future__ import annotations

import gzip
import os

import pytest
from static_helpers import SECRET, fetch

from clastic import Application, render_basic
from clastic.static import StaticApplication


def test_hidden_files_and_directories_are_404(site):
    client = Application([("/static", StaticApplication(site.public))]).get_local_client()
    for path in ("/static/.env", "/static/.git/config", "/static/sub/.htpasswd", "/static/.well-known/.secret"):
        for method in ("GET", "HEAD"):
            response = client.open(path, method=method)
            assert response.status_code == 404, (method, path)
            assert SECRET.encode() not in response.get_data(), path


def test_a_hidden_file_gets_the_same_answer_as_a_missing_one(server):
    # Same status, same headers, same body shape: the reply does not tell that .env exists.
    hidden = fetch(server.url, "/static/.env", headers={"Accept": "application/json"})
    missing = fetch(server.url, "/static/.nope", headers={"Accept": "application/json"})
    assert hidden.status == missing.status == 404
    assert sorted(hidden.headers.keys()) == sorted(missing.headers.keys())
    assert hidden.body == missing.body.replace(b".nope", b".env")


def test_hidden_directories_with_index_files_are_404(site):
    app = Application([("/static", StaticApplication(site.public, index_files=["index.html"]))])
    client = app.get_local_client()
    assert client.get("/static/sub/").status_code == 200  # the index of an ordinary directory
    assert client.get("/static/.git/").status_code == 404
    assert client.get("/static/.git").status_code == 404  # not redirected to .git/ either
    assert client.get("/static/.git/index.html").status_code == 404


def test_well_known_is_served(server):
    reply = fetch(server.url, "/static/.well-known/security.txt")
    assert reply.status == 200 and reply.body == b"Contact: mailto:security@example.com\n"


def test_a_hidden_file_falls_through_to_a_later_route_like_a_missing_one(site):
    app = Application(
        [("/static", StaticApplication(site.public)), ("/static/<name>", lambda name: f"route {name}", render_basic)]
    )
    client = app.get_local_client()
    assert client.get("/static/.env").get_data() == b"route .env"
    assert client.get("/static/hello.txt").get_data() == b"hello, world\n"


def test_serve_hidden_serves_them(site):
    app = Application([("/static", StaticApplication(site.public, serve_hidden=True, index_files=["index.html"]))])
    client = app.get_local_client()
    assert SECRET in client.get("/static/.env").get_data(as_text=True)
    assert SECRET in client.get("/static/.git/config").get_data(as_text=True)
    assert client.get("/static/.git/").get_data(as_text=True) == SECRET
    # The other refusals still hold.
    assert client.get("/static/..%2fsecret.txt").status_code == 403
    assert client.get("/static/link-out.txt").status_code == 403


def test_serve_hidden_is_keyword_only_and_must_be_a_bool(site):
    with pytest.raises(TypeError, match=r"takes from 2 to 6 positional arguments but 7 were given"):
        StaticApplication(site.public, True, 360, "text/plain", "application/octet-stream", True)  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"serve_hidden must be True or False \(got 'no'\)"):
        StaticApplication(site.public, serve_hidden="no")  # type: ignore[arg-type]
    assert StaticApplication(site.public).serve_hidden is False


def test_a_hidden_index_file_name_fails_at_build_time(site):
    with pytest.raises(ValueError, match=r"the index file '\.index\.html' is hidden.*serve_hidden=True"):
        StaticApplication(site.public, index_files=[".index.html"])
    assert StaticApplication(site.public, index_files=[".index.html"], serve_hidden=True).index_files == (
        ".index.html",
    )


def test_precompressed_siblings_of_a_hidden_file_are_not_sent(tmp_path):
    # app.js is an alias of a hidden build output; its hidden .gz sibling must not be picked.
    (tmp_path / ".build.js").write_text("plain();\n")
    (tmp_path / ".build.js.gz").write_bytes(gzip.compress(b"from the hidden sibling();\n", mtime=0))
    os.symlink(".build.js", tmp_path / "app.js")
    gzip_please = {"Accept-Encoding": "gzip"}
    client = Application([("/s", StaticApplication(tmp_path))]).get_local_client()
    response = client.get("/s/app.js", headers=gzip_please)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.get_data() == b"plain();\n"
    client = Application([("/s", StaticApplication(tmp_path, serve_hidden=True))]).get_local_client()
    response = client.get("/s/app.js", headers=gzip_please)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == b"from the hidden sibling();\n"

"""Core behaviour over real HTTP on 127.0.0.1."""

import http.client
import json

import pytest

from clastic import GET, POST, Application, render_basic, render_json
from clastic.testing import LiveServer


def echo_post(request):
    return {"method": request.method, "form": request.form.to_dict()}


@pytest.fixture(scope="module")
def server():
    app = Application(
        [
            GET("/hello/<name>", lambda name: f"Hello, {name}!", render_basic),
            POST("/hello/<name>", lambda name: f"posted {name}", render_basic),
            ("/form/", echo_post, render_json),
        ]
    )
    with LiveServer(app) as live:
        yield live


def request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_get_and_head(server):
    status, headers, body = request(server, "GET", "/hello/Ben")
    assert (status, body) == (200, b"Hello, Ben!")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    status, headers, body = request(server, "HEAD", "/hello/Ben")
    assert (status, body, headers["Content-Length"]) == (200, b"", "11")


def test_405_and_options_over_http(server):
    status, headers, _ = request(server, "DELETE", "/hello/Ben")
    assert status == 405 and headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    status, headers, body = request(server, "OPTIONS", "/hello/Ben")
    assert status == 204 and headers["Allow"] == "GET, HEAD, OPTIONS, POST" and body == b""


def test_post_slash_redirect_is_308_and_keeps_the_body(server):
    form = "a=1&b=two"
    status, headers, _ = request(
        server, "POST", "/form?x=1", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 308 and headers["Location"] == "/form/?x=1"
    status, _, body = request(
        server, "POST", headers["Location"], body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and json.loads(body) == {"method": "POST", "form": {"a": "1", "b": "two"}}


def test_sequential_requests_through_one_client(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for name in ("a", "b", "c"):
            conn.request("GET", f"/hello/{name}")
            resp = conn.getresponse()
            assert resp.read() == f"Hello, {name}!".encode()
    finally:
        conn.close()


def test_json_404_over_http(server):
    status, headers, body = request(server, "GET", "/missing", headers={"Accept": "application/json"})
    assert status == 404 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body)["code"] == 404

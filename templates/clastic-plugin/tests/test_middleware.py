"""DefaultHeadersMiddleware, tested with clastic-core's pytest fixtures.

This module's ``create_app()`` is what ``clastic_client`` and
``clastic_live_server`` serve.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from clastic import Application, Response, render_basic
from clastic.errors import Forbidden
from clastic_myplugin import DefaultHeadersMiddleware

SECURITY = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def home():
    return "home"


def framed():
    return Response("framed", headers={"Referrer-Policy": "no-referrer"})


def secret():
    raise Forbidden("not for you")


def create_app():
    return Application(
        [("/", home, render_basic), ("/framed", framed), ("/secret", secret, render_basic)],
        middlewares=[DefaultHeadersMiddleware(SECURITY)],
    )


def test_every_response_gets_the_headers(clastic_client):
    response = clastic_client.get("/")
    assert response.text == "home"
    assert {name: response.headers[name] for name in SECURITY} == SECURITY


def test_headers_set_by_the_endpoint_win(clastic_client):
    response = clastic_client.get("/framed")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_get_them_too(clastic_client):
    assert clastic_client.get("/secret").headers["X-Content-Type-Options"] == "nosniff"
    assert clastic_client.get("/missing").headers["X-Content-Type-Options"] == "nosniff"


def test_over_real_http(clastic_live_server):
    with urllib.request.urlopen(clastic_live_server.url + "/", timeout=10) as response:
        assert response.headers["Referrer-Policy"] == "same-origin"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(clastic_live_server.url + "/secret", timeout=10)
    with caught.value as error:
        assert error.code == 403
        assert error.headers["X-Content-Type-Options"] == "nosniff"


def test_overwrite_replaces_the_endpoints_headers():
    app = Application([("/framed", framed)], middlewares=[DefaultHeadersMiddleware(SECURITY, overwrite=True)])
    assert app.get_local_client().get("/framed").headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("headers", "error", "message"),
    [
        (["X-A: b"], TypeError, r"headers must be a mapping of name to value"),
        ({"X-A": 1}, TypeError, r"names and values must be strings, got 'X-A': 1"),
        ({"X-A": "b\r\nSet-Cookie: x"}, ValueError, r"header 'X-A' has a line break"),
    ],
)
def test_bad_headers_fail_when_the_app_is_built(headers, error, message):
    with pytest.raises(error, match=message):
        DefaultHeadersMiddleware(headers)

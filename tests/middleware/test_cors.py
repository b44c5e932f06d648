"""CORSMiddleware through real Applications and over real HTTP."""

import json
import re

import pytest
from middleware_helpers import Browser
from werkzeug.test import Client

from clastic import GET, POST, Application, render_json
from clastic.errors import Conflict
from clastic.middleware.cors import CORSMiddleware
from clastic.testing import LiveServer

APP_ORIGIN = "https://app.example.com"


def items():
    return {"items": [1, 2]}


def conflict():
    raise Conflict("already exists")


def crash():
    raise RuntimeError("database went away")


def make_app(cors):
    return Application(
        [GET("/items", items, render_json), POST("/items", conflict, render_json), GET("/crash", crash, render_json)],
        middlewares=[cors],
    )


def preflight(port, path, origin=APP_ORIGIN, method="PUT", headers="content-type, x-csrf-token"):
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request_headers["Access-Control-Request-Headers"] = headers
    return Browser().request(port, "OPTIONS", path, headers=request_headers)


@pytest.fixture(scope="module")
def server():
    cors = CORSMiddleware(
        [APP_ORIGIN, re.compile(r"https://[a-z0-9-]+\.preview\.example\.com")],
        allow_credentials=True,
        allow_headers=["Content-Type", "X-CSRF-Token"],
        expose_headers=["X-Total"],
        max_age=900,
    )
    with LiveServer(make_app(cors)) as live:
        yield live


def test_preflight_for_a_path_without_an_options_route(server):
    status, headers, body = preflight(server.port, "/items")
    assert status == 204 and body == b""
    assert headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-csrf-token"
    assert headers["Access-Control-Max-Age"] == "900"
    assert "Origin" in ", ".join(headers.get_all("Vary"))


def test_preflight_for_a_path_no_route_matches(server):
    status, headers, _ = preflight(server.port, "/not/a/route", headers="")
    assert status == 204 and headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_preflight_from_a_pattern_origin(server):
    status, headers, _ = preflight(server.port, "/items", origin="https://pr-42.preview.example.com")
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://pr-42.preview.example.com"


@pytest.mark.parametrize(
    ("origin", "method", "headers", "reason"),
    [
        ("https://evil.example.net", "PUT", "", "origin 'https://evil.example.net' is not allowed"),
        ("https://x.preview.example.com.evil.net", "GET", "", "is not allowed to make cross-origin requests"),
        (APP_ORIGIN, "PROPFIND", "", "method 'PROPFIND' is not allowed cross-origin"),
        (APP_ORIGIN, "PUT", "content-type, x-secret", "request header 'x-secret' is not allowed cross-origin"),
    ],
)
def test_refused_preflights_are_403_naming_why(server, origin, method, headers, reason):
    status, response_headers, body = preflight(server.port, "/items", origin, method, headers)
    assert status == 403 and reason in body.decode()
    assert "Access-Control-Allow-Origin" not in response_headers


def test_actual_request_from_an_allowed_origin(server):
    status, headers, body = Browser().get(server.port, "/items", headers={"Origin": APP_ORIGIN})
    assert status == 200 and json.loads(body) == {"items": [1, 2]}
    assert headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Expose-Headers"] == "X-Total"
    assert headers["Vary"] == "Origin"


def test_actual_request_from_another_origin_gets_no_cors_headers(server):
    status, headers, _ = Browser().get(server.port, "/items", headers={"Origin": "https://evil.example.net"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers and headers["Vary"] == "Origin"
    status, headers, _ = Browser().get(server.port, "/items")
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_raised_http_error_carries_cors_headers(server):
    status, headers, body = Browser().request(
        server.port, "POST", "/items", headers={"Origin": APP_ORIGIN, "Accept": "application/json"}
    )
    assert status == 409 and json.loads(body)["detail"] == "already exists"
    assert headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_the_500_of_an_uncaught_exception_carries_cors_headers(server, caplog):
    # The page must be able to read the 500 rather than see a CORS failure.
    status, headers, body = Browser().get(
        server.port, "/crash", headers={"Origin": APP_ORIGIN, "Accept": "application/json"}
    )
    assert status == 500 and b"database went away" not in body
    assert headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert (
        headers["Access-Control-Allow-Credentials"] == "true" and headers["Access-Control-Expose-Headers"] == "X-Total"
    )
    assert "Origin" in ", ".join(headers.get_all("Vary"))
    status, headers, _ = Browser().get(server.port, "/crash", headers={"Origin": "https://evil.example"})
    assert status == 500 and "Access-Control-Allow-Origin" not in headers


def test_responses_get_their_cors_headers_once():
    client = Client(make_app(CORSMiddleware([APP_ORIGIN])))
    for path in ("/items", "/nope", "/crash"):
        resp = client.get(path, headers={"Origin": APP_ORIGIN})
        assert resp.headers.getlist("Access-Control-Allow-Origin") == [APP_ORIGIN], path
        assert resp.headers.getlist("Vary").count("Origin") == 1, path


def test_unmatched_path_keeps_its_404_with_cors_headers(server):
    status, headers, _ = Browser().get(server.port, "/nope", headers={"Origin": APP_ORIGIN})
    assert status == 404 and headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_wildcard_origin():
    client = Client(make_app(CORSMiddleware("*", allow_headers="*", allow_methods="*", max_age=None)))
    resp = client.get("/items", headers={"Origin": "https://anywhere.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*" and "Vary" not in resp.headers
    wildcard_preflight = {
        "Origin": "https://anywhere.example",
        "Access-Control-Request-Method": "PROPFIND",
        "Access-Control-Request-Headers": "X-Anything",
    }
    resp = client.options("/items", headers=wildcard_preflight)
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Methods"] == "PROPFIND"
    assert resp.headers["Access-Control-Allow-Headers"] == "x-anything"
    assert "Access-Control-Max-Age" not in resp.headers


def test_plain_options_without_cors_headers_is_left_to_core():
    resp = Client(make_app(CORSMiddleware("*"))).options("/items")
    assert resp.status_code == 204 and resp.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_constructor_checks():
    with pytest.raises(ValueError, match="allow_credentials=True cannot be combined with allow_origins='\\*'"):
        CORSMiddleware("*", allow_credentials=True)
    with pytest.raises(ValueError, match=r"no path or trailing slash.*did you mean https://app.example.com\?"):
        CORSMiddleware(["https://app.example.com/"])
    with pytest.raises(ValueError, match="allow_origins is empty"):
        CORSMiddleware([])
    with pytest.raises(TypeError, match="must be strings or compiled patterns"):
        CORSMiddleware([42])
    with pytest.raises(ValueError, match="max_age must be a whole number"):
        CORSMiddleware("*", max_age=-1)

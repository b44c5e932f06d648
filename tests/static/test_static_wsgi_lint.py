"""Static responses checked by Werkzeug's LintMiddleware (what ``clastic.server.serve(use_lint=True)`` runs)."""

from __future__ import annotations

import warnings

import pytest
from werkzeug.middleware.lint import LintMiddleware
from werkzeug.test import Client

from clastic import Application, Route, render_basic
from clastic.static import StaticApplication, StaticFileRoute


def _linted(site):
    app = Application(
        [
            ("/static", StaticApplication(str(site.public))),
            StaticFileRoute("/hello", str(site.public / "hello.txt")),
            Route("/page", lambda: "a page from an endpoint", render_basic),
        ]
    )
    return Client(LintMiddleware(app))


def _fetch(client, path, method="GET", **headers):
    """Send one request and close the response (the lint checks run at close), with warnings as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = client.open(path, method=method, headers=headers)
        body = response.get_data()
        response.close()
    return response.status_code, response.headers, body


def test_get_of_a_file_its_ranges_and_its_conditions_pass_the_wsgi_lint(site):
    client = _linted(site)
    status, headers, body = _fetch(client, "/static/hello.txt")
    assert (status, body, headers["Content-Length"]) == (200, b"hello, world\n", "13")
    etag = headers["ETag"]
    assert _fetch(client, "/static/hello.txt", Range="bytes=0-4")[::2] == (206, b"hello")
    status, headers, body = _fetch(client, "/static/hello.txt", Range="bytes=0-1,7-8")
    assert status == 206 and headers["Content-Length"] == str(len(body))
    for method in ("GET", "HEAD"):
        assert _fetch(client, "/static/hello.txt", method, **{"If-None-Match": etag})[::2] == (304, b"")
    status, headers, body = _fetch(client, "/static/hello.txt", **{"If-Match": '"other"'})
    assert status == 412 and headers["Content-Length"] == str(len(body)) and b"hello, world" not in body
    status, headers, body = _fetch(client, "/static/hello.txt", Range="bytes=500-")
    assert status == 416 and headers["Content-Length"] == str(len(body))
    assert _fetch(client, "/hello")[::2] == (200, b"hello, world\n")


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/static/hello.txt", {}),
        ("/static/hello.txt", {"Range": "bytes=0-4"}),
        ("/hello", {}),
    ],
)
def test_head_of_a_file_answers_as_the_head_of_an_endpoint_does(site, path, headers):
    # Both carry the Content-Length a GET would (RFC 9110 section 8.6) and let
    # Werkzeug's Response drop the body, so the lint sees the same thing for each.
    client = _linted(site)
    with warnings.catch_warnings(record=True) as file_warnings:
        warnings.simplefilter("always")
        response = client.head(path, headers=headers)
        file_body = response.get_data()
        response.close()
    with warnings.catch_warnings(record=True) as page_warnings:
        warnings.simplefilter("always")
        page = client.head("/page")
        page.get_data()
        page.close()
    assert (response.status_code, file_body, response.headers["Content-Length"]) == (200, b"", "13")
    assert page.headers["Content-Length"] == str(len(b"a page from an endpoint"))
    assert [str(w.message) for w in file_warnings] == [str(w.message) for w in page_warnings]

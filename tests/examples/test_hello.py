"""examples/hello: the README's hello world, request and Response examples, over real HTTP."""

from __future__ import annotations

import pytest
from example_helpers import Browser, load_example

from clastic.testing import LiveServer


@pytest.fixture(scope="module")
def hello():
    return load_example("hello/app.py", "examples_hello_app")


@pytest.fixture(scope="module")
def browser(hello):
    with LiveServer(hello.create_app()) as server:
        yield Browser(server.url)


def test_hello_world(browser):
    reply = browser.get("/")
    assert reply.status == 200
    assert reply.text == "Hello, world!"
    assert reply.headers["Content-Type"].startswith("text/plain")


def test_hello_name_from_the_url(browser):
    assert browser.get("/Ben").text == "Hello, Ben!"


def test_hello_is_testable_without_a_server(hello):
    # The README's point: endpoints only take what they need.
    assert hello.hello() == "Hello, world!"
    assert hello.hello("Justin") == "Hello, Justin!"


def test_fancy_reports_post_get_and_cookie_values(browser):
    reply = browser.post(
        "/fancy?get=gotten", data={"post": "posted"}, headers={"Cookie": "cookie_crisp=delicious"}
    )
    assert reply.status == 200
    lines = reply.text.splitlines()
    # Werkzeug combines GET and POST values in no fixed order; cookies come after them.
    assert sorted(lines[:2]) == [
        "Found argument 'get' with value 'gotten'",
        "Found argument 'post' with value 'posted'",
    ]
    assert lines[2:] == ["Found cookie 'cookie_crisp' with value 'delicious'"]
    assert reply.text.endswith("\n")


def test_fixed_routes_come_before_the_name_route(browser):
    # /fancy is listed before /<name>, so it is not greeted as a name.
    assert browser.get("/fancy").text == ""


def test_hand_built_response_redirects_home(browser):
    reply = browser.get("/return-home")
    assert reply.status == 301
    assert reply.headers["Location"] in {"/", f"{browser.base_url}/"}


def test_redirect_helper_redirects_home(browser):
    reply = browser.get("/redirect-home")
    assert reply.status == 302
    assert reply.headers["Location"] in {"/", f"{browser.base_url}/"}
    assert browser.get("/").text == "Hello, world!"


def test_unknown_deeper_path_is_404(browser):
    assert browser.get("/Ben/and/Jerry").status == 404

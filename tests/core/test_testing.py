"""clastic.testing: the runner-independent helpers behind the pytest fixtures."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from clastic import Application, Route, render_basic
from clastic.testing import LiveServer, make_client, override_resources


def describe(db, mode):
    return f"{db}/{mode}"


def build_app():
    reports = Application(
        [("/", lambda db, mode: f"reports {db}/{mode}", render_basic)], resources={"db": "warehouse", "mode": "rw"}
    )
    return Application(
        [
            ("/", describe, render_basic),
            Route("/ro", describe, render_basic, resources={"mode": "ro"}),
            ("/reports", reports),
        ],
        resources={"db": "postgres", "mode": "rw"},
    )


def test_override_replaces_app_route_and_embedded_resources():
    app = build_app()
    fake = override_resources(app, db="sqlite", mode="test")
    client = make_client(fake)
    assert client.get("/").text == "sqlite/test"
    assert client.get("/ro").text == "sqlite/test"
    assert client.get("/reports/").text == "reports sqlite/test"
    assert fake.resources == {"db": "sqlite", "mode": "test"}


def test_original_application_is_left_unchanged():
    app = build_app()
    override_resources(app, db="sqlite")
    client = make_client(app)
    assert client.get("/").text == "postgres/rw"
    assert client.get("/ro").text == "postgres/ro"
    # The embedding Application's resources win over the embedded one's (as in Clastic 26).
    assert client.get("/reports/").text == "reports postgres/rw"


def test_override_of_a_serving_application_still_builds_a_copy():
    app = build_app()
    with LiveServer(app) as server:
        with urllib.request.urlopen(server.url + "/", timeout=10) as response:
            assert response.read() == b"postgres/rw"
        copy = override_resources(app, db="memory")
        with LiveServer(copy) as other, urllib.request.urlopen(other.url + "/ro", timeout=10) as response:
            assert response.read() == b"memory/ro"


def test_no_values_returns_the_same_application():
    app = build_app()
    assert override_resources(app) is app


def test_unknown_resource_names_the_closest_one():
    with pytest.raises(LookupError, match=r"no resource named 'dbb'.*\['db', 'mode'\].*Did you mean 'db'\?"):
        override_resources(build_app(), dbb="x")


def test_non_application_is_refused_with_the_fix():
    def wsgi_app(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    with pytest.raises(
        TypeError, match=r"needs a clastic Application to rebuild, got function .*pass the Application itself"
    ):
        override_resources(wsgi_app, db="x")


def test_overridden_value_reaches_middleware_hooks():
    from clastic import Middleware

    class StampMiddleware(Middleware):
        def request(self, next, request, stamp):
            response = next()
            response.headers["X-Stamp"] = stamp
            return response

    app = Application([("/", lambda: "ok", render_basic)], resources={"stamp": "real"}, middlewares=[StampMiddleware()])
    assert make_client(override_resources(app, stamp="fake")).get("/").headers["X-Stamp"] == "fake"
    assert make_client(app).get("/").headers["X-Stamp"] == "real"


def test_importing_clastic_testing_does_not_import_pytest():
    code = "import sys, clastic.testing; print('pytest' in sys.modules, '_pytest' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["False", "False"]

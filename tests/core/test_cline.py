"""clastic.cline: Bottle-style decorator routes, kept from Clastic 26."""

from __future__ import annotations

import inspect
import sys

import pytest
from cli_fixtures.devproc import DevProcess, fetch

from clastic import Application, Response, cline, render_json
from clastic.cline import Cline
from clastic.exceptions import InvalidMethod, UnresolvedArgumentError
from net_helpers import free_port


def test_decorators_add_routes_that_answer_their_methods():
    app = Cline()

    @app.get("/hello/<name>")
    def hello(name):
        return f"Hello, {name}!"

    @app.post("/items")
    def create():
        return {"created": True}

    @app.route("/any")
    def anything(request):
        return request.method

    for method in ("put", "delete", "patch"):
        getattr(app, method)(f"/{method}", endpoint=lambda request: f"{request.method} ok")
    app.head("/only-head", endpoint=lambda: Response(headers={"X-Head": "yes"}))

    client = app.get_local_client()
    assert client.get("/hello/Ann").text == "Hello, Ann!"
    assert client.head("/hello/Ann").status_code == 200
    assert client.post("/items").json == {"created": True}
    assert client.get("/items").status_code == 405
    assert client.delete("/any").text == "DELETE"
    assert client.put("/put").text == "PUT ok" and client.delete("/delete").text == "DELETE ok"
    assert client.patch("/patch").text == "PATCH ok" and client.get("/patch").status_code == 405
    assert client.head("/only-head").headers["X-Head"] == "yes" and client.get("/only-head").status_code == 405
    assert hello("Bo") == "Hello, Bo!"  # the decorator returns the function unchanged
    assert [route.pattern for route in app.routes] == [
        "/hello/<name>",
        "/items",
        "/any",
        "/put",
        "/delete",
        "/patch",
        "/only-head",
    ]


def test_route_called_directly_with_methods_and_route_options():
    app = Cline(resources={"greeting": "Hi"})

    def greet(greeting, name):
        return {"text": f"{greeting}, {name}"}

    assert app.route("/greet/<name>", ["GET", "POST"], endpoint=greet, render=render_json) is greet
    app.route("/old/<name>", endpoint_func=greet)  # the original's keyword
    client = app.get_local_client()
    assert client.post("/greet/Ann").json == {"text": "Hi, Ann"}
    assert client.get("/greet/Ann").headers["Content-Type"] == "application/json; charset=utf-8"
    assert client.put("/greet/Ann").status_code == 405
    assert client.get("/old/Bo").json == {"text": "Hi, Bo"}


def test_autorender_gives_render_basic_and_can_be_turned_off():
    app = Cline()
    app.get("/data", endpoint=lambda: {"a": [1, 2]})
    assert app.autorender is True
    assert app.get_local_client().get("/data").json == {"a": [1, 2]}
    assert "<table" in app.get_local_client().get("/data?format=html").text

    raw = Cline(autorender=False)
    raw.get("/response", endpoint=lambda: Response("made by hand", mimetype="text/plain"))
    raw.get("/json", endpoint=lambda: {"a": 1}, render=render_json)
    raw.get("/dict", endpoint=lambda: {"a": 1})
    client = raw.get_local_client()
    assert client.get("/response").text == "made by hand"
    assert client.get("/json").json == {"a": 1}
    assert client.get("/dict").status_code == 500  # no render: a dict is no response
    assert raw.routes[2].render is None


def test_a_build_error_fails_at_the_decorator_naming_the_functions_file_and_line():
    app = Cline(resources={"db": "sqlite"})
    line = inspect.currentframe().f_lineno + 4  # the decorator's line
    declared = rf"'dbb'.*Did you mean 'db'\?.*declared at \S*test_cline\.py:{line}\)$"
    with pytest.raises(UnresolvedArgumentError, match=declared):

        @app.get("/users")
        def users(dbb):
            return dbb

    assert app.routes == ()  # nothing half-added
    with pytest.raises(
        InvalidMethod, match=r"unrecognized HTTP method\(s\): \['FETCH'\].*declared at \S*test_cline\.py:\d+\)$"
    ):
        app.route("/x", methods=["FETCH"], endpoint=lambda: "x")


def test_cline_is_an_application_with_the_decorator_methods():
    app = Cline(routes=[("/listed", lambda: Response("from the list"))], debug=True)
    assert isinstance(app, Application) and app.debug is True
    for name in ("autorender", "route", "get", "post", "put", "delete", "patch", "head", "run"):
        assert hasattr(app, name), name
    for name in dir(Application):
        assert hasattr(app, name), name
    app.get("/more", endpoint=lambda: "more")
    client = app.get_local_client()
    assert client.get("/listed").text == "from the list" and client.get("/more").text == "more"
    rebuilt = app.with_resources()
    assert rebuilt.autorender is True and rebuilt.get_local_client().get("/more").text == "more"


def test_module_functions_add_to_the_default_app():
    assert isinstance(cline.DEFAULT_APP, Cline)
    for name in ("route", "get", "post", "put", "delete", "patch", "head", "run"):
        assert getattr(cline, name).__self__ is cline.DEFAULT_APP, name

    @cline.get("/_test_cline/module-level")
    def module_level():
        return "added to DEFAULT_APP"

    assert cline.DEFAULT_APP.get_local_client().get("/_test_cline/module-level").text == "added to DEFAULT_APP"


SCRIPT = """
import sys

from clastic.cline import get, run


@get("/hello/<name>")
def hello(name):
    return {"hello": name}


run(port=int(sys.argv[1]), use_reloader=False, use_meta=False, use_static=False)
"""


def test_run_serves_the_default_app_on_loopback(tmp_path):
    (tmp_path / "app.py").write_text(SCRIPT)
    port = free_port()
    with DevProcess([sys.executable, "app.py", str(port)], cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        reply = server.wait_for(f"http://127.0.0.1:{port}/hello/cline", lambda r: r.status == 200)
        assert reply.body.replace(" ", "").replace("\n", "") == '{"hello":"cline"}'
        assert fetch(f"http://127.0.0.1:{port}/nope").status == 404
    assert f"Running on http://127.0.0.1:{port}" in server.stderr  # run() binds loopback unless told otherwise

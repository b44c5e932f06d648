"""Routes as the meta JSON describes them: endpoint names, renders, argument sources."""

from __future__ import annotations

import functools
from typing import Any

from clastic import GET, POST, Application, Middleware, Route, render_basic, render_json
from clastic.meta import MetaApplication, describe_callable


def hello_world() -> str:
    return "hello"


class Greeter:
    def greet(self) -> str:
        return "hi"

    @classmethod
    def make(cls) -> str:
        return "made"


class CallableEndpoint:
    def __call__(self) -> str:
        return "called"


class CookieMiddleware(Middleware):
    provides = ("cookie",)

    def request(self, next: Any, request: Any) -> Any:
        return next(cookie={"id": "1"})


def show_user(user_id: int, request: Any, db: Any, cookie: Any, verbose: bool = False) -> dict[str, Any]:
    return {"user_id": user_id}


def render_page(context: Any, request: Any) -> Any:
    return render_basic(context, request, None)


def _routes(meta_get: Any, app: Application) -> dict[str, dict[str, Any]]:
    response = meta_get(app, "/_meta/json/")
    assert response.status_code == 200, response.text
    return {route["pattern"]: route for route in response.get_json()["app"]["routes"]}


def test_endpoint_names_for_functions_methods_callable_objects_and_builtins(meta_get: Any) -> None:
    app = Application(
        [
            ("/function", hello_world, render_basic),
            ("/method", Greeter().greet, render_basic),
            ("/classmethod", Greeter.make, render_basic),
            ("/object", CallableEndpoint(), render_basic),
            ("/builtin-function", globals, render_basic),
            ("/builtin-type", dict, render_basic),
            ("/_meta/", MetaApplication()),
        ]
    )
    routes = _routes(meta_get, app)
    module = __name__
    names = {pattern: {k: route["endpoint"][k] for k in ("module_name", "name")} for pattern, route in routes.items()}
    assert names["/function"] == {"module_name": module, "name": "hello_world"}
    assert names["/method"] == {"module_name": f"{module}.Greeter", "name": "greet"}
    assert names["/classmethod"] == {"module_name": f"{module}.Greeter", "name": "make"}
    assert names["/object"] == {"module_name": module, "name": "CallableEndpoint"}
    assert names["/builtin-function"] == {"module_name": "builtins", "name": "globals"}
    assert names["/builtin-type"] == {"module_name": "builtins", "name": "dict"}
    assert routes["/method"]["endpoint"]["qualname"] == "Greeter.greet"


def test_describe_callable_follows_partials_and_lambdas() -> None:
    assert describe_callable(functools.partial(hello_world)) == {
        "module_name": __name__,
        "name": "hello_world",
        "qualname": "partial(hello_world)",
    }
    assert describe_callable(lambda: None)["name"] == "<lambda>"
    assert describe_callable(len) == {"module_name": "builtins", "name": "len", "qualname": "len"}


def test_every_argument_is_listed_with_its_source(meta_get: Any) -> None:
    app = Application(
        [GET("/user/<user_id:int>", show_user, render_json, name="user"), ("/_meta/", MetaApplication())],
        resources={"db": object()},
        middlewares=[CookieMiddleware()],
    )
    route = _routes(meta_get, app)["/user/<user_id:int>"]
    assert route["args"] == [
        {"name": "user_id", "source": "url", "provider": None},
        {"name": "request", "source": "builtin", "provider": None},
        {"name": "db", "source": "resources", "provider": None},
        {"name": "cookie", "source": "middleware", "provider": "CookieMiddleware"},
        {"name": "verbose", "source": "default", "provider": None},
    ]
    assert route["methods"] == ["GET", "HEAD"]
    assert route["name"] == "user"
    assert route["middlewares"] == ["CookieMiddleware"]
    assert _routes(meta_get, app)["/_meta/"]["middlewares"] == ["CookieMiddleware", "MetaAccessMiddleware"]
    assert route["url_regex_pattern"].startswith("^")


def test_routes_are_listed_in_dispatch_order_with_render_and_methods(meta_get: Any) -> None:
    app = Application(
        [
            POST("/items/", hello_world, render_json),
            Route("/page", hello_world, render_page),
            ("/plain", hello_world, render_basic),
            ("/_meta/", MetaApplication()),
        ]
    )
    response = meta_get(app, "/_meta/json/")
    routes = response.get_json()["app"]["routes"]
    assert [r["pattern"] for r in routes] == ["/items/", "/page", "/plain", "/_meta/", "/_meta/json/"]
    assert [r["index"] for r in routes] == [0, 1, 2, 3, 4]
    assert routes[0]["methods"] == ["POST"]
    assert routes[2]["methods"] is None
    assert routes[0]["render"]["type"] == "clastic.render.simple.JSONRender"
    assert routes[0]["render"]["arg"] is None
    page_render = routes[1]["render"]
    assert (page_render["module_name"], page_render["name"]) == (__name__, "render_page")
    assert page_render["args"] == [
        {"name": "context", "source": "builtin", "provider": None},
        {"name": "request", "source": "builtin", "provider": None},
    ]
    assert [r["is_meta"] for r in routes] == [False, False, False, True, True]


def test_template_render_argument_is_shown(meta_get: Any) -> None:
    def factory(render_arg: str) -> Any:
        return lambda context: render_basic(context, None, None)

    app = Application([("/t", hello_world, "home.html"), ("/_meta/", MetaApplication())], render_factory=factory)
    render = _routes(meta_get, app)["/t"]["render"]
    assert render["arg"] == "home.html"
    assert render["name"] == "<lambda>"


def test_application_middlewares_show_hooks_provides_and_requires(meta_get: Any) -> None:
    class TokenMiddleware(Middleware):
        endpoint_provides = ("user",)

        def __init__(self, api_token: str) -> None:
            self.api_token = api_token

        def endpoint(self, next: Any, request: Any, cookie: Any) -> Any:
            return next(user="ann")

        def __repr__(self) -> str:
            return f"TokenMiddleware(api_token={self.api_token!r})"

    app = Application(
        [("/_meta/", MetaApplication())], middlewares=[CookieMiddleware(), TokenMiddleware("tok-3f9a2c")]
    )
    body = meta_get(app, "/_meta/json/").get_json()
    middlewares = body["app"]["middlewares"]
    assert [m["type_name"] for m in middlewares] == ["CookieMiddleware", "TokenMiddleware"]
    assert middlewares[0]["provides"] == ["cookie"]
    assert middlewares[0]["hooks"] == ["request"]
    assert middlewares[0]["requires"] == ["request"]
    assert middlewares[1]["provides"] == ["user"]
    assert middlewares[1]["requires"] == ["request", "cookie"]
    assert middlewares[1]["repr"] == "TokenMiddleware(api_token=[REDACTED])"
    assert "tok-3f9a2c" not in meta_get(app, "/_meta/").text

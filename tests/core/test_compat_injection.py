"""Clastic 26 injection behaviour kept (COMPAT items 1, 4, 5, 10): **kwargs, keyword URL names, execute()."""

import functools
import io
import logging
import tokenize

import pytest
from werkzeug.test import EnvironBuilder

from clastic import Application, DispatchState, Middleware, Request, Response, Route, render_basic
from clastic.errors import ErrorHandler, NotFound
from clastic.exceptions import UnresolvedArgumentError
from clastic.types import ArgSource


class Provide(Middleware):
    def __init__(self, **values):
        self.values = values
        self.provides = tuple(values)

    def request(self, next):
        return next(**self.values)


def request_for(path="/"):
    return Request(EnvironBuilder(path=path).get_environ())


# -- item 1: *args / **kwargs ---------------------------------------------------


def test_endpoint_kwargs_receive_every_injectable_not_named():
    def endpoint(name, **kwargs):
        return {
            "name": name,
            "keys": sorted(kwargs),
            "db": kwargs["db"],
            "cookie": kwargs["cookie"],
            "path": kwargs["request"].path,
        }

    app = Application(
        [("/u/<name>/<page:int>", endpoint, render_basic.json_render)],
        resources={"db": "the db"},
        middlewares=[Provide(cookie="c")],
    )
    data = app.get_local_client().get("/u/ann/3").json
    assert data == {
        "name": "ann",
        "keys": ["_application", "_dispatch_state", "_route", "cookie", "db", "page", "request"],
        "db": "the db",
        "cookie": "c",
        "path": "/u/ann/3",
    }
    sources = app.routes[0].arg_sources  # what **kwargs receives counts as the endpoint's arguments
    assert (sources["name"], sources["page"], sources["db"], sources["cookie"], sources["request"]) == (
        ArgSource("url"),
        ArgSource("url"),
        ArgSource("resource"),
        ArgSource("middleware", "Provide"),
        ArgSource("builtin"),
    )
    assert sources["cookie"].middleware is app.middlewares[0]


def test_named_arguments_next_to_kwargs_are_still_checked_with_a_suggestion():
    def endpoint(nmae, **kwargs):
        return "x"

    with pytest.raises(
        UnresolvedArgumentError, match=r"unresolved endpoint arguments: \['nmae'\].*Did you mean 'name'\?"
    ):
        Application([("/<name>", endpoint, render_basic)])


def test_star_args_receive_nothing_and_keyword_only_arguments_work():
    def endpoint(name, *args, greeting, punct="!"):
        return f"{greeting} {name}{punct} {args}"

    app = Application([("/<name>", endpoint, render_basic)], resources={"greeting": "hi"})
    assert app.get_local_client().get("/ann").text == "hi ann! ()"


def test_render_kwargs_receive_context_and_the_rest():
    def render(context, **kwargs):
        return Response(f"{context} {sorted(kwargs)}")

    app = Application([("/<x>", lambda x: x.upper(), render)], resources={"db": 1})
    assert (
        app.get_local_client().get("/a").text == "A ['_application', '_dispatch_state', '_route', 'db', 'request', 'x']"
    )


def test_middleware_hooks_with_kwargs_receive_what_is_available_there():
    seen = {}

    class Spy(Middleware):
        provides = ("token",)

        def request(self, next, **kwargs):
            seen["request"] = sorted(kwargs)
            return next(token="t")

        def endpoint(self, next, **kwargs):
            seen["endpoint"] = sorted(kwargs)
            return next()

        def render(self, next, context, **kwargs):
            seen["render"] = sorted(kwargs)
            return next()

    app = Application([("/<x>", lambda x, token: {"x": x}, render_basic)], resources={"db": 1}, middlewares=[Spy()])
    assert app.get_local_client().get("/a").status_code == 200
    base = ["_application", "_dispatch_state", "_route", "db", "request", "x"]
    assert seen == {"request": base, "endpoint": sorted([*base, "token"]), "render": sorted([*base, "token"])}


def test_custom_error_handler_render_error_with_kwargs():
    class BrandedErrors(ErrorHandler):
        def render_error(self, request, _error, **kwargs):
            names = ",".join(sorted(kwargs))
            return Response(f"{kwargs['brand']} {_error.code} {request.path} [{names}]", status=_error.code)

    def missing():
        raise NotFound()

    app = Application([("/m", missing, render_basic)], resources={"brand": "ACME"}, error_handler=BrandedErrors())
    client = app.get_local_client()
    resp = client.get("/m")
    assert (resp.status_code, resp.text) == (404, "ACME 404 /m [_application,_dispatch_state,_route,brand]")
    # Unmatched paths go through the same renderer (on the null route).
    assert client.get("/nowhere").text == "ACME 404 /nowhere [_application,_dispatch_state,_route,brand]"


def test_route_render_error_with_only_kwargs_gets_the_error_too(caplog):
    def render_error(**kwargs):
        return Response(f"{kwargs['_error'].code} {sorted(kwargs)}", status=kwargs["_error"].code)

    def missing():
        raise NotFound()

    with caplog.at_level(logging.WARNING, logger="clastic._chain"):
        app = Application([Route("/m", missing, render_basic, render_error=render_error)])
    assert (
        app.get_local_client().get("/m").text
        == "404 ['_application', '_dispatch_state', '_error', '_route', 'request']"
    )
    assert "render_error() takes only *args/**kwargs" in caplog.text


def test_decorator_without_wraps_builds_with_a_warning_naming_it(caplog):
    def logged(func):
        def wrapper(*args, **kwargs):
            return "logged"

        return wrapper

    @logged
    def hello(name):
        return name

    with caplog.at_level(logging.WARNING, logger="clastic._chain"):
        app = Application([("/<name>", hello, render_basic)])
    assert app.get_local_client().get("/ben").text == "logged"
    [record] = [r for r in caplog.records if r.name == "clastic._chain"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert (
        "route '/<name>': "
        "test_decorator_without_wraps_builds_with_a_warning_naming_it.<locals>.logged.<locals>.wrapper()" in message
    )
    assert "functools.wraps(func) or use clastic.decorators.clastic_decorator" in message


def test_functools_wraps_decorator_keeps_no_warning(caplog):
    def logged(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)

        return wrapper

    with caplog.at_level(logging.WARNING, logger="clastic._chain"):
        app = Application([("/<name>", logged(lambda name: name), render_basic)])
    assert app.get_local_client().get("/ben").text == "ben"
    assert caplog.text == ""


# -- item 4: render hooks are checked on routes without a render ---------------


def test_render_hook_argument_is_checked_on_routes_without_a_render():
    class NeedsName(Middleware):
        def render(self, next, context, name):
            return next()

    with pytest.raises(
        UnresolvedArgumentError, match=r"unresolved render middleware arguments: \['name'\].*NeedsName.render\(\)"
    ) as info:
        Application([("/", lambda: Response("direct"))], middlewares=[NeedsName()])
    assert isinstance(info.value, NameError)
    # Satisfied, the same route builds, and without a render the hook does not run.
    app = Application([("/", lambda: Response("direct"))], middlewares=[NeedsName()], resources={"name": "n"})
    assert app.get_local_client().get("/").text == "direct"


# -- item 5: URL bindings named like Python keywords ------------------------------


def test_keyword_binding_names_reach_kwargs_and_path_params():
    def endpoint(kappa, request, **kwargs):
        return {"kappa": kappa, "lambda": kwargs["lambda"], "path_params": request.path_params}

    class SeesKeyword(Middleware):
        def request(self, next, **kwargs):
            response = next()
            response.headers["X-Lambda"] = kwargs["lambda"]
            return response

    app = Application([("/iota/<kappa>/<lambda>/mu/", endpoint, render_basic.json_render)], middlewares=[SeesKeyword()])
    resp = app.get_local_client().get("/iota/k/l/mu/")
    assert resp.json == {"kappa": "k", "lambda": "l", "path_params": {"kappa": "k", "lambda": "l"}}
    assert resp.headers["X-Lambda"] == "l"
    source = app.routes[0].chain_source
    names = {
        token.string for token in tokenize.generate_tokens(io.StringIO(source).readline) if token.type == tokenize.NAME
    }
    assert "_clastic_kw_lambda" in names and "lambda" not in names  # never a variable, only the string key 'lambda'


def test_keyword_binding_without_kwargs_is_only_in_path_params():
    app = Application([("/<class>/<x:int>", lambda request, x: f"{request.path_params['class']} {x}", render_basic)])
    assert app.get_local_client().get("/first/2").text == "first 2"


# -- item 10 (COMPAT 10): BoundRoute.execute(request, **kwargs) --------------------


def test_execute_returns_the_endpoint_value_without_a_render():
    def endpoint(name, db, _route, _application, _dispatch_state):
        return {"name": name, "db": db, "route": _route, "app": _application, "state": _dispatch_state}

    app = Application([("/u/<name>", endpoint)], resources={"db": "real"})
    route = app.routes[0]
    result = route.execute(request_for("/u/x"), name="x")
    assert (result["name"], result["db"], result["route"], result["app"]) == ("x", "real", route, app)
    assert isinstance(result["state"], DispatchState) and result["state"].exceptions == []
    state = DispatchState()
    assert route.execute(request_for(), name="y", _dispatch_state=state)["state"] is state
    # Resources, _route and _application may be replaced for one call; unknown names are ignored.
    other = route.execute(request_for(), name="z", db="fake", _application="other app", unknown=1)
    assert (other["db"], other["app"]) == ("fake", "other app")
    assert route.execute(request_for(), name="z")["db"] == "real"
    # Dispatch still answers a non-Response with a 500 naming the route.
    assert app.get_local_client().get("/u/x").status_code == 500


def test_execute_runs_the_whole_chain_and_checks_url_values():
    app = Application(
        [("/n/<x:int>/<rest*>", lambda x, rest, token: f"{token}{x}{rest}", render_basic)],
        middlewares=[Provide(token="t")],
    )
    route = app.routes[0]
    response = route.execute(request_for(), x=5)
    assert type(response) is Response  # plain, even where request hooks only passed it on
    assert response.get_data(as_text=True) == "t5[]"
    with pytest.raises(
        TypeError, match=r"execute\(\) needs the URL values \['x'\] \(the pattern's fields are \['x', 'rest'\]\)"
    ):
        route.execute(request_for())


def test_execute_error_renders_with_the_route_error_renderer():
    def render_error(_error, brand, request):
        return Response(f"{brand} {_error.code}", status=_error.code)

    app = Application([Route("/", lambda: "x", render_basic, render_error=render_error)], resources={"brand": "ACME"})
    response = app.routes[0].execute_error(request_for(), NotFound())
    assert (response.status_code, response.get_data(as_text=True)) == (404, "ACME 404")
    assert app.routes[0].execute_error(request_for(), NotFound(), brand="Other").get_data(as_text=True) == "Other 404"

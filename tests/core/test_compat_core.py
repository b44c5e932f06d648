"""Clastic 26 names and attributes kept in clastic.route, .application, .middleware and .decorators."""

import logging

import pytest
from werkzeug.test import EnvironBuilder

from clastic import Application, DispatchState, Middleware, Request, Response, Route, SubApplication, render_basic
from clastic.errors import NotFound
from clastic.exceptions import ConflictingProvidesError, UnresolvedArgumentError


def request_for(path="/", method="GET"):
    return Request(EnvironBuilder(path=path, method=method).get_environ())


class Provider(Middleware):
    def __init__(self, provides, needs):
        self.provides = (provides,)
        self.value = provides
        self.needs = needs

    def request(self, next, **kwargs):
        sources = ",".join(kwargs[n] if isinstance(kwargs[n], str) else n for n in self.needs)
        return next(**{self.value: f"{self.value}<-{sources}"})


def test_route_module_names():
    from clastic import route

    assert route.RESERVED_ARGS == ("request", "_application", "_route", "_dispatch_state", "context", "next", "_error")
    assert route.TYPE_CONV_MAP["int"]("-5") == -5 and route.TYPE_CONV_MAP["float"]("2.5") == 2.5
    assert route.TYPE_PATT_MAP["int"] == "-?[0-9]+" and set(route.TYPE_PATT_MAP) == {"str", "unicode", "int", "float"}
    with pytest.raises(TypeError, match="does not support item assignment"):
        route.TYPE_CONV_MAP["bool"] = bool  # a read-only view
    assert ("int", int, "-?[0-9]+") in route.DEFAULT_CONVS
    assert route.build_converter(int)("7") == 7
    assert (
        route.build_converter(int, multi=True)("/1/2") == [1, 2] and route.build_converter(int, multi=True)(None) == []
    )
    assert route.build_converter(int, optional=True)(None) is None
    with pytest.raises(ValueError, match=r"invalid literal for int\(\) with base 10: 'x'"):
        route.build_converter(int)("x")
    from clastic import middleware, sinter

    assert route.check_middlewares is middleware.check_middlewares
    assert route.make_middleware_chain is middleware.make_middleware_chain
    assert (route.get_arg_names, route.get_fb, route.inject, route.get_callable_name) == (
        sinter.get_arg_names,
        sinter.get_fb,
        sinter.inject,
        sinter.get_callable_name,
    )


def test_dependency_helpers():
    from clastic.route import find_cycle, normalize_deps, resolve_deps

    deps = {"account": ["token", "db_session"], "token": ["request"], "db_session": ["config", "config"]}
    assert normalize_deps(deps) == {
        "account": ["token", "db_session"],
        "token": ["request"],
        "db_session": ["config"],
        "request": [],
        "config": [],
    }
    assert resolve_deps(deps)["account"] == ["token", "db_session", "request", "config"]
    assert find_cycle(deps) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["a"], "a2": []}, prenormalize=False) == ["a", "a"]
    with pytest.raises(RuntimeError, match=r"^cycle detected \(a->b, b->a\)$"):
        resolve_deps({"a": ["b"], "b": ["a"]})


def test_check_render_error():
    from clastic.route import check_render_error

    check_render_error(lambda request, _error, brand: None, {"brand": 1})
    with pytest.raises(UnresolvedArgumentError, match=r"unresolved render_error\(\) arguments: \['brand'\]"):
        check_render_error(lambda request, _error, brand: None, {})


def test_null_route_is_the_route_module_class_and_answers_the_sentinel_conditions():
    from clastic.application import Application as App
    from clastic.route import NullRoute

    app = App([("/only-post", lambda: Response("x"), None)])
    assert isinstance(app._null_route.route, NullRoute)
    null = NullRoute()
    state = DispatchState()
    assert null.handle_sentinel_condition(request_for("/nope"), state, app).code == 404
    state.allowed_methods.update({"POST"})
    assert null.handle_sentinel_condition(request_for("/p"), state, app).code == 405
    assert null.handle_sentinel_condition(request_for("/p", "OPTIONS"), state, app).headers["Allow"] == "OPTIONS, POST"
    state.exceptions.append(NotFound("non-breaking"))
    assert null.handle_sentinel_condition(request_for("/p"), state, app) is state.exceptions[-1]
    state.redirect_to = "/p/"
    assert null.handle_sentinel_condition(request_for("/p"), state, app).headers["Location"].endswith("/p/")


def test_application_module_names(monkeypatch):
    from clastic import application, errors, route

    assert application.MIME_SUPPORT_MAP is errors.MIME_SUPPORT_MAP
    assert application.S_STRICT == "strict"
    assert (application.check_render_error, application.get_arg_names, application.normalize_path) == (
        route.check_render_error,
        route.get_arg_names,
        route.normalize_path,
    )
    from clastic.errors.contextual import ContextualErrorHandler

    assert application.ContextualErrorHandler is ContextualErrorHandler
    # The lazy names resolve through clastic._moved's one table and its availability check.
    monkeypatch.setattr("clastic._moved.satellite_available", lambda module: False)
    with pytest.raises(ImportError, match=r"clastic.application.ContextualErrorHandler is provided by clastic-errors"):
        application.ContextualErrorHandler  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        application.Nope  # noqa: B018


def test_cast_to_route_factory_and_check_valid_wsgi():
    from clastic.application import cast_to_route_factory, check_valid_wsgi

    made = cast_to_route_factory(("/x", lambda: "x", render_basic))
    assert isinstance(made, Route) and made.pattern == "/x"
    sub = Application([("/y", lambda: "y", render_basic)])
    assert isinstance(cast_to_route_factory(("/s", sub)), SubApplication)
    assert cast_to_route_factory(made) is made
    with pytest.raises(TypeError, match="could not create a route from 42"):
        cast_to_route_factory(42)
    check_valid_wsgi(sub)
    check_valid_wsgi(lambda environ, start_response: [])
    with pytest.raises(TypeError, match="expected a valid WSGI callable taking \\(environ, start_response\\)"):
        check_valid_wsgi(lambda environ: [])
    with pytest.raises(TypeError, match="expected a valid WSGI callable, got 'nope'"):
        check_valid_wsgi("nope")

    class BadWrapper(Middleware):
        def wsgi_wrapper(self, wsgi_app):
            return lambda environ: []

    with pytest.raises(TypeError, match="expected a WSGI callable from the WSGI wrapper"):
        Application([("/", lambda: "x", render_basic)], middlewares=[BadWrapper()])


def test_default_render_error_as_a_route_error_renderer():
    from clastic.application import default_render_error

    def missing():
        raise NotFound("no such thing")

    app = Application([Route("/m", missing, render_basic, render_error=default_render_error)])
    resp = app.get_local_client().get("/m", headers={"Accept": "application/json"})
    assert resp.status_code == 404 and resp.json["detail"] == "no such thing"


def test_middleware_module_check_and_chain():
    from clastic import sinter
    from clastic.middleware import check_middlewares, make_middleware_chain
    from clastic.middleware.core import compile_code, get_arg_names, make_chain

    assert (compile_code, get_arg_names, make_chain) == (sinter.compile_code, sinter.get_arg_names, sinter.make_chain)
    a, b = Provider("a", []), Provider("b", ["a"])
    check_middlewares([a, b])
    with pytest.raises(ConflictingProvidesError, match=r"\('a', \('url', 'Provider'\)\)"):
        check_middlewares([a], {"a": "url"})
    with pytest.raises(ConflictingProvidesError, match=r"\('a', \('Provider', 'Provider'\)\)"):
        check_middlewares([a, Provider("a", [])])

    chain = make_middleware_chain(
        [a, b], lambda b, x: {"b": b, "x": x}, lambda context: f"{context['b']} {context['x']}", ["x", "request"]
    )
    assert chain(x=1, request=None) == "b<-a<- 1"
    no_render = make_middleware_chain([a], lambda a: {"a": a}, None, [])
    assert no_render() == {"a": "a<-"}
    with pytest.raises(UnresolvedArgumentError, match=r"unresolved endpoint arguments: \['y'\]"):
        make_middleware_chain([], lambda y: y, None, ["x"])


def test_iter_routes_and_render_attributes():
    from clastic.route import GET

    route = Route("/r", lambda: "x", render_basic)
    assert list(route.iter_routes()) == [route] and route.render is render_basic
    get = GET("/g", lambda: "g", "page.html")
    assert list(get.iter_routes()) == [get] and get.render == "page.html"
    child = Application([("/a", lambda: "a", render_basic), ("/b", lambda: "b", render_basic)])
    sub = SubApplication("/c", child)
    assert list(sub.iter_routes()) == list(child.routes)


def test_bound_route_attributes():
    def render_error(request, _error):
        return _error

    def endpoint(uid, tags, request, flag=False):
        return "x"

    route = Route("/u/<uid:int>/<tags*>", endpoint, render_basic, render_error=render_error)
    app = Application([route])
    bound = app.routes[0]
    assert bound.unbound_route is route
    assert bound.path_args == ["uid", "tags"]
    assert bound.endpoint_args == ("uid", "tags", "request", "flag")
    assert bound.render_error is render_error
    assert bound.converters["uid"]("12") == 12 and bound.converters["tags"]("/a/b") == ["a", "b"]
    plain = Application([("/x", lambda: "x", render_basic)])
    assert plain.routes[0].render_error == plain.error_handler.render_error


def test_get_required_args_follows_middleware_provides():
    class TokenMW(Middleware):
        provides = ("token",)

        def request(self, next, request):
            return next(token="t")

    class DBSessionMW(Middleware):
        provides = ("db_session",)

        def request(self, next, config):
            return next(db_session="s")

    class AccountMW(Middleware):
        provides = ("account",)

        def request(self, next, token, db_session):
            return next(account=f"{token}{db_session}")

    app = Application(
        [("/a/<page:int>", lambda account, page, request: f"{account}{page}", render_basic)],
        resources={"config": {}},
        middlewares=[TokenMW(), DBSessionMW(), AccountMW()],
    )
    bound = app.routes[0]
    assert app.get_local_client().get("/a/1").text == "ts1"
    assert bound.get_required_args() == ["account", "token", "db_session", "config", "page"]
    assert bound.is_required_arg("config") and bound.is_required_arg("page") and bound.is_required_arg("request")
    assert (
        not bound.is_required_arg("account")
        and not bound.is_required_arg("token")
        and not bound.is_required_arg("nope")
    )


def test_server_and_utils_names_from_the_application_module():
    from clastic import application, server, utils

    assert application.int2hexguid is utils.int2hexguid
    assert application.run_simple is server.run_simple
    assert application.create_dev_server_parser is server.create_dev_server_parser


def test_decorators_get_fb():
    from clastic.decorators import clastic_decorator, get_fb

    def shout(func):
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs).upper()

        return wrapper

    @clastic_decorator(shout)
    def hello(name, punct="!"):
        return f"hi {name}{punct}"

    assert get_fb(hello).get_arg_names() == ("name", "punct")
    assert get_fb(hello) is hello._sinter_fb
    assert Application([("/<name>", hello, render_basic)]).get_local_client().get("/ann").text == "HI ANN!"


def test_middleware_drop_is_logged_by_merge_middlewares(caplog):
    from clastic.middleware import DummyMiddleware, merge_middlewares

    kept = DummyMiddleware()
    with caplog.at_level(logging.INFO, logger="clastic.middleware.core"):
        assert merge_middlewares([DummyMiddleware(verbose=True)], [kept]) == [kept]
    assert (
        "middleware DummyMiddleware(verbose=True) dropped in favour of the equal DummyMiddleware(verbose=False)"
        in caplog.text
    )

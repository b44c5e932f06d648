"""The Middleware protocol (clastic.middleware.core): what a middleware declares, and the checks at build."""

import logging

import pytest

from clastic import Application, Middleware, render_basic
from clastic.exceptions import MiddlewareError
from clastic.middleware import MIDDLEWARE_PROTOCOL, DummyMiddleware, check_middleware


class Everything(Middleware):
    provides = ("a",)
    endpoint_provides = ("b",)

    def request(self, next, request, db, flag=False):
        return next(1)

    def endpoint(self, next, a, cookie):
        return next(b=2)

    def render(self, next, context, db):
        return next()


def test_the_protocol_version_and_the_base_class_defaults():
    assert MIDDLEWARE_PROTOCOL == 1
    bare = Middleware()
    assert bare.protocol_version == MIDDLEWARE_PROTOCOL
    assert (bare.provides, bare.endpoint_provides, bare.render_provides) == ((), (), ())
    assert (bare.request, bare.endpoint, bare.render, bare.wsgi_wrapper) == (None, None, None, None)
    assert list(bare.iter_hooks()) == []
    assert (bare.requires, bare.arguments) == ([], [])
    check_middleware(bare)  # a Middleware with no hook is allowed: it does nothing


def test_a_middleware_describes_its_hooks():
    mw = Everything()
    assert mw.name == "Everything"
    assert repr(mw) == "Everything()"
    assert [(name, hook.__name__, provides) for name, hook, provides in mw.iter_hooks()] == [
        ("request", "request", ("a",)),
        ("endpoint", "endpoint", ("b",)),
        ("render", "render", ()),
    ]
    assert sorted(mw.requires) == ["a", "cookie", "db", "request"]  # no next, context or defaulted flag
    assert mw.arguments == ["request", "db", "flag", "a", "cookie", "context"]


def test_any_object_with_the_hooks_is_a_middleware():
    class Duck:
        provides = ("greeting",)

        def request(self, next):
            return next(greeting="quack")

    check_middleware(Duck())
    app = Application([("/", lambda greeting: greeting, render_basic)], middlewares=[Duck()])
    assert app.get_local_client().get("/").text == "quack"


@pytest.mark.parametrize("thing", [object(), 42, "Log"])
def test_an_object_with_no_hook_is_refused(thing):
    with pytest.raises(MiddlewareError, match=r" is not a middleware: it defines none of request\(\), endpoint\(\), render\(\) or wsgi_wrapper$"):
        check_middleware(thing)
    with pytest.raises(MiddlewareError, match=r"is not a middleware"):
        Application([("/", lambda: "x", render_basic)], middlewares=[thing])


def test_application_level_middlewares_are_checked_even_without_routes():
    with pytest.raises(MiddlewareError, match=r"is not a middleware"):
        Application([], middlewares=[object()])


def make(name, **attributes):
    return type(name, (Middleware,), attributes)()


def passing(self, next):
    return next()


@pytest.mark.parametrize(
    ("mw", "message"),
    [
        (make("Str", provides="a", request=passing), r"^Str\.provides must be a list of names, not the string 'a'$"),
        (make("Dash", provides=("a-b",), request=passing), r"^Dash\.provides has 'a-b', which is not a valid argument name$"),
        (make("Num", endpoint_provides=(3,), endpoint=passing), r"^Num\.endpoint_provides has 3, which is not a valid argument name$"),
        (make("NoEndpoint", endpoint_provides=("x",)), r"^NoEndpoint\.endpoint_provides lists \['x'\] but NoEndpoint has no endpoint\(\) hook to provide them$"),
        (make("NoRender", render_provides=("x",)), r"^NoRender\.render_provides lists \['x'\] but NoRender has no render\(\) hook to provide them$"),
        (make("BadRender", render=lambda self, context, next: next()), r"^middleware functions must take argument 'next' as the first parameter \(BadRender\.render\)$"),
        (make("Wrapper", wsgi_wrapper=3), r"^expected Wrapper\.wsgi_wrapper to be callable, got 3$"),
        (make("Hook", endpoint=3), r"^expected Hook\.endpoint to be a function, got 3$"),
    ],
)
def test_protocol_mistakes_are_named_when_the_application_is_built(mw, message):
    with pytest.raises(MiddlewareError, match=message):
        check_middleware(mw)
    with pytest.raises(MiddlewareError, match=message):
        Application([("/", lambda: "x", render_basic)], middlewares=[mw])


@pytest.mark.parametrize(
    ("middlewares", "shown"),
    [("abc", r"'abc' \(str\)"), ({"a": 1}, r"\{'a': 1\} \(dict\)")],
)
def test_a_string_or_mapping_where_the_list_belongs_is_named(middlewares, shown):
    with pytest.raises(MiddlewareError, match=rf"^Application: middlewares must be a list of middleware objects, got {shown}"):
        Application([], middlewares=middlewares)


def test_a_wsgi_wrapper_alone_makes_a_middleware_around_every_response():
    class Stamp(Middleware):
        def wsgi_wrapper(self, wsgi_app):
            def wrapped(environ, start_response):
                def start(status, headers, exc_info=None):
                    return start_response(status, [*headers, ("X-Stamp", "1")], exc_info)

                return wsgi_app(environ, start)

            return wrapped

    check_middleware(Stamp())
    client = Application([("/", lambda: "x", render_basic)], middlewares=[Stamp()]).get_local_client()
    assert client.get("/").headers["X-Stamp"] == "1"
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.headers["X-Stamp"]) == (404, "1")  # the wrapper sees unmatched requests too


def test_middlewares_see_unmatched_requests_through_the_null_route():
    seen = []

    class Watch(Middleware):
        def request(self, next, request, _route):
            response = next()
            seen.append((request.path, _route.is_null_route, response.status_code))
            return response

    client = Application([("/", lambda: "x", render_basic)], middlewares=[Watch()]).get_local_client()
    client.get("/")
    client.get("/nowhere")
    assert seen == [("/", False, 200), ("/nowhere", True, 404)]


def test_dummy_middleware_passes_through_and_logs_when_verbose(caplog):
    assert repr(DummyMiddleware(verbose=True)) == "DummyMiddleware(verbose=True)"
    app = Application([("/x", lambda: "x", render_basic)], middlewares=[DummyMiddleware(verbose=True)])
    with caplog.at_level(logging.INFO, logger="clastic.middleware.core"):
        assert app.get_local_client().get("/x?q=1").text == "x"
    assert [record.getMessage() for record in caplog.records] == ["DummyMiddleware: GET /x"]
    quiet = Application([("/x", lambda: "x", render_basic)], middlewares=[DummyMiddleware()])
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="clastic.middleware.core"):
        quiet.get_local_client().get("/x")
    assert caplog.records == []

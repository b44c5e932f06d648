"""The Middleware protocol (clastic.middleware.core): what a middleware declares, and the checks at build."""

import inspect
import logging

import pytest

from clastic import Application, Middleware, render_basic
from clastic.exceptions import MiddlewareError, ReservedArgumentError, UnresolvedArgumentError
from clastic.middleware import MIDDLEWARE_PROTOCOL, DummyMiddleware, check_middleware
from clastic.middleware.core import check_arg_name, make_hook


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
    with pytest.raises(
        MiddlewareError,
        match=r" is not a middleware: it defines none of request\(\), endpoint\(\), render\(\) or wsgi_wrapper$",
    ):
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
        (
            make("Dash", provides=("a-b",), request=passing),
            r"^Dash\.provides has 'a-b', which is not a valid argument name$",
        ),
        (
            make("Num", endpoint_provides=(3,), endpoint=passing),
            r"^Num\.endpoint_provides has 3, which is not a valid argument name$",
        ),
        (
            make("NoEndpoint", endpoint_provides=("x",)),
            r"^NoEndpoint\.endpoint_provides lists \['x'\] but NoEndpoint has no endpoint\(\) hook to provide them$",
        ),
        (
            make("NoRender", render_provides=("x",)),
            r"^NoRender\.render_provides lists \['x'\] but NoRender has no render\(\) hook to provide them$",
        ),
        (
            make("BadRender", render=lambda self, context, next: next()),
            r"^middleware functions must take argument 'next' as the first parameter \(BadRender\.render\)$",
        ),
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
    with pytest.raises(
        MiddlewareError, match=rf"^Application: middlewares must be a list of middleware objects, got {shown}"
    ):
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


# -- make_hook and check_arg_name: hooks whose argument names the user chooses --


class Greeter(Middleware):
    """Provides ``greeting``, built from a resource whose name the user picks."""

    provides = ("greeting",)

    def __init__(self, source_name, *, optional=None):
        self.source_name = check_arg_name(source_name, owner="Greeter", what="source_name")
        self.request = make_hook(self._handle, name="request", required=[source_name], optional=optional)

    def _handle(self, next, **values):
        extra = values.get("punctuation", "?")
        return next(greeting=f"hello {values[self.source_name]}{extra}")


def test_a_hook_made_by_make_hook_gets_the_names_chosen_at_construction():
    app = Application(
        [("/", lambda greeting: greeting, render_basic)],
        resources={"visitor": "ada", "punctuation": "!"},
        middlewares=[Greeter("visitor", optional={"punctuation": "."})],
    )
    assert app.get_local_client().get("/").text == "hello ada!"
    unprovided = Application(
        [("/", lambda greeting: greeting, render_basic)],
        resources={"visitor": "ada"},
        middlewares=[Greeter("visitor", optional={"punctuation": "."})],
    )
    # An optional name nothing provides is absent from the values, not its default.
    assert unprovided.get_local_client().get("/").text == "hello ada?"


def test_a_required_name_of_a_made_hook_is_checked_when_the_app_is_built():
    with pytest.raises(UnresolvedArgumentError, match=r"'visiter'.*Did you mean 'visitor'\?"):
        Application(
            [("/", lambda greeting: greeting, render_basic)],
            resources={"visitor": "ada"},
            middlewares=[Greeter("visiter")],
        )


def test_make_hook_signature_name_and_context():
    def impl(next, **values):
        return next(**values)

    hook = make_hook(impl, name="render", required=["user"], optional={"lang": "en"}, takes_context=True)
    assert str(inspect.signature(hook)) == "(next, context, user, lang='en')"
    assert hook.__name__ == "render"
    called = hook(lambda **values: values, {"page": 1}, "ada", lang="fr")
    assert called == {"context": {"page": 1}, "user": "ada", "lang": "fr"}
    with pytest.raises(TypeError, match=r"make_hook\(\) takes the function doing the work, got 'impl'"):
        make_hook("impl", name="request")


def test_check_arg_name_returns_a_usable_name():
    assert check_arg_name("user_id", owner="Auth") == "user_id"


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        (3, TypeError, r"Auth: arg_name must be a string, got 3 \(int\)"),
        ("user-id", ValueError, r"Auth: arg_name 'user-id' is not a valid Python identifier"),
        ("request", ReservedArgumentError, r"Auth: arg_name 'request' is reserved \(reserved names: \["),
        ("self", ReservedArgumentError, r"Auth: arg_name 'self' is reserved"),
    ],
)
def test_check_arg_name_refuses_what_cannot_be_injected(name, error, message):
    with pytest.raises(error, match=message):
        check_arg_name(name, owner="Auth", what="arg_name")

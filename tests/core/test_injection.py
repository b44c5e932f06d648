"""Injection by name, checked when the Application is built."""

import functools

import pytest

from clastic import Application, Middleware, Response, Route, render_basic
from clastic.decorators import clastic_decorator
from clastic.exceptions import (
    ConflictingProvidesError,
    InvalidEndpoint,
    MiddlewareError,
    RenderFactoryError,
    ReservedArgumentError,
    UnresolvedArgumentError,
)
from clastic.types import ArgSource


class Provide(Middleware):
    def __init__(self, **values):
        self.values = values
        self.provides = tuple(values)

    def request(self, next):
        return next(**self.values)


def build(endpoint, pattern="/", **kwargs):
    return Application([(pattern, endpoint, render_basic)], **kwargs)


def test_unresolved_argument_names_route_callable_sources_and_suggestion():
    def hello(first_name):
        return first_name

    with pytest.raises(UnresolvedArgumentError, match=r"hello\(\) needs 'first_name', which nothing provides") as info:
        Application([("/<name>", hello, render_basic)], resources={"db": 1})
    message = str(info.value)
    assert "unresolved endpoint arguments: ['first_name']" in message
    assert "route '/<name>'" in message
    assert "hello() needs 'first_name'" in message
    assert "url: ['name']" in message and "resources: ['db']" in message
    assert "Did you mean 'name'?" in message
    assert isinstance(info.value, NameError)
    assert info.value.arg_name == "first_name"


def test_defaults_used_when_nothing_provides():
    client = Application([("/", lambda name="world": f"Hello, {name}!", render_basic)]).get_local_client()
    assert client.get("/").text == "Hello, world!"


def test_context_outside_render_is_an_error():
    with pytest.raises(ReservedArgumentError, match="'context', which is only available to render functions"):
        build(lambda context: context)


def test_next_outside_middleware_is_an_error():
    with pytest.raises(ReservedArgumentError, match="argument 'next' reserved for middleware use only"):
        build(lambda next: "x")
    with pytest.raises(ReservedArgumentError, match="argument 'next' reserved"):
        Application([("/", lambda: {}, lambda context, next: None)])


def test_error_builtin_only_in_render_error():
    with pytest.raises(ReservedArgumentError, match="only available to error renderers"):
        build(lambda _error: "x")


@pytest.mark.parametrize(
    ("kwargs", "pattern", "conflict"),
    [
        ({"resources": {"name": 1}}, "/<name>", "('name', ('url', 'resources'))"),
        ({"middlewares": [Provide(name=1)]}, "/<name>", "('name', ('url', 'Provide'))"),
        ({"resources": {"name": 1}, "middlewares": [Provide(name=1)]}, "/", "('name', ('resources', 'Provide'))"),
        ({}, "/<request>", "('request', ('builtins', 'url'))"),
        ({"middlewares": [Provide(name=1), Provide(name=2)]}, "/", "('name', ('Provide', 'Provide'))"),
    ],
)
def test_conflicting_provides(kwargs, pattern, conflict):
    with pytest.raises(ConflictingProvidesError, match="found conflicting provides") as info:
        Application([(pattern, lambda: "x", render_basic)], **kwargs)
    assert conflict in str(info.value)
    assert isinstance(info.value, NameError)


def test_resource_named_like_builtin():
    with pytest.raises(ReservedArgumentError, match=r"resource names conflict with builtins: \['request'\]"):
        Application([], resources={"request": 1})


def test_request_middleware_unresolved_argument():
    class NeedsFoo(Middleware):
        def request(self, next, foo):
            return next()

    with pytest.raises(
        UnresolvedArgumentError, match=r"unresolved request middleware arguments: \['foo'\].*NeedsFoo.request\(\)"
    ):
        build(lambda: "x", middlewares=[NeedsFoo()])


def test_render_middleware_unresolved_and_endpoint_middleware_context():
    class RenderBar(Middleware):
        def render(self, next, context, bar):
            return next()

    with pytest.raises(UnresolvedArgumentError, match=r"unresolved render middleware arguments: \['bar'\]"):
        build(lambda: "x", middlewares=[RenderBar()])

    class EndpointContext(Middleware):
        def endpoint(self, next, context):
            return next()

    with pytest.raises(ReservedArgumentError, match="'context'"):
        build(lambda: "x", middlewares=[EndpointContext()])


def test_hook_without_next_first_and_non_callable_hook():
    class NoNext(Middleware):
        def request(self, request):
            return None

    with pytest.raises(MiddlewareError, match=r"must take argument 'next' as the first parameter \(NoNext.request\)"):
        build(lambda: "x", middlewares=[NoNext()])

    class NotCallable(Middleware):
        request = "nope"

    with pytest.raises(MiddlewareError, match=r"expected NotCallable\.request to be a function"):
        build(lambda: "x", middlewares=[NotCallable()])


def test_provides_without_hook_and_protocol_version():
    class Orphan(Middleware):
        provides = ("x",)

    with pytest.raises(MiddlewareError, match=r"Orphan.provides lists \['x'\] but Orphan has no request\(\) hook"):
        build(lambda: "x", middlewares=[Orphan()])

    class PassThrough(Middleware):
        def request(self, next):
            return next()

    def written_for(name, version):
        return type(name, (PassThrough,), {"protocol_version": version})()

    with pytest.raises(
        MiddlewareError,
        match=(
            "written for middleware protocol version 2, "
            "newer than the version 1 this clastic-core implements; upgrade clastic-core"
        ),
    ):
        build(lambda: "x", middlewares=[written_for("Future", 2)])
    with pytest.raises(
        MiddlewareError,
        match=(
            "written for middleware protocol version 0, "
            "but this clastic-core implements version 1; upgrade the package that provides Ancient"
        ),
    ):
        build(lambda: "x", middlewares=[written_for("Ancient", 0)])
    for bad in ("1", None, True, 1.0):
        with pytest.raises(MiddlewareError, match=r"Odd.protocol_version must be an int such as 1"):
            build(lambda: "x", middlewares=[written_for("Odd", bad)])
    assert build(lambda: "x", middlewares=[written_for("Current", 1)]).get_local_client().get("/").status_code == 200


def test_render_error_unknown_argument():
    def render_error(request, _error, nope):
        return _error

    with pytest.raises(UnresolvedArgumentError, match=r"unresolved render_error\(\) arguments: \['nope'\]"):
        Application([Route("/", lambda: "x", render_basic, render_error=render_error)])


def test_string_render_without_factory_fails_at_build():
    with pytest.raises(
        RenderFactoryError,
        match=r"render argument 'home\.html' is not callable and the Application has no render_factory",
    ):
        Application([("/", lambda: {}, "home.html")])


def test_render_factory_errors_name_the_route():
    def factory(name):
        raise LookupError(f"no template {name!r}")

    with pytest.raises(
        RenderFactoryError, match=r"route '/t': render factory could not use 'x.html': no template 'x.html'"
    ):
        Application([("/t", lambda: {}, "x.html")], render_factory=factory)


def test_star_args_only_builds_with_a_warning(caplog):
    def varargs(*args, **kwargs):
        return f"{sorted(kwargs)} {args}"

    with caplog.at_level("WARNING", logger="clastic._chain"):
        client = build(varargs, resources={"db": 1}).get_local_client()
    assert client.get("/").text == "['_application', '_dispatch_state', '_route', 'db', 'request'] ()"
    assert (
        "route '/': test_star_args_only_builds_with_a_warning.<locals>.varargs() takes only *args/**kwargs"
        in caplog.text
    )
    assert "functools.wraps(func) or use clastic.decorators.clastic_decorator" in caplog.text


def test_functools_wraps_decorators_are_followed():
    def logged(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return "logged " + func(*args, **kwargs)

        return wrapper

    @logged
    def hello(name):
        return name

    client = Application([("/<name>", hello, render_basic)]).get_local_client()
    assert client.get("/Ben").text == "logged Ben"


def test_clastic_decorator_lifts_signature():
    def shout(func):
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs).upper()

        return wrapper

    cl_shout = clastic_decorator(shout)

    @cl_shout
    def hello(name):
        return f"hi {name}"

    assert Application([("/<name>", hello, render_basic)]).get_local_client().get("/ben").text == "HI BEN"
    with pytest.raises(InvalidEndpoint, match="clastic does not support functions with"):
        cl_shout(lambda *a: a)


def test_builtins_methods_and_callable_objects_as_endpoints():
    class Greeter:
        def __init__(self, greeting):
            self.greeting = greeting

        def greet(self, name):
            return f"{self.greeting} {name}"

        def __call__(self, name):
            return f"{self.greeting}! {name}"

    routes = [
        ("/m/<name>", Greeter("hi").greet, render_basic),
        ("/c/<name>", Greeter("yo"), render_basic),
        ("/d", dict, render_basic),
        ("/s", sum, render_basic),
    ]
    client = Application(routes, resources={"iterable": [1, 2, 3]}).get_local_client()
    assert client.get("/m/ann").text == "hi ann"
    assert client.get("/c/ann").text == "yo! ann"
    assert client.get("/d").text.strip() == "{}"
    assert client.get("/s").text == "6"  # sum's positional-only 'iterable' comes from the resources


def test_route_resources_win_over_application_resources():
    route = Route("/", lambda v: v, render_basic, resources={"v": "route"})
    client = Application([route, ("/app", lambda v: v, render_basic)], resources={"v": "app"}).get_local_client()
    assert client.get("/").text == "route"
    assert client.get("/app").text == "app"


def test_middleware_call_order_is_m_shaped():
    calls = []

    class Trace(Middleware):
        def __init__(self, tag):
            self.tag = tag

        def request(self, next):
            calls.append(f"req-in {self.tag}")
            response = next()
            calls.append(f"req-out {self.tag}")
            return response

        def endpoint(self, next):
            calls.append(f"ep-in {self.tag}")
            context = next()
            calls.append(f"ep-out {self.tag}")
            return context

        def render(self, next, context):
            calls.append(f"rn-in {self.tag}")
            response = next()
            calls.append(f"rn-out {self.tag}")
            return response

    def endpoint():
        calls.append("endpoint")
        return {"a": 1}

    def render(context):
        calls.append("render")
        return render_basic.json_render(context)

    app = Application([("/", endpoint, render)], middlewares=[Trace("1"), Trace("2")])
    app.get_local_client().get("/")
    assert calls == [
        "req-in 1", "req-in 2", "ep-in 1", "ep-in 2", "endpoint", "ep-out 2", "ep-out 1",
        "rn-in 1", "rn-in 2", "render", "rn-out 2", "rn-out 1", "req-out 2", "req-out 1",
    ]  # fmt: skip


def test_provides_flow_inward_positionally_or_by_keyword():
    class Positional(Middleware):
        provides = ("user",)

        def request(self, next, request):
            return next(request.args.get("u", "anon"))

    class Derived(Middleware):
        endpoint_provides = ("greeting",)

        def endpoint(self, next, user):
            return next(greeting=f"hello {user}")

    app = Application([("/", lambda greeting: greeting, render_basic)], middlewares=[Positional(), Derived()])
    assert app.get_local_client().get("/?u=kim").text == "hello kim"


def test_response_from_endpoint_skips_render_side_but_unwinds_request():
    seen = []

    class Watch(Middleware):
        def request(self, next):
            response = next()
            seen.append(response.status_code)
            return response

        def render(self, next, context):
            seen.append("render hook")
            return next()

    from clastic import Response

    app = Application([("/", lambda: Response("direct", status=202), render_basic)], middlewares=[Watch()])
    assert app.get_local_client().get("/").status_code == 202
    assert seen == [202]


def test_same_middleware_instance_on_app_and_route_runs_once():
    count = []

    class Count(Middleware):
        def request(self, next):
            count.append(1)
            return next()

    mw = Count()
    app = Application([Route("/", lambda: "x", render_basic, middlewares=[mw])], middlewares=[mw])
    app.get_local_client().get("/")
    assert count == [1]


def test_generated_chain_is_visible_in_tracebacks():
    import traceback

    def boom():
        raise RuntimeError("boom")

    app = Application([("/b/<x:int>", lambda x: boom(), render_basic)])
    route = app.routes[0]
    assert "def _clastic_execute(request, _dispatch_state, x):" in route.chain_source
    with pytest.raises(RuntimeError, match=r"^boom$") as info:
        route.execute(None, x=1)
    text = "".join(traceback.format_exception(info.value))
    assert "<clastic chain /b/<x:int> #" in text
    assert "_clastic_endpoint(x)" in text  # the generated line, from linecache


def test_arg_sources_for_introspection():
    class Cookie(Middleware):
        provides = ("cookie",)

        def request(self, next):
            return next(cookie={})

    def ep(name, db, cookie, request, flag=False):
        return "x"

    cookie_mw = Cookie()
    app = Application([("/<name>", ep, render_basic)], resources={"db": 1}, middlewares=[cookie_mw])
    sources = app.routes[0].arg_sources
    assert sources["name"] == ArgSource("url")
    assert sources["db"] == ArgSource("resource")
    assert sources["cookie"] == ArgSource("middleware", "Cookie")
    assert sources["cookie"].middleware is cookie_mw
    assert sources["request"] == ArgSource("builtin")
    assert sources["flag"] == ArgSource("default")
    # Every argument of the endpoint, the render and the hooks, and nothing else.
    assert sorted(sources) == ["_route", "context", "cookie", "db", "flag", "name", "request"]
    assert [str(sources[name]) for name in ("name", "db", "cookie", "request", "flag")] == [
        "url",
        "resources",
        "Cookie",
        "builtins",
        "default",
    ]


def test_arg_sources_of_each_kind_with_the_providing_middleware():
    class Session(Middleware):
        provides = ("session",)

        def request(self, next, request):
            return next(session={"user": "ann"})

    class Timer(Middleware):
        endpoint_provides = ("started",)

        def endpoint(self, next, session):
            return next(started=1.5)

    class Theme(Middleware):
        render_provides = ("theme",)

        def render(self, next, context):
            return next(theme="dark")

    def show(item_id, store, session, started, _application, limit=10):
        return {"item": store[item_id], "user": session["user"], "started": started, "limit": limit}

    def render_page(context, theme, _route):
        return Response(f"{context['item']} for {context['user']} in {theme} on {_route.pattern}")

    session_mw, timer_mw, theme_mw = Session(), Timer(), Theme()
    app = Application(
        [Route("/items/<item_id:int>", show, render_page, middlewares=[theme_mw])],
        resources={"store": {7: "lamp"}},
        middlewares=[session_mw, timer_mw],
    )
    assert app.get_local_client().get("/items/7").text == "lamp for ann in dark on /items/<item_id:int>"
    sources = app.routes[0].arg_sources
    assert {name: source.kind for name, source in sources.items()} == {
        "item_id": "url",
        "store": "resource",
        "session": "middleware",
        "started": "middleware",
        "theme": "middleware",
        "request": "builtin",
        "context": "builtin",
        "_route": "builtin",
        "_application": "builtin",
        "limit": "default",
    }
    assert [sources[name].provider for name in ("session", "started", "theme")] == ["Session", "Timer", "Theme"]
    # The objects themselves (middlewares compare equal by type, so check identity).
    assert sources["session"].middleware is session_mw
    assert sources["started"].middleware is timer_mw
    assert sources["theme"].middleware is theme_mw
    others = [source for source in sources.values() if source.kind != "middleware"]
    assert {(source.provider, source.middleware) for source in others} == {(None, None)}

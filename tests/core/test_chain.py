"""The compiled call chain (clastic._chain): M-order, checks at build, source in linecache, hidden frames."""

import inspect
import linecache
import re

import pytest

from clastic import GET, Application, Middleware, Response, Route, render_basic
from clastic.errors import NotFound
from clastic.exceptions import ReservedArgumentError, UnresolvedArgumentError


class Cookie(Middleware):
    provides = ("cookie",)

    def request(self, next):
        return next(cookie={"sid": "1"})


class User(Middleware):
    endpoint_provides = ("user",)

    def endpoint(self, next, cookie):
        return next(user=f"user of {cookie['sid']}")


class Format(Middleware):
    render_provides = ("fmt",)

    def render(self, next, context):
        return next(fmt="text")


def profile(name, cookie, user):
    return f"{name}: {user}"


def render_profile(context, fmt):
    return Response(f"{context} as {fmt}")


def m_order_app():
    return Application([GET("/hello/<name>", profile, render_profile)], middlewares=[Cookie(), User(), Format()])


def test_the_chain_runs_and_passes_each_callable_what_it_asks_for():
    assert m_order_app().get_local_client().get("/hello/ann").text == "ann: user of 1 as text"


def test_the_generated_source_nests_request_then_endpoint_then_render_hooks():
    source = m_order_app().routes[0].chain_source
    assert source.startswith("def _clastic_execute(request, _dispatch_state, name):\n    __traceback_hide__ = True\n")
    steps = [
        "def _clastic_next_r0(cookie):",  # inside the request hook of middleware 0
        "def _clastic_next_e1(user):",  # inside the endpoint hook of middleware 1
        "_clastic_endpoint(",
        "_clastic_mw1_endpoint(",
        "context = _clastic_context",  # a Response from the endpoint side returns before this
        "def _clastic_next_n2(fmt):",  # inside the render hook of middleware 2
        "_clastic_render(",
        "_clastic_mw2_render(",
        "return _clastic_mw0_request(",
    ]
    positions = [source.index(step) for step in steps]
    assert positions == sorted(positions)
    depth = {step: len(line) - len(line.lstrip()) for line in source.splitlines() for step in steps if step in line}
    assert depth["def _clastic_next_r0(cookie):"] == 4
    assert depth["def _clastic_next_e1(user):"] == 8
    assert depth["_clastic_endpoint("] == 12
    assert depth["def _clastic_next_n2(fmt):"] == 8
    assert depth["_clastic_render("] == 12


def test_every_generated_function_hides_its_frame():
    for app in (m_order_app(), deep_app([])):
        lines = app.routes[0].chain_source.splitlines()
        defs = [index for index, line in enumerate(lines) if line.lstrip().startswith("def ")]
        assert defs
        for index in defs:
            assert lines[index + 1].strip() == "__traceback_hide__ = True", lines[index]


def chain_frames():
    """``(function name, file name, __traceback_hide__)`` of the generated frames calling the caller."""
    frames = []
    frame = inspect.currentframe().f_back.f_back
    while frame is not None:
        if frame.f_code.co_filename.startswith("<clastic chain"):
            frames.append((frame.f_code.co_name, frame.f_code.co_filename, frame.f_locals.get("__traceback_hide__")))
        frame = frame.f_back
    return frames


def test_the_generated_frames_are_hidden_and_their_source_is_in_linecache():
    seen = {}

    def endpoint(name, cookie, user):
        seen["frames"] = chain_frames()
        seen["own"] = inspect.currentframe().f_locals.get("__traceback_hide__")
        return name

    app = Application([GET("/hello/<name>", endpoint, render_profile)], middlewares=[Cookie(), User(), Format()])
    assert app.get_local_client().get("/hello/ann").text == "ann as text"
    names = [name for name, _filename, _hide in seen["frames"]]
    assert names == ["_clastic_next_e1", "_clastic_next_r0", "_clastic_execute"]  # innermost first
    assert {hide for _name, _filename, hide in seen["frames"]} == {True}
    assert seen["own"] is None  # the author's own frame is not hidden
    [filename] = {filename for _name, filename, _hide in seen["frames"]}
    assert re.fullmatch(r"<clastic chain GET\|HEAD /hello/<name> #\d+>", filename)
    assert linecache.getlines(filename) == app.routes[0].chain_source.splitlines(True)


def test_routes_of_the_same_shape_keep_their_own_names_and_sources():
    seen = []

    def endpoint(_route):
        seen.append((_route.pattern, {filename for _name, filename, _hide in chain_frames()}))
        return _route.pattern

    app = Application([("/one", endpoint, render_basic), ("/two", endpoint, render_basic)])
    client = app.get_local_client()
    assert (client.get("/one").text, client.get("/two").text) == ("/one", "/two")
    [(first, [first_file]), (second, [second_file])] = [(p, sorted(files)) for p, files in seen]
    assert (first, second) == ("/one", "/two")
    assert first_file.startswith("<clastic chain /one #") and second_file.startswith("<clastic chain /two #")
    assert linecache.getlines(first_file) == linecache.getlines(second_file)  # one shape, compiled once


def layer(index, calls):
    """A middleware class of its own (middlewares of one class merge) providing ``v<index>``."""

    needs = f"v{index - 1}" if index else "request"
    namespace = {}
    exec(  # a signature naming the previous layer's value: only named arguments are injected
        f"def request(self, next, {needs}):\n"
        f"    calls.append('in {index}')\n"
        f"    response = next({index})\n"
        f"    calls.append('out {index}')\n"
        f"    return response\n",
        {"calls": calls},
        namespace,
    )
    return type(f"Layer{index}", (Middleware,), {"provides": (f"v{index}",), "request": namespace["request"]})()


def deep_app(calls, depth=120):
    def endpoint(v0, v119):
        calls.append("endpoint")
        return f"{v0} {v119}"

    return Application([("/deep", endpoint, render_basic)], middlewares=[layer(i, calls) for i in range(depth)])


def test_a_chain_deeper_than_python_can_nest_still_runs_in_order():
    calls = []
    app = deep_app(calls)
    assert app.get_local_client().get("/deep").text == "0 119"  # Python allows 100 levels of indentation
    assert calls == [f"in {i}" for i in range(120)] + ["endpoint"] + [f"out {i}" for i in reversed(range(120))]


def test_a_route_without_render_returns_the_endpoints_response_and_skips_render_hooks():
    ran = []

    class Wrap(Middleware):
        def render(self, next, context, cookie):
            ran.append("render hook")
            return next()

    app = Application([("/", lambda cookie: Response(cookie["sid"]))], middlewares=[Cookie(), Wrap()])
    assert app.get_local_client().get("/").text == "1"
    assert ran == []


def test_render_hooks_are_checked_even_when_the_route_has_no_render():
    class Needs(Middleware):
        def render(self, next, context, missing):
            return next()

    with pytest.raises(
        UnresolvedArgumentError,
        match=r"^unresolved render middleware arguments: \['missing'\] — route '/': Needs\.render\(\) needs 'missing'",
    ):
        Application([("/", lambda: Response("x"))], middlewares=[Needs()])


def test_what_an_endpoint_hook_provides_is_for_the_endpoint_only():
    def render(context, user):
        return Response(user)

    with pytest.raises(UnresolvedArgumentError, match=r"^unresolved render arguments: \['user'\] — route '/':"):
        Application([("/", lambda user: user, render)], middlewares=[Cookie(), User()])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("context", r"route '/': Bad provides 'context', a reserved name \(reserved: \[.*'context'.*\]\)"),
        ("next", r"route '/': Bad provides 'next', a reserved name"),
        ("_clastic_x", r"route '/': Bad provides '_clastic_x'; names starting with '_clastic_' are reserved"),
    ],
)
def test_middlewares_cannot_provide_reserved_names(name, message):
    def request(self, next):
        return next(None)

    bad = type("Bad", (Middleware,), {"provides": (name,), "request": request})()
    with pytest.raises(ReservedArgumentError, match=message):
        Application([("/", lambda: "x", render_basic)], middlewares=[bad])


def test_the_error_renderer_is_compiled_with_resources_and_the_error():
    def render_error(_error, db, request):
        return Response(f"{db}: {_error.code} for {request.path}", status=_error.code)

    def missing():
        raise NotFound()

    app = Application([Route("/gone", missing, render_basic, render_error=render_error)], resources={"db": "main"})
    reply = app.get_local_client().get("/gone")
    assert (reply.status_code, reply.text) == (404, "main: 404 for /gone")

"""Dispatch's fast paths give the bytes, headers and status of Werkzeug's general ones.

The fast path is an Application called as WSGI: it routes on the environ,
builds the request only when something asks for it, sends render output
and prepared 404s straight to ``start_response`` and uses the shortcuts of
``clastic._fast_wsgi``. The general path answers the same request on a twin
Application (built by the same factory, so counters and ids line up) with
every shortcut switched off: ``clastic._fast_wsgi.FAST`` false, no table of
literal paths (every path goes through the router and the matchers), a
request class that must be built before routing, built first and handed to
``Application.dispatch()``, and the response sent by Werkzeug's own
``Response.__call__``.
"""

from __future__ import annotations

import enum
import io
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

import clastic._fast_wsgi as fast_wsgi
import clastic._json as fast_json
from clastic import (
    GET,
    POST,
    Application,
    Middleware,
    Request,
    RerouteWSGI,
    Response,
    Route,
    render_basic,
    render_json,
)
from clastic.errors import BadRequest, Forbidden, HTTPException, NotFound, RequestEntityTooLarge
from clastic.render import JSONPRender, JSONRender
from clastic.utils import Redirector

BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
ACCEPTS = [
    None,
    "*/*",
    BROWSER_ACCEPT,
    "application/json",
    "application/problem+json",
    "application/xml",
    "text/plain",
    "text/html;q=0.1, application/json;q=0.9",
    "image/png",
    "text/*;q=0.5, */*;q=0.1",
    "garbage;;;q=x, /",
]


class EagerRequest(Request):
    """A request class the dispatcher must build before routing (it overrides ``__init__``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


Answer = tuple[str, list[tuple[str, str]], bytes]


def _collect(app_iter: Any) -> bytes:
    try:
        return b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()


def run_fast(app: Application, environ: dict[str, Any]) -> Answer:
    """Answer *environ* the way a WSGI server calls the Application."""
    seen: list[Any] = []
    body = _collect(app(environ, lambda status, headers, exc_info=None: seen.extend((status, list(headers)))))
    return seen[0], seen[1], body


@contextmanager
def shortcuts_off() -> Iterator[None]:
    saved = fast_wsgi.FAST
    fast_wsgi.FAST = False
    try:
        yield
    finally:
        fast_wsgi.FAST = saved


def run_general(app: Application, environ: dict[str, Any], request_id: int) -> Answer:
    """Answer *environ* through Werkzeug's general path (see the module docstring)."""
    seen: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.extend((status, list(headers)))

    with shortcuts_off():
        request = EagerRequest(environ, populate_request=False)
        request.request_id = request_id
        try:
            response = app.dispatch(request)
        except RerouteWSGI as reroute:
            body = _collect(reroute.wsgi_app(environ, start_response))
        else:
            body = _collect(Response.__call__(response, environ, start_response))
        finally:
            request.close()  # upload files, as the Application closes them
    return seen[0], seen[1], body


def environ_for(path: str = "/", method: str = "GET", accept: str | None = "*/*", **kwargs: Any) -> dict[str, Any]:
    headers = dict(kwargs.pop("headers", {}))
    if accept is not None:
        headers["Accept"] = accept
    builder = EnvironBuilder(path=path, method=method, headers=headers, **kwargs)
    try:
        environ = builder.get_environ()
        stream = environ["wsgi.input"]  # a temporary file for a large body: read it into memory, close it
        environ["wsgi.input"] = io.BytesIO(stream.read())
        stream.close()
    finally:
        builder.close()
    return environ


def assert_same(factory: Callable[[], Application], requests: list[Callable[[], dict[str, Any]]]) -> list[Answer]:
    """Send each request (a function making a fresh environ) both ways; assert equal answers; return them."""
    fast_app, general_app = factory(), factory()
    general_app._dispatcher.exact.clear()  # the general path matches every path: no literal-path table
    answers = []
    for request_id, make_environ in enumerate(requests):
        fast = run_fast(fast_app, make_environ())
        general = run_general(general_app, make_environ(), request_id)
        assert fast == general, make_environ()
        answers.append(fast)
    return answers


def simple(path: str, **kwargs: Any) -> Callable[[], dict[str, Any]]:
    return lambda: environ_for(path, **kwargs)


Requests = list[Callable[[], dict[str, Any]]]


def everywhere(paths: list[str], methods: tuple[str, ...] = ("GET", "HEAD", "POST")) -> Requests:
    return [simple(path, method=method, accept=accept) for path in paths for method in methods for accept in ACCEPTS]


# -- renders ----------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


class Label(str):
    pass


def renders_app() -> Application:
    values: dict[str, Any] = {
        "text": "Hello, World!",
        "page": "<!doctype html><title>x</title>",
        "jsonish": '{"a": 1}',
        "bytes": b"\x00\xffraw",
        "none": None,
        "dict": {"b": [1, 2.5, None], "a": "caf\u00e9 \u2028"},
        "list": [{"x": 1}, {"x": 2}],
        "int": 42,
        "object": object.__name__,
    }

    def value(name: str) -> Any:
        return values[name]

    documents: dict[str, Any] = {
        "small": {"message": "Hello", "id": 42, "ok": True},
        "floats": [0.0, -0.0, 1e-05, 1e16, 1e-300, 2.5, 1 / 3],
        "nan": {"x": math.nan, "inf": math.inf},
        "intkeys": {1: "one", "2": "two"},
        "enum": {"colour": Colour.RED},
        "subclass": {"label": Label("x")},
        "set": {"s": {3}},
        "big": {"n": 2**70},
        "nested": {"a": {"b": {"c": [[], {}, ()]}}},
    }

    def document(name: str) -> Any:
        return documents[name]

    return Application(
        [
            ("/basic/<name>", value, render_basic),
            ("/json/<name>", document, render_json),
            ("/dev/<name>", document, JSONRender(dev_mode=True)),
            ("/compact/<name>", document, JSONRender(indent=None)),
            ("/latin/<name>", document, JSONRender(encoding="latin-1")),
            ("/stream/<name>", document, JSONRender(streaming=True)),
            ("/jsonp/<name>", document, JSONPRender()),
            ("/request/<name>", lambda request: f"{request.request_id} {request.path_params}", render_basic),
        ]
    )


@pytest.mark.parametrize("orjson", [True, False], ids=["orjson", "stdlib"])
def test_renders(orjson: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not orjson:
        monkeypatch.setattr(fast_json, "HAVE_ORJSON", False)
    names = ["text", "page", "jsonish", "bytes", "none", "dict", "list", "int", "object"]
    documents = ["small", "floats", "nan", "intkeys", "enum", "subclass", "set", "big", "nested"]
    paths = [f"/basic/{n}" for n in names] + [f"/basic/{n}?format=html" for n in ("dict", "list")]
    paths += [f"/basic/dict?format={fmt}" for fmt in ("json", "bogus")]
    paths += [f"/{kind}/{d}" for kind in ("json", "dev", "compact", "latin") for d in documents]
    paths += [f"/stream/{d}" for d in ("small", "floats", "nested")]  # a streamed body fails mid-way on the others
    paths += ["/jsonp/small?callback=cb", "/jsonp/small?callback=alert(1)", "/jsonp/small", "/request/x"]
    answers = assert_same(renders_app, everywhere(paths, ("GET", "HEAD")))
    assert {status for status, _headers, _body in answers} >= {"200 OK", "204 NO CONTENT", "400 BAD REQUEST"}


# -- errors -----------------------------------------------------------------


def errors_app() -> Application:
    def boom() -> str:
        raise ValueError("broken")

    def not_found() -> str:
        raise NotFound()

    def forbidden() -> str:
        raise Forbidden("no access for you", error_type="https://example.com/problems/forbidden")

    def custom_headers() -> str:
        raise HTTPException("rate limited", code=429, headers={"Retry-After": "3"}, extensions={"limit": 10})

    def werkzeug_413(request: Request) -> str:
        return str(len(request.form))

    def returned() -> Response:
        return BadRequest("returned, not raised")

    class SmallRequest(Request):
        max_form_memory_size = 10

    app = Application(
        [
            ("/boom", boom, render_basic),
            ("/not-found", not_found, render_basic),
            ("/forbidden", forbidden, render_basic),
            ("/custom", custom_headers, render_basic),
            POST("/form", werkzeug_413, render_basic),
            ("/returned", returned),
            ("/skip", lambda: NotFound(is_breaking=False)),
            ("/skip", lambda: "second route", render_basic),
            ("/only-skip", lambda: BadRequest("try elsewhere", is_breaking=False)),
            GET("/get-only", lambda: "got", render_basic),
            Route("/custom-renderer", boom, render_basic, render_error=lambda _error: Response(f"custom {_error}")),
            ("/raise-413", lambda: (_ for _ in ()).throw(RequestEntityTooLarge()), render_basic),
        ]
    )
    app.request_type = SmallRequest  # a request class that routes on the environ like Request
    return app


def test_errors() -> None:
    paths = ["/boom", "/not-found", "/forbidden", "/custom", "/returned", "/skip", "/only-skip", "/get-only"]
    paths += ["/custom-renderer", "/raise-413", "/nowhere", "/get-only/deeper", "/caf\u00c3\u00a9"]
    requests = everywhere(paths, ("GET", "HEAD", "POST", "PUT", "OPTIONS"))
    requests.append(simple("/form", method="POST", data={"field": "x" * 100}))
    answers = assert_same(errors_app, requests)
    statuses = {status.split()[0] for status, _headers, _body in answers}
    assert statuses >= {"200", "204", "400", "403", "404", "405", "413", "429", "500"}


def test_the_prepared_404_answers_each_accept_as_the_full_path() -> None:
    many = lambda: Application([(f"/route{i}/<x>", lambda x: x, render_basic) for i in range(50)])  # noqa: E731
    answers = assert_same(many, everywhere(["/nope/x", "/", "/route3", "/route3/x/y"], ("GET", "HEAD", "DELETE")))
    types = {dict(headers)["Content-Type"] for status, headers, _body in answers if status == "404 NOT FOUND"}
    assert types == {
        "text/plain; charset=utf-8",
        "text/html; charset=utf-8",
        "application/json; charset=utf-8",
        "application/problem+json",
        "application/xml; charset=utf-8",
    }


def test_the_prepared_404_follows_not_found_changed_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # The prepared body is memoised per Accept value, but only while NotFound's attributes are unchanged.
    client = Application([("/here", lambda: "here", render_basic)]).get_local_client()
    before = client.get("/nope", headers={"Accept": "text/plain"})
    stock = "404 - Not found\n\nThe requested URL was not found on this server.\n"
    assert (before.status_code, before.text) == (404, stock)
    monkeypatch.setattr(NotFound, "detail", "Nothing lives at this address.")
    after = client.get("/nope", headers={"Accept": "text/plain"})
    assert (after.status_code, after.text) == (404, "404 - Not found\n\nNothing lives at this address.\n")
    assert "Nothing lives at this address." in client.get("/nope", headers={"Accept": "application/json"}).text


# -- middlewares, HEAD, 304, redirects, uploads, streams, cookies ------------


class PassThrough(Middleware):
    def request(self, next):
        return next()


class Stamp(Middleware):
    provides = ("stamp",)

    def request(self, next, request):
        response = next(stamp=request.path)
        response.headers["X-Stamp"] = request.path
        return response


class Upper(Middleware):
    def render(self, next, context):
        response = next()
        response.set_data(response.get_data().upper())
        return response


class Reassign(Middleware):
    """Assigns to the response before reading anything of it."""

    def request(self, next):
        response = next()
        response.headers = Headers([("Content-Type", "text/x-mine"), ("X-Mine", "1")])
        response.status_code = 202
        return response


class Around(Middleware):
    def endpoint(self, next):
        value = next()
        return f"[{value}]" if isinstance(value, str) else value


def middleware_app() -> Application:
    def etagged(request: Request) -> Response:
        response = Response("payload", headers={"ETag": '"v1"'})
        return response.make_conditional(request)

    def not_modified() -> Response:
        return Response(status=304, headers={"ETag": '"v1"', "Content-Type": "text/plain"})

    def upload(request: Request) -> str:
        files = request.files
        return ",".join(f"{name}={len(storage.read())}" for name, storage in sorted(files.items()))

    def streamed() -> Response:
        return Response((chunk for chunk in (b"one ", b"two ", b"three")), content_type="text/plain")

    def cookies(request: Request) -> Response:
        response = Response(f"seen {request.cookies.get('flavour')}")
        response.set_cookie("flavour", "ginger snap", max_age=60, httponly=True)
        return response

    sub = Application([("/inner", lambda stamp: stamp, render_basic)], middlewares=[Stamp()])
    return Application(
        [
            ("/plain", lambda: "plain", render_basic),
            Route("/three", lambda: "three", render_basic, middlewares=[PassThrough(), PassThrough(), PassThrough()]),
            Route("/three/dict", lambda: {"a": 1}, render_basic, middlewares=[PassThrough(), PassThrough()]),
            Route("/stamped", lambda stamp: stamp, render_basic, middlewares=[Stamp()]),
            Route("/upper", lambda: "shout", render_basic, middlewares=[Upper()]),
            Route("/around", lambda: "inside", render_basic, middlewares=[Around()]),
            Route("/reassigned", lambda: "mine", render_basic, middlewares=[Reassign(), PassThrough()]),
            ("/etag", etagged),
            ("/not-modified", not_modified),
            POST("/upload", upload, render_basic),
            ("/stream", streamed),
            ("/cookies", cookies),
            ("/dir/", lambda: "branch", render_basic),
            ("/old", Redirector("/new")),
            ("/mounted", sub),
            ("/elsewhere", RerouteWSGI(Response("rerouted", status=202))),
        ]
    )


def test_middlewares_head_304_redirects_uploads_streams_cookies() -> None:
    paths = ["/plain", "/three", "/three/dict", "/stamped", "/upper", "/around", "/reassigned", "/etag"]
    paths.append("/not-modified")
    paths += ["/stream", "/cookies", "/dir", "/dir/", "//dir//", "/dir?q=1", "/old", "/mounted/inner", "/elsewhere"]
    requests = everywhere(paths, ("GET", "HEAD", "POST"))
    requests.append(simple("/etag", headers={"If-None-Match": '"v1"'}))
    requests.append(simple("/cookies", headers={"Cookie": "flavour=oat"}))
    requests.append(simple("/three/dict?format=html", accept=BROWSER_ACCEPT))
    files = {"first": (b"12345", "a.txt"), "second": (b"x" * 600_000, "b.bin")}  # the second is spooled to disk
    data = lambda: {name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}  # noqa: E731
    requests.append(lambda: environ_for("/upload", method="POST", data=data()))
    answers = assert_same(middleware_app, requests)
    statuses = {status.split()[0] for status, _headers, _body in answers}
    assert statuses >= {"200", "202", "301", "302", "304", "308"}


def test_an_upload_is_closed_after_a_fast_dispatch() -> None:
    seen = []

    def upload(request: Request) -> str:
        seen.append(request.files["f"])
        return "ok"

    app = Application([POST("/up", upload, render_basic)])
    upload = {"f": (io.BytesIO(b"x" * 600_000), "f.bin")}
    status, _headers, body = run_fast(app, environ_for("/up", method="POST", data=upload))
    assert (status, body) == ("200 OK", b"ok")
    assert seen[0].stream.closed


# -- paths: non-ASCII, %2F, '//', SCRIPT_NAME ---------------------------------


def paths_app() -> Application:
    return Application(
        [
            ("/echo/<word>", lambda word: word, render_basic),
            ("/both/<word>", lambda request, word: f"{request.path} {word}", render_basic),
            ("/", lambda: "root", render_basic),
        ]
    )


@pytest.mark.parametrize(
    "path_info",
    [
        "/echo/caf\u00c3\u00a9",  # UTF-8 bytes as a server hands them over (Latin-1)
        "/echo/%2F",
        "/echo/a%2Fb",
        "//echo//x",
        "/echo/\u00ff\u00fe",  # not UTF-8: replacement characters
        "",
        "/",
        "echo/x",
        "/both/\u00e2\u0082\u00ac",
    ],
)
def test_routing_on_the_environ_reads_the_path_as_werkzeug(path_info: str) -> None:
    def make() -> dict[str, Any]:
        environ = environ_for("/")
        environ["PATH_INFO"] = path_info
        environ["SCRIPT_NAME"] = "/mount"
        return environ

    assert_same(paths_app, [make])


# -- random apps ---------------------------------------------------------------

SEGMENTS = ["a", "b", "<x>", "<n:int>", "<opt?>", "<rest*>"]
BODIES = ["text", "dict", "none", "not-found", "skip", "bad-request", "boom", "request"]


def build_random_app(routes: list[tuple[list[str], str | None, str, str, bool]]) -> Application:
    entries = []
    for index, (segments, methods, body, render, branch) in enumerate(routes):
        pattern = "/" + "/".join(segments) + ("/" if branch and segments else "")

        def endpoint(request: Request, _route: Any, body: str = body, index: int = index) -> Any:
            if body == "text":
                return f"route {index} {dict(request.path_params)}"
            if body == "dict":
                return {"route": index, "values": {k: str(v) for k, v in request.path_params.items()}}
            if body == "none":
                return None
            if body == "not-found":
                raise NotFound(f"route {index} says no")
            if body == "skip":
                return NotFound(is_breaking=False)
            if body == "bad-request":
                raise BadRequest()
            if body == "request":
                return f"{request.method} {request.request_id}"
            raise RuntimeError(f"route {index} is broken")

        lean: Callable[..., Any] = (lambda: "lean") if body == "text" and index % 2 else endpoint
        entries.append(Route(pattern, lean, render_json if render == "json" else render_basic, methods=methods))
    return Application(entries)


route_strategy = st.tuples(
    st.lists(st.sampled_from(SEGMENTS), max_size=3, unique=True),
    st.sampled_from([None, ["GET"], ["POST"], ["PUT", "DELETE"]]),
    st.sampled_from(BODIES),
    st.sampled_from(["basic", "json"]),
    st.booleans(),
)
request_strategy = st.tuples(
    st.lists(st.sampled_from(["a", "b", "7", "-3", "x y", "%2F", "caf\u00e9", ""]), max_size=4),
    st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]),
    st.sampled_from(ACCEPTS),
    st.booleans(),
    st.sampled_from(["", "?format=html", "?format=json", "?q=1"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(route_strategy, min_size=1, max_size=5), st.lists(request_strategy, min_size=1, max_size=4))
def test_random_routes_methods_accepts_and_bodies(routes: list[Any], requests: list[Any]) -> None:
    try:
        build_random_app(routes)
    except Exception:
        assume(False)
    made = []
    for segments, method, accept, trailing, query in requests:
        path = "/" + "/".join(segments) + ("/" if trailing else "") + query
        made.append(simple(path, method=method, accept=accept))
    assert_same(lambda: build_random_app(routes), made)


def test_a_subclass_that_overrides_dispatch_sees_every_request_built_first() -> None:
    seen = []

    class Logged(Application):
        def dispatch(self, request: Request) -> Response:
            seen.append((request.path, request.request_id))
            return super().dispatch(request)

    app = Logged([("/", lambda: "hi", render_basic), ("/away", RerouteWSGI(Response("moved on", status=202)))])
    client = app.get_local_client()
    replies = [client.get("/"), client.get("/nowhere"), client.get("/away")]
    assert [reply.status_code for reply in replies] == [200, 404, 202]
    assert (replies[0].text, replies[2].text) == ("hi", "moved on")
    assert seen == [("/", 0), ("/nowhere", 1), ("/away", 2)]

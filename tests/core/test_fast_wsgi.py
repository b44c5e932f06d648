"""clastic._fast_wsgi: the shortcuts past Werkzeug's public API build and read exactly what it does."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import create_environ
from werkzeug.wrappers import Response

import clastic._fast_wsgi as fast_wsgi
from clastic import Application, Middleware, Request, render_basic


def test_the_import_time_check_passes_on_this_werkzeug() -> None:
    assert fast_wsgi._self_check() is True
    assert fast_wsgi.FAST is True


@given(st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=30), st.sampled_from(["GET", "get", "Post", None]))
def test_environ_route_is_requests_path_and_method(path_info: str, method: str | None) -> None:
    # PATH_INFO arrives as Latin-1-decoded bytes: every code point up to U+00FF.
    environ = {"PATH_INFO": path_info, "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    if method is not None:
        environ["REQUEST_METHOD"] = method
    request = Request(environ, populate_request=False)
    assert fast_wsgi.environ_route(environ) == (request.path, request.method)
    assert (fast_wsgi.environ_path(environ), fast_wsgi.environ_method(environ)) == (request.path, request.method)


def test_request_classes_that_decide_path_or_method_are_built_first() -> None:
    class MethodOverride(Request):
        def __init__(self, environ, populate_request=True, shallow=False):  # type: ignore[no-untyped-def]
            super().__init__(environ, populate_request, shallow)
            self.method = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", self.method)

    class Plain(Request):
        max_content_length = 10

    assert fast_wsgi.routes_on_environ(Request) and fast_wsgi.routes_on_environ(Plain)
    assert not fast_wsgi.routes_on_environ(MethodOverride)
    assert not fast_wsgi.routes_on_environ(dict)


def test_a_method_override_request_class_still_routes_on_its_method() -> None:
    from clastic import GET, POST, Application, render_basic

    class MethodOverride(Request):
        def __init__(self, environ, populate_request=True, shallow=False):  # type: ignore[no-untyped-def]
            super().__init__(environ, populate_request, shallow)
            self.method = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", self.method)

    app = Application([GET("/x", lambda: "get", render_basic), POST("/x", lambda: "post", render_basic)])
    app.request_type = MethodOverride
    client = app.get_local_client()
    assert client.get("/x", headers={"X-HTTP-Method-Override": "POST"}).text == "post"
    assert client.get("/x").text == "get"


def test_raw_triples_become_the_responses_werkzeug_builds() -> None:
    body = "caf\u00e9".encode()
    built = fast_wsgi.raw_to_response((201, "text/plain; charset=utf-8", body))
    public = Response(body, status=201, content_type="text/plain; charset=utf-8")
    assert type(built) is Response
    assert built.__dict__.keys() == public.__dict__.keys()
    assert (built.status, built.headers.to_wsgi_list(), built.get_data()) == (
        public.status,
        public.headers.to_wsgi_list(),
        public.get_data(),
    )


class _Seen(Middleware):
    """Records the response its request hook gets back, as the hook first sees it."""

    def __init__(self) -> None:
        self.classes: list[type] = []
        self.responses: list[Response] = []

    def request(self, next):
        response = next()
        self.classes.append(type(response))
        self.responses.append(response)
        return response


def test_a_response_only_passed_through_hooks_is_sent_without_being_built() -> None:
    seen = _Seen()
    app = Application([("/", lambda: "hello", render_basic)], middlewares=[seen])
    response = app.get_local_client().get("/")
    assert (response.status, response.headers.to_wsgi_list(), response.data) == (
        "200 OK",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "5")],
        b"hello",
    )
    # Never looked at: still the deferred form, holding what write_raw sent.
    assert seen.classes == [fast_wsgi.DeferredResponse]
    assert seen.responses[0].__dict__ == {"_clastic_raw": (200, "text/plain; charset=utf-8", b"hello")}


def test_a_deferred_response_becomes_a_plain_response_when_read() -> None:
    seen = _Seen()
    app = Application([("/", lambda: "hello", render_basic)], middlewares=[seen])
    app.get_local_client().get("/")
    response = seen.responses[0]
    assert isinstance(response, Response)
    assert response.status_code == 200  # the first read builds it
    assert type(response) is Response
    public = Response(b"hello", status=200, content_type="text/plain; charset=utf-8")
    assert response.__dict__.keys() == public.__dict__.keys()
    assert response.headers.to_wsgi_list() == public.headers.to_wsgi_list()
    with pytest.raises(AttributeError, match="'Response' object has no attribute 'no_such_thing'"):
        response.no_such_thing  # noqa: B018 - the read is the test


def test_a_copied_deferred_response_builds_the_same_response() -> None:
    seen = _Seen()
    app = Application([("/", lambda: {"a": 1}, render_basic)], middlewares=[seen])
    app.get_local_client().get("/", headers={"Accept": "application/json"})
    copied = copy.copy(seen.responses[0])
    assert type(seen.responses[0]) is fast_wsgi.DeferredResponse  # copying did not build the original
    original = seen.responses[0]
    assert (copied.status_code, copied.content_type, copied.get_data()) == (
        200,
        "application/json; charset=utf-8",
        original.get_data(),
    )
    assert type(copied) is type(original) is Response


def test_application_dispatch_returns_plain_responses_under_hooks() -> None:
    app = Application([("/", lambda: "hello", render_basic)], middlewares=[_Seen()])
    request = Request(create_environ("/"))
    response = app.dispatch(request)
    assert type(response) is Response
    assert response.get_data() == b"hello"

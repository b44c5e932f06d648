"""HTTP errors: negotiation, status classes, production-safe 500s, render_error."""

import json
import logging

import pytest

from clastic import Application, Route, render_basic
from clastic.errors import (
    CONTENT_TYPES,
    ERROR_CODE_MAP,
    MIME_SUPPORT_MAP,
    BadRequest,
    ErrorHandler,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    NotImplemented,
    ServiceUnavailable,
    TooManyRequests,
)


def failing():
    secret_local = "hunter2"  # noqa: F841 - must never reach a production response
    raise ValueError("database password is swordfish")


def app_with(*routes, **kwargs):
    return Application(list(routes), **kwargs)


@pytest.mark.parametrize(
    ("accept", "content_type", "marker"),
    [
        ("text/html", "text/html; charset=utf-8", "<h1>Not found</h1>"),
        ("application/json", "application/json; charset=utf-8", '"code": 404'),
        ("application/xml", "application/xml; charset=utf-8", "<code>404</code>"),
        ("text/plain", "text/plain; charset=utf-8", "404 - Not found"),
        ("application/problem+json", "application/problem+json", '"status": 404'),
        ("*/*", "text/html; charset=utf-8", "<h1>Not found</h1>"),
        ("image/png", "text/plain; charset=utf-8", "404 - Not found"),
        ("text/html;q=0.5, application/json", "application/json; charset=utf-8", '"code": 404'),
        (None, "text/plain; charset=utf-8", "404 - Not found"),
    ],
)
def test_error_bodies_are_negotiated(accept, content_type, marker):
    client = app_with().get_local_client()
    headers = {"Accept": accept} if accept else {}
    resp = client.get("/nope", headers=headers)
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == content_type
    assert marker in resp.text


def test_problem_json_has_rfc9457_members():
    class OutOfCredit(HTTPException):
        code = 403
        message = "You do not have enough credit"
        error_type = "https://example.com/probs/out-of-credit"

    def buy():
        raise OutOfCredit("Your balance is 30, but that costs 50.", extensions={"balance": 30})

    resp = (
        app_with(("/buy", buy, render_basic))
        .get_local_client()
        .get("/buy", headers={"Accept": "application/problem+json"})
    )
    assert resp.status_code == 403
    assert resp.json == {
        "type": "https://example.com/probs/out-of-credit",
        "title": "You do not have enough credit",
        "status": 403,
        "detail": "Your balance is 30, but that costs 50.",
        "instance": "/buy",
        "balance": 30,
    }


def test_html_error_bodies_are_escaped():
    def bad():
        raise BadRequest("<script>alert(1)</script>")

    resp = app_with(("/b", bad, render_basic)).get_local_client().get("/b", headers={"Accept": "text/html"})
    assert "<script>" not in resp.text
    assert "&lt;script&gt;" in resp.text


def test_malformed_accept_header_is_not_a_500():
    client = app_with().get_local_client()
    for accept in ("text/html;q=abc", ";;;,,,", "a/b/c/d", "\x00", "text/*;q=1e999"):
        assert client.get("/nope", headers={"Accept": accept}).status_code == 404


def test_uncaught_exception_in_production_hides_everything_and_logs(caplog):
    client = app_with(("/fail", failing, render_basic)).get_local_client()
    with caplog.at_level(logging.ERROR, logger="clastic.errors"):
        for accept in ("text/html", "application/json", "text/plain", "application/xml", "application/problem+json"):
            resp = client.get("/fail", headers={"Accept": accept})
            assert resp.status_code == 500
            for leak in ("swordfish", "ValueError", "hunter2", ".py", "Traceback", "line "):
                assert leak not in resp.text, (accept, leak)
    record = caplog.records[0]
    assert "uncaught exception while handling GET /fail" in record.getMessage()
    assert record.exc_info[0] is ValueError


def test_uncaught_exception_in_debug_shows_traceback_with_core_handler():
    class PlainDebugApp(Application):
        default_debug_error_handler_type = ErrorHandler

    resp = PlainDebugApp([("/fail", failing, render_basic)], debug=True).get_local_client().get("/fail")
    assert resp.status_code == 500
    assert "ValueError: database password is swordfish" in resp.text
    assert "Traceback" in resp.text


def test_reraise_uncaught_lets_the_server_see_it():
    app = app_with(("/fail", failing, render_basic), error_handler=ErrorHandler(reraise_uncaught=True))
    with pytest.raises(ValueError, match="swordfish"):
        app.get_local_client().get("/fail")


def test_render_returning_non_response_is_a_500_naming_the_route(caplog):
    app = app_with(("/r", lambda: {"a": 1}, lambda context: "not a response"))
    with caplog.at_level(logging.ERROR):
        assert app.get_local_client().get("/r").status_code == 500
    assert "route '/r': expected a Response from its render function, got str" in caplog.text


def test_a_request_middleware_returning_none_is_named_in_the_500_log(caplog):
    from clastic import Middleware

    class Forgetful(Middleware):
        def request(self, next):
            next()  # forgot to return the response

    app = app_with(("/r", lambda: "x", render_basic), middlewares=[Forgetful()])
    with caplog.at_level(logging.ERROR):
        assert app.get_local_client().get("/r").status_code == 500
    assert (
        "route '/r': expected a Response from its request middlewares (Forgetful) or its render function, got NoneType"
        in caplog.text
    )


def test_endpoint_without_render_returning_dict_is_500_with_clear_log(caplog):
    app = app_with(("/r", lambda: {"a": 1}))
    with caplog.at_level(logging.ERROR):
        assert app.get_local_client().get("/r").status_code == 500
    assert "the endpoint returned dict" in caplog.text and "has no render function" in caplog.text


def test_route_render_error_is_used_and_injected():
    def render_error(request, _error, brand):
        return _error.__class__(f"{brand}: {_error.code} at {request.path}")

    route = Route("/x", lambda: NotFound(), render_basic, render_error=render_error)
    resp = app_with(route, resources={"brand": "ACME"}).get_local_client().get("/x")
    assert resp.status_code == 404
    assert "ACME: 404 at /x" in resp.text


def test_broken_render_error_falls_back_to_the_original_error(caplog):
    def render_error(_error):
        raise RuntimeError("renderer is broken")

    route = Route("/x", lambda: NotFound("original"), render_basic, render_error=render_error)
    with caplog.at_level(logging.ERROR):
        resp = app_with(route).get_local_client().get("/x")
    assert resp.status_code == 404 and "original" in resp.text
    assert "render_error for route '/x' failed" in caplog.text


def test_render_error_may_return_a_different_error():
    from clastic.errors import BadGateway

    route = Route("/x", lambda: NotFound(), render_basic, render_error=lambda _error: BadGateway())
    assert app_with(route).get_local_client().get("/x").status_code == 502


def test_custom_error_handler_types():
    class TeapotNotFound(NotFound):
        message = "No tea here"

    class Handler(ErrorHandler):
        not_found_type = TeapotNotFound

    resp = app_with(error_handler=Handler()).get_local_client().get("/none")
    assert resp.status_code == 404 and "No tea here" in resp.text


def test_http_exception_is_raisable_and_returnable_response():
    err = TooManyRequests(headers={"Retry-After": "5"})
    assert isinstance(err, Exception)
    assert err.status_code == 429 and err.headers["Retry-After"] == "5"
    assert str(err) == TooManyRequests.detail
    assert repr(err) == "TooManyRequests(code=429, message='Too many requests')"
    assert HTTPException().status_code == 500  # never a bare 200
    assert issubclass(NotFound, BadRequest) and issubclass(ServiceUnavailable, InternalServerError)
    assert NotImplemented.code == 501


def test_error_code_map_is_complete_and_honest():
    for code in (400, 404, 405, 421, 423, 424, 425, 429, 451, 500, 501, 506, 507, 508, 510, 511):
        assert ERROR_CODE_MAP[code].code == code
    assert ERROR_CODE_MAP[404] is NotFound and ERROR_CODE_MAP[500] is InternalServerError


def test_method_not_allowed_detail_and_header():
    err = MethodNotAllowed(["POST", "GET"])
    assert err.headers["Allow"] == "GET, POST"
    assert "Allowed methods: GET, POST." in err.detail


def test_to_dict_to_json_and_xml_shapes():
    err = NotFound("gone fishing", error_type="https://example.com/e")
    assert err.to_dict() == {
        "code": 404,
        "message": "Not found",
        "detail": "gone fishing",
        "error_type": "https://example.com/e",
    }
    assert json.loads(err.to_json())["detail"] == "gone fishing"
    assert err.to_xml().startswith('<?xml version="1.0" encoding="utf-8"?>\n<http_error><code>404</code>')
    assert '<a href="https://example.com/e">' in err.to_html()


def test_werkzeug_http_exceptions_from_request_parsing_become_client_errors():
    from clastic import POST, Request

    class SmallRequest(Request):
        max_content_length = 100

    class SmallApp(Application):
        request_type = SmallRequest

    app = SmallApp([POST("/f", lambda request: request.form.get("a", ""), render_basic)])
    resp = app.get_local_client().post("/f", data={"a": "x" * 500})
    assert resp.status_code == 413
    assert "Request entity too large" in resp.text


def test_null_route_is_marked_for_middlewares():
    from clastic import Middleware

    seen = []

    class Watch(Middleware):
        def request(self, next, _route):
            seen.append(_route.is_null_route)
            return next()

    app = app_with(("/", lambda: "home", render_basic), middlewares=[Watch()])
    client = app.get_local_client()
    client.get("/")
    client.get("/missing")
    assert seen == [False, True]


@pytest.mark.parametrize("accept", list(MIME_SUPPORT_MAP))
def test_every_error_body_type_is_sent_with_the_one_content_type_table(accept: str) -> None:
    assert CONTENT_TYPES.keys() == MIME_SUPPORT_MAP.keys()
    client = Application([("/", lambda: "home", render_basic)]).get_local_client()
    response = client.get("/missing", headers={"Accept": accept})
    assert (response.status_code, response.headers["Content-Type"]) == (404, CONTENT_TYPES[accept])

"""ContextualErrorHandler: the debug pages for uncaught exceptions, 404/405 and other HTTP errors."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from boltons.tbutils import ContextualExceptionInfo

from clastic import GET, POST, Application, Middleware, render_basic
from clastic.errors import ErrorHandler, Forbidden

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "problem": "application/problem+json",
    "xml": "application/xml; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}

SECRET_LOCAL = "hunter2-local-value"


class TraceMiddleware(Middleware):
    """A user middleware, so the chain has hooks (user frames) around generated frames."""

    def request(self, next, request):
        return next()


def _helper_that_hides():
    __traceback_hide__ = True
    raise ValueError("boom happened")


def boom(request):
    password = SECRET_LOCAL  # noqa: F841 - shown (truncated) on the debug page
    long_value = "x" * 5000  # noqa: F841
    _helper_that_hides()


def hello(name):
    return f"Hello, {name}!"


def forbidden():
    raise Forbidden("no access to the vault")


def create(request):
    title = request.form.get("title", "")
    # Core does not close requests yet, so uploaded temp files would leak (ResourceWarning).
    for upload in request.files.values():
        upload.close()
    raise RuntimeError("could not store " + title)


def make_app(**handler_kwargs):
    from clastic.errors import ContextualErrorHandler

    handler = ContextualErrorHandler(**handler_kwargs) if handler_kwargs else None
    return Application(
        [
            GET("/boom", boom, render_basic),
            GET("/hello/<name>", hello, render_basic),
            ("/forbidden", forbidden, render_basic),
            POST("/items", create, render_basic),
        ],
        middlewares=[TraceMiddleware()],
        error_handler=handler,
        debug=True,
    )


# -- the handler Application(debug=True) picks --------------------------------


def test_debug_application_uses_the_contextual_handler_and_production_the_basic_one():
    from clastic.errors import ContextualErrorHandler, ContextualInternalServerError, ContextualNotFound

    debug_handler = Application([], debug=True).error_handler
    assert type(debug_handler) is ContextualErrorHandler
    assert type(Application([]).error_handler) is ErrorHandler
    assert debug_handler.not_found_type is ContextualNotFound
    assert debug_handler.server_error_type is ContextualInternalServerError
    assert debug_handler.exc_info_type is ContextualExceptionInfo


# -- uncaught exceptions, every format ---------------------------------------


@pytest.mark.parametrize("fmt", ["html", "json", "problem", "xml", "text"])
def test_uncaught_exception_debug_body_in_every_format(call, fmt):
    response = call(make_app(), "/boom", fmt)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.text
    assert "ValueError" in body
    assert "boom happened" in body
    assert "_helper_that_hides()" in body  # the endpoint's source line
    assert __file__ in body
    if fmt == "xml":
        root = ET.fromstring(response.data)
        assert root.tag == "http_error"
        assert root.findtext("exc_type") == "ValueError"
        assert root.findtext("code") == "500"
        frames = root.findall("./exc_tb/frames/frame")
        assert [f.findtext("func_name") for f in frames if f.findtext("hidden") == "false"] == ["request", "boom"]


def test_uncaught_exception_json_has_the_documented_keys(call):
    data = call(make_app(), "/boom", "json").json
    expected = {
        "clastic_version", "code", "detail", "error_type", "exc_tb", "exc_tb_str", "exc_type", "exc_value",
        "is_email", "last_frame", "message", "python", "req", "server_time", "server_time_utc",
    }  # fmt: skip
    assert expected <= set(data)
    assert data["code"] == 500
    assert data["exc_type"] == "ValueError"
    assert data["exc_value"] == "boom happened"
    assert data["detail"] == "ValueError: boom happened"
    assert data["error_type"] == "https://docs.python.org/3/library/exceptions.html#ValueError"
    assert data["is_email"] is False
    assert {"executable", "version", "path"} <= set(data["python"])
    assert {"path", "full_url", "method", "abs_path", "url_params", "cookies", "headers", "files"} <= set(data["req"])
    assert data["req"]["path"] == "/boom"
    assert data["last_frame"]["func_name"] == "_helper_that_hides"
    assert "Traceback (most recent call last)" in data["exc_tb_str"]


def test_problem_json_carries_the_debug_report_as_extension_members(call):
    data = call(make_app(), "/boom", "problem").json
    assert data["type"] == "https://docs.python.org/3/library/exceptions.html#ValueError"
    assert data["title"] == "Internal server error"
    assert data["status"] == 500
    assert data["instance"] == "/boom"
    assert data["exc_type"] == "ValueError"
    assert data["exc_tb"]["frames"]


# -- frames: hidden, source, locals -------------------------------------------


def _frames(call, app):
    return call(app, "/boom", "json").json["exc_tb"]["frames"]


def test_framework_and_generated_frames_are_hidden_user_frames_shown(call):
    frames = _frames(call, make_app())
    by_name = {frame["func_name"]: frame for frame in frames}
    # Clastic's dispatch (clastic._dispatch) and the generated chain set the rule.
    generated = [frame for frame in frames if frame["module_path"].startswith("<clastic chain")]
    assert generated and all(frame["hidden"] and frame["internal"] for frame in generated)
    assert any(frame["module_name"] == "clastic._dispatch" and frame["hidden"] for frame in frames)
    # User frames stay visible: the middleware hook and the endpoint.
    assert by_name["request"]["hidden"] is False
    assert by_name["boom"]["hidden"] is False
    # A user function that sets __traceback_hide__ is hidden too.
    assert by_name["_helper_that_hides"]["hidden"] is True
    assert [frame["func_name"] for frame in frames if not frame["hidden"]] == ["request", "boom"]


def test_hide_internal_frames_false_shows_every_frame(call):
    frames = _frames(call, make_app(hide_internal_frames=False))
    assert frames and not any(frame["hidden"] for frame in frames)
    assert any(frame["internal"] for frame in frames)


def test_html_folds_hidden_frames_behind_a_toggle(call):
    body = call(make_app(), "/boom", "html").text
    assert 'id="show-internal"' in body
    hidden_count = len(_frames(call, make_app())) - 2
    assert f"Show {hidden_count} framework frames" in body
    assert body.count('class="frame internal is-hidden"') == hidden_count
    # The text page leaves hidden frames out and says how many.
    text = call(make_app(), "/boom", "text").text
    assert f"{hidden_count} framework frames hidden" in text
    assert 'File "<clastic chain' not in text


def test_frames_have_source_context_and_truncated_locals(call):
    frame = next(f for f in _frames(call, make_app()) if f["func_name"] == "boom")
    assert frame["line"].strip() == "_helper_that_hides()"
    assert any("long_value" in line for line in frame["pre_lines"])
    assert len(frame["pre_lines"]) == 5
    assert frame["locals"]["password"] == repr(SECRET_LOCAL)
    long_repr = frame["locals"]["long_value"]
    assert len(long_repr) <= 200
    assert long_repr.endswith("...") or "..." in long_repr
    short = next(f for f in _frames(call, make_app(repr_length=40, context_lines=2)) if f["func_name"] == "boom")
    assert len(short["locals"]["long_value"]) <= 40
    assert len(short["pre_lines"]) == 2


def test_a_local_with_a_broken_repr_does_not_break_the_page(call):
    class Unprintable:
        def __repr__(self):
            raise RuntimeError("no repr for you")

    def endpoint():
        thing = Unprintable()  # noqa: F841
        raise KeyError("missing")

    app = Application([("/x", endpoint, render_basic)], debug=True)
    response = call(app, "/x", "json")
    assert response.status_code == 500
    frame = response.json["last_frame"]
    assert "Unprintable" in frame["locals"]["thing"]


def test_invalid_limits_are_refused():
    from clastic.errors import ContextualErrorHandler

    with pytest.raises(ValueError, match="repr_length must be an int >= 20"):
        ContextualErrorHandler(repr_length=5)
    with pytest.raises(ValueError, match="context_lines must be an int >= 0"):
        ContextualErrorHandler(context_lines=-1)


# -- the request ------------------------------------------------------------


def test_request_method_url_headers_cookies_form_and_files_are_shown(call):
    app = make_app()
    response = call(
        app,
        "/items?page=2&tag=a&tag=b",
        "json",
        method="POST",
        headers={"X-Trace": "abc123", "Cookie": "session=s3ss10n"},
        data={"title": "Hello", "upload": (BytesIO(b"file body"), "notes.txt", "text/plain")},
    )
    assert response.status_code == 500
    req = response.json["req"]
    assert req["method"] == "POST"
    assert req["full_url"] == "http://localhost/items?page=2&tag=a&tag=b"
    assert req["url_params"] == {"page": "2", "tag": ["a", "b"]}
    assert req["headers"]["X-Trace"] == "abc123"
    assert req["cookies"] == {"session": "s3ss10n"}
    assert req["form"] == {"title": "Hello"}
    assert req["files"] == {"upload": [{"filename": "notes.txt", "content_type": "text/plain"}]}
    html = call(
        app, "/items", "html", method="POST", headers={"Cookie": "session=s3ss10n"}, data={"title": "<b>Hello</b>"}
    ).text
    assert "s3ss10n" in html
    assert "&lt;b&gt;Hello&lt;/b&gt;" in html and "<b>Hello</b>" not in html


def test_a_query_string_that_is_not_utf8_does_not_break_the_report(call):
    # Raw bytes some WSGI servers pass through: the report says so instead of failing.
    response = call(make_app(), "/items", "json", method="POST", environ_overrides={"QUERY_STRING": "q=\xff"})
    assert response.status_code == 500
    req = response.json["req"]
    assert req["url_params"] == {}
    assert req["url_params_error"].startswith("the query string is not valid UTF-8 (byte 0xff at position 2)")


# -- 404 and 405 ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "json", "problem", "xml", "text"])
def test_not_found_lists_routes_in_order_and_the_path(call, fmt):
    response = call(make_app(), "/nope/deeper", fmt)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == CONTENT_TYPES[fmt]
    body = response.text
    assert "/nope/deeper" in body
    positions = [
        body.index(pattern)
        for pattern in (
            "/boom",
            "/hello/&lt;name&gt;" if fmt in ("html", "xml") else "/hello/<name>",
            "/forbidden",
            "/items",
        )
    ]
    assert positions == sorted(positions)


def test_not_found_json_keys(call):
    data = call(make_app(), "/nope", "json").json
    assert {"code", "message", "detail", "error_type", "routes", "request"} <= set(data)
    assert data["code"] == 404
    assert data["request"]["path"] == "/nope"
    assert data["request"]["method"] == "GET"
    assert [route["pattern"] for route in data["routes"]] == ["/boom", "/hello/<name>", "/forbidden", "/items"]
    assert data["routes"][0]["methods"] == ["GET", "HEAD"]
    assert data["routes"][2]["methods"] is None
    assert all(route["regex"] for route in data["routes"])
    assert data["routes"][1]["endpoint"].endswith(".hello")


def test_method_not_allowed_marks_the_route_whose_path_matched(call):
    response = call(make_app(), "/items", "json")
    assert response.status_code == 405
    assert response.headers["Allow"] == "OPTIONS, POST"
    routes = response.json["routes"]
    assert [route["pattern"] for route in routes if route["matched_path"]] == ["/items"]


def test_other_http_errors_show_the_route_and_request(call):
    response = call(make_app(), "/forbidden", "json", headers={"X-Trace": "t-1"})
    assert response.status_code == 403
    data = response.json
    assert data["detail"] == "no access to the vault"
    assert data["route"] == "/forbidden"
    assert data["request"]["headers"]["X-Trace"] == "t-1"
    assert "routes" not in data


# -- warnings outside debug mode --------------------------------------------------


def test_warns_once_when_serving_an_application_not_in_debug_mode(call, caplog):
    from clastic.errors import ContextualErrorHandler

    with caplog.at_level(logging.WARNING, logger="clastic.errors"):
        app = Application([GET("/boom", boom, render_basic)], error_handler=ContextualErrorHandler())
        assert [r.getMessage() for r in caplog.records if "not in debug mode" in r.getMessage()]
        caplog.clear()
        call(app, "/boom", "json")
        call(app, "/nope", "json")
    assert not [r for r in caplog.records if "not in debug mode" in r.getMessage()]
    # It still works: the handler was chosen on purpose.
    assert call(app, "/boom", "json").json["exc_type"] == "ValueError"


def test_no_warning_for_a_debug_application(caplog):
    with caplog.at_level(logging.WARNING, logger="clastic.errors"):
        Application([GET("/boom", boom, render_basic)], debug=True)
    assert not [r for r in caplog.records if "not in debug mode" in r.getMessage()]


def test_reraise_uncaught_propagates_after_reporting():
    from clastic.errors import ContextualErrorHandler

    seen = []
    handler = ContextualErrorHandler(reraise_uncaught=True, reporters=lambda exc, request, route: seen.append(exc))
    app = Application([GET("/boom", boom, render_basic)], error_handler=handler, debug=True)
    with pytest.raises(ValueError, match="boom happened"):
        app.get_local_client().get("/boom")
    assert [type(exc) for exc in seen] == [ValueError]


def test_an_endpoint_error_inside_the_framework_still_shows_frames(call):
    # Returning a non-Response from a route without render: raised by generated code only.
    app = Application([("/norender", lambda: {"a": 1})], debug=True)
    data = call(app, "/norender", "json").json
    assert data["exc_type"] == "TypeError"
    assert data["exc_tb"]["frames"]
    assert any(not frame["hidden"] for frame in data["exc_tb"]["frames"])


def test_xml_is_well_formed_even_with_control_characters(call):
    def endpoint():
        weird = "nul\x00bell\x07"  # noqa: F841
        raise ValueError("bad \x00 byte")

    app = Application([("/x", endpoint, render_basic)], debug=True)
    root = ET.fromstring(call(app, "/x", "xml").data)
    assert root.findtext("exc_type") == "ValueError"
    assert root.findtext("exc_value") == "bad \ufffd byte"


# -- Clastic 26 attributes of the 500 ------------------------------------------


def capturing_app(**handler_kwargs):
    from clastic.errors import ContextualErrorHandler

    class CapturingHandler(ContextualErrorHandler):
        seen: list[BaseException]  # set on the instance below

        def render_error(self, request, _error, _application=None, _route=None, _dispatch_state=None):
            self.seen.append(_error)
            return super().render_error(request, _error, _application, _route, _dispatch_state)

    handler = CapturingHandler(**handler_kwargs)
    handler.seen = []
    return Application([GET("/boom", boom, render_basic)], error_handler=handler, debug=True), handler


@pytest.mark.parametrize("hide", [True, False])
def test_contextual_500_carries_the_request_and_hide_internal_frames(call, hide):
    from clastic.errors import ContextualInternalServerError

    app, handler = capturing_app(hide_internal_frames=hide)
    assert call(app, "/boom?x=1", "json").status_code == 500
    assert call(app, "/boom?x=2", "json", remote="203.0.113.9").status_code == 500  # plain body, same attributes
    local, remote = handler.seen
    for error, query in ((local, "x=1"), (remote, "x=2")):
        assert type(error) is ContextualInternalServerError
        assert (error.request.path, error.request.query_string) == ("/boom", query.encode())
        assert error.hide_internal_frames is hide
    assert local.exception_report is not None and remote.exception_report is None


def test_contextual_500_constructed_directly_keeps_its_arguments():
    from werkzeug.test import EnvironBuilder

    from clastic import Request
    from clastic.errors import ContextualInternalServerError

    request = Request(EnvironBuilder(path="/x").get_environ())
    error = ContextualInternalServerError("it broke", request=request, hide_internal_frames=False)
    assert (error.request, error.hide_internal_frames, error.code) == (request, False, 500)
    default = ContextualInternalServerError()
    assert (default.request, default.hide_internal_frames) == (None, True)


def test_handler_whose_server_error_type_is_plain_still_answers(call):
    from clastic.errors import ContextualErrorHandler, InternalServerError

    class PlainServerErrors(ContextualErrorHandler):
        server_error_type = InternalServerError

    app = Application([GET("/boom", boom, render_basic)], error_handler=PlainServerErrors(), debug=True)
    response = call(app, "/boom", "json", remote="203.0.113.9")
    assert response.status_code == 500
    assert response.json["code"] == 500
    assert "boom happened" not in response.text

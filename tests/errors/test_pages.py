"""CustomPageErrorHandler: chosen status codes rendered by your pages, with safe fallbacks."""

from __future__ import annotations

import logging

import pytest
from werkzeug.wrappers import Response

from clastic import GET, POST, Application, render_basic
from clastic.errors import NotFound, Unauthorized
from clastic.exceptions import RenderFactoryError


def explode():
    raise ZeroDivisionError("division by zero in the report")


def login():
    raise Unauthorized("log in first", headers={"WWW-Authenticate": 'Basic realm="app"'})


def routes():
    return [
        GET("/explode", explode, render_basic),
        GET("/login", login, render_basic),
        POST("/only-post", lambda: "posted", render_basic),
    ]


def not_found_page(context, request):
    return f"<h1>Lost?</h1><p>Nothing at {context['path']} ({request.method}).</p>"


def server_error_page(context):
    return Response(f"<h1>Sorry</h1><p>{context['message']}</p>", status=200, content_type="text/html")


def make_app(pages, **kwargs):
    from clastic.errors.pages import CustomPageErrorHandler

    return Application(routes(), error_handler=CustomPageErrorHandler(pages, **kwargs))


def test_callable_pages_render_their_status_codes(call):
    app = make_app({404: not_found_page, 500: server_error_page})
    response = call(app, "/missing", "html")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.text == "<h1>Lost?</h1><p>Nothing at /missing (GET).</p>"
    response = call(app, "/explode", "html")
    assert response.status_code == 500  # the page said 200; the error's status wins
    assert response.text == "<h1>Sorry</h1><p>Internal server error</p>"
    assert "division by zero" not in response.text


def test_pages_keep_the_error_headers(call):
    app = make_app({401: lambda: "<p>who are you?</p>", 405: lambda _error: f"<p>{_error.allowed_methods}</p>"})
    response = call(app, "/login", "html")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="app"'
    response = call(app, "/only-post", "html")
    assert response.status_code == 405
    assert response.headers["Allow"] == "OPTIONS, POST"
    assert response.text == "<p>['OPTIONS', 'POST']</p>"


def test_pages_from_a_render_factory_are_resolved_when_the_handler_is_built(call):
    templates = {"errors/404.html": lambda context: f"<title>{context['code']}</title>{context['detail']}"}
    made = []

    def factory(name):
        made.append(name)
        return templates[name]

    handler_app = make_app({NotFound: "errors/404.html"}, render_factory=factory)
    assert made == ["errors/404.html"]
    response = call(handler_app, "/missing", "html")
    assert response.status_code == 404
    assert response.text == "<title>404</title>The requested URL was not found on this server."
    assert made == ["errors/404.html"]


def test_page_factory_and_key_mistakes_fail_at_construction():
    from clastic.errors.pages import CustomPageErrorHandler

    with pytest.raises(
        RenderFactoryError, match=r"custom error page '404.html' for status 404 is not callable and no render_factory"
    ):
        CustomPageErrorHandler({404: "404.html"})
    with pytest.raises(
        RenderFactoryError, match=r"status 404: render factory .* could not use 'nope.html': 'nope.html'"
    ):
        CustomPageErrorHandler({404: "nope.html"}, render_factory={}.__getitem__)
    with pytest.raises(
        RenderFactoryError, match=r"render factory returned 'text' for '404.html', which is not callable"
    ):
        CustomPageErrorHandler({404: "404.html"}, render_factory=lambda name: "text")
    with pytest.raises(ValueError, match=r"keyed by error status codes \(400-599\) or HTTPException classes, got 302"):
        CustomPageErrorHandler({302: not_found_page})
    with pytest.raises(TypeError, match=r"needs 'requets', which error pages do not provide.*Did you mean 'request'\?"):
        CustomPageErrorHandler({404: lambda requets: ""})


def test_a_broken_page_falls_back_to_the_default_body_with_the_right_status(call, caplog):
    def broken(context):
        raise KeyError("template variable 'user' is undefined")

    app = make_app({404: broken, 500: broken})
    with caplog.at_level(logging.ERROR, logger="clastic.errors"):
        not_found = call(app, "/missing", "html")
        server_error = call(app, "/explode", "html")
    assert not_found.status_code == 404
    assert "<h1>Not found</h1>" in not_found.text
    assert server_error.status_code == 500
    assert "<h1>Internal server error</h1>" in server_error.text
    assert "template variable" not in server_error.text + not_found.text
    failures = [r for r in caplog.records if "custom error page" in r.getMessage()]
    assert len(failures) == 2
    assert failures[0].exc_info[0] is KeyError


def test_a_page_returning_something_else_falls_back(call, caplog):
    app = make_app({404: lambda: 404})
    with caplog.at_level(logging.ERROR, logger="clastic.errors"):
        response = call(app, "/missing", "html")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert "must return a Response or a string of HTML, got int" in caplog.text


def test_non_html_clients_get_the_negotiated_default(call):
    app = make_app({404: not_found_page})
    response = call(app, "/missing", "json")
    assert response.status_code == 404
    assert response.json["message"] == "Not found"
    everyone = make_app({404: not_found_page}, mimetypes=None)
    assert call(everyone, "/missing", "json").text.startswith("<h1>Lost?</h1>")


def test_pages_see_problem_members_and_the_problem_object(call):
    from clastic.errors import Forbidden
    from clastic.errors.pages import CustomPageErrorHandler
    from clastic.errors.problems import Problem

    class Quota(Problem, Forbidden):
        error_type = "https://example.com/probs/quota"
        members = ("limit",)

    def over():
        raise Quota("slow down", limit=10)

    seen = {}

    def page(context):
        seen.update(context)
        return "<p>quota</p>"

    app = Application([("/over", over, render_basic)], error_handler=CustomPageErrorHandler({403: page}))
    assert call(app, "/over", "html").status_code == 403
    assert seen["limit"] == 10
    assert seen["problem"]["type"] == "https://example.com/probs/quota"
    assert seen["problem"]["instance"] == "/over"

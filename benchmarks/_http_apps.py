"""The hello apps that ``http.py`` serves under gunicorn, one factory per framework.

gunicorn loads them as ``_http_apps:clastic()`` and so on (run from this
directory). Every app answers ``GET /`` with ``Hello, World!`` as text.
"""

from __future__ import annotations

from typing import Any

HELLO = "Hello, World!"


def clastic() -> Any:
    """Return a Clastic app serving hello through render_basic."""
    from clastic import Application, render_basic

    def hello():
        return HELLO

    return Application([("/", hello, render_basic)])


def falcon() -> Any:
    """Return a Falcon app serving hello from a resource."""
    import falcon as falcon_

    class Hello:
        def on_get(self, req, resp):
            resp.content_type = falcon_.MEDIA_TEXT
            resp.text = HELLO

    app = falcon_.App()
    app.add_route("/", Hello())
    return app


def flask() -> Any:
    """Return a Flask app serving hello from a view function."""
    import flask as flask_

    app = flask_.Flask("bench_http")
    app.add_url_rule("/", "hello", lambda: HELLO)
    return app


def bottle() -> Any:
    """Return a Bottle app serving hello from a route."""
    import bottle as bottle_

    app = bottle_.Bottle()
    app.route("/")(lambda: HELLO)
    return app


def wsgi() -> Any:
    """Return a raw WSGI callable serving hello: the floor under every framework."""
    body = HELLO.encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]

    def app(environ, start_response):
        if environ["PATH_INFO"] != "/":
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
            return [b"Not Found"]
        start_response("200 OK", list(headers))
        return [body]

    return app


FRAMEWORKS = ("clastic", "falcon", "flask", "bottle", "wsgi")

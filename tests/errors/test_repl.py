"""REPLErrorHandler: Werkzeug's PIN-protected debugger for loopback clients only."""

from __future__ import annotations

import logging
import re

import pytest

from clastic import GET, Application, render_basic

SECRET_MESSAGE = "repl secret 9c1d"


def explode():
    token = "local-token-77"  # noqa: F841
    raise LookupError(SECRET_MESSAGE)


def make_app(debug=True, **kwargs):
    from clastic.errors import REPLErrorHandler

    return Application([GET("/explode", explode, render_basic)], error_handler=REPLErrorHandler(**kwargs), debug=debug)


def test_loopback_browser_gets_the_interactive_debugger(call, caplog):
    with caplog.at_level(logging.WARNING, logger="clastic.errors"):
        app = make_app()
    pin_messages = [r.getMessage() for r in caplog.records if "debugger PIN" in r.getMessage()]
    assert pin_messages and re.search(r"debugger PIN: \d{3}-\d{3}-\d{3}", pin_messages[0])
    response = call(app, "/explode", "html")
    assert response.status_code == 500
    body = response.text
    assert "The debugger caught an exception in your WSGI application" in body
    assert "LookupError" in body and SECRET_MESSAGE in body
    assert "EVALEX = true" in body
    # The console is locked until the PIN is entered.
    assert "EVALEX_TRUSTED = false" in body


def test_remote_clients_never_reach_the_debugger(call):
    app = make_app()
    response = call(app, "/explode", "html", remote="203.0.113.9")
    assert response.status_code == 500
    assert "debugger" not in response.text.lower()
    assert SECRET_MESSAGE not in response.text and "Traceback" not in response.text
    # __debugger__ requests go straight to the application, which has no such route.
    resource = call(app, "/?__debugger__=yes&cmd=resource&f=style.css", remote="203.0.113.9")
    assert resource.status_code == 404
    local = call(app, "/?__debugger__=yes&cmd=resource&f=style.css")
    assert local.status_code == 200
    assert local.headers["Content-Type"].startswith("text/css")


def test_loopback_api_clients_get_the_contextual_report(call):
    data = call(make_app(), "/explode", "json").json
    assert data["exc_type"] == "LookupError"
    assert data["last_frame"]["locals"]["token"] == "'local-token-77'"


def test_console_path_is_off_by_default_and_loopback_only_when_on(call):
    assert call(make_app(), "/console", "html").status_code == 404
    app = make_app(console_path="/console")
    console = call(app, "/console", "html")
    assert console.status_code == 200
    assert "Interactive Console" in console.text
    assert call(app, "/console", "html", remote="198.51.100.2").status_code == 404


def test_allow_opens_the_debugger_to_its_networks(call):
    app = make_app(allow=["198.51.100.0/24"])
    assert "The debugger caught an exception" in call(app, "/explode", "html", remote="198.51.100.2").text
    assert "debugger" not in call(app, "/explode", "html", remote="192.0.2.1").text.lower()


def test_reporters_hear_about_exceptions_handed_to_the_debugger(call):
    calls = []
    app = make_app(reporters=lambda exc, request, route: calls.append((type(exc), route.pattern)))
    call(app, "/explode", "html")
    assert calls == [(LookupError, "/explode")]


def test_warns_outside_debug_mode(caplog):
    with caplog.at_level(logging.WARNING, logger="clastic.errors"):
        make_app(debug=False)
    assert any("REPLErrorHandler is the error handler of" in r.getMessage() for r in caplog.records)


def test_console_path_is_checked():
    from clastic.errors import REPLErrorHandler

    with pytest.raises(ValueError, match=r"console_path must be a path starting with '/'"):
        REPLErrorHandler(console_path="console")

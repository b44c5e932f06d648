"""Error-reporting hooks: called for every uncaught exception, never masking it."""

from __future__ import annotations

import logging

import pytest

from clastic import GET, Application, render_basic
from clastic.errors import Forbidden


class Boom(Exception):
    pass


def explode(request):
    raise Boom("the original error")


def forbid():
    raise Forbidden()


def make_app(handler, debug=False):
    return Application(
        [GET("/explode/<n:int>", explode, render_basic), GET("/forbid", forbid, render_basic)],
        error_handler=handler,
        debug=debug,
    )


def test_reporters_get_the_exception_request_and_route(call):
    from clastic.errors.reporting import ReportingErrorHandler

    calls = []
    app = make_app(ReportingErrorHandler(reporters=lambda exc, request, route: calls.append((exc, request, route))))
    response = call(app, "/explode/7", "json")
    assert response.status_code == 500
    assert "the original error" not in response.text
    [(exc, request, route)] = calls
    assert isinstance(exc, Boom) and str(exc) == "the original error"
    assert request.path == "/explode/7"
    assert request.path_params == {"n": 7}
    assert route.pattern == "/explode/<n:int>"
    assert route is app.routes[0]


def test_http_errors_and_404s_are_not_reported(call):
    from clastic.errors.reporting import ReportingErrorHandler

    calls = []
    app = make_app(ReportingErrorHandler(reporters=[lambda *args: calls.append(args)]))
    assert call(app, "/forbid").status_code == 403
    assert call(app, "/nowhere").status_code == 404
    assert calls == []


def test_a_failing_reporter_is_logged_and_the_others_still_run(call, caplog):
    from clastic.errors.reporting import ReportingErrorHandler

    calls = []

    def broken(exc, request, route):
        raise ConnectionError("monitoring service unreachable")

    app = make_app(ReportingErrorHandler(reporters=[broken, lambda exc, request, route: calls.append(exc)]))
    with caplog.at_level(logging.ERROR, logger="clastic.errors"):
        response = call(app, "/explode/1", "json")
    assert response.status_code == 500
    assert response.json["message"] == "Internal server error"
    assert [type(exc) for exc in calls] == [Boom]
    failure = next(r for r in caplog.records if "error reporter" in r.getMessage())
    assert "failed while reporting Boom" in failure.getMessage()
    assert failure.exc_info[0] is ConnectionError
    # The original exception is still logged with its own traceback.
    uncaught = next(r for r in caplog.records if "uncaught exception" in r.getMessage())
    assert uncaught.exc_info[0] is Boom


def test_contextual_handler_reports_and_shows_the_original_error(call):
    from clastic.errors import ContextualErrorHandler

    def broken(exc, request, route):
        raise RuntimeError("reporter bug")

    calls = []
    handler = ContextualErrorHandler(reporters=[broken, lambda exc, request, route: calls.append(route.pattern)])
    data = call(make_app(handler, debug=True), "/explode/3", "json").json
    assert data["exc_type"].endswith("Boom")
    assert data["exc_value"] == "the original error"
    assert "reporter bug" not in str(data)
    assert calls == ["/explode/<n:int>"]


def test_reporters_run_before_reraising(call):
    from clastic.errors.reporting import ReportingErrorHandler

    calls = []
    app = make_app(
        ReportingErrorHandler(reporters=lambda exc, request, route: calls.append(exc), reraise_uncaught=True)
    )
    with pytest.raises(Boom, match=r"^the original error$"):
        call(app, "/explode/2")
    assert [type(exc) for exc in calls] == [Boom]


def test_reporters_must_be_callable():
    from clastic.errors.reporting import ReportingErrorHandler

    with pytest.raises(
        TypeError, match=r"reporters= takes callables reporter\(exception, request, route\); got 'log' \(str\)"
    ):
        ReportingErrorHandler(reporters=["log"])
